"""A small vector memory: texts stored with their embedding vectors, recalled by cosine similarity.

This is how a chatbot keeps conversational memory: each thing worth remembering is embedded as a vector
and stored; when a new message arrives, its vector is compared with every stored one and the most similar
memories are recalled (and, in a real system, pasted into the prompt). Real systems use a vector database;
the idea fits in a page::

    from utils.memory import VectorMemory
    mem = VectorMemory(dim=64, path=utils.output_dir("06_embedding_lab") / "memory.json")
    mid = mem.remember("Juliet's nurse loves to talk", vector)      # -> "m0001"
    for record, sim in mem.recall(query_vector, k=3):               # best first
        print(f"{sim:.2f} {record.text}")
    mem.save()                                                      # atomic JSON write
    mem2 = VectorMemory.load(mem.path)

The JSON file holds ``{"format": "vector-memory", "version": 1, "dim": d, "records": [{id, text, vector,
timestamp}, ...]}``; timestamps are ISO-8601 UTC strings. Saving writes a temporary file in the same folder
and renames it over the old one with ``os.replace`` (atomic), so a crash mid-write never leaves a half-written
memory file behind.
"""
from __future__ import annotations

import json
import os
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import numpy as np

from utils.files import atomic_path
from utils.validation import check_positive_int

FORMAT_NAME = "vector-memory"
FORMAT_VERSION = 1


