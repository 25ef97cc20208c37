"""GAN training plumbing: the parts of a GAN lab that are *not* the idea being taught.

The notebooks write the generator, the discriminator, the losses and the ``@tf.function`` train step
themselves. This module supplies what surrounds them:

* :func:`mnist_dataset` — MNIST as a shuffled, batched, prefetched ``tf.data.Dataset`` in [-1, 1] or [0, 1];
* :func:`fixed_noise` — one seeded latent batch, reused so progress pictures are comparable;
* :func:`to_unit_range` / :func:`generate_grid` — generator output checked against its last activation
  (``output``) and mapped to grey images in [0, 1] (the one home of the tanh -> [0, 1] mapping, used by the
  evaluator in :mod:`utils.gan_eval` too);
* :func:`train_gan` — the loop: calls *your* train step, shows a tqdm bar with live losses, saves snapshots
  ``generated_img_<step>.png``, optionally scores the generator, and returns a :class:`GanHistory`.

Pictures of a run (curves, scores, class histograms, the snapshot slider) are in :mod:`utils.plots.gan`.

The train-step contract
-----------------------
``train_step(batch) -> Mapping[str, scalar]`` where ``batch`` is exactly one element of the dataset:
an image tensor for an unconditional GAN (``mnist_dataset(...)``), or an ``(images, labels)`` tuple for a
conditional one (``mnist_dataset(..., with_labels=True)``) — the tuple is passed as ONE argument. The returned
mapping holds scalar tensors (or floats), e.g. ``{"d_loss": ..., "g_loss": ..., "d_acc_real": ...,
"d_acc_fake": ...}``; any names work, and every name is recorded per step in :attr:`GanHistory.metrics`.
The keys ``d_loss`` and ``g_loss`` (if present) are shown live on the progress bar.

TensorFlow and Matplotlib are imported inside the functions, so ``import utils.gan`` stays cheap.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterable, Literal, Mapping, Protocol, Sequence

import numpy as np

from utils.validation import as_array, check_positive_int

if TYPE_CHECKING:  # pragma: no cover - only for type checkers
    import tensorflow as tf

Output = Literal["tanh", "sigmoid"]
"""How a generator's last activation maps to pixels: ``"tanh"`` gives [-1, 1], ``"sigmoid"`` gives [0, 1]."""

OUTPUT_RANGES: Mapping[str, tuple[float, float]] = {"tanh": (-1.0, 1.0), "sigmoid": (0.0, 1.0)}
"""The pixel range each ``output`` produces."""

SNAPSHOT_PATTERN = "generated_img_{step:06d}.png"
"""File name of the snapshot saved at a training step (zero-padded so names sort in step order)."""

RANGE_TOLERANCE = 1e-4
"""Slack allowed on a pixel range (float32 round-off of (x + 1) / 2 and the like)."""


def check_output(output: str) -> str:
    """Return ``output`` if it is ``"tanh"`` or ``"sigmoid"``, else raise a ValueError saying what each means."""
    if output not in OUTPUT_RANGES:
        raise ValueError(f"output must be 'tanh' (generator ends in tanh, pixels in [-1, 1]) or 'sigmoid' "
                         f"(pixels in [0, 1]), got {output!r}")
    return output


def check_separate_optimizers(g_optimizer: Any, d_optimizer: Any) -> None:
    """Raise if both players share one optimiser object (its state would mix the two players' updates)."""
    if g_optimizer is d_optimizer:
        raise ValueError("g_optimizer and d_optimizer are the same object: give each player its own optimiser")


