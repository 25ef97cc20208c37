"""Checks for notebook 01 (the neuron): the step perceptron's prediction, its learning rule, and a NAND gate.

Convention used throughout notebook 01: the perceptron outputs 1 when ``z = X @ w + b >= 0`` and 0 otherwise.
The checks test behaviour on points built here (well away from the line, or exactly on it for the
convention), and train with the student's own update rule on AND and OR; no stored answers.
"""
from __future__ import annotations

from typing import Callable

import numpy as np

from utils.checks.core import exercise
from utils.data import logic_gate

GATE_INPUTS = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=np.float64)


def _step_predict(X: np.ndarray, w: np.ndarray, b: float) -> np.ndarray:
    """Reference step perceptron used to count training errors: 1 where X @ w + b >= 0, else 0."""
    return (X @ np.asarray(w, np.float64) + float(b) >= 0).astype(np.int64)


@exercise("01", 1, "Perceptron prediction")
def check_perceptron_predict(perceptron_predict: Callable[[np.ndarray, np.ndarray, float], np.ndarray]) -> str:
    """``perceptron_predict(X, w, b)``: X (n, d), w (d,), b scalar -> (n,) of 0/1, 1 where X @ w + b >= 0."""
    rng = np.random.default_rng(0)
    w = np.array([1.5, -2.0])
    b = 0.3
    X = rng.normal(size=(40, 2)) * 2
    z = X @ w + b
    X, z = X[np.abs(z) > 0.2], z[np.abs(z) > 0.2]  # keep points clearly on one side
    got = perceptron_predict(X.copy(), w.copy(), b)
    assert got is not None, "your function returns None: did you forget `return`?"
    got = np.asarray(got)
    assert got.shape == (len(X),), f"for X of shape {X.shape} return shape ({len(X)},), got {got.shape}"
    assert set(np.unique(got)).issubset({0, 1}), (
        f"outputs must be 0 or 1 (the step activation), got values like {np.unique(got)[:4]}; "
        "did you return z = X @ w + b instead of step(z)?")
    pos, neg = z > 0, z < 0
    assert np.all(got[neg] == 0), ("points with X @ w + b < 0 must give 0; some gave 1. "
                                   "Check the sign of the comparison and that you add b.")
    assert np.all(got[pos] == 1), "points with X @ w + b > 0 must give 1; some gave 0 (check the comparison)"
    on_line = np.array([[2.0, 1.0]])  # z = 1.5*2 - 2*1 - 1 = 0 exactly
    assert np.asarray(perceptron_predict(on_line, w, -1.0)).ravel()[0] == 1, (
        "a point exactly on the line (z = 0) must give 1: the notebook's step is 1 for z >= 0")
    and_out = np.asarray(perceptron_predict(GATE_INPUTS, np.array([1.0, 1.0]), -1.5)).ravel()
    assert np.array_equal(and_out, logic_gate("AND")[1]), (
        f"with w = (1, 1), b = -1.5 the four gate inputs must give AND = (0, 0, 0, 1); you gave {tuple(and_out)}")
    return "step(X @ w + b) with 1 for z >= 0, on random points and on the four gate inputs"


def _train(update: Callable, gate: str, epochs: int, lr: float) -> list[int]:
    """Train from w = 0, b = 0 with the student's update; return the errors counted after each epoch."""
    X, y = logic_gate(gate)
    w, b = np.zeros(2), 0.0
    errors = []
    for _ in range(epochs):
        for xi, yi in zip(X, y):
            out = update(w, b, xi.copy(), int(yi), lr)
            assert isinstance(out, tuple) and len(out) == 2, (
                f"perceptron_update must return a pair (new_w, new_b), got {type(out).__name__}")
            w, b = np.asarray(out[0], np.float64), float(out[1])
            assert w.shape == (2,), f"new_w must have the shape of w, (2,), got {w.shape}"
        errors.append(int(np.sum(_step_predict(X, w, b) != y)))
        if errors[-1] == 0:
            break
    return errors


