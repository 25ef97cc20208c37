"""What the cells of a course notebook are and what their outputs mean: roles, errors, printed check lines.

Hand-in, grading and the re-run all read executed notebooks the same way through this module:

* :func:`cell_role`: is a code cell an exercise, a check, the summary, or other code?
* :func:`stream_text` and :func:`error_output`: what a cell printed, and the error it raised (ANSI codes removed);
* :func:`error_origin` and :func:`classify_error`: where an error came from and what it means for the hand-in
  (*not attempted*, a *failed exercise*, or *fatal*: the run stops);
* :func:`notebook_number`, :func:`exercise_number`, :func:`declared_exercises` and :func:`checks_from_outputs`:
  which exercises a notebook has, and their statuses read back from the printed ✅/❌/⏳ lines.
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Literal

import nbformat

from utils.conventions import BEGIN_MARKER, CODE_STUB, is_marker, parse_check_lines

Outcome = Literal["not attempted", "failed exercise", "fatal"]

_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
_CHECK_NOT_ATTEMPTED = re.compile(r"^Exercise \d\d\.\d+ .* is not attempted yet")
_DECLARED_IN_CELL = re.compile(r"""\bexercise\(\s*["'](\d\d)["']\s*,\s*(\d+)\s*(?:,\s*(["'])(.*?)\3)?""")


def first_line(source: str, width: int = 80) -> str:
    """The first non-blank line of a cell's source, shortened to ``width`` characters."""
    for line in source.splitlines():
        if line.strip():
            line = line.strip()
            return line if len(line) <= width else line[: width - 1] + "…"
    return ""


def one_line(text: str, width: int = 300) -> str:
    """``text`` (a message, an error) on one line with runs of whitespace collapsed, at most ``width`` characters."""
    text = " ".join(str(text).split())
    return text if len(text) <= width else text[: width - 1] + "…"


def cell_role(cell: nbformat.NotebookNode) -> str:
    """What a code cell is in the course's conventions: ``"exercise"``, ``"check"``, ``"summary"`` or ``"other"``.

    An exercise cell holds solution markers or the released stub; a check cell calls ``checks.…(`` or a
    ``check_…(`` function; the summary cell calls ``checks.summary(``.
    """
    src = cell.source
    lines = src.splitlines()
    if any(is_marker(line, BEGIN_MARKER) for line in lines) or all(s in src for s in CODE_STUB):
        return "exercise"
    if re.search(r"\bchecks\.summary\(", src):
        return "summary"
    if re.search(r"\bchecks?\.\w+|\bcheck_\w*\s*\(", src):
        return "check"
    return "other"


def code_cells(nb: nbformat.NotebookNode) -> list[tuple[int, nbformat.NotebookNode]]:
    """``(index, cell)`` of every code cell of ``nb``."""
    return [(i, c) for i, c in enumerate(nb.cells) if c.cell_type == "code"]


def stream_text(cell: nbformat.NotebookNode) -> str:
    """Everything an executed cell printed (its stdout and stderr stream outputs), joined."""
    return "".join(str(o.get("text", "")) for o in cell.get("outputs", []) if o.get("output_type") == "stream")


def error_output(cell: nbformat.NotebookNode) -> dict[str, Any] | None:
    """The cell's first error output as ``ename``, ``evalue`` and ANSI-free ``traceback`` lines, or None."""
    for out in cell.get("outputs", []):
        if out.get("output_type") == "error":
            return {"ename": str(out.get("ename", "")), "evalue": str(out.get("evalue", "")),
                    "traceback": [_ANSI.sub("", str(t)) for t in out.get("traceback", [])]}
    return None


