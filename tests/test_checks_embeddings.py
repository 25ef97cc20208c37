"""Checks of notebook 06: each passes on a right answer, fails on plausible wrong ones, and reports a stub."""
import numpy as np
import pytest

from utils.checks import embeddings as ch


def _stub(*args, **kwargs):
    raise NotImplementedError()


def _unit(m):
    m = np.asarray(m, dtype=float)
    return m / np.linalg.norm(m, axis=-1, keepdims=True)


# ---------------------------------------------------------------- 06.1 cosine similarity
def cosine_right(a, b):
    a, b = np.asarray(a, float), np.asarray(b, float)
    return float(a @ b / (np.linalg.norm(a) * np.linalg.norm(b)))


def test_cosine_passes_on_right_answer():
    assert ch.check_cosine_similarity(cosine_right) is True
    assert ch.check_cosine_similarity(lambda a, b: np.dot(_unit(a), _unit(b))) is True


@pytest.mark.parametrize("wrong", [
    lambda a, b: float(np.dot(a, b)),                                     # no normalisation
    lambda a, b: float(np.dot(a, b) / np.linalg.norm(a)),                 # one norm only
    lambda a, b: float(np.dot(a, b) / (np.linalg.norm(a) + np.linalg.norm(b))),  # sum of norms
    lambda a, b: float(np.linalg.norm(np.asarray(a) - np.asarray(b))),    # Euclidean distance
    lambda a, b: 1 - cosine_right(a, b),                                  # cosine distance
    lambda a, b: abs(cosine_right(a, b)),                                 # loses the sign
    lambda a, b: np.asarray(a) * np.asarray(b),                           # element-wise, not a number
], ids=["dot", "one-norm", "sum-norms", "euclid", "distance", "abs", "elementwise"])
def test_cosine_fails_on_wrong_answers(wrong):
    with pytest.raises(AssertionError):
        ch.check_cosine_similarity(wrong)


def test_cosine_stub_is_not_attempted():
    with pytest.raises(NotImplementedError, match="06.1"):
        ch.check_cosine_similarity(_stub)


# ---------------------------------------------------------------- 06.2 nearest neighbours
def nn_right(word, words, vectors, k=5):
    unit = _unit(vectors)
    sims = unit @ unit[words.index(word)]
    order = [i for i in np.argsort(-sims) if words[i] != word][:k]
    return [(words[i], float(sims[i])) for i in order]


def nn_dot(word, words, vectors, k=5):
    v = np.asarray(vectors, float)
    sims = v @ v[words.index(word)]
    order = [i for i in np.argsort(-sims) if words[i] != word][:k]
    return [(words[i], float(sims[i])) for i in order]


def nn_euclid(word, words, vectors, k=5):
    v = np.asarray(vectors, float)
    d = np.linalg.norm(v - v[words.index(word)], axis=1)
    order = [i for i in np.argsort(d) if words[i] != word][:k]
    return [(words[i], float(-d[i])) for i in order]


def nn_with_self(word, words, vectors, k=5):
    unit = _unit(vectors)
    sims = unit @ unit[words.index(word)]
    return [(words[i], float(sims[i])) for i in np.argsort(-sims)[:k]]


def nn_ascending(word, words, vectors, k=5):
    return nn_right(word, words, vectors, k)[::-1]


def nn_words_only(word, words, vectors, k=5):
    return [w for w, _ in nn_right(word, words, vectors, k)]


def test_nn_passes_on_right_answer():
    assert ch.check_nearest_neighbours(nn_right) is True


@pytest.mark.parametrize("wrong", [nn_dot, nn_euclid, nn_with_self, nn_ascending, nn_words_only],
                         ids=["dot", "euclid", "self", "ascending", "words-only"])
def test_nn_fails_on_wrong_answers(wrong):
    with pytest.raises(AssertionError):
        ch.check_nearest_neighbours(wrong)


def test_nn_stub_is_not_attempted():
    with pytest.raises(NotImplementedError, match="06.2"):
        ch.check_nearest_neighbours(_stub)


# ---------------------------------------------------------------- 06.3 recall ranking
def rank_right(query, memory_vectors, k):
    sims = _unit(memory_vectors) @ _unit(query)
    return list(np.argsort(-sims)[:k])


@pytest.mark.parametrize("wrong", [
    lambda q, m, k: list(np.argsort(-(np.asarray(m) @ q))[:k]),              # dot product
    lambda q, m, k: list(np.argsort(_unit(m) @ _unit(q))[:k]),               # worst first
    lambda q, m, k: list(np.argsort(np.linalg.norm(m - q, axis=1))[:k]),     # Euclidean
    lambda q, m, k: list(np.argsort(-(_unit(m) @ _unit(q)))),                # ignores k
], ids=["dot", "ascending", "euclid", "ignores-k"])
def test_rank_fails_on_wrong_answers(wrong):
    with pytest.raises(AssertionError):
        ch.check_rank_memories(wrong)


def test_rank_passes_on_right_answer():
    assert ch.check_rank_memories(rank_right) is True
    assert ch.check_rank_memories(lambda q, m, k: np.argsort(-(_unit(m) @ _unit(q)))[:k]) is True


def test_rank_stub_is_not_attempted():
    with pytest.raises(NotImplementedError, match="06.3"):
        ch.check_rank_memories(_stub)


def test_summary_lists_three_exercises():
    from utils.checks import summary
    assert set(summary("06", verbose=False)) == {"06.1", "06.2", "06.3"}


# ---------------------------------------------------------------- hints name what came back (None, NaN)
@pytest.mark.parametrize("check, wrong, hint", [
    (ch.check_cosine_similarity, lambda a, b: None, r"cosine_similarity for parallel vectors .*: your function "
                                                    r"returned None, expected one number in \[-1, 1\]\. Did you "
                                                    r"forget `return`"),
    (ch.check_cosine_similarity, lambda a, b: float(a @ b) * np.nan, r"returned NaN \(not a number\), expected one "
                                                                     r"number in \[-1, 1\]\. Look for log\(0\) or 0/0"),
    (ch.check_nearest_neighbours, lambda word, words, vectors, k=5: None,
     r"nearest_neighbours returned None, expected a list of \(word, similarity\) pairs: did you forget `return`"),
    (ch.check_rank_memories, lambda query, memory_vectors, k: None,
     r"rank_memories returned None, expected the indices of the k best rows: did you forget `return`"),
], ids=["cosine-none", "cosine-nan", "nn-none", "rank-none"])
def test_hints_say_what_was_returned(check, wrong, hint):
    with pytest.raises(AssertionError, match=hint) as info:
        check(wrong)
    assert "Did you divide the dot product" not in str(info.value)
