"""The pack's own lint: ruff, with the rules of pyproject.toml's [tool.ruff], over utils, tests, benchmarks and notebooks."""
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _ruff(*args: str, cwd: Path = ROOT, output: str = "concise") -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "ruff", "check", "--no-cache", "--output-format", output, *args],
                          cwd=cwd, capture_output=True, text=True, timeout=120)


def test_the_pack_passes_its_lint():
    run = _ruff()
    assert run.returncode == 0, f"ruff found problems (fix them, or see CONTRIBUTING.md):\n{run.stdout}{run.stderr}"


def test_the_lint_catches_what_it_promises(tmp_path):
    # The same configuration on a copy: an unused import, an undefined name and open() without an encoding.
    (tmp_path / "pyproject.toml").write_text((ROOT / "pyproject.toml").read_text(encoding="utf-8"), encoding="utf-8")
    bad = tmp_path / "utils" / "bad.py"
    bad.parent.mkdir()
    bad.write_text("import json\n\n\ndef f(path):\n    with open(path) as fh:\n        return fh.read() + missing\n",
                   encoding="utf-8")
    run = _ruff(cwd=tmp_path, output="json")
    assert run.returncode == 1, run.stdout + run.stderr
    assert {finding["code"] for finding in json.loads(run.stdout)} == {"F401", "F821", "PLW1514"}, run.stdout
