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
# # Datasets: where routing helps, where it fails, and two correlations
#
# The article closes its results with per-dataset findings: routing helps most on easy tasks
# (ARC, HellaSwag), routers over-route hard tasks (GPQA, MuSR) to cheap models, GSM8K comes close
# to the {term}`oracle`, and across the twelve datasets a router's {term}`RS` correlates with the number of
# training samples (r = {glue:text}`r_size_article:.2f`) and with dataset difficulty
# (r = {glue:text}`r_diff_article:.2f`). This chapter breaks chapter
# 03's evaluation down by dataset, turns each finding into a measurable criterion **written down
# before the number is computed**, and then tests the causal reading of the training-size
# correlation with a controlled experiment that a correlation across twelve datasets cannot
# replace. A last section, {ref}`On real outcomes <real-outcomes-04>`, measures the same findings on real
# per-query outcomes (LLMRouter's 14 tasks and MMLU-Pro's 14 categories) beside the simulated ones,
# and says how much fourteen datasets can show.
#
# ```{admonition} Simulated data (until the section on real outcomes)
# :class: warning
# Every number before the section "On real outcomes" comes from **{term}`RouterBench-Sim`**, the simulated benchmark of chapter 01
# (per-model accuracies calibrated to public leaderboards, outcomes drawn by the simulator), not
# from the article's data. The dataset sizes, the models' accuracies per dataset and the token
# lengths (hence costs) are *inputs* of the simulator; what is measured here is how the routers
# behave on such data.
# ```

# %% tags=["parameters"]
scale = 1.0          # size of the simulated benchmark: 1.0 is the full 67500 queries x 6 models
seed = 0             # seed of the simulated benchmark (as in chapter 03)
n_seeds = 5          # train/test splits (seeds 0 .. n_seeds - 1), as in chapter 03
cache_dir = None     # evaluation cache shared with chapter 03 (None: $ROUTERLAB_CACHE_DIR if set)
lc_sizes = [25, 400]  # training rows of one dataset in the learning curves (plus all of them)
lc_seeds = 1         # splits used for the learning curves (each costs one MF fit per dataset and size)
data_dir = None      # folder holding the real data sources (None: $ROUTERLAB_DATA_DIR or ../shared/data)

# %% tags=["remove-input"]
import time

import matplotlib.pyplot as plt
from myst_nb import glue

import routerlab as rl
from routerlab.book import style
from routerlab.book.glue import glue_figure, glue_value
from routerlab.chapters import datasets as ch
from routerlab.data.simulate import simulate

t_start = time.perf_counter()
style.use()


def glue_all(values):
    """Glue every {key: value} for the text."""
    for k, v in values.items():
        glue_value(k, v)

# %% tags=["remove-input"]
# The criteria of every check in this chapter (criteria.yaml), fixed before any result below is computed.
glue_all(ch.criteria_glue())

# %% [markdown]
# ## What is checked, and how (fixed before any result)
#
# The article states its per-dataset findings in words. Before computing any per-dataset number we
# fixed the following criteria (this text and the thresholds it names were written before the
# verdicts were computed; nothing was tuned afterwards). Each criterion is named by its claim's id
# in the [ledger](90_ledger.ipynb), the book's list of the article's claims with their verdicts.
# A {term}`seed interval` is the {glue:text}`ci_level:.0%`
# t-interval across the splits. "Learned routers" are the policies that fit anything on the
# training rows. The **difficulty** of a dataset is 1 minus the mean quality over its queries and
# all six models (0 = every model answers everything).
#
# * **`pitfall.overrouting`** ("on hard datasets such as GPQA routers over-route to cheap models and
#   quality drops": {term}`over-routing`). For a router on GPQA: the *excess cheap share* = the router's share of queries
#   answered by Llama-3-8B minus the oracle's share (the oracle uses Llama-3-8B whenever it is right,
#   since it is the cheapest model); the *quality loss* = GPT-4o fixed's quality minus the
#   router's quality on the dataset. A router over-routes on GPQA if its excess cheap share has a
#   seed interval above 0 **and** its quality loss on GPQA is larger than its quality loss over all
#   test rows. Verdict "reproduced" if this holds for {term}`MF` and for at least half of the learned
#   routers.
# * **`dataset.hard`** ("on hard tasks (GPQA, MuSR) routers over-route to cheap models and quality
#   drops"): the same test for MF on GPQA **and** on MuSR; "reproduced" if both hold.
# * **`dataset.easy`** ("on easy tasks (ARC, HellaSwag) small models suffice and routing helps
#   most"): (a) *small models suffice* = Llama-3-8B is the best single model by RS on the dataset's
#   test rows; (b) *routing helps most* = MF's gain in RS over the best single model on the dataset
#   (chosen with hindsight on its test rows) ranks in the top {glue:text}`top_easy:d` of the
#   {glue:text}`n_datasets:d` datasets. "Reproduced" if (a) and (b) hold for both ARC-Challenge and
#   HellaSwag.
# * **`dataset.gsm8k`** ("GPT-4o is far stronger and routing gets close to the oracle"): (a) GPT-4o's
#   accuracy on GSM8K exceeds every other model's by at least {glue:text}`far:.2f` (an input of the
#   simulator, calibrated to public accuracies, so this part is not evidence); (b) MF's gap to the
#   oracle (oracle RS minus MF RS) on GSM8K is among the {glue:text}`top_gsm8k:d` smallest of the
#   {glue:text}`n_datasets:d` datasets. "Reproduced" if both hold.
# * **`corr.train_size`**, **`corr.difficulty`** (Pearson r across datasets between a router's RS and
#   the number of training samples, resp. difficulty). The article does not say which router; we
#   test MF and show every policy. "Reproduced" if MF's r has the article's sign, its {glue:text}`ci_level:.0%`
#   {term}`Fisher-z interval <Fisher z interval>` excludes 0, and the interval contains the article's value. With
#   {glue:text}`n_datasets:d` datasets this is a weak test: for r = {glue:text}`ci_example_r:.1f`
#   the interval runs from {glue:text}`ci_example_lo:.2f` to {glue:text}`ci_example_hi:.2f`.

# %% [markdown]
# ## The evaluation, by dataset
#
# We reuse chapter 03's evaluation exactly (same benchmark, policies, seeds, split and RS
# normalisation; with the same parameters it is read from the evaluation cache rather than
# recomputed). Chapter 03 normalises RS on the cost range of the whole test set, so a dataset's RS
# here is the mean of its queries' RS contributions in the overall score: the per-dataset numbers
# average, weighted by size, to chapter 03's.

