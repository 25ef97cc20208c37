"""benchmarks/bench_cpu_kernels.py: its worker measures real rates; its variants cover the course's choices."""
from __future__ import annotations

from tests._benchmarks import load_benchmark


def _load():
    return load_benchmark("bench_cpu_kernels")


def test_variants_cover_onednn_remapper_and_xla():
    bench = _load()
    choices = {(onednn, remapper, xla) for _, onednn, remapper, xla in bench.VARIANTS}
    assert (True, True, False) in choices and (False, True, False) in choices  # default and fast_cpu=False
    assert (True, False, False) in choices and (True, True, True) in choices  # remapper=False, XLA


def test_worker_measures_a_positive_rate_for_the_mlp_gan_step():
    bench = _load()
    rates = bench.worker(["mlp"], 0.2, remapper=True, xla=False)
    assert set(rates) == {"mlp"} and rates["mlp"] > 1
