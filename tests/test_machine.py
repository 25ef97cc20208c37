"""utils.machine (what this computer is, how long a lab takes on it) and benchmarks/time_notebooks.py."""
from __future__ import annotations

import nbformat
import pytest

from tests._benchmarks import load_benchmark
from utils import machine, settings


def test_describe_names_cores_vector_extensions_and_onednn(monkeypatch):
    monkeypatch.setenv("TF_ENABLE_ONEDNN_OPTS", "1")
    monkeypatch.setenv("ONEDNN_MAX_CPU_ISA", "AVX2")
    line = machine.describe()
    assert machine.vector_extensions() in ("AVX-512", "AVX2", "neither AVX2 nor AVX-512")
    assert f"{__import__('os').cpu_count()} cores" in line and machine.vector_extensions() in line
    assert "oneDNN on (capped at AVX2)" in line
    monkeypatch.setenv("TF_ENABLE_ONEDNN_OPTS", "0")
    assert "oneDNN off" in machine.describe()


def test_calibration_is_a_positive_rate_and_scales_the_estimate():
    gflops = machine.calibrate(seconds=0.05)
    assert gflops > 0
    ref = machine.REFERENCE_SECONDS["05"]
    assert machine.estimate_full_seconds("05", machine.REFERENCE_GFLOPS) == pytest.approx(ref)
    assert machine.estimate_full_seconds("05", machine.REFERENCE_GFLOPS / 2) == pytest.approx(2 * ref)
    # a very fast machine is not promised more than 3x: small TensorFlow kernels do not scale like a big product
    assert machine.estimate_full_seconds("05", machine.REFERENCE_GFLOPS * 10) == pytest.approx(ref / 3)
    assert machine.estimate_full_seconds("99", 50.0) is None


def test_durations_are_rounded_like_estimates():
    assert machine.format_duration(42) == "about 40 s"
    assert machine.format_duration(2) == "about 5 s"
    assert machine.format_duration(200) == "about 3.5 min"
    assert machine.format_duration(290) == "about 5 min"


def test_every_notebook_has_a_reference_time():
    numbers = {p.name[:2] for p in (settings.repo_root() / "notebooks").glob("[0-9][0-9]_*.ipynb")}
    assert numbers == set(machine.REFERENCE_SECONDS)


def _load_time_notebooks():
    return load_benchmark("time_notebooks")


def test_time_notebooks_prints_the_machine_and_reports_a_failing_cell(tmp_path, capsys):
    bench = _load_time_notebooks()
    good, bad = tmp_path / "01_good.ipynb", tmp_path / "02_bad.ipynb"
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("x = 1 + 1")]
    nbformat.write(nb, good)
    nb.cells = [nbformat.v4.new_code_cell("raise ValueError('broken on purpose')")]
    nbformat.write(nb, bad)
    status = bench.main(["--mode", "quick", "--timeout", "120", "--save-dir", str(tmp_path / "runs"),
                         str(good), str(bad)])
    out = capsys.readouterr().out
    assert status == 1
    header = out.splitlines()[0]
    assert "cores" in header and machine.vector_extensions() in header and "XLA" in header
    assert "GFLOP/s" in out
    assert "01_good.ipynb" in out and " ok" in out.split("01_good.ipynb")[1].splitlines()[0]
    assert "ValueError: broken on purpose" in out and "(1 failed)" in out
    saved = nbformat.read(tmp_path / "runs" / "02_bad.quick.ipynb", as_version=4)
    assert saved.cells[0].outputs[0]["ename"] == "ValueError"
