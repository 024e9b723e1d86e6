"""Chapter 05, "How many models does a router need?": its tables, figures and checks.

The notebook ``notebooks/05_model_count.py`` loads the benchmarks and calls, in its order:

* :func:`model_roles` and :func:`models_table` -- the six simulated models and the subsets the
  article's ablation names (the two, the two plus the Mixtral pair, the two plus the other pair);
* :func:`ablation_rules` -- the article's value and the tolerances of the two ledger claims, read
  from ``claims.yaml`` and ``criteria.yaml``;
* :func:`ablation` -- MF retrained on the claims' subsets over every split, beside chapter 03's
  six-model MF and the oracle restricted to each subset; :func:`ablation_values` what the text
  reads of it;
* :func:`subset_sweep` -- MF (trained once on all models, its rule restricted) and the oracle on
  every subset; :func:`restricted_vs_retrained` and :func:`sweep_values`;
* :func:`attribution` -- Shapley values and mean marginal gains of each model;
* :func:`size_curves` -- the oracle's best RS by number of models on the simulator and the real
  sources, with :func:`curve_values` and :func:`finding_measurements` for the findings;
* :func:`real_ablation` -- the article's ablation by analogy on RouterBench's real outcomes.

RS is always normalised on the cost range of the test rows with all of a benchmark's models, so a
subset's RS is the score of the same policy on the same scale. RS, qualities and shares are unitless
in [0, 1] (RS differences in RS points of 1.0); costs are USD per query. Every interval is a 95%
t-interval over the splits (:func:`routerlab.evaluation.analysis.seed_interval`). Values for the prose
come as ready-to-glue dicts: a plain value, or a ``(value, format)`` pair to glue as formatted
text ("n/a" when missing).
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

import numpy as np
import pandas as pd

from routerlab.book import plots, style
from routerlab.data import sources
from routerlab.evaluation import analysis as an
from routerlab.evaluation import subset_search as ss
from routerlab.evaluation.protocol import book_evaluation, stratified_split
from routerlab.reproduction import criteria
from routerlab.reproduction import findings as simcheck
from routerlab.reproduction.claims import claim
from routerlab.reproduction.criterion_clauses import clause_number, clauses_met
from routerlab.routing.routers import make_router

__all__ = ["Roles", "REAL", "TITLES", "model_roles", "models_table", "setting_values", "ablation_rules",
           "ablation", "ablation_table", "ablation_values", "two_models_entry", "subset_sweep", "plot_subsets",
           "best_by_size_table", "restricted_vs_retrained", "sweep_values", "middle_tier_entry", "attribution",
           "plot_attribution", "attribution_table", "attribution_values", "real_benchmarks", "size_curves",
           "plot_size_curves", "size_table", "curve_values", "finding_measurements", "real_ablation",
           "real_ablation_table", "real_ablation_values", "real_entries"]

#: The real sources of the section "On real outcomes" and the title of each panel.
REAL = ("routerbench-subset", "mmlu-pro")
TITLES = {"sim": "RouterBench-Sim (simulated)", "routerbench-subset": "RouterBench subset (real cost)",
          "mmlu-pro": "MMLU-Pro (estimated cost)"}
#: Level of every interval of the chapter.
CI_LEVEL = 0.95
#: Sizes k with at most this many k-subsets are enumerated; larger ones searched (subset_search).
EXACT_LIMIT = 5000
#: "99% of the full set's RS", the target of the finding ``count.models_for_99``.
SHARE = 0.99
#: The restricted sweep stands in for retraining if no subset's RS differs by more than this.
AGREE_TOL = 0.01
MISSING = "data folder not found"
_POLICIES = ("MF", "oracle")


@dataclass(frozen=True)
class Roles:
    """The simulated models (cheapest first by list price) and the subsets the ablation names, with
    their labels (``an.subset_label``): ``two`` the cheapest and the dearest model, ``with_mixtral``
    those two and the Mixtral pair, ``with_other_mid`` those two and the other middle pair."""
    models: list
    mixtral: list
    other_mid: list
    two: tuple
    with_mixtral: tuple
    with_other_mid: tuple
    all: tuple

    @property
    def labels(self) -> tuple[str, str, str, str]:
        """(L2, LM, LO, L6): labels of two, with_mixtral, with_other_mid and all."""
        return tuple(an.subset_label(x) for x in (self.two, self.with_mixtral, self.with_other_mid, self.all))


def model_roles(bench) -> Roles:
    """The :class:`Roles` of a benchmark whose ``model_names`` are sorted cheapest first."""
    models = list(bench.model_names)
    cheap, strong = models[0], models[-1]
    mixtral = [m for m in models if m.startswith("Mixtral")]
    other = [m for m in models if m not in (cheap, strong, *mixtral)]
    return Roles(models, mixtral, other, (cheap, strong),
                 tuple(m for m in models if m in (cheap, strong, *mixtral)),
                 tuple(m for m in models if m in (cheap, strong, *other)), tuple(models))


def models_table(bench):
    """Styler: provider, tier, list prices ($ per 1M input / output tokens), accuracy over all
    queries and the short name of each model (rows: models)."""
    return style.table(pd.DataFrame(
        {"provider": [m.provider for m in bench.models], "tier": [m.tier for m in bench.models],
         "$/1M in": bench.price_in, "$/1M out": bench.price_out,
         "accuracy": bench.accuracy(), "short name": [an.short_name(m) for m in bench.model_names]},
        index=pd.Index(list(bench.model_names), name="model")), formats={"$/1M in": "${:.2f}", "$/1M out": "${:.2f}"})


def setting_values(roles: Roles, n_seeds: int, sweep_seeds: int) -> dict:
    """Glue values of the setting: split counts, the number of subsets of at least two models and
    the labels of the ablation's subsets."""
    return {"n_seeds": n_seeds, "sweep_seeds": sweep_seeds, "n_subsets": len(an.model_subsets(roles.models)),
            "two_label": roles.labels[0], "mix_label": roles.labels[1], "other_label": roles.labels[2]}


