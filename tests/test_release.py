"""utils.course.release: student copies (nbgrader's replacement rules), refusals, and every real notebook's copy."""
from __future__ import annotations

import hashlib
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

import _nbfixtures as fx
from utils.course import release
from utils.course.cells import notebook_number
from utils.course.notebook_io import read_notebook
from utils.course.release import MarkerError, find_regions, make_student_copy, release_notebook
from utils.course.runner import run_notebook
from utils.settings import repo_root

REAL_NOTEBOOKS = sorted((repo_root() / "notebooks").glob("*.ipynb"))



def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# ---------------------------------------------------------------------------------------------- fixture notebook
def test_student_copy_replaces_regions_at_marker_indentation_and_answers():
    nb = fx.instructor_notebook()
    nb.cells[4].outputs = [nbformat.v4.new_output("stream", text="secret output")]
    nb.cells[4].execution_count = 3
    student, report = make_student_copy(nb, name=fx.NAME)
    assert (report.regions, report.whole_cells, report.answers, report.exercises) == (2, 0, 1, 3)
    src1, src2 = student.cells[4].source, student.cells[7].source
    assert src1.splitlines()[-2:] == ["    # YOUR CODE HERE", "    raise NotImplementedError()"]
    assert src2.splitlines()[-2:] == ["        # YOUR CODE HERE", "        raise NotImplementedError()"]
    assert "a = np.asarray(a, dtype=float)" in src2  # code outside the region stays
    text = "\n".join(c.source for c in student.cells)
    assert not any(line in text for line in fx.SOLUTION_LINES)
    assert "SOLUTION" not in text and fx.ANSWER not in text
    assert student.cells[9].source == release.ANSWER_STUB
    assert all(c.outputs == [] and c.execution_count is None for c in student.cells if c.cell_type == "code")
    assert nb.cells[4].outputs and "BEGIN SOLUTION" in nb.cells[4].source  # the original is untouched


def test_nbgrader_metadata_and_prose_markers():
    nb = new_notebook(cells=[
        new_markdown_cell("Put your code between `### BEGIN SOLUTION` and `### END SOLUTION`."),
        new_markdown_cell("model answer", metadata={"nbgrader": {"solution": True}}),
        new_code_cell("x = 42  # whole-cell solution", metadata={"nbgrader": {"solution": True}}),
        new_code_cell('print("### BEGIN SOLUTION is how markers look")'),
    ])
    student, report = make_student_copy(nb)
    assert student.cells[0].source == nb.cells[0].source  # prose is not a region
    assert student.cells[1].source == release.ANSWER_STUB
    assert student.cells[2].source == "# YOUR CODE HERE\nraise NotImplementedError()"
    assert student.cells[3].source == nb.cells[3].source  # not a comment line: not a marker
    assert (report.regions, report.whole_cells, report.answers) == (0, 1, 1)


@pytest.mark.parametrize("source, line, what", [
    ("def f():\n    return 1\n    ### END SOLUTION", 3, "without"),
    ("def f():\n    ### BEGIN SOLUTION\n    return 1", 2, "never closed"),
    ("def f():\n    ### BEGIN SOLUTION\n    ### BEGIN SOLUTION\n    return 1\n    ### END SOLUTION\n    ### END SOLUTION",
     3, "nested"),
])
def test_unbalanced_or_nested_markers_refused(tmp_path, capsys, source, line, what):
    nb = fx.instructor_notebook()
    nb.cells[7].source = source
    with pytest.raises(MarkerError, match=what) as info:
        make_student_copy(nb, name="98_bad.ipynb")
    assert f"98_bad.ipynb, cell 7, line {line}" in str(info.value)
    src = fx.write(nb, tmp_path / "notebooks", "98_bad.ipynb")
    before = sha(src)
    assert release.main([str(src), "--out", str(tmp_path / "release")]) == 1
    err = capsys.readouterr().err
    assert "REFUSED" in err and "cell 7" in err and f"line {line}" in err
    assert not (tmp_path / "release" / "98_bad.ipynb").exists()
    assert sha(src) == before


def test_find_regions_bad_input():
    assert find_regions("") == []
    with pytest.raises(MarkerError, match="nested"):
        find_regions("# BEGIN SOLUTION\n# BEGIN SOLUTION\n# END SOLUTION\n# END SOLUTION")


