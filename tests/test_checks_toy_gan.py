"""Checks of notebook 08: each passes on a right answer (and on the course's reference), fails on plausible wrong
ones with a hint that names the mistake, and reports a stub as not attempted."""
import numpy as np
import pytest

from utils.checks import toy_gan as ch
from utils.reference import toy_gan as ref


def _stub(*args, **kwargs):
    raise NotImplementedError()


def test_summary_lists_three_exercises():
    from utils.checks import summary
    assert list(summary("08", verbose=False)) == ["08.1", "08.2", "08.3"]


# ---------------------------------------------------------------- 08.1 count modes
def count_loop(samples, centres, sigma, n_sigma=3.0, min_share=0.01):
    per_mode, good = [0] * len(centres), 0
    for s in samples:
        d = [float(np.hypot(*(s - c))) for c in centres]
        k = int(np.argmin(d))
        if d[k] <= n_sigma * sigma:
            good += 1
            per_mode[k] += 1
    return sum(c >= min_share * len(samples) for c in per_mode), good / len(samples)


def _with(**changes):
    """The reference with one mistake."""
    def fn(samples, centres, sigma, n_sigma=3.0, min_share=0.01):
        samples, centres = np.asarray(samples, float), np.asarray(centres, float)
        dist = np.linalg.norm(samples[:, None] - centres[None], axis=2)
        radius = changes.get("radius", lambda s, n: n * s)(sigma, n_sigma)
        close = dist.min(1) <= radius if not changes.get("no_quality") else np.ones(len(samples), bool)
        per = np.bincount(dist.argmin(1)[close], minlength=len(centres))
        need = changes.get("need", lambda n: min_share * n)(len(samples))
        quality = close.sum() if changes.get("count_not_share") else close.mean()
        k = 8 if changes.get("eight") else len(centres)
        return int((per[:k] >= need).sum()), float(quality)
    return fn


def test_count_modes_passes_on_reference_and_a_loop():
    assert ch.check_count_modes(ref.count_modes) is True
    assert ch.check_count_modes(count_loop) is True


@pytest.mark.parametrize("wrong, hint", [
    (_with(count_not_share=True), "share of the samples"),
    (_with(no_quality=True), "not high quality"),
    (_with(radius=lambda s, n: s ** 2), "not sigma \\*\\* 2"),
    (_with(radius=lambda s, n: 5 * s), "4 sigma"),
    (_with(need=lambda n: 1), "below the 1 %"),
    (lambda s, c, sigma, **k: None, "returned None"),
    (lambda s, c, sigma, **k: 3, "two numbers"),
    (lambda s, c, sigma, **k: (np.ones(8), 1.0), "single numbers"),
], ids=["count", "no-quality", "variance", "wide", "one-sample", "none", "one", "mask"])
def test_count_modes_fails_on_wrong_answers(wrong, hint):
    with pytest.raises(AssertionError, match=hint):
        ch.check_count_modes(wrong)


def test_count_modes_fixed_number_of_modes_fails():
    def eight_fixed(samples, centres, sigma, n_sigma=3.0, min_share=0.01):
        covered, quality = ref.count_modes(samples, centres, sigma)
        return (covered if len(centres) == 8 else 8), quality
    with pytest.raises(AssertionError, match="len\\(centres\\)"):
        ch.check_count_modes(eight_fixed)


def test_count_modes_stub_is_not_attempted():
    with pytest.raises(NotImplementedError, match="08.1"):
        ch.check_count_modes(_stub)


# ---------------------------------------------------------------- 08.2 D* and JSD
def jsd_log2(p, q, a):
    return ref.jsd(p, q, a) / np.log(2)


def jsd_no_area(p, q, a):
    return ref.jsd(p, q, a) / a


def jsd_no_halves(p, q, a):
    return 2 * ref.jsd(p, q, a)


def jsd_kl_only(p, q, a):
    m = (p + q) / 2
    keep = p > 0
    return float(np.sum(p[keep] * np.log(p[keep] / m[keep])) * a)


def jsd_sum_mixture(p, q, a):
    m = p + q
    out = 0.0
    for x in (p, q):
        keep = x > 0
        out += 0.5 * float(np.sum(x[keep] * np.log(x[keep] / m[keep])) * a)
    return out


