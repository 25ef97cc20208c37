"""Argument checks name the argument, say what was expected and what came."""
import numpy as np
import pytest

from utils.validation import as_array, check_number, check_positive_int, check_range, check_same_length


def test_as_array_accepts_good_input():
    arr = as_array([[1.0, 2.0]], "X", shape=(None, 2), dtype_kind="f")
    assert arr.shape == (1, 2)


def test_wrong_ndim_message_names_argument_and_shapes():
    with pytest.raises(ValueError, match=r"X must have 2 dimension\(s\), got shape \(3,\)"):
        as_array(np.zeros(3), "X", ndim=2)


def test_wrong_shape_message():
    with pytest.raises(ValueError, match=r"X must have shape \(any, 2\), got \(4, 3\)"):
        as_array(np.zeros((4, 3)), "X", shape=(None, 2))
    with pytest.raises(ValueError, match=r"v must have shape \(3,\), got \(2,\)"):
        as_array(np.zeros(2), "v", shape=(3,))


def test_wrong_dtype():
    with pytest.raises(TypeError, match="dtype kind"):
        as_array(np.array(["a"]), "labels", dtype_kind="iu")


def test_nan_rejected_unless_allowed():
    with pytest.raises(ValueError, match="NaN or infinite"):
        as_array([1.0, np.nan], "loss")
    assert np.isnan(as_array([np.nan], "loss", allow_nan=True)[0])


def test_range_positive_int_and_same_length():
    check_range(np.array([0.0, 1.0]), "p", 0, 1)
    with pytest.raises(ValueError, match=r"p must lie in \[0, 1\], got values from -0.5 to 1"):
        check_range(np.array([-0.5, 1.0]), "p", 0, 1)
    assert check_positive_int(3, "n") == 3
    for bad in [0, -2, 2.0, True]:
        with pytest.raises(ValueError, match="n must be an integer >= 1"):
            check_positive_int(bad, "n")
    with pytest.raises(ValueError, match="same number of rows, got 2 and 3"):
        check_same_length(np.zeros(2), np.zeros(3), "X", "y")


def test_check_number():
    assert check_number(0, "noise") == 0.0 and check_number(np.float32(0.5), "lr", positive=True) == 0.5
    for bad, positive in [(-0.1, False), (0, True), (np.inf, False), (True, False), ("0.5", False), (None, True)]:
        with pytest.raises(ValueError, match=r"^(lr|noise) must be a (positive|non-negative) number, got"):
            check_number(bad, "lr" if positive else "noise", positive=positive)


def test_check_choice():
    from utils.validation import check_choice
    assert check_choice("he", "init", ("naive", "xavier", "he")) == "he"
    with pytest.raises(ValueError, match=r"init must be one of 'naive', 'xavier', 'he', got 'lecun'"):
        check_choice("lecun", "init", ("naive", "xavier", "he"))


def test_check_non_empty():
    from utils.validation import check_non_empty
    check_non_empty(np.zeros((1, 2)), "X")
    with pytest.raises(ValueError, match=r"X is empty \(shape \(0, 2\)\); it needs at least one point"):
        check_non_empty(np.zeros((0, 2)), "X", "point")


def test_check_interval():
    from utils.validation import check_interval
    assert check_interval((0, 255), "value_range") == (0.0, 255.0)
    assert check_interval(np.array([-1.0, 1.0]), "value_range") == (-1.0, 1.0)
    for bad in [(0, 1, 2), (1, 0), (2, 2), (0, np.inf), ()]:
        with pytest.raises(ValueError, match=r"value_range must be a pair \(low, high\) of numbers with low < high"):
            check_interval(bad, "value_range")
    for bad in [5, None, "ab", ("a", "b"), [[0, 1], [2, 3]]]:
        with pytest.raises(TypeError, match=r"value_range must be a pair \(low, high\)"):
            check_interval(bad, "value_range")


def test_check_sequence():
    from utils.validation import check_sequence
    for good in [["a", "b"], ("a", "b"), np.array([1, 2]), range(2)]:
        check_sequence(good, "labels", length=2, per="image")
    for bad in [5, "ab", {0: "a", 1: "b"}, {"a", "b"}, None]:
        with pytest.raises(TypeError, match=r"labels must be a sequence .* one entry per image, e.g. a list of 2"):
            check_sequence(bad, "labels", length=2, per="image")
    with pytest.raises(ValueError, match=r"labels must be 1-D .* got shape \(2, 1\)"):
        check_sequence(np.zeros((2, 1)), "labels", length=2, per="image")
    with pytest.raises(ValueError, match="labels has 3 entries for 2 images"):
        check_sequence([1, 2, 3], "labels", length=2, per="image")
