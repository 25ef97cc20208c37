"""Comparing embedding vectors: cosine similarity, the top k, nearest words, analogies, word pairs, and a PCA
projection to 2-D for plots.

An *embedding matrix* has shape ``(V, d)``, float, row ``i`` holding the vector of word id ``i`` (row 0 is the
padding row, see :mod:`utils.embeddings.text`). Cosine similarity lies in ``[-1, 1]``: 1 = same direction,
0 = unrelated (orthogonal), -1 = opposite. Everything is NumPy.
"""
from __future__ import annotations

from typing import Iterable, Sequence

import numpy as np

from utils.embeddings.text import Vocabulary
from utils.validation import as_array, check_positive_int


def normalize_rows(matrix: np.ndarray, *, eps: float = 1e-12) -> np.ndarray:
    """Rows scaled to unit length (shape kept, float64); all-zero rows stay zero."""
    m = as_array(matrix, "matrix", ndim=2, dtype_kind="fiu").astype(np.float64)
    norms = np.linalg.norm(m, axis=1, keepdims=True)
    return m / np.maximum(norms, eps)


def cosine_similarities(matrix: np.ndarray, query: np.ndarray) -> np.ndarray:
    """Cosine similarity of ``query`` (shape (d,), not all zero) with every row of ``matrix`` (shape (n, d)):
    float64 (n,). An all-zero row has similarity 0."""
    m = as_array(matrix, "matrix", ndim=2, dtype_kind="fiu")
    q = as_array(query, "query", shape=(m.shape[1],), dtype_kind="fiu").astype(np.float64)
    return normalize_rows(m) @ (q / np.linalg.norm(q))


def top_k(similarities: np.ndarray, k: int, *, exclude: Iterable[int] = ()) -> np.ndarray:
    """Indices of the ``k`` largest values of a 1-D array, largest first, skipping the indices in ``exclude``.

    Equal values keep their index order (a stable sort), so ties always come back the same way. Fewer than
    ``k`` indices come back when fewer values are left.
    """
    sims = as_array(similarities, "similarities", ndim=1, dtype_kind="fiu").astype(np.float64)
    k = check_positive_int(k, "k")
    excluded = list(exclude)
    if excluded:
        sims[excluded] = -np.inf
    k = min(k, int(np.isfinite(sims).sum()))
    return np.argsort(-sims, kind="stable")[:k].astype(np.int64)


def word_matrix(matrix: np.ndarray, vocab: Vocabulary) -> np.ndarray:
    """``matrix`` as an array, checked to hold one row per id of ``vocab`` (padding row included).

    A matrix from another vocabulary would otherwise pair every word with the wrong vector, silently.
    """
    m = as_array(matrix, "matrix", ndim=2, dtype_kind="fiu")
    if len(m) != len(vocab):
        raise ValueError(f"matrix has {len(m)} rows but the vocabulary has {len(vocab)} ids (padding included): "
                         "they must come from the same vocabulary")
    return m


def nearest_to_vector(vector: np.ndarray, vocab: Vocabulary, matrix: np.ndarray, k: int = 10, *,
                      exclude: Iterable[str] = ()) -> list[tuple[str, float]]:
    """The ``k`` words whose vectors are most cosine-similar to ``vector`` (shape (d,)), best first, as
    ``(word, similarity)``; PAD and the words in ``exclude`` are never returned."""
    sims = cosine_similarities(word_matrix(matrix, vocab), vector)
    idx = top_k(sims, k, exclude=[0] + [vocab.id_of(w) for w in exclude])
    return [(vocab.words[i], float(sims[i])) for i in idx]


def analogy(a: str, b: str, c: str, vocab: Vocabulary, matrix: np.ndarray, k: int = 5) -> list[tuple[str, float]]:
    """Answer "``a`` is to ``b`` as ``c`` is to ?" with the words nearest to ``b - a + c`` (unit vectors).

    ``analogy("man", "king", "woman", ...)`` looks for ``king - man + woman``. The three input words are
    excluded from the answer, as in the original word2vec evaluation.
    """
    unit = normalize_rows(word_matrix(matrix, vocab))
    target = unit[vocab.id_of(b)] - unit[vocab.id_of(a)] + unit[vocab.id_of(c)]
    return nearest_to_vector(target, vocab, matrix, k, exclude=(a, b, c))


def pair_similarities(pairs: Sequence[tuple[str, str]], vocab: Vocabulary, matrix: np.ndarray) -> np.ndarray:
    """Cosine similarity of each word pair, float64 (len(pairs),). Every word must be in ``vocab``."""
    unit = normalize_rows(word_matrix(matrix, vocab))
    return np.array([float(unit[vocab.id_of(x)] @ unit[vocab.id_of(y)]) for x, y in pairs])


def pca_project(points: np.ndarray, n_components: int = 2) -> tuple[np.ndarray, np.ndarray]:
    """Project points onto their first principal components (centred, via ``np.linalg.svd``).

    Args:
        points: (n, d) float array, n >= 2.
        n_components: how many components (1 <= n_components <= min(n, d)).

    Returns:
        ``(projected, explained)``: projected (n, n_components) float64, and the fraction of variance each
        component explains, (n_components,) in [0, 1].
    """
    x = as_array(points, "points", ndim=2, dtype_kind="fiu").astype(np.float64)
    n_components = check_positive_int(n_components, "n_components")
    centred = x - x.mean(axis=0)
    _, s, vt = np.linalg.svd(centred, full_matrices=False)
    var = s ** 2
    explained = var[:n_components] / var.sum() if var.sum() > 0 else np.zeros(n_components)
    return centred @ vt[:n_components].T, explained


__all__ = ["analogy", "cosine_similarities", "nearest_to_vector", "normalize_rows", "pair_similarities",
           "pca_project", "top_k", "word_matrix"]