def d_inverted(p, q):
    return 1 - ref.optimal_discriminator(p, q)


def d_by_pg(p, q):
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(q > 0, p / np.where(q > 0, q, 1), 1.0)


def d_nan_where_empty(p, q):
    with np.errstate(divide="ignore", invalid="ignore"):
        return p / (p + q)


def d_zero_where_empty(p, q):
    out = np.zeros_like(p + q, dtype=float)
    np.divide(p, p + q, out=out, where=(p + q) > 0)
    return out


def test_dstar_and_jsd_pass_on_reference():
    assert ch.check_optimal_discriminator_and_jsd(ref.optimal_discriminator, ref.jsd) is True


@pytest.mark.parametrize("d_fn, jsd_fn, hint", [
    (d_inverted, ref.jsd, "share of the density at x that is real"),
    (d_by_pg, ref.jsd, "not by p_g alone"),
    (d_nan_where_empty, ref.jsd, "NaN"),
    (d_zero_where_empty, ref.jsd, "return 0.5"),
    (ref.optimal_discriminator, jsd_log2, "natural log"),
    (ref.optimal_discriminator, jsd_no_area, "cell_area"),
    (ref.optimal_discriminator, jsd_no_halves, "without the halves"),
    (ref.optimal_discriminator, jsd_kl_only, "only one KL"),
    (ref.optimal_discriminator, jsd_sum_mixture, "not p \\+ q"),
    (ref.optimal_discriminator, lambda p, q, a: None, "None"),
], ids=["inverted", "by-pg", "nan", "zero", "log2", "no-area", "no-halves", "kl-only", "sum-mixture", "none"])
def test_dstar_and_jsd_fail_on_wrong_answers(d_fn, jsd_fn, hint):
    with pytest.raises(AssertionError, match=hint):
        ch.check_optimal_discriminator_and_jsd(d_fn, jsd_fn)


def test_dstar_stub_is_not_attempted():
    with pytest.raises(NotImplementedError, match="08.2"):
        ch.check_optimal_discriminator_and_jsd(_stub, ref.jsd)
    with pytest.raises(NotImplementedError, match="08.2"):
        ch.check_optimal_discriminator_and_jsd(ref.optimal_discriminator, _stub)


# ---------------------------------------------------------------- 08.3 predictions
RIGHT = {"d_star_missed_mode": 1.0, "d_star_covered_mode": 0.2, "value_perfect_generator": -1.386}


def test_predictions_pass():
    assert ch.check_predictions(dict(RIGHT)) is True
    assert ch.check_predictions({**RIGHT, "value_perfect_generator": -np.log(4)}) is True


@pytest.mark.parametrize("change, hint", [
    ({"d_star_missed_mode": 0.0}, "p_g = 0"),
    ({"d_star_covered_mode": 0.5}, "half of its mass"),
    ({"d_star_covered_mode": 0.8}, "share that is \\*real\\*"),
    ({"d_star_covered_mode": 0.125}, "1/8"),
    ({"value_perfect_generator": 0.0}, "disjoint"),
    ({"value_perfect_generator": -np.log(2)}, "log\\(1/2\\)"),
    ({"value_perfect_generator": -2.0}, "-log 4 \\+ 2 JSD"),
    ({"value_perfect_generator": "low"}, "must be a number"),
], ids=["missed", "half", "inverted", "data-share", "disjoint", "one-term", "other", "str"])
def test_predictions_fail_with_hints(change, hint):
    with pytest.raises(AssertionError, match=hint) as info:
        ch.check_predictions({**RIGHT, **change})
    assert "0.2," not in str(info.value) and "1.386" not in str(info.value)


def test_predictions_none_is_not_attempted():
    with pytest.raises(NotImplementedError, match="08.3"):
        ch.check_predictions(None)
    with pytest.raises(NotImplementedError, match="08.3"):
        ch.check_predictions({**RIGHT, "d_star_missed_mode": None})
    with pytest.raises(AssertionError, match="exactly the keys"):
        ch.check_predictions({"d_star": 1.0})
