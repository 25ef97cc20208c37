"""Checks for notebook 01 (the neuron): the step perceptron's output, its training loop, a prediction about
the learning rate, and a NAND gate.

Convention used throughout notebook 01: the perceptron outputs 1 when ``z = X @ w + b >= 0`` and 0 otherwise.
The checks test behaviour: points built here (well away from the line, or exactly on it for the convention),
training runs compared step by step with the course's reference loop (:mod:`utils.reference.perceptron`) on
AND, XOR and random 3-D data, and a prediction compared with what a run shows. No stored answers.
"""
from __future__ import annotations

from typing import Callable

import numpy as np

from utils.checks.asserts import assert_finite_result, expect, fail
from utils.checks.core import exercise
from utils.data import logic_gate
from utils.reference import perceptron as reference

GATE_INPUTS = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=np.float64)

PREDICTION_LR = 0.25
"""The learning rate of exercise 01.3's prediction: a power of two, so every sum is exact in floating point."""


def _step_predict(X: np.ndarray, w: np.ndarray, b: float) -> np.ndarray:
    """Step perceptron used to count training errors: 1 where X @ w + b >= 0, else 0."""
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
    got = assert_finite_result(perceptron_predict(X.copy(), w.copy(), b), f"perceptron_predict(X of shape {X.shape})",
                               f"an array of 0s and 1s of shape ({len(X)},)")
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
    X3 = rng.normal(size=(12, 3))
    w3 = np.array([0.5, -1.0, 2.0])
    got3 = assert_finite_result(perceptron_predict(X3.copy(), w3.copy(), -0.25), "perceptron_predict(X of shape "
                                f"{X3.shape})", "an array of 0s and 1s of shape (12,)")
    assert got3.shape == (12,) and np.array_equal(got3, _step_predict(X3, w3, -0.25)), (
        "with 3 inputs per row (X of shape (12, 3), w of shape (3,)) the outputs are wrong: use all columns of X "
        "and all weights (a matrix-vector product), not only the first two")
    and_out = np.asarray(perceptron_predict(GATE_INPUTS, np.array([1.0, 1.0]), -1.5)).ravel()
    assert np.array_equal(and_out, logic_gate("AND")[1]), (
        f"with w = (1, 1), b = -1.5 the four gate inputs must give AND = (0, 0, 0, 1); you gave {tuple(and_out)}")
    return "step(X @ w + b) with 1 for z >= 0, on random points in 2-D and 3-D and on the four gate inputs"


def _run(train: Callable, X: np.ndarray, y: np.ndarray, lr: float, max_epochs: int,
         what: str) -> tuple[np.ndarray, float, list[int]]:
    """Call the student's ``train(X, y, lr=, max_epochs=)``; check what comes back is ``(w, b, mistakes)``."""
    X_in, y_in = X.copy(), y.copy()
    try:
        out = train(X_in, y_in, lr=lr, max_epochs=max_epochs)
    except (ValueError, IndexError) as err:
        if X.shape[1] == 2:
            raise
        fail(f"{what}: your function raised {type(err).__name__}: {err}. Does it assume two inputs? "
             f"w needs one weight per column of X: start from np.zeros(X.shape[1])")
    assert out is not None, (f"{what}: your function returned None; return the triple (w, b, mistakes). Did you "
                             "forget `return`, or put it inside a loop that ended without reaching it?")
    assert isinstance(out, tuple) and len(out) == 3, (
        f"{what}: return the triple (w, b, mistakes), got {type(out).__name__}"
        + (f" of length {len(out)}" if isinstance(out, (tuple, list)) else ""))
    assert np.array_equal(X_in, X) and np.array_equal(y_in, y), (
        f"{what}: your function changed the X or y it was given; read them, do not write into them")
    w = assert_finite_result(out[0], f"{what}: w", f"{X.shape[1]} weights")
    assert w.shape == (X.shape[1],), (f"{what}: w must hold one weight per column of X, shape ({X.shape[1]},), got "
                                      f"shape {w.shape}. Start from np.zeros(X.shape[1]) rather than a fixed size")
    b = assert_finite_result(out[1], f"{what}: b", "one number")
    assert b.ndim == 0 or b.size == 1, f"{what}: b must be one number, got shape {b.shape}"
    mistakes = out[2]
    assert isinstance(mistakes, (list, tuple, np.ndarray)) and np.ndim(mistakes) == 1, (
        f"{what}: mistakes must be a list with one count per epoch, got {type(mistakes).__name__}")
    counts = [int(m) for m in mistakes]
    assert all(m == c and c >= 0 for m, c in zip(mistakes, counts)), (
        f"{what}: mistakes must hold whole numbers >= 0 (how many examples were wrong in each epoch), got "
        f"{list(mistakes)[:8]}")
    return w, float(b.ravel()[0]), counts


