"""Chapter 02, "The Routing Score and its bounds": its tables, figures, glued numbers, findings and
ledger entries.

``notebooks/02_routing_score.py`` works the toy example and scores the fixed models and the bounds
in cells the reader sees; these functions do the rest. Each returns ``{glue key: value}`` for the
prose (``routerlab.book.glue.glue_dict``; a ``(value, format)`` pair is glued as text, "n/a"
when missing), a display-ready table, or draws on an ``ax``. Shapes: ``bench`` has n queries x m
models, ``bench.quality`` (n, m) 0/1 and ``bench.cost`` (n, m) USD per query; ``accuracy`` (m,)
fractions; ``rs_fixed`` {normalisation: (m,) RS of each fixed model}; ``fixed`` {model name:
Routing}; ``bounds`` {(bound, normalisation): Routing}.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from IPython.display import HTML

import routerlab as rl
from routerlab import metrics
from routerlab.book import plots, style
from routerlab.book.tables import html_table
from routerlab.data import sources
from routerlab.evaluation import fixed_scores as splitscores
from routerlab.evaluation import top_cost_cell as topcell
from routerlab.reproduction import findings as simcheck
from routerlab.reproduction import ledger

__all__ = ["CHAPTER", "REAL", "article", "rs", "toy_values", "bench_values", "normalisation_values",
           "bounds_values", "fixed_models", "plot_fixed_scores", "cost_caps", "plot_cost_tail", "plot_rs_cap",
           "plot_baselines", "random_values", "article_pairs", "real_studies", "plot_real_scores",
           "graded_studies", "record_findings", "record_ledger", "CELL_SOURCES", "top_cell_studies",
           "top_cell_values", "plot_top_cell"]

CHAPTER = "02_routing_score"
REAL = "routerbench-subset"  # the real source of the chapter's last section (real per-query cost)
#: The finding that asks whether OUB = COUB where it is not an identity: on graded quality.
GRADED = "rs.oub_is_coub_graded"
_interval = splitscores.interval_text  # "0.612 [0.590, 0.634]"


def article(claim_id: str) -> float:
    """The article's value for a claim (from the project's copy of claims.yaml)."""
    return float(ledger.claim(claim_id)["value"])


def rs(bench, routing, normalization: str = "global", cost=None) -> float:
    """RS of ``routing`` on ``bench``, normalised by ``cost`` (default: the benchmark's own)."""
    C = bench.cost
    return rl.routing_score(routing.returned_quality(bench.quality), routing.paid(C),
                            C if cost is None else cost, normalization)


def toy_values(paid, lo_q, hi_q, terms_global, terms_pq, rs_toy, toy_fixed, cmin, cmax) -> dict:
    """The worked example's numbers, per query (3,): paid, per-query range and RS terms; RS of the
    policy under both readings, of each fixed model and of random routing (their mean)."""
    out = {"toy_cmin": cmin, "toy_cmax": cmax}
    for i in range(3):
        out |= {f"toy_paid_{i + 1}": paid[i], f"toy_term_{i + 1}": terms_global[i],
                f"toy_pq_lo_{i + 1}": lo_q[i], f"toy_pq_hi_{i + 1}": hi_q[i], f"toy_pq_term_{i + 1}": terms_pq[i]}
    out |= {"toy_rs_global": rs_toy["global"], "toy_rs_pq": rs_toy["per-query"]}
    return out | {f"toy_fixed_{j}": toy_fixed[j] for j in range(3)} | {"toy_random": np.mean(toy_fixed)}


def bench_values(bench, scale: float, seed: int, n_seeds: int) -> dict:
    """Size of the simulated benchmark and the run's parameters."""
    return {"n_queries": bench.n_queries, "n_models": bench.n_models, "n_outcomes": bench.n_queries * bench.n_models,
            "scale": scale, "seed": seed, "n_seeds": n_seeds}


def normalisation_values(bench, accuracy, rs_fixed, cheapest_gap: float) -> dict:
    """Llama-3-8B under both readings (RS, quality, gaps) beside the article's pair; the per-query
    cheapest policy's RS - quality (``cheapest_gap``)."""
    C, llama = bench.cost, bench.model_index("Llama-3-8B-Instruct")
    # rounded to 12 decimals (+ 0.0 turns -0.0 into 0.0): a floating-point residue such as -1e-17
    # would print as "-0.000" in the text
    return {"llama_cheapest_share": np.mean(C.argmin(axis=1) == llama),
            "llama_rs_pq": rs_fixed["per-query"][llama], "llama_rs_global": rs_fixed["global"][llama],
            "llama_quality": accuracy[llama],
            "llama_pq_gap": round(accuracy[llama] - rs_fixed["per-query"][llama], 12) + 0.0,
            "cheapest_pq_gap": round(cheapest_gap, 12) + 0.0,
            "llama_global_gap": accuracy[llama] - rs_fixed["global"][llama],
            "art_llama_rs": article("result.llama8b.rs"), "art_llama_q": article("result.llama8b.quality"),
            "art_llama_gap": article("result.llama8b.quality") - article("result.llama8b.rs")}


def bounds_values(bench, bounds: dict, accuracy, short: dict) -> dict:
    """OUB vs COUB (share of queries with the same choice, RS difference), OUB vs QOUB (RS, quality,
    cost ratio), the best single model, and the article's oracle and GPT-4o quality."""
    coub, oub, qoub = bounds[("COUB", "any")], bounds[("OUB", "global")], bounds[("QOUB", "any")]
    Q, C = bench.quality, bench.cost
    return {"oub_coub_same_global": np.mean(oub.choice == coub.choice),
            "oub_coub_same_pq": np.mean(bounds[("OUB", "per-query")].choice == coub.choice),
            "oub_coub_rs_diff": max(abs(rs(bench, bounds[("OUB", n)], n) - rs(bench, coub, n))
                                    for n in metrics.NORMALIZATIONS),
            "oub_rs": rs(bench, oub), "oub_quality": oub.returned_quality(Q).mean(), "qoub_rs": rs(bench, qoub),
            "oub_minus_qoub": rs(bench, oub) - rs(bench, qoub),
            "qoub_cost_ratio": qoub.paid(C).mean() / oub.paid(C).mean(),
            "qoub_quality": qoub.returned_quality(Q).mean(), "best_single_quality": accuracy.max(),
            "best_single_name": short[bench.model_names[int(accuracy.argmax())]],
            "art_oub_q": article("result.oracle.quality"), "art_gpt4o_q": article("result.gpt4o.quality")}


def fixed_models(bench, accuracy, rs_fixed, short: dict):
    """(frame, Styler, glue values) of the fixed models: quality, RS under both readings, their ranks
    and RS/quality; the two orders, rank changes and GPT-4o's numbers."""
    names, C, gpt4o = bench.model_names, bench.cost, bench.model_index("GPT-4o")
    t = pd.DataFrame({"quality": accuracy, "RS global": rs_fixed["global"], "RS per-query": rs_fixed["per-query"],
                      "mean cost (USD)": C.mean(axis=0)}, index=[short[n] for n in names])
    t["rank global"] = t["RS global"].rank(ascending=False).astype(int)
    t["rank per-query"] = t["RS per-query"].rank(ascending=False).astype(int)
    t["RS/quality global"] = t["RS global"] / t["quality"]
    t["RS/quality per-query"] = t["RS per-query"] / t["quality"]
    ratio_g = t["RS/quality global"].to_numpy()
    values = {"rank_global": " > ".join(t.sort_values("RS global", ascending=False).index),
              "rank_pq": " > ".join(t.sort_values("RS per-query", ascending=False).index),
              "n_rank_equal_acc": int((t["rank global"] == t["quality"].rank(ascending=False)).sum()),
              "n_rank_changes": int((t["rank global"] != t["rank per-query"]).sum()),
              "gpt4o_rs_global": rs_fixed["global"][gpt4o], "gpt4o_rs_pq": rs_fixed["per-query"][gpt4o],
              "gpt4o_quality": accuracy[gpt4o], "gpt4o_dearest_share": np.mean(C.argmax(axis=1) == gpt4o),
              "ratio_global_min_nongpt4o": np.delete(ratio_g, gpt4o).min(), "ratio_global_gpt4o": ratio_g[gpt4o],
              "ratio_pq_gpt4o": t["RS/quality per-query"].iloc[gpt4o]}
    return t, style.table(t.drop(columns="mean cost (USD)")), values  # the costs are in the baselines table


def plot_fixed_scores(ax, frame):
    """Quality and RS under both readings of each fixed model (rows of :func:`fixed_models`' frame)."""
    plots.plot_model_scores(ax, frame[["quality", "RS global", "RS per-query"]], xlabel="fraction")
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.14), ncol=3)
    ax.set_title("Fixed-model policies (SIMULATED)")
    return ax


