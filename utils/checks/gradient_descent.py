"""Checks for notebook 03 (losses and gradient descent): binary cross-entropy, momentum descent, the MSE gradient.

Each check computes its references inside the check from the definitions, on random inputs, so it tests
behaviour: a loss without the minus sign, without clipping or with a sum instead of a mean fails; an
optimiser that climbs instead of descends, forgets its velocity or drops the start point fails; a gradient
with a missing factor 2, a wrong sign or a wrong mean fails.
"""
from __future__ import annotations

from typing import Callable

import numpy as np

from utils.checks.core import assert_close, assert_finite_result, exercise


@exercise("03", 1, "Binary cross-entropy")
def check_binary_cross_entropy(binary_cross_entropy: Callable[[np.ndarray, np.ndarray], float]) -> str:
    """``binary_cross_entropy(y, p)``: the MEAN of -[y log p + (1 - y) log(1 - p)], finite even at p = 0 or 1."""
    rng = np.random.default_rng(5)
    y = rng.integers(0, 2, size=50).astype(np.float64)
    p = rng.uniform(0.02, 0.98, size=50)
    got = assert_finite_result(binary_cross_entropy(y.copy(), p.copy()),
                               "binary_cross_entropy(y, p) with p in [0.02, 0.98]", "one positive number (the mean loss)")
    assert got.size == 1, f"the loss must be one number (the mean over examples), got an array of shape {got.shape}"
    expected = -np.mean(y * np.log(p) + (1 - y) * np.log(1 - p))
    assert float(got) > 0, (f"the loss came out negative or zero ({float(got):.4g}, expected {expected:.4f}): did "
                            f"you forget the minus sign in front of the mean?")
    assert_close(got.reshape(()), expected, "binary_cross_entropy on random labels and probabilities", rtol=1e-5)

    with np.errstate(all="ignore"):
        worst = np.asarray(binary_cross_entropy(np.array([1.0, 0.0]), np.array([0.0, 1.0])), dtype=np.float64)
        perfect = np.asarray(binary_cross_entropy(np.array([1.0, 0.0]), np.array([1.0, 0.0])), dtype=np.float64)
    assert np.all(np.isfinite(worst)) and np.all(np.isfinite(perfect)), (
        "the loss is NaN or inf when p is exactly 0 or 1: clip p to [eps, 1 - eps] (e.g. eps = 1e-7) before the log")
    assert float(worst) > 5, (f"a confident wrong answer (y=1, p=0) must cost a lot (about -log(eps)), got "
                              f"{float(worst):.3g}; is eps too large?")
    assert float(perfect) < 1e-3, f"a perfect prediction (y=1, p=1) must cost about 0, got {float(perfect):.3g}"
    return f"matches the formula ({float(expected):.4f}) and stays finite at p = 0 and 1 (worst case {float(worst):.1f})"


