"""Checks of notebook 04: each passes on a right answer (the course's reference), fails on plausible wrong ones with
a hint, and reports a stub as not attempted."""
import math

import numpy as np
import pytest

from utils.checks import RESULTS
from utils.checks import backpropagation as backprop
from utils.reference import layers


def _stub(*args, **kwargs):
    raise NotImplementedError()


def _fails(check, *args, match=None):
    with pytest.raises(AssertionError, match=match):
        check(*args)


# ---------------------------------------------------------------- 04.1 affine
def test_affine_passes_on_the_reference():
    assert backprop.check_affine(layers.affine_forward, layers.affine_backward) is True


@pytest.mark.parametrize("wrong_backward, match", [
    (lambda dout, c: (dout @ c[1].T, dout.T @ c[0], dout.sum(axis=0)), "dW"),                     # dW transposed
    (lambda dout, c: (dout @ c[1].T, (dout.T @ c[0]).reshape(c[1].shape), dout.sum(axis=0)), "dW"),  # + reshaped
    (lambda dout, c: (dout @ c[1].T, c[0].T @ dout, dout), "db"),                                 # no sum for db
    (lambda dout, c: (dout @ c[1].T, c[0].T @ dout, dout.mean(axis=0)), "db"),                    # mean, not sum
    (lambda dout, c: (dout @ c[1].T, c[0].T @ dout, dout.sum(axis=1)), "db"),                     # wrong axis
    (lambda dout, c: (dout @ c[1], c[0].T @ dout, dout.sum(axis=0)), "transpose"),                    # W not transposed
    (lambda dout, c: (c[0].T @ dout, dout.sum(axis=0)), "tuple"),                                 # two results
    (lambda dout, c: None, "tuple"),                                                              # forgot return
    (lambda dout, c: (dout @ c[1].T, c[0].T @ dout, np.full(c[2].shape, np.nan)), "NaN"),          # NaN
], ids=["dW-transposed", "dW-transposed-reshaped", "db-no-sum", "db-mean", "db-wrong-axis", "dx-no-transpose",
        "two-results", "none", "nan"])
def test_affine_fails_on_wrong_backward(wrong_backward, match):
    _fails(backprop.check_affine, layers.affine_forward, wrong_backward, match=match)


@pytest.mark.parametrize("wrong_forward", [
    lambda x, W, b: (x @ W, (x, W, b)),             # forgot b
    lambda x, W, b: x @ W + b,                       # no cache
    lambda x, W, b: (None, (x, W, b)),               # no out
], ids=["no-bias", "no-cache", "none"])
def test_affine_fails_on_wrong_forward(wrong_forward):
    _fails(backprop.check_affine, wrong_forward, layers.affine_backward)


def test_affine_stub_is_not_attempted():
    with pytest.raises(NotImplementedError):
        backprop.check_affine(_stub, layers.affine_backward)
    with pytest.raises(NotImplementedError):
        backprop.check_affine(layers.affine_forward, _stub)
    assert RESULTS.results[("04", 1)][0] == "not attempted"


# ---------------------------------------------------------------- 04.2 ReLU, 04.3 sigmoid
def test_relu_and_sigmoid_pass_on_the_reference():
    assert backprop.check_relu(layers.relu_forward, layers.relu_backward) is True
    assert backprop.check_sigmoid(layers.sigmoid_forward, layers.sigmoid_backward) is True


@pytest.mark.parametrize("forward, backward", [
    (layers.relu_forward, lambda dout, x: (x > 0).astype(float)),          # forgot dout
    (layers.relu_forward, lambda dout, x: dout * (x < 0)),                 # wrong side
    (layers.relu_forward, lambda dout, x: dout),                           # passes everything
    (layers.relu_forward, lambda dout, x: np.sum(dout * (x > 0))),         # summed away the shape
    (lambda x: (np.abs(x), x), layers.relu_backward),                      # wrong forward
    (lambda x: np.maximum(0, x), layers.relu_backward),                    # no cache
    (layers.relu_forward, lambda dout, x: None),
], ids=["no-dout", "wrong-side", "identity", "summed", "abs", "no-cache", "none"])
def test_relu_fails_on_wrong_answers(forward, backward):
    _fails(backprop.check_relu, forward, backward)