def cost_caps(bench, fixed: dict, accuracy, short: dict) -> dict:
    """Global RS of each fixed model when the dearest cells are capped.

    Returns {"cells": sorted (n*m,) costs (USD), "q999": their 99.9th percentile, "table": Styler of RS
    per cap (none, top cell, top 0.1%, top 1%) and quality, "shares": (9,) shares of cells capped,
    "rs_by_cap": (9, m) RS, "values": glue values}.
    """
    names, C = bench.model_names, bench.cost
    gpt4o, llama = bench.model_index("GPT-4o"), bench.model_index("Llama-3-8B-Instruct")
    cells = np.sort(C.ravel())
    q999 = np.quantile(cells, 0.999)
    caps = {"none": cells[-1], "top cell": cells[-2],
            "top 0.1%": np.quantile(cells, 0.999), "top 1%": np.quantile(cells, 0.99)}
    t = pd.DataFrame({label: [rs(bench, fixed[n], "global", np.minimum(C, cap)) for n in names]
                      for label, cap in caps.items()}, index=[short[n] for n in names])
    t["quality"] = accuracy
    shares = np.array([0.0, 1 / cells.size, 1e-4, 3e-4, 1e-3, 3e-3, 1e-2, 3e-2, 1e-1])
    cap_values = np.where(shares > 0, np.quantile(cells, 1 - shares), cells[-1])
    cap_values[1] = cells[-2]
    rs_by_cap = np.array([[rs(bench, fixed[n], "global", np.minimum(C, cap)) for n in names] for cap in cap_values])
    values = {"cost_max": cells[-1], "cost_max_over_gpt4o_mean": cells[-1] / C[:, gpt4o].mean(),
              "cost_max_over_p999": cells[-1] / q999,
              "top1_max_change": (t["top cell"] - t["none"]).abs().max(),
              "top01_gpt4o_change": t["none"].iloc[gpt4o] - t["top 0.1%"].iloc[gpt4o],
              "top01_llama_change": t["none"].iloc[llama] - t["top 0.1%"].iloc[llama],
              "top1pct_gpt4o_change": t["none"].iloc[gpt4o] - t["top 1%"].iloc[gpt4o]}
    table = style.table(t.rename(columns={"none": "no cap", "top cell": "top cell capped",
                                          "top 0.1%": "top 0.1% capped", "top 1%": "top 1% capped"}))
    return {"cells": cells, "q999": q999, "table": table, "shares": shares, "rs_by_cap": rs_by_cap,
            "values": values}


def plot_cost_tail(ax, bench, caps: dict, labels):
    """Survival curves of each model's cost per query (USD), marking the global c_max and the
    99.9th percentile of all cells."""
    plots.plot_cost_survival(ax, bench.cost, labels,
                             marks={"global cost max": caps["cells"][-1], "99.9th percentile of cells": caps["q999"]})
    ax.legend(loc="lower left")
    ax.set_title("Per-query cost of each model, tail (SIMULATED)")
    return ax


def plot_rs_cap(ax, caps: dict, labels, accuracy):
    """Global RS of each fixed model against the share of cells capped (dotted: its quality)."""
    plots.plot_rs_vs_cost_cap(ax, caps["shares"], caps["rs_by_cap"], labels, reference=accuracy)
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.2), ncol=3)
    ax.set_title("Global RS as the dearest cells are capped (SIMULATED)")
    return ax


def plot_baselines(ax, policy_table):
    """Quality against mean cost per query (USD, log) of the baselines and bounds, labelled directly."""
    plots.plot_quality_cost(ax, policy_table["mean_cost"], policy_table["quality"], policy_table.index)
    ax.get_legend().remove()
    for c in ax.collections:  # one colour: the direct labels name the points
        c.set_color(style.PALETTE[0])
    style.label_points(ax, policy_table["mean_cost"], policy_table["quality"], list(policy_table.index))
    ax.set_title("Baselines and bounds (SIMULATED)")
    return ax


