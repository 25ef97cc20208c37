"""Benchmark: variants of notebook 10's DCGAN, compared after the same number of steps, with their cost per step.

Notebook 10's section 1 quotes these figures. Every variant starts from the two-layer DCGAN (generator Dense ->
7x7x64 -> Conv2DTranspose 14x14x32 -> 28x28x1 tanh, BatchNorm and LeakyReLU; discriminator strided Conv2D 32, 64
with LeakyReLU and Dropout 0.1 -> logit; Adam(1e-3, beta_1 0.5); batch 64; non-saturating loss) and adds options,
joined with ``+``:

* ``s1``    — a stride-1 Conv2DTranspose (7x7x64) in the generator before the two stride-2 ones;
* ``d3``    — a third strided Conv2D (4x4x128) in the discriminator;
* ``ema``   — an exponential moving average of the generator's weights with a constant decay of 0.999 (as
  measured for notebook 10's section 1; the notebook adds a warm-up, see its section 4); both are scored;
* ``mbstd`` — a minibatch-standard-deviation channel before the discriminator's flatten (ProGAN);
* ``decay`` — the learning rate falls linearly to 0 over the second half of the run;
* ``base``  — nothing added.

Notebook 10 uses ``s1+d3+ema``. Each variant is scored on 10,000 samples at a third, two thirds and the end of
the run, and the time per step is measured on the same run (tracing excluded). Prints one JSON line per score.

Usage::

    .venv/bin/python benchmarks/bench_dcgan_variants.py --steps 12000 base+ema s1+ema s1+d3+ema
    .venv/bin/python benchmarks/bench_dcgan_variants.py --steps 60 --score-n 500 s1+d3+ema   # smoke run
    .venv/bin/python benchmarks/bench_dcgan_variants.py --threads 1 ...   # two variants side by side on 2 cores

Only steps make the scores comparable across machines; compare times per step within one machine.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")  # the notebooks' default; set it to 1 to measure oneDNN
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

OPTIONS = {"base", "s1", "d3", "ema", "mbstd", "decay"}
LATENT_DIM, WIDTH, BATCH_SIZE, LR, BETA_1, DROPOUT, EMA_DECAY = 64, 32, 64, 1e-3, 0.5, 0.1, 0.999


def parse_variant(name: str) -> set[str]:
    """``"s1+d3+ema"`` -> {"s1", "d3", "ema"}; unknown options raise ValueError naming the known ones."""
    parts = set(name.split("+"))
    unknown = parts - OPTIONS
    if unknown or not name:
        raise ValueError(f"unknown option(s) {sorted(unknown)} in variant {name!r}; known: {sorted(OPTIONS)}")
    return parts - {"base"}


def build(keras, tf, options: set[str]):
    """The generator and discriminator of one variant."""
    L = keras.layers

    class MinibatchStd(L.Layer):
        """Appends one channel holding the batch's mean standard deviation (ProGAN's minibatch-std layer)."""

        def call(self, x):
            s = tf.reduce_mean(tf.math.reduce_std(x, axis=0))
            return tf.concat([x, tf.ones_like(x[..., :1]) * s], axis=-1)

        def compute_output_shape(self, shape):
            return shape[:-1] + (shape[-1] + 1,)

    g = [keras.Input((LATENT_DIM,)), L.Dense(7 * 7 * 2 * WIDTH, use_bias=False), L.BatchNormalization(),
         L.LeakyReLU(0.2), L.Reshape((7, 7, 2 * WIDTH))]
    if "s1" in options:
        g += [L.Conv2DTranspose(2 * WIDTH, 4, strides=1, padding="same", use_bias=False), L.BatchNormalization(),
              L.LeakyReLU(0.2)]
    g += [L.Conv2DTranspose(WIDTH, 4, strides=2, padding="same", use_bias=False), L.BatchNormalization(),
          L.LeakyReLU(0.2), L.Conv2DTranspose(1, 4, strides=2, padding="same", activation="tanh")]
    d = [keras.Input((28, 28, 1)), L.Conv2D(WIDTH, 4, strides=2, padding="same"), L.LeakyReLU(0.2),
         L.Dropout(DROPOUT), L.Conv2D(2 * WIDTH, 4, strides=2, padding="same"), L.LeakyReLU(0.2), L.Dropout(DROPOUT)]
    if "d3" in options:
        d += [L.Conv2D(4 * WIDTH, 4, strides=2, padding="same"), L.LeakyReLU(0.2), L.Dropout(DROPOUT)]
    if "mbstd" in options:
        d.append(MinibatchStd())
    d += [L.Flatten(), L.Dense(1)]
    return keras.Sequential(g), keras.Sequential(d)


def run_variant(name: str, steps: int, score_n: int, seed: int = 42) -> list[dict]:
    """Train one variant for ``steps`` steps; return its score records."""
    import keras
    import tensorflow as tf

    from utils import gan, gan_recipes
    from utils.gan_eval import MnistScorer

    options = parse_variant(name)
    keras.utils.set_random_seed(seed)
    g, d = build(keras, tf, options)
    g_opt, d_opt = keras.optimizers.Adam(LR, beta_1=BETA_1), keras.optimizers.Adam(LR, beta_1=BETA_1)
    step = gan_recipes.make_train_step(g, d, g_opt, d_opt, latent_dim=LATENT_DIM)
    g_ema = None
    if "ema" in options:
        g_ema = keras.models.clone_model(g)
        g_ema.set_weights(g.get_weights())
        inner = step

        @tf.function
        def step(batch):
            out = inner(batch)
            for w_ema, w in zip(g_ema.weights, g.weights):
                w_ema.assign(EMA_DECAY * w_ema + (1 - EMA_DECAY) * w)
            return out

    scorer = MnistScorer.load()
    batches = iter(gan.mnist_dataset(BATCH_SIZE, seed=seed))
    marks = sorted({steps // 3, 2 * steps // 3, steps} - {0})
    float(step(next(batches))["d_loss"])  # trace, not timed
    seconds, records = 0.0, []
    for i in range(2, steps + 1):
        if "decay" in options and i > steps // 2:
            fraction = 1 - (i - steps // 2) / (steps - steps // 2)
            g_opt.learning_rate.assign(LR * fraction)
            d_opt.learning_rate.assign(LR * fraction)
        batch = next(batches)
        t0 = time.perf_counter()
        float(step(batch)["d_loss"])
        seconds += time.perf_counter() - t0
        if i in marks:
            sc = scorer.score_generator(g, LATENT_DIM, n=score_n)
            rec = {"variant": name, "step": i, "ms_per_step": round(1000 * seconds / (i - 1), 1),
                   "fd": round(sc.frechet_distance, 1), "mnist_score": round(sc.mnist_score, 2),
                   "classes": sc.classes_covered}
            if g_ema is not None:
                sc = scorer.score_generator(g_ema, LATENT_DIM, n=score_n)
                rec.update(ema_fd=round(sc.frechet_distance, 1), ema_mnist_score=round(sc.mnist_score, 2))
            print(json.dumps(rec), flush=True)
            records.append(rec)
    return records


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("variants", nargs="+", help="e.g. base+ema s1+ema s1+d3+ema")
    parser.add_argument("--steps", type=int, default=12_000, help="training steps per variant (default 12,000)")
    parser.add_argument("--score-n", type=int, default=10_000, help="images per score (default 10,000)")
    parser.add_argument("--threads", type=int, default=0, help="TensorFlow threads (0 = TensorFlow's default)")
    args = parser.parse_args(argv)
    for v in args.variants:
        try:
            parse_variant(v)
        except ValueError as err:
            parser.error(str(err))
    if args.steps < 3 or args.score_n < 100 or args.threads < 0:
        parser.error("--steps must be at least 3, --score-n at least 100 and --threads at least 0")
    if args.threads:
        import tensorflow as tf

        tf.config.threading.set_intra_op_parallelism_threads(args.threads)
        tf.config.threading.set_inter_op_parallelism_threads(args.threads)
    print(f"{args.steps} steps per variant · {os.cpu_count()} CPUs · load {os.getloadavg()[0]:.1f} · oneDNN "
          f"{os.environ.get('TF_ENABLE_ONEDNN_OPTS', 'TensorFlow default')}", flush=True)
    for v in args.variants:
        run_variant(v, args.steps, args.score_n)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
