"""Check hand-in zips and write a gradebook CSV.

Usage (from the top of the course pack)::

    python -m utils.course.grade handin/*.zip                      # or a folder: python -m utils.course.grade handin/
    python -m utils.course.grade handin/ --rerun --out gradebook.csv

**Default mode** cross-checks everything a zip says against everything else in it:

* it is a readable zip (no member over :data:`MAX_MEMBER_BYTES`, no duplicate names) holding
  ``manifest.json``, a JSON object whose every field has the type and form :func:`utils.course.handin.hand_in`
  writes (:func:`manifest_problems`); ``handed_in_at`` must be ISO 8601 with a time zone;
* every member's SHA-256 matches the manifest, and no member is missing or unexpected;
* the zip's file name is ``<student_id>_<notebook stem>.zip`` of the manifest (a prefix such as an LMS adds,
  or a download's `` (1)`` suffix, is accepted);
* the executed notebook's cells match ``cells_sha256``; its ``checks.summary("NN")`` matches
  ``notebook_number``; a ``hand_in(...)`` call in it names the same student id and name;
* ``counts`` agrees with ``checks``; ``run.status`` agrees with ``failed_cell`` and with the fatal errors in
  ``run.errors``; ``run.errors`` agrees with the error outputs in the executed notebook, re-classified with
  :func:`utils.course.handin.classify_error`; a "complete" run has every code cell executed, a failed one no cell
  executed after the failing one;
* every check result agrees with the last ✅/❌/⏳ line the notebook printed for it, a "passed" or "failed"
  result must have such a line, and every printed exercise of the notebook must be listed;
* the HTML export shows the same ✅/❌/⏳ lines as the executed notebook.

What default mode cannot detect: a zip rebuilt consistently (anyone can edit the notebook's outputs and the
manifest together and recompute the hashes), nor a changed ``name`` when the notebook does not mention it.
That is what ``--rerun`` is for.

**Flags.** Student-authored code cells that touch the check machinery (``RESULTS``, ``.record(``,
``EXERCISES``, ``export_results``, ``utils.checks.core``, ...; see :func:`utils.course.regrade.machinery_flags`) are
listed in the ``flags`` column and on the console. A flag is a pointer for a human, not an integrity failure.

**--rerun** executes the notebook again under the instructor's control (:mod:`utils.course.regrade`): the
instructor's check and summary cells from ``notebooks/`` replace the student's, and results come only from what
those cells printed. Any difference from the manifest (or a re-run that cannot be done, e.g. no instructor
notebook) is an integrity failure.

One gradebook row per student and notebook (the latest intact hand-in by parsed ``handed_in_at``), plus one
row per zip with an integrity problem, never a crash. Text cells starting with ``=``, ``+``, ``-``, ``@``, tab or carriage return
get a leading ``'`` (OWASP's advice against CSV injection), and long ones are shortened.

Exit status: 0 every zip intact, 1 some integrity problem, 2 no zips found or ``--out`` unusable.
"""
from __future__ import annotations

import argparse
import csv
import datetime as _dt
import glob
import html
import io
import json
import math
import re
import sys
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Sequence

import nbformat

from utils.course import regrade
from utils.conventions import STATUSES, count_statuses, match_check_line, parse_check_lines
from utils.files import atomic_write_text
from utils.course.handin import (DEFAULT_TIMEOUT, MANIFEST_FORMAT, MANIFEST_NAME, STUDENT_ID_PATTERN, classify_error,
                          error_origin, exercise_number, first_line, safe_console)
from utils.course.notebook_io import NotebookError, cells_sha256, notebook_from_bytes, sha256_bytes

COLUMNS = ["student_id", "name", "notebook", "passed", "failed", "not_attempted", "exercises", "run_status",
           "failed_cell", "run_seconds", "handed_in_at", "quick", "python", "tensorflow", "keras", "integrity",
           "flags", "rerun", "zip"]
"""Gradebook columns, in order."""

