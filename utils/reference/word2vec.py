"""Word vectors for notebook 07's vector memory: a quick word2vec, and the sentence vector of exercise 07.2.

Notebook 07 reads the word vectors notebook 06 exported. When there is no export (06 not run yet, or a fresh
hand-in folder) it makes its own with :func:`train_word2vec`: the recipe of notebook 06 (subsampling, skip-gram
pairs and negative sampling from :mod:`utils.reference.skipgram`; two embedding tables and a dot product,
binary cross-entropy from logits), one epoch by default, a few seconds on a laptop CPU. :func:`sentence_vector`
is the reference answer of exercise 07.2, used only after that exercise through ``checks.use_or_reference``.
"""
from __future__ import annotations

from typing import Any, Collection, Mapping, Sequence

import numpy as np

from utils import embeddings as emb
from utils.reference.skipgram import sample_negatives, skipgram_pairs, subsample
from utils.validation import check_positive_int


def build_word2vec(vocab_size: int, dim: int, num_ns: int) -> Any:
    """Notebook 06's word2vec model: ``logits[b, j] = target_table[target[b]] · context_table[context[b, j]]``.

    Args:
        vocab_size: V, the number of word ids (padding included).
        dim: the length of each word vector.
        num_ns: noise words per true pair; each example has ``1 + num_ns`` candidate contexts.

    Returns:
        An uncompiled ``keras.Model`` taking ``[target (batch,), context (batch, 1 + num_ns)]`` int ids and
        returning logits ``(batch, 1 + num_ns)``; its layers ``"target_embedding"`` and ``"context_embedding"``
        hold the two (V, dim) tables.
    """
    import keras

    target = keras.Input(shape=(), dtype="int64", name="target")
    context = keras.Input(shape=(1 + num_ns,), dtype="int64", name="context")
    u = keras.layers.Embedding(vocab_size, dim, name="target_embedding")(target)       # (batch, dim)
    v = keras.layers.Embedding(vocab_size, dim, name="context_embedding")(context)     # (batch, 1 + num_ns, dim)
    logits = keras.ops.einsum("bd,bkd->bk", u, v)                                      # (batch, 1 + num_ns)
    return keras.Model([target, context], logits, name="word2vec")


def train_word2vec(tokens: Sequence[str], *, dim: int = 64, min_count: int = 5, window: int = 2, num_ns: int = 4,
                   t: float = 1e-3, epochs: int = 1, batch_size: int = 2048, learning_rate: float = 0.01,
                   seed: int = 0, callbacks: Sequence[Any] = ()) -> tuple[emb.Vocabulary, np.ndarray]:
    """Train word vectors on ``tokens`` with notebook 06's recipe; returns the vocabulary and the vectors.

    Steps: a vocabulary of the words seen ``min_count`` times; subsample frequent words (threshold ``t``);
    skip-gram pairs within ``window``; ``num_ns`` noise words per pair drawn from counts ** 0.75; shuffle; train
    the two tables with Adam on binary cross-entropy from logits; average the two tables.

    Everything random is drawn from ``seed`` (data, shuffling, initial tables), so two calls with the same
    arguments give the same vectors up to floating-point round-off of the training run.

    Args:
        tokens: the corpus as a list of words (e.g. ``emb.tokenize_play(data.load_shakespeare())``).
        dim: vector length. min_count, window, num_ns, t: as in notebook 06.
        epochs: passes over the training examples (1 is enough for a sentence memory).
        batch_size, learning_rate: Adam's mini-batch size and step size.
        seed: seeds every random draw.
        callbacks: Keras callbacks for ``fit``, e.g. a progress bar.

    Returns:
        ``(vocab, word_vectors)``: the :class:`~utils.embeddings.Vocabulary` (id 0 padding, id 1 the most frequent
        word) and float32 ``(len(vocab), dim)`` vectors, row ``i`` for word id ``i``.
    """
    import keras

    dim, epochs = check_positive_int(dim, "dim"), check_positive_int(epochs, "epochs")
    vocab = emb.build_vocabulary(tokens, min_count=min_count)
    rng = np.random.default_rng(seed)
    kept = subsample(vocab.encode(tokens), vocab.counts, t, rng)
    targets, contexts = skipgram_pairs(kept, window)
    negatives = sample_negatives(vocab.counts, (len(targets), num_ns), rng)
    candidates = np.concatenate([contexts[:, None], negatives], axis=1)       # (N, 1 + num_ns): true one first
    labels = np.zeros(candidates.shape, dtype="float32")
    labels[:, 0] = 1.0
    order = rng.permutation(len(targets))                                     # shuffle once, with our seed

    model = build_word2vec(len(vocab), dim, num_ns)
    for name in ("target_embedding", "context_embedding"):                    # seeded initial tables
        layer = model.get_layer(name)
        layer.set_weights([rng.uniform(-0.05, 0.05, size=(len(vocab), dim)).astype("float32")])
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=learning_rate),
                  loss=keras.losses.BinaryCrossentropy(from_logits=True))
    model.fit([targets[order], candidates[order]], labels[order], batch_size=batch_size, epochs=epochs,
              shuffle=False, verbose=0, callbacks=list(callbacks))
    tables = [model.get_layer(n).get_weights()[0] for n in ("target_embedding", "context_embedding")]
    return vocab, ((tables[0] + tables[1]) / 2).astype(np.float32)


def sentence_vector(sentence: str, word_index: Mapping[str, int], vectors: np.ndarray,
                    stop_words: Collection[str]) -> np.ndarray:
    """The mean of the vectors of a sentence's known content words (exercise 07.2).

    The sentence is split with :func:`utils.embeddings.tokenize` (lower case, punctuation dropped); a word counts
    when it is in ``word_index`` and not in ``stop_words``; a word that occurs twice counts twice.

    Args:
        sentence: any text.
        word_index: word -> row of ``vectors``.
        vectors: (n_words, d) word vectors.
        stop_words: words to skip (the most frequent ones).

    Returns:
        float array (d,).

    Raises:
        ValueError: when no word of the sentence is a known content word.
    """
    rows = [word_index[w] for w in emb.tokenize(sentence) if w in word_index and w not in stop_words]
    if not rows:
        raise ValueError(f"no known content word in {sentence!r}: every word is a stop word or not in the vocabulary")
    return np.asarray(vectors)[rows].mean(axis=0)


__all__ = ["build_word2vec", "sentence_vector", "train_word2vec"]
