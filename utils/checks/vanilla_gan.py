"""Checks for notebook 09 (Vanilla GAN), exercises 09.1-09.4; notebooks 10-12 have their own modules (dcgan,
conditional_gan, stylegan_ideas_and_ethics).

* 09.1 and 09.2 build their own logits as TensorFlow tensors, call the student's loss and test what it *does*:
  its value on hand-picked logits against binary cross-entropy evaluated here in NumPy, and the direction and size
  of its gradient (a sign-flipped loss, swapped targets or the wrong generator loss fail).
* 09.3 builds a tiny generator and discriminator with fixed weights, runs two of the student's train steps and two
  of the reference's (:func:`utils.reference.vanilla_gan.make_train_step`) from the same weights, the same real
  images and the same noise generator, and compares every updated weight of both networks. The tiny networks hold
  a layer that behaves differently when ``training=True``, the two optimisers are plain SGD with different
  learning rates, and two steps are run, so that a forgotten ``training=True``, a swapped or missing optimiser
  update and noise drawn once for all steps each change the weights. When the weights differ, the check runs the
  usual mistakes itself and names the one that gives the student's weights.
* 09.4 compares a predicted pair of numbers with the losses at the game's balance.

TensorFlow is imported inside the checks, so importing this module stays cheap.
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Callable

import numpy as np

from utils.checks.asserts import expect, fail, require_answer
from utils.checks.core import TENSORFLOW_TIME_LIMIT, exercise

LN2 = float(np.log(2.0))


def _softplus(x: np.ndarray) -> np.ndarray:
    """log(1 + e^x), computed stably in float64."""
    return np.logaddexp(0.0, x)


def _bce_with_logits(targets: np.ndarray, logits: np.ndarray) -> float:
    """Mean binary cross-entropy of sigmoid(logits) against targets in [0, 1], in float64 (reference formula)."""
    return float(np.mean(targets * _softplus(-logits) + (1.0 - targets) * _softplus(logits)))


def _scalar(value: Any, what: str) -> float:
    assert value is not None, f"{what} returned None: did you forget `return`?"
    arr = np.asarray(value, dtype=np.float64)
    assert arr.size == 1, (f"{what} must return one number (a scalar tensor: average over the batch with "
                           f"tf.reduce_mean), got shape {arr.shape}")
    out = float(arr.reshape(()))
    assert np.isfinite(out), (f"{what} returned {out}: use a numerically stable form, e.g. "
                              "tf.nn.sigmoid_cross_entropy_with_logits or tf.nn.softplus")
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


# --------------------------------------------------------------------------- 09.1
@exercise("09", 1, "Discriminator loss with one-sided label smoothing", time_limit=TENSORFLOW_TIME_LIMIT)
def check_discriminator_loss(discriminator_loss: Callable[..., Any]) -> str:
    """``discriminator_loss(real_logits, fake_logits, real_label=1.0)``: mean BCE with target ``real_label`` for
    the real logits plus mean BCE with target 0 for the fake logits.

    Accepts the sum of the two batch means (the usual choice) or their average.
    """
    rng = np.random.default_rng(7)
    real, fake = rng.normal(0.5, 2.0, (16, 1)), rng.normal(-0.5, 2.0, (16, 1))
    confused, _ = _value_and_grad(discriminator_loss, np.zeros((8, 1)), np.zeros((8, 1)), wrt=0,
                                  what="discriminator_loss(real_logits, fake_logits)")
    assert abs(confused - 2 * LN2) < 1e-4 or abs(confused - LN2) < 1e-4, (
        f"with all logits 0 (the discriminator says 50/50 to everything) the loss should be "
        f"-log(0.5) - log(0.5) = 2 ln 2 ≈ {2 * LN2:.4f}, got {confused:.4f}")
    value, g_real = _value_and_grad(discriminator_loss, real, fake, wrt=0, what="discriminator_loss")
    want = _bce_with_logits(np.ones_like(real), real) + _bce_with_logits(np.zeros_like(fake), fake)
    assert abs(value - want) < 1e-3 * max(1.0, want) or abs(value - want / 2) < 1e-3 * max(1.0, want), (
        f"on random logits the loss is {value:.4f}, but binary cross-entropy with target 1 for the real logits "
        f"and target 0 for the fake logits gives {want:.4f}: mean BCE(1, real) + mean BCE(0, fake). Are the inputs "
        f"treated as logits (no extra sigmoid)?")
    _, g_fake = _value_and_grad(discriminator_loss, real, fake, wrt=1, what="discriminator_loss")
    assert np.all(g_real < 0) and np.all(g_fake > 0), (
        "the loss must fall as the discriminator calls real images more real (higher real logits) and fake images "
        "more fake (lower fake logits); check which logits get target 1 and which get target 0")
    perfect, _ = _value_and_grad(discriminator_loss, np.full((4, 1), 20.0), np.full((4, 1), -20.0), wrt=0,
                                 what="discriminator_loss")
    assert perfect < 1e-6, f"a perfect, confident discriminator (logits ±20) should have loss ≈ 0, got {perfect:.3g}"
    for smooth in (0.9, 0.8):
        value, _ = _value_and_grad(lambda r, f: discriminator_loss(r, f, smooth), real, fake, wrt=0,
                                   what=f"discriminator_loss(real_logits, fake_logits, {smooth})")
        want = _bce_with_logits(np.full_like(real, smooth), real) + _bce_with_logits(np.zeros_like(fake), fake)
        assert abs(value - want) < 1e-3 * max(1.0, want) or abs(value - want / 2) < 1e-3 * max(1.0, want), (
            f"with real_label={smooth} the loss is {value:.4f}, but BCE with target {smooth} for the real logits and "
            f"target 0 for the fake logits gives {want:.4f}: use the `real_label` argument as the real images' "
            f"target (and only there)")
    best = np.log(0.9 / 0.1)
    _, g_at_best = _value_and_grad(lambda r, f: discriminator_loss(r, f, 0.9), np.full((4, 1), best),
                                   np.full((4, 1), -3.0), wrt=0, what="discriminator_loss")
    assert np.all(np.abs(g_at_best) < 1e-4), (
        "with real_label=0.9 the real part should be smallest where D(x) = 0.9 (logit ln 9), so it stops pushing "
        "real logits higher; the real targets must be `real_label`, not 1")
    _, g_fake = _value_and_grad(lambda r, f: discriminator_loss(r, f, 0.9), np.full((4, 1), 2.0),
                                np.full((4, 1), -4.0), wrt=1, what="discriminator_loss")
    assert np.all(g_fake > 0), ("the fake targets must stay 0 (ONE-sided smoothing): with target 0.1 for fakes "
                                "the discriminator is rewarded for calling fakes a bit real")
    return f"2 ln 2 = {confused:.4f} for a 50/50 discriminator, ≈ 0 for a perfect one, real targets smoothed only"


# --------------------------------------------------------------------------- 09.2
@exercise("09", 2, "The generator's two losses", time_limit=TENSORFLOW_TIME_LIMIT)
def check_generator_losses(non_saturating: Callable[[Any], Any], saturating: Callable[[Any], Any]) -> str:
    """``non_saturating(s)`` = -mean log D = mean softplus(-s); ``saturating(s)`` = mean log(1 - D) = -mean softplus(s)."""
    rng = np.random.default_rng(8)
    fake = rng.normal(0.0, 2.0, (16, 1))
    n = 8
    # non-saturating
    what = "generator_loss_non_saturating"
    at_zero, _ = _value_and_grad(non_saturating, np.zeros((n, 1)), wrt=0, what=what)
    assert abs(at_zero - LN2) < 1e-4, (
        f"{what}: when the discriminator says 50/50 (logit 0) the loss -log D = ln 2 ≈ {LN2:.4f}, got {at_zero:.4f}")
    value, g = _value_and_grad(non_saturating, fake, wrt=0, what=what)
    assert np.all(g < 0), (f"{what} must FALL as the discriminator rates the fakes more real (higher logits): the "
                           "generator wants its fakes labelled 1 (real)")
    _, g_rejected = _value_and_grad(non_saturating, np.full((n, 1), -8.0), wrt=0, what=what)
    slope = float(np.mean(np.abs(g_rejected))) * n  # per-example slope, independent of the batch size
    assert slope > 0.5, (
        f"{what}: when the discriminator confidently rejects the fakes (logit -8, D = 0.0003) the gradient per "
        f"example is only {slope:.2g}: that is the saturating loss log(1 - D(G(z))). The non-saturating one is "
        "-log D(G(z)) = BCE with target 1")
    want = _bce_with_logits(np.ones_like(fake), fake)
    assert abs(value - want) < 1e-3 * max(1.0, want), (
        f"{what}: on random logits the loss is {value:.4f}, but -mean log sigmoid(s) = mean softplus(-s) gives "
        f"{want:.4f} (a mean over the batch, not a sum)")
    # saturating
    what = "generator_loss_saturating"
    at_zero_s, _ = _value_and_grad(saturating, np.zeros((n, 1)), wrt=0, what=what)
    expect(not abs(at_zero_s - LN2) < 1e-4,
           f"{what} gives +ln 2 at logit 0, like the non-saturating loss: the minimax loss is "
           f"mean log(1 - D(G(z))), which is log(1/2) = -ln 2 ≈ {-LN2:.4f} there")
    assert abs(at_zero_s + LN2) < 1e-4, (
        f"{what}: at logit 0 (D = 1/2) the minimax loss mean log(1 - D) = log(1/2) ≈ {-LN2:.4f}, got {at_zero_s:.4f}")
    value_s, g_s = _value_and_grad(saturating, fake, wrt=0, what=what)
    assert np.all(g_s < 0), (f"{what} must fall as the fakes' logits rise (the generator minimises it); "
                             "check its sign: mean log(1 - D) = -mean softplus(s)")
    _, g_rej_s = _value_and_grad(saturating, np.full((n, 1), -8.0), wrt=0, what=what)
    slope_s = float(np.mean(np.abs(g_rej_s))) * n
    want_s = -float(np.mean(_softplus(fake)))
    assert abs(value_s - want_s) < 1e-3 * max(1.0, abs(want_s)), (
        f"{what}: on random logits the loss is {value_s:.4f}, but mean log(1 - sigmoid(s)) = -mean softplus(s) "
        f"gives {want_s:.4f}")
    return (f"ln 2 and -ln 2 at logit 0; when D rejects the fakes (logit -8) the slope per example is {slope:.2f} "
            f"(non-saturating) against {slope_s:.4f} (saturating)")


# --------------------------------------------------------------------------- 09.3
LATENT, HIDDEN, BATCH = 3, 5, 8
G_LR, D_LR = 0.05, 0.2


def _training_scale() -> Any:
    """A layer that doubles its input when called with ``training=True`` and passes it unchanged otherwise."""
    import keras

    class TrainingScale(keras.layers.Layer):
        def call(self, x: Any, training: Any = None) -> Any:
            return x * 2.0 if training else x

    return TrainingScale()


def _tiny_gan() -> tuple[Any, Any, Any, Any, Any, np.ndarray]:
    """Tiny generator (noise (b, 3) -> (b, 2, 2, 1)) and discriminator ((b, 2, 2, 1) -> logits (b, 1)) with fixed
    weights, two SGD optimisers with different learning rates, a seeded noise generator and 8 real images."""
    import keras
    import tensorflow as tf

    g = keras.Sequential([keras.Input((LATENT,)), keras.layers.Dense(HIDDEN), _training_scale(),
                          keras.layers.LeakyReLU(0.2), keras.layers.Dense(4, activation="tanh"),
                          keras.layers.Reshape((2, 2, 1))])
    d = keras.Sequential([keras.Input((2, 2, 1)), keras.layers.Flatten(), keras.layers.Dense(HIDDEN),
                          _training_scale(), keras.layers.LeakyReLU(0.2), keras.layers.Dense(1)])
    w = np.random.default_rng(3)
    g.set_weights([w.normal(0, 0.7, v.shape).astype(np.float32) for v in g.get_weights()])
    d.set_weights([w.normal(0, 0.7, v.shape).astype(np.float32) for v in d.get_weights()])
    real = np.tanh(w.normal(0.3, 1.0, (BATCH, 2, 2, 1))).astype(np.float32)
    return (g, d, keras.optimizers.SGD(G_LR), keras.optimizers.SGD(D_LR), tf.random.Generator.from_seed(11), real)


Weights = tuple[list[np.ndarray], list[np.ndarray]]


def _run(make_step: Callable[..., Any], steps: int = 2, **kwargs: Any) -> tuple[list[Weights], Any]:
    """(G's weights, D's weights) after each of ``steps`` train steps, and the first step's returned value."""
    from utils.reference import vanilla_gan as ref

    g, d, g_opt, d_opt, rng, real = _tiny_gan()
    step = make_step(g, d, g_opt, d_opt, rng, d_loss_fn=ref.discriminator_loss,
                     g_loss_fn=ref.generator_loss_non_saturating, real_label=0.9, **kwargs)
    after, first = [], None
    for i in range(steps):
        out = step(real)
        first = out if i == 0 else first
        after.append(([v.numpy() for v in g.trainable_variables],
                      [v.numpy() for v in d.trainable_variables]))
    return after, first


