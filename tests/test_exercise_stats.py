"""benchmarks/exercise_stats.py counts the lines students write, per exercise."""
import importlib.util
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
_spec = importlib.util.spec_from_file_location("exercise_stats", ROOT / "benchmarks" / "exercise_stats.py")
stats = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(stats)


def test_solution_lines_skip_blank_and_comment_lines_and_code_outside_regions():
    source = ("x = 1\n### BEGIN SOLUTION\n# a comment\ny = 2\n\nz = y + 1   # trailing\n### END SOLUTION\n"
              "w = 3\n### BEGIN SOLUTION\nreturn z\n### END SOLUTION")
    assert stats.solution_lines(source) == 3


def test_regions_go_to_the_next_checked_exercise(tmp_path):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("def f():\n    ### BEGIN SOLUTION\n    a = 1\n    return a\n    ### END SOLUTION"),
                nbformat.v4.new_code_cell("checks.word_embeddings.check_subsample(f);"),
                nbformat.v4.new_code_cell("### BEGIN SOLUTION\nb = 2\n### END SOLUTION")]
    path = tmp_path / "06_x.ipynb"
    nbformat.write(nb, path)
    found, words = stats.notebook_stats(path)
    assert found == {"06.2": ("Subsample frequent words", 2), "unchecked": ("solution code with no check after it", 1)}
    assert words == 0


def test_the_pack_has_at_least_250_solution_lines(capsys):
    assert stats.main([]) == 0
    total = int(capsys.readouterr().out.rsplit("pack total:", 1)[1].split()[0])
    assert total >= 250, f"the pack's exercises hold {total} solution lines; issue 11 asks for at least 250"
