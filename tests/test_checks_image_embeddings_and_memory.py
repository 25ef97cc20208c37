"""Checks of notebook 07: each passes on a right answer (and on the course's reference), fails on plausible wrong
ones with a hint that names the mistake, and reports a stub as not attempted. Also the reference word2vec used
when notebook 06's export is missing."""
from collections import Counter

import numpy as np
import pytest

from utils import embeddings as emb
from utils.checks import image_embeddings_and_memory as ch
from utils.reference import image_search as ref_knn
from utils.reference import word2vec as ref_w2v


def _stub(*args, **kwargs):
    raise NotImplementedError()


def test_summary_lists_three_exercises():
    from utils.checks import summary
    assert list(summary("07", verbose=False)) == ["07.1", "07.2", "07.3"]


# ---------------------------------------------------------------- 07.1 kNN by cosine
def _unit(m):
    m = np.asarray(m, dtype=float)
    return m / np.linalg.norm(m, axis=1, keepdims=True)


def knn_loop(database, database_labels, queries, k):
    """A plain loop over queries, the nearest-first tie rule by hand: a different right answer."""
    db = _unit(database)
    out = []
    for q in _unit(queries):
        nearest = np.argsort(-(db @ q))[:k]
        labs = [int(database_labels[i]) for i in nearest]
        counts = Counter(labs)
        out.append(next(lab for lab in labs if counts[lab] == max(counts.values())))
    return out


def knn_variant(**change):
    def wrong(database, database_labels, queries, k):
        args = {"k": k, **change}
        kk = args.pop("k")
        if isinstance(kk, str):
            kk = k + int(kk)
        return ch._knn_variant(database, database_labels, queries, kk, **args)
    return wrong


def knn_in_place(database, database_labels, queries, k):
    database /= np.linalg.norm(database, axis=1, keepdims=True)
    return ref_knn.knn_predict(database, database_labels, queries, k)


def knn_neighbour_labels(database, database_labels, queries, k):
    sims = _unit(queries) @ _unit(database).T
    return np.asarray(database_labels)[np.argsort(-sims, axis=1)[:, :k]]


def test_knn_passes_on_reference_and_a_loop():
    assert ch.check_knn_predict(ref_knn.knn_predict) is True
    assert ch.check_knn_predict(knn_loop) is True
    assert ch.check_knn_predict(lambda d, l, q, k: ref_knn.knn_predict(d, l, q, k).astype(float)) is True


@pytest.mark.parametrize("wrong, hint", [
    (knn_variant(score="euclidean"), "Euclidean"),
    (knn_variant(score="dot"), "dot product"),
    (knn_variant(pick="least"), "LEAST similar"),
    (knn_variant(pick="skip_first"), "skipped the most similar"),
    (knn_variant(k="-1"), "6 neighbours: take"),
    (knn_variant(k="+1"), "8 neighbours: take"),
    (knn_variant(tie="none"), "single nearest neighbour"),
    (knn_variant(tie="smallest"), "nearest neighbour among the tied"),
    (knn_variant(tie="farthest"), "farther neighbour"),
    (knn_in_place, "changed its input"),
    (knn_neighbour_labels, "one label per query"),
    (lambda d, l, q, k: None, "returned None"),
    (lambda d, l, q, k: np.full(len(q), 0.5), "int labels"),
], ids=["euclidean", "dot", "least", "skip-first", "k-1", "k+1", "no-vote", "smallest-tie", "farthest-tie",
        "in-place", "neighbour-labels", "none", "floats"])
def test_knn_fails_on_wrong_answers(wrong, hint):
    with pytest.raises(AssertionError, match=hint):
        ch.check_knn_predict(wrong)


