"""Check hand-in zips and write a gradebook CSV.

Usage (from the top of the course pack)::

    python -m utils.grade handin/*.zip                      # or a folder: python -m utils.grade handin/
    python -m utils.grade handin/ --rerun --out gradebook.csv

For every zip written by :mod:`utils.handin` it verifies that

* it is a readable zip holding ``manifest.json`` that is valid JSON with the expected fields;
* every member's SHA-256 matches the manifest, and no member is missing or unexpected;
* the executed notebook's cells match the ``cells_sha256`` of the notebook handed in;
* the check results in the manifest agree with the ✅/❌/⏳ lines printed in the executed notebook;

(``notebook_sha256``, the hash of the file as handed in, is recorded for reference: the zip holds the executed
copy, not the original bytes, so the link between them is checked through ``cells_sha256``.)

and writes one gradebook row per student and notebook (the latest hand-in when there are several). A
damaged or altered zip becomes a row whose ``integrity`` column says what is wrong, never a crash; the exit
status is then 1. ``--rerun`` executes each executed notebook again (quick mode, fresh kernel) and reports in
the ``rerun`` column whether the checks agree with the manifest ("agrees" or "differs: …"); a difference is
reported but does not change the exit status (quick-mode training can legitimately differ).
"""
from __future__ import annotations

import argparse
import csv
import glob
import io
import json
import sys
import tempfile
import zipfile
from pathlib import Path
from typing import Any, Sequence

import nbformat

from utils.checks.core import parse_check_lines
from utils.handin import (DEFAULT_TIMEOUT, MANIFEST_FORMAT, MANIFEST_NAME, STUDENT_ID_PATTERN, run_notebook,
                          safe_console)
from utils.notebook_io import NotebookError, atomic_write_text, cells_sha256, notebook_from_bytes, sha256_bytes
from utils.settings import repo_root

COLUMNS = ["student_id", "name", "notebook", "passed", "failed", "not_attempted", "exercises", "run_status",
           "failed_cell", "run_seconds", "handed_in_at", "quick", "python", "tensorflow", "keras", "integrity",
           "rerun", "zip"]
"""Gradebook columns, in order."""

_REQUIRED = {"format": str, "student_id": str, "name": str, "notebook": str, "notebook_sha256": str,
             "cells_sha256": str, "handed_in_at": str, "versions": dict, "run": dict, "checks": list,
             "members": dict}


def verify_zip(path: str | Path) -> tuple[dict[str, Any] | None, nbformat.NotebookNode | None, list[str]]:
    """Open a hand-in zip and check its integrity.

    Returns:
        ``(manifest, executed_notebook, problems)``: ``problems`` is empty when everything checks out;
        ``manifest`` and ``executed_notebook`` are None when they could not be read.
    """
    path = Path(path)
    if not path.is_file():
        return None, None, [f"{path} does not exist"]
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as err:
        return None, None, [f"not a readable zip file ({err})"]
    problems: list[str] = []
    with zf:
        names = zf.namelist()
        if MANIFEST_NAME not in names:
            return None, None, [f"no {MANIFEST_NAME} in the zip (not made by utils.handin?)"]
        try:
            manifest = json.loads(zf.read(MANIFEST_NAME).decode("utf-8"))
        except Exception as err:
            return None, None, [f"{MANIFEST_NAME} is unreadable or not valid JSON ({type(err).__name__}: {err})"]
        if not isinstance(manifest, dict):
            return None, None, [f"{MANIFEST_NAME} is not a JSON object"]
        bad = [k for k, t in _REQUIRED.items() if not isinstance(manifest.get(k), t)]
        if bad:
            return None, None, [f"{MANIFEST_NAME} lacks or mangles field(s): {', '.join(bad)}"]
        if manifest["format"] != MANIFEST_FORMAT:
            problems.append(f"unknown manifest format {manifest['format']!r} (expected {MANIFEST_FORMAT!r})")
        if not STUDENT_ID_PATTERN.match(manifest["student_id"]):
            problems.append(f"invalid student id {manifest['student_id']!r} in the manifest")
        blobs: dict[str, bytes] = {}
        for member, digest in manifest["members"].items():
            if member not in names:
                problems.append(f"member {member} is missing")
                continue
            try:
                blobs[member] = zf.read(member)
            except Exception as err:  # CRC error, truncated archive
                problems.append(f"member {member} is corrupt ({type(err).__name__}: {err})")
                continue
            if sha256_bytes(blobs[member]) != digest:
                problems.append(f"member {member} was altered after hand-in (SHA-256 does not match the manifest)")
        for extra in sorted(set(names) - set(manifest["members"]) - {MANIFEST_NAME}):
            problems.append(f"unexpected member {extra}")
    executed = f"{Path(manifest['notebook']).stem}.ipynb"
    nb = None
    if executed not in manifest["members"]:
        problems.append(f"the executed notebook {executed} is not listed in the manifest")
    elif executed in blobs:
        try:
            nb = notebook_from_bytes(blobs[executed], executed)
        except NotebookError as err:
            problems.append(str(err))
    if nb is not None:
        if cells_sha256(nb) != manifest["cells_sha256"]:
            problems.append("the executed notebook's cells differ from the notebook handed in (cells_sha256)")
        printed = parse_check_lines("\n".join(o.get("text", "") for c in nb.cells if c.cell_type == "code"
                                              for o in c.get("outputs", []) if o.get("output_type") == "stream"))
        for row in manifest["checks"]:
            label, status = row.get("label"), row.get("status")
            if label in printed and printed[label] != status:
                problems.append(f"manifest says {label} {status}, but the notebook printed {printed[label]}")
    return manifest, nb, problems


