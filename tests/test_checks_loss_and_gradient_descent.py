"""Checks of notebook 03: each passes on a right answer, fails on plausible wrong ones, and reports a stub."""
import functools

import numpy as np
import pytest

from utils.checks import loss_and_gradient_descent as gd
from utils.reference import optim


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


# ---------------------------------------------------------------- 03.2 mini-batch SGD with momentum
def sgd_right(grad_fn, w0, X, y, lr, epochs, batch_size=32, beta=0.9, seed=0, *, variant=""):
    """The right answer, or (``variant``) one plausible mistake."""
    rng = np.random.default_rng(seed) if variant != "global-rng" else np.random
    w = w0 if variant == "in-place" else np.array(w0, dtype=float)
    v = np.zeros_like(w)
    path, losses = [w.copy()], []
    order = rng.permutation(len(X))
    per_epoch = -(-len(X) // batch_size)
    for _ in range(epochs):
        if variant == "no-shuffle":
            order = np.arange(len(X))
        elif variant != "shuffle-once":
            order = rng.permutation(len(X))
        if variant == "reset-v":
            v = np.zeros_like(w)
        stop = len(X) - len(X) % batch_size if variant == "drop-last" else len(X)
        for start in range(0, stop, batch_size):
            idx = order[start:start + batch_size]
            targets = y[start:start + len(idx)] if variant == "unpaired-y" else y[idx]
            loss, g = grad_fn(w, X[idx], targets)
            if variant == "ascent":
                g = -g
            if variant == "ema":
                v = beta * v + (1 - beta) * g
            elif variant == "no-momentum":
                v = g
            else:
                v = beta * v + g
            if variant == "in-place":
                w -= lr * v
            else:
                w = w - lr * v
            path.append(w.copy())
            losses.append(loss if variant != "wrong-loss" else (float(loss) + 1.0))
        if variant == "loss-per-epoch":
            losses[-per_epoch:] = [np.mean(losses[-per_epoch:])]
    if variant == "no-start":
        path = path[1:]
    return np.array(path), np.array(losses)


def sgd_lr_inside(grad_fn, w0, X, y, lr, epochs, batch_size=32, beta=0.9, seed=0):
    """v = beta v - lr g; w = w + v: the same path when lr is constant."""
    rng = np.random.default_rng(seed)
    w, v = np.array(w0, dtype=float), np.zeros(len(w0))
    path, losses = [w.copy()], []
    for _ in range(epochs):
        order = rng.permutation(len(X))
        for start in range(0, len(X), batch_size):
            idx = order[start:start + batch_size]
            loss, g = grad_fn(w, X[idx], y[idx])
            v = beta * v - lr * g
            w = w + v
            path.append(w)
            losses.append(loss)
    return np.array(path), np.array(losses)


@pytest.mark.parametrize("right", [sgd_right, sgd_lr_inside, optim.sgd_momentum],
                         ids=["lr-outside", "lr-inside", "course-reference"])
def test_sgd_passes_on_right_answers(right):
    assert gd.check_sgd_momentum(right) is True


@pytest.mark.parametrize("variant, hint", [
    ("ascent", r"went uphill"),
    ("no-shuffle", r"stored order: shuffle"),
    ("shuffle-once", r"every epoch used the same order"),
    ("drop-last", r"called 9 times; keep the last, smaller batch"),
    ("unpaired-y", r"targets of batch \d+ do not belong to its inputs"),
    ("ema", r"moving average"),
    ("no-momentum", r"only the current gradient"),
    ("reset-v", r"do not reset v each epoch"),
    ("wrong-loss", r"losses\[t\] must be the loss grad_fn returned for update t"),
    ("loss-per-epoch", r"losses has shape \(3,\), expected \(12,\): one loss per update"),
    ("in-place", r"changed w0 in place"),
    ("global-rng", r"same seed differ"),
    ("no-start", r"path has shape \(5, 3\), expected \(5, 3\)|path has shape \(4, 3\)"),
])
def test_sgd_fails_on_wrong_answers_with_a_hint(variant, hint):
    wrong = functools.partial(sgd_right, variant=variant)
    with pytest.raises(AssertionError, match=hint):
        gd.check_sgd_momentum(wrong)


def test_sgd_stub_is_not_attempted():
    with pytest.raises(NotImplementedError, match="03.2"):
        gd.check_sgd_momentum(_stub)


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
    (lambda grad_fn, w0, X, y, lr, epochs, batch_size=32, beta=0.9, seed=0: None,
     r"sgd_momentum\(.*\) returned None, expected a pair \(path, losses\): did you forget `return`"),
    (lambda grad_fn, w0, X, y, lr, epochs, batch_size=32, beta=0.9, seed=0:
     (np.full((epochs + 1, 3), np.nan), np.zeros(epochs)), r"path from .*returned NaN in 15 of 15 entries"),
    (lambda grad_fn, w0, X, y, lr, epochs, batch_size=32, beta=0.9, seed=0: np.zeros((epochs + 1, 3)),
     r"must return a pair \(path, losses\), got ndarray"),
], ids=["none", "nan", "path-only"])
def test_sgd_hint_says_what_was_returned(wrong, hint):
    with pytest.raises(AssertionError, match=hint):
        gd.check_sgd_momentum(wrong)


