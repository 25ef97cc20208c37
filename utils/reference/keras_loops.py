"""Notebook 05's reference implementations (Keras on MNIST), used only *after* the exercise asking for each.

Through :func:`utils.checks.use_or_reference`, the cells after exercise 05.k use the student's function once its
check passed, else the one here (05.3, a prediction, and 05.7, a question, have none). Also holds
:func:`layer_gradients`, the plumbing behind 05's gradient histograms (not an exercise; it uses the idea of 05.5
and is only called after it).

TensorFlow and Keras are imported inside the functions, so importing this module stays cheap.
"""
from __future__ import annotations

from typing import Any, Callable, Iterable

import numpy as np


def preprocess(x_uint8: np.ndarray) -> np.ndarray:
    """05.1. MNIST images ``(n, 28, 28)`` uint8 0..255 -> ``(n, 28, 28, 1)`` float32 in [0, 1] (pixel / 255).

    The input is not modified.
    """
    return (np.asarray(x_uint8).astype(np.float32) / np.float32(255.0))[..., np.newaxis]


def build_mlp(hidden_units: int, dropout: float) -> Any:
    """05.2. A compiled Keras model: images ``(n, 28, 28, 1)`` -> ``(n, 10)`` class probabilities.

    Flatten -> Dense(hidden_units, ReLU) -> Dropout(dropout) if dropout > 0 -> Dense(10, softmax); compiled with
    Adam, ``sparse_categorical_crossentropy`` (integer labels) and the accuracy metric.
    """
    import keras

    stack = [keras.Input(shape=(28, 28, 1)), keras.layers.Flatten(),
             keras.layers.Dense(int(hidden_units), activation="relu")]
    if dropout > 0:
        stack.append(keras.layers.Dropout(float(dropout)))
    stack.append(keras.layers.Dense(10, activation="softmax"))
    model = keras.Sequential(stack, name="mlp")
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


def confusion_matrix(y_true: np.ndarray, y_pred: np.ndarray, n_classes: int) -> np.ndarray:
    """05.4. Integer labels ``(n,)`` and predictions ``(n,)`` in 0..n_classes-1 -> int64 ``(n_classes, n_classes)``
    counts, ``C[i, j]`` = examples of true class i predicted as j."""
    flat = np.asarray(y_true, dtype=np.int64) * n_classes + np.asarray(y_pred, dtype=np.int64)
    return np.bincount(flat, minlength=n_classes * n_classes).reshape(n_classes, n_classes).astype(np.int64)


def make_train_step(model: Any, optimizer: Any, loss_fn: Callable[[Any, Any], Any]) -> Callable[[Any, Any], Any]:
    """05.5. A ``tf.function`` ``train_step(x, y) -> loss`` doing one gradient step of ``optimizer`` on a batch.

    Args:
        model: a built Keras model; ``model(x, training=True)`` gives the predictions the loss expects.
        optimizer: a Keras optimizer (its ``clipnorm`` / ``global_clipnorm``, if set, apply in ``apply_gradients``).
        loss_fn: ``loss_fn(y_true, y_pred) -> scalar`` mean loss over the batch, e.g. a ``keras.losses`` object.

    Returns:
        ``train_step(x, y)``: ``x`` a batch of inputs ``(b, ...)``, ``y`` its targets; returns the batch loss
        *before* the update (a scalar tensor).
    """
    import tensorflow as tf

    @tf.function
    def train_step(x: Any, y: Any) -> Any:
        with tf.GradientTape() as tape:
            batch_loss = loss_fn(y, model(x, training=True))
        gradients = tape.gradient(batch_loss, model.trainable_variables)
        optimizer.apply_gradients(zip(gradients, model.trainable_variables))
        return batch_loss

    return train_step


def train_loop(train_step: Callable[[Any, Any], Any], dataset: Iterable[tuple[Any, Any]], epochs: int) -> list[float]:
    """05.6. Run ``train_step(x, y)`` on every batch of ``dataset``, ``epochs`` times.

    Args:
        train_step: one optimizer step on a batch, returning the batch loss (e.g. from :func:`make_train_step`).
        dataset: an iterable of ``(x, y)`` batches that can be iterated again each epoch (e.g. a ``tf.data.Dataset``).
        epochs: number of passes over ``dataset``.

    Returns:
        The mean batch loss of each epoch (``epochs`` floats).
    """
    history: list[float] = []
    for _ in range(int(epochs)):
        total, batches = 0.0, 0
        for x, y in dataset:
            total += float(train_step(x, y))
            batches += 1
        history.append(total / max(batches, 1))
    return history


def layer_gradients(model: Any, loss_fn: Callable[[Any, Any], Any], x: Any, y: Any) -> dict[str, np.ndarray]:
    """The gradient of the batch loss for every kernel (weight matrix) of ``model``, by layer name.

    Args:
        x, y: one batch, as ``train_step`` takes it.

    Returns:
        ``{layer name: gradient array of the layer's kernel's shape}``, input side first (biases left out).
    """
    import tensorflow as tf

    kernels = [(layer.name, layer.kernel) for layer in model.layers if getattr(layer, "kernel", None) is not None]
    with tf.GradientTape() as tape:
        batch_loss = loss_fn(y, model(x, training=True))
    grads = tape.gradient(batch_loss, [k for _, k in kernels])
    return {name: np.asarray(g) for (name, _), g in zip(kernels, grads)}
