"""Spot student cells that touch the check machinery, for a human to read (``flags`` in the gradebook).

:func:`machinery_flags` scans student-authored code cells (with Python's :mod:`ast`) for references to the
check machinery: ``RESULTS``, ``EXERCISES``, ``.record(``, ``export_results``, importing
``utils.checks.core``, assigning to attributes of ``checks``/``utils``/``core``, replacing ``print`` or
``sys.stdout``, ``builtins``, ``sys.modules``, ``exec``/``eval``, or redefining the instructor's check
functions. A scan cannot prove innocence (code can be obfuscated); it points the instructor at cells to read.

:func:`parse_cell` and :func:`top_level_calls` (Python's :mod:`ast` over a cell, IPython magics included) are
shared with :mod:`utils.course.regrade`, which reads which checks an instructor cell calls.
"""
from __future__ import annotations

import ast
import re

import nbformat

from utils.course.cells import cell_role, first_line


def parse_cell(source: str) -> ast.Module | None:
    """The cell's Python syntax tree (IPython magics turned into calls first), or None if it does not parse."""
    try:
        from IPython.core.inputtransformer2 import TransformerManager

        source = TransformerManager().transform_cell(source)
    except Exception:  # IPython missing or a transformer choking: try the raw source
        pass
    try:
        return ast.parse(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None


class _TopLevelCalls(ast.NodeVisitor):
    """Names of the functions called outside any function or class body (``checks.x.check_y(...)`` -> check_y)."""

    def __init__(self) -> None:
        self.names: list[str] = []

    def visit_Call(self, node: ast.Call) -> None:
        func = node.func
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
        if name:
            self.names.append(name)
        self.generic_visit(node)

    def visit_FunctionDef(self, node: ast.AST) -> None:  # noqa: N802 - a definition calls nothing yet
        return None

    visit_AsyncFunctionDef = visit_ClassDef = visit_Lambda = visit_FunctionDef


def top_level_calls(tree: ast.Module) -> list[str]:
    """Names of the functions ``tree`` calls outside any function or class body, in order."""
    visitor = _TopLevelCalls()
    visitor.visit(tree)
    return visitor.names


MACHINERY_NAMES = frozenset({"RESULTS", "EXERCISES", "CheckResults", "export_results", "STATUS_ICONS",
                             "ICON_OF_STATUS", "_CHECK_LINE", "match_check_line"})
"""Names in :mod:`utils.checks.core` that no student cell has a reason to use (``.record(`` is flagged too)."""
_GUARDED_ROOTS = frozenset({"checks", "utils", "core", "sys", "builtins", "__builtins__"})
_DYNAMIC = frozenset({"exec", "eval", "compile", "__import__"})


class _MachineryScan(ast.NodeVisitor):
    """Collects reasons why a cell touches the check machinery (see :func:`machinery_flags`)."""

    def __init__(self, protected: frozenset[str]) -> None:
        self.protected = protected
        self.reasons: list[str] = []

    def note(self, reason: str) -> None:
        if reason not in self.reasons:
            self.reasons.append(reason)

    @staticmethod
    def root(node: ast.AST) -> str | None:
        while isinstance(node, (ast.Attribute, ast.Subscript, ast.Call)):
            node = node.func if isinstance(node, ast.Call) else node.value
        return node.id if isinstance(node, ast.Name) else None

    def visit_Name(self, node: ast.Name) -> None:
        if node.id in MACHINERY_NAMES:
            self.note(f"uses {node.id}")
        if node.id in ("builtins", "__builtins__"):
            self.note("uses builtins")
        if node.id == "print" and isinstance(node.ctx, (ast.Store, ast.Del)):
            self.note("replaces print")
        if node.id in self.protected and isinstance(node.ctx, (ast.Store, ast.Del)):
            self.note(f"redefines the check {node.id}")

    def visit_Attribute(self, node: ast.Attribute) -> None:
        if node.attr in MACHINERY_NAMES:
            self.note(f"uses {node.attr}")
        elif node.attr == "record":
            self.note("calls .record(")
        if node.attr == "modules" and self.root(node) == "sys":
            self.note("uses sys.modules")
        if isinstance(node.ctx, (ast.Store, ast.Del)) and self.root(node) in _GUARDED_ROOTS:
            self.note(f"assigns to {self.root(node)}.…{node.attr}")
        self.generic_visit(node)

    def visit_Constant(self, node: ast.Constant) -> None:
        if isinstance(node.value, str) and node.value in MACHINERY_NAMES:
            self.note(f"names {node.value} in a string")

    def visit_Call(self, node: ast.Call) -> None:
        name = getattr(node.func, "id", None)
        if name in _DYNAMIC:
            self.note(f"runs dynamic code ({name})")
        if name in ("setattr", "delattr", "getattr") and node.args and self.root(node.args[0]) in _GUARDED_ROOTS:
            self.note(f"{name} on {self.root(node.args[0])}")
        magic = getattr(node.func, "attr", None)
        if magic in ("run_line_magic", "run_cell_magic") and node.args:  # %time …, %%timeit …: scan their code
            args = [a.value for a in node.args if isinstance(a, ast.Constant) and isinstance(a.value, str)]
            if args and args[0] == "run":
                self.note("runs another file (%run)")
            for code in args[1:]:
                for reason in cell_flags(code, self.protected):
                    self.note(reason)
        self.generic_visit(node)

    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            if alias.name.startswith("utils.checks.core") or alias.name == "builtins":
                self.note(f"imports {alias.name}")

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        module = node.module or ""
        names = {a.name for a in node.names}
        if module == "utils.checks" and "core" in names:
            self.note("imports utils.checks.core")
        if module.startswith("utils.checks") and names & (MACHINERY_NAMES | {"*"}):
            self.note(f"imports {', '.join(sorted(names & (MACHINERY_NAMES | {'*'})))} from {module}")
        if module == "builtins":
            self.note("imports from builtins")
        for alias in node.names:
            if (alias.asname or alias.name) in self.protected:
                self.note(f"redefines the check {alias.asname or alias.name}")

    def _define(self, node: ast.AST, name: str) -> None:
        if name in self.protected:
            self.note(f"redefines the check {name}")
        if name == "print":
            self.note("replaces print")

    def visit_FunctionDef(self, node: ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef) -> None:
        self._define(node, node.name)
        self.generic_visit(node)

    visit_AsyncFunctionDef = visit_ClassDef = visit_FunctionDef


_FALLBACK = re.compile(r"\b(RESULTS|EXERCISES|export_results|CheckResults|utils\.checks\.core|builtins|sys\.modules)\b"
                       r"|\.record\s*\(")


def cell_flags(source: str, protected: frozenset[str] = frozenset()) -> list[str]:
    """Why one code cell touches the check machinery (empty list: it does not).

    Args:
        source: the cell's source.
        protected: names of the instructor's check functions (redefining one is flagged).
    """
    tree = parse_cell(source)
    if tree is None:  # not Python even after IPython's transforms: fall back to a text search
        return [f"mentions {m.group(0).strip()}" for m in _FALLBACK.finditer(source)][:5]
    scan = _MachineryScan(protected)
    scan.visit(tree)
    return scan.reasons


def machinery_flags(nb: nbformat.NotebookNode, instructor: nbformat.NotebookNode | None = None) -> list[str]:
    """Student-authored code cells of ``nb`` that touch the check machinery, one string per cell.

    A cell is the instructor's (and not scanned) when its source is identical to a code cell of ``instructor``;
    without an instructor notebook every code cell is scanned.

    Returns:
        e.g. ``["cell 7 (`RESULTS.record(ex, \"passed\", \"\")`): uses RESULTS; calls .record("]``.
    """
    own: set[str] = set()
    protected: set[str] = set()
    if instructor is not None:
        own = {c.source for c in instructor.cells if c.cell_type == "code" and cell_role(c) != "exercise"}
        for c in instructor.cells:
            if c.cell_type == "code" and cell_role(c) == "check":
                protected.update(checked_names(c.source))
    flags = []
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "code" or cell.source in own:
            continue
        reasons = cell_flags(cell.source, frozenset(protected))
        if reasons:
            flags.append(f"cell {index} (`{first_line(cell.source, 60)}`): {'; '.join(reasons)}")
    return flags


def checked_names(source: str) -> set[str]:
    """Names of the ``check_…`` functions a cell defines or calls at top level."""
    tree = parse_cell(source)
    if tree is None:
        return set()
    defined = {n.name for n in tree.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))}
    names = set(top_level_calls(tree)) | defined
    return {n for n in names if n.startswith("check_")}
