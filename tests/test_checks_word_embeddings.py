"""Checks of notebook 06: each passes on a right answer (and on the course's reference), fails on plausible wrong
ones with a hint that names the mistake, and reports a stub as not attempted."""
import numpy as np
import pytest

from utils.checks import word_embeddings as ch
from utils.reference import skipgram as ref


def _stub(*args, **kwargs):
    raise NotImplementedError()


def _unit(m):
    m = np.asarray(m, dtype=float)
    return m / np.linalg.norm(m, axis=-1, keepdims=True)


def test_summary_lists_six_exercises():
    from utils.checks import summary
    assert list(summary("06", verbose=False)) == ["06.1", "06.2", "06.3", "06.4", "06.5", "06.6"]


# ---------------------------------------------------------------- 06.1 predict the pair count
def test_prediction_passes_on_the_count_of_a_double_loop():
    n, w = len(ch.PREDICTION_TOKENS), ch.PREDICTION_WINDOW
    truth = sum(1 for i in range(n) for j in range(n) if 0 < abs(i - j) <= w)
    assert ch.check_pair_count_prediction(truth) is True
    assert ch.check_pair_count_prediction(float(truth)) is True
    assert ch.check_pair_count_prediction(np.int64(truth)) is True


@pytest.mark.parametrize("guess, hint", [
    (40, "first and last words"),          # 2 * window * n: forgets the ends
    (17, "both directions"),               # unordered pairs
    (20, "both directions"),               # window * n
    (90, "every word with every other"),   # all pairs
    (30, "too few"),
    (36, "too many"),
    (34.5, "whole number"),
    ("33", "one whole number"),
    (True, "one whole number"),
    (float("nan"), "whole number"),
], ids=["no-edges", "unordered", "one-side", "all-pairs", "low", "high", "fraction", "str", "bool", "nan"])
def test_prediction_fails_on_wrong_guesses(guess, hint):
    with pytest.raises(AssertionError, match=hint) as info:
        ch.check_pair_count_prediction(guess)
    assert "34" not in str(info.value).replace("34.5", ""), "a wrong guess must not be told the answer"


def test_prediction_none_is_not_attempted():
    with pytest.raises(NotImplementedError, match="06.1"):
        ch.check_pair_count_prediction(None)


# ---------------------------------------------------------------- 06.2 subsampling
def subsample_paper(ids, counts, t, rng):
    f = counts[ids] / counts.sum()
    return ids[rng.random(len(ids)) < np.minimum(1.0, np.sqrt(t / f))]


def subsample_raw_counts(ids, counts, t, rng):
    f = counts[ids].astype(float)
    return ids[rng.random(len(ids)) < np.minimum(1.0, np.sqrt(t / f) + t / f)]


def subsample_inverted(ids, counts, t, rng):
    f = counts[ids] / counts.sum()
    return ids[rng.random(len(ids)) > np.minimum(1.0, np.sqrt(t / f) + t / f)]


def subsample_global_rng(ids, counts, t, rng):
    f = counts[ids] / counts.sum()
    return ids[np.random.random(len(ids)) < np.minimum(1.0, np.sqrt(t / f) + t / f)]


def subsample_mask(ids, counts, t, rng):
    f = counts[ids] / counts.sum()
    return rng.random(len(ids)) < np.minimum(1.0, np.sqrt(t / f) + t / f)


def subsample_sorted(ids, counts, t, rng):
    return np.sort(ref.subsample(ids, counts, t, rng))


def subsample_in_place(ids, counts, t, rng):
    kept = ref.subsample(ids, counts, t, rng)
    ids[: len(kept)] = kept
    return kept


def test_subsample_passes_on_reference_and_a_loop():
    assert ch.check_subsample(ref.subsample) is True

    def loop(ids, counts, t, rng):
        total, out = counts.sum(), []
        for i, r in zip(ids, rng.random(len(ids))):
            f = counts[i] / total
            if r < min(1.0, (t / f) ** 0.5 + t / f):
                out.append(i)
        return out
    assert ch.check_subsample(loop) is True


