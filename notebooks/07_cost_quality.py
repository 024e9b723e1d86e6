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
# # The cost-quality plane: hulls, AIQ, and whether RS agrees
#
# The article scores each router with one number, the {term}`Routing Score` (RS), at one
# {term}`operating point`. The {term}`RouterBench` paper this book's article is named after
# {cite:p}`hu2024routerbench` scores routers differently: a router is a **curve** in the
# cost-quality plane, traced by a knob that trades money for quality, and its summary is the area
# under that curve's **{term}`non-decreasing convex hull <NDCH>`** (NDCH), the **{term}`AIQ`**
# (average improvement in quality). This chapter draws every router's curve and hull, the
# "{term}`zero router`" (what mixing fixed models buys), its **task-aware** counterpart (what
# knowing each query's dataset buys, without reading the query) and the {term}`oracle`, computes
# AIQ in both of its published normalisations, pooled and per dataset, and asks whether RS and AIQ
# rank the routers the same way.
#
# ```{admonition} Simulated data
# :class: warning
# Every number below comes from **{term}`RouterBench-Sim`**, the simulated benchmark of chapter
# 01, not from the article's or RouterBench's data, except the last section, [](real-outcomes-07),
# which runs the same study on real outcomes (RouterBench's own, with real costs, and
# {term}`LLMRouter`'s and {term}`MMLU-Pro`'s, with {term}`estimated costs <estimated cost>`).
# Chapter 08 runs the two-model metrics on real {term}`RouteLLM` outcomes.
# ```
#
# **The hull.** Two operating points of a router can be mixed at random (send a share of queries
# one way and the rest the other), which reaches every point of the segment between them; and
# money can always be wasted, so quality never has to fall when the budget grows. The achievable
# frontier is therefore the upper convex hull of the points with its decreasing part removed
# (`routerlab.metrics.ndch`, O(n log n)). **AIQ** is the area under the hull, extended flat to a
# common largest cost $c_{\max}$ (the largest hull cost among the routers compared) and divided by
# $c_{\max}$, as RouterBench's code does ("cmax"), or integrated from a common smallest cost
# $c_{\min}$ and divided by $c_{\max} - c_{\min}$, as its paper writes ("range"). Left of a router's cheapest point the
# hull contributes nothing: the router cannot operate there.
#
# **Pooled or per dataset.** *Pooled* AIQ (columns `aiq_cmax`, `aiq_range` of the study) traces
# every curve on all test rows of a split at once, with one common $c_{\max}$. *Per-dataset* AIQ
# (`aiq_cmax_ds`, `aiq_range_ds`) traces every curve, hull and AIQ on one dataset's test rows,
# with that dataset's own $c_{\max}$ (and $c_{\min}$), then averages over the datasets, as
# RouterBench reports it. The two differ in what the zero router knows. Pooled, the zero router
# mixes single models each used on *every* dataset, while the routers read the dataset label
# among their features (a one-hot code): they know the task and the zero router does not. Per
# dataset, the zero router is rebuilt on each dataset, so both sides know the task.
# The **task-aware zero router** gives the pooled reading a reference that knows the task: for each
# willingness to pay $\lambda$ (below), per dataset, it sends every query to the one fixed model that
# the training rows favour under the routers' own rule (the highest $\lambda \cdot$ training accuracy $-$
# price); it reads no query text. Every AIQ below says which reading it is.

# %% tags=["parameters"]
scale = 1.0        # share of the full simulated benchmark (67,500 queries x 6 models at 1.0)
seed = 0           # seed of the simulated benchmark
n_seeds = 5        # train/test splits, seeds 0 .. n_seeds - 1
judge_error = 0.2  # error rate of the simulated judge of RouterBench's cascade (it plots 0.2)
data_dir = None    # folder holding the real-data folders (None: ../shared/data beside the project)

# %% tags=["remove-input"]
import time

from routerlab.book import style
from routerlab.book.glue import glue_figure
from routerlab.chapters import cost_quality as ch
from routerlab.data.simulate import simulate
from routerlab.evaluation import cost_quality as frontiers
from routerlab.evaluation import curves as cv

