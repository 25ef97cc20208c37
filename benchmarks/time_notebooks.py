"""Time every notebook (or the ones named) top to bottom in a fresh kernel, in quick or full mode.

    python benchmarks/time_notebooks.py --mode full                  # all notebooks, full mode
    python benchmarks/time_notebooks.py --mode quick notebooks/05_keras_mnist.ipynb

Prints one line per notebook (wall-clock seconds, and whether it ran without error) and a total. The executed
copies go to outputs/timing/ (ignored by git); the notebooks themselves are not modified. Numbers depend on the
machine and on what else it is doing: run it on an otherwise idle machine.
"""
from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

ROOT = Path(__file__).resolve().parent.parent


def time_notebook(path: Path, *, quick: bool, timeout: int) -> tuple[float, str]:
    """Execute ``path`` in a fresh kernel (cwd = its folder); return (seconds, "ok" or the error's first line)."""
    nb = nbformat.read(path, as_version=4)
    os.environ["NNCOURSE_QUICK"] = "1" if quick else "0"
    client = NotebookClient(nb, timeout=timeout, kernel_name="python3",
                            resources={"metadata": {"path": str(path.parent)}})
    start = time.perf_counter()
    status = "ok"
    try:
        client.execute()
    except CellExecutionError as err:
        status = "ERROR: " + str(err).strip().splitlines()[-1][:120]
    seconds = time.perf_counter() - start
    from utils.settings import output_dir  # outputs/ unless NNCOURSE_OUTPUT_DIR points elsewhere

    out = output_dir("timing")
    nbformat.write(nb, out / f"{path.stem}.{'quick' if quick else 'full'}.ipynb")
    return seconds, status


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*", type=Path, help="notebooks to time (default: all in notebooks/)")
    parser.add_argument("--mode", choices=["quick", "full"], default="full")
    parser.add_argument("--timeout", type=int, default=1800, help="seconds allowed per cell")
    args = parser.parse_args(argv)
    paths = args.notebooks or sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    print(f"{args.mode} mode · {platform.processor() or platform.machine()} · {os.cpu_count()} cores · "
          f"Python {platform.python_version()}")
    total, failures = 0.0, 0
    for path in paths:
        seconds, status = time_notebook(path, quick=args.mode == "quick", timeout=args.timeout)
        total += seconds
        failures += status != "ok"
        print(f"{path.name:40s} {seconds:7.1f} s  {status}", flush=True)
    print(f"{'total':40s} {total:7.1f} s  ({failures} failed)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