def ablation_rules() -> dict:
    """Glue values of the two claims' criteria: the article's d (``article_d``, RS points), the
    tolerance of either reading of "about 8 points" (``tol``), the share of d the Mixtral pair must
    bring (``half``) and the interval level (``ci_level``)."""
    return {"article_d": float(claim("ablation.two_models")["value"]),
            "tol": clause_number("ablation.two_models", "absolute reading within tolerance"),
            "half": clause_number("ablation.middle_tier", "m is at least half of d"), "ci_level": CI_LEVEL}


def _measures(iv: dict) -> dict:
    """What the two claims' criteria read (criteria.yaml), from {name: (mean, lo, hi)}."""
    out = {}
    for k in ("d_abs", "d_rel", "m_mix"):
        out[k], out[f"{k}_lo"], out[f"{k}_hi"] = (float(x) for x in iv[k])
    return out


def _readings_met(meas: dict) -> tuple[bool, bool]:
    """(absolute, relative): whether any clause of that reading of ``ablation.two_models`` holds."""
    met = clauses_met("ablation.two_models", meas)
    return tuple(any(ok for c, ok in met.items() if c.startswith(r)) for r in ("absolute", "relative"))


def ablation(bench, roles: Roles, n_seeds: int, cache_dir=None) -> dict:
    """The article's ablation on ``bench``: chapter 03's six-model MF (``book_evaluation``, shared
    cache) and MF retrained on the two claims' subsets on splits ``0..n_seeds-1``, the oracle
    restricted to them and to all models.

    Returns ``result`` (the evaluation), ``mf6`` (seed -> RS), ``retrained`` (long table: policy,
    seed, subset, size, rs, fit_seconds, ...), ``iv`` {measure: (mean, lo, hi)} for d_abs, d_rel,
    m_mix, o_abs, o_mix, mf2, mf6, m_over_d (RS points, d_rel and m_over_d ratios), ``meas`` (what
    the criteria read), ``abs_met``/``rel_met``, the two ``verdict_*``, ``eval_seconds``,
    ``retrain_seconds`` and ``retrain_estimate`` (s to retrain MF on every subset of every split).
    """
    t_eval = time.perf_counter()
    result = book_evaluation(bench, n_seeds=n_seeds, cache_dir=cache_dir)
    eval_seconds = time.perf_counter() - t_eval
    ps = result.per_seed
    mf6 = ps[ps["policy"] == "mf"].set_index("seed")["rs"]
    t_re = time.perf_counter()
    claim_subsets = [roles.two, roles.with_mixtral]   # the subsets the verdicts rest on
    retrained = []
    for s in range(n_seeds):
        tr, te = stratified_split(bench, seed=s)
        train, test = bench.rows(tr), bench.rows(te)
        t = an.router_subset_scores(train, test, claim_subsets, router="mf", seed=s)
        t["policy"], t["seed"] = "MF (retrained)", s
        o = an.oracle_subset_scores(test, claim_subsets + [roles.all])   # six-model MF: chapter 03's
        o["policy"], o["seed"] = "oracle", s
        retrained += [t, o]
    retrained = pd.concat(retrained, ignore_index=True)
    retrain_seconds = time.perf_counter() - t_re
    rs_by = retrained.pivot_table(index="seed", columns=["policy", "subset"], values="rs")
    L2, LM, _, L6 = roles.labels
    mf_rs = rs_by["MF (retrained)"].assign(**{L6: mf6})
    or_rs = rs_by["oracle"]
    d_abs = mf_rs[L6] - mf_rs[L2]
    m_mix = mf_rs[LM] - mf_rs[L2]
    iv = {k: an.seed_interval(v) for k, v in dict(
        d_abs=d_abs, d_rel=d_abs / mf_rs[L6], m_mix=m_mix, o_abs=or_rs[L6] - or_rs[L2], o_mix=or_rs[LM] - or_rs[L2],
        mf2=mf_rs[L2], mf6=mf_rs[L6], m_over_d=m_mix / d_abs).items()}
    meas = _measures(iv)
    abs_met, rel_met = _readings_met(meas)
    # estimate for retraining every subset on every split: the measured fit time by subset size
    fit = retrained.loc[retrained["policy"] == "MF (retrained)"].groupby("size")["fit_seconds"].mean()
    fit.loc[len(roles.models)] = ps.loc[ps["policy"] == "mf", "fit_seconds"].mean()   # chapter 03's fits
    fit = fit.sort_index()
    sizes = pd.Series([len(x) for x in an.model_subsets(roles.models)])
    est = np.interp(sizes, fit.index.to_numpy(dtype=float), fit.to_numpy())
    return {"result": result, "mf6": mf6, "retrained": retrained, "iv": iv, "meas": meas,
            "abs_met": abs_met, "rel_met": rel_met,
            "verdict_two": criteria.judge("ablation.two_models", meas)[0],
            "verdict_mid": criteria.judge("ablation.middle_tier", meas)[0],
            "eval_seconds": eval_seconds, "retrain_seconds": retrain_seconds,
            "retrain_estimate": float(est.sum() * n_seeds)}


