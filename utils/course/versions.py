"""Which version of a package is installed or in use: the one lookup the doctor and the hand-in share.

* :func:`installed_version`: the installed distribution's version (``tensorflow-cpu`` counts as ``tensorflow``);
  the doctor compares it with ``requirements.txt``.
* :func:`package_versions`: the versions a hand-in manifest records (Python, NumPy, TensorFlow, Keras, the course
  helpers), preferring the version of the module a process has really imported. The hand-in kernel and the
  hand-in command both call it.

Only the standard library is imported at module level (``packaging`` inside :func:`canonical_name`), so a
notebook's kernel can import this module cheaply.
"""
from __future__ import annotations

import importlib.metadata
import platform
import sys

PACKAGE_ALIASES: dict[str, str] = {"tensorflow-cpu": "tensorflow"}
"""Distribution names that stand for the same package in version checks (CPU-only wheel = TensorFlow)."""

RECORDED: tuple[tuple[str, str, str], ...] = (
    ("numpy", "numpy", "numpy"),
    ("tensorflow", "tensorflow", "tensorflow"),
    ("keras", "keras", "keras"),
    ("utils", "utils", "nn-course-utils"),
)
"""(key in a manifest's ``versions``, module name, distribution name) of every package a hand-in records."""


def canonical_name(name: str) -> str:
    """Normalised distribution name (PEP 503), with ``tensorflow-cpu`` mapped to ``tensorflow``."""
    from packaging.utils import canonicalize_name

    canon = str(canonicalize_name(name))
    return PACKAGE_ALIASES.get(canon, canon)


def installed_version(name: str) -> str | None:
    """Installed version of a distribution (any alias counts: ``tensorflow`` finds ``tensorflow-cpu``), or None."""
    canon = canonical_name(name)
    for dist in [canon] + [alias for alias, target in PACKAGE_ALIASES.items() if target == canon]:
        try:
            return importlib.metadata.version(dist)
        except importlib.metadata.PackageNotFoundError:
            continue
    return None


def package_versions() -> dict[str, str | None]:
    """``{"python": ..., "numpy": ..., "tensorflow": ..., "keras": ..., "utils": ...}`` for a hand-in manifest.

    A module this process has imported reports its own ``__version__`` (what really ran); otherwise the installed
    distribution's version; None when neither is found.
    """
    versions: dict[str, str | None] = {"python": platform.python_version()}
    for key, module, dist in RECORDED:
        loaded = getattr(sys.modules.get(module), "__version__", None)
        versions[key] = str(loaded) if loaded else installed_version(dist)
    return versions
