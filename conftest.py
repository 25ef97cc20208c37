"""Root pytest configuration: the whole suite (unit tests and nbval notebooks) runs in quick mode, writes its
outputs to a temporary folder, and fails if it changed the checkout.

Setting the variables here, before any kernel or server starts, makes every notebook kernel that nbval or the
browser tests launch inherit them. The checkout guard (``tests/_checkout_guard.py``) compares ``git status``
and the git-ignored output folders before and after the run; any difference fails the run (exit status 1)
and is listed at the end of the report.
"""
from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest

from tests._checkout_guard import changes, is_git_checkout, snapshot

ROOT = Path(__file__).resolve().parent
_KEEP = os.environ.get("NNCOURSE_TEST_OUTPUTS", "").strip()
"""Set NNCOURSE_TEST_OUTPUTS to a folder outside the checkout to keep what the run wrote (e.g. screenshots)."""
_OUTPUTS = _KEEP or tempfile.mkdtemp(prefix="nncourse-test-outputs-")

os.environ["NNCOURSE_QUICK"] = "1"
os.environ["NNCOURSE_OUTPUT_DIR"] = _OUTPUTS
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
# One BLAS thread in the test kernels: on a busy 2-core machine two OpenBLAS threads spin against each other
# (PCA of 2,000 x 784 pixels in notebook 07 took 106 s with two under load, 4.4 s with one). Tests check
# behaviour, not speed; students' kernels keep NumPy's default.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

_BEFORE = pytest.StashKey[dict]()
_CHANGED = pytest.StashKey[list]()


def pytest_sessionstart(session: pytest.Session) -> None:
    if is_git_checkout(ROOT):
        session.stash[_BEFORE] = snapshot(ROOT)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if not _KEEP:
        shutil.rmtree(_OUTPUTS, ignore_errors=True)
    before = session.stash.get(_BEFORE, None)
    if before is None:
        return
    changed = changes(before, snapshot(ROOT))
    session.config.stash[_CHANGED] = changed
    if changed and session.exitstatus == pytest.ExitCode.OK:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_terminal_summary(terminalreporter, exitstatus: int, config: pytest.Config) -> None:
    changed = config.stash.get(_CHANGED, [])
    if changed:
        terminalreporter.section("the test run wrote into the checkout", sep="=", red=True, bold=True)
        for line in changed:
            terminalreporter.line(line, red=True)
        terminalreporter.line("Tests must leave `git status` clean: serve a temporary copy, write to tmp_path.")
