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
import itertools
import math
import time

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from myst_nb import glue

import routerlab as rl
from routerlab.book.glue import glue_figure, glue_value
from routerlab.evaluation import analysis as an
from routerlab.reproduction import criteria
from routerlab.reproduction import ledger
from routerlab.book import plots
from routerlab.reproduction import findings as simcheck
from routerlab.data import sources
from routerlab.book import style
from routerlab.evaluation import subset_search as ss
from routerlab.data.catalog import MODEL_NAMES
from routerlab.book.glue import glue_formatted as gf
from routerlab.evaluation.protocol import evaluate, stratified_split
from routerlab.data.simulate import simulate

t_start = time.perf_counter()
CHAPTER = "05_model_count"


g = glue_value  # glue a plain Python number or string for the text


def article(claim_id):
    """The article's value for a claim (from the project's copy of claims.yaml)."""
    return float(ledger.claim(claim_id)["value"])


style.use()
glue_fig = glue_figure  # glue a figure for a {glue:figure} in the text, and close it

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
MODELS = list(bench.model_names)
CHEAP, STRONG = MODELS[0], MODELS[-1]
MIXTRAL = [m for m in MODELS if m.startswith("Mixtral")]
OTHER_MID = [m for m in MODELS if m not in (CHEAP, STRONG, *MIXTRAL)]
TWO = (CHEAP, STRONG)
WITH_MIXTRAL = tuple(m for m in MODELS if m in (CHEAP, STRONG, *MIXTRAL))
WITH_OTHER_MID = tuple(m for m in MODELS if m in (CHEAP, STRONG, *OTHER_MID))
ALL = tuple(MODELS)
glue("tbl_05_models", style.table(pd.DataFrame(
    {"provider": [m.provider for m in bench.models], "tier": [m.tier for m in bench.models],
     "$/1M in": bench.price_in, "$/1M out": bench.price_out,
     "accuracy": bench.accuracy(), "short name": [an.short_name(m) for m in MODELS]},
    index=pd.Index(MODELS, name="model")), formats={"$/1M in": "${:.2f}", "$/1M out": "${:.2f}"}), display=False)

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
g("n_seeds", n_seeds)
sweep_seeds = min(sweep_seeds, n_seeds)
g("sweep_seeds", sweep_seeds)
g("n_subsets", len(an.model_subsets(MODELS)))
g("two_label", an.subset_label(TWO))
g("mix_label", an.subset_label(WITH_MIXTRAL))
g("other_label", an.subset_label(WITH_OTHER_MID))

# %% tags=["remove-input"]
# The criteria of the two checks, fixed before any result below is computed.
TOL = 0.02           # tolerance on either reading of "about 8 points"
ARTICLE_D = article("ablation.two_models")
HALF = 0.5           # "greatly": the Mixtral pair brings at least this share of what four middle models bring
AGREE_TOL = 0.01     # restricted MF may stand in for retrained MF if they differ by at most this RS
g("article_d", ARTICLE_D)
g("tol", TOL)
g("half", HALF)
g("ci_level", 0.95)   # every interval in this chapter is a 95% interval

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
# chapter 03's evaluation (one shared function, so one cache entry: a hit when 03 ran first)
t_eval = time.perf_counter()
result = rl.evaluation.protocol.book_evaluation(bench, n_seeds=n_seeds, cache_dir=cache_dir)
eval_seconds = time.perf_counter() - t_eval
ps = result.per_seed
mf6 = ps[ps["policy"] == "mf"].set_index("seed")["rs"]
oub6 = ps[ps["policy"] == "oub"].set_index("seed")["rs"]

t_re = time.perf_counter()
claim_subsets = [TWO, WITH_MIXTRAL]   # the subsets the verdicts rest on, retrained on every split
retrained = []
for s in range(n_seeds):
    tr, te = stratified_split(bench, seed=s)
    train, test = bench.rows(tr), bench.rows(te)
    t = an.router_subset_scores(train, test, claim_subsets, router="mf", seed=s)
    t["policy"], t["seed"] = "MF (retrained)", s
    o = an.oracle_subset_scores(test, claim_subsets + [ALL])   # six-model MF: chapter 03's evaluation
    o["policy"], o["seed"] = "oracle", s
    retrained += [t, o]
retrained = pd.concat(retrained, ignore_index=True)
retrain_seconds = time.perf_counter() - t_re

