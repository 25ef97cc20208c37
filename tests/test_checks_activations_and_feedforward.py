"""Checks of notebook 02: each passes on a right answer (the course's reference), fails on plausible wrong ones
with a hint naming the mistake, and reports a stub as not attempted."""
import numpy as np
import pytest

from utils.checks import activations_and_feedforward as activations
from utils.reference import feedforward


def _stub(*args, **kwargs):
    raise NotImplementedError()


# ---------------------------------------------------------------- 02.1 ReLU and leaky ReLU derivatives
def leaky_right(z, alpha=0.1):
    return np.where(z > 0, 1.0, alpha)


def test_relu_derivatives_pass_on_right_answer():
    assert activations.check_relu_derivatives(lambda z: (z > 0).astype(float), leaky_right) is True
    assert activations.check_relu_derivatives(feedforward.relu_derivative, feedforward.leaky_relu_derivative) is True


@pytest.mark.parametrize("wrong", [
    lambda z: np.maximum(z, 0),              # returned ReLU itself
    lambda z: np.ones_like(z),               # slope 1 everywhere
    lambda z: (z < 0).astype(float),         # flipped
    lambda z: np.where(z > 0, 1.0, 0.01),    # leaky ReLU's derivative
    lambda z: float(np.mean(z > 0)),         # collapsed the shape
], ids=["relu-itself", "ones", "flipped", "leaky", "scalar"])
def test_relu_derivative_fails_on_wrong_answers(wrong):
    with pytest.raises(AssertionError):
        activations.check_relu_derivatives(wrong, leaky_right)


@pytest.mark.parametrize("wrong, hint", [
    (lambda z, alpha=0.1: (z > 0).astype(float), "like ReLU's"),
    (lambda z, alpha=0.1: np.where(z > 0, 1.0, 0.01), "use the alpha argument"),
    (lambda z, alpha=0.1: np.where(z > 0, 1.0, alpha * z), "not alpha \\* z"),
    (lambda z, alpha=0.1: np.where(z > 0, z, alpha), "for z > 0 the slope is 1"),
    (lambda z, alpha=0.1: np.where(z > 0, 1.0, alpha)[0], "must keep the shape"),
], ids=["relu-derivative", "fixed-alpha", "alpha-times-z", "z-for-positive", "first-row"])
def test_leaky_relu_derivative_fails_with_a_hint(wrong, hint):
    with pytest.raises(AssertionError, match=hint):
        activations.check_relu_derivatives(lambda z: (z > 0).astype(float), wrong)


def test_relu_derivatives_stub_is_not_attempted():
    with pytest.raises(NotImplementedError, match="02.1"):
        activations.check_relu_derivatives(_stub, _stub)


# ---------------------------------------------------------------- 02.2 softmax
def softmax_right(z):
    z = np.asarray(z, dtype=float)
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def test_softmax_passes_on_right_answer():
    assert activations.check_softmax(softmax_right) is True
    assert activations.check_softmax(feedforward.softmax) is True


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


# ---------------------------------------------------------------- 02.3 init_network
def make_init(std_rule=None, *, bias=None, transpose=False, global_rng=False, validate=True, shift=0.0):
    """An init_network built like the reference, with one thing changed."""
    rules = {"naive": lambda a, b: 1.0, "xavier": lambda a, b: np.sqrt(2 / (a + b)), "he": lambda a, b: np.sqrt(2 / a)}
    if std_rule:
        rules.update(std_rule)

    def init_network(layer_sizes, init, rng):
        if init not in rules:
            if validate:
                raise ValueError(init)
            init = "he"
        out = []
        for a, b in zip(layer_sizes[:-1], layer_sizes[1:]):
            draw = np.random.normal if global_rng else rng.normal
            W = draw(shift, rules[init](a, b), size=(a, b))
            out.append((W.T if transpose else W, np.zeros(b) if bias is None else bias(b, rng)))
        return out
    return init_network


def test_init_network_passes_on_right_answer():
    assert activations.check_init_network(make_init()) is True
    assert activations.check_init_network(feedforward.init_network) is True


