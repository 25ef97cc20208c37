"""Checks for the advanced GAN notebooks: 10 DCGAN, 11 conditional GAN, 12 StyleGAN ideas and ethics.

Every check calls the student's function on inputs it builds itself and tests what the result *does* (shapes,
value ranges, invariances, agreement with Keras layers or with the formula evaluated here in NumPy); none
compares against a stored answer. TensorFlow/Keras are imported inside the checks, so importing this module
stays cheap.
"""
from __future__ import annotations

from typing import Any, Callable

import numpy as np

from utils.checks.core import TENSORFLOW_TIME_LIMIT, exercise


def _as_float_array(value: Any, what: str) -> np.ndarray:
    assert value is not None, f"{what} returned None: did you forget `return`?"
    try:
        arr = np.asarray(value, dtype=np.float64)
    except Exception as err:  # a ragged list, a string, ...
        raise AssertionError(f"{what} must return numbers (an array or tensor), got {type(value).__name__}: {err}")
    return arr


# --------------------------------------------------------------------------- notebook 10
@exercise("10", 1, "Transposed-convolution output size", time_limit=TENSORFLOW_TIME_LIMIT)
def check_conv_transpose_size(conv_transpose_size: Callable[[int, int, int, str], int]) -> str:
    """``conv_transpose_size(size, kernel, stride, padding)``: the side length a Keras ``Conv2DTranspose`` outputs.

    Compared with the shape an actual ``keras.layers.Conv2DTranspose`` produces, for 'same' and 'valid' padding.
    """
    import keras

    cases = [(7, 4, 2, "same"), (14, 5, 2, "same"), (7, 3, 1, "same"), (7, 4, 2, "valid"), (3, 3, 2, "valid"),
             (5, 5, 1, "valid"), (4, 4, 4, "same")]
    for size, kernel, stride, padding in cases:
        got = conv_transpose_size(size, kernel, stride, padding)
        assert got is not None, "conv_transpose_size returned None: did you forget `return`?"
        layer = keras.layers.Conv2DTranspose(1, kernel, strides=stride, padding=padding)
        want = int(layer.compute_output_shape((None, size, size, 1))[1])
        assert int(got) == want, (
            f"a Conv2DTranspose with kernel {kernel}, stride {stride}, padding '{padding}' turns a {size}x{size} map "
            f"into {want}x{want}, your function says {got}. 'same': size * stride; 'valid': "
            f"(size - 1) * stride + kernel")
    return "matches Keras for 'same' (size × stride) and 'valid' ((size − 1) × stride + kernel)"


@exercise("10", 2, "A generator that follows the DCGAN recipe", time_limit=TENSORFLOW_TIME_LIMIT)
def check_dcgan_generator(build_generator: Callable[[int], Any]) -> str:
    """``build_generator(latent_dim)``: a Keras model (n, latent_dim) -> (n, 28, 28, 1) in [-1, 1].

    Must up-sample with ``Conv2DTranspose`` (no pooling or UpSampling layers), use BatchNormalization, end in tanh
    (its outputs take negative and positive values) and have no Dense layer other than the first projection.
    """
    import keras

    latent_dim = 16
    model = build_generator(latent_dim)
    assert model is not None, "build_generator returned None: did you forget `return`?"
    assert isinstance(model, keras.Model), f"build_generator must return a keras Model, got {type(model).__name__}"
    z = np.random.default_rng(0).normal(0.0, 3.0, (32, latent_dim)).astype("float32")
    out = np.asarray(model(z, training=False), dtype=np.float64)
    assert out.shape == (32, 28, 28, 1), (f"for noise of shape (32, {latent_dim}) the generator must return images "
                                          f"of shape (32, 28, 28, 1), got {out.shape}")
    layers = [layer for layer in model._flatten_layers(include_self=False)]
    kinds = [type(layer).__name__ for layer in layers]
    assert "Conv2DTranspose" in kinds, "up-sample with strided Conv2DTranspose layers (learned up-sampling)"
    banned = sorted({k for k in kinds if "Pooling" in k or k.startswith("UpSampling")})
    assert not banned, f"the DCGAN recipe replaces pooling and fixed up-sampling by strided convolutions; found {banned}"
    assert "BatchNormalization" in kinds, "add BatchNormalization after the generator's hidden layers"
    n_dense = kinds.count("Dense")
    assert n_dense <= 1, (f"found {n_dense} Dense layers: the recipe keeps only the first projection of the noise "
                          "(Dense -> Reshape to 7x7xC); everything after it is convolutional")
    last_act = next((getattr(layer.activation, "__name__", "") for layer in reversed(layers)
                     if getattr(layer, "activation", None) is not None
                     and getattr(layer.activation, "__name__", "linear") != "linear"), "linear")
    assert last_act == "tanh", (f"the generator's last activation is {last_act!r}: end with tanh so pixels lie in "
                                "[-1, 1] like the scaled data")
    assert np.all(np.abs(out) <= 1.0 + 1e-5), (f"outputs range from {out.min():.3g} to {out.max():.3g}: end with a "
                                               "tanh activation so pixels lie in [-1, 1] like the scaled data")
    assert out.min() < -0.01 and out.max() > 0.01, (
        f"outputs range from {out.min():.3g} to {out.max():.3g}: a tanh output takes negative values too "
        "(a sigmoid or ReLU output does not); the real images are scaled to [-1, 1]")
    return f"(n, {latent_dim}) -> (n, 28, 28, 1) in [-1, 1], Conv2DTranspose + BatchNorm, {model.count_params():,} weights"


