"""Notebook 10's DCGAN: the reference generator and discriminator, and the train step with a weight average.

This module is the one definition of the course's DCGAN. Notebook 10 asks students to build the two models to a
shape plan (exercise 10.3) and uses these builders only *after* that exercise, through
``checks.use_or_reference("10.3", ...)``; notebook 12 and ``benchmarks/`` import them directly.

Shape plan (``latent_dim=64``, ``width=32``: the notebook's sizes; ``w`` stands for ``width``):

* generator, noise (batch, latent_dim) -> images (batch, 28, 28, 1) in [-1, 1]:
  ``Dense(7*7*2w, no bias)`` -> BatchNorm -> LeakyReLU(0.2) -> ``Reshape(7, 7, 2w)``
  -> ``Conv2DTranspose(2w, 4, stride 1, "same", no bias)`` -> BatchNorm -> LeakyReLU(0.2)   (7x7x2w)
  -> ``Conv2DTranspose(w, 4, stride 2, "same", no bias)`` -> BatchNorm -> LeakyReLU(0.2)    (14x14xw)
  -> ``Conv2DTranspose(1, 4, stride 2, "same", tanh)``                                      (28x28x1);
* discriminator, images (batch, 28, 28, 1) -> one logit per image (batch, 1):
  ``Conv2D(w, 4, stride 2, "same")`` (14x14xw) -> ``Conv2D(2w, ...)`` (7x7x2w) -> ``Conv2D(4w, ...)`` (4x4x4w),
  each followed by LeakyReLU(0.2) and Dropout(dropout), then Flatten -> ``Dense(1)`` (no activation: a logit).

Keras and TensorFlow are imported inside the functions, so importing this module stays cheap.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable, Mapping

if TYPE_CHECKING:  # pragma: no cover - only for type checkers
    import keras

LATENT_DIM = 64
"""Length of the noise vector z in notebook 10."""
WIDTH = 32
"""Filters of the first discriminator layer and of the last hidden generator layer in notebook 10."""
DROPOUT = 0.1
"""Dropout rate after each discriminator convolution in notebook 10."""
EMA_DECAY = 0.999
"""Largest decay of the generator's weight average (it warms up from 0.1 towards this; see make_train_step)."""


def build_generator(latent_dim: int = LATENT_DIM, width: int = WIDTH) -> "keras.Model":
    """The DCGAN generator of the shape plan above (exercise 10.3).

    Args:
        latent_dim: length of z.
        width: filters of the last hidden layer; the layers before it have ``2 * width``.

    Returns:
        A Keras model: noise (batch, latent_dim) float32 -> images (batch, 28, 28, 1) in [-1, 1].
    """
    import keras

    layers = keras.layers
    return keras.Sequential([
        keras.Input((latent_dim,)),
        layers.Dense(7 * 7 * 2 * width, use_bias=False),
        layers.BatchNormalization(), layers.LeakyReLU(0.2),
        layers.Reshape((7, 7, 2 * width)),
        layers.Conv2DTranspose(2 * width, 4, strides=1, padding="same", use_bias=False),
        layers.BatchNormalization(), layers.LeakyReLU(0.2),
        layers.Conv2DTranspose(width, 4, strides=2, padding="same", use_bias=False),
        layers.BatchNormalization(), layers.LeakyReLU(0.2),
        layers.Conv2DTranspose(1, 4, strides=2, padding="same", activation="tanh"),
    ], name="dcgan_generator")


def build_discriminator(width: int = WIDTH, dropout: float = DROPOUT) -> "keras.Model":
    """The DCGAN discriminator of the shape plan above (exercise 10.3).

    Args:
        width: filters of the first convolution; the next two have ``2 * width`` and ``4 * width``.
        dropout: dropout rate after each convolution's LeakyReLU, in [0, 1).

    Returns:
        A Keras model: images (batch, 28, 28, 1) in [-1, 1] -> logits (batch, 1); D(x) = sigmoid(logit).
    """
    import keras

    layers = keras.layers
    body: list[Any] = [keras.Input((28, 28, 1))]
    for filters in (width, 2 * width, 4 * width):
        body += [layers.Conv2D(filters, 4, strides=2, padding="same"), layers.LeakyReLU(0.2),
                 layers.Dropout(dropout)]
    return keras.Sequential(body + [layers.Flatten(), layers.Dense(1)], name="dcgan_discriminator")


