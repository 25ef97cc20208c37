"""Checks for notebook 04 (backpropagation): a sigmoid's backward pass, a dense layer's backward pass, one SGD step.

Each check draws random inputs, computes the reference gradients *numerically* inside the check with
:func:`utils.gradcheck.numerical_gradient` (never a stored answer), and compares the student's result with
:func:`utils.gradcheck.relative_error`. Shapes are chosen non-square so a transposed gradient fails on its shape,
and a square case is tried too so a transposed gradient of the right shape fails on its values.
"""
from __future__ import annotations

from typing import Callable

import numpy as np

from utils.checks.core import exercise

REL_TOL = 1e-6
"""Largest relative error (float64, centred differences) accepted between a student's and the numerical gradient."""


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-z))


def _as_float_array(value: object, what: str, shape: tuple[int, ...]) -> np.ndarray:
    """The student's return value as a float64 array of the expected shape, or an AssertionError with a hint."""
    assert value is not None, f"{what} is None: did you forget `return`?"
    try:
        arr = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise AssertionError(f"{what} must be a NumPy array of numbers, got {type(value).__name__}") from exc
    assert arr.shape == shape, (f"{what} has shape {arr.shape}, expected {shape} (a gradient always has the shape "
                                f"of the thing it is the gradient of; a transposed product or a missing sum over "
                                f"the batch changes the shape)")
    assert np.all(np.isfinite(arr)), f"{what} contains NaN or infinite values"
    return arr


def _close(got: np.ndarray, want: np.ndarray, what: str, hint: str) -> float:
    from utils.gradcheck import relative_error

    err = relative_error(got, want)
    assert err < REL_TOL, f"{what} differs from the numerical gradient (relative error {err:.2g}); {hint}"
    return err


@exercise("04", 1, "Backward pass of the sigmoid")
def check_sigmoid_backward(sigmoid_backward: Callable[[np.ndarray, np.ndarray], np.ndarray]) -> str:
    """``sigmoid_backward(dout, cache) -> dz`` where ``cache`` is the forward output ``s = σ(z)``.

    Reference: the numerical gradient of ``L(z) = sum(dout * σ(z))``, whose gradient is exactly ``dz``.
    """
    from utils.gradcheck import numerical_gradient

    rng = np.random.default_rng(404)
    worst = 0.0
    for shape in [(5,), (4, 3), (2, 3, 2)]:
        z = rng.normal(scale=2.0, size=shape)
        dout = rng.normal(size=shape)
        s = _sigmoid(z)
        got = _as_float_array(sigmoid_backward(dout.copy(), s.copy()), f"sigmoid_backward(dout, cache) for shape "
                              f"{shape}", shape)
        want = numerical_gradient(lambda p: float(np.sum(dout * _sigmoid(p["z"]))), {"z": z})["z"]
        worst = max(worst, _close(got, want, "dz", "the local derivative of σ is s * (1 - s), where s = cache, "
                                  "and it multiplies the upstream gradient dout element by element"))
    return f"matches the numerical gradient on 3 random shapes (worst relative error {worst:.1e})"


@exercise("04", 2, "Backward pass of a dense layer")
def check_dense_backward(dense_backward: Callable[[np.ndarray, np.ndarray, np.ndarray],
                                                  tuple[np.ndarray, np.ndarray, np.ndarray]]) -> str:
    """``dense_backward(dout, X, W) -> (dX, dW, db)`` for ``out = X @ W + b``.

    Reference: numerical gradients of ``L = sum(dout * (X @ W + b))`` with respect to X, W and b.
    """
    from utils.gradcheck import numerical_gradient

    rng = np.random.default_rng(4042)
    worst = 0.0
    for n, d, h in [(5, 3, 4), (4, 4, 4), (1, 2, 3)]:
        X, W, b = rng.normal(size=(n, d)), rng.normal(size=(d, h)), rng.normal(size=h)
        dout = rng.normal(size=(n, h))
        result = dense_backward(dout.copy(), X.copy(), W.copy())
        assert isinstance(result, (tuple, list)) and len(result) == 3, (
            f"dense_backward must return a tuple (dX, dW, db), got {type(result).__name__}"
            + (f" of length {len(result)}" if isinstance(result, (tuple, list)) else ""))
        dX = _as_float_array(result[0], f"dX (n={n}, d={d}, h={h})", (n, d))
        dW = _as_float_array(result[1], f"dW (n={n}, d={d}, h={h})", (d, h))
        db = _as_float_array(result[2], f"db (n={n}, d={d}, h={h})", (h,))
        num = numerical_gradient(lambda p: float(np.sum(dout * (p["X"] @ p["W"] + p["b"]))), {"X": X, "W": W, "b": b})
        worst = max(worst,
                    _close(dX, num["X"], "dX", "dX = dout @ W.T (each input feeds every output through W)"),
                    _close(dW, num["W"], "dW", "dW = X.T @ dout (sum over the batch of input × upstream gradient)"),
                    _close(db, num["b"], "db", "db = dout.sum(axis=0) (b is shared by every row of the batch)"))
    return f"dX, dW, db match numerical gradients for 3 layer sizes (worst relative error {worst:.1e})"


@exercise("04", 3, "One step of gradient descent")
def check_sgd_step(sgd_step: Callable[[dict[str, np.ndarray], dict[str, np.ndarray], float],
                                      dict[str, np.ndarray]]) -> str:
    """``sgd_step(params, grads, lr) -> new_params``: returns ``{k: params[k] - lr * grads[k]}``, inputs untouched.

    Behaviour tested on a random quadratic bowl whose gradient is computed numerically: the step must move
    against the gradient by ``lr`` times it, lower the loss, and leave the given dicts unchanged.
    """
    from utils.gradcheck import numerical_gradient

    rng = np.random.default_rng(4043)
    targets = {"W": rng.normal(size=(3, 2)), "b": rng.normal(size=2)}

    def loss(p: dict[str, np.ndarray]) -> float:
        return float(sum(np.sum((p[k] - targets[k]) ** 2) for k in targets))

    params = {"W": rng.normal(size=(3, 2)), "b": rng.normal(size=2)}
    grads = numerical_gradient(loss, params)
    before = {k: v.copy() for k, v in params.items()}
    grads_before = {k: v.copy() for k, v in grads.items()}
    lr = 0.1
    new = sgd_step(params, grads, lr)
    assert isinstance(new, dict), f"sgd_step must return a dict of updated parameters, got {type(new).__name__}"
    assert set(new) == set(params), f"sgd_step returned keys {sorted(new)}, expected {sorted(params)}"
    for k in params:
        assert np.array_equal(params[k], before[k]) and np.array_equal(grads[k], grads_before[k]), (
            "sgd_step changed its inputs in place; build and return a new dict instead (e.g. a dict comprehension)")
        got = _as_float_array(new[k], f"new_params[{k!r}]", params[k].shape)
        step = got - params[k]
        assert np.allclose(step, -lr * grads[k], rtol=1e-9, atol=1e-12), (
            f"the step for {k!r} should be -lr * grad; got a step that is "
            + ("in the direction of the gradient (uphill): use minus" if np.sum(step * grads[k]) > 0
               else "not -lr * grad (did you forget lr, or use the wrong gradient?)"))
    l0, l1 = loss(params), loss(new)
    assert l1 < l0, f"one step did not lower the loss ({l0:.4f} -> {l1:.4f})"
    return f"one step with lr={lr} lowered a quadratic loss from {l0:.3f} to {l1:.3f}; inputs left unchanged"
