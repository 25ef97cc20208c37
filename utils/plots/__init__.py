"""The course's plots, one module per kind of picture; a notebook writes ``from utils import plots`` and calls
``plots.show_image_grid(...)``, ``plots.plot_gan_curves(...)`` and the rest by the names imported here.

* :mod:`utils.plots.style` — the one plot style (:func:`use_course_style`), the class colours, ``ax=`` handling;
* :mod:`utils.plots.charts` — decision boundaries, activation functions, training curves, loss surfaces with
  descent paths, a perceptron's decision line;
* :mod:`utils.plots.images` — grids of grey images on screen (:func:`show_image_grid`) and as PNG files
  (:func:`save_grid_png`, the GAN snapshots);
* :mod:`utils.plots.diagrams` — drawings of a neuron, a layered network and the map of AI fields;
* :mod:`utils.plots.gan` — a GAN run from :func:`utils.gan.train_gan`: curves, scores, class histograms, the
  snapshot slider;
* :mod:`utils.plots.toy_gan` — notebook 08's toy GAN (``from utils.plots import toy_gan as tgp``); not imported
  here, as its slider shares a name with the GAN one.

Every function draws on a Matplotlib ``Axes`` (pass ``ax=`` to place it in your own figure, or leave it out to
get a new figure), sets a title and axis labels, and returns what it drew on.
"""
from utils.plots.charts import (plot_activation, plot_contour_path, plot_decision_boundary, plot_loss_curves,
                                plot_perceptron_line)
from utils.plots.diagrams import ML_MAP_RINGS, draw_ml_map, draw_network, draw_neuron
from utils.plots.gan import plot_class_histogram, plot_gan_curves, plot_gan_scores, snapshot_slider
from utils.plots.images import MOSAIC_ABOVE, grey_images, save_grid_png, show_image_grid
from utils.plots.style import CLASS_COLOURS, use_course_style

__all__ = ["CLASS_COLOURS", "ML_MAP_RINGS", "MOSAIC_ABOVE", "draw_ml_map", "draw_network", "draw_neuron",
           "grey_images", "plot_activation", "plot_class_histogram", "plot_contour_path", "plot_decision_boundary",
           "plot_gan_curves", "plot_gan_scores", "plot_loss_curves", "plot_perceptron_line", "save_grid_png",
           "show_image_grid", "snapshot_slider", "use_course_style"]
