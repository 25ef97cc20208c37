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
:func:`summary` reads at the end of each notebook. Restarting the kernel clears it. Which exercises a notebook has
is read from its check module when asked (:data:`EXERCISES`, :data:`CHECK_MODULES`): importing a module registers
nothing. The helpers a check uses to fail with a hint are in :mod:`utils.checks.asserts`.
"""
from __future__ import annotations

import _thread
import functools
import importlib
import math
import os
import signal
import sys
import threading
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from types import FunctionType, TracebackType
from typing import Any, Callable, TypeVar

from utils.conventions import ICON_OF_STATUS, RESULT_FIELDS, Status, count_statuses

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
    """What the checks run in this kernel found: ``{(notebook, number): (status, message)}``, and the titles of the
    exercises checked (for :func:`export_results`)."""

    results: dict[tuple[str, int], tuple[Status, str]] = field(default_factory=dict)
    titles: dict[tuple[str, int], str] = field(default_factory=dict)

    def record(self, ex: Exercise, status: Status, message: str) -> None:
        self.results[(ex.notebook, ex.number)] = (status, message)
        self.titles[(ex.notebook, ex.number)] = ex.title

    def status_of(self, ex: Exercise) -> tuple[Status, str] | None:
        return self.results.get((ex.notebook, ex.number))

    def clear(self) -> None:
        self.results.clear()
        self.titles.clear()


RESULTS = CheckResults()
"""This kernel's check results (module-level on purpose, so :func:`summary` can list them)."""

CHECK_MODULES: dict[str, str] = {
    "00": "getting_started", "01": "the_neuron", "02": "activations_and_feedforward",
    "03": "loss_and_gradient_descent", "04": "backpropagation", "05": "keras_mnist", "06": "word_embeddings",
    "07": "image_embeddings_and_memory", "08": "toy_gan", "09": "vanilla_gan", "10": "dcgan",
    "11": "conditional_gan", "12": "stylegan_ideas_and_ethics",
}
"""The course's check modules, ``utils.checks.<name>``, by the number of the notebook they check."""


def _notebook_namespace() -> Mapping[str, Any]:
    """The running notebook's global names (a Jupyter kernel runs its cells in ``__main__``)."""
    main = sys.modules.get("__main__")
    return vars(main) if main is not None else {}


def _exercises_in(namespace: Mapping[str, Any]) -> set[Exercise]:
    """The exercises of the checks (functions decorated with :func:`exercise`) defined in ``namespace``."""
    return {obj.exercise for obj in namespace.values()
            if isinstance(obj, FunctionType) and isinstance(getattr(obj, "exercise", None), Exercise)}


class Catalogue(Mapping[str, list[Exercise]]):
    """Every declared exercise, by notebook number: ``EXERCISES["01"]`` lists 01's exercises, sorted by number.

    Nothing is registered anywhere: a notebook's exercises are read, when asked for, from the checks that declare
    them. For the course's notebooks that is the module in :data:`CHECK_MODULES`; any other number (a notebook
    that declares its own exercises with ``@exercise`` in a code cell, as the tests' fixture notebooks do) is
    read from the running notebook's namespace, ``__main__``.
    """

    def __getitem__(self, notebook: str) -> list[Exercise]:
        if notebook in CHECK_MODULES:
            namespace = vars(importlib.import_module(f"utils.checks.{CHECK_MODULES[notebook]}"))
        else:
            namespace = _notebook_namespace()
        found = sorted((e for e in _exercises_in(namespace) if e.notebook == notebook), key=lambda e: e.number)
        if not found:
            raise KeyError(notebook)
        return found

    def __iter__(self) -> Iterator[str]:
        in_notebook = {e.notebook for e in _exercises_in(_notebook_namespace())}
        return iter(sorted(set(CHECK_MODULES) | in_notebook))

    def __len__(self) -> int:
        return sum(1 for _ in self)


EXERCISES = Catalogue()
"""Every declared exercise, by notebook number (see :class:`Catalogue`)."""


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


def exercise(notebook: str, number: int, title: str, *,
             time_limit: float | None = DEFAULT_TIME_LIMIT) -> Callable[[Callable[..., str]], Callable[..., bool]]:
    """Make a check function the check of exercise ``notebook.number`` (it gets an ``.exercise`` attribute).

    Registers nothing: :data:`EXERCISES` finds the decorated function in its module (or notebook) when asked.

    Args:
        notebook: two-digit notebook number, e.g. ``"03"``.
        number: the exercise's number within the notebook.
        title: a short human title, printed on the check's line.
        time_limit: seconds the check may run before it is stopped and counted as failed (``None``: no limit);
            the environment variable ``NNCOURSE_CHECK_TIME_LIMIT`` overrides it.

    The decorated function returns ``True`` when the check passes, and raises otherwise (see module docs).
    """
    def decorate(fn: Callable[..., str]) -> Callable[..., bool]:
        ex = Exercise(notebook, number, title)

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
    notebook = str(label).split(".")[0]
    declared = {e.label: e for e in EXERCISES.get(notebook, [])}
    if label not in declared:
        raise ValueError(f"exercise {label!r} is not declared; declared for notebook {notebook}: "
                         f"{', '.join(declared) or 'none'}")
    found = RESULTS.status_of(declared[label])
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


def export_results(notebook: str | None = None) -> list[dict[str, Any]]:
    """This kernel's check results as JSON-ready dicts (for hand-in manifests), sorted by label.

    Args:
        notebook: a two-digit notebook number: list every exercise declared for it, those never checked as
            ``"not attempted"``. ``None``: list every result recorded in this kernel.

    Returns:
        ``[{"label": "01.1", "notebook": "01", "number": 1, "title": ..., "status": ..., "message": ...}, ...]``.
    """
    keys = set(RESULTS.results)
    titles = dict(RESULTS.titles)
    if notebook is not None:
        declared = EXERCISES.get(notebook, [])
        keys = {k for k in keys if k[0] == notebook} | {(e.notebook, e.number) for e in declared}
        titles.update({(e.notebook, e.number): e.title for e in declared})
    rows = []
    for nb, number in sorted(keys):
        status, message = RESULTS.results.get((nb, number), ("not attempted", ""))
        values = (f"{nb}.{number}", nb, number, titles.get((nb, number), ""), status, message)
        rows.append(dict(zip(RESULT_FIELDS, values)))
    return rows
