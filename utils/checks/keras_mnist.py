"""Checks for notebook 05 (Keras on MNIST): preprocessing images (05.1), a two-layer Keras classifier (05.2), a CNN's
parameter count (05.3), a confusion matrix (05.4), a ``tf.GradientTape`` step (05.5) and the epoch loop (05.6).

Each check tests behaviour on inputs it makes itself (random uint8 images; a short training run on a few hundred
images of the verified ``data/mnist.npz``; the model's own layers; random labels; a step taken with its own tape),
never against a stored answer. Keras is imported inside the checks, so importing :mod:`utils.checks` stays cheap.
"""
from __future__ import annotations

from typing import Any, Callable

import numpy as np

from utils.checks.asserts import assert_finite_result, expect, fail
from utils.checks.core import TENSORFLOW_TIME_LIMIT, exercise

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
def _mnist_subset(n_train: int = TRAIN_IMAGES) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The check's own tiny MNIST split: the first ``n_train`` training and HELD_OUT_IMAGES test images as float32
    in [0, 1] of shape (n, 28, 28), and their integer labels."""
    from utils.data import load_mnist

    m = load_mnist()
    x_tr = m.x_train[:n_train].astype(np.float32) / 255.0
    x_te = m.x_test[:HELD_OUT_IMAGES].astype(np.float32) / 255.0
    return x_tr, m.y_train[:n_train].astype(np.int64), x_te, m.y_test[:HELD_OUT_IMAGES].astype(np.int64)


def _fit_input(model: Any, images: np.ndarray) -> np.ndarray:
    """Reshape (n, 28, 28) float32 images to what the model's input expects: (28, 28, 1), (28, 28) or (784,)."""
    try:
        shape = tuple(model.input_shape)[1:]
    except Exception:  # a model with no defined input
        fail("the model has no fixed input shape: start it with keras.Input(shape=(28, 28, 1))")
    for want in [(28, 28, 1), (28, 28), (784,)]:
        if shape == want:
            return images.reshape((len(images), *want))
    fail(f"the model's input shape is {shape}; expected images of shape (28, 28, 1) (or (28, 28) or (784,)): use "
         f"keras.Input(shape=(28, 28, 1))")


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


# --------------------------------------------------------------------------- 05.3 predict the CNN's parameters
def _layer_hint(layer: Any, guess: int, actual: int) -> str:
    """Why ``guess`` differs from the ``actual`` parameter count of a Conv2D or Dense ``layer``: the likely slip."""
    shape = tuple(int(d) for d in layer.kernel.shape)
    out = shape[-1]
    weights = int(np.prod(shape))
    if len(shape) == 4:
        kh, kw, c_in, _ = shape
        if guess == weights:
            return f"you left out the biases: one per filter, {out} here"
        if guess in (kh * kw * out, kh * kw * out + out):
            return (f"each {kh}×{kw} filter looks at all {c_in} channels of its input, so it has {kh}×{kw}×{c_in} "
                    f"weights, plus one bias")
        return ("a Conv2D layer has (kernel height × kernel width × input channels + 1 bias) × filters parameters; "
                "the image size does not matter (the same filters slide everywhere)")
    fan_in = shape[0]
    if guess == weights:
        return f"you left out the biases: one per unit, {out} here"
    if guess % out == 0 and guess // out - 1 != fan_in:
        return (f"your count means {guess // out - 1:,} inputs per unit (+1 bias), which is not what reaches this layer: "
                f"follow the shape through the layers (a 3×3 convolution without padding shrinks each side by 2, "
                f"pooling halves it, rounding down; Flatten multiplies height × width × channels)")
    return "a Dense layer has (inputs + 1 bias) × units parameters"


