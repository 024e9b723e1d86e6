"""``routerlab report``: the book's analyses that apply to any benchmark, on a user's table, as one
self-contained HTML page (``index.html``: figures embedded as base64 PNG, tables as HTML, no
network, no external CSS or JavaScript) with the numbers beside it (``report.json`` and one CSV per
table).

Sections, each computed with the chapter's own functions on the user's benchmark (n queries x m
models; RS, quality and AIQ are fractions in [0, 1], costs USD per query; "mean [lo, hi]" is the
mean over the ``n_seeds`` stratified 80/20 splits with a 95% t-interval across them):

1. the data -- :func:`routerlab.data.sources.overview` and each model's accuracy and mean cost;
2. the Routing Score and its bounds (chapter 02) -- the fixed models and the bounds OUB, QOUB, COUB
   on the test rows of each split (:func:`routerlab.evaluation.fixed_scores.normalisation_study`);
3. the routers under the protocol (chapter 03) -- :func:`routerlab.evaluation.protocol.evaluate` of
   every policy ``all`` names (random, round robin, the fixed models, the learned routers, the
   task-aware ``dataset-best``, the bounds) with the arguments ``routerlab evaluate`` uses by
   default (global normalisation, 1,000 bootstrap resamples), and each policy against
   ``dataset-best`` (:func:`routerlab.chapters.algorithms.versus_dataset_best`);
4. per dataset (chapter 04) -- :func:`routerlab.evaluation.analysis.dataset_findings` of MF and
   MF against dataset-best (:func:`routerlab.chapters.datasets.versus_dataset_best`);
5. the number of models (chapter 05) -- the oracle's best RS by number of models
   (:func:`routerlab.evaluation.subset_search.oracle_size_curves`; exact up to
   :data:`~routerlab.evaluation.subset_search.MAX_ENUMERATED_MODELS` models, a seeded search above);
6. the cost-quality plane (chapter 07) -- operating curves, NDCH and AIQ with the zero router and
   the task-aware zero router (:func:`routerlab.evaluation.cost_quality.text_frontier_study`).

Left out, and said so on the page (:data:`LEFT_OUT`): the article's claims and the ledger, the
findings judged on the simulator and real data, the simulator against reality.

Output folder: a new or empty folder, or one holding an earlier report (its ``report.json`` says
so), which is replaced whole; everything is written into a temporary folder beside it and renamed
into place, so a failed run leaves the old folder as it was. The input is never inside it.
"""

from __future__ import annotations

import base64
import html
import io
import json
import math
import os
import shutil
import tempfile
import time
from pathlib import Path
from typing import Callable, Mapping

import numpy as np
import pandas as pd

from routerlab.book import plots, style
from routerlab.book.tables import html_table
from routerlab.data.benchmark import Benchmark
from routerlab.errors import RouterlabError

__all__ = ["LEFT_OUT", "MARKER", "build", "render", "write", "run", "check_out_dir"]

MARKER = "routerlab report"     # report.json's "kind": an earlier report, which may be replaced
N_STEPS = 6
JUDGE_ERROR = 0.2               # RouterBench's cascade judge error rate (chapter 07 plots 0.2)
N_RANDOM = 500                  # random subsets per size above MAX_ENUMERATED_MODELS (seeded)
SEARCH_SECONDS = 5.0            # time limit of that search per split (keeps it cheap)
DSB = "dataset-best"
LEFT_OUT = (
    "the article's claims, the rules that judge them and the ledger (they are about the article's own "
    "benchmark, not this one)",
    "the findings measured on RouterBench-Sim and the book's real sources",
    "the simulator against reality (chapter 09) and everything that needs the simulator's hidden truth",
    "the hyper-parameter sweeps (chapter 06) and the application chapters (08, 10, 11)",
)


def _fig_png(fig) -> str:
    """The figure as a base64 PNG ``<img>`` (closed afterwards)."""
    import matplotlib.pyplot as plt

    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110, bbox_inches="tight", metadata={"Software": None})
    plt.close(fig)
    return ('<img alt="figure" style="max-width:100%" src="data:image/png;base64,'
            + base64.b64encode(buf.getvalue()).decode("ascii") + '">')


