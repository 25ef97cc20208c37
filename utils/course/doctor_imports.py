"""The doctor's import checks: judge what the import probe saw, one :class:`Finding` per module, then ``tf.keras``.

A module is a problem when it does not import, when it is a file of the user's beside the notebook that hides
the real one, when it comes from outside site-packages (e.g. ``PYTHONPATH``; the course's ``utils`` must come
from this pack), or, for Keras, when it is not 3.x. ``TF_USE_LEGACY_KERAS=1`` (which makes ``tf.keras`` Keras 2)
is a problem too. The probe itself is :mod:`utils.course.doctor_probe`.
"""
from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path
from typing import Mapping

from utils.course.doctor_checks import INSTALL_FIX, Finding, install_fix
from utils.course.doctor_probe import (IMPORT_CHECKED_MODULES, PROBE_TIMEOUT_S, ImportProbe, ModuleImport,
                                       run_import_probe)

LEGACY_KERAS_ENV_VAR = "TF_USE_LEGACY_KERAS"
"""With this set to 1/true/True, TensorFlow hands out Keras 2 (the ``tf_keras`` package) as ``tf.keras``."""

_LEGACY_KERAS_ON = ("true", "True", "1")
"""The values TensorFlow's ``__init__`` treats as on (anything else is ignored)."""


def _is_inside(path: str | os.PathLike[str], folder: str | os.PathLike[str]) -> bool:
    """True if ``path`` is ``folder`` or lies below it (symlinks resolved, case as the OS compares it)."""
    real = os.path.normcase(os.path.realpath(path))
    top = os.path.normcase(os.path.realpath(folder))
    return real == top or real.startswith(top.rstrip(os.sep) + os.sep)


def _stray_item(file: str, name: str, folder: Path) -> str:
    """The file or folder the user should rename: ``folder/keras.py`` or ``folder/keras`` (a package)."""
    top = Path(file).parent if Path(file).name == "__init__.py" else Path(file)
    return str(top) if _is_inside(top, folder) else str(Path(folder) / name)


def _pythonpath_entry(file: str, env: Mapping[str, str], folder: Path) -> str | None:
    """The ``PYTHONPATH`` entry that ``file`` lies in (relative entries count from the probe's ``folder``)."""
    for entry in env.get("PYTHONPATH", "").split(os.pathsep):
        if entry.strip() and _is_inside(file, Path(folder) / entry):
            return entry
    return None


def _keras_major(version: str | None) -> int | None:
    """The major version of a Keras version string, or None when unknown or unreadable."""
    from packaging.version import InvalidVersion, Version

    try:
        return Version(version).major if version else None
    except InvalidVersion:
        return None


def _found_version(found: ModuleImport) -> str:
    """``"3.15.1 from /path/keras/__init__.py"``, for the report."""
    if not found.imported:
        return f"found at {found.file} (not imported: TensorFlow skipped)"
    return f"{found.version or 'no version'} from {found.file}"


def _is_users_own(file: str, probe: ImportProbe, home: Path | None) -> bool:
    """True if ``file`` lies in the probe's folder, but neither in site-packages nor in ``home``."""
    if not _is_inside(file, probe.folder):
        return False
    return not any(_is_inside(file, d) for d in (*probe.site_dirs, *([home] if home is not None else [])))


def judge_module_import(label: str, found: ModuleImport, probe: ImportProbe,
                        env: Mapping[str, str] | None = None, home: Path | None = None) -> Finding:
    """Decide whether one module imported from the right place (check name ``"import <module>"``).

    A problem when the import failed, when the file is one of the user's own in the probe's folder (it hides the
    real module), when it comes from outside site-packages (e.g. ``PYTHONPATH``) or, for Keras, is not 3.x.

    Args:
        label: the module's name for people (``"Keras"``).
        found: what the probe saw.
        probe: the whole probe (its folder and the site-packages folders).
        env: the environment the probe ran with (to name the ``PYTHONPATH`` entry); default ``os.environ``.
        home: where the module must come from instead of site-packages (the course's own ``utils/`` folder).
    """
    env = os.environ if env is None else env
    check, name = f"import {found.name}", found.name
    if found.file is not None and _is_users_own(found.file, probe, home):
        item = _stray_item(found.file, name, probe.folder)
        broke = f" (and it fails: {found.error})" if found.error else ""
        return Finding(check, "problem", f"{name} imported from {found.file}, a file of yours that hides the real "
                                         f"{label}{broke}", f"rename or delete {item}, then restart the kernel")
    if found.error is not None:
        return Finding(check, "problem", f"{name} does not import: {found.error}"[:200], INSTALL_FIX)
    if found.file is None:
        return Finding(check, "warn", f"{name} has no file (a namespace package?)", INSTALL_FIX)
    allowed = (home,) if home is not None else probe.site_dirs
    if not any(_is_inside(found.file, d) for d in allowed):
        return _outside_finding(label, found, env, home, probe.folder)
    if name == "keras" and found.version is not None and _keras_major(found.version) != 3:
        return Finding(check, "problem", f"Keras {found.version} imported from {found.file}: the course needs "
                                         f"Keras 3", install_fix("keras", "the kernel", upgrade=True))
    return Finding(check, "ok", _found_version(found))


