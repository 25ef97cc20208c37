"""A whole lab room on one machine: the real JupyterHub, real proxy, 4+ students, two notebooks each, hand-in, grade.

    .venv/bin/python scripts/lab_hub_test.py                  # 4 students, quick mode, 15-minute limit
    .venv/bin/python scripts/lab_hub_test.py --students 6 --time-limit 1200
    .venv/bin/python scripts/lab_hub_test.py --full           # full mode (NNCOURSE_QUICK=0): far slower

Needs ``pip install -r requirements-instructor.txt`` (jupyterhub, jupyterhub-idle-culler) in this environment and
``configurable-http-proxy`` (Node, ``npm install -g configurable-http-proxy@5``) on PATH, or ``--chp PATH``.

What it does, all inside one temporary folder (the checkout is only read):

1. copies the pack (less .git, .venv, caches) to ``<tmp>/pack`` and releases the student copies of
   01_the_neuron and 03_loss_and_gradient_descent there (``python -m utils.course.release --out <tmp>/root/release``);
2. starts ``jupyterhub -f <tmp>/pack/deploy/jupyterhub_config.py`` on 127.0.0.1 with three free ports, in its own
   process group; the hub starts configurable-http-proxy and the idle-culler service itself;
3. for each student, in parallel (one thread each, as a lab room does it): the course-admin service token creates
   the user; the student logs in with the shared password through ``/hub/login`` (SharedPasswordAuthenticator); the
   admin token makes them an API token; with it the student starts their server through the hub's REST API and
   waits for it; checks the hub's pre_spawn_hook put both released notebooks into ``~/notebooks``;
4. "does the lab": reads each student copy through the contents API, fills in the exercise solutions from the
   instructor's notebook (cell by cell, only where the student copy differs: the student's copy, solved), saves it,
   opens a session (kernel) on it and runs every code cell over the kernel's websocket, then saves it with outputs.
   The last student leaves 03 unsolved (its exercises must grade "not attempted", the rest of the notebook must
   still run), so the grades are seen to tell the difference;
5. hands both in from a cell in the student's own server:
   ``python -m utils.course.handin <nb> --student-id ... --name ... --out ~/handin [--quick]``;
6. stops the student's server through the REST API;
7. collects every ``homes/*/handin/*.zip`` and runs ``python -m utils.course.grade <folder> --out <csv>``; checks
   each row (intact, run complete, every exercise passed, or not attempted for the unsolved 03);
8. stops the hub (SIGTERM; it stops the proxy and any server left), then kills whatever it started that is still
   there, by pid and by process group, and fails if anything survives.

While it runs, a thread reads every 0.2 s the RSS (``/proc/<pid>/status``) of the hub and all its descendants (proxy,
culler, single-user servers, kernels, hand-in runs): the peak of their sum is "the hub's peak memory". Every process
is also tagged (``NNCOURSE_HUB_TEST_TAG`` in its environment), which the clean-up uses to find strays.

Quick mode (the default): ``NNCOURSE_QUICK=1`` in the users' environment, hand-ins with ``--quick``.
Exit status 0 only if every server came up, every notebook finished, every zip graded as expected and nothing was
left running; the time limit (``--time-limit``, seconds, for the whole run) counts as a failure.
"""
from __future__ import annotations

import argparse
import csv
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import traceback
import uuid
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ("01_the_neuron.ipynb", "03_loss_and_gradient_descent.ipynb")
SKIPPED = (".git", ".venv", ".ruff_cache", ".pytest_cache", "outputs", "release", "handin", "build", "__pycache__",
           ".ipynb_checkpoints", "*.egg-info", "*.pyc", "node_modules")
TAG_VAR = "NNCOURSE_HUB_TEST_TAG"
SAMPLE_SECONDS = 0.2
CELL_TIMEOUT = 300


