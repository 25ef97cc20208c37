"""Offline data: MNIST and the corpus verified by hash; damage gives an error that says how to restore."""
import shutil

import numpy as np
import pytest

from utils import data


@pytest.fixture(scope="module")
def mnist():
    return data.load_mnist()


def test_mnist_is_the_real_one(mnist):
    assert mnist.x_train.shape == (60000, 28, 28) and mnist.x_train.dtype == np.uint8
    assert mnist.x_test.shape == (10000, 28, 28) and mnist.y_test.shape == (10000,)
    assert abs(mnist.x_train.mean() - 33.318421) < 1e-5
    assert abs(mnist.x_train.std() - 78.567490) < 1e-5
    assert abs(mnist.x_test.mean() - 33.791224) < 1e-5
    assert np.bincount(mnist.y_train).tolist() == [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]
    assert mnist.y_train[:10].tolist() == [5, 0, 4, 1, 9, 2, 1, 3, 1, 4]


def test_shakespeare_loads():
    text = data.load_shakespeare()
    assert len(text) == 1_115_394 and text.startswith("First Citizen:")


def test_missing_file_names_file_and_fix(tmp_path, monkeypatch):
    monkeypatch.setenv(data.DATA_DIR_ENV_VAR, str(tmp_path))
    with pytest.raises(data.DataFileError, match=r"mnist.npz is missing.*git checkout -- data/mnist.npz"):
        data.load_mnist()
    report = data.verify_data_files()
    assert set(report) == {"mnist.npz", "tinyshakespeare.txt"} and all(v != "ok" for v in report.values())


def test_truncated_mnist_is_caught(tmp_path, monkeypatch):
    raw = (data.data_dir() / "mnist.npz").read_bytes()
    (tmp_path / "mnist.npz").write_bytes(raw[: len(raw) // 2])
    monkeypatch.setenv(data.DATA_DIR_ENV_VAR, str(tmp_path))
    with pytest.raises(data.DataFileError, match="truncated"):
        data.load_mnist()


def test_altered_mnist_is_caught(tmp_path, monkeypatch, mnist):
    x = mnist.x_train.copy()
    x[0, 0, 0] = 255
    np.savez(tmp_path / "mnist.npz", x_train=x, y_train=mnist.y_train, x_test=mnist.x_test, y_test=mnist.y_test)
    monkeypatch.setenv(data.DATA_DIR_ENV_VAR, str(tmp_path))
    with pytest.raises(data.DataFileError, match="x_train has SHA-256 .* the file was altered"):
        data.load_mnist()


def test_mnist_missing_array_and_altered_text(tmp_path, monkeypatch, mnist):
    np.savez(tmp_path / "mnist.npz", x_train=mnist.x_train)
    shutil.copy(data.data_dir() / "tinyshakespeare.txt", tmp_path / "tinyshakespeare.txt")
    with open(tmp_path / "tinyshakespeare.txt", "a", encoding="ascii") as fh:
        fh.write("extra")
    monkeypatch.setenv(data.DATA_DIR_ENV_VAR, str(tmp_path))
    with pytest.raises(data.DataFileError, match="lacks the array"):
        data.load_mnist()
    with pytest.raises(data.DataFileError, match="altered or truncated"):
        data.load_shakespeare()


@pytest.mark.parametrize("gate,expected", [("AND", [0, 0, 0, 1]), ("or", [0, 1, 1, 1]), ("NAND", [1, 1, 1, 0]),
                                           ("XOR", [0, 1, 1, 0])])
def test_logic_gates_compute_the_gate(gate, expected):
    X, y = data.logic_gate(gate)
    assert X.shape == (4, 2) and y.tolist() == expected
    ops = {"AND": np.logical_and, "OR": np.logical_or, "NAND": lambda a, b: ~np.logical_and(a, b),
           "XOR": np.logical_xor}
    assert np.array_equal(ops[gate.upper()](X[:, 0] > 0, X[:, 1] > 0).astype(int), y)


def test_unknown_gate():
    with pytest.raises(KeyError, match="XNOT"):
        data.logic_gate("XNOT")


@pytest.mark.parametrize("maker", [data.make_moons, data.make_spirals, data.make_blobs])
def test_toy_sets_are_seeded_and_shaped(maker):
    X1, y1 = maker(101, seed=3)
    X2, y2 = maker(101, seed=3)
    X3, _ = maker(101, seed=4)
    assert X1.shape == (101, 2) and y1.shape == (101,) and y1.dtype == np.int64
    assert np.array_equal(X1, X2) and np.array_equal(y1, y2) and not np.array_equal(X1, X3)
    assert np.bincount(y1).min() >= 101 // len(np.unique(y1)) - 1


def test_spirals_classes_and_bad_input():
    _, y = data.make_spirals(300, n_classes=3)
    assert np.bincount(y).tolist() == [100, 100, 100]
    with pytest.raises(ValueError, match="n_samples must be an integer >= 2"):
        data.make_moons(1)
    with pytest.raises(ValueError, match="noise must be a non-negative number"):
        data.make_moons(10, noise=-1)
    with pytest.raises(ValueError, match=r"centers must have shape \(any, 2\)"):
        data.make_blobs(10, centers=np.zeros((3, 3)))


@pytest.mark.parametrize("bad", [-0.5, "0.5", None])
def test_bad_spread_is_named_spread(bad):
    with pytest.raises(ValueError, match=r"^spread must be a non-negative number, got") as info:
        data.make_blobs(10, spread=bad)
    assert "noise" not in str(info.value)
