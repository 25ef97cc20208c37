"""Hand in a notebook: run it top to bottom in a fresh kernel, and zip the proof with a manifest.

Command line (from the top of the course pack)::

    python -m utils.course.handin notebooks/09_vanilla_gan.ipynb --student-id S1234567 --name "Ada Lovelace"

or from a notebook cell (save the notebook first: the file on disk is what is handed in)::

    import utils.course.handin
    utils.course.handin.hand_in("09_vanilla_gan.ipynb", student_id="S1234567", name="Ada Lovelace")

What happens:

1. The notebook file is read once (never modified) and its SHA-256 recorded.
2. A copy runs from the first cell to the last in a fresh ``python3`` kernel of the current environment, with
   the notebook's folder as working directory, in full mode (``--quick`` sets ``NNCOURSE_QUICK=1``) and a
   per-cell time limit (``--timeout``; by default four times the time the whole notebook takes in full mode, at
   least 2 minutes, see :func:`default_timeout`, so a stuck cell gives up in about the time the notebook
   needs). Errors are classified:

   * ``NotImplementedError`` (an exercise still holding its stub, or a check or cell using it): the exercise
     counts as *not attempted*, the run goes on;
   * an error in a cell where a check printed ``❌`` (an ``AssertionError`` from a check, or an exception
     from the student's code inside a check): a *failed* exercise, the run goes on;
   * anything else (``NameError`` because cells only worked out of order, a crash, a time-out): the run
     *failed* at that cell and stops there;
   * cells tagged ``raises-exception`` (errors on purpose, as in nbval/nbclient) are not counted at all.

3. The check results are read from the kernel (one extra cell prints ``utils.checks.core.export_results``
   as JSON behind a sentinel). If the kernel is gone (a time-out, or it died, e.g. out of memory), it is
   killed and the exercises checked before are kept: every exercise declared for the notebook is listed,
   with the status its printed ✅/❌/⏳ line gave, the others as *not attempted*.
4. ``handin/<student id>_<notebook>.zip`` is written atomically. It holds the executed notebook, its HTML
   export and ``manifest.json`` (student, notebook SHA-256, UTC time, versions, run status, failed cell,
   every check's result, run time, SHA-256 of each other member).

A run that failed part-way is still handed in, with run status ``"failed"`` and the failing cell (index and
first line) in the manifest and in the message; the command then exits with status 1 so the student knows
to fix it and hand in again with ``--force``. Problems before running (bad student id, missing or broken
notebook, an ``--out`` that is not a folder, an earlier hand-in without ``--force``) write nothing and exit with
status 2.

The manifest protects against accidental damage and naive edits, not against a determined forger (anyone can
rebuild a zip): ``python -m utils.course.grade --rerun`` re-executes the notebook for that.
"""
from __future__ import annotations

import argparse
import datetime as _dt
import io
import json
import os
import platform
import re
import sys
import time
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, Sequence

import nbformat

from utils.conventions import BEGIN_MARKER, CODE_STUB, ICON_OF_STATUS, count_statuses, is_marker, parse_check_lines
from utils.files import atomic_write_bytes
from utils.machine import REFERENCE_SECONDS
from utils.course.notebook_io import NotebookError, cells_sha256, clear_outputs, load_notebook, notebook_to_bytes, sha256_bytes
from utils.settings import QUICK_ENV_VAR, repo_root
from utils.validation import check_positive_int

MANIFEST_NAME = "manifest.json"
MANIFEST_FORMAT = "nncourse-handin/1"
RESULTS_SENTINEL = "<<<NNCOURSE-HANDIN-RESULTS>>>"
"""Marks the one line of JSON the extra results cell prints."""
RUNNING_ENV_VAR = "NNCOURSE_HANDIN_RUNNING"
"""Set to 1 in the hand-in kernel, so a ``hand_in(...)`` cell inside the notebook does not recurse."""
DEFAULT_TIMEOUT = 600
"""Per-cell time limit in seconds for a notebook whose expected run time is unknown (and for ``utils.course.grade``)."""
STUDENT_ID_PATTERN = re.compile(r"\A[A-Za-z0-9][A-Za-z0-9_-]{0,63}\Z")
"""A whole student id: anchored with ``\\Z``, not ``$`` (which also accepts a trailing newline), so ``.match``
(as ``utils.course.grade`` uses it) and ``.fullmatch`` both accept the whole id only."""

TIMEOUT_MARGIN = 4
"""A full-mode cell may take this many times its whole notebook's expected time before the hand-in gives up.

Four, not two: the expected times (:data:`utils.machine.REFERENCE_SECONDS`) come from an idle 2-core AVX2
machine, and an honest but slow or busy laptop must still hand in (under load, notebooks here ran 3-10 times
slower). A cell stuck in an endless loop gives up after 4 × the notebook's time instead of 10 minutes per cell
(01: 2 minutes)."""
MIN_TIMEOUT = 120
"""Smallest default per-cell limit in full mode, seconds (a slow laptop, a busy machine)."""
MIN_QUICK_TIMEOUT = 60
"""Smallest default per-cell limit in quick mode, seconds (quick mode takes a fraction of the full-mode time)."""

