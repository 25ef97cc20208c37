"""Reference answers for notebook 11 (conditional GAN), and the one definition of the course's cGAN.

Notebook 11 calls these only *after* the exercise that asks for the same code, through
``checks.use_or_reference("11.k", student_function, reference.function)``, so a student who has not finished an
exercise can still train the conditional GAN. ``tests/test_checks_conditional_gan.py`` proves that each one
passes its exercise's check. Benchmarks import the builders and :data:`CGAN_RECIPE` from here too, so the
architecture the notebook trains is defined once.

The architecture (notebook 10's DCGAN, slimmed down, plus the label):

* generator ``[noise (batch, latent_dim), labels (batch,) int] -> images (batch, 28, 28, 1)`` in [-1, 1]:
  ``Embedding(10, embed_dim)`` of the label concatenated to z -> Dense 7x7x(2 width) -> BatchNorm, LeakyReLU
  -> Conv2DTranspose to 14x14x(width) -> BatchNorm, LeakyReLU -> Conv2DTranspose to 28x28x1, tanh;
* discriminator ``[images (batch, 28, 28, 1), labels (batch,) int] -> logits (batch, 1)``: a learned 28x28 label
  plane (``Embedding(10, 784)``) as the image's second channel -> two strided Conv2D (width, 2 width) with
  LeakyReLU and Dropout -> features h (batch, 7 * 7 * 2 width) -> logit ``Dense(1)(h) + e_y . h`` with
  ``e_y = Embedding(10, 7 * 7 * 2 width)(label)`` (a projection discriminator, Miyato and Koyama 2018).

Keras and TensorFlow are imported inside the functions, so importing this module stays cheap.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable, Mapping

import numpy as np

if TYPE_CHECKING:  # pragma: no cover - only for type checkers
    import keras

N_CLASSES = 10
"""MNIST's ten digit classes."""

CGAN_RECIPE: Mapping[str, float | int] = {
    "latent_dim": 64, "width": 32, "embed_dim": 16, "dropout": 0.1, "batch_size": 64, "lr": 1e-3, "beta_1": 0.5,
    "ema_decay": 0.999, "steps": 4_000,
}
"""Notebook 11's full-mode recipe: z of 64 numbers, base width 32 filters, a 16-number label embedding for the
generator, Dropout 0.1, batch 64, Adam(1e-3, beta_1 0.5) for both players, notebook 10's moving average of the
generator's weights (decay up to 0.999; the average is the model scored), 4,000 steps."""


def build_generator(latent_dim: int = 64, width: int = 32, embed_dim: int = 16) -> "keras.Model":
    """The conditional generator (exercise 11.1).

    Args:
        latent_dim: length of z.
        width: filters of the 14x14 layer; the 7x7 layer has ``2 * width``.
        embed_dim: length of the learned label vector joined to z.

    Returns:
        A Keras model ``[noise (batch, latent_dim) float, labels (batch,) int] -> images (batch, 28, 28, 1)`` with
        values in [-1, 1] (tanh).
    """
    import keras

    L = keras.layers
    noise = keras.Input((latent_dim,), name="noise")
    label = keras.Input((), dtype="int32", name="label")
    y = L.Embedding(N_CLASSES, embed_dim, name="label_embedding")(label)          # (batch, embed_dim)
    x = L.Concatenate()([noise, y])                                               # (batch, latent_dim + embed_dim)
    x = L.Dense(7 * 7 * 2 * width, use_bias=False)(x)
    x = L.LeakyReLU(0.2)(L.BatchNormalization()(x))
    x = L.Reshape((7, 7, 2 * width))(x)
    x = L.Conv2DTranspose(width, 4, strides=2, padding="same", use_bias=False)(x)   # (batch, 14, 14, width)
    x = L.LeakyReLU(0.2)(L.BatchNormalization()(x))
    image = L.Conv2DTranspose(1, 4, strides=2, padding="same", activation="tanh")(x)  # (batch, 28, 28, 1)
    return keras.Model([noise, label], image, name="cgan_generator")


def _conv_features(x: Any, width: int, dropout: float) -> Any:
    """Two strided Conv2D blocks and a flatten: (batch, 28, 28, c) -> features (batch, 7 * 7 * 2 width)."""
    import keras

    L = keras.layers
    x = L.Dropout(dropout)(L.LeakyReLU(0.2)(L.Conv2D(width, 4, strides=2, padding="same")(x)))       # 14x14
    x = L.Dropout(dropout)(L.LeakyReLU(0.2)(L.Conv2D(2 * width, 4, strides=2, padding="same")(x)))   # 7x7
    return L.Flatten()(x)