class MemoryFileError(ValueError):
    """A memory file cannot be read: not JSON, or not in the vector-memory format. The message names the file."""


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
        self._next = 1

    # ------------------------------------------------------------------ validation
    def _vector(self, vector: object, name: str) -> np.ndarray:
        try:
            v = np.asarray(vector, dtype=np.float64)
        except (TypeError, ValueError) as exc:
            raise TypeError(f"{name} must be a sequence of numbers, got {type(vector).__name__}: {exc}") from exc
        if v.ndim != 1:
            raise ValueError(f"{name} must be a 1-D vector of {self.dim} numbers, got shape {v.shape}")
        if v.shape[0] != self.dim:
            raise ValueError(f"{name} has the wrong size: this memory stores {self.dim}-dimensional vectors "
                             f"(expected dim {self.dim}), got {v.shape[0]} values")
        if not np.all(np.isfinite(v)):
            raise ValueError(f"{name} contains NaN or infinite values; check the embedding that produced it")
        if not np.any(v):
            raise ValueError(f"{name} is the zero vector: its cosine similarity with anything is undefined")
        return v

    # ------------------------------------------------------------------ the API
    def remember(self, text: str, vector: object, id: str | None = None) -> str:
        """Store ``text`` with its ``vector`` (shape (dim,), finite, not all zero); return its id.

        Args:
            text: what to remember (a str).
            vector: its embedding.
            id: a chosen id (non-empty str, not already used), or None for the next free ``"m0001"``-style id.

        Raises:
            TypeError: text or id not a str. ValueError: wrong vector size, NaN/inf, zero vector, or duplicate id.
        """
        if not isinstance(text, str):
            raise TypeError(f"text must be a str, got {type(text).__name__}")
        v = self._vector(vector, "vector")
        if id is None:
            while f"m{self._next:04d}" in self._records:
                self._next += 1
            id = f"m{self._next:04d}"
        elif not isinstance(id, str) or not id:
            raise TypeError(f"id must be a non-empty str or None, got {id!r}")
        elif id in self._records:
            raise ValueError(f"id {id!r} is already in this memory; forget({id!r}) first or choose another id")
        v.setflags(write=False)
        stamp = datetime.now(timezone.utc).isoformat(timespec="seconds")
        self._records[id] = MemoryRecord(id, text, v, stamp)
        return id

    def recall(self, query_vector: object, k: int = 3) -> list[tuple[MemoryRecord, float]]:
        """The ``k`` records most cosine-similar to ``query_vector``, best first, as ``(record, similarity)``.

        Similarities lie in [-1, 1]. Fewer than ``k`` pairs come back if fewer records are stored; ties keep
        the order in which the records were remembered.

        Raises:
            ValueError: k < 1, empty memory, wrong vector size, NaN/inf or zero query.
        """
        if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or k < 1:
            raise ValueError(f"k must be an integer >= 1 (how many memories to recall), got {k!r}")
        if not self._records:
            raise ValueError("recall on an empty memory: remember(text, vector) something first")
        q = self._vector(query_vector, "query_vector")
        records = list(self._records.values())
        matrix = np.stack([r.vector for r in records])
        sims = (matrix @ q) / (np.linalg.norm(matrix, axis=1) * np.linalg.norm(q))
        sims = np.clip(sims, -1.0, 1.0)
        order = np.argsort(-sims, kind="stable")[: int(k)]
        return [(records[i], float(sims[i])) for i in order]

    def get(self, id: str) -> MemoryRecord:
        """The record with this id; KeyError naming the id (and a few known ids) if there is none."""
        try:
            return self._records[id]
        except (KeyError, TypeError):
            known = ", ".join(list(self._records)[:5]) or "none"
            raise KeyError(f"no memory with id {id!r} (known ids: {known}"
                           f"{', …' if len(self._records) > 5 else ''})") from None

    def forget(self, id: str) -> MemoryRecord:
        """Remove and return the record with this id; KeyError if there is none."""
        record = self.get(id)
        del self._records[id]
        return record

    def __len__(self) -> int:
        return len(self._records)

    def __contains__(self, id: object) -> bool:
        return id in self._records

    def records(self) -> list[MemoryRecord]:
        """All records, in the order they were remembered."""
        return list(self._records.values())

    # ------------------------------------------------------------------ persistence
    def to_json(self) -> dict:
        """The whole memory as a JSON-ready dict (the file format described in the module docs)."""
        return {"format": FORMAT_NAME, "version": FORMAT_VERSION, "dim": self.dim,
                "records": [r.to_json() for r in self._records.values()]}

    def save(self, path: str | Path | None = None) -> Path:
        """Write the memory to ``path`` (default: the ``path`` given at construction) atomically; return the path.

        The JSON goes to a temporary file in the same folder, is flushed to disk, then renamed over ``path``
        with ``os.replace``. If anything fails, the temporary file is removed and the old file is untouched.
        """
        target = Path(path) if path is not None else self.path
        if target is None:
            raise ValueError("no path: pass save(path) or create VectorMemory(dim, path=...)")
        target.parent.mkdir(parents=True, exist_ok=True)
        with atomic_path(target) as tmp:
            with open(tmp, "w", encoding="utf-8") as fh:
                json.dump(self.to_json(), fh, indent=1)
                fh.flush()
                os.fsync(fh.fileno())
        if self.path is None:
            self.path = target
        return target

    @classmethod
    def load(cls, path: str | Path) -> "VectorMemory":
        """Read a memory written by :meth:`save`.

        Raises:
            FileNotFoundError: no such file. MemoryFileError: the file is not valid JSON or not a vector memory
            (the message names the file and what is wrong).
        """
        p = Path(path)
        if not p.is_file():
            raise FileNotFoundError(f"memory file {p} does not exist")
        try:
            payload = json.loads(p.read_text(encoding="utf-8"))
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise MemoryFileError(f"memory file {p} is corrupt: not valid JSON ({exc})") from exc
        if not isinstance(payload, dict) or payload.get("format") != FORMAT_NAME:
            raise MemoryFileError(f"memory file {p} is not a vector-memory file (missing format={FORMAT_NAME!r})")
        where = "header"
        try:
            memory = cls(int(payload["dim"]), path=p)
            for i, rec in enumerate(payload["records"]):
                where = f"record {i}"
                memory.remember(rec["text"], rec["vector"], id=rec["id"])
                ts = rec["timestamp"]
                if not isinstance(ts, str):
                    raise TypeError(f"timestamp must be a str, got {type(ts).__name__}")
                r = memory._records[rec["id"]]
                memory._records[r.id] = MemoryRecord(r.id, r.text, r.vector, ts)
        except (KeyError, TypeError, ValueError) as exc:
            raise MemoryFileError(f"memory file {p} is corrupt ({where}): {type(exc).__name__}: {exc}") from exc
        return memory

    def __repr__(self) -> str:
        return f"VectorMemory(dim={self.dim}, records={len(self)}, path={str(self.path) if self.path else None!r})"


__all__ = ["MemoryFileError", "MemoryRecord", "VectorMemory"]
