"""Checks for notebook 04 (backpropagation): layers as forward/backward pairs, softmax cross-entropy, a network of
any depth, and a prediction of the initial loss.

Each check draws random inputs and computes what is right *inside the check*: forward values from the
definition, gradients numerically with :func:`utils.gradcheck.numerical_gradient` (never a stored answer), compared
with :func:`utils.gradcheck.relative_error`. Shapes are non-square so a transposed gradient fails on its shape, and
a square case is tried too so a transposed gradient of the right shape fails on its values.
"""
from __future__ import annotations

import math
from typing import Any, Callable

import numpy as np

from utils.checks.asserts import assert_finite_result, expect, fail
from utils.checks.core import exercise

REL_TOL = 1e-6
"""Largest relative error (float64, centred differences) accepted between a student's and the numerical gradient.
A right answer gives about 1e-8 or less; a wrong one gives 1e-2 or more."""


def _array(value: object, what: str, shape: tuple[int, ...]) -> np.ndarray:
    """The student's value as a finite float64 array of ``shape``, or an AssertionError saying what is wrong."""
    arr = assert_finite_result(value, what, f"an array of shape {shape}")
    assert arr.shape == shape, (f"{what} has shape {arr.shape}, expected {shape} (a gradient always has the shape "
                                f"of what it is the gradient of; a transposed product or a sum over the wrong axis "
                                f"changes the shape)")
    return arr


def _pair(result: object, what: str, names: str) -> tuple[Any, Any]:
    """Unpack a ``(out, cache)``-like pair, or an AssertionError naming what came back."""
    assert isinstance(result, (tuple, list)) and len(result) == 2, (
        f"{what} must return a pair {names}, got {type(result).__name__}"
        + (f" of length {len(result)}" if isinstance(result, (tuple, list)) else ""))
    return result[0], result[1]


def _close(got: np.ndarray, want: np.ndarray, what: str, hint: str) -> float:
    from utils.gradcheck import relative_error

    err = relative_error(got, want)
    assert err < REL_TOL, f"{what} differs from the numerical gradient (relative error {err:.2g}); {hint}"
    return err


def _check_elementwise(forward: Callable[..., Any], backward: Callable[..., Any], name: str,
                       fn: Callable[[np.ndarray], np.ndarray], seed: int, forward_hint: str, backward_hint: str
                       ) -> float:
    """Check an elementwise layer on three shapes; return the worst relative error of its backward pass."""
    from utils.gradcheck import numerical_gradient

    rng = np.random.default_rng(seed)
    worst = 0.0
    for shape in [(5,), (4, 3), (2, 3, 2)]:
        x = rng.normal(scale=2.0, size=shape)
        x[np.abs(x) < 1e-3] = 0.5  # keep away from ReLU's kink, where the finite difference is meaningless
        dout = rng.normal(size=shape)
        out, cache = _pair(forward(x.copy()), f"{name}_forward(x)", "(out, cache)")
        out = _array(out, f"{name}_forward(x)[0] (out) for shape {shape}", shape)
        assert np.allclose(out, fn(x), rtol=1e-9, atol=1e-12), (
            f"{name}_forward(x) gives the wrong out for shape {shape} (e.g. {out.ravel()[:3]} instead of "
            f"{fn(x).ravel()[:3]}); {forward_hint}")
        dx = _array(backward(dout.copy(), cache), f"{name}_backward(dout, cache) for shape {shape}", shape)
        want = numerical_gradient(lambda p: float(np.sum(dout * fn(p["x"]))), {"x": x})["x"]
        worst = max(worst, _close(dx, want, "dx", backward_hint))
    return worst


