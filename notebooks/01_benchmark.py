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
import numpy as np
import pandas as pd
from myst_nb import glue

import routerlab as rl
from routerlab.book.glue import glue_value
from routerlab.data import catalog
from routerlab.reproduction import ledger
from routerlab.book import plots
from routerlab.evaluation import error_structure as structure
from routerlab.book import style
from routerlab.data.simulate import (ANCHORS, DEFAULT_PARAMS, TOPICS, dataset_family, dataset_sizes,
                                model_discrimination, simulate)

pd.set_option("display.precision", 3)
style.use()



g = glue_value  # glue a plain Python number or string for the text


def article(claim_id):
    """The article's value for a claim (from the project's copy of claims.yaml)."""
    return ledger.claim(claim_id)["value"]


# %% tags=["remove-input"]
size_claim = article("bench.size")
g("n_outcomes_article", size_claim["instances"])
g("n_datasets_article", size_claim["datasets"])
g("n_models_article", size_claim["models"])
g("n_named_datasets", len(article("bench.datasets")))

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
g("full_scale", 1.0)

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
models = pd.DataFrame(
    {"provider": [m.provider for m in bench.models], "tier": [m.tier for m in bench.models],
     "$/1M input": bench.price_in, "$/1M output": bench.price_out},
    index=pd.Index(bench.model_names, name="model"))
style.table(models, formats={"$/1M input": "{:.2f}", "$/1M output": "{:.2f}"})

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
style.table(datasets, formats={"options": "{}"})

# %% tags=["remove-input"]
g("n_full", int(dataset_sizes(1.0).sum()))
g("n_mmlu_topics", TOPICS["MMLU"])

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
realised = bench.accuracy_by_dataset()
targets = bench.latent["targets"]
deviation = realised - targets
calib = catalog.calibration_matrix()
fig, ax = plt.subplots(figsize=style.figsize(6.4))
plots.plot_heatmap(ax, deviation * 1000, fmt="{:+.1f}", cmap="RdBu_r", center=0.0,
                   colorbar_label="realised - target (x 1/1000)")
for _t in ax.texts:
    _t.set_fontsize(9)
ax.grid(False)
ax.set_title(f"SIMULATED: realised minus target accuracy (scale {scale:g})")
glue("fig_calibration", fig, display=False)
plt.close(fig)

# %% tags=["remove-input", "hide-output"]
style.table(pd.concat({"target": targets, "realised": realised}, axis=1)
            .swaplevel(axis=1).sort_index(axis=1, level=0, sort_remaining=False)
            .loc[:, pd.IndexSlice[list(bench.model_names), :]], digits=4,
            caption="Target and realised accuracy of every model on every dataset (four decimals, "
                    "to show how close they are)")

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
plots.plot_token_lengths(axes[0], bench.prompt_tokens, bench.datasets, order=bench.dataset_names,
                         xlabel="prompt tokens per query (log scale)")
axes[0].set_title("SIMULATED prompt lengths")
plots.plot_cost_survival(axes[1], bench.cost, bench.model_names)
axes[1].legend(loc="lower left")
axes[1].set_title("SIMULATED cost per query, by model")
glue("fig_costs", fig, display=False)
plt.close(fig)

# %% tags=["remove-input"]
cost_table = pd.DataFrame({
    "mean cost per query ($)": bench.cost.mean(axis=0),
    "median ($)": np.median(bench.cost, axis=0),
    "99th percentile ($)": np.quantile(bench.cost, 0.99, axis=0),
    "mean answer tokens": bench.answer_tokens.mean(axis=0),
}, index=pd.Index(bench.model_names, name="model"))
style.table(cost_table, formats={"mean cost per query ($)": "{:.2e}", "median ($)": "{:.2e}",
                                 "99th percentile ($)": "{:.2e}", "mean answer tokens": "{:.0f}"})

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
real_stored = structure.real_targets_table(accuracy=True)
real_live = None
if recompute_real:
    from routerlab.data.sources.routellm import find_routellm_dir, load_routellm

    if find_routellm_dir() is not None:
        real_bench = load_routellm(drop_contaminated=True)
        real_live = structure.structure_table(real_bench, *structure.REAL_MODELS, seed=0)
real_full = real_stored if real_live is None else real_live.loc[:, list(real_stored.columns)]
COLS = list(structure.STRUCTURE_COLUMNS)
real = real_full[COLS]


def sim_structure(b, s):
    """The structural measurements of simulated GPT-4o vs Mixtral-8x7B on MMLU and GSM8K."""
    b = b.rows(np.isin(b.datasets, ["MMLU", "GSM8K"])).select_models(list(structure.SIM_MODELS))
    return structure.structure_table(b, *structure.SIM_MODELS, seed=s, datasets=["MMLU", "GSM8K"],
                                     features="features")


