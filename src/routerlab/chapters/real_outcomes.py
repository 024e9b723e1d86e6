"""Chapter 08, "Real outcomes: GPT-4 versus Mixtral on MMLU and GSM8K": its tables, figures and
glued numbers.

The notebook (``notebooks/08_real_outcomes.py``) loads RouteLLM's per-question outcomes with
:func:`load`, runs :func:`routerlab.evaluation.curves.two_model_study` and glues what the
functions here return through a :class:`Glued`, which turns every measured number into NaN and
every measured text into "n/a" when the real data is absent (the chapter then runs on a
simulated stand-in). Shares and qualities are fractions in [0, 1], costs mean USD per question.

The words the prose picks from (``gsm8k_signal``, ``dollar_reading_*``, ``captured_verdict``)
follow fixed bands, :data:`AUC_SIGNAL_BANDS`, :data:`AIQ_LITTLE_GAIN` and
:data:`CAPTURED_SHARES`: wording of this page, not criteria of a claim of the article. The
article's "8 points" is read from claims.yaml (``ablation.two_models``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["DS", "METRICS", "LEARNED", "REFERENCES", "NAMES", "HEADERS", "PROSE_FORMATS", "AUC_SIGNAL_BANDS",
           "AIQ_LITTLE_GAIN", "CAPTURED_SHARES", "Glued", "load", "labels", "overview", "router_tables",
           "router_views", "router_values", "plot_share_panel", "plot_hull_panel", "figure_legend",
           "auc_table", "text_signal", "metric_agreement", "two_model_claim"]

#: The two datasets and the suffix of their glue keys.
DS = {"MMLU": "mmlu", "GSM8K": "gsm8k"}
#: The routers the study scores (rows of the router tables), in the order the page shows them.
LEARNED = ["mf", "bert-cls", "seq-cls", "causal-lm", "knn", "mlp"]
REFERENCES = ["subject-prior", "random", "judge-cascade", "oracle"]
METRICS = ["rs", "quality", "strong_share", "apgr", "cpt50", "cpt80", "aiq_cmax", "aiq_range"]
#: Router -> the stem of its glue keys.
NAMES = {r: r.replace("-", "_") for r in LEARNED + REFERENCES}
HEADERS = {"rs": "RS", "quality": "quality", "strong_share": "GPT-4 share", "apgr": "APGR",
           "cpt50": "CPT(50%)", "cpt80": "CPT(80%)", "aiq_cmax": "AIQ (c_max)", "aiq_range": "AIQ (range)"}
#: AUC of the best text router on GSM8K below the first: "little" signal, below the second: "some".
AUC_SIGNAL_BANDS = (0.6, 0.8)
#: The best learned AIQ above the zero router's by less than this: "gain little over random mixing".
AIQ_LITTLE_GAIN = 0.02
#: MF's captured share of the headroom below these: "less than a third" / "less than half".
CAPTURED_SHARES = (1 / 3, 0.5)

#: The format of each number the prose shows (glued again as ``<key>__text``).
PROSE_FORMATS = {
    **dict.fromkeys(["acc_strong_gsm8k", "acc_strong_mmlu", "acc_weak_gsm8k", "acc_weak_mmlu", "aiq_max_mmlu",
                     "aiq_min_mmlu", "best_learned_apgr_mmlu", "best_single_rs_mmlu", "cascade_gain_mmlu",
                     "headroom_gsm8k", "headroom_mmlu", "max_above_zero_mmlu", "mf_apgr_gsm8k", "mf_apgr_mmlu",
                     "mf_apgr_mmlu_hi", "mf_apgr_mmlu_lo", "mf_cpt50_gsm8k", "mf_cpt50_mmlu", "mf_cpt50_mmlu_hi",
                     "mf_cpt50_mmlu_lo", "mf_cpt80_mmlu", "mf_gain_gsm8k", "mf_gain_mmlu", "only_strong_gsm8k",
                     "only_strong_mmlu", "only_weak_gsm8k", "only_weak_mmlu", "oracle_rs_mmlu", "random_apgr_mmlu",
                     "random_cpt50_mmlu", "random_cpt80_mmlu", "subject_prior_apgr_mmlu", "zero_aiq_mmlu"], ".3f"),
    **dict.fromkeys(["best_auc_gain_gsm8k", "judge_error", "len_ratio_mmlu", "mf_auc_gain_mmlu", "mf_auc_strong_mmlu",
                     "mf_captured_gsm8k", "mf_captured_mmlu", "rho_aiq_apgr_gsm8k", "rho_aiq_apgr_mmlu",
                     "rho_rs_aiq_gsm8k", "rho_rs_aiq_mmlu", "rho_rs_apgr_gsm8k", "rho_rs_apgr_mmlu", "scale_used",
                     "sp_auc_gain_mmlu"], ".2f"),
    **dict.fromkeys(["cost_ratio_gsm8k", "cost_ratio_mmlu", "min_per_dataset", "n_above_zero_mmlu", "n_seeds_used",
                     "runtime_s"], ".0f"),
    **dict.fromkeys(["n_gsm8k", "n_mmlu", "n_used"], ",.0f"),
}


class Glued(dict):
    """Every plain value the chapter glued, ``{key: value}``; ``have_data`` False turns measured
    numbers into NaN and measured texts into "n/a" (booleans and parameters are glued as they are)."""

    def __init__(self, have_data: bool):
        super().__init__()
        self.have_data = bool(have_data)

    def add(self, values: dict, measured: bool = True) -> None:
        """Glue each of ``values`` (NumPy scalars become Python ones) and keep it."""
        from myst_nb import glue

        have = self.have_data or not measured
        for key, value in values.items():
            if isinstance(value, (bool, np.bool_)):
                value = bool(value)
            elif isinstance(value, (int, np.integer)):
                value = int(value) if have else float("nan")
            elif isinstance(value, (float, np.floating)):
                value = float(value) if have else float("nan")
            elif not have:
                value = "n/a"
            glue(key, value, display=False)
            self[key] = value

    @staticmethod
    def displays(objects: dict) -> None:
        """Glue tables (HTML objects) as they are, without showing them here."""
        from myst_nb import glue

        for key, obj in objects.items():
            glue(key, obj, display=False)

    def prose(self) -> None:
        """Glue ``<key>__text`` for every key of :data:`PROSE_FORMATS` ("n/a", never "nan")."""
        from routerlab.book.glue import glue_formatted

        for key, spec in PROSE_FORMATS.items():
            glue_formatted(f"{key}__text", self[key], fmt="{:" + spec + "}")


def load(data_dir, scale: float, seed: int, min_per_dataset: int):
    """``(bench, have_data, status, counts)``: RouteLLM's outcomes (or the simulated stand-in when
    no folder is found), subsampled to ``scale`` with at least ``min_per_dataset`` questions per
    dataset; whether the real files were found; the page's status text; the glue values
    ``n_mmlu``, ``n_gsm8k`` (questions before the subsample) and ``n_used`` (after)."""
    from routerlab.data import sources
    from routerlab.data.sources.routellm import find_routellm_dir, load_routellm, placeholder_benchmark

    folder = find_routellm_dir(data_dir)
    bench = load_routellm(folder) if folder is not None else placeholder_benchmark(seed=seed)
    values = {f"n_{k}": int(bench.dataset_mask(d).sum()) for d, k in DS.items()}
    bench = sources.subsample(bench, scale, seed=seed, min_per_dataset=min_per_dataset)
    status = (f"real data found ({folder.name})" if folder is not None else
              "data NOT found: every number below reads n/a")
    return bench, folder is not None, status, {**values, "n_used": bench.n_queries}


def labels(weak: str, strong: str) -> dict:
    """Router name -> its label on the page (``weak``/``strong``: the two model names)."""
    return {"mf": "MF", "bert-cls": "BERT classifier", "seq-cls": "sequence classifier", "causal-lm": "causal LM",
            "knn": "kNN", "mlp": "MLP", "subject-prior": "subject prior", "random": "random",
            "judge-cascade": "cascade (simulated judge)", "oracle": "oracle", f"fixed:{weak}": f"{weak} alone",
            f"fixed:{strong}": f"{strong} alone", "zero router": "zero router"}


def _html(frame: pd.DataFrame, nowrap):
    from IPython.display import HTML

    from routerlab.book.tables import html_table

    return HTML(html_table(frame, nowrap=list(nowrap)))


def overview(bench) -> tuple[dict, object]:
    """Per dataset: each model's accuracy, the joint outcomes and the mean cost per question.

    Returns ``(values, table)``: glue values ``acc_weak_<k>``, ``acc_strong_<k>``,
    ``only_strong_<k>``, ``only_weak_<k>`` (shares of questions) and ``cost_ratio_<k>`` (strong /
    weak mean USD per question), and the page's HTML table (one column per dataset).
    """
    weak, strong = bench.model_names
    rows, values = [], {}
    for d, k in DS.items():
        sub = bench.rows(bench.dataset_mask(d))
        qw, qs = sub.quality[:, 0] >= 0.5, sub.quality[:, 1] >= 0.5
        cw, cs = sub.cost.mean(axis=0)
        rows.append({"dataset": d, "questions": sub.n_queries, f"{weak} accuracy": qw.mean(),
                     f"{strong} accuracy": qs.mean(), "both right": (qw & qs).mean(),
                     "only strong right": (~qw & qs).mean(), "only weak right": (qw & ~qs).mean(),
                     "both wrong": (~qw & ~qs).mean(), f"{weak} $/query": cw, f"{strong} $/query": cs,
                     "cost ratio": cs / cw})
        values |= {f"acc_weak_{k}": qw.mean(), f"acc_strong_{k}": qs.mean(), f"only_strong_{k}": (~qw & qs).mean(),
                   f"only_weak_{k}": (qw & ~qs).mean(), f"cost_ratio_{k}": cs / cw}
    table = pd.DataFrame(rows).set_index("dataset")
    fmt = {c: ("{:.2e}" if "$" in c else "{:.1f}" if c == "cost ratio" else "{:,.0f}" if c == "questions"
               else "{:.3f}") for c in table.columns}
    view = pd.DataFrame({c: [f.format(v) for v in table[c]] for c, f in fmt.items()}, index=table.index).T
    view.index = [{"only strong right": f"only {strong} right", "only weak right": f"only {weak} right",
                   f"{weak} $/query": f"{weak}, USD per query", f"{strong} $/query": f"{strong}, USD per query",
                   "cost ratio": f"cost ratio ({strong} / {weak})"}.get(i, i) for i in view.index]
    view.index.name = "share of questions / cost"
    return values, _html(view.reset_index(), DS)


def router_tables(study) -> dict[str, pd.DataFrame]:
    """{dataset: frame}: per router (rows in the page's order, then the two single models and the
    zero router) the mean over splits of each of :data:`METRICS` and its 95% t-interval across
    splits (``<metric>_lo``, ``<metric>_hi``; NaN with one split). A split where a metric is NaN
    makes its mean NaN."""
    from routerlab.metrics import t_interval

    order = LEARNED + REFERENCES + [f"fixed:{study.weak}", f"fixed:{study.strong}", "zero router"]
    pts = study.points
    tables = {}
    for dataset in DS:
        p = pts[pts["dataset"] == dataset]
        out = {}
        for r in order:
            v = p[p["router"] == r][METRICS].to_numpy(dtype=float)
            lo, hi = t_interval(v) if len(v) > 1 else (np.full(len(METRICS), np.nan),) * 2
            out[r] = {**{m: v[:, i].mean() for i, m in enumerate(METRICS)},
                      **{f"{m}_lo": lo[i] for i, m in enumerate(METRICS)},
                      **{f"{m}_hi": hi[i] for i, m in enumerate(METRICS)}}
        tables[dataset] = pd.DataFrame(out).T
    return tables


def _interval_cell(a: float, lo: float, hi: float) -> str:
    """"0.612\\n[0.601, 0.623]"; the value alone when the splits agree exactly (or one split); "–" for NaN."""
    if np.isnan(a):
        return "–"
    return f"{a:.3f}" if np.isnan(lo) or np.isclose(lo, hi) else f"{a:.3f}\n[{lo:.3f}, {hi:.3f}]"


def _router_view(t: pd.DataFrame, names: dict, metrics):
    out = pd.DataFrame({"router": [names.get(r, r) for r in t.index]})
    for m in metrics:
        out[HEADERS[m]] = [_interval_cell(a, lo, hi) for a, lo, hi in zip(t[m], t[f"{m}_lo"], t[f"{m}_hi"])]
    return _html(out, [HEADERS[m] for m in metrics])


def router_views(tables: dict, names: dict) -> dict:
    """The page's router tables: ``tbl_<k>`` (RS, APGR, CPT(50%), AIQ (c_max)) and ``tbl_<k>_full``
    (every metric), each value over its 95% interval across splits."""
    out = {}
    for d, k in DS.items():
        out[f"tbl_{k}"] = _router_view(tables[d], names, ("rs", "apgr", "cpt50", "aiq_cmax"))
        out[f"tbl_{k}_full"] = _router_view(tables[d], names, METRICS)
    return out


def router_values(tables: dict, names: dict) -> dict:
    """Glue values ``<router>_<metric>_<k>`` for every router of :data:`NAMES` and metric, the
    intervals ``..._<k>_lo``/``_hi`` of APGR, CPT and RS, and the best learned router by APGR and
    by RS (``best_apgr_<k>``, ``best_rs_<k>``, labels)."""
    out = {}
    for d, k in DS.items():
        t = tables[d]
        for r, rk in NAMES.items():
            out |= {f"{rk}_{m}_{k}": t.loc[r, m] for m in METRICS}
            for m in ("apgr", "cpt50", "cpt80", "rs"):
                out |= {f"{rk}_{m}_{k}_lo": t.loc[r, f"{m}_lo"], f"{rk}_{m}_{k}_hi": t.loc[r, f"{m}_hi"]}
        out[f"best_apgr_{k}"] = names[str(t.loc[LEARNED, "apgr"].astype(float).idxmax())]
        out[f"best_rs_{k}"] = names[str(t.loc[LEARNED, "rs"].astype(float).idxmax())]
    return out


def _split0(study, kind: str, dataset: str, routers, names: dict) -> dict:
    """{label: (x (k,), quality (k,))} of split 0's curves of ``kind`` ("threshold": x is the
    strong-call share; "cost": mean USD per question)."""
    c = study.curves
    cd = c[(c["seed"] == 0) & (c["kind"] == kind) & (c["dataset"] == dataset)]
    return {names[r]: (cd[cd.router == r]["x"].to_numpy(), cd[cd.router == r]["quality"].to_numpy()) for r in routers}


def plot_share_panel(ax, study, dataset: str, names: dict, placeholder: bool, last: bool) -> None:
    """RouteLLM's view of split 0 on ``ax``: quality against the share of calls to the strong model
    for MF, kNN, the subject prior, random, the cascade and the oracle, between the two models'
    levels; ``last``: the bottom panel (x label); ``placeholder``: mark the stand-in data."""
    from routerlab.book import plots

    pts = study.points
    level = {m: float(pts[(pts.dataset == dataset) & (pts.router == f"fixed:{m}") & (pts.seed == 0)]["quality"].iloc[0])
             for m in (study.weak, study.strong)}
    plots.plot_share_curves(ax, _split0(study, "threshold", dataset, ["mf", "knn", "subject-prior", "random",
                                                                      "judge-cascade", "oracle"], names),
                            weak=level[study.weak], strong=level[study.strong],
                            xlabel="share of calls to GPT-4" if last else "")
    ax.get_legend().remove()
    ax.set_title(dataset + (" [PLACEHOLDER]" if placeholder else ""))


def plot_hull_panel(ax, study, dataset: str, names: dict, placeholder: bool) -> None:
    """RouterBench's view of split 0 on ``ax``: operating points and hulls against mean cost per
    question (log axis) for MF, kNN, the subject prior, the cascade and the oracle; dashed, the
    zero router."""
    from routerlab.book import plots, style
    from routerlab.metrics import ndch

    c = study.curves
    z = c[(c["seed"] == 0) & (c["kind"] == "cost") & (c["dataset"] == dataset) & (c.router == "zero router")]
    ax.set_prop_cycle(color=[style.PALETTE[i] for i in (0, 1, 2, 4, 5)])  # the colours of the share curves
    plots.plot_hulls(ax, _split0(study, "cost", dataset, ["mf", "knn", "subject-prior", "judge-cascade", "oracle"],
                                 names),
                     zero=ndch(z["x"], z["quality"]), logx=True, xlabel="mean cost per question (USD, log scale)")
    ax.get_legend().remove()
    ax.set_title(dataset + (" [PLACEHOLDER]" if placeholder else ""))


def figure_legend(fig, ax, study=None) -> None:
    """One legend below the figure from ``ax``'s lines; with ``study``, "weak/strong model" are
    named by the study's two models."""
    handles, names = ax.get_legend_handles_labels()
    if study is not None:
        names = [{"weak model": f"{study.weak} alone", "strong model": f"{study.strong} alone"}.get(x, x)
                 for x in names]
    fig.legend(handles, names, loc="outside lower center", ncol=3)