@exercise("03", 2, "Gradient descent with momentum")
def check_momentum_descent(momentum_descent: Callable[..., np.ndarray]) -> str:
    """``momentum_descent(grad_fn, x0, lr, steps, beta)`` returns the path, shape (steps + 1, len(x0)), x0 first.

    The update is ``v = beta * v + grad_fn(x)``, ``x = x - lr * v`` with ``v`` starting at zero.
    """
    A = np.array([1.0, 25.0])  # an elongated bowl f(x) = 0.5 * sum(A * x**2), gradient A * x

    def grad_fn(x: np.ndarray) -> np.ndarray:
        return A * x

    def reference(x0: np.ndarray, lr: float, steps: int, beta: float) -> np.ndarray:
        x, v, path = x0.astype(np.float64).copy(), np.zeros_like(x0, dtype=np.float64), [x0.astype(np.float64)]
        for _ in range(steps):
            v = beta * v + grad_fn(x)
            x = x - lr * v
            path.append(x.copy())
        return np.array(path)

    rng = np.random.default_rng(6)
    x0 = rng.uniform(-3, 3, size=2)
    x0_before = x0.copy()
    returned = momentum_descent(grad_fn, x0, 0.02, 5, 0.0)
    assert np.array_equal(x0, x0_before), "your function changed x0 in place: start from a copy, x = x0.copy()"
    path = assert_finite_result(returned, "momentum_descent(grad_fn, x0, lr=0.02, steps=5, beta=0)",
                                "the path, an array of shape (6, 2)")
    assert path.shape == (6, 2), (f"with steps=5 the path must hold the start and 5 updates: shape (6, 2), "
                                  f"got {path.shape}")
    assert_close(path[0], x0, "path[0] (the path must start with x0)")
    assert_close(path, reference(x0, 0.02, 5, 0.0), "the path with beta=0 (plain gradient descent)")
    assert_close(path[1], x0 - 0.02 * grad_fn(x0), "the first step x0 - lr * grad(x0) (descend: minus sign)")

    path = assert_finite_result(momentum_descent(grad_fn, x0, 0.02, 30, 0.8),
                                "momentum_descent(grad_fn, x0, lr=0.02, steps=30, beta=0.8)",
                                "the path, an array of shape (31, 2)")
    assert_close(path, reference(x0, 0.02, 30, 0.8),
                 "the path with beta=0.8 (v = beta * v + grad, then x = x - lr * v, v starting at 0)")
    plain = reference(x0, 0.02, 100, 0.0)
    fast = assert_finite_result(momentum_descent(grad_fn, x0, 0.02, 100, 0.8),
                                "momentum_descent(grad_fn, x0, lr=0.02, steps=100, beta=0.8)",
                                "the path, an array of shape (101, 2)")
    f = lambda x: 0.5 * np.sum(A * x ** 2)  # noqa: E731
    assert f(fast[-1]) < f(plain[-1]), "with momentum the bowl's minimum must be reached faster than without"
    return f"follows v = βv + ∇f, x = x − lr·v; loss after 100 steps {f(fast[-1]):.1e} vs {f(plain[-1]):.1e} without"


@exercise("03", 3, "Gradient of the MSE for linear regression")
def check_mse_gradient(mse_gradient: Callable[..., tuple[np.ndarray, float]]) -> str:
    """``mse_gradient(X, y, w, b)`` returns (dL/dw, dL/db) of L = mean((X @ w + b - y) ** 2)."""
    rng = np.random.default_rng(7)
    n, d = 40, 3
    X = rng.normal(size=(n, d))
    y = rng.normal(size=n)
    w = rng.normal(size=d)
    b = float(rng.normal())
    out = mse_gradient(X.copy(), y.copy(), w.copy(), b)
    assert out is not None, "mse_gradient returned None, expected a pair (grad_w, grad_b): did you forget `return`?"
    assert isinstance(out, tuple) and len(out) == 2, f"return a pair (grad_w, grad_b), got {type(out).__name__}"
    grad_w = assert_finite_result(out[0], "grad_w", f"an array of shape {(d,)}")
    grad_b = assert_finite_result(out[1], "grad_b", "one number")
    assert grad_w.shape == (d,), f"grad_w must have the shape of w, {(d,)}, got {grad_w.shape}"
    assert grad_b.size == 1, f"grad_b must be one number, got shape {grad_b.shape}"

    def loss(w_: np.ndarray, b_: float) -> float:
        return float(np.mean((X @ w_ + b_ - y) ** 2))

    h = 1e-6
    eye = np.eye(d)
    num_w = np.array([(loss(w + h * eye[i], b) - loss(w - h * eye[i], b)) / (2 * h) for i in range(d)])
    num_b = (loss(w, b + h) - loss(w, b - h)) / (2 * h)
    assert_close(grad_w, num_w, "grad_w (compared with finite differences; remember the factor 2 and the mean "
                                "over the n examples)", rtol=1e-5, atol=1e-7)
    assert_close(grad_b.reshape(()), num_b, "grad_b (compared with finite differences)", rtol=1e-5, atol=1e-7)
    return "matches finite differences for w and b"
