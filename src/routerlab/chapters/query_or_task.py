"""Chapter 11, "Routing by the query, or by the task?": its measurements, tables and figures.

Every function takes the real benchmarks ``{source: Benchmark or None}`` (None: the data folder is
missing, and the chapter says so) and returns plain values, tables for the page, or fills an ``ax``.
The learned routers are those of chapters 03 and 07 (:data:`LEARNED`); the baselines are
``dataset-best`` (RS) and the task-aware zero router (AIQ), neither of which reads the query.
"""

from __future__ import annotations

from collections import Counter

import numpy as np
import pandas as pd

from routerlab.data import sources
from routerlab.data.benchmark import Benchmark
from routerlab.data.splits import stratified_split
from routerlab.evaluation.cost_quality import text_frontier_study
from routerlab.evaluation.curves import FRONTIER_ROUTERS, TASK_ZERO
from routerlab.evaluation.fixed_scores import interval_text
from routerlab.evaluation.knn_tuning import tuned_knn_gain
from routerlab.evaluation.predictability import correctness_auc, curve_summary, learning_curve
from routerlab.evaluation.protocol import book_evaluation, evaluate
from routerlab.errors import RouterlabError
from routerlab.evaluation.task_baselines import gain_over_baseline, paired_seed_interval
from routerlab.metrics import t_interval
from routerlab.reproduction import findings

__all__ = ["LEARNED", "FRACTIONS", "load", "data_status", "glue_measure", "table_html", "rs_study", "aiq_study", "auc_study", "curve_study", "record_all",
           "rs_table", "aiq_table", "auc_table", "plot_auc", "plot_curves", "interval", "verdict_counts",
           "verdict_text", "summary_text", "auc_text", "curve_text",
           "knn_study", "deviation_study", "claims_table", "deviation_text", "encoder_study", "encoder_table",
           "encoder_status"]

LEARNED: tuple[str, ...] = FRONTIER_ROUTERS
FRACTIONS: tuple[float, ...] = (0.1, 0.25, 0.5, 1.0)
_NOT_SIM = "not measured on the simulator: its queries have no text (the question is about real queries)"


def load(scale: float, data_dir=None) -> dict[str, Benchmark | None]:
    """{source: the benchmark the router chapters evaluate, or None when its folder is missing}."""
    return {name: sources.load_for_routers(name, scale, data_dir) for name in sources.ROUTER_SOURCES}


def data_status(benches: dict, data_dir=None) -> str:
    """One line per source for the page: found (queries x models) or where it was looked for."""
    lines = []
    for name, b in benches.items():
        lines.append(f"{name}: found, {b.n_queries:,} queries x {b.n_models} models" if b is not None
                     else sources.status(name, data_dir))
    return "; ".join(lines) + "."


def table_html(frame: pd.DataFrame):
    """``frame`` (its index becomes the first column) as the page's HTML table: every column gets a
    width in em from its longest cell and longest header word (5 to 15 em), so the table keeps a
    fixed layout and scrolls sideways rather than squeezing a column to one letter per line."""
    from IPython.display import HTML

    from routerlab.book.tables import html_table

    df = frame.reset_index()
    widths = {}
    for c in df.columns:
        longest = max([len(str(v)) for v in df[c]] + [max(len(w) for w in str(c).split())])
        widths[c] = f"{min(15.0, max(5.0, 0.55 * longest + 1.0)):.1f}em"
    return HTML(html_table(df, widths=widths))


def glue_measure(key: str, m: dict | None, fmt: str = "{:+.3f}") -> None:
    """Glue ``m`` (``{"value", "lo"?, "hi"?}`` or None) twice: ``key`` as the text
    ``value [lo, hi]`` ("n/a" when None) for the prose, ``key + "_value"`` as the number."""
    from myst_nb import glue

    from routerlab.book.glue import glue_value

    glue(key, "n/a" if m is None else interval(m["value"], m.get("lo"), m.get("hi"), fmt), display=False)
    glue_value(key + "_value", float("nan") if m is None else float(m["value"]))


