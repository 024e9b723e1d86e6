"""Chapter 07 (``notebooks/07_cost_quality.py``), "The cost-quality plane": its tables, figures,
glued values and findings, so that the notebook reads as prose and calls.

The chapter runs :func:`routerlab.evaluation.cost_quality.text_frontier_study` (with the task-aware
zero router, :data:`~routerlab.evaluation.curves.TASK_ZERO`) on RouterBench-Sim and on the real
sources chapters 03 and 11 evaluate (:func:`load_real`). A study's ``points`` has one row per
(seed, router); its columns used here are ``rs`` (Routing Score of the router's default rule),
``quality`` (mean quality, 0..1), ``mean_cost`` (USD per query), ``aiq_cmax`` / ``aiq_range``
(AIQ **pooled**: one curve on all test rows of a split, common c_max / range over the routers) and
``aiq_cmax_ds`` / ``aiq_range_ds`` (AIQ **per dataset**: one curve, hull and AIQ on each dataset's
test rows with that dataset's own c_max, then the mean over the datasets). Means are over the
splits; intervals are 95% t-intervals across them.

Functions returning ``{glue key: value}`` dicts feed :func:`glue_all`: a value is glued as it is,
a tuple ``(value, fmt)`` as text by :func:`routerlab.book.glue.glue_formatted` ("n/a" when the
value is None or NaN, i.e. when a data folder is missing). Verdicts come only from the rules of
findings.yaml (:func:`record_findings` hands over measurements).
"""

from __future__ import annotations

from typing import Mapping, Sequence

import numpy as np
import pandas as pd

from routerlab.book import plots, style
from routerlab.data import sources
from routerlab.evaluation import cost_quality as frontiers
from routerlab.evaluation.curves import CASCADE_BUDGETS, TASK_ZERO
from routerlab.evaluation.fixed_scores import interval_text
from routerlab.reproduction import findings

__all__ = ["PRED", "OTHER", "ZERO", "REFERENCES", "COLORS", "COLS", "SIM_LABEL", "REAL", "READINGS", "glue_all",
           "slug", "routers", "plot_sim_hulls", "curve_values", "sim_tables", "sim_aiq_values", "rank_frame",
           "rank_table", "rank_values", "load_real", "real_label", "plot_real_hulls", "real_comparison",
           "agreement", "agreement_table", "above_references", "above_values", "above_table", "above_text", "best_text",
           "real_values", "sim_real_values", "record_findings"]

#: The predictive (learned, query-reading) routers, swept over the willingness to pay.
PRED = ["mf", "bert-cls", "seq-cls", "causal-lm", "knn", "mlp"]
#: The other policies of the study, in the order the tables show them (those a benchmark runs).
OTHER = ["cascade", "frugalgpt", "judge-cascade", "random", "round-robin"]
ZERO = "zero router"
#: The query-blind references and the bound, after the routers in every table.
REFERENCES = [ZERO, TASK_ZERO, "oracle"]
#: One colour per policy in every figure of the chapter (Okabe-Ito, then Tol's muted colours).
COLORS = dict(zip(PRED, style.PALETTE[:6])) | {
    "cascade": "#882255", "judge-cascade": "#999933", "frugalgpt": "#AA4499", "random": "#44AA99",
    "round-robin": "0.35", "oracle": "black", TASK_ZERO: "#332288"}
#: The points columns the simulated table summarises.
COLS = ["rs", "quality", "mean_cost", "aiq_cmax", "aiq_range", "aiq_cmax_ds", "aiq_range_ds"]
SIM_LABEL = "RouterBench-Sim (simulated)"
#: The real sources (those of :data:`routerlab.data.sources.ROUTER_SOURCES`) -> the stem of their glue keys.
REAL = {"routerbench-subset": "rb", "llmrouter": "lr", "mmlu-pro": "mp"}
#: The four readings of "does a router beat a query-blind reference": (reference, AIQ column, header).
READINGS = [(ZERO, "aiq_cmax", "zero router, pooled"), (ZERO, "aiq_cmax_ds", "zero router, per dataset"),
            (TASK_ZERO, "aiq_cmax", "task-aware zero router, pooled"),
            (TASK_ZERO, "aiq_cmax_ds", "task-aware zero router, per dataset")]
_DASH = "—"
_NOTE = ("—: the zero router is a hull, not one policy, so it has no RS, quality or cost of its own; the "
         "task-aware zero router's are those of its default rule, dataset-best; the oracle reads the answers, "
         "so the RS of a default rule does not apply to it")


