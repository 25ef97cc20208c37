"""Checks of notebooks 10-12: each passes on a right answer, fails on plausible wrong ones, and reports a stub."""
import keras
import numpy as np
import pytest
import tensorflow as tf

from utils.checks import gans_advanced as ga


def _stub(*args, **kwargs):
    raise NotImplementedError()


# ---------------------------------------------------------------- 10.1 transposed-conv size
def size_right(size, kernel, stride, padding):
    return size * stride if padding == "same" else (size - 1) * stride + kernel


def test_conv_transpose_size_passes():
    assert ga.check_conv_transpose_size(size_right) is True


@pytest.mark.parametrize("wrong", [
    lambda s, k, st, p: s * st,                                  # ignores padding
    lambda s, k, st, p: (s - 1) * st + k,                        # always 'valid'
    lambda s, k, st, p: s * st if p == "same" else s * st + k,   # off by one stride
    lambda s, k, st, p: (s - k) // st + 1,                       # the ordinary convolution's formula
], ids=["same-only", "valid-only", "off-by-stride", "forward-conv"])
def test_conv_transpose_size_fails(wrong):
    with pytest.raises(AssertionError):
        ga.check_conv_transpose_size(wrong)


def test_conv_transpose_size_stub():
    with pytest.raises(NotImplementedError):
        ga.check_conv_transpose_size(_stub)


# ---------------------------------------------------------------- 10.2 DCGAN generator
def _generator(latent_dim, *, activation="tanh", up="convT", bn=True, extra_dense=False, side=7):
    layers = [keras.Input((latent_dim,)), keras.layers.Dense(side * side * 8)]
    if extra_dense:
        layers += [keras.layers.Dense(side * side * 8)]
    layers += [keras.layers.Reshape((side, side, 8))]
    if bn:
        layers += [keras.layers.BatchNormalization()]
    layers += [keras.layers.LeakyReLU(0.2)]
    if up == "convT":
        layers += [keras.layers.Conv2DTranspose(8, 4, strides=2, padding="same"),
                   keras.layers.Conv2DTranspose(1, 4, strides=2, padding="same", activation=activation)]
    else:
        layers += [keras.layers.UpSampling2D(), keras.layers.Conv2D(8, 3, padding="same"),
                   keras.layers.Conv2DTranspose(1, 4, strides=2, padding="same", activation=activation)]
    return keras.Sequential(layers)


def test_dcgan_generator_passes():
    assert ga.check_dcgan_generator(_generator) is True


@pytest.mark.parametrize("wrong", [
    lambda d: _generator(d, activation="sigmoid"),
    lambda d: _generator(d, activation=None),
    lambda d: _generator(d, up="upsampling"),
    lambda d: _generator(d, bn=False),
    lambda d: _generator(d, extra_dense=True),
    lambda d: _generator(d, side=6),                               # 24x24 output
], ids=["sigmoid", "linear", "upsampling", "no-bn", "extra-dense", "wrong-size"])
def test_dcgan_generator_fails(wrong):
    with pytest.raises(AssertionError):
        ga.check_dcgan_generator(wrong)


def test_dcgan_generator_stub():
    with pytest.raises(NotImplementedError):
        ga.check_dcgan_generator(_stub)


# ---------------------------------------------------------------- 11.1 one-hot channels
def one_hot_right(images, labels):
    maps = tf.one_hot(labels, 10)[:, None, None, :] * tf.ones_like(images)
    return tf.concat([images, maps], axis=-1)


def test_one_hot_channels_passes():
    assert ga.check_one_hot_channels(one_hot_right) is True


@pytest.mark.parametrize("wrong", [
    lambda x, y: tf.concat([tf.one_hot(y, 10)[:, None, None, :] * tf.ones_like(x), x], axis=-1),  # image last
    lambda x, y: tf.concat([x, tf.one_hot(y, 11)[:, None, None, 1:] * tf.ones_like(x)], axis=-1),   # shifted
    lambda x, y: tf.concat([x, tf.ones_like(x) * tf.cast(y, tf.float32)[:, None, None, None]], axis=-1),  # 1 ch
    lambda x, y: tf.concat([tf.zeros_like(x), tf.one_hot(y, 10)[:, None, None, :] * tf.ones_like(x)], axis=-1),
], ids=["image-last", "shifted", "integer-channel", "image-lost"])
def test_one_hot_channels_fails(wrong):
    with pytest.raises(AssertionError):
        ga.check_one_hot_channels(wrong)