def _errors_after_each_epoch(X: np.ndarray, y: np.ndarray, lr: float, max_epochs: int) -> list[int]:
    """Reference loop, but counting the final line's errors after each epoch (a likely mix-up)."""
    w, b, out = np.zeros(X.shape[1]), 0.0, []
    for _ in range(max_epochs):
        for x_i, y_i in zip(X, y):
            error = int(y_i) - int(x_i @ w + b >= 0)
            w, b = w + lr * error * x_i, b + lr * error
        out.append(int(np.sum(_step_predict(X, w, b) != y)))
        if out[-1] == 0:
            break
    return out


def _compare_with_reference(train: Callable, X: np.ndarray, y: np.ndarray, lr: float, max_epochs: int,
                            what: str) -> tuple[np.ndarray, float, list[int]]:
    """Run the student's and the reference loop on the same data; explain the first difference found."""
    w, b, mistakes = _run(train, X, y, lr, max_epochs, what)
    w_ref, b_ref, m_ref = reference.train_perceptron(X, y, lr=lr, max_epochs=max_epochs)
    if mistakes != m_ref:
        expect(mistakes != _errors_after_each_epoch(X, y, lr, max_epochs),
               f"{what}: your mistakes per epoch {mistakes} count the errors of the line *after* each epoch; "
               f"count the mistakes made *during* the epoch (one per update), which gives {m_ref}")
        expect(not (len(mistakes) > len(m_ref) and mistakes[:len(m_ref)] == m_ref),
               f"{what}: the first {len(m_ref)} epochs are right ({m_ref}), but you went on to {len(mistakes)} "
               "epochs: stop (break) right after the first epoch with 0 mistakes")
        expect(not (len(mistakes) < len(m_ref) and m_ref[:len(mistakes)] == mistakes),
               f"{what}: you stopped after {len(mistakes)} epoch(s) ({mistakes}), but training goes on until an "
               f"epoch has 0 mistakes or max_epochs = {max_epochs} epochs ran: expected {m_ref}")
        fail(f"{what}: mistakes per epoch should be {m_ref}, you recorded {mistakes}. Check that you (1) start "
             "from w = 0, b = 0; (2) predict each example with step(w · x + b), 1 when z >= 0, so the first "
             "example of an epoch that starts at w = 0, b = 0 is predicted 1; (3) on a mistake update w by "
             "lr * (y - y_hat) * x and b by lr * (y - y_hat) at once, before the next example; (4) visit the rows "
             "in the order given; (5) count one mistake per update")
    if lr != 1.0 and np.allclose(w, w_ref / lr) and np.isclose(b, b_ref / lr):
        fail(f"{what}: you returned w = {w}, b = {b:g}, which is what lr = 1 gives; with lr = {lr:g} "
             f"expected w = {w_ref}, b = {b_ref:g}. Multiply each update by lr")
    assert np.allclose(w, w_ref) and np.isclose(b, b_ref), (
        f"{what}: your mistakes per epoch are right ({mistakes}), but you returned w = {w}, b = {b:g} instead of "
        f"the final w = {w_ref}, b = {b_ref:g}: return the weights after the last update (and the bias too)")
    return w, b, mistakes