def auc_table(points: pd.DataFrame, names: dict):
    """``(auc, table)``: the mean over splits of each learned router's and the subject prior's ROC
    AUCs (``auc_weak``, ``auc_strong``, ``auc_gain``) and APGR, indexed by (dataset, router), and
    the page's HTML table of them."""
    auc = (points[points["router"].isin(LEARNED + ["subject-prior"])]
           .groupby(["dataset", "router"], sort=False)[["auc_weak", "auc_strong", "auc_gain", "apgr"]].mean())
    view = auc.reset_index()
    view["router"] = view["router"].map(names)
    view = view.rename(columns={"auc_weak": "AUC: Mixtral", "auc_strong": "AUC: GPT-4",
                                "auc_gain": "AUC: only GPT-4", "apgr": "APGR"})
    for c in ("AUC: Mixtral", "AUC: GPT-4", "AUC: only GPT-4", "APGR"):
        view[c] = [f"{v:.3f}" for v in view[c]]
    return auc, _html(view, ["dataset", "router"])


def _interval_side(a_lo: float, a_hi: float, b_lo: float, b_hi: float) -> str:
    """Interval a against interval b: "above", "below" or "indistinguishable from" (overlapping)."""
    return "above" if a_lo > b_hi else "below" if a_hi < b_lo else "indistinguishable from"


