# ---
# jupyter:
#   jupytext:
#     formats: py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# (simulator-truth)=
# # Does the simulator tell the truth?
#
# Chapters 02 to 07 measure the article's methods on {term}`RouterBench-Sim`, outcomes drawn by
# `routerlab.data.simulate`. The simulator matches public per-dataset accuracies and list prices, and
# its structure (how correlated two models' errors are, how predictable correctness is from the
# query) is fitted to real outcomes; but a routing result depends on more than that: on which
# queries are hard for which model, on how well a prompt predicts an answer's correctness, on how
# costs vary from query to query. A simulator can match every marginal and still get a routing
# conclusion wrong.
#
# So each chapter measures its main findings twice, with the same protocol (80/20 stratified
# split of the pooled, de-duplicated rows; seeds 0 to `n_seeds` - 1; 95% intervals): on the
# simulated benchmark and on **real per-query outcomes** of other LLMs. This chapter collects
# those measurements and judges, finding by finding and source by source, whether the
# simulator's answer holds on real data, by a rule written down before any real number was
# computed.
#
# The real outcomes are not the article's (its six models' answers are not published), so a
# finding that holds on them says that the simulated conclusion survives contact with real
# models, tasks and prices; one that does not hold says the simulator cannot be trusted on that
# point, whatever it says about the article's setting.
#
# ```{admonition} First: does reading the query buy anything over knowing the task?
# :class: important
# A router that beats a single fixed model may only be using the task label that comes with each
# query. Chapter 11 ({ref}`query-or-task`) pits the best learned router against query-blind
# baselines that know the task, by rules fixed before measuring, on every real benchmark with many
# models. Its verdicts, collected below with the others: {glue:text}`task_lead`
# ```

# %% tags=["parameters"]
scale = 1.0          # share of each real source the chapters use (stratified; 1.0 = all of it)
n_seeds = 5          # seeds of the chapters' evaluations (shown for the record)
min_per_dataset = 300  # the chapters keep at least this many queries of each dataset
data_dir = None      # folder holding the real sources (None: $ROUTERLAB_DATA_DIR, ../shared/data)
executed_dir = "."   # where the executed chapter notebooks are (bookrun runs us in the notebooks folder)

# %% tags=["remove-cell"]
from pathlib import Path

import matplotlib.pyplot as plt
import pandas as pd

from routerlab.book import style
from routerlab.book.glue import glue_figure, glue_value
from routerlab.chapters import simulator_truth as truth
from routerlab.chapters.summary_pages import chapters_read, glue_all
from routerlab.reproduction import findings as simcheck

pd.set_option("display.max_colwidth", None)
style.use()

# %% tags=["remove-input"]
# Which real sources this build has, and how big they are at the chapters' scale.
found, missing_sources = truth.real_sources(scale, data_dir, min_per_dataset)
glue_all(found)

# %% [markdown]
# ```{admonition} Real data in this build
# :class: note
# - **routerbench-subset** (RouterBench's own outcomes on ARC-Challenge, MBPP, Winogrande): {glue:text}`src_routerbench_subset`
# - **llmrouter** (LLMRouter's nine open models on 14 tasks): {glue:text}`src_llmrouter`
# - **mmlu-pro** (29 models on the 14 categories of MMLU-Pro): {glue:text}`src_mmlu_pro`
#
# {glue:text}`sources_missing_text`
#
# Quality: {glue:text}`graded_sources_text`.
#
# Costs on {term}`LLMRouter` and {term}`MMLU-Pro` are {term}`estimated costs <estimated cost>`
# (prompt and answer tokens times public list prices); on routerbench-subset (a subset of
# {term}`RouterBench`'s real outcomes) they are RouterBench's recorded per-query costs. Every
# table below labels the estimated ones.
# ```
#
# ## The rules, fixed before the real numbers
#
# The findings and the rule that decides each verdict are data, `routerlab/reproduction/findings.yaml`,
# {glue:text}`rules_commit_text`. A change to the file is a commit of its own, and adds findings or
# marks an entry (as an identity, below); none edits a rule's parameter. A chapter hands over measurements only
# (`routerlab.reproduction.findings.record` has no verdict argument); `routerlab.reproduction.findings.verdict` applies the
# rule. The verdicts are:
#
# holds
# : the real measurement agrees with the simulated one by the finding's rule (same yes/no answer,
#   a difference within the stated tolerance, the same side of a threshold, or the same sign with
#   a real 95% interval that excludes 0); for the rules that read the real value alone (a
#   threshold, or "positive": a real 95% interval above 0, as in chapter 11's findings), the real
#   value meets the rule.
#
# does not hold
# : the real measurement contradicts the simulated one by that rule.
#
# inconclusive
# : for a sign: the real 95% interval contains 0 (or the simulated value is exactly 0), so real
#   data cannot tell.
#
# not measurable
# : no real value: the data folder is missing, the chapter could not measure it on that source
#   (the note says why), or no chapter recorded the finding in this build.