def glue_all(values: Mapping) -> None:
    """Glue every ``{key: value}``: a tuple ``(value, fmt)`` as formatted text, anything else as it is."""
    from routerlab.book.glue import glue_formatted, glue_value

    for key, v in values.items():
        glue_formatted(key, *v) if isinstance(v, tuple) else glue_value(key, v)


def slug(name: str) -> str:
    """"task-aware zero router" -> "task_aware_zero_router" (the stem of a router's glue keys)."""
    return "".join(c if c.isalnum() else "_" for c in name.lower())


def routers(points: pd.DataFrame) -> list[str]:
    """The routers of :data:`PRED` and :data:`OTHER` that ``points`` holds, in that order."""
    have = set(points["router"])
    return [r for r in PRED + OTHER if r in have]


def _summary(points: pd.DataFrame, names: Sequence[str], cols: Sequence[str]) -> pd.DataFrame:
    return frontiers.router_summary(points, names, list(cols))


def _present(points: pd.DataFrame) -> list[str]:
    return [r for r in routers(points) + REFERENCES if r in set(points["router"])]


# ---- figures ---------------------------------------------------------------------------------------
def _hull_panel(ax, panel: dict, keep=None, points=None, singles=True, **kwargs) -> None:
    """:func:`routerlab.book.plots.plot_hull_panel` of a :func:`~routerlab.evaluation.cost_quality.plane_panel`
    (curves filtered by ``keep``), with the task-aware zero router's hull dash-dotted."""
    curves = {r: c for r, c in panel["curves"].items() if keep is None or keep(r)}
    plots.plot_hull_panel(ax, curves, zero=panel["zero"], points=panel["points"] if points is None else points,
                          singles=panel["singles"] if singles else None, colors=COLORS, **kwargs)
    for line in ax.lines:
        if line.get_label() == TASK_ZERO:
            line.set_linestyle((0, (6, 2, 1.5, 2)))


def plot_sim_hulls(study):
    """Split 0 of the simulated study: (a) the predictive routers, (b) the cascades, one-point
    policies and single models (named); both with the zero router, the task-aware zero router and
    the oracle. Returns the figure."""
    import matplotlib.pyplot as plt

    panel = frontiers.plane_panel(study, seed=0)
    fig, axes = plt.subplots(2, 1, figsize=style.figsize(10.0), sharey=True)
    _hull_panel(axes[0], panel, keep=lambda r: r in PRED + [TASK_ZERO], singles=False,
                points={"oracle": panel["points"]["oracle"]})
    axes[0].set_title("(a) predictive routers (willingness-to-pay sweep)", loc="left", fontsize=11)
    _hull_panel(axes[1], panel, keep=lambda r: r not in PRED)
    names = [r.removeprefix("fixed:") for r in study.points["router"].unique() if r.startswith("fixed:")]
    style.label_points(axes[1], *panel["singles"], names, fontsize=9)
    axes[1].set_title("(b) cascades, baselines and single models", loc="left", fontsize=11)
    for ax in axes:
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.2), ncol=3)
    return fig


def curve_values(study) -> dict:
    """``mf_distinct`` (MF's distinct operating points, mean over splits) and ``mf_hull_points``
    (vertices of its NDCH on split 0)."""
    from routerlab.metrics import ndch

    c, q = frontiers.hull_curves(study.curves, 0)["mf"]
    return {"mf_distinct": frontiers.distinct_points(study).loc["mf"], "mf_hull_points": len(ndch(c, q)[0])}


# ---- the simulated AIQ table -------------------------------------------------------------------------
def _cell(s: pd.DataFrame, r: str, c: str, fmt: str = "{:.3f}") -> str:
    """"0.746 [0.744, 0.747]" for router ``r`` and column ``c`` of a summary; "—" where there is none."""
    return _DASH if not np.isfinite(s.loc[r, c]) else interval_text(s.loc[r, c], s.loc[r, f"{c}_lo"],
                                                                     s.loc[r, f"{c}_hi"], fmt)