def ablation_table(iv: dict):
    """Styler: each ablation measure as "mean [95% CI]" (rows in the order of ``iv``)."""
    index = ["d: MF six - MF two (absolute)", "d / RS(MF six) (relative)", "m: MF +Mixtral pair - MF two",
             "oracle six - oracle two", "oracle +Mixtral pair - oracle two", "RS MF two models",
             "RS MF six models", "m / d (per split)"]
    return style.table(pd.DataFrame({"mean [95% CI]": [style.interval_text(*v) for v in iv.values()]},
                                    index=pd.Index(index, name="measure")))


def _fragile_text(m_over_d, half: float) -> str:
    """Does the interval of m / d (mean, lo, hi) contain the threshold ``half``?"""
    if np.isfinite(m_over_d[1]) and m_over_d[1] <= half <= m_over_d[2]:
        return "straddles the threshold, so this verdict could go either way on other splits"
    return "lies on one side of the threshold"


def _met(ok: bool) -> str:
    return "met" if ok else "not met"


def ablation_values(abl: dict, half: float) -> dict:
    """Glue values of the simulated ablation: every measure with ``_lo``/``_hi``, the readings met,
    the verdicts, how much of the oracle's d MF realises, whether m / d straddles ``half``, timings."""
    out = {}
    for k, (mean, lo, hi) in abl["iv"].items():
        out[k], out[f"{k}_lo"], out[f"{k}_hi"] = mean, lo, hi
    o_abs = abl["iv"]["o_abs"][0]
    out.update(abs_met=_met(abl["abs_met"]), rel_met=_met(abl["rel_met"]), verdict_two=abl["verdict_two"],
               verdict_mid=abl["verdict_mid"],
               d_share_of_oracle=abl["iv"]["d_abs"][0] / o_abs if o_abs else float("nan"),
               mid_fragile=_fragile_text(abl["iv"]["m_over_d"], half), retrain_seconds=abl["retrain_seconds"],
               eval_seconds=abl["eval_seconds"],
               from_cache="read from the cache" if abl["result"].from_cache else "computed (cache miss)",
               retrain_estimate=abl["retrain_estimate"])
    return out


def _which(abs_met: bool, rel_met: bool) -> str:
    which = [name for name, ok in (("absolute", abs_met), ("relative", rel_met)) if ok]
    return ", ".join(which) if which else "none"


def two_models_entry(abl: dict) -> dict:
    """Keyword arguments of ``ledger.record("ablation.two_models", ...)`` but the chapter and
    ``real``: ours = absolute d with its seed interval, the measured values and a note."""
    iv = abl["iv"]
    return dict(ours=iv["d_abs"][0], lo=iv["d_abs"][1], hi=iv["d_abs"][2], measured=abl["meas"],
                note=f"ours = absolute d; relative d = {iv['d_rel'][0]:.3f} "
                     f"[{iv['d_rel'][1]:.3f}, {iv['d_rel'][2]:.3f}]; "
                     f"readings met: {_which(abl['abs_met'], abl['rel_met'])}; oracle d = {iv['o_abs'][0]:.3f}")


# ---- every subset ---------------------------------------------------------------------------------
def subset_sweep(bench, roles: Roles, sweep_seeds: int) -> dict:
    """MF fitted once on all models per split, its decision rule restricted to each subset (and the
    six single models), and the oracle restricted likewise, on splits ``0..sweep_seeds-1``.

    Returns ``sweep`` (long: policy "MF"/"oracle", seed, subset, models, size, rs, quality, cost),
    ``mean`` (mean over the splits per policy and subset), ``multi`` {policy: rows of ``mean`` with
    at least two models}, ``best_by_size`` (the best subset per (policy, size >= 2): subset, rs,
    quality, cost in USD per query) and ``seconds``.
    """
    t_sw = time.perf_counter()
    subsets = an.model_subsets(roles.models, min_size=1)
    sweep = []
    for s in range(sweep_seeds):
        tr, te = stratified_split(bench, seed=s)
        train, test = bench.rows(tr), bench.rows(te)
        router = make_router("mf", seed=s).fit(train)
        t = an.restricted_subset_scores(router, test, subsets)
        t["policy"], t["seed"] = "MF", s
        o = an.oracle_subset_scores(test, subsets)
        o["policy"], o["seed"] = "oracle", s
        sweep += [t, o]
    sweep = pd.concat(sweep, ignore_index=True)
    seconds = time.perf_counter() - t_sw
    mean = sweep.groupby(["policy", "subset"], sort=False).agg(
        size=("size", "first"), models=("models", "first"), rs=("rs", "mean"),
        quality=("quality", "mean"), cost=("cost", "mean")).reset_index()
    best = (mean[mean["size"] >= 2].sort_values("rs", ascending=False)
            .groupby(["policy", "size"], sort=False).head(1).sort_values(["policy", "size"])
            .set_index(["policy", "size"])[["subset", "rs", "quality", "cost"]])
    multi = {p: mean[(mean["policy"] == p) & (mean["size"] >= 2)] for p in _POLICIES}
    return {"sweep": sweep, "mean": mean, "multi": multi, "best_by_size": best, "seconds": seconds}


