"""Tests for utils.course.doctor's import probe: the doctor imports Keras (and NumPy, Matplotlib, utils) the way a notebook
does — same interpreter, working folder and environment — and reports a stray file, a Keras 2 on PYTHONPATH and
TF_USE_LEGACY_KERAS=1, which the version checks alone cannot see.

Every test except ``test_full_real_probe_*`` keeps TensorFlow out of the probe (``tensorflow=False``): a stray
``keras.py`` is found and imported without it, so these tests take about a second each.
"""
from __future__ import annotations

import os
import subprocess
import sys
import types
from pathlib import Path

import pytest

from utils.course import doctor, doctor_checks, doctor_imports, doctor_probe
from utils.settings import repo_root


def _env(**extra: str) -> dict[str, str]:
    """This process's environment plus ``extra``; a ``PYTHONPATH`` given is put before the existing one."""
    env = {key: value for key, value in os.environ.items() if key != "TF_USE_LEGACY_KERAS"}
    if "PYTHONPATH" in extra and env.get("PYTHONPATH"):
        extra["PYTHONPATH"] = extra["PYTHONPATH"] + os.pathsep + env["PYTHONPATH"]
    return {**env, **extra}


def _findings(folder: Path, env: dict[str, str] | None = None) -> dict[str, doctor_checks.Finding]:
    return {f.check: f for f in doctor_imports.check_imports(folder, _env() if env is None else env, tensorflow=False)}


def _fake_keras_2(tmp_path: Path) -> Path:
    """A folder holding a package ``keras`` that says it is Keras 2.15.0 (as an old Keras on PYTHONPATH does)."""
    (tmp_path / "old" / "keras").mkdir(parents=True)
    (tmp_path / "old" / "keras" / "__init__.py").write_text('__version__ = "2.15.0"\n', encoding="utf-8")
    return tmp_path / "old"


def _cli(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "utils.course.doctor", "--no-tensorflow", *args], cwd=repo_root(),
                          env=env, capture_output=True, text=True, timeout=180)


# --------------------------------------------------------------------------- a stray file beside the notebook
def test_stray_keras_py_in_the_folder_is_a_problem_naming_the_file(tmp_path):
    (tmp_path / "keras.py").write_text("x = 1\n", encoding="utf-8")
    keras = _findings(tmp_path)["import keras"]
    assert keras.status == "problem"
    assert str(tmp_path / "keras.py") in keras.detail and "a file of yours that hides the real Keras" in keras.detail
    assert f"rename or delete {tmp_path / 'keras.py'}" in keras.fix
    assert _findings(tmp_path)["import numpy"].status == "ok", "only Keras is hidden"


def test_stray_keras_folder_is_a_problem_naming_the_folder(tmp_path):
    (tmp_path / "keras").mkdir()
    (tmp_path / "keras" / "__init__.py").write_text("", encoding="utf-8")
    keras = _findings(tmp_path)["import keras"]
    assert keras.status == "problem"
    assert str(tmp_path / "keras" / "__init__.py") in keras.detail
    assert f"rename or delete {tmp_path / 'keras'}," in keras.fix


def test_stray_keras_fails_the_whole_report(tmp_path):
    (tmp_path / "keras.py").write_text("x = 1\n", encoding="utf-8")
    report = doctor.check_environment(tensorflow=False, folder=tmp_path, env=_env())
    assert not report.ok and [f.check for f in report.problems] == ["import keras"], doctor.format_report(report)


def test_stray_keras_fails_the_cli(tmp_path):
    (tmp_path / "keras.py").write_text("x = 1\n", encoding="utf-8")
    done = _cli("--folder", str(tmp_path), env=_env())
    assert done.returncode == 1, done.stdout + done.stderr
    assert f"keras imported from {tmp_path / 'keras.py'}" in done.stdout


def test_stray_numpy_and_utils_are_named_and_later_failures_point_to_them(tmp_path):
    (tmp_path / "numpy.py").write_text('raise ImportError("my numpy.py")\n', encoding="utf-8")
    (tmp_path / "utils.py").write_text("def helper():\n    return 1\n", encoding="utf-8")
    found = _findings(tmp_path)
    numpy, utils = found["import numpy"], found["import utils"]
    assert numpy.status == "problem" and str(tmp_path / "numpy.py") in numpy.detail
    assert "my numpy.py" in numpy.detail, "the error of the stray file is shown"
    assert utils.status == "problem" and str(tmp_path / "utils.py") in utils.detail
    # Matplotlib fails because it imports the stray numpy.py: the fix says so instead of "reinstall"
    matplotlib = found["import matplotlib"]
    assert matplotlib.status == "problem" and "import numpy" in matplotlib.fix