style.use()
t_start = time.perf_counter()
bench = simulate(scale=scale, seed=seed)
ch.glue_all({"n_queries": bench.n_queries, "n_seeds": n_seeds, "judge_error": judge_error,
             "n_lambdas": len(cv.WILLINGNESS_TO_PAY)})

# %% [markdown]
# ## Every router as a curve
#
# On each of {glue:text}`n_seeds:.0f` stratified 80/20 splits of the {glue:text}`n_queries:,.0f`
# simulated queries, each router is trained on the training rows and traced on the test rows:
#
# * the **{term}`predictive routers <predictive router>`** ({term}`MF`, BERT and sequence
#   classification, causal LM, {term}`kNN <kNN router>`, MLP) by RouterBench's
#   {term}`willingness-to-pay <willingness to pay>` rule: choose the model $j$ maximising
#   $\lambda \hat p_j - \kappa_j$, with $\hat p_j$ the predicted chance that $j$ answers correctly
#   and $\kappa_j$ the model's price per prompt plus completion token, over RouterBench's
#   {glue:text}`n_lambdas:.0f` values of $\lambda$;
# * the article's **confidence {term}`cascade`** by its threshold (0.3 to 0.95);
# * **FrugalGPT** by its single RS-optimal chain (its budget search is a separate fit per budget,
#   so it gives one point here);
# * RouterBench's **cascade with a simulated judge** (models from the cheapest up, a judge that
#   accepts correct answers and errs with probability {glue:text}`judge_error:.2f`) by its budget
#   per query; its judge reads the truth, so it is a what-if, not a router;
# * **random** and **round robin** and the six **single models** as single points.
#
# The **zero router** is the hull of the six single-model points, the **task-aware zero router**
# is the curve of one fixed model per dataset swept over $\lambda$ (its default point is
# dataset-best's, chapter 03), and the **oracle** (RouterBench's: the cheapest model among those
# with the best quality on each query, free when no model is right) is one point.
# {numref}`fig-sim-hulls` shows split 0.

# %%
study = frontiers.text_frontier_study(bench, range(n_seeds), judge_error=judge_error, task_aware=True)

# %% tags=["remove-input"]
glue_figure("fig_sim_hulls", ch.plot_sim_hulls(study))
ch.glue_all(ch.curve_values(study))

# %% [markdown]
# ```{glue:figure} fig_sim_hulls
# :name: "fig-sim-hulls"
# :alt: "Two cost-quality charts on simulated data, cost on a log scale: (a) the six predictive routers' hulls beside the dashed zero router, the dash-dotted task-aware zero router and the oracle's point; (b) the cascades, one-point baselines and the six single models, labelled by name, with the same references."
# Split 0 of RouterBench-Sim (simulated data) in the cost-quality plane: each router's operating
# points (faint dots) and their {term}`NDCH` (lines), the {term}`zero router` (dashed: the hull
# of the single models, grey crosses), the task-aware zero router (dash-dotted: one fixed model per
# dataset, swept over $\lambda$) and RouterBench's oracle (star). (a) the predictive routers
# swept over the willingness to pay $\lambda$; (b) the cascades and the one-point policies
# (FrugalGPT, random, round robin), with the single models named.
# ```
#
# RouterBench's {glue:text}`n_lambdas:.0f` values of $\lambda$ give MF only
# {glue:text}`mf_distinct:.1f` distinct operating points on average (its hull on split 0 has
# {glue:text}`mf_hull_points:.0f` vertices): most values of λ fall where one model wins outright
# for every query, and the switching happens within a few grid steps. The hull then interpolates
# linearly between the few points that remain, which is exactly what random mixing would achieve.

# %% [markdown]
# ## The AIQ table
#
# Mean over splits, with {term}`95% t-intervals across splits <seed interval>` in brackets.
# "pooled" computes each curve on all test rows; "per dataset" computes AIQ on each of the twelve
# datasets separately (with that dataset's own $c_{\max}$) and averages, which is how RouterBench
# reports it (both defined above). RS is the Routing Score of the router's own default rule (the article's metric,
# chapter 02), on the same test rows. The AIQ columns use the "cmax" normalisation; each router's
# quality, mean cost and AIQ with the "range" normalisation are in a second table, behind the
# "Show code cell outputs" toggle below the first.

