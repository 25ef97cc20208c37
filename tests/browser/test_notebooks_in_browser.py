"""Each notebook with a widget, run in a real JupyterLab (and one in Notebook 7) in headless Chromium.

What nbval cannot see: that the front end renders the widgets and that moving one makes the kernel compute
again. For each notebook: wait for the kernel, Run All from the Run menu, then assert every code cell ran with
no error, the widgets rendered (slider labels and readouts), plots rendered as images, and that a real mouse
drag on a slider changes the widget's output. The servers serve a temporary copy of the notebooks (see
conftest.py), so JupyterLab's autosave never writes into the checkout. Screenshots go to the suite's output
folder (set NNCOURSE_TEST_OUTPUTS to keep them).

The JupyterLab run also proves what nbval proves (so the root conftest.py skips nbval's run of a notebook that
this test runs): it saves the notebook and asserts, from the saved file, that every code cell has run and none
has an error output; and that the run wrote no file into the served copy (nbval's kernel runs in the
checkout, where the checkout guard would see such a write).
"""
from __future__ import annotations

import re
import time
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
RUN_TIMEOUT_S = 600


def _widget_notebooks() -> list[Path]:
    out = []
    for path in NOTEBOOKS:
        src = "\n".join(c.source for c in nbformat.read(path, as_version=4).cells if c.cell_type == "code")
        if "ipywidgets" in src or "interact(" in src or "snapshot_slider(" in src:
            out.append(path)
    return out


WIDGET_NOTEBOOKS = _widget_notebooks()


def _n_code_cells(path: Path) -> int:
    return sum(c.cell_type == "code" for c in nbformat.read(path, as_version=4).cells)


def wait_for_kernel_idle(page, timeout_s: float = 120) -> None:
    """Wait until the toolbar names the kernel and the execution indicator says idle."""
    page.wait_for_selector(".jp-Notebook", timeout=timeout_s * 1000)
    page.wait_for_function(
        """() => {
            const name = document.querySelector('.jp-KernelName, .jp-Toolbar-kernelName');
            const ind = document.querySelector('.jp-Notebook-ExecutionIndicator');
            return name && /Python/.test(name.textContent) && ind && ind.getAttribute('data-status') === 'idle';
        }""", timeout=timeout_s * 1000)


def run_all(page) -> None:
    """Run All through the Run menu, picking the item by its command (not its text)."""
    page.locator(".lm-MenuBar-itemLabel", has_text=re.compile(r"^Run$")).first.click()
    page.locator('li[data-command="runmenu:run-all"]').first.click()


def wait_until_all_ran(page, n_code: int, timeout_s: float = RUN_TIMEOUT_S) -> list[str]:
    """Wait until no cell is queued/running and the kernel is idle; return the code cells' prompts."""
    deadline = time.time() + timeout_s
    prompts: list[str] = []
    while time.time() < deadline:
        prompts = page.eval_on_selector_all(
            ".jp-CodeCell .jp-InputArea-prompt", "els => els.map(e => e.textContent.trim())")
        busy = page.evaluate("""() => {
            const ind = document.querySelector('.jp-Notebook-ExecutionIndicator');
            return !ind || ind.getAttribute('data-status') !== 'idle';
        }""")
        if len(prompts) >= n_code and not any("*" in p for p in prompts) and not busy:
            time.sleep(1.0)  # let late display messages (widgets, images) render
            return prompts
        time.sleep(1.0)
    raise AssertionError(f"the notebook did not finish within {timeout_s} s; prompts: {prompts}")


def error_texts(page) -> list[str]:
    """Texts of outputs that are tracebacks (errors), not mere warnings on stderr."""
    texts = page.eval_on_selector_all(
        '.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]',
        "els => els.map(e => e.textContent)")
    return [t for t in texts if "Traceback" in t or re.search(r"^\w*(Error|Exception)\b", t, re.M)]


def _signature(output) -> str:
    """What the kernel drew into a widget output: its text and the bytes of its images."""
    text = output.inner_text()
    images = output.locator("img").evaluate_all("els => els.map(e => e.getAttribute('src') || '')")
    return text + "\n".join(images)


