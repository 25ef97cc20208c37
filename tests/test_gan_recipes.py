"""Tests for utils.gan_recipes (notebook 09's MLP GAN, the shared train step) and the reference step it uses."""
from __future__ import annotations

import numpy as np
import pytest

from utils import gan, gan_recipes


def test_mlp_gan_shapes_and_ranges():
    import keras

    keras.utils.set_random_seed(0)
    g, d = gan_recipes.mlp_gan(latent_dim=100)
    assert g.output_shape == (None, 28, 28, 1) and d.output_shape == (None, 1)
    images = np.asarray(g(np.random.default_rng(0).standard_normal((5, 100)).astype("float32")))
    assert images.min() >= -1 and images.max() <= 1
    # notebook 09's pair: 100*128+128 + 128*784+784 and 784*128+128 + 128+1
    assert g.count_params() == 114_064 and d.count_params() == 100_609


def test_train_step_trains_both_players_and_learns():
    import keras

    keras.utils.set_random_seed(0)
    g, d = gan_recipes.mlp_gan(latent_dim=100)
    g_before = [w.copy() for w in g.get_weights()]
    d_before = [w.copy() for w in d.get_weights()]
    step = gan_recipes.make_train_step(g, d, *gan_recipes.mlp_gan_optimizers(200), latent_dim=100, real_label=0.9)
    batches = iter(gan.mnist_dataset(64, seed=0))
    out = [step(next(batches)) for _ in range(200)]
    assert set(out[0]) == {"d_loss", "g_loss", "d_acc_real", "d_acc_fake"}
    assert all(not np.allclose(a, b) for a, b in zip(g_before, g.get_weights()))
    assert all(not np.allclose(a, b) for a, b in zip(d_before, d.get_weights()))
    # early on the discriminator learns to tell real from fake: its accuracy on real images rises above chance
    assert np.mean([float(o["d_acc_real"]) for o in out[-50:]]) > 0.5


def test_conditional_step_passes_labels_to_both_players():
    import keras

    noise_in, label_in = keras.Input((784,)), keras.Input((), dtype="int32")
    g = keras.Model([noise_in, label_in], keras.layers.Reshape((28, 28, 1))(
        keras.layers.Dense(784)(noise_in) + keras.ops.expand_dims(keras.ops.cast(label_in, "float32"), -1)))
    img_in, d_label = keras.Input((28, 28, 1)), keras.Input((), dtype="int32")
    d = keras.Model([img_in, d_label], keras.layers.Dense(1)(keras.layers.Flatten()(img_in)))
    step = gan_recipes.make_train_step(g, d, keras.optimizers.Adam(), keras.optimizers.Adam(), latent_dim=784,
                                       conditional=True)
    out = step(next(iter(gan.mnist_dataset(8, with_labels=True))))
    assert np.isfinite(float(out["d_loss"])) and np.isfinite(float(out["g_loss"]))


def test_bad_arguments_are_rejected_clearly():
    import keras

    g, d = gan_recipes.mlp_gan()
    opt = keras.optimizers.Adam()
    with pytest.raises(ValueError, match="same object"):
        gan_recipes.make_train_step(g, d, opt, opt, latent_dim=100)
    with pytest.raises(ValueError, match="latent_dim"):
        gan_recipes.mlp_gan(latent_dim=0)
    with pytest.raises(ValueError, match="steps"):
        gan_recipes.mlp_gan_optimizers(0)


def test_mlp_gan_notes_variant_has_sigmoid_output_and_relu():
    import keras

    g, d = gan_recipes.mlp_gan(output="sigmoid", activation="relu")
    assert isinstance(g.layers[1], keras.layers.ReLU) and isinstance(d.layers[2], keras.layers.ReLU)
    images = np.asarray(g(np.random.default_rng(0).standard_normal((5, 100)).astype("float32")))
    assert images.min() >= 0 and images.max() <= 1
    assert g.count_params() == 114_064 and d.count_params() == 100_609
    with pytest.raises(ValueError, match="output"):
        gan_recipes.mlp_gan(output="relu")


def test_reference_step_is_reproducible_with_a_seeded_noise_generator():
    """Same weights, same tf.random.Generator seed: the same updated weights, step after step."""
    import keras
    import tensorflow as tf

    from utils.reference import vanilla_gan

    def run():
        keras.utils.set_random_seed(1)
        g, d = gan_recipes.mlp_gan(latent_dim=8, hidden=16)
        step = vanilla_gan.make_train_step(g, d, keras.optimizers.Adam(), keras.optimizers.Adam(),
                                           tf.random.Generator.from_seed(5), real_label=0.9)
        images = np.random.default_rng(0).uniform(-1, 1, (3, 16, 28, 28, 1)).astype("float32")
        for batch in images:
            step(batch)
        return g.get_weights() + d.get_weights()

    assert all(np.allclose(a, b, atol=1e-6) for a, b in zip(run(), run()))


