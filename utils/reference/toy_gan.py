"""Reference answers for notebook 08's exercises: counting covered modes, the optimal discriminator, the JSD.

Notebook 08 calls these only *after* the exercise that asks for the same code, through
``checks.use_or_reference("08.k", student_function, reference.function)``, so a student who has not finished an
exercise still sees the rest of the lab. ``tests/test_checks_toy_gan.py`` proves each one passes its check.
"""
from __future__ import annotations

import numpy as np


def count_modes(samples: np.ndarray, centres: np.ndarray, sigma: float, *, n_sigma: float = 3.0,
                min_share: float = 0.01) -> tuple[int, float]:
    """How many modes of a Gaussian mixture the samples cover, and the share of high-quality samples (08.1).

    A sample is *high quality* if it lies within ``n_sigma * sigma`` of its nearest centre; a mode is
    *covered* if at least ``min_share`` of all samples are high-quality samples nearest to it.

    Args:
        samples: (n, 2) points, e.g. generator outputs.
        centres: (k, 2) the mixture's centres.
        sigma: the standard deviation of each mode.
        n_sigma: the quality radius in standard deviations (3).
        min_share: the share of all samples a mode needs (0.01 = 1 %).

    Returns:
        ``(covered, quality)``: an int in 0..k and a float in [0, 1].
    """
    samples = np.asarray(samples, dtype=np.float64)
    centres = np.asarray(centres, dtype=np.float64)
    diff = samples[:, None, :] - centres[None, :, :]                 # (n, k, 2)
    dist = np.sqrt((diff ** 2).sum(axis=2))                          # (n, k)
    nearest = dist.argmin(axis=1)                                    # (n,)
    close = dist.min(axis=1) <= n_sigma * sigma                      # (n,) high-quality samples
    per_mode = np.bincount(nearest[close], minlength=len(centres))   # (k,) high-quality samples per mode
    covered = per_mode >= min_share * len(samples)
    return int(covered.sum()), float(close.mean())


def optimal_discriminator(p_data: np.ndarray, p_g: np.ndarray) -> np.ndarray:
    """D*(x) = p_data(x) / (p_data(x) + p_g(x)) elementwise; 0.5 where both densities are 0 (08.2).

    Args:
        p_data, p_g: densities at the same points, arrays of one shape.

    Returns:
        float64 array of that shape, values in [0, 1].
    """
    p_data = np.asarray(p_data, dtype=np.float64)
    p_g = np.asarray(p_g, dtype=np.float64)
    total = p_data + p_g
    out = np.full(total.shape, 0.5)
    np.divide(p_data, total, out=out, where=total > 0)
    return out


def jsd(p: np.ndarray, q: np.ndarray, cell_area: float) -> float:
    """Jensen-Shannon divergence (natural log, nats) of two densities given on a grid (08.2).

    ``JSD(p‖q) = ½ KL(p‖m) + ½ KL(q‖m)`` with ``m = (p + q) / 2``; each KL is the sum over grid points of
    ``p · log(p / m) · cell_area``, terms with ``p = 0`` counting 0. Between 0 (same density) and log 2.

    Args:
        p, q: densities (per unit area) at the grid points, same shape, each summing to 1 / cell_area.
        cell_area: the area one grid point stands for.
    """
    p = np.asarray(p, dtype=np.float64)
    q = np.asarray(q, dtype=np.float64)
    m = (p + q) / 2

    def kl(a: np.ndarray) -> float:
        keep = a > 0
        return float(np.sum(a[keep] * np.log(a[keep] / m[keep])) * cell_area)

    return 0.5 * kl(p) + 0.5 * kl(q)