@exercise("01", 2, "Perceptron training loop")
def check_train_perceptron(train_perceptron: Callable) -> str:
    """``train_perceptron(X, y, lr, max_epochs)`` -> ``(w, b, mistakes)``: Rosenblatt's rule from w = 0, b = 0.

    Compared, run by run, with :func:`utils.reference.perceptron.train_perceptron`: on AND (learns, stops after
    the first mistake-free epoch), with a smaller learning rate, on XOR (never learns, stops at max_epochs)
    and on random separable data with three inputs.
    """
    X, y = logic_gate("AND")
    w, b, mistakes = _compare_with_reference(train_perceptron, X, y, 1.0, 20, "AND with lr = 1")
    assert np.array_equal(_step_predict(X, w, b), y), "the returned w, b must separate AND"
    _compare_with_reference(train_perceptron, X, y, 0.5, 20, "AND with lr = 0.5 (does your loop use lr?)")
    Xx, yx = logic_gate("XOR")
    _, _, m_xor = _compare_with_reference(train_perceptron, Xx, yx, 1.0, 7, "XOR with max_epochs = 7")
    rng = np.random.default_rng(7)
    X3 = rng.normal(size=(60, 3))
    z = X3 @ np.array([1.0, -2.0, 0.5]) + 0.3
    X3, y3 = X3[np.abs(z) > 0.5][:30], (z[np.abs(z) > 0.5][:30] >= 0).astype(np.int64)
    w3, b3, m3 = _compare_with_reference(train_perceptron, X3, y3, 0.1, 100, "30 random points with 3 inputs")
    assert m3[-1] == 0 and np.array_equal(_step_predict(X3, w3, b3), y3), "the 3-D points must be separated"
    return (f"AND: mistakes per epoch {mistakes}; XOR: {m_xor} (stops at max_epochs); 3-D data separated in "
            f"{len(m3)} epochs")


@exercise("01", 3, "Predict the epochs at a smaller learning rate")
def check_epochs_prediction(epochs_at_small_lr: Callable[[], int]) -> str:
    """``epochs_at_small_lr()`` -> how many epochs (with the final, mistake-free one) training on AND takes with
    ``lr = 0.25``; compared with what the reference loop's run shows."""
    guess = epochs_at_small_lr()
    assert guess is not None, "your function returned None: return one whole number of epochs, e.g. `return 3`"
    assert isinstance(guess, (int, np.integer)) and not isinstance(guess, bool), (
        f"return one whole number of epochs (an int like 3), got {type(guess).__name__} {guess!r}")
    X, y = logic_gate("AND")
    epochs = len(reference.train_perceptron(X, y, lr=PREDICTION_LR, max_epochs=1000)[2])
    epochs_lr1 = len(reference.train_perceptron(X, y, lr=1.0, max_epochs=1000)[2])
    assert guess == epochs, (
        f"the run does not take {guess} epochs. Reason it out instead of guessing: from w = 0, b = 0 each update "
        f"adds ±lr·x to w and ±lr to b, so after the same mistakes w and b are exactly lr times what they are with "
        f"lr = 1. Does multiplying z = w·x + b by {PREDICTION_LR} change which side of 0 it is on? Then how many "
        f"epochs did lr = 1 take?")
    same = "the same as" if epochs == epochs_lr1 else "unlike"
    return f"AND with lr = {PREDICTION_LR} takes {epochs} epochs, {same} lr = 1"


@exercise("01", 4, "Weights for NAND")
def check_nand_weights(nand_weights: Callable[[], tuple[np.ndarray, float]]) -> str:
    """``nand_weights()`` -> (w, b) such that step(x @ w + b) is NAND on the four gate inputs."""
    out = nand_weights()
    assert out is not None, "your function returns None: return the pair (w, b)"
    assert isinstance(out, tuple) and len(out) == 2, f"return a pair (w, b), got {type(out).__name__}"
    w, b = assert_finite_result(out[0], "w", "two weights"), out[1]
    assert w.shape == (2,), f"w must hold two weights, shape (2,), got shape {w.shape}"
    assert np.ndim(b) == 0, f"b must be one number, got shape {np.shape(b)}"
    b = float(assert_finite_result(b, "b", "one number"))
    got = _step_predict(GATE_INPUTS, w, b)
    want = logic_gate("NAND")[1]
    wrong = [tuple(int(v) for v in GATE_INPUTS[i]) for i in np.flatnonzero(got != want)]
    assert not wrong, (f"step(x @ w + b) with w = {w}, b = {b:g} is wrong for input(s) {wrong}: NAND "
                       "is 0 only for (1, 1). Hint: NAND is NOT AND - what happens if you flip the signs of "
                       "AND's weights and bias?")
    z = GATE_INPUTS @ w + b
    note = " (tip: keep points off the line, |z| > 0, so small changes do not flip them)" if np.any(z == 0) else ""
    return f"w = {w}, b = {b:g} gives NAND on all four inputs{note}"
