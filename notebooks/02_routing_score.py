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
# # The Routing Score and its bounds
#
# The article scores a routing policy with one number, the **{term}`Routing Score <RS>`** (RS), and
# compares it with three "upper bounds". This chapter implements both exactly as the article writes them, works
# one small example by hand, and then asks what an RS number does and does not tell you.
#
# ```{admonition} Simulated data
# :class: warning
# Everything below the toy example is computed on **{term}`RouterBench-Sim`**, the simulated benchmark of
# chapter 01, not on the article's data, except the last section, [](real-outcomes-02), which
# repeats the analysis on RouterBench's own real outcomes. The article's own numbers are shown
# beside ours where it states them; they are never used as inputs here.
# ```

# %% tags=["parameters"]
# scale: size of the simulated benchmark (1.0 is the full 67,500 queries x 6 models)
# seed: seed of the simulated benchmark; n_seeds: seeds of the random-routing policy
scale = 1.0
seed = 0
n_seeds = 5
data_dir = None  # folder holding the real-data folders (None: ../shared/data beside the project)

# %% tags=["remove-input"]
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

import routerlab as rl
from routerlab import metrics
from routerlab.book import style
from routerlab.book.glue import glue_figure
from routerlab.book.glue import glue_dict
from routerlab.chapters import routing_score as ch
from routerlab.data.simulate import simulate

style.use()


NORMS = metrics.NORMALIZATIONS  # ("global", "per-query")

# %% [markdown]
# ## The definition
#
# For a policy $\pi$ that sends query $x_i$ to model $\pi(x_i)$, the article defines
#
# $$
# \mathrm{RS}(\pi) = \frac{1}{N}\sum_{i=1}^{N} q_i \left(1 - \frac{c_i - c_{\min}}{c_{\max} - c_{\min}}\right),
# $$
#
# where $q_i \in \{0, 1\}$ says whether the returned answer is correct and $c_i$ is the cost the
# policy **actually paid** for query $i$ (a cascade that called three models pays for three). The
# article writes a sum but reports numbers in $[0, 1]$, so RS here is the mean. A wrong answer scores
# 0 whatever it cost; a correct one scores 1 minus its normalised cost.
#
# The article never says what $c_{\min}$ and $c_{\max}$ are. We implement two readings:
#
# * **{term}`global <global normalisation>`** (the default): the minimum and maximum of the cost
#   matrix over all evaluated queries and models, one pair for the whole test set;
# * **{term}`per-query <per-query normalisation>`**: the cheapest and dearest model on each query
#   separately.
#
# A paid cost outside $[c_{\min}, c_{\max}]$ (a cascade can pay more than the dearest single call)
# is clipped, so each query contributes a number in $[0, 1]$ and so does RS.

# %% [markdown]
# ## A worked example by hand
#
# Three queries, three models; costs in thousandths of a dollar. The first query is easy (all three
# models answer it), the second is answered by the two larger models, the third by GPT-4o only.

# %%
toy_models = ["Llama-3-8B", "Mixtral-8x22B", "GPT-4o"]
toy_quality = np.array([[1, 1, 1],
                        [0, 1, 1],
                        [0, 0, 1]], dtype=float)
toy_cost = np.array([[1.0, 3.0, 9.0],
                     [1.0, 5.0, 11.0],
                     [2.0, 6.0, 21.0]])  # USD / 1000
queries = ["query 1", "query 2", "query 3"]
pd.concat({"correct?": pd.DataFrame(toy_quality.astype(int), index=queries, columns=toy_models),
           "cost (USD/1000)": pd.DataFrame(toy_cost, index=queries, columns=toy_models)}, axis=1
          ).style.format("{:g}")

