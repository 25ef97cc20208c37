"""Course-wide settings: the quick-mode switch, seeding and the one set-up call each notebook makes first.

Every notebook starts with::

    import utils
    cfg = utils.setup()            # seeds everything, sets the plot style, prints one line
    EPOCHS = cfg.pick(quick=2, full=30)

Quick mode is read from the environment variable ``NNCOURSE_QUICK`` (``1``/``true``/``yes`` turn it on).
The test suite turns it on so every notebook runs in seconds; students run in full mode by default.
Nothing here keeps hidden state: :func:`quick_mode` reads the environment each time it is called.
"""
from __future__ import annotations

import os
import platform
import random
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import MutableMapping, TypeVar

QUICK_ENV_VAR = "NNCOURSE_QUICK"
"""Name of the environment variable that switches quick mode on (``NNCOURSE_QUICK=1``)."""
OUTPUT_ENV_VAR = "NNCOURSE_OUTPUT_DIR"
"""Environment variable naming another folder for notebook outputs (the tests point it at a temp folder)."""

ONEDNN_ENV_VAR = "TF_ENABLE_ONEDNN_OPTS"
"""TensorFlow's switch for its oneDNN CPU kernels, read once when TensorFlow is imported."""

DEFAULT_SEED = 42

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"", "0", "false", "no", "off"}

T = TypeVar("T")


def quick_mode() -> bool:
    """Return True when quick mode is on (environment variable ``NNCOURSE_QUICK``).

    Raises:
        ValueError: if the variable holds something other than 1/0, true/false, yes/no or on/off.
    """
    raw = os.environ.get(QUICK_ENV_VAR, "").strip().lower()
    if raw in _TRUE:
        return True
    if raw in _FALSE:
        return False
    raise ValueError(
        f"{QUICK_ENV_VAR}={os.environ[QUICK_ENV_VAR]!r} is not understood: "
        f"set it to 1 (quick mode on) or 0 (full mode), or unset it."
    )


@dataclass(frozen=True)
class CourseSettings:
    """What :func:`setup` decided, so a notebook can read it instead of global state.

    Attributes:
        quick: True in quick mode (tests), False in full mode (the lab).
        seed: the seed given to Python, NumPy and (if loaded) TensorFlow.
        tensorflow: True if TensorFlow was imported and seeded.
        fast_cpu: True if TensorFlow runs with its oneDNN CPU kernels (see :func:`choose_cpu_kernels`).
    """

    quick: bool
    seed: int
    tensorflow: bool
    fast_cpu: bool = True

    def pick(self, *, quick: T, full: T) -> T:
        """Return ``quick`` in quick mode and ``full`` otherwise (e.g. ``cfg.pick(quick=2, full=30)``)."""
        return quick if self.quick else full


_IMPORT_NOTICES = ("WARNING: All log messages before absl::InitializeLog() is called are written to STDERR",
                   "oneDNN custom operations are on.")
"""The two lines TensorFlow 2.21 writes to stderr when it is imported with oneDNN on. They come before TensorFlow's
logging is initialised, so ``TF_CPP_MIN_LOG_LEVEL`` cannot hide them (checked: they appear at level 2 and 3)."""


def silence_tensorflow_logs(env: MutableMapping[str, str] | None = None) -> None:
    """Set the environment variable that quietens TensorFlow's C++ INFO and WARNING lines (errors still show).

    Must run before the first ``import tensorflow``; :func:`setup` calls it for you. An existing value wins.

    Args:
        env: the environment to set it in: ``None`` for this process's ``os.environ``, or the dict a child
            process (a test kernel, the doctor's probe, a Jupyter server) will be started with.
    """
    (os.environ if env is None else env).setdefault("TF_CPP_MIN_LOG_LEVEL", "2")  # hide C++ INFO and WARNING


def import_tensorflow_quietly() -> None:
    """Import TensorFlow and Keras, dropping only the oneDNN start-up notice from what they write to stderr.

    The notice says results "may differ slightly" because oneDNN sums in another order; the course says so once,
    in :func:`setup`'s docstring and README, instead of in red under every set-up cell. Everything else TensorFlow
    writes to the error stream during the import (warnings, errors, a failed import's traceback) is passed on
    unchanged. Does nothing if TensorFlow is already imported.
    """
    if "tensorflow" in sys.modules and "keras" in sys.modules:
        return
    import tempfile

    sys.stderr.flush()
    saved = os.dup(2)
    with tempfile.TemporaryFile(mode="w+b") as captured:
        os.dup2(captured.fileno(), 2)
        try:
            import tensorflow  # noqa: F401
            import keras  # noqa: F401
        finally:
            os.dup2(saved, 2)
            os.close(saved)
            captured.seek(0)
            text = captured.read().decode("utf-8", errors="replace")
            kept = [line for line in text.splitlines(keepends=True)
                    if not any(notice in line for notice in _IMPORT_NOTICES)]
            if kept:
                sys.stderr.write("".join(kept))
                sys.stderr.flush()


