"""A guard that fails the test run if it changed the checkout (not a test module: no ``test_`` prefix).

The suite must leave ``git status`` exactly as it found it: servers serve a temporary copy of the pack and
outputs go to temporary folders. :func:`snapshot` records, before and after the run,

* every path ``git status`` reports (modified, deleted or untracked files, with a hash of their content), and
* every file in the git-ignored folders the pack's commands write to (``outputs/``, ``release/``,
  ``handin/``, ``build/``, ``gradebook*.csv``, ``.ipynb_checkpoints/``), with size and modification time,

and :func:`changes` lists what differs. Byte-code caches and the virtual environment are not looked at.
"""
from __future__ import annotations

import hashlib
import subprocess
from pathlib import Path

WATCHED_IGNORED = ("outputs", "release", "handin", "build")
"""Git-ignored folders at the top of the pack that the course's commands write to."""

Snapshot = dict[str, str]


def _digest(path: Path) -> str:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except FileNotFoundError:
        return "missing"
    except (IsADirectoryError, PermissionError) as err:
        return type(err).__name__


def is_git_checkout(root: Path) -> bool:
    """True if ``root`` is the top of a git work tree and git can be run."""
    try:
        out = subprocess.run(["git", "-C", str(root), "rev-parse", "--show-toplevel"], capture_output=True,
                             text=True, timeout=60, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return out.returncode == 0 and Path(out.stdout.strip()).resolve() == root.resolve()


def snapshot(root: Path) -> Snapshot:
    """``{relative path: fingerprint}`` of everything that tells whether the run wrote into ``root``."""
    out = subprocess.run(["git", "-C", str(root), "status", "--porcelain=v1", "-z", "--untracked-files=all"],
                         capture_output=True, check=True, timeout=120)
    state: Snapshot = {}
    entries = out.stdout.decode("utf-8", "surrogateescape").split("\0")
    i = 0
    while i < len(entries):
        entry = entries[i]
        i += 1
        if len(entry) < 4:
            continue
        code, rel = entry[:2], entry[3:]
        if code[0] in "RC":  # a rename/copy is followed by its source path
            i += 1
        state[rel] = f"git:{code}:{_digest(root / rel)}"
    watched = [root / name for name in WATCHED_IGNORED] + sorted(root.glob("gradebook*.csv"))
    watched += sorted(root.glob("notebooks/**/.ipynb_checkpoints"))
    for top in watched:
        files = [top] if top.is_file() else (p for p in top.rglob("*") if p.is_file())
        for path in files:
            st = path.stat()
            state.setdefault(path.relative_to(root).as_posix(), f"file:{st.st_size}:{st.st_mtime_ns}")
    return state


def changes(before: Snapshot, after: Snapshot) -> list[str]:
    """Human-readable lines, one per path that appeared, disappeared or changed between two snapshots."""
    lines = []
    for rel in sorted(set(before) | set(after)):
        if rel not in before:
            lines.append(f"new or modified: {rel}")
        elif rel not in after:
            lines.append(f"restored or removed: {rel}")
        elif before[rel] != after[rel]:
            lines.append(f"changed: {rel}")
    return lines
