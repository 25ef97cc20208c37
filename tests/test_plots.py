"""Plot helpers draw labelled figures and reject bad input."""
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from utils import data, plots  # noqa: E402


@pytest.fixture(autouse=True)
def _close():
    yield
    plt.close("all")


def test_decision_boundary_labels_and_regions():
    X, y = data.logic_gate("AND")
    ax = plots.plot_decision_boundary(lambda P: (P.sum(axis=1) > 1.5).astype(int), X, y, title="AND")
    assert ax.get_title() == "AND" and ax.get_xlabel() and ax.get_ylabel()
    assert len(ax.collections) >= 2  # filled regions + scatter


def _region_x_extents(ax):
    """(min x, max x) of each class's shaded region (None for a class with no region)."""
    regions = ax.collections[0]  # the filled contours, one path per class level
    return [(p.vertices[:, 0].min(), p.vertices[:, 0].max()) if len(p.vertices) else None
            for p in regions.get_paths()]


def test_decision_boundary_accepts_probabilities_and_scores():
    X, y = data.make_blobs(30, centers=3)
    # class scores (m, k): the argmax is shaded, here class 2 everywhere
    ax = plots.plot_decision_boundary(lambda P: np.tile([0.1, 0.2, 0.7], (len(P), 1)), X, y)
    assert [r is not None for r in _region_x_extents(ax)] == [False, False, True]
    plt.close("all")
    # probabilities of class 1, shape (m,) or (m, 1): thresholded at 0.5, i.e. at x1 = 0 for sigmoid(x1)
    step = (X[:, 0].max() - X[:, 0].min() + 1.0) / 199  # grid spacing at the default resolution and margin
    for predict in (lambda P: 1 / (1 + np.exp(-P[:, 0])), lambda P: 1 / (1 + np.exp(-P[:, :1]))):
        ax = plots.plot_decision_boundary(predict, X, (y > 0).astype(int))
        (lo0, hi0), (lo1, hi1) = _region_x_extents(ax)
        assert lo0 < -1 and abs(hi0) <= step and abs(lo1) <= step and hi1 > 1
        plt.close("all")


def test_decision_boundary_bad_input():
    X, y = data.logic_gate("OR")
    with pytest.raises(ValueError, match=r"X must have shape \(any, 2\)"):
        plots.plot_decision_boundary(lambda P: P[:, 0], X[:, :1], y)
    with pytest.raises(ValueError, match="same number of rows"):
        plots.plot_decision_boundary(lambda P: P[:, 0], X, y[:3])
    with pytest.raises(ValueError, match="one value per input row"):
        plots.plot_decision_boundary(lambda P: np.zeros(3), X, y)


def test_activation_and_curves():
    ax = plots.plot_activation(np.tanh, lambda z: 1 - np.tanh(z) ** 2, "tanh")
    assert len(ax.lines) >= 2 and ax.get_title() == "tanh"
    ax = plots.plot_loss_curves({"loss": [3, 2, 1], "val_loss": [3, 2.5, 2.4]})
    assert len(ax.lines) == 2 and ax.get_xlabel() == "epoch"


def test_image_grid_shapes_and_errors():
    imgs = np.random.default_rng(0).integers(0, 255, size=(12, 28, 28), dtype=np.uint8)
    fig = plots.show_image_grid(imgs, labels=list(range(12)), ncols=5, title="digits")
    assert len(fig.axes) == 15 and fig.axes[0].get_title() == "0"
    plots.show_image_grid(imgs[..., None].astype(np.float32) / 255)
    with pytest.raises(ValueError, match="labels has 3 entries for 12 images"):
        plots.show_image_grid(imgs, labels=[1, 2, 3])
    with pytest.raises(ValueError, match=r"non-empty stack of grey images.*got \(2, 28, 28, 3\)"):
        plots.show_image_grid(np.zeros((2, 28, 28, 3)))  # colour images
    with pytest.raises(ValueError, match=r"non-empty stack of grey images.*got \(0, 28, 28\)"):
        plots.show_image_grid(np.zeros((0, 28, 28)))


def test_drawings():
    assert plots.draw_neuron(3).get_title() == "An artificial neuron"
    ax = plots.draw_network([2, 3, 1])
    assert len(ax.collections) == 3  # one scatter of nodes per layer
    assert [t.get_text() for t in ax.texts] == ["input\n(2)", "hidden 1\n(3)", "output\n(1)"]