# %% [markdown]
# Take the policy that sends each query to the cheapest model that answers it: Llama-3-8B,
# Mixtral-8x22B, GPT-4o. Under the **global** normalisation the range is the whole table:
# $c_{\min}$ = {glue:text}`toy_cmin:.0f` and $c_{\max}$ = {glue:text}`toy_cmax:.0f`, so
#
# * query 1: correct, paid {glue:text}`toy_paid_1:.0f`: $1 \times (1 - ($ {glue:text}`toy_paid_1:.0f` $-$ {glue:text}`toy_cmin:.0f` $) / ($ {glue:text}`toy_cmax:.0f` $-$ {glue:text}`toy_cmin:.0f` $))$ = {glue:text}`toy_term_1:.2f`;
# * query 2: correct, paid {glue:text}`toy_paid_2:.0f`: $1 \times (1 - ($ {glue:text}`toy_paid_2:.0f` $-$ {glue:text}`toy_cmin:.0f` $) / ($ {glue:text}`toy_cmax:.0f` $-$ {glue:text}`toy_cmin:.0f` $))$ = {glue:text}`toy_term_2:.2f`;
# * query 3: correct, paid {glue:text}`toy_paid_3:.0f`, which **is** $c_{\max}$: the factor is
#   {glue:text}`toy_term_3:.2f`. A correct answer at the dearest price scores exactly like a wrong one.
#
# RS = ({glue:text}`toy_term_1:.2f` + {glue:text}`toy_term_2:.2f` + {glue:text}`toy_term_3:.2f`) / 3
# = **{glue:text}`toy_rs_global:.3f`**, although every answer is correct.
#
# Under the **per-query** normalisation each row has its own range: query 1 runs from
# {glue:text}`toy_pq_lo_1:.0f` to {glue:text}`toy_pq_hi_1:.0f`, query 2 from
# {glue:text}`toy_pq_lo_2:.0f` to {glue:text}`toy_pq_hi_2:.0f`, query 3 from
# {glue:text}`toy_pq_lo_3:.0f` to {glue:text}`toy_pq_hi_3:.0f`. The factors are
# $1 - ($ {glue:text}`toy_paid_1:.0f` $-$ {glue:text}`toy_pq_lo_1:.0f` $) / ($ {glue:text}`toy_pq_hi_1:.0f` $-$ {glue:text}`toy_pq_lo_1:.0f` $)$ = {glue:text}`toy_pq_term_1:.2f`,
# $1 - ($ {glue:text}`toy_paid_2:.0f` $-$ {glue:text}`toy_pq_lo_2:.0f` $) / ($ {glue:text}`toy_pq_hi_2:.0f` $-$ {glue:text}`toy_pq_lo_2:.0f` $)$ = {glue:text}`toy_pq_term_2:.2f` and
# $1 - ($ {glue:text}`toy_paid_3:.0f` $-$ {glue:text}`toy_pq_lo_3:.0f` $) / ($ {glue:text}`toy_pq_hi_3:.0f` $-$ {glue:text}`toy_pq_lo_3:.0f` $)$ = {glue:text}`toy_pq_term_3:.2f`,
# so RS = **{glue:text}`toy_rs_pq:.3f`**. Same policy, same answers, a different number.
#
# The three fixed policies score (global) {glue:text}`toy_fixed_0:.3f` (Llama-3-8B),
# {glue:text}`toy_fixed_1:.3f` (Mixtral-8x22B) and {glue:text}`toy_fixed_2:.3f` (GPT-4o), and
# a uniformly random choice scores their mean, {glue:text}`toy_random:.3f`, in expectation (shown
# below on the simulated data).

# %%
# Step by step, exactly as in the text, then checked against routerlab.
toy_choice = np.array([0, 1, 2])
paid = toy_cost[np.arange(3), toy_choice]
correct = toy_quality[np.arange(3), toy_choice]
cmin, cmax = toy_cost.min(), toy_cost.max()
terms_global = correct * (1 - (paid - cmin) / (cmax - cmin))
lo_q, hi_q = toy_cost.min(axis=1), toy_cost.max(axis=1)
terms_pq = correct * (1 - (paid - lo_q) / (hi_q - lo_q))
rs_toy = {n: rl.routing_score(correct, paid, toy_cost, n) for n in NORMS}
assert np.isclose(terms_global.mean(), rs_toy["global"]) and np.isclose(terms_pq.mean(), rs_toy["per-query"])
assert np.array_equal(metrics.oracle_choice(toy_quality, toy_cost), toy_choice)  # it is the oracle
toy_fixed = [rl.routing_score(toy_quality[:, j], toy_cost[:, j], toy_cost) for j in range(3)]
style.table(pd.DataFrame({"paid": paid, "correct": correct, "global term": terms_global,
                          "per-query range": [f"{a:g} to {b:g}" for a, b in zip(lo_q, hi_q)],
                          "per-query term": terms_pq}, index=queries),
            digits=2, formats={"paid": "{:g}", "correct": "{:g}"})

# %% tags=["remove-input"]
glue_dict(ch.toy_values(paid, lo_q, hi_q, terms_global, terms_pq, rs_toy, toy_fixed, cmin, cmax))

# %% [markdown]
# ## The simulated benchmark
#
# From here on the data are **simulated** (RouterBench-Sim, chapter 01): {glue:text}`n_queries:,d`
# queries x {glue:text}`n_models:d` models = {glue:text}`n_outcomes:,d` outcomes (scale
# {glue:text}`scale:.2f`, seed {glue:text}`seed:d`). None of the policies below learns anything,
# so they are evaluated on every query, and the normalisation range is the whole benchmark.

# %%
bench = simulate(scale=scale, seed=seed)
assert bench.simulated
Q, C = bench.quality, bench.cost
names = bench.model_names
LLAMA, GPT4O = bench.model_index("Llama-3-8B-Instruct"), bench.model_index("GPT-4o")
accuracy = bench.accuracy()
short = {n: n.replace("-Instruct", "") for n in names}


def route(name, seed=0, **options):
    return rl.make_router(name, seed=seed, **options).fit(bench).route(bench)


def rs(routing, normalization="global", cost=C):
    return rl.routing_score(routing.returned_quality(Q), routing.paid(C), cost, normalization)


