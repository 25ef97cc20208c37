"""The mini style-based GAN of notebook 12: reference answers for its exercises, and its one set of builders.

Exercise answers (notebook 12 uses them only *after* the exercise, through ``checks.use_or_reference``):

* :class:`AdaIN` (exercise 12.1): adaptive instance normalisation as a Keras layer;
* :func:`pixel_norm` and :func:`build_mapping` (exercise 12.2): the mapping network z → w;
* :func:`truncate` (exercise 12.3): the truncation trick.

Builders the notebook calls directly (plumbing, not exercises): :func:`build_synthesis` (takes the AdaIN layer
class to use, the student's or :class:`AdaIN`), :func:`build_generator`, :class:`MinibatchStd` and
:func:`build_discriminator`. ``tests/test_checks_stylegan_ideas_and_ethics.py`` proves each answer passes its check and that the
builders give the documented shapes.

Shapes: images are (batch, 28, 28, 1) in [-1, 1] (tanh output); z is (batch, z_dim); w is (batch, w_dim); the
synthesis network takes one style per AdaIN layer, stacked as ``ws`` (batch, :data:`N_STYLES`, w_dim).
"""
from __future__ import annotations

from typing import Any

import keras
import numpy as np
import tensorflow as tf

N_STYLES = 5
"""Style inputs of :func:`build_synthesis`, one per AdaIN layer: slots 0-1 act at 7×7, 2-3 at 14×14, 4 at 28×28."""

COARSE_STYLES = slice(0, 2)
"""The style slots of the 7×7 layers (shape, which digit); the others set finer detail."""


class AdaIN(keras.layers.Layer):
    """Adaptive instance normalisation (exercise 12.1): ``[x, w]`` → ``x`` restyled by ``w``.

    Inputs: ``x`` (batch, h, w, c) feature maps and ``w`` (batch, w_dim) style codes. Each (image, channel) map
    of ``x`` is normalised over its h × w positions to mean 0 and variance 1 (eps = 1e-5 in the square root),
    then multiplied by ``1 + s`` and shifted by ``b``, where ``[s, b] = self.style(w)``: a Dense layer with
    2c outputs, the first c being ``s`` and the last c being ``b`` (so a zero style leaves the normalised map).
    Output: (batch, h, w, c).
    """

    def build(self, input_shapes: Any) -> None:
        channels = input_shapes[0][-1]
        self.style = keras.layers.Dense(2 * channels)     # default (Glorot) init: w matters from the start
        self.style.build(input_shapes[1])

    def call(self, inputs: Any) -> tf.Tensor:
        x, w = inputs
        mean, var = tf.nn.moments(x, axes=[1, 2], keepdims=True)       # (batch, 1, 1, c): per image and channel
        x = (x - mean) * tf.math.rsqrt(var + 1e-5)
        scale, bias = tf.split(self.style(w), 2, axis=-1)              # (batch, c) each
        return x * (1.0 + scale[:, None, None, :]) + bias[:, None, None, :]


def pixel_norm(z: Any, eps: float = 1e-8) -> tf.Tensor:
    """Rescale every row of ``z`` (batch, d) to root-mean-square 1: ``z / sqrt(mean(z², axis=-1) + eps)``.

    StyleGAN's "pixel norm" of z (exercise 12.2). Returns (batch, d).
    """
    z = tf.convert_to_tensor(z)
    return z * tf.math.rsqrt(tf.reduce_mean(tf.square(z), axis=-1, keepdims=True) + eps)


def build_mapping(z_dim: int, w_dim: int, depth: int) -> keras.Model:
    """The mapping network (exercise 12.2): z (batch, z_dim) → w (batch, w_dim).

    :func:`pixel_norm` first, then ``depth`` times Dense(w_dim) followed by LeakyReLU(0.2).
    """
    z = keras.Input((z_dim,), name="z")
    x = keras.layers.Lambda(pixel_norm, name="pixel_norm")(z)
    for _ in range(depth):
        x = keras.layers.LeakyReLU(0.2)(keras.layers.Dense(w_dim)(x))
    return keras.Model(z, x, name="mapping")


def truncate(w: Any, w_avg: Any, psi: float) -> np.ndarray:
    """The truncation trick (exercise 12.3): ``w_avg + psi (w - w_avg)`` for w (n, d), w_avg (d,) → (n, d)."""
    w_avg = np.asarray(w_avg, dtype=np.float32)
    return w_avg[None, :] + psi * (np.asarray(w, dtype=np.float32) - w_avg[None, :])