# %% tags=["hide-input"]
bench = simulate(scale=scale, seed=seed)
# chapter 03's evaluation (one shared function, so one cache entry: a hit when 03 ran first)
t_eval = time.perf_counter()
result = rl.evaluation.protocol.book_evaluation(bench, n_seeds=n_seeds, cache_dir=cache_dir)
eval_seconds = time.perf_counter() - t_eval
sim = ch.by_dataset(bench, result)   # seed means per dataset, and the over-routing of the learned routers
glue_all({"n_queries": bench.n_queries, "n_seeds": n_seeds, "eval_seconds": eval_seconds,
          "from_cache": "read from the cache" if result.from_cache else "computed (cache miss)",
          "n_learned": len(sim.learned)})

# %% [markdown]
# The evaluation of {glue:text}`n_queries:,d` simulated queries over {glue:text}`n_seeds:d`
# splits was {glue:text}`from_cache` (`rl.evaluation.protocol.book_evaluation`, the function chapter 03
# calls). {numref}`tbl-04-overview` gives, per dataset, its size, its difficulty, and the mean over
# seeds of the RS of MF, {term}`dataset-best` (the query-blind, task-aware baseline: on each
# dataset the model with the best training RS), the oracle ({term}`OUB`) and the best single model
# on that dataset's test rows.
#
# ```{glue:figure} tbl_04_overview
# :name: "tbl-04-overview"
# :figclass: table
# :alt: "Table of the twelve datasets with their test and training rows, difficulty, and the RS of MF, dataset-best, the oracle and the best single model."
# The twelve datasets of RouterBench-Sim (simulated): size, difficulty (1 minus the mean quality
# over the six models) and RS (mean over {glue:text}`n_seeds:d` splits).
# ```

# %% tags=["remove-input"]
glue("tbl_04_overview", ch.overview_table(sim), display=False)

# %% [markdown]
# {numref}`fig-04-rs-heatmap` gives the RS of every policy on every dataset (mean over seeds). Rows
# are policies, columns datasets; the colour scale is shared, so a dark column is a dataset where
# every policy scores low (hard or expensive: long prompts and answers make every correct answer
# cost more).
#
# ```{glue:figure} fig_04_rs_heatmap
# :name: "fig-04-rs-heatmap"
# :alt: "Heatmap of RS for every policy (rows) on each of the twelve datasets (columns), each cell annotated with its value."
# RS by policy and dataset on RouterBench-Sim (simulated), mean over {glue:text}`n_seeds:d` splits.
# "(fixed)" marks a policy that always uses one model; Oracle (OUB) reads the answers and is the
# ceiling.
# ```

# %% tags=["remove-input"]
fig, ax = plt.subplots(figsize=style.figsize(7.6))
ch.plot_rs_heatmap(ax, sim)
glue_figure("fig_04_rs_heatmap", fig)

# %% [markdown]
# Where the answers come from: {numref}`fig-04-shares` gives the share of each dataset's test
# queries that MF and the oracle send to each model (mean over seeds).
#
# ```{glue:figure} fig_04_shares
# :name: "fig-04-shares"
# :alt: "Two heatmaps, MF above and the oracle below, of the share of each dataset's queries sent to each of the six models; each cell annotated with its share."
# Share of each dataset's test queries answered by each model, for MF (top) and the oracle (bottom),
# RouterBench-Sim (simulated), mean over {glue:text}`n_seeds:d` splits. Each column adds up to 1.
# ```

# %% tags=["remove-input"]
fig, axes = plt.subplots(2, 1, figsize=style.figsize(7.4), sharex=True)
ch.plot_shares(axes, sim)
glue_figure("fig_04_shares", fig)

# %% [markdown]
# ## Verdicts on the four per-dataset claims
#
# The measures of the criteria above, for MF and every learned router (seed means and intervals),
# come from `an.over_routing` (per split and dataset) and `an.seed_summary` (seed intervals).
# {numref}`tbl-04-overrouting` shows MF on the two hard datasets; the table for every learned
# router is behind the toggle below it.
#
# ```{glue:figure} tbl_04_overrouting
# :name: "tbl-04-overrouting"
# :figclass: table
# :alt: "Table of MF's share of queries sent to Llama-3-8B, the oracle's share, the excess with its interval, and the quality losses on GPQA and MuSR."
# Over-routing by MF on the two hard datasets (RouterBench-Sim, simulated; means over
# {glue:text}`n_seeds:d` splits, {glue:text}`ci_level:.0%` seed interval in brackets). "Quality
# loss" is GPT-4o fixed's quality minus MF's on the dataset ("loss overall": on all test rows);
# L8B is Llama-3-8B-Instruct; "excess over L8B correct" is MF's L8B share minus the share of
# queries L8B answers correctly.
# ```

# %% tags=["hide-input"]
# what the pre-registered criteria read (criteria.yaml); the verdicts come from criteria.judge
claims_glue, checks = ch.dataset_claims(sim)   # checks: recorded with their real-data checks at the end
glue("tbl_04_overrouting", ch.overrouting_table(sim), display=False)

# %% tags=["remove-input", "hide-output"]
ch.overrouting_table(sim, every=True)

# %% tags=["remove-input"]
glue_all(claims_glue)