@pytest.mark.parametrize("wrong, hint", [
    (make_init({"he": lambda a, b: 2 / a}), "equals the variance"),
    (make_init({"xavier": lambda a, b: 2 / (a + b)}), "equals the variance"),
    (make_init({"he": lambda a, b: np.sqrt(2 / b)}), "uses d_out"),
    (make_init({"xavier": lambda a, b: np.sqrt(1 / a)}), "sqrt\\(1/d_in\\)"),
    (make_init({"he": lambda a, b: np.sqrt(2 / (a + b)), "xavier": lambda a, b: np.sqrt(2 / a)}), "rule's value"),
    (make_init({"naive": lambda a, b: 0.01}), "standard deviation"),
    (make_init(shift=0.1), "mean"),
    (make_init(bias=lambda b, rng: rng.normal(size=b)), "biases must start at 0"),
    (make_init(bias=lambda b, rng: np.zeros((1, b))), "a 1-D array"),
    (make_init(transpose=True), "rows are the layer's inputs"),
    (make_init(global_rng=True), "draw from the rng argument"),
    (make_init(validate=False), "raise ValueError"),
    (lambda sizes, init, rng: None, "returned None"),
    (lambda sizes, init, rng: make_init()(sizes, init, rng)[:1], "returned 1 \\(W, b\\) pairs"),
    (lambda sizes, init, rng: [W for W, _ in make_init()(sizes, init, rng)], "must be a pair"),
], ids=["he-variance", "xavier-variance", "he-d_out", "lecun", "swapped", "tiny-naive", "not-centred",
        "random-bias", "bias-2d", "transposed", "global-rng", "no-validation", "none", "one-layer", "no-bias"])
def test_init_network_fails_with_a_hint(wrong, hint):
    with pytest.raises(AssertionError, match=hint):
        activations.check_init_network(wrong)


def test_init_network_wrong_error_type_is_named():
    def keyerror_init(layer_sizes, init, rng):
        {"naive": 1.0, "xavier": 0.0, "he": 0.0}[init]  # KeyError for an unknown init
        return make_init()(layer_sizes, init, rng)
    with pytest.raises(AssertionError, match="raised KeyError; raise ValueError"):
        activations.check_init_network(keyerror_init)


def test_init_network_stub_is_not_attempted():
    with pytest.raises(NotImplementedError, match="02.3"):
        activations.check_init_network(_stub)


# ---------------------------------------------------------------- 02.4 forward
def forward_right(params, X, acts):
    if len(acts) != len(params):
        raise ValueError("one activation per layer")
    A, layers = X, [X]
    for (W, b), g in zip(params, acts):
        A = g(A @ W + b)
        layers.append(A)
    return A, layers


def test_forward_passes_on_right_answer():
    assert activations.check_forward(forward_right) is True
    assert activations.check_forward(feedforward.forward) is True


def forward_no_check(params, X, acts):
    A, layers = X, [X]
    for (W, b), g in zip(params, acts):
        A = g(A @ W + b)
        layers.append(A)
    return A, layers


def forward_no_bias(params, X, acts):
    return forward_right([(W, 0 * b) for W, b in params], X, acts)


def forward_no_activation(params, X, acts):
    return forward_right(params, X, [lambda z: z] * len(acts))


def forward_without_input(params, X, acts):
    A, layers = forward_right(params, X, acts)
    return A, layers[1:]


def forward_pre_activations(params, X, acts):
    if len(acts) != len(params):
        raise ValueError("one activation per layer")
    A, layers = X, [X]
    for (W, b), g in zip(params, acts):
        Z = A @ W + b
        layers.append(Z)
        A = g(Z)
    layers[-1] = A
    return A, layers


def forward_in_place(params, X, acts):
    for W, b in params:
        b += 0.0
        W *= 1.0
    X += 1.0
    return forward_right(params, X - 1.0, acts)


def forward_only_output(params, X, acts):
    return forward_right(params, X, acts)[0]


def forward_last_activation_only(params, X, acts):
    if len(acts) != len(params):
        raise ValueError("one activation per layer")
    A, layers = X, [X]
    for i, ((W, b), g) in enumerate(zip(params, acts)):
        A = A @ W + b
        if i == len(params) - 1:
            A = g(A)
        layers.append(A)
    return A, layers


