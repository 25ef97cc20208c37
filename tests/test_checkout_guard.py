"""The checkout guard (tests/_checkout_guard.py) must notice every kind of write into a checkout."""
from __future__ import annotations

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


def test_the_guard_fails_a_pytest_run_that_writes_into_the_checkout(repo):
    """End to end: the pack's own conftest.py, copied into a throw-away checkout, turns a passing run into exit 1."""
    (repo / "conftest.py").write_text((ROOT / "conftest.py").read_text(encoding="utf-8"))
    (repo / "tests").mkdir()
    (repo / "tests" / "_checkout_guard.py").write_text((ROOT / "tests" / "_checkout_guard.py").read_text())
    (repo / "tests" / "test_writes.py").write_text(textwrap.dedent("""
        from pathlib import Path
        def test_writes():
            (Path(__file__).parents[1] / "notebooks" / "01_x.ipynb").write_text("changed")
    """))
    _git(repo, "add", ".")
    _git(repo, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-q", "-m", "tests")
    (repo / "tests" / "test_writes.py").touch()
    run = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests/test_writes.py"],
                         cwd=repo, capture_output=True, text=True, timeout=300)
    assert run.returncode == 1, run.stdout + run.stderr
    assert "1 passed" in run.stdout and "modified: notebooks/01_x.ipynb" in run.stdout, run.stdout