# %% tags=["remove-input"]
glue_all(truth.rules(Path.cwd().parent))

# %% [markdown]
# :::{admonition} The later commits that changed the findings file
# :class: dropdown
# ```{glue} rules_history_table
# ```
# :::
#
# {numref}`tbl-rules` lists the {glue:text}`n_findings:d` pre-registered findings, the chapter
# that measures each, its rule and the real sources it is measured on. The findings speak of the
# {term}`Routing Score` (RS), the oracle bound {term}`OUB`, the {term}`Spearman rho` of two
# rankings and the {term}`Fisher z interval` of a correlation; the glossary defines each.
#
# ```{glue:figure} rules_table
# :name: "tbl-rules"
# :figclass: table
# The pre-registered findings (statement, identifier and the chapter that measures it), the rule
# that judges each on real data, and the real sources it is measured on.
# ```
#
# ## Identities, not findings
#
# A statement that holds on every benchmark of a kind, whatever its data, cannot be refuted by
# data of that kind: its "holds" would be free. Entries of the findings file marked as identities
# ({glue:text}`n_identities:d` in all) are shown here with their proof and are not counted among
# the findings; what their chapter measured is shown as a check of the code, and a brute-force
# test of the package (random tables of that kind) checks each. Where a real source falls outside
# the identity's premise, a finding of its own asks the question there
# (`rs.oub_is_coub_graded`, on graded quality).
#
# ```{glue} identity_table
# ```
#
# ## What the chapters measured
#
# Every other executed chapter `NN_name.ipynb` of the book (a notebook of `_toc.yml` with
# its source in `notebooks/`), read from the folder bookrun wrote the executed notebooks to (with
# `--out-dir DIR`, that folder), in name order; a finding recorded twice is taken from the later
# chapter. The table shows the parameters papermill ran each chapter with, against the book's
# reference parameters (the values most chapters ran with).

# %% tags=["hide-input"]
read = chapters_read(executed_dir, exclude=("09_simulator_truth",))  # every other chapter
entries = simcheck.collect(read["chapters"])
truth.chapters_table(read, entries)

# %% tags=["remove-input"]
table, values = truth.truth(entries, read)
glue_all(values)

# %% [markdown]
# {glue:text}`n_recorded:d` of the {glue:text}`n_findings:d` findings were recorded by the
# {glue:text}`n_chapters_read:d` executed chapters read ({glue:text}`scale_note`).
#
# ## Finding by finding
#
# {numref}`fig-verdicts` shows the verdict of every finding on every real source it is measured
# on. The verdict is computed by the rule (`routerlab.reproduction.findings.verdict`), never typed.
#
# :::{admonition} Every (finding, source) pair with its values and verdict
# :class: dropdown
# One row per finding and real source. "simulated" is the value on RouterBench-Sim (simulated
# data), "real" the value on the real source, each with its 95% interval where the chapter gives
# one; yes/no findings read "yes" or "no". The rules are in {numref}`tbl-rules`; the chapter's note
# is cut short here (in full in the next box).
#
# ```{glue} truth_table
# ```
# :::
#
# :::{admonition} The chapters' notes in full
# :class: dropdown
# ```{glue} notes_table
# ```
# :::