# %% [markdown]
# **Over-routing (`pitfall.overrouting`, `dataset.hard`).** On GPQA, MF sends queries to Llama-3-8B
# {glue:text}`mf_direction_gpqa` than the oracle does: it answers
# {glue:text}`mf_cheap_gpqa:.3f` of the queries with Llama-3-8B, where the oracle uses it for
# {glue:text}`oub_cheap_gpqa:.3f`: an excess of {glue:text}`mf_excess_gpqa:.3f` (seed interval
# [{glue:text}`mf_excess_gpqa_lo:.3f`, {glue:text}`mf_excess_gpqa_hi:.3f`]). MF's quality is
# {glue:text}`mf_qloss_gpqa:.3f` below GPT-4o fixed on GPQA, against {glue:text}`mf_qloss_all:.3f`
# over all test rows. Over-routing on GPQA by the criterion: {glue:text}`mf_over_gpqa` for MF, and
# {glue:text}`n_over_gpqa:d` of the {glue:text}`n_learned:d` learned routers. Verdict:
# **{glue:text}`verdict_pitfall`**. On MuSR the excess is {glue:text}`mf_excess_musr:.3f`
# ([{glue:text}`mf_excess_musr_lo:.3f`, {glue:text}`mf_excess_musr_hi:.3f`]) with a quality loss of
# {glue:text}`mf_qloss_musr:.3f` (over-routing: {glue:text}`mf_over_musr`), so `dataset.hard` is
# **{glue:text}`verdict_hard`**.
#
# One property of the baseline matters for reading these numbers: where *no* model answers a query,
# the oracle's tie-break sends it to the cheapest model, so on hard datasets the oracle's Llama-3-8B
# share includes queries nobody gets right. The column "excess over L8B correct" of
# {numref}`tbl-04-overrouting` uses a baseline without that artefact, the share of queries Llama-3-8B answers correctly
# ({glue:text}`cheap_acc_gpqa:.3f` on GPQA, {glue:text}`cheap_acc_musr:.3f` on MuSR); MF's excess
# over it is {glue:text}`mf_excess_alt_gpqa:.3f` on GPQA and {glue:text}`mf_excess_alt_musr:.3f` on
# MuSR. (The verdicts use the criterion as fixed above.) Over all test rows, MF answers
# {glue:text}`mf_cheap_all:.3f` of the queries with Llama-3-8B and the oracle
# {glue:text}`oub_cheap_all:.3f`; {glue:text}`n_learned_no_cheap:d` of the
# {glue:text}`n_learned:d` learned routers send it less than {glue:text}`cheap_small:.0%` of
# all queries. The routers' use of the cheap model is a property of their decision rule as much
# as of the datasets: chapter 03 shows the decision rules, chapter 07 the cost-quality trade-off.
#
# **Easy datasets (`dataset.easy`).** The best single model on ARC-Challenge is
# {glue:text}`best_model_arc_challenge` and on HellaSwag {glue:text}`best_model_hellaswag`. MF's gain
# over that model is {glue:text}`gain_arc_challenge:.4f` on ARC-Challenge (rank
# {glue:text}`gain_rank_arc_challenge:d` of {glue:text}`n_datasets:d`) and {glue:text}`gain_hellaswag:.4f` on HellaSwag (rank
# {glue:text}`gain_rank_hellaswag:d`); the largest gain is on {glue:text}`gain_max_dataset`
# ({glue:text}`gain_max:.4f`), the smallest on {glue:text}`gain_min_dataset` ({glue:text}`gain_min:.4f`):
# {glue:text}`gain_words`.
# Part (a) {glue:text}`easy_a` and part (b) {glue:text}`easy_b`. Verdict:
# **{glue:text}`verdict_easy`**. Part (a) depends only on the simulator's inputs (the calibrated
# accuracies per dataset and the list prices), so it tells us about the public numbers the
# simulator is built from, not about routing.
#
# **GSM8K (`dataset.gsm8k`).** GPT-4o's accuracy on GSM8K leads the next model by
# {glue:text}`gsm_lead:.3f` (a simulator input). MF's RS is {glue:text}`gsm_gap:.3f` below the
# oracle's there, rank {glue:text}`gsm_rank:d` of {glue:text}`n_datasets:d` from the smallest gap (smallest:
# {glue:text}`gap_min_dataset`, {glue:text}`gap_min:.3f`). Verdict: **{glue:text}`verdict_gsm8k`**.
#
# {numref}`fig-04-gain-gap` shows MF's gain over the best single model and its gap to the oracle
# per dataset.
#
# ```{glue:figure} fig_04_gain_gap
# :name: "fig-04-gain-gap"
# :alt: "Two horizontal bar charts over the twelve datasets: MF's RS gain over the best single model and the oracle's RS minus MF's, with the easy, hard and GSM8K datasets coloured."
# MF's RS gain over the best single model of each dataset (left) and the oracle's RS minus MF's
# (right), RouterBench-Sim (simulated), mean over {glue:text}`n_seeds:d` splits. Colours mark the
# datasets of the claims: easy (ARC-Challenge, HellaSwag), hard (GPQA, MuSR) and GSM8K.
# ```

# %% tags=["remove-input"]
fig, axes = plt.subplots(1, 2, figsize=style.figsize(5.2), sharey=True)
ch.plot_gain_gap(axes, sim)
glue_figure("fig_04_gain_gap", fig)

# %% [markdown]
# ## Two correlations across datasets
#
# The article reports Pearson correlations across datasets between a router's RS and the number of
# training samples, and between RS and dataset difficulty. It does not say which router or how
# difficulty is measured; we use the per-dataset RS of each policy (mean over seeds), the number of
# training rows of the dataset (mean over splits), and the difficulty defined above. The criterion
# was fixed at the top of the chapter; `an.pearson_ci` computes r, its Fisher-z interval and the
# Spearman correlation. Two cautions about n = {glue:text}`n_datasets:d` points: the
# Fisher-z interval assumes bivariate normal data, which twelve points cannot confirm, so the
# Spearman rank correlation is shown beside it; and a few datasets are much larger than the rest
# ({glue:text}`big_datasets`, each with more than {glue:text}`big_factor:d` times the median number
# of training rows), so they dominate a correlation on raw counts: the correlation with
# log10(training rows) is shown too. {numref}`tbl-04-corr` gives the correlations of MF and of the
# oracle; the table for every policy is behind the toggle below it.
#
# ```{glue:figure} tbl_04_corr
# :name: "tbl-04-corr"
# :figclass: table
# :alt: "Table of Pearson r with 95% Fisher-z intervals between RS and training rows, log10 training rows and difficulty, for MF and the oracle."
# Pearson r across the {glue:text}`n_datasets:d` datasets between a policy's RS and each
# dataset property, with the {glue:text}`ci_level:.0%` Fisher-z interval (RouterBench-Sim,
# simulated; Spearman's rank correlation in the last columns).
# ```

# %% tags=["hide-input"]
corr = ch.correlations(sim)   # one row per policy and dataset property: r, Fisher-z interval, Spearman
corr_glue, corr_checks = ch.correlation_claims(sim, corr)
checks |= corr_checks
glue("tbl_04_corr", ch.corr_table(sim, corr), display=False)

# %% tags=["remove-input", "hide-output"]
ch.corr_table(sim, corr, every=True)

# %% tags=["remove-input"]
glue_all(corr_glue)

# %% [markdown]
# ```{glue:figure} fig_04_corr_scatter
# :name: "fig-04-corr-scatter"
# :alt: "Two scatter plots of MF's RS per dataset, one point per labelled dataset with a least-squares line: against training rows on a log scale (top) and against difficulty (bottom)."
# MF's RS per dataset against the dataset's training rows (top, log scale) and its difficulty
# (bottom), RouterBench-Sim (simulated); dashed: least-squares line; panel titles: Pearson r with
# its {glue:text}`ci_level:.0%` Fisher-z interval (n = {glue:text}`n_datasets:d`).
# ```

