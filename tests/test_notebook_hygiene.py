"""Every notebook follows the pack's conventions: valid, clean, numbered, set up first, no network, no
absolute paths, learning outcomes first and a summary, exercises and a progress summary last."""
import re
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
NAME = re.compile(r"^(\d\d)_[a-z0-9_]+\.ipynb$")
CHECKED_OUTPUT_MARKS = ("NBVAL_CHECK_OUTPUT",)
NETWORK = re.compile(r"urlopen|urllib|requests\.|http\.client|socket\.|get_file\(|load_data\(|https?://")
# The read-only input folder beside the checkout; users never have it, so nothing may point at it.
# (Spelt in two pieces so that this test itself does not contain the path it forbids.)
SHARED_INPUT = re.compile(r"\.\./" + "shared" + r"|/" + "shared" + r"/data")
ABSOLUTE_PATH = re.compile(r"""["'](/home/|/Users/|/work/|/tmp/|/root/|[A-Za-z]:\\\\)""")


def _cells(path: Path):
    return nbformat.read(path, as_version=4).cells


def _code(cells):
    return [c for c in cells if c.cell_type == "code"]


def test_notebooks_exist_and_are_numbered_without_gaps():
    assert NOTEBOOKS, "no notebooks found in notebooks/"
    names = [p.name for p in (ROOT / "notebooks").glob("*.ipynb")]
    bad = [n for n in names if not NAME.match(n)]
    assert not bad, f"notebook names must look like 01_topic.ipynb: {bad}"
    numbers = sorted(int(n[:2]) for n in names)
    assert numbers == list(range(len(numbers))), f"notebook numbers must run 00, 01, ... without gaps: {numbers}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
class TestNotebook:
    def test_valid_with_python_kernel(self, path):
        nb = nbformat.read(path, as_version=4)
        nbformat.validate(nb)
        assert nb.metadata.get("kernelspec", {}).get("name") == "python3", "kernelspec must be set to python3"

    def test_stored_clean(self, path):
        for i, cell in enumerate(_code(_cells(path))):
            marked = any(m in cell.source for m in CHECKED_OUTPUT_MARKS) or \
                "nbval-check-output" in cell.metadata.get("tags", [])
            if not marked:
                assert not cell.outputs, f"code cell {i} is stored with outputs: clear them before committing"
                assert cell.execution_count is None, f"code cell {i} is stored with an execution count"

    def test_opens_with_learning_outcomes_and_sets_up_first(self, path):
        cells = _cells(path)
        assert cells[0].cell_type == "markdown" and cells[0].source.startswith(f"# {path.name[:2]}")
        assert "Learning outcomes" in cells[0].source
        first_code = _code(cells)[0].source
        assert "import utils" in first_code and "utils.setup(" in first_code, \
            "the first code cell must import utils and call utils.setup()"
        for cell in _code(cells)[:1]:
            setup_at = cell.source.index("utils.setup(")
            assert not re.search(r"^\s*(import|from) (tensorflow|keras)", cell.source[:setup_at], re.M), \
                "utils.setup() must run before TensorFlow/Keras are imported (it silences their start-up logs)"

    def test_ends_with_summary_exercises_and_progress(self, path):
        cells = _cells(path)
        md = "\n".join(c.source for c in cells if c.cell_type == "markdown")
        assert "## Summary" in md and "Exercises" in md
        assert f'checks.summary("{path.name[:2]}")' in _code(cells)[-1].source, \
            f'the last code cell must be checks.summary("{path.name[:2]}")'

    def test_markdown_tells_the_story(self, path):
        run = 0
        for i, cell in enumerate(_cells(path)):
            run = run + 1 if cell.cell_type == "code" else 0
            assert run <= 2, f"cell {i}: more than two code cells in a row; say in markdown what each one does"

    def test_no_network_no_absolute_paths_no_shared(self, path):
        for i, cell in enumerate(_code(_cells(path))):
            assert not NETWORK.search(cell.source), f"code cell {i} may reach the network: {NETWORK.search(cell.source)[0]}"
            assert not ABSOLUTE_PATH.search(cell.source), f"code cell {i} has an absolute path"
            assert not SHARED_INPUT.search(cell.source), f"code cell {i} points at the read-only input folder"

    def test_exercises_have_markers_and_a_check(self, path):
        cells = _cells(path)
        regions = 0
        for i, cell in enumerate(cells):
            begins = cell.source.count("### BEGIN SOLUTION")
            assert begins == cell.source.count("### END SOLUTION"), f"cell {i}: unbalanced solution markers"
            if begins and cell.cell_type == "code":
                regions += begins
                following = [c.source for c in cells[i + 1:i + 4] if c.cell_type == "code"]
                assert any("checks." in s for s in following), f"cell {i}: exercise without a check cell after it"
        assert regions >= 2, "each notebook has at least 2 exercises with ### BEGIN SOLUTION regions"


def test_utils_never_reaches_the_network_or_shared():
    for path in (ROOT / "utils").rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"urlopen\(|^\s*import requests|get_file\(|^\s*(from|import) \S*keras\.datasets", text, re.M), \
            f"{path} may download"
        assert not SHARED_INPUT.search(text), f"{path} points at the read-only input folder"
