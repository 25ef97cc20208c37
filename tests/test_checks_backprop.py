"""Checks of notebook 04: each passes on a right answer, fails on plausible wrong ones, and reports a stub."""
import numpy as np
import pytest

from utils.checks import backprop


# ---------------------------------------------------------------- 04.1 sigmoid backward
def sigmoid_backward_right(dout, cache):
    return dout * cache * (1 - cache)


def test_sigmoid_backward_passes_on_right_answer():
    assert backprop.check_sigmoid_backward(sigmoid_backward_right) is True


@pytest.mark.parametrize("wrong", [
    lambda dout, s: dout * s,                    # forgot (1 - s)
    lambda dout, s: s * (1 - s),                 # forgot the upstream gradient
    lambda dout, s: dout * s * (1 - s) + 1e-3,   # a small systematic error
    lambda dout, s: (dout * s * (1 - s)).sum(),  # summed away the shape
    lambda dout, s: None,                        # forgot return
], ids=["no-1-minus-s", "no-dout", "offset", "summed", "none"])
def test_sigmoid_backward_fails_on_wrong_answers(wrong):
    with pytest.raises(AssertionError):
        backprop.check_sigmoid_backward(wrong)


def test_sigmoid_backward_stub_is_not_attempted():
    def stub(dout, cache):
        raise NotImplementedError()
    with pytest.raises(NotImplementedError):
        backprop.check_sigmoid_backward(stub)


# ---------------------------------------------------------------- 04.2 dense backward
def dense_backward_right(dout, X, W):
    return dout @ W.T, X.T @ dout, dout.sum(axis=0)


def test_dense_backward_passes_on_right_answer():
    assert backprop.check_dense_backward(dense_backward_right) is True


@pytest.mark.parametrize("wrong", [
    lambda dout, X, W: (dout @ W.T, dout.T @ X, dout.sum(axis=0)),           # dW transposed
    lambda dout, X, W: (dout @ W.T, (dout.T @ X).reshape(W.shape), dout.sum(axis=0)),  # transposed, reshaped
    lambda dout, X, W: (dout @ W.T, X.T @ dout, dout),                        # missing sum for db
    lambda dout, X, W: (dout @ W.T, X.T @ dout, dout.mean(axis=0)),           # mean instead of sum
    lambda dout, X, W: (dout @ W.T, X.T @ dout, dout.sum(axis=1)),           # summed over the wrong axis
    lambda dout, X, W: (X.T @ dout, dout.sum(axis=0)),                        # only two results
], ids=["dW-transposed", "dW-transposed-reshaped", "db-no-sum", "db-mean", "db-wrong-axis", "two-results"])
def test_dense_backward_fails_on_wrong_answers(wrong):
    with pytest.raises(AssertionError):
        backprop.check_dense_backward(wrong)


def test_dense_backward_stub_is_not_attempted():
    def stub(dout, X, W):
        raise NotImplementedError()
    with pytest.raises(NotImplementedError):
        backprop.check_dense_backward(stub)


# ---------------------------------------------------------------- 04.3 SGD step
def sgd_step_right(params, grads, lr):
    return {k: params[k] - lr * grads[k] for k in params}


def test_sgd_step_passes_on_right_answer():
    assert backprop.check_sgd_step(sgd_step_right) is True


def _in_place(params, grads, lr):
    for k in params:
        params[k] -= lr * grads[k]
    return params


@pytest.mark.parametrize("wrong", [
    lambda p, g, lr: {k: p[k] + lr * g[k] for k in p},   # uphill
    lambda p, g, lr: {k: p[k] - g[k] for k in p},        # forgot lr
    lambda p, g, lr: {k: p[k] - lr * g[k] for k in ["W"]},  # dropped a parameter
    _in_place,                                           # modified its inputs
], ids=["plus", "no-lr", "missing-key", "in-place"])
def test_sgd_step_fails_on_wrong_answers(wrong):
    with pytest.raises(AssertionError):
        backprop.check_sgd_step(wrong)


def test_sgd_step_stub_is_not_attempted():
    def stub(params, grads, lr):
        raise NotImplementedError()
    with pytest.raises(NotImplementedError):
        backprop.check_sgd_step(stub)


def test_checks_are_registered_for_notebook_04():
    from utils.checks import core
    assert [e.number for e in core.EXERCISES["04"]] == [1, 2, 3]
