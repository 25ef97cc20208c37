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
    settings.seed_everything(np.int64(7), tensorflow=False)  # a NumPy integer seeds the same way
    b = (random.random(), np.random.rand(3))
    assert a[0] == b[0] and np.array_equal(a[1], b[1])


@pytest.mark.parametrize("bad", [-1, 1.5, "3", True])
def test_seed_rejects_bad_values(bad):
    with pytest.raises(ValueError, match="seed must be an integer >= 0"):
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


def _run_setup(code: str, onednn_env: str | None) -> list[str]:
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if k != settings.ONEDNN_ENV_VAR}
    if onednn_env is not None:
        env[settings.ONEDNN_ENV_VAR] = onednn_env
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True,
                         cwd=utils.repo_root())
    return out.stdout.split()


def test_onednn_is_on_by_default_and_fast_cpu_false_turns_it_off():
    code = ("import os, sys; import utils\n"
            "cfg = utils.setup(tensorflow=False{arg}, verbose=False)\n"
            "assert 'tensorflow' not in sys.modules\n"
            "print(os.environ['TF_ENABLE_ONEDNN_OPTS'], cfg.fast_cpu)\n")
    assert _run_setup(code.format(arg=""), None) == ["1", "True"]
    assert _run_setup(code.format(arg=", fast_cpu=False"), None) == ["0", "False"]
    assert _run_setup(code.format(arg=", fast_cpu=False"), "1") == ["0", "False"]
    # an instructor's TF_ENABLE_ONEDNN_OPTS=0 in the environment wins over the default
    assert _run_setup(code.format(arg=""), "0") == ["0", "False"]


def test_setup_imports_tensorflow_without_the_onednn_notice_but_keeps_other_stderr():
    import subprocess
    import sys

    code = ("import os, sys; import utils\n"
            "print('before', file=sys.stderr, flush=True)\n"
            "cfg = utils.setup(verbose=False)\n"
            "import tensorflow as tf\n"
            "print(cfg.fast_cpu, tf.constant(2.0).numpy())\n")
    env = {k: v for k, v in os.environ.items() if k not in (settings.ONEDNN_ENV_VAR, "TF_CPP_MIN_LOG_LEVEL")}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True,
                         cwd=utils.repo_root())
    assert out.stdout.split() == ["True", "2.0"]
    assert "before" in out.stderr
    assert "oneDNN custom operations" not in out.stderr and "absl::InitializeLog" not in out.stderr, out.stderr
    # the same import outside setup() does print the notice: the filter above is what removes it
    plain = subprocess.run([sys.executable, "-c", "import tensorflow"], capture_output=True, text=True, env=env,
                           check=True, cwd=utils.repo_root())
    assert "oneDNN custom operations" in plain.stderr


def test_fast_cpu_after_tensorflow_import_changes_nothing_and_says_so(monkeypatch, capsys):
    import tensorflow  # noqa: F401  (imported: the choice can no longer take effect)

    in_effect = os.environ.get(settings.ONEDNN_ENV_VAR, "1") != "0"
    monkeypatch.setenv(settings.ONEDNN_ENV_VAR, "1" if in_effect else "0")
    assert settings.choose_cpu_kernels(not in_effect) is in_effect
    assert "Restart the kernel" in capsys.readouterr().out
    assert os.environ[settings.ONEDNN_ENV_VAR] == ("1" if in_effect else "0")


def test_remapper_false_runs_a_conv_gan_step_without_the_remapper_error():
    import subprocess
    import sys

    code = ("import utils, keras, tensorflow as tf\n"
            "cfg = utils.setup(verbose=False, remapper=False)\n"
            "from utils.reference import dcgan\n"
            "G, D = dcgan.build_generator(8, 4), dcgan.build_discriminator(4)\n"
            "step = dcgan.make_train_step(G, D, keras.optimizers.Adam(), keras.optimizers.Adam(), latent_dim=8)\n"
            "step(tf.zeros((4, 28, 28, 1)))\n"
            "print(tf.config.optimizer.get_experimental_options().get('remapping'))\n")
    env = {k: v for k, v in os.environ.items() if k != settings.ONEDNN_ENV_VAR}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True,
                         cwd=utils.repo_root())
    assert out.stdout.split() == ["False"]
    assert "remapper failed" not in out.stderr, out.stderr


def test_setup_with_a_notebook_number_prints_its_lab_time(capsys):
    utils.setup(tensorflow=False, notebook="05")
    out = capsys.readouterr().out.splitlines()
    assert out[1].startswith("Full mode (Restart and run all): about ") and "2-core AVX2 laptop" in out[1]
    assert "on this machine" in out[1] and "estimate" in out[1]
    with pytest.raises(KeyError, match="'5'"):
        utils.setup(tensorflow=False, notebook="5")


def test_setup_limits_numpy_blas_to_one_thread_by_default():
    import subprocess
    import sys

    code = ("import utils, threadpoolctl\n"
            "utils.setup(tensorflow=False, verbose=False{arg})\n"
            "print(max(p['num_threads'] for p in threadpoolctl.threadpool_info() if p['user_api'] == 'blas'))\n")
    env = {k: v for k, v in os.environ.items() if k not in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS")}
    env["OPENBLAS_NUM_THREADS"] = "2"  # as on a 2-core laptop
    run = [sys.executable, "-c"]
    out = subprocess.run(run + [code.format(arg="")], capture_output=True, text=True, env=env, check=True)
    assert out.stdout.split() == ["1"]
    out = subprocess.run(run + [code.format(arg=", blas_threads=None")], capture_output=True, text=True, env=env,
                         check=True)
    assert out.stdout.split() == ["2"]
    with pytest.raises(ValueError, match="blas_threads"):
        utils.settings.limit_blas_threads(0)
