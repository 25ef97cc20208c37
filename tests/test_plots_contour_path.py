"""plot_contour_path draws contours and the optimiser's paths, keeps its window and rejects bad input."""
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from utils import plots  # noqa: E402


@pytest.fixture(autouse=True)
def _close():
    yield
    plt.close("all")


def bowl(P):
    return 0.5 * (P[:, 0] ** 2 + 10 * P[:, 1] ** 2)


def test_one_path_is_drawn_with_labels():
    path = np.array([[2.0, 1.0], [1.5, -0.5], [1.0, 0.2], [0.5, 0.0]])
    ax = plots.plot_contour_path(bowl, path, title="Bowl", xlabel="a", ylabel="b")
    assert (ax.get_title(), ax.get_xlabel(), ax.get_ylabel()) == ("Bowl", "a", "b")
    xs, ys = ax.lines[0].get_data()
    np.testing.assert_allclose(np.c_[xs, ys], path)  # the path line goes through every visited point
    assert len(ax.collections) >= 1  # the contour set


def test_several_paths_get_a_legend_and_the_window_stays_fixed():
    diverging = np.array([[1.0, 1.0], [5.0, -20.0], [40.0, 300.0]])
    ax = plots.plot_contour_path(bowl, {"small lr": np.zeros((3, 2)), "too big": diverging},
                                 x_range=(-2, 2), y_range=(-1, 1))
    assert ax.get_xlim() == (-2, 2) and ax.get_ylim() == (-1, 1)
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels == ["small lr", "too big"]


def test_linear_levels_when_function_goes_negative():
    ax = plots.plot_contour_path(lambda P: P[:, 0] - P[:, 1], np.zeros((1, 2)), log_levels=True)
    assert ax.get_title()


def test_bad_input():
    with pytest.raises(ValueError, match=r"paths\['path'\] must have shape \(any, 2\)"):
        plots.plot_contour_path(bowl, np.zeros((4, 3)))
    with pytest.raises(ValueError, match="one value per input row"):
        plots.plot_contour_path(lambda P: np.zeros(3), np.zeros((2, 2)))
    with pytest.raises(ValueError, match="x_range must be"):
        plots.plot_contour_path(bowl, np.zeros((2, 2)), x_range=(1, -1))
    with pytest.raises(ValueError, match="levels must be"):
        plots.plot_contour_path(bowl, np.zeros((2, 2)), levels=1)
