"""Checks of notebook 09: each passes on a right answer, fails on plausible wrong ones, and reports a stub."""
import pytest
import tensorflow as tf

from utils.checks import gans


def _stub(*args, **kwargs):
    raise NotImplementedError()


def bce(targets, logits):
    return tf.reduce_mean(tf.nn.sigmoid_cross_entropy_with_logits(labels=targets, logits=logits))


# ---------------------------------------------------------------- 09.1 discriminator loss
def d_loss_right(real, fake):
    return bce(tf.ones_like(real), real) + bce(tf.zeros_like(fake), fake)


def test_discriminator_loss_passes_on_right_answers():
    assert gans.check_discriminator_loss(d_loss_right) is True
    assert gans.check_discriminator_loss(lambda r, f: 0.5 * d_loss_right(r, f)) is True  # the average is accepted
    assert gans.check_discriminator_loss(  # the Keras loss object, on logits
        lambda r, f: tf.keras.losses.BinaryCrossentropy(from_logits=True)(tf.ones_like(r), r)
        + tf.keras.losses.BinaryCrossentropy(from_logits=True)(tf.zeros_like(f), f)) is True


@pytest.mark.parametrize("wrong", [
    lambda r, f: bce(tf.zeros_like(r), r) + bce(tf.ones_like(f), f),        # targets swapped
    lambda r, f: -d_loss_right(r, f),                                       # sign flipped
    lambda r, f: bce(tf.ones_like(r), r),                                   # forgot the fake half
    lambda r, f: bce(tf.ones_like(r), tf.sigmoid(r)) + bce(tf.zeros_like(f), tf.sigmoid(f)),  # sigmoid twice
    lambda r, f: tf.nn.sigmoid_cross_entropy_with_logits(tf.ones_like(r), r),  # no mean: a vector
], ids=["swapped", "sign", "real-only", "double-sigmoid", "not-scalar"])
def test_discriminator_loss_fails_on_wrong_answers(wrong):
    with pytest.raises(AssertionError):
        gans.check_discriminator_loss(wrong)


def test_discriminator_loss_stub_is_not_attempted():
    with pytest.raises(NotImplementedError, match="09.1"):
        gans.check_discriminator_loss(_stub)


# ---------------------------------------------------------------- 09.2 non-saturating generator loss
def test_generator_loss_passes_on_right_answers():
    assert gans.check_generator_loss(lambda f: bce(tf.ones_like(f), f)) is True
    assert gans.check_generator_loss(lambda f: tf.reduce_mean(tf.nn.softplus(-f))) is True


@pytest.mark.parametrize("wrong", [
    lambda f: -bce(tf.zeros_like(f), f),                  # saturating minimax loss: mean log(1 - D)
    lambda f: bce(tf.zeros_like(f), f),                   # sign flipped: helps the discriminator
    lambda f: -bce(tf.ones_like(f), f),                   # negated non-saturating loss
    lambda f: tf.reduce_sum(tf.nn.softplus(-f)),          # sum instead of mean
    lambda f: None,                                       # forgot return
], ids=["saturating", "target-0", "negated", "sum", "none"])
def test_generator_loss_fails_on_wrong_answers(wrong):
    with pytest.raises(AssertionError):
        gans.check_generator_loss(wrong)


def test_generator_loss_stub_is_not_attempted():
    with pytest.raises(NotImplementedError, match="09.2"):
        gans.check_generator_loss(_stub)


# ---------------------------------------------------------------- 09.3 one-sided label smoothing
def smoothed_right(real, fake, smooth=0.9):
    return bce(tf.fill(tf.shape(real), smooth), real) + bce(tf.zeros_like(fake), fake)


def test_smoothed_loss_passes_on_right_answer():
    assert gans.check_smoothed_discriminator_loss(smoothed_right) is True


@pytest.mark.parametrize("wrong", [
    lambda r, f, smooth=0.9: d_loss_right(r, f),                                              # no smoothing
    lambda r, f, smooth=0.9: bce(tf.fill(tf.shape(r), smooth), r) + bce(tf.fill(tf.shape(f), 1 - smooth), f),
    lambda r, f, smooth=0.9: bce(tf.fill(tf.shape(r), 0.9), r) + bce(tf.zeros_like(f), f),   # ignores `smooth`
    lambda r, f, smooth=0.9: smooth * d_loss_right(r, f),                                     # scales the loss
], ids=["unsmoothed", "two-sided", "hard-coded-0.9", "scaled"])
def test_smoothed_loss_fails_on_wrong_answers(wrong):
    with pytest.raises(AssertionError):
        gans.check_smoothed_discriminator_loss(wrong)


def test_smoothed_loss_stub_is_not_attempted():
    with pytest.raises(NotImplementedError, match="09.3"):
        gans.check_smoothed_discriminator_loss(_stub)
