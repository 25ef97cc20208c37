"""Check hand-in zips and write a gradebook CSV.

Usage (from the top of the course pack)::

    python -m utils.course.grade handin/*.zip                      # or a folder: python -m utils.course.grade handin/
    python -m utils.course.grade handin/ --rerun --out gradebook.csv
    python -m utils.course.grade handin/ --rerun --jobs 2               # two notebooks re-run at once

**Default mode** cross-checks everything a zip says against everything else in it:

* it is a readable zip (no member over :data:`utils.course.verify.MAX_MEMBER_BYTES`, no duplicate names) holding
  ``manifest.json``, a JSON object whose every field has the type and form :func:`utils.course.handin.hand_in`
  writes (:func:`utils.course.manifest.manifest_problems`); ``handed_in_at`` must be ISO 8601 with a time zone;
* every member's SHA-256 matches the manifest, and no member is missing or unexpected;
* the zip's file name is ``<student_id>_<notebook stem>.zip`` of the manifest (a prefix such as an LMS adds,
  or a download's `` (1)`` suffix, is accepted);
* the executed notebook's cells match ``cells_sha256``; its ``checks.summary("NN")`` matches
  ``notebook_number``; a ``hand_in(...)`` call in it names the same student id and name;
* ``counts`` agrees with ``checks``; ``run.status`` agrees with ``failed_cell`` and with the fatal errors in
  ``run.errors``; ``run.errors`` agrees with the error outputs in the executed notebook, re-classified with
  :func:`utils.course.cells.classify_error`; a "complete" run has every code cell executed, a failed one no cell
  executed after the failing one;
* every check result agrees with the last ✅/❌/⏳ line the notebook printed for it, a "passed" or "failed"
  result must have such a line, and every printed exercise of the notebook must be listed;
* the HTML export shows the same ✅/❌/⏳ lines as the executed notebook.

What default mode cannot detect: a zip rebuilt consistently (anyone can edit the notebook's outputs and the
manifest together and recompute the hashes), nor a changed ``name`` when the notebook does not mention it.
That is what ``--rerun`` is for.

**Flags.** Student-authored code cells that touch the check machinery (``RESULTS``, ``.record(``,
``EXERCISES``, ``export_results``, ``utils.checks.core``, ...; see :func:`utils.course.flags.machinery_flags`) are
listed in the ``flags`` column and on the console. A flag is a pointer for a human, not an integrity failure.

**--rerun** executes the notebook again under the instructor's control (:mod:`utils.course.regrade`): the
instructor's check and summary cells from ``notebooks/`` replace the student's, and results come only from what
those cells printed. Any difference from the manifest (or a re-run that cannot be done, e.g. no instructor
notebook) is an integrity failure.

**--jobs N** grades N zips at once (mostly useful with ``--rerun``, where each zip costs a kernel run). The
gradebook is the same as with ``--jobs 1`` (the default): rows are put back in the order the zips were given before
the latest hand-ins are picked and sorted. Each zip is graded in a *thread* of this process: the work is done by the
kernel, a separate process that every :func:`~utils.course.runner.run_notebook` starts and stops itself, while the
thread mostly waits on its ZMQ sockets (GIL released). Threads are what jupyter_client supports here: nbclient runs
each thread's kernel calls on that thread's own asyncio loop, each kernel manager has its own ZMQ context, and the
in-process ``LocalPortCache`` keeps two kernels started at once from picking the same ports, which separate grader
processes would not (nor is ``fork`` safe once ZMQ has started). The threads take turns to parse cells
(:data:`utils.course.regrade.AST_LOCK`: CPython 3.11's ``ast`` is not thread-safe). A notebook that hangs or whose
kernel dies costs only its own slot: every cell has the ``--timeout`` limit (the kernel is then killed; it is a
per-cell limit, so k slow cells may take k times it), which makes it that zip's re-run failure (a dead kernel too),
and any error in a worker becomes that zip's row ("grader error"), never the run's. On Ctrl-C no new zip starts;
those running finish first. More jobs than CPU cores only make kernels compete. A progress bar over the zips goes to
stderr when it is a terminal.

One gradebook row per student and notebook (the latest intact hand-in by parsed ``handed_in_at``), plus one
row per zip with an integrity problem, never a crash. Text cells starting with ``=``, ``+``, ``-``, ``@``, tab or carriage return
get a leading ``'`` (OWASP's advice against CSV injection), and long ones are shortened.

Exit status: 0 every zip intact, 1 some integrity problem, 2 no zips found or ``--out`` unusable.
"""
from __future__ import annotations

