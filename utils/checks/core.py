"""The machinery behind every exercise check: one printed line per check, and a per-notebook summary.

A check is an ordinary function that tests the *behaviour* of a student's code (never a stored copy of the
answer) and either returns a short success message or raises ``AssertionError`` with a hint. Decorating it
with :func:`exercise` gives it the course's behaviour:

* pass: prints ``✅ 01.1 Perceptron learns AND — passed: <message>`` and records "passed";
* wrong answer: records "failed", prints ``❌ … <hint>`` and raises ``AssertionError`` (the cell shows red);
* ``raise NotImplementedError()`` still in the student's code: records "not attempted" and raises
  ``NotImplementedError`` with a message saying what to do;
* any other exception from the student's code: records "failed" and re-raises it unchanged;
* a check that runs longer than its time limit (a loop that never ends): records "failed", prints ``❌ …
  did not finish within 30 s: …`` and raises :class:`CheckTimeoutError`;
* the student interrupts a check (Jupyter's stop button, Ctrl+C): records "failed" ("interrupted"), prints a
  ``❌`` line and re-raises ``KeyboardInterrupt``. A check is recorded as "failed" *before* it starts, so an
  interrupt can never leave an earlier "passed" standing.

Time limits. Each check runs under a watchdog thread that, after ``time_limit`` seconds, calls
:func:`_thread.interrupt_main` (works on Windows, macOS and Linux alike). Defaults: :data:`DEFAULT_TIME_LIMIT`
for NumPy checks, :data:`TENSORFLOW_TIME_LIMIT` for checks that import TensorFlow, or a per-exercise
``@exercise(..., time_limit=...)``. The environment variable ``NNCOURSE_CHECK_TIME_LIMIT`` (seconds, or
``off``) overrides every limit, e.g. on a very slow laptop. Limitations: the interrupt is only noticed while the
main thread runs Python bytecode, which covers ``while True: pass``; a hang inside one long C call (e.g.
``time.sleep(1e9)`` on some platforms, one huge NumPy operation) may not be interrupted until that call
returns; student code that swallows ``KeyboardInterrupt`` (a bare ``except:`` in the loop) is not stopped; and
a check called outside the main thread runs without a time limit.

Results go into :data:`RESULTS`, an explicit, documented record of this kernel's check results, which
:func:`summary` reads at the end of each notebook. Restarting the kernel clears it.
"""
from __future__ import annotations

import _thread
import functools
import math
import os
import re
import signal
import threading
import time
from dataclasses import dataclass, field
from types import TracebackType
from typing import TYPE_CHECKING, Any, Callable, TypeVar

from utils.conventions import ICON_OF_STATUS, RESULT_FIELDS, Status, count_statuses

if TYPE_CHECKING:
    import numpy as np

T = TypeVar("T")

DEFAULT_TIME_LIMIT = 30.0
"""Seconds a check may run by default. NumPy checks take milliseconds; 30 s leaves room for a very slow laptop."""

TENSORFLOW_TIME_LIMIT = 60.0
"""Seconds for checks that import TensorFlow/Keras: a cold import plus the check took 5.6 s on a busy 2-core
machine (measured for 09.1); 10 times that, rounded up."""

TIME_LIMIT_ENV_VAR = "NNCOURSE_CHECK_TIME_LIMIT"
"""Environment variable overriding every check's time limit: seconds (``120``), or ``off`` for no limit."""

INTERRUPTED_MESSAGE = "interrupted before it finished: run the check again"
"""What :data:`RESULTS` holds for a check that was interrupted (or is still running)."""


class CheckTimeoutError(TimeoutError):
    """A check ran longer than its time limit (most likely the student's code loops forever)."""


@dataclass(frozen=True)
class Exercise:
    """One exercise: the notebook it belongs to (``"01"``), its number within it (``1``) and a title."""

    notebook: str
    number: int
    title: str

    @property
    def label(self) -> str:
        """Human label, e.g. ``"01.2"``."""
        return f"{self.notebook}.{self.number}"


@dataclass
class CheckResults:
    """What the checks run in this kernel found: ``{(notebook, number): (status, message)}``."""

    results: dict[tuple[str, int], tuple[Status, str]] = field(default_factory=dict)

    def record(self, ex: Exercise, status: Status, message: str) -> None:
        self.results[(ex.notebook, ex.number)] = (status, message)

    def status_of(self, ex: Exercise) -> tuple[Status, str] | None:
        return self.results.get((ex.notebook, ex.number))

    def clear(self) -> None:
        self.results.clear()


RESULTS = CheckResults()
"""This kernel's check results (module-level on purpose, so :func:`summary` can list them)."""