RunStatus = Literal["complete", "failed"]
Outcome = Literal["not attempted", "failed exercise", "fatal"]


class HandinError(RuntimeError):
    """The hand-in could not start or could not be written (nothing was written; the message says why)."""


# ----------------------------------------------------------------------------------------------- validation
def validate_student_id(student_id: object) -> str:
    """Return ``student_id`` if it is 1-64 letters, digits, ``-`` or ``_`` (starting with a letter or digit).

    It becomes part of a file name, so nothing else is allowed. Raises HandinError naming what came.
    """
    if not isinstance(student_id, str) or not STUDENT_ID_PATTERN.fullmatch(student_id):
        raise HandinError(f"student id must be 1-64 letters, digits, '-' or '_' (starting with a letter or digit, "
                          f"e.g. S1234567), got {student_id!r}")
    return student_id


def validate_name(name: object) -> str:
    """Return the stripped ``name`` if it is non-empty printable text of at most 200 characters."""
    if not isinstance(name, str) or not name.strip():
        raise HandinError(f"name must be your name as text, e.g. \"Ada Lovelace\", got {name!r}")
    name = name.strip()
    if len(name) > 200 or any(not ch.isprintable() for ch in name):
        raise HandinError(f"name must be at most 200 printable characters, got {name!r}")
    return name


def notebook_number(path: str | Path) -> str | None:
    """The two-digit number a course notebook's file name starts with (``"09"`` for 09_vanilla_gan), or None."""
    m = re.match(r"^(\d\d)(?:[_\-. ]|$)", Path(path).stem)
    return m.group(1) if m else None


def exercise_number(nb: nbformat.NotebookNode, path: str | Path) -> str | None:
    """The notebook number whose exercises a hand-in reports: the one in its ``checks.summary("NN")`` call,
    else the one its file name starts with (so a renamed file still reports every exercise), else None."""
    for cell in reversed(nb.cells):
        m = re.search(r"\bsummary\(\s*[\"'](\d\d)[\"']", cell.source) if cell.cell_type == "code" else None
        if m:
            return m.group(1)
    return notebook_number(path)


def default_timeout(number: str | None, *, quick: bool = False) -> int:
    """The default per-cell time limit, in seconds, for a hand-in of notebook ``number``.

    Full mode: :data:`TIMEOUT_MARGIN` times the notebook's expected full-mode time
    (:data:`utils.machine.REFERENCE_SECONDS`), at least :data:`MIN_TIMEOUT`; so a stuck cell gives up within about the
    time the whole notebook needs. Quick mode: the full-mode time itself, at least :data:`MIN_QUICK_TIMEOUT`.
    A notebook not in the table (None, or a number the course does not have) gets :data:`DEFAULT_TIMEOUT`.
    """
    expected = REFERENCE_SECONDS.get(number) if number is not None else None
    if expected is None:
        return DEFAULT_TIMEOUT
    if quick:
        return max(MIN_QUICK_TIMEOUT, expected)
    return max(MIN_TIMEOUT, TIMEOUT_MARGIN * expected)


def timeout_explanation(number: str | None, timeout: int, *, quick: bool = False, given: bool = False) -> str:
    """Where a per-cell limit of ``timeout`` seconds came from, for the start-of-run message."""
    if given:
        return f"at most {timeout} s per cell (--timeout)"
    expected = REFERENCE_SECONDS.get(number) if number is not None else None
    if expected is None:
        return (f"at most {timeout} s per cell (the default for a notebook whose run time is unknown; "
                f"--timeout sets it)")
    mode = "quick" if quick else "full"
    return (f"at most {timeout} s per cell (notebook {number} takes about {expected} s in full mode; "
            f"the {mode}-mode default, --timeout sets it)")


def check_out_dir(out_dir: Path, zip_path: Path) -> None:
    """Refuse, before anything runs, an output folder that cannot hold the zip.

    Raises:
        HandinError: ``out_dir`` is an existing file (not a folder), one of its parents is a file, or
            ``zip_path`` itself is an existing folder.
    """
    if out_dir.exists() and not out_dir.is_dir():
        raise HandinError(f"--out {out_dir} is a file, not a folder: give a folder for the zip "
                          f"(it is created if missing), or drop --out to use handin/")
    for parent in out_dir.parents:
        if parent.exists():
            if not parent.is_dir():
                raise HandinError(f"--out {out_dir} cannot be created: {parent} is a file, not a folder. "
                                  f"Give a folder whose parents are folders")
            break
    if zip_path.exists() and not zip_path.is_file():
        raise HandinError(f"{zip_path} is a folder, not a hand-in zip: move or rename it, or give another --out")


