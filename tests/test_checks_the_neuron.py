"""Checks of notebook 01: each passes on a right answer, fails on plausible wrong ones, and reports a stub."""
import numpy as np
import pytest

from utils.checks import the_neuron as perceptron
from utils.reference import perceptron as reference


def _stub(*args, **kwargs):
    raise NotImplementedError()


def predict_right(X, w, b):
    return (np.asarray(X) @ np.asarray(w) + b >= 0).astype(int)


# ---------------------------------------------------------------- 01.1 prediction
def test_predict_passes_on_right_answer():
    assert perceptron.check_perceptron_predict(predict_right) is True


def test_predict_passes_with_where_and_floats_and_the_reference():
    assert perceptron.check_perceptron_predict(lambda X, w, b: np.where(X @ w + b >= 0, 1.0, 0.0)) is True
    assert perceptron.check_perceptron_predict(reference.predict) is True


@pytest.mark.parametrize("wrong", [
    lambda X, w, b: (X @ w + b < 0).astype(int),       # sign flipped
    lambda X, w, b: (X @ w >= 0).astype(int),          # forgot the bias
    lambda X, w, b: (X @ w - b >= 0).astype(int),      # bias subtracted
    lambda X, w, b: X @ w + b,                         # no activation
    lambda X, w, b: (X @ w + b > 0).astype(int),       # z = 0 gives 0
    lambda X, w, b: np.sign(X @ w + b),                # -1/+1 instead of 0/1
    lambda X, w, b: (X.sum(axis=1) + b >= 0).astype(int),  # ignores the weights
    lambda X, w, b: (X[:, 0] * w[0] + X[:, 1] * w[1] + b >= 0).astype(int),  # only two inputs
    lambda X, w, b: None,                              # forgot return
    lambda X, w, b: np.full(len(X), np.nan),           # NaN
], ids=["flipped", "no-bias", "minus-bias", "no-step", "strict", "sign", "no-weights", "two-inputs-only", "none",
        "nan"])
def test_predict_fails_on_wrong_answers(wrong):
    with pytest.raises(AssertionError):
        perceptron.check_perceptron_predict(wrong)


def test_predict_none_says_return():
    with pytest.raises(AssertionError, match="returned None"):
        perceptron.check_perceptron_predict(lambda X, w, b: None)


def test_predict_stub_is_not_attempted():
    with pytest.raises(NotImplementedError, match="01.1"):
        perceptron.check_perceptron_predict(_stub)


# ---------------------------------------------------------------- 01.2 training loop
def train_right(X, y, lr=1.0, max_epochs=20):
    w, b = np.zeros(X.shape[1]), 0.0
    mistakes = []
    for _ in range(max_epochs):
        wrong = 0
        for x_i, y_i in zip(X, y):
            y_hat = 1 if x_i @ w + b >= 0 else 0
            if y_hat != y_i:
                w = w + lr * (y_i - y_hat) * x_i
                b = b + lr * (y_i - y_hat)
                wrong += 1
        mistakes.append(wrong)
        if wrong == 0:
            break
    return w, b, mistakes


def _variant(*, start=0.0, strict=False, sign=1, bias=True, use_lr=True, always=False, after=False, stop=True,
             first_only=False, cumulative=False, in_place=False, fixed_d=False, shuffle=False, stale_w=False):
    """train_right with one mistake switched on."""
    def train(X, y, lr=1.0, max_epochs=20):
        w = np.full(2 if fixed_d else X.shape[1], start)
        b = start
        mistakes, total = [], 0
        order = np.random.default_rng(0).permutation(len(X)) if shuffle else np.arange(len(X))
        w_final = w.copy()
        for epoch in range(max_epochs):
            wrong = 0
            for i in order:
                x_i, y_i = X[i], y[i]
                z = x_i @ w + b
                y_hat = int(z > 0) if strict else int(z >= 0)
                err = sign * (y_i - y_hat)
                if always:
                    err = 2 * y_i - 1
                if y_hat != y_i or always:
                    step = (lr if use_lr else 1.0) * err
                    if in_place:
                        X[i] = X[i] * 1.0  # writes into the caller's X
                    w = w + step * x_i
                    b = b + step if bias else b
                    wrong += y_hat != y_i
            if epoch == 0:
                w_final = w.copy()
            errors = int(np.sum((X @ w + b >= 0).astype(int) != y)) if after else wrong
            total += errors
            mistakes.append(total if cumulative else errors)
            if first_only or (stop and errors == 0):
                break
        return (w_final if stale_w else w), b, mistakes
    return train


WRONG_TRAINS = {
    "starts-at-one": _variant(start=1.0),
    "strict-step": _variant(strict=True),
    "sign-error": _variant(sign=-1),
    "no-bias-update": _variant(bias=False),
    "ignores-lr": _variant(use_lr=False),
    "updates-always": _variant(always=True),
    "counts-after-epoch": _variant(after=True),
    "never-stops-early": _variant(stop=False),
    "one-epoch-only": _variant(first_only=True),
    "cumulative-mistakes": _variant(cumulative=True),
    "hard-coded-two-weights": _variant(fixed_d=True),
    "shuffles": _variant(shuffle=True),
    "returns-first-epoch-w": _variant(stale_w=True),
    "returns-none": lambda X, y, lr=1.0, max_epochs=20: None,
    "returns-pair": lambda X, y, lr=1.0, max_epochs=20: train_right(X, y, lr, max_epochs)[:2],
    "nan-weights": lambda X, y, lr=1.0, max_epochs=20: (np.full(X.shape[1], np.nan), 0.0, [0]),
    "mistakes-not-a-list": lambda X, y, lr=1.0, max_epochs=20: (*train_right(X, y, lr, max_epochs)[:2], 3),
}


