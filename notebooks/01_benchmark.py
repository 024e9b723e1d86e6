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
# # The benchmark: RouterBench-Sim
#
# ```{admonition} Simulated data
# :class: warning
# Every per-query number in this book's main chapters comes from **{term}`RouterBench-Sim`**, a
# *simulated* benchmark built in this chapter. It is calibrated on public accuracies, public
# prices and real per-question outcomes, but no row of it is a real model answering a real
# question. Tables and figures label it SIMULATED.
# ```
#
# The article evaluates routers on {glue:text}`n_outcomes_article:,.0f` precomputed inference
# results: {glue:text}`n_datasets_article:.0f` datasets times {glue:text}`n_models_article:.0f`
# LLMs. Those per-query results are not public, and the article names only
# {glue:text}`n_named_datasets:.0f` of its {glue:text}`n_datasets_article:.0f` datasets. So the book builds its own benchmark with the same shape, and says where every
# ingredient comes from (a {term}`benchmark` in this book's sense: quality and cost tables, dataset
# labels, query features and model metadata):
#
# * **models**: the article's six, with their providers and tiers, and mid-2024 list prices;
# * **datasets**: *the book's own choice* of {glue:text}`n_datasets_article:.0f` sets, the Open LLM Leaderboard v1 and v2
#   benchmarks (ARC-Challenge, HellaSwag, MMLU, TruthfulQA, Winogrande, GSM8K, IFEval, BBH,
#   MATH Level 5, GPQA, MuSR, MMLU-Pro), which include the five the article names;
# * **accuracies**: each model's public accuracy on each dataset (the project's `calibration.csv`);
# * **structure**: how correlated two models' errors are and how predictable correctness is from
#   the question, measured on real per-question outcomes of GPT-4 and Mixtral-8x7B ({term}`RouteLLM`);
# * **costs**: token counts times prices.
#
# What it cannot give: any statement about how these particular models behave on these particular
# questions. It is a test bed whose marginal accuracies, costs and correlation structure are
# realistic, so that routers can be compared on it; conclusions about real deployments need real
# outcomes (chapter 08 uses the real RouteLLM files).

# %% tags=["parameters"]
# scale: size of the simulated benchmark (1.0 = 67,500 queries x 6 models = 405,000 outcomes)
# seed: seed of the simulation; prices: price table (catalog.PRICE_TABLES); anchor: shift GPT-4o and
# Llama-3-8B to the article's overall accuracies; recompute_real: re-measure the real structural
# targets from the RouteLLM files when they are found (takes about a minute);
# n_structure_seeds: simulated seeds over which the structural gaps are averaged
scale = 1.0
seed = 0
prices = "together"
anchor = True
recompute_real = True
n_structure_seeds = 3
data_dir = None  # data root with one folder per real source (None: $ROUTERLAB_DATA_DIR or ../shared/data)

# %% tags=["remove-input"]
import time

import matplotlib.pyplot as plt
from IPython.display import display

from routerlab.book import style
from routerlab.book.glue import glue_figure
from routerlab.book.glue import glue_dict
from routerlab.chapters import benchmark as ch
from routerlab.data.simulate import simulate

style.use()

# %% tags=["remove-input"]
glue_dict(ch.article_values())

# %% [markdown]
# ## Generating it
#
# One call builds the whole benchmark. It is deterministic: the same `scale`, `seed` and
# parameters give identical arrays on any machine.

# %%
t0 = time.perf_counter()
bench = simulate(scale, seed, prices=prices, anchor=anchor)
gen_seconds = time.perf_counter() - t0
print(bench.describe().splitlines()[0])
print(f"generated in {gen_seconds:.2f} s")

# %% tags=["remove-input"]
glue_dict(ch.bench_values(bench, scale, seed, gen_seconds))

# %% [markdown]
# At `scale` = {glue:text}`scale:.2f` (seed {glue:text}`seed:.0f`) the simulation has
# {glue:text}`n_queries:,.0f` queries for {glue:text}`n_models:.0f` models, i.e.
# {glue:text}`n_outcomes:,.0f` outcomes over {glue:text}`n_datasets:.0f` datasets, generated in
# {glue:text}`gen_seconds:.2f` seconds. At full scale (`scale` = {glue:text}`full_scale:.1f`) it
# has exactly as many outcomes as the article's benchmark.
#
# ## The models
#
# Names, providers and tiers are the article's. Prices are mid-2024 USD per million tokens: OpenAI
# list prices for the GPT models and Together's size tiers for the open models (other tables,
# e.g. the cheapest host per model, are one argument away: `simulate(prices="cheapest")`).

