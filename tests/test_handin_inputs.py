"""utils.course.handin: a mistaken student id or output folder is refused before anything runs, and the default
per-cell time limit follows the notebook's expected run time. No kernel is started here (run_notebook is
replaced by a stand-in that records how it was called)."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from nbformat.v4 import new_code_cell, new_notebook

from utils import machine
from utils.course import handin, handin_inputs
from utils.course.handin_inputs import HandinError
from utils.course.notebook_io import write_notebook
from utils.course.runner import DEFAULT_TIMEOUT, RunResult

SID = "S1234567"
README = Path(__file__).resolve().parents[1] / "README.md"


@pytest.fixture
def fake_run(monkeypatch):
    """Replace the kernel run and the HTML export; return the list of keyword arguments run_notebook got."""
    calls: list[dict] = []

    def run(nb, **kwargs) -> RunResult:
        calls.append(kwargs)
        return RunResult(nb, "complete", None, [], [], {"python": "3"}, 0.1, "kernel")

    monkeypatch.setattr(handin, "run_notebook", run)
    monkeypatch.setattr(handin, "html_export", lambda nb: "<html></html>")
    return calls


def _notebook(folder: Path, name: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    return write_notebook(new_notebook(cells=[new_code_cell("x = 1")]), folder / name)


# ------------------------------------------------------------------------------------------------ student id
@pytest.mark.parametrize("bad", ["S1\n", "S1234567\n", "S1\r\n"])
def test_student_id_with_a_trailing_newline_is_refused(bad, tmp_path, capsys, fake_run):
    with pytest.raises(HandinError, match="student id"):
        handin_inputs.validate_student_id(bad)
    assert handin_inputs.STUDENT_ID_PATTERN.match(bad) is None  # utils.course.manifest checks manifests with it
    nb_path = _notebook(tmp_path / "nb", "01_the_neuron.ipynb")
    code = handin.main([str(nb_path), "--student-id", bad, "--name", "Ada", "--out", str(tmp_path / "out")])
    err = capsys.readouterr().err
    assert code == 2 and "student id" in err and "Traceback" not in err
    assert not (tmp_path / "out").exists() and fake_run == []
    assert handin_inputs.STUDENT_ID_PATTERN.match(bad.rstrip()) and handin_inputs.validate_student_id(bad.rstrip())


# ------------------------------------------------------------------------------------------------ --out
def _out_cases(tmp_path: Path) -> dict[str, tuple[Path, str]]:
    a_file = tmp_path / "notes.txt"
    a_file.write_text("my notes")
    return {"existing file": (a_file, "is a file, not a folder"),
            "parent is a file": (a_file / "handin", "notes.txt is a file, not a folder"),
            "grandparent is a file": (a_file / "a" / "b", "notes.txt is a file, not a folder")}


@pytest.mark.parametrize("case", ["existing file", "parent is a file", "grandparent is a file"])
def test_out_of_the_wrong_kind_is_one_clear_line_exit_2_and_nothing_written(case, tmp_path, capsys, fake_run):
    nb_path = _notebook(tmp_path / "nb", "01_the_neuron.ipynb")
    out, expected = _out_cases(tmp_path)[case]
    before = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*"))
    code = handin.main([str(nb_path), "--student-id", SID, "--name", "Ada", "--out", str(out)])
    err = capsys.readouterr().err
    assert code == 2, err
    assert err.count("\n") == 1 and err.startswith("hand-in not written: ") and expected in err and "--out" in err
    assert fake_run == []  # refused before the notebook ran, not after minutes of running
    assert sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*")) == before
    assert (tmp_path / "notes.txt").read_text() == "my notes"


def test_zip_path_that_is_a_folder_is_refused_even_with_force(tmp_path, capsys, fake_run):
    nb_path = _notebook(tmp_path / "nb", "01_the_neuron.ipynb")
    (tmp_path / "out" / f"{SID}_01_the_neuron.zip").mkdir(parents=True)
    code = handin.main([str(nb_path), "--student-id", SID, "--name", "Ada", "--out", str(tmp_path / "out"),
                        "--force"])
    err = capsys.readouterr().err
    assert code == 2 and "is a folder, not a hand-in zip" in err and "Traceback" not in err and fake_run == []


def test_zip_that_cannot_be_written_is_one_clear_line_and_exit_2(tmp_path, capsys, fake_run, monkeypatch):
    nb_path = _notebook(tmp_path / "nb", "01_the_neuron.ipynb")

    def refused(path, data):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(handin, "atomic_write_bytes", refused)
    code = handin.main([str(nb_path), "--student-id", SID, "--name", "Ada", "--out", str(tmp_path / "out")])
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1 and "could not write" in err and "Permission denied" in err


# ------------------------------------------------------------------------------------------------ time limit
def _course_map_seconds() -> dict[str, int]:
    """The full-mode time of each notebook in README's course map, in seconds (the upper end of a range)."""
    found: dict[str, int] = {}
    for line in README.read_text(encoding="utf-8").splitlines():
        m = re.match(r"^\|\s*`(\d\d)_\w+`\s*\|.*\|\s*~?([\d.–-]+)\s*(s|min)\b[^|]*\|\s*$", line)
        if m:
            value = float(re.split(r"[–-]", m.group(2))[-1])
            found[m.group(1)] = round(value * (60 if m.group(3) == "min" else 1))
    return found


