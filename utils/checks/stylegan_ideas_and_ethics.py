"""Checks for notebook 12 (StyleGAN ideas and ethics): 12.1 the AdaIN layer, 12.2 the mapping network with its
pixel norm, 12.3 the truncation trick, 12.4 a prediction (how much larger is the non-saturating loss's gradient?).

Every check calls the student's code on inputs it builds itself and tests what the result *does* (per-channel
statistics, invariances, shapes, the layers a model is made of, agreement with autodiff); none compares against a
stored answer. TensorFlow/Keras are imported inside the checks, so importing this module stays cheap.
"""
from __future__ import annotations

from typing import Any, Callable

import numpy as np

from utils.checks.asserts import assert_finite_result, expect, fail, predicted_number
from utils.checks.core import TENSORFLOW_TIME_LIMIT, exercise

GRADIENT_RATIO_AT = 0.01
"""12.4: the discriminator's output D(G(z)) at which the student predicts the ratio of the two gradients."""


def _restyled_input(rng: np.random.Generator, n: int, h: int, w: int, c: int) -> np.ndarray:
    """Feature maps whose every (image, channel) has its own mean and spread, as real feature maps do."""
    return (rng.normal(0, 1, (n, h, w, c)) * rng.uniform(0.5, 3, (n, 1, 1, c))
            + rng.normal(0, 2, (n, 1, 1, c))).astype("float32")


# ------------------------------------------------------------------------------------------------ 12.1
@exercise("12", 1, "The AdaIN layer", time_limit=TENSORFLOW_TIME_LIMIT)
def check_adain_layer(adain_class: Callable[[], Any]) -> str:
    """``adain_class``: a Keras layer class; ``adain_class()([x, w])`` with x (n, h, w, c) and w (n, w_dim) must
    return (n, h, w, c) whose every (image, channel) map has mean b and standard deviation |1 + s|, where
    ``[s, b] = layer.style(w)`` (a Dense layer of 2c units), whatever the input map's own mean and spread."""
    import keras
    import tensorflow as tf

    rng = np.random.default_rng(6)
    n, h, w, c, w_dim = 3, 6, 5, 4, 8
    x = _restyled_input(rng, n, h, w, c)
    codes = rng.normal(0, 1, (n, w_dim)).astype("float32")
    layer = adain_class()
    out = assert_finite_result(keras.ops.convert_to_numpy(layer([tf.constant(x), tf.constant(codes)])),
                               "AdaIN()([x, w])", f"feature maps of shape {x.shape}")
    assert out.shape == x.shape, f"AdaIN()([x, w]) must keep the shape of x {x.shape}, got {out.shape}"
    style = getattr(layer, "style", None)
    assert isinstance(style, keras.layers.Dense), (
        "the layer needs `self.style`, a keras.layers.Dense created in build(), that turns w into the scales and "
        f"biases; found {type(style).__name__}")
    assert style.units == 2 * c, (
        f"self.style must have 2 × channels = {2 * c} units (c scales and c biases) for x with {c} channels, "
        f"has {style.units}")
    s, b = np.split(keras.ops.convert_to_numpy(style(codes)).astype(np.float64), 2, axis=-1)   # (n, c) each
    mean, std = out.mean(axis=(1, 2)), out.std(axis=(1, 2))
    if not np.allclose(mean, b, atol=2e-3):
        if np.allclose(mean, s, atol=2e-3):
            hint = "the mean of each map equals s, not b: the FIRST c outputs of self.style are s, the LAST c are b"
        elif np.allclose(mean.mean(axis=0), b.mean(axis=0), atol=2e-3):
            hint = ("the statistics seem to be taken over the whole batch: normalise each image on its own, "
                    "over the spatial axes (1, 2) only")
        else:
            hint = ("after AdaIN each (image, channel) map must have mean b: subtract the map's own mean over the "
                    "axes (1, 2) (keepdims=True), then add b[:, None, None, :]")
        fail(hint)
    if not np.allclose(std, np.abs(1.0 + s), rtol=1e-2, atol=2e-3):
        if np.allclose(std, np.abs(s), rtol=1e-2, atol=2e-3):
            hint = "the spread of each map equals |s|: multiply by (1 + s), so that a zero style leaves the map as it is"
        else:
            hint = ("after AdaIN each (image, channel) map must have standard deviation |1 + s|: divide by "
                    "sqrt(variance + 1e-5) over the axes (1, 2), then multiply by (1 + s[:, None, None, :])")
        fail(hint)
    a = rng.uniform(0.2, 5.0, (n, 1, 1, c)).astype("float32")
    shift = rng.normal(0, 3, (n, 1, 1, c)).astype("float32")
    out2 = keras.ops.convert_to_numpy(layer([tf.constant(a * x + shift), tf.constant(codes)]))
    assert np.allclose(out, out2, atol=1e-2), (
        "the input's own per-channel mean and contrast must not matter: AdaIN([a x + t, w]) must equal "
        "AdaIN([x, w]) for any per-image, per-channel a > 0 and t")
    return "every (image, channel) map gets mean b(w) and spread |1 + s(w)|; the input's own statistics are gone"


