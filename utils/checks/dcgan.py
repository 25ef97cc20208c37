"""Checks for notebook 10 (DCGAN): a transposed convolution's output size, which kernels overlap evenly, and the
generator and discriminator built to the notebook's shape plan.

Every check calls the student's code on inputs it builds itself and tests what the result *does*: sizes against
real ``keras.layers.Conv2DTranspose`` layers, tap counts from a transposed convolution of a ones image, the
models' layer order, output shapes and weight counts (computed here from the plan, at two sizes, so a model
that hard-codes the notebook's sizes fails), and a short training run that must bring the Fréchet distance
(FD) on the course's evaluator down to a stated goal. TensorFlow/Keras are imported inside the checks, so
importing this module stays cheap.
"""
from __future__ import annotations

from typing import Any, Callable, Sequence

import numpy as np

from utils.checks.asserts import fail, require_answer
from utils.checks.core import TENSORFLOW_TIME_LIMIT, exercise

# ------------------------------------------------------------------------------------------------ 10.1
SIZE_CASES: tuple[tuple[int, int, int, str], ...] = (
    (7, 4, 2, "same"), (14, 5, 2, "same"), (7, 3, 1, "same"), (4, 4, 4, "same"),
    (7, 4, 2, "valid"), (3, 3, 2, "valid"), (5, 5, 1, "valid"),
    (7, 1, 2, "valid"), (5, 2, 3, "valid"),            # kernel shorter than the stride: gaps between stamps
)
"""(size, kernel, stride, padding) cases of exercise 10.1; Keras computes the expected answer for each."""


@exercise("10", 1, "Transposed-convolution output size", time_limit=TENSORFLOW_TIME_LIMIT)
def check_conv_transpose_size(conv_transpose_size: Callable[[int, int, int, str], int]) -> str:
    """``conv_transpose_size(size, kernel, stride, padding)``: the side length a Keras ``Conv2DTranspose`` outputs.

    Compared with the shape a real ``keras.layers.Conv2DTranspose`` produces, for "same" and "valid" padding,
    including kernels shorter than the stride.
    """
    import keras

    for size, kernel, stride, padding in SIZE_CASES:
        got = conv_transpose_size(size, kernel, stride, padding)
        assert got is not None, "conv_transpose_size returned None: did you forget `return`?"
        assert not isinstance(got, bool) and np.ndim(got) == 0 and float(got) == int(got), (
            f"conv_transpose_size({size}, {kernel}, {stride}, {padding!r}) returned {got!r}: return one whole "
            f"number, the side length")
        layer = keras.layers.Conv2DTranspose(1, kernel, strides=stride, padding=padding)
        want = int(layer.compute_output_shape((None, size, size, 1))[1])
        if int(got) == want:
            continue
        if padding == "valid" and kernel < stride and int(got) == (size - 1) * stride + kernel:
            hint = (f"here the kernel ({kernel}) is shorter than the stride ({stride}): the stamps leave gaps, and "
                    f"Keras keeps the gap after the last stamp too, so every input pixel owns a full stride of "
                    f"output")
        elif padding == "same":
            hint = "with 'same' padding, Keras makes the output exactly stride times the input"
        else:
            hint = (f"with 'valid' padding, stamps of width {kernel} start {stride} pixels apart, one per input "
                    f"pixel: where does the last one end?")
        fail(f"a Conv2DTranspose with kernel {kernel}, stride {stride}, padding '{padding}' turns a {size}x{size} map "
             f"into {want}x{want}, your function says {got}: {hint}")
    return ("matches Keras for 'same' (size × stride) and 'valid' ((size − 1) × stride + the kernel, or a full "
            "stride when the kernel is shorter)")


# ------------------------------------------------------------------------------------------------ 10.2
OVERLAP_CANDIDATES: tuple[tuple[int, int], ...] = ((5, 2), (6, 2), (6, 4), (9, 3), (1, 2), (8, 4))
"""The (kernel, stride) pairs of exercise 10.2, in the order the notebook lists them."""


def interior_taps(kernel: int, stride: int, size: int = 12) -> np.ndarray:
    """How many kernel taps land on each interior output pixel along one row, measured with Keras.

    A ``Conv2DTranspose(1, kernel, strides=stride, padding="valid")`` with an all-ones kernel is applied to an
    all-ones ``size`` x ``size`` image; each output pixel then holds the number of (input pixel, kernel tap)
    pairs that write to it. Returns the values of the middle output row, without ``kernel`` pixels at either
    end (where fewer stamps reach): int array of shape (m,). Its product with itself is the 2-D picture.
    """
    import keras

    layer = keras.layers.Conv2DTranspose(1, (1, kernel), strides=(1, stride), padding="valid", use_bias=False,
                                         kernel_initializer="ones")
    row = np.asarray(layer(np.ones((1, 1, size, 1), "float32")))[0, 0, :, 0]
    return np.rint(row[kernel:-kernel]).astype(int)


