"""The package's wings import one way and no wing's modules import each other in a circle.

The contracts live in ``.importlinter`` (import-linter's layers and acyclic-siblings contracts);
these tests run them, and show that they fail on a package that breaks them.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LINT = Path(sys.executable).with_name("lint-imports")


def _lint(cwd: Path, config: Path, pythonpath: Path) -> subprocess.CompletedProcess:
    env = {"PATH": str(LINT.parent), "PYTHONPATH": str(pythonpath), "HOME": str(cwd)}
    return subprocess.run([str(LINT), "--config", str(config), "--no-cache"], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=300)


def test_the_package_keeps_its_contracts():
    out = _lint(ROOT, ROOT / ".importlinter", ROOT / "src")
    assert out.returncode == 0, out.stdout[-3000:]
    assert "2 kept, 0 broken" in out.stdout


@pytest.mark.parametrize("module, line, broken", [
    # data imports routing: an import from a lower wing up
    ("data/tokens.py", "from routerlab.routing import routers  # noqa: F401\n", "The wings import downwards only"),
    # two modules of one wing import each other
    ("evaluation/curves.py", "from routerlab.evaluation import analysis  # noqa: F401\n", "No import circle"),
])
def test_a_violation_breaks_a_contract(tmp_path, module, line, broken):
    pkg = tmp_path / "src" / "routerlab"
    shutil.copytree(ROOT / "src" / "routerlab", pkg, ignore=shutil.ignore_patterns("__pycache__"))
    target = pkg / module
    target.write_text(target.read_text(encoding="utf-8") + "\n" + line, encoding="utf-8")
    if "analysis" in line:  # make the circle: analysis imports curves too
        a = pkg / "evaluation" / "analysis.py"
        a.write_text(a.read_text(encoding="utf-8") + "\nfrom routerlab.evaluation import curves  # noqa: F401\n",
                     encoding="utf-8")
    out = _lint(tmp_path, ROOT / ".importlinter", tmp_path / "src")
    assert out.returncode != 0
    assert f"{broken}" in out.stdout and "BROKEN" in out.stdout