def test_one_hot_channels_stub():
    with pytest.raises(NotImplementedError):
        ga.check_one_hot_channels(_stub)


# ---------------------------------------------------------------- 11.2 label accuracy
def test_label_accuracy_passes():
    assert ga.check_label_accuracy(lambda p, y: float(np.mean(np.argmax(p, axis=1) == y))) is True


@pytest.mark.parametrize("wrong", [
    lambda p, y: 100 * float(np.mean(np.argmax(p, axis=1) == y)),   # percentage
    lambda p, y: float(np.mean(np.argmax(p, axis=1) != y)),         # error rate
    lambda p, y: float(np.mean(np.max(p, axis=1))),                  # mean confidence
    lambda p, y: np.argmax(p, axis=1) == y,                          # not averaged
], ids=["percent", "error-rate", "confidence", "vector"])
def test_label_accuracy_fails(wrong):
    with pytest.raises(AssertionError):
        ga.check_label_accuracy(wrong)


def test_label_accuracy_stub():
    with pytest.raises(NotImplementedError):
        ga.check_label_accuracy(_stub)


# ---------------------------------------------------------------- 10.1 truncation
def test_truncate_passes():
    assert ga.check_truncate(lambda w, a, psi: a + psi * (w - a)) is True


@pytest.mark.parametrize("wrong", [
    lambda w, a, psi: psi * w,                    # forgets the average
    lambda w, a, psi: w + psi * (w - a),          # wrong anchor
    lambda w, a, psi: a + (1 - psi) * (w - a),    # psi reversed
    lambda w, a, psi: np.mean(a + psi * (w - a), axis=0),  # loses the batch
], ids=["no-avg", "anchor", "reversed", "shape"])
def test_truncate_fails(wrong):
    with pytest.raises(AssertionError):
        ga.check_truncate(wrong)


def test_truncate_stub():
    with pytest.raises(NotImplementedError):
        ga.check_truncate(_stub)


# ---------------------------------------------------------------- 10.2 AdaIN
def adain_right(x, scale, bias, eps=1e-5):
    mean, var = tf.nn.moments(x, axes=[1, 2], keepdims=True)
    return scale[:, None, None, :] * (x - mean) / tf.sqrt(var + eps) + bias[:, None, None, :]


def test_adain_passes():
    assert ga.check_adain(adain_right) is True


def _adain_batch_norm(x, scale, bias, eps=1e-5):
    mean, var = tf.nn.moments(x, axes=[0, 1, 2], keepdims=True)          # statistics over the batch too
    return scale[:, None, None, :] * (x - mean) / tf.sqrt(var + eps) + bias[:, None, None, :]


@pytest.mark.parametrize("wrong", [
    _adain_batch_norm,
    lambda x, s, b: s[:, None, None, :] * x + b[:, None, None, :],                 # no normalisation
    lambda x, s, b: adain_right(x, b, s),                                          # scale and bias swapped
    lambda x, s, b: adain_right(x, tf.ones_like(s), b),                            # scale ignored
], ids=["batch-stats", "no-norm", "swapped", "no-scale"])
def test_adain_fails(wrong):
    with pytest.raises(AssertionError):
        ga.check_adain(wrong)


def test_adain_stub():
    with pytest.raises(NotImplementedError):
        ga.check_adain(_stub)


# ---------------------------------------------------------------- 10.3 interpolation
def test_interpolate_passes():
    assert ga.check_interpolate(lambda a, b, n: a + np.linspace(0, 1, n)[:, None] * (b - a)) is True


@pytest.mark.parametrize("wrong", [
    lambda a, b, n: a + np.linspace(0, 1, n + 1)[:-1, None] * (b - a),           # misses the end
    lambda a, b, n: a + (np.arange(n) / n)[:, None] * (b - a),                    # t = k / n
    lambda a, b, n: np.stack([a] * (n - 1) + [b]),                                # jumps
    lambda a, b, n: b + np.linspace(0, 1, n)[:, None] * (a - b),                  # reversed
], ids=["no-end", "k-over-n", "jump", "reversed"])
def test_interpolate_fails(wrong):
    with pytest.raises(AssertionError):
        ga.check_interpolate(wrong)


def test_interpolate_stub():
    with pytest.raises(NotImplementedError):
        ga.check_interpolate(_stub)
