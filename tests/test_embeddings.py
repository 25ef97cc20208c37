"""Tests for utils.embeddings (text, similarity, export): tokeniser, vocabulary, cosine search, PCA, export/import."""
from __future__ import annotations

import json

import numpy as np
import pytest

from utils import embeddings as E
from utils.embeddings import PAD


# ------------------------------------------------------------------------------------------- tokenising
@pytest.mark.parametrize("line", ["KING RICHARD III:", "First Citizen:", "All:", "LADY  CAPULET:",
                                  "Ghost of Prince Edward:", "Senators, &C:", "  ROMEO:  "])
def test_speaker_lines_detected(line):
    assert E.is_speaker_line(line)


@pytest.mark.parametrize("line", ["I'll tell thee what: he's dead.", "", ":", "ROMEO",
                                  "no more talking on't; let it be done: away, away!", "ABC 123:",
                                  "These are seven words and a colon here:"])
def test_non_speaker_lines(line):
    assert not E.is_speaker_line(line)


def test_speaker_rule_needs_block_start():
    assert not E.is_speaker_line("Come:", block_start=False)
    assert not E.is_speaker_line("Say no more:", block_start=False)
    assert E.is_speaker_line("Come:", block_start=True)


def test_tokenize_lowercases_and_keeps_inner_apostrophes():
    assert E.tokenize("Speak, speak! We know't. 'Tis 3 o'clock--KING") == [
        "speak", "speak", "we", "know't", "tis", "o'clock", "king"]


def test_tokenize_play_drops_speaker_lines_only():
    script = "First Citizen:\nBefore we proceed, hear me:\nCome:\n\nAll:\nSpeak, speak.\n"
    assert E.tokenize_play(script) == ["before", "we", "proceed", "hear", "me", "come", "speak", "speak"]
    assert E.tokenize_play(script, drop_speakers=False)[:2] == ["first", "citizen"]


# ------------------------------------------------------------------------------------------- vocabulary
def test_build_vocabulary_orders_by_count_and_reserves_pad():
    tokens = "b a b c b a c a b d".split()
    vocab = E.build_vocabulary(tokens, min_count=2)
    assert vocab.words == (PAD, "b", "a", "c")
    assert vocab.counts.tolist() == [0, 4, 3, 2]
    assert len(vocab) == 4 and "d" not in vocab and PAD not in vocab
    assert vocab.id_of("a") == 2
    np.testing.assert_array_equal(vocab.encode(["a", "d", "b"]), [2, 1])
    assert vocab.decode([1, 3]) == ["b", "c"]


def test_vocabulary_bad_input():
    vocab = E.build_vocabulary(list("aab"), min_count=1)
    with pytest.raises(KeyError, match="zebra"):
        vocab.id_of("zebra")
    with pytest.raises(KeyError):
        vocab.id_of(PAD)


def test_shakespeare_vocabulary_size_is_about_3100():
    from utils import data
    vocab = E.build_vocabulary(E.tokenize_play(data.load_shakespeare()), min_count=5)
    assert 2800 <= len(vocab) - 1 <= 3500
    assert "king" in vocab and "citizen" not in vocab  # "Citizen" appears only in speaker names


# ------------------------------------------------------------------------------------------- similarity
@pytest.fixture
def toy():
    vocab = E.Vocabulary((PAD, "cat", "kitten", "dog", "car"), np.array([0, 5, 5, 5, 5]))
    matrix = np.array([[9.0, 9.0, 9.0],       # PAD: must never be returned
                       [1.0, 0.0, 0.0],
                       [0.9, 0.1, 0.0],       # close to cat
                       [0.5, 0.5, 0.0],
                       [0.0, 100.0, 0.0]])    # huge norm, other direction
    return vocab, matrix


def test_cosine_similarities_and_normalize_rows(toy):
    _, m = toy
    sims = E.cosine_similarities(m, [2.0, 0.0, 0.0])
    assert sims[1] == pytest.approx(1.0) and sims[4] == pytest.approx(0.0)
    np.testing.assert_allclose(np.linalg.norm(E.normalize_rows(m), axis=1), 1.0)
    assert np.all(E.normalize_rows(np.zeros((2, 3))) == 0)
    with pytest.raises(ValueError, match="shape"):
        E.cosine_similarities(m, [1, 0])


def test_top_k():
    assert E.top_k(np.array([0.1, 0.9, 0.5, 0.7]), 2).tolist() == [1, 3]
    assert E.top_k(np.array([0.1, 0.9, 0.5, 0.7]), 2, exclude=[1]).tolist() == [3, 2]
    assert E.top_k(np.array([0.1, 0.9]), 5).tolist() == [1, 0]
    ties = np.array([0.5, 0.9, 0.5, 0.9, 0.5, 0.1, 0.5])
    assert E.top_k(ties, 4).tolist() == [1, 3, 0, 2], "equal values keep their index order"
    assert E.top_k(ties, 3, exclude=[1, 0]).tolist() == [3, 2, 4]
    with pytest.raises(ValueError, match="k must"):
        E.top_k(np.array([1.0]), 0)


