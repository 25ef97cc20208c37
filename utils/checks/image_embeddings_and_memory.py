"""Checks for notebook 07 (image embeddings and a vector memory): kNN by cosine similarity, a prediction of the
raw-pixel kNN accuracy, and the sentence vector of the memory.

The kNN check runs the student's function on random vectors of very different lengths and compares it with a
cosine-similarity vote; when the answer is wrong it recomputes the plausible mistakes (Euclidean distance, a raw
dot product, no vote, one neighbour too many or too few, the nearest neighbour skipped, the least similar
vectors, the other tie rules) and names the one the student made. The sentence-vector check does the same with
stop words kept, a sum instead of a mean, and repeated words counted once.
"""
from __future__ import annotations

from collections import Counter
from typing import Any, Callable

import numpy as np

from utils.checks.asserts import assert_finite_result, expect, fail, require_answer
from utils.checks.core import exercise

# ------------------------------------------------------------------------------------------------ 07.1
KNN_K = 7
"""The number of neighbours in the random part of :func:`check_knn_predict`."""


def _knn_variant(database: np.ndarray, labels: np.ndarray, queries: np.ndarray, k: int, *,
                 score: str = "cosine", pick: str = "nearest", tie: str = "nearest") -> np.ndarray:
    """kNN labels computed the right way (the defaults) or with one named mistake.

    Args:
        score: ``"cosine"``, ``"euclidean"`` (negative distance) or ``"dot"`` (raw dot product).
        pick: which neighbours vote: ``"nearest"`` (the k most similar), ``"skip_first"`` (ranks 2..k+1),
            ``"least"`` (the k least similar).
        tie: ``"nearest"`` (label of the nearest among the tied), ``"farthest"``, ``"smallest"`` (smallest label),
            or ``"none"`` (no vote: the label of the nearest neighbour).
    """
    db = np.asarray(database, dtype=np.float64)
    q = np.asarray(queries, dtype=np.float64)
    if score == "cosine":
        s = (q / np.linalg.norm(q, axis=1, keepdims=True)) @ (db / np.linalg.norm(db, axis=1, keepdims=True)).T
    elif score == "dot":
        s = q @ db.T
    else:
        s = -np.sqrt(np.maximum((q ** 2).sum(1)[:, None] - 2 * q @ db.T + (db ** 2).sum(1)[None, :], 0.0))
    order = np.argsort(-s, axis=1, kind="stable")
    chosen = {"nearest": order[:, :k], "skip_first": order[:, 1:k + 1], "least": order[:, ::-1][:, :k]}[pick]
    votes = np.asarray(labels)[chosen]
    out = []
    for row in votes.tolist():
        if tie == "none":
            out.append(row[0])
            continue
        counts = Counter(row)
        best = max(counts.values())
        tied = [lab for lab in row if counts[lab] == best]
        out.append({"nearest": tied[0], "farthest": tied[-1], "smallest": min(tied)}[tie])
    return np.array(out, dtype=np.int64)


KNN_MISTAKE_ARGS: dict[str, dict[str, Any]] = {
    "euclidean": {"score": "euclidean"}, "dot": {"score": "dot"}, "least": {"pick": "least"},
    "skip_first": {"pick": "skip_first"}, "k_minus_1": {"k": KNN_K - 1}, "k_plus_1": {"k": KNN_K + 1},
    "no_vote": {"tie": "none"}, "smallest": {"tie": "smallest"}, "farthest": {"tie": "farthest"},
}
"""How :func:`_knn_variant` gives each plausible wrong answer of 07.1 (changes to its arguments)."""

