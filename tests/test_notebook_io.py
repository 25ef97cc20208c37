"""utils.course.notebook_io: clear errors for bad files, cleared outputs, atomic writes."""
from __future__ import annotations

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from utils.course import notebook_io
from utils.course.notebook_io import (NotebookError, cells_sha256, clear_outputs, load_notebook, read_notebook,
                                      sha256_bytes, write_notebook)
from utils.files import file_sha256


def small_notebook() -> nbformat.NotebookNode:
    code = new_code_cell("print('héllo ✅')", execution_count=3,
                         outputs=[new_output("stream", text="héllo ✅\n")], metadata={"execution": {"iopub.status.busy": "2026-01-01T00:00:00Z"}})
    return new_notebook(cells=[new_markdown_cell("# Title · ü"), code])


def test_round_trip_is_utf8_and_validated(tmp_path):
    path = write_notebook(small_notebook(), tmp_path / "sub" / "nb.ipynb")
    data, nb = load_notebook(path)
    assert "héllo ✅".encode("utf-8") in data and data.endswith(b"\n")
    assert nb.cells[1].outputs[0]["text"] == "héllo ✅\n" and read_notebook(path) == nb
    assert file_sha256(path) == sha256_bytes(data) and len(sha256_bytes(b"")) == 64


@pytest.mark.parametrize("content, reason, words", [
    (None, "missing", "does not exist"),
    (b"{\"cells\": [}", "json", "line 1, column"),
    (b"\x89PNG\r\n\x1a\n\xff", "encoding", "not UTF-8"),
    (b"{\"a\": 1}", "not-notebook", "not a Jupyter notebook"),
    (b"\"just a string\"", "not-notebook", "not a Jupyter notebook"),
    (b"{\"cells\": [{\"cell_type\": \"bogus\"}], \"nbformat\": 4, \"nbformat_minor\": 5, \"metadata\": {}}",
     "not-notebook", "not a valid Jupyter notebook"),
])
def test_bad_files_give_one_clear_error(tmp_path, content, reason, words):
    path = tmp_path / "x.ipynb"
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(NotebookError, match=words) as info:
        read_notebook(path)
    assert info.value.reason == reason and "x.ipynb" in str(info.value)


def test_folder_is_not_a_notebook(tmp_path):
    with pytest.raises(NotebookError, match="not a file") as info:
        read_notebook(tmp_path)
    assert info.value.reason == "not-a-file"


def test_clear_outputs_copies_and_keeps_sources():
    nb = small_notebook()
    cleared = clear_outputs(nb)
    code = cleared.cells[1]
    assert code.outputs == [] and code.execution_count is None and "execution" not in code.metadata
    assert nb.cells[1].outputs and nb.cells[1].execution_count == 3  # the original is unchanged
    assert cells_sha256(cleared) == cells_sha256(nb)
    changed = clear_outputs(nb)
    changed.cells[1].source += " "
    assert cells_sha256(changed) != cells_sha256(nb)


def test_write_refuses_an_invalid_notebook(tmp_path):
    nb = small_notebook()
    nb.cells[0]["cell_type"] = "bogus"
    with pytest.raises(NotebookError, match="invalid notebook"):
        write_notebook(nb, tmp_path / "bad.ipynb")
    assert list(tmp_path.iterdir()) == []


def test_interrupted_notebook_write_keeps_the_old_notebook(tmp_path, monkeypatch):
    path = write_notebook(small_notebook(), tmp_path / "nb.ipynb")
    before = path.read_bytes()
    changed = small_notebook()
    changed.cells[0].source = "# Another title"

    def interrupted(src, dst):
        raise KeyboardInterrupt

    monkeypatch.setattr(notebook_io.os, "replace", interrupted)
    with pytest.raises(KeyboardInterrupt):
        write_notebook(changed, path)
    monkeypatch.undo()
    assert path.read_bytes() == before and sorted(p.name for p in tmp_path.iterdir()) == ["nb.ipynb"]
