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
# # The ten routing algorithms
#
# The heart of the article is one table: ten routing algorithms, from a coin flip to matrix
# factorisation, scored with the Routing Score under one protocol. This chapter runs all ten (plus
# three extras a reviewer would ask for, and the oracle bounds) under that protocol and sets our
# numbers beside the article's, cell by cell.
#
# ```{admonition} Simulated data
# :class: warning
# Every number in this chapter is measured on **RouterBench-Sim**, the simulated benchmark of
# chapter 01, not on the article's data. Agreement with the article therefore says the simulator
# and our implementations behave like the article's setting; disagreement can come from either
# side. The article's values are read from the project's copy of its claims and are never used as
# inputs.
# ```

# %% tags=["parameters"]
scale = 1.0       # 1.0 = the full simulated benchmark (67,500 queries x 6 models)
seed = 0          # seed of the simulated benchmark
n_seeds = 5       # train/test splits, seeds 0 .. n_seeds - 1 (the article averages 5)
cache_dir = None  # evaluation cache (None: $ROUTERLAB_CACHE_DIR if set, else no cache)

# %%
import time

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

import routerlab as rl
from routerlab.gluing import glue_value
from routerlab import ledger, plots
from routerlab.evaluation import evaluate
from routerlab.simulate import simulate

t_start = time.perf_counter()
CHAPTER = "03_algorithms"
CHEAP, STRONG = "Llama-3-8B-Instruct", "GPT-4o"


g = glue_value  # glue a plain Python number or string for the text


def article(claim_id):
    """The article's value for a claim (from the project's copy of claims.yaml)."""
    return float(ledger.claim(claim_id)["value"])

# %% [markdown]
# ## The protocol
#
# For each seed, the queries are split into a training set ({glue:text}`train_share:.0%`) and a test
# set ({glue:text}`test_share:.0%`), stratified by dataset x
# difficulty bin (the difficulty of a query is the share of the six models that answer it
# correctly), as the article describes. Every router is fitted on the training rows and then routes
# the test rows, seeing only what is knowable before answering (query features, prompt length,
# dataset label, and the confidence of a model it actually called); the test rows' quality and cost
# are hidden from it and used only for scoring. RS uses the **global** normalisation (chapter 02)
# on the test rows. Cost reduction is measured against GPT-4o fixed. Each number is the mean over
# the seeds, with two {glue:text}`ci_level:.0%` intervals: a t-interval across the seed means (how
# much the split matters) and a percentile bootstrap over test queries, {glue:text}`n_boot:,d`
# resamples per seed (how much the particular queries matter).
#
# The ten algorithms are the article's (its list, claims.yaml `algo.list`). Beside them: the other
# four fixed models, **kNN** and **MLP** (RouterBench's own predictive routers), **dataset-best**
# (for each dataset, the model with the best training RS: the strong query-blind baseline), and the
# bounds OUB, QOUB and COUB, which read the test truth by definition.

# %% tags=["remove-input"]
# The criteria of every check in this chapter, fixed before the evaluation below runs.
TOL = {"rs": 0.02, "quality": 0.02, "cost_reduction": 0.05}
EQUAL_TOL = 0.02
CI_LEVEL = 0.95       # both interval kinds (as computed by routerlab.evaluation)
TEST_SIZE = 0.2       # the article's 80/20 split
N_BOOT = 1000         # bootstrap resamples of the test queries per seed
# The article's results table: our policy name -> {metric: claim id}
ARTICLE_CELLS = {
    "oub": {"rs": "result.oracle.rs", "quality": "result.oracle.quality"},
    f"fixed:{STRONG}": {"rs": "result.gpt4o.rs", "quality": "result.gpt4o.quality"},
    f"fixed:{CHEAP}": {"rs": "result.llama8b.rs", "quality": "result.llama8b.quality",
                       "cost_reduction": "result.llama8b.cost_reduction"},
    "random": {"rs": "result.random.rs"},
    "mf": {"rs": "result.mf.rs", "quality": "result.mf.quality", "cost_reduction": "result.mf.cost_reduction"},
    "bert-cls": {"rs": "result.bert.rs"},
    "cascade": {"rs": "result.cascade.rs"},
    "frugalgpt": {"rs": "result.frugalgpt.rs"},
}
CALIBRATED = {"result.gpt4o.quality", "result.llama8b.quality"}
# audited in chapter 02 and on the errata page: the article's own figures contradict each other
INCONSISTENT = {"result.oracle.quality", "result.llama8b.cost_reduction"}
ARTICLE_TEN = ["random", "round-robin", f"fixed:{STRONG}", f"fixed:{CHEAP}", "causal-lm", "seq-cls",
               "bert-cls", "mf", "cascade", "frugalgpt"]
