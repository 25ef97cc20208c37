"""Yardsticks for the evaluator's numbers: real test digits, uniform noise and a one-digit set, scored the same
way a generator is, and a printable table of them (``data/README.md`` quotes it)."""
from __future__ import annotations

import numpy as np

from utils.gan_eval.metrics import GanScores
from utils.gan_eval.scorer import MnistScorer


def reference_scores(scorer: MnistScorer, *, n: int = 10000, seed: int = 0, digit: int = 1) -> dict[str, GanScores]:
    """The yardsticks a GAN's scores should be read against, all scored against the training-set statistics.

    Args:
        scorer: a loaded :class:`MnistScorer`.
        n: images per reference set, 2 to 10,000 (the size of the MNIST test set).
        seed: seed of the noise and of the resampling.
        digit: the class (0..9) used for the "one digit only" set.

    Returns:
        ``{"real_test": ..., "uniform_noise": ..., "one_digit": ...}`` (:class:`GanScores` each):

        * ``real_test`` — the first ``n`` MNIST test images: what a perfect generator would score;
        * ``uniform_noise`` — ``n`` images of independent uniform [0, 1) pixels: what an untrained generator scores;
        * ``one_digit`` — ``n`` real test images of ``digit`` only, drawn with repeats: a fully mode-collapsed
          generator that draws perfect digits (1 class covered, MNIST score near 1).
    """
    from utils.data import load_mnist

    mnist = load_mnist()
    rng = np.random.default_rng(seed)
    x_test = mnist.x_test.astype(np.float32) / 255.0
    ones = x_test[mnist.y_test == digit]
    return {
        "real_test": scorer.score_images(x_test[:n], labels=mnist.y_test[:n]),
        "uniform_noise": scorer.score_images(rng.uniform(0.0, 1.0, size=(n, 28, 28)).astype(np.float32)),
        "one_digit": scorer.score_images(ones[rng.integers(0, len(ones), size=n)]),
    }


def format_reference_table(references: dict[str, GanScores]) -> str:
    """The reference scores as a small text table (one row per set), for printing."""
    rows = [f"{'reference set':<15} {'FD':>9} {'MNIST score':>12} {'classes':>8} {'class KL':>9} {'n':>6}"]
    for name, s in references.items():
        rows.append(f"{name:<15} {s.frechet_distance:>9.2f} {s.mnist_score:>12.2f} {s.classes_covered:>8d} "
                    f"{s.class_kl:>9.3f} {s.n_images:>6d}")
    return "\n".join(rows)
