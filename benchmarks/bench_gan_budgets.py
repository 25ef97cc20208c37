"""Benchmark: the course's three MNIST GANs, each trained with its notebook's full-mode recipe, timed and scored.

Trains, one after the other, with the architectures, hyperparameters and step counts the notebooks use in full
mode, with the CPU settings a student gets from ``utils.setup()`` (oneDNN on; ``--plain-cpu`` turns it off), and
prints each GAN's score against the seconds it trained:

* ``09 MLP GAN`` — notebook 09's stabilised recipe, :data:`utils.gan_recipes.MLP_RECIPE`: noise 100 -> Dense 512
  -> 784 tanh; discriminator 784 -> 512 -> logit; LeakyReLU(0.2); Adam(beta_1 0.5), learning rate along a cosine
  from 2e-3 to 1e-4; one-sided label smoothing 0.9; non-saturating loss; batch 128; the step compiled with XLA;
  20,000 steps.
* ``10 DCGAN`` — notebook 10: :mod:`utils.reference.dcgan`'s builders (width 32, z of 64); two Adams (beta_1 0.5), the generator's
  learning rate 2e-3 and the discriminator's 5e-4, each flat for 3/4 of the run, then a cosine to 0; batch 32; the moving average of the
  generator's weights, which is the model scored; 6,000 steps; TensorFlow's remapper off (as the notebook).
* ``11 CGAN`` — notebook 11: :data:`utils.reference.conditional_gan.CGAN_RECIPE` (batch 64, Adam 1e-3, the moving
  average scored), 4,000 steps.

Each notebook's whole run (training, scoring, plots, exercises) must fit in 5 minutes on a 2-core AVX2 laptop; the
"budget s" column is that 300 s, so the training seconds show how much of it training takes. Only the time inside
the train steps counts (as ``GanHistory.seconds`` in the notebooks); tracing the step (the first call) and scoring
are excluded. Each run is scored on 10,000 samples with :class:`utils.gan_eval.MnistScorer`.

Prints a table (steps, steps/s, training seconds against the budget, FD, MNIST score, classes covered, label
accuracy), with the machine (CPU, cores, AVX2 / AVX-512, oneDNN) above it, and writes
``outputs/bench_gan_budgets/results.json``.

Usage::

    .venv/bin/python benchmarks/bench_gan_budgets.py                      # ~8 min: about 2 + 2.5 + 2 min of training, plus scoring
    .venv/bin/python benchmarks/bench_gan_budgets.py --avx2               # oneDNN capped at AVX2, like most laptops
    .venv/bin/python benchmarks/bench_gan_budgets.py --steps-scale 0.01 --score-n 1000   # smoke run, under a minute

Timings on a shared machine are inflated by other processes (the scores are not: the step counts are fixed).
Report the load along with the numbers.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

BUDGETS_S = {"09": 300.0, "10": 300.0, "11": 300.0}
STEPS = {"09": 20_000, "10": 6_000, "11": 4_000}
NAMES = {"09": "09 MLP GAN (stabilised)", "10": "10 DCGAN", "11": "11 conditional GAN"}

# Notebook 10's knobs (its first code cells); notebook 11's come from CGAN_RECIPE.
DC = dict(latent_dim=64, width=32, batch_size=32, g_lr=2e-3, d_lr=5e-4, beta_1=0.5, dropout=0.1, ema_decay=0.999,
          flat_fraction=0.75)


def run_one(key: str, steps: int, scorer, *, score_n: int = 10_000, seed: int = 42) -> dict:
    """Train GAN ``key`` ("09", "10" or "11") for ``steps`` steps of its notebook's recipe; return its figures."""
    import keras

    from utils import gan, gan_recipes
    from utils.reference import conditional_gan as cgan
    from utils.reference import dcgan

    keras.utils.set_random_seed(seed)
    conditional = key == "11"
    scored = None
    if key == "09":
        r = gan_recipes.MLP_RECIPE
        g, disc = gan_recipes.mlp_gan(r["latent_dim"], r["hidden"])
        step = gan_recipes.make_train_step(g, disc, *gan_recipes.mlp_gan_optimizers(steps),
                                           latent_dim=r["latent_dim"], real_label=r["real_label"],
                                           jit_compile=bool(r.get("jit_compile", False)))
        latent_dim, batch_size = r["latent_dim"], r["batch_size"]
    elif key == "10":
        g, disc = dcgan.build_generator(DC["latent_dim"], DC["width"]), dcgan.build_discriminator(DC["width"], DC["dropout"])
        scored = dcgan.averaged_copy(g)
        flat = int(DC["flat_fraction"] * steps)
        g_opt, d_opt = (keras.optimizers.Adam(keras.optimizers.schedules.CosineDecay(
            lr, decay_steps=max(1, steps - flat), warmup_steps=flat, warmup_target=lr), beta_1=DC["beta_1"])
            for lr in (DC["g_lr"], DC["d_lr"]))
        step = dcgan.make_train_step(g, disc, g_opt, d_opt, ema_generator=scored,
                                     ema_decay=DC["ema_decay"], latent_dim=DC["latent_dim"])
        latent_dim, batch_size = DC["latent_dim"], DC["batch_size"]
    else:
        r = cgan.CGAN_RECIPE
        g = cgan.build_generator(r["latent_dim"], r["width"], r["embed_dim"])
        disc = cgan.build_discriminator(r["width"], r["dropout"])
        scored = cgan.averaged_copy(g)
        step = cgan.make_train_step(g, disc, keras.optimizers.Adam(r["lr"], beta_1=r["beta_1"]),
                                    keras.optimizers.Adam(r["lr"], beta_1=r["beta_1"]), latent_dim=r["latent_dim"],
                                    ema_generator=scored, ema_decay=r["ema_decay"])
        latent_dim, batch_size = r["latent_dim"], r["batch_size"]
    batches = iter(gan.mnist_dataset(batch_size, with_labels=conditional, seed=seed))
    float(step(next(batches))["d_loss"])          # trace (not timed) — this counts as one step
    seconds = 0.0
    for _ in range(steps - 1):
        batch = next(batches)
        t0 = time.perf_counter()
        float(step(batch)["d_loss"])              # float() waits for the step to finish
        seconds += time.perf_counter() - t0
    sc = scorer.score_generator(scored or g, latent_dim, n=score_n, output="tanh", conditional=conditional)
    return {"steps": steps, "steps_per_second": (steps - 1) / seconds if seconds else float("nan"),
            "seconds": seconds, "budget_seconds": BUDGETS_S[key], "frechet_distance": sc.frechet_distance,
            "mnist_score": sc.mnist_score, "classes_covered": sc.classes_covered,
            "label_accuracy": sc.label_accuracy, "n_scored": score_n}