def text_signal(auc: pd.DataFrame, tables: dict, names: dict) -> dict:
    """What the prompt text predicts: MF's and the subject prior's AUCs, the best learned APGR and
    whether its seed interval lies above the subject prior's (``text_vs_subject_<k>``), the best
    gain AUC, and the texts ``subject_reading_mmlu`` and ``gsm8k_signal``."""
    out = {}
    for d, k in DS.items():
        a, t = auc.loc[d], tables[d]
        best = t.loc[LEARNED, "apgr"].astype(float).idxmax()
        bg = a.loc[LEARNED, "auc_gain"].astype(float)
        out |= {f"mf_auc_strong_{k}": a.loc["mf", "auc_strong"], f"mf_auc_gain_{k}": a.loc["mf", "auc_gain"],
                f"sp_auc_gain_{k}": a.loc["subject-prior", "auc_gain"], f"best_learned_apgr_{k}": t.loc[best, "apgr"],
                f"text_vs_subject_{k}": _interval_side(*t.loc[best, ["apgr_lo", "apgr_hi"]].astype(float),
                                                       *t.loc["subject-prior", ["apgr_lo", "apgr_hi"]].astype(float)),
                f"best_auc_gain_{k}": bg.max(), f"best_auc_gain_router_{k}": names[str(bg.idxmax())]}
    t = tables["MMLU"]
    best = t.loc[LEARNED, "apgr"].astype(float).idxmax()
    above = float(t.loc[best, "apgr_lo"]) > float(t.loc["subject-prior", "apgr_hi"])
    out["subject_reading_mmlu"] = (
        "The text thus adds information beyond the subject label: it tells apart, within a subject, some of the "
        "questions that trip Mixtral up." if above else
        "What the text captures on MMLU is thus mostly which subject a question belongs to; which question within "
        "a subject trips Mixtral up is largely invisible to these features.")
    bg = float(auc.loc["GSM8K"].loc[LEARNED, "auc_gain"].max())
    low, high = AUC_SIGNAL_BANDS
    out["gsm8k_signal"] = "little" if bg < low else "some, but far from complete," if bg < high else "strong"
    return out


