"""Checks of notebook 05: each passes on a right answer, fails on plausible wrong ones, and reports a stub."""
import numpy as np
import pytest

from utils.checks import keras_mnist


def _stub(*args):
    raise NotImplementedError()


# ---------------------------------------------------------------- 05.1 preprocess
def preprocess_right(x):
    return (x.astype("float32") / 255.0)[..., None]


def preprocess_flat(x):
    return x.reshape(len(x), -1).astype(np.float32) / 255


def _in_place(x):
    x //= 2
    return (x.astype("float32") / 127.5)[..., None]


@pytest.mark.parametrize("right", [preprocess_right, preprocess_flat], ids=["channel-axis", "flattened"])
def test_preprocess_passes_on_right_answers(right):
    assert keras_mnist.check_preprocess(right) is True


@pytest.mark.parametrize("wrong", [
    lambda x: x.astype("float32")[..., None],                      # forgot to scale
    lambda x: (x / 255.0)[..., None],                              # float64
    lambda x: x.astype("float32") / 255.0,                         # no channel axis
    lambda x: (x.astype("float32") / 256.0)[..., None],            # wrong divisor
    lambda x: (x.astype("float32") / 255.0 * 2 - 1)[..., None],    # scaled to [-1, 1]
    lambda x: np.transpose(x, (0, 2, 1)).astype("float32")[..., None] / 255,  # transposed images
    lambda x: ((x > 127).astype("float32"))[..., None],            # binarised
    _in_place,                                                     # modifies its input
    lambda x: None,                                                # forgot return
], ids=["unscaled", "float64", "no-channel", "div-256", "minus-one-to-one", "transposed", "binarised",
        "in-place", "none"])
def test_preprocess_fails_on_wrong_answers(wrong):
    with pytest.raises(AssertionError):
        keras_mnist.check_preprocess(wrong)


def test_preprocess_stub_is_not_attempted():
    with pytest.raises(NotImplementedError):
        keras_mnist.check_preprocess(_stub)


# ---------------------------------------------------------------- 05.2 build_mlp
def _mlp(hidden_units, dropout, *, output_activation="softmax", loss="sparse_categorical_crossentropy",
         compile_it=True, extra_layer=False, dropout_always=None, input_shape=(28, 28, 1)):
    import keras

    layers = [keras.Input(shape=input_shape), keras.layers.Flatten(),
              keras.layers.Dense(hidden_units, activation="relu")]
    if extra_layer:
        layers.append(keras.layers.Dense(hidden_units, activation="relu"))
    rate = dropout if dropout_always is None else dropout_always
    if rate > 0:
        layers.append(keras.layers.Dropout(rate))
    layers.append(keras.layers.Dense(10, activation=output_activation))
    model = keras.Sequential(layers)
    if compile_it:
        model.compile(optimizer="adam", loss=loss, metrics=["accuracy"])
    return model


def test_build_mlp_passes_on_right_answer():
    assert keras_mnist.check_build_mlp(_mlp) is True


@pytest.mark.parametrize("wrong", [
    lambda h, d: _mlp(h, d, output_activation=None),        # logits, not probabilities
    lambda h, d: _mlp(h, d, output_activation="sigmoid"),   # rows do not sum to 1
    lambda h, d: _mlp(h, d, compile_it=False),              # not compiled
    lambda h, d: _mlp(h, d, extra_layer=True),              # not two layers
    lambda h, d: _mlp(32, d),                               # ignores hidden_units
    lambda h, d: _mlp(h, d, dropout_always=0.0),            # ignores dropout
    lambda h, d: _mlp(h, d, dropout_always=0.3),            # dropout even when 0
    lambda h, d: _mlp(h, d, input_shape=(784, 1)),          # wrong input shape
    lambda h, d: None,                                      # forgot return
], ids=["logits", "sigmoid", "not-compiled", "extra-layer", "fixed-width", "no-dropout", "always-dropout",
        "bad-input", "none"])
def test_build_mlp_fails_on_wrong_answers(wrong):
    with pytest.raises(AssertionError):
        keras_mnist.check_build_mlp(wrong)


