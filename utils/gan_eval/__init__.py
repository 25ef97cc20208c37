"""Offline GAN evaluator for MNIST: Fréchet distance and "MNIST score" computed with a small trained classifier.

Looking at samples is not enough to tell whether a GAN got better. The usual numbers are the Fréchet Inception
Distance (FID) and the Inception Score (IS); for MNIST the literature (and TF-GAN's ``mnist`` eval) replace the
ImageNet Inception network by a classifier trained on MNIST itself. This package ships that classifier and
scores with it. Typical use in a notebook::

    from utils.gan_eval import MnistScorer
    scorer = MnistScorer.load()
    scores = scorer.score_generator(generator, latent_dim=64, output="tanh")   # GanScores
    print(scores.summary_line())

Modules, one job each (their names are importable from here):

* :mod:`utils.gan_eval.metrics` — the formulas (:func:`frechet_distance`, :func:`mnist_score`, the class
  statistics) and the result record :class:`GanScores`;
* :mod:`utils.gan_eval.classifier` — the CNN (:func:`build_scorer_model`) and loading its two shipped files in
  ``data/`` with their checks (rebuilt by ``python scripts/train_mnist_scorer.py``);
* :mod:`utils.gan_eval.scorer` — :class:`MnistScorer`: images, or samples of a generator, in; scores out;
* :mod:`utils.gan_eval.references` — the yardsticks: real digits, noise, one digit (:func:`reference_scores`).

What the numbers mean (measured with the shipped classifier, 10,000 images each; see data/README.md):

* ``frechet_distance`` — distance between the Gaussian fitted to the features of the generated images and the
  one fitted to the real training images. Lower is better. With n = 10,000 images: real test images 0.41,
  one digit only (perfect 1s) 534, uniform noise 831. The estimate is biased upwards for small n (real test
  images: 3.7 with n = 2,000), so compare numbers only at the same n.
* ``mnist_score`` — ``exp(E_x KL(p(y|x) || p(y)))``, between 1 and 10: high when each image is classified
  confidently *and* all ten classes occur equally often. Real test digits 9.81, noise 1.00, one digit 1.02.
  Higher is better.
* ``classes_covered`` / ``class_histogram`` / ``class_kl`` — which digits the generator produces at all: mode
  collapse shows up as few classes covered and a large KL to the uniform histogram (0 = balanced,
  ln 10 ≈ 2.30 nats = one class only).
* ``label_accuracy`` — for conditional generators: the fraction of images the classifier reads as the digit that
  was asked for.

TensorFlow/Keras are imported only inside the functions that need them, so ``import utils.gan_eval`` is cheap.
"""
from utils.gan_eval.classifier import (FEATURE_DIM, IMAGE_SHAPE, REBUILD_COMMAND, SCORER_LAYER_NAMES,
                                       SCORER_MODEL_FILE, SCORER_STATS_FILE, build_scorer_model,
                                       describe_model_mismatch)
from utils.gan_eval.metrics import COVERAGE_THRESHOLD, N_CLASSES, GanScores, frechet_distance, mnist_score
from utils.gan_eval.references import format_reference_table, reference_scores
from utils.gan_eval.scorer import MnistScorer

__all__ = ["COVERAGE_THRESHOLD", "FEATURE_DIM", "IMAGE_SHAPE", "N_CLASSES", "REBUILD_COMMAND", "SCORER_LAYER_NAMES",
           "SCORER_MODEL_FILE", "SCORER_STATS_FILE", "GanScores", "MnistScorer", "build_scorer_model",
           "describe_model_mismatch", "format_reference_table", "frechet_distance", "mnist_score",
           "reference_scores"]
