"""Train the MNIST classifier behind the GAN evaluator and write its two data files.

Run from the repository root::

    .venv/bin/python scripts/train_mnist_scorer.py            # about 3-5 minutes on a laptop CPU

It (re-)creates

* ``data/mnist_scorer.keras`` — the classifier from :func:`utils.gan_eval.build_scorer_model`, trained for 3
  epochs (Adam, batch 64, cosine-decayed learning rate 1e-3, seed 0) on the 60,000 MNIST training images
  (pixels / 255), saved in Keras' native format without optimizer state;
* ``data/mnist_scorer_stats.npz`` — ``mu`` (128,) and ``sigma`` (128, 128) float64, the mean and covariance of the
  ``features`` layer over the training images, plus ``test_accuracy``, ``keras_version``, ``tensorflow_version``,
  ``model_sha256`` (ties the statistics to the model file), ``seed`` and ``epochs``;

then prints the test accuracy, the files' SHA-256 and the reference table of :func:`utils.gan_eval.reference_scores`.
Exits with status 1 (and writes nothing) if the test accuracy is below 99.0 %.
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))  # so the script also runs without the editable install

from utils.data import data_dir, load_mnist  # noqa: E402
from utils.gan_eval import (SCORER_MODEL_FILE, SCORER_STATS_FILE, MnistScorer, build_scorer_model,  # noqa: E402
                            format_reference_table, reference_scores)
from utils.files import file_sha256  # noqa: E402
from utils.settings import seed_everything, silence_tensorflow_logs  # noqa: E402

MIN_TEST_ACCURACY = 0.990


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out-dir", type=Path, default=None, help="where to write the files (default: data/)")
    args = parser.parse_args(argv)

    silence_tensorflow_logs()
    seed_everything(args.seed)  # keras.utils.set_random_seed: Python, NumPy and TensorFlow
    import keras

    out_dir = args.out_dir or data_dir()
    out_dir.mkdir(parents=True, exist_ok=True)
    mnist = load_mnist()
    x_train = (mnist.x_train.astype(np.float32) / 255.0)[..., None]
    x_test = (mnist.x_test.astype(np.float32) / 255.0)[..., None]
    y_train, y_test = mnist.y_train.astype(np.int64), mnist.y_test.astype(np.int64)

    model = build_scorer_model()
    steps = args.epochs * int(np.ceil(len(x_train) / args.batch_size))
    schedule = keras.optimizers.schedules.CosineDecay(1e-3, decay_steps=steps, alpha=0.05)
    model.compile(optimizer=keras.optimizers.Adam(schedule), loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    print(f"Training the MNIST scorer ({model.count_params():,} parameters) for {args.epochs} epochs, "
          f"Keras {keras.__version__} …", flush=True)
    t0 = time.perf_counter()
    for epoch in range(args.epochs):
        hist = model.fit(x_train, y_train, batch_size=args.batch_size, epochs=epoch + 1, initial_epoch=epoch,
                         shuffle=True, verbose=0)
        print(f"  epoch {epoch + 1}/{args.epochs}: loss {hist.history['loss'][-1]:.4f}, "
              f"train accuracy {hist.history['accuracy'][-1]:.4f} ({time.perf_counter() - t0:.0f} s)", flush=True)
    train_seconds = time.perf_counter() - t0
    _, test_accuracy = model.evaluate(x_test, y_test, batch_size=1000, verbose=0)
    print(f"Test accuracy: {100 * test_accuracy:.2f}% (training took {train_seconds:.0f} s)")
    if test_accuracy < MIN_TEST_ACCURACY:
        print(f"ERROR: test accuracy below {100 * MIN_TEST_ACCURACY:.1f}%; nothing written.", file=sys.stderr)
        return 1

    # Save an uncompiled copy (no optimizer state: smaller file, nothing a scorer needs).
    inference = build_scorer_model()
    inference.set_weights(model.get_weights())
    model_path = out_dir / SCORER_MODEL_FILE
    stats_path = out_dir / SCORER_STATS_FILE
    with tempfile.TemporaryDirectory(dir=out_dir) as tmp:
        tmp_model = Path(tmp) / SCORER_MODEL_FILE
        inference.save(tmp_model)
        model_sha = file_sha256(tmp_model)

        feature_model = keras.Model(inference.input, inference.get_layer("features").output)
        feats = np.concatenate([np.asarray(feature_model(x_train[i:i + 1000], training=False), dtype=np.float64)
                                for i in range(0, len(x_train), 1000)])
        mu = feats.mean(axis=0)
        sigma = np.cov(feats, rowvar=False)
        import tensorflow as tf

        tmp_stats = Path(tmp) / SCORER_STATS_FILE
        np.savez(tmp_stats, mu=mu.astype(np.float64), sigma=sigma.astype(np.float64),
                 test_accuracy=np.float64(test_accuracy), keras_version=np.str_(keras.__version__),
                 tensorflow_version=np.str_(tf.__version__), model_sha256=np.str_(model_sha),
                 seed=np.int64(args.seed), epochs=np.int64(args.epochs), n_train=np.int64(len(x_train)))
        os.replace(tmp_model, model_path)
        os.replace(tmp_stats, stats_path)

    for p in (model_path, stats_path):
        print(f"wrote {p.relative_to(REPO) if p.is_relative_to(REPO) else p}: {p.stat().st_size:,} bytes, "
              f"sha256 {file_sha256(p)}")

    scorer = MnistScorer.load(model_path)
    print("\nReference scores (10,000 images each, against the training-set statistics):")
    print(format_reference_table(reference_scores(scorer)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
