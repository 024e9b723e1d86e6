"""Chapter 10, "From benchmark to application": its tables, figures and glued numbers.

The notebook (``notebooks/10_application.py``) builds the article's fan-out as a LangGraph graph
(``routerlab.routing.graph``), replays it with :func:`replay` against the package's plain-Python
policy (``routerlab.routing.fanout``), sweeps the threshold (``fanout_sweep``) and glues what the
functions here return. Qualities and RS are fractions in [0, 1], costs USD per query; a
``summ`` is :func:`routerlab.routing.fanout.sweep_summary`'s frame (None without the real data).
"""

from __future__ import annotations

import time

import numpy as np
import pandas as pd

from routerlab.errors import RouterlabError

__all__ = ["PRED", "SEMANTICS", "rule_labels", "status_texts", "glue_all", "left_table", "semantics_table",
           "plot_graph", "replay", "sim_replay_values", "real_replay_texts", "plot_sweep_panel", "sweep_answer",
           "sweep_counts", "answer_table"]

#: The predictive routers of chapter 07 drawn in grey beside the sweep (with the fixed models).
PRED = ["mf", "bert-cls", "seq-cls", "causal-lm", "knn", "mlp", "cascade", "frugalgpt", "dataset-best"]
#: The article's fan-out rule beside this chapter's: (aspect, the article's pattern, this chapter).
SEMANTICS = [
    ("what is thresholded", "rs = confidence x (1 - COST_TABLE[source])",
     "predicted RS = p x (1 - normalised expected cost)"),
    ("the quality factor", "a classifier's confidence that the sub-question belongs to the source",
     "a router's predicted probability that the model answers the query correctly"),
    ("the cost factor", "a fixed cost per source, already in [0, 1]",
     "this query's expected USD cost on this model, min-max normalised on the training costs"),
    ("one Send means", "ask this source (retrieval, a tool)", "ask this model (an LLM call, paid)"),
    ("the threshold", "RS_THRESHOLD, value not given", "a parameter in [0, 1], swept below"),
    ("answer returned", "not said (the sources' results are merged downstream)",
     "the called model with the highest predicted RS (variants: a simulated judge; any correct answer)"),
    ("evaluated on", "not evaluated", "the book's protocol: 80/20 stratified splits, RS on the test rows"),
]


def rule_labels(judge_error: float) -> dict:
    """Fan-out answer rule -> its label in the figure and the table."""
    return {"top": "fan-out, highest predicted RS (the policy)",
            "judge": f"fan-out, simulated judge (error {judge_error:g}; reads the truth)",
            "any-correct": "fan-out, any correct answer (upper bound)"}


def status_texts(have_langgraph: bool, have_real: bool) -> dict:
    """The sentences ``have_langgraph_text`` and ``real_status_text`` of the page."""
    from routerlab.routing.graph import INSTALL_HINT

    return {"have_langgraph_text": "LangGraph is installed, so the graph below runs in LangGraph." if have_langgraph
            else "LangGraph is NOT installed in this build (" + INSTALL_HINT + "), so the graph cells below "
            "show the plain-Python policy of routerlab.routing.fanout instead, which makes the same decisions.",
            "real_status_text": "The real source was found." if have_real else
            "The real source routerbench-subset was NOT found in this build (looked under --data-dir, "
            "$ROUTERLAB_DATA_DIR and ../shared/data beside the project), so its numbers read n/a."}


def glue_all(values: dict) -> None:
    """Glue every ``{key: value}`` with :func:`routerlab.book.glue.glue_value` (not displayed)."""
    from routerlab.book.glue import glue_value

    for key, value in values.items():
        glue_value(key, value)


def left_table(frame: pd.DataFrame, **kwargs):
    """:func:`routerlab.book.style.table`, index hidden, cells aligned left (a table placed with
    glue:figure is centred)."""
    from routerlab.book import style

    return style.table(frame, hide_index=True, **kwargs).set_table_styles(
        [{"selector": "th, td", "props": "text-align: left;"}])


def semantics_table() -> pd.DataFrame:
    """:data:`SEMANTICS` as a frame: columns "", "the article's pattern", "this chapter"."""
    return pd.DataFrame(SEMANTICS, columns=["", "the article's pattern", "this chapter"])