# --------------------------------------------------------------------------- data
def mnist_dataset(batch_size: int, *, value_range: Sequence[float] = (-1.0, 1.0), flatten: bool = False,
                  with_labels: bool = False, repeat: bool = True, seed: int = 0) -> "tf.data.Dataset":
    """The 60,000 MNIST training images as a shuffled, batched, prefetched ``tf.data.Dataset``.

    Args:
        batch_size: images per batch (the last, incomplete batch of each pass is dropped, so every batch
            has exactly this size and a ``@tf.function`` train step is traced once).
        value_range: ``(-1, 1)`` (pair with a tanh generator) or ``(0, 1)`` (pair with a sigmoid generator).
        flatten: yield images of shape (batch, 784) instead of (batch, 28, 28, 1).
        with_labels: yield ``(images, labels)`` tuples, labels int32 of shape (batch,), for a conditional GAN.
        repeat: repeat forever, reshuffling on each pass (what :func:`train_gan` expects); ``False`` gives one
            pass of ``60000 // batch_size`` batches.
        seed: shuffling seed (same seed, same order of batches).

    Returns:
        A dataset of float32 images, shape (batch_size, 28, 28, 1) or (batch_size, 784), values in
        ``value_range`` — or of ``(images, labels)`` tuples if ``with_labels``.
    """
    batch_size = check_positive_int(batch_size, "batch_size")
    seed = check_positive_int(seed, "seed", minimum=0)
    pair = None if isinstance(value_range, str) else tuple(float(v) for v in value_range)
    if pair not in OUTPUT_RANGES.values():
        raise ValueError(f"value_range must be (-1, 1) (for a tanh generator) or (0, 1) (for a sigmoid "
                         f"generator), got {value_range!r}")
    lo, hi = pair
    import tensorflow as tf

    from utils.data import load_mnist

    mnist = load_mnist()
    # Shuffle indices, not images: the shuffle buffer then holds 60,000 ints instead of 188 MB of floats, so
    # the first batch comes at once. Each batch gathers its uint8 images and scales them on the fly.
    pixels = tf.constant(mnist.x_train.reshape(len(mnist.x_train), 784) if flatten else mnist.x_train[..., None])
    labels = tf.constant(mnist.y_train.astype(np.int32))
    scale, offset = (hi - lo) / 255.0, lo

    def gather(index: "tf.Tensor") -> Any:
        images = tf.cast(tf.gather(pixels, index), tf.float32) * scale + offset
        return (images, tf.gather(labels, index)) if with_labels else images

    ds = tf.data.Dataset.range(len(mnist.x_train)).shuffle(len(mnist.x_train), seed=seed,
                                                             reshuffle_each_iteration=True)
    if repeat:
        ds = ds.repeat()
    ds = ds.batch(batch_size, drop_remainder=True).map(gather, num_parallel_calls=tf.data.AUTOTUNE)
    return ds.prefetch(tf.data.AUTOTUNE)


def fixed_noise(n: int, latent_dim: int, seed: int = 0) -> np.ndarray:
    """One batch of latent vectors z ~ N(0, 1), the same for the same seed.

    Draw it once before training and reuse it for every snapshot, so pictures from different steps show
    what the *same* latent points turn into as the generator learns.

    Returns:
        float32 array of shape (n, latent_dim).
    """
    n = check_positive_int(n, "n")
    latent_dim = check_positive_int(latent_dim, "latent_dim")
    seed = check_positive_int(seed, "seed", minimum=0)
    return np.random.default_rng(seed).standard_normal((n, latent_dim)).astype(np.float32)


# --------------------------------------------------------------------------- images
def _range_hint(lo: float, hi: float, output: str) -> str:
    if output == "sigmoid" and lo >= -1 - RANGE_TOLERANCE and hi <= 1 + RANGE_TOLERANCE:
        return " This looks like a tanh output in [-1, 1]: map it to [0, 1] with (x + 1) / 2 (output='tanh' does)."
    if hi > 1.5 and lo >= -RANGE_TOLERANCE:
        return " This looks like 0..255 pixel values: divide by 255 first."
    return " End the generator with a tanh activation (output='tanh') or a sigmoid one (output='sigmoid')."