@exercise("04", 1, "Affine layer: forward and backward")
def check_affine(affine_forward: Callable[..., Any], affine_backward: Callable[..., Any]) -> str:
    """``affine_forward(x, W, b) -> (out, cache)``; ``affine_backward(dout, cache) -> (dx, dW, db)``.

    Reference: ``out`` from the definition; gradients of ``L = sum(dout * (x @ W + b))`` computed numerically.
    """
    from utils.gradcheck import numerical_gradient

    rng = np.random.default_rng(4041)
    worst = 0.0
    for n, d, h in [(5, 3, 4), (4, 4, 4), (1, 2, 3)]:
        x, W, b = rng.normal(size=(n, d)), rng.normal(size=(d, h)), rng.normal(size=h)
        dout = rng.normal(size=(n, h))
        out, cache = _pair(affine_forward(x.copy(), W.copy(), b.copy()), "affine_forward(x, W, b)",
                           "(out, cache)")
        out = _array(out, f"affine_forward(x, W, b)[0] (n={n}, d={d}, h={h})", (n, h))
        assert np.allclose(out, x @ W + b, rtol=1e-9, atol=1e-12), (
            "affine_forward gives the wrong out: it should be the matrix product of x (n, d) and W (d, h), plus b "
            "added to every row")
        try:
            result = affine_backward(dout.copy(), cache)
        except ValueError as err:  # NumPy's shape mismatch in a matrix product: say what the shapes were
            fail(f"affine_backward raised ValueError ({err}) with dout {dout.shape}, x {x.shape}, "
                 f"W {W.shape}: write each gradient's shape under its product and transpose the "
                 f"factor that does not fit")
        assert isinstance(result, (tuple, list)) and len(result) == 3, (
            f"affine_backward must return a tuple (dx, dW, db), got {type(result).__name__}"
            + (f" of length {len(result)}" if isinstance(result, (tuple, list)) else ""))
        dx = _array(result[0], f"dx (n={n}, d={d}, h={h})", (n, d))
        dW = _array(result[1], f"dW (n={n}, d={d}, h={h})", (d, h))
        db = _array(result[2], f"db (n={n}, d={d}, h={h})", (h,))
        num = numerical_gradient(lambda p: float(np.sum(dout * (p["x"] @ p["W"] + p["b"]))), {"x": x, "W": W, "b": b})
        worst = max(worst,
                    _close(dx, num["x"], "dx", "each input reaches every output through W: let the shapes (n, h) "
                           "and (d, h) tell you which factor to transpose"),
                    _close(dW, num["W"], "dW", "dW pairs every input feature with every output's upstream gradient, "
                           "summed over the batch: a (d, n) by (n, h) product"),
                    _close(db, num["b"], "db", "b is added to every row of the batch, so its gradient collects "
                           "(sums, not averages) the upstream gradient of every row"))
    return f"out right; dx, dW, db match numerical gradients for 3 layer sizes (worst relative error {worst:.1e})"


@exercise("04", 2, "ReLU: forward and backward")
def check_relu(relu_forward: Callable[..., Any], relu_backward: Callable[..., Any]) -> str:
    """``relu_forward(x) -> (out, cache)``; ``relu_backward(dout, cache) -> dx``, any shape."""
    worst = _check_elementwise(relu_forward, relu_backward, "relu", lambda x: np.maximum(0.0, x), 4042,
                               "ReLU keeps positive entries and sets the others to 0",
                               "the gradient passes through where the forward input was positive and is 0 "
                               "elsewhere; it is the upstream gradient dout that passes, not 1")
    return f"out right; dx matches the numerical gradient on 3 shapes (worst relative error {worst:.1e})"


@exercise("04", 3, "Sigmoid: forward and backward")
def check_sigmoid(sigmoid_forward: Callable[..., Any], sigmoid_backward: Callable[..., Any]) -> str:
    """``sigmoid_forward(x) -> (out, cache)``; ``sigmoid_backward(dout, cache) -> dx``, any shape."""
    worst = _check_elementwise(sigmoid_forward, sigmoid_backward, "sigmoid", lambda x: 1.0 / (1.0 + np.exp(-x)),
                               4043, "σ(x) = 1 / (1 + exp(-x)), elementwise",
                               "σ'(x) = σ(x)(1 − σ(x)), computed from what you cached, times the upstream "
                               "gradient dout element by element")
    return f"out right; dx matches the numerical gradient on 3 shapes (worst relative error {worst:.1e})"


def _softmax_ce(scores: np.ndarray, y: np.ndarray) -> float:
    shifted = scores - scores.max(axis=1, keepdims=True)
    log_probs = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    return float(-log_probs[np.arange(len(y)), y].mean())


