"""Peak memory of every notebook (or the ones named), full mode, each in a fresh kernel, in a temporary copy.

    python benchmarks/bench_memory.py                                   # all 13 notebooks, full mode
    python benchmarks/bench_memory.py notebooks/05_keras_mnist.ipynb    # only these
    python benchmarks/bench_memory.py --quick                           # quick mode (a trial of the script)

What is measured: while a notebook runs top to bottom ("Restart kernel and run all", through the hand-in's runner
``run_notebook``), a thread samples every 0.2 s the resident memory (``VmRSS`` in ``/proc/<pid>/status``) of every
process below this one: the kernel and anything it starts. Two figures per notebook:

* ``tree_peak_mb``: the largest *sum* of RSS over that process tree at any one sample (what a per-user limit on the
  whole server sees, less the single-user server itself, about 100 MB; shared pages are counted once per process,
  so this errs high);
* ``kernel_hwm_mb``: the kernel's own high-water mark (``VmHWM``, kept by Linux, exact, not sampled).

Peak memory does not depend on how busy the machine is (run time does: the seconds are for information only).
Nothing is written into the checkout: the pack (less ``.git``, ``.venv`` and caches) is copied into a temporary folder,
the kernel imports ``utils`` from that copy (``PYTHONPATH``), and ``NNCOURSE_OUTPUT_DIR`` points into it; the folder
is removed at the end. Linux only (``/proc``).

Output: a table (notebook, peak MB, kernel HWM MB, run s, status), then one JSON line per notebook, starting
``{"bench": "memory"``. Exit status 1 if any notebook failed.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SAMPLE_SECONDS = 0.2
SKIPPED = (".git", ".venv", ".ruff_cache", ".pytest_cache", "outputs", "release", "handin", "build", "__pycache__",
           ".ipynb_checkpoints", "*.egg-info", "*.pyc")
"""Left out of the temporary copy of the pack (everything else is copied: the doctor in 00 reads requirements.txt)."""


# ----------------------------------------------------------------------------------------------- /proc sampling
def _children_map() -> dict[int, list[int]]:
    """ppid -> [pid] for every process visible in /proc."""
    kids: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", "rb") as fh:
                stat = fh.read().decode("utf-8", "replace")
        except OSError:
            continue
        # the command name (field 2) may hold spaces or parentheses: split after its last ')'
        fields = stat[stat.rfind(")") + 2:].split()
        kids.setdefault(int(fields[1]), []).append(int(entry.name))
    return kids


def descendants(root: int) -> list[int]:
    """Every process below ``root`` (not ``root`` itself)."""
    kids = _children_map()
    out: list[int] = []
    todo = list(kids.get(root, []))
    while todo:
        pid = todo.pop()
        out.append(pid)
        todo.extend(kids.get(pid, []))
    return out


def status_kb(pid: int, *fields: str) -> dict[str, int]:
    """The named ``kB`` fields of ``/proc/<pid>/status`` (missing ones as 0; a gone process gives all 0)."""
    found = dict.fromkeys(fields, 0)
    try:
        with open(f"/proc/{pid}/status", encoding="utf-8") as fh:
            for line in fh:
                key, _, rest = line.partition(":")
                if key in found:
                    found[key] = int(rest.split()[0])
    except (OSError, ValueError, IndexError):
        pass
    return found


class TreeSampler:
    """Samples the RSS of every process below ``root`` every ``interval`` s, in a thread, until stopped."""

    def __init__(self, root: int, interval: float = SAMPLE_SECONDS) -> None:
        self.root, self.interval = root, interval
        self.peak_kb = 0
        self.hwm_kb: dict[int, int] = {}  # pid -> VmHWM seen last (the kernel's is the largest)
        self.names: dict[int, str] = {}
        self.samples = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _sample(self) -> None:
        total = 0
        for pid in descendants(self.root):
            got = status_kb(pid, "VmRSS", "VmHWM")
            total += got["VmRSS"]
            if got["VmHWM"]:
                self.hwm_kb[pid] = max(self.hwm_kb.get(pid, 0), got["VmHWM"])
                if pid not in self.names:
                    try:
                        self.names[pid] = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ")[:120].decode()
                    except OSError:
                        self.names[pid] = "?"
        self.peak_kb = max(self.peak_kb, total)
        self.samples += 1

    def _run(self) -> None:
        while not self._stop.is_set():
            self._sample()
            self._stop.wait(self.interval)

    def __enter__(self) -> "TreeSampler":
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    @property
    def kernel_hwm_kb(self) -> int:
        """The largest high-water mark of one process below root (the kernel's, in practice)."""
        return max(self.hwm_kb.values(), default=0)


# ------------------------------------------------------------------------------------------------------- running
def _runner():
    """``run_notebook`` (and ``notebook_number``), wherever the course package keeps them now."""
    try:
        from utils.course.runner import run_notebook
    except ImportError:  # older layout
        from utils.course.handin import run_notebook  # type: ignore[no-redef]
    try:
        from utils.course.cells import notebook_number
    except ImportError:
        def notebook_number(path):  # type: ignore[no-redef]
            name = Path(path).name
            return name[:2] if name[:2].isdigit() else None
    return run_notebook, notebook_number


def run_every_cell(nb, *, cwd: Path, quick: bool, timeout: int) -> list[str]:
    """``--keep-going``: run every code cell even after errors (nbclient, ``allow_errors``); return the errors."""
    from nbclient import NotebookClient

    os.environ["NNCOURSE_QUICK"] = "1" if quick else "0"  # the kernel inherits this process's environment
    client = NotebookClient(nb, timeout=timeout, allow_errors=True, kernel_name="python3",
                            resources={"metadata": {"path": str(cwd)}})
    client.execute()
    return [f"cell {i}: {out.ename}: {out.evalue}"[:140] for i, cell in enumerate(nb.cells) if cell.cell_type == "code"
            for out in cell.get("outputs", []) if out.output_type == "error"]


def measure(path: Path, *, quick: bool, timeout: int, keep_going: bool = False) -> dict:
    """Run one notebook in a fresh kernel and return its row (see the module docs)."""
    import nbformat

    run_notebook, notebook_number = _runner()
    nb = nbformat.read(path, as_version=4)
    start = time.perf_counter()
    with TreeSampler(os.getpid()) as sampler:
        try:
            if keep_going:
                errors = run_every_cell(nb, cwd=path.parent, quick=quick, timeout=timeout)
                status = "ok" if not errors else f"ran every cell; ERRORS {'; '.join(errors)}"[:200]
            else:
                result = run_notebook(nb, cwd=path.parent, quick=quick, timeout=timeout, number=notebook_number(path))
                if result.status == "complete" and not result.errors:
                    status = "ok"
                else:
                    first = result.failed_cell or (result.errors[0] if result.errors else {})
                    status = f"ERROR cell {first.get('index')}: {first.get('ename')}: {first.get('evalue', '')}"[:140]
        except Exception as err:  # the kernel did not start: still report the row
            status = f"ERROR {type(err).__name__}: {err}"[:140]
    seconds = time.perf_counter() - start
    return {"bench": "memory", "notebook": path.name, "mode": "quick" if quick else "full",
            "tree_peak_mb": round(sampler.peak_kb / 1024, 1), "kernel_hwm_mb": round(sampler.kernel_hwm_kb / 1024, 1),
            "seconds": round(seconds, 1), "samples": sampler.samples, "status": status}


def copy_pack(dest: Path) -> Path:
    """Copy the pack (less :data:`SKIPPED`: git, venv, caches, outputs) into ``dest``; return it."""
    shutil.copytree(ROOT, dest, ignore=shutil.ignore_patterns(*SKIPPED), symlinks=True)
    return dest


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*", type=Path, help="notebooks (default: every notebook in notebooks/)")
    parser.add_argument("--quick", action="store_true", help="quick mode (NNCOURSE_QUICK=1) instead of full")
    parser.add_argument("--timeout", type=int, default=1800, help="seconds allowed per cell")
    parser.add_argument("--keep-going", action="store_true",
                        help="run every cell even after an error (nbclient), so a notebook that fails part-way is "
                             "still measured to its end (default: the hand-in's runner, which stops at the error)")
    args = parser.parse_args(argv)
    if not Path("/proc/self/status").exists():
        print("bench_memory needs Linux's /proc", file=sys.stderr)
        return 2
    names = [p.name for p in args.notebooks] or sorted(p.name for p in (ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    rows = []
    with tempfile.TemporaryDirectory(prefix="nncourse-bench-memory-") as tmp:
        pack = copy_pack(Path(tmp) / "pack")
        # The kernels (children of this process) import utils from the copy, and write into it.
        os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [str(pack), os.environ.get("PYTHONPATH", "")]))
        os.environ["NNCOURSE_OUTPUT_DIR"] = str(Path(tmp) / "outputs")
        os.environ.pop("NNCOURSE_DATA", None)
        sys.path.insert(0, str(pack))
        for mod in [m for m in sys.modules if m == "utils" or m.startswith("utils.")]:
            del sys.modules[mod]
        import platform

        print(f"bench_memory · {'quick' if args.quick else 'full'} mode · {platform.platform()} · "
              f"{os.cpu_count()} CPUs · sampling every {SAMPLE_SECONDS} s", flush=True)
        print(f"{'notebook':42s} {'peak MB':>8s} {'kernel HWM':>10s} {'run s':>7s}  status", flush=True)
        for name in names:
            row = measure(pack / "notebooks" / name, quick=args.quick, timeout=args.timeout, keep_going=args.keep_going)
            rows.append(row)
            print(f"{name:42s} {row['tree_peak_mb']:8.0f} {row['kernel_hwm_mb']:10.0f} {row['seconds']:7.1f}  "
                  f"{row['status']}", flush=True)
    for row in rows:
        print(json.dumps(row), flush=True)
    failed = sum(row["status"] != "ok" for row in rows)
    print(f"{len(rows)} notebooks, {failed} failed; largest peak {max((r['tree_peak_mb'] for r in rows), default=0):.0f} MB")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
