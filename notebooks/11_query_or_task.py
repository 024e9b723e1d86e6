# ---
# jupyter:
#   jupytext:
#     formats: py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# (query-or-task)=
# # Routing by the query, or by the task?
#
# A router reads each query and picks a model. On the real benchmarks of this book every query
# also carries a **task label**: the dataset it comes from (ARC, MBPP, a category of MMLU-Pro, ...).
# A rule that never reads the query but knows its task can already route: send each dataset to the
# model that did best on that dataset's training rows. Chapters 03 and 07 compare the learned
# routers with single fixed models, which know neither. This chapter asks the sharper question:
# **does reading the query buy anything over knowing the task?** It compares every learned router
# with the strongest query-blind baselines that use the same information, on the three real
# benchmarks with many models per query, with intervals, and judges each comparison by a rule
# written down before any of these numbers was computed (`findings.yaml`, chapter
# [](simulator-truth) lists them with their verdicts).
#
# **The baselines.** *dataset-best* is, per dataset, the model with the best Routing Score on the
# training rows (chapter 03's baseline). The **task-aware zero router** is its counterpart in the
# cost-quality plane: for each willingness to pay $\lambda$ of RouterBench's sweep, per dataset, the
# fixed model that maximises $\lambda \cdot \text{training accuracy} - \kappa$, the rule the
# predictive routers' curves use with a prediction that ignores the query. Neither reads a word of
# the query (a test checks that changing the test rows' text, features, outcomes and costs changes
# nothing they do).
#
# **Picking the winner fairly.** "The best learned router" is chosen, for each train/test split,
# on a validation split of that split's training rows (20 %, stratified; the routers are fitted on
# the other 80 %), then scored on the test rows it was not chosen on. Choosing the best of six
# routers on the rows that score it would flatter it (the winner's curse).
#
# **AIQ, two ways.** *Pooled* AIQ (chapter 07) integrates one hull over all test rows of a split.
# *Per-dataset* AIQ computes the hull and AIQ on each dataset's test rows, then averages over the
# datasets, as RouterBench reports it. Pooled, the zero router mixes models used on *every*
# dataset, while the routers see the task; per dataset, both sides know the task.
#
# ```{admonition} Real outcomes, some costs estimated
# :class: note
# Every number here is measured on real per-query outcomes: RouterBench's own (real per-query
# cost), {term}`LLMRouter`'s and MMLU-Pro's ({term}`estimated costs <estimated cost>`, labelled so).
# MMLU-Pro enters as a stratified subsample of {glue:text}`qt_mmlu_n` questions (all its
# {glue:text}`qt_mmlu_models` models) to fit the book's time budget. The query features are TF-IDF + SVD
# of the question text, fitted on each split's training rows. In this build:
# {glue:text}`qt_data_status`
# ```

# %% tags=["parameters"]
scale = 1.0        # share of each real source's queries (stratified by dataset; at least 300 per dataset)
n_seeds = 5        # train/test splits, seeds 0 .. n_seeds - 1
data_dir = None    # folder holding the real-data folders (None: ../shared/data beside the project)

# %% tags=["remove-input"]
import matplotlib.pyplot as plt
from myst_nb import glue

from routerlab.book.glue import glue_figure, glue_value
from routerlab.book.style import COLUMN_INCHES
from routerlab.chapters import query_or_task as qt

KEYS = {"routerbench-subset": "rbs", "llmrouter": "llm", "mmlu-pro": "mmlu"}
bench = qt.load(scale, data_dir)
mp = bench["mmlu-pro"]
glue("qt_mmlu_n", "n/a" if mp is None else f"{mp.n_queries:,}", display=False)
glue("qt_mmlu_models", "n/a" if mp is None else f"{mp.n_models}", display=False)
glue_value("qt_n_found", sum(b is not None for b in bench.values()))
glue("qt_data_status", qt.data_status(bench, data_dir), display=False)

# %% [markdown]
# ## Under RS: the best learned router against dataset-best
#
# {numref}`tbl-qt-rs` puts the RS of the validation-chosen learned router beside dataset-best's and
# the oracle's (OUB) on each benchmark. The gain over dataset-best is the mean over the
# {glue:text}`qt_n_seeds:d` splits with a 95 % paired bootstrap interval over the test queries; the last
# column but one is the share of the gap between dataset-best and the oracle that the chosen router
# leaves open (1 or more: it does no better than dataset-best).

