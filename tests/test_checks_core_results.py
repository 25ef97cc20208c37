"""utils.checks.core additions for hand-ins: export_results and parse_check_lines."""
from __future__ import annotations

import sys
import types

import pytest

from utils import conventions
from utils.checks import core


@pytest.fixture
def fresh(monkeypatch):
    """Empty results and notebook namespace for the test (the real ones are restored afterwards)."""
    monkeypatch.setattr(core, "RESULTS", core.CheckResults())
    monkeypatch.setitem(sys.modules, "__main__", types.ModuleType("__main__"))
    return core


def in_notebook(*checks):
    """Define ``checks`` in the running notebook's namespace, as a code cell declaring them does."""
    for check in checks:
        setattr(sys.modules["__main__"], check.__name__, check)


def test_export_results_lists_declared_and_recorded(fresh, capsys):
    @fresh.exercise("96", 1, "Positive")
    def check_positive(fn):
        assert fn(1) > 0, "should be positive"
        return "positive"

    @fresh.exercise("96", 2, "Never checked")
    def check_other(fn):
        return "ok"

    @fresh.exercise("95", 1, "Elsewhere")
    def check_elsewhere(fn):
        raise NotImplementedError

    in_notebook(check_positive, check_other, check_elsewhere)
    assert check_positive(lambda x: x)
    with pytest.raises(NotImplementedError):
        check_elsewhere(None)
    rows = fresh.export_results("96")
    assert [(r["label"], r["status"], r["title"]) for r in rows] == [
        ("96.1", "passed", "Positive"), ("96.2", "not attempted", "Never checked")]
    assert rows[0]["message"] == "positive" and rows[0]["number"] == 1
    assert [r["label"] for r in fresh.export_results()] == ["95.1", "96.1"]  # recorded only
    assert fresh.export_results("94") == []
    printed = capsys.readouterr().out
    assert conventions.parse_check_lines(printed) == {"96.1": "passed", "95.1": "not attempted"}


def test_parse_check_lines_last_line_wins_and_ignores_other_text():
    text = "❌ 03.2 Loss — not yet: hint\nnoise ✅ 03.9 not at start\n✅ 03.2 Loss — passed: ok\n⏳ 03.10 X: not attempted"
    assert conventions.parse_check_lines(text) == {"03.2": "passed", "03.10": "not attempted"}
    assert conventions.parse_check_lines("") == {}


def test_every_printed_line_reads_back_as_its_status(fresh, capsys):
    @fresh.exercise("94", 1, "Passes")
    def check_pass():
        return "fine"

    @fresh.exercise("94", 2, "Fails")
    def check_fail():
        raise AssertionError("wrong")

    @fresh.exercise("94", 3, "Stub")
    def check_stub():
        raise NotImplementedError

    in_notebook(check_pass, check_fail, check_stub)
    check_pass()
    for check in (check_fail, check_stub):
        with pytest.raises((AssertionError, NotImplementedError)):
            check()
    want = {"94.1": "passed", "94.2": "failed", "94.3": "not attempted"}
    assert conventions.parse_check_lines(capsys.readouterr().out) == want
    fresh.summary("94")
    printed = capsys.readouterr().out
    assert conventions.parse_check_lines(printed) == want and "— 1 of 3 exercises passed." in printed
    assert conventions.match_check_line("  ❌ 94.2 Fails: failed") == ("94.2", "failed")
    assert conventions.match_check_line("↪ 94.2 is failed: ...") is None


def test_count_statuses_has_every_status_and_skips_unknown_values():
    assert conventions.count_statuses([]) == {"passed": 0, "failed": 0, "not attempted": 0}
    assert conventions.count_statuses(["passed", "failed", "passed", "bogus"]) == {"passed": 2, "failed": 1,
                                                                            "not attempted": 0}
