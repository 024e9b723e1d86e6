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
# # Performance: how the pipeline grows with the benchmark
#
# RouterBench has 405,000 outcomes (67,500 queries x 6 models). How long does each step of this
# book take on a benchmark of that size, and on one ten or a hundred times larger? This appendix
# reports the measurements of `make bench` (`benchmarks/bench_growth.py`): each stage timed
# on the simulated benchmark at several scales, each measurement in a fresh process so that its
# peak memory is its own, and three speed ratios measured in one run on the same data. It then
# repeats two of the ratios live on the machine that built this page.
#
# ```{admonition} Where these numbers come from
# :class: note
# {glue:text}`perf_status` The live measurements at the end of the page were made while this
# page was built.
# ```

# %% tags=["parameters"]
scale = 1.0        # benchmark of the live ratios (1.0 = 67,500 queries x 6 models)
seed = 0           # seed of the simulated benchmark
n_seeds = 5        # not used here (every page takes it)
data_dir = None    # not used here (every page takes it)
results = "../benchmarks/results/growth.json"  # written by make bench

# %% tags=["remove-input"]
import matplotlib.pyplot as plt

from routerlab.book import style
from routerlab.book.glue import glue_figure
from routerlab.chapters import performance as perf
from routerlab.chapters.summary_pages import glue_all

style.use()
bg = perf.load_benchmark_script("../benchmarks/bench_growth.py")  # its hull and scoring loop are reused
doc = perf.read_results(results)  # None when make bench has not written it
glue_all(perf.status_values(doc, results))

# %% [markdown]
# ## Stages at growing scale
#
# Six stages are timed: generating the simulated benchmark, writing it to the Parquet interchange
# table and reading it back, the streamed summary of that file (`routerlab.data.streaming`, which
# reads it in batches), fitting, routing and scoring every registered policy on one stratified
# 80/20 split, and chapter 07's cost-quality study for one split (one predictive router's
# willingness-to-pay curve, the cascades, the single models, hulls and AIQ pooled and per
# dataset). The scales measured were {glue:text}`perf_scales`; the largest measured stage ran on
# {glue:text}`perf_max_outcomes` outcomes. {numref}`tbl-perf-growth` gives, for every stage and
# scale, the wall time, the peak resident memory of its process and the memory it added, and the
# growth exponents of the time and of the added memory from the previous scale, log(t2/t1) /
# log(n2/n1) in outcomes: 1 is linear growth, 2 quadratic. A cell the machine could not afford is
# skipped, never left blank: the projection that ruled it out is in the last column.

# %% tags=["remove-input"]
glue_all(perf.growth_values(doc))

# %% [markdown]
# ```{glue:figure} tbl_perf_growth
# :name: "tbl-perf-growth"
# :figclass: table
# Wall time and peak memory of each stage (one fresh process per cell) by scale of the simulated
# benchmark; exponents from the previous scale; {glue:text}`perf_n_skipped` cells skipped, each with
# its reason.
# ```
#
# {numref}`fig-perf-growth` draws the same times against the number of outcomes on log-log axes,
# where growth at a constant exponent is a straight line; the dotted line has slope 1.

# %% tags=["remove-input"]
fig, ax = plt.subplots(figsize=style.figsize(4.4))
perf.plot_stage_growth(ax, doc)
glue_figure("fig_perf_growth", fig)

# %% [markdown]
# ```{glue:figure} fig_perf_growth
# :name: "fig-perf-growth"
# :alt: Log-log chart of the wall time of each pipeline stage against the number of outcomes, one line per stage, with a dotted reference line of slope one.
# Wall time of each stage against the benchmark size (outcomes = queries x 6 models), log-log;
# the dotted line is linear growth.
# ```
#
# ## Policies that grow faster than the data
#
# Within the evaluation stage each policy's fit and route times are recorded separately. A policy
# whose fit or route time grows with an exponent above {glue:text}`perf_threshold` between the two
# largest measured scales is flagged, and the benchmark refuses to finish unless the reason,
# read from the code, is written next to it. Flags raised: {glue:text}`perf_n_flags`.

# %% tags=["remove-input"]
glue_all(perf.flag_values(doc))

# %% [markdown]
# ```{glue} tbl_perf_flags
# ```
#
# Policies left out of the evaluation stage at a scale, because their projected time alone would
# pass the budget: {glue:text}`perf_policy_skips`.
#
# ## Three ratios, measured in one run
#
# * **Scoring.** The Routing Score of one policy on every outcome, computed from the arrays
#   (`rs_terms`) and by the article's per-instance loop (`evaluate_routing_policy`: a dict per
#   query, a lookup per model) on the same {glue:text}`perf_score_outcomes` outcomes: the loop took
#   {glue:text}`perf_score_ratio` times as long, for the same RS.
# * **Hull and AIQ.** `metrics.ndch` + `metrics.aiq` against an O(n^3) brute force (a segment is
#   on the upper hull when no point lies above its line) on the same points, both asserted equal
#   to 1e-12: the brute force took {glue:text}`perf_hull_ratios` times as long on
#   {glue:text}`perf_hull_sizes` random points, and RouterBench's own algorithm (its
#   `get_non_descreasing_convex_hull_of`, written in plain Python loops)
#   {glue:text}`perf_rb_ratios` times.
# * **Parallel seeds.** The same evaluation grid ({glue:text}`perf_par_grid`) with one worker and
#   with {glue:text}`perf_par_cores` workers, worker start-up included: the workers ran it at
#   {glue:text}`perf_par_ratio` times the speed of one, with identical results.

# %% tags=["remove-input"]
glue_all(perf.ratio_values(doc))

# %% [markdown]
# ## The same ratios, live on this machine
#
# The numbers above come from the machine that ran `make bench`. This page was built on
# {glue:text}`live_machine`; at scale {glue:text}`live_scale` ({glue:text}`live_outcomes`
# outcomes) the per-instance loop took {glue:text}`live_score_ratio` times as long as the
# vectorised score, and the brute-force hull {glue:text}`live_hull_ratios` times as long as
# `ndch` + `aiq` on {glue:text}`perf_live_sizes` random points (RouterBench's algorithm
# {glue:text}`live_rb_ratios` times).

# %% tags=["remove-input"]
glue_all(perf.live_values(bg, scale, seed))

