"""The scorer: :class:`MnistScorer` turns images, or samples drawn from a generator, into :class:`GanScores`.

It checks what a student passes in (shape, range, labels) before any forward pass, with messages that say how
to fix the usual slips: a tanh output not mapped to [0, 1], 0..255 pixels, flat vectors of the wrong size.
"""
from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from utils.gan import check_output, to_unit_range
from utils.gan_eval.classifier import FEATURE_DIM, IMAGE_SHAPE, load_classifier
from utils.gan_eval.metrics import N_CLASSES, GanScores, class_statistics, frechet_distance, mnist_score
from utils.validation import as_array, check_positive_int

if TYPE_CHECKING:  # pragma: no cover - only for type checkers
    import keras


def _check_images(images: object) -> np.ndarray:
    """Images in [0, 1] of shape (n, 28, 28), (n, 28, 28, 1) or (n, 784), n >= 2, as float32 (n, 28, 28, 1)."""
    arr = to_unit_range(images, output="sigmoid")
    if arr.shape[1:] != IMAGE_SHAPE[:2] or len(arr) < 2:
        raise ValueError(f"images must hold at least 2 MNIST-sized grey images (a covariance needs 2) of shape "
                         f"(n, 28, 28), (n, 28, 28, 1) or (n, 784), got shape {np.shape(images)}")
    return arr.reshape(-1, *IMAGE_SHAPE)


def _check_labels(labels: object, n: int) -> np.ndarray:
    """One digit 0..9 per image, shape (n,) or (n, 1), as int64 (n,)."""
    lab = as_array(labels, "labels", dtype_kind="iu")
    flat = lab.reshape(-1)
    if lab.shape not in ((n,), (n, 1)) or (flat.size and (flat.min() < 0 or flat.max() >= N_CLASSES)):
        raise ValueError(f"labels must hold one digit 0..9 per image, shape ({n},); got shape {lab.shape}"
                         + (f", values from {flat.min()} to {flat.max()}" if flat.size else ""))
    return flat.astype(np.int64)


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

    @classmethod
    def load(cls, path: str | Path | None = None) -> "MnistScorer":
        """Load the shipped classifier and its training-set statistics.

        Args:
            path: the ``.keras`` model file, or a folder holding ``mnist_scorer.keras`` and
                ``mnist_scorer_stats.npz``. Default: the course's ``data/`` folder. The statistics file is looked
                for next to the model as ``<model stem>_stats.npz``.

        Raises:
            DataFileError: if a file is missing or unreadable, the model's layers or shapes differ from
                :func:`~utils.gan_eval.classifier.build_scorer_model`, the statistics have the wrong shapes, or
                the statistics were made with a different model file. The message names the file and says to
                run ``python scripts/train_mnist_scorer.py``.
        """
        model, stats = load_classifier(path)
        return cls(model, stats["mu"], stats["sigma"], test_accuracy=stats["test_accuracy"],
                   keras_version=stats["keras_version"])

    # ----------------------------------------------------------------- forward passes
    def _forward(self, images: object, batch_size: int) -> tuple[np.ndarray, np.ndarray]:
        x = _check_images(images)
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
        hist, covered, kl = class_statistics(probs)
        label_acc = None if lab is None else float(np.mean(probs.argmax(axis=1) == lab))
        return GanScores(frechet_distance=frechet_distance(feats.mean(axis=0), np.cov(feats, rowvar=False),
                                                           self.mu, self.sigma),
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
        The outputs are checked and mapped to [0, 1] by :func:`utils.gan.to_unit_range`.

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
        check_output(output)
        rng = np.random.default_rng(check_positive_int(seed, "seed", minimum=0))
        z = rng.standard_normal((n, latent_dim)).astype(np.float32)
        labels = (np.arange(n) % N_CLASSES).astype(np.int32) if conditional else None
        inputs = getattr(generator, "inputs", None)
        label_shape_2d = conditional and inputs is not None and len(inputs) == 2 and len(inputs[1].shape) == 2

        chunks = []
        for start in range(0, n, batch_size):
            zb = z[start:start + batch_size]
            if labels is not None:
                lb = labels[start:start + batch_size]
                out = generator([zb, lb.reshape(-1, 1) if label_shape_2d else lb], training=False)
            else:
                out = generator(zb, training=False)
            chunks.append(np.asarray(out, dtype=np.float32))
        images = to_unit_range(np.concatenate(chunks), output=output, name="the generator's output")
        return self.score_images(images, labels=labels, batch_size=batch_size)
