"""Reference answer for notebook 07's build exercise 07.1: k-nearest-neighbour classification by cosine similarity.

Notebook 07 calls :func:`knn_predict` only *after* exercise 07.1, through
``checks.use_or_reference("07.1", knn_predict, reference.knn_predict)``, so that a student who has not finished
the exercise can still run the image search's accuracy table. ``tests/test_checks_image_embeddings_and_memory.py`` proves
that it passes the exercise's check.
"""
from __future__ import annotations

from collections import Counter

import numpy as np


def knn_predict(database: np.ndarray, database_labels: np.ndarray, queries: np.ndarray, k: int) -> np.ndarray:
    """Label each query by a majority vote among its ``k`` most cosine-similar database vectors (exercise 07.1).

    Ties between labels with the same number of votes go to the label of the *nearest* neighbour among them
    (``Counter.most_common`` lists equal counts in the order first met, and the neighbours are met nearest first).

    Args:
        database: (n, d) vectors with known labels, none all zero.
        database_labels: (n,) int labels of the database rows.
        queries: (m, d) vectors to label, none all zero.
        k: how many neighbours vote (1 <= k <= n).

    Returns:
        int64 array (m,): the predicted label of each query.
    """
    db = np.asarray(database, dtype=np.float64)
    q = np.asarray(queries, dtype=np.float64)
    labels = np.asarray(database_labels)
    db_unit = db / np.linalg.norm(db, axis=1, keepdims=True)
    q_unit = q / np.linalg.norm(q, axis=1, keepdims=True)
    sims = q_unit @ db_unit.T                                   # (m, n) cosine similarities
    nearest = np.argsort(-sims, axis=1, kind="stable")[:, :k]   # (m, k) database rows, most similar first
    votes = labels[nearest]                                     # (m, k) their labels
    return np.array([Counter(row.tolist()).most_common(1)[0][0] for row in votes], dtype=np.int64)


__all__ = ["knn_predict"]