@pytest.mark.parametrize("wrong, hint", [
    (subsample_paper, "sqrt\\(t/f\\), the formula printed in the paper"),
    (subsample_raw_counts, "share"),
    (subsample_inverted, "not > p_keep"),
    (subsample_global_rng, "rng"),
    (subsample_mask, "mask"),
    (subsample_sorted, "original order"),
    (subsample_in_place, "must not change"),
    (lambda ids, counts, t, rng: ids, "t = 1|kept share|should be kept"),
    (lambda ids, counts, t, rng: None, "returned None"),
], ids=["paper", "raw-counts", "inverted", "global-rng", "mask", "sorted", "in-place", "identity", "none"])
def test_subsample_fails_on_wrong_answers(wrong, hint):
    with pytest.raises(AssertionError, match=hint):
        ch.check_subsample(wrong)


def test_subsample_stub_is_not_attempted():
    with pytest.raises(NotImplementedError, match="06.2"):
        ch.check_subsample(_stub)


# ---------------------------------------------------------------- 06.3 skip-gram pairs
def pairs_loop(ids, window):
    t, c = [], []
    for i in range(len(ids)):
        for j in range(max(0, i - window), min(len(ids), i + window + 1)):
            if j != i:
                t.append(ids[i])
                c.append(ids[j])
    return np.array(t), np.array(c)


def pairs_one_direction(ids, window):
    t = np.concatenate([ids[:-o] for o in range(1, window + 1)])
    c = np.concatenate([ids[o:] for o in range(1, window + 1)])
    return t, c


def pairs_short_window(ids, window):
    return ref.skipgram_pairs(ids, window - 1) if window > 1 else ref.skipgram_pairs(ids[:0], 1)


def pairs_with_self(ids, window):
    t, c = ref.skipgram_pairs(ids, window)
    return np.concatenate([t, ids]), np.concatenate([c, ids])


def pairs_roll(ids, window):
    t = np.concatenate([ids for o in range(1, window + 1) for _ in (0, 1)])
    c = np.concatenate([np.roll(ids, s * o) for o in range(1, window + 1) for s in (1, -1)])
    return t, c


def pairs_unique(ids, window):
    t, c = ref.skipgram_pairs(ids, window)
    both = np.unique(np.stack([t, c], axis=1), axis=0)
    return both[:, 0], both[:, 1]


def pairs_too_wide(ids, window):
    return ref.skipgram_pairs(ids, window + 1)


def test_pairs_pass_on_reference_and_loop():
    assert ch.check_skipgram_pairs(ref.skipgram_pairs) is True
    assert ch.check_skipgram_pairs(pairs_loop) is True
    assert ch.check_skipgram_pairs(lambda ids, w: list(ref.skipgram_pairs(ids, w))) is True


@pytest.mark.parametrize("wrong, hint", [
    (pairs_one_direction, "only one direction"),
    (pairs_short_window, "exactly 2 positions apart are missing"),
    (pairs_with_self, "paired with itself"),
    (pairs_roll, "wrap"),
    (pairs_unique, "repeated words"),
    (pairs_too_wide, "the window is the largest distance"),
    (lambda ids, w: None, "returned None"),
    (lambda ids, w: np.stack(ref.skipgram_pairs(ids, w), axis=1), "return two arrays"),
    (lambda ids, w: (ids, ids[:-1]), "equally long"),
], ids=["one-direction", "short-window", "self", "roll", "unique", "too-wide", "none", "stacked", "lengths"])
def test_pairs_fail_on_wrong_answers(wrong, hint):
    with pytest.raises(AssertionError, match=hint):
        ch.check_skipgram_pairs(wrong)


def test_pairs_stub_is_not_attempted():
    with pytest.raises(NotImplementedError, match="06.3"):
        ch.check_skipgram_pairs(_stub)


def test_reference_pairs_match_the_prediction_sentence():
    t, _ = ref.skipgram_pairs(np.arange(len(ch.PREDICTION_TOKENS)), ch.PREDICTION_WINDOW)
    assert ch.check_pair_count_prediction(len(t)) is True


# ---------------------------------------------------------------- 06.4 negative sampling
def neg_unigram(counts, shape, rng, power=0.75):
    return rng.choice(len(counts), size=shape, p=counts / counts.sum())


