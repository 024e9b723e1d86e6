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
import importlib.util
import json
import math
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from IPython.display import HTML
from myst_nb import glue

from routerlab.book import plots
from routerlab.book import style
from routerlab.book.glue import glue_figure, glue_formatted, glue_value
from routerlab.book.tables import html_table
from routerlab.data.simulate import simulate

style.use()
g = glue_value


def load_benchmark_script(path="../benchmarks/bench_growth.py"):
    """The growth benchmark script as a module (its reference hull and scoring loop are reused)."""
    spec = importlib.util.spec_from_file_location("bench_growth", Path(path))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


bg = load_benchmark_script()
path = Path(results)
doc = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else None
STAGE_TEXT = {"generate": "generate", "write": "write Parquet", "read": "read Parquet",
              "summarize": "streamed summary", "evaluate": "evaluate (all)", "aiq": "AIQ study"}

if doc is None:
    g("perf_status", f"The measurement file {results} was NOT found in this build, so the tables and the "
      "figure of the measured run are empty and their numbers read n/a. Run make bench (about 20 "
      "minutes on 2 cores) to write it.")
else:
    mach = doc["machine"]
    g("perf_status", f"Measured by make bench on {mach['date'][:10]} at commit {str(mach['commit'])[:10]}"
      + (" (with uncommitted changes)" if mach.get("dirty") else "")
      + f", on {mach['cpu']} ({mach['cores']} cores, {mach['ram_mb'] / 1024:.0f} GB RAM, {mach['os']}); "
      f"Python {mach['python']}, NumPy {mach['numpy']}, pyarrow {mach['pyarrow']}, joblib {mach['joblib']}; "
      "written to benchmarks/results/growth.json, which is committed with the code it measured.")

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
def growth_table(doc):
    """One row per (stage, scale): seconds, peak and added MB, exponents, or the skip reason."""
    exps = {(e["stage"], e["to_scale"]): e for e in doc["exponents"]}

    def exponent(e, key):
        return "" if e.get(key) is None else f"{e[key]:.2f}"

    rows = []
    for c in doc["cells"]:
        e = exps.get((c["stage"], c["scale"]), {})
        rows.append({"stage": STAGE_TEXT.get(c["stage"], c["stage"]), "scale": f"{c['scale']:g}",
                     "seconds": f"{c['seconds']:,.2f}", "peak MB": f"{c['peak_mb']:,.0f}",
                     "added MB": f"{c['increment_mb']:,.0f}",
                     "exponent time / MB": (f"{exponent(e, 'time')} / {exponent(e, 'memory')}"
                                            if e else ""),
                     "note": "benchmark built in chunks" if c.get("chunked_cache") else "",
                     "_order": (list(STAGE_TEXT).index(c["stage"]), c["scale"])})
    for s in doc["skips"]:
        if "policy" in s:
            continue
        rows.append({"stage": STAGE_TEXT.get(s["stage"], s["stage"]), "scale": f"{s['scale']:g}",
                     "seconds": "skipped", "peak MB": "", "added MB": "", "exponent time / MB": "",
                     "note": s["reason"].replace("projected peak memory", "projected peak"),
                     "_order": (list(STAGE_TEXT).index(s["stage"]), s["scale"])})
    return pd.DataFrame(rows).sort_values("_order").drop(columns="_order")


if doc is not None:
    _table = growth_table(doc)
    measured = pd.DataFrame(doc["cells"])
    g("perf_scales", ", ".join(f"{s:g}" for s in doc["parameters"]["scales"]))
    g("perf_max_outcomes", f"{int(measured['outcomes'].max()):,}")
    g("perf_n_skipped", sum("policy" not in s for s in doc["skips"]))
else:
    _table = pd.DataFrame({"stage": [], "note": []})
    measured = pd.DataFrame({"stage": [], "outcomes": [], "seconds": []})
    g("perf_scales", "n/a")
    g("perf_max_outcomes", "n/a")
    g("perf_n_skipped", "n/a")
