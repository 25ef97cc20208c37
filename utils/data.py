"""Verified offline data: MNIST and the Shakespeare corpus from ``data/``, and seeded toy data sets.

Nothing here downloads. MNIST is read with NumPy (``allow_pickle=False``) and each of its four arrays is
checked against a SHA-256 of its raw bytes, so a truncated or altered file is caught with a message that
says how to restore it. (``keras.datasets.mnist.load_data()`` is avoided on purpose: offline it rejects a
file whose zip hash differs from its own, tries to download, and then deletes the cached file.)
"""
from __future__ import annotations

import hashlib
import os
import zipfile
import zlib
from pathlib import Path
from typing import NamedTuple, Sequence

import numpy as np

from utils.validation import as_array, check_number, check_positive_int

DATA_DIR_ENV_VAR = "NNCOURSE_DATA"
"""Environment variable that points the loaders at another data folder (used by tests)."""

MNIST_FILE = "mnist.npz"
MNIST_SHA256 = {
    "x_train": "741c988805d008ac6e4c904b69001ba184c24b2c540a4ef403f4c71b676cf757",
    "y_train": "1feba77c54802fa5339a11837ea4b2866434b83314ec45192930f1df69120c13",
    "x_test": "6d87418db22cc8025d05968bec9bd5c3932904b23485740db143a061a2c9d161",
    "y_test": "ddeff807876a9661a1110d45c266c86239a3a1b7d37da0c3716a7a683c852ff5",
}
MNIST_SHAPES = {"x_train": (60000, 28, 28), "y_train": (60000,), "x_test": (10000, 28, 28), "y_test": (10000,)}

SHAKESPEARE_FILE = "tinyshakespeare.txt"
SHAKESPEARE_SHA256 = "86c4e6aa9db7c042ec79f339dcb96d42b0075e16b8fc2e86bf0ca57e2dc565ed"

_RESTORE_HINT = ("Restore it from the course repository with `git checkout -- data/{name}` "
                 "(or download the course pack again); data/README.md lists the expected hashes.")


class DataFileError(RuntimeError):
    """A file in ``data/`` is missing, truncated or altered. The message says which and how to restore it."""


class MNIST(NamedTuple):
    """The four MNIST arrays, exactly as stored: images uint8 0..255 of shape (n, 28, 28), labels uint8 0..9."""

    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray


def data_dir() -> Path:
    """The folder holding the course's data: ``$NNCOURSE_DATA`` if set, else ``data/`` beside ``utils/``."""
    override = os.environ.get(DATA_DIR_ENV_VAR)
    return Path(override) if override else Path(__file__).resolve().parent.parent / "data"


def sha256_of_array(a: np.ndarray) -> str:
    """SHA-256 of an array's raw C-ordered bytes: stable whatever zip container holds it."""
    return hashlib.sha256(np.ascontiguousarray(a).tobytes()).hexdigest()


def _env_hint(name: str) -> str:
    """The sentence every file error adds when ``$NNCOURSE_DATA`` redirects the loaders ("" when unset)."""
    value = os.environ.get(DATA_DIR_ENV_VAR)
    if not value:
        return ""
    return (f" {DATA_DIR_ENV_VAR}={value} points here; unset it to use the pack's data/ folder, "
            f"or point it at a folder holding {name}.")


def _file_error(problem: str, name: str) -> DataFileError:
    """A :class:`DataFileError` with ``problem``, the ``$NNCOURSE_DATA`` hint when it is set, and how to restore."""
    return DataFileError(problem.rstrip() + _env_hint(name) + " " + _RESTORE_HINT.format(name=name))


def _data_file(name: str) -> Path:
    """The path of ``name`` in :func:`data_dir`, or a :class:`DataFileError` saying why it is not a usable file."""
    folder = data_dir()
    path = folder / name
    if path.is_file():
        return path
    if not folder.is_dir():
        problem = f"Data file {path} is missing: the folder {folder.resolve()} does not exist."
    elif path.is_dir():
        problem = f"Data file {path} is missing: that path is a folder, not a file."
    else:
        problem = f"Data file {path} is missing."
    raise _file_error(problem, name)


