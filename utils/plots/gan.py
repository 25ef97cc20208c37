"""Pictures of a GAN run from :func:`utils.gan.train_gan`: loss and accuracy curves, scores over training, which
digits a generator draws, and a slider through the saved snapshots.

Matplotlib and ipywidgets are imported inside the functions.
"""
from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, Mapping, Sequence

import numpy as np

from utils.gan import GanHistory
from utils.validation import as_array, check_positive_int

if TYPE_CHECKING:  # pragma: no cover - only for type checkers
    from matplotlib.axes import Axes


def plot_gan_curves(history: GanHistory, *, smooth: int = 100, axes: Sequence["Axes"] | None = None,
                    title: str = "GAN training") -> Sequence["Axes"]:
    """Two panels: the losses (``d_loss``, ``g_loss``) and the discriminator's accuracy on real and fake images.

    Args:
        history: from :func:`utils.gan.train_gan`; uses the metrics ``d_loss``, ``g_loss``, ``d_acc_real``,
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
        raise ValueError(f"history has no 'd_loss' or 'g_loss' metric to plot; it has {sorted(history.metrics)}: "
                         "return those names from your train step")
    if axes is None:
        _, axes = plt.subplots(1, 2, figsize=(11, 3.6))
    smooth = min(check_positive_int(smooth, "smooth"), max(1, history.steps))
    names = {"d_loss": "discriminator", "g_loss": "generator", "d_acc_real": "on real images",
             "d_acc_fake": "on fake images"}
    for panel, keys in ((0, losses), (1, accs)):
        for k in keys:
            y = history.metric(k, smooth=smooth)
            axes[panel].plot(np.arange(len(y)) + smooth, y, label=names[k])
    axes[0].set(title=f"{title}: losses ({smooth}-step mean)", xlabel="training step", ylabel="loss")
    axes[0].legend()
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
        histories: ``{run name: GanHistory}``, each scored during :func:`utils.gan.train_gan`.
        axes: two Matplotlib axes, or None for a new figure.
        x: ``"step"`` plots against training steps; ``"seconds"`` against training time in seconds (fair
            between models whose steps cost different amounts).
    """
    import matplotlib.pyplot as plt

    unscored = [name for name, h in histories.items() if not h.scores]
    if unscored:
        raise ValueError(f"the run(s) {unscored} have no scores: train them with scorer= and score_every=")
    if axes is None:
        _, axes = plt.subplots(1, 2, figsize=(11, 3.6))
    for name, h in histories.items():
        xs = {"step": h.score_steps, "seconds": h.score_seconds}[x]
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

    rows = {name: as_array(h, f"histograms[{name!r}]", shape=(10,), dtype_kind="fiu").astype(np.float64)
            for name, h in histograms.items()}
    if ax is None:
        _, ax = plt.subplots(figsize=(9, 3.6))
    width = 0.8 / max(1, len(rows))
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
        history_or_paths: a :class:`~utils.gan.GanHistory` with snapshots, or a list of PNG paths in training
            order.
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
