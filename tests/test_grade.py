"""End to end: release -> (complete | leave untouched | answer wrongly | break a middle cell) -> hand in -> grade."""
from __future__ import annotations

import csv
import hashlib
import json
import platform
import shutil
import zipfile
from pathlib import Path
from types import SimpleNamespace

import pytest

import _nbfixtures as fx
from utils.course import grade, handin
from utils.course.release import release_notebook

STUDENTS = {"S0000001": "complete", "S0000002": "untouched", "S0000003": "one wrong", "S0000004": "middle error"}


@pytest.fixture(scope="module")
def handins(tmp_path_factory):
    """Four students hand in the released fixture notebook; returns the hand-in folder and CLI results."""
    root = tmp_path_factory.mktemp("grade")
    out = root / "handin"
    cli = {}
    for sid, kind in STUDENTS.items():
        instructor = fx.instructor_notebook(middle_error=(kind == "middle error"))
        src = fx.write(instructor, root / "instructor" / sid)
        nb_path, _ = release_notebook(src, root / "students" / sid)
        if kind != "untouched":
            fx.complete(nb_path, instructor, wrong_row_means=(kind == "one wrong"))
        code = handin.main([str(nb_path), "--student-id", sid, "--name", f"Student {kind}", "--out", str(out)])
        cli[sid] = code
    return SimpleNamespace(root=root, out=out, cli=cli)


def read_csv(path: Path) -> dict[str, dict[str, str]]:
    with open(path, encoding="utf-8", newline="") as fh:
        return {row["student_id"] or row["zip"]: row for row in csv.DictReader(fh)}


def test_gradebook_rows(handins, tmp_path, capsys):
    assert handins.cli == {"S0000001": 0, "S0000002": 0, "S0000003": 0, "S0000004": 1}
    csv_path = tmp_path / "gradebook.csv"
    assert grade.main([str(handins.out / "*.zip"), "--out", str(csv_path)]) == 0  # glob expanded by the tool
    rows = read_csv(csv_path)
    assert list(rows) == sorted(STUDENTS)
    got = {sid: (r["passed"], r["failed"], r["not_attempted"], r["run_status"], r["integrity"]) for sid, r in rows.items()}
    assert got == {"S0000001": ("2", "0", "0", "complete", "ok"),
                   "S0000002": ("0", "0", "2", "complete", "ok"),
                   "S0000003": ("1", "1", "0", "complete", "ok"),
                   "S0000004": ("1", "0", "1", "failed", "ok")}
    assert rows["S0000004"]["failed_cell"] == "6: print(defined_only_in_a_deleted_cell) (NameError)"
    assert rows["S0000001"]["name"] == "Student complete" and rows["S0000001"]["notebook"] == "98_fixture.ipynb"
    assert all(r["python"] == platform.python_version() and float(r["run_seconds"]) > 0 for r in rows.values())
    assert "wrote" in capsys.readouterr().out


def test_failed_run_is_recorded_in_the_manifest_and_named_in_the_message(handins):
    with zipfile.ZipFile(handins.out / "S0000004_98_fixture.zip") as zf:
        manifest = json.loads(zf.read(handin.MANIFEST_NAME))
    failed = manifest["run"]["failed_cell"]
    assert manifest["run"]["status"] == "failed"
    assert (failed["index"], failed["first_line"], failed["ename"]) == (6, "print(defined_only_in_a_deleted_cell)", "NameError")
    text = handin.describe(handin.HandinResult(handins.out / "S0000004_98_fixture.zip", manifest))
    assert "FAILED at cell 6 (`print(defined_only_in_a_deleted_cell)`)" in text and "--force" in text
    untouched = json.loads(zipfile.ZipFile(handins.out / "S0000002_98_fixture.zip").read(handin.MANIFEST_NAME))
    assert {e["outcome"] for e in untouched["run"]["errors"]} == {"not attempted"}
    wrong = json.loads(zipfile.ZipFile(handins.out / "S0000003_98_fixture.zip").read(handin.MANIFEST_NAME))
    assert [e["outcome"] for e in wrong["run"]["errors"]] == ["failed exercise"]


def rebuild(src: Path, dest: Path, *, manifest_edit=None, member_edit=None, rehash: bool = False,
            drop: str | None = None, add: str | None = None) -> Path:
    """Copy a hand-in zip, altering it the way a careless or dishonest student might.

    ``member_edit`` is ``(member, old, new)`` or a list of them.
    """
    with zipfile.ZipFile(src) as zf:
        members = {n: zf.read(n) for n in zf.namelist()}
    manifest = json.loads(members[handin.MANIFEST_NAME])
    for name, old, new in ([member_edit] if isinstance(member_edit, tuple) else member_edit or []):
        members[name] = members[name].replace(old.encode(), new.encode())
        if rehash:
            manifest["members"][name] = hashlib.sha256(members[name]).hexdigest()
    if manifest_edit:
        manifest_edit(manifest)
    members[handin.MANIFEST_NAME] = json.dumps(manifest).encode()
    if drop:
        members.pop(drop)
    if add:
        members[add] = b"extra"
    with zipfile.ZipFile(dest, "w") as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return dest


