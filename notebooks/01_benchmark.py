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
# Every per-query number in this book's main chapters comes from **RouterBench-Sim**, a
# *simulated* benchmark built in this chapter. It is calibrated on public accuracies, public
# prices and real per-question outcomes, but no row of it is a real model answering a real
# question. Tables and figures label it SIMULATED.
# ```
#
# The article evaluates routers on {glue:text}`n_outcomes_article:,.0f` precomputed inference
# results: {glue:text}`n_datasets_article:.0f` datasets times {glue:text}`n_models_article:.0f`
# LLMs. Those per-query results are not public, and the article names only five of the twelve
# datasets. So the book builds its own benchmark with the same shape, and says where every
# ingredient comes from:
#
# * **models**: the article's six, with their providers and tiers, and mid-2024 list prices;
# * **datasets**: *the book's own choice* of twelve sets, the Open LLM Leaderboard v1 and v2
#   benchmarks (ARC-Challenge, HellaSwag, MMLU, TruthfulQA, Winogrande, GSM8K, IFEval, BBH,
#   MATH Level 5, GPQA, MuSR, MMLU-Pro), which include the five the article names;
# * **accuracies**: each model's public accuracy on each dataset (the project's `calibration.csv`);
# * **structure**: how correlated two models' errors are and how predictable correctness is from
#   the question, measured on real per-question outcomes of GPT-4 and Mixtral-8x7B (RouteLLM);
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
# targets from the RouteLLM files when they are found (takes about a minute)
scale = 1.0
seed = 0
prices = "together"
anchor = True
recompute_real = True

# %%
import time

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from myst_nb import glue

import routerlab as rl
from routerlab import catalog, ledger, plots, structure
from routerlab.simulate import (ANCHORS, DEFAULT_PARAMS, FAMILIES, TOPICS, dataset_family, dataset_sizes,
                                model_discrimination, sim_targets, simulate)

pd.set_option("display.precision", 3)


def g(key, value):
    """Glue ``value`` for the text as a plain Python number or string (no numpy repr)."""
    if isinstance(value, (bool, np.bool_)):
        value = bool(value)
    elif isinstance(value, (int, np.integer)):
        value = int(value)
    elif isinstance(value, (float, np.floating)):
        value = float(value)
    glue(key, value, display=False)
    return value


def article(claim_id):
    """The article's value for a claim (from the project's copy of claims.yaml)."""
    return ledger.claim(claim_id)["value"]


# %% tags=["remove-input"]
size_claim = article("bench.size")
g("n_outcomes_article", size_claim["instances"])
g("n_datasets_article", size_claim["datasets"])
g("n_models_article", size_claim["models"])

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
g("scale", scale)
g("seed", seed)
g("n_queries", bench.n_queries)
g("n_models", bench.n_models)
g("n_outcomes", bench.n_queries * bench.n_models)
g("n_datasets", len(bench.dataset_names))
g("gen_seconds", gen_seconds)

# %% [markdown]
# At `scale` = {glue:text}`scale:.2f` (seed {glue:text}`seed:.0f`) the simulation has
# {glue:text}`n_queries:,.0f` queries for {glue:text}`n_models:.0f` models, i.e.
# {glue:text}`n_outcomes:,.0f` outcomes over {glue:text}`n_datasets:.0f` datasets, generated in
# {glue:text}`gen_seconds:.2f` seconds. At `scale` = 1 it has exactly as many outcomes as the
# article's benchmark.
#
# ## The six models
#
# Names, providers and tiers are the article's. Prices are mid-2024 USD per million tokens: OpenAI
# list prices for the GPT models and Together's size tiers for the open models (other tables,
# e.g. the cheapest host per model, are one argument away: `simulate(prices="cheapest")`).

# %%
models = pd.DataFrame(
    {"provider": [m.provider for m in bench.models], "tier": [m.tier for m in bench.models],
     "$/1M input": bench.price_in, "$/1M output": bench.price_out},
    index=pd.Index(bench.model_names, name="model"))
models

# %% [markdown]
# ## The twelve datasets
#
# Sizes are proportional to the real test sets and scaled so that `scale` = 1 gives exactly
# {glue:text}`n_full:,.0f` queries (largest-remainder rounding; at tiny scales every dataset keeps
# at least a few queries). Each query belongs to a topic (`subsets`): the real number of subjects,
# subtasks or categories where the dataset has them (57 MMLU subjects), a few otherwise.
# Multiple-choice sets have a guessing floor of one over the number of options.