MAX_MANIFEST_BYTES = 5 * 2**20
"""Largest ``manifest.json`` read (a real one is a few kB)."""
MAX_MEMBER_BYTES = 200 * 2**20
"""Largest member read from a zip (uncompressed), so a zip bomb cannot exhaust memory."""
MAX_TEXT = 10_000
"""Longest text allowed in a manifest field (a first line, an error message, a title)."""
MAX_CELL = 500
"""Longest text written into one gradebook cell (longer text is shortened with …)."""
OUTCOMES = ("not attempted", "failed exercise", "fatal")
NO_OUTPUT_ERRORS = ("CellTimeoutError", "DeadKernelError")
"""Fatal errors the hand-in records without an error output in the cell."""

_HEX64 = re.compile(r"\A[0-9a-f]{64}\Z")
_LABEL = re.compile(r"\A\d\d\.\d+\Z")
_NOTEBOOK = re.compile(r"\A[^/\\\x00-\x1f]{1,200}\.ipynb\Z")
_COPY_SUFFIX = re.compile(r"(?:\s*\(\d{1,3}\)|[-_ ]\d{1,3}|[ _-]copy)\Z", re.IGNORECASE)
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


# ----------------------------------------------------------------------------------------------- helpers
def _show(value: Any, width: int = 60) -> str:
    """A short printable form of a (possibly huge or hostile) value for a message."""
    try:
        text = repr(value)
    except Exception:  # a repr can fail on exotic objects; JSON gives none, but be safe
        text = f"<{type(value).__name__}>"
    return text if len(text) <= width else text[: width - 1] + "…"


def _member(name: str) -> str:
    """A zip member's name for a message: as is if short and printable, else its shortened repr."""
    return name if len(name) <= 100 and name.isprintable() else _show(name)


def _one_line(text: str, width: int = 300) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= width else text[: width - 1] + "…"


def parse_time(value: Any) -> _dt.datetime | None:
    """``value`` as a timezone-aware datetime if it is an ISO 8601 string with a time zone, else None."""
    if not isinstance(value, str) or len(value) > 64:
        return None
    try:
        when = _dt.datetime.fromisoformat(value)
    except ValueError:
        return None
    return when if when.tzinfo is not None and when.utcoffset() is not None else None


def _is_int(v: Any) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def _text(limit: int = MAX_TEXT, *, empty: bool = True) -> Callable[[Any], str | None]:
    def check(v: Any) -> str | None:
        if not isinstance(v, str):
            return f"must be text, got {_show(v)}"
        if len(v) > limit:
            return f"is {len(v)} characters long (at most {limit})"
        return None if (empty or v.strip()) else "is empty"
    return check


def _pattern(regex: re.Pattern[str], what: str) -> Callable[[Any], str | None]:
    def check(v: Any) -> str | None:
        return None if isinstance(v, str) and regex.search(v) else f"must be {what}, got {_show(v)}"
    return check


def _time(v: Any) -> str | None:
    return None if parse_time(v) else f"must be an ISO 8601 time with a time zone, got {_show(v)}"


def _name(v: Any) -> str | None:
    bad = _text(200, empty=False)(v)
    if bad:
        return bad
    return None if all(ch.isprintable() for ch in v) else f"must be printable text, got {_show(v)}"


def _fields(obj: Any, spec: dict[str, Callable[[Any], str | None]], optional: Sequence[str] = ()) -> str | None:
    """The first problem of a JSON object against ``{key: validator}`` (keys in ``optional`` may be absent)."""
    if not isinstance(obj, dict):
        return f"must be an object, got {_show(obj)}"
    for key, check in spec.items():
        if key not in obj:
            if key in optional:
                continue
            return f"lacks {key!r}"
        bad = check(obj[key])
        if bad:
            return f"{key} {bad}"
    return None


def _one_of(*allowed: Any) -> Callable[[Any], str | None]:
    return lambda v: None if any(v == a and type(v) is type(a) for a in allowed) else \
        f"must be one of {', '.join(map(repr, allowed))}, got {_show(v)}"


def _nonneg_int(v: Any) -> str | None:
    return None if _is_int(v) and 0 <= v < 10**9 else f"must be a whole number >= 0, got {_show(v)}"


def _seconds(v: Any) -> str | None:
    ok = isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v) and 0 <= v < 10**8
    return None if ok else f"must be a number of seconds >= 0, got {_show(v)}"