ORDER = ["mf", "bert-cls", ("cascade", "frugalgpt"), "random", f"fixed:{STRONG}", f"fixed:{CHEAP}"]


def number_check(ours, art, tol, intervals):
    """'reproduced' if |ours - article| <= tol or the article's value is inside any interval."""
    verdicts = [ledger.number_verdict(ours, art, tol, lo, hi) for lo, hi in intervals] or \
        [ledger.number_verdict(ours, art, tol)]
    return "reproduced" if "reproduced" in verdicts else "not reproduced"


g("tol_rs", TOL["rs"])
g("tol_cost", TOL["cost_reduction"])
g("tol_equal", EQUAL_TOL)
g("ci_level", CI_LEVEL)
g("test_share", TEST_SIZE)
g("train_share", 1 - TEST_SIZE)
g("n_boot", N_BOOT)

# %% [markdown]
# ## What counts as a match (fixed before any result is computed)
#
# The criteria below were written, and the code cell just above defines them, **before** the
# evaluation runs; nothing in them was tuned after seeing our numbers.
#
# * **A number** (RS, quality): it *matches* if our seed mean is within {glue:text}`tol_rs:.2f` of
#   the article's value, or if the article's value lies inside either of our {glue:text}`ci_level:.0%` intervals (across
#   seeds, or bootstrap over test queries). For a **cost reduction** the tolerance is
#   {glue:text}`tol_cost:.2f`, because the article rounds ("about
#   {glue:text}`art_result_mf_cost_reduction:.0%`").
# * The article's accuracies of GPT-4o fixed and Llama-3-8B fixed are **inputs** of the simulator
#   (chapter 01 calibrates them), so agreement there is "calibrated input", not evidence.
# * **MF is best** (`result.mf.best`): MF has the highest mean RS among the article's ten
#   algorithms.
# * **The ordering** (`result.ordering`, MF > BERT > Cascade = FrugalGPT > Random > GPT-4o fixed
#   > Llama-3-8B fixed): every adjacent ">" holds for our seed means, and the "=" holds within
#   {glue:text}`tol_equal:.2f`; the verdict is "reproduced" only if every relation holds.
# * **The gap to the oracle** (`result.oracle.gap`): OUB RS minus MF RS, judged like a number
#   (tolerance {glue:text}`tol_rs:.2f`, or the article's value inside its paired-bootstrap
#   interval).

# %% [markdown]
# ## The algorithms
#
# Each router carries an "algorithm card": its paradigm (the article's A: prediction-based, B:
# LLM-based cascade, C: semantic), what it learns, the label it is trained on, how it decides, and
# how it differs from the original implementation. The query-blind baselines and the bounds are
# described in chapter 02.

# %%
bench = simulate(scale=scale, seed=seed)
seeds = list(range(n_seeds))
policies = rl.evaluation.policy_names(bench, "all")
BASIC_CARDS = {
    "random": ("baseline", "nothing", "none", "a uniformly random model per query (seeded)"),
    "round-robin": ("baseline", "nothing", "none", "model i mod 6 for the i-th test query"),
    "oub": ("bound", "nothing (reads the test truth)", "none", "per query, the model with the best RS term"),
    "qoub": ("bound", "overall training accuracy (tie-break)", "none", "per query, a model with the best quality"),
    "coub": ("bound", "nothing (reads the test truth)", "none", "per query, the cheapest correct model"),
}
cards = []
for name in policies:
    card = getattr(rl.make_router(name), "card", None) or {}
    if name.startswith("fixed:") and not card:
        card = {"paradigm": "single model", "learns": "nothing", "label": "none",
                "decision": f"always {name.split(':', 1)[1]}", "differs": "-"}
    elif name in BASIC_CARDS and not card:
        p, learns, label, decision = BASIC_CARDS[name]
        card = {"paradigm": p, "learns": learns, "label": label, "decision": decision, "differs": "-"}
    cards.append({"policy": name, **{k: card.get(k, "") for k in ("paradigm", "learns", "label", "decision",
                                                                   "differs")}})
