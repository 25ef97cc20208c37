"""Checks of notebook 03: each passes on a right answer, fails on plausible wrong ones, and reports a stub."""
import numpy as np
import pytest

from utils.checks import gradient_descent as gd


def _stub(*args, **kwargs):
    raise NotImplementedError()


# ---------------------------------------------------------------- 03.1 binary cross-entropy
def bce_right(y, p, eps=1e-7):
    p = np.clip(p, eps, 1 - eps)
    return -np.mean(y * np.log(p) + (1 - y) * np.log(1 - p))


def test_bce_passes_on_right_answer():
    assert gd.check_binary_cross_entropy(bce_right) is True


def bce_unclipped(y, p):
    return -np.mean(y * np.log(p) + (1 - y) * np.log(1 - p))


@pytest.mark.parametrize("wrong", [
    bce_unclipped,                                                     # inf / nan at p = 0 or 1
    lambda y, p: -bce_right(y, p),                                     # lost the minus sign
    lambda y, p: bce_right(y, p) * len(y),                             # sum instead of mean
    lambda y, p: -np.mean(y * np.log(np.clip(p, 1e-7, 1))),            # forgot the (1 - y) term
    lambda y, p: bce_right(y, p, eps=0.05),                            # clipped far too hard
    lambda y, p: -np.mean(y * np.log(np.clip(p, 1e-7, 1 - 1e-7)) + (1 - y) * np.log(np.clip(p, 1e-7, 1 - 1e-7))),
], ids=["no-clip", "no-minus", "sum", "no-negative-term", "eps-too-big", "log-p-twice"])
def test_bce_fails_on_wrong_answers(wrong):
    with pytest.raises(AssertionError):
        gd.check_binary_cross_entropy(wrong)


def test_bce_stub_is_not_attempted():
    with pytest.raises(NotImplementedError, match="03.1"):
        gd.check_binary_cross_entropy(_stub)


# ---------------------------------------------------------------- 03.2 momentum descent
def momentum_right(grad_fn, x0, lr, steps, beta=0.9):
    x = np.array(x0, dtype=float)
    v = np.zeros_like(x)
    path = [x.copy()]
    for _ in range(steps):
        v = beta * v + grad_fn(x)
        x = x - lr * v
        path.append(x.copy())
    return np.array(path)


def momentum_other_convention(grad_fn, x0, lr, steps, beta=0.9):
    """v = beta v - lr g; x = x + v: the same path when lr is constant."""
    x = np.array(x0, dtype=float)
    v = np.zeros_like(x)
    path = [x.copy()]
    for _ in range(steps):
        v = beta * v - lr * grad_fn(x)
        x = x + v
        path.append(x.copy())
    return np.array(path)


@pytest.mark.parametrize("right", [momentum_right, momentum_other_convention], ids=["lr-outside", "lr-inside"])
def test_momentum_passes_on_right_answers(right):
    assert gd.check_momentum_descent(right) is True


def momentum_plus(grad_fn, x0, lr, steps, beta=0.9):
    return momentum_right(lambda x: -grad_fn(x), x0, lr, steps, beta)


def momentum_no_start(grad_fn, x0, lr, steps, beta=0.9):
    return momentum_right(grad_fn, x0, lr, steps, beta)[1:]


def momentum_ignores_beta(grad_fn, x0, lr, steps, beta=0.9):
    return momentum_right(grad_fn, x0, lr, steps, 0.0)


def momentum_in_place(grad_fn, x0, lr, steps, beta=0.9):
    x = x0  # no copy: modifies the caller's array, and every row of the path is the same object
    v = np.zeros_like(x)
    path = [x]
    for _ in range(steps):
        v = beta * v + grad_fn(x)
        x -= lr * v
        path.append(x)
    return np.array(path)


@pytest.mark.parametrize("wrong", [momentum_plus, momentum_no_start, momentum_ignores_beta, momentum_in_place],
                         ids=["ascent", "no-start", "no-momentum", "in-place"])
def test_momentum_fails_on_wrong_answers(wrong):
    with pytest.raises(AssertionError):
        gd.check_momentum_descent(wrong)


def test_momentum_stub_is_not_attempted():
    with pytest.raises(NotImplementedError, match="03.2"):
        gd.check_momentum_descent(_stub)


# ---------------------------------------------------------------- 03.3 MSE gradient
def mse_gradient_right(X, y, w, b):
    r = X @ w + b - y
    return 2 * X.T @ r / len(y), 2 * np.mean(r)


def test_mse_gradient_passes_on_right_answer():
    assert gd.check_mse_gradient(mse_gradient_right) is True


@pytest.mark.parametrize("wrong", [
    lambda X, y, w, b: tuple(-g for g in mse_gradient_right(X, y, w, b)),        # sign flipped
    lambda X, y, w, b: tuple(g / 2 for g in mse_gradient_right(X, y, w, b)),     # forgot the 2
    lambda X, y, w, b: (2 * X.T @ (X @ w + b - y), 2 * np.sum(X @ w + b - y)),   # sum, not mean
    lambda X, y, w, b: (2 * X.T @ (X @ w + b - y) / X.size, 2 * np.mean(X @ w + b - y)),  # wrong mean (n*d)
    lambda X, y, w, b: mse_gradient_right(X, y, w, b)[0],                          # only grad_w
], ids=["sign", "no-2", "sum", "mean-over-nd", "not-a-pair"])
def test_mse_gradient_fails_on_wrong_answers(wrong):
    with pytest.raises(AssertionError):
        gd.check_mse_gradient(wrong)


def test_mse_gradient_stub_is_not_attempted():
    with pytest.raises(NotImplementedError, match="03.3"):
        gd.check_mse_gradient(_stub)
