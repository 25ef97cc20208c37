"""utils.checks.core time limit inside a real Jupyter kernel: a student's endless loop is stopped, the kernel lives on.

One notebook run in a fresh ``python3`` kernel (a few seconds): the watchdog's ``_thread.interrupt_main`` must reach
the code of a running cell the way it reaches plain Python, and the recorded result must say "failed".
"""
from __future__ import annotations

import json
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_notebook

REPO = Path(__file__).resolve().parents[1]

CELLS = [
    f"import sys\nsys.path.insert(0, {str(REPO)!r})\nfrom utils.checks import core",
    '''@core.exercise("97", 1, "Count", time_limit=2)
def check_count(fn):
    assert fn() >= 0, "count must not be negative"
    return "counted"''',
    "check_count(lambda: 3)",
    '''def count():
    n = 0
    while True:
        n += 1
    return n''',
    "check_count(count)",
    "import json\nprint(json.dumps(core.export_results('97')))",
]


def test_endless_loop_in_a_kernel_is_stopped_and_recorded_as_failed(tmp_path):
    from nbclient import NotebookClient

    nb = new_notebook(cells=[new_code_cell(src) for src in CELLS])
    NotebookClient(nb, timeout=60, kernel_name="python3", allow_errors=True,
                   resources={"metadata": {"path": str(tmp_path)}}).execute()

    passed = "".join(o.get("text", "") for o in nb.cells[2].outputs)
    assert passed.startswith("✅ 97.1 Count — passed")
    loop_outputs = nb.cells[4].outputs
    printed = "".join(o.get("text", "") for o in loop_outputs if o.output_type == "stream")
    errors = [o for o in loop_outputs if o.output_type == "error"]
    assert printed.startswith("❌ 97.1 Count — did not finish within 2 s: look for a loop that never ends")
    assert [e.ename for e in errors] == ["CheckTimeoutError"]
    assert "NNCOURSE_CHECK_TIME_LIMIT" in errors[0].evalue
    rows = json.loads("".join(o.get("text", "") for o in nb.cells[5].outputs))  # the kernel still runs cells
    assert [(r["label"], r["status"]) for r in rows] == [("97.1", "failed")]
    nbformat.validate(nb)