def interval(value, lo=None, hi=None, fmt: str = "{:+.3f}") -> str:
    """``value [lo, hi]`` signed, for a table or the prose; "n/a" when the value is missing
    (:func:`~routerlab.evaluation.fixed_scores.interval_text`)."""
    return interval_text(value, lo, hi, fmt)


def _mean_interval(per_seed) -> dict:
    v = np.asarray(per_seed, dtype=np.float64)
    lo, hi = t_interval(v[:, None])
    return {"value": float(v.mean()), "lo": float(lo[0]), "hi": float(hi[0])}


# ---- RS: the best learned router against dataset-best -----------------------------------------
def rs_study(bench: Benchmark, n_seeds: int) -> dict:
    """The book's evaluation of ``bench`` (shared with chapter 03 through its cache) and the RS gain
    of each seed's validation-chosen learned router over ``dataset-best``.

    Returns ``{"result", "gain"`` (see :func:`~routerlab.evaluation.task_baselines.gain_over_baseline`),
    ``"open"`` (share of the dataset-best-to-oracle RS gap the chosen router leaves open: per seed
    ``(OUB - chosen) / (OUB - dataset-best)``, mean and t-interval), ``"closed_best_fixed"`` (share
    of the best-fixed-to-oracle gap the chosen router closes, for comparison), ``"router"`` (the
    router chosen most often)}.
    """
    res = book_evaluation(bench, n_seeds=n_seeds)
    gain = gain_over_baseline(res, bench, LEARNED)
    wide = res.per_seed.pivot(index="seed", columns="policy", values="rs")
    chosen = np.array([wide.loc[s, name] for s, name in zip(res.seeds, gain["chosen"])])
    oub, dsb = wide["oub"].to_numpy(), wide["dataset-best"].to_numpy()
    fixed = wide[[p for p in res.policies if p.startswith("fixed:")]]
    best_fixed = fixed.to_numpy().max(axis=1)
    return {"result": res, "gain": gain, "open": _mean_interval((oub - chosen) / (oub - dsb)),
            "closed_best_fixed": _mean_interval((chosen - best_fixed) / (oub - best_fixed)),
            "router": Counter(gain["chosen"]).most_common(1)[0][0]}


def rs_table(studies: dict) -> pd.DataFrame:
    """One row per source: RS of dataset-best, of the validation-chosen learned router and of the
    oracle (seed means), the gain over dataset-best [95% paired bootstrap], the routers chosen."""
    rows = []
    for name, st in studies.items():
        label = findings.source_label(name)
        if st is None:
            rows.append({"source": label, "dataset-best": "data not found"})
            continue
        s = st["result"].summary()["rs"]
        g = st["gain"]
        rows.append({"source": label, "dataset-best": f"{s['dataset-best']:.3f}",
                     "best learned (chosen on validation)": f"{s['dataset-best'] + g['value']:.3f}",
                     "gain over dataset-best": interval(g["value"], g["lo"], g["hi"]),
                     "oracle (OUB)": f"{s['oub']:.3f}",
                     "gap to the oracle left open": interval(st["open"]["value"], st["open"]["lo"], st["open"]["hi"],
                                                             "{:.2f}"),
                     "chosen per seed": ", ".join(g["chosen"])})
    cols = ["source", "dataset-best", "best learned (chosen on validation)", "gain over dataset-best",
            "oracle (OUB)", "gap to the oracle left open", "chosen per seed"]
    return pd.DataFrame(rows, columns=cols).astype(object).set_index("source").fillna("")


# ---- AIQ: the best learned router against the task-aware zero router -------------------------------
def _validation_picks(bench: Benchmark, seed: int, judge_error: float, features: str = "tfidf") -> dict[str, str]:
    """{metric: the learned router with the best value of it} for ``aiq_cmax`` (pooled) and
    ``aiq_cmax_ds`` (per dataset), in a frontier study on a validation split of ``seed``'s training
    rows (the split of :func:`text_frontier_study` applied to them)."""
    tr, _ = stratified_split(bench, 0.2, seed)
    pts = text_frontier_study(bench.rows(tr), [seed], judge_error=judge_error, task_aware=True,
                              features=features).points
    pts = pts.set_index("router").loc[list(LEARNED)]
    return {metric: str(pts[metric].idxmax()) for metric in ("aiq_cmax", "aiq_cmax_ds")}


