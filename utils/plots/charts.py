"""Charts of functions and data: decision boundaries, activation functions, training curves, loss surfaces with
descent paths, and a perceptron's decision line.

Every function draws on a Matplotlib ``Axes`` (pass ``ax=`` to place it in your own figure, or leave it out to
get a new figure), sets a title and axis labels, and returns the ``Axes`` so a notebook can add to it.
"""
from __future__ import annotations

from typing import Callable, Mapping, Sequence

import numpy as np
from matplotlib.axes import Axes
from matplotlib.colors import ListedColormap

from utils.plots.style import CLASS_COLOURS, axes_or_new
from utils.validation import (as_array, check_interval, check_non_empty, check_positive_int, check_range,
                              check_same_length)


def _on_grid(fn: Callable[[np.ndarray], np.ndarray], g0: np.ndarray, g1: np.ndarray, name: str, *,
             rows: bool = False) -> np.ndarray:
    """``fn`` evaluated at every point of the meshgrid (g0, g1): one value per point, shape (g0.size,) — or, with
    ``rows``, also one row of scores per point, shape (g0.size, k).

    Raises:
        ValueError: if ``fn`` returns anything else.
    """
    out = np.asarray(fn(np.c_[g0.ravel(), g1.ravel()]))
    if out.size == g0.size:
        return out.reshape(-1)
    if not (rows and out.ndim == 2 and out.shape[0] == g0.size):
        raise ValueError(f"{name} returned shape {out.shape} for {g0.size} points of shape ({g0.size}, 2); it must "
                         "return one value per input row")
    return out


def plot_decision_boundary(predict: Callable[[np.ndarray], np.ndarray], X: np.ndarray, y: np.ndarray, *,
                           ax: Axes | None = None, title: str = "Decision boundary", resolution: int = 200,
                           margin: float = 0.5, xlabel: str = "$x_1$", ylabel: str = "$x_2$") -> Axes:
    """Shade the regions a 2-D classifier assigns to each class and scatter the data on top.

    Args:
        predict: maps points of shape (m, 2) to class labels of shape (m,) (ints) or to probabilities of
            shape (m,) or (m, 1) for class 1 (thresholded at 0.5), or (m, k) class scores (argmax taken).
        X: points, shape (n, 2), n >= 1.
        y: integer class labels 0..9, shape (n,).
        resolution: grid points per axis (an int >= 2).
        margin: space added around the data, in data units.
    """
    X = as_array(X, "X", shape=(None, 2), dtype_kind="fiu")
    check_non_empty(X, "X", "point (a row of 2 coordinates)")
    y = as_array(y, "y", ndim=1, dtype_kind="iub")
    check_same_length(X, y, "X", "y")
    check_range(y, "y (class labels)", 0, len(CLASS_COLOURS) - 1)
    resolution = check_positive_int(resolution, "resolution", minimum=2)
    ax = axes_or_new(ax)
    x0 = np.linspace(X[:, 0].min() - margin, X[:, 0].max() + margin, resolution)
    x1 = np.linspace(X[:, 1].min() - margin, X[:, 1].max() + margin, resolution)
    g0, g1 = np.meshgrid(x0, x1)
    out = _on_grid(predict, g0, g1, "predict", rows=True)
    if out.ndim == 2:
        labels = out.argmax(axis=1)
    else:
        labels = (out >= 0.5).astype(int) if out.dtype.kind == "f" else out.astype(int)
    k = int(max(labels.max(), y.max())) + 1
    cmap = ListedColormap(CLASS_COLOURS[:k])
    ax.contourf(g0, g1, labels.reshape(g0.shape), levels=np.arange(k + 1) - 0.5, cmap=cmap, alpha=0.25)
    for c in range(k):
        pts = X[y == c]
        if len(pts):
            ax.scatter(pts[:, 0], pts[:, 1], s=25, color=CLASS_COLOURS[c], edgecolor="k", linewidth=0.5,
                       label=f"class {c}")
    ax.set(title=title, xlabel=xlabel, ylabel=ylabel)
    ax.legend(loc="best", fontsize=8)
    return ax


