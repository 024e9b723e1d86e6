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
# # How many models does a router need?
#
# The article motivates multi-model routing against two-model routers (RouteLLM routes between one
# strong and one weak model) and reports an ablation: with only two models, the cheapest
# (Llama-3-8B) and the most accurate (GPT-4o), RS is "about 8 points lower" than with all six, and
# adding the middle tier (the Mixtral models) "adds a lot of flexibility". This chapter measures
# both statements, then goes further: every subset of at least two of the six models, for MF and
# for the oracle, and which models matter most.
#
# ```{admonition} Simulated data, then real outcomes
# :class: warning
# Every number up to the section "On real outcomes" comes from **RouterBench-Sim**, the simulated
# benchmark of chapter 01, not from the article's data. Which model is worth adding depends on the
# simulator's calibrated accuracies and on the price table: read the rankings as statements about
# that setting. The last section repeats the count ablation on real per-query outcomes
# (RouterBench's own 11 models, real cost; MMLU-Pro's 29 models, estimated cost) and says where the
# simulator's answer differs.
# ```

# %% tags=["parameters"]
scale = 1.0          # size of the simulated benchmark: 1.0 is the full 67500 queries x 6 models
seed = 0             # seed of the simulated benchmark (as in chapter 03)
n_seeds = 5          # train/test splits for the article's ablation (seeds 0 .. n_seeds - 1)
cache_dir = None     # evaluation cache shared with chapter 03 (None: $ROUTERLAB_CACHE_DIR if set)
sweep_seeds = 3      # splits used for the sweep over all subsets (one MF fit each; at most n_seeds)
data_dir = None      # folder holding the real-data sources (None: $ROUTERLAB_DATA_DIR or ../shared/data)
n_random = 2000      # random subsets per size drawn for MMLU-Pro's 29 models (seeded by the split's seed)

# %% tags=["remove-input"]
import time

import matplotlib.pyplot as plt
from myst_nb import glue

from routerlab.book import style
from routerlab.book.glue import glue_dict as glue_all  # a (value, format) pair: formatted text
from routerlab.book.glue import glue_figure, glue_formatted, glue_value
from routerlab.chapters import model_count as ch
from routerlab.data.simulate import simulate
from routerlab.reproduction import findings as simcheck
from routerlab.reproduction import ledger

t_start = time.perf_counter()
CHAPTER = "05_model_count"
style.use()




# %% [markdown]
# ## The setting and the yardstick
#
# The models and their roles, cheapest first by list price, are in {numref}`tbl-05-models`. Its
# last column is the short name that labels model subsets in this chapter ("L8B+G4o" is
# Llama-3-8B-Instruct with GPT-4o).
#
# ```{glue:figure} tbl_05_models
# :name: "tbl-05-models"
# :figclass: table
# :alt: "Table of the six simulated models with provider, tier, input and output price per million tokens, accuracy and short name."
# The six models of {term}`RouterBench-Sim` (simulated): list prices in dollars per million input
# and output tokens, accuracy over all queries, and the short name used in subset labels.
# ```

# %% tags=["remove-input"]
bench = simulate(scale=scale, seed=seed)
roles = ch.model_roles(bench)   # the models, cheapest first, and the subsets of the article's ablation
glue("tbl_05_models", ch.models_table(bench), display=False)

# %% [markdown]
# **One yardstick for every subset.** {term}`RS` normalises cost by a minimum and a maximum. If each subset
# were scored on its own cost range, dropping GPT-4o would shrink the range and make every other
# model look dearer: RS values of different subsets would not be comparable. Here RS is always
# normalised on the cost range of the test rows **with all six models** (the range chapter 03 uses),
# so a subset's RS is the score of the same policy on the same scale. For the article's two-model
# setting this changes nothing: the cheapest and the dearest model are both in it.
#
# **Retrained, and restricted.** The honest way to measure a router ({term}`MF` here) with fewer models is to retrain
# it on those models only; that is what we do, over all {glue:text}`n_seeds:d` splits, for the
# subsets the verdicts rest on (the two models; the two plus the Mixtral pair; the six-model MF is
# chapter 03's). Retraining for the sweep over every subset
# ({glue:text}`n_subsets:d` of at least two models, plus the six single models) would take
# {glue:text}`n_subsets:d` MF fits per split, about {glue:text}`retrain_estimate:.0f` s at the fit
# times measured below, more than this chapter's time budget. For the sweep, MF is trained once on
# all six models per split and its decision rule
# (argmax of predicted success x (1 - normalised expected cost)) is **restricted** to the subset's
# models, on {glue:text}`sweep_seeds:d` split(s). The two methods are compared on the subsets where
# both were run.

