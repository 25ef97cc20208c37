"""Checks for notebook 05 (Keras on MNIST): preprocessing images, building a two-layer Keras classifier, and a
confusion matrix in NumPy.

Each check tests behaviour with inputs it makes itself: random uint8 images for ``preprocess``, a short real training
run on a few hundred MNIST images (from the verified ``data/mnist.npz``) for ``build_mlp``, and random labels whose
counts the check computes itself for ``confusion_matrix``. No check compares against a stored answer.
Keras is imported inside the checks that need it, so importing :mod:`utils.checks` stays cheap.
"""
from __future__ import annotations

from typing import Any, Callable

import numpy as np

from utils.checks.core import exercise

N_CLASSES = 10
IMAGE_SHAPE = (28, 28)

TRAIN_IMAGES = 1000
"""Images the build_mlp check trains on (the first ones of the MNIST training set)."""
HELD_OUT_IMAGES = 1000
"""Images the build_mlp check measures accuracy on (the first ones of the MNIST test set)."""
TRAIN_EPOCHS = 5
ACCURACY_FLOOR = 0.6
"""Held-out accuracy the build_mlp check requires after TRAIN_EPOCHS epochs (chance is 0.1; a working
784-32-10 network reaches about 0.85 here)."""
BUILD_MLP_TIME_LIMIT = 120.0
"""Seconds the build_mlp check may run: a cold Keras import, 4 models and 5 epochs took 9.5 s on a busy 2-core
machine; about 10 times that, rounded up (the environment variable NNCOURSE_CHECK_TIME_LIMIT overrides it)."""


# --------------------------------------------------------------------------- 05.1 preprocess
@exercise("05", 1, "Preprocess uint8 images")
def check_preprocess(preprocess: Callable[[np.ndarray], Any]) -> str:
    """``preprocess(x_uint8)`` -> float32 array in [0, 1], shape (n, 28, 28, 1) or (n, 784), equal to x / 255.

    The reference ``x / 255`` is computed here from random images (with 0 and 255 always present). The input must not
    be modified in place.
    """
    rng = np.random.default_rng(505)
    for n in (7, 1):
        x = rng.integers(0, 256, size=(n, *IMAGE_SHAPE), dtype=np.uint8)
        x.flat[0], x.flat[-1] = 0, 255
        original = x.copy()
        out = preprocess(x)
        assert out is not None, "preprocess returned None: did you forget `return`?"
        assert np.array_equal(x, original), "preprocess changed its input array in place; work on a copy"
        assert isinstance(out, np.ndarray), f"preprocess must return a NumPy array, got {type(out).__name__}"
        assert out.dtype == np.float32, (f"the result has dtype {out.dtype}, expected float32 (Keras computes in "
                                         f"float32; use .astype('float32'))")
        allowed = [(n, *IMAGE_SHAPE, 1), (n, IMAGE_SHAPE[0] * IMAGE_SHAPE[1])]
        assert out.shape in allowed, (f"for {n} image(s) of shape {x.shape} the result has shape {out.shape}, "
                                      f"expected {allowed[0]} (a channel axis) or {allowed[1]} (flattened)")
        lo, hi = float(out.min()), float(out.max())
        assert lo >= 0.0 and hi <= 1.0, (f"values must lie in [0, 1], got {lo:.4g} to {hi:.4g}: divide the "
                                         f"uint8 pixels (0..255) by 255")
        want = (original.astype(np.float64) / 255.0).reshape(out.shape)
        worst = float(np.max(np.abs(out.astype(np.float64) - want)))
        assert worst < 1e-6, (f"the values differ from pixel / 255 by up to {worst:.3g}; each output value must be "
                              f"its pixel divided by 255, in the same order (reshape, do not transpose)")
    return "float32 in [0, 1], pixel / 255, right shape, input left untouched"


# --------------------------------------------------------------------------- 05.2 build_mlp
def _mnist_subset() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The check's own tiny MNIST split: float32 images in [0, 1] of shape (n, 28, 28), integer labels."""
    from utils.data import load_mnist

    m = load_mnist()
    x_tr = m.x_train[:TRAIN_IMAGES].astype(np.float32) / 255.0
    x_te = m.x_test[:HELD_OUT_IMAGES].astype(np.float32) / 255.0
    return x_tr, m.y_train[:TRAIN_IMAGES].astype(np.int64), x_te, m.y_test[:HELD_OUT_IMAGES].astype(np.int64)


def _fit_input(model: Any, images: np.ndarray) -> np.ndarray:
    """Reshape (n, 28, 28) float32 images to what the model's input expects: (28, 28, 1), (28, 28) or (784,)."""
    try:
        shape = tuple(model.input_shape)[1:]
    except Exception as exc:  # a model with no defined input
        raise AssertionError("the model has no fixed input shape: start it with keras.Input(shape=(28, 28, 1))"
                             ) from exc
    for want in [(28, 28, 1), (28, 28), (784,)]:
        if shape == want:
            return images.reshape((len(images), *want))
    raise AssertionError(f"the model's input shape is {shape}; expected images of shape (28, 28, 1) (or (28, 28) "
                         f"or (784,)): use keras.Input(shape=(28, 28, 1))")


def _count_params(model: Any) -> int:
    return int(sum(int(np.prod(w.shape)) for w in model.weights if w.trainable))