def test_alternating_step_updates_d_first_then_g_against_the_updated_d():
    import keras
    import tensorflow as tf

    from utils.reference import vanilla_gan

    keras.utils.set_random_seed(2)
    g, d = gan_recipes.mlp_gan(latent_dim=8, hidden=16)
    g0, d0 = g.get_weights(), d.get_weights()
    real = np.random.default_rng(0).uniform(-1, 1, (16, 28, 28, 1)).astype("float32")

    def one_step(alternating):
        g.set_weights(g0)
        d.set_weights(d0)
        step = vanilla_gan.make_train_step(g, d, keras.optimizers.SGD(0.1), keras.optimizers.SGD(0.1),
                                           tf.random.Generator.from_seed(5), alternating=alternating)
        out = step(real)
        return out, g.get_weights(), d.get_weights()

    (out_s, g_s, d_s), (out_a, g_a, d_a) = one_step(False), one_step(True)
    assert set(out_a) == {"d_loss", "g_loss", "d_acc_real", "d_acc_fake"}
    # the discriminator's turn is the same in both (same noise, same weights) ...
    assert all(np.allclose(a, b, atol=1e-6) for a, b in zip(d_s, d_a))
    assert np.isclose(float(out_s["d_loss"]), float(out_a["d_loss"]), atol=1e-6)
    # ... but the generator then learns against the updated discriminator, from fresh noise
    assert not all(np.allclose(a, b, atol=1e-6) for a, b in zip(g_s, g_a))
    assert all(not np.allclose(a, b) for a, b in zip(g0, g_a))


def test_xla_step_trains_like_the_plain_step_and_the_recipe_asks_for_it():
    """jit_compile=True (notebook 09's MLP_RECIPE) compiles the same step with XLA. XLA draws its noise with its own
    random-number algorithm, so the two runs differ as two seeds would: both must train, with losses alike."""
    import keras
    import tensorflow as tf

    assert gan_recipes.MLP_RECIPE["jit_compile"] is True
    real = np.random.default_rng(0).uniform(-1, 1, (3, 16, 28, 28, 1)).astype("float32")

    def run(jit):
        keras.utils.set_random_seed(3)
        g, d = gan_recipes.mlp_gan(latent_dim=8, hidden=16)
        w0 = g.get_weights() + d.get_weights()
        step = gan_recipes.make_train_step(g, d, keras.optimizers.Adam(1e-3), keras.optimizers.Adam(1e-3),
                                           latent_dim=8, real_label=0.9, jit_compile=jit)
        outs = [step(batch) for batch in real]
        return step, outs, w0, g.get_weights() + d.get_weights()

    plain_step, plain_out, w0, plain_w = run(False)
    xla_step, xla_out, _, xla_w = run(True)
    assert isinstance(plain_step, tf.types.experimental.PolymorphicFunction)
    assert callable(xla_step.python_function) and not isinstance(xla_step, tf.types.experimental.PolymorphicFunction)
    assert set(xla_out[0]) == {"d_loss", "g_loss", "d_acc_real", "d_acc_fake"}
    assert all(not np.allclose(a, b) for a, b in zip(w0, xla_w))          # every weight array was updated ...
    assert all(np.allclose(a, b, atol=0.02) for a, b in zip(plain_w, xla_w))  # ... by the same rule (3 Adam steps)
    assert np.isclose(float(plain_out[0]["d_loss"]), float(xla_out[0]["d_loss"]), atol=0.2)


def test_compile_with_xla_takes_a_plain_function_or_a_tf_function_and_falls_back_when_xla_cannot():
    import tensorflow as tf

    def affine(x):
        return {"y": tf.linalg.matvec(tf.reshape(tf.range(4.0), (2, 2)), x) + 1.0}

    x = tf.constant([1.0, 2.0])
    for fn in (affine, tf.function(affine)):   # no randomness: XLA gives the plain result
        compiled = gan_recipes.compile_with_xla(fn)
        assert np.allclose(compiled(x)["y"], [3.0, 9.0]) and compiled.python_function is affine

    def uses_an_op_xla_lacks(x):  # string ops have no XLA kernel
        return {"y": tf.strings.length(tf.strings.as_string(x))}

    compiled = gan_recipes.compile_with_xla(tf.function(uses_an_op_xla_lacks))
    assert list(np.asarray(compiled(x)["y"])) == [8, 8]   # "1.000000", "2.000000": ran without XLA