# %% tags=["remove-input"]
ch.models_table(bench)

# %% [markdown]
# ## The datasets
#
# Sizes are proportional to the real test sets and scaled so that `scale` = 1 gives exactly
# {glue:text}`n_full:,.0f` queries (largest-remainder rounding; at tiny scales every dataset keeps
# at least a few queries). Each query belongs to a topic (`subsets`): the real number of subjects,
# subtasks or categories where the dataset has them ({glue:text}`n_mmlu_topics:.0f` MMLU subjects),
# a few otherwise.
# Multiple-choice sets have a guessing floor of one over the number of options.

# %% tags=["remove-input"]
datasets_table, dataset_values = ch.datasets_table(scale)
glue_dict(dataset_values)
datasets_table

# %% [markdown]
# ## Correctness: an item-response model, calibrated
#
# Whether model $j$ answers query $i$ of dataset $d$ correctly is drawn from
#
# $$
# P(\text{correct}) = c_d + (1 - c_d)\,\sigma\!\big(a_j(\theta_{jd} + s_d\,u_{ij})\big),\qquad
# u_{ij} = -\sqrt{1-\kappa_d}\;g_i + \sqrt{\kappa_d}\;w_j^\top s_i ,
# $$
#
# where $g_i$ is the query's shared difficulty and $s_i$ its skill vector (both standard normal,
# part of their variance shared by the query's topic), $w_j$ the model's skill loadings
# (orthonormal: each model's specific strengths are independent of the others'), $a_j$ its
# discrimination, $c_d$ the guessing floor, $s_d$ the spread of the item logit and $\kappa_d$ the
# model-specific share of it. The abilities $\theta_{jd}$ are *solved*, not chosen: for each
# model and dataset a vectorised bisection finds the ability at which the realised accuracy (with
# the random draws held fixed) meets the target. So the realised accuracies equal the targets up
# to one query.
#
# The targets are the public accuracies of `calibration.csv` (leaderboard and vendor numbers,
# settings differ between sources; see the calibration notes). With `anchor=True`, the book's
# default, GPT-4o's and Llama-3-8B-Instruct's targets on every dataset are moved by one shift per model
# (on the logit of the above-chance part) so that their overall accuracies are the article's.
# {numref}`fig-01-calibration` shows how close every realised accuracy lands to its target
# (`bench.accuracy_by_dataset()` against `bench.latent["targets"]`); the accuracies themselves are
# behind the toggle below it.
#
# ```{glue:figure} fig_calibration
# :name: "fig-01-calibration"
# :alt: "Heatmap of realised minus target accuracy, in thousandths, for the twelve datasets and six models; every cell is close to zero"
# Realised minus target accuracy of every model on every dataset, in thousandths (simulated, at
# this build's scale). A difference below one query's worth is the best a finite dataset allows.
# ```

# %% tags=["remove-input"]
fig, ax = plt.subplots(figsize=style.figsize(6.4))
ch.plot_calibration(ax, bench, scale)
glue_figure("fig_calibration", fig)

# %% tags=["remove-input", "hide-output"]
ch.calibration_table(bench)

# %% tags=["remove-input"]
glue_dict(ch.calibration_values(bench, scale, anchor))

