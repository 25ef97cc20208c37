"""Ready-made GANs of the course, for comparisons and benchmarks.

Notebook 09 builds its MLP GAN cell by cell, because that is what it teaches. Later notebooks (and
``benchmarks/bench_gan_budgets.py``) need the *same* GAN again only as a yardstick, so it lives here once:

* :func:`mlp_gan` — notebook 09's stabilised generator and discriminator (LeakyReLU, tanh output, one logit);
* :func:`make_train_step` — the course's train step (binary cross-entropy on logits, non-saturating generator
  loss, optional one-sided label smoothing, optional labels for a conditional GAN), compiled with
  ``@tf.function``; it follows the train-step contract of :mod:`utils.gan`;
* :data:`MLP_RECIPE` — notebook 09's stabilised hyperparameters.

Keras and TensorFlow are imported inside the functions, so ``import utils.gan_recipes`` stays cheap.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable, Mapping

from utils.validation import check_positive_int

if TYPE_CHECKING:  # pragma: no cover - only for type checkers
    import keras

MLP_RECIPE: Mapping[str, float | int] = {
    "latent_dim": 100, "hidden": 128, "batch_size": 128, "lr": 2e-3, "lr_final_fraction": 0.05,
    "beta_1": 0.5, "real_label": 0.9,
}
"""Notebook 09's stabilised recipe: z of 100 numbers, 128 hidden units, batch 128, Adam(beta_1 0.5) with the
learning rate decaying along a cosine from 2e-3 to 5 % of it over the run, real labels smoothed to 0.9."""


def mlp_gan(latent_dim: int = 100, hidden: int = 128) -> tuple["keras.Model", "keras.Model"]:
    """Notebook 09's stabilised MLP pair.

    Generator: noise (batch, latent_dim) -> Dense(hidden) -> LeakyReLU(0.2) -> Dense(784, tanh) -> images
    (batch, 28, 28, 1) in [-1, 1]. Discriminator: images (batch, 28, 28, 1) -> Flatten -> Dense(hidden) ->
    LeakyReLU(0.2) -> Dense(1): one logit per image, D(x) = sigmoid(logit).
    """
    latent_dim = check_positive_int(latent_dim, "latent_dim")
    hidden = check_positive_int(hidden, "hidden")
    import keras

    generator = keras.Sequential([
        keras.Input((latent_dim,)), keras.layers.Dense(hidden), keras.layers.LeakyReLU(0.2),
        keras.layers.Dense(784, activation="tanh"), keras.layers.Reshape((28, 28, 1)),
    ], name="mlp_generator")
    discriminator = keras.Sequential([
        keras.Input((28, 28, 1)), keras.layers.Flatten(), keras.layers.Dense(hidden), keras.layers.LeakyReLU(0.2),
        keras.layers.Dense(1),
    ], name="mlp_discriminator")
    return generator, discriminator


def make_train_step(generator: Any, discriminator: Any, g_optimizer: Any, d_optimizer: Any, *, latent_dim: int,
                    real_label: float = 1.0, conditional: bool = False) -> Callable[[Any], Mapping[str, Any]]:
    """The course's GAN train step, compiled with ``@tf.function``.

    Per call: draws z ~ N(0, 1) of shape (batch, latent_dim), runs both players once under two gradient tapes,
    and updates each with its own optimiser. Losses on logits: the discriminator pushes real images to
    ``real_label`` (1, or 0.9 for one-sided label smoothing) and fakes to 0; the generator uses the
    non-saturating loss (its fakes against label 1).

    Args:
        generator: noise (batch, latent_dim) -> images (batch, 28, 28, 1); with ``conditional``, takes
            ``[noise, labels]``.
        discriminator: images -> logits (batch, 1); with ``conditional``, takes ``[images, labels]``.
        g_optimizer, d_optimizer: two separate Keras optimisers.
        latent_dim: length of z.
        real_label: target for real images, in (0, 1].
        conditional: batches are ``(images, labels)`` tuples and both players receive the labels.

    Returns:
        ``train_step(batch) -> {"d_loss", "g_loss", "d_acc_real", "d_acc_fake"}`` (scalar tensors), as
        :func:`utils.gan.train_gan` expects.
    """
    latent_dim = check_positive_int(latent_dim, "latent_dim")
    if isinstance(real_label, bool) or not isinstance(real_label, (int, float)) or not 0 < real_label <= 1:
        raise ValueError(f"real_label must be a number in (0, 1] (1, or 0.9 for label smoothing), got {real_label!r}")
    if g_optimizer is d_optimizer:
        raise ValueError("g_optimizer and d_optimizer are the same object: give each player its own optimiser")
    import tensorflow as tf

    def bce(targets: Any, logits: Any) -> Any:
        return tf.reduce_mean(tf.nn.sigmoid_cross_entropy_with_logits(labels=targets, logits=logits))

    @tf.function
    def train_step(batch: Any) -> dict[str, Any]:
        real, labels = batch if conditional else (batch, None)
        noise = tf.random.normal((tf.shape(real)[0], latent_dim))
        with tf.GradientTape() as d_tape, tf.GradientTape() as g_tape:
            fake = generator([noise, labels] if conditional else noise, training=True)
            real_logits = discriminator([real, labels] if conditional else real, training=True)
            fake_logits = discriminator([fake, labels] if conditional else fake, training=True)
            d_loss = (bce(tf.fill(tf.shape(real_logits), float(real_label)), real_logits)
                      + bce(tf.zeros_like(fake_logits), fake_logits))
            g_loss = bce(tf.ones_like(fake_logits), fake_logits)
        d_vars, g_vars = discriminator.trainable_variables, generator.trainable_variables
        d_optimizer.apply_gradients(zip(d_tape.gradient(d_loss, d_vars), d_vars))
        g_optimizer.apply_gradients(zip(g_tape.gradient(g_loss, g_vars), g_vars))
        return {"d_loss": d_loss, "g_loss": g_loss,
                "d_acc_real": tf.reduce_mean(tf.cast(real_logits > 0, tf.float32)),
                "d_acc_fake": tf.reduce_mean(tf.cast(fake_logits < 0, tf.float32))}

    return train_step


def mlp_gan_optimizers(steps: int) -> tuple[Any, Any]:
    """Two Adam optimisers with notebook 09's cosine learning-rate schedule over ``steps`` steps."""
    steps = check_positive_int(steps, "steps")
    import keras

    def adam() -> Any:
        schedule = keras.optimizers.schedules.CosineDecay(
            MLP_RECIPE["lr"], decay_steps=steps, alpha=MLP_RECIPE["lr_final_fraction"])
        return keras.optimizers.Adam(schedule, beta_1=MLP_RECIPE["beta_1"])

    return adam(), adam()
