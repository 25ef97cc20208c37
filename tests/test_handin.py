"""utils.course.handin: the zip and manifest, never touching the student's notebook, refusals, atomic writes."""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import platform
import shutil
import zipfile
from pathlib import Path
from types import SimpleNamespace

import nbformat
import pytest
from nbformat.v4 import new_code_cell

import _nbfixtures as fx
from utils.course import cells, handin, notebook_io, runner
from utils.course.handin import hand_in
from utils.course.handin_inputs import HandinError, validate_name, validate_student_id
from utils.course.notebook_io import read_notebook, write_notebook
from utils.course.release import release_notebook
from utils.course.runner import RunResult

SID = "S1234567"
NAME = "Zoë Example-Ünïcode"


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def read_zip(path: Path) -> tuple[dict, dict[str, bytes]]:
    with zipfile.ZipFile(path) as zf:
        members = {n: zf.read(n) for n in zf.namelist()}
    return json.loads(members.pop(handin.MANIFEST_NAME).decode("utf-8")), members


@pytest.fixture(scope="module")
def handed_in(tmp_path_factory):
    """A released fixture notebook, completed with the solutions and handed in once (full mode)."""
    root = tmp_path_factory.mktemp("handin")
    instructor = fx.instructor_notebook()
    src = fx.write(instructor, root / "notebooks")
    nb_path, _ = release_notebook(src, root / "student")
    fx.complete(nb_path, instructor)
    before = (sha(nb_path), nb_path.stat().st_mtime_ns)
    result = hand_in(nb_path, student_id=SID, name=NAME, out=root / "handin", progress=False, verbose=False)
    return SimpleNamespace(root=root, nb_path=nb_path, before=before, result=result)


def test_zip_holds_executed_notebook_html_and_manifest(handed_in):
    result = handed_in.result
    assert result.ok and result.zip_path == handed_in.root / "handin" / f"{SID}_98_fixture.zip"
    manifest, members = read_zip(result.zip_path)
    assert set(members) == {"98_fixture.ipynb", "98_fixture.html"}
    assert manifest["members"] == {n: hashlib.sha256(b).hexdigest() for n, b in members.items()}
    assert (manifest["student_id"], manifest["name"], manifest["notebook"]) == (SID, NAME, "98_fixture.ipynb")
    assert manifest["notebook_sha256"] == handed_in.before[0]
    when = dt.datetime.fromisoformat(manifest["handed_in_at"])
    assert when.utcoffset() == dt.timedelta(0) and abs(dt.datetime.now(dt.timezone.utc) - when).total_seconds() < 600
    assert manifest["versions"]["python"] == platform.python_version()
    assert set(manifest["versions"]) >= {"python", "numpy", "tensorflow", "keras"}
    assert manifest["run"]["status"] == "complete" and manifest["run"]["failed_cell"] is None
    assert manifest["run"]["results_from"] == "kernel" and manifest["run"]["seconds"] > 0
    assert [(c["label"], c["status"]) for c in manifest["checks"]] == [("98.1", "passed"), ("98.2", "passed")]
    assert manifest["checks"][1]["title"] == "Row means"
    assert manifest["counts"] == {"passed": 2, "failed": 0, "not attempted": 0}
    executed = nbformat.reads(members["98_fixture.ipynb"].decode("utf-8"), as_version=4)
    text = json.dumps([c.get("outputs", []) for c in executed.cells], ensure_ascii=False)
    # conftest.py turns quick mode on for the test process: the hand-in still runs in full mode by default
    assert manifest["quick"] is False and "full mode" in text and "QUICK mode" not in text
    assert runner.RESULTS_SENTINEL not in text and len(executed.cells) == len(fx.instructor_notebook().cells)
    assert "98 · Fixture" in members["98_fixture.html"].decode("utf-8")


def test_student_notebook_is_never_modified(handed_in):
    assert (sha(handed_in.nb_path), handed_in.nb_path.stat().st_mtime_ns) == handed_in.before
    assert sorted(p.name for p in handed_in.nb_path.parent.iterdir()) == ["98_fixture.ipynb"]


