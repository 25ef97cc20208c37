"""Text-embedding plumbing: tokenise a play, build a vocabulary, compare vectors by cosine similarity (pairs,
analogies, kNN), project them to 2-D, and export/import them for reuse.

The lesson of notebook 06 stays in the notebook: students write the skip-gram pair builder, the subsampling,
the negative sampler and the nearest-neighbour search themselves (their reference answers are in
:mod:`utils.reference.skipgram`, used only after each exercise), and the word2vec model is built there too. This
module holds the parts that are plumbing rather than the lesson. Everything is NumPy; nothing here imports
TensorFlow.

Conventions used throughout:

* a *vocabulary* maps words to integer ids ``0..V-1``; id 0 is reserved for padding (:data:`PAD`), the way
  ``keras.layers.Embedding`` and Keras' text layers use row 0, so real words have ids ``1..V-1``;
* an *embedding matrix* has shape ``(V, d)``, float, row ``i`` holding the vector of word id ``i``;
* cosine similarity lies in ``[-1, 1]``: 1 = same direction, 0 = unrelated (orthogonal), -1 = opposite.
"""
from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Sequence

import numpy as np

from utils.files import atomic_write_text
from utils.validation import as_array, check_positive_int, check_same_length

PAD = "<pad>"
"""The padding token; it always has id 0 and is never exported."""

_WORD = re.compile(r"[a-z]+(?:'[a-z]+)*")
_NAME_CHARS = re.compile(r"^[A-Z][A-Za-z '&,.\-]*$")
MAX_NAME_WORDS = 6


# --------------------------------------------------------------------------------------------- tokenising
def is_speaker_line(line: str, *, block_start: bool = True) -> bool:
    """True if ``line`` is a speaker's name in a play script, such as ``"KING RICHARD III:"`` or ``"First Citizen:"``.

    A speaker line ends with ``':'``, starts with a capital letter, holds only letters, spaces and ``' & , . -``
    and has at most :data:`MAX_NAME_WORDS` words, and it opens a block of speech (``block_start``: the line is
    the first of the text or follows a blank line). The last condition keeps short dialogue such as
    ``"Come:"`` in the middle of a speech.

    Args:
        line: one line of text (surrounding white space is ignored).
        block_start: whether the line opens a block (first line, or after a blank line).
    """
    if not isinstance(line, str):
        raise TypeError(f"line must be a str, got {type(line).__name__}")
    s = line.strip()
    if not block_start or len(s) < 2 or not s.endswith(":"):
        return False
    name = s[:-1].strip()
    return bool(name) and bool(_NAME_CHARS.match(name)) and len(name.split()) <= MAX_NAME_WORDS


def tokenize(text: str) -> list[str]:
    """Lower-case ``text`` and split it into words: runs of letters, with inner apostrophes kept (``"know't"``).

    Example: ``tokenize("Speak, speak! We know't.") == ["speak", "speak", "we", "know't"]``.
    """
    if not isinstance(text, str):
        raise TypeError(f"text must be a str, got {type(text).__name__}")
    return _WORD.findall(text.lower())


def tokenize_play(text: str, *, drop_speakers: bool = True) -> list[str]:
    """Tokenise a play script with :func:`tokenize`, dropping the speaker-name lines (see :func:`is_speaker_line`).

    Args:
        text: the whole script, lines separated by ``\\n``.
        drop_speakers: drop speaker lines (True) or keep them (False, for comparison).

    Returns:
        The words in reading order, lower case.
    """
    if not isinstance(text, str):
        raise TypeError(f"text must be a str, got {type(text).__name__}")
    words: list[str] = []
    previous_blank = True
    for line in text.split("\n"):
        if not (drop_speakers and is_speaker_line(line, block_start=previous_blank)):
            words.extend(tokenize(line))
        previous_blank = not line.strip()
    return words


