"""Chapter 06, "Hyperparameters and pitfalls": its sweeps, tables, figures and checks.

The notebook ``notebooks/06_hyperparameters.py`` calls, in its order:

* :func:`k_sweep`, :func:`k_criterion` -- MF's latent dimension k on a training subsample, and the
  two parts of the criterion of ``setting.mf_k`` (criteria.yaml);
* :func:`rank_study` -- MF's rank where it can bind (MMLU-Pro's 29 real models) beside the
  simulator, with :func:`rank_values` and :func:`rank_finding` for ``hyper.mf_rank_matters``;
* :func:`threshold_sweep`, :func:`threshold_criterion` -- the cascade's confidence threshold, and
  :func:`cascade_on_real` (why the threshold cannot be tuned on real outcomes);
* :func:`signal_study` -- each router's gain over the best single model as the simulator's
  feature signal or confidence AUC varies;
* :func:`split_study` -- the stratified against a plain random 80/20 split;
* :func:`ledger_entries` -- the keyword arguments of the three ledger records.

RS and its per-query terms are unitless (global normalisation on the scored rows' own cost range,
as the evaluation protocol scores a test set); costs are given relative to GPT-4o's. Values for the
prose come as ready-to-glue dicts: a plain value, or a ``(value, format)`` pair to glue as
formatted text ("n/a" when missing). Tolerances and rules are read from ``criteria.yaml``.
"""

from __future__ import annotations

import time

import numpy as np
import pandas as pd
from scipy import stats

from routerlab.book import plots, style
from routerlab.data import sources
from routerlab.data.simulate import DEFAULT_PARAMS, simulate
from routerlab.evaluation import rank_sweep as rsw
from routerlab.evaluation.protocol import difficulty_bins, evaluate, random_split, stratified_split, t_interval
from routerlab.metrics import rs_terms
from routerlab.reproduction import criteria
from routerlab.reproduction.criterion_clauses import clause_number, clauses_met
from routerlab.routing.routers import make_router

__all__ = ["STRONG", "K_GRID", "THRESHOLDS", "train_subsample", "query_terms", "fixed_terms", "paired_boot",
           "setting_values", "k_sweep", "k_table", "k_criterion", "k_values", "plot_k_sweep", "rank_study",
           "plot_mp_rank", "rank_values", "rank_finding", "threshold_sweep", "threshold_table",
           "threshold_criterion", "threshold_values", "plot_threshold_sweep", "cascade_on_real", "signal_study",
           "signal_table", "signal_values", "plot_signal", "split_study", "split_table", "split_values",
           "plot_split", "ledger_entries", "ledger_table"]

STRONG = "GPT-4o"
#: The latent dimensions of the sweep, and the cascade's thresholds (0, 0.05, ..., 1).
K_GRID = [2, 4, 8, 16, 32, 64, 128, 256]
THRESHOLDS = np.round(np.linspace(0.0, 1.0, 21), 2)
#: The low and the high threshold the text compares.
THR_LOW, THR_HIGH = 0.3, 0.9
#: The two parts of the criterion of ``setting.mf_k`` and of ``setting.cascade_threshold`` (clause
#: names in criteria.yaml).
MF_K_STABLE = "stable at k = 32 (within 0.005 of the best k)"
MF_K_OVERFITS = "too large a k overfits (RS(256) - RS(32) < -0.005, interval below 0, larger gap)"
THR_DIRECTION = "fallback rate and mean cost fall as the threshold rises"
THR_GOOD_07 = "RS at 0.7 within the seed interval of the best threshold"
CHEAP_POLICIES = [f"fixed:{STRONG}", "dataset-best", "cascade"]
POLICY_NAMES = {"mf": "MF (k = 32)", f"fixed:{STRONG}": f"{STRONG} (fixed)"}


def _holds(ok: bool) -> str:
    return "holds" if ok else "fails"


# ---- small measures ------------------------------------------------------------------------------
def train_subsample(bench, train_idx, n, seed):
    """A stratified (dataset x difficulty) subsample of ``n`` training rows (all if fewer): (n,)
    row indices of ``bench``."""
    if n >= len(train_idx):
        return train_idx
    _, picked = stratified_split(bench.rows(train_idx), test_size=n / len(train_idx), seed=seed)
    return train_idx[picked]


def query_terms(router, b):
    """(n,) per-query RS contributions of a fitted router on benchmark ``b`` (global normalisation
    on ``b``'s own cost range, as the evaluation protocol scores a test set)."""
    r = router.route(b.without_truth())
    return rs_terms(r.returned_quality(b.quality), r.paid(b.cost), b.cost)


def fixed_terms(b, model):
    """(n,) per-query RS contributions of always using ``model`` on ``b``."""
    j = b.model_index(model)
    return rs_terms(b.quality[:, j], b.cost[:, j], b.cost)


def paired_boot(diff, n_boot=1000, seed=0):
    """95% percentile interval (2,) of the mean of a (n,) per-query difference (bootstrap over queries)."""
    rng = np.random.default_rng(seed)
    means = np.array([diff[rng.integers(0, len(diff), len(diff))].mean() for _ in range(n_boot)])
    return np.percentile(means, [2.5, 97.5])


def setting_values(bench, splits: dict, n_seeds: int, k_seeds: int, n_train: int) -> dict:
    """Glue values of the setting: queries, splits, and the training and test set sizes."""
    return {"n_queries": bench.n_queries, "n_seeds": n_seeds, "k_seeds": min(k_seeds, n_seeds),
            "n_train_sweep": min(n_train, len(splits[0][0])), "n_train_full": len(splits[0][0]),
            "n_test": len(splits[0][1])}


