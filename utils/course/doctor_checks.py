"""The doctor's single checks: one :class:`Finding` each for Python, package versions against
``requirements.txt``, Keras 3, widgets, the data files, free memory, TensorFlow's devices and quick mode.

:mod:`utils.course.doctor` runs them all (with the import checks of :mod:`utils.course.doctor_imports`) and
prints the report. Every check returns findings and never raises for a broken environment.
"""
from __future__ import annotations

import importlib.util
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal, Mapping, Sequence

from utils.course.versions import canonical_name

if TYPE_CHECKING:  # packaging is imported lazily inside the functions
    from packaging.requirements import Requirement

Status = Literal["ok", "warn", "problem"]
STATUSES: tuple[Status, ...] = ("ok", "warn", "problem")

MIN_PYTHON = (3, 10)
"""Oldest Python the course supports (``requires-python`` in pyproject.toml)."""
TESTED_PYTHON = (3, 11)
"""The Python version the course is tested with."""

CHECKED_PACKAGES: tuple[tuple[str, str], ...] = (
    ("TensorFlow", "tensorflow"),
    ("Keras", "keras"),
    ("NumPy", "numpy"),
    ("Matplotlib", "matplotlib"),
    ("ipywidgets", "ipywidgets"),
    ("JupyterLab", "jupyterlab"),
)
"""(label shown in the report, canonical distribution name) of every package whose version is checked."""

LOW_MEMORY_BYTES = 2 * 1024**3
"""Below this much available memory (2 GiB) the report warns: training the larger models may fail."""

INSTALL_FIX = "pip install -r requirements.txt   (in the course folder, with the course environment active)"


@dataclass(frozen=True)
class Finding:
    """One line of the report.

    Attributes:
        check: what was checked, e.g. ``"NumPy"`` or ``"data/mnist.npz"``.
        status: ``"ok"``, ``"warn"`` or ``"problem"``.
        detail: what was found, short (e.g. ``"2.4.6 (wanted <2.5,>=2.4)"``).
        fix: one line saying what to do; empty when the status is ok.
    """

    check: str
    status: Status
    detail: str
    fix: str = ""


# --------------------------------------------------------------------------- requirements.txt
def parse_requirements(path: str | os.PathLike[str],
                       environment: Mapping[str, str] | None = None) -> dict[str, Requirement]:
    """Read the version ranges of a ``requirements.txt`` that apply to this computer.

    Comments, blank lines and option lines (``-e .``, ``-r other.txt``) are skipped. Environment markers
    (``; sys_platform != "darwin"``) are evaluated for this computer, or for ``environment`` (a partial PEP 508
    marker environment such as ``{"sys_platform": "darwin"}``) when given.

    Args:
        path: the requirements file.
        environment: marker variables to override, for checking another platform.

    Returns:
        ``{canonical name: packaging.requirements.Requirement}``; ``tensorflow-cpu`` is stored under
        ``"tensorflow"`` (see :func:`canonical_name`).

    Raises:
        OSError: if the file cannot be read (``FileNotFoundError`` if it does not exist).
        ValueError: on a line that is not a valid requirement (the message names the file and line number).
    """
    from packaging.requirements import InvalidRequirement, Requirement

    path = Path(path)
    found: dict[str, Requirement] = {}
    for lineno, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.split(" #", 1)[0].strip()
        if not line or line.startswith("#") or line.startswith("-"):
            continue
        try:
            req = Requirement(line)
        except InvalidRequirement as exc:
            raise ValueError(f"{path}, line {lineno}: {line!r} is not a valid requirement ({exc})") from exc
        if req.marker is not None and not req.marker.evaluate(dict(environment) if environment else None):
            continue
        found[canonical_name(req.name)] = req
    return found


def course_requirements() -> dict[str, Requirement]:
    """The course's ``requirements.txt`` as :func:`parse_requirements` reads it ({} if missing or unreadable)."""
    from utils.settings import repo_root

    try:
        return parse_requirements(repo_root() / "requirements.txt")
    except (OSError, ValueError):
        return {}


