"""Benchmark: the course's three GANs, each trained for a fixed wall-clock budget, then scored by the evaluator.

Trains, one after the other, with the same architectures and hyperparameters as the notebooks:

* ``07 MLP GAN`` — notebook 07's stabilised recipe: noise 100 -> Dense 128 -> 784 tanh; discriminator
  784 -> 128 -> logit; LeakyReLU(0.2); Adam(1e-3, beta_1 0.5); one-sided label smoothing 0.9; non-saturating
  loss; batch 64. Budget 3 minutes.
* ``08 DCGAN`` — notebook 08: Dense -> 7x7x64 -> Conv2DTranspose 14x14x32 -> 28x28x1 tanh with BatchNorm and
  LeakyReLU; discriminator two strided Conv2D (32, 64) with LeakyReLU and Dropout 0.1 -> logit; Adam(1e-3, beta_1 0.5); batch 64. Budget 6 minutes.
* ``09 CGAN`` — notebook 09: the DCGAN with a label embedding (16) concatenated to z and a learned 28x28 label
  plane as the discriminator's second channel and a projection term e_y . h added to its logit. Budget 6 minutes.

The models are defined here again (not imported from the notebooks, which show them cell by cell); keep the
constants below in step with the notebooks' knob cells. Only the time spent inside the train steps counts
towards a budget (as ``GanHistory.seconds`` in the notebooks); tracing and scoring are excluded. Each run is
scored on 10,000 samples with :class:`utils.gan_eval.MnistScorer`.

Prints a table (steps, steps/s, training seconds, FD, MNIST score, classes covered, label accuracy) and writes
``outputs/bench_gan_budgets/results.json`` (notebook 08 reads it if present).

Usage::

    .venv/bin/python benchmarks/bench_gan_budgets.py                      # ~15 min: 3 + 6 + 6 min of training
    .venv/bin/python benchmarks/bench_gan_budgets.py --budget-scale 0.05  # smoke run, about a minute
    .venv/bin/python benchmarks/bench_gan_budgets.py --only 08

Timings on a shared machine are inflated by other processes: fewer steps fit in a budget, so scores are worse
than on an idle laptop. Report the load along with the numbers.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

BUDGETS_S = {"07": 180.0, "08": 360.0, "09": 360.0}
NAMES = {"07": "07 MLP GAN (stabilised)", "08": "08 DCGAN", "09": "09 conditional GAN"}

# Notebook 07's stabilised recipe.
MLP = dict(latent_dim=100, batch_size=64, lr=1e-3, beta_1=0.5, real_label=0.9)
# Notebooks 08 and 09 (same DCGAN body; 09 adds the label inputs).
DC = dict(latent_dim=64, width=32, batch_size=64, lr=1e-3, beta_1=0.5, dropout=0.1, embed_dim=16)


def build_mlp(keras):
    """Notebook 07's stabilised generator and discriminator."""
    d = MLP["latent_dim"]
    g = keras.Sequential([keras.Input((d,)), keras.layers.Dense(128), keras.layers.LeakyReLU(0.2),
                          keras.layers.Dense(784, activation="tanh"), keras.layers.Reshape((28, 28, 1))])
    disc = keras.Sequential([keras.Input((28, 28, 1)), keras.layers.Flatten(), keras.layers.Dense(128),
                             keras.layers.LeakyReLU(0.2), keras.layers.Dense(1)])
    return g, disc


def build_dcgan(keras, conditional: bool):
    """Notebook 08's DCGAN (conditional=False) or notebook 09's conditional GAN (conditional=True)."""
    L, w = keras.layers, DC["width"]
    noise = keras.Input((DC["latent_dim"],))
    inputs = [noise]
    x = noise
    if conditional:
        label = keras.Input((), dtype="int32")
        inputs.append(label)
        x = L.Concatenate()([noise, L.Embedding(10, DC["embed_dim"])(label)])
    x = L.LeakyReLU(0.2)(L.BatchNormalization()(L.Dense(7 * 7 * 2 * w, use_bias=False)(x)))
    x = L.Reshape((7, 7, 2 * w))(x)
    x = L.LeakyReLU(0.2)(L.BatchNormalization()(L.Conv2DTranspose(w, 4, strides=2, padding="same",
                                                                 use_bias=False)(x)))
    image = L.Conv2DTranspose(1, 4, strides=2, padding="same", activation="tanh")(x)
    g = keras.Model(inputs if conditional else noise, image)

    img_in = keras.Input((28, 28, 1))
    d_inputs = [img_in]
    x = img_in
    if conditional:
        d_label = keras.Input((), dtype="int32")
        d_inputs.append(d_label)
        x = L.Concatenate()([img_in, L.Reshape((28, 28, 1))(L.Embedding(10, 28 * 28)(d_label))])
    x = L.Dropout(DC["dropout"])(L.LeakyReLU(0.2)(L.Conv2D(w, 4, strides=2, padding="same")(x)))
    x = L.Dropout(DC["dropout"])(L.LeakyReLU(0.2)(L.Conv2D(2 * w, 4, strides=2, padding="same")(x)))
    h = L.Flatten()(x)
    logit = L.Dense(1)(h)
    if conditional:  # projection discriminator: + e_y . h
        logit = L.Add()([logit, L.Dot(axes=1)([L.Embedding(10, 7 * 7 * 2 * w)(d_label), h])])
    disc = keras.Model(d_inputs if conditional else img_in, logit)
    return g, disc