# %% [markdown]
# The largest absolute deviation between a realised accuracy and its target is
# {glue:text}`max_abs_dev:.4f` ({glue:text}`max_dev_model`, {glue:text}`max_dev_dataset`), below
# one query's worth on that dataset ({glue:text}`max_dev_bound:.4f`).
#
# **Anchoring** (here {glue:text}`anchor_on`). Weighted by the dataset sizes, `calibration.csv`
# gives GPT-4o an overall accuracy of {glue:text}`gpt4o_unanchored:.3f` and Llama-3-8B-Instruct
# {glue:text}`llama8b_unanchored:.3f`; the article reports {glue:text}`gpt4o_article:.3f` and
# {glue:text}`llama8b_article:.3f`. The anchor shifts their logits by
# {glue:text}`gpt4o_shift:+.3f` and {glue:text}`llama8b_shift:+.3f`, and the simulation realises
# {glue:text}`gpt4o_overall:.3f` and {glue:text}`llama8b_overall:.3f`. These two numbers are
# therefore inputs of the simulation: the reproduction [ledger](90_ledger.ipynb) calls them
# **{term}`calibrated <calibrated input>`**, never reproduced.
#
# ## Costs from tokens
#
# Every query has a prompt length and every (query, model) an answer length, both lognormal
# around the dataset's typical lengths (calibration notes, section 4). One tokenizer serves all
# models, as in {term}`RouterBench`. Longer prompts are slightly harder (their log-length is correlated
# with the shared difficulty), and a wrong answer is longer than a right one by the factor measured
# on RouteLLM's real GSM8K answers. The cost of a call is
# $(\text{prompt tokens}\times p_\text{in} + \text{answer tokens}\times p_\text{out})/10^6$ USD.
# {numref}`fig-01-costs` shows the prompt lengths and the resulting costs; the table below it sums
# them up per model.
#
# ```{glue:figure} fig_costs
# :name: "fig-01-costs"
# :alt: "Top: box plots of prompt tokens per query for the twelve datasets on a log axis. Bottom: log-log survival curves of the cost per query of the six models, GPT-4o's furthest right"
# Top: prompt tokens per query by dataset (boxes: quartiles; whiskers: 5th and 95th percentiles;
# log scale). Bottom: the share of queries that cost more than a given amount, per model (log-log).
# Simulated.
# ```

# %% tags=["remove-input"]
fig, axes = plt.subplots(2, 1, figsize=style.figsize(9.0), height_ratios=[1.1, 1])
ch.plot_costs(axes, bench)
glue_figure("fig_costs", fig)

# %% tags=["remove-input"]
ch.cost_table(bench)

# %% tags=["remove-input"]
glue_dict(ch.cost_values(bench))

# %% [markdown]
# GPT-4o costs {glue:text}`gpt4o_mean_cost:.5f` USD per query on average and Llama-3-8B-Instruct
# {glue:text}`llama8b_mean_cost:.5f`, so always answering with Llama-3-8B instead of GPT-4o cuts
# the cost by {glue:text}`cost_reduction:.3f` (as a fraction). The article states
# {glue:text}`cost_reduction_article:.3f`. This is an *output* of prices and token lengths, not an
# input: it lands close because the price ratio dominates. (Chapter 02 shows that the article's
# reduction cannot hold together with its RS numbers; that is about its RS, not about this ratio.)
# Costs span a factor of {glue:text}`cost_ratio_max_min:,.0f` between the cheapest and the
# dearest call, which matters for the global min-max normalisation of RS. Wrong answers are
# {glue:text}`wrong_answer_length:.3f` times longer than right ones.

# %% [markdown]
# ## Structure, calibrated on real outcomes
#
# Accuracies alone do not make a routing benchmark. Two further properties decide what routing can
# gain, and they are not guessed here but measured on real per-question outcomes: RouteLLM's
# published correctness of GPT-4 (`gpt-4-1106-preview`) and Mixtral-8x7B-Instruct on MMLU and
# GSM8K (chapter 08 uses the same files).
#
# * **Error correlation**: the phi coefficient between the two models' correctness. If both fail
#   on the same questions, sending a question to the other model rarely helps.
# * **Predictability**: the held-out AUC of a logistic regression that predicts a model's
#   correctness from the question, by {glue:text}`n_splits:.0f`-fold cross-validation: TF-IDF
#   of the prompt text on the real data, the simulated query features on the simulation; the same
#   from the topic alone (the MMLU subject); and the AUC of the prompt length alone.
#
# The simulator's structural defaults (spread $s_d$ and model-specific share $\kappa_d$ per family,
# topic share, Mixtral's discrimination relative to GPT-4o, feature signal, and the length
# correlation) were fitted by least squares so that the same measurements on simulated GPT-4o vs
# Mixtral-8x7B-Instruct, averaged over {glue:text}`n_fit_seeds:.0f` seeds at full scale, land on
# the real ones (`routerlab.evaluation.error_structure.fit_structure`). The real values are stored as constants
# with their provenance; this chapter re-measures them when the files are found (with
# `structure.structure_table`). The table lists both sets of measurements and
# {numref}`fig-01-structure` draws them side by side.
#
# ```{glue:figure} fig_structure
# :name: "fig-01-structure"
# :alt: "Dot plot of the structural measurements on MMLU and GSM8K, real values as black dots with a grey tolerance band, simulated values as orange diamonds, most diamonds inside the bands"
# The structural measurements, real (RouteLLM's GPT-4 vs Mixtral, black, with a grey band of
# plus or minus 0.05) and simulated (GPT-4o vs Mixtral, diamonds), at this build's scale and seed.
# ```