fixed = {n: route(f"fixed:{n}") for n in names}
rs_fixed = {norm: np.array([rs(fixed[n], norm) for n in names]) for norm in NORMS}

# %% tags=["remove-input"]
glue_dict(ch.bench_values(bench, scale, seed, n_seeds))

# %% [markdown]
# ## Which normalisation did the article use?
#
# Under the per-query normalisation the cheapest model of a query has normalised cost
# $(c_{\min} - c_{\min}) / (c_{\max} - c_{\min}) = 0$, so its factor is **exactly 1** and a correct
# answer from it scores 1. A policy that always picks the per-query cheapest model therefore has
# RS equal to its quality (the [ledger](90_ledger.ipynb)'s audit of the definition: "Per-query
# normalisation (min/max over the models for that query) gives the cheapest model a factor of
# exactly 1"). Llama-3-8B is the cheapest model on
# {glue:text}`llama_cheapest_share:.1%` of our simulated queries, so "Llama-3-8B fixed" under the
# per-query normalisation scores {glue:text}`llama_rs_pq:.3f` against a quality of
# {glue:text}`llama_quality:.3f` (gap {glue:text}`llama_pq_gap:.3f`; the always-cheapest policy
# has RS − quality = {glue:text}`cheapest_pq_gap:.3f`, zero up to rounding).
#
# The article reports Llama-3-8B fixed at RS {glue:text}`art_llama_rs:.3f` with quality
# {glue:text}`art_llama_q:.3f`: a gap of {glue:text}`art_llama_gap:.3f`. With a model that is the
# cheapest on essentially every query, the per-query reading cannot produce such a gap, while the
# global reading can: there Llama-3-8B's factor is below 1 whenever its own cost exceeds the global
# minimum. On our data the global gap is still small (RS {glue:text}`llama_rs_global:.3f`, gap
# {glue:text}`llama_global_gap:.4f`), because the gap depends on how far out $c_{\max}$ lies (see
# below). So the global normalisation is the default of this book and of its ledger.

# %%
cheapest = rl.Routing(C.argmin(axis=1))
cheapest_gap = rs(cheapest, "per-query") - cheapest.returned_quality(Q).mean()
assert abs(cheapest_gap) < 1e-12

# %% tags=["remove-input"]
glue_dict(ch.normalisation_values(bench, accuracy, rs_fixed, cheapest_gap))

# %% [markdown]
# ## The three bounds
#
# The article lists three bounds, all of which read the ground truth:
#
# * **{term}`OUB`** (oracle upper bound, the {term}`oracle`): for every query, the model with the
#   highest RS contribution (its {term}`cell score`). Ties (several models scoring the same) go to
#   the better answer, then the cheaper model.
# * **{term}`QOUB`** (quality-only): cost ignored; on every query a correct model if there is one, and
#   among the correct ones the most accurate model overall ("always choose the most accurate model").
# * **{term}`COUB`** (cost-only): the cheapest model that answers correctly (the cheapest model if none does).
#
# **OUB and COUB are the same policy**, as the [ledger](90_ledger.ipynb) records for the article's
# "COUB = cost-only bound, always choose the cheapest model that answers correctly". With $q \in \{0, 1\}$ a wrong
# answer contributes 0, and a correct answer from model $j$ contributes
# $1 - (c_{ij} - c_{\min}) / (c_{\max} - c_{\min})$, which decreases as $c_{ij}$ grows. So on every
# query where some model is correct, the best contribution is the cheapest correct model's: COUB's
# choice. Where nobody is correct all contributions are 0 and both take the cheapest model. The
# argument holds for both normalisations (only the constants change). One corner case: a correct
# answer whose cost equals $c_{\max}$ contributes 0, tying with the wrong answers; breaking that tie
# towards the correct answer keeps the two policies identical choice by choice.
#
# On the simulated data the two pick the same model on {glue:text}`oub_coub_same_global:.2%` of
# the queries under the global normalisation and {glue:text}`oub_coub_same_pq:.2%` under the
# per-query one, and their RS differ by {glue:text}`oub_coub_rs_diff:.3f`.
#
# **The oracle is at least as accurate as every single model** (the [ledger](90_ledger.ipynb)
# checks the article's oracle quality against this): it answers correctly whenever any model does. Ours has quality {glue:text}`oub_quality:.3f`
# against {glue:text}`best_single_quality:.3f` for the best single model
# ({glue:text}`best_single_name`). The article reports an oracle quality of
# {glue:text}`art_oub_q:.3f`, below its own GPT-4o fixed quality of {glue:text}`art_gpt4o_q:.3f`:
# impossible under its own definitions.

# %%
bounds = {}
for norm in NORMS:
    bounds[("OUB", norm)] = rl.Routing(metrics.oracle_choice(Q, C, norm))
bounds[("COUB", "any")] = rl.Routing(metrics.coub_choice(Q, C))
bounds[("QOUB", "any")] = rl.Routing(metrics.qoub_choice(Q))
rows = {}
for (bound, norm), r in bounds.items():
    rows[f"{bound} ({norm})"] = {"RS global": rs(r, "global"), "RS per-query": rs(r, "per-query"),
                                 "quality": r.returned_quality(Q).mean(),
                                 "mean cost (USD)": r.paid(C).mean()}
