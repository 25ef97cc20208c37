"""Real nbgrader reads the pack (issue 15, item 2): generate_assignment and autograde on the course notebooks.

Needs the instructor requirements (``pip install -r requirements-instructor.txt``: nbgrader). The normal
``python -m pytest`` does not collect this folder (pyproject.toml's ``--ignore=tests/instructor``); ``.ci/run``
runs it after installing them::

    python -m pytest -p no:cacheprovider -n 0 tests/instructor

One test builds a whole nbgrader course in ``tmp_path`` (nothing is written into the checkout; the notebooks
find ``utils`` and ``data/`` through the installed, editable ``utils`` package) and checks:

* ``nbgrader generate_assignment`` makes student versions **equal in content** to
  :func:`utils.course.release.make_student_copy`'s, for every notebook nbgrader can read: the same number of
  cells, and cell by cell the same ``cell_type`` and the same ``source`` after stubbing; outputs empty in both.
  Beyond content, the nbgrader metadata (``metadata.nbgrader`` with its checksum) and the lock flags
  (``deletable``/``editable``) are equal too. Notebook-level metadata and cell ids are not compared;
* a notebook with prose that quotes a marker (:func:`utils.course.nbgrader_meta.nbgrader_misreads`; none
  today, which tests/test_nbgrader_meta.py keeps so) would be refused by nbgrader, as the metadata script warns;
* ``nbgrader autograde`` (quick mode) gives a solved copy (the instructor's notebooks 01 and 03 themselves)
  full marks on every check cell and an untouched student copy (utils.course.release's) zero, read from the
  gradebook through ``nbgrader.api``.

Each nbgrader command runs in its own process group with a time limit; on a timeout the group (nbgrader and the
kernel it started) is killed by its id. 37 s on an idle 2-core machine, 67 s on a busy one.
"""
from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest

from utils.course import nbgrader_meta
from utils.course.notebook_io import read_notebook
from utils.course.release import make_student_copy
from utils.settings import repo_root

NOTEBOOKS = repo_root() / "notebooks"
AUTOGRADED = ("01_the_neuron.ipynb", "03_loss_and_gradient_descent.ipynb")
COMMAND_TIMEOUT = 300
"""Seconds for one nbgrader command (autograde of two quick-mode notebooks for two students: ~20 s idle)."""
CONFIG = """c = get_config()
c.CourseDirectory.course_id = "nncourse-test"
c.CourseDirectory.root = {root!r}
c.Execute.timeout = 120   # seconds per cell: quick mode needs a few; nbgrader's default is 30
"""


def _misread(path: Path) -> bool:
    return bool(nbgrader_meta.nbgrader_misreads(json.loads(path.read_text(encoding="utf-8"))["cells"]))