def make_step(tf, g, disc, g_opt, d_opt, *, latent_dim: int, conditional: bool, real_label: float):
    """The notebooks' train step (non-saturating loss, two tapes), conditional or not."""

    def bce(t, logits):
        return tf.reduce_mean(tf.nn.sigmoid_cross_entropy_with_logits(labels=t, logits=logits))

    @tf.function
    def step(batch):
        real, labels = batch if conditional else (batch, None)
        z = tf.random.normal((tf.shape(real)[0], latent_dim))
        with tf.GradientTape() as dt, tf.GradientTape() as gt:
            fake = g([z, labels] if conditional else z, training=True)
            rl = disc([real, labels] if conditional else real, training=True)
            fl = disc([fake, labels] if conditional else fake, training=True)
            d_loss = bce(tf.fill(tf.shape(rl), real_label), rl) + bce(tf.zeros_like(fl), fl)
            g_loss = bce(tf.ones_like(fl), fl)
        d_opt.apply_gradients(zip(dt.gradient(d_loss, disc.trainable_variables), disc.trainable_variables))
        g_opt.apply_gradients(zip(gt.gradient(g_loss, g.trainable_variables), g.trainable_variables))
        return d_loss

    return step


def run_one(key: str, budget_s: float, scorer, *, seed: int = 42) -> dict:
    """Train GAN ``key`` ("07", "08" or "09") for ``budget_s`` seconds of train steps; return its figures."""
    import keras
    import tensorflow as tf

    from utils import gan

    keras.utils.set_random_seed(seed)
    conditional = key == "09"
    if key == "07":
        g, disc = build_mlp(keras)
        hp = MLP
        real_label = MLP["real_label"]
    else:
        g, disc = build_dcgan(keras, conditional)
        hp = DC
        real_label = 1.0
    g_opt = keras.optimizers.Adam(hp["lr"], beta_1=hp["beta_1"])
    d_opt = keras.optimizers.Adam(hp["lr"], beta_1=hp["beta_1"])
    step = make_step(tf, g, disc, g_opt, d_opt, latent_dim=hp["latent_dim"], conditional=conditional,
                     real_label=real_label)
    batches = iter(gan.mnist_dataset(hp["batch_size"], with_labels=conditional, seed=seed))
    float(step(next(batches)))                       # trace (not timed) — this counts as one step
    steps, seconds = 1, 0.0
    while seconds < budget_s:
        batch = next(batches)
        t0 = time.perf_counter()
        float(step(batch))                            # float() waits for the step to finish
        seconds += time.perf_counter() - t0
        steps += 1
    sc = scorer.score_generator(g, hp["latent_dim"], n=10_000, output="tanh", conditional=conditional)
    return {"steps": steps, "steps_per_second": (steps - 1) / seconds, "seconds": seconds,
            "frechet_distance": sc.frechet_distance, "mnist_score": sc.mnist_score,
            "classes_covered": sc.classes_covered, "label_accuracy": sc.label_accuracy}


def format_table(runs: dict[str, dict]) -> str:
    """The results as a fixed-width text table."""
    head = f"{'GAN':<26}{'steps':>7}{'steps/s':>9}{'train s':>9}{'FD':>8}{'MNIST sc':>10}{'classes':>9}{'label acc':>11}"
    lines = [head, "-" * len(head)]
    for name, r in runs.items():
        acc = "—" if r["label_accuracy"] is None else f"{100 * r['label_accuracy']:.1f} %"
        lines.append(f"{name:<26}{r['steps']:>7}{r['steps_per_second']:>9.1f}{r['seconds']:>9.0f}"
                     f"{r['frechet_distance']:>8.1f}{r['mnist_score']:>10.2f}{r['classes_covered']:>6}/10{acc:>11}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--budget-scale", type=float, default=1.0,
                        help="multiply every budget (07: 180 s, 08/09: 360 s) by this; e.g. 0.05 for a smoke run")
    parser.add_argument("--only", nargs="+", choices=sorted(BUDGETS_S), help="run only these GANs")
    parser.add_argument("--no-save", action="store_true", help="do not write outputs/bench_gan_budgets/results.json")
    args = parser.parse_args(argv)
    if not args.budget_scale > 0:
        parser.error(f"--budget-scale must be positive, got {args.budget_scale}")

    from utils.gan_eval import MnistScorer

    scorer = MnistScorer.load()
    runs = {}
    for key in args.only or sorted(BUDGETS_S):
        budget = BUDGETS_S[key] * args.budget_scale
        print(f"training {NAMES[key]} for {budget:.0f} s ...", flush=True)
        runs[NAMES[key]] = run_one(key, budget, scorer)
        print("  " + format_table({NAMES[key]: runs[NAMES[key]]}).splitlines()[-1], flush=True)
    print()
    print(f"budget scale {args.budget_scale} · load average at the end {os.getloadavg()[0]:.1f} on "
          f"{os.cpu_count()} CPUs")
    print(format_table(runs))
    if not args.no_save:
        from utils.settings import output_dir

        path = output_dir("bench_gan_budgets") / "results.json"
        path.write_text(json.dumps({"budget_scale": args.budget_scale, "load_average": os.getloadavg()[0],
                                    "runs": runs}, indent=2))
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