def random_values(bench, rs_fixed, random_runs, policy_table, dearest: int, short: dict, n_seeds: int) -> dict:
    """Random routing (mean and sd over seeds) and Round Robin beside the mean of the fixed models'
    RS; the article's Random, GPT-4o and Llama-3-8B RS and what they imply for the other four."""
    gpt4o, llama = bench.model_index("GPT-4o"), bench.model_index("Llama-3-8B-Instruct")
    art_random, art_gpt4o_rs, art_llama_rs = (article("result.random.rs"), article("result.gpt4o.rs"),
                                              article("result.llama8b.rs"))
    return {"dearest_name": short[bench.model_names[dearest]], "mean_fixed_rs": rs_fixed["global"].mean(),
            "random_rs": random_runs["rs"].mean(),
            "random_rs_sd": random_runs["rs"].std(ddof=1) if n_seeds > 1 else 0.0,
            "rr_rs": policy_table.loc["Round Robin", "rs"], "art_random_rs": art_random,
            "art_gpt4o_rs": art_gpt4o_rs, "art_other4": (6 * art_random - art_gpt4o_rs - art_llama_rs) / 4,
            "our_other4": np.delete(rs_fixed["global"], [gpt4o, llama]).mean()}


def article_pairs(bench, fixed: dict, accuracy, cells) -> dict:
    """What the article's (RS, quality) pairs imply about cost, beside ours.

    RS/quality of Llama-3-8B and GPT-4o (the article's, ours, and ours with the dearest cells capped
    at ``cap_for_article`` USD, found by bisection in log space so that GPT-4o's matches the
    article's); the largest cost reduction (fraction) each set of pairs allows. ``cells``: the
    sorted costs of :func:`cost_caps`. Returns {"table": Styler, "values", "max_reduction",
    "our_reduction"}.
    """
    C, names = bench.cost, bench.model_names
    gpt4o, llama = bench.model_index("GPT-4o"), bench.model_index("Llama-3-8B-Instruct")
    art_q_llama, art_q_gpt4o = article("result.llama8b.quality"), article("result.gpt4o.quality")
    art_ratio_llama = article("result.llama8b.rs") / art_q_llama
    art_ratio_gpt4o = article("result.gpt4o.rs") / art_q_gpt4o
    z_ratio = (1 - art_ratio_llama) / (1 - art_ratio_gpt4o)
    max_reduction = 1 - z_ratio

    def ratio_at_cap(j, cap):
        return rs(bench, fixed[names[j]], "global", np.minimum(C, cap)) / accuracy[j]

    # RS/quality of GPT-4o increases with the cap: bisect (in log space) for the article's value
    lo, hi = np.log(cells[cells > 0][0]), np.log(cells[-1])
    if ratio_at_cap(gpt4o, np.exp(hi)) <= art_ratio_gpt4o:
        cap = cells[-1]
    else:
        for _ in range(60):
            mid = (lo + hi) / 2
            lo, hi = (mid, hi) if ratio_at_cap(gpt4o, np.exp(mid)) < art_ratio_gpt4o else (lo, mid)
        cap = np.exp(hi)
    ours_llama, ours_gpt4o = ratio_at_cap(llama, cells[-1]), ratio_at_cap(gpt4o, cells[-1])
    table = pd.DataFrame({"article": [art_ratio_llama, art_ratio_gpt4o], "ours (global)": [ours_llama, ours_gpt4o],
                          "ours, dearest cells capped to match GPT-4o": [ratio_at_cap(llama, cap),
                                                                       ratio_at_cap(gpt4o, cap)]},
                         index=["Llama-3-8B RS/quality", "GPT-4o RS/quality"]).style.format("{:.3f}")
    our_reduction = 1 - C[:, llama].mean() / C[:, gpt4o].mean()
    values = {"art_ratio_llama": art_ratio_llama, "art_ratio_gpt4o": art_ratio_gpt4o,
              "art_z_llama": 1 - art_ratio_llama, "art_z_gpt4o": 1 - art_ratio_gpt4o, "art_z_ratio": z_ratio,
              "art_max_reduction": max_reduction, "art_reduction": article("result.llama8b.cost_reduction"),
              "our_reduction": our_reduction, "our_ratio_llama": ours_llama, "our_ratio_gpt4o": ours_gpt4o,
              "cap_for_article": cap, "cap_for_article_share": np.mean(C >= cap),
              "llama_ratio_at_cap": ratio_at_cap(llama, cap),
              "our_max_reduction": 1 - (1 - ours_llama) / (1 - ours_gpt4o),
              "ratio_gap_llama_gpt4o": ours_llama - ours_gpt4o}
    return {"table": table, "values": values, "max_reduction": max_reduction, "our_reduction": our_reduction}


def _cells(scores, cols):
    """Text cells "mean [lo, hi]" of ``cols`` for every row of a seed_interval table."""
    return pd.DataFrame({c: [_interval(r[c], r[f"{c}_lo"], r[f"{c}_hi"]) for _, r in scores.iterrows()]
                         for c in cols}, index=scores.index)


def _wrap(v):
    """An interval cell broken before its bracket (narrow tables)."""
    return v.replace(" [", "\n[") if isinstance(v, str) else v


def _real_fixed_table(real_study) -> HTML:
    """RouterBench's fixed models on real costs: quality and RS with intervals, USD per 1,000 queries."""
    if real_study is None:
        t = pd.DataFrame({"": ["data not found: no routerbench-subset folder"]}, index=[REAL])
    else:
        fx = real_study.fixed
        t = _cells(fx, ["quality", "rs_global", "rs_per_query"])
        t["USD per 1,000 queries"] = [f"{1000 * v:.3g}" for v in fx["mean_cost"]]
        t = t.rename(columns={"rs_global": "RS, global", "rs_per_query": "RS, per-query"})
        t.index = [k.split("/")[-1] for k in fx.index]
        t = t.iloc[np.argsort([real_study.order_global.index(k) for k in fx.index], kind="stable")]
    view = t.map(_wrap)  # the rows are in global-RS order
    return HTML(html_table(view.rename_axis("model").reset_index(),
                           nowrap=[c for c in ("quality", "RS, global", "RS, per-query") if c in view.columns]))