card_table = pd.DataFrame(cards).set_index("policy")
g("n_queries", bench.n_queries)
g("n_outcomes", bench.n_queries * bench.n_models)
g("n_seeds", n_seeds)
g("n_policies", len(policies))
with pd.option_context("display.max_colwidth", None):
    display(card_table)

# %% [markdown]
# ## Results
#
# The evaluation below covers {glue:text}`n_policies:d` policies on {glue:text}`n_queries:,d`
# simulated queries ({glue:text}`n_outcomes:,d` outcomes), over {glue:text}`n_seeds:d` splits.

# %%
t_eval = time.perf_counter()
result = rl.evaluation.book_evaluation(bench, n_seeds=n_seeds, cache_dir=cache_dir)
assert result.policies == policies and result.params["test_size"] == TEST_SIZE
assert result.params["bootstrap"] == N_BOOT
g("eval_seconds", time.perf_counter() - t_eval)
g("eval_source", "read from the evaluation cache" if result.from_cache else "computed in this run")
summary = result.summary()
print(f"evaluation {'from cache' if result.from_cache else 'computed'} in "
      f"{time.perf_counter() - t_eval:.1f} s (fit + route over all seeds: "
      f"{result.per_seed['fit_seconds'].sum() + result.per_seed['route_seconds'].sum():.1f} s)")

# %% [markdown]
# ### The main table, ours beside the article's
#
# Ours: mean over seeds, then the {glue:text}`ci_level:.0%` interval across seeds and the bootstrap interval over test
# queries in brackets. "Article" is blank where the article gives no value. "Check" applies the
# criteria fixed above to every filled cell.

# %%
rows, checks = [], {}
for name in policies:
    s = summary.loc[name]
    row = {"policy": name, "paradigm": s["paradigm"]}
    for mtr, fmt in (("rs", "{:.3f}"), ("quality", "{:.3f}"), ("cost_reduction", "{:.1%}")):
        v, ls, hs, lb, hb = (s[mtr], s[f"{mtr}_lo_seeds"], s[f"{mtr}_hi_seeds"],
                             s[f"{mtr}_lo_boot"], s[f"{mtr}_hi_boot"])
        row[f"{mtr} (ours)"] = (fmt.format(v) + f"  [{fmt.format(ls)}, {fmt.format(hs)}]"
                                + f"  [{fmt.format(lb)}, {fmt.format(hb)}]")
        cid = ARTICLE_CELLS.get(name, {}).get(mtr)
        if cid is None:
            row[f"{mtr} (article)"] = ""
            continue
        art = article(cid)
        verdict = number_check(v, art, TOL[mtr], [(ls, hs), (lb, hb)])
        checks[cid] = {"ours": float(v), "article": art, "lo": float(ls), "hi": float(hs),
                       "lo_boot": float(lb), "hi_boot": float(hb), "verdict": verdict, "metric": mtr}
        tag = ("calibrated input" if cid in CALIBRATED else
               "matches" if verdict == "reproduced" else "differs")
        if cid in INCONSISTENT:
            tag += "; inconsistent in the source"
        row[f"{mtr} (article)"] = fmt.format(art) + f"  ({tag})"
    rows.append(row)
main_table = pd.DataFrame(rows).set_index("policy")
with pd.option_context("display.max_colwidth", None):
    display(main_table)

# %% tags=["remove-input"]
def slug(name):
    return "".join(c if c.isalnum() else "_" for c in name.lower())