def rerun_summary(manifest: dict[str, Any], nb: nbformat.NotebookNode, *, timeout: int = DEFAULT_TIMEOUT) -> str:
    """Execute ``nb`` again (quick mode, fresh kernel) and compare its checks with the manifest.

    Returns:
        ``"agrees"`` or ``"differs: 07.2 passed->failed; run complete->failed"``.
    """
    notebooks = repo_root() / "notebooks"
    with tempfile.TemporaryDirectory(prefix="nncourse-grade-") as tmp:
        cwd = notebooks if notebooks.is_dir() else Path(tmp)
        run = run_notebook(nb, cwd=cwd, quick=True, timeout=timeout, number=manifest.get("notebook_number"))
    before = {c.get("label"): c.get("status") for c in manifest["checks"]}
    after = {c["label"]: c["status"] for c in run.checks}
    diffs = [f"{label} {before.get(label, '-')}->{after.get(label, '-')}"
             for label in sorted(set(before) | set(after), key=str) if before.get(label) != after.get(label)]
    if run.status != manifest["run"].get("status"):
        diffs.append(f"run {manifest['run'].get('status')}->{run.status}")
    return "agrees" if not diffs else "differs: " + "; ".join(diffs)


def grade_zip(path: str | Path, *, rerun: bool = False, timeout: int = DEFAULT_TIMEOUT) -> dict[str, Any]:
    """One gradebook row (a dict with :data:`COLUMNS`) for the zip at ``path``; never raises on a bad zip."""
    manifest, nb, problems = verify_zip(path)
    row: dict[str, Any] = {col: "" for col in COLUMNS}
    row["zip"] = str(path)
    row["integrity"] = "ok" if not problems else "; ".join(problems)
    if manifest is None:
        row["run_status"] = "unknown"
        return row
    counts = {"passed": 0, "failed": 0, "not attempted": 0}
    for c in manifest["checks"]:
        counts[c.get("status", "")] = counts.get(c.get("status", ""), 0) + 1
    run = manifest["run"]
    fc = run.get("failed_cell")
    versions = manifest["versions"]
    row.update(student_id=manifest["student_id"], name=manifest["name"], notebook=manifest["notebook"],
               passed=counts["passed"], failed=counts["failed"], not_attempted=counts["not attempted"],
               exercises=len(manifest["checks"]), run_status=run.get("status", "unknown"),
               failed_cell=(f"{fc.get('index')}: {fc.get('first_line')} ({fc.get('ename')})" if isinstance(fc, dict) else ""),
               run_seconds=run.get("seconds", ""), handed_in_at=manifest["handed_in_at"],
               quick=manifest.get("quick", ""), python=versions.get("python") or "",
               tensorflow=versions.get("tensorflow") or "", keras=versions.get("keras") or "")
    if rerun and nb is not None:
        try:
            row["rerun"] = rerun_summary(manifest, nb, timeout=timeout)
        except Exception as err:  # a kernel that cannot start should not stop the gradebook
            row["rerun"] = f"could not re-run: {type(err).__name__}: {err}"
    return row


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


