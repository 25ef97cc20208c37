"""A small vector memory: texts stored with their embedding vectors, recalled by cosine similarity.

This is how a chatbot keeps conversational memory: each thing worth remembering is embedded as a vector
and stored; when a new message arrives, its vector is compared with every stored one and the most similar
memories are recalled (and, in a real system, pasted into the prompt). Real systems use a vector database;
the idea fits in a page::

    from utils.memory import VectorMemory
    mem = VectorMemory(dim=64, path=utils.output_dir("06_word_embeddings") / "memory.json")
    mid = mem.remember("Juliet's nurse loves to talk", vector)      # -> e.g. "m3f9c02a1d4e7"
    for record, sim in mem.recall(query_vector, k=3):               # best first
        print(f"{sim:.2f} {record.text}")
    mem.save()                                                      # locked, merged, atomic JSON write
    mem2 = VectorMemory.load(mem.path)

The JSON file holds ``{"format": "vector-memory", "version": 1, "dim": d, "records": [{id, text, vector,
timestamp}, ...]}``; timestamps are ISO-8601 UTC strings.

Several programs (two notebooks, a notebook and a script) may share one memory file. :meth:`VectorMemory.save`

1. takes a cross-platform lock on ``<file>.lock`` (a small file kept beside the memory file; the operating system
   releases the lock when its holder exits, even if killed, so a leftover ``.lock`` file is harmless);
2. re-reads the file and merges in this object's changes since it last loaded or saved that file:

   * records this object remembered are added; one with the id of a record in the file replaces it;
   * records this object forgot (that were in the file when it was loaded/saved) are removed;
   * every other record in the file, e.g. one another program saved meanwhile, is kept (and one another
     program forgot meanwhile stays forgotten, unless this object remembered it anew);

3. writes the merged memory atomically (a temporary file in the same folder, renamed over the old one with
   ``os.replace``, see :mod:`utils.files`), so a crash mid-write never leaves a half-written file;
4. releases the lock. The object then holds the merged records, as if freshly loaded.

Automatic ids are random (``"m"`` + 12 hex digits), so two programs remembering at the same time never pick the
same id. An id chosen by hand names one record: whichever program saves it last wins.
"""
from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import filelock
import numpy as np

from utils.embeddings.similarity import cosine_similarities, top_k
from utils.files import atomic_write_text
from utils.validation import as_array, check_positive_int

FORMAT_NAME = "vector-memory"
FORMAT_VERSION = 1
LOCK_TIMEOUT_SECONDS = 60.0
"""How long :meth:`VectorMemory.save` waits for another program's save to finish (seconds)."""


class MemoryFileError(ValueError):
    """A memory file cannot be read: not JSON, or not in the vector-memory format. The message names the file."""


MemoryLockTimeout = filelock.Timeout
"""Raised when another program held a memory file's lock for longer than :data:`LOCK_TIMEOUT_SECONDS`: filelock's
``Timeout`` (a ``TimeoutError``), whose message names the lock file. The lock is released when that program exits."""


@dataclass(frozen=True, eq=False)
class MemoryRecord:
    """One remembered item.

    Attributes:
        id: unique identifier (str).
        text: what was remembered.
        vector: its embedding, float64 array of shape (dim,) (read-only).
        timestamp: when it was remembered, ISO-8601 UTC (e.g. ``"2026-11-26T18:00:00+00:00"``).
    """

    id: str
    text: str
    vector: np.ndarray
    timestamp: str

    def to_json(self) -> dict:
        """A JSON-ready dict ``{"id", "text", "vector": [floats], "timestamp"}``."""
        return {"id": self.id, "text": self.text, "vector": [float(v) for v in self.vector],
                "timestamp": self.timestamp}


def lock_path(path: str | Path) -> Path:
    """The lock file guarding the memory file ``path``: ``<path>.lock`` in the same folder."""
    p = Path(path)
    return p.with_name(p.name + ".lock")


def _unit_rows(matrix: np.ndarray) -> np.ndarray:
    """Rows of ``matrix`` (shape (n, d), finite, no zero row) scaled to unit length without overflow.

    Each row is first divided by its largest absolute value, so even rows near the float64 limit (1e308) have
    a finite norm; plain ``v / np.linalg.norm(v)`` would give inf/inf = NaN or 0 for them.
    """
    scaled = matrix / np.max(np.abs(matrix), axis=1, keepdims=True)
    return scaled / np.linalg.norm(scaled, axis=1, keepdims=True)