def _legend_below(fig, axes, **kwargs) -> None:
    """Remove the axes' legends and draw the first one's entries once below the panels."""
    for ax in axes:
        ax.get_legend().remove()   # below the axes instead, where it covers no point
    fig.legend(*axes[0].get_legend_handles_labels(), loc="outside lower center", **kwargs)


def plot_subsets(ax, sw: dict, roles: Roles) -> None:
    """RS of every subset of at least two models against its size (MF and oracle), the ablation's
    subsets marked, the legend below the axes."""
    plots.plot_subset_sizes(ax, sw["multi"], highlight=list(roles.labels))
    _legend_below(ax.figure, [ax], ncol=3, fontsize=9)


def best_by_size_table(sw: dict):
    """Styler: the best subset of each size per policy with RS, quality and mean cost ($ per query)."""
    return style.table(sw["best_by_size"].rename(columns={"rs": "RS", "cost": "mean cost $"}),
                       formats={"mean cost $": "{:.2e}"})


def restricted_vs_retrained(abl: dict, sw: dict, roles: Roles, n_seeds: int, sweep_seeds: int) -> dict:
    """MF restricted from the all-model fit against MF retrained, on the subsets and splits where
    both ran: ``cmp`` (per subset and split, ``difference`` = restricted - retrained RS),
    ``full_check`` (seed -> restricted all-model RS minus chapter 03's MF) and ``table`` (Styler of
    the mean per subset)."""
    common = [s for s in range(sweep_seeds) if s < n_seeds]
    re_mf = abl["retrained"][(abl["retrained"]["policy"] == "MF (retrained)") & abl["retrained"]["seed"].isin(common)]
    rs_mf = sw["sweep"][(sw["sweep"]["policy"] == "MF") & sw["sweep"]["seed"].isin(common)]
    cmp = re_mf.merge(rs_mf, on=["subset", "seed"], suffixes=(" retrained", " restricted"))
    cmp["difference"] = cmp["rs restricted"] - cmp["rs retrained"]
    full_check = rs_mf[rs_mf["subset"] == roles.labels[3]].set_index("seed")["rs"] - abl["mf6"].loc[common]
    table = cmp.groupby("subset", sort=False)[["rs retrained", "rs restricted", "difference"]].mean()
    return {"cmp": cmp, "full_check": full_check,
            "table": style.table(table.rename(columns={"rs retrained": "RS retrained", "rs restricted": "RS restricted",
                                                       "difference": "restricted minus retrained"}), digits=4)}


def _sweep_gains(sw: dict, roles: Roles) -> tuple[tuple, tuple]:
    """(other pair, Mixtral pair): (mean, lo, hi) of the RS MF gains by adding each middle pair to
    the two models, from the restricted sweep."""
    L2, LM, LO, _ = roles.labels
    wide = sw["sweep"][sw["sweep"]["policy"] == "MF"].pivot(index="seed", columns="subset", values="rs")
    return an.seed_interval(wide[LO] - wide[L2]), an.seed_interval(wide[LM] - wide[L2])


def sweep_values(sw: dict, check: dict, roles: Roles) -> dict:
    """Glue values of the sweep: the other middle pair's gain, the restricted-vs-retrained check
    against :data:`AGREE_TOL`, and per policy the mean RS by size, the best pair, triple and subset."""
    other, mix = _sweep_gains(sw, roles)
    cmp, full_check = check["cmp"], check["full_check"]
    out = {"sweep_seconds": sw["seconds"], "m_other": other[0], "m_other_lo": other[1], "m_other_hi": other[2],
           "m_mix_sweep": mix[0], "cmp_max_abs": float(cmp["difference"].abs().max()) if len(cmp) else float("nan"),
           "full_check": float(full_check.abs().max()) if len(full_check) else float("nan"), "agree_tol": AGREE_TOL,
           "agree": "within" if len(cmp) and cmp["difference"].abs().max() <= AGREE_TOL else "not within"}
    best = sw["best_by_size"]
    for p in _POLICIES:
        t, k = sw["multi"][p], p.lower()
        by_size = t.groupby("size")["rs"]
        out.update({f"{k}_size2_mean": by_size.mean().loc[2],
                    f"{k}_size5_mean": by_size.mean().loc[len(roles.models) - 1],
                    f"{k}_best2": best.loc[(p, 2), "subset"], f"{k}_best2_rs": best.loc[(p, 2), "rs"],
                    f"{k}_best3": best.loc[(p, 3), "subset"], f"{k}_best3_rs": best.loc[(p, 3), "rs"],
                    f"{k}_all_rs": t.loc[t["subset"] == roles.labels[3], "rs"].iloc[0],
                    f"{k}_best_overall": t.loc[t["rs"].idxmax(), "subset"], f"{k}_best_overall_rs": t["rs"].max()})
    return out


