"""Checks for notebook 02 (activations and the feed-forward pass): ReLU's derivative, a stable softmax, a dense layer.

Each check builds its own random inputs and reference values (from the definitions, computed here), so it
tests what the student's function *does*, and fails on the usual mistakes: a derivative that returns the
function itself, a softmax that overflows on large scores or normalises along the wrong axis, a dense layer
that forgets the bias or the activation.
"""
from __future__ import annotations

from typing import Callable

import numpy as np

from utils.checks.core import assert_close, assert_finite_result, exercise


def _as_float_array(value: object, what: str, expected: str = "an array of numbers") -> np.ndarray:
    """The student's result as a float64 array, or an AssertionError naming None / NaN / inf and what was expected."""
    return assert_finite_result(value, what, expected)


@exercise("02", 1, "ReLU derivative")
def check_relu_derivative(relu_derivative: Callable[[np.ndarray], np.ndarray]) -> str:
    """``relu_derivative(z)`` must return dReLU/dz elementwise (1 where z > 0, 0 where z < 0), same shape as z."""
    rng = np.random.default_rng(2)
    z = rng.normal(scale=3.0, size=(7, 5))
    z[np.abs(z) < 1e-3] = 0.5  # stay away from the kink at 0, where the derivative is not defined
    got = _as_float_array(relu_derivative(z.copy()), "relu_derivative(z)", f"an array of 0s and 1s of shape {z.shape}")
    assert got.shape == z.shape, f"relu_derivative(z) must keep the shape of z: got {got.shape} for z of shape {z.shape}"
    h = 1e-6
    relu = lambda v: np.maximum(v, 0.0)  # noqa: E731
    numeric = (relu(z + h) - relu(z - h)) / (2 * h)  # centred finite differences
    worst = float(np.max(np.abs(got - numeric)))
    assert worst < 1e-6, (f"relu_derivative disagrees with finite differences by up to {worst:.3g}; the slope of "
                          f"ReLU is 1 where z > 0 and 0 where z < 0 (not the value of ReLU itself)")
    big = _as_float_array(relu_derivative(np.array([-1e6, 1e6, 3.0, -0.25])), "relu_derivative(large z)",
                          "[0, 1, 1, 0]")
    assert_close(big, [0.0, 1.0, 1.0, 0.0], "relu_derivative([-1e6, 1e6, 3, -0.25])")
    return f"matches finite differences on {z.size} points (max error {worst:.1e})"


@exercise("02", 2, "Numerically stable softmax")
def check_softmax(softmax: Callable[[np.ndarray], np.ndarray]) -> str:
    """``softmax(z)`` over the last axis: a vector of shape (k,) or a batch (n, k); must survive scores like 1000."""
    rng = np.random.default_rng(3)

    def reference(z: np.ndarray) -> np.ndarray:
        e = np.exp(z - z.max(axis=-1, keepdims=True))
        return e / e.sum(axis=-1, keepdims=True)

    vec = rng.normal(size=5)
    got = _as_float_array(softmax(vec.copy()), "softmax of a vector", f"probabilities of shape {vec.shape}")
    assert got.shape == vec.shape, f"softmax of a vector of shape {vec.shape} returned shape {got.shape}"
    assert_close(got, reference(vec), "softmax of a random vector", rtol=1e-6)

    batch = rng.normal(scale=2.0, size=(6, 4))
    got = _as_float_array(softmax(batch.copy()), "softmax of a batch", f"probabilities of shape {batch.shape}")
    assert got.shape == batch.shape, f"softmax of a batch of shape {batch.shape} returned shape {got.shape}"
    sums = got.sum(axis=1)
    assert np.allclose(sums, 1.0), (f"each ROW of a batch must sum to 1 (normalise over the last axis, "
                                    f"keepdims=True); row sums are {np.round(sums, 3)}")
    assert_close(got, reference(batch), "softmax of a batch", rtol=1e-6)

    with np.errstate(all="ignore"):
        large = np.asarray(softmax(np.array([1000.0, 1001.0])), dtype=np.float64)
        huge_batch = np.asarray(softmax(np.array([[1000.0, 1001.0, 999.0], [-1000.0, -1001.0, -999.0]])),
                                dtype=np.float64)
    assert np.all(np.isfinite(large)) and np.all(np.isfinite(huge_batch)), (
        "softmax([1000, 1001]) gave NaN/inf: exp(1000) overflows. Subtract the largest score first "
        "(softmax(z) == softmax(z - max(z))).")
    assert_close(large, [1 / (1 + np.e), np.e / (1 + np.e)], "softmax([1000, 1001])", rtol=1e-6)
    assert_close(huge_batch, reference(np.array([[1000.0, 1001.0, 999.0], [-1000.0, -1001.0, -999.0]])),
                 "softmax of a batch with scores near ±1000", rtol=1e-6)
    return "matches the definition, rows sum to 1, and survives scores of ±1000"


@exercise("02", 3, "Dense layer forward pass")
def check_dense_forward(dense_forward: Callable[..., np.ndarray]) -> str:
    """``dense_forward(X, W, b, activation)`` = ``activation(X @ W + b)`` for X (n, d_in), W (d_in, d_out), b (d_out,)."""
    rng = np.random.default_rng(4)
    n, d_in, d_out = 5, 3, 4
    X = rng.normal(size=(n, d_in))
    W = rng.normal(size=(d_in, d_out))
    b = rng.normal(size=d_out)
    identity = lambda z: z  # noqa: E731
    for act, name in ((identity, "the identity"), (np.tanh, "tanh"), (lambda z: np.maximum(z, 0.0), "ReLU")):
        got = _as_float_array(dense_forward(X.copy(), W.copy(), b.copy(), act), f"dense_forward with {name}",
                              f"an array of shape {(n, d_out)}")
        assert got.shape == (n, d_out), (f"with X of shape {X.shape} and W of shape {W.shape} the output must have "
                                         f"shape {(n, d_out)} (one row per example), got {got.shape}")
        assert_close(got, act(X @ W + b), f"dense_forward output with {name} as activation")
    one = _as_float_array(dense_forward(X[:1], W, b, identity), "dense_forward on a batch of one")
    assert one.shape == (1, d_out), f"a batch of 1 example must give shape (1, {d_out}), got {one.shape}"
    return f"activation(X @ W + b) with the right shape {(n, d_out)} for three activations"