# %% tags=["remove-input"]
fig, axes = plt.subplots(2, 1, figsize=style.figsize(8.0), sharey=True)
ch.plot_corr_scatter(axes, sim, corr)
glue_figure("fig_04_corr_scatter", fig)

# %% [markdown]
# **Training size.** For MF ({numref}`fig-04-corr-scatter`), r = {glue:text}`r_size:.2f` ({glue:text}`ci_level:.0%` interval
# [{glue:text}`r_size_lo:.2f`, {glue:text}`r_size_hi:.2f`], Spearman {glue:text}`rho_size:.2f`;
# on log10 rows r = {glue:text}`r_logsize:.2f`) against the article's
# {glue:text}`r_size_article:.2f`: the interval {glue:text}`size_words`. Verdict:
# **{glue:text}`verdict_size`**. **Difficulty.** r = {glue:text}`r_diff:.2f`
# ([{glue:text}`r_diff_lo:.2f`, {glue:text}`r_diff_hi:.2f`], Spearman {glue:text}`rho_diff:.2f`)
# against {glue:text}`r_diff_article:.2f`: the interval {glue:text}`diff_words`. Verdict:
# **{glue:text}`verdict_diff`**.
#
# The table for every policy (the toggle under {numref}`tbl-04-corr`) carries a control: the **oracle**
# and the **fixed models learn nothing** from the training rows, so any correlation of their RS
# with training size cannot come from learning; it comes from whatever else differs between the
# datasets that happen to be large (difficulty, prompt and answer lengths, hence cost). The
# oracle's r with training size is {glue:text}`r_oub_size:.2f`, the six fixed models' lie between
# {glue:text}`fixed_size_min:.2f` and {glue:text}`fixed_size_max:.2f`: a router's correlation is
# evidence about learning only to the extent that it exceeds theirs. For difficulty, the oracle's
# r is {glue:text}`r_oub_diff:.2f`: a hard dataset has fewer correct answers to score, whoever
# routes.

# %% [markdown]
# ## A controlled experiment: learning curves
#
# A correlation across {glue:text}`n_datasets:d` datasets cannot say whether *more training data makes the router
# better on a dataset*. An experiment can: keep everything else fixed, vary one dataset's training
# rows, and watch its test RS. For each dataset we refit MF with only {glue:text}`lc_sizes_text` of
# that dataset's training rows (a nested, seeded subsample, capped at the rows the dataset has;
# every training row of the other datasets is kept) and score it on the same test rows of that
# dataset as in the full evaluation. The panels share their RS axis, so the rise of a curve can be
# compared with the spread between datasets.
#
# **What would support the causal reading (fixed before computing):** the cross-dataset regression
# of MF's RS on log10(training rows) has a slope; if training size *caused* the differences between
# datasets, cutting a large dataset down to the size of the small ones should change its RS by about
# slope x (log10 of the new size - log10 of the full size). We compare that prediction with the
# measured change at the largest subsample size ({glue:text}`lc_probe:d` rows) for every dataset
# with at least twice as many training rows. The causal reading counts as **supported** if the
# mean measured change has the predicted sign and at least half the predicted size, and as **not
# supported** otherwise. `an.learning_curve` runs the refits; {numref}`fig-04-learning-curves` shows
# them.
#
# ```{glue:figure} fig_04_learning_curves
# :name: "fig-04-learning-curves"
# :alt: "Twelve small line charts, one per dataset, of MF's RS on the dataset's test rows against the number of that dataset's training rows, on a shared RS axis."
# MF's learning curves, one panel per dataset: RS on the dataset's test rows when MF is refitted
# with {glue:text}`lc_sizes_text` of that dataset's training rows (circles) or all of them (square);
# shared RS axis; RouterBench-Sim (simulated), {glue:text}`lc_seeds:d` split(s).
# ```

# %% tags=["hide-input"]
lc = ch.learning_curves(sim, lc_sizes, lc_seeds)
fig, axes = plt.subplots(4, 3, figsize=style.figsize(8.6), sharey=True)
ch.plot_learning_curves(axes, lc)
glue_figure("fig_04_learning_curves", fig)
glue("tbl_04_causal", ch.causal_table(lc), display=False)

# %% tags=["remove-input"]
glue_all(lc["glue"])

# %% [markdown]
# The cross-dataset slope is {glue:text}`lc_slope:.3f` RS per tenfold increase in training rows.
# For the {glue:text}`lc_n_big:d` datasets with at least twice {glue:text}`lc_probe:d` training
# rows, that slope predicts an average change of {glue:text}`lc_predicted_mean:.3f` in RS when the
# dataset is cut to {glue:text}`lc_probe:d` rows; the measured average change is
# {glue:text}`lc_measured_mean:.3f` ({glue:text}`lc_ratio:.2f` times the prediction). By the
# criterion above, the causal reading is **{glue:text}`lc_reading`** ({numref}`tbl-04-causal`). The largest loss between all
# rows and {glue:text}`lc_min_size:d` rows is {glue:text}`lc_drop_max:.3f` (on
# {glue:text}`lc_drop_max_dataset`). (The learning curves use {glue:text}`lc_seeds:d` split(s) to
# keep the chapter within its time budget: each point is one MF fit.)
#
# ```{glue:figure} tbl_04_causal
# :name: "tbl-04-causal"
# :figclass: table
# :alt: "Table of the datasets large enough for the test, with MF's RS on all rows and on the subsample, the measured change and the change the cross-dataset slope predicts."
# The causal test (RouterBench-Sim, simulated): MF's RS on each large dataset with all its training
# rows and with {glue:text}`lc_probe:d`, the measured change, and the change the cross-dataset slope
# predicts.
# ```

