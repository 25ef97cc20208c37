"""Re-run a handed-in notebook under the instructor's control, and spot cells that touch the check machinery.

Used by ``python -m utils.course.grade --rerun`` (see :mod:`utils.course.grade`). Like nbgrader's autograder, which puts
its own test cells back before running a submission, the re-run

1. loads the instructor's notebook ``notebooks/<notebook>`` (the manifest names it; a missing one is a
   :class:`RegradeError`, never a silent pass);
2. builds the notebook to run from the student's cells, replacing every cell that is a *check* or the
   *summary* cell in the instructor's notebook (:func:`utils.course.cells.cell_role`) by the instructor's source.
   Cells are matched by their nbformat ``id`` (kept by the release copy and by JupyterLab); cells without a
   matching id are matched by aligning the two notebooks (:class:`difflib.SequenceMatcher` over cell sources),
   and an instructor check cell the student deleted is put back after the cell that preceded it. The
   provenance of each cell is written to its metadata (``nncourse_grade.source``: ``"instructor"``,
   ``"instructor (re-inserted)"`` or ``"student"``) for the executed copy a human may read; the results never
   depend on that metadata (which a student could forge) but on the cell positions this module chose;
3. runs it top to bottom (:func:`utils.course.runner.run_notebook`, quick mode, fresh kernel);
4. derives each exercise's status **only** from what the restored instructor check cells printed: never from
   a student cell's output, never from the kernel's ``RESULTS`` (a student cell may have rewritten it).
   For each instructor check cell, the exercises it checks are found statically (the ``check_…`` functions
   it calls, whose ``@exercise("NN", k, …)`` declarations are read from ``utils/checks/*.py`` and from the
   instructor's own cells). Then:

   * the cell never ran (the run stopped earlier): *not attempted*;
   * it raised ``NotImplementedError``: *not attempted*;
   * it raised before its check printed anything, in the cell where the run stopped: *not attempted*
     (the check never ran; that is what the hand-in records too);
   * it raised anything else: *failed*, whatever it printed;
   * no error: the last ✅/❌/⏳ line it printed for that exercise; *failed* if it printed none.

   (Only when a check cell calls no check function whose declaration can be found are the exercises it
   printed lines for used instead.)

The scan for student cells that touch the check machinery is :mod:`utils.course.flags`.
"""
from __future__ import annotations

import ast
import copy
import difflib
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

import nbformat

from utils.conventions import Status, match_check_line
from utils.course.cells import cell_role, error_output, exercise_number, stream_text
from utils.course.flags import parse_cell, top_level_calls
from utils.course.notebook_io import NotebookError, clear_outputs, read_notebook
from utils.course.runner import run_notebook
from utils.settings import repo_root

INSTRUCTOR_ROLES = ("check", "summary")
"""Roles (:func:`utils.course.cells.cell_role`) of the instructor cells that a re-run restores."""
PROVENANCE_KEY = "nncourse_grade"
"""Cell metadata key recording where a cell of the re-run notebook came from (for human readers only)."""
AST_LOCK = threading.Lock()
"""Held around every parse of a cell or module by the grader (:func:`parse`, and ``grade``'s flag scan), because
``grade --jobs`` grades zips in threads and CPython 3.11 keeps the AST constructor's recursion depth per
interpreter, not per thread: two threads parsing at once (one let in by a finalizer the garbage collector runs
mid-parse) can fail with ``SystemError: AST constructor recursion depth mismatch``, or with a RecursionError that
would make a check cell look unparseable (seen once in 24 re-runs at ``--jobs 2``; CPython gh-106905)."""


def parse(source: str) -> ast.Module | None:
    """:func:`utils.course.flags.parse_cell` under :data:`AST_LOCK`."""
    with AST_LOCK:
        return parse_cell(source)



class RegradeError(RuntimeError):
    """The re-run could not be set up (e.g. no instructor notebook); the message says what to do."""


def default_instructor_dir() -> Path:
    """``notebooks/`` at the top of the course pack: the instructor's versions of the notebooks."""
    return repo_root() / "notebooks"