# --------------------------------------------------------------------------- notebook 11
@exercise("11", 1, "Labels as one-hot image channels", time_limit=TENSORFLOW_TIME_LIMIT)
def check_one_hot_channels(one_hot_channels: Callable[[Any, Any], Any]) -> str:
    """``one_hot_channels(images, labels)``: (n, 28, 28, 1) and (n,) -> (n, 28, 28, 11).

    Channel 0 is the image; channel 1 + k is all ones where the label is k, zeros elsewhere.
    """
    import tensorflow as tf

    rng = np.random.default_rng(3)
    images = rng.uniform(-1, 1, (6, 28, 28, 1)).astype("float32")
    labels = np.array([0, 3, 9, 3, 7, 1], dtype="int32")
    out = _as_float_array(one_hot_channels(tf.constant(images), tf.constant(labels)), "one_hot_channels")
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


@exercise("11", 2, "Label accuracy", time_limit=TENSORFLOW_TIME_LIMIT)
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
    got_arr = _as_float_array(got, "label_accuracy")
    assert got_arr.size == 1, f"label_accuracy must return one number, got shape {got_arr.shape}"
    got_f = float(got_arr.reshape(()))
    if abs(got_f - 100 * want) < 1e-6 and abs(want) > 1e-9:
        raise AssertionError("return a fraction between 0 and 1, not a percentage")
    assert abs(got_f - want) < 1e-9, (
        f"got {got_f:.4f}, but {want:.4f} of the images have their most probable class (argmax over axis 1) equal "
        "to the requested digit")
    perfect = float(np.asarray(label_accuracy(np.eye(10)[requested], requested)))
    assert abs(perfect - 1.0) < 1e-9, f"when every image is read as the requested digit the accuracy is 1, got {perfect}"
    return f"{got_f:.3f} on a test set with ~70 % hits, 1.0 on a perfect one"


# --------------------------------------------------------------------------- notebook 12
@exercise("12", 1, "The truncation trick", time_limit=TENSORFLOW_TIME_LIMIT)
def check_truncate(truncate: Callable[[Any, Any, float], Any]) -> str:
    """``truncate(w, w_avg, psi)``: w_avg + psi (w - w_avg), for w of shape (n, d) and w_avg of shape (d,)."""
    rng = np.random.default_rng(5)
    w = rng.normal(0, 1, (5, 8)).astype("float32")
    w_avg = rng.normal(0, 1, (8,)).astype("float32")
    for psi in (1.0, 0.0, 0.5, 0.7, -0.5):
        got = _as_float_array(truncate(w, w_avg, psi), "truncate")
        assert got.shape == w.shape, f"truncate(w, w_avg, psi) must keep the shape of w {w.shape}, got {got.shape}"
        want = w_avg[None, :] + psi * (w - w_avg[None, :])
        if psi == 1.0:
            assert np.allclose(got, w, atol=1e-5), "with psi = 1 nothing is truncated: the result must equal w"
        if psi == 0.0:
            assert np.allclose(got, np.broadcast_to(w_avg, w.shape), atol=1e-5), (
                "with psi = 0 every code collapses onto the average w_avg")
        assert np.allclose(got, want, atol=1e-5), (
            f"with psi = {psi} expected w_avg + psi * (w - w_avg); the result is off by "
            f"{np.max(np.abs(got - want)):.3g}")
    return "psi = 1 keeps w, psi = 0 gives w_avg, linear in between"