def _bounds_table(sim_study, real_study) -> HTML:
    """The three bounds on the simulator and on the real source: RS (both readings) and quality."""
    cols = ["RS, global", "RS, per-query", "quality"]

    def bounds_cells(st):
        if st is None:
            return pd.DataFrame("n/a", index=list(splitscores.BOUNDS), columns=cols)
        scores = st.scores.loc[list(splitscores.BOUNDS)]
        return _cells(scores, ["rs_global", "rs_per_query", "quality"]).set_axis(cols, axis=1)

    view = pd.concat({"RouterBench-Sim (simulated)": bounds_cells(sim_study),
                      "routerbench-subset (real cost)": bounds_cells(real_study)}, axis=1).stack(level=0).map(_wrap)
    view.index.names = ["bound", "benchmark"]
    return HTML(html_table(view.reset_index(), nowrap=["bound"] + cols))


def _study_values(st, prefix: str) -> dict:
    """The numbers the prose quotes for one benchmark's normalisation study (None -> "n/a")."""
    get = (lambda f: None) if st is None else (lambda f: f(st))
    fx = None if st is None else st.fixed
    rs3 = ["rs_global", "rs_global_lo", "rs_global_hi"]
    out = {f"{prefix}_best_rs_name": (get(lambda s: s.best_by_rs.split("/")[-1]), "{}"),
           f"{prefix}_most_acc_name": (get(lambda s: s.most_accurate.split("/")[-1]), "{}"),
           f"{prefix}_dearest_name": (get(lambda s: s.dearest.split("/")[-1]), "{}")}
    for key, model in (("best_rs", "best_by_rs"), ("most_acc", "most_accurate"), ("dearest", "dearest")):
        for col, short_col in (("rs_global", "rs"), ("quality", "q"), ("rs_per_query", "rs_pq")):
            out[f"{prefix}_{key}_{short_col}"] = (
                get(lambda s: _interval(*fx.loc[getattr(s, model), [col, f"{col}_lo", f"{col}_hi"]])), "{}")
    out |= {f"{prefix}_dearest_ratio": (
                get(lambda s: fx.loc[s.dearest, "rs_global"] / fx.loc[s.dearest, "quality"]), "{:.3f}"),
            f"{prefix}_n_models": (get(lambda s: len(s.order_global)), "{:d}"),
            f"{prefix}_second_name": (get(lambda s: s.order_global[1].split("/")[-1]), "{}"),
            f"{prefix}_second_rs": (get(lambda s: _interval(*fx.loc[s.order_global[1], rs3])), "{}"),
            f"{prefix}_tail_ratio": (get(lambda s: s.tail_ratio), "{:.1f}"),
            f"{prefix}_n_rank_changes": (get(lambda s: s.n_rank_changes), "{:d}"),
            f"{prefix}_order_global": (get(lambda s: " > ".join(k.split("/")[-1] for k in s.order_global)), "{}"),
            f"{prefix}_order_pq": (get(lambda s: " > ".join(k.split("/")[-1] for k in s.order_per_query)), "{}")}
    for norm, short_norm in (("global", "global"), ("per-query", "pq")):
        out[f"{prefix}_oub_coub_same_{short_norm}"] = (get(lambda s: s.same_share(norm)), "{:.2%}")
        out[f"{prefix}_oub_coub_ndiffer_{short_norm}"] = (
            get(lambda s: int(s.agreement.loc[s.agreement["normalization"] == norm, "n_differ"].sum())), "{:,d}")
    for b_key, b_row in (("oub", "OUB (global)"), ("qoub", "QOUB"), ("coub", "COUB")):
        out[f"{prefix}_{b_key}_rs"] = (get(lambda s: _interval(*s.scores.loc[b_row, rs3])), "{}")
    return out | {
        f"{prefix}_oub_q": (get(lambda s: s.scores.loc["OUB (global)", "quality"]), "{:.3f}"),
        f"{prefix}_oub_minus_qoub": (get(lambda s: s.scores.loc["OUB (global)", "rs_global"]
                                         - s.scores.loc["QOUB", "rs_global"]), "{:.3f}"),
        f"{prefix}_qoub_cost_ratio": (get(lambda s: s.scores.loc["QOUB", "mean_cost"]
                                          / s.scores.loc["OUB (global)", "mean_cost"]), "{:.1f}")}


def _check_values(st, prefix: str) -> dict:
    """Plain numbers for the smoke test's sanity ranges (NaN without the data; not quoted in the prose)."""
    sc = None if st is None else st.scores
    return {f"check_{prefix}_oub_coub_same": np.nan if st is None else st.same_share("global"),
            f"check_{prefix}_oub_rs": np.nan if st is None else sc.loc["OUB (global)", "rs_global"],
            f"check_{prefix}_qoub_minus_oub": np.nan if st is None
            else sc.loc["QOUB", "rs_global"] - sc.loc["OUB (global)", "rs_global"],
            f"check_{prefix}_best_rs": np.nan if st is None else st.fixed.loc[st.best_by_rs, "rs_global"],
            f"check_{prefix}_n_rank_changes": np.nan if st is None else st.n_rank_changes}


def real_studies(bench, *, scale: float, n_seeds: int, data_dir) -> dict:
    """Fixed models and bounds on the test rows of ``n_seeds`` splits, on the simulator and on
    RouterBench's real outcomes (None without the data folder).

    Returns {"real_bench", "sim", "real": NormalisationStudy or None, "values": glue values,
    including the tables "tbl_real_fixed" and "tbl_bounds_compare"}.
    """
    real_bench = sources.load_for_book(REAL, scale=scale, seed=0, data_dir=data_dir, min_per_dataset=300)
    sim_study = splitscores.normalisation_study(bench, range(n_seeds))
    real_study = None if real_bench is None else splitscores.normalisation_study(real_bench, range(n_seeds))
    if real_bench is None:
        status = (f"{sources.status(REAL, data_dir)}. Every real-data number in this section reads "
                  "n/a and its figure says “data not found”; the simulated column is still computed.")
    else:
        status = (f"routerbench-subset: found, {real_bench.n_queries:,} queries x {real_bench.n_models} "
                  f"models ({', '.join(real_bench.dataset_names)}), real per-query cost "
                  f"(scale {scale:g}). mmlu-pro and llmrouter are not used for RS in this chapter: their "
                  "costs are estimated, and this chapter is about what real costs do to RS (llmrouter's "
                  "graded scores serve only to compare the choices of OUB and COUB).")
    values = {"tbl_real_fixed": _real_fixed_table(real_study), "last_seed": n_seeds - 1, "rb_status": status,
              "rb_n_models": (None if real_bench is None else real_bench.n_models, "{:d}"),
              "rb_n_queries": (None if real_bench is None else real_bench.n_queries, "{:,d}")}
    values |= _study_values(sim_study, "psim") | _study_values(real_study, "real")
    values["real_cost_max"] = (None if real_bench is None else real_bench.cost.max(), "{:.4f}")
    values |= _check_values(sim_study, "psim") | _check_values(real_study, "real")
    values |= {"check_rb_n_queries": np.nan if real_bench is None else real_bench.n_queries,
               "tbl_bounds_compare": _bounds_table(sim_study, real_study)}
    return {"real_bench": real_bench, "sim": sim_study, "real": real_study, "values": values}