def test_build_mlp_fails_when_it_does_not_learn():
    import keras

    def frozen(h, d):
        model = _mlp(h, d, compile_it=False)
        model.compile(optimizer=keras.optimizers.SGD(learning_rate=1e-7), loss="sparse_categorical_crossentropy")
        return model

    with pytest.raises(AssertionError, match="accuracy|loss"):
        keras_mnist.check_build_mlp(frozen)


def test_build_mlp_stub_is_not_attempted():
    with pytest.raises(NotImplementedError):
        keras_mnist.check_build_mlp(_stub)


# ---------------------------------------------------------------- 05.4 confusion matrix
def confusion_right(y_true, y_pred, n_classes):
    counts = np.zeros((n_classes, n_classes), dtype=int)
    np.add.at(counts, (y_true, y_pred), 1)
    return counts


def confusion_bincount(y_true, y_pred, n_classes):
    return np.bincount(y_true * n_classes + y_pred, minlength=n_classes ** 2).reshape(n_classes, n_classes)


@pytest.mark.parametrize("right", [confusion_right, confusion_bincount], ids=["add-at", "bincount"])
def test_confusion_matrix_passes_on_right_answers(right):
    assert keras_mnist.check_confusion_matrix(right) is True


def _size_from_labels(y_true, y_pred, n_classes):
    k = int(max(y_true.max(), y_pred.max())) + 1
    return confusion_right(y_true, y_pred, k)


def _fancy_assign(y_true, y_pred, n_classes):
    counts = np.zeros((n_classes, n_classes), dtype=int)
    counts[y_true, y_pred] += 1          # repeated pairs are counted once
    return counts


@pytest.mark.parametrize("wrong", [
    lambda t, p, k: confusion_right(p, t, k),                     # transposed
    lambda t, p, k: confusion_right(t, p, k).astype(float),       # float counts
    lambda t, p, k: confusion_right(t, p, k) / len(t),            # normalised
    _size_from_labels,                                            # size from the labels seen
    _fancy_assign,                                                # duplicates lost
    lambda t, p, k: np.diag(np.bincount(t, minlength=k)),         # only the diagonal
    lambda t, p, k: None,                                         # forgot return
], ids=["transposed", "float", "normalised", "size-from-labels", "fancy-assign", "diagonal", "none"])
def test_confusion_matrix_fails_on_wrong_answers(wrong):
    with pytest.raises(AssertionError):
        keras_mnist.check_confusion_matrix(wrong)


def test_confusion_matrix_stub_is_not_attempted():
    with pytest.raises(NotImplementedError):
        keras_mnist.check_confusion_matrix(_stub)


# ---------------------------------------------------------------- 05.3 predict the CNN's parameters
@pytest.fixture(scope="module")
def cnn():
    import keras

    inputs = keras.Input(shape=(28, 28, 1))
    z = keras.layers.Conv2D(32, 3, activation="relu")(inputs)
    z = keras.layers.MaxPooling2D()(z)
    z = keras.layers.Conv2D(64, 3, activation="relu")(z)
    z = keras.layers.MaxPooling2D()(z)
    z = keras.layers.Flatten()(z)
    z = keras.layers.Dense(128, activation="relu")(z)
    z = keras.layers.Dropout(0.3)(z)
    return keras.Model(inputs, keras.layers.Dense(10, activation="softmax")(z))


RIGHT_PARAMS = [(3 * 3 * 1 + 1) * 32, (3 * 3 * 32 + 1) * 64, (5 * 5 * 64 + 1) * 128, (128 + 1) * 10]


def test_cnn_params_passes_on_the_right_counts(cnn):
    assert keras_mnist.check_cnn_params(lambda: list(RIGHT_PARAMS), cnn) is True
    assert keras_mnist.check_cnn_params(lambda: tuple(np.array(RIGHT_PARAMS)), cnn) is True


def _with(index, value):
    out = list(RIGHT_PARAMS)
    out[index] = value
    return lambda: out


