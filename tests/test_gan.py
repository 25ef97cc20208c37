"""Tests for utils.gan (data pipeline, fixed noise, image mapping, the training loop) and the pictures of a run in
utils.plots.gan and utils.plots.images (PNG grids, curves, scores, the snapshot slider)."""
from __future__ import annotations

from dataclasses import dataclass

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from utils import gan  # noqa: E402
from utils.plots import gan as gan_plots  # noqa: E402
from utils.plots.images import save_grid_png  # noqa: E402


# --------------------------------------------------------------------------- data
def test_mnist_dataset_shapes_ranges_and_labels():
    ds = gan.mnist_dataset(32, value_range=(-1, 1), seed=1)
    batch = next(iter(ds)).numpy()
    assert batch.shape == (32, 28, 28, 1) and batch.dtype == np.float32
    assert batch.min() >= -1.0 and batch.max() <= 1.0 and batch.min() < -0.99
    flat = next(iter(gan.mnist_dataset(16, value_range=(0, 1), flatten=True))).numpy()
    assert flat.shape == (16, 784) and flat.min() >= 0.0 and flat.max() <= 1.0
    x, y = next(iter(gan.mnist_dataset(16, with_labels=True)))
    assert x.shape == (16, 28, 28, 1) and y.shape == (16,) and y.dtype.name == "int32"
    assert set(np.unique(y.numpy())) <= set(range(10))


def test_mnist_dataset_is_seeded_and_shuffled():
    first = lambda seed: next(iter(gan.mnist_dataset(8, seed=seed, with_labels=True)))[1].numpy()  # noqa: E731
    np.testing.assert_array_equal(first(3), first(3))
    assert not np.array_equal(first(3), first(4))


def test_mnist_dataset_one_pass_drops_remainder():
    ds = gan.mnist_dataset(25000, repeat=False)
    assert ds.cardinality().numpy() == 2  # 60000 // 25000, the incomplete batch is dropped


@pytest.mark.parametrize("kwargs", [dict(batch_size=0), dict(batch_size=8, seed=-1),
                                    dict(batch_size=8, value_range=(0, 255)), dict(batch_size=8, value_range="tanh")])
def test_mnist_dataset_rejects_bad_arguments(kwargs):
    with pytest.raises(ValueError):
        gan.mnist_dataset(**kwargs)


def test_fixed_noise_is_seeded_standard_normal():
    a, b, c = gan.fixed_noise(2000, 10, seed=5), gan.fixed_noise(2000, 10, seed=5), gan.fixed_noise(2000, 10, seed=6)
    assert a.shape == (2000, 10) and a.dtype == np.float32
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)
    assert abs(a.mean()) < 0.05 and abs(a.std() - 1) < 0.05


@pytest.mark.parametrize("args", [(0, 10), (4, 0), (4, 10, -1), (2.5, 10)])
def test_fixed_noise_rejects_bad_arguments(args):
    with pytest.raises(ValueError):
        gan.fixed_noise(*args)


# --------------------------------------------------------------------------- images
def test_to_unit_range_maps_tanh_and_reshapes():
    flat = np.full((3, 784), -1.0, np.float32)
    flat[:, 0] = 1.0
    out = gan.to_unit_range(flat, output="tanh")
    assert out.shape == (3, 28, 28)
    assert out[0, 0, 0] == 1.0 and out[0, 0, 1] == 0.0
    four = gan.to_unit_range(np.full((2, 28, 28, 1), 0.25, np.float32), output="sigmoid")
    assert four.shape == (2, 28, 28) and np.allclose(four, 0.25)
    assert gan.to_unit_range(np.full((1, 4, 4), 1.00005), output="sigmoid").max() == 1.0  # round-off is clipped


