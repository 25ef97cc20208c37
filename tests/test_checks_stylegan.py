"""Checks of notebook 12: each passes on a right answer, fails on plausible wrong ones, and reports a stub."""
import keras
import numpy as np
import pytest
import tensorflow as tf

from utils.checks import stylegan as ga


def _stub(*args, **kwargs):
    raise NotImplementedError()


# ---------------------------------------------------------------- 12.1 truncation
def test_truncate_passes():
    assert ga.check_truncate(lambda w, a, psi: a + psi * (w - a)) is True


@pytest.mark.parametrize("wrong", [
    lambda w, a, psi: psi * w,                    # forgets the average
    lambda w, a, psi: w + psi * (w - a),          # wrong anchor
    lambda w, a, psi: a + (1 - psi) * (w - a),    # psi reversed
    lambda w, a, psi: np.mean(a + psi * (w - a), axis=0),  # loses the batch
], ids=["no-avg", "anchor", "reversed", "shape"])
def test_truncate_fails(wrong):
    with pytest.raises(AssertionError):
        ga.check_truncate(wrong)


def test_truncate_stub():
    with pytest.raises(NotImplementedError):
        ga.check_truncate(_stub)


# ---------------------------------------------------------------- 12.2 AdaIN
def adain_right(x, scale, bias, eps=1e-5):
    mean, var = tf.nn.moments(x, axes=[1, 2], keepdims=True)
    return scale[:, None, None, :] * (x - mean) / tf.sqrt(var + eps) + bias[:, None, None, :]


def test_adain_passes():
    assert ga.check_adain(adain_right) is True


def _adain_batch_norm(x, scale, bias, eps=1e-5):
    mean, var = tf.nn.moments(x, axes=[0, 1, 2], keepdims=True)          # statistics over the batch too
    return scale[:, None, None, :] * (x - mean) / tf.sqrt(var + eps) + bias[:, None, None, :]


@pytest.mark.parametrize("wrong", [
    _adain_batch_norm,
    lambda x, s, b: s[:, None, None, :] * x + b[:, None, None, :],                 # no normalisation
    lambda x, s, b: adain_right(x, b, s),                                          # scale and bias swapped
    lambda x, s, b: adain_right(x, tf.ones_like(s), b),                            # scale ignored
], ids=["batch-stats", "no-norm", "swapped", "no-scale"])
def test_adain_fails(wrong):
    with pytest.raises(AssertionError):
        ga.check_adain(wrong)


def test_adain_stub():
    with pytest.raises(NotImplementedError):
        ga.check_adain(_stub)


# ---------------------------------------------------------------- 12.3 interpolation
def test_interpolate_passes():
    assert ga.check_interpolate(lambda a, b, n: a + np.linspace(0, 1, n)[:, None] * (b - a)) is True


@pytest.mark.parametrize("wrong", [
    lambda a, b, n: a + np.linspace(0, 1, n + 1)[:-1, None] * (b - a),           # misses the end
    lambda a, b, n: a + (np.arange(n) / n)[:, None] * (b - a),                    # t = k / n
    lambda a, b, n: np.stack([a] * (n - 1) + [b]),                                # jumps
    lambda a, b, n: b + np.linspace(0, 1, n)[:, None] * (a - b),                  # reversed
], ids=["no-end", "k-over-n", "jump", "reversed"])
def test_interpolate_fails(wrong):
    with pytest.raises(AssertionError):
        ga.check_interpolate(wrong)


def test_interpolate_stub():
    with pytest.raises(NotImplementedError):
        ga.check_interpolate(_stub)
