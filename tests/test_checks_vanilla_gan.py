"""Checks of notebook 09: each passes on a right answer (the reference's too), fails on plausible wrong ones with
the hint that names the mistake, and reports a stub as not attempted."""
import numpy as np
import pytest
import tensorflow as tf

from utils.checks import vanilla_gan as gans
from utils.reference import vanilla_gan as ref


def _stub(*args, **kwargs):
    raise NotImplementedError()


def bce(targets, logits):
    return tf.reduce_mean(tf.nn.sigmoid_cross_entropy_with_logits(labels=targets, logits=logits))


# ---------------------------------------------------------------- 09.1 discriminator loss (with smoothing)
def d_loss_right(real, fake, real_label=1.0):
    return bce(tf.fill(tf.shape(real), real_label), real) + bce(tf.zeros_like(fake), fake)


def test_discriminator_loss_passes_on_right_answers():
    assert gans.check_discriminator_loss(d_loss_right) is True
    assert gans.check_discriminator_loss(ref.discriminator_loss) is True
    assert gans.check_discriminator_loss(lambda r, f, real_label=1.0: 0.5 * d_loss_right(r, f, real_label)) is True
    assert gans.check_discriminator_loss(  # the Keras loss object, on logits
        lambda r, f, real_label=1.0: tf.keras.losses.BinaryCrossentropy(from_logits=True)(
            tf.fill(tf.shape(r), real_label), r)
        + tf.keras.losses.BinaryCrossentropy(from_logits=True)(tf.zeros_like(f), f)) is True


@pytest.mark.parametrize("wrong", [
    lambda r, f, real_label=1.0: bce(tf.zeros_like(r), r) + bce(tf.ones_like(f), f),         # targets swapped
    lambda r, f, real_label=1.0: -d_loss_right(r, f, real_label),                            # sign flipped
    lambda r, f, real_label=1.0: bce(tf.fill(tf.shape(r), real_label), r),                   # forgot the fake half
    lambda r, f, real_label=1.0: d_loss_right(tf.sigmoid(r), tf.sigmoid(f), real_label),     # sigmoid twice
    lambda r, f, real_label=1.0: tf.nn.sigmoid_cross_entropy_with_logits(tf.ones_like(r), r),  # a vector
    lambda r, f, real_label=1.0: d_loss_right(r, f),                                         # ignores real_label
    lambda r, f, real_label=1.0: bce(tf.fill(tf.shape(r), real_label), r)                    # two-sided smoothing
    + bce(tf.fill(tf.shape(f), 1.0 - real_label), f),
    lambda r, f, real_label=1.0: real_label * d_loss_right(r, f),                            # scales the loss
    lambda r, f, real_label=1.0: None,                                                       # forgot return
], ids=["swapped", "sign", "real-only", "double-sigmoid", "not-scalar", "no-smoothing", "two-sided", "scaled",
        "none"])
def test_discriminator_loss_fails_on_wrong_answers(wrong):
    with pytest.raises(AssertionError):
        gans.check_discriminator_loss(wrong)


def test_discriminator_loss_stub_is_not_attempted():
    with pytest.raises(NotImplementedError, match="09.1"):
        gans.check_discriminator_loss(_stub)


# ---------------------------------------------------------------- 09.2 the generator's two losses
ns_right = ref.generator_loss_non_saturating
sat_right = ref.generator_loss_saturating


def test_generator_losses_pass_on_right_answers():
    assert gans.check_generator_losses(ns_right, sat_right) is True
    assert gans.check_generator_losses(lambda f: bce(tf.ones_like(f), f), lambda f: -bce(tf.zeros_like(f), f))
    assert gans.check_generator_losses(lambda f: -tf.reduce_mean(tf.math.log(tf.sigmoid(f))),
                                       lambda f: tf.reduce_mean(tf.math.log(1 - tf.sigmoid(f))))


@pytest.mark.parametrize("ns, sat", [
    (sat_right, sat_right),                                     # saturating loss in place of the non-saturating one
    (lambda f: bce(tf.zeros_like(f), f), sat_right),            # target 0: helps the discriminator
    (lambda f: -bce(tf.ones_like(f), f), sat_right),            # negated
    (lambda f: tf.reduce_sum(tf.nn.softplus(-f)), sat_right),   # sum instead of mean
    (lambda f: None, sat_right),                                # forgot return
    (ns_right, ns_right),                                       # non-saturating loss in place of the saturating one
    (ns_right, lambda f: bce(tf.zeros_like(f), f)),             # sign of the minimax loss flipped
    (ns_right, lambda f: -tf.reduce_sum(tf.nn.softplus(f))),    # sum
], ids=["ns-is-saturating", "ns-target-0", "ns-negated", "ns-sum", "ns-none", "sat-is-ns", "sat-sign", "sat-sum"])
def test_generator_losses_fail_on_wrong_answers(ns, sat):
    with pytest.raises(AssertionError):
        gans.check_generator_losses(ns, sat)


def test_generator_losses_stub_is_not_attempted():
    with pytest.raises(NotImplementedError, match="09.2"):
        gans.check_generator_losses(_stub, sat_right)
    with pytest.raises(NotImplementedError, match="09.2"):
        gans.check_generator_losses(ns_right, _stub)