# --------------------------------------------------------------------------------------------- vocabulary
@dataclass(frozen=True)
class Vocabulary:
    """Words and their ids; id 0 is :data:`PAD`. Build one with :func:`build_vocabulary`.

    Attributes:
        words: ``words[i]`` is the word with id ``i``; ``words[0] == PAD``.
        counts: int64 array of shape (V,), how often each word occurs in the corpus (0 for PAD).
    """

    words: tuple[str, ...]
    counts: np.ndarray
    index: dict[str, int] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not self.words or self.words[0] != PAD:
            raise ValueError(f"words[0] must be the padding token {PAD!r}, got {self.words[:1]}")
        if len(set(self.words)) != len(self.words):
            raise ValueError("words contains duplicates")
        counts = as_array(self.counts, "counts", shape=(len(self.words),), dtype_kind="iu")
        object.__setattr__(self, "counts", counts.astype(np.int64))
        object.__setattr__(self, "index", {w: i for i, w in enumerate(self.words)})

    def __len__(self) -> int:
        """V, the number of ids including PAD (the ``input_dim`` of a Keras ``Embedding``)."""
        return len(self.words)

    def __contains__(self, word: object) -> bool:
        return word in self.index and word != PAD

    def id_of(self, word: str) -> int:
        """The id of ``word``; KeyError with a hint if it is not in the vocabulary."""
        if word not in self:
            raise KeyError(f"{word!r} is not in the vocabulary ({len(self) - 1} words seen at least "
                           f"{int(self.counts[1:].min()) if len(self) > 1 else 0} times); try a more common word")
        return self.index[word]

    def encode(self, tokens: Iterable[str]) -> np.ndarray:
        """Ids of the known tokens, in order, int64 of shape (n_known,). Unknown tokens are dropped."""
        return np.array([self.index[t] for t in tokens if t in self], dtype=np.int64)

    def decode(self, ids: Iterable[int]) -> list[str]:
        """Words of ``ids`` (ints in ``0..V-1``)."""
        arr = as_array(list(ids), "ids", ndim=1, dtype_kind="iu") if not isinstance(ids, np.ndarray) else ids
        if arr.size and (arr.min() < 0 or arr.max() >= len(self)):
            raise ValueError(f"ids must lie in 0..{len(self) - 1}, got values from {arr.min()} to {arr.max()}")
        return [self.words[int(i)] for i in arr]


def build_vocabulary(tokens: Sequence[str], *, min_count: int = 5) -> Vocabulary:
    """Vocabulary of the words occurring at least ``min_count`` times, most frequent first (ties alphabetical).

    Args:
        tokens: the corpus as a list of words.
        min_count: minimum number of occurrences (int >= 1).

    Returns:
        A :class:`Vocabulary`: id 0 is PAD, id 1 the most frequent word.
    """
    min_count = check_positive_int(min_count, "min_count")
    if isinstance(tokens, str):
        raise TypeError("tokens must be a list of words, got a str; call tokenize(text) first")
    counts = Counter(tokens)
    kept = sorted((w for w, c in counts.items() if c >= min_count), key=lambda w: (-counts[w], w))
    if not kept:
        raise ValueError(f"no word occurs at least min_count={min_count} times in {len(tokens)} tokens")
    if PAD in counts:
        raise ValueError(f"tokens contain the reserved padding token {PAD!r}")
    return Vocabulary((PAD, *kept), np.array([0] + [counts[w] for w in kept], dtype=np.int64))


# --------------------------------------------------------------------------------------------- similarity
def normalize_rows(matrix: np.ndarray, *, eps: float = 1e-12) -> np.ndarray:
    """Rows scaled to unit length (shape kept, float64); all-zero rows stay zero."""
    m = as_array(matrix, "matrix", ndim=2, dtype_kind="fiu").astype(np.float64)
    norms = np.linalg.norm(m, axis=1, keepdims=True)
    return m / np.maximum(norms, eps)


