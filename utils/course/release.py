"""Student copies of the course notebooks, following nbgrader's conventions without needing nbgrader.

Usage (from the top of the course pack)::

    python -m utils.course.release                      # every notebook in notebooks/ -> release/
    python -m utils.course.release notebooks/01_the_neuron.ipynb --out release/

In each student copy (nbgrader's ``ClearSolutions`` rules, applied to every cell whatever its tags)

* every region of a code cell between a ``### BEGIN SOLUTION`` line and an ``### END SOLUTION`` line (markers
  included) becomes ``# YOUR CODE HERE`` and ``raise NotImplementedError()`` at the BEGIN marker's
  indentation (nbgrader's replacement); a code cell marked as a solution (tag ``"solution"`` or metadata
  ``nbgrader.solution: true``) that has no markers is replaced as a whole;
* every such region of a markdown or raw cell becomes ``YOUR ANSWER HERE`` (nbgrader's ``text_stub``; nbgrader
  treats raw cells like markdown ones), and a markdown or raw cell marked as a solution that has no markers is
  replaced as a whole by ``YOUR ANSWER HERE``; attachments the remaining text no longer uses are dropped;
* outputs and execution counts are cleared; cells with nbgrader metadata get the ``checksum``, ``cell_type``
  and lock flags nbgrader's own copies have (:func:`utils.course.nbgrader_meta.student_metadata`).

A marker is a line that starts with ``#`` and holds ``BEGIN SOLUTION`` or ``END SOLUTION`` exactly (upper case,
one space), e.g. ``    ### BEGIN SOLUTION``. A line that only *looks* like one (``## begin solution``,
``# BEGIN_SOLUTION``, ``<!-- END SOLUTION -->``, ``BEGIN SOLUTION`` without ``#``: once leading whitespace,
``#`` and ``<!--`` are skipped it starts with begin/end solution in any case, with a space, ``_``, ``-`` or
nothing between) would let a solution through, so its notebook is refused. Prose that quotes a marker
mid-sentence (``between `### BEGIN SOLUTION` and ...``) is left alone. As a last safety net every student copy
is checked before it is written: no marker-like line and no line found only inside solutions may remain.

The instructor's notebooks are only read, never written. A notebook with unbalanced, nested or misspelt markers
is refused with a message naming notebook, cell, line (and cell type), and nothing is written for it. Only
notebooks are copied: the copies find ``utils`` because it is an installed package, whatever folder they live in.

Exit codes of the command line:

* 0: every notebook was released;
* 1: at least one notebook was refused (markers, unreadable notebook, output over the source, write error) or
  there was no notebook to release; the others were still released;
* 2: a usage error found before anything is written: bad arguments, ``--out`` that is a file or lies under
  one, two notebooks with the same file name (they would overwrite each other in the output folder).
"""
from __future__ import annotations

import argparse
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Sequence

import nbformat

from utils.conventions import ANSWER_STUB, BEGIN_MARKER, CODE_STUB, END_MARKER, SOLUTION_TAG, is_marker
from utils.course.nbgrader_meta import student_metadata
from utils.course.notebook_io import NotebookError, blocking_file, clear_outputs, read_notebook, write_notebook
from utils.settings import repo_root

_RELATIVE_PATH = re.compile(r"""["'](\.\.[/\\]|notebooks[/\\])|sys\.path\.(insert|append)""")
_MARKER_LIKE = re.compile(r"(?:\s|#|<!--)*(?:begin|end)[\s_-]*solution\b", re.IGNORECASE)
"""A line starting (after whitespace, ``#`` and ``<!--``) with begin/end solution, in any case or spelling."""
_ATTACHMENT_REF = re.compile(r"attachment:([^\s)\"'>]+)")


class MarkerError(ValueError):
    """Unbalanced, nested or misspelt solution markers (the message names notebook, cell and line)."""


class LeakError(ValueError):
    """A student copy would still hold solution text or a marker: it is never written (a bug in this module)."""


class OutputError(ValueError):
    """The output folder cannot hold the student copies (``--out`` is a file, or two copies share a name)."""


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
        answers: written answers replaced by ``YOUR ANSWER HERE``: markdown/raw answer cells replaced as a whole
            plus solution regions of markdown/raw cells.
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


