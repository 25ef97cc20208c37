"""The course's one plot style and what every plotting module shares: the class colours and the rule that a
function draws on the ``Axes`` it is given, or on a new figure's."""
from __future__ import annotations

import matplotlib.pyplot as plt
from matplotlib.axes import Axes

CLASS_COLOURS = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f",
                 "#bcbd22", "#17becf"]
"""One colour per class label 0..9."""


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


def axes_or_new(ax: Axes | None, figsize: tuple[float, float] | None = None) -> Axes:
    """``ax`` itself, or the Axes of a new figure of ``figsize`` inches when ``ax`` is None."""
    if ax is not None:
        return ax
    _, new_ax = plt.subplots(figsize=figsize)
    return new_ax
