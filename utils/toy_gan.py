"""A GAN you can watch: a 2-D toy (a ring of 8 Gaussians), small Keras MLPs, a compiled train step, snapshots.

Notebook 08 trains GANs on points in the plane, where everything a GAN does can be drawn: the generator's
samples, the discriminator's decision surface D(x), and which of the data's modes the generator covers.
This module holds the plumbing:

* :func:`ring_centres`, :func:`sample_ring`, :func:`mixture_density` — the data: ``n_modes`` isotropic
  Gaussians of standard deviation ``sigma`` evenly spaced on a circle, and its exact density;
* :func:`kde_density` — a Gaussian kernel density estimate, to estimate the generator's density p_g;
* :class:`Grid` / :func:`make_grid` — a square grid of points on which densities and D(x) are evaluated;
* :class:`Recipe` with :data:`NAIVE` and :data:`STABLE` — the two training recipes the notebook compares;
* :func:`build_generator`, :func:`build_discriminator`, :func:`make_train_step` — the models and one
  ``@tf.function`` train step (the discriminator of a *packed* recipe judges ``pack`` samples at once,
  PacGAN, Lin et al. 2018);
* :func:`train_toy_gan` — the loop with a progress bar; it returns a :class:`ToyGanRun` holding the
  generator's samples and the discriminator's surface at every snapshot.

Counting the modes a generator covers is exercise 08.1 of the notebook (reference:
:mod:`utils.reference.toy_gan`), so nothing here counts them. Plots are in :mod:`utils.plots.toy_gan`.
TensorFlow and Keras are imported inside the functions that need them: ``import utils.toy_gan`` stays cheap.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable, Literal

import numpy as np

from utils.validation import check_positive_int

if TYPE_CHECKING:  # pragma: no cover
    import keras

GeneratorLoss = Literal["non-saturating", "saturating"]

N_MODES, RADIUS, SIGMA = 8, 2.0, 0.05
"""The data of notebook 08: 8 Gaussians of standard deviation 0.05 on a circle of radius 2."""
LATENT_DIM, WIDTH = 8, 128
"""Noise size of the generator and width of both players' two hidden layers."""


# --------------------------------------------------------------------------- data and densities
def ring_centres(n_modes: int = N_MODES, radius: float = RADIUS) -> np.ndarray:
    """The centres of ``n_modes`` Gaussians evenly spaced on a circle, the first at angle 0.

    Returns:
        float64 array of shape (n_modes, 2).
    """
    n_modes = check_positive_int(n_modes, "n_modes")
    angles = 2 * np.pi * np.arange(n_modes) / n_modes
    return radius * np.stack([np.cos(angles), np.sin(angles)], axis=1)


def sample_ring(n: int, rng: np.random.Generator, *, n_modes: int = N_MODES, radius: float = RADIUS,
                sigma: float = SIGMA) -> np.ndarray:
    """Draw ``n`` points from the ring: pick a mode uniformly, add isotropic Gaussian noise of std ``sigma``.

    Returns:
        float32 array of shape (n, 2).
    """
    n = check_positive_int(n, "n")
    centres = ring_centres(n_modes, radius)
    which = rng.integers(0, n_modes, size=n)
    return (centres[which] + sigma * rng.standard_normal((n, 2))).astype(np.float32)