def middle_tier_entry(abl: dict, sw: dict, roles: Roles, sweep_seeds: int) -> dict:
    """Keyword arguments of ``ledger.record("ablation.middle_tier", ...)`` but the chapter and
    ``real``: ours = m with its seed interval, the measured values, the other pair's gain in the note."""
    iv = abl["iv"]
    other, mix = _sweep_gains(sw, roles)
    return dict(ours=iv["m_mix"][0], lo=iv["m_mix"][1], hi=iv["m_mix"][2], measured=abl["meas"],
                note=f"d = {iv['d_abs'][0]:.3f}; adding Llama-3-70B + GPT-3.5-turbo instead gives "
                     f"{other[0]:.3f} [{other[1]:.3f}, {other[2]:.3f}] (restricted sweep, "
                     f"{sweep_seeds} splits; the Mixtral pair there: {mix[0]:.3f})")


# ---- which models matter -------------------------------------------------------------------------
def attribution(sw: dict, roles: Roles, sweep_seeds: int) -> pd.DataFrame:
    """Shapley value and mean marginal gain (RS) of each model per policy, from the sweep's subset
    values of each split: mean with ``_lo``/``_hi`` seed intervals (rows: policy x model)."""
    attr = []
    for p in _POLICIES:
        for s in range(sweep_seeds):
            t = sw["sweep"][(sw["sweep"]["policy"] == p) & (sw["sweep"]["seed"] == s)]
            values = dict(zip(t["models"], t["rs"]))
            sh = an.shapley_values(values, roles.models)
            mc = an.marginal_contributions(values, roles.models)
            mc = mc[mc["size"] == "mean"].set_index("model")["gain"]
            attr.append(pd.DataFrame({"policy": p, "seed": s, "model": roles.models,
                                      "shapley": sh.loc[roles.models].to_numpy(),
                                      "marginal": mc.loc[roles.models].to_numpy()}))
    return an.seed_summary(pd.concat(attr, ignore_index=True), ["policy", "model"], ["shapley", "marginal"])


def plot_attribution(axes, attr: pd.DataFrame, roles: Roles) -> None:
    """Two panels: Shapley values (``axes[0]``) and mean marginal gains (``axes[1]``) per model and
    policy with seed intervals; one legend below both."""
    def wide(col):
        return attr.pivot(index="model", columns="policy", values=col).loc[roles.models]

    plots.plot_contributions(axes[0], wide("shapley"), wide("shapley_lo"), wide("shapley_hi"))
    axes[0].set_title("Shapley value of each model")
    plots.plot_contributions(axes[1], wide("marginal"), wide("marginal_lo"), wide("marginal_hi"),
                             xlabel="mean gain in RS when added")
    axes[1].set_title("Mean marginal gain (added to a non-empty subset)")
    _legend_below(axes[0].figure, list(axes), ncol=2)


def attribution_table(attr: pd.DataFrame):
    """Styler: Shapley value "mean [95% CI]" and mean marginal gain per (policy, model)."""
    return style.table(pd.DataFrame({
        "policy": attr["policy"], "model": attr["model"],
        "Shapley value [95% CI]": [style.interval_text(v, lo, hi) for v, lo, hi in
                                   zip(attr["shapley"], attr["shapley_lo"], attr["shapley_hi"])],
        "mean marginal gain": attr["marginal"]}).set_index(["policy", "model"]))


def attribution_values(attr: pd.DataFrame, roles: Roles) -> dict:
    """Glue values per policy: the models with the largest and smallest Shapley value and the
    largest marginal gain, and the summed marginal gains of the two middle pairs."""
    out = {}
    for p in _POLICIES:
        t, k = attr[attr["policy"] == p].set_index("model"), p.lower()
        out.update({f"{k}_top_shapley": t["shapley"].idxmax(), f"{k}_top_shapley_v": t["shapley"].max(),
                    f"{k}_low_shapley": t["shapley"].idxmin(), f"{k}_low_shapley_v": t["shapley"].min(),
                    f"{k}_top_marginal": t["marginal"].idxmax(), f"{k}_top_marginal_v": t["marginal"].max(),
                    f"{k}_mixtral_marginal": float(t.loc[roles.mixtral, "marginal"].sum()),
                    f"{k}_othermid_marginal": float(t.loc[roles.other_mid, "marginal"].sum())})
    return out


# ---- on real outcomes ----------------------------------------------------------------------------
def real_benchmarks(scale: float, data_dir=None) -> dict:
    """{source: Benchmark, or None when its data folder is missing} for :data:`REAL`."""
    return {name: sources.load_for_book(name, scale=scale, seed=0, data_dir=data_dir, min_per_dataset=300)
            for name in REAL}