def test_nearest_to_vector_is_cosine_and_excludes_pad_and_given_words(toy):
    vocab, m = toy
    got = E.nearest_to_vector(m[vocab.id_of("cat")], vocab, m, k=3, exclude=("cat",))
    assert [w for w, _ in got] == ["kitten", "dog", "car"]
    sims = [s for _, s in got]
    assert sims == sorted(sims, reverse=True)
    with pytest.raises(KeyError, match="zebra"):
        E.nearest_to_vector(m[1], vocab, m, exclude=("zebra",))
    with pytest.raises(ValueError, match="same vocabulary"):
        E.nearest_to_vector(m[1], vocab, m[:3])


def test_what_students_write_is_not_in_utils_embeddings():
    """Notebook 06's exercises (pairs, subsampling, negatives, nearest words) live only in utils.reference."""
    for name in ["skipgram_pairs", "keep_probabilities", "negative_sampling_distribution", "nearest_words"]:
        assert not hasattr(E, name), name


def test_analogy_parallelogram():
    vocab = E.Vocabulary((PAD, "man", "woman", "king", "queen", "apple"), np.array([0, 5, 5, 5, 5, 5]))
    m = np.array([[0, 0, 0], [1, 0, 0], [1, 1, 0], [1, 0, 1], [1, 1, 1], [-1, 0, 0.2]], dtype=float)
    assert E.analogy("man", "king", "woman", vocab, m, k=1)[0][0] == "queen"


def test_pair_similarities(toy):
    vocab, m = toy
    np.testing.assert_allclose(E.pair_similarities([("cat", "car"), ("cat", "cat")], vocab, m), [0.0, 1.0])


# ------------------------------------------------------------------------------------------- PCA
def test_pca_project_finds_the_main_direction():
    rng = np.random.default_rng(0)
    t = rng.normal(size=200)
    x = np.c_[3 * t, 3 * t, 0.01 * rng.normal(size=200)]
    proj, explained = E.pca_project(x, 2)
    assert proj.shape == (200, 2) and explained[0] > 0.99 and explained.sum() <= 1 + 1e-9
    assert abs(np.corrcoef(proj[:, 0], t)[0, 1]) > 0.999


# ------------------------------------------------------------------------------------------- export / import
def test_export_round_trip_tsv_and_json(tmp_path, toy):
    vocab, _ = toy
    rng = np.random.default_rng(0)
    matrix = rng.normal(size=(len(vocab), 7)).astype(np.float32)
    paths = E.export_embeddings(tmp_path, vocab, matrix)
    lines = paths["vectors"].read_text(encoding="utf-8").splitlines()
    assert len(lines) == len(vocab) - 1, "one row per word, no padding row, no header"
    assert all(len(line.split("\t")) == 7 for line in lines)
    assert paths["metadata"].read_text(encoding="utf-8").splitlines() == list(vocab.words[1:])
    assert PAD not in paths["metadata"].read_text(encoding="utf-8")
    for words, vectors in (E.load_embeddings_tsv(tmp_path), E.load_embeddings_json(paths["json"]),
                           E.load_embeddings_json(tmp_path)):
        assert words == list(vocab.words[1:])
        assert vectors.dtype == np.float32 and vectors.shape == (len(vocab) - 1, 7)
        np.testing.assert_allclose(vectors, matrix[1:], atol=1e-6, rtol=0)
    assert json.loads(paths["json"].read_text(encoding="utf-8"))["dim"] == 7


def test_export_bad_input(tmp_path, toy):
    vocab, m = toy
    with pytest.raises(ValueError, match="same vocabulary"):
        E.export_embeddings(tmp_path, vocab, m[:3])
    with pytest.raises(ValueError, match="NaN"):
        E.export_embeddings(tmp_path, vocab, np.full_like(m, np.nan))


def test_interrupted_export_keeps_the_old_files(tmp_path, toy, monkeypatch):
    from utils import files

    vocab, m = toy
    E.export_embeddings(tmp_path, vocab, m)
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir()}

    def interrupted(src, dst):
        raise KeyboardInterrupt

    monkeypatch.setattr(files.os, "replace", interrupted)
    with pytest.raises(KeyboardInterrupt):
        E.export_embeddings(tmp_path, vocab, m + 1.0)
    monkeypatch.undo()
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == before, "old files whole, no temporary left"


def test_loaders_report_bad_files(tmp_path, toy):
    vocab, m = toy
    with pytest.raises(FileNotFoundError, match="metadata.tsv"):
        E.load_embeddings_tsv(tmp_path)
    E.export_embeddings(tmp_path, vocab, m)
    (tmp_path / "metadata.tsv").write_text("cat\n", encoding="utf-8")
    with pytest.raises(ValueError, match="aligned"):
        E.load_embeddings_tsv(tmp_path)
    (tmp_path / "vectors.tsv").write_text("1\t2\nx\t3\n", encoding="utf-8")
    with pytest.raises(ValueError):
        E.load_embeddings_tsv(tmp_path)
    (tmp_path / "vectors.json").write_text("{broken", encoding="utf-8")
    with pytest.raises(ValueError):
        E.load_embeddings_json(tmp_path / "vectors.json")