# ---- the MF latent dimension k -------------------------------------------------------------------
def k_sweep(bench, splits: dict, seeds, n_train: int) -> dict:
    """MF for every k of :data:`K_GRID` on a stratified ``n_train``-row subsample of each split's
    training rows (``seeds``), scored on those rows and on the split's test rows.

    Returns ``runs`` (seed, k, train_rs, test_rs), ``table`` (mean per k with ``gap`` = train -
    test RS), ``test_terms`` {k: [(n_test,) per-query RS terms per split]}, ``fits`` {(seed, k):
    fitted router}, ``n_splits`` and ``seconds``.
    """
    t0 = time.perf_counter()
    rows, test_terms, fits = [], {k: [] for k in K_GRID}, {}
    for s in seeds:
        tr, te = splits[s]
        train_b, test_b = bench.rows(train_subsample(bench, tr, n_train, s)), bench.rows(te)
        for k in K_GRID:
            router = make_router("mf", seed=s, k=k).fit(train_b)
            fits[(s, k)] = router
            test_t = query_terms(router, test_b)
            test_terms[k].append(test_t)
            rows.append({"seed": s, "k": k, "train_rs": query_terms(router, train_b).mean(), "test_rs": test_t.mean()})
    seconds = time.perf_counter() - t0
    runs = pd.DataFrame(rows)
    table = runs.groupby("k")[["train_rs", "test_rs"]].mean()
    table["gap"] = table["train_rs"] - table["test_rs"]
    return {"runs": runs, "table": table, "test_terms": test_terms, "fits": fits, "n_splits": len(seeds),
            "seconds": seconds}


def k_table(ks: dict):
    """Styler: MF's RS on its training and test queries and their gap, per k."""
    return style.table(ks["table"].rename(columns={"train_rs": "RS, training queries", "test_rs": "RS, test queries",
                                                   "gap": "gap (training − test)"}).rename_axis("latent dimension k"),
                       caption=f"MF's RS by latent dimension k (mean over {ks['n_splits']} splits, simulated data)")


def k_criterion(ks: dict) -> dict:
    """The measures of ``setting.mf_k`` (``meas``): test RS of the best k minus k = 32's, the
    per-query paired difference RS(256) - RS(32) (``d_large`` (n,), ``d_large_ci`` its bootstrap
    interval), the train-test gaps; the verdict, whether each part holds and the best k."""
    table = ks["table"]
    d_large = np.concatenate(ks["test_terms"][256]) - np.concatenate(ks["test_terms"][32])
    d_large_ci = paired_boot(d_large, seed=2)
    meas = {"best_minus_k32": table["test_rs"].max() - table.loc[32, "test_rs"], "d256": d_large.mean(),
            "d256_hi": d_large_ci[1], "gap256": table.loc[256, "gap"], "gap32": table.loc[32, "gap"]}
    met = clauses_met("setting.mf_k", meas)
    return {"d_large": d_large, "d_large_ci": d_large_ci, "meas": meas, "best_k": int(table["test_rs"].idxmax()),
            "stable": met[MF_K_STABLE], "overfits": met[MF_K_OVERFITS],
            "verdict": criteria.judge("setting.mf_k", meas)[0]}


def k_values(ks: dict, kc: dict, n_models: int) -> dict:
    """Glue values of the k sweep (RS at chosen k, gaps, the paired difference, the verdict)."""
    t = ks["table"]
    return {"k_best": kc["best_k"], "k_best_minus32": t["test_rs"].max() - t.loc[32, "test_rs"],
            "k_tol": clause_number("setting.mf_k", MF_K_STABLE), "k_rs32": t.loc[32, "test_rs"],
            "k_rs256": t.loc[256, "test_rs"], "k_rs2": t.loc[2, "test_rs"], "k_rs8": t.loc[8, "test_rs"],
            "k_spread8": float(np.ptp(t.loc[8:, "test_rs"])), "k_d256": kc["d_large"].mean(),
            "k_d256_lo": kc["d_large_ci"][0], "k_d256_hi": kc["d_large_ci"][1], "k_gap2": t.loc[2, "gap"],
            "k_gap8": t.loc[8, "gap"], "k_gap32": t.loc[32, "gap"], "k_gap256": t.loc[256, "gap"],
            "k_stable": _holds(kc["stable"]), "k_overfits": _holds(kc["overfits"]), "k_verdict": kc["verdict"],
            "k_seconds": ks["seconds"], "n_models": n_models}


def plot_k_sweep(ax, ks: dict, n_models: int) -> None:
    """MF's RS on training and test queries against k (log scale): mean and range over the splits."""
    lines = {}
    for col, label in (("train_rs", "training queries"), ("test_rs", "test queries")):
        wide = ks["runs"].pivot(index="seed", columns="k", values=col)[K_GRID].to_numpy()
        lines[label] = (wide.mean(axis=0), wide.min(axis=0), wide.max(axis=0))
    plots.plot_sweep(ax, K_GRID, lines, xlabel="latent dimension k (log scale)", ylabel="RS of MF",
                     logx=True, marks={"article: k = 32": 32, "k = number of models": n_models})