sim_full = sim_structure(bench, seed)
sim = sim_full[COLS]
names = {"phi": "phi of correctness", "auc_a": "AUC text/features, strong", "auc_b": "AUC text/features, Mixtral",
         "topic_auc_a": "AUC topic only, strong", "topic_auc_b": "AUC topic only, Mixtral",
         "length_auc_a": "AUC prompt length, strong", "length_auc_b": "AUC prompt length, Mixtral"}
side = pd.concat({"real (GPT-4-1106)": real.stack(), "SIMULATED (GPT-4o)": sim.stack()}, axis=1)
side["simulated - real"] = side.iloc[:, 1] - side.iloc[:, 0]
side.index = [f"{d}: {names[c]}" for d, c in side.index]
style.table(side, caption="Structure of real and simulated outcomes. n/a: the real GSM8K questions "
                           "carry no topic label, so their topic-only AUC is not defined.")

# %% tags=["remove-input"]
fig, ax = plt.subplots(figsize=style.figsize(6.8))
plots.plot_structure_comparison(ax, real, sim, labels=names)
ax.legend(loc="upper center", bbox_to_anchor=(0.3, -0.09), ncol=2)
ax.set_title(f"Real vs SIMULATED structure (scale {scale:g}, seed {seed})")
glue("fig_structure", fig, display=False)
plt.close(fig)

# %% [markdown]
# The structure was fitted at full scale (`scale` = {glue:text}`full_scale:.1f`). At a smaller
# scale (here {glue:text}`scale:.2f`) the logistic regressions train on fewer questions, so the
# simulated AUCs come out lower and noisier than the fitted ones. And even at full scale one
# simulated draw is one sample: its AUCs on GSM8K's few hundred errors move from seed to seed as
# much as the real measurement would on another sample of questions. The fit targets the
# average over seeds, so here are the gaps for {glue:text}`n_fit_seeds:.0f` seeds (this one and the
# next ones), their mean and their spread.

# %% tags=["remove-input"]
extra = [sim_structure(simulate(scale, seed + k, prices=prices, anchor=anchor), seed + k)[COLS]
         for k in range(1, n_structure_seeds)]
gaps = pd.concat({f"seed {seed + k}": structure.structure_gap(t, real).stack()
                  for k, t in enumerate([sim] + extra)}, axis=1)
gaps["mean gap"] = gaps.mean(axis=1)
gaps["sd over seeds"] = gaps.iloc[:, :-1].std(axis=1, ddof=1) if n_structure_seeds > 1 else np.nan
gaps.index = [f"{d}: {names[c]}" for d, c in gaps.index]
style.table(gaps, caption="Simulated minus real, per seed, with the mean and the standard deviation "
                           "over seeds. n/a: not defined (no topic label on the real GSM8K questions).")

# %% tags=["remove-input"]
TOL = 0.05
g("tolerance", TOL)
g("n_splits", sim_full.attrs["n_splits"])
g("n_fit_seeds", n_structure_seeds)
fit_keys = [f"{d}: {names[c]}" for d, c in structure.FIT_TARGETS]
len_keys = [f"{d}: {names[c]}" for d, c in structure.LENGTH_TARGETS]
g("n_fit_targets", len(fit_keys))
g("n_within_tol", int((gaps.loc[fit_keys, gaps.columns[0]].abs() <= TOL).sum()))
g("n_mean_within_tol", int((gaps.loc[fit_keys, "mean gap"].abs() <= TOL).sum()))
g("max_fit_gap", float(gaps.loc[fit_keys, gaps.columns[0]].abs().max()))
g("max_fit_gap_cell", gaps.loc[fit_keys, gaps.columns[0]].abs().idxmax())
g("max_mean_gap", float(gaps.loc[fit_keys, "mean gap"].abs().max()))
g("max_mean_gap_cell", gaps.loc[fit_keys, "mean gap"].abs().idxmax())
g("max_seed_sd", float(np.nan_to_num(gaps.loc[fit_keys, "sd over seeds"].max())))
g("max_seed_sd_cell", str(gaps.loc[fit_keys, "sd over seeds"].idxmax()) if n_structure_seeds > 1 else "none")
g("max_length_gap", float(gaps.loc[len_keys, "mean gap"].abs().max()))
g("length_gap_mixtral_gsm8k", float(gaps.loc["GSM8K: " + names["length_auc_b"], "mean gap"]))
g("length_corr", DEFAULT_PARAMS.length_difficulty_corr)
if real_live is not None:
    g("real_source", "re-measured from the RouteLLM files found beside the repository")
    g("real_live_diff", float((real_live.loc[:, list(real_stored.columns)] - real_stored).abs().max().max()))
