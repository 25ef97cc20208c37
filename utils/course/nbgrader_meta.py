"""nbgrader's cell metadata for the course notebooks, derived from the pack's own conventions.

Usage (from the top of the course pack)::

    python -m utils.course.nbgrader_meta                 # write the metadata into every notebooks/*.ipynb
    python -m utils.course.nbgrader_meta --check         # exit 1 if any notebook's metadata is missing or stale
    python -m utils.course.nbgrader_meta notebooks/01_the_neuron.ipynb [--check]

The pack marks its exercises the way nbgrader's ``ClearSolutions`` reads them (``### BEGIN SOLUTION`` /
``### END SOLUTION``, markdown answers tagged ``solution``), and a check cell follows each coding exercise
(``checks.the_neuron.check_perceptron_predict(perceptron_predict);``). Real nbgrader also needs each of those
cells described in ``metadata.nbgrader`` (schema 3). This module derives that description from the markers,
tags and check calls alone, so it is the same on every run and never edited by hand:

* **a code cell with solution markers, or tagged** ``solution`` (an autograded answer): ``solution: true,
  grade: false, locked: false``, ``grade_id`` ``ex-01-1-solution``, from the label of the exercise whose check
  comes next (``-solution-2`` and so on if several cells lead to one check);
* **a check cell** (an autograder test): ``grade: true, solution: false, locked: true``, worth
  :data:`POINTS_PER_CHECK` per check it calls, ``grade_id`` ``ex-01-1-check``. nbgrader gives its points when
  the cell runs without an error (a check raises on a wrong or missing answer) and nothing on stderr;
* **a markdown or raw cell with markers, or tagged** ``solution`` (a written answer): ``solution: true, grade:
  true`` (nbgrader's schema requires a markdown solution to be a grade cell) with :data:`ANSWER_POINTS` = 0
  points, ``grade_id`` ``ex-01-answer-1`` (numbered in notebook order). A written answer cannot be autograded;
  the pack's answers are self-checked against the model answer, so they score nothing and the autograded
  total stays reachable. The instructor still sees each answer in nbgrader's formgrader;
* every other cell has no ``nbgrader`` entry (one that is there is stale and removed).

The label of a check (``"01.1"``) is read from the check function's ``@exercise`` declaration, importing
``utils.checks.<module>`` (no TensorFlow at import). Files are rewritten only where the metadata changed, in
the notebooks' own JSON layout (indent 1, sorted keys, UTF-8 unescaped, trailing newline), so ``git diff``
shows metadata lines only.

:func:`student_metadata` finishes a student copy's metadata as ``nbgrader generate_assignment`` does
(``checksum`` and ``cell_type``, and ``deletable``/``editable`` from ``LockCells``); :mod:`utils.course.release`
calls it, so its copies carry the same nbgrader metadata as nbgrader's own.

Exit codes: 0 all current (or written); 1 ``--check`` found missing or stale metadata, or a notebook could not
be read or described (a solution with no check after it, a check of an unknown exercise).
"""
from __future__ import annotations

import argparse
import hashlib
import importlib
import json
import re
import sys
from pathlib import Path
from typing import Any, Mapping, MutableMapping, Sequence

from utils.conventions import BEGIN_MARKER, SOLUTION_TAG, is_marker
from utils.settings import repo_root

SCHEMA_VERSION = 3
"""nbgrader's cell metadata schema (nbgrader 0.6 and later)."""
POINTS_PER_CHECK = 1
"""Points of an autograder test cell, per check function it calls."""
ANSWER_POINTS = 0
"""Points of a written (markdown) answer: manual answers are not part of the autograded total."""

_CHECK_CALL = re.compile(r"^\s*checks\.(\w+)\.(check_\w+)\(", re.MULTILINE)
"""A check call as the pack writes it, at the start of a line: ``checks.<module>.check_<name>(``."""

Meta = dict[str, Any]


class MetadataError(ValueError):
    """A notebook whose nbgrader metadata cannot be derived (the message names notebook and cell)."""


def _source(cell: Mapping[str, Any]) -> str:
    """A cell's source as one string (notebook files store it as a list of lines)."""
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else str(src)


def has_markers(source: str) -> bool:
    """True if ``source`` has a solution region's BEGIN marker line (``### BEGIN SOLUTION``)."""
    return any(is_marker(line, BEGIN_MARKER) for line in source.splitlines())


def is_tagged_solution(cell: Mapping[str, Any]) -> bool:
    """True if the cell carries the pack's ``solution`` tag (nbgrader metadata is output here, never input)."""
    return SOLUTION_TAG in cell.get("metadata", {}).get("tags", [])


def check_calls(source: str) -> list[tuple[str, str]]:
    """The ``(module, function)`` of every check a cell calls, e.g. ``[("the_neuron", "check_nand_weights")]``."""
    return _CHECK_CALL.findall(source)


def exercise_label(module: str, function: str) -> str:
    """The label (``"01.4"``) of the exercise checked by ``utils.checks.<module>.<function>``.

    Raises:
        MetadataError: if there is no such module or function, or it is not an ``@exercise`` check.
    """
    try:
        check = getattr(importlib.import_module(f"utils.checks.{module}"), function)
        return str(check.exercise.label)
    except (ImportError, AttributeError) as err:
        raise MetadataError(f"checks.{module}.{function} is not an @exercise check of utils.checks: {err}") from err


