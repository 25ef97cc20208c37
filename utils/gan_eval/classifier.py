"""The evaluator's classifier: the CNN's architecture, and loading its two shipped files with every check that
tells a student which file is broken and how to rebuild it.

* ``data/mnist_scorer.keras`` — the CNN of :func:`build_scorer_model`, 99.35 % MNIST test accuracy;
* ``data/mnist_scorer_stats.npz`` — mean ``mu`` (128,) and covariance ``sigma`` (128, 128) of its 128-d
  ``features`` layer over the 60,000 MNIST training images (float64), the classifier's test accuracy, the Keras
  version that saved it and the model file's SHA-256.

Both are rebuilt by ``python scripts/train_mnist_scorer.py``.
"""
from __future__ import annotations

import zipfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from utils.data import DataFileError, data_dir
from utils.files import file_sha256
from utils.gan_eval.metrics import N_CLASSES

if TYPE_CHECKING:  # pragma: no cover - only for type checkers
    import keras

SCORER_MODEL_FILE = "mnist_scorer.keras"
"""File name of the shipped classifier in ``data/``."""
SCORER_STATS_FILE = "mnist_scorer_stats.npz"
"""File name of the shipped feature statistics of the MNIST training set in ``data/``."""
REBUILD_COMMAND = "python scripts/train_mnist_scorer.py"
"""The command (run from the repository root) that re-creates both files."""

FEATURE_DIM = 128
"""Width of the classifier's ``features`` layer, the space the Fréchet distance is measured in."""
IMAGE_SHAPE = (28, 28, 1)
SCORER_LAYER_NAMES = ("image", "conv1", "bn1", "relu1", "pool1", "conv2", "bn2", "relu2", "pool2",
                      "conv3", "bn3", "relu3", "pool3", "flatten", "features", "dropout", "logits", "probs")
"""Names of the classifier's layers, in order (the input layer first)."""


def build_scorer_model() -> "keras.Model":
    """The (untrained) scorer CNN: input (28, 28, 1) in [0, 1] -> ``features`` (128,) -> ``probs`` (10,).

    Three conv stages, each Conv2D(3x3, padding same, no bias) - BatchNorm - ReLU - MaxPool(2):
    ``conv1``/``bn1``/``relu1``/``pool1`` (32 filters, 28x28 -> 14x14), ``conv2``/.../``pool2`` (64, -> 7x7),
    ``conv3``/.../``pool3`` (128, -> 3x3); then ``flatten`` (1152) - ``features`` Dense(128, relu) - ``dropout``
    (0.3) - ``logits`` Dense(10) - ``probs`` softmax. 242,218 parameters. (A two-stage version topped out at
    99.0 % test accuracy after 3-4 epochs; the third stage reaches about 99.3 % in 3.) Seed with
    ``keras.utils.set_random_seed`` before calling it for reproducible initial weights.
    """
    import keras
    from keras import layers

    inputs = keras.Input(shape=IMAGE_SHAPE, name="image")
    x = inputs
    for stage, filters in ((1, 32), (2, 64), (3, 128)):
        x = layers.Conv2D(filters, 3, padding="same", use_bias=False, name=f"conv{stage}")(x)
        x = layers.BatchNormalization(name=f"bn{stage}")(x)
        x = layers.ReLU(name=f"relu{stage}")(x)
        x = layers.MaxPooling2D(2, name=f"pool{stage}")(x)
    x = layers.Flatten(name="flatten")(x)
    x = layers.Dense(FEATURE_DIM, activation="relu", name="features")(x)
    x = layers.Dropout(0.3, name="dropout")(x)
    x = layers.Dense(N_CLASSES, name="logits")(x)
    outputs = layers.Softmax(name="probs")(x)
    return keras.Model(inputs, outputs, name="mnist_scorer")


def describe_model_mismatch(model: "keras.Model") -> str:
    """Compare a model with :func:`build_scorer_model`: ``""`` if layer names and output shapes agree, else why not."""
    names = tuple(layer.name for layer in model.layers)
    if names != SCORER_LAYER_NAMES:
        return f"its layers are {list(names)}, expected {list(SCORER_LAYER_NAMES)}"
    if tuple(model.input_shape) != (None, *IMAGE_SHAPE):
        return f"its input shape is {model.input_shape}, expected (None, 28, 28, 1)"
    feat = tuple(model.get_layer("features").output.shape)
    if feat != (None, FEATURE_DIM):
        return f"its features layer has output shape {feat}, expected (None, {FEATURE_DIM})"
    if tuple(model.output_shape) != (None, N_CLASSES):
        return f"its output shape is {model.output_shape}, expected (None, {N_CLASSES})"
    return ""