def aiq_study(bench: Benchmark, n_seeds: int, judge_error: float = 0.2, features: str = "tfidf") -> dict:
    """The cost-quality study of ``bench`` with the task-aware zero router, and the AIQ difference
    of the validation-chosen learned router over it, pooled (``aiq_cmax``) and per dataset
    (``aiq_cmax_ds``), paired over seeds (t-interval).

    Returns ``{"study", "points"`` (seed means per router), ``"pooled"``, ``"per_dataset"``
    (each ``{"value", "lo", "hi", "chosen"}``)}. ``features``: the query features of the routers
    (``"tfidf"`` or ``"minilm"``).
    """
    seeds = list(range(n_seeds))
    st = text_frontier_study(bench, seeds, judge_error=judge_error, task_aware=True, features=features)
    out = {"study": st, "points": st.points.groupby("router", sort=False)[["aiq_cmax", "aiq_cmax_ds"]].mean()}
    picks = {seed: _validation_picks(bench, seed, judge_error, features) for seed in seeds}
    for key, metric in (("pooled", "aiq_cmax"), ("per_dataset", "aiq_cmax_ds")):
        diffs, chosen = [], []
        for seed in seeds:
            name = picks[seed][metric]
            p = st.points[st.points["seed"] == seed].set_index("router")[metric]
            diffs.append(p[name] - p[TASK_ZERO])
            chosen.append(name)
        out[key] = dict(_mean_interval(diffs), chosen=chosen)
    return out


def aiq_table(studies: dict) -> pd.DataFrame:
    """One row per source: AIQ (c_max normalisation), pooled and per dataset, of the zero router,
    the task-aware zero router, the best learned router (chosen on validation) and the oracle."""
    rows = []
    for name, st in studies.items():
        label = findings.source_label(name)
        if st is None:
            rows.append({"source": label, "zero router, pooled": "data not found"})
            continue
        p = st["points"]
        row = {"source": label}
        for key, col, title in (("pooled", "aiq_cmax", "pooled"), ("per_dataset", "aiq_cmax_ds", "per dataset")):
            row[f"zero router, {title}"] = f"{p.loc['zero router', col]:.3f}"
            row[f"task-aware zero router, {title}"] = f"{p.loc[TASK_ZERO, col]:.3f}"
            d = st[key]
            row[f"best learned minus task-aware, {title}"] = interval(d["value"], d["lo"], d["hi"])
        rows.append(row)
    cols = ["source"] + [f"{w}, {title}" for title in ("pooled", "per dataset")
                         for w in ("zero router", "task-aware zero router", "best learned minus task-aware")]
    return pd.DataFrame(rows, columns=cols).astype(object).set_index("source").fillna("")


# ---- how predictable is correctness from the query ---------------------------------------------------
def auc_study(bench: Benchmark, seed: int = 0) -> pd.DataFrame:
    """:func:`~routerlab.evaluation.predictability.correctness_auc` of ``bench`` (TF-IDF + SVD)."""
    return correctness_auc(bench, seed=seed)


def auc_table(aucs: dict) -> pd.DataFrame:
    """One row per source: the mean over models of the AUC from the task alone and from the task
    plus the query, the mean gain, and how many models gain more than 0.02."""
    rows = []
    for name, t in aucs.items():
        if t is None:
            rows.append({"source": findings.source_label(name), "models": "data not found"})
            continue
        rows.append({"source": findings.source_label(name), "models": str(len(t)),
                     "AUC, task alone": f"{t['auc_task'].mean():.3f}",
                     "AUC, task + query": f"{t['auc_task_query'].mean():.3f}",
                     "gain": f"{t['gain'].mean():+.3f}",
                     "models gaining > 0.02": str(int((t["gain"] > 0.02).sum()))})
    cols = ["source", "models", "AUC, task alone", "AUC, task + query", "gain", "models gaining > 0.02"]
    return pd.DataFrame(rows, columns=cols).astype(object).set_index("source").fillna("")


