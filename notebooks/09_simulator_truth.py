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

# %% tags=["parameters"]
scale = 1.0          # share of each real source the chapters use (stratified; 1.0 = all of it)
n_seeds = 5          # seeds of the chapters' evaluations (shown for the record)
min_per_dataset = 300  # the chapters keep at least this many queries of each dataset
data_dir = None      # folder holding the real sources (None: $ROUTERLAB_DATA_DIR, ../shared/data)
executed_dir = "."   # where the executed chapter notebooks are (bookrun runs us in the notebooks folder)

# %% tags=["remove-cell"]
import json
from pathlib import Path

import matplotlib.pyplot as plt
import pandas as pd
from IPython.display import HTML
from myst_nb import glue

from routerlab.book import run as bookrun
from routerlab.reproduction import findings as simcheck
from routerlab.data import sources
from routerlab.book.glue import glue_value
from routerlab.book.tables import html_table
from routerlab.book.plots import plot_verdict_grid
from routerlab.book import style
from routerlab.data.sources._base import candidate_folders

pd.set_option("display.max_colwidth", None)
style.use()

# %% tags=["remove-input"]
# Which real sources this build has, and how big they are at the chapters' scale.
FINDING_SOURCES = list(dict.fromkeys(s for fd in simcheck.findings() for s in fd["real"]))
found = {}
for name in FINDING_SOURCES:
    bench = sources.load_for_book(name, scale=scale, seed=0, data_dir=data_dir,
                                  min_per_dataset=min_per_dataset)
    found[name] = bench
    if bench is None:
        looked = [str(f) for f in candidate_folders(name, data_dir)]
        text = "NOT FOUND (looked in " + ", ".join(looked) + ")"
    else:
        n, m = bench.quality.shape
        text = (f"found: {n:,} queries x {m} models, {len(bench.dataset_names)} datasets, "
                + ("estimated cost (list prices x token counts)" if bench.cost_estimated
                   else "real per-query cost"))
    glue_value("src_" + name.replace("-", "_"), text)
missing_sources = [n for n, b in found.items() if b is None]
glue_value("sources_missing_text",
           "Every real source was found." if not missing_sources else
           "Missing: " + ", ".join(missing_sources) + ". Every finding measured on "
           + ("it" if len(missing_sources) == 1 else "them")
           + " is \"not measurable\" below (real value \"not measured\", note \"data folder not "
             "found\"); put the folder(s) under the data root (--data-dir, $ROUTERLAB_DATA_DIR or "
             "../shared/data beside the project) and rebuild.")

# %% [markdown]
# ```{admonition} Real data in this build
# :class: note
# - **routerbench-subset** (RouterBench's own outcomes, ARC-Challenge, MBPP, Winogrande):
#   {glue:text}`src_routerbench_subset`
# - **llmrouter** (LLMRouter's nine open models on 14 tasks): {glue:text}`src_llmrouter`
# - **mmlu-pro** (29 models on the 14 categories of MMLU-Pro): {glue:text}`src_mmlu_pro`
#
# {glue:text}`sources_missing_text`
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
# {glue:text}`rules_commit_text`. A chapter hands over measurements only
# (`routerlab.reproduction.findings.record` has no verdict argument); `routerlab.reproduction.findings.verdict` applies the
# rule. The verdicts are:
#
# holds
# : the real measurement agrees with the simulated one by the finding's rule (same yes/no answer,
#   a difference within the stated tolerance, the same side of a threshold, or the same sign with
#   a real 95% interval that excludes 0).
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
history = simcheck.findings_history(Path.cwd().parent)
if history["added_commit"] is None:
    rules_commit_text = "whose git history is not available in this build"
else:
    later = history["n_later_commits"]
    rules_commit_text = (
        f"added in commit {history['added_commit'][:7]} ({history['added_date']})"
        + (", unchanged since" if later == 0 else f", changed by {later} later commit(s) since "
           "(see `git log --follow -p -- src/routerlab/reproduction/findings.yaml`)")
        + ("; the working copy that built this page has uncommitted changes to it"
           if history["uncommitted"] else ""))
glue_value("rules_commit_text", rules_commit_text)
glue_value("n_findings", len(simcheck.findings()))
rules = simcheck.rules_table(link=lambda chapter: f"{chapter}.html")
glue("rules_table", HTML(html_table(
    rules, html_columns=["finding"], css_class="rl-rules", font_size="0.8em",
    widths={"finding": "21em", "rule": "14em", "measured on": "11em"})), display=False)

# %% [markdown]
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
# ## What the chapters measured
#
# Every executed chapter `NN_name.ipynb` of the book before this one (a notebook of `_toc.yml` with
# its source in `notebooks/`), read from the folder bookrun wrote the executed notebooks to (with
# `--out-dir DIR`, that folder), in name order; a finding recorded twice is taken from the later
# chapter. The table shows the parameters papermill ran each chapter with, against the book's
# reference parameters (the values most chapters ran with).