# %% tags=["remove-input"]
sweep_seeds = min(sweep_seeds, n_seeds)
glue_all(ch.setting_values(roles, n_seeds, sweep_seeds))

# %% tags=["remove-input"]
# The criteria of the two checks, fixed before any result below is computed (claims.yaml, criteria.yaml).
rules = ch.ablation_rules()
glue_all(rules)

# %% [markdown]
# ## The article's ablation: criteria first
#
# Written before any number below was computed; each criterion is named by its claim's id in the
# [ledger](90_ledger.ipynb), the book's list of the article's claims with their verdicts:
#
# * **`ablation.two_models`** ("with only 2 models RS is about 8 points lower than with 6"). Let
#   d = RS(MF, six models) - RS(MF retrained on Llama-3-8B + GPT-4o), per split. "8 points" is
#   ambiguous, so both readings are tested with the same tolerance of {glue:text}`tol:.2f`: the
#   **absolute** reading is met if mean d is within the tolerance of {glue:text}`article_d:.2f` or
#   {glue:text}`article_d:.2f` lies in d's {glue:text}`ci_level:.0%` {term}`seed interval`; the **relative** reading likewise for
#   d / RS(MF, six models). Verdict "reproduced" if at least one reading is met (the ledger notes
#   which).
# * **`ablation.middle_tier`** ("adding the Mixtral models greatly increases routing flexibility").
#   Let m = RS(MF on Llama-3-8B + Mixtral-8x7B + Mixtral-8x22B + GPT-4o) - RS(MF on Llama-3-8B +
#   GPT-4o). "Reproduced" if m's {glue:text}`ci_level:.0%` seed interval lies above 0 **and** m is at least
#   {glue:text}`half:.1f` times d (the Mixtral pair brings at least half of what all four middle
#   models bring). As a reference,
#   the same gain from the *other* middle pair (Llama-3-70B + GPT-3.5-turbo) is reported beside it.

# %% [markdown]
# `rl.evaluation.protocol.book_evaluation` gives chapter 03's six-model MF; `an.router_subset_scores`
# retrains MF on each subset and `an.oracle_subset_scores` scores the {term}`oracle` restricted to
# it, per split. {numref}`tbl-05-ablation` collects the measures.
#
# ```{glue:figure} tbl_05_ablation
# :name: "tbl-05-ablation"
# :figclass: table
# :alt: "Table of the ablation measures d, d relative, m and the oracle's differences, each with its mean and 95% seed interval."
# The article's ablation on RouterBench-Sim (simulated): mean over {glue:text}`n_seeds:d` splits
# and {glue:text}`ci_level:.0%` seed interval. "Two" is Llama-3-8B + GPT-4o, "six" all models.
# ```

# %% tags=["hide-input"]
# chapter 03's evaluation (one shared function, so one cache entry: a hit when 03 ran first), and MF
# retrained on the subsets the verdicts rest on, on every split
abl = ch.ablation(bench, roles, n_seeds, cache_dir)
glue("tbl_05_ablation", ch.ablation_table(abl["iv"]), display=False)

# %% tags=["remove-input"]
glue_all(ch.ablation_values(abl, rules["half"]))