def metric_agreement(points: pd.DataFrame, tables: dict, bench) -> dict:
    """Do RS, AIQ and APGR rank alike? Per dataset: the mean over splits of the Spearman rhos
    (``rho_rs_aiq_<k>``, ``rho_rs_apgr_<k>``, ``rho_aiq_apgr_<k>``) over the learned routers and
    the references, the learned routers' AIQ band against the zero router's, the prompt-length
    ratio of the questions only the strong model answers (``len_ratio_<k>``) and the texts that read them."""
    from scipy.stats import spearmanr

    ranked = LEARNED + ["subject-prior", "random", "judge-cascade"]
    pairs = {"rs_aiq": ("rs", "aiq_cmax"), "rs_apgr": ("rs", "apgr"), "aiq_apgr": ("aiq_cmax", "apgr")}
    out = {}
    for d, k in DS.items():
        rhos = {key: [] for key in pairs}
        for _, p in points[(points.dataset == d) & points.router.isin(ranked)].groupby("seed"):
            p = p.set_index("router").loc[ranked]
            for key, (x, y) in pairs.items():
                rhos[key].append(spearmanr(p[x], p[y]).statistic)
        out |= {f"rho_{key}_{k}": float(np.nanmean(v)) for key, v in rhos.items()}
        band = tables[d].loc[LEARNED, "aiq_cmax"].astype(float)
        zero = float(tables[d].loc["zero router", "aiq_cmax"])
        sub = bench.rows(bench.dataset_mask(d))
        need = (sub.quality[:, 0] < 0.5) & (sub.quality[:, 1] >= 0.5)
        ratio = float(sub.prompt_tokens[need].mean() / sub.prompt_tokens[~need].mean())
        out |= {f"aiq_min_{k}": band.min(), f"aiq_max_{k}": band.max(), f"zero_aiq_{k}": zero,
                f"n_above_zero_{k}": int((band > zero).sum()), f"max_above_zero_{k}": float(band.max() - zero),
                f"dollar_reading_{k}": "the learned routers gain little over random mixing"
                if band.max() - zero < AIQ_LITTLE_GAIN else "the learned routers gain clearly over random mixing",
                f"len_ratio_{k}": ratio,
                f"len_reading_{k}": "a router that finds them pays more than the average GPT-4 call for each."
                if ratio > 1 else "finding them is not made dearer by their length."}
    return out