def load_instructor_notebook(notebook: str, instructor_dir: str | Path | None = None) -> nbformat.NotebookNode:
    """The instructor's version of ``notebook`` (a file name such as ``09_vanilla_gan.ipynb``).

    Raises:
        RegradeError: the file is missing or is not a readable notebook.
    """
    folder = Path(instructor_dir) if instructor_dir is not None else default_instructor_dir()
    path = folder / Path(notebook).name
    try:
        return read_notebook(path)
    except NotebookError as err:
        missing = err.reason in ("missing", "not-a-file")
        raise RegradeError(f"no instructor notebook {path}: --rerun needs the instructor's version of "
                           f"{Path(notebook).name} in {folder} to restore its check cells" if missing
                           else f"instructor notebook unusable: {err}") from None


# ----------------------------------------------------------------------------------------------- parsing
def _declared_in(tree: ast.Module) -> Iterable[tuple[str, str]]:
    """``(function name, label)`` for every ``@exercise("NN", k, …)``-decorated function in ``tree``."""
    for node in ast.walk(tree):
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        for dec in node.decorator_list:
            if not (isinstance(dec, ast.Call) and len(dec.args) >= 2):
                continue
            name = dec.func.attr if isinstance(dec.func, ast.Attribute) else getattr(dec.func, "id", "")
            nb_arg, num_arg = dec.args[0], dec.args[1]
            if (name == "exercise" and isinstance(nb_arg, ast.Constant) and isinstance(nb_arg.value, str)
                    and isinstance(num_arg, ast.Constant) and type(num_arg.value) is int):
                yield node.name, f"{nb_arg.value}.{num_arg.value}"


def labels_by_check_function(instructor: nbformat.NotebookNode,
                              checks_dir: str | Path | None = None) -> dict[str, list[str]]:
    """Which exercise labels each check function checks, read statically (nothing is imported or run).

    Args:
        instructor: the instructor notebook (its own cells may declare checks, as the test fixture does).
        checks_dir: folder of the topic check modules (default: ``utils/checks`` of this pack).

    Returns:
        ``{function name: [label, ...]}``, e.g. ``{"check_softmax": ["02.2"]}``.
    """
    folder = Path(checks_dir) if checks_dir is not None else Path(__file__).resolve().parent.parent / "checks"
    sources = [p.read_text(encoding="utf-8") for p in sorted(folder.glob("*.py"))]
    sources += [c.source for c in instructor.cells if c.cell_type == "code"]
    out: dict[str, list[str]] = {}
    for src in sources:
        tree = parse(src)
        for name, label in (_declared_in(tree) if tree is not None else ()):
            out.setdefault(name, []).append(label)
    return out


def checked_labels(source: str, declared: dict[str, list[str]], number: str | None) -> list[str]:
    """Exercise labels a check cell checks: those of the declared check functions it calls (notebook ``number``)."""
    tree = parse(source)
    if tree is None:
        return []
    labels = [label for name in top_level_calls(tree) for label in declared.get(name, [])
              if number is None or label.startswith(f"{number}.")]
    return list(dict.fromkeys(labels))


# ----------------------------------------------------------------------------------------------- building
@dataclass
class RerunNotebook:
    """The notebook a re-run executes, and which of its cells are the instructor's.

    Attributes:
        notebook: student cells with the instructor's check and summary cells restored (outputs cleared).
        instructor_cells: ``{index in notebook: index in the instructor notebook}`` of every restored cell.
        reinserted: instructor cell indices the student had deleted (put back).
        replaced: instructor cell indices whose student copy had been edited (source replaced).
    """

    notebook: nbformat.NotebookNode
    instructor_cells: dict[int, int]
    reinserted: list[int] = field(default_factory=list)
    replaced: list[int] = field(default_factory=list)


def _controlled(instructor: nbformat.NotebookNode) -> list[int]:
    return [j for j, c in enumerate(instructor.cells) if c.cell_type == "code" and cell_role(c) in INSTRUCTOR_ROLES]


def match_cells(student: nbformat.NotebookNode, instructor: nbformat.NotebookNode) -> dict[int, int]:
    """``{instructor cell index: student cell index}``: by cell ``id`` first, then by aligning sources."""
    return _align(student, instructor)[0]