import argparse
import concurrent.futures as _futures
import csv
import datetime as _dt
import glob
import io
import sys
from pathlib import Path
from typing import Any, Sequence

import nbformat
from tqdm.auto import tqdm

from utils.conventions import count_statuses
from utils.course import flags, regrade
from utils.course.cells import one_line
from utils.course.handin import safe_console
from utils.course.manifest import MANIFEST_FIELDS, parse_time
from utils.course.notebook_io import blocking_file
from utils.course.runner import DEFAULT_TIMEOUT
from utils.course.verify import read_zip
from utils.files import atomic_write_text
from utils.validation import check_positive_int

COLUMNS = ["student_id", "name", "notebook", "passed", "failed", "not_attempted", "exercises", "run_status",
           "failed_cell", "run_seconds", "handed_in_at", "quick", "python", "tensorflow", "keras", "integrity",
           "flags", "rerun", "zip"]
"""Gradebook columns, in order."""

MAX_CELL = 500
"""Longest text written into one gradebook cell (longer text is shortened with …)."""
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


# ----------------------------------------------------------------------------------------------- rows
def _instructor_or_none(notebook: str, instructor_dir: str | Path | None) -> nbformat.NotebookNode | None:
    try:
        return regrade.load_instructor_notebook(notebook, instructor_dir)
    except regrade.RegradeError:
        return None


def grade_zip(path: str | Path, *, rerun: bool = False, timeout: int = DEFAULT_TIMEOUT,
              instructor_dir: str | Path | None = None) -> dict[str, Any]:
    """One gradebook row (a dict with :data:`COLUMNS`) for the zip at ``path``; never raises on a bad zip.

    Args:
        path: the hand-in zip.
        rerun: also re-run the notebook under the instructor's control (:mod:`utils.course.regrade`).
        timeout: per-cell time limit of the re-run, seconds.
        instructor_dir: folder of the instructor notebooks (default ``notebooks/`` of this pack).
    """
    row = _blank_row(path)
    try:
        _fill_row(row, Path(path), rerun=rerun, timeout=timeout, instructor_dir=instructor_dir)
    except Exception as err:  # a bug or a case nobody foresaw: one row says so, the gradebook goes on
        _grader_error(row, err)
    return row


def _blank_row(path: str | Path) -> dict[str, Any]:
    row: dict[str, Any] = {col: "" for col in COLUMNS}
    row["zip"] = str(path)
    row["run_status"] = "unknown"
    return row


def _grader_error(row: dict[str, Any], err: BaseException) -> dict[str, Any]:
    row["integrity"] = (f"grader error ({type(err).__name__}: {one_line(str(err), 200)}); "
                        f"please report it with this zip")
    row["_valid"] = False
    return row