def plot_graph(ax, models) -> None:
    """The fan-out graph on ``ax``: START, the router node, dashed conditional ``Send`` edges to one
    node per model of ``models``, solid edges into the pick node, END."""
    from routerlab.book import style

    ax.set_axis_off()
    ax.set_xlim(-0.5, len(models) - 0.5)
    ax.set_ylim(-0.6, 4.6)
    box = dict(boxstyle="round,pad=0.35", fc="white", ec="0.3", lw=1.0)
    mid = (len(models) - 1) / 2
    for y, label in ((4.2, "START"), (3.1, "router\n(predicted RS -> calls)"), (0.9, "pick\n(highest predicted RS)"),
                     (-0.2, "END")):
        ax.text(mid, y, label, ha="center", va="center", fontsize=9, bbox=box)
    for j, m in enumerate(models):
        ax.text(j, 2.0, m.replace("-Instruct", "").replace("-", "-\n", 1), ha="center", va="center", fontsize=8,
                bbox=dict(box, fc="#E8F1FA"))
        ax.annotate("", xy=(j, 2.35), xytext=(mid, 2.75),
                    arrowprops=dict(arrowstyle="->", ls="--", color=style.PALETTE[0], lw=1.0))
        ax.annotate("", xy=(mid, 1.25), xytext=(j, 1.65), arrowprops=dict(arrowstyle="->", color="0.35", lw=1.0))
    for y0, y1 in ((3.95, 3.45), (0.55, 0.05)):
        ax.annotate("", xy=(mid, y1), xytext=(mid, y0), arrowprops=dict(arrowstyle="->", color="0.35", lw=1.0))
    ax.text(len(models) - 0.5, 3.1, "Send(model, {query, routing_score})\nif predicted RS >= threshold",
            ha="right", va="center", fontsize=8, color=style.PALETTE[0])


def replay(router, test, threshold: float, graph_queries: int, use_langgraph: bool, pred: dict | None = None) -> dict:
    """The fan-out at ``threshold`` on the test rows of one split, by the package and by the graph.

    ``router``: a fitted predictive router; ``test``: the test rows (with truth, which the model
    nodes replay); ``pred``: :func:`routerlab.routing.fanout.router_predictions` of ``router`` on
    them, when already computed. The package's policy (:func:`routerlab.routing.fanout.fanout`,
    rule "top") runs on every test row, the graph (:func:`routerlab.routing.graph.run_graph`, or
    the policy again without LangGraph) on the first ``graph_queries``. Returns ``n`` (rows
    replayed), ``test_n``, ``agree_choice``/``agree_calls``/``agree`` (rows where the two return
    the same model / call the same models / both), ``seconds`` (the graph's run time),
    ``calls`` (models called per query), ``cost_ratio`` (mean paid over the router alone's),
    ``fan_quality``/``single_quality`` and ``fan_rs``/``single_rs`` of the fan-out and the router
    alone. Raises when the graph and the package disagree on any replayed row.
    """
    from routerlab.metrics import routing_score
    from routerlab.routing import fanout as fo
    from routerlab.routing.graph import run_graph

    blind = test.without_truth()
    pred = fo.router_predictions(router, blind) if pred is None else pred
    prs, ec = pred["predicted_rs"], pred["expected_cost"]
    policy = fo.fanout(prs, threshold, None, "top", ec)
    single = router.route(blind)
    k = min(graph_queries, test.n_queries)
    t0 = time.perf_counter()
    if use_langgraph:
        graph = run_graph(test.model_names, prs[:k], ec[:k], test.quality[:k], test.cost[:k], threshold)
    else:
        graph = fo.fanout(prs[:k], threshold, None, "top", ec[:k])
    seconds = time.perf_counter() - t0
    same_choice, same_calls = graph.choice == policy.choice[:k], (graph.calls == policy.calls[:k]).all(axis=1)
    if not (same_choice & same_calls).all():
        raise RouterlabError("the graph and the package disagree")
    q, c = test.quality, test.cost
    return {"n": k, "test_n": test.n_queries, "agree_choice": int(same_choice.sum()),
            "agree_calls": int(same_calls.sum()), "agree": int((same_choice & same_calls).sum()), "seconds": seconds,
            "calls": float(policy.calls.sum(axis=1).mean()),
            "cost_ratio": float(policy.paid(c).mean() / single.paid(c).mean()),
            "fan_quality": float(policy.returned_quality(q).mean()),
            "single_quality": float(single.returned_quality(q).mean()),
            "fan_rs": routing_score(policy.returned_quality(q), policy.paid(c), c),
            "single_rs": routing_score(single.returned_quality(q), single.paid(c), c)}


def sim_replay_values(r: dict) -> dict:
    """The glue values of :func:`replay` on the simulated split."""
    return {"graph_n": r["n"], "sim_test_n": r["test_n"], "graph_agree_choice": r["agree_choice"],
            "graph_agree_calls": r["agree_calls"], "graph_seconds": r["seconds"], "graph_calls": r["calls"],
            "sim_calls": r["calls"], "sim_cost_ratio": r["cost_ratio"], "sim_fan_quality": r["fan_quality"],
            "sim_single_quality": r["single_quality"], "sim_fan_rs": r["fan_rs"], "sim_single_rs": r["single_rs"]}


