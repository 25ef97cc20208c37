"""Quick mode, seeding, set-up and output folders."""
import os
import random

import numpy as np
import pytest

import utils
from utils import settings


def test_quick_mode_reads_environment_each_call(monkeypatch):
    monkeypatch.setenv(settings.QUICK_ENV_VAR, "1")
    assert settings.quick_mode() is True
    monkeypatch.setenv(settings.QUICK_ENV_VAR, "0")
    assert settings.quick_mode() is False
    monkeypatch.delenv(settings.QUICK_ENV_VAR)
    assert settings.quick_mode() is False


def test_quick_mode_rejects_unknown_value(monkeypatch):
    monkeypatch.setenv(settings.QUICK_ENV_VAR, "maybe")
    with pytest.raises(ValueError, match="NNCOURSE_QUICK='maybe'"):
        settings.quick_mode()


def test_pick_follows_mode():
    assert settings.CourseSettings(quick=True, seed=0, tensorflow=False).pick(quick=2, full=30) == 2
    assert settings.CourseSettings(quick=False, seed=0, tensorflow=False).pick(quick=2, full=30) == 30


def test_seed_everything_makes_numpy_and_random_repeat():
    settings.seed_everything(7, tensorflow=False)
    a = (random.random(), np.random.rand(3))
    settings.seed_everything(7, tensorflow=False)
    b = (random.random(), np.random.rand(3))
    assert a[0] == b[0] and np.array_equal(a[1], b[1])


@pytest.mark.parametrize("bad", [-1, 1.5, "3", True])
def test_seed_rejects_bad_values(bad):
    with pytest.raises(ValueError, match="seed must be a non-negative int"):
        settings.seed_everything(bad, tensorflow=False)


def test_setup_prints_one_line_and_returns_settings(monkeypatch, capsys):
    monkeypatch.setenv(settings.QUICK_ENV_VAR, "1")
    cfg = utils.setup(seed=3, tensorflow=False)
    out = capsys.readouterr().out.strip().splitlines()
    assert len(out) == 1 and "QUICK mode" in out[0] and "seed 3" in out[0]
    assert cfg == settings.CourseSettings(quick=True, seed=3, tensorflow=False)


def test_setup_seeds_tensorflow():
    import tensorflow as tf

    utils.setup(seed=5, tensorflow=True, verbose=False)
    a = tf.random.uniform((3,)).numpy()
    utils.setup(seed=5, tensorflow=True, verbose=False)
    b = tf.random.uniform((3,)).numpy()
    assert np.array_equal(a, b)


def test_output_dir_is_under_outputs_by_default_and_rejects_escapes(monkeypatch):
    monkeypatch.delenv("NNCOURSE_OUTPUT_DIR", raising=False)
    assert utils.settings.output_root() == utils.repo_root() / "outputs"
    for bad in ["", "../x", "/abs", "a/../../b", "C:\\x"]:
        with pytest.raises(ValueError, match="plain relative name"):
            utils.output_dir(bad)


def test_output_dir_follows_the_environment_variable(monkeypatch, tmp_path):
    monkeypatch.setenv("NNCOURSE_OUTPUT_DIR", str(tmp_path / "elsewhere"))
    path = utils.output_dir("05_keras_mnist")
    assert path == tmp_path / "elsewhere" / "05_keras_mnist" and path.is_dir()


def test_the_suite_writes_outputs_outside_the_checkout():
    # conftest.py points NNCOURSE_OUTPUT_DIR at a temporary folder before any notebook kernel starts
    root = utils.settings.output_root().resolve()
    assert utils.repo_root().resolve() not in [root, *root.parents]


def test_fast_cpu_turns_on_onednn_before_tensorflow_is_imported(tmp_path):
    import subprocess
    import sys

    code = ("import os, sys; import utils\n"
            "cfg = utils.setup(tensorflow=False, fast_cpu=True, verbose=False)\n"
            "assert 'tensorflow' not in sys.modules\n"
            "print(os.environ['TF_ENABLE_ONEDNN_OPTS'], cfg.fast_cpu)\n")
    env = {k: v for k, v in os.environ.items() if k != settings.ONEDNN_ENV_VAR}
    env[settings.ONEDNN_ENV_VAR] = "0"  # an earlier default must not block an explicit request
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True,
                         cwd=utils.repo_root())
    assert out.stdout.split() == ["1", "True"]
    code_off = code.replace("fast_cpu=True", "fast_cpu=False")
    out = subprocess.run([sys.executable, "-c", code_off], capture_output=True, text=True, env=env, check=True,
                         cwd=utils.repo_root())
    assert out.stdout.split() == ["0", "False"]


def test_fast_cpu_after_tensorflow_import_changes_nothing_and_says_so(monkeypatch, capsys):
    import tensorflow  # noqa: F401  (imported: the choice can no longer take effect)

    monkeypatch.setenv(settings.ONEDNN_ENV_VAR, "0")
    assert settings.choose_cpu_kernels(True) is False
    assert "Restart the kernel" in capsys.readouterr().out
    assert os.environ[settings.ONEDNN_ENV_VAR] == "0"
    with pytest.raises(TypeError, match="True or False"):
        settings.choose_cpu_kernels("yes")
