"""Checks of notebook 01: each passes on a right answer, fails on plausible wrong ones, and reports a stub."""
import numpy as np
import pytest

from utils.checks import perceptron


def _stub(*args, **kwargs):
    raise NotImplementedError()


def predict_right(X, w, b):
    return (np.asarray(X) @ np.asarray(w) + b >= 0).astype(int)


# ---------------------------------------------------------------- 01.1 prediction
def test_predict_passes_on_right_answer():
    assert perceptron.check_perceptron_predict(predict_right) is True


def test_predict_passes_with_where_and_floats():
    assert perceptron.check_perceptron_predict(lambda X, w, b: np.where(X @ w + b >= 0, 1.0, 0.0)) is True


@pytest.mark.parametrize("wrong", [
    lambda X, w, b: (X @ w + b < 0).astype(int),       # sign flipped
    lambda X, w, b: (X @ w >= 0).astype(int),          # forgot the bias
    lambda X, w, b: (X @ w - b >= 0).astype(int),      # bias subtracted
    lambda X, w, b: X @ w + b,                         # no activation
    lambda X, w, b: (X @ w + b > 0).astype(int),       # z = 0 gives 0
    lambda X, w, b: np.sign(X @ w + b),                # -1/+1 instead of 0/1
    lambda X, w, b: (X.sum(axis=1) + b >= 0).astype(int),  # ignores the weights
], ids=["flipped", "no-bias", "minus-bias", "no-step", "strict", "sign", "no-weights"])
def test_predict_fails_on_wrong_answers(wrong):
    with pytest.raises(AssertionError):
        perceptron.check_perceptron_predict(wrong)


def test_predict_stub_is_not_attempted():
    with pytest.raises(NotImplementedError, match="01.1"):
        perceptron.check_perceptron_predict(_stub)


# ---------------------------------------------------------------- 01.2 learning rule
def update_right(w, b, x, y, lr):
    y_hat = int(np.dot(w, x) + b >= 0)
    err = y - y_hat
    return w + lr * err * x, b + lr * err


def test_update_passes_on_right_answer():
    assert perceptron.check_perceptron_update(update_right) is True


def update_sign_error(w, b, x, y, lr):
    y_hat = int(np.dot(w, x) + b >= 0)
    err = y_hat - y
    return w + lr * err * x, b + lr * err


def update_no_bias(w, b, x, y, lr):
    y_hat = int(np.dot(w, x) + b >= 0)
    return w + lr * (y - y_hat) * x, b


def update_always(w, b, x, y, lr):          # moves even when right
    return w + lr * (2 * y - 1) * x, b + lr * (2 * y - 1)


def update_in_place(w, b, x, y, lr):
    y_hat = int(np.dot(w, x) + b >= 0)
    w += lr * (y - y_hat) * x
    return w, b + lr * (y - y_hat)


def update_no_lr(w, b, x, y, lr):
    y_hat = int(np.dot(w, x) + b >= 0)
    return w + (y - y_hat) * x, b + (y - y_hat)


@pytest.mark.parametrize("wrong", [update_sign_error, update_no_bias, update_always, update_in_place, update_no_lr,
                                   lambda w, b, x, y, lr: w],
                         ids=["sign-error", "no-bias", "always-moves", "in-place", "ignores-lr", "not-a-pair"])
def test_update_fails_on_wrong_answers(wrong):
    with pytest.raises(AssertionError):
        perceptron.check_perceptron_update(wrong)


def test_sign_error_also_fails_to_learn_and():
    errors = perceptron._train(update_sign_error, "AND", epochs=20, lr=1.0)
    assert errors[-1] > 0
    assert perceptron._train(update_right, "AND", epochs=20, lr=1.0)[-1] == 0


def test_update_stub_is_not_attempted():
    with pytest.raises(NotImplementedError, match="01.2"):
        perceptron.check_perceptron_update(_stub)


# ---------------------------------------------------------------- 01.3 NAND
def test_nand_passes_on_right_answers():
    assert perceptron.check_nand_weights(lambda: (np.array([-1.0, -1.0]), 1.5)) is True
    assert perceptron.check_nand_weights(lambda: ([-2, -2], 3)) is True


@pytest.mark.parametrize("wrong", [
    lambda: (np.array([1.0, 1.0]), -1.5),    # AND
    lambda: (np.array([-1.0, -1.0]), 0.5),   # NOR
    lambda: (np.array([1.0, 1.0]), -0.5),    # OR
    lambda: (np.array([-1.0, -1.0, 0.0]), 1.5),  # three weights
    lambda: np.array([-1.0, -1.0, 1.5]),     # not a pair
], ids=["and", "nor", "or", "three-weights", "not-a-pair"])
def test_nand_fails_on_wrong_answers(wrong):
    with pytest.raises(AssertionError):
        perceptron.check_nand_weights(wrong)


def test_nand_stub_is_not_attempted():
    with pytest.raises(NotImplementedError, match="01.3"):
        perceptron.check_nand_weights(_stub)


def update_forgets_return_when_wrong(w, b, x, y, lr):
    y_hat = int(x @ w + b >= 0)
    if y_hat == y:
        return w, b
    w = w + lr * (y - y_hat) * x  # ... and no `return` in this branch


def test_update_hint_names_the_branch_that_returned_none():
    with pytest.raises(AssertionError, match=r"when the prediction is wrong \(predicted 1, y = 0\) your function "
                                             r"returned None, expected the pair \(new_w, new_b\): did you forget "
                                             r"`return` in that case"):
        perceptron.check_perceptron_update(update_forgets_return_when_wrong)
