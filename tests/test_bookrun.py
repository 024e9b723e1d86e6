"""bookrun keeps the book from going stale (issue 10) and says what it is doing (issue 9).

Fast tests build executed notebooks by hand (papermill's metadata, a parameters cell); the slow
ones run bookrun on a small book (two toy chapters, chapter 02 and the three summary pages at
scale 0.02): ``--out-dir``, a partial rerun with other parameters, ``--verify``, the progress
lines and the locked-version table of the status page.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
import yaml

from routerlab.book import run as bookrun
from routerlab.reproduction.ledger import glued_values

ROOT = Path(__file__).resolve().parents[1]


# --------------------------------------------------------------------------- without a kernel

def _executed(folder: Path, stem: str, injected: dict, end: str, declared: str = "scale = 1.0\nn_seeds = 5",
              exception: bool = False) -> Path:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell(f"# {stem}"),
                nbformat.v4.new_code_cell(declared, metadata={"tags": ["parameters"]})]
    nb.metadata["papermill"] = {"parameters": injected, "end_time": end, "duration": 1.0,
                                "exception": exception or None}
    path = folder / f"{stem}.ipynb"
    nbformat.write(nb, path)
    return path


def _fake_book(tmp_path: Path, stems=("01_a", "02_b", "03_c", "09_simulator_truth", "90_ledger",
                                      "99_status"), toc: list[str] | None = None) -> Path:
    nbs = tmp_path / "notebooks"
    nbs.mkdir()
    for stem in stems:
        (nbs / f"{stem}.py").write_text("")
    if toc is not None:
        (tmp_path / "_toc.yml").write_text(yaml.safe_dump(
            {"format": "jb-book", "root": "book/intro",
             "chapters": [{"file": f"notebooks/{s}"} for s in toc]}))
    return nbs


def _all_executed(nbs: Path, scales: dict, summary_scale: float = 1.0) -> None:
    t = 0
    for stem, scale in scales.items():
        t += 1
        _executed(nbs, stem, {"scale": scale, "n_seeds": 5}, f"2026-01-01T00:00:{t:02d}+00:00")
    for stem in bookrun.SUMMARY_NOTEBOOKS:
        t += 1
        _executed(nbs, stem, {"scale": summary_scale, "n_seeds": 5}, f"2026-01-01T00:00:{t:02d}+00:00")


def test_select_notebooks_reruns_every_summary_page():
    nbs = [Path(f"{s}.py") for s in ("01_a", "02_b", "09_simulator_truth", "90_ledger", "99_status")]
    chosen = bookrun.select_notebooks(nbs, ["02"])
    assert [p.stem for p in chosen] == ["02_b", "09_simulator_truth", "90_ledger", "99_status"]
    assert [p.stem for p in bookrun.select_notebooks(nbs, ["02"], with_status=False)] == ["02_b"]


def test_reference_is_the_majority_not_the_last_run(tmp_path):
    nbs = _fake_book(tmp_path)
    _all_executed(nbs, {"01_a": 1.0, "02_b": 0.5, "03_c": 1.0})
    # 02_b ran last of the chapters, at 0.5: the reference stays the majority's 1.0
    nb = nbs / "02_b.ipynb"
    meta = json.loads(nb.read_text())
    meta["metadata"]["papermill"]["end_time"] = "2026-01-01T00:00:59+00:00"
    nb.write_text(json.dumps(meta))
    check = bookrun.parameter_check(nbs, nbs)
    assert check["reference"] == {"scale": 1.0, "n_seeds": 5}
    assert check["differing"] == ["02_b"] and check["n_chapters"] == 3
    problems = bookrun.verify(nbs)
    assert problems[0] == (f"02_b ran with scale=0.5, the rest with scale=1; rerun: python -m "
                           f"routerlab.book.run --notebooks {nbs} --only 02_b --scale 1 --seeds 5")
    # ... and the summary pages ran before 02_b's last run
    assert len(problems) == 4 and all("is older than 02_b" in p for p in problems[1:])
    assert problems[1].endswith("--only 09_simulator_truth 90_ledger 99_status --scale 1 --seeds 5")


def test_verify_passes_on_a_consistent_book_and_names_missing_and_failed_pages(tmp_path):
    nbs = _fake_book(tmp_path)
    _all_executed(nbs, {"01_a": 0.2, "02_b": 0.2, "03_c": 0.2}, summary_scale=0.2)
    assert bookrun.verify(nbs) == []
    assert bookrun.main(["--verify", "--notebooks", str(nbs)]) == 0
    (nbs / "03_c.ipynb").unlink()
    _executed(nbs, "02_b", {"scale": 0.2, "n_seeds": 5}, "2026-01-01T00:00:02+00:00", exception=True)
    problems = bookrun.verify(nbs)
    assert problems == [
        f"02_b failed when it last ran (traceback in {nbs / '02_b.ipynb'}); rerun: python -m "
        f"routerlab.book.run --notebooks {nbs} --only 02_b --scale 0.2 --seeds 5",
        f"03_c has no executed copy ({nbs / '03_c.ipynb'}); rerun: python -m routerlab.book.run "
        f"--notebooks {nbs} --only 03_c --scale 0.2 --seeds 5"]
    assert bookrun.main(["--verify", "--notebooks", str(nbs)]) == 2


def test_only_the_chapters_of_the_book_are_read(tmp_path):
    # 03_c has a source but is not in _toc.yml; 05_gone has an executed copy but no source
    nbs = _fake_book(tmp_path, toc=["01_a", "02_b", "09_simulator_truth", "90_ledger", "99_status"])
    _all_executed(nbs, {"01_a": 1.0, "02_b": 1.0, "03_c": 0.5, "05_gone": 0.5})
    assert bookrun.book_stems(nbs) == ["01_a", "02_b", "09_simulator_truth", "90_ledger", "99_status"]
    assert [p.stem for p in bookrun.book_chapters(nbs, nbs, exclude=("09_simulator_truth",))] == ["01_a", "02_b"]
    assert bookrun.verify(nbs) == []
    # a toc entry without its source is a problem too
    (tmp_path / "_toc.yml").write_text(yaml.safe_dump(
        {"root": "x", "chapters": [{"file": "notebooks/01_a"}, {"file": "notebooks/04_lost"}]}))
    assert bookrun.verify(nbs)[0].startswith("04_lost is in _toc.yml but has no source")


def test_rerun_command_and_parameter_text():
    ref = {"scale": 1.0, "n_seeds": 5, "seed": 0, "data_dir": "/data dir", "lc_sizes": [25, 400]}
    assert bookrun.rerun_command(["02_b"], ref) == (
        "python -m routerlab.book.run --only 02_b --scale 1 --seeds 5 --seed 0 --data-dir "
        "'/data dir' -p 'lc_sizes=[25, 400]'")
    assert bookrun.rerun_command(["02_b"], {"scale": 0.5, "data_dir": None}, out_dir="out") == (
        "python -m routerlab.book.run --only 02_b --scale 0.5 --out-dir out")
    assert bookrun.parameter_text({"scale": 0.5, "n_seeds": 2, "executed_dir": "."}) == "scale=0.5, n_seeds=2"


def test_parameter_note_is_added_and_removed(tmp_path):
    nbs = _fake_book(tmp_path, stems=("01_a", "02_b", "03_c"))
    _all_executed(nbs, {"01_a": 1.0, "02_b": 0.5, "03_c": 1.0})
    assert bookrun.mark_parameter_notes(nbs, nbs) == ["02_b"]
    cells = nbformat.read(nbs / "02_b.ipynb", as_version=4).cells
    assert bookrun.PARAMETER_NOTE_TAG in cells[1].metadata["tags"]
    assert "executed with scale=0.5; the rest of the book with scale=1" in cells[1].source
    assert "`python -m routerlab.book.run --only 02_b --scale 1 --seeds 5`" in cells[1].source
    assert bookrun.mark_parameter_notes(nbs, nbs) == ["02_b"]  # idempotent: one note
    assert len(nbformat.read(nbs / "02_b.ipynb", as_version=4).cells) == 3
    _executed(nbs, "01_a", {"scale": 0.5, "n_seeds": 5}, "2026-01-01T00:00:01+00:00")
    _executed(nbs, "03_c", {"scale": 0.5, "n_seeds": 5}, "2026-01-01T00:00:03+00:00")
    assert bookrun.mark_parameter_notes(nbs, nbs) == []
    assert len(nbformat.read(nbs / "02_b.ipynb", as_version=4).cells) == 2


def test_locked_versions_compares_installed_with_the_lock(tmp_path):
    from importlib import metadata

    lock = tmp_path / "constraints.txt"
    lock.write_text(f"# comment\nnumpy=={metadata.version('numpy')}\npandas==0.0.1  # old\n"
                    "no-such-package-xyz==1.0\n-e .\n")
    table = bookrun.locked_versions(lock)
    assert table.attrs["path"] == str(lock.resolve())
    assert table.to_dict("records") == [
        {"package": "numpy", "locked": metadata.version("numpy"), "installed": metadata.version("numpy"), "match": True},
        {"package": "pandas", "locked": "0.0.1", "installed": metadata.version("pandas"), "match": False},
        {"package": "no-such-package-xyz", "locked": "1.0", "installed": "not installed", "match": False}]
    assert bookrun.locked_versions(tmp_path / "missing.txt").attrs["path"] is None
    if (ROOT / "constraints.txt").is_file():  # the repository's lock pins every package it installs
        assert len(bookrun.locked_versions(ROOT / "constraints.txt")) > 50


def test_execution_table_ignores_the_log_of_another_folder(tmp_path):
    nbs = _fake_book(tmp_path, stems=("01_a",))
    _executed(nbs, "01_a", {"scale": 1.0}, "2026-01-01T00:00:01+00:00")
    log = tmp_path / "execution.json"
    log.write_text(json.dumps({"notebooks": {"01_a": {"seconds": 9.0, "output": str(tmp_path / "old" / "01_a.ipynb")}}}))
    assert bookrun.execution_table(nbs, log)["wall_seconds"].isna().all()
    log.write_text(json.dumps({"notebooks": {"01_a": {"seconds": 9.0, "output": str(nbs / "01_a.ipynb")}}}))
    assert bookrun.execution_table(nbs, log)["wall_seconds"].tolist() == [9.0]


# --------------------------------------------------------------------------- with a kernel

SCALE, SEEDS = 0.02, 2
_TOY = '''# %% [markdown]
# # A toy chapter

# %% tags=["parameters"]
scale = 1.0
n_seeds = 5

# %%
import time
time.sleep({sleep})
print(scale, n_seeds)
'''
BOOK = ("01_toy", "02_routing_score", "03_toy", "09_simulator_truth", "90_ledger", "99_status")


def _bookrun(*args, cwd):
    return subprocess.run([sys.executable, "-m", "routerlab.book.run", *map(str, args)],
                          capture_output=True, text=True, timeout=1800, cwd=cwd)


@pytest.fixture(scope="module")
def small_book(tmp_path_factory):
    """A small book executed with ``--out-dir``, then chapter 02 rerun there at another scale."""
    root = tmp_path_factory.mktemp("smallbook")
    nbs, out = root / "notebooks", root / "executed"
    nbs.mkdir()
    out.mkdir()
    (nbs / "01_toy.py").write_text(_TOY.format(sleep=1.5))
    (nbs / "03_toy.py").write_text(_TOY.format(sleep=0))
    for stem in BOOK:
        if not (nbs / f"{stem}.py").exists():
            shutil.copy2(ROOT / "notebooks" / f"{stem}.py", nbs / f"{stem}.py")
    (root / "_toc.yml").write_text(yaml.safe_dump(
        {"format": "jb-book", "root": "book/intro", "chapters": [{"file": f"notebooks/{s}"} for s in BOOK]}))
    # an older build's chapter that is no longer in the book: must not be read
    _executed(out, "05_removed", {"scale": 9.0, "n_seeds": 9}, "2020-01-01T00:00:00+00:00")
    first = _bookrun("--notebooks", nbs, "--out-dir", out, "--scale", SCALE, "--seeds", SEEDS,
                     "--heartbeat", 0.5, "--jobs", 2, cwd=root)
    values = {s: glued_values(out / f"{s}.ipynb") for s in BOOK[3:] if (out / f"{s}.ipynb").exists()}
    verify_first = _bookrun("--verify", "--notebooks", nbs, "--out-dir", out, cwd=root)
    second = _bookrun("--notebooks", nbs, "--out-dir", out, "--only", "02", "--scale", 0.03,
                      "--seeds", SEEDS, cwd=root)
    verify_second = _bookrun("--verify", "--notebooks", nbs, "--out-dir", out, cwd=root)
    return {"root": root, "nbs": nbs, "out": out, "first": first, "first_values": values,
            "verify_first": verify_first, "second": second, "verify_second": verify_second}


def _html(path: Path, key: str) -> str:
    """The text/html of the value glued as ``key`` in an executed notebook."""
    for cell in nbformat.read(path, as_version=4).cells:
        for output in cell.get("outputs", []):
            if output.get("metadata", {}).get("scrapbook", {}).get("name") == key:
                return next(v for k, v in output["data"].items() if k.endswith("text/html"))
    raise AssertionError(f"{key} not glued in {path}")


def _ok(run):
    assert run.returncode == 0, f"bookrun failed:\n{run.stdout[-3000:]}\n{run.stderr[-3000:]}"


@pytest.mark.slow
def test_out_dir_summary_pages_read_that_folder(small_book):
    _ok(small_book["first"])
    assert not list(small_book["nbs"].glob("*.ipynb"))  # nothing executed beside the sources
    v = small_book["first_values"]
    assert v["90_ledger"]["n_chapters_read"] == 4  # 01_toy, 02, 03_toy, 09; not 05_removed
    assert v["09_simulator_truth"]["n_chapters_read"] == 3  # 01_toy, 02, 03_toy
    assert v["99_status"]["status_n_notebooks"] == 5 and v["99_status"]["status_n_chapters"] == 3
    assert v["99_status"]["status_scale"] == SCALE and v["99_status"]["status_n_differing"] == 0
    assert v["90_ledger"]["scale_note"] == f"all with the book's parameters, scale={SCALE:g}, n_seeds={SEEDS}"
    assert v["90_ledger"]["n_from_chapters"] >= 1  # chapter 02's claims came from the out folder
    assert small_book["verify_first"].returncode == 0, small_book["verify_first"].stderr
    assert "summary pages up to date" in small_book["verify_first"].stdout


@pytest.mark.slow
def test_progress_lines_announce_each_notebook(small_book):
    _ok(small_book["first"])
    lines = small_book["first"].stdout.splitlines()
    for i, stem in enumerate(BOOK, 1):
        label = f"[{i}/{len(BOOK)}] {stem:<18}"
        start = [n for n, ln in enumerate(lines) if ln.startswith(f"  {label}  started")]
        done = [n for n, ln in enumerate(lines) if ln.startswith(f"  {label}  done in ")]
        assert len(start) == 1 and len(done) == 1 and start[0] < done[0], (stem, lines)
        assert lines[start[0]].endswith(f"scale={SCALE:g}, n_seeds={SEEDS}"), lines[start[0]]
    assert any(ln.startswith("  [1/6] 01_toy") and "still running" in ln for ln in lines), lines
    # the first line announces the run (after the one-line note when no real data is found)
    first = [ln for ln in lines if ln.startswith("bookrun: ") and "notebook(s) in" in ln]
    assert len(first) == 1 and "2 chapters at a time" in first[0], lines
    # two chapters at a time: 02 starts before 01 (which sleeps) is done; the summary pages wait
    # for every chapter
    at = {(stem, what): n for n, ln in enumerate(lines) for stem in BOOK for what in ("started", "done in")
          if ln.startswith(f"  [{BOOK.index(stem) + 1}/6] {stem:<18}  {what}")}
    assert at[("02_routing_score", "started")] < at[("01_toy", "done in")]
    last_chapter = max(at[(s, "done in")] for s in BOOK[:3])
    assert all(at[(s, "started")] > last_chapter for s in BOOK[3:])


@pytest.mark.slow
def test_partial_rerun_fails_verify_and_is_flagged(small_book):
    _ok(small_book["second"])
    nbs, out = small_book["nbs"], small_book["out"]
    out_lines = small_book["second"].stdout
    assert "09_simulator_truth  started (summary page" in out_lines and "99_status" in out_lines
    assert "ran with other parameters than the rest of the book" in out_lines
    verify = small_book["verify_second"]
    assert verify.returncode == 2
    last = json.loads((small_book["root"] / "_build/status/execution.json").read_text())["last_run"]
    assert last["jobs"] == 1 and last["notebooks"] == ["02_routing_score", *bookrun.SUMMARY_NOTEBOOKS]
    expected = (f"02_routing_score ran with scale=0.03, the rest with scale={SCALE:g}; rerun: python -m "
                f"routerlab.book.run --notebooks {nbs} --only 02_routing_score --scale {SCALE:g} "
                f"--seeds {SEEDS} --out-dir {out}")
    assert f"bookrun: stale: {expected}" in verify.stderr.splitlines(), verify.stderr
    # the summary pages were rerun with the book's (majority) parameters, and flag chapter 02
    for stem in bookrun.SUMMARY_NOTEBOOKS:
        params = nbformat.read(out / f"{stem}.ipynb", as_version=4).metadata["papermill"]["parameters"]
        assert params["scale"] == SCALE, stem
    status = glued_values(out / "99_status.ipynb")
    assert status["status_n_differing"] == 1 and status["status_scale"] == SCALE
    assert "02_routing_score ran with scale=0.03" in status["status_parameter_note"]
    assert "OTHER: scale=0.03; rerun:" in _html(out / "99_status.ipynb", "status_execution_table")
    ledger_note = glued_values(out / "90_ledger.ipynb")["scale_note"]
    assert ledger_note.startswith("NOT all with the book's parameters") and "02_routing_score ran with scale=0.03, and the rows " in ledger_note
    assert "02_routing_score ran with scale=0.03" in glued_values(out / "09_simulator_truth.ipynb")["scale_note"]
    cells = nbformat.read(out / "02_routing_score.ipynb", as_version=4).cells
    notes = [c for c in cells if bookrun.PARAMETER_NOTE_TAG in c.metadata.get("tags", [])]
    assert len(notes) == 1 and "executed with scale=0.03" in notes[0].source
    assert not any(bookrun.PARAMETER_NOTE_TAG in c.metadata.get("tags", [])
                   for c in nbformat.read(out / "01_toy.ipynb", as_version=4).cells)


@pytest.mark.slow
def test_status_page_shows_the_locked_versions(small_book):
    _ok(small_book["first"])
    status = small_book["first_values"]["99_status"]
    locked = bookrun.locked_versions(ROOT / "constraints.txt")
    assert status["status_n_locked"] == len(locked) > 50
    assert status["status_n_lock_mismatch"] == int((~locked["match"]).sum())
    html = _html(small_book["root"] / "executed" / "99_status.ipynb", "status_locked_table")
    assert "numpy" in html and "locked" in html
    assert status["status_sim_n_benchmarks"] == 1  # chapter 02 at (0.02, seed 0)
    assert len(status["status_sim_sha256"]) == 64


def test_jobs_must_be_a_whole_number_at_least_one(tmp_path, capsys):
    (tmp_path / "01_a.py").write_text(_TOY.format(sleep=0))
    assert bookrun.main(["--notebooks", str(tmp_path), "--jobs", "0"]) == 2
    assert capsys.readouterr().err.strip() == "bookrun: error: --jobs must be a whole number >= 1, got 0"
    assert not list(tmp_path.glob("*.ipynb"))  # nothing executed


def test_start_order_longest_first_from_the_log_then_the_reference_build():
    from pathlib import Path

    from routerlab.book.run import EXPECTED_SECONDS, start_order

    chapters = [Path(f"{s}.py") for s in ("01_benchmark", "02_routing_score", "03_algorithms", "11_query_or_task",
                                           "12_new")]
    # no log: the reference build's seconds; unknown chapters keep their order at the end
    assert [p.stem for p in start_order(chapters, {})] == ["11_query_or_task", "03_algorithms", "01_benchmark",
                                                           "02_routing_score", "12_new"]
    assert EXPECTED_SECONDS["11_query_or_task"] > EXPECTED_SECONDS["03_algorithms"]
    # a log of this build's own runs wins over the reference seconds
    log = {"notebooks": {"02_routing_score": {"seconds": 999.0}, "11_query_or_task": {"seconds": 1.0}}}
    assert [p.stem for p in start_order(chapters, log)] == ["02_routing_score", "03_algorithms", "01_benchmark",
                                                            "11_query_or_task", "12_new"]
    assert start_order([], {}) == []


def test_kernels_side_by_side_share_the_cores(tmp_path, monkeypatch):
    """With --jobs 2 every kernel gets cores // 2 BLAS/OpenMP threads for the run (a value the
    user set is kept), and the environment is restored afterwards; --jobs 1 sets none."""
    (tmp_path / "01_a.py").write_text(_TOY.format(sleep=0))
    seen = []
    monkeypatch.setattr(bookrun, "_run_loop", lambda *a, **k: seen.append(
        {v: bookrun.os.environ.get(v) for v in bookrun.THREAD_VARIABLES}) or 0)
    monkeypatch.setattr(bookrun, "_cores", lambda: 8)
    for v in bookrun.THREAD_VARIABLES:
        monkeypatch.delenv(v, raising=False)
    monkeypatch.setenv("MKL_NUM_THREADS", "3")
    bookrun.run_book(tmp_path, scale=1.0, n_seeds=1, jobs=2, with_status=False)
    bookrun.run_book(tmp_path, scale=1.0, n_seeds=1, jobs=1, with_status=False)
    assert seen == [{"OMP_NUM_THREADS": "4", "OPENBLAS_NUM_THREADS": "4", "MKL_NUM_THREADS": "3"},
                    {"OMP_NUM_THREADS": None, "OPENBLAS_NUM_THREADS": None, "MKL_NUM_THREADS": "3"}]
    assert "OMP_NUM_THREADS" not in bookrun.os.environ and bookrun.os.environ["MKL_NUM_THREADS"] == "3"
