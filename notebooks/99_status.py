# ---
# jupyter:
#   jupytext:
#     formats: py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
# ---

# %% [markdown]
# # Status: what produced these pages
#
# This page is executed last, after every other notebook of the book, by
# `python -m routerlab.book.run` (see [Reproducing this book](../book/reproducing.md)). It reads
# what papermill recorded in the executed notebooks and reports the software and the data that
# produced the numbers you have read. Every value below is computed when the book is built.

# %% tags=["parameters", "hide-cell"]
scale = 1.0  # benchmark size used by the book (1.0 means 67,500 queries x 6 models)
n_seeds = 5  # number of seeds the chapters averaged over
seed = 0  # base seed of the simulated benchmark
executed_dir = "."  # where bookrun wrote the executed notebooks (relative to this folder)
execution_log = "../_build/status/execution.json"  # bookrun's log of wall times
data_dir = None  # folder holding the real-data sources (None: $ROUTERLAB_DATA_DIR, ../shared/data)

# %% tags=["remove-cell"]
import json

import pandas as pd
from IPython.display import HTML
from myst_nb import glue

import routerlab as rl
from routerlab.book import run as bookrun
from routerlab.book.glue import glue_formatted
from routerlab.book.tables import html_table

# %% [markdown]
# ## Execution
#
# Each notebook of the book (the chapters of `_toc.yml` whose executed copy is in the folder the
# book is built from) was executed by papermill with the parameters shown. "cells s" is
# papermill's time for the cells in seconds; "wall s" adds the conversion from the py:percent
# source and the kernel start-up, as measured by bookrun. The book's **reference parameters** are, for
# each parameter, the value most chapters ran with (not the last run's); a notebook run with
# other values is flagged in the last column with the command that reruns it.

# %% tags=["remove-input"]
runs = bookrun.execution_table(executed_dir, execution_log, sources_dir=".")
check = bookrun.parameter_check(executed_dir, ".")
reference = check["reference"]
by_name = {r["notebook"]: r for r in check["notebooks"]}


def against_book(name: str) -> str:
    r = by_name.get(name)
    if r is None or not r["differs"]:
        return "as the book"
    return ("OTHER: " + bookrun.parameter_text(r["differs"]) + "; rerun: "
            + bookrun.rerun_command([name], reference))


table = pd.DataFrame({
    "notebook": runs["notebook"],
    "cells s": runs["seconds"].map(lambda x: f"{x:.1f}"),
    "wall s": runs["wall_seconds"].map(lambda x: "—" if x != x else f"{x:.1f}"),
    "parameters": runs["notebook"].map(
        lambda n: bookrun.parameter_text(by_name[n]["parameters"]) if n in by_name else "—"),
    "finished (UTC)": runs["finished"].str.slice(5, 16).str.replace("T", " "),
    "status": runs["status"],
    "against the book": runs["notebook"].map(against_book),
})
glue("status_execution_table", HTML(html_table(
    table, css_class="rl-status",
    widths={"notebook": "11em", "cells s": "3.5em", "wall s": "3.5em", "parameters": "8.5em",
            "finished (UTC)": "7em", "status": "3em", "against the book": "9em"})), display=False)

# %% tags=["remove-input"]
n_notebooks = len(runs)
total_seconds = float(runs["seconds"].sum()) if n_notebooks else 0.0
n_failed = int((runs["status"] != "ok").sum())
differing = check["differing"]
ref_scale = float(reference.get("scale", scale))
ref_seeds = int(reference.get("n_seeds", n_seeds))
glue("status_n_notebooks", n_notebooks, display=False)
glue("status_n_chapters", int(check["n_chapters"]), display=False)
glue("status_total_seconds", total_seconds, display=False)
glue("status_total_minutes", total_seconds / 60, display=False)
glue("status_n_failed", n_failed, display=False)
glue("status_scale", ref_scale, display=False)
glue("status_n_seeds", ref_seeds, display=False)
glue("status_n_differing", len(differing), display=False)
glue("status_reference_text", bookrun.parameter_text(reference) or "none", display=False)
run = bookrun.last_run(execution_log) or {}
run_seconds = run.get("seconds")
glue_formatted("status_run_notebooks", len(run["notebooks"]) if run else None, "{:d}")
glue_formatted("status_run_jobs", run.get("jobs"), "{:d}")
glue_formatted("status_run_seconds", run_seconds, "{:.1f}")
glue_formatted("status_run_minutes", None if run_seconds is None else run_seconds / 60, "{:.1f}")
glue_formatted("status_target_minutes", bookrun.BOOK_SECONDS_TARGET / 60, "{:.0f}")
glue("status_run_verdict",
     "unknown (bookrun's log records no complete run)" if run_seconds is None
     else "a partial run, not comparable with" if len(run["notebooks"]) <= n_notebooks
     else "within" if run_seconds <= bookrun.BOOK_SECONDS_TARGET else "OVER",
     display=False)
