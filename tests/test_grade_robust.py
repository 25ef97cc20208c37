"""One bad zip never stops the gradebook; the CSV is safe to open in a spreadsheet; times are compared as times;
a bad --out is one clear line. The fuzzer uses plain seeded ``random`` (reproducible, no extra dependency)."""
from __future__ import annotations

import copy
import csv
import io
import json
import random
import zipfile
from pathlib import Path
from types import SimpleNamespace

import pytest

import _nbfixtures as fx
from utils.course import grade, handin, verify
from utils.course.manifest import OPTIONAL_FIELDS
from utils.course.release import release_notebook

SID = "S0000021"
SEED = 20240611


@pytest.fixture(scope="module")
def base(tmp_path_factory):
    """One honest hand-in (quick mode): its zip, members and manifest."""
    root = tmp_path_factory.mktemp("robust")
    instructor = fx.instructor_notebook()
    nb_path, _ = release_notebook(fx.write(instructor, root / "instructor"), root / "student")
    fx.complete(nb_path, instructor)
    zip_path = handin.hand_in(nb_path, student_id=SID, name="Student Robust", quick=True, out=root / "handin",
                              progress=False, verbose=False).zip_path
    with zipfile.ZipFile(zip_path) as zf:
        members = {n: zf.read(n) for n in zf.namelist()}
    return SimpleNamespace(zip=zip_path, members=members, manifest=json.loads(members[handin.MANIFEST_NAME]))


def write_zip(path: Path, members: dict[str, bytes], manifest: object | None = None) -> Path:
    """A zip of ``members``, with ``manifest`` (any JSON value, or raw bytes) as manifest.json when given."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            if name == handin.MANIFEST_NAME and manifest is not None:
                data = manifest if isinstance(manifest, bytes) else json.dumps(manifest).encode()
            zf.writestr(name, data)
    return path


def read_rows(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


# ----------------------------------------------------------------------------------------------- fuzzing
def kind(value: object) -> str:
    """Category of a JSON value: a junk value of another category is always wrong for a field."""
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, (int, float)):
        return "number"
    return {str: "str", list: "list", dict: "dict", type(None): "none"}[type(value)]


def deep(n: int) -> list:
    out: list = []
    for _ in range(n):
        out = [out]
    return out


JUNK = [None, 0, -1, 3, 1e308, True, False, "", "x" * 100_000, "=cmd|' /C calc'!A0", [], ["x", 3],
        [None, {"a": 1}], {}, {"a": {"b": [None]}}, deep(60)]


def wrong_values(original: object) -> list[object]:
    """Junk certainly wrong for a field holding ``original``: another category, or text far too long."""
    out = [v for v in JUNK if kind(v) != kind(original)]
    if isinstance(original, str):
        out.append("y" * 100_000)
    if isinstance(original, list):
        out.append(["x", 3])
    return out


def paths(manifest: dict) -> list[tuple]:
    """Every field to mutate: top-level keys, run.*, the first check's and error's fields, one member's hash."""
    out = [(k,) for k in manifest]
    out += [("run", k) for k in manifest["run"]]
    out += [("checks", 0, k) for k in manifest["checks"][0]]
    out += [("members", next(iter(manifest["members"])))]
    return out


def set_path(obj: dict, path: tuple, value: object) -> None:
    for key in path[:-1]:
        obj = obj[key]
    obj[path[-1]] = value