# %% tags=["remove-input"]
rs = {n: None if b is None else qt.rs_study(b, n_seeds) for n, b in bench.items()}
glue_value("qt_n_seeds", n_seeds)
glue("tbl_qt_rs", qt.table_html(qt.rs_table(rs)), display=False)
for n, st in rs.items():
    qt.glue_measure(f"qt_{KEYS[n]}_rs_gain", None if st is None else st["gain"])
    qt.glue_measure(f"qt_{KEYS[n]}_open", None if st is None else st["open"], "{:.2f}")

# %% [markdown]
# ```{glue:figure} tbl_qt_rs
# :name: "tbl-qt-rs"
# :figclass: table
# :alt: "Table: per real benchmark, RS of dataset-best, of the best learned router chosen on validation rows and of the oracle, the gain over dataset-best with its interval, the share of the gap to the oracle left open, and the router chosen on each split"
# The best learned router (chosen on validation rows of each split) against dataset-best, under RS
# (global normalisation, test rows, mean of the splits). Gain: 95 % paired bootstrap interval.
# Estimated costs are labelled.
# ```
#
# The gain over dataset-best is {glue:text}`qt_rbs_rs_gain` on routerbench-subset,
# {glue:text}`qt_llm_rs_gain` on llmrouter and {glue:text}`qt_mmlu_rs_gain` on MMLU-Pro. The
# pre-registered rule ("holds" when the interval lies above 0, "inconclusive" when it contains 0)
# gives: {glue:text}`qt_verdicts_rs`. The share of the gap to the oracle left open is
# {glue:text}`qt_rbs_open`, {glue:text}`qt_llm_open` and {glue:text}`qt_mmlu_open`. The
# **routing plateau** claim (arXiv 2606.07587) says routers sit far below the oracle; its
# pre-registered reading here (at least half of that gap left open) {glue:text}`qt_verdicts_plateau`.
#
# ## In the cost-quality plane: against the task-aware zero router
#
# Chapter 07's study, rerun with the task-aware zero router beside the others.
# {numref}`tbl-qt-aiq` gives the zero router's and the task-aware zero router's AIQ (c_max
# normalisation), pooled and per dataset, and the best learned router's AIQ minus the task-aware
# zero router's (the router chosen on validation rows by the same AIQ; mean over splits, 95 %
# t-interval across them).

# %% tags=["remove-input"]
aiq = {n: None if b is None else qt.aiq_study(b, n_seeds) for n, b in bench.items()}
glue("tbl_qt_aiq", qt.table_html(qt.aiq_table(aiq)), display=False)
for n, st in aiq.items():
    for part in ("pooled", "per_dataset"):
        qt.glue_measure(f"qt_{KEYS[n]}_aiq_{part}", None if st is None else st[part])

# %% [markdown]
# ```{glue:figure} tbl_qt_aiq
# :name: "tbl-qt-aiq"
# :figclass: table
# :alt: "Table: per real benchmark, AIQ pooled and per dataset of the zero router and the task-aware zero router, and the best learned router's AIQ minus the task-aware zero router's with intervals"
# AIQ (c_max normalisation) pooled over datasets and per dataset (then averaged), mean of the
# splits. Last columns: best learned router (chosen on validation rows) minus the task-aware zero
# router, 95 % t-interval across splits.
# ```
#
# Pooled, the best learned router minus the task-aware zero router is {glue:text}`qt_rbs_aiq_pooled`
# (routerbench-subset), {glue:text}`qt_llm_aiq_pooled` (llmrouter) and
# {glue:text}`qt_mmlu_aiq_pooled` (MMLU-Pro): {glue:text}`qt_verdicts_aiq_pooled`. Per dataset it is
# {glue:text}`qt_rbs_aiq_per_dataset`, {glue:text}`qt_llm_aiq_per_dataset` and
# {glue:text}`qt_mmlu_aiq_per_dataset`: {glue:text}`qt_verdicts_aiq_ds`. Every AIQ statement of
# this chapter names which of the two it is; chapter 07's are pooled.
#
# ## How predictable is correctness from the query?
#
# If the query carried much information about which model answers it correctly, beyond its task,
# a model of correctness that reads it would separate right from wrong answers better than the
# task's accuracy alone. {numref}`fig-qt-auc` and {numref}`tbl-qt-auc` measure exactly that, per
# model, by cross-validation on the training rows of split 0: the ROC AUC of the model's accuracy on
# the query's dataset, against a logistic regression on the dataset and the query's features.