def looks_like_marker(line: str) -> bool:
    """True if ``line`` is, or might have been meant as, a solution marker (any case, ``_``/``-`` spellings).

    Examples: ``### BEGIN SOLUTION``, ``## begin solution``, ``# END_SOLUTION``, ``<!-- BEGIN SOLUTION -->``.
    Prose quoting a marker mid-line (``put code between `### BEGIN SOLUTION` and ...``) is not one.
    """
    return bool(_MARKER_LIKE.match(line)) or is_marker(line, BEGIN_MARKER) or is_marker(line, END_MARKER)


def is_solution_cell(cell: nbformat.NotebookNode) -> bool:
    """True if the cell is marked as a solution: tag ``"solution"`` or metadata ``nbgrader.solution``."""
    meta = cell.get("metadata", {})
    return SOLUTION_TAG in meta.get("tags", []) or bool(meta.get("nbgrader", {}).get("solution", False))


def check_marker_spelling(source: str, *, where: str = "cell", cell_type: str = "code") -> None:
    """Refuse a line that looks like a solution marker but is not one :func:`find_regions` understands.

    Such a line would otherwise be copied to students together with the solution it was meant to hide.

    Args:
        source: one cell's source text.
        where: how to name the cell in error messages, e.g. ``"01_the_neuron.ipynb, cell 7"``.
        cell_type: the cell's type (``"code"``, ``"markdown"``, ``"raw"``), for the message.

    Raises:
        MarkerError: naming the line (1-based) and showing it.
    """
    for i, line in enumerate(source.splitlines()):
        if looks_like_marker(line) and not (is_marker(line, BEGIN_MARKER) or is_marker(line, END_MARKER)):
            raise MarkerError(
                f"{where}, line {i + 1} ({cell_type} cell): {line.strip()!r} looks like a solution marker but is "
                f"not one release understands, so the solution after it would reach the students. Write the "
                f"marker on its own line exactly as '### {BEGIN_MARKER}' / '### {END_MARKER}' (upper case, one "
                f"space), or reword the line if it is not meant as a marker.")


def find_regions(source: str, *, where: str = "cell") -> list[Region]:
    """Find the solution regions of one cell's source.

    Args:
        source: the cell's source text.
        where: how to name the cell in error messages, e.g. ``"01_the_neuron.ipynb, cell 7"``.

    Returns:
        The regions in order, with 0-based line numbers.

    Raises:
        MarkerError: for an END without a BEGIN, a BEGIN inside a region, or a BEGIN never closed.
    """
    regions: list[Region] = []
    open_at: int | None = None
    indent = ""
    problem = None
    for i, line in enumerate(source.splitlines()):
        if is_marker(line, BEGIN_MARKER) and open_at is not None:
            problem = (f"line {i + 1}: nested '### {BEGIN_MARKER}' (the region opened at line {open_at + 1} is not "
                       f"closed yet); close it with '### {END_MARKER}' first.")
        elif is_marker(line, BEGIN_MARKER):
            open_at, indent = i, line[: len(line) - len(line.lstrip())]
        elif is_marker(line, END_MARKER) and open_at is None:
            problem = f"line {i + 1}: '### {END_MARKER}' without a '### {BEGIN_MARKER}' before it."
        elif is_marker(line, END_MARKER):
            regions.append(Region(open_at, i, indent))
            open_at = None
        if problem:
            break
    if problem is None and open_at is not None:
        problem = f"line {open_at + 1}: '### {BEGIN_MARKER}' is never closed by '### {END_MARKER}' in the same cell."
    if problem is not None:
        raise MarkerError(f"{where}, {problem}")
    return regions


def strip_regions(source: str, regions: Sequence[Region], stub: Sequence[str] = CODE_STUB) -> str:
    """Replace each region of ``source`` (markers included) by the ``stub`` lines at its indentation.

    Args:
        source: one cell's source text.
        regions: its regions, from :func:`find_regions`.
        stub: the replacement lines: :data:`CODE_STUB` for code cells, ``(ANSWER_STUB,)`` for markdown/raw.
    """
    lines = source.splitlines()
    out: list[str] = []
    pos = 0
    for region in regions:
        out.extend(lines[pos:region.begin])
        out.extend(region.indent + line for line in stub)
        pos = region.end + 1
    out.extend(lines[pos:])
    return "\n".join(out)