_has_notes = "note" in _table and _table["note"].astype(bool).any()
if "note" in _table and not _has_notes:
    _table = _table.drop(columns="note")
_widths = {"stage": "8.5em", "scale": "3.5em", "seconds": "5.5em", "peak MB": "4.5em", "added MB": "4.5em",
           "exponent time / MB": "6em", "note": "12em"}
glue("tbl_perf_growth", HTML(html_table(
    _table, widths={c: w for c, w in _widths.items() if c in _table.columns}, css_class="rl-perf")),
    display=False)

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
if measured.empty:
    plots.plot_data_not_found(ax, "benchmarks/results/growth.json not found: run make bench")
else:
    plots.plot_growth(ax, measured.assign(stage=measured["stage"].map(STAGE_TEXT)),
                      order=[STAGE_TEXT[s] for s in STAGE_TEXT if s in set(measured["stage"])],
                      ylabel="wall time of the stage (s, log scale)")
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
if doc is not None:
    flags = pd.DataFrame(doc["flags"], columns=["policy", "phase", "exponent", "reason"])
    flags["exponent"] = flags["exponent"].map("{:.2f}".format)
    pol_skips = [s for s in doc["skips"] if "policy" in s]
    g("perf_threshold", f"{doc['parameters']['superlinear_threshold']:g}")
    g("perf_n_flags", len(flags))
    g("perf_policy_skips", "; ".join(f"{s['policy']} at scale {s['scale']:g} ({s['reason']})" for s in pol_skips)
      or "none")
else:
    flags = pd.DataFrame({"policy": [], "reason": []})
    g("perf_threshold", "n/a")
    g("perf_n_flags", "n/a")
    g("perf_policy_skips", "n/a")
glue("tbl_perf_flags", HTML(html_table(flags, widths={"reason": "30em"}, css_class="rl-perf-flags")), display=False)

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
def hull_text(rows, key):
    rnd = [r for r in rows if r["points"].startswith("random")]
    return ", ".join(f"{r[key]:,.0f}" for r in rnd if key in r) or "n/a"


ratios = (doc or {}).get("ratios", {})
sc = ratios.get("scoring")
glue_formatted("perf_score_outcomes", sc and sc["outcomes"], "{:,}")
glue_formatted("perf_score_ratio", sc and sc["ratio"], "{:,.0f}")
hr = ratios.get("hull", [])
g("perf_hull_ratios", hull_text(hr, "ratio"))
g("perf_rb_ratios", hull_text(hr, "routerbench_ratio"))
g("perf_hull_sizes", ", ".join(str(r["n"]) for r in hr if r["points"].startswith("random")) or "n/a")
par = ratios.get("parallel") or {}
glue_formatted("perf_par_ratio", par.get("ratio"), "{:.2f}")
glue_formatted("perf_par_cores", par.get("cores"), "{:d}")
g("perf_par_grid", f"{len(par['routers'].split(','))} policies x {len(par['seeds'])} seeds on "
  f"{par['queries']:,} queries, via {par['via']}" if "ratio" in par else par.get("skipped", "n/a"))

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
live_bench = simulate(scale=scale, seed=seed)
here = bg.machine()
live_score = bg.scoring_ratio(live_bench, seed)
live_hull = bg.hull_ratios([50, 100, 200], None, seed)
g("live_machine", f"{here['cpu']} ({here['cores']} cores, {here['ram_mb'] / 1024:.0f} GB RAM), "
  f"Python {here['python']}, NumPy {here['numpy']}")
g("live_scale", f"{scale:g}")
g("live_outcomes", f"{live_score['outcomes']:,}")
glue_formatted("live_score_ratio", live_score["ratio"], "{:,.0f}")
g("live_score_ratio_value", float(live_score["ratio"]))  # for the tests' ranges
g("live_hull_ratio_max", float(max(r["ratio"] for r in live_hull)))
g("live_hull_ratios", hull_text(live_hull, "ratio"))
g("live_rb_ratios", hull_text(live_hull, "routerbench_ratio"))
g("perf_live_sizes", ", ".join(str(r["n"]) for r in live_hull))