def to_unit_range(images: Any, *, output: Output = "tanh", name: str = "images") -> np.ndarray:
    """Check generator output against its last activation and map it to grey images in [0, 1] of shape (n, h, w).

    Args:
        images: shape (n, h*w) with h == w, (n, h, w) or (n, h, w, 1); a tensor or an array.
        output: ``"tanh"`` (values in [-1, 1], mapped by (x + 1) / 2) or ``"sigmoid"`` (values in [0, 1], kept).
        name: what to call ``images`` in an error message.

    Returns:
        float32 array (n, h, w) in [0, 1] (round-off beyond the range is clipped).

    Raises:
        ValueError: on another shape, or on values outside ``output``'s range (more than
            :data:`RANGE_TOLERANCE`); the message says what the values look like (tanh output, 0..255 pixels).
    """
    low, high = OUTPUT_RANGES[check_output(output)]
    arr = as_array(images, name, dtype_kind="fiu").astype(np.float32)
    side = int(round(np.sqrt(arr.shape[1]))) if arr.ndim == 2 else 0
    if arr.ndim == 2 and side > 0 and side * side == arr.shape[1]:
        arr = arr.reshape(len(arr), side, side)
    elif arr.ndim == 4 and arr.shape[-1] == 1:
        arr = arr[..., 0]
    lo, hi = (float(arr.min()), float(arr.max())) if arr.size else (low, high)
    if arr.ndim != 3 or lo < low - RANGE_TOLERANCE or hi > high + RANGE_TOLERANCE:
        raise ValueError(f"{name} must be grey images of shape (n, h, w), (n, h, w, 1) or (n, h*w) with values "
                         f"in [{low:g}, {high:g}] for output={output!r}; got shape {np.shape(images)}"
                         + (f", values from {lo:.4g} to {hi:.4g}." + _range_hint(lo, hi, output)
                            if arr.ndim == 3 else ""))
    if output == "tanh":
        arr = (arr + 1.0) / 2.0
    return np.clip(arr, 0.0, 1.0)


def generate_grid(generator: Callable[..., Any], noise: Any, *, output: Output = "tanh",
                  labels: Any | None = None) -> np.ndarray:
    """Run the generator (in inference mode) on ``noise`` and return images in [0, 1].

    Args:
        generator: a Keras model mapping noise (n, latent_dim) to images; if ``labels`` is given it is called
            as ``generator([noise, labels])`` (conditional GAN).
        noise: float array (n, latent_dim), e.g. from :func:`fixed_noise`.
        output: the generator's last activation, ``"tanh"`` or ``"sigmoid"``.
        labels: optional int class labels of shape (n,) for a conditional generator.

    Returns:
        float32 array (n, 28, 28) with values in [0, 1].
    """
    check_output(output)
    z = as_array(noise, "noise", ndim=2, dtype_kind="f").astype(np.float32)
    if labels is None:
        out = generator(z, training=False)
    else:
        out = generator([z, as_array(labels, "labels", ndim=1, dtype_kind="iu").astype(np.int32)], training=False)
    return to_unit_range(np.asarray(out), output=output, name="the generator's output")


# --------------------------------------------------------------------------- training loop
class GeneratorScorer(Protocol):
    """Anything with the evaluator's ``score_generator`` method (``utils.gan_eval.MnistScorer``)."""

    def score_generator(self, generator: Any, latent_dim: int, n: int = 10000, output: str = "tanh",
                        conditional: bool = False, seed: int = 0) -> Any: ...