# %% [markdown]
# (real-outcomes-04)=
# ## On real outcomes
#
# ```{admonition} Real data: which sources were found, and what their cost is
# :class: important
# * **{term}`LLMRouter`** (9 open models, 14 tasks): {glue:text}`real_status_llmrouter`
# * **{term}`MMLU-Pro`** (29 models, 14 categories of one benchmark): {glue:text}`real_status_mmlu_pro`
#
# Both record **real per-query outcomes** (was the answer right), but neither records what a call
# cost: every cost, hence every RS in this section, is **estimated** ({term}`estimated cost`) from list prices and token
# counts (the loaders `routerlab.data.sources.llmrouter` and `routerlab.data.sources.mmlu_pro` document both
# estimates). A source whose folder is missing shows "n/a" below
# and "data not found" in the figures; nothing else changes.
# ```
#
# The simulator's per-dataset findings above could be properties of the simulator. Here the same
# measurements run on real outcomes, with the same protocol (80/20 stratified split of the pooled,
# de-duplicated rows, splits with seeds 0 to {glue:text}`n_seeds_minus_1:d`, global RS
# normalisation on the test rows, {glue:text}`ci_level:.0%` t-intervals over the splits). For
# LLMRouter we reuse the evaluation of chapter 03 (every policy); for MMLU-Pro (29 models) we
# evaluate only what this section needs, to stay within the chapter's time budget: MF,
# dataset-best, the oracle and the fixed models in the roles named below. So on MMLU-Pro the
# over-routing test is run for MF alone, not for every learned router. (This section uses all of
# MMLU-Pro's questions the build's scale allows; chapters 03 and 11, which run every router on it,
# use a smaller stratified subsample.)
#
# **What is measured, and how.** The criteria are those fixed at the top of the chapter; the rules
# below only map them onto other model sets and datasets, and none was changed after seeing a
# result. The article's Llama-3-8B and GPT-4o have no counterpart in these model sets, so their
# *roles* are given to models chosen by a rule: the **cheapest** model (lowest mean estimated cost per query) plays
# Llama-3-8B, the **strongest** (highest mean accuracy) plays GPT-4o, and over-routing to
# expensive models is measured against the **most expensive** one. The **hard** datasets are the
# two with the highest difficulty (1 - mean accuracy over the source's models), as GPQA and MuSR
# are on the simulator. Then, per dataset:
#
# * *where routing helps*: first MF's RS minus {term}`dataset-best`'s on the dataset, the
#   query-blind, task-aware baseline (per dataset the model with the best *training* RS, so it
#   knows the task but never reads the query); then MF's gain in RS over the best single model of
#   the dataset (hindsight on its test rows), each with its seed interval; routing helps where the
#   interval lies above 0, hurts where it lies below. Dataset-best uses one model per dataset,
#   chosen on the training rows, so on a dataset's test rows it never beats the hindsight choice:
#   MF's difference to dataset-best is at least its gain over the best single model;
# * *over-routing*: MF's share of queries sent to the cheapest model minus the oracle's, and the
#   same for the most expensive model; the chapter's over-routing test (excess cheap share above 0
#   **and** a quality loss against the strongest model larger than over all test rows);
# * *the two correlations*, computed as for the simulator: Pearson r across the datasets of MF's
#   RS gain (the pre-registered findings `datasets.corr_train_size` and
#   `datasets.corr_difficulty`) and of MF's RS (the article's `corr.train_size`,
#   `corr.difficulty`) with the dataset's training rows and its difficulty, with Fisher-z
#   intervals;
# * *the article's claims on LLMRouter*, which has GPQA, GSM8K and ARC-Challenge among its tasks
#   (MuSR and HellaSwag are not): `pitfall.overrouting` and `dataset.gsm8k` with the criteria of
#   the top of the chapter, the cheapest and the strongest model in the roles of Llama-3-8B and
#   GPT-4o and {glue:text}`n_real_datasets_text` datasets in place of twelve; `dataset.hard` and
#   `dataset.easy` name a missing dataset each and are "not checkable here" (their GPQA and ARC
#   halves are given in the note); the two correlations are checked on both sources.

# %% tags=["hide-input"]
real = ch.real_outcomes(bench, result, scale=scale, data_dir=data_dir, n_seeds=n_seeds, cache_dir=cache_dir)

# %% tags=["remove-input"]
glue_all(ch.real_glue(real, scale, data_dir, n_seeds))

# %% [markdown]
# Per dataset, on each real source: MF's RS, the model dataset-best uses there and its RS, MF's RS
# minus dataset-best's with the seed interval, MF's gain over the best single model with the seed
# interval, its gap to the oracle, and its excess share to the cheapest and to the most expensive
# model (MF's share minus the oracle's; positive: MF uses that model more than the oracle does).
# RS, gains and gaps use **estimated cost**. The two tables (14 rows each, from
# `an.dataset_display_table` and `ch.versus_dataset_best`) are behind the toggle;
# {numref}`fig-04-real-gains` shows both differences.

# %% tags=["remove-input", "hide-output"]
for table in ch.real_dataset_tables(real, n_seeds):
    display(table)

# %% [markdown]
# ```{glue:figure} fig_04_real_gains
# :name: "fig-04-real-gains"
# :alt: "Four horizontal bar charts, LLMRouter's 14 tasks (top) and MMLU-Pro's 14 categories (bottom), of MF's RS minus dataset-best's (left) and minus the best single model's (right), with 95% seed intervals."
# Where routing helps on real outcomes (estimated cost): per dataset, MF's RS minus dataset-best's
# (left: the query-blind, task-aware baseline to beat) and minus the best single model's, chosen
# with hindsight on the test rows (right), easiest dataset on top, with
# {glue:text}`ci_level:.0%` seed intervals; the two hardest datasets in orange-red.
# ```

# %% tags=["remove-input"]
fig, axes = plt.subplots(2, 2, figsize=style.figsize(8.6), sharex="row")
ch.plot_real_gains(axes, real)
glue_figure("fig_04_real_gains", fig)

