"""What this computer is, and how long a lab will take on it.

* :func:`describe` — one line: CPU model, cores, vector extensions (AVX2 / AVX-512), TensorFlow's oneDNN kernels;
* :func:`calibrate` — a fraction of a second of float32 matrix products, in GFLOP/s;
* :func:`estimate_full_seconds` — a notebook's full-mode run time here, from :data:`REFERENCE_SECONDS` (measured
  by ``benchmarks/time_notebooks.py`` on :data:`REFERENCE_MACHINE`) scaled by this machine's calibration.

Nothing here imports TensorFlow. The estimate is rough (the notebooks spend their time in TensorFlow's kernels,
the calibration in NumPy's): expect it to be right within a factor of about 1.5 on an idle machine.
"""
from __future__ import annotations

import os
import platform
import time
from pathlib import Path

from utils.settings import ONEDNN_ENV_VAR

REFERENCE_MACHINE = ("2-core AMD EPYC, oneDNN and OpenBLAS capped at AVX2 (ONEDNN_MAX_CPU_ISA=AVX2, "
                     "OPENBLAS_CORETYPE=Haswell), TensorFlow 2.21 CPU")
"""The machine :data:`REFERENCE_SECONDS` were measured on: a stand-in for a student's 2-core AVX2 laptop."""

REFERENCE_GFLOPS = 97.0
"""What :func:`calibrate` measures on :data:`REFERENCE_MACHINE` (idle), in GFLOP/s."""

REFERENCE_SECONDS: dict[str, int] = {"00": 7, "01": 4, "02": 4, "03": 5, "04": 10, "05": 138, "06": 19,
                                     "07": 14, "08": 19, "09": 198, "10": 180, "11": 155, "12": 100}
"""Full-mode seconds of each notebook, top to bottom with a fresh kernel, on :data:`REFERENCE_MACHINE` (idle);
the README's course map rounds these."""

_AVX512_FLAGS = ("avx512f",)
_AVX2_FLAGS = ("avx2",)


def cpu_model() -> str:
    """The CPU's model name (``/proc/cpuinfo`` on Linux, else :func:`platform.processor`), or "unknown CPU"."""
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.is_file():
        for line in cpuinfo.read_text(encoding="utf-8", errors="replace").splitlines():
            if line.lower().startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.processor() or platform.machine() or "unknown CPU"


def vector_extensions() -> str:
    """The widest x86 vector extension the CPU has: ``"AVX-512"``, ``"AVX2"``, or ``"neither AVX2 nor AVX-512"``.

    Asks NumPy, which checks the CPU at start-up on every platform; falls back to ``/proc/cpuinfo``.
    """
    try:
        from numpy._core._multiarray_umath import __cpu_features__ as features
        has = {name.lower() for name, present in features.items() if present}
    except ImportError:  # pragma: no cover - NumPy moved its private table
        cpuinfo = Path("/proc/cpuinfo")
        text = cpuinfo.read_text(encoding="utf-8", errors="replace") if cpuinfo.is_file() else ""
        has = set(text.lower().split())
    if any(flag in has for flag in _AVX512_FLAGS):
        return "AVX-512"
    if any(flag in has for flag in _AVX2_FLAGS):
        return "AVX2"
    return "neither AVX2 nor AVX-512"


def onednn_state() -> str:
    """Whether TensorFlow uses its oneDNN kernels (``TF_ENABLE_ONEDNN_OPTS``; on by default on x86) and any cap."""
    raw = os.environ.get(ONEDNN_ENV_VAR)
    state = "oneDNN off" if raw == "0" else "oneDNN on"
    cap = os.environ.get("ONEDNN_MAX_CPU_ISA")
    return f"{state} (capped at {cap})" if cap and raw != "0" else state


def describe() -> str:
    """One line naming the CPU, its cores, its widest vector extension and the oneDNN state."""
    blas_cap = os.environ.get("OPENBLAS_CORETYPE")
    blas = f" · OpenBLAS as {blas_cap}" if blas_cap else ""
    return f"{cpu_model()} · {os.cpu_count()} cores · {vector_extensions()} · {onednn_state()}{blas}"


def calibrate(seconds: float = 0.3, size: int = 64) -> float:
    """Multiply two ``size`` x ``size`` float32 matrices for about ``seconds``; return the best rate in GFLOP/s.

    The best of many short rounds, so a moment of load elsewhere costs little. At the default size OpenBLAS uses
    one thread: larger products use all cores, and on a busy machine their threads wait on each other (measured
    here: 180 GFLOP/s idle, 0.1 under load at 128 x 128; 90 either way at 64 x 64). Takes ``seconds`` plus a few ms.
    """
    import numpy as np

    rng = np.random.default_rng(0)
    a = rng.standard_normal((size, size), dtype=np.float32)
    b = rng.standard_normal((size, size), dtype=np.float32)
    a @ b  # warm up (thread pool, caches)
    flops = 2.0 * size ** 3
    best, deadline = 0.0, time.perf_counter() + seconds
    while time.perf_counter() < deadline:
        start = time.perf_counter()
        for _ in range(5):
            a @ b
        best = max(best, 5 * flops / (time.perf_counter() - start))
    return best / 1e9


def estimate_full_seconds(number: str, gflops: float | None = None) -> float | None:
    """Estimated full-mode seconds of notebook ``number`` (two digits) on this machine, or None if unknown.

    ``REFERENCE_SECONDS[number] * REFERENCE_GFLOPS / gflops``, where ``gflops`` is :func:`calibrate`'s result
    (measured now if not given). Clipped to at most 3x faster than the reference: TensorFlow's small kernels do
    not speed up as much as a large matrix product does.
    """
    reference = REFERENCE_SECONDS.get(number)
    if reference is None:
        return None
    gflops = calibrate() if gflops is None else gflops
    return reference * max(1 / 3, REFERENCE_GFLOPS / gflops) if gflops > 0 else None


def format_duration(seconds: float) -> str:
    """``42`` -> ``"about 40 s"``, ``200`` -> ``"about 3.5 min"``: rounded as an estimate deserves."""
    if seconds < 60:
        return f"about {max(5, int(round(seconds / 5.0)) * 5)} s"
    return f"about {round(seconds / 30.0) / 2:g} min"