def test_inside_a_notebook_the_current_folder_is_checked(tmp_path, monkeypatch):
    """A notebook's kernel runs in the notebook's folder: a stray keras.py there is what matters."""
    (tmp_path / "keras.py").write_text("x = 1\n", encoding="utf-8")
    monkeypatch.setitem(sys.modules, "ipykernel", types.ModuleType("ipykernel"))
    monkeypatch.chdir(tmp_path)
    report = doctor.check_environment(tensorflow=False)
    assert not report.ok, doctor.format_report(report)
    assert str(tmp_path / "keras.py") in report.get("import keras").detail
    assert doctor_probe.default_probe_folder() == tmp_path


def test_outside_a_notebook_the_notebooks_folder_is_checked(monkeypatch):
    monkeypatch.delitem(sys.modules, "ipykernel", raising=False)
    assert doctor_probe.default_probe_folder() == repo_root() / "notebooks"


def test_missing_folder_is_a_clear_error(tmp_path):
    probe = doctor_probe.run_import_probe(tmp_path / "nope", tensorflow=False)
    assert "not an existing folder" in probe.failure and not probe.modules
    assert doctor_imports.check_imports(probe=probe)[0].status == "problem"
    done = _cli("--folder", str(tmp_path / "nope"), env=_env())
    assert done.returncode == 2 and "no such folder" in done.stderr


# --------------------------------------------------------------------------- Keras 2 on PYTHONPATH
def test_keras_2_on_pythonpath_is_a_problem_naming_keras_2_and_pythonpath(tmp_path):
    old = _fake_keras_2(tmp_path)
    (tmp_path / "work").mkdir()
    keras = _findings(tmp_path / "work", _env(PYTHONPATH=str(old)))["import keras"]
    assert keras.status == "problem"
    assert "Keras 2.15.0" in keras.detail and str(old / "keras" / "__init__.py") in keras.detail
    assert "PYTHONPATH=" in keras.detail and "needs Keras 3" in keras.detail
    assert f"remove {old} from PYTHONPATH" in keras.fix


def test_keras_2_on_pythonpath_fails_the_cli(tmp_path):
    """The version checks read the installed Keras 3's metadata; only importing shows the Keras 2 in front."""
    done = _cli(env=_env(PYTHONPATH=str(_fake_keras_2(tmp_path))))
    assert done.returncode == 1, done.stdout + done.stderr
    assert "Keras 2.15.0 imported from" in done.stdout and "PYTHONPATH" in done.stdout


def test_module_outside_site_packages_but_not_on_pythonpath_is_a_problem(tmp_path):
    probe = doctor_probe.ImportProbe(folder=tmp_path / "nb", site_dirs=(tmp_path / "site",))
    found = doctor_probe.ModuleImport("numpy", str(tmp_path / "elsewhere" / "numpy" / "__init__.py"), "2.4.6", None, True)
    finding = doctor_imports.judge_module_import("NumPy", found, probe, env={})
    assert finding.status == "problem" and "not from this Python's site-packages" in finding.detail
    assert str(tmp_path / "elsewhere" / "numpy") in finding.fix


def test_keras_2_installed_in_site_packages_is_a_problem(tmp_path):
    probe = doctor_probe.ImportProbe(folder=tmp_path / "nb", site_dirs=(tmp_path / "site",))
    found = doctor_probe.ModuleImport("keras", str(tmp_path / "site" / "keras" / "__init__.py"), "2.15.0", None, True)
    finding = doctor_imports.judge_module_import("Keras", found, probe, env={})
    assert finding.status == "problem" and "Keras 2.15.0" in finding.detail and "keras>=3" in finding.fix


def test_folder_holding_the_environment_is_not_mistaken_for_stray_files(tmp_path):
    """Checking from a folder that contains the virtual environment (e.g. the course root with .venv/)."""
    site = tmp_path / ".venv" / "lib" / "site-packages"
    probe = doctor_probe.ImportProbe(folder=tmp_path, site_dirs=(site,))
    found = doctor_probe.ModuleImport("keras", str(site / "keras" / "__init__.py"), "3.15.1", None, True)
    assert doctor_imports.judge_module_import("Keras", found, probe, env={}).status == "ok"