def _same(a: list[np.ndarray], b: list[np.ndarray]) -> bool:
    return len(a) == len(b) and all(x.shape == y.shape and np.allclose(x, y, rtol=1e-4, atol=1e-6)
                                    for x, y in zip(a, b))


def _mistake_step(mistake: str) -> Callable[..., Any]:
    """The reference step with one classic mistake (a key of :data:`MISTAKES`), run eagerly, to name the
    student's mistake when their weights match it."""
    import tensorflow as tf

    def make(generator: Any, discriminator: Any, g_opt: Any, d_opt: Any, rng: Any, *, d_loss_fn: Any,
             g_loss_fn: Any, real_label: float) -> Callable[[Any], Any]:
        g_training = mistake != "no_training"
        d_training = mistake not in ("no_training", "no_training_d")
        if mistake == "swapped_optimizers":
            g_opt, d_opt = d_opt, g_opt

        def step(real_images: Any) -> dict[str, Any]:
            noise = rng.normal((BATCH, LATENT))
            with tf.GradientTape() as d_tape, tf.GradientTape() as g_tape:
                fake = generator(noise, training=g_training)
                real_logits = discriminator(real_images, training=d_training)
                fake_logits = discriminator(fake, training=d_training)
                d_loss = d_loss_fn(real_logits, fake_logits, 1.0 if mistake == "no_real_label" else real_label)
                g_loss = {"g_uses_d_loss": d_loss, "g_minimises_minus_d_loss": -d_loss}.get(
                    mistake, g_loss_fn(fake_logits))
            d_grads = d_tape.gradient(g_loss if mistake == "d_uses_g_loss" else d_loss,
                                      discriminator.trainable_variables)
            d_grads = [tf.zeros_like(v) if gr is None else gr for gr, v in zip(d_grads, discriminator.trainable_variables)]
            g_grads = g_tape.gradient(g_loss, generator.trainable_variables)
            d_opt.apply_gradients(zip(d_grads, discriminator.trainable_variables))
            g_opt.apply_gradients(zip(g_grads, generator.trainable_variables))
            return {"d_loss": d_loss, "g_loss": g_loss}

        return step

    return make