# %%
sizes = dataset_sizes(scale)
datasets = pd.DataFrame({
    "real test size": [d.n_test for d in catalog.DATASETS],
    "simulated": sizes.to_numpy(),
    "options": [d.n_choices or "free-form" for d in catalog.DATASETS],
    "topics": [TOPICS[d.name] for d in catalog.DATASETS],
    "prompt tokens (typical)": [d.prompt_tokens for d in catalog.DATASETS],
    "answer tokens (typical)": [d.answer_tokens for d in catalog.DATASETS],
    "board": [d.board for d in catalog.DATASETS],
}, index=pd.Index(sizes.index, name="dataset"))
datasets

# %% tags=["remove-input"]
g("n_full", int(dataset_sizes(1.0).sum()))

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
# default, GPT-4o's and Llama-3-8B-Instruct's twelve targets are moved by one shift per model
# (on the logit of the above-chance part) so that their overall accuracies are the article's.

# %%
realised = bench.accuracy_by_dataset()
targets = bench.latent["targets"]
deviation = realised - targets
calib = catalog.calibration_matrix()
fig, ax = plt.subplots(figsize=(8, 5.5))
plots.plot_heatmap(ax, deviation * 1000, fmt="{:+.1f}", cmap="RdBu_r", center=0.0,
                   colorbar_label="realised - target (x 1/1000)")
ax.set_title(f"SIMULATED: realised minus target accuracy (scale {scale:g})")
fig.tight_layout()

# %%
(pd.concat({"target": targets, "realised": realised}, axis=1)
 .swaplevel(axis=1).sort_index(axis=1, level=0, sort_remaining=False)
 .loc[:, pd.IndexSlice[list(bench.model_names), :]].round(4))

# %% tags=["remove-input"]
max_dev = float(deviation.abs().to_numpy().max())
arg = np.unravel_index(np.argmax(deviation.abs().to_numpy()), deviation.shape)
g("max_abs_dev", max_dev)
g("max_dev_dataset", deviation.index[arg[0]])
g("max_dev_model", deviation.columns[arg[1]])
g("max_dev_bound", float(1.0 / sizes[deviation.index[arg[0]]]))
overall = dict(zip(bench.model_names, bench.accuracy()))
w = sizes / sizes.sum()
for key, model in (("gpt4o", "GPT-4o"), ("llama8b", "Llama-3-8B-Instruct")):
    g(f"{key}_overall", overall[model])
    g(f"{key}_article", ANCHORS[model])
    g(f"{key}_unanchored", float(w @ calib[model]))
    g(f"{key}_shift", bench.latent["anchor_shifts"].get(model, 0.0))
g("anchor_on", "on" if anchor else "off")

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
# therefore inputs of the simulation: the reproduction ledger calls them **calibrated**, never
# reproduced.
#
# ## Costs from tokens
#
# Every query has a prompt length and every (query, model) an answer length, both lognormal
# around the dataset's typical lengths (calibration notes, section 4). One tokenizer serves all
# models, as in RouterBench. Longer prompts are slightly harder (their log-length is correlated
# with the shared difficulty), and a wrong answer is longer than a right one by the factor measured
# on RouteLLM's real GSM8K answers. The cost of a call is
# $(\text{prompt tokens}\times p_\text{in} + \text{answer tokens}\times p_\text{out})/10^6$ USD.

# %%
fig, axes = plt.subplots(1, 2, figsize=(12, 4.5))
plots.plot_token_lengths(axes[0], bench.prompt_tokens, bench.datasets, order=bench.dataset_names,
                         xlabel="prompt tokens per query (log scale)")
axes[0].set_title("SIMULATED prompt lengths")
plots.plot_cost_survival(axes[1], bench.cost, bench.model_names)
axes[1].set_title("SIMULATED cost per query, by model")
fig.tight_layout()

# %%
cost_table = pd.DataFrame({
    "mean cost per query ($)": bench.cost.mean(axis=0),
    "median ($)": np.median(bench.cost, axis=0),
    "99th percentile ($)": np.quantile(bench.cost, 0.99, axis=0),
    "mean answer tokens": bench.answer_tokens.mean(axis=0),
}, index=pd.Index(bench.model_names, name="model"))
cost_table