def _claim_passed(m):
    m["checks"][0]["status"] = "passed"


TAMPERING = {
    "output edited": (dict(member_edit=("98_fixture.ipynb", "not attempted yet", "passed")), "was altered"),
    "manifest lies": (dict(manifest_edit=_claim_passed), "manifest says 98.1 passed, but the notebook printed not attempted"),
    "source edited, rehashed": (dict(member_edit=("98_fixture.ipynb", "def double(x):", "def double(y):"), rehash=True),
                                "cells differ"),
    "member dropped": (dict(drop="98_fixture.html"), "member 98_fixture.html is missing"),
    "member added": (dict(add="notes.txt"), "unexpected member notes.txt"),
    "manifest garbled": (dict(manifest_edit=lambda m: m.pop("members")), "lacks or mangles field(s): members"),
}


@pytest.mark.parametrize("kind", list(TAMPERING))
def test_altered_zip_is_detected(handins, tmp_path, capsys, kind):
    kwargs, expected = TAMPERING[kind]
    src = handins.out / "S0000002_98_fixture.zip"
    before = src.read_bytes()
    bad = rebuild(src, tmp_path / "S0000002_98_fixture.zip", **kwargs)
    assert grade.main([str(bad), "--out", str(tmp_path / "gb.csv")]) == 1
    row = next(iter(read_csv(tmp_path / "gb.csv").values()))
    assert expected in row["integrity"], row["integrity"]
    assert expected in capsys.readouterr().err
    assert src.read_bytes() == before


def test_broken_files_become_rows_not_crashes(handins, tmp_path):
    good = handins.out / "S0000001_98_fixture.zip"
    (tmp_path / "truncated.zip").write_bytes(good.read_bytes()[:300])
    (tmp_path / "text.zip").write_text("not a zip", encoding="utf-8")
    with zipfile.ZipFile(tmp_path / "nomanifest.zip", "w") as zf:
        zf.writestr("98_fixture.ipynb", "{}")
    shutil.copy(good, tmp_path / "S0000001_98_fixture.zip")
    rows, _ = grade.gradebook(grade.expand_paths([str(tmp_path)]))
    integrity = {Path(r["zip"]).name: r["integrity"] for r in rows}
    assert integrity["S0000001_98_fixture.zip"] == "ok"
    assert integrity["truncated.zip"].startswith("not a readable zip")
    assert integrity["text.zip"].startswith("not a readable zip")
    assert integrity["nomanifest.zip"].startswith("no manifest.json")
    assert grade.main([str(tmp_path), str(tmp_path / "missing.zip"), "--out", str(tmp_path / "gb.csv")]) == 1
    assert grade.main([str(tmp_path / "empty*.zip")]) == 2


def test_duplicate_hand_ins_keep_the_latest(handins, tmp_path):
    src = handins.out / "S0000003_98_fixture.zip"
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    shutil.copy(src, tmp_path / "a" / src.name)
    rebuild(src, tmp_path / "b" / src.name,
            manifest_edit=lambda m: m.update(handed_in_at="2000-01-01T00:00:00+00:00"))
    rows, messages = grade.gradebook([tmp_path / "b" / src.name, tmp_path / "a" / src.name])
    assert len(rows) == 1 and Path(rows[0]["zip"]).parent.name == "a" and rows[0]["integrity"] == "ok"
    assert "more than once" in messages[0]


def test_rerun_exposes_a_consistent_forgery(handins, tmp_path):
    """A forger edits outputs, HTML and manifest together and fixes the hashes: only re-running shows the truth."""
    src = handins.out / "S0000002_98_fixture.zip"

    def claim_all(m):
        for c in m["checks"]:
            c["status"] = "passed"
        m["counts"] = {"passed": 2, "failed": 0, "not attempted": 0}

    forged = rebuild(src, tmp_path / src.name, manifest_edit=claim_all, rehash=True,
                     member_edit=[("98_fixture.ipynb", "⏳", "✅"), ("98_fixture.html", "⏳", "✅")])
    row = grade.grade_zip(forged)
    assert row["integrity"] == "ok" and row["passed"] == 2  # default mode cannot tell (see the README)
    row = grade.grade_zip(forged, rerun=True, timeout=120, instructor_dir=handins.root / "instructor" / "S0000002")
    assert row["rerun"] == "differs: 98.1 passed->not attempted; 98.2 passed->not attempted"
    assert "disagrees with the manifest" in row["integrity"]