# %% tags=["remove-input"]
aucs = {n: None if b is None else qt.auc_study(b) for n, b in bench.items()}
glue("tbl_qt_auc", qt.table_html(qt.auc_table(aucs)), display=False)
glue("qt_auc_text", qt.auc_text(aucs), display=False)
for n, t in aucs.items():
    qt.glue_measure(f"qt_{KEYS[n]}_auc_gain", None if t is None else {"value": t["gain"].mean()})
fig, ax = plt.subplots(figsize=(COLUMN_INCHES * 0.62, COLUMN_INCHES * 0.55))
qt.plot_auc(ax, aucs)
glue_figure("fig_qt_auc", fig)

# %% [markdown]
# ```{glue:figure} fig_qt_auc
# :name: "fig-qt-auc"
# :alt: "Scatter plot: one marker per model and real benchmark, AUC of correctness from the task alone on the x axis against the task plus the query on the y axis, with the diagonal dashed"
# Per model (marker) and benchmark (shape): how well correctness is predicted from the task alone
# (x) and from the task plus the query's TF-IDF + SVD features (y); cross-validated on training
# rows. Above the dashed diagonal, the query adds something.
# ```
#
# ```{glue:figure} tbl_qt_auc
# :name: "tbl-qt-auc"
# :figclass: table
# :alt: "Table: per real benchmark, the mean over models of the AUC from the task alone and from the task plus the query, the mean gain and the number of models gaining more than 0.02"
# Mean over the models of each benchmark of the cross-validated AUC of correctness.
# ```
#
# The query adds {glue:text}`qt_rbs_auc_gain` AUC on average on routerbench-subset,
# {glue:text}`qt_llm_auc_gain` on llmrouter and {glue:text}`qt_mmlu_auc_gain` on MMLU-Pro.
# {glue:text}`qt_auc_text`
#
# ## More training queries
#
# {numref}`fig-qt-curves` refits the router chosen most often above and dataset-best on
# {glue:text}`qt_fractions` of each split's training rows (the same rows for both) and scores them
# on the same test rows.

# %% tags=["remove-input"]
curves = {n: None if b is None else qt.curve_study(b, rs[n]["router"], n_seeds) for n, b in bench.items()}
glue("qt_fractions", ", ".join(f"{f:.0%}" for f in qt.FRACTIONS), display=False)
for n, c in curves.items():
    qt.glue_measure(f"qt_{KEYS[n]}_more_data", None if c is None else c["more_data"])
fig, ax = plt.subplots(figsize=(COLUMN_INCHES * 0.75, COLUMN_INCHES * 0.62), layout="constrained")
qt.plot_curves(ax, curves)
glue("qt_curve_text", qt.curve_text(curves), display=False)
glue_figure("fig_qt_curves", fig)

# %% [markdown]
# ```{glue:figure} fig_qt_curves
# :name: "fig-qt-curves"
# :alt: "Line chart with error bars: RS gain over dataset-best against the number of training queries on a log axis, one line per real benchmark labelled with its router"
# RS gain of the router over dataset-best, both fitted on a share of the training rows, against the
# number of training queries (log scale); mean of the splits and 95 % t-interval.
# ```
#
# From 10 % to all of the training rows the gain grows by {glue:text}`qt_rbs_more_data`
# (routerbench-subset), {glue:text}`qt_llm_more_data` (llmrouter) and
# {glue:text}`qt_mmlu_more_data` (MMLU-Pro): {glue:text}`qt_verdicts_more_data`. Read against 0:
# {glue:text}`qt_curve_text`
#
# ## Two published claims, and a router that stays with the task unless confident
#
# "When Simple KNN Beats Complex Learned Routers" (arXiv 2505.12601) reports that a tuned kNN
# matches the learned routers. Here the kNN's $k$ (5 to 80) and weighting (uniform or by cosine
# similarity) are tuned on the same validation rows as the learned router is chosen on, then both
# are scored on the test rows. The pre-registered reading ("holds" when the tuned kNN is at most
# 0.01 RS below the best learned router) {glue:text}`qt_verdicts_knn`.
#
# The last column of {numref}`tbl-qt-claims` tries to build a router that beats the task
# baseline: the *task-deviation* router starts from dataset-best's model for every query and
# switches to a kNN's choice only where the kNN's predicted RS gain clears a margin that each
# dataset tunes on validation rows (a dataset deviates only when the gain minus two standard errors
# is above 0). {glue:text}`qt_deviation_text`