def build_synthesis(adain_layer: type = AdaIN, *, w_dim: int = 64, constant_input: bool = False) -> keras.Model:
    """The synthesis network: ws (batch, N_STYLES, w_dim) → images (batch, 28, 28, 1) in [-1, 1].

    Args:
        adain_layer: the AdaIN layer class to use (called as ``adain_layer()([x, w])``), yours or :class:`AdaIN`.
        w_dim: length of each style code.
        constant_input: start from a learned constant 7×7×64 map, as StyleGAN does; the default (False)
            projects style 0 to the 7×7 map with a Dense layer, as DCGAN projects z.

    Layers: 7×7×64 start → AdaIN(style 0) → conv 64 → AdaIN(style 1) → up to 14×14×32 → AdaIN(style 2) →
    conv 32 → AdaIN(style 3) → up to 28×28×16 → AdaIN(style 4) → 1×1 conv with tanh; LeakyReLU(0.2) after each
    AdaIN.
    """
    ws = keras.Input((N_STYLES, w_dim), name="ws")
    style = [keras.layers.Lambda(lambda t, i=i: t[:, i], name=f"style_{i}")(ws) for i in range(N_STYLES)]

    def restyle(x: Any, i: int) -> Any:
        return keras.layers.LeakyReLU(0.2)(adain_layer()([x, style[i]]))

    if constant_input:
        x = _LearnedConstant((7, 7, 64), name="constant")(ws)
    else:
        x = keras.layers.Reshape((7, 7, 64))(keras.layers.Dense(7 * 7 * 64)(style[0]))
    x = restyle(x, 0)
    x = restyle(keras.layers.Conv2D(64, 3, padding="same")(x), 1)                          # coarse: 7×7
    x = restyle(keras.layers.Conv2DTranspose(32, 4, strides=2, padding="same")(x), 2)      # 14×14
    x = restyle(keras.layers.Conv2D(32, 3, padding="same")(x), 3)                          # middle: 14×14
    x = restyle(keras.layers.Conv2DTranspose(16, 4, strides=2, padding="same")(x), 4)      # fine: 28×28
    image = keras.layers.Conv2D(1, 1, activation="tanh")(x)
    return keras.Model(ws, image, name="synthesis")


class _LearnedConstant(keras.layers.Layer):
    """Ignores its input except for the batch size: returns a learned tensor of ``shape`` for every example."""

    def __init__(self, shape: tuple[int, ...], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.shape_ = tuple(shape)

    def build(self, input_shape: Any) -> None:
        self.constant = self.add_weight(shape=(1, *self.shape_), initializer="random_normal", name="constant")

    def call(self, inputs: Any) -> tf.Tensor:
        return tf.tile(self.constant, [tf.shape(inputs)[0]] + [1] * len(self.shape_))


def build_generator(mapping: keras.Model, synthesis: keras.Model) -> keras.Model:
    """z → mapping → the same w in every style slot → synthesis: a Keras model z (batch, z_dim) → images."""
    z = keras.Input(mapping.input_shape[1:], name="z")
    ws = keras.layers.RepeatVector(synthesis.input_shape[1])(mapping(z))
    return keras.Model(z, synthesis(ws), name="style_generator")


class MinibatchStd(keras.layers.Layer):
    """(batch, h, w, c) → (batch, h, w, c + 1): appends the batch's average feature standard deviation.

    A collapsed generator makes batches with little spread; this channel lets the discriminator see it.
    """

    def call(self, x: Any) -> tf.Tensor:
        spread = tf.reduce_mean(tf.sqrt(tf.math.reduce_variance(x, axis=0) + 1e-8))   # one number per batch
        return tf.concat([x, tf.ones_like(x[..., :1]) * spread], axis=-1)


def build_discriminator(width: int = 32, dropout: float = 0.3) -> keras.Model:
    """Images (batch, 28, 28, 1) → one logit per image (batch, 1): two strided convolutions, LeakyReLU(0.2),
    dropout, a minibatch-std channel, and a Dense logit."""
    return keras.Sequential([
        keras.Input((28, 28, 1)),
        keras.layers.Conv2D(width, 4, strides=2, padding="same"), keras.layers.LeakyReLU(0.2),
        keras.layers.Dropout(dropout),
        keras.layers.Conv2D(2 * width, 4, strides=2, padding="same"), keras.layers.LeakyReLU(0.2),
        MinibatchStd(),
        keras.layers.Flatten(), keras.layers.Dense(1),
    ], name="discriminator")
