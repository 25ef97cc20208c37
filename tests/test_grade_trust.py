"""Grading is trustworthy: cross-checks in default mode, flags, and a re-run under the instructor's control."""
from __future__ import annotations

import csv
import hashlib
import json
import shutil
import zipfile
from pathlib import Path
from types import SimpleNamespace
from typing import Callable

import pytest

import _nbfixtures as fx
from utils.course import flags, grade, handin, regrade
from utils.course.notebook_io import read_notebook
from utils.course.release import make_student_copy, release_notebook

HAND_IN_CALL = ('import utils.course.handin\n\nutils.course.handin.hand_in("98_fixture.ipynb", student_id="S0000011", '
                'name="Student S0000011")')


@pytest.fixture(scope="module")
def kit(tmp_path_factory):
    """Three hand-ins of the fixture (quick mode): complete (with a hand_in cell), stopped early, and a student
    cell that records "passed" in RESULTS. ``instructor`` holds the instructor notebook of the first and third."""
    root = tmp_path_factory.mktemp("trust")
    instructor_dir = root / "instructor"
    fx.write(fx.instructor_notebook(), instructor_dir)
    out = root / "handin"

    def student(sid: str, *, complete: bool = True, extra: str | None = None, middle_error: bool = False) -> Path:
        src = instructor_dir / fx.NAME
        if middle_error:  # a different instructor notebook: its cell ids do not match (alignment fallback)
            src = fx.write(fx.instructor_notebook(middle_error=True), root / "other" / sid)
        nb_path, _ = release_notebook(src, root / "students" / sid)
        if complete:
            fx.complete(nb_path, read_notebook(src))
        if extra:
            fx.insert_before_summary(nb_path, extra)
        result = handin.hand_in(nb_path, student_id=sid, name=f"Student {sid}", quick=True, out=out,
                                progress=False, verbose=False)
        return result.zip_path

    return SimpleNamespace(root=root, instructor=instructor_dir,
                           complete=student("S0000011", extra=HAND_IN_CALL),
                           stopped=student("S0000012", middle_error=True),
                           hack=student("S0000013", complete=False, extra=fx.RECORD_HACK))


def rewrite(src: Path, dest: Path, *, manifest: Callable[[dict], None] | None = None,
            members: dict[str, Callable[[bytes], bytes]] | None = None, rehash: bool = True) -> Path:
    """Copy a hand-in zip to ``dest``, editing the manifest and members (rehashing them, as a forger would)."""
    with zipfile.ZipFile(src) as zf:
        blobs = {n: zf.read(n) for n in zf.namelist()}
    m = json.loads(blobs[handin.MANIFEST_NAME])
    for name, edit in (members or {}).items():
        blobs[name] = edit(blobs[name])
        if rehash:
            m["members"][name] = hashlib.sha256(blobs[name]).hexdigest()
    if manifest:
        manifest(m)
    blobs[handin.MANIFEST_NAME] = json.dumps(m).encode()
    dest.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(dest, "w") as zf:
        for name, data in blobs.items():
            zf.writestr(name, data)
    return dest


def manifest_of(path: Path) -> dict:
    with zipfile.ZipFile(path) as zf:
        return json.loads(zf.read(handin.MANIFEST_NAME))


def claim_all_passed(m: dict) -> None:
    for c in m["checks"]:
        c["status"] = "passed"
    m["counts"] = {"passed": len(m["checks"]), "failed": 0, "not attempted": 0}


def claim_complete(m: dict) -> None:
    """Edit only the manifest of a run that stopped early: it passed everything and finished."""
    claim_all_passed(m)
    m["run"]["status"] = "complete"
    m["run"]["failed_cell"] = None