# %% tags=["remove-input"]
study = ch.structure_study(bench, scale=scale, seed=seed, prices=prices, anchor=anchor,
                           recompute_real=recompute_real, n_seeds=n_structure_seeds)
study["side"]

# %% tags=["remove-input"]
fig, ax = plt.subplots(figsize=style.figsize(6.8))
ch.plot_structure(ax, study, scale, seed)
glue_figure("fig_structure", fig)

# %% [markdown]
# The structure was fitted at full scale (`scale` = {glue:text}`full_scale:.1f`). At a smaller
# scale (here {glue:text}`scale:.2f`) the logistic regressions train on fewer questions, so the
# simulated AUCs come out lower and noisier than the fitted ones. And even at full scale one
# simulated draw is one sample: its AUCs on GSM8K's few hundred errors move from seed to seed as
# much as the real measurement would on another sample of questions. The fit targets the
# average over seeds, so here are the gaps for {glue:text}`n_fit_seeds:.0f` seeds (this one and the
# next ones), their mean and their spread.

# %% tags=["remove-input"]
study["gaps"]

# %% tags=["remove-input"]
glue_dict(study["values"])

# %% [markdown]
# The real values are {glue:text}`real_source` (largest difference from the stored constants
# {glue:text}`real_live_diff:.4f`). Of the {glue:text}`n_fit_targets:.0f` fitted measurements,
# {glue:text}`n_mean_within_tol:.0f` are within {glue:text}`tolerance:.2f` of the real ones on
# average over the seeds (largest mean gap {glue:text}`max_mean_gap:.3f`, {glue:text}`max_mean_gap_cell`),
# and {glue:text}`n_within_tol:.0f` for this seed alone (largest gap {glue:text}`max_fit_gap:.3f`,
# {glue:text}`max_fit_gap_cell`). The largest seed-to-seed standard deviation is
# {glue:text}`max_seed_sd:.3f` ({glue:text}`max_seed_sd_cell`).
#
# * **Errors are strongly correlated on MMLU** (real phi {glue:text}`real_phi_mmlu:.3f`, simulated
#   {glue:text}`sim_phi_mmlu:.3f`) and **weakly on GSM8K** (real {glue:text}`real_phi_gsm8k:.3f`,
#   simulated {glue:text}`sim_phi_gsm8k:.3f`).
# * **Correctness is predictable on MMLU, mostly through the topic**: TF-IDF reaches AUC
#   {glue:text}`real_auc_a_mmlu:.3f` for GPT-4, the subject alone {glue:text}`real_topic_auc_a_mmlu:.3f`
#   (simulated: {glue:text}`sim_auc_a_mmlu:.3f` from features, {glue:text}`sim_topic_auc_a_mmlu:.3f`
#   from the topic). For Mixtral: real {glue:text}`real_auc_b_mmlu:.3f` and
#   {glue:text}`real_topic_auc_b_mmlu:.3f`, simulated {glue:text}`sim_auc_b_mmlu:.3f` and
#   {glue:text}`sim_topic_auc_b_mmlu:.3f`.
# * **On GSM8K, GPT-4's failures are more predictable than Mixtral's** (real AUC
#   {glue:text}`real_auc_a_gsm8k:.3f` vs {glue:text}`real_auc_b_gsm8k:.3f`; simulated
#   {glue:text}`sim_auc_a_gsm8k:.3f` vs {glue:text}`sim_auc_b_gsm8k:.3f`). In the model this is the
#   lower discrimination of Mixtral: its outcomes are noisier given the question.
#
# ### The residuals, explained
#
# The simulation cannot reach every real value, and no knob was added to force it.
#
# **MMLU phi.** With a guessing floor, a model that does not know an answer still gets it right
# with probability {glue:text}`mmlu_floor:.2f`, independently of the other model; that caps phi
# even when the two models know nested sets of questions (`structure.max_phi`). The cap depends on
# the accuracies: {glue:text}`phi_ceiling_real:.3f` for the real pair (accuracies
# {glue:text}`real_acc_a_mmlu:.3f` and {glue:text}`real_acc_b_mmlu:.3f`), but only
# {glue:text}`phi_ceiling_sim:.3f` for the simulated pair ({glue:text}`sim_acc_a_mmlu:.3f` and
# {glue:text}`sim_acc_b_mmlu:.3f`), because GPT-4o's calibrated MMLU accuracy is higher than the
# RouteLLM GPT-4's. The real pair sits at {glue:text}`phi_real_share_of_ceiling:.2f` of its
# ceiling, so the fit drives the simulated pair to its own: a model-specific share of zero and a
# large spread on multiple-choice sets ("a model knows the answer or guesses"). The remaining gap
# is the difference between the two ceilings, not a missing mechanism.
#
# **GSM8K AUCs.** They rest on {glue:text}`n_real_gsm8k:,.0f` real and {glue:text}`n_sim_gsm8k:,.0f`
# simulated questions with a few hundred errors each, so one sample moves them by a few hundredths;
# the fit matches their average over seeds.
#
# **Prompt length.** One correlation ({glue:text}`length_corr:.3f` between log prompt length and
# difficulty) serves every model and dataset. In the real files length predicts Mixtral's failures
# on GSM8K (AUC {glue:text}`real_length_auc_b_gsm8k:.3f`) much better than GPT-4's
# ({glue:text}`real_length_auc_a_gsm8k:.3f`); a shared correlation cannot express that, and leaves a
# mean gap of {glue:text}`length_gap_mixtral_gsm8k:+.3f` there.
#
# ### How the other datasets inherit the structure
#
# Only MMLU and GSM8K have real per-question outcomes here. Every multiple-choice dataset takes
# MMLU's spread and model-specific share, every free-form one (GSM8K, IFEval, MATH-Lvl5) takes
# GSM8K's; the topic share and the feature signal are single numbers. The models without
# real outcomes get a discrimination interpolated in their mean target accuracy between
# Mixtral-8x7B's and GPT-4o's (stronger models answer more consistently). The two tables give the
# structural parameters per dataset (`bench.latent["params"]`) and the discrimination per model
# (`simulate.model_discrimination()`).