@dataclass
class GanHistory:
    """What happened during :func:`train_gan`.

    Attributes:
        metrics: per training step, every value the train step returned, e.g. ``metrics["d_loss"]`` is a list
            of floats, one per step (step 1 first).
        snapshot_steps: the steps at which a snapshot was saved (0 = before training).
        snapshot_paths: the PNG files, one per entry of ``snapshot_steps``.
        score_steps: the steps at which the generator was scored (0 = untrained).
        scores: the scorer's results (``GanScores``), one per entry of ``score_steps``.
        score_seconds: training time (as :attr:`seconds`) when each score was taken, one per entry of
            ``score_steps``; use it to compare runs on a wall-clock budget.
        seconds: wall time spent in the train steps (excluding snapshots and scoring), in seconds.
        total_seconds: wall time of the whole call, in seconds.
    """

    metrics: dict[str, list[float]] = field(default_factory=dict)
    snapshot_steps: list[int] = field(default_factory=list)
    snapshot_paths: list[Path] = field(default_factory=list)
    score_steps: list[int] = field(default_factory=list)
    scores: list[Any] = field(default_factory=list)
    score_seconds: list[float] = field(default_factory=list)
    seconds: float = 0.0
    total_seconds: float = 0.0

    @property
    def steps(self) -> int:
        """Number of training steps recorded."""
        return max((len(v) for v in self.metrics.values()), default=0)

    def metric(self, name: str, *, smooth: int = 1) -> np.ndarray:
        """The per-step values of ``name`` (a KeyError if the train step never returned it) as a float64 array,
        optionally a running mean over ``smooth`` steps.

        With ``smooth > 1`` the result is shorter: entry i averages steps i+1 .. i+smooth.
        """
        values = np.asarray(self.metrics[name], dtype=np.float64)
        smooth = check_positive_int(smooth, "smooth")
        if smooth == 1 or len(values) < smooth:
            return values
        return np.convolve(values, np.ones(smooth) / smooth, mode="valid")

    def score_series(self, field_name: str) -> np.ndarray:
        """One field of the recorded scores over training, e.g. ``score_series("frechet_distance")`` (empty if
        the run was not scored)."""
        return np.asarray([getattr(s, field_name) for s in self.scores], dtype=np.float64)

    @property
    def last_score(self) -> Any:
        """The last recorded score (``GanScores``), or None if the run was not scored."""
        return self.scores[-1] if self.scores else None

    def steps_per_second(self) -> float:
        """Training speed: recorded steps divided by :attr:`seconds`."""
        return self.steps / self.seconds if self.seconds > 0 else float("nan")


def _scalars(out: Any) -> dict[str, float]:
    """The train step's result as ``{name: float}``; one clear error if it is not a mapping of scalars."""
    if isinstance(out, Mapping):
        try:
            return {k: float(np.asarray(v).reshape(())) for k, v in out.items()}
        except (TypeError, ValueError):
            got = "a dict with shapes " + str({k: np.shape(v) for k, v in out.items()})
    else:
        got = type(out).__name__
    raise TypeError(f"train_step must return a dict of scalars like {{'d_loss': d_loss, 'g_loss': g_loss}}, "
                    f"got {got}")


def _schedule(steps: int, every: int | None, name: str) -> set[int]:
    """Steps 0, every, 2*every, ... and the last step (only 0 and the last with ``every=None``)."""
    if every is None:
        return {0, steps}
    return set(range(0, steps + 1, check_positive_int(every, name))) | {0, steps}