def test_release_cli_writes_only_student_copies_and_never_touches_instructor_files(tmp_path, capsys):
    src_dir = tmp_path / "notebooks"
    src = fx.write(fx.instructor_notebook(), src_dir)
    other = fx.write(fx.instructor_notebook(middle_error=True), src_dir, "97_other.ipynb")
    hashes = {p: sha(p) for p in (src, other)}
    mtimes = {p: p.stat().st_mtime_ns for p in (src, other)}
    out = tmp_path / "somewhere" / "release"
    assert release.main([str(src), str(other), "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "98_fixture.ipynb: 2 code exercise(s), 1 written answer(s)" in printed
    assert sorted(p.name for p in out.iterdir()) == ["97_other.ipynb", "98_fixture.ipynb"]
    assert {p: sha(p) for p in hashes} == hashes and {p: p.stat().st_mtime_ns for p in mtimes} == mtimes
    copy = read_notebook(out / fx.NAME)
    assert sum(c.source.count("raise NotImplementedError()") for c in copy.cells) == 2


def test_release_refuses_to_write_over_the_source_and_bad_files(tmp_path, capsys):
    src = fx.write(fx.instructor_notebook(), tmp_path)
    before = sha(src)
    with pytest.raises(ValueError, match="over the notebook itself"):
        release_notebook(src, tmp_path)
    assert sha(src) == before
    (tmp_path / "broken.ipynb").write_text("{not json", encoding="utf-8")
    assert release.main([str(tmp_path / "broken.ipynb"), str(tmp_path / "missing.ipynb"),
                         "--out", str(tmp_path / "out")]) == 1
    err = capsys.readouterr().err
    assert "not valid JSON" in err and "does not exist" in err


def test_relative_paths_are_warned_about():
    nb = new_notebook(cells=[new_code_cell("x = open('../data/mnist.npz', 'rb')")])
    _, report = make_student_copy(nb, name="x.ipynb")
    assert len(report.warnings) == 1 and "cell 0" in report.warnings[0]


# ---------------------------------------------------------------------------------------------- real notebooks
def _regions_and_lines(nb: nbformat.NotebookNode) -> tuple[int, set[str], set[str], int]:
    """Independent re-count: (regions, lines inside regions/answers, lines elsewhere, stubs inside regions)."""
    regions, inside, outside, stubs_inside = 0, set(), set(), 0
    for cell in nb.cells:
        answer = cell.cell_type == "markdown" and release.is_solution_cell(cell)
        depth = 0
        for line in cell.source.splitlines():
            s = line.strip()
            if cell.cell_type == "code" and s.startswith("#") and "BEGIN SOLUTION" in s:
                depth, regions = 1, regions + 1
            elif cell.cell_type == "code" and s.startswith("#") and "END SOLUTION" in s:
                depth = 0
            elif s:
                (inside if depth or answer else outside).add(s)
                stubs_inside += bool(depth) and "raise NotImplementedError()" in s
    return regions, inside, outside, stubs_inside


@pytest.mark.parametrize("path", REAL_NOTEBOOKS, ids=[p.stem for p in REAL_NOTEBOOKS])
def test_real_student_copy_has_no_solution_text(path, tmp_path):
    before = sha(path)
    dest, report = release_notebook(path, tmp_path)
    assert sha(path) == before
    instructor, student = read_notebook(path), read_notebook(dest)
    regions, inside, outside, stubs_inside = _regions_and_lines(instructor)
    distinctive = inside - outside
    student_lines = {line.strip() for c in student.cells for line in c.source.splitlines()}
    leaked = sorted(distinctive & student_lines)
    assert not leaked, f"solution text left in the student copy of {path.name}: {leaked[:5]}"
    count = lambda nb: sum(c.source.count("raise NotImplementedError()") for c in nb.cells if c.cell_type == "code")
    assert report.regions == regions
    assert count(student) == count(instructor) - stubs_inside + regions + report.whole_cells


@pytest.mark.parametrize("path", REAL_NOTEBOOKS, ids=[p.stem for p in REAL_NOTEBOOKS])
def test_real_student_copy_runs_with_only_not_attempted_errors(path, tmp_path):
    dest, _ = release_notebook(path, tmp_path / "release")  # elsewhere than notebooks/: no relative paths
    run = run_notebook(read_notebook(dest), cwd=dest.parent, quick=True, timeout=300, number=notebook_number(path))
    # Every error must be a NotImplementedError raised from an exercise's stub (also when a later cell calls
    # the exercise's function) or from a check reporting one.
    bad = [e for e in run.errors if not (e["ename"] == "NotImplementedError" and e["origin"] in ("exercise", "check"))]
    assert not bad, f"{path.name} student copy: errors not raised by an exercise stub or check: {bad}"
    assert run.status == "complete", run.failed_cell
    assert not [c for c in run.checks if c["status"] == "passed"], f"a check passes on a stub: {run.checks}"
