"""The doctor's import probe: import the course's key modules the way a notebook does, in a fresh Python.

What a notebook really imports can differ from what is installed: a stray ``keras.py`` (or ``keras/`` folder,
``numpy.py``, ``utils.py``) beside the notebook hides the real module, a Keras 2 on ``PYTHONPATH`` comes before
the installed Keras 3. :func:`run_import_probe` runs one subprocess of this same interpreter in the folder
notebooks run from, with the same environment variables, and returns an :class:`ImportProbe`: each module's
version and the file it came from (and, when asked, TensorFlow's devices and what ``tf.keras`` is).
:mod:`utils.course.doctor_imports` judges the answer.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping, Sequence

from utils.settings import repo_root, silence_tensorflow_logs

PROBE_TIMEOUT_S = 180.0
"""Seconds the import probe may take (importing TensorFlow takes 3-30 s; the first import after installing more)."""

PROBE_MARKER = "@@nncourse-doctor-probe@@"
"""Printed before the probe's JSON answer, so whatever a stray module prints cannot be mistaken for it."""

IMPORT_CHECKED_MODULES: tuple[tuple[str, str], ...] = (
    ("NumPy", "numpy"),
    ("Matplotlib", "matplotlib"),
    ("course helpers (utils)", "utils"),
    ("Keras", "keras"),
)
"""(label, module) of every module the probe imports as a notebook does, in this order."""

MODULES_NEEDING_TENSORFLOW = frozenset({"keras"})
"""Modules whose import also imports TensorFlow: with ``tensorflow=False`` the probe only locates them (a stray
file outside site-packages is still imported, which is instant and shows its version)."""

_PROBE_SOURCE = r'''
import sys
_first = sys.path.pop(0) if sys.path and sys.path[0] == "" else None  # the probe's own tools cannot be shadowed
import importlib
import importlib.util
import json
import os
import site
import sysconfig
if _first is not None:
    sys.path.insert(0, _first)  # from here on, imports see the folder first, as in a notebook's kernel


def _site_dirs():
    dirs = list(site.getsitepackages()) if hasattr(site, "getsitepackages") else []
    if site.ENABLE_USER_SITE:
        dirs.append(site.getusersitepackages())
    dirs += [sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]]
    return sorted({os.path.realpath(d) for d in dirs})


def _inside(path, dirs):
    real = os.path.normcase(os.path.realpath(path))
    return any(real == os.path.normcase(d) or real.startswith(os.path.normcase(d) + os.sep) for d in dirs)


def _error(exc):
    return (type(exc).__name__ + ": " + str(exc))[:300]


def _probe(name, do_import, site_dirs):
    info = {"file": None, "version": None, "error": None, "imported": False}
    try:
        spec = importlib.util.find_spec(name)
    except (Exception, SystemExit) as exc:
        info["error"] = _error(exc)
        return info
    if spec is None:
        info["error"] = "ModuleNotFoundError: No module named " + repr(name)
        return info
    info["file"] = spec.origin if spec.origin not in (None, "namespace") else None
    if not do_import and info["file"] is not None and _inside(info["file"], site_dirs):
        return info  # the installed copy, located without importing (and so without TensorFlow)
    try:
        module = importlib.import_module(name)
    except (Exception, SystemExit) as exc:  # a stray file can raise anything, even call sys.exit()
        info["error"] = _error(exc)
        return info
    version = getattr(module, "__version__", None)
    info.update(imported=True, file=getattr(module, "__file__", None) or info["file"],
                version=None if version is None else str(version))
    return info


def _tensorflow(answer):
    tf = sys.modules.get("tensorflow")
    if tf is None:
        return
    try:
        answer["devices"] = [len(tf.config.list_physical_devices("CPU")), len(tf.config.list_physical_devices("GPU"))]
    except Exception as exc:
        answer["devices_error"] = _error(exc)
    info = {"file": None, "version": None, "error": None, "imported": False, "name": None}
    try:
        keras = tf.keras
        info.update(imported=True, name=getattr(keras, "__name__", None), file=getattr(keras, "__file__", None),
                    version=None if getattr(keras, "__version__", None) is None else str(keras.__version__))
    except (Exception, SystemExit) as exc:
        info["error"] = _error(exc)
    answer["tf_keras"] = info


def _main():
    request = json.loads(sys.argv[1])
    site_dirs = _site_dirs()
    answer = {"executable": sys.executable, "cwd": os.getcwd(), "site_dirs": site_dirs, "modules": {}}
    for name in request["import"]:
        answer["modules"][name] = _probe(name, True, site_dirs)
    for name in request["locate"]:
        answer["modules"][name] = _probe(name, False, site_dirs)
    if request["tensorflow"]:
        answer["modules"]["tensorflow"] = _probe("tensorflow", True, site_dirs)
        _tensorflow(answer)
    sys.stdout.write("\n" + request["marker"] + json.dumps(answer) + "\n")


_main()
'''
"""The program the probe runs: ``python -c _PROBE_SOURCE '<request JSON>'``; prints the marker, then JSON."""


@dataclass(frozen=True)
class ModuleImport:
    """What the probe saw when it imported (or located) one module.

    Attributes:
        name: the module name (``"keras"``), or for ``tf.keras`` the name of the module TensorFlow handed out.
        file: the file it came from (``.../keras/__init__.py``), or None if it was not found.
        version: its ``__version__``, or None (not imported, or it has none).
        error: ``"ImportError: ..."`` if finding or importing it failed, else None.
        imported: True if the probe imported it; False if it was only located (TensorFlow skipped).
    """

    name: str
    file: str | None = None
    version: str | None = None
    error: str | None = None
    imported: bool = False


