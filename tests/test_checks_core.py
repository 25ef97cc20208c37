"""The check machinery: pass, fail, not attempted, summary, the catalogue of exercises."""
import sys
import types

import numpy as np
import pytest

from utils.checks import asserts, core


@pytest.fixture()
def fresh(monkeypatch):
    """An empty result record and an empty notebook namespace (``__main__``), so these tests do not touch the
    real exercises; :func:`in_notebook` stands for a notebook cell defining checks."""
    monkeypatch.setattr(core, "RESULTS", core.CheckResults())
    monkeypatch.setitem(sys.modules, "__main__", types.ModuleType("__main__"))
    return core


def in_notebook(*checks):
    """Define ``checks`` in the running notebook's namespace, as a code cell declaring them does."""
    for check in checks:
        setattr(sys.modules["__main__"], check.__name__, check)


def _declare(fresh):
    @fresh.exercise("98", 1, "double a number")
    def check_double(fn):
        assert fn(2) == 4, f"double(2) should be 4, got {fn(2)}"
        return "double(2) == 4"

    @fresh.exercise("98", 2, "never run")
    def check_other(fn):
        return "ok"

    in_notebook(check_double, check_other)
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


def test_declaring_registers_nothing_the_catalogue_reads_the_notebook(fresh):
    @fresh.exercise("98", 1, "double a number")
    def check_double(fn):
        return "ok"

    assert "98" not in fresh.EXERCISES  # declared, but defined in no notebook or check module
    in_notebook(check_double)
    assert fresh.EXERCISES["98"] == [check_double.exercise] and "98" in list(fresh.EXERCISES)


def test_assert_close():
    asserts.assert_close([1.0, 2.0], np.array([1.0, 2.0]), "grad")
    with pytest.raises(AssertionError, match="grad has shape"):
        asserts.assert_close([1.0], [1.0, 2.0], "grad")
    with pytest.raises(AssertionError, match="grad is off by up to 0.5"):
        asserts.assert_close([1.0, 2.5], [1.0, 2.0], "grad")


def test_the_catalogue_lists_every_course_module_with_unique_labels_and_nothing_else():
    import importlib

    by_notebook = {nb: [ex.label for ex in core.EXERCISES[nb]] for nb in core.CHECK_MODULES}
    labels = [label for found in by_notebook.values() for label in found]
    assert len(labels) == len(set(labels)) and all(by_notebook.values())
    for nb, name in core.CHECK_MODULES.items():  # every check of the module is in its notebook's list
        module = importlib.import_module(f"utils.checks.{name}")
        declared = {f.exercise.label for f in vars(module).values() if hasattr(f, "exercise")}
        assert declared == set(by_notebook[nb]), name


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
        asserts.assert_close(value, [1.0, 2.0], "grad")


def test_assert_finite_result_returns_the_array():
    out = asserts.assert_finite_result([[1, 2], [3, 4]], "the loss", "a 2x2 array")
    assert out.dtype == np.float64 and out.tolist() == [[1.0, 2.0], [3.0, 4.0]]
    with pytest.raises(AssertionError, match=r"^the loss: your function returned NaN \(not a number\), expected one "
                                             r"number\. Look for log\(0\) or 0/0"):
        asserts.assert_finite_result(np.float32("nan"), "the loss", "one number")


def test_predicted_number_accepts_one_real_number_and_names_the_variable_otherwise():
    import numpy as np
    import pytest as _pytest

    from utils.checks.asserts import predicted_number
    assert predicted_number(3, "p") == 3.0 and predicted_number(np.float32(0.5), "p") == 0.5
    with _pytest.raises(NotImplementedError, match="p is still None"):
        predicted_number(None, "p")
    for bad, hint in [("10 %", "p should be one number"), (True, "p should be one number"),
                      ([1.0], "p should be one number"), (float("nan"), "p should be a finite number")]:
        with _pytest.raises(AssertionError, match=hint):
            predicted_number(bad, "p")