def _fill_row(row: dict[str, Any], path: Path, *, rerun: bool, timeout: int,
              instructor_dir: str | Path | None) -> None:
    report = read_zip(path)
    problems = list(report.problems)
    manifest, nb = report.manifest, report.notebook
    row["_valid"] = manifest is not None
    if manifest is None:
        raw = report.raw if isinstance(report.raw, dict) else {}
        for key in ("student_id", "name", "notebook"):  # whatever is well-formed helps the instructor
            if key in raw and MANIFEST_FIELDS[key](raw[key]) is None:
                row[key] = raw[key]
        row["integrity"] = "; ".join(problems)
        return
    counts = count_statuses(c["status"] for c in manifest["checks"])
    run, versions, fc = manifest["run"], manifest["versions"], manifest["run"]["failed_cell"]
    row.update(student_id=manifest["student_id"], name=manifest["name"], notebook=manifest["notebook"],
               passed=counts["passed"], failed=counts["failed"], not_attempted=counts["not attempted"],
               exercises=len(manifest["checks"]), run_status=run["status"],
               failed_cell=f"{fc['index']}: {fc['first_line']} ({fc['ename']})" if fc else "",
               run_seconds=run["seconds"], handed_in_at=manifest["handed_in_at"], quick=manifest["quick"],
               python=versions.get("python") or "", tensorflow=versions.get("tensorflow") or "",
               keras=versions.get("keras") or "")
    instructor = _instructor_or_none(manifest["notebook"], instructor_dir)
    if nb is not None:
        with regrade.AST_LOCK:  # it parses every cell: one thread at a time (see regrade.AST_LOCK)
            row["flags"] = "; ".join(flags.machinery_flags(nb, instructor))
    if rerun and nb is not None:
        try:
            result = regrade.rerun(manifest, nb, instructor_dir=instructor_dir, timeout=timeout)
            diffs = regrade.compare_with_manifest(manifest, result)
            row["rerun"] = "agrees" if not diffs else "differs: " + "; ".join(diffs)
            if diffs:
                problems.append(f"the re-run under the instructor's control disagrees with the manifest "
                                f"({'; '.join(diffs)})")
        except Exception as err:  # no instructor notebook, a kernel that cannot start
            row["rerun"] = f"could not re-run: {one_line(str(err), 200) or type(err).__name__}"
            problems.append(f"not verified by re-running: {one_line(str(err), 200) or type(err).__name__}")
    elif rerun:
        row["rerun"] = "could not re-run: no executed notebook in the zip"
    row["integrity"] = "ok" if not problems else "; ".join(problems)


def expand_paths(args: Sequence[str]) -> list[Path]:
    """Zip paths from arguments that may be files, folders (their ``*.zip``) or glob patterns (for Windows shells)."""
    out: list[Path] = []
    for arg in args:
        p = Path(arg)
        if p.is_dir():
            out.extend(sorted(p.glob("*.zip")))
        elif not p.exists() and any(ch in arg for ch in "*?["):
            out.extend(sorted(Path(m) for m in glob.glob(arg)))
        else:
            out.append(p)
    return out


_EPOCH = _dt.datetime.min.replace(tzinfo=_dt.timezone.utc)


def grade_zips(paths: Sequence[str | Path], *, jobs: int = 1, progress: bool = False,
               **options: Any) -> list[dict[str, Any]]:
    """:func:`grade_zip` of every path, ``jobs`` at once (threads, see the module docs), rows in the order given.

    Args:
        paths: the hand-in zips.
        jobs: how many zips to grade at once (int >= 1); 1 grades them one after the other in this thread.
        progress: show a progress bar over the zips on stderr (only if stderr is a terminal).
        options: passed to :func:`grade_zip` (``rerun``, ``timeout``, ``instructor_dir``).

    Raises:
        ValueError: ``jobs`` is not an int >= 1.
    """
    jobs = check_positive_int(jobs, "jobs")
    paths = list(paths)
    rows: list[dict[str, Any]] = [{} for _ in paths]

    def one(i: int) -> dict[str, Any]:
        try:
            return grade_zip(paths[i], **options)
        except Exception as err:  # grade_zip never raises; this only guards the gradebook against a bug in it
            return _grader_error(_blank_row(paths[i]), err)

    desc = "re-running hand-ins" if options.get("rerun") else "checking hand-ins"
    with tqdm(total=len(paths), desc=desc, unit="zip", file=sys.stderr, disable=None if progress else True) as bar:
        if jobs == 1 or len(paths) < 2:
            for i in range(len(paths)):
                rows[i] = one(i)
                bar.update(1)
            return rows
        pool = _futures.ThreadPoolExecutor(max_workers=min(jobs, len(paths)), thread_name_prefix="grade")
        try:
            futures = {pool.submit(_in_worker, one, i): i for i in range(len(paths))}
            for future in _futures.as_completed(futures):
                i, err = futures[future], future.exception()
                rows[i] = future.result() if err is None else _grader_error(_blank_row(paths[i]), err)
                bar.update(1)
        finally:  # normally a no-op; on Ctrl-C, zips not started yet are dropped
            pool.shutdown(wait=False, cancel_futures=True)
    return rows


