"""Gradient checking: finite-difference gradients, the relative error, and a comparison table.

The recipe (CS231n, Karpathy's *makemore* lectures): compute the gradients of a scalar loss analytically (your
backprop), compute them again by centred finite differences, and compare the two per parameter::

    from utils import gradcheck
    numeric = gradcheck.numerical_gradient(lambda p: loss_of(p), params)      # params: {"W1": ..., "b1": ...}
    worst = gradcheck.compare_gradients(analytic_grads, numeric)              # prints a table
    assert worst < 1e-6

Use float64 everywhere: in float32 the round-off of a finite difference alone is around 1e-3 relative.
Nothing here keeps state; TensorFlow is not needed.
"""
from __future__ import annotations

from typing import Callable, Mapping

import numpy as np

from utils.validation import as_array

RELATIVE_ERROR_FLOOR = 1e-8
"""Denominator floor of :func:`relative_error`, so that two (near-)zero gradients do not divide by zero."""


def _arrays(params: Mapping[str, np.ndarray], name: str) -> dict[str, np.ndarray]:
    """``{parameter name: array}`` with each value checked to be a numeric NumPy array (``name`` is for messages)."""
    return {key: as_array(value, f"{name}[{key!r}]", dtype_kind="fiu") for key, value in params.items()}


def numerical_gradient(f: Callable[[dict[str, np.ndarray]], float], params: Mapping[str, np.ndarray],
                       eps: float = 1e-6) -> dict[str, np.ndarray]:
    """Gradient of a scalar function of several arrays, by centred finite differences.

    For every entry ``p`` of every array, ``(f(p + eps) - f(p - eps)) / (2 * eps)``. That costs two calls of
    ``f`` per entry, so keep the problem small (a few hundred parameters at most).

    Args:
        f: takes a dict shaped like ``params`` and returns a scalar (a Python or NumPy number, or a 0-d / size-1
            array). ``f`` must read the parameters from the dict it is given, not from variables it closes over.
        params: ``{name: array}``; float or int arrays of any shape. They are copied to float64 and never
            modified.
        eps: step size, a positive float; 1e-6 to 1e-5 suits float64 (much smaller steps drown in round-off).

    Returns:
        ``{name: gradient}``: float64 arrays with the same names and shapes as ``params``.

    Raises:
        TypeError: a parameter is not a numeric array. ValueError: ``f`` does not return one finite number.
    """
    eps = float(eps)
    work = {k: np.array(v, dtype=np.float64, copy=True) for k, v in _arrays(params, "params").items()}

    def evaluate() -> float:
        value = np.asarray(f(work), dtype=np.float64)
        if value.size != 1 or not np.isfinite(value).all():
            raise ValueError(f"f must return a single finite number (the loss) at the given parameters, "
                             f"got {'an array of shape ' + str(value.shape) if value.size != 1 else value}")
        return float(value.reshape(()))

    grads: dict[str, np.ndarray] = {}
    for key, arr in work.items():
        grad = np.zeros_like(arr)
        flat, gflat = arr.reshape(-1), grad.reshape(-1)  # views: editing flat edits work[key]
        for i in range(flat.size):
            old = flat[i]
            flat[i] = old + eps
            f_plus = evaluate()
            flat[i] = old - eps
            f_minus = evaluate()
            flat[i] = old
            gflat[i] = (f_plus - f_minus) / (2.0 * eps)
        grads[key] = grad
    return grads


def relative_error(a: np.ndarray, b: np.ndarray, *, what: str = "a and b") -> float:
    """The CS231n relative error ``max_i |a_i - b_i| / max(1e-8, |a_i| + |b_i|)`` of two same-shaped arrays.

    A value in [0, 1] (0 = identical, 1 = e.g. opposite signs). Rules of thumb in float64 with smooth functions
    (the ones notebook 04 and its checks use): below 1e-6 is right (a right gradient usually gives 1e-8 or less),
    1e-6 to 1e-3 deserves a closer look, above 1e-2 is a bug.

    Raises:
        ValueError: if the shapes differ (the message names ``what``, e.g. ``"gradient 'W1'"``) or a value is
            NaN/infinite.
    """
    a = as_array(a, "a", dtype_kind="fiu").astype(np.float64)
    b = as_array(b, "b", dtype_kind="fiu").astype(np.float64)
    if a.shape != b.shape:  # broadcasting would otherwise compare the wrong entries, silently
        raise ValueError(f"{what} must have the same shape, got {a.shape} and {b.shape}")
    if a.size == 0:
        return 0.0
    return float(np.max(np.abs(a - b) / np.maximum(RELATIVE_ERROR_FLOOR, np.abs(a) + np.abs(b))))


def compare_gradients(analytic: Mapping[str, np.ndarray], numeric: Mapping[str, np.ndarray], *,
                      rtol: float = 1e-5, atol: float = 1e-8) -> float:
    """Print one row per parameter comparing two sets of gradients; return the worst relative error.

    Columns: name, shape, exact match? (bit-for-bit equal), approx match? (``np.allclose`` with ``rtol``,
    ``atol``), max abs diff and :func:`relative_error`. Rows follow the order of ``analytic``.

    Args:
        analytic: ``{name: gradient}`` from your backprop (or TensorFlow, converted with ``.numpy()``).
        numeric: ``{name: gradient}`` with exactly the same names and shapes (e.g. :func:`numerical_gradient`).

    Returns:
        The largest relative error over all parameters (a float in [0, 1]).

    Raises:
        KeyError: a name of ``analytic`` is missing from ``numeric``. ValueError: a shape differs.
    """
    a, n = _arrays(analytic, "analytic"), _arrays(numeric, "numeric")
    rows = []
    for key in a:
        ga, gn = a[key].astype(np.float64), n[key].astype(np.float64)
        rel = relative_error(ga, gn, what=f"gradient {key!r} in analytic and numeric")
        max_diff = float(np.max(np.abs(ga - gn))) if ga.size else 0.0
        rows.append((key, ga.shape, bool(np.array_equal(ga, gn)), bool(np.allclose(ga, gn, rtol=rtol, atol=atol)),
                     max_diff, rel))
    width = max(8, *(len(k) for k in a))
    print(f"{'name':<{width}} | {'shape':<10} | exact | approx | max abs diff | rel. error")
    print("-" * (width + 58))
    for key, shape, exact, approx, max_diff, rel in rows:
        print(f"{key:<{width}} | {str(shape):<10} | {str(exact):<5} | {str(approx):<6} | {max_diff:12.3e} | "
              f"{rel:.3e}")
    return max((row[-1] for row in rows), default=0.0)