def two_model_claim(tables: dict, weak: str, strong: str) -> dict:
    """The article's two-model claim on real outcomes: per dataset the better single model's RS and
    name, the oracle's headroom over it, MF's and the cascade's gain over it and MF's captured
    share of the headroom; ``headroom_verdict`` compares the headroom with the article's "8 points"
    (``ablation.two_models`` in claims.yaml), ``captured_verdict`` reads MF's captured shares."""
    from routerlab.reproduction.claims import claim

    out, caps, heads = {}, [], []
    for d, k in DS.items():
        t = tables[d]
        singles = t.loc[[f"fixed:{weak}", f"fixed:{strong}"], "rs"].astype(float)
        best = float(singles.max())
        head = float(t.loc["oracle", "rs"]) - best
        cap = (float(t.loc["mf", "rs"]) - best) / head if head > 0 else float("nan")
        caps.append(cap)
        heads.append(head)
        out |= {f"best_single_rs_{k}": best, f"best_single_name_{k}": str(singles.idxmax()).removeprefix("fixed:"),
                f"headroom_{k}": head, f"mf_gain_{k}": float(t.loc["mf", "rs"]) - best,
                f"cascade_gain_{k}": float(t.loc["judge-cascade", "rs"]) - best, f"mf_captured_{k}": cap}
    out["headroom_verdict"] = (
        "Even with two models the oracle's headroom exceeds the article's 8 RS points on both datasets, so "
        "having only two models is not what limits a two-model router here."
        if min(heads) > claim("ablation.two_models")["value"] else
        "On at least one dataset the oracle's headroom with two models is below the article's 8 RS points: "
        "there, two models leave little to gain whatever the router.")
    third, half = CAPTURED_SHARES
    share = "a third" if max(caps) < third else "half" if max(caps) < half else None
    out["captured_verdict"] = (
        f"MF realises less than {share} of that headroom on each dataset, so the bottleneck is predicting "
        "which questions need the stronger model from the prompt alone, the point of the previous section."
        if share else "MF realises at least half of the headroom on at least one dataset.")
    return out