rs_by = retrained.pivot_table(index="seed", columns=["policy", "subset"], values="rs")
mf_rs = rs_by["MF (retrained)"].assign(**{an.subset_label(ALL): mf6})
or_rs = rs_by["oracle"]
L2, LM, LO, L6 = (an.subset_label(x) for x in (TWO, WITH_MIXTRAL, WITH_OTHER_MID, ALL))  # LO: sweep only
d_abs = mf_rs[L6] - mf_rs[L2]
d_rel = d_abs / mf_rs[L6]
m_mix = mf_rs[LM] - mf_rs[L2]
o_abs = or_rs[L6] - or_rs[L2]
o_mix = or_rs[LM] - or_rs[L2]
iv = {k: an.seed_interval(v) for k, v in dict(d_abs=d_abs, d_rel=d_rel, m_mix=m_mix, o_abs=o_abs, o_mix=o_mix,
                                               mf2=mf_rs[L2], mf6=mf_rs[L6], m_over_d=m_mix / d_abs).items()}


def ablation_measures(a):
    """What the two ablation claims' pre-registered criteria read (criteria.yaml), from
    {name: (mean, lo, hi)}; the verdicts come from criteria.judge, never from this notebook."""
    out = {}
    for k in ("d_abs", "d_rel", "m_mix"):
        out[k], out[f"{k}_lo"], out[f"{k}_hi"] = (float(x) for x in a[k])
    return out


def reading_met(meas, reading):
    """Whether a clause of the criterion of `ablation.two_models` for one reading ("absolute" or
    "relative") holds: the text says which readings are met."""
    rules = criteria.criterion("ablation.two_models")["reproduced_if_any"]
    names = dict(meas, article=ARTICLE_D)
    return any(criteria.evaluate_expression(e, names) for c, e in rules.items() if c.startswith(reading))


meas_abl = ablation_measures(iv)
abs_met, rel_met = reading_met(meas_abl, "absolute"), reading_met(meas_abl, "relative")
verdict_two = criteria.judge("ablation.two_models", meas_abl)[0]
verdict_mid = criteria.judge("ablation.middle_tier", meas_abl)[0]

summary = pd.DataFrame(
    {"mean": [v[0] for v in iv.values()], "lo": [v[1] for v in iv.values()], "hi": [v[2] for v in iv.values()]},
    index=["d: MF six - MF two (absolute)", "d / RS(MF six) (relative)", "m: MF +Mixtral pair - MF two",
           "oracle six - oracle two", "oracle +Mixtral pair - oracle two", "RS MF two models", "RS MF six models",
           "m / d (per split)"])
glue("tbl_05_ablation", style.table(pd.DataFrame(
    {"mean [95% CI]": [style.interval_text(*v) for v in iv.values()]},
    index=pd.Index(summary.index, name="measure"))), display=False)

# %% tags=["remove-input"]
for k, (mean, lo, hi) in iv.items():
    g(f"{k}", mean)
    g(f"{k}_lo", lo)
    g(f"{k}_hi", hi)
g("abs_met", "met" if abs_met else "not met")
g("rel_met", "met" if rel_met else "not met")
g("verdict_two", verdict_two)
g("verdict_mid", verdict_mid)
g("d_share_of_oracle", iv["d_abs"][0] / iv["o_abs"][0] if iv["o_abs"][0] else float("nan"))
fragile = np.isfinite(iv["m_over_d"][1]) and iv["m_over_d"][1] <= HALF <= iv["m_over_d"][2]
g("mid_fragile", "straddles the threshold, so this verdict could go either way on other splits"
  if fragile else "lies on one side of the threshold")