def size_curves(benches: dict, n_seeds: int, n_random: int) -> dict:
    """The oracle's best RS by number of models (``ss.oracle_size_curves``) for every benchmark
    found, {"sim" or source: ...}: ``curves``, ``per_seed`` (best pair share, models needed, ...),
    ``summary`` (``ss.size_curve_summary``) and ``fv`` {name: (pair, need, exact)}, pair and need
    being (mean, lo, hi) of the best pair's share of the full RS and of the share of models needed
    for :data:`SHARE` of it, exact whether that count is settled on every split."""
    curves, per_seed = {}, {}
    for name, b in benches.items():
        if b is not None:
            curves[name], per_seed[name] = ss.oracle_size_curves(b, range(n_seeds), n_random=n_random, share=SHARE,
                                                                 exact_limit=EXACT_LIMIT)
    fv = {name: (an.seed_interval(p["best_pair_share"]), an.seed_interval(p["models_share_high"]),
                 bool((p["k_low"] == p["k_high"]).all())) for name, p in per_seed.items()}
    return {"curves": curves, "per_seed": per_seed, "fv": fv,
            "summary": {name: ss.size_curve_summary(c) for name, c in curves.items()}}


def plot_size_curves(axes, sc: dict) -> None:
    """One panel per benchmark (simulator, then :data:`REAL`): best achievable RS by number of
    models with intervals, the 99% target, the proven upper bound where searched; "data not found"
    panels for missing sources; one legend of every entry below the panels."""
    for ax, name in zip(axes, ("sim", *REAL)):
        if name not in sc["curves"]:
            plots.plot_data_not_found(ax, title=TITLES[name])
            continue
        cs = sc["summary"][name]
        plots.plot_best_by_size(ax, cs["size"], cs["best"], cs["best_lo"], cs["best_hi"], upper=cs["upper"],
                                searched=cs["searched"], target=SHARE * cs["best"].iloc[-1], title=TITLES[name],
                                ylabel="best achievable RS (oracle)")
    handles, labels = [], []
    for ax in axes:
        for h, lab in zip(*ax.get_legend_handles_labels()):
            if lab not in labels:
                handles.append(h)
                labels.append(lab)
    axes[0].figure.legend(handles, labels, loc="outside lower center", ncol=3, fontsize=10, frameon=False)


def size_table(sc: dict, name: str):
    """Styler captioned with the source's title: per number of models, the best RS [95% CI], its
    share of all models' RS, how it was found, the upper bound (searched sizes only) and the subset."""
    cs = sc["summary"][name]
    out = pd.DataFrame({
        "models": cs["size"],
        "best achievable RS [95% CI]": [style.interval_text(v, lo, hi)
                                        for v, lo, hi in zip(cs["best"], cs["best_lo"], cs["best_hi"])],
        "share of all models' RS": cs["share_of_full"].map("{:.3f}".format),
        "how found": cs["method"],
        "proven upper bound": [f"{u:.3f}" if s else "" for u, s in zip(cs["upper"], cs["searched"])],
        "best subset (most frequent)": [", ".join(an.short_name(x) for x in m) for m in cs["models"]]})
    if not cs["searched"].any():
        out = out.drop(columns="proven upper bound")
    return out.set_index("models").style.set_caption(TITLES[name])


def _status(name: str, b) -> str:
    title = TITLES[name].split(" (")[0]
    if b is None:
        return f"{title}: data folder not found, so its results read n/a"
    return (f"{title}: found, {b.n_queries:,} queries x {b.n_models} models"
            + (" (cost estimated from list prices)" if b.cost_estimated else " (real cost)"))


def _compare(fv: dict, name: str, i: int, tol: float) -> str:
    """Glued prose: does the real value lie within the finding's tolerance of the simulated one?"""
    if name not in fv:
        return "cannot be compared here (data folder not found)"
    d = fv[name][i][0] - fv["sim"][i][0]
    side = "higher" if d > 0 else "lower"
    return (f"{abs(d):.3f} {side} than on the simulator, "
            + ("within" if abs(d) <= tol else "outside") + f" the pre-registered tolerance of {tol:g}")


def _differs_text(fv: dict) -> str:
    """The comparison of the share of models needed, in words, from the measured values."""
    if "sim" not in fv or not any(n in fv for n in REAL):
        return "No real source was found here, so nothing can be compared."
    sim_share = fv["sim"][1][0]
    lower = [n for n in REAL if n in fv and fv[n][1][0] < sim_share - simcheck.finding("count.models_for_99")["tol"]]
    names = ", ".join(TITLES[n].split(" (")[0] for n in lower)
    if sim_share >= 1.0 and lower:
        return ("On the simulator every one of the six models is needed: each is the oracle's best choice on "
                "enough queries that dropping any one costs more than 1% of the oracle's RS. The real pools ("
                + names + ") are redundant: several models of "
                "similar price answer the same questions, so a large part of each pool adds almost nothing to "
                "the best achievable RS. The share of models a router needs is a property of the pool, and "
                "the simulator's answer does not carry over to real pools.")
    if lower:
        return ("The real pools (" + names + ") need a clearly "
                "smaller share of their models than the simulator does: they are more redundant.")
    return "The share of models needed is similar on the simulator and on the real pools found here."