# %% tags=["remove-input"]
ch.family_table(bench)

# %% tags=["remove-input"]
ch.discrimination_table()

# %% [markdown]
# ## What routers see, and what they do not
#
# A router in this book sees, for each query, its dataset, its prompt length, a
# {glue:text}`n_features:.0f`-dimensional **feature vector**, and, after calling a model, that
# model's **confidence** in its answer. The features stand in for a sentence embedding: a fixed
# random linear map of the query's latent difficulty and skills, mixed with noise so that a share
# {glue:text}`feature_signal:.3f` of their variance is signal (the fitted value, which makes a
# logistic regression on them about as informative as TF-IDF on real MMLU questions). The
# confidence follows a binormal model whose AUC for correctness within each dataset and model is
# {glue:text}`confidence_auc:.2f` (an assumption, a parameter of `simulate`); realised here:
# {glue:text}`confidence_auc_realised:.3f` on average.
#
# The latent truth (each query's difficulty, skills and topic effects, each model's ability and
# probability of being right) is kept in `bench.latent` for teaching and never shown to a router;
# `bench.without_truth()` is what a router receives at test time. The table gives the realised
# AUC of the confidence, per dataset and model.

# %% tags=["remove-input"]
confidence_table, confidence_values = ch.confidence_auc(bench)
glue_dict(confidence_values)
confidence_table