def _as_pairs(answer: Any) -> set[tuple[int, int]]:
    try:
        pairs = {(int(k), int(s)) for k, s in answer}
    except (TypeError, ValueError):
        fail(f"even_overlap should be a list of (kernel, stride) pairs taken from the list above, "
             f"e.g. [(5, 2), (6, 2)]; got {answer!r}")
    unknown = sorted(pairs - set(OVERLAP_CANDIDATES))
    assert not unknown, (f"{unknown} {'is' if len(unknown) == 1 else 'are'} not among the pairs to judge: "
                         f"choose from {list(OVERLAP_CANDIDATES)}")
    return pairs


@exercise("10", 2, "Which kernels overlap evenly?", time_limit=TENSORFLOW_TIME_LIMIT)
def check_even_overlap(even_overlap: Sequence[tuple[int, int]] | None) -> str:
    """``even_overlap``: the (kernel, stride) pairs of :data:`OVERLAP_CANDIDATES` whose transposed convolution
    gives every interior output pixel the same number of kernel taps.

    The truth is measured on real Keras layers (:func:`interior_taps`), not stored.
    """
    require_answer(even_overlap, "even_overlap")
    chosen = _as_pairs(even_overlap)
    taps = {pair: interior_taps(*pair) for pair in OVERLAP_CANDIDATES}
    even = {pair for pair, t in taps.items() if t.min() == t.max()}
    wrong = [pair for pair in OVERLAP_CANDIDATES if (pair in chosen) != (pair in even)]
    if not wrong:
        return (f"{sorted(even)} overlap evenly: the kernel is a multiple of the stride, so every output pixel "
                f"is covered by kernel/stride stamps in each direction")
    lines = []
    for kernel, stride in wrong:
        row = taps[(kernel, stride)]
        counts = ", ".join(str(v) for v in row[:2 * stride])
        verdict = "evenly (the same count everywhere)" if (kernel, stride) in even else "unevenly"
        lines.append(f"kernel {kernel}, stride {stride}: along a row the interior pixels get {counts}, ... taps, "
                     f"so it overlaps {verdict}")
    fail(f"{len(wrong)} of your {len(OVERLAP_CANDIDATES)} judgements are off: " + "; ".join(lines)
         + ". Count, for one output pixel, how many stamps starting `stride` apart cover it")


# ------------------------------------------------------------------------------------------------ 10.3
TRAIN_STEPS, TRAIN_BATCH, TRAIN_SEED, TRAIN_SCORE_N = 300, 64, 0, 1_000
"""The check's own short training run of exercise 10.3: steps, batch size, seed, images scored."""
TRAIN_LATENT_DIM, TRAIN_WIDTH, TRAIN_DROPOUT = 32, 16, 0.1
"""The (smaller than the notebook's) sizes the check trains, so that its run takes seconds, not minutes."""
FD_GOAL = 350.0
"""FD the check's short run must reach (on :data:`TRAIN_SCORE_N` images). Measured for this check: an untrained
generator scores about 560; the reference models after 300 steps 166 to 235 (three runs, seeds 0 and 1, with
and without TensorFlow's oneDNN kernels)."""
SMALL_SIZES = (16, 8, 0.3)
"""(latent_dim, width, dropout) of the structural check at a second size."""


def _tokens(model: Any) -> list[tuple[str, Any]]:
    """The model's layers in order as (token, layer): its type, plus an extra token for a built-in activation."""
    import keras

    out: list[tuple[str, Any]] = []
    for layer in model.layers:
        kind = type(layer).__name__
        if kind == "InputLayer":
            continue
        if isinstance(layer, keras.Model):
            out += _tokens(layer)
            continue
        if kind == "Activation":
            name = getattr(layer.activation, "__name__", "?")
            out.append(("LeakyReLU" if name == "leaky_relu" else name, layer))
            continue
        out.append((kind, layer))
        act = getattr(layer, "activation", None)
        name = getattr(act, "__name__", "linear") if act is not None else "linear"
        if name != "linear":
            out.append(("LeakyReLU" if name == "leaky_relu" else name, layer))
    return out