# %% [markdown]
# **Where routing helps, where it fails.** Against dataset-best, the baseline to beat, MF's RS
# difference has a seed interval above 0 on {glue:text}`sim_n_dsb_pos` of {glue:text}`n_datasets:d`
# simulated datasets (below 0 on {glue:text}`sim_n_dsb_neg`), on {glue:text}`llm_n_dsb_pos` of
# {glue:text}`llm_n_datasets` LLMRouter tasks (below 0 on {glue:text}`llm_n_dsb_neg`; largest
# {glue:text}`llm_dsb_max` on {glue:text}`llm_dsb_max_dataset`, smallest {glue:text}`llm_dsb_min`
# on {glue:text}`llm_dsb_min_dataset`) and on {glue:text}`mmlu_n_dsb_pos` of
# {glue:text}`mmlu_n_datasets` MMLU-Pro categories (below 0 on {glue:text}`mmlu_n_dsb_neg`;
# largest {glue:text}`mmlu_dsb_max` on {glue:text}`mmlu_dsb_max_dataset`, smallest
# {glue:text}`mmlu_dsb_min` on {glue:text}`mmlu_dsb_min_dataset`): {glue:text}`dsb_words`.
# Chapter 11 ({ref}`query-or-task`) makes the comparison for the best learned router, chosen on
# validation rows, and judges it by a pre-registered rule. Against the best single model of each
# dataset, chosen with hindsight (a baseline at least as strong as dataset-best on the test
# rows), MF's gain on the simulator
# has a seed interval above 0 on {glue:text}`sim_n_gain_pos` of {glue:text}`n_datasets:d` datasets
# and below 0 on {glue:text}`sim_n_gain_neg`. On LLMRouter (estimated cost) it lies above 0 on
# {glue:text}`llm_n_gain_pos` of {glue:text}`llm_n_datasets` tasks and below 0 on
# {glue:text}`llm_n_gain_neg` (largest gain {glue:text}`llm_gain_max` on
# {glue:text}`llm_gain_max_dataset`, smallest {glue:text}`llm_gain_min` on
# {glue:text}`llm_gain_min_dataset`); on MMLU-Pro above 0 on {glue:text}`mmlu_n_gain_pos` of
# {glue:text}`mmlu_n_datasets` categories and below 0 on {glue:text}`mmlu_n_gain_neg` (largest
# {glue:text}`mmlu_gain_max` on {glue:text}`mmlu_gain_max_dataset`, smallest
# {glue:text}`mmlu_gain_min` on {glue:text}`mmlu_gain_min_dataset`). The comparison is against the
# best single model *chosen with hindsight on each dataset's test rows*, a stronger baseline than
# any one fixed model for all datasets: a router that learns one good model per dataset matches it,
# and beats it only where it tells queries apart within a dataset.
#
# **Over-routing on the hard datasets.** The simulator's two hardest datasets are
# {glue:text}`sim_hard1` and {glue:text}`sim_hard2`. On LLMRouter they are
# {glue:text}`llm_hard1` (difficulty {glue:text}`llm_hard1_difficulty`) and {glue:text}`llm_hard2`
# ({glue:text}`llm_hard2_difficulty`). There MF's share to the cheapest model,
# {glue:text}`llm_cheapest`, minus the oracle's is {glue:text}`llm_hard1_excess_cheap`
# [{glue:text}`llm_hard1_excess_cheap_lo`, {glue:text}`llm_hard1_excess_cheap_hi`] and
# {glue:text}`llm_hard2_excess_cheap` [{glue:text}`llm_hard2_excess_cheap_lo`,
# {glue:text}`llm_hard2_excess_cheap_hi`]; its share to the most expensive,
# {glue:text}`llm_most_expensive`, minus the oracle's is {glue:text}`llm_hard1_excess_expensive`
# [{glue:text}`llm_hard1_excess_expensive_lo`, {glue:text}`llm_hard1_excess_expensive_hi`] and
# {glue:text}`llm_hard2_excess_expensive` [{glue:text}`llm_hard2_excess_expensive_lo`,
# {glue:text}`llm_hard2_excess_expensive_hi`]. The over-routing test (to the cheapest model) holds
# for MF on {glue:text}`llm_hard1`: {glue:text}`llm_hard1_over`; on {glue:text}`llm_hard2`:
# {glue:text}`llm_hard2_over`; on {glue:text}`llm_n_over` of the {glue:text}`llm_n_datasets` tasks
# in all. On MMLU-Pro the hardest categories are {glue:text}`mmlu_hard1`
# ({glue:text}`mmlu_hard1_difficulty`) and {glue:text}`mmlu_hard2`
# ({glue:text}`mmlu_hard2_difficulty`); MF's excess share to the cheapest model,
# {glue:text}`mmlu_cheapest`, is {glue:text}`mmlu_hard1_excess_cheap` and
# {glue:text}`mmlu_hard2_excess_cheap`, to the most expensive, {glue:text}`mmlu_most_expensive`,
# {glue:text}`mmlu_hard1_excess_expensive` and {glue:text}`mmlu_hard2_excess_expensive`; the
# over-routing test holds on {glue:text}`mmlu_n_over` of {glue:text}`mmlu_n_datasets` categories.
# Across all datasets, MF sends *fewer* queries to the cheapest model than the oracle (interval
# below 0) on {glue:text}`llm_n_cheap_under` LLMRouter tasks and {glue:text}`mmlu_n_cheap_under`
# MMLU-Pro categories, and *more* to the most expensive one (interval above 0) on
# {glue:text}`llm_n_excess_expensive` and {glue:text}`mmlu_n_excess_expensive`. (On the simulator:
# {glue:text}`sim_n_cheap_under` and {glue:text}`sim_n_excess_expensive` of
# {glue:text}`n_datasets:d`.) The oracle's share of the cheapest model is inflated wherever no
# model is right (it then picks the cheapest): on LLMRouter that is {glue:text}`llm_hard1_none_right`
# of {glue:text}`llm_hard1`'s queries and {glue:text}`llm_hard2_none_right` of
# {glue:text}`llm_hard2`'s; on MMLU-Pro {glue:text}`mmlu_hard1_none_right` of
# {glue:text}`mmlu_hard1`'s and {glue:text}`mmlu_hard2_none_right` of {glue:text}`mmlu_hard2`'s.
# So "fewer queries to the cheapest model than the oracle" on a hard dataset is partly the oracle's
# tie-break, not a router's choice.

# %% [markdown]
# ### The two correlations on real outcomes
#
# The same correlations as on the simulator, per benchmark: MF's RS gain over the best single
# model (the pre-registered findings of chapter {doc}`09_simulator_truth`) and MF's RS (the article's claims) against the dataset's
# number of training rows and its difficulty. A control sits beside them: the oracle's
# *{term}`headroom`* over the best single model (oracle RS minus the best single model's RS), the most any
# router could gain on the dataset; no router learns it, so a correlation of MF's gain with
# training size is evidence about learning only to the extent that the headroom does not show it
# too. Intervals are Fisher-z {glue:text}`ci_level:.0%` intervals; RS on the real sources uses
# estimated cost. {numref}`tbl-04-real-corr` gives the pre-registered measure (MF's gain) and
# {numref}`fig-04-real-corr` plots it; the table with MF's RS and the headroom is behind the toggle.
#
# ```{glue:figure} tbl_04_real_corr
# :name: "tbl-04-real-corr"
# :figclass: table
# :alt: "Table of Pearson r with 95% intervals, Spearman and p-value of MF's gain against training rows and difficulty on the simulator, LLMRouter and MMLU-Pro."
# Pearson r across datasets of MF's RS gain over the best single model, simulated beside real
# (real: estimated cost), with the {glue:text}`ci_level:.0%` Fisher-z interval, Spearman's rank
# correlation and the p-value of the test of r = 0.
# ```

