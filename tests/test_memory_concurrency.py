"""Several programs sharing one vector-memory file: locked, merged saves lose nothing."""
from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import filelock
import numpy as np
import pytest

from utils import memory as memory_module
from utils.memory import MemoryFileError, MemoryLockTimeout, VectorMemory, lock_path

ROOT = Path(__file__).resolve().parent.parent

WRITER = textwrap.dedent("""
    import sys, time
    from pathlib import Path
    from utils.memory import VectorMemory
    path, name, n = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3])
    (path.parent / f"ready-{name}").touch()
    deadline = time.monotonic() + 60
    while len(list(path.parent.glob("ready-*"))) < 2 and time.monotonic() < deadline:
        time.sleep(0.005)                       # start together, so the two writers really overlap
    for i in range(n):
        mem = VectorMemory.load(path)           # load -> remember -> save, as a notebook would
        mem.remember(f"{name} note {i}", [1.0, float(i), 2.0, 3.0])
        mem.save()
""")


def test_two_processes_writing_one_file_keep_every_record(tmp_path):
    # As in the report: 200 saves each (the unlocked save of old kept 199-231 of 400, with no error).
    n = 200
    path = VectorMemory(dim=4).save(tmp_path / "memory.json")
    procs = [subprocess.Popen([sys.executable, "-c", WRITER, str(path), name, str(n)], cwd=ROOT,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for name in ("a", "b")]
    for proc in procs:
        _, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err
    texts = sorted(r.text for r in VectorMemory.load(path).records())
    expected = sorted(f"{name} note {i}" for name in ("a", "b") for i in range(n))
    assert len(texts) == 2 * n, f"kept only {len(texts)} of {2 * n} records"
    assert texts == expected
    assert sorted(p.name for p in tmp_path.iterdir() if p.suffix == ".part") == []


def _vec(*values: float) -> list[float]:
    return [float(v) for v in values]


def test_save_keeps_records_another_writer_saved_meanwhile(tmp_path):
    path = tmp_path / "m.json"
    VectorMemory(dim=2).save(path)
    first, second = VectorMemory.load(path), VectorMemory.load(path)
    a = first.remember("from first", _vec(1, 0))
    b = second.remember("from second", _vec(0, 1))
    first.save()
    second.save()
    assert a != b
    assert {r.text for r in VectorMemory.load(path).records()} == {"from first", "from second"}
    # after saving, an object holds the merged records, as if freshly loaded
    assert {r.text for r in second.records()} == {"from first", "from second"}


def test_saving_again_does_not_duplicate(tmp_path):
    mem = VectorMemory(dim=2, path=tmp_path / "m.json")
    mem.remember("once", _vec(1, 2), id="x")
    mem.save()
    mem.save()
    VectorMemory.load(mem.path).save()
    assert [r.id for r in VectorMemory.load(mem.path).records()] == ["x"]


def test_forget_is_saved_but_only_removes_what_this_object_forgot(tmp_path):
    path = tmp_path / "m.json"
    seed = VectorMemory(dim=2)
    for key in ("keep", "drop"):
        seed.remember(key, _vec(1, 1), id=key)
    seed.save(path)
    mine, other = VectorMemory.load(path), VectorMemory.load(path)
    mine.forget("drop")
    other.remember("added elsewhere", _vec(0, 1), id="new")
    other.save()
    mine.save()
    assert sorted(r.id for r in VectorMemory.load(path).records()) == ["keep", "new"]


def test_a_record_remembered_with_an_existing_id_replaces_it(tmp_path):
    path = tmp_path / "m.json"
    old = VectorMemory(dim=2)
    old.remember("old text", _vec(1, 0), id="note")
    old.remember("other", _vec(0, 1), id="other")
    old.save(path)
    fresh = VectorMemory(dim=2, path=path)      # e.g. a notebook run again: same ids, new vectors
    fresh.remember("new text", _vec(1, 1), id="note")
    fresh.save()
    loaded = VectorMemory.load(path)
    assert [r.id for r in loaded.records()] == ["note", "other"]
    assert loaded.get("note").text == "new text"
    np.testing.assert_array_equal(loaded.get("note").vector, [1, 1])


def test_saving_over_a_file_of_another_dim_is_a_clear_error(tmp_path):
    path = VectorMemory(dim=3).save(tmp_path / "m.json")
    before = path.read_bytes()
    mem = VectorMemory(dim=2)
    mem.remember("x", _vec(1, 0))
    with pytest.raises(MemoryFileError, match=r"m\.json holds 3-dimensional .* 2-dimensional"):
        mem.save(path)
    assert path.read_bytes() == before


def test_saving_over_a_corrupt_file_refuses_and_keeps_it(tmp_path):
    path = tmp_path / "m.json"
    path.write_text("{broken", encoding="utf-8")
    mem = VectorMemory(dim=2)
    mem.remember("x", _vec(1, 0))
    with pytest.raises(MemoryFileError, match="m.json is corrupt"):
        mem.save(path)
    assert path.read_text(encoding="utf-8") == "{broken"


def test_a_held_lock_gives_a_clear_timeout(tmp_path, monkeypatch):
    monkeypatch.setattr(memory_module, "LOCK_TIMEOUT_SECONDS", 0.2)
    path = tmp_path / "m.json"
    mem = VectorMemory(dim=2)
    mem.remember("x", _vec(1, 0))
    holder = subprocess.Popen([sys.executable, "-c", textwrap.dedent("""
        import sys, time, filelock
        with filelock.FileLock(sys.argv[1]):
            print("locked", flush=True)
            sys.stdin.read()
    """), str(lock_path(path))], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "locked"
        with pytest.raises(MemoryLockTimeout, match=r"m\.json\.lock"):
            mem.save(path)
        assert not path.exists()
    finally:
        holder.communicate("", timeout=30)
    mem.save(path)  # released when the holder exits
    assert json.loads(path.read_text(encoding="utf-8"))["records"][0]["text"] == "x"


def test_the_file_is_written_while_holding_the_lock_beside_it(tmp_path, monkeypatch):
    path = tmp_path / "sub" / "memory.json"
    assert lock_path(path) == tmp_path / "sub" / "memory.json.lock"
    held = []
    real_write = memory_module.atomic_write_text

    def write_and_probe(target, text):
        try:
            with filelock.FileLock(str(lock_path(target)), timeout=0):
                held.append(False)
        except filelock.Timeout:
            held.append(True)
        return real_write(target, text)

    monkeypatch.setattr(memory_module, "atomic_write_text", write_and_probe)
    mem = VectorMemory(dim=2, path=path)
    mem.remember("x", _vec(1, 0))
    mem.save()
    assert held == [True] and len(VectorMemory.load(path)) == 1


def test_forget_is_saved_when_the_same_file_is_named_differently(tmp_path, monkeypatch):
    seed = VectorMemory(dim=2)
    seed.remember("drop", _vec(1, 1), id="drop")
    seed.save(tmp_path / "m.json")
    monkeypatch.chdir(tmp_path)
    mem = VectorMemory.load("m.json")       # relative here, absolute below: still the same file
    mem.forget("drop")
    mem.save(tmp_path / "m.json")
    assert len(VectorMemory.load(tmp_path / "m.json")) == 0