def default_handin_dir() -> Path:
    """``handin/`` at the top of the course pack (git-ignored)."""
    return repo_root() / "handin"


def zip_name(student_id: str, notebook: str | Path) -> str:
    """File name of a hand-in, e.g. ``S1234567_09_vanilla_gan.zip``."""
    return f"{validate_student_id(student_id)}_{Path(notebook).stem}.zip"


# ----------------------------------------------------------------------------------------------- execution
def first_line(source: str, width: int = 80) -> str:
    """The first non-blank line of a cell's source, shortened to ``width`` characters."""
    for line in source.splitlines():
        if line.strip():
            line = line.strip()
            return line if len(line) <= width else line[: width - 1] + "…"
    return ""


def cell_role(cell: nbformat.NotebookNode) -> str:
    """What a code cell is in the course's conventions: ``"exercise"``, ``"check"``, ``"summary"`` or ``"other"``.

    An exercise cell holds solution markers or the released stub; a check cell calls ``checks.…(`` or a
    ``check_…(`` function; the summary cell calls ``checks.summary(``.
    """
    src = cell.source
    lines = src.splitlines()
    if any(is_marker(line, BEGIN_MARKER) for line in lines) or all(s in src for s in CODE_STUB):
        return "exercise"
    if re.search(r"\bchecks\.summary\(", src):
        return "summary"
    if re.search(r"\bchecks?\.\w+|\bcheck_\w*\s*\(", src):
        return "check"
    return "other"


def _stream_text(cell: nbformat.NotebookNode) -> str:
    return "".join(o.get("text", "") for o in cell.get("outputs", []) if o.get("output_type") == "stream")


def _error_output(cell: nbformat.NotebookNode) -> dict[str, Any] | None:
    for out in cell.get("outputs", []):
        if out.get("output_type") == "error":
            return {"ename": str(out.get("ename", "")), "evalue": str(out.get("evalue", "")),
                    "traceback": [_ANSI.sub("", str(t)) for t in out.get("traceback", [])]}
    return None


_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
_CHECK_NOT_ATTEMPTED = re.compile(r"^Exercise \d\d\.\d+ .* is not attempted yet")


def error_origin(err: dict[str, Any], cells_by_count: dict[int, nbformat.NotebookNode]) -> str:
    """Where an error was raised: ``"check"`` (a check reporting a stub), ``"exercise"`` (code of an exercise
    cell, e.g. its stub, even when called from a later cell), ``"notebook"`` (another cell), or ``"library"``
    (Python code outside the notebook). The innermost *Python* frame decides, so an error raised inside a
    C function called straight from a cell counts as ``"notebook"``.

    Args:
        err: ``ename``, ``evalue`` and the ANSI-free ``traceback`` lines of the error output.
        cells_by_count: the executed cells by execution count (to map IPython's ``In[k]`` frames to cells).
    """
    if _CHECK_NOT_ATTEMPTED.match(err["evalue"]):
        return "check"
    frames = err.get("traceback", [])
    innermost = frames[-2] if len(frames) >= 2 else ""
    m = re.search(r"In\s*\[(\d+)\]", innermost)
    if m:
        cell = cells_by_count.get(int(m.group(1)))
        return "exercise" if cell is not None and cell_role(cell) == "exercise" else "notebook"
    return "notebook" if "ipykernel_" in innermost else "library"


def classify_error(cell: nbformat.NotebookNode, ename: str, origin: str = "notebook") -> Outcome:
    """Decide what an error in an executed cell means (see the module docs).

    ``NotImplementedError`` raised by notebook code (a stub, or a check reporting one) means "not attempted";
    raised inside a library it is a real failure.
    """
    if ename == "NotImplementedError" and origin != "library":
        return "not attempted"
    statuses = set(parse_check_lines(_stream_text(cell)).values())
    if "failed" in statuses or (ename == "AssertionError" and cell_role(cell) == "check"):
        return "failed exercise"
    return "fatal"


def _short(text: str, width: int = 300) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


@dataclass
class RunResult:
    """The outcome of running a notebook top to bottom.

    Attributes:
        notebook: the executed copy, with outputs.
        status: ``"complete"`` if the run reached the end, ``"failed"`` if it stopped at a cell.
        failed_cell: the cell it stopped at (``index``, ``first_line``, ``ename``, ``evalue``), or None.
        errors: every cell that raised (``index``, ``first_line``, ``role``, ``ename``, ``evalue``, ``origin``
            (see :func:`error_origin`), ``outcome`` (see :func:`classify_error`)).
        checks: one dict per exercise (``label``, ``title``, ``status``, ``message``).
        versions: Python, NumPy, TensorFlow and Keras versions of the kernel (None if not installed).
        seconds: wall-clock run time, in seconds.
        results_from: ``"kernel"`` (exact) or ``"outputs"`` (parsed from printed lines: the kernel was gone).
    """

    notebook: nbformat.NotebookNode
    status: RunStatus
    failed_cell: dict[str, Any] | None
    errors: list[dict[str, Any]]
    checks: list[dict[str, Any]]
    versions: dict[str, str | None]
    seconds: float
    results_from: str
    notes: list[str] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        """``{"passed": n, "failed": n, "not attempted": n}`` over :attr:`checks`."""
        return dict(count_statuses(row["status"] for row in self.checks))