@pytest.mark.parametrize("wrong, hint", [
    (_with(0, 3 * 3 * 32), "biases"),                                  # conv without biases
    (_with(1, (3 * 3 + 1) * 64), "channels"),                          # forgot the 32 input channels
    (_with(1, 3 * 3 * 64 + 64), "channels"),                           # same slip, biases counted
    (_with(1, 26 * 26 * 9 * 64), "image size"),                        # counted positions
    (_with(2, (13 * 13 * 64 + 1) * 128), "follow the shape"),          # forgot the second pooling
    (_with(2, (1600 + 1) * 128 + 1), "inputs \\+ 1 bias"),               # not a multiple of the units
    (_with(3, 128 * 10), "biases"),                                    # dense without biases
    (lambda: RIGHT_PARAMS[:3], "layers with weights"),                 # missed a layer
    (lambda: RIGHT_PARAMS + [0], "layers with weights"),               # counted Flatten/pooling
    (lambda: sum(RIGHT_PARAMS), "list of 4"),                          # only the total
    (lambda: [p + 0.5 for p in RIGHT_PARAMS], "whole numbers"),
    (lambda: None, "None"),
], ids=["conv-no-bias", "conv-no-channels", "conv-no-channels-bias", "conv-positions", "dense-wrong-fan-in",
        "dense-odd", "output-no-bias", "too-few", "too-many", "total-only", "fractional", "none"])
def test_cnn_params_fails_on_wrong_counts_with_a_hint(cnn, wrong, hint):
    with pytest.raises(AssertionError, match=hint):
        keras_mnist.check_cnn_params(wrong, cnn)


def test_cnn_params_stub_is_not_attempted(cnn):
    with pytest.raises(NotImplementedError):
        keras_mnist.check_cnn_params(_stub, cnn)


# ---------------------------------------------------------------- 05.5 one training step
def _make_step(*, training=True, compiled=True, sign=1.0, return_after=False, apply=True, first_only=False,
               returns="loss"):
    """A make_train_step with one chosen slip (the defaults give the right answer)."""
    import tensorflow as tf

    def make_train_step(model, optimizer, loss_fn):
        def train_step(x, y):
            with tf.GradientTape() as tape:
                loss = loss_fn(y, model(x, training=training))
                objective = sign * loss
            variables = model.trainable_variables[:1] if first_only else model.trainable_variables
            grads = tape.gradient(objective, variables)
            if apply:
                optimizer.apply_gradients(zip(grads, variables))
            if returns == "none":
                return None
            if returns == "per-example":
                return tf.keras.losses.sparse_categorical_crossentropy(y, model(x), from_logits=True)
            return loss_fn(y, model(x, training=training)) if return_after else loss
        return tf.function(train_step) if compiled else train_step
    return make_train_step


def test_train_step_passes_on_the_right_answer():
    from utils.reference import keras_loops

    assert keras_mnist.check_train_step(_make_step()) is True
    assert keras_mnist.check_train_step(keras_loops.make_train_step) is True


@pytest.mark.parametrize("wrong, hint", [
    (_make_step(training=False), "training=True"),
    (_make_step(compiled=False), "tf.function"),
    (_make_step(sign=-1.0), "uphill"),
    (_make_step(return_after=True), "before the step"),
    (_make_step(apply=False), "did not change"),
    (_make_step(first_only=True), "only 1 of 4"),
    (_make_step(returns="none"), "None"),
    (_make_step(returns="per-example"), "one\\s+number"),
    (lambda model, optimizer, loss_fn: None, "None"),
], ids=["training-false", "not-compiled", "uphill", "loss-after-step", "no-apply", "first-variable-only",
        "returns-none", "per-example-loss", "no-step"])
def test_train_step_fails_on_wrong_answers(wrong, hint):
    with pytest.raises(AssertionError, match=hint):
        keras_mnist.check_train_step(wrong)


def test_train_step_fails_when_the_step_scales_the_gradient():
    import tensorflow as tf

    def make_train_step(model, optimizer, loss_fn):
        @tf.function
        def train_step(x, y):
            with tf.GradientTape() as tape:
                loss = loss_fn(y, model(x, training=True))
            grads = tape.gradient(loss, model.trainable_variables)
            optimizer.apply_gradients(zip([2 * g for g in grads], model.trainable_variables))
            return loss
        return train_step

    with pytest.raises(AssertionError, match="w - lr"):
        keras_mnist.check_train_step(make_train_step)