@dataclass(frozen=True)
class ImportProbe:
    """The answer of one import probe (see :func:`run_import_probe`).

    Attributes:
        folder: the working folder the probe ran in (the folder a notebook runs from).
        modules: ``{module name: ModuleImport}`` for every module probed (``tensorflow`` too if it was).
        site_dirs: this Python's site-packages folders (where installed packages live).
        tf_keras: what ``tensorflow.keras`` turned out to be, or None when TensorFlow was not imported.
        devices: (number of CPUs, number of GPUs) TensorFlow sees, or None when unknown.
        failure: why the probe itself failed (crash, timeout, no answer), else None.
    """

    folder: Path
    modules: dict[str, ModuleImport] = field(default_factory=dict)
    site_dirs: tuple[Path, ...] = ()
    tf_keras: ModuleImport | None = None
    devices: tuple[int, int] | None = None
    failure: str | None = None


def default_probe_folder() -> Path:
    """The folder notebooks run from: the current folder inside a Jupyter kernel (a notebook's kernel runs in the
    notebook's folder), else the pack's ``notebooks/`` folder (falling back to the current folder)."""
    if "ipykernel" in sys.modules:
        return Path.cwd()
    notebooks = repo_root() / "notebooks"
    return notebooks if notebooks.is_dir() else Path.cwd()


def _module_import(name: str, raw: object) -> ModuleImport:
    """A :class:`ModuleImport` from the probe's JSON for one module (unexpected fields are ignored)."""
    data = raw if isinstance(raw, dict) else {}
    text = {key: (str(data[key]) if data.get(key) is not None else None) for key in ("file", "version", "error")}
    return ModuleImport(str(data.get("name") or name), text["file"], text["version"], text["error"],
                        bool(data.get("imported")))


def _last_line(text: str) -> str:
    """The last non-blank line of ``text`` (where Python puts ``ErrorType: message``), at most 200 characters."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return lines[-1][:200] if lines else "(no output)"


def parse_probe_output(folder: Path, returncode: int, stdout: str, stderr: str) -> ImportProbe:
    """Read the probe's answer from its output; a crash or missing answer becomes ``ImportProbe.failure``."""
    if PROBE_MARKER not in stdout:
        how = f"exit code {returncode}" if returncode else "no answer"
        return ImportProbe(folder, failure=f"the import check crashed ({how}): {_last_line(stderr or stdout)}")
    try:
        answer = json.loads(stdout.rpartition(PROBE_MARKER)[2].strip().splitlines()[0])
    except (ValueError, IndexError) as exc:
        return ImportProbe(folder, failure=f"the import check gave an unreadable answer ({exc})")
    modules = {name: _module_import(name, raw) for name, raw in answer.get("modules", {}).items()}
    devices = answer.get("devices")
    return ImportProbe(
        folder=folder, modules=modules,
        site_dirs=tuple(Path(d) for d in answer.get("site_dirs", [])),
        tf_keras=_module_import("tensorflow.keras", answer["tf_keras"]) if "tf_keras" in answer else None,
        devices=(int(devices[0]), int(devices[1])) if devices else None)


def run_import_probe(folder: str | os.PathLike[str] | None = None, env: Mapping[str, str] | None = None, *,
                     tensorflow: bool = True, timeout: float = PROBE_TIMEOUT_S,
                     modules: Sequence[str] | None = None) -> ImportProbe:
    """Import the course's key modules the way a notebook does, in a fresh Python, and say where they came from.

    One subprocess of this same interpreter (``sys.executable``) runs in ``folder`` with ``env``: like a notebook's
    kernel it has the folder first on ``sys.path``, so a stray ``keras.py`` or ``keras/`` there, a package on
    ``PYTHONPATH`` or a variable such as ``TF_USE_LEGACY_KERAS`` has the same effect as in a notebook. Never raises
    for a broken environment: a missing folder, a crash or a timeout is returned as ``failure``.

    Args:
        folder: the working folder (default: :func:`default_probe_folder`).
        env: the environment variables (default: this process's ``os.environ``).
        tensorflow: also import TensorFlow (a few seconds), ``tensorflow.keras`` and list the devices; if False,
            modules that import TensorFlow (Keras) are only located unless they lie outside site-packages.
        timeout: seconds before the probe is stopped and reported as timed out.
        modules: module names to probe (default: those of :data:`IMPORT_CHECKED_MODULES`).
    """
    folder = Path(folder) if folder is not None else default_probe_folder()
    if not folder.is_dir():
        return ImportProbe(folder, failure=f"the folder to check imports in, {folder}, is not an existing folder")
    names = list(modules) if modules is not None else [name for _, name in IMPORT_CHECKED_MODULES]
    heavy = [] if tensorflow else [n for n in names if n in MODULES_NEEDING_TENSORFLOW]
    request = {"import": [n for n in names if n not in heavy], "locate": heavy, "tensorflow": tensorflow,
               "marker": PROBE_MARKER}
    probe_env = dict(os.environ if env is None else env)
    silence_tensorflow_logs(probe_env)  # TensorFlow's start-up chatter would only fill stderr
    try:
        done = subprocess.run([sys.executable, "-c", _PROBE_SOURCE, json.dumps(request)], cwd=folder,
                              env=probe_env, capture_output=True, text=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        return ImportProbe(folder, failure=f"the import check did not finish within {timeout:g} s")
    except OSError as exc:
        return ImportProbe(folder, failure=f"the import check could not start {sys.executable}: {exc}")
    return parse_probe_output(folder, done.returncode, done.stdout, done.stderr)
