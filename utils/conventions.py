"""The conventions the notebooks' checks and the course workflow share: one home for each format.

* **Solution markers** (nbgrader's): an instructor's notebook marks what a student writes between
  ``### BEGIN SOLUTION`` and ``### END SOLUTION``; :mod:`utils.course.release` replaces each region by
  :data:`CODE_STUB` (code) or :data:`ANSWER_STUB` (markdown), and :mod:`utils.course.cells` finds the stubs
  a student left.
* **Check lines**: every check prints one line that starts with a status icon and the exercise label,
  ``✅ 01.1 Perceptron learns AND — passed: ...`` (:mod:`utils.checks.core` prints them; hand-in and grading
  read them back with :func:`parse_check_lines`).
* **The results record**: one dict per exercise with the keys :data:`RESULT_FIELDS`, written into each hand-in's
  manifest by :func:`utils.checks.core.export_results` and read by :mod:`utils.course.grade`.

This module imports nothing from the course packages, so both layers can use it.
"""
from __future__ import annotations

import re
from types import MappingProxyType
from typing import Iterable, Literal, Mapping

# --- solution markers ---------------------------------------------------------------------------------------
BEGIN_MARKER = "BEGIN SOLUTION"
END_MARKER = "END SOLUTION"
CODE_STUB = ("# YOUR CODE HERE", "raise NotImplementedError()")
"""The two lines a solution region becomes (nbgrader's default ``code_stub`` for Python)."""
ANSWER_STUB = "YOUR ANSWER HERE"
"""What a markdown or raw answer (whole cell or region) becomes (nbgrader's default ``text_stub``)."""
SOLUTION_TAG = "solution"

def is_marker(line: str, marker: str) -> bool:
    """True if ``line`` is a comment line holding ``marker`` (e.g. ``    ### BEGIN SOLUTION``)."""
    stripped = line.strip()
    return stripped.startswith("#") and marker in stripped



# --- check lines --------------------------------------------------------------------------------------------

Status = Literal["passed", "failed", "not attempted"]
STATUSES: tuple[Status, ...] = ("passed", "failed", "not attempted")
"""Every status a check result can have."""

ICON_OF_STATUS: Mapping[Status, str] = MappingProxyType({"passed": "✅", "failed": "❌", "not attempted": "⏳"})
"""The icon that starts each printed check line (and summary line) of a status: the one home of these icons."""

STATUS_ICONS: Mapping[str, Status] = MappingProxyType({icon: status for status, icon in ICON_OF_STATUS.items()})
"""The status each icon stands for (the inverse of :data:`ICON_OF_STATUS`), for reading printed lines back."""

_CHECK_LINE = re.compile(r"^\s*(" + "|".join(map(re.escape, STATUS_ICONS)) + r") (\d\d\.\d+) ")
"""A printed check or summary line: its icon and the exercise label, e.g. ``✅ 01.1 ...``."""

def count_statuses(statuses: Iterable[str]) -> dict[Status, int]:
    """How many of ``statuses`` are each status: ``{"passed": n, "failed": n, "not attempted": n}``.

    Every status is a key (0 when absent); values that are not a status are not counted.
    """
    counts: dict[Status, int] = dict.fromkeys(STATUSES, 0)
    for status in statuses:
        if status in counts:
            counts[status] += 1  # type: ignore[index]
    return counts


def match_check_line(line: str) -> tuple[str, Status] | None:
    """``(label, status)`` if ``line`` is a printed check or summary line (``✅ 01.1 ...``), else None."""
    m = _CHECK_LINE.match(line)
    return (m.group(2), STATUS_ICONS[m.group(1)]) if m else None


def parse_check_lines(text: str) -> dict[str, Status]:
    """Read check statuses back from printed output (the ✅/❌/⏳ lines of checks and :func:`summary`).

    Returns:
        ``{label: status}``; when a label is printed several times the last line wins.
    """
    found: dict[str, Status] = {}
    for line in text.splitlines():
        matched = match_check_line(line)
        if matched:
            found[matched[0]] = matched[1]
    return found


# --- the results record -------------------------------------------------------------------------------------

RESULT_FIELDS: tuple[str, ...] = ("label", "notebook", "number", "title", "status", "message")
"""The keys of one exercise's result in a hand-in manifest, in order: ``label`` ("01.1"), ``notebook`` ("01"),
``number`` (1), ``title``, ``status`` (one of :data:`STATUSES`) and ``message`` (the check's last line)."""
