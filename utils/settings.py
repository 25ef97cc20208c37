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
from typing import TypeVar

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
    fast_cpu: bool = False

    def pick(self, *, quick: T, full: T) -> T:
        """Return ``quick`` in quick mode and ``full`` otherwise (e.g. ``cfg.pick(quick=2, full=30)``)."""
        return quick if self.quick else full


def silence_tensorflow_logs() -> None:
    """Set the environment variables that quieten TensorFlow's C++ start-up logs.

    Must run before the first ``import tensorflow``; :func:`setup` calls it for you. Existing values win.
    """
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")  # hide INFO and WARNING lines from the C++ core
    os.environ.setdefault(ONEDNN_ENV_VAR, "0")  # plain kernels unless asked: see choose_cpu_kernels


def choose_cpu_kernels(fast: bool) -> bool:
    """Choose TensorFlow's CPU kernels before TensorFlow is imported; return whether oneDNN is on.

    ``fast=True`` turns on the oneDNN kernels (``TF_ENABLE_ONEDNN_OPTS=1``): on x86 CPUs they run the
    convolutional GANs of notebooks 10 about 1.5-2x faster (``benchmarks/bench_gan_budgets.py``), but
    results may differ in the last digits from the plain kernels and from run to run. ``fast=False`` keeps
    the plain kernels unless the variable was already set. The choice is read once, when TensorFlow is
    first imported: if it already was, nothing changes and a note says to restart the kernel.
    """
    if not isinstance(fast, bool):
        raise TypeError(f"fast must be True or False, got {fast!r}")
    if "tensorflow" in sys.modules:
        in_effect = os.environ.get(ONEDNN_ENV_VAR, "") == "1"
        if fast and not in_effect:
            print("Note: TensorFlow was imported before utils.setup(fast_cpu=True), so the faster oneDNN kernels "
                  "stay off. Restart the kernel and run the set-up cell first.")
        return in_effect
    if fast:
        os.environ[ONEDNN_ENV_VAR] = "1"
    else:
        os.environ.setdefault(ONEDNN_ENV_VAR, "0")
    return os.environ[ONEDNN_ENV_VAR] == "1"


def seed_everything(seed: int = DEFAULT_SEED, *, tensorflow: bool = True) -> None:
    """Seed Python's ``random``, NumPy's global generator and, if asked, TensorFlow/Keras.

    Args:
        seed: a non-negative integer.
        tensorflow: also seed TensorFlow (imports it, which takes a few seconds the first time).
    """
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise ValueError(f"seed must be a non-negative int, got {seed!r}")
    import numpy as np

    random.seed(seed)
    np.random.seed(seed)
    if tensorflow:
        silence_tensorflow_logs()
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


def setup(seed: int = DEFAULT_SEED, *, tensorflow: bool = True, fast_cpu: bool = False,
          verbose: bool = True) -> CourseSettings:
    """The first call of every notebook: quiet logs, seeds, one plot style, a one-line summary.

    Args:
        seed: seed for Python, NumPy and TensorFlow (non-negative int).
        tensorflow: import and seed TensorFlow too (notebooks 00-03 do without it and start faster).
        fast_cpu: use TensorFlow's oneDNN CPU kernels (faster convolutions, results not bit-reproducible);
            see :func:`choose_cpu_kernels`.
        verbose: print the one-line summary.

    Returns:
        The :class:`CourseSettings` the notebook should read (``cfg.quick``, ``cfg.pick(...)``).
    """
    quick = quick_mode()
    fast = choose_cpu_kernels(fast_cpu)
    silence_tensorflow_logs()
    seed_everything(seed, tensorflow=tensorflow)
    from utils.plots import use_course_style

    use_course_style()
    if verbose:
        mode = "QUICK mode (short training, for tests)" if quick else "full mode"
        kernels = " · oneDNN CPU kernels on" if tensorflow and fast else ""
        print(f"Course set-up: {mode} · seed {seed} · {environment_summary(tensorflow=tensorflow)}{kernels}")
    return CourseSettings(quick=quick, seed=seed, tensorflow=tensorflow, fast_cpu=fast)


def in_notebook() -> bool:
    """True when running inside a Jupyter kernel (used to choose tqdm's notebook bar)."""
    return "ipykernel" in sys.modules


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
