"""Checks for notebook 02 (activations and the feed-forward pass).

02.1 ReLU and leaky ReLU derivatives, 02.2 a stable softmax, 02.3 weight initialisation, 02.4 a forward pass for
any number of layers, 02.5 a prediction (how saturated is a deep tanh stack with N(0, 1) weights?).

Each check builds its own random inputs and reference values (from the definitions, computed here), so it
tests what the student's function *does*, and fails on the usual mistakes: a derivative that returns the
function itself, a softmax that overflows on large scores or normalises along the wrong axis, an initialiser
that uses the variance as the standard deviation or the global random state, a forward pass that forgets the
bias, stores pre-activations or lets ``zip`` silently drop a layer. The prediction check runs the experiment
itself and compares the measured fraction with the student's choice.
"""
from __future__ import annotations

from typing import Any, Callable, Sequence

import numpy as np

from utils.checks.asserts import assert_close, assert_finite_result, expect, fail
from utils.checks.core import exercise


def _relu(z: np.ndarray) -> np.ndarray:
    return np.maximum(z, 0.0)


def _identity(z: np.ndarray) -> np.ndarray:
    return z


# ---------------------------------------------------------------------------------------------- 02.1

def _must_raise_value_error(call: Callable[[], Any], *, wrong_kind: Callable[[str], str], silent: str) -> None:
    """Run ``call`` (a student's function given a bad argument) and demand a ``ValueError``.

    A stub's ``NotImplementedError`` passes through (the exercise is not attempted); another exception fails
    with ``wrong_kind(<exception name>)``; returning normally fails with ``silent``.
    """
    try:
        call()
    except ValueError:
        return
    except NotImplementedError:
        raise
    except Exception as err:  # noqa: BLE001 - any other error is the wrong kind for a bad argument
        fail(wrong_kind(type(err).__name__))
    fail(silent)

@exercise("02", 1, "ReLU and leaky ReLU derivatives")
def check_relu_derivatives(relu_derivative: Callable[[np.ndarray], np.ndarray],
                           leaky_relu_derivative: Callable[..., np.ndarray]) -> str:
    """``relu_derivative(z)``: 1 where z > 0, 0 where z < 0; ``leaky_relu_derivative(z, alpha)``: 1 or ``alpha``.

    Both elementwise, same shape as ``z``; compared with centred finite differences away from the kink at 0.
    """
    rng = np.random.default_rng(2)
    z = rng.normal(scale=3.0, size=(7, 5))
    z[np.abs(z) < 1e-3] = 0.5  # stay away from the kink at 0, where the derivative is not defined
    h = 1e-6
    got = assert_finite_result(relu_derivative(z.copy()), "relu_derivative(z)",
                               f"an array of 0s and 1s of shape {z.shape}")
    assert got.shape == z.shape, f"relu_derivative(z) must keep the shape of z: got {got.shape} for z of shape {z.shape}"
    numeric = (_relu(z + h) - _relu(z - h)) / (2 * h)  # centred finite differences
    worst = float(np.max(np.abs(got - numeric)))
    assert worst < 1e-6, (f"relu_derivative disagrees with finite differences by up to {worst:.3g}; the slope of "
                          f"ReLU is 1 where z > 0 and 0 where z < 0 (not the value of ReLU itself)")
    big = assert_finite_result(relu_derivative(np.array([-1e6, 1e6, 3.0, -0.25])), "relu_derivative(large z)",
                               "[0, 1, 1, 0]")
    assert_close(big, [0.0, 1.0, 1.0, 0.0], "relu_derivative([-1e6, 1e6, 3, -0.25])")

    for alpha in (0.2, 0.05):
        leaky = lambda v, a=alpha: np.where(v > 0, v, a * v)  # noqa: E731
        got = assert_finite_result(leaky_relu_derivative(z.copy(), alpha=alpha),
                                   f"leaky_relu_derivative(z, alpha={alpha})",
                                   f"an array of 1s and {alpha}s of shape {z.shape}")
        assert got.shape == z.shape, (f"leaky_relu_derivative(z, alpha={alpha}) must keep the shape of z: got "
                                      f"{got.shape} for z of shape {z.shape}")
        numeric = (leaky(z + h) - leaky(z - h)) / (2 * h)
        off = float(np.max(np.abs(got - numeric)))
        if off >= 1e-6:
            negative = got[z < 0]
            if np.allclose(negative, 0.0):
                hint = "it is 0 for z < 0, like ReLU's: leaky ReLU keeps the slope alpha there"
            elif not np.allclose(negative, alpha):
                hint = (f"for z < 0 it should be alpha = {alpha} everywhere, got values like "
                        f"{np.round(negative[:3], 4)} (use the alpha argument, not a fixed number, and not alpha * z)")
            else:
                hint = "for z > 0 the slope is 1"
            fail(f"leaky_relu_derivative(z, alpha={alpha}) disagrees with finite differences by up "
                 f"to {off:.3g}: {hint}")
    return f"both match finite differences on {z.size} points (ReLU max error {worst:.1e}), for two values of alpha"