def _outside_finding(label: str, found: ModuleImport, env: Mapping[str, str], home: Path | None,
                     folder: Path) -> Finding:
    """The problem for a module imported from outside site-packages (or outside the course's ``utils/``)."""
    check, entry = f"import {found.name}", _pythonpath_entry(str(found.file), env, folder)
    where = f" (PYTHONPATH={env.get('PYTHONPATH')})" if entry else ""
    expected = f"the course's {home}" if home is not None else "this Python's site-packages"
    what = f"{label} {found.version}" if found.version else found.name
    if found.name == "keras" and _keras_major(found.version) not in (3, None):
        detail = f"{what} imported from {found.file}{where}: the course needs Keras 3"
    else:
        detail = f"{what} imported from {found.file}{where}, not from {expected}"
    if entry:
        fix = f"remove {entry} from PYTHONPATH, then restart Jupyter"
    else:
        fix = f"move or delete {_stray_item(str(found.file), found.name, Path(found.file).parent)}, " \
              f"or find what puts its folder on sys.path"
    return Finding(check, "problem", detail, fix)


def check_legacy_keras(env: Mapping[str, str] | None = None, tf_keras: ModuleImport | None = None) -> Finding:
    """Is ``tf.keras`` Keras 3? ``TF_USE_LEGACY_KERAS=1`` makes it Keras 2 (``tf_keras``) or an ImportError.

    Args:
        env: the environment variables (default ``os.environ``).
        tf_keras: what the probe got for ``tensorflow.keras``, when it imported TensorFlow.
    """
    env = os.environ if env is None else env
    value = env.get(LEGACY_KERAS_ENV_VAR)
    fix = f"unset {LEGACY_KERAS_ENV_VAR} (where it is set: shell profile, conda env vars), then restart Jupyter"
    if value in _LEGACY_KERAS_ON:
        return Finding("tf.keras", "problem",
                       f"{LEGACY_KERAS_ENV_VAR}={value} makes tf.keras Keras 2 (tf_keras): the course needs Keras 3",
                       fix)
    if tf_keras is None:
        return Finding("tf.keras", "ok", f"{LEGACY_KERAS_ENV_VAR} is off (tf.keras not imported: TensorFlow "
                                         f"skipped)")
    if tf_keras.error is not None:
        return Finding("tf.keras", "problem", f"tensorflow.keras does not import: {tf_keras.error}"[:200], INSTALL_FIX)
    if _keras_major(tf_keras.version) != 3 or tf_keras.name.startswith("tf_keras"):
        return Finding("tf.keras", "problem", f"tensorflow.keras is {tf_keras.name} {tf_keras.version}: the course "
                                              f"needs Keras 3", "pip uninstall tf-keras   (then restart the kernel)")
    return Finding("tf.keras", "ok", f"Keras {tf_keras.version} ({tf_keras.name})")


def check_devices_from_probe(probe: ImportProbe) -> Finding:
    """The ``"devices"`` finding from a probe that imported TensorFlow (no TensorFlow in this process)."""
    if probe.devices is not None:
        cpus, gpus = probe.devices
        return Finding("devices", "ok", f"{cpus} CPU, {gpus} GPU" + ("" if gpus else " (CPU is all the course needs)"))
    tf = probe.modules.get("tensorflow")
    why = tf.error if tf is not None and tf.error else (probe.failure or "TensorFlow was not imported")
    return Finding("devices", "problem", f"TensorFlow does not import: {why}"[:160], INSTALL_FIX)


def check_imports(folder: str | os.PathLike[str] | None = None, env: Mapping[str, str] | None = None, *,
                  tensorflow: bool = True, timeout: float = PROBE_TIMEOUT_S,
                  probe: ImportProbe | None = None) -> list[Finding]:
    """Findings on what a notebook in ``folder`` really imports: one per module, then ``tf.keras``.

    Args:
        folder: the folder notebooks run from (default: :func:`default_probe_folder`).
        env: the environment variables they see (default: ``os.environ``).
        tensorflow: import TensorFlow and Keras for real (slower); see :func:`run_import_probe`.
        timeout: seconds the probe may take.
        probe: an already-run probe to judge instead of running one.

    Returns:
        ``"import numpy"``, ``"import matplotlib"``, ``"import utils"``, ``"import keras"``
        (+ ``"import tensorflow"``) and ``"tf.keras"`` findings; a single ``"import check"`` problem (plus
        ``"tf.keras"``) if the probe crashed or timed out.
    """
    env = os.environ if env is None else env
    if probe is None:
        probe = run_import_probe(folder, env, tensorflow=tensorflow, timeout=timeout)
    if probe.failure is not None:
        return [Finding("import check", "problem", probe.failure[:200],
                        f'see the full error: cd "{probe.folder}" and run python -c "import numpy, utils, keras"'),
                check_legacy_keras(env)]
    labels = dict((name, label) for label, name in IMPORT_CHECKED_MODULES) | {"tensorflow": "TensorFlow"}
    utils_home = Path(__file__).resolve().parent.parent
    findings: list[Finding] = []
    strays: list[str] = []  # modules hidden by a file of the user's: later import errors are likely their fault
    for name, found in probe.modules.items():
        finding = judge_module_import(labels.get(name, name), found, probe, env,
                                      home=utils_home if name == "utils" else None)
        if finding.status == "problem" and found.error and strays and finding.fix == INSTALL_FIX:
            finding = replace(finding, fix=f"first fix {' and '.join(strays)} above (a file of yours hides a "
                                           f"module {name} needs), then check again")
        if "a file of yours" in finding.detail:
            strays.append(finding.check)
        findings.append(finding)
    findings.append(check_legacy_keras(env, probe.tf_keras))
    return findings
