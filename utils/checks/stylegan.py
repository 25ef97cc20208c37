"""Checks for notebook 12 (StyleGAN ideas and ethics).

Every check calls the student's function on inputs it builds itself and tests what the result *does*
(shapes, value ranges, invariances, agreement with Keras layers or with the formula evaluated here in NumPy);
none compares against a stored answer. TensorFlow/Keras are imported inside the checks, so importing this
module stays cheap.
"""
from __future__ import annotations

from typing import Any, Callable

import numpy as np

from utils.checks.core import TENSORFLOW_TIME_LIMIT, exercise


def _as_float_array(value: Any, what: str) -> np.ndarray:
    assert value is not None, f"{what} returned None: did you forget `return`?"
    try:
        arr = np.asarray(value, dtype=np.float64)
    except Exception as err:  # a ragged list, a string, ...
        raise AssertionError(f"{what} must return numbers (an array or tensor), got {type(value).__name__}: {err}")
    return arr



@exercise("12", 1, "The truncation trick", time_limit=TENSORFLOW_TIME_LIMIT)
def check_truncate(truncate: Callable[[Any, Any, float], Any]) -> str:
    """``truncate(w, w_avg, psi)``: w_avg + psi (w - w_avg), for w of shape (n, d) and w_avg of shape (d,)."""
    rng = np.random.default_rng(5)
    w = rng.normal(0, 1, (5, 8)).astype("float32")
    w_avg = rng.normal(0, 1, (8,)).astype("float32")
    for psi in (1.0, 0.0, 0.5, 0.7, -0.5):
        got = _as_float_array(truncate(w, w_avg, psi), "truncate")
        assert got.shape == w.shape, f"truncate(w, w_avg, psi) must keep the shape of w {w.shape}, got {got.shape}"
        want = w_avg[None, :] + psi * (w - w_avg[None, :])
        if psi == 1.0:
            assert np.allclose(got, w, atol=1e-5), "with psi = 1 nothing is truncated: the result must equal w"
        if psi == 0.0:
            assert np.allclose(got, np.broadcast_to(w_avg, w.shape), atol=1e-5), (
                "with psi = 0 every code collapses onto the average w_avg")
        assert np.allclose(got, want, atol=1e-5), (
            f"with psi = {psi} expected w_avg + psi * (w - w_avg); the result is off by "
            f"{np.max(np.abs(got - want)):.3g}")
    return "psi = 1 keeps w, psi = 0 gives w_avg, linear in between"


@exercise("12", 2, "Adaptive instance normalisation", time_limit=TENSORFLOW_TIME_LIMIT)
def check_adain(adain: Callable[[Any, Any, Any], Any]) -> str:
    """``adain(x, scale, bias)``: x (n, h, w, c) normalised per image and channel over h, w; then scale * x + bias.

    ``scale`` and ``bias`` have shape (n, c). The check tests the per-(image, channel) mean (= bias) and standard
    deviation (= |scale|) of the result, and that the input's own per-channel mean and spread are removed.
    """
    import tensorflow as tf

    rng = np.random.default_rng(6)
    n, h, w, c = 3, 6, 5, 4
    x = rng.normal(0, 1, (n, h, w, c)) * rng.uniform(0.5, 3, (n, 1, 1, c)) + rng.normal(0, 2, (n, 1, 1, c))
    scale = rng.uniform(0.5, 2.0, (n, c))
    bias = rng.normal(0, 1, (n, c))
    args = [tf.constant(a, dtype=tf.float32) for a in (x, scale, bias)]
    out = _as_float_array(adain(*args), "adain")
    assert out.shape == x.shape, f"adain must keep the shape of x {x.shape}, got {out.shape}"
    mean = out.mean(axis=(1, 2))
    std = out.std(axis=(1, 2))
    assert np.allclose(mean, bias, atol=1e-3), (
        "after AdaIN each (image, channel) map must have mean equal to its bias: normalise over the spatial axes "
        "(1, 2) of EACH image separately (not over the batch), then multiply by scale and add bias")
    assert np.allclose(std, scale, rtol=1e-2, atol=1e-3), (
        "after AdaIN each (image, channel) map must have standard deviation equal to its scale: divide by "
        "sqrt(variance + eps) over axes (1, 2), then multiply by scale")
    shifted = [tf.constant(x * 5.0 + 3.0, dtype=tf.float32), args[1], args[2]]
    out2 = _as_float_array(adain(*shifted), "adain")
    assert np.allclose(out, out2, atol=1e-2), ("the input's own mean and contrast must not matter: adain(5 x + 3) "
                                                "should equal adain(x)")
    return "each (image, channel) map gets mean = bias and std = scale; the input's own statistics are removed"


@exercise("12", 3, "Latent interpolation", time_limit=TENSORFLOW_TIME_LIMIT)
def check_interpolate(interpolate: Callable[[Any, Any, int], Any]) -> str:
    """``interpolate(z0, z1, n)``: n codes evenly spaced on the straight line from z0 to z1, both ends included."""
    rng = np.random.default_rng(7)
    z0, z1 = rng.normal(0, 1, 6).astype("float32"), rng.normal(0, 1, 6).astype("float32")
    for n in (2, 5, 9):
        got = _as_float_array(interpolate(z0, z1, n), "interpolate")
        assert got.shape == (n, 6), f"interpolate(z0, z1, {n}) with z of length 6 must have shape ({n}, 6), got {got.shape}"
        assert np.allclose(got[0], z0, atol=1e-5) and np.allclose(got[-1], z1, atol=1e-5), (
            "the first row must be z0 and the last row z1 (both ends included)")
        steps = np.diff(got, axis=0)
        assert np.allclose(steps, (z1 - z0) / (n - 1), atol=1e-5), (
            "consecutive codes must be evenly spaced on the straight line: z0 + t (z1 - z0) for t = 0, 1/(n-1), ..., 1")
    return "n evenly spaced codes from z0 to z1, ends included"
