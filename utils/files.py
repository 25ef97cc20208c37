"""Writing files safely: atomically, so an interrupted write never leaves half a file.

The bytes go to a temporary file in the destination folder, which then replaces the destination with
:func:`os.replace` (atomic on Windows, macOS and Linux). The new file gets the usual permissions for the
user's umask (``tempfile`` alone would make it readable by its owner only). Used by the notebook tools
(release, hand-in, grade), the embedding export and the vector memory store. :func:`file_sha256` hashes a file.

Temporary files are named ``.<name>.<host>-<pid>.<random>.part`` (``<host>``: 8 hex digits identifying the
machine, ``<pid>``: the writing process). A writer killed outright (``kill -9``, power cut) cannot remove its
temporary file, so every write first removes *stale* temporary siblings of the same destination:

* written by this machine and the owning process no longer exists (POSIX; checked with signal 0), or
* of unknown owner (another machine on a shared drive, an older name format, or Windows, where the check is not
  available) and untouched for :data:`STALE_AFTER_SECONDS` (24 hours).

A temporary file whose process is still running on this machine is never removed, however old, so a concurrent
writer's live file is safe.
"""
from __future__ import annotations

import contextlib
import hashlib
import os
import re
import socket
import tempfile
import time
from pathlib import Path
from typing import Iterator

STALE_AFTER_SECONDS = 24 * 3600
"""A temporary ``.part`` file whose owner cannot be checked is removed once untouched this long (seconds)."""

_OWNED = re.compile(r"(?P<host>[0-9a-f]{8})-(?P<pid>[0-9]+)\.[a-z0-9_]{8}")
"""The middle of a temporary name written by this module: ``<host>-<pid>.<random>``."""
_LEGACY = re.compile(r"[A-Za-z0-9_]{8}")
"""The middle of a temporary name written by earlier versions (``tempfile``'s 8 random characters only)."""


def _default_file_mode() -> int:
    """0o666 less the process umask: the mode ``open()`` would give a new file."""
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask


def _host_tag() -> str:
    """8 hex digits naming this machine (a hash of its host name), used in temporary file names."""
    return hashlib.sha1(socket.gethostname().encode("utf-8", "replace")).hexdigest()[:8]


def _pid_alive(pid: int) -> bool | None:
    """True if process ``pid`` exists on this machine, False if it does not, None if this cannot be told (Windows)."""
    if os.name != "posix":
        return None  # os.kill(pid, 0) would terminate the process on Windows
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # exists, owned by someone else
        return True
    except OSError:
        return None
    return True


def _is_stale(entry: os.DirEntry, middle: str, now: float) -> bool:
    """Whether the temporary file ``entry`` (name middle ``middle``) was left behind by a dead writer."""
    owned = _OWNED.fullmatch(middle)
    if owned is not None and owned["host"] == _host_tag():
        alive = _pid_alive(int(owned["pid"]))
        if alive is not None:
            return not alive
    elif owned is None and _LEGACY.fullmatch(middle) is None:
        return False  # not one of ours (e.g. the temporary file of a destination with a longer name)
    try:
        return now - entry.stat(follow_symlinks=False).st_mtime > STALE_AFTER_SECONDS
    except OSError:
        return False


def remove_stale_temporaries(path: str | os.PathLike[str]) -> list[Path]:
    """Remove the temporary ``.part`` files that dead writers left next to ``path``; return the removed paths.

    The rule (see the module docs) never removes the file of a writer that is still running on this machine.
    Called by :func:`atomic_path` before every write; errors (already removed, no permission) are ignored.
    """
    dest = Path(path)
    prefix, suffix = f".{dest.name}.", ".part"
    removed: list[Path] = []
    now = time.time()
    try:
        entries = list(os.scandir(dest.parent))
    except OSError:
        return removed
    for entry in entries:
        name = entry.name
        if not (name.startswith(prefix) and name.endswith(suffix)) or len(name) <= len(prefix) + len(suffix):
            continue
        if _is_stale(entry, name[len(prefix):-len(suffix)], now):
            with contextlib.suppress(OSError):
                os.unlink(entry.path)
                removed.append(Path(entry.path))
    return removed


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike[str]) -> Iterator[Path]:
    """Yield a temporary path next to ``path``; on success it replaces ``path`` atomically.

    Write the whole file to the yielded path inside the ``with`` block (e.g. open a ``zipfile`` on it). If the
    block raises, or the process is interrupted, the temporary file is removed and ``path`` is untouched.
    The parent folder is created if needed. Stale temporary files of earlier killed writers of the same ``path``
    are removed first (:func:`remove_stale_temporaries`).
    """
    dest = Path(path)
    dest.parent.mkdir(parents=True, exist_ok=True)
    remove_stale_temporaries(dest)
    fd, tmp_name = tempfile.mkstemp(dir=dest.parent, prefix=f".{dest.name}.{_host_tag()}-{os.getpid()}.",
                                    suffix=".part")
    os.close(fd)
    tmp = Path(tmp_name)
    with contextlib.suppress(OSError):  # not every file system (or Windows) honours chmod
        os.chmod(tmp, _default_file_mode())
    try:
        yield tmp
        os.replace(tmp, dest)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise


def atomic_write_bytes(path: str | os.PathLike[str], data: bytes) -> Path:
    """Write ``data`` to ``path`` atomically (temporary file in the same folder, then :func:`os.replace`)."""
    with atomic_path(path) as tmp:
        with open(tmp, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
    return Path(path)


def atomic_write_text(path: str | os.PathLike[str], text: str) -> Path:
    """Write ``text`` to ``path`` atomically, encoded as UTF-8 (newlines written as given)."""
    return atomic_write_bytes(path, text.encode("utf-8"))


def file_sha256(path: str | os.PathLike[str]) -> str:
    """Hex SHA-256 digest (64 lowercase hex characters) of the file at ``path``, read in 1 MiB blocks."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


__all__ = ["STALE_AFTER_SECONDS", "atomic_path", "atomic_write_bytes", "atomic_write_text", "file_sha256",
           "remove_stale_temporaries"]