def plot_real_scores(ax, real_study):
    """Quality and RS under both readings of RouterBench's models (means over the test splits),
    ordered by global RS; a "data not found" panel without the data."""
    if real_study is None:
        plots.plot_data_not_found(ax, "routerbench-subset: data not found")
    else:
        fx = real_study.fixed.loc[real_study.order_global]
        plots.plot_model_scores(ax, fx[["quality", "rs_global", "rs_per_query"]].set_axis(
            ["quality", "RS global", "RS per-query"], axis=1).set_axis([k.split("/")[-1] for k in fx.index]),
            xlabel="fraction (mean over test splits)")
        ax.tick_params(labelsize=9)
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.12), ncol=3, fontsize=9, frameon=False)
    ax.set_title("RouterBench's 11 models, real cost")
    return ax


MISSING = {"value": None, "lo": None, "hi": None, "note": "data folder not found"}


def graded_studies(*, scale: float, n_seeds: int, data_dir) -> dict:
    """OUB against COUB where quality is graded: for each real source of finding :data:`GRADED`,
    {"bench": Benchmark or None (data folder not found), "n_graded": cells neither 0 nor 1,
    "study": :class:`NormalisationStudy` on ``n_seeds`` splits, or None without graded cells}, and
    "values": glue values ``graded_text`` (one sentence per source) and ``check_graded_same``
    (share of the first source's test queries where the two agree; NaN when not measured)."""
    out, parts = {}, []
    for src in simcheck.finding(GRADED)["real"]:
        b = sources.load_for_book(src, scale=scale, seed=0, data_dir=data_dir, min_per_dataset=300)
        n_graded = 0 if b is None else simcheck.graded_cells(b.quality)
        st = splitscores.normalisation_study(b, range(n_seeds)) if n_graded else None
        out[src] = {"bench": b, "n_graded": n_graded, "study": st}
        if b is None:
            parts.append(f"{src}: data folder not found")
        elif st is None:
            parts.append(f"{src}: every quality is 0 or 1 in this build, so OUB = COUB is an identity there "
                         "and the finding is not measurable")
        else:
            a = st.agreement[st.agreement["normalization"] == "global"]
            parts.append(f"{simcheck.source_label(src)}: quality is graded on {n_graded:,} of "
                         f"{b.quality.size:,} cells; OUB and COUB choose the same model on "
                         f"{st.same_share('global'):.2%} of the test queries of {n_seeds} splits "
                         f"({int(a['n_differ'].sum()):,} differ)")
    first = out[next(iter(out))]["study"] if out else None
    return {"sources": out, "values": {
        "graded_text": "; ".join(parts),
        "check_graded_same": np.nan if first is None else first.same_share("global")}}


def _graded_entry(g: dict, src: str, n_seeds: int) -> dict:
    """The measurement of :data:`GRADED` on one real source of :func:`graded_studies`."""
    if g["bench"] is None:
        return dict(MISSING)
    if g["study"] is None:
        return {"value": None, "lo": None, "hi": None,
                "note": f"every quality on {src} is 0 or 1 in this build: OUB = COUB is an identity there "
                        "(rs.oub_is_coub), not a finding"}
    e = _finding_entry(g["study"], "oub_is_coub", n_seeds)
    return dict(e, note=e["note"] + f"; quality graded on {g['n_graded']:,} of {g['bench'].quality.size:,} cells")


def _finding_entry(st, what: str, n_seeds: int) -> dict:
    """The measurement of one finding on one normalisation study (or "data folder not found")."""
    if st is None:
        return dict(MISSING)
    if what == "oub_is_coub":
        return {"value": st.oub_is_coub("global"), "lo": None, "hi": None,
                "note": f"OUB and COUB choose the same model on {st.same_share('global'):.2%} of the test "
                        f"queries of {n_seeds} splits (global normalisation)"}
    if what == "reorders":
        return {"value": st.reorders, "lo": None, "hi": None,
                "note": f"{st.n_rank_changes} of {len(st.order_global)} fixed models change rank "
                        f"(means over {n_seeds} test splits)"}
    fx = st.fixed
    rs3 = ["rs_global", "rs_global_lo", "rs_global_hi"]
    return {"value": st.best_not_most_accurate, "lo": None, "hi": None,
            "note": f"best by RS (global): {st.best_by_rs} ({_interval(*fx.loc[st.best_by_rs, rs3])}); "
                    f"most accurate: {st.most_accurate} (RS {_interval(*fx.loc[st.most_accurate, rs3])})"}


def record_findings(studies: dict, n_seeds: int, graded: dict | None = None) -> None:
    """Record the chapter's findings, measured on the simulator and on RouterBench's real outcomes
    (same protocol), and OUB = COUB on the graded sources of ``graded`` (:func:`graded_studies`);
    simcheck applies the pre-registered rules (``rs.oub_is_coub`` is an identity: its record is a
    check of the code)."""
    for fid, what in (("rs.oub_is_coub", "oub_is_coub"), ("rs.norm_reorders_models", "reorders"),
                      ("rs.best_fixed_not_most_accurate", "best")):
        simcheck.record(fid, sim=_finding_entry(studies["sim"], what, n_seeds),
                        real={REAL: _finding_entry(studies["real"], what, n_seeds)})
    if graded is not None:
        sim = _finding_entry(studies["sim"], "oub_is_coub", n_seeds)
        simcheck.record(GRADED, sim=dict(sim, note=sim["note"] + "; RouterBench-Sim's quality is 0/1, where "
                                         "this is an identity"),
                        real={src: _graded_entry(g, src, n_seeds) for src, g in graded["sources"].items()})


