"""Does one BLAS thread beat two on the small-matrix NumPy loops of notebooks 03 and 04?

Usage (from the top of the course pack)::

    python benchmarks/bench_blas_threads.py                  # threads 1 and 2, 3 rounds each, alternating
    python benchmarks/bench_blas_threads.py --threads 1 2 4 --rounds 5
    python benchmarks/bench_blas_threads.py --scale 0.1      # a tenth of the epochs (a smoke test)

NumPy's BLAS (OpenBLAS in the pinned wheels) reads its thread count once, when NumPy is imported, from
``OPENBLAS_NUM_THREADS``. So every measurement runs in a fresh Python process started with that variable set; the
thread counts take turns (1, 2, 1, 2, ...) so that a change in the machine's load hits both alike. Each process
times the notebooks' own loops with the course's reference code (``utils.reference``), the same sizes as in full
mode:

- ``04 spirals``: ``Network([2, 64, 64, 3])``, mini-batch SGD (batch 32) for 200 epochs on 300 points;
- ``04 depth``: deep-narrow ``[2, 20, 20, 20, 20, 5]`` and shallow-wide ``[2, 177, 5]``, 3 seeds, 100 epochs on
  500 points;
- ``04 boundaries``: the network's scores on the decision-boundary grids (two of 150 x 150 points, one of
  120 x 120), the largest matrix products of the notebook;
- ``03 SGD``: the logistic-regression runs of notebook 03 (batch 400, 16, 1 and 16 with momentum; 30 epochs on
  400 points) and its long full-batch run (2,000 steps).

For each workload it prints the median wall-clock seconds and CPU seconds (user + system, all threads) per
thread count, and the ratio 2-thread / 1-thread. On a busy machine trust the CPU seconds and the ratios more than
the wall times. The CPU model and the load average are printed beside the table.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORKLOADS = ("04 spirals", "04 depth", "04 boundaries", "03 SGD")


def _timed(fn) -> tuple[float, float]:
    """Run fn(); return (wall seconds, CPU seconds of this process, all threads)."""
    wall, cpu = time.perf_counter(), time.process_time()
    fn()
    return time.perf_counter() - wall, time.process_time() - cpu


def _sgd_epochs(net, X, y, *, lr, epochs, batch_size=32, seed=0):
    """Notebook 04's ``train`` without the progress bar and snapshots: mini-batch SGD, loss on all X per epoch."""
    import numpy as np

    rng = np.random.default_rng(seed)
    history = [net.loss(X, y)[0]]
    for _ in range(epochs):
        order = rng.permutation(len(X))
        for first in range(0, len(X), batch_size):
            batch = order[first:first + batch_size]
            _, grads = net.loss(X[batch], y[batch])
            net.params = {k: v - lr * grads[k] for k, v in net.params.items()}
        history.append(net.loss(X, y)[0])
    return history


def worker(scale: float) -> dict[str, tuple[float, float]]:
    """Time every workload in this process (its BLAS thread count fixed at NumPy's import)."""
    import numpy as np

    from utils import data
    from utils.reference import layers, optim

    def epochs(n: int) -> int:
        return max(1, round(n * scale))

    X_sp, y_sp = data.make_spirals(300, n_classes=3, noise=0.2, seed=42)
    X5, y5 = data.make_spirals(500, n_classes=5, noise=0.2, seed=42)
    net_sp = layers.Network([2, 64, 64, 3], seed=42)

    def spirals():
        _sgd_epochs(net_sp, X_sp, y_sp, lr=0.1, epochs=epochs(200))

    def depth():
        for sizes in ([2, 20, 20, 20, 20, 5], [2, 177, 5]):
            for seed in range(3):
                _sgd_epochs(layers.Network(sizes, seed=seed), X5, y5, lr=0.1, epochs=epochs(100), seed=seed)

    def boundaries():
        for resolution in (150, 150, 120):
            g0, g1 = np.meshgrid(np.linspace(-1.5, 1.5, resolution), np.linspace(-1.5, 1.5, resolution))
            net_sp.loss(np.c_[g0.ravel(), g1.ravel()])

    X, y = data.make_blobs(400, centers=np.array([[-1.0, -1.0], [1.0, 1.0]]), spread=1.1, seed=3)

    def logistic(w, Xb, yb):
        p = 1.0 / (1.0 + np.exp(-(Xb @ w[:2] + w[2])))
        return optim.binary_cross_entropy(yb, p), np.r_[Xb.T @ (p - yb) / len(yb), np.mean(p - yb)]

    def sgd():
        for batch, beta in [(400, 0.0), (16, 0.0), (1, 0.0), (16, 0.9)]:
            optim.sgd_momentum(logistic, np.zeros(3), X, y, 0.1, epochs(30), batch_size=batch, beta=beta)
        optim.sgd_momentum(logistic, np.zeros(3), X, y, 2.0, epochs(2000), batch_size=400, beta=0.0)

    return {name: _timed(fn) for name, fn in zip(WORKLOADS, (spirals, depth, boundaries, sgd))}


