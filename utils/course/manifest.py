"""The hand-in manifest: its file name, its format, and what each of its fields must look like.

:func:`utils.course.handin.hand_in` writes ``manifest.json`` into every hand-in zip; :mod:`utils.course.verify`
reads it back and, before trusting any field, checks its form with :func:`manifest_problems` (types, values,
sizes: a hand-edited or hostile manifest gives a list of problems, never a crash).
"""
from __future__ import annotations

import datetime as _dt
import math
import re
from typing import Any, Callable, Sequence

from utils.conventions import STATUSES
from utils.course.handin_inputs import STUDENT_ID_PATTERN

MANIFEST_NAME = "manifest.json"
MANIFEST_FORMAT = "nncourse-handin/1"
MAX_TEXT = 10_000
"""Longest text allowed in a manifest field (a first line, an error message, a title)."""
OUTCOMES = ("not attempted", "failed exercise", "fatal")
"""What an error in a cell can mean (:data:`utils.course.cells.Outcome`)."""

_HEX64 = re.compile(r"\A[0-9a-f]{64}\Z")
_LABEL = re.compile(r"\A\d\d\.\d+\Z")
_NOTEBOOK = re.compile(r"\A[^/\\\x00-\x1f]{1,200}\.ipynb\Z")


def short_repr(value: Any, width: int = 60) -> str:
    """A short printable form of a (possibly huge or hostile) value for a message."""
    try:
        text = repr(value)
    except Exception:  # a repr can fail on exotic objects; JSON gives none, but be safe
        text = f"<{type(value).__name__}>"
    return text if len(text) <= width else text[: width - 1] + "…"


def parse_time(value: Any) -> _dt.datetime | None:
    """``value`` as a timezone-aware datetime if it is an ISO 8601 string with a time zone, else None."""
    if not isinstance(value, str) or len(value) > 64:
        return None
    try:
        when = _dt.datetime.fromisoformat(value)
    except ValueError:
        return None
    return when if when.tzinfo is not None and when.utcoffset() is not None else None


def _is_int(v: Any) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def _text(limit: int = MAX_TEXT, *, empty: bool = True) -> Callable[[Any], str | None]:
    def check(v: Any) -> str | None:
        if not isinstance(v, str):
            return f"must be text, got {short_repr(v)}"
        if len(v) > limit:
            return f"is {len(v)} characters long (at most {limit})"
        return None if (empty or v.strip()) else "is empty"
    return check


def _pattern(regex: re.Pattern[str], what: str) -> Callable[[Any], str | None]:
    def check(v: Any) -> str | None:
        return None if isinstance(v, str) and regex.search(v) else f"must be {what}, got {short_repr(v)}"
    return check


def _time(v: Any) -> str | None:
    return None if parse_time(v) else f"must be an ISO 8601 time with a time zone, got {short_repr(v)}"


def _name(v: Any) -> str | None:
    bad = _text(200, empty=False)(v)
    if bad:
        return bad
    return None if all(ch.isprintable() for ch in v) else f"must be printable text, got {short_repr(v)}"


def _fields(obj: Any, spec: dict[str, Callable[[Any], str | None]], optional: Sequence[str] = ()) -> str | None:
    """The first problem of a JSON object against ``{key: validator}`` (keys in ``optional`` may be absent)."""
    if not isinstance(obj, dict):
        return f"must be an object, got {short_repr(obj)}"
    for key, check in spec.items():
        if key not in obj:
            if key in optional:
                continue
            return f"lacks {key!r}"
        bad = check(obj[key])
        if bad:
            return f"{key} {bad}"
    return None


def _one_of(*allowed: Any) -> Callable[[Any], str | None]:
    return lambda v: None if any(v == a and type(v) is type(a) for a in allowed) else \
        f"must be one of {', '.join(map(repr, allowed))}, got {short_repr(v)}"


def _nonneg_int(v: Any) -> str | None:
    return None if _is_int(v) and 0 <= v < 10**9 else f"must be a whole number >= 0, got {short_repr(v)}"


def _seconds(v: Any) -> str | None:
    ok = isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v) and 0 <= v < 10**8
    return None if ok else f"must be a number of seconds >= 0, got {short_repr(v)}"


def _sized(v: Any, kind: type, what: str, limit: int) -> str | None:
    """What is wrong with a JSON list or object ``v``: not a ``kind`` (``what``), or over ``limit`` entries."""
    if not isinstance(v, kind):
        return f"must be {what}, got {short_repr(v)}"
    return f"has {len(v)} entries (at most {limit})" if len(v) > limit else None