def _text(value, fmt: str = "{:.3f}") -> str:
    """``value`` formatted by ``fmt``, "n/a" for None or NaN (the text
    :func:`routerlab.book.glue.glue_formatted` glues)."""
    from routerlab.book.glue import plain

    v = plain(value)
    return "n/a" if v is None or (isinstance(v, float) and not np.isfinite(v)) else fmt.format(v)


def real_replay_texts(r: dict | None) -> dict:
    """The glue texts of :func:`replay` on routerbench-subset ("n/a" when ``r`` is None)."""
    def get(key):
        return None if r is None else r[key]

    return {"rb_graph_n": _text(get("n"), "{:,d}"), "rb_graph_agree": _text(get("agree"), "{:,d}"),
            "rb_calls": _text(get("calls"), "{:.2f}"), "rb_cost_ratio": _text(get("cost_ratio"), "{:.2f}")}


def plot_sweep_panel(ax, summ, book_summary, title: str, judge_error: float) -> None:
    """The threshold sweep in the cost-quality plane on ``ax`` (log cost axis): the fan-out under
    each answer rule and the confidence cascade (means over the splits), MF alone, and in grey
    chapter 07's predictive routers and the fixed models from ``book_summary`` (the book's main
    evaluation, :meth:`EvaluationResult.summary`). "data folder not found" when ``summ`` is None."""
    import matplotlib as mpl

    from routerlab.book import style
    from routerlab.routing.fanout import RULES

    ax.set_title(title, loc="left", fontsize=11)
    if summ is None:
        ax.text(0.5, 0.5, "data folder not found", ha="center", va="center", transform=ax.transAxes)
        ax.set_axis_off()
        return
    labels, colors = rule_labels(judge_error), {"top": 0, "judge": 1, "any-correct": 2}
    for rule in RULES:
        d = summ[(summ["policy"] == "fanout") & (summ["rule"] == rule)].sort_values("threshold")
        ax.plot(d["mean_cost"], d["quality"], "-o", ms=3, color=style.PALETTE[colors[rule]], label=labels[rule])
    c = summ[summ["policy"] == "cascade"].sort_values("threshold")
    if len(c):
        ax.plot(c["mean_cost"], c["quality"], "-s", ms=3, color=style.PALETTE[3],
                label="confidence cascade (threshold swept)")
    s = summ[summ["policy"] == "single"].iloc[0]
    ax.plot([s["mean_cost"]], [s["quality"]], "*", ms=13, color="black", label="MF alone (threshold 1)", zorder=5)
    others = book_summary[[p.startswith("fixed:") or p in PRED for p in book_summary.index]]
    ax.scatter(others["mean_cost"], others["quality"], s=18, color="0.55", zorder=4,
               label="chapter 07's routers and fixed models")
    style.label_points(ax, others["mean_cost"], others["quality"],
                       [p.replace("fixed:", "").replace("-Instruct", "") for p in others.index], fontsize=7)
    ax.set_xscale("log")
    ax.xaxis.set_minor_formatter(mpl.ticker.NullFormatter())   # decade labels only: no overlaps
    ax.set_xlabel("mean cost per query (USD, log scale)")
    ax.set_ylabel("quality")


def _interval_words(row) -> str:
    """The 95% t-interval of a sweep row's RS difference to MF alone, in words."""
    if row is None:
        return "n/a"
    if not np.isfinite(row["rs_vs_single_lo"]):
        return "one split, no interval"
    return f"95% interval across splits {row['rs_vs_single_lo']:+.3f} to {row['rs_vs_single_hi']:+.3f}"


def _verdict_words(row) -> str:
    """Better / worse / not distinguishable from MF alone, by that interval (its side of 0)."""
    if row is None:
        return "not measured"
    if not np.isfinite(row["rs_vs_single_lo"]):
        return ("above" if row["rs_vs_single"] > 0 else "not above") + " MF alone on the one split"
    if row["rs_vs_single_lo"] > 0:
        return "better than MF alone"
    if row["rs_vs_single_hi"] < 0:
        return "worse than MF alone"
    return "not distinguishable from MF alone"


def _best_texts(best) -> dict:
    """A sweep's best row below threshold 1 (None: not measured) in words: ``best_rs``, ``best_t``
    (its threshold), ``gain`` (RS minus MF alone's), ``ci`` (that difference's interval), ``verdict``."""
    if best is None:
        return {"best_rs": "n/a", "best_t": "n/a", "gain": "n/a", "ci": _interval_words(None),
                "verdict": _verdict_words(None)}
    return {"best_rs": _text(best["rs"]), "best_t": _text(best["threshold"], "{:.2f}"),
            "gain": _text(best["rs_vs_single"], "{:+.3f}"), "ci": _interval_words(best),
            "verdict": _verdict_words(best)}


