"""Checks for notebook 08 (a GAN you can watch): counting covered modes, the optimal discriminator and the
Jensen-Shannon divergence, and a prediction of D* and of the value of the game.

* 08.1 builds point clouds whose answers are known (all on one mode, spread over all modes, a few far-off
  samples, a mode with fewer than 1 % of the samples) and names the usual slips: counting every mode that has
  one sample, forgetting the quality radius, measuring it in variances or in units instead of standard
  deviations, returning a count of samples instead of a share.
* 08.2 tests ``optimal_discriminator`` on hand-picked densities (including both zero) and ``jsd`` on cases
  with a known value: equal densities (0), disjoint ones (log 2) and two overlapping Gaussians on a grid,
  against the reference; log base 2, a missing ``cell_area``, one KL term only and the mixture ``p + q``
  without the halving each get their own hint.
* 08.3 compares three predicted numbers with their derivations.
"""
from __future__ import annotations

from typing import Any, Callable

import numpy as np

from utils.checks.asserts import assert_finite_result, expect, require_answer
from utils.checks.core import exercise

LN2 = float(np.log(2.0))
LN4 = float(np.log(4.0))


def _ring(k: int = 8, radius: float = 2.0) -> np.ndarray:
    angles = 2 * np.pi * np.arange(k) / k
    return radius * np.stack([np.cos(angles), np.sin(angles)], axis=1)


def _two_numbers(result: Any) -> tuple[float, float]:
    expect(result is not None, "count_modes returned None, expected (covered, quality): did you forget `return`?")
    expect(isinstance(result, (tuple, list)) and len(result) == 2,
           f"return two numbers: `return covered, quality` (a tuple), got {type(result).__name__}")
    covered = assert_finite_result(result[0], "count_modes: covered", "a whole number of modes")
    quality = assert_finite_result(result[1], "count_modes: quality", "a share between 0 and 1")
    assert covered.size == 1 and quality.size == 1, (
        f"covered and quality must be single numbers, got shapes {covered.shape} and {quality.shape}: "
        f"sum the covered modes (covered.sum()) and average the quality mask (.mean())")
    return float(covered.reshape(())), float(quality.reshape(()))


