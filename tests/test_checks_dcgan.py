"""Checks of notebook 10 and its reference: each check passes on a right answer, fails on plausible wrong ones,
and reports a stub; the reference models follow the plan and train."""
import keras
import numpy as np
import pytest

from utils.checks import dcgan as ga
from utils.reference import dcgan as ref


def _stub(*args, **kwargs):
    raise NotImplementedError()


# ---------------------------------------------------------------- 10.1 transposed-conv size
def size_right(size, kernel, stride, padding):
    return size * stride if padding == "same" else (size - 1) * stride + max(kernel, stride)


def test_size_formula_matches_real_keras_layers():
    for size, kernel, stride in [(7, 1, 2), (7, 4, 2), (5, 2, 3), (3, 3, 3), (6, 5, 1)]:
        for padding in ("same", "valid"):
            layer = keras.layers.Conv2DTranspose(1, kernel, strides=stride, padding=padding)
            y = layer(np.zeros((1, size, size, 1), "float32"))
            assert y.shape[1] == size_right(size, kernel, stride, padding), (size, kernel, stride, padding)
    assert size_right(7, 1, 2, "valid") == 14  # the case: not 13


def test_conv_transpose_size_passes():
    assert ga.check_conv_transpose_size(size_right) is True
    assert ga.check_conv_transpose_size(ref.conv_transpose_size) is True


@pytest.mark.parametrize("wrong", [
    lambda s, k, st, p: s * st,                                  # ignores padding
    lambda s, k, st, p: (s - 1) * st + k,                        # always 'valid'
    lambda s, k, st, p: s * st if p == "same" else (s - 1) * st + k,   # misses kernel < stride
    lambda s, k, st, p: s * st if p == "same" else s * st + k,   # off by one stride
    lambda s, k, st, p: (s - k) // st + 1,                       # the ordinary convolution's formula
    lambda s, k, st, p: None,                                    # forgot return
], ids=["same-only", "valid-only", "kernel-below-stride", "off-by-stride", "forward-conv", "none"])
def test_conv_transpose_size_fails(wrong):
    with pytest.raises(AssertionError):
        ga.check_conv_transpose_size(wrong)


def test_conv_transpose_size_names_the_gap_when_kernel_is_shorter_than_the_stride():
    with pytest.raises(AssertionError, match="shorter than the stride"):
        ga.check_conv_transpose_size(lambda s, k, st, p: s * st if p == "same" else (s - 1) * st + k)


def test_conv_transpose_size_stub():
    with pytest.raises(NotImplementedError):
        ga.check_conv_transpose_size(_stub)


# ---------------------------------------------------------------- 10.2 even overlap
def test_interior_taps_match_the_picture_cases():
    assert set(ga.interior_taps(3, 2)) == {1, 2}
    assert set(ga.interior_taps(4, 2)) == {2}
    assert set(ga.interior_taps(1, 2)) == {0, 1}       # gaps: some pixels get no tap at all


EVEN = [(6, 2), (9, 3), (8, 4)]


def test_even_overlap_passes_in_any_order_and_container():
    assert ga.check_even_overlap(EVEN) is True
    assert ga.check_even_overlap([[8, 4], [6, 2], [9, 3]]) is True


@pytest.mark.parametrize("wrong", [
    [(6, 2), (9, 3)],                                   # missed one
    EVEN + [(5, 2)],                                    # an odd kernel with stride 2
    EVEN + [(6, 4)],                                    # kernel > stride but not a multiple
    EVEN + [(1, 2)],                                    # kernel < stride: gaps
    [],                                                 # none
    list(ga.OVERLAP_CANDIDATES),                        # all
    [(4, 2)],                                           # not a candidate
    "6/2",                                              # not pairs
], ids=["missed", "5-2", "6-4", "1-2", "none", "all", "not-candidate", "string"])
def test_even_overlap_fails(wrong):
    with pytest.raises(AssertionError):
        ga.check_even_overlap(wrong)