def train_gan(train_step: Callable[[Any], Mapping[str, Any]], dataset: Iterable[Any], *, steps: int,
              generator: Callable[..., Any], fixed_noise: Any, snapshot_every: int | None = None,
              snapshot_dir: str | Path | None = None, scorer: GeneratorScorer | None = None,
              score_every: int | None = None, score_n: int = 10000, output: Output = "tanh",
              conditional: bool = False, fixed_labels: Any | None = None, progress: bool = True,
              description: str = "training GAN") -> GanHistory:
    """Run ``steps`` training steps of a GAN, with a progress bar, snapshots and (optionally) scores.

    Args:
        train_step: your train step: ``train_step(batch) -> {"d_loss": ..., "g_loss": ..., ...}`` where
            ``batch`` is one element of ``dataset`` (see the module docstring). Usually a ``@tf.function``.
        dataset: yields batches; a ``tf.data.Dataset`` from :func:`mnist_dataset`. If it runs out before
            ``steps``, it is iterated again (one more pass = one more epoch).
        steps: number of train steps (batches) to run.
        generator: the generator model, used for snapshots and scores.
        fixed_noise: float array (n, latent_dim) rendered at every snapshot (see :func:`fixed_noise`).
        snapshot_every: save a PNG grid every this many steps (plus before training and at the end);
            ``None`` saves only before and after.
        snapshot_dir: folder for the PNGs (``generated_img_<step>.png``); ``None`` saves no snapshots.
        scorer: optional evaluator (``utils.gan_eval.MnistScorer``); scores go into :attr:`GanHistory.scores`.
        score_every: score every this many steps (plus at step 0 and at the end); ``None`` with a scorer
            scores only before and after training.
        score_n: images generated per score.
        output: the generator's last activation, ``"tanh"`` or ``"sigmoid"``.
        conditional: the generator takes ``[noise, labels]`` (passed on to the scorer).
        fixed_labels: int labels (n,) for the snapshots of a conditional generator (default: 0..9 repeated).
        progress: show a tqdm progress bar with live losses.
        description: the progress bar's label.

    Returns:
        A :class:`GanHistory` with per-step metrics, snapshot paths and scores.
    """
    steps = check_positive_int(steps, "steps")
    check_output(output)
    noise = as_array(fixed_noise, "fixed_noise", ndim=2, dtype_kind="f").astype(np.float32)
    if score_every is not None and scorer is None:
        raise ValueError("score_every was given but scorer is None: pass scorer=MnistScorer.load() too")
    labels = None
    if conditional:
        labels = np.arange(len(noise)) % 10 if fixed_labels is None else fixed_labels
    snap_dir = Path(snapshot_dir) if snapshot_dir is not None else None
    snap_at = _schedule(steps, snapshot_every, "snapshot_every") if snap_dir is not None else set()
    score_at = _schedule(steps, score_every, "score_every") if scorer is not None else set()

    from tqdm.auto import tqdm

    from utils.plots.images import save_grid_png

    history = GanHistory()
    start = time.perf_counter()

    def checkpoint(step: int) -> None:
        if step in snap_at and snap_dir is not None:
            images = generate_grid(generator, noise, output=output, labels=labels)
            path = save_grid_png(images, snap_dir / SNAPSHOT_PATTERN.format(step=step), title=f"step {step}")
            history.snapshot_steps.append(step)
            history.snapshot_paths.append(path)
        if step in score_at and scorer is not None:
            history.scores.append(scorer.score_generator(generator, int(noise.shape[1]), n=score_n, output=output,
                                                         conditional=conditional, seed=0))
            history.score_steps.append(step)
            history.score_seconds.append(history.seconds)

    checkpoint(0)
    iterator = iter(dataset)
    bar = tqdm(total=steps, desc=description, disable=not progress, mininterval=0.5, leave=True)
    last_postfix = 0.0
    try:
        for step in range(1, steps + 1):
            try:
                batch = next(iterator)
            except StopIteration:  # one more pass over the data
                iterator = iter(dataset)
                batch = next(iterator)
            t0 = time.perf_counter()
            values = _scalars(train_step(batch))  # converting waits for the step to finish
            history.seconds += time.perf_counter() - t0
            for k, v in values.items():
                history.metrics.setdefault(k, []).append(v)
            bar.update(1)
            now = time.perf_counter()
            if progress and now - last_postfix > 0.5:
                last_postfix = now
                shown = {k: f"{values[k]:.3f}" for k in ("d_loss", "g_loss") if k in values}
                if shown:
                    bar.set_postfix(shown, refresh=False)
            if step in snap_at or step in score_at:
                checkpoint(step)
                if history.scores and history.score_steps[-1] == step:
                    bar.set_postfix_str(f"FD {history.scores[-1].frechet_distance:.1f}", refresh=False)
    finally:
        bar.close()
    history.total_seconds = time.perf_counter() - start
    return history
