"""Checks for notebook 11 (conditional GAN): the two conditional players, label accuracy, a prediction about a
label-blind discriminator, labels as one-hot image channels.

Every check calls the student's code on inputs it builds itself and tests what the result *does* (shapes, value
ranges, whether the output changes with the label, which layers receive the label, parameter counts against the
course's reference model of the same sizes); none compares against a stored answer. The model checks build the
student's models at sizes other than the notebook's, so constants typed in instead of the arguments show up.
TensorFlow/Keras are imported inside the checks, so importing this module stays cheap.
"""
from __future__ import annotations

from typing import Any, Callable

import numpy as np

from utils.checks.asserts import assert_finite_result, expect, fail, predicted_number
from utils.checks.core import TENSORFLOW_TIME_LIMIT, exercise

N_CLASSES = 10


# ------------------------------------------------------------------------------------ helpers for 11.1 and 11.2
def _all_layers(model: Any) -> list[Any]:
    """Every layer of ``model``, looking inside nested models (a Sequential used as a block)."""
    out = []
    for layer in getattr(model, "layers", []):
        out.append(layer)
        if hasattr(layer, "layers"):
            out.extend(_all_layers(layer))
    return out


def _embeddings(model: Any) -> list[Any]:
    import keras

    return [layer for layer in _all_layers(model) if isinstance(layer, keras.layers.Embedding)]


def _params_by_kind(model: Any) -> dict[str, int]:
    """Number of weights per layer class, e.g. ``{"Dense": 250880, "Embedding": 160, ...}``."""
    out: dict[str, int] = {}
    for layer in _all_layers(model):
        if hasattr(layer, "layers"):
            continue  # its layers are counted one by one
        n = int(sum(int(np.prod(w.shape)) for w in layer.weights))
        if n:
            out[type(layer).__name__] = out.get(type(layer).__name__, 0) + n
    return out


def _compare_params(model: Any, reference: Any, what: str, hints: dict[str, str]) -> None:
    """AssertionError naming the first layer kind whose weight count differs from the reference model's."""
    got, want = _params_by_kind(model), _params_by_kind(reference)
    for kind in sorted(set(got) | set(want)):
        expect(got.get(kind, 0) == want.get(kind, 0),
               f"{what}: your {kind} layers hold {got.get(kind, 0):,} weights in all, the plan gives "
               f"{want.get(kind, 0):,}. {hints.get(kind, 'Compare your layers with the plan, one by one.')}")
    n_got, n_want = int(model.count_params()), int(reference.count_params())
    assert n_got == n_want, f"{what} has {n_got:,} weights, the plan gives {n_want:,}: compare it with the plan"


def _built(builder: Callable[..., Any], what: str, **kwargs: Any) -> Any:
    """``builder(**kwargs)``, checked to be a Keras model with two inputs."""
    import keras

    model = builder(**kwargs)
    args = ", ".join(f"{k}={v}" for k, v in kwargs.items())
    assert model is not None, f"{what}({args}) returned None: did you forget `return keras.Model(...)`?"
    assert isinstance(model, keras.Model), (
        f"{what}({args}) must return a keras.Model, got {type(model).__name__}: end with "
        f"`return keras.Model([input_1, input_2], output)`")
    assert len(model.inputs) == 2, (
        f"{what}({args}) has {len(model.inputs)} input(s); a conditional player has two: build it with the functional "
        f"API, keras.Model([..., label], output), where label = keras.Input((), dtype=\"int32\")")
    return model


def _run(model: Any, inputs: list[Any], what: str, expected: str) -> np.ndarray:
    """The model's output in inference mode, as a float64 array, or an AssertionError with a hint."""
    try:
        out = model(inputs, training=False)
    except Exception as err:
        shapes = " and ".join(f"{tuple(np.shape(x))} {np.asarray(x).dtype}" for x in inputs)
        fail(f"{what} could not be called on inputs of shapes {shapes} ({type(err).__name__}: "
             f"{str(err).splitlines()[0][:160]}). {expected}")
    return assert_finite_result(out, what, "numbers (an array or tensor)")


def _label_changes(model: Any, first: np.ndarray, labels: np.ndarray, what: str) -> np.ndarray:
    """How much the output changes, per sample, when every label is moved to another class."""
    a = _run(model, [first, labels], what, "")
    b = _run(model, [first, (labels + 3) % N_CLASSES], what, "")
    return np.abs(a - b).reshape(len(labels), -1).max(axis=1)


