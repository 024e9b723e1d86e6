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
import numpy as np
import pandas as pd
from myst_nb import glue

import routerlab as rl
from routerlab.book.glue import glue_figure, glue_formatted, glue_value
from routerlab.evaluation import analysis as an
from routerlab.reproduction import criteria
from routerlab.reproduction import ledger
from routerlab.book import plots
from routerlab.reproduction import findings as simcheck
from routerlab.data import sources
from routerlab.book import style
from routerlab.data.catalog import MODEL_NAMES
from routerlab.evaluation.protocol import evaluate, stratified_split
from routerlab.data.simulate import simulate

t_start = time.perf_counter()
CHAPTER = "04_datasets"
CHEAP, STRONG = MODEL_NAMES[0], MODEL_NAMES[-1]   # Llama-3-8B-Instruct, GPT-4o


g = glue_value  # glue a plain Python number or string for the text


def article(claim_id):
    """The article's value for a claim (from the project's copy of claims.yaml)."""
    return float(ledger.claim(claim_id)["value"])


def slug(name):
    return "".join(c if c.isalnum() else "_" for c in name.lower())


ledger_sim = {}   # claim id -> the simulated check; recorded with its real-data check at the end


def defer_ledger(claim_id, **check):
    """Keep the simulated check of a claim; the section on real outcomes records it with ``real=``."""
    ledger_sim[claim_id] = check


style.use()
glue_fig = glue_figure  # glue a figure for a {glue:figure} in the text, and close it


def p_text(p):
    return "n/a" if not np.isfinite(p) else "< 0.001" if p < 0.001 else f"{p:.3f}"


POLICY_NAMES = {"random": "Random", "round-robin": "Round-robin", "mf": "MF (matrix factorisation)",
                "knn": "kNN", "mlp": "MLP", "bert-cls": "BERT classifier", "seq-cls": "Sequence classifier",
                "causal-lm": "Causal-LM router", "cascade": "Cascade", "frugalgpt": "FrugalGPT",
                "dataset-best": "Dataset-best", "oub": "Oracle (OUB)", "qoub": "QOUB", "coub": "COUB"}


def pname(p):
    """A policy's name for readers: "GPT-4o (fixed)", "MF (matrix factorisation)", ..."""
    return f"{p.removeprefix('fixed:')} (fixed)" if p.startswith("fixed:") else POLICY_NAMES.get(p, p)


def readable_heatmap(ax):
    """Annotations of plots.plot_heatmap at 9 pt (it writes them smaller)."""
    for t in ax.texts:
        t.set_fontsize(9)

# %% tags=["remove-input"]
# The criteria of every check in this chapter, fixed before any result below is computed.
HARD = ["GPQA", "MuSR"]
EASY = ["ARC-Challenge", "HellaSwag"]
N_DATASETS = 12
TOP_EASY = 4         # "routing helps most": MF's gain ranks in the top third of the datasets
TOP_GSM8K = 3        # "close to the oracle": MF's gap to the oracle among the 3 smallest
FAR = 0.05           # "GPT-4o is far stronger": accuracy lead over every other model on GSM8K
g("top_easy", TOP_EASY)
g("top_gsm8k", TOP_GSM8K)
g("far", FAR)
g("ci_level", 0.95)   # every interval in this chapter is a 95% interval
g("n_datasets", N_DATASETS)
g("r_size_article", article("corr.train_size"))
g("r_diff_article", article("corr.difficulty"))
g("ci_example_r", 0.7)
g("ci_example_lo", an.fisher_interval(0.7, N_DATASETS)[0])
g("ci_example_hi", an.fisher_interval(0.7, N_DATASETS)[1])

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
seeds = list(range(n_seeds))
# chapter 03's evaluation (one shared function, so one cache entry: a hit when 03 ran first)
t_eval = time.perf_counter()
result = rl.evaluation.protocol.book_evaluation(bench, n_seeds=n_seeds, cache_dir=cache_dir)
eval_seconds = time.perf_counter() - t_eval
pdl = result.per_dataset
DATASETS = list(bench.dataset_names)
learned = [p for p in result.policies if result.policy_info[p]["learns"]]
bounds = [p for p in result.policies if result.policy_info[p]["uses_truth"]]
routers = [p for p in result.policies if p not in bounds]
if len(DATASETS) != N_DATASETS:
    raise rl.RouterlabError(f"expected {N_DATASETS} datasets, the benchmark has {len(DATASETS)}")
g("n_queries", bench.n_queries)
g("n_seeds", n_seeds)
g("from_cache", "read from the cache" if result.from_cache else "computed (cache miss)")
g("eval_seconds", eval_seconds)
g("n_learned", len(learned))


def mean_over_seeds(df, index, columns, values):
    return df.pivot_table(index=index, columns=columns, values=values, aggfunc="mean", sort=False)


rs_table = mean_over_seeds(pdl, "dataset", "policy", "rs").loc[DATASETS, [p for p in result.policies
                                                                         if p not in ("qoub", "coub")]]
n_test = pdl.groupby("dataset")["n_test"].mean().loc[DATASETS]
n_train = (an.dataset_sizes(bench.datasets).loc[DATASETS] - n_test).rename("n_train")
difficulty = an.dataset_difficulty(bench.quality, bench.datasets).loc[DATASETS]

# %% [markdown]
# The evaluation of {glue:text}`n_queries:,d` simulated queries over {glue:text}`n_seeds:d`
# splits was {glue:text}`from_cache` (`rl.evaluation.protocol.book_evaluation`, the function chapter 03
# calls). {numref}`tbl-04-overview` gives, per dataset, its size, its difficulty, and the mean over
# seeds of the RS of MF, the oracle ({term}`OUB`) and the best single model on that dataset's test
# rows.
#
# ```{glue:figure} tbl_04_overview
# :name: "tbl-04-overview"
# :figclass: table
# :alt: "Table of the twelve datasets with their test and training rows, difficulty, and the RS of MF, the oracle and the best single model."
# The twelve datasets of RouterBench-Sim (simulated): size, difficulty (1 minus the mean quality
# over the six models) and RS (mean over {glue:text}`n_seeds:d` splits).
# ```

# %% tags=["remove-input"]
mf = pdl[pdl["policy"] == "mf"].groupby("dataset")[["rs", "gain_vs_best_single", "gap_to_oracle",
                                                     "oracle_rs", "best_single_rs", "quality"]].mean()