# %% tags=["hide-input"]
sim_table, sim_more = ch.sim_tables(study.points, n_seeds)
sim_table

# %% tags=["remove-input", "hide-output"]
sim_more

# %% tags=["remove-input"]
ch.glue_all(ch.sim_aiq_values(study.points))

# %% [markdown]
# The highest pooled AIQ among the routers belongs to **{glue:text}`best_aiq_router`**
# ({glue:text}`best_aiq:.3f`, pooled, cmax). The zero router's pooled AIQ is
# {glue:text}`zero_router_aiq_cmax:.3f`, the task-aware zero router's
# {glue:text}`task_aware_zero_router_aiq_cmax:.3f` and the oracle's {glue:text}`oracle_aiq_cmax:.3f`;
# {glue:text}`n_beat_zero:.0f` of the {glue:text}`n_routers:.0f` routers lie above the zero router
# in pooled AIQ (below it: {glue:text}`below_zero`) and {glue:text}`n_beat_task_zero:.0f` above the
# task-aware zero router. Per dataset, the highest AIQ belongs to
# **{glue:text}`best_aiq_ds_router`** ({glue:text}`best_aiq_ds:.3f`); the zero router's per-dataset
# AIQ is {glue:text}`zero_router_aiq_cmax_ds:.3f` and the task-aware zero router's
# {glue:text}`task_aware_zero_router_aiq_cmax_ds:.3f`, with {glue:text}`n_beat_zero_ds:.0f` and
# {glue:text}`n_beat_task_zero_ds:.0f` routers above them. A router that does not beat the zero
# router buys nothing that mixing fixed models at random would not; one that does not beat the
# task-aware zero router buys nothing that knowing each query's dataset would not.
#
# **The two normalisations.** With a common $c_{\min}$ and $c_{\max}$ for all routers the area is
# the same in both (left of its cheapest point a router contributes nothing, and $c_{\min}$ is at
# or left of every cheapest point); only the divisor differs, $c_{\max}$ or
# $c_{\max} - c_{\min}$. So the two rank the
# routers identically and differ by one factor, here {glue:text}`range_over_cmax:.3f` on average.
# The choice matters only when the range differs between the routers compared, for instance when
# each router is integrated over its own range (what `routerlab.metrics.aiq` does when no common
# range is given). Pooled and per-dataset AIQ can rank the routers differently (Spearman
# {glue:text}`rho_pooled_ds:.2f`): per dataset, $c_{\max}$ is that dataset's own dearest point, so
# cheap datasets weigh as much as dear ones.

# %% [markdown]
# ## Do RS and AIQ rank the routers the same way?
#
# Each router's RS and pooled AIQ (cmax; means over the splits), its rank by each (1 is best), the
# shift from one ranking to the other and how many distinct operating points its curve has:

# %% tags=["hide-input"]
rank = ch.rank_frame(study)
ch.rank_table(rank)

# %% tags=["remove-input"]
rank_glue = ch.rank_values(rank, study.points)
ch.glue_all(rank_glue)

