"""Checks for notebook 00 (getting started): first steps with NumPy on MNIST-shaped data.

Each check calls the student's function on small images or label arrays built here with a known answer by
construction (e.g. exactly k non-zero pixels) and tests its behaviour, never a stored result.
"""
from __future__ import annotations

from typing import Callable

import numpy as np

from utils.checks.core import exercise


@exercise("00", 1, "Fraction of non-zero pixels")
def check_nonzero_fraction(nonzero_fraction: Callable[[np.ndarray], float]) -> str:
    """``nonzero_fraction(image)`` must return the fraction (0..1) of pixels that are not zero.

    Args:
        nonzero_fraction: takes one image, shape (h, w), uint8 0..255; returns a float in [0, 1].
    """
    rng = np.random.default_rng(0)
    blank = np.zeros((28, 28), np.uint8)
    got = nonzero_fraction(blank.copy())
    assert got is not None, "your function returns None: did you forget `return`?"
    assert np.ndim(got) == 0, f"return one number (a fraction), got something of shape {np.shape(got)}"
    assert float(got) == 0.0, f"an all-black image has no non-zero pixels, so the answer is 0.0; you returned {got}"
    full = np.full((28, 28), 255, np.uint8)
    assert np.isclose(float(nonzero_fraction(full)), 1.0), (
        f"an all-white image has every pixel non-zero, so the answer is 1.0; you returned {nonzero_fraction(full)}"
        " (did you divide by the right number of pixels?)")
    for k in (1, 150, 600):
        img = np.zeros((28, 28), np.uint8)
        where = rng.choice(784, size=k, replace=False)
        img.flat[where] = rng.integers(1, 40, size=k)  # faint pixels count too: non-zero is not "bright"
        before = img.copy()
        got = float(nonzero_fraction(img))
        assert np.array_equal(img, before), "your function changed the image it was given; work on a copy"
        assert np.isclose(got, k / 784), (
            f"an image with {k} non-zero pixels (some very faint, values 1..39) out of 784 should give "
            f"{k}/784 = {k / 784:.4f}; you returned {got:.4f}. Count pixels != 0, and divide by the pixel count.")
    small = np.zeros((4, 5), np.uint8)
    small[0, :3] = 7
    got = float(nonzero_fraction(small))
    assert np.isclose(got, 3 / 20), (
        f"a 4x5 image with 3 non-zero pixels should give 3/20 = 0.15; you returned {got:.4f}. "
        "Use image.size rather than the number 784, so any image size works.")
    return "counts non-zero pixels (even faint ones) and divides by the number of pixels"


@exercise("00", 2, "Count images per class")
def check_count_per_class(count_per_class: Callable[[np.ndarray], np.ndarray]) -> str:
    """``count_per_class(labels)`` must return an array of 10 counts: entry c = how many labels equal c.

    Args:
        count_per_class: takes labels, shape (n,), integers 0..9; returns shape (10,) integers.
    """
    rng = np.random.default_rng(1)
    want = rng.integers(0, 30, size=10)
    want[3] = 0  # a class with no images must still get its 0
    labels = rng.permutation(np.repeat(np.arange(10), want)).astype(np.uint8)
    got = count_per_class(labels.copy())
    assert got is not None, "your function returns None: did you forget `return`?"
    got = np.asarray(got)
    assert got.shape == (10,), (
        f"return one count per class 0..9, shape (10,); got shape {got.shape}. A class with no images "
        "must still appear with count 0 (np.bincount has a `minlength` argument).")
    assert np.issubdtype(got.dtype, np.number), f"counts must be numbers, got dtype {got.dtype}"
    assert got.sum() == len(labels), f"the counts must add up to the number of labels ({len(labels)}), got {got.sum()}"
    for c in range(10):
        assert got[c] == want[c], (f"class {c} appears {want[c]} times in the labels, your count says {got[c]}; "
                                   "entry c must count the labels equal to c")
    one = count_per_class(np.array([7], np.uint8))
    assert np.asarray(one).shape == (10,) and np.asarray(one)[7] == 1 and np.asarray(one).sum() == 1, (
        "with the single label 7 the answer is nine zeros and a 1 at position 7")
    return f"counts {len(labels)} labels into 10 classes, including a class with no images"