def _list_of(check: Callable[[Any], str | None], limit: int = 10_000) -> Callable[[Any], str | None]:
    def run(v: Any) -> str | None:
        if not isinstance(v, list):
            return f"must be a list, got {_show(v)}"
        if len(v) > limit:
            return f"has {len(v)} entries (at most {limit})"
        for k, item in enumerate(v):
            bad = check(item)
            if bad:
                return f"entry {k} {bad}"
        return None
    return run


def _failed_cell(v: Any) -> str | None:
    if v is None:
        return None
    return _fields(v, {"index": _nonneg_int, "first_line": _text(), "ename": _text(200), "evalue": _text()})


_ERROR = {"index": _nonneg_int, "first_line": _text(), "ename": _text(200), "evalue": _text(),
          "outcome": _one_of(*OUTCOMES), "role": _text(50), "origin": _text(50)}
_CHECK = {"label": _pattern(_LABEL, "a label like '09.1'"), "title": _text(), "status": _one_of(*STATUSES),
          "message": _text()}


def _run(v: Any) -> str | None:
    return _fields(v, {"status": _one_of("complete", "failed"), "failed_cell": _failed_cell,
                       "errors": _list_of(lambda e: _fields(e, _ERROR, optional=("role", "origin"))),
                       "seconds": _seconds, "results_from": _text(50)},
                   optional=("results_from",))


def _checks(v: Any) -> str | None:
    bad = _list_of(lambda c: _fields(c, _CHECK), 1000)(v)
    if bad:
        return bad
    labels = [c["label"] for c in v]
    dupes = sorted({label for label in labels if labels.count(label) > 1})
    return f"lists {', '.join(dupes)} more than once" if dupes else None


def _str_map(value_check: Callable[[Any], str | None], limit: int = 100) -> Callable[[Any], str | None]:
    def run(v: Any) -> str | None:
        if not isinstance(v, dict):
            return f"must be an object, got {_show(v)}"
        if len(v) > limit:
            return f"has {len(v)} entries (at most {limit})"
        for key, item in v.items():
            bad = _text(200)(key) or value_check(item)
            if bad:
                return f"entry {_show(key, 40)} {bad}"
        return None
    return run


MANIFEST_FIELDS: dict[str, Callable[[Any], str | None]] = {
    "format": _one_of(MANIFEST_FORMAT),
    "student_id": lambda v: None if isinstance(v, str) and STUDENT_ID_PATTERN.fullmatch(v)
    else f"must be a student id (letters, digits, - and _), got {_show(v)}",
    "name": _name,
    "notebook": _pattern(_NOTEBOOK, "a notebook file name like '09_vanilla_gan.ipynb'"),
    "notebook_number": lambda v: None if v is None or (isinstance(v, str) and re.fullmatch(r"\d\d", v))
    else f"must be a two-digit string or null, got {_show(v)}",
    "notebook_sha256": _pattern(_HEX64, "a SHA-256 hex digest"),
    "cells_sha256": _pattern(_HEX64, "a SHA-256 hex digest"),
    "handed_in_at": _time,
    "notebook_saved_at": _time,
    "quick": _one_of(True, False),
    "timeout_s": lambda v: None if _is_int(v) and v > 0 else f"must be a whole number > 0, got {_show(v)}",
    "platform": _text(200),
    "versions": _str_map(lambda v: None if v is None else _text(100)(v)),
    "run": _run,
    "checks": _checks,
    "counts": _str_map(_nonneg_int),
    "members": _str_map(_pattern(_HEX64, "a SHA-256 hex digest")),
    "notes": _list_of(_text(), 1000),
}
"""What each manifest field must look like (a validator returns None or what is wrong)."""
OPTIONAL_FIELDS = ("notebook_number", "notebook_saved_at", "timeout_s", "platform", "counts", "notes")


def manifest_problems(manifest: Any) -> list[str]:
    """What is wrong with the form of a manifest (types, values, sizes), one string per bad field."""
    if not isinstance(manifest, dict):
        return [f"{MANIFEST_NAME} is not a JSON object (found {type(manifest).__name__})"]
    problems = []
    for key, check in MANIFEST_FIELDS.items():
        if key not in manifest:
            if key not in OPTIONAL_FIELDS:
                problems.append(f"{key}: missing")
            continue
        bad = check(manifest[key])
        if bad:
            problems.append(f"{key}: {bad}")
    return problems