# %% [markdown]
# Across the {glue:text}`n_routers:.0f` routers the Spearman rank correlation between RS and
# pooled AIQ (means over splits) is {glue:text}`rho_rs_aiq:.2f` (Kendall's tau {glue:text}`tau_rs_aiq:.2f`;
# per split, a 95% interval of {glue:text}`rho_rs_aiq_lo:.2f` to {glue:text}`rho_rs_aiq_hi:.2f`).
# {glue:text}`n_discordant:.0f` of the {glue:text}`n_pairs:.0f` pairs of routers are ordered
# differently by the two metrics ({glue:text}`pairs_text`). Restricted to the
# {glue:text}`n_curves_only:.0f` routers that trace a curve, the correlation is
# {glue:text}`rho_rs_aiq_curves:.2f`.
#
# Why they disagree. RS is the value of *one* operating point, the one the router's own rule
# picks, with cost min-max normalised over the test set; pooled AIQ is the *average height of the
# whole frontier* up to the largest cost among the routers compared. The largest disagreements:
#
# * **{glue:text}`down_router`** is ranked {glue:text}`down_rs_rank:.0f` by RS but
#   {glue:text}`down_aiq_rank:.0f` by AIQ: {glue:text}`down_reason`.
# * **{glue:text}`up_router`** is ranked {glue:text}`up_rs_rank:.0f` by RS but
#   {glue:text}`up_aiq_rank:.0f` by AIQ: {glue:text}`up_reason`.
#
# Neither metric is wrong; they answer different questions. RS asks "how good is the router as
# deployed at its default trade-off"; AIQ asks "how good is the family of trade-offs the router
# can offer". A router that exposes no knob (FrugalGPT at one budget, random routing) is at a
# structural disadvantage under AIQ; a router whose knob is badly calibrated for the RS rule is at a
# disadvantage under RS. Reporting both, with the curve, shows which is which.

# %% [markdown]
# (real-outcomes-07)=
# ## On real outcomes
#
# ```{admonition} Real data used in this section
# :class: note
# * {glue:text}`rb_status`
# * {glue:text}`lr_status`
# * {glue:text}`mp_status`
# ```
#
# The same study on real per-query outcomes: **routerbench-subset** (RouterBench's own outcomes
# of {glue:text}`rb_n_models` LLMs on ARC-Challenge, MBPP and Winogrande, with the **real** cost of
# every call) and **llmrouter** (LLMRouter's outcomes of {glue:text}`lr_n_models` open LLMs on
# {glue:text}`lr_n_datasets` tasks) and **mmlu-pro** (the MMLU-Pro authors' outcomes of
# {glue:text}`mp_n_models` LLMs on its {glue:text}`mp_n_datasets` categories, a stratified
# subsample of {glue:text}`mp_n_queries` questions to fit the book's time budget). The cost of
# llmrouter and mmlu-pro is {term}`estimated <estimated cost>` from list prices and token counts,
# so every number of theirs below is labelled "estimated cost". These are the benchmarks that
# chapter 03 and the chapter [](query-or-task) evaluate (`routerlab.data.sources.load_for_routers`),
# and the study below is the one that chapter reads: the same call, shared through the book's cache.
# The protocol is the simulator's: the same {glue:text}`n_seeds:.0f` stratified 80/20 splits of the
# pooled, de-duplicated rows, the same routers, sweeps and AIQ. Real sources have prompts instead of features, so on every split the
# predictive routers read TF-IDF features of the question fitted on that split's training prompts
# only (`routerlab.evaluation.cost_quality.text_frontier_study`). They have no response confidences either, so
# the confidence cascade and FrugalGPT, which route on them, are absent from the real columns.

# %%
t_real = time.perf_counter()
real_bench = ch.load_real(scale, data_dir)
real_study = {name: None if b is None else
              frontiers.text_frontier_study(b, range(n_seeds), judge_error=judge_error, task_aware=True)
              for name, b in real_bench.items()}
studies = {ch.SIM_LABEL: study} | {ch.real_label(k): v for k, v in real_study.items()}

# %% tags=["remove-input"]
glue_figure("fig_real_hulls", ch.plot_real_hulls(studies))

# %% [markdown]
# ```{glue:figure} fig_real_hulls
# :name: "fig-real-hulls"
# :alt: "Four cost-quality charts with a log cost axis, for RouterBench-Sim, routerbench-subset, llmrouter and mmlu-pro: each router's hull, the dashed zero router, the dash-dotted task-aware zero router, grey crosses for the single models and a black star for the oracle; the legend is below."
# Split 0 of each benchmark in the cost-quality plane: operating points (faint), their NDCH
# (lines), the zero router (dashed: the hull of the single models, grey crosses), the task-aware
# zero router (dash-dotted) and RouterBench's oracle (star). The llmrouter and mmlu-pro panels' cost
# axes are an **estimate**. A panel reads "data not
# found" when its data folder is missing.
# ```
#
# {numref}`fig-real-hulls` puts the four benchmarks side by side. The tables below give each
# router's AIQ, pooled and per dataset, and RS on each benchmark: mean over splits, 95% t-intervals across splits in
# brackets; "n/a" where a router does not run on that benchmark (the confidence cascade and
# FrugalGPT need response confidences, which the real sources lack; the zero router and the oracle
# have no RS of their own) or its data folder is missing. RS is the router's default rule (for the
# task-aware zero router, dataset-best's). Pooled AIQ uses the common $c_{\max}$ of each benchmark,
# per-dataset AIQ that of each dataset, so AIQ compares routers **within** a column, not across
# benchmarks.