@pytest.mark.parametrize("forward, backward", [
    (layers.sigmoid_forward, lambda dout, s: dout * s),                    # forgot (1 - s)
    (layers.sigmoid_forward, lambda dout, s: s * (1 - s)),                 # forgot dout
    (layers.sigmoid_forward, lambda dout, s: dout * s * (1 - s) + 1e-3),   # a small systematic error
    (lambda x: (1 / (1 + np.exp(-x)), x), layers.sigmoid_backward),        # cached x, backward expects s
    (lambda x: (np.tanh(x), np.tanh(x)), layers.sigmoid_backward),         # wrong function
    (layers.sigmoid_forward, lambda dout, s: None),
], ids=["no-1-minus-s", "no-dout", "offset", "cached-input", "tanh", "none"])
def test_sigmoid_fails_on_wrong_answers(forward, backward):
    _fails(backprop.check_sigmoid, forward, backward)


def test_relu_and_sigmoid_stubs_are_not_attempted():
    with pytest.raises(NotImplementedError):
        backprop.check_relu(_stub, _stub)
    with pytest.raises(NotImplementedError):
        backprop.check_sigmoid(layers.sigmoid_forward, _stub)


# ---------------------------------------------------------------- 04.4 softmax cross-entropy
def test_softmax_cross_entropy_passes_on_the_reference():
    assert backprop.check_softmax_cross_entropy(layers.softmax_cross_entropy) is True


def _unstable(scores, y):
    p = np.exp(scores) / np.exp(scores).sum(axis=1, keepdims=True)
    n = len(y)
    d = p.copy()
    d[np.arange(n), y] -= 1
    return float(-np.log(p[np.arange(n), y]).mean()), d / n


def _summed(scores, y):
    loss, d = layers.softmax_cross_entropy(scores, y)
    return loss * len(y), d * len(y)


def _no_div_n(scores, y):
    loss, d = layers.softmax_cross_entropy(scores, y)
    return loss, d * len(y)


def _no_minus_one(scores, y):
    loss, d = layers.softmax_cross_entropy(scores, y)
    d = d * len(y)
    d[np.arange(len(y)), y] += 1
    return loss, d / len(y)


@pytest.mark.parametrize("wrong, match", [
    (_unstable, "subtract each row's maximum"),
    (_summed, "mean over the batch"),
    (_no_div_n, "divided by n"),
    (_no_minus_one, "minus 1"),
    (lambda s, y: layers.softmax_cross_entropy(s, y)[0], "pair"),
    (lambda s, y: (None, None), "None"),
], ids=["unstable", "summed", "no-div-n", "no-minus-one", "loss-only", "none"])
def test_softmax_cross_entropy_fails_on_wrong_answers(wrong, match):
    _fails(backprop.check_softmax_cross_entropy, wrong, match=match)


def test_softmax_cross_entropy_stub_is_not_attempted():
    with pytest.raises(NotImplementedError):
        backprop.check_softmax_cross_entropy(_stub)


# ---------------------------------------------------------------- 04.5 network of any depth
def test_network_passes_on_the_reference():
    assert backprop.check_network(layers.Network) is True


class _ActOnScores(layers.Network):
    """Applies the activation after the last layer too."""

    def loss(self, X, y=None):
        saved = self.n_layers
        self.n_layers += 1
        self.params[f"W{self.n_layers}"] = np.eye(self.params[f"W{saved}"].shape[1])
        self.params[f"b{self.n_layers}"] = np.zeros(self.params[f"W{saved}"].shape[1])
        try:
            out = super().loss(X, y)
        finally:
            del self.params[f"W{self.n_layers}"], self.params[f"b{self.n_layers}"]
            self.n_layers = saved
        if y is None:
            return out
        return out[0], {k: v for k, v in out[1].items() if k in self.params}


class _FixedTwoLayers(layers.Network):
    """Ignores depth: only the first and last layer's gradients are right-shaped, middle ones are missing."""

    def loss(self, X, y=None):
        out = super().loss(X, y)
        if y is None:
            return out
        loss, grads = out
        return loss, {k: grads[k] for k in ("W1", "b1") if k in grads}