g("retrain_seconds", retrain_seconds)
g("eval_seconds", eval_seconds)
g("from_cache", "read from the cache" if result.from_cache else "computed (cache miss)")
fit_per_subset = retrained.loc[retrained["policy"] == "MF (retrained)"].groupby("size")["fit_seconds"].mean()
fit_per_subset.loc[len(MODELS)] = ps.loc[ps["policy"] == "mf", "fit_seconds"].mean()   # chapter 03's six-model fits
fit_per_subset = fit_per_subset.sort_index()
sizes = pd.Series([len(x) for x in an.model_subsets(MODELS)])
# estimate for retraining every subset on every split: interpolate the measured fit time by subset size
est = np.interp(sizes, fit_per_subset.index.to_numpy(dtype=float), fit_per_subset.to_numpy())
g("retrain_estimate", float(est.sum() * n_seeds))
which = [name for name, ok in (("absolute", abs_met), ("relative", rel_met)) if ok]
# recorded at the end of the chapter, with the same check on real outcomes beside it
ledger_two = dict(claim_id="ablation.two_models", ours=iv["d_abs"][0], lo=iv["d_abs"][1], hi=iv["d_abs"][2],
              measured=meas_abl, chapter=CHAPTER,
              note=f"ours = absolute d; relative d = {iv['d_rel'][0]:.3f} [{iv['d_rel'][1]:.3f}, {iv['d_rel'][2]:.3f}]; "
                   f"readings met: {', '.join(which) if which else 'none'}; oracle d = {iv['o_abs'][0]:.3f}")

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
t_sw = time.perf_counter()
subsets = an.model_subsets(MODELS, min_size=1)
sweep = []
for s in range(sweep_seeds):
    tr, te = stratified_split(bench, seed=s)
    train, test = bench.rows(tr), bench.rows(te)
    router = rl.make_router("mf", seed=s).fit(train)
    t = an.restricted_subset_scores(router, test, subsets)
    t["policy"], t["seed"] = "MF", s
    o = an.oracle_subset_scores(test, subsets)
    o["policy"], o["seed"] = "oracle", s
    sweep += [t, o]
sweep = pd.concat(sweep, ignore_index=True)
sweep_seconds = time.perf_counter() - t_sw
sweep_mean = sweep.groupby(["policy", "subset"], sort=False).agg(
    size=("size", "first"), models=("models", "first"), rs=("rs", "mean"),
    quality=("quality", "mean"), cost=("cost", "mean")).reset_index()
multi = {p: sweep_mean[(sweep_mean["policy"] == p) & (sweep_mean["size"] >= 2)] for p in ("MF", "oracle")}

fig, ax = plt.subplots(figsize=style.figsize(5.4))
plots.plot_subset_sizes(ax, multi, highlight=[L2, LM, LO, L6])
ax.get_legend().remove()   # below the axes instead, where it covers no point
fig.legend(*ax.get_legend_handles_labels(), loc="outside lower center", ncol=3, fontsize=9)
glue_fig("fig_05_subsets", fig)

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
best_by_size = (sweep_mean[sweep_mean["size"] >= 2].sort_values("rs", ascending=False)
                .groupby(["policy", "size"], sort=False).head(1).sort_values(["policy", "size"])
                .set_index(["policy", "size"])[["subset", "rs", "quality", "cost"]])
glue("tbl_05_best_by_size", style.table(best_by_size.rename(columns={"rs": "RS", "cost": "mean cost $"}),
                                       formats={"mean cost $": "{:.2e}"}), display=False)

# %% [markdown]
# **Restricted versus retrained.** On the subsets where both were run (same splits), the difference
# between MF restricted from the six-model fit and MF retrained on the subset. We take the sweep as
# a stand-in for retraining if no difference exceeds {glue:text}`agree_tol:.2f` in RS (a bound fixed
# before this comparison was computed, small beside the gaps between subsets that the sweep is
# about):

# %% tags=["hide-input"]
common = [s for s in range(sweep_seeds) if s < n_seeds]
re_mf = retrained[(retrained["policy"] == "MF (retrained)") & retrained["seed"].isin(common)]
rs_mf = sweep[(sweep["policy"] == "MF") & sweep["seed"].isin(common)]
cmp = re_mf.merge(rs_mf, on=["subset", "seed"], suffixes=(" retrained", " restricted"))
cmp["difference"] = cmp["rs restricted"] - cmp["rs retrained"]
full_check = rs_mf[rs_mf["subset"] == L6].set_index("seed")["rs"] - mf6.loc[common]
cmp_table = cmp.groupby("subset", sort=False)[["rs retrained", "rs restricted", "difference"]].mean()
style.table(cmp_table.rename(columns={"rs retrained": "RS retrained", "rs restricted": "RS restricted",
                                     "difference": "restricted minus retrained"}), digits=4)