def _bound_measures(st) -> dict:
    """What the bounds' criteria read, on every split's test rows of one normalisation study."""
    ps = st.per_seed
    r = ps.pivot(index="seed", columns="policy", values="rs_global")
    q = ps.pivot(index="seed", columns="policy", values="quality")
    o = "OUB (global)"
    return {"oub_margin": float((r[o] - r.drop(columns=o).max(axis=1)).min()),
            "qoub_quality_gap": float((q["QOUB"] - q[o]).abs().max()),
            "oub_minus_qoub_rs": float((r[o] - r["QOUB"]).min()),
            "coub_quality_gap": float((q["COUB"] - q[o]).abs().max()),
            "oub_minus_coub_rs": float((r[o] - r["COUB"]).min()),
            "same_choice_share": st.same_share("global")}


def record_ledger(bench, *, accuracy, rs_fixed, bounds: dict, rs_toy: dict, hand: tuple, cheapest_gap: float,
                  studies: dict, pairs: dict, n_seeds: int) -> None:
    """Record the definitional claims this chapter checks (measurements only: the verdicts come from
    criteria.yaml). ``hand``: the worked example's RS by hand (global, per-query); ``studies``:
    :func:`real_studies`; ``pairs``: :func:`article_pairs`."""
    Q, llama = bench.quality, bench.model_index("Llama-3-8B-Instruct")
    art_q_llama, art_llama_rs = article("result.llama8b.quality"), article("result.llama8b.rs")
    art_q_gpt4o = article("result.gpt4o.quality")
    ledger.record("rs.definition", ours="global min-max normalisation (default)", chapter=CHAPTER,
                  measured={"worked_rs_global": rs_toy["global"], "worked_hand_global": hand[0],
                            "worked_rs_per_query": rs_toy["per-query"], "worked_hand_per_query": hand[1],
                            "cheapest_pq_gap": cheapest_gap, "llama_quality": accuracy[llama],
                            "llama_rs_global": rs_fixed["global"][llama],
                            "article_llama_quality": art_q_llama, "article_llama_rs": art_llama_rs},
                  note=f"per-query would make the per-query cheapest model's RS equal its quality "
                       f"(ours: Llama-3-8B {rs_fixed['per-query'][llama]:.3f} vs {accuracy[llama]:.3f}); "
                       f"the article reports {art_llama_rs:.3f} vs {art_q_llama:.3f}")
    real_study = studies["real"]

    def real_check(value_of, note):
        """The same check on RouterBench's real outcomes (test rows of every split), or "not checkable"."""
        if real_study is None:
            return {REAL: {"measured": None, "ours": None, "note": "data folder not found"}}
        v, lo, hi = value_of(real_study)
        return {REAL: {"measured": _bound_measures(real_study), "ours": v, "lo": lo, "hi": hi, "note": note}}

    def bound_rs(row):
        return lambda st: tuple(st.scores.loc[row, ["rs_global", "rs_global_lo", "rs_global_hi"]])

    oub, coub = bounds[("OUB", "global")], bounds[("COUB", "any")].choice
    same = float(np.mean(oub.choice == coub))
    sim_bounds = dict(_bound_measures(studies["sim"]), same_choice_share=same)
    ledger.record("bounds.oub", ours=float(rs(bench, oub)), chapter=CHAPTER, measured=sim_bounds,
                  note=f"checked on the test rows of {n_seeds} splits: OUB >= every fixed model and bound on each",
                  real=real_check(bound_rs("OUB (global)"), f"RS (global) on the test rows of {n_seeds} splits; "
                                  "OUB >= every fixed model and bound on each"))
    ledger.record("bounds.qoub", ours=float(rs(bench, bounds[("QOUB", "any")])), chapter=CHAPTER, measured=sim_bounds,
                  real=real_check(bound_rs("QOUB"), f"RS (global) on the test rows of {n_seeds} splits; "
                                  "QOUB correct whenever any model is"))
    ledger.record("bounds.coub", ours=same, chapter=CHAPTER, measured=sim_bounds,
                  note="share of queries where OUB and COUB choose the same model (derivation in chapter 02)",
                  real=real_check(lambda st: (st.same_share("global"), None, None),
                                  f"share of the test queries of {n_seeds} splits (global normalisation)"))
    no_interval = {"seeds_lo": None, "seeds_hi": None, "boot_lo": None, "boot_hi": None}  # all rows, no splits
    oub_q = float(oub.returned_quality(Q).mean())
    ledger.record("result.oracle.quality", ours=oub_q, chapter=CHAPTER,
                  measured=dict(no_interval, ours=oub_q, best_single_quality=float(accuracy.max()),
                                article_gpt4o_quality=art_q_gpt4o),
                  note=f"ours {oub.returned_quality(Q).mean():.3f} >= best single {accuracy.max():.3f}; "
                       f"the article's {article('result.oracle.quality'):.3f} < its GPT-4o {art_q_gpt4o:.3f}")
    ledger.record("result.llama8b.cost_reduction", ours=float(pairs["our_reduction"]), chapter=CHAPTER,
                  measured=dict(no_interval, ours=float(pairs["our_reduction"]),
                                max_reduction=float(pairs["max_reduction"])),
                  note=f"the article's own RS and quality imply at most {pairs['max_reduction']:.1%} (SIMULATED ours)")


# ---- one call moves RS: the most expensive cell of each benchmark ----------------------------------
#: the benchmarks of the section on the most expensive call: the simulator, then every real source
CELL_SOURCES = ("routerbench-subset", "llmrouter", "mmlu-pro", "routellm")
CELL_TITLES = {"sim": "RouterBench-Sim (simulated)", "routerbench-subset": "routerbench-subset (real cost)",
               "llmrouter": "llmrouter (estimated cost)", "mmlu-pro": "mmlu-pro (estimated cost)",
               "routellm": "routellm (estimated cost)"}


def _key(name: str) -> str:
    """Glue-key fragment of a benchmark: "routerbench-subset" -> "routerbench_subset"."""
    return name.replace("-", "_")


