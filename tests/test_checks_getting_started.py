"""Checks of notebook 00: each passes on a right answer, fails on plausible wrong ones, and reports a stub."""
import numpy as np
import pytest

from utils.checks import getting_started


def _stub(*args, **kwargs):
    raise NotImplementedError()


# ---------------------------------------------------------------- 00.1 fraction of non-zero pixels
@pytest.mark.parametrize("right", [
    lambda img: np.count_nonzero(img) / img.size,
    lambda img: float(np.mean(img != 0)),
    lambda img: float((img > 0).sum() / (img.shape[0] * img.shape[1])),
], ids=["count_nonzero", "mean", "sum-over-shape"])
def test_nonzero_fraction_passes_on_right_answers(right):
    assert getting_started.check_nonzero_fraction(right) is True


@pytest.mark.parametrize("wrong", [
    lambda img: np.count_nonzero(img),                 # a count, not a fraction
    lambda img: np.count_nonzero(img) / 784,           # hard-coded MNIST size
    lambda img: float(np.mean(img > 128)),             # "bright" pixels only
    lambda img: float(np.mean(img == 0)),              # fraction of zero pixels
    lambda img: float(np.mean(img) / 255),             # mean brightness
    lambda img: np.mean(img != 0, axis=0),             # one fraction per column
    lambda img: None,                                  # forgot return
], ids=["count", "784", "bright", "zeros", "brightness", "per-column", "none"])
def test_nonzero_fraction_fails_on_wrong_answers(wrong):
    with pytest.raises(AssertionError):
        getting_started.check_nonzero_fraction(wrong)


def test_nonzero_fraction_fails_when_the_image_is_changed():
    def mutating(img):
        frac = np.count_nonzero(img) / img.size
        img[:] = 0
        return frac

    with pytest.raises(AssertionError, match="changed the image"):
        getting_started.check_nonzero_fraction(mutating)


def test_nonzero_fraction_stub_is_not_attempted():
    with pytest.raises(NotImplementedError, match="00.1"):
        getting_started.check_nonzero_fraction(_stub)


# ---------------------------------------------------------------- 00.2 images per class
@pytest.mark.parametrize("right", [
    lambda y: np.bincount(y, minlength=10),
    lambda y: np.array([np.sum(y == c) for c in range(10)]),
], ids=["bincount", "loop"])
def test_count_per_class_passes_on_right_answers(right):
    assert getting_started.check_count_per_class(right) is True


@pytest.mark.parametrize("wrong", [
    lambda y: np.unique(y, return_counts=True)[1],     # drops empty classes
    lambda y: np.bincount(y),                          # no minlength
    lambda y: np.array([np.sum(y == c) for c in range(1, 11)]),  # off by one
    lambda y: np.array([np.sum(y <= c) for c in range(10)]),     # cumulative
    lambda y: np.full(10, len(y) / 10),                # assumes balance
], ids=["unique", "bincount-no-minlength", "off-by-one", "cumulative", "balanced"])
def test_count_per_class_fails_on_wrong_answers(wrong):
    with pytest.raises(AssertionError):
        getting_started.check_count_per_class(wrong)


def test_count_per_class_stub_is_not_attempted():
    with pytest.raises(NotImplementedError, match="00.2"):
        getting_started.check_count_per_class(_stub)