def _drop_unused_attachments(cell: nbformat.NotebookNode) -> None:
    """Remove the attachments (e.g. a pasted picture of the answer) that the cell's source no longer refers to."""
    attachments = cell.get("attachments")
    if not attachments:
        cell.pop("attachments", None)
        return
    used = set(_ATTACHMENT_REF.findall(cell.source))
    kept = {key: value for key, value in attachments.items() if key in used}
    if kept:
        cell.attachments = kept
    else:
        cell.pop("attachments", None)


def _solution_lines(nb: nbformat.NotebookNode) -> set[str]:
    """The stripped, non-blank lines of ``nb`` that occur only inside solutions (regions or solution cells).

    Lines that also occur outside every solution (``return x``, say) and the stubs themselves are excluded,
    so a correct student copy never contains any of the returned lines. ``nb`` must have valid markers.
    """
    secret: set[str] = set()
    public: set[str] = set()
    for cell in nb.cells:
        regions = find_regions(cell.source)
        inside = {i for region in regions for i in range(region.begin, region.end + 1)}
        whole = not regions and is_solution_cell(cell)
        for i, line in enumerate(cell.source.splitlines()):
            if line.strip():
                (secret if whole or i in inside else public).add(line.strip())
    return secret - public - {*CODE_STUB, ANSWER_STUB}


def check_no_leak(instructor: nbformat.NotebookNode, student: nbformat.NotebookNode, *, name: str = "notebook") -> None:
    """Last safety net: refuse a student copy holding a marker-like line or a line found only in solutions.

    Raises:
        LeakError: naming the cell and line of the student copy (then nothing must be written).
    """
    secret = _solution_lines(instructor)
    for index, cell in enumerate(student.cells):
        for i, line in enumerate(cell.source.splitlines()):
            what = ("a solution marker" if looks_like_marker(line)
                    else "solution text" if line.strip() in secret else None)
            if what:
                raise LeakError(f"{name}, cell {index}, line {i + 1} ({cell.cell_type} cell): the student copy "
                                f"would still contain {what} ({line.strip()[:60]!r}), so it is not written. This "
                                f"is a bug in utils.course.release: please report it with the notebook.")


def make_student_copy(nb: nbformat.NotebookNode, *, name: str = "notebook") -> tuple[nbformat.NotebookNode, ReleaseReport]:
    """Return the student copy of ``nb`` (``nb`` itself is not changed) and a report.

    Args:
        nb: an instructor notebook (nbformat 4).
        name: the notebook's name for messages.

    Raises:
        MarkerError: if any cell has unbalanced, nested or misspelt markers.
        LeakError: if, despite all that, the copy still holds a marker or solution-only text.
    """
    student = clear_outputs(nb)
    regions = whole = answers = 0
    warnings: list[str] = []
    for index, cell in enumerate(student.cells):
        where = f"{name}, cell {index}"
        check_marker_spelling(cell.source, where=where, cell_type=cell.cell_type)
        found = find_regions(cell.source, where=where)
        if cell.cell_type == "code":
            if found:
                cell.source = strip_regions(cell.source, found)
                regions += len(found)
            elif is_solution_cell(cell):
                cell.source = "\n".join(CODE_STUB)
                whole += 1
            if _RELATIVE_PATH.search(cell.source):
                warnings.append(f"{where}: uses a relative path or sys.path; the student copy lives in another "
                                f"folder, so load files through utils (utils.data, utils.output_dir) instead.")
        elif found or is_solution_cell(cell):  # markdown or raw: nbgrader's text stub
            cell.source = strip_regions(cell.source, found, (ANSWER_STUB,)) if found else ANSWER_STUB
            answers += len(found) or 1
            _drop_unused_attachments(cell)
    check_no_leak(nb, student, name=name)
    student_metadata(student)
    return student, ReleaseReport(regions, whole, answers, tuple(warnings))


