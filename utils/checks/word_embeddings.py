"""Checks for notebook 06 (word embeddings): predict a pair count, subsampling, skip-gram pairs, negative sampling,
the assembled training set, nearest neighbours by cosine.

Each check builds data of its own, chosen so that the common mistakes give a different answer: one direction of
the pairs only, a word paired with itself, a window one too short, the paper's subsampling rule without its
``+ t/f`` term, the raw unigram instead of ``counts ** 0.75``, a raw dot product or Euclidean distance instead of
cosine similarity. Draws are compared with their expected frequencies within five standard errors, so a right
answer fails with a probability below one in a million.
"""
from __future__ import annotations

from collections import Counter
from typing import Any, Callable

import numpy as np

from utils.checks.asserts import assert_finite_result, expect, fail, require_answer
from utils.checks.core import exercise

PREDICTION_TOKENS = ("o", "romeo", "romeo", "wherefore", "art", "thou", "romeo", "deny", "thy", "father")
"""The 10-token sentence of exercise 06.1 (Juliet, *Romeo and Juliet* II.2), tokenised."""
PREDICTION_WINDOW = 2
"""The window of exercise 06.1."""


def _true_pairs(ids: Any, window: int) -> Counter:
    """Every ordered (target, context) pair at distance 1..window, by the obvious double loop."""
    ids = [int(i) for i in ids]
    return Counter((ids[i], ids[j]) for i in range(len(ids)) for j in range(len(ids)) if 0 < abs(i - j) <= window)


def _as_int_array(value: Any, what: str, expected: str) -> np.ndarray:
    """``value`` as a 1-D int64 array, or an AssertionError naming what came back."""
    expect(value is not None, f"{what} returned None, expected {expected}: did you forget `return`?")
    arr = np.asarray(value)
    expect(arr.dtype != bool,
           f"{what} returned a True/False mask, expected {expected}: use the mask to index "
           f"the ids (ids[mask])")
    whole = arr.dtype.kind in "iu" or (arr.dtype.kind == "f" and np.all(np.isfinite(arr))
                                       and np.all(arr == np.round(arr)))
    expect(whole, f"{what} returned values of type {arr.dtype}, expected {expected}")
    return arr.astype(np.int64)


# ------------------------------------------------------------------------------------------------ 06.1
@exercise("06", 1, "Predict the number of skip-gram pairs")
def check_pair_count_prediction(predicted_pairs: Any) -> str:
    """``predicted_pairs``: how many (target, context) pairs a window of 2 makes from the 10-token sentence."""
    require_answer(predicted_pairs, "predicted_pairs")
    expect(not isinstance(predicted_pairs, bool) and isinstance(predicted_pairs, (int, np.integer, float, np.floating)),
           f"predicted_pairs should be one whole number, got {type(predicted_pairs).__name__} "
           f"{predicted_pairs!r}")
    expect(np.isfinite(predicted_pairs) and float(predicted_pairs).is_integer(),
           f"predicted_pairs should be a whole number of pairs, got {predicted_pairs!r}")
    guess, n, w = int(predicted_pairs), len(PREDICTION_TOKENS), PREDICTION_WINDOW
    truth = sum(_true_pairs(range(n), w).values())
    if guess == truth:
        return (f"{truth} pairs: {2 * w} neighbours for each of the {n - 2 * w} inner words, fewer near the two "
                f"ends, and every pair counted in both directions")
    if guess == 2 * w * n:
        hint = (f"{guess} gives every word {2 * w} neighbours, but the first and last words of the sentence have "
                f"fewer (nothing before the first word)")
    elif guess * 2 == truth or guess == w * n:
        hint = ("that counts each pair of words once, but skip-gram makes a pair in both directions: "
                "(romeo, wherefore) and (wherefore, romeo) are two training examples")
    elif guess == n * (n - 1):
        hint = f"{guess} pairs every word with every other word; the window keeps only those at most {w} apart"
    elif guess < truth:
        hint = "too few: count, for each of the 10 positions, the words at most 2 positions before or after it"
    else:
        hint = "too many: count, for each of the 10 positions, the words at most 2 positions before or after it"
    fail(f"{guess} is not right: {hint}. Write the count for each position on paper and add up")


