"""The course workflow: release student copies, hand in, grade, check a set-up (doctor), read and write notebooks.

Nothing a notebook imports from ``utils`` depends on this subpackage; these modules may use the base layer.
Run the commands as ``python -m utils.course.<name>`` (release, handin, grade, doctor). Modules:

* :mod:`~utils.course.release` — student copies of the notebooks (solution regions become stubs); command;
* :mod:`~utils.course.nbgrader_meta` — nbgrader's cell metadata, derived from markers, tags and checks; command;
* :mod:`~utils.course.handin` — run a notebook and write the hand-in zip with its manifest; command;
* :mod:`~utils.course.handin_inputs` — the hand-in's student id, name, output folder and time-limit checks;
* :mod:`~utils.course.runner` — run a notebook top to bottom in a fresh kernel and classify what happened;
* :mod:`~utils.course.cells` — cell roles, errors and printed check lines of an executed notebook;
* :mod:`~utils.course.manifest` — the manifest's name, format and the form of every field;
* :mod:`~utils.course.verify` — read a hand-in zip and cross-check everything it says;
* :mod:`~utils.course.grade` — gradebook rows and CSV from hand-in zips; command;
* :mod:`~utils.course.regrade` — re-run a hand-in with the instructor's check cells restored (``grade --rerun``);
* :mod:`~utils.course.flags` — spot student cells that touch the check machinery;
* :mod:`~utils.course.doctor` — the environment report and its command;
* :mod:`~utils.course.doctor_checks` — the doctor's single checks (Python, versions, data, memory, quick mode);
* :mod:`~utils.course.doctor_probe` — import the key modules as a notebook does, in a fresh Python;
* :mod:`~utils.course.doctor_imports` — judge what the import probe saw;
* :mod:`~utils.course.versions` — the one package-version lookup (doctor and hand-in);
* :mod:`~utils.course.notebook_io` — read and write notebooks safely; output paths that cannot be folders.
"""
