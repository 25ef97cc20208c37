"""The course workflow: release student copies, hand in, grade, check a set-up (doctor), read and write notebooks.

Nothing a notebook imports from ``utils`` depends on this subpackage; these modules may use the base layer.
Run them as ``python -m utils.course.<name>``.
"""