def plot_auc(ax, aucs: dict) -> None:
    """Per model, AUC from the task alone (x) against task + query (y), one marker per source."""
    from routerlab.book import style

    from routerlab.book.plots import plot_data_not_found

    if all(t is None for t in aucs.values()):
        plot_data_not_found(ax, "data not found")
        return
    markers = ("o", "s", "^")
    for (name, t), mk, color in zip(aucs.items(), markers, style.PALETTE):
        if t is not None:
            ax.scatter(t["auc_task"], t["auc_task_query"], marker=mk, s=22, color=color,
                       label=findings.source_label(name), alpha=0.85)
    ax.plot([0.5, 1.0], [0.5, 1.0], color="0.5", lw=0.8, ls="--")
    ax.set_xlabel("AUC of correctness from the task alone")
    ax.set_ylabel("AUC from the task + the query")
    ax.legend(fontsize=8, loc="lower right")


# ---- learning curves ---------------------------------------------------------------------------------
def curve_study(bench: Benchmark, router: str, n_seeds: int) -> dict:
    """Learning curve of ``router``'s RS gain over dataset-best (:data:`FRACTIONS` of the training
    rows, seeds ``0..n_seeds-1``); ``"more_data"``: per seed gain at 100% minus gain at 10%, mean
    and t-interval."""
    curve = learning_curve(bench, router, FRACTIONS, range(n_seeds))
    wide = curve.pivot(index="seed", columns="fraction", values="gain")
    return {"curve": curve, "summary": curve_summary(curve), "router": router,
            "more_data": _mean_interval(wide[max(FRACTIONS)] - wide[min(FRACTIONS)])}


def plot_curves(ax, curves: dict) -> None:
    """RS gain over dataset-best against the number of training queries, with 95% intervals."""
    from routerlab.book import style

    from routerlab.book.plots import plot_data_not_found

    if all(c is None for c in curves.values()):
        plot_data_not_found(ax, "data not found")
        return
    for (name, c), color in zip(curves.items(), style.PALETTE):
        if c is None:
            continue
        s = c["summary"]
        ax.errorbar(s["n_train"], s["gain"], yerr=[s["gain"] - s["lo"], s["hi"] - s["gain"]], color=color,
                    marker="o", ms=4, capsize=3, label=f"{findings.source_label(name)}: {c['router']}")
    ax.axhline(0.0, color="0.4", lw=0.8)
    ax.set_xscale("log")
    ax.set_xlabel("training queries (log scale)")
    ax.set_ylabel("RS gain over dataset-best")
    ax.legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.22), ncol=1, frameon=False)


# ---- a tuned kNN, and a router that leaves the task's model only when confident ---------------------------
def knn_study(bench: Benchmark, rs: dict) -> dict:
    """RS of a kNN tuned on validation rows (k, weighting) minus RS of the validation-chosen learned
    router of ``rs`` (:func:`rs_study`), per seed, with a paired bootstrap interval
    (:func:`~routerlab.evaluation.knn_tuning.tuned_knn_gain`)."""
    return tuned_knn_gain(rs["result"], bench, LEARNED, learned_choice=rs["gain"]["chosen"])


def deviation_study(bench: Benchmark, n_seeds: int) -> dict:
    """The ``task-deviation`` router (:mod:`routerlab.routing.task_deviation`) against dataset-best
    under the book's protocol: ``{"value", "lo", "hi"`` (RS difference, 95% paired bootstrap over
    test queries), ``"seeds_better"``, ``"n_seeds"``}."""
    res = evaluate(bench, ["task-deviation", "dataset-best"], seeds=list(range(n_seeds)), normalization="global",
                   split="stratified", test_size=0.2, bootstrap=1000)
    row = res.paired(reference="dataset-best").set_index("policy").loc["task-deviation"]
    return {"value": float(row["diff"]), "lo": float(row["lo"]), "hi": float(row["hi"]),
            "seeds_better": int(row["seeds_better"]), "n_seeds": int(row["n_seeds"])}


