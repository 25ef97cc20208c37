"""Benchmark: the course notes' Keras-2-style GAN loop against a tf.function train step, same MLP GAN.

Times, in one run, on the same MLP GAN (noise 100 -> 128 -> 784; discriminator 784 -> 128 -> 1) and the
same batch size:

(a) the notes' loop: per step ``generator.predict``, two ``discriminator.train_on_batch`` calls (real, fake)
    and one ``gan.train_on_batch`` on the combined model (fixed up just enough to run on Keras 3: real and
    fake images both have shape (28, 28); the frozen-discriminator problem is left as the notes have it,
    it does not change the cost of a step much);
(b) the pack's ``@tf.function`` train step with ``tf.GradientTape``, fed by ``tf.data``;
(c) the same train step compiled with XLA (``jit_compile=True``).

Each variant is warmed up (tracing/compiling not timed), then run for ``--seconds`` of wall time or
``--steps`` steps, whichever comes first. Prints steps per second and the ratios (b)/(a), (c)/(a).

Usage::

    .venv/bin/python benchmarks/bench_train_step.py              # ~10-20 s per variant
    .venv/bin/python benchmarks/bench_train_step.py --steps 200 --seconds 5

Timings on a shared machine are inflated by other processes; compare the ratios, not the absolute numbers.
"""
from __future__ import annotations

import argparse
import os
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")

LATENT_DIM = 100


def build_models(keras, *, output: str = "sigmoid"):
    """The notes' MLP generator and discriminator (Keras 3 spelling)."""
    generator = keras.Sequential([
        keras.Input((LATENT_DIM,)),
        keras.layers.Dense(128, activation="relu"),
        keras.layers.Dense(784, activation=output),
        keras.layers.Reshape((28, 28)),
    ], name="generator")
    discriminator = keras.Sequential([
        keras.Input((28, 28)),
        keras.layers.Flatten(),
        keras.layers.Dense(128, activation="relu"),
        keras.layers.Dense(1, activation="sigmoid"),
    ], name="discriminator")
    return generator, discriminator


def time_loop(step, *, max_steps: int, max_seconds: float) -> tuple[int, float]:
    """Call ``step()`` until max_steps or max_seconds; return (steps done, seconds)."""
    done, start = 0, time.perf_counter()
    while done < max_steps and time.perf_counter() - start < max_seconds:
        step()
        done += 1
    return done, time.perf_counter() - start


def bench_notes_loop(x_train, batch_size: int, *, max_steps: int, max_seconds: float, warmup: int) -> float:
    """(a) the notes' loop; returns steps per second."""
    import keras
    import numpy as np

    generator, discriminator = build_models(keras)
    discriminator.compile(loss="binary_crossentropy", optimizer=keras.optimizers.Adam(), metrics=["accuracy"])
    discriminator.trainable = False
    z_in = keras.Input((LATENT_DIM,))
    gan = keras.Model(z_in, discriminator(generator(z_in)))
    gan.compile(loss="binary_crossentropy", optimizer=keras.optimizers.Adam())
    rng = np.random.default_rng(0)
    ones, zeros = np.ones((batch_size, 1)), np.zeros((batch_size, 1))

    def step() -> None:
        idx = rng.integers(0, len(x_train), batch_size)
        real = x_train[idx]
        noise = rng.normal(0, 1, (batch_size, LATENT_DIM))
        fake = generator.predict(noise, verbose=0)
        discriminator.train_on_batch(real, ones)
        discriminator.train_on_batch(fake, zeros)
        gan.train_on_batch(noise, ones)

    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the notes' set-up triggers "no trainable weights" warnings
        for _ in range(warmup):
            step()
        n, secs = time_loop(step, max_steps=max_steps, max_seconds=max_seconds)
    return n / secs


def bench_tf_function(x_train, batch_size: int, *, jit: bool, max_steps: int, max_seconds: float,
                      warmup: int) -> float:
    """(b)/(c) a @tf.function GradientTape train step fed by tf.data; returns steps per second."""
    import keras
    import tensorflow as tf

    generator, discriminator = build_models(keras)
    g_opt, d_opt = keras.optimizers.Adam(), keras.optimizers.Adam()
    bce = keras.losses.BinaryCrossentropy()

    @tf.function(jit_compile=jit)
    def train_step(real):
        noise = tf.random.normal((batch_size, LATENT_DIM))
        with tf.GradientTape() as d_tape, tf.GradientTape() as g_tape:
            fake = generator(noise, training=True)
            p_real = discriminator(real, training=True)
            p_fake = discriminator(fake, training=True)
            d_loss = bce(tf.ones_like(p_real), p_real) + bce(tf.zeros_like(p_fake), p_fake)
            g_loss = bce(tf.ones_like(p_fake), p_fake)
        d_opt.apply_gradients(zip(d_tape.gradient(d_loss, discriminator.trainable_variables),
                                  discriminator.trainable_variables))
        g_opt.apply_gradients(zip(g_tape.gradient(g_loss, generator.trainable_variables),
                                  generator.trainable_variables))
        return {"d_loss": d_loss, "g_loss": g_loss}

    ds = (tf.data.Dataset.from_tensor_slices(x_train).shuffle(len(x_train), seed=0).repeat()
          .batch(batch_size, drop_remainder=True).prefetch(tf.data.AUTOTUNE))
    it = iter(ds)

    def step() -> None:
        out = train_step(next(it))
        float(out["d_loss"])  # wait for the step to finish, as a training loop that logs losses does

    for _ in range(warmup):
        step()
    n, secs = time_loop(step, max_steps=max_steps, max_seconds=max_seconds)
    return n / secs


def main(argv: list[str] | None = None) -> dict[str, float]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--steps", type=int, default=100_000, help="max timed steps per variant (default: no cap)")
    parser.add_argument("--seconds", type=float, default=15.0, help="max timed seconds per variant (default 15)")
    parser.add_argument("--batch-size", type=int, default=64, help="batch size (default 64)")
    parser.add_argument("--warmup", type=int, default=5, help="untimed warm-up steps per variant (default 5)")
    args = parser.parse_args(argv)
    if args.steps < 1 or args.seconds <= 0 or args.batch_size < 1 or args.warmup < 1:
        parser.error("--steps, --seconds, --batch-size and --warmup must be positive")

    import keras
    import numpy as np

    from utils.data import load_mnist

    keras.utils.set_random_seed(0)
    x_train = (load_mnist().x_train.astype(np.float32) / 255.0)
    common = dict(max_steps=args.steps, max_seconds=args.seconds)
    print(f"MLP GAN (100-128-784 / 784-128-1), batch {args.batch_size}; up to {args.steps} steps or "
          f"{args.seconds:.0f} s per variant after {args.warmup} warm-up steps. Shared machines inflate timings.")
    results = {
        "(a) notes loop: predict + 3x train_on_batch": bench_notes_loop(x_train, args.batch_size,
                                                                        warmup=args.warmup, **common),
        "(b) @tf.function + GradientTape + tf.data": bench_tf_function(x_train, args.batch_size, jit=False,
                                                                       warmup=args.warmup, **common),
        "(c) same, jit_compile=True (XLA)": bench_tf_function(x_train, args.batch_size, jit=True,
                                                              warmup=args.warmup, **common),
    }
    base = next(iter(results.values()))
    for name, sps in results.items():
        print(f"{name:<48s} {sps:9.1f} steps/s   {sps / base:6.1f}x")
    a, b, c = results.values()
    print(f"ratio b/a = {b / a:.1f}x (target >= 15x), c/a = {c / a:.1f}x, c/b = {c / b:.2f}x")
    return results


if __name__ == "__main__":
    main()