def test_fuzzed_manifests_each_become_a_row_with_a_reason(base, tmp_path):
    rng = random.Random(SEED)
    folder = tmp_path / "zips"
    expected: dict[str, str] = {}  # zip name -> why it is wrong
    n = 0
    for path in paths(base.manifest):
        original = base.manifest
        for key in path:
            original = original[key]
        wrong = [v for v in wrong_values(original) if not (path == ("notebook_number",) and v is None)]
        for value in rng.sample(wrong, k=min(4, len(wrong))):
            m = copy.deepcopy(base.manifest)
            set_path(m, path, value)
            n += 1
            name = f"{SID}_98_fixture_{n:03d}.zip"
            write_zip(folder / name, base.members, m)
            expected[name] = f"{'.'.join(map(str, path))} = {repr(value)[:40]}"
    for field in rng.sample(sorted(set(base.manifest) - set(OPTIONAL_FIELDS)), k=5):
        m = copy.deepcopy(base.manifest)
        del m[field]
        name = f"{SID}_98_fixture_drop_{field}.zip"
        write_zip(folder / name, base.members, m)
        expected[name] = f"without {field}"
    nested = b"[" * 100_000 + b"]" * 100_000  # deeper than Python's JSON parser can go
    for value in (["x", 3], "manifest", 3, None, nested):  # not an object at all
        n += 1
        name = f"{SID}_98_fixture_{n:03d}.zip"
        write_zip(folder / name, base.members, {"v": value} if value is None else value)
        expected[name] = f"manifest {repr(value)[:40]}"
    issue = copy.deepcopy(base.manifest)
    issue["checks"] = ["x", 3]  # the issue's example: an AttributeError that stopped every row
    write_zip(folder / "issue.zip", base.members, issue)
    expected["issue.zip"] = "checks = ['x', 3]"

    rows, _ = grade.gradebook(grade.expand_paths([str(folder)]))  # must not raise
    assert sorted(Path(r["zip"]).name for r in rows) == sorted(p.name for p in folder.glob("*.zip"))
    for row in rows:
        name = Path(row["zip"]).name
        if name in expected:
            assert row["integrity"] != "ok" and row["integrity"], (expected[name], row)
            assert "grader error" not in row["integrity"], (expected[name], row["integrity"])
    issue_row = next(r for r in rows if r["zip"].endswith("issue.zip"))
    assert "checks: entry 0 must be an object, got 'x'" in issue_row["integrity"]
    assert grade.main([str(folder), "--out", str(tmp_path / "gb.csv")]) == 1
    assert len(read_rows(tmp_path / "gb.csv")) == len(rows)


def test_truncated_zips_and_odd_members_become_rows(base, tmp_path):
    rng = random.Random(SEED + 1)
    folder = tmp_path / "zips"
    folder.mkdir()
    blob = base.zip.read_bytes()
    for k, cut in enumerate(sorted(rng.sample(range(1, len(blob)), 12))):
        (folder / f"cut{k:02d}.zip").write_bytes(blob[:cut])
    flipped = bytearray(blob)
    for _ in range(20):  # random bit flips, typically breaking CRCs or the deflate stream
        flipped[rng.randrange(len(flipped))] ^= 1 << rng.randrange(8)
    (folder / "flipped.zip").write_bytes(bytes(flipped))
    odd = {
        "dir_member": {**base.members, "folder/": b""},
        "dotdot_member": {**base.members, "../../evil.txt": b"x"},
        "control_chars": {**base.members, "a\x07b\n.txt": b"x"},
        "empty_manifest": {**base.members, handin.MANIFEST_NAME: b""},
        "binary_manifest": {**base.members, handin.MANIFEST_NAME: bytes(range(256))},
        "no_notebook": {k: v for k, v in base.members.items() if not k.endswith(".ipynb")},
        "junk_notebook": {**base.members, "98_fixture.ipynb": b"\xff\xfe not json"},
    }
    for label, members in odd.items():
        write_zip(folder / f"{label}.zip", members)
    with zipfile.ZipFile(folder / "duplicate_manifest.zip", "w") as zf:
        for name, data in base.members.items():
            zf.writestr(name, data)
        with pytest.warns(UserWarning):
            zf.writestr(handin.MANIFEST_NAME, b"{}")
    rows, _ = grade.gradebook(grade.expand_paths([str(folder)]))
    names = sorted(p.name for p in folder.glob("*.zip"))
    assert sorted(Path(r["zip"]).name for r in rows) == names
    assert all(r["integrity"] != "ok" and "grader error" not in r["integrity"] for r in rows), \
        [(r["zip"], r["integrity"]) for r in rows if r["integrity"] == "ok" or "grader error" in r["integrity"]]
    by_name = {Path(r["zip"]).name: r["integrity"] for r in rows}
    assert "unexpected member ../../evil.txt" in by_name["dotdot_member.zip"]
    assert "member manifest.json appears more than once" in by_name["duplicate_manifest.zip"]
    assert "unexpected member 'a\\x07b\\n.txt'" in by_name["control_chars.zip"]