# ---- where the rank can bind ---------------------------------------------------------------------
def rank_study(bench, seeds, n_train: int, scale: float, data_dir=None) -> dict:
    """MF at k = 1 and k = the number of models on the simulator, and at k in {1, 2, 4, 8, 16,
    29} on MMLU-Pro (when found), on the whole training split and on an ``n_train``-row subsample
    (``rsw.mf_rank_sweep``). Also loads the RouterBench subset (for the cascade's note).

    Returns ``mp``, ``rb`` (benchmarks or None), ``sim_rank``/``sim_rank_sub`` and
    ``mp_rank``/``mp_rank_sub`` (long tables: seed, k, rs, n_train, ...; None without MMLU-Pro),
    ``mp_k`` (MMLU-Pro's grid or None), ``seeds`` and ``seconds``.
    """
    t0 = time.perf_counter()
    mp = sources.load_for_book("mmlu-pro", scale=scale, seed=0, data_dir=data_dir, min_per_dataset=300)
    rb = sources.load_for_book("routerbench-subset", scale=scale, seed=0, data_dir=data_dir, min_per_dataset=300)
    sim_all = rsw.mf_rank_sweep(bench, [1, bench.n_models], seeds, subsample=(n_train, [1, bench.n_models]))
    out = {"mp": mp, "rb": rb, "sim_rank": sim_all[sim_all["training"] == "split"],
           "sim_rank_sub": sim_all[sim_all["training"] == "subsample"], "mp_k": None, "mp_rank": None,
           "mp_rank_sub": None, "seeds": list(seeds)}
    if mp is not None:
        out["mp_k"] = sorted({1, 2, 4, 8, 16, mp.n_models})
        mp_all = rsw.mf_rank_sweep(mp, out["mp_k"], seeds, subsample=(n_train, [1, mp.n_models]))
        out["mp_rank"], out["mp_rank_sub"] = (mp_all[mp_all["training"] == w] for w in ("split", "subsample"))
    out["seconds"] = time.perf_counter() - t0
    return out


def plot_mp_rank(ax, rank: dict) -> None:
    """MF's RS(k) - RS(k = 1) on MMLU-Pro, paired by split, with its t-interval ("data not found"
    panel without MMLU-Pro)."""
    if rank["mp"] is None:
        plots.plot_data_not_found(ax, title="MF on MMLU-Pro (estimated cost): data not found")
        return
    wide = rank["mp_rank"].pivot(index="seed", columns="k", values="rs")[rank["mp_k"]].to_numpy()
    gain = wide - wide[:, [0]]                                   # paired by split: RS(k) - RS(k = 1)
    lo, hi = t_interval(gain, axis=0) if len(gain) > 1 else (None, None)
    plots.plot_sweep(ax, rank["mp_k"], {"RS(k) - RS(k = 1), whole training split": (gain.mean(axis=0), lo, hi)},
                     xlabel="latent dimension k (log scale; 29 = number of models)",
                     ylabel="RS gain over k = 1 (estimated cost)", logx=True, reference=0.0,
                     reference_label="k = 1")
    ax.legend(loc="lower left")


def _status_line(b, title: str) -> str:
    if b is None:
        return f"{title}: data folder not found, so its results read n/a"
    return (f"{title}: found, {b.n_queries:,} queries x {b.n_models} models"
            + (", cost estimated from list prices" if b.cost_estimated else ", real cost"))


def _sign_text(v) -> str:
    if v[0] is None:
        return "cannot be measured here (data folder not found)"
    if v[1] is not None and np.isfinite(v[1]) and v[1] > 0:
        return "positive (interval above 0): the higher rank helps"
    if v[2] is not None and np.isfinite(v[2]) and v[2] < 0:
        return "negative (interval below 0): the higher rank hurts"
    return "not distinguishable from 0 (interval contains 0)"


def _rank_differences(rank: dict, n_models: int) -> dict:
    """{sim_rank_d, sim_rank_d_sub, mp_rank_d, mp_rank_d_sub}: (mean, lo, hi) of RS(k = number of
    models) - RS(k = 1) over the splits ((None,) * 3 without MMLU-Pro)."""
    mp, none = rank["mp"], (None, None, None)
    return {"sim_rank_d": rsw.rank_difference(rank["sim_rank"], n_models),
            "sim_rank_d_sub": rsw.rank_difference(rank["sim_rank_sub"], n_models),
            "mp_rank_d": rsw.rank_difference(rank["mp_rank"], mp.n_models) if mp is not None else none,
            "mp_rank_d_sub": rsw.rank_difference(rank["mp_rank_sub"], mp.n_models) if mp is not None else none}