KNN_MISTAKES: dict[str, str] = {
    "euclidean": ("your labels follow Euclidean distance. Rank by cosine similarity: divide every row of both arrays "
                  "by its length first, then one matrix product gives every query-database cosine at once"),
    "dot": ("your labels follow the raw dot product, which favours long database vectors. Divide each database row by "
            "its length too (dividing only the queries does not change any query's ranking)"),
    "least": ("your neighbours are the k LEAST similar rows: np.argsort sorts ascending, so sort -similarities (or "
              "take the last k and reverse them)"),
    "skip_first": ("you skipped the most similar database vector. The queries are not in the database, so the nearest "
                   "row is a real neighbour (notebook 06 dropped the query word itself because it was in the table)"),
    "k_minus_1": (f"with k = {KNN_K} your labels match a vote among {KNN_K - 1} neighbours: "
                  f"take [:, :k], not [:, :k - 1]"),
    "k_plus_1": (f"with k = {KNN_K} your labels match a vote among {KNN_K + 1} neighbours: "
                 f"take [:, :k], not [:, :k + 1]"),
    "no_vote": ("your labels are those of the single nearest neighbour: let the k nearest vote (the most common label "
                "among them wins)"),
    "smallest": ("the vote is right except on ties, where you chose the smallest label (np.bincount(...).argmax() "
                 "does). On a tie, choose the label of the nearest neighbour among the tied labels (e.g. walk the "
                 "neighbours nearest first; Counter(labels).most_common(1) keeps that order for equal counts)"),
    "farthest": ("the vote is right except on ties, where you chose the label of the farther neighbour: list the "
                 "neighbours most similar first, so that a tie goes to the nearest one"),
}
"""The hint for each plausible wrong answer of 07.1, by the name it has in :data:`KNN_MISTAKE_ARGS`."""


def knn_test_data(seed: int = 71) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Random data on which every mistake of :data:`KNN_MISTAKES` gives other labels than the right answer.

    Returns:
        ``(database (300, 6), labels (300,) in {0, 2, 5, 9}, queries (120, 6))``: four classes around four
        directions, every vector scaled by a random length between 0.1 and 10 (so that cosine, Euclidean distance
        and the dot product rank differently).
    """
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(4, 6))
    classes = np.array([0, 2, 5, 9])

    def draw(n: int) -> tuple[np.ndarray, np.ndarray]:
        which = rng.integers(0, 4, size=n)
        x = centres[which] + 1.6 * rng.normal(size=(n, 6))
        return x * rng.uniform(0.1, 10.0, size=(n, 1)), classes[which]

    database, labels = draw(300)
    queries, _ = draw(120)
    return database, labels, queries


def _labels_of(result: Any, m: int, what: str) -> np.ndarray:
    """The student's predicted labels as an int64 (m,) array, or an AssertionError naming what came back."""
    expect(result is not None, f"{what} returned None, expected {m} int labels: did you forget `return`?")
    arr = np.asarray(result)
    if arr.dtype.kind == "f" and np.all(np.isfinite(arr)) and np.all(arr == np.round(arr)):
        arr = arr.astype(np.int64)
    expect(arr.dtype.kind in "iu", f"{what} returned values of type {arr.dtype}, expected int labels (one per query)")
    if arr.shape != (m,):
        hint = " (one label per query, not the neighbours' labels: vote them down to one)" if arr.ndim == 2 else ""
        fail(f"{what} returned shape {arr.shape}, expected ({m},): one label per query{hint}")
    return arr.astype(np.int64)