MISTAKES: dict[str, str] = {
    "g_uses_d_loss": ("the generator's weights moved along the gradient of the DISCRIMINATOR's loss: compute "
                      "g_grads from g_loss (g_tape.gradient(g_loss, generator.trainable_variables))"),
    "g_minimises_minus_d_loss": ("the generator minimised minus the discriminator's loss (the minimax form); this "
                                 "step uses g_loss_fn(fake_logits) for the generator"),
    "d_uses_g_loss": ("the discriminator's weights moved along the gradient of the GENERATOR's loss: compute d_grads "
                      "from d_loss"),
    "no_training": ("the networks were not called with training=True: layers such as Dropout and BatchNormalization "
                    "(and the check's tiny networks) behave differently in training; write generator(noise, "
                    "training=True) and discriminator(images, training=True)"),
    "no_training_d": ("the discriminator was not called with training=True (on the real or the fake images)"),
    "no_real_label": ("the discriminator's loss ignored real_label: call d_loss_fn(real_logits, fake_logits, "
                      "real_label)"),
    "swapped_optimizers": ("the two optimisers are swapped: d_opt must update the discriminator's variables and g_opt "
                           "the generator's"),
    "frozen_noise": ("the first step is right but the second is not: the same noise is reused. Draw a NEW batch of "
                     "noise inside train_step, with rng.normal((batch, latent_dim)), on every call"),
}