@exercise("04", 4, "Softmax cross-entropy: loss and gradient")
def check_softmax_cross_entropy(softmax_cross_entropy: Callable[..., Any]) -> str:
    """``softmax_cross_entropy(scores, y) -> (loss, dscores)``: mean loss over the batch, dscores of shape (n, C).

    Reference: the loss from its definition, dscores numerically; then large scores (±1000) that overflow a
    softmax computed without subtracting the row maximum.
    """
    from utils.gradcheck import numerical_gradient

    rng = np.random.default_rng(4044)
    worst = 0.0
    for n, c in [(6, 3), (4, 4), (1, 5)]:
        scores, y = rng.normal(scale=2.0, size=(n, c)), rng.integers(0, c, size=n)
        loss, dscores = _pair(softmax_cross_entropy(scores.copy(), y.copy()), "softmax_cross_entropy(scores, y)",
                              "(loss, dscores)")
        loss = assert_finite_result(loss, "the loss", "one number")
        assert loss.size == 1, f"the loss must be one number (the mean over the batch), got shape {loss.shape}"
        want = _softmax_ce(scores, y)
        assert abs(float(loss) - want) < 1e-9 * max(1.0, want), (
            f"the loss is {float(loss):.6f}, expected {want:.6f} for n={n}, C={c}"
            + (f" ({n} times too large: take the mean over the batch, not the sum)"
               if abs(float(loss) - n * want) < 1e-9 * n * max(1.0, want) and n > 1 else
               ": the loss is -log of the softmax probability of the correct class, averaged over the rows"))
        dscores = _array(dscores, f"dscores (n={n}, C={c})", (n, c))
        num = numerical_gradient(lambda p: _softmax_ce(p["s"], y), {"s": scores})["s"]
        worst = max(worst, _close(dscores, num, "dscores", "the gradient is the softmax probabilities minus 1 at the "
                                  "correct class, divided by n (the loss is a mean)"))
    big = np.array([[1000.0, -1000.0, 0.0], [-1000.0, 0.0, 1000.0]])
    with np.errstate(all="ignore"):
        loss, dscores = _pair(softmax_cross_entropy(big.copy(), np.array([0, 1])), "softmax_cross_entropy(scores, y)",
                              "(loss, dscores)")
        what = "with scores of ±1000"
        hint = "; subtract each row's maximum score before exp (it changes no probability, and exp never overflows)"
        try:
            loss = assert_finite_result(loss, f"the loss {what}", "a finite number")
            dscores = assert_finite_result(dscores, f"dscores {what}", "finite values")
        except AssertionError as err:
            fail(str(err) + hint)
    want = _softmax_ce(big, np.array([0, 1]))
    assert abs(float(loss) - want) < 1e-6 * want, f"the loss {what} is {float(loss):.4g}, expected {want:.4g}{hint}"
    return f"loss right; dscores matches numerical gradients (worst relative error {worst:.1e}); stable at ±1000"


@exercise("04", 5, "A network of any depth")
def check_network(Network: Callable[..., Any]) -> str:
    """``Network(layer_sizes, activation=..., weight_scale=..., seed=...)`` with ``.params`` and ``.loss(X, y=None)``.

    Reference: for depths 1 to 4 and both activations, the loss from a forward pass written here, the gradients of
    every parameter numerically; ``loss(X)`` alone returns the scores; the parameters are left unchanged.
    """
    from utils.gradcheck import numerical_gradient

    acts = {"relu": lambda z: np.maximum(0.0, z), "sigmoid": lambda z: 1.0 / (1.0 + np.exp(-z))}

    def scores_of(params: dict[str, np.ndarray], X: np.ndarray, depth: int, act: str) -> np.ndarray:
        h = X
        for i in range(1, depth + 1):
            h = h @ params[f"W{i}"] + params[f"b{i}"]
            if i < depth:
                h = acts[act](h)
        return h

    rng = np.random.default_rng(4045)
    worst = 0.0
    cases = [([3, 4], "relu"), ([3, 5, 4], "relu"), ([2, 6, 5, 3], "relu"), ([3, 4, 4, 4, 3], "relu"),
             ([3, 5, 4], "sigmoid"), ([2, 6, 5, 3], "sigmoid")]
    for sizes, act in cases:
        net = Network(sizes, activation=act, weight_scale=0.5, seed=int(rng.integers(1000)))
        params = getattr(net, "params", None)
        assert isinstance(params, dict), ("Network must keep its weights in a dict `self.params` (keep __init__ as "
                                          "given)")
        for i in range(1, len(sizes)):  # non-zero biases, so a wrong bias gradient cannot hide behind b = 0
            params[f"b{i}"] = params[f"b{i}"] + rng.normal(scale=0.3, size=params[f"b{i}"].shape)
        depth = len(sizes) - 1
        n = 7
        X, y = rng.normal(size=(n, sizes[0])), rng.integers(0, sizes[-1], size=n)
        before = {k: v.copy() for k, v in params.items()}
        where = f"for layer_sizes={sizes}, activation={act!r}"
        scores = _array(net.loss(X.copy()), f"net.loss(X) (no y) {where}", (n, sizes[-1]))
        assert np.allclose(scores, scores_of(params, X, depth, act), rtol=1e-8, atol=1e-10), (
            f"net.loss(X) returns wrong scores {where}: apply affine then {act} for every layer but the last, "
            f"which is affine only (no activation on the scores)")
        loss, grads = _pair(net.loss(X.copy(), y.copy()), f"net.loss(X, y) {where}", "(loss, grads)")
        loss = assert_finite_result(loss, f"the loss {where}", "one number")
        want = _softmax_ce(scores_of(before, X, depth, act), y)
        assert loss.size == 1 and abs(float(loss) - want) < 1e-8 * max(1.0, want), (
            f"the loss {where} is {np.ravel(loss)[:1]}, expected {want:.6f}: end with softmax_cross_entropy of the "
            f"last layer's scores")
        for k in params:
            assert np.array_equal(params[k], before[k]), f"net.loss changed self.params[{k!r}]; it must only read them"
        assert isinstance(grads, dict) and set(grads) == set(params), (
            f"grads must be a dict with the same names as self.params {sorted(params)}, got "
            + (f"{sorted(grads)}" if isinstance(grads, dict) else type(grads).__name__)
            + ": did the backward loop visit every layer, from the last down to W1?")
        num = numerical_gradient(lambda p: _softmax_ce(scores_of(p, X, depth, act), y), params)
        for k in params:
            got = _array(grads[k], f"grads[{k!r}] {where}", params[k].shape)
            worst = max(worst, _close(got, num[k], f"grads[{k!r}] {where}",
                                      "walk the caches in reverse order: affine_backward for every layer, and the "
                                      "activation's backward between layers (not after the last one)"))
    return (f"scores, loss and every gradient right for depths 1 to 4, ReLU and sigmoid "
            f"(worst relative error {worst:.1e})")