class VectorMemory:
    """An in-memory list of :class:`MemoryRecord`, searchable by cosine similarity, saved as JSON.

    Args:
        dim: the length every vector must have (int >= 1).
        path: where :meth:`save` writes by default (optional).
    """

    def __init__(self, dim: int, path: str | Path | None = None) -> None:
        self.dim = check_positive_int(dim, "dim")
        self.path = Path(path) if path is not None else None
        self._records: dict[str, MemoryRecord] = {}
        # What this object changed since it last loaded or saved the file ``_synced_path`` (see save()).
        self._synced_path: Path | None = None
        self._synced_ids: set[str] = set()
        self._added: set[str] = set()
        self._forgotten: set[str] = set()

    # ------------------------------------------------------------------ validation
    def _vector(self, vector: object, name: str) -> np.ndarray:
        """``vector`` as a new float64 array of shape (dim,): real, finite (in float64) and not all zero."""
        v = as_array(vector, name, shape=(self.dim,), dtype_kind="fiu")  # complex or text vectors are refused
        with np.errstate(over="ignore"):
            v = as_array(v.astype(np.float64), name)  # a copy; values beyond float64's range became inf
        if not np.any(v):
            raise ValueError(f"{name} is the zero vector: its cosine similarity with anything is undefined")
        return v

    def _new_id(self) -> str:
        """A fresh random id ``"m" + 12 hex digits``, unused here and (with near certainty) by other writers."""
        while True:
            candidate = "m" + secrets.token_hex(6)
            if candidate not in self._records:
                return candidate

    # ------------------------------------------------------------------ the API
    def remember(self, text: str, vector: object, id: str | None = None, *, timestamp: str | None = None) -> str:
        """Store ``text`` with its ``vector`` (shape (dim,), real, finite, not all zero); return its id.

        Args:
            text: what to remember (a str).
            vector: its embedding.
            id: a chosen id (a str not already used), or None for a fresh random id like ``"m3f9c02a1d4e7"``.
            timestamp: when it was remembered, ISO-8601 UTC; None (the usual): now. :meth:`load` passes the
                timestamps read from the file.

        Raises:
            TypeError: complex or text vector. ValueError: wrong vector size, NaN/inf or values too large for
            float64, zero vector, or an id already in this memory.
        """
        v = self._vector(vector, "vector")
        if id is None:
            id = self._new_id()
        elif id in self._records:
            raise ValueError(f"id {id!r} is already in this memory; forget({id!r}) first or choose another id")
        if timestamp is None:
            timestamp = datetime.now(timezone.utc).isoformat(timespec="seconds")
        v.setflags(write=False)
        self._records[id] = MemoryRecord(id, text, v, timestamp)
        self._added.add(id)
        return id

    def recall(self, query_vector: object, k: int = 3) -> list[tuple[MemoryRecord, float]]:
        """The ``k`` records most cosine-similar to ``query_vector``, best first, as ``(record, similarity)``.

        Similarities lie in [-1, 1]. Fewer than ``k`` pairs come back if fewer records are stored; ties keep
        the order of :meth:`records`. Vectors of any finite size (even near 1e308) compare correctly.

        Raises:
            ValueError: k < 1, empty memory, wrong vector size, NaN/inf or zero query.
        """
        k = check_positive_int(k, "k")
        if not self._records:
            raise ValueError("recall on an empty memory: remember(text, vector) something first")
        q = self._vector(query_vector, "query_vector")
        records = list(self._records.values())
        units = _unit_rows(np.stack([r.vector for r in records]))
        sims = np.clip(cosine_similarities(units, _unit_rows(q[None, :])[0]), -1.0, 1.0)
        return [(records[i], float(sims[i])) for i in top_k(sims, k)]  # ties keep the order of records()

    def get(self, id: str) -> MemoryRecord:
        """The record with this id; KeyError naming the id if there is none (:meth:`records` lists them all)."""
        return self._records[id]

    def forget(self, id: str) -> MemoryRecord:
        """Remove and return the record with this id; KeyError if there is none.

        The next :meth:`save` also removes it from the file, if it was there when this object loaded or last saved.
        """
        record = self.get(id)
        del self._records[id]
        self._added.discard(id)
        if id in self._synced_ids:
            self._forgotten.add(id)
        return record

    def __len__(self) -> int:
        return len(self._records)

    def __contains__(self, id: object) -> bool:
        return id in self._records

    def records(self) -> list[MemoryRecord]:
        """All records, in the order they were remembered (after a save or load: the file's order)."""
        return list(self._records.values())

    # ------------------------------------------------------------------ persistence
    def to_json(self) -> dict:
        """The whole memory as a JSON-ready dict (the file format described in the module docs)."""
        return self._payload(self._records)

    def _payload(self, records: dict[str, MemoryRecord]) -> dict:
        """The file format of a memory of this dim holding ``records``."""
        return {"format": FORMAT_NAME, "version": FORMAT_VERSION, "dim": self.dim,
                "records": [r.to_json() for r in records.values()]}

    def _merged_with(self, on_disk: "VectorMemory | None", target: Path) -> dict[str, MemoryRecord]:
        """The records to write to ``target``: the file's records (``on_disk``) with this object's changes."""
        if on_disk is None:
            return dict(self._records)
        if on_disk.dim != self.dim:
            raise MemoryFileError(f"memory file {target} holds {on_disk.dim}-dimensional vectors but this memory "
                                  f"stores {self.dim}-dimensional ones; save to another path, or delete the file "
                                  f"if its memories are no longer needed")
        if target.resolve() == self._synced_path:
            added, forgotten = self._added, self._forgotten
        else:  # a file this object has not seen: add everything, remove nothing
            added, forgotten = set(self._records), set()
        merged = {rec.id: rec for rec in on_disk.records() if rec.id not in forgotten}
        for rid in self._records:
            if rid in added:  # new here, or replacing the file's record with this id (its place is kept)
                merged[rid] = self._records[rid]
        return merged

    def save(self, path: str | Path | None = None) -> Path:
        """Merge this memory into the file ``path`` (default: the ``path`` given at construction); return the path.

        Under the lock ``<path>.lock`` the file is re-read, this object's changes since it last loaded or saved
        the file are merged in (see the module docs: records added elsewhere meanwhile are kept), and the result
        is written atomically. Afterwards this object holds the merged records. If anything fails, the old file
        is untouched and no temporary file is left.

        Raises:
            ValueError: no path. MemoryFileError: the existing file is corrupt or has another dim.
            MemoryLockTimeout: another program kept the file locked for over :data:`LOCK_TIMEOUT_SECONDS`.
        """
        target = Path(path) if path is not None else self.path
        if target is None:
            raise ValueError("no path: pass save(path) or create VectorMemory(dim, path=...)")
        target.parent.mkdir(parents=True, exist_ok=True)
        with filelock.FileLock(str(lock_path(target)), timeout=LOCK_TIMEOUT_SECONDS):
            on_disk = type(self).load(target) if target.exists() else None
            merged = self._merged_with(on_disk, target)
            atomic_write_text(target, json.dumps(self._payload(merged), indent=1))
        self._records = merged
        self._mark_synced(target)
        if self.path is None:
            self.path = target
        return target

    def _mark_synced(self, path: Path) -> None:
        """Record that this object's records now equal the content of the file ``path``."""
        self._synced_path = path.resolve()
        self._synced_ids = set(self._records)
        self._added = set()
        self._forgotten = set()

    @classmethod
    def load(cls, path: str | Path) -> "VectorMemory":
        """Read a memory written by :meth:`save`.

        Raises:
            FileNotFoundError: no such file. MemoryFileError: the file is not valid JSON or not a vector memory
            (the message names the file and what is wrong).
        """
        p = Path(path)
        raw = p.read_bytes()  # FileNotFoundError names the file
        try:
            payload = json.loads(raw)  # UTF-8 JSON; UnicodeDecodeError and JSONDecodeError are ValueErrors
        except (ValueError, RecursionError) as exc:
            raise MemoryFileError(f"memory file {p} is corrupt: not valid JSON ({type(exc).__name__}: {exc}); "
                                  "restore it from a backup or delete it") from exc
        if not isinstance(payload, dict) or payload.get("format") != FORMAT_NAME:
            raise MemoryFileError(f"memory file {p} is not a vector-memory file (missing format={FORMAT_NAME!r})")
        where = "header"
        try:
            memory = cls(int(payload["dim"]), path=p)
            for i, rec in enumerate(payload["records"]):
                where = f"record {i}"
                memory.remember(rec["text"], rec["vector"], rec["id"], timestamp=rec["timestamp"])
        except (KeyError, TypeError, ValueError) as exc:
            raise MemoryFileError(f"memory file {p} is corrupt ({where}): {type(exc).__name__}: {exc}") from exc
        memory._mark_synced(p)
        return memory

    def __repr__(self) -> str:
        return f"VectorMemory(dim={self.dim}, records={len(self)}, path={str(self.path) if self.path else None!r})"


__all__ = ["LOCK_TIMEOUT_SECONDS", "MemoryFileError", "MemoryLockTimeout", "MemoryRecord", "VectorMemory",
           "lock_path"]
