"""Benchmark: the course notes' Keras-2-style GAN loop against the pack's default train step, same MLP GAN.

Times, in one run, on the notes' MLP GAN (noise 100 -> ReLU 128 -> sigmoid 784; discriminator 784 -> ReLU 128 ->
1) and the same batch size:

(a) the notes' loop: per step ``generator.predict``, two ``discriminator.train_on_batch`` calls (real, fake)
    and one ``gan.train_on_batch`` on the combined model (fixed up just enough to run on Keras 3: real and
    fake images both have shape (28, 28); the frozen-discriminator problem is left as the notes have it,
    it does not change the cost of a step much);
(b) the pack's default: the train step a student gets in notebook 09, :func:`utils.gan_recipes.make_train_step`
    with ``jit_compile=MLP_RECIPE["jit_compile"]`` (XLA), fed by :func:`utils.gan.mnist_dataset`, with TensorFlow's
    oneDNN kernels as :func:`utils.setup` leaves them (on);
(c) the same step without XLA (a plain ``@tf.function``), to show what XLA adds.

Each variant is warmed up (tracing/compiling not timed); then the variants take turns, ``--rounds`` rounds of
``--seconds / --rounds`` each, so that a change of load on a shared machine hits all of them alike. Prints the
machine (CPU, cores, AVX2/AVX-512, oneDNN, XLA) beside steps per second (wall clock) and CPU milliseconds per step
(``time.process_time``, all threads: less sensitive to other processes than wall time), and the ratios.

Usage::

    .venv/bin/python benchmarks/bench_train_step.py                 # 15 s per variant
    .venv/bin/python benchmarks/bench_train_step.py --seconds 5 --steps 200
    ONEDNN_MAX_CPU_ISA=AVX2 OPENBLAS_CORETYPE=Haswell .venv/bin/python benchmarks/bench_train_step.py   # as on AVX2
    .venv/bin/python benchmarks/bench_train_step.py --plain-kernels  # oneDNN off (utils.setup(fast_cpu=False))

Timings on a shared machine are inflated by other processes; compare the ratios, not the absolute numbers.
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Callable

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from utils import machine, settings  # noqa: E402  (cheap: neither imports TensorFlow)

LATENT_DIM = 100
TARGET_RATIO = 30.0
"""What the pack's default step must reach against the notes' loop (issue 13)."""


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


def notes_loop(x_train, batch_size: int) -> Callable[[], None]:
    """(a) one step of the notes' loop, as a function of nothing."""
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

    return step


def pack_step(batch_size: int, *, jit: bool) -> Callable[[], None]:
    """(b)/(c) one step of the pack's train step on the notes' networks, fed by tf.data, as a function of nothing."""
    import keras

    from utils import gan, gan_recipes

    generator, discriminator = gan_recipes.mlp_gan(LATENT_DIM, 128, output="sigmoid", activation="relu")
    train_step = gan_recipes.make_train_step(generator, discriminator, keras.optimizers.Adam(),
                                             keras.optimizers.Adam(), latent_dim=LATENT_DIM, jit_compile=jit)
    batches = iter(gan.mnist_dataset(batch_size, value_range=(0, 1), seed=0))

    def step() -> None:
        out = train_step(next(batches))
        float(out["d_loss"])  # wait for the step to finish, as a training loop that logs losses does

    return step


def time_in_rounds(steps: dict[str, Callable[[], None]], *, rounds: int, seconds: float, max_steps: int
                   ) -> dict[str, dict[str, float]]:
    """Run the variants in turns, ``rounds`` times ``seconds / rounds`` each (or ``max_steps`` in all).

    Returns, per variant: ``steps``, ``wall_s``, ``cpu_s`` and the derived ``steps_per_s`` and ``cpu_ms_per_step``.
    """
    totals = {name: {"steps": 0, "wall_s": 0.0, "cpu_s": 0.0} for name in steps}
    per_round = seconds / rounds
    for _ in range(rounds):
        for name, step in steps.items():
            t = totals[name]
            wall, cpu, start = time.perf_counter(), time.process_time(), time.perf_counter()
            while t["steps"] < max_steps and time.perf_counter() - start < per_round:
                step()
                t["steps"] += 1
            t["wall_s"] += time.perf_counter() - wall
            t["cpu_s"] += time.process_time() - cpu
    for t in totals.values():
        t["steps_per_s"] = t["steps"] / t["wall_s"] if t["wall_s"] > 0 else 0.0
        t["cpu_ms_per_step"] = 1000 * t["cpu_s"] / t["steps"] if t["steps"] else float("nan")
    return totals