def read_rows(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


# ----------------------------------------------------------------------------------------------- default mode
def test_honest_hand_ins_are_ok(kit):
    for zip_path in (kit.complete, kit.stopped):
        row = grade.grade_zip(zip_path, instructor_dir=kit.instructor)
        assert (row["integrity"], row["flags"]) == ("ok", ""), row
    assert grade.grade_zip(kit.stopped)["run_status"] == "failed"


def test_manifest_only_edit_of_a_stopped_run_is_caught(kit, tmp_path, capsys):
    forged = rewrite(kit.stopped, tmp_path / kit.stopped.name, manifest=claim_complete)
    assert grade.main([str(forged), "--out", str(tmp_path / "gb.csv")]) == 1
    integrity = read_rows(tmp_path / "gb.csv")[0]["integrity"]
    assert "run.status says complete, but run.errors has a fatal NameError in cell 6" in integrity
    assert "run.status says complete, but cell 8 (`def row_means(a):`) and 2 more never ran" in integrity
    assert "manifest says 98.2 passed, but no check in the notebook printed a result for it" in integrity
    assert "integrity run.status says complete" in capsys.readouterr().err


def test_dropping_the_fatal_error_too_is_caught_by_the_notebook_outputs(kit, tmp_path):
    def hide(m):
        claim_complete(m)
        m["run"]["errors"] = [e for e in m["run"]["errors"] if e["outcome"] != "fatal"]

    row = grade.grade_zip(rewrite(kit.stopped, tmp_path / kit.stopped.name, manifest=hide))
    assert "the executed notebook shows NameError in cell 6 (fatal), which run.errors does not list" in row["integrity"]


def test_counts_and_failed_cell_must_agree(kit, tmp_path):
    def lie(m):
        m["counts"]["passed"] = 2
        m["run"]["failed_cell"] = None

    row = grade.grade_zip(rewrite(kit.stopped, tmp_path / kit.stopped.name, manifest=lie))
    assert "counts {'passed': 2" in row["integrity"] and "disagree with the checks listed" in row["integrity"]
    assert "run.status says failed, but failed_cell is null" in row["integrity"]


def test_student_id_edit_is_caught_by_the_zip_name(kit, tmp_path):
    row = grade.grade_zip(rewrite(kit.complete, tmp_path / kit.complete.name,
                                  manifest=lambda m: m.update(student_id="S0000099")))
    assert ("the zip is named S0000011_98_fixture.zip but its manifest says S0000099_98_fixture.zip"
            in row["integrity"])


def test_name_edit_is_caught_when_the_notebook_names_the_student(kit, tmp_path):
    row = grade.grade_zip(rewrite(kit.complete, tmp_path / kit.complete.name,
                                  manifest=lambda m: m.update(name="Somebody Else")))
    assert "the notebook hands in as name='Student S0000011', but the manifest says 'Somebody Else'" in row["integrity"]


@pytest.mark.parametrize("name, ok", [
    ("S0000011_98_fixture.zip", True),
    ("S0000011_98_fixture (1).zip", True),                                  # a browser's second download
    ("Ada Lovelace_1234_assignsubmission_file_S0000011_98_fixture.zip", True),  # Moodle's bulk download
    ("forged.zip", False),
    ("XS0000011_98_fixture.zip", False),
    ("S0000012_98_fixture.zip", False),
])
def test_zip_name_must_match_the_manifest(kit, tmp_path, name, ok):
    shutil.copy(kit.complete, tmp_path / name)
    row = grade.grade_zip(tmp_path / name)
    assert (row["integrity"] == "ok") is ok, row["integrity"]


def test_outputs_edited_without_the_html_are_caught(kit, tmp_path):
    forged = rewrite(kit.hack, tmp_path / kit.hack.name,
                     members={"98_fixture.ipynb": lambda b: b.replace("⏳".encode(), "✅".encode())})
    row = grade.grade_zip(forged)
    assert ("the HTML export does not show the notebook's line '✅ 98.1 Double a number — not attempted yet'"
            in row["integrity"])


# ----------------------------------------------------------------------------------------------- flags
def test_a_cell_recording_results_is_flagged(kit, tmp_path, capsys):
    row = grade.grade_zip(kit.hack, instructor_dir=kit.instructor)
    assert (row["passed"], row["integrity"]) == (2, "ok")  # consistent, so only the flag and --rerun can tell
    assert row["flags"].startswith("cell 10 (`from utils.checks.core import EXERCISES, RESULTS`): ")
    assert "imports EXERCISES, RESULTS from utils.checks.core" in row["flags"] and "calls .record(" in row["flags"]
    assert grade.main([str(kit.hack), "--out", str(tmp_path / "gb.csv")]) == 0
    assert "FLAGGED cell 10" in capsys.readouterr().err
    assert "uses RESULTS" in read_rows(tmp_path / "gb.csv")[0]["flags"]


@pytest.mark.parametrize("source, reason", [
    ('RESULTS.record(ex, "passed", "")', "uses RESULTS"),
    ("import utils.checks.core as c\nc.RESULTS.results.clear()", "imports utils.checks.core"),
    ("from utils.checks import core", "imports utils.checks.core"),
    ('x = getattr(core, "RESULTS")', "names RESULTS in a string"),
    ("from utils import checks\nchecks.perceptron.check_perceptron_predict = lambda f: True",
     "assigns to checks.…check_perceptron_predict"),
    ("import builtins\nbuiltins.print = lambda *a: None", "uses builtins"),
    ("def print(*args):\n    pass", "replaces print"),
    ("import sys\nsys.modules['utils.checks.core'].EXERCISES.clear()", "uses sys.modules"),
    ('exec("RES" + "ULTS.clear()")', "runs dynamic code (exec)"),
    ("check_double = lambda fn: True", "redefines the check check_double"),
    ("%time RESULTS.clear()", "uses RESULTS"),
    ('log.record("x")', "calls .record("),  # any .record( is flagged: a human reads the cell
])
def test_machinery_scan_flags(source, reason):
    assert reason in flags.cell_flags(source, frozenset({"check_double"}))


@pytest.mark.parametrize("source", [
    "from utils.checks.core import exercise",
    "from utils import checks\nchecks.perceptron.check_perceptron_predict(perceptron_predict)",
    "def double(x):\n    return 2 * x\nprint(double(3))",
    "%timeit double(3)\n!ls",
    "def row_means(a):\n    results = a.mean(axis=1)\n    return results",
])
def test_machinery_scan_leaves_ordinary_cells_alone(source):
    assert flags.cell_flags(source, frozenset({"check_double"})) == []


# ----------------------------------------------------------------------------------------------- rebuild
def test_rerun_notebook_restores_edited_and_deleted_check_cells():
    instructor = fx.instructor_notebook()
    index = {c.source: j for j, c in enumerate(instructor.cells)}
    student, _ = make_student_copy(instructor)
    check1 = next(i for i, c in enumerate(student.cells) if c.source == "check_double(double)")
    student.cells[check1].source = 'print("✅ 98.1 Double a number — passed")'
    del student.cells[next(i for i, c in enumerate(student.cells) if c.source == "check_row_means(row_means)")]
    student.cells.insert(check1, fx.new_code_cell("x = 1"))
    stub = next(c.source for c in student.cells if "def row_means" in c.source)

    built = regrade.build_rerun_notebook(student, instructor)  # matched by cell id
    sources = [c.source for c in built.notebook.cells]
    assert sources.count("check_double(double)") == 1 and not any(s.startswith('print("✅') for s in sources)
    assert sources.index("check_row_means(row_means)") == sources.index(stub) + 1  # put back where it was
    assert built.replaced == [index["check_double(double)"]]
    assert built.reinserted == [index["check_row_means(row_means)"]]
    provenance = {i: built.notebook.cells[i].metadata[regrade.PROVENANCE_KEY]["source"] for i in built.instructor_cells}
    assert list(provenance.values()).count("instructor (re-inserted)") == 1
    assert all(not c.outputs for c in built.notebook.cells if c.cell_type == "code")

    for cell in student.cells:  # ids lost (e.g. an old editor): cells are aligned by their sources instead
        cell["id"] = f"other-{id(cell)}"
    built = regrade.build_rerun_notebook(student, instructor)
    sources = [c.source for c in built.notebook.cells]
    assert sources.count("check_double(double)") == 1 and sources.count("check_row_means(row_means)") == 1
    ex1 = next(i for i, s in enumerate(sources) if "def double" in s)
    assert ex1 < sources.index("check_double(double)")  # after the exercise it checks, never before
    assert sources.index("check_row_means(row_means)") == sources.index(stub) + 1
    assert sources.index("check_double(double)") in built.instructor_cells


# ----------------------------------------------------------------------------------------------- --rerun
def test_rerun_of_honest_hand_ins_agrees(kit):
    for zip_path in (kit.complete, kit.stopped):
        row = grade.grade_zip(zip_path, rerun=True, timeout=120, instructor_dir=kit.instructor)
        assert (row["rerun"], row["integrity"]) == ("agrees", "ok"), row


def test_rerun_ignores_what_a_student_cell_recorded(kit, tmp_path, capsys):
    row = grade.grade_zip(kit.hack, rerun=True, timeout=120, instructor_dir=kit.instructor)
    assert row["rerun"] == "differs: 98.1 passed->not attempted; 98.2 passed->not attempted"
    assert row["integrity"].startswith("the re-run under the instructor's control disagrees with the manifest")
    assert grade.main([str(kit.hack), "--rerun", "--timeout", "120", "--instructor-dir", str(kit.instructor),
                       "--out", str(tmp_path / "gb.csv")]) == 1


def test_rerun_exposes_a_manifest_only_edit(kit, tmp_path):
    forged = rewrite(kit.stopped, tmp_path / kit.stopped.name, manifest=claim_complete)
    row = grade.grade_zip(forged, rerun=True, timeout=120, instructor_dir=kit.instructor)
    assert row["rerun"] == "differs: 98.2 passed->not attempted; run complete->failed"
    assert "disagrees with the manifest (98.2 passed->not attempted; run complete->failed)" in row["integrity"]


def test_rerun_needs_the_instructor_notebook(kit, tmp_path):
    row = grade.grade_zip(kit.complete, rerun=True, timeout=120, instructor_dir=tmp_path)
    assert row["rerun"].startswith(f"could not re-run: no instructor notebook {tmp_path / fx.NAME}")
    assert row["integrity"].startswith("not verified by re-running")