def install_fix(name: str, restart: str, *, upgrade: bool = False, requirement: Requirement | None = None) -> str:
    """The fix line that installs ``name`` in the course's range, e.g.
    ``pip install -U "keras>=3.15,<4"   (then restart the kernel)``.

    Args:
        name: the distribution, e.g. ``"keras"``.
        restart: what to restart afterwards, e.g. ``"the kernel"`` or ``"JupyterLab"``.
        upgrade: add ``-U``.
        requirement: the range to install; default: ``name``'s line in the course's ``requirements.txt``.
            Without a range, the general :data:`INSTALL_FIX`.
    """
    req = requirement if requirement is not None else course_requirements().get(canonical_name(name))
    if req is None or not req.specifier:
        return INSTALL_FIX
    bounds = sorted(req.specifier, key=lambda s: (s.operator.startswith("<"), str(s)))  # lower bound first
    return f'pip install {"-U " if upgrade else ""}"{req.name}{",".join(map(str, bounds))}"   (then restart {restart})'


def check_version(label: str, installed: str | None, requirement: Requirement | None) -> Finding:
    """Compare an installed version with a requirement's range.

    Args:
        label: name shown in the report (``"NumPy"``).
        installed: the installed version string, or None when not installed.
        requirement: a ``packaging.requirements.Requirement`` or None when requirements.txt has no range.
    """
    from packaging.version import InvalidVersion, Version

    spec = requirement.specifier if requirement is not None else None
    wanted = str(spec) if spec else "any"
    fix = f'pip install "{requirement.name}{spec}"' if requirement is not None and spec else INSTALL_FIX
    if installed is None:
        return Finding(label, "problem", f"not installed (wanted {wanted})", fix)
    if not spec:
        return Finding(label, "ok", f"{installed}")
    try:
        ok = spec.contains(Version(installed), prereleases=True)
    except InvalidVersion:
        return Finding(label, "warn", f"{installed} (cannot compare with {wanted})", fix)
    if ok:
        return Finding(label, "ok", f"{installed} (course: {wanted})")
    return Finding(label, "problem", f"{installed}, but the course needs {wanted}", fix)


# --------------------------------------------------------------------------- single checks
def check_python(version: Sequence[int] | None = None) -> Finding:
    """Python version: a problem below 3.10, a warning if it is not the tested 3.11 (``version``: for tests)."""
    v = tuple(version) if version is not None else tuple(sys.version_info[:3])
    text = ".".join(map(str, v))
    if v[:2] < MIN_PYTHON:
        return Finding("Python", "problem", f"{text}, the course needs >= {MIN_PYTHON[0]}.{MIN_PYTHON[1]}",
                       "create the course environment: conda env create -f environment.yml")
    if v[:2] != TESTED_PYTHON:
        return Finding("Python", "warn", f"{text} (the course is tested with {TESTED_PYTHON[0]}.{TESTED_PYTHON[1]})",
                       "if something fails, use the course environment: conda env create -f environment.yml")
    return Finding("Python", "ok", text)


def check_keras_3(version: str | None, requirement: Requirement | None = None) -> Finding:
    """Keras must be 3.x: Keras 2 (e.g. from an old ``tf-keras`` or TensorFlow <= 2.15) breaks the notebooks.

    ``requirement``: the Keras range the fix installs (default: the course's ``requirements.txt``).
    """
    from packaging.version import InvalidVersion, Version

    fix = install_fix("keras", "the kernel", upgrade=True, requirement=requirement)
    if version is None:
        return Finding("Keras is 3.x", "problem", "Keras is not installed", fix)
    try:
        major = Version(version).major
    except InvalidVersion:
        return Finding("Keras is 3.x", "warn", f"cannot read the Keras version {version!r}", fix)
    if major != 3:
        return Finding("Keras is 3.x", "problem", f"Keras {version} is {major}.x; the course code needs Keras 3", fix)
    return Finding("Keras is 3.x", "ok", f"yes ({version})")


