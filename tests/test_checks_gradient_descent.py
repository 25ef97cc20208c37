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


# ---------------------------------------------------------------- hints name what came back (None, NaN, inf)
def bce_nan(y, p):
    return -np.mean(y * np.log(p - 1) + (1 - y) * np.log(1 - p))  # log of a negative number: NaN


@pytest.mark.parametrize("wrong, hint", [
    (lambda y, p: None, r"returned None, expected one positive number \(the mean loss\)\. Did you forget `return`"),
    (bce_nan, r"returned NaN \(not a number\), expected one positive number .*Look for log\(0\) or 0/0"),
    (lambda y, p: np.inf, r"returned inf, expected one positive number .*Look for log\(0\)"),
], ids=["none", "nan", "inf"])
def test_bce_hint_says_what_was_returned_not_the_minus_sign(wrong, hint):
    with np.errstate(all="ignore"), pytest.raises(AssertionError, match=hint) as info:
        gd.check_binary_cross_entropy(wrong)
    assert "minus sign" not in str(info.value)


def test_bce_negative_loss_still_blames_the_minus_sign():
    with pytest.raises(AssertionError, match=r"negative or zero \(-0\.\d+, expected 0\.\d+\): did you forget the "
                                             r"minus sign"):
        gd.check_binary_cross_entropy(lambda y, p: -bce_right(y, p))


@pytest.mark.parametrize("wrong, hint", [
    (lambda grad_fn, x0, lr, steps, beta=0.9: None, r"momentum_descent\(.*\): your function returned None, expected "
                                                    r"the path, an array of shape \(6, 2\)\. Did you forget `return`"),
    (lambda grad_fn, x0, lr, steps, beta=0.9: np.full((steps + 1, 2), np.nan), r"returned NaN in 12 of 12 entries"),
], ids=["none", "nan"])
def test_momentum_hint_says_what_was_returned(wrong, hint):
    with pytest.raises(AssertionError, match=hint):
        gd.check_momentum_descent(wrong)


@pytest.mark.parametrize("wrong, hint", [
    (lambda X, y, w, b: None, r"mse_gradient returned None, expected a pair \(grad_w, grad_b\): did you forget "
                              r"`return`"),
    (lambda X, y, w, b: (np.full(3, np.nan), 0.0), r"grad_w: your function returned NaN in 3 of 3 entries .*0/0"),
    (lambda X, y, w, b: (mse_gradient_right(X, y, w, b)[0], None), r"grad_b: your function returned None"),
], ids=["none", "nan-grad-w", "none-grad-b"])
def test_mse_gradient_hint_says_what_was_returned(wrong, hint):
    with pytest.raises(AssertionError, match=hint):
        gd.check_mse_gradient(wrong)