# ---------------------------------------------------------------------------------------------- 02.2
@exercise("02", 2, "Numerically stable softmax")
def check_softmax(softmax: Callable[[np.ndarray], np.ndarray]) -> str:
    """``softmax(z)`` over the last axis: a vector of shape (k,) or a batch (n, k); must survive scores like 1000."""
    rng = np.random.default_rng(3)

    def reference(z: np.ndarray) -> np.ndarray:
        e = np.exp(z - z.max(axis=-1, keepdims=True))
        return e / e.sum(axis=-1, keepdims=True)

    vec = rng.normal(size=5)
    got = assert_finite_result(softmax(vec.copy()), "softmax of a vector", f"probabilities of shape {vec.shape}")
    assert got.shape == vec.shape, f"softmax of a vector of shape {vec.shape} returned shape {got.shape}"
    assert_close(got, reference(vec), "softmax of a random vector", rtol=1e-6)

    batch = rng.normal(scale=2.0, size=(6, 4))
    got = assert_finite_result(softmax(batch.copy()), "softmax of a batch", f"probabilities of shape {batch.shape}")
    assert got.shape == batch.shape, f"softmax of a batch of shape {batch.shape} returned shape {got.shape}"
    sums = got.sum(axis=1)
    assert np.allclose(sums, 1.0), (f"each ROW of a batch must sum to 1 (normalise over the last axis, "
                                    f"keepdims=True); row sums are {np.round(sums, 3)}")
    assert_close(got, reference(batch), "softmax of a batch", rtol=1e-6)

    extreme = np.array([[1000.0, 1001.0, 999.0], [-1000.0, -1001.0, -999.0]])
    with np.errstate(all="ignore"):
        large = np.asarray(softmax(np.array([1000.0, 1001.0])), dtype=np.float64)
        huge_batch = np.asarray(softmax(extreme.copy()), dtype=np.float64)
    assert np.all(np.isfinite(large)) and np.all(np.isfinite(huge_batch)), (
        "softmax([1000, 1001]) gave NaN/inf: exp(1000) overflows. Subtract the largest score first "
        "(softmax(z) == softmax(z - max(z))).")
    assert_close(large, [1 / (1 + np.e), np.e / (1 + np.e)], "softmax([1000, 1001])", rtol=1e-6)
    assert_close(huge_batch, reference(extreme), "softmax of a batch with scores near ±1000", rtol=1e-6)
    return "matches the definition, rows sum to 1, and survives scores of ±1000"


# ---------------------------------------------------------------------------------------------- 02.3
_STD_RULES: dict[str, Callable[[int, int], float]] = {
    "naive": lambda d_in, d_out: 1.0,
    "xavier": lambda d_in, d_out: float(np.sqrt(2.0 / (d_in + d_out))),
    "he": lambda d_in, d_out: float(np.sqrt(2.0 / d_in)),
}
"""The standard deviation each initialisation gives a layer's weights (the formulas in the notebook)."""


