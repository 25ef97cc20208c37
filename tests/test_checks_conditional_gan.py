"""Checks of notebook 11: each passes on a right answer, fails on plausible wrong ones, and reports a stub."""
import keras
import numpy as np
import pytest
import tensorflow as tf

from utils.checks import conditional_gan as ga


def _stub(*args, **kwargs):
    raise NotImplementedError()


# ---------------------------------------------------------------- 11.1 one-hot channels
def one_hot_right(images, labels):
    maps = tf.one_hot(labels, 10)[:, None, None, :] * tf.ones_like(images)
    return tf.concat([images, maps], axis=-1)


def test_one_hot_channels_passes():
    assert ga.check_one_hot_channels(one_hot_right) is True


@pytest.mark.parametrize("wrong", [
    lambda x, y: tf.concat([tf.one_hot(y, 10)[:, None, None, :] * tf.ones_like(x), x], axis=-1),  # image last
    lambda x, y: tf.concat([x, tf.one_hot(y, 11)[:, None, None, 1:] * tf.ones_like(x)], axis=-1),   # shifted
    lambda x, y: tf.concat([x, tf.ones_like(x) * tf.cast(y, tf.float32)[:, None, None, None]], axis=-1),  # 1 ch
    lambda x, y: tf.concat([tf.zeros_like(x), tf.one_hot(y, 10)[:, None, None, :] * tf.ones_like(x)], axis=-1),
], ids=["image-last", "shifted", "integer-channel", "image-lost"])
def test_one_hot_channels_fails(wrong):
    with pytest.raises(AssertionError):
        ga.check_one_hot_channels(wrong)


def test_one_hot_channels_stub():
    with pytest.raises(NotImplementedError):
        ga.check_one_hot_channels(_stub)


# ---------------------------------------------------------------- 11.2 label accuracy
def test_label_accuracy_passes():
    assert ga.check_label_accuracy(lambda p, y: float(np.mean(np.argmax(p, axis=1) == y))) is True


@pytest.mark.parametrize("wrong", [
    lambda p, y: 100 * float(np.mean(np.argmax(p, axis=1) == y)),   # percentage
    lambda p, y: float(np.mean(np.argmax(p, axis=1) != y)),         # error rate
    lambda p, y: float(np.mean(np.max(p, axis=1))),                  # mean confidence
    lambda p, y: np.argmax(p, axis=1) == y,                          # not averaged
], ids=["percent", "error-rate", "confidence", "vector"])
def test_label_accuracy_fails(wrong):
    with pytest.raises(AssertionError):
        ga.check_label_accuracy(wrong)


def test_label_accuracy_stub():
    with pytest.raises(NotImplementedError):
        ga.check_label_accuracy(_stub)