best_model = (pdl[pdl["policy"] == "mf"].groupby("dataset")["best_single_model"]
              .agg(lambda s: s.mode().iloc[0]))
overview = pd.DataFrame({
    "test rows": n_test.round().astype(int), "training rows": n_train.round().astype(int),
    "difficulty": difficulty,
    "MF RS": mf["rs"], "oracle RS": mf["oracle_rs"], "best single RS": mf["best_single_rs"],
    "best single model": best_model,
    "GPT-4o RS": rs_table[f"fixed:{STRONG}"], "Llama-3-8B RS": rs_table[f"fixed:{CHEAP}"],
    "MF gain vs best single": mf["gain_vs_best_single"], "MF gap to oracle": mf["gap_to_oracle"],
}).loc[DATASETS]
glue("tbl_04_overview", style.table(overview[["test rows", "training rows", "difficulty", "MF RS", "oracle RS",
                                             "best single RS", "best single model"]]), display=False)

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
plots.plot_heatmap(ax, rs_table.T.rename(index=pname), fmt="{:.2f}", colorbar_label="RS (mean over seeds)")
readable_heatmap(ax)
glue_fig("fig_04_rs_heatmap", fig)

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
share_cols = [f"share:{m}" for m in result.models]
shares = {p: mean_over_seeds(pdl[pdl["policy"] == p].melt(
              id_vars=["dataset", "seed"], value_vars=share_cols, var_name="model", value_name="share"),
              "dataset", "model", "share").loc[DATASETS, share_cols]
          for p in ("mf", "oub")}
fig, axes = plt.subplots(2, 1, figsize=style.figsize(7.4), sharex=True)
for ax, (p, title) in zip(axes, [("mf", "MF"), ("oub", "oracle (OUB)")]):
    t = shares[p].rename(columns=lambda c: c.removeprefix("share:")).T
    plots.plot_heatmap(ax, t, fmt="{:.2f}", vmin=0, vmax=1, colorbar_label="share of queries")
    readable_heatmap(ax)
    ax.set_title(f"{title}: share of each dataset's queries per model")
glue_fig("fig_04_shares", fig)

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
# over-routing of every learned router, per seed and dataset, then seed intervals
over = pd.concat([an.over_routing(pdl, p, oracle="oub", reference=f"fixed:{STRONG}", cheap_model=CHEAP)
                  for p in learned], ignore_index=True)
# quality loss over all test rows: GPT-4o fixed quality minus the router's, from the per-seed table
ps = result.per_seed
overall_loss = (ps[ps["policy"] == f"fixed:{STRONG}"].set_index("seed")["quality"].rename("ref")
                .to_frame().join(ps.set_index("seed").pivot(columns="policy", values="quality")))
overall_loss = {p: float((overall_loss["ref"] - overall_loss[p]).mean()) for p in learned}
over_s = an.seed_summary(over, ["policy", "dataset"], ["cheap_share", "oracle_cheap_share", "excess_cheap",
                                                       "cheap_accuracy", "excess_over_cheap_correct",
                                                       "quality", "reference_quality", "quality_loss"])
over_s["overall_loss"] = over_s["policy"].map(overall_loss)
over_s["over_routes"] = (over_s["excess_cheap_lo"] > 0) & (over_s["quality_loss"] > over_s["overall_loss"])


def over_row(policy, dataset):
    return over_s[(over_s["policy"] == policy) & (over_s["dataset"] == dataset)].iloc[0]


gpqa = over_s[over_s["dataset"] == "GPQA"].set_index("policy").loc[learned]
n_gpqa = int(gpqa["over_routes"].sum())
mf_gpqa = over_row("mf", "GPQA")
# what the pre-registered criteria read (criteria.yaml); the verdicts come from criteria.judge
meas_pitfall = {"mf_excess_lo": mf_gpqa["excess_cheap_lo"], "mf_quality_loss": mf_gpqa["quality_loss"],
                "mf_overall_loss": mf_gpqa["overall_loss"], "n_over_routing": n_gpqa, "n_learned": len(learned)}
meas_hard = {f"{slug(d)}_{m}": over_row("mf", d)[col] for d in HARD
             for m, col in (("excess_lo", "excess_cheap_lo"), ("quality_loss", "quality_loss"))}
meas_hard["overall_loss"] = overall_loss["mf"]
verdict_pitfall = criteria.judge("pitfall.overrouting", meas_pitfall)[0]
verdict_hard = criteria.judge("dataset.hard", meas_hard)[0]

# easy datasets: best single model and MF's gain rank
gain = mf["gain_vs_best_single"].loc[DATASETS]
gain_rank = {d: an.rank_in(gain, d) for d in EASY}
easy_ok = {d: (best_model[d] == CHEAP) and gain_rank[d] <= TOP_EASY for d in EASY}
meas_easy = {f"{slug(d)}_cheap_is_best": best_model[d] == CHEAP for d in EASY} | \
    {f"{slug(d)}_gain_rank": gain_rank[d] for d in EASY}
verdict_easy = criteria.judge("dataset.easy", meas_easy)[0]

# GSM8K: GPT-4o's lead in accuracy, MF's gap to the oracle
acc = bench.accuracy_by_dataset().loc["GSM8K"]
gsm_lead = float(acc[STRONG] - acc.drop(STRONG).max())
gap = mf["gap_to_oracle"].loc[DATASETS]
gsm_rank = an.rank_in(gap, "GSM8K", ascending=True)
meas_gsm8k = {"gsm_lead": gsm_lead, "gsm_gap_rank": gsm_rank}
verdict_gsm8k = criteria.judge("dataset.gsm8k", meas_gsm8k)[0]

cols = ["cheap_share", "oracle_cheap_share", "excess_cheap", "excess_cheap_lo", "excess_cheap_hi",
        "excess_over_cheap_correct", "quality_loss", "overall_loss", "over_routes"]


def over_view(t):
    """The over-routing measures for readers: one interval column, readable headers."""
    return pd.DataFrame({
        "dataset": t["dataset"], "router": t["policy"].map(pname),
        "L8B share": t["cheap_share"], "oracle's L8B share": t["oracle_cheap_share"],
        "excess [95% CI]": [style.interval_text(v, lo, hi) for v, lo, hi in
                            zip(t["excess_cheap"], t["excess_cheap_lo"], t["excess_cheap_hi"])],
        "excess over L8B correct": t["excess_over_cheap_correct"],
        "quality loss": t["quality_loss"], "loss overall": t["overall_loss"],
        "over-routes": t["over_routes"].map({True: "yes", False: "no"})}).set_index(["dataset", "router"])