# %% [markdown]
# **Two models versus six (`ablation.two_models`).** MF retrained on Llama-3-8B + GPT-4o scores
# RS {glue:text}`mf2:.3f` against {glue:text}`mf6:.3f` with all six models: d =
# {glue:text}`d_abs:.3f` ({glue:text}`ci_level:.0%` seed interval [{glue:text}`d_abs_lo:.3f`, {glue:text}`d_abs_hi:.3f`]),
# or {glue:text}`d_rel:.3f` of the six-model RS ([{glue:text}`d_rel_lo:.3f`,
# {glue:text}`d_rel_hi:.3f`]). Against the article's {glue:text}`article_d:.2f` with tolerance
# {glue:text}`tol:.2f`, the absolute reading is {glue:text}`abs_met` and the relative one
# {glue:text}`rel_met`: **{glue:text}`verdict_two`**. For the oracle, the same difference is
# {glue:text}`o_abs:.3f`: that is how much the four middle models are worth to a router that knows
# every answer, and MF realises {glue:text}`d_share_of_oracle:.0%` of it.
#
# **The middle tier (`ablation.middle_tier`).** Adding the two Mixtral models to the pair raises
# MF's RS by {glue:text}`m_mix:.3f` ([{glue:text}`m_mix_lo:.3f`, {glue:text}`m_mix_hi:.3f`]);
# with the criterion (interval above 0 and at least {glue:text}`half:.1f` of d), the claim is
# **{glue:text}`verdict_mid`**. The ratio m / d is {glue:text}`m_over_d:.2f`
# ([{glue:text}`m_over_d_lo:.2f`, {glue:text}`m_over_d_hi:.2f`] across splits), which
# {glue:text}`mid_fragile`. For comparison, adding the *other* two middle models (Llama-3-70B,
# GPT-3.5-turbo) instead raises MF's RS by {glue:text}`m_other:.3f` ([{glue:text}`m_other_lo:.3f`,
# {glue:text}`m_other_hi:.3f`]; from the restricted sweep below, in which the Mixtral pair adds
# {glue:text}`m_mix_sweep:.3f`), and the oracle gains {glue:text}`o_mix:.3f` from the Mixtral pair.

# %% [markdown]
# ## Every subset
#
# For each of the {glue:text}`n_subsets:d` subsets of at least two models, and the six single
# models, the RS of MF (restricted, see above: `an.restricted_subset_scores`) and of the oracle
# restricted to those models, in {numref}`fig-05-subsets`.
#
# ```{glue:figure} fig_05_subsets
# :name: "fig-05-subsets"
# :alt: "Scatter of the RS of every model subset against its number of models, for MF and the oracle, with per-size mean lines and four highlighted subsets; RS rises with the number of models, the oracle far above MF."
# RS of every subset of the six models against its size, for MF (restricted) and the oracle,
# RouterBench-Sim (simulated), mean over {glue:text}`sweep_seeds:d` split(s); lines: mean per size.
# Marked: the subsets of the ablation (short names as in {numref}`tbl-05-models`).
# ```

# %% tags=["hide-input"]
sw = ch.subset_sweep(bench, roles, sweep_seeds)
fig, ax = plt.subplots(figsize=style.figsize(5.4))
ch.plot_subsets(ax, sw, roles)
glue_figure("fig_05_subsets", fig)

# %% [markdown]
# The best subset of each size, for MF and for the oracle (mean over the sweep's splits), is in
# {numref}`tbl-05-best-by-size`.
#
# ```{glue:figure} tbl_05_best_by_size
# :name: "tbl-05-best-by-size"
# :figclass: table
# :alt: "Table of the best subset of each size from two to six models for MF and the oracle, with its RS, quality and mean cost per query."
# The best subset of each size for MF (restricted) and the oracle, RouterBench-Sim (simulated):
# RS, quality and mean cost per query in dollars.
# ```

# %% tags=["remove-input"]
glue("tbl_05_best_by_size", ch.best_by_size_table(sw), display=False)

# %% [markdown]
# **Restricted versus retrained.** On the subsets where both were run (same splits), the difference
# between MF restricted from the six-model fit and MF retrained on the subset. We take the sweep as
# a stand-in for retraining if no difference exceeds {glue:text}`agree_tol:.2f` in RS (a bound fixed
# before this comparison was computed, small beside the gaps between subsets that the sweep is
# about):