for name in policies:
    s = summary.loc[name]
    for mtr in ("rs", "quality", "cost_reduction", "mean_cost"):
        g(f"{slug(name)}_{mtr}", s[mtr])
    for mtr in ("rs",):
        g(f"{slug(name)}_{mtr}_lo", s[f"{mtr}_lo_seeds"])
        g(f"{slug(name)}_{mtr}_hi", s[f"{mtr}_hi_seeds"])
        g(f"{slug(name)}_{mtr}_lo_boot", s[f"{mtr}_lo_boot"])
        g(f"{slug(name)}_{mtr}_hi_boot", s[f"{mtr}_hi_boot"])
for cid, c in checks.items():
    g(f"art_{slug(cid)}", c["article"])
    g(f"check_{slug(cid)}", "matches" if c["verdict"] == "reproduced" else "does not match")
n_cells = len(checks)
n_match = sum(c["verdict"] == "reproduced" for c in checks.values())
n_evidence = sum(cid not in CALIBRATED and cid not in INCONSISTENT for cid in checks)
n_evidence_match = sum(c["verdict"] == "reproduced" for cid, c in checks.items()
                       if cid not in CALIBRATED and cid not in INCONSISTENT)
g("n_cells", n_cells)
g("n_match", n_match)
g("n_evidence", n_evidence)
g("n_evidence_match", n_evidence_match)
best_single = summary.loc[[p for p in policies if p.startswith("fixed:")], "rs"].idxmax()
g("best_single_name", best_single.split(":", 1)[1])
# For a fixed model, RS / quality = mean of (1 - normalised cost) over its correct answers.
g("gpt4o_factor_ours", summary.loc[f"fixed:{STRONG}", "rs"] / summary.loc[f"fixed:{STRONG}", "quality"])
g("gpt4o_factor_article", article("result.gpt4o.rs") / article("result.gpt4o.quality"))
g("llama_factor_ours", summary.loc[f"fixed:{CHEAP}", "rs"] / summary.loc[f"fixed:{CHEAP}", "quality"])
g("llama_factor_article", article("result.llama8b.rs") / article("result.llama8b.quality"))
g("best_single_rs", summary.loc[best_single, "rs"])
evidence = {cid: c for cid, c in checks.items() if cid not in CALIBRATED and cid not in INCONSISTENT}
matched = [cid for cid, c in evidence.items() if c["verdict"] == "reproduced"]
missed = [cid for cid, c in evidence.items() if c["verdict"] != "reproduced"]
g("matched_list", ", ".join(matched) or "none")
g("missed_list", ", ".join(missed) or "none")
g("n_calibrated", sum(cid in CALIBRATED for cid in checks))
g("n_inconsistent", sum(cid in INCONSISTENT for cid in checks))