@pytest.mark.parametrize("name", list(ch.KNN_MISTAKES))
def test_each_knn_mistake_is_named_on_the_random_data(name):
    """On the random data every mistake gives other labels than the right answer, and the check names it."""
    database, labels, queries = ch.knn_test_data()
    change = dict(ch.KNN_MISTAKE_ARGS[name])
    hint = ch.KNN_MISTAKES[name]
    k = change.pop("k", ch.KNN_K)
    wrong = ch._knn_variant(database, labels, queries, k, **change)
    assert not np.array_equal(wrong, ch._knn_variant(database, labels, queries, ch.KNN_K))

    def wrong_on_random_only(d, l, q, kk):   # right on the small tie example, wrong on the random data
        return ref_knn.knn_predict(d, l, q, kk) if len(q) == 1 else ch._knn_variant(d, l, q, k, **change)
    with pytest.raises(AssertionError) as info:
        ch.check_knn_predict(wrong_on_random_only)
    assert hint in str(info.value)


def test_knn_stub_is_not_attempted():
    with pytest.raises(NotImplementedError, match="07.1"):
        ch.check_knn_predict(_stub)


def test_reference_knn_breaks_ties_with_the_nearest():
    db = np.array([[1.0, 0.0], [1.0, 0.1], [1.0, 0.2], [1.0, 0.3]])
    assert ref_knn.knn_predict(db, np.array([4, 1, 1, 4]), np.array([[1.0, 0.0]]), 4).tolist() == [4]
    assert ref_knn.knn_predict(db, np.array([1, 4, 4, 1]), np.array([[1.0, 0.0]]), 4).tolist() == [1]
    database, labels, queries = ch.knn_test_data(5)
    for k in (1, 4, 7):
        assert np.array_equal(ref_knn.knn_predict(database, labels, queries, k), knn_loop(database, labels, queries, k))


def test_a_small_tie_is_explained():
    def smallest_label(database, database_labels, queries, k):
        if len(queries) > 1:
            return ref_knn.knn_predict(database, database_labels, queries, k)
        return ch._knn_variant(database, database_labels, queries, k, tie="smallest")
    with pytest.raises(AssertionError, match="a 2-2 tie, which goes to the nearest neighbour's label 7; you "
                                             "returned 3"):
        ch.check_knn_predict(smallest_label)


# ---------------------------------------------------------------- 07.2 predict the raw-pixel kNN accuracy
def test_prediction_passes_on_the_letter_that_fits_the_run():
    assert ch.check_pixel_knn_prediction("D", 0.93) is True
    assert ch.check_pixel_knn_prediction(" d ", 0.93) is True
    assert ch.check_pixel_knn_prediction("C", 0.85) is True


@pytest.mark.parametrize("answer, measured, hint", [
    ("A", 0.93, "measured 93.0%"),
    ("C", 0.93, "centred"),
    ("E", 0.93, "one of the letters"),
    (3, 0.93, "one of the letters"),
], ids=["A", "C", "E", "number"])
def test_prediction_fails_on_wrong_letters(answer, measured, hint):
    with pytest.raises(AssertionError, match=hint) as info:
        ch.check_pixel_knn_prediction(answer, measured)
    assert "choose D" not in str(info.value)


def test_prediction_none_is_not_attempted_and_a_bad_measurement_is_an_error():
    with pytest.raises(NotImplementedError, match="07.2"):
        ch.check_pixel_knn_prediction(None, 0.93)
    with pytest.raises(ValueError, match="fraction"):
        ch.check_pixel_knn_prediction("D", 93.0)


# ---------------------------------------------------------------- 07.3 sentence vector
def sv_with_stop_words(sentence, word_index, vectors, stop_words):
    rows = [word_index[w] for w in emb.tokenize(sentence) if w in word_index]
    if not rows:
        raise ValueError("none")
    return vectors[rows].mean(axis=0)


def sv_sum(sentence, word_index, vectors, stop_words):
    return ref_w2v.sentence_vector(sentence, word_index, vectors, stop_words) * len(
        [w for w in emb.tokenize(sentence) if w in word_index and w not in stop_words])