def test_expected_times_cover_the_course_map():
    course_map = _course_map_seconds()
    assert set(course_map) == {f"{i:02d}" for i in range(13)}, course_map
    assert set(machine.REFERENCE_SECONDS) == set(course_map)
    for number, seconds in course_map.items():
        assert machine.REFERENCE_SECONDS[number] >= seconds, number


@pytest.mark.parametrize("number", [f"{i:02d}" for i in range(11)])
def test_default_limit_gives_up_within_the_notebooks_own_time_plus_a_margin(number):
    expected = machine.REFERENCE_SECONDS[number]
    full = handin_inputs.default_timeout(number)
    quick = handin_inputs.default_timeout(number, quick=True)
    assert expected <= full <= max(handin_inputs.MIN_TIMEOUT, handin_inputs.TIMEOUT_MARGIN * expected)  # not 10 min for all
    assert quick <= full
    if handin_inputs.TIMEOUT_MARGIN * expected <= handin_inputs.MIN_TIMEOUT:  # the short notebooks: 2 minutes, not 10
        assert full == handin_inputs.MIN_TIMEOUT < DEFAULT_TIMEOUT


def test_hand_in_uses_and_prints_the_notebooks_limit_and_timeout_overrides_it(tmp_path, capsys, fake_run):
    short = _notebook(tmp_path / "nb", "01_the_neuron.ipynb")
    long = _notebook(tmp_path / "nb", "09_vanilla_gan.ipynb")
    other = _notebook(tmp_path / "nb", "my_project.ipynb")
    # 01 takes seconds: 2 minutes per cell, not 10; 09 takes minutes: 4x that in full mode, once in quick mode;
    # a notebook outside the course keeps the conservative 10 minutes; --timeout wins
    nine = machine.REFERENCE_SECONDS["09"]
    for path, quick, timeout, want in [(short, False, None, 120), (long, False, None, handin_inputs.TIMEOUT_MARGIN * nine),
                                       (long, True, None, max(handin_inputs.MIN_QUICK_TIMEOUT, nine)),
                                       (other, False, None, 600), (long, False, 45, 45)]:
        given = {} if timeout is None else {"timeout": timeout}
        result = handin.hand_in(path, student_id=SID, name="Ada", quick=quick, force=True, out=tmp_path / "out",
                                progress=False, **given)
        out = capsys.readouterr().out
        assert fake_run[-1]["timeout"] == want and result.manifest["timeout_s"] == want
        assert f"at most {want} s per cell" in out.splitlines()[0]
    code = handin.main([str(short), "--student-id", SID, "--name", "Ada", "--out", str(tmp_path / "out"),
                        "--force", "--timeout", "7"])
    assert code == 0 and fake_run[-1]["timeout"] == 7 and "at most 7 s per cell (--timeout)" in capsys.readouterr().out


def test_the_default_handin_folder_follows_the_environment(monkeypatch, tmp_path):
    # A lab hub points each student's hand-ins at their own folder (deploy/jupyterhub_config.py).
    from utils.course.handin_inputs import HANDIN_DIR_ENV_VAR, default_handin_dir
    from utils.settings import repo_root

    monkeypatch.delenv(HANDIN_DIR_ENV_VAR, raising=False)
    assert default_handin_dir() == repo_root() / "handin"
    monkeypatch.setenv(HANDIN_DIR_ENV_VAR, str(tmp_path / "mine"))
    assert default_handin_dir() == tmp_path / "mine"
