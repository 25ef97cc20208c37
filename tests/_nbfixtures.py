"""Small fixture notebooks for the release / hand-in / grade tests (NumPy only, a few seconds to run).

The fixture declares its own two exercises (notebook "98") with :func:`utils.checks.core.exercise`, so the
tests do not depend on any topic's check module. Not a test module (no ``test_`` prefix).
"""
from __future__ import annotations

from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from utils.course.notebook_io import read_notebook, write_notebook

NAME = "98_fixture.ipynb"
ANSWER = "Doubling is linear, so the mean of doubled rows is the double of the mean."
SOLUTION_LINES = ("return 2 * x", "means = a.mean(axis=1)", "return means")

SETUP = """import numpy as np
import utils
from utils.checks.core import exercise

# (utils.setup() would import matplotlib: a second per kernel that the tests do not need)
print("Course set-up:", "QUICK mode" if utils.quick_mode() else "full mode")"""

CHECKS = '''@exercise("98", 1, "Double a number")
def check_double(fn):
    for x in (0.0, 1.5, -3.0):
        assert np.isclose(fn(x), 2 * x), f"double({x}) should be {2 * x}, got {fn(x)}"
    return "doubles every number tried"


@exercise("98", 2, "Row means")
def check_row_means(fn):
    a = np.arange(6.0).reshape(2, 3)
    got = np.asarray(fn(a))
    assert got.shape == (2,), f"expected one mean per row, shape (2,), got shape {got.shape}"
    assert np.allclose(got, [1.0, 4.0]), f"row means of {a.tolist()} are [1, 4], got {got.tolist()}"
    return "one mean per row"'''

EXERCISE_1 = '''def double(x):
    """Return 2 * x."""
    ### BEGIN SOLUTION
    return 2 * x
    ### END SOLUTION'''

EXERCISE_2 = '''def row_means(a):
    """Mean of each row of a 2-D array a, shape (n, m) -> (n,)."""
    a = np.asarray(a, dtype=float)
    if True:
        ### BEGIN SOLUTION
        means = a.mean(axis=1)
        return means
        ### END SOLUTION'''


def instructor_notebook(*, middle_error: bool = False) -> nbformat.NotebookNode:
    """The instructor's fixture: set-up, checks, two exercises with checks, a written answer, the summary.

    Args:
        middle_error: put a cell raising ``NameError`` between the two exercises (a notebook that only worked
            when run out of order).
    """
    cells = [
        new_markdown_cell("# 98 · Fixture\n\n**Learning outcomes.** Testing the hand-in tools."),
        new_code_cell(SETUP),
        new_code_cell(CHECKS),
        new_markdown_cell("### Exercise 98.1"),
        new_code_cell(EXERCISE_1),
        new_code_cell("check_double(double)"),
        new_markdown_cell("### Exercise 98.2"),
        new_code_cell(EXERCISE_2),
        new_code_cell("check_row_means(row_means)"),
        new_markdown_cell("**Why?** " + ANSWER, metadata={"tags": ["solution"]}),
        new_code_cell("from utils import checks\n\nchecks.summary(\"98\")"),
    ]
    if middle_error:
        cells.insert(6, new_code_cell("print(defined_only_in_a_deleted_cell)"))
    nb = new_notebook(cells=cells)
    nb.metadata["kernelspec"] = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}
    return nb


def write(nb: nbformat.NotebookNode, folder: Path, name: str = NAME) -> Path:
    """Write ``nb`` into ``folder`` (created) as ``name`` and return the path."""
    folder.mkdir(parents=True, exist_ok=True)
    return write_notebook(nb, folder / name)


def complete(student_path: Path, instructor: nbformat.NotebookNode, *, wrong_row_means: bool = False) -> Path:
    """Put the instructor's solutions back into a student copy (in place), optionally a wrong one for 98.2."""
    nb = read_notebook(student_path)
    for cell, ref in zip(nb.cells, instructor.cells):
        if "raise NotImplementedError()" in cell.source:
            cell.source = ref.source
    if wrong_row_means:
        for cell in nb.cells:
            if "def row_means" in cell.source:
                cell.source = cell.source.replace("a.mean(axis=1)", "a.mean(axis=0)")
    return write_notebook(nb, student_path)


RECORD_HACK = '''from utils.checks.core import EXERCISES, RESULTS

for ex in EXERCISES["98"]:
    RESULTS.record(ex, "passed", "")'''
"""A student cell that writes "passed" for every exercise straight into the check machinery."""


def insert_before_summary(student_path: Path, source: str) -> Path:
    """Add a code cell holding ``source`` just before the summary cell of a notebook (in place)."""
    nb = read_notebook(student_path)
    at = next(i for i, c in enumerate(nb.cells) if "checks.summary(" in c.source)
    nb.cells.insert(at, new_code_cell(source))
    return write_notebook(nb, student_path)