def claims_table(knn: dict, deviation: dict) -> pd.DataFrame:
    """One row per source: the tuned kNN minus the best learned router [interval] with the settings
    chosen per seed, and the task-deviation router minus dataset-best [interval]."""
    rows = []
    for name in knn:
        k, d = knn[name], deviation[name]
        if k is None:
            rows.append({"source": findings.source_label(name), "tuned kNN minus best learned": "data not found"})
            continue
        settings = Counter(f"k={s['k']}, {s['weights']}" for s in k["chosen"])
        rows.append({"source": findings.source_label(name),
                     "tuned kNN minus best learned": interval(k["value"], k["lo"], k["hi"]),
                     "kNN settings chosen": "; ".join(f"{s} ({n}x)" for s, n in settings.most_common()),
                     "task-deviation minus dataset-best": interval(d["value"], d["lo"], d["hi"]),
                     "splits where task-deviation is ahead": f"{d['seeds_better']} of {d['n_seeds']}"})
    cols = ["source", "tuned kNN minus best learned", "kNN settings chosen", "task-deviation minus dataset-best",
            "splits where task-deviation is ahead"]
    return pd.DataFrame(rows, columns=cols).astype(object).set_index("source").fillna("")


def deviation_text(deviation: dict) -> str:
    """Whether the task-deviation router's interval against dataset-best lies above 0 anywhere."""
    measured = {n: d for n, d in deviation.items() if d is not None}
    if not measured:
        return ""
    above = [n for n, d in measured.items() if d["lo"] > 0]
    if above:
        return ("Its interval lies above 0 on " + ", ".join(above) + ": there, reading the query buys a "
                "measurable gain over the task rule.")
    return (f"Its interval contains 0 (or lies below it) on all {len(measured)} benchmarks: no router built "
            "here beats the task baseline by a margin the data can confirm.")


# ---- a sentence encoder instead of TF-IDF ------------------------------------------------------------------
def encoder_study(bench: Benchmark, n_seeds: int, rs: dict) -> dict:
    """The learned routers on all-MiniLM-L6-v2 sentence embeddings of the question
    (:mod:`routerlab.routing.encoders`) under the book's protocol: the validation-chosen router's RS
    gain over dataset-best (``"gain"``), its RS minus the TF-IDF chosen router's of ``rs``
    (:func:`rs_study`) on the same test rows (``"stronger"``, paired bootstrap), and the AIQ study
    (``"aiq"``, :func:`aiq_study` with ``features="minilm"``). ``{"missing": reason}`` when the
    encoder is neither installed nor cached for these questions (a one-line reason)."""
    seeds = list(range(n_seeds))
    try:
        res = evaluate(bench, [*LEARNED, "dataset-best", "oub"], seeds=seeds, normalization="global",
                       split="stratified", test_size=0.2, bootstrap=1000, text_features="minilm")
    except RouterlabError as exc:
        return {"missing": str(exc)}
    gain = gain_over_baseline(res, bench, LEARNED, text_features="minilm")
    base = rs["result"]
    diffs = [res.terms[s][:, res.policies.index(m)] - base.terms[s][:, base.policies.index(t)]
             for s, m, t in zip(seeds, gain["chosen"], rs["gain"]["chosen"])]
    return {"gain": gain, "stronger": paired_seed_interval(diffs), "aiq": aiq_study(bench, n_seeds, features="minilm")}


