"""How much faster is ``python -m utils.course.grade --rerun --jobs 2`` than ``--jobs 1`` on a class's hand-ins?

Usage (from the top of the course pack)::

    python benchmarks/bench_grade_jobs.py                       # 6 students x notebooks 01-04, --jobs 1 and 2
    python benchmarks/bench_grade_jobs.py --rounds 1            # each --jobs value once (default: 2 rounds)
    python benchmarks/bench_grade_jobs.py --students 2 --notebooks 01 --jobs 1 2 4

Everything happens in a temporary folder (removed at the end unless ``--keep``), never in the checkout:

1. the student copies of the notebooks are made with :func:`utils.course.release.release_notebook`, one folder per
   student, and the solutions are put back (every cell the release changed gets the instructor's source again);
2. each student hands each copy in with :func:`utils.course.handin.hand_in` in quick mode (two at a time; not
   timed), the zips go to ``submissions/``;
3. ``python -m utils.course.grade submissions/ --rerun --jobs N`` runs for each N in turn (1, 2, 1, 2, ... for
   ``--rounds``, so that a change in the machine's load hits every N alike), each time in a fresh process with
   copies of the instructor notebooks as ``--instructor-dir``, timed from start to end;
4. the gradebooks must be byte for byte equal (exit status 1 otherwise), and every row intact.

Prints each run's wall time, CPU time (the grader and its kernels) and the 1-minute load average when it started,
then per N the median wall time and the speed-up over the first N, the CPU model and core count
(:func:`utils.machine.describe`) and the load average at the end: on a shared machine the speed-up depends on
how many cores the other work leaves free.
"""
from __future__ import annotations

import argparse
import csv
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from utils.course.handin import hand_in  # noqa: E402
from utils.course.notebook_io import read_notebook, write_notebook  # noqa: E402
from utils.course.release import release_notebook  # noqa: E402
from utils.machine import describe  # noqa: E402


def load() -> str:
    """The 1, 5 and 15 minute load averages (or "n/a" where the OS has none)."""
    try:
        return " ".join(f"{x:.2f}" for x in os.getloadavg())
    except (AttributeError, OSError):
        return "n/a"


def solved_copy(src: Path, folder: Path) -> Path:
    """The released student copy of ``src`` in ``folder``, with the instructor's source in every cell it changed."""
    dest, _ = release_notebook(src, folder)
    instructor, student = read_notebook(src), read_notebook(dest)
    if len(instructor.cells) != len(student.cells):
        sys.exit(f"{src.name}: the student copy has {len(student.cells)} cells, the instructor's "
                 f"{len(instructor.cells)}; cannot put the solutions back cell by cell")
    for cell, ref in zip(student.cells, instructor.cells):
        cell.source = ref.source
    return write_notebook(student, dest)


def build_handins(work: Path, notebooks: list[Path], students: int) -> Path:
    """``students`` x ``notebooks`` quick-mode hand-ins in ``work/submissions`` (see the module docs)."""
    out = work / "submissions"
    jobs = [(f"S{n:07d}", src) for n in range(1, students + 1) for src in notebooks]

    def one(job: tuple[str, Path]) -> dict:
        sid, src = job
        nb_path = solved_copy(src, work / "students" / sid)
        result = hand_in(nb_path, student_id=sid, name=f"Student {sid}", quick=True, out=out, progress=False,
                         verbose=False)
        return result.manifest

    with ThreadPoolExecutor(2) as pool:
        manifests = list(pool.map(one, jobs))
    bad = [f"{m['student_id']} {m['notebook']}: run {m['run']['status']}, {m['counts']}" for m in manifests
           if m["run"]["status"] != "complete" or m["counts"]["passed"] != len(m["checks"])]
    for line in bad:
        print(f"  note: hand-in not fully solved: {line}")
    return out