@exercise("05", 3, "Predict the CNN's parameter count", time_limit=TENSORFLOW_TIME_LIMIT)
def check_cnn_params(predict_cnn_params: Callable[[], Any], model: Any) -> str:
    """``predict_cnn_params()`` -> the trainable parameter count of each layer of ``model`` that has weights, in
    order (4 numbers for the notebook's CNN: two Conv2D layers, two Dense layers), worked out by hand.

    The counts it is compared with are read off ``model``'s layers here; each wrong number gets a hint from that
    layer's kernel shape (biases left out, input channels forgotten, a wrong size after Flatten).
    """
    with_weights = [layer for layer in model.layers if layer.trainable_weights]
    actual = [int(sum(int(np.prod(w.shape)) for w in layer.trainable_weights)) for layer in with_weights]
    guess = predict_cnn_params()
    assert guess is not None, "predict_cnn_params returned None: did you forget `return`?"
    try:
        numbers = [float(g) for g in guess]
    except TypeError:
        fail(f"return a list of {len(actual)} numbers, one per layer with weights "
             f"({', '.join(type(layer).__name__ for layer in with_weights)}), "
             f"got {type(guess).__name__}")
    assert len(numbers) == len(actual), (f"you gave {len(numbers)} numbers; the model has {len(actual)} layers with "
                                         f"weights ({', '.join(layer.name for layer in with_weights)}); pooling, "
                                         f"Flatten and Dropout have none")
    for layer, g, a in zip(with_weights, numbers, actual):
        assert g == int(g), f"parameter counts are whole numbers, you gave {g} for layer {layer.name!r}"
        if int(g) != a:  # (the hint is worked out only for a wrong count)
            fail(f"layer {layer.name!r} ({type(layer).__name__}): you predicted {int(g):,}, which is not right; "
                 f"{_layer_hint(layer, int(g), a)}")
    return f"all {len(actual)} layers right: {sum(actual):,} parameters in total"


# --------------------------------------------------------------------------- 05.4 confusion matrix
@exercise("05", 4, "Confusion matrix in NumPy")
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
            fail(f"C[i, j] must count examples with true class i predicted as j; {hint}")
    return "counts match on 4 random and hand-made cases, rows = true class, columns = prediction"


# --------------------------------------------------------------------------- 05.5 one training step
STEP_LEARNING_RATE = 0.1
"""Learning rate of the SGD optimizer the train-step check hands to ``make_train_step``."""


def _training_flag_layer() -> Any:
    """A Keras layer that passes its input through and records the ``training`` flag it was called with."""
    import keras

    class RecordsTraining(keras.layers.Layer):
        def __init__(self, **kwargs: Any) -> None:
            super().__init__(**kwargs)
            self.seen: list[Any] = []

        def call(self, x: Any, training: Any = None) -> Any:
            self.seen.append(training)
            return x

    return RecordsTraining(name="records_training")


