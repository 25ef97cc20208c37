"""Checks of notebook 11: each passes on a right answer, fails on plausible wrong ones, and reports a stub.

The reference implementations in ``utils.reference.conditional_gan`` are the right answers: this also proves that
the notebook's fallbacks pass their exercises' checks.
"""
import keras
import numpy as np
import pytest
import tensorflow as tf

from utils.checks import conditional_gan as ga
from utils.reference import conditional_gan as reference

L = keras.layers


def _stub(*args, **kwargs):
    raise NotImplementedError()


# ---------------------------------------------------------------- 11.1 the conditional generator
def generator(latent_dim=64, width=32, embed_dim=16, *, embed=True, join=True, out="tanh", bias=False,
              fixed_latent=None, two_inputs=True):
    """The plan, with switches for the mistakes a student may make."""
    noise = keras.Input((fixed_latent or latent_dim,))
    label = keras.Input((), dtype="int32")
    if two_inputs and join:
        y = L.Embedding(10, embed_dim)(label) if embed else L.Reshape((1,))(keras.ops.cast(label, "float32"))
        x = L.Concatenate()([noise, y])
    else:
        x = noise
    x = L.LeakyReLU(0.2)(L.BatchNormalization()(L.Dense(7 * 7 * 2 * width, use_bias=bias)(x)))
    x = L.Reshape((7, 7, 2 * width))(x)
    x = L.LeakyReLU(0.2)(L.BatchNormalization()(L.Conv2DTranspose(width, 4, strides=2, padding="same",
                                                                 use_bias=False)(x)))
    image = L.Conv2DTranspose(1, 4, strides=2, padding="same", activation=out)(x)
    return keras.Model([noise, label] if two_inputs else noise, image)


def test_reference_generator_passes():
    assert ga.check_conditional_generator(reference.build_generator) is True


def test_students_generator_with_own_layer_choices_passes():
    assert ga.check_conditional_generator(generator) is True


@pytest.mark.parametrize("wrong, says", [
    (lambda **k: generator(**k, embed=False), "Embedding"),
    (lambda **k: generator(**k, join=False), "does not change with the label"),
    (lambda **k: generator(**k, out="sigmoid"), "tanh"),
    (lambda **k: generator(**k, bias=True), "Dense"),
    (lambda **k: generator(**k, fixed_latent=64), "latent_dim"),
    (lambda **k: generator(**k, join=False, two_inputs=False), "input"),
    (lambda latent_dim, width, embed_dim: generator(latent_dim, width, 16), "embed_dim"),
    (lambda **k: None, "return"),
], ids=["integer-label", "label-ignored", "sigmoid", "dense-bias", "constant-latent-dim", "one-input",
        "constant-embed-dim", "no-return"])
def test_generator_check_fails(wrong, says, capsys):
    with pytest.raises(AssertionError, match=says):
        ga.check_conditional_generator(wrong)


def test_generator_check_stub():
    with pytest.raises(NotImplementedError):
        ga.check_conditional_generator(_stub)


# ---------------------------------------------------------------- 11.2 the conditional discriminator
def discriminator(width=32, dropout=0.1, *, plane="learned", projection=True, out=None, fixed_dropout=None):
    """The plan, with switches for the mistakes a student may make."""
    image = keras.Input((28, 28, 1))
    label = keras.Input((), dtype="int32")
    x = image
    if plane == "learned":
        x = L.Concatenate()([image, L.Reshape((28, 28, 1))(L.Embedding(10, 28 * 28)(label))])
    elif plane == "one-hot":
        x = L.Lambda(lambda t: reference.one_hot_channels(t[0], t[1]), output_shape=(28, 28, 11))([image, label])
    rate = dropout if fixed_dropout is None else fixed_dropout
    x = L.Dropout(rate)(L.LeakyReLU(0.2)(L.Conv2D(width, 4, strides=2, padding="same")(x)))
    x = L.Dropout(rate)(L.LeakyReLU(0.2)(L.Conv2D(2 * width, 4, strides=2, padding="same")(x)))
    h = L.Flatten()(x)
    logit = L.Dense(1, activation=out)(h)
    if projection:
        logit = L.Add()([logit, L.Dot(axes=1)([L.Embedding(10, 7 * 7 * 2 * width)(label), h])])
        if out:
            logit = L.Activation(out)(logit)
    return keras.Model([image, label], logit)


def test_reference_discriminator_passes():
    assert ga.check_conditional_discriminator(reference.build_discriminator) is True


def test_students_discriminator_passes():
    assert ga.check_conditional_discriminator(discriminator) is True


@pytest.mark.parametrize("wrong, says", [
    (lambda **k: discriminator(**k, plane=None), "2 channels"),
    (lambda **k: discriminator(**k, plane="one-hot"), "11 channels"),
    (lambda **k: discriminator(**k, projection=False), "projection"),
    (lambda **k: discriminator(**k, out="sigmoid"), "sigmoid"),
    (lambda **k: discriminator(**k, fixed_dropout=0.1), "dropout"),
    (lambda **k: reference.build_label_blind_discriminator(**k), "2 channels"),
], ids=["no-plane", "one-hot-planes", "no-projection", "sigmoid", "constant-dropout", "label-blind"])
def test_discriminator_check_fails(wrong, says):
    with pytest.raises(AssertionError, match=says):
        ga.check_conditional_discriminator(wrong)