def plot_activation(fn: Callable[[np.ndarray], np.ndarray], derivative: Callable[[np.ndarray], np.ndarray] | None,
                    name: str, *, ax: Axes | None = None, x_range: tuple[float, float] = (-5.0, 5.0)) -> Axes:
    """Plot an activation function and (dashed) its derivative over ``x_range``."""
    x_range = check_interval(x_range, "x_range")
    ax = axes_or_new(ax)
    z = np.linspace(*x_range, 400)
    ax.plot(z, fn(z), label=name, lw=2)
    if derivative is not None:
        ax.plot(z, derivative(z), "--", label=f"{name}' (derivative)", lw=1.5)
    ax.axhline(0, color="k", lw=0.5)
    ax.axvline(0, color="k", lw=0.5)
    ax.set(title=name, xlabel="pre-activation z", ylabel="output")
    ax.legend(fontsize=8)
    return ax


def plot_loss_curves(history: Mapping[str, Sequence[float]], *, ax: Axes | None = None, title: str = "Training curves",
                     xlabel: str = "epoch", ylabel: str = "loss", logy: bool = False) -> Axes:
    """Plot one line per entry of ``history`` (e.g. Keras' ``History.history`` or ``{"train": [...], ...}``)."""
    ax = axes_or_new(ax)
    for label, values in history.items():
        values = as_array(values, f"history[{label!r}]", ndim=1, allow_nan=True)
        ax.plot(np.arange(1, len(values) + 1), values, label=label, marker="o" if len(values) < 30 else None, ms=3)
    if logy:
        ax.set_yscale("log")
    ax.set(title=title, xlabel=xlabel, ylabel=ylabel)
    ax.legend(fontsize=8)
    return ax


def plot_contour_path(f: Callable[[np.ndarray], np.ndarray],
                      paths: np.ndarray | Mapping[str, np.ndarray], *, ax: Axes | None = None,
                      x_range: tuple[float, float] = (-3.0, 3.0), y_range: tuple[float, float] = (-3.0, 3.0),
                      levels: int = 20, log_levels: bool = True, resolution: int = 150,
                      title: str = "Loss surface and descent path", xlabel: str = "$w_1$",
                      ylabel: str = "$w_2$") -> Axes:
    """Draw contour lines of a function of two variables and, on top, the paths an optimiser took.

    Args:
        f: maps points of shape (m, 2) to values of shape (m,), e.g. a loss as a function of two weights.
        paths: one path of shape (k, 2) (the points visited, start first), or a mapping ``{label: path}``.
            A start is marked with a circle, an end with a cross. Paths may leave the window (divergence):
            the window stays ``x_range`` by ``y_range``.
        x_range, y_range: (low, high) of the window, in the units of the points.
        levels: number of contour levels (an int >= 2).
        log_levels: space the levels geometrically (suits losses >= 0 spanning orders of magnitude); falls
            back to even spacing when ``f`` takes values <= 0 other than its minimum 0.
        resolution: grid points per axis.
    """
    named = dict(paths) if isinstance(paths, Mapping) else {"path": paths}
    checked = {label: as_array(p, f"paths[{label!r}]", shape=(None, 2), dtype_kind="fiu", allow_nan=True)
               for label, p in named.items()}
    x_range, y_range = check_interval(x_range, "x_range"), check_interval(y_range, "y_range")
    levels = check_positive_int(levels, "levels", minimum=2)
    ax = axes_or_new(ax)
    g0, g1 = np.meshgrid(np.linspace(*x_range, resolution), np.linspace(*y_range, resolution))
    values = _on_grid(f, g0, g1, "f").astype(np.float64).reshape(g0.shape)
    lo, hi = float(np.nanmin(values)), float(np.nanmax(values))
    if log_levels and lo >= 0 and hi > 0:
        lvls = np.geomspace(max(lo, hi * 1e-4), hi, levels)
    else:
        lvls = np.linspace(lo, hi, levels)
    ax.contour(g0, g1, values, levels=np.unique(lvls), cmap="viridis", linewidths=0.8)
    for i, (label, p) in enumerate(checked.items()):
        colour = CLASS_COLOURS[(i + 1) % len(CLASS_COLOURS)]
        ax.plot(p[:, 0], p[:, 1], "-", color=colour, lw=1.5, marker=".", ms=4, label=label)
        if len(p):
            ax.plot(*p[0], "o", color=colour, ms=7, mec="k")
            ax.plot(*p[-1], "X", color=colour, ms=8, mec="k")
    ax.set(xlim=x_range, ylim=y_range, title=title, xlabel=xlabel, ylabel=ylabel)
    if isinstance(paths, Mapping):
        ax.legend(fontsize=8, loc="upper right")
    return ax