def sim_tables(points: pd.DataFrame, n_seeds: int):
    """Two Stylers of the simulated study: (RS, AIQ cmax pooled and per dataset) and (quality, mean
    cost, AIQ range pooled and per dataset), one row per router then the references."""
    order = _present(points)
    s = _summary(points, order, COLS)
    main = pd.DataFrame({"RS": [_cell(s, r, "rs") for r in order],
                         "AIQ, pooled": [_cell(s, r, "aiq_cmax") for r in order],
                         "AIQ, per dataset": [_cell(s, r, "aiq_cmax_ds") for r in order]}, index=order)
    more = pd.DataFrame({"quality": [_cell(s, r, "quality") for r in order],
                         "mean cost (USD)": [_DASH if not np.isfinite(s.loc[r, "mean_cost"]) else
                                             f"{s.loc[r, 'mean_cost']:.2e}" for r in order],
                         "AIQ range, pooled": [_cell(s, r, "aiq_range") for r in order],
                         "AIQ range, per dataset": [_cell(s, r, "aiq_range_ds") for r in order]}, index=order)
    return (style.table(main.rename_axis("router"), caption=(
                f"Routers on RouterBench-Sim (simulated): mean over {n_seeds} splits [95% t-interval]; AIQ "
                f"with the cmax normalisation, pooled and per dataset. {_NOTE}.")),
            style.table(more.rename_axis("router"), caption=(
                f"More columns: quality, mean cost and AIQ with the range normalisation (simulated; mean over "
                f"{n_seeds} splits [95% t-interval]). {_NOTE}.")))


def _above(mean: pd.DataFrame, names: Sequence[str], ref: str, col: str) -> list[str]:
    return [r for r in names if mean.loc[r, col] > mean.loc[ref, col]]


def sim_aiq_values(points: pd.DataFrame) -> dict:
    """The simulated AIQ section's glue: ``<router>_<metric>`` means for every router and reference,
    the router with the highest AIQ pooled (``best_aiq*``) and per dataset (``best_aiq_ds*``), how
    many routers lie above the zero router and the task-aware zero router in each reading
    (``n_beat_zero``, ``n_beat_zero_ds``, ``n_beat_task_zero``, ``n_beat_task_zero_ds``), the mean
    range/cmax ratio and the Spearman rho of the pooled and per-dataset rankings."""
    from scipy.stats import spearmanr

    order, names = _present(points), routers(points)
    mean = _summary(points, order, COLS)[COLS]
    out = {f"{slug(r)}_{c}": mean.loc[r, c] for r in order
           for c in ("rs", "aiq_cmax", "aiq_range", "aiq_cmax_ds", "aiq_range_ds")}
    for suffix, col in (("", "aiq_cmax"), ("_ds", "aiq_cmax_ds")):
        best = str(mean.loc[names, col].idxmax())
        out |= {f"best_aiq{suffix}_router": best, f"best_aiq{suffix}": mean.loc[best, col]}
    beat = _above(mean, names, ZERO, "aiq_cmax")
    out |= {"n_beat_zero": len(beat), "n_routers": len(names),
            "below_zero": ", ".join(r for r in names if r not in beat) or "none",
            "n_beat_zero_ds": len(_above(mean, names, ZERO, "aiq_cmax_ds")),
            "n_beat_task_zero": len(_above(mean, names, TASK_ZERO, "aiq_cmax")),
            "n_beat_task_zero_ds": len(_above(mean, names, TASK_ZERO, "aiq_cmax_ds")),
            "range_over_cmax": (mean.loc[names, "aiq_range"] / mean.loc[names, "aiq_cmax"]).mean(),
            "rho_pooled_ds": spearmanr(mean.loc[names, "aiq_cmax"], mean.loc[names, "aiq_cmax_ds"]).statistic}
    return out


# ---- RS against AIQ (simulated) ---------------------------------------------------------------------
def rank_frame(study) -> pd.DataFrame:
    """One row per router: mean RS and AIQ (pooled, cmax), rank by each (1 = best), the shift
    (AIQ rank - RS rank) and the mean number of distinct operating points."""
    names = routers(study.points)
    mean = _summary(study.points, names, ["rs", "aiq_cmax"])
    rank = pd.DataFrame({"RS": mean["rs"].astype(float), "AIQ": mean["aiq_cmax"].astype(float)})
    rank["rank by RS"] = rank["RS"].rank(ascending=False).astype(int)
    rank["rank by AIQ"] = rank["AIQ"].rank(ascending=False).astype(int)
    rank["shift"] = rank["rank by AIQ"] - rank["rank by RS"]
    rank["operating points"] = frontiers.distinct_points(study).loc[names].round(1)
    return rank