def choose_cpu_kernels(fast: bool) -> bool:
    """Choose TensorFlow's CPU kernels before TensorFlow is imported; return whether oneDNN is on.

    ``fast=True`` (the course default, and TensorFlow's own default on x86) uses the oneDNN kernels: on a 2-core
    AVX2 CPU they train notebook 10's DCGAN about 1.5x faster and notebook 05's CNN about 1.3x faster
    (``benchmarks/bench_cpu_kernels.py``). Their sums run in another order, so results can differ in the last
    digits between machines and runs. ``fast=False`` (``TF_ENABLE_ONEDNN_OPTS=0``) gives TensorFlow's plain
    kernels: slower, but the same numbers on every run of the same machine. A value already in the environment
    (an instructor's ``TF_ENABLE_ONEDNN_OPTS=0``, say) wins over ``fast=True``. The choice is read once, when
    TensorFlow is first imported: if it already was, nothing changes and a note says to restart the kernel.
    """
    if "tensorflow" in sys.modules:
        in_effect = os.environ.get(ONEDNN_ENV_VAR, "1") != "0"
        if fast != in_effect:
            print(f"Note: TensorFlow was imported before utils.setup(fast_cpu={fast}), so its oneDNN kernels stay "
                  f"{'on' if in_effect else 'off'}. Restart the kernel and run the set-up cell first.")
        return in_effect
    if fast:
        os.environ.setdefault(ONEDNN_ENV_VAR, "1")
    else:
        os.environ[ONEDNN_ENV_VAR] = "0"
    return os.environ[ONEDNN_ENV_VAR] != "0"


def limit_blas_threads(threads: int) -> None:
    """Let NumPy's BLAS (OpenBLAS, or MKL in some Anaconda builds) use at most ``threads`` threads from now on.

    Uses ``threadpoolctl``, which finds the BLAS library NumPy loaded, whichever it is. Lasts for the process.
    """
    from threadpoolctl import threadpool_limits

    from utils.validation import check_positive_int

    threadpool_limits(limits=check_positive_int(threads, "blas_threads"), user_api="blas")


def turn_off_remapper() -> None:
    """Turn off TensorFlow's grappler *remapper*, the graph pass that fuses e.g. Conv2D + BiasAdd + ReLU.

    With oneDNN on, the remapper fails on a GAN train step whose discriminator has Conv2D + LeakyReLU (TensorFlow
    2.21 prints ``remapper failed: INVALID_ARGUMENT: Mutation::Apply error`` and runs that graph unfused). Off,
    the graph runs just as fast and nothing is printed (``benchmarks/bench_cpu_kernels.py``). Keep it on for a
    plain classifier: it makes notebook 05's CNN about 25 % faster. Affects graphs traced after the call.
    """
    import tensorflow as tf

    tf.config.optimizer.set_experimental_options({"remapping": False})


def seed_everything(seed: int = DEFAULT_SEED, *, tensorflow: bool = True) -> None:
    """Seed Python's ``random``, NumPy's global generator and, if asked, TensorFlow/Keras.

    Args:
        seed: a non-negative integer.
        tensorflow: also seed TensorFlow (imports it, which takes a few seconds the first time).
    """
    import numpy as np

    from utils.validation import check_positive_int

    seed = check_positive_int(seed, "seed", minimum=0)

    random.seed(seed)
    np.random.seed(seed)
    if tensorflow:
        silence_tensorflow_logs()
        import_tensorflow_quietly()
        import keras

        keras.utils.set_random_seed(seed)  # seeds Python, NumPy and the TensorFlow backend together


def environment_summary(*, tensorflow: bool) -> str:
    """One line naming the versions a student (or an instructor reading a hand-in) needs to see."""
    import numpy as np

    parts = [f"Python {platform.python_version()}", f"NumPy {np.__version__}"]
    if tensorflow:
        import keras
        import tensorflow as tf

        gpus = tf.config.list_physical_devices("GPU")
        parts += [f"TensorFlow {tf.__version__}", f"Keras {keras.__version__}",
                  f"{len(gpus)} GPU(s)" if gpus else "CPU only"]
    return " · ".join(parts)