def check_out_dir(out_dir: str | Path) -> None:
    """Refuse an output folder that is an existing file or lies under one (it is fine if it does not exist yet).

    Raises:
        OutputError: saying which path is a file.
    """
    out_dir = Path(out_dir)
    blocker = blocking_file(out_dir)
    if blocker is not None:
        raise OutputError(f"--out {out_dir} is an existing file, not a folder: give a folder (created if missing)."
                          if blocker == out_dir else f"--out {out_dir} cannot be created because {blocker} is a "
                          f"file, not a folder: give a folder whose parents are folders.")


def plan_outputs(sources: Iterable[str | Path], out_dir: str | Path) -> list[tuple[Path, Path]]:
    """Pair each notebook with the file its student copy goes to, refusing any clash before anything is written.

    The same notebook named twice is released once. File names are compared ignoring case, as on Windows and
    macOS, where ``A.ipynb`` and ``a.ipynb`` are one file.

    Args:
        sources: the instructor notebooks.
        out_dir: the output folder.

    Returns:
        ``(source, destination)`` pairs, in the order given.

    Raises:
        OutputError: if ``out_dir`` is a file or under one, if two different notebooks share a file name, or
            if a destination exists and is a folder.
    """
    check_out_dir(out_dir)
    plan: list[tuple[Path, Path]] = []
    seen: dict[str, Path] = {}
    for src in map(Path, sources):
        key, dest = src.name.casefold(), Path(out_dir) / src.name
        if key in seen and seen[key].resolve() == src.resolve():
            continue
        if key in seen:
            clash = (f"{seen[key]} and {src} would both be released as {dest}, the second overwriting the first: "
                     f"release them into different --out folders (one command each) or rename one.")
        elif dest.exists() and not dest.is_file():
            clash = (f"{dest} exists and is not a file, so the student copy of {src} cannot be written there: move "
                     f"it away or choose another --out folder.")
        else:
            seen[key] = src
            plan.append((src, dest))
            continue
        raise OutputError(clash)
    return plan


def release_notebook(src: str | Path, out_dir: str | Path) -> tuple[Path, ReleaseReport]:
    """Write the student copy of the notebook ``src`` into ``out_dir`` (same file name); ``src`` is only read.

    Raises:
        NotebookError: if ``src`` is missing or not a notebook.
        MarkerError: if its markers are unbalanced, nested or misspelt (nothing is written).
        LeakError: if the copy would still hold solution text (nothing is written).
        OutputError: if ``out_dir`` is a file or under one, or the destination is a folder.
        ValueError: if the copy would overwrite ``src`` itself.
    """
    src = Path(src)
    ((_, dest),) = plan_outputs([src], out_dir)
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
    """Command line: release the named notebooks (default: all of notebooks/). Returns the exit code (see above)."""
    doc = __doc__ or ""
    parser = argparse.ArgumentParser(prog="python -m utils.course.release", description=doc.split("\n\n")[0],
                                     epilog=doc[doc.find("Exit codes"):].replace("``", "'"),
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("notebooks", nargs="*", type=Path, help="notebooks to release (default: notebooks/*.ipynb)")
    parser.add_argument("--out", type=Path, default=None, help="output folder (default: release/ at the top of the pack)")
    args = parser.parse_args(argv)
    out_dir = args.out if args.out is not None else repo_root() / "release"
    sources = list(args.notebooks) or default_notebooks()
    if not sources:
        print(f"no notebooks found in {repo_root() / 'notebooks'}", file=sys.stderr)
        return 1
    try:
        plan = plan_outputs(sources, out_dir)
    except OutputError as err:
        print(f"error: {err} Nothing was written.", file=sys.stderr)
        return 2
    failed = 0
    for src, _ in plan:
        try:
            dest, report = release_notebook(src, out_dir)
        except (NotebookError, MarkerError, LeakError, ValueError, OSError) as err:
            failed += 1
            print(f"REFUSED {src}: {err} (no student copy written for it)", file=sys.stderr)
            continue
        extra = f", {report.whole_cells} whole solution cell(s)" if report.whole_cells else ""
        print(f"{src.name}: {report.regions} code exercise(s){extra}, {report.answers} written answer(s) -> {dest}")
        for warning in report.warnings:
            print(f"  warning: {warning}", file=sys.stderr)
    print(f"released {len(plan) - failed} of {len(plan)} notebook(s) to {out_dir}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