# %% tags=["hide-input"]
glue("tbl_04_real_corr", ch.real_corr_table(real), display=False)

# %% tags=["remove-input", "hide-output"]
ch.real_corr_table(real, every=True)

# %% [markdown]
# ```{glue:figure} fig_04_real_corr
# :name: "fig-04-real-corr"
# :alt: "Six scatter plots, one row per benchmark (simulator, LLMRouter, MMLU-Pro), of MF's RS gain per dataset against training rows (left) and difficulty (right), each with its least-squares line and r in the title."
# MF's RS gain over the best single model per dataset against training rows (left) and
# difficulty (right); one row per benchmark; the two hardest datasets in orange-red and named; panel
# titles: Pearson r with its {glue:text}`ci_level:.0%` Fisher-z interval.
# ```

# %% tags=["remove-input"]
fig, axes = plt.subplots(3, 2, figsize=style.figsize(9.5), sharey="row")
ch.plot_real_corr(axes, real)
glue_figure("fig_04_real_corr", fig)

# %% tags=["remove-input"]
glue_all(ch.real_corr_glue(real))

# %% [markdown]
# **Training size.** On the simulator, MF's gain correlates with the number of training rows at
# r = {glue:text}`sim_r_gain_size` [{glue:text}`sim_r_gain_size_lo`, {glue:text}`sim_r_gain_size_hi`];
# on LLMRouter at r = {glue:text}`llm_r_gain_size` [{glue:text}`llm_r_gain_size_lo`,
# {glue:text}`llm_r_gain_size_hi`] (Spearman {glue:text}`llm_rho_gain_size`); on MMLU-Pro at
# r = {glue:text}`mmlu_r_gain_size` [{glue:text}`mmlu_r_gain_size_lo`,
# {glue:text}`mmlu_r_gain_size_hi`] (Spearman {glue:text}`mmlu_rho_gain_size`). For MF's RS itself,
# the article's measure, r = {glue:text}`sim_r_rs_size` (simulated), {glue:text}`llm_r_rs_size`
# [{glue:text}`llm_r_rs_size_lo`, {glue:text}`llm_r_rs_size_hi`] (LLMRouter) and
# {glue:text}`mmlu_r_rs_size` [{glue:text}`mmlu_r_rs_size_lo`, {glue:text}`mmlu_r_rs_size_hi`]
# (MMLU-Pro), against the article's {glue:text}`r_size_article:.2f`. The control, the oracle's
# headroom, correlates with training rows at r = {glue:text}`sim_r_headroom_size` (simulated),
# {glue:text}`llm_r_headroom_size` [{glue:text}`llm_r_headroom_size_lo`,
# {glue:text}`llm_r_headroom_size_hi`] (LLMRouter) and {glue:text}`mmlu_r_headroom_size`
# [{glue:text}`mmlu_r_headroom_size_lo`, {glue:text}`mmlu_r_headroom_size_hi`] (MMLU-Pro). On
# MMLU-Pro the smallest category, {glue:text}`mmlu_smallest`, ranks {glue:text}`mmlu_smallest_diff_rank`
# of {glue:text}`mmlu_n_datasets` by difficulty (1 = hardest), so training size and difficulty are
# not separated there; and one point can carry much of a correlation across 14, which is why the
# Spearman correlation is given beside r.
#
# **Difficulty.** MF's gain correlates with difficulty at r = {glue:text}`sim_r_gain_diff`
# [{glue:text}`sim_r_gain_diff_lo`, {glue:text}`sim_r_gain_diff_hi`] on the simulator,
# {glue:text}`llm_r_gain_diff` [{glue:text}`llm_r_gain_diff_lo`, {glue:text}`llm_r_gain_diff_hi`]
# on LLMRouter and {glue:text}`mmlu_r_gain_diff` [{glue:text}`mmlu_r_gain_diff_lo`,
# {glue:text}`mmlu_r_gain_diff_hi`] on MMLU-Pro. MF's RS correlates with difficulty at
# r = {glue:text}`sim_r_rs_diff`, {glue:text}`llm_r_rs_diff` [{glue:text}`llm_r_rs_diff_lo`,
# {glue:text}`llm_r_rs_diff_hi`] and {glue:text}`mmlu_r_rs_diff` [{glue:text}`mmlu_r_rs_diff_lo`,
# {glue:text}`mmlu_r_rs_diff_hi`] (article: {glue:text}`r_diff_article:.2f`): a hard dataset has
# fewer right answers to score whoever routes, so RS falls with difficulty by construction; the
# gain over the best single model removes most of that mechanical part, which is why the
# pre-registered findings use the gain.

# %% [markdown]
# ### How much can fourteen datasets show?
#
# Each correlation above has one point per dataset: {glue:text}`n_datasets:d` on the simulator,
# 14 on each real source. That is very few, and the numbers below say how few. They are properties of
# the Fisher-z interval and of the usual test of r = 0 at the 5% level (bivariate normal data
# assumed), computed for the number of datasets alone (`an.correlation_caveat`); the "power" is the
# probability that the interval excludes 0 if the true correlation were the simulator's value.

# %% tags=["hide-input"]
caveat_table, caveat_glue = ch.caveat(real)
caveat_table

# %% tags=["remove-input"]
glue_all(caveat_glue)

# %% [markdown]
# **The small-n caveat, in numbers.** With 14 datasets, a 95% interval of r is
# ±{glue:text}`cav14_size_half0:.2f` wide around r = 0, and only |r| above
# {glue:text}`cav14_size_crit:.2f` reaches p < 0.05 (with {glue:text}`n_datasets:d` datasets:
# ±{glue:text}`cav12_size_half0:.2f` and {glue:text}`cav12_size_crit:.2f`). If the true correlation
# of MF's gain with training size were the simulator's, the chance that 14 datasets show it (interval
# excluding 0) would be {glue:text}`cav14_size_power`, and {glue:text}`cav14_size_n80` datasets would
# be needed for 80%; for difficulty, {glue:text}`cav14_diff_power` and {glue:text}`cav14_diff_n80`.
# Even the article's own values (r = {glue:text}`r_size_article:.2f` and
# {glue:text}`r_diff_article:.2f`) would be detected by 14 datasets with probability
# {glue:text}`cav_article_power14:.0%` and {glue:text}`cav_article_diff_power14:.0%`. So a real
# interval that contains 0 says "not shown", not "no correlation"; and one correlation that excludes
# 0 on one source but not on another is what chance alone produces at this power. The
# pre-registered rule for the two findings on the correlations ("same sign, real interval excludes
# 0", otherwise inconclusive) is applied as written by the chapter {doc}`09_simulator_truth`.