@exercise("07", 1, "k-nearest-neighbour labels by cosine similarity")
def check_knn_predict(knn_predict: Callable) -> str:
    """``knn_predict(database, database_labels, queries, k)`` -> (m,) int labels: the majority label of each
    query's k most cosine-similar database rows; ties go to the nearest neighbour's label."""
    # 1) random vectors of very different lengths: compare with the right vote, name the mistake if any
    database, labels, queries = knn_test_data()
    db_before, q_before = database.copy(), queries.copy()
    want = _knn_variant(database, labels, queries, KNN_K)
    got = _labels_of(knn_predict(database, labels, queries, KNN_K), len(queries), "knn_predict")
    assert np.array_equal(database, db_before) and np.array_equal(queries, q_before), (
        "knn_predict changed its input arrays (e.g. normalised them in place with /=): compute new arrays instead")
    if not np.array_equal(got, want):
        for name, hint in KNN_MISTAKES.items():
            args = {"k": KNN_K, **KNN_MISTAKE_ARGS[name]}
            k = args.pop("k")
            expect(not np.array_equal(got, _knn_variant(database, labels, queries, k, **args)), hint)
        i = int(np.flatnonzero(got != want)[0])
        s = _knn_variant(database, labels, queries[i:i + 1], 1)   # (the nearest label, for the message)
        fail(f"for 120 random queries and k = {KNN_K}, {int(np.sum(got != want))} labels differ from a cosine "
             f"{KNN_K}-NN vote; e.g. query {i}: expected {want[i]}, got {got[i]} (its nearest database row is "
             f"labelled {s[0]}). Rank each query's database rows by cosine similarity, most similar first, let "
             f"the first k vote, and break a tie with the nearest neighbour's label")

    # 2) a tie read off a small example: 4 neighbours, two votes each, the nearest decides
    angles = np.deg2rad([5.0, 10.0, 20.0, 30.0, 80.0])                 # from the query's direction [1, 0]
    small = np.stack([np.cos(angles), np.sin(angles)], axis=1) * np.array([[3.0], [0.5], [2.0], [1.0], [9.0]])
    query = np.array([[2.0, 0.0]])
    for tie_labels, want in [(np.array([7, 3, 3, 7, 5]), 7), (np.array([3, 7, 7, 3, 5]), 3)]:
        got = _labels_of(knn_predict(small.copy(), tie_labels.copy(), query.copy(), 4), 1, "knn_predict")[0]
        expect(got == want,
               f"a query at 0° with database vectors at 5°, 10°, 20°, 30° and 80° labelled "
               f"{tie_labels.tolist()} and k = 4: the 4 nearest are labelled {tie_labels[:4].tolist()}, a 2-2 tie, "
               f"which goes to the nearest neighbour's label {want}; you returned {got}. "
               + ("That is the 80° vector's label: are you ranking by Euclidean distance or dot product, or "
                  "taking the least similar rows?" if got == tie_labels[4] else
                  "On a tie choose the label of the nearest neighbour among the tied labels"))

    # 3) k = 1 is the nearest neighbour's label
    got1 = _labels_of(knn_predict(database, labels, queries, 1), len(queries), "knn_predict")
    assert np.array_equal(got1, _knn_variant(database, labels, queries, 1)), (
        "with k = 1 each query must get the label of its single most cosine-similar database row")
    return (f"cosine ranking, {KNN_K} neighbours vote, ties to the nearest, labels {sorted(set(labels.tolist()))} "
            f"kept as they are, inputs untouched")


# ------------------------------------------------------------------------------------------------ 07.2
PIXEL_KNN_CHOICES: dict[str, tuple[float, float, str]] = {
    "A": (0.0, 0.5, "below 50%: raw pixels are too crude to compare images"),
    "B": (0.5, 0.8, "between 50% and 80%"),
    "C": (0.8, 0.9, "between 80% and 90%"),
    "D": (0.9, 1.0, "above 90%"),
}
"""Exercise 07.2's choices: letter -> (lowest, highest accuracy, text) for 5-NN on raw pixels."""


@exercise("07", 2, "Predict: kNN on raw pixels")
def check_pixel_knn_prediction(answer: Any, measured_accuracy: float) -> str:
    """``answer``: the letter of :data:`PIXEL_KNN_CHOICES` the student predicted for the 5-NN accuracy on raw
    pixels (``None``: not attempted); ``measured_accuracy``: what the notebook's run measured, in [0, 1]."""
    letters = ", ".join(repr(k) for k in PIXEL_KNN_CHOICES)
    require_answer(answer, "the answer")
    measured = float(assert_finite_result(measured_accuracy, "measured_accuracy", "an accuracy in [0, 1]"))
    if not 0.0 <= measured <= 1.0:
        raise ValueError(f"measured_accuracy must be a fraction in [0, 1] (what the run printed), got {measured}")
    letter = str(answer).strip().upper()
    assert letter in PIXEL_KNN_CHOICES, f"answer with one of the letters {letters}, got {answer!r}"
    low, high, text = PIXEL_KNN_CHOICES[letter]
    right = next(k for k, (lo, hi, _) in PIXEL_KNN_CHOICES.items() if lo <= measured <= hi)
    expect(letter == right,
           f"you chose {letter} ({text}); the run measured {measured:.1%}. Why so high: MNIST digits are centred "
           f"and scaled to the same size, so a 3 shares most of its ink with other 3s, and with 5,000 examples "
           f"almost every test digit has a close twin. Change your answer to the choice that fits the run, "
           f"then re-run this check")
    return f"you chose {letter} ({text}); the run measured {measured:.1%} with plain pixels and no training at all"


