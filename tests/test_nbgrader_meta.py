"""utils.course.nbgrader_meta: every notebook's nbgrader metadata is current; stale or missing metadata is caught.

The real nbgrader reading these notebooks is tested in tests/instructor/test_nbgrader.py (run by .ci/run after
the instructor requirements are installed); these tests need no nbgrader and take about a second.
"""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from utils.course import nbgrader_meta as meta
from utils.course.release import make_student_copy
from utils.settings import repo_root

REAL_NOTEBOOKS = sorted((repo_root() / "notebooks").glob("*.ipynb"))
NEURON = repo_root() / "notebooks" / "01_the_neuron.ipynb"


def without_nbgrader(nb: dict) -> dict:
    nb = json.loads(json.dumps(nb))
    for cell in nb["cells"]:
        cell["metadata"].pop("nbgrader", None)
    return nb


@pytest.mark.parametrize("path", REAL_NOTEBOOKS, ids=lambda p: p.stem)
def test_every_notebook_metadata_is_current(path):
    nb = json.loads(path.read_text(encoding="utf-8"))
    assert meta.problems(nb, name=path.name) == [], (
        f"{path.name}: nbgrader metadata is missing or stale; run `python -m utils.course.nbgrader_meta`")
    assert meta.dumps(nb) == path.read_text(encoding="utf-8"), "the notebook is not in its JSON layout"
    graded = [c["metadata"]["nbgrader"] for c in nb["cells"] if c["metadata"].get("nbgrader", {}).get("grade")]
    checks = [m for m in graded if not m["solution"]]
    assert checks and all(m["points"] == meta.POINTS_PER_CHECK and m["locked"] for m in checks)


def test_check_command_passes_on_the_pack(capsys):
    assert meta.main(["--check"]) == 0
    assert "0 cell(s) missing or stale" in capsys.readouterr().out


@pytest.mark.parametrize("damage", ["missing", "stale_id", "stale_points", "stray"])
def test_check_fails_on_stale_or_missing_metadata_and_the_script_repairs_it(tmp_path, capsys, damage):
    path = tmp_path / NEURON.name
    shutil.copy(NEURON, path)
    original = json.loads(path.read_text(encoding="utf-8"))
    nb = json.loads(json.dumps(original))
    check_cell = next(c for c in nb["cells"] if c["metadata"].get("nbgrader", {}).get("grade_id") == "ex-01-2-check")
    if damage == "missing":
        del check_cell["metadata"]["nbgrader"]
    elif damage == "stale_id":
        check_cell["metadata"]["nbgrader"]["grade_id"] = "ex-01-9-check"
    elif damage == "stale_points":
        check_cell["metadata"]["nbgrader"]["points"] = 5
    else:
        nb["cells"][0]["metadata"]["nbgrader"] = dict(check_cell["metadata"]["nbgrader"], grade_id="intro")
    path.write_text(meta.dumps(nb), encoding="utf-8")
    assert meta.main(["--check", str(path)]) == 1
    err = capsys.readouterr().err
    assert ("missing" if damage == "missing" else "stale") in err and NEURON.name in err
    assert meta.main([str(path)]) == 0  # writes it back
    assert meta.main(["--check", str(path)]) == 0
    assert path.read_text(encoding="utf-8") == NEURON.read_text(encoding="utf-8")  # byte for byte


def test_derivation_from_markers_tags_and_check_calls():
    cells = [
        new_markdown_cell("intro"),
        new_code_cell("x = 1\n### BEGIN SOLUTION\nx = 2\n### END SOLUTION"),
        new_code_cell("whole-cell answer", metadata={"tags": ["solution"]}),
        new_code_cell("print('not a check')"),
        new_code_cell("checks.the_neuron.check_train_perceptron(train_perceptron);"),
        new_markdown_cell("model answer", metadata={"tags": ["solution"]}),
        new_code_cell("### BEGIN SOLUTION\ny = 1\n### END SOLUTION"),
        new_code_cell("checks.the_neuron.check_train_perceptron(train_perceptron)"),  # the same exercise again
    ]
    wanted = meta.wanted_metadata(cells, name="01_fixture.ipynb")
    ids = [w and w["grade_id"] for w in wanted]
    assert ids == [None, "ex-01-2-solution", "ex-01-2-solution-2", None, "ex-01-2-check", "ex-01-answer-1",
                   "ex-01-2-solution-3", "ex-01-2-check-2"]
    assert wanted[1] == {"grade": False, "grade_id": "ex-01-2-solution", "locked": False, "schema_version": 3,
                         "solution": True}
    assert wanted[4] == {"grade": True, "grade_id": "ex-01-2-check", "locked": True, "points": 1,
                         "schema_version": 3, "solution": False}
    assert wanted[5] == {"grade": True, "grade_id": "ex-01-answer-1", "locked": False, "points": 0,
                         "schema_version": 3, "solution": True}