NOWRAP = [{"selector": "td", "props": "white-space: nowrap;"}]
hard_over = over_s[over_s["dataset"].isin(HARD)]
glue("tbl_04_overrouting", style.table(over_view(hard_over[hard_over["policy"] == "mf"]).droplevel("router"))
     .set_table_styles(NOWRAP, overwrite=False), display=False)

# %% tags=["remove-input", "hide-output"]
style.table(over_view(hard_over)).set_table_styles(NOWRAP, overwrite=False).set_caption(
    "Over-routing on GPQA and MuSR, every learned router (simulated; 95% seed intervals)")

# %% tags=["remove-input"]
for d in HARD:
    r = over_row("mf", d)
    k = slug(d)
    g(f"mf_cheap_{k}", r["cheap_share"])
    g(f"oub_cheap_{k}", r["oracle_cheap_share"])
    g(f"mf_excess_{k}", r["excess_cheap"])
    g(f"mf_excess_{k}_lo", r["excess_cheap_lo"])
    g(f"mf_excess_{k}_hi", r["excess_cheap_hi"])
    g(f"mf_qloss_{k}", r["quality_loss"])
    g(f"mf_over_{k}", "yes" if r["over_routes"] else "no")
    g(f"mf_direction_{k}", "more often" if r["excess_cheap"] > 0 else "less often")
    g(f"mf_excess_alt_{k}", r["excess_over_cheap_correct"])
    g(f"cheap_acc_{k}", r["cheap_accuracy"])
g("mf_qloss_all", overall_loss["mf"])
share_all = ps.groupby("policy")[f"share:{CHEAP}"].mean()
g("mf_cheap_all", share_all["mf"])
g("oub_cheap_all", share_all["oub"])
g("n_learned_no_cheap", int((share_all.loc[learned] < 0.01).sum()))
g("cheap_small", 0.01)
g("n_over_gpqa", n_gpqa)
g("verdict_pitfall", verdict_pitfall)
g("verdict_hard", verdict_hard)
for d in EASY:
    k = slug(d)
    g(f"gain_{k}", gain[d])
    g(f"gain_rank_{k}", gain_rank[d])
    g(f"best_model_{k}", best_model[d])
g("gain_max_dataset", gain.idxmax())
g("gain_max", gain.max())
g("gain_min_dataset", gain.idxmin())
g("gain_min", gain.min())
SMALL_GAIN = 0.02
g("gain_words", f"on every dataset MF is within {SMALL_GAIN} RS of the best single model chosen with hindsight, so "
  "per dataset it does about as well as, not better than, always using that dataset's best model"
  if gain.abs().max() < SMALL_GAIN else "the gains differ enough between datasets for the ranking to mean something")
g("verdict_easy", verdict_easy)
g("easy_a", "holds" if all(best_model[d] == CHEAP for d in EASY) else "does not hold")
g("easy_b", "holds" if all(gain_rank[d] <= TOP_EASY for d in EASY) else "does not hold")
g("gsm_lead", gsm_lead)
g("gsm_gap", gap["GSM8K"])
g("gsm_rank", gsm_rank)
g("gap_min_dataset", gap.idxmin())
g("gap_min", gap.min())
g("verdict_gsm8k", verdict_gsm8k)

defer_ledger("pitfall.overrouting", ours=mf_gpqa["excess_cheap"], lo=mf_gpqa["excess_cheap_lo"],
              hi=mf_gpqa["excess_cheap_hi"], measured=meas_pitfall, chapter=CHAPTER,
              note=f"ours = MF's excess cheap share on GPQA; MF quality loss on GPQA "
                   f"{mf_gpqa['quality_loss']:.3f} vs {overall_loss['mf']:.3f} overall; "
                   f"{n_gpqa} of {len(learned)} learned routers over-route on GPQA")
defer_ledger("dataset.hard",
              ours="; ".join(f"{d}: excess cheap share {over_row('mf', d)['excess_cheap']:.3f}, quality loss "
                             f"{over_row('mf', d)['quality_loss']:.3f}" for d in HARD),
              measured=meas_hard, chapter=CHAPTER)
defer_ledger("dataset.easy",
              ours="; ".join(f"{d}: best single {best_model[d]}, MF gain {gain[d]:.3f} (rank {gain_rank[d]} of "
                             f"{len(DATASETS)})" for d in EASY),
              measured=meas_easy, chapter=CHAPTER)
defer_ledger("dataset.gsm8k", ours=float(gap["GSM8K"]), measured=meas_gsm8k, chapter=CHAPTER,
              note=f"ours = MF's RS gap to the oracle on GSM8K (rank {gsm_rank} of {len(DATASETS)}, smallest = "
                   f"{gap.idxmin()}); GPT-4o's accuracy lead on GSM8K {gsm_lead:.3f}")

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
from matplotlib.patches import Patch

fig, axes = plt.subplots(1, 2, figsize=style.figsize(5.2), sharey=True)
for ax, (series, title) in zip(axes, [(gain, "MF gain over the best single model"),
                                      (gap, "oracle RS minus MF RS")]):
    colors = ["C3" if d in HARD else "C2" if d in EASY else "C1" if d == "GSM8K" else "C0" for d in DATASETS]
    ax.barh(DATASETS, series.loc[DATASETS], color=colors)
    ax.axvline(0, color="black", lw=0.8)
    ax.set_ylim(len(DATASETS) - 0.5, -0.5)   # first dataset on top
    ax.set_title(title)
    ax.set_xlabel("RS difference")
    ax.grid(axis="x", alpha=0.3)
    ax.grid(axis="y", visible=False)
fig.legend(handles=[Patch(color="C2", label="easy"), Patch(color="C3", label="hard"),
                    Patch(color="C1", label="GSM8K"), Patch(color="C0", label="other")],
           loc="outside lower center", ncol=4)
