"""``python -m utils.course.grade --rerun --jobs N``: the same gradebook as one zip at a time, a hung notebook
costs only its own row, so does a crash in a worker, and a bad ``--jobs`` is refused (fixture notebook 98)."""
from __future__ import annotations

import csv
import io
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from types import SimpleNamespace

import pytest

import _nbfixtures as fx
from utils.course import grade, handin
from utils.course.notebook_io import read_notebook
from utils.course.release import release_notebook

HANG_FLAG = "HANG_AT_RERUN"
"""A file that, in the kernel's working folder, makes the student cell :data:`HANG` sleep for an hour."""
HANG = f'import os, time\n\nif os.path.exists("{HANG_FLAG}"):\n    time.sleep(3600)'
"""A student cell that finishes at hand-in time but hangs in the grader's re-run (whose folder has the flag)."""
TIMEOUT = 12
"""--timeout of the re-runs, s: ample for a fixture cell on a busy machine, short for the hung one."""
KINDS = {"S0000031": "complete", "S0000032": "untouched", "S0000033": "one wrong", "S0000034": "hangs"}


@pytest.fixture(scope="module")
def kit(tmp_path_factory):
    """Four quick-mode hand-ins of the fixture: complete, untouched, one wrong, and one that hangs when re-run."""
    root = tmp_path_factory.mktemp("jobs")
    instructor_dir = root / "instructor"
    src = fx.write(fx.instructor_notebook(), instructor_dir)
    (instructor_dir / HANG_FLAG).write_text("the re-run kernel starts in this folder\n", encoding="utf-8")
    out = root / "handin"

    def student(sid: str) -> Path:
        nb_path, _ = release_notebook(src, root / "students" / sid)
        if KINDS[sid] != "untouched":
            fx.complete(nb_path, read_notebook(src), wrong_row_means=KINDS[sid] == "one wrong")
        if KINDS[sid] == "hangs":
            fx.insert_before_summary(nb_path, HANG)
        return handin.hand_in(nb_path, student_id=sid, name=f"Student {sid}", quick=True, out=out,
                              progress=False, verbose=False).zip_path

    with ThreadPoolExecutor(2) as pool:  # two hand-ins at a time, to keep the module short
        zips = dict(zip(KINDS, pool.map(student, KINDS)))
    return SimpleNamespace(instructor=instructor_dir, out=out, zips=zips)


def read_rows(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def run_cli(kit, out: Path, jobs: str) -> int:
    return grade.main([str(kit.out), "--rerun", "--timeout", str(TIMEOUT), "--instructor-dir", str(kit.instructor),
                       "--out", str(out), "--jobs", jobs])


def test_jobs_2_gives_the_same_gradebook_and_a_hung_notebook_costs_only_its_row(kit, tmp_path, capsys):
    assert run_cli(kit, tmp_path / "serial.csv", "1") == 1  # the hung re-run is an integrity problem
    serial = capsys.readouterr()
    assert run_cli(kit, tmp_path / "parallel.csv", "2") == 1
    parallel = capsys.readouterr()
    assert (tmp_path / "parallel.csv").read_bytes() == (tmp_path / "serial.csv").read_bytes()
    assert parallel.out.replace("parallel.csv", "serial.csv") == serial.out  # the same summary
    assert parallel.err == serial.err  # and the same complaints (no progress bar: stderr is not a terminal)
    rows = {r["student_id"]: r for r in read_rows(tmp_path / "parallel.csv")}
    assert list(rows) == list(KINDS)
    assert {sid: (r["passed"], r["rerun"], r["integrity"]) for sid, r in rows.items()} == {
        "S0000031": ("2", "agrees", "ok"), "S0000032": ("0", "agrees", "ok"), "S0000033": ("1", "agrees", "ok"),
        "S0000034": ("2", "differs: run complete->failed",
                     "the re-run under the instructor's control disagrees with the manifest (run complete->failed)")}


def test_a_crash_in_one_worker_becomes_its_row(kit, monkeypatch):
    real = grade.grade_zip

    def flaky(path, **kwargs):
        name = Path(path).name
        if name.startswith("S0000032"):
            raise KeyError("surprise")
        if name.startswith("S0000033"):
            raise SystemExit(3)  # not even an Exception: still only this row
        return real(path, **kwargs)

    monkeypatch.setattr(grade, "grade_zip", flaky)
    paths = [kit.zips[sid] for sid in KINDS]
    rows = grade.grade_zips(paths, jobs=2)
    assert [r["zip"] for r in rows] == [str(p) for p in paths]
    assert [r["integrity"].split(";")[0] for r in rows] == ["ok", "grader error (KeyError: 'surprise')",
                                                              "grader error (SystemExit: 3)", "ok"]
    ordered, _ = grade.gradebook(paths, jobs=2)
    assert [r["student_id"] for r in ordered] == ["S0000031", "S0000034", "", ""]  # broken rows last, in order


def test_progress_bar_on_a_terminal(kit, monkeypatch):
    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    monkeypatch.setattr(sys, "stderr", Terminal())
    grade.gradebook(list(kit.zips.values()), jobs=2, progress=True)
    assert "checking hand-ins" in sys.stderr.getvalue() and "4/4" in sys.stderr.getvalue()


@pytest.mark.parametrize("value", ["0", "-2", "two", "1.5"])
def test_bad_jobs_is_refused(tmp_path, capsys, value):
    with pytest.raises(SystemExit) as exit_info:
        grade.main([str(tmp_path), "--rerun", "--jobs", value, "--out", str(tmp_path / "gradebook.csv")])
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert "--jobs" in err and (("must be at least 1" in err) if value.lstrip("-").isdigit() else "invalid int" in err)
    assert not (tmp_path / "gradebook.csv").exists()
    with pytest.raises(ValueError, match="jobs must be an integer >= 1"):
        grade.gradebook([tmp_path / "S0000031_98_fixture.zip"], jobs=0)


def test_every_parse_of_a_grade_holds_the_ast_lock(kit, monkeypatch):
    """CPython 3.11's AST constructor is not thread-safe (see regrade.AST_LOCK): the worker threads take turns."""
    from utils.course import flags, regrade

    held: list[bool] = []

    def watched(real):
        def parse_cell(source):
            held.append(regrade.AST_LOCK.locked())
            return real(source)
        return parse_cell

    monkeypatch.setattr(flags, "parse_cell", watched(flags.parse_cell))  # the flag scan's
    monkeypatch.setattr(regrade, "parse_cell", watched(regrade.parse_cell))  # the re-run's check cells'
    row = grade.grade_zip(kit.zips["S0000031"], rerun=True, timeout=TIMEOUT, instructor_dir=kit.instructor)
    assert (row["rerun"], row["integrity"]) == ("agrees", "ok")
    assert held and all(held) and not regrade.AST_LOCK.locked()