# ----------------------------------------------------------------------------------------------- reading
@dataclass
class ZipReport:
    """Everything read from one hand-in zip.

    Attributes:
        manifest: the manifest when its form is valid, else None.
        raw: whatever ``manifest.json`` held (any JSON value), or None if unreadable.
        notebook: the executed notebook, or None.
        html: the HTML export's text, or None.
        problems: integrity problems, empty if everything checks out.
    """

    manifest: dict[str, Any] | None = None
    raw: Any = None
    notebook: nbformat.NotebookNode | None = None
    html: str | None = None
    problems: list[str] = field(default_factory=list)


def _read_member(zf: zipfile.ZipFile, info: zipfile.ZipInfo, limit: int) -> bytes:
    """A member's bytes, refusing more than ``limit`` (the declared size can lie: read at most limit + 1)."""
    if info.file_size > limit:
        raise ValueError(f"{info.file_size} bytes uncompressed (at most {limit})")
    with zf.open(info) as fh:
        data = fh.read(limit + 1)
    if len(data) > limit:
        raise ValueError(f"more than {limit} bytes uncompressed")
    return data


def read_zip(path: str | Path) -> ZipReport:
    """Open a hand-in zip and check its integrity (see the module docs); never raises on a bad zip."""
    path = Path(path)
    report = ZipReport()
    if not path.is_file():
        report.problems.append(f"{path} does not exist" if not path.exists() else f"{path} is not a file")
        return report
    try:
        zf = zipfile.ZipFile(path)
    except Exception as err:  # BadZipFile, OSError, ValueError from a hostile central directory
        report.problems.append(f"not a readable zip file ({type(err).__name__}: {_one_line(str(err), 120)})")
        return report
    with zf:
        infos = {info.filename: info for info in zf.infolist()}
        names = [info.filename for info in zf.infolist()]
        for dup in sorted({n for n in names if names.count(n) > 1}):
            report.problems.append(f"member {_member(dup)} appears more than once in the zip")
        if MANIFEST_NAME not in infos:
            report.problems.append(f"no {MANIFEST_NAME} in the zip (not made by utils.course.handin?)")
            return report
        try:
            report.raw = json.loads(_read_member(zf, infos[MANIFEST_NAME], MAX_MANIFEST_BYTES).decode("utf-8"))
        except Exception as err:  # CRC error, truncation, not UTF-8, not JSON, nested too deep
            report.problems.append(f"{MANIFEST_NAME} is unreadable or not valid JSON "
                                   f"({type(err).__name__}: {_one_line(str(err), 120)})")
            return report
        bad = manifest_problems(report.raw)
        if bad:
            fields = [b.split(":", 1)[0] for b in bad]
            report.problems.append(f"{MANIFEST_NAME} lacks or mangles field(s): {', '.join(fields)} "
                                   f"({'; '.join(bad)})" if isinstance(report.raw, dict) else bad[0])
            return report
        manifest: dict[str, Any] = report.raw
        report.manifest = manifest
        blobs: dict[str, bytes] = {}
        for member, digest in manifest["members"].items():
            if member not in infos:
                report.problems.append(f"member {_member(member)} is missing")
                continue
            try:
                blobs[member] = _read_member(zf, infos[member], MAX_MEMBER_BYTES)
            except Exception as err:  # CRC error, truncated archive, unsupported compression, too large
                report.problems.append(f"member {_member(member)} is corrupt ({type(err).__name__}: "
                                       f"{_one_line(str(err), 120)})")
                continue
            if sha256_bytes(blobs[member]) != digest:
                report.problems.append(f"member {member} was altered after hand-in (SHA-256 does not match the manifest)")
        for extra in sorted(set(infos) - set(manifest["members"]) - {MANIFEST_NAME}):
            report.problems.append(f"unexpected member {_member(extra)}")
    stem = Path(manifest["notebook"]).stem
    executed, page = f"{stem}.ipynb", f"{stem}.html"
    if executed not in manifest["members"]:
        report.problems.append(f"the executed notebook {executed} is not listed in the manifest")
    elif executed in blobs:
        try:
            report.notebook = notebook_from_bytes(blobs[executed], executed)
        except NotebookError as err:
            report.problems.append(str(err))
    if page in blobs:
        report.html = blobs[page].decode("utf-8", errors="replace")
    report.problems += cross_check(manifest, path, report.notebook, report.html)
    return report