@pytest.mark.parametrize("images, output, match", [
    (np.zeros((1, 784)), "relu", "output must be"),
    (np.zeros((1, 780)), "tanh", r"shape \(1, 780\)"),                       # flat, not square
    (np.zeros((1, 28, 28, 3)), "tanh", "grey"),                               # colour
    (np.full((2, 4, 4), -0.5), "sigmoid", r"tanh output.*\(x \+ 1\) / 2"),    # tanh output called sigmoid
    (np.full((2, 4, 4), 200.0), "sigmoid", "divide by 255"),                  # 0..255 pixels
    (np.linspace(-3, 3, 32).reshape(2, 4, 4), "tanh", "End the generator with a tanh"),  # no last activation
])
def test_to_unit_range_rejects_wrong_shapes_and_ranges(images, output, match):
    with pytest.raises(ValueError, match=match):
        gan.to_unit_range(images, output=output)


def test_generate_grid_calls_generator_in_inference_mode_and_conditional_form():
    calls = []

    def generator(inputs, training):
        calls.append((inputs, training))
        z = inputs[0] if isinstance(inputs, list) else inputs
        return np.tanh(np.repeat(z[:, :1], 784, axis=1))

    noise = gan.fixed_noise(4, 3)
    images = gan.generate_grid(generator, noise, output="tanh")
    assert images.shape == (4, 28, 28) and 0.0 <= images.min() and images.max() <= 1.0
    assert calls[-1][1] is False
    gan.generate_grid(generator, noise, labels=np.arange(4))
    assert isinstance(calls[-1][0], list) and calls[-1][0][1].dtype == np.int32
    with pytest.raises(ValueError, match="noise"):
        gan.generate_grid(generator, np.zeros(5, np.float32))
    with pytest.raises(ValueError, match="the generator's output.*output='sigmoid'"):
        gan.generate_grid(lambda z, training: np.full((len(z), 784), -0.5), noise, output="sigmoid")


def test_save_grid_png_writes_a_png(tmp_path):
    path = save_grid_png(np.random.default_rng(0).random((10, 28, 28)), tmp_path / "sub" / "g.png", "step 1", ncols=4)
    assert path.is_file() and path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    img = plt.imread(path)
    assert img.shape[1] > img.shape[0]  # 4 columns by 3 rows: wider than tall


def test_save_grid_png_rejects_bad_input(tmp_path):
    with pytest.raises(ValueError, match=r"\[0.0, 1.0\]"):
        save_grid_png(np.full((2, 28, 28), 2.0), tmp_path / "a.png")
    with pytest.raises(ValueError, match="non-empty stack of grey images"):
        save_grid_png(np.zeros((0, 28, 28)), tmp_path / "a.png")


# --------------------------------------------------------------------------- training loop
@dataclass
class FakeScores:
    frechet_distance: float
    classes_covered: int


class FakeScorer:
    def __init__(self):
        self.calls = []

    def score_generator(self, generator, latent_dim, n=10000, output="tanh", conditional=False, seed=0):
        self.calls.append(dict(latent_dim=latent_dim, n=n, output=output, conditional=conditional))
        return FakeScores(100.0 / (len(self.calls)), min(10, len(self.calls)))


def _toy_generator(z, training=False):
    return np.zeros((len(z[0]) if isinstance(z, list) else len(z), 28, 28, 1), np.float32)


