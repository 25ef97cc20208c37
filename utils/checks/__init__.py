"""Exercise checks, one module per notebook, named after it. Each check tests behaviour and fails on a wrong answer.

Use in a notebook::

    from utils import checks
    checks.the_neuron.check_perceptron_learns_and(train_perceptron)   # after the exercise cell
    checks.summary("01")                                                # last cell

:mod:`utils.checks.core` runs a check and records its result; :mod:`utils.checks.asserts` holds what a check calls
to fail with a hint. Importing a check module registers nothing: :data:`utils.checks.core.EXERCISES` reads a
notebook's exercises from its module (listed in :data:`utils.checks.core.CHECK_MODULES`) when asked. The modules
are imported here only so that a notebook can write ``checks.<module>.<check>``.
"""
from utils.checks import (  # noqa: F401 - the course's check modules, one per notebook (core.CHECK_MODULES)
    activations_and_feedforward,
    backpropagation,
    conditional_gan,
    dcgan,
    getting_started,
    image_embeddings_and_memory,
    keras_mnist,
    loss_and_gradient_descent,
    stylegan_ideas_and_ethics,
    the_neuron,
    toy_gan,
    vanilla_gan,
    word_embeddings,
)
from utils.checks.asserts import assert_close
from utils.checks.core import EXERCISES, RESULTS, Exercise, exercise, summary, use_or_reference

__all__ = ["EXERCISES", "RESULTS", "Exercise", "assert_close", "exercise", "summary", "use_or_reference"]
