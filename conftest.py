"""Root pytest configuration: the whole suite (unit tests and nbval notebooks) runs in quick mode, writes its
outputs to a temporary folder, and fails if it changed the checkout.

Setting the variables here, before any kernel or server starts, makes every notebook kernel that nbval or the
browser tests launch inherit them. The checkout guard (``tests/_checkout_guard.py``) compares ``git status``
and the git-ignored output folders before and after the run; any difference fails the run (exit status 1)
and is listed at the end of the report.

Under pytest-xdist (``-n``, set in pyproject.toml) the guard runs once, in the controlling process: it takes
its first snapshot before the workers start and its second after they have all finished. The workers take the
notebook runs first, longest first, so that no long run is left for the end.

A widget notebook is run in full by the browser test (tests/browser/test_notebooks_in_browser.py): Run All
in JupyterLab, then it asserts what nbval asserts (every code cell ran, no cell has an error output, read from
the saved notebook) and more. When that test is collected for a notebook and can run here (Chromium,
Playwright and Jupyter present), nbval's run of the same notebook is skipped with a reason pointing to it;
otherwise nbval runs it as before.
"""
from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest

from tests._checkout_guard import changes, is_git_checkout, snapshot
from tests.browser._availability import missing as browser_missing
from utils.settings import silence_tensorflow_logs

ROOT = Path(__file__).resolve().parent
_KEEP = os.environ.get("NNCOURSE_TEST_OUTPUTS", "").strip()
"""Set NNCOURSE_TEST_OUTPUTS to a folder outside the checkout to keep what the run wrote (e.g. screenshots)."""
_OUTPUTS = _KEEP or tempfile.mkdtemp(prefix="nncourse-test-outputs-")

os.environ["NNCOURSE_QUICK"] = "1"
os.environ["NNCOURSE_OUTPUT_DIR"] = _OUTPUTS
silence_tensorflow_logs()
# One BLAS thread in the test kernels: on a busy 2-core machine two OpenBLAS threads spin against each other
# (PCA of 2,000 x 784 pixels in notebook 07 took 106 s with two under load, 4.4 s with one). Tests check
# behaviour, not speed; students' kernels keep NumPy's default.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

_BEFORE = pytest.StashKey[dict]()
_CHANGED = pytest.StashKey[list]()


def _is_xdist_worker(config: pytest.Config) -> bool:
    return hasattr(config, "workerinput")


def pytest_sessionstart(session: pytest.Session) -> None:
    # An xdist worker starts after the controller's snapshot and ends before its second one: the controller's
    # guard sees every write of every worker, and a worker's own verdict would not reach the run's exit status.
    if is_git_checkout(ROOT) and not _is_xdist_worker(session.config):
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


BROWSER_TEST = "test_notebook_in_jupyterlab"
"""The browser test that runs a whole widget notebook (tests/browser/test_notebooks_in_browser.py)."""


def _notebook_of(item: pytest.Item) -> str | None:
    """The notebook file name (``05_keras_mnist.ipynb``) whose run ``item`` is part of, else None."""
    path = Path(str(item.path))
    if path.suffix == ".ipynb":  # an nbval cell
        return path.name
    callspec = getattr(item, "callspec", None)
    nb = callspec.params.get("path") if callspec is not None else None
    return nb.name if isinstance(nb, Path) and nb.suffix == ".ipynb" else None


@pytest.hookimpl(trylast=True)  # after -k / -m / --deselect have removed what will not run
def pytest_collection_modifyitems(session: pytest.Session, config: pytest.Config, items: list) -> None:
    in_browser = {_notebook_of(it) for it in items if getattr(it, "originalname", "") == BROWSER_TEST}
    if in_browser and browser_missing() is None:
        for item in items:
            name = _notebook_of(item)
            if item.path.suffix == ".ipynb" and name in in_browser:
                item.add_marker(pytest.mark.skip(
                    reason=f"run in full by tests/browser/test_notebooks_in_browser.py::{BROWSER_TEST}"
                           f"[{Path(name).stem}] (every cell ran without an error, and more)"))
    if _is_xdist_worker(config):
        _longest_first(items)


def _longest_first(items: list) -> None:
    """Order the work for xdist's scheduler (pyproject.toml turns its own reordering off): first the whole-notebook
    runs (browser runs, student-copy runs, nbval runs) from the last notebook (GANs, the longest) to the first,
    then the rest in collection order. The sort is stable, so the cells of one notebook stay in order."""
    def rank(item: pytest.Item) -> tuple[int, int]:
        name = _notebook_of(item)
        whole_run = _whole_notebook_run(item.nodeid) or (
            item.path.suffix == ".ipynb" and not any(m.name == "skip" for m in item.iter_markers()))
        if whole_run and name is not None:
            return (0, -int(name[:2]) if name[:2].isdigit() else 0)
        return (1, 0)

    items.sort(key=rank)


_WHOLE_RUNS = (f"tests/browser/test_notebooks_in_browser.py::{BROWSER_TEST}[",
               "tests/test_release.py::test_real_student_copy_runs_with_only_not_attempted_errors[")
"""Tests that run one whole notebook each (parametrized by notebook)."""


def _whole_notebook_run(nodeid: str) -> bool:
    return nodeid.startswith(_WHOLE_RUNS)


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log):
    """With ``--dist loadfile``: each file is one unit of work (nbval's cells of a notebook stay in one worker, in
    order), except the tests that run one whole notebook each (the browser runs and the student-copy runs): one
    unit per notebook, so the two workers share them (each worker starts its own JupyterLab server and browser
    when it first needs one)."""
    if config.getoption("dist") != "loadfile":
        return None
    from xdist.scheduler import LoadFileScheduling

    class Scheduling(LoadFileScheduling):
        def _split_scope(self, nodeid: str) -> str:
            if _whole_notebook_run(nodeid):
                return nodeid
            return super()._split_scope(nodeid)

    config.option.loadscopereorder = False  # keep the order _longest_first gave the items
    return Scheduling(config, log)
