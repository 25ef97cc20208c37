"""Real-browser fixtures: a JupyterLab server on 127.0.0.1 with a random token and throw-away config folders,
serving a temporary copy of the pack's notebooks (never the checkout: JupyterLab autosaves a running notebook
every 120 s, and checkpoints it), and a headless Debian Chromium driven by Playwright (never
`playwright install`: it downloads a browser). Screenshots go to the suite's output folder
(``utils.output_dir("browser_screenshots")``, a temporary folder during the tests).

Outside CI these tests skip, with the reason, when Chromium or Playwright is missing; in CI (CI=true) a missing
piece is a failure, so the browser tests can never pass by not running.
"""
from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.browser._availability import chromium_path
from utils.settings import silence_tensorflow_logs

ROOT = Path(__file__).resolve().parents[2]


def _missing(reason: str) -> None:
    if os.environ.get("CI", "").lower() in {"1", "true", "yes"}:
        pytest.fail(f"browser tests cannot run in CI: {reason}")
    pytest.skip(reason)


def _chromium() -> str:
    path = chromium_path()
    if path is None:
        _missing("no Chromium found (Debian/Ubuntu: `sudo apt-get install chromium`; or set CHROMIUM_PATH)")
        raise AssertionError("unreachable")
    return path


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_for_server(url: str, proc: subprocess.Popen, timeout: float = 90) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"the Jupyter server exited early with code {proc.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2) as resp:  # loopback only: our own server
                if resp.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    raise RuntimeError(f"the Jupyter server did not answer at {url} within {timeout} s")


def _kernels(base: str, token: str) -> list:
    with urllib.request.urlopen(f"{base}/api/kernels?token={token}", timeout=5) as resp:
        return json.loads(resp.read())


def served_copy(dest: Path) -> Path:
    """Copy the pack's ``notebooks/`` into ``dest/notebooks`` and return ``dest``, the folder a server may serve.

    The copy keeps the pack's relative layout, so ``notebooks/<name>.ipynb`` opens the same notebook; the
    notebooks find ``utils`` (installed) and ``data/`` (through ``utils``) as they do in the checkout.
    """
    dest = dest.resolve()
    if dest == ROOT or ROOT in dest.parents:
        raise ValueError(f"the served copy must live outside the checkout, got {dest}")
    shutil.copytree(ROOT / "notebooks", dest / "notebooks", ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    return dest


class JupyterServer:
    """A running server: ``base`` URL, ``token``, ``app`` ("lab" or "notebook")."""

    def __init__(self, app: str, tmp: Path):
        self.app, self.token, self.port = app, secrets.token_hex(16), _free_port()
        self.root_dir = served_copy(tmp / "pack")
        self.base = f"http://127.0.0.1:{self.port}"
        settings = tmp / "settings"
        notif = settings / "@jupyterlab" / "apputils-extension"
        notif.mkdir(parents=True)
        # Stops JupyterLab 4's news/update toast, which otherwise covers the toolbar.
        (notif / "notification.jupyterlab-settings").write_text(
            json.dumps({"fetchNews": "false", "checkForUpdates": False}))
        env = dict(os.environ, NNCOURSE_QUICK="1", JUPYTER_CONFIG_DIR=str(tmp / "config"),
                   JUPYTERLAB_SETTINGS_DIR=str(settings), JUPYTER_RUNTIME_DIR=str(tmp / "runtime"),
                   JUPYTERLAB_WORKSPACES_DIR=str(tmp / "workspaces"))
        silence_tensorflow_logs(env)
        cmd = [sys.executable, "-m", "jupyter", app, "--no-browser", "--ip=127.0.0.1", f"--port={self.port}",
               f"--IdentityProvider.token={self.token}", f"--ServerApp.root_dir={self.root_dir}",
               "--ServerApp.open_browser=False", "--LabApp.news_url=None"]
        if hasattr(os, "geteuid") and os.geteuid() == 0:
            cmd.append("--allow-root")
        self.log = open(tmp / f"{app}.log", "w", encoding="utf-8")
        self.proc = subprocess.Popen(cmd, env=env, stdout=self.log, stderr=subprocess.STDOUT,
                                     start_new_session=True)
        _wait_for_server(f"{self.base}/api/status?token={self.token}", self.proc)

    def url(self, notebook: str) -> str:
        """The page that opens ``notebook``; in JupyterLab with a reset workspace (no tabs left from before)."""
        if self.app == "lab":
            return f"{self.base}/lab/tree/{notebook}?token={self.token}&reset"
        return f"{self.base}/notebooks/{notebook}?token={self.token}"

    def running_kernels(self) -> list:
        return _kernels(self.base, self.token)

    def shutdown_kernels(self) -> None:
        """Shut down every kernel of this server (so one test's kernel does not load the next test's CPU)."""
        for kernel in self.running_kernels():
            req = urllib.request.Request(f"{self.base}/api/kernels/{kernel['id']}?token={self.token}",
                                         method="DELETE")
            urllib.request.urlopen(req, timeout=30)  # loopback only: our own server

    def stop(self) -> None:
        """Shut the server down by its own process id (and its process group), then wait for it."""
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=10)
        self.log.close()


def _server(app: str, tmp_path_factory):
    if shutil.which("jupyter") is None and not (Path(sys.executable).parent / "jupyter").exists():
        _missing("jupyter is not installed in this environment")
    server = JupyterServer(app, tmp_path_factory.mktemp(f"jupyter_{app}"))
    yield server
    pid = server.proc.pid
    server.stop()
    assert server.proc.returncode is not None, f"Jupyter server {pid} still running"


@pytest.fixture(scope="session")
def lab_server(tmp_path_factory):
    yield from _server("lab", tmp_path_factory)


@pytest.fixture(scope="session")
def notebook_server(tmp_path_factory):
    yield from _server("notebook", tmp_path_factory)


@pytest.fixture(scope="session")
def browser():
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _missing("Playwright is not installed (`pip install -r requirements.txt` installs it)")
    exe = _chromium()
    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=exe, headless=True, args=[
            "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage"])
        yield b
        b.close()


@pytest.fixture()
def page(browser, request):
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    pg = context.new_page()
    yield pg
    import utils

    try:
        pg.screenshot(path=str(utils.output_dir("browser_screenshots") / f"{request.node.name}.png"),
                      full_page=False)
    finally:
        context.close()