def top_cell_studies(bench, rb_bench, *, scale: float, n_seeds: int, data_dir) -> dict:
    """{"sim" or source: study or None (data missing)} of the section on the most expensive call.

    A study is ``{"frame", "cell", "summary", "n_in_test"}`` from
    :func:`routerlab.evaluation.top_cost_cell.top_cell_sensitivity` (fixed models and OUB on the test
    rows of seeds ``0..n_seeds-1``) and :func:`~routerlab.evaluation.top_cost_cell.sensitivity_summary`;
    ``n_in_test``: how many of those splits hold the top cell's query in their test rows.
    ``rb_bench``: the routerbench-subset benchmark already loaded (or None); the other sources are
    loaded as :func:`real_studies` loads it (``load_for_book`` at ``scale``).
    """
    benches = {"sim": bench, REAL: rb_bench}
    for name in CELL_SOURCES:
        if name != REAL:
            benches[name] = sources.load_for_book(name, scale=scale, seed=0, data_dir=data_dir, min_per_dataset=300)
    out = {}
    for key in ("sim", *CELL_SOURCES):
        b = benches[key]
        if b is None:
            out[key] = None
            continue
        frame, cell = topcell.top_cell_sensitivity(b, range(n_seeds))
        out[key] = {"frame": frame, "cell": cell, "summary": topcell.sensitivity_summary(frame),
                    "n_in_test": int(frame.groupby("seed")["in_test"].first().sum())}
    return out


def _fixed_rows(st) -> pd.DataFrame:
    """The fixed models' rows of a study's summary (OUB left out)."""
    return st["summary"].drop(index=topcell.OUB)


NO_SPLIT = "none: no split's test rows hold the call"


def _most_moved(st) -> str:
    """The fixed model whose RS the top cell alone moves most on one split (:data:`NO_SPLIT` when
    no split's test rows hold it)."""
    return str(_fixed_rows(st)["cell move"].abs().idxmax()) if st["n_in_test"] else NO_SPLIT


def _signed(v) -> str:
    return f"{round(float(v), 3) + 0.0:+.3f}"  # + 0.0: no "-0.000"


def _summary_table(studies: dict, n_seeds: int) -> HTML:
    """Measures as rows, benchmarks as columns: the top cell, how many splits hold it, the fixed
    model it moves most (and by how much on one split), that model's spread over the splits as is
    and capped, the oracle's largest move, and the largest move under the high-quantile cap."""
    cols = {}
    for key, st in studies.items():
        if st is None:
            cols[CELL_TITLES[key]] = ["data not found"] * 7
            continue
        c, sm = st["cell"], st["summary"]
        top = _most_moved(st)
        fixed = _fixed_rows(st)
        qtop = str(fixed["quantile move"].abs().idxmax())
        cols[CELL_TITLES[key]] = [
            f"{c['sample_id']} answered by {c['model']}: {c['cost']:.4f} USD (next largest {c['next_cost']:.4f})",
            f"{st['n_in_test']} of {n_seeds}",
            NO_SPLIT if top == NO_SPLIT else
            f"{top}: {_signed(sm.loc[top, 'cell move'])} (split {int(sm.loc[top, 'cell move seed'])})",
            "-" if top == NO_SPLIT else f"{sm.loc[top, 'spread']:.3f} -> {sm.loc[top, 'spread capped']:.3f}",
            _signed(sm.loc[topcell.OUB, "cell move"]),
            f"{qtop}: {_signed(fixed.loc[qtop, 'quantile move'])}",
            f"{c['quantile_cost']:.4f} USD"]
    rows = ["most expensive call", "splits whose test rows hold it",
            "fixed model it moves most: RS change on one split (top call dropped or capped at the next largest)",
            "that model's RS spread over the splits (max - min): as is -> capped at the next largest",
            "oracle (OUB) RS: largest change on one split", "top 0.1% of cells capped: largest change of a fixed model",
            "the 99.9th percentile of cells (the cap)"]
    frame = pd.DataFrame(cols, index=rows).rename_axis("measure").reset_index()
    # every column a width: a fixed layout that scrolls sideways instead of squeezing a column
    widths = {c: ("14em" if c == "measure" else "11em") for c in frame.columns}
    return HTML(html_table(frame, widths=widths))


def _model_table(studies: dict) -> HTML:
    """Every fixed model and the oracle on every benchmark: RS as is (mean and range over the
    splits) and its change (mean over the splits) under each variant; the largest single-split move."""
    parts = []
    for key, st in studies.items():
        if st is None:
            continue
        sm = st["summary"]
        parts.append(pd.DataFrame({
            "benchmark": CELL_TITLES[key], "policy": [str(p).split("/")[-1] for p in sm.index],
            "RS as is (min to max over splits)": [f"{r:.3f} ({a:.3f} to {b:.3f})"
                                                  for r, a, b in zip(sm["rs"], sm["rs_min"], sm["rs_max"])],
            "top call dropped": sm["change top call dropped"].map(_signed).to_numpy(),
            "capped at next largest": sm["change capped at next largest"].map(_signed).to_numpy(),
            "top 0.1% capped": sm["change capped at high quantile"].map(_signed).to_numpy(),
            "largest move on one split (top call)": sm["cell move"].map(_signed).to_numpy()}))
    if not parts:
        return HTML("<p><em>No benchmark found.</em></p>")
    return HTML(html_table(pd.concat(parts, ignore_index=True), nowrap=["RS as is (min to max over splits)"]))


def _cell_text(st, top: str, n_seeds: int) -> str:
    """The prose on one benchmark's top call: how many splits hold it and, if any, what it moves."""
    c, sm = st["cell"], st["summary"]
    head = (f"The call {c['sample_id']} answered by {c['model']} costs {c['cost']:.4f} USD; the next largest "
            f"cell costs {c['next_cost']:.4f} USD. ")
    if top == NO_SPLIT:
        return head + (f"It falls in the test rows of none of the {n_seeds} splits, so on these splits it moves "
                       "no RS (other splits could hold it).")
    r = sm.loc[top]
    return head + (
        f"It falls in the test rows of {st['n_in_test']} of the {n_seeds} splits. The fixed model it moves most "
        f"is {top.split('/')[-1]}, whose RS ranges from {r['rs_min']:.3f} to {r['rs_max']:.3f} over the splits: "
        f"dropping that one call from the test rows, or capping it at the next largest cost, changes it by up "
        f"to {_signed(r['cell move'])} (on split {int(r['cell move seed'])}), and with the call capped its "
        f"spread over the splits (largest minus smallest RS) goes from {r['spread']:.3f} to "
        f"{r['spread capped']:.3f}. The oracle (OUB) moves by {_signed(sm.loc[topcell.OUB, 'cell move'])} at most.")