def log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", flush=True)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# ------------------------------------------------------------------------------------------------- /proc helpers
def proc_stat(pid: int) -> tuple[int, int, int] | None:
    """(ppid, pgid, start time in clock ticks) of a live process, or None (gone, or a zombie: dead, not yet reaped)."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as fh:
            text = fh.read().decode("utf-8", "replace")
    except OSError:
        return None
    fields = text[text.rfind(")") + 2:].split()
    if fields[0] in ("Z", "X"):
        return None
    return int(fields[1]), int(fields[2]), int(fields[19])


def rss_kb(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/status", encoding="utf-8") as fh:
            for line in fh:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        pass
    return 0


def cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode("utf-8", "replace").strip()
    except OSError:
        return ""


def has_tag(pid: int, tag: str) -> bool:
    try:
        return f"{TAG_VAR}={tag}".encode() in Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
    except OSError:
        return False


def all_pids() -> list[int]:
    return [int(name) for name in os.listdir("/proc") if name.isdigit()]


def kind_of(pid: int, hub_pid: int) -> str:
    if pid == hub_pid:
        return "hub"
    cmd = cmdline(pid)
    if "configurable-http-proxy" in cmd:
        return "proxy"
    if "jupyterhub-singleuser" in cmd:
        return "servers"
    if "ipykernel" in cmd:
        return "kernels"
    if "idle_culler" in cmd:
        return "culler"
    if "utils.course.handin" in cmd:
        return "handin"
    if "jupyterhub -f" in cmd:
        return "hub (forking)"  # a child of the hub between fork and exec
    argv = cmd.split()
    if argv and Path(argv[0]).name in ("node", "npm") or "yarn.js" in cmd:
        return "node (JupyterLab's start-up checks)"  # each server asks npm/yarn for their config once
    if "-m" in argv[:-1]:
        return f"other ({argv[argv.index('-m') + 1]})"
    return f"other ({Path(argv[0]).name})" if argv else "other"


class Tracker:
    """Samples the hub's process tree (RSS) and remembers every pid and process group it saw, for the clean-up."""

    def __init__(self, hub_pid: int) -> None:
        self.hub_pid = hub_pid
        self.seen: dict[int, tuple[int, str]] = {}  # pid -> (start time, kind)
        self.pgids: dict[int, int] = {}  # pgid -> start time of its leader when first seen (0: leader unseen)
        self.peak_kb = 0
        self.peak_parts: dict[str, int] = {}
        self.peak_by_kind: dict[str, int] = {}
        self.max_kernels = 0
        self.others: dict[str, int] = {}  # command line -> largest RSS, kB, of processes of no known kind
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._lock = threading.Lock()

    def sample(self) -> None:
        kids: dict[int, list[int]] = {}
        stats: dict[int, tuple[int, int, int]] = {}
        for pid in all_pids():
            st = proc_stat(pid)
            if st is not None:
                stats[pid] = st
                kids.setdefault(st[0], []).append(pid)
        if self.hub_pid not in stats:
            return
        tree, todo = [], [self.hub_pid]
        while todo:
            pid = todo.pop()
            tree.append(pid)
            todo.extend(kids.get(pid, []))
        parts: dict[str, int] = {}
        with self._lock:
            for pid in tree:
                ppid, pgid, start = stats[pid]
                kind = kind_of(pid, self.hub_pid)  # every time: a process seen between fork and exec changes
                self.seen[pid] = (start, kind)
                if pgid not in self.pgids:
                    self.pgids[pgid] = stats[pgid][2] if pgid in stats else 0
                kb = rss_kb(pid)
                parts[kind] = parts.get(kind, 0) + kb
                if kind.startswith("other") and kb:
                    cmd = cmdline(pid)[:100]
                    self.others[cmd] = max(self.others.get(cmd, 0), kb)
        total = sum(parts.values())
        self.max_kernels = max(self.max_kernels, sum(1 for p in tree if self.seen[p][1] == "kernels"))
        for kind, kb in parts.items():
            self.peak_by_kind[kind] = max(self.peak_by_kind.get(kind, 0), kb)
        if total > self.peak_kb:
            self.peak_kb, self.peak_parts = total, parts

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self.sample()
            except Exception:  # a process vanishing mid-read: the next sample will do
                pass
            self._stop.wait(SAMPLE_SECONDS)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=5)


