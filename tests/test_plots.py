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


def test_decision_boundary_accepts_probabilities_and_scores():
    X, y = data.make_blobs(30, centers=3)
    plots.plot_decision_boundary(lambda P: np.c_[P[:, 0], P[:, 1], -P[:, 0]], X, y)
    plots.plot_decision_boundary(lambda P: 1 / (1 + np.exp(-P[:, 0])), X, (y > 0).astype(int))


def test_decision_boundary_bad_input():
    X, y = data.logic_gate("OR")
    with pytest.raises(ValueError, match=r"X must have shape \(any, 2\)"):
        plots.plot_decision_boundary(lambda P: P[:, 0], X[:, :1], y)
    with pytest.raises(ValueError, match="same number of rows"):
        plots.plot_decision_boundary(lambda P: P[:, 0], X, y[:3])
    with pytest.raises(ValueError, match="one label or probability per input row"):
        plots.plot_decision_boundary(lambda P: np.zeros(3), X, y)


def test_activation_and_curves():
    ax = plots.plot_activation(np.tanh, lambda z: 1 - np.tanh(z) ** 2, "tanh")
    assert len(ax.lines) >= 2 and ax.get_title() == "tanh"
    ax = plots.plot_loss_curves({"loss": [3, 2, 1], "val_loss": [3, 2.5, 2.4]})
    assert len(ax.lines) == 2 and ax.get_xlabel() == "epoch"
    with pytest.raises(ValueError, match="history is empty"):
        plots.plot_loss_curves({})


def test_image_grid_shapes_and_errors():
    imgs = np.random.default_rng(0).integers(0, 255, size=(12, 28, 28), dtype=np.uint8)
    fig = plots.show_image_grid(imgs, labels=list(range(12)), ncols=5, title="digits")
    assert len(fig.axes) == 15 and fig.axes[0].get_title() == "0"
    plots.show_image_grid(imgs[..., None].astype(np.float32) / 255)
    with pytest.raises(ValueError, match="labels has 3 entries for 12 images"):
        plots.show_image_grid(imgs, labels=[1, 2, 3])
    with pytest.raises(ValueError, match="images must be grey"):
        plots.show_image_grid(np.zeros((2, 28, 28, 3)))
    with pytest.raises(ValueError, match="images is empty"):
        plots.show_image_grid(np.zeros((0, 28, 28)))


def test_drawings():
    assert plots.draw_neuron(3).get_title() == "An artificial neuron"
    ax = plots.draw_network([2, 3, 1])
    assert len(ax.collections) == 3  # one scatter of nodes per layer
    with pytest.raises(ValueError, match="n_inputs must be an int from 1 to 8"):
        plots.draw_neuron(0)
    with pytest.raises(ValueError, match="layer_sizes must list at least 2 layers"):
        plots.draw_network([3])
    with pytest.raises(ValueError, match="layer_names has 1 names for 2 layers"):
        plots.draw_network([2, 1], layer_names=["in"])
