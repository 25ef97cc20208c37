"""utils.course.handin when the kernel is lost part-way (a cell over the time limit, a kernel that dies): the hand-in
keeps the exercises checked before, lists the notebook's other exercises as not attempted, and tells the
student in one line what happened, with no traceback. Each test starts one kernel (a few seconds)."""
from __future__ import annotations

import json
import zipfile
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook

from utils.course import handin, runner
from utils.course.notebook_io import write_notebook

SID = "S1234567"


def _write(tmp_path: Path, name: str, sources: list[str]) -> Path:
    nb = new_notebook(cells=[new_code_cell(src) for src in sources])
    nb.metadata["kernelspec"] = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}
    (tmp_path / "nb").mkdir()
    return write_notebook(nb, tmp_path / "nb" / name)


def _manifest(zip_path: Path) -> dict:
    with zipfile.ZipFile(zip_path) as zf:
        return json.loads(zf.read(handin.MANIFEST_NAME).decode("utf-8"))


def _assert_one_clear_line(out: str, err: str, cell: int) -> str:
    """Exactly one line says where the run stopped, and nothing on the terminal is a traceback."""
    for text in (out, err):
        assert "Traceback" not in text and "ZMQError" not in text, text
    stopped = [line for line in out.splitlines() if "stopped" in line or "FAILED" in line]
    assert len(stopped) == 1 and stopped[0].startswith(f"The run stopped at cell {cell} "), out
    return stopped[0]


# Notebook 00's real exercises (declared in utils.checks, not in the notebook): 00.1 passes, then a cell sleeps.
TIMEOUT_CELLS = [
    "import numpy as np\nfrom utils import checks",
    "checks.getting_started.check_nonzero_fraction(lambda image: np.count_nonzero(image) / image.size)",
    "import time\ntime.sleep(120)",
    "checks.getting_started.check_count_per_class(lambda labels: np.bincount(labels, minlength=10))",
    'checks.summary("00")',
]


def test_cell_over_the_time_limit_keeps_checked_exercises_and_says_so_in_one_line(tmp_path, capfd):
    nb_path = _write(tmp_path, "00_getting_started.ipynb", TIMEOUT_CELLS)
    code = handin.main([str(nb_path), "--student-id", SID, "--name", "Ada", "--timeout", "6",
                        "--out", str(tmp_path / "out")])
    out, err = capfd.readouterr()
    line = _assert_one_clear_line(out, err, 2)
    assert "(`import time`)" in line and "longer than 6 s" in line and "kept: 00.1 passed" in line
    assert "--timeout 12" in out  # how to give the cell more time
    assert code == 1
    manifest = _manifest(tmp_path / "out" / f"{SID}_00_getting_started.zip")
    assert [(c["label"], c["title"], c["status"]) for c in manifest["checks"]] == [
        ("00.1", "Fraction of non-zero pixels", "passed"), ("00.2", "Count images per class", "not attempted")]
    assert manifest["counts"] == {"passed": 1, "failed": 0, "not attempted": 1}
    assert manifest["run"]["status"] == "failed" and manifest["run"]["results_from"] == "outputs"
    assert (manifest["run"]["failed_cell"]["index"], manifest["run"]["failed_cell"]["ename"]) == (2, "CellTimeoutError")


