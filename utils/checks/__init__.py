"""Exercise checks, one module per notebook topic. Each check tests behaviour and fails on a wrong answer.

Use in a notebook::

    from utils import checks
    checks.the_neuron.check_perceptron_learns_and(train_perceptron)   # after the exercise cell
    checks.summary("01")                                                # last cell
"""
from utils.checks.core import EXERCISES, RESULTS, Exercise, assert_close, exercise, summary, use_or_reference

# Topic modules register their exercises when imported (keep them free of heavy imports at module level).
# One import line per topic module:
from utils.checks import getting_started  # noqa: F401,E402
from utils.checks import the_neuron  # noqa: F401,E402
from utils.checks import activations_and_feedforward  # noqa: F401,E402
from utils.checks import loss_and_gradient_descent  # noqa: F401,E402
from utils.checks import backpropagation  # noqa: F401,E402
from utils.checks import word_embeddings  # noqa: F401,E402
from utils.checks import image_embeddings_and_memory  # noqa: F401,E402
from utils.checks import vanilla_gan  # noqa: F401,E402
from utils.checks import dcgan  # noqa: F401,E402
from utils.checks import conditional_gan  # noqa: F401,E402
from utils.checks import stylegan_ideas_and_ethics  # noqa: F401,E402
from utils.checks import keras_mnist  # noqa: F401,E402
from utils.checks import toy_gan  # noqa: F401,E402

__all__ = ["EXERCISES", "RESULTS", "Exercise", "assert_close", "exercise", "summary", "use_or_reference"]
