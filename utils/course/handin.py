"""Hand in a notebook: run it top to bottom in a fresh kernel, and zip the proof with a manifest.

Command line (from the top of the course pack)::

    python -m utils.course.handin notebooks/09_vanilla_gan.ipynb --student-id S1234567 --name "Ada Lovelace"

or from a notebook cell (save the notebook first: the file on disk is what is handed in)::

    import utils.course.handin
    utils.course.handin.hand_in("09_vanilla_gan.ipynb", student_id="S1234567", name="Ada Lovelace")

What happens:

1. The notebook file is read once (never modified) and its SHA-256 recorded.
2. A copy runs from the first cell to the last in a fresh ``python3`` kernel of the current environment, with
   the notebook's folder as working directory, in full mode (``--quick`` sets ``NNCOURSE_QUICK=1``) and a
   per-cell time limit (``--timeout``; by default four times the time the whole notebook takes in full mode, at
   least 2 minutes, see :func:`utils.course.handin_inputs.default_timeout`, so a stuck cell gives up in about the
   time the notebook needs). Errors are classified (:mod:`utils.course.runner`, :mod:`utils.course.cells`):

   * ``NotImplementedError`` (an exercise still holding its stub, or a check or cell using it): the exercise
     counts as *not attempted*, the run goes on;
   * an error in a cell where a check printed ``❌`` (an ``AssertionError`` from a check, or an exception
     from the student's code inside a check): a *failed* exercise, the run goes on;
   * anything else (``NameError`` because cells only worked out of order, a crash, a time-out): the run
     *failed* at that cell and stops there;
   * cells tagged ``raises-exception`` (errors on purpose, as in nbval/nbclient) are not counted at all.

3. The check results are read from the kernel (one extra cell prints ``utils.checks.core.export_results``
   as JSON behind a sentinel). If the kernel is gone (a time-out, or it died, e.g. out of memory), it is
   killed and the exercises checked before are kept: every exercise declared for the notebook is listed,
   with the status its printed ✅/❌/⏳ line gave, the others as *not attempted*.
4. ``handin/<student id>_<notebook>.zip`` is written atomically. It holds the executed notebook, its HTML
   export and ``manifest.json`` (student, notebook SHA-256, UTC time, versions, run status, failed cell,
   every check's result, run time, SHA-256 of each other member).

A run that failed part-way is still handed in, with run status ``"failed"`` and the failing cell (index and
first line) in the manifest and in the message; the command then exits with status 1 so the student knows
to fix it and hand in again with ``--force``. Problems before running (bad student id, missing or broken
notebook, an ``--out`` that is not a folder, an earlier hand-in without ``--force``) write nothing and exit with
status 2.

The manifest protects against accidental damage and naive edits, not against a determined forger (anyone can
rebuild a zip): ``python -m utils.course.grade --rerun`` re-executes the notebook for that.

This module holds :func:`hand_in` (the zip, its manifest, the message to the student) and the command line; the
checks of its inputs are in :mod:`utils.course.handin_inputs`, the kernel run in :mod:`utils.course.runner`.
"""
from __future__ import annotations

import argparse
import datetime as _dt
import io
import json
import os
import platform
import sys
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Sequence

import nbformat

from utils.conventions import ICON_OF_STATUS
from utils.course.cells import exercise_number, one_line
from utils.course.handin_inputs import (MIN_TIMEOUT, HandinError, check_out_dir, default_handin_dir, default_timeout,
                                        timeout_explanation, validate_name, validate_student_id, zip_name)
from utils.course.manifest import MANIFEST_FORMAT, MANIFEST_NAME
from utils.course.notebook_io import NotebookError, cells_sha256, load_notebook, notebook_to_bytes, sha256_bytes
from utils.course.runner import DEFAULT_TIMEOUT, RUNNING_ENV_VAR, run_notebook
from utils.files import atomic_write_bytes
from utils.validation import check_positive_int


@dataclass(frozen=True)
class HandinResult:
    """What :func:`hand_in` wrote: the zip, its manifest, and whether the run completed (``ok``)."""

    zip_path: Path
    manifest: dict[str, Any]

    @property
    def ok(self) -> bool:
        return self.manifest["run"]["status"] == "complete"


def html_export(nb: nbformat.NotebookNode) -> str:
    """The notebook as a stand-alone HTML page (nbconvert's HTMLExporter)."""
    from nbconvert import HTMLExporter

    body, _ = HTMLExporter().from_notebook_node(nb)
    return body


def build_zip_bytes(manifest: dict[str, Any], members: dict[str, bytes]) -> bytes:
    """A zip holding ``manifest.json`` (with ``members`` hashed into ``manifest["members"]``) and ``members``."""
    manifest = {**manifest, "members": {name: sha256_bytes(data) for name, data in members.items()}}
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(MANIFEST_NAME, json.dumps(manifest, indent=2, ensure_ascii=False).encode("utf-8"))
        for name, data in members.items():
            zf.writestr(name, data)
    return buf.getvalue()