def _gaussian_mixture(points: np.ndarray, centres: np.ndarray, sigma: float, chunk: int = 4096) -> np.ndarray:
    """Mean over ``centres`` of the isotropic 2-D normal density N(point; centre, sigma² I), in chunks."""
    points = np.asarray(points, dtype=np.float64).reshape(-1, 2)
    centres = np.asarray(centres, dtype=np.float64).reshape(-1, 2)
    out = np.empty(len(points))
    norm = 1.0 / (2 * np.pi * sigma ** 2)
    per = max(1, chunk * 64 // max(1, len(centres)))
    c2 = (centres ** 2).sum(axis=1)                                             # (n_centres,)
    for start in range(0, len(points), per):
        p = points[start:start + per]
        d2 = (p ** 2).sum(axis=1)[:, None] + c2[None, :] - 2.0 * p @ centres.T    # (chunk, n_centres), BLAS
        out[start:start + per] = norm * np.exp(-np.maximum(d2, 0.0) / (2 * sigma ** 2)).mean(axis=1)
    return out


def mixture_density(points: np.ndarray, *, n_modes: int = N_MODES, radius: float = RADIUS,
                    sigma: float = SIGMA) -> np.ndarray:
    """The exact density p_data of the ring at ``points`` (per unit area).

    Args:
        points: array of shape (m, 2).

    Returns:
        float64 array of shape (m,).
    """
    return _gaussian_mixture(points, ring_centres(n_modes, radius), sigma)


def kde_density(points: np.ndarray, samples: np.ndarray, bandwidth: float) -> np.ndarray:
    """A Gaussian kernel density estimate built from ``samples``, evaluated at ``points``.

    Each sample contributes an isotropic normal bump of standard deviation ``bandwidth``; the estimate is
    their mean, so it integrates to 1 like a density.

    Args:
        points: (m, 2) where to evaluate. samples: (n, 2), e.g. generator outputs.
        bandwidth: the bumps' standard deviation (same units as the points), > 0.

    Returns:
        float64 array of shape (m,).
    """
    if not (np.isfinite(bandwidth) and bandwidth > 0):
        raise ValueError(f"bandwidth must be a positive number, got {bandwidth!r}")
    return _gaussian_mixture(points, samples, float(bandwidth))


@dataclass(frozen=True)
class Grid:
    """A square grid over [-limit, limit]²: ``points`` (n*n, 2) in row-major order of ``shape`` (n, n).

    ``xs`` and ``ys`` (n,) are the coordinates along each axis; ``cell_area`` is the area one point stands for,
    so ``density.sum() * cell_area`` approximates an integral over the square.
    """

    xs: np.ndarray
    ys: np.ndarray
    points: np.ndarray
    shape: tuple[int, int]
    cell_area: float

    def as_image(self, values: np.ndarray) -> np.ndarray:
        """Values at ``points`` (n*n,) reshaped to (n, n) for ``contourf(xs, ys, image)``."""
        return np.asarray(values).reshape(self.shape)


def make_grid(limit: float = 3.0, n: int = 121) -> Grid:
    """A grid of ``n × n`` points over the square [-limit, limit]² (float32 points)."""
    n = check_positive_int(n, "n")
    xs = np.linspace(-limit, limit, n)
    xx, yy = np.meshgrid(xs, xs)
    points = np.stack([xx.ravel(), yy.ravel()], axis=1).astype(np.float32)
    step = xs[1] - xs[0] if n > 1 else 2 * limit
    return Grid(xs=xs, ys=xs.copy(), points=points, shape=(n, n), cell_area=float(step * step))


# --------------------------------------------------------------------------- recipes and models
@dataclass(frozen=True)
class Recipe:
    """How a toy GAN is trained.

    Attributes:
        name: shown in titles and progress bars.
        lr_d, lr_g: Adam learning rates of the discriminator and the generator.
        beta_1: Adam's first-moment decay for both players.
        pack: how many samples the discriminator judges at once (1: a normal GAN; m > 1: PacGAN, every
            pack is all real or all fake, so a generator that puts all its samples in one place is easy to spot).
        generator_loss: ``"non-saturating"`` (minimise -log D(G(z)), what ``train_on_batch(noise, ones)`` does)
            or ``"saturating"`` (minimise log(1 - D(G(z))), the minimax game of the theory).
    """

    name: str
    lr_d: float = 1e-3
    lr_g: float = 1e-3
    beta_1: float = 0.5
    pack: int = 1
    generator_loss: GeneratorLoss = "non-saturating"


NAIVE = Recipe("naive", lr_d=2e-4)
"""One sample per judgement, the generator learning 5x faster than the discriminator (lr 1e-3 against 2e-4)."""
STABLE = Recipe("stable", pack=4)
"""Both players at the same learning rate (1e-3), and the discriminator judges packs of 4 samples."""


def build_generator(latent_dim: int = LATENT_DIM, width: int = WIDTH) -> "keras.Model":
    """Noise (batch, latent_dim) -> points (batch, 2): two ReLU layers of ``width`` units, linear output."""
    import keras

    return keras.Sequential([keras.Input((latent_dim,)),
                             keras.layers.Dense(width, activation="relu"),
                             keras.layers.Dense(width, activation="relu"),
                             keras.layers.Dense(2)], name="generator")


def build_discriminator(pack: int = 1, width: int = WIDTH) -> "keras.Model":
    """Packs of points (batch, 2 * pack) -> one logit each (batch, 1); D = sigmoid(logit)."""
    import keras

    pack = check_positive_int(pack, "pack")
    return keras.Sequential([keras.Input((2 * pack,)),
                             keras.layers.Dense(width, activation="relu"),
                             keras.layers.Dense(width, activation="relu"),
                             keras.layers.Dense(1)], name="discriminator")


def make_train_step(generator: "keras.Model", discriminator: "keras.Model", recipe: Recipe, batch_size: int,
                    latent_dim: int = LATENT_DIM) -> Callable[[Any], dict[str, Any]]:
    """One compiled GAN step: ``train_step(real)`` with real points (batch_size, 2) -> ``{"d_loss", "g_loss"}``.

    The discriminator minimises binary cross-entropy (real packs -> 1, fake packs -> 0); the generator
    minimises ``-log D(G(z))`` (non-saturating) or ``log(1 - D(G(z)))`` (saturating). Both update once per step.
    """
    import keras
    import tensorflow as tf

    if batch_size % recipe.pack:
        raise ValueError(f"batch_size ({batch_size}) must be a multiple of the recipe's pack ({recipe.pack})")
    d_opt = keras.optimizers.Adam(recipe.lr_d, beta_1=recipe.beta_1)
    g_opt = keras.optimizers.Adam(recipe.lr_g, beta_1=recipe.beta_1)
    width = 2 * recipe.pack

    def bce(label: float, logits: Any) -> Any:
        labels = tf.fill(tf.shape(logits), label)
        return tf.reduce_mean(tf.nn.sigmoid_cross_entropy_with_logits(labels=labels, logits=logits))

    @tf.function
    def train_step(real: Any) -> dict[str, Any]:
        noise = tf.random.normal((batch_size, latent_dim))
        with tf.GradientTape() as d_tape, tf.GradientTape() as g_tape:
            fake = generator(noise, training=True)
            real_logits = discriminator(tf.reshape(real, (-1, width)), training=True)
            fake_logits = discriminator(tf.reshape(fake, (-1, width)), training=True)
            d_loss = bce(1.0, real_logits) + bce(0.0, fake_logits)
            g_loss = bce(1.0, fake_logits) if recipe.generator_loss == "non-saturating" else -bce(0.0, fake_logits)
        d_grads = d_tape.gradient(d_loss, discriminator.trainable_variables)
        g_grads = g_tape.gradient(g_loss, generator.trainable_variables)
        d_opt.apply_gradients(zip(d_grads, discriminator.trainable_variables))
        g_opt.apply_gradients(zip(g_grads, generator.trainable_variables))
        return {"d_loss": d_loss, "g_loss": g_loss}

    return train_step


def discriminator_surface(discriminator: "keras.Model", points: np.ndarray, pack: int = 1,
                          context: np.ndarray | None = None, rng: np.random.Generator | None = None,
                          n_context: int = 2) -> np.ndarray:
    """D(x) = sigmoid(logit) at ``points`` (m, 2) -> (m,) probabilities "real".

    For a packed discriminator (``pack`` > 1) a single point has no score of its own: it is judged with
    ``pack - 1`` companions. The surface is then the mean of D over packs holding x in each position and
    companions drawn from ``context`` (the generator's current samples, (n, 2)): "how real does x look next
    to what the generator makes now". ``n_context`` draws of companions per position.
    """
    import keras

    points = np.asarray(points, dtype=np.float32).reshape(-1, 2)
    if pack == 1:
        logits = discriminator(points, training=False)
        return np.asarray(keras.ops.sigmoid(logits)).reshape(-1)
    context = np.asarray(context, dtype=np.float32).reshape(-1, 2)
    total = np.zeros(len(points))
    count = 0
    for position in range(pack):
        for _ in range(n_context):
            companions = context[rng.integers(0, len(context), size=(pack - 1,))]      # same for every point
            packs = np.repeat(companions[None], len(points), axis=0)                    # (m, pack - 1, 2)
            packs = np.insert(packs, position, points, axis=1).reshape(len(points), 2 * pack)
            total += np.asarray(keras.ops.sigmoid(discriminator(packs, training=False))).reshape(-1)
            count += 1
    return total / count


# --------------------------------------------------------------------------- training with snapshots
@dataclass
class ToyGanRun:
    """What :func:`train_toy_gan` recorded.

    Attributes:
        recipe: the recipe trained.
        snapshot_steps: (S,) training step of each snapshot (0 = before training).
        samples: (S, n_show, 2) the generator's output on one fixed noise batch at each snapshot.
        surfaces: (S, n, n) D(x) on ``grid`` at each snapshot, values in [0, 1].
        grid: the grid the surfaces were evaluated on.
        d_loss, g_loss: (steps,) the losses of every step.
        seconds: wall-clock training time (snapshots included).
        generator, discriminator: the trained models.
    """

    recipe: Recipe
    snapshot_steps: np.ndarray
    samples: np.ndarray
    surfaces: np.ndarray
    grid: Grid
    d_loss: np.ndarray
    g_loss: np.ndarray
    seconds: float
    generator: Any = field(repr=False)
    discriminator: Any = field(repr=False)

    def final_samples(self) -> np.ndarray:
        """The generator's samples at the last snapshot, (n_show, 2)."""
        return self.samples[-1]

    def generate(self, n: int, seed: int = 0) -> np.ndarray:
        """``n`` fresh samples (n, 2) from the trained generator, float64."""
        z = np.random.default_rng(seed).standard_normal((n, self.generator.input_shape[-1])).astype(np.float32)
        return np.asarray(self.generator(z, training=False), dtype=np.float64)


def train_toy_gan(recipe: Recipe, *, steps: int, seed: int, batch_size: int = 256, snapshot_every: int = 100,
                  n_show: int = 1000, grid: Grid | None = None, progress: bool = True,
                  surfaces: bool = True) -> ToyGanRun:
    """Train a toy GAN on the ring with ``recipe`` for ``steps`` steps; seeded, so a seed gives one run.

    Args:
        recipe: learning rates, pack size and generator loss (:data:`NAIVE`, :data:`STABLE`, or your own).
        steps: training steps (one discriminator and one generator update each).
        seed: seeds Keras' weights and noise and the NumPy data stream.
        batch_size: real (and fake) points per step; a multiple of ``recipe.pack``.
        snapshot_every: steps between snapshots (one is also taken before training and after the last step).
        n_show: generator samples stored per snapshot (always from the same noise).
        grid: where D(x) is evaluated (default ``make_grid(3.0, 61)``).
        progress: show a tqdm progress bar with the latest losses.
        surfaces: record D's surface at each snapshot (``False`` for benchmarks that only count modes).

    Returns:
        A :class:`ToyGanRun`.
    """
    import keras
    import tensorflow as tf
    from tqdm.auto import tqdm

    steps = check_positive_int(steps, "steps")
    snapshot_every = check_positive_int(snapshot_every, "snapshot_every")
    grid = grid if grid is not None else make_grid(3.0, 61)
    keras.utils.set_random_seed(seed)
    rng = np.random.default_rng(seed)
    surface_rng = np.random.default_rng(seed + 1)
    noise = np.random.default_rng(seed + 2).standard_normal((n_show, LATENT_DIM)).astype(np.float32)
    generator, discriminator = build_generator(), build_discriminator(recipe.pack)
    train_step = make_train_step(generator, discriminator, recipe, batch_size)

    shot_steps, shot_samples, shot_surfaces = [], [], []

    def snapshot(step: int) -> None:
        shown = np.asarray(generator(noise, training=False), dtype=np.float64)
        shot_steps.append(step)
        shot_samples.append(shown)
        if surfaces:
            shot_surfaces.append(grid.as_image(discriminator_surface(discriminator, grid.points, recipe.pack,
                                                                     shown, surface_rng)))

    d_losses, g_losses = np.zeros(steps), np.zeros(steps)
    start = time.perf_counter()
    snapshot(0)
    bar = tqdm(range(1, steps + 1), desc=recipe.name, disable=not progress, mininterval=0.5, leave=True)
    for step in bar:
        out = train_step(tf.constant(sample_ring(batch_size, rng)))
        d_losses[step - 1], g_losses[step - 1] = float(out["d_loss"]), float(out["g_loss"])
        if step % snapshot_every == 0 or step == steps:
            snapshot(step)
            bar.set_postfix(d_loss=f"{d_losses[step - 1]:.3f}", g_loss=f"{g_losses[step - 1]:.3f}")
    seconds = time.perf_counter() - start
    return ToyGanRun(recipe=recipe, snapshot_steps=np.array(shot_steps), samples=np.stack(shot_samples),
                     surfaces=np.stack(shot_surfaces) if surfaces else np.zeros((0,) + grid.shape),
                     grid=grid, d_loss=d_losses, g_loss=g_losses, seconds=seconds,
                     generator=generator, discriminator=discriminator)