EXERCISES: dict[str, list[Exercise]] = {}
"""Catalogue of every exercise, by notebook number, filled in as the check modules are imported."""


def time_limit_in_effect(declared: float | None) -> float | None:
    """The time limit (seconds) a check runs under: ``NNCOURSE_CHECK_TIME_LIMIT`` if set, else ``declared``.

    Returns ``None`` for no limit. The environment is read on every call (no cached state).
    """
    raw = os.environ.get(TIME_LIMIT_ENV_VAR, "").strip()
    if not raw:
        return declared
    if raw.lower() in {"off", "none", "0"}:
        return None
    try:
        value = float(raw)
    except ValueError:
        value = math.nan
    if not (math.isfinite(value) and value > 0):
        raise ValueError(f"{TIME_LIMIT_ENV_VAR}={raw!r} is not understood: give the time limit for one check in "
                         f"seconds (e.g. {TIME_LIMIT_ENV_VAR}=120), or 'off' for no limit")
    return value


class _Watchdog:
    """Raise ``KeyboardInterrupt`` in the main thread after ``limit`` seconds, unless the ``with`` block ends first.

    :attr:`fired` tells a ``KeyboardInterrupt`` sent by the watchdog from one sent by the student. On leaving the
    block the watchdog is cancelled; if it fired just as the block ended, its pending interrupt is absorbed
    here so that it cannot surface later in unrelated code. ``limit=None`` or a call outside the main thread
    (where ``interrupt_main`` would hit the wrong thread) disables the watchdog.
    """

    def __init__(self, limit: float | None) -> None:
        self.fired = threading.Event()
        self._lock = threading.Lock()
        self._cancelled = False
        self._saved_handler: Any = None
        active = limit is not None and threading.current_thread() is threading.main_thread()
        self._timer = threading.Timer(limit, self._fire) if active else None  # type: ignore[arg-type]
        if self._timer is not None:
            self._timer.daemon = True

    def _fire(self) -> None:
        with self._lock:
            if self._cancelled:
                return
            self.fired.set()
            _thread.interrupt_main()

    def __enter__(self) -> "_Watchdog":
        if self._timer is not None:
            # interrupt_main() does nothing while SIGINT is ignored or left to the OS (a process started in the
            # background by a non-interactive shell inherits SIGINT ignored): make it raise KeyboardInterrupt
            # for the duration of the check, and put the old disposition back afterwards.
            self._saved_handler = signal.getsignal(signal.SIGINT)
            if not callable(self._saved_handler):
                signal.signal(signal.SIGINT, signal.default_int_handler)
            self._timer.start()
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        if self._timer is None:
            return
        with self._lock:
            self._cancelled = True
        self._timer.cancel()
        if self.fired.is_set() and not (exc_type is not None and issubclass(exc_type, KeyboardInterrupt)):
            _absorb_pending_interrupt()
        if not callable(self._saved_handler) and self._saved_handler is not None:
            signal.signal(signal.SIGINT, self._saved_handler)


def _absorb_pending_interrupt(wait: float = 1.0) -> None:
    """Wait up to ``wait`` seconds for an already requested ``KeyboardInterrupt`` and swallow it."""
    deadline = time.monotonic() + wait
    try:
        while time.monotonic() < deadline:
            time.sleep(0.005)
    except KeyboardInterrupt:
        pass


def _validate_time_limit(time_limit: float | None) -> None:
    ok = time_limit is None or (isinstance(time_limit, (int, float)) and not isinstance(time_limit, bool)
                                and math.isfinite(time_limit) and time_limit > 0)
    if not ok:
        raise ValueError(f"time_limit must be a positive number of seconds or None (no limit), got {time_limit!r}")