def cosine_similarities(matrix: np.ndarray, query: np.ndarray) -> np.ndarray:
    """Cosine similarity of ``query`` (shape (d,)) with every row of ``matrix`` (shape (n, d)): float64 (n,)."""
    m = as_array(matrix, "matrix", ndim=2, dtype_kind="fiu")
    q = as_array(query, "query", shape=(m.shape[1],), dtype_kind="fiu").astype(np.float64)
    qn = np.linalg.norm(q)
    if qn == 0:
        raise ValueError("query is the zero vector: its cosine similarity is undefined")
    return normalize_rows(m) @ (q / qn)


def top_k(similarities: np.ndarray, k: int, *, exclude: Iterable[int] = ()) -> np.ndarray:
    """Indices of the ``k`` largest values of a 1-D array, largest first, skipping the indices in ``exclude``.

    Equal values keep their index order (a stable sort), so ties always come back the same way.
    """
    sims = as_array(similarities, "similarities", ndim=1, dtype_kind="fiu", allow_nan=False).astype(np.float64)
    k = check_positive_int(k, "k")
    sims = sims.copy()
    excluded = list(exclude)
    if excluded:
        sims[excluded] = -np.inf
    k = min(k, int(np.isfinite(sims).sum()))
    if k == 0:
        return np.zeros(0, dtype=np.int64)
    return np.argsort(-sims, kind="stable")[:k].astype(np.int64)


def nearest_to_vector(vector: np.ndarray, vocab: Vocabulary, matrix: np.ndarray, k: int = 10, *,
                      exclude: Iterable[str] = ()) -> list[tuple[str, float]]:
    """The ``k`` words whose vectors are most cosine-similar to ``vector`` (shape (d,)); PAD never returned."""
    m = as_array(matrix, "matrix", ndim=2, dtype_kind="fiu")
    if len(m) != len(vocab):
        raise ValueError(f"matrix has {len(m)} rows but the vocabulary has {len(vocab)} ids")
    sims = cosine_similarities(m, vector)
    idx = top_k(sims, k, exclude=[0] + [vocab.id_of(w) for w in exclude])
    return [(vocab.words[i], float(sims[i])) for i in idx]


def analogy(a: str, b: str, c: str, vocab: Vocabulary, matrix: np.ndarray, k: int = 5) -> list[tuple[str, float]]:
    """Answer "``a`` is to ``b`` as ``c`` is to ?" with the words nearest to ``b - a + c`` (unit vectors).

    ``analogy("man", "king", "woman", ...)`` looks for ``king - man + woman``. The three input words are
    excluded from the answer, as in the original word2vec evaluation.
    """
    unit = normalize_rows(as_array(matrix, "matrix", ndim=2, dtype_kind="fiu"))
    target = unit[vocab.id_of(b)] - unit[vocab.id_of(a)] + unit[vocab.id_of(c)]
    return nearest_to_vector(target, vocab, matrix, k, exclude=(a, b, c))


def pair_similarities(pairs: Sequence[tuple[str, str]], vocab: Vocabulary, matrix: np.ndarray) -> np.ndarray:
    """Cosine similarity of each word pair, float64 (len(pairs),). Every word must be in ``vocab``."""
    unit = normalize_rows(as_array(matrix, "matrix", ndim=2, dtype_kind="fiu"))
    if len(unit) != len(vocab):
        raise ValueError(f"matrix has {len(unit)} rows but the vocabulary has {len(vocab)} ids")
    return np.array([float(unit[vocab.id_of(x)] @ unit[vocab.id_of(y)]) for x, y in pairs])