# ---------------------------------------------------------------- 09.3 the train step
def student_step(mistake=None):
    """A student's make_train_step as the notebook's scaffold has it, with one optional mistake."""
    def make_train_step(generator, discriminator, g_opt, d_opt, rng, *, d_loss_fn, g_loss_fn, real_label=1.0):
        latent_dim = generator.input_shape[-1]
        frozen = rng.normal((8, latent_dim)) if mistake == "frozen-noise" else None
        training = mistake != "no-training"

        @tf.function
        def train_step(real_images):
            noise = frozen if frozen is not None else rng.normal((tf.shape(real_images)[0], latent_dim))
            with tf.GradientTape() as d_tape, tf.GradientTape() as g_tape:
                fake_images = generator(noise, training=training)
                real_logits = discriminator(real_images, training=training)
                fake_logits = discriminator(fake_images, training=training)
                d_loss = d_loss_fn(real_logits, fake_logits, real_label)
                g_loss = d_loss if mistake == "g-uses-d-loss" else g_loss_fn(fake_logits)
            d_grads = d_tape.gradient(d_loss, discriminator.trainable_variables)
            g_grads = g_tape.gradient(g_loss, generator.trainable_variables)
            if mistake == "d-with-g-grads":
                d_opt.apply_gradients(zip(g_grads, discriminator.trainable_variables))
            elif mistake != "no-d-update":
                d_opt.apply_gradients(zip(d_grads, discriminator.trainable_variables))
            if mistake == "one-optimiser":
                d_opt.apply_gradients(zip(g_grads, generator.trainable_variables))
            elif mistake != "no-g-update":
                g_opt.apply_gradients(zip(g_grads, generator.trainable_variables))
            return {"d_loss": d_loss, "g_loss": g_loss,
                    "d_acc_real": tf.reduce_mean(tf.cast(real_logits > 0, tf.float32)),
                    "d_acc_fake": tf.reduce_mean(tf.cast(fake_logits < 0, tf.float32))}

        return train_step

    return make_train_step


def test_train_step_passes_on_right_answers(capsys):
    assert gans.check_train_step(student_step()) is True
    assert gans.check_train_step(ref.make_train_step) is True
    assert "match the reference" in capsys.readouterr().out


def separate_tapes_step(generator, discriminator, g_opt, d_opt, rng, *, d_loss_fn, g_loss_fn, real_label=1.0):
    """Also right: one tape per player, the generator run a second time inside its own tape (same noise)."""
    @tf.function
    def train_step(real_images):
        noise = rng.normal((tf.shape(real_images)[0], generator.input_shape[-1]))
        with tf.GradientTape() as tape:
            real_logits = discriminator(real_images, training=True)
            fake_logits = discriminator(generator(noise, training=True), training=True)
            d_loss = d_loss_fn(real_logits, fake_logits, real_label)
        d_grads = tape.gradient(d_loss, discriminator.trainable_variables)
        with tf.GradientTape() as tape:
            g_loss = g_loss_fn(discriminator(generator(noise, training=True), training=True))
        g_grads = tape.gradient(g_loss, generator.trainable_variables)
        d_opt.apply_gradients(zip(d_grads, discriminator.trainable_variables))
        g_opt.apply_gradients(zip(g_grads, generator.trainable_variables))
        return {"d_loss": d_loss, "g_loss": g_loss}

    return train_step


def test_train_step_accepts_separate_tapes():
    assert gans.check_train_step(separate_tapes_step) is True


@pytest.mark.parametrize("mistake, hint", [
    ("g-uses-d-loss", "DISCRIMINATOR's loss"),
    ("no-training", "training=True"),
    ("frozen-noise", "same noise is reused"),
    ("d-with-g-grads", "other's variables"),
    ("no-d-update", "discriminator's weights have not changed"),
    ("no-g-update", "generator's weights have not changed"),
    ("one-optimiser", "one optimiser for both"),
])
def test_train_step_fails_on_each_mistake_and_names_it(mistake, hint):
    with pytest.raises(AssertionError, match="09.3") as err:
        gans.check_train_step(student_step(mistake))
    assert hint in str(err.value)


def test_train_step_names_swapped_optimisers_and_ignored_real_label():
    def swapped(generator, discriminator, g_opt, d_opt, rng, **kwargs):
        return ref.make_train_step(generator, discriminator, d_opt, g_opt, rng, **kwargs)

    def no_label(generator, discriminator, g_opt, d_opt, rng, *, real_label=1.0, **kwargs):
        return ref.make_train_step(generator, discriminator, g_opt, d_opt, rng, **kwargs)

    with pytest.raises(AssertionError, match="optimisers are swapped"):
        gans.check_train_step(swapped)
    with pytest.raises(AssertionError, match="ignored real_label"):
        gans.check_train_step(no_label)


def test_train_step_stub_is_not_attempted():
    def stub_maker(generator, discriminator, g_opt, d_opt, rng, *, d_loss_fn, g_loss_fn, real_label=1.0):
        @tf.function
        def train_step(real_images):
            raise NotImplementedError()
        return train_step

    with pytest.raises(NotImplementedError, match="09.3"):
        gans.check_train_step(stub_maker)


# ---------------------------------------------------------------- 09.4 losses at the balance
def test_balance_prediction():
    assert gans.check_balance_prediction(2 * np.log(2), np.log(2)) is True
    assert gans.check_balance_prediction(1.39, 0.69) is True
    for d, g, hint in [(0.0, 0.0, "coin flip"), (np.log(2), np.log(2), "one half"), (1.386, -0.693, "saturating"),
                       (0.5, 0.5, "probability")]:
        with pytest.raises(AssertionError, match=hint):
            gans.check_balance_prediction(d, g)
    with pytest.raises(NotImplementedError, match="09.4"):
        gans.check_balance_prediction(None, None)