def _refuse_existing(zip_path: Path) -> None:
    when = "an earlier run"
    try:
        with zipfile.ZipFile(zip_path) as zf:
            when = json.loads(zf.read(MANIFEST_NAME).decode("utf-8")).get("handed_in_at", when)
    except Exception:
        pass
    raise HandinError(f"{zip_path} already exists (handed in at {when}); it was left unchanged. "
                      f"To replace it, hand in again with --force (force=True).")


def hand_in(path: str | Path, *, student_id: str, name: str, quick: bool = False, timeout: int | None = None,
            force: bool = False, out: str | Path | None = None, progress: bool = True,
            verbose: bool = True) -> HandinResult | None:
    """Run the notebook at ``path`` in a fresh kernel and write the hand-in zip (see the module docs).

    Args:
        path: the notebook to hand in (read, never modified).
        student_id: 1-64 letters, digits, ``-`` or ``_``.
        name: the student's name.
        quick: run in quick mode (for trying the hand-in out; hand in for real in full mode).
        timeout: per-cell time limit, seconds; None: :func:`default_timeout` for this notebook and mode.
        force: replace an earlier hand-in of the same notebook.
        out: folder for the zip (default: ``handin/`` at the top of the pack).
        progress: show a progress bar while the cells run.
        verbose: print the result summary.

    Returns:
        The :class:`HandinResult` (check ``.ok``: False if the run failed part-way, in which case the zip still
        records the failing cell), or None when called inside a hand-in run (a ``hand_in`` cell in the notebook
        does not hand itself in again).

    Raises:
        HandinError: bad student id or name, ``out`` is not a folder (or cannot be one), an earlier hand-in
            exists and ``force`` is False, or the zip could not be written.
        NotebookError: the notebook does not exist, is not valid JSON or is not a notebook.
    """
    if os.environ.get(RUNNING_ENV_VAR) == "1":
        print("hand_in(...) skipped: this notebook is being run for a hand-in right now.")
        return None
    student_id = validate_student_id(student_id)
    name = validate_name(name)
    given = timeout is not None
    if given:
        timeout = check_positive_int(timeout, "timeout")
    src = Path(path)
    data, nb = load_notebook(src)
    out_dir = Path(out) if out is not None else default_handin_dir()
    zip_path = out_dir / zip_name(student_id, src)
    check_out_dir(out_dir, zip_path)
    if zip_path.exists() and not force:
        _refuse_existing(zip_path)
    number = exercise_number(nb, src)
    if timeout is None:
        timeout = default_timeout(number, quick=quick)
    handed_in_at = _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds")
    mtime = _dt.datetime.fromtimestamp(src.stat().st_mtime, _dt.timezone.utc).isoformat(timespec="seconds")
    if verbose:
        print(f"Handing in {src.name} as saved on disk (last saved {mtime} UTC): running it top to bottom in a "
              f"fresh kernel, {'QUICK' if quick else 'full'} mode, "
              f"{timeout_explanation(number, timeout, quick=quick, given=given)}...")
    try:
        run = run_notebook(nb, cwd=src.resolve().parent, quick=quick, timeout=timeout, number=number,
                           progress=progress)
    except Exception as err:  # the kernel could not start: nothing to hand in
        raise HandinError(f"could not run {src.name} in a fresh kernel ({type(err).__name__}: {one_line(str(err))}). "
                          f"Is ipykernel installed in this Python environment ({sys.executable})?") from err
    members: dict[str, bytes] = {}
    try:
        members[f"{src.stem}.ipynb"] = notebook_to_bytes(run.notebook)
    except NotebookError:  # an unusual output the schema rejects: keep the evidence anyway
        members[f"{src.stem}.ipynb"] = nbformat.writes(run.notebook).encode("utf-8")
        run.notes.append("the executed notebook does not validate against the nbformat schema")
    try:
        members[f"{src.stem}.html"] = html_export(run.notebook).encode("utf-8")
    except Exception as err:  # HTML is a convenience: never lose a hand-in over it
        run.notes.append(f"HTML export failed: {type(err).__name__}: {one_line(str(err))}")
    manifest: dict[str, Any] = {
        "format": MANIFEST_FORMAT,
        "student_id": student_id,
        "name": name,
        "notebook": src.name,
        "notebook_number": number,
        "notebook_sha256": sha256_bytes(data),
        "cells_sha256": cells_sha256(nb),
        "handed_in_at": handed_in_at,
        "notebook_saved_at": mtime,
        "quick": quick,
        "timeout_s": timeout,
        "platform": f"{platform.system()} {platform.release()} {platform.machine()}",
        "versions": run.versions,
        "run": {"status": run.status, "failed_cell": run.failed_cell, "errors": run.errors,
                "seconds": run.seconds, "results_from": run.results_from},
        "checks": run.checks,
        "counts": run.counts(),
        "notes": run.notes,
    }
    blob = build_zip_bytes(manifest, members)
    if zip_path.exists() and not force:  # someone handed in while this one ran
        _refuse_existing(zip_path)
    try:
        atomic_write_bytes(zip_path, blob)
    except OSError as err:  # e.g. no permission, disk full: atomic_write_bytes leaves nothing behind
        raise HandinError(f"could not write {zip_path} ({type(err).__name__}: {err.strerror or err}); "
                          f"nothing was written. Give another folder with --out.") from err
    with zipfile.ZipFile(zip_path) as zf:
        manifest = json.loads(zf.read(MANIFEST_NAME).decode("utf-8"))
    result = HandinResult(zip_path, manifest)
    if verbose:
        print(describe(result))
    return result