bounds_table = pd.DataFrame(rows).T
style.table(bounds_table, formats={"mean cost (USD)": "{:.2e}"})

# %% tags=["remove-input"]
glue_dict(ch.bounds_values(bench, bounds, accuracy, short))

# %% [markdown]
# The oracle's RS ({glue:text}`oub_rs:.3f`, global) exceeds QOUB's ({glue:text}`qoub_rs:.3f`)
# by {glue:text}`oub_minus_qoub:.3f` at the same quality ({glue:text}`qoub_quality:.3f`): QOUB
# answers just as many queries but pays for the most accurate model whenever it is right. Its mean
# cost per query is {glue:text}`qoub_cost_ratio:.1f` times the oracle's.

# %% [markdown]
# ## How much does RS depend on its normalisation?
#
# ### The six fixed models under each reading
#
# {numref}`fig-02-fixed-scores` puts each fixed model's quality beside its RS under the two
# readings; the table below it gives the numbers, the ranks and the ratio RS/quality.
#
# ```{glue:figure} fig_fixed_scores
# :name: "fig-02-fixed-scores"
# :alt: "Grouped horizontal bars for the six models: quality, RS with global normalisation and RS with per-query normalisation; GPT-4o's per-query RS is near zero"
# The six fixed-model policies on the simulated benchmark: quality and RS under the global and the
# per-query normalisation.
# ```

# %% tags=["remove-input"]
fixed_frame, fixed_table, fixed_values = ch.fixed_models(bench, accuracy, rs_fixed, short)
glue_dict(fixed_values)
fixed_table

# %% tags=["remove-input"]
fig, ax = plt.subplots(figsize=style.figsize(4.6))
ch.plot_fixed_scores(ax, fixed_frame)
glue_figure("fig_fixed_scores", fig)

# %% [markdown]
# Under the global normalisation the order is {glue:text}`rank_global`; under the per-query one it
# is {glue:text}`rank_pq` ({glue:text}`n_rank_changes:d` of the six models change rank). Globally,
# RS is almost the accuracy: RS/quality is at least {glue:text}`ratio_global_min_nongpt4o:.3f` for
# the five cheaper models and {glue:text}`ratio_global_gpt4o:.3f` for GPT-4o (RS
# {glue:text}`gpt4o_rs_global:.3f`, quality {glue:text}`gpt4o_quality:.3f`): the cost term only
# bites on the dearest model. Per query, GPT-4o is the dearest model on
# {glue:text}`gpt4o_dearest_share:.1%` of the queries, so its correct answers score (almost) nothing:
# RS {glue:text}`gpt4o_rs_pq:.3f`
# (RS/quality {glue:text}`ratio_pq_gpt4o:.3f`).
#
# ### One expensive cell moves the global RS
#
# The global normalisation divides by $c_{\max} - c_{\min}$, and $c_{\max}$ is a single
# (query, model) cell. Token counts are heavy-tailed, so that cell lies far out in the tail: the
# most expensive cell costs {glue:text}`cost_max:.4f` USD, {glue:text}`cost_max_over_gpt4o_mean:.0f`
# times GPT-4o's mean cost per query and {glue:text}`cost_max_over_p999:.1f` times the 99.9th
# percentile of all cells ({numref}`fig-02-cost-tail`).
#
# ```{glue:figure} fig_cost_tail
# :name: "fig-02-cost-tail"
# :alt: "Log-log survival curves of the per-query cost of the six models, GPT-4o's furthest right, with vertical lines at the global maximum cost and the 99.9th percentile of all cells"
# The share of queries costing more than a given amount, per model (simulated, log-log axes). The
# dashed line is the dearest single cell, the global $c_{\max}$; the dotted line the 99.9th
# percentile of all (query, model) cells.
# ```

# %% tags=["remove-input"]
caps = ch.cost_caps(bench, fixed, accuracy, short)
fig, ax = plt.subplots(figsize=style.figsize(4.6))
ch.plot_cost_tail(ax, bench, caps, [short[n] for n in names])
glue_figure("fig_cost_tail", fig)

# %% [markdown]
# Capping the costs at a lower $c_{\max}$ (every cell above the cap counts as costing the cap, i.e.
# a factor of 0) shows how much the top of the tail matters. Dropping only the single most
# expensive cell (capping at the second most expensive) changes a fixed model's global RS by at most
# {glue:text}`top1_max_change:.1e`; capping the top 0.1% of cells changes GPT-4o's RS by
# {glue:text}`top01_gpt4o_change:.3f` and Llama-3-8B's by {glue:text}`top01_llama_change:.4f`;
# capping the top 1% moves GPT-4o by {glue:text}`top1pct_gpt4o_change:.3f`
# ({numref}`fig-02-rs-cap`; the table gives RS for each cap, three decimals).
#
# ```{glue:figure} fig_rs_cap
# :name: "fig-02-rs-cap"
# :alt: "Global RS of the six fixed models against the share of cells capped, on a log axis; GPT-4o's RS falls as more cells are capped while the cheaper models barely move"
# Global RS of each fixed model as the dearest cells are capped (x: share of cells at or above the
# cap, log scale; left edge: no cap). Dotted lines: each model's quality. Simulated.
# ```