def test_a_grader_bug_becomes_a_row(base, tmp_path, monkeypatch):
    def boom(*args, **kwargs):
        raise KeyError("surprise")

    monkeypatch.setattr(verify, "cross_check", boom)
    row = grade.grade_zip(base.zip)
    assert row["integrity"].startswith("grader error (KeyError: 'surprise')")


# ----------------------------------------------------------------------------------------------- CSV injection
@pytest.mark.parametrize("name", ["=HYPERLINK(\"http://x\",\"y\")", "+1+2", "-3+4", "@SUM(A1)"])
def test_formula_in_the_manifest_is_neutralised(base, tmp_path, name):
    m = copy.deepcopy(base.manifest)
    m["name"] = name
    zip_path = write_zip(tmp_path / base.zip.name, base.members, m)
    assert grade.main([str(zip_path), "--out", str(tmp_path / "gb.csv")]) == 0
    assert read_rows(tmp_path / "gb.csv")[0]["name"] == "'" + name


def test_every_text_cell_is_neutralised(tmp_path):
    row = {col: f"{lead}x" for col, lead in zip(grade.COLUMNS, "=+-@\t\r" * 4)}
    row["passed"] = 3
    grade.write_gradebook([row], tmp_path / "gb.csv")
    got = next(csv.DictReader(io.StringIO((tmp_path / "gb.csv").read_text(encoding="utf-8"), newline="")))
    assert all(got[col].startswith("'") for col in grade.COLUMNS if col != "passed") and got["passed"] == "3"
    assert grade.csv_cell("ok") == "ok" and grade.csv_cell("z" * 10_000).endswith("…")


# ----------------------------------------------------------------------------------------------- handed_in_at
def test_latest_hand_in_is_chosen_by_parsed_time(base, tmp_path):
    times = {"a": "2026-01-01T10:00:00+02:00",   # 08:00 UTC: earlier, though it sorts later as text
             "b": "2026-01-01T09:00:00+00:00",   # 09:00 UTC: the latest
             "c": "garbage",                      # sorts last as text: must never win
             "d": "2026-01-01T23:00:00"}          # no time zone: ambiguous
    for folder, when in times.items():
        m = copy.deepcopy(base.manifest)
        m["handed_in_at"] = when
        write_zip(tmp_path / folder / base.zip.name, base.members, m)
    rows, messages = grade.gradebook([tmp_path / f / base.zip.name for f in times])
    kept = [r for r in rows if r["integrity"] == "ok"]
    assert [r["handed_in_at"] for r in kept] == [times["b"]]
    bad = {Path(r["zip"]).parent.name: r["integrity"] for r in rows if r["integrity"] != "ok"}
    assert set(bad) == {"c", "d"}
    assert "handed_in_at: must be an ISO 8601 time with a time zone, got 'garbage'" in bad["c"]
    assert "more than once: keeping" in messages[0] and times["b"] in messages[0]


# ----------------------------------------------------------------------------------------------- --out
@pytest.mark.parametrize("case", ["folder", "parent is a file", "missing parent"])
def test_bad_out_is_one_clear_line(base, tmp_path, capsys, case):
    (tmp_path / "afile").write_text("x", encoding="utf-8")
    out = {"folder": tmp_path, "parent is a file": tmp_path / "afile" / "gb.csv",
           "missing parent": tmp_path / "nope" / "gb.csv"}[case]
    assert grade.main([str(base.zip), "--out", str(out)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("error: --out") and "\n" not in err and "Traceback" not in err
    assert {"folder": "is a folder", "parent is a file": "is a file, not a folder",
            "missing parent": "does not exist"}[case] in err