def nbgrader(course: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """Run ``nbgrader <args>`` in ``course`` (quick mode, outputs under it); kill its process group on a timeout."""
    env = dict(os.environ, NNCOURSE_QUICK="1", NNCOURSE_OUTPUT_DIR=str(course / "outputs"),
               PATH=os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")]))  # alembic
    proc = subprocess.Popen([sys.executable, "-m", "nbgrader", *args], cwd=course, env=env, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        out, _ = proc.communicate(timeout=COMMAND_TIMEOUT)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        out, _ = proc.communicate()
        pytest.fail(f"nbgrader {' '.join(args)} did not finish within {COMMAND_TIMEOUT} s:\n{out[-3000:]}")
    return subprocess.CompletedProcess(proc.args, proc.returncode, out, "")


def content(nb: nbformat.NotebookNode) -> list[tuple[str, str]]:
    """What "equal in content" compares: each cell's type and source, in order."""
    return [(cell.cell_type, cell.source) for cell in nb.cells]


def nbgrader_fields(nb: nbformat.NotebookNode) -> list[dict]:
    """Per cell: the nbgrader metadata and the lock flags that nbgrader's student copies carry."""
    return [{key: cell.metadata.get(key) for key in ("nbgrader", "deletable", "editable")} for cell in nb.cells]


@pytest.fixture(scope="module")
def course(tmp_path_factory) -> Path:
    try:
        import nbgrader as _  # noqa: F401
    except ImportError:
        pytest.fail("nbgrader is not installed: pip install -r requirements-instructor.txt (see deploy/NBGRADER.md)")
    root = tmp_path_factory.mktemp("course")
    (root / "nbgrader_config.py").write_text(CONFIG.format(root=str(root)), encoding="utf-8")
    for path in sorted(NOTEBOOKS.glob("*.ipynb")):
        assignment = "lab" if path.name in AUTOGRADED else "misread" if _misread(path) else "rest"
        (root / "source" / assignment).mkdir(parents=True, exist_ok=True)
        shutil.copy(path, root / "source" / assignment / path.name)
    return root


def test_generate_assignment_and_autograde(course):
    times: dict[str, float] = {}
    misread = sorted((course / "source" / "misread").glob("*.ipynb"))
    if misread:  # out of the way of the glob below; generated on its own afterwards
        shutil.move(course / "source" / "misread", course / "misread")

    # 1. generate_assignment: nbgrader's student versions equal utils.course.release's
    start = time.perf_counter()
    done = nbgrader(course, "generate_assignment", "--assignment=*")
    times["generate"] = time.perf_counter() - start
    assert done.returncode == 0, done.stdout[-3000:]
    sources = sorted((course / "source").glob("*/*.ipynb"))
    assert {p.name for p in sources} >= set(AUTOGRADED) and len(sources) >= 10
    for src in sources:
        theirs = nbformat.read(course / "release" / src.parent.name / src.name, as_version=4)
        ours, _ = make_student_copy(read_notebook(src), name=src.name)
        assert content(theirs) == content(ours), f"{src.name}: nbgrader's student version differs in content"
        assert nbgrader_fields(theirs) == nbgrader_fields(ours), f"{src.name}: nbgrader metadata differs"
        assert all(not c.get("outputs") for c in theirs.cells + ours.cells)

    # 2. notebooks that quote a marker in prose are refused by nbgrader, as nbgrader_meta warns
    if misread:
        shutil.move(course / "misread", course / "source" / "misread")
        start = time.perf_counter()
        refused = nbgrader(course, "generate_assignment", "misread")
        times["generate (misread)"] = time.perf_counter() - start
        assert refused.returncode != 0 and "solution" in refused.stdout.lower(), refused.stdout[-3000:]
        assert not list((course / "release").glob("misread/*.ipynb"))

    # 3. autograde: alice hands in the solved notebooks (the instructor's), bob the untouched student copies
    for student in ("alice", "bob"):
        (course / "submitted" / student / "lab").mkdir(parents=True)
    for name in AUTOGRADED:
        shutil.copy(course / "source" / "lab" / name, course / "submitted" / "alice" / "lab" / name)
        student_copy, _ = make_student_copy(read_notebook(course / "source" / "lab" / name), name=name)
        nbformat.write(student_copy, course / "submitted" / "bob" / "lab" / name)
    start = time.perf_counter()
    graded = nbgrader(course, "autograde", "lab")
    times["autograde"] = time.perf_counter() - start
    assert graded.returncode == 0, graded.stdout[-3000:]

    # 4. the gradebook: every check cell full for alice, zero for bob; written answers are worth 0 points
    from nbgrader.api import Gradebook

    expected = sum(m["points"] for name in AUTOGRADED
                   for m in nbgrader_meta.wanted_metadata(read_notebook(NOTEBOOKS / name).cells, name=name)
                   if m and m["grade"])
    scores = {}
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
        for student in ("alice", "bob"):
            submission = gradebook.find_submission("lab", student)
            cells = {(nb.name, g.name): (g.score, g.max_score) for nb in submission.notebooks for g in nb.grades}
            checks = {key: value for key, value in cells.items() if key[1].endswith("-check")}
            scores[student] = (submission.score, submission.max_score, checks)
    assert expected == 8, "01 and 03 have four checks each, one point per check"
    alice, bob = scores["alice"], scores["bob"]
    assert alice[:2] == (expected, expected) and all(s == m == 1 for s, m in alice[2].values()), alice
    assert bob[:2] == (0, expected) and all(s == 0 for s, _ in bob[2].values()), bob
    assert len(alice[2]) == len(bob[2]) == expected
    print("nbgrader timings: " + ", ".join(f"{step} {seconds:.1f} s" for step, seconds in times.items()))