def _params_as_pairs(params: Any, sizes: Sequence[int], what: str) -> list[tuple[np.ndarray, np.ndarray]]:
    """Check that ``params`` is one ``(W, b)`` pair per layer with the right shapes; return them as arrays."""
    expect(params is not None, f"{what} returned None, expected a list of (W, b) pairs. Did you forget `return`?")
    expect(isinstance(params, (list, tuple)),
           f"{what} returned {type(params).__name__}, expected a list of (W, b) pairs, one per layer")
    n_layers = len(sizes) - 1
    assert len(params) == n_layers, (f"{what} returned {len(params)} (W, b) pairs; layer sizes {list(sizes)} describe "
                                     f"{n_layers} layers (one pair between each neighbouring two sizes)")
    pairs = []
    for index, (pair, d_in, d_out) in enumerate(zip(params, sizes[:-1], sizes[1:]), start=1):
        assert isinstance(pair, (list, tuple)) and len(pair) == 2, (
            f"{what}: entry {index - 1} must be a pair (W, b), got {type(pair).__name__}")
        W = assert_finite_result(pair[0], f"{what}: W of layer {index}", f"an array of shape {(d_in, d_out)}")
        b = assert_finite_result(pair[1], f"{what}: b of layer {index}", f"zeros of shape {(d_out,)}")
        expect(not (W.shape == (d_out, d_in) and d_in != d_out),
               f"{what}: W of layer {index} has shape {W.shape}, expected {(d_in, d_out)}: rows are "
               f"the layer's inputs and columns its units (the forward pass computes A @ W)")
        assert W.shape == (d_in, d_out), f"{what}: W of layer {index} has shape {W.shape}, expected {(d_in, d_out)}"
        assert b.shape == (d_out,), f"{what}: b of layer {index} has shape {b.shape}, expected {(d_out,)} (a 1-D array)"
        pairs.append((W, b))
    return pairs


def _std_hint(got: float, expected: float, init: str, d_in: int, d_out: int) -> str:
    """Name the likely mistake behind a weight standard deviation that is off."""
    others = {name: rule(d_in, d_out) for name, rule in _STD_RULES.items() if name != init}
    if np.isclose(got, expected ** 2, rtol=0.05):
        return f"it equals the variance {expected ** 2:.4g}: the formula gives the variance, take its square root"
    if init == "he" and np.isclose(got, np.sqrt(2.0 / d_out), rtol=0.05):
        return "it uses d_out; He's rule divides by the number of INPUTS d_in"
    if init == "xavier" and np.isclose(got, np.sqrt(1.0 / d_in), rtol=0.05):
        return "that is sqrt(1/d_in); Xavier's rule here is sqrt(2 / (d_in + d_out))"
    for name, value in others.items():
        if np.isclose(got, value, rtol=0.05):
            return f"that is the {name!r} rule's value: check which rule goes with which name"
    return f"expected sqrt of the variance in the table ({expected:.4g})"


@exercise("02", 3, "Weight initialisation (naive, Xavier, He)")
def check_init_network(init_network: Callable[..., Any]) -> str:
    """``init_network(layer_sizes, init, rng)`` -> ``[(W, b), ...]`` with W ~ N(0, std**2) by the rule, b = 0."""
    sizes = [300, 200, 100]
    for init, rule in _STD_RULES.items():
        what = f'init_network({sizes}, "{init}", rng)'
        pairs = _params_as_pairs(init_network(list(sizes), init, np.random.default_rng(0)), sizes, what)
        for index, ((W, b), d_in, d_out) in enumerate(zip(pairs, sizes[:-1], sizes[1:]), start=1):
            expected = rule(d_in, d_out)
            got = float(W.std())
            expect(np.isclose(got, expected, rtol=0.05),
                   f"{what}: the weights of layer {index} ({d_in} -> {d_out}) have standard "
                   f"deviation {got:.4g}, expected {expected:.4g}: "
                   f"{_std_hint(got, expected, init, d_in, d_out)}")
            assert abs(float(W.mean())) < 0.05 * expected, (
                f"{what}: the weights of layer {index} have mean {float(W.mean()):.3g}; draw them around 0 "
                f"(rng.normal(0.0, std, size=...))")
            assert np.all(b == 0.0), f"{what}: biases must start at 0, got values like {np.round(b[:3], 3)}"

    small = [5, 4, 3, 2]
    _params_as_pairs(init_network(list(small), "he", np.random.default_rng(0)), small,
                     f'init_network({small}, "he", rng)')

    first = init_network([6, 4], "he", np.random.default_rng(1))[0][0]
    again = init_network([6, 4], "he", np.random.default_rng(1))[0][0]
    other = init_network([6, 4], "he", np.random.default_rng(2))[0][0]
    assert np.array_equal(np.asarray(first), np.asarray(again)) and not np.array_equal(np.asarray(first),
                                                                                         np.asarray(other)), (
        "the same rng seed must give the same weights and another seed other weights: draw from the rng argument "
        "(rng.normal(...)), not np.random.normal or np.random.randn")

    _must_raise_value_error(
        lambda: init_network([3, 2], "lecun", np.random.default_rng(0)),
        wrong_kind=lambda name: (f'init_network([3, 2], "lecun", rng) raised {name}; raise ValueError '
                                 f"naming the allowed values (\"naive\", \"xavier\", \"he\")"),
        silent='init_network([3, 2], "lecun", rng) returned without complaint: a misspelt init must '
               'raise ValueError naming the allowed values, not silently pick a rule')
    return "shapes, zero biases and the standard deviation of all three rules are right; seeded and validated"