# %% tags=["hide-input"]
check = ch.restricted_vs_retrained(abl, sw, roles, n_seeds, sweep_seeds)
check["table"]

# %% tags=["remove-input"]
glue_all(ch.sweep_values(sw, check, roles))

# %% [markdown]
# Restricting the six-model MF instead of retraining changes RS by at most
# {glue:text}`cmp_max_abs:.4f` on the compared subsets ({glue:text}`agree` the bound of
# {glue:text}`agree_tol:.2f`), and the restricted full set reproduces chapter 03's MF (largest
# difference {glue:text}`full_check:.4f`). The best pair for MF is {glue:text}`mf_best2` (RS {glue:text}`mf_best2_rs:.3f`),
# the best triple {glue:text}`mf_best3` ({glue:text}`mf_best3_rs:.3f`); all six give
# {glue:text}`mf_all_rs:.3f`, and the best subset of any size is {glue:text}`mf_best_overall`
# ({glue:text}`mf_best_overall_rs:.3f`). For the oracle the best pair is {glue:text}`oracle_best2`
# ({glue:text}`oracle_best2_rs:.3f`), the best triple {glue:text}`oracle_best3`
# ({glue:text}`oracle_best3_rs:.3f`), all six {glue:text}`oracle_all_rs:.3f`.

# %% [markdown]
# ## Which models matter?
#
# Two attributions over the subsets, both computed per split and then averaged:
#
# * the **{term}`Shapley value`** of a model: its gain in RS when it is added, averaged over every order in
#   which the six models could be added (a single model's "subset value" is the RS of always using
#   it; the empty set is worth 0). The six values add up to the RS of all six models.
# * the **mean marginal gain** from adding the model to a subset of the others that already has at
#   least one model: how much a router with some models in hand gains from this one.
#
# `an.shapley_values` and `an.marginal_contributions` compute them from the subset values of the
# sweep; {numref}`fig-05-attribution` shows them and {numref}`tbl-05-attribution` gives the numbers.
#
# ```{glue:figure} fig_05_attribution
# :name: "fig-05-attribution"
# :alt: "Two grouped horizontal bar charts over the six models, for MF and the oracle: each model's Shapley value (top) and mean marginal gain in RS when added (bottom), with seed intervals."
# Which models matter, RouterBench-Sim (simulated): Shapley value of each model (top) and its mean
# marginal gain in RS when added to a non-empty subset (bottom), for MF (restricted) and the
# oracle; bars: {glue:text}`ci_level:.0%` seed intervals over {glue:text}`sweep_seeds:d` split(s).
# ```
#
# ```{glue:figure} tbl_05_attribution
# :name: "tbl-05-attribution"
# :figclass: table
# :alt: "Table of the Shapley value with its 95% seed interval and the mean marginal gain of each model, for MF and the oracle."
# Shapley value ({glue:text}`ci_level:.0%` seed interval) and mean marginal gain of each model,
# for MF and the oracle (RouterBench-Sim, simulated).
# ```

# %% tags=["hide-input"]
attr = ch.attribution(sw, roles, sweep_seeds)
fig, axes = plt.subplots(2, 1, figsize=style.figsize(7.0), sharey=True)
ch.plot_attribution(axes, attr, roles)
glue_figure("fig_05_attribution", fig)
glue("tbl_05_attribution", ch.attribution_table(attr), display=False)

# %% tags=["remove-input"]
glue_all(ch.attribution_values(attr, roles))

# %% [markdown]
# For MF, the model with the largest Shapley value is {glue:text}`mf_top_shapley`
# ({glue:text}`mf_top_shapley_v:.3f`) and the smallest {glue:text}`mf_low_shapley`
# ({glue:text}`mf_low_shapley_v:.3f`); the largest mean marginal gain comes from
# {glue:text}`mf_top_marginal` ({glue:text}`mf_top_marginal_v:.3f`). The two Mixtral models'
# marginal gains add up to {glue:text}`mf_mixtral_marginal:.3f`, the other two middle models' to
# {glue:text}`mf_othermid_marginal:.3f`. For the oracle: {glue:text}`oracle_top_shapley`
# ({glue:text}`oracle_top_shapley_v:.3f`) first, {glue:text}`oracle_low_shapley`
# ({glue:text}`oracle_low_shapley_v:.3f`) last, Mixtral pair {glue:text}`oracle_mixtral_marginal:.3f`,
# other middle pair {glue:text}`oracle_othermid_marginal:.3f`.