# %% tags=["remove-input"]
caps["table"]

# %% tags=["remove-input"]
fig, ax = plt.subplots(figsize=style.figsize(4.6))
ch.plot_rs_cap(ax, caps, [short[n] for n in names], accuracy)
glue_figure("fig_rs_cap", fig)

# %% tags=["remove-input"]
glue_dict(caps["values"])

# %% [markdown]
# ## Baseline policies
#
# Random (uniform over the six models, averaged over {glue:text}`n_seeds:d` seeds), Round Robin
# (model $i \bmod 6$ for the $i$-th query), the six fixed models, and the three bounds (which read
# the truth). Cost reduction is measured against the most expensive fixed model,
# {glue:text}`dearest_name` (RS global normalisation). {numref}`fig-02-baselines` places them in
# the quality-cost plane.
#
# ```{glue:figure} fig_baselines
# :name: "fig-02-baselines"
# :alt: "Scatter of quality against mean cost per query (log scale) for random, round robin, the six fixed models and the oracle bounds; OUB reaches the highest quality at a low cost"
# Baselines and bounds on the simulated benchmark: quality against mean cost per query (log
# scale). The oracle (OUB, which is also COUB) and QOUB read the answers; the others do not.
# ```

# %%
dearest = int(C.mean(axis=0).argmax())
ref_cost = C[:, dearest].mean()


def summary(routing):
    return metrics.policy_summary(routing.returned_quality(Q), routing.paid(C), C, ref_cost)


random_runs = pd.DataFrame([summary(route("random", seed=s)) for s in range(n_seeds)])
policies = {"Random": random_runs.mean(), "Round Robin": summary(route("round-robin"))}
policies |= {f"{short[n]} fixed": summary(fixed[n]) for n in names}
policies |= {"OUB (= COUB)": summary(bounds[("OUB", "global")]), "QOUB": summary(bounds[("QOUB", "any")])}
policy_table = pd.DataFrame(policies).T[["rs", "quality", "mean_cost", "cost_reduction"]]
policy_table.style.format({"rs": "{:.3f}", "quality": "{:.3f}", "mean_cost": "{:.2e}",
                           "cost_reduction": "{:.1%}"}).relabel_index(
    ["RS", "quality", "mean cost (USD)", "cost reduction"], axis="columns")

# %% tags=["remove-input"]
fig, ax = plt.subplots(figsize=style.figsize(4.8))
ch.plot_baselines(ax, policy_table)
glue_figure("fig_baselines", fig)

# %% [markdown]
# ### Random routing is the average of the fixed models
#
# Under either normalisation the range $c_{\min}, c_{\max}$ depends only on the cost matrix, not on
# the policy, so RS is linear in the per-query choices: a uniformly random policy has expected RS
# $\frac{1}{6}\sum_j \mathrm{RS}(\text{fixed } j)$ (the identity the [ledger](90_ledger.ipynb)
# applies to the article's Random RS). On our data the
# mean of the six fixed RS is {glue:text}`mean_fixed_rs:.4f` and random routing over
# {glue:text}`n_seeds:d` seeds scores {glue:text}`random_rs:.4f` (seed-to-seed standard deviation
# {glue:text}`random_rs_sd:.4f`). Round Robin, which shares the queries exactly equally, scores
# {glue:text}`rr_rs:.4f`.
#
# The article's Random (RS {glue:text}`art_random_rs:.3f`) beats both its GPT-4o fixed
# ({glue:text}`art_gpt4o_rs:.3f`) and Llama-3-8B fixed ({glue:text}`art_llama_rs:.3f`). By the identity,
# the other four models must then average {glue:text}`art_other4:.4f`; ours average
# {glue:text}`our_other4:.4f`.

# %% tags=["remove-input"]
glue_dict(ch.random_values(bench, rs_fixed, random_runs, policy_table, dearest, short, n_seeds))