def _generator_plan(latent_dim: int, width: int) -> list[tuple[str, tuple[int, ...] | None, int | None]]:
    """(token, output shape without the batch, weights) of each step of the generator's plan."""
    w2 = 2 * width
    bn = lambda c, shape: ("BatchNormalization", shape, 4 * c)  # noqa: E731  (gamma, beta, moving mean and var)
    act = ("LeakyReLU", None, None)
    return [("Dense", (7 * 7 * w2,), latent_dim * 7 * 7 * w2), bn(7 * 7 * w2, (7 * 7 * w2,)), act,
            ("Reshape", (7, 7, w2), 0),
            ("Conv2DTranspose", (7, 7, w2), 16 * w2 * w2), bn(w2, (7, 7, w2)), act,
            ("Conv2DTranspose", (14, 14, width), 16 * w2 * width), bn(width, (14, 14, width)), act,
            ("Conv2DTranspose", (28, 28, 1), 16 * width + 1), ("tanh", None, None)]


def _discriminator_plan(width: int) -> list[tuple[str, tuple[int, ...] | None, int | None]]:
    """(token, output shape without the batch, weights) of each step of the discriminator's plan."""
    plan: list[tuple[str, tuple[int, ...] | None, int | None]] = []
    c_in, side = 1, 28
    for c in (width, 2 * width, 4 * width):
        side = (side + 1) // 2
        plan += [("Conv2D", (side, side, c), 16 * c_in * c + c), ("LeakyReLU", None, None), ("Dropout", None, None)]
        c_in = c
    return plan + [("Flatten", (side * side * c_in,), 0), ("Dense", (1,), side * side * c_in + 1)]


def _advice(token: str, position: int, got: list[str], expected: list[str], player: str) -> str:
    if token == "tanh":
        return "end with activation='tanh' on the last Conv2DTranspose, so pixels lie in [-1, 1] like the data"
    if "BatchNormalization" in got and player == "discriminator":
        return "the discriminator has no BatchNorm (its batches are all-real or all-fake)"
    if got[position:position + 1] == ["LeakyReLU"] and token == "BatchNormalization":
        return "the plan puts BatchNorm before LeakyReLU, and no activation inside the Dense/Conv2DTranspose layer"
    return "follow the table's rows in order, one layer per row (LeakyReLU and Dropout are layers of their own)"


def _check_structure(model: Any, plan: list[tuple[str, Any, Any]], player: str, sizes: str) -> None:
    """Layer order, each layer's output shape and weight count against ``plan``; AssertionError naming the row."""
    import keras

    assert model is not None, f"build_{player} returned None: did you forget `return`?"
    assert isinstance(model, keras.Model), (f"build_{player} must return a Keras model (keras.Sequential([...])), "
                                            f"got {type(model).__name__}")
    tokens = _tokens(model)
    got, expected = [t for t, _ in tokens], [t for t, _, _ in plan]
    if got != expected:
        i = next((i for i, (a, b) in enumerate(zip(got, expected)) if a != b), min(len(got), len(expected)))
        found = got[i] if i < len(got) else "nothing"
        want = expected[i] if i < len(expected) else "the end of the model"
        fail(f"the {player} ({sizes}) has the layers {' → '.join(got)}; the plan is {' → '.join(expected)}. At "
             f"position {i + 1} the plan has {want}, yours {found}: "
             f"{_advice(want, i, got, expected, player)}")
    for row, ((token, layer), (_, shape, weights)) in enumerate(zip(tokens, plan), start=1):
        if token == "LeakyReLU":
            slope = float(getattr(layer, "negative_slope", 0.2))
            assert abs(slope - 0.2) < 1e-6, (f"the {player}'s LeakyReLU at position {row} has slope {slope:g}; the "
                                             f"recipe uses LeakyReLU(0.2)")
        if shape is None or layer is None or token in ("tanh",):
            continue
        try:
            out_shape = tuple(int(d) for d in layer.output.shape[1:])
        except Exception:  # a layer that was never connected to an input
            fail(f"the {player}'s layers have no known output shape: start the model with "
                 f"keras.Input(...) (keras.Sequential([keras.Input(shape), ...]))")
        n = int(layer.count_params())
        if out_shape != shape:
            tip = ("check strides (1 at 7x7, then 2) and padding='same'" if token.startswith("Conv")
                   else "check the number of units / the target shape")
            fail(f"the {player} ({sizes}): its {token} at position {row} outputs {out_shape}, the "
                 f"plan says {shape}: {tip}")
        if n != weights:
            if token == "Conv2DTranspose" and row < len(plan) - 1 and n == weights + shape[-1]:
                tip = "it has a bias: give layers followed by BatchNorm use_bias=False (BatchNorm's shift replaces it)"
            elif token == "Dense" and player == "generator" and n == weights + shape[-1]:
                tip = "it has a bias: use_bias=False, since BatchNorm follows"
            elif token == "Conv2DTranspose" and row == len(plan) - 1 and n == weights - 1:
                tip = "the last layer keeps its bias (no BatchNorm follows it)"
            elif token.startswith("Conv"):
                tip = "check the kernel size (4) and the number of filters"
            else:
                tip = "check the number of units"
            fail(f"the {player} ({sizes}): its {token} at position {row} has {n:,} weights, the "
                 f"plan says {weights:,}: {tip}")


