"""Offline GAN evaluator for MNIST: Fréchet distance and "MNIST score" computed with a small trained classifier.

Looking at samples is not enough to tell whether a GAN got better. The usual numbers are the Fréchet Inception
Distance (FID) and the Inception Score (IS); for MNIST the literature (and TF-GAN's ``mnist`` eval) replace the
ImageNet Inception network by a classifier trained on MNIST itself. This module ships that classifier:

* ``data/mnist_scorer.keras`` — a small CNN (see :func:`build_scorer_model`), 99.35 % MNIST test accuracy;
* ``data/mnist_scorer_stats.npz`` — mean ``mu`` (128,) and covariance ``sigma`` (128, 128) of its 128-d
  ``features`` layer over the 60,000 MNIST training images (float64).

Both are rebuilt by ``python scripts/train_mnist_scorer.py``. Typical use in a notebook::

    from utils.gan_eval import MnistScorer
    scorer = MnistScorer.load()
    scores = scorer.score_generator(generator, latent_dim=64, output="tanh")   # GanScores
    print(scores.summary_line())

What the numbers mean (measured with the shipped classifier, 10,000 images each; see data/README.md):

* ``frechet_distance`` — distance between the Gaussian fitted to the features of the generated images and the
  one fitted to the real training images. Lower is better. With n = 10,000 images: real test images 0.41,
  one digit only (perfect 1s) 534, uniform noise 831. The estimate is biased upwards for small n (real test
  images: 3.7 with n = 2,000), so compare numbers only at the same n.
* ``mnist_score`` — ``exp(E_x KL(p(y|x) || p(y)))``, between 1 and 10: high when each image is classified
  confidently *and* all ten classes occur equally often. Real test digits 9.81, noise 1.00, one digit 1.02.
  Higher is better.
* ``classes_covered`` / ``class_histogram`` / ``class_kl`` — which digits the generator produces at all: mode
  collapse shows up as few classes covered and a large KL to the uniform histogram (0 = balanced,
  ln 10 ≈ 2.30 nats = one class only).
* ``label_accuracy`` — for conditional generators: the fraction of images the classifier reads as the digit that
  was asked for.

TensorFlow/Keras are imported only inside the functions that need them, so ``import utils.gan_eval`` is cheap.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from utils.data import DataFileError, data_dir
from utils.validation import as_array, check_positive_int

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
N_CLASSES = 10
IMAGE_SHAPE = (28, 28, 1)
COVERAGE_THRESHOLD = 0.01
"""A class counts as covered when at least this fraction (1 %) of the images is classified as it."""

SCORER_LAYER_NAMES = ("image", "conv1", "bn1", "relu1", "pool1", "conv2", "bn2", "relu2", "pool2",
                      "conv3", "bn3", "relu3", "pool3", "flatten", "features", "dropout", "logits", "probs")
"""Names of the classifier's layers, in order (the input layer first)."""

_TOLERANCE = 1e-4  # slack allowed on the [0, 1] pixel range (float32 round-off of (x + 1) / 2 and the like)


# --------------------------------------------------------------------------- the two formulas
def _check_gaussian(mu: object, sigma: object, name: str) -> tuple[np.ndarray, np.ndarray]:
    mu_a = as_array(mu, f"mu{name}", ndim=1, dtype_kind="fiu").astype(np.float64)
    d = mu_a.shape[0]
    sigma_a = as_array(sigma, f"sigma{name}", shape=(d, d), dtype_kind="fiu").astype(np.float64)
    scale = max(1.0, float(np.max(np.abs(sigma_a)))) if sigma_a.size else 1.0
    if not np.allclose(sigma_a, sigma_a.T, rtol=1e-5, atol=1e-8 * scale):
        raise ValueError(f"sigma{name} must be a symmetric covariance matrix, but it differs from its transpose "
                         f"by up to {float(np.max(np.abs(sigma_a - sigma_a.T))):.3g}")
    return mu_a, (sigma_a + sigma_a.T) / 2.0


def _psd_sqrt(sigma: np.ndarray, name: str) -> np.ndarray:
    """Symmetric square root of a positive semi-definite matrix via its eigen-decomposition (float64)."""
    w, v = np.linalg.eigh(sigma)
    floor = -1e-6 * max(1.0, float(np.max(np.abs(w))))
    if float(w.min()) < floor:
        raise ValueError(f"{name} is not a covariance matrix: it has a negative eigenvalue {float(w.min()):.3g}")
    return (v * np.sqrt(np.clip(w, 0.0, None))) @ v.T