def plot_perceptron_line(w: Sequence[float] | np.ndarray, b: float, X: np.ndarray | None = None,
                         y: np.ndarray | None = None, *, ax: Axes | None = None,
                         title: str = "Perceptron decision line", xlim: tuple[float, float] = (-0.5, 1.5),
                         ylim: tuple[float, float] = (-0.5, 1.5), shade: bool = True) -> Axes:
    """Draw the line ``w[0]*x1 + w[1]*x2 + b = 0`` of a 2-input perceptron, shade its "output 1" side, and
    scatter labelled points.

    Args:
        w: the two weights, shape (2,), finite.
        b: the bias, a finite number.
        X: points, shape (n, 2), or None for no points.
        y: their 0/1 labels, shape (n,) (needed when X is given).
        xlim, ylim: the visible box, in data units; the line is drawn across all of it.
        shade: lightly colour the side where ``w . x + b >= 0`` (output 1).

    Returns:
        The Axes. The line (a ``Line2D``) has the label ``"w·x + b = 0"``; when both weights are 0 there is
        no line, and a note says so.
    """
    w = as_array(w, "w", shape=(2,), dtype_kind="fiu").astype(np.float64)
    b = float(as_array(b, "b", shape=(), dtype_kind="fiu"))
    xlim, ylim = check_interval(xlim, "xlim"), check_interval(ylim, "ylim")
    ax = axes_or_new(ax, (4.2, 4.0))
    if shade:
        g1, g2 = np.meshgrid(np.linspace(*xlim, 150), np.linspace(*ylim, 150))
        side = (w[0] * g1 + w[1] * g2 + b >= 0).astype(int)
        ax.contourf(g1, g2, side, levels=[-0.5, 0.5, 1.5], colors=[CLASS_COLOURS[0], CLASS_COLOURS[1]], alpha=0.12)
    if abs(w[1]) >= abs(w[0]) and w[1] != 0:
        x1 = np.linspace(*xlim, 2)
        ax.plot(x1, -(w[0] * x1 + b) / w[1], "k-", lw=2, label="w·x + b = 0")
    elif w[0] != 0:
        x2 = np.linspace(*ylim, 2)
        ax.plot(-(w[1] * x2 + b) / w[0], x2, "k-", lw=2, label="w·x + b = 0")
    else:
        ax.text(0.5, 0.95, f"w = 0: no line, every point gives step({b:g})", transform=ax.transAxes,
                ha="center", va="top", fontsize=9)
    if X is not None:
        X = as_array(X, "X", shape=(None, 2), dtype_kind="fiu")
        y = as_array(y, "y (the 0/1 label of each point of X)", ndim=1, dtype_kind="iub")
        check_same_length(X, y, "X", "y")
        for c, marker in ((0, "o"), (1, "s")):
            pts = X[np.asarray(y) == c]
            if len(pts):
                ax.scatter(pts[:, 0], pts[:, 1], s=80, marker=marker, color=CLASS_COLOURS[c], edgecolor="k",
                           zorder=3, label=f"target {c}")
    ax.set(xlim=xlim, ylim=ylim, title=title, xlabel="$x_1$", ylabel="$x_2$")
    ax.set_aspect("equal")
    return ax