# %% tags=["hide-input"]
chapters = bookrun.book_chapters(executed_dir, sources_dir=".", below=9)  # the chapters before this one
entries = simcheck.collect(chapters)
param_check = bookrun.parameter_check(executed_dir, ".")
param_rows = {r["notebook"]: r for r in param_check["notebooks"]}
other_params = [p.stem for p in chapters if param_rows.get(p.stem, {}).get("differs")]


def chapter_row(path: Path) -> dict:
    params = json.loads(path.read_text(encoding="utf-8")).get("metadata", {}).get(
        "papermill", {}).get("parameters", {})
    return {"chapter": path.stem, "scale": f"{params['scale']:g}" if "scale" in params else "—",
            "seeds": params.get("n_seeds", "—"),
            "findings recorded": sum(e["notebook"] == path.stem for e in entries.values()),
            "against the book": ("OTHER: " + bookrun.parameter_text(param_rows[path.stem]["differs"])
                                 if path.stem in other_params else "as the book")}


read = pd.DataFrame([chapter_row(p) for p in chapters],
                    columns=["chapter", "scale", "seeds", "findings recorded", "against the book"])
read.style.hide(axis="index")

# %% tags=["remove-input"]
table = simcheck.truth_table(entries)
summary = simcheck.summary(table)
counts = simcheck.verdict_counts(table)
for key, value in summary.items():
    glue_value("truth_" + key, value)
for src, row in counts.iterrows():
    for verdict, n in row.items():
        glue_value(f"n_{src.replace('-', '_')}_{verdict.replace(' ', '_')}", int(n))
glue_value("n_recorded", len(entries))
glue_value("n_chapters_read", len(chapters))
glue_value("scale_note", "every one with the book's parameters, "
           + (bookrun.parameter_text(param_check["reference"]) or "none") if not other_params else
           "NOT all with the book's parameters (" + bookrun.parameter_text(param_check["reference"])
           + "): " + "; ".join(
               f"{c} ran with {bookrun.parameter_text(param_rows[c]['differs'])}, and the findings "
               + (", ".join(k for k, e in entries.items() if e["notebook"] == c) or "(none)")
               + " come from it" for c in other_params)
           + "; rerun with the book's parameters (the status page gives the command)")
shown = simcheck.display_table(table, note_limit=110).drop(columns="rule")  # the rules: tbl-rules
glue("truth_table", HTML(html_table(
    shown, html_columns=["finding"], css_class="rl-truth", font_size="0.8em",
    widths={"finding": "14em", "real source": "8.5em", "simulated": "7em", "real": "7em",
            "verdict": "6em", "note": "12em"})), display=False)
# The pairs where the simulator is wrong, side by side (a short table for the text).
wrong = table[table["verdict"] == "does not hold"]
wrong_shown = pd.DataFrame({
    "finding": [f"{s} ({f})" for s, f in zip(wrong["statement"], wrong["finding"])],
    "real source": wrong["source"].map(simcheck.source_label),
    "simulated": [simcheck.format_measurement(v, lo, hi) for v, lo, hi in zip(wrong["sim"], wrong["sim_lo"], wrong["sim_hi"])],
    "real": [simcheck.format_measurement(v, lo, hi) for v, lo, hi in zip(wrong["real"], wrong["real_lo"], wrong["real_hi"])]},
    columns=["finding", "real source", "simulated", "real"])
glue("wrong_table", HTML(
    html_table(wrong_shown, css_class="rl-wrong", font_size="0.85em",
               widths={"finding": "22em", "real source": "9em", "simulated": "8em", "real": "8em"})
    if len(wrong_shown) else "<p><em>None in this build: no measured finding contradicts the simulator.</em></p>"),
    display=False)
notes = table.loc[table["note"] != "", ["finding", "source", "note"]].assign(
    source=lambda d: d["source"].map(simcheck.source_label))
glue("notes_table", HTML(html_table(notes, css_class="rl-notes", font_size="0.8em",
                                    widths={"finding": "14em", "source": "9.5em", "note": "24em"})),
     display=False)

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
grid = simcheck.verdict_grid(table)
labels = {s: s.replace("routerbench-", "routerbench-\n") + ("\n(estimated\ncost)" if s in simcheck.ESTIMATED_COST_SOURCES
                                           else "\n(real cost)") for s in grid.columns}
fig, ax = plt.subplots(figsize=style.figsize(0.32 * len(grid) + 1.6))
plot_verdict_grid(ax, grid.rename(columns=labels),
                  column_notes={labels[s]: "data not found" for s in missing_sources if s in labels})
glue("fig_verdicts", fig, display=False)
plt.close(fig)

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
_counts = counts.rename(index=simcheck.source_label).rename_axis("real source").reset_index()
glue("counts_table", style.table(_counts, hide_index=True).set_table_styles(
    [{"selector": "th, td", "props": "text-align: left;"}]), display=False)

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
# chapter could also check on real outcomes, the real-data verdict beside the simulated one.
