"""Over every notebook's student copy (made by utils.course.release, in memory): the answer is never shown, and every
answer box follows its question.

*Never shown*: a line of code that an exercise's solution region holds must not appear anywhere else in the
student copy (an earlier cell that already does it, a later cell that uses the same code, a markdown cell
quoting it). Trivial lines that any code may share (``return out``, ``else:``, a lone bracket) are ignored; see
:func:`telling`. Notebooks not yet reworked so are listed in ``NOT_YET`` as strict expected failures: when one is
fixed, its entry must go (the test then fails until it does).
"""
from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest

from utils.course.release import ANSWER_STUB, find_regions, make_student_copy

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))

NOT_YET: dict[str, str] = {
}
"""Notebook stem -> why its exercises still repeat code shown elsewhere (the issue that reworks it)."""

_TRIVIAL = re.compile(r"^(return|pass|break|continue|else|try|finally|raise|yield|import|from)\b.{0,16}$")


def normalise(line: str) -> str:
    """A code line without its comment, surrounding spaces or repeated spaces."""
    line = re.sub(r"\s+#.*$", "", line) if not line.lstrip().startswith("#") else ""
    return " ".join(line.split())


_NAMES_ONLY = re.compile(r"\(?\w+(\s*,\s*\w+)*\)?")
"""A bare list of names, e.g. the core of ``return targets, candidates, labels``: the interface the exercise
states, not how to compute it."""

_TARGET = re.compile(r"^(return\s+|[\w.\[\], ]+?\s*[-+*/@]?=(?!=)\s*)")


def core(line: str) -> str:
    """What a normalised solution line computes: without ``return`` or an assignment's target, so that
    ``return np.maximum(0.0, x)`` and ``y = np.maximum(0.0, x)`` share the core ``np.maximum(0.0, x)``."""
    return _TARGET.sub("", line, count=1).strip()


def telling(line: str) -> bool:
    """True for a solution line that gives something away: at least 16 characters of code, not a bare keyword
    line (``return out``, ``else:``), not only brackets and punctuation, and not a bare opening of a block or
    bracket (``for _ in range(steps):``, ``keras.Sequential([``), which any code may share, and not a bare list
    of names (:data:`_NAMES_ONLY`)."""
    return (len(line) >= 16 and not _TRIVIAL.match(line) and bool(re.search(r"[A-Za-z0-9]", line))
            and not line.endswith(("(", "[", "{", ":")) and not _NAMES_ONLY.fullmatch(line))


def solution_lines(nb: nbformat.NotebookNode) -> dict[str, int]:
    """``{core of a telling solution line: cell index}`` over every code cell's solution regions."""
    out: dict[str, int] = {}
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        lines = cell.source.splitlines()
        for region in find_regions(cell.source):
            for line in lines[region.begin + 1:region.end]:
                essence = core(normalise(line))
                if telling(essence):
                    out.setdefault(essence, index)
    return out


def shown_elsewhere(instructor: nbformat.NotebookNode, student: nbformat.NotebookNode) -> list[str]:
    """Every telling solution line of ``instructor`` whose core the student copy ``student`` still shows
    (inside any line of any cell), with where."""
    secret = solution_lines(instructor)
    found = []
    for index, cell in enumerate(student.cells):
        for i, line in enumerate(cell.source.splitlines()):
            text = normalise(line) if cell.cell_type == "code" else " ".join(line.split())
            for essence, where in secret.items():
                if essence in text:
                    found.append(f"cell {index} line {i + 1} ({cell.cell_type}) shows {essence[:70]!r}, from the "
                                 f"solution of the exercise in cell {where}")
    return found


def _params():
    out = []
    for path in NOTEBOOKS:
        marks = [pytest.mark.xfail(strict=True, reason=NOT_YET[path.stem])] if path.stem in NOT_YET else []
        out.append(pytest.param(path, id=path.stem, marks=marks))
    return out


