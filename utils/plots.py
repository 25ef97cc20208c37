"""Plot helpers shared by the notebooks: one style, decision boundaries, activations, curves, image grids,
and drawings of a neuron and of a layered network.

Every function draws on a Matplotlib ``Axes`` (pass ``ax=`` to place it in your own figure, or leave it out to
get a new figure), sets a title and axis labels, and returns the ``Axes`` so a notebook can add to it.
"""
from __future__ import annotations

import warnings
from typing import Callable, Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes
from matplotlib.colors import ListedColormap

from utils.validation import (as_array, check_interval, check_non_empty, check_positive_int, check_range,
                              check_same_length, check_sequence)

CLASS_COLOURS = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f",
                 "#bcbd22", "#17becf"]


def use_course_style() -> None:
    """Apply the course's one plot style (readable sizes, light grid, no top/right spines)."""
    plt.rcParams.update({
        "figure.figsize": (6.4, 4.2),
        "figure.dpi": 90,
        "axes.grid": True,
        "grid.alpha": 0.3,
        "axes.spines.top": False,
        "axes.spines.right": False,
        "axes.titlesize": 12,
        "axes.labelsize": 11,
        "legend.frameon": False,
        "image.cmap": "viridis",
    })


def _axes(ax: Axes | None, figsize: tuple[float, float] | None = None) -> Axes:
    if ax is not None:
        return ax
    _, new_ax = plt.subplots(figsize=figsize)
    return new_ax


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
    if not callable(predict):
        raise TypeError(f"predict must be a function mapping points of shape (m, 2) to labels or probabilities, "
                        f"got {type(predict).__name__} {predict!r:.60}")
    X = as_array(X, "X", shape=(None, 2), dtype_kind="fiu")
    check_non_empty(X, "X", "point (a row of 2 coordinates)")
    y = as_array(y, "y", ndim=1, dtype_kind="iub")
    check_same_length(X, y, "X", "y")
    check_range(y, "y (class labels)", 0, len(CLASS_COLOURS) - 1)
    resolution = check_positive_int(resolution, "resolution", minimum=2)
    ax = _axes(ax)
    x0 = np.linspace(X[:, 0].min() - margin, X[:, 0].max() + margin, resolution)
    x1 = np.linspace(X[:, 1].min() - margin, X[:, 1].max() + margin, resolution)
    g0, g1 = np.meshgrid(x0, x1)
    out = np.asarray(predict(np.c_[g0.ravel(), g1.ravel()]))
    if out.ndim == 2 and out.shape[1] > 1:
        labels = out.argmax(axis=1)
    else:
        out = out.reshape(-1)
        labels = (out >= 0.5).astype(int) if out.dtype.kind == "f" else out.astype(int)
    if labels.shape[0] != g0.size:
        raise ValueError(f"predict returned {labels.shape[0]} values for {g0.size} grid points; it must return "
                         "one label or probability per input row")
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
    ax = _axes(ax)
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
    if not history:
        raise ValueError("history is empty: pass a mapping like {'loss': [...], 'val_loss': [...]}")
    ax = _axes(ax)
    for label, values in history.items():
        values = as_array(values, f"history[{label!r}]", ndim=1, allow_nan=True)
        ax.plot(np.arange(1, len(values) + 1), values, label=label, marker="o" if len(values) < 30 else None, ms=3)
    if logy:
        ax.set_yscale("log")
    ax.set(title=title, xlabel=xlabel, ylabel=ylabel)
    ax.legend(fontsize=8)
    return ax


MOSAIC_ABOVE = 64
"""Grids of more images than this are drawn as one mosaic image on one Axes, not one Axes per image: a grid of
100 images then takes well under a second instead of several (the notebooks' grids, at most 40, keep one Axes
per image)."""


def _grey_images(images: np.ndarray) -> np.ndarray:
    """Check ``images`` and return them as an array of shape (n, h, w), n >= 1."""
    imgs = as_array(images, "images", ndim=(3, 4), dtype_kind="fiub")
    if imgs.ndim == 4:
        if imgs.shape[-1] != 1:
            raise ValueError(f"images must be grey: shape (n, h, w) or (n, h, w, 1), got {imgs.shape}")
        imgs = imgs[..., 0]
    if len(imgs) == 0:
        raise ValueError("images is empty: nothing to show")
    return imgs


