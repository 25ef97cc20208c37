"""Reading and writing notebooks safely: clear errors, cleared outputs, atomic writes.

Every course tool that touches a notebook (release, hand-in, grade) goes through this module, so that

* a missing file, a file that is not valid JSON and a JSON file that is not a notebook each give one clear
  :class:`NotebookError` naming the file, instead of a traceback from deep inside ``json`` or ``nbformat``;
* every notebook is written *atomically* (:mod:`utils.files`, which the other course tools use directly for
  their own files): an interrupted write leaves either the old file or the new one, never half of one;
* an output path the tools cannot write to (a file where a folder must be) is found before any work starts
  (:func:`blocking_file`).

Files are always read and written as UTF-8, whatever the platform's default encoding.
"""
from __future__ import annotations

import copy
import hashlib
import json
import os
from pathlib import Path

import nbformat

from utils.files import atomic_write_bytes

NOTEBOOK_VERSION = 4
"""nbformat major version every notebook is read as and written in."""


class NotebookError(ValueError):
    """A file could not be used as a notebook.

    Attributes:
        path: the file concerned.
        reason: ``"missing"`` (no such file), ``"not-a-file"`` (a folder, say), ``"encoding"`` (not UTF-8),
            ``"json"`` (not valid JSON) or ``"not-notebook"`` (JSON, but not a valid notebook).
    """

    def __init__(self, path: Path, reason: str, message: str) -> None:
        super().__init__(message)
        self.path = path
        self.reason = reason


def sha256_bytes(data: bytes) -> str:
    """Hex SHA-256 digest (64 lowercase hex characters) of ``data``."""
    return hashlib.sha256(data).hexdigest()


def _first_line(err: Exception) -> str:
    """The first line of an exception's message (its type's name when the message is empty)."""
    text = str(err).strip()
    return text.splitlines()[0] if text else type(err).__name__


def _parse(data: bytes, p: Path) -> tuple[nbformat.NotebookNode | None, tuple[str, str] | None]:
    """``(notebook, None)`` for valid notebook bytes, else ``(None, (reason, message))`` naming the file ``p``."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        return None, ("encoding", f"{p} is not a notebook: it is not UTF-8 text ({err.reason} at byte {err.start}). "
                                  f"Is it really an .ipynb file?")
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as err:
        return None, ("json", f"{p} is not valid JSON (line {err.lineno}, column {err.colno}: {err.msg}). The file "
                              f"is damaged: restore it from a backup or checkpoint (.ipynb_checkpoints/) or download "
                              f"it again.")
    if not isinstance(raw, dict) or "cells" not in raw or "nbformat" not in raw:
        what = type(raw).__name__ if not isinstance(raw, dict) else "a JSON object without 'cells'/'nbformat'"
        return None, ("not-notebook", f"{p} is valid JSON but not a Jupyter notebook (found {what}).")
    try:
        nb = nbformat.reads(text, as_version=NOTEBOOK_VERSION)
        nbformat.validate(nb)
    except Exception as err:  # nbformat raises ValidationError, KeyError, ... on malformed notebooks
        return None, ("not-notebook", f"{p} is JSON but not a valid Jupyter notebook: {_first_line(err)}")
    return nb, None


def notebook_from_bytes(data: bytes, path: str | os.PathLike[str] = "<bytes>") -> nbformat.NotebookNode:
    """Parse and validate notebook ``data`` (the bytes of an ``.ipynb`` file); ``path`` is for messages.

    Raises:
        NotebookError: if the bytes are not UTF-8, not JSON, or not a valid notebook.
    """
    p = Path(path)
    nb, problem = _parse(data, p)
    if problem is not None:
        raise NotebookError(p, *problem)
    return nb


def read_notebook(path: str | os.PathLike[str]) -> nbformat.NotebookNode:
    """Read and validate the notebook at ``path`` (converted to nbformat 4).

    Raises:
        NotebookError: with ``reason`` ``"missing"``, ``"not-a-file"``, ``"encoding"``, ``"json"`` or
            ``"not-notebook"`` and a message naming the file.
    """
    return load_notebook(path)[1]


def load_notebook(path: str | os.PathLike[str]) -> tuple[bytes, nbformat.NotebookNode]:
    """Read the file at ``path`` once and return its exact bytes and the validated notebook they hold.

    Use it when the bytes matter too (e.g. to hash exactly what was parsed). Raises like :func:`read_notebook`.
    """
    p = Path(path)
    if not p.is_file():
        missing = not p.exists()
        raise NotebookError(p, "missing" if missing else "not-a-file",
                            f"notebook {p} does not exist (looked in {p.resolve().parent}). Check the file name and "
                            f"the folder you are running from." if missing
                            else f"{p} is not a file (is it a folder?); give the path of an .ipynb file.")
    data = p.read_bytes()
    return data, notebook_from_bytes(data, p)


def notebook_to_bytes(nb: nbformat.NotebookNode) -> bytes:
    """Validate ``nb`` and serialise it the way Jupyter does (UTF-8 JSON, 1-space indent, trailing newline).

    Raises:
        NotebookError: if ``nb`` is not a valid notebook.
    """
    try:
        nbformat.validate(nb)
    except Exception as err:
        raise NotebookError(Path("<notebook>"), "not-notebook",
                            f"refusing to write an invalid notebook: {_first_line(err)}") from None
    text = nbformat.writes(nb, version=NOTEBOOK_VERSION)
    if not text.endswith("\n"):
        text += "\n"
    return text.encode("utf-8")


def write_notebook(nb: nbformat.NotebookNode, path: str | os.PathLike[str]) -> Path:
    """Validate ``nb`` and write it to ``path`` atomically as UTF-8 nbformat 4."""
    return atomic_write_bytes(path, notebook_to_bytes(nb))


def clear_outputs(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Return a copy of ``nb`` with every code cell's outputs and execution count cleared (``nb`` unchanged).

    Per-cell execution timing metadata (``metadata.execution``) is dropped as well.
    """
    out = copy.deepcopy(nb)
    for cell in out.cells:
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
            cell.metadata.pop("execution", None)
    return out


def cells_sha256(nb: nbformat.NotebookNode) -> str:
    """A digest of what the notebook *says* (each cell's type and source), ignoring outputs and metadata.

    Executing a notebook changes its outputs but not this digest, so it ties an executed copy to the
    notebook that was handed in.
    """
    digest = hashlib.sha256()
    for cell in nb.cells:
        digest.update(cell.cell_type.encode("utf-8") + b"\0")
        digest.update(cell.source.encode("utf-8") + b"\0\0")
    return digest.hexdigest()


def blocking_file(path: str | os.PathLike[str]) -> Path | None:
    """The file that stops ``path`` from being (or becoming) a folder: ``path`` itself if it is an existing file,
    else its nearest existing parent if that is a file; None when ``path`` can be a folder."""
    p = Path(path)
    if p.exists():
        return None if p.is_dir() else p
    parent = next((q for q in p.parents if q.exists()), None)
    return parent if parent is not None and not parent.is_dir() else None