glue_fig("fig_04_gain_gap", fig)

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
rows = []
for p in routers + ["oub"]:
    y = rs_table[p].loc[DATASETS].to_numpy()
    for xname, x in [("training rows", n_train.to_numpy()), ("log10 training rows", np.log10(n_train.to_numpy())),
                     ("difficulty", difficulty.to_numpy())]:
        c = an.pearson_ci(x, y)
        rows.append({"policy": p, "learns": result.policy_info[p]["learns"], "x": xname, **c})
corr = pd.DataFrame(rows)
corr_wide = corr.pivot(index="policy", columns="x", values="r").loc[routers + ["oub"]]
mf_size = corr[(corr["policy"] == "mf") & (corr["x"] == "training rows")].iloc[0]
mf_logsize = corr[(corr["policy"] == "mf") & (corr["x"] == "log10 training rows")].iloc[0]
mf_diff = corr[(corr["policy"] == "mf") & (corr["x"] == "difficulty")].iloc[0]
oub_size = corr[(corr["policy"] == "oub") & (corr["x"] == "training rows")].iloc[0]
oub_diff = corr[(corr["policy"] == "oub") & (corr["x"] == "difficulty")].iloc[0]
fixed_size = corr[corr["policy"].str.startswith("fixed:") & (corr["x"] == "training rows")]


def corr_measures(c):
    """What the correlation claims' pre-registered criteria read (criteria.yaml)."""
    return {"r": c["r"], "r_lo": c["lo"], "r_hi": c["hi"]}


verdict_size = criteria.judge("corr.train_size", corr_measures(mf_size))[0]
verdict_diff = criteria.judge("corr.difficulty", corr_measures(mf_diff))[0]


def corr_view(policies):
    """One row per policy: r [95% CI] against each dataset property, then Spearman's rho."""
    out = pd.DataFrame(index=pd.Index([pname(p) for p in policies], name="policy"))
    for xname in ("training rows", "log10 training rows", "difficulty"):
        c = corr[corr["x"] == xname].set_index("policy").loc[policies]
        out[f"r: {xname.replace('training ', '')} [95% CI]"] = [style.interval_text(v, lo, hi, digits=2)
                                         for v, lo, hi in zip(c["r"], c["lo"], c["hi"])]
    for xname, short in (("training rows", "rows"), ("difficulty", "difficulty")):
        out[f"Spearman: {short}"] = corr[corr["x"] == xname].set_index("policy").loc[policies, "spearman"].to_numpy()
    return out


glue("tbl_04_corr", style.table(corr_view(["mf", "oub"]), digits=2).set_table_styles(NOWRAP, overwrite=False),
     display=False)

# %% tags=["remove-input", "hide-output"]
style.table(corr_view(routers + ["oub"]), digits=2).set_table_styles(NOWRAP, overwrite=False).set_caption(
    "Pearson r across datasets for every policy (simulated; 95% Fisher-z intervals)")

# %% tags=["remove-input"]
for key, c in [("size", mf_size), ("logsize", mf_logsize), ("diff", mf_diff), ("oub_size", oub_size),
               ("oub_diff", oub_diff)]:
    g(f"r_{key}", c["r"])
    g(f"r_{key}_lo", c["lo"])
    g(f"r_{key}_hi", c["hi"])
    g(f"rho_{key}", c["spearman"])
g("verdict_size", verdict_size)


def describe(c, article_value):
    """How our interval relates to 0 and to the article's value, in words."""
    zero = "excludes 0" if (c["lo"] > 0 or c["hi"] < 0) else "includes 0"
    art = "contains" if c["lo"] <= article_value <= c["hi"] else "excludes"
    strength = "stronger" if abs(c["r"]) > abs(article_value) else "weaker"
    return f"{zero} and {art} the article's value; our estimate is {strength} than the article's"


g("size_words", describe(mf_size, article("corr.train_size")))
g("diff_words", describe(mf_diff, article("corr.difficulty")))
g("verdict_diff", verdict_diff)
g("fixed_size_min", fixed_size["r"].min())
BIG_FACTOR = 5
g("big_factor", BIG_FACTOR)
g("big_datasets", ", ".join(n_train.index[n_train > BIG_FACTOR * n_train.median()]) or "none")
g("fixed_size_max", fixed_size["r"].max())
defer_ledger("corr.train_size", ours=mf_size["r"], lo=mf_size["lo"], hi=mf_size["hi"],
              measured=corr_measures(mf_size), chapter=CHAPTER,
              note=f"n = 12; Spearman {mf_size['spearman']:.3f}; with log10 rows r = {mf_logsize['r']:.3f}; the "
                   f"oracle, which learns nothing, has r = {oub_size['r']:.3f}; see the learning curves")
defer_ledger("corr.difficulty", ours=mf_diff["r"], lo=mf_diff["lo"], hi=mf_diff["hi"],
              measured=corr_measures(mf_diff), chapter=CHAPTER,
              note=f"n = 12; Spearman {mf_diff['spearman']:.3f}; oracle r = {oub_diff['r']:.3f}")

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
plots.plot_labelled_scatter(
    axes[0], n_train.to_numpy(), rs_table["mf"].to_numpy(), DATASETS, logx=True,
    xlabel="training rows of the dataset (log scale)", ylabel="MF RS on the dataset",
    annotation=f"r = {mf_size['r']:.2f} [{mf_size['lo']:.2f}, {mf_size['hi']:.2f}] (raw rows)")
plots.plot_labelled_scatter(
    axes[1], difficulty.to_numpy(), rs_table["mf"].to_numpy(), DATASETS,
    xlabel="difficulty = 1 - mean quality over the six models",
    annotation=f"r = {mf_diff['r']:.2f} [{mf_diff['lo']:.2f}, {mf_diff['hi']:.2f}]")
glue_fig("fig_04_corr_scatter", fig)

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
t_lc = time.perf_counter()
lc = []
for s in range(lc_seeds):
    tr, te = stratified_split(bench, seed=s)
    lc.append(an.learning_curve(bench.rows(tr), bench.rows(te), DATASETS, sizes=lc_sizes, router="mf", seed=s))
lc = pd.concat(lc, ignore_index=True)
lc_mean = lc.groupby(["dataset", "n_train"], sort=False)[["rs", "quality", "full"]].mean().reset_index()
lc_seconds = time.perf_counter() - t_lc

