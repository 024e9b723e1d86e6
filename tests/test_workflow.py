"""The CI workflow (.github/workflows/book.yml) cannot run here: check that it parses and calls only
make targets the Makefile has (``data`` allowed: ``routerlab data fetch``), in the book's order."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
WORKFLOW = ROOT / ".github" / "workflows" / "book.yml"
ALLOWED_EXTRA = {"data"}  # make data: fetching the real data (routerlab data fetch)


def _targets() -> set[str]:
    """The Makefile's rule names (``name:`` at a line start; ``NAME := ...`` assignments are not rules)."""
    rule = re.compile(r"^([A-Za-z][\w.-]*)\s*:(?!=)")
    return {m[1] for line in (ROOT / "Makefile").read_text().splitlines() if (m := rule.match(line))}


def _steps(doc) -> list[dict]:
    return [s for job in doc["jobs"].values() for s in job.get("steps", [])]


def test_workflow_parses_and_runs_only_make_targets():
    doc = yaml.safe_load(WORKFLOW.read_text())
    assert set(doc["jobs"]) == {"build", "deploy"}
    triggers = doc.get("on", doc.get(True))  # YAML 1.1 reads the key `on` as True
    assert "push" in triggers
    runs = [s["run"].strip() for s in _steps(doc) if "run" in s]
    make = [r.split()[1] for r in runs if r.startswith("make ")]
    assert make == ["data", "test", "book"]
    missing = [t for t in make if t not in _targets() | ALLOWED_EXTRA]
    assert not missing, f"make targets not in the Makefile: {missing}"
    others = [r for r in runs if not r.startswith("make ")]
    assert all(r.startswith("sudo ln -sf") and r.endswith("/usr/bin/chromium") for r in others), others
    assert all(len(r.split()) == 2 for r in runs if r.startswith("make "))


def test_workflow_builds_with_python_311_and_deploys_the_html():
    doc = yaml.safe_load(WORKFLOW.read_text())
    uses = {s["uses"].split("@")[0]: s for s in _steps(doc) if "uses" in s}
    assert {"actions/checkout", "actions/setup-python", "actions/upload-pages-artifact",
            "actions/deploy-pages"} <= set(uses)
    assert str(uses["actions/setup-python"]["with"]["python-version"]) == "3.11"
    assert uses["actions/upload-pages-artifact"]["with"]["path"] == "_build/html"
    assert doc["jobs"]["deploy"]["needs"] == "build"
    assert doc["permissions"]["pages"] == "write" and doc["permissions"]["id-token"] == "write"


def test_makefile_target_reader_sees_the_known_targets():
    assert {"book", "test", "install", "dist"} <= _targets()
    assert "PYTHON" not in _targets() and "BIN" not in _targets()