# ------------------------------------------------------------------------------------------------ 11.1
@exercise("11", 1, "The conditional generator", time_limit=TENSORFLOW_TIME_LIMIT)
def check_conditional_generator(build_generator: Callable[..., Any]) -> str:
    """``build_generator(latent_dim, width, embed_dim)``: ``[noise (n, latent_dim), labels (n,)] -> (n, 28, 28, 1)``.

    Built at latent_dim=12, width=8, embed_dim=5 (not the notebook's sizes, so constants typed in are caught).
    """
    import keras

    from utils.reference import conditional_gan as reference

    sizes = dict(latent_dim=12, width=8, embed_dim=5)
    keras.utils.set_random_seed(11)
    G = _built(build_generator, "build_generator", **sizes)
    rng = np.random.default_rng(11)
    noise = rng.normal(size=(6, sizes["latent_dim"])).astype("float32")
    labels = np.array([0, 1, 4, 7, 9, 2], dtype="int32")
    out = _run(G, [noise, labels], "build_generator(latent_dim=12, width=8, embed_dim=5)",
               "The first input must be the noise, shape (latent_dim,) from the argument latent_dim (not the constant "
               "LATENT_DIM), the second the label, keras.Input((), dtype=\"int32\"): one integer per image.")
    assert out.shape == (6, 28, 28, 1), (
        f"6 noise vectors and 6 labels must give images of shape (6, 28, 28, 1), got {out.shape}: Dense to "
        f"7*7*2*width, Reshape to (7, 7, 2*width), then two Conv2DTranspose with strides=2 and padding=\"same\"")
    assert out.min() >= -1 - 1e-6 and out.max() <= 1 + 1e-6, (
        f"the images must lie in [-1, 1] like the training data (got values from {out.min():.2f} to "
        f"{out.max():.2f}): give the last Conv2DTranspose activation=\"tanh\"")
    assert out.min() < 0, (
        "the images must use the whole range [-1, 1] like the training data, but yours are never negative (a "
        "sigmoid or ReLU at the end?): give the last Conv2DTranspose activation=\"tanh\"")
    by_label = _label_changes(G, noise, labels, "build_generator")
    assert np.all(by_label > 1e-6), (
        "with the same noise, a different label must give a different image, but your generator's output does not "
        "change with the label: concatenate the label's embedding to z (keras.layers.Concatenate) and feed the "
        "result to the Dense layer")
    emb = _embeddings(G)
    assert emb, ("the label must go through keras.layers.Embedding(10, embed_dim): a label is a category, so feed "
                 "the network a learned vector per class, never the integer itself")
    assert any(int(e.output_dim) == sizes["embed_dim"] and int(e.input_dim) == N_CLASSES for e in emb), (
        f"with embed_dim={sizes['embed_dim']} the label embedding must be Embedding(10, embed_dim); yours are "
        + ", ".join(f"Embedding({e.input_dim}, {e.output_dim})" for e in emb) + ": use the argument embed_dim")
    other = _run(G, [rng.normal(size=noise.shape).astype("float32"), labels], "build_generator", "")
    assert np.all(np.abs(other - out).reshape(6, -1).max(axis=1) > 1e-6), (
        "with the same label, different noise must give a different image: feed z into the network too")
    _compare_params(G, reference.build_generator(**sizes), "build_generator(latent_dim=12, width=8, embed_dim=5)", {
        "Embedding": "The generator has one Embedding(10, embed_dim).",
        "Dense": ("The Dense layer maps the joined vector (latent_dim + embed_dim numbers) to 7*7*2*width, with "
                  "use_bias=False (BatchNorm follows); check that it receives the concatenation, not z alone."),
        "Conv2DTranspose": ("Two Conv2DTranspose layers, kernel 4, strides 2: width filters (use_bias=False), then 1 "
                            "filter with tanh."),
        "BatchNormalization": "BatchNormalization after the Dense layer and after the first Conv2DTranspose only.",
    })
    return ("two inputs, images in [-1, 1] that change with the label and with z, the same weights as the plan "
            f"({G.count_params():,} at these sizes)")


