"""utils.gradcheck: finite-difference gradients, the relative error and the comparison table."""
import numpy as np
import pytest

from utils import gradcheck


def test_numerical_gradient_of_a_quadratic_is_twice_the_point():
    rng = np.random.default_rng(0)
    params = {"w": rng.normal(size=(3, 2)), "b": rng.normal(size=4)}
    num = gradcheck.numerical_gradient(lambda p: np.sum(p["w"] ** 2) + np.sum(p["b"] ** 2), params)
    assert set(num) == {"w", "b"}
    for k in params:
        assert num[k].shape == params[k].shape and num[k].dtype == np.float64
        assert gradcheck.relative_error(num[k], 2 * params[k]) < 1e-8


def test_numerical_gradient_of_matrix_product_and_sigmoid():
    rng = np.random.default_rng(1)
    X, W, dout = rng.normal(size=(5, 3)), rng.normal(size=(3, 4)), rng.normal(size=(5, 4))
    num = gradcheck.numerical_gradient(lambda p: np.sum(dout * (p["X"] @ p["W"])), {"X": X, "W": W})
    assert gradcheck.relative_error(num["W"], X.T @ dout) < 1e-7
    assert gradcheck.relative_error(num["X"], dout @ W.T) < 1e-7
    z = rng.normal(size=6)
    s = 1 / (1 + np.exp(-z))
    num_z = gradcheck.numerical_gradient(lambda p: np.sum(1 / (1 + np.exp(-p["z"]))), {"z": z})["z"]
    assert gradcheck.relative_error(num_z, s * (1 - s)) < 1e-7


def test_numerical_gradient_leaves_inputs_unchanged_and_accepts_ints():
    w = np.array([1.0, -2.0, 3.0])
    keep = w.copy()
    num = gradcheck.numerical_gradient(lambda p: np.sum(p["w"] ** 3), {"w": w})
    assert np.array_equal(w, keep)
    assert np.allclose(num["w"], 3 * w ** 2, rtol=1e-6)
    num_int = gradcheck.numerical_gradient(lambda p: np.sum(5 * p["k"]), {"k": np.array([1, 2])})
    assert np.allclose(num_int["k"], 5.0)


def test_numerical_gradient_bad_input():
    good = {"w": np.ones(2)}
    with pytest.raises(TypeError, match=r"params\['w'\] must have dtype kind"):
        gradcheck.numerical_gradient(lambda p: 0.0, {"w": np.array(["a", "b"])})
    with pytest.raises(ValueError, match=r"f must return a single finite number .* array of shape \(2,\)"):
        gradcheck.numerical_gradient(lambda p: p["w"] * 2, good)
    with pytest.raises(ValueError, match="single finite number"), np.errstate(invalid="ignore"):
        gradcheck.numerical_gradient(lambda p: np.log(p["w"][0] - 1.0), good)


def test_relative_error_formula_and_range():
    assert gradcheck.relative_error(np.array([1.0, 2.0]), np.array([1.0, 2.0])) == 0.0
    assert gradcheck.relative_error(np.array([1.0]), np.array([-1.0])) == pytest.approx(1.0)
    # elementwise maximum of |a-b| / (|a|+|b|): the second entry dominates
    a, b = np.array([100.0, 1.0]), np.array([101.0, 1.5])
    assert gradcheck.relative_error(a, b) == pytest.approx(0.5 / 2.5)
    # two zeros do not divide by zero; tiny differences are measured against the 1e-8 floor
    assert gradcheck.relative_error(np.zeros(3), np.zeros(3)) == 0.0
    assert gradcheck.relative_error(np.array([0.0]), np.array([1e-10])) == pytest.approx(1e-2)


def test_relative_error_bad_input():
    with pytest.raises(ValueError, match="same shape"):
        gradcheck.relative_error(np.ones((2, 3)), np.ones((3, 2)))
    with pytest.raises(ValueError, match="NaN"):
        gradcheck.relative_error(np.array([np.nan]), np.array([1.0]))


def _two_params():
    rng = np.random.default_rng(2)
    return {"W": rng.normal(size=(3, 2)), "b": rng.normal(size=2)}


def test_compare_gradients_right_gradient_is_small(capsys):
    params = _two_params()
    analytic = {k: 2 * v for k, v in params.items()}
    numeric = gradcheck.numerical_gradient(lambda p: np.sum(p["W"] ** 2) + np.sum(p["b"] ** 2), params)
    worst = gradcheck.compare_gradients(analytic, numeric)
    assert worst < 1e-7
    out = capsys.readouterr().out.splitlines()
    assert "name" in out[0] and "exact" in out[0] and "approx" in out[0] and "rel. error" in out[0]
    rows = {line.split("|")[0].strip(): line for line in out[2:]}
    assert set(rows) == {"W", "b"} and "(3, 2)" in rows["W"] and "True" in rows["W"]


def test_compare_gradients_exact_column_and_worst_value(capsys):
    g = {"a": np.array([1.0, 2.0])}
    assert gradcheck.compare_gradients(g, {"a": g["a"].copy()}) == 0.0
    line = capsys.readouterr().out.splitlines()[2]
    assert line.split("|")[2].strip() == "True"


def test_compare_gradients_wrong_gradient_is_large(capsys):
    params = _two_params()
    numeric = gradcheck.numerical_gradient(lambda p: np.sum(p["W"] ** 2) + np.sum(p["b"] ** 2), params)
    wrong = {"W": params["W"], "b": 2 * params["b"]}  # forgot the factor 2 in W
    worst = gradcheck.compare_gradients(wrong, numeric)
    assert worst == pytest.approx(1 / 3, rel=1e-6)
    assert "False" in capsys.readouterr().out


def test_compare_gradients_bad_input():
    a = {"W": np.ones((2, 3)), "b": np.ones(3)}
    with pytest.raises(KeyError, match="'b'"):
        gradcheck.compare_gradients(a, {"W": np.ones((2, 3)), "c": np.ones(3)})
    with pytest.raises(ValueError, match=r"gradient 'W' in analytic and numeric must have the same shape, "
                                         r"got \(2, 3\) and \(3, 2\)"):
        gradcheck.compare_gradients(a, {"W": np.ones((3, 2)), "b": np.ones(3)})