# %% [markdown]
# Of the {glue:text}`n_cells:d` cells the article fills, {glue:text}`n_match:d` match by the
# criteria above. Of these, {glue:text}`n_calibrated:d` (the accuracies of GPT-4o and Llama-3-8B
# fixed) are calibrated inputs and {glue:text}`n_inconsistent:d` (the oracle's quality and
# Llama-3-8B's cost reduction) contradict the article's own other figures (chapter 02 and the
# errata page), which leaves {glue:text}`n_evidence:d` cells that are
# evidence; {glue:text}`n_evidence_match:d` of those match. Matching among them:
# {glue:text}`matched_list`. Not matching: {glue:text}`missed_list`.
#
# MF reaches RS {glue:text}`mf_rs:.3f` ({glue:text}`ci_level:.0%` across seeds {glue:text}`mf_rs_lo:.3f` to
# {glue:text}`mf_rs_hi:.3f`; article {glue:text}`art_result_mf_rs:.3f`, {glue:text}`check_result_mf_rs`)
# at quality {glue:text}`mf_quality:.3f` (article {glue:text}`art_result_mf_quality:.3f`,
# {glue:text}`check_result_mf_quality`) and a cost reduction of {glue:text}`mf_cost_reduction:.1%`
# against GPT-4o fixed (article {glue:text}`art_result_mf_cost_reduction:.0%`,
# {glue:text}`check_result_mf_cost_reduction`). The oracle bound OUB reaches
# {glue:text}`oub_rs:.3f` (article {glue:text}`art_result_oracle_rs:.3f`,
# {glue:text}`check_result_oracle_rs`). GPT-4o fixed scores {glue:text}`fixed_gpt_4o_rs:.3f`
# (article {glue:text}`art_result_gpt4o_rs:.3f`, {glue:text}`check_result_gpt4o_rs`) and Llama-3-8B
# fixed {glue:text}`fixed_llama_3_8b_instruct_rs:.3f` (article {glue:text}`art_result_llama8b_rs:.3f`,
# {glue:text}`check_result_llama8b_rs`). The best single model on our test splits is
# {glue:text}`best_single_name` with RS {glue:text}`best_single_rs:.3f`.
#
# Why the RS levels differ: for a fixed model, RS divided by quality is the mean cost factor
# (1 - normalised cost) over its correct answers. The article's pairs give
# {glue:text}`gpt4o_factor_article:.3f` for GPT-4o and {glue:text}`llama_factor_article:.3f` for
# Llama-3-8B; ours are {glue:text}`gpt4o_factor_ours:.3f` and {glue:text}`llama_factor_ours:.3f`.
# With the global normalisation and our heavy-tailed token costs, the dearest (query, model) cell
# sets cost_max far above a typical call, so every model's cost factor is close to 1 and RS sits
# close to quality (chapter 02 shows this). Every router's RS is lifted the same way, so the
# levels in the table are not comparable with the article's, while differences between policies
# on the same test rows are.

# %% [markdown]
# ### Orderings and the gap to the oracle

# %%
rs = summary["rs"]
ten = [p for p in ARTICLE_TEN if p in rs.index]
best_of_ten = rs[ten].idxmax()
non_bounds = [p for p in policies if not result.policy_info[p]["uses_truth"]]
best_overall = rs[non_bounds].idxmax()
paired = result.paired("mf")
pm = paired.set_index("policy")
runner_up = rs[[p for p in ten if p != "mf"]].idxmax()

# the article's ordering: adjacent relations
relations = []
for a, b in zip(ORDER[:-1], ORDER[1:]):
    # a pair written "Cascade = FrugalGPT": its lower member must beat what follows, its upper
    # member must lose to what precedes
    ra = min(rs[x] for x in a) if isinstance(a, tuple) else rs[a]
    rb = max(rs[x] for x in b) if isinstance(b, tuple) else rs[b]
    la = f"min({', '.join(a)})" if isinstance(a, tuple) else a
    lb = f"max({', '.join(b)})" if isinstance(b, tuple) else b
    relations.append((la, ">", lb, bool(ra > rb)))
cas, fru = ORDER[2]
relations.append((cas, "=", fru, bool(abs(rs[cas] - rs[fru]) <= EQUAL_TOL)))
rel_table = pd.DataFrame(relations, columns=["left", "relation", "right", "holds"])
display(rel_table)
ours_order = " > ".join(f"{p} ({rs[p]:.3f})" for p in rs[[p for p in ORDER if not isinstance(p, tuple)]
                                                       + list(ORDER[2])].sort_values(ascending=False).index)
gap = rs["oub"] - rs["mf"]
gap_lo, gap_hi = pm.loc["oub", "lo"], pm.loc["oub", "hi"]  # paired: OUB - MF on the same resamples
print("our ordering of the article's seven:", ours_order)
print(f"OUB - MF = {gap:.3f}  (95% paired bootstrap {gap_lo:.3f} to {gap_hi:.3f})")