# %% [markdown]
# ### What the article's pairs imply about cost
#
# For a fixed model with $q \in \{0, 1\}$, RS/quality is the mean of $1 - \tilde c_i$ over the
# queries it answers correctly ($\tilde c$ = normalised cost). The article's pairs give
# {glue:text}`art_ratio_llama:.3f` for Llama-3-8B and {glue:text}`art_ratio_gpt4o:.3f` for GPT-4o,
# i.e. mean normalised costs of {glue:text}`art_z_llama:.3f` and {glue:text}`art_z_gpt4o:.3f`
# (the [ledger](90_ledger.ipynb)'s audit of the article's "cost reduction of Llama-3-8B fixed
# relative to GPT-4o fixed"). If each model had a fixed cost and
# $c_{\min} \ge 0$, then $c_\text{llama} - c_{\min} = r\,(c_\text{gpt4o} - c_{\min})$ with
# $r$ = {glue:text}`art_z_ratio:.3f`, hence $c_\text{llama} \ge r\,c_\text{gpt4o}$: a cost
# reduction of **at most {glue:text}`art_max_reduction:.1%`**, not the
# {glue:text}`art_reduction:.1%` the article reports. The figures cannot all hold unless cost varies
# strongly with correctness.
#
# On the simulated data, with list prices, Llama-3-8B costs {glue:text}`our_reduction:.1%` less
# than GPT-4o per query, close to the article's figure, and its RS/quality is
# {glue:text}`our_ratio_llama:.3f` against {glue:text}`our_ratio_gpt4o:.3f` for GPT-4o: our
# heavy-tailed costs put $c_{\max}$ so far out that both models keep most of their quality. The same
# derivation applied to our pairs bounds the reduction at {glue:text}`our_max_reduction:.1%`,
# consistent with the {glue:text}`our_reduction:.1%` we measure: our numbers fit together. To
# bring GPT-4o's RS/quality down to the article's {glue:text}`art_ratio_gpt4o:.3f` we would have
# to cap $c_{\max}$ at {glue:text}`cap_for_article:.2e` USD (above which lie
# {glue:text}`cap_for_article_share:.1%` of all cells); Llama-3-8B's RS/quality would then be
# {glue:text}`llama_ratio_at_cap:.3f`, not the article's {glue:text}`art_ratio_llama:.3f`.

# %% tags=["remove-input"]
pairs = ch.article_pairs(bench, fixed, accuracy, caps["cells"])
pairs["table"]

# %% tags=["remove-input"]
glue_dict(pairs["values"])

# %% [markdown]
# ## What an RS number says, and what it does not
#
# * **It says** how often a policy is right, discounted by what it paid, on one fixed scale: RS is
#   at most the quality, and the oracle ({glue:text}`oub_rs:.3f` here) is the ceiling for every
#   policy on the same rows.
# * **It does not say** how much money was saved. Under the global normalisation the scale is set
#   by the single dearest (query, model) cell, so on heavy-tailed costs RS is almost the accuracy
#   (RS/quality {glue:text}`ratio_global_min_nongpt4o:.3f` or more for five of the six models).
#   Llama-3-8B fixed is {glue:text}`our_reduction:.1%` cheaper than GPT-4o fixed, yet its RS/quality
#   is only {glue:text}`ratio_gap_llama_gpt4o:.3f` higher; the global RS rank of
#   {glue:text}`n_rank_equal_acc:d` of the six fixed models equals their accuracy rank (GPT-4o
#   {glue:text}`gpt4o_rs_global:.3f`, Llama-3-8B {glue:text}`llama_rs_global:.3f`).
# * **It depends on the reading.** The same policy scores {glue:text}`gpt4o_rs_global:.3f`
#   (global) or {glue:text}`gpt4o_rs_pq:.3f` (per-query) for GPT-4o fixed, and capping the
#   top 1% of cells moves it by {glue:text}`top1pct_gpt4o_change:.3f`. RS numbers are comparable only
#   on the same rows, with the same normalisation and the same cost table.
# * **It is linear in the choices**, so random routing is just the average of the fixed models
#   ({glue:text}`random_rs:.4f` vs {glue:text}`mean_fixed_rs:.4f`), and the oracle and the
#   cost-only bound are one policy.
# * **The article's numbers do not fit together**: its oracle is less accurate than GPT-4o
#   ({glue:text}`art_oub_q:.3f` < {glue:text}`art_gpt4o_q:.3f`), and its RS/quality pairs allow
#   a Llama-3-8B cost reduction of at most {glue:text}`art_max_reduction:.1%` where it reports
#   {glue:text}`art_reduction:.1%`.

# %% [markdown]
# (real-outcomes-02)=
# ## On real outcomes: RouterBench's own costs
#
# ```{admonition} Real data used in this section
# :class: note
# {glue:text}`rb_status`
# ```
#
# Does any of this hold on real outcomes? The `routerbench-subset` source holds {term}`RouterBench`'s own
# per-query outcomes of {glue:text}`rb_n_models` LLMs on ARC-Challenge, MBPP and Winogrande, with
# the **real** cost RouterBench recorded for every call (not an estimate) and 0/1 quality. Everything
# above scored the policies on every simulated row. To put a real result beside a simulated one with
# the protocol of the learned routers, both are scored here on the **test rows** of
# {glue:text}`n_seeds:d` {term}`stratified <stratified split>` 80/20 splits (seeds 0 to {glue:text}`last_seed:d`), the
# normalisation range taken from each split's test rows; numbers are means over the splits with 95%
# t-intervals across them ({term}`seed intervals <seed interval>`) (each value is shown over its interval). The simulated column is
# therefore a little different from the all-rows numbers above (a test set holds less of the cost
# tail). {numref}`tbl-02-real-fixed` and {numref}`fig-02-real-scores` show RouterBench's eleven
# fixed models.
#
# ```{glue:figure} tbl_real_fixed
# :name: "tbl-02-real-fixed"
# :figclass: table
# :alt: "Table of RouterBench's eleven models: quality, RS under both normalisations with 95% intervals, and real mean cost per 1,000 queries"
# RouterBench's fixed models on real costs (test rows of every split): quality and RS under the two
# normalisations, each over its 95% interval across splits, and the mean recorded cost per 1,000
# queries; sorted by RS under the global normalisation.
# ```
#
# ```{glue:figure} fig_real_scores
# :name: "fig-02-real-scores"
# :alt: "Grouped horizontal bars for RouterBench's eleven models ordered by global RS: quality, global RS and per-query RS"
# RouterBench's eleven models with their real costs: quality and RS under the two normalisations
# (means over the test splits), ordered by RS under the global normalisation.
# ```

