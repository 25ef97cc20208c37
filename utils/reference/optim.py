"""Reference implementations for notebook 03 (losses and gradient descent), and the optimisers it compares.

The exercises' references (:func:`binary_cross_entropy` for 03.1, :func:`sgd_momentum` for 03.2,
:func:`mse_gradient` for 03.3) are used by the notebook only *after* their exercise, through
:func:`utils.checks.use_or_reference`. The path optimisers (:func:`gradient_descent`, :func:`momentum`,
:func:`rmsprop`, :func:`adam`) run full-batch on a function of a few weights and return every point they
visit, so that a notebook can draw the paths on a contour plot and the loss against the step.

Conventions: weights are float64 vectors of shape (d,); ``grad_fn(w)`` returns the gradient, shape (d,);
a *path* has shape (steps + 1, d) and starts with a copy of the start point, which is never modified.
"""
from __future__ import annotations

from typing import Callable

import numpy as np

GradFn = Callable[[np.ndarray], np.ndarray]
BatchLossGrad = Callable[[np.ndarray, np.ndarray, np.ndarray], "tuple[float, np.ndarray]"]


def binary_cross_entropy(y: np.ndarray, p: np.ndarray, eps: float = 1e-7) -> float:
    """Mean binary cross-entropy -mean(y log p + (1 - y) log(1 - p)), with p clipped to [eps, 1 - eps].

    Args:
        y: labels in {0, 1}, shape (n,).
        p: predicted probabilities of class 1, shape (n,).
        eps: clipping margin, so that p = 0 or 1 costs about -log(eps) instead of inf.

    Returns:
        The mean loss in nats, a float >= 0.
    """
    p = np.clip(np.asarray(p, dtype=np.float64), eps, 1.0 - eps)
    y = np.asarray(y, dtype=np.float64)
    return float(-np.mean(y * np.log(p) + (1.0 - y) * np.log(1.0 - p)))


def mse_gradient(X: np.ndarray, y: np.ndarray, w: np.ndarray, b: float) -> tuple[np.ndarray, float]:
    """Gradient of L = mean((X @ w + b - y) ** 2) for linear regression.

    Args:
        X: inputs, shape (n, d). y: targets, shape (n,). w: weights, shape (d,). b: bias.

    Returns:
        ``(dL/dw, dL/db)``: shape (d,) and a float.
    """
    r = X @ w + b - y
    return 2.0 * X.T @ r / len(y), float(2.0 * np.mean(r))


