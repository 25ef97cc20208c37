"""Environment doctor: is this computer ready for the course? One report, one fix per problem.

Use it from notebook 00 or from a terminal in the course folder::

    python -m utils.doctor                 # prints a short table; exit code 1 if anything is a "problem"
    python -m utils.doctor --no-tensorflow # skip importing TensorFlow (faster; no device list)

or from Python::

    from utils import doctor
    report = doctor.check_environment()
    doctor.print_report(report)

What it checks: the Python version; the installed versions of TensorFlow, Keras, NumPy, Matplotlib, ipywidgets
and JupyterLab against the ranges in ``requirements.txt`` (``tensorflow-cpu`` and ``tensorflow`` count as the
same package); that Keras is 3.x; that JupyterLab can render widgets; that the data files are present and
verified; the free memory; the devices TensorFlow sees; and whether quick mode is on.

Each :class:`Finding` has a status ``"ok"``, ``"warn"`` (works, but worth knowing) or ``"problem"`` (something in
the course will fail) and, unless it is ok, a one-line fix. Output is plain ASCII so it prints on any console.
"""
from __future__ import annotations

import argparse
import importlib.metadata
import importlib.util
import os
import platform
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Literal, Mapping, Sequence

if TYPE_CHECKING:  # packaging is imported lazily inside the functions
    from packaging.requirements import Requirement

Status = Literal["ok", "warn", "problem"]
STATUSES: tuple[Status, ...] = ("ok", "warn", "problem")

MIN_PYTHON = (3, 10)
"""Oldest Python the course supports (``requires-python`` in pyproject.toml)."""
TESTED_PYTHON = (3, 11)
"""The Python version the course is tested with."""

PACKAGE_ALIASES: dict[str, str] = {"tensorflow-cpu": "tensorflow"}
"""Distribution names that stand for the same package in version checks (CPU-only wheel = TensorFlow)."""

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

    def __post_init__(self) -> None:
        if self.status not in STATUSES:
            raise ValueError(f"status must be one of {STATUSES}, got {self.status!r}")


@dataclass
class EnvironmentReport:
    """The doctor's findings, in the order they were checked."""

    findings: list[Finding] = field(default_factory=list)

    @property
    def problems(self) -> list[Finding]:
        """The findings with status ``"problem"``."""
        return [f for f in self.findings if f.status == "problem"]

    @property
    def warnings(self) -> list[Finding]:
        """The findings with status ``"warn"``."""
        return [f for f in self.findings if f.status == "warn"]

    @property
    def ok(self) -> bool:
        """True when no finding is a problem (warnings are allowed)."""
        return not self.problems

    def get(self, check: str) -> Finding:
        """The finding named ``check`` (raises KeyError naming the known checks if there is none)."""
        for f in self.findings:
            if f.check == check:
                return f
        raise KeyError(f"no finding named {check!r}; known: {[f.check for f in self.findings]}")


