"""Notebook 09's reference answers: the two players' losses and the GAN train step.

Notebook 09 calls these only *after* the exercise that asks for the same code, through
``checks.use_or_reference("09.k", student_function, reference.function)``, so that a student who has not finished
an exercise can still train the GAN. ``tests/test_checks_vanilla_gan.py`` proves each one passes its exercise's check.

:func:`make_train_step` is also the one train step of the course's other GANs: :func:`utils.gan_recipes.make_train_step`
(used by notebook 10 and the benchmarks) calls it with ``conditional=True`` for a conditional GAN.

Conventions: a discriminator outputs one **logit** s per image, shape (batch, 1), and D(x) = sigmoid(s). Every
loss here is a scalar tensor, a mean over the batch. TensorFlow is imported inside the functions, so importing
this module stays cheap.
"""
from __future__ import annotations

from typing import Any, Callable, Mapping

LossFn = Callable[..., Any]


def discriminator_loss(real_logits: Any, fake_logits: Any, real_label: float = 1.0) -> Any:
    """09.1. L_D = mean BCE(real_label, real logits) + mean BCE(0, fake logits), computed from logits.

    Args:
        real_logits: the discriminator's logits on real images, shape (batch, 1).
        fake_logits: its logits on generated images, shape (batch, 1).
        real_label: the target for real images: 1, or 0.9 for one-sided label smoothing (fakes stay at 0).

    Returns:
        A scalar tensor; 2 ln 2 ≈ 1.386 when every logit is 0 (D = 1/2 everywhere) and real_label is 1.
    """
    import tensorflow as tf

    real_loss = tf.reduce_mean(tf.nn.sigmoid_cross_entropy_with_logits(
        labels=tf.fill(tf.shape(real_logits), float(real_label)), logits=real_logits))
    fake_loss = tf.reduce_mean(tf.nn.sigmoid_cross_entropy_with_logits(
        labels=tf.zeros_like(fake_logits), logits=fake_logits))
    return real_loss + fake_loss


def generator_loss_non_saturating(fake_logits: Any) -> Any:
    """09.2. The non-saturating generator loss -mean log D(G(z)) = mean softplus(-s): the fakes against label 1.

    This is what ``gan.train_on_batch(noise, ones)`` under binary cross-entropy computes. Scalar; ln 2 at s = 0.
    """
    import tensorflow as tf

    return tf.reduce_mean(tf.nn.softplus(-fake_logits))


def generator_loss_saturating(fake_logits: Any) -> Any:
    """09.2. The minimax ("saturating") generator loss of the GAN paper, mean log(1 - D(G(z))) = -mean softplus(s).

    Its gradient with respect to a fake's logit is -sigmoid(s) / batch: almost zero once the discriminator
    rejects the fakes confidently (s << 0). Scalar; -ln 2 at s = 0.
    """
    import tensorflow as tf

    return -tf.reduce_mean(tf.nn.softplus(fake_logits))