# %% tags=["remove-input"]
mean_cost = cost_table["mean cost per query ($)"]
reduction = 1 - mean_cost["Llama-3-8B-Instruct"] / mean_cost["GPT-4o"]
g("cost_reduction", reduction)
g("cost_reduction_article", float(article("result.llama8b.cost_reduction")))
g("gpt4o_mean_cost", mean_cost["GPT-4o"])
g("llama8b_mean_cost", mean_cost["Llama-3-8B-Instruct"])
g("cost_ratio_max_min", float(bench.cost.max() / bench.cost.min()))
g("wrong_answer_length", DEFAULT_PARAMS.wrong_answer_length)

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
#   correctness from the question, by 5-fold cross-validation: TF-IDF of the prompt text on the
#   real data, the simulated query features on the simulation; and the same from the topic alone
#   (the MMLU subject), and from prompt length alone.
#
# The simulator's structural defaults (spread $s_d$ and model-specific share $\kappa_d$ per family,
# topic share, Mixtral's discrimination relative to GPT-4o, feature signal, and the length
# correlation) were fitted by least squares so that the same measurements on simulated GPT-4o vs
# Mixtral-8x7B-Instruct land on the real ones (`routerlab.structure.fit_structure`). The real values
# are stored as constants with their provenance; this chapter re-measures them when the files are
# found.

# %%
real_stored = structure.real_targets_table()
real_live = None
if recompute_real:
    from routerlab.routellm import find_routellm_dir, load_routellm

    if find_routellm_dir() is not None:
        real_bench = load_routellm(drop_contaminated=True)
        real_live = structure.structure_table(real_bench, *structure.REAL_MODELS, seed=0)
real = real_stored if real_live is None else real_live.loc[:, list(structure.STRUCTURE_COLUMNS)]

sim_bench = bench.rows(np.isin(bench.datasets, ["MMLU", "GSM8K"])).select_models(list(structure.SIM_MODELS))
sim = structure.structure_table(sim_bench, *structure.SIM_MODELS, seed=0, datasets=["MMLU", "GSM8K"],
                                features="features")
names = {"phi": "phi of correctness", "auc_a": "AUC text/features, strong", "auc_b": "AUC text/features, Mixtral",
         "topic_auc_a": "AUC topic only, strong", "topic_auc_b": "AUC topic only, Mixtral",
         "length_auc_a": "AUC prompt length, strong", "length_auc_b": "AUC prompt length, Mixtral"}
side = pd.concat({"real (GPT-4-1106)": real.stack(), "SIMULATED (GPT-4o)": sim[list(structure.STRUCTURE_COLUMNS)].stack()},
                 axis=1)
side["simulated - real"] = side.iloc[:, 1] - side.iloc[:, 0]
side.index = [f"{d}: {names[c]}" for d, c in side.index]
side.round(3)

# %%
fig, ax = plt.subplots(figsize=(8, 6))
plots.plot_structure_comparison(ax, real, sim[list(structure.STRUCTURE_COLUMNS)], labels=names)
ax.set_title(f"Real vs SIMULATED structure (scale {scale:g})")
fig.tight_layout()

# %% tags=["remove-input"]
gap = structure.structure_gap(sim, real)
fit_cells = list(structure.FIT_TARGETS)
fit_gaps = pd.Series({f"{d}:{c}": gap.loc[d, c] for d, c in fit_cells})
g("n_fit_targets", len(fit_cells))
g("n_within_005", int((fit_gaps.abs() <= 0.05).sum()))
g("max_fit_gap", float(fit_gaps.abs().max()))
g("max_fit_gap_cell", fit_gaps.abs().idxmax())
len_gaps = pd.Series({f"{d}:{c}": gap.loc[d, c] for d, c in structure.LENGTH_TARGETS})
g("max_length_gap", float(len_gaps.abs().max()))
if real_live is not None:
    live_diff = (real_live.loc[:, list(structure.STRUCTURE_COLUMNS)] - real_stored).abs().max().max()
    g("real_source", "re-measured from the RouteLLM files found beside the repository")
    g("real_live_diff", float(live_diff))
else:
    g("real_source", "the stored constants (the RouteLLM files were not found, or recompute_real is off)")
    g("real_live_diff", 0.0)
for d in ("MMLU", "GSM8K"):
    for c in ("phi", "auc_a", "auc_b"):
        g(f"real_{c}_{d.lower()}", float(real.loc[d, c]))
        g(f"sim_{c}_{d.lower()}", float(sim.loc[d, c]))
for c in ("topic_auc_a", "topic_auc_b"):
    g(f"real_{c}_mmlu", float(real.loc["MMLU", c]))
    g(f"sim_{c}_mmlu", float(sim.loc["MMLU", c]))