_DECLARED_IN_CELL = re.compile(r"""\bexercise\(\s*["'](\d\d)["']\s*,\s*(\d+)\s*(?:,\s*(["'])(.*?)\3)?""")


def _label_key(label: str) -> tuple[int, ...]:
    """Sort key of an exercise label: ``"09.10"`` after ``"09.9"``."""
    return tuple(int(part) for part in label.split("."))


def declared_exercises(nb: nbformat.NotebookNode, number: str | None) -> dict[str, str]:
    """``{label: title}`` of every exercise declared for notebook ``number`` (``{}`` if None).

    Two places declare exercises: the course's check modules (``utils.checks``, imported in this process, not
    the kernel) and ``@exercise("NN", k, "title")`` decorators in the notebook's own code cells.
    """
    if number is None:
        return {}
    import utils.checks  # noqa: F401 - registers every topic module's exercises in EXERCISES
    from utils.checks.core import EXERCISES

    found = {ex.label: ex.title for ex in EXERCISES.get(number, [])}
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        for m in _DECLARED_IN_CELL.finditer(cell.source):
            if m.group(1) == number:
                found.setdefault(f"{m.group(1)}.{int(m.group(2))}", m.group(4) or "")
    return found


def checks_from_outputs(text: str, declared: dict[str, str]) -> list[dict[str, Any]]:
    """The check results when the kernel cannot be asked: every declared exercise, with the status of its last
    printed ✅/❌/⏳ line, or ``"not attempted"`` if none was printed (its check never ran); printed labels that
    were not declared are listed too. Rows as in :attr:`RunResult.checks`, sorted by label."""
    printed = parse_check_lines(text)
    labels = sorted(set(declared) | set(printed), key=_label_key)
    return [{"label": label, "title": declared.get(label, ""), "status": printed.get(label, "not attempted"),
             "message": "" if label in printed else "no check result was printed for it in this run"}
            for label in labels]


def _kernel_returncode(client: Any) -> int | None:
    """The exit status of the client's kernel process if it has ended (negative: killed by that signal)."""
    process = getattr(getattr(getattr(client, "km", None), "provisioner", None), "process", None)
    try:
        return process.poll() if process is not None else None
    except Exception:  # an unusual provisioner: the status is only a detail of the message
        return None


def dead_kernel_reason(returncode: int | None) -> str:
    """Plain words for a kernel that died, from its exit status (None: unknown)."""
    if returncode is not None and returncode < 0:
        if -returncode == 9:
            return ("the kernel was killed (signal 9), most often because the computer ran out of memory; "
                    "close other programs or make that cell use less memory")
        return f"the kernel was killed by signal {-returncode} (a crash in a library, or out of memory?)"
    if returncode is not None and returncode > 0:
        return (f"the kernel exited with status {returncode} (code in that cell ended the process, "
                f"e.g. os._exit or exit(), or a library crashed)")
    return "the kernel died (out of memory? a crash in a library?)"


RESULTS_TIMEOUT = 60
"""Seconds to wait for the small results cell run after the notebook (it takes well under a second)."""


def _results_code(number: str | None) -> str:
    return f'''
def _nncourse_handin_results():
    import importlib.metadata as md, json, platform, sys
    def version(module, *dists):
        mod = sys.modules.get(module)
        if mod is not None and getattr(mod, "__version__", None):
            return str(mod.__version__)
        for dist in dists:
            try:
                return md.version(dist)
            except Exception:
                pass
        return None
    payload = {{"versions": {{"python": platform.python_version(), "numpy": version("numpy", "numpy"),
                             "tensorflow": version("tensorflow", "tensorflow", "tensorflow-cpu"),
                             "keras": version("keras", "keras"), "utils": version("utils", "nn-course-utils")}},
               "checks": None, "error": None}}
    try:
        import utils.checks  # registers the exercises of every topic module
    except Exception as err:
        payload["error"] = "import utils.checks failed: " + type(err).__name__ + ": " + str(err)
    core = sys.modules.get("utils.checks.core")
    if core is not None:
        payload["checks"] = core.export_results({number!r})
    print({RESULTS_SENTINEL!r} + json.dumps(payload))
_nncourse_handin_results()
del _nncourse_handin_results
'''


def _host_versions() -> dict[str, str | None]:
    from utils.course.doctor import installed_version  # finds tensorflow-cpu for "tensorflow"

    return {"python": platform.python_version(), "numpy": installed_version("numpy"),
            "tensorflow": installed_version("tensorflow"), "keras": installed_version("keras"),
            "utils": installed_version("nn-course-utils")}


