"""Ready-made GANs of the course, for comparisons and benchmarks.

Notebook 09 builds its MLP GAN from these models and lets the student write the train step (exercise 09.3,
checked against :func:`utils.reference.vanilla_gan.make_train_step`). Later notebooks (and
``benchmarks/bench_gan_budgets.py``) need the *same* GAN again as a yardstick, so it lives here once:

* :func:`mlp_gan` — notebook 09's generator and discriminator (stabilised: LeakyReLU, tanh output, one logit;
  or the course notes' ReLU and sigmoid output);
* :func:`make_train_step` — the course's train step (binary cross-entropy on logits, non-saturating generator
  loss, optional one-sided label smoothing, optional labels for a conditional GAN), compiled with
  ``@tf.function``; it follows the train-step contract of :mod:`utils.gan` and is
  :func:`utils.reference.vanilla_gan.make_train_step` with the noise drawn by ``tf.random.normal``;
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


def mlp_gan(latent_dim: int = 100, hidden: int = 128, *, output: str = "tanh", activation: str = "leaky_relu"
            ) -> tuple["keras.Model", "keras.Model"]:
    """Notebook 09's MLP pair: by default the stabilised one; ``output="sigmoid", activation="relu"`` gives the
    course notes' choices.

    Generator: noise (batch, latent_dim) -> Dense(hidden) -> LeakyReLU(0.2) (or ReLU) -> Dense(784, tanh or
    sigmoid) -> images (batch, 28, 28, 1) in [-1, 1] (tanh) or [0, 1] (sigmoid). Discriminator: images
    (batch, 28, 28, 1) -> Flatten -> Dense(hidden) -> LeakyReLU(0.2) (or ReLU) -> Dense(1): one logit per image,
    D(x) = sigmoid(logit).

    Args:
        latent_dim: length of the noise vector z.
        hidden: units of each network's one hidden layer.
        output: the generator's last activation, ``"tanh"`` (pair with data in [-1, 1]) or ``"sigmoid"`` ([0, 1]).
        activation: the hidden layers' activation, ``"leaky_relu"`` (slope 0.2 below 0) or ``"relu"``.
    """
    latent_dim = check_positive_int(latent_dim, "latent_dim")
    hidden = check_positive_int(hidden, "hidden")
    if output not in ("tanh", "sigmoid"):
        raise ValueError(f"output must be 'tanh' or 'sigmoid', got {output!r}")
    if activation not in ("leaky_relu", "relu"):
        raise ValueError(f"activation must be 'leaky_relu' or 'relu', got {activation!r}")
    import keras

    def act() -> "keras.layers.Layer":
        return keras.layers.LeakyReLU(0.2) if activation == "leaky_relu" else keras.layers.ReLU()

    generator = keras.Sequential([
        keras.Input((latent_dim,)), keras.layers.Dense(hidden), act(),
        keras.layers.Dense(784, activation=output), keras.layers.Reshape((28, 28, 1)),
    ], name="mlp_generator")
    discriminator = keras.Sequential([
        keras.Input((28, 28, 1)), keras.layers.Flatten(), keras.layers.Dense(hidden), act(),
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
    from utils.reference import vanilla_gan

    return vanilla_gan.make_train_step(generator, discriminator, g_optimizer, d_optimizer, None,
                                       real_label=float(real_label), latent_dim=latent_dim, conditional=conditional)


def mlp_gan_optimizers(steps: int) -> tuple[Any, Any]:
    """Two Adam optimisers with notebook 09's cosine learning-rate schedule over ``steps`` steps."""
    steps = check_positive_int(steps, "steps")
    import keras

    def adam() -> Any:
        schedule = keras.optimizers.schedules.CosineDecay(
            MLP_RECIPE["lr"], decay_steps=steps, alpha=MLP_RECIPE["lr_final_fraction"])
        return keras.optimizers.Adam(schedule, beta_1=MLP_RECIPE["beta_1"])

    return adam(), adam()