def _check_dropout_rate(model: Any, dropout: float, sizes: str) -> None:
    for token, layer in _tokens(model):
        if token == "Dropout":
            rate = float(layer.rate)
            assert abs(rate - dropout) < 1e-9, (f"build_discriminator(..., dropout={dropout}) ({sizes}) made a "
                                                f"Dropout({rate:g}): use the `dropout` argument, not a fixed rate")


@exercise("10", 3, "DCGAN generator and discriminator to the plan", time_limit=300.0)
def check_dcgan_models(build_generator: Callable[..., Any], build_discriminator: Callable[..., Any]) -> str:
    """``build_generator(latent_dim, width)`` and ``build_discriminator(width, dropout)``: the shape plan of
    notebook 10, at two sizes, then a short training run that must reach :data:`FD_GOAL`.

    The run: seed :data:`TRAIN_SEED`, the models at :data:`TRAIN_LATENT_DIM` / :data:`TRAIN_WIDTH`,
    :data:`TRAIN_STEPS` steps of batch :data:`TRAIN_BATCH` with the course's train step
    (:func:`utils.reference.dcgan.make_train_step`, Adam(1e-3, beta_1 0.5)), then the FD of
    :data:`TRAIN_SCORE_N` samples of the trained generator on :class:`utils.gan_eval.MnistScorer`.
    """
    import keras

    from utils import gan
    from utils.gan_eval import MnistScorer
    from utils.reference.dcgan import make_train_step

    for latent_dim, width, dropout in (SMALL_SIZES, (TRAIN_LATENT_DIM, TRAIN_WIDTH, TRAIN_DROPOUT)):
        keras.utils.set_random_seed(TRAIN_SEED)
        g, d = build_generator(latent_dim, width), build_discriminator(width, dropout)
        _check_structure(g, _generator_plan(latent_dim, width), "generator", f"latent_dim={latent_dim}, width={width}")
        _check_structure(d, _discriminator_plan(width), "discriminator", f"width={width}, dropout={dropout}")
        _check_dropout_rate(d, dropout, f"width={width}")
        z = np.random.default_rng(0).normal(0.0, 3.0, (32, latent_dim)).astype("float32")
        images = np.asarray(g(z, training=False), dtype=np.float64)
        assert images.shape == (32, 28, 28, 1), f"the generator made images of shape {images.shape[1:]}, not (28, 28, 1)"
        assert np.all(np.abs(images) <= 1 + 1e-5) and images.min() < 0 < images.max(), (
            f"the generator's pixels range from {images.min():.3g} to {images.max():.3g}: end with tanh")
        logits = np.asarray(d(images.astype("float32"), training=False))
        assert logits.shape == (32, 1), f"the discriminator returned shape {logits.shape} for 32 images, not (32, 1)"
    n_g, n_d = g.count_params(), d.count_params()

    # The models of the last size (TRAIN_*) train for a short, seeded run.
    scorer = MnistScorer.load()
    step = make_train_step(g, d, keras.optimizers.Adam(1e-3, beta_1=0.5), keras.optimizers.Adam(1e-3, beta_1=0.5),
                           latent_dim=TRAIN_LATENT_DIM)
    hist = gan.train_gan(step, gan.mnist_dataset(TRAIN_BATCH, value_range=(-1, 1), seed=TRAIN_SEED),
                         steps=TRAIN_STEPS, generator=g, fixed_noise=np.zeros((1, TRAIN_LATENT_DIM), "float32"),
                         description="check 10.3: short training run")
    losses = hist.metric("d_loss")
    assert np.all(np.isfinite(losses)), "the losses became NaN or inf during the check's short training run"
    fd = scorer.score_generator(g, TRAIN_LATENT_DIM, n=TRAIN_SCORE_N, output="tanh", seed=0).frechet_distance
    assert fd <= FD_GOAL, (
        f"your models follow the plan, but after the check's {TRAIN_STEPS} training steps your generator reached "
        f"FD {fd:.0f}, above the goal of {FD_GOAL:.0f} (untrained: about 560; the course's models: 166 to 235). "
        f"Look for a layer that is frozen (trainable=False) or an initializer that is not the default")
    return (f"both follow the plan at two sizes (generator {n_g:,} weights, discriminator {n_d:,} at width "
            f"{TRAIN_WIDTH}); {TRAIN_STEPS} training steps reached FD {fd:.0f} ≤ {FD_GOAL:.0f}")