# ---------------------------------------------------------------------------------------------- 02.4
def _reference_layers(params: Sequence[tuple[np.ndarray, np.ndarray]], X: np.ndarray,
                      activations: Sequence[Callable[[np.ndarray], np.ndarray]]) -> tuple[list[np.ndarray],
                                                                                         list[np.ndarray]]:
    """Pre-activations ``[Z1, ...]`` and activations ``[X, A1, ...]`` from the definition."""
    A, layers, pre = X, [X], []
    for (W, b), g in zip(params, activations):
        Z = A @ W + b
        A = g(Z)
        pre.append(Z)
        layers.append(A)
    return pre, layers


def _unpack_forward(result: Any, what: str) -> tuple[Any, Any]:
    """``(output, layers)`` from what the student's forward returned, or an AssertionError saying what came back."""
    expect(result is not None, f"{what} returned None, expected (output, layers). Did you forget `return`?")
    expect(not isinstance(result, np.ndarray) and isinstance(result, (list, tuple)) and len(result) == 2,
           f"{what} returned {type(result).__name__}; return TWO things: the output and the list of "
           f"every layer's activations, `return A, layers`")
    return result[0], result[1]


@exercise("02", 4, "Forward pass for any number of layers")
def check_forward(forward: Callable[..., Any]) -> str:
    """``forward(params, X, activations)`` -> ``(A_L, [X, A_1, ..., A_L])`` with ``A_l = g_l(A_{l-1} @ W_l + b_l)``."""
    rng = np.random.default_rng(5)
    sizes = [4, 6, 5, 3]
    params = [(rng.normal(size=(a, b)), rng.normal(size=b)) for a, b in zip(sizes[:-1], sizes[1:])]
    X = rng.normal(size=(7, sizes[0]))
    acts = [np.tanh, _relu, _identity]
    pre, expected = _reference_layers(params, X, acts)
    what = "forward(params, X, [tanh, relu, identity])"
    params_copy = [(W.copy(), b.copy()) for W, b in params]
    X_copy = X.copy()
    out, layers = _unpack_forward(forward(params_copy, X_copy, list(acts)), what)

    out = assert_finite_result(out, f"{what}: the output", f"an array of shape {expected[-1].shape}")
    assert out.shape == expected[-1].shape, (f"{what}: the output has shape {out.shape}, expected "
                                             f"{expected[-1].shape} (batch size, units of the last layer)")
    no_bias = _reference_layers([(W, 0.0 * b) for W, b in params], X, acts)[1][-1]
    no_activation = _reference_layers(params, X, [_identity] * len(acts))[1][-1]
    for wrong, missing in ((no_bias, "the biases"), (no_activation, "the activation functions")):
        expect(not (out.shape == wrong.shape and np.allclose(out, wrong)),
               f"{what}: the output is what the layers give without {missing}: each layer "
               f"computes g(A @ W + b) with its own g from the list")
    assert_close(out, expected[-1], f"{what}: the output")

    assert isinstance(layers, (list, tuple)), (f"{what}: the second thing returned must be a list of arrays "
                                               f"[X, A1, A2, A3], got {type(layers).__name__}")
    expect(len(layers) != len(sizes) - 1,
           f"{what}: the list of activations has {len(layers)} arrays, expected {len(sizes)}: "
           f"put the input X first, then one array per layer")
    assert len(layers) == len(sizes), (f"{what}: the list of activations has {len(layers)} arrays, expected "
                                       f"{len(sizes)} (the input X, then one per layer)")
    for index, (got, want) in enumerate(zip(layers, expected)):
        name = "X" if index == 0 else f"A{index}"
        got = assert_finite_result(got, f"{what}: layers[{index}] ({name})", f"an array of shape {want.shape}")
        assert got.shape == want.shape, f"{what}: layers[{index}] ({name}) has shape {got.shape}, expected {want.shape}"
        pre_differs = index and index < len(pre) and not np.allclose(pre[index - 1], want)
        expect(not (pre_differs and np.allclose(got, pre[index - 1])),
               f"{what}: layers[{index}] holds the pre-activation A @ W + b; store the activation "
               f"g(A @ W + b) that the next layer receives")
        assert_close(got, want, f"{what}: layers[{index}] ({name})")
    assert_close(layers[-1], out, f"{what}: layers[-1] (the last layer must be the output)")
    unchanged = all(np.array_equal(W, W0) and np.array_equal(b, b0) for (W, b), (W0, b0) in zip(params_copy, params))
    assert unchanged and np.array_equal(X_copy, X), (f"{what} changed its arguments in place (e.g. `A += b` on the "
                                                     f"input array); compute new arrays instead")

    deep_sizes = [8] * 11
    deep = [(rng.normal(size=(8, 8)) / np.sqrt(8), rng.normal(size=8)) for _ in range(10)]
    X_deep = rng.normal(size=(3, 8))
    out_deep, layers_deep = _unpack_forward(forward(deep, X_deep, [np.tanh] * 10), "forward with 10 tanh layers")
    assert_close(out_deep, _reference_layers(deep, X_deep, [np.tanh] * 10)[1][-1], "forward with 10 tanh layers")
    assert isinstance(layers_deep, (list, tuple)) and len(layers_deep) == len(deep_sizes), (
        f"forward with 10 layers must return 11 arrays (X and one per layer), got "
        f"{len(layers_deep) if isinstance(layers_deep, (list, tuple)) else type(layers_deep).__name__}")

    _must_raise_value_error(
        lambda: forward(params, X, acts[:2]),
        wrong_kind=lambda name: (f"forward with 3 layers but 2 activations raised {name}; check "
                                 f"len(activations) == len(params) first and raise ValueError"),
        silent="forward with 3 layers of params but only 2 activations returned without complaint: zip() "
               "stops at the shorter list, so layer 3 was silently skipped. Check len(activations) == "
               "len(params) first and raise ValueError")
    return "right output and every layer's activations for 3 and 10 layers; a missing activation raises ValueError"