def test_kernel_that_dies_keeps_checked_exercises_and_says_so_in_one_line(tmp_path, capfd):
    """The notebook declares its own exercises (97.1-97.3); 97.1 passes, then the kernel process exits."""
    nb_path = _write(tmp_path, "97_dies.ipynb", [
        "from utils.checks.core import exercise",
        '@exercise("97", 1, "Double")\ndef check_double(fn):\n    assert fn(2) == 4\n    return "ok"\n\n'
        '@exercise("97", 2, "Triple")\ndef check_triple(fn):\n    assert fn(2) == 6\n    return "ok"\n\n'
        "@exercise('97', 3, 'Square')\ndef check_square(fn):\n    assert fn(3) == 9\n    return 'ok'",
        "check_double(lambda x: 2 * x)",
        "import os\nos._exit(1)",
        "check_triple(lambda x: 3 * x)",
    ])
    result = handin.hand_in(nb_path, student_id=SID, name="Ada", timeout=60, out=tmp_path / "out", progress=False)
    out, err = capfd.readouterr()
    assert not result.ok
    manifest = _manifest(result.zip_path)
    assert [(c["label"], c["title"], c["status"]) for c in manifest["checks"]] == [
        ("97.1", "Double", "passed"), ("97.2", "Triple", "not attempted"), ("97.3", "Square", "not attempted")]
    failed = manifest["run"]["failed_cell"]
    assert (failed["index"], failed["ename"]) == (3, "DeadKernelError") and "exited with status 1" in failed["evalue"]
    line = _assert_one_clear_line(out, err, 3)
    assert "(`import os`)" in line and "kernel exited" in line and "kept: 97.1 passed" in line


def test_time_out_before_any_check_lists_every_declared_exercise(tmp_path):
    """Notebook 09's exercises are declared in utils.checks: none was checked, all four are listed."""
    nb = new_notebook(cells=[new_code_cell("import time\ntime.sleep(120)"), new_code_cell("x = 1")])
    run = runner.run_notebook(nb, cwd=tmp_path, timeout=2, number="09")
    assert run.status == "failed" and run.failed_cell["ename"] == "CellTimeoutError"
    assert [(c["label"], c["status"]) for c in run.checks] == [
        ("09.1", "not attempted"), ("09.2", "not attempted"), ("09.3", "not attempted"), ("09.4", "not attempted")]
    assert run.checks[0]["title"] == "Discriminator loss with one-sided label smoothing"
    assert run.counts() == {"passed": 0, "failed": 0, "not attempted": 4}
    assert nbformat.validate(run.notebook) is None


# ---------------------------------------------------------------- a missed ZMQ wake-up costs one slice, not the limit
class _MissedWakeUpChannel:
    """A channel whose message is already there, but whose first poll does not notice it (as a missed ZMQ
    wake-up under load): that poll waits its whole timeout, then reports nothing."""

    def __init__(self, has_message=True):
        self.calls = []
        self.has_message = has_message

    async def get_msg(self, timeout=None):
        import asyncio
        from queue import Empty
        self.calls.append(timeout)
        if len(self.calls) == 1 or not self.has_message:
            await asyncio.sleep(timeout if timeout is not None else 3600)
            raise Empty
        return {"msg_type": "execute_reply"}


def _run(coro):
    """Run ``coro`` to the end in a thread of its own (the test process may already have a running event loop)."""
    import asyncio
    from concurrent.futures import ThreadPoolExecutor
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coro).result()


class _FakeKernelClient:
    def __init__(self, has_message=True):
        self.shell_channel = _MissedWakeUpChannel(has_message)
        self.iopub_channel = _MissedWakeUpChannel(has_message)


def test_polling_in_slices_finds_a_message_whose_wake_up_was_missed():
    import time as _time
    kc = _FakeKernelClient()
    runner.poll_in_slices(kc, slice_seconds=0.05)
    start = _time.monotonic()
    msg = _run(kc.shell_channel.get_msg(timeout=300))
    assert msg["msg_type"] == "execute_reply" and _time.monotonic() - start < 5
    assert _run(kc.iopub_channel.get_msg(timeout=None))["msg_type"] == "execute_reply"


def test_polling_in_slices_still_gives_up_at_the_time_limit():
    import time as _time
    from queue import Empty
    kc = _FakeKernelClient(has_message=False)
    runner.poll_in_slices(kc, slice_seconds=0.05)
    start = _time.monotonic()
    with pytest.raises(Empty):
        _run(kc.shell_channel.get_msg(timeout=0.3))
    assert 0.25 <= _time.monotonic() - start < 5
    assert all(t <= 0.05 + 1e-9 for t in kc.shell_channel.calls)
