"""Reference answers for notebook 01 (the neuron): the step perceptron's output and its training loop.

Notebook 01 calls these only after exercises 01.1 and 01.2, through :func:`utils.checks.use_or_reference`,
when a student's own function has not passed its check yet. The checks of :mod:`utils.checks.the_neuron`
compare a student's training run with :func:`train_perceptron`'s.

Convention (the whole notebook's): the step outputs 1 when ``z = w · x + b >= 0`` and 0 when ``z < 0``.
"""
from __future__ import annotations

import numpy as np

from utils.validation import as_array, check_number, check_positive_int, check_range, check_same_length


def predict(X: np.ndarray, w: np.ndarray, b: float) -> np.ndarray:
    """Step perceptron outputs for the rows of ``X``.

    Args:
        X: inputs, shape (n, d), one per row.
        w: weights, shape (d,).
        b: bias, one number.

    Returns:
        Shape (n,) int64: 1 where ``X @ w + b >= 0``, else 0.
    """
    X = as_array(X, "X", ndim=2, dtype_kind="fiub").astype(np.float64)
    w = as_array(w, "w", shape=(X.shape[1],), dtype_kind="fiu").astype(np.float64)
    return (X @ w + float(b) >= 0).astype(np.int64)


def train_perceptron(X: np.ndarray, y: np.ndarray, lr: float = 1.0,
                     max_epochs: int = 20) -> tuple[np.ndarray, float, list[int]]:
    """Rosenblatt's perceptron learning rule, from ``w = 0``, ``b = 0``.

    Each epoch visits the rows of ``X`` in order; on a mistake (prediction != target) it moves
    ``w += lr * (y_i - y_hat) * x_i`` and ``b += lr * (y_i - y_hat)`` at once, before the next row. Training
    stops after the first epoch without a mistake, or after ``max_epochs`` epochs.

    Args:
        X: inputs, shape (n, d).
        y: targets, shape (n,), each 0 or 1.
        lr: learning rate, a positive number.
        max_epochs: most epochs to run (>= 1).

    Returns:
        ``(w, b, mistakes)``: weights shape (d,) float64, bias float, and the number of mistakes made *during*
        each epoch run (a list of ints; its last entry is 0 when the data were separated).
    """
    X = as_array(X, "X", ndim=2, dtype_kind="fiub").astype(np.float64)
    y = as_array(y, "y", ndim=1, dtype_kind="iub").astype(np.int64)
    check_same_length(X, y, "X", "y")
    check_range(y, "y (targets 0 and 1)", 0, 1)
    lr, max_epochs = check_number(lr, "lr", positive=True), check_positive_int(max_epochs, "max_epochs")
    w, b = np.zeros(X.shape[1]), 0.0
    mistakes: list[int] = []
    for _ in range(max_epochs):
        wrong = 0
        for x_i, y_i in zip(X, y):
            error = int(y_i) - int(x_i @ w + b >= 0)
            if error:
                w = w + lr * error * x_i
                b = b + lr * error
                wrong += 1
        mistakes.append(wrong)
        if wrong == 0:
            break
    return w, float(b), mistakes
