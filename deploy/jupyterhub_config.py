"""JupyterHub for a lab room: one server, one course environment, one folder per student.

Start it (as the account that owns NNCOURSE_HUB_ROOT; see deploy/README.md, "Running a lab on JupyterHub")::

    NNCOURSE_HUB_PASSWORD='...' jupyterhub -f deploy/jupyterhub_config.py

Everything that differs between machines comes from environment variables, so the same file serves the lab and
``scripts/lab_hub_test.py`` (which starts it in a temporary folder on 127.0.0.1 with random ports):

=============================  ==========================================================  =====================
variable                       what                                                        default
=============================  ==========================================================  =====================
NNCOURSE_HUB_ROOT              hub state (database, cookie secret), homes/, release/      /srv/nncourse
NNCOURSE_PACK                  the course pack every student uses (utils/, data/): shared  the folder above
                               and only read                                               deploy/
NNCOURSE_HUB_IP / _PORT        where students connect (the proxy)                          0.0.0.0 / 8000
NNCOURSE_HUB_API_PORT          the hub's own port (the proxy forwards to it)               8081
NNCOURSE_PROXY_API_PORT        configurable-http-proxy's REST API (127.0.0.1)              8001
NNCOURSE_HUB_PASSWORD          the lab's shared password (SharedPasswordAuthenticator)     (required)
NNCOURSE_HUB_ADMIN_TOKEN       API token of the "course-admin" service (scripts, tests)   none: no service
NNCOURSE_MEM_LIMIT             per-user memory limit                                       4G
NNCOURSE_CPU_LIMIT             per-user CPU limit                                          1
NNCOURSE_IDLE_TIMEOUT          seconds of inactivity before the culler stops a server     3600
NNCOURSE_QUICK                 passed to every student's server (1 = quick mode: tests)    unset (full mode)
=============================  ==========================================================  =====================

Where things live (under NNCOURSE_HUB_ROOT):

* ``homes/<user>/``: the student's home and the server's root folder. ``notebooks/`` holds their copies,
  ``outputs/`` what the notebooks write (``NNCOURSE_OUTPUT_DIR``), ``handin/`` their hand-in zips. Nothing a student
  writes goes anywhere else; back up ``homes/``.
* ``release/``: the student copies the instructor released (``python -m utils.course.release --out
  $NNCOURSE_HUB_ROOT/release``). At every server start, :func:`copy_release` copies each released notebook that the
  student does not have yet into ``homes/<user>/notebooks/``. It never overwrites: a student's work is never lost,
  and a notebook released later appears at their next start (the idle culler makes that the next session).
* ``hub/``: jupyterhub.sqlite, the cookie secret, the proxy's pid file.
"""
from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

from jupyterhub.spawner import SimpleLocalProcessSpawner
from traitlets import default

c = get_config()  # noqa: F821 - JupyterHub's config loader defines get_config

ROOT = Path(os.environ.get("NNCOURSE_HUB_ROOT", "/srv/nncourse")).resolve()
PACK = Path(os.environ.get("NNCOURSE_PACK", Path(__file__).resolve().parent.parent)).resolve()
HOMES = ROOT / "homes"
RELEASE = ROOT / "release"
STATE = ROOT / "hub"
for folder in (HOMES, RELEASE, STATE):
    folder.mkdir(parents=True, exist_ok=True)
BIN = Path(sys.executable).parent  # the course environment: the hub runs in it, so do the students' servers

# ------------------------------------------------------------------------------------------------ network, state
c.JupyterHub.ip = os.environ.get("NNCOURSE_HUB_IP", "0.0.0.0")
c.JupyterHub.port = int(os.environ.get("NNCOURSE_HUB_PORT", "8000"))
c.JupyterHub.hub_ip = "127.0.0.1"
c.JupyterHub.hub_port = int(os.environ.get("NNCOURSE_HUB_API_PORT", "8081"))
c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{os.environ.get('NNCOURSE_PROXY_API_PORT', '8001')}"
# configurable-http-proxy (Node) comes from the npm registry: `npm install -g configurable-http-proxy@5`.
# The hub starts it and stops it; NNCOURSE_CHP names another executable.
c.ConfigurableHTTPProxy.command = [os.environ.get("NNCOURSE_CHP", "configurable-http-proxy")]
c.ConfigurableHTTPProxy.pid_file = str(STATE / "jupyterhub-proxy.pid")
c.JupyterHub.db_url = f"sqlite:///{STATE / 'jupyterhub.sqlite'}"
c.JupyterHub.cookie_secret_file = str(STATE / "jupyterhub_cookie_secret")
c.JupyterHub.pid_file = str(STATE / "jupyterhub.pid")
# A lab room behind TLS: put the hub behind the institution's reverse proxy, or set c.JupyterHub.ssl_cert/ssl_key.