def curve_values(sc: dict, benches: dict, n_seeds: int, n_random: int) -> dict:
    """Glue values of the size curves, keys prefixed sim_/rb_/mp_: status lines, best pair share
    and share of models needed (with intervals), models needed (mean, min, max), models, full RS,
    best single and pair RS; plain ``chk_*`` numbers for the notebook tests; the search settings;
    and the comparisons with the simulator in words. ``benches`` includes "sim"."""
    fv, per_seed, summary = sc["fv"], sc["per_seed"], sc["summary"]
    out = {}
    for key, name in (("sim", "sim"), ("rb", "routerbench-subset"), ("mp", "mmlu-pro")):
        b = benches[name]
        if name != "sim":
            out[f"{key}_status"] = _status(name, b)
        have = name in fv
        pair, need, _ = fv[name] if have else ((None,) * 3, (None,) * 3, False)
        ps_, cs = per_seed.get(name), summary.get(name)
        for j, suffix in enumerate(("", "_lo", "_hi")):
            out[f"{key}_pair_share{suffix}"] = (pair[j], "{:.3f}")
        for j, suffix in enumerate(("", "_lo", "_hi")):
            out[f"{key}_models_share{suffix}"] = (need[j], "{:.3f}")
        out.update({f"{key}_k99": (ps_["k_high"].mean() if have else None, "{:.1f}"),
                    f"{key}_k99_min": (ps_["k_high"].min() if have else None, "{:.0f}"),
                    f"{key}_k99_max": (ps_["k_high"].max() if have else None, "{:.0f}"),
                    f"{key}_m": (b.n_models if b is not None else None, "{:d}"),
                    f"{key}_full": (ps_["full"].mean() if have else None, "{:.3f}"),
                    f"{key}_best1": (cs["best"].iloc[0] if have else None, "{:.3f}"),
                    f"{key}_best2": (cs["best"].iloc[1] if have else None, "{:.3f}"),
                    f"{key}_best2_models": (", ".join(cs["models"].iloc[1]) if have else None, "{}")})
    # plain numbers for the notebook tests' sanity ranges (NaN when a source is missing; not in the prose)
    for key, name in (("sim", "sim"), ("rb", "routerbench-subset"), ("mp", "mmlu-pro")):
        out[f"chk_{key}_pair_share"] = fv[name][0][0] if name in fv else float("nan")
        out[f"chk_{key}_models_share"] = fv[name][1][0] if name in fv else float("nan")
        out[f"chk_{key}_full"] = per_seed[name]["full"].mean() if name in fv else float("nan")
    mp, cs = benches["mmlu-pro"], summary.get("mmlu-pro")
    out.update({"chk_mp_k99_exact": float(fv["mmlu-pro"][2]) if "mmlu-pro" in fv else float("nan"),
                "n_seeds_m1": n_seeds - 1, "exact_limit": EXACT_LIMIT, "n_random": n_random,
                "mp_search_sizes": (", ".join(str(k) for k in cs.loc[cs["searched"], "size"])
                                    if cs is not None else None, "{}"),
                "mp_exact_sizes": (", ".join(str(k) for k in range(1, mp.n_models + 1)
                                             if math.comb(mp.n_models, k) <= EXACT_LIMIT)
                                   if mp is not None else None, "{}"),
                "mp_max_gap": (float((cs["upper"] - cs["best"]).max()) if cs is not None else None, "{:.3f}"),
                "mp_k99_exact": (("exact on every split (no smaller subset can reach 99%)" if fv["mmlu-pro"][2]
                                  else "a range on some splits (the solver stopped at its time limit)")
                                 if "mmlu-pro" in fv else None, "{}")})
    for name, key in (("routerbench-subset", "rb"), ("mmlu-pro", "mp")):
        out[f"{key}_pair_vs_sim"] = _compare(fv, name, 0, simcheck.finding("count.best_pair_share")["tol"])
        out[f"{key}_need_vs_sim"] = _compare(fv, name, 1, simcheck.finding("count.models_for_99")["tol"])
    out["count_differs_text"] = _differs_text(fv)
    return out


def _pair_note(sc: dict, name: str, n_seeds: int) -> str:
    m = len(sc["curves"][name]["size"].unique())
    return (f"oracle (OUB) RS of the best two-model subset / RS of all {m} models, "
            f"per split, mean and 95% t-interval over {n_seeds} splits; exact (every pair evaluated)"
            + ("; estimated cost" if name == "mmlu-pro" else ""))


def _need_note(sc: dict, name: str, n_seeds: int) -> str:
    ps_ = sc["per_seed"][name]
    m = len(sc["curves"][name]["size"].unique())
    how = ("exact: every subset evaluated" if m <= ss.MAX_ENUMERATED_MODELS else
           "exact per split: found by search, no smaller subset proven by LP/MILP bounds"
           if (ps_["k_low"] == ps_["k_high"]).all() else
           "upper end of a range on some splits (solver time limit)")
    return (f"smallest k with best k-subset >= 99% of all {m} models, / {m}; per split k = "
            + ", ".join(str(k) for k in ps_["k_high"]) + f"; {how}"
            + ("; estimated cost" if name == "mmlu-pro" else ""))


def finding_measurements(sc: dict, finding_id: str, n_seeds: int) -> dict:
    """Keyword arguments ``sim`` and ``real`` of ``simcheck.record(finding_id, ...)`` for
    ``count.best_pair_share`` or ``count.models_for_99`` (value None where a source is missing)."""
    i, note = {"count.best_pair_share": (0, _pair_note), "count.models_for_99": (1, _need_note)}[finding_id]

    def meas(name):
        if name not in sc["fv"]:
            return {"value": None, "note": MISSING}
        v, lo, hi = sc["fv"][name][i]
        return {"value": v, "lo": lo, "hi": hi, "note": note(sc, name, n_seeds)}

    return {"sim": meas("sim"), "real": {name: meas(name) for name in REAL}}


