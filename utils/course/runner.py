"""Run a notebook top to bottom in a fresh kernel of this Python, and classify what happened.

:func:`run_notebook` is what :mod:`utils.course.handin` runs, and what ``grade --rerun``
(:mod:`utils.course.regrade`) and ``benchmarks/time_notebooks.py`` run too. It copies the notebook with outputs
cleared, starts a ``python3`` kernel of *this* environment (not whatever kernelspec is installed) in the given
folder, with ``NNCOURSE_QUICK`` set for the mode and :data:`RUNNING_ENV_VAR` set (so a ``hand_in`` cell does not
recurse), and runs each code cell with a per-cell time limit. Errors are classified cell by cell
(:func:`utils.course.cells.classify_error`); a fatal one stops the run. Then one extra cell prints the check
results (``utils.checks.core.export_results``) and the versions as JSON behind :data:`RESULTS_SENTINEL`; if the
kernel is gone (a time-out, or it died), the results are read back from the printed ✅/❌/⏳ lines instead.
"""
from __future__ import annotations

import json
import os
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import nbformat

from utils.conventions import count_statuses
from utils.course.cells import (cell_role, checks_from_outputs, classify_error, code_cells, declared_exercises,
                                error_origin, error_output, first_line, one_line, stream_text)
from utils.course.notebook_io import clear_outputs
from utils.course.versions import package_versions
from utils.settings import QUICK_ENV_VAR

RESULTS_SENTINEL = "<<<NNCOURSE-HANDIN-RESULTS>>>"
"""Marks the one line of JSON the extra results cell prints."""
RUNNING_ENV_VAR = "NNCOURSE_HANDIN_RUNNING"
"""Set to 1 in the hand-in kernel, so a ``hand_in(...)`` cell inside the notebook does not recurse."""
DEFAULT_TIMEOUT = 600
"""Per-cell time limit in seconds for a notebook whose expected run time is unknown (and for ``utils.course.grade``)."""
RESULTS_TIMEOUT = 60
"""Seconds to wait for the small results cell run after the notebook (it takes well under a second)."""

RunStatus = Literal["complete", "failed"]


@dataclass
class RunResult:
    """The outcome of running a notebook top to bottom.

    Attributes:
        notebook: the executed copy, with outputs.
        status: ``"complete"`` if the run reached the end, ``"failed"`` if it stopped at a cell.
        failed_cell: the cell it stopped at (``index``, ``first_line``, ``ename``, ``evalue``), or None.
        errors: every cell that raised (``index``, ``first_line``, ``role``, ``ename``, ``evalue``, ``origin``
            (see :func:`~utils.course.cells.error_origin`), ``outcome``
            (see :func:`~utils.course.cells.classify_error`)).
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


def _results_code(number: str | None) -> str:
    """The extra cell that prints the versions and the check results as JSON behind :data:`RESULTS_SENTINEL`."""
    return f'''
def _nncourse_handin_results():
    import json, platform, sys
    payload = {{"versions": {{"python": platform.python_version()}}, "checks": None, "error": None}}
    try:
        from utils.course.versions import package_versions
        payload["versions"] = package_versions()
        import utils.checks  # loads utils.checks.core, whose results the cell exports
    except Exception as err:
        payload["error"] = "import utils.checks failed: " + type(err).__name__ + ": " + str(err)
    core = sys.modules.get("utils.checks.core")
    if core is not None:
        payload["checks"] = core.export_results({number!r})
    print({RESULTS_SENTINEL!r} + json.dumps(payload))
_nncourse_handin_results()
del _nncourse_handin_results
'''


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
            If the kernel times out or dies, the exercises declared for it
            (:func:`~utils.course.cells.declared_exercises`) are still all listed: with the status their check
            printed before, else "not attempted".
        progress: show a progress bar over the code cells (on stderr).
    """
    from nbclient.exceptions import CellTimeoutError, DeadKernelError

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
    cells = code_cells(work)
    start = time.perf_counter()
    with client.setup_kernel(env=env):
        poll_in_slices(client.kc)
        kernel_usable = True
        bar = None
        if progress:
            from tqdm.auto import tqdm

            bar = tqdm(total=len(cells), desc="running cells", unit="cell", file=sys.stderr)
        try:
            by_count: dict[int, nbformat.NotebookNode] = {}
            for index, cell in cells:
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
                err = error_output(cell)
                if err is None:
                    continue
                origin = error_origin(err, by_count)
                if "raises-exception" in cell.metadata.get("tags", []):  # nbval/nbclient: an error on purpose
                    continue
                outcome = classify_error(cell, err["ename"], origin)
                record = {**where, "role": cell_role(cell), "ename": err["ename"], "evalue": one_line(err["evalue"]),
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
                for line in stream_text(extra).splitlines():
                    if line.startswith(RESULTS_SENTINEL):
                        payload = json.loads(line[len(RESULTS_SENTINEL):])
            except Exception as err:  # the kernel died at the very end, or printed garbage: fall back below
                notes.append(f"results cell failed: {type(err).__name__}: {one_line(str(err))}")
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
            notes.append(f"could not list the declared exercises: {type(err).__name__}: {one_line(str(err))}")
        checks = checks_from_outputs("\n".join(stream_text(c) for _, c in cells), declared)
        results_from = "outputs"
    versions = payload["versions"] if payload is not None else package_versions()
    return RunResult(work, "failed" if failed else "complete", failed, errors, checks, versions,
                     round(seconds, 2), results_from, notes)