slope, intercept = np.polyfit(np.log10(n_train.to_numpy()), rs_table["mf"].to_numpy(), 1)
big_enough = [x for x in lc_sizes if (n_train >= 2 * x).any()]   # at small scale, fall back to a smaller size
probe = max(big_enough) if big_enough else min(lc_sizes)
rows = []
for d in DATASETS:
    cur = lc_mean[lc_mean["dataset"] == d].set_index("n_train")
    full_n = cur.index.max()
    if full_n >= 2 * probe:
        rows.append({"dataset": d, "full rows": int(full_n), "RS all rows": cur.loc[full_n, "rs"],
                     f"RS {probe} rows": cur.loc[probe, "rs"],
                     "measured change": cur.loc[probe, "rs"] - cur.loc[full_n, "rs"],
                     "change predicted by the cross-dataset slope": slope * (np.log10(probe) - np.log10(full_n))})
causal = pd.DataFrame(rows, columns=["dataset", "full rows", "RS all rows", f"RS {probe} rows", "measured change",
                                     "change predicted by the cross-dataset slope"]).set_index("dataset")
fig, axes = plt.subplots(4, 3, figsize=style.figsize(8.6), sharey=True)
for i, (ax, d) in enumerate(zip(axes.ravel(), DATASETS)):
    plots.plot_learning_curves(ax, lc_mean[lc_mean["dataset"] == d], legend=False, ylabel="MF RS")
    ax.set_title(d, fontsize=10)
    ax.set_xlabel("training rows" if i >= len(DATASETS) - 3 else "")
    if i % 3:
        ax.set_ylabel("")
glue_fig("fig_04_learning_curves", fig)
glue("tbl_04_causal", style.table(causal.rename(columns={"change predicted by the cross-dataset slope":
                                                        "predicted change (cross-dataset slope)"})),
     display=False)

# %% tags=["remove-input"]
g("lc_seeds", lc_seeds)
g("lc_sizes_text", ", ".join(str(x) for x in lc_sizes[:-1]) + f" or {lc_sizes[-1]}" if len(lc_sizes) > 1
  else str(lc_sizes[0]))
g("lc_probe", probe)
g("lc_slope", slope)
g("lc_n_big", len(causal))
g("lc_measured_mean", causal["measured change"].mean() if len(causal) else float("nan"))
g("lc_predicted_mean", causal["change predicted by the cross-dataset slope"].mean() if len(causal) else float("nan"))
small_drop = lc_mean.groupby("dataset").apply(
    lambda t: float(t.loc[t["n_train"].idxmax(), "rs"] - t.loc[t["n_train"].idxmin(), "rs"]), include_groups=False)
g("lc_drop_max", small_drop.max())
g("lc_drop_max_dataset", small_drop.idxmax())
g("lc_min_size", min(lc_sizes))
g("lc_seconds", lc_seconds)
meas = causal["measured change"].mean() if len(causal) else float("nan")
pred = causal["change predicted by the cross-dataset slope"].mean() if len(causal) else float("nan")
supported = bool(np.isfinite(meas) and np.isfinite(pred) and pred != 0 and np.sign(meas) == np.sign(pred)
                 and abs(meas) >= 0.5 * abs(pred))
g("lc_reading", "supported" if supported else "not supported")
g("lc_ratio", meas / pred if np.isfinite(meas) and np.isfinite(pred) and pred != 0 else float("nan"))

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
# evaluate only what this section needs, to stay within the chapter's time budget: MF, the oracle
# and the fixed models in the roles named below. So on MMLU-Pro the over-routing test is run for
# MF alone, not for every learned router.
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
# * *where routing helps*: MF's gain in RS over the best single model of the dataset (hindsight on
#   its test rows), with its seed interval; routing helps where the interval lies above 0, hurts
#   where it lies below;
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
REAL = {"llmrouter": "LLMRouter", "mmlu-pro": "MMLU-Pro"}
t_real = time.perf_counter()
real_bench = {s: sources.load_for_book(s, scale=scale, seed=0, data_dir=data_dir, min_per_dataset=300)
              for s in REAL}
real_result, real_eval_seconds = {}, {}
for s, b in real_bench.items():
    if b is None:
        continue
    t0 = time.perf_counter()
    if s == "llmrouter":  # chapter 03's evaluation of every policy (one cache entry, shared with 03 and 07)
        real_result[s] = rl.evaluation.protocol.book_evaluation(b, n_seeds=n_seeds, cache_dir=cache_dir)
    else:                 # MF, the oracle and the fixed models in the roles above: enough for this section
        roles = an.model_roles(b.quality, b.cost, b.model_names)
        needed = ["mf"] + [f"fixed:{roles[k]}" for k in ("cheapest", "strongest", "most_expensive")] + ["oub"]
        real_result[s] = evaluate(b, list(dict.fromkeys(needed)), seeds=seeds, normalization="global",
                                  split="stratified", test_size=0.2, bootstrap=0, cache_dir=cache_dir)
    real_eval_seconds[s] = time.perf_counter() - t0
real = {s: an.dataset_findings(real_result[s], real_bench[s]) for s in real_result}
sim_find = an.dataset_findings(result, bench)   # the same measures on the simulator, for the comparison
real_seconds = time.perf_counter() - t_real

# %% tags=["remove-input"]
def key(s):
    return "llm" if s == "llmrouter" else "mmlu"


g("n_seeds_minus_1", n_seeds - 1)
n_real = {s: len(real_bench[s].dataset_names) for s in real}
g("n_real_datasets_text", f"{n_real['llmrouter']:d}" if "llmrouter" in n_real else "its")
for s, label in REAL.items():
    b = real_bench[s]
    if b is None:
        g(f"real_status_{slug(s)}", f"{sources.status(s, data_dir).split(': ', 1)[1]}. Its numbers below read "
          "n/a and its figure panels say \"data not found\".")
    else:
        g(f"real_status_{slug(s)}", f"found: {b.n_queries:,d} queries x {b.n_models} models, "
          f"{len(b.dataset_names)} datasets (at this build's scale {scale:g}), "
          f"{'estimated' if b.cost_estimated else 'real'} cost.")
    f = real.get(s)
    k = key(s)
    roles = f["roles"] if f else {}
    for role in ("cheapest", "strongest", "most_expensive"):
        glue_formatted(f"{k}_{role}", roles.get(role), fmt="{}")
    glue_formatted(f"{k}_n_datasets", n_real.get(s), fmt="{:d}")