def _label_id(label: str) -> str:
    """``"01.1"`` -> ``"ex-01-1"``."""
    return "ex-" + label.replace(".", "-")


def _unique(grade_id: str, used: set[str]) -> str:
    """``grade_id``, or ``grade_id-2``, ``-3``... if taken; records the one returned in ``used``."""
    candidate, n = grade_id, 1
    while candidate in used:
        n += 1
        candidate = f"{grade_id}-{n}"
    used.add(candidate)
    return candidate


def _meta(grade_id: str, *, solution: bool, grade: bool, locked: bool, points: int | None = None) -> Meta:
    meta: Meta = {"grade": grade, "grade_id": grade_id, "locked": locked, "schema_version": SCHEMA_VERSION,
                  "solution": solution}
    if grade:
        meta["points"] = points
    return meta


def wanted_metadata(cells: Sequence[Mapping[str, Any]], *, name: str = "notebook") -> list[Meta | None]:
    """The nbgrader metadata each cell should have (``None``: no ``nbgrader`` entry), see the module doc.

    Args:
        cells: the notebook's cells (nbformat nodes or the plain dicts of its JSON).
        name: the notebook's name for messages.

    Raises:
        MetadataError: a code solution with no check cell after it, or a check of an unknown exercise.
    """
    wanted: list[Meta | None] = [None] * len(cells)
    used: set[str] = set()
    pending: list[int] = []  # code solution cells waiting for the next check cell
    answers = 0
    notebook = name[:2] if name[:2].isdigit() else "nb"
    for index, cell in enumerate(cells):
        source, kind = _source(cell), cell.get("cell_type")
        solution = has_markers(source) or is_tagged_solution(cell)
        if kind == "code" and solution:
            pending.append(index)
        elif kind == "code" and check_calls(source):
            calls = check_calls(source)
            try:
                label = _label_id(exercise_label(*calls[0]))
            except MetadataError as err:
                raise MetadataError(f"{name}, cell {index}: {err}") from None
            for cell_index in pending:
                wanted[cell_index] = _meta(_unique(f"{label}-solution", used), solution=True, grade=False,
                                           locked=False)
            pending = []
            wanted[index] = _meta(_unique(f"{label}-check", used), solution=False, grade=True, locked=True,
                                  points=POINTS_PER_CHECK * len(calls))
        elif kind in ("markdown", "raw") and solution:
            answers += 1
            wanted[index] = _meta(_unique(f"ex-{notebook}-answer-{answers}", used), solution=True, grade=True,
                                  locked=False, points=ANSWER_POINTS)
    if pending:
        raise MetadataError(f"{name}, cell {pending[0]}: a code solution with no check cell after it; nbgrader "
                            f"needs an exercise label for it (add its check cell, 'checks.<module>.check_...(...)').")
    return wanted


def nbgrader_misreads(cells: Sequence[Mapping[str, Any]], *, name: str = "notebook") -> list[str]:
    """Lines nbgrader would take for solution markers although the pack does not (prose quoting a marker).

    nbgrader's ``ClearSolutions`` treats *any* line containing ``BEGIN SOLUTION`` or ``END SOLUTION`` as a
    marker, so ``between `### BEGIN SOLUTION` and ...`` in a markdown cell makes ``generate_assignment`` fail
    (an unclosed region) or drop the line. :mod:`utils.course.release` reads only comment lines. Rewording such
    a line (for example "between the BEGIN and END marker lines") makes the notebook readable by both.
    """
    found = []
    for index, cell in enumerate(cells):
        for number, line in enumerate(_source(cell).splitlines(), 1):
            if ("BEGIN SOLUTION" in line or "END SOLUTION" in line) and not line.strip().startswith("#"):
                found.append(f"{name}, cell {index}, line {number}: nbgrader would read {line.strip()[:50]!r} as a "
                             f"solution marker")
    return found


def problems(nb: Mapping[str, Any], *, name: str = "notebook") -> list[str]:
    """What is missing or stale in ``nb``'s nbgrader metadata, one message per cell (empty: all current)."""
    found = []
    for index, (cell, want) in enumerate(zip(nb["cells"], wanted_metadata(nb["cells"], name=name))):
        have = cell.get("metadata", {}).get("nbgrader")
        if have != want:
            what = "missing" if have is None else "stale, to be removed" if want is None else "stale"
            found.append(f"{name}, cell {index} ({cell.get('cell_type')}): nbgrader metadata {what}"
                         + (f" (want grade_id {want['grade_id']!r})" if want else ""))
    return found


def apply(nb: MutableMapping[str, Any], *, name: str = "notebook") -> int:
    """Write the wanted nbgrader metadata into ``nb``'s cells in place; returns how many cells changed."""
    changed = 0
    for cell, want in zip(nb["cells"], wanted_metadata(nb["cells"], name=name)):
        meta = cell.setdefault("metadata", {})
        if meta.get("nbgrader") != want:
            changed += 1
            if want is None:
                del meta["nbgrader"]
            else:
                meta["nbgrader"] = want
    return changed