# ------------------------------------------------------------------------------------------------ 12.2
def _mapping_layers(model: Any) -> tuple[list[Any], list[Any]]:
    """The Dense layers of ``model`` in order, and the activation that follows each (a layer or a function)."""
    import keras

    layers = [layer for layer in model.layers if not isinstance(layer, keras.layers.InputLayer)]
    dense, acts = [], []
    for i, layer in enumerate(layers):
        if isinstance(layer, keras.layers.Dense):
            dense.append(layer)
            activation = getattr(layer, "activation", None)
            if activation is not None and activation is not keras.activations.linear:
                acts.append(activation)
            else:
                acts.append(layers[i + 1] if i + 1 < len(layers) else None)
    return dense, acts


def _is_leaky_02(act: Any) -> bool:
    """True if ``act`` (a layer or activation function) is LeakyReLU with slope 0.2 for negative inputs."""
    import keras

    if act is None:
        return False
    probe = np.array([[-1.0, 2.0]], dtype="float32")
    try:
        got = keras.ops.convert_to_numpy(act(probe))
    except Exception:
        return False
    return bool(np.allclose(got, [[-0.2, 2.0]], atol=1e-4))


@exercise("12", 2, "The mapping network", time_limit=TENSORFLOW_TIME_LIMIT)
def check_mapping(pixel_norm: Callable[[Any], Any], build_mapping: Callable[[int, int, int], Any]) -> str:
    """``pixel_norm(z)``: every row of z (n, d) rescaled to root-mean-square 1. ``build_mapping(z_dim, w_dim,
    depth)``: a keras.Model z (n, z_dim) → w (n, w_dim) made of pixel_norm, then ``depth`` × (Dense(w_dim),
    LeakyReLU(0.2)). Tested: the rows' RMS and direction, the model's shapes, depth, width and activations, and
    that it ignores the length of z (which only the pixel norm can give)."""
    import keras
    import tensorflow as tf

    rng = np.random.default_rng(8)
    z = (rng.normal(0, 1, (6, 16)) * rng.uniform(0.1, 10, (6, 1))).astype("float32")
    normed = assert_finite_result(keras.ops.convert_to_numpy(pixel_norm(tf.constant(z))), "pixel_norm(z)",
                                  f"an array of shape {z.shape}")
    assert normed.shape == z.shape, f"pixel_norm(z) must keep the shape of z {z.shape}, got {normed.shape}"
    rms = np.sqrt(np.mean(normed ** 2, axis=1))
    if not np.allclose(rms, 1.0, atol=1e-3):
        expect(not np.allclose(np.linalg.norm(normed, axis=1), 1.0, atol=1e-3),
               "pixel_norm gives every row length 1; it must give root-MEAN-square 1 (divide by "
               "sqrt(mean(z², axis=-1)), not by the length), so that entries stay about 1 in size")
        over_batch = np.allclose(normed.std(axis=0), 1.0, atol=1e-2) or np.allclose(normed.mean(axis=0), 0.0, atol=1e-3)
        expect(not over_batch,
               "pixel_norm seems to normalise over the batch (axis 0); normalise each row on its "
               "own, over the last axis")
        fail(f"every row of pixel_norm(z) must have root-mean-square 1, got {rms.round(3)}")
    cosine = np.sum(normed * z, axis=1) / (np.linalg.norm(normed, axis=1) * np.linalg.norm(z, axis=1))
    assert np.allclose(cosine, 1.0, atol=1e-4), (
        "pixel_norm must only rescale each row (keep its direction): do not subtract a mean")

    for z_dim, w_dim, depth in ((12, 20, 3), (8, 16, 1), (8, 16, 5)):
        model = build_mapping(z_dim, w_dim, depth)
        assert isinstance(model, keras.Model), (
            f"build_mapping must return a keras.Model, got {type(model).__name__}: did you forget `return`?")
        zs = rng.normal(0, 1, (7, z_dim)).astype("float32")
        out = assert_finite_result(keras.ops.convert_to_numpy(model(zs)), f"build_mapping({z_dim}, {w_dim}, "
                                   f"{depth})(z)", f"codes w of shape (7, {w_dim})")
        assert out.shape == (7, w_dim), (
            f"build_mapping({z_dim}, {w_dim}, {depth}) must map z (7, {z_dim}) to w (7, {w_dim}), got {out.shape}")
        dense, acts = _mapping_layers(model)
        assert len(dense) == depth, (
            f"build_mapping(..., depth={depth}) must have {depth} Dense layers, found {len(dense)}: use a loop "
            f"over range(depth)")
        widths = [d.units for d in dense]
        assert all(u == w_dim for u in widths), f"every Dense layer must have w_dim = {w_dim} units, got {widths}"
        bad = [i for i, act in enumerate(acts) if not _is_leaky_02(act)]
        assert not bad, (f"Dense layer {bad[0] + 1} of {depth} is not followed by LeakyReLU(0.2) (negative inputs "
                         f"times 0.2): add keras.layers.LeakyReLU(0.2) after every Dense layer")
        scaled = keras.ops.convert_to_numpy(model(zs * 7.0))
        assert np.allclose(scaled, out, atol=1e-3, rtol=1e-3), (
            "the mapping must not care how long z is (model(7 z) = model(z)): apply pixel_norm to z before the "
            "first Dense layer, e.g. keras.layers.Lambda(pixel_norm)")
        assert np.max(out.std(axis=0)) > 1e-4, "w must depend on z, but every z gave the same w"
    return "pixel norm to RMS 1, then depth × (Dense(w_dim), LeakyReLU(0.2)); the length of z no longer matters"