def drag_first_slider(page) -> tuple[str, str, str, str]:
    """Drag the first interact slider's handle with the real mouse (with the arrow keys if every drag misses).

    Returns the slider's readout before and after, and the interact output's signature before and after.
    """
    slider = page.locator(".widget-interact .widget-hslider, .widget-interact .widget-slider").first
    container = slider.locator("xpath=ancestor::div[contains(@class,'widget-interact')][1]")
    output = container.locator(".widget-output").first
    readout = slider.locator(".widget-readout").first
    handle = slider.locator(".noUi-handle, .ui-slider-handle").first
    handle.hover()  # scrolls the notebook so the handle is on screen
    before_readout, before = readout.inner_text(), _signature(output)
    box = handle.bounding_box()
    assert box, "slider handle has no bounding box (not rendered?)"
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    for dx in (60, -60, 120, -120):  # right first; a handle at its maximum moves left; a missed grab tries again
        handle.scroll_into_view_if_needed()
        box = handle.bounding_box() or box  # the page may have shifted (late outputs) since the last attempt
        x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
        page.mouse.move(x, y)
        page.mouse.down()
        page.mouse.move(x + dx, y, steps=10)
        page.mouse.up()
        if readout.inner_text() != before_readout:
            break
        time.sleep(0.5)
    if readout.inner_text() == before_readout:
        # Every drag missed the handle (on a loaded machine late outputs can move the page mid-drag): use the
        # keyboard as a student can, focusing the handle and pressing the arrow keys (noUiSlider's own keys).
        handle.click()
        for key in ("ArrowRight", "ArrowLeft"):
            for _ in range(3):
                page.keyboard.press(key)
            time.sleep(0.5)
            if readout.inner_text() != before_readout:
                break
    deadline = time.time() + 60
    after = before
    while time.time() < deadline:
        after = _signature(output)
        if after != before:
            time.sleep(1.0)  # let the redraw finish
            after = _signature(output)
            break
        time.sleep(0.5)
    return before_readout, readout.inner_text(), before, after


def check_notebook_page(page, path: Path) -> None:
    prompts = wait_until_all_ran(page, _n_code_cells(path))
    assert not error_texts(page), f"{path.name}: error output(s) in the browser: {error_texts(page)[:2]}"
    unexecuted = [i for i, p in enumerate(prompts) if not re.search(r"\[\d+\]", p)]
    assert not unexecuted, f"{path.name}: code cells {unexecuted} did not run (an earlier cell failed?)"
    widgets = page.locator(".jupyter-widgets").count()
    assert widgets > 0, f"{path.name}: no widget rendered (is jupyterlab_widgets installed?)"
    sliders = page.locator(".widget-slider, .widget-hslider")
    if sliders.count():
        assert page.locator(".widget-readout").count() > 0, "sliders render without their readout"
        labels = [t.strip() for t in page.locator(".widget-slider .widget-label, .widget-hslider .widget-label")
                  .all_text_contents()]
        assert any(labels), "sliders render without labels"
    assert page.locator(".jp-RenderedImage img").count() > 0, f"{path.name}: no plot rendered as an image"
    if page.locator(".widget-interact .widget-hslider, .widget-interact .widget-slider").count():
        readout_before, readout_after, before, after = drag_first_slider(page)
        assert readout_before != readout_after, f"{path.name}: the mouse drag did not move the slider"
        assert before != after, f"{path.name}: moving the slider did not change what the kernel drew"


def _files(folder: Path) -> dict[str, tuple[int, int]]:
    """``{relative path: (size, mtime)}`` of the files under ``folder``, without checkpoints and byte-code."""
    out = {}
    for f in folder.rglob("*"):
        rel = f.relative_to(folder)
        if f.is_file() and not {".ipynb_checkpoints", "__pycache__"} & set(rel.parts):
            st = f.stat()
            out[rel.as_posix()] = (st.st_size, st.st_mtime_ns)
    return out