def rank_values(rank: dict, n_models: int) -> dict:
    """Glue values of the rank study: status lines, the four rank differences with their signs in
    words, MMLU-Pro's RS by k and its plateau (within the ``setting.mf_k`` tolerance of the best
    rank), plain ``chk_*`` numbers for the notebook tests, and the time taken."""
    mp, diffs = rank["mp"], _rank_differences(rank, n_models)
    rank_tol = clause_number("setting.mf_k", MF_K_STABLE)   # "stops changing": within it of the best rank
    out = {"mp_status": _status_line(mp, "MMLU-Pro"), "rb_status": _status_line(rank["rb"], "RouterBench subset"),
           "k_seeds_m1": len(rank["seeds"]) - 1}
    for key, v in diffs.items():
        out.update({key: (v[0], "{:+.4f}"), f"{key}_lo": (v[1], "{:+.4f}"), f"{key}_hi": (v[2], "{:+.4f}")})
    mp_mean = rank["mp_rank"].groupby("k")["rs"].mean() if mp is not None else None
    plateau = rsw.plateau_rank(rank["mp_k"], mp_mean.loc[rank["mp_k"]].to_numpy(), rank_tol) if mp is not None else None
    sim_mean = rank["sim_rank"].groupby("k")["rs"].mean()
    out.update({
        "mp_k_grid": (", ".join(str(k) for k in rank["mp_k"]) if rank["mp_k"] else None, "{}"),
        "mp_n_train": (int(rank["mp_rank"]["n_train"].iloc[0]) if mp is not None else None, "{:,d}"),
        "mp_rs_k1": (mp_mean.loc[1] if mp is not None else None, "{:.4f}"),
        "mp_rs_km": (mp_mean.loc[mp.n_models] if mp is not None else None, "{:.4f}"),
        "mp_rs_best": (mp_mean.max() if mp is not None else None, "{:.4f}"),
        "mp_k_best": (int(mp_mean.idxmax()) if mp is not None else None, "{:d}"),
        "mp_plateau": (plateau if plateau is not None else None, "{:d}"),
        "mp_plateau_text": "n/a (data folder not found)" if mp is None else
        (f"from k = {plateau} on, RS stays within {rank_tol:g} of the best rank's" if plateau is not None
         else f"RS falls again at the largest rank, more than {rank_tol:g} below the best: no plateau"),
        "rank_tol": rank_tol,
        # plain numbers for the notebook tests' sanity ranges (NaN when MMLU-Pro is missing; not in the prose)
        "chk_mp_rank_d": diffs["mp_rank_d"][0] if mp is not None else float("nan"),
        "chk_mp_rs_k1": mp_mean.loc[1] if mp is not None else float("nan"),
        "chk_sim_rank_d": diffs["sim_rank_d"][0], "sim_rank_k1": sim_mean.loc[1],
        "sim_rank_km": sim_mean.loc[n_models]})
    for key in ("sim_rank", "mp_rank"):
        out[f"{key}_sign"] = _sign_text(diffs[f"{key}_d"])
    for key in ("sim_rank", "mp_rank"):
        out[f"{key}_sign_sub"] = _sign_text(diffs[f"{key}_d_sub"])
    out["rank_seconds"] = rank["seconds"]
    return out


def rank_finding(rank: dict, n_models: int, n_train: int) -> dict:
    """Keyword arguments ``sim`` and ``real`` of ``simcheck.record("hyper.mf_rank_matters", ...)``."""
    mp, d = rank["mp"], _rank_differences(rank, n_models)
    sim_d, sim_sub, mp_d, mp_sub = d["sim_rank_d"], d["sim_rank_d_sub"], d["mp_rank_d"], d["mp_rank_d_sub"]
    n = len(rank["seeds"])
    return {"sim": {"value": sim_d[0], "lo": sim_d[1], "hi": sim_d[2],
                    "note": f"RS(k = {n_models}) - RS(k = 1), MF on the whole training split, paired over "
                            f"{n} splits (t-interval); on a {n_train}-query training subsample: "
                            f"{sim_sub[0]:+.4f} [{sim_sub[1]:+.4f}, {sim_sub[2]:+.4f}]"},
            "real": {"mmlu-pro": {"value": None, "note": "data folder not found"} if mp is None else
                     {"value": mp_d[0], "lo": mp_d[1], "hi": mp_d[2],
                      "note": f"RS(k = {mp.n_models}) - RS(k = 1), MF on the whole training split, paired over "
                              f"{n} splits (t-interval); estimated cost; on a {n_train}-query "
                              f"training subsample: {mp_sub[0]:+.4f} [{mp_sub[1]:+.4f}, {mp_sub[2]:+.4f}]"}}}


# ---- the cascade threshold -----------------------------------------------------------------------
def threshold_sweep(bench, splits: dict, seeds) -> dict:
    """The cascade at every threshold of :data:`THRESHOLDS` on each split: ``runs`` (seed,
    threshold, rs, quality, cost_vs_gpt4o = mean cost / GPT-4o's, fallback_rate, gpt4o_share,
    calls = models called per query), ``table`` (mean per threshold), ``seconds``."""
    t0 = time.perf_counter()
    rows = []
    for s in seeds:
        tr, te = splits[s]
        train_b, test_b = bench.rows(tr), bench.rows(te)
        blind = test_b.without_truth()
        Q, C = test_b.quality, test_b.cost
        ref_cost = C[:, test_b.model_index(STRONG)].mean()
        for t in THRESHOLDS:
            router = make_router("cascade", seed=s, threshold=float(t)).fit(train_b)
            r = router.route(blind)
            paid, qual = r.paid(C), r.returned_quality(Q)
            rows.append({
                "seed": s, "threshold": t, "rs": rs_terms(qual, paid, C).mean(), "quality": qual.mean(),
                "cost_vs_gpt4o": paid.mean() / ref_cost, "fallback_rate": router.fallback_rate_,
                "gpt4o_share": float((r.choice == test_b.model_index(STRONG)).mean()),
                "calls": r.calls.sum(axis=1).mean()})
    seconds = time.perf_counter() - t0
    runs = pd.DataFrame(rows)
    return {"runs": runs, "table": runs.groupby("threshold").mean().drop(columns="seed"), "seconds": seconds}