@exercise("05", 5, "One training step with GradientTape", time_limit=TENSORFLOW_TIME_LIMIT)
def check_train_step(make_train_step: Callable[[Any, Any, Any], Any]) -> str:
    """``make_train_step(model, optimizer, loss_fn)`` -> a ``tf.function`` ``train_step(x, y)`` that does one
    gradient step and returns the batch loss computed before the step.

    Behaviour tested on a small model (6 -> 5 ReLU -> 3 logits, plain SGD with learning rate 0.1): the returned loss
    equals the loss the check computes itself; every weight moves to ``w - 0.1 · dL/dw`` with the gradient the check
    computes with its own ``tf.GradientTape``; the model is called with ``training=True``; the step is compiled with
    ``tf.function``; and 30 steps on one batch lower its loss.
    """
    import keras
    import tensorflow as tf

    keras.utils.set_random_seed(55)
    flag = _training_flag_layer()
    model = keras.Sequential([keras.Input(shape=(6,)), keras.layers.Dense(5, activation="relu"), flag,
                              keras.layers.Dense(3)])
    loss_fn = keras.losses.SparseCategoricalCrossentropy(from_logits=True)
    rng = np.random.default_rng(5055)
    x = tf.constant(rng.normal(size=(8, 6)).astype(np.float32))
    y = tf.constant(rng.integers(0, 3, 8).astype(np.int64))

    before = [v.numpy().copy() for v in model.trainable_variables]
    with tf.GradientTape() as tape:
        loss = loss_fn(y, model(x, training=True))
    grads = [g.numpy() for g in tape.gradient(loss, model.trainable_variables)]
    want_loss = float(loss)
    flag.seen.clear()

    step = make_train_step(model, keras.optimizers.SGD(STEP_LEARNING_RATE), loss_fn)
    assert step is not None, "make_train_step returned None: did you forget `return train_step`?"
    assert callable(step), f"make_train_step must return a function train_step(x, y), got {type(step).__name__}"
    try:
        result = step(x, y)
    except ValueError as err:
        if "No gradients provided" not in str(err):
            raise
        fail("no gradients reached the optimizer: compute the loss *inside* the `with tf.GradientTape() as tape:` "
             "block (the tape only sees what runs inside it), then call tape.gradient(loss, model.trainable_variables)")
    got = assert_finite_result(result, "train_step(x, y)", "the batch loss (one number)")
    assert got.size == 1, (f"train_step(x, y) returned an array of shape {got.shape}; return the batch loss, one "
                           f"number (what loss_fn(y, predictions) gives)")
    got_loss = float(got.reshape(-1)[0])
    after = [v.numpy() for v in model.trainable_variables]
    moved = [not np.allclose(a, b) for a, b in zip(after, before)]
    assert any(moved), ("the weights did not change: after tape.gradient, call "
                        "optimizer.apply_gradients(zip(gradients, model.trainable_variables))")
    assert all(moved), (f"only {sum(moved)} of {len(moved)} weight arrays changed: take the gradient with respect "
                        f"to all of model.trainable_variables and apply all of them")
    downhill = [b - STEP_LEARNING_RATE * g for b, g in zip(before, grads)]
    uphill = [b + STEP_LEARNING_RATE * g for b, g in zip(before, grads)]
    expect(not all(np.allclose(a, u, atol=1e-5) for a, u in zip(after, uphill)), "the weights moved uphill (w + lr "
           "· gradient): take the gradient of the loss itself and let the optimizer subtract it")
    if not all(np.allclose(a, d, atol=1e-5) for a, d in zip(after, downhill)):
        worst = max(float(np.max(np.abs(a - d))) for a, d in zip(after, downhill))
        fail(f"after one step the weights differ from w - lr · dL/dw by up to {worst:.3g}: compute the loss inside "
             f"`with tf.GradientTape() as tape:` from model(x, training=True) and loss_fn(y, predictions), then take "
             f"tape.gradient of that loss; apply each gradient once")
    assert abs(got_loss - want_loss) < 1e-4 * max(1.0, abs(want_loss)), (
        f"train_step returned {got_loss:.5f}, but the batch loss before the step is {want_loss:.5f}: return the loss "
        f"computed inside the tape (loss_fn(y, predictions), in that order)")
    assert flag.seen and all(s is True for s in flag.seen), (
        f"the model was called with training={flag.seen[-1] if flag.seen else None!r}: call model(x, training=True) "
        f"inside the step, so that Dropout (and BatchNormalization) behave as in training")
    expect(callable(getattr(step, "get_concrete_function", None)),  # (a tf.function has it)
           "train_step works, but it is plain Python: compile it with @tf.function (put the decorator on the inner "
           "def) so TensorFlow builds the graph once and reuses it")
    first = got_loss
    for _ in range(30):
        last = float(np.asarray(step(x, y)).reshape(-1)[0])
    assert last < first, f"30 steps on one batch did not lower its loss ({first:.4f} -> {last:.4f})"
    return (f"one step equals w - {STEP_LEARNING_RATE} · dL/dw for all {len(before)} weight arrays, returns the "
            f"batch loss, training=True, compiled with tf.function; 30 steps: loss {first:.3f} -> {last:.3f}")


# --------------------------------------------------------------------------- 05.6 the epoch loop
LOOP_TRAIN_IMAGES = 3000
"""Images the train-loop check trains on (the first ones of the MNIST training set), in batches of 64."""
LOOP_EPOCHS = 3
LOOP_LEARNING_RATE = 2e-3
LOOP_ACCURACY_FLOOR = 0.85
"""Held-out accuracy a 784-64-10 network must reach after LOOP_EPOCHS epochs of the student's loop with Adam
(LOOP_LEARNING_RATE) on LOOP_TRAIN_IMAGES images (chance: 0.10; the reference loop reaches 0.89)."""
TRAIN_LOOP_TIME_LIMIT = 120.0
"""Seconds the train-loop check may run (the training budget): it took about 5 s on a busy 2-core machine."""