def exercise(notebook: str, number: int, title: str, *,
             time_limit: float | None = DEFAULT_TIME_LIMIT) -> Callable[[Callable[..., str]], Callable[..., bool]]:
    """Declare a check function as the check of exercise ``notebook.number``.

    Args:
        notebook: two-digit notebook number, e.g. ``"03"``.
        number: the exercise's number within the notebook.
        title: a short human title, printed on the check's line.
        time_limit: seconds the check may run before it is stopped and counted as failed (``None``: no limit);
            the environment variable ``NNCOURSE_CHECK_TIME_LIMIT`` overrides it.

    The decorated function returns ``True`` when the check passes, and raises otherwise (see module docs).
    """
    if not (isinstance(notebook, str) and len(notebook) == 2 and notebook.isdigit()):
        raise ValueError(f"notebook must be a two-digit string like '01', got {notebook!r}")
    _validate_time_limit(time_limit)

    def decorate(fn: Callable[..., str]) -> Callable[..., bool]:
        ex = Exercise(notebook, number, title)
        known = EXERCISES.setdefault(notebook, [])
        if any(e.number == number for e in known):
            raise ValueError(f"exercise {ex.label} is declared twice")
        known.append(ex)
        known.sort(key=lambda e: e.number)

        @functools.wraps(fn)
        def run(*args: Any, **kwargs: Any) -> bool:
            limit = time_limit_in_effect(time_limit)
            RESULTS.record(ex, "failed", INTERRUPTED_MESSAGE)  # until it finishes: an interrupt leaves "failed"
            watchdog = _Watchdog(limit)
            try:
                with watchdog:
                    message = fn(*args, **kwargs)
            except KeyboardInterrupt:
                if watchdog.fired.is_set():
                    _report_timeout(ex, limit)  # raises CheckTimeoutError
                RESULTS.record(ex, "failed", INTERRUPTED_MESSAGE)
                print(f"{ICON_OF_STATUS['failed']} {ex.label} {title} — {INTERRUPTED_MESSAGE}")
                raise
            except NotImplementedError:
                RESULTS.record(ex, "not attempted", "still raises NotImplementedError")
                print(f"{ICON_OF_STATUS['not attempted']} {ex.label} {title} — not attempted yet")
                raise NotImplementedError(
                    f"Exercise {ex.label} ({title}) is not attempted yet: replace `raise NotImplementedError()` "
                    f"with your code, run that cell, then run this check again.") from None
            except AssertionError as err:
                hint = str(err) or "the result is not what was expected"
                RESULTS.record(ex, "failed", hint)
                print(f"{ICON_OF_STATUS['failed']} {ex.label} {title} — not yet: {hint}")
                raise AssertionError(f"Exercise {ex.label} ({title}): {hint}") from None
            except Exception as err:
                RESULTS.record(ex, "failed", f"{type(err).__name__}: {err}")
                print(f"{ICON_OF_STATUS['failed']} {ex.label} {title} — your code raised {type(err).__name__}: {err}")
                raise
            RESULTS.record(ex, "passed", message or "")
            print(f"{ICON_OF_STATUS['passed']} {ex.label} {title} — passed" + (f": {message}" if message else ""))
            return True

        run.exercise = ex  # type: ignore[attr-defined]
        return run

    return decorate


def _report_timeout(ex: Exercise, limit: float | None) -> None:
    """Record and print a check that ran out of time, then raise :class:`CheckTimeoutError`."""
    hint = (f"did not finish within {limit:g} s: look for a loop that never ends (while True, or a condition "
            f"that never becomes False)")
    RESULTS.record(ex, "failed", hint)
    print(f"{ICON_OF_STATUS['failed']} {ex.label} {ex.title} — {hint}")
    raise CheckTimeoutError(
        f"Exercise {ex.label} ({ex.title}) {hint}. If your code is only slow (not stuck), allow more time: set "
        f"the environment variable {TIME_LIMIT_ENV_VAR} to a number of seconds (e.g. 300) before starting "
        f"Jupyter.") from None


FALLBACK_MARK = "↪"
"""Starts the one line :func:`use_or_reference` prints when it falls back (never a check line: not ✅/❌/⏳)."""


def use_or_reference(label: str, student: T, reference: T, *, verbose: bool = True) -> T:
    """What the cells after an exercise should use: the student's code once its check passed in this kernel,
    else the reference implementation from ``utils``, saying so in one line.

    So one unfinished exercise never blocks the rest of a lab: ``affine_forward = checks.use_or_reference(
    "04.1", affine_forward, reference.layers.affine_forward)``. The student's object is used only when the
    exercise's latest check *passed*; "failed", "not attempted" and "not checked yet" fall back.

    Args:
        label: the exercise, e.g. ``"04.1"``.
        student: the student's function (or any object the exercise built).
        reference: the course's own implementation, same interface.
        verbose: print the one-line note when falling back.

    Returns:
        ``student`` or ``reference``.
    """
    m = re.fullmatch(r"(\d\d)\.(\d+)", label) if isinstance(label, str) else None
    if m is None:
        raise ValueError(f"label must look like '04.1' (notebook.exercise), got {label!r}")
    key = (m.group(1), int(m.group(2)))
    known = {(e.notebook, e.number) for e in EXERCISES.get(m.group(1), [])}
    if key not in known:
        raise ValueError(f"exercise {label} is not declared; declared for notebook {m.group(1)}: "
                         f"{', '.join(f'{m.group(1)}.{n}' for _, n in sorted(known)) or 'none'}")
    found = RESULTS.results.get(key)
    if found is not None and found[0] == "passed":
        return student
    if verbose:
        state = "not checked yet" if found is None else found[0]
        name = getattr(reference, "__qualname__", None) or type(reference).__name__
        module = getattr(reference, "__module__", "utils")
        print(f"{FALLBACK_MARK} {label} is {state}: the cells below use the course's reference `{module}.{name}` "
              f"instead of yours (finish {label} and re-run from there to use your own).")
    return reference