# ---------------------------------------------------------------------------------------------- 02.5
SATURATION_CHOICES: dict[str, tuple[float, float, str]] = {
    "A": (0.00, 0.05, "less than 5 %"),
    "B": (0.05, 0.35, "between 5 % and 35 %"),
    "C": (0.35, 0.65, "between 35 % and 65 %"),
    "D": (0.65, 1.00, "more than 65 %"),
}
"""Exercise 02.5's choices: letter -> (low, high, text) for the fraction of saturated activations."""


def saturated_fraction(init: str = "naive", *, depth: int = 10, width: int = 256, n: int = 500, seed: int = 0,
                       threshold: float = 0.99) -> float:
    """Fraction of the last layer's tanh activations with ``|a| > threshold``, for a batch of N(0, 1) inputs.

    The experiment of exercise 02.5: ``n`` examples with ``width`` standard-normal features through ``depth``
    tanh layers of ``width`` units, weights drawn by ``init`` (see :data:`_STD_RULES`), biases 0. Takes ~10 ms.
    """
    rng = np.random.default_rng(seed)
    A = rng.normal(size=(n, width))
    for _ in range(depth):
        A = np.tanh(A @ rng.normal(0.0, _STD_RULES[init](width, width), size=(width, width)))
    return float(np.mean(np.abs(A) > threshold))


@exercise("02", 5, "Predict: saturation in a deep tanh stack")
def check_saturation_prediction(answer: Any) -> str:
    """``answer``: the letter A–D of :data:`SATURATION_CHOICES` the student predicts, or a function of no arguments
    returning it (so a stub that raises NotImplementedError counts as not attempted); checked against a real run."""
    letters = ", ".join(repr(k) for k in SATURATION_CHOICES)
    if callable(answer):
        answer = answer()
    assert answer is not None, f"your answer is None: set it to one of the letters {letters}"
    letter = str(answer).strip().upper()
    assert letter in SATURATION_CHOICES, f"answer with one of the letters {letters}, got {answer!r}"
    measured = saturated_fraction("naive")
    low, high, text = SATURATION_CHOICES[letter]
    expect(low <= measured <= high,
           f"you chose {letter} ({text}); the run gives {measured:.1%}. Why: each unit adds up 256 inputs times "
           f"N(0, 1) weights, so its z has standard deviation about sqrt(256) x (typical |a|), roughly 16 once the "
           f"activations are near ±1, while tanh is flat (|a| > 0.99) wherever |z| > 2.65. Change your answer to "
           f"the choice that fits the run, then re-run this check")
    return (f"you chose {letter} ({text}); the run gives {measured:.1%} of layer 10's activations with |a| > 0.99 "
            f"(with He weights: {saturated_fraction('he'):.1%})")