def test_train_step_explains_a_loss_computed_outside_the_tape():
    import tensorflow as tf

    def make_train_step(model, optimizer, loss_fn):
        @tf.function
        def train_step(x, y):
            with tf.GradientTape() as tape:
                predictions = model(x, training=True)
            loss = loss_fn(y, predictions)
            optimizer.apply_gradients(zip(tape.gradient(loss, model.trainable_variables), model.trainable_variables))
            return loss
        return train_step

    with pytest.raises(AssertionError, match="inside"):
        keras_mnist.check_train_step(make_train_step)


def test_train_step_stub_is_not_attempted():
    with pytest.raises(NotImplementedError):
        keras_mnist.check_train_step(_stub)


# ---------------------------------------------------------------- 05.6 the epoch loop
def loop_right(train_step, dataset, epochs):
    means = []
    for _ in range(epochs):
        losses = [float(train_step(x, y)) for x, y in dataset]
        means.append(sum(losses) / len(losses))
    return means


def _last_batch(train_step, dataset, epochs):
    out = []
    for _ in range(epochs):
        for x, y in dataset:
            loss = float(train_step(x, y))
        out.append(loss)
    return out


def _summed(train_step, dataset, epochs):
    return [sum(float(train_step(x, y)) for x, y in dataset) for _ in range(epochs)]


def _first_batch_only(train_step, dataset, epochs):
    out = []
    for _ in range(epochs):
        x, y = next(iter(dataset))
        out.append(float(train_step(x, y)))
    return out


def _one_epoch(train_step, dataset, epochs):
    return loop_right(train_step, dataset, 1) * epochs


def _nan(train_step, dataset, epochs):
    loop_right(train_step, dataset, epochs)
    return [float("nan")] * epochs


def test_train_loop_passes_on_the_right_answer():
    from utils.reference import keras_loops

    assert keras_mnist.check_train_loop(loop_right) is True
    assert keras_mnist.check_train_loop(keras_loops.train_loop) is True


@pytest.mark.parametrize("wrong, hint", [
    (_last_batch, "last batch"),
    (_summed, "sum"),
    (_first_batch_only, "6 steps"),
    (_one_epoch, "6 steps"),
    (lambda step, ds, epochs: loop_right(step, ds, epochs)[-1], "returned 1 values"),
    (lambda step, ds, epochs: loop_right(step, ds, epochs) + [0.0], "returned 3 values"),
    (_nan, "NaN"),
    (lambda step, ds, epochs: None, "None"),
], ids=["last-batch", "summed", "first-batch-only", "one-epoch", "scalar", "too-many", "nan", "none"])
def test_train_loop_fails_on_wrong_answers(wrong, hint):
    with pytest.raises(AssertionError, match=hint):
        keras_mnist.check_train_loop(wrong)


def test_train_loop_stub_is_not_attempted():
    with pytest.raises(NotImplementedError):
        keras_mnist.check_train_loop(_stub)


def test_exercises_are_registered_for_notebook_05():
    from utils.checks import EXERCISES

    assert [e.number for e in EXERCISES["05"]] == [1, 2, 3, 4, 5, 6]


# ---------------------------------------------------------------- the reference the notebook falls back to
def test_the_reference_passes_every_check_it_stands_in_for():
    from utils.reference import keras_loops

    assert keras_mnist.check_preprocess(keras_loops.preprocess) is True
    assert keras_mnist.check_build_mlp(keras_loops.build_mlp) is True
    assert keras_mnist.check_confusion_matrix(keras_loops.confusion_matrix) is True


def test_layer_gradients_gives_one_kernel_gradient_per_layer():
    import keras

    from utils.reference import keras_loops

    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input(shape=(3, 2)), keras.layers.Flatten(), keras.layers.Dense(4, name="a"),
                              keras.layers.Dense(2, name="b")])
    loss_fn = keras.losses.SparseCategoricalCrossentropy(from_logits=True)
    grads = keras_loops.layer_gradients(model, loss_fn, np.ones((5, 3, 2), np.float32), np.array([0, 1, 0, 1, 1]))
    assert list(grads) == ["a", "b"]
    assert grads["a"].shape == (6, 4) and grads["b"].shape == (4, 2)
    assert all(np.all(np.isfinite(g)) and np.any(g != 0) for g in grads.values())