def rank_table(rank: pd.DataFrame):
    """:func:`rank_frame` as a Styler, sorted by RS rank."""
    return style.table(rank.sort_values("rank by RS").rename(columns={"shift": "shift (AIQ rank − RS rank)"})
                       .rename_axis("router"),
                       formats={"operating points": "{:.1f}", "shift (AIQ rank − RS rank)": "{:+d}"},
                       caption="RS against AIQ (pooled, cmax) on RouterBench-Sim (simulated)")


def _reason(rank: pd.DataFrame, r: str) -> str:
    if float(rank.loc[r, "operating points"]) <= 1:
        return ("it has a single operating point, so its hull is that point extended flat and AIQ "
                "counts zero quality at every budget below its cost")
    if rank.loc[r, "shift"] > 0:
        return ("its default point scores well on RS, but its frontier lies below other routers' over "
                "much of the budget range that AIQ averages over")
    return ("its frontier is high over much of the budget range, although the point its default rule "
            "picks is not the best by RS")


def rank_values(rank: pd.DataFrame, points: pd.DataFrame) -> dict:
    """Glue of the RS-against-AIQ section: Spearman and Kendall on the means, the per-split rho's
    interval, rho over the routers that trace a curve, discordant pairs, and the routers that move
    most between the two rankings (with the reason)."""
    from scipy.stats import spearmanr

    names = list(rank.index)
    a = frontiers.rank_agreement(points, names)
    curves_only = [r for r in names if rank.loc[r, "operating points"] > 1]
    pairs = [(x, y) for i, x in enumerate(names) for y in names[i + 1:]
             if (rank.loc[x, "RS"] - rank.loc[y, "RS"]) * (rank.loc[x, "AIQ"] - rank.loc[y, "AIQ"]) < 0]
    out = {"rho_rs_aiq": a["rho"], "tau_rs_aiq": a["tau"], "rho_rs_aiq_lo": a["rho_lo"], "rho_rs_aiq_hi": a["rho_hi"],
           "rho_rs_aiq_curves": spearmanr(rank.loc[curves_only, "RS"], rank.loc[curves_only, "AIQ"]).statistic,
           "n_curves_only": len(curves_only), "n_discordant": len(pairs), "n_pairs": len(names) * (len(names) - 1) // 2,
           "pairs_text": "; ".join(f"{x} vs {y}" for x, y in pairs[:8]) + (" ..." if len(pairs) > 8 else "")
           if pairs else "none"}
    for key, r in (("down", rank["shift"].idxmax()), ("up", rank["shift"].idxmin())):
        out |= {f"{key}_router": r, f"{key}_rs_rank": int(rank.loc[r, "rank by RS"]),
                f"{key}_aiq_rank": int(rank.loc[r, "rank by AIQ"]), f"{key}_reason": _reason(rank, r)}
    return out


# ---- real outcomes ---------------------------------------------------------------------------------
def load_real(scale: float, data_dir=None) -> dict:
    """{source: the benchmark chapters 03 and 11 evaluate (:func:`routerlab.data.sources.load_for_routers`),
    or None when its folder is missing}, for every source of :data:`REAL`."""
    return {name: sources.load_for_routers(name, scale, data_dir) for name in REAL}


def real_label(name: str) -> str:
    """"llmrouter (estimated cost)", "routerbench-subset (real cost)": a column or panel title."""
    return f"{name} ({'estimated' if name in findings.ESTIMATED_COST_SOURCES else 'real'} cost)"