class _NoActivationBackward(layers.Network):
    def loss(self, X, y=None):
        fwd, bwd = layers.ACTIVATIONS[self.activation]
        layers.ACTIVATIONS[self.activation] = (fwd, lambda dout, cache: dout)
        try:
            return super().loss(X, y)
        finally:
            layers.ACTIVATIONS[self.activation] = (fwd, bwd)


class _ChangesParams(layers.Network):
    def loss(self, X, y=None):
        out = super().loss(X, y)
        if y is not None:
            for k in self.params:
                self.params[k] -= 0.1 * out[1][k]
        return out


class _MeanBias(layers.Network):
    def loss(self, X, y=None):
        out = super().loss(X, y)
        if y is None:
            return out
        loss, grads = out
        return loss, {k: (g / len(X) if k.startswith("b") else g) for k, g in grads.items()}


@pytest.mark.parametrize("wrong, match", [
    (_ActOnScores, "scores"),
    (_FixedTwoLayers, "same names"),
    (_NoActivationBackward, "grads"),
    (_ChangesParams, "changed"),
    (_MeanBias, "grads"),
], ids=["activation-on-scores", "missing-layers", "no-activation-backward", "changes-params", "mean-bias"])
def test_network_fails_on_wrong_answers(wrong, match):
    _fails(backprop.check_network, wrong, match=match)


def test_network_stub_is_not_attempted():
    class Stub(layers.Network):
        def loss(self, X, y=None):
            raise NotImplementedError()
    with pytest.raises(NotImplementedError):
        backprop.check_network(Stub)


# ---------------------------------------------------------------- 04.6 predict the initial loss
def test_initial_loss_prediction_passes_on_right_predictions():
    assert backprop.check_initial_loss_prediction(lambda: (math.log(3), math.log(10), "a")) is True
    assert backprop.check_initial_loss_prediction(lambda: (1.1, 2.3, "(A)")) is True


@pytest.mark.parametrize("answer, match", [
    ((1 / 3, math.log(10), "a"), "loss_3_classes"),       # the probability, not the loss
    ((math.log(3), 1.1, "a"), "loss_10_classes"),          # same number for every C
    ((0.0, 0.0, "a"), "loss_3_classes"),                   # "an untrained network has no loss"
    ((math.log(3), math.log(10), "b"), "not 'b'"),         # blames the learning rate
    ((math.log(3), math.log(10), "c"), "not 'c'"),
    ((math.log(3), math.log(10), "d"), "one of"),
    ((math.log(3), math.log(10), None), "one of"),
    ((None, math.log(10), "a"), "None"),
    (("1.1", math.log(10), "a"), "number"),
    ((float("nan"), math.log(10), "a"), "NaN"),
    ((math.log(3), math.log(10)), "three values"),
    (None, "three values"),
], ids=["probability", "same-for-all-C", "zero", "learning-rate", "labels", "bad-letter", "no-letter", "none",
        "text", "nan", "two-values", "returns-none"])
def test_initial_loss_prediction_fails_on_wrong_predictions(answer, match):
    _fails(backprop.check_initial_loss_prediction, lambda: answer, match=match)


def test_initial_loss_prediction_stub_is_not_attempted():
    with pytest.raises(NotImplementedError):
        backprop.check_initial_loss_prediction(_stub)


# ---------------------------------------------------------------- references
def test_reference_network_overfits_20_points_and_starts_at_log_c():
    from utils.data import make_spirals

    X, y = make_spirals(20, n_classes=3, seed=0)
    tiny = layers.Network([2, 50, 3], weight_scale=1e-3)
    assert abs(tiny.loss(X, y)[0] - math.log(3)) < 1e-3
    net = layers.Network([2, 50, 50, 3], seed=0)
    for _ in range(500):
        _, grads = net.loss(X, y)
        net.params = {k: v - 0.5 * grads[k] for k, v in net.params.items()}
    assert np.mean(net.loss(X).argmax(axis=1) == y) == 1.0


def test_reference_sigmoid_does_not_overflow():
    out, _ = layers.sigmoid_forward(np.array([-1000.0, 0.0, 1000.0]))
    assert np.allclose(out, [0.0, 0.5, 1.0])