# the ceiling of phi under the guessing floor, for the real and the simulated accuracies (MMLU)
real_acc = (float(real_live.loc["MMLU", "acc_a"]), float(real_live.loc["MMLU", "acc_b"])) if real_live is not None \
    else (0.8059, 0.6809)  # RouteLLM MMLU accuracies (routellm README), used only without the files
g("real_acc_a_mmlu", real_acc[0])
g("real_acc_b_mmlu", real_acc[1])
g("sim_acc_a_mmlu", float(sim.loc["MMLU", "acc_a"]))
g("sim_acc_b_mmlu", float(sim.loc["MMLU", "acc_b"]))
g("phi_ceiling_real", structure.max_phi(*real_acc, 0.25))
g("phi_ceiling_sim", structure.max_phi(float(sim.loc["MMLU", "acc_a"]), float(sim.loc["MMLU", "acc_b"]), 0.25))

# %% [markdown]
# The real values are {glue:text}`real_source` (largest difference from the stored constants
# {glue:text}`real_live_diff:.4f`). Of the {glue:text}`n_fit_targets:.0f` fitted measurements,
# {glue:text}`n_within_005:.0f` land within 0.05 of the real ones at this scale; the largest gap is
# {glue:text}`max_fit_gap:.3f` ({glue:text}`max_fit_gap_cell`). The prompt-length AUCs, fitted with
# one correlation for both models and datasets, differ by at most {glue:text}`max_length_gap:.3f`.
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
# The simulation cannot reach every real value, and no extra knob was added to force it. The
# main limit is the **MMLU phi**. With a guessing floor, a model that does not know an answer
# still gets it right a quarter of the time, independently of the other model; that caps phi even
# when the two models know nested sets of questions. The cap depends on the accuracies:
# {glue:text}`phi_ceiling_real:.3f` for the real pair (accuracies {glue:text}`real_acc_a_mmlu:.3f`
# and {glue:text}`real_acc_b_mmlu:.3f`), but {glue:text}`phi_ceiling_sim:.3f` for the simulated pair
# ({glue:text}`sim_acc_a_mmlu:.3f` and {glue:text}`sim_acc_b_mmlu:.3f`), because GPT-4o's
# calibrated MMLU accuracy is higher than the RouteLLM GPT-4's. The real pair sits close to its
# ceiling, so the fit pushes the simulated pair close to its own (a model-specific share near
# zero on multiple-choice sets) and the remaining gap is the difference between the two ceilings,
# not a missing mechanism. GSM8K's AUCs are measured on about 1,300 real and 1,800 simulated
# questions, so differences of a few hundredths there are within the noise of 5-fold
# cross-validation.
#
# ### How the other ten datasets inherit the structure
#
# Only MMLU and GSM8K have real per-question outcomes here. Every multiple-choice dataset takes
# MMLU's spread and model-specific share, every free-form one (GSM8K, IFEval, MATH-Lvl5) takes
# GSM8K's; the topic share and the feature signal are single numbers. The four models without
# real outcomes get a discrimination interpolated in their mean target accuracy between
# Mixtral-8x7B's and GPT-4o's (stronger models answer more consistently).

# %%
fam = pd.DataFrame({
    "family": [dataset_family(d.name) for d in catalog.DATASETS],
    "guessing floor": [1 / d.n_choices if d.n_choices else 0.0 for d in catalog.DATASETS],
}, index=pd.Index([d.name for d in catalog.DATASETS], name="dataset"))
params = bench.latent["params"]
fam["spread s_d"] = fam["family"].map(params["difficulty_sd"])
fam["model-specific share"] = fam["family"].map(params["skill_share"])
fam["topic share"] = params["topic_share"]
fam

# %%
model_discrimination().to_frame()

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
# `bench.without_truth()` is what a router receives at test time.

# %%
from sklearn.metrics import roc_auc_score

conf_auc = pd.DataFrame(
    {m: [roc_auc_score(bench.quality[bench.datasets == d, j], bench.confidence[bench.datasets == d, j])
         if 0 < bench.quality[bench.datasets == d, j].mean() < 1 else np.nan for d in bench.dataset_names]
     for j, m in enumerate(bench.model_names)}, index=bench.dataset_names)
conf_auc.round(3)

# %% tags=["remove-input"]
g("n_features", bench.features.shape[1])
g("feature_signal", params["feature_signal"])
g("confidence_auc", params["confidence_auc"])
g("confidence_auc_realised", float(np.nanmean(conf_auc.to_numpy())))