def threshold_table(thr: dict, n_seeds: int):
    """Styler: the cascade's scores, cost, fallback rate, GPT-4o share and calls at every other threshold."""
    return (style.table(thr["table"].iloc[::2].rename(columns={
        "rs": "RS", "cost_vs_gpt4o": "cost / GPT-4o's", "fallback_rate": "fallback rate",
        "gpt4o_share": "answers from GPT-4o", "calls": "models called"}),
        formats={"models called": "{:.2f}"},
        caption=f"The cascade by confidence threshold (every other threshold of the grid; mean over {n_seeds} "
                "splits, simulated data)").format_index("{:.2f}"))


def _seed_band(thr: dict, col: str):
    """(mean, lo, hi) over the splits of ``col`` at each threshold, (21,) each (no interval: None)."""
    wide = thr["runs"].pivot(index="seed", columns="threshold", values=col)[THRESHOLDS].to_numpy()
    lo, hi = t_interval(wide, axis=0) if len(wide) > 1 else (None, None)
    return wide.mean(axis=0), lo, hi


def threshold_criterion(thr: dict) -> dict:
    """The measures of ``setting.cascade_threshold`` (``meas``: Spearman correlations of the
    fallback rate and the cost with the threshold, the best threshold's seed interval and RS at
    0.7), the verdict, each part of the criterion, the measured direction in words, and ``i_best``,
    ``i_07``, ``rs_mean`` (21,) for the text."""
    rho_fallback = stats.spearmanr(THRESHOLDS, thr["table"]["fallback_rate"]).statistic
    rho_cost = stats.spearmanr(THRESHOLDS, thr["table"]["cost_vs_gpt4o"]).statistic
    rs_mean, rs_lo, _ = _seed_band(thr, "rs")
    i_best = int(np.argmax(rs_mean))
    i_07 = int(np.flatnonzero(np.isclose(THRESHOLDS, 0.7))[0])
    meas = {"rho_fallback": rho_fallback, "rho_cost": rho_cost, "best_is_07": i_best == i_07,
            "no_seed_interval": rs_lo is None, "best_rs_lo": None if rs_lo is None else rs_lo[i_best],
            "rs_07": rs_mean[i_07]}
    met = clauses_met("setting.cascade_threshold", meas)
    direction = ("a higher threshold sends more queries up the cascade to the expensive models "
                 "(the audit's direction, the opposite of the article's)" if rho_fallback > 0 and rho_cost > 0
                 else "a lower threshold sends more queries to the expensive models (the article's direction)"
                 if met[THR_DIRECTION] else "no consistent direction")
    return {"meas": meas, "rho_fallback": rho_fallback, "rho_cost": rho_cost, "rs_mean": rs_mean, "i_best": i_best,
            "i_07": i_07, "good_07": met[THR_GOOD_07], "direction": direction,
            "verdict": criteria.judge("setting.cascade_threshold", meas)[0]}


def threshold_values(thr: dict, tc: dict) -> dict:
    """Glue values of the threshold sweep: the low and high thresholds compared, the correlations,
    the best threshold and 0.7, the verdict and the time taken."""
    t = thr["table"]
    lo, hi = t.loc[THR_LOW], t.loc[THR_HIGH]
    return {"thr_low": THR_LOW, "thr_high": THR_HIGH, "thr_fallback_low": lo["fallback_rate"],
            "thr_fallback_high": hi["fallback_rate"], "thr_cost_low_rel": lo["cost_vs_gpt4o"],
            "thr_cost_high_rel": hi["cost_vs_gpt4o"], "thr_gpt4o_low": lo["gpt4o_share"],
            "thr_gpt4o_high": hi["gpt4o_share"], "thr_rho_fallback": tc["rho_fallback"],
            "thr_rho_cost": tc["rho_cost"], "thr_direction": tc["direction"], "thr_best": THRESHOLDS[tc["i_best"]],
            "thr_best_rs": tc["rs_mean"][tc["i_best"]], "thr_rs07": tc["rs_mean"][tc["i_07"]],
            "thr_q07": t.loc[0.7, "quality"], "thr_fallback07": t.loc[0.7, "fallback_rate"],
            "thr_cost07": t.loc[0.7, "cost_vs_gpt4o"], "thr_cost1": t.loc[1.0, "cost_vs_gpt4o"],
            "thr_good07": "is" if tc["good_07"] else "is not", "thr_verdict": tc["verdict"],
            "thr_seconds": thr["seconds"]}


def plot_threshold_sweep(axes, thr: dict) -> None:
    """(a) RS and quality, (b) fallback rate, GPT-4o share and cost relative to GPT-4o's, against
    the threshold: mean and seed interval over the splits."""
    def band(col):
        return _seed_band(thr, col)

    plots.plot_sweep(axes[0], THRESHOLDS, {"RS": band("rs"), "quality": band("quality")},
                     xlabel="", ylabel="score on the test queries", marks={"article: 0.7": 0.7})
    plots.plot_sweep(axes[1], THRESHOLDS, {"fallback rate": band("fallback_rate"),
                                           "answers from GPT-4o": band("gpt4o_share"),
                                           "mean cost / GPT-4o's": band("cost_vs_gpt4o")},
                     xlabel="confidence threshold", ylabel="share", marks={"article: 0.7": 0.7},
                     reference=1.0, reference_label="GPT-4o's cost")
    axes[0].set_title("(a) scores", loc="left")
    axes[1].set_title("(b) where the queries end up, and what they cost", loc="left")


