"""Tests for utils.memory: recall ranking, clear errors, atomic saving, corrupt files."""
from __future__ import annotations

import json
import os

import numpy as np
import pytest

from utils.memory import MemoryFileError, MemoryRecord, VectorMemory


@pytest.fixture
def mem() -> VectorMemory:
    m = VectorMemory(dim=3)
    m.remember("the cat sat on the mat", [1.0, 0.1, 0.0], id="cat")
    m.remember("stock prices fell today", [0.0, 1.0, 0.1], id="stocks")
    m.remember("it rained all afternoon", [0.1, 0.0, 1.0], id="rain")
    return m


def test_recall_returns_the_expected_record_first(mem):
    results = mem.recall([0.9, 0.0, 0.05], k=2)
    assert [r.id for r, _ in results] == ["cat", "rain"]
    sims = [s for _, s in results]
    assert sims == sorted(sims, reverse=True)
    assert all(-1.0 <= s <= 1.0 for s in sims)


def test_recall_uses_cosine_not_dot_product():
    m = VectorMemory(dim=2)
    m.remember("small but aligned", [0.1, 0.0], id="aligned")
    m.remember("large and off-direction", [10.0, 10.0], id="large")
    (best, sim), _ = m.recall([1.0, 0.0], k=2)
    assert best.id == "aligned"
    assert sim == pytest.approx(1.0)


def test_recall_k_larger_than_store_returns_all(mem):
    assert len(mem.recall([1, 1, 1], k=10)) == 3


def test_remember_assigns_unique_ids_and_get_returns_record():
    m = VectorMemory(dim=2)
    a = m.remember("one", [1, 0])
    b = m.remember("two", [0, 1])
    assert a != b and len(m) == 2
    rec = m.get(a)
    assert isinstance(rec, MemoryRecord) and rec.text == "one"
    np.testing.assert_allclose(rec.vector, [1, 0])
    assert "T" in rec.timestamp  # ISO-8601


def test_forget_removes(mem):
    removed = mem.forget("stocks")
    assert removed.text.startswith("stock") and len(mem) == 2 and "stocks" not in mem
    with pytest.raises(KeyError, match="stocks"):
        mem.get("stocks")


def test_wrong_vector_size_names_expected_and_given(mem):
    with pytest.raises(ValueError, match=r"vector must have shape \(3,\), got \(2,\)"):
        mem.remember("x", [1.0, 2.0])
    with pytest.raises(ValueError, match=r"query_vector must have shape \(3,\), got \(4,\)"):
        mem.recall([1.0, 2.0, 3.0, 4.0])
    with pytest.raises(ValueError, match=r"shape \(3,\), got \(1, 3\)"):
        mem.remember("matrix", [[1, 0, 0]])


def test_recall_on_empty_memory_is_a_clear_error():
    with pytest.raises(ValueError, match="empty"):
        VectorMemory(dim=2).recall([1.0, 0.0])


def test_unknown_id_raises_keyerror_naming_it(mem):
    with pytest.raises(KeyError, match="nope"):
        mem.get("nope")
    with pytest.raises(KeyError, match="nope"):
        mem.forget("nope")


@pytest.mark.parametrize("bad", [[np.nan, 0, 1], [np.inf, 0, 1]])
def test_non_finite_vectors_rejected(mem, bad):
    with pytest.raises(ValueError, match="NaN or infinite"):
        mem.remember("bad", bad)
    with pytest.raises(ValueError, match="NaN or infinite"):
        mem.recall(bad)


def test_zero_vector_rejected(mem):
    with pytest.raises(ValueError, match="zero vector"):
        mem.remember("zero", [0, 0, 0])


def test_bad_k_rejected(mem):
    with pytest.raises(ValueError, match="k must be"):
        mem.recall([1, 0, 0], k=0)


def test_other_bad_input(mem):
    with pytest.raises(ValueError, match="dim"):
        VectorMemory(dim=0)
    with pytest.raises(ValueError, match="already"):
        mem.remember("again", [1, 0, 0], id="cat")
    with pytest.raises(ValueError, match="no path"):
        mem.save()


def test_stored_vectors_are_read_only(mem):
    with pytest.raises(ValueError):
        mem.get("cat").vector[0] = 5.0


def test_save_and_load_round_trip(mem, tmp_path):
    path = mem.save(tmp_path / "memory.json")
    loaded = VectorMemory.load(path)
    assert len(loaded) == len(mem) and loaded.dim == 3
    for rec in mem.records():
        other = loaded.get(rec.id)
        assert other.text == rec.text and other.timestamp == rec.timestamp
        np.testing.assert_array_equal(other.vector, rec.vector)
    assert [r.id for r, _ in loaded.recall([0.9, 0, 0.05], 3)] == [r.id for r, _ in mem.recall([0.9, 0, 0.05], 3)]
    # new ids after loading do not clash with loaded ones
    new_id = loaded.remember("new", [1, 1, 1])
    assert new_id not in {"cat", "stocks", "rain"}


def _files(folder):
    """The files in ``folder``, except the lock file that save() keeps beside the memory file."""
    return sorted(p.name for p in folder.iterdir() if not p.name.endswith(".lock"))