def run_one(threads: int, scale: float) -> dict[str, tuple[float, float]]:
    env = dict(os.environ, OPENBLAS_NUM_THREADS=str(threads), OMP_NUM_THREADS=str(threads))
    out = subprocess.run([sys.executable, __file__, "--worker", "--scale", str(scale)], env=env, cwd=ROOT,
                         check=True, capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, nargs="+", default=[1, 2], help="BLAS thread counts to compare")
    parser.add_argument("--rounds", type=int, default=3, help="processes per thread count (alternating)")
    parser.add_argument("--scale", type=float, default=1.0, help="fraction of the notebooks' epochs to run")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.scale <= 0:
        parser.error("--scale must be positive")
    if args.rounds < 1 or any(t < 1 for t in args.threads):
        parser.error("--rounds and --threads must be at least 1")
    sys.path.insert(0, str(ROOT))
    if args.worker:
        print(json.dumps(worker(args.scale)))
        return 0

    from utils import machine

    print(f"{machine.cpu_model()} · {machine.vector_extensions()} · {os.cpu_count()} cores · Python {platform.python_version()} · "
          f"OPENBLAS_CORETYPE={os.environ.get('OPENBLAS_CORETYPE', '(auto)')} · scale {args.scale:g}")
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    results: dict[int, list[dict[str, tuple[float, float]]]] = {t: [] for t in args.threads}
    for round_ in range(args.rounds):
        for threads in args.threads:
            results[threads].append(run_one(threads, args.scale))
            total_wall = sum(w for w, _ in results[threads][-1].values())
            total_cpu = sum(c for _, c in results[threads][-1].values())
            print(f"  round {round_ + 1}, {threads} thread(s): {total_wall:6.2f} s wall, {total_cpu:6.2f} s CPU",
                  flush=True)
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(f"\nmedian of {args.rounds} round(s), seconds (wall / CPU):")
    header = f"{'workload':16s}" + "".join(f"{f'{t} thread(s)':>20s}" for t in args.threads)
    base = args.threads[0]
    header += "".join(f"{f'wall {t}/{base}':>10s}{f'CPU {t}/{base}':>10s}" for t in args.threads[1:])
    print(header)
    for name in (*WORKLOADS, "total"):
        med = {}
        for t in args.threads:
            if name == "total":
                walls = [sum(w for w, _ in r.values()) for r in results[t]]
                cpus = [sum(c for _, c in r.values()) for r in results[t]]
            else:
                walls = [r[name][0] for r in results[t]]
                cpus = [r[name][1] for r in results[t]]
            med[t] = (statistics.median(walls), statistics.median(cpus))
        line = f"{name:16s}" + "".join(f"{med[t][0]:9.2f} / {med[t][1]:7.2f}" for t in args.threads)
        line += "".join(f"{med[t][0] / med[base][0]:10.2f}{med[t][1] / med[base][1]:10.2f}" for t in args.threads[1:])
        print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
