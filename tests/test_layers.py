"""The house rules of utils (CONTRIBUTING.md): two layers, and small modules with one job each."""
import ast
from pathlib import Path

import pytest

UTILS = Path(__file__).resolve().parent.parent / "utils"
MODULES = sorted(UTILS.rglob("*.py"))
MAX_LINES = 400


def _imported_modules(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


@pytest.mark.parametrize("path", [p for p in MODULES if "course" not in p.relative_to(UTILS).parts],
                         ids=lambda p: str(p.relative_to(UTILS)))
def test_what_notebooks_import_never_depends_on_the_course_workflow(path):
    # Imports inside functions count too: a notebook calling that function would load the workflow.
    upward = sorted(n for n in _imported_modules(path) if n == "utils.course" or n.startswith("utils.course."))
    assert not upward, f"{path.relative_to(UTILS)} imports {upward}: the base layer must not use utils.course"


def test_the_layer_rule_sees_an_upward_import(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text("def f():\n    from utils.course import handin\n    return handin\n", encoding="utf-8")
    assert "utils.course.handin" in _imported_modules(bad)


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(UTILS)))
def test_no_module_is_over_400_lines(path):
    lines = len(path.read_text(encoding="utf-8").splitlines())
    assert lines <= MAX_LINES, f"{path.relative_to(UTILS)} has {lines} lines: split it by job (CONTRIBUTING.md)"
