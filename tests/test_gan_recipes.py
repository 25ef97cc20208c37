"""Tests for utils.gan_recipes: notebook 09's MLP GAN and the shared train step."""
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
    with pytest.raises(ValueError, match="real_label"):
        gan_recipes.make_train_step(g, d, opt, keras.optimizers.Adam(), latent_dim=100, real_label=1.5)
    with pytest.raises(ValueError, match="latent_dim"):
        gan_recipes.mlp_gan(latent_dim=0)
    with pytest.raises(ValueError, match="steps"):
        gan_recipes.mlp_gan_optimizers(0)


def test_mlp_recipe_matches_notebook_09():
    """gan_recipes copies notebook 09's stabilised recipe; changing one without the other must fail here."""
    import ast
    import re
    from pathlib import Path

    import nbformat

    nb = nbformat.read(Path(__file__).resolve().parent.parent / "notebooks" / "09_vanilla_gan.ipynb", as_version=4)
    source = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
    r = gan_recipes.MLP_RECIPE
    knobs = re.search(r"^LATENT_DIM, BATCH_SIZE, LR_NOTES, LR = (.+)$", source, re.M)
    assert knobs, "notebook 09's knob line changed: update this test and utils.gan_recipes.MLP_RECIPE"
    latent_dim, batch_size, _, lr = ast.literal_eval(knobs.group(1))
    assert (latent_dim, batch_size, lr) == (r["latent_dim"], r["batch_size"], r["lr"])
    assert f"CosineDecay(LR, decay_steps=STEPS, alpha={r['lr_final_fraction']})" in source
    assert f"real_label={r['real_label']}" in source
    assert "keras.layers.Dense(128), hidden()" in source and r["hidden"] == 128
    assert "Adam(lr_schedule, beta_1=0.5)" in source and r["beta_1"] == 0.5
