"""Checks for notebook 06 (embedding lab): cosine similarity, nearest neighbours, recall ranking.

Each check builds small vectors of its own, chosen so that the common mistakes (a raw dot product without
normalisation, Euclidean distance, returning the query word itself, the wrong order) give a different answer.
"""
from __future__ import annotations

from typing import Callable

import numpy as np

from utils.checks.core import assert_finite_result, exercise


def _cos(a: np.ndarray, b: np.ndarray) -> float:
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    return float(a @ b / (np.linalg.norm(a) * np.linalg.norm(b)))


@exercise("06", 1, "Cosine similarity")
def check_cosine_similarity(cosine_similarity: Callable) -> str:
    """``cosine_similarity(a, b)`` of two 1-D vectors: a float in [-1, 1], blind to the vectors' lengths."""
    cases = [
        ([1.0, 2.0, 3.0], [2.0, 4.0, 6.0], 1.0, "parallel vectors (one twice as long)"),
        ([1.0, 0.0], [-3.0, 0.0], -1.0, "opposite vectors"),
        ([1.0, 0.0, 0.0], [0.0, 5.0, 0.0], 0.0, "perpendicular vectors"),
        ([3.0, 4.0], [4.0, 3.0], 24.0 / 25.0, "[3, 4] and [4, 3]"),
    ]
    for a, b, want, what in cases:
        arr = assert_finite_result(cosine_similarity(np.array(a), np.array(b)),
                                   f"cosine_similarity for {what}", "one number in [-1, 1]")
        assert arr.size == 1, f"return one number (a float), got an array of shape {arr.shape}"
        got = float(arr.reshape(()))
        assert abs(got - want) < 1e-6, (
            f"for {what} the cosine similarity is {want:.4g}, got {got:.4g}. Did you divide the dot product "
            f"by both lengths (np.linalg.norm(a) * np.linalg.norm(b))?")
    rng = np.random.default_rng(6)
    for _ in range(5):
        a, b = rng.normal(size=50), rng.normal(size=50) * rng.uniform(0.1, 10)
        got = float(cosine_similarity(a, b))
        assert abs(got - _cos(a, b)) < 1e-6, f"wrong value for random 50-d vectors: expected {_cos(a, b):.6f}, got {got:.6f}"
        assert abs(float(cosine_similarity(b, a)) - got) < 1e-9, "cosine similarity must be symmetric: cos(a, b) == cos(b, a)"
        assert abs(float(cosine_similarity(7 * a, b)) - got) < 1e-6, "scaling a vector must not change the cosine"
    return "length-blind, symmetric and in [-1, 1]"


def _toy_words() -> tuple[list[str], np.ndarray]:
    words = ["cat", "kitten", "dog", "puppy", "car", "truck", "plane"]
    vectors = np.array([
        [1.0, 0.0, 0.0],    # cat
        [0.3, 0.02, 0.0],   # kitten: short, almost the same direction as cat (cos 0.998)
        [5.0, 3.0, 0.0],    # dog: long (wins a raw dot product), cos 0.857
        [3.0, 3.2, 0.0],    # puppy: nearer than dog in Euclidean distance, but cos only 0.684
        [0.0, 10.0, 0.0],   # car: perpendicular to cat
        [0.0, 0.0, 1.0],    # truck: perpendicular, yet close to cat in Euclidean distance
        [-1.0, 0.0, 0.0],   # plane: opposite
    ])
    return words, vectors


@exercise("06", 2, "Nearest neighbours")
def check_nearest_neighbours(nearest_neighbours: Callable) -> str:
    """``nearest_neighbours(word, words, vectors, k)`` -> ``[(word, cosine), ...]`` best first, word itself excluded."""
    words, vectors = _toy_words()
    got = nearest_neighbours("cat", words, vectors, 3)
    assert got is not None, ("nearest_neighbours returned None, expected a list of (word, similarity) pairs: "
                             "did you forget `return`?")
    try:
        got = [(str(w), float(s)) for w, s in got]
    except (TypeError, ValueError):
        raise AssertionError("return a list of (word, similarity) pairs, e.g. [('kitten', 0.998), ...]") from None
    assert len(got) == 3, f"k=3 asks for 3 neighbours, got {len(got)}"
    got_words = [w for w, _ in got]
    assert "cat" not in got_words, "exclude the query word itself: it is always its own nearest neighbour"
    if got_words[:2] == ["dog", "kitten"] or got_words[0] == "dog":
        raise AssertionError("'dog' came first: that is a raw dot product, which favours long vectors. "
                             "Rank by cosine similarity (normalise the vectors first)")
    if "truck" in got_words[:2]:
        raise AssertionError("'truck' ranks high: that is Euclidean distance. Rank by cosine similarity")
    assert got_words == ["kitten", "dog", "puppy"], (
        f"expected ['kitten', 'dog', 'puppy'] (cosine 0.998, 0.857, 0.684), got {got_words}")
    sims = [s for _, s in got]
    assert sims == sorted(sims, reverse=True), "sort the neighbours by similarity, most similar first"
    want = [_cos(vectors[0], vectors[words.index(w)]) for w in got_words]
    assert np.allclose(sims, want, atol=1e-6), f"similarities should be cosines {np.round(want, 3)}, got {np.round(sims, 3)}"
    other = [w for w, _ in nearest_neighbours("car", words, vectors, 2)]
    assert len(other) == 2 and other[0] == "puppy" and "car" not in other, (
        f"for 'car' expected 'puppy' first (cos 0.73) and 2 neighbours, got {other}")
    return "cosine ranking, query word excluded, best first"


@exercise("06", 3, "Recall ranking for a memory")
def check_rank_memories(rank_memories: Callable) -> str:
    """``rank_memories(query, memory_vectors, k)`` -> the indices of the k most cosine-similar rows, best first."""
    memory = np.array([[0.1, 0.0], [10.0, 10.0], [0.0, 1.0], [-1.0, 0.0], [3.0, -0.5]])
    returned = rank_memories(np.array([1.0, 0.0]), memory, 3)
    assert returned is not None, ("rank_memories returned None, expected the indices of the k best rows: did you "
                                  "forget `return`?")
    got = [int(i) for i in returned]
    assert len(got) == 3, f"k=3 asks for 3 memories, got {len(got)}"
    if got[0] == 1:
        raise AssertionError("row 1 ([10, 10]) came first: a raw dot product favours long vectors. "
                             "Use cosine similarity")
    assert got == [0, 4, 1], f"expected rows [0, 4, 1] (cosine 1.0, 0.99, 0.71), got {got}"
    assert [int(i) for i in rank_memories(np.array([0.0, 2.0]), memory, 1)] == [2], (
        "query [0, 2] should recall row 2 ([0, 1]) first, and k=1 should return one index")
    rng = np.random.default_rng(3)
    mem = rng.normal(size=(40, 8)) * rng.uniform(0.1, 10, size=(40, 1))
    q = rng.normal(size=8)
    sims = (mem @ q) / (np.linalg.norm(mem, axis=1) * np.linalg.norm(q))
    want = list(np.argsort(-sims)[:5])
    got = [int(i) for i in rank_memories(q, mem, 5)]
    assert got == want, f"for 40 random memories expected rows {want}, got {got}"
    return "best memories first, by cosine"
