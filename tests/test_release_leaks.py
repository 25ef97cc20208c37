"""utils.course.release never leaks a solution: markdown/raw regions, misspelt markers, the safety net, output clashes."""
from __future__ import annotations

import hashlib
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_raw_cell

import _nbfixtures as fx
from utils.course import release
from utils.course.notebook_io import read_notebook
from utils.course.release import MarkerError, make_student_copy, release_notebook

SECRET = "the secret model answer"
PNG = {"image/png": "iVBORw0KGgo="}


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def write(tmp_path: Path, *cells: nbformat.NotebookNode, name: str = "97_case.ipynb") -> Path:
    """An instructor notebook made of ``cells`` in ``tmp_path/notebooks``."""
    return fx.write(new_notebook(cells=list(cells)), tmp_path / "notebooks", name)


def all_text(path: Path) -> str:
    return "\n".join(cell.source for cell in read_notebook(path).cells)


# ------------------------------------------------------------------------- canonical markers in markdown and raw
@pytest.mark.parametrize("make_cell", [new_markdown_cell, new_raw_cell], ids=["markdown", "raw"])
def test_regions_in_untagged_markdown_and_raw_cells_become_the_answer_stub(tmp_path, capsys, make_cell):
    source = f"Why does it converge?\n  ### BEGIN SOLUTION\n  {SECRET}\n  second line\n  ### END SOLUTION\nThen move on."
    cell = make_cell(source)
    student, report = make_student_copy(new_notebook(cells=[cell]))
    assert student.cells[0].source == "Why does it converge?\n  YOUR ANSWER HERE\nThen move on."  # nbgrader: indented
    assert (report.regions, report.whole_cells, report.answers) == (0, 0, 1)
    src = write(tmp_path, new_code_cell("x = 1"), make_cell(source))
    assert release.main([str(src), "--out", str(tmp_path / "release")]) == 0
    assert "0 code exercise(s), 1 written answer(s)" in capsys.readouterr().out
    text = all_text(tmp_path / "release" / src.name)
    assert SECRET not in text and "second line" not in text and "SOLUTION" not in text


def test_tagged_markdown_with_a_region_keeps_the_question_like_nbgrader():
    cell = new_markdown_cell(f"**Question.** Why?\n\n### BEGIN SOLUTION\n{SECRET}\n### END SOLUTION",
                             metadata={"tags": ["solution"]})
    student, report = make_student_copy(new_notebook(cells=[cell]))
    assert student.cells[0].source == "**Question.** Why?\n\nYOUR ANSWER HERE"
    assert report.answers == 1


@pytest.mark.parametrize("metadata", [{"tags": ["solution"]}, {"nbgrader": {"solution": True}}],
                         ids=["tag", "nbgrader"])
def test_raw_solution_cell_is_replaced_whole(metadata):
    student, report = make_student_copy(new_notebook(cells=[new_raw_cell(SECRET, metadata=metadata)]))
    assert student.cells[0].source == release.ANSWER_STUB
    assert report.answers == 1


def test_attachments_only_used_by_an_answer_are_dropped():
    cell = new_markdown_cell("![figure](attachment:question.png)\n### BEGIN SOLUTION\n![answer](attachment:answer.png)\n"
                             "### END SOLUTION")
    cell.attachments = {"question.png": PNG, "answer.png": PNG}
    student, _ = make_student_copy(new_notebook(cells=[cell]))
    assert student.cells[0].source == "![figure](attachment:question.png)\nYOUR ANSWER HERE"
    assert sorted(student.cells[0].attachments) == ["question.png"]
    assert sorted(cell.attachments) == ["answer.png", "question.png"]  # the instructor's cell is untouched


# -------------------------------------------------------------------------------------- marker-like lines refused
MISSPELT = [
    ("code", "def f():\n    ## begin solution\n    return 42\n    ## end solution", 2),
    ("code", "def f():\n    # BEGIN_SOLUTION\n    return 42\n    # END_SOLUTION", 2),
    ("code", "def f():\n    ### Begin-Solution\n    return 42\n    ### End-Solution", 2),
    ("code", "def f():\n    ###  BEGIN  SOLUTION\n    return 42\n    ###  END  SOLUTION", 2),
    ("code", "def f():\n    BEGIN SOLUTION\n    return 42\n    END SOLUTION", 2),
    ("markdown", "Why?\n<!-- BEGIN SOLUTION -->\nBecause 42.\n<!-- END SOLUTION -->", 2),
    ("markdown", "Why?\n\nBEGIN SOLUTION\nBecause 42.\nEND SOLUTION", 3),
    ("markdown", "Why?\n## begin solution\nBecause 42.\n## end solution", 2),
    ("raw", "## Begin Solution\nBecause 42.\n## End Solution", 1),
    ("code", "def f():\n    ### BEGIN SOLUTION\n    return 42\n    ### end solution", 4),  # a half-right pair
]