def encoder_table(enc: dict) -> pd.DataFrame:
    """One row per source: with MiniLM features, the chosen router's gain over dataset-best, its RS
    minus the TF-IDF chosen router's, and its per-dataset AIQ minus the task-aware zero router's."""
    rows = []
    for name, e in enc.items():
        label = findings.source_label(name)
        if e is None or "missing" in e:
            rows.append({"source": label, "gain over dataset-best": "data not found" if e is None else "encoder missing"})
            continue
        g, s, a = e["gain"], e["stronger"], e["aiq"]["per_dataset"]
        rows.append({"source": label, "gain over dataset-best": interval(g["value"], g["lo"], g["hi"]),
                     "MiniLM minus TF-IDF": interval(s["value"], s["lo"], s["hi"]),
                     "AIQ per dataset minus task-aware zero": interval(a["value"], a["lo"], a["hi"]),
                     "chosen per seed": ", ".join(g["chosen"])})
    cols = ["source", "gain over dataset-best", "MiniLM minus TF-IDF", "AIQ per dataset minus task-aware zero",
            "chosen per seed"]
    return pd.DataFrame(rows, columns=cols).astype(object).set_index("source").fillna("")


def encoder_status(enc: dict) -> str:
    """For the page: whether the sentence encoder ran, and if not, the reason (once)."""
    reasons = sorted({e["missing"] for e in enc.values() if e is not None and "missing" in e})
    if reasons:
        return ("The sentence encoder did not run in this build: " + " ".join(reasons).replace("'", '"')
                + " (make minilm installs it; a cache of the embeddings also serves without it).")
    return "The sentence encoder ran on every benchmark found (embeddings computed once and cached)."


# ---- the findings --------------------------------------------------------------------------------------
def _missing(name: str) -> dict:
    return {"value": None, "note": f"{name}: data folder not found"}


def record_all(rs: dict, aiq: dict, curves: dict, knn: dict, enc: dict) -> dict[str, dict[str, str]]:
    """Hand the measurements of the pre-registered task findings to :func:`findings.record`
    (measurements only) and return ``{finding id: {source: verdict}}``, each verdict decided by
    the finding's rule in findings.yaml (:func:`findings.verdict`)."""
    def real(studies, pick):
        return {n: (_missing(n) if st is None else pick(st)) for n, st in studies.items()}

    def encoded(pick):
        return real(enc, lambda e: {"note": e["missing"]} if "missing" in e else pick(e))

    def vlh(m):
        return {x: m[x] for x in ("value", "lo", "hi")}

    entries = [findings.record("task.rs_over_dataset_best", sim={"note": _NOT_SIM},
                    real=real(rs, lambda st: {k: st["gain"][k] for k in ("value", "lo", "hi")})),
        findings.record("task.plateau_far_below_oracle", sim={"note": _NOT_SIM}, real=real(rs, lambda st: st["open"])),
        findings.record("task.aiq_pooled_over_task_zero", sim={"note": _NOT_SIM},
                        real=real(aiq, lambda st: {k: st["pooled"][k] for k in ("value", "lo", "hi")})),
        findings.record("task.aiq_per_dataset_over_task_zero", sim={"note": _NOT_SIM},
                        real=real(aiq, lambda st: {k: st["per_dataset"][k] for k in ("value", "lo", "hi")})),
        findings.record("task.more_data_helps", sim={"note": _NOT_SIM}, real=real(curves, lambda c: c["more_data"])),
        findings.record("task.tuned_knn_matches_learned", sim={"note": _NOT_SIM}, real=real(knn, vlh)),
        findings.record("task.rs_over_dataset_best_minilm", sim={"note": _NOT_SIM},
                        real=encoded(lambda e: vlh(e["gain"]))),
        findings.record("task.aiq_per_dataset_over_task_zero_minilm", sim={"note": _NOT_SIM},
                        real=encoded(lambda e: vlh(e["aiq"]["per_dataset"]))),
        findings.record("task.stronger_encoder_helps", sim={"note": _NOT_SIM}, real=encoded(lambda e: vlh(e["stronger"])))]
    return {e["id"]: {s: findings.verdict(e["id"], e["sim"], m) for s, m in e["real"].items()} for e in entries}


def verdict_counts(verdicts: dict[str, dict[str, str]], finding_id: str) -> dict[str, int]:
    """{verdict: number of real sources} for one finding."""
    return dict(Counter(verdicts[finding_id].values()))