def test_discriminator_check_catches_a_plane_that_is_not_used():
    def plane_lost(width=32, dropout=0.1):
        image, label = keras.Input((28, 28, 1)), keras.Input((), dtype="int32")
        plane = L.Reshape((28, 28, 1))(L.Embedding(10, 28 * 28)(label))
        x = L.Concatenate()([image, L.Lambda(lambda t: 0.0 * t)(plane)])       # concatenated, but multiplied by 0
        x = L.Dropout(dropout)(L.LeakyReLU(0.2)(L.Conv2D(width, 4, strides=2, padding="same")(x)))
        x = L.Dropout(dropout)(L.LeakyReLU(0.2)(L.Conv2D(2 * width, 4, strides=2, padding="same")(x)))
        h = L.Flatten()(x)
        logit = L.Add()([L.Dense(1)(h), L.Dot(axes=1)([L.Embedding(10, 7 * 7 * 2 * width)(label), h])])
        return keras.Model([image, label], logit)

    with pytest.raises(AssertionError, match="plane"):
        ga.check_conditional_discriminator(plane_lost)


def test_discriminator_check_stub():
    with pytest.raises(NotImplementedError):
        ga.check_conditional_discriminator(_stub)


# ---------------------------------------------------------------- 11.3 label accuracy
def test_label_accuracy_passes():
    assert ga.check_label_accuracy(reference.label_accuracy) is True


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


# ---------------------------------------------------------------- 11.4 predict: a label-blind discriminator
@pytest.mark.parametrize("predicted, measured", [(0.1, 0.12), (0.15, 0.31), (0.3, 0.25), (0, 0.08)])
def test_blind_prediction_passes(predicted, measured):
    assert ga.check_label_blind_prediction(predicted, measured) is True


@pytest.mark.parametrize("predicted, says", [(0.95, "luck"), (0.5, "wrong class"), (10, "fraction"),
                                             ("10 %", "one number"), (True, "one number"), (float("nan"), "finite")])
def test_blind_prediction_fails(predicted, says):
    with pytest.raises(AssertionError, match=says):
        ga.check_label_blind_prediction(predicted, 0.11)


def test_blind_prediction_stub():
    with pytest.raises(NotImplementedError):
        ga.check_label_blind_prediction(None, 0.1)


# ---------------------------------------------------------------- 11.5 one-hot channels
def test_one_hot_channels_passes():
    assert ga.check_one_hot_channels(reference.one_hot_channels) is True


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


# ---------------------------------------------------------------- the reference's other pieces
def test_reference_train_step_and_label_blind_discriminator_train():
    keras.utils.set_random_seed(0)
    G, D = reference.build_generator(8, 4, 3), reference.build_label_blind_discriminator(4, 0.0)
    step = reference.make_train_step(G, D, keras.optimizers.Adam(1e-3), keras.optimizers.Adam(1e-3), latent_dim=8)
    images = tf.random.uniform((4, 28, 28, 1), -1, 1)
    out = step((images, tf.constant([0, 1, 2, 3])))
    assert set(out) == {"d_loss", "g_loss", "d_acc_real", "d_acc_fake"}
    assert np.isfinite(float(out["d_loss"])) and np.isfinite(float(out["g_loss"]))
    logits = D([images, tf.constant([0, 1, 2, 3])], training=False)
    assert np.allclose(logits, D([images, tf.constant([5, 5, 5, 5])], training=False)), "must ignore the label"


def test_reference_train_step_keeps_a_weight_average():
    keras.utils.set_random_seed(0)
    G, D = reference.build_generator(8, 4, 3), reference.build_discriminator(4, 0.0)
    G_ema = reference.averaged_copy(G)
    assert all(np.array_equal(a, b) for a, b in zip(G.get_weights(), G_ema.get_weights()))
    g_opt = keras.optimizers.Adam(1e-3)
    step = reference.make_train_step(G, D, g_opt, keras.optimizers.Adam(1e-3), latent_dim=8, ema_generator=G_ema,
                                     ema_decay=0.999)
    images, labels = tf.random.uniform((4, 28, 28, 1), -1, 1), tf.constant([0, 1, 2, 3])
    before = [w.numpy().copy() for w in G_ema.weights]
    for _ in range(3):
        out = step((images, labels))
    assert set(out) == {"d_loss", "g_loss", "d_acc_real", "d_acc_fake"}
    moved = any(not np.allclose(a, b.numpy()) for a, b in zip(before, G_ema.weights))
    assert moved, "the average must follow the trained generator"
    assert int(g_opt.iterations) == 3
    with pytest.raises(ValueError, match="ema_decay"):
        reference.make_train_step(G, D, keras.optimizers.Adam(), keras.optimizers.Adam(), ema_generator=G_ema,
                                  ema_decay=1.0)


def test_reference_average_follows_the_warm_up_decay():
    keras.utils.set_random_seed(1)
    G, D = reference.build_generator(8, 4, 3), reference.build_discriminator(4, 0.0)
    G_ema = reference.averaged_copy(G)
    step = reference.make_train_step(G, D, keras.optimizers.Adam(1e-3), keras.optimizers.Adam(1e-3), latent_dim=8,
                                     ema_generator=G_ema, ema_decay=0.999)
    before = [w.numpy().copy() for w in G_ema.weights]
    step((tf.random.uniform((4, 28, 28, 1), -1, 1), tf.constant([0, 1, 2, 3])))
    d = 2 / 11                                         # t = 1 step taken: d = (1 + 1) / (10 + 1)
    for w0, w, w_ema in zip(before, G.weights, G_ema.weights):
        assert np.allclose(w_ema.numpy(), d * w0 + (1 - d) * w.numpy(), atol=1e-6)
