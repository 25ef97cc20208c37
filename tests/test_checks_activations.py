"""Checks of notebook 02: each passes on a right answer, fails on plausible wrong ones, and reports a stub."""
import numpy as np
import pytest

from utils.checks import activations


def _stub(*args, **kwargs):
    raise NotImplementedError()


# ---------------------------------------------------------------- 02.1 ReLU derivative
def test_relu_derivative_passes_on_right_answer():
    assert activations.check_relu_derivative(lambda z: (z > 0).astype(float)) is True


@pytest.mark.parametrize("wrong", [
    lambda z: np.maximum(z, 0),              # returned ReLU itself
    lambda z: np.ones_like(z),               # slope 1 everywhere
    lambda z: (z < 0).astype(float),         # flipped
    lambda z: np.where(z > 0, 1.0, 0.01),    # leaky ReLU's derivative
    lambda z: float(np.mean(z > 0)),         # collapsed the shape
], ids=["relu-itself", "ones", "flipped", "leaky", "scalar"])
def test_relu_derivative_fails_on_wrong_answers(wrong):
    with pytest.raises(AssertionError):
        activations.check_relu_derivative(wrong)


def test_relu_derivative_stub_is_not_attempted():
    with pytest.raises(NotImplementedError, match="02.1"):
        activations.check_relu_derivative(_stub)


# ---------------------------------------------------------------- 02.2 softmax
def softmax_right(z):
    z = np.asarray(z, dtype=float)
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def test_softmax_passes_on_right_answer():
    assert activations.check_softmax(softmax_right) is True


def softmax_naive(z):
    e = np.exp(np.asarray(z, dtype=float))
    return e / e.sum(axis=-1, keepdims=True)


def softmax_wrong_axis(z):
    z = np.asarray(z, dtype=float)
    e = np.exp(z - z.max())
    return e / e.sum(axis=0, keepdims=True)


def softmax_global_sum(z):
    z = np.asarray(z, dtype=float)
    e = np.exp(z - z.max())
    return e / e.sum()


def softmax_no_exp(z):
    z = np.asarray(z, dtype=float) - np.min(z, axis=-1, keepdims=True)
    return z / z.sum(axis=-1, keepdims=True)


@pytest.mark.parametrize("wrong", [softmax_naive, softmax_wrong_axis, softmax_global_sum, softmax_no_exp],
                         ids=["unstable", "axis-0", "global-sum", "no-exp"])
def test_softmax_fails_on_wrong_answers(wrong):
    with pytest.raises(AssertionError):
        activations.check_softmax(wrong)


def test_softmax_stub_is_not_attempted():
    with pytest.raises(NotImplementedError, match="02.2"):
        activations.check_softmax(_stub)


# ---------------------------------------------------------------- 02.3 dense forward
def test_dense_forward_passes_on_right_answer():
    assert activations.check_dense_forward(lambda X, W, b, act: act(X @ W + b)) is True


@pytest.mark.parametrize("wrong", [
    lambda X, W, b, act: act(X @ W),             # forgot the bias
    lambda X, W, b, act: X @ W + b,              # forgot the activation
    lambda X, W, b, act: act(W.T @ X.T + b[:, None]),  # column convention: transposed output
    lambda X, W, b, act: act(X @ W + b)[0],      # returned one example
], ids=["no-bias", "no-activation", "transposed", "first-row"])
def test_dense_forward_fails_on_wrong_answers(wrong):
    with pytest.raises(AssertionError):
        activations.check_dense_forward(wrong)


def test_dense_forward_stub_is_not_attempted():
    with pytest.raises(NotImplementedError, match="02.3"):
        activations.check_dense_forward(_stub)


# ---------------------------------------------------------------- hints name what came back (None, NaN)
@pytest.mark.parametrize("check, wrong, hint", [
    (activations.check_relu_derivative, lambda z: None,
     r"relu_derivative\(z\): your function returned None, expected an array of 0s and 1s of shape \(7, 5\)\. "
     r"Did you forget `return`"),
    (activations.check_softmax, lambda z: None, r"softmax of a vector: your function returned None"),
    (activations.check_softmax, lambda z: np.exp(z) / np.zeros_like(z) * 0, r"softmax of a vector: your function "
                                                                            r"returned NaN in 5 of 5 entries"),
    (activations.check_dense_forward, lambda X, W, b, act: None, r"dense_forward with the identity: your function "
                                                                 r"returned None, expected an array of shape \(5, 4\)"),
], ids=["relu-none", "softmax-none", "softmax-nan", "dense-none"])
def test_hints_say_what_was_returned(check, wrong, hint):
    with np.errstate(all="ignore"), pytest.raises(AssertionError, match=hint) as info:
        check(wrong)
    assert "contains NaN or inf" not in str(info.value)