def sgd_momentum(grad_fn: BatchLossGrad, w0: np.ndarray, X: np.ndarray, y: np.ndarray, lr: float, epochs: int,
                 batch_size: int = 32, beta: float = 0.9, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Mini-batch stochastic gradient descent with momentum.

    Every epoch draws a fresh random order of the n examples and cuts it into batches of ``batch_size`` (the
    last one smaller if ``batch_size`` does not divide n). For each batch: ``loss, g = grad_fn(w, X[idx],
    y[idx])``, then ``v = beta * v + g`` and ``w = w - lr * v``, with ``v`` starting at zero.

    Args:
        grad_fn: ``grad_fn(w, X_batch, y_batch) -> (loss on the batch, gradient of shape (d,))``.
        w0: start weights, shape (d,); not modified.
        X: inputs, shape (n, ...). y: targets, shape (n, ...).
        lr: learning rate (> 0). epochs: passes over the data. batch_size: examples per update (n: full batch).
        beta: momentum in [0, 1); 0 is plain mini-batch SGD.
        seed: seeds the shuffling.

    Returns:
        ``(path, losses)``: the weights before and after every update, shape (steps + 1, d), ``w0`` first; and
        the batch loss of every update (at the weights before it), shape (steps,), where
        steps = epochs * ceil(n / batch_size).
    """
    rng = np.random.default_rng(seed)
    n = len(X)
    w = np.array(w0, dtype=np.float64)
    v = np.zeros_like(w)
    path, losses = [w.copy()], []
    for _ in range(epochs):
        order = rng.permutation(n)
        for start in range(0, n, batch_size):
            idx = order[start:start + batch_size]
            loss, g = grad_fn(w, X[idx], y[idx])
            v = beta * v + g
            w = w - lr * v
            path.append(w.copy())
            losses.append(float(loss))
    return np.array(path), np.array(losses)


def _follow(x0: np.ndarray | float, steps: int, update: Callable[[np.ndarray, int], np.ndarray]) -> np.ndarray:
    """The path of ``x <- update(x, t)`` for t = 1..steps from a float64 copy of ``x0``: (steps + 1,) + x0's shape,
    ``x0`` first. ``update`` keeps its optimiser's state (velocity, moving averages) in its closure."""
    x = np.array(x0, dtype=np.float64)
    path = [x.copy()]
    for t in range(1, steps + 1):
        x = update(x, t)
        path.append(x.copy())
    return np.array(path)


def gradient_descent(grad_fn: GradFn, x0: np.ndarray | float, lr: float, steps: int) -> np.ndarray:
    """Plain full-batch gradient descent x <- x - lr * grad_fn(x).

    Returns:
        The path, shape (steps + 1,) + shape of ``x0``, ``x0`` first.
    """
    return _follow(x0, steps, lambda x, t: x - lr * grad_fn(x))


def momentum(grad_fn: GradFn, x0: np.ndarray, lr: float, steps: int, beta: float = 0.9) -> np.ndarray:
    """Full-batch gradient descent with (heavy-ball) momentum: v <- beta v + g, x <- x - lr v, v starting at 0.

    Returns:
        The path, shape (steps + 1, d), ``x0`` first.
    """
    v = np.zeros(np.shape(x0))

    def update(x: np.ndarray, t: int) -> np.ndarray:
        nonlocal v
        v = beta * v + grad_fn(x)
        return x - lr * v

    return _follow(x0, steps, update)


def rmsprop(grad_fn: GradFn, x0: np.ndarray, lr: float, steps: int, rho: float = 0.9,
            eps: float = 1e-8) -> np.ndarray:
    """RMSProp: s <- rho s + (1 - rho) g**2, x <- x - lr g / (sqrt(s) + eps), s starting at 0 (per coordinate).

    Returns:
        The path, shape (steps + 1, d), ``x0`` first.
    """
    s = np.zeros(np.shape(x0))

    def update(x: np.ndarray, t: int) -> np.ndarray:
        nonlocal s
        g = grad_fn(x)
        s = rho * s + (1.0 - rho) * g ** 2
        return x - lr * g / (np.sqrt(s) + eps)

    return _follow(x0, steps, update)


def adam(grad_fn: GradFn, x0: np.ndarray, lr: float, steps: int, beta1: float = 0.9, beta2: float = 0.999,
         eps: float = 1e-8) -> np.ndarray:
    """Adam: moving averages m of g and s of g**2, bias-corrected, then x <- x - lr m_hat / (sqrt(s_hat) + eps).

    m <- beta1 m + (1 - beta1) g; s <- beta2 s + (1 - beta2) g**2; m_hat = m / (1 - beta1**t);
    s_hat = s / (1 - beta2**t), at step t = 1, 2, ...; m and s start at 0.

    Returns:
        The path, shape (steps + 1, d), ``x0`` first.
    """
    m = s = np.zeros(np.shape(x0))

    def update(x: np.ndarray, t: int) -> np.ndarray:
        nonlocal m, s
        g = grad_fn(x)
        m = beta1 * m + (1.0 - beta1) * g
        s = beta2 * s + (1.0 - beta2) * g ** 2
        m_hat, s_hat = m / (1.0 - beta1 ** t), s / (1.0 - beta2 ** t)
        return x - lr * m_hat / (np.sqrt(s_hat) + eps)

    return _follow(x0, steps, update)
