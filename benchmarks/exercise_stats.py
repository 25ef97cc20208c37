"""Count what the students write: per notebook, each exercise and the lines of code in its solution regions.

    .venv/bin/python benchmarks/exercise_stats.py            # a table per notebook and the pack's total
    .venv/bin/python benchmarks/exercise_stats.py --markdown # the same as Markdown tables

A solution line is a non-blank line inside ``### BEGIN SOLUTION`` / ``### END SOLUTION`` of a code cell that is
not only a comment. Each region is attributed to the exercise whose check the notebook calls next
(``checks.<module>.<check>(...)``), found through the check registry; a region with no check after it is
listed as "unchecked". Written answers (markdown solution cells) are counted apart, as words.
"""
from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from utils import checks  # noqa: E402  (the exercise catalogue)
from utils.course.release import find_regions  # noqa: E402

_CHECK_CALL = re.compile(r"checks\.(\w+)\.(check_\w+)\(")


def _label_of(module: str, function: str) -> str | None:
    """The label ("NN.k") of the check ``checks.<module>.<function>``, or None if there is no such check."""
    ex = getattr(getattr(getattr(checks, module, None), function, None), "exercise", None)
    return ex.label if ex is not None else None


def solution_lines(source: str) -> int:
    """Non-blank, non-comment lines inside the solution regions of one code cell's source."""
    lines = source.splitlines()
    count = 0
    for region in find_regions(source):
        for line in lines[region.begin + 1:region.end]:
            stripped = line.strip()
            count += bool(stripped) and not stripped.startswith("#")
    return count


def notebook_stats(path: Path) -> tuple[dict[str, tuple[str, int]], int]:
    """({label: (title, solution lines)}, words of written answers) for one notebook."""
    nb = nbformat.read(path, as_version=4)
    titles = {ex.label: ex.title for exercises in checks.EXERCISES.values() for ex in exercises}
    out: dict[str, tuple[str, int]] = {}
    pending = 0
    words = 0
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            if "solution" in cell.metadata.get("tags", []):
                words += len(cell.source.split())
            continue
        if cell.cell_type != "code":
            continue
        pending += solution_lines(cell.source)
        for module, function in _CHECK_CALL.findall(cell.source):
            label = _label_of(module, function)
            if label is None:
                continue
            title, lines = out.get(label, (titles.get(label, "?"), 0))
            out[label] = (title, lines + pending)
            pending = 0
    if pending:
        out["unchecked"] = ("solution code with no check after it", pending)
    return out, words


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--markdown", action="store_true", help="print Markdown tables")
    args = parser.parse_args(argv)
    total = 0
    for path in sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb")):
        stats, words = notebook_stats(path)
        lines = sum(n for _, n in stats.values())
        total += lines
        print(f"\n{path.stem}: {len(stats)} exercises, {lines} solution lines"
              + (f", written answers {words} words" if words else ""))
        if args.markdown:
            print("\n| exercise | title | solution lines |\n|---|---|---|")
        for label, (title, n) in stats.items():
            print(f"| {label} | {title} | {n} |" if args.markdown else f"  {label:>9}  {n:>3}  {title}")
    print(f"\npack total: {total} solution lines")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
