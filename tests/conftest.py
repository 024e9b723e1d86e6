"""Fixtures shared by the test modules (keep this file minimal).

``executed_book`` and ``built_book`` are session-scoped: the notebooks are executed and the book
is built once per test session, whichever test module asks first (tests/test_notebooks.py checks
the pages, tests/test_ledger.py the ledger table).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
#: Parameters of the smoke run of the book (scale 0.03 is about 2,000 simulated queries).
BOOK_SCALE, BOOK_SEEDS = 0.03, 2


@pytest.fixture(scope="session")
def repo_root() -> Path:
    """The repository root (the folder holding pyproject.toml, _config.yml and _toc.yml)."""
    return ROOT


def _copy_book(dest: Path) -> Path:
    (dest / "notebooks").mkdir(parents=True)
    for py in sorted((ROOT / "notebooks").glob("*.py")):
        shutil.copy2(py, dest / "notebooks" / py.name)
    shutil.copytree(ROOT / "book", dest / "book", ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("_config.yml", "_toc.yml", "jupytext.toml"):
        shutil.copy2(ROOT / name, dest / name)
    # the performance appendix reads the committed measurements and reuses the benchmark's code
    (dest / "benchmarks" / "results").mkdir(parents=True)
    shutil.copy2(ROOT / "benchmarks" / "bench_growth.py", dest / "benchmarks" / "bench_growth.py")
    shutil.copy2(ROOT / "benchmarks" / "results" / "growth.json", dest / "benchmarks" / "results" / "growth.json")
    return dest


@pytest.fixture(scope="session")
def executed_book(tmp_path_factory) -> dict:
    """A temporary copy of the book whose notebooks ``python -m routerlab.book.run`` executed at
    ``BOOK_SCALE``/``BOOK_SEEDS`` with ``--keep-going``, two chapters at a time as ``make book``
    does: {"root", "run" (CompletedProcess), "scale", "n_seeds"}."""
    root = _copy_book(tmp_path_factory.mktemp("book"))
    run = subprocess.run(
        [sys.executable, "-m", "routerlab.book.run", "--notebooks", str(root / "notebooks"),
         "--scale", str(BOOK_SCALE), "--seeds", str(BOOK_SEEDS), "--keep-going", "--jobs", "2"],
        capture_output=True, text=True, timeout=3000)
    return {"root": root, "run": run, "scale": BOOK_SCALE, "n_seeds": BOOK_SEEDS}


@pytest.fixture(scope="session")
def built_book(executed_book) -> dict:
    """The strict HTML build of ``executed_book``: ``jupyter-book build -W -n --keep-going``.
    {"root", "build" (CompletedProcess), "html" (the _build/html folder)}."""
    root = executed_book["root"]
    jb = Path(sys.executable).with_name("jupyter-book")
    cmd = [str(jb) if jb.exists() else "jupyter-book", "build", str(root), "-W", "-n", "--keep-going"]
    build = subprocess.run(cmd, capture_output=True, text=True, timeout=1800)
    return {"root": root, "build": build, "html": root / "_build" / "html"}


def toc_files(toc: dict) -> list[str]:
    """Every file named in a parsed _toc.yml (root first), in reading order."""
    files = [toc["root"]]

    def walk(entries):
        for entry in entries or []:
            if "file" in entry:
                files.append(entry["file"])
            walk(entry.get("sections"))
            walk(entry.get("chapters"))

    walk(toc.get("parts"))
    walk(toc.get("chapters"))
    return files


def text_bench(n: int, seed: int = 0, subsets: bool = False):
    """Two models; the strong one is needed exactly on 'hard' prompts, which the text reveals.

    (n, 2) 0/1 quality, costs 1e-4 and 1e-3 USD, one dataset ``D``; ``subsets`` labels each
    query "hard" or "easy" (what a topic-only router may read).
    """
    import numpy as np

    from routerlab.data.benchmark import Benchmark
    from routerlab.data.catalog import Model

    rng = np.random.default_rng(seed)
    hard = rng.random(n) < 0.4
    weak_ok = np.where(hard, rng.random(n) < 0.1, rng.random(n) < 0.9)
    strong_ok = np.where(hard, rng.random(n) < 0.9, rng.random(n) < 0.95)
    words = np.where(hard, "prove the theorem about integrals", "name the capital city")
    prompts = np.array([f"{w} number {i}" for i, w in enumerate(words)])
    models = (Model("weak", "p", "t", 0.1, 0.1), Model("strong", "p", "t", 10.0, 30.0))
    return Benchmark(quality=np.column_stack([weak_ok, strong_ok]).astype(float),
                     cost=np.tile([1e-4, 1e-3], (n, 1)), models=models, sample_ids=np.arange(n).astype(str),
                     datasets=np.array(["D"] * n), prompt_tokens=np.full(n, 10), prompts=prompts,
                     subsets=np.where(hard, "hard", "easy") if subsets else None)