def forward_key_error(params, X, acts):
    if len(acts) != len(params):
        raise IndexError("short")
    return forward_right(params, X, acts)


@pytest.mark.parametrize("wrong, hint", [
    (forward_no_check, "zip\\(\\) stops at the shorter list"),
    (forward_no_bias, "without the biases"),
    (forward_no_activation, "without the activation functions"),
    (forward_without_input, "put the input X first"),
    (forward_pre_activations, "holds the pre-activation"),
    (forward_in_place, "changed its arguments in place"),
    (forward_only_output, "return TWO things"),
    (forward_last_activation_only, "the output"),
    (forward_key_error, "raised IndexError"),
    (lambda params, X, acts: None, "returned None"),
], ids=["no-length-check", "no-bias", "no-activation", "no-input", "pre-activations", "in-place", "only-output",
        "last-activation-only", "wrong-error", "none"])
def test_forward_fails_with_a_hint(wrong, hint):
    with pytest.raises(AssertionError, match=hint):
        activations.check_forward(wrong)


def test_forward_stub_is_not_attempted():
    with pytest.raises(NotImplementedError, match="02.4"):
        activations.check_forward(_stub)


# ---------------------------------------------------------------- 02.5 saturation prediction
def test_the_prediction_is_checked_against_a_real_run():
    measured = activations.saturated_fraction("naive")
    right = [k for k, (lo, hi, _) in activations.SATURATION_CHOICES.items() if lo <= measured <= hi]
    assert len(right) == 1
    assert activations.check_saturation_prediction(right[0].lower()) is True
    for letter in set(activations.SATURATION_CHOICES) - set(right):
        with pytest.raises(AssertionError, match=f"the run gives {100 * measured:.1f}%"):
            activations.check_saturation_prediction(letter)


def test_the_experiment_behind_the_prediction():
    assert activations.saturated_fraction("naive") > 0.65  # N(0, 1) weights: z has std ~16, tanh is flat
    assert activations.saturated_fraction("he") < 0.05
    assert activations.saturated_fraction("xavier") < 0.05


@pytest.mark.parametrize("answer, hint", [(None, "is None"), ("E", "one of the letters"), (0.8, "one of the letters")])
def test_a_malformed_prediction_is_named(answer, hint):
    with pytest.raises(AssertionError, match=hint):
        activations.check_saturation_prediction(answer)


def test_saturation_prediction_can_be_a_function_and_its_stub_is_not_attempted():
    measured = activations.saturated_fraction("naive")
    right = next(k for k, (lo, hi, _) in activations.SATURATION_CHOICES.items() if lo <= measured <= hi)
    assert activations.check_saturation_prediction(lambda: right) is True
    with pytest.raises(NotImplementedError, match="02.5"):
        activations.check_saturation_prediction(_stub)


# ---------------------------------------------------------------- hints name what came back (None, NaN)
@pytest.mark.parametrize("check, wrong, hint", [
    (lambda f: activations.check_relu_derivatives(f, leaky_right), lambda z: None,
     r"relu_derivative\(z\): your function returned None, expected an array of 0s and 1s of shape \(7, 5\)\. "
     r"Did you forget `return`"),
    (activations.check_softmax, lambda z: None, r"softmax of a vector: your function returned None"),
    (activations.check_softmax, lambda z: np.exp(z) / np.zeros_like(z) * 0, r"softmax of a vector: your function "
                                                                            r"returned NaN in 5 of 5 entries"),
    (activations.check_init_network, lambda s, i, r: [(np.full((a, b), np.nan), np.zeros(b))
                                                      for a, b in zip(s[:-1], s[1:])],
     r"W of layer 1: your function returned NaN"),
    (activations.check_forward, lambda p, X, a: (None, [X]), r"the output: your function returned None"),
], ids=["relu-none", "softmax-none", "softmax-nan", "init-nan", "forward-none"])
def test_hints_say_what_was_returned(check, wrong, hint):
    with np.errstate(all="ignore"), pytest.raises(AssertionError, match=hint) as info:
        check(wrong)
    assert "contains NaN or inf" not in str(info.value)