@pytest.mark.parametrize("cell_type, source, line", MISSPELT, ids=[f"{t}-{i}" for i, (t, _, _) in enumerate(MISSPELT)])
def test_marker_like_lines_are_refused_naming_notebook_cell_and_line(tmp_path, capsys, cell_type, source, line):
    make = {"code": new_code_cell, "markdown": new_markdown_cell, "raw": new_raw_cell}[cell_type]
    cells = [new_markdown_cell("# 97 · Case"), new_code_cell("import numpy as np"), make(source)]
    with pytest.raises(MarkerError, match="looks like a solution marker") as info:
        make_student_copy(new_notebook(cells=cells), name="97_case.ipynb")
    assert f"97_case.ipynb, cell 2, line {line} ({cell_type} cell)" in str(info.value)
    assert "### BEGIN SOLUTION" in str(info.value)  # says how to fix it
    src = write(tmp_path, *cells)
    before = sha(src)
    assert release.main([str(src), "--out", str(tmp_path / "release")]) == 1
    err = capsys.readouterr().err
    assert "REFUSED" in err and f"cell 2, line {line} ({cell_type} cell)" in err
    assert not (tmp_path / "release" / src.name).exists()
    assert sha(src) == before


@pytest.mark.parametrize("make_cell, source", [
    (new_markdown_cell, "`### BEGIN SOLUTION` and `### END SOLUTION` (your copy shows `raise NotImplementedError()`)"),
    (new_markdown_cell, "- Exercises live between `### BEGIN SOLUTION` / `### END SOLUTION`; a check follows each;"),
    (new_code_cell, 'print("### begin solution is how a misspelt marker looks")'),
    (new_raw_cell, "Where to begin: the solution is yours."),
], ids=["md-quote-start", "md-quote-list", "code-string", "raw-prose"])
def test_prose_quoting_a_marker_is_copied_unchanged(make_cell, source):
    student, report = make_student_copy(new_notebook(cells=[make_cell(source)]))
    assert student.cells[0].source == source and report.exercises == 0


# ------------------------------------------------------------------------------------------------ the safety net
def test_safety_net_refuses_a_copy_that_still_holds_solution_text(tmp_path, capsys, monkeypatch):
    """Simulate a bug in the replacement: it drops the markers but keeps the solution lines."""
    def drop_markers_only(source, regions, stub=release.CODE_STUB):
        return "\n".join(line for line in source.splitlines() if "SOLUTION" not in line)

    monkeypatch.setattr(release, "strip_regions", drop_markers_only)
    src = fx.write(fx.instructor_notebook(), tmp_path / "notebooks")
    with pytest.raises(release.LeakError, match=r"98_fixture.ipynb, cell 4, line 3 \(code cell\).*solution text"):
        make_student_copy(read_notebook(src), name=src.name)
    assert release.main([str(src), "--out", str(tmp_path / "release")]) == 1
    assert "REFUSED" in capsys.readouterr().err
    assert not (tmp_path / "release" / src.name).exists()


def test_safety_net_refuses_a_copy_that_still_holds_a_marker(monkeypatch):
    monkeypatch.setattr(release, "strip_regions", lambda source, regions, stub=release.CODE_STUB: source)
    with pytest.raises(release.LeakError, match=r"cell 4, line 3 \(code cell\).*solution marker"):
        make_student_copy(fx.instructor_notebook(), name=fx.NAME)


def test_safety_net_accepts_solution_lines_that_also_occur_outside_solutions():
    nb = new_notebook(cells=[
        new_code_cell("def g(x):\n    return x"),
        new_code_cell("def f(x):\n    ### BEGIN SOLUTION\n    return x\n    ### END SOLUTION"),
    ])
    student, report = make_student_copy(nb)
    assert student.cells[0].source == "def g(x):\n    return x" and report.regions == 1


# ------------------------------------------------------------------------------------------ output clashes (CLI)
def test_two_notebooks_with_the_same_name_are_refused_before_anything_is_written(tmp_path, capsys):
    first = fx.write(fx.instructor_notebook(), tmp_path / "notebooks", "00_first.ipynb")
    a = fx.write(fx.instructor_notebook(), tmp_path / "a", "01_x.ipynb")
    b = fx.write(fx.instructor_notebook(middle_error=True), tmp_path / "b", "01_X.ipynb")  # one file on Windows/macOS
    out = tmp_path / "release"
    assert release.main([str(first), str(a), str(b), "--out", str(out)]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and err.startswith("error:")
    assert str(a) in err and str(b) in err and "Nothing was written" in err
    assert not out.exists()


def test_the_same_notebook_named_twice_is_released_once(tmp_path, capsys):
    src = fx.write(fx.instructor_notebook(), tmp_path / "notebooks")
    alias = tmp_path / "notebooks" / ".." / "notebooks" / fx.NAME
    assert release.main([str(src), str(alias), "--out", str(tmp_path / "release")]) == 0
    assert "released 1 of 1 notebook(s)" in capsys.readouterr().out


@pytest.mark.parametrize("kind", ["out is a file", "parent is a file", "destination is a folder"])
def test_unusable_out_gives_one_line_and_exit_2(tmp_path, capsys, kind):
    src = fx.write(fx.instructor_notebook(), tmp_path / "notebooks")
    blocker = tmp_path / "taken.txt"
    blocker.write_text("keep me", encoding="utf-8")
    out = {"out is a file": blocker, "parent is a file": blocker / "release",
           "destination is a folder": tmp_path / "release"}[kind]
    if kind == "destination is a folder":
        (out / fx.NAME).mkdir(parents=True)
    assert release.main([str(src), "--out", str(out)]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and err.startswith("error:") and "Nothing was written" in err
    assert str(blocker if kind != "destination is a folder" else out / fx.NAME) in err
    assert blocker.read_text(encoding="utf-8") == "keep me"
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["notebooks", "taken.txt"] + (
        ["release"] if kind == "destination is a folder" else []))
    with pytest.raises(release.OutputError):
        release_notebook(src, out)