def sv_set(sentence, word_index, vectors, stop_words):
    rows = sorted({word_index[w] for w in emb.tokenize(sentence) if w in word_index and w not in stop_words})
    if not rows:
        raise ValueError("none")
    return vectors[rows].mean(axis=0)


def sv_key_error(sentence, word_index, vectors, stop_words):
    rows = [word_index[w] for w in emb.tokenize(sentence) if w not in stop_words]
    if not rows:
        raise ValueError("none")
    return vectors[rows].mean(axis=0)


def sv_split(sentence, word_index, vectors, stop_words):
    rows = [word_index[w] for w in sentence.split() if w in word_index and w not in stop_words]
    if not rows:
        raise ValueError("none")
    return vectors[rows].mean(axis=0)


def sv_no_error(sentence, word_index, vectors, stop_words):
    rows = [word_index[w] for w in emb.tokenize(sentence) if w in word_index and w not in stop_words]
    return vectors[rows].sum(axis=0) / max(len(rows), 1)


def sv_index_error(sentence, word_index, vectors, stop_words):
    rows = [word_index[w] for w in emb.tokenize(sentence) if w in word_index and w not in stop_words]
    return vectors[rows[0]] if len(rows) == 1 else vectors[rows].mean(axis=0)


def sv_in_place(sentence, word_index, vectors, stop_words):
    vectors *= 1.0
    vectors[0] = 0.0
    return ref_w2v.sentence_vector(sentence, word_index, vectors, stop_words)


def test_sentence_vector_passes_on_reference():
    assert ch.check_sentence_vector(ref_w2v.sentence_vector) is True


@pytest.mark.parametrize("wrong, hint", [
    (sv_with_stop_words, "stop words were averaged"),
    (sv_sum, "sum of the word vectors"),
    (sv_set, "count twice"),
    (sv_key_error, "KeyError"),
    (sv_split, "emb.tokenize"),
    (sv_no_error, "raise ValueError"),
    (sv_index_error, "raise ValueError"),
    (sv_in_place, "changed the `vectors`"),
    (lambda s, i, v, sw: None, "returned None"),
    (lambda s, i, v, sw: v.mean(axis=0)[None, :], "shape"),
], ids=["stop-words", "sum", "set", "key-error", "split", "no-error", "index-error", "in-place", "none", "2d"])
def test_sentence_vector_fails_on_wrong_answers(wrong, hint):
    with pytest.raises(AssertionError, match=hint):
        ch.check_sentence_vector(wrong)


def test_sentence_vector_stub_is_not_attempted():
    with pytest.raises(NotImplementedError, match="07.3"):
        ch.check_sentence_vector(_stub)


# ---------------------------------------------------------------- reference word2vec (fallback for 06's export)
def test_reference_word2vec_learns_and_is_seeded():
    pytest.importorskip("keras")
    rng = np.random.default_rng(0)
    # a toy corpus with two topics: words of one topic appear near each other
    topics = [["sun", "moon", "star", "sky"], ["bread", "cheese", "wine", "meat"]]
    tokens = [w for _ in range(150) for t in topics for w in rng.choice(t, size=6)]
    kwargs = dict(dim=8, min_count=1, t=1.0, epochs=2, batch_size=512, learning_rate=0.05, seed=3)
    vocab, vectors = ref_w2v.train_word2vec(tokens, **kwargs)
    assert vocab.words[0] == emb.PAD and vectors.shape == (len(vocab), 8) and vectors.dtype == np.float32
    unit = _unit(vectors[1:])
    same = unit[vocab.id_of("sun") - 1] @ unit[vocab.id_of("moon") - 1]
    other = unit[vocab.id_of("sun") - 1] @ unit[vocab.id_of("bread") - 1]
    assert same > other + 0.3, (same, other)
    _, again = ref_w2v.train_word2vec(tokens, **kwargs)
    assert np.allclose(again, vectors, atol=1e-4)