# ------------------------------------------------------------------------------------------------ 06.2
def _is_subsequence(out: np.ndarray, ids: np.ndarray) -> bool:
    """True if ``out`` is ``ids`` with some entries removed (order kept)."""
    positions = {int(v): np.flatnonzero(ids == v) for v in np.unique(ids)}
    at = -1
    for value in out.tolist():
        where = positions.get(int(value))
        if where is None:
            return False
        k = int(np.searchsorted(where, at, side="right"))
        if k == len(where):
            return False
        at = int(where[k])
    return True


@exercise("06", 2, "Subsample frequent words")
def check_subsample(subsample: Callable) -> str:
    """``subsample(ids, counts, t, rng)`` keeps each token with probability ``min(1, sqrt(t/f) + t/f)``."""
    counts = np.array([0, 100_000, 20_000, 5_000, 500])
    ids = np.repeat(np.arange(len(counts)), counts)
    np.random.default_rng(60).shuffle(ids)
    ids_before = ids.copy()
    t = 0.01

    # 1) t = 1 keeps every token (t/f >= 1 for every word): the output is the input, in order
    out = _as_int_array(subsample(ids[:1000].copy(), counts, 1.0, np.random.default_rng(0)), "subsample",
                        "the kept ids (an int array)")
    if not (out.shape == (1000,) and np.array_equal(out, ids[:1000])):
        if out.shape == (1000,) and np.array_equal(np.sort(out), np.sort(ids[:1000])):
            detail = "all came back but in another order: keep the original order (ids[keep])"
        elif out.size == 0:
            detail = "none came back: keep a token when rng.random() < p_keep (not > p_keep)"
        else:
            detail = (f"{out.size} came back. Is f the word's share counts[id] / counts.sum() (not the raw "
                      f"count), and do you keep a token when rng.random() < p_keep?")
        fail(f"with t = 1 every word has t/f >= 1, so all 1000 tokens must be kept, in their "
             f"original order; {detail}")

    # 2) the kept share of each word matches the rule
    out = _as_int_array(subsample(ids, counts, t, np.random.default_rng(1)), "subsample",
                        "the kept ids (an int array)")
    assert np.array_equal(ids, ids_before), "subsample must not change its input array `ids`"
    assert out.ndim == 1 and out.shape[0] <= ids.shape[0], (
        f"return the kept ids: a 1-D array at most as long as ids ({ids.shape[0]}), got shape {out.shape}")
    assert _is_subsequence(out, ids), ("the kept ids must be the input ids with some removed, in their original "
                                       "order (keep the neighbours of each word its neighbours)")
    f = counts / counts.sum()
    with np.errstate(divide="ignore"):
        want = np.minimum(1.0, np.sqrt(t / f) + t / f)
        paper = np.minimum(1.0, np.sqrt(t / f))
    kept = np.bincount(out, minlength=len(counts)) / np.maximum(counts, 1)
    se = np.sqrt(want * (1 - want) / np.maximum(counts, 1)) + 1e-9
    expect(not kept[4] < 0.99,
           f"the rarest word (share {f[4]:.4f}, t/f > 1) must always be kept, you kept "
           f"{kept[4]:.0%} of it. Keep a token when rng.random() < p_keep (not > p_keep)")
    expect(not np.all(np.abs(kept[1:] - paper[1:]) <= 5 * np.sqrt(paper[1:] * (1 - paper[1:]) / counts[1:]) + 1e-9),
           "your keep probabilities are sqrt(t/f), the formula printed in the paper; the "
           "word2vec code (and this notebook) keeps a token with min(1, sqrt(t/f) + t/f)")
    bad = [i for i in range(1, len(counts)) if abs(kept[i] - want[i]) > 5 * se[i]]
    if bad:
        i = bad[0]
        fail(f"a word with share f = {f[i]:.3f} of the corpus should be kept with probability "
             f"min(1, sqrt(t/f) + t/f) = {want[i]:.3f} for t = {t}; you kept {kept[i]:.3f} of its tokens. "
             f"Is f the share counts[id] / counts.sum() (not the raw count)?")

    # 3) the draws come from rng: same seed, same result; another seed, another result
    again = _as_int_array(subsample(ids, counts, t, np.random.default_rng(1)), "subsample", "the kept ids")
    assert np.array_equal(again, out), ("two calls with np.random.default_rng(1) gave different results: draw "
                                        "the random numbers from the `rng` argument (rng.random(len(ids)))")
    other = _as_int_array(subsample(ids, counts, t, np.random.default_rng(2)), "subsample", "the kept ids")
    assert not np.array_equal(other, out), "another seed gave the same tokens: draw from the `rng` argument"
    return (f"kept {kept[1]:.1%} of the most frequent word (rule: {want[1]:.1%}), every token of the rarest, "
            f"order preserved, reproducible with the rng")


