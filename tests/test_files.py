"""Atomic writes: whole file or nothing, no temporary left behind, ordinary permissions."""
import os
import stat

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


def test_type_errors():
    with pytest.raises(TypeError, match="data must be bytes"):
        files.atomic_write_bytes("x", "text")
    with pytest.raises(TypeError, match="text must be str"):
        files.atomic_write_text("x", b"bytes")
