"""GAN training plumbing: the parts of a GAN lab that are *not* the idea being taught.

The notebooks write the generator, the discriminator, the losses and the ``@tf.function`` train step
themselves. This module supplies what surrounds them:

* :func:`mnist_dataset` — MNIST as a shuffled, batched, prefetched ``tf.data.Dataset`` in [-1, 1] or [0, 1];
* :func:`fixed_noise` — one seeded latent batch, reused so progress pictures are comparable;
* :func:`generate_grid` / :func:`save_grid_png` — generator output mapped to [0, 1] and written as a PNG;
* :func:`train_gan` — the loop: calls *your* train step, shows a tqdm bar with live losses, saves snapshots
  ``generated_img_<step>.png``, optionally scores the generator, and returns a :class:`GanHistory`;
* :func:`plot_gan_curves`, :func:`plot_gan_scores`, :func:`plot_class_histogram` and
  :func:`snapshot_slider` — pictures of a run.

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
    from matplotlib.axes import Axes

Output = Literal["tanh", "sigmoid"]
"""How a generator's last activation maps to pixels: ``"tanh"`` gives [-1, 1], ``"sigmoid"`` gives [0, 1]."""

SNAPSHOT_PATTERN = "generated_img_{step:06d}.png"
"""File name of the snapshot saved at a training step (zero-padded so names sort in step order)."""

_OUTPUTS = ("tanh", "sigmoid")


def _check_output(output: str) -> str:
    if output not in _OUTPUTS:
        raise ValueError(f"output must be 'tanh' (generator ends in tanh, pixels in [-1, 1]) or 'sigmoid' "
                         f"(pixels in [0, 1]), got {output!r}")
    return output


def _check_value_range(value_range: Sequence[float]) -> tuple[float, float]:
    try:
        lo, hi = (float(v) for v in value_range)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"value_range must be a pair (low, high) such as (-1, 1) or (0, 1), "
                         f"got {value_range!r}") from exc
    if (lo, hi) not in ((-1.0, 1.0), (0.0, 1.0)):
        raise ValueError(f"value_range must be (-1, 1) (for a tanh generator) or (0, 1) (for a sigmoid "
                         f"generator), got {value_range!r}")
    return lo, hi


# --------------------------------------------------------------------------- data
def scale_mnist(images: np.ndarray, value_range: Sequence[float] = (-1.0, 1.0)) -> np.ndarray:
    """Scale uint8 MNIST pixels 0..255 to float32 in ``value_range`` ((-1, 1) or (0, 1)).

    Args:
        images: uint8 array of any shape, values 0..255.
        value_range: ``(-1, 1)`` for a tanh generator, ``(0, 1)`` for a sigmoid generator.

    Returns:
        float32 array of the same shape with values in ``value_range``.
    """
    arr = as_array(images, "images", dtype_kind="u")
    if arr.dtype != np.uint8:
        raise TypeError(f"images must be uint8 pixels 0..255 (as load_mnist returns them), got dtype {arr.dtype}")
    lo, hi = _check_value_range(value_range)
    return (arr.astype(np.float32) / 255.0) * np.float32(hi - lo) + np.float32(lo)


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
    if batch_size > 60000:
        raise ValueError(f"batch_size must be at most 60000 (the number of MNIST training images), got {batch_size}")
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"seed must be a non-negative int, got {seed!r}")
    lo, hi = _check_value_range(value_range)
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

    ds = tf.data.Dataset.range(len(mnist.x_train)).shuffle(len(mnist.x_train), seed=int(seed),
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
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"seed must be a non-negative int, got {seed!r}")
    return np.random.default_rng(int(seed)).standard_normal((n, latent_dim)).astype(np.float32)


# --------------------------------------------------------------------------- images
def to_unit_range(images: Any, *, output: Output = "tanh") -> np.ndarray:
    """Map generator output to grey images in [0, 1] of shape (n, 28, 28) (or (n, h, w) for square images).

    Args:
        images: generator output, shape (n, h*w), (n, h, w) or (n, h, w, 1); a tensor or an array.
        output: ``"tanh"`` (values in [-1, 1], mapped by (x + 1) / 2) or ``"sigmoid"`` (already in [0, 1]).

    Returns:
        float32 array (n, h, w), clipped to [0, 1].
    """
    _check_output(output)
    arr = as_array(images, "images", ndim=(2, 3, 4), dtype_kind="f").astype(np.float32)
    if arr.ndim == 2:
        side = int(round(np.sqrt(arr.shape[1])))
        if side * side != arr.shape[1]:
            raise ValueError(f"flat images must have a square number of pixels (784 for 28x28), got {arr.shape}")
        arr = arr.reshape(len(arr), side, side)
    elif arr.ndim == 4:
        if arr.shape[-1] != 1:
            raise ValueError(f"images must be grey: shape (n, h, w, 1), got {arr.shape}")
        arr = arr[..., 0]
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
    _check_output(output)
    z = as_array(noise, "noise", ndim=2, dtype_kind="f").astype(np.float32)
    if labels is None:
        out = generator(z, training=False)
    else:
        y = as_array(labels, "labels", ndim=1, dtype_kind="iu")
        if len(y) != len(z):
            raise ValueError(f"labels has {len(y)} entries for {len(z)} noise vectors")
        out = generator([z, y.astype(np.int32)], training=False)
    return to_unit_range(np.asarray(out), output=output)