# %% tags=["remove-input"]
g("sweep_seconds", sweep_seconds)
sw = sweep[sweep["policy"] == "MF"].pivot(index="seed", columns="subset", values="rs")
m_other_iv = an.seed_interval(sw[LO] - sw[L2])
m_mix_sweep_iv = an.seed_interval(sw[LM] - sw[L2])
g("m_other", m_other_iv[0])
g("m_other_lo", m_other_iv[1])
g("m_other_hi", m_other_iv[2])
g("m_mix_sweep", m_mix_sweep_iv[0])
ledger_mid = dict(claim_id="ablation.middle_tier", ours=iv["m_mix"][0], lo=iv["m_mix"][1], hi=iv["m_mix"][2],
              measured=meas_abl, chapter=CHAPTER,
              note=f"d = {iv['d_abs'][0]:.3f}; adding Llama-3-70B + GPT-3.5-turbo instead gives "
                   f"{m_other_iv[0]:.3f} [{m_other_iv[1]:.3f}, {m_other_iv[2]:.3f}] (restricted sweep, "
                   f"{sweep_seeds} splits; the Mixtral pair there: {m_mix_sweep_iv[0]:.3f})")

g("cmp_max_abs", float(cmp["difference"].abs().max()) if len(cmp) else float("nan"))
g("full_check", float(full_check.abs().max()) if len(full_check) else float("nan"))
g("agree_tol", AGREE_TOL)
g("agree", "within" if len(cmp) and cmp["difference"].abs().max() <= AGREE_TOL else "not within")
for p in ("MF", "oracle"):
    t = multi[p]
    by_size = t.groupby("size")["rs"]
    k = p.lower()
    g(f"{k}_size2_mean", by_size.mean().loc[2])
    g(f"{k}_size5_mean", by_size.mean().loc[len(MODELS) - 1])
    g(f"{k}_best2", best_by_size.loc[(p, 2), "subset"])
    g(f"{k}_best2_rs", best_by_size.loc[(p, 2), "rs"])
    g(f"{k}_best3", best_by_size.loc[(p, 3), "subset"])
    g(f"{k}_best3_rs", best_by_size.loc[(p, 3), "rs"])
    g(f"{k}_all_rs", t.loc[t["subset"] == L6, "rs"].iloc[0])
    g(f"{k}_best_overall", t.loc[t["rs"].idxmax(), "subset"])
    g(f"{k}_best_overall_rs", t["rs"].max())

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
attr = []
for p in ("MF", "oracle"):
    for s in range(sweep_seeds):
        t = sweep[(sweep["policy"] == p) & (sweep["seed"] == s)]
        values = dict(zip(t["models"], t["rs"]))
        sh = an.shapley_values(values, MODELS)
        mc = an.marginal_contributions(values, MODELS)
        mc = mc[mc["size"] == "mean"].set_index("model")["gain"]
        attr.append(pd.DataFrame({"policy": p, "seed": s, "model": MODELS,
                                  "shapley": sh.loc[MODELS].to_numpy(), "marginal": mc.loc[MODELS].to_numpy()}))
attr = pd.concat(attr, ignore_index=True)
attr_s = an.seed_summary(attr, ["policy", "model"], ["shapley", "marginal"])
wide = lambda col: attr_s.pivot(index="model", columns="policy", values=col).loc[MODELS]  # noqa: E731
fig, axes = plt.subplots(2, 1, figsize=style.figsize(7.0), sharey=True)
plots.plot_contributions(axes[0], wide("shapley"), wide("shapley_lo"), wide("shapley_hi"))
axes[0].set_title("Shapley value of each model")
plots.plot_contributions(axes[1], wide("marginal"), wide("marginal_lo"), wide("marginal_hi"),
                         xlabel="mean gain in RS when added")
axes[1].set_title("Mean marginal gain (added to a non-empty subset)")
for ax in axes:
    ax.get_legend().remove()   # one legend below the panels, where it covers no bar
fig.legend(*axes[0].get_legend_handles_labels(), loc="outside lower center", ncol=2)
glue_fig("fig_05_attribution", fig)
glue("tbl_05_attribution", style.table(pd.DataFrame({
    "policy": attr_s["policy"], "model": attr_s["model"],
    "Shapley value [95% CI]": [style.interval_text(v, lo, hi) for v, lo, hi in
                               zip(attr_s["shapley"], attr_s["shapley_lo"], attr_s["shapley_hi"])],
    "mean marginal gain": attr_s["marginal"]}).set_index(["policy", "model"])), display=False)