# ------------------------------------------------------------------------------------------------ 08.1
@exercise("08", 1, "Count the modes a generator covers")
def check_count_modes(count_modes: Callable) -> str:
    """``count_modes(samples, centres, sigma)`` -> ``(covered, quality)`` with the rules of the notebook."""
    centres = _ring()
    sigma = 0.05
    rng = np.random.default_rng(81)

    # 1) every sample exactly on mode 3: one mode covered, all high quality
    on_one = np.repeat(centres[3:4], 500, axis=0) + 0.01 * rng.standard_normal((500, 2))
    covered, quality = _two_numbers(count_modes(on_one.copy(), centres.copy(), sigma))
    expect(quality != 500,
           "quality should be a share of the samples (between 0 and 1), you returned the "
           "number of high-quality samples: divide by len(samples) (or take .mean())")
    expect(not abs(quality - 1.0) > 1e-9,
           f"500 samples about 0.01 from one centre lie well within 3 sigma = 0.15 of it: quality "
           f"1.0, got {quality:.3g}. Is the radius n_sigma * sigma (a distance, not sigma ** 2), "
           f"and the distance sqrt(dx² + dy²) to the nearest centre?")
    assert covered == 1, (f"500 samples all within 0.05 of one centre cover exactly 1 mode, you counted "
                          f"{covered:g}")

    # 2) samples spread over every mode, 10 % of them far from any centre
    n = 1000
    which = np.arange(n) % 8
    good = centres[which] + 0.02 * rng.standard_normal((n, 2))
    bad = rng.uniform(-0.3, 0.3, size=(n // 10, 2))                      # near the origin: far from every centre
    spread = np.concatenate([good[: n - n // 10], bad])
    covered, quality = _two_numbers(count_modes(spread.copy(), centres.copy(), sigma))
    assert covered == 8, f"900 samples spread evenly over the 8 modes cover all 8, you counted {covered:g}"
    expect(not abs(quality - 1.0) < 1e-9,
           "the 100 samples near the origin are 2 units from every centre, far outside 3 sigma "
           "= 0.15: they are not high quality. Is the distance compared with n_sigma * sigma?")
    assert abs(quality - 0.9) < 1e-9, f"900 of 1000 samples are within 3 sigma of a centre: quality 0.9, got {quality:.3g}"

    # 3) the quality radius is 3 standard deviations: 0.1 from a centre counts, 0.2 does not
    ring_at = lambda r: centres[which[:800]] + r * np.array([[1.0, 0.0]])  # noqa: E731
    covered, quality = _two_numbers(count_modes(ring_at(0.1), centres.copy(), sigma))
    expect(quality != 0.0,
           "samples 0.1 from their centre (2 sigma) must count as high quality; is the radius "
           "n_sigma * sigma = 0.15 (not sigma ** 2 or 3 * sigma ** 2)?")
    assert covered == 8 and abs(quality - 1.0) < 1e-9, (
        f"800 samples 0.1 (2 sigma) from the 8 centres: 8 modes and quality 1.0, got {covered:g} and {quality:.3g}")
    covered, quality = _two_numbers(count_modes(ring_at(0.2), centres.copy(), sigma))
    expect(covered != 8 and not quality > 0,
           "samples 0.2 (4 sigma) from their centre are not high quality, so they cover no "
           "mode: count only samples within n_sigma * sigma (a distance, not a squared one) "
           "of their nearest centre")

    # 4) a mode needs at least 1 % of all samples: 5 of 1000 samples do not cover it
    few = np.concatenate([np.repeat(centres[:1], 995, axis=0), np.repeat(centres[5:6], 5, axis=0)])
    covered, quality = _two_numbers(count_modes(few, centres.copy(), sigma))
    expect(covered != 2,
           "5 samples out of 1000 (0.5 %) sit on mode 5: below the 1 % a mode needs, it is not "
           "covered. Compare each mode's count with min_share * len(samples)")
    assert covered == 1, f"995 samples on mode 0 and 5 on mode 5 cover 1 mode, you counted {covered:g}"

    # 5) the result does not depend on the number of modes or the order of the centres
    five = _ring(5, 3.0)[::-1]
    pts = np.repeat(five[:2], 100, axis=0)
    covered, _ = _two_numbers(count_modes(pts, five.copy(), 0.1))
    assert covered == 2, (f"with 5 centres (radius 3, sigma 0.1) and samples on 2 of them you counted {covered:g}: "
                          f"use len(centres), not 8, and the sigma argument")
    return "covered modes and high-quality share right on five point clouds (3 sigma radius, 1 % per mode)"


# ------------------------------------------------------------------------------------------------ 08.2
def _gauss2d(points: np.ndarray, centre: tuple[float, float], s: float) -> np.ndarray:
    d2 = ((points - np.asarray(centre)) ** 2).sum(axis=1)
    return np.exp(-d2 / (2 * s * s)) / (2 * np.pi * s * s)


def _reference_jsd(p: np.ndarray, q: np.ndarray, area: float) -> float:
    m = (p + q) / 2
    out = 0.0
    for a in (p, q):
        keep = a > 0
        out += 0.5 * float(np.sum(a[keep] * np.log(a[keep] / m[keep])) * area)
    return out


@exercise("08", 2, "Optimal discriminator and Jensen-Shannon divergence")
def check_optimal_discriminator_and_jsd(optimal_discriminator: Callable, jsd: Callable) -> str:
    """``optimal_discriminator(p_data, p_g)`` elementwise; ``jsd(p, q, cell_area)`` in nats on a grid."""
    p_data = np.array([0.6, 0.1, 0.0, 0.3, 2.0, 0.0])
    p_g = np.array([0.2, 0.1, 0.5, 0.0, 6.0, 0.0])
    want = np.array([0.75, 0.5, 0.0, 1.0, 0.25, 0.5])
    got = assert_finite_result(optimal_discriminator(p_data.copy(), p_g.copy()), "optimal_discriminator",
                               "D* at each point, values in [0, 1] (0.5 where both densities are 0)")
    assert got.shape == want.shape, f"optimal_discriminator must work elementwise: shape {want.shape}, got {got.shape}"
    expect(not np.allclose(got[:5], 1 - want[:5]),
           "D* is p_data / (p_data + p_g): the share of the density at x that is real; you "
           "returned p_g / (p_data + p_g)")
    expect(not np.allclose(got[:5], p_data[:5] / np.maximum(p_g[:5], 1e-300)) and got[4] != 2.0 / 6.0,
           "divide by p_data + p_g (all the density at x), not by p_g alone")
    assert np.allclose(got[:5], want[:5]), (f"for p_data = {p_data[:5].tolist()} and p_g = {p_g[:5].tolist()} "
                                            f"D* should be {want[:5].tolist()}, got {np.round(got[:5], 4).tolist()}")
    assert abs(got[5] - 0.5) < 1e-9, (f"where both densities are 0 (no data, no fakes) D* is undefined; return 0.5 "
                                      f"there (got {got[5]:g}): np.divide(..., where=total > 0) with out=0.5")

    # JSD on a grid over [-4, 4]^2
    xs = np.linspace(-4, 4, 161)
    area = float((xs[1] - xs[0]) ** 2)
    xx, yy = np.meshgrid(xs, xs)
    pts = np.stack([xx.ravel(), yy.ravel()], axis=1)
    p = _gauss2d(pts, (-0.5, 0.0), 0.5)
    q = _gauss2d(pts, (0.5, 0.0), 0.5)
    p, q = p / (p.sum() * area), q / (q.sum() * area)

    def call(a: np.ndarray, b: np.ndarray) -> float:
        value = assert_finite_result(jsd(a.copy(), b.copy(), area), "jsd", "one number in nats (0 to log 2)")
        assert value.size == 1, f"jsd must return one number (sum over the whole grid), got shape {value.shape}"
        return float(value.reshape(()))

    same = call(p, p)
    expect(not abs(same + LN2) < 1e-3,
           "the JSD of a density with itself must be 0, you gave -log 2: the mixture is "
           "m = (p + q) / 2 (an average, itself a density), not p + q")
    assert abs(same) < 1e-9, (f"the JSD of a density with itself is 0, got {same:.4g}. Is m = (p + q) / 2, and "
                              f"are terms where p = 0 left out?")
    far = _gauss2d(pts, (-2.5, -2.5), 0.2)
    near = _gauss2d(pts, (2.5, 2.5), 0.2)
    far, near = far / (far.sum() * area), near / (near.sum() * area)
    disjoint = call(far, near)
    expect(not abs(disjoint - 1.0) < 1e-3,
           "two densities that never overlap should give log 2 = 0.693 nats, you gave 1: use "
           "the natural log (np.log), not log base 2")
    expect(not abs(disjoint - LN2 / area) < 1e-3 * LN2 / area,
           "multiply the sum by cell_area: a density times the area of a grid cell is the "
           "probability of that cell")
    expect(not abs(disjoint - 2 * LN2) < 1e-3,
           "JSD = ½ KL(p‖m) + ½ KL(q‖m): you added the two KL terms without the halves")
    expect(not abs(disjoint) < 1e-3 and not abs(disjoint + 2 * LN2) < 1e-2,
           "the mixture is m = (p + q) / 2 (an average, itself a density), not p + q")
    assert abs(disjoint - LN2) < 1e-3, (f"two densities that never overlap should give log 2 = {LN2:.4f}, got "
                                        f"{disjoint:.4f}")
    asym = _gauss2d(pts, (0.0, 0.0), 1.0)
    asym = asym / (asym.sum() * area)
    want_pq = _reference_jsd(p, asym, area)
    got_pq = call(p, asym)
    kl_p = float(np.sum(p * np.log(p / ((p + asym) / 2))) * area)
    kl_q = float(np.sum(asym * np.log(asym / ((p + asym) / 2))) * area)
    expect(not min(abs(got_pq - kl_p), abs(got_pq - kl_q)) < 1e-6,
           "only one KL term was used: the JSD averages both, ½ KL(p‖m) + ½ KL(q‖m)")
    assert abs(got_pq - want_pq) < 1e-6, (f"a narrow and a wide Gaussian (sigma 0.5 and 1, same centre): JSD = "
                                          f"{want_pq:.4f} nats, got {got_pq:.4f}")
    assert abs(call(asym, p) - got_pq) < 1e-9, "the JSD is symmetric: jsd(p, q) must equal jsd(q, p)"
    overlap = call(p, q)
    assert abs(overlap - _reference_jsd(p, q, area)) < 1e-6, (
        f"two Gaussians 1 apart (sigma 0.5): JSD = {_reference_jsd(p, q, area):.4f} nats, got {overlap:.4f}")
    return f"D* right (0.5 where both are 0); JSD 0 for equal, log 2 for disjoint, {overlap:.4f} for an overlap"


# ------------------------------------------------------------------------------------------------ 08.3
PREDICTION_KEYS = ("d_star_missed_mode", "d_star_covered_mode", "value_perfect_generator")
"""The three numbers exercise 08.3 asks for."""


@exercise("08", 3, "Predict D* and the value of the game")
def check_predictions(predictions: Any) -> str:
    """``predictions``: dict with D* on a missed mode, D* on a covered mode (generator on 2 of 8 modes, mass
    split evenly) and max_D V when p_g = p_data."""
    require_answer(predictions, "predictions")
    expect(isinstance(predictions, dict) and set(predictions) == set(PREDICTION_KEYS),
           f"predictions must be a dict with exactly the keys {list(PREDICTION_KEYS)}")
    if any(v is None for v in predictions.values()):
        raise NotImplementedError("some predictions are still None")
    vals = {}
    for key in PREDICTION_KEYS:
        value = predictions[key]
        is_number = not isinstance(value, bool) and isinstance(value, (int, float, np.integer, np.floating))
        expect(is_number and np.isfinite(value), f"{key} must be a number, got {value!r}")
        vals[key] = float(value)
    problems = []
    missed, covered, value = (vals[k] for k in PREDICTION_KEYS)
    if abs(missed - 1.0) > 0.01:
        problems.append(f"d_star_missed_mode = {missed:g}: on a mode the generator never visits p_g = 0; what is "
                        f"p_data / (p_data + 0)?")
    if abs(covered - 0.2) > 0.01:
        if abs(covered - 0.5) <= 0.01:
            hint = ("0.5 would need p_g = p_data there; but the generator puts half of its mass on each of its "
                    "2 modes, while the data puts only 1/8 on each")
        elif abs(covered - 0.8) <= 0.01:
            hint = "that is p_g / (p_data + p_g): D* is the share that is *real*"
        else:
            hint = "compare the data's share of one mode (1/8) with the generator's (1/2), then use D* = p_data / (p_data + p_g)"
        problems.append(f"d_star_covered_mode = {covered:g}: {hint}")
    if abs(value + LN4) > 0.01:
        if abs(value) <= 0.01:
            hint = "0 is the value for disjoint supports (JSD = log 2); with p_g = p_data the JSD is 0"
        elif abs(value - 0.5) <= 0.01 or abs(value - LN2) <= 0.01 or abs(value + LN2) <= 0.01:
            hint = "put D* = 1/2 into both log terms of V: log(1/2) + log(1 - 1/2)"
        else:
            hint = "max_D V = -log 4 + 2 JSD, and the JSD of a density with itself is 0"
        problems.append(f"value_perfect_generator = {value:g}: {hint}")
    expect(not problems, "; ".join(problems))
    return "D* = 1 on a missed mode, 0.2 on an over-covered one, and max_D V = -log 4 ≈ -1.386 at the optimum"