def frechet_distance(mu1: np.ndarray, sigma1: np.ndarray, mu2: np.ndarray, sigma2: np.ndarray) -> float:
    """Fréchet (2-Wasserstein) distance between the Gaussians N(mu1, sigma1) and N(mu2, sigma2).

    ``d² = ||mu1 - mu2||² + tr(sigma1 + sigma2 - 2 (sigma1 sigma2)^{1/2})``, the quantity FID reports (FID does
    not take the square root). The matrix square root is computed in float64 from the symmetric form
    ``tr((sigma1 sigma2)^{1/2}) = tr((S1 sigma2 S1)^{1/2})`` with ``S1 = sigma1^{1/2}``, using eigen-decompositions
    (eigenvalues clipped at 0). This is exact for positive semi-definite matrices, always real, and stays stable
    when a covariance is singular (e.g. fewer images than feature dimensions, or a collapsed generator) — the
    cases where ``scipy.linalg.sqrtm(sigma1 @ sigma2)`` returns complex parts and needs an eps-offset fallback.

    Args:
        mu1, mu2: means, shape (d,), any float or int dtype.
        sigma1, sigma2: covariances, shape (d, d), symmetric positive semi-definite.

    Returns:
        The distance as a Python float >= 0 (squared units of the features).

    Raises:
        ValueError: on mismatched shapes, NaN/inf values, a non-symmetric matrix or a negative eigenvalue.
    """
    m1, s1 = _check_gaussian(mu1, sigma1, "1")
    m2, s2 = _check_gaussian(mu2, sigma2, "2")
    if m1.shape != m2.shape:
        raise ValueError(f"mu1 and mu2 must have the same dimension, got {m1.shape[0]} and {m2.shape[0]}")
    sqrt_s1 = _psd_sqrt(s1, "sigma1")
    _psd_sqrt(s2, "sigma2")  # validates sigma2 as well
    middle = sqrt_s1 @ s2 @ sqrt_s1
    eig = np.linalg.eigvalsh((middle + middle.T) / 2.0)
    tr_covmean = float(np.sum(np.sqrt(np.clip(eig, 0.0, None))))
    diff = m1 - m2
    d2 = float(diff @ diff) + float(np.trace(s1)) + float(np.trace(s2)) - 2.0 * tr_covmean
    return max(d2, 0.0)