def _client_class() -> type:
    """A NotebookClient whose ``python3`` kernel is this very Python (not whatever kernelspec is installed)."""
    import ipykernel.kernelspec
    from jupyter_client.kernelspec import KernelSpecManager
    from jupyter_client.manager import AsyncKernelManager
    from nbclient import NotebookClient

    class CurrentEnvSpecManager(KernelSpecManager):
        def get_kernel_spec(self, kernel_name: str) -> Any:  # noqa: ARG002 - always this environment
            return self.kernel_spec_class(resource_dir=ipykernel.kernelspec.RESOURCES,
                                          **ipykernel.kernelspec.get_kernel_dict())

    class CurrentEnvClient(NotebookClient):
        def create_kernel_manager(self) -> Any:
            self.km = AsyncKernelManager(kernel_name="python3", kernel_spec_manager=CurrentEnvSpecManager(),
                                         config=self.config)
            return self.km

    return CurrentEnvClient


POLL_SLICE_SECONDS = 1.0
"""The longest single wait for a kernel message in :func:`run_notebook`; see :func:`poll_in_slices`."""


def poll_in_slices(kernel_client: Any, slice_seconds: float = POLL_SLICE_SECONDS) -> None:
    """Make ``kernel_client``'s shell and IOPub reads wait at most ``slice_seconds`` at a time, then look again.

    On a busy machine an asyncio ZMQ poll can miss the wake-up of a message that has already arrived (reported as
    nbclient issue #312 for cells with widgets): nbclient then waits for the cell's whole time limit, or forever
    without one, while the kernel sits idle. Observed here: ~300 s stalls after widget and long training cells.
    Each new poll looks at the socket first, so polling in short slices finds the message within a slice.
    A read with a time limit still gives up (``queue.Empty``) once that limit has passed.

    Args:
        kernel_client: an asyncio ``jupyter_client`` kernel client (``NotebookClient.kc``), changed in place.
        slice_seconds: the longest single poll, in seconds (> 0).
    """
    from queue import Empty

    for channel in (kernel_client.shell_channel, kernel_client.iopub_channel):
        original = channel.get_msg

        async def get_msg(timeout: float | None = None, _original: Any = original) -> dict[str, Any]:
            deadline = None if timeout is None else time.monotonic() + timeout
            while True:
                left = slice_seconds if deadline is None else max(0.0, deadline - time.monotonic())
                try:
                    return await _original(timeout=min(slice_seconds, left))
                except Empty:
                    if deadline is not None and time.monotonic() >= deadline:
                        raise

        channel.get_msg = get_msg


