"""Checks for notebook 09 (Vanilla GAN). Notebooks 10-12 have their own modules: dcgan, conditional_gan, stylegan.

Every check builds its own logits as TensorFlow tensors, calls the student's function and tests what the loss
*does*: its value on hand-picked logits compared with the binary cross-entropy formula evaluated here in NumPy,
and the direction and size of its gradient (a saturating or sign-flipped loss fails). TensorFlow is imported
inside the checks, so importing this module stays cheap.
"""
from __future__ import annotations

from typing import Any, Callable

import numpy as np

from utils.checks.core import TENSORFLOW_TIME_LIMIT, exercise

LN2 = float(np.log(2.0))


def _softplus(x: np.ndarray) -> np.ndarray:
    """log(1 + e^x), computed stably in float64."""
    return np.logaddexp(0.0, x)


def _bce_with_logits(targets: np.ndarray, logits: np.ndarray) -> float:
    """Mean binary cross-entropy of sigmoid(logits) against targets in [0, 1], in float64 (reference formula)."""
    return float(np.mean(targets * _softplus(-logits) + (1.0 - targets) * _softplus(logits)))


def _scalar(value: Any, what: str) -> float:
    arr = np.asarray(value, dtype=np.float64)
    assert arr.size == 1, (f"{what} must return one number (a scalar tensor: average over the batch with "
                           f"tf.reduce_mean), got shape {arr.shape}")
    out = float(arr.reshape(()))
    assert np.isfinite(out), (f"{what} returned {out}: use a numerically stable form, e.g. "
                              "tf.nn.sigmoid_cross_entropy_with_logits or keras BinaryCrossentropy(from_logits=True)")
    return out


def _value_and_grad(fn: Callable[..., Any], *arrays: np.ndarray, wrt: int, what: str) -> tuple[float, np.ndarray]:
    """Call fn on float32 tensors made from ``arrays``; return the value and d value / d arrays[wrt]."""
    import tensorflow as tf

    tensors = [tf.constant(np.asarray(a, dtype=np.float32)) for a in arrays]
    with tf.GradientTape() as tape:
        tape.watch(tensors[wrt])
        out = fn(*tensors)
    assert out is not None, f"{what} returned None: did you forget `return`?"
    grad = tape.gradient(out, tensors[wrt])
    assert grad is not None, (f"{what} is not differentiable with respect to its input: build it from TensorFlow "
                              "operations on the logits (no .numpy(), no NumPy functions)")
    return _scalar(out, what), np.asarray(grad, dtype=np.float64)


# --------------------------------------------------------------------------- notebook 09
@exercise("09", 1, "Discriminator loss", time_limit=TENSORFLOW_TIME_LIMIT)
def check_discriminator_loss(discriminator_loss: Callable[[Any, Any], Any]) -> str:
    """``discriminator_loss(real_logits, fake_logits)``: BCE with targets 1 for real and 0 for fake, summed.

    Accepts the sum of the two batch means (the usual choice) or their average.
    """
    rng = np.random.default_rng(7)
    real, fake = rng.normal(0.5, 2.0, (16, 1)), rng.normal(-0.5, 2.0, (16, 1))
    value, _ = _value_and_grad(discriminator_loss, real, fake, wrt=0, what="discriminator_loss")
    want = _bce_with_logits(np.ones_like(real), real) + _bce_with_logits(np.zeros_like(fake), fake)
    confused, _ = _value_and_grad(discriminator_loss, np.zeros((8, 1)), np.zeros((8, 1)), wrt=0,
                                  what="discriminator_loss")
    assert abs(confused - 2 * LN2) < 1e-4 or abs(confused - LN2) < 1e-4, (
        f"with all logits 0 (the discriminator says 50/50 to everything) the loss should be "
        f"-log(0.5) - log(0.5) = 2 ln 2 ≈ {2 * LN2:.4f}, got {confused:.4f}")
    assert abs(value - want) < 1e-3 * max(1.0, want) or abs(value - want / 2) < 1e-3 * max(1.0, want), (
        f"on random logits the loss is {value:.4f}, but binary cross-entropy with target 1 for the real logits "
        f"and target 0 for the fake logits gives {want:.4f}: mean(softplus(-real)) + mean(softplus(fake))")
    _, g_real = _value_and_grad(discriminator_loss, real, fake, wrt=0, what="discriminator_loss")
    _, g_fake = _value_and_grad(discriminator_loss, real, fake, wrt=1, what="discriminator_loss")
    assert np.all(g_real < 0) and np.all(g_fake > 0), (
        "the loss must fall as the discriminator calls real images more real (higher real logits) and fake images "
        "more fake (lower fake logits); check which logits get target 1 and which get target 0")
    perfect, _ = _value_and_grad(discriminator_loss, np.full((4, 1), 20.0), np.full((4, 1), -20.0), wrt=0,
                                 what="discriminator_loss")
    assert perfect < 1e-6, f"a perfect, confident discriminator (logits ±20) should have loss ≈ 0, got {perfect:.3g}"
    return f"confused discriminator 2 ln 2 = {confused:.4f}, perfect one ≈ 0, gradients point the right way"