# %% tags=["remove-input"]
g("best_of_ten", best_of_ten)
g("best_overall", best_overall)
g("best_overall_rs", rs[best_overall])
g("runner_up", runner_up)
g("runner_up_rs", rs[runner_up])
g("runner_up_diff", pm.loc[runner_up, "diff"])
g("runner_up_lo", pm.loc[runner_up, "lo"])
g("runner_up_hi", pm.loc[runner_up, "hi"])
g("runner_up_p", pm.loc[runner_up, "p_value"])
g("mf_best_verdict", "holds" if best_of_ten == "mf" else "does not hold")
g("n_relations", len(relations))
g("n_relations_hold", sum(r[3] for r in relations))
g("ours_order", ours_order)
g("gap", gap)
g("gap_lo", gap_lo)
g("gap_hi", gap_hi)
g("art_gap", article("result.oracle.gap"))
gap_verdict = number_check(gap, article("result.oracle.gap"), TOL["rs"], [(gap_lo, gap_hi)])
g("gap_verdict", "matches" if gap_verdict == "reproduced" else "does not match")
fixed_mean = float(np.mean([rs[f"fixed:{m}"] for m in bench.model_names]))
g("fixed_mean_rs", fixed_mean)
g("random_minus_fixed_mean", rs["random"] - fixed_mean)
g("random_lo_boot", summary.loc["random", "rs_lo_boot"])
g("random_hi_boot", summary.loc["random", "rs_hi_boot"])
dsb_gain = summary.loc["mf", "gain_vs_dataset_best"] if "dataset-best" in policies else float("nan")
g("mf_gain_vs_dataset_best", dsb_gain)
g("mf_gain_vs_best_single", summary.loc["mf", "gain_vs_best_single"])
g("mf_vs_dsb_lo", pm.loc["dataset-best", "lo"] if "dataset-best" in pm.index else float("nan"))
g("mf_vs_dsb_hi", pm.loc["dataset-best", "hi"] if "dataset-best" in pm.index else float("nan"))

# %% [markdown]
# * **MF is best among the ten** {glue:text}`mf_best_verdict`: the best of the article's ten on our
#   data is {glue:text}`best_of_ten`, and the runner-up to MF is {glue:text}`runner_up` with RS
#   {glue:text}`runner_up_rs:.3f`, {glue:text}`runner_up_diff:+.3f` against MF ({glue:text}`ci_level:.0%` paired bootstrap
#   {glue:text}`runner_up_lo:+.3f` to {glue:text}`runner_up_hi:+.3f`, bootstrap p
#   {glue:text}`runner_up_p:.3f`). Counting every policy that does not read the test truth,
#   the best is {glue:text}`best_overall` (RS {glue:text}`best_overall_rs:.3f`).
# * **The article's ordering**: {glue:text}`n_relations_hold:d` of its {glue:text}`n_relations:d`
#   relations hold on our data. Our order of the same policies: {glue:text}`ours_order`.
# * **Gap to the oracle**: OUB minus MF is {glue:text}`gap:.3f` ({glue:text}`ci_level:.0%` paired bootstrap
#   {glue:text}`gap_lo:.3f` to {glue:text}`gap_hi:.3f`); the article reports
#   {glue:text}`art_gap:.3f`, so this {glue:text}`gap_verdict`.
# * **Against the baselines a reviewer asks for first**: MF gains {glue:text}`mf_gain_vs_best_single:+.3f`
#   RS over the best single model of each split and {glue:text}`mf_gain_vs_dataset_best:+.3f` over
#   dataset-best (RS {glue:text}`dataset_best_rs:.3f`; paired interval of dataset-best minus MF
#   {glue:text}`mf_vs_dsb_lo:+.3f` to {glue:text}`mf_vs_dsb_hi:+.3f`).
# * **The random-routing identity** (claims.yaml audit of `result.random.rs`): in expectation,
#   uniform random routing scores the mean of the six fixed models' RS. Here random scores
#   {glue:text}`random_rs:.3f` and the mean of the six fixed models is {glue:text}`fixed_mean_rs:.3f`
#   (difference {glue:text}`random_minus_fixed_mean:+.4f`; random's bootstrap interval
#   {glue:text}`random_lo_boot:.3f` to {glue:text}`random_hi_boot:.3f`).

# %% [markdown]
# ### Every policy's RS with both intervals