def run_notebook(nb: nbformat.NotebookNode, *, cwd: str | Path, quick: bool = False,
                 timeout: int = DEFAULT_TIMEOUT, number: str | None = None, progress: bool = False) -> RunResult:
    """Run a copy of ``nb`` top to bottom in a fresh kernel and classify what happened.

    Args:
        nb: the notebook (not changed; its outputs are cleared in the copy first).
        cwd: the kernel's working directory (the notebook's folder).
        quick: run in quick mode (``NNCOURSE_QUICK=1``); otherwise full mode (``NNCOURSE_QUICK=0``).
        timeout: per-cell time limit in seconds (positive int).
        number: two-digit notebook number whose declared exercises to report (None: whatever was checked).
            If the kernel times out or dies, the exercises declared for it (see :func:`declared_exercises`) are
            still all listed: with the status their check printed before, else "not attempted".
        progress: show a progress bar over the code cells (on stderr).
    """
    from nbclient.exceptions import CellTimeoutError, DeadKernelError

    timeout = check_positive_int(timeout, "timeout")
    work = clear_outputs(nb)
    env = dict(os.environ)
    env[QUICK_ENV_VAR] = "1" if quick else "0"
    env[RUNNING_ENV_VAR] = "1"
    client = _client_class()(work, timeout=timeout, allow_errors=True, interrupt_on_timeout=False,
                             record_timing=False, kernel_name="python3",
                             # hide the kernel's own start-up log (a localhost-TCP notice that alarms students)
                             extra_arguments=["--IPKernelApp.log_level=ERROR"],
                             resources={"metadata": {"path": str(Path(cwd).resolve())}})
    errors: list[dict[str, Any]] = []
    failed: dict[str, Any] | None = None
    payload: dict[str, Any] | None = None
    notes: list[str] = []
    code_cells = [(i, c) for i, c in enumerate(work.cells) if c.cell_type == "code"]
    start = time.perf_counter()
    with client.setup_kernel(env=env):
        poll_in_slices(client.kc)
        kernel_usable = True
        bar = None
        if progress:
            from tqdm.auto import tqdm

            bar = tqdm(total=len(code_cells), desc="running cells", unit="cell", file=sys.stderr)
        try:
            by_count: dict[int, nbformat.NotebookNode] = {}
            for index, cell in code_cells:
                where = {"index": index, "first_line": first_line(cell.source)}
                try:
                    client.execute_cell(cell, index)
                except CellTimeoutError:
                    failed = {**where, "ename": "CellTimeoutError", "evalue": f"the cell ran longer than {timeout} s"}
                    kernel_usable = False
                except DeadKernelError:
                    failed = {**where, "ename": "DeadKernelError",
                              "evalue": dead_kernel_reason(_kernel_returncode(client))}
                    kernel_usable = False
                if not kernel_usable:
                    # A busy or dead kernel cannot shut down gracefully: asking it to would make it log a ZMQError
                    # traceback on the terminal while its sockets close under the running cell. Kill it instead.
                    client.shutdown_kernel = "immediate"
                if bar is not None:
                    bar.update(1)
                if failed is not None:
                    errors.append({**failed, "role": cell_role(cell), "outcome": "fatal"})
                    break
                if isinstance(cell.get("execution_count"), int):
                    by_count[cell.execution_count] = cell
                err = _error_output(cell)
                if err is None:
                    continue
                origin = error_origin(err, by_count)
                if "raises-exception" in cell.metadata.get("tags", []):  # nbval/nbclient: an error on purpose
                    continue
                outcome = classify_error(cell, err["ename"], origin)
                record = {**where, "role": cell_role(cell), "ename": err["ename"], "evalue": _short(err["evalue"]),
                          "origin": origin, "outcome": outcome}
                errors.append(record)
                if outcome == "fatal":
                    failed = {k: record[k] for k in ("index", "first_line", "ename", "evalue")}
                    break
        finally:
            if bar is not None:
                bar.close()
        if kernel_usable:
            extra = nbformat.v4.new_code_cell(_results_code(number))
            work.cells.append(extra)  # nbclient stores the executed cell back at its index; removed below
            client.timeout = min(timeout, RESULTS_TIMEOUT)  # a tiny cell: a lost reply must not cost minutes
            try:
                client.execute_cell(extra, len(work.cells) - 1, store_history=False)
                for line in _stream_text(extra).splitlines():
                    if line.startswith(RESULTS_SENTINEL):
                        payload = json.loads(line[len(RESULTS_SENTINEL):])
            except Exception as err:  # the kernel died at the very end, or printed garbage: fall back below
                notes.append(f"results cell failed: {type(err).__name__}: {_short(str(err))}")
            finally:
                work.cells.pop()
    seconds = time.perf_counter() - start
    if payload is not None and payload.get("error"):
        notes.append(payload["error"])
    if payload is not None and payload.get("checks") is not None:
        checks = [{k: row[k] for k in ("label", "title", "status", "message")} for row in payload["checks"]]
        results_from = "kernel"
    else:
        try:
            declared = declared_exercises(work, number)
        except Exception as err:  # a broken check module must not lose the run: list what was printed
            declared = {}
            notes.append(f"could not list the declared exercises: {type(err).__name__}: {_short(str(err))}")
        checks = checks_from_outputs("\n".join(_stream_text(c) for _, c in code_cells), declared)
        results_from = "outputs"
    versions = payload["versions"] if payload is not None else _host_versions()
    return RunResult(work, "failed" if failed else "complete", failed, errors, checks, versions,
                     round(seconds, 2), results_from, notes)


# ----------------------------------------------------------------------------------------------- the hand-in
@dataclass(frozen=True)
class HandinResult:
    """What :func:`hand_in` wrote: the zip, its manifest, and whether the run completed (``ok``)."""

    zip_path: Path
    manifest: dict[str, Any]

    @property
    def ok(self) -> bool:
        return self.manifest["run"]["status"] == "complete"


def html_export(nb: nbformat.NotebookNode) -> str:
    """The notebook as a stand-alone HTML page (nbconvert's HTMLExporter)."""
    from nbconvert import HTMLExporter

    body, _ = HTMLExporter().from_notebook_node(nb)
    return body


def build_zip_bytes(manifest: dict[str, Any], members: dict[str, bytes]) -> bytes:
    """A zip holding ``manifest.json`` (with ``members`` hashed into ``manifest["members"]``) and ``members``."""
    manifest = {**manifest, "members": {name: sha256_bytes(data) for name, data in members.items()}}
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(MANIFEST_NAME, json.dumps(manifest, indent=2, ensure_ascii=False).encode("utf-8"))
        for name, data in members.items():
            zf.writestr(name, data)
    return buf.getvalue()


def _refuse_existing(zip_path: Path) -> None:
    when = "an earlier run"
    try:
        with zipfile.ZipFile(zip_path) as zf:
            when = json.loads(zf.read(MANIFEST_NAME).decode("utf-8")).get("handed_in_at", when)
    except Exception:
        pass
    raise HandinError(f"{zip_path} already exists (handed in at {when}); it was left unchanged. "
                      f"To replace it, hand in again with --force (force=True).")