def dumps(nb: Mapping[str, Any]) -> str:
    """The notebooks' own file layout: JSON with indent 1, sorted keys, unescaped UTF-8, trailing newline."""
    return json.dumps(nb, indent=1, sort_keys=True, ensure_ascii=False) + "\n"


# ------------------------------------------------------------------- student copies (as generate_assignment)
def _flag(meta: Mapping[str, Any], key: str) -> bool:
    return bool(meta.get(key, False))


def compute_checksum(cell: Mapping[str, Any]) -> str:
    """nbgrader's ``utils.compute_checksum``: MD5 of source, cell type, flags, grade_id and (grade cells) points."""
    meta = cell["metadata"]["nbgrader"]
    grade, solution = _flag(meta, "grade"), _flag(meta, "solution")
    locked = solution is False and (_flag(meta, "locked") or grade)  # nbgrader's is_locked
    parts = [_source(cell), str(cell["cell_type"]), str(grade), str(solution), str(locked), meta["grade_id"]]
    if grade:
        parts.append(str(float(meta["points"])))
    digest = hashlib.md5()
    for part in parts:
        digest.update(part.encode("utf-8"))
    return digest.hexdigest()


def student_metadata(student: Mapping[str, Any]) -> None:
    """Finish a student copy's metadata in place, as ``nbgrader generate_assignment`` does.

    For every cell with nbgrader metadata that is a solution, grade or locked cell: ``checksum`` (of the copy's
    stubbed source) and ``cell_type`` (nbgrader's ``ComputeChecksums``); solution cells become undeletable,
    grade and locked cells undeletable and uneditable (nbgrader's ``LockCells`` defaults). Cells whose metadata
    lacks a ``grade_id`` (or a grade cell its ``points``) are left as they are.
    """
    for cell in student["cells"]:
        meta = cell.get("metadata", {})
        nbg = meta.get("nbgrader")
        if not nbg:
            continue
        grade, solution, locked = _flag(nbg, "grade"), _flag(nbg, "solution"), _flag(nbg, "locked")
        if not (grade or solution or locked) or "grade_id" not in nbg or (grade and "points" not in nbg):
            continue  # nothing for nbgrader to check, or incomplete metadata nbgrader would refuse anyway
        if solution:
            meta["deletable"] = False
        else:
            meta["deletable"] = meta["editable"] = False
        nbg["checksum"] = compute_checksum(cell)
        nbg["cell_type"] = cell["cell_type"]


# ------------------------------------------------------------------------------------------ command line
def process(path: Path, *, check: bool) -> tuple[int, list[str]]:
    """Check or update one notebook file. Returns ``(cells changed or stale, messages)``.

    Raises:
        MetadataError: the notebook's metadata cannot be derived.
        OSError, ValueError: the file cannot be read or is not JSON.
    """
    text = path.read_text(encoding="utf-8")
    nb = json.loads(text)
    if check:
        found = problems(nb, name=path.name)
        return len(found), found
    if dumps(nb) != text:
        raise MetadataError(f"{path.name}: not in the notebooks' JSON layout (indent 1, sorted keys); save it with "
                            f"Jupyter first, so that rewriting it changes only metadata.")
    changed = apply(nb, name=path.name)
    if changed:
        path.write_text(dumps(nb), encoding="utf-8")
    return changed, []


def main(argv: Sequence[str] | None = None) -> int:
    """Command line (see the module doc). Returns the exit code."""
    doc = __doc__ or ""
    parser = argparse.ArgumentParser(prog="python -m utils.course.nbgrader_meta", description=doc.split("\n\n")[0])
    parser.add_argument("notebooks", nargs="*", type=Path, help="notebooks (default: notebooks/*.ipynb)")
    parser.add_argument("--check", action="store_true", help="only check: exit 1 if any metadata is missing or stale")
    args = parser.parse_args(argv)
    paths = list(args.notebooks) or sorted((repo_root() / "notebooks").glob("*.ipynb"))
    failed = stale = 0
    for path in paths:
        try:
            count, messages = process(path, check=args.check)
        except (MetadataError, OSError, ValueError) as err:
            failed += 1
            print(f"error: {path}: {err}", file=sys.stderr)
            continue
        stale += count
        for message in nbgrader_misreads(json.loads(path.read_text(encoding="utf-8"))["cells"], name=path.name):
            print(f"warning: {message}; nbgrader generate_assignment will refuse or mangle this notebook",
                  file=sys.stderr)
        for message in messages:
            print(message, file=sys.stderr)
        if count and not args.check:
            print(f"{path.name}: nbgrader metadata written for {count} cell(s)")
    if args.check:
        print(f"nbgrader metadata: {len(paths) - failed} notebook(s) read, {stale} cell(s) missing or stale"
              + (f", {failed} unreadable" if failed else ""))
        if stale:
            print("run `python -m utils.course.nbgrader_meta` to bring it up to date", file=sys.stderr)
    return 1 if failed or (args.check and stale) else 0


if __name__ == "__main__":
    sys.exit(main())