def grade(submissions: Path, instructor: Path, out: Path, jobs: int, timeout: int) -> tuple[float, float, str]:
    """Run the grade command once; return its wall time, its CPU time (with its kernels) and its last line."""
    import resource

    cpu0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    cmd = [sys.executable, "-m", "utils.course.grade", str(submissions), "--rerun", "--jobs", str(jobs),
           "--timeout", str(timeout), "--instructor-dir", str(instructor), "--out", str(out)]
    start = time.perf_counter()
    proc = subprocess.run(cmd, cwd=ROOT, stdout=subprocess.PIPE, text=True, encoding="utf-8", check=False)
    seconds = time.perf_counter() - start
    cpu1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (cpu1.ru_utime - cpu0.ru_utime) + (cpu1.ru_stime - cpu0.ru_stime)
    last = (proc.stdout.strip().splitlines() or ["(nothing printed)"])[-1]
    if proc.returncode not in (0, 1):
        sys.exit(f"grade --jobs {jobs} failed with exit status {proc.returncode}: {last}")
    return seconds, cpu, last


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--students", type=int, default=6, help="students (default 6)")
    parser.add_argument("--notebooks", nargs="+", default=["01", "02", "03", "04"], help="notebook numbers")
    parser.add_argument("--jobs", type=int, nargs="+", default=[1, 2], help="--jobs values to time (default 1 2)")
    parser.add_argument("--rounds", type=int, default=2, help="runs of each --jobs value, in turn (default 2)")
    parser.add_argument("--timeout", type=int, default=600, help="per-cell --timeout of the re-runs, s")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder and print its path")
    args = parser.parse_args(argv)
    if min(args.students, args.rounds, *args.jobs) < 1:
        parser.error("--students, --rounds and every --jobs value must be at least 1")
    notebooks = []
    for number in args.notebooks:
        found = sorted((ROOT / "notebooks").glob(f"{number}_*.ipynb"))
        if not found:
            parser.error(f"no notebook {number}_*.ipynb in {ROOT / 'notebooks'}")
        notebooks.append(found[0])
    work = Path(tempfile.mkdtemp(prefix="bench-grade-jobs-"))
    os.environ["NNCOURSE_OUTPUT_DIR"] = str(work / "outputs")  # what the notebooks save goes here, with the kernels
    try:
        print(f"machine: {describe()}")
        print(f"load average before: {load()}")
        start = time.perf_counter()
        submissions = build_handins(work, notebooks, args.students)
        n_zips = len(list(submissions.glob("*.zip")))
        print(f"built {n_zips} hand-ins ({args.students} students x {', '.join(p.stem for p in notebooks)}, "
              f"quick mode) in {time.perf_counter() - start:.1f} s")
        instructor = work / "instructor"
        instructor.mkdir()
        for src in notebooks:
            shutil.copy2(src, instructor / src.name)
        times: dict[int, list[float]] = {jobs: [] for jobs in args.jobs}
        books: list[bytes] = []
        for round_ in range(1, args.rounds + 1):
            for jobs in args.jobs:
                out = work / f"gradebook-jobs{jobs}-{round_}.csv"
                started_at = load().split()[0]
                wall, cpu, last = grade(submissions, instructor, out, jobs, args.timeout)
                times[jobs].append(wall)
                books.append(out.read_bytes())
                print(f"round {round_} --rerun --jobs {jobs}: {wall:6.1f} s wall, {cpu:6.1f} s CPU, load "
                      f"{started_at} at start; {last.replace(str(work), '<tmp>')}")
        first = args.jobs[0]
        median = {jobs: statistics.median(t) for jobs, t in times.items()}
        for jobs in args.jobs:
            speed = f"; speed-up over --jobs {first}: {median[first] / median[jobs]:.2f}x" if jobs != first else ""
            print(f"--jobs {jobs}: median {median[jobs]:.1f} s ({median[jobs] / n_zips:.1f} s per hand-in){speed}")
        with open(work / f"gradebook-jobs{first}-1.csv", encoding="utf-8", newline="") as fh:
            rows = list(csv.DictReader(fh))
        same = all(book == books[0] for book in books)
        intact = sum(r["integrity"] == "ok" and r["rerun"] == "agrees" for r in rows)
        print(f"gradebooks equal: {'yes' if same else 'NO'}; {len(rows)} rows, {intact} intact and agreeing "
              f"with the re-run")
        print(f"load average after: {load()} ({os.cpu_count()} cores)")
        if args.keep:
            print(f"kept {work}")
        return 0 if same and len(rows) == n_zips else 1
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