# %% [markdown]
# ## On real outcomes
#
# Does the simulator's answer to "how many models does a router need?" hold on real per-query
# outcomes? We repeat the count ablation for the **oracle** (the best achievable RS of a subset:
# OUB restricted to its models, on the yardstick above, i.e. cost normalised on the test rows with
# all of that benchmark's models), on the same protocol as the simulated curve: 80/20 stratified
# split of the pooled, de-duplicated rows, seeds 0 to {glue:text}`n_seeds_m1:d`, 95% t-intervals
# over the seeds.
#
# ```{admonition} Which real sources this page found
# :class: note
# * {glue:text}`rb_status`
# * {glue:text}`mp_status`
#
# A source marked "not found" shows "n/a" below and a "data not found" panel in the figure; the
# simulated results do not depend on it.
# ```
#
# * **{term}`RouterBench` subset** (real cost): RouterBench's own 11 models on ARC-Challenge, MBPP and
#   Winogrande. 2^11 - 1 = 2,047 subsets: every one is evaluated on every split, by bit masks
#   (the value of a subset is the value of a smaller one maxed with one more model's column).
# * **{term}`MMLU-Pro`** ({term}`estimated cost`, from list prices and token counts): 29 models, 2^29 - 1 (about
#   537 million) subsets, too many to enumerate. Per size k, when there are at most
#   {glue:text}`exact_limit:,d` subsets of that size (sizes {glue:text}`mp_exact_sizes`) all are
#   evaluated (**exact**); otherwise the best of greedy forward selection improved by one-swap local search
#   and {glue:text}`n_random:,d` random subsets per size (seeded by the split's seed) is a **lower
#   bound**. Because the oracle's value is a monotone submodular (facility-location) function, a
#   proven **upper bound** comes with it. The number of models needed for 99% is then settled
#   exactly: the size just below the smallest size found to reach 99% is bounded by a linear
#   programme or solved exactly as a mixed-integer programme (weighted max coverage, HiGHS).
#
# The simulated curve is RouterBench-Sim's six models, with every subset evaluated, on the same
# {glue:text}`n_seeds:d` splits as the ablation above. `ss.oracle_size_curves` (module
# `routerlab.evaluation.subset_search`) computes all three curves, shown in {numref}`fig-05-real-curves`.
#
# ```{glue:figure} fig_05_real_curves
# :name: "fig-05-real-curves"
# :alt: "Three line charts, simulator, RouterBench subset and MMLU-Pro, of the best achievable oracle RS against the number of models, with 95% bands and a dashed line at 99% of the RS of all models."
# Best achievable RS (the oracle restricted to the best subset) against the number of models, with
# {glue:text}`ci_level:.0%` intervals over {glue:text}`n_seeds:d` splits; dashed: 99% of the RS of all
# models. For MMLU-Pro, hollow points are lower bounds from the search and the dotted line the
# proven upper bound.
# ```

# %% tags=["hide-input"]
t_real = time.perf_counter()
benches = {"sim": bench, **ch.real_benchmarks(scale, data_dir)}
curves = ch.size_curves(benches, n_seeds, n_random)
count_seconds = time.perf_counter() - t_real
fig, axes = plt.subplots(3, 1, figsize=style.figsize(8.8))
ch.plot_size_curves(axes, curves)
glue_figure("fig_05_real_curves", fig)

# %% [markdown]
# The best subset of each size (mean RS over the splits, 95% interval; the subset shown is the one
# found most often across the splits) is in the tables behind the toggle (11 and 29 rows; short
# names of RouterBench-Sim's models as in {numref}`tbl-05-models`, the real sources' models by
# their own names). For MMLU-Pro, "lower bound" sizes come from the search and the proven upper
# bound is given beside them.