def test_train_gan_calls_step_records_snapshots_and_scores(tmp_path):
    seen = []

    def train_step(batch):
        seen.append(batch)
        return {"d_loss": np.float32(len(seen)), "g_loss": 2.0 * len(seen), "d_acc_real": np.array([0.5])}

    scorer = FakeScorer()
    h = gan.train_gan(train_step, [10, 20, 30], steps=7, generator=_toy_generator, fixed_noise=gan.fixed_noise(4, 5),
                      snapshot_every=3, snapshot_dir=tmp_path, scorer=scorer, score_every=5, score_n=100,
                      output="tanh", progress=False)
    assert seen == [10, 20, 30, 10, 20, 30, 10]  # the dataset is iterated again when it runs out
    assert h.steps == 7 and h.metric("d_loss").tolist() == [1, 2, 3, 4, 5, 6, 7]
    assert h.metric("g_loss", smooth=2).tolist() == [3, 5, 7, 9, 11, 13]
    assert h.snapshot_steps == [0, 3, 6, 7]
    assert [p.name for p in h.snapshot_paths] == [f"generated_img_{s:06d}.png" for s in (0, 3, 6, 7)]
    assert all(p.is_file() for p in h.snapshot_paths)
    assert h.score_steps == [0, 5, 7] and len(h.scores) == 3
    assert h.score_seconds[0] == 0.0 and h.score_seconds == sorted(h.score_seconds) and len(h.score_seconds) == 3
    assert h.score_seconds[-1] == h.seconds  # the last score is taken after all the training time
    assert scorer.calls[0] == dict(latent_dim=5, n=100, output="tanh", conditional=False)
    assert h.score_series("frechet_distance")[-1] == pytest.approx(100 / 3)
    assert h.last_score is h.scores[-1]
    assert h.seconds >= 0 and h.total_seconds >= h.seconds and h.steps_per_second() > 0


def test_train_gan_passes_tuples_whole_and_conditional_labels(tmp_path):
    got, gen_inputs = [], []

    def generator(inputs, training=False):
        gen_inputs.append(inputs)
        return np.zeros((len(inputs[0]), 784), np.float32)

    h = gan.train_gan(lambda b: got.append(b) or {"d_loss": 0.0}, [(1, 2)], steps=2, generator=generator,
                      fixed_noise=gan.fixed_noise(12, 3), snapshot_dir=tmp_path, conditional=True, progress=False,
                      output="sigmoid")
    assert got == [(1, 2), (1, 2)]
    assert h.snapshot_steps == [0, 2] and not h.scores
    assert gen_inputs[0][1].tolist() == [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1]


def test_train_gan_with_a_real_tf_function_step(tmp_path):
    import keras
    import tensorflow as tf

    keras.utils.set_random_seed(0)
    gen = keras.Sequential([keras.Input((8,)), keras.layers.Dense(784, activation="tanh")])
    disc = keras.Sequential([keras.Input((784,)), keras.layers.Dense(1)])
    opt = keras.optimizers.Adam(1e-2)

    @tf.function
    def train_step(real):
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(tf.nn.softplus(-disc(real)))
        opt.apply_gradients(zip(tape.gradient(loss, disc.trainable_variables), disc.trainable_variables))
        return {"d_loss": loss}

    h = gan.train_gan(train_step, gan.mnist_dataset(16, flatten=True), steps=30, generator=gen,
                      fixed_noise=gan.fixed_noise(8, 8), snapshot_dir=tmp_path, progress=False)
    d = h.metric("d_loss")
    assert d[-5:].mean() < d[:5].mean()  # the discriminator learned to call real images real


def test_train_gan_rejects_bad_arguments(tmp_path):
    ok = dict(steps=2, generator=_toy_generator, fixed_noise=gan.fixed_noise(2, 3), progress=False)
    with pytest.raises(ValueError, match="steps"):
        gan.train_gan(lambda b: {}, [1], **{**ok, "steps": 0})
    with pytest.raises(ValueError, match="scorer"):
        gan.train_gan(lambda b: {}, [1], score_every=1, **ok)
    with pytest.raises(ValueError, match="output"):
        gan.train_gan(lambda b: {}, [1], **{**ok, "output": "linear"})


@pytest.mark.parametrize("result", [1.0, (1.0, 2.0), {"d_loss": np.zeros(3)}],
                         ids=["a-number", "a-tuple-of-losses", "a-batch-of-losses"])
def test_train_gan_says_what_a_train_step_must_return(result):
    with pytest.raises(TypeError, match=r"train_step must return a dict of scalars like \{'d_loss'"):
        gan.train_gan(lambda b: result, [1], steps=1, generator=_toy_generator, fixed_noise=gan.fixed_noise(2, 3),
                      progress=False)