def error_origin(err: dict[str, Any], cells_by_count: dict[int, nbformat.NotebookNode]) -> str:
    """Where an error was raised: ``"check"`` (a check reporting a stub), ``"exercise"`` (code of an exercise
    cell, e.g. its stub, even when called from a later cell), ``"notebook"`` (another cell), or ``"library"``
    (Python code outside the notebook). The innermost *Python* frame decides, so an error raised inside a
    C function called straight from a cell counts as ``"notebook"``.

    Args:
        err: ``ename``, ``evalue`` and the ANSI-free ``traceback`` lines of the error output.
        cells_by_count: the executed cells by execution count (to map IPython's ``In[k]`` frames to cells).
    """
    if _CHECK_NOT_ATTEMPTED.match(err["evalue"]):
        return "check"
    frames = err.get("traceback", [])
    innermost = frames[-2] if len(frames) >= 2 else ""
    m = re.search(r"In\s*\[(\d+)\]", innermost)
    if m:
        cell = cells_by_count.get(int(m.group(1)))
        return "exercise" if cell is not None and cell_role(cell) == "exercise" else "notebook"
    return "notebook" if "ipykernel_" in innermost else "library"


def classify_error(cell: nbformat.NotebookNode, ename: str, origin: str = "notebook") -> Outcome:
    """Decide what an error in an executed cell means (see :mod:`utils.course.handin`).

    ``NotImplementedError`` raised by notebook code (a stub, or a check reporting one) means "not attempted";
    raised inside a library it is a real failure.
    """
    if ename == "NotImplementedError" and origin != "library":
        return "not attempted"
    statuses = set(parse_check_lines(stream_text(cell)).values())
    if "failed" in statuses or (ename == "AssertionError" and cell_role(cell) == "check"):
        return "failed exercise"
    return "fatal"


def notebook_number(path: str | Path) -> str | None:
    """The two-digit number a course notebook's file name starts with (``"09"`` for 09_vanilla_gan), or None."""
    m = re.match(r"^(\d\d)(?:[_\-. ]|$)", Path(path).stem)
    return m.group(1) if m else None


def exercise_number(nb: nbformat.NotebookNode, path: str | Path) -> str | None:
    """The notebook number whose exercises a hand-in reports: the one in its ``checks.summary("NN")`` call,
    else the one its file name starts with (so a renamed file still reports every exercise), else None."""
    for cell in reversed(nb.cells):
        m = re.search(r"\bsummary\(\s*[\"'](\d\d)[\"']", cell.source) if cell.cell_type == "code" else None
        if m:
            return m.group(1)
    return notebook_number(path)


def _label_key(label: str) -> tuple[int, ...]:
    """Sort key of an exercise label: ``"09.10"`` after ``"09.9"``."""
    return tuple(int(part) for part in label.split("."))


def declared_exercises(nb: nbformat.NotebookNode, number: str | None) -> dict[str, str]:
    """``{label: title}`` of every exercise declared for notebook ``number`` (``{}`` if None).

    Two places declare exercises: the course's check modules (``utils.checks``, imported in this process, not
    the kernel) and ``@exercise("NN", k, "title")`` decorators in the notebook's own code cells.
    """
    if number is None:
        return {}
    from utils.checks.core import EXERCISES

    found = {ex.label: ex.title for ex in EXERCISES.get(number, [])}
    for _, cell in code_cells(nb):
        for m in _DECLARED_IN_CELL.finditer(cell.source):
            if m.group(1) == number:
                found.setdefault(f"{m.group(1)}.{int(m.group(2))}", m.group(4) or "")
    return found


def checks_from_outputs(text: str, declared: dict[str, str]) -> list[dict[str, Any]]:
    """The check results when the kernel cannot be asked: every declared exercise, with the status of its last
    printed ✅/❌/⏳ line, or ``"not attempted"`` if none was printed (its check never ran); printed labels that
    were not declared are listed too. Rows as in :attr:`utils.course.runner.RunResult.checks`, sorted by label."""
    printed = parse_check_lines(text)
    labels = sorted(set(declared) | set(printed), key=_label_key)
    return [{"label": label, "title": declared.get(label, ""), "status": printed.get(label, "not attempted"),
             "message": "" if label in printed else "no check result was printed for it in this run"}
            for label in labels]