def format_table(runs: dict[str, dict]) -> str:
    """The results as a fixed-width text table."""
    head = (f"{'GAN':<26}{'steps':>7}{'steps/s':>9}{'train s':>9}{'budget s':>10}{'FD':>8}{'MNIST sc':>10}"
            f"{'classes':>9}{'label acc':>11}")
    lines = [head, "-" * len(head)]
    for name, r in runs.items():
        acc = "—" if r["label_accuracy"] is None else f"{100 * r['label_accuracy']:.1f} %"
        within = "" if r["seconds"] <= r["budget_seconds"] else " (over)"
        lines.append(f"{name:<26}{r['steps']:>7}{r['steps_per_second']:>9.1f}{r['seconds']:>9.0f}"
                     f"{r['budget_seconds']:>10.0f}{r['frechet_distance']:>8.1f}{r['mnist_score']:>10.2f}"
                     f"{r['classes_covered']:>6}/10{acc:>11}{within}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps-scale", type=float, default=1.0,
                        help="multiply every notebook's step count (09: 20,000, 10: 6,000, 11: 4,000) by this; "
                             "e.g. 0.01 for a smoke run")
    parser.add_argument("--score-n", type=int, default=10_000, help="images generated per score (default 10,000)")
    parser.add_argument("--only", nargs="+", choices=sorted(STEPS), help="run only these GANs")
    parser.add_argument("--plain-cpu", action="store_true",
                        help="TensorFlow's plain kernels, oneDNN off (utils.setup(fast_cpu=False) in a notebook)")
    parser.add_argument("--avx2", action="store_true", help="cap oneDNN at AVX2 (ONEDNN_MAX_CPU_ISA=AVX2)")
    parser.add_argument("--no-save", action="store_true", help="do not write outputs/bench_gan_budgets/results.json")
    args = parser.parse_args(argv)
    if not args.steps_scale > 0:
        parser.error(f"--steps-scale must be positive, got {args.steps_scale}")
    if args.score_n < 100:
        parser.error(f"--score-n must be at least 100 (10,000 matches the notebooks), got {args.score_n}")

    if args.avx2:
        os.environ.update(ONEDNN_MAX_CPU_ISA="AVX2", OPENBLAS_CORETYPE="Haswell")
    from utils import machine
    from utils.settings import choose_cpu_kernels, import_tensorflow_quietly, silence_tensorflow_logs

    fast = choose_cpu_kernels(not args.plain_cpu)  # before TensorFlow is imported
    silence_tensorflow_logs()
    import_tensorflow_quietly()
    import tensorflow as tf

    tf.config.optimizer.set_experimental_options({"remapping": False})  # as notebooks 10 and 11 (utils.setup)
    print(machine.describe(), flush=True)
    from utils.gan_eval import MnistScorer

    scorer = MnistScorer.load()
    runs = {}
    for key in args.only or sorted(STEPS):
        steps = max(2, round(STEPS[key] * args.steps_scale))
        print(f"training {NAMES[key]} for {steps} steps (budget {BUDGETS_S[key]:.0f} s) ...", flush=True)
        runs[NAMES[key]] = run_one(key, steps, scorer, score_n=args.score_n)
        print("  " + format_table({NAMES[key]: runs[NAMES[key]]}).splitlines()[-1], flush=True)
    print()
    print(f"oneDNN CPU kernels {'on' if fast else 'off'} · steps scale {args.steps_scale} · load average at the end {os.getloadavg()[0]:.1f} on "
          f"{os.cpu_count()} CPUs")
    print(format_table(runs))
    if not args.no_save:
        from utils.settings import output_dir

        path = output_dir("bench_gan_budgets") / "results.json"
        path.write_text(json.dumps({"steps_scale": args.steps_scale, "onednn": fast, "load_average": os.getloadavg()[0],
                                    "runs": runs}, indent=2))
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