# %% tags=["remove-input"]
knn = {n: None if b is None else qt.knn_study(b, rs[n]) for n, b in bench.items()}
deviation = {n: None if b is None else qt.deviation_study(b, n_seeds) for n, b in bench.items()}
glue("tbl_qt_claims", qt.table_html(qt.claims_table(knn, deviation)), display=False)
for n in bench:
    qt.glue_measure(f"qt_{KEYS[n]}_knn", knn[n])
    qt.glue_measure(f"qt_{KEYS[n]}_deviation", deviation[n])
glue("qt_deviation_text", qt.deviation_text(deviation), display=False)

# %% [markdown]
# ```{glue:figure} tbl_qt_claims
# :name: "tbl-qt-claims"
# :figclass: table
# :alt: "Table: per real benchmark, the tuned kNN minus the best learned router with its interval and the settings chosen, and the task-deviation router minus dataset-best with its interval and the number of splits where it is ahead"
# A kNN tuned on validation rows against the best learned router (chosen on the same rows), and the
# task-deviation router against dataset-best; RS differences on the test rows with 95 % paired
# bootstrap intervals.
# ```
#
# ## A sentence encoder instead of TF-IDF
#
# TF-IDF + SVD sees which words a question uses, not what it means. The routers are refitted on
# all-MiniLM-L6-v2 sentence embeddings of the same questions (384 dimensions, computed offline on
# the CPU from weights whose SHA-256 is checked before they are loaded, then cached), chosen on
# validation rows as before. {glue:text}`qt_encoder_status`
# {numref}`tbl-qt-encoder` gives the gain over dataset-best, the difference to the TF-IDF routers
# on the same test rows ("a stronger encoder helps", the routing plateau's second half:
# {glue:text}`qt_verdicts_stronger`), and the per-dataset AIQ against the task-aware zero router
# ({glue:text}`qt_verdicts_aiq_ds_minilm`). Against dataset-best under RS:
# {glue:text}`qt_verdicts_rs_minilm`.

# %% tags=["remove-input"]
enc = {n: None if b is None else qt.encoder_study(b, n_seeds, rs[n]) for n, b in bench.items()}
glue("qt_encoder_status", qt.encoder_status(enc), display=False)
glue("tbl_qt_encoder", qt.table_html(qt.encoder_table(enc)), display=False)
for n, e in enc.items():
    ok = e is not None and "missing" not in e
    qt.glue_measure(f"qt_{KEYS[n]}_minilm_gain", e["gain"] if ok else None)
    qt.glue_measure(f"qt_{KEYS[n]}_minilm_stronger", e["stronger"] if ok else None)

# %% [markdown]
# ```{glue:figure} tbl_qt_encoder
# :name: "tbl-qt-encoder"
# :figclass: table
# :alt: "Table: per real benchmark, with MiniLM features, the best learned router's gain over dataset-best, its difference to the TF-IDF router, and its per-dataset AIQ minus the task-aware zero router's, with intervals"
# The learned routers on MiniLM sentence embeddings: RS gain over dataset-best and RS difference to
# the TF-IDF routers (95 % paired bootstrap), per-dataset AIQ minus the task-aware zero router's
# (95 % t-interval across splits). "encoder missing": the encoder was not available in this build.
# ```
#
# ## What this means
#
# {glue:text}`qt_summary`

# %% tags=["remove-input"]
verdicts = qt.record_all(rs, aiq, curves, knn, enc)
for key, fid in (("rs", "task.rs_over_dataset_best"), ("plateau", "task.plateau_far_below_oracle"),
                 ("aiq_pooled", "task.aiq_pooled_over_task_zero"), ("aiq_ds", "task.aiq_per_dataset_over_task_zero"),
                 ("more_data", "task.more_data_helps"), ("knn", "task.tuned_knn_matches_learned"),
                 ("rs_minilm", "task.rs_over_dataset_best_minilm"),
                 ("aiq_ds_minilm", "task.aiq_per_dataset_over_task_zero_minilm"),
                 ("stronger", "task.stronger_encoder_helps")):
    glue(f"qt_verdicts_{key}", qt.verdict_text(verdicts[fid]), display=False)
glue("qt_summary", qt.summary_text(verdicts, aucs), display=False)