# %% tags=["hide-input"]
ROUTERS = ch.routers(study.points)
real_tables = ch.real_comparison(studies, ROUTERS)
real_tables["AIQ (cmax, pooled)"]

# %% tags=["remove-input"]
real_tables["AIQ (cmax, per dataset)"]

# %% tags=["remove-input"]
real_tables["RS"]

# %% [markdown]
# How the two rankings (RS and pooled AIQ) compare on each benchmark, over the routers every
# benchmark runs, and which policy has the highest AIQ in each reading (leaving out the oracle and
# the judge cascade, which read the test truth):

# %% tags=["hide-input"]
COMMON = [r for r in ROUTERS if r not in ("cascade", "frugalgpt")]  # routers every benchmark runs
agree, best = ch.agreement(studies, COMMON)
ch.agreement_table(agree, best)

# %% tags=["remove-input"]
above = ch.above_references(studies)
ch.glue_all(ch.real_values(real_bench, real_study, agree, best, COMMON, scale, data_dir)
            | ch.sim_real_values(study, agree, best, COMMON) | ch.above_values(above)
            | {"above_text": ch.above_text(above), "best_text": ch.best_text(best), "n_learned": len(ch.PRED),
               "real_runtime_s": time.perf_counter() - t_real})

# %% [markdown]
# **Do RS and AIQ rank the routers alike on real outcomes?** Over the {glue:text}`n_common:d`
# routers that run on every benchmark, the Spearman correlation between the RS and the pooled AIQ
# ranking of one split, averaged over the splits, is {glue:text}`rb_rho_ci` on routerbench-subset
# (real cost), {glue:text}`lr_rho_ci` on llmrouter and {glue:text}`mp_rho_ci` on mmlu-pro
# (estimated cost), against {glue:text}`psim_rho_ci` on the simulator (95% t-intervals across
# splits); on the mean scores over splits it is {glue:text}`rb_rho`, {glue:text}`lr_rho`,
# {glue:text}`mp_rho` and {glue:text}`psim_rho:.2f`.
#
# The reasons the two metrics part ways are the ones above. A one-point router (random, round
# robin) gets zero quality below its cost under AIQ. The judge cascade scores well on RS (its
# default point is its largest budget) but its knob barely moves on real costs: RouterBench's budget
# grid starts at 0.001 USD per query, above {glue:text}`lr_share_below_budget` of llmrouter's
# (estimated) cost cells and {glue:text}`rb_share_below_budget` of routerbench-subset's, so its
# curve has {glue:text}`lr_judge_points` distinct operating points on llmrouter and
# {glue:text}`rb_judge_points` on routerbench-subset (means over splits). Its cheapest point already
# pays for every call the judge asks for, and AIQ credits nothing to the left of a router's
# cheapest point: the judge cascade's pooled AIQ is {glue:text}`lr_judge_aiq` on llmrouter (MF:
# {glue:text}`lr_mf_aiq`) and {glue:text}`rb_judge_aiq` on routerbench-subset (MF:
# {glue:text}`rb_mf_aiq`).
#
# **Which policy has the highest AIQ?** Leaving out the policies that read the test truth (the
# oracle and the judge cascade, whose judge is simulated from the truth) and keeping the zero
# router (mixing fixed models at random, which needs no learning), the highest *pooled* AIQ
# belongs to **{glue:text}`rb_best_aiq_policy`** on routerbench-subset (AIQ {glue:text}`rb_best_aiq`;
# zero router {glue:text}`rb_zero_aiq`, oracle {glue:text}`rb_oracle_aiq`), to
# **{glue:text}`lr_best_aiq_policy`** on llmrouter (AIQ {glue:text}`lr_best_aiq`, estimated cost;
# zero router {glue:text}`lr_zero_aiq`, oracle {glue:text}`lr_oracle_aiq`) and to
# **{glue:text}`mp_best_aiq_policy`** on mmlu-pro (AIQ {glue:text}`mp_best_aiq`, estimated cost;
# zero router {glue:text}`mp_zero_aiq`, oracle {glue:text}`mp_oracle_aiq`); on the simulator to
# **{glue:text}`psim_best_aiq_policy`**. In pooled AIQ, {glue:text}`rb_n_beat_zero` of the
# {glue:text}`n_common:d` routers lie above the zero router on routerbench-subset,
# {glue:text}`lr_n_beat_zero` on llmrouter, {glue:text}`mp_n_beat_zero` on mmlu-pro and
# {glue:text}`psim_n_beat_zero:d` on the simulator.
#
# That is the reading the finding `aiq.best_is_learned` ("the policy with the highest AIQ is a
# learned router", registered in findings.yaml before these numbers were computed, for
# routerbench-subset and llmrouter; its verdicts are in chapter [](simulator-truth)) is judged on:
# **pooled** AIQ (cmax), with the zero router as the only query-blind candidate; pooled, that
# candidate does not know the task while the routers do. The table above gives the other readings
# too, which the finding does not judge. {glue:text}`best_text` (Per dataset the task-aware zero
# router cannot have the highest AIQ: on each dataset its operating points are some of the single
# models' points whose hull is the zero router, so its per-dataset AIQ is never above the zero
# router's.)
#
# **Does the lead survive a reference that knows the task?** The zero router's AIQ is
# {glue:text}`rb_zero_aiq` pooled and {glue:text}`rb_zero_aiq_ds` per dataset on
# routerbench-subset, {glue:text}`lr_zero_aiq` and {glue:text}`lr_zero_aiq_ds` on llmrouter,
# {glue:text}`mp_zero_aiq` and {glue:text}`mp_zero_aiq_ds` on mmlu-pro; the task-aware zero
# router's is {glue:text}`rb_task_zero_aiq` and {glue:text}`rb_task_zero_aiq_ds`,
# {glue:text}`lr_task_zero_aiq` and {glue:text}`lr_task_zero_aiq_ds`, {glue:text}`mp_task_zero_aiq`
# and {glue:text}`mp_task_zero_aiq_ds` (MF's: {glue:text}`rb_mf_aiq` and {glue:text}`rb_mf_aiq_ds`,
# {glue:text}`lr_mf_aiq` and {glue:text}`lr_mf_aiq_ds`, {glue:text}`mp_mf_aiq` and
# {glue:text}`mp_mf_aiq_ds`). The table counts, for each benchmark and reading, the
# {glue:text}`n_learned:d` learned routers above each reference (means over splits). Per dataset,
# the task-aware zero router is the weaker of the two references (its AIQ is never above the zero
# router's, as said above), so at least as many routers clear it:

# %% tags=["hide-input"]
ch.above_table(above)

# %% [markdown]
# {glue:text}`above_text` The chapter [](query-or-task) asks the same question with the care a verdict
# needs: it picks the best learned router on validation rows and judges its AIQ minus the
# task-aware zero router's, pooled and per dataset, by the pre-registered findings
# `task.aiq_pooled_over_task_zero` and `task.aiq_per_dataset_over_task_zero`. The real section
# took {glue:text}`real_runtime_s:.0f` seconds.

# %% tags=["remove-input"]
# Findings of this chapter (findings.yaml's rules give the verdicts; none is written here).
ch.record_findings(studies, agree, best, n_seeds, rank_glue["rho_rs_aiq"])
ch.glue_all({"runtime_s": time.perf_counter() - t_start})

# %% [markdown]
# The chapter ran in {glue:text}`runtime_s:.0f` seconds.