# %% tags=["remove-input"]
fig, ax = plt.subplots(figsize=truth.grid_figsize(table))
truth.plot_verdicts(ax, table, missing_sources)
glue_figure("fig_verdicts", fig)

# %% [markdown]
# ```{glue:figure} fig_verdicts
# :name: fig-verdicts
# :alt: "Grid of coloured cells, one row per pre-registered finding and one column per real source, each cell coloured by the verdict: holds, does not hold, inconclusive or not measurable."
# The verdict of every finding (rows, by the identifiers of {numref}`tbl-rules`) on every real
# source it is measured on (columns; blank: not measured there). Costs on llmrouter and mmlu-pro
# are estimated; on routerbench-subset they are real. The simulated side of every cell is
# RouterBench-Sim.
# ```
#
# ## Where the simulator is right, and where it is wrong
#
# Over the {glue:text}`truth_n_pairs:d` (finding, source) pairs, the simulator's answer
# **holds** for {glue:text}`truth_n_holds:d`, **does not hold** for
# {glue:text}`truth_n_does_not_hold:d`, is **inconclusive** for
# {glue:text}`truth_n_inconclusive:d`, and {glue:text}`truth_n_not_measurable:d` are not
# measurable in this build.
#
# - Holds: {glue:text}`truth_holds_list`.
# - Does not hold: {glue:text}`truth_does_not_hold_list`.
# - Inconclusive: {glue:text}`truth_inconclusive_list`.
# - Not measurable: {glue:text}`truth_not_measurable_list`.
#
# Where the simulator is wrong, {numref}`tbl-wrong` sets the two values side by side.
#
# ```{glue:figure} wrong_table
# :name: "tbl-wrong"
# :figclass: table
# The (finding, source) pairs where the simulator's answer does not hold on real data: the value
# on RouterBench-Sim and on the real source, with 95% intervals where the chapter gives them.
# ```
#
# By source ({numref}`tbl-counts`):

# %% tags=["remove-input"]
glue_value("counts_table", truth.counts_table(table))

# %% [markdown]
# ```{glue:figure} counts_table
# :name: "tbl-counts"
# :figclass: table
# The verdicts per real source: the number of (finding, source) pairs with each verdict.
# ```
#
# On **routerbench-subset** (real cost), {glue:text}`n_routerbench_subset_holds:d` hold,
# {glue:text}`n_routerbench_subset_does_not_hold:d` do not,
# {glue:text}`n_routerbench_subset_inconclusive:d` are inconclusive and
# {glue:text}`n_routerbench_subset_not_measurable:d` are not measurable; on **llmrouter**
# (estimated cost) {glue:text}`n_llmrouter_holds:d`, {glue:text}`n_llmrouter_does_not_hold:d`,
# {glue:text}`n_llmrouter_inconclusive:d` and {glue:text}`n_llmrouter_not_measurable:d`; on
# **mmlu-pro** (estimated cost) {glue:text}`n_mmlu_pro_holds:d`,
# {glue:text}`n_mmlu_pro_does_not_hold:d`, {glue:text}`n_mmlu_pro_inconclusive:d` and
# {glue:text}`n_mmlu_pro_not_measurable:d`.
#
# How to read a failure: a finding that does not hold on real data is a conclusion of the
# simulated chapters that this book cannot stand behind for real models. The chapter that
# measures it shows the real numbers beside the simulated ones and discusses the difference; the
# [reproduction ledger](../book/reproduction.md) shows, for each claim of the article that a
# chapter could also check on real outcomes, the real-data verdict beside the simulated one; it
# judges there only the shape of a claim (orderings, signs, thresholds), since the article's raw
# numbers belong to its own models, tasks and prices ("not applicable" on real data).
