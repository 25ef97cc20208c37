"""Environment doctor: is this computer ready for the course? One report, one fix per problem.

Use it from notebook 00 or from a terminal in the course folder::

    python -m utils.course.doctor                 # prints a short table; exit code 1 if anything is a "problem"
    python -m utils.course.doctor --no-tensorflow # skip importing TensorFlow (faster; no device list)

or from Python::

    from utils.course import doctor
    report = doctor.check_environment()
    doctor.print_report(report)

What it checks: the Python version; the installed versions of TensorFlow, Keras, NumPy, Matplotlib, ipywidgets
and JupyterLab against the ranges in ``requirements.txt`` (``tensorflow-cpu`` and ``tensorflow`` count as the
same package); that Keras is 3.x; what a notebook *really* imports (see below); that JupyterLab can render
widgets; that the data files are present and verified; the free memory; the devices TensorFlow sees; and
whether quick mode is on.

What a notebook really imports can differ from what is installed: a stray ``keras.py`` (or ``keras/`` folder,
``numpy.py``, ``utils.py``) beside the notebook hides the real module, a Keras 2 on ``PYTHONPATH`` comes before
the installed Keras 3, and ``TF_USE_LEGACY_KERAS=1`` makes ``tf.keras`` Keras 2. So the doctor imports NumPy,
Matplotlib, ``utils``, Keras (and TensorFlow, ``tensorflow.keras``) in one fresh Python process of this same
interpreter, started in the folder notebooks run from (``notebooks/``, or the current folder inside a notebook)
with the same environment variables, and reports each module's version and the file it came from
(:func:`~utils.course.doctor_imports.check_imports`). The same probe lists TensorFlow's devices, so TensorFlow is
imported only there.

The checks live in :mod:`utils.course.doctor_checks` (one finding each), :mod:`utils.course.doctor_probe` (the
import probe) and :mod:`utils.course.doctor_imports` (judging what the probe saw); this module runs them all,
keeps the :class:`EnvironmentReport`, prints it and is the command line.

Each :class:`~utils.course.doctor_checks.Finding` has a status ``"ok"``, ``"warn"`` (works, but worth knowing) or
``"problem"`` (something in the course will fail) and, unless it is ok, a one-line fix. Output is plain ASCII so
it prints on any console.
"""
from __future__ import annotations

import argparse
import os
import platform
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping, Sequence

from utils.course.doctor_checks import (CHECKED_PACKAGES, Finding, check_data_files, check_keras_3, check_memory,
                                        check_python, check_quick_mode, check_version, check_widgets, free_memory_bytes,
                                        parse_requirements)
from utils.course.doctor_imports import check_devices_from_probe, check_imports
from utils.course.doctor_probe import PROBE_TIMEOUT_S, run_import_probe
from utils.course.versions import installed_version
from utils.settings import repo_root


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
        """The first finding named ``check`` (KeyError if there is none)."""
        return {f.check: f for f in reversed(self.findings)}[check]


# --------------------------------------------------------------------------- the report
def check_environment(*, requirements: str | os.PathLike[str] | None = None, tensorflow: bool = True,
                      meminfo: str | os.PathLike[str] = "/proc/meminfo",
                      folder: str | os.PathLike[str] | None = None, env: Mapping[str, str] | None = None,
                      timeout: float = PROBE_TIMEOUT_S) -> EnvironmentReport:
    """Run every check and return the report (never raises for a broken environment: it reports it).

    Args:
        requirements: the requirements file to compare versions with (default: the course's requirements.txt).
        tensorflow: import TensorFlow and Keras (in the import probe) to check them and list the devices (False
            skips it: faster, Keras is only located, no "devices" line).
        meminfo: where to read free memory on Linux (for tests).
        folder: the folder notebooks run from, where the import probe runs (default:
            :func:`~utils.course.doctor_probe.default_probe_folder`).
        env: the environment variables notebooks see, for the import probe (default: ``os.environ``).
        timeout: seconds the import probe may take.
    """
    report = EnvironmentReport()
    report.findings.append(check_python())
    req_path = Path(requirements) if requirements is not None else repo_root() / "requirements.txt"
    try:
        reqs = parse_requirements(req_path)
    except (OSError, ValueError) as exc:
        reqs = {}
        report.findings.append(Finding("requirements.txt", "problem", str(exc)[:160],
                                       "download the course pack again (requirements.txt is part of it)"))
    for label, name in CHECKED_PACKAGES:
        report.findings.append(check_version(label, installed_version(name), reqs.get(name)))
    report.findings.append(check_keras_3(installed_version("keras"), reqs.get("keras")))
    probe = run_import_probe(folder, env, tensorflow=tensorflow, timeout=timeout)
    report.findings.extend(check_imports(env=env, probe=probe))
    report.findings.append(check_widgets())
    report.findings.extend(check_data_files())
    report.findings.append(check_memory(free_memory_bytes(meminfo)))
    if tensorflow:
        report.findings.append(check_devices_from_probe(probe))
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
    parser = argparse.ArgumentParser(prog="python -m utils.course.doctor",
                                     description="Check that this computer is ready for the course.")
    parser.add_argument("--no-tensorflow", action="store_true", help="do not import TensorFlow (no device list)")
    parser.add_argument("--requirements", default=None, help="requirements file to compare with "
                                                             "(default: the course's requirements.txt)")
    parser.add_argument("--folder", default=None, help="folder to import from, as a notebook there does "
                                                       "(default: the course's notebooks/ folder)")
    args = parser.parse_args(argv)
    if args.folder is not None and not Path(args.folder).is_dir():
        parser.error(f"--folder {args.folder}: no such folder")
    print(f"Course environment check - {platform.system()} {platform.machine()}")
    report = check_environment(requirements=args.requirements, tensorflow=not args.no_tensorflow,
                               folder=args.folder)
    print_report(report)
    return 1 if report.problems else 0


if __name__ == "__main__":
    sys.exit(main())
