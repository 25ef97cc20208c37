"""Checks of notebook 12 pass on the reference answers, fail on plausible wrong ones, and report a stub; the
reference builders give the documented shapes."""
import keras
import numpy as np
import pytest
import tensorflow as tf

from utils.checks import stylegan_ideas_and_ethics as ga
from utils.reference import stylegan as ref


def _stub(*args, **kwargs):
    raise NotImplementedError()


# ---------------------------------------------------------------- 12.1 AdaIN layer
def test_adain_layer_passes():
    assert ga.check_adain_layer(ref.AdaIN) is True


class _AdaINVariant(ref.AdaIN):
    """The reference layer with one step changed by ``restyle(x_normalised_or_raw, s, b, x, w)``."""

    axes = [1, 2]
    normalise = True

    def call(self, inputs):
        x, w = inputs
        if self.normalise:
            mean, var = tf.nn.moments(x, axes=self.axes, keepdims=True)
            x = (x - mean) * tf.math.rsqrt(var + 1e-5)
        s, b = tf.split(self.style(w), 2, axis=-1)
        return self.restyle(x, s[:, None, None, :], b[:, None, None, :])

    def restyle(self, x, s, b):
        return x * (1.0 + s) + b


class _BatchStats(_AdaINVariant):
    axes = [0, 1, 2]


class _LayerNorm(_AdaINVariant):
    axes = [1, 2, 3]


class _NoNorm(_AdaINVariant):
    normalise = False


class _NoOne(_AdaINVariant):
    def restyle(self, x, s, b):
        return x * s + b


class _Swapped(_AdaINVariant):
    def restyle(self, x, s, b):
        return x * (1.0 + b) + s


class _NoBias(_AdaINVariant):
    def restyle(self, x, s, b):
        return x * (1.0 + s)


class _NoStyleAttribute(keras.layers.Layer):
    def build(self, shapes):
        self.dense = keras.layers.Dense(2 * shapes[0][-1])

    def call(self, inputs):
        x, w = inputs
        mean, var = tf.nn.moments(x, axes=[1, 2], keepdims=True)
        s, b = tf.split(self.dense(w), 2, axis=-1)
        return (x - mean) * tf.math.rsqrt(var + 1e-5) * (1 + s[:, None, None, :]) + b[:, None, None, :]


@pytest.mark.parametrize("wrong", [_BatchStats, _LayerNorm, _NoNorm, _NoOne, _Swapped, _NoBias, _NoStyleAttribute],
                         ids=["batch-stats", "layer-norm", "no-norm", "no-one-plus", "swapped", "no-bias", "no-style"])
def test_adain_layer_fails(wrong):
    with pytest.raises(AssertionError):
        ga.check_adain_layer(wrong)


class _StubLayer(keras.layers.Layer):
    def build(self, shapes):
        raise NotImplementedError()

    def call(self, inputs):
        raise NotImplementedError()


def test_adain_layer_stub():
    with pytest.raises(NotImplementedError):
        ga.check_adain_layer(_StubLayer)


# ---------------------------------------------------------------- 12.2 mapping network
def test_mapping_passes():
    assert ga.check_mapping(ref.pixel_norm, ref.build_mapping) is True


def test_mapping_accepts_activation_argument():
    def build(z_dim, w_dim, depth):
        z = keras.Input((z_dim,))
        x = keras.layers.Lambda(ref.pixel_norm)(z)
        for _ in range(depth):
            x = keras.layers.Dense(w_dim, activation="leaky_relu")(x)
        return keras.Model(z, x)
    assert ga.check_mapping(ref.pixel_norm, build) is True


def _unit_length(z):
    return z / tf.norm(z, axis=-1, keepdims=True)


def _batch_norm(z):
    mean, var = tf.nn.moments(z, axes=[0], keepdims=True)
    return (z - mean) * tf.math.rsqrt(var + 1e-8)


def _mapping(norm=ref.pixel_norm, act=lambda: keras.layers.LeakyReLU(0.2), depth_offset=0, width=None):
    def build(z_dim, w_dim, depth):
        z = keras.Input((z_dim,))
        x = z if norm is None else keras.layers.Lambda(norm)(z)
        for _ in range(depth + depth_offset):
            x = keras.layers.Dense(width or w_dim)(x)
            if act is not None:
                x = act()(x)
        return keras.Model(z, x)
    return build


