"""Shared helpers for the neural-networks course pack.

Each notebook starts with ``import utils; cfg = utils.setup(notebook="NN")``. Importing ``utils`` is cheap:
TensorFlow is only imported by the functions that need it. Two layers: what notebooks import (below), and the
instructor's course workflow in :mod:`utils.course`, which may use this layer but never the other way round.
CONTRIBUTING.md says what may import what. The map, one line per module:

* :mod:`utils.settings` — quick mode, seeding, quiet TensorFlow, the set-up call each notebook makes first;
* :mod:`utils.machine` — this computer's CPU and vector extensions, and a lab's expected run time on it;
* :mod:`utils.validation` — argument checks that name the argument, what was expected and what came;
* :mod:`utils.files` — atomic file writes and file hashes;
* :mod:`utils.conventions` — formats shared by checks and workflow: solution markers, check lines, results record;
* :mod:`utils.data` — verified offline MNIST and Shakespeare loaders, seeded toy data sets;
* :mod:`utils.gradcheck` — finite-difference gradients and their comparison (notebooks 03–04);
* :mod:`utils.embeddings` — word embeddings (06–07): ``text`` (tokens, vocabulary), ``similarity`` (cosine,
  neighbours, analogies, PCA), ``export`` (TSV/JSON files);
* :mod:`utils.memory` — a small vector memory recalled by cosine similarity (07);
* :mod:`utils.gan` — GAN training plumbing: MNIST batches, noise, the training loop and its history (09–12);
* :mod:`utils.gan_recipes` — ready-made GANs for comparisons and benchmarks;
* :mod:`utils.toy_gan` — the 2-D toy GAN on a ring of Gaussians (08);
* :mod:`utils.gan_eval` — the offline MNIST evaluator: ``metrics`` (FD, MNIST score), ``classifier`` (its CNN
  and shipped files), ``scorer`` (:class:`~utils.gan_eval.MnistScorer`), ``references`` (yardsticks);
* :mod:`utils.plots` — every plot: ``style``, ``charts``, ``images``, ``diagrams``, ``gan``, ``toy_gan``;
* :mod:`utils.checks` — exercise checks, one module per notebook named after it, with ``core`` (recording,
  time limits, summary) and ``asserts`` (what a check calls to judge an answer);
* :mod:`utils.reference` — reference answers to the exercises, used only after each exercise's check;
* :mod:`utils.course` — the instructor's workflow: release, hand-in, grade, doctor (its docstring maps it).
"""
from utils.settings import CourseSettings, output_dir, quick_mode, repo_root, setup

__all__ = ["CourseSettings", "output_dir", "quick_mode", "repo_root", "setup"]
__version__ = "0.1.0"