# ------------------------------------------------------------------------------------------------- the hub
class Hub:
    def __init__(self, tmp: Path, pack: Path, *, quick: bool, chp: str) -> None:
        self.tmp, self.pack = tmp, pack
        self.root = tmp / "root"
        self.port, self.hub_port, self.proxy_api_port = free_port(), free_port(), free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.admin_token = secrets.token_hex(24)
        self.password = secrets.token_urlsafe(12)
        self.tag = uuid.uuid4().hex
        self.quick, self.chp = quick, chp
        self.proc: subprocess.Popen | None = None
        self.tracker: Tracker | None = None
        self.log_path = tmp / "jupyterhub.log"
        self._log = None

    def env(self) -> dict[str, str]:
        env = dict(os.environ)
        for key in list(env):
            if key.startswith(("JUPYTERHUB_", "JPY_", "NNCOURSE_")) or key in ("CONFIGPROXY_AUTH_TOKEN",):
                env.pop(key)
        bin_dir = str(Path(sys.executable).parent)
        env.update({
            "PATH": os.pathsep.join([bin_dir, str(Path(self.chp).parent), env.get("PATH", "")]),
            "PYTHONPATH": str(self.pack),  # utils from the temporary copy, never the checkout
            "NNCOURSE_HUB_ROOT": str(self.root), "NNCOURSE_PACK": str(self.pack),
            "NNCOURSE_HUB_IP": "127.0.0.1", "NNCOURSE_HUB_PORT": str(self.port),
            "NNCOURSE_HUB_API_PORT": str(self.hub_port), "NNCOURSE_PROXY_API_PORT": str(self.proxy_api_port),
            "NNCOURSE_HUB_PASSWORD": self.password, "NNCOURSE_HUB_ADMIN_TOKEN": self.admin_token,
            "NNCOURSE_CHP": self.chp, "NNCOURSE_IDLE_TIMEOUT": "900",
            "NNCOURSE_QUICK": "1" if self.quick else "0",
            TAG_VAR: self.tag,
            "JUPYTER_CONFIG_DIR": str(self.tmp / "jupyter-config"),  # no stray user config
            "JUPYTER_RUNTIME_DIR": str(self.tmp / "jupyter-runtime"),
            "IPYTHONDIR": str(self.tmp / "ipython"),
            "MPLCONFIGDIR": str(self.tmp / "mplconfig"),
        })
        return env

    def start(self) -> None:
        (self.root / "hub").mkdir(parents=True, exist_ok=True)
        self._log = open(self.log_path, "wb")
        cmd = [str(Path(sys.executable).parent / "jupyterhub"), "-f", str(self.pack / "deploy" / "jupyterhub_config.py")]
        self.proc = subprocess.Popen(cmd, cwd=self.root / "hub", env=self.env(), stdout=self._log,
                                     stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True)
        self.tracker = Tracker(self.proc.pid)
        self.tracker.start()
        log(f"jupyterhub pid {self.proc.pid} on {self.url} (hub {self.hub_port}, proxy API {self.proxy_api_port})")

    def api(self, method: str, path: str, token: str | None = None, **kw):
        import requests

        headers = {"Authorization": f"token {token or self.admin_token}"}
        return requests.request(method, f"{self.url}/hub/api{path}", headers=headers, timeout=60, **kw)

    def wait_ready(self, deadline: float) -> None:
        import requests

        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"jupyterhub exited with {self.proc.returncode}; see the log below")
            try:
                if requests.get(f"{self.url}/hub/api/", timeout=5).status_code == 200:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.5)
        raise TimeoutError("jupyterhub did not answer in time")

    def stop(self) -> None:
        """SIGTERM the hub (it stops the proxy and servers), then kill whatever is left, by pid and process group."""
        if self.proc is None:
            return
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                log("jupyterhub did not stop within 30 s of SIGTERM: killing it")
        if self.tracker is not None:
            self.tracker.stop()
        kill_leftovers(self)
        if self._log is not None:
            self._log.close()
            self._log = None


def leftovers(hub: Hub) -> list[int]:
    """Live processes this run started: seen in the hub's tree (same start time), or carrying the run's tag."""
    seen = hub.tracker.seen if hub.tracker else {}
    out = []
    for pid in all_pids():
        if pid == os.getpid():
            continue
        st = proc_stat(pid)
        if st is None:
            continue
        if (pid in seen and seen[pid][0] == st[2]) or has_tag(pid, hub.tag):
            out.append(pid)
    return out


