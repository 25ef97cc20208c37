"""show_image_grid caps big grids (with a warning) and draws them as one mosaic; plot helpers reject wrong
argument types with messages naming the argument instead of failing deep in Matplotlib or NumPy."""
import warnings

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


def _digits(n, h=8, w=8, seed=0):
    return np.random.default_rng(seed).integers(1, 256, size=(n, h, w), dtype=np.uint8)


def _tiles(fig):
    """The mosaic's pixels with the all-NaN gap rows and columns removed: (rows * h, cols * w)."""
    assert len(fig.axes) == 1 and len(fig.axes[0].images) == 1
    arr = np.ma.filled(fig.axes[0].images[0].get_array().astype(float), np.nan)
    return arr[~np.all(np.isnan(arr), axis=1)][:, ~np.all(np.isnan(arr), axis=0)]


def _tiled(imgs, ncols):
    n, h, w = imgs.shape
    return imgs.reshape(n // ncols, ncols, h, w).transpose(0, 2, 1, 3).reshape(n // ncols * h, ncols * w)


def test_a_thousand_images_are_capped_with_a_warning_and_drawn_as_one_image():
    imgs = _digits(1000)
    with pytest.warns(UserWarning, match=r"showing the first 100 of 1000 images; pass max_images=1000"):
        fig = plots.show_image_grid(imgs)
    np.testing.assert_array_equal(_tiles(fig), _tiled(imgs[:100], 10))  # exactly the first 100, row by row


def test_max_images_none_shows_all_without_warning():
    imgs = _digits(150)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fig = plots.show_image_grid(imgs, ncols=15, max_images=None, title="all")
    np.testing.assert_array_equal(_tiles(fig), _tiled(imgs, 15))
    assert fig._suptitle.get_text() == "all"


def test_mosaic_scales_each_float_image_to_its_own_range_like_small_grids():
    imgs = np.random.default_rng(2).normal(size=(70, 5, 5)) * np.arange(1, 71)[:, None, None]
    tiles = _tiles(plots.show_image_grid(imgs, ncols=7))
    lo, hi = imgs.min(axis=(1, 2), keepdims=True), imgs.max(axis=(1, 2), keepdims=True)
    np.testing.assert_allclose(tiles, _tiled((imgs - lo) / (hi - lo), 7), atol=1e-6)


def test_mosaic_keeps_value_range_and_captions_and_cuts_labels_with_images():
    imgs = np.random.default_rng(3).uniform(-1, 1, size=(300, 6, 6)).astype(np.float32)
    labels = [f"#{i}" for i in range(300)]
    with pytest.warns(UserWarning, match="first 80 of 300"):
        fig = plots.show_image_grid(imgs, labels, ncols=10, value_range=(-1, 1), max_images=80)
    image = fig.axes[0].images[0]
    assert image.get_clim() == (-1, 1)
    np.testing.assert_allclose(_tiles(fig), _tiled(imgs[:80], 10))
    assert [t.get_text() for t in fig.axes[0].texts] == labels[:80]


def test_small_grids_keep_one_axes_per_image_with_captions():
    assert plots.MOSAIC_ABOVE >= 40  # the notebooks' biggest grid (40 GAN samples) keeps its look
    imgs = _digits(20, 28, 28)
    fig = plots.show_image_grid(imgs, labels=[f"label {i}" for i in range(20)], ncols=10)
    assert len(fig.axes) == 20 and fig.axes[19].get_title() == "label 19"
    assert fig.axes[0].images[0].get_clim() == (0, 255)
    np.testing.assert_array_equal(fig.axes[7].images[0].get_array(), imgs[7])


@pytest.mark.parametrize("labels,exc,match", [
    (5, TypeError, r"labels must be a sequence \(list, tuple or 1-D array\) with one entry per image.*got int 5"),
    ("abcdefghijkl", TypeError, "labels must be a sequence"),
    ({i: i for i in range(12)}, TypeError, "labels must be a sequence"),
    (np.zeros((12, 1)), ValueError, r"labels must be 1-D with one entry per image, got shape \(12, 1\)"),
    ([1, 2, 3], ValueError, "labels has 3 entries for 12 images"),
])
def test_bad_labels(labels, exc, match):
    with pytest.raises(exc, match=match):
        plots.show_image_grid(_digits(12), labels=labels)


@pytest.mark.parametrize("ncols", [2.5, True, 0, -3, "5"])
def test_bad_ncols(ncols):
    with pytest.raises(ValueError, match=f"ncols must be an integer >= 1, got {ncols!r}"):
        plots.show_image_grid(_digits(12), ncols=ncols)


@pytest.mark.parametrize("value_range,exc", [((0, 1, 2), ValueError), ((1, 0), ValueError), ((0, 0), ValueError),
                                             ((0, np.nan), ValueError), (5, TypeError), ("ab", TypeError),
                                             (("lo", "hi"), TypeError)])
def test_bad_value_range(value_range, exc):
    with pytest.raises(exc, match=r"value_range must be a pair \(low, high\) of numbers with low < high"):
        plots.show_image_grid(_digits(12), value_range=value_range)


@pytest.mark.parametrize("kwargs,match", [(dict(max_images=0), "max_images must be an integer >= 1"),
                                          (dict(max_images=2.5), "max_images must be an integer >= 1")])
def test_bad_cap_and_size(kwargs, match):
    with pytest.raises(ValueError, match=match):
        plots.show_image_grid(_digits(12), **kwargs)


def test_decision_boundary_rejects_empty_and_mislabelled_data():
    X, y = data.logic_gate("XOR")
    with pytest.raises(ValueError, match=r"X is empty \(shape \(0, 2\)\); it needs at least one point"):
        plots.plot_decision_boundary(lambda P: P[:, 0], np.zeros((0, 2)), np.zeros(0, int))
    with pytest.raises(ValueError, match=r"y \(class labels\) must lie in \[0, 9\], got values from -1 to 1"):
        plots.plot_decision_boundary(lambda P: P[:, 0], X, np.array([-1, 1, 1, 0]))
    with pytest.raises(ValueError, match="y \\(class labels\\) must lie in \\[0, 9\\]"):
        plots.plot_decision_boundary(lambda P: P[:, 0], X, np.array([0, 12, 1, 0]))
    with pytest.raises(ValueError, match="resolution must be an integer >= 2, got 2.5"):
        plots.plot_decision_boundary(lambda P: P[:, 0], X, y, resolution=2.5)


@pytest.mark.parametrize("x_range,exc", [((5, -5), ValueError), ((0, 1, 2), ValueError), (3, TypeError)])
def test_activation_x_range(x_range, exc):
    with pytest.raises(exc, match=r"x_range must be a pair \(low, high\)"):
        plots.plot_activation(np.tanh, None, "tanh", x_range=x_range)