def _permission_problem(path: Path) -> str:
    return (f"cannot read {path}: permission denied; check the file's permissions "
            f"(e.g. `chmod u+r {path}`, or ask whoever owns it).")


def _unreadable_npz_problem(path: Path, keys: Sequence[str], exc: BaseException) -> str:
    """Say what ``path`` really is when ``np.load`` cannot open it as an archive, judged from its first bytes."""
    try:
        size = path.stat().st_size
        with path.open("rb") as fh:
            head = fh.read(16)
    except OSError:  # vanished or unreadable since np.load tried: report numpy's error as it is
        return f"{path} cannot be read ({type(exc).__name__}: {exc})."
    if size == 0:
        return f"{path} is empty (0 bytes): it was truncated, e.g. by an interrupted copy or download."
    if head.startswith(b"PK"):
        return (f"{path} is a damaged zip (.npz) archive ({type(exc).__name__}: {exc}); it is {size:,} bytes, "
                "probably truncated by an interrupted copy or download.")
    if head.startswith(b"\x93NUMPY"):
        try:
            arr = np.load(path, mmap_mode="r", allow_pickle=False)
            what = f"a .npy array (shape {arr.shape}, dtype {arr.dtype}), not an .npz archive of the arrays"
        except (OSError, ValueError, EOFError):
            what = "a .npy array that cannot be loaded, not an .npz archive of the arrays"
        return (f"{path} is {what} {', '.join(keys)}; it was probably saved with np.save instead of np.savez, "
                "or renamed.")
    if head[:1] == b"\x80":
        return (f"{path} is a Python pickle, not an .npz archive; the course never unpickles data files "
                "(unpickling can run arbitrary code).")
    return (f"{path} is not a NumPy .npz file (it starts with {head!r}, a zip archive starts with b'PK'); "
            "perhaps a web page or a text file was saved under this name.")


def _npz_problem(path: Path, keys: Sequence[str], files: Sequence[str] | None, key: str | None,
                 exc: BaseException) -> str:
    """Why the arrays ``keys`` of ``path`` could not be read: ``files`` are the archive's arrays (None if it did
    not open as an archive), ``key`` the array being read when ``exc`` was raised."""
    if isinstance(exc, PermissionError):
        return _permission_problem(path)
    if files is None:
        return _unreadable_npz_problem(path, keys, exc)
    if isinstance(exc, KeyError):
        return f"{path} lacks the array(s) {[k for k in keys if k not in files]}; it is not the course's MNIST file."
    if isinstance(exc, ValueError) and "allow_pickle" in str(exc):
        return (f"{path}: array {key} holds Python objects (pickled data), which NumPy loads only with "
                "allow_pickle=True; the course never unpickles data files (unpickling can run arbitrary code) "
                "and the real MNIST file holds only uint8 arrays.")
    return (f"{path}: array {key} cannot be read ({type(exc).__name__}: {exc}); the file is damaged, "
            "probably truncated or corrupted by an interrupted copy or download.")


def _load_npz(path: Path, keys: Sequence[str], name: str) -> dict[str, np.ndarray]:
    """Read the arrays ``keys`` from the .npz archive ``path`` (no pickles) or raise a :class:`DataFileError`.

    Each failure gets its own message naming the file (:func:`_npz_problem`): permission denied, a .npy array or
    another kind of file under the .npz name, a truncated or corrupted archive, object (pickled) arrays, missing
    arrays.
    """
    files: list[str] | None = None
    key: str | None = None
    try:
        with np.load(path, allow_pickle=False) as npz:  # a .npy file gives an array: TypeError, not an archive
            files = list(npz.files)
            arrays: dict[str, np.ndarray] = {}
            for key in keys:
                arrays[key] = npz[key]
        return arrays
    except (OSError, ValueError, EOFError, KeyError, TypeError, zipfile.BadZipFile, zlib.error) as exc:
        raise _file_error(_npz_problem(path, keys, files, key, exc), name) from exc