else:
    g("real_source", "the stored constants (the RouteLLM files were not found, or recompute_real is off)")
    g("real_live_diff", 0.0)
for d in ("MMLU", "GSM8K"):
    for c in ("phi", "auc_a", "auc_b", "length_auc_a", "length_auc_b"):
        g(f"real_{c}_{d.lower()}", float(real.loc[d, c]))
        g(f"sim_{c}_{d.lower()}", float(sim.loc[d, c]))
    g(f"n_real_{d.lower()}", structure.REAL_N[d] if real_live is None else int(real_live.loc[d, "n"]))
    g(f"n_sim_{d.lower()}", int(sim_full.loc[d, "n"]))
for c in ("topic_auc_a", "topic_auc_b"):
    g(f"real_{c}_mmlu", float(real.loc["MMLU", c]))
    g(f"sim_{c}_mmlu", float(sim.loc["MMLU", c]))
# the ceiling of phi under the guessing floor, for the real and the simulated accuracies (MMLU)
mmlu_floor = 1.0 / catalog.dataset("MMLU").n_choices
real_acc = (float(real_full.loc["MMLU", "acc_a"]), float(real_full.loc["MMLU", "acc_b"]))
sim_acc = (float(sim_full.loc["MMLU", "acc_a"]), float(sim_full.loc["MMLU", "acc_b"]))
g("mmlu_floor", mmlu_floor)
g("real_acc_a_mmlu", real_acc[0])
g("real_acc_b_mmlu", real_acc[1])
g("sim_acc_a_mmlu", sim_acc[0])
g("sim_acc_b_mmlu", sim_acc[1])
g("phi_ceiling_real", structure.max_phi(*real_acc, mmlu_floor))
g("phi_ceiling_sim", structure.max_phi(*sim_acc, mmlu_floor))
g("phi_real_share_of_ceiling", float(real.loc["MMLU", "phi"]) / structure.max_phi(*real_acc, mmlu_floor))

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
fam = pd.DataFrame({
    "family": [dataset_family(d.name) for d in catalog.DATASETS],
    "guessing floor": [1 / d.n_choices if d.n_choices else 0.0 for d in catalog.DATASETS],
}, index=pd.Index([d.name for d in catalog.DATASETS], name="dataset"))
params = bench.latent["params"]
fam["spread s_d"] = fam["family"].map(params["difficulty_sd"])
fam["model-specific share"] = fam["family"].map(params["skill_share"])
fam["topic share"] = params["topic_share"]
style.table(fam.rename(columns={"spread s_d": "spread"}).assign(family=fam["family"].str.replace("_", "-")),
            caption="Structural parameters per dataset (spread: the spread of the item logit)")

# %% tags=["remove-input"]
style.table(model_discrimination().to_frame(), caption="Discrimination of each model")

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
from sklearn.metrics import roc_auc_score

conf_auc = pd.DataFrame(
    {m: [roc_auc_score(bench.quality[bench.datasets == d, j], bench.confidence[bench.datasets == d, j])
         if 0 < bench.quality[bench.datasets == d, j].mean() < 1 else np.nan for d in bench.dataset_names]
     for j, m in enumerate(bench.model_names)}, index=bench.dataset_names)
style.table(conf_auc, caption="AUC of the confidence for correctness (simulated). n/a: a model "
                               "answers every query of the dataset correctly, or none (small scales)")

# %% tags=["remove-input"]
g("n_features", bench.features.shape[1])
g("feature_signal", params["feature_signal"])
g("confidence_auc", params["confidence_auc"])
g("confidence_auc_realised", float(np.nanmean(conf_auc.to_numpy())))

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
from routerlab.data import sources
from routerlab.book.glue import glue_formatted
from routerlab.routing.features import feature_similarity

REAL = ("routerbench-subset", "llmrouter", "mmlu-pro", "routellm")
real_benches = {name: (sources.load(name, data_dir) if sources.find(name, data_dir) is not None else None)
        for name in REAL}
found = [n for n, b in real_benches.items() if b is not None]
missing = [n for n, b in real_benches.items() if b is None]
g("real_status", (f"Found: {', '.join(found)}. " if found else "") + (
    f"NOT found: {', '.join(missing)}; the real-data numbers that need them read n/a in every chapter."
    if missing else "Every real source is present and verified."))