def setup(seed: int = DEFAULT_SEED, *, tensorflow: bool = True, fast_cpu: bool = True, remapper: bool = True,
          blas_threads: int | None = 1, notebook: str | None = None, verbose: bool = True) -> CourseSettings:
    """The first call of every notebook: quiet logs, seeds, one plot style, a one-line summary.

    Args:
        seed: seed for Python, NumPy and TensorFlow (non-negative int).
        tensorflow: import and seed TensorFlow too (notebooks 00-03 do without it and start faster).
        fast_cpu: use TensorFlow's oneDNN CPU kernels (the default: faster; results can differ in the last
            digits from run to run). ``False`` gives bit-reproducible plain kernels; see :func:`choose_cpu_kernels`.
        remapper: keep TensorFlow's graph-fusing pass on; the convolutional GAN notebooks turn it off
            (see :func:`turn_off_remapper`).
        blas_threads: threads NumPy's linear algebra (OpenBLAS) may use from now on in this kernel; ``None``
            leaves its default (one per core). One, the default: the course's matrices are small, and on a
            2-core laptop two BLAS threads wait on each other (notebook 04's training loops ran 2-12 times
            slower with two, ``benchmarks/bench_blas_threads.py``). TensorFlow's own threads are not affected.
        notebook: the notebook's two-digit number (``"05"``): prints how long its full-mode run takes on the
            course's reference AVX2 laptop and, from a 0.3-second calibration, on this machine
            (:mod:`utils.machine`).
        verbose: print the one-line summary.

    Returns:
        The :class:`CourseSettings` the notebook should read (``cfg.quick``, ``cfg.pick(...)``).
    """
    quick = quick_mode()
    if blas_threads is not None:
        limit_blas_threads(blas_threads)
    fast = choose_cpu_kernels(fast_cpu)
    silence_tensorflow_logs()
    seed_everything(seed, tensorflow=tensorflow)
    if tensorflow and not remapper:
        turn_off_remapper()
    from utils.plots import use_course_style

    use_course_style()
    if verbose:
        mode = "QUICK mode (short training, for tests)" if quick else "full mode"
        kernels = (" · oneDNN CPU kernels " + ("on" if fast else "off (fast_cpu=False)")) if tensorflow else ""
        print(f"Course set-up: {mode} · seed {seed} · {environment_summary(tensorflow=tensorflow)}{kernels}")
        if notebook is not None:
            print(lab_time_line(notebook))
    return CourseSettings(quick=quick, seed=seed, tensorflow=tensorflow, fast_cpu=fast)


def lab_time_line(notebook: str) -> str:
    """One line: notebook ``notebook``'s full-mode run time on the reference AVX2 laptop and, estimated, here."""
    from utils import machine

    reference = machine.REFERENCE_SECONDS[notebook]  # KeyError for anything but a course notebook's "05"
    here = machine.estimate_full_seconds(notebook)
    here_text = machine.format_duration(here) if here is not None else "unknown"
    return (f"Full mode (Restart and run all): {machine.format_duration(reference)} on a 2-core AVX2 laptop; "
            f"{here_text} on this machine ({machine.cpu_model()}, {machine.vector_extensions()}; estimate).")


def repo_root() -> Path:
    """The course pack's top folder (the one holding ``utils/``, ``data/`` and ``notebooks/``)."""
    return Path(__file__).resolve().parent.parent


def output_root() -> Path:
    """Where notebooks write what they produce: ``$NNCOURSE_OUTPUT_DIR`` if set, else ``outputs/`` at the top.

    The test suite sets ``NNCOURSE_OUTPUT_DIR`` to a temporary folder, so running the tests never writes into
    the checkout. Read from the environment on every call (no hidden state).
    """
    override = os.environ.get(OUTPUT_ENV_VAR, "").strip()
    return Path(override).expanduser() if override else repo_root() / "outputs"


def output_dir(name: str) -> Path:
    """A folder ``<output root>/<name>`` (``outputs/<name>``, ignored by git, unless
    ``NNCOURSE_OUTPUT_DIR`` says otherwise: see :func:`output_root`), created if needed.

    Notebooks write everything they produce (saved models, PNGs, exported vectors) here, never into
    ``notebooks/`` or ``data/``.
    """
    if not name or any(ch in name for ch in "\\:") or name.startswith("/") or ".." in name.split("/"):
        raise ValueError(f"output folder name must be a plain relative name like '05_keras_mnist', got {name!r}")
    path = output_root() / name
    path.mkdir(parents=True, exist_ok=True)
    return path