def gain_counts(f):
    """Datasets where MF's gain interval lies above 0, below 0, and the largest / smallest gain."""
    if f is None:
        return {"pos": None, "neg": None, "max_d": None, "max": None, "min_d": None, "min": None}
    t = f["table"]
    return {"pos": int((t["gain_lo"] > 0).sum()), "neg": int((t["gain_hi"] < 0).sum()),
            "max_d": t["gain"].idxmax(), "max": t["gain"].max(), "min_d": t["gain"].idxmin(), "min": t["gain"].min()}


for k, f in [("sim", sim_find), ("llm", real.get("llmrouter")), ("mmlu", real.get("mmlu-pro"))]:
    c = gain_counts(f)
    glue_formatted(f"{k}_n_gain_pos", c["pos"], fmt="{:d}")
    glue_formatted(f"{k}_n_gain_neg", c["neg"], fmt="{:d}")
    glue_formatted(f"{k}_gain_max_dataset", c["max_d"], fmt="{}")
    glue_formatted(f"{k}_gain_max", c["max"])
    glue_formatted(f"{k}_gain_min_dataset", c["min_d"], fmt="{}")
    glue_formatted(f"{k}_gain_min", c["min"])
    for i in range(2):   # the two hardest datasets
        h = f["hard"][i] if f is not None else None
        row = f["table"].loc[h] if f is not None else None
        over = (f["over"].set_index(["policy", "dataset"]).loc[("mf", h)] if f is not None else None)
        glue_formatted(f"{k}_hard{i + 1}", h, fmt="{}")
        for col in ("difficulty", "none_right", "gain", "excess_cheap", "excess_cheap_lo", "excess_cheap_hi", "excess_expensive",
                    "excess_expensive_lo", "excess_expensive_hi"):
            glue_formatted(f"{k}_hard{i + 1}_{col}", None if row is None else row[col])
        glue_formatted(f"{k}_hard{i + 1}_qloss", None if over is None else over["quality_loss"])
        glue_formatted(f"{k}_hard{i + 1}_over", None if over is None else ("yes" if over["over_routes"] else "no"),
                       fmt="{}")
    overall = None if f is None else f["over"].query("policy == 'mf'")["overall_loss"].iloc[0]
    glue_formatted(f"{k}_qloss_all", overall)
    n_over = None if f is None else int(f["over"].query("policy == 'mf'")["over_routes"].sum())
    glue_formatted(f"{k}_n_over", n_over, fmt="{:d}")
    n_exp = None if f is None else int((f["table"]["excess_expensive_lo"] > 0).sum())
    glue_formatted(f"{k}_n_excess_expensive", n_exp, fmt="{:d}")
    n_cheap_under = None if f is None else int((f["table"]["excess_cheap_hi"] < 0).sum())
    glue_formatted(f"{k}_n_cheap_under", n_cheap_under, fmt="{:d}")

# %% [markdown]
# Per dataset, on each real source: MF's RS, its gain over the best single model with the seed
# interval, its gap to the oracle, and its excess share to the cheapest and to the most expensive
# model (MF's share minus the oracle's; positive: MF uses that model more than the oracle does).
# RS, gains and gaps use **estimated cost**. The two tables (14 rows each, from
# `an.dataset_display_table`) are behind the toggle; {numref}`fig-04-real-gains` shows the gains.

# %% tags=["remove-input", "hide-output"]
for s, label in REAL.items():
    if s not in real:
        display(pd.DataFrame({"": [f"{label}: data not found"]}).style.hide(axis="index"))
        continue
    display(an.dataset_display_table(real[s]).style.set_caption(
        f"{label} (real outcomes, estimated cost): MF per dataset, means over {n_seeds} splits"))

# %% [markdown]
# ```{glue:figure} fig_04_real_gains
# :name: "fig-04-real-gains"
# :alt: "Two horizontal bar charts, LLMRouter's 14 tasks and MMLU-Pro's 14 categories, of MF's RS gain over the best single model with 95% seed intervals."
# Where routing helps on real outcomes (estimated cost): MF's RS minus the best single model's RS
# per dataset, easiest dataset on top, with {glue:text}`ci_level:.0%` seed intervals; the two
# hardest datasets in orange-red.
# ```

# %% tags=["remove-input"]
fig, axes = plt.subplots(2, 1, figsize=style.figsize(8.6))
for ax, (s, label) in zip(axes, REAL.items()):
    title = f"{label} (real outcomes, estimated cost)"
    if s not in real:
        plots.plot_data_not_found(ax, title=title)
        continue
    t = real[s]["table"].sort_values("difficulty")
    plots.plot_dataset_gains(ax, t, highlight=real[s]["hard"], title=title,
                             xlabel="MF RS minus the best single model's RS (estimated cost)")
glue_fig("fig_04_real_gains", fig)

# %% [markdown]
# **Where routing helps, where it fails.** On the simulator, MF's gain over the best single model
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
BENCHES = {"RouterBench-Sim (simulated)": sim_find, "LLMRouter (real, estimated cost)": real.get("llmrouter"),
           "MMLU-Pro (real, estimated cost)": real.get("mmlu-pro")}
Y_LABEL = {"gain": "MF gain over best single", "rs": "MF RS", "headroom": "oracle headroom (control)"}
rows = []
for name, f in BENCHES.items():
    if f is None:
        rows.append({"benchmark": name, "measure": "", "against": "", "datasets": "", "r [95% CI]": "data not found",
                     "Spearman": "", "p": ""})
        continue
    for _, c in f["correlations"].iterrows():
        rows.append({"benchmark": name, "measure": Y_LABEL[c["y"]], "against": c["x"], "datasets": f"{c['n']:d}",
                     "r [95% CI]": an.format_interval(c["r"], c["lo"], c["hi"], "{:.2f}", missing=c["note"] or "n/a"),
                     "Spearman": f"{c['spearman']:.2f}" if np.isfinite(c["spearman"]) else "n/a",
                     "p": p_text(c["p"])})
real_corr = pd.DataFrame(rows)
glue("tbl_04_real_corr", style.table(real_corr[real_corr["measure"].isin([Y_LABEL["gain"], ""])].drop(
    columns="measure").set_index(["benchmark", "against"])).set_table_styles(NOWRAP, overwrite=False), display=False)