def hand_in(path: str | Path, *, student_id: str, name: str, quick: bool = False, timeout: int | None = None,
            force: bool = False, out: str | Path | None = None, progress: bool = True,
            verbose: bool = True) -> HandinResult | None:
    """Run the notebook at ``path`` in a fresh kernel and write the hand-in zip (see the module docs).

    Args:
        path: the notebook to hand in (read, never modified).
        student_id: 1-64 letters, digits, ``-`` or ``_``.
        name: the student's name.
        quick: run in quick mode (for trying the hand-in out; hand in for real in full mode).
        timeout: per-cell time limit, seconds; None: :func:`default_timeout` for this notebook and mode.
        force: replace an earlier hand-in of the same notebook.
        out: folder for the zip (default: ``handin/`` at the top of the pack).
        progress: show a progress bar while the cells run.
        verbose: print the result summary.

    Returns:
        The :class:`HandinResult` (check ``.ok``: False if the run failed part-way, in which case the zip still
        records the failing cell), or None when called inside a hand-in run (a ``hand_in`` cell in the notebook
        does not hand itself in again).

    Raises:
        HandinError: bad student id or name, ``out`` is not a folder (or cannot be one), an earlier hand-in
            exists and ``force`` is False, or the zip could not be written.
        NotebookError: the notebook does not exist, is not valid JSON or is not a notebook.
    """
    if os.environ.get(RUNNING_ENV_VAR) == "1":
        print("hand_in(...) skipped: this notebook is being run for a hand-in right now.")
        return None
    student_id = validate_student_id(student_id)
    name = validate_name(name)
    given = timeout is not None
    if given:
        timeout = check_positive_int(timeout, "timeout")
    src = Path(path)
    data, nb = load_notebook(src)
    out_dir = Path(out) if out is not None else default_handin_dir()
    zip_path = out_dir / zip_name(student_id, src)
    check_out_dir(out_dir, zip_path)
    if zip_path.exists() and not force:
        _refuse_existing(zip_path)
    number = exercise_number(nb, src)
    if timeout is None:
        timeout = default_timeout(number, quick=quick)
    handed_in_at = _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds")
    mtime = _dt.datetime.fromtimestamp(src.stat().st_mtime, _dt.timezone.utc).isoformat(timespec="seconds")
    if verbose:
        print(f"Handing in {src.name} as saved on disk (last saved {mtime} UTC): running it top to bottom in a "
              f"fresh kernel, {'QUICK' if quick else 'full'} mode, "
              f"{timeout_explanation(number, timeout, quick=quick, given=given)}...")
    try:
        run = run_notebook(nb, cwd=src.resolve().parent, quick=quick, timeout=timeout, number=number,
                           progress=progress)
    except Exception as err:  # the kernel could not start: nothing to hand in
        raise HandinError(f"could not run {src.name} in a fresh kernel ({type(err).__name__}: {_short(str(err))}). "
                          f"Is ipykernel installed in this Python environment ({sys.executable})?") from err
    members: dict[str, bytes] = {}
    try:
        members[f"{src.stem}.ipynb"] = notebook_to_bytes(run.notebook)
    except NotebookError:  # an unusual output the schema rejects: keep the evidence anyway
        members[f"{src.stem}.ipynb"] = nbformat.writes(run.notebook).encode("utf-8")
        run.notes.append("the executed notebook does not validate against the nbformat schema")
    try:
        members[f"{src.stem}.html"] = html_export(run.notebook).encode("utf-8")
    except Exception as err:  # HTML is a convenience: never lose a hand-in over it
        run.notes.append(f"HTML export failed: {type(err).__name__}: {_short(str(err))}")
    manifest: dict[str, Any] = {
        "format": MANIFEST_FORMAT,
        "student_id": student_id,
        "name": name,
        "notebook": src.name,
        "notebook_number": number,
        "notebook_sha256": sha256_bytes(data),
        "cells_sha256": cells_sha256(nb),
        "handed_in_at": handed_in_at,
        "notebook_saved_at": mtime,
        "quick": quick,
        "timeout_s": timeout,
        "platform": f"{platform.system()} {platform.release()} {platform.machine()}",
        "versions": run.versions,
        "run": {"status": run.status, "failed_cell": run.failed_cell, "errors": run.errors,
                "seconds": run.seconds, "results_from": run.results_from},
        "checks": run.checks,
        "counts": run.counts(),
        "notes": run.notes,
    }
    blob = build_zip_bytes(manifest, members)
    if zip_path.exists() and not force:  # someone handed in while this one ran
        _refuse_existing(zip_path)
    try:
        atomic_write_bytes(zip_path, blob)
    except OSError as err:  # e.g. no permission, disk full: atomic_write_bytes leaves nothing behind
        raise HandinError(f"could not write {zip_path} ({type(err).__name__}: {err.strerror or err}); "
                          f"nothing was written. Give another folder with --out.") from err
    with zipfile.ZipFile(zip_path) as zf:
        manifest = json.loads(zf.read(MANIFEST_NAME).decode("utf-8"))
    result = HandinResult(zip_path, manifest)
    if verbose:
        print(describe(result))
    return result