@exercise("09", 3, "The GAN train step", time_limit=TENSORFLOW_TIME_LIMIT)
def check_train_step(make_train_step: Callable[..., Any]) -> str:
    """``make_train_step(generator, discriminator, g_opt, d_opt, rng, *, d_loss_fn, g_loss_fn, real_label)``
    returns ``train_step(real_images)``; two steps must update both tiny networks exactly as the reference does."""
    from utils.reference import vanilla_gan as ref

    want, want_out = _run(ref.make_train_step)
    try:
        got, got_out = _run(make_train_step)
    except NotImplementedError:
        raise
    except AssertionError:
        raise
    except Exception as err:  # the student's step crashed: name the likely cause
        first = " ".join(str(err).strip().split())[:300]
        fail(f"your train step raised {type(err).__name__}: {first} — Typical causes: applying one player's "
             f"gradients to the other's variables (zip(g_grads, discriminator.trainable_variables)), one optimiser "
             f"for both players, a noise shape that is not (batch, latent_dim), or variable names other than "
             f"real_logits, fake_logits, d_loss and g_loss (the return line uses them)")
    assert isinstance(got_out, Mapping) and {"d_loss", "g_loss"} <= set(got_out), (
        "train_step must return the dict of the given return line ({'d_loss': ..., 'g_loss': ..., ...})")
    start_g, start_d = _tiny_gan()[:2]
    g0, d0 = [v.numpy() for v in start_g.trainable_variables], [v.numpy() for v in start_d.trainable_variables]
    (g1, d1), (g1_want, d1_want) = got[0], want[0]
    assert not _same(d1, d0), ("after one step the discriminator's weights have not changed: apply its gradients "
                               "with d_opt.apply_gradients(zip(d_grads, discriminator.trainable_variables))")
    assert not _same(g1, g0), ("after one step the generator's weights have not changed: apply its gradients with "
                               "g_opt.apply_gradients(zip(g_grads, generator.trainable_variables))")
    first_ok = _same(g1, g1_want) and _same(d1, d1_want)
    second_ok = _same(got[1][0], want[1][0]) and _same(got[1][1], want[1][1])
    if first_ok and second_ok:
        d_loss = float(np.asarray(got_out["d_loss"]))
        return (f"both networks match the reference after two steps (first step: d_loss {d_loss:.4f}, "
                f"g_loss {float(np.asarray(got_out['g_loss'])):.4f})")
    expect(not first_ok, MISTAKES["frozen_noise"])
    for mistake, hint in MISTAKES.items():
        if mistake == "frozen_noise":
            continue
        candidate, _ = _run(_mistake_step(mistake), steps=1)
        expect(not (_same(g1, candidate[0][0]) and _same(d1, candidate[0][1])), hint)
    wrong = [name for name, ok in (("generator", _same(g1, g1_want)), ("discriminator", _same(d1, d1_want)))
             if not ok]
    fail(f"after one step the {' and the '.join(wrong)}'s weights differ from the reference step's. Check: one batch "
         f"of noise from rng.normal((batch, latent_dim)); both networks called with training=True; d_loss = "
         f"d_loss_fn(real_logits, fake_logits, real_label) and g_loss = g_loss_fn(fake_logits), both inside the "
         f"tapes; each player's gradients from its own loss and tape, applied by its own optimiser")


