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

Recipe mode (issue 13: notebook 10 inside 5 minutes on an AVX2 laptop). Quality per step does not depend on the
machine's load, so recipes are compared by steps with fixed seeds; the cost of a step is compared separately (``--time``), in ONE process, alternating the variants and counting CPU
seconds (``time.process_time``), which a busy machine distorts far less than wall time.

Any argument that contains ``=``, or is empty (the defaults), is a recipe: a set of ``key=value`` options on top of
notebook 10's recipe (``utils.reference.dcgan``'s models; batch 32, Adam 2e-3 for the generator and 5e-4 for the
discriminator, the rates falling to 0 over the last quarter, linearly here where the notebook uses a cosine):

* ``g_lr``, ``d_lr``  — the two Adam learning rates (TTUR: a faster discriminator);
* ``b1``, ``b2``      — Adam's betas;
* ``batch``, ``width``, ``dropout``, ``latent`` — batch size, filters, discriminator dropout, length of z;
* ``gwidth``          — the generator's own ``width`` (0, the default: the same as ``width``);
* ``ema``             — the weight average's largest decay; ``warm`` its warm-up constant,
  ``d_t = min(ema, (1 + t) / (warm + t))``;
* ``smooth``          — one-sided label smoothing: real targets ``1 - smooth`` in the discriminator's loss;
* ``decay``           — the fraction of the run at the end over which both learning rates fall linearly to 0;
* ``arch``            — ``ref`` (notebook 10's models), ``d2`` (no third discriminator convolution),
  ``nos1`` (no stride-1 generator layer).

Examples::

    # quality: two recipes, scored at steps 1000 and 2000 on 2,000 samples (G and its average), one TF thread
    .venv/bin/python benchmarks/bench_dcgan_variants.py --steps 2000 --marks 1000 2000 --score-n 2000 \\
        --threads 1 "" "d_lr=2e-3 ema=0.995"
    # cost: CPU seconds per step of each recipe, measured alternately in one process (no scoring)
    .venv/bin/python benchmarks/bench_dcgan_variants.py --time --steps 200 "" "batch=32" "arch=d2"

Prints one JSON line per score (or per timed recipe). Set ``ONEDNN_MAX_CPU_ISA=AVX2 OPENBLAS_CORETYPE=Haswell``
to emulate a student's AVX2 laptop on an AVX-512 machine.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from utils.settings import silence_tensorflow_logs  # noqa: E402

silence_tensorflow_logs()

from utils.reference import dcgan as ref  # noqa: E402  (cheap: Keras is imported inside)

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


DEFAULTS = {"g_lr": 2e-3, "d_lr": 5e-4, "b1": 0.5, "b2": 0.999, "batch": 32, "width": ref.WIDTH,
            "dropout": ref.DROPOUT, "latent": ref.LATENT_DIM, "ema": ref.EMA_DECAY, "warm": 10.0,
            "smooth": 0.0, "decay": 0.25, "arch": "ref", "gwidth": 0}
INT_KEYS = {"batch", "width", "latent", "gwidth"}


def parse_recipe(text: str) -> dict:
    """``"d_lr=2e-3 ema=0.995"`` -> the defaults with those two changed; unknown keys raise ValueError."""
    recipe = dict(DEFAULTS)
    for item in text.split():
        key, _, value = item.partition("=")
        if key not in DEFAULTS or not value:
            raise ValueError(f"unknown or empty option {item!r}; known: {sorted(DEFAULTS)}")
        recipe[key] = value if key == "arch" else (int(value) if key in INT_KEYS else float(value))
    if recipe["arch"] not in ("ref", "d2", "nos1"):
        raise ValueError(f"arch must be ref, d2 or nos1, got {recipe['arch']!r}")
    return recipe


def build_recipe(recipe: dict):
    """The generator and discriminator of a recipe."""
    import keras

    L, w = keras.layers, recipe["width"]
    g = ref.build_generator(recipe["latent"], recipe["gwidth"] or w)
    d = ref.build_discriminator(w, recipe["dropout"])
    if recipe["arch"] == "nos1":
        g = keras.Sequential([keras.Input((recipe["latent"],))] + [l for i, l in enumerate(g.layers) if i not in (4, 5, 6)])
    if recipe["arch"] == "d2":
        d = keras.Sequential([keras.Input((28, 28, 1))] + d.layers[:6] + [L.Flatten(), L.Dense(1)])
    return g, d


def make_step(recipe: dict, g, d, g_ema, g_opt, d_opt):
    """Notebook 10's train step (``utils.reference.dcgan.make_train_step``) with label smoothing and a warm-up knob."""
    import tensorflow as tf

    latent, ema, warm, real_target = recipe["latent"], recipe["ema"], recipe["warm"], 1.0 - recipe["smooth"]

    def bce(targets, logits):
        return tf.reduce_mean(tf.nn.sigmoid_cross_entropy_with_logits(labels=targets, logits=logits))

    @tf.function
    def step(real):
        noise = tf.random.normal((tf.shape(real)[0], latent))
        with tf.GradientTape() as d_tape, tf.GradientTape() as g_tape:
            fake = g(noise, training=True)
            real_logits, fake_logits = d(real, training=True), d(fake, training=True)
            d_loss = bce(real_target * tf.ones_like(real_logits), real_logits) + bce(tf.zeros_like(fake_logits),
                                                                                     fake_logits)
            g_loss = bce(tf.ones_like(fake_logits), fake_logits)
        d_opt.apply_gradients(zip(d_tape.gradient(d_loss, d.trainable_variables), d.trainable_variables))
        g_opt.apply_gradients(zip(g_tape.gradient(g_loss, g.trainable_variables), g.trainable_variables))
        t = tf.cast(g_opt.iterations, tf.float32)
        decay = tf.minimum(ema, (1 + t) / (warm + t))
        for w_ema, w in zip(g_ema.weights, g.weights):
            w_ema.assign(decay * w_ema + (1 - decay) * w)
        return d_loss

    return step


def setup_recipe(recipe: dict, seed: int):
    import keras

    from utils import gan

    keras.utils.set_random_seed(seed)
    g, d = build_recipe(recipe)
    g_ema = ref.averaged_copy(g)
    g_opt = keras.optimizers.Adam(recipe["g_lr"], beta_1=recipe["b1"], beta_2=recipe["b2"])
    d_opt = keras.optimizers.Adam(recipe["d_lr"], beta_1=recipe["b1"], beta_2=recipe["b2"])
    step = make_step(recipe, g, d, g_ema, g_opt, d_opt)
    batches = iter(gan.mnist_dataset(recipe["batch"], seed=seed))
    return g, g_ema, g_opt, d_opt, step, batches


def run_recipe(text: str, steps: int, marks: list[int], score_n: int, seed: int) -> list[dict]:
    """Train one recipe for ``steps`` steps; score G and its average at ``marks``; return the records."""
    from utils.gan_eval import MnistScorer

    recipe = parse_recipe(text)
    g, g_ema, g_opt, d_opt, step, batches = setup_recipe(recipe, seed)
    scorer = MnistScorer.load()
    records, cpu0, wall0 = [], time.process_time(), time.perf_counter()
    decay_from = int(steps * (1 - recipe["decay"])) if recipe["decay"] else steps
    for i in range(1, steps + 1):
        if i > decay_from:
            frac = 1 - (i - decay_from) / (steps - decay_from + 1)
            g_opt.learning_rate.assign(recipe["g_lr"] * frac)
            d_opt.learning_rate.assign(recipe["d_lr"] * frac)
        float(step(next(batches)))
        if i in marks:
            sg, se = (scorer.score_generator(m, recipe["latent"], n=score_n) for m in (g, g_ema))
            rec = {"recipe": text or "default", "seed": seed, "step": i, "fd": round(sg.frechet_distance, 2),
                   "score": round(sg.mnist_score, 3), "ema_fd": round(se.frechet_distance, 2),
                   "ema_score": round(se.mnist_score, 3), "ema_classes": se.classes_covered,
                   "cpu_s": round(time.process_time() - cpu0), "wall_s": round(time.perf_counter() - wall0)}
            print(json.dumps(rec), flush=True)
            records.append(rec)
    return records


def time_recipes(texts: list[str], steps: int, rounds: int = 4) -> None:
    """CPU seconds per step of each recipe, measured alternately in one process (tracing excluded)."""
    states = {t: setup_recipe(parse_recipe(t), 0) for t in texts}
    for t, s in states.items():
        for _ in range(5):
            float(s[4](next(s[5])))  # trace and warm up, not timed
    cpu = {t: 0.0 for t in texts}
    wall = {t: 0.0 for t in texts}
    for _ in range(rounds):
        for t, s in states.items():
            c0, w0 = time.process_time(), time.perf_counter()
            for _ in range(steps // rounds):
                float(s[4](next(s[5])))
            cpu[t] += time.process_time() - c0
            wall[t] += time.perf_counter() - w0
    n = rounds * (steps // rounds)
    base = cpu[texts[0]] / n
    for t in texts:
        print(json.dumps({"recipe": t or "default", "cpu_ms_per_step": round(1000 * cpu[t] / n, 1),
                          "wall_ms_per_step": round(1000 * wall[t] / n, 1),
                          "cost_vs_first": round(cpu[t] / n / base, 3)}), flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("variants", nargs="+", help="e.g. base+ema s1+ema s1+d3+ema")
    parser.add_argument("--steps", type=int, default=12_000, help="training steps per variant (default 12,000)")
    parser.add_argument("--score-n", type=int, default=10_000, help="images per score (default 10,000)")
    parser.add_argument("--threads", type=int, default=0, help="TensorFlow threads (0 = TensorFlow's default)")
    parser.add_argument("--marks", type=int, nargs="*", help="recipe mode: steps at which to score (default: the last)")
    parser.add_argument("--seeds", type=int, nargs="+", default=[0], help="recipe mode: seeds (default 0)")
    parser.add_argument("--time", action="store_true", help="recipe mode: CPU seconds per step instead of quality")
    args = parser.parse_args(argv)
    if args.time or any("=" in v or not v.strip() for v in args.variants):
        return recipe_main(parser, args)
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



def recipe_main(parser, args) -> int:
    """Recipe mode: every argument is a recipe (``key=value`` options, or empty for notebook 10's defaults)."""
    for r in args.variants:
        try:
            parse_recipe(r)
        except ValueError as err:
            parser.error(str(err))
    import tensorflow as tf

    from utils.settings import turn_off_remapper

    turn_off_remapper()  # as notebook 10's utils.setup(remapper=False)
    if args.threads:
        tf.config.threading.set_intra_op_parallelism_threads(args.threads)
        tf.config.threading.set_inter_op_parallelism_threads(args.threads)
    print(f"{args.steps} steps · {os.cpu_count()} CPUs · load {os.getloadavg()[0]:.1f} · threads "
          f"{args.threads or 'default'} · ONEDNN_MAX_CPU_ISA={os.environ.get('ONEDNN_MAX_CPU_ISA', 'unset')}",
          flush=True)
    if args.time:
        time_recipes(args.variants, args.steps)
        return 0
    marks = sorted(set(args.marks or [args.steps]) | {args.steps})
    for seed in args.seeds:
        for r in args.variants:
            run_recipe(r, args.steps, marks, args.score_n, seed)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