# %% tags=["remove-input", "hide-output"]
for name in ch.REAL:
    if name in curves["curves"]:
        display(ch.size_table(curves, name))

# %% tags=["remove-input"]
glue_all(ch.curve_values(curves, benches, n_seeds, n_random))
for finding_id in ("count.best_pair_share", "count.models_for_99"):
    simcheck.record(finding_id, **ch.finding_measurements(curves, finding_id, n_seeds))

# %% [markdown]
# **The best pair (`count.best_pair_share`).** On the simulator the best two models reach
# {glue:text}`sim_pair_share` of the oracle RS of all six ([{glue:text}`sim_pair_share_lo`,
# {glue:text}`sim_pair_share_hi`]). On RouterBench's real outcomes the best pair reaches
# {glue:text}`rb_pair_share` of all {glue:text}`rb_m` models ([{glue:text}`rb_pair_share_lo`,
# {glue:text}`rb_pair_share_hi`]): {glue:text}`rb_pair_vs_sim`. On MMLU-Pro (estimated cost) it
# reaches {glue:text}`mp_pair_share` of all {glue:text}`mp_m` ([{glue:text}`mp_pair_share_lo`,
# {glue:text}`mp_pair_share_hi`]): {glue:text}`mp_pair_vs_sim`. The best pair there is
# {glue:text}`mp_best2_models`; on RouterBench {glue:text}`rb_best2_models`.
#
# **How many models for 99% (`count.models_for_99`).** On the simulator the oracle needs
# {glue:text}`sim_k99` of its {glue:text}`sim_m` models on average to reach 99% of the full set's
# RS, a share of {glue:text}`sim_models_share` ([{glue:text}`sim_models_share_lo`,
# {glue:text}`sim_models_share_hi`]). On RouterBench it needs {glue:text}`rb_k99` of
# {glue:text}`rb_m` (between {glue:text}`rb_k99_min` and {glue:text}`rb_k99_max` across the splits),
# a share of {glue:text}`rb_models_share` ([{glue:text}`rb_models_share_lo`,
# {glue:text}`rb_models_share_hi`]): {glue:text}`rb_need_vs_sim`. On MMLU-Pro it needs
# {glue:text}`mp_k99` of {glue:text}`mp_m` ({glue:text}`mp_k99_min` to {glue:text}`mp_k99_max`), a
# share of {glue:text}`mp_models_share` ([{glue:text}`mp_models_share_lo`,
# {glue:text}`mp_models_share_hi`]): {glue:text}`mp_need_vs_sim`. That count is
# {glue:text}`mp_k99_exact`. The MMLU-Pro curve is a lower bound only at sizes
# {glue:text}`mp_search_sizes`, where it lies at most {glue:text}`mp_max_gap` below the proven upper
# bound (averaged over the splits).
#
# **What differs.** {glue:text}`count_differs_text`

# %% [markdown]
# ### The article's ablation on RouterBench's real outcomes
#
# The two ledger claims can be checked on the RouterBench subset by analogy: MF retrained on the
# **cheapest** model (lowest mean cost per query) and the **most accurate** one, against MF on all
# {glue:text}`rb_m` models (chapter 03's evaluation of this source), and the gain from adding the
# one Mixtral model this source has (Mixtral-8x7B) to the pair. The criteria are the ones fixed
# above for the simulator, applied unchanged. MMLU-Pro is not used here: its 29 models have no
# single "middle tier" matching the article's.

# %% tags=["hide-input"]
t_abl = time.perf_counter()
real_abl = ch.real_ablation(benches["routerbench-subset"], n_seeds, cache_dir)
abl_seconds = time.perf_counter() - t_abl
if real_abl:
    display(ch.real_ablation_table(real_abl))
else:
    print("RouterBench subset: data folder not found; the ablation cannot be checked on it here.")

# %% tags=["remove-input"]
glue_all(ch.real_ablation_values(real_abl, rules["half"]))
rb_two, rb_mid = ch.real_entries(real_abl)
two_entry = ledger.record("ablation.two_models", chapter=CHAPTER, real={"routerbench-subset": rb_two},
                          **ch.two_models_entry(abl))