# %% tags=["remove-input", "hide-output"]
style.table(real_corr.set_index(["benchmark", "measure", "against"])).set_table_styles(NOWRAP, overwrite=False).set_caption(
    "Pearson r across datasets, simulated beside real: MF's gain, MF's RS and the oracle's headroom")

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
for row, (name, f) in zip(axes, BENCHES.items()):
    for ax, (xlab, col) in zip(row, an.CORRELATION_XS.items()):
        if f is None:
            plots.plot_data_not_found(ax, title=name.split(" (")[0])
            continue
        t = f["table"]
        c = f["correlations"].set_index(["y", "x"]).loc[("gain", xlab)]
        cost = "simulated" if "simulated" in name else "estimated cost"
        plots.plot_correlation_panel(
            ax, t[col], t["gain"], labels=list(t.index), highlight=f["hard"], stats=c,
            xlabel=("training rows" if col == "n_train" else "difficulty"),
            ylabel=f"{name.split(' (')[0]}\nMF gain ({cost})" if ax is row[0] else "")
glue_fig("fig_04_real_corr", fig)

# %% tags=["remove-input"]
def corr_of(f, y, x):
    """The correlation row of one benchmark's findings (None when the source is missing)."""
    return None if f is None else f["correlations"].set_index(["y", "x"]).loc[(y, x)]


for k, f in [("sim", sim_find), ("llm", real.get("llmrouter")), ("mmlu", real.get("mmlu-pro"))]:
    for y in ("gain", "rs", "headroom"):
        for xk, x in [("size", "training rows"), ("diff", "difficulty")]:
            c = corr_of(f, y, x)
            for part in ("r", "lo", "hi"):
                glue_formatted(f"{k}_r_{y}_{xk}{'' if part == 'r' else '_' + part}", None if c is None else c[part],
                               fmt="{:.2f}")
            glue_formatted(f"{k}_rho_{y}_{xk}", None if c is None else c["spearman"], fmt="{:.2f}")
mm = real.get("mmlu-pro")
glue_formatted("mmlu_smallest", None if mm is None else mm["table"]["n_train"].idxmin(), fmt="{}")
glue_formatted("mmlu_smallest_diff_rank", None if mm is None else
               an.rank_in(mm["table"]["difficulty"], mm["table"]["n_train"].idxmin()), fmt="{:d}")
# plain numbers for the smoke test's sanity ranges (None when a source is missing; not used in the text)
for k, s in [("llm", "llmrouter"), ("mmlu", "mmlu-pro")]:
    f = real.get(s)
    g(f"check_{k}_n_datasets", None if f is None else len(f["table"]))
    g(f"check_{k}_n_gain_pos", None if f is None else int((f["table"]["gain_lo"] > 0).sum()))
    for y in ("gain", "rs"):
        for xk, x in [("size", "training rows"), ("diff", "difficulty")]:
            c = corr_of(f, y, x)
            g(f"check_{k}_r_{y}_{xk}", None if c is None or not np.isfinite(c["r"]) else c["r"])

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
caveat_rows = []
for label, n in [("RouterBench-Sim", N_DATASETS), ("a real source (14 datasets)", 14)]:
    for xk, x in [("size", "training rows"), ("diff", "difficulty")]:
        r_sim = corr_of(sim_find, "gain", x)["r"]
        c = an.correlation_caveat(n, r_sim)
        caveat_rows.append({"datasets": label, "n": n, "correlation (MF gain vs)": x, "simulated r": r_sim, **c})
caveat = pd.DataFrame(caveat_rows)
caveat_view = pd.DataFrame({
    "datasets": caveat["datasets"], "MF gain vs": caveat["correlation (MF gain vs)"],
    "half-width of the 95% interval at r = 0": caveat["half_width_at_0"].map("{:.2f}".format),
    "smallest |r| significant at 5%": caveat["critical_r"].map("{:.2f}".format),
    "simulated r": caveat["simulated r"].map("{:.2f}".format),
    "half-width at the simulated r": caveat["half_width"].map(lambda v: f"{v:.2f}" if np.isfinite(v) else "n/a"),
    "power at the simulated r": caveat["power"].map(lambda v: f"{v:.0%}" if np.isfinite(v) else "n/a"),
    "datasets for 80% power": caveat["n_for_80"].map(lambda v: f"{v:.0f}" if np.isfinite(v) else "n/a"),
}).set_index(["datasets", "MF gain vs"])
caveat_view.style.set_caption("What a correlation across 12 or 14 datasets can detect")

# %% tags=["remove-input"]
for _, c in caveat.iterrows():
    k = f"cav{c['n']}_{'size' if c['correlation (MF gain vs)'] == 'training rows' else 'diff'}"
    g(f"{k}_half0", c["half_width_at_0"])
    g(f"{k}_crit", c["critical_r"])
    glue_formatted(f"{k}_half", c["half_width"], fmt="{:.2f}")
    glue_formatted(f"{k}_power", c["power"], fmt="{:.0%}")
    glue_formatted(f"{k}_n80", c["n_for_80"], fmt="{:.0f}")
g("cav_article_power14", an.correlation_power(article("corr.train_size"), 14))
g("cav_article_diff_power14", an.correlation_power(article("corr.difficulty"), 14))

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
# (the same criteria as on the simulator, applied to the real values).
NOT_FOUND = "data folder not found"


def finding_measure(f, x):
    c = corr_of(f, "gain", x)
    if f is None:
        return {"value": None, "note": NOT_FOUND}
    if not np.isfinite(c["r"]):
        return {"value": None, "note": c["note"]}
    return {"value": c["r"], "lo": c["lo"], "hi": c["hi"], "note": f"n = {c['n']} datasets; Spearman "
            f"{c['spearman']:.3f}" + ("; estimated cost" if f is not sim_find else "")}


for fid, x in [("datasets.corr_train_size", "training rows"), ("datasets.corr_difficulty", "difficulty")]:
    simcheck.record(fid, sim=finding_measure(sim_find, x),
                    real={s: finding_measure(real.get(s), x) for s in simcheck.finding(fid)["real"]})


def real_corr_check(s, x, article_value):
    f = real.get(s)
    if f is None:
        return {"measured": None, "ours": None, "note": NOT_FOUND}
    c = corr_of(f, "rs", x)
    if not np.isfinite(c["r"]):
        return {"measured": None, "ours": None, "note": c["note"]}
    return {"ours": c["r"], "lo": c["lo"], "hi": c["hi"], "measured": corr_measures(c),
            "note": f"MF's RS across {c['n']} {REAL[s]} datasets (estimated cost); Spearman {c['spearman']:.3f}"}


