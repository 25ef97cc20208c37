"""Smoke tests for the benchmark scripts: they run, print their table and reject bad arguments."""
from __future__ import annotations

import json

import pytest

from tests._benchmarks import BENCH
from tests._benchmarks import load_benchmark as _load


def test_gan_budget_benchmark_runs_the_notebook_recipes_and_prints_a_table(capsys):
    bench = _load("bench_gan_budgets")
    assert bench.main(["--steps-scale", "0.005", "--score-n", "200", "--only", "09", "10", "--no-save"]) == 0
    out = capsys.readouterr().out
    rows = [line for line in out.splitlines() if line.startswith(("09 MLP GAN", "10 DCGAN"))]
    assert len(rows) == 2  # the final table (each run's line is also printed, indented, as it finishes)
    assert rows[0].split()[4] == "100" and rows[1].split()[2] == "30"  # 20,000 and 6,000 steps x 0.005
    assert "budget s" in out and "/10" in rows[-1]


@pytest.mark.parametrize("args, message", [(["--steps-scale", "0"], "steps-scale"),
                                           (["--score-n", "10"], "score-n")])
def test_gan_budget_benchmark_rejects_bad_arguments(args, message, capsys):
    bench = _load("bench_gan_budgets")
    with pytest.raises(SystemExit):
        bench.main(args)
    assert message in capsys.readouterr().err


def test_gan_budget_benchmark_builds_the_reference_models_the_notebooks_check_against():
    """The benchmark trains utils' reference builders (one source), with the notebooks' knob values."""
    from utils.reference import dcgan

    bench = _load("bench_gan_budgets")
    assert (bench.DC["latent_dim"], bench.DC["width"], bench.DC["dropout"], bench.DC["ema_decay"]) == (
        dcgan.LATENT_DIM, dcgan.WIDTH, dcgan.DROPOUT, dcgan.EMA_DECAY)
    notebook = (BENCH.parent / "notebooks" / "10_dcgan.ipynb").read_text()
    assert f"BATCH_SIZE = {bench.DC['latent_dim']}, {bench.DC['width']}, {bench.DC['batch_size']}" in notebook
    assert f"full={bench.STEPS['10']:_}" in notebook
    source = (BENCH / "bench_gan_budgets.py").read_text()
    assert "def build_" not in source and "dcgan.build_generator" in source and "cgan.build_generator" in source
    assert "cgan.CGAN_RECIPE" in source


def test_dcgan_variants_benchmark_trains_every_option_and_scores(capsys):
    bench = _load("bench_dcgan_variants")
    assert bench.main(["--steps", "6", "--score-n", "200", "s1+d3+ema+mbstd+decay", "base"]) == 0
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines() if line.startswith("{")]
    assert [(r["variant"], r["step"]) for r in lines] == [("s1+d3+ema+mbstd+decay", 2), ("s1+d3+ema+mbstd+decay", 4),
                                                          ("s1+d3+ema+mbstd+decay", 6), ("base", 2), ("base", 4),
                                                          ("base", 6)]
    assert "ema_fd" in lines[0] and "ema_fd" not in lines[-1] and all(r["ms_per_step"] > 0 for r in lines)


def test_dcgan_variants_benchmark_rejects_unknown_options(capsys):
    bench = _load("bench_dcgan_variants")
    with pytest.raises(SystemExit):
        bench.main(["s1+wider"])
    err = capsys.readouterr().err
    assert "unknown option" in err and "wider" in err


def test_train_step_benchmark_times_the_pack_default_against_the_notes_loop_and_names_the_machine(capsys):
    bench = _load("bench_train_step")
    results = bench.main(["--steps", "3", "--seconds", "30", "--rounds", "1", "--warmup", "1", "--batch-size", "8"])
    out = capsys.readouterr().out
    assert len(results) == 3 and all(r["steps"] == 3 and r["cpu_ms_per_step"] > 0 for r in results.values())
    assert "(b) pack's default step (XLA on)" in results and "(c) same step, XLA off" in results
    machine_line = next(line for line in out.splitlines() if line.startswith("Machine: "))
    assert "cores" in machine_line and "oneDNN" in machine_line
    assert "XLA on" in machine_line and ("AVX" in machine_line or "neither" in machine_line)
    assert "pack's default / notes' loop =" in out and "target >= 30x" in out
    source = (BENCH / "bench_train_step.py").read_text()
    assert "TF_ENABLE_ONEDNN_OPTS\", \"0\"" not in source and "choose_cpu_kernels" in source


def test_train_step_benchmark_rejects_bad_arguments(capsys):
    bench = _load("bench_train_step")
    with pytest.raises(SystemExit):
        bench.main(["--rounds", "0"])
    assert "must be positive" in capsys.readouterr().err