def cascade_on_real(rb, mp, tc: dict, n_seeds: int) -> tuple[dict, dict]:
    """(glue values, keyword arguments of ``simcheck.record("hyper.cascade_threshold", ...)``):
    whether the best threshold is interior, and why the real outcomes cannot say."""
    i_best = tc["i_best"]
    interior = 0 < i_best < len(THRESHOLDS) - 1
    if rb is None:
        note = "data folder not found"
        text = "The RouterBench subset was not found here, so nothing could be checked."
    elif rb.confidence is None:
        note = ("no response confidence in the data: RouterBench's files hold each model's 0/1 score, "
                "its cost and its response text, but no log-probabilities or self-reported confidence, "
                "so a confidence-threshold cascade cannot be run")
        text = ("RouterBench's files (the subset found here) hold each model's score, its cost and "
                "its response text, but no log-probabilities or any other confidence"
                + (", and MMLU-Pro's outcomes have none either" if mp is not None and mp.confidence is None else "")
                + "; a cascade that thresholded a made-up confidence would measure the made-up signal, not the router.")
    else:
        note = "the loader provides a confidence field, but this chapter has not validated it as a response confidence"
        text = ("The RouterBench loader provides a confidence field, but it has not been validated "
                "as a response confidence, so it is not used.")
    finding = {"sim": {"value": bool(interior),
                       "note": f"best RS at threshold {THRESHOLDS[i_best]:.2f} of "
                               f"{THRESHOLDS[0]:.2f}..{THRESHOLDS[-1]:.2f} (seed means over {n_seeds} splits)"},
               "real": {"routerbench-subset": {"value": None, "note": note}}}
    return {"cascade_real_text": text,
            "thr_interior_text": "is interior" if interior else "is at the edge of the grid"}, finding


# ---- how much signal the routers get -------------------------------------------------------------
def _gain_row(b, router_name: str, seed: int, n_train: int, **opts) -> dict:
    """One stratified split of ``b``: the router's test RS, the best single model's, the gain with
    its paired bootstrap interval, and the oracle's RS."""
    tr, te = stratified_split(b, 0.2, seed)
    sub = train_subsample(b, tr, n_train, seed) if router_name == "mf" else tr
    test_b = b.rows(te)
    router = make_router(router_name, seed=seed, **opts).fit(b.rows(sub))
    terms = query_terms(router, test_b)
    single = np.column_stack([fixed_terms(test_b, mo) for mo in b.model_names])
    best = single[:, single.mean(axis=0).argmax()]
    lo, hi = paired_boot(terms - best, seed=3)
    return {"rs": terms.mean(), "best_single_rs": best.mean(), "gain": (terms - best).mean(),
            "gain_lo": lo, "gain_hi": hi, "n_queries": b.n_queries,
            "oracle_rs": single.max(axis=1).mean()}


def signal_study(scale: float, signal_scale: float, seed: int, n_train: int) -> dict:
    """MF (k = 32) as the feature signal varies and the cascade (threshold 0.7) as the confidence
    AUC varies, one re-simulated benchmark of scale min(scale, signal_scale) per point: ``signal``
    (router, knob, value, rs, best_single_rs, gain, gain_lo, gain_hi, n_queries, oracle_rs),
    ``scale`` and ``seconds``."""
    feature_signal = sorted({0.0, 0.1, DEFAULT_PARAMS.feature_signal, 0.6, 0.9})
    confidence_auc = sorted({0.55, 0.65, DEFAULT_PARAMS.confidence_auc, 0.85, 0.95})
    t0 = time.perf_counter()
    sig_scale = min(scale, signal_scale)
    rows = []
    for f in feature_signal:
        b = simulate(scale=sig_scale, seed=seed, feature_signal=f)
        rows.append(dict(router="mf", knob="feature_signal", value=f, **_gain_row(b, "mf", seed, n_train, k=32)))
    for auc in confidence_auc:
        b = simulate(scale=sig_scale, seed=seed, confidence_auc=auc)
        rows.append(dict(router="cascade", knob="confidence_auc", value=auc,
                         **_gain_row(b, "cascade", seed, n_train, threshold=0.7)))
    return {"signal": pd.DataFrame(rows), "scale": sig_scale, "seconds": time.perf_counter() - t0}


def signal_table(sig: dict):
    """Styler: each grid point's RS, the best single model's and the gain with its interval."""
    signal = sig["signal"]
    return style.table(pd.DataFrame({
        "router": signal["router"].map({"mf": "MF", "cascade": "cascade"}),
        "setting": [f"{'feature signal' if r.knob == 'feature_signal' else 'confidence AUC'} {r.value:.3g}"
                    for r in signal.itertuples()],
        "RS": signal["rs"], "best single model's RS": signal["best_single_rs"],
        "gain over the best single model [95% interval]": [
            style.interval_text(r.gain, r.gain_lo, r.gain_hi) for r in signal.itertuples()]}),
        hide_index=True,
        caption=f"MF (k = 32) and the cascade (threshold 0.7): gain over the best single model as the signal "
                f"varies (one split of {int(signal['n_queries'].iloc[0]):,} simulated queries per row; paired "
                "bootstrap intervals)")


def _by_router(sig: dict) -> tuple[pd.DataFrame, pd.DataFrame]:
    signal = sig["signal"]
    return (signal[signal["router"] == "mf"].set_index("value"),
            signal[signal["router"] == "cascade"].set_index("value"))