def kill_leftovers(hub: Hub) -> None:
    """SIGKILL every process group this run started (whose leader is still the one seen) and every leftover pid."""
    if hub.proc is not None and hub.proc.poll() is None:
        hub.proc.kill()
        hub.proc.wait(timeout=10)
    own_pgid = os.getpgid(0)
    groups = dict(hub.tracker.pgids) if hub.tracker else {}
    if hub.proc is not None:
        groups.setdefault(hub.proc.pid, 0)
    for pgid, leader_start in groups.items():
        if pgid == own_pgid or pgid <= 1:
            continue
        st = proc_stat(pgid)
        if leader_start and st is not None and st[2] != leader_start:
            continue  # the id was reused by someone else's process
        members = [p for p in leftovers(hub) if (proc_stat(p) or (0, -1))[1] == pgid]
        if members or (st is not None and leader_start and st[2] == leader_start):
            try:
                os.killpg(pgid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
    for pid in leftovers(hub):
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    time.sleep(0.5)


# ------------------------------------------------------------------------------------------------- kernels
class KernelChannel:
    """Execute code in a kernel of a single-user server over its websocket (jupyter_server's /api/kernels/<id>/channels)."""

    def __init__(self, ws_url: str, token: str) -> None:
        import websocket  # websocket-client, a jupyter_server dependency

        self.ws = websocket.create_connection(ws_url, header=[f"Authorization: token {token}"], timeout=CELL_TIMEOUT)
        self.session = uuid.uuid4().hex

    def execute(self, code: str, timeout: float = CELL_TIMEOUT) -> tuple[str, list[dict], str]:
        """Run ``code``; return (reply status, outputs as nbformat dicts, stdout text)."""
        msg_id = uuid.uuid4().hex
        self.ws.send(json.dumps({
            "header": {"msg_id": msg_id, "msg_type": "execute_request", "session": self.session, "username": "",
                       "version": "5.3", "date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())},
            "parent_header": {}, "metadata": {}, "channel": "shell", "buffers": [],
            "content": {"code": code, "silent": False, "store_history": True, "user_expressions": {},
                        "allow_stdin": False, "stop_on_error": True}}))
        outputs: list[dict] = []
        status, idle, end = None, False, time.monotonic() + timeout
        while status is None or not idle:
            self.ws.settimeout(max(1.0, end - time.monotonic()))
            if time.monotonic() > end:
                raise TimeoutError(f"cell did not finish within {timeout:.0f} s")
            msg = json.loads(self.ws.recv())
            if msg.get("parent_header", {}).get("msg_id") != msg_id:
                continue
            kind, content = msg["header"]["msg_type"], msg["content"]
            if kind == "execute_reply":
                status = content["status"]
            elif kind == "status" and content.get("execution_state") == "idle":
                idle = True
            elif kind == "stream":
                outputs.append({"output_type": "stream", "name": content["name"], "text": content["text"]})
            elif kind in ("display_data", "execute_result"):
                out = {"output_type": kind, "data": content["data"], "metadata": content.get("metadata", {})}
                if kind == "execute_result":
                    out["execution_count"] = content.get("execution_count")
                outputs.append(out)
            elif kind == "error":
                outputs.append({"output_type": "error", "ename": content["ename"], "evalue": content["evalue"],
                                "traceback": content["traceback"]})
        text = "".join(o["text"] for o in outputs if o["output_type"] == "stream" and o["name"] == "stdout")
        return status, outputs, text

    def close(self) -> None:
        try:
            self.ws.close()
        except Exception:
            pass


# ------------------------------------------------------------------------------------------------- one student
@dataclass
class Student:
    index: int
    name: str
    student_id: str
    full_name: str
    unsolved: tuple[str, ...] = ()
    token: str = ""
    times: dict[str, float] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    done: bool = False

    def fail(self, msg: str) -> None:
        self.problems.append(msg)
        log(f"{self.name}: FAIL {msg}")


def solve(student_nb: dict, instructor_nb: dict) -> int:
    """Put the instructor's source into every cell where the student copy differs; return how many changed."""
    if len(student_nb["cells"]) != len(instructor_nb["cells"]):
        raise ValueError(f"student copy has {len(student_nb['cells'])} cells, instructor's {len(instructor_nb['cells'])}")
    changed = 0
    for mine, theirs in zip(student_nb["cells"], instructor_nb["cells"]):
        src = theirs["source"] if isinstance(theirs["source"], str) else "".join(theirs["source"])
        old = mine["source"] if isinstance(mine["source"], str) else "".join(mine["source"])
        if old != src:
            mine["source"] = src
            changed += 1
    return changed


def run_student(hub: Hub, st: Student, deadline: float) -> None:
    import requests

    t0 = time.monotonic()
    base = f"{hub.url}/user/{st.name}"
    try:
        # 1. the instructor registers the student; the student logs in with the lab's shared password
        r = hub.api("POST", f"/users/{st.name}")
        if r.status_code not in (201, 409):
            return st.fail(f"create user: HTTP {r.status_code} {r.text[:200]}")
        web = requests.Session()
        r = web.get(f"{hub.url}/hub/login", timeout=60)
        xsrf = web.cookies.get("_xsrf", "")
        r = web.post(f"{hub.url}/hub/login?next=", data={"username": st.name, "password": hub.password, "_xsrf": xsrf},
                     allow_redirects=False, timeout=60)
        if r.status_code != 302 or not any(c.name.startswith("jupyterhub-hub-login") for c in web.cookies):
            return st.fail(f"login with the shared password: HTTP {r.status_code}, cookies {sorted(web.cookies.keys())}")
        r = hub.api("POST", f"/users/{st.name}/tokens", json={"note": "lab_hub_test", "expires_in": 3600})
        if r.status_code != 201:
            return st.fail(f"create token: HTTP {r.status_code} {r.text[:200]}")
        st.token = r.json()["token"]
        st.times["login"] = time.monotonic() - t0

        # 2. start the server and wait until the hub says it is ready
        t = time.monotonic()
        r = hub.api("POST", f"/users/{st.name}/server", token=st.token)
        if r.status_code not in (201, 202):
            return st.fail(f"start server: HTTP {r.status_code} {r.text[:200]}")
        while True:
            info = hub.api("GET", f"/users/{st.name}", token=st.token).json()
            server = info.get("servers", {}).get("")
            if server and server.get("ready"):
                break
            if not server and info.get("pending") is None:
                return st.fail(f"server did not start (see the hub log): {info}")
            if time.monotonic() > deadline:
                return st.fail("server not ready before the time limit")
            time.sleep(0.5)
        st.times["spawn"] = time.monotonic() - t
        auth = {"Authorization": f"token {st.token}"}
        api = requests.Session()
        api.headers.update(auth)
        listing = api.get(f"{base}/api/contents/notebooks", timeout=60)
        if listing.status_code != 200:
            return st.fail(f"contents API: HTTP {listing.status_code}")
        have = {item["name"] for item in listing.json()["content"]}
        missing = [nb for nb in NOTEBOOKS if nb not in have]
        if missing:
            return st.fail(f"the pre_spawn_hook did not release {missing} into ~/notebooks (found {sorted(have)})")

        # 3. the lab: solve, save, run every cell in a kernel of the server, save with outputs
        for nb_name in NOTEBOOKS:
            t = time.monotonic()
            url = f"{base}/api/contents/notebooks/{nb_name}"
            model = api.get(url, params={"content": 1}, timeout=60).json()
            nb = model["content"]
            stubs = sum("raise NotImplementedError()" in (c["source"] if isinstance(c["source"], str)
                                                           else "".join(c["source"])) for c in nb["cells"])
            if stubs == 0:
                return st.fail(f"{nb_name}: the released copy holds no exercise stub (was it the instructor's?)")
            if nb_name not in st.unsolved:
                instructor = json.loads((hub.pack / "notebooks" / nb_name).read_text(encoding="utf-8"))
                solve(nb, instructor)
            r = api.put(url, json={"type": "notebook", "format": "json", "content": nb}, timeout=60)
            if r.status_code not in (200, 201):
                return st.fail(f"{nb_name}: save: HTTP {r.status_code} {r.text[:200]}")
            r = api.post(f"{base}/api/sessions", json={"path": f"notebooks/{nb_name}", "type": "notebook",
                                                       "name": nb_name, "kernel": {"name": "python3"}}, timeout=120)
            if r.status_code != 201:
                return st.fail(f"{nb_name}: start kernel: HTTP {r.status_code} {r.text[:200]}")
            session = r.json()
            ws_url = f"ws://127.0.0.1:{hub.port}/user/{st.name}/api/kernels/{session['kernel']['id']}/channels"
            chan = KernelChannel(ws_url, st.token)
            errors, cells_run = [], 0
            try:
                for i, cell in enumerate(nb["cells"]):
                    if cell["cell_type"] != "code":
                        continue
                    src = cell["source"] if isinstance(cell["source"], str) else "".join(cell["source"])
                    status, outputs, _ = chan.execute(src, timeout=min(CELL_TIMEOUT, deadline - time.monotonic()))
                    cells_run += 1
                    cell["outputs"], cell["execution_count"] = outputs, cells_run
                    if status != "ok" and "raises-exception" not in cell.get("metadata", {}).get("tags", []):
                        err = next((o for o in outputs if o["output_type"] == "error"), {})
                        errors.append((i, err.get("ename"), str(err.get("evalue", ""))[:120]))
            finally:
                chan.close()
                api.delete(f"{base}/api/sessions/{session['id']}", timeout=60)
            api.put(url, json={"type": "notebook", "format": "json", "content": nb}, timeout=60)
            allowed = {"NotImplementedError"} if nb_name in st.unsolved else set()
            bad = [e for e in errors if e[1] not in allowed]
            if bad:
                return st.fail(f"{nb_name}: cells failed in the kernel: {bad[:3]}")
            if nb_name in st.unsolved and not errors:
                return st.fail(f"{nb_name}: the unsolved copy raised no NotImplementedError")
            st.times[nb_name[:2]] = time.monotonic() - t

        # 4. hand in, from a cell of the student's own server (as a student would from a terminal)
        t = time.monotonic()
        r = api.post(f"{base}/api/sessions", json={"path": "notebooks/handin.ipynb", "type": "notebook",
                                                   "name": "handin.ipynb", "kernel": {"name": "python3"}}, timeout=120)
        if r.status_code != 201:
            return st.fail(f"hand-in kernel: HTTP {r.status_code} {r.text[:200]}")
        session = r.json()
        chan = KernelChannel(f"ws://127.0.0.1:{hub.port}/user/{st.name}/api/kernels/{session['kernel']['id']}/channels",
                             st.token)
        try:
            for nb_name in NOTEBOOKS:
                args = [nb_name, "--student-id", st.student_id, "--name", st.full_name, "--out", "~/handin"]
                if hub.quick:
                    args.append("--quick")
                code = ("import os, subprocess, sys\n"
                        f"args = {args!r}\n"
                        "args[args.index('--out') + 1] = os.path.expanduser('~/handin')\n"
                        "r = subprocess.run([sys.executable, '-m', 'utils.course.handin', *args], capture_output=True,"
                        " text=True)\n"
                        "print('HANDIN-RC', r.returncode)\nprint(r.stdout[-1500:])\nprint(r.stderr[-1500:])\n")
                status, outputs, text = chan.execute(code, timeout=max(10.0, deadline - time.monotonic()))
                if status != "ok" or "HANDIN-RC 0" not in text:
                    return st.fail(f"hand-in of {nb_name}: {status}: {text[-800:]}")
        finally:
            chan.close()
            api.delete(f"{base}/api/sessions/{session['id']}", timeout=60)
        st.times["handin"] = time.monotonic() - t

        # 5. log off: stop the server through the REST API
        t = time.monotonic()
        r = hub.api("DELETE", f"/users/{st.name}/server", token=st.token)
        if r.status_code not in (202, 204):
            return st.fail(f"stop server: HTTP {r.status_code}")
        while hub.api("GET", f"/users/{st.name}", token=st.token).json().get("servers", {}).get(""):
            if time.monotonic() > deadline:
                return st.fail("server did not stop before the time limit")
            time.sleep(0.5)
        st.times["stop"] = time.monotonic() - t
        st.times["total"] = time.monotonic() - t0
        st.done = True
        log(f"{st.name}: done in {st.times['total']:.1f} s")
    except Exception as err:
        st.fail(f"{type(err).__name__}: {err}\n{traceback.format_exc(limit=3)}")


# ------------------------------------------------------------------------------------------------- grading
def grade(hub: Hub, students: list[Student], tmp: Path) -> list[str]:
    problems: list[str] = []
    collected = tmp / "collected"
    collected.mkdir()
    for zip_path in sorted((hub.root / "homes").glob("*/handin/*.zip")):
        shutil.copy2(zip_path, collected / zip_path.name)
    zips = sorted(p.name for p in collected.glob("*.zip"))
    expected = sorted(f"{st.student_id}_{Path(nb).stem}.zip" for st in students for nb in NOTEBOOKS)
    if zips != expected:
        problems.append(f"hand-ins: expected {expected}, found {zips}")
    out = tmp / "gradebook.csv"
    env = {**hub.env(), "PYTHONPATH": str(hub.pack)}
    env.pop(TAG_VAR, None)
    r = subprocess.run([sys.executable, "-m", "utils.course.grade", str(collected), "--out", str(out)], cwd=hub.pack,
                       env=env, capture_output=True, text=True, timeout=600)
    if r.returncode != 0:
        problems.append(f"grade exited {r.returncode}: {r.stdout[-1500:]} {r.stderr[-1500:]}")
    if not out.exists():
        return problems + ["no gradebook written"]
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    by_id = {st.student_id: st for st in students}
    for row in rows:
        st = by_id.get(row["student_id"])
        what = f"{row['student_id']} {row['notebook']}"
        if st is None:
            problems.append(f"gradebook row for an unknown student: {what}")
            continue
        unsolved = row["notebook"] in st.unsolved
        want_passed = "0" if unsolved else row["exercises"]
        want_na = row["exercises"] if unsolved else "0"
        ok = (row["integrity"] == "ok" and row["run_status"] == "complete" and row["passed"] == want_passed
              and row["not_attempted"] == want_na and row["failed"] == "0" and int(row["exercises"]) > 0)
        log(f"grade {what}: passed {row['passed']}/{row['exercises']}, not attempted {row['not_attempted']}, "
            f"run {row['run_status']}, integrity {row['integrity'][:60]}{'' if ok else '  <-- UNEXPECTED'}")
        if not ok:
            problems.append(f"gradebook row {what} not as expected: {dict(row)}")
    if len(rows) != len(expected):
        problems.append(f"gradebook has {len(rows)} rows, expected {len(expected)}")
    return problems


# ------------------------------------------------------------------------------------------------- main
def find_chp(given: str | None) -> str | None:
    if given:
        return str(Path(given).resolve()) if Path(given).exists() else None
    return shutil.which("configurable-http-proxy")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=4, help="simulated students (at least 4 for the issue)")
    parser.add_argument("--time-limit", type=float, default=900, help="seconds for the whole run, clean-up included")
    parser.add_argument("--full", action="store_true", help="full mode (NNCOURSE_QUICK=0) instead of quick")
    parser.add_argument("--chp", help="configurable-http-proxy executable (default: on PATH)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder (its path is printed)")
    args = parser.parse_args(argv)
    start = time.monotonic()
    deadline = start + args.time_limit - 45  # leave time for the clean-up and the grade
    chp = find_chp(args.chp)
    if chp is None:
        print("configurable-http-proxy not found: npm install -g configurable-http-proxy@5 (or --chp PATH)",
              file=sys.stderr)
        return 2
    try:
        import jupyterhub  # noqa: F401
        import jupyterhub_idle_culler  # noqa: F401
    except ImportError as err:
        print(f"{err}: pip install -r requirements-instructor.txt", file=sys.stderr)
        return 2
    tmp = Path(tempfile.mkdtemp(prefix="nncourse-lab-hub-"))
    pack = tmp / "pack"
    shutil.copytree(ROOT, pack, ignore=shutil.ignore_patterns(*SKIPPED), symlinks=True)
    hub = Hub(tmp, pack, quick=not args.full, chp=chp)
    problems: list[str] = []
    students = [Student(i, f"student{i + 1}", f"S{i + 1:04d}", f"Student Number{i + 1}")
                for i in range(args.students)]
    students[-1].unsolved = (NOTEBOOKS[1],)  # one student leaves 03 unsolved: graded "not attempted"

    def on_signal(signum, frame):  # SIGTERM/SIGINT/SIGALRM: clean up, then leave
        raise KeyboardInterrupt(f"signal {signum}")

    for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGALRM):
        signal.signal(sig, on_signal)
    signal.alarm(int(args.time_limit) + 1)  # the backstop: even a stuck call in this thread is interrupted
    try:
        log(f"lab_hub_test: {args.students} students, {'full' if args.full else 'quick'} mode, limit "
            f"{args.time_limit:.0f} s, temporary folder {tmp}, proxy {chp}")
        r = subprocess.run([sys.executable, "-m", "utils.course.release", *[f"notebooks/{nb}" for nb in NOTEBOOKS],
                            "--out", str(hub.root / "release")], cwd=pack, capture_output=True, text=True, timeout=120,
                           env={**hub.env(), "PYTHONPATH": str(pack)})
        if r.returncode != 0:
            raise RuntimeError(f"release failed: {r.stdout}{r.stderr}")
        hub.start()
        hub.wait_ready(min(deadline, time.monotonic() + 120))
        log(f"hub up after {time.monotonic() - start:.1f} s")
        threads = [threading.Thread(target=run_student, args=(hub, st, deadline), daemon=True) for st in students]
        for th in threads:
            th.start()
            time.sleep(1.0)  # students arrive a second apart, as in a room
        for th in threads:
            th.join(timeout=max(0.0, deadline - time.monotonic()))
        for st in students:
            if not st.done and not st.problems:
                st.fail("did not finish within the time limit")
            problems += [f"{st.name}: {p}" for p in st.problems]
        if all(st.done for st in students):
            problems += grade(hub, students, tmp)
        if hub.tracker is not None and "culler" not in hub.tracker.peak_by_kind:
            problems.append("the idle-culler service never ran")
        if hub.tracker is not None and "proxy" not in hub.tracker.peak_by_kind:
            problems.append("configurable-http-proxy was never seen in the hub's process tree")
    except KeyboardInterrupt as err:
        problems.append(f"interrupted ({err}): time limit or signal")
    except Exception as err:
        problems.append(f"{type(err).__name__}: {err}")
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, signal.SIG_IGN)
        hub.stop()
        survivors = leftovers(hub)
        for _ in range(20):  # a killed process takes a moment to go
            if not survivors:
                break
            time.sleep(0.25)
            survivors = leftovers(hub)
        if survivors:
            problems.append(f"processes left running after the clean-up: "
                            f"{[(p, cmdline(p)[:80]) for p in survivors]}")
        tracker = hub.tracker
        if problems and hub.log_path.exists():
            print("---- last lines of the hub log ----")
            print("\n".join(hub.log_path.read_text(errors="replace").splitlines()[-60:]))
        if args.keep:
            log(f"kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)

    print()
    print(f"{'student':10s} {'login':>6s} {'spawn':>6s} {'nb 01':>6s} {'nb 03':>6s} {'hand-in':>8s} {'stop':>5s} "
          f"{'total':>6s}  (seconds)")
    for st in students:
        t = st.times
        cols = [t.get(k) for k in ("login", "spawn", "01", "03", "handin", "stop", "total")]
        print(f"{st.name:10s} " + " ".join(f"{'-' if v is None else f'{v:.1f}':>{w}s}"
                                           for v, w in zip(cols, (6, 6, 6, 6, 8, 5, 6)))
              + ("  (03 left unsolved)" if st.unsolved else ""))
    if tracker is not None:
        parts = ", ".join(f"{k} {v / 1024:.0f}" for k, v in sorted(tracker.peak_parts.items()))
        per_kind = ", ".join(f"{k} {v / 1024:.0f}" for k, v in sorted(tracker.peak_by_kind.items()))
        print(f"hub peak memory (RSS sum of hub, proxy, culler, servers, kernels, hand-ins; every {SAMPLE_SECONDS} s): "
              f"{tracker.peak_kb / 1024:.0f} MB  [at the peak, MB: {parts}]")
        print(f"largest of each part, MB: {per_kind}; most kernels at once: {tracker.max_kernels}; "
              f"{len(tracker.seen)} processes seen")
        for cmd, kb in sorted(tracker.others.items(), key=lambda item: -item[1])[:5]:
            print(f"  other: {kb / 1024:.0f} MB  {cmd}")
    print(f"wall time {time.monotonic() - start:.1f} s")
    for p in problems:
        print(f"FAIL: {p}")
    print(f"lab_hub_test: {'OK' if not problems else f'FAILED ({len(problems)} problem(s))'}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