# ------------------------------------------------------------------------------------------------ 07.3
TOY_WORDS = ("the", "and", "of", "king", "queen", "crown", "sword")
"""Rows of :data:`TOY_VECTORS`; the first three are the stop words of :func:`check_sentence_vector`."""
TOY_STOP_WORDS = frozenset({"the", "and", "of"})
TOY_VECTORS = np.array([
    [4.0, 4.0, 4.0],     # the
    [3.0, -3.0, 3.0],    # and
    [-2.0, 5.0, 1.0],    # of
    [1.0, 0.0, 0.0],     # king
    [0.0, 1.0, 0.0],     # queen
    [0.0, 0.0, 1.0],     # crown
    [1.0, 1.0, -1.0],    # sword
])


def _mean_of(words: list[str]) -> np.ndarray:
    return TOY_VECTORS[[TOY_WORDS.index(w) for w in words]].mean(axis=0)


@exercise("07", 3, "Sentence vector: mean of content words")
def check_sentence_vector(sentence_vector: Callable) -> str:
    """``sentence_vector(sentence, word_index, vectors, stop_words)`` -> (d,) mean vector of the known content
    words (tokenised with ``emb.tokenize``), ValueError when there is none."""
    index = {w: i for i, w in enumerate(TOY_WORDS)}

    def call(sentence: str, content: list[str]) -> np.ndarray:
        vectors = TOY_VECTORS.copy()
        try:
            out = sentence_vector(sentence, dict(index), vectors, set(TOY_STOP_WORDS))
        except KeyError as err:
            fail(f"for {sentence!r} your code raised KeyError {err}: skip the words that are not in "
                 f"word_index (test `word in word_index`)")
        except ValueError as err:
            fail(f"for {sentence!r} your code raised ValueError ({err}), but it holds the content "
                 f"words {sorted(set(content))}: split it with emb.tokenize (lower case, punctuation "
                 f"dropped) before looking the words up")
        assert np.array_equal(vectors, TOY_VECTORS), "sentence_vector changed the `vectors` array: do not modify it"
        got = assert_finite_result(out, f"sentence_vector({sentence!r})", "a vector of shape (3,)")
        assert got.shape == (3,), (f"sentence_vector({sentence!r}) returned shape {got.shape}, expected (3,): one "
                                   f"vector, the mean over the words (axis=0)")
        return got

    cases = [
        ("The King and the Queen!", ["king", "queen"]),
        ("king, KING; crown.", ["king", "king", "crown"]),
        ("the sword of elsinore", ["sword"]),
    ]
    for sentence, content in cases:
        got, want = call(sentence, content), _mean_of(content)
        if np.allclose(got, want):
            continue
        words = [w for w in (t.strip(".,;!?").lower() for t in sentence.split()) if w in index]
        wrong = {
            "the stop words were averaged in too: skip every word in stop_words": _mean_of(words),
            "that is the sum of the word vectors: divide by how many there are (the mean)":
                _mean_of(content) * len(content),
            "a word that occurs twice must count twice (do not use a set)": _mean_of(sorted(set(content))),
        }
        for hint, value in wrong.items():
            expect(not np.allclose(got, value), f"for {sentence!r}: {hint}")
        fail(f"for {sentence!r} expected the mean of the vectors of {content}, {np.round(want, 3).tolist()}, got "
             f"{np.round(got, 3).tolist()}. Split with emb.tokenize (lower case, punctuation dropped), keep the "
             f"words in word_index and not in stop_words, and average their rows of vectors")

    for sentence in ["The and of the.", "Hamlet in Elsinore", ""]:
        try:
            out = sentence_vector(sentence, dict(index), TOY_VECTORS.copy(), set(TOY_STOP_WORDS))
        except ValueError:
            continue
        except NotImplementedError:
            raise
        except Exception as err:
            fail(f"for {sentence!r} (no known content word) raise ValueError with a message, not "
                 f"{type(err).__name__}: {err}")
        shown = np.round(np.asarray(out, dtype=float), 3).tolist() if out is not None else None
        fail(f"for {sentence!r} there is no known content word, so there is nothing to average: "
             f"raise ValueError(...) saying so (you returned {shown})")
    return "mean of the content words' vectors, repeats counted, stop and unknown words skipped, ValueError if none"