# --------------------------------------------------------------------------- the shipped files
def _read_stats(stats_path: Path) -> tuple[dict[str, Any], str]:
    """``mnist_scorer_stats.npz`` as a dict, and ``""`` — or ``{}`` and what is wrong with the file."""
    try:
        with np.load(stats_path, allow_pickle=False) as npz:
            missing = [k for k in ("mu", "sigma", "test_accuracy", "keras_version") if k not in npz.files]
            if missing:
                return {}, f"lacks the array(s) {missing}"
            stats = {"mu": npz["mu"], "sigma": npz["sigma"], "test_accuracy": float(npz["test_accuracy"]),
                     "keras_version": str(npz["keras_version"]),
                     "model_sha256": str(npz["model_sha256"]) if "model_sha256" in npz.files else ""}
    except (OSError, ValueError, zipfile.BadZipFile, EOFError) as exc:
        return {}, f"cannot be read as a NumPy .npz file ({exc})"
    mu, sigma = stats["mu"], stats["sigma"]
    if mu.shape != (FEATURE_DIM,) or sigma.shape != (FEATURE_DIM, FEATURE_DIM):
        return {}, (f"holds mu of shape {mu.shape} and sigma of shape {sigma.shape}, expected ({FEATURE_DIM},) "
                    f"and ({FEATURE_DIM}, {FEATURE_DIM})")
    if mu.dtype != np.float64 or sigma.dtype != np.float64 or not np.all(np.isfinite(mu)) \
            or not np.all(np.isfinite(sigma)):
        return {}, f"must hold finite float64 mu and sigma, got {mu.dtype} and {sigma.dtype}"
    return stats, ""


def _read_model(model_path: Path) -> tuple[Any, str]:
    """The Keras model in ``model_path``, and ``""`` — or None and why it is not the course's scorer."""
    from utils.settings import silence_tensorflow_logs

    silence_tensorflow_logs()
    import keras

    try:
        model = keras.models.load_model(model_path, compile=False)
    except Exception as exc:  # corrupt zip, unknown layer, incompatible Keras version, ...
        return None, f"cannot be loaded as a Keras model ({type(exc).__name__}: {exc})"
    problem = describe_model_mismatch(model)
    return (None, f"is not the course's MNIST scorer: {problem}") if problem else (model, "")


def load_classifier(path: str | Path | None = None) -> tuple["keras.Model", dict[str, Any]]:
    """Load and check the classifier and its statistics (see :meth:`utils.gan_eval.MnistScorer.load`).

    Returns:
        ``(model, stats)`` with ``stats`` holding ``mu``, ``sigma``, ``test_accuracy``, ``keras_version`` and
        ``model_sha256``.

    Raises:
        DataFileError: naming the first broken file and what is wrong with it, and saying how to rebuild it.
    """
    model_path = data_dir() / SCORER_MODEL_FILE if path is None else Path(path)
    if model_path.is_dir():
        model_path = model_path / SCORER_MODEL_FILE
    stats_path = model_path.with_name(model_path.stem + "_stats.npz")
    model, stats, bad, problem = None, {}, model_path, ""
    for p in (model_path, stats_path):
        if not problem and not p.is_file():
            bad, problem = p, "is missing"
    if not problem:
        bad = stats_path
        stats, problem = _read_stats(stats_path)
    got_sha = file_sha256(model_path) if not problem and stats["model_sha256"] else ""
    if got_sha and got_sha != stats["model_sha256"]:
        bad, problem = model_path, (f"does not match {stats_path.name}: the statistics were computed with a "
                                    f"model whose SHA-256 is {stats['model_sha256'][:16]}…, this file has "
                                    f"{got_sha[:16]}…")
    if not problem:
        bad = model_path
        model, problem = _read_model(model_path)
    if problem:
        raise DataFileError(f"The GAN-evaluator file {bad} {problem}. Re-create it by running `{REBUILD_COMMAND}` "
                            f"from the repository root (about 3-5 minutes on a laptop CPU), or restore the "
                            f"committed copy with `git checkout -- data/{bad.name}`.")
    return model, stats