@pytest.mark.parametrize("broken", ["fsync", "replace"])
def test_crash_mid_write_keeps_previous_file_and_no_temp(mem, tmp_path, monkeypatch, broken):
    path = tmp_path / "memory.json"
    mem.save(path)
    before = path.read_bytes()
    mem.remember("a new memory that will not make it", [1, 1, 0], id="late")

    def crash(*args, **kwargs):
        raise OSError("simulated crash (disk full / power cut)")

    # "fsync": the temporary file is written but the disk fails before the rename; "replace": the rename fails
    monkeypatch.setattr(os, broken, crash)
    with pytest.raises(OSError, match="simulated crash"):
        mem.save(path)
    assert path.read_bytes() == before
    assert _files(tmp_path) == ["memory.json"], "a temporary file was left behind"
    assert "late" not in VectorMemory.load(path)


def test_save_uses_a_temp_file_in_the_same_folder(mem, tmp_path, monkeypatch):
    seen = []
    real_replace = os.replace

    def spy(src, dst):
        seen.append((os.path.dirname(os.path.abspath(src)), os.path.dirname(os.path.abspath(dst))))
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", spy)
    mem.save(tmp_path / "m.json")
    assert seen and seen[0][0] == seen[0][1]


@pytest.mark.parametrize("content", ["{not json", json.dumps({"hello": 1}),
                                     json.dumps({"format": "vector-memory", "dim": 2, "records": [{"id": "a"}]}),
                                     json.dumps({"format": "vector-memory", "dim": 2,
                                                 "records": [{"id": "a", "text": "t", "vector": [1, 2, 3],
                                                              "timestamp": "x"}]}),
                                     '"caf\udce9"'])  # valid JSON but not UTF-8 on disk (b'"caf\xe9"')
def test_loading_a_corrupt_file_names_the_file(tmp_path, content):
    path = tmp_path / "broken_memory.json"
    path.write_bytes(content.encode("utf-8", "surrogateescape"))
    with pytest.raises(MemoryFileError, match="broken_memory.json"):
        VectorMemory.load(path)


def test_loaded_records_keep_their_saved_timestamps(tmp_path):
    path = tmp_path / "m.json"
    record = {"id": "a", "text": "t", "vector": [1.0, 2.0], "timestamp": "2020-01-02T03:04:05+00:00"}
    path.write_text(json.dumps({"format": "vector-memory", "version": 1, "dim": 2, "records": [record]}),
                    encoding="utf-8")
    assert VectorMemory.load(path).get("a").timestamp == "2020-01-02T03:04:05+00:00"


def test_recall_ties_keep_the_order_of_records():
    mem = VectorMemory(dim=2)
    for name in ["b", "a", "c", "d"]:
        mem.remember(name, [1.0, 0.0] if name != "d" else [0.0, 1.0], id=name)
    assert [r.id for r, _ in mem.recall([2.0, 0.0], k=3)] == ["b", "a", "c"]


def test_loading_a_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError, match="nothing.json"):
        VectorMemory.load(tmp_path / "nothing.json")


# --------------------------------------------------------------------------- vectors that used to slip through
@pytest.mark.parametrize("vector", [np.array([1 + 2j, 0, 1]), np.array([1, 0, 1], dtype=np.complex64)])
def test_complex_vectors_are_refused_not_silently_made_real(mem, vector):
    with pytest.raises(TypeError, match="complex"):
        mem.remember("complex", vector)
    with pytest.raises(TypeError, match="complex"):
        mem.recall(vector)
    assert len(mem) == 3


def test_text_vectors_are_refused(mem):
    with pytest.raises(TypeError, match="dtype"):
        mem.remember("text", ["1", "0", "1"])


@pytest.mark.parametrize("scale", [1e200, 1e300, 1e-300])
def test_huge_or_tiny_finite_vectors_rank_by_direction(mem, scale):
    """Their squared norm overflows to inf (or underflows to 0): they must still rank by cosine, not last."""
    mem.remember("same direction, extreme size", [scale * 0.9, 0.0, scale * 0.05], id="extreme")
    (best, sim), *_ = mem.recall([0.9, 0.0, 0.05], k=4)
    assert best.id == "extreme" and sim == pytest.approx(1.0)
    (best, sim), *_ = mem.recall([scale * 0.9, 0.0, scale * 0.05], k=4)
    assert best.id == "extreme" and sim == pytest.approx(1.0)
    sims = [s for _, s in mem.recall([1.0, 0.1, 0.0], k=4)]
    assert np.all(np.isfinite(sims)) and sims == sorted(sims, reverse=True)


def test_vectors_overflowing_float64_are_refused(mem):
    with pytest.raises(TypeError):
        mem.remember("huge int", [10**400, 1, 0])
    if np.finfo(np.longdouble).max > np.finfo(np.float64).max:  # x86 Linux: 80-bit long double
        huge = np.array([np.longdouble(10) ** 400, 1, 0], dtype=np.longdouble)
        with pytest.raises(ValueError, match="NaN or infinite"):
            mem.remember("huge long double", huge)
    assert len(mem) == 3


def test_deeply_nested_json_is_a_memory_file_error(tmp_path):
    path = tmp_path / "deep_memory.json"
    path.write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")
    with pytest.raises(MemoryFileError, match="deep_memory.json.*not valid JSON"):
        VectorMemory.load(path)
    mem = VectorMemory(dim=2)
    mem.remember("x", [1, 0])
    with pytest.raises(MemoryFileError, match="not valid JSON"):
        mem.save(path)  # save re-reads the file first and will not overwrite what it cannot read


def test_remember_copies_the_callers_array_and_leaves_it_writable(mem):
    vector = np.array([0.5, 0.5, 0.5])
    mem.remember("copied", vector, id="copied")
    vector[0] = 9.0  # the caller may keep using their array
    assert mem.get("copied").vector[0] == 0.5