def _in_worker(fn: Any, *args: Any) -> Any:
    """``fn(*args)`` in a worker thread, then let the tasks nbclient left on the thread's asyncio loop end.

    A cell that timed out leaves its output-polling task cancelled but pending on that loop; in the main thread the
    next run collects it, but a worker thread's loop is dropped with the thread, and asyncio then logs "Task was
    destroyed but it is pending!" on the instructor's terminal.
    """
    import asyncio

    from jupyter_core.utils import ensure_event_loop

    try:
        return fn(*args)
    finally:
        loop = ensure_event_loop()  # this thread's loop, the one nbclient's run_sync used
        pending = [task for task in asyncio.all_tasks(loop) if not task.done()]
        for task in pending:
            task.cancel()
        if pending:
            loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))


def gradebook(paths: Sequence[str | Path], *, rerun: bool = False, timeout: int = DEFAULT_TIMEOUT,
              instructor_dir: str | Path | None = None, jobs: int = 1,
              progress: bool = False) -> tuple[list[dict[str, Any]], list[str]]:
    """Grade every zip; keep one row per (student, notebook) — the latest intact hand-in — plus a row for every
    zip with an integrity problem (so a damaged or altered hand-in is never hidden behind a later one).

    "Latest" compares the parsed ``handed_in_at`` times (time zones included); on a tie the zip given later wins.
    ``jobs`` and ``progress`` are those of :func:`grade_zips`; the result does not depend on ``jobs``.

    Returns:
        ``(rows, messages)``: intact rows sorted by student id and notebook, then the others in the order given;
        messages about duplicates.
    """
    rows = grade_zips(paths, jobs=jobs, progress=progress, rerun=rerun, timeout=timeout,
                      instructor_dir=instructor_dir)
    messages: list[str] = []
    kept: dict[tuple[str, str], dict[str, Any]] = {}
    broken: list[dict[str, Any]] = []
    for row in rows:
        if not row.pop("_valid", False) or row["integrity"] != "ok":
            broken.append(row)
            continue
        key = (row["student_id"], row["notebook"])
        if key in kept:
            old = kept[key]
            when_new = parse_time(row["handed_in_at"]) or _EPOCH
            when_old = parse_time(old["handed_in_at"]) or _EPOCH
            newer, older = (row, old) if when_new >= when_old else (old, row)
            messages.append(f"{key[0]} handed in {key[1]} more than once: keeping {newer['zip']} "
                            f"({newer['handed_in_at']}), ignoring {older['zip']} ({older['handed_in_at']})")
            kept[key] = newer
        else:
            kept[key] = row
    ordered = sorted(kept.values(), key=lambda r: (r["student_id"], r["notebook"])) + broken
    return ordered, messages


def csv_cell(value: Any) -> Any:
    """A value safe to put in a spreadsheet cell: text is shortened to :data:`MAX_CELL` characters, and text
    starting with ``= + - @``, tab or carriage return gets a leading ``'`` (OWASP: CSV injection)."""
    if not isinstance(value, str):
        return value
    if len(value) > MAX_CELL:
        value = value[: MAX_CELL - 1] + "…"
    return "'" + value if value.startswith(_FORMULA_START) else value