def signal_values(sig: dict) -> dict:
    """Glue values of the signal study: the gains at chosen points, the defaults, and the spread of
    the best single model's and the oracle's RS over the grid (0: the knobs leave outcomes alone)."""
    signal, (mf, cas) = sig["signal"], _by_router(sig)
    return {"signal_scale": sig["scale"], "sig_default_signal": DEFAULT_PARAMS.feature_signal,
            "sig_default_auc": DEFAULT_PARAMS.confidence_auc, "signal_n_queries": int(signal["n_queries"].iloc[0]),
            "sig_mf_gain0": mf.loc[0.0, "gain"], "sig_mf_gain0_lo": mf.loc[0.0, "gain_lo"],
            "sig_mf_gain0_hi": mf.loc[0.0, "gain_hi"],
            "sig_mf_gain_default": mf.loc[DEFAULT_PARAMS.feature_signal, "gain"],
            "sig_mf_gain09": mf.loc[0.9, "gain"], "sig_cas_gain_low": cas.loc[0.55, "gain"],
            "sig_cas_gain_default": cas.loc[DEFAULT_PARAMS.confidence_auc, "gain"],
            "sig_cas_gain_high": cas.loc[0.95, "gain"], "sig_best_single": signal["best_single_rs"].iloc[0],
            "sig_best_single_spread": float(np.ptp(signal["best_single_rs"])),
            "sig_oracle_spread": float(np.ptp(signal["oracle_rs"])), "sig_oracle": signal["oracle_rs"].iloc[0],
            "sig_seconds": sig["seconds"]}


def plot_signal(axes, sig: dict) -> None:
    """(a) MF's gain against the feature signal, (b) the cascade's against the confidence AUC, with
    paired bootstrap bands and the simulator's defaults marked."""
    mf, cas = _by_router(sig)
    for ax, (name, tab, xlabel, mark) in zip(axes, (
            ("MF (k = 32)", mf, "feature signal (share of the features' variance that is signal)",
             {"calibrated": DEFAULT_PARAMS.feature_signal}),
            ("cascade (threshold 0.7)", cas, "confidence AUC (how well confidences separate right from wrong)",
             {"assumed": DEFAULT_PARAMS.confidence_auc}))):
        plots.plot_sweep(ax, tab.index, {name: (tab["gain"], tab["gain_lo"], tab["gain_hi"])},
                         xlabel=xlabel, ylabel="RS gain over\nthe best single model", reference=0.0,
                         reference_label="best single model", marks=mark)
    axes[0].set_title("(a) MF: what the query features carry", loc="left")
    axes[1].set_title("(b) cascade: what the confidences carry", loc="left")


# ---- stratified or plain random split ------------------------------------------------------------
def _split_diff(runs: pd.DataFrame, policy: str) -> tuple[float, float, float]:
    """Mean RS stratified - random for ``policy`` with a 95% interval (t on n_a + n_b - 2 dof)."""
    a = runs.query("split == 'stratified' and policy == @policy")["rs"].to_numpy()
    b = runs.query("split == 'random' and policy == @policy")["rs"].to_numpy()
    d = a.mean() - b.mean()
    if len(a) < 2:
        return d, np.nan, np.nan
    se = np.sqrt(a.var(ddof=1) / len(a) + b.var(ddof=1) / len(b))
    half = stats.t.ppf(0.975, max(len(a) + len(b) - 2, 1)) * se
    return d, d - half, d + half


def split_study(bench, splits: dict, seeds, n_train: int, cache_dir, mf_fits: dict) -> dict:
    """The stratified split's share check (``share_ok``, ``meas`` and ``verdict`` of
    ``setting.split``) and the test RS of GPT-4o fixed, dataset-best, the cascade and MF (k = 32 on
    an ``n_train``-row subsample; the k sweep's fits reused) under the stratified and a random
    split: ``runs`` (split, policy, seed, rs), ``table`` (mean and std per policy and split),
    ``diffs`` (stratified - random with interval, per policy), ``seconds``."""
    t0 = time.perf_counter()
    strata = bench.dataset_codes.astype(np.int64) * (bench.n_models + 1) + difficulty_bins(bench.quality)
    sizes = np.bincount(strata)
    deviation = {s: np.abs(np.bincount(strata[splits[s][1]], minlength=len(sizes)) - 0.2 * sizes) for s in seeds}
    rows = []
    for kind in ("stratified", "random"):
        res = evaluate(bench, CHEAP_POLICIES, seeds=seeds, split=kind, bootstrap=0, cache_dir=cache_dir)
        rows += [{"split": kind, "policy": row.policy, "seed": row.seed, "rs": row.rs}
                 for row in res.per_seed.itertuples()]
        for s in seeds:
            tr, te = splits[s] if kind == "stratified" else random_split(bench, 0.2, s)
            fit = mf_fits.get((s, 32)) if kind == "stratified" else None
            if fit is None:
                fit = make_router("mf", seed=s, k=32).fit(bench.rows(train_subsample(bench, tr, n_train, s)))
            rows.append({"split": kind, "policy": "mf", "seed": s, "rs": query_terms(fit, bench.rows(te)).mean()})
    seconds = time.perf_counter() - t0
    runs = pd.DataFrame(rows)
    diffs = pd.DataFrame([dict(zip(("diff", "lo", "hi"), _split_diff(runs, p)), policy=p)
                          for p in ["mf"] + CHEAP_POLICIES]).set_index("policy")
    meas = {"max_stratum_deviation": max(float(dev.max()) for dev in deviation.values())}
    return {"share_ok": all(bool(np.all(dev <= 1.0)) for dev in deviation.values()), "runs": runs,
            "table": runs.pivot_table(index="policy", columns="split", values="rs", aggfunc=["mean", "std"],
                                      sort=False),
            "diffs": diffs, "meas": meas, "verdict": criteria.judge("setting.split", meas)[0], "seconds": seconds}