def _align(student: nbformat.NotebookNode,
           instructor: nbformat.NotebookNode) -> tuple[dict[int, int], dict[int, int]]:
    """``(match, loose)``: the cell matching of :func:`match_cells`, and a looser one for placing deleted cells
    (cells at the same offset within a block the two notebooks differ in, e.g. an exercise and its stub)."""
    controlled = set(_controlled(instructor))
    s_by_id = {c.get("id"): i for i, c in enumerate(student.cells) if c.get("id")}
    match: dict[int, int] = {}
    for j, cell in enumerate(instructor.cells):
        i = s_by_id.get(cell.get("id")) if cell.get("id") else None
        if i is not None and student.cells[i].cell_type == cell.cell_type:
            match[j] = i
    used = set(match.values())
    loose: dict[int, int] = {}
    key = [(c.cell_type, c.source) for c in instructor.cells], [(c.cell_type, c.source) for c in student.cells]
    for tag, a0, a1, b0, b1 in difflib.SequenceMatcher(None, *key, autojunk=False).get_opcodes():
        if tag == "equal":
            pairs = list(zip(range(a0, a1), range(b0, b1)))
        elif tag == "replace":  # edited check cells: pair them in order
            loose.update(zip(range(a0, a1), range(b0, b1)))
            free = [i for i in range(b0, b1) if student.cells[i].cell_type == "code"
                    and cell_role(student.cells[i]) in INSTRUCTOR_ROLES and i not in used]
            pairs = list(zip([j for j in range(a0, a1) if j in controlled and j not in match], free))
        else:
            pairs = []
        for j, i in pairs:
            if j not in match and i not in used:
                match[j] = i
                used.add(i)
    return match, {**loose, **match}


def build_rerun_notebook(student: nbformat.NotebookNode, instructor: nbformat.NotebookNode) -> RerunNotebook:
    """The student's notebook with every instructor check and summary cell restored (see the module docs)."""
    controlled = _controlled(instructor)
    match, loose = _align(student, instructor)
    by_student = {i: j for j, i in match.items()}
    pending: dict[int, list[int]] = {}  # student index after which to re-insert (-1: at the top)
    for j in controlled:
        if j not in match:
            anchor = max((loose[k] for k in range(j) if k in loose), default=-1)
            pending.setdefault(anchor, []).append(j)

    def instructor_copy(j: int, how: str) -> nbformat.NotebookNode:
        cell = copy.deepcopy(instructor.cells[j])
        cell.metadata[PROVENANCE_KEY] = {"source": how, "instructor_index": j}
        return cell

    cells: list[nbformat.NotebookNode] = []
    restored: dict[int, int] = {}
    result = RerunNotebook(nbformat.v4.new_notebook(), restored)
    for j in pending.get(-1, []):
        restored[len(cells)] = j
        cells.append(instructor_copy(j, "instructor (re-inserted)"))
        result.reinserted.append(j)
    for i, cell in enumerate(student.cells):
        j = by_student.get(i)
        if j is not None and j in controlled:
            if cell.source != instructor.cells[j].source:
                result.replaced.append(j)
            restored[len(cells)] = j
            cells.append(instructor_copy(j, "instructor"))
        else:
            mine = copy.deepcopy(cell)
            mine.metadata[PROVENANCE_KEY] = {"source": "student"}
            cells.append(mine)
        for j2 in pending.get(i, []):
            restored[len(cells)] = j2
            cells.append(instructor_copy(j2, "instructor (re-inserted)"))
            result.reinserted.append(j2)
    nb = copy.deepcopy(student)
    nb.cells = cells
    result.notebook = clear_outputs(nb)
    return result


