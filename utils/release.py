"""Student copies of the course notebooks, following nbgrader's conventions without needing nbgrader.

Usage (from the top of the course pack)::

    python -m utils.release                      # every notebook in notebooks/ -> release/
    python -m utils.release notebooks/01_perceptron.ipynb --out release/

In each student copy

* every region of a code cell between a ``### BEGIN SOLUTION`` line and an ``### END SOLUTION`` line (markers
  included) becomes ``# YOUR CODE HERE`` and ``raise NotImplementedError()`` at the BEGIN marker's
  indentation (nbgrader's replacement); a code cell marked as a solution (tag ``"solution"`` or metadata
  ``nbgrader.solution: true``) that has no markers is replaced as a whole;
* a markdown answer cell (tag ``"solution"`` or metadata ``nbgrader.solution: true``) becomes
  ``YOUR ANSWER HERE``;
* outputs and execution counts are cleared.

The instructor's notebooks are only read, never written. A notebook with unbalanced or nested markers is
refused with a message naming notebook, cell and line, and nothing is written for it. Only notebooks are
copied: the copies find ``utils`` because it is an installed package, whatever folder they live in.
"""
from __future__ import annotations

import argparse
import copy
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

import nbformat

from utils.notebook_io import NotebookError, clear_outputs, read_notebook, write_notebook
from utils.settings import repo_root

BEGIN_MARKER = "BEGIN SOLUTION"
END_MARKER = "END SOLUTION"
CODE_STUB = ("# YOUR CODE HERE", "raise NotImplementedError()")
"""The two lines a solution region becomes (nbgrader's default ``code_stub`` for Python)."""
ANSWER_STUB = "YOUR ANSWER HERE"
"""What a markdown answer cell becomes (nbgrader's default ``text_stub``)."""
SOLUTION_TAG = "solution"

_RELATIVE_PATH = re.compile(r"""["'](\.\.[/\\]|notebooks[/\\])|sys\.path\.(insert|append)""")


class MarkerError(ValueError):
    """Unbalanced or nested solution markers (the message names notebook, cell and line)."""


@dataclass(frozen=True)
class Region:
    """One solution region of a cell's source: 0-based line numbers of its markers, and the BEGIN indentation."""

    begin: int
    end: int
    indent: str


@dataclass(frozen=True)
class ReleaseReport:
    """What :func:`make_student_copy` did to one notebook.

    Attributes:
        regions: number of code solution regions replaced by stubs (one per coding exercise).
        whole_cells: code cells marked as solutions without markers, replaced as a whole.
        answers: markdown answer cells replaced by ``YOUR ANSWER HERE``.
        warnings: things in the notebook that may break in a student copy living elsewhere.
    """

    regions: int
    whole_cells: int
    answers: int
    warnings: tuple[str, ...] = ()

    @property
    def exercises(self) -> int:
        """Number of things a student has to do (code stubs plus written answers)."""
        return self.regions + self.whole_cells + self.answers


def is_marker(line: str, marker: str) -> bool:
    """True if ``line`` is a comment line holding ``marker`` (e.g. ``    ### BEGIN SOLUTION``)."""
    stripped = line.strip()
    return stripped.startswith("#") and marker in stripped


def is_solution_cell(cell: nbformat.NotebookNode) -> bool:
    """True if the cell is marked as a solution: tag ``"solution"`` or metadata ``nbgrader.solution``."""
    meta = cell.get("metadata", {})
    return SOLUTION_TAG in meta.get("tags", []) or bool(meta.get("nbgrader", {}).get("solution", False))


def find_regions(source: str, *, where: str = "cell") -> list[Region]:
    """Find the solution regions of one cell's source.

    Args:
        source: the cell's source text.
        where: how to name the cell in error messages, e.g. ``"01_perceptron.ipynb, cell 7"``.

    Returns:
        The regions in order, with 0-based line numbers.

    Raises:
        MarkerError: for an END without a BEGIN, a BEGIN inside a region, or a BEGIN never closed.
    """
    regions: list[Region] = []
    open_at: int | None = None
    indent = ""
    for i, line in enumerate(source.splitlines()):
        if is_marker(line, BEGIN_MARKER):
            if open_at is not None:
                raise MarkerError(f"{where}, line {i + 1}: nested '### {BEGIN_MARKER}' (the region opened at line "
                                  f"{open_at + 1} is not closed yet); close it with '### {END_MARKER}' first.")
            open_at, indent = i, line[: len(line) - len(line.lstrip())]
        elif is_marker(line, END_MARKER):
            if open_at is None:
                raise MarkerError(f"{where}, line {i + 1}: '### {END_MARKER}' without a '### {BEGIN_MARKER}' "
                                  f"before it.")
            regions.append(Region(open_at, i, indent))
            open_at = None
    if open_at is not None:
        raise MarkerError(f"{where}, line {open_at + 1}: '### {BEGIN_MARKER}' is never closed by "
                          f"'### {END_MARKER}' in the same cell.")
    return regions