# %% tags=["remove-input"]
studies = ch.real_studies(bench, scale=scale, n_seeds=n_seeds, data_dir=data_dir)
glue_dict(studies["values"])

# %% tags=["remove-input"]
fig, ax = plt.subplots(figsize=style.figsize(6.2))
ch.plot_real_scores(ax, studies["real"])
glue_figure("fig_real_scores", fig)

# %% [markdown]
# **Which fixed model is best?** On RouterBench's real costs, the fixed model with the highest RS
# (global) is **{glue:text}`real_best_rs_name`** (RS {glue:text}`real_best_rs_rs`, quality
# {glue:text}`real_best_rs_q`), while the most accurate model is **{glue:text}`real_most_acc_name`**
# (quality {glue:text}`real_most_acc_q`, RS {glue:text}`real_most_acc_rs`). Under the same
# protocol on the simulator, the best by RS is {glue:text}`psim_best_rs_name` (RS
# {glue:text}`psim_best_rs_rs`, ahead of {glue:text}`psim_second_name` at
# {glue:text}`psim_second_rs`) and the most accurate is {glue:text}`psim_most_acc_name` (quality
# {glue:text}`psim_most_acc_q`).
#
# Whether the most accurate model also tops RS depends on the accuracy it buys and on how far the
# global $c_{\max}$ lies beyond what it usually costs. On a split's test rows the dearest
# real cell is {glue:text}`real_tail_ratio` times the mean cost of the dearest model
# ({glue:text}`real_dearest_name`; the dearest cell of the whole source costs
# {glue:text}`real_cost_max` USD), against {glue:text}`psim_tail_ratio` times on the simulator
# ({glue:text}`psim_dearest_name`). The closer $c_{\max}$, the more of its quality the dear model
# pays: its RS/quality is {glue:text}`real_dearest_ratio` on real costs and
# {glue:text}`psim_dearest_ratio` on the simulator. The simulator's answer here rests on its cost
# tail, which grows with the number of test rows (heavy-tailed token counts), so it can change with
# the scale of the run; the real answer is RouterBench's own costs on its own rows.
#
# **The normalisation reorders the models** on real costs too: {glue:text}`real_n_rank_changes` of the
# {glue:text}`real_n_models` models change rank between the global order
# ({glue:text}`real_order_global`) and the per-query one ({glue:text}`real_order_pq`); on the
# simulator {glue:text}`psim_n_rank_changes` of {glue:text}`psim_n_models` do. Per query, the dearest
# model of a query scores (almost) nothing even when it is right: {glue:text}`real_dearest_name` has
# a per-query RS of {glue:text}`real_dearest_rs_pq`.
#
# ```{glue:figure} tbl_bounds_compare
# :name: "tbl-02-bounds"
# :figclass: table
# :alt: "Table of OUB, QOUB and COUB on the simulated and the real benchmark: RS under both normalisations and quality, with 95% intervals"
# The three bounds on the test rows of every split, on the simulator and on RouterBench's real
# costs: RS under both normalisations and quality, each over its 95% interval.
# ```

# %% [markdown]
# **The bounds** ({numref}`tbl-02-bounds`). OUB and COUB choose the same model on {glue:text}`real_oub_coub_same_global` of
# the real test queries under the global normalisation ({glue:text}`real_oub_coub_ndiffer_global`
# differ over all splits) and on {glue:text}`real_oub_coub_same_pq` under the per-query one; on
# the simulator, {glue:text}`psim_oub_coub_same_global` and {glue:text}`psim_oub_coub_same_pq`. The
# derivation above needs only 0/1 quality and the tie-breaking rule, not any property of the
# costs, so it carries over to real costs. The oracle's RS on real outcomes is
# {glue:text}`real_oub_rs` (quality {glue:text}`real_oub_q`), against {glue:text}`real_qoub_rs`
# for QOUB: ignoring cost loses {glue:text}`real_oub_minus_qoub` of RS on real outcomes, where QOUB
# pays {glue:text}`real_qoub_cost_ratio` times the oracle's mean cost, and
# {glue:text}`psim_oub_minus_qoub` on the simulator (OUB {glue:text}`psim_oub_rs`, QOUB
# {glue:text}`psim_qoub_rs`), where it pays {glue:text}`psim_qoub_cost_ratio` times as much.
#
# Since the derivation holds for every benchmark whose quality is 0/1, "OUB and COUB choose the
# same model" is an **identity** there, not a finding the data could refute: the chapter
# [Does the simulator tell the truth?](09_simulator_truth.ipynb) shows it with its proof
# (`rs.oub_is_coub`) apart from the findings, and a brute-force test of the package checks it on
# random 0/1 tables. It can fail only where quality is graded (a score between 0 and 1): there the
# cheapest model with the best score may contribute less RS than a cheaper model with a slightly
# lower score. The finding `rs.oub_is_coub_graded` asks it on the real sources with graded scores
# (costs estimated, so compare the choices, not the RS): {glue:text}`graded_text`.

