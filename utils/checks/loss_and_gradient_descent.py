"""Checks for notebook 03 (losses and gradient descent): binary cross-entropy, mini-batch SGD with momentum, the
MSE gradient, and a learning rate chosen for a step budget.

Each check computes what is right inside the check, from the definitions, on random inputs, so it tests
behaviour: a loss without the minus sign, without clipping or with a sum instead of a mean fails; an optimiser
that climbs instead of descends, never shuffles (or shuffles once), drops the last batch, pairs inputs with the
wrong targets or forgets its velocity fails, whatever order its random shuffle produced; a gradient with a
missing factor 2, a wrong sign or a wrong mean fails; a learning rate is judged by training with it.
"""
from __future__ import annotations

from typing import Callable

import numpy as np

from utils.checks.asserts import assert_close, assert_finite_result, expect, fail, require_answer
from utils.checks.core import exercise


@exercise("03", 1, "Binary cross-entropy")
def check_binary_cross_entropy(binary_cross_entropy: Callable[[np.ndarray, np.ndarray], float]) -> str:
    """``binary_cross_entropy(y, p)``: the MEAN of -[y log p + (1 - y) log(1 - p)], finite even at p = 0 or 1."""
    rng = np.random.default_rng(5)
    y = rng.integers(0, 2, size=50).astype(np.float64)
    p = rng.uniform(0.02, 0.98, size=50)
    got = assert_finite_result(binary_cross_entropy(y.copy(), p.copy()),
                               "binary_cross_entropy(y, p) with p in [0.02, 0.98]", "one positive number (the mean loss)")
    assert got.size == 1, f"the loss must be one number (the mean over examples), got an array of shape {got.shape}"
    expected = -np.mean(y * np.log(p) + (1 - y) * np.log(1 - p))
    assert float(got) > 0, (f"the loss came out negative or zero ({float(got):.4g}, expected {expected:.4f}): did "
                            f"you forget the minus sign in front of the mean?")
    assert_close(got.reshape(()), expected, "binary_cross_entropy on random labels and probabilities", rtol=1e-5)

    with np.errstate(all="ignore"):
        worst = np.asarray(binary_cross_entropy(np.array([1.0, 0.0]), np.array([0.0, 1.0])), dtype=np.float64)
        perfect = np.asarray(binary_cross_entropy(np.array([1.0, 0.0]), np.array([1.0, 0.0])), dtype=np.float64)
    assert np.all(np.isfinite(worst)) and np.all(np.isfinite(perfect)), (
        "the loss is NaN or inf when p is exactly 0 or 1: clip p to [eps, 1 - eps] (e.g. eps = 1e-7) before the log")
    assert float(worst) > 5, (f"a confident wrong answer (y=1, p=0) must cost a lot (about -log(eps)), got "
                              f"{float(worst):.3g}; is eps too large?")
    assert float(perfect) < 1e-3, f"a perfect prediction (y=1, p=1) must cost about 0, got {float(perfect):.3g}"
    return f"matches the formula ({float(expected):.4f}) and stays finite at p = 0 and 1 (worst case {float(worst):.1f})"


class _Recorder:
    """A ``grad_fn(w, X_batch, y_batch) -> (loss, gradient)`` for linear regression that remembers every call.

    Column 0 of X is each example's row number (not used by the model), so the check can see which examples
    each batch held, whatever random order the student's shuffle drew. The model is w[:2] @ x[1:] + w[2].
    """

    def __init__(self, X: np.ndarray, y: np.ndarray) -> None:
        self.X, self.y = X, y
        self.calls: list[tuple[np.ndarray, np.ndarray, np.ndarray, float, np.ndarray]] = []

    def __call__(self, w: np.ndarray, Xb: np.ndarray, yb: np.ndarray) -> tuple[float, np.ndarray]:
        w = np.array(w, dtype=np.float64)
        Xb, yb = np.asarray(Xb, dtype=np.float64), np.asarray(yb, dtype=np.float64)
        assert Xb.ndim == 2 and Xb.shape[1] == self.X.shape[1] and yb.shape == (len(Xb),), (
            f"grad_fn was called with a batch X of shape {Xb.shape} and y of shape {yb.shape}: pass the rows of "
            f"X and y of one batch, X[idx] and y[idx], shapes (batch, {self.X.shape[1]}) and (batch,)")
        r = Xb[:, 1:] @ w[:2] + w[2] - yb
        loss = float(np.mean(r ** 2))
        grad = np.r_[2 * Xb[:, 1:].T @ r / len(yb), 2 * np.mean(r)]
        self.calls.append((w.copy(), Xb[:, 0].round().astype(int), yb.copy(), loss, grad.copy()))
        return loss, grad


