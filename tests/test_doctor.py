"""Tests for utils.course.doctor: requirements parsing, version checks, data and memory findings, the CLI exit code."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from utils.course import doctor, doctor_checks, versions
from utils.settings import repo_root

REQUIREMENTS = repo_root() / "requirements.txt"


def _write(tmp_path: Path, text: str, name: str = "requirements.txt") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


# --------------------------------------------------------------------------- requirements.txt
def test_parse_real_requirements_has_every_checked_package():
    reqs = doctor_checks.parse_requirements(REQUIREMENTS)
    for _, name in doctor.CHECKED_PACKAGES:
        assert name in reqs, f"requirements.txt has no range for {name}"
        assert str(reqs[name].specifier), f"{name} has an empty range"
    assert "-e" not in " ".join(reqs), "option lines must be skipped"


def test_markers_pick_tensorflow_cpu_on_linux_and_tensorflow_on_macos():
    linux = doctor_checks.parse_requirements(REQUIREMENTS, environment={"sys_platform": "linux"})
    mac = doctor_checks.parse_requirements(REQUIREMENTS, environment={"sys_platform": "darwin"})
    assert linux["tensorflow"].name == "tensorflow-cpu"
    assert mac["tensorflow"].name == "tensorflow"


def test_canonical_name_treats_tensorflow_cpu_as_tensorflow():
    assert versions.canonical_name("tensorflow-cpu") == "tensorflow"
    assert versions.canonical_name("TensorFlow_CPU") == "tensorflow"
    assert versions.canonical_name("Keras") == "keras"


@pytest.mark.parametrize("wheel", ["tensorflow", "tensorflow-cpu"])
def test_installed_tensorflow_found_under_either_name(monkeypatch, wheel):
    # whichever wheel is installed, asking for "tensorflow" (or "tensorflow-cpu") must find it
    def version(dist):
        if dist == wheel:
            return "2.21.0"
        raise versions.importlib.metadata.PackageNotFoundError(dist)

    monkeypatch.setattr(versions.importlib.metadata, "version", version)
    assert versions.installed_version("tensorflow") == "2.21.0"
    assert versions.installed_version("TensorFlow_CPU") == "2.21.0"
    assert versions.installed_version("keras") is None


def test_fix_lines_install_the_range_requirements_txt_gives(tmp_path, monkeypatch):
    reqs = doctor_checks.parse_requirements(REQUIREMENTS)
    for name in ("keras", "ipywidgets"):
        lower = min(reqs[name].specifier, key=lambda s: not s.operator.startswith(">"))
        assert f'"{name}{lower}' in doctor_checks.install_fix(name, "the kernel")
    fake = _write(tmp_path, "keras>=3.1,<3.2\n")
    assert '"keras>=3.1,<3.2"' in doctor_checks.check_keras_3("2.15.0", doctor_checks.parse_requirements(fake)["keras"]).fix
    monkeypatch.setattr(doctor_checks, "course_requirements", dict)  # no requirements.txt beside the course
    assert doctor_checks.check_keras_3("2.15.0").fix == doctor_checks.INSTALL_FIX


def test_bad_requirement_line_names_file_and_line(tmp_path):
    path = _write(tmp_path, "numpy>=2\nnot a requirement !!\n")
    with pytest.raises(ValueError, match="line 2"):
        doctor_checks.parse_requirements(path)


def test_missing_requirements_file_raises(tmp_path):
    with pytest.raises(FileNotFoundError):
        doctor_checks.parse_requirements(tmp_path / "nope.txt")


def test_unmet_range_in_fake_requirements_is_a_problem_with_a_fix(tmp_path):
    path = _write(tmp_path, "# fake\nnumpy>=0.1,<1.0  # far too old\nkeras>=3,<4\n")
    report = doctor.check_environment(requirements=path, tensorflow=False)
    numpy = report.get("NumPy")
    assert numpy.status == "problem"
    assert "<1.0" in numpy.detail and "numpy" in numpy.fix and "<1.0" in numpy.fix
    assert report.get("Keras").status == "ok"
    assert not report.ok


def test_check_version_cases():
    from packaging.requirements import Requirement

    req = Requirement("numpy>=2.4,<2.5")
    assert doctor_checks.check_version("NumPy", "2.4.6", req).status == "ok"
    assert doctor_checks.check_version("NumPy", "2.4.0rc1", Requirement("numpy>=2.3,<2.5")).status == "ok"
    assert doctor_checks.check_version("NumPy", "1.26.4", req).status == "problem"
    missing = doctor_checks.check_version("NumPy", None, req)
    assert missing.status == "problem" and "not installed" in missing.detail and missing.fix
    assert doctor_checks.check_version("NumPy", "2.0", None).status == "ok"


def test_keras_2_is_a_problem_and_keras_3_is_ok():
    assert doctor_checks.check_keras_3("2.15.0").status == "problem"
    assert "keras" in doctor_checks.check_keras_3("2.15.0").fix
    assert doctor_checks.check_keras_3(None).status == "problem"
    assert doctor_checks.check_keras_3("3.15.1").status == "ok"


def test_python_version_check():
    assert doctor_checks.check_python((3, 9, 1)).status == "problem"
    assert doctor_checks.check_python((3, 11, 7)).status == "ok"
    assert doctor_checks.check_python((3, 12, 0)).status == "warn"


# --------------------------------------------------------------------------- data and memory
def test_missing_data_file_is_a_problem_with_restore_hint(tmp_path, monkeypatch):
    monkeypatch.setenv("NNCOURSE_DATA", str(tmp_path))  # an empty folder: both files missing
    findings = {f.check: f for f in doctor_checks.check_data_files()}
    mnist = findings["data/mnist.npz"]
    assert mnist.status == "problem" and mnist.detail == "missing"
    assert "git checkout -- data/mnist.npz" in mnist.fix
    assert findings["data/tinyshakespeare.txt"].status == "problem"


def test_altered_data_file_is_reported_as_altered(tmp_path, monkeypatch):
    (tmp_path / "tinyshakespeare.txt").write_text("To be or not to be\n", encoding="ascii")
    monkeypatch.setenv("NNCOURSE_DATA", str(tmp_path))
    found = {f.check: f for f in doctor_checks.check_data_files()}["data/tinyshakespeare.txt"]
    assert found.status == "problem" and "altered" in found.detail


def test_real_data_files_verify():
    assert all(f.status == "ok" for f in doctor_checks.check_data_files())


def test_free_memory_reads_meminfo(tmp_path):
    path = _write(tmp_path, "MemTotal:  8000000 kB\nMemFree:  1000 kB\nMemAvailable:  3000000 kB\n", "meminfo")
    assert doctor_checks.free_memory_bytes(path) == 3000000 * 1024


def test_free_memory_unknown_without_meminfo_or_psutil(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "psutil", None)  # makes `import psutil` fail, as on a bare Windows install
    assert doctor_checks.free_memory_bytes(tmp_path / "no-meminfo") is None
    finding = doctor_checks.check_memory(None)
    assert finding.status == "warn" and "unknown" in finding.detail


def test_memory_thresholds():
    assert doctor_checks.check_memory(1 * 1024**3).status == "warn"
    assert doctor_checks.check_memory(8 * 1024**3).status == "ok"


def test_quick_mode_finding(monkeypatch):
    monkeypatch.setenv("NNCOURSE_QUICK", "1")
    assert "on" in doctor_checks.check_quick_mode().detail
    monkeypatch.setenv("NNCOURSE_QUICK", "maybe")
    assert doctor_checks.check_quick_mode().status == "problem"


# --------------------------------------------------------------------------- report and CLI
def test_format_report_shows_fix_lines_only_for_non_ok():
    report = doctor.EnvironmentReport([doctor_checks.Finding("A", "ok", "fine"),
                                       doctor_checks.Finding("B", "problem", "broken", "do this")])
    text = doctor.format_report(report)
    assert "fix: do this" in text and text.count("fix: ") == 1
    assert "1 problem(s)" in text
    text.encode("ascii")  # prints on any console


def test_report_on_this_environment_has_no_problems():
    report = doctor.check_environment(tensorflow=False)
    assert report.ok, doctor.format_report(report)
    with pytest.raises(KeyError):
        report.get("no such check")


def _cli(*args: str, env_extra: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    import os

    env = {**os.environ, **(env_extra or {})}
    return subprocess.run([sys.executable, "-m", "utils.course.doctor", "--no-tensorflow", *args], cwd=repo_root(),
                          env=env, capture_output=True, text=True, timeout=120)


def test_cli_exit_code_0_when_ready():
    done = _cli()
    assert done.returncode == 0, done.stdout + done.stderr
    assert "NumPy" in done.stdout


def test_cli_exit_code_1_on_a_problem(tmp_path):
    done = _cli(env_extra={"NNCOURSE_DATA": str(tmp_path)})
    assert done.returncode == 1, done.stdout + done.stderr
    assert "git checkout -- data/mnist.npz" in done.stdout