# %% tags=["remove-input"]
graded = ch.graded_studies(scale=scale, n_seeds=n_seeds, data_dir=data_dir)
glue_dict(graded["values"])

# %% tags=["remove-input"]
ch.record_findings(studies, n_seeds, graded)

# %% tags=["remove-input"]
ch.record_ledger(bench, accuracy=accuracy, rs_fixed=rs_fixed, bounds=bounds, rs_toy=rs_toy,
                 hand=(terms_global.mean(), terms_pq.mean()), cheapest_gap=cheapest_gap,
                 studies=studies, pairs=pairs, n_seeds=n_seeds)

# %% [markdown]
# (one-call-02)=
# ## One call moves RS
#
# Under the global normalisation every paid cost is divided by the range of the evaluated cost
# table, so the single dearest (query, model) cell of the test rows sets $c_{\max}$ for every policy
# scored on them. On `routerbench-subset` (real cost):
# {glue:text}`tc_routerbench_subset_text` The oracle mostly buys cheap correct answers, whose cost
# factors stay close to 1 whatever $c_{\max}$ is.
#
# {numref}`tbl-02-top-cell` and {numref}`fig-02-top-cell` do the same on the simulator and on every
# real source, on the test rows of the same splits (`routerlab.evaluation.top_cost_cell`). Across
# them, the largest change of a fixed model's RS on one split from one call is
# {glue:text}`tc_largest_text`. On the simulator: {glue:text}`tc_sim_text` Capping the top 0.1% of
# cells instead moves {glue:text}`tc_routerbench_subset_q_model` by {glue:text}`tc_routerbench_subset_q_move`
# on routerbench-subset and {glue:text}`tc_mmlu_pro_q_model` by {glue:text}`tc_mmlu_pro_q_move` on
# MMLU-Pro (estimated cost).
#
# ```{glue:figure} tbl_top_cell
# :name: "tbl-02-top-cell"
# :figclass: table
# :alt: "Table, one column per benchmark: its most expensive call, how many splits hold it, the fixed model it moves most and by how much, that model's spread over the splits with and without the call, the oracle's largest change and the change when the top 0.1% of cells are capped"
# The most expensive call of each benchmark and what it does to global RS on the test rows of the
# splits: the fixed model whose RS it moves most on one split, that model's spread over the
# splits as is and with the call capped at the next largest cost, the oracle's largest change, and
# for comparison the largest change when the top 0.1% of cells are capped. Costs on llmrouter,
# mmlu-pro and routellm are estimated.
# ```
#
# ```{glue:figure} fig_top_cell
# :name: "fig-02-top-cell"
# :alt: "Two dot plots, one row per benchmark: each fixed model's largest change of RS on one split as a dot and the oracle's as a diamond; top, when the single most expensive call is dropped or capped; bottom, when the top 0.1% of cells are capped"
# Largest change of each fixed model's global RS (dots) and of the oracle's (diamond) on one test
# split, per benchmark: top, the single most expensive call dropped or capped at the next largest
# cost (the larger change of the two); bottom, every cost capped at the 99.9th percentile of the
# cells. A benchmark whose dearest call lies in no split's test rows shows no change at the top.
# ```
#
# :::{admonition} Every fixed model and the oracle, on every benchmark
# :class: dropdown
# ```{glue} tbl_top_cell_models
# ```
# :::
#
# This is a property of the article's metric, not of a router. A policy's RS level depends on
# whether the dearest call happens to be among the rows it is scored on, so levels compared across
# splits, subsets or benchmarks carry this cell with them; two policies scored on the same rows
# share the same $c_{\max}$, which is why the routers of chapter 03 are compared by paired
# differences on the same test queries.

# %% tags=["remove-input"]
top_cell = ch.top_cell_studies(bench, studies["real_bench"], scale=scale, n_seeds=n_seeds, data_dir=data_dir)
glue_dict(ch.top_cell_values(top_cell, n_seeds))

# %% tags=["remove-input"]
fig, axes = plt.subplots(2, 1, figsize=style.figsize(5.2))
ch.plot_top_cell(axes, top_cell)
glue_figure("fig_top_cell", fig)
