"""The check machinery: pass, fail, not attempted, summary."""
import numpy as np
import pytest

from utils.checks import core


@pytest.fixture()
def fresh(monkeypatch):
    """An empty catalogue and result record, so these tests do not touch the real exercises."""
    monkeypatch.setattr(core, "EXERCISES", {})
    monkeypatch.setattr(core, "RESULTS", core.CheckResults())
    return core


def _declare(fresh):
    @fresh.exercise("98", 1, "double a number")
    def check_double(fn):
        assert fn(2) == 4, f"double(2) should be 4, got {fn(2)}"
        return "double(2) == 4"

    @fresh.exercise("98", 2, "never run")
    def check_other(fn):
        return "ok"

    return check_double, check_other


def test_pass_prints_one_line_and_records(fresh, capsys):
    check_double, _ = _declare(fresh)
    assert check_double(lambda x: 2 * x) is True
    assert capsys.readouterr().out.strip() == "✅ 98.1 double a number — passed: double(2) == 4"
    assert fresh.summary("98", verbose=False) == {"98.1": "passed", "98.2": "not attempted"}


def test_wrong_answer_fails_with_hint(fresh, capsys):
    check_double, _ = _declare(fresh)
    with pytest.raises(AssertionError, match=r"Exercise 98.1 \(double a number\): double\(2\) should be 4, got 5"):
        check_double(lambda x: x + 3)
    assert "❌" in capsys.readouterr().out
    assert fresh.summary("98", verbose=False)["98.1"] == "failed"


def test_stub_is_not_attempted(fresh):
    check_double, _ = _declare(fresh)

    def stub(x):
        raise NotImplementedError()

    with pytest.raises(NotImplementedError, match="not attempted yet: replace `raise NotImplementedError\\(\\)`"):
        check_double(stub)
    assert fresh.summary("98", verbose=False)["98.1"] == "not attempted"


def test_other_errors_propagate_and_count_as_failed(fresh):
    check_double, _ = _declare(fresh)
    with pytest.raises(ZeroDivisionError):
        check_double(lambda x: 1 / 0)
    assert fresh.RESULTS.status_of(check_double.exercise)[0] == "failed"


def test_summary_prints_totals_and_rejects_unknown(fresh, capsys):
    _declare(fresh)
    fresh.summary("98")
    out = capsys.readouterr().out
    assert "0 of 2 exercises passed" in out
    with pytest.raises(ValueError, match="no exercises are declared for notebook '42'"):
        fresh.summary("42")


def test_declaration_errors(fresh):
    with pytest.raises(ValueError, match="two-digit string"):
        fresh.exercise("1", 1, "x")
    _declare(fresh)
    with pytest.raises(ValueError, match="declared twice"):
        fresh.exercise("98", 1, "again")(lambda: "")


def test_assert_close():
    core.assert_close([1.0, 2.0], np.array([1.0, 2.0]), "grad")
    with pytest.raises(AssertionError, match="grad has shape"):
        core.assert_close([1.0], [1.0, 2.0], "grad")
    with pytest.raises(AssertionError, match="grad is off by up to 0.5"):
        core.assert_close([1.0, 2.5], [1.0, 2.0], "grad")


def test_every_declared_exercise_has_a_unique_label():
    from utils import checks  # imports every topic module

    labels = [ex.label for exs in checks.EXERCISES.values() for ex in exs]
    assert len(labels) == len(set(labels))


@pytest.mark.parametrize("value, hint", [
    (None, r"^grad: your function returned None, expected values like \[1\. 2\.\] \(shape \(2,\)\)\. Did you forget "
           r"`return`\?$"),
    ([np.nan, 2.0], r"^grad: your function returned NaN in 1 of 2 entries \(not a number\), .*Look for log\(0\) or "
                    r"0/0"),
    ([1.0, -np.inf], r"^grad: your function returned inf in 1 of 2 entries, .*Look for log\(0\), a division by zero"),
    ("abc", r"^grad: your function returned str 'abc', expected values like"),
], ids=["none", "nan", "inf", "text"])
def test_assert_close_names_none_nan_and_inf(value, hint):
    with pytest.raises(AssertionError, match=hint):
        core.assert_close(value, [1.0, 2.0], "grad")


def test_assert_finite_result_returns_the_array():
    out = core.assert_finite_result([[1, 2], [3, 4]], "the loss", "a 2x2 array")
    assert out.dtype == np.float64 and out.tolist() == [[1.0, 2.0], [3.0, 4.0]]
    with pytest.raises(AssertionError, match=r"^the loss: your function returned NaN \(not a number\), expected one "
                                             r"number\. Look for log\(0\) or 0/0"):
        core.assert_finite_result(np.float32("nan"), "the loss", "one number")


def test_predicted_number_accepts_one_real_number_and_names_the_variable_otherwise():
    import numpy as np
    import pytest as _pytest

    from utils.checks.core import predicted_number
    assert predicted_number(3, "p") == 3.0 and predicted_number(np.float32(0.5), "p") == 0.5
    with _pytest.raises(NotImplementedError, match="p is still None"):
        predicted_number(None, "p")
    for bad, hint in [("10 %", "p should be one number"), (True, "p should be one number"),
                      ([1.0], "p should be one number"), (float("nan"), "p should be a finite number")]:
        with _pytest.raises(AssertionError, match=hint):
            predicted_number(bad, "p")