def gradebook(paths: Sequence[str | Path], *, rerun: bool = False,
              timeout: int = DEFAULT_TIMEOUT) -> tuple[list[dict[str, Any]], list[str]]:
    """Grade every zip; keep one row per (student, notebook) — the latest hand-in — plus every broken zip.

    Returns:
        ``(rows, messages)``: rows sorted by student id and notebook; messages about duplicates.
    """
    rows = [grade_zip(p, rerun=rerun, timeout=timeout) for p in paths]
    messages: list[str] = []
    kept: dict[tuple[str, str], dict[str, Any]] = {}
    broken: list[dict[str, Any]] = []
    for row in rows:
        if not row["student_id"]:
            broken.append(row)
            continue
        key = (row["student_id"], row["notebook"])
        if key in kept:
            old = kept[key]
            newer, older = (row, old) if row["handed_in_at"] >= old["handed_in_at"] else (old, row)
            messages.append(f"{key[0]} handed in {key[1]} more than once: keeping {newer['zip']} "
                            f"({newer['handed_in_at']}), ignoring {older['zip']} ({older['handed_in_at']})")
            kept[key] = newer
        else:
            kept[key] = row
    ordered = sorted(kept.values(), key=lambda r: (r["student_id"], r["notebook"])) + broken
    return ordered, messages


def write_gradebook(rows: Sequence[dict[str, Any]], path: str | Path) -> Path:
    """Write ``rows`` as a UTF-8 CSV with a header of :data:`COLUMNS`, atomically."""
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=COLUMNS, extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    return atomic_write_text(path, buf.getvalue())


def main(argv: Sequence[str] | None = None) -> int:
    """Command line. Exit status: 0 all zips intact, 1 some zip damaged or altered, 2 no zips given/found."""
    parser = argparse.ArgumentParser(prog="python -m utils.grade", description=__doc__.split("\n\n")[0])
    parser.add_argument("zips", nargs="+", help="hand-in zips, folders holding them, or glob patterns")
    parser.add_argument("--rerun", action="store_true", help="execute each notebook again (quick mode) and compare")
    parser.add_argument("--timeout", type=int, default=DEFAULT_TIMEOUT, help="per-cell time limit for --rerun, s")
    parser.add_argument("--out", type=Path, default=Path("gradebook.csv"), help="gradebook CSV (default gradebook.csv)")
    args = parser.parse_args(argv)
    safe_console()
    paths = expand_paths(args.zips)
    if not paths:
        print(f"no zip files found in {' '.join(args.zips)}", file=sys.stderr)
        return 2
    rows, messages = gradebook(paths, rerun=args.rerun, timeout=args.timeout)
    write_gradebook(rows, args.out)
    for row in rows:
        who = f"{row['student_id'] or '?'} {row['notebook'] or Path(row['zip']).name}"
        status = (f"{row['passed']}/{row['exercises']} passed, run {row['run_status']}" if row["student_id"]
                  else "unreadable")
        line = f"{who}: {status}; integrity {row['integrity']}" + (f"; rerun {row['rerun']}" if row["rerun"] else "")
        print(line, file=sys.stdout if row["integrity"] == "ok" else sys.stderr)
    for message in messages:
        print(f"note: {message}", file=sys.stderr)
    n_bad = sum(row["integrity"] != "ok" for row in rows)
    print(f"wrote {args.out}: {len(rows)} row(s), {n_bad} with integrity problems")
    return 1 if n_bad else 0


if __name__ == "__main__":
    sys.exit(main())