def split_table(sp: dict, n_seeds: int):
    """Styler: mean RS ± its standard deviation over the seeds under each split, and the difference."""
    table, diffs = sp["table"], sp["diffs"]

    def mean_sd(policy, kind):
        m, s = table.loc[policy, ("mean", kind)], table.loc[policy, ("std", kind)]
        return f"{m:.3f}" + ("" if np.isnan(s) else f" ± {s:.3f}")

    return style.table(pd.DataFrame({
        "RS, stratified split": [mean_sd(p, "stratified") for p in table.index],
        "RS, random split": [mean_sd(p, "random") for p in table.index],
        "stratified − random [95% Welch interval]": [
            style.interval_text(*diffs.loc[p, ["diff", "lo", "hi"]]) for p in table.index]},
        index=table.index).rename(index=POLICY_NAMES).rename_axis("policy"),
        caption=f"Stratified against plain random 80/20 splits: mean RS ± its standard deviation over the "
                f"{n_seeds} seeds, and the difference of the means (simulated data)")


def split_values(sp: dict) -> dict:
    """Glue values of the split comparison: the share check, MF's and GPT-4o's differences and
    standard deviations, the largest difference, the verdict and the time taken."""
    diffs, sd, gpt = sp["diffs"], sp["runs"].groupby(["policy", "split"])["rs"].std(), f"fixed:{STRONG}"
    return {"split_share_ok": _holds(sp["share_ok"]),
            "split_mf_zero": "contains" if diffs.loc["mf", "lo"] <= 0 <= diffs.loc["mf", "hi"] else "excludes",
            "split_mf_diff": diffs.loc["mf", "diff"], "split_mf_lo": diffs.loc["mf", "lo"],
            "split_mf_hi": diffs.loc["mf", "hi"], "split_gpt_diff": diffs.loc[gpt, "diff"],
            "split_sd_mf_strat": sd.loc[("mf", "stratified")], "split_sd_mf_random": sd.loc[("mf", "random")],
            "split_sd_gpt_strat": sd.loc[(gpt, "stratified")], "split_sd_gpt_random": sd.loc[(gpt, "random")],
            "split_max_abs_diff": float(diffs["diff"].abs().max()), "split_verdict": sp["verdict"],
            "split_seconds": sp["seconds"]}


def plot_split(axes, sp: dict) -> None:
    """Test RS per seed under each split, for MF (``axes[0]``) and GPT-4o fixed (``axes[1]``)."""
    runs = sp["runs"]
    for ax, policy in zip(axes, ["mf", f"fixed:{STRONG}"]):
        mine = runs[runs["policy"] == policy]
        vals = {kind: mine[mine["split"] == kind].sort_values("seed")["rs"] for kind in ("stratified", "random")}
        plots.plot_seed_pairs(ax, vals, ylabel="test RS (one dot per seed)", join=False)
        ax.set_title(POLICY_NAMES[policy])


# ---- ledger --------------------------------------------------------------------------------------
def ledger_entries(kc: dict, tc: dict, thr: dict, sp: dict, n_train_sweep: int) -> dict:
    """{claim id: keyword arguments of ``ledger.record`` but the chapter} for ``setting.mf_k``,
    ``setting.cascade_threshold`` and ``setting.split``: measured values, ours and a note."""
    lo, hi = thr["table"].loc[THR_LOW], thr["table"].loc[THR_HIGH]
    diffs = sp["diffs"]
    return {
        "setting.mf_k": dict(ours=float(kc["d_large"].mean()), lo=float(kc["d_large_ci"][0]),
                             hi=float(kc["d_large_ci"][1]), measured=kc["meas"],
                             note=f"ours: test RS(256) - RS(32); best k = {kc['best_k']}; "
                                  f"stable {_holds(kc['stable'])}, overfitting {_holds(kc['overfits'])} "
                                  f"(MF on {n_train_sweep} training queries)"),
        "setting.cascade_threshold": dict(
            ours=f"fallback rate {lo['fallback_rate']:.3f} at {THR_LOW} -> "
                 f"{hi['fallback_rate']:.3f} at {THR_HIGH}; best RS at {THRESHOLDS[tc['i_best']]:.2f}",
            measured=tc["meas"], note=f"Spearman: fallback {tc['rho_fallback']:+.2f}, cost {tc['rho_cost']:+.2f}"),
        "setting.split": dict(ours=float(diffs.loc["mf", "diff"]), lo=float(diffs.loc["mf", "lo"]),
                              hi=float(diffs.loc["mf", "hi"]), measured=sp["meas"],
                              note="ours: MF RS, stratified minus plain random split (no verdict attached)")}


def ledger_table(entries) -> object:
    """Styler: claim, measured value, interval and verdict of the recorded ledger entries."""
    return style.table(pd.DataFrame(entries)[["id", "ours", "lo", "hi", "verdict"]].rename(
        columns={"id": "claim", "ours": "measured", "lo": "95% low", "hi": "95% high"}),
        hide_index=True, na="—")
