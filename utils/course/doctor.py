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
(:func:`check_imports`). The same probe lists TensorFlow's devices, so TensorFlow is imported only there.

Each :class:`Finding` has a status ``"ok"``, ``"warn"`` (works, but worth knowing) or ``"problem"`` (something in
the course will fail) and, unless it is ok, a one-line fix. Output is plain ASCII so it prints on any console.
"""
from __future__ import annotations

import argparse
import importlib.metadata
import importlib.util
import json
import os
import platform
import subprocess
import sys
from dataclasses import dataclass, field, replace
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


def course_requirements() -> dict[str, Requirement]:
    """The course's ``requirements.txt`` as :func:`parse_requirements` reads it ({} if missing or unreadable)."""
    from utils.settings import repo_root

    try:
        return parse_requirements(repo_root() / "requirements.txt")
    except (FileNotFoundError, ValueError):
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


# --------------------------------------------------------------------------- what a notebook really imports
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

LEGACY_KERAS_ENV_VAR = "TF_USE_LEGACY_KERAS"
"""With this set to 1/true/True, TensorFlow hands out Keras 2 (the ``tf_keras`` package) as ``tf.keras``."""

_LEGACY_KERAS_ON = ("true", "True", "1")
"""The values TensorFlow's ``__init__`` treats as on (anything else is ignored)."""

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
    from utils.settings import repo_root

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
    for a broken environment: a crash or timeout is returned as ``failure``.

    Args:
        folder: the working folder (default: :func:`default_probe_folder`).
        env: the environment variables (default: this process's ``os.environ``).
        tensorflow: also import TensorFlow (a few seconds), ``tensorflow.keras`` and list the devices; if False,
            modules that import TensorFlow (Keras) are only located unless they lie outside site-packages.
        timeout: seconds before the probe is stopped and reported as timed out.
        modules: module names to probe (default: those of :data:`IMPORT_CHECKED_MODULES`).

    Raises:
        ValueError: if ``folder`` is not an existing folder.
    """
    folder = Path(folder) if folder is not None else default_probe_folder()
    if not folder.is_dir():
        raise ValueError(f"the folder to check imports in, {folder}, is not an existing folder")
    names = list(modules) if modules is not None else [name for _, name in IMPORT_CHECKED_MODULES]
    heavy = [] if tensorflow else [n for n in names if n in MODULES_NEEDING_TENSORFLOW]
    request = {"import": [n for n in names if n not in heavy], "locate": heavy, "tensorflow": tensorflow,
               "marker": PROBE_MARKER}
    probe_env = dict(os.environ if env is None else env)
    probe_env.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")  # TensorFlow's start-up chatter would only fill stderr
    try:
        done = subprocess.run([sys.executable, "-c", _PROBE_SOURCE, json.dumps(request)], cwd=folder,
                              env=probe_env, capture_output=True, text=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        return ImportProbe(folder, failure=f"the import check did not finish within {timeout:g} s")
    except OSError as exc:
        return ImportProbe(folder, failure=f"the import check could not start {sys.executable}: {exc}")
    return parse_probe_output(folder, done.returncode, done.stdout, done.stderr)


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
        folder: the folder notebooks run from, where the import probe runs (default: :func:`default_probe_folder`).
        env: the environment variables notebooks see, for the import probe (default: ``os.environ``).
        timeout: seconds the import probe may take.

    Raises:
        ValueError: if ``folder`` is given but is not an existing folder.
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