mid_entry = ledger.record("ablation.middle_tier", chapter=CHAPTER, real={"routerbench-subset": rb_mid},
                          **ch.middle_tier_entry(abl, sw, roles, sweep_seeds))
glue_all({"rb_two_verdict": two_entry["real"]["routerbench-subset"]["verdict"],
          "rb_mid_verdict": mid_entry["real"]["routerbench-subset"]["verdict"],
          "count_seconds": count_seconds, "abl_seconds": abl_seconds,
          "real_seconds": time.perf_counter() - t_real, "chapter_seconds": time.perf_counter() - t_start})

# %% [markdown]
# On RouterBench, MF retrained on {glue:text}`rb_pair` scores RS {glue:text}`rb_mf2`
# against {glue:text}`rb_mf_all` with all {glue:text}`rb_m` models: d = {glue:text}`rb_d_abs`
# ([{glue:text}`rb_d_abs_lo`, {glue:text}`rb_d_abs_hi`]), or {glue:text}`rb_d_rel` of the
# all-model RS. By the criterion of `ablation.two_models` (on real data its shape alone: a number
# of the article's setting is judged on the simulator only, see the [ledger](90_ledger.ipynb))
# this is **{glue:text}`rb_two_verdict`**
# (simulated: {glue:text}`verdict_two`). Adding the Mixtral model to the pair changes MF's RS by
# {glue:text}`rb_m_mix` ([{glue:text}`rb_m_mix_lo`, {glue:text}`rb_m_mix_hi`]):
# `ablation.middle_tier` on real outcomes is **{glue:text}`rb_mid_verdict`** (simulated:
# {glue:text}`verdict_mid`); the ratio m / d is {glue:text}`rb_m_over_d` across splits
# ([{glue:text}`rb_m_over_d_lo`, {glue:text}`rb_m_over_d_hi`]), which {glue:text}`rb_mid_fragile`. The real-data part of this chapter took {glue:text}`real_seconds:.1f` s
# ({glue:text}`count_seconds:.1f` s for the subset curves, {glue:text}`abl_seconds:.1f` s for the
# ablation).
#
# ## Summary
#
# | claim | the article says | our measure (simulated data) | verdict |
# |---|---|---|---|
# | `ablation.two_models` | RS "about 8 points" ({glue:text}`article_d:.2f`) lower with the cheapest and the most accurate model alone than with all six | d = {glue:text}`d_abs:.3f` [{glue:text}`d_abs_lo:.3f`, {glue:text}`d_abs_hi:.3f`], relative {glue:text}`d_rel:.3f` | {glue:text}`verdict_two` |
# | `ablation.middle_tier` | adding the Mixtral models adds a lot of flexibility | m = {glue:text}`m_mix:.3f` [{glue:text}`m_mix_lo:.3f`, {glue:text}`m_mix_hi:.3f`] | {glue:text}`verdict_mid` |
#
# On real outcomes (RouterBench subset, real cost; by analogy, see above): d =
# {glue:text}`rb_d_abs` ({glue:text}`rb_two_verdict`), m = {glue:text}`rb_m_mix`
# ({glue:text}`rb_mid_verdict`). The best pair reaches {glue:text}`sim_pair_share` of the oracle RS
# on the simulator, {glue:text}`rb_pair_share` on RouterBench and {glue:text}`mp_pair_share` on
# MMLU-Pro (estimated cost); the share of models needed for 99% is {glue:text}`sim_models_share`,
# {glue:text}`rb_models_share` and {glue:text}`mp_models_share`.
#
# This chapter executed in {glue:text}`chapter_seconds:.1f` s: {glue:text}`eval_seconds:.1f` s to obtain
# chapter 03's evaluation ({glue:text}`from_cache`), {glue:text}`retrain_seconds:.1f` s for
# the retrained ablation ({glue:text}`n_seeds:d` splits) and {glue:text}`sweep_seconds:.1f` s for
# the sweep ({glue:text}`sweep_seeds:d` split(s)).