def describe(result: HandinResult) -> str:
    """A few lines for the student: checks, run status (and the failing cell), where the zip is."""
    m = result.manifest
    lines = [f"{ICON_OF_STATUS.get(c['status'], '?')} {c['label']} {c['title']}: {c['status']}"
             .replace("  ", " ") for c in m["checks"]]
    counts = m["counts"]
    lines.append(f"— {counts['passed']} of {len(m['checks'])} exercises passed; run took {m['run']['seconds']:.1f} s.")
    fc = m["run"]["failed_cell"]
    if fc is None:
        lines.append(f"Handed in: {result.zip_path}")
    elif fc["ename"] in _KERNEL_LOST:
        lines.append(stopped_message(fc, m["checks"]))
        advice = (f"If that cell only needs more time, hand in again with --force --timeout "
                  f"{2 * int(m.get('timeout_s') or DEFAULT_TIMEOUT)}; otherwise fix it"
                  if fc["ename"] == "CellTimeoutError" else "Fix that cell")
        lines.append(f"Saved anyway with status 'failed' in {result.zip_path}. {advice}, save, and hand in again "
                     f"with --force.")
    else:
        lines.append(f"The run FAILED at cell {fc['index']} (`{fc['first_line']}`): {fc['ename']}: {fc['evalue']}")
        lines.append(f"Saved anyway with status 'failed' in {result.zip_path}. Fix that cell (Kernel > Restart "
                     f"Kernel and Run All Cells shows the problem), save, and hand in again with --force.")
    for note in m.get("notes", []):
        lines.append(f"note: {note}")
    return "\n".join(lines)


_KERNEL_LOST = ("CellTimeoutError", "DeadKernelError")
"""Failures after which the kernel is gone: the results come from the printed check lines."""


def stopped_message(failed_cell: dict[str, Any], checks: list[dict[str, Any]]) -> str:
    """One line for a run that stopped because a cell timed out or the kernel died, saying what was kept.

    Args:
        failed_cell: the manifest's ``run.failed_cell`` (``index``, ``first_line``, ``evalue``).
        checks: the manifest's ``checks`` rows (``label``, ``status``).
    """
    kept = [f"{c['label']} {c['status']}" for c in checks if c["status"] != "not attempted"]
    if not kept:
        what = "No exercise was checked before that; all count as not attempted."
    else:
        rest = "; the others count as not attempted" if len(kept) < len(checks) else ""
        what = f"Exercises checked before that are kept: {', '.join(kept)}{rest}."
    where = f"cell {failed_cell['index']} (`{failed_cell['first_line']}`)"
    return f"The run stopped at {where}: {failed_cell['evalue']}. {what}"


def safe_console() -> None:
    """Never crash on printing ✅/❌/⏳ to a console or file whose encoding lacks them (e.g. cp1252 on Windows)."""
    for stream in (sys.stdout, sys.stderr):
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="backslashreplace")


def main(argv: Sequence[str] | None = None) -> int:
    """Command line. Exit status: 0 handed in, 1 handed in but the run failed part-way, 2 nothing written."""
    safe_console()
    parser = argparse.ArgumentParser(prog="python -m utils.course.handin",
                                     description="Run a notebook top to bottom in a fresh kernel and zip it for hand-in.")
    parser.add_argument("notebook", type=Path)
    parser.add_argument("--student-id", required=True, help="letters, digits, - and _ only (e.g. S1234567)")
    parser.add_argument("--name", required=True, help='your name, in quotes ("Ada Lovelace")')
    parser.add_argument("--quick", action="store_true", help="quick mode (NNCOURSE_QUICK=1): for a trial run only")
    parser.add_argument("--timeout", type=int, default=None,
                        help="per-cell time limit in seconds (default: 4x the notebook's expected full-mode run "
                             f"time, at least {MIN_TIMEOUT} s; {DEFAULT_TIMEOUT} s for a notebook not in the course)")
    parser.add_argument("--force", action="store_true", help="replace an earlier hand-in of this notebook")
    parser.add_argument("--out", type=Path, default=None, help="folder for the zip (default: handin/)")
    args = parser.parse_args(argv)
    try:
        result = hand_in(args.notebook, student_id=args.student_id, name=args.name, quick=args.quick,
                         timeout=args.timeout, force=args.force, out=args.out)
    except (HandinError, NotebookError, ValueError) as err:
        print(f"hand-in not written: {err}", file=sys.stderr)
        return 2
    if result is None:
        return 0
    return 0 if result.ok else 1


if __name__ == "__main__":
    sys.exit(main())
