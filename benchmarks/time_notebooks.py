"""Time every notebook (or the ones named) top to bottom in a fresh kernel, in quick or full mode.

    python benchmarks/time_notebooks.py --mode full                  # all notebooks, full mode
    python benchmarks/time_notebooks.py --mode full --avx2           # as on a 2-core AVX2 laptop (see below)
    python benchmarks/time_notebooks.py --mode quick notebooks/05_keras_mnist.ipynb

Each notebook runs like "Restart kernel and run all" (kernel start included), through the same runner as the
hand-in (``utils.course.runner.run_notebook``: it polls the kernel in short slices, so a missed wake-up cannot stall a run).
Prints the machine first (CPU, cores, AVX2 / AVX-512, oneDNN, XLA, a calibration in GFLOP/s), then one line per
notebook: wall-clock seconds, the 1-minute load average before and after (anything well above 0 means another
process shared the cores and the time is inflated), and "ok" or the first error. Nothing is written, unless
``--save-dir`` names a folder for the executed copies (to read the scores they printed).

``--avx2`` caps the two libraries that choose their vector instructions at run time: oneDNN
(``ONEDNN_MAX_CPU_ISA=AVX2``) and OpenBLAS (``OPENBLAS_CORETYPE=Haswell``). TensorFlow's other kernels are compiled
for AVX and run the same on both kinds of machine. On an AVX-512 machine this gives the times of an AVX2 machine
with the same cores and clock, which is what most students have.
"""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
AVX2_ENV = {"ONEDNN_MAX_CPU_ISA": "AVX2", "OPENBLAS_CORETYPE": "Haswell"}


def xla_state() -> str:
    """How XLA is used: only where a notebook compiles a step with ``jit_compile=True``, unless auto-clustering is on."""
    flags = os.environ.get("TF_XLA_FLAGS", "")
    if "tf_xla_auto_jit" in flags:
        return f"XLA auto-clustering ({flags})"
    return "XLA only where a notebook asks (jit_compile=True)"


def load_average() -> float:
    """The 1-minute load average, or NaN where the OS has none (Windows)."""
    try:
        return os.getloadavg()[0]
    except (AttributeError, OSError):
        return float("nan")


def time_notebook(path: Path, *, quick: bool, timeout: int, save_dir: Path | None = None) -> tuple[float, str]:
    """Run ``path`` in a fresh kernel (cwd = its folder); return (seconds, "ok" or the first error).

    With ``save_dir``, the executed copy is written there as ``<name>.<quick|full>.ipynb``.
    """
    from utils.course.cells import notebook_number
    from utils.course.runner import run_notebook

    nb = nbformat.read(path, as_version=4)
    result = run_notebook(nb, cwd=path.parent, quick=quick, timeout=timeout, number=notebook_number(path))
    if save_dir is not None:
        save_dir.mkdir(parents=True, exist_ok=True)
        nbformat.write(result.notebook, save_dir / f"{path.stem}.{'quick' if quick else 'full'}.ipynb")
    if result.status == "complete" and not result.errors:
        return result.seconds, "ok"
    first = result.failed_cell or (result.errors[0] if result.errors else {})
    return result.seconds, f"ERROR in cell {first.get('index')}: {first.get('ename')}: {first.get('evalue', '')}"[:160]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*", type=Path, help="notebooks to time (default: all in notebooks/)")
    parser.add_argument("--mode", choices=["quick", "full"], default="full")
    parser.add_argument("--avx2", action="store_true", help="cap oneDNN and OpenBLAS at AVX2 (see above)")
    parser.add_argument("--timeout", type=int, default=1800, help="seconds allowed per cell")
    parser.add_argument("--save-dir", type=Path, help="write the executed copies here (outside the checkout)")
    args = parser.parse_args(argv)
    if args.avx2:
        os.environ.update(AVX2_ENV)  # before NumPy loads OpenBLAS here, and inherited by every kernel
    from utils import machine

    paths = args.notebooks or sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    print(f"{args.mode} mode · {machine.describe()} · {xla_state()}")
    print(f"calibration: {machine.calibrate():.0f} GFLOP/s (reference machine: {machine.REFERENCE_GFLOPS:.0f})",
          flush=True)
    total, failures = 0.0, 0
    for path in paths:
        before = load_average()
        seconds, status = time_notebook(path.resolve(), quick=args.mode == "quick", timeout=args.timeout,
                                        save_dir=args.save_dir)
        total += seconds
        failures += status != "ok"
        print(f"{path.name:40s} {seconds:7.1f} s  load {before:4.1f} -> {load_average():4.1f}  {status}", flush=True)
    print(f"{'total':40s} {total:7.1f} s  ({failures} failed)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