def _mnist_array_problem(path: Path, key: str, arr: np.ndarray, verify: bool) -> str | None:
    """What is wrong with MNIST's array ``key`` (shape, dtype, or with ``verify`` its SHA-256), or None."""
    if arr.shape != MNIST_SHAPES[key] or arr.dtype != np.uint8:
        return f"{path}: array {key} has shape {arr.shape} and dtype {arr.dtype}, expected {MNIST_SHAPES[key]} uint8."
    got = sha256_of_array(arr) if verify else MNIST_SHA256[key]
    if got != MNIST_SHA256[key]:
        return f"{path}: array {key} has SHA-256 {got[:16]}…, expected {MNIST_SHA256[key][:16]}…; the file was altered."
    return None


def load_mnist(*, verify: bool = True) -> MNIST:
    """Load MNIST from ``data/mnist.npz`` and verify it.

    Args:
        verify: check each array's SHA-256 (about 0.1 s); leave on unless you know why not.

    Returns:
        :class:`MNIST` with ``x_train`` (60000, 28, 28) uint8, ``y_train`` (60000,) uint8,
        ``x_test`` (10000, 28, 28) uint8 and ``y_test`` (10000,) uint8. Pixels are 0..255: scale them yourself
        (``x / 255.0``) so the step stays visible in the notebook.

    Raises:
        DataFileError: if the file is missing, unreadable (permissions), not an .npz archive (e.g. a .npy array
            or a pickle under that name), truncated or corrupted, holds object arrays, lacks an array, or an
            array's shape, dtype or hash differs. The message names the file, says what is wrong and how to
            fix it, and mentions ``$NNCOURSE_DATA`` when that variable chose the folder.
    """
    path = _data_file(MNIST_FILE)
    arrays = _load_npz(path, list(MNIST_SHA256), MNIST_FILE)
    for key, arr in arrays.items():
        problem = _mnist_array_problem(path, key, arr, verify)
        if problem is not None:
            raise _file_error(problem, MNIST_FILE)
    return MNIST(**arrays)


def load_shakespeare(*, verify: bool = True) -> str:
    """Return the text of ``data/tinyshakespeare.txt`` (1,115,394 ASCII characters), checked by SHA-256.

    Raises:
        DataFileError: if the file is missing, unreadable or its hash differs.
    """
    path = _data_file(SHAKESPEARE_FILE)
    try:
        raw = path.read_bytes()
    except PermissionError as exc:
        raise _file_error(_permission_problem(path), SHAKESPEARE_FILE) from exc
    if verify:
        got = hashlib.sha256(raw).hexdigest()
        if got != SHAKESPEARE_SHA256:
            raise _file_error(f"{path} has SHA-256 {got[:16]}…, expected {SHAKESPEARE_SHA256[:16]}… "
                              f"({len(raw):,} bytes, expected 1,115,394); the file was altered or truncated.",
                              SHAKESPEARE_FILE)
    return raw.decode("ascii")


def verify_data_files() -> dict[str, str]:
    """Check every shipped data file; return ``{file name: "ok" or the error message}`` (never raises)."""
    report: dict[str, str] = {}
    for name, loader in ((MNIST_FILE, load_mnist), (SHAKESPEARE_FILE, load_shakespeare)):
        try:
            loader()
            report[name] = "ok"
        except DataFileError as exc:
            report[name] = str(exc)
    return report


# --------------------------------------------------------------------------- toy data sets
LOGIC_GATES: dict[str, tuple[int, int, int, int]] = {
    "AND": (0, 0, 0, 1),
    "OR": (0, 1, 1, 1),
    "NAND": (1, 1, 1, 0),
    "NOR": (1, 0, 0, 0),
    "XOR": (0, 1, 1, 0),
}