# --------------------------------------------------------------------------- 09.4
@exercise("09", 4, "Predict the losses at the balance")
def check_balance_prediction(predicted_d_loss: Any, predicted_g_loss: Any) -> str:
    """The losses when D(x) = 1/2 everywhere: L_D = 2 ln 2 ≈ 1.386 (whatever the real label), L_G = ln 2 ≈ 0.693."""
    require_answer(predicted_d_loss, "predicted_d_loss")
    require_answer(predicted_g_loss, "predicted_g_loss")
    for name, value in (("predicted_d_loss", predicted_d_loss), ("predicted_g_loss", predicted_g_loss)):
        expect(not isinstance(value, bool) and isinstance(value, (int, float, np.integer, np.floating)),
               f"{name} should be one number, got {type(value).__name__} {value!r}")
    d, g = float(predicted_d_loss), float(predicted_g_loss)
    d_ok, g_ok = abs(d - 2 * LN2) < 0.01, abs(g - LN2) < 0.01
    if d_ok and g_ok:
        return (f"L_D = 2 ln 2 ≈ {2 * LN2:.3f} and L_G = ln 2 ≈ {LN2:.3f}: at the balance neither loss is near zero")
    hints = []
    if not d_ok:
        if abs(d) < 0.05:
            hints.append("the discriminator's loss is not near 0 at the balance: a loss near 0 means D is always "
                         "right, but D = 1/2 is a coin flip")
        elif abs(d - LN2) < 0.01:
            hints.append("ln 2 is one half of L_D: add the real images' term -log D(x) and the fakes' term "
                         "-log(1 - D(G(z))), each ln 2 at D = 1/2")
        elif abs(d - 0.5) < 0.01 or abs(d - 1.0) < 0.01:
            hints.append("that is a probability, not a loss: put D = 1/2 into -log D(x) - log(1 - D(G(z)))")
        else:
            hints.append("put D = 1/2 into L_D = -log D(x) - log(1 - D(G(z)))")
    if not g_ok:
        if abs(g + LN2) < 0.01:
            hints.append("-ln 2 is the saturating loss log(1 - D); the notes' (non-saturating) loss is -log D(G(z))")
        elif abs(g) < 0.05:
            hints.append("the generator's loss is not near 0 at the balance: -log(1/2) is not 0")
        else:
            hints.append("put D = 1/2 into L_G = -log D(G(z))")
    fail("; ".join(hints))