def real_ablation(rb, n_seeds: int, cache_dir=None) -> dict | None:
    """The article's ablation by analogy on the RouterBench subset ``rb`` (None when missing): MF
    retrained on the cheapest (mean cost) and the most accurate model, and on those plus its
    Mixtral model(s), against chapter 03's MF on all models. {measure: (mean, lo, hi)} for d_abs,
    d_rel, m_mix, mf2, mf_all, m_over_d, and ``pair``, ``mix`` (model names), ``meas`` (what the
    criteria read), ``abs_met``, ``rel_met``, ``n_models``."""
    if rb is None:
        return None
    rb_cheap = rb.model_names[int(np.argmin(rb.cost.mean(axis=0)))]
    rb_strong = rb.model_names[int(np.argmax(rb.accuracy()))]
    rb_mix = [x for x in rb.model_names if "mixtral" in x.lower()]
    RB2, RBM = (rb_cheap, rb_strong), tuple(x for x in rb.model_names if x in (rb_cheap, rb_strong, *rb_mix))
    rb_ps = book_evaluation(rb, n_seeds=n_seeds, cache_dir=cache_dir).per_seed
    rb_mf_all = rb_ps[rb_ps["policy"] == "mf"].set_index("seed")["rs"]
    rt_rs = ss.retrained_subset_rs(rb, [RB2, RBM], range(n_seeds), router="mf").pivot(
        index="seed", columns="subset", values="rs")
    r2, rm = rt_rs[an.subset_label(RB2)], rt_rs[an.subset_label(RBM)]
    out = {"d_abs": an.seed_interval(rb_mf_all - r2), "d_rel": an.seed_interval((rb_mf_all - r2) / rb_mf_all),
           "m_mix": an.seed_interval(rm - r2), "mf2": an.seed_interval(r2), "mf_all": an.seed_interval(rb_mf_all),
           "m_over_d": an.seed_interval((rm - r2) / (rb_mf_all - r2)), "pair": RB2, "mix": rb_mix,
           "n_models": rb.n_models}
    out["meas"] = _measures(out)
    out["abs_met"], out["rel_met"] = _readings_met(out["meas"])
    return out


def real_ablation_table(ra: dict):
    """Styler: mean and 95% interval of each measure of :func:`real_ablation` (rows: measures)."""
    return (pd.DataFrame({k: ra[k] for k in ("d_abs", "d_rel", "m_mix", "m_over_d", "mf2", "mf_all")},
                         index=["mean", "95% low", "95% high"]).T.rename(index={
        "d_abs": "d: MF all - MF pair (absolute)", "d_rel": "d / RS(MF all) (relative)",
        "m_mix": "m: MF pair + Mixtral - MF pair", "m_over_d": "m / d (per split)",
        "mf2": "RS MF pair (retrained)", "mf_all": "RS MF all models"}).style.format("{:.3f}")
        .set_caption("RouterBench subset, real cost: the article's ablation by analogy"))


def real_ablation_values(ra: dict | None, half: float) -> dict:
    """Glue values of :func:`real_ablation`, keys ``rb_*`` ("n/a" when the source is missing)."""
    out = {}
    for k in ("d_abs", "d_rel", "m_mix", "mf2", "mf_all"):
        for j, suffix in enumerate(("", "_lo", "_hi")):
            out[f"rb_{k}{suffix}"] = (ra[k][j] if ra else None, "{:.3f}")
    out["rb_pair"] = " + ".join(ra["pair"]) if ra else "n/a"
    for j, suffix in enumerate(("", "_lo", "_hi")):
        out[f"rb_m_over_d{suffix}"] = (ra["m_over_d"][j] if ra else None, "{:.2f}")
    out["rb_mid_fragile"] = _fragile_text(ra["m_over_d"], half) if ra else "n/a"
    return out


def real_entries(ra: dict | None) -> tuple[dict, dict]:
    """The ``real={"routerbench-subset": ...}`` entries of the two ledger claims (two_models,
    middle_tier): measured values, ours with its interval and a note; None measured when missing."""
    if not ra:
        missing = {"measured": None, "ours": None, "note": MISSING}
        return missing, missing
    pair = " + ".join(ra["pair"])
    two = {"ours": ra["d_abs"][0], "lo": ra["d_abs"][1], "hi": ra["d_abs"][2], "measured": ra["meas"],
           "note": f"MF on all {ra['n_models']} models minus MF retrained on {pair} (cheapest, most "
                   f"accurate); relative d = {ra['d_rel'][0]:.3f}; readings met: "
                   f"{_which(ra['abs_met'], ra['rel_met'])}; real cost"}
    mid = {"ours": ra["m_mix"][0], "lo": ra["m_mix"][1], "hi": ra["m_mix"][2], "measured": ra["meas"],
           "note": f"adding {', '.join(ra['mix'])} (the only Mixtral here) to {pair}; "
                   f"d = {ra['d_abs'][0]:.3f}, m / d = {ra['m_over_d'][0]:.2f} "
                   f"[{ra['m_over_d'][1]:.2f}, {ra['m_over_d'][2]:.2f}] per split; real cost"}
    return two, mid