def summary(notebook: str, *, verbose: bool = True) -> dict[str, Status]:
    """List the exercises of ``notebook`` (e.g. ``"01"``) as passed, failed or not attempted.

    Returns:
        ``{label: status}``, e.g. ``{"01.1": "passed", "01.2": "not attempted"}``.
    """
    if notebook not in EXERCISES:
        raise ValueError(f"no exercises are declared for notebook {notebook!r}; "
                         f"known notebooks: {', '.join(sorted(EXERCISES)) or 'none'}")
    out: dict[str, Status] = {}
    for ex in EXERCISES[notebook]:
        found = RESULTS.status_of(ex)
        status: Status = found[0] if found else "not attempted"
        out[ex.label] = status
        if verbose:
            detail = f" ({found[1]})" if found and status == "failed" else ""
            print(f"{ICON_OF_STATUS[status]} {ex.label} {ex.title}: {status}{detail}")
    if verbose:
        print(f"— {count_statuses(out.values())['passed']} of {len(out)} exercises passed.")
    return out


def assert_finite_result(value: Any, what: str, expected: str) -> np.ndarray:
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

    if value is None:
        raise AssertionError(f"{what}: your function returned None, expected {expected}. Did you forget `return`?")
    try:
        arr = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        shown = repr(value)
        shown = shown if len(shown) <= 60 else shown[:57] + "..."
        raise AssertionError(f"{what}: your function returned {type(value).__name__} {shown}, expected {expected}"
                             ) from None
    if np.any(np.isnan(arr)):
        where = "NaN" if arr.ndim == 0 else f"NaN in {int(np.sum(np.isnan(arr)))} of {arr.size} entries"
        raise AssertionError(f"{what}: your function returned {where} (not a number), expected {expected}. Look "
                             f"for log(0) or 0/0, the log or square root of a negative number, or inf - inf")
    if np.any(np.isinf(arr)):
        where = "inf" if arr.ndim == 0 else f"inf in {int(np.sum(np.isinf(arr)))} of {arr.size} entries"
        raise AssertionError(f"{what}: your function returned {where}, expected {expected}. Look for log(0), a "
                             f"division by zero or exp of a large number")
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

    if value is None:
        raise NotImplementedError(f"{name} is still None")
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise AssertionError(f"{name} should be {what}, got {type(value).__name__} {value!r}")
    guess = float(value)
    assert np.isfinite(guess), f"{name} should be a finite number, got {value!r}"
    return guess


def assert_close(actual: Any, expected: Any, what: str, *, rtol: float = 1e-6, atol: float = 1e-8) -> None:
    """Raise AssertionError with a readable hint unless ``actual`` ≈ ``expected`` (shapes must match too).

    ``actual`` being None, NaN or inf gets a message saying so (not "has shape ()" or "is off by up to nan").
    """
    import numpy as np

    e = np.asarray(expected, dtype=np.float64)
    a = assert_finite_result(actual, what, f"values like {e.ravel()[:3]} (shape {e.shape})")
    assert a.shape == e.shape, f"{what} has shape {a.shape}, expected {e.shape}"
    if not np.allclose(a, e, rtol=rtol, atol=atol):
        worst = float(np.max(np.abs(a - e)))
        raise AssertionError(f"{what} is off by up to {worst:.3g} (expected e.g. {e.ravel()[:3]}, got {a.ravel()[:3]})")


def export_results(notebook: str | None = None) -> list[dict[str, Any]]:
    """This kernel's check results as JSON-ready dicts (for hand-in manifests), sorted by label.

    Args:
        notebook: a two-digit notebook number: list every exercise declared for it, those never checked as
            ``"not attempted"``. ``None``: list every result recorded in this kernel.

    Returns:
        ``[{"label": "01.1", "notebook": "01", "number": 1, "title": ..., "status": ..., "message": ...}, ...]``.
    """
    titles = {(e.notebook, e.number): e.title for exs in EXERCISES.values() for e in exs}
    keys = set(RESULTS.results)
    if notebook is not None:
        keys = {k for k in keys if k[0] == notebook} | {(e.notebook, e.number) for e in EXERCISES.get(notebook, [])}
    rows = []
    for nb, number in sorted(keys):
        status, message = RESULTS.results.get((nb, number), ("not attempted", ""))
        values = (f"{nb}.{number}", nb, number, titles.get((nb, number), ""), status, message)
        rows.append(dict(zip(RESULT_FIELDS, values)))
    return rows