def knn_classify(reference: np.ndarray, reference_labels: np.ndarray, queries: np.ndarray, *, k: int = 5,
                 metric: str = "cosine") -> np.ndarray:
    """k-nearest-neighbour classification: each query gets the majority label of its ``k`` nearest references.

    Ties are broken in favour of the label of the nearest neighbour among the tied labels.

    Args:
        reference: (n, d) vectors with known labels.
        reference_labels: (n,) non-negative int labels.
        queries: (m, d) vectors to classify.
        k: number of neighbours (1 <= k <= n).
        metric: ``"cosine"`` (most similar direction) or ``"euclidean"`` (smallest distance).

    Returns:
        int64 (m,) predicted labels.
    """
    ref = as_array(reference, "reference", ndim=2, dtype_kind="fiu").astype(np.float64)
    lab = as_array(reference_labels, "reference_labels", ndim=1, dtype_kind="iu").astype(np.int64)
    q = as_array(queries, "queries", shape=(None, ref.shape[1]), dtype_kind="fiu").astype(np.float64)
    check_same_length(ref, lab, "reference", "reference_labels")
    k = check_positive_int(k, "k")
    if k > len(ref):
        raise ValueError(f"k must be at most the number of references ({len(ref)}), got {k}")
    if metric == "cosine":
        score = normalize_rows(q) @ normalize_rows(ref).T
    elif metric == "euclidean":
        score = -((q ** 2).sum(1)[:, None] - 2 * q @ ref.T + (ref ** 2).sum(1)[None, :])
    else:
        raise ValueError(f"metric must be 'cosine' or 'euclidean', got {metric!r}")
    nn = np.argsort(-score, axis=1, kind="stable")[:, :k]  # (m, k), nearest first
    nn_labels = lab[nn]
    n_labels = int(lab.max()) + 1 if lab.size else 1
    votes = np.zeros((len(q), n_labels))
    np.add.at(votes, (np.repeat(np.arange(len(q)), k), nn_labels.ravel()), 1.0)
    # tie-break: a small bonus for nearer neighbours (less than one vote in total)
    np.add.at(votes, (np.repeat(np.arange(len(q)), k), nn_labels.ravel()),
              np.tile(np.linspace(0.5, 0.0, k, endpoint=False) / k, len(q)))
    return votes.argmax(axis=1).astype(np.int64)


def pca_project(points: np.ndarray, n_components: int = 2) -> tuple[np.ndarray, np.ndarray]:
    """Project points onto their first principal components (centred, via ``np.linalg.svd``).

    Args:
        points: (n, d) float array, n >= 2.
        n_components: how many components (1 <= n_components <= min(n, d)).

    Returns:
        ``(projected, explained)``: projected (n, n_components) float64, and the fraction of variance each
        component explains, (n_components,) in [0, 1].
    """
    x = as_array(points, "points", ndim=2, dtype_kind="fiu").astype(np.float64)
    n_components = check_positive_int(n_components, "n_components")
    if len(x) < 2:
        raise ValueError(f"points must hold at least 2 rows to find principal directions, got {len(x)}")
    if n_components > min(x.shape):
        raise ValueError(f"n_components must be at most min(n, d) = {min(x.shape)}, got {n_components}")
    centred = x - x.mean(axis=0)
    _, s, vt = np.linalg.svd(centred, full_matrices=False)
    var = s ** 2
    explained = var[:n_components] / var.sum() if var.sum() > 0 else np.zeros(n_components)
    return centred @ vt[:n_components].T, explained


# --------------------------------------------------------------------------------------------- export / import
VECTORS_TSV = "vectors.tsv"
METADATA_TSV = "metadata.tsv"
VECTORS_JSON = "vectors.json"


def _check_exportable_words(words: Sequence[str]) -> None:
    for w in words:
        if not isinstance(w, str) or not w or any(ch in w for ch in "\t\n\r"):
            raise ValueError(f"word {w!r} cannot be exported: words must be non-empty str without tabs or newlines")


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
    m = as_array(matrix, "matrix", ndim=2, dtype_kind="fiu")
    if len(m) != len(vocab):
        raise ValueError(f"matrix has {len(m)} rows but the vocabulary has {len(vocab)} ids (PAD included)")
    words = list(vocab.words[1:])
    _check_exportable_words(words)
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