@exercise("12", 2, "Adaptive instance normalisation", time_limit=TENSORFLOW_TIME_LIMIT)
def check_adain(adain: Callable[[Any, Any, Any], Any]) -> str:
    """``adain(x, scale, bias)``: x (n, h, w, c) normalised per image and channel over h, w; then scale * x + bias.

    ``scale`` and ``bias`` have shape (n, c). The check tests the per-(image, channel) mean (= bias) and standard
    deviation (= |scale|) of the result, and that the input's own per-channel mean and spread are removed.
    """
    import tensorflow as tf

    rng = np.random.default_rng(6)
    n, h, w, c = 3, 6, 5, 4
    x = rng.normal(0, 1, (n, h, w, c)) * rng.uniform(0.5, 3, (n, 1, 1, c)) + rng.normal(0, 2, (n, 1, 1, c))
    scale = rng.uniform(0.5, 2.0, (n, c))
    bias = rng.normal(0, 1, (n, c))
    args = [tf.constant(a, dtype=tf.float32) for a in (x, scale, bias)]
    out = _as_float_array(adain(*args), "adain")
    assert out.shape == x.shape, f"adain must keep the shape of x {x.shape}, got {out.shape}"
    mean = out.mean(axis=(1, 2))
    std = out.std(axis=(1, 2))
    assert np.allclose(mean, bias, atol=1e-3), (
        "after AdaIN each (image, channel) map must have mean equal to its bias: normalise over the spatial axes "
        "(1, 2) of EACH image separately (not over the batch), then multiply by scale and add bias")
    assert np.allclose(std, scale, rtol=1e-2, atol=1e-3), (
        "after AdaIN each (image, channel) map must have standard deviation equal to its scale: divide by "
        "sqrt(variance + eps) over axes (1, 2), then multiply by scale")
    shifted = [tf.constant(x * 5.0 + 3.0, dtype=tf.float32), args[1], args[2]]
    out2 = _as_float_array(adain(*shifted), "adain")
    assert np.allclose(out, out2, atol=1e-2), ("the input's own mean and contrast must not matter: adain(5 x + 3) "
                                                "should equal adain(x)")
    return "each (image, channel) map gets mean = bias and std = scale; the input's own statistics are removed"


@exercise("12", 3, "Latent interpolation", time_limit=TENSORFLOW_TIME_LIMIT)
def check_interpolate(interpolate: Callable[[Any, Any, int], Any]) -> str:
    """``interpolate(z0, z1, n)``: n codes evenly spaced on the straight line from z0 to z1, both ends included."""
    rng = np.random.default_rng(7)
    z0, z1 = rng.normal(0, 1, 6).astype("float32"), rng.normal(0, 1, 6).astype("float32")
    for n in (2, 5, 9):
        got = _as_float_array(interpolate(z0, z1, n), "interpolate")
        assert got.shape == (n, 6), f"interpolate(z0, z1, {n}) with z of length 6 must have shape ({n}, 6), got {got.shape}"
        assert np.allclose(got[0], z0, atol=1e-5) and np.allclose(got[-1], z1, atol=1e-5), (
            "the first row must be z0 and the last row z1 (both ends included)")
        steps = np.diff(got, axis=0)
        assert np.allclose(steps, (z1 - z0) / (n - 1), atol=1e-5), (
            "consecutive codes must be evenly spaced on the straight line: z0 + t (z1 - z0) for t = 0, 1/(n-1), ..., 1")
    return "n evenly spaced codes from z0 to z1, ends included"
