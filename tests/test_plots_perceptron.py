"""plot_perceptron_line draws the line w·x + b = 0 across the box, shades, scatters, and rejects bad input."""
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


def _line(ax):
    lines = [ln for ln in ax.get_lines() if ln.get_label() == "w·x + b = 0"]
    assert len(lines) == 1
    return np.asarray(lines[0].get_xdata(), float), np.asarray(lines[0].get_ydata(), float)


@pytest.mark.parametrize("w,b", [([1.0, 1.0], -1.5), ([2.0, -0.5], 0.3), ([0.0, 1.0], -0.5), ([1.0, 0.0], -0.5),
                                 ([3.0, 0.1], -1.0)], ids=["and", "steep-neg", "horizontal", "vertical", "steep"])
def test_line_points_satisfy_the_equation_and_span_the_box(w, b):
    ax = plots.plot_perceptron_line(w, b, xlim=(-1, 2), ylim=(-1, 2))
    x1, x2 = _line(ax)
    assert np.allclose(w[0] * x1 + w[1] * x2 + b, 0)
    along = x1 if abs(w[1]) >= abs(w[0]) else x2
    assert along.min() == pytest.approx(-1) and along.max() == pytest.approx(2)
    assert ax.get_title() and ax.get_xlabel() and ax.get_ylabel()
    assert ax.get_xlim() == (-1, 2) and ax.get_ylim() == (-1, 2)


def test_points_are_scattered_by_label_and_shading_drawn():
    X, y = data.logic_gate("AND")
    ax = plots.plot_perceptron_line([1, 1], -1.5, X, y, title="AND")
    labels = [h.get_label() for h in ax.collections]
    assert "target 0" in labels and "target 1" in labels
    target1 = [c for c in ax.collections if c.get_label() == "target 1"][0]
    assert np.allclose(target1.get_offsets(), [[1, 1]])
    assert len(ax.collections) >= 3  # shading + two scatters
    assert ax.get_title() == "AND"


def test_zero_weights_draw_no_line_but_a_note():
    ax = plots.plot_perceptron_line([0, 0], 1.0, shade=False)
    assert not ax.get_lines()
    assert any("no line" in t.get_text() for t in ax.texts)


def test_uses_given_axes():
    fig, axes = plt.subplots(1, 2)
    assert plots.plot_perceptron_line([1, 1], -1, ax=axes[1]) is axes[1]


@pytest.mark.parametrize("kwargs,exc", [
    (dict(w=[1, 2, 3], b=0), ValueError),
    (dict(w=[1, np.nan], b=0), ValueError),
    (dict(w=[1, 1], b=float("inf")), ValueError),
    (dict(w=[1, 1], b=[1, 2]), ValueError),
    (dict(w=["a", "b"], b=0), TypeError),
    (dict(w=[1, 1], b=0, xlim=(1, 0)), ValueError),
    (dict(w=[1, 1], b=0, X=np.zeros((4, 2))), TypeError),             # X without y
    (dict(w=[1, 1], b=0, X=np.zeros((4, 2)), y=np.zeros(3, int)), ValueError),
    (dict(w=[1, 1], b=0, X=np.zeros((4, 3)), y=np.zeros(4, int)), ValueError),
])
def test_bad_input_is_rejected(kwargs, exc):
    with pytest.raises(exc):
        plots.plot_perceptron_line(**kwargs)


def test_ml_map_draws_four_nested_labelled_fields():
    ax = plots.draw_ml_map()
    boxes = [p for p in ax.patches if p.get_label() in {name for name, _ in plots.ML_MAP_RINGS}]
    assert [b.get_label() for b in boxes] == [name for name, _ in plots.ML_MAP_RINGS]
    for outer, inner in zip(boxes, boxes[1:]):  # each field lies inside the one before it
        o, i = outer.get_bbox(), inner.get_bbox()
        assert o.x0 < i.x0 and i.x1 < o.x1 and o.y0 < i.y0 and i.y1 < o.y1
    texts = " ".join(t.get_text() for t in ax.texts)
    assert all(name in texts for name, _ in plots.ML_MAP_RINGS) and "perceptron" in texts
    assert ax.get_title()


def test_ml_map_uses_given_axes():
    fig, axes = plt.subplots(1, 2)
    assert plots.draw_ml_map(ax=axes[0], title="map") is axes[0] and axes[0].get_title() == "map"