# ------------------------------------------------------------------------------------------------ who may log in
# The lab-room test, and a room on a closed network, use one shared password for every user name: JupyterHub's
# SharedPasswordAuthenticator (the successor of DummyAuthenticator's password, since JupyterHub 5.3). Anyone with the
# password can log in as any (non-admin) user name: fine for a lab room's closed network and for the test, not for a
# course on the internet. A real course swaps these lines for its institution's login, e.g. (`pip install
# oauthenticator`)
#     c.JupyterHub.authenticator_class = "generic-oauth"      # the university's SSO (OpenID Connect)
# or, from the LMS, `ltiauthenticator`'s LTI 1.3 authenticator; plus c.Authenticator.allowed_users (or a group claim)
# to admit only the class, and c.Authenticator.admin_users = {"instructor"}.
c.JupyterHub.authenticator_class = "shared-password"
c.SharedPasswordAuthenticator.user_password = os.environ.get("NNCOURSE_HUB_PASSWORD") or None
if not c.SharedPasswordAuthenticator.user_password:
    sys.exit("jupyterhub_config.py: set NNCOURSE_HUB_PASSWORD (the lab's shared password, 8 characters or more), or "
             "configure a real authenticator (see the comment above this line)")
c.Authenticator.allow_all = True  # everyone who has the password; with a real login, list the class instead

# ------------------------------------------------------------------------------------------------ services, roles
services, roles = [], []
admin_token = os.environ.get("NNCOURSE_HUB_ADMIN_TOKEN")
if admin_token:
    # A token for the instructor's scripts (and scripts/lab_hub_test.py): create users, their tokens, servers.
    services.append({"name": "course-admin", "api_token": admin_token})
    roles.append({"name": "course-admin", "services": ["course-admin"],
                  "scopes": ["admin:users", "admin:servers", "tokens", "list:users", "read:users"]})
# Idle culling: stop a student's server (and so its kernels' memory) after NNCOURSE_IDLE_TIMEOUT s of no activity.
# Their files stay; the next login starts a fresh server.
idle_timeout = int(os.environ.get("NNCOURSE_IDLE_TIMEOUT", "3600"))
services.append({"name": "idle-culler",
                 "command": [sys.executable, "-m", "jupyterhub_idle_culler", f"--timeout={idle_timeout}",
                             f"--cull-every={max(30, min(300, idle_timeout // 10))}", "--concurrency=5"]})
roles.append({"name": "idle-culler", "services": ["idle-culler"],
              "scopes": ["list:users", "read:users:activity", "read:servers", "delete:servers"]})
c.JupyterHub.services = services
c.JupyterHub.load_roles = roles


# ------------------------------------------------------------------------------------------------ the spawner
def copy_release(spawner) -> None:
    """pre_spawn_hook: copy each released student notebook the user does not have yet into ~/notebooks/.

    Never overwrites (a student's edits are never lost). To hand out a corrected notebook, release it under a new
    name (e.g. ``03_loss_and_gradient_descent_v2.ipynb``) or ask the students to rename theirs first.
    """
    home = Path(spawner.home_dir)
    mine = home / "notebooks"
    for sub in (mine, home / "outputs", home / "handin"):
        sub.mkdir(parents=True, exist_ok=True)
    for released in sorted(RELEASE.glob("*.ipynb")):
        target = mine / released.name
        if not target.exists():
            tmp = target.with_suffix(".ipynb.part")
            shutil.copyfile(released, tmp)
            os.replace(tmp, target)  # atomic: a server never sees half a notebook