def main(argv: list[str] | None = None) -> dict[str, dict[str, float]]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--steps", type=int, default=100_000, help="max timed steps per variant (default: no cap)")
    parser.add_argument("--seconds", type=float, default=15.0, help="timed seconds per variant (default 15)")
    parser.add_argument("--rounds", type=int, default=5, help="turns the variants take (default 5)")
    parser.add_argument("--batch-size", type=int, default=64, help="batch size (default 64, the notes')")
    parser.add_argument("--warmup", type=int, default=5, help="untimed warm-up steps per variant (default 5)")
    parser.add_argument("--plain-kernels", action="store_true",
                        help="TensorFlow's plain kernels instead of oneDNN (what utils.setup(fast_cpu=False) gives)")
    args = parser.parse_args(argv)
    if args.steps < 1 or args.seconds <= 0 or args.rounds < 1 or args.batch_size < 1 or args.warmup < 1:
        parser.error("--steps, --seconds, --rounds, --batch-size and --warmup must be positive")

    onednn = settings.choose_cpu_kernels(not args.plain_kernels)  # before TensorFlow is imported, as setup() does
    settings.silence_tensorflow_logs()
    settings.import_tensorflow_quietly()
    import warnings

    import keras
    import numpy as np

    from utils.data import load_mnist
    from utils.gan_recipes import MLP_RECIPE

    keras.utils.set_random_seed(0)
    x_train = (load_mnist().x_train.astype(np.float32) / 255.0)
    default_xla = bool(MLP_RECIPE["jit_compile"])
    names = {"notes": "(a) notes loop: predict + 3x train_on_batch",
             "default": f"(b) pack's default step (XLA {'on' if default_xla else 'off'})",
             "other": f"(c) same step, XLA {'off' if default_xla else 'on'}"}
    print(f"Machine: {machine.describe()} (as utils.setup(fast_cpu={not args.plain_kernels}) leaves it) · "
          f"XLA {'on' if default_xla else 'off'} in the pack's default step")
    print(f"MLP GAN (100-128-784 / 784-128-1), batch {args.batch_size}; {args.seconds:g} s per variant in "
          f"{args.rounds} turns (at most {args.steps} steps) after {args.warmup} warm-up steps. "
          f"Shared machines inflate timings.")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the notes' set-up triggers "no trainable weights" warnings
        steps = {names["notes"]: notes_loop(x_train, args.batch_size),
                 names["default"]: pack_step(args.batch_size, jit=default_xla),
                 names["other"]: pack_step(args.batch_size, jit=not default_xla)}
        for step in steps.values():
            for _ in range(args.warmup):
                step()
        results = time_in_rounds(steps, rounds=args.rounds, seconds=args.seconds, max_steps=args.steps)
    base = results[names["notes"]]
    for name, r in results.items():
        print(f"{name:<46s} {r['steps_per_s']:9.1f} steps/s {r['steps_per_s'] / base['steps_per_s']:6.1f}x · "
              f"{r['cpu_ms_per_step']:8.2f} CPU ms/step {base['cpu_ms_per_step'] / r['cpu_ms_per_step']:6.1f}x")
    a, b, c = (results[names[k]] for k in ("notes", "default", "other"))
    ratio = b["steps_per_s"] / a["steps_per_s"]
    print(f"pack's default / notes' loop = {ratio:.1f}x in steps per second (target >= {TARGET_RATIO:.0f}x: "
          f"{'met' if ratio >= TARGET_RATIO else 'NOT met'}), {a['cpu_ms_per_step'] / b['cpu_ms_per_step']:.1f}x "
          f"in CPU time; XLA {'on' if default_xla else 'off'} / {'off' if default_xla else 'on'} = "
          f"{b['steps_per_s'] / c['steps_per_s']:.2f}x in steps per second, "
          f"{c['cpu_ms_per_step'] / b['cpu_ms_per_step']:.2f}x in CPU time · oneDNN {'on' if onednn else 'off'}")
    return results


if __name__ == "__main__":
    main()