# ------------------------------------------------------------------------------------------------ 11.2
@exercise("11", 2, "The conditional discriminator", time_limit=TENSORFLOW_TIME_LIMIT)
def check_conditional_discriminator(build_discriminator: Callable[..., Any]) -> str:
    """``build_discriminator(width, dropout)``: ``[images (n, 28, 28, 1), labels (n,)] -> logits (n, 1)``.

    The label must reach the network twice: as a learned 28x28 plane next to the image, and through the projection
    term e_y . h. Each is tested alone by zeroing the other's embedding in the check's own copy of the model.
    """
    import keras

    from utils.reference import conditional_gan as reference

    sizes = dict(width=8, dropout=0.2)
    keras.utils.set_random_seed(12)
    D = _built(build_discriminator, "build_discriminator", **sizes)
    rng = np.random.default_rng(12)
    images = rng.uniform(-1, 1, (6, 28, 28, 1)).astype("float32")
    labels = np.array([0, 1, 4, 7, 9, 2], dtype="int32")
    out = _run(D, [images, labels], "build_discriminator(width=8, dropout=0.2)",
               "The first input must be the image, keras.Input((28, 28, 1)), the second the label, "
               "keras.Input((), dtype=\"int32\").")
    assert out.shape == (6, 1), f"6 (image, label) pairs must give 6 logits of shape (6, 1), got {out.shape}"
    sigmoid = [layer.name for layer in _all_layers(D)
               if getattr(getattr(layer, "activation", None), "__name__", "") == "sigmoid"]
    assert not sigmoid, (f"layer {sigmoid[0]} ends in a sigmoid: the discriminator returns the logit (no "
                         f"activation), and the loss applies the sigmoid itself")
    convs = [layer for layer in _all_layers(D) if isinstance(layer, keras.layers.Conv2D)]
    assert convs, "the plan has two Conv2D layers (width and 2*width filters, kernel 4, strides 2)"
    depth = int(convs[0].kernel.shape[2])
    assert depth != 11, ("your first convolution sees 11 channels (one-hot planes): this exercise asks for ONE learned "
                         "plane, Embedding(10, 28*28) of the label reshaped to (28, 28, 1)")
    assert depth == 2, (f"the first convolution must see 2 channels, the image and the label's 28x28 plane, but it sees "
                        f"{depth}: concatenate the plane to the image (keras.layers.Concatenate) before it")
    emb = {int(e.output_dim): e for e in _embeddings(D)}
    n_h = 7 * 7 * 2 * sizes["width"]
    assert 28 * 28 in emb, ("no Embedding(10, 28*28) found: the label's plane is a learned 784-vector per class, "
                            "reshaped to (28, 28, 1)")
    assert n_h in emb, (f"no projection found: with width=8 the features h have 7*7*2*width = {n_h} numbers, so "
                        f"e_y = Embedding(10, {n_h})(label), and the logit is Dense(1)(h) + Dot(axes=1)([e_y, h])")
    assert np.all(_label_changes(D, images, labels, "build_discriminator") > 1e-7), (
        "the logit does not change with the label: the discriminator must judge the (image, label) pair")
    for off, needed in [(28 * 28, "projection"), (n_h, "plane")]:
        saved = emb[off].get_weights()
        emb[off].set_weights([np.zeros_like(w) for w in saved])
        alone = _label_changes(D, images, labels, "build_discriminator")
        emb[off].set_weights(saved)
        if needed == "projection":
            assert np.all(alone > 1e-7), (
                "with the label plane switched off, the logit no longer depends on the label: add the projection "
                "term, logit = Dense(1)(h) + Dot(axes=1)([e_y, h]) with e_y = Embedding(10, size of h)(label)")
        else:
            assert np.all(alone > 1e-7), (
                "with the projection switched off, the logit no longer depends on the label: the label's 28x28 plane "
                "must be concatenated to the image as its second channel, before the first convolution")
    rates = sorted({round(float(layer.rate), 6) for layer in _all_layers(D) if isinstance(layer, keras.layers.Dropout)})
    assert rates == [sizes["dropout"]], (
        f"with dropout=0.2 every Dropout layer must drop 0.2, found rates {rates or 'none'}: use the argument dropout "
        f"after each convolution's LeakyReLU")
    _compare_params(D, reference.build_discriminator(**sizes), "build_discriminator(width=8, dropout=0.2)", {
        "Conv2D": "Two Conv2D layers, kernel 4, strides 2, padding \"same\": width filters, then 2*width.",
        "Dense": "One Dense(1) on the flattened features h gives the 'does it look real?' part of the logit.",
        "Embedding": "Two embeddings: Embedding(10, 28*28) for the plane, Embedding(10, 7*7*2*width) for e_y.",
    })
    return ("the label enters as a second channel and through the projection; logits of shape (n, 1) that change "
            f"with the label; the same weights as the plan ({D.count_params():,} at these sizes)")


