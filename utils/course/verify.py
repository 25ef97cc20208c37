"""Read a hand-in zip and cross-check everything it says against everything else in it.

:func:`read_zip` opens one zip defensively (no member over :data:`MAX_MEMBER_BYTES`, no duplicate names, the
manifest's form checked by :func:`utils.course.manifest.manifest_problems` before any field is trusted), checks
every member's SHA-256, parses the executed notebook and runs :func:`cross_check`: identity (zip name, summary
number, ``hand_in(...)`` calls), run status and errors against the executed notebook (re-classified as the
hand-in does, :func:`utils.course.cells.classify_error`), check results against the printed ✅/❌/⏳ lines, and
the HTML export against the notebook. :mod:`utils.course.grade` turns the result into gradebook rows. Nothing
here raises on a bad zip: every problem is a string in :attr:`ZipReport.problems`.
"""
from __future__ import annotations

import html
import json
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import nbformat

from utils.conventions import STATUSES, count_statuses, match_check_line, parse_check_lines
from utils.course.cells import (classify_error, code_cells, error_origin, error_output, exercise_number, first_line,
                                one_line, stream_text)
from utils.course.manifest import MANIFEST_NAME, manifest_problems, parse_time, short_repr
from utils.course.notebook_io import NotebookError, cells_sha256, notebook_from_bytes, sha256_bytes

MAX_MANIFEST_BYTES = 5 * 2**20
"""Largest ``manifest.json`` read (a real one is a few kB)."""
MAX_MEMBER_BYTES = 200 * 2**20
"""Largest member read from a zip (uncompressed), so a zip bomb cannot exhaust memory."""
NO_OUTPUT_ERRORS = ("CellTimeoutError", "DeadKernelError")
"""Fatal errors the hand-in records without an error output in the cell."""

_COPY_SUFFIX = re.compile(r"(?:\s*\(\d{1,3}\)|[-_ ]\d{1,3}|[ _-]copy)\Z", re.IGNORECASE)


def _member(name: str) -> str:
    """A zip member's name for a message: as is if short and printable, else its shortened repr."""
    return name if len(name) <= 100 and name.isprintable() else short_repr(name)


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
    data = b""
    if info.file_size <= limit:
        with zf.open(info) as fh:
            data = fh.read(limit + 1)
    if info.file_size > limit or len(data) > limit:
        size = info.file_size if info.file_size > limit else f"more than {limit}"
        raise ValueError(f"{size} bytes uncompressed (at most {limit})")
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
        report.problems.append(f"not a readable zip file ({type(err).__name__}: {one_line(str(err), 120)})")
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
                                   f"({type(err).__name__}: {one_line(str(err), 120)})")
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
                                       f"{one_line(str(err), 120)})")
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


def _runs(cell: nbformat.NotebookNode) -> bool:
    """Whether the hand-in's kernel executes this cell (nbclient skips empty and ``skip-execution`` cells)."""
    return bool(cell.source.strip()) and "skip-execution" not in cell.metadata.get("tags", [])


def notebook_errors(nb: nbformat.NotebookNode) -> list[tuple[int, str, str]]:
    """``(index, ename, outcome)`` of every error output in the executed notebook, classified as the hand-in does."""
    by_count: dict[int, nbformat.NotebookNode] = {}
    found = []
    for index, cell in code_cells(nb):
        if isinstance(cell.get("execution_count"), int):
            by_count[cell.execution_count] = cell
        err = error_output(cell)
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
        problems.append(f"counts {short_repr(manifest['counts'], 80)} disagree with the checks listed ({tally})")
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
    printed = parse_check_lines("\n".join(stream_text(c) for _, c in code_cells(nb)))
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
    cells = code_cells(nb)
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
    for _, cell in code_cells(nb):
        for key in ("student_id", "name"):
            for m in re.finditer(rf"\bhand_in\([^)]*\b{key}\s*=\s*(['\"])(.*?)\1", cell.source, re.DOTALL):
                if m.group(2).strip() != manifest[key]:
                    problems.append(f"the notebook hands in as {key}={short_repr(m.group(2))}, but the manifest says "
                                    f"{short_repr(manifest[key])}")
    return problems


def html_problems(nb: nbformat.NotebookNode | None, page: str | None) -> list[str]:
    """Every ✅/❌/⏳ line the executed notebook printed must appear in its HTML export (a cheap tie between them)."""
    if nb is None or page is None:
        return []
    text = html.unescape(re.sub(r"<[^>]*>", "", page))
    for _, cell in code_cells(nb):
        for line in stream_text(cell).splitlines():
            if match_check_line(line) and line.strip() not in text:
                return [f"the HTML export does not show the notebook's line {short_repr(line.strip(), 80)}: "
                        f"one of them was edited"]
    return []


def cross_check(manifest: dict[str, Any], path: Path, nb: nbformat.NotebookNode | None,
                page: str | None) -> list[str]:
    """Everything the zip says, checked against everything else in it (see the module docs)."""
    problems = identity_problems(manifest, nb, path)
    if nb is not None and cells_sha256(nb) != manifest["cells_sha256"]:
        problems.append("the executed notebook's cells differ from the notebook handed in (cells_sha256)")
    if parse_time(manifest["handed_in_at"]) is None:  # unreachable after validation; kept for direct callers
        problems.append(f"handed_in_at {short_repr(manifest['handed_in_at'])} is not an ISO 8601 time with a time zone")
    problems += run_problems(manifest, nb)
    problems += html_problems(nb, page)
    return problems
