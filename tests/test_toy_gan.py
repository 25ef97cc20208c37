"""utils.toy_gan and utils.plots.toy_gan: the ring data and its density, the KDE, the grid, the models, a tiny
training run with snapshots, the packed discriminator's surface, and the plots (tiny sizes: the suite stays fast)."""
import matplotlib

matplotlib.use("Agg")

import numpy as np
import pytest

from utils import toy_gan
from utils.plots import toy_gan as tgp
from utils.reference import toy_gan as ref


def test_ring_centres_are_on_the_circle_and_evenly_spaced():
    c = toy_gan.ring_centres(8, 2.0)
    assert c.shape == (8, 2)
    assert np.allclose(np.linalg.norm(c, axis=1), 2.0)
    assert np.allclose(c[0], [2.0, 0.0])
    gaps = np.linalg.norm(np.diff(np.vstack([c, c[:1]]), axis=0), axis=1)
    assert np.allclose(gaps, gaps[0])


def test_sample_ring_is_seeded_and_covers_every_mode_tightly():
    a = toy_gan.sample_ring(4000, np.random.default_rng(0))
    b = toy_gan.sample_ring(4000, np.random.default_rng(0))
    assert a.dtype == np.float32 and a.shape == (4000, 2) and np.array_equal(a, b)
    covered, quality = ref.count_modes(a, toy_gan.ring_centres(), toy_gan.SIGMA)
    assert covered == 8 and quality > 0.97       # 1 - exp(-4.5) = 0.989 of a 2-D Gaussian lies within 3 sigma


def test_mixture_density_integrates_to_one_and_peaks_at_the_centres():
    grid = toy_gan.make_grid(3.0, 161)
    p = toy_gan.mixture_density(grid.points)
    assert p.shape == (161 * 161,)
    assert abs(p.sum() * grid.cell_area - 1.0) < 1e-3
    at_centre = toy_gan.mixture_density(toy_gan.ring_centres()[:1])[0]
    assert at_centre == pytest.approx(1 / 8 / (2 * np.pi * toy_gan.SIGMA ** 2), rel=1e-6)


def test_kde_density_integrates_to_one_and_rejects_bad_bandwidth():
    grid = toy_gan.make_grid(3.0, 101)
    samples = np.random.default_rng(0).normal(size=(200, 2)) * 0.3
    p = toy_gan.kde_density(grid.points, samples, 0.2)
    assert abs(p.sum() * grid.cell_area - 1.0) < 1e-3
    with pytest.raises(ValueError, match="bandwidth"):
        toy_gan.kde_density(grid.points, samples, 0.0)


def test_grid_shapes_and_cell_area():
    grid = toy_gan.make_grid(2.0, 5)
    assert grid.points.shape == (25, 2) and grid.shape == (5, 5)
    assert grid.cell_area == pytest.approx(1.0)
    image = grid.as_image(grid.points[:, 0])
    assert np.allclose(image[0], grid.xs)         # rows run along x: contourf(xs, ys, image) draws it right


def test_recipes_differ_as_the_notebook_says():
    assert (toy_gan.NAIVE.lr_g, toy_gan.NAIVE.lr_d, toy_gan.NAIVE.pack) == (1e-3, 2e-4, 1)
    assert (toy_gan.STABLE.lr_g, toy_gan.STABLE.lr_d, toy_gan.STABLE.pack) == (1e-3, 1e-3, 4)


def test_models_have_the_documented_shapes():
    assert toy_gan.build_generator().output_shape == (None, 2)
    assert toy_gan.build_discriminator(4).input_shape == (None, 8)
    assert toy_gan.build_discriminator(1).output_shape == (None, 1)


@pytest.fixture(scope="module")
def tiny_run():
    grid = toy_gan.make_grid(3.0, 9)
    return toy_gan.train_toy_gan(toy_gan.STABLE, steps=12, seed=3, batch_size=16, snapshot_every=5, n_show=40,
                                 grid=grid, progress=False)