@exercise("01", 2, "Perceptron learning rule")
def check_perceptron_update(perceptron_update: Callable) -> str:
    """``perceptron_update(w, b, x, y, lr)`` -> (new_w, new_b): one step of the perceptron learning rule.

    x is one input (d,), y its target 0 or 1. Nothing changes when the prediction is right; otherwise
    w += lr * (y - y_hat) * x and b += lr * (y - y_hat).
    """
    w = np.array([0.5, -1.0])
    b = 0.25
    x = np.array([2.0, 1.0])  # z = 1 - 1 + 0.25 = 0.25 -> predicts 1
    w_in, x_in = w.copy(), x.copy()
    out = perceptron_update(w_in, b, x_in, 1, 0.1)
    assert out is not None, "your function returns None: return the pair (new_w, new_b)"
    assert isinstance(out, tuple) and len(out) == 2, f"return a pair (new_w, new_b), got {type(out).__name__}"
    assert np.allclose(out[0], w) and np.isclose(out[1], b), (
        "when the prediction is already right (here it predicts 1 and y = 1) the weights must not change")
    assert np.array_equal(w_in, w) and np.array_equal(x_in, x), (
        "your function changed the arrays it was given (e.g. `w += ...`); compute and return new ones instead")
    w_in, x_in = w.copy(), x.copy()
    out = perceptron_update(w_in, b, x_in, 0, 0.1)  # predicted 1, target 0
    assert out is not None, ("when the prediction is wrong (predicted 1, y = 0) your function returned None, "
                             "expected the pair (new_w, new_b): did you forget `return` in that case?")
    assert isinstance(out, tuple) and len(out) == 2, f"return a pair (new_w, new_b), got {type(out).__name__}"
    new_w, new_b = out
    assert np.array_equal(w_in, w) and np.array_equal(x_in, x), (
        "your function changed the arrays it was given (e.g. `w += ...`); compute and return new ones instead")
    assert np.allclose(new_w, w - 0.1 * x) and np.isclose(new_b, b - 0.1), (
        f"predicted 1 but y = 0: w must move by -lr*x = {-0.1 * x} and b by -lr = -0.1; you moved w by "
        f"{np.asarray(new_w) - w} and b by {float(new_b) - b:.3g}. Is the sign of (y - y_hat) right?")
    x2 = np.array([-1.0, 1.0])  # z = -0.5 - 1 + 0.25 < 0 -> predicts 0
    out = perceptron_update(w.copy(), b, x2.copy(), 1, 0.5)  # predicted 0, target 1
    assert out is not None, ("when the prediction is wrong (predicted 0, y = 1) your function returned None, "
                             "expected the pair (new_w, new_b): did you forget `return` in that case?")
    assert isinstance(out, tuple) and len(out) == 2, f"return a pair (new_w, new_b), got {type(out).__name__}"
    new_w, new_b = out
    assert np.allclose(new_w, w + 0.5 * x2) and np.isclose(new_b, b + 0.5), (
        f"predicted 0 but y = 1: w must move by +lr*x = {0.5 * x2} and b by +lr = 0.5; you moved w by "
        f"{np.asarray(new_w) - w} and b by {float(new_b) - b:.3g}")
    epochs = {}
    for gate in ("AND", "OR"):
        errors = _train(perceptron_update, gate, epochs=20, lr=1.0)
        assert errors[-1] == 0, (f"training on {gate} with your rule (from w = 0, b = 0, lr = 1) still makes "
                                 f"{errors[-1]} error(s) after 20 epochs; errors per epoch: {errors}")
        epochs[gate] = len(errors)
    return f"separates AND in {epochs['AND']} and OR in {epochs['OR']} epoch(s)"


@exercise("01", 3, "Weights for NAND")
def check_nand_weights(nand_weights: Callable[[], tuple[np.ndarray, float]]) -> str:
    """``nand_weights()`` -> (w, b) such that step(x @ w + b) is NAND on the four gate inputs."""
    out = nand_weights()
    assert out is not None, "your function returns None: return the pair (w, b)"
    assert isinstance(out, tuple) and len(out) == 2, f"return a pair (w, b), got {type(out).__name__}"
    w, b = np.asarray(out[0], np.float64), out[1]
    assert w.shape == (2,), f"w must hold two weights, shape (2,), got shape {w.shape}"
    assert np.ndim(b) == 0, f"b must be one number, got shape {np.shape(b)}"
    got = _step_predict(GATE_INPUTS, w, float(b))
    want = logic_gate("NAND")[1]
    wrong = [tuple(int(v) for v in GATE_INPUTS[i]) for i in np.flatnonzero(got != want)]
    assert not wrong, (f"step(x @ w + b) with w = {w}, b = {float(b):g} is wrong for input(s) {wrong}: NAND "
                       "is 0 only for (1, 1). Hint: NAND is NOT AND - what happens if you flip the signs of "
                       "AND's weights and bias?")
    z = GATE_INPUTS @ w + float(b)
    note = " (tip: keep points off the line, |z| > 0, so small changes do not flip them)" if np.any(z == 0) else ""
    return f"w = {w}, b = {float(b):g} gives NAND on all four inputs{note}"
