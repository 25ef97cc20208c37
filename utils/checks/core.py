"""The machinery behind every exercise check: one printed line per check, and a per-notebook summary.

A check is an ordinary function that tests the *behaviour* of a student's code (never a stored copy of the
answer) and either returns a short success message or raises ``AssertionError`` with a hint. Decorating it
with :func:`exercise` gives it the course's behaviour:

* pass: prints ``✅ 01.1 Perceptron learns AND — passed: <message>`` and records "passed";
* wrong answer: records "failed", prints ``❌ … <hint>`` and raises ``AssertionError`` (the cell shows red);
* ``raise NotImplementedError()`` still in the student's code: records "not attempted" and raises
  ``NotImplementedError`` with a message saying what to do;
* any other exception from the student's code: records "failed" and re-raises it unchanged.

Results go into :data:`RESULTS`, an explicit, documented record of this kernel's check results, which
:func:`summary` reads at the end of each notebook. Restarting the kernel clears it.
"""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from typing import Any, Callable, Literal

Status = Literal["passed", "failed", "not attempted"]


@dataclass(frozen=True)
class Exercise:
    """One exercise: the notebook it belongs to (``"01"``), its number within it (``1``) and a title."""

    notebook: str
    number: int
    title: str
    check_name: str

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


def exercise(notebook: str, number: int, title: str) -> Callable[[Callable[..., str]], Callable[..., bool]]:
    """Declare a check function as the check of exercise ``notebook.number``.

    The decorated function returns ``True`` when the check passes, and raises otherwise (see module docs).
    """
    if not (isinstance(notebook, str) and len(notebook) == 2 and notebook.isdigit()):
        raise ValueError(f"notebook must be a two-digit string like '01', got {notebook!r}")

    def decorate(fn: Callable[..., str]) -> Callable[..., bool]:
        ex = Exercise(notebook, number, title, fn.__name__)
        known = EXERCISES.setdefault(notebook, [])
        if any(e.number == number for e in known):
            raise ValueError(f"exercise {ex.label} is declared twice")
        known.append(ex)
        known.sort(key=lambda e: e.number)

        @functools.wraps(fn)
        def run(*args: Any, **kwargs: Any) -> bool:
            try:
                message = fn(*args, **kwargs)
            except NotImplementedError:
                RESULTS.record(ex, "not attempted", "still raises NotImplementedError")
                print(f"⏳ {ex.label} {title} — not attempted yet")
                raise NotImplementedError(
                    f"Exercise {ex.label} ({title}) is not attempted yet: replace `raise NotImplementedError()` "
                    f"with your code, run that cell, then run this check again.") from None
            except AssertionError as err:
                hint = str(err) or "the result is not what was expected"
                RESULTS.record(ex, "failed", hint)
                print(f"❌ {ex.label} {title} — not yet: {hint}")
                raise AssertionError(f"Exercise {ex.label} ({title}): {hint}") from None
            except Exception as err:
                RESULTS.record(ex, "failed", f"{type(err).__name__}: {err}")
                print(f"❌ {ex.label} {title} — your code raised {type(err).__name__}: {err}")
                raise
            RESULTS.record(ex, "passed", message or "")
            print(f"✅ {ex.label} {title} — passed" + (f": {message}" if message else ""))
            return True

        run.exercise = ex  # type: ignore[attr-defined]
        return run

    return decorate


def summary(notebook: str, *, verbose: bool = True) -> dict[str, Status]:
    """List the exercises of ``notebook`` (e.g. ``"01"``) as passed, failed or not attempted.

    Returns:
        ``{label: status}``, e.g. ``{"01.1": "passed", "01.2": "not attempted"}``.
    """
    if notebook not in EXERCISES:
        raise ValueError(f"no exercises are declared for notebook {notebook!r}; "
                         f"known notebooks: {', '.join(sorted(EXERCISES)) or 'none'}")
    out: dict[str, Status] = {}
    icons = {"passed": "✅", "failed": "❌", "not attempted": "⏳"}
    for ex in EXERCISES[notebook]:
        found = RESULTS.status_of(ex)
        status: Status = found[0] if found else "not attempted"
        out[ex.label] = status
        if verbose:
            detail = f" ({found[1]})" if found and status == "failed" else ""
            print(f"{icons[status]} {ex.label} {ex.title}: {status}{detail}")
    if verbose:
        n_pass = sum(s == "passed" for s in out.values())
        print(f"— {n_pass} of {len(out)} exercises passed.")
    return out


def assert_close(actual: Any, expected: Any, what: str, *, rtol: float = 1e-6, atol: float = 1e-8) -> None:
    """Raise AssertionError with a readable hint unless ``actual`` ≈ ``expected`` (shapes must match too)."""
    import numpy as np

    a = np.asarray(actual, dtype=np.float64)
    e = np.asarray(expected, dtype=np.float64)
    assert a.shape == e.shape, f"{what} has shape {a.shape}, expected {e.shape}"
    if not np.allclose(a, e, rtol=rtol, atol=atol):
        worst = float(np.max(np.abs(a - e)))
        raise AssertionError(f"{what} is off by up to {worst:.3g} (expected e.g. {e.ravel()[:3]}, got {a.ravel()[:3]})")


STATUS_ICONS: dict[str, Status] = {"✅": "passed", "❌": "failed", "⏳": "not attempted"}
"""The icon each printed check line starts with, and the status it stands for."""

_CHECK_LINE = re.compile(r"^\s*(✅|❌|⏳) (\d\d\.\d+) ")


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
        rows.append({"label": f"{nb}.{number}", "notebook": nb, "number": number,
                     "title": titles.get((nb, number), ""), "status": status, "message": message})
    return rows


def parse_check_lines(text: str) -> dict[str, Status]:
    """Read check statuses back from printed output (the ✅/❌/⏳ lines of checks and :func:`summary`).

    Returns:
        ``{label: status}``; when a label is printed several times the last line wins.
    """
    found: dict[str, Status] = {}
    for line in text.splitlines():
        m = _CHECK_LINE.match(line)
        if m:
            found[m.group(2)] = STATUS_ICONS[m.group(1)]
    return found
