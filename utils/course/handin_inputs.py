"""What a hand-in is given, checked before anything runs: the student id, the name, the output folder, the time limit.

A mistake here (an id that cannot be part of a file name, an empty name, an ``--out`` that is a file) is refused
with a :class:`HandinError` naming what came, and nothing is written. The per-cell time limit a hand-in uses by
default comes from the notebook's expected run time (:func:`default_timeout`).
"""
from __future__ import annotations

import os
import re
from pathlib import Path

from utils.course.notebook_io import blocking_file
from utils.course.runner import DEFAULT_TIMEOUT
from utils.machine import REFERENCE_SECONDS
from utils.settings import repo_root

STUDENT_ID_PATTERN = re.compile(r"\A[A-Za-z0-9][A-Za-z0-9_-]{0,63}\Z")
"""A whole student id: anchored with ``\\Z``, not ``$`` (which also accepts a trailing newline), so ``.match``
(as ``utils.course.manifest`` uses it) and ``.fullmatch`` both accept the whole id only."""

TIMEOUT_MARGIN = 4
"""A full-mode cell may take this many times its whole notebook's expected time before the hand-in gives up.

Four, not two: the expected times (:data:`utils.machine.REFERENCE_SECONDS`) come from an idle 2-core AVX2
machine, and an honest but slow or busy laptop must still hand in (under load, notebooks here ran 3-10 times
slower). A cell stuck in an endless loop gives up after 4 × the notebook's time instead of 10 minutes per cell
(01: 2 minutes)."""
MIN_TIMEOUT = 120
"""Smallest default per-cell limit in full mode, seconds (a slow laptop, a busy machine)."""
MIN_QUICK_TIMEOUT = 60
"""Smallest default per-cell limit in quick mode, seconds (quick mode takes a fraction of the full-mode time)."""


class HandinError(RuntimeError):
    """The hand-in could not start or could not be written (nothing was written; the message says why)."""


def validate_student_id(student_id: object) -> str:
    """Return ``student_id`` if it is 1-64 letters, digits, ``-`` or ``_`` (starting with a letter or digit).

    It becomes part of a file name, so nothing else is allowed. Raises HandinError naming what came.
    """
    if not isinstance(student_id, str) or not STUDENT_ID_PATTERN.fullmatch(student_id):
        raise HandinError(f"student id must be 1-64 letters, digits, '-' or '_' (starting with a letter or digit, "
                          f"e.g. S1234567), got {student_id!r}")
    return student_id


def validate_name(name: object) -> str:
    """Return the stripped ``name`` if it is non-empty printable text of at most 200 characters."""
    text = name.strip() if isinstance(name, str) else ""
    if not text or len(text) > 200 or not text.isprintable():
        raise HandinError(f"name must be your name as text of at most 200 printable characters, e.g. "
                          f"\"Ada Lovelace\", got {name!r}")
    return text


def default_timeout(number: str | None, *, quick: bool = False) -> int:
    """The default per-cell time limit, in seconds, for a hand-in of notebook ``number``.

    Full mode: :data:`TIMEOUT_MARGIN` times the notebook's expected full-mode time
    (:data:`utils.machine.REFERENCE_SECONDS`), at least :data:`MIN_TIMEOUT`; so a stuck cell gives up within about the
    time the whole notebook needs. Quick mode: the full-mode time itself, at least :data:`MIN_QUICK_TIMEOUT`.
    A notebook not in the table (None, or a number the course does not have) gets
    :data:`utils.course.runner.DEFAULT_TIMEOUT`.
    """
    expected = REFERENCE_SECONDS.get(number) if number is not None else None
    if expected is None:
        return DEFAULT_TIMEOUT
    if quick:
        return max(MIN_QUICK_TIMEOUT, expected)
    return max(MIN_TIMEOUT, TIMEOUT_MARGIN * expected)


def timeout_explanation(number: str | None, timeout: int, *, quick: bool = False, given: bool = False) -> str:
    """Where a per-cell limit of ``timeout`` seconds came from, for the start-of-run message."""
    if given:
        return f"at most {timeout} s per cell (--timeout)"
    expected = REFERENCE_SECONDS.get(number) if number is not None else None
    if expected is None:
        return (f"at most {timeout} s per cell (the default for a notebook whose run time is unknown; "
                f"--timeout sets it)")
    mode = "quick" if quick else "full"
    return (f"at most {timeout} s per cell (notebook {number} takes about {expected} s in full mode; "
            f"the {mode}-mode default, --timeout sets it)")


def check_out_dir(out_dir: Path, zip_path: Path) -> None:
    """Refuse, before anything runs, an output folder that cannot hold the zip.

    Raises:
        HandinError: ``out_dir`` is an existing file (not a folder), one of its parents is a file, or
            ``zip_path`` itself is an existing folder.
    """
    blocker = blocking_file(out_dir)
    if blocker == out_dir:
        problem = (f"--out {out_dir} is a file, not a folder: give a folder for the zip (it is created if missing), "
                   f"or drop --out to use handin/")
    elif blocker is not None:
        problem = (f"--out {out_dir} cannot be created: {blocker} is a file, not a folder. Give a folder whose "
                   f"parents are folders")
    elif zip_path.exists() and not zip_path.is_file():
        problem = f"{zip_path} is a folder, not a hand-in zip: move or rename it, or give another --out"
    else:
        return
    raise HandinError(problem)


HANDIN_DIR_ENV_VAR = "NNCOURSE_HANDIN_DIR"
"""Environment variable naming the default hand-in folder (a lab hub sets it to each student's own folder)."""


def default_handin_dir() -> Path:
    """Where hand-ins go without ``--out``: ``$NNCOURSE_HANDIN_DIR`` if set, else ``handin/`` at the top of the
    course pack (git-ignored)."""
    configured = os.environ.get(HANDIN_DIR_ENV_VAR, "").strip()
    return Path(configured).expanduser() if configured else repo_root() / "handin"


def zip_name(student_id: str, notebook: str | Path) -> str:
    """File name of a hand-in, e.g. ``S1234567_09_vanilla_gan.zip``."""
    return f"{validate_student_id(student_id)}_{Path(notebook).stem}.zip"
