"""Ready-made GANs of the course, for comparisons and benchmarks.

Notebook 09 builds its MLP GAN from these models and lets the student write the train step (exercise 09.3,
checked against :func:`utils.reference.vanilla_gan.make_train_step`). Later notebooks (and
``benchmarks/bench_gan_budgets.py``) need the *same* GAN again as a yardstick, so it lives here once:

* :func:`mlp_gan` — notebook 09's generator and discriminator (stabilised: LeakyReLU, tanh output, one logit;
  or the course notes' ReLU and sigmoid output);
* :func:`make_train_step` — the course's train step (binary cross-entropy on logits, non-saturating generator
  loss, optional one-sided label smoothing, optional labels for a conditional GAN), compiled with
  ``@tf.function`` (and XLA with ``jit_compile=True``); it follows the train-step contract of :mod:`utils.gan`
  and is :func:`utils.reference.vanilla_gan.make_train_step` with the noise drawn by ``tf.random.normal``;
* :func:`compile_with_xla` — any train step (yours too) recompiled with XLA, which runs notebook 09's MLP step
  faster on a CPU (``benchmarks/bench_train_step.py``); the convolutional GANs of notebooks 10 and 11 run slower
  under XLA, so their steps stay plain ``@tf.function``;
* :data:`MLP_RECIPE` — notebook 09's stabilised hyperparameters.

Keras and TensorFlow are imported inside the functions, so ``import utils.gan_recipes`` stays cheap.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable, Mapping

from utils.gan import check_output, check_separate_optimizers
from utils.validation import check_positive_int

if TYPE_CHECKING:  # pragma: no cover - only for type checkers
    import keras

MLP_RECIPE: Mapping[str, float | int] = {
    "latent_dim": 100, "hidden": 512, "batch_size": 128, "lr": 2e-3, "lr_final_fraction": 0.05,
    "beta_1": 0.5, "real_label": 0.9, "jit_compile": True,
}
"""Notebook 09's stabilised recipe: z of 100 numbers, 512 hidden units, batch 128, Adam(beta_1 0.5) with the
learning rate decaying along a cosine from 2e-3 to 5 % of it over the run, real labels smoothed to 0.9, the train
step compiled with XLA (12,000 steps in the notebook)."""


def mlp_gan(latent_dim: int = 100, hidden: int = 128, *, output: str = "tanh", activation: str = "leaky_relu"
            ) -> tuple["keras.Model", "keras.Model"]:
    """Notebook 09's MLP pair: by default the stabilised one (pass ``hidden=MLP_RECIPE["hidden"]`` for its width;
    the default 128 is the course notes'); ``output="sigmoid", activation="relu"`` gives the notes' choices.

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
    check_output(output)
    import keras

    def act() -> "keras.layers.Layer":
        return {"leaky_relu": lambda: keras.layers.LeakyReLU(0.2), "relu": keras.layers.ReLU}[activation]()

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
                    real_label: float = 1.0, conditional: bool = False, jit_compile: bool = False
                    ) -> Callable[[Any], Mapping[str, Any]]:
    """The course's GAN train step, compiled with ``@tf.function`` (with XLA if ``jit_compile``).

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
        jit_compile: compile the step with XLA (:func:`compile_with_xla`); ``MLP_RECIPE["jit_compile"]`` is
            notebook 09's choice. Leave it off for convolutional GANs, which XLA slows down on a CPU.

    Returns:
        ``train_step(batch) -> {"d_loss", "g_loss", "d_acc_real", "d_acc_fake"}`` (scalar tensors), as
        :func:`utils.gan.train_gan` expects.
    """
    latent_dim = check_positive_int(latent_dim, "latent_dim")
    check_separate_optimizers(g_optimizer, d_optimizer)
    from utils.reference import vanilla_gan

    step = vanilla_gan.make_train_step(generator, discriminator, g_optimizer, d_optimizer, None,
                                       real_label=float(real_label), latent_dim=latent_dim, conditional=conditional)
    return compile_with_xla(step) if jit_compile else step


def compile_with_xla(train_step: Callable[[Any], Any], *, verbose: bool = True) -> Callable[[Any], Any]:
    """The same train step, compiled by XLA: ``tf.function(..., jit_compile=True)``.

    XLA fuses the whole step (both forward passes, both gradients, both Adam updates) into one program for the
    CPU. On notebook 09's MLP GAN that runs about 1.25x as many steps per second as a plain ``@tf.function``
    (``benchmarks/bench_train_step.py``); on the convolutional GANs of notebooks 10 and 11 it is slower.

    Args:
        train_step: a ``@tf.function`` (XLA recompiles the Python function inside it) or a plain Python function
            of one batch, such as the one exercise 09.3 returns.
        verbose: print a note if XLA cannot compile the step.

    Returns:
        A function of one batch, with the same results as ``train_step``. If XLA cannot compile the step (an
        operation it does not support), the first call says so and the step runs as before, without XLA.
    """
    import tensorflow as tf

    python_function = getattr(train_step, "python_function", train_step)
    compiled = tf.function(python_function, jit_compile=True)
    chosen: list[Callable[[Any], Any]] = []

    def step(batch: Any) -> Any:
        if chosen:
            return chosen[0](batch)
        try:
            out = compiled(batch)
        except (tf.errors.InvalidArgumentError, tf.errors.UnimplementedError) as err:
            if "XLA" not in str(err) and "jit" not in str(err).lower():
                raise
            if verbose:
                print(f"Note: XLA could not compile this train step ({' '.join(str(err).split())[:160]}); "
                      f"it runs without XLA.")
            chosen.append(train_step)
            return train_step(batch)
        chosen.append(compiled)
        return out

    step.python_function = python_function  # type: ignore[attr-defined]  # so it can be recompiled again
    return step


def mlp_gan_optimizers(steps: int) -> tuple[Any, Any]:
    """Two Adam optimisers with notebook 09's cosine learning-rate schedule over ``steps`` steps."""
    steps = check_positive_int(steps, "steps")
    import keras

    def adam() -> Any:
        schedule = keras.optimizers.schedules.CosineDecay(
            MLP_RECIPE["lr"], decay_steps=steps, alpha=MLP_RECIPE["lr_final_fraction"])
        return keras.optimizers.Adam(schedule, beta_1=MLP_RECIPE["beta_1"])

    return adam(), adam()