def sweep_answer(summ, prefix: str, judge_error: float) -> tuple[dict, pd.DataFrame]:
    """The sweep's answer for one benchmark: the best RS over thresholds below 1 per answer rule
    (and for the confidence cascade) against MF alone, and at threshold 0 the quality gained and
    the cost paid relative to MF alone.

    Returns ``(texts, rows)``: the glue texts ``<prefix>_mf_rs``, ``<prefix>_mf_quality``,
    ``<prefix>_<rule>_best_rs|_best_t|_best_gain|_best_ci|_verdict|_q0_gain|_cost0_ratio`` and
    ``<prefix>_cascade_best_rs|_best_t|_gain|_ci|_verdict`` ("n/a" / "not measured" when ``summ``
    is None), and the rows of the answer table (one per rule, then the cascade).
    """
    from routerlab.routing.fanout import RULES

    labels = rule_labels(judge_error)
    single = None if summ is None else summ[summ["policy"] == "single"].iloc[0]
    texts = {f"{prefix}_mf_rs": _text(None if summ is None else single["rs"]),
             f"{prefix}_mf_quality": _text(None if summ is None else single["quality"])}
    rows = []
    for rule in RULES:
        best = zero = None
        if summ is not None:
            d = summ[(summ["policy"] == "fanout") & (summ["rule"] == rule) & (summ["threshold"] < 1)]
            best, zero = d.loc[d["rs"].idxmax()], d[d["threshold"] == 0].iloc[0]
        key = f"{prefix}_{rule.replace('-', '_')}"
        b = _best_texts(best)
        texts |= {f"{key}_best_rs": b["best_rs"], f"{key}_best_t": b["best_t"], f"{key}_best_gain": b["gain"],
                  f"{key}_best_ci": b["ci"], f"{key}_verdict": b["verdict"]}
        texts[f"{key}_q0_gain"] = _text(None if best is None else zero["quality_vs_single"], "{:+.3f}")
        texts[f"{key}_cost0_ratio"] = _text(None if best is None else zero["mean_cost"] / single["mean_cost"], "{:.1f}")
        if best is not None:
            rows.append({"rule": labels[rule], "best threshold < 1": best["threshold"], "RS there": best["rs"],
                         "RS minus MF alone": best["rs_vs_single"], "calls per query": best["calls_per_query"],
                         "quality gain at threshold 0": zero["quality_vs_single"],
                         "cost at threshold 0 / MF alone": zero["mean_cost"] / single["mean_cost"]})
    casc = None if summ is None else summ[summ["policy"] == "cascade"]
    cbest = casc.loc[casc["rs"].idxmax()] if casc is not None and len(casc) > 0 else None
    texts |= {f"{prefix}_cascade_{name}": text for name, text in _best_texts(cbest).items()}
    if cbest is not None:
        rows.append({"rule": "confidence cascade (for comparison)", "best threshold < 1": cbest["threshold"],
                     "RS there": cbest["rs"], "RS minus MF alone": cbest["rs_vs_single"],
                     "calls per query": cbest["calls_per_query"], "quality gain at threshold 0": np.nan,
                     "cost at threshold 0 / MF alone": np.nan})
    return texts, pd.DataFrame(rows)


def sweep_counts(summ: pd.DataFrame) -> dict:
    """``sim_top_never_better`` (1 when the "top" fan-out's RS never exceeds MF alone's below
    threshold 1, up to float rounding) and ``sim_n_thresholds`` (thresholds swept)."""
    top = summ[(summ["policy"] == "fanout") & (summ["rule"] == "top") & (summ["threshold"] < 1)]
    return {"sim_top_never_better": int((top["rs_vs_single"] <= 1e-12).all()),
            "sim_n_thresholds": int(summ["threshold"].nunique())}


def answer_table(sim_rows: pd.DataFrame, real_rows: pd.DataFrame):
    """The page's answer table (a Styler): :func:`sweep_answer`'s rows of both benchmarks."""
    both = pd.concat([sim_rows.assign(data="simulated"), real_rows.assign(data="routerbench-subset")])
    return left_table(both[["data"] + list(sim_rows.columns)],
                      formats={"best threshold < 1": "{:.2f}", "RS minus MF alone": "{:+.3f}",
                               "quality gain at threshold 0": "{:+.3f}", "cost at threshold 0 / MF alone": "{:.1f}",
                               "calls per query": "{:.2f}"})
