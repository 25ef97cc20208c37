"""Whether the real-browser tests can run here (not a test module: no ``test_`` prefix).

Shared by the browser fixtures (tests/browser/conftest.py), which skip or fail with the reason, and by the
root conftest.py, which lets the browser run stand in for nbval's run of a widget notebook only when that
browser run will really happen.
"""
from __future__ import annotations

import importlib.util
import os
import shutil
import sys
from pathlib import Path

CHROMIUM_CANDIDATES = ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"]


def chromium_path() -> str | None:
    """The Chromium (or Chrome) executable to drive: ``$CHROMIUM_PATH`` or a system package, else None."""
    for path in [os.environ.get("CHROMIUM_PATH", "")] + CHROMIUM_CANDIDATES:
        if path and Path(path).is_file():
            return path
    return None


def missing() -> str | None:
    """Why the browser tests cannot run here, or None if every piece they need is installed."""
    if importlib.util.find_spec("playwright") is None:
        return "Playwright is not installed (`pip install -r requirements.txt` installs it)"
    if chromium_path() is None:
        return "no Chromium found (Debian/Ubuntu: `sudo apt-get install chromium`; or set CHROMIUM_PATH)"
    if shutil.which("jupyter") is None and not (Path(sys.executable).parent / "jupyter").exists():
        return "jupyter is not installed in this environment"
    return None