def neg_uniform(counts, shape, rng, power=0.75):
    seen = np.flatnonzero(counts)
    return rng.choice(seen, size=shape)


def neg_hardcoded(counts, shape, rng, power=0.75):
    return ref.sample_negatives(counts, shape, rng, 0.75)


def neg_shifted(counts, shape, rng, power=0.75):
    w = counts[1:] ** power
    return rng.choice(len(w), size=shape, p=w / w.sum())


def neg_global_rng(counts, shape, rng, power=0.75):
    w = counts ** power
    return np.random.choice(len(w), size=shape, p=w / w.sum())


def neg_wrong_power(counts, shape, rng, power=0.75):
    return ref.sample_negatives(counts, shape, rng, power / 2)


def test_negatives_pass_on_reference_and_variants():
    assert ch.check_sample_negatives(ref.sample_negatives) is True

    def from_one(counts, shape, rng, power=0.75):      # drawing among ids 1.. and shifting back is right too
        w = counts[1:] ** power
        return rng.choice(len(w), size=shape, p=w / w.sum()) + 1
    assert ch.check_sample_negatives(from_one) is True


@pytest.mark.parametrize("wrong, hint", [
    (neg_unigram, "raw counts"),
    (neg_uniform, "equally often"),
    (neg_hardcoded, "power=1.0"),
    (neg_shifted, "count is 0"),
    (neg_global_rng, "rng"),
    (neg_wrong_power, "should be drawn with probability"),
    (lambda counts, shape, rng, power=0.75: None, "returned None"),
    (lambda counts, shape, rng, power=0.75: ref.sample_negatives(counts, 10, rng, power), "shape"),
], ids=["unigram", "uniform", "hardcoded-power", "shifted", "global-rng", "wrong-power", "none", "shape"])
def test_negatives_fail_on_wrong_answers(wrong, hint):
    with pytest.raises(AssertionError, match=hint):
        ch.check_sample_negatives(wrong)


def test_negatives_unnormalised_fails():
    def unnormalised(counts, shape, rng, power=0.75):
        return rng.choice(len(counts), size=shape, p=counts ** power)
    with pytest.raises(ValueError, match="sum to 1"):
        ch.check_sample_negatives(unnormalised)


def test_negatives_stub_is_not_attempted():
    with pytest.raises(NotImplementedError, match="06.4"):
        ch.check_sample_negatives(_stub)


# ---------------------------------------------------------------- 06.5 the training set
def _set_with(*, redraw=True, subsample=True, t_fixed=None, reverse_labels=False, float64=False, seed=None,
              context_last=False, uniform_noise=False, one_ns=False):
    """The reference's recipe with one deliberate mistake switched on."""
    def build(ids, counts, window, num_ns, rng, t=1e-3):
        rng = np.random.default_rng() if seed == "fresh" else rng   # a new unseeded generator: a mistake
        kept = ref.subsample(ids, counts, t if t_fixed is None else t_fixed, rng) if subsample else ids
        targets, contexts = ref.skipgram_pairs(kept, window)
        k = 1 if one_ns else num_ns
        if uniform_noise:
            negatives = rng.integers(1, len(counts), size=(len(targets), k))
        else:
            negatives = ref.sample_negatives(counts, (len(targets), k), rng)
        clash = negatives == contexts[:, None]
        while redraw and clash.any():
            negatives[clash] = ref.sample_negatives(counts, int(clash.sum()), rng)
            clash = negatives == contexts[:, None]
        parts = [negatives, contexts[:, None]] if context_last else [contexts[:, None], negatives]
        candidates = np.concatenate(parts, axis=1)
        labels = np.zeros(candidates.shape, dtype="float64" if float64 else "float32")
        labels[:, -1 if context_last else 0] = 1.0
        return targets, candidates, (1 - labels if reverse_labels else labels)
    return build


def test_training_set_passes_on_reference_and_a_loop_version():
    assert ch.check_build_training_set(ref.build_training_set) is True
    assert ch.check_build_training_set(_set_with()) is True