def test_a_tiny_run_records_snapshots_and_is_seeded(tiny_run):
    run = tiny_run
    assert run.snapshot_steps.tolist() == [0, 5, 10, 12]
    assert run.samples.shape == (4, 40, 2) and run.surfaces.shape == (4, 9, 9)
    assert np.all((run.surfaces >= 0) & (run.surfaces <= 1))
    assert run.d_loss.shape == (12,) and np.all(np.isfinite(run.d_loss)) and np.all(np.isfinite(run.g_loss))
    assert not np.allclose(run.samples[0], run.samples[-1])      # the generator moved
    again = toy_gan.train_toy_gan(toy_gan.STABLE, steps=12, seed=3, batch_size=16, snapshot_every=5, n_show=40,
                                  grid=run.grid, progress=False)
    assert np.allclose(run.samples, again.samples, atol=1e-5)
    assert run.generate(7).shape == (7, 2)


def test_the_saturating_loss_trains_without_surfaces():
    run = toy_gan.train_toy_gan(toy_gan.Recipe("sat", lr_d=2e-4, generator_loss="saturating"), steps=3, seed=0,
                                batch_size=8, snapshot_every=2, n_show=10, progress=False, surfaces=False)
    assert run.samples.shape == (3, 10, 2) and run.surfaces.shape[0] == 0 and run.g_loss.max() <= 0


def test_batch_must_be_a_multiple_of_the_pack():
    with pytest.raises(ValueError, match="multiple"):
        toy_gan.train_toy_gan(toy_gan.STABLE, steps=2, seed=0, batch_size=10, progress=False)


def test_packed_surface_averages_positions():
    d = toy_gan.build_discriminator(pack=2)
    pts = toy_gan.make_grid(1.0, 3).points
    s = toy_gan.discriminator_surface(d, pts, pack=2, context=pts, rng=np.random.default_rng(0))
    assert s.shape == (9,) and np.all((s > 0) & (s < 1))


def test_plots_draw_with_titles_and_labels(tiny_run):
    import matplotlib.pyplot as plt

    run = tiny_run
    real = toy_gan.sample_ring(50, np.random.default_rng(0))
    fig = tgp.plot_snapshots(run, real, [0, 1], modes=[0, 1, 2, 3])
    titles = [ax.get_title() for ax in fig.axes if ax.get_title()]
    assert any("step 0" in t for t in titles) and any("1 of 8 modes" in t for t in titles)
    assert all(ax.get_xlabel() for ax in fig.axes[:2])
    dom = tgp.dominant_mode(run.samples, toy_gan.ring_centres())
    assert dom.shape == (4,)
    fig2 = tgp.plot_mode_counts([run], [[0, 1, 2, 3]], [dom])
    assert fig2.axes[0].get_ylabel() == "modes covered" and fig2.axes[1].get_title()
    widget = tgp.snapshot_slider(run, real)
    assert widget.children[0].max == 3
    plt.close("all")


def test_dominant_mode_finds_the_crowded_centre():
    c = toy_gan.ring_centres()
    samples = np.stack([np.repeat(c[[5]], 10, axis=0), np.repeat(c[[2]], 10, axis=0)])
    assert tgp.dominant_mode(samples, c).tolist() == [5, 2]


def test_the_seed_sweep_benchmark_prints_one_line_per_run(capsys):
    import importlib.util
    from pathlib import Path

    path = Path(__file__).resolve().parent.parent / "benchmarks" / "bench_toy_gan.py"
    spec = importlib.util.spec_from_file_location("bench_toy_gan", path)
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    assert bench.main(["--seeds", "0", "--steps", "4", "--quick-steps", "2", "--every", "2"]) == 0
    out = capsys.readouterr().out
    rows = [line.split() for line in out.splitlines()
            if line.startswith(("naive ", "stable ")) and line.split()[1].isdigit()]
    assert [r[:2] for r in rows] == [["naive", "0"], ["stable", "0"]]
    assert "CPU:" in out and "modes at 4" in out
    with pytest.raises(SystemExit):
        bench.main(["--steps", "4", "--quick-steps", "3", "--every", "2"])
