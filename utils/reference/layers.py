"""Reference layers for notebook 04 (backpropagation): forward/backward pairs with a cache, and a network of any depth.

The notebook uses these only after the matching exercise, through :func:`utils.checks.use_or_reference`, when a
student's version has not passed its check. Every ``*_forward`` returns ``(out, cache)``; the matching
``*_backward(dout, cache)`` takes the upstream gradient ``dout = ∂L/∂out`` (same shape as ``out``) and returns
the gradients of ``L`` with respect to the forward inputs. Everything is float64 NumPy; nothing keeps state
except :class:`Network`'s parameters.
"""
from __future__ import annotations

from typing import Any, Callable, Sequence

import numpy as np

from utils.validation import check_choice, check_positive_int


def affine_forward(x: np.ndarray, W: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, tuple[Any, ...]]:
    """``out = x @ W + b``. x: (n, d), W: (d, h), b: (h,) -> out (n, h); cache ``(x, W, b)``."""
    return x @ W + b, (x, W, b)


def affine_backward(dout: np.ndarray, cache: tuple[Any, ...]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """dout (n, h) and the cache of :func:`affine_forward` -> ``(dx (n, d), dW (d, h), db (h,))``."""
    x, W, _ = cache
    return dout @ W.T, x.T @ dout, dout.sum(axis=0)


def relu_forward(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``out = max(0, x)`` elementwise, any shape; the cache is ``x``."""
    return np.maximum(0.0, x), x


def relu_backward(dout: np.ndarray, cache: np.ndarray) -> np.ndarray:
    """dx (shape of dout): the upstream gradient where the input was positive, 0 elsewhere."""
    return dout * (cache > 0)


def sigmoid_forward(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``out = 1 / (1 + exp(-x))`` elementwise, any shape, values in (0, 1); the cache is ``out``."""
    out = np.exp(-np.logaddexp(0.0, -x))  # = 1 / (1 + e^-x) without overflow for large negative x
    return out, out


def sigmoid_backward(dout: np.ndarray, cache: np.ndarray) -> np.ndarray:
    """dx (shape of dout) from the cache ``out = σ(x)``: σ'(x) = out · (1 − out)."""
    return dout * cache * (1.0 - cache)


def softmax_cross_entropy(scores: np.ndarray, y: np.ndarray) -> tuple[float, np.ndarray]:
    """Mean softmax cross-entropy of scores (n, C) for integer labels y (n,) in 0..C-1 -> ``(loss, dscores (n, C))``."""
    shifted = scores - scores.max(axis=1, keepdims=True)
    log_probs = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    n = scores.shape[0]
    loss = float(-log_probs[np.arange(n), y].mean())
    dscores = np.exp(log_probs)
    dscores[np.arange(n), y] -= 1.0
    return loss, dscores / n


ACTIVATIONS: dict[str, tuple[Callable[..., Any], Callable[..., Any]]] = {
    "relu": (relu_forward, relu_backward),
    "sigmoid": (sigmoid_forward, sigmoid_backward),
}
"""Hidden-layer activations a :class:`Network` can use: name -> (forward, backward)."""


class Network:
    """Fully connected network ``affine -> act -> ... -> affine -> softmax cross-entropy``, any depth.

    Args:
        layer_sizes: ``[d, h1, ..., C]``: input size, hidden sizes (any number, possibly none), number of classes.
        activation: ``"relu"`` or ``"sigmoid"`` for every hidden layer.
        weight_scale: standard deviation of every weight; ``None`` uses He initialisation ``sqrt(2 / fan_in)``.
        seed: seed of the random weights; biases start at zero.

    ``params`` holds ``W1, b1, ..., WL, bL`` with ``Wi`` of shape (layer_sizes[i-1], layer_sizes[i]).
    """

    def __init__(self, layer_sizes: Sequence[int], activation: str = "relu", weight_scale: float | None = None,
                 seed: int = 0) -> None:
        sizes = [int(s) for s in layer_sizes]
        check_positive_int(len(sizes), "len(layer_sizes) (an input size and a number of classes at least)", minimum=2)
        check_positive_int(min(sizes), "every entry of layer_sizes")
        self.activation = check_choice(activation, "activation", ACTIVATIONS)
        rng = np.random.default_rng(seed)
        self.n_layers = len(sizes) - 1
        self.params: dict[str, np.ndarray] = {}
        for i, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:]), start=1):
            std = np.sqrt(2.0 / n_in) if weight_scale is None else weight_scale
            self.params[f"W{i}"] = rng.normal(0.0, std, (n_in, n_out))
            self.params[f"b{i}"] = np.zeros(n_out)

    def loss(self, X: np.ndarray, y: np.ndarray | None = None) -> Any:
        """Scores (n, C) when ``y`` is None; else ``(loss, grads)`` with grads named and shaped like ``params``."""
        act_forward, act_backward = ACTIVATIONS[self.activation]
        caches = []
        h = X
        for i in range(1, self.n_layers + 1):
            h, cache = affine_forward(h, self.params[f"W{i}"], self.params[f"b{i}"])
            caches.append(cache)
            if i < self.n_layers:
                h, cache = act_forward(h)
                caches.append(cache)
        if y is None:
            return h
        loss, dh = softmax_cross_entropy(h, y)
        grads: dict[str, np.ndarray] = {}
        for i in range(self.n_layers, 0, -1):
            if i < self.n_layers:
                dh = act_backward(dh, caches.pop())
            dh, grads[f"W{i}"], grads[f"b{i}"] = affine_backward(dh, caches.pop())
        return loss, grads
