"""Checks for notebook 11 (conditional GAN).

Every check calls the student's function on inputs it builds itself and tests what the result *does*
(shapes, value ranges, invariances, agreement with Keras layers or with the formula evaluated here in NumPy);
none compares against a stored answer. TensorFlow/Keras are imported inside the checks, so importing this
module stays cheap.
"""
from __future__ import annotations

from typing import Any, Callable

import numpy as np

from utils.checks.core import TENSORFLOW_TIME_LIMIT, exercise


def _as_float_array(value: Any, what: str) -> np.ndarray:
    assert value is not None, f"{what} returned None: did you forget `return`?"
    try:
        arr = np.asarray(value, dtype=np.float64)
    except Exception as err:  # a ragged list, a string, ...
        raise AssertionError(f"{what} must return numbers (an array or tensor), got {type(value).__name__}: {err}")
    return arr



@exercise("11", 1, "Labels as one-hot image channels", time_limit=TENSORFLOW_TIME_LIMIT)
def check_one_hot_channels(one_hot_channels: Callable[[Any, Any], Any]) -> str:
    """``one_hot_channels(images, labels)``: (n, 28, 28, 1) and (n,) -> (n, 28, 28, 11).

    Channel 0 is the image; channel 1 + k is all ones where the label is k, zeros elsewhere.
    """
    import tensorflow as tf

    rng = np.random.default_rng(3)
    images = rng.uniform(-1, 1, (6, 28, 28, 1)).astype("float32")
    labels = np.array([0, 3, 9, 3, 7, 1], dtype="int32")
    out = _as_float_array(one_hot_channels(tf.constant(images), tf.constant(labels)), "one_hot_channels")
    assert out.shape == (6, 28, 28, 11), (f"for 6 images of shape (28, 28, 1) the result must have shape "
                                          f"(6, 28, 28, 11): the image plus 10 label channels, got {out.shape}")
    assert np.allclose(out[..., 0], images[..., 0], atol=1e-6), (
        "channel 0 must be the image itself, unchanged (concatenate the label maps AFTER the image)")
    maps = out[..., 1:]
    assert np.allclose(maps.min(axis=(1, 2)), maps.max(axis=(1, 2))), (
        "each label channel must be constant over the image (the same value at every pixel)")
    per_image = maps[:, 0, 0, :]
    want = np.eye(10)[labels]
    assert np.allclose(per_image, want), (
        f"label channels should be one-hot: image 1 has label 3, so channel 1+3 is all ones and the other nine are "
        f"zeros; got channel values {np.round(per_image[1], 2)}")
    return "image in channel 0, a constant one-hot plane per class in channels 1-10"


@exercise("11", 2, "Label accuracy", time_limit=TENSORFLOW_TIME_LIMIT)
def check_label_accuracy(label_accuracy: Callable[[Any, Any], float]) -> str:
    """``label_accuracy(probs, requested)``: fraction of images whose most probable class is the requested digit."""
    rng = np.random.default_rng(4)
    n = 200
    requested = rng.integers(0, 10, n)
    logits = rng.normal(0, 1, (n, 10))
    hit = rng.random(n) < 0.7
    logits[np.arange(n)[hit], requested[hit]] += 10.0
    probs = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    want = float(np.mean(probs.argmax(axis=1) == requested))
    got = label_accuracy(probs, requested)
    assert got is not None, "label_accuracy returned None: did you forget `return`?"
    got_arr = _as_float_array(got, "label_accuracy")
    assert got_arr.size == 1, f"label_accuracy must return one number, got shape {got_arr.shape}"
    got_f = float(got_arr.reshape(()))
    if abs(got_f - 100 * want) < 1e-6 and abs(want) > 1e-9:
        raise AssertionError("return a fraction between 0 and 1, not a percentage")
    assert abs(got_f - want) < 1e-9, (
        f"got {got_f:.4f}, but {want:.4f} of the images have their most probable class (argmax over axis 1) equal "
        "to the requested digit")
    perfect = float(np.asarray(label_accuracy(np.eye(10)[requested], requested)))
    assert abs(perfect - 1.0) < 1e-9, f"when every image is read as the requested digit the accuracy is 1, got {perfect}"
    return f"{got_f:.3f} on a test set with ~70 % hits, 1.0 on a perfect one"