# %% tags=["remove-input"]
for p in ("MF", "oracle"):
    t = attr_s[attr_s["policy"] == p].set_index("model")
    k = p.lower()
    g(f"{k}_top_shapley", t["shapley"].idxmax())
    g(f"{k}_top_shapley_v", t["shapley"].max())
    g(f"{k}_low_shapley", t["shapley"].idxmin())
    g(f"{k}_low_shapley_v", t["shapley"].min())
    g(f"{k}_top_marginal", t["marginal"].idxmax())
    g(f"{k}_top_marginal_v", t["marginal"].max())
    g(f"{k}_mixtral_marginal", float(t.loc[MIXTRAL, "marginal"].sum()))
    g(f"{k}_othermid_marginal", float(t.loc[OTHER_MID, "marginal"].sum()))

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
REAL = ("routerbench-subset", "mmlu-pro")
real_bench = {name: sources.load_for_book(name, scale=scale, seed=0, data_dir=data_dir, min_per_dataset=300)
              for name in REAL}
EXACT_LIMIT = 5000
SHARE = 0.99
curves, per_seed = {}, {}
for name, b in {"sim": bench, **real_bench}.items():
    if b is not None:
        curves[name], per_seed[name] = ss.oracle_size_curves(b, range(n_seeds), n_random=n_random, share=SHARE,
                                                             exact_limit=EXACT_LIMIT)
curve_summary = {name: ss.size_curve_summary(c) for name, c in curves.items()}
count_seconds = time.perf_counter() - t_real

TITLES = {"sim": "RouterBench-Sim (simulated)", "routerbench-subset": "RouterBench subset (real cost)",
          "mmlu-pro": "MMLU-Pro (estimated cost)"}
fig, axes = plt.subplots(3, 1, figsize=style.figsize(8.8))
for ax, name in zip(axes, ("sim", *REAL)):
    if name not in curves:
        plots.plot_data_not_found(ax, title=TITLES[name])
        continue
    cs = curve_summary[name]
    plots.plot_best_by_size(ax, cs["size"], cs["best"], cs["best_lo"], cs["best_hi"], upper=cs["upper"],
                            searched=cs["searched"], target=SHARE * cs["best"].iloc[-1], title=TITLES[name],
                            ylabel="best achievable RS (oracle)")
handles, labels = [], []
for ax in axes:
    for h, lab in zip(*ax.get_legend_handles_labels()):
        if lab not in labels:
            handles.append(h)
            labels.append(lab)
fig.legend(handles, labels, loc="outside lower center", ncol=3, fontsize=10, frameon=False)
glue_fig("fig_05_real_curves", fig)

# %% [markdown]
# The best subset of each size (mean RS over the splits, 95% interval; the subset shown is the one
# found most often across the splits) is in the tables behind the toggle (11 and 29 rows; short
# names of RouterBench-Sim's models as in {numref}`tbl-05-models`, the real sources' models by
# their own names). For MMLU-Pro, "lower bound" sizes come from the search and the proven upper
# bound is given beside them.

# %% tags=["remove-input", "hide-output"]
def size_table(name):
    cs = curve_summary[name]
    out = pd.DataFrame({
        "models": cs["size"],
        "best achievable RS [95% CI]": [style.interval_text(v, lo, hi)
                                        for v, lo, hi in zip(cs["best"], cs["best_lo"], cs["best_hi"])],
        "share of all models' RS": cs["share_of_full"].map("{:.3f}".format),
        "how found": cs["method"],
        "proven upper bound": [f"{u:.3f}" if s else "" for u, s in zip(cs["upper"], cs["searched"])],
        "best subset (most frequent)": [", ".join(an.short_name(x) for x in m) for m in cs["models"]]})
    if not cs["searched"].any():
        out = out.drop(columns="proven upper bound")
    return out.set_index("models")


for name in REAL:
    if name in curves:
        display(size_table(name).style.set_caption(TITLES[name]))

# %% tags=["remove-input"]
def finding_values(name):
    """Per-seed findings of one benchmark: mean and 95% interval over the splits."""
    ps_ = per_seed[name]
    pair = an.seed_interval(ps_["best_pair_share"])
    need = an.seed_interval(ps_["models_share_high"])
    exact = bool((ps_["k_low"] == ps_["k_high"]).all())
    return pair, need, exact, ps_