def save_grid_png(images: Any, path: str | Path, title: str | None = None, *, ncols: int = 8,
                  size: float = 0.9) -> Path:
    """Write grey images in [0, 1] as one PNG grid (white background, dark digits), without displaying it.

    Args:
        images: array (n, h, w) or (n, h, w, 1) with values in [0, 1] (e.g. from :func:`generate_grid`).
        path: where to write the PNG (parent folders are created).
        title: optional title above the grid (e.g. ``"step 2000"``).
        ncols: images per row.
        size: inches per image.

    Returns:
        The path written.
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    from utils.validation import check_range

    imgs = as_array(images, "images", ndim=(3, 4), dtype_kind="f")
    if imgs.ndim == 4:
        if imgs.shape[-1] != 1:
            raise ValueError(f"images must be grey: shape (n, h, w) or (n, h, w, 1), got {imgs.shape}")
        imgs = imgs[..., 0]
    if len(imgs) == 0:
        raise ValueError("images is empty: nothing to save")
    check_range(imgs, "images", 0.0, 1.0)
    ncols = min(check_positive_int(ncols, "ncols"), len(imgs))
    nrows = int(np.ceil(len(imgs) / ncols))
    path = Path(path)
    if path.suffix.lower() != ".png":
        raise ValueError(f"path must end in .png, got {str(path)!r}")
    path.parent.mkdir(parents=True, exist_ok=True)
    # One mosaic image (1-pixel white gaps) drawn with a single imshow: much faster than one subplot per image.
    n, h, w = imgs.shape
    mosaic = np.zeros((nrows * (h + 1) + 1, ncols * (w + 1) + 1), dtype=np.float32)
    for i in range(n):
        r, c = divmod(i, ncols)
        mosaic[1 + r * (h + 1):1 + r * (h + 1) + h, 1 + c * (w + 1):1 + c * (w + 1) + w] = imgs[i]
    fig = Figure(figsize=(size * ncols, size * nrows + (0.35 if title else 0.0)))
    FigureCanvasAgg(fig)
    ax = fig.add_axes((0.0, 0.0, 1.0, 1.0 - (0.35 / fig.get_figheight() if title else 0.0)))
    ax.imshow(mosaic, cmap="gray_r", vmin=0.0, vmax=1.0, interpolation="nearest", aspect="auto")
    ax.axis("off")
    if title:
        fig.suptitle(title, y=1.0 - 0.05 / fig.get_figheight(), va="top")
    fig.savefig(path, dpi=80)
    return path


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
        """The per-step values of ``name`` as a float64 array, optionally a running mean over ``smooth`` steps.

        With ``smooth > 1`` the result is shorter: entry i averages steps i+1 .. i+smooth.
        """
        if name not in self.metrics:
            raise KeyError(f"no metric {name!r} was recorded; the train step returned {sorted(self.metrics)}")
        values = np.asarray(self.metrics[name], dtype=np.float64)
        smooth = check_positive_int(smooth, "smooth")
        if smooth == 1 or len(values) < smooth:
            return values
        kernel = np.ones(smooth) / smooth
        return np.convolve(values, kernel, mode="valid")

    def score_series(self, field_name: str) -> np.ndarray:
        """One field of the recorded scores over training, e.g. ``score_series("frechet_distance")``."""
        if not self.scores:
            raise ValueError("no scores were recorded: pass scorer= and score_every= to train_gan")
        return np.asarray([getattr(s, field_name) for s in self.scores], dtype=np.float64)

    @property
    def last_score(self) -> Any:
        """The last recorded score (``GanScores``), or None if the run was not scored."""
        return self.scores[-1] if self.scores else None

    def steps_per_second(self) -> float:
        """Training speed: recorded steps divided by :attr:`seconds`."""
        return self.steps / self.seconds if self.seconds > 0 else float("nan")


def _scalar(value: Any, key: str) -> float:
    arr = np.asarray(value)
    if arr.size != 1:
        raise ValueError(f"train_step must return scalars, but {key!r} has shape {arr.shape}")
    return float(arr.reshape(()))


def _steps_schedule(steps: int, every: int | None) -> set[int]:
    """Steps 0, every, 2*every, ... and the last step."""
    if every is None:
        return set()
    return set(range(0, steps + 1, every)) | {0, steps}


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
    _check_output(output)
    if not callable(train_step):
        raise TypeError(f"train_step must be callable (your train step function), got {type(train_step).__name__}")
    noise = as_array(fixed_noise, "fixed_noise", ndim=2, dtype_kind="f").astype(np.float32)
    if snapshot_every is not None:
        snapshot_every = check_positive_int(snapshot_every, "snapshot_every")
    if score_every is not None:
        score_every = check_positive_int(score_every, "score_every")
        if scorer is None:
            raise ValueError("score_every was given but scorer is None: pass scorer=MnistScorer.load() too")
    score_n = check_positive_int(score_n, "score_n")
    labels = None
    if conditional:
        labels = (np.arange(len(noise)) % 10 if fixed_labels is None
                  else as_array(fixed_labels, "fixed_labels", ndim=1, dtype_kind="iu"))
    snap_dir = Path(snapshot_dir) if snapshot_dir is not None else None
    snap_at = (_steps_schedule(steps, snapshot_every) or {0, steps}) if snap_dir is not None else set()
    score_at = (_steps_schedule(steps, score_every) or {0, steps}) if scorer is not None else set()

    from tqdm.auto import tqdm

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
            except StopIteration:
                iterator = iter(dataset)
                try:
                    batch = next(iterator)
                except StopIteration:
                    raise ValueError("dataset yielded no batches: check its size and batch_size") from None
            t0 = time.perf_counter()
            out = train_step(batch)
            if not isinstance(out, Mapping):
                raise TypeError(f"train_step must return a dict of scalars like {{'d_loss': ..., 'g_loss': ...}}, "
                                f"got {type(out).__name__}")
            values = {k: _scalar(v, k) for k, v in out.items()}  # converting waits for the step to finish
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


# --------------------------------------------------------------------------- pictures of a run
def plot_gan_curves(history: GanHistory, *, smooth: int = 100, axes: Sequence["Axes"] | None = None,
                    title: str = "GAN training") -> Sequence["Axes"]:
    """Two panels: the losses (``d_loss``, ``g_loss``) and the discriminator's accuracy on real and fake images.

    Args:
        history: from :func:`train_gan`; uses the metrics ``d_loss``, ``g_loss``, ``d_acc_real``,
            ``d_acc_fake`` that are present (at least one loss is required).
        smooth: running mean over this many steps (per-step GAN losses are very noisy).
        axes: two Matplotlib axes to draw on, or None for a new figure.

    Returns:
        The two axes.
    """
    import matplotlib.pyplot as plt

    losses = [k for k in ("d_loss", "g_loss") if k in history.metrics]
    accs = [k for k in ("d_acc_real", "d_acc_fake") if k in history.metrics]
    if not losses:
        raise ValueError(f"history has no 'd_loss' or 'g_loss' metric to plot; it has {sorted(history.metrics)}")
    if axes is None:
        _, axes = plt.subplots(1, 2, figsize=(11, 3.6))
    if len(axes) != 2:
        raise ValueError(f"axes must hold two Matplotlib axes, got {len(axes)}")
    smooth = min(check_positive_int(smooth, "smooth"), max(1, history.steps))
    names = {"d_loss": "discriminator", "g_loss": "generator", "d_acc_real": "on real images",
             "d_acc_fake": "on fake images"}
    for k in losses:
        y = history.metric(k, smooth=smooth)
        axes[0].plot(np.arange(len(y)) + smooth, y, label=names[k])
    axes[0].set(title=f"{title}: losses ({smooth}-step mean)", xlabel="training step", ylabel="loss")
    axes[0].legend()
    for k in accs:
        y = history.metric(k, smooth=smooth)
        axes[1].plot(np.arange(len(y)) + smooth, y, label=names[k])
    axes[1].axhline(0.5, color="k", lw=0.8, ls="--", label="chance (0.5)")
    axes[1].set(title=f"{title}: discriminator accuracy", xlabel="training step", ylabel="accuracy",
                ylim=(-0.02, 1.02))
    axes[1].legend()
    axes[0].figure.tight_layout()
    return axes


def plot_gan_scores(histories: Mapping[str, GanHistory], *, axes: Sequence["Axes"] | None = None,
                    x: Literal["step", "seconds"] = "step") -> Sequence["Axes"]:
    """Fréchet distance (log scale, lower is better) and classes covered over training, one line per run.

    Args:
        histories: ``{run name: GanHistory}``, each scored during :func:`train_gan`.
        axes: two Matplotlib axes, or None for a new figure.
        x: ``"step"`` plots against training steps; ``"seconds"`` against training time in seconds (fair
            between models whose steps cost different amounts).
    """
    import matplotlib.pyplot as plt

    if not histories:
        raise ValueError("histories is empty: pass {'run name': history}")
    for name, h in histories.items():
        if not h.scores:
            raise ValueError(f"history {name!r} has no scores: train it with scorer= and score_every=")
    if x not in ("step", "seconds"):
        raise ValueError(f"x must be 'step' or 'seconds', got {x!r}")
    if axes is None:
        _, axes = plt.subplots(1, 2, figsize=(11, 3.6))
    for name, h in histories.items():
        xs = h.score_steps if x == "step" else h.score_seconds
        if len(xs) != len(h.scores):
            raise ValueError(f"history {name!r} has {len(h.scores)} scores but {len(xs)} {x} values; "
                             "record it with train_gan")
        axes[0].plot(xs, h.score_series("frechet_distance"), marker="o", ms=3, label=name)
        axes[1].plot(xs, h.score_series("classes_covered"), marker="o", ms=3, label=name)
    xlabel = "training step" if x == "step" else "training time (s)"
    axes[0].set_yscale("log")
    axes[0].set(title="Fréchet distance (lower is better)", xlabel=xlabel, ylabel="FD (log scale)")
    axes[1].set(title="Digit classes covered (≥1% of samples)", xlabel=xlabel, ylabel="classes",
                ylim=(0, 10.5))
    for ax in axes:
        ax.legend()
    axes[0].figure.tight_layout()
    return axes


def plot_class_histogram(histograms: Mapping[str, Any], *, ax: "Axes | None" = None,
                         title: str = "Which digits does the generator draw?") -> "Axes":
    """Grouped bar chart of the fraction of generated images per digit class, one group of bars per run.

    Args:
        histograms: ``{run name: 10 class fractions}`` (e.g. ``scores.class_histogram``); each sums to ~1.
        ax: axes to draw on, or None for a new figure.
    """
    import matplotlib.pyplot as plt

    if not histograms:
        raise ValueError("histograms is empty: pass {'run name': scores.class_histogram}")
    rows = {name: as_array(h, f"histograms[{name!r}]", shape=(10,), dtype_kind="fiu").astype(np.float64)
            for name, h in histograms.items()}
    if ax is None:
        _, ax = plt.subplots(figsize=(9, 3.6))
    width = 0.8 / len(rows)
    for i, (name, h) in enumerate(rows.items()):
        ax.bar(np.arange(10) + (i - (len(rows) - 1) / 2) * width, h, width=width, label=name)
    ax.axhline(0.1, color="k", lw=0.8, ls="--", label="uniform (0.1)")
    ax.set_xticks(range(10))
    ax.set(title=title, xlabel="digit class (as the evaluator's classifier sees it)",
           ylabel="fraction of generated images")
    ax.legend()
    return ax


def snapshot_slider(history_or_paths: GanHistory | Sequence[str | Path], *, title: str = "Fixed noise batch"
                    ) -> None:
    """Display an ipywidgets slider through the saved snapshots (it draws the last one at once, also headless).

    The widget is displayed here and nothing is returned, so a cell that ends with this call shows the slider
    once and no stray return value under it.

    Args:
        history_or_paths: a :class:`GanHistory` with snapshots, or a list of PNG paths in training order.
        title: figure title prefix.
    """
    import ipywidgets as widgets
    import matplotlib.image as mpimg
    import matplotlib.pyplot as plt
    from IPython.display import display

    if isinstance(history_or_paths, GanHistory):
        paths = list(history_or_paths.snapshot_paths)
        steps: list[Any] = list(history_or_paths.snapshot_steps)
    else:
        paths = [Path(p) for p in history_or_paths]
        steps = [p.stem for p in paths]
    if not paths:
        raise ValueError("there are no snapshots to show: train with snapshot_dir= set")
    missing = [str(p) for p in paths if not Path(p).is_file()]
    if missing:
        raise FileNotFoundError(f"snapshot file(s) missing: {missing[:3]}; re-run the training cell")

    def show(index: int) -> None:
        img = mpimg.imread(paths[index])
        fig, ax = plt.subplots(figsize=(6, 6 * img.shape[0] / img.shape[1]))
        ax.imshow(img)
        ax.set_axis_off()
        ax.set_title(f"{title} — step {steps[index]} ({index + 1}/{len(paths)})")
        plt.show()

    slider = widgets.IntSlider(value=len(paths) - 1, min=0, max=len(paths) - 1, step=1,
                               description="snapshot", continuous_update=False)
    display(widgets.interactive(show, index=slider))
