"""checks.use_or_reference: later cells use the student's code only once its check passed, else the reference."""
from __future__ import annotations

import sys
import types

import pytest

from utils import conventions
from utils.checks import core


@pytest.fixture()
def exercise_97(monkeypatch):
    """Exercise 97.1, declared in an otherwise empty notebook namespace, with an empty result record."""
    monkeypatch.setattr(core, "RESULTS", core.CheckResults())
    monkeypatch.setitem(sys.modules, "__main__", types.ModuleType("__main__"))

    @core.exercise("97", 1, "Add one")
    def check_add_one(fn):
        assert fn(1) == 2, f"add_one(1) should be 2, got {fn(1)}"
        return "adds one"

    sys.modules["__main__"].check_add_one = check_add_one  # as the notebook cell declaring it does
    return check_add_one


def reference_add_one(x):
    return x + 1


def test_not_checked_yet_falls_back_and_says_so_in_one_line(exercise_97, capsys):
    mine = lambda x: x + 1  # noqa: E731
    assert core.use_or_reference("97.1", mine, reference_add_one) is reference_add_one
    out = capsys.readouterr().out.strip().splitlines()
    assert len(out) == 1 and "97.1 is not checked yet" in out[0] and "reference_add_one" in out[0]
    assert conventions.parse_check_lines(out[0]) == {}, "the note must not read as a check line"


def test_passed_uses_the_students_code(exercise_97, capsys):
    mine = lambda x: x + 1  # noqa: E731
    exercise_97(mine)
    capsys.readouterr()
    assert core.use_or_reference("97.1", mine, reference_add_one) is mine
    assert capsys.readouterr().out == ""


@pytest.mark.parametrize("student_code", ["wrong", "stub"])
def test_failed_or_not_attempted_falls_back(exercise_97, capsys, student_code):
    def mine(x):
        if student_code == "stub":
            raise NotImplementedError()
        return x

    with pytest.raises((AssertionError, NotImplementedError)):
        exercise_97(mine)
    capsys.readouterr()
    assert core.use_or_reference("97.1", mine, reference_add_one) is reference_add_one
    state = "failed" if student_code == "wrong" else "not attempted"
    assert f"97.1 is {state}" in capsys.readouterr().out


def test_a_later_failure_after_a_pass_falls_back_again(exercise_97, capsys):
    exercise_97(lambda x: x + 1)
    with pytest.raises(AssertionError):
        exercise_97(lambda x: x)
    assert core.use_or_reference("97.1", None, reference_add_one) is reference_add_one


@pytest.mark.parametrize("label", ["97.9", "4.1", "97", 971])
def test_unknown_or_malformed_labels_are_refused(exercise_97, label):
    with pytest.raises(ValueError, match="is not declared"):
        core.use_or_reference(label, None, reference_add_one)