def test_even_overlap_stub():
    with pytest.raises(NotImplementedError):
        ga.check_even_overlap(None)


# ---------------------------------------------------------------- 10.3 generator and discriminator
L = keras.layers


def gen(latent_dim=64, width=32, *, bias=False, order="bn-act", last="tanh", s1=1, kernel=4, fixed=None,
        act_inside=False, extra=None):
    w = fixed or width
    hidden = []

    def block(layer):
        if act_inside:
            return [layer, L.BatchNormalization()]
        return [layer, L.BatchNormalization(), L.LeakyReLU(0.2)] if order == "bn-act" else \
            [layer, L.LeakyReLU(0.2), L.BatchNormalization()]

    hidden += block(L.Dense(7 * 7 * 2 * w, use_bias=bias, activation="leaky_relu" if act_inside else None))
    hidden += [L.Reshape((7, 7, 2 * w))]
    hidden += block(L.Conv2DTranspose(2 * w, kernel, strides=s1, padding="same", use_bias=bias))
    hidden += block(L.Conv2DTranspose(w, kernel, strides=2, padding="same", use_bias=bias))
    out = [L.Conv2DTranspose(1, kernel, strides=2, padding="same", activation=last)]
    return keras.Sequential([keras.Input((latent_dim,))] + hidden + (extra or []) + out)


def disc(width=32, dropout=0.1, *, fixed_rate=None, bn=False, sigmoid=False, third=True):
    body = [keras.Input((28, 28, 1))]
    for c in (width, 2 * width, 4 * width)[:3 if third else 2]:
        body += [L.Conv2D(c, 4, strides=2, padding="same")] + ([L.BatchNormalization()] if bn else []) + \
                [L.LeakyReLU(0.2), L.Dropout(dropout if fixed_rate is None else fixed_rate)]
    return keras.Sequential(body + [L.Flatten(), L.Dense(1, activation="sigmoid" if sigmoid else None)])


def test_reference_models_follow_the_notebook_plan():
    g, d = ref.build_generator(), ref.build_discriminator()
    assert g.output_shape == (None, 28, 28, 1) and d.output_shape == (None, 1)
    assert g.count_params() == 312_449 and d.count_params() == 166_625   # the notebook's table quotes these
    ga._check_structure(g, ga._generator_plan(64, 32), "generator", "")
    ga._check_structure(d, ga._discriminator_plan(32), "discriminator", "")
    assert g.count_params() == sum(w for _, _, w in ga._generator_plan(64, 32) if w)
    assert d.count_params() == sum(w for _, _, w in ga._discriminator_plan(32) if w)


def test_models_pass_and_train(monkeypatch):
    # the right answer, written differently from the reference: functional API, Activation layers
    def functional_gen(latent_dim, width):
        z = keras.Input((latent_dim,))
        x = L.Activation("leaky_relu")(L.BatchNormalization()(L.Dense(7 * 7 * 2 * width, use_bias=False)(z)))
        x = L.Reshape((7, 7, 2 * width))(x)
        for c, s in ((2 * width, 1), (width, 2)):
            x = L.LeakyReLU(0.2)(L.BatchNormalization()(L.Conv2DTranspose(c, 4, strides=s, padding="same",
                                                                          use_bias=False)(x)))
        return keras.Model(z, L.Conv2DTranspose(1, 4, strides=2, padding="same", activation="tanh")(x))

    monkeypatch.setattr(ga, "TRAIN_STEPS", 150)   # the full 300 steps are proven by the notebook's run
    monkeypatch.setattr(ga, "TRAIN_SCORE_N", 500)
    monkeypatch.setattr(ga, "FD_GOAL", 560.0)     # ... and here only that training runs and lowers FD
    assert ga.check_dcgan_models(functional_gen, ref.build_discriminator) is True


def test_models_fail_when_training_does_not_reach_the_goal(monkeypatch):
    monkeypatch.setattr(ga, "TRAIN_STEPS", 2)
    monkeypatch.setattr(ga, "TRAIN_SCORE_N", 200)
    with pytest.raises(AssertionError, match="reached FD"):
        ga.check_dcgan_models(ref.build_generator, ref.build_discriminator)