def make_train_step(generator: Any, discriminator: Any, g_opt: Any, d_opt: Any, rng: Any = None, *,
                    d_loss_fn: LossFn = discriminator_loss, g_loss_fn: LossFn = generator_loss_non_saturating,
                    real_label: float = 1.0, latent_dim: int | None = None, alternating: bool = False,
                    conditional: bool = False) -> Callable[[Any], Mapping[str, Any]]:
    """09.3. A compiled (``@tf.function``) GAN train step: one batch of real images in, losses and accuracies out.

    Simultaneous (the default, what exercise 09.3 asks for): draw one batch of noise, run both players once under
    two gradient tapes, compute both losses from that one forward pass, then apply both updates.

    Alternating (``alternating=True``, the order of the course notes' Keras-2 loop): update the discriminator
    first; then draw fresh noise and update the generator against the *updated* discriminator. It costs one more
    forward pass through both networks.

    Args:
        generator: noise (batch, latent_dim) -> images (batch, 28, 28, 1); with ``conditional``, takes
            ``[noise, labels]``.
        discriminator: images -> logits (batch, 1); with ``conditional``, takes ``[images, labels]``.
        g_opt, d_opt: two separate Keras optimisers, one per player.
        rng: a ``tf.random.Generator`` for the noise (same seed, same noise, whatever else the graph holds);
            ``None`` draws with ``tf.random.normal`` (seeded by ``keras.utils.set_random_seed``).
        d_loss_fn: ``d_loss_fn(real_logits, fake_logits, real_label) -> scalar``.
        g_loss_fn: ``g_loss_fn(fake_logits) -> scalar``.
        real_label: the discriminator's target for real images (1, or 0.9 for one-sided label smoothing).
        latent_dim: length of z; ``None`` reads it from ``generator.input_shape``.
        alternating: update D first, then G against the updated D with fresh noise.
        conditional: batches are ``(images, labels)`` tuples and both players receive the labels.

    Returns:
        ``train_step(batch) -> {"d_loss", "g_loss", "d_acc_real", "d_acc_fake"}`` (scalar tensors), as
        :func:`utils.gan.train_gan` expects. The accuracies are the fractions of real images with a positive
        logit and of fakes with a negative one.
    """
    import tensorflow as tf

    if latent_dim is None:
        shape = generator.input_shape[0] if conditional else generator.input_shape
        latent_dim = int(shape[-1])

    def draw(batch: Any) -> Any:
        shape = (batch, latent_dim)
        return rng.normal(shape) if rng is not None else tf.random.normal(shape)

    def with_labels(x: Any, labels: Any) -> Any:
        return [x, labels] if conditional else x

    def results(d_loss: Any, g_loss: Any, real_logits: Any, fake_logits: Any) -> dict[str, Any]:
        return {"d_loss": d_loss, "g_loss": g_loss,
                "d_acc_real": tf.reduce_mean(tf.cast(real_logits > 0, tf.float32)),
                "d_acc_fake": tf.reduce_mean(tf.cast(fake_logits < 0, tf.float32))}

    @tf.function
    def simultaneous_step(batch: Any) -> dict[str, Any]:
        real_images, labels = batch if conditional else (batch, None)
        noise = draw(tf.shape(real_images)[0])
        with tf.GradientTape() as d_tape, tf.GradientTape() as g_tape:
            fake_images = generator(with_labels(noise, labels), training=True)
            real_logits = discriminator(with_labels(real_images, labels), training=True)
            fake_logits = discriminator(with_labels(fake_images, labels), training=True)
            d_loss = d_loss_fn(real_logits, fake_logits, real_label)
            g_loss = g_loss_fn(fake_logits)
        d_grads = d_tape.gradient(d_loss, discriminator.trainable_variables)
        g_grads = g_tape.gradient(g_loss, generator.trainable_variables)
        d_opt.apply_gradients(zip(d_grads, discriminator.trainable_variables))
        g_opt.apply_gradients(zip(g_grads, generator.trainable_variables))
        return results(d_loss, g_loss, real_logits, fake_logits)

    @tf.function
    def alternating_step(batch: Any) -> dict[str, Any]:
        real_images, labels = batch if conditional else (batch, None)
        noise = draw(tf.shape(real_images)[0])
        with tf.GradientTape() as d_tape:                       # 1. the discriminator's turn
            fake_images = generator(with_labels(noise, labels), training=True)
            real_logits = discriminator(with_labels(real_images, labels), training=True)
            fake_logits = discriminator(with_labels(fake_images, labels), training=True)
            d_loss = d_loss_fn(real_logits, fake_logits, real_label)
        d_grads = d_tape.gradient(d_loss, discriminator.trainable_variables)
        d_opt.apply_gradients(zip(d_grads, discriminator.trainable_variables))
        noise = draw(tf.shape(real_images)[0])                  # 2. the generator's turn: fresh noise, updated D
        with tf.GradientTape() as g_tape:
            new_fakes = generator(with_labels(noise, labels), training=True)
            g_loss = g_loss_fn(discriminator(with_labels(new_fakes, labels), training=True))
        g_grads = g_tape.gradient(g_loss, generator.trainable_variables)
        g_opt.apply_gradients(zip(g_grads, generator.trainable_variables))
        return results(d_loss, g_loss, real_logits, fake_logits)

    return alternating_step if alternating else simultaneous_step
