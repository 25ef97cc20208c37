"""What a check calls to judge a student's answer: fail with a hint, expect a condition, read a result or a guess.

Every check in ``utils.checks`` says "wrong answer" the same way, through :func:`fail` or :func:`expect` (an
``AssertionError`` carrying the hint, which :func:`utils.checks.core.exercise` records and prints). The other
helpers turn what a student handed in into numbers first, and fail with a precise hint when that is impossible:
:func:`assert_finite_result` (None, text, NaN, inf), :func:`predicted_number` (a predict-before-you-run answer),
:func:`assert_close` (arrays compared with a tolerance) and :func:`require_answer` (an answer still ``None``).
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, NoReturn

if TYPE_CHECKING:
    import numpy as np


def fail(hint: str) -> NoReturn:
    """The student's answer is wrong: raise ``AssertionError(hint)`` (the check's line prints ``hint``)."""
    raise AssertionError(hint) from None


def expect(condition: Any, hint: str) -> None:
    """:func:`fail` with ``hint`` unless ``condition`` is true."""
    if not condition:
        fail(hint)


def require_answer(value: Any, name: str) -> None:
    """An answer the student writes into a variable is still ``None`` (the stub): the exercise is not attempted.

    Raises:
        NotImplementedError: ``value`` is None (the check reports "not attempted").
    """
    if value is None:
        raise NotImplementedError(f"{name} is still None")


def assert_finite_result(value: Any, what: str, expected: str = "an array of numbers") -> np.ndarray:
    """``value`` (a student's return value) as a float64 array, or an AssertionError saying what came back.

    Catches the results that would otherwise make a later hint blame the wrong thing: ``None`` (a forgotten
    ``return``), something that is not numbers, NaN (0/0, log of a negative number, inf - inf) and ±inf (log(0), a
    division by zero, an overflowing exp).

    Args:
        value: what the student's function returned.
        what: how to name it at the start of the message, e.g. ``"binary_cross_entropy(y, p)"``.
        expected: what it should have been, e.g. ``"one positive number (the mean loss)"``.

    Returns:
        ``np.asarray(value, dtype=np.float64)``, any shape, every entry finite.
    """
    import numpy as np

    expect(value is not None, f"{what}: your function returned None, expected {expected}. Did you forget `return`?")
    try:
        arr = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        shown = repr(value)
        fail(f"{what}: your function returned {type(value).__name__} "
             f"{shown if len(shown) <= 60 else shown[:57] + '...'}, expected {expected}")
    if np.any(np.isnan(arr)):
        where = "NaN" if arr.ndim == 0 else f"NaN in {int(np.sum(np.isnan(arr)))} of {arr.size} entries"
        fail(f"{what}: your function returned {where} (not a number), expected {expected}. Look for log(0) or 0/0, "
             f"the log or square root of a negative number, or inf - inf")
    if np.any(np.isinf(arr)):
        where = "inf" if arr.ndim == 0 else f"inf in {int(np.sum(np.isinf(arr)))} of {arr.size} entries"
        fail(f"{what}: your function returned {where}, expected {expected}. Look for log(0), a division by zero or "
             f"exp of a large number")
    return arr


def predicted_number(value: Any, name: str, what: str = "one number") -> float:
    """A student's written prediction (a predict-before-you-run exercise) as a finite float.

    Args:
        value: what the student set, e.g. ``predicted_ratio``; ``None`` (the stub's value) means not attempted.
        name: the variable's name, for the messages.
        what: what it should be, e.g. ``"one number (a fraction such as 0.5)"``.

    Raises:
        NotImplementedError: ``value`` is still None (the check reports "not attempted").
        AssertionError: ``value`` is not one real number (a string, a bool, a list) or is not finite.
    """
    import numpy as np

    require_answer(value, name)
    expect(not isinstance(value, bool) and isinstance(value, (int, float, np.integer, np.floating)),
           f"{name} should be {what}, got {type(value).__name__} {value!r}")
    guess = float(value)
    expect(np.isfinite(guess), f"{name} should be a finite number, got {value!r}")
    return guess


def assert_close(actual: Any, expected: Any, what: str, *, rtol: float = 1e-6, atol: float = 1e-8) -> None:
    """Raise AssertionError with a readable hint unless ``actual`` ≈ ``expected`` (shapes must match too).

    ``actual`` being None, NaN or inf gets a message saying so (not "has shape ()" or "is off by up to nan").
    """
    import numpy as np

    e = np.asarray(expected, dtype=np.float64)
    a = assert_finite_result(actual, what, f"values like {e.ravel()[:3]} (shape {e.shape})")
    expect(a.shape == e.shape, f"{what} has shape {a.shape}, expected {e.shape}")
    if not np.allclose(a, e, rtol=rtol, atol=atol):
        fail(f"{what} is off by up to {float(np.max(np.abs(a - e))):.3g} (expected e.g. {e.ravel()[:3]}, "
             f"got {a.ravel()[:3]})")