@pytest.mark.parametrize("wrong, hint", [
    (lambda X, y, w, b: None, r"mse_gradient returned None, expected a pair \(grad_w, grad_b\): did you forget "
                              r"`return`"),
    (lambda X, y, w, b: (np.full(3, np.nan), 0.0), r"grad_w: your function returned NaN in 3 of 3 entries .*0/0"),
    (lambda X, y, w, b: (mse_gradient_right(X, y, w, b)[0], None), r"grad_b: your function returned None"),
], ids=["none", "nan-grad-w", "none-grad-b"])
def test_mse_gradient_hint_says_what_was_returned(wrong, hint):
    with pytest.raises(AssertionError, match=hint):
        gd.check_mse_gradient(wrong)


# ---------------------------------------------------------------- 03.4 a learning rate for a step budget
def test_learning_rate_passes_on_sensible_choices():
    for chosen, diverges in [(0.06, 0.12), (0.08, 0.15), (0.1, 0.114)]:
        assert gd.check_learning_rate(chosen, diverges) is True


@pytest.mark.parametrize("chosen, diverges, hint", [
    (0.01, 0.12, r"still 1\.\d+ after 30 steps .*too slowly for the budget; try larger"),
    (0.04, 0.12, r"too slowly for the budget; try larger"),
    (0.11, 0.12, r"overshoots along the steep direction .*somewhat smaller"),
    (0.3, 0.5, r"too large: the loss grew .*try smaller"),
    (0.08, 0.1, r"lr_diverges = 0\.1 does not diverge"),
    (0.08, 1.0, r"so does any rate that large: find the edge"),
    ("0.08", 0.12, r"lr_chosen must be one number"),
    (0.08, -1.0, r"lr_diverges must be a positive number"),
    (np.nan, 0.12, r"lr_chosen must be a positive number"),
    (True, 0.12, r"lr_chosen must be one number"),
], ids=["far-too-small", "too-small", "oscillates", "diverges", "not-diverging", "far-past-the-edge", "string",
        "negative", "nan", "bool"])
def test_learning_rate_fails_on_wrong_choices_with_a_hint(chosen, diverges, hint):
    with pytest.raises(AssertionError, match=hint):
        gd.check_learning_rate(chosen, diverges)


@pytest.mark.parametrize("chosen, diverges", [(None, None), (0.08, None), (None, 0.12)])
def test_learning_rate_left_as_none_is_not_attempted(chosen, diverges):
    with pytest.raises(NotImplementedError, match="03.4"):
        gd.check_learning_rate(chosen, diverges)


def test_learning_rate_window_is_narrow_and_measured_by_training():
    """The target is reachable only between about 0.054 and 0.107, and the edge of stability is 2 / (largest
    curvature of the loss), computed here from the data: the check measures what the theory says."""
    X, y = gd.linear_task()
    Xa = np.c_[X, np.ones(len(X))]
    edge = 2 / np.linalg.eigvalsh(2 * Xa.T @ Xa / len(y))[-1]
    assert abs(edge - 0.1122) < 1e-3
    reaches = lambda lr: gd._linear_losses(lr)[-1] <= gd.LR_TARGET  # noqa: E731
    assert [reaches(lr) for lr in (0.05, 0.055, 0.08, 0.106, 0.108, edge)] == [False, True, True, True, False, False]
    assert gd._linear_losses(1.01 * edge)[-1] > gd._linear_losses(0.0, 0)[0]


# ---------------------------------------------------------------- the course's references pass their own checks
def test_references_pass_the_checks():
    assert gd.check_binary_cross_entropy(optim.binary_cross_entropy) is True
    assert gd.check_mse_gradient(optim.mse_gradient) is True


def test_reference_optimisers_take_the_documented_first_steps():
    g = lambda w: np.array([1.0, 50.0]) * w  # noqa: E731
    w0 = np.array([-2.5, 1.5])
    np.testing.assert_allclose(optim.gradient_descent(g, w0, 0.01, 1)[1], w0 - 0.01 * g(w0))
    np.testing.assert_allclose(optim.momentum(g, w0, 0.01, 2, beta=0.9)[2],
                               (p1 := w0 - 0.01 * g(w0)) - 0.01 * (0.9 * g(w0) + g(p1)))
    np.testing.assert_allclose(optim.adam(g, w0, 0.1, 1)[1], w0 - 0.1 * np.sign(g(w0)), rtol=1e-6)
    np.testing.assert_allclose(optim.rmsprop(g, w0, 0.1, 1, rho=0.9)[1], w0 - 0.1 * np.sign(g(w0)) / np.sqrt(0.1),
                               rtol=1e-6)
    for opt, lr in [(optim.gradient_descent, 0.03), (optim.momentum, 0.005), (optim.rmsprop, 0.05),
                    (optim.adam, 0.05)]:
        path = opt(g, w0, lr, 300)
        assert path.shape == (301, 2) and np.array_equal(path[0], w0)
        assert np.sum(path[-1] ** 2) < 0.1 * np.sum(w0 ** 2), opt.__name__
