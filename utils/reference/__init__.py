"""The course's reference implementations of what the exercises ask students to build.

Notebooks call these only *after* the exercise that asks for the same code, through
:func:`utils.checks.use_or_reference`: when a student has not finished an exercise (or its check failed), the
cells below use the reference and say so in one line, so one unfinished exercise never blocks a lab. Never
call a reference before its exercise: the student copy must not show an answer before the student writes it
(a test over every release copy checks the notebooks' side of that).

One module per notebook topic, e.g. :mod:`utils.reference.layers` for notebook 04's layers.
"""