fv = {name: finding_values(name) for name in curves}
for key, name in (("sim", "sim"), ("rb", "routerbench-subset"), ("mp", "mmlu-pro")):
    b = bench if name == "sim" else real_bench[name]
    if name != "sim":
        g(f"{key}_status", f"{TITLES[name].split(' (')[0]}: found, {b.n_queries:,} queries x {b.n_models} models"
          + (" (cost estimated from list prices)" if b.cost_estimated else " (real cost)") if b is not None
          else f"{TITLES[name].split(' (')[0]}: data folder not found, so its results read n/a")
    have = name in fv
    pair, need, exact, ps_ = fv[name] if have else ((None,) * 3, (None,) * 3, False, None)
    gf(f"{key}_pair_share", pair[0])
    gf(f"{key}_pair_share_lo", pair[1])
    gf(f"{key}_pair_share_hi", pair[2])
    gf(f"{key}_models_share", need[0])
    gf(f"{key}_models_share_lo", need[1])
    gf(f"{key}_models_share_hi", need[2])
    gf(f"{key}_k99", ps_["k_high"].mean() if have else None, "{:.1f}")
    gf(f"{key}_k99_min", ps_["k_high"].min() if have else None, "{:.0f}")
    gf(f"{key}_k99_max", ps_["k_high"].max() if have else None, "{:.0f}")
    gf(f"{key}_m", b.n_models if b is not None else None, "{:d}")
    gf(f"{key}_full", ps_["full"].mean() if have else None)
    cs = curve_summary.get(name)
    gf(f"{key}_best1", cs["best"].iloc[0] if have else None)
    gf(f"{key}_best2", cs["best"].iloc[1] if have else None)
    gf(f"{key}_best2_models", ", ".join(cs["models"].iloc[1]) if have else None, "{}")
# plain numbers for the notebook tests' sanity ranges (NaN when a source is missing; not in the prose)
for key, name in (("sim", "sim"), ("rb", "routerbench-subset"), ("mp", "mmlu-pro")):
    g(f"chk_{key}_pair_share", fv[name][0][0] if name in fv else float("nan"))
    g(f"chk_{key}_models_share", fv[name][1][0] if name in fv else float("nan"))
    g(f"chk_{key}_full", per_seed[name]["full"].mean() if name in fv else float("nan"))
g("chk_mp_k99_exact", float(fv["mmlu-pro"][2]) if "mmlu-pro" in fv else float("nan"))
g("n_seeds_m1", n_seeds - 1)
g("exact_limit", EXACT_LIMIT)
g("n_random", n_random)
gf("mp_search_sizes", ", ".join(str(k) for k in curve_summary["mmlu-pro"].loc[curve_summary["mmlu-pro"]["searched"], "size"])
   if "mmlu-pro" in curves else None, "{}")
_mp = real_bench["mmlu-pro"]
gf("mp_exact_sizes", ", ".join(str(k) for k in range(1, _mp.n_models + 1) if math.comb(_mp.n_models, k) <= EXACT_LIMIT)
   if _mp is not None else None, "{}")
gf("mp_max_gap", float((curve_summary["mmlu-pro"]["upper"] - curve_summary["mmlu-pro"]["best"]).max())
   if "mmlu-pro" in curves else None, "{:.3f}")
gf("mp_k99_exact", ("exact on every split (no smaller subset can reach 99%)" if fv["mmlu-pro"][2]
                    else "a range on some splits (the solver stopped at its time limit)")
   if "mmlu-pro" in fv else None, "{}")


def compare(key, name, tol):
    """Glued prose: does the real value lie within the finding's tolerance of the simulated one?"""
    if name not in fv:
        return "cannot be compared here (data folder not found)"
    i = 0 if key == "pair" else 1
    d = fv[name][i][0] - fv["sim"][i][0]
    side = "higher" if d > 0 else "lower"
    return (f"{abs(d):.3f} {side} than on the simulator, "
            + ("within" if abs(d) <= tol else "outside") + f" the pre-registered tolerance of {tol:g}")


for name, key in (("routerbench-subset", "rb"), ("mmlu-pro", "mp")):
    g(f"{key}_pair_vs_sim", compare("pair", name, simcheck.finding("count.best_pair_share")["tol"]))
    g(f"{key}_need_vs_sim", compare("need", name, simcheck.finding("count.models_for_99")["tol"]))