def _list_of(check: Callable[[Any], str | None], limit: int = 10_000) -> Callable[[Any], str | None]:
    def run(v: Any) -> str | None:
        bad = _sized(v, list, "a list", limit)
        if bad:
            return bad
        for k, item in enumerate(v):
            bad = check(item)
            if bad:
                return f"entry {k} {bad}"
        return None
    return run


def _failed_cell(v: Any) -> str | None:
    if v is None:
        return None
    return _fields(v, {"index": _nonneg_int, "first_line": _text(), "ename": _text(200), "evalue": _text()})


_ERROR = {"index": _nonneg_int, "first_line": _text(), "ename": _text(200), "evalue": _text(),
          "outcome": _one_of(*OUTCOMES), "role": _text(50), "origin": _text(50)}
_CHECK = {"label": _pattern(_LABEL, "a label like '09.1'"), "title": _text(), "status": _one_of(*STATUSES),
          "message": _text()}


def _run(v: Any) -> str | None:
    return _fields(v, {"status": _one_of("complete", "failed"), "failed_cell": _failed_cell,
                       "errors": _list_of(lambda e: _fields(e, _ERROR, optional=("role", "origin"))),
                       "seconds": _seconds, "results_from": _text(50)},
                   optional=("results_from",))


def _checks(v: Any) -> str | None:
    bad = _list_of(lambda c: _fields(c, _CHECK), 1000)(v)
    if bad:
        return bad
    labels = [c["label"] for c in v]
    dupes = sorted({label for label in labels if labels.count(label) > 1})
    return f"lists {', '.join(dupes)} more than once" if dupes else None


def _str_map(value_check: Callable[[Any], str | None], limit: int = 100) -> Callable[[Any], str | None]:
    def run(v: Any) -> str | None:
        bad = _sized(v, dict, "an object", limit)
        if bad:
            return bad
        for key, item in v.items():
            bad = _text(200)(key) or value_check(item)
            if bad:
                return f"entry {short_repr(key, 40)} {bad}"
        return None
    return run


MANIFEST_FIELDS: dict[str, Callable[[Any], str | None]] = {
    "format": _one_of(MANIFEST_FORMAT),
    "student_id": lambda v: None if isinstance(v, str) and STUDENT_ID_PATTERN.fullmatch(v)
    else f"must be a student id (letters, digits, - and _), got {short_repr(v)}",
    "name": _name,
    "notebook": _pattern(_NOTEBOOK, "a notebook file name like '09_vanilla_gan.ipynb'"),
    "notebook_number": lambda v: None if v is None or (isinstance(v, str) and re.fullmatch(r"\d\d", v))
    else f"must be a two-digit string or null, got {short_repr(v)}",
    "notebook_sha256": _pattern(_HEX64, "a SHA-256 hex digest"),
    "cells_sha256": _pattern(_HEX64, "a SHA-256 hex digest"),
    "handed_in_at": _time,
    "notebook_saved_at": _time,
    "quick": _one_of(True, False),
    "timeout_s": lambda v: None if _is_int(v) and v > 0 else f"must be a whole number > 0, got {short_repr(v)}",
    "platform": _text(200),
    "versions": _str_map(lambda v: None if v is None else _text(100)(v)),
    "run": _run,
    "checks": _checks,
    "counts": _str_map(_nonneg_int),
    "members": _str_map(_pattern(_HEX64, "a SHA-256 hex digest")),
    "notes": _list_of(_text(), 1000),
}
"""What each manifest field must look like (a validator returns None or what is wrong)."""
OPTIONAL_FIELDS = ("notebook_number", "notebook_saved_at", "timeout_s", "platform", "counts", "notes")


def manifest_problems(manifest: Any) -> list[str]:
    """What is wrong with the form of a manifest (types, values, sizes), one string per bad field."""
    if not isinstance(manifest, dict):
        return [f"{MANIFEST_NAME} is not a JSON object (found {type(manifest).__name__})"]
    problems = []
    for key, check in MANIFEST_FIELDS.items():
        if key not in manifest:
            if key not in OPTIONAL_FIELDS:
                problems.append(f"{key}: missing")
            continue
        bad = check(manifest[key])
        if bad:
            problems.append(f"{key}: {bad}")
    return problems