def verify_zip(path: str | Path) -> tuple[dict[str, Any] | None, nbformat.NotebookNode | None, list[str]]:
    """Open a hand-in zip and check its integrity (see :func:`read_zip`).

    Returns:
        ``(manifest, executed_notebook, problems)``: ``problems`` is empty when everything checks out;
        ``manifest`` and ``executed_notebook`` are None when they could not be read.
    """
    report = read_zip(path)
    return report.manifest, report.notebook, report.problems


# ----------------------------------------------------------------------------------------------- cross-checks
def zip_name_problem(path: Path, student_id: str, notebook: str) -> str | None:
    """A problem if the zip's file name is not ``<student_id>_<notebook stem>.zip`` (see the module docs)."""
    expected = f"{student_id}_{Path(notebook).stem}"
    name = path.name
    stem = name[:-4] if name.lower().endswith(".zip") else name
    for candidate in (stem, _COPY_SUFFIX.sub("", stem)):
        if candidate == expected or (candidate.endswith(expected)
                                     and not candidate[-len(expected) - 1].isalnum()):
            return None
    return (f"the zip is named {name} but its manifest says {expected}.zip (student {student_id}, notebook "
            f"{notebook}): the manifest's identity was edited, or the zip renamed")


def _code_cells(nb: nbformat.NotebookNode) -> list[tuple[int, nbformat.NotebookNode]]:
    return [(i, c) for i, c in enumerate(nb.cells) if c.cell_type == "code"]


def _error_output(cell: nbformat.NotebookNode) -> dict[str, Any] | None:
    for out in cell.get("outputs", []):
        if out.get("output_type") == "error":
            return {"ename": str(out.get("ename", "")), "evalue": str(out.get("evalue", "")),
                    "traceback": [re.sub(r"\x1b\[[0-9;]*[A-Za-z]", "", str(t)) for t in out.get("traceback", [])]}
    return None


def _runs(cell: nbformat.NotebookNode) -> bool:
    """Whether the hand-in's kernel executes this cell (nbclient skips empty and ``skip-execution`` cells)."""
    return bool(cell.source.strip()) and "skip-execution" not in cell.metadata.get("tags", [])


def notebook_errors(nb: nbformat.NotebookNode) -> list[tuple[int, str, str]]:
    """``(index, ename, outcome)`` of every error output in the executed notebook, classified as the hand-in does."""
    by_count: dict[int, nbformat.NotebookNode] = {}
    found = []
    for index, cell in _code_cells(nb):
        if isinstance(cell.get("execution_count"), int):
            by_count[cell.execution_count] = cell
        err = _error_output(cell)
        if err is None or "raises-exception" in cell.metadata.get("tags", []):
            continue
        found.append((index, err["ename"], classify_error(cell, err["ename"], error_origin(err, by_count))))
    return found