_rb = real_benches["routerbench-subset"]
_prov = (_rb.provenance or {}) if _rb is not None else {}
for key, what in {"rb_dup_ids": "duplicated sample_ids", "rb_empty_cells": "empty quality cells",
                  "rb_rows_dropped": "rows dropped", "rb_rows_kept": "rows kept"}.items():
    glue_formatted(key, _prov.get(what), fmt="{:,}")

# %% tags=["remove-input"]
over = sources.overview(real_benches)
over.style.format({"accuracy, lowest": "{:.3f}", "accuracy, highest": "{:.3f}",
                   "mean cost $, cheapest": "{:.2e}", "mean cost $, dearest": "{:.2e}",
                   "models": "{:.0f}", "queries": "{:,.0f}", "datasets": "{:.0f}"}, na_rep="").set_caption(
    "The real sources: size, accuracy range of their models and mean cost per query")

# %% [markdown]
# The cleaning, source by source (the rule first, then what it counted):

# %% tags=["remove-input", "hide-output"]
from IPython.display import Markdown, display

for name in found:
    display(Markdown(f"**{name}**"))
    display(sources.provenance_table(real_benches[name]))

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
if _rb is not None:
    _full = sources.load("routerbench-subset", data_dir, strip_prefix=False, answer_tokens=False)
    _pre = {d: len(_full.prompts[_full.datasets == d][0]) - len(_rb.prompts[_rb.datasets == d][0])
            for d in _rb.dataset_names}
    sim_full = feature_similarity(_full.prompts, _full.datasets, seed=seed)
    sim_q = feature_similarity(_rb.prompts, _rb.datasets, seed=seed)
    similarity = pd.DataFrame({"shared prefix (characters)": pd.Series(_pre),
                               "mean cosine, whole prompt": sim_full["mean cosine"],
                               "mean cosine, question only": sim_q["mean cosine"]})
else:
    similarity = pd.DataFrame(index=["ARC-Challenge", "MBPP", "Winogrande"],
                              columns=["shared prefix (characters)", "mean cosine, whole prompt",
                                       "mean cosine, question only"], dtype=float)
for d, k in {"ARC-Challenge": "arc", "Winogrande": "wino"}.items():
    glue_formatted(f"rb_prefix_{k}", similarity.loc[d, "shared prefix (characters)"], fmt="{:,.0f}")
    glue_formatted(f"rb_cos_full_{k}", similarity.loc[d, "mean cosine, whole prompt"], fmt="{:.2f}")
    glue_formatted(f"rb_cos_q_{k}", similarity.loc[d, "mean cosine, question only"], fmt="{:.2f}")
similarity.style.format({"shared prefix (characters)": "{:,.0f}", "mean cosine, whole prompt": "{:.2f}",
                         "mean cosine, question only": "{:.2f}"}, na_rep="n/a")

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
named = ledger.claim("bench.datasets")["value"]
ours_names = [d for d in bench.dataset_names if any(d.startswith(n) for n in named)]
g("ledger_n_datasets", len(bench.dataset_names))
g("ledger_n_models", bench.n_models)
g("ledger_n_outcomes", bench.n_queries * bench.n_models)
g("ledger_scale", float(scale))
g("ledger_real_outcomes", sum(d.n_test for d in catalog.DATASETS) * bench.n_models)
# measurements only: the verdicts come from the pre-registered criteria (routerlab/reproduction/criteria.yaml)
from routerlab.data.simulate import dataset_sizes  # noqa: E402

art_models = ledger.claim("bench.models")["value"]
_ = ledger.record(
    "bench.size", ours=float(bench.n_queries * bench.n_models), chapter="01_benchmark",
    measured={"n_datasets": len(bench.dataset_names), "n_models": bench.n_models,
              "outcomes_at_scale_1": int(dataset_sizes(1.0).sum()) * bench.n_models},
    note=f"{len(bench.dataset_names)} datasets x {bench.n_models} models at scale {scale:g}")
_ = ledger.record(
    "bench.models", ours=", ".join(f"{m.name} ({m.provider}, {m.tier})" for m in bench.models),
    chapter="01_benchmark",
    measured={"n_models": bench.n_models,
              "n_models_as_article": sum(m.name in art_models and art_models[m.name]["provider"] == m.provider
                                         and art_models[m.name]["tier"] == m.tier for m in bench.models)})
_ = ledger.record(
    "bench.datasets", ours=", ".join(ours_names), chapter="01_benchmark",
    measured={"n_named_present": sum(any(d.startswith(n) for d in bench.dataset_names) for n in named),
              "n_named": len(named)},
    note=f"{len(ours_names)} of the {len(named)} named datasets present")