glue("status_parameter_note",
     "every notebook ran with the book's reference parameters" if not differing
     else "WARNING: " + "; ".join(
         f"{n} ran with {bookrun.parameter_text(by_name[n]['differs'])}" for n in differing)
     + ". Their numbers are not comparable with the rest of the book; the table gives the "
       "command that reruns each with the book's parameters", display=False)

# %% [markdown]
# The book's {glue:text}`status_n_notebooks:d` executed notebooks
# ({glue:text}`status_n_chapters:d` chapters and the summary pages) ran in
# {glue:text}`status_total_seconds:.1f` s of cell time ({glue:text}`status_total_minutes:.1f`
# minutes), {glue:text}`status_n_failed:d` with an error. The last run of bookrun executed
# {glue:text}`status_run_notebooks` notebooks, {glue:text}`status_run_jobs` chapters at a time, in
# {glue:text}`status_run_seconds` s of wall time up to the start of this page
# ({glue:text}`status_run_minutes` minutes): {glue:text}`status_run_verdict` the
# {glue:text}`status_target_minutes`-minute target for the whole book on two cores. Chapters
# that run side by side share the machine, so each one's own seconds are longer than alone.
# Reference parameters: {glue:text}`status_reference_text`; {glue:text}`status_parameter_note`.
#
# ```{glue} status_execution_table
# ```
#
# `python -m routerlab.book.run --verify` (run by `make html` and `make book` before the HTML is
# built) fails the build when a notebook of the book is missing or failed, ran with other
# parameters than the reference, or when a summary page (chapter 09, the ledger, this page) is
# older than a chapter.
#
# ## Software
#
# The package versions in the environment that executed the notebooks, and the git commit of
# the sources.

# %% tags=["hide-input"]
versions = bookrun.package_versions()
commit = bookrun.git_commit(".")
pd.Series(versions, name="version").rename_axis("package").to_frame()

# %% tags=["remove-input"]
glue("status_git_commit", commit, display=False)
glue("status_routerlab_version", rl.__version__, display=False)
glue("status_python_version", versions["python"], display=False)

# %% [markdown]
# routerlab {glue:text}`status_routerlab_version` on Python
# {glue:text}`status_python_version`, from git commit {glue:text}`status_git_commit`
# ("unknown" when the book was built outside a git clone).
#
# **Locked versions.** `constraints.txt` at the root of the repository pins the exact version of
# every package that produced the book (`make book` installs with it); library users get the
# ranges of `pyproject.toml`. The table compares each pinned version with the installed one.

# %% tags=["remove-input"]
locked = bookrun.locked_versions()
mismatched = locked.loc[~locked["match"]]
lock_table = locked.assign(match=locked["match"].map({True: "yes", False: "NO: MISMATCH"}))
glue("status_locked_table", HTML(html_table(lock_table, nowrap=["package"], css_class="rl-status")),
     display=False)
glue("status_n_locked", len(locked), display=False)
glue("status_n_lock_mismatch", len(mismatched), display=False)
glue("status_lock_note",
     ("no constraints.txt was found, so the versions cannot be compared with the lock"
      if locked.attrs["path"] is None else
      "every installed version is the locked one" if mismatched.empty else
      "WARNING: installed versions differ from the lock for "
      + ", ".join(f"{r.package} ({r.installed}, locked {r.locked})" for r in mismatched.itertuples())
      + "; numbers may differ from a build with the locked versions (reinstall: "
        "`.venv/bin/pip install -c constraints.txt -e '.[book,test]'`)"), display=False)

# %% [markdown]
# {glue:text}`status_n_locked:d` packages are locked, {glue:text}`status_n_lock_mismatch:d`
# installed at another version: {glue:text}`status_lock_note`.
#
# :::{admonition} Installed and locked versions
# :class: dropdown
# ```{glue} status_locked_table
# ```
# :::
#
# ## Data
#
# **Simulated benchmark.** Unless a chapter says otherwise, its numbers come from
# RouterBench-Sim, the simulated benchmark of chapter 01, generated deterministically from a
# `scale` and a `seed`. Its fingerprint is the SHA-256 of the quality and cost arrays (as
# little-endian float64, shapes included): the same digest means the same numbers. The table
# fingerprints each simulated benchmark the chapters actually ran on (their `scale` and `seed`
# as papermill recorded them, or the notebook's default).