def make_train_step(generator: Any, discriminator: Any, g_optimizer: Any, d_optimizer: Any, *,
                    ema_generator: Any | None = None, ema_decay: float = EMA_DECAY,
                    latent_dim: int = LATENT_DIM) -> Callable[[Any], Mapping[str, Any]]:
    """Notebook 10's train step, compiled with ``@tf.function``, optionally keeping a weight average.

    Per call: draws z ~ N(0, 1) of shape (batch, latent_dim), runs both players once under two gradient tapes
    (``training=True``: BatchNorm uses batch statistics, Dropout is on) and updates each with its own optimiser.
    Binary cross-entropy on logits; the discriminator pushes real images to 1 and fakes to 0; the generator uses
    the non-saturating loss (its fakes against label 1).

    With ``ema_generator`` (a copy of ``generator`` with the same architecture), every step then moves each of
    its weights towards the trained generator's, ``w_ema <- d * w_ema + (1 - d) * w``, including BatchNorm's
    running statistics, with a decay that warms up with the number ``t`` of steps taken so far:
    ``d = min(ema_decay, (1 + t) / (10 + t))``, so the average forgets the random start quickly and, later,
    spans about the last ``1 / (1 - ema_decay)`` steps.

    Args:
        generator, discriminator: the two players (discriminator outputs logits of shape (batch, 1)).
        g_optimizer, d_optimizer: two separate Keras optimisers.
        ema_generator: the averaged copy of the generator, or None for no average.
        ema_decay: the decay's upper bound, in (0, 1).
        latent_dim: length of z.

    Returns:
        ``train_step(real_images) -> {"d_loss", "g_loss", "d_acc_real", "d_acc_fake"}`` (scalar tensors), where
        ``real_images`` has shape (batch, 28, 28, 1) in [-1, 1]; as :func:`utils.gan.train_gan` expects.
    """
    from utils.gan import check_separate_optimizers

    check_separate_optimizers(g_optimizer, d_optimizer)
    ema_decay = check_ema_decay(ema_decay)
    import tensorflow as tf

    def bce(targets: Any, logits: Any) -> Any:
        return tf.reduce_mean(tf.nn.sigmoid_cross_entropy_with_logits(labels=targets, logits=logits))

    @tf.function
    def train_step(real_images: Any) -> dict[str, Any]:
        noise = tf.random.normal((tf.shape(real_images)[0], latent_dim))
        with tf.GradientTape() as d_tape, tf.GradientTape() as g_tape:
            fake_images = generator(noise, training=True)
            real_logits = discriminator(real_images, training=True)
            fake_logits = discriminator(fake_images, training=True)
            d_loss = bce(tf.ones_like(real_logits), real_logits) + bce(tf.zeros_like(fake_logits), fake_logits)
            g_loss = bce(tf.ones_like(fake_logits), fake_logits)          # non-saturating
        d_vars, g_vars = discriminator.trainable_variables, generator.trainable_variables
        d_optimizer.apply_gradients(zip(d_tape.gradient(d_loss, d_vars), d_vars))
        g_optimizer.apply_gradients(zip(g_tape.gradient(g_loss, g_vars), g_vars))
        if ema_generator is not None:
            t = tf.cast(g_optimizer.iterations, tf.float32)               # steps taken so far
            decay = tf.minimum(ema_decay, (1 + t) / (10 + t))             # warm-up: forget the random start
            for w_ema, w in zip(ema_generator.weights, generator.weights):
                w_ema.assign(decay * w_ema + (1 - decay) * w)
        return {"d_loss": d_loss, "g_loss": g_loss,
                "d_acc_real": tf.reduce_mean(tf.cast(real_logits > 0, tf.float32)),
                "d_acc_fake": tf.reduce_mean(tf.cast(fake_logits < 0, tf.float32))}

    return train_step


def averaged_copy(generator: "keras.Model") -> "keras.Model":
    """A copy of ``generator`` with the same architecture and weights, to hold the weight average."""
    import keras

    copy = keras.models.clone_model(generator)
    copy.set_weights(generator.get_weights())
    return copy


def check_ema_decay(ema_decay: float) -> float:
    """``ema_decay`` as a float if it lies strictly between 0 and 1 (at 1 the average would never move)."""
    if not 0.0 < float(ema_decay) < 1.0:
        raise ValueError(f"ema_decay must lie strictly between 0 and 1 (e.g. 0.999), got {ema_decay!r}")
    return float(ema_decay)


def conv_transpose_size(size: int, kernel: int, stride: int, padding: str) -> int:
    """Side length of the map a Keras ``Conv2DTranspose(filters, kernel, strides=stride, padding=padding)``
    outputs for a ``size`` x ``size`` input (exercise 10.1).

    "same": ``size * stride``. "valid": each input pixel stamps a ``kernel``-wide patch, stamps start ``stride``
    apart, and every input pixel owns at least a full stride of output (gaps included when ``kernel < stride``):
    ``(size - 1) * stride + max(kernel, stride)``.
    """
    if padding == "same":
        return size * stride
    return (size - 1) * stride + max(kernel, stride)  # "valid"