def describe(result: HandinResult) -> str:
    """A few lines for the student: checks, run status (and the failing cell), where the zip is."""
    m = result.manifest
    lines = [f"{ICON_OF_STATUS.get(c['status'], '?')} {c['label']} {c['title']}: {c['status']}"
             .replace("  ", " ") for c in m["checks"]]
    counts = m["counts"]
    lines.append(f"— {counts['passed']} of {len(m['checks'])} exercises passed; run took {m['run']['seconds']:.1f} s.")
    fc = m["run"]["failed_cell"]
    if fc is None:
        lines.append(f"Handed in: {result.zip_path}")
    elif fc["ename"] in _KERNEL_LOST:
        lines.append(stopped_message(fc, m["checks"]))
        advice = (f"If that cell only needs more time, hand in again with --force --timeout "
                  f"{2 * int(m.get('timeout_s') or DEFAULT_TIMEOUT)}; otherwise fix it"
                  if fc["ename"] == "CellTimeoutError" else "Fix that cell")
        lines.append(f"Saved anyway with status 'failed' in {result.zip_path}. {advice}, save, and hand in again "
                     f"with --force.")
    else:
        lines.append(f"The run FAILED at cell {fc['index']} (`{fc['first_line']}`): {fc['ename']}: {fc['evalue']}")
        lines.append(f"Saved anyway with status 'failed' in {result.zip_path}. Fix that cell (Kernel > Restart "
                     f"Kernel and Run All Cells shows the problem), save, and hand in again with --force.")
    for note in m.get("notes", []):
        lines.append(f"note: {note}")
    return "\n".join(lines)


_KERNEL_LOST = ("CellTimeoutError", "DeadKernelError")
"""Failures after which the kernel is gone: the results come from the printed check lines."""


def stopped_message(failed_cell: dict[str, Any], checks: list[dict[str, Any]]) -> str:
    """One line for a run that stopped because a cell timed out or the kernel died, saying what was kept.

    Args:
        failed_cell: the manifest's ``run.failed_cell`` (``index``, ``first_line``, ``evalue``).
        checks: the manifest's ``checks`` rows (``label``, ``status``).
    """
    kept = [f"{c['label']} {c['status']}" for c in checks if c["status"] != "not attempted"]
    if not kept:
        what = "No exercise was checked before that; all count as not attempted."
    else:
        rest = "; the others count as not attempted" if len(kept) < len(checks) else ""
        what = f"Exercises checked before that are kept: {', '.join(kept)}{rest}."
    where = f"cell {failed_cell['index']} (`{failed_cell['first_line']}`)"
    return f"The run stopped at {where}: {failed_cell['evalue']}. {what}"


def safe_console() -> None:
    """Never crash on printing ✅/❌/⏳ to a console or file whose encoding lacks them (e.g. cp1252 on Windows)."""
    for stream in (sys.stdout, sys.stderr):
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="backslashreplace")


def main(argv: Sequence[str] | None = None) -> int:
    """Command line. Exit status: 0 handed in, 1 handed in but the run failed part-way, 2 nothing written."""
    safe_console()
    parser = argparse.ArgumentParser(prog="python -m utils.course.handin",
                                     description="Run a notebook top to bottom in a fresh kernel and zip it for hand-in.")
    parser.add_argument("notebook", type=Path)
    parser.add_argument("--student-id", required=True, help="letters, digits, - and _ only (e.g. S1234567)")
    parser.add_argument("--name", required=True, help='your name, in quotes ("Ada Lovelace")')
    parser.add_argument("--quick", action="store_true", help="quick mode (NNCOURSE_QUICK=1): for a trial run only")
    parser.add_argument("--timeout", type=int, default=None,
                        help="per-cell time limit in seconds (default: 4x the notebook's expected full-mode run "
                             f"time, at least {MIN_TIMEOUT} s; {DEFAULT_TIMEOUT} s for a notebook not in the course)")
    parser.add_argument("--force", action="store_true", help="replace an earlier hand-in of this notebook")
    parser.add_argument("--out", type=Path, default=None, help="folder for the zip (default: handin/)")
    args = parser.parse_args(argv)
    try:
        result = hand_in(args.notebook, student_id=args.student_id, name=args.name, quick=args.quick,
                         timeout=args.timeout, force=args.force, out=args.out)
    except (HandinError, NotebookError, ValueError) as err:
        print(f"hand-in not written: {err}", file=sys.stderr)
        return 2
    if result is None:
        return 0
    return 0 if result.ok else 1


if __name__ == "__main__":
    sys.exit(main())
