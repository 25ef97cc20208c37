"""Writing files safely: atomically, so an interrupted write never leaves half a file.

The bytes go to a temporary file in the destination folder, which then replaces the destination with
:func:`os.replace` (atomic on Windows, macOS and Linux). The new file gets the usual permissions for the
user's umask (``tempfile`` alone would make it readable by its owner only). Used by the notebook tools
(release, hand-in, grade) and by the vector memory store.
"""
from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path
from typing import Iterator


def _default_file_mode() -> int:
    """0o666 less the process umask: the mode ``open()`` would give a new file."""
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike[str]) -> Iterator[Path]:
    """Yield a temporary path next to ``path``; on success it replaces ``path`` atomically.

    Write the whole file to the yielded path inside the ``with`` block (e.g. open a ``zipfile`` on it). If the
    block raises, or the process is interrupted, the temporary file is removed and ``path`` is untouched.
    The parent folder is created if needed.
    """
    dest = Path(path)
    dest.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(dir=dest.parent, prefix=f".{dest.name}.", suffix=".part")
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
    if not isinstance(data, (bytes, bytearray)):
        raise TypeError(f"data must be bytes, got {type(data).__name__}")
    with atomic_path(path) as tmp:
        with open(tmp, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
    return Path(path)


def atomic_write_text(path: str | os.PathLike[str], text: str) -> Path:
    """Write ``text`` to ``path`` atomically, encoded as UTF-8 (newlines written as given)."""
    if not isinstance(text, str):
        raise TypeError(f"text must be str, got {type(text).__name__}")
    return atomic_write_bytes(path, text.encode("utf-8"))