def logic_gate(name: str) -> tuple[np.ndarray, np.ndarray]:
    """Truth table of a two-input logic gate.

    Args:
        name: one of AND, OR, NAND, NOR, XOR (any case); another name is a KeyError.

    Returns:
        ``X`` of shape (4, 2) float64 with rows (0,0), (0,1), (1,0), (1,1), and ``y`` of shape (4,) int64 in {0, 1}.
    """
    X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=np.float64)
    return X, np.array(LOGIC_GATES[str(name).upper()], dtype=np.int64)  # KeyError names an unknown gate


def make_moons(n_samples: int = 200, *, noise: float = 0.1, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Two interleaving half circles.

    Returns:
        ``X`` (n_samples, 2) float64 and ``y`` (n_samples,) int64 in {0, 1}, half of each class (class 0 gets
        the extra point when n_samples is odd).
    """
    n = check_positive_int(n_samples, "n_samples", minimum=2)
    noise = check_number(noise, "noise")
    rng = np.random.default_rng(seed)
    n0 = n - n // 2
    t0 = np.linspace(0, np.pi, n0)
    t1 = np.linspace(0, np.pi, n // 2)
    X = np.concatenate([np.c_[np.cos(t0), np.sin(t0)], np.c_[1 - np.cos(t1), 0.5 - np.sin(t1)]])
    y = np.concatenate([np.zeros(n0, np.int64), np.ones(n // 2, np.int64)])
    X = X + rng.normal(scale=noise, size=X.shape)
    order = rng.permutation(n)
    return X[order], y[order]


def make_spirals(n_samples: int = 300, *, n_classes: int = 2, noise: float = 0.2, seed: int = 0
                 ) -> tuple[np.ndarray, np.ndarray]:
    """Interleaved spiral arms (CS231n's classic), one arm per class.

    Returns:
        ``X`` (n_samples, 2) float64 roughly in [-1, 1] and ``y`` (n_samples,) int64 in 0..n_classes-1.
    """
    n = check_positive_int(n_samples, "n_samples", minimum=2)
    k = check_positive_int(n_classes, "n_classes", minimum=2)
    noise = check_number(noise, "noise")
    rng = np.random.default_rng(seed)
    counts = [n // k + (1 if c < n % k else 0) for c in range(k)]
    y = np.repeat(np.arange(k, dtype=np.int64), counts)
    r = np.concatenate([np.linspace(0.05, 1, cnt) for cnt in counts])
    t = r * 4 + y * (2 * np.pi / k) + rng.normal(scale=noise, size=n)
    X = np.c_[r * np.sin(t), r * np.cos(t)]
    order = rng.permutation(n)
    return X[order], y[order]


def make_blobs(n_samples: int = 300, *, centers: int | np.ndarray = 3, spread: float = 0.5, seed: int = 0
               ) -> tuple[np.ndarray, np.ndarray]:
    """Gaussian blobs around centres.

    Args:
        n_samples: total number of points.
        centers: a number of centres placed on a circle of radius 2, or an array of shape (k, 2).
        spread: standard deviation of each blob.

    Returns:
        ``X`` (n_samples, 2) float64 and ``y`` (n_samples,) int64 in 0..k-1.
    """
    n = check_positive_int(n_samples, "n_samples")
    spread = check_number(spread, "spread")
    if isinstance(centers, (int, np.integer)):
        k = check_positive_int(centers, "centers")
        angles = 2 * np.pi * np.arange(k) / k
        c = 2.0 * np.c_[np.cos(angles), np.sin(angles)]
    else:
        c = as_array(centers, "centers", shape=(None, 2), dtype_kind="fiu").astype(np.float64)
    rng = np.random.default_rng(seed)
    y = np.arange(n) % len(c)
    X = c[y] + rng.normal(scale=spread, size=(n, 2))
    order = rng.permutation(n)
    return X[order], y[order].astype(np.int64)
