"""Shared helpers for the neural-networks course pack.

Each notebook starts with ``import utils; cfg = utils.setup()``. Modules, one per concern:

* :mod:`utils.settings` — quick mode, seeding, the set-up call;
* :mod:`utils.validation` — argument checks with clear messages;
* :mod:`utils.data` — verified MNIST and Shakespeare loaders, seeded toy data sets;
* :mod:`utils.plots` — decision boundaries, activations, curves, image grids, neuron and network drawings;
* :mod:`utils.checks` — exercise checks and the per-notebook summary.

Importing ``utils`` is cheap: TensorFlow is only imported by the functions that need it.
"""
from utils.settings import CourseSettings, output_dir, quick_mode, repo_root, setup

__all__ = ["CourseSettings", "output_dir", "quick_mode", "repo_root", "setup"]
__version__ = "0.1.0"