@exercise("09", 2, "Non-saturating generator loss", time_limit=TENSORFLOW_TIME_LIMIT)
def check_generator_loss(generator_loss: Callable[[Any], Any]) -> str:
    """``generator_loss(fake_logits)``: the non-saturating loss -mean(log D(G(z))) = mean(softplus(-fake_logits))."""
    rng = np.random.default_rng(8)
    fake = rng.normal(0.0, 2.0, (16, 1))
    value, _ = _value_and_grad(generator_loss, fake, wrt=0, what="generator_loss")
    want = _bce_with_logits(np.ones_like(fake), fake)
    at_zero, _ = _value_and_grad(generator_loss, np.zeros((8, 1)), wrt=0, what="generator_loss")
    assert abs(at_zero - LN2) < 1e-4, (
        f"when the discriminator says 50/50 (logit 0) the non-saturating loss -log D = ln 2 ≈ {LN2:.4f}, "
        f"got {at_zero:.4f}")
    _, g = _value_and_grad(generator_loss, fake, wrt=0, what="generator_loss")
    assert np.all(g < 0), ("the generator's loss must FALL as the discriminator rates its fakes more real "
                           "(higher logits): the generator wants its fakes labelled 1 (real)")
    n = 8
    _, g_rejected = _value_and_grad(generator_loss, np.full((n, 1), -8.0), wrt=0, what="generator_loss")
    slope = float(np.mean(np.abs(g_rejected))) * n  # per-example slope, independent of the batch size
    assert slope > 0.5, (
        f"when the discriminator confidently rejects the fakes (logit -8, D = 0.0003) the gradient per example is "
        f"only {slope:.2g}: this is the saturating loss log(1 - D(G(z))), which stops teaching the generator "
        "exactly when it is worst. Use -log D(G(z)) = BCE with target 1 instead")
    assert abs(value - want) < 1e-3 * max(1.0, want), (
        f"on random logits the loss is {value:.4f}, but the non-saturating loss mean(softplus(-logits)) "
        f"(binary cross-entropy with target 1) gives {want:.4f}")
    return f"ln 2 at logit 0, slope {slope:.2f} per example when D rejects the fakes (no saturation)"


@exercise("09", 3, "One-sided label smoothing", time_limit=TENSORFLOW_TIME_LIMIT)
def check_smoothed_discriminator_loss(smoothed_discriminator_loss: Callable[..., Any]) -> str:
    """``smoothed_discriminator_loss(real_logits, fake_logits, smooth=0.9)``: real targets ``smooth``, fake targets 0."""
    rng = np.random.default_rng(9)
    real, fake = rng.normal(0.5, 2.0, (16, 1)), rng.normal(-0.5, 2.0, (16, 1))
    for smooth in (0.9, 0.8):
        value, _ = _value_and_grad(lambda r, f: smoothed_discriminator_loss(r, f, smooth=smooth), real, fake,
                                   wrt=0, what="smoothed_discriminator_loss")
        want = _bce_with_logits(np.full_like(real, smooth), real) + _bce_with_logits(np.zeros_like(fake), fake)
        assert abs(value - want) < 1e-3 * max(1.0, want) or abs(value - want / 2) < 1e-3 * max(1.0, want), (
            f"with smooth={smooth} the loss is {value:.4f}, but BCE with target {smooth} for real logits and "
            f"target 0 for fake logits gives {want:.4f}; did you use the `smooth` argument?")
    # Real side: the loss is smallest where sigmoid(real logit) = smooth, i.e. at logit log(smooth / (1 - smooth)).
    best = np.log(0.9 / 0.1)
    _, g_at_best = _value_and_grad(lambda r, f: smoothed_discriminator_loss(r, f, smooth=0.9),
                                   np.full((4, 1), best), np.full((4, 1), -3.0), wrt=0,
                                   what="smoothed_discriminator_loss")
    assert np.all(np.abs(g_at_best) < 1e-4), (
        "with smooth=0.9 the real part should be smallest where D(x) = 0.9, so it stops pushing real logits "
        "higher than log 9; the real targets must be `smooth`, not 1")
    # Fake side stays one-sided: pushing fake logits lower must always lower the loss.
    _, g_fake = _value_and_grad(lambda r, f: smoothed_discriminator_loss(r, f, smooth=0.9),
                                np.full((4, 1), 2.0), np.full((4, 1), -4.0), wrt=1,
                                what="smoothed_discriminator_loss")
    assert np.all(g_fake > 0), ("the fake targets must stay 0 (ONE-sided smoothing): with target 0.1 for fakes "
                                "the discriminator is rewarded for calling fakes a bit real")
    return "real targets smoothed to `smooth`, fake targets kept at 0"
