"""Argument checks that speak to a student: which argument, what was expected, what came.

The student-facing functions of ``utils`` (plots, checks, scorer, data loaders, the vector memory) check their
inputs with these helpers where a wrong shape, dtype or range would otherwise give a silently wrong result or
fail deep inside a library. Internal parameters are not checked. Seeds use ``check_positive_int(seed, "seed",
minimum=0)``.
"""
from __future__ import annotations

from typing import Iterable, Mapping, Sequence, TypeVar

import numpy as np

T = TypeVar("T")


def as_array(value: object, name: str, *, ndim: int | Sequence[int] | None = None,
             shape: Sequence[int | None] | None = None, dtype_kind: str | None = None,
             allow_nan: bool = False) -> np.ndarray:
    """Convert ``value`` to a NumPy array and check it.

    Args:
        value: anything ``np.asarray`` accepts (lists, NumPy arrays, TensorFlow tensors).
        name: the argument's name, used in the error message.
        ndim: required number of dimensions (an int, or a sequence of allowed ints).
        shape: required shape; ``None`` entries match any size (e.g. ``(None, 2)`` for n points in 2-D).
        dtype_kind: allowed NumPy dtype kinds, e.g. ``"fiu"`` for float/int/unsigned, ``"b"`` for bool.
        allow_nan: whether NaN or infinite values are acceptable.

    Returns:
        The value as an ``np.ndarray`` (not copied when it already is one).

    Raises:
        TypeError: if the array's dtype is not of an allowed kind (e.g. text, complex or object values).
        ValueError: on a wrong number of dimensions, a wrong shape, or NaN/inf values (and NumPy's own
            ValueError for a ragged list).
    """
    arr = np.asarray(value)  # a ragged list fails here with NumPy's own ValueError
    if dtype_kind is not None and arr.dtype.kind not in dtype_kind:
        raise TypeError(f"{name} must have dtype kind in {dtype_kind!r} (f=float, i=int, u=unsigned, b=bool), "
                        f"got dtype {arr.dtype}")
    problem = _shape_problem(arr, ndim, shape)
    if problem is None and not allow_nan and arr.dtype.kind in "fc" and arr.size and not np.all(np.isfinite(arr)):
        problem = "contains NaN or infinite values; check the computation that produced it"
    if problem is not None:
        raise ValueError(f"{name} {problem}")
    return arr


def _shape_problem(arr: np.ndarray, ndim: int | Sequence[int] | None,
                   shape: Sequence[int | None] | None) -> str | None:
    """What is wrong with ``arr``'s number of dimensions or shape (see :func:`as_array`), or None."""
    if ndim is not None:
        allowed = (ndim,) if isinstance(ndim, int) else tuple(ndim)
        if arr.ndim not in allowed:
            return (f"must have {' or '.join(map(str, allowed))} dimension(s), "
                    f"got shape {arr.shape} ({arr.ndim} dimension(s))")
    if shape is not None:
        want = tuple(shape)
        if arr.ndim != len(want) or any(w is not None and w != g for w, g in zip(want, arr.shape)):
            pretty = "(" + ", ".join("any" if w is None else str(w) for w in want) + (",)" if len(want) == 1 else ")")
            return f"must have shape {pretty}, got {arr.shape}"
    return None


def check_range(arr: np.ndarray, name: str, low: float, high: float) -> None:
    """Raise ValueError unless every value of ``arr`` lies in ``[low, high]``."""
    if arr.size == 0:
        return
    lo, hi = float(np.min(arr)), float(np.max(arr))
    if lo < low or hi > high:
        raise ValueError(f"{name} must lie in [{low}, {high}], got values from {lo:.4g} to {hi:.4g}")


def check_positive_int(value: object, name: str, *, minimum: int = 1) -> int:
    """Return ``value`` if it is an int at least ``minimum``, else raise a ValueError naming ``name``."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value!r}")
    return int(value)


def check_number(value: object, name: str, *, positive: bool = False) -> float:
    """Return ``value`` as a float if it is a finite real number >= 0 (> 0 with ``positive``), else raise a
    ValueError naming ``name`` (a noise level, a spread, a learning rate). ``True``/``False`` are refused."""
    if (isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating))
            or not np.isfinite(value) or value < 0 or (positive and value == 0)):
        raise ValueError(f"{name} must be a {'positive' if positive else 'non-negative'} number, got {value!r}")
    return float(value)


def check_choice(value: T, name: str, choices: Iterable[T]) -> T:
    """Return ``value`` if it is one of ``choices``, else raise a ValueError naming ``name`` and the choices."""
    allowed = list(choices)
    if value not in allowed:
        raise ValueError(f"{name} must be one of {', '.join(repr(c) for c in allowed)}, got {value!r}")
    return value


def check_same_length(a: np.ndarray, b: np.ndarray, name_a: str, name_b: str) -> None:
    """Raise ValueError if ``a`` and ``b`` do not have the same first dimension."""
    if len(a) != len(b):
        raise ValueError(f"{name_a} and {name_b} must have the same number of rows, got {len(a)} and {len(b)}")


def check_non_empty(arr: np.ndarray, name: str, item: str = "row") -> None:
    """Raise ValueError if ``arr`` has no entries along its first axis (e.g. ``X`` of shape (0, 2))."""
    if arr.ndim == 0 or len(arr) == 0:
        raise ValueError(f"{name} is empty (shape {arr.shape}); it needs at least one {item}")


def check_interval(value: object, name: str) -> tuple[float, float]:
    """Return ``value`` as ``(low, high)`` floats if it is a pair of finite numbers with ``low < high``.

    Raises:
        TypeError: if ``value`` is not a pair of numbers (a scalar, a string, non-numeric entries).
        ValueError: if it has other than 2 entries, an entry is NaN or infinite, or ``low >= high``.
    """
    want = f"{name} must be a pair (low, high) of numbers with low < high, e.g. (0, 1)"
    low = high = np.nan
    is_sequence = not isinstance(value, (str, bytes)) and hasattr(value, "__len__") and hasattr(value, "__getitem__")
    try:
        if is_sequence and len(value) == 2:
            low, high = float(value[0]), float(value[1])  # type: ignore[index]
    except (TypeError, ValueError):
        is_sequence = False
    if not is_sequence:
        raise TypeError(f"{want}; got {type(value).__name__} {value!r}")
    if not (np.isfinite(low) and np.isfinite(high)) or not low < high:  # also a wrong number of entries
        raise ValueError(f"{want}; got {value!r}")
    return low, high


def check_sequence(value: object, name: str, *, length: int, per: str) -> None:
    """Raise unless ``value`` is a list, tuple or 1-D array with exactly ``length`` entries, one per ``per``
    (a singular noun, e.g. ``"image"``).

    Raises:
        TypeError: for a scalar, a string, a mapping or a set (e.g. ``labels=5`` instead of a list of labels).
        ValueError: for a multi-dimensional array or a wrong number of entries.
    """
    if (isinstance(value, (str, bytes, Mapping)) or not hasattr(value, "__len__")
            or not hasattr(value, "__getitem__")):
        raise TypeError(f"{name} must be a sequence (list, tuple or 1-D array) with one entry per {per}, "
                        f"e.g. a list of {length}; got {type(value).__name__} {value!r:.80}")
    if isinstance(value, np.ndarray) and value.ndim != 1:
        problem = f"{name} must be 1-D with one entry per {per}, got shape {value.shape}"
    elif len(value) != length:
        problem = f"{name} has {len(value)} entries for {length} {per}s"
    else:
        return
    raise ValueError(problem)
