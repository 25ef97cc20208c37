"""Saving word vectors for reuse and reading them back: TSV files for TensorBoard's Embedding Projector, and JSON.

Notebook 06 exports its vectors; notebook 07 reads them back. The padding row (id 0) is never exported, so the
files hold the ``V - 1`` real words, one vector per word, rows aligned.
"""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from utils.embeddings.similarity import word_matrix
from utils.embeddings.text import Vocabulary
from utils.files import atomic_write_text

VECTORS_TSV = "vectors.tsv"
METADATA_TSV = "metadata.tsv"
VECTORS_JSON = "vectors.json"


def export_embeddings(directory: str | Path, vocab: Vocabulary, matrix: np.ndarray) -> dict[str, Path]:
    """Write an embedding matrix for reuse; the padding row (id 0) is NOT exported.

    Files written into ``directory`` (created if needed):

    * ``vectors.tsv``: one row per word (ids 1..V-1 in order), ``d`` tab-separated floats, no header;
    * ``metadata.tsv``: the matching word on each line, no header (TensorBoard Embedding Projector format:
      load both at https://projector.tensorflow.org);
    * ``vectors.json``: ``{"words": [...], "dim": d, "vectors": [[...], ...]}``.

    Floats are written with 9 significant digits, enough to restore float32 exactly. Each file is written
    atomically (:mod:`utils.files`): an interrupted export leaves the old file or the new one, never half of one.

    Args:
        directory: the output folder (e.g. ``utils.output_dir("06_word_embeddings")``).
        vocab: the vocabulary whose ids index ``matrix``.
        matrix: (len(vocab), d) finite floats.

    Returns:
        ``{"vectors": path, "metadata": path, "json": path}``.
    """
    m = word_matrix(matrix, vocab)
    words = list(vocab.words[1:])
    rows = m[1:].astype(np.float64)
    out = Path(directory)
    out.mkdir(parents=True, exist_ok=True)
    paths = {"vectors": out / VECTORS_TSV, "metadata": out / METADATA_TSV, "json": out / VECTORS_JSON}
    atomic_write_text(paths["vectors"], "".join("\t".join(f"{v:.9g}" for v in row) + "\n" for row in rows))
    atomic_write_text(paths["metadata"], "".join(w + "\n" for w in words))
    payload = {"words": words, "dim": int(m.shape[1]),
               "vectors": [[float(f"{v:.9g}") for v in row] for row in rows]}
    atomic_write_text(paths["json"], json.dumps(payload))
    return paths


def _aligned(words: list[str], vectors: np.ndarray, source: str) -> tuple[list[str], np.ndarray]:
    """``(words, vectors)`` if there is one word per vector, else a ValueError naming ``source``."""
    if len(words) != len(vectors):
        raise ValueError(f"{source}: {len(words)} words for {len(vectors)} vectors; they must be aligned, "
                         "one word per vector (write them again with export_embeddings())")
    return words, vectors


def load_embeddings_tsv(directory: str | Path) -> tuple[list[str], np.ndarray]:
    """Read ``vectors.tsv`` and ``metadata.tsv`` back (see :func:`export_embeddings`).

    Returns:
        ``(words, vectors)``: a list of n words and a float32 array of shape (n, d), rows aligned.

    Raises:
        FileNotFoundError: if a file is missing. ValueError: non-numbers, ragged rows, or unequal row counts.
    """
    folder = Path(directory)
    words = (folder / METADATA_TSV).read_text(encoding="utf-8").split("\n")
    if words[-1] == "":
        words.pop()
    lines = (folder / VECTORS_TSV).read_text(encoding="utf-8").splitlines()
    vectors = np.array([[float(v) for v in line.split("\t")] for line in lines], dtype=np.float32)
    return _aligned(words, vectors.reshape(len(lines), -1) if lines else vectors.reshape(0, 0), str(folder))


def load_embeddings_json(path: str | Path) -> tuple[list[str], np.ndarray]:
    """Read the ``vectors.json`` written by :func:`export_embeddings` (``path`` may be its folder):
    ``(words, float32 (n, d) vectors)``.

    Raises:
        FileNotFoundError: if the file is missing. ValueError: not JSON, or words and vectors not aligned.
        KeyError: JSON without the ``words``, ``dim`` and ``vectors`` of :func:`export_embeddings`.
    """
    p = Path(path)
    if p.is_dir():
        p = p / VECTORS_JSON
    payload = json.loads(p.read_text(encoding="utf-8"))
    vectors = np.array(payload["vectors"], dtype=np.float32).reshape(len(payload["vectors"]), payload["dim"])
    return _aligned([str(w) for w in payload["words"]], vectors, str(p))


__all__ = ["METADATA_TSV", "VECTORS_JSON", "VECTORS_TSV", "export_embeddings", "load_embeddings_json",
           "load_embeddings_tsv"]
