"""Reference answers for notebook 06's exercises: subsampling, skip-gram pairs, negative sampling, the training set,
cosine search.

Notebook 06 calls these only *after* the exercise that asks for the same code, through
``checks.use_or_reference("06.k", student_function, reference.function)``, so that a student who has not finished
an exercise can still train word2vec and search the vectors. Each function has the interface the exercise asks
for; ``tests/test_checks_word_embeddings.py`` proves each one passes its exercise's check.

Conventions (as in :mod:`utils.embeddings`): word ids are ints ``0..V-1``, id 0 is padding with count 0;
``counts`` has shape (V,).
"""
from __future__ import annotations

import numpy as np


def subsample(ids: np.ndarray, counts: np.ndarray, t: float, rng: np.random.Generator) -> np.ndarray:
    """Drop frequent words at random, as word2vec does (exercise 06.2).

    Each token is kept with probability ``min(1, sqrt(t / f) + t / f)``, where ``f = counts[id] / counts.sum()``
    is its word's share of the corpus (the rule of Mikolov's word2vec code).

    Args:
        ids: the corpus as word ids, int array of shape (n,), values in ``1..V-1``.
        counts: how often each word id occurs, int array of shape (V,).
        t: the threshold (a float in (0, 1), e.g. 1e-3): words with a share below about t are always kept.
        rng: the NumPy generator to draw from (one uniform number per token).

    Returns:
        The kept ids, in their original order, int array of shape (n_kept,).
    """
    ids = np.asarray(ids)
    f = np.asarray(counts, dtype=np.float64)[ids] / np.sum(counts)
    p_keep = np.minimum(1.0, np.sqrt(t / f) + t / f)
    return ids[rng.random(ids.shape[0]) < p_keep]


def skipgram_pairs(ids: np.ndarray, window: int) -> tuple[np.ndarray, np.ndarray]:
    """Every (target, context) pair of tokens at most ``window`` positions apart (exercise 06.3).

    Vectorised: one pair of array slices per offset ``1..window`` and per direction, no loop over tokens.

    Args:
        ids: word ids of shape (n,).
        window: the largest distance between target and context (int >= 1).

    Returns:
        ``(targets, contexts)``, two int arrays of the same shape (N,), with
        ``N = 2 * sum(max(0, n - o) for o in 1..window)``; the order of the pairs is not specified.
    """
    ids = np.asarray(ids)
    left, right = [], []
    for offset in range(1, window + 1):
        left.append(ids[:-offset])
        right.append(ids[offset:])
    a, b = np.concatenate(left), np.concatenate(right)
    return np.concatenate([a, b]), np.concatenate([b, a])


def sample_negatives(counts: np.ndarray, shape: int | tuple[int, ...], rng: np.random.Generator,
                     power: float = 0.75) -> np.ndarray:
    """Draw "noise" word ids from word2vec's smoothed unigram distribution (exercise 06.4).

    ``P(w) = counts[w] ** power / sum(counts ** power)``; a word with count 0 (padding) is never drawn.

    Args:
        counts: how often each word id occurs, shape (V,).
        shape: the shape of the array of draws, e.g. ``(n_pairs, 4)``.
        rng: the NumPy generator to draw from.
        power: the smoothing exponent (0.75 in word2vec; 1 is the raw unigram, 0 uniform over seen words).

    Returns:
        int array of the given shape, values in ``0..V-1``.
    """
    weights = np.asarray(counts, dtype=np.float64) ** power
    weights[np.asarray(counts) == 0] = 0.0
    return rng.choice(len(weights), size=shape, p=weights / weights.sum())


def build_training_set(ids: np.ndarray, counts: np.ndarray, window: int, num_ns: int, rng: np.random.Generator,
                       t: float = 1e-3) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Word2vec's training data from a corpus, in the layout of TensorFlow's word2vec tutorial (exercise 06.5).

    Subsample the corpus (:func:`subsample`), pair what is kept (:func:`skipgram_pairs`), draw ``num_ns`` noise
    words per pair (:func:`sample_negatives`) and redraw every noise word that equals its row's true context (it
    would be a real neighbour labelled 0).

    Args:
        ids: the corpus as word ids, shape (n,).
        counts: how often each word id occurs, shape (V,).
        window: the largest distance between target and context (int >= 1).
        num_ns: noise words per true pair (int >= 1).
        rng: the NumPy generator every draw comes from.
        t: the subsampling threshold (1.0 keeps every token).

    Returns:
        ``(targets, candidates, labels)``: int array (N,); int array (N, 1 + num_ns) with the true context in
        column 0 and the noise words after it; float32 array (N, 1 + num_ns), 1 in column 0 and 0 elsewhere.
    """
    kept = subsample(ids, counts, t, rng)
    targets, contexts = skipgram_pairs(kept, window)
    negatives = sample_negatives(counts, (len(targets), num_ns), rng)
    clash = negatives == contexts[:, None]
    while clash.any():
        negatives[clash] = sample_negatives(counts, int(clash.sum()), rng)
        clash = negatives == contexts[:, None]
    candidates = np.concatenate([contexts[:, None], negatives], axis=1)
    labels = np.zeros(candidates.shape, dtype=np.float32)
    labels[:, 0] = 1.0
    return targets, candidates, labels


def nearest_neighbours(query: np.ndarray, vectors: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """The ``k`` rows of ``vectors`` most cosine-similar to ``query``, most similar first (exercise 06.6).

    Args:
        query: shape (d,), not all zero.
        vectors: shape (n, d).
        k: how many neighbours (1 <= k <= n).

    Returns:
        ``(indices, similarities)``: int array (k,) of row numbers and float array (k,) of their cosine
        similarities with ``query``, similarities descending.
    """
    v = np.asarray(vectors, dtype=np.float64)
    q = np.asarray(query, dtype=np.float64)
    sims = (v @ q) / (np.linalg.norm(v, axis=1) * np.linalg.norm(q) + 1e-12)
    best = np.argsort(-sims, kind="stable")[:k]
    return best, sims[best]


__all__ = ["build_training_set", "nearest_neighbours", "sample_negatives", "skipgram_pairs", "subsample"]