@pytest.mark.parametrize("wrong, hint", [
    (_set_with(redraw=False), "equal their row's true context"),
    (_set_with(subsample=False), "Subsample first"),
    (_set_with(t_fixed=1e-3), "Pass the `t` argument"),
    (_set_with(reverse_labels=True), "labels are reversed"),
    (_set_with(float64=True), "float32"),
    (_set_with(context_last=True), "column 0 of candidates"),
    (_set_with(one_ns=True), "shape"),
    (_set_with(seed="fresh"), "different candidates"),
    (lambda *a, **k: None, "returned None"),
    (lambda *a, **k: ref.build_training_set(*a, **k)[:2], "return three arrays"),
], ids=["no-redraw", "no-subsample", "t-ignored", "labels-reversed", "float64", "context-last", "num-ns-ignored",
        "own-rng", "none", "two-results"])
def test_training_set_fails_on_wrong_answers(wrong, hint):
    with pytest.raises(AssertionError, match=hint):
        ch.check_build_training_set(wrong)


def test_training_set_stub_is_not_attempted():
    with pytest.raises(NotImplementedError, match="06.5"):
        ch.check_build_training_set(_stub)


def test_reference_training_set_never_labels_a_true_context_as_noise():
    counts = np.array([0, 50, 3, 2])
    ids = np.random.default_rng(0).choice([1, 2, 3], size=200, p=[50 / 55, 3 / 55, 2 / 55])
    t, c, labels = ref.build_training_set(ids, counts, 2, 4, np.random.default_rng(1), t=1.0)
    assert c.shape == (len(t), 5) and labels.dtype == np.float32 and not np.any(c[:, 1:] == c[:, :1])


# ---------------------------------------------------------------- 06.6 nearest neighbours
def nn_dot(query, vectors, k):
    s = np.asarray(vectors) @ query
    i = np.argsort(-s)[:k]
    return i, s[i]


def nn_euclid(query, vectors, k):
    d = np.linalg.norm(np.asarray(vectors) - query, axis=1)
    i = np.argsort(d)[:k]
    return i, 1 - d[i]


def nn_rows_only(query, vectors, k):
    s = _unit(vectors) @ query
    i = np.argsort(-s)[:k]
    return i, s[i]


def nn_ascending(query, vectors, k):
    i, s = ref.nearest_neighbours(query, vectors, k)
    return i[::-1], s[::-1]


def nn_ignores_k(query, vectors, k):
    return ref.nearest_neighbours(query, vectors, len(vectors))


def nn_indices_only(query, vectors, k):
    return ref.nearest_neighbours(query, vectors, k)[0]


def test_nn_passes_on_reference_and_variants():
    assert ch.check_nearest_neighbours(ref.nearest_neighbours) is True

    def via_lists(query, vectors, k):
        i, s = ref.nearest_neighbours(query, vectors, k)
        return list(i), list(s)
    assert ch.check_nearest_neighbours(via_lists) is True


@pytest.mark.parametrize("wrong, hint", [
    (nn_dot, "raw dot product"),
    (nn_euclid, "Euclidean"),
    (nn_rows_only, "query's length"),
    (nn_ascending, "most similar first"),
    (nn_ignores_k, "k=4 asks for 4"),
    (nn_indices_only, "return two arrays"),
    (lambda q, v, k: None, "returned None"),
    (lambda q, v, k: (np.arange(k), np.full(k, np.nan)), "NaN"),
], ids=["dot", "euclid", "rows-only", "ascending", "ignores-k", "indices-only", "none", "nan"])
def test_nn_fails_on_wrong_answers(wrong, hint):
    with pytest.raises(AssertionError, match=hint):
        ch.check_nearest_neighbours(wrong)


def test_nn_stub_is_not_attempted():
    with pytest.raises(NotImplementedError, match="06.6"):
        ch.check_nearest_neighbours(_stub)


def test_reference_handles_a_zero_row_without_nan():
    idx, sims = ref.nearest_neighbours(np.array([1.0, 0.0]), np.array([[0.0, 0.0], [1.0, 1.0]]), 2)
    assert idx.tolist() == [1, 0] and np.all(np.isfinite(sims))