@exercise("05", 6, "A training loop over a tf.data set", time_limit=TRAIN_LOOP_TIME_LIMIT)
def check_train_loop(train_loop: Callable[[Any, Any, int], Any]) -> str:
    """``train_loop(train_step, dataset, epochs)`` -> list of the mean batch loss of each epoch, calling
    ``train_step(x, y)`` (which returns the batch loss) once per batch of ``dataset``, every epoch.

    The steps handed to it are made by the course's ``make_train_step``, so this check does not depend on 05.5.
    Behaviour tested: (1) with learning rate 0 on 3 equal batches of a tiny set, every epoch's value equals the mean
    loss the check computes over all examples, and the optimizer took exactly epochs × batches steps; (2) on
    LOOP_TRAIN_IMAGES MNIST images in batches of 64, LOOP_EPOCHS epochs train a 784-64-10 network to at least
    LOOP_ACCURACY_FLOOR accuracy on 1,000 other images, with the epoch loss falling.
    """
    import keras
    import tensorflow as tf

    from utils.reference.keras_loops import make_train_step

    keras.utils.set_random_seed(56)
    rng = np.random.default_rng(5056)
    x = rng.normal(size=(12, 4)).astype(np.float32)
    y = rng.integers(0, 3, 12).astype(np.int64)
    model = keras.Sequential([keras.Input(shape=(4,)), keras.layers.Dense(3)])
    loss_fn = keras.losses.SparseCategoricalCrossentropy(from_logits=True)
    optimizer = keras.optimizers.SGD(learning_rate=0.0)
    dataset = tf.data.Dataset.from_tensor_slices((x, y)).batch(4)
    want = float(loss_fn(y, model(x)))
    batch_losses = [float(loss_fn(y[i:i + 4], model(x[i:i + 4]))) for i in (0, 4, 8)]
    got = train_loop(make_train_step(model, optimizer, loss_fn), dataset, 2)
    values = assert_finite_result(got, "train_loop(...)", "a list of one mean loss per epoch").reshape(-1)
    assert len(values) == 2, f"with epochs=2 train_loop returned {len(values)} values, expected 2 (one per epoch)"
    steps = int(optimizer.iterations.numpy())
    assert steps == 6, (f"2 epochs over 3 batches should take 6 steps, your loop took {steps}: loop "
                        f"`for epoch in range(epochs):` and inside it `for x, y in dataset:`, one train_step(x, y) "
                        f"per batch")
    if not np.allclose(values, want, atol=1e-5):
        hint = ("it is the loss of the last batch only: average the batch losses of the epoch"
                if np.allclose(values, batch_losses[-1], atol=1e-5) else
                "it is the sum of the batch losses: divide by the number of batches"
                if np.allclose(values, sum(batch_losses), atol=1e-4) else
                "each epoch's value must be the mean of that epoch's batch losses")
        fail(f"with learning rate 0 every epoch's mean loss is {want:.4f}, yours {values}: {hint}")

    x_tr, y_tr, x_te, y_te = _mnist_subset(LOOP_TRAIN_IMAGES)
    x_tr, x_te = x_tr.reshape(-1, 784), x_te.reshape(-1, 784)
    model = keras.Sequential([keras.Input(shape=(784,)), keras.layers.Dense(64, activation="relu"),
                              keras.layers.Dense(10)])
    dataset = tf.data.Dataset.from_tensor_slices((x_tr, y_tr)).shuffle(len(x_tr), seed=5).batch(64)
    step = make_train_step(model, keras.optimizers.Adam(LOOP_LEARNING_RATE), loss_fn)
    losses = assert_finite_result(train_loop(step, dataset, LOOP_EPOCHS), "train_loop(...) on MNIST",
                                  "one mean loss per epoch").reshape(-1)
    assert len(losses) == LOOP_EPOCHS and losses[-1] < losses[0], \
        f"on MNIST the epoch losses did not fall ({np.round(losses, 4)}): is every batch used for a step?"
    acc = float(np.mean(np.argmax(np.asarray(model(x_te)), axis=1) == y_te))
    assert acc >= LOOP_ACCURACY_FLOOR, (f"after {LOOP_EPOCHS} epochs on {len(x_tr):,} images the network gets "
                                        f"{acc:.1%} of 1,000 other images right, expected at least "
                                        f"{LOOP_ACCURACY_FLOOR:.0%}")
    return (f"mean loss per epoch, one step per batch; {LOOP_EPOCHS} epochs on {len(x_tr):,} MNIST images reach "
            f"{acc:.1%} held-out accuracy (floor {LOOP_ACCURACY_FLOOR:.0%})")
