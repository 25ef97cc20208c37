"""utils.checks.core: a check cannot hang (time limit) and cannot keep an old "passed" after an interrupt."""
from __future__ import annotations

import signal
import sys
import threading
import time
import types

import pytest

from utils import conventions
from utils.checks import core

ENDLESS_FOR = 10.0
"""Seconds the "endless" student loop below really runs, so that a test on code without a time limit fails
after this long instead of hanging the test run forever."""


@pytest.fixture
def fresh(monkeypatch):
    """Empty results and notebook namespace, and no time-limit override from the environment running the tests."""
    monkeypatch.setattr(core, "RESULTS", core.CheckResults())
    monkeypatch.setitem(sys.modules, "__main__", types.ModuleType("__main__"))
    monkeypatch.delenv("NNCOURSE_CHECK_TIME_LIMIT", raising=False)
    return core


def endless_loop() -> int:
    """A student's function stuck in a pure-Python loop (like ``while True: pass``; gives up after ENDLESS_FOR s)."""
    give_up = time.monotonic() + ENDLESS_FOR
    n = 0
    while time.monotonic() < give_up:
        n += 1
    return n


def _declare_loop_check(fresh, **kwargs):
    @fresh.exercise("97", 1, "Count", **kwargs)
    def check_count(fn):
        assert fn() >= 0, "count must not be negative"
        return "counted"

    sys.modules["__main__"].check_count = check_count  # as a notebook cell defining the check does
    return check_count


def test_endless_loop_fails_within_its_time_limit(fresh, capsys):
    check_count = _declare_loop_check(fresh, time_limit=1)
    start = time.monotonic()
    with pytest.raises(TimeoutError, match=r"Exercise 97.1 \(Count\) did not finish within 1 s: look "
                                                      r"for a loop that never ends \(while True"):
        check_count(endless_loop)
    assert time.monotonic() - start < ENDLESS_FOR - 2  # stopped by the watchdog, not by the loop giving up
    status, message = fresh.RESULTS.status_of(check_count.exercise)
    assert status == "failed" and "did not finish within 1 s" in message
    printed = capsys.readouterr().out
    assert printed.startswith("❌ 97.1 Count — did not finish within 1 s")
    assert conventions.parse_check_lines(printed) == {"97.1": "failed"}
    assert fresh.summary("97", verbose=False) == {"97.1": "failed"}


def test_environment_variable_sets_every_time_limit(fresh, monkeypatch):
    check_count = _declare_loop_check(fresh)  # default limit, overridden below
    monkeypatch.setenv("NNCOURSE_CHECK_TIME_LIMIT", "1")
    start = time.monotonic()
    with pytest.raises(TimeoutError, match="did not finish within 1 s"):
        check_count(endless_loop)
    assert time.monotonic() - start < ENDLESS_FOR - 2
    assert fresh.RESULTS.status_of(check_count.exercise)[0] == "failed"


@pytest.mark.parametrize("raw, declared, limit", [("", 30.0, 30.0), ("120", 30.0, 120.0), (" 2.5 ", None, 2.5),
                                                  ("off", 30.0, None), ("OFF", 30.0, None), ("0", 30.0, None)])
def test_time_limit_in_effect_reads_the_environment(monkeypatch, raw, declared, limit):
    monkeypatch.setenv("NNCOURSE_CHECK_TIME_LIMIT", raw)
    assert core.time_limit_in_effect(declared) == limit


@pytest.mark.parametrize("raw", ["soon", "-5", "inf", "nan"])
def test_bad_environment_value_is_explained(fresh, monkeypatch, raw):
    check_count = _declare_loop_check(fresh)
    monkeypatch.setenv("NNCOURSE_CHECK_TIME_LIMIT", raw)
    with pytest.raises(ValueError, match=r"NNCOURSE_CHECK_TIME_LIMIT=.* is not understood: give the time limit "
                                         r"for one check in seconds"):
        check_count(lambda: 1)


def test_student_interrupt_after_a_pass_is_not_passed(fresh, capsys):
    check_count = _declare_loop_check(fresh)
    assert check_count(lambda: 3) is True
    assert fresh.summary("97", verbose=False) == {"97.1": "passed"}

    def interrupted() -> int:
        raise KeyboardInterrupt  # the student pressed stop while their function ran

    with pytest.raises(KeyboardInterrupt):
        check_count(interrupted)
    assert fresh.summary("97", verbose=False) == {"97.1": "failed"}
    assert fresh.RESULTS.status_of(check_count.exercise) == ("failed", fresh.INTERRUPTED_MESSAGE)
    assert fresh.export_results("97")[0]["status"] == "failed"
    printed = capsys.readouterr().out
    assert "❌ 97.1 Count — interrupted" in printed
    assert conventions.parse_check_lines(printed) == {"97.1": "failed"}  # the printed lines agree: the last one wins


def test_a_running_check_already_counts_as_not_passed(fresh):
    """Whatever stops a re-check half-way (even a kernel-level interrupt the wrapper never sees), no old pass stays."""
    check_count = _declare_loop_check(fresh)
    assert check_count(lambda: 3) is True
    seen = []

    def student() -> int:
        seen.append(fresh.RESULTS.status_of(check_count.exercise)[0])
        return 3

    assert check_count(student) is True
    assert seen == ["failed"]
    assert fresh.summary("97", verbose=False) == {"97.1": "passed"}


def test_finished_check_is_not_interrupted_later(fresh):
    check_count = _declare_loop_check(fresh, time_limit=0.3)
    assert check_count(lambda: 3) is True
    time.sleep(1.0)  # a watchdog left running would raise KeyboardInterrupt here
    assert fresh.summary("97", verbose=False) == {"97.1": "passed"}


def test_check_outside_the_main_thread_runs_without_watchdog(fresh):
    check_count = _declare_loop_check(fresh, time_limit=0.2)
    outcome: list[object] = []

    def slow() -> int:
        time.sleep(0.8)  # longer than the limit; interrupt_main would hit the main thread, not this one
        return 1

    worker = threading.Thread(target=lambda: outcome.append(check_count(slow)))
    worker.start()
    worker.join(timeout=30)
    assert outcome == [True]
    time.sleep(0.3)


@pytest.mark.parametrize("disposition", [signal.SIG_IGN, signal.SIG_DFL])
def test_time_limit_works_when_sigint_is_ignored_or_default(fresh, disposition):
    """A process started in the background by a non-interactive shell (as CI may do) inherits SIGINT ignored,
    and then interrupt_main() alone does nothing: the watchdog must still stop the loop, and restore SIGINT."""
    check_count = _declare_loop_check(fresh, time_limit=1)
    saved = signal.signal(signal.SIGINT, disposition)
    try:
        start = time.monotonic()
        with pytest.raises(TimeoutError, match="did not finish within 1 s"):
            check_count(endless_loop)
        assert time.monotonic() - start < ENDLESS_FOR - 2
        assert signal.getsignal(signal.SIGINT) == disposition
    finally:
        signal.signal(signal.SIGINT, saved)