# ----------------------------------------------------------------------------------------------- results
def derive_results(executed: nbformat.NotebookNode, built: RerunNotebook, instructor: nbformat.NotebookNode,
                   *, failed_index: int | None, checks_dir: str | Path | None = None,
                   name: str = "") -> dict[str, Status]:
    """Each exercise's status from the restored instructor check cells of an executed re-run only.

    Args:
        executed: the executed copy of ``built.notebook`` (same cells, same order, with outputs).
        built: what :func:`build_rerun_notebook` returned.
        instructor: the instructor notebook.
        failed_index: index of the cell where the run stopped, or None if it completed.
        checks_dir: folder of the topic check modules (see :func:`labels_by_check_function`).
        name: the notebook's file name (its number is used when the instructor notebook has no summary cell).

    Returns:
        ``{label: status}`` for every exercise declared for the notebook or reported by an instructor check cell.
    """
    number = exercise_number(instructor, name or "instructor.ipynb")
    declared = labels_by_check_function(instructor, checks_dir)
    statuses: dict[str, Status] = {label: "not attempted" for labels in declared.values() for label in labels
                                   if number is None or label.startswith(f"{number}.")}
    for index, j in sorted(built.instructor_cells.items()):
        ref = instructor.cells[j]
        if cell_role(ref) != "check" or index >= len(executed.cells):
            continue
        cell = executed.cells[index]
        printed: dict[str, Status] = {}
        for line in stream_text(cell).splitlines():
            matched = match_check_line(line)
            if matched and (number is None or matched[0].startswith(f"{number}.")):
                printed[matched[0]] = matched[1]
        labels = checked_labels(ref.source, declared, number) or list(printed)
        if not isinstance(cell.get("execution_count"), int):
            continue  # never ran: the labels keep "not attempted"
        err = error_output(cell)
        error = (err["ename"] or "error") if err is not None else None
        for label in labels:
            last = printed.get(label)
            if error == "NotImplementedError":
                status: Status = "not attempted"
            elif error is not None:
                status = "not attempted" if (last is None and index == failed_index) else "failed"
            else:
                status = last if last is not None else "failed"
            statuses[label] = status
    return statuses


@dataclass
class RerunResult:
    """What a re-run under the instructor's control found.

    Attributes:
        statuses: ``{label: status}`` (see :func:`derive_results`).
        run_status: ``"complete"`` or ``"failed"``.
        failed_cell: where the run stopped (``index``, ``first_line``, ``ename``, ``evalue``), or None.
        notebook: the executed re-run notebook (cells carry their provenance in metadata).
        reinserted: instructor cell indices the student had deleted (put back).
        replaced: instructor cell indices whose student copy had been edited (restored).
    """

    statuses: dict[str, Status]
    run_status: str
    failed_cell: dict[str, Any] | None
    notebook: nbformat.NotebookNode
    reinserted: list[int]
    replaced: list[int]


def rerun(manifest: dict[str, Any], nb: nbformat.NotebookNode, *, instructor_dir: str | Path | None = None,
          timeout: int, checks_dir: str | Path | None = None) -> RerunResult:
    """Run the student's notebook ``nb`` with the instructor's check cells restored (quick mode, fresh kernel).

    Args:
        manifest: the hand-in manifest (only its ``notebook`` file name is used).
        nb: the student's (executed) notebook from the zip; its outputs are ignored.
        instructor_dir: folder of the instructor notebooks (default ``notebooks/`` of this pack).
        timeout: per-cell time limit, seconds.
        checks_dir: folder of the topic check modules (see :func:`labels_by_check_function`).

    Raises:
        RegradeError: no usable instructor notebook.
    """
    instructor = load_instructor_notebook(str(manifest["notebook"]), instructor_dir)
    folder = Path(instructor_dir) if instructor_dir is not None else default_instructor_dir()
    built = build_rerun_notebook(nb, instructor)
    run = run_notebook(built.notebook, cwd=folder, quick=True, timeout=timeout,
                       number=exercise_number(instructor, str(manifest["notebook"])))
    failed_index = run.failed_cell.get("index") if run.failed_cell else None
    statuses = derive_results(run.notebook, built, instructor, failed_index=failed_index, checks_dir=checks_dir,
                              name=str(manifest["notebook"]))
    return RerunResult(statuses, run.status, run.failed_cell, run.notebook, built.reinserted, built.replaced)


def compare_with_manifest(manifest: dict[str, Any], result: RerunResult) -> list[str]:
    """Differences between the manifest's claims and the re-run, e.g. ``["98.1 passed->failed", "run complete->failed"]``."""
    before = {str(c["label"]): str(c["status"]) for c in manifest["checks"]}
    after = dict(result.statuses)
    diffs = [f"{label} {before.get(label, '-')}->{after.get(label, '-')}"
             for label in sorted(set(before) | set(after)) if before.get(label) != after.get(label)]
    if result.run_status != manifest["run"]["status"]:
        diffs.append(f"run {manifest['run']['status']}->{result.run_status}")
    return diffs