real_checks = {cid: {s: real_corr_check(s, x, article(cid)) for s in REAL}
               for cid, x in [("corr.train_size", "training rows"), ("corr.difficulty", "difficulty")]}

llm = real.get("llmrouter")
if llm is None:
    for cid in ("pitfall.overrouting", "dataset.hard", "dataset.easy", "dataset.gsm8k"):
        real_checks[cid] = {"llmrouter": {"measured": None, "ours": None, "note": NOT_FOUND}}
else:
    lt, lo_ = llm["table"], llm["over"]
    l_roles, l_learned = llm["roles"], sorted(set(lo_["policy"]))
    l_gpqa = lo_[lo_["dataset"] == "GPQA"].set_index("policy")
    l_mf = l_gpqa.loc["mf"]
    l_n_over = int(l_gpqa["over_routes"].sum())
    real_checks["pitfall.overrouting"] = {"llmrouter": {
        "ours": l_mf["excess_cheap"], "lo": l_mf["excess_cheap_lo"], "hi": l_mf["excess_cheap_hi"],
        "measured": {"mf_excess_lo": l_mf["excess_cheap_lo"], "mf_quality_loss": l_mf["quality_loss"],
                     "mf_overall_loss": l_mf["overall_loss"], "n_over_routing": l_n_over,
                     "n_learned": len(l_learned)},
        "note": f"{l_roles['cheapest']} (cheapest) in Llama-3-8B's role, {l_roles['strongest']} (strongest) in "
                f"GPT-4o's; MF quality loss on GPQA {l_mf['quality_loss']:.3f} vs {l_mf['overall_loss']:.3f} overall; "
                f"{l_n_over} of {len(l_learned)} learned routers over-route on GPQA; estimated cost"}}
    real_checks["dataset.hard"] = {"llmrouter": {
        "ours": f"GPQA: excess cheap share {l_mf['excess_cheap']:.3f}, quality loss {l_mf['quality_loss']:.3f}",
        "measured": None,  # the claim names MuSR, which this source lacks
        "note": f"MuSR is not among LLMRouter's tasks; on GPQA alone MF over-routes: "
                f"{'yes' if l_mf['over_routes'] else 'no'}"}}
    l_gain_rank = an.rank_in(lt["gain"], "ARC-Challenge")
    real_checks["dataset.easy"] = {"llmrouter": {
        "ours": f"ARC-Challenge: best single {lt.loc['ARC-Challenge', 'best_single_model']}, MF gain "
                f"{lt.loc['ARC-Challenge', 'gain']:.3f} (rank {l_gain_rank} of {len(lt)})",
        "measured": None,  # the claim names HellaSwag, which this source lacks
        "note": f"HellaSwag is not among LLMRouter's tasks; on ARC-Challenge the cheapest model "
                f"({l_roles['cheapest']}) is the best single model: "
                f"{'yes' if lt.loc['ARC-Challenge', 'best_single_model'] == l_roles['cheapest'] else 'no'}; "
                f"gain rank in the top {TOP_EASY}: {'yes' if l_gain_rank <= TOP_EASY else 'no'}"}}
    l_acc = real_bench["llmrouter"].accuracy_by_dataset().loc["GSM8K"]
    l_lead = float(l_acc[l_roles["strongest"]] - l_acc.drop(l_roles["strongest"]).max())
    l_gsm_rank = an.rank_in(lt["gap"], "GSM8K", ascending=True)
    real_checks["dataset.gsm8k"] = {"llmrouter": {
        "ours": lt.loc["GSM8K", "gap"],
        "measured": {"gsm_lead": l_lead, "gsm_gap_rank": l_gsm_rank},
        "note": f"MF's RS gap to the oracle on GSM8K ranks {l_gsm_rank} of {len(lt)} (estimated cost); the strongest "
                f"model ({l_roles['strongest']}) leads every other on GSM8K by {l_lead:.3f} (needs {FAR})"}}
    g("llm_gpqa_n_over", l_n_over)
    g("llm_n_learned", len(l_learned))
    g("llm_gsm_lead", l_lead)
    g("llm_gsm_rank", l_gsm_rank)
recorded = {cid: ledger.record(cid, **check, real=real_checks[cid]) for cid, check in ledger_sim.items()}
for cid in ledger_sim:
    for s in REAL:
        r = recorded[cid]["real"].get(s)
        glue_formatted(f"real_verdict_{slug(cid)}_{key(s)}", None if r is None else r["verdict"], fmt="{}",
                       missing="not applicable")
if llm is None:
    for k_ in ("llm_gpqa_n_over", "llm_n_learned", "llm_gsm_lead", "llm_gsm_rank"):
        glue_formatted(k_, None)
g("real_seconds", real_seconds)
for s in REAL:
    glue_formatted(f"{key(s)}_eval_seconds", real_eval_seconds.get(s), fmt="{:.1f}")
    glue_formatted(f"{key(s)}_from_cache", None if s not in real_result else
                   ("read from the cache" if real_result[s].from_cache else "computed"), fmt="{}", missing="no data")

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
# The learning curves put the causal reading of the training-size correlation at
# **{glue:text}`lc_reading`**. The pre-registered findings on the simulator's word: MF's gain
# correlates with training rows at r = {glue:text}`sim_r_gain_size` (simulated),
# {glue:text}`llm_r_gain_size` (LLMRouter) and {glue:text}`mmlu_r_gain_size` (MMLU-Pro), and with
# difficulty at {glue:text}`sim_r_gain_diff`, {glue:text}`llm_r_gain_diff` and
# {glue:text}`mmlu_r_gain_diff`; with 14 datasets a correlation is told from 0 at the 5% level only
# when |r| exceeds {glue:text}`cav14_size_crit:.2f`. The chapter "Does the simulator tell the truth?" gives
# the verdicts.

# %% tags=["remove-input"]
g("chapter_seconds", time.perf_counter() - t_start)

# %% [markdown]
# This chapter executed in {glue:text}`chapter_seconds:.1f` s: {glue:text}`eval_seconds:.1f` s to
# obtain chapter 03's evaluation ({glue:text}`from_cache`), {glue:text}`lc_seconds:.1f` s for the
# learning curves and {glue:text}`real_seconds:.1f` s for the real outcomes.