@pytest.mark.parametrize("path", _params())
def test_the_answer_is_never_shown_in_the_student_copy(path):
    nb = nbformat.read(path, as_version=4)
    student, _ = make_student_copy(nb, name=path.name)
    found = shown_elsewhere(nb, student)
    assert not found, f"{path.name}: the student copy shows code an exercise asks for:\n" + "\n".join(found[:15])


QUESTION_INSIDE_ANSWER: dict[str, str] = {}
"""Notebook stem -> why an answer box there does not yet follow its question."""


@pytest.mark.parametrize("path", [pytest.param(p, id=p.stem, marks=[pytest.mark.xfail(
    strict=True, reason=QUESTION_INSIDE_ANSWER[p.stem])] if p.stem in QUESTION_INSIDE_ANSWER else [])
    for p in NOTEBOOKS])
def test_every_answer_box_follows_a_question(path):
    student, _ = make_student_copy(nbformat.read(path, as_version=4), name=path.name)
    for index, cell in enumerate(student.cells):
        if cell.cell_type == "markdown" and cell.source.strip() == ANSWER_STUB:
            before = student.cells[index - 1] if index else None
            assert before is not None and before.cell_type == "markdown" and "?" in before.source, (
                f"{path.name}: answer box in cell {index} does not follow a markdown cell asking a question "
                f"(keep the question outside the cell tagged 'solution')")


def _nb(*cells: tuple[str, str]) -> nbformat.NotebookNode:
    make = {"code": nbformat.v4.new_code_cell, "markdown": nbformat.v4.new_markdown_cell}
    return nbformat.v4.new_notebook(cells=[make[kind](src) for kind, src in cells])


def test_the_never_shown_test_catches_code_shown_before_or_after_or_quoted():
    exercise = ("code", "def relu(x):\n    ### BEGIN SOLUTION\n    return np.maximum(0.0, x)\n    ### END SOLUTION")
    for leak in [("code", "y = np.maximum(0.0, x)  # shown first"), ("markdown", "Use `np.maximum(0.0, x)`.")]:
        nb = _nb(leak, exercise)
        student, _ = make_student_copy(nb)
        assert shown_elsewhere(nb, student), leak
    nb = _nb(exercise, ("code", "print(np.maximum(0.0, x))"))
    assert shown_elsewhere(nb, make_student_copy(nb)[0])
    clean = _nb(("markdown", "ReLU is max(0, x)."), exercise, ("code", "relu(np.arange(3))"))
    assert shown_elsewhere(clean, make_student_copy(clean)[0]) == []


def test_trivial_lines_are_not_counted():
    assert not telling("return out") and not telling("else:") and not telling(")]")
    assert not telling("for _ in range(steps):") and not telling("keras.Sequential([")
    assert telling("return np.maximum(0.0, x)") and telling("w = w + lr * (y - pred) * x")
    assert not telling(core("return targets, candidates, labels")) and telling(core("return targets, labels[0]"))


MAX_CELLS, MAX_MARKDOWN_WORDS = 62, 2_500
"""One lab each: "no notebook over about 60 cells or 2,400 markdown words" (with a little give for "about")."""
TOO_LONG: dict[str, str] = {
}
"""Notebook stem -> why it is still longer than one lab."""


@pytest.mark.parametrize("path", [pytest.param(p, id=p.stem, marks=[pytest.mark.xfail(
    strict=True, reason=TOO_LONG[p.stem])] if p.stem in TOO_LONG else []) for p in NOTEBOOKS])
def test_each_notebook_fits_one_lab(path):
    nb = nbformat.read(path, as_version=4)
    words = sum(len(c.source.split()) for c in nb.cells if c.cell_type == "markdown")
    assert len(nb.cells) <= MAX_CELLS, f"{path.name} has {len(nb.cells)} cells (at most {MAX_CELLS}): split it"
    assert words <= MAX_MARKDOWN_WORDS, f"{path.name} has {words} markdown words (at most {MAX_MARKDOWN_WORDS})"
