"""Fixtures shared by the test modules (keep this file minimal)."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def repo_root() -> Path:
    """The repository root (the folder holding pyproject.toml, _config.yml and _toc.yml)."""
    return ROOT
