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
from routerlab.book import run as bookrun
from routerlab.book.glue import glue_value
from routerlab.chapters import status
from routerlab.chapters.summary_pages import glue_all

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
ex = status.execution(executed_dir, execution_log)  # papermill's records, bookrun's log, the parameters
glue_value("status_execution_table", status.execution_table(ex))

# %% tags=["remove-input"]
glue_all(status.execution_values(ex, execution_log, scale, n_seeds))

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
# ## Sentence embeddings
#
# Chapter 11 can read the questions through a sentence encoder as well as through TF-IDF; the
# embeddings are computed once and cached, so only the first build pays for them:
# {glue:text}`status_embed_text`

# %% tags=["remove-input"]
glue_all(status.embedding_values("../benchmarks/results/encoder.json", data_dir))

# %% [markdown]
# ## Software
#
# The package versions in the environment that executed the notebooks, and the git commit of
# the sources.

# %% tags=["hide-input"]
versions = bookrun.package_versions()
status.versions_table(versions)

# %% tags=["remove-input"]
glue_all(status.software_values(versions))

# %% [markdown]
# routerlab {glue:text}`status_routerlab_version` on Python
# {glue:text}`status_python_version`, from git commit {glue:text}`status_git_commit`
# ("unknown" when the book was built outside a git clone).
#
# **Locked versions.** `constraints.txt` at the root of the repository pins the exact version of
# every package that produced the book (`make book` installs with it); library users get the
# ranges of `pyproject.toml`. The table compares each pinned version with the installed one.

# %% tags=["remove-input"]
glue_all(status.lock_values())

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
glue_all(status.simulated_values(ex["check"], executed_dir, scale, seed))

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
glue_all(status.real_data_values(data_dir))

# %% [markdown]
# {glue:text}`status_real_n_verified:d` of {glue:text}`status_real_n_sources:d` real sources were
# found with every file verified. Missing or altered: {glue:text}`status_real_missing`.
#
# ```{glue} status_data_table
# ```
#
# ## Robustness
#
# Bad input must get one line saying what is wrong, never a half-written file, an overwritten
# input or a lost result. The corpus `routerlab/book/bad_inputs.yaml` lists bad command-line
# inputs, each with its class and the outcome it must get, and `tests/test_io_safety.py` runs
# every case in `make test` (it fails on any other outcome or on a file created or changed).
# The table below counts that corpus; this page does not run it, and the suite's other tests of
# bad input (malformed tables, hostile saved routers, ...) are not counted here.

# %% tags=["remove-input"]
glue_all(status.robustness_values())

# %% [markdown]
# The corpus holds {glue:text}`status_bad_n_cases:d` bad inputs in
# {glue:text}`status_bad_n_classes:d` classes: {glue:text}`status_bad_n_error:d` must end in a
# one-line error and {glue:text}`status_bad_n_warning:d` in the results with a warning
# ({glue:text}`status_bad_outcomes`).
#
# ```{glue} status_bad_table
# ```