@pytest.mark.parametrize("wrong_gen, match", [
    (lambda d, w: gen(d, w, bias=True), "bias"),
    (lambda d, w: gen(d, w, order="act-bn"), "BatchNorm before LeakyReLU"),
    (lambda d, w: gen(d, w, act_inside=True), "position"),
    (lambda d, w: gen(d, w, last="sigmoid"), "tanh"),
    (lambda d, w: gen(d, w, last=None), "tanh"),
    (lambda d, w: gen(d, w, s1=2), "outputs"),              # 7 -> 14 -> 28 -> 56
    (lambda d, w: gen(d, w, kernel=3), "kernel size"),
    (lambda d, w: gen(d, w, fixed=32), "weights|outputs"),  # ignores width
    (lambda d, w: gen(d, w, extra=[L.UpSampling2D()]), "position"),
    (lambda d, w: None, "None"),
], ids=["bias", "act-before-bn", "act-inside", "sigmoid", "linear", "stride2-first", "kernel3", "fixed-width",
        "upsampling", "none"])
def test_generator_fails(wrong_gen, match):
    with pytest.raises(AssertionError, match=match):
        ga.check_dcgan_models(wrong_gen, ref.build_discriminator)


@pytest.mark.parametrize("wrong_disc, match", [
    (lambda w, p: disc(w, p, fixed_rate=0.1), "dropout"),
    (lambda w, p: disc(w, p, bn=True), "no BatchNorm"),
    (lambda w, p: disc(w, p, sigmoid=True), "position"),
    (lambda w, p: disc(w, p, third=False), "position"),
    (lambda w, p: disc(32, p), "outputs"),                  # ignores width
], ids=["fixed-dropout", "batchnorm", "sigmoid", "two-convs", "fixed-width"])
def test_discriminator_fails(wrong_disc, match):
    with pytest.raises(AssertionError, match=match):
        ga.check_dcgan_models(ref.build_generator, wrong_disc)


def test_models_stub():
    with pytest.raises(NotImplementedError):
        ga.check_dcgan_models(_stub, ref.build_discriminator)
    with pytest.raises(NotImplementedError):
        ga.check_dcgan_models(ref.build_generator, _stub)


# ---------------------------------------------------------------- reference train step and average
def test_train_step_trains_and_averages():
    keras.utils.set_random_seed(0)
    g, d = ref.build_generator(8, 4), ref.build_discriminator(4)
    avg = ref.averaged_copy(g)
    before = [w.copy() for w in avg.get_weights()]
    step = ref.make_train_step(g, d, keras.optimizers.Adam(1e-3), keras.optimizers.Adam(1e-3), ema_generator=avg,
                               latent_dim=8)
    real = np.random.default_rng(0).uniform(-1, 1, (16, 28, 28, 1)).astype("float32")
    out = step(real)
    assert set(out) == {"d_loss", "g_loss", "d_acc_real", "d_acc_fake"}
    assert all(np.isfinite(float(v)) for v in out.values())
    # after one step t = 1: the average moved (1 - 2/11) of the way to the trained weights
    decay = 2 / 11
    for w_avg, w0, w in zip(avg.get_weights(), before, g.get_weights()):
        np.testing.assert_allclose(w_avg, decay * w0 + (1 - decay) * w, rtol=1e-5, atol=1e-6)


def test_train_step_refuses_a_shared_optimiser_and_a_bad_decay():
    g, d = ref.build_generator(8, 4), ref.build_discriminator(4)
    opt = keras.optimizers.Adam()
    with pytest.raises(ValueError, match="same object"):
        ref.make_train_step(g, d, opt, opt, latent_dim=8)
    with pytest.raises(ValueError, match="ema_decay"):
        ref.make_train_step(g, d, keras.optimizers.Adam(), keras.optimizers.Adam(), ema_decay=1.0, latent_dim=8)