class CourseSpawner(SimpleLocalProcessSpawner):
    """Each student's server as a local process of the hub's account, in ``homes/<user>``, in the course env.

    SimpleLocalProcessSpawner needs no system user per student, and gives **no isolation** between students (they
    can read each other's files, and everything runs as the hub's account): fine for a lab machine that only the
    class uses, and for the test. A real course gives each student a system user (c.JupyterHub.spawner_class =
    "systemdspawner.SystemdSpawner", `pip install jupyterhub-systemdspawner`, which also enforces the limits
    below through cgroups) or a container (DockerSpawner; KubeSpawner in deploy/z2jh-values.yaml).
    """

    home_dir_template = str(HOMES / "{username}")

    @default("env_keep")
    def _env_keep_default(self):
        # LocalProcessSpawner's list (PATH, PYTHONPATH, VIRTUAL_ENV, LANG, ...), plus the tag by which
        # scripts/lab_hub_test.py finds every process it started (unset in a real lab).
        return [*super()._env_keep_default(), "NNCOURSE_HUB_TEST_TAG"]


c.JupyterHub.spawner_class = CourseSpawner
c.Spawner.pre_spawn_hook = copy_release
c.Spawner.cmd = [str(BIN / "jupyterhub-singleuser")]
c.Spawner.default_url = "/lab/tree/notebooks"
c.Spawner.notebook_dir = "~"  # the server's root is the student's home: they see notebooks/, outputs/, handin/
c.Spawner.start_timeout = 180  # a cold TensorFlow import on a busy machine is slow
c.Spawner.http_timeout = 120
args = [
    # Kernels left open in a tab that is still connected are shut down after 30 idle minutes (their memory is the
    # largest part of a student's), even before the hub's culler stops the whole server.
    "--MappingKernelManager.cull_idle_timeout=1800",
    "--MappingKernelManager.cull_interval=120",
    "--MappingKernelManager.cull_connected=False",
]
if os.geteuid() == 0:
    args.append("--allow-root")  # only when the hub itself runs as root (the CI machine): see CourseSpawner
c.Spawner.args = args

# Memory and CPU per student. Sized from benchmarks/bench_memory.py (deploy/README.md, "Memory per notebook"):
# the largest notebook (09, vanilla GAN) peaks at 1.6 GB in full mode (kernel and children), the server itself
# takes 0.15 GB, and a hand-in runs the notebook again in a second, fresh kernel while the student's own kernel is
# usually still open: 2 x 1.6 + 0.15 = 3.4 GB, rounded up to 4G.
# HONESTLY: a local-process spawner does NOT enforce these. JupyterHub only passes them on as MEM_LIMIT and
# CPU_LIMIT in the server's environment (jupyter-resource-usage shows MEM_LIMIT as a bar); a student who goes over
# is stopped by nothing but the kernel OOM killer of the whole machine. SystemdSpawner (cgroups MemoryMax /
# CPUQuota), DockerSpawner and KubeSpawner enforce them.
c.Spawner.mem_limit = os.environ.get("NNCOURSE_MEM_LIMIT", "4G")
c.Spawner.cpu_limit = float(os.environ.get("NNCOURSE_CPU_LIMIT", "1"))

# The course environment of every student's server and kernels.
environment = {
    "NNCOURSE_DATA": str(PACK / "data"),  # the shared, read-only data files
    # Where the pack's helpers write, instead of inside the shared pack: the student's home.
    "NNCOURSE_OUTPUT_DIR": lambda spawner: str(Path(spawner.home_dir) / "outputs"),
    # Not read by utils.course.handin yet (its default is handin/ inside the pack): students pass
    # `--out ~/handin`, as scripts/lab_hub_test.py does. Kept here for the day the pack reads it.
    "NNCOURSE_HANDIN_DIR": lambda spawner: str(Path(spawner.home_dir) / "handin"),
    # One BLAS/TF thread pair per student: 30 students on 16 cores must not each start 16 threads (the notebooks'
    # run times then grow on an idle server, not on a full one, where each student has under one core anyway).
    "OMP_NUM_THREADS": "1",
    "TF_NUM_INTRAOP_THREADS": "1",
    "TF_NUM_INTEROP_THREADS": "1",
    # A pack that is not pip-installed in the course environment is found here.
    "PYTHONPATH": str(PACK),
}
if os.environ.get("NNCOURSE_QUICK"):
    environment["NNCOURSE_QUICK"] = os.environ["NNCOURSE_QUICK"]
c.Spawner.environment = environment
# A class at once: log every user in without queueing, but do not let 60 servers start in the same second.
c.JupyterHub.concurrent_spawn_limit = 20
c.JupyterHub.active_server_limit = 0  # no cap on servers at once: size the machine instead (deploy/README.md)
c.JupyterHub.cleanup_servers = True  # stopping the hub stops every student's server too
c.JupyterHub.cleanup_proxy = True