def mnist_score(probs: np.ndarray) -> float:
    """The Inception-score formula applied to MNIST classifier outputs: ``exp(E_x KL(p(y|x) || p(y)))``.

    ``p(y)`` is the mean of the rows. The score lies between 1 (every image gets the same prediction, or every
    prediction is uniform) and 10 (each image confidently one class, all ten classes equally often).

    Args:
        probs: class probabilities, shape (n, 10), each row non-negative and summing to 1 (within 1e-3).

    Returns:
        The score as a Python float in [1, 10].
    """
    p = as_array(probs, "probs", shape=(None, N_CLASSES), dtype_kind="f").astype(np.float64)
    if p.shape[0] == 0:
        raise ValueError("probs must hold at least one row, got shape (0, 10)")
    if float(p.min()) < -1e-6:
        raise ValueError(f"probs must be probabilities (>= 0), got a minimum of {float(p.min()):.3g}; "
                         "pass softmax outputs, not logits")
    sums = p.sum(axis=1)
    if not np.allclose(sums, 1.0, atol=1e-3):
        raise ValueError(f"each row of probs must sum to 1, got sums from {float(sums.min()):.4g} to "
                         f"{float(sums.max()):.4g}; pass softmax outputs, not logits")
    p = np.clip(p, 0.0, None)
    p = p / p.sum(axis=1, keepdims=True)
    p_y = p.mean(axis=0, keepdims=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(p > 0, p * (np.log(p) - np.log(np.where(p_y > 0, p_y, 1.0))), 0.0)
    kl = terms.sum(axis=1)
    return float(np.clip(np.exp(kl.mean()), 1.0, float(N_CLASSES)))


# --------------------------------------------------------------------------- the result record
@dataclass(frozen=True, eq=False)
class GanScores:
    """Scores of one set of images (generated or real) against the MNIST training set.

    Attributes:
        frechet_distance: Fréchet distance of the classifier features to the training set (>= 0, lower is better).
        mnist_score: ``exp(E KL(p(y|x) || p(y)))`` in [1, 10] (higher is better).
        classes_covered: number of digits (0..10) predicted for at least 1 % of the images.
        class_kl: KL divergence of the predicted-class histogram to the uniform one, in nats
            (0 = balanced, ln 10 ≈ 2.303 = one class only).
        class_histogram: fraction of images predicted as each digit, shape (10,) float64, sums to 1 (read-only).
        label_accuracy: for conditional generators, the fraction of images classified as the digit asked for
            (0..1); None when no labels were given.
        n_images: how many images were scored.
    """

    frechet_distance: float
    mnist_score: float
    classes_covered: int
    class_kl: float
    class_histogram: np.ndarray
    label_accuracy: float | None
    n_images: int

    def summary_line(self) -> str:
        """One printable line, e.g. ``FD 3.21 · MNIST score 9.41/10 · 10/10 classes · class KL 0.004 nats · n=10000``."""
        parts = [f"FD {self.frechet_distance:.2f}", f"MNIST score {self.mnist_score:.2f}/10",
                 f"{self.classes_covered}/10 classes", f"class KL {self.class_kl:.3f} nats"]
        if self.label_accuracy is not None:
            parts.append(f"label accuracy {100 * self.label_accuracy:.1f}%")
        parts.append(f"n={self.n_images}")
        return " · ".join(parts)

    def as_dict(self) -> dict[str, Any]:
        """The fields as plain Python values (histogram as a list of 10 floats), ready for JSON or a DataFrame."""
        return {
            "frechet_distance": float(self.frechet_distance),
            "mnist_score": float(self.mnist_score),
            "classes_covered": int(self.classes_covered),
            "class_kl": float(self.class_kl),
            "class_histogram": [float(v) for v in self.class_histogram],
            "label_accuracy": None if self.label_accuracy is None else float(self.label_accuracy),
            "n_images": int(self.n_images),
        }


# --------------------------------------------------------------------------- the classifier
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


def file_sha256(path: str | Path) -> str:
    """SHA-256 hex digest of a file's bytes."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _rebuild_hint(path: Path) -> str:
    return (f"Re-create it by running `{REBUILD_COMMAND}` from the repository root (about 3-5 minutes on a laptop "
            f"CPU), or restore the committed copy with `git checkout -- data/{path.name}`.")


def _check_images(images: object, name: str = "images") -> np.ndarray:
    """Validate generated/real images and return them as float32 of shape (n, 28, 28, 1) in [0, 1]."""
    try:
        arr = np.asarray(images)
    except Exception as exc:
        raise TypeError(f"{name} must be an array of images, got {type(images).__name__}: {exc}") from exc
    if arr.ndim == 2 and arr.shape[1:] == (784,):
        raise ValueError(f"{name} must have shape (n, 28, 28) or (n, 28, 28, 1), got {arr.shape}: reshape the "
                         f"flat vectors first with {name}.reshape(-1, 28, 28)")
    if not ((arr.ndim == 3 and arr.shape[1:] == (28, 28)) or (arr.ndim == 4 and arr.shape[1:] == (28, 28, 1))):
        raise ValueError(f"{name} must have shape (n, 28, 28) or (n, 28, 28, 1) (MNIST-sized grey images), "
                         f"got shape {arr.shape}")
    if arr.shape[0] < 2:
        raise ValueError(f"{name} must hold at least 2 images (a covariance needs them), got {arr.shape[0]}")
    if arr.dtype.kind in "iu":
        raise TypeError(f"{name} must be floats in [0, 1], got integer dtype {arr.dtype} with values "
                        f"{arr.min()}..{arr.max()}: if these are 0..255 pixel values, divide by 255 first "
                        f"({name} / 255.0)")
    if arr.dtype.kind != "f":
        raise TypeError(f"{name} must be floats in [0, 1], got dtype {arr.dtype}")
    arr = as_array(arr, name)  # rejects NaN / inf with a clear message
    lo, hi = float(arr.min()), float(arr.max())
    if lo < -_TOLERANCE or hi > 1 + _TOLERANCE:
        msg = f"{name} must lie in [0, 1], got values from {lo:.4g} to {hi:.4g}."
        if lo < -_TOLERANCE and lo >= -1 - _TOLERANCE and hi <= 1 + _TOLERANCE:
            msg += (" This looks like a tanh output in [-1, 1]: map it to [0, 1] with (x + 1) / 2 first "
                    "(score_generator(..., output='tanh') does this for you).")
        elif hi > 1.5 and lo >= -_TOLERANCE:
            msg += f" This looks like 0..255 pixel values: divide by 255 first ({name} / 255.0)."
        else:
            msg += (" Map a tanh output with (x + 1) / 2, scale 0..255 pixels by / 255, and make sure the "
                    "generator's last layer is tanh or sigmoid.")
        raise ValueError(msg)
    out = np.clip(arr.astype(np.float32, copy=False), 0.0, 1.0)
    return out.reshape(-1, *IMAGE_SHAPE)


def _check_labels(labels: object, n: int) -> np.ndarray:
    lab = as_array(labels, "labels", ndim=(1, 2), dtype_kind="iu")
    if lab.ndim == 2:
        if lab.shape[1] != 1:
            raise ValueError(f"labels must have shape (n,) or (n, 1) (one digit per image), got {lab.shape}")
        lab = lab[:, 0]
    if lab.shape[0] != n:
        raise ValueError(f"labels must hold one digit per image: got {lab.shape[0]} labels for {n} images")
    if lab.size and (lab.min() < 0 or lab.max() >= N_CLASSES):
        raise ValueError(f"labels must be digits 0..9, got values from {lab.min()} to {lab.max()}")
    return lab.astype(np.int64)


def _class_statistics(probs: np.ndarray) -> tuple[np.ndarray, int, float]:
    """Predicted-class histogram (10,), number of classes >= 1 %, KL(histogram || uniform) in nats."""
    pred = probs.argmax(axis=1)
    hist = np.bincount(pred, minlength=N_CLASSES).astype(np.float64) / len(pred)
    covered = int(np.sum(hist >= COVERAGE_THRESHOLD))
    nz = hist > 0
    kl = float(np.sum(hist[nz] * np.log(hist[nz] * N_CLASSES)))
    hist.setflags(write=False)
    return hist, covered, max(kl, 0.0)


class MnistScorer:
    """A trained MNIST classifier plus the training set's feature statistics: turns images into :class:`GanScores`.

    Build it with :meth:`load`. All image inputs are float arrays of shape (n, 28, 28) or (n, 28, 28, 1) with
    values in [0, 1] (white digit on black, like ``load_mnist().x_train / 255``).

    Attributes:
        model: the Keras classifier, input (None, 28, 28, 1) -> probs (None, 10).
        mu: (128,) float64 mean of the training set's ``features``.
        sigma: (128, 128) float64 covariance of the training set's ``features``.
        test_accuracy: the classifier's accuracy on the MNIST test set when it was trained (0..1).
        keras_version: the Keras version that trained and saved it.
    """

    def __init__(self, model: "keras.Model", mu: np.ndarray, sigma: np.ndarray, *, test_accuracy: float,
                 keras_version: str) -> None:
        import keras

        self.mu = as_array(mu, "mu", shape=(FEATURE_DIM,), dtype_kind="f").astype(np.float64)
        self.sigma = as_array(sigma, "sigma", shape=(FEATURE_DIM, FEATURE_DIM), dtype_kind="f").astype(np.float64)
        self.model = model
        self.test_accuracy = float(test_accuracy)
        self.keras_version = str(keras_version)
        # One forward pass gives both the 128-d features and the class probabilities.
        self._two_heads = keras.Model(model.input, [model.get_layer("features").output, model.output],
                                      name="mnist_scorer_two_heads")

    # ----------------------------------------------------------------- loading
    @classmethod
    def load(cls, path: str | Path | None = None) -> "MnistScorer":
        """Load the shipped classifier and its training-set statistics.

        Args:
            path: the ``.keras`` model file, or a folder holding ``mnist_scorer.keras`` and
                ``mnist_scorer_stats.npz``. Default: the course's ``data/`` folder. The statistics file is looked
                for next to the model as ``<model stem>_stats.npz``.

        Raises:
            DataFileError: if a file is missing or unreadable, the model's layers or shapes differ from
                :func:`build_scorer_model`, the statistics have the wrong shapes, or the statistics were made with
                a different model file. The message names the file and says to run
                ``python scripts/train_mnist_scorer.py``.
        """
        from utils.settings import silence_tensorflow_logs

        if path is None:
            model_path = data_dir() / SCORER_MODEL_FILE
        else:
            model_path = Path(path)
            if model_path.is_dir():
                model_path = model_path / SCORER_MODEL_FILE
        stats_path = model_path.with_name(model_path.stem + "_stats.npz")
        for p in (model_path, stats_path):
            if not p.is_file():
                raise DataFileError(f"The GAN-evaluator file {p} is missing. " + _rebuild_hint(p))

        stats = _read_stats(stats_path)
        got_sha = file_sha256(model_path)
        if stats["model_sha256"] and got_sha != stats["model_sha256"]:
            raise DataFileError(f"{model_path} does not match {stats_path.name}: the statistics were computed with a "
                                f"model whose SHA-256 is {stats['model_sha256'][:16]}…, this file has {got_sha[:16]}…. "
                                + _rebuild_hint(model_path))

        silence_tensorflow_logs()
        import keras

        try:
            model = keras.models.load_model(model_path, compile=False)
        except Exception as exc:  # corrupt zip, unknown layer, incompatible Keras version, ...
            raise DataFileError(f"{model_path} cannot be loaded as a Keras model ({type(exc).__name__}: {exc}). "
                                + _rebuild_hint(model_path)) from exc
        problem = describe_model_mismatch(model)
        if problem:
            raise DataFileError(f"{model_path} is not the course's MNIST scorer: {problem}. " + _rebuild_hint(model_path))
        return cls(model, stats["mu"], stats["sigma"], test_accuracy=stats["test_accuracy"],
                   keras_version=stats["keras_version"])

    # ----------------------------------------------------------------- forward passes
    def _forward(self, images: object, batch_size: int) -> tuple[np.ndarray, np.ndarray]:
        x = _check_images(images)
        batch_size = check_positive_int(batch_size, "batch_size")
        feats, probs = [], []
        for start in range(0, len(x), batch_size):
            f, p = self._two_heads(x[start:start + batch_size], training=False)
            feats.append(np.asarray(f, dtype=np.float64))
            probs.append(np.asarray(p, dtype=np.float64))
        return np.concatenate(feats), np.concatenate(probs)

    def features(self, images: np.ndarray, *, batch_size: int = 500) -> np.ndarray:
        """The classifier's 128-d ``features`` activations (after ReLU) for each image.

        Args:
            images: float, shape (n, 28, 28) or (n, 28, 28, 1), values in [0, 1].
            batch_size: images per forward pass.

        Returns:
            (n, 128) float64, values >= 0.
        """
        return self._forward(images, batch_size)[0]

    def predict_proba(self, images: np.ndarray, *, batch_size: int = 500) -> np.ndarray:
        """Class probabilities p(digit | image).

        Args:
            images: float, shape (n, 28, 28) or (n, 28, 28, 1), values in [0, 1].

        Returns:
            (n, 10) float64, rows sum to 1.
        """
        return self._forward(images, batch_size)[1]

    # ----------------------------------------------------------------- scoring
    def score_images(self, images: np.ndarray, *, labels: np.ndarray | None = None,
                     batch_size: int = 500) -> GanScores:
        """Score a set of images against the MNIST training set.

        Args:
            images: float, shape (n, 28, 28) or (n, 28, 28, 1), values in [0, 1], n >= 2 (use about 10,000 for
                numbers comparable with the reference table; the Fréchet distance is biased upwards for small n).
            labels: optional, shape (n,) ints 0..9: the digit each image was meant to be (conditional generators);
                fills ``label_accuracy``.
            batch_size: images per forward pass.

        Returns:
            :class:`GanScores`.
        """
        feats, probs = self._forward(images, batch_size)
        n = feats.shape[0]
        lab = None if labels is None else _check_labels(labels, n)
        mu = feats.mean(axis=0)
        sigma = np.cov(feats, rowvar=False)
        hist, covered, kl = _class_statistics(probs)
        label_acc = None if lab is None else float(np.mean(probs.argmax(axis=1) == lab))
        return GanScores(frechet_distance=frechet_distance(mu, sigma, self.mu, self.sigma),
                         mnist_score=mnist_score(probs), classes_covered=covered, class_kl=kl,
                         class_histogram=hist, label_accuracy=label_acc, n_images=n)

    def score_generator(self, generator: Any, latent_dim: int, *, n: int = 10000,
                        output: Literal["tanh", "sigmoid"] = "tanh", conditional: bool = False, seed: int = 0,
                        batch_size: int = 500) -> GanScores:
        """Sample ``n`` images from a generator and score them.

        Draws ``z ~ N(0, 1)`` of shape (n, latent_dim) float32 from ``np.random.default_rng(seed)`` (so two calls
        with the same seed score the same noise), and calls ``generator(z_batch, training=False)`` — BatchNorm runs
        in inference mode, dropout is off. A conditional generator is called as
        ``generator([z_batch, labels_batch], training=False)`` with ``labels = np.arange(n) % 10`` (int32, shape
        (b,), or (b, 1) if the model's label input has shape (None, 1)), and ``label_accuracy`` is reported.

        Args:
            generator: a Keras model (or any callable with the same signature).
            latent_dim: length of z.
            n: number of images (10,000 matches the reference table; 2,000 is fine for a quick look).
            output: ``"tanh"`` if the last layer outputs [-1, 1] (mapped with (x + 1) / 2), ``"sigmoid"`` if [0, 1].
            conditional: the generator takes ``[z, labels]``.
            seed: seed of the noise.
            batch_size: images per generator call.

        Accepted output shapes per batch: (b, 784), (b, 28, 28) or (b, 28, 28, 1).
        """
        latent_dim = check_positive_int(latent_dim, "latent_dim")
        n = check_positive_int(n, "n", minimum=2)
        batch_size = check_positive_int(batch_size, "batch_size")
        if output not in ("tanh", "sigmoid"):
            raise ValueError(f"output must be 'tanh' (generator ends in tanh, values in [-1, 1]) or 'sigmoid' "
                             f"(values in [0, 1]), got {output!r}")
        if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
            raise ValueError(f"seed must be a non-negative int, got {seed!r}")
        rng = np.random.default_rng(int(seed))
        z = rng.standard_normal((n, latent_dim)).astype(np.float32)
        labels = (np.arange(n) % N_CLASSES).astype(np.int32) if conditional else None
        label_shape_2d = False
        if conditional:
            inputs = getattr(generator, "inputs", None)
            if inputs is not None and len(inputs) == 2 and len(inputs[1].shape) == 2:
                label_shape_2d = True

        chunks = []
        for start in range(0, n, batch_size):
            zb = z[start:start + batch_size]
            if labels is not None:
                lb = labels[start:start + batch_size]
                out = generator([zb, lb.reshape(-1, 1) if label_shape_2d else lb], training=False)
            else:
                out = generator(zb, training=False)
            arr = np.asarray(out, dtype=np.float32)
            b = zb.shape[0]
            if arr.shape not in ((b, 784), (b, 28, 28), (b, 28, 28, 1)):
                raise ValueError(f"the generator returned shape {arr.shape} for a batch of {b}; expected "
                                 f"({b}, 784), ({b}, 28, 28) or ({b}, 28, 28, 1)")
            chunks.append(arr.reshape(b, 28, 28))
        images = np.concatenate(chunks)
        if output == "tanh":
            lo, hi = float(images.min()), float(images.max())
            if lo < -1 - _TOLERANCE or hi > 1 + _TOLERANCE:
                raise ValueError(f"output='tanh' but the generator produced values from {lo:.4g} to {hi:.4g}, "
                                 "outside [-1, 1]; end the generator with a tanh activation")
            images = (images + 1.0) / 2.0
        else:
            lo, hi = float(images.min()), float(images.max())
            if lo < -_TOLERANCE or hi > 1 + _TOLERANCE:
                hint = (" It looks like a tanh output: pass output='tanh'." if lo >= -1 - _TOLERANCE
                        and hi <= 1 + _TOLERANCE else " End the generator with a sigmoid activation.")
                raise ValueError(f"output='sigmoid' but the generator produced values from {lo:.4g} to {hi:.4g}, "
                                 "outside [0, 1]." + hint)
        return self.score_images(images, labels=labels, batch_size=batch_size)


def _read_stats(stats_path: Path) -> dict[str, Any]:
    """Read and check ``mnist_scorer_stats.npz``; raise DataFileError naming the file on any problem."""
    import zipfile

    try:
        with np.load(stats_path, allow_pickle=False) as npz:
            missing = [k for k in ("mu", "sigma", "test_accuracy", "keras_version") if k not in npz.files]
            if missing:
                raise DataFileError(f"{stats_path} lacks the array(s) {missing}. " + _rebuild_hint(stats_path))
            mu, sigma = npz["mu"], npz["sigma"]
            test_accuracy = float(npz["test_accuracy"])
            keras_version = str(npz["keras_version"])
            model_sha = str(npz["model_sha256"]) if "model_sha256" in npz.files else ""
    except DataFileError:
        raise
    except (OSError, ValueError, zipfile.BadZipFile, EOFError) as exc:
        raise DataFileError(f"{stats_path} cannot be read as a NumPy .npz file ({exc}). "
                            + _rebuild_hint(stats_path)) from exc
    if mu.shape != (FEATURE_DIM,) or sigma.shape != (FEATURE_DIM, FEATURE_DIM):
        raise DataFileError(f"{stats_path} holds mu of shape {mu.shape} and sigma of shape {sigma.shape}, expected "
                            f"({FEATURE_DIM},) and ({FEATURE_DIM}, {FEATURE_DIM}). " + _rebuild_hint(stats_path))
    if mu.dtype != np.float64 or sigma.dtype != np.float64 or not (np.all(np.isfinite(mu))
                                                                  and np.all(np.isfinite(sigma))):
        raise DataFileError(f"{stats_path}: mu and sigma must be finite float64, got {mu.dtype} and {sigma.dtype}. "
                            + _rebuild_hint(stats_path))
    return {"mu": mu, "sigma": sigma, "test_accuracy": test_accuracy, "keras_version": keras_version,
            "model_sha256": model_sha}


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


# --------------------------------------------------------------------------- reference points
def reference_scores(scorer: MnistScorer, *, n: int = 10000, seed: int = 0, digit: int = 1) -> dict[str, GanScores]:
    """The yardsticks a GAN's scores should be read against, all scored against the training-set statistics.

    Args:
        scorer: a loaded :class:`MnistScorer`.
        n: images per reference set (at most 10,000 for the real test set).
        seed: seed of the noise and of the resampling.
        digit: the class used for the "one digit only" set.

    Returns:
        ``{"real_test": ..., "uniform_noise": ..., "one_digit": ...}`` (:class:`GanScores` each):

        * ``real_test`` — the first ``n`` MNIST test images: what a perfect generator would score;
        * ``uniform_noise`` — ``n`` images of independent uniform [0, 1) pixels: what an untrained generator scores;
        * ``one_digit`` — ``n`` real test images of ``digit`` only, drawn with repeats: a fully mode-collapsed
          generator that draws perfect digits (1 class covered, MNIST score near 1).
    """
    from utils.data import load_mnist

    n = check_positive_int(n, "n", minimum=2)
    if n > 10000:
        raise ValueError(f"n must be at most 10000 (the size of the MNIST test set), got {n}")
    if isinstance(digit, bool) or not isinstance(digit, (int, np.integer)) or not 0 <= digit <= 9:
        raise ValueError(f"digit must be an int 0..9, got {digit!r}")
    mnist = load_mnist()
    rng = np.random.default_rng(seed)
    x_test = mnist.x_test.astype(np.float32) / 255.0
    ones = x_test[mnist.y_test == digit]
    return {
        "real_test": scorer.score_images(x_test[:n], labels=mnist.y_test[:n]),
        "uniform_noise": scorer.score_images(rng.uniform(0.0, 1.0, size=(n, 28, 28)).astype(np.float32)),
        "one_digit": scorer.score_images(ones[rng.integers(0, len(ones), size=n)]),
    }


def format_reference_table(references: dict[str, GanScores]) -> str:
    """The reference scores as a small text table (one row per set), for printing."""
    rows = [f"{'reference set':<15} {'FD':>9} {'MNIST score':>12} {'classes':>8} {'class KL':>9} {'n':>6}"]
    for name, s in references.items():
        rows.append(f"{name:<15} {s.frechet_distance:>9.2f} {s.mnist_score:>12.2f} {s.classes_covered:>8d} "
                    f"{s.class_kl:>9.3f} {s.n_images:>6d}")
    return "\n".join(rows)