def check_widgets() -> Finding:
    """Will ipywidgets sliders render in JupyterLab? They need the ``jupyterlab_widgets`` extension package."""
    if importlib.util.find_spec("jupyterlab_widgets") is None:
        return Finding("widgets in JupyterLab", "warn",
                       "jupyterlab_widgets is missing: sliders will show as plain text",
                       install_fix("ipywidgets", "JupyterLab"))
    return Finding("widgets in JupyterLab", "ok", "jupyterlab_widgets installed")


def check_data_files() -> list[Finding]:
    """One finding per shipped data file (``utils.data.verify_data_files``): present and hash verified?"""
    from utils.data import verify_data_files

    findings = []
    for name, result in verify_data_files().items():
        label = f"data/{name}"
        if result == "ok":
            findings.append(Finding(label, "ok", "present, SHA-256 verified"))
            continue
        if "missing" in result:
            what = "missing"
        elif "SHA-256" in result:
            what = "altered (hash differs)"
        else:
            what = "unreadable or truncated"
        findings.append(Finding(label, "problem", what,
                                f"git checkout -- data/{name}   (or download the course pack again)"))
    return findings


def free_memory_bytes(meminfo: str | os.PathLike[str] = "/proc/meminfo") -> int | None:
    """Available memory in bytes: ``MemAvailable`` from /proc/meminfo (Linux), else psutil, else None.

    Never raises: on Windows or macOS without psutil the answer is None ("unknown").
    """
    try:
        path = Path(meminfo)
        if path.is_file():
            fields: dict[str, int] = {}
            for line in path.read_text(encoding="utf-8").splitlines():
                key, _, rest = line.partition(":")
                parts = rest.split()
                if parts and parts[0].isdigit():
                    unit = 1024 if len(parts) > 1 and parts[1].lower() == "kb" else 1
                    fields[key.strip()] = int(parts[0]) * unit
            for key in ("MemAvailable", "MemFree"):
                if key in fields:
                    return fields[key]
    except OSError:
        pass
    try:
        import psutil  # optional

        return int(psutil.virtual_memory().available)
    except Exception:  # not installed, or unsupported platform
        return None


def check_memory(available: int | None) -> Finding:
    """Free memory: a warning below 2 GiB or when it cannot be read. ``available`` in bytes (or None)."""
    if available is None:
        return Finding("free memory", "warn", "unknown (cannot read it on this system)",
                       "close other programs if training is slow; about 2 GB free is enough")
    gib = available / 1024**3
    if available < LOW_MEMORY_BYTES:
        return Finding("free memory", "warn", f"{gib:.1f} GiB available (2 GiB recommended)",
                       "close other programs, or run in quick mode (NNCOURSE_QUICK=1)")
    return Finding("free memory", "ok", f"{gib:.1f} GiB available")


def check_devices() -> Finding:
    """Devices TensorFlow sees, importing TensorFlow into this process (a few seconds the first time).

    :func:`check_environment` uses :func:`check_devices_from_probe` instead, so TensorFlow is imported only once,
    in the import probe.
    """
    from utils.settings import silence_tensorflow_logs

    silence_tensorflow_logs()
    try:
        import tensorflow as tf

        cpus = tf.config.list_physical_devices("CPU")
        gpus = tf.config.list_physical_devices("GPU")
    except Exception as exc:  # ImportError, or a broken install (DLL load failed, ...)
        return Finding("devices", "problem", f"TensorFlow does not import: {type(exc).__name__}: {exc}"[:160],
                       INSTALL_FIX)
    detail = f"{len(cpus)} CPU, {len(gpus)} GPU" + ("" if gpus else " (CPU is all the course needs)")
    return Finding("devices", "ok", detail)


def check_quick_mode() -> Finding:
    """Is quick mode (``NNCOURSE_QUICK``) on? Either is fine; a value that is not understood is a problem."""
    from utils.settings import QUICK_ENV_VAR, quick_mode

    try:
        on = quick_mode()
    except ValueError:
        return Finding("quick mode", "problem", f"{QUICK_ENV_VAR}={os.environ.get(QUICK_ENV_VAR)!r} not understood",
                       f"set {QUICK_ENV_VAR}=1 (quick) or {QUICK_ENV_VAR}=0 (full), or unset it")
    return Finding("quick mode", "ok", "on (short training, as the tests run)" if on else "off (full mode)")