def load_embeddings_tsv(directory: str | Path) -> tuple[list[str], np.ndarray]:
    """Read ``vectors.tsv`` and ``metadata.tsv`` back (see :func:`export_embeddings`).

    Returns:
        ``(words, vectors)``: a list of n words and a float32 array of shape (n, d), rows aligned.

    Raises:
        FileNotFoundError: if a file is missing. ValueError: ragged rows, non-numbers, or unequal row counts.
    """
    folder = Path(directory)
    vec_path, meta_path = folder / VECTORS_TSV, folder / METADATA_TSV
    for p in (vec_path, meta_path):
        if not p.is_file():
            raise FileNotFoundError(f"{p} does not exist; write it with export_embeddings() first")
    words = meta_path.read_text(encoding="utf-8").split("\n")
    if words and words[-1] == "":
        words.pop()
    rows = []
    for lineno, line in enumerate(vec_path.read_text(encoding="utf-8").splitlines(), start=1):
        try:
            rows.append([float(v) for v in line.split("\t")])
        except ValueError as exc:
            raise ValueError(f"{vec_path} line {lineno} is not tab-separated numbers: {exc}") from exc
        if len(rows[-1]) != len(rows[0]):
            raise ValueError(f"{vec_path} line {lineno} has {len(rows[-1])} values, line 1 has {len(rows[0])}")
    if len(rows) != len(words):
        raise ValueError(f"{vec_path} has {len(rows)} rows but {meta_path} has {len(words)} words; "
                         "they must be aligned, one word per vector")
    vectors = np.array(rows, dtype=np.float32).reshape(len(rows), len(rows[0]) if rows else 0)
    return words, vectors


def load_embeddings_json(path: str | Path) -> tuple[list[str], np.ndarray]:
    """Read the ``vectors.json`` written by :func:`export_embeddings`: ``(words, float32 (n, d) vectors)``."""
    p = Path(path)
    if p.is_dir():
        p = p / VECTORS_JSON
    try:
        payload = json.loads(p.read_text(encoding="utf-8"))
        words, dim, rows = payload["words"], int(payload["dim"]), payload["vectors"]
        vectors = np.array(rows, dtype=np.float32).reshape(len(rows), dim)
    except FileNotFoundError:
        raise FileNotFoundError(f"{p} does not exist; write it with export_embeddings() first") from None
    except (ValueError, KeyError, TypeError) as exc:
        raise ValueError(f"{p} is not a valid vectors file ({type(exc).__name__}: {exc})") from exc
    if not isinstance(words, list) or len(words) != len(vectors):
        raise ValueError(f"{p}: {len(words)} words for {len(vectors)} vectors; they must be aligned")
    return [str(w) for w in words], vectors


def mean_vector(tokens: Sequence[str], vocab: Vocabulary, matrix: np.ndarray) -> np.ndarray:
    """Average of the vectors of the known ``tokens`` (a simple sentence embedding), float64 of shape (d,).

    Raises:
        ValueError: if none of the tokens is in the vocabulary.
    """
    ids = vocab.encode(tokens)
    if ids.size == 0:
        raise ValueError(f"none of the tokens {list(tokens)[:8]} is in the vocabulary: cannot average nothing")
    m = as_array(matrix, "matrix", ndim=2, dtype_kind="fiu")
    return m[ids].astype(np.float64).mean(axis=0)


__all__ = [
    "PAD", "Vocabulary", "analogy", "build_vocabulary", "cosine_similarities", "export_embeddings",
    "is_speaker_line", "knn_classify", "load_embeddings_json", "load_embeddings_tsv", "mean_vector",
    "nearest_to_vector", "normalize_rows", "pair_similarities", "pca_project", "tokenize", "tokenize_play", "top_k",
]