def write_gradebook(rows: Sequence[dict[str, Any]], path: str | Path) -> Path:
    """Write ``rows`` as a UTF-8 CSV with a header of :data:`COLUMNS`, atomically, every text cell neutralised."""
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=COLUMNS, extrasaction="ignore")
    writer.writeheader()
    writer.writerows({k: csv_cell(v) for k, v in row.items()} for row in rows)
    return atomic_write_text(path, buf.getvalue())


def out_path_problem(out: Path) -> str | None:
    """Why the gradebook cannot be written to ``out`` (an existing folder, a missing folder, a file as folder)."""
    if out.is_dir():
        return f"--out {out} is a folder; give a file name, e.g. --out {out / 'gradebook.csv'}"
    blocker = blocking_file(out.parent)
    if blocker is not None:
        return f"--out {out}: {blocker} is a file, not a folder"
    if not out.parent.exists():
        return f"--out {out}: the folder {out.parent} does not exist; create it first or choose another path"
    return None


def main(argv: Sequence[str] | None = None) -> int:
    """Command line. Exit status: 0 all zips intact, 1 some integrity problem, 2 no zips or unusable ``--out``."""
    parser = argparse.ArgumentParser(prog="python -m utils.course.grade", description=__doc__.split("\n\n")[0])
    parser.add_argument("zips", nargs="+", help="hand-in zips, folders holding them, or glob patterns")
    parser.add_argument("--rerun", action="store_true",
                        help="execute each notebook again with the instructor's check cells (quick mode) and compare")
    parser.add_argument("--timeout", type=int, default=DEFAULT_TIMEOUT, help="per-cell time limit for --rerun, s")
    parser.add_argument("--out", type=Path, default=Path("gradebook.csv"), help="gradebook CSV (default gradebook.csv)")
    parser.add_argument("--instructor-dir", type=Path, default=None,
                        help="folder of the instructor notebooks for --rerun (default notebooks/ of the pack)")
    parser.add_argument("--jobs", type=int, default=1, metavar="N",
                        help="grade N zips at once, each --rerun in its own kernel (default 1)")
    args = parser.parse_args(argv)
    if args.jobs < 1:
        parser.error(f"--jobs must be at least 1 (how many zips to grade at once), got {args.jobs}")
    safe_console()
    bad_out = out_path_problem(args.out)
    if bad_out:
        print(f"error: {bad_out}", file=sys.stderr)
        return 2
    paths = expand_paths(args.zips)
    if not paths:
        print(f"no zip files found in {' '.join(args.zips)}", file=sys.stderr)
        return 2
    rows, messages = gradebook(paths, rerun=args.rerun, timeout=args.timeout, instructor_dir=args.instructor_dir,
                               jobs=args.jobs, progress=True)
    try:
        write_gradebook(rows, args.out)
    except OSError as err:
        print(f"error: could not write {args.out}: {err.strerror or err}", file=sys.stderr)
        return 2
    for row in rows:
        who = f"{row['student_id'] or '?'} {row['notebook'] or Path(row['zip']).name}"
        status = (f"{row['passed']}/{row['exercises']} passed, run {row['run_status']}" if row["exercises"] != ""
                  else "unreadable")
        line = (f"{who}: {status}; integrity {row['integrity']}" + (f"; rerun {row['rerun']}" if row["rerun"] else "")
                + (f"; FLAGGED {row['flags']}" if row["flags"] else ""))
        print(line, file=sys.stdout if row["integrity"] == "ok" and not row["flags"] else sys.stderr)
    for message in messages:
        print(f"note: {message}", file=sys.stderr)
    n_bad = sum(row["integrity"] != "ok" for row in rows)
    n_flag = sum(bool(row["flags"]) for row in rows)
    print(f"wrote {args.out}: {len(rows)} row(s), {n_bad} with integrity problems, {n_flag} flagged")
    return 1 if n_bad else 0


if __name__ == "__main__":
    sys.exit(main())