def _finite(x):
    """JSON-safe: NaN/inf -> None, numpy scalars -> Python numbers (recursively)."""
    if isinstance(x, Mapping):
        return {str(k): _finite(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [_finite(v) for v in x]
    if isinstance(x, (np.floating, float)):
        return float(x) if math.isfinite(float(x)) else None
    if isinstance(x, np.integer):
        return int(x)
    if isinstance(x, np.bool_):
        return bool(x)
    return x


def _records(frame: pd.DataFrame) -> dict:
    """{index value: {column: value}} of a numeric table, JSON-safe."""
    return _finite({str(k): row.to_dict() for k, row in frame.iterrows()})


def _unpriced(bench: Benchmark) -> list[str]:
    """Models without a per-token price: unknown (NaN), or both prices 0 while the table says the
    model costs something (a reader's placeholder for "not known")."""
    return [m.name for j, m in enumerate(bench.models)
            if not (math.isfinite(m.price_in) and math.isfinite(m.price_out))
            or (m.price_in == 0 and m.price_out == 0 and float(bench.cost[:, j].mean()) > 0)]


def _needs_prices(name: str) -> bool:
    """Does policy ``name`` route on per-token prices (the router's ``needs_prices``: the predictive
    routers' expected cost is tokens x prices; ``dataset-best``, fixed models, baselines and bounds
    read realised costs only)?"""
    if name.startswith("fixed:"):
        return False
    from routerlab.routing.routers import make_router

    return bool(getattr(make_router(name), "needs_prices", False))


def _cost_term_bench(bench: Benchmark, unpriced: list[str]) -> Benchmark:
    """``bench`` with a stand-in per-token price for each model of ``unpriced``: its mean cost per
    query over the table (USD), as ``price_in + price_out`` per 1M tokens, so that RouterBench's
    constant cost term (:func:`routerlab.evaluation.curves.price_proxy`) equals that mean. Only the
    cost-quality plane's task-aware zero router and judge cascade order models by it."""
    from dataclasses import replace

    mean = bench.cost.mean(axis=0)
    models = tuple(replace(m, price_in=float(mean[j]) * 5e5, price_out=float(mean[j]) * 5e5)
                   if m.name in unpriced else m for j, m in enumerate(bench.models))
    return replace(bench, models=models)


def _iv(frame: pd.DataFrame, col: str, lo: str, hi: str) -> list[str]:
    """"0.612 [0.590, 0.634]" cells of a fraction in [0, 1] (a t-interval over few splits is
    clipped to that range for the page; the JSON and CSV keep it as computed)."""
    return [style.interval_text(v, None if pd.isna(a) else min(max(a, 0.0), 1.0),
                                None if pd.isna(b) else min(max(b, 0.0), 1.0))
            for v, a, b in zip(frame[col], frame[lo], frame[hi])]


def _num(values, fmt: str = "{:.3f}") -> list[str]:
    """Cells of plain numbers; "n/a" where there is none (e.g. the zero router has no single quality)."""
    return ["n/a" if v is None or not np.isfinite(float(v)) else fmt.format(v) for v in values]


# ---- the six sections ------------------------------------------------------------------------------
def _data_section(bench: Benchmark) -> dict:
    from routerlab.data import sources

    over = sources.overview({bench.name: bench})
    models = pd.DataFrame({"accuracy": bench.accuracy(), "mean cost $": bench.cost.mean(axis=0),
                           "USD per 1M input tokens": [m.price_in for m in bench.models],
                           "USD per 1M output tokens": [m.price_out for m in bench.models]},
                          index=pd.Index(bench.model_names, name="model"))
    sizes = pd.Series(bench.datasets).value_counts().reindex(bench.dataset_names).rename("queries")
    return {"overview": over, "models": models, "datasets": sizes.rename_axis("dataset").to_frame()}


def _bounds_section(bench: Benchmark, n_seeds: int) -> dict:
    from routerlab.evaluation import fixed_scores

    st = fixed_scores.normalisation_study(bench, range(n_seeds))
    return {"study": st, "scores": st.scores}


def _routers_section(bench: Benchmark, n_seeds: int, cache_dir) -> dict:
    from routerlab.chapters.algorithms import versus_dataset_best
    from routerlab.evaluation.protocol import evaluate, policy_names

    from dataclasses import replace

    # every policy 'all' names on a priced table (an unpriced one leaves out those that need prices)
    listing = replace(bench, models=tuple(replace(m, price_in=0.0, price_out=0.0) if not
                                          (math.isfinite(m.price_in) and math.isfinite(m.price_out)) else m
                                          for m in bench.models))
    names = policy_names(listing, "all")
    dropped = [p for p in names if _needs_prices(p)] if _unpriced(bench) else []
    res = evaluate(bench, [p for p in names if p not in dropped], seeds=list(range(n_seeds)),
                   normalization="global", split="stratified", test_size=0.2, bootstrap=1000, cache_dir=cache_dir)
    return {"result": res, "summary": res.summary(), "vs_dsb": versus_dataset_best(res), "dropped": dropped}


def _dataset_section(bench: Benchmark, res) -> dict:
    from routerlab.chapters.datasets import versus_dataset_best
    from routerlab.evaluation import analysis as an

    pdl = res.per_dataset
    rs = pdl.groupby(["dataset", "policy"], sort=False)["rs"].mean().unstack()
    rs = rs.loc[list(bench.dataset_names), [p for p in res.policies if p not in ("qoub", "coub")]]
    out = {"rs": rs, "findings": None, "mf_vs_dsb": None, "note": ""}
    if "mf" not in res.policies:
        out["note"] = "MF's per-dataset breakdown needs MF, which was left out (it needs per-token prices)."
    else:
        out["mf_vs_dsb"] = versus_dataset_best(res, bench, "mf")
        try:
            out["findings"] = an.dataset_findings(res, bench)
        except RouterlabError as exc:  # e.g. too few datasets for the correlations across them
            out["note"] = f"MF's per-dataset breakdown was not computed: {exc}"
    return out


def _size_section(bench: Benchmark, n_seeds: int) -> dict:
    from routerlab.evaluation import subset_search as ss

    curves, per_seed = ss.oracle_size_curves(bench, range(n_seeds), n_random=N_RANDOM, share=0.99,
                                             time_limit=SEARCH_SECONDS)
    return {"summary": ss.size_curve_summary(curves), "per_seed": per_seed}


def _plane_section(bench: Benchmark, n_seeds: int, cache_dir) -> dict:
    from routerlab.evaluation import cost_quality as frontiers
    from routerlab.evaluation.curves import FRONTIER_ROUTERS

    unpriced = _unpriced(bench)
    # The predictive routers need per-token prices (section 3 leaves them out too); the task-aware
    # zero router's sweep and the judge cascade's order use a stand-in cost term without them.
    routers = () if unpriced else FRONTIER_ROUTERS
    st = frontiers.text_frontier_study(_cost_term_bench(bench, unpriced) if unpriced else bench, range(n_seeds),
                                       judge_error=JUDGE_ERROR, task_aware=True, routers=routers,
                                       cache_dir=False if cache_dir is None else cache_dir)
    names = list(dict.fromkeys(st.points["router"]))
    cols = ["rs", "quality", "mean_cost", "aiq_cmax", "aiq_range", "aiq_cmax_ds", "aiq_range_ds"]
    return {"study": st, "summary": frontiers.router_summary(st.points, names, cols, clip=None),
            "panel": frontiers.plane_panel(st, seed=0), "unpriced": unpriced}


def build(bench: Benchmark, *, n_seeds: int = 3, cache_dir=None,
          echo: Callable[[str], None] = lambda s: None) -> dict:
    """Every section's results for ``bench`` (see the module docstring), with ``seconds`` per step.

    ``echo`` receives one progress line per step. ``n_seeds`` >= 2 (intervals across splits).
    """
    if n_seeds < 2:
        raise RouterlabError(f"--seeds = {n_seeds} is too few; the report's intervals need at least 2 splits")
    if bench.n_models < 2:
        raise RouterlabError(f"{bench.name} has {bench.n_models} model; routing needs at least 2")
    out: dict = {"bench": bench, "n_seeds": int(n_seeds), "seconds": {}}
    t_all = time.perf_counter()
    steps = [("data", "the data", lambda: _data_section(bench)),
             ("bounds", "Routing Score and bounds", lambda: _bounds_section(bench, n_seeds)),
             ("routers", "routers under the protocol", lambda: _routers_section(bench, n_seeds, cache_dir)),
             ("datasets", "per dataset", lambda: _dataset_section(bench, out["routers"]["result"])),
             ("models", "number of models", lambda: _size_section(bench, n_seeds)),
             ("plane", "cost-quality plane", lambda: _plane_section(bench, n_seeds, cache_dir))]
    for k, (key, label, fn) in enumerate(steps, 1):
        echo(f"report: [{k}/{N_STEPS}] {label} ...")
        t0 = time.perf_counter()
        out[key] = fn()
        out["seconds"][key] = time.perf_counter() - t0
        echo(f"report: [{k}/{N_STEPS}] {label}: {out['seconds'][key]:.1f} s")
    out["seconds"]["total"] = time.perf_counter() - t_all
    return out


# ---- tables for people, numbers for machines ---------------------------------------------------------
def _tables(rep: dict) -> dict[str, tuple[pd.DataFrame, pd.DataFrame]]:
    """{name: (table for the page, numeric table for the CSV)}."""
    out = {}
    d = rep["data"]
    unknown = set(rep["plane"]["unpriced"])
    price = {c: ["unknown" if m in unknown else f"{v:g}" for m, v in zip(d["models"].index, d["models"][c])]
             for c in ("USD per 1M input tokens", "USD per 1M output tokens")}
    out["models"] = (d["models"].reset_index().assign(**{
        "accuracy": lambda t: _num(t["accuracy"]),
        "mean cost $": lambda t: _num(t["mean cost $"], "{:.6f}"), **price}), d["models"].reset_index())
    sc = rep["bounds"]["scores"]
    view = pd.DataFrame({
        "policy": sc.index,
        "RS (global) [95% CI]": _iv(sc, "rs_global", "rs_global_lo", "rs_global_hi"),
        "RS (per-query) [95% CI]": _iv(sc, "rs_per_query", "rs_per_query_lo", "rs_per_query_hi"),
        "quality [95% CI]": _iv(sc, "quality", "quality_lo", "quality_hi"),
        "mean cost $": _num(sc["mean_cost"], "{:.6f}")})
    out["fixed_and_bounds"] = (view, sc.reset_index().rename(columns={"index": "policy"}))
    s, v = rep["routers"]["summary"], rep["routers"]["vs_dsb"]
    view = pd.DataFrame({
        "policy": s.index, "kind": s["paradigm"],
        "RS [95% CI, seeds]": _iv(s, "rs", "rs_lo_seeds", "rs_hi_seeds"),
        "RS [95% CI, bootstrap]": _iv(s, "rs", "rs_lo_boot", "rs_hi_boot"),
        "quality": _num(s["quality"]),
        "mean cost $": _num(s["mean_cost"], "{:.6f}"),
        f"RS minus {DSB} [95% CI]": [style.interval_text(v.at[p, "diff"], v.at[p, "lo"], v.at[p, "hi"])
                                     if p in v.index and "diff" in v else "" for p in s.index],
        f"against {DSB}": [v.at[p, "side"] if p in v.index else "" for p in s.index]})
    out["routers"] = (view, s.reset_index())
    out["versus_dataset_best"] = (None, v.reset_index())
    ds = rep["datasets"]
    out["per_dataset_rs"] = (ds["rs"].apply(_num).reset_index(), ds["rs"].reset_index())
    if ds["findings"] is not None:
        from routerlab.evaluation import analysis as an

        t = an.dataset_display_table(ds["findings"]).reset_index()
        g = ds["mf_vs_dsb"]
        t.insert(5, f"{DSB} model", list(g["dsb_model"]))
        t.insert(6, f"MF minus {DSB} [95% CI]", [style.interval_text(a, b, c) for a, b, c in
                                                 zip(g["gain"], g["gain_lo"], g["gain_hi"])])
        out["per_dataset_mf"] = (t, ds["findings"]["table"].reset_index().merge(
            g.reset_index(), on="dataset", how="left"))
    sz = rep["models"]["summary"]
    view = pd.DataFrame({
        "models": sz["size"], "best achievable RS [95% CI]": _iv(sz, "best", "best_lo", "best_hi"),
        "share of all models' RS": _num(sz["share_of_full"]), "how found": sz["method"],
        "best subset (most frequent)": [", ".join(m) for m in sz["models"]]})
    out["model_count"] = (view, sz.assign(models=[";".join(m) for m in sz["models"]]))
    ps = rep["plane"]["summary"]
    view = pd.DataFrame({
        "router": ps.index,
        "AIQ (c_max, pooled) [95% CI]": _iv(ps, "aiq_cmax", "aiq_cmax_lo", "aiq_cmax_hi"),
        "AIQ (c_max, per dataset) [95% CI]": _iv(ps, "aiq_cmax_ds", "aiq_cmax_ds_lo", "aiq_cmax_ds_hi"),
        "RS [95% CI]": _iv(ps, "rs", "rs_lo", "rs_hi"),
        "quality": _num(ps["quality"]),
        "mean cost $": _num(ps["mean_cost"], "{:.6f}")})
    out["cost_quality"] = (view, ps.reset_index())
    return out


def _figures(rep: dict) -> dict[str, str]:
    """{name: <img> with a base64 PNG} drawn by the book's plot functions."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    style.use()
    from routerlab.chapters import cost_quality as cq

    figs = {}
    st = rep["bounds"]["study"]
    fx = st.fixed.loc[st.order_global]
    fig, ax = plt.subplots(figsize=style.figsize(max(3.0, 0.45 * len(fx) + 1.2)))
    plots.plot_model_scores(ax, fx[["quality", "rs_global", "rs_per_query"]].set_axis(
        ["quality", "RS global", "RS per-query"], axis=1), xlabel="fraction (mean over test splits)")
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.2), ncol=3, fontsize=9, frameon=False)
    ax.set_title("Fixed models: quality and RS under both normalisations")
    figs["fixed"] = _fig_png(fig)
    s = rep["routers"]["summary"]
    fig, ax = plt.subplots(figsize=style.figsize(max(3.0, 0.32 * len(s) + 1.2)))
    plots.plot_policy_intervals(ax, s, metric="rs", xlabel="RS on the test rows (global normalisation)")
    figs["routers"] = _fig_png(fig)
    rs = rep["datasets"]["rs"]
    fig, ax = plt.subplots(figsize=style.figsize(max(3.5, 0.3 * rs.shape[1] + 1.5),
                                                 max(7.0, 0.6 * rs.shape[0] + 3)))
    plots.plot_heatmap(ax, rs.T, fmt="{:.2f}", colorbar_label="RS (mean over splits)")
    figs["per_dataset"] = _fig_png(fig)
    g = rep["datasets"]["mf_vs_dsb"]
    if g is not None:
        fig, ax = plt.subplots(figsize=style.figsize(max(2.5, 0.35 * len(g) + 1.2)))
        plots.plot_dataset_gains(ax, g, title=f"MF against {DSB}, per dataset",
                                 xlabel=f"MF RS minus {DSB}'s RS (95% CI across splits)")
        figs["mf_vs_dsb"] = _fig_png(fig)
    sz = rep["models"]["summary"]
    fig, ax = plt.subplots(figsize=style.figsize(3.8))
    plots.plot_best_by_size(ax, sz["size"], sz["best"], sz["best_lo"], sz["best_hi"], upper=sz["upper"],
                            searched=sz["searched"], target=0.99 * sz["best"].iloc[-1],
                            title="Best achievable RS (oracle) by number of models",
                            ylabel="best achievable RS (oracle)")
    ax.legend(loc="lower right", fontsize=9)
    figs["model_count"] = _fig_png(fig)
    panel = rep["plane"]["panel"]
    fig, ax = plt.subplots(figsize=style.figsize(5.0))
    cq._hull_panel(ax, panel, title="Split 0: operating curves, their NDCH and the zero routers")
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.15), ncol=3, fontsize=9, frameon=False)
    figs["plane"] = _fig_png(fig)
    return figs


# ---- the page ------------------------------------------------------------------------------------
_CSS = """body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;max-width:72em;margin:2em auto;
padding:0 1em;line-height:1.5;color:#222}h1{font-size:1.7em}h2{margin-top:2em;border-bottom:1px solid #ccc}
.note{background:#f4f6f8;border-left:4px solid #0072B2;padding:.6em 1em}.warn{border-left-color:#D55E00}
code{background:#f4f4f4;padding:0 .2em}table{border-collapse:collapse}th,td{padding:.2em .6em;
border-bottom:1px solid #e4e4e4;vertical-align:top}th{text-align:left}"""


def _t(frame: pd.DataFrame, wrap: Mapping[str, str] | None = None) -> str:
    """An HTML table whose cells stay on one line (it scrolls sideways when too wide), except the
    ``wrap`` columns {column: CSS width}."""
    wrap = dict(wrap or {})
    return html_table(frame.astype(object).where(frame.notna(), ""), widths=wrap,
                      nowrap=[c for c in map(str, frame.columns) if c not in wrap])


def render(rep: dict, tables: Mapping, figs: Mapping, label: str) -> str:
    """``index.html`` of the report: self-contained (inline CSS, base64 PNGs, no scripts)."""
    from routerlab._version import __version__

    bench, n = rep["bench"], rep["n_seeds"]
    e = html.escape
    cost = "estimated per-query cost" if bench.cost_estimated else "per-query cost as given in the table"
    simulated = " (simulated)" if bench.simulated else ""
    s, v = rep["routers"]["summary"], rep["routers"]["vs_dsb"]
    learned = [p for p in s.index if rep["routers"]["result"].policy_info[p]["learns"] and p != DSB]
    above = [p for p in learned if p in v.index and v.at[p, "side"] == "above"]
    best = max(learned, key=lambda p: s.at[p, "rs"]) if learned else None
    parts = [f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
             f"<title>routerlab report: {e(label)}</title><style>{_CSS}</style></head><body>",
             f"<h1>routerlab report: {e(label)}</h1>",
             f"<p>{bench.n_queries:,d} queries x {bench.n_models} models, {len(bench.dataset_names)} datasets"
             f"{e(simulated)}; {e(cost)}. Every interval is a 95% interval over {n} stratified 80/20 "
             f"train/test splits (seeds 0 to {n - 1}) unless it says bootstrap. Made by routerlab "
             f"{e(__version__)} in {rep['seconds']['total']:.0f} s; the numbers are in <code>report.json</code> "
             "and the CSV files beside this page.</p>",
             "<div class='note'><b>Left out</b> (they need the article or the simulator): "
             + "; ".join(e(x) for x in LEFT_OUT) + ".</div>"]
    unpriced = rep["plane"]["unpriced"]
    if unpriced:
        dropped = rep["routers"]["dropped"]
        parts.append("<div class='note warn'><b>No per-token prices</b> for " + e(", ".join(unpriced))
                     + ". Every score uses the table's own per-query costs. The policies that route on an "
                     "expected cost from per-token prices are left out"
                     + (f" ({e(', '.join(dropped))})" if dropped else "") + ", here and in the cost-quality "
                     "plane; there the task-aware zero router and RouterBench's judge cascade take each model's "
                     "mean cost per query over the whole table as their constant cost term instead of its "
                     "price. Give the models' prices (an interchange table carries them in its metadata) to "
                     "see the learned routers.</div>")
    parts += ["<h2>1. The data</h2>", _t(tables["models"][0]), _t(rep["data"]["datasets"].reset_index())]
    parts += ["<h2>2. The Routing Score and its bounds</h2>",
              "<p>Each fixed model and the three bounds on the test rows of each split: OUB (the oracle, "
              "best RS contribution per query), QOUB (best quality, dearest ties), COUB (cheapest correct "
              "model). RS global normalises costs by the test rows' whole cost range, per-query by each "
              "query's own range.</p>", figs["fixed"], _t(tables["fixed_and_bounds"][0])]
    parts += ["<h2>3. Routers under the protocol</h2>",
              f"<p>Every policy fitted on the training rows and scored on the test rows (the arguments of "
              f"<code>routerlab evaluate --routers all --seeds {n}</code>). <b>{DSB}</b> sends each dataset's "
              "queries to the model with the best training RS on that dataset: the query-blind, task-aware "
              "baseline every learned router must beat. "
              + (f"Best learned router: <b>{e(best)}</b> (RS {s.at[best, 'rs']:.3f}); learned routers above {DSB} "
                 f"(paired bootstrap interval above 0): {e(', '.join(above)) if above else 'none'}.</p>"
                 if best else "No learned router was evaluated.</p>"),
              figs["routers"], _t(tables["routers"][0])]
    parts += ["<h2>4. Per dataset</h2>", "<p>RS of each policy on each dataset's test rows (mean over splits).</p>",
              figs["per_dataset"]]
    if "mf_vs_dsb" in figs:
        parts.append(figs["mf_vs_dsb"])
    if "per_dataset_mf" in tables:
        parts.append(_t(tables["per_dataset_mf"][0]))
    if rep["datasets"]["note"]:
        parts.append(f"<p>{e(rep['datasets']['note'])}</p>")
    parts += ["<h2>5. How many models?</h2>",
              "<p>The oracle restricted to the best subset of each size: how much of all models' RS a few "
              "models already reach.</p>", figs["model_count"],
              _t(tables["model_count"][0], {"best subset (most frequent)": "24em"})]
    parts += ["<h2>6. The cost-quality plane</h2>",
              "<p>Each router's operating points (split 0), their non-decreasing convex hull (NDCH), the "
              "zero router (hull of the single models and their mixtures) and the task-aware zero router "
              "(the same per dataset). AIQ is the area under a hull up to c_max, divided by c_max, pooled "
              "over all test rows or per dataset (then averaged).</p>",
              figs["plane"], _t(tables["cost_quality"][0]), "</body></html>"]
    return "\n".join(parts) + "\n"


def _json(rep: dict, label: str) -> dict:
    bench = rep["bench"]
    return _finite({
        "kind": MARKER, "data": {"label": label, "name": bench.name, "n_queries": bench.n_queries,
                                 "models": bench.model_names, "datasets": list(bench.dataset_names),
                                 "simulated": bool(bench.simulated), "cost_estimated": bool(bench.cost_estimated)},
        "parameters": {"seeds": list(range(rep["n_seeds"])), "split": "stratified", "test_size": 0.2,
                       "normalization": "global", "bootstrap": 1000, "judge_error": JUDGE_ERROR},
        "left_out": list(LEFT_OUT), "unpriced_models": rep["plane"]["unpriced"],
        "policies_left_out_for_prices": rep["routers"]["dropped"],
        "routing_score_and_bounds": _records(rep["bounds"]["scores"]),
        "routers": _records(rep["routers"]["summary"].drop(columns="paradigm")),
        "versus_dataset_best": _records(rep["routers"]["vs_dsb"].drop(columns="side")),
        "per_dataset_rs": _records(rep["datasets"]["rs"]),
        "model_count": _records(rep["models"]["summary"].drop(columns=["models", "method"]).set_index("size")),
        "cost_quality": _records(rep["plane"]["summary"]),
        "seconds": rep["seconds"]})


# ---- the folder ------------------------------------------------------------------------------------
def check_out_dir(out: Path, inputs=()) -> None:
    """One-line errors before any work: ``out`` is a file, its parent folder is missing, it is a
    non-empty folder that is not an earlier report, or an input lies inside it."""
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise RouterlabError(f"--out {str(out)!r} is a file; give a folder for the report")
    if not out.resolve().parent.is_dir():
        raise RouterlabError(f"--out {str(out)!r}: folder {str(out.resolve().parent)!r} does not exist; "
                             "create it first")
    for src in inputs:
        if Path(src).resolve().is_relative_to(out.resolve()):
            raise RouterlabError(f"the input {str(src)!r} lies inside --out {str(out)!r}, which the report "
                                 "replaces; write the report to another folder")
    if out.is_dir() and any(out.iterdir()):
        try:
            kind = json.loads((out / "report.json").read_text(encoding="utf-8")).get("kind")
        except (OSError, ValueError, AttributeError):
            kind = None
        if kind != MARKER:
            raise RouterlabError(f"--out {str(out)!r} is a folder that holds files and no earlier report; "
                                 "give a new or empty folder")


def write(rep: dict, out: Path, label: str) -> Path:
    """Write ``index.html``, ``report.json`` and the CSVs into ``out`` through a temporary folder."""
    out = Path(out)
    tables = _tables(rep)
    figs = _figures(rep)
    page = render(rep, tables, figs, label)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.", suffix=".tmp", dir=out.resolve().parent))
    try:
        (tmp / "index.html").write_text(page, encoding="utf-8")
        (tmp / "report.json").write_text(json.dumps(_json(rep, label), indent=1, allow_nan=False) + "\n",
                                         encoding="utf-8")
        for name, (_, numbers) in tables.items():
            numbers.to_csv(tmp / f"{name}.csv", index=False)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o777 & ~umask)
        old = None
        if out.exists():  # an earlier report (check_out_dir) or an empty folder
            old = out.resolve().parent / f".{out.name}.old-{os.getpid()}"
            os.replace(out, old)
        os.replace(tmp, out)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return out / "index.html"


def run(bench: Benchmark, out, *, label: str | None = None, n_seeds: int = 3, inputs=(), cache_dir=None,
        echo: Callable[[str], None] = lambda s: None) -> Path:
    """Check ``out``, :func:`build` the report of ``bench`` and :func:`write` it; return index.html's path."""
    out = Path(out)
    check_out_dir(out, inputs)
    t0 = time.perf_counter()
    rep = build(bench, n_seeds=n_seeds, cache_dir=cache_dir, echo=echo)
    echo("report: writing the page ...")
    page = write(rep, out, label or bench.name)
    echo(f"report: done in {time.perf_counter() - t0:.1f} s")
    return page