def plot_real_hulls(studies: Mapping):
    """Split 0 of each study (``{label: FrontierStudy or None}``, at most four) in a 2 x 2 grid, the
    shared legend below; a missing study's panel reads "data not found"."""
    import matplotlib.pyplot as plt

    fig = plt.figure(figsize=style.figsize(10.0))
    grid = fig.add_gridspec(3, 2, height_ratios=(1, 1, 0.5))
    axes = [fig.add_subplot(grid[i // 2, i % 2]) for i in range(4)]
    handles = {}
    for ax, (label, st) in zip(axes, studies.items()):
        if st is None:
            plots.plot_data_not_found(ax, "data not found", title=label)
            continue
        cost = "mean estimated cost" if "estimated" in label else "mean cost"
        _hull_panel(ax, frontiers.plane_panel(st, seed=0), title=label, xlabel=f"{cost} per query (USD, log)")
        for h, lab in zip(*ax.get_legend_handles_labels()):
            handles.setdefault(lab, h)
    for ax in axes[len(studies):]:
        ax.axis("off")
    legend = fig.add_subplot(grid[2, :])
    legend.axis("off")
    legend.legend(handles.values(), handles.keys(), loc="center", ncol=4, fontsize=9, frameon=False,
                  title="NDCH of each router, split 0", title_fontsize=9)
    return fig


def real_comparison(studies: Mapping, names: Sequence[str]) -> dict:
    """{header: Styler} of routers x benchmarks, cells "mean [95% t-interval]": AIQ (cmax) pooled,
    AIQ (cmax) per dataset, and RS; rows ``names`` then :data:`REFERENCES`."""
    heads = {"aiq_cmax": "AIQ (cmax, pooled)", "aiq_cmax_ds": "AIQ (cmax, per dataset)", "rs": "RS"}
    table = frontiers.comparison_table(studies, list(names) + REFERENCES, heads)
    return {h: style.table(table.xs(h, axis=1, level=1).rename_axis("router"),
                           caption=f"{h} by benchmark: mean over splits [95% t-interval]") for h in heads.values()}


def _best(points: pd.DataFrame, names: Sequence[str]) -> dict:
    """The policy with the highest mean AIQ in each reading: ``pooled`` and ``per_dataset`` among
    ``names`` and the zero router (truth readers left out), and ``task_pooled`` / ``task_per_dataset``
    with the task-aware zero router among the candidates too."""
    cand = [r for r in list(names) + [ZERO] if r not in frontiers.READS_TRUTH]
    out = {}
    for key, col in (("pooled", "aiq_cmax"), ("per_dataset", "aiq_cmax_ds")):
        out[key] = frontiers.best_policy(points, cand, col)
        out[f"task_{key}"] = frontiers.best_policy(points, cand + [TASK_ZERO], col)
    return out


def agreement(studies: Mapping, common: Sequence[str]) -> tuple[dict, dict]:
    """({label: :func:`~routerlab.evaluation.cost_quality.rank_agreement` of RS and pooled AIQ over
    ``common`` or None}, {label: the best policy of each reading among all the study's routers
    (see :func:`_best`) or None})."""
    agree = {k: None if st is None else frontiers.rank_agreement(st.points, common) for k, st in studies.items()}
    best = {k: None if st is None else _best(st.points, routers(st.points)) for k, st in studies.items()}
    return agree, best


def agreement_table(agree: Mapping, best: Mapping):
    """Per benchmark: the agreement of the RS and AIQ rankings, and the policy with the highest AIQ,
    pooled (the reading ``aiq.best_is_learned`` is judged on), per dataset, and with the task-aware
    zero router among the candidates."""
    def learned(b):
        return "n/a" if b is None else ("yes" if b in frontiers.LEARNED else "no")

    rows = {}
    for label, a in agree.items():
        b = best[label] or {}
        rows[label] = {"routers compared": "n/a" if a is None else str(len(a["routers"])),
                       "Spearman ρ, mean scores": "n/a" if a is None else interval_text(a["rho"], fmt="{:.2f}"),
                       "Spearman ρ per split": "n/a" if a is None else interval_text(
                           a["rho_split"], a["rho_lo"], a["rho_hi"], "{:.2f}"),
                       "Kendall τ": "n/a" if a is None else interval_text(a["tau"], fmt="{:.2f}"),
                       "highest AIQ, pooled": b.get("pooled") or "data not found",
                       "learned router?": learned(b.get("pooled")),
                       "highest AIQ, per dataset": b.get("per_dataset") or "n/a",
                       "learned router? (per dataset)": learned(b.get("per_dataset")),
                       "highest pooled AIQ, the task-aware zero router a candidate": b.get("task_pooled") or "n/a"}
    return style.table(pd.DataFrame(rows).astype(str), caption=(
        "Agreement of the RS and AIQ (pooled) rankings (ρ per split: mean over the splits [95% t-interval]), and "
        "the policy with the highest AIQ, pooled (the reading aiq.best_is_learned is judged on) and per dataset, "
        "among the routers and the zero router (the oracle and the judge cascade, which read the test truth, left "
        "out), and the highest pooled AIQ with the task-aware zero router among the candidates"))


def above_references(studies: Mapping, names: Sequence[str] = PRED) -> pd.DataFrame:
    """How many of ``names`` (default: the six learned predictive routers) have a higher mean AIQ
    than each reference in each reading of :data:`READINGS`: benchmarks x readings, NaN where
    the study is missing."""
    rows = {}
    for label, st in studies.items():
        if st is None:
            rows[label] = {h: np.nan for _, _, h in READINGS}
            continue
        mean = _summary(st.points, list(names) + [ZERO, TASK_ZERO], ["aiq_cmax", "aiq_cmax_ds"])
        have = [r for r in names if r in mean.index]
        rows[label] = {h: len(_above(mean, have, ref, col)) for ref, col, h in READINGS}
    return pd.DataFrame(rows).T


def above_values(above: pd.DataFrame) -> dict:
    """:func:`above_references` as plain numbers for the smoke test's ranges:
    ``<stem>_above_<zero|task_zero>_<pooled|ds>`` (stem ``psim`` for the simulator, else from
    :data:`REAL`; NaN without the data)."""
    stems = {SIM_LABEL: "psim"} | {real_label(n): k for n, k in REAL.items()}
    keys = ["zero_pooled", "zero_ds", "task_zero_pooled", "task_zero_ds"]
    return {f"{stems[label]}_above_{k}": float(above.loc[label, h]) if not np.isfinite(above.loc[label, h])
            else int(above.loc[label, h]) for label in above.index for k, (_, _, h) in zip(keys, READINGS)}


def above_table(above: pd.DataFrame, n: int = len(PRED)):
    """:func:`above_references` as a Styler."""
    return style.table(above.rename_axis("benchmark"), formats=dict.fromkeys(above.columns, "{:.0f}"), caption=(
        f"How many of the {n} learned routers have a higher mean AIQ (cmax) than each query-blind reference, "
        "pooled and per dataset"))


def _short(label: str) -> str:
    """"the simulator" for :data:`SIM_LABEL`, else the source name without its cost label."""
    return "the simulator" if label == SIM_LABEL else label.split(" (")[0]


def _name(policy: str) -> str:
    return f"the {policy}" if policy in (ZERO, TASK_ZERO) else policy


def _listed(items: Sequence[str]) -> str:
    items = list(items)
    return "" if not items else items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def above_text(above: pd.DataFrame, n: int = len(PRED)) -> str:
    """Sentences on :func:`above_references`: how many learned routers lie above the zero router in
    pooled AIQ on each benchmark, how many above a reference that knows the task (the zero router
    per dataset; the task-aware zero router pooled and per dataset), and on which benchmarks the
    pooled lead vanishes against those references."""
    have = above.dropna(how="all")
    if have.empty:
        return "No benchmark was measured."
    h = [head for _, _, head in READINGS]
    names = [_short(k) for k in have.index]

    def counts(col):
        return _listed([f"{int(have.loc[k, col])}" for k in have.index])
    text = (f"Of the {n} learned routers, {counts(h[0])} lie above the zero router in pooled AIQ (on "
            f"{_listed(names)}, in that order). Against references that know the task: {counts(h[1])} lie above "
            f"the zero router per dataset; {counts(h[2])} above the task-aware zero router pooled; {counts(h[3])} "
            "above it per dataset.")
    lead = [k for k in have.index if have.loc[k, h[0]] > 0]
    both = [k for k in lead if have.loc[k, h[1]] == 0 and have.loc[k, h[2]] == 0]
    ds_only = [k for k in lead if have.loc[k, h[1]] == 0 and have.loc[k, h[2]] > 0]
    kept = [k for k in lead if have.loc[k, h[1]] > 0]
    if both:
        text += (f" On {_listed([_short(k) for k in both])} the pooled lead over the zero router vanishes once the "
                 "reference knows the task: no learned router lies above the zero router per dataset, nor above "
                 "the task-aware zero router pooled.")
    if ds_only:
        text += (f" On {_listed([_short(k) for k in ds_only])} no learned router lies above the zero router per "
                 "dataset, but some lie above the task-aware zero router pooled.")
    if kept:
        text += f" On {_listed([_short(k) for k in kept])} some learned routers lie above the zero router per dataset too."
    return text


def best_text(best: Mapping) -> str:
    """Sentences naming, on each benchmark, the policy with the highest AIQ pooled (the reading of
    ``aiq.best_is_learned``), per dataset, and pooled with the task-aware zero router among the
    candidates, and on how many benchmarks it is a learned router."""
    def reading(key):
        won = {}
        for label, b in best.items():
            if b is not None and b.get(key):
                won.setdefault(b[key], []).append(_short(label))
        if not won:
            return "n/a"
        n = sum(len(v) for p, v in won.items() if p in frontiers.LEARNED)
        return (_listed([f"{_name(p)} on {_listed(v)}" for p, v in won.items()])
                + f": a learned router on {n} of the {sum(map(len, won.values()))} benchmarks")

    return (f"Pooled (the finding's reading), the highest AIQ belongs to {reading('pooled')}. Per dataset it "
            f"belongs to {reading('per_dataset')}. Pooled, with the task-aware zero router among the candidates, "
            f"it belongs to {reading('task_pooled')}.")


def _status(name: str, b, scale: float, data_dir) -> str:
    if b is None:
        return f"{sources.status(name, data_dir)}: its column reads n/a and its panel says “data not found”."
    cost = "ESTIMATED per-query cost (list prices x token counts)" if b.cost_estimated else "REAL per-query cost"
    share = scale * sources.ROUTER_SHARE.get(name, 1.0)
    sub = f"scale {scale:g}" if share == scale else f"a stratified subsample, share {share:g}, at least 300 per dataset"
    return (f"{name}: found, {b.n_queries:,} queries x {b.n_models} models, {len(b.dataset_names)} datasets, "
            f"{cost} ({sub}).")


def real_values(real_bench: Mapping, real_study: Mapping, agree: Mapping, best: Mapping, common: Sequence[str],
                scale: float, data_dir) -> dict:
    """Glue of the real section, per source (key stem from :data:`REAL`): its status line, size,
    rank agreement, best policy (pooled and per dataset), AIQ of MF, the judge cascade, the zero
    router and the task-aware zero router (pooled and per dataset) and the oracle, how many of
    ``common`` lie above the zero router (pooled), the judge cascade's operating points, and
    plain numbers for the smoke test's ranges (``check_*``, NaN without the data)."""
    out = {}
    for name, key in REAL.items():
        b, st = real_bench[name], real_study[name]
        a, bp = agree[real_label(name)], best[real_label(name)] or {}
        s = None if st is None else _summary(st.points, list(common) + REFERENCES, ["aiq_cmax", "aiq_cmax_ds", "rs"])

        def get(r, col="aiq_cmax"):
            return None if s is None or r is None or r not in s.index else s.loc[r, col]
        out |= {f"{key}_status": _status(name, b, scale, data_dir),
                f"{key}_n_models": (None if b is None else b.n_models, "{:d}"),
                f"{key}_n_queries": (None if b is None else b.n_queries, "{:,d}"),
                f"{key}_n_datasets": (None if b is None else len(b.dataset_names), "{:d}"),
                f"{key}_rho": (None if a is None else a["rho"], "{:.2f}"),
                f"{key}_rho_ci": (None if a is None else interval_text(a["rho_split"], a["rho_lo"], a["rho_hi"], "{:.2f}"),
                                  "{}"),
                f"{key}_best_aiq_policy": (bp.get("pooled"), "{}"), f"{key}_best_aiq": (get(bp.get("pooled")), "{:.3f}"),
                f"{key}_best_aiq_policy_ds": (bp.get("per_dataset"), "{}"),
                f"{key}_zero_aiq": (get(ZERO), "{:.3f}"), f"{key}_zero_aiq_ds": (get(ZERO, "aiq_cmax_ds"), "{:.3f}"),
                f"{key}_task_zero_aiq": (get(TASK_ZERO), "{:.3f}"),
                f"{key}_task_zero_aiq_ds": (get(TASK_ZERO, "aiq_cmax_ds"), "{:.3f}"),
                f"{key}_oracle_aiq": (get("oracle"), "{:.3f}"), f"{key}_mf_aiq": (get("mf"), "{:.3f}"),
                f"{key}_mf_aiq_ds": (get("mf", "aiq_cmax_ds"), "{:.3f}"),
                f"{key}_n_beat_zero": (None if s is None else int(sum(get(r) > get(ZERO) for r in common if r in s.index)),
                                       "{:d}"),
                f"{key}_judge_aiq": (get("judge-cascade"), "{:.3f}"),
                f"{key}_judge_points": (None if st is None else frontiers.distinct_points(st).get("judge-cascade"), "{:.1f}"),
                f"{key}_share_below_budget": (None if b is None else np.mean(b.cost < min(CASCADE_BUDGETS)), "{:.1%}")}
        nan = float("nan")
        out |= {f"check_{key}_rho_split": nan if a is None else a["rho_split"],
                f"check_{key}_mf_aiq": nan if s is None else s.loc["mf", "aiq_cmax"],
                f"check_{key}_mf_rs": nan if s is None else s.loc["mf", "rs"],
                f"check_{key}_zero_aiq": nan if s is None else s.loc[ZERO, "aiq_cmax"],
                f"check_{key}_zero_aiq_ds": nan if s is None else s.loc[ZERO, "aiq_cmax_ds"],
                f"check_{key}_task_zero_aiq": nan if s is None else s.loc[TASK_ZERO, "aiq_cmax"],
                f"check_{key}_task_zero_aiq_ds": nan if s is None else s.loc[TASK_ZERO, "aiq_cmax_ds"]}
    return out


def sim_real_values(study, agree: Mapping, best: Mapping, common: Sequence[str]) -> dict:
    """The simulator's column of the real section: rank agreement over ``common``, the best policy
    (pooled) and how many of ``common`` lie above the zero router (pooled)."""
    a = agree[SIM_LABEL]
    mean = _summary(study.points, list(common) + [ZERO], ["aiq_cmax"])["aiq_cmax"]
    return {"psim_rho": a["rho"], "psim_rho_ci": interval_text(a["rho_split"], a["rho_lo"], a["rho_hi"], "{:.2f}"),
            "psim_best_aiq_policy": best[SIM_LABEL]["pooled"], "n_common": len(common),
            "psim_n_beat_zero": int(sum(mean[r] > mean[ZERO] for r in common))}


# ---- findings ----------------------------------------------------------------------------------------
def _rho_measurement(a: dict | None, n_seeds: int) -> dict:
    if a is None:
        return {"value": None, "lo": None, "hi": None, "note": "data folder not found"}
    return {"value": a["rho_split"], "lo": a["rho_lo"], "hi": a["rho_hi"],
            "note": f"mean over {n_seeds} splits of the Spearman rho between RS and AIQ (cmax, pooled) of "
                    f"{len(a['routers'])} routers ({', '.join(a['routers'])}), t-interval across splits; "
                    f"rho of the mean scores: {a['rho']:.2f}"}


def _learned_measurement(b: dict | None, st) -> dict:
    if st is None:
        return {"value": None, "lo": None, "hi": None, "note": "data folder not found"}
    if b["pooled"] is None:
        return {"value": None, "lo": None, "hi": None, "note": "no policy has an AIQ"}
    cand = [r for r in routers(st.points) + [ZERO] if r not in frontiers.READS_TRUTH]
    return {"value": b["pooled"] in frontiers.LEARNED, "lo": None, "hi": None,
            "note": f"highest mean AIQ (cmax, pooled) among {', '.join(cand)}: {b['pooled']} (oracle and judge "
                    f"cascade excluded: they read the test truth); other readings, not judged: per dataset "
                    f"{b['per_dataset']}; with the task-aware zero router among the candidates, pooled "
                    f"{b['task_pooled']}, per dataset {b['task_per_dataset']}"}


def record_findings(studies: Mapping, agree: Mapping, best: Mapping, n_seeds: int, sim_rho_all: float) -> None:
    """Hand this chapter's measurements to :func:`routerlab.reproduction.findings.record` (no
    verdict): ``aiq.rs_agrees`` (per-split rho of RS and pooled AIQ) and ``aiq.best_is_learned``
    (is the policy with the highest pooled AIQ a learned router?), on the simulator and on the
    sources each finding names in findings.yaml. ``aiq.rs_agrees`` ranks the routers of
    :func:`agreement`'s ``common``; the best policy's candidates are all of a study's routers and
    the zero router, the truth readers left out (:func:`agreement`)."""
    sim_rho = _rho_measurement(agree[SIM_LABEL], n_seeds)
    n_sim = len(routers(studies[SIM_LABEL].points))
    sim_rho["note"] += f"; over all {n_sim} simulated routers, rho of the mean scores = {sim_rho_all:.2f}"
    reg = {fid: findings.finding(fid)["real"] for fid in ("aiq.rs_agrees", "aiq.best_is_learned")}
    findings.record("aiq.rs_agrees", sim=sim_rho,
                    real={s: _rho_measurement(agree[real_label(s)], n_seeds) for s in reg["aiq.rs_agrees"]})
    findings.record("aiq.best_is_learned", sim=_learned_measurement(best[SIM_LABEL], studies[SIM_LABEL]),
                    real={s: _learned_measurement(best[real_label(s)], studies[real_label(s)])
                          for s in reg["aiq.best_is_learned"]})
