"""Words for embedding: tokenise a play script and build a vocabulary of word ids.

A *vocabulary* maps words to integer ids ``0..V-1``; id 0 is reserved for padding (:data:`PAD`), the way
``keras.layers.Embedding`` and Keras' text layers use row 0, so real words have ids ``1..V-1``.
Everything is plain Python and NumPy.
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Iterable, Sequence

import numpy as np

PAD = "<pad>"
"""The padding token; it always has id 0 and is never exported."""

_WORD = re.compile(r"[a-z]+(?:'[a-z]+)*")
_NAME_CHARS = re.compile(r"^[A-Z][A-Za-z '&,.\-]*$")
MAX_NAME_WORDS = 6
"""The most words a speaker's name may have (``"Ghost of Prince Edward"`` has 4)."""


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
    s = line.strip()
    if not block_start or len(s) < 2 or not s.endswith(":"):
        return False
    name = s[:-1].strip()
    return bool(name) and bool(_NAME_CHARS.match(name)) and len(name.split()) <= MAX_NAME_WORDS


def tokenize(text: str) -> list[str]:
    """Lower-case ``text`` and split it into words: runs of letters, with inner apostrophes kept (``"know't"``).

    Example: ``tokenize("Speak, speak! We know't.") == ["speak", "speak", "we", "know't"]``.
    """
    return _WORD.findall(text.lower())


def tokenize_play(text: str, *, drop_speakers: bool = True) -> list[str]:
    """Tokenise a play script with :func:`tokenize`, dropping the speaker-name lines (see :func:`is_speaker_line`).

    Args:
        text: the whole script, lines separated by ``\\n``.
        drop_speakers: drop speaker lines (True) or keep them (False, for comparison).

    Returns:
        The words in reading order, lower case.
    """
    words: list[str] = []
    previous_blank = True
    for line in text.split("\n"):
        if not (drop_speakers and is_speaker_line(line, block_start=previous_blank)):
            words.extend(tokenize(line))
        previous_blank = not line.strip()
    return words


@dataclass(frozen=True)
class Vocabulary:
    """Words and their ids; id 0 is :data:`PAD`. Build one with :func:`build_vocabulary`.

    Attributes:
        words: ``words[i]`` is the word with id ``i``; ``words[0] == PAD``.
        counts: int64 array of shape (V,), how often each word occurs in the corpus (0 for PAD).
        index: word -> id, for the real words (PAD left out).
    """

    words: tuple[str, ...]
    counts: np.ndarray
    index: dict[str, int] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "counts", np.asarray(self.counts, dtype=np.int64))
        object.__setattr__(self, "index", {w: i for i, w in enumerate(self.words) if i > 0})

    def __len__(self) -> int:
        """V, the number of ids including PAD (the ``input_dim`` of a Keras ``Embedding``)."""
        return len(self.words)

    def __contains__(self, word: object) -> bool:
        return word in self.index

    def id_of(self, word: str) -> int:
        """The id of ``word``; KeyError naming the word if it is not in the vocabulary (PAD never is)."""
        return self.index[word]

    def encode(self, tokens: Iterable[str]) -> np.ndarray:
        """Ids of the known tokens, in order, int64 of shape (n_known,). Unknown tokens are dropped."""
        return np.array([self.index[t] for t in tokens if t in self.index], dtype=np.int64)

    def decode(self, ids: Iterable[int]) -> list[str]:
        """Words of ``ids`` (ints in ``0..V-1``)."""
        return [self.words[int(i)] for i in ids]


def build_vocabulary(tokens: Sequence[str], *, min_count: int = 5) -> Vocabulary:
    """Vocabulary of the words occurring at least ``min_count`` times, most frequent first (ties alphabetical).

    Args:
        tokens: the corpus as a list of words (not one str: call :func:`tokenize` first).
        min_count: minimum number of occurrences.

    Returns:
        A :class:`Vocabulary`: id 0 is PAD, id 1 the most frequent word.
    """
    counts = Counter(tokens)
    kept = sorted((w for w, c in counts.items() if c >= min_count), key=lambda w: (-counts[w], w))
    return Vocabulary((PAD, *kept), np.array([0] + [counts[w] for w in kept], dtype=np.int64))


__all__ = ["MAX_NAME_WORDS", "PAD", "Vocabulary", "build_vocabulary", "is_speaker_line", "tokenize",
           "tokenize_play"]