# %% tags=["remove-input"]
used: dict = {}
for r in check["notebooks"]:
    p = r["parameters"]
    if r["summary"] or "scale" not in p:
        continue
    sim_seed = p.get("seed")
    if sim_seed is None:
        sim_seed = bookrun.declared_parameters(f"{executed_dir}/{r['notebook']}.ipynb").get("seed", 0)
    used.setdefault((float(p["scale"]), int(sim_seed or 0)), []).append(r["notebook"])
if not used:
    used[(ref_scale, int(reference.get("seed", seed) or 0))] = []
ref_key = (ref_scale, int(reference.get("seed", seed) or 0))
digests = {key: bookrun.simulated_data_digest(*key) for key in sorted(used, key=lambda k: k != ref_key)}
sim_table = pd.DataFrame([{
    "scale": f"{key[0]:g}", "seed": key[1], "chapters": ", ".join(used[key]) or "—",
    "queries x models": f"{d['n_queries']:,} x {d['n_models']}",
    "SHA-256": d["sha256"] or "not computed"} for key, d in digests.items()])
glue("status_sim_table", HTML(html_table(sim_table, css_class="rl-status")), display=False)
sim = digests.get(ref_key) or next(iter(digests.values()))
glue("status_sim_source", sim["source"], display=False)
glue("status_sim_queries", sim["n_queries"], display=False)
glue("status_sim_models", sim["n_models"], display=False)
glue("status_sim_sha256", sim["sha256"] or "not computed", display=False)
glue("status_sim_n_benchmarks", len(digests), display=False)

# %% [markdown]
# The reference benchmark: {glue:text}`status_sim_source`; {glue:text}`status_sim_queries:,d`
# queries x {glue:text}`status_sim_models:d` models; SHA-256 {glue:text}`status_sim_sha256`.
# The chapters ran on {glue:text}`status_sim_n_benchmarks:d` simulated benchmark(s):
#
# ```{glue} status_sim_table
# ```
#
# **Real outcomes.** Several chapters also read real per-query outcomes (chapter 08 RouteLLM's;
# the real-data sections and chapter 09 RouterBench's own subset, LLMRouter's and MMLU-Pro's).
# They are read from a local folder (`--data-dir`, the environment variable `ROUTERLAB_DATA_DIR`,
# or `../shared/data` beside the repository), each file checked against the SHA-256 digests
# shipped in the package before it is read; they are never committed to this repository. The
# table lists, for every source, where it was found and how many of its pinned files match their
# digests; "digest list SHA-256" names the pinned version in one hash.

# %% tags=["remove-input"]
checks = bookrun.data_verification(data_dir)


def data_state(r: dict) -> str:
    if r["folder"] is None:
        return "not found on this machine"
    if r["bad"]:
        return f"found, but {len(r['bad'])} file(s) missing or altered: " + ", ".join(r["bad"][:5])
    return "found, every file verified"


data_table = pd.DataFrame([{
    "source": r["name"], "state": data_state(r), "folder": r["folder"] or "—",
    "files matching their digest": f"{r['n_ok']} of {r['n_files']}",
    "digest list SHA-256": r["sums_sha256"][:16] + "…"} for r in checks])
glue("status_data_table", HTML(html_table(data_table, nowrap=["source"], css_class="rl-status")),
     display=False)
n_found = sum(r["folder"] is not None and not r["bad"] for r in checks)
missing = [r["name"] for r in checks if r["folder"] is None or r["bad"]]
glue("status_real_n_sources", len(checks), display=False)
glue("status_real_n_verified", n_found, display=False)
glue("status_real_missing",
     "none" if not missing else ", ".join(missing) + " (the chapters show their real-data numbers "
     "as n/a and say so)", display=False)
for r in checks:
    glue(f"status_real_state_{r['name'].replace('-', '_')}", data_state(r), display=False)

# %% [markdown]
# {glue:text}`status_real_n_verified:d` of {glue:text}`status_real_n_sources:d` real sources were
# found with every file verified. Missing or altered: {glue:text}`status_real_missing`.
#
# ```{glue} status_data_table
# ```