def test_second_hand_in_refused_without_force_and_earlier_zip_unchanged(handed_in, capsys):
    zip_path = handed_in.result.zip_path
    before = zip_path.read_bytes()
    with pytest.raises(HandinError, match="already exists.*--force"):
        hand_in(handed_in.nb_path, student_id=SID, name=NAME, out=zip_path.parent, progress=False)
    code = handin.main([str(handed_in.nb_path), "--student-id", SID, "--name", NAME, "--out", str(zip_path.parent)])
    assert code == 2 and "already exists" in capsys.readouterr().err
    assert zip_path.read_bytes() == before
    assert sorted(p.name for p in zip_path.parent.iterdir()) == [zip_path.name]  # no temporary files left


def test_force_replaces_earlier_zip_and_quick_sets_the_kernel_environment(handed_in, tmp_path):
    earlier = tmp_path / handed_in.result.zip_path.name
    shutil.copy2(handed_in.result.zip_path, earlier)
    result = hand_in(handed_in.nb_path, student_id=SID, name=NAME, out=tmp_path, force=True, quick=True,
                     progress=False, verbose=False)
    assert result.zip_path == earlier and result.ok
    manifest, members = read_zip(earlier)
    assert manifest["quick"] is True and "QUICK mode" in members["98_fixture.ipynb"].decode("utf-8")


@pytest.mark.parametrize("content, expected", [
    (None, "does not exist"),
    (b"{\"cells\": [", "not valid JSON"),
    (b"[1, 2, 3]", "not a Jupyter notebook"),
    (b"{\"cells\": [], \"nbformat\": 4, \"nbformat_minor\": 5, \"metadata\": 7}", "not a valid Jupyter notebook"),
    (b"\xff\xfe\x00garbage", "not UTF-8"),
])
def test_bad_notebook_exits_nonzero_with_a_clear_message(tmp_path, capsys, content, expected):
    path = tmp_path / "09_vanilla_gan.ipynb"
    if content is not None:
        path.write_bytes(content)
    code = handin.main([str(path), "--student-id", SID, "--name", NAME, "--out", str(tmp_path / "out")])
    err = capsys.readouterr().err
    assert code == 2 and expected in err and "09_vanilla_gan.ipynb" in err
    assert not (tmp_path / "out").exists()
    if content is not None:
        assert path.read_bytes() == content


@pytest.mark.parametrize("bad", ["", "../evil", "a b", "S1/2", "S1\\2", "-S1", "x" * 65, "Ø123", 1234567, None])
def test_invalid_student_id_is_refused(bad, tmp_path):
    with pytest.raises(HandinError, match="student id"):
        validate_student_id(bad)
    with pytest.raises(HandinError, match="student id"):
        hand_in(tmp_path / "x.ipynb", student_id=bad, name=NAME, out=tmp_path)


def test_valid_ids_names_and_numbers():
    assert validate_student_id("s-12_AB") == "s-12_AB"
    assert validate_name("  Ada  ") == "Ada"
    for bad in ("", "   ", "a\nb", 5):
        with pytest.raises(HandinError, match="name"):
            validate_name(bad)
    assert cells.notebook_number("notebooks/09_vanilla_gan.ipynb") == "09"
    assert cells.notebook_number("my_notebook.ipynb") is None
    nb = fx.instructor_notebook()
    assert cells.exercise_number(nb, "renamed.ipynb") == "98"
    assert cells.exercise_number(nbformat.v4.new_notebook(), "07_x.ipynb") == "07"
    with pytest.raises(ValueError, match="timeout"):
        hand_in("x.ipynb", student_id=SID, name=NAME, timeout=0)


def _fake_run(nb, **kwargs) -> RunResult:
    return RunResult(nb, "complete", None, [], [], {"python": "3"}, 0.1, "kernel")


def test_interrupted_write_leaves_no_zip_and_no_temporary_file(tmp_path, monkeypatch):
    nb_path = fx.write(fx.instructor_notebook(), tmp_path / "nb")
    monkeypatch.setattr(handin, "run_notebook", _fake_run)
    monkeypatch.setattr(handin, "html_export", lambda nb: "<html></html>")

    def interrupted(src, dst):
        raise KeyboardInterrupt

    monkeypatch.setattr(notebook_io.os, "replace", interrupted)
    with pytest.raises(KeyboardInterrupt):
        hand_in(nb_path, student_id=SID, name=NAME, out=tmp_path / "out", progress=False, verbose=False)
    assert list((tmp_path / "out").iterdir()) == []
    monkeypatch.undo()