@exercise("04", 6, "Predict the initial loss")
def check_initial_loss_prediction(predictions: Callable[[], Any]) -> str:
    """``predictions() -> (loss_3_classes, loss_10_classes, cause_of_5)``, made before running: the loss of a
    tiny-weight network for C = 3 and C = 10 classes, and the likely cause ('a', 'b' or 'c') of an initial loss of
    5.0 for C = 3.

    Reference: each number is compared with the loss of such a network measured here (random data, weights of
    standard deviation 1e-3); the cause is judged by measuring the loss of larger initial weights.
    """
    from utils.reference.layers import Network

    result = predictions()
    assert isinstance(result, (tuple, list)) and len(result) == 3, (
        "predictions() must return three values: (loss_3_classes, loss_10_classes, cause_of_5), got "
        + (f"{len(result)} values" if isinstance(result, (tuple, list)) else type(result).__name__))
    loss_3_classes, loss_10_classes, cause_of_5 = result
    rng = np.random.default_rng(4046)
    X = rng.normal(size=(500, 2))
    measured = {}
    for c, guess, name in [(3, loss_3_classes, "loss_3_classes"), (10, loss_10_classes, "loss_10_classes")]:
        expect(not isinstance(guess, str), f"{name} must be a number, got the text {guess!r}")
        guess = assert_finite_result(guess, name, "one number (your predicted loss)")
        assert guess.size == 1, f"{name} must be one number, got an array of shape {guess.shape}"
        y = rng.integers(0, c, size=len(X))
        measured[c] = float(Network([2, 50, c], weight_scale=1e-3).loss(X, y)[0])
        assert abs(float(guess) - measured[c]) < 0.02 * measured[c], (
            f"{name} = {float(guess):.3g}, but a network with tiny weights on {c} classes starts at about "
            f"{measured[c]:.3f}. Hint: tiny weights give scores near 0, so every class gets the same softmax "
            f"probability; what is that probability, and what is -log of it?")
    letter = cause_of_5.strip().lower().strip("()") if isinstance(cause_of_5, str) else None
    assert letter in {"a", "b", "c"}, f"cause_of_5 must be one of 'a', 'b' or 'c', got {cause_of_5!r}"
    big = float(Network([2, 50, 3], weight_scale=3.0, seed=1).loss(X, rng.integers(0, 3, size=len(X)))[0])
    assert letter == "a", (
        f"not {cause_of_5!r}: the initial loss is measured before any training step, so neither the learning rate "
        f"nor how the labels relate to the data can raise it far above log(3); large weights can (weights of "
        f"standard deviation 3 give an initial loss of {big:.1f} here)")
    return (f"C=3: {measured[3]:.4f} (log 3 = {math.log(3):.4f}), C=10: {measured[10]:.4f} "
            f"(log 10 = {math.log(10):.4f}); large weights give {big:.1f}")