def differs_text():
    """The comparison of the share of models needed, in words, from the measured values."""
    if "sim" not in fv or not any(n in fv for n in REAL):
        return "No real source was found here, so nothing can be compared."
    sim_share = fv["sim"][1][0]
    real_shares = {n: fv[n][1][0] for n in REAL if n in fv}
    lower = [n for n, v in real_shares.items() if v < sim_share - 0.2]
    if sim_share >= 1.0 and lower:
        return ("On the simulator every one of the six models is needed: each is the oracle's best choice on "
                "enough queries that dropping any one costs more than 1% of the oracle's RS. The real pools ("
                + ", ".join(TITLES[n].split(" (")[0] for n in lower) + ") are redundant: several models of "
                "similar price answer the same questions, so a large part of each pool adds almost nothing to "
                "the best achievable RS. The share of models a router needs is a property of the pool, and "
                "the simulator's answer does not carry over to real pools.")
    if lower:
        return ("The real pools (" + ", ".join(TITLES[n].split(" (")[0] for n in lower) + ") need a clearly "
                "smaller share of their models than the simulator does: they are more redundant.")
    return "The share of models needed is similar on the simulator and on the real pools found here."


g("count_differs_text", differs_text())
MISSING = "data folder not found"


def meas(name, i, note):
    if name not in fv:
        return {"value": None, "note": MISSING}
    v, lo, hi = fv[name][i]
    return {"value": v, "lo": lo, "hi": hi, "note": note(name)}


def pair_note(name):
    return (f"oracle (OUB) RS of the best two-model subset / RS of all {len(curves[name]['size'].unique())} models, "
            f"per split, mean and 95% t-interval over {n_seeds} splits; exact (every pair evaluated)"
            + ("; estimated cost" if name == "mmlu-pro" else ""))


def need_note(name):
    ps_ = per_seed[name]
    m = len(curves[name]["size"].unique())
    how = ("exact: every subset evaluated" if m <= ss.MAX_ENUMERATED_MODELS else
           "exact per split: found by search, no smaller subset proven by LP/MILP bounds"
           if (ps_["k_low"] == ps_["k_high"]).all() else
           "upper end of a range on some splits (solver time limit)")
    return (f"smallest k with best k-subset >= 99% of all {m} models, / {m}; per split k = "
            + ", ".join(str(k) for k in ps_["k_high"]) + f"; {how}" + ("; estimated cost" if name == "mmlu-pro" else ""))


simcheck.record("count.best_pair_share", sim=meas("sim", 0, pair_note),
                real={name: meas(name, 0, pair_note) for name in REAL})
simcheck.record("count.models_for_99", sim=meas("sim", 1, need_note),
                real={name: meas(name, 1, need_note) for name in REAL})
None  # the cell shows nothing (simcheck.record returns the entry it wrote)

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
rb = real_bench["routerbench-subset"]
real_abl = None
if rb is not None:
    rb_cheap = rb.model_names[int(np.argmin(rb.cost.mean(axis=0)))]
    rb_strong = rb.model_names[int(np.argmax(rb.accuracy()))]
    rb_mix = [x for x in rb.model_names if "mixtral" in x.lower()]
    RB2, RBM = (rb_cheap, rb_strong), tuple(x for x in rb.model_names if x in (rb_cheap, rb_strong, *rb_mix))
    rb_res = rl.evaluation.protocol.book_evaluation(rb, n_seeds=n_seeds, cache_dir=cache_dir)
    rb_ps = rb_res.per_seed
    rb_mf_all = rb_ps[rb_ps["policy"] == "mf"].set_index("seed")["rs"]
    rt = ss.retrained_subset_rs(rb, [RB2, RBM], range(n_seeds), router="mf")
    rt_rs = rt.pivot(index="seed", columns="subset", values="rs")
    r2, rm = rt_rs[an.subset_label(RB2)], rt_rs[an.subset_label(RBM)]
    real_abl = {"d_abs": an.seed_interval(rb_mf_all - r2), "d_rel": an.seed_interval((rb_mf_all - r2) / rb_mf_all),
                "m_mix": an.seed_interval(rm - r2), "mf2": an.seed_interval(r2), "mf_all": an.seed_interval(rb_mf_all),
                "m_over_d": an.seed_interval((rm - r2) / (rb_mf_all - r2)),
                "pair": RB2, "mix": rb_mix}
    rb_meas = ablation_measures(real_abl)
    rb_abs_met, rb_rel_met = reading_met(rb_meas, "absolute"), reading_met(rb_meas, "relative")