def test_hand_in_called_from_a_notebook_cell(tmp_path):
    """A student runs hand_in(...) in the notebook itself: it works inside a kernel, and in the hand-in run
    that same cell does not hand the notebook in again."""
    from nbclient import NotebookClient

    instructor = fx.instructor_notebook()
    nb_path, _ = release_notebook(fx.write(instructor, tmp_path / "notebooks"), tmp_path / "student")
    fx.complete(nb_path, instructor)
    nb = read_notebook(nb_path)
    out = (tmp_path / "handin").as_posix()
    nb.cells.append(new_code_cell(
        "import utils.course.handin\n"
        f"r = utils.course.handin.hand_in('98_fixture.ipynb', student_id='S7', name='In Cell', out={out!r}, progress=False)\n"
        "print('RESULT', None if r is None else r.manifest['run']['status'])"))
    write_notebook(nb, nb_path)
    env = {k: v for k, v in os.environ.items() if k != runner.RUNNING_ENV_VAR}
    outer = NotebookClient(read_notebook(nb_path), timeout=300, kernel_name="python3",
                           resources={"metadata": {"path": str(nb_path.parent)}})
    executed = outer.execute(env=env)
    assert "RESULT complete" in executed.cells[-1].outputs[-1]["text"]
    manifest, members = read_zip(tmp_path / "handin" / "S7_98_fixture.zip")
    assert manifest["counts"]["passed"] == 2
    assert "hand_in(...) skipped" in members["98_fixture.ipynb"].decode("utf-8")


def test_run_classifies_intended_library_and_timeout_errors(tmp_path):
    """raises-exception cells are ignored; a NotImplementedError from a library is a real failure (the run
    stops there); a cell over the time limit fails the run and the results come from the printed lines."""
    nb = nbformat.v4.new_notebook(cells=[
        new_code_cell("x = 1"),
        new_code_cell("raise ValueError('on purpose')", metadata={"tags": ["raises-exception"]}),
        new_code_cell("import asyncio\nasyncio.AbstractEventLoop().time()"),
        new_code_cell("print('never reached')"),
    ])
    run = runner.run_notebook(nb, cwd=tmp_path, timeout=60)
    assert run.status == "failed" and run.results_from == "kernel"
    assert (run.failed_cell["index"], run.failed_cell["ename"]) == (2, "NotImplementedError")
    assert [(e["index"], e["origin"], e["outcome"]) for e in run.errors] == [(2, "library", "fatal")]
    assert run.notebook.cells[3].outputs == [] and nb.cells[2].outputs == []  # the input is not executed
    slow = nbformat.v4.new_notebook(cells=[new_code_cell("print('⏳ 99.1 X — not attempted yet')"),
                                           new_code_cell("import time\ntime.sleep(60)")])
    run = runner.run_notebook(slow, cwd=tmp_path, timeout=2)
    assert run.status == "failed" and run.failed_cell["ename"] == "CellTimeoutError"
    assert "longer than 2 s" in run.failed_cell["evalue"] and run.failed_cell["first_line"] == "import time"
    assert run.results_from == "outputs" and run.checks[0]["label"] == "99.1" and run.seconds < 55


def test_kernel_that_cannot_start_is_a_clear_error_and_writes_nothing(tmp_path, monkeypatch):
    nb_path = fx.write(fx.instructor_notebook(), tmp_path / "nb")

    def no_kernel(nb, **kwargs):
        raise RuntimeError("Kernel died before replying to kernel_info")

    monkeypatch.setattr(handin, "run_notebook", no_kernel)
    with pytest.raises(HandinError, match="could not run 98_fixture.ipynb in a fresh kernel.*ipykernel"):
        hand_in(nb_path, student_id=SID, name=NAME, out=tmp_path / "out", progress=False, verbose=False)
    assert not (tmp_path / "out").exists()