# ------------------------------------------------------------------------------------------------ 11.3
@exercise("11", 3, "Label accuracy", time_limit=TENSORFLOW_TIME_LIMIT)
def check_label_accuracy(label_accuracy: Callable[[Any, Any], float]) -> str:
    """``label_accuracy(probs, requested)``: fraction of images whose most probable class is the requested digit."""
    rng = np.random.default_rng(4)
    n = 200
    requested = rng.integers(0, 10, n)
    logits = rng.normal(0, 1, (n, 10))
    hit = rng.random(n) < 0.7
    logits[np.arange(n)[hit], requested[hit]] += 10.0
    probs = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    want = float(np.mean(probs.argmax(axis=1) == requested))
    got = label_accuracy(probs, requested)
    assert got is not None, "label_accuracy returned None: did you forget `return`?"
    got_arr = assert_finite_result(got, "label_accuracy", "one number (a fraction between 0 and 1)")
    assert got_arr.size == 1, f"label_accuracy must return one number, got shape {got_arr.shape}"
    got_f = float(got_arr.reshape(()))
    expect(not (abs(got_f - 100 * want) < 1e-6 and abs(want) > 1e-9),
           "return a fraction between 0 and 1, not a percentage")
    assert abs(got_f - want) < 1e-9, (
        f"got {got_f:.4f}, but {want:.4f} of the images have their most probable class (argmax over axis 1) equal "
        "to the requested digit")
    perfect = float(np.asarray(label_accuracy(np.eye(10)[requested], requested)))
    assert abs(perfect - 1.0) < 1e-9, f"when every image is read as the requested digit the accuracy is 1, got {perfect}"
    return f"{got_f:.3f} on a test set with ~70 % hits, 1.0 on a perfect one"


# ------------------------------------------------------------------------------------------------ 11.4
CHANCE = 1 / N_CLASSES
"""Label accuracy of a generator whose digits have nothing to do with the label: 1 in 10."""


@exercise("11", 4, "Predict: a discriminator that never sees the label")
def check_label_blind_prediction(predicted: Any, measured: Any) -> str:
    """``predicted``: the student's label accuracy (a fraction) for a generator trained against a label-blind
    discriminator, written down before the run; ``measured``: what the run gave.

    Passes when the prediction is near chance (0.05 to 0.2, the reasoning the exercise is after) or within 0.1 of
    the measurement.
    """
    guess = predicted_number(predicted, "predicted_blind_accuracy", "one number (a fraction such as 0.5)")
    assert 0 <= guess <= 1, (f"give the label accuracy as a fraction between 0 and 1 (0.5 for 50 %), not "
                             f"{guess:g}")
    run = float(measured)
    if 0.05 <= guess <= 0.2 or abs(guess - run) <= 0.1:
        return (f"you predicted {guess:.0%}, the run measured {run:.0%}: the discriminator cannot punish a wrong "
                f"digit, so nothing ties the drawing to the label, and the generator is right about 1 time in 10 "
                f"by luck")
    if guess > run:
        hint = ("a realistic digit of the wrong class fools this discriminator just as well as the right one, so "
                "the generator gains nothing from obeying the label; which digit it draws for a label is luck")
    else:
        hint = ("below chance would need the generator to avoid the requested digit on purpose, and nothing "
                "rewards that either")
    fail(f"you predicted {guess:.0%}, the run measured {run:.0%}: {hint}. With 10 classes, luck "
         f"alone is right {CHANCE:.0%} of the time")


# ------------------------------------------------------------------------------------------------ 11.5
@exercise("11", 5, "Labels as one-hot image channels", time_limit=TENSORFLOW_TIME_LIMIT)
def check_one_hot_channels(one_hot_channels: Callable[[Any, Any], Any]) -> str:
    """``one_hot_channels(images, labels)``: (n, 28, 28, 1) and (n,) -> (n, 28, 28, 11).

    Channel 0 is the image; channel 1 + k is all ones where the label is k, zeros elsewhere.
    """
    import tensorflow as tf

    rng = np.random.default_rng(3)
    images = rng.uniform(-1, 1, (6, 28, 28, 1)).astype("float32")
    labels = np.array([0, 3, 9, 3, 7, 1], dtype="int32")
    out = assert_finite_result(one_hot_channels(tf.constant(images), tf.constant(labels)), "one_hot_channels",
                               "numbers (an array or tensor)")
    assert out.shape == (6, 28, 28, 11), (f"for 6 images of shape (28, 28, 1) the result must have shape "
                                          f"(6, 28, 28, 11): the image plus 10 label channels, got {out.shape}")
    assert np.allclose(out[..., 0], images[..., 0], atol=1e-6), (
        "channel 0 must be the image itself, unchanged (concatenate the label maps AFTER the image)")
    maps = out[..., 1:]
    assert np.allclose(maps.min(axis=(1, 2)), maps.max(axis=(1, 2))), (
        "each label channel must be constant over the image (the same value at every pixel)")
    per_image = maps[:, 0, 0, :]
    want = np.eye(10)[labels]
    assert np.allclose(per_image, want), (
        f"label channels should be one-hot: image 1 has label 3, so channel 1+3 is all ones and the other nine are "
        f"zeros; got channel values {np.round(per_image[1], 2)}")
    return "image in channel 0, a constant one-hot plane per class in channels 1-10"