def _check_size(size: float) -> float:
    if isinstance(size, bool) or not isinstance(size, (int, float, np.integer, np.floating)) or not 0 < size < 20:
        raise ValueError(f"size must be a number of inches per image between 0 and 20, got {size!r}")
    return float(size)


def show_image_grid(images: np.ndarray, labels: Sequence[str] | np.ndarray | None = None, *, ncols: int = 10,
                    title: str | None = None, cmap: str = "gray_r", size: float = 1.1,
                    value_range: tuple[float, float] | None = None, max_images: int | None = 100) -> plt.Figure:
    """Show images of shape (n, h, w) or (n, h, w, 1) in a grid, each with an optional caption.

    Args:
        images: grey images; uint8 0..255 or floats (e.g. 0..1 or -1..1: give ``value_range``).
        labels: one caption per image (str or number) in a list, tuple or 1-D array, or None.
        ncols: images per row, an int >= 1.
        title: optional title above the grid.
        cmap: Matplotlib colour map (``"gray_r"``: dark digits on white).
        size: inches per image.
        value_range: (vmin, vmax) for the colour scale, vmin < vmax; default: 0..255 for uint8, else each
            image's own range.
        max_images: show at most this many (the first ones) and warn that the rest are left out; None shows
            all. Grids of more than ``MOSAIC_ABOVE`` images are drawn as one mosaic image (fast) with the
            captions as small text above each image.

    Returns:
        The Matplotlib figure.
    """
    imgs = _grey_images(images)
    n = len(imgs)
    if labels is not None:
        check_sequence(labels, "labels", length=n, per="image")
    ncols = check_positive_int(ncols, "ncols")
    size = _check_size(size)
    if value_range is not None:
        value_range = check_interval(value_range, "value_range")
    elif imgs.dtype == np.uint8:
        value_range = (0.0, 255.0)
    if max_images is not None:
        max_images = check_positive_int(max_images, "max_images")
        if n > max_images:
            warnings.warn(f"show_image_grid: showing the first {max_images} of {n} images; pass "
                          f"max_images={n} (or max_images=None) to show them all, or pass the images you want "
                          f"to see (e.g. images[{max_images}:{2 * max_images}]).", UserWarning, stacklevel=2)
            imgs = imgs[:max_images]
            labels = labels[:max_images] if labels is not None else None
    ncols = min(ncols, len(imgs))
    captions = None if labels is None else [str(label) for label in labels]
    draw = _grid_of_axes if len(imgs) <= MOSAIC_ABOVE else _grid_mosaic
    fig = draw(imgs, captions, ncols=ncols, cmap=cmap, size=size, value_range=value_range, title=title)
    return fig


def _grid_of_axes(imgs: np.ndarray, captions: list[str] | None, *, ncols: int, cmap: str, size: float,
                  value_range: tuple[float, float] | None, title: str | None) -> plt.Figure:
    """Small grids: one Axes per image (n, h, w), captions as Axes titles."""
    n = len(imgs)
    nrows = int(np.ceil(n / ncols))
    fig, axes = plt.subplots(nrows, ncols, figsize=(size * ncols, size * nrows + (0.4 if title else 0)),
                             squeeze=False)
    vmin, vmax = value_range if value_range else (None, None)
    for i, ax in enumerate(axes.flat):
        ax.axis("off")
        if i < n:
            ax.imshow(imgs[i], cmap=cmap, vmin=vmin, vmax=vmax)
            if captions is not None:
                ax.set_title(captions[i], fontsize=8)
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig


def _mosaic(imgs: np.ndarray, ncols: int, *, gap: int = 1, caption_rows: int = 0,
           value_range: tuple[float, float] | None = None) -> np.ndarray:
    """Tile images (n, h, w) row by row into one float32 array, NaN in the gaps and the empty cells.

    Each tile is ``h`` by ``w`` pixels, with ``gap`` pixels between tiles and around the edge, plus
    ``caption_rows`` blank pixel rows above each row of tiles (room for captions). With ``value_range`` the
    pixel values are kept; without it each image is scaled to 0..1 by its own min and max (a constant image
    becomes 0), as Matplotlib does for a lone image.

    Returns:
        Array of shape (nrows * (h + gap + caption_rows) + gap, ncols * (w + gap) + gap), nrows = ceil(n / ncols).
    """
    n, h, w = imgs.shape
    nrows = int(np.ceil(n / ncols))
    tiles = imgs.astype(np.float32)
    if value_range is None:
        lo = tiles.min(axis=(1, 2), keepdims=True)
        span = tiles.max(axis=(1, 2), keepdims=True) - lo
        tiles = np.where(span > 0, (tiles - lo) / np.where(span > 0, span, 1), 0).astype(np.float32)
    cell_h, cell_w = h + gap + caption_rows, w + gap
    out = np.full((nrows * cell_h + gap, ncols * cell_w + gap), np.nan, dtype=np.float32)
    padded = np.full((nrows * ncols, h, w), np.nan, dtype=np.float32)
    padded[:n] = tiles
    # (nrows, ncols, h, w) -> place every tile at once through a strided view of the output
    top = gap + caption_rows
    view = out[:nrows * cell_h, :ncols * cell_w].reshape(nrows, cell_h, ncols, cell_w)
    view[:, top:top + h, :, gap:gap + w] = padded.reshape(nrows, ncols, h, w).transpose(0, 2, 1, 3)
    return out


