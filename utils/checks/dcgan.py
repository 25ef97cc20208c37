"""Checks for notebook 10 (DCGAN).

Every check calls the student's function on inputs it builds itself and tests what the result *does*
(shapes, value ranges, invariances, agreement with Keras layers or with the formula evaluated here in NumPy);
none compares against a stored answer. TensorFlow/Keras are imported inside the checks, so importing this
module stays cheap.
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
