"""Reference implementations for notebook 02 (activations and the feed-forward pass).

Notebook 02 uses these only after the exercise that asks for the same code, through
``checks.use_or_reference("02.k", mine, feedforward.name)``: a student who has not finished 02.1–02.4 still gets
working derivatives, softmax, initialisation and forward pass in the cells below.

Conventions (as in the notebook and in Keras): examples are **rows**. A layer maps activations ``A`` of shape
``(n, d_in)`` to ``g(A @ W + b)`` with ``W`` of shape ``(d_in, d_out)`` and ``b`` of shape ``(d_out,)``.
"""
from __future__ import annotations

from typing import Callable, Sequence

import numpy as np

from utils.validation import check_choice

Activation = Callable[[np.ndarray], np.ndarray]
Params = list[tuple[np.ndarray, np.ndarray]]

INITS = ("naive", "xavier", "he")
"""The weight initialisations :func:`init_network` knows: N(0, 1), Xavier (Glorot) normal, He normal."""


def relu_derivative(z: np.ndarray) -> np.ndarray:
    """dReLU/dz elementwise: 1.0 where ``z > 0``, else 0.0 (0.0 at the kink z = 0, by convention). Same shape as z."""
    return np.where(np.asarray(z) > 0, 1.0, 0.0)


def leaky_relu_derivative(z: np.ndarray, alpha: float = 0.1) -> np.ndarray:
    """d(leaky ReLU)/dz elementwise: 1.0 where ``z > 0``, else ``alpha`` (dimensionless slope). Same shape as z."""
    return np.where(np.asarray(z) > 0, 1.0, float(alpha))


def softmax(z: np.ndarray) -> np.ndarray:
    """Softmax over the last axis, stable for large scores.

    Args:
        z: scores (logits), shape ``(k,)`` or ``(n, k)``.

    Returns:
        Probabilities of the same shape; each row (last axis) sums to 1.
    """
    shifted = np.asarray(z, dtype=np.float64)
    shifted = shifted - np.max(shifted, axis=-1, keepdims=True)  # softmax(z) == softmax(z - c): largest exp is 1
    expz = np.exp(shifted)
    return expz / np.sum(expz, axis=-1, keepdims=True)


def init_std(d_in: int, d_out: int, init: str) -> float:
    """Standard deviation of one layer's initial weights: 1 (naive), sqrt(2/(d_in+d_out)) (Xavier), sqrt(2/d_in) (He).

    ``init`` must be one of :data:`INITS`: exercise 02.3 asks for a ValueError naming them otherwise.
    """
    variances = {"naive": 1.0, "xavier": 2.0 / (d_in + d_out), "he": 2.0 / d_in}
    return float(np.sqrt(variances[check_choice(init, "init", INITS)]))


def init_network(layer_sizes: Sequence[int], init: str, rng: np.random.Generator) -> Params:
    """Random weights and zero biases for a fully connected network.

    Args:
        layer_sizes: units per layer, input first, e.g. ``[4, 5, 3, 2]`` (at least 2 entries, each >= 1).
        init: ``"naive"`` (weights ~ N(0, 1)), ``"xavier"`` (N(0, 2/(d_in+d_out))) or ``"he"`` (N(0, 2/d_in)).
        rng: the NumPy random generator to draw from (``np.random.default_rng(seed)``), for reproducibility.

    Returns:
        ``[(W1, b1), (W2, b2), ...]``, one pair per layer: ``W`` of shape ``(d_in, d_out)``, ``b`` zeros ``(d_out,)``.
    """
    sizes = [int(s) for s in layer_sizes]
    return [(rng.normal(0.0, init_std(d_in, d_out, init), size=(d_in, d_out)), np.zeros(d_out))
            for d_in, d_out in zip(sizes[:-1], sizes[1:])]


def forward(params: Params, X: np.ndarray, activations: Sequence[Activation]) -> tuple[np.ndarray, list[np.ndarray]]:
    """The forward pass of a fully connected network with any number of layers.

    Args:
        params: ``[(W1, b1), ...]`` as made by :func:`init_network`; ``W`` (d_in, d_out), ``b`` (d_out,).
        X: a batch of inputs, shape ``(n, d_0)``.
        activations: one function per layer (same length as ``params``), each mapping an array to one of the
            same shape, e.g. ``[relu, relu, softmax]``.

    Returns:
        ``(output, layers)``: the last layer's activations, shape ``(n, d_L)``, and the list
        ``[X, A1, ..., AL]`` of every layer's activations, the input first (``len(params) + 1`` arrays).
    """
    A = np.asarray(X, dtype=np.float64)
    layers = [A]
    for (W, b), g in zip(params, activations, strict=True):  # strict: one activation per layer
        A = g(A @ W + b)
        layers.append(A)
    return A, layers