def _grid_mosaic(imgs: np.ndarray, captions: list[str] | None, *, ncols: int, cmap: str, size: float,
                 value_range: tuple[float, float] | None, title: str | None) -> plt.Figure:
    """Big grids: one mosaic image on one Axes (one ``imshow``), captions as small text above each tile."""
    n, h, w = imgs.shape
    nrows = int(np.ceil(n / ncols))
    gap = max(1, w // 14)
    caption_rows = (h * 2) // 5 if captions is not None else 0
    tiled = _mosaic(imgs, ncols, gap=gap, caption_rows=caption_rows, value_range=value_range)
    width = size * ncols
    height = width * tiled.shape[0] / tiled.shape[1]
    title_in = 0.4 if title else 0.0
    fig = plt.figure(figsize=(width, height + title_in))
    ax = fig.add_axes((0.0, 0.0, 1.0, height / (height + title_in)))
    colours = plt.get_cmap(cmap).with_extremes(bad="white")
    vmin, vmax = value_range if value_range else (0.0, 1.0)
    ax.imshow(tiled, cmap=colours, vmin=vmin, vmax=vmax, interpolation="nearest", aspect="auto")
    ax.axis("off")
    if captions is not None:
        cell_h, cell_w = h + gap + caption_rows, w + gap
        for i, caption in enumerate(captions):
            r, c = divmod(i, ncols)
            ax.text(c * cell_w + gap + w / 2, r * cell_h + gap + caption_rows - 0.5, caption, ha="center",
                    va="bottom", fontsize=7, clip_on=True)
    if title:
        fig.suptitle(title, y=1.0 - 0.05 / fig.get_figheight(), va="top")
    return fig


def draw_neuron(n_inputs: int = 3, *, ax: Axes | None = None, activation: str = "σ",
                title: str = "An artificial neuron") -> Axes:
    """Draw inputs x_i with weights w_i feeding a summation node (+ bias b), an activation and the output."""
    if not isinstance(n_inputs, int) or not 1 <= n_inputs <= 8:
        raise ValueError(f"n_inputs must be an int from 1 to 8, got {n_inputs!r}")
    ax = _axes(ax, (7, 3.6))
    ys = np.linspace(0.85, 0.15, n_inputs) if n_inputs > 1 else np.array([0.5])
    for i, yy in enumerate(ys, start=1):
        ax.scatter([0.08], [yy], s=520, c="#dbe9f6", edgecolors="k", zorder=2)
        ax.text(0.08, yy, f"$x_{i}$", ha="center", va="center")
        ax.annotate("", xy=(0.44, 0.5), xytext=(0.125, yy), arrowprops=dict(arrowstyle="->", lw=1.2))
        ax.text(0.27, yy + (0.5 - yy) * 0.45 + 0.03, f"$w_{i}$", ha="center", fontsize=10, color="#d62728")
    ax.scatter([0.5], [0.5], s=1500, c="#fde0c5", edgecolors="k", zorder=2)
    ax.text(0.5, 0.5, r"$\Sigma$", ha="center", va="center", fontsize=14)
    ax.text(0.5, 0.34, "$z = w \\cdot x + b$", ha="center", fontsize=9)
    ax.annotate("", xy=(0.5, 0.57), xytext=(0.5, 0.8), arrowprops=dict(arrowstyle="->"))
    ax.text(0.5, 0.83, "bias $b$", ha="center", fontsize=10, color="#d62728")
    ax.annotate("", xy=(0.66, 0.5), xytext=(0.57, 0.5), arrowprops=dict(arrowstyle="->"))
    ax.add_patch(plt.Rectangle((0.66, 0.42), 0.12, 0.16, fc="#e2f0d9", ec="k"))
    ax.text(0.72, 0.5, activation, ha="center", va="center", fontsize=14)
    ax.text(0.72, 0.34, "activation", ha="center", fontsize=9)
    ax.annotate("", xy=(0.93, 0.5), xytext=(0.78, 0.5), arrowprops=dict(arrowstyle="->"))
    ax.text(0.95, 0.5, "$\\hat y$", va="center", fontsize=13)
    ax.set(xlim=(0, 1), ylim=(0, 1), title=title)
    ax.axis("off")
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
    if isinstance(b, bool) or not np.isscalar(b) or not np.isfinite(float(b)):
        raise ValueError(f"b must be one finite number, got {b!r}")
    b = float(b)
    xlim, ylim = check_interval(xlim, "xlim"), check_interval(ylim, "ylim")
    ax = _axes(ax, (4.2, 4.0))
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
        if y is None:
            raise ValueError("y is needed with X: pass the 0/1 label of each point")
        y = as_array(y, "y", ndim=1, dtype_kind="iub")
        check_same_length(X, y, "X", "y")
        for c, marker in ((0, "o"), (1, "s")):
            pts = X[np.asarray(y) == c]
            if len(pts):
                ax.scatter(pts[:, 0], pts[:, 1], s=80, marker=marker, color=CLASS_COLOURS[c], edgecolor="k",
                           zorder=3, label=f"target {c}")
    ax.set(xlim=xlim, ylim=ylim, title=title, xlabel="$x_1$", ylabel="$x_2$")
    ax.set_aspect("equal")
    return ax


def draw_network(layer_sizes: Sequence[int], *, ax: Axes | None = None,
                 layer_names: Sequence[str] | None = None, title: str = "A feed-forward network") -> Axes:
    """Draw a fully connected network, e.g. ``draw_network([2, 3, 1])``: one column of nodes per layer."""
    sizes = [int(s) for s in layer_sizes]
    if len(sizes) < 2 or any(s < 1 or s > 12 for s in sizes):
        raise ValueError(f"layer_sizes must list at least 2 layers of 1 to 12 nodes each, got {list(layer_sizes)}")
    if layer_names is None:
        layer_names = ["input"] + [f"hidden {i}" for i in range(1, len(sizes) - 1)] + ["output"]
    if len(layer_names) != len(sizes):
        raise ValueError(f"layer_names has {len(layer_names)} names for {len(sizes)} layers")
    ax = _axes(ax, (1.8 * len(sizes) + 1, 3.8))
    xs = np.linspace(0.1, 0.9, len(sizes))
    pos = [np.linspace(0.9, 0.28, s) if s > 1 else np.array([0.59]) for s in sizes]
    colours = ["#dbe9f6"] + ["#fde0c5"] * (len(sizes) - 2) + ["#e2f0d9"]
    for li in range(len(sizes) - 1):
        for ya in pos[li]:
            for yb in pos[li + 1]:
                ax.plot([xs[li], xs[li + 1]], [ya, yb], color="0.6", lw=0.8, zorder=1)
    for li, (x, ys) in enumerate(zip(xs, pos)):
        ax.scatter(np.full(len(ys), x), ys, s=420, c=colours[li], edgecolors="k", zorder=2)
        ax.text(x, 0.02, f"{layer_names[li]}\n({sizes[li]})", ha="center", va="bottom", fontsize=9)
    ax.set(xlim=(0, 1), ylim=(0, 1), title=title)
    ax.set_aspect("auto")
    ax.axis("off")
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
    if not callable(f):
        raise TypeError(f"f must be a function mapping points of shape (m, 2) to values of shape (m,), got {f!r}")
    named = dict(paths) if isinstance(paths, Mapping) else {"path": paths}
    if not named:
        raise ValueError("paths is empty: pass an array of shape (k, 2) or a mapping {label: array}")
    checked = {label: as_array(p, f"paths[{label!r}]", shape=(None, 2), dtype_kind="fiu", allow_nan=True)
               for label, p in named.items()}
    x_range, y_range = check_interval(x_range, "x_range"), check_interval(y_range, "y_range")
    if isinstance(levels, bool) or not isinstance(levels, (int, np.integer)) or levels < 2:
        raise ValueError(f"levels must be an int >= 2, got {levels!r}")
    ax = _axes(ax)
    g0, g1 = np.meshgrid(np.linspace(*x_range, resolution), np.linspace(*y_range, resolution))
    values = np.asarray(f(np.c_[g0.ravel(), g1.ravel()]), dtype=np.float64).reshape(-1)
    if values.size != g0.size:
        raise ValueError(f"f returned {values.size} values for {g0.size} points; it must return one value per row")
    values = values.reshape(g0.shape)
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


ML_MAP_RINGS: tuple[tuple[str, str], ...] = (
    ("Artificial intelligence", "machines doing tasks that need intelligence, also by hand-written rules:\n"
                                "chess engines, expert systems, route planners"),
    ("Machine learning", "rules learnt from examples, on features people chose:\nlinear and logistic "
                         "regression, decision trees, ★ the perceptron (notebook 01)"),
    ("Representation learning", "learns the features too:\nPCA, autoencoders, word2vec embeddings (06)"),
    ("Deep learning", "many layers of learnt features:\nmulti-layer networks (02–05), CNNs (05, 10), GANs (09–12)"),
)
"""The nested fields :func:`draw_ml_map` draws, outermost first: (name, examples). After Goodfellow, Bengio and
Courville, *Deep Learning* (2016), Figure 1.4."""


def draw_ml_map(*, ax: Axes | None = None,
                title: str = "Where neural networks sit: each field contains the next") -> Axes:
    """Draw artificial intelligence ⊃ machine learning ⊃ representation learning ⊃ deep learning as nested
    rounded boxes, each with its name and examples (:data:`ML_MAP_RINGS`), the course's notebooks placed in them.

    Args:
        ax: Axes to draw on (a new 8 × 5.4 inch figure when None).
        title: the figure's title.

    Returns:
        The Axes (axis off; coordinates 0..1). Each box is a ``FancyBboxPatch`` labelled with its field's name.
    """
    from matplotlib.patches import FancyBboxPatch

    ax = _axes(ax, (8, 5.4))
    colours = ["#eef3fb", "#dbe9f6", "#c6dbef", "#9ecae1"]
    for depth, ((name, examples), colour) in enumerate(zip(ML_MAP_RINGS, colours)):
        left, bottom = 0.02 + 0.05 * depth, 0.02 + 0.03 * depth
        width, top = 1 - 2 * left, 0.97 - 0.225 * depth
        box = FancyBboxPatch((left, bottom), width, top - bottom, boxstyle="round,pad=0,rounding_size=0.03",
                             fc=colour, ec="#3b6a9a", lw=1.2, label=name)
        ax.add_patch(box)
        ax.text(0.5, top - 0.035, name, ha="center", va="top", fontsize=12, fontweight="bold")
        ax.text(0.5, top - 0.09, examples, ha="center", va="top", fontsize=9, linespacing=1.3)
    ax.set(xlim=(0, 1), ylim=(0, 1), title=title)
    ax.axis("off")
    return ax
