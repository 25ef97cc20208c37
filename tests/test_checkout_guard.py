"""The checkout guard (tests/_checkout_guard.py) must notice every kind of write into a checkout."""
from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from _checkout_guard import changes, is_git_checkout, snapshot

ROOT = Path(__file__).resolve().parents[1]


def _git(repo: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True)


@pytest.fixture()
def repo(tmp_path: Path) -> Path:
    repo = tmp_path / "pack"
    (repo / "notebooks").mkdir(parents=True)
    (repo / "notebooks" / "01_x.ipynb").write_text("{}")
    (repo / ".gitignore").write_text("outputs/\n__pycache__/\n")
    _git(repo, "init", "-q")
    _git(repo, "add", ".")
    _git(repo, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-q", "-m", "init")
    return repo


def test_a_clean_run_reports_nothing(repo):
    assert is_git_checkout(repo)
    before = snapshot(repo)
    (repo / "__pycache__").mkdir()
    (repo / "__pycache__" / "x.pyc").write_bytes(b"\0")  # byte-code caches are not the checkout's content
    assert changes(before, snapshot(repo)) == []


@pytest.mark.parametrize("write", ["modify tracked", "modify again", "untracked", "ignored output", "delete"])
def test_every_kind_of_write_is_reported(repo, write):
    nb = repo / "notebooks" / "01_x.ipynb"
    if write == "modify again":  # a file already modified before the run, modified again during it
        nb.write_text('{"cells": []}')
    before = snapshot(repo)
    if write in ("modify tracked", "modify again"):
        nb.write_text('{"cells": [1]}')
    elif write == "untracked":
        (repo / "notebooks" / "01_x-Copy1.ipynb").write_text("{}")
    elif write == "ignored output":
        (repo / "outputs" / "09").mkdir(parents=True)
        (repo / "outputs" / "09" / "g.png").write_bytes(b"png")
    else:
        nb.unlink()
    found = changes(before, snapshot(repo))
    assert len(found) == 1, found


XDIST = ["-n", "2", "--dist", "loadfile"]


@pytest.mark.parametrize("workers", [[], XDIST], ids=["one process", "two xdist workers"])
def test_the_guard_fails_a_pytest_run_that_writes_into_the_checkout(repo, workers):
    """End to end: the pack's own conftest.py, copied into a throw-away checkout, turns a passing run into exit 1,
    also when the write happens in an xdist worker (the suite's default, pyproject.toml)."""
    if workers:
        pytest.importorskip("xdist")
    (repo / "conftest.py").write_text((ROOT / "conftest.py").read_text(encoding="utf-8"))
    (repo / "tests" / "browser").mkdir(parents=True)
    for rel in ("tests/_checkout_guard.py", "tests/browser/_availability.py"):
        (repo / rel).write_text((ROOT / rel).read_text(encoding="utf-8"))
    (repo / "tests" / "test_writes.py").write_text(textwrap.dedent("""
        from pathlib import Path
        def test_writes():
            (Path(__file__).parents[1] / "notebooks" / "01_x.ipynb").write_text("changed")
    """))
    (repo / "tests" / "test_other.py").write_text("def test_other():\n    pass\n")  # work for a second worker
    _git(repo, "add", ".")
    _git(repo, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-q", "-m", "tests")
    (repo / "tests" / "test_writes.py").touch()
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_XDIST")}  # this run may be a worker
    run = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *workers, "tests"],
                         cwd=repo, capture_output=True, text=True, timeout=300, env=env)
    assert run.returncode == 1, run.stdout + run.stderr
    assert "2 passed" in run.stdout and "modified: notebooks/01_x.ipynb" in run.stdout, run.stdout
    assert run.stdout.count("the test run wrote into the checkout") == 1, run.stdout  # reported once