# ------------------------------------------------------------------------------------------------ 12.4
def _gradient_ratio(p: float) -> float:
    """|d/dlogit −log D| / |d/dlogit log(1 − D)| at D = sigmoid(logit) = p, by TensorFlow's autodiff."""
    import tensorflow as tf

    logit = tf.constant(float(np.log(p / (1 - p))), tf.float64)
    with tf.GradientTape(persistent=True) as tape:
        tape.watch(logit)
        saturating = tf.math.log(1.0 - tf.sigmoid(logit))
        non_saturating = -tf.math.log(tf.sigmoid(logit))
    return float(abs(tape.gradient(non_saturating, logit)) / abs(tape.gradient(saturating, logit)))


@exercise("12", 4, "Predict: how much larger is the non-saturating gradient?", time_limit=TENSORFLOW_TIME_LIMIT)
def check_gradient_ratio_prediction(predicted_ratio: Any) -> str:
    """``predicted_ratio``: |gradient of −log D| / |gradient of log(1 − D)| with respect to the discriminator's
    logit, when D(G(z)) = :data:`GRADIENT_RATIO_AT`. Judged against TensorFlow's autodiff (2 % tolerance)."""
    guess = predicted_number(predicted_ratio, "predicted_ratio")
    assert guess > 0, f"predicted_ratio should be a positive number, got {predicted_ratio!r}"
    p = GRADIENT_RATIO_AT
    truth = _gradient_ratio(p)
    if abs(guess - truth) <= 0.02 * truth:
        return (f"autodiff gives {truth:.1f}: the saturating gradient is −D = −{p}, the non-saturating one "
                f"−(1 − D) = −{1 - p}; their ratio (1 − D)/D")
    if abs(guess - 1 / truth) <= 0.02 / truth:
        hint = "that is the ratio upside down: the non-saturating gradient is the LARGER one when D(G(z)) is small"
    elif abs(guess - 1.0) < 0.05:
        hint = "the two losses have the same minimum but not the same slope: compare their derivatives at D = 0.01"
    else:
        hint = ("write the logit l with D = sigmoid(l) and use sigmoid'(l) = D (1 − D): differentiate log(1 − D) "
                "and −log D with respect to l, then divide the two at D = 0.01")
    fail(f"{guess:g} is not right: {hint}")


# ------------------------------------------------------------------------------------------------ 12.3
@exercise("12", 3, "The truncation trick", time_limit=TENSORFLOW_TIME_LIMIT)
def check_truncate(truncate: Callable[[Any, Any, float], Any]) -> str:
    """``truncate(w, w_avg, psi)``: w_avg + psi (w - w_avg), for w of shape (n, d) and w_avg of shape (d,)."""
    rng = np.random.default_rng(5)
    w = rng.normal(0, 1, (5, 8)).astype("float32")
    w_avg = rng.normal(0, 1, (8,)).astype("float32")
    for psi in (1.0, 0.0, 0.5, 0.7, -0.5):
        got = assert_finite_result(truncate(w, w_avg, psi), f"truncate(w, w_avg, {psi})", f"codes of shape {w.shape}")
        assert got.shape == w.shape, f"truncate(w, w_avg, psi) must keep the shape of w {w.shape}, got {got.shape}"
        want = w_avg[None, :] + psi * (w - w_avg[None, :])
        if psi == 1.0:
            assert np.allclose(got, w, atol=1e-5), "with psi = 1 nothing is truncated: the result must equal w"
        if psi == 0.0:
            assert np.allclose(got, np.broadcast_to(w_avg, w.shape), atol=1e-5), (
                "with psi = 0 every code must become the average w_avg")
        assert np.allclose(got, want, atol=1e-5), (
            f"with psi = {psi} expected w_avg + psi * (w - w_avg); the result is off by "
            f"{np.max(np.abs(got - want)):.3g}")
    return "psi = 1 keeps w, psi = 0 gives w_avg, linear in between"