# --------------------------------------------------------------------------- requirements.txt
def canonical_name(name: str) -> str:
    """Normalised distribution name (PEP 503), with ``tensorflow-cpu`` mapped to ``tensorflow``."""
    from packaging.utils import canonicalize_name

    canon = str(canonicalize_name(name))
    return PACKAGE_ALIASES.get(canon, canon)


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
        FileNotFoundError: if the file does not exist.
        ValueError: on a line that is not a valid requirement (the message names the file and line number).
    """
    from packaging.requirements import InvalidRequirement, Requirement

    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"requirements file {path} does not exist")
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


def installed_version(name: str) -> str | None:
    """Installed version of a distribution (any alias counts: ``tensorflow`` finds ``tensorflow-cpu``), or None."""
    canon = canonical_name(name)
    names = [canon] + [alias for alias, target in PACKAGE_ALIASES.items() if target == canon]
    for dist in names:
        try:
            return importlib.metadata.version(dist)
        except importlib.metadata.PackageNotFoundError:
            continue
    return None


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
        return Finding("Python", "warn", f"{text} (the course is tested with 3.11)",
                       "if something fails, use the course environment: conda env create -f environment.yml")
    return Finding("Python", "ok", text)


def check_keras_3(version: str | None) -> Finding:
    """Keras must be 3.x: Keras 2 (e.g. from an old ``tf-keras`` or TensorFlow <= 2.15) breaks the notebooks."""
    from packaging.version import InvalidVersion, Version

    fix = 'pip install -U "keras>=3.15,<4"   (then restart the kernel)'
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
                       'pip install "ipywidgets>=8.1,<8.2"   (then restart JupyterLab)')
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
            for line in path.read_text().splitlines():
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
    """Devices TensorFlow sees (imports TensorFlow: a few seconds the first time)."""
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


# --------------------------------------------------------------------------- the report
def check_environment(*, requirements: str | os.PathLike[str] | None = None, tensorflow: bool = True,
                      meminfo: str | os.PathLike[str] = "/proc/meminfo") -> EnvironmentReport:
    """Run every check and return the report (never raises for a broken environment: it reports it).

    Args:
        requirements: the requirements file to compare versions with (default: the course's requirements.txt).
        tensorflow: import TensorFlow to list the devices (False skips it: faster, no "devices" line).
        meminfo: where to read free memory on Linux (for tests).
    """
    from utils.settings import repo_root

    report = EnvironmentReport()
    report.findings.append(check_python())
    req_path = Path(requirements) if requirements is not None else repo_root() / "requirements.txt"
    try:
        reqs = parse_requirements(req_path)
    except (FileNotFoundError, ValueError) as exc:
        reqs = {}
        report.findings.append(Finding("requirements.txt", "problem", str(exc)[:160],
                                       "download the course pack again (requirements.txt is part of it)"))
    for label, name in CHECKED_PACKAGES:
        report.findings.append(check_version(label, installed_version(name), reqs.get(name)))
    report.findings.append(check_keras_3(installed_version("keras")))
    report.findings.append(check_widgets())
    report.findings.extend(check_data_files())
    report.findings.append(check_memory(free_memory_bytes(meminfo)))
    if tensorflow:
        report.findings.append(check_devices())
    report.findings.append(check_quick_mode())
    return report


def format_report(report: EnvironmentReport) -> str:
    """The report as a short plain-text table: one row per check, a ``fix:`` line under each non-ok row."""
    width = max([len(f.check) for f in report.findings] + [5])
    lines = [f"{'check':<{width}}  {'status':<7}  detail", f"{'-' * width}  {'-' * 7}  {'-' * 40}"]
    for f in report.findings:
        lines.append(f"{f.check:<{width}}  {f.status.upper() if f.status != 'ok' else 'ok':<7}  {f.detail}")
        if f.status != "ok" and f.fix:
            lines.append(f"{'':<{width}}  {'':<7}  fix: {f.fix}")
    n_prob, n_warn = len(report.problems), len(report.warnings)
    if n_prob:
        lines.append(f"{n_prob} problem(s), {n_warn} warning(s): run each fix line, then check again.")
    elif n_warn:
        lines.append(f"Ready, with {n_warn} warning(s) worth reading.")
    else:
        lines.append(f"All {len(report.findings)} checks ok: ready for the course.")
    return "\n".join(lines)


def print_report(report: EnvironmentReport) -> None:
    """Print :func:`format_report` (plain ASCII, safe on any console)."""
    print(format_report(report))


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: print the report; return 1 if any finding is a problem, else 0."""
    parser = argparse.ArgumentParser(prog="python -m utils.doctor",
                                     description="Check that this computer is ready for the course.")
    parser.add_argument("--no-tensorflow", action="store_true", help="do not import TensorFlow (no device list)")
    parser.add_argument("--requirements", default=None, help="requirements file to compare with "
                                                             "(default: the course's requirements.txt)")
    args = parser.parse_args(argv)
    print(f"Course environment check - {platform.system()} {platform.machine()}")
    report = check_environment(requirements=args.requirements, tensorflow=not args.no_tensorflow)
    print_report(report)
    return 1 if report.problems else 0


if __name__ == "__main__":
    sys.exit(main())
