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


# ---------------------------------------------------------------- 05.3 confusion matrix
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


def test_exercises_are_registered_for_notebook_05():
    from utils.checks import EXERCISES

    assert [e.number for e in EXERCISES["05"]] == [1, 2, 3]