def build_discriminator(width: int = 32, dropout: float = 0.1) -> "keras.Model":
    """The conditional (projection) discriminator (exercise 11.2).

    Args:
        width: filters of the first convolution; the second has ``2 * width``.
        dropout: dropout rate after each convolution.

    Returns:
        A Keras model ``[images (batch, 28, 28, 1), labels (batch,) int] -> logits (batch, 1)`` (no sigmoid).
    """
    import keras

    L = keras.layers
    image = keras.Input((28, 28, 1), name="image")
    label = keras.Input((), dtype="int32", name="label")
    plane = L.Reshape((28, 28, 1))(L.Embedding(N_CLASSES, 28 * 28, name="label_plane")(label))
    h = _conv_features(L.Concatenate()([image, plane]), width, dropout)            # (batch, 7 * 7 * 2 width)
    e_y = L.Embedding(N_CLASSES, 7 * 7 * 2 * width, name="label_projection")(label)
    logit = L.Add()([L.Dense(1)(h), L.Dot(axes=1)([e_y, h])])
    return keras.Model([image, label], logit, name="cgan_discriminator")


def build_label_blind_discriminator(width: int = 32, dropout: float = 0.1) -> "keras.Model":
    """The same discriminator without the label: it takes ``[images, labels]`` but never uses the labels.

    For the experiment of exercise 11.4: trained against it, a conditional generator is never rewarded for
    drawing the digit it was asked for.

    Returns:
        A Keras model ``[images (batch, 28, 28, 1), labels (batch,) int] -> logits (batch, 1)`` that ignores
        ``labels``.
    """
    import keras

    image = keras.Input((28, 28, 1), name="image")
    label = keras.Input((), dtype="int32", name="label")   # accepted, so the train step is unchanged; unused
    logit = keras.layers.Dense(1)(_conv_features(image, width, dropout))
    return keras.Model([image, label], logit, name="label_blind_discriminator")


def make_train_step(generator: Any, discriminator: Any, g_optimizer: Any, d_optimizer: Any, *,
                    latent_dim: int = 64, ema_generator: Any | None = None,
                    ema_decay: float = 0.999) -> Callable[[Any], Mapping[str, Any]]:
    """The conditional train step: :func:`utils.gan_recipes.make_train_step` with ``conditional=True``.

    Batches are ``(images (batch, 28, 28, 1), labels (batch,))``; the fakes are generated for the batch's real
    labels and judged with them. With ``ema_generator`` (from :func:`averaged_copy`), each step then moves the
    average towards the trained generator as notebook 10's step does: ``w_ema <- d * w_ema + (1 - d) * w`` with
    ``d = min(ema_decay, (1 + t) / (10 + t))`` after ``t`` steps (BatchNorm's running statistics included).
    Returns ``train_step(batch) -> {"d_loss", "g_loss", "d_acc_real", "d_acc_fake"}``.
    """
    from utils import gan_recipes

    step = gan_recipes.make_train_step(generator, discriminator, g_optimizer, d_optimizer, latent_dim=latent_dim,
                                       conditional=True)
    if ema_generator is None:
        return step
    from utils.reference import dcgan

    ema_decay = dcgan.check_ema_decay(ema_decay)
    import tensorflow as tf

    @tf.function
    def step_with_average(batch: Any) -> Mapping[str, Any]:
        out = step(batch)
        t = tf.cast(g_optimizer.iterations, tf.float32)               # steps taken so far
        decay = tf.minimum(ema_decay, (1 + t) / (10 + t))             # warm-up: forget the random start
        for w_ema, w in zip(ema_generator.weights, generator.weights):
            w_ema.assign(decay * w_ema + (1 - decay) * w)
        return out

    return step_with_average


def averaged_copy(generator: "keras.Model") -> "keras.Model":
    """A copy of ``generator`` (same architecture and weights) to hold the weight average, as in notebook 10."""
    from utils.reference import dcgan

    return dcgan.averaged_copy(generator)


def label_accuracy(probs: Any, requested: Any) -> float:
    """The fraction of images whose most probable class is the digit they were generated for (exercise 11.3).

    Args:
        probs: a classifier's class probabilities, shape (n, 10).
        requested: the requested digits, ints of shape (n,).

    Returns:
        A float in [0, 1].
    """
    return float(np.mean(np.argmax(np.asarray(probs), axis=1) == np.asarray(requested)))


def one_hot_channels(images: Any, labels: Any) -> Any:
    """The image followed by 10 constant one-hot label planes (exercise 11.5).

    Args:
        images: shape (n, 28, 28, 1).
        labels: ints of shape (n,).

    Returns:
        A float32 tensor of shape (n, 28, 28, 11): channel 0 the image, channel 1 + k all ones where the label is k.
    """
    import tensorflow as tf

    images = tf.convert_to_tensor(images, dtype=tf.float32)
    planes = tf.one_hot(tf.convert_to_tensor(labels), N_CLASSES)[:, None, None, :] * tf.ones_like(images)
    return tf.concat([images, planes], axis=-1)


__all__ = ["CGAN_RECIPE", "N_CLASSES", "averaged_copy", "build_discriminator", "build_generator",
           "build_label_blind_discriminator", "label_accuracy", "make_train_step", "one_hot_channels"]
