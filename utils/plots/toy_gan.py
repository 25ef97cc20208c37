"""Pictures of notebook 08's toy GAN: samples over the discriminator's surface, snapshots, a slider, mode counts.

Every function takes a :class:`utils.toy_gan.ToyGanRun` (or plain arrays) and draws on Matplotlib axes with a
title and labelled axes. Matplotlib and ipywidgets are imported inside the functions.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Sequence

import numpy as np

from utils.toy_gan import ToyGanRun

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

SURFACE_LEVELS = np.linspace(0.0, 1.0, 11)
"""Contour levels of D(x): tenths from 0 (surely fake) to 1 (surely real)."""


def plot_snapshot(ax: "Axes", run: ToyGanRun, index: int, real: np.ndarray, *, modes: int | None = None,
                  colorbar: bool = False) -> Any:
    """Draw snapshot ``index`` of ``run``: D(x) as filled contours, real points (black) and fakes (orange).

    Args:
        ax: where to draw.
        run: a trained run with surfaces recorded.
        index: which snapshot (0 = before training, -1 = the last).
        real: (n, 2) real points to show.
        modes: the number of modes covered at this snapshot, shown in the title if given.
        colorbar: add a colour bar for D(x).

    Returns:
        The contour set (for a shared colour bar).
    """
    grid = run.grid
    surface = ax.contourf(grid.xs, grid.ys, run.surfaces[index], levels=SURFACE_LEVELS, cmap="RdBu", alpha=0.8,
                          vmin=0, vmax=1)
    ax.scatter(real[:, 0], real[:, 1], s=3, c="black", alpha=0.4, label="real")
    fake = run.samples[index]
    ax.scatter(fake[:, 0], fake[:, 1], s=3, c="#ff7f0e", alpha=0.6, label="generated")
    step = int(run.snapshot_steps[index])
    title = f"{run.recipe.name}: step {step}" + (f" · {modes} of 8 modes" if modes is not None else "")
    ax.set(title=title, xlabel="x₁", ylabel="x₂", xlim=(grid.xs[0], grid.xs[-1]), ylim=(grid.ys[0], grid.ys[-1]),
           aspect="equal")
    if colorbar:
        ax.figure.colorbar(surface, ax=ax, label="D(x): probability 'real'")
    return surface


def plot_snapshots(run: ToyGanRun, real: np.ndarray, indices: Sequence[int], *,
                   modes: Sequence[int] | None = None) -> "Figure":
    """A row of snapshots (``indices`` into the run), one shared colour bar; ``modes`` per snapshot of the run."""
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, len(indices), figsize=(3.3 * len(indices) + 1, 3.6), constrained_layout=True)
    axes = np.atleast_1d(axes)
    surface = None
    for ax, i in zip(axes, indices):
        surface = plot_snapshot(ax, run, i, real, modes=None if modes is None else int(modes[i]))
        ax.title.set_fontsize(9)
    axes[0].legend(loc="lower left", fontsize=7, markerscale=3)
    fig.colorbar(surface, ax=list(axes), label="D(x): probability 'real'", shrink=0.9)
    return fig


def snapshot_slider(run: ToyGanRun, real: np.ndarray, modes: Sequence[int] | None = None) -> Any:
    """An ipywidgets slider through the snapshots of ``run``; shows the picture, returns the widget.

    Call it as the last line of a cell followed by ``;`` (or assign the result) so that nothing else prints.
    """
    import ipywidgets as widgets
    import matplotlib.pyplot as plt
    from IPython.display import display

    def show(index: int = len(run.snapshot_steps) - 1) -> None:
        fig, ax = plt.subplots(figsize=(5.2, 4.4), constrained_layout=True)
        plot_snapshot(ax, run, index, real, modes=None if modes is None else int(modes[index]), colorbar=True)
        ax.legend(loc="lower left", fontsize=7, markerscale=3)
        plt.show()

    slider = widgets.IntSlider(value=len(run.snapshot_steps) - 1, min=0, max=len(run.snapshot_steps) - 1, step=1,
                               description="snapshot", continuous_update=False)
    out = widgets.interactive(show, index=slider)
    display(out)
    return out


def plot_mode_counts(runs: Sequence[ToyGanRun], counts: Sequence[Sequence[int]],
                     dominant: Sequence[Sequence[int]] | None = None, *, n_modes: int = 8) -> "Figure":
    """Modes covered at every snapshot, one line per run; optionally the dominant mode per snapshot (hopping).

    Args:
        runs: the runs (for their snapshot steps and names).
        counts: per run, the number of modes covered at each snapshot.
        dominant: per run, the index of the mode nearest to most samples at each snapshot (a second panel).
    """
    import matplotlib.pyplot as plt

    ncols = 1 if dominant is None else 2
    fig, axes = plt.subplots(1, ncols, figsize=(5.6 * ncols, 3.4), constrained_layout=True)
    axes = np.atleast_1d(axes)
    for run, c in zip(runs, counts):
        axes[0].plot(run.snapshot_steps, c, marker="o", ms=3, label=run.recipe.name)
    axes[0].set(title="Modes covered (3σ, ≥ 1 % of samples each)", xlabel="training step",
                ylabel="modes covered", ylim=(-0.3, n_modes + 0.3), yticks=range(n_modes + 1))
    axes[0].legend(fontsize=8)
    if dominant is not None:
        for run, d in zip(runs, dominant):
            axes[1].plot(run.snapshot_steps, d, marker="o", ms=3, ls=":", label=run.recipe.name)
        axes[1].set(title="Where most samples are: the nearest mode", xlabel="training step",
                    ylabel="index of the mode (0-7)", yticks=range(n_modes))
        axes[1].legend(fontsize=8)
    return fig


def dominant_mode(samples: np.ndarray, centres: np.ndarray) -> np.ndarray:
    """For samples (S, n, 2) at S snapshots: (S,) the index of the centre nearest to most samples."""
    samples = np.asarray(samples, dtype=np.float64)
    d = np.linalg.norm(samples[:, :, None, :] - np.asarray(centres)[None, None], axis=3)   # (S, n, k)
    nearest = d.argmin(axis=2)
    return np.array([np.bincount(row, minlength=len(centres)).argmax() for row in nearest])