# %%
art_rs = {p: article(c["rs"]) for p, c in ARTICLE_CELLS.items() if "rs" in c}
fig, ax = plt.subplots(figsize=(7.5, 0.32 * len(policies) + 1.2))
plots.plot_policy_intervals(ax, summary, "rs", article=art_rs,
                            xlabel="Routing Score (global normalisation, test rows)")
ax.set_title("RS per policy (simulated data); red: the article's value")
fig.tight_layout()
plt.show()

# %% [markdown]
# ### Cost against quality
#
# The x axis is each policy's mean cost divided by GPT-4o fixed's, i.e. one minus the cost
# reduction, the scale on which the article reports cost; the article's three policies with both a
# quality and a cost reduction are placed on it in red. Vertical bars: {glue:text}`ci_level:.0%` intervals across seeds.

# %%
ref_cost = summary.loc[f"fixed:{STRONG}", "mean_cost"]
art_points = {
    "GPT-4o fixed": (1.0, article("result.gpt4o.quality")),
    "Llama-3-8B fixed": (1.0 - article("result.llama8b.cost_reduction"), article("result.llama8b.quality")),
    "MF": (1.0 - article("result.mf.cost_reduction"), article("result.mf.quality")),
}
fig, ax = plt.subplots(figsize=(8, 5.5))
plots.plot_cost_quality_policies(ax, summary, ref_cost, paradigm=summary["paradigm"].to_dict(),
                                 article=art_points)
ax.set_title("Quality vs relative cost, every policy (simulated data)")
fig.tight_layout()
plt.show()

# %% [markdown]
# ### Which models the policies use
#
# The share of test queries each policy answers with each model (mean over seeds). For the
# cascades this is the model whose answer is returned; they also pay for every cheaper model they
# called first ({glue:text}`cascade_calls:.2f` calls per query for the cascade,
# {glue:text}`frugalgpt_calls:.2f` for FrugalGPT).

# %%
shares = (result.shares().pivot(index="policy", columns="model", values="share")
          .reindex(index=policies, columns=bench.model_names))
fig, ax = plt.subplots(figsize=(8, 0.3 * len(policies) + 2))
plots.plot_usage_shares(ax, shares)
ax.set_title("Share of test queries per model (simulated data)")
fig.tight_layout()
plt.show()

# %% tags=["remove-input"]
g("cascade_calls", summary.loc["cascade", "calls_per_query"] if "cascade" in policies else float("nan"))
g("frugalgpt_calls", summary.loc["frugalgpt", "calls_per_query"] if "frugalgpt" in policies else float("nan"))
g("mf_share_cheap", shares.loc["mf", CHEAP])
g("mf_share_strong", shares.loc["mf", STRONG])
g("oub_share_cheap", shares.loc["oub", CHEAP])
g("oub_share_strong", shares.loc["oub", STRONG])

# %% [markdown]
# MF sends {glue:text}`mf_share_cheap:.1%` of the test queries to Llama-3-8B and
# {glue:text}`mf_share_strong:.1%` to GPT-4o; the oracle sends {glue:text}`oub_share_cheap:.1%` and
# {glue:text}`oub_share_strong:.1%`.
#
# ### Paired comparisons against MF
#
# Each router's RS minus MF's on the same resampled test queries ({glue:text}`n_boot:,d` bootstrap
# resamples per seed, averaged over seeds): a difference whose interval excludes zero is not an
# accident of the
# particular test queries. "p" is the two-sided bootstrap share, "seeds better" how many of the
# splits the router beat MF on.

# %%
display(paired.set_index("policy").drop(columns="reference").round(4))
fig, ax = plt.subplots(figsize=(7, 0.3 * len(paired) + 1.2))
plots.plot_paired_differences(ax, paired)
ax.set_title("RS difference to MF (simulated data)")
fig.tight_layout()
plt.show()

# %% tags=["remove-input"]
routers_only = paired[~paired["policy"].isin([p for p in policies if result.policy_info[p]["uses_truth"]])]
g("n_beat_mf", int((routers_only["lo"] > 0).sum()))
g("n_below_mf", int((routers_only["hi"] < 0).sum()))
g("n_tied_mf", int(((routers_only["lo"] <= 0) & (routers_only["hi"] >= 0)).sum()))

