"""Benchmark: TensorFlow's CPU choices the course makes, measured on three of its workloads in one run.

Choices (each in a fresh process, because TensorFlow reads them when it is imported):

* oneDNN kernels on (TensorFlow's default on x86, and ``utils.setup()``'s) or off (``fast_cpu=False``);
* the grappler remapper on, or off (``utils.setup(remapper=False)``, what the convolutional GAN notebooks use);
* XLA (``jit_compile=True``) or not.

Workloads, batch 128, 28 x 28 images:

* ``dcgan step``: notebook 10's train step (reference DCGAN, width 32, with the weight average), steps/s;
* ``mlp gan step``: notebook 09's train step (MLP GAN, hidden 128), steps/s;
* ``cnn fit``: notebook 05's CNN, ``model.fit`` over 12,000 images, images/s.

Usage::

    .venv/bin/python benchmarks/bench_cpu_kernels.py            # ~3 min
    .venv/bin/python benchmarks/bench_cpu_kernels.py --avx2     # oneDNN capped at AVX2, as on most laptops
    .venv/bin/python benchmarks/bench_cpu_kernels.py --seconds 2 --only dcgan

Each figure is the rate over ``--seconds`` of wall time after a warm-up (tracing and compiling not timed). Another
process on the cores inflates every figure: the load average is printed beside each line.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VARIANTS = [  # (label, oneDNN, remapper, XLA)
    ("oneDNN off", False, True, False),
    ("oneDNN on (default)", True, True, False),
    ("oneDNN on, remapper off", True, False, False),
    ("oneDNN on, XLA", True, True, True),
    ("oneDNN off, XLA", False, True, True),
]
WORKLOADS = ("dcgan", "mlp", "cnn")


def worker(workloads: list[str], seconds: float, remapper: bool, xla: bool) -> dict[str, float]:
    """Run in the child process: measure each workload, return {name: rate}."""
    import time

    import numpy as np

    from utils.settings import import_tensorflow_quietly, silence_tensorflow_logs

    silence_tensorflow_logs()
    import_tensorflow_quietly()
    import keras
    import tensorflow as tf

    if not remapper:
        tf.config.optimizer.set_experimental_options({"remapping": False})
    keras.utils.set_random_seed(0)
    rates: dict[str, float] = {}

    def rate_of(step, batch) -> float:
        for _ in range(5):
            step(batch)
        done, start = 0, time.perf_counter()
        while time.perf_counter() - start < seconds:
            step(batch)
            done += 1
        return done / (time.perf_counter() - start)

    def compiled(step):
        return tf.function(step.python_function, jit_compile=True) if xla else step

    images = tf.random.uniform((128, 28, 28, 1), -1, 1)
    if "dcgan" in workloads:
        from utils.reference import dcgan

        g, d = dcgan.build_generator(), dcgan.build_discriminator()
        step = dcgan.make_train_step(g, d, keras.optimizers.Adam(2e-4, beta_1=0.5),
                                     keras.optimizers.Adam(2e-4, beta_1=0.5), ema_generator=dcgan.averaged_copy(g))
        rates["dcgan"] = rate_of(compiled(step), images)
    if "mlp" in workloads:
        from utils import gan_recipes
        from utils.reference import vanilla_gan

        g, d = gan_recipes.mlp_gan()
        step = vanilla_gan.make_train_step(g, d, keras.optimizers.Adam(2e-4, beta_1=0.5),
                                           keras.optimizers.Adam(2e-4, beta_1=0.5), latent_dim=100)
        rates["mlp"] = rate_of(compiled(step), images)
    if "cnn" in workloads:
        layers = keras.layers
        model = keras.Sequential([
            keras.Input((28, 28, 1)), layers.Conv2D(32, 3, activation="relu"), layers.MaxPooling2D(),
            layers.Conv2D(64, 3, activation="relu"), layers.MaxPooling2D(), layers.Flatten(),
            layers.Dense(128, activation="relu"), layers.Dropout(0.3), layers.Dense(10, activation="softmax")])
        model.compile("adam", "sparse_categorical_crossentropy", jit_compile=xla)
        rng = np.random.default_rng(0)
        x = rng.random((12_000, 28, 28, 1), dtype=np.float32)
        y = rng.integers(0, 10, 12_000)
        model.fit(x[:1_280], y[:1_280], batch_size=128, verbose=0)  # warm-up: tracing (and compiling)
        start, seen = time.perf_counter(), 0
        while time.perf_counter() - start < seconds or seen == 0:
            model.fit(x, y, batch_size=128, verbose=0, epochs=1)
            seen += len(x)
        rates["cnn"] = seen / (time.perf_counter() - start)
    return rates


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=8.0, help="timed seconds per workload and variant")
    parser.add_argument("--only", nargs="*", choices=WORKLOADS, default=list(WORKLOADS))
    parser.add_argument("--avx2", action="store_true", help="cap oneDNN at AVX2 (ONEDNN_MAX_CPU_ISA=AVX2)")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        spec = json.loads(args.worker)
        print(json.dumps(worker(spec["workloads"], args.seconds, spec["remapper"], spec["xla"])))
        return 0
    sys.path.insert(0, str(ROOT))
    from utils import machine
    from utils.settings import ONEDNN_ENV_VAR

    env_base = {k: v for k, v in os.environ.items() if k != ONEDNN_ENV_VAR}
    if args.avx2:
        env_base.update(ONEDNN_MAX_CPU_ISA="AVX2", OPENBLAS_CORETYPE="Haswell")
    os.environ.update({k: v for k, v in env_base.items() if k in ("ONEDNN_MAX_CPU_ISA", "OPENBLAS_CORETYPE")})
    print(f"{machine.cpu_model()} · {os.cpu_count()} cores · {machine.vector_extensions()}"
          f"{' · oneDNN capped at AVX2' if args.avx2 else ''} · {args.seconds:g} s per figure", flush=True)
    units = {"dcgan": "dcgan steps/s", "mlp": "mlp gan steps/s", "cnn": "cnn fit images/s"}
    print(f"{'variant':26s}" + "".join(f"{units[w]:>20s}" for w in args.only) + "   load")
    results: dict[str, dict[str, float]] = {}
    for label, onednn, remapper, xla in VARIANTS:
        env = dict(env_base, **{ONEDNN_ENV_VAR: "1" if onednn else "0"}, PYTHONPATH=str(ROOT))
        spec = json.dumps({"workloads": args.only, "remapper": remapper, "xla": xla})
        out = subprocess.run([sys.executable, __file__, "--seconds", str(args.seconds), "--worker", spec],
                             capture_output=True, text=True, env=env, cwd=ROOT)
        if out.returncode != 0:
            print(f"{label:26s} failed: {out.stderr.strip().splitlines()[-1:]}")
            continue
        rates = json.loads(out.stdout.strip().splitlines()[-1])
        results[label] = rates
        load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
        print(f"{label:26s}" + "".join(f"{rates[w]:20.1f}" for w in args.only) + f"   {load:4.1f}", flush=True)
    base, default = results.get("oneDNN off"), results.get("oneDNN on (default)")
    if base and default:
        print("oneDNN on / off: " + ", ".join(f"{w} {default[w] / base[w]:.2f}x" for w in args.only))
    return 0


if __name__ == "__main__":
    sys.exit(main())