def verdict_text(by_source: dict[str, str]) -> str:
    """"inconclusive on routerbench-subset and llmrouter, holds on mmlu-pro" from {source: verdict}
    (sources in order of first appearance within each verdict)."""
    groups: dict[str, list[str]] = {}
    for source, v in by_source.items():
        groups.setdefault(v, []).append(source)
    parts = []
    for v, names in groups.items():
        listed = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
        parts.append(f"{v} on {listed}")
    return "; ".join(parts)


def summary_text(verdicts: dict[str, dict[str, str]], aucs: dict) -> str:
    """The chapter's conclusion, written from the verdicts of the pre-registered rules (how many
    real benchmarks show a gain over each task-aware baseline) and the measured AUC gains."""
    rs, ds = verdicts["task.rs_over_dataset_best"], verdicts["task.aiq_per_dataset_over_task_zero"]
    pooled = verdicts["task.aiq_pooled_over_task_zero"]
    measured = [s for s, v in rs.items() if v != "not measurable"]
    if not measured:
        return ("No real benchmark was found in this build, so this chapter measured nothing; the box at "
                "the top of the page says which folders are missing and where they were looked for.")
    won_rs = [s for s in measured if rs[s] == "holds"]
    won_ds = [s for s in measured if ds.get(s) == "holds"]
    won_pooled = [s for s in measured if pooled.get(s) == "holds"]
    n = len(measured)
    head = (f"The best learned router beats dataset-best under RS, with an interval above 0, on {len(won_rs)} "
            f"of the {n} real benchmarks measured here, and the task-aware zero router in per-dataset AIQ on "
            f"{len(won_ds)} of {n} (in pooled AIQ on {len(won_pooled)} of {n}).")
    if not won_rs and not won_ds:
        tail = (" With TF-IDF + SVD features of the question, reading the query buys nothing measurable over "
                "knowing its task: against a single fixed model (chapter 03) the routers gain what the task "
                "label gives. " + auc_text(aucs))
    elif len(won_rs) == n:
        tail = " Reading the query buys something beyond the task on every benchmark measured."
    else:
        tail = (" Reading the query buys something beyond the task only on "
                + ", ".join(sorted(set(won_rs) | set(won_ds))) + "; on the others it buys nothing measurable.")
    mini = verdicts.get("task.rs_over_dataset_best_minilm", {})
    mini_measured = [s for s, v in mini.items() if v != "not measurable"]
    if mini_measured:
        won = [s for s in mini_measured if mini[s] == "holds"]
        tail += (f" With MiniLM sentence embeddings instead of TF-IDF, the best learned router beats dataset-best "
                 f"on {len(won)} of {len(mini_measured)}.")
    return head + tail


def auc_text(aucs: dict, small: float = 0.05) -> str:
    """One sentence on the AUC gains of :func:`auc_study`: whether the query adds less than ``small``
    AUC on average on every benchmark measured."""
    gains = {n: float(t["gain"].mean()) for n, t in aucs.items() if t is not None}
    if not gains:
        return ""
    top = max(gains.values())
    if top < small:
        return (f"The query's features add at most {top:+.3f} AUC on average to the task's accuracy as a "
                "predictor of correctness: whether a model is right depends mostly on the task, and little "
                "of it can be read from these features of the question.")
    return (f"The query's features add up to {top:+.3f} AUC on average to the task's accuracy as a predictor "
            "of correctness: there is information in the question that the routers do not turn into RS.")


def curve_text(curves: dict) -> str:
    """One sentence on the learning curves: the sign of the gain over dataset-best at the smallest
    and largest share of training rows, from the intervals."""
    parts = []
    for n, c in curves.items():
        if c is None:
            continue
        s = c["summary"].set_index("fraction")
        lo_f, hi_f = min(FRACTIONS), max(FRACTIONS)

        def side(f):
            r = s.loc[f]
            return "above 0" if r["lo"] > 0 else ("below 0" if r["hi"] < 0 else "not distinguishable from 0")
        parts.append(f"on {n} the gain is {side(lo_f)} with {lo_f:.0%} of the rows and {side(hi_f)} with all of them")
    return ("; ".join(parts) + ".") if parts else ""