# %% tags=["remove-input"]
# Hand the measurements over: the findings (simcheck applies their rules) and the article's claims
# (the same criteria as on the simulator; on real data ledger.record applies their shape clauses
# alone, not those that compare a value with the article's).
glue_all(ch.record_claims(checks, real))

# %% [markdown]
# **The article's claims on LLMRouter.** With the cheapest model, {glue:text}`llm_cheapest`, in
# Llama-3-8B's role and the strongest, {glue:text}`llm_strongest`, in GPT-4o's:
# `pitfall.overrouting` (over-routing on GPQA by MF and at least half of the learned routers;
# {glue:text}`llm_gpqa_n_over` of {glue:text}`llm_n_learned` do) is
# **{glue:text}`real_verdict_pitfall_overrouting_llm`**; `dataset.gsm8k` (the strongest model leads
# every other on GSM8K by {glue:text}`llm_gsm_lead`, where {glue:text}`far:.2f` is needed, and MF's
# gap to the oracle ranks {glue:text}`llm_gsm_rank` of {glue:text}`llm_n_datasets`) is
# **{glue:text}`real_verdict_dataset_gsm8k_llm`**. `corr.train_size` is
# **{glue:text}`real_verdict_corr_train_size_llm`** on LLMRouter and
# **{glue:text}`real_verdict_corr_train_size_mmlu`** on MMLU-Pro; `corr.difficulty` is
# **{glue:text}`real_verdict_corr_difficulty_llm`** and **{glue:text}`real_verdict_corr_difficulty_mmlu`**.
# The [ledger](90_ledger.ipynb) lists these beside the simulated verdicts. The real-data part of this
# chapter took {glue:text}`real_seconds:.1f` s, of which {glue:text}`llm_eval_seconds` s to obtain
# LLMRouter's evaluation ({glue:text}`llm_from_cache`) and {glue:text}`mmlu_eval_seconds` s to
# evaluate MMLU-Pro ({glue:text}`mmlu_from_cache`).

# %% [markdown]
# ## Summary
#
# The claims by their id in the [ledger](90_ledger.ipynb), with the article's words:
#
# | claim | the article says | our measure (simulated data) | verdict (simulated) | LLMRouter (real, estimated cost) | MMLU-Pro (real, estimated cost) |
# |---|---|---|---|---|---|
# | `pitfall.overrouting` | routers over-route GPQA to cheap models | MF's excess Llama-3-8B share on GPQA {glue:text}`mf_excess_gpqa:.3f` | {glue:text}`verdict_pitfall` | {glue:text}`real_verdict_pitfall_overrouting_llm` | {glue:text}`real_verdict_pitfall_overrouting_mmlu` |
# | `dataset.hard` | over-routing and a quality drop on GPQA, MuSR | excess share on MuSR {glue:text}`mf_excess_musr:.3f` | {glue:text}`verdict_hard` | {glue:text}`real_verdict_dataset_hard_llm` | {glue:text}`real_verdict_dataset_hard_mmlu` |
# | `dataset.easy` | small models suffice on ARC, HellaSwag; routing helps most | MF gain ranks {glue:text}`gain_rank_arc_challenge:d` and {glue:text}`gain_rank_hellaswag:d` | {glue:text}`verdict_easy` | {glue:text}`real_verdict_dataset_easy_llm` | {glue:text}`real_verdict_dataset_easy_mmlu` |
# | `dataset.gsm8k` | GPT-4o far stronger, routing close to the oracle | gap to oracle ranks {glue:text}`gsm_rank:d` | {glue:text}`verdict_gsm8k` | {glue:text}`real_verdict_dataset_gsm8k_llm` | {glue:text}`real_verdict_dataset_gsm8k_mmlu` |
# | `corr.train_size` | r = {glue:text}`r_size_article:.2f` | r = {glue:text}`r_size:.2f` [{glue:text}`r_size_lo:.2f`, {glue:text}`r_size_hi:.2f`] | {glue:text}`verdict_size` | r = {glue:text}`llm_r_rs_size`: {glue:text}`real_verdict_corr_train_size_llm` | r = {glue:text}`mmlu_r_rs_size`: {glue:text}`real_verdict_corr_train_size_mmlu` |
# | `corr.difficulty` | r = {glue:text}`r_diff_article:.2f` | r = {glue:text}`r_diff:.2f` [{glue:text}`r_diff_lo:.2f`, {glue:text}`r_diff_hi:.2f`] | {glue:text}`verdict_diff` | r = {glue:text}`llm_r_rs_diff`: {glue:text}`real_verdict_corr_difficulty_llm` | r = {glue:text}`mmlu_r_rs_diff`: {glue:text}`real_verdict_corr_difficulty_mmlu` |
#
# Against dataset-best (the query-blind, task-aware baseline), MF's per-dataset RS difference lies
# above 0 on {glue:text}`sim_n_dsb_pos` of {glue:text}`n_datasets:d` simulated datasets,
# {glue:text}`llm_n_dsb_pos` of {glue:text}`llm_n_datasets` LLMRouter tasks and
# {glue:text}`mmlu_n_dsb_pos` of {glue:text}`mmlu_n_datasets` MMLU-Pro categories (chapter 11,
# {ref}`query-or-task`, gives the full comparison). The learning curves put the causal reading of
# the training-size correlation at **{glue:text}`lc_reading`**. The pre-registered findings on the simulator's word: MF's gain
# correlates with training rows at r = {glue:text}`sim_r_gain_size` (simulated),
# {glue:text}`llm_r_gain_size` (LLMRouter) and {glue:text}`mmlu_r_gain_size` (MMLU-Pro), and with
# difficulty at {glue:text}`sim_r_gain_diff`, {glue:text}`llm_r_gain_diff` and
# {glue:text}`mmlu_r_gain_diff`; with 14 datasets a correlation is told from 0 at the 5% level only
# when |r| exceeds {glue:text}`cav14_size_crit:.2f`. The chapter "Does the simulator tell the truth?" gives
# the verdicts.

# %% tags=["remove-input"]
glue_value("chapter_seconds", time.perf_counter() - t_start)

# %% [markdown]
# This chapter executed in {glue:text}`chapter_seconds:.1f` s: {glue:text}`eval_seconds:.1f` s to
# obtain chapter 03's evaluation ({glue:text}`from_cache`), {glue:text}`lc_seconds:.1f` s for the
# learning curves and {glue:text}`real_seconds:.1f` s for the real outcomes.
