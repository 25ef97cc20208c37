"""requirements.txt (pip) and environment.yml (Anaconda) install the same set; the README names the commands."""
import re
from pathlib import Path

import yaml
from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parent.parent


def _pip_lines_from_requirements() -> list[str]:
    lines = []
    for raw in (ROOT / "requirements.txt").read_text(encoding="utf-8").splitlines():
        line = raw.split(" #")[0].strip()
        if line and not line.startswith("#"):
            lines.append(line)
    return lines


def _pip_lines_from_environment() -> list[str]:
    env = yaml.safe_load((ROOT / "environment.yml").read_text(encoding="utf-8"))
    pip_sections = [d["pip"] for d in env["dependencies"] if isinstance(d, dict) and "pip" in d]
    assert len(pip_sections) == 1, "environment.yml must have exactly one pip: section"
    return [str(x).strip() for x in pip_sections[0]]


def _normalise(lines: list[str]) -> set[str]:
    out = set()
    for line in lines:
        if line.startswith("-e"):
            out.add(re.sub(r"\s+", " ", line))
        else:
            out.add(str(Requirement(line)))
    return out


def test_requirements_and_environment_agree():
    pip = _normalise(_pip_lines_from_requirements())
    conda = _normalise(_pip_lines_from_environment())
    assert pip == conda, f"only in requirements.txt: {pip - conda}; only in environment.yml: {conda - pip}"


def test_environment_pins_python_311_and_the_stack_is_complete():
    env = yaml.safe_load((ROOT / "environment.yml").read_text(encoding="utf-8"))
    assert "python=3.11" in env["dependencies"]
    names = {Requirement(l).name.lower() for l in _pip_lines_from_requirements() if not l.startswith("-e")}
    for needed in ["keras", "numpy", "matplotlib", "jupyterlab", "nbval", "ipywidgets", "tqdm", "nbformat",
                   "nbclient", "scipy"]:
        assert needed in names, f"{needed} missing from requirements.txt"
    assert {"tensorflow", "tensorflow-cpu"} <= names
    assert "-e ." in _pip_lines_from_requirements(), "utils must be installed in editable mode by requirements.txt"


def test_installed_versions_satisfy_requirements():
    from importlib.metadata import PackageNotFoundError, version

    for line in _pip_lines_from_requirements():
        if line.startswith("-e"):
            continue
        req = Requirement(line)
        if req.marker is not None and not req.marker.evaluate():
            continue
        try:
            got = version(req.name)
        except PackageNotFoundError:
            raise AssertionError(f"{req.name} is not installed: run the README's install command") from None
        assert req.specifier.contains(got, prereleases=True), f"{req.name} {got} is outside {req.specifier}"


def test_readme_and_ci_use_the_same_commands():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    for command in ["python -m pip install -r requirements.txt", "python -m pytest"]:
        assert command in readme, f"README.md lacks `{command}`"
        assert command in ci, f".ci/run lacks `{command}`"