abl_seconds = time.perf_counter() - t_abl
if real_abl:
    display(pd.DataFrame({k: real_abl[k] for k in ("d_abs", "d_rel", "m_mix", "m_over_d", "mf2", "mf_all")},
                         index=["mean", "95% low", "95% high"]).T.rename(index={
        "d_abs": "d: MF all - MF pair (absolute)", "d_rel": "d / RS(MF all) (relative)",
        "m_mix": "m: MF pair + Mixtral - MF pair", "m_over_d": "m / d (per split)",
        "mf2": "RS MF pair (retrained)", "mf_all": "RS MF all models"}).style.format("{:.3f}")
        .set_caption("RouterBench subset, real cost: the article's ablation by analogy")
        )
else:
    print("RouterBench subset: data folder not found; the ablation cannot be checked on it here.")

# %% tags=["remove-input"]
for k in ("d_abs", "d_rel", "m_mix", "mf2", "mf_all"):
    for j, suffix in enumerate(("", "_lo", "_hi")):
        gf(f"rb_{k}{suffix}", real_abl[k][j] if real_abl else None)
g("rb_pair", " + ".join(real_abl["pair"]) if real_abl else "n/a")
for j, suffix in enumerate(("", "_lo", "_hi")):
    gf(f"rb_m_over_d{suffix}", real_abl["m_over_d"][j] if real_abl else None, "{:.2f}")
g("rb_mid_fragile", "n/a" if not real_abl else
  "straddles the threshold, so this verdict could go either way on other splits"
  if real_abl["m_over_d"][1] <= HALF <= real_abl["m_over_d"][2] else "lies on one side of the threshold")
if real_abl:
    which_rb = [nm for nm, ok in (("absolute", rb_abs_met), ("relative", rb_rel_met)) if ok]
    rb_two = {"ours": real_abl["d_abs"][0], "lo": real_abl["d_abs"][1], "hi": real_abl["d_abs"][2],
              "measured": rb_meas,
              "note": f"MF on all {rb.n_models} models minus MF retrained on {' + '.join(RB2)} (cheapest, most "
                      f"accurate); relative d = {real_abl['d_rel'][0]:.3f}; readings met: "
                      f"{', '.join(which_rb) if which_rb else 'none'}; real cost"}
    rb_midv = {"ours": real_abl["m_mix"][0], "lo": real_abl["m_mix"][1], "hi": real_abl["m_mix"][2],
               "measured": rb_meas,
               "note": f"adding {', '.join(rb_mix)} (the only Mixtral here) to {' + '.join(RB2)}; "
                       f"d = {real_abl['d_abs'][0]:.3f}, m / d = {real_abl['m_over_d'][0]:.2f} "
                       f"[{real_abl['m_over_d'][1]:.2f}, {real_abl['m_over_d'][2]:.2f}] per split; real cost"}
else:
    rb_two = rb_midv = {"measured": None, "ours": None, "note": MISSING}
two_entry = ledger.record(**ledger_two, real={"routerbench-subset": rb_two})
mid_entry = ledger.record(**ledger_mid, real={"routerbench-subset": rb_midv})
g("rb_two_verdict", two_entry["real"]["routerbench-subset"]["verdict"])
g("rb_mid_verdict", mid_entry["real"]["routerbench-subset"]["verdict"])
g("count_seconds", count_seconds)
g("abl_seconds", abl_seconds)
g("real_seconds", time.perf_counter() - t_real)
g("chapter_seconds", time.perf_counter() - t_start)

# %% [markdown]
# On RouterBench, MF retrained on {glue:text}`rb_pair` scores RS {glue:text}`rb_mf2`
# against {glue:text}`rb_mf_all` with all {glue:text}`rb_m` models: d = {glue:text}`rb_d_abs`
# ([{glue:text}`rb_d_abs_lo`, {glue:text}`rb_d_abs_hi`]), or {glue:text}`rb_d_rel` of the
# all-model RS. By the criterion of `ablation.two_models` this is **{glue:text}`rb_two_verdict`**
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