@exercise("05", 2, "A two-layer Keras classifier", time_limit=BUILD_MLP_TIME_LIMIT)
def check_build_mlp(build_mlp: Callable[[int, float], Any]) -> str:
    """``build_mlp(hidden_units, dropout)`` -> a compiled Keras model, images -> (n, 10) class probabilities.

    Behaviour tested: the output has shape (n, 10), is non-negative and sums to 1 per row; the trainable parameter
    count is that of 784 -> hidden_units -> 10 dense layers (for two widths); dropout makes training-mode outputs
    random only when dropout > 0; and the model, fitted for a few epochs on 1,000 MNIST images with integer labels,
    classifies 1,000 other images well above chance (10 %).
    """
    import keras

    keras.utils.set_random_seed(5)
    x_tr, y_tr, x_te, y_te = _mnist_subset()
    for hidden in (16, 48):
        model = build_mlp(hidden, 0.0)
        assert model is not None, "build_mlp returned None: did you forget `return model`?"
        assert isinstance(model, keras.Model), f"build_mlp must return a keras model, got {type(model).__name__}"
        want = 784 * hidden + hidden + hidden * N_CLASSES + N_CLASSES
        got = _count_params(model)
        assert got == want, (f"build_mlp({hidden}, 0.0) has {got:,} trainable parameters, expected {want:,} for "
                             f"784 inputs -> Dense({hidden}) -> Dense(10): one hidden layer of hidden_units units")
    batch = _fit_input(model, x_te[:32])
    probs = np.asarray(model(batch, training=False))
    assert probs.shape == (32, N_CLASSES), f"32 images give outputs of shape {probs.shape}, expected (32, 10)"
    assert np.all(probs >= 0) and np.allclose(probs.sum(axis=1), 1.0, atol=1e-4), \
        "each output row must be probabilities summing to 1: end with Dense(10, activation='softmax')"
    assert getattr(model, "compiled", False) and getattr(model, "optimizer", None) is not None, \
        "the model is not compiled: call model.compile(optimizer=..., loss=..., metrics=['accuracy']) before return"

    plain, dropped = build_mlp(32, 0.0), build_mlp(32, 0.5)
    b = _fit_input(plain, x_te[:16])
    same = np.allclose(np.asarray(plain(b, training=True)), np.asarray(plain(b, training=True)))
    assert same, "with dropout=0.0 two training-mode calls give different outputs: add Dropout only if dropout > 0"
    b = _fit_input(dropped, x_te[:16])
    differ = not np.allclose(np.asarray(dropped(b, training=True)), np.asarray(dropped(b, training=True)))
    assert differ, ("with dropout=0.5 two training-mode calls give identical outputs: put "
                    "keras.layers.Dropout(dropout) after the hidden layer")

    model = build_mlp(32, 0.1)
    xf, xt = _fit_input(model, x_tr), _fit_input(model, x_te)
    history = model.fit(xf, y_tr, epochs=TRAIN_EPOCHS, batch_size=32, verbose=0)
    losses = history.history.get("loss", [])
    assert len(losses) == TRAIN_EPOCHS and losses[-1] < losses[0], \
        f"the training loss did not fall ({losses}): check the loss and the optimizer's learning rate"
    acc = float(np.mean(np.argmax(np.asarray(model.predict(xt, verbose=0)), axis=1) == y_te))
    assert acc >= ACCURACY_FLOOR, (f"after {TRAIN_EPOCHS} epochs on {TRAIN_IMAGES} images the model gets only "
                                   f"{acc:.1%} of {HELD_OUT_IMAGES} other images right (expected at least "
                                   f"{ACCURACY_FLOOR:.0%}); check the activations (relu, then softmax), the loss "
                                   f"(sparse_categorical_crossentropy for integer labels) and the learning rate")
    return (f"(n, 10) probabilities, 784-h-10 parameters, dropout works, {acc:.1%} held-out accuracy after "
            f"{TRAIN_EPOCHS} epochs on {TRAIN_IMAGES} images")


# --------------------------------------------------------------------------- 05.3 confusion matrix
@exercise("05", 3, "Confusion matrix in NumPy")
def check_confusion_matrix(confusion_matrix: Callable[[np.ndarray, np.ndarray, int], Any]) -> str:
    """``confusion_matrix(y_true, y_pred, n_classes)`` -> int array (n_classes, n_classes), ``C[i, j]`` = number of
    examples of true class i predicted as class j.

    The reference counts are computed here with a plain loop over random labels; cases include classes that never
    occur (so the size must come from n_classes, not from the labels) and a non-symmetric matrix (so a transposed
    result fails).
    """
    rng = np.random.default_rng(5053)
    cases = [(rng.integers(0, 10, 500), rng.integers(0, 10, 500), 10),
             (rng.integers(0, 3, 40), rng.integers(0, 3, 40), 5),     # classes 3 and 4 never occur
             (np.array([0, 0, 1, 2, 2, 2]), np.array([1, 1, 1, 0, 2, 2]), 3),
             (np.array([4]), np.array([4]), 6)]
    for y_true, y_pred, k in cases:
        want = np.zeros((k, k), dtype=np.int64)
        for t, p in zip(y_true, y_pred):
            want[t, p] += 1
        got = confusion_matrix(y_true.copy(), y_pred.copy(), k)
        assert got is not None, "confusion_matrix returned None: did you forget `return`?"
        got = np.asarray(got)
        assert got.shape == (k, k), (f"with n_classes={k} the result has shape {got.shape}, expected ({k}, {k}); "
                                     f"take the size from n_classes, not from the labels seen")
        assert got.dtype.kind in "iu", f"counts must be integers, got dtype {got.dtype} (use dtype=int)"
        assert int(got.sum()) == len(y_true), (f"the counts add up to {int(got.sum())}, expected one per example "
                                               f"({len(y_true)})")
        if not np.array_equal(got, want):
            hint = ("it is transposed: rows are the TRUE classes, columns the PREDICTED ones"
                    if np.array_equal(got, want.T) else "some counts are wrong")
            raise AssertionError(f"C[i, j] must count examples with true class i predicted as j; {hint}")
    return "counts match on 4 random and hand-made cases, rows = true class, columns = prediction"