def strip_regions(source: str, regions: Sequence[Region]) -> str:
    """Replace each region of ``source`` (markers included) by the two-line code stub at its indentation."""
    lines = source.splitlines()
    out: list[str] = []
    pos = 0
    for region in regions:
        out.extend(lines[pos:region.begin])
        out.extend(region.indent + stub for stub in CODE_STUB)
        pos = region.end + 1
    out.extend(lines[pos:])
    return "\n".join(out)


def make_student_copy(nb: nbformat.NotebookNode, *, name: str = "notebook") -> tuple[nbformat.NotebookNode, ReleaseReport]:
    """Return the student copy of ``nb`` (``nb`` itself is not changed) and a report.

    Args:
        nb: an instructor notebook (nbformat 4).
        name: the notebook's name for messages.

    Raises:
        MarkerError: if any code cell has unbalanced or nested markers.
    """
    student = clear_outputs(copy.deepcopy(nb))
    regions = whole = answers = 0
    warnings: list[str] = []
    for index, cell in enumerate(student.cells):
        where = f"{name}, cell {index}"
        if cell.cell_type == "markdown" and is_solution_cell(cell):
            cell.source = ANSWER_STUB
            answers += 1
            cell.pop("attachments", None)
        elif cell.cell_type == "code":
            found = find_regions(cell.source, where=where)
            if found:
                cell.source = strip_regions(cell.source, found)
                regions += len(found)
            elif is_solution_cell(cell):
                cell.source = "\n".join(CODE_STUB)
                whole += 1
            if _RELATIVE_PATH.search(cell.source):
                warnings.append(f"{where}: uses a relative path or sys.path; the student copy lives in another "
                                f"folder, so load files through utils (utils.data, utils.output_dir) instead.")
    return student, ReleaseReport(regions, whole, answers, tuple(warnings))


def release_notebook(src: str | Path, out_dir: str | Path) -> tuple[Path, ReleaseReport]:
    """Write the student copy of the notebook ``src`` into ``out_dir`` (same file name); ``src`` is only read.

    Raises:
        NotebookError: if ``src`` is missing or not a notebook.
        MarkerError: if its markers are unbalanced or nested (nothing is written).
        ValueError: if the copy would overwrite ``src`` itself.
    """
    src = Path(src)
    dest = Path(out_dir) / src.name
    if dest.resolve() == src.resolve():
        raise ValueError(f"refusing to write the student copy of {src} over the notebook itself: "
                         f"choose another --out folder than {Path(out_dir)}")
    nb = read_notebook(src)
    student, report = make_student_copy(nb, name=src.name)
    write_notebook(student, dest)
    return dest, report


def default_notebooks() -> list[Path]:
    """Every ``*.ipynb`` in the pack's ``notebooks/`` folder, sorted by name."""
    return sorted((repo_root() / "notebooks").glob("*.ipynb"))


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: release the named notebooks (default: all of notebooks/). Returns the exit code."""
    parser = argparse.ArgumentParser(prog="python -m utils.release", description=__doc__.split("\n\n")[0])
    parser.add_argument("notebooks", nargs="*", type=Path, help="notebooks to release (default: notebooks/*.ipynb)")
    parser.add_argument("--out", type=Path, default=None, help="output folder (default: release/ at the top of the pack)")
    args = parser.parse_args(argv)
    out_dir = args.out if args.out is not None else repo_root() / "release"
    sources = list(args.notebooks) or default_notebooks()
    if not sources:
        print(f"no notebooks found in {repo_root() / 'notebooks'}", file=sys.stderr)
        return 1
    failed = 0
    for src in sources:
        try:
            dest, report = release_notebook(src, out_dir)
        except (NotebookError, MarkerError, ValueError) as err:
            failed += 1
            print(f"REFUSED {src}: {err} (no student copy written for it)", file=sys.stderr)
            continue
        extra = f", {report.whole_cells} whole solution cell(s)" if report.whole_cells else ""
        print(f"{src.name}: {report.regions} code exercise(s){extra}, {report.answers} written answer(s) -> {dest}")
        for warning in report.warnings:
            print(f"  warning: {warning}", file=sys.stderr)
    print(f"released {len(sources) - failed} of {len(sources)} notebook(s) to {out_dir}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