# %% [markdown]
# Of the policies that do not read the test truth, {glue:text}`n_beat_mf:d` beat MF with an interval
# excluding zero, {glue:text}`n_below_mf:d` are below it, and {glue:text}`n_tied_mf:d` cannot be told
# apart from it on these test sets.
#
# ## What this does and does not show
#
# The numbers are measured on simulated data whose per-model accuracies are calibrated to public
# leaderboards and whose query features carry a chosen share of the signal (chapter 01, and chapter
# 06 for how the routers' gains depend on it). A match with the article shows that the article's
# table is *consistent with* such a world; a mismatch in a router's RS says that router, as we
# implement it, gains more or less from the simulated features than the article's did from its
# data. The bounds and the fixed policies depend only on the simulated outcomes and costs, not on
# the routers.

# %% tags=["remove-input"]
# The reproduction ledger: one entry per claim this chapter checks.
crit_num = ("|ours - article| <= {tol} or the article's value inside our 95% interval "
            "(across seeds or bootstrap over test queries); fixed before the evaluation")
for cid, c in checks.items():
    if cid in INCONSISTENT:
        continue  # chapter 02 and the ledger page record these audited claims
    verdict = "calibrated input" if cid in CALIBRATED else c["verdict"]
    ledger.record(cid, ours=c["ours"], lo=c["lo"], hi=c["hi"], verdict=verdict, chapter=CHAPTER,
                  criterion=crit_num.format(tol=TOL[c["metric"]]),
                  note=f"bootstrap interval {c['lo_boot']:.3f} to {c['hi_boot']:.3f}; simulated data")
ledger.record("result.mf.best", ours=f"best of the ten: {best_of_ten}", chapter=CHAPTER,
              verdict="reproduced" if best_of_ten == "mf" else "not reproduced",
              criterion="MF has the highest mean RS among the article's ten algorithms",
              note=f"runner-up {runner_up}, diff {pm.loc[runner_up, 'diff']:+.3f} "
                   f"[{pm.loc[runner_up, 'lo']:+.3f}, {pm.loc[runner_up, 'hi']:+.3f}] vs MF; simulated data")
ledger.record("result.ordering", ours=ours_order, chapter=CHAPTER,
              verdict="reproduced" if all(r[3] for r in relations) else "not reproduced",
              criterion=f"each adjacent '>' holds for the seed means and the '=' within {EQUAL_TOL}",
              note=f"{sum(r[3] for r in relations)} of {len(relations)} relations hold; simulated data")
ledger.record("result.oracle.gap", ours=gap, lo=gap_lo, hi=gap_hi, verdict=gap_verdict, chapter=CHAPTER,
              criterion=crit_num.format(tol=TOL["rs"]).replace("across seeds or bootstrap over test queries",
                                                               "paired bootstrap"),
              note="OUB RS minus MF RS; simulated data")
ledger.record("algo.list", ours=f"all ten implemented, plus kNN, MLP and dataset-best ({len(policies)} policies)",
              verdict="reproduced", chapter=CHAPTER,
              criterion="each of the ten is a distinct method with its own algorithm card",
              note="see the algorithm cards; how each differs from the original is stated there")
ledger.record("setting.split", ours=f"80/20 stratified by dataset x difficulty bin, seeds 0-{n_seeds - 1}",
              verdict="reproduced", chapter=CHAPTER,
              criterion="the protocol of chapter 03 uses the article's split",
              note="a setting we adopt; chapter 06 compares it with a plain random split")
g("chapter_seconds", time.perf_counter() - t_start)
import resource  # noqa: E402  (peak memory of this kernel, for the speed budget)

g("peak_memory_mb", resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)

# %% [markdown]
# This chapter ran in {glue:text}`chapter_seconds:.0f` s with a peak memory of
# {glue:text}`peak_memory_mb:,.0f` MB; the evaluation was {glue:text}`eval_source`
# ({glue:text}`eval_seconds:.0f` s).
