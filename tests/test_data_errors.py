"""load_mnist tells apart why mnist.npz cannot be used (permissions, a .npy or pickle under the .npz name,
object arrays, a damaged archive) and names $NNCOURSE_DATA when that variable chose the folder."""
import errno
import os
import pickle

import numpy as np
import pytest

from utils import data

ENV_HINT = ("NNCOURSE_DATA={value} points here; unset it to use the pack's data/ folder, "
            "or point it at a folder holding {name}.")


def _small_mnist_npz(path, *, compressed=False):
    """An .npz with MNIST's four keys (small random arrays: not the real data, so only file errors matter)."""
    rng = np.random.default_rng(0)
    arrays = {"x_train": rng.integers(0, 256, (300, 28, 28), dtype=np.uint8),
              "y_train": rng.integers(0, 10, 300, dtype=np.uint8),
              "x_test": rng.integers(0, 256, (50, 28, 28), dtype=np.uint8),
              "y_test": rng.integers(0, 10, 50, dtype=np.uint8)}
    (np.savez_compressed if compressed else np.savez)(path, **arrays)


@pytest.fixture
def folder(tmp_path, monkeypatch):
    monkeypatch.setenv(data.DATA_DIR_ENV_VAR, str(tmp_path))
    return tmp_path


def _message(loader=data.load_mnist) -> str:
    with pytest.raises(data.DataFileError) as info:
        loader()
    return str(info.value)


def test_permission_denied_is_not_called_truncated(folder, monkeypatch):
    path = folder / "mnist.npz"
    _small_mnist_npz(path)
    real_load = np.load

    def load_as_unreadable(file, *args, **kwargs):  # what open() raises for a file without read permission
        if os.fspath(file) == os.fspath(path):
            raise PermissionError(errno.EACCES, "Permission denied", os.fspath(file))
        return real_load(file, *args, **kwargs)

    monkeypatch.setattr(np, "load", load_as_unreadable)
    msg = _message()
    assert f"cannot read {path}: permission denied; check the file's permissions" in msg
    assert "truncated" not in msg


def test_permission_denied_for_real_when_not_root(folder):
    path = folder / "mnist.npz"
    _small_mnist_npz(path)
    path.chmod(0)
    try:
        if os.access(path, os.R_OK):
            pytest.skip("this user (root?) can read a file without read permission")
        msg = _message()
    finally:
        path.chmod(0o644)
    assert "permission denied" in msg and "truncated" not in msg


def test_shakespeare_permission_denied(folder, monkeypatch):
    path = folder / "tinyshakespeare.txt"
    path.write_text("some text")

    def unreadable(self):
        raise PermissionError(errno.EACCES, "Permission denied", os.fspath(self))

    monkeypatch.setattr(type(path), "read_bytes", unreadable)
    assert f"cannot read {path}: permission denied" in _message(data.load_shakespeare)


def test_npy_saved_under_the_npz_name(folder):
    with open(folder / "mnist.npz", "wb") as fh:
        np.save(fh, np.zeros((3, 28, 28), np.uint8))
    msg = _message()
    assert "is a .npy array (shape (3, 28, 28), dtype uint8), not an .npz archive" in msg
    assert "np.savez" in msg and "git checkout -- data/mnist.npz" in msg


def test_object_arrays_are_refused_as_pickles_not_truncation(folder):
    np.savez(folder / "mnist.npz", x_train=np.array([1, "a"], dtype=object), y_train=np.zeros(3),
             x_test=np.zeros(3), y_test=np.zeros(3))
    msg = _message()
    assert "array x_train holds Python objects (pickled data)" in msg and "allow_pickle" in msg
    assert "truncated" not in msg


def test_a_pickle_under_the_npz_name(folder):
    with open(folder / "mnist.npz", "wb") as fh:
        pickle.dump({"x_train": [1, 2, 3]}, fh)
    msg = _message()
    assert "is a Python pickle, not an .npz archive" in msg and "truncated" not in msg


def test_a_text_file_under_the_npz_name(folder):
    (folder / "mnist.npz").write_text("<html>404 Not Found</html>")
    msg = _message()
    assert "is not a NumPy .npz file (it starts with b'<html>404 Not Fo'" in msg and "truncated" not in msg


def test_empty_file_is_reported_as_empty(folder):
    (folder / "mnist.npz").write_bytes(b"")
    assert "is empty (0 bytes)" in _message()


def test_corrupted_compressed_array_gives_a_data_file_error(folder):
    path = folder / "mnist.npz"
    _small_mnist_npz(path, compressed=True)
    raw = bytearray(path.read_bytes())
    raw[200:456] = np.random.default_rng(1).integers(0, 256, 256, dtype=np.uint8).tobytes()  # inside x_train
    path.write_bytes(bytes(raw))
    msg = _message()
    assert f"{path}: array x_train cannot be read" in msg and "damaged" in msg


def test_half_a_zip_is_called_truncated(folder):
    path = folder / "mnist.npz"
    _small_mnist_npz(path)
    raw = path.read_bytes()
    path.write_bytes(raw[: len(raw) // 2])
    msg = _message()
    assert "is a damaged zip (.npz) archive" in msg and "truncated" in msg


@pytest.mark.parametrize("case", ["missing file", "missing folder", "folder named mnist.npz", "truncated",
                                  "npy", "altered"])
def test_every_mnist_error_names_nncourse_data(tmp_path, monkeypatch, case):
    target = tmp_path / "nowhere" if case == "missing folder" else tmp_path
    monkeypatch.setenv(data.DATA_DIR_ENV_VAR, str(target))
    path = tmp_path / "mnist.npz"
    if case == "folder named mnist.npz":
        path.mkdir()
    elif case == "truncated":
        path.write_bytes(b"PK\x03\x04 not all of it")
    elif case == "npy":
        with open(path, "wb") as fh:
            np.save(fh, np.zeros(3))
    elif case == "altered":
        _small_mnist_npz(path)  # right keys, wrong shapes
    msg = _message()
    assert ENV_HINT.format(value=target, name="mnist.npz") in msg
    if case == "missing folder":
        assert f"the folder {target} does not exist" in msg
    if case == "folder named mnist.npz":
        assert "is a folder, not a file" in msg


def test_shakespeare_errors_name_nncourse_data(folder):
    assert ENV_HINT.format(value=folder, name="tinyshakespeare.txt") in _message(data.load_shakespeare)
    (folder / "tinyshakespeare.txt").write_text("too short")
    assert ENV_HINT.format(value=folder, name="tinyshakespeare.txt") in _message(data.load_shakespeare)


def test_no_nncourse_data_hint_when_the_variable_is_unset(tmp_path, monkeypatch):
    monkeypatch.delenv(data.DATA_DIR_ENV_VAR, raising=False)
    monkeypatch.setattr(data, "data_dir", lambda: tmp_path)
    msg = _message()
    assert "is missing" in msg and "NNCOURSE_DATA" not in msg and "git checkout -- data/mnist.npz" in msg