def _sgd_task(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """A small linear-regression set: X of shape (n, 3), column 0 the row number; y of shape (n,)."""
    rng = np.random.default_rng(seed)
    features = rng.normal(size=(n, 2))
    y = features @ np.array([1.5, -2.0]) + 0.3 + 0.1 * rng.normal(size=n)
    return np.c_[np.arange(n, dtype=np.float64), features], y


def _run_sgd(sgd_momentum: Callable[..., tuple[np.ndarray, np.ndarray]], X: np.ndarray, y: np.ndarray,
             w0: np.ndarray, lr: float, epochs: int, batch_size: int, beta: float, seed: int
             ) -> tuple[np.ndarray, np.ndarray, _Recorder]:
    """Run the student's optimiser with a recording grad_fn; return (path, losses, recorder), validated."""
    rec = _Recorder(X, y)
    w_start = w0.copy()
    out = sgd_momentum(rec, w0, X, y, lr, epochs, batch_size=batch_size, beta=beta, seed=seed)
    call = f"sgd_momentum(grad_fn, w0, X, y, lr={lr}, epochs={epochs}, batch_size={batch_size}, beta={beta})"
    assert np.array_equal(w0, w_start), "your function changed w0 in place: start from a copy, w = w0.copy()"
    n, per_epoch = len(X), -(-len(X) // batch_size)
    steps = epochs * per_epoch
    assert out is not None, f"{call} returned None, expected a pair (path, losses): did you forget `return`?"
    assert isinstance(out, (tuple, list)) and len(out) == 2, (
        f"{call} must return a pair (path, losses), got {type(out).__name__}")
    path = assert_finite_result(out[0], f"path from {call}", f"an array of shape ({steps + 1}, 3)")
    losses = assert_finite_result(out[1], f"losses from {call}", f"an array of shape ({steps},)")
    if len(rec.calls) != steps:
        left = f", the last one holding the {n % batch_size} left over" if n % batch_size else ""
        dropped = ("; keep the last, smaller batch: range(0, n, batch_size) gives every start"
                   if len(rec.calls) == epochs * (n // batch_size) else "")
        fail(f"with n = {n}, batch_size = {batch_size} and {epochs} epochs, grad_fn must be called "
             f"{steps} times, once per update ({per_epoch} batches per epoch{left}); it was called "
             f"{len(rec.calls)} times{dropped}")
    for t, (_, ids, yb, _, _) in enumerate(rec.calls):
        assert np.array_equal(yb, y[ids]), (
            f"the targets of batch {t} do not belong to its inputs: take the same rows of both, X[idx] and y[idx]")
    assert path.shape == (steps + 1, 3), (
        f"path has shape {path.shape}, expected ({steps + 1}, 3): the start w0 and the weights after each of the "
        f"{steps} updates ({epochs} epochs of {-(-len(X) // batch_size)} batches; the last batch of an epoch "
        f"holds what is left over)")
    assert losses.shape == (steps,), f"losses has shape {losses.shape}, expected ({steps},): one loss per update"
    assert_close(path[0], w0, "path[0] (the path must start with w0)")
    return path, losses, rec


@exercise("03", 2, "Mini-batch SGD with momentum")
def check_sgd_momentum(sgd_momentum: Callable[..., tuple[np.ndarray, np.ndarray]]) -> str:
    """``sgd_momentum(grad_fn, w0, X, y, lr, epochs, batch_size, beta, seed)`` returns ``(path, losses)``.

    Every epoch shuffles the n examples afresh and cuts them into batches (the last one smaller); for each batch
    ``loss, g = grad_fn(w, X[idx], y[idx])``, ``v = beta * v + g``, ``w = w - lr * v`` (v starts at 0). ``path``
    holds w0 and the weights after every update, shape (steps + 1, d); ``losses`` the batch loss of every
    update, shape (steps,). Whatever order the shuffle draws, the check follows it through the recorded calls.
    """
    X, y = _sgd_task(30, seed=8)
    w0 = np.array([0.5, -0.5, 0.0])

    # 1. Full batch, no momentum: plain gradient descent, whatever the order of the examples.
    path, losses, rec = _run_sgd(sgd_momentum, X, y, w0.copy(), 0.1, 4, 30, 0.0, 0)
    w, g = rec.calls[0][0], rec.calls[0][4]
    expect(not np.allclose(path[1], w + 0.1 * g),
           "the first step went uphill (w + lr * gradient): subtract, w = w - lr * v")
    reference = [w0.copy()]
    for _ in range(4):
        reference.append(reference[-1] - 0.1 * rec(reference[-1], X, y)[1])
    assert_close(path, np.array(reference), "the path with batch_size = n and beta = 0 (plain gradient descent, "
                                            "w = w - lr * gradient)", rtol=1e-9, atol=1e-12)

    # 2. Mini-batches with momentum: follow the student's own shuffle through the recorded calls.
    n, B, epochs, lr, beta = 30, 8, 3, 0.05, 0.8
    path, losses, rec = _run_sgd(sgd_momentum, X, y, w0.copy(), lr, epochs, B, beta, 3)
    per_epoch = -(-n // B)
    orders = [np.concatenate([rec.calls[e * per_epoch + k][1] for k in range(per_epoch)]) for e in range(epochs)]
    for e, order in enumerate(orders):
        sizes = [len(rec.calls[e * per_epoch + k][1]) for k in range(per_epoch)]
        assert sorted(order.tolist()) == list(range(n)) and sizes == [8, 8, 8, 6], (
            f"epoch {e + 1} must use every example exactly once, in batches of 8, 8, 8 and 6; its batches held "
            f"{sizes} examples and {len(set(order.tolist()))} different ones")
    assert not np.array_equal(orders[0], np.arange(n)), (
        "the examples came in their stored order: shuffle them, e.g. order = rng.permutation(n) with "
        "rng = np.random.default_rng(seed)")
    assert not (np.array_equal(orders[0], orders[1]) and np.array_equal(orders[1], orders[2])), (
        "every epoch used the same order: draw a fresh random order at the start of every epoch")
    assert_close(losses, np.array([c[3] for c in rec.calls]),
                 "losses (losses[t] must be the loss grad_fn returned for update t)")
    assert_close(path[:-1], np.array([c[0] for c in rec.calls]),
                 "the weights grad_fn was called with (update t must use the current weights, path[t])")
    grads = np.array([c[4] for c in rec.calls])
    steps = -np.diff(path, axis=0) / lr                   # the velocity each update applied: w_t - w_{t+1} = lr v_t
    right, ema, plain = np.zeros_like(grads), np.zeros_like(grads), grads
    v = np.zeros(3)
    for t, g in enumerate(grads):
        v = beta * v + g
        right[t] = v
        ema[t] = beta * (ema[t - 1] if t else 0) + (1 - beta) * g
    if not np.allclose(steps, right, rtol=1e-7, atol=1e-10):
        expect(not np.allclose(steps, plain, rtol=1e-7, atol=1e-10),
               "each step used only the current gradient: keep a velocity v (zeros at the start, "
               "never reset) and update it every step, v = beta * v + g, then w = w - lr * v")
        expect(not np.allclose(steps, ema, rtol=1e-7, atol=1e-10),
               "you used the moving average v = beta * v + (1 - beta) * g (Adam's form); this "
               "exercise asks for v = beta * v + g")
        bad = int(np.argmax(~np.all(np.isclose(steps, right, rtol=1e-7, atol=1e-10), axis=1)))
        hint = (" (at the start of epoch 2: do not reset v each epoch)" if bad == per_epoch else "")
        fail(f"update {bad} does not follow v = beta * v + g, w = w - lr * v with v starting at 0"
             f"{hint}")

    # 3. Seeded: the same seed gives the same run; another seed another shuffle.
    again, _, _ = _run_sgd(sgd_momentum, X, y, w0.copy(), lr, epochs, B, beta, 3)
    assert np.array_equal(again, path), ("two runs with the same seed differ: shuffle with "
                                         "rng = np.random.default_rng(seed), not the global np.random")
    other, _, _ = _run_sgd(sgd_momentum, X, y, w0.copy(), lr, epochs, B, beta, 4)
    assert not np.array_equal(other, path), "seed=3 and seed=4 gave the same run: use seed to build your rng"
    full = lambda w: float(np.mean((X[:, 1:] @ w[:2] + w[2] - y) ** 2))  # noqa: E731
    return (f"shuffles every epoch, keeps the last batch, and follows v = βv + g, w = w − lr·v; loss "
            f"{full(path[0]):.2f} → {full(path[-1]):.3f} in {len(losses)} updates")


@exercise("03", 3, "Gradient of the MSE for linear regression")
def check_mse_gradient(mse_gradient: Callable[..., tuple[np.ndarray, float]]) -> str:
    """``mse_gradient(X, y, w, b)`` returns (dL/dw, dL/db) of L = mean((X @ w + b - y) ** 2)."""
    rng = np.random.default_rng(7)
    n, d = 40, 3
    X = rng.normal(size=(n, d))
    y = rng.normal(size=n)
    w = rng.normal(size=d)
    b = float(rng.normal())
    out = mse_gradient(X.copy(), y.copy(), w.copy(), b)
    assert out is not None, "mse_gradient returned None, expected a pair (grad_w, grad_b): did you forget `return`?"
    assert isinstance(out, tuple) and len(out) == 2, f"return a pair (grad_w, grad_b), got {type(out).__name__}"
    grad_w = assert_finite_result(out[0], "grad_w", f"an array of shape {(d,)}")
    grad_b = assert_finite_result(out[1], "grad_b", "one number")
    assert grad_w.shape == (d,), f"grad_w must have the shape of w, {(d,)}, got {grad_w.shape}"
    assert grad_b.size == 1, f"grad_b must be one number, got shape {grad_b.shape}"

    def loss(w_: np.ndarray, b_: float) -> float:
        return float(np.mean((X @ w_ + b_ - y) ** 2))

    h = 1e-6
    eye = np.eye(d)
    num_w = np.array([(loss(w + h * eye[i], b) - loss(w - h * eye[i], b)) / (2 * h) for i in range(d)])
    num_b = (loss(w, b + h) - loss(w, b - h)) / (2 * h)
    assert_close(grad_w, num_w, "grad_w (compared with finite differences; remember the factor 2 and the mean "
                                "over the n examples)", rtol=1e-5, atol=1e-7)
    assert_close(grad_b.reshape(()), num_b, "grad_b (compared with finite differences)", rtol=1e-5, atol=1e-7)
    return "matches finite differences for w and b"


LR_BUDGET = 30
"""Steps of full-batch gradient descent that exercise 03.4 allows."""

LR_TARGET = 0.1
"""Mean squared error exercise 03.4 asks to reach within :data:`LR_BUDGET` steps (the best possible is 0.075)."""


def linear_task() -> tuple[np.ndarray, np.ndarray]:
    """The toy regression set of exercise 03.4: X of shape (100, 2), features of spread 1 and 3; y of shape (100,).

    y = 2 x1 - x2 + 0.5 + noise of standard deviation 0.3, so the best mean squared error is about 0.075.
    """
    rng = np.random.default_rng(1)
    X = np.c_[rng.normal(0.0, 1.0, 100), rng.normal(0.0, 3.0, 100)]
    y = X @ np.array([2.0, -1.0]) + 0.5 + rng.normal(0.0, 0.3, 100)
    return X, y


def _linear_losses(lr: float, steps: int = LR_BUDGET) -> np.ndarray:
    """Mean squared error on :func:`linear_task` before and after each of ``steps`` full-batch descent steps
    from zero weights (shape (steps + 1,)); inf once it overflows."""
    X, y = linear_task()
    Xa = np.c_[X, np.ones(len(X))]
    w = np.zeros(3)
    out = []
    with np.errstate(all="ignore"):
        for _ in range(steps + 1):
            r = Xa @ w - y
            out.append(float(np.mean(r ** 2)))
            w = w - lr * 2 * Xa.T @ r / len(y)
    return np.nan_to_num(np.array(out), nan=np.inf)


def _edge(reaches: Callable[[float], bool], lo: float, hi: float) -> float:
    """Bisect the learning rate where ``reaches`` flips from ``reaches(lo)`` to ``reaches(hi)``."""
    want = reaches(lo)
    for _ in range(40):
        mid = 0.5 * (lo + hi)
        lo, hi = (mid, hi) if reaches(mid) == want else (lo, mid)
    return 0.5 * (lo + hi)


def _learning_rate(value: object, name: str) -> float:
    require_answer(value, name)
    assert isinstance(value, (int, float, np.floating, np.integer)) and not isinstance(value, bool), (
        f"{name} must be one number (a learning rate such as 0.01), got {type(value).__name__} {value!r}")
    value = float(value)
    assert np.isfinite(value) and value > 0, f"{name} must be a positive number, got {value}"
    return value


@exercise("03", 4, "A learning rate for a step budget")
def check_learning_rate(lr_chosen: float | None, lr_diverges: float | None) -> str:
    """``lr_chosen`` must bring :func:`linear_task`'s loss to at most :data:`LR_TARGET` within :data:`LR_BUDGET`
    full-batch steps; ``lr_diverges`` must make it grow, and lie within 1.5 times the edge of stability.

    Both are judged by training with them; the edge and the range of rates that reach the target are found by
    bisection inside the check.
    """
    lr = _learning_rate(lr_chosen, "lr_chosen")
    too_big = _learning_rate(lr_diverges, "lr_diverges")
    start = _linear_losses(0.0, 0)[0]
    diverges = lambda rate: bool(_linear_losses(rate)[-1] > start)  # noqa: E731
    reaches = lambda rate: bool(_linear_losses(rate)[-1] <= LR_TARGET)  # noqa: E731
    edge = _edge(diverges, 1e-3, 1.0)
    low = _edge(reaches, 1e-3, edge)
    high = _edge(reaches, edge, 0.5 * (low + edge))
    final = _linear_losses(lr)[-1]
    if final > LR_TARGET:
        expect(not lr >= edge,
               f"lr_chosen = {lr:g} is too large: the loss grew from {start:.1f} to {final:.3g} "
               f"in {LR_BUDGET} steps (it diverges); try smaller rates")
        expect(not lr > high,
               f"with lr_chosen = {lr:g} the loss is still {final:.3g} after {LR_BUDGET} steps "
               f"(target {LR_TARGET}): each step overshoots along the steep direction and the "
               f"zig-zag dies out too slowly; try a somewhat smaller rate")
        fail(f"with lr_chosen = {lr:g} the loss is still {final:.3g} after {LR_BUDGET} steps "
             f"(target {LR_TARGET}): it converges, but too slowly for the budget; try larger rates")
    grown = _linear_losses(too_big)[-1]
    assert grown > start, (f"lr_diverges = {too_big:g} does not diverge: the loss went from {start:.1f} to "
                           f"{grown:.3g} in {LR_BUDGET} steps; increase it until the loss grows")
    assert too_big <= 1.5 * edge, (f"lr_diverges = {too_big:g} diverges, but so does any rate that large: find "
                                   f"the edge, a rate at most 1.5 times the smallest one that diverges")
    return (f"lr = {lr:g} reaches loss {final:.3f} ≤ {LR_TARGET} in {LR_BUDGET} steps (every rate from {low:.3f} "
            f"to {high:.3f} does); lr = {too_big:g} diverges (loss {grown:.3g}); the edge of stability is "
            f"{edge:.3f}")