def run_problems(manifest: dict[str, Any], nb: nbformat.NotebookNode | None) -> list[str]:
    """``run``, ``counts`` and ``checks`` against each other and against the executed notebook."""
    problems: list[str] = []
    run, checks = manifest["run"], manifest["checks"]
    tally = count_statuses(c["status"] for c in checks)
    if "counts" in manifest and {k: manifest["counts"].get(k, 0) for k in STATUSES} != tally:
        problems.append(f"counts {_show(manifest['counts'], 80)} disagree with the checks listed ({tally})")
    fatal = [e for e in run["errors"] if e["outcome"] == "fatal"]
    fc = run["failed_cell"]
    if run["status"] == "complete":
        if fc is not None:
            problems.append(f"run.status says complete, but failed_cell is cell {fc['index']}")
        if fatal:
            problems.append(f"run.status says complete, but run.errors has a fatal {fatal[0]['ename']} "
                            f"in cell {fatal[0]['index']}: the run stopped there")
    else:
        if fc is None:
            problems.append("run.status says failed, but failed_cell is null")
        elif not fatal or fatal[-1]["index"] != fc["index"] or run["errors"][-1] is not fatal[-1]:
            problems.append(f"run.status says failed at cell {fc['index']}, but run.errors does not end with a "
                            f"fatal error there")
    number = manifest.get("notebook_number")
    if number is not None:
        for c in checks:
            if not c["label"].startswith(f"{number}."):
                problems.append(f"check {c['label']} does not belong to notebook {number}")
    if nb is None:
        return problems
    problems += _execution_problems(manifest, nb)
    printed = parse_check_lines("\n".join(regrade._stream_text(c) for _, c in _code_cells(nb)))
    listed = {c["label"]: c["status"] for c in checks}
    for label, status in listed.items():
        if label in printed and printed[label] != status:
            problems.append(f"manifest says {label} {status}, but the notebook printed {printed[label]}")
        elif label not in printed and status != "not attempted":
            problems.append(f"manifest says {label} {status}, but no check in the notebook printed a result for it")
    for label in sorted(set(printed) - set(listed)):
        if number is None or label.startswith(f"{number}."):
            problems.append(f"the notebook printed {label} {printed[label]}, but the manifest does not list {label}")
    return problems


def _execution_problems(manifest: dict[str, Any], nb: nbformat.NotebookNode) -> list[str]:
    """Errors and execution counts of the executed notebook against ``run``."""
    problems = []
    run = manifest["run"]
    fc = run["failed_cell"]
    lost = fc is not None and fc["ename"] in NO_OUTPUT_ERRORS  # timed out or kernel died: whatever that cell shows
    shown = [e for e in notebook_errors(nb) if not (lost and e[0] == fc["index"])]
    claimed = [(e["index"], e["ename"], e["outcome"]) for e in run["errors"]
               if not (lost and e["index"] == fc["index"])]
    for item in shown:
        if item not in claimed:
            problems.append(f"the executed notebook shows {item[1]} in cell {item[0]} ({item[2]}), "
                            f"which run.errors does not list")
    for item in claimed:
        if item not in shown:
            problems.append(f"run.errors lists {item[1]} in cell {item[0]} ({item[2]}), which the executed "
                            f"notebook does not show")
    cells = _code_cells(nb)
    if run["status"] == "complete":
        never = [i for i, c in cells if _runs(c) and not isinstance(c.get("execution_count"), int)]
        if never:
            problems.append(f"run.status says complete, but cell {never[0]} (`{first_line(nb.cells[never[0]].source, 50)}`)"
                            f"{f' and {len(never) - 1} more' if len(never) > 1 else ''} never ran: the run stopped early")
    elif fc is not None:
        if fc["index"] >= len(nb.cells) or nb.cells[fc["index"]].cell_type != "code":
            problems.append(f"failed_cell {fc['index']} is not a code cell of the executed notebook")
        after = [i for i, c in cells if i > fc["index"] and isinstance(c.get("execution_count"), int)]
        if after:
            problems.append(f"failed_cell says the run stopped at cell {fc['index']}, but cell {after[0]} ran")
    return problems


def identity_problems(manifest: dict[str, Any], nb: nbformat.NotebookNode | None, path: Path) -> list[str]:
    """Student id, name and notebook number against the zip's name and the executed notebook."""
    problems = []
    bad_name = zip_name_problem(path, manifest["student_id"], manifest["notebook"])
    if bad_name:
        problems.append(bad_name)
    if nb is None:
        return problems
    said = exercise_number(nb, manifest["notebook"])
    if manifest.get("notebook_number") is not None and said is not None and said != manifest["notebook_number"]:
        problems.append(f"notebook_number is {manifest['notebook_number']}, but the notebook's summary is for {said}")
    for _, cell in _code_cells(nb):
        for key in ("student_id", "name"):
            for m in re.finditer(rf"\bhand_in\([^)]*\b{key}\s*=\s*(['\"])(.*?)\1", cell.source, re.DOTALL):
                if m.group(2).strip() != manifest[key]:
                    problems.append(f"the notebook hands in as {key}={_show(m.group(2))}, but the manifest says "
                                    f"{_show(manifest[key])}")
    return problems


