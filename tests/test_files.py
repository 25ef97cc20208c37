"""Atomic writes: whole file or nothing, no temporary left behind (even by a killed writer), ordinary permissions."""
import os
import signal
import stat
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from utils import files


def test_write_replaces_whole_file(tmp_path):
    target = tmp_path / "sub" / "out.txt"
    files.atomic_write_text(target, "first")
    files.atomic_write_text(target, "second")
    assert target.read_text() == "second" and os.listdir(target.parent) == ["out.txt"]


def test_interrupted_write_keeps_old_file_and_leaves_no_temp(tmp_path):
    target = tmp_path / "out.bin"
    files.atomic_write_bytes(target, b"old")
    with pytest.raises(RuntimeError):
        with files.atomic_path(target) as tmp:
            tmp.write_bytes(b"half")
            raise RuntimeError("power cut")
    assert target.read_bytes() == b"old" and os.listdir(tmp_path) == ["out.bin"]


@pytest.mark.skipif(os.name != "posix", reason="POSIX permissions")
def test_new_file_gets_umask_permissions_not_owner_only(tmp_path):
    old = os.umask(0o022)
    try:
        target = files.atomic_write_bytes(tmp_path / "z.zip", b"x")
    finally:
        os.umask(old)
    assert stat.S_IMODE(target.stat().st_mode) == 0o644


def test_interrupt_at_the_rename_keeps_old_file_and_leaves_no_temp(tmp_path, monkeypatch):
    target = tmp_path / "out.json"
    files.atomic_write_text(target, '{"v": 1}')

    def interrupted(src, dst):
        raise KeyboardInterrupt

    monkeypatch.setattr(files.os, "replace", interrupted)
    with pytest.raises(KeyboardInterrupt):
        files.atomic_write_bytes(target, b"half")
    monkeypatch.undo()
    assert target.read_text() == '{"v": 1}' and os.listdir(tmp_path) == ["out.json"]


def test_file_sha256_hashes_the_bytes_in_blocks(tmp_path):
    import hashlib

    data = bytes(range(256)) * 5000  # 1.28 MB: more than one 1 MiB block
    target = files.atomic_write_bytes(tmp_path / "blob.bin", data)
    assert files.file_sha256(target) == hashlib.sha256(data).hexdigest()
    assert files.file_sha256(files.atomic_write_bytes(tmp_path / "empty", b"")) == hashlib.sha256(b"").hexdigest()




# --------------------------------------------------------------------------- temporary files of killed writers
ROOT = Path(__file__).resolve().parent.parent
MONTH_AGO = time.time() - 30 * 24 * 3600  # older than any staleness threshold

SLOW_WRITER = textwrap.dedent("""
    import sys, time
    from utils.files import atomic_path
    with atomic_path(sys.argv[1]) as tmp:
        with open(tmp, "wb") as fh:
            fh.write(b"x" * 1_000_000)          # a large file, half written
            fh.flush()
            print(tmp, flush=True)
            sys.stdin.readline()                # mid-write until it is killed (or told to finish)
            fh.write(b"y" * 1000)
""")


def _start_writer(target: Path) -> tuple[subprocess.Popen, Path]:
    proc = subprocess.Popen([sys.executable, "-c", SLOW_WRITER, str(target)], cwd=ROOT, stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, text=True)
    tmp = Path(proc.stdout.readline().strip())
    assert tmp.is_file() and tmp.parent == target.parent, tmp
    return proc, tmp


def _parts(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".part"))


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="kill -9 is POSIX")
def test_the_next_write_removes_the_part_file_of_a_killed_writer(tmp_path):
    target = tmp_path / "big.bin"
    proc, tmp = _start_writer(target)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    proc.stdin.close()
    proc.stdout.close()
    assert tmp.exists() and not target.exists()  # what kill -9 leaves behind
    files.atomic_write_bytes(target, b"new")
    assert target.read_bytes() == b"new"
    assert _parts(tmp_path) == [], "the killed writer's temporary file was left behind"


@pytest.mark.skipif(os.name != "posix", reason="process check is POSIX; elsewhere only the age rule applies")
def test_a_live_writers_part_file_is_never_removed_however_old(tmp_path):
    target = tmp_path / "big.bin"
    proc, tmp = _start_writer(target)
    try:
        os.utime(tmp, (MONTH_AGO, MONTH_AGO))
        files.atomic_write_bytes(target, b"meanwhile")
        assert tmp.exists(), "a running writer's temporary file was removed"
        proc.stdin.write("finish\n")
        proc.stdin.flush()
        assert proc.wait(timeout=30) == 0
    finally:
        proc.kill()
        proc.wait(timeout=30)
        proc.stdin.close()
        proc.stdout.close()
    assert not tmp.exists() and target.stat().st_size == 1_001_000  # the live writer finished its own file
    assert _parts(tmp_path) == []


def test_part_files_of_unknown_owner_are_removed_only_when_old(tmp_path):
    target = tmp_path / "out.txt"
    old_format = tmp_path / ".out.txt.ab3_x9zq.part"         # earlier versions' name: no host or pid
    other_host = tmp_path / ".out.txt.00000000-12345.abcdefgh.part"
    fresh = tmp_path / ".out.txt.k2j4h5g6.part"
    other_target = tmp_path / ".out.txt.bak.ab3_x9zq.part"  # belongs to out.txt.bak, not to out.txt
    for p in (old_format, other_host, fresh, other_target):
        p.write_bytes(b"leftover")
    for p in (old_format, other_host, other_target):
        os.utime(p, (MONTH_AGO, MONTH_AGO))
    files.atomic_write_text(target, "new")
    assert _parts(tmp_path) == sorted([fresh.name, other_target.name])
    assert target.read_text() == "new"


@pytest.mark.skipif(os.name != "posix", reason="process check is POSIX")
def test_part_file_of_a_dead_process_on_this_machine_is_removed_at_once(tmp_path):
    done = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True,
                          check=True)
    dead_pid = int(done.stdout)
    target = tmp_path / "out.txt"
    leftover = tmp_path / f".out.txt.{files._host_tag()}-{dead_pid}.abcdefgh.part"
    mine = tmp_path / f".out.txt.{files._host_tag()}-{os.getpid()}.abcdefgh.part"  # e.g. another thread's
    leftover.write_bytes(b"half")
    mine.write_bytes(b"half")
    assert files.remove_stale_temporaries(target) == [leftover]
    assert _parts(tmp_path) == [mine.name]