# ------------------------------------------------------------------------------------------------ 06.3
def _two_results(result: Any, function: str, first: str, second: str) -> tuple[Any, Any]:
    """``result`` as the pair ``(first, second)`` a student's function must return, or a clear AssertionError."""
    expect(result is not None,
           f"{function} returned None, expected two arrays ({first}, {second}): "
           f"did you forget `return`?")
    expect(isinstance(result, (tuple, list)) and len(result) == 2,
           f"return two arrays: `return {first}, {second}` (a tuple), got "
           f"{type(result).__name__}")
    return result[0], result[1]


def _pairs_of(result: Any) -> tuple[np.ndarray, np.ndarray]:
    result = _two_results(result, "skipgram_pairs", "targets", "contexts")
    t = _as_int_array(result[0], "skipgram_pairs", "two int arrays (targets, contexts)").ravel()
    c = _as_int_array(result[1], "skipgram_pairs", "two int arrays (targets, contexts)").ravel()
    assert t.shape == c.shape, f"targets and contexts must be equally long, got {t.shape[0]} and {c.shape[0]}"
    return t, c


@exercise("06", 3, "Skip-gram pairs in a window")
def check_skipgram_pairs(skipgram_pairs: Callable) -> str:
    """``skipgram_pairs(ids, window)`` -> ``(targets, contexts)``: every ordered pair at distance 1..window."""
    for n, window in [(10, 2), (12, 3), (4, 1)]:
        ids = np.arange(1, n + 1)            # the id of a token is its position + 1: distances are visible
        t, c = _pairs_of(skipgram_pairs(ids.copy(), window))
        got, want = Counter(zip(t.tolist(), c.tolist())), _true_pairs(ids, window)
        if got == want:
            continue
        dist = [abs(a - b) for a, b in got]
        expect(not any(d == 0 for d in dist), "a word is paired with itself (offset 0): a word is not its own context")
        expect(not any(d > n // 2 and d > window for d in dist),
               f"with {n} tokens you paired the first and last words: pairs must not wrap "
               f"around the ends of the text (np.roll does), slice instead")
        if any(d > window for d in dist):
            fail(f"with window={window} you made pairs {max(dist)} positions apart: the window is the largest "
                 f"distance")
        missing = want - got
        expect(not (missing and all(abs(a - b) == window for a, b in missing)),
               f"pairs exactly {window} positions apart are missing: offsets run from 1 to "
               f"window inclusive, i.e. range(1, window + 1)")
        one_way = all(a < b for a, b in got) or all(a > b for a, b in got)
        expect(not (sum(got.values()) * 2 == sum(want.values()) and one_way),
               "only one direction: each neighbour pair gives two examples, (a, b) with a as "
               "target and (b, a) with b as target")
        fail(f"for {n} tokens and window={window} expected {sum(want.values())} pairs "
             f"(each pair at distance 1..{window}, both directions, once each), got "
             f"{sum(got.values())} with {sum((got - want).values())} unexpected and "
             f"{sum(missing.values())} missing")
    rng = np.random.default_rng(63)
    ids = rng.integers(1, 7, size=60)        # repeated words: every occurrence makes its own pairs
    t, c = _pairs_of(skipgram_pairs(ids.copy(), 3))
    assert Counter(zip(t.tolist(), c.tolist())) == _true_pairs(ids, 3), (
        "with repeated words in the text (60 random ids) the pairs are wrong: make pairs from positions, and "
        "keep every occurrence (do not remove duplicate pairs)")
    t, c = _pairs_of(skipgram_pairs(np.array([4, 5, 6]), 5))
    assert Counter(zip(t.tolist(), c.tolist())) == _true_pairs([4, 5, 6], 5), (
        "a window larger than the text (3 tokens, window 5) should give all 6 ordered pairs")
    return "every ordered pair within the window, both directions, no self-pairs, no wrap-around"


# ------------------------------------------------------------------------------------------------ 06.4
@exercise("06", 4, "Negative sampling")
def check_sample_negatives(sample_negatives: Callable) -> str:
    """``sample_negatives(counts, shape, rng, power=0.75)`` draws ids with probability ∝ counts ** power."""
    counts = np.array([0, 10_000, 1_000, 100, 10, 0, 1])
    shape = (50_000, 4)
    draws = sample_negatives(counts.copy(), shape, np.random.default_rng(4))
    expect(draws is not None,
           "sample_negatives returned None, expected an int array of the given shape: "
           "did you forget `return`?")
    arr = _as_int_array(draws, "sample_negatives", f"an int array of shape {shape}")
    assert arr.shape == shape, f"expected draws of shape {shape}, got {arr.shape}: pass size=shape to rng.choice"
    assert arr.min() >= 0 and arr.max() < len(counts), (
        f"word ids must lie in 0..{len(counts) - 1}, got values from {arr.min()} to {arr.max()}")
    never = sorted(set(np.unique(arr).tolist()) & {0, 5})
    assert not never, (f"drew word id(s) {never}, whose count is 0 (id 0 is padding): a word that never occurs "
                       f"must never be drawn. Are the ids shifted by one?")
    n = arr.size
    freq = np.bincount(arr.ravel(), minlength=len(counts)) / n

    def close(p: np.ndarray, draws: int) -> bool:
        return bool(np.all(np.abs(freq - p) <= 5 * np.sqrt(p * (1 - p) / draws) + 1e-9))

    p_uniform = (counts > 0) / np.sum(counts > 0)
    p_unigram = counts / counts.sum()
    p_want = counts ** 0.75 / np.sum(counts ** 0.75)
    expect(not close(p_uniform, n),
           "every word was drawn equally often: frequent words must be drawn more often, "
           "with probability proportional to counts ** 0.75 (rng.choice(..., p=...))")
    expect(not close(p_unigram, n),
           "the draws follow the raw counts (the unigram distribution): word2vec raises the "
           "counts to the power 0.75 first, so rare words are drawn a little more often")
    if not close(p_want, n):
        worst = int(np.argmax(np.abs(freq - p_want)))
        fail(f"word id {worst} (count {counts[worst]}) should be drawn with probability "
             f"{p_want[worst]:.4f} = counts ** 0.75 / sum(counts ** 0.75), you drew it "
             f"{freq[worst]:.4f} of the time")
    ones = _as_int_array(sample_negatives(counts.copy(), 100_000, np.random.default_rng(5), power=1.0),
                         "sample_negatives", "an int array")
    freq = np.bincount(ones.ravel(), minlength=len(counts)) / ones.size
    assert ones.shape == (100_000,) and close(p_unigram, ones.size), (
        "with power=1.0 the draws should follow the raw counts: use the `power` argument, do not write 0.75 "
        "inside the function")
    again = _as_int_array(sample_negatives(counts.copy(), shape, np.random.default_rng(4)), "sample_negatives",
                          "an int array")
    assert np.array_equal(again, arr), ("two calls with np.random.default_rng(4) gave different draws: draw from "
                                        "the `rng` argument (rng.choice)")
    return "draws follow counts ** 0.75 (and counts ** power), never a word of count 0, reproducible with the rng"


# ------------------------------------------------------------------------------------------------ 06.5
TRAINING_SET_COUNTS = np.array([0, 400, 60, 30, 20, 10, 5])
"""Word counts of the check's toy corpus for 06.5: id 0 is padding; so few words that noise words often equal the
true context, which makes a missing redraw visible."""


def _training_set_of(result: Any, num_ns: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    expect(result is not None,
           "build_training_set returned None, expected (targets, candidates, labels): did you "
           "forget `return`?")
    expect(isinstance(result, (tuple, list)) and len(result) == 3,
           f"return three arrays: `return targets, candidates, labels` (a tuple), got "
           f"{type(result).__name__}" + (f" of length {len(result)}" if isinstance(result, (tuple, list)) else ""))
    targets = _as_int_array(result[0], "build_training_set", "int targets of shape (N,)").ravel()
    candidates = np.asarray(result[1])
    labels = assert_finite_result(result[2], "build_training_set", "labels of shape (N, 1 + num_ns)")
    assert np.asarray(result[2]).dtype == np.float32, (
        f"labels should be float32 (what Keras's loss computes in), got {np.asarray(result[2]).dtype}: "
        f"np.zeros(shape, dtype='float32')")
    n = targets.shape[0]
    assert candidates.shape == (n, 1 + num_ns), (
        f"with {n} targets and num_ns={num_ns}, candidates must have shape ({n}, {1 + num_ns}) (the true context, "
        f"then {num_ns} noise words per row), got {candidates.shape}")
    candidates = _as_int_array(candidates.ravel(), "build_training_set", "int candidates").reshape(n, 1 + num_ns)
    assert labels.shape == (n, 1 + num_ns), (f"labels must have the shape of candidates, ({n}, {1 + num_ns}), "
                                             f"got {labels.shape}")
    return targets, candidates, labels


@exercise("06", 5, "Assemble the training set")
def check_build_training_set(build_training_set: Callable) -> str:
    """``build_training_set(ids, counts, window, num_ns, rng, t)`` -> ``(targets, candidates, labels)``."""
    counts = TRAINING_SET_COUNTS.copy()
    ids = np.random.default_rng(605).choice(np.arange(1, 7), size=300, p=counts[1:] / counts.sum())
    window, num_ns = 2, 3
    targets, candidates, labels = _training_set_of(
        build_training_set(ids.copy(), counts.copy(), window, num_ns, np.random.default_rng(7), t=1.0), num_ns)
    want = _true_pairs(ids, window)
    n_want = sum(want.values())
    assert len(targets) == n_want, (
        f"with t=1.0 subsampling keeps every token, so 300 tokens and window={window} give {n_want} pairs; you "
        f"returned {len(targets)}. Pass the `t` argument on to subsample, and pair what it kept")
    expect(Counter(zip(targets.tolist(), candidates[:, 0].tolist())) == want,
           "column 0 of candidates must hold each target's true context (its skip-gram pair): "
           "the (targets, candidates[:, 0]) pairs are not the skip-gram pairs of the corpus")
    want_labels = np.zeros((n_want, 1 + num_ns))
    want_labels[:, 0] = 1.0
    if not np.array_equal(labels, want_labels):
        expect(not np.array_equal(labels, 1 - want_labels),
               "labels are reversed: 1 marks the true context (column 0), 0 the noise words")
        fail("every labels row must be [1, 0, 0, ...]: 1 for the true context in column 0, 0 for "
             "each noise word")
    noise = candidates[:, 1:]
    assert noise.min() >= 1 and noise.max() <= 6, (
        f"noise words must be ids of real words (1..6 here; id 0 is padding, count 0), got {noise.min()}..{noise.max()}")
    clashes = int(np.sum(noise == candidates[:, :1]))
    assert clashes == 0, (
        f"{clashes} noise words equal their row's true context: those rows teach the model that a real neighbour "
        f"is noise. Redraw them (a mask `negatives == contexts[:, None]`, and a while loop) until none is left")
    freq = np.bincount(noise.ravel(), minlength=7)
    assert freq[2] > freq[6], ("noise words should follow counts ** 0.75 (word 2, count 60, drawn more often than "
                               "word 6, count 5): use your sample_negatives")
    again = build_training_set(ids.copy(), counts.copy(), window, num_ns, np.random.default_rng(7), t=1.0)
    assert np.array_equal(_training_set_of(again, num_ns)[1], candidates), (
        "two calls with np.random.default_rng(7) gave different candidates: draw everything from the `rng` argument")
    t2, c2, _ = _training_set_of(
        build_training_set(ids.copy(), counts.copy(), window, 1, np.random.default_rng(8), t=1e-2), 1)
    share_before = np.mean(ids == 1)
    share_after = np.mean(t2 == 1) if len(t2) else 0.0
    assert len(t2) < 0.8 * n_want and share_after < share_before - 0.1, (
        f"with t=0.01 the most frequent word (76% of this corpus) should mostly be dropped before pairing; you "
        f"returned {len(t2)} pairs of {n_want} and word 1 is {share_after:.0%} of the targets. Subsample first: "
        f"kept = subsample(ids, counts, t, rng)")
    return (f"subsample, then pairs (true context in column 0, labels 1 then 0), {num_ns} noise words per pair "
            f"with no clash left, reproducible with the rng")


# ------------------------------------------------------------------------------------------------ 06.6
def _cos(a: np.ndarray, b: np.ndarray) -> float:
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    return float(a @ b / (np.linalg.norm(a) * np.linalg.norm(b)))


TOY_WORDS = ("cat", "kitten", "dog", "puppy", "car", "truck", "plane")
"""The words of the toy vectors in :func:`check_nearest_neighbours`."""
TOY_VECTORS = np.array([
    [1.0, 0.0, 0.0],    # cat
    [0.3, 0.02, 0.0],   # kitten: short, almost the same direction as cat (cos 0.998)
    [5.0, 3.0, 0.0],    # dog: long (wins a raw dot product), cos 0.857
    [3.0, 3.2, 0.0],    # puppy: cos 0.684 with cat
    [0.0, 10.0, 0.0],   # car: perpendicular to cat
    [0.0, 0.0, 1.0],    # truck: perpendicular, yet second nearest to cat by Euclidean distance
    [-1.0, 0.0, 0.0],   # plane: opposite
])


def _neighbours_of(result: Any, k: int) -> tuple[list[int], np.ndarray]:
    result = _two_results(result, "nearest_neighbours", "indices", "similarities")
    idx = _as_int_array(result[0], "nearest_neighbours", "row indices (ints)").ravel().tolist()
    sims = assert_finite_result(result[1], "nearest_neighbours", "k cosine similarities").ravel()
    assert len(idx) == k and sims.shape == (k,), (f"k={k} asks for {k} indices and {k} similarities, got "
                                                  f"{len(idx)} and {sims.shape[0]}")
    return idx, sims


@exercise("06", 6, "Nearest neighbours by cosine")
def check_nearest_neighbours(nearest_neighbours: Callable) -> str:
    """``nearest_neighbours(query, vectors, k)`` -> ``(indices, similarities)``, most cosine-similar first."""
    vectors = TOY_VECTORS.copy()
    idx, sims = _neighbours_of(nearest_neighbours(np.array([2.0, 0.0, 0.0]), vectors, 4), 4)
    names = [TOY_WORDS[i] for i in idx]
    expect(names[0] != "dog",
           "'dog' came first for the query 'cat': that is a raw dot product, which favours "
           "long vectors. Rank by cosine similarity (divide by both vectors' lengths)")
    expect("truck" not in names[:3],
           "'truck' ranks high for 'cat': that is Euclidean distance. Rank by cosine similarity")
    assert names == ["cat", "kitten", "dog", "puppy"], (
        f"for the query 'cat' expected rows of cat, kitten, dog, puppy (cosine 1.0, 0.998, 0.857, 0.684), most "
        f"similar first, got {names}")
    want = np.array([_cos([1.0, 0.0, 0.0], vectors[i]) for i in idx])
    expect(not np.allclose(sims, 2 * want, atol=1e-6),
           "the similarities are twice the cosines for the query [2, 0, 0]: divide by the "
           "query's length too")
    assert np.allclose(sims, want, atol=1e-6), (
        f"similarities should be the cosines {np.round(want, 3).tolist()}, got {np.round(sims, 3).tolist()}")
    idx, _ = _neighbours_of(nearest_neighbours(vectors[4], vectors, 2), 2)
    assert [TOY_WORDS[i] for i in idx] == ["car", "puppy"], (
        f"for the query 'car' expected car, then puppy (cos 0.73), got {[TOY_WORDS[i] for i in idx]}")
    rng = np.random.default_rng(65)
    many = rng.normal(size=(40, 8)) * rng.uniform(0.1, 10, size=(40, 1))
    q = rng.normal(size=8)
    cos = (many @ q) / (np.linalg.norm(many, axis=1) * np.linalg.norm(q))
    idx, sims = _neighbours_of(nearest_neighbours(q, many, 5), 5)
    assert idx == np.argsort(-cos)[:5].tolist(), (
        f"for 40 random vectors expected rows {np.argsort(-cos)[:5].tolist()}, got {idx}")
    assert np.allclose(sims, cos[idx], atol=1e-6), "the similarities do not match the rows' cosines"
    return "cosine ranking, most similar first, similarities blind to the vectors' lengths"
