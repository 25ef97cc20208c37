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


def _check_param_dict(params: object, name: str) -> dict[str, np.ndarray]:
    """Validate a ``{name: float array}`` mapping and return it with each value as a NumPy array."""
    if not isinstance(params, Mapping):
        raise TypeError(f"{name} must be a dict mapping parameter names to NumPy arrays, got {type(params).__name__}")
    if not params:
        raise ValueError(f"{name} is empty: give at least one parameter, e.g. {{'W': np.zeros((2, 3))}}")
    out: dict[str, np.ndarray] = {}
    for key, value in params.items():
        if not isinstance(key, str):
            raise TypeError(f"{name} keys must be parameter names (str), got {key!r}")
        out[key] = as_array(value, f"{name}[{key!r}]", dtype_kind="fiu")
    return out


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
        TypeError / ValueError: if ``params`` is not a non-empty dict of numeric arrays, ``eps`` is not a positive
            number, or ``f`` does not return one finite number.
    """
    arrays = _check_param_dict(params, "params")
    if not callable(f):
        raise TypeError(f"f must be a function taking a dict of parameters and returning a number, got {f!r}")
    if isinstance(eps, bool) or not isinstance(eps, (int, float, np.floating)) or not eps > 0:
        raise ValueError(f"eps must be a positive number (e.g. 1e-6), got {eps!r}")
    eps = float(eps)
    work = {k: np.array(v, dtype=np.float64, copy=True) for k, v in arrays.items()}

    def evaluate() -> float:
        value = np.asarray(f(work), dtype=np.float64)
        if value.size != 1:
            raise ValueError(f"f must return a single number (the loss), got an array of shape {value.shape}")
        out = float(value.reshape(()))
        if not np.isfinite(out):
            raise ValueError(f"f returned {out}; the loss must be finite at the given parameters")
        return out

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


def relative_error(a: np.ndarray, b: np.ndarray) -> float:
    """The CS231n relative error ``max_i |a_i - b_i| / max(1e-8, |a_i| + |b_i|)`` of two same-shaped arrays.

    A value in [0, 1] (0 = identical, 1 = e.g. opposite signs). Rules of thumb in float64 with smooth functions
    (the ones notebook 04 and its checks use): below 1e-6 is right (a right gradient usually gives 1e-8 or less),
    1e-6 to 1e-3 deserves a closer look, above 1e-2 is a bug.

    Raises:
        ValueError: if the shapes differ or a value is NaN/infinite.
    """
    a = as_array(a, "a", dtype_kind="fiu").astype(np.float64)
    b = as_array(b, "b", dtype_kind="fiu").astype(np.float64)
    if a.shape != b.shape:
        raise ValueError(f"a and b must have the same shape, got {a.shape} and {b.shape}")
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
        ValueError: if the names differ (the message lists missing and extra names) or a shape differs.
    """
    a = _check_param_dict(analytic, "analytic")
    n = _check_param_dict(numeric, "numeric")
    if set(a) != set(n):
        missing, extra = sorted(set(a) - set(n)), sorted(set(n) - set(a))
        raise ValueError(f"analytic and numeric must name the same parameters: missing from numeric {missing}, "
                         f"only in numeric {extra}")
    for key in a:
        if a[key].shape != n[key].shape:
            raise ValueError(f"gradient {key!r} has shape {a[key].shape} in analytic but {n[key].shape} in numeric")
    width = max(8, *(len(k) for k in a))
    print(f"{'name':<{width}} | {'shape':<10} | exact | approx | max abs diff | rel. error")
    print("-" * (width + 58))
    worst = 0.0
    for key in a:
        ga, gn = a[key].astype(np.float64), n[key].astype(np.float64)
        exact = bool(np.array_equal(ga, gn))
        approx = bool(np.allclose(ga, gn, rtol=rtol, atol=atol))
        max_diff = float(np.max(np.abs(ga - gn))) if ga.size else 0.0
        rel = relative_error(ga, gn)
        worst = max(worst, rel)
        print(f"{key:<{width}} | {str(ga.shape):<10} | {str(exact):<5} | {str(approx):<6} | {max_diff:12.3e} | "
              f"{rel:.3e}")
    return worst
