"""Drawings for the lectures: an artificial neuron, a layered network, and the map of AI fields."""
from __future__ import annotations

from typing import Sequence

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes

from utils.plots.style import axes_or_new

def draw_neuron(n_inputs: int = 3, *, ax: Axes | None = None, activation: str = "σ",
                title: str = "An artificial neuron") -> Axes:
    """Draw inputs x_i with weights w_i feeding a summation node (+ bias b), an activation and the output."""
    ax = axes_or_new(ax, (7, 3.6))
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



def draw_network(layer_sizes: Sequence[int], *, ax: Axes | None = None,
                 layer_names: Sequence[str] | None = None, title: str = "A feed-forward network") -> Axes:
    """Draw a fully connected network, e.g. ``draw_network([2, 3, 1])``: one column of nodes per layer."""
    sizes = [int(s) for s in layer_sizes]
    if layer_names is None:
        layer_names = ["input"] + [f"hidden {i}" for i in range(1, len(sizes) - 1)] + ["output"]
    ax = axes_or_new(ax, (1.8 * len(sizes) + 1, 3.8))
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

    ax = axes_or_new(ax, (8, 5.4))
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