# %% [markdown]
# ## The real benchmarks beside it
#
# The later chapters put every simulated finding beside the same measurement on **real** per-query
# outcomes, read from a data root with one folder per source (`../shared/data` beside the project,
# or a folder named by the `data_dir` parameter, `--data-dir` or `$ROUTERLAB_DATA_DIR`). Every file
# is checked against the SHA-256 shipped in the package before it is read; nothing of it is in the
# project.
#
# ```{admonition} Real data in this build
# :class: note
# {glue:text}`real_status`
# ```
#
# * **routerbench-subset**: RouterBench's own outcomes (probably its 5-shot release) of 11 models
#   on ARC-Challenge, MBPP and Winogrande, with the **real** cost RouterBench recorded per call.
# * **llmrouter**: {term}`LLMRouter`'s scores of 9 open models on 14 tasks; its cost is
#   **{term}`estimated <estimated cost>`**
#   (prompt tokens x input price + an output length per query taken from the task's reference
#   answer x output price; see `routerlab.data.sources.llmrouter`).
# * **mmlu-pro**: the {term}`MMLU-Pro` authors' per-question outputs of 29 models; cost **estimated** from
#   the question's tokens and each model's own answer length, at public list prices (the table and
#   its sources are in the package, `routerlab/data/prices/mmlu-pro.csv`; size-class prices for
#   open models are marked as proxies there).
# * **routellm**: GPT-4 and Mixtral on MMLU and GSM8K (chapter 08).
#
# Every source has flaws, and each loader handles them by a stated rule and counts what the rule
# removed (the "cleaning" tables below, also printed by `routerlab info --data <source>`). On
# RouterBench's files, {glue:text}`rb_dup_ids` sample ids appear twice, each pair splitting one
# query's scores between two rows; the rule drops every row with an empty score
# ({glue:text}`rb_empty_cells` empty cells, {glue:text}`rb_rows_dropped` rows), which removes every
# duplicate and keeps {glue:text}`rb_rows_kept` queries. The table sums up the four sources
# (`sources.overview`).

# %% tags=["remove-input"]
real_benches = ch.load_real(data_dir)
glue_dict(ch.real_values(real_benches))

# %% tags=["remove-input"]
ch.overview_table(real_benches)

# %% [markdown]
# The cleaning, source by source (the rule first, then what it counted):

# %% tags=["remove-input", "hide-output"]
display(*ch.provenance(real_benches))

# %% [markdown]
# ### Text features see the question, not the worked examples
#
# RouterBench's ARC-Challenge and Winogrande prompts repeat the same worked examples before every
# question (a shared prefix of {glue:text}`rb_prefix_arc` and {glue:text}`rb_prefix_wino`
# characters). A text feature of the whole prompt would mostly see those examples: the mean cosine
# similarity between the TF-IDF features of two random ARC prompts is
# {glue:text}`rb_cos_full_arc` (Winogrande {glue:text}`rb_cos_full_wino`), close to 1, the value for
# identical features. The loader therefore keeps, for the features, the question alone (the prefix
# every prompt of a dataset shares is cut at its last complete line), while the cost and the token
# counts still include the examples that were paid for. On the questions the similarity falls to
# {glue:text}`rb_cos_q_arc` and {glue:text}`rb_cos_q_wino`: the features now differ between queries.

# %% tags=["remove-input"]
similarity_table, similarity_values = ch.prefix_similarity(real_benches, data_dir, seed)
glue_dict(similarity_values)
similarity_table

# %% [markdown]
# ## Ledger entries of this chapter
#
# Three claims of the article describe the benchmark itself. The criterion, fixed before the cell
# below runs: a claim is a **calibrated input** when RouterBench-Sim is built to satisfy it (so
# agreement is by construction, not evidence). The simulated benchmark has
# {glue:text}`ledger_n_datasets:d` datasets x {glue:text}`ledger_n_models:d` models =
# {glue:text}`ledger_n_outcomes:,d` outcomes at this chapter's scale ({glue:text}`ledger_scale:g`;
# the article's count is met exactly at scale 1). The twelve real test sets would give
# {glue:text}`ledger_real_outcomes:,d` outcomes with six models, so the article's datasets cannot be
# these twelve at full size: the size is scaled to the article's count (errata page).

# %% tags=["remove-input"]
glue_dict(ch.record_ledger(bench, scale))