def test_history_of_an_unscored_run():
    h = gan.GanHistory(metrics={"d_loss": [1.0, 2.0]})
    with pytest.raises(KeyError, match="g_loss"):
        h.metric("g_loss")
    assert h.score_series("frechet_distance").size == 0
    assert h.last_score is None and np.isnan(h.steps_per_second())


# --------------------------------------------------------------------------- plots
def _history_with_everything(tmp_path):
    rng = np.random.default_rng(0)
    h = gan.GanHistory(metrics={k: list(rng.random(300)) for k in ("d_loss", "g_loss", "d_acc_real", "d_acc_fake")})
    h.score_steps, h.scores = [0, 300], [FakeScores(300.0, 3), FakeScores(90.0, 10)]
    h.score_seconds = [0.0, 12.5]
    for step, value in ((0, 0.0), (150, 0.5), (300, 1.0)):  # three snapshots that look different
        h.snapshot_steps.append(step)
        h.snapshot_paths.append(save_grid_png(np.full((4, 28, 28), value), tmp_path / f"s{step}.png"))
    return h


def test_plots_draw_titled_labelled_axes(tmp_path):
    h = _history_with_everything(tmp_path)
    ax_loss, ax_acc = gan_plots.plot_gan_curves(h, smooth=50)
    assert len(ax_loss.lines) == 2 and len(ax_acc.lines) == 3 and ax_loss.get_xlabel() and ax_acc.get_title()
    axes = gan_plots.plot_gan_scores({"run": h})
    assert axes[0].get_yscale() == "log" and axes[1].lines[0].get_ydata().tolist() == [3, 10]
    assert axes[0].lines[0].get_xdata().tolist() == [0, 300] and axes[0].get_xlabel() == "training step"
    axes = gan_plots.plot_gan_scores({"run": h}, x="seconds")
    assert axes[0].lines[0].get_xdata().tolist() == [0.0, 12.5] and axes[0].get_xlabel() == "training time (s)"
    ax = gan_plots.plot_class_histogram({"a": np.full(10, 0.1), "b": np.eye(10)[3]})
    assert len(ax.patches) == 20 and ax.get_ylabel()
    plt.close("all")


def test_plots_reject_what_a_student_might_pass(tmp_path):
    with pytest.raises(ValueError, match="d_loss"):  # a train step that named its losses otherwise
        gan_plots.plot_gan_curves(gan.GanHistory(metrics={"other": [1.0]}))
    with pytest.raises(ValueError, match="no scores"):  # a run trained without scorer=
        gan_plots.plot_gan_scores({"run": gan.GanHistory()})
    with pytest.raises(ValueError, match="shape"):  # not 10 class fractions
        gan_plots.plot_class_histogram({"a": np.ones(9)})
    plt.close("all")


def test_snapshot_slider_shows_the_snapshot_the_slider_points_at(tmp_path, monkeypatch):
    import ipywidgets
    import IPython.display

    shown = []
    monkeypatch.setattr(IPython.display, "display", lambda *objs, **kw: shown.extend(objs))
    h = _history_with_everything(tmp_path)
    plt.close("all")
    assert gan_plots.snapshot_slider(h, title="run") is None     # no stray `<function ...show>` under the cell
    assert len(shown) == 1 and isinstance(shown[0], ipywidgets.interactive)
    slider = shown[0].children[0]
    assert (slider.min, slider.max, slider.value) == (0, 2, 2)  # one position per snapshot, the last one shown

    def picture():
        ax = plt.gcf().axes[0]
        return ax.get_title(), np.asarray(ax.images[0].get_array())

    title, last = picture()
    assert title == "run — step 300 (3/3)"
    slider.value = 0
    title, first = picture()
    assert title == "run — step 0 (1/3)"
    np.testing.assert_array_equal(first, plt.imread(h.snapshot_paths[0]))
    assert not np.array_equal(first, last)  # moving the slider changed the image shown
    with pytest.raises(ValueError, match="no snapshots"):
        gan_plots.snapshot_slider(gan.GanHistory())
    plt.close("all")
