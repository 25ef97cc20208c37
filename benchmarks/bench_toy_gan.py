"""Seed sweep for notebook 08's toy GAN: does the naive recipe collapse and the stable one cover the ring, every seed?

Usage (from the top of the course pack)::

    python benchmarks/bench_toy_gan.py                         # 5 seeds x (naive, stable), 2000 steps
    python benchmarks/bench_toy_gan.py --seeds 0 1 2 3 4 5 6 7 --steps 2000 --quick-steps 1200
    python benchmarks/bench_toy_gan.py --variants naive stable equal-lr packed-fast-g stable-saturating

For each recipe and seed it trains with :func:`utils.toy_gan.train_toy_gan` (exactly what the notebook runs),
counts the modes covered by the 1,000 samples of every snapshot with the reference
:func:`utils.reference.toy_gan.count_modes` (3 sigma, 1 % per mode) and prints one line: modes and
high-quality share at the end, at ``--quick-steps`` (the quick-mode budget: a run with the same seed passes
through the same states), the largest count over the second half of the run, how often the dominant mode
changed between snapshots (hopping), and the seconds the run took. Then a summary per recipe and the CPU.
"""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np  # noqa: E402

from utils import machine, settings, toy_gan  # noqa: E402  (none of them imports TensorFlow)
from utils.reference.toy_gan import count_modes  # noqa: E402

settings.silence_tensorflow_logs()
# TensorFlow's plain kernels (same numbers run to run), unless TF_ENABLE_ONEDNN_OPTS=1 asks for oneDNN
settings.choose_cpu_kernels(os.environ.get(settings.ONEDNN_ENV_VAR, "0") != "0")

VARIANTS = {
    "naive": toy_gan.NAIVE,
    "stable": toy_gan.STABLE,
    "equal-lr": toy_gan.Recipe("equal-lr", pack=1),                       # the stable recipe without packing
    "packed-fast-g": toy_gan.Recipe("packed-fast-g", lr_d=2e-4, pack=4),  # the naive recipe with packing
    "naive-saturating": toy_gan.Recipe("naive-saturating", lr_d=2e-4, generator_loss="saturating"),
    "stable-saturating": toy_gan.Recipe("stable-saturating", pack=4, generator_loss="saturating"),
}


def dominant_modes(samples: np.ndarray, centres: np.ndarray) -> np.ndarray:
    """(S,) the centre nearest to most samples, per snapshot."""
    d = np.linalg.norm(samples[:, :, None, :] - centres[None, None], axis=3)
    return np.array([np.bincount(s, minlength=len(centres)).argmax() for s in d.argmin(axis=2)])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2, 3, 4])
    parser.add_argument("--steps", type=int, default=2000, help="full-mode steps (default 2000)")
    parser.add_argument("--quick-steps", type=int, default=1200, help="quick-mode steps read off the same run")
    parser.add_argument("--every", type=int, default=100, help="snapshot every this many steps")
    parser.add_argument("--variants", nargs="+", default=["naive", "stable"], choices=sorted(VARIANTS))
    args = parser.parse_args(argv)
    if args.steps < 1 or not 0 < args.quick_steps <= args.steps or args.quick_steps % args.every:
        parser.error("need 0 < --quick-steps <= --steps, and --quick-steps a multiple of --every")

    centres = toy_gan.ring_centres()
    print(f"{'recipe':<18} seed  modes  quality  @quick  q@quick  max2nd  hops  seconds")
    summary: dict[str, list[tuple[int, int, float, float, float]]] = {}
    for name in args.variants:
        for seed in args.seeds:
            run = toy_gan.train_toy_gan(VARIANTS[name], steps=args.steps, seed=seed, snapshot_every=args.every,
                                        progress=False, surfaces=False)
            counts = [count_modes(s, centres, toy_gan.SIGMA) for s in run.samples]
            modes, quality = counts[-1]
            at_quick = int(np.flatnonzero(run.snapshot_steps == args.quick_steps)[0])
            q_modes, q_quality = counts[at_quick]
            second_half = [c for (c, _), s in zip(counts, run.snapshot_steps) if s >= args.steps // 2]
            dom = dominant_modes(run.samples[1:], centres)
            hops = int(np.sum(dom[1:] != dom[:-1]))
            print(f"{name:<18} {seed:>4}  {modes:>5}  {quality:>7.2f}  {q_modes:>6}  {q_quality:>7.2f}  "
                  f"{max(second_half):>6}  {hops:>4}  {run.seconds:>7.1f}", flush=True)
            summary.setdefault(name, []).append((modes, q_modes, quality, q_quality, run.seconds))
    print()
    for name, rows in summary.items():
        arr = np.array(rows, dtype=float)
        print(f"{name:<18} modes at {args.steps}: {int(arr[:, 0].min())}-{int(arr[:, 0].max())} · at "
              f"{args.quick_steps}: {int(arr[:, 1].min())}-{int(arr[:, 1].max())} · quality {arr[:, 2].min():.2f}-"
              f"{arr[:, 2].max():.2f} (at quick {arr[:, 3].min():.2f}-{arr[:, 3].max():.2f}) · "
              f"{arr[:, 4].mean():.1f} s per run")
    print(f"CPU: {machine.cpu_model()} ({os.cpu_count()} cores), load average {os.getloadavg()[0]:.1f} at the end")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
