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
# `python -m routerlab.bookrun` (see [Reproducing this book](../book/reproducing.md)). It reads
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
from routerlab import bookrun
from routerlab.htmltable import html_table

# %% [markdown]
# ## Execution
#
# Each notebook was executed by papermill with the parameters shown. `seconds` is papermill's
# time for the cells; `wall_seconds` adds the conversion from the py:percent source and the
# kernel start-up, as measured by bookrun.

# %% tags=["hide-input"]
runs = bookrun.execution_table(executed_dir, execution_log, sources_dir=".")
table = runs.assign(parameters=runs["parameters"].map(lambda p: json.dumps(p, sort_keys=True)))
table.set_index("notebook").round({"seconds": 1, "wall_seconds": 1})

# %% tags=["remove-input"]
n_notebooks = len(runs)
total_seconds = float(runs["seconds"].sum()) if n_notebooks else 0.0
n_failed = int((runs["status"] != "ok").sum())
shared = {"scale": scale, "n_seeds": n_seeds}
mismatched = [
    row.notebook for row in runs.itertuples()
    if any(k in row.parameters and row.parameters[k] != v for k, v in shared.items())
]
glue("status_n_notebooks", n_notebooks, display=False)
glue("status_total_seconds", total_seconds, display=False)
glue("status_total_minutes", total_seconds / 60, display=False)
glue("status_n_failed", n_failed, display=False)
glue("status_scale", float(scale), display=False)
glue("status_n_seeds", int(n_seeds), display=False)
glue("status_parameter_note",
     "every chapter that declares these parameters ran with the same values" if not mismatched
     else "these chapters ran with other values (see the table): " + ", ".join(mismatched),
     display=False)

# %% [markdown]
# The book's {glue:text}`status_n_notebooks:d` executed notebooks ran in
# {glue:text}`status_total_seconds:.1f` s of cell time ({glue:text}`status_total_minutes:.1f`
# minutes), {glue:text}`status_n_failed:d` with an error. This page was run with
# `scale` = {glue:text}`status_scale:g` and `n_seeds` = {glue:text}`status_n_seeds:d`;
# {glue:text}`status_parameter_note`.
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
# ## Data
#
# **Simulated benchmark.** Unless a chapter says otherwise, its numbers come from
# RouterBench-Sim, the simulated benchmark of chapter 01, generated at this page's `scale` and
# `seed`. Its fingerprint is the SHA-256 of the quality and cost arrays (as little-endian
# float64, shapes included): the same digest means the same numbers.

# %% tags=["remove-input"]
sim = bookrun.simulated_data_digest(scale, seed)
glue("status_sim_source", sim["source"], display=False)
glue("status_sim_queries", sim["n_queries"], display=False)
glue("status_sim_models", sim["n_models"], display=False)
glue("status_sim_sha256", sim["sha256"] or "not computed", display=False)

# %% [markdown]
# Source: {glue:text}`status_sim_source`; {glue:text}`status_sim_queries:,d` queries x
# {glue:text}`status_sim_models:d` models; SHA-256 {glue:text}`status_sim_sha256`.
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
