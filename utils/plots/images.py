"""Grids of grey images: :func:`show_image_grid` in a notebook, :func:`save_grid_png` to a file (the GAN
snapshots), both built on one tiling of images into a mosaic."""
from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any, Sequence

import matplotlib.pyplot as plt
import numpy as np

from utils.validation import as_array, check_interval, check_positive_int, check_range, check_sequence

MOSAIC_ABOVE = 64
"""Grids of more images than this are drawn as one mosaic image on one Axes, not one Axes per image: a grid of
100 images then takes well under a second instead of several (the notebooks' grids, at most 40, keep one Axes
per image)."""


def grey_images(images: Any) -> np.ndarray:
    """Check ``images`` and return them as an array of shape (n, h, w), n >= 1.

    Raises:
        ValueError: unless ``images`` has shape (n, h, w) or (n, h, w, 1) with n >= 1 (e.g. colour images).
    """
    imgs = as_array(images, "images", dtype_kind="fiub")
    if imgs.ndim == 4 and imgs.shape[-1] == 1:
        imgs = imgs[..., 0]
    if imgs.ndim != 3 or len(imgs) == 0:
        raise ValueError(f"images must be a non-empty stack of grey images, shape (n, h, w) or (n, h, w, 1), "
                         f"got {imgs.shape}")
    return imgs


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
    imgs = grey_images(images)
    n = len(imgs)
    if labels is not None:
        check_sequence(labels, "labels", length=n, per="image")
    ncols = check_positive_int(ncols, "ncols")
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


def mosaic(imgs: np.ndarray, ncols: int, *, gap: int = 1, caption_rows: int = 0,
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
    gap = max(1, w // 14)
    caption_rows = (h * 2) // 5 if captions is not None else 0
    tiled = mosaic(imgs, ncols, gap=gap, caption_rows=caption_rows, value_range=value_range)
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


def save_grid_png(images: Any, path: str | Path, title: str | None = None, *, ncols: int = 8,
                  size: float = 0.9) -> Path:
    """Write grey images in [0, 1] as one PNG grid (white background, dark digits), without displaying it.

    Args:
        images: array (n, h, w) or (n, h, w, 1) with values in [0, 1] (e.g. from :func:`utils.gan.generate_grid`).
        path: where to write the PNG (parent folders are created).
        title: optional title above the grid (e.g. ``"step 2000"``).
        ncols: images per row.
        size: inches per image.

    Returns:
        The path written.
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    imgs = grey_images(images)
    check_range(imgs, "images", 0.0, 1.0)
    ncols = min(check_positive_int(ncols, "ncols"), len(imgs))
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    # One mosaic (1-pixel white gaps) drawn with a single imshow: much faster than one subplot per image.
    tiled = mosaic(imgs, ncols, value_range=(0.0, 1.0))
    nrows = (len(imgs) + ncols - 1) // ncols
    fig = Figure(figsize=(size * ncols, size * nrows + (0.35 if title else 0.0)))
    FigureCanvasAgg(fig)
    ax = fig.add_axes((0.0, 0.0, 1.0, 1.0 - (0.35 / fig.get_figheight() if title else 0.0)))
    colours = plt.get_cmap("gray_r").with_extremes(bad="white")
    ax.imshow(tiled, cmap=colours, vmin=0.0, vmax=1.0, interpolation="nearest", aspect="auto")
    ax.axis("off")
    if title:
        fig.suptitle(title, y=1.0 - 0.05 / fig.get_figheight(), va="top")
    fig.savefig(path, dpi=80, format="png")
    return path