def save_and_read(page, served: Path, timeout_s: float = 60) -> nbformat.NotebookNode:
    """Save the open notebook through the File menu (by the command) and return it as read back from disk."""
    before = served.stat().st_mtime_ns
    page.locator(".lm-MenuBar-itemLabel", has_text=re.compile(r"^File$")).first.click()
    page.locator('li[data-command="docmanager:save"]').first.click()
    # The tab loses its "unsaved" mark once the server has written the file.
    page.wait_for_function("() => !document.querySelector('.lm-TabBar-tab.jp-mod-current.jp-mod-dirty')",
                           timeout=timeout_s * 1000)
    # The server rewrites the file in place (empty, then the JSON): read it once it is new (or after 10 s, if
    # the save found nothing to write), whole, and unchanged while it was read.
    deadline, rewritten_by = time.time() + timeout_s, time.time() + 10
    while time.time() < deadline:
        mtime = served.stat().st_mtime_ns
        if mtime != before or time.time() > rewritten_by:
            try:
                nb = nbformat.reads(served.read_text(encoding="utf-8"), as_version=4)
            except ValueError:  # caught mid-write (nbformat's NotJSONError is a ValueError)
                nb = None
            if nb is not None and served.stat().st_mtime_ns == mtime:
                return nb
        time.sleep(0.5)
    raise AssertionError(f"{served.name}: no whole saved notebook on disk within {timeout_s} s")


def check_saved_notebook(nb: nbformat.NotebookNode, name: str) -> None:
    """What nbval (--nbval-lax) asserts of a run: every code cell ran, and none has an error output."""
    code = [c for c in nb.cells if c.cell_type == "code"]
    not_run = [i for i, c in enumerate(code) if c.get("execution_count") is None]
    assert not not_run, f"{name}: code cells {not_run} (counting code cells from 0) have not run"
    errors = [(i, o.get("ename"), o.get("evalue")) for i, c in enumerate(code) for o in c.get("outputs", [])
              if o.get("output_type") == "error"]
    assert not errors, f"{name}: error output(s) in the saved notebook: {errors[:3]}"


@pytest.mark.parametrize("path", WIDGET_NOTEBOOKS, ids=[p.stem for p in WIDGET_NOTEBOOKS])
def test_notebook_in_jupyterlab(lab_server, page, path):
    rel = path.relative_to(ROOT).as_posix()
    served = lab_server.root_dir / rel
    files_before = _files(lab_server.root_dir)
    try:
        page.goto(lab_server.url(rel))
        wait_for_kernel_idle(page)
        run_all(page)
        check_notebook_page(page, path)
        check_saved_notebook(save_and_read(page, served), path.name)
        files_after = _files(lab_server.root_dir)
        written = sorted(f for f in set(files_before) | set(files_after)
                         if f != rel and files_before.get(f) != files_after.get(f))
        assert not written, f"{path.name}: the run wrote into the notebooks' folder: {written}"
    finally:
        lab_server.shutdown_kernels()
    assert lab_server.running_kernels() == [], "a kernel was left running after the test"


def test_notebook7_runs_one_notebook(notebook_server, page):
    assert WIDGET_NOTEBOOKS, "no notebook with a widget found"
    path = WIDGET_NOTEBOOKS[0]
    try:
        page.goto(notebook_server.url(path.relative_to(ROOT).as_posix()))
        wait_for_kernel_idle(page)
        run_all(page)
        check_notebook_page(page, path)
    finally:
        notebook_server.shutdown_kernels()
    assert notebook_server.running_kernels() == []


def test_servers_serve_a_copy_outside_the_checkout(lab_server):
    """JupyterLab autosaves running notebooks: the server must never see the checkout's own files."""
    served = lab_server.root_dir
    assert served != ROOT and ROOT not in served.parents, f"the server serves {served}, inside the checkout"
    names = sorted(p.name for p in (served / "notebooks").glob("*.ipynb"))
    assert names == [p.name for p in NOTEBOOKS], "the served copy must hold every notebook of the pack"