@pytest.mark.parametrize("cells, match", [
    ([new_code_cell("### BEGIN SOLUTION\nx = 1\n### END SOLUTION")], "no check cell after it"),
    ([new_code_cell("checks.the_neuron.check_nothing(f)")], "not an @exercise check"),
    ([new_code_cell("checks.no_such_topic.check_it(f)")], "not an @exercise check"),
])
def test_underivable_notebooks_are_refused(cells, match):
    with pytest.raises(meta.MetadataError, match=match):
        meta.wanted_metadata(cells, name="99_bad.ipynb")


def test_refuses_to_rewrite_a_file_in_another_layout(tmp_path, capsys):
    path = tmp_path / NEURON.name
    path.write_text(json.dumps(json.loads(NEURON.read_text(encoding="utf-8")), indent=2), encoding="utf-8")
    before = path.read_bytes()
    assert meta.main([str(path)]) == 1
    assert "JSON layout" in capsys.readouterr().err and path.read_bytes() == before


def test_checksums_match_nbgrader():
    """Values computed by nbgrader 0.9.6's utils.compute_checksum for the same cells."""
    def cell(kind, source, **nbg):
        make = new_code_cell if kind == "code" else new_markdown_cell
        return make(source, metadata={"nbgrader": {"schema_version": 3, **nbg}})
    assert meta.compute_checksum(cell("code", "checks.x.check_y(f);", grade=True, grade_id="ex-01-1-check",
                                      locked=True, points=1, solution=False)) == "f20637942829e0a0593735b6826efd5d"
    assert meta.compute_checksum(cell("code", "def f():\n    # YOUR CODE HERE\n    raise NotImplementedError()",
                                      grade=False, grade_id="ex-01-1-solution", locked=False, solution=True)
                                 ) == "55572cc2734ade4981d496b726034434"
    assert meta.compute_checksum(cell("markdown", "YOUR ANSWER HERE", grade=True, grade_id="ex-01-answer-1",
                                      locked=False, points=0, solution=True)) == "aa0a28d023b4ba95ac7dbdb1b3014230"


def test_release_copies_carry_nbgrader_student_metadata():
    nb = nbformat.read(NEURON, as_version=4)
    student, _ = make_student_copy(nb, name=NEURON.name)
    for original, cell in zip(nb.cells, student.cells):
        nbg = cell.metadata.get("nbgrader")
        assert (nbg is None) == ("nbgrader" not in original.metadata)
        if nbg is None:
            assert "editable" not in cell.metadata and "deletable" not in cell.metadata
            continue
        assert nbg["checksum"] == meta.compute_checksum(cell) and nbg["cell_type"] == cell.cell_type
        assert cell.metadata["deletable"] is False
        assert cell.metadata.get("editable", True) is (not nbg["grade"] or nbg["solution"])
        assert "checksum" not in original.metadata["nbgrader"]  # the instructor's notebook is untouched
    # incomplete metadata (no grade_id) is left alone rather than crashing the release
    bare = new_notebook(cells=[new_markdown_cell("answer", metadata={"nbgrader": {"solution": True}})])
    assert make_student_copy(bare)[0].cells[0].metadata == {"nbgrader": {"solution": True}}


def test_only_metadata_differs_from_a_notebook_without_it():
    for path in REAL_NOTEBOOKS:
        nb = json.loads(path.read_text(encoding="utf-8"))
        bare = without_nbgrader(nb)
        meta.apply(bare, name=path.name)
        assert bare == nb, path.name


def test_prose_quoting_markers_is_flagged_for_nbgrader():
    cells = [new_markdown_cell("Write it between `### BEGIN SOLUTION` and `### END SOLUTION`."),
             new_code_cell("    ### BEGIN SOLUTION\n    x = 1\n    ### END SOLUTION")]
    found = meta.nbgrader_misreads(cells, name="x.ipynb")
    assert len(found) == 1 and "cell 0, line 1" in found[0]
    flagged = {p.name for p in REAL_NOTEBOOKS if meta.nbgrader_misreads(
        json.loads(p.read_text(encoding="utf-8"))["cells"], name=p.name)}
    assert not flagged, f"prose that nbgrader would read as a solution marker in {sorted(flagged)}: reword it"


def test_no_write_for_missing_file(tmp_path, capsys):
    assert meta.main([str(Path(tmp_path / "nope.ipynb"))]) == 1
    assert "nope.ipynb" in capsys.readouterr().err