def top_cell_values(studies: dict, n_seeds: int) -> dict:
    """Glue values of the section: the two tables (``tbl_top_cell``, ``tbl_top_cell_models``) and,
    per benchmark ``k`` (``sim`` or a source with "-" as "_"), ``tc_<k>_cell`` (query and model),
    ``tc_<k>_cost`` / ``tc_<k>_next_cost`` (USD), ``tc_<k>_n_in_test``, ``tc_<k>_model`` (the fixed
    model the top cell moves most), ``tc_<k>_move`` / ``tc_<k>_move_seed`` (its largest change on
    one split and that split), ``tc_<k>_rs_range`` (its RS on the splits, as is),
    ``tc_<k>_spread`` / ``tc_<k>_spread_capped``, ``tc_<k>_oub_move``, ``tc_<k>_q_model`` /
    ``tc_<k>_q_move`` (the 99.9th-percentile cap), ``tc_<k>_text`` (the prose on it);
    ``tc_largest_text`` over every benchmark; plain
    ``check_tc_<k>_*`` numbers for the smoke test (NaN without the data)."""
    out = {"tbl_top_cell": _summary_table(studies, n_seeds), "tbl_top_cell_models": _model_table(studies)}
    best = None
    for key, st in studies.items():
        k = _key(key)
        if st is None:
            out |= {f"tc_{k}_{f}": (None, "{}") for f in ("cell", "cost", "next_cost", "n_in_test", "model", "move",
                                                          "move_seed", "rs_range", "spread", "spread_capped",
                                                          "oub_move", "q_model", "q_move")}
            out |= {f"check_tc_{k}_{f}": np.nan for f in ("move", "n_in_test", "oub_move", "spread", "spread_capped",
                                                          "q_move")}
            out[f"tc_{k}_text"] = "The data folder of this benchmark was not found, so nothing is measured on it."
            continue
        c, sm = st["cell"], st["summary"]
        top = _most_moved(st)
        fixed = _fixed_rows(st)
        qtop = str(fixed["quantile move"].abs().idxmax())
        r = sm.loc[top if top != NO_SPLIT else fixed["spread"].idxmax()]  # no split holds it: every move is 0
        out |= {f"tc_{k}_cell": f"{c['sample_id']} answered by {c['model']}",
                f"tc_{k}_cost": (c["cost"], "{:.4f}"), f"tc_{k}_next_cost": (c["next_cost"], "{:.4f}"),
                f"tc_{k}_n_in_test": (st["n_in_test"], "{:d}"), f"tc_{k}_model": top.split("/")[-1] if top != NO_SPLIT else top,
                f"tc_{k}_move": (r["cell move"], "{:+.3f}"), f"tc_{k}_move_seed": (int(r["cell move seed"]), "{:d}"),
                f"tc_{k}_rs_range": f"{r['rs_min']:.3f} to {r['rs_max']:.3f}",
                f"tc_{k}_spread": (r["spread"], "{:.3f}"), f"tc_{k}_spread_capped": (r["spread capped"], "{:.3f}"),
                f"tc_{k}_oub_move": (sm.loc[topcell.OUB, "cell move"], "{:+.3f}"),
                f"tc_{k}_q_model": qtop.split("/")[-1], f"tc_{k}_q_move": (fixed.loc[qtop, "quantile move"], "{:+.3f}"),
                f"check_tc_{k}_move": float(r["cell move"]), f"check_tc_{k}_n_in_test": st["n_in_test"],
                f"check_tc_{k}_oub_move": float(sm.loc[topcell.OUB, "cell move"]),
                f"check_tc_{k}_spread": float(r["spread"]), f"check_tc_{k}_spread_capped": float(r["spread capped"]),
                f"check_tc_{k}_q_move": float(fixed.loc[qtop, "quantile move"])}
        out[f"tc_{k}_text"] = _cell_text(st, top, n_seeds)
        if top == NO_SPLIT:  # nothing moves: no model to speak of
            out |= {f"tc_{k}_{f}": (None, "{}") for f in ("move_seed", "rs_range", "spread", "spread_capped")}
        if top != NO_SPLIT and (best is None or abs(r["cell move"]) > abs(best[2])):
            best = (key, top, float(r["cell move"]), int(r["cell move seed"]), c)
    out["tc_largest_text"] = "none: no benchmark's most expensive call is in these splits' test rows" \
        if best is None else (
        f"{best[1].split('/')[-1]} on {CELL_TITLES[best[0]]}: {_signed(best[2])} on split {best[3]}, "
        f"the call {best[4]['sample_id']} answered by {best[4]['model']}")
    return out


#: the smallest RS change whose model the figure names
LABEL_MOVE = 0.005


def plot_top_cell(axes, studies: dict) -> None:
    """Two panels (``axes``: 2): for each benchmark (one row each), every fixed model's largest
    change of RS on one split (dots) and the oracle's (a diamond) when (top) the single most
    expensive call is dropped or capped at the next largest and (bottom) the top 0.1% of cells are
    capped; the model that moves most is named when it moves by at least :data:`LABEL_MOVE`."""
    keys = list(studies)
    for ax, col, title in zip(axes, ("cell move", "quantile move"),
                              ("the most expensive call dropped or capped", "the top 0.1% of cells capped")):
        for y, key in enumerate(keys):
            st = studies[key]
            if st is None:
                ax.text(0, y, "data not found", ha="center", va="center", fontsize=8, color="0.4")
                continue
            fixed = _fixed_rows(st)[col]
            ax.plot(fixed.to_numpy(), np.full(len(fixed), y), "o", ms=4, alpha=0.6, color="#0072B2",
                    label="a fixed model" if y == 0 else None)
            ax.plot([st["summary"].loc[topcell.OUB, col]], [y], "D", ms=5, color="#D55E00",
                    label="the oracle (OUB)" if y == 0 else None)
            top = fixed.abs().idxmax()
            if abs(fixed[top]) >= LABEL_MOVE:
                ax.annotate(str(top).split("/")[-1], (fixed[top], y), xytext=(0, 6), textcoords="offset points",
                            ha="left", fontsize=7)
        ax.axvline(0, color="0.5", lw=0.8)
        ax.set_yticks(range(len(keys)), [CELL_TITLES[k].replace(" (", "\n(") for k in keys], fontsize=8)
        ax.set_ylim(len(keys) - 0.5, -0.7)
        ax.set_title(f"RS change on one split: {title}", fontsize=9)
        ax.tick_params(axis="x", labelsize=8)
    axes[-1].set_xlabel("change of global RS on the split where it is largest", fontsize=9)
    axes[0].legend(fontsize=8, loc="lower left", frameon=False)