# --------------------------------------------------------------------------- TF_USE_LEGACY_KERAS
@pytest.mark.parametrize("value", ["1", "true", "True"])
def test_tf_use_legacy_keras_is_a_problem(tmp_path, value):
    finding = _findings(tmp_path, _env(TF_USE_LEGACY_KERAS=value))["tf.keras"]
    assert finding.status == "problem"
    assert f"TF_USE_LEGACY_KERAS={value} makes tf.keras Keras 2 (tf_keras)" in finding.detail
    assert "unset TF_USE_LEGACY_KERAS" in finding.fix


def test_tf_use_legacy_keras_values_tensorflow_ignores_are_ok():
    assert doctor_imports.check_legacy_keras({"TF_USE_LEGACY_KERAS": "0"}).status == "ok"
    assert doctor_imports.check_legacy_keras({}).status == "ok"


def test_tf_use_legacy_keras_fails_the_cli():
    done = _cli(env=_env(TF_USE_LEGACY_KERAS="1"))
    assert done.returncode == 1, done.stdout + done.stderr
    assert "TF_USE_LEGACY_KERAS=1 makes tf.keras Keras 2" in done.stdout


def test_tf_keras_that_is_keras_2_is_a_problem():
    legacy = doctor_probe.ModuleImport("tf_keras.api._v2.keras", "/x/tf_keras/api/_v2/keras/__init__.py", "2.17.0",
                                 None, True)
    assert doctor_imports.check_legacy_keras({}, legacy).status == "problem"


# --------------------------------------------------------------------------- the probe itself
def test_probe_reports_version_and_file_when_ok(tmp_path):
    found = _findings(tmp_path)
    for check in ("import numpy", "import matplotlib", "import utils", "import keras"):
        assert found[check].status == "ok", found[check]
    import numpy

    assert found["import numpy"].detail == f"{numpy.__version__} from {numpy.__file__}"
    assert found["import utils"].detail.endswith(str(repo_root() / "utils" / "__init__.py"))
    assert "not imported" in found["import keras"].detail, "without TensorFlow, Keras is only located"


def test_probe_crash_is_reported_clearly(tmp_path):
    """A Python that cannot start (here: a PYTHONHOME pointing nowhere) gives one clear problem, no traceback."""
    findings = doctor_imports.check_imports(tmp_path, _env(PYTHONHOME=str(tmp_path / "nowhere")), tensorflow=False)
    crash = findings[0]
    assert crash.check == "import check" and crash.status == "problem"
    assert "crashed (exit code" in crash.detail and str(tmp_path) in crash.fix


def test_probe_timeout_is_reported_clearly(tmp_path):
    (tmp_path / "keras.py").write_text("import time\ntime.sleep(30)\n", encoding="utf-8")
    findings = doctor_imports.check_imports(tmp_path, _env(), tensorflow=False, timeout=3)
    assert findings[0].check == "import check" and "did not finish within 3 s" in findings[0].detail


def test_probe_answer_survives_prints_of_stray_modules(tmp_path):
    (tmp_path / "keras.py").write_text('print("hello from my keras.py", end="")\n', encoding="utf-8")
    assert str(tmp_path / "keras.py") in _findings(tmp_path)["import keras"].detail


def test_unreadable_probe_output_is_a_failure(tmp_path):
    assert "crashed" in doctor_probe.parse_probe_output(tmp_path, 1, "", "Boom: it broke\n").failure
    assert "Boom: it broke" in doctor_probe.parse_probe_output(tmp_path, 1, "", "Boom: it broke\n").failure
    assert "unreadable" in doctor_probe.parse_probe_output(tmp_path, 0, doctor_probe.PROBE_MARKER + "{nope", "").failure


# --------------------------------------------------------------------------- one full, real probe
def test_full_real_probe_imports_keras_3_and_tensorflow_from_site_packages(tmp_path):
    """The only test that imports TensorFlow in the probe (a few seconds): every module ok, devices listed."""
    probe = doctor_probe.run_import_probe(tmp_path, _env(), tensorflow=True)
    assert probe.failure is None, probe.failure
    keras = probe.modules["keras"]
    assert keras.imported and keras.version is not None and keras.version.startswith("3.")
    assert any(doctor_imports._is_inside(keras.file, d) for d in probe.site_dirs)
    findings = {f.check: f for f in doctor_imports.check_imports(env=_env(), probe=probe)}
    assert set(findings) >= {"import keras", "import tensorflow", "tf.keras"}
    assert all(f.status == "ok" for f in findings.values()), findings
    assert findings["import keras"].detail == f"{keras.version} from {keras.file}"
    assert findings["tf.keras"].detail.startswith(f"Keras {keras.version}")
    assert doctor_imports.check_devices_from_probe(probe).status == "ok"
    assert probe.devices is not None and probe.devices[0] >= 1