def html_problems(nb: nbformat.NotebookNode | None, page: str | None) -> list[str]:
    """Every ✅/❌/⏳ line the executed notebook printed must appear in its HTML export (a cheap tie between them)."""
    if nb is None or page is None:
        return []
    text = html.unescape(re.sub(r"<[^>]*>", "", page))
    for _, cell in _code_cells(nb):
        for line in regrade._stream_text(cell).splitlines():
            if match_check_line(line) and line.strip() not in text:
                return [f"the HTML export does not show the notebook's line {_show(line.strip(), 80)}: "
                        f"one of them was edited"]
    return []


def cross_check(manifest: dict[str, Any], path: Path, nb: nbformat.NotebookNode | None,
                page: str | None) -> list[str]:
    """Everything the zip says, checked against everything else in it (see the module docs)."""
    problems = identity_problems(manifest, nb, path)
    if nb is not None and cells_sha256(nb) != manifest["cells_sha256"]:
        problems.append("the executed notebook's cells differ from the notebook handed in (cells_sha256)")
    if parse_time(manifest["handed_in_at"]) is None:  # unreachable after validation; kept for direct callers
        problems.append(f"handed_in_at {_show(manifest['handed_in_at'])} is not an ISO 8601 time with a time zone")
    problems += run_problems(manifest, nb)
    problems += html_problems(nb, page)
    return problems


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
    row: dict[str, Any] = {col: "" for col in COLUMNS}
    row["zip"] = str(path)
    row["run_status"] = "unknown"
    try:
        _fill_row(row, Path(path), rerun=rerun, timeout=timeout, instructor_dir=instructor_dir)
    except Exception as err:  # a bug or a case nobody foresaw: one row says so, the gradebook goes on
        row["integrity"] = (f"grader error ({type(err).__name__}: {_one_line(str(err), 200)}); "
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
        row["flags"] = "; ".join(regrade.machinery_flags(nb, instructor))
    if rerun and nb is not None:
        try:
            result = regrade.rerun(manifest, nb, instructor_dir=instructor_dir, timeout=timeout)
            diffs = regrade.compare_with_manifest(manifest, result)
            row["rerun"] = "agrees" if not diffs else "differs: " + "; ".join(diffs)
            if diffs:
                problems.append(f"the re-run under the instructor's control disagrees with the manifest "
                                f"({'; '.join(diffs)})")
        except Exception as err:  # no instructor notebook, a kernel that cannot start
            row["rerun"] = f"could not re-run: {_one_line(str(err), 200) or type(err).__name__}"
            problems.append(f"not verified by re-running: {_one_line(str(err), 200) or type(err).__name__}")
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


def gradebook(paths: Sequence[str | Path], *, rerun: bool = False, timeout: int = DEFAULT_TIMEOUT,
              instructor_dir: str | Path | None = None) -> tuple[list[dict[str, Any]], list[str]]:
    """Grade every zip; keep one row per (student, notebook) — the latest intact hand-in — plus a row for every
    zip with an integrity problem (so a damaged or altered hand-in is never hidden behind a later one).

    "Latest" compares the parsed ``handed_in_at`` times (time zones included); on a tie the zip given later wins.

    Returns:
        ``(rows, messages)``: intact rows sorted by student id and notebook, then the others in the order given;
        messages about duplicates.
    """
    rows = [grade_zip(p, rerun=rerun, timeout=timeout, instructor_dir=instructor_dir) for p in paths]
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
    for parent in out.parents:
        if parent.exists():
            if not parent.is_dir():
                return f"--out {out}: {parent} is a file, not a folder"
            break
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
    args = parser.parse_args(argv)
    safe_console()
    bad_out = out_path_problem(args.out)
    if bad_out:
        print(f"error: {bad_out}", file=sys.stderr)
        return 2
    paths = expand_paths(args.zips)
    if not paths:
        print(f"no zip files found in {' '.join(args.zips)}", file=sys.stderr)
        return 2
    rows, messages = gradebook(paths, rerun=args.rerun, timeout=args.timeout, instructor_dir=args.instructor_dir)
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
