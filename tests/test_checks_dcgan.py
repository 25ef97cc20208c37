"""Checks of notebook 10: each passes on a right answer, fails on plausible wrong ones, and reports a stub."""
import keras
import numpy as np
import pytest
import tensorflow as tf

from utils.checks import dcgan as ga


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