def test_train_passes_on_right_answer_and_on_the_reference():
    assert perceptron.check_train_perceptron(train_right) is True
    assert perceptron.check_train_perceptron(reference.train_perceptron) is True


@pytest.mark.parametrize("name", list(WRONG_TRAINS))
def test_train_fails_on_wrong_answers(name):
    with pytest.raises(AssertionError):
        perceptron.check_train_perceptron(WRONG_TRAINS[name])


def test_train_fails_when_it_writes_into_X():
    def writes(X, y, lr=1.0, max_epochs=20):
        out = train_right(X, y, lr, max_epochs)
        X[0, 0] = 5.0
        return out
    with pytest.raises(AssertionError, match="changed the X or y"):
        perceptron.check_train_perceptron(writes)


@pytest.mark.parametrize("name, hint", [
    ("counts-after-epoch", "during"),
    ("never-stops-early", "stop .break. right after the first epoch with 0 mistakes"),
    ("one-epoch-only", "training goes on until an epoch has 0 mistakes or max_epochs"),
    ("ignores-lr", "Multiply each update by lr"),
    ("hard-coded-two-weights", "one weight per column of X"),
    ("strict-step", "1 when z >= 0"),
    ("returns-none", "returned None"),
    ("returns-first-epoch-w", "return the weights after the last update"),
])
def test_train_hints_name_the_mistake(name, hint):
    with pytest.raises(AssertionError, match=hint):
        perceptron.check_train_perceptron(WRONG_TRAINS[name])


def test_train_stub_is_not_attempted():
    with pytest.raises(NotImplementedError, match="01.2"):
        perceptron.check_train_perceptron(_stub)


def test_reference_trains_and_gate_as_traced_by_hand():
    X, y = perceptron.logic_gate("AND")
    w, b, mistakes = reference.train_perceptron(X, y)
    assert mistakes == [2, 3, 3, 2, 1, 0] and np.allclose(w, [2, 1]) and b == -3
    assert np.array_equal(reference.predict(X, w, b), y)


def test_reference_rejects_targets_other_than_0_and_1():
    X, _ = perceptron.logic_gate("AND")
    with pytest.raises(ValueError):
        reference.train_perceptron(X, np.array([0, 1, 2, 1]))


# ---------------------------------------------------------------- 01.3 prediction of the epochs
def test_prediction_passes_on_what_the_run_shows():
    X, y = perceptron.logic_gate("AND")
    epochs = len(reference.train_perceptron(X, y, lr=perceptron.PREDICTION_LR, max_epochs=1000)[2])
    assert perceptron.check_epochs_prediction(lambda: epochs) is True
    assert perceptron.check_epochs_prediction(lambda: np.int64(epochs)) is True


@pytest.mark.parametrize("wrong", [lambda: 24, lambda: 1, lambda: 5, lambda: 6.0, lambda: "6", lambda: True,
                                   lambda: None], ids=["4x-more", "one", "off-by-one", "float", "str", "bool", "none"])
def test_prediction_fails_on_wrong_answers(wrong):
    with pytest.raises(AssertionError):
        perceptron.check_epochs_prediction(wrong)


def test_prediction_hint_explains_the_scaling():
    with pytest.raises(AssertionError, match="exactly lr times"):
        perceptron.check_epochs_prediction(lambda: 24)


def test_prediction_stub_is_not_attempted():
    with pytest.raises(NotImplementedError, match="01.3"):
        perceptron.check_epochs_prediction(_stub)


# ---------------------------------------------------------------- 01.4 NAND
def test_nand_passes_on_right_answers():
    assert perceptron.check_nand_weights(lambda: (np.array([-1.0, -1.0]), 1.5)) is True
    assert perceptron.check_nand_weights(lambda: ([-2, -2], 3)) is True


@pytest.mark.parametrize("wrong", [
    lambda: (np.array([1.0, 1.0]), -1.5),    # AND
    lambda: (np.array([-1.0, -1.0]), 0.5),   # NOR
    lambda: (np.array([1.0, 1.0]), -0.5),    # OR
    lambda: (np.array([-1.0, -1.0, 0.0]), 1.5),  # three weights
    lambda: np.array([-1.0, -1.0, 1.5]),     # not a pair
    lambda: None,
    lambda: (np.array([np.nan, -1.0]), 1.5),
    lambda: (np.array([-1.0, -1.0]), float("nan")),
], ids=["and", "nor", "or", "three-weights", "not-a-pair", "none", "nan-weight", "nan-bias"])
def test_nand_fails_on_wrong_answers(wrong):
    with pytest.raises(AssertionError):
        perceptron.check_nand_weights(wrong)


def test_nand_stub_is_not_attempted():
    with pytest.raises(NotImplementedError, match="01.4"):
        perceptron.check_nand_weights(_stub)