@pytest.mark.parametrize("pixel_norm, build", [
    (_unit_length, ref.build_mapping),                                  # length 1 instead of RMS 1
    (_batch_norm, ref.build_mapping),                                   # over the batch
    (lambda z: z - tf.reduce_mean(z, axis=-1, keepdims=True), ref.build_mapping),   # centres instead
    (ref.pixel_norm, _mapping(norm=None)),                              # mapping forgets the pixel norm
    (ref.pixel_norm, _mapping(act=keras.layers.ReLU)),                  # ReLU
    (ref.pixel_norm, _mapping(act=None)),                               # no activation
    (ref.pixel_norm, _mapping(depth_offset=1)),                         # one layer too many
    (ref.pixel_norm, lambda z_dim, w_dim, depth: _mapping()(z_dim, w_dim, 3)),   # ignores depth
    (ref.pixel_norm, lambda z_dim, w_dim, depth: None),                 # forgets return
], ids=["unit-length", "batch", "centre", "no-norm-in-model", "relu", "linear", "too-deep", "fixed-depth",
        "no-return"])
def test_mapping_fails(pixel_norm, build):
    with pytest.raises(AssertionError):
        ga.check_mapping(pixel_norm, build)


def test_mapping_stub():
    with pytest.raises(NotImplementedError):
        ga.check_mapping(_stub, _stub)
    with pytest.raises(NotImplementedError):
        ga.check_mapping(ref.pixel_norm, _stub)


# ---------------------------------------------------------------- 12.4 gradient ratio prediction
def test_gradient_ratio_passes():
    assert ga.check_gradient_ratio_prediction(99) is True
    assert ga.check_gradient_ratio_prediction(99.0) is True


@pytest.mark.parametrize("wrong", [1 / 99, 1, 10, 50, 2.0, -99, "99", [99]])
def test_gradient_ratio_fails(wrong):
    with pytest.raises(AssertionError):
        ga.check_gradient_ratio_prediction(wrong)


def test_gradient_ratio_stub():
    with pytest.raises(NotImplementedError):
        ga.check_gradient_ratio_prediction(None)


# ---------------------------------------------------------------- 12.3 truncation
def test_truncate_passes():
    assert ga.check_truncate(ref.truncate) is True


@pytest.mark.parametrize("wrong", [
    lambda w, a, psi: psi * w,                    # forgets the average
    lambda w, a, psi: w + psi * (w - a),          # wrong anchor
    lambda w, a, psi: a + (1 - psi) * (w - a),    # psi reversed
    lambda w, a, psi: np.mean(a + psi * (w - a), axis=0),  # loses the batch
    lambda w, a, psi: None,                       # forgets return
], ids=["no-avg", "anchor", "reversed", "shape", "none"])
def test_truncate_fails(wrong):
    with pytest.raises(AssertionError):
        ga.check_truncate(wrong)


def test_truncate_stub():
    with pytest.raises(NotImplementedError):
        ga.check_truncate(_stub)


# ---------------------------------------------------------------- builders
@pytest.mark.parametrize("constant_input", [False, True])
def test_generator_and_discriminator_shapes(constant_input):
    mapping = ref.build_mapping(8, 16, 2)
    synthesis = ref.build_synthesis(ref.AdaIN, w_dim=16, constant_input=constant_input)
    generator = ref.build_generator(mapping, synthesis)
    discriminator = ref.build_discriminator(width=8)
    assert synthesis.input_shape == (None, ref.N_STYLES, 16)
    images = keras.ops.convert_to_numpy(generator(np.zeros((3, 8), "float32") + 0.5))
    assert images.shape == (3, 28, 28, 1) and np.all(np.abs(images) <= 1.0)
    assert discriminator(images).shape == (3, 1)


def test_minibatch_std_sees_a_collapsed_batch():
    layer = ref.MinibatchStd()
    same = np.ones((4, 3, 3, 2), "float32")
    varied = np.random.default_rng(0).normal(0, 1, (4, 3, 3, 2)).astype("float32")
    assert layer(same).shape == (4, 3, 3, 3)
    assert float(layer(same)[0, 0, 0, -1]) < 1e-3 < float(layer(varied)[0, 0, 0, -1])
