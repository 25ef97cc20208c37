"""The evaluator's numbers: the Fréchet distance, the MNIST score, the class statistics, and :class:`GanScores`,
the record that holds them for one set of images. Pure NumPy: no model is needed here."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from utils.validation import as_array

N_CLASSES = 10
"""Digits 0..9."""
COVERAGE_THRESHOLD = 0.01
"""A class counts as covered when at least this fraction (1 %) of the images is classified as it."""


# --------------------------------------------------------------------------- the two formulas
def _covariance_sqrt(sigma: object, name: str, d: int) -> tuple[np.ndarray, np.ndarray]:
    """``sigma`` (d, d) as float64 and its symmetric square root (eigenvalues clipped at 0), after checking it is
    a covariance matrix: symmetric, without negative eigenvalues (beyond round-off)."""
    s = as_array(sigma, name, shape=(d, d), dtype_kind="fiu").astype(np.float64)
    scale = max(1.0, float(np.max(np.abs(s)))) if s.size else 1.0
    symmetric = np.allclose(s, s.T, rtol=1e-5, atol=1e-8 * scale)
    s = (s + s.T) / 2.0
    w, v = np.linalg.eigh(s)
    lowest = float(w.min()) if w.size else 0.0
    if not symmetric or lowest < -1e-6 * max(1.0, float(np.max(np.abs(w)))):
        raise ValueError(f"{name} must be a covariance matrix (symmetric, no negative eigenvalue); it "
                         + ("differs from its transpose" if not symmetric else
                            f"has a negative eigenvalue {lowest:.3g}"))
    return s, (v * np.sqrt(np.clip(w, 0.0, None))) @ v.T


def frechet_distance(mu1: np.ndarray, sigma1: np.ndarray, mu2: np.ndarray, sigma2: np.ndarray) -> float:
    """Fréchet (2-Wasserstein) distance between the Gaussians N(mu1, sigma1) and N(mu2, sigma2).

    ``d² = ||mu1 - mu2||² + tr(sigma1 + sigma2 - 2 (sigma1 sigma2)^{1/2})``, the quantity FID reports (FID does
    not take the square root). The matrix square root is computed in float64 from the symmetric form
    ``tr((sigma1 sigma2)^{1/2}) = tr((S1 sigma2 S1)^{1/2})`` with ``S1 = sigma1^{1/2}``, using eigen-decompositions
    (eigenvalues clipped at 0). This is exact for positive semi-definite matrices, always real, and stays stable
    when a covariance is singular (e.g. fewer images than feature dimensions, or a collapsed generator) — the
    cases where ``scipy.linalg.sqrtm(sigma1 @ sigma2)`` returns complex parts and needs an eps-offset fallback.

    Args:
        mu1, mu2: means, shape (d,), any float or int dtype.
        sigma1, sigma2: covariances, shape (d, d), symmetric positive semi-definite.

    Returns:
        The distance as a Python float >= 0 (squared units of the features).

    Raises:
        ValueError: on mismatched shapes, NaN/inf values, a non-symmetric matrix or a negative eigenvalue.
    """
    m1 = as_array(mu1, "mu1", ndim=1, dtype_kind="fiu").astype(np.float64)
    d = m1.shape[0]
    m2 = as_array(mu2, "mu2", shape=(d,), dtype_kind="fiu").astype(np.float64)
    s1, sqrt_s1 = _covariance_sqrt(sigma1, "sigma1", d)
    s2, _ = _covariance_sqrt(sigma2, "sigma2", d)
    middle = sqrt_s1 @ s2 @ sqrt_s1
    eig = np.linalg.eigvalsh((middle + middle.T) / 2.0)
    tr_covmean = float(np.sum(np.sqrt(np.clip(eig, 0.0, None))))
    diff = m1 - m2
    d2 = float(diff @ diff) + float(np.trace(s1)) + float(np.trace(s2)) - 2.0 * tr_covmean
    return max(d2, 0.0)


def mnist_score(probs: np.ndarray) -> float:
    """The Inception-score formula applied to MNIST classifier outputs: ``exp(E_x KL(p(y|x) || p(y)))``.

    ``p(y)`` is the mean of the rows. The score lies between 1 (every image gets the same prediction, or every
    prediction is uniform) and 10 (each image confidently one class, all ten classes equally often).

    Args:
        probs: class probabilities, shape (n, 10), n >= 1, each row non-negative and summing to 1 (within 1e-3).

    Returns:
        The score as a Python float in [1, 10].
    """
    p = as_array(probs, "probs", shape=(None, N_CLASSES), dtype_kind="f").astype(np.float64)
    if p.shape[0] == 0 or float(p.min()) < -1e-6 or not np.allclose(p.sum(axis=1), 1.0, atol=1e-3):
        raise ValueError(f"probs must hold at least one row of 10 probabilities (>= 0, summing to 1): pass softmax "
                         f"outputs, not logits; got shape {p.shape}"
                         + (f", values from {p.min():.4g} to {p.max():.4g}" if p.size else ""))
    p = np.clip(p, 0.0, None)
    p = p / p.sum(axis=1, keepdims=True)
    p_y = p.mean(axis=0, keepdims=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(p > 0, p * (np.log(p) - np.log(np.where(p_y > 0, p_y, 1.0))), 0.0)
    kl = terms.sum(axis=1)
    return float(np.clip(np.exp(kl.mean()), 1.0, float(N_CLASSES)))


def class_statistics(probs: np.ndarray) -> tuple[np.ndarray, int, float]:
    """From class probabilities (n, 10): the predicted-class histogram (10,) float64 (read-only, sums to 1), the
    number of classes predicted for at least :data:`COVERAGE_THRESHOLD` of the images, and the KL divergence of
    the histogram to the uniform one in nats (0 = balanced, ln 10 = one class only)."""
    pred = np.asarray(probs).argmax(axis=1)
    hist = np.bincount(pred, minlength=N_CLASSES).astype(np.float64) / len(pred)
    covered = int(np.sum(hist >= COVERAGE_THRESHOLD))
    nz = hist > 0
    kl = float(np.sum(hist[nz] * np.log(hist[nz] * N_CLASSES)))
    hist.setflags(write=False)
    return hist, covered, max(kl, 0.0)


# --------------------------------------------------------------------------- the result record
@dataclass(frozen=True, eq=False)
class GanScores:
    """Scores of one set of images (generated or real) against the MNIST training set.

    Attributes:
        frechet_distance: Fréchet distance of the classifier features to the training set (>= 0, lower is better).
        mnist_score: ``exp(E KL(p(y|x) || p(y)))`` in [1, 10] (higher is better).
        classes_covered: number of digits (0..10) predicted for at least 1 % of the images.
        class_kl: KL divergence of the predicted-class histogram to the uniform one, in nats
            (0 = balanced, ln 10 ≈ 2.303 = one class only).
        class_histogram: fraction of images predicted as each digit, shape (10,) float64, sums to 1 (read-only).
        label_accuracy: for conditional generators, the fraction of images classified as the digit asked for
            (0..1); None when no labels were given.
        n_images: how many images were scored.
    """

    frechet_distance: float
    mnist_score: float
    classes_covered: int
    class_kl: float
    class_histogram: np.ndarray
    label_accuracy: float | None
    n_images: int

    def summary_line(self) -> str:
        """One printable line, e.g. ``FD 3.21 · MNIST score 9.41/10 · 10/10 classes · class KL 0.004 nats · n=10000``."""
        parts = [f"FD {self.frechet_distance:.2f}", f"MNIST score {self.mnist_score:.2f}/10",
                 f"{self.classes_covered}/10 classes", f"class KL {self.class_kl:.3f} nats"]
        if self.label_accuracy is not None:
            parts.append(f"label accuracy {100 * self.label_accuracy:.1f}%")
        parts.append(f"n={self.n_images}")
        return " · ".join(parts)

    def as_dict(self) -> dict[str, Any]:
        """The fields as plain Python values (histogram as a list of 10 floats), ready for JSON or a DataFrame."""
        return {
            "frechet_distance": float(self.frechet_distance),
            "mnist_score": float(self.mnist_score),
            "classes_covered": int(self.classes_covered),
            "class_kl": float(self.class_kl),
            "class_histogram": [float(v) for v in self.class_histogram],
            "label_accuracy": None if self.label_accuracy is None else float(self.label_accuracy),
            "n_images": int(self.n_images),
        }
