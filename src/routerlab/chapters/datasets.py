"""Chapter 04, "Datasets" (``notebooks/04_datasets.py``): chapter 03's evaluation broken down by
dataset, the four per-dataset claims, the two correlations across datasets, the learning-curve
experiment, the same measures on real outcomes, and the hand-over to the ledger and the findings.

Conventions. A benchmark has k datasets (k = 12 on RouterBench-Sim, 14 on each real source).
Per-dataset tables are indexed by dataset in the benchmark's order. RS, quality and shares of
queries are unitless in [0, 1] (an RS difference can be negative); "rows" count queries;
``*_seconds`` are wall-clock seconds. Every interval is a 95% interval: a t-interval over the
splits (seeds) or a Fisher-z interval across datasets. The thresholds of the criteria are read from
``routerlab/reproduction/criteria.yaml``; the notebook glues what the functions here return.
"""

from __future__ import annotations

import ast
import time
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from matplotlib.patches import Patch

from routerlab.book import plots, style
from routerlab.book.glue import plain
from routerlab.data import sources
from routerlab.data.benchmark import Benchmark
from routerlab.data.catalog import DATASET_NAMES, MODEL_NAMES
from routerlab.data.splits import stratified_split
from routerlab.errors import RouterlabError
from routerlab.evaluation import analysis as an
from routerlab.evaluation.protocol import EvaluationResult, book_evaluation, evaluate
from routerlab.reproduction import criteria, ledger
from routerlab.reproduction import findings as simcheck

__all__ = ["CHAPTER", "Simulated", "RealOutcomes", "criteria_glue", "by_dataset", "overview_table",
           "plot_rs_heatmap", "plot_shares", "overrouting_table", "dataset_claims", "plot_gain_gap",
           "correlations", "corr_table", "correlation_claims", "plot_corr_scatter", "learning_curves",
           "plot_learning_curves", "causal_table", "real_outcomes", "real_glue", "real_dataset_tables",
           "plot_real_gains", "real_corr_table", "plot_real_corr", "real_corr_glue", "caveat", "record_claims",
           "versus_dataset_best", "dsb_glue"]

CHAPTER = "04_datasets"
CHEAP, STRONG = MODEL_NAMES[0], MODEL_NAMES[-1]   # Llama-3-8B-Instruct, GPT-4o
HARD = ("GPQA", "MuSR")                          # the datasets the claims name
EASY = ("ARC-Challenge", "HellaSwag")
REAL = {"llmrouter": "LLMRouter", "mmlu-pro": "MMLU-Pro"}
#: the query-blind, task-aware baseline (per dataset, the model with the best training RS)
DSB = "dataset-best"
KEY = {"llmrouter": "llm", "mmlu-pro": "mmlu"}   # glue-key prefix of each real source
LEVEL = 0.95                                      # every interval of the chapter
#: Words of the text, not criteria: the r of the interval example, "much larger" datasets (times
#: the median training rows), "hardly uses" a model (share of queries), "about as well as" (RS).
CI_EXAMPLE_R, BIG_FACTOR, CHEAP_SMALL, SMALL_GAIN = 0.7, 5, 0.01, 0.02
NOWRAP = [{"selector": "td", "props": "white-space: nowrap;"}]
NOT_FOUND = "data folder not found"
POLICY_NAMES = {"random": "Random", "round-robin": "Round-robin", "mf": "MF (matrix factorisation)",
                "knn": "kNN", "mlp": "MLP", "bert-cls": "BERT classifier", "seq-cls": "Sequence classifier",
                "causal-lm": "Causal-LM router", "cascade": "Cascade", "frugalgpt": "FrugalGPT",
                "dataset-best": "Dataset-best", "oub": "Oracle (OUB)", "qoub": "QOUB", "coub": "COUB"}
Y_LABEL = {"gain": "MF gain over best single", "rs": "MF RS", "headroom": "oracle headroom (control)"}


def _bound(claim_id: str, name: str):
    """The number a formula of ``claim_id`` in criteria.yaml compares ``name`` with (4 in ``x <= 4``)."""
    entry = criteria.criterion(claim_id)
    for group in criteria.KEYS[2:]:
        for expr in (entry.get(group) or {}).values():
            for node in ast.walk(ast.parse(expr, mode="eval")):
                if (isinstance(node, ast.Compare) and isinstance(node.left, ast.Name) and node.left.id == name
                        and isinstance(node.comparators[0], ast.Constant)):
                    return node.comparators[0].value
    raise RouterlabError(f"criteria.yaml: no formula of {claim_id} compares {name!r} with a number")


TOP_EASY = _bound("dataset.easy", "arc_challenge_gain_rank")   # MF's gain ranks in the top 4
TOP_GSM8K = _bound("dataset.gsm8k", "gsm_gap_rank")            # MF's gap to the oracle among the 3 smallest
FAR = _bound("dataset.gsm8k", "gsm_lead")                      # GPT-4o's accuracy lead on GSM8K
#: The learning curves' rules (criteria.yaml, corr.train_size, readings): which datasets are cut
#: to the probe size, and when the measured change supports the causal reading.
_READINGS = criteria.criterion("corr.train_size")["readings"]
LARGE_ENOUGH = _READINGS["a dataset is large enough to be cut to the probe size"]
SUPPORTS = _READINGS["the learning curves support the causal reading"]


def article(claim_id: str) -> float:
    """The article's value of a claim (claims.yaml)."""
    return float(ledger.claim(claim_id)["value"])


def slug(name: str) -> str:
    """``"ARC-Challenge"`` -> ``"arc_challenge"`` (for glue keys)."""
    return "".join(c if c.isalnum() else "_" for c in name.lower())


def pname(p: str) -> str:
    """A policy's name for readers: "GPT-4o (fixed)", "MF (matrix factorisation)", ..."""
    return f"{p.removeprefix('fixed:')} (fixed)" if p.startswith("fixed:") else POLICY_NAMES.get(p, p)


def _text(value, fmt: str = "{:.3f}", missing: str = "n/a") -> str:
    """``value`` as :func:`routerlab.book.glue.glue_formatted` writes it (``missing`` for None/NaN)."""
    v = plain(value)
    return missing if v is None or (isinstance(v, float) and not np.isfinite(v)) else fmt.format(v)


def _p_text(p: float) -> str:
    return "n/a" if not np.isfinite(p) else "< 0.001" if p < 0.001 else f"{p:.3f}"


def _seed_mean(df, index, columns, values):
    return df.pivot_table(index=index, columns=columns, values=values, aggfunc="mean", sort=False)


def _readable(ax):
    """Annotations of plots.plot_heatmap at 9 pt (it writes them smaller)."""
    for t in ax.texts:
        t.set_fontsize(9)


def criteria_glue() -> dict:
    """The numbers the criteria section names: thresholds, level, article values, an interval example."""
    n = len(DATASET_NAMES)
    lo, hi = an.fisher_interval(CI_EXAMPLE_R, n)
    return {"top_easy": TOP_EASY, "top_gsm8k": TOP_GSM8K, "far": FAR, "ci_level": LEVEL, "n_datasets": n,
            "r_size_article": article("corr.train_size"), "r_diff_article": article("corr.difficulty"),
            "ci_example_r": CI_EXAMPLE_R, "ci_example_lo": lo, "ci_example_hi": hi}


# ---- the simulator, by dataset ----------------------------------------------------------------
@dataclass
class Simulated:
    """Chapter 03's evaluation of RouterBench-Sim per dataset (k datasets; means over the seeds)."""

    bench: Benchmark              # RouterBench-Sim
    result: EvaluationResult      # its evaluation (book_evaluation: every policy, every seed)
    datasets: list                # (k,) names in the benchmark's order
    learned: list                 # policies that fit anything on the training rows
    routers: list                 # policies that do not read the answers
    rs_table: pd.DataFrame        # (k, policies but QOUB/COUB): RS per dataset
    n_test: pd.Series             # (k,) test rows (mean over splits)
    n_train: pd.Series            # (k,) training rows = dataset size - n_test
    difficulty: pd.Series         # (k,) 1 - mean quality over the dataset's queries and all models
    mf: pd.DataFrame              # (k, 6) MF's rs, gain_vs_best_single, gap_to_oracle, oracle_rs,
    #                               best_single_rs, quality (indexed by dataset, sorted by name)
    best_model: pd.Series         # (k,) the best single model on the test rows (most frequent over seeds)
    over: pd.DataFrame = field(repr=False)   # an.over_routing_verdicts of the learned routers


def by_dataset(bench: Benchmark, result: EvaluationResult) -> Simulated:
    """The per-dataset view of ``result`` (the evaluation of ``bench``), see :class:`Simulated`."""
    pdl = result.per_dataset
    datasets = list(bench.dataset_names)
    if len(datasets) != len(DATASET_NAMES):
        raise RouterlabError(f"expected {len(DATASET_NAMES)} datasets, the benchmark has {len(datasets)}")
    learned = [p for p in result.policies if result.policy_info[p]["learns"]]
    routers = [p for p in result.policies if not result.policy_info[p]["uses_truth"]]
    rs_table = _seed_mean(pdl, "dataset", "policy", "rs").loc[datasets, [p for p in result.policies
                                                                         if p not in ("qoub", "coub")]]
    n_test = pdl.groupby("dataset")["n_test"].mean().loc[datasets]
    own = pdl[pdl["policy"] == "mf"]
    return Simulated(
        bench, result, datasets, learned, routers, rs_table, n_test,
        n_train=(an.dataset_sizes(bench.datasets).loc[datasets] - n_test).rename("n_train"),
        difficulty=an.dataset_difficulty(bench.quality, bench.datasets).loc[datasets],
        mf=own.groupby("dataset")[["rs", "gain_vs_best_single", "gap_to_oracle", "oracle_rs", "best_single_rs",
                                   "quality"]].mean(),
        best_model=own.groupby("dataset")["best_single_model"].agg(lambda s: s.mode().iloc[0]),
        over=an.over_routing_verdicts(result, learned, cheap_model=CHEAP, reference=STRONG, level=LEVEL))


def overview_table(sim: Simulated):
    """{numref}`tbl-04-overview`: size, difficulty and the RS of MF, dataset-best (the query-blind,
    task-aware baseline), the oracle and the best single model."""
    mf = sim.mf
    t = pd.DataFrame({
        "test rows": sim.n_test.round().astype(int), "training rows": sim.n_train.round().astype(int),
        "difficulty": sim.difficulty, "MF RS": mf["rs"], f"{DSB} RS": sim.rs_table[DSB], "oracle RS": mf["oracle_rs"],
        "best single RS": mf["best_single_rs"], "best single model": sim.best_model}).loc[sim.datasets]
    return style.table(t)


def plot_rs_heatmap(ax, sim: Simulated) -> None:
    """RS of every policy (rows) on every dataset (columns)."""
    plots.plot_heatmap(ax, sim.rs_table.T.rename(index=pname), fmt="{:.2f}", colorbar_label="RS (mean over seeds)")
    _readable(ax)


def plot_shares(axes, sim: Simulated) -> None:
    """Two heatmaps (MF, oracle) of the share of each dataset's test queries sent to each model."""
    share_cols = [f"share:{m}" for m in sim.result.models]
    pdl = sim.result.per_dataset
    for ax, (p, title) in zip(axes, [("mf", "MF"), ("oub", "oracle (OUB)")]):
        long = pdl[pdl["policy"] == p].melt(id_vars=["dataset", "seed"], value_vars=share_cols, var_name="model",
                                            value_name="share")
        t = _seed_mean(long, "dataset", "model", "share").loc[sim.datasets, share_cols]
        plots.plot_heatmap(ax, t.rename(columns=lambda c: c.removeprefix("share:")).T, fmt="{:.2f}", vmin=0, vmax=1,
                           colorbar_label="share of queries")
        _readable(ax)
        ax.set_title(f"{title}: share of each dataset's queries per model")


# ---- the four per-dataset claims ----------------------------------------------------------------
def overrouting_table(sim: Simulated, every: bool = False):
    """Over-routing on GPQA and MuSR for readers: MF alone (by dataset), or every learned router."""
    t = sim.over[sim.over["dataset"].isin(HARD)]
    t = t if every else t[t["policy"] == "mf"]
    view = pd.DataFrame({
        "dataset": t["dataset"], "router": t["policy"].map(pname),
        "L8B share": t["cheap_share"], "oracle's L8B share": t["oracle_cheap_share"],
        "excess [95% CI]": [style.interval_text(v, lo, hi) for v, lo, hi in
                            zip(t["excess_cheap"], t["excess_cheap_lo"], t["excess_cheap_hi"])],
        "excess over L8B correct": t["excess_over_cheap_correct"],
        "quality loss": t["quality_loss"], "loss overall": t["overall_loss"],
        "over-routes": t["over_routes"].map({True: "yes", False: "no"})}).set_index(["dataset", "router"])
    if not every:
        return style.table(view.droplevel("router")).set_table_styles(NOWRAP, overwrite=False)
    return style.table(view).set_table_styles(NOWRAP, overwrite=False).set_caption(
        "Over-routing on GPQA and MuSR, every learned router (simulated; 95% seed intervals)")


def _over_row(sim: Simulated, policy: str, dataset: str) -> pd.Series:
    return sim.over[(sim.over["policy"] == policy) & (sim.over["dataset"] == dataset)].iloc[0]


def dataset_claims(sim: Simulated) -> tuple[dict, dict]:
    """``pitfall.overrouting``, ``dataset.hard``, ``dataset.easy``, ``dataset.gsm8k`` on the simulator.

    Returns (the values the text glues, {claim id: the simulated check for ``ledger.record``}); the
    verdicts come from :func:`routerlab.reproduction.criteria.judge`.
    """
    gpqa = sim.over[sim.over["dataset"] == "GPQA"].set_index("policy").loc[sim.learned]
    n_gpqa = int(gpqa["over_routes"].sum())
    mf_gpqa = _over_row(sim, "mf", "GPQA")
    overall = mf_gpqa["overall_loss"]
    meas = {"pitfall.overrouting": {
        "mf_excess_lo": mf_gpqa["excess_cheap_lo"], "mf_quality_loss": mf_gpqa["quality_loss"],
        "mf_overall_loss": overall, "n_over_routing": n_gpqa, "n_learned": len(sim.learned)}}
    meas["dataset.hard"] = {f"{slug(d)}_{m}": _over_row(sim, "mf", d)[col] for d in HARD
                            for m, col in (("excess_lo", "excess_cheap_lo"), ("quality_loss", "quality_loss"))}
    meas["dataset.hard"]["overall_loss"] = overall
    gain, gap = sim.mf["gain_vs_best_single"].loc[sim.datasets], sim.mf["gap_to_oracle"].loc[sim.datasets]
    gain_rank = {d: an.rank_in(gain, d) for d in EASY}
    meas["dataset.easy"] = {f"{slug(d)}_cheap_is_best": sim.best_model[d] == CHEAP for d in EASY} | \
        {f"{slug(d)}_gain_rank": gain_rank[d] for d in EASY}
    acc = sim.bench.accuracy_by_dataset().loc["GSM8K"]
    gsm_lead = float(acc[STRONG] - acc.drop(STRONG).max())
    gsm_rank = an.rank_in(gap, "GSM8K", ascending=True)
    meas["dataset.gsm8k"] = {"gsm_lead": gsm_lead, "gsm_gap_rank": gsm_rank}
    verdict = {cid: criteria.judge(cid, m)[0] for cid, m in meas.items()}
    easy_a, easy_b = (criteria.evaluate_expression(e, meas["dataset.easy"])
                      for e in criteria.criterion("dataset.easy")["reproduced_if_all"].values())
    out = {}
    for d in HARD:
        r, k = _over_row(sim, "mf", d), slug(d)
        out |= {f"mf_cheap_{k}": r["cheap_share"], f"oub_cheap_{k}": r["oracle_cheap_share"],
                f"mf_excess_{k}": r["excess_cheap"], f"mf_excess_{k}_lo": r["excess_cheap_lo"],
                f"mf_excess_{k}_hi": r["excess_cheap_hi"], f"mf_qloss_{k}": r["quality_loss"],
                f"mf_over_{k}": "yes" if r["over_routes"] else "no",
                f"mf_direction_{k}": "more often" if r["excess_cheap"] > 0 else "less often",
                f"mf_excess_alt_{k}": r["excess_over_cheap_correct"], f"cheap_acc_{k}": r["cheap_accuracy"]}
    share_all = sim.result.per_seed.groupby("policy")[f"share:{CHEAP}"].mean()
    out |= {"mf_qloss_all": overall, "mf_cheap_all": share_all["mf"], "oub_cheap_all": share_all["oub"],
            "n_learned_no_cheap": int((share_all.loc[sim.learned] < CHEAP_SMALL).sum()), "cheap_small": CHEAP_SMALL,
            "n_over_gpqa": n_gpqa, "verdict_pitfall": verdict["pitfall.overrouting"],
            "verdict_hard": verdict["dataset.hard"]}
    for d in EASY:
        out |= {f"gain_{slug(d)}": gain[d], f"gain_rank_{slug(d)}": gain_rank[d],
                f"best_model_{slug(d)}": sim.best_model[d]}
    out |= {"gain_max_dataset": gain.idxmax(), "gain_max": gain.max(), "gain_min_dataset": gain.idxmin(),
            "gain_min": gain.min(),
            "gain_words": f"on every dataset MF is within {SMALL_GAIN} RS of the best single model chosen with "
                          "hindsight, so per dataset it does about as well as, not better than, always using that "
                          "dataset's best model" if gain.abs().max() < SMALL_GAIN else
                          "the gains differ enough between datasets for the ranking to mean something",
            "verdict_easy": verdict["dataset.easy"], "easy_a": "holds" if easy_a else "does not hold",
            "easy_b": "holds" if easy_b else "does not hold", "gsm_lead": gsm_lead, "gsm_gap": gap["GSM8K"],
            "gsm_rank": gsm_rank, "gap_min_dataset": gap.idxmin(), "gap_min": gap.min(),
            "verdict_gsm8k": verdict["dataset.gsm8k"]}
    checks = {
        "pitfall.overrouting": dict(
            claim_id="pitfall.overrouting", ours=mf_gpqa["excess_cheap"], lo=mf_gpqa["excess_cheap_lo"],
            hi=mf_gpqa["excess_cheap_hi"], measured=meas["pitfall.overrouting"], chapter=CHAPTER,
            note=f"ours = MF's excess cheap share on GPQA; MF quality loss on GPQA {mf_gpqa['quality_loss']:.3f} vs "
                 f"{overall:.3f} overall; {n_gpqa} of {len(sim.learned)} learned routers over-route on GPQA"),
        "dataset.hard": dict(
            claim_id="dataset.hard", measured=meas["dataset.hard"], chapter=CHAPTER,
            ours="; ".join(f"{d}: excess cheap share {_over_row(sim, 'mf', d)['excess_cheap']:.3f}, quality loss "
                           f"{_over_row(sim, 'mf', d)['quality_loss']:.3f}" for d in HARD)),
        "dataset.easy": dict(
            claim_id="dataset.easy", measured=meas["dataset.easy"], chapter=CHAPTER,
            ours="; ".join(f"{d}: best single {sim.best_model[d]}, MF gain {gain[d]:.3f} (rank {gain_rank[d]} of "
                           f"{len(sim.datasets)})" for d in EASY)),
        "dataset.gsm8k": dict(
            claim_id="dataset.gsm8k", ours=float(gap["GSM8K"]), measured=meas["dataset.gsm8k"], chapter=CHAPTER,
            note=f"ours = MF's RS gap to the oracle on GSM8K (rank {gsm_rank} of {len(sim.datasets)}, smallest = "
                 f"{gap.idxmin()}); GPT-4o's accuracy lead on GSM8K {gsm_lead:.3f}")}
    return out, checks


def plot_gain_gap(axes, sim: Simulated) -> None:
    """Two bar charts over the datasets: MF's gain over the best single model, the oracle's RS minus MF's."""
    colors = ["C3" if d in HARD else "C2" if d in EASY else "C1" if d == "GSM8K" else "C0" for d in sim.datasets]
    for ax, (col, title) in zip(axes, [("gain_vs_best_single", "MF gain over the best single model"),
                                       ("gap_to_oracle", "oracle RS minus MF RS")]):
        ax.barh(sim.datasets, sim.mf[col].loc[sim.datasets], color=colors)
        ax.axvline(0, color="black", lw=0.8)
        ax.set_ylim(len(sim.datasets) - 0.5, -0.5)   # first dataset on top
        ax.set_title(title)
        ax.set_xlabel("RS difference")
        ax.grid(axis="x", alpha=0.3)
        ax.grid(axis="y", visible=False)
    axes[0].figure.legend(handles=[Patch(color="C2", label="easy"), Patch(color="C3", label="hard"),
                                   Patch(color="C1", label="GSM8K"), Patch(color="C0", label="other")],
                          loc="outside lower center", ncol=4)


# ---- the two correlations -------------------------------------------------------------------------
def correlations(sim: Simulated) -> pd.DataFrame:
    """Pearson r (an.pearson_ci) across the datasets of each policy's RS with training rows, log10
    training rows and difficulty: one row per (policy, x) with r, lo, hi, p, spearman."""
    rows = []
    for p in sim.routers + ["oub"]:
        y = sim.rs_table[p].loc[sim.datasets].to_numpy()
        for xname, x in [("training rows", sim.n_train.to_numpy()),
                         ("log10 training rows", np.log10(sim.n_train.to_numpy())),
                         ("difficulty", sim.difficulty.to_numpy())]:
            rows.append({"policy": p, "learns": sim.result.policy_info[p]["learns"], "x": xname,
                         **an.pearson_ci(x, y)})
    return pd.DataFrame(rows)


def corr_table(sim: Simulated, corr: pd.DataFrame, every: bool = False):
    """One row per policy (MF and the oracle, or every policy): r [95% CI] per x, then Spearman."""
    policies = sim.routers + ["oub"] if every else ["mf", "oub"]
    out = pd.DataFrame(index=pd.Index([pname(p) for p in policies], name="policy"))
    for xname in ("training rows", "log10 training rows", "difficulty"):
        c = corr[corr["x"] == xname].set_index("policy").loc[policies]
        out[f"r: {xname.replace('training ', '')} [95% CI]"] = [style.interval_text(v, lo, hi, digits=2)
                                                                for v, lo, hi in zip(c["r"], c["lo"], c["hi"])]
    for xname, short in (("training rows", "rows"), ("difficulty", "difficulty")):
        out[f"Spearman: {short}"] = corr[corr["x"] == xname].set_index("policy").loc[policies, "spearman"].to_numpy()
    t = style.table(out, digits=2).set_table_styles(NOWRAP, overwrite=False)
    if not every:
        return t
    return t.set_caption("Pearson r across datasets for every policy (simulated; 95% Fisher-z intervals)")


def _pick(corr: pd.DataFrame, policy: str, x: str) -> pd.Series:
    return corr[(corr["policy"] == policy) & (corr["x"] == x)].iloc[0]


def _corr_measures(c) -> dict:
    """What the correlation claims' criteria read (criteria.yaml)."""
    return {"r": c["r"], "r_lo": c["lo"], "r_hi": c["hi"]}


def _describe(c, article_value: float) -> str:
    """How an interval relates to 0 and to the article's value, in words."""
    zero = "excludes 0" if (c["lo"] > 0 or c["hi"] < 0) else "includes 0"
    art = "contains" if c["lo"] <= article_value <= c["hi"] else "excludes"
    strength = "stronger" if abs(c["r"]) > abs(article_value) else "weaker"
    return f"{zero} and {art} the article's value; our estimate is {strength} than the article's"


def correlation_claims(sim: Simulated, corr: pd.DataFrame) -> tuple[dict, dict]:
    """``corr.train_size`` and ``corr.difficulty`` on the simulator (MF's r): (glue values, checks)."""
    c = {"size": _pick(corr, "mf", "training rows"), "logsize": _pick(corr, "mf", "log10 training rows"),
         "diff": _pick(corr, "mf", "difficulty"), "oub_size": _pick(corr, "oub", "training rows"),
         "oub_diff": _pick(corr, "oub", "difficulty")}
    fixed_size = corr[corr["policy"].str.startswith("fixed:") & (corr["x"] == "training rows")]
    out = {}
    for key, row in c.items():
        out |= {f"r_{key}": row["r"], f"r_{key}_lo": row["lo"], f"r_{key}_hi": row["hi"], f"rho_{key}": row["spearman"]}
    n_train = sim.n_train
    out |= {"verdict_size": criteria.judge("corr.train_size", _corr_measures(c["size"]))[0],
            "size_words": _describe(c["size"], article("corr.train_size")),
            "diff_words": _describe(c["diff"], article("corr.difficulty")),
            "verdict_diff": criteria.judge("corr.difficulty", _corr_measures(c["diff"]))[0],
            "fixed_size_min": fixed_size["r"].min(), "big_factor": BIG_FACTOR,
            "big_datasets": ", ".join(n_train.index[n_train > BIG_FACTOR * n_train.median()]) or "none",
            "fixed_size_max": fixed_size["r"].max()}
    checks = {
        "corr.train_size": dict(
            claim_id="corr.train_size", ours=c["size"]["r"], lo=c["size"]["lo"], hi=c["size"]["hi"],
            measured=_corr_measures(c["size"]), chapter=CHAPTER,
            note=f"n = 12; Spearman {c['size']['spearman']:.3f}; with log10 rows r = {c['logsize']['r']:.3f}; the "
                 f"oracle, which learns nothing, has r = {c['oub_size']['r']:.3f}; see the learning curves"),
        "corr.difficulty": dict(
            claim_id="corr.difficulty", ours=c["diff"]["r"], lo=c["diff"]["lo"], hi=c["diff"]["hi"],
            measured=_corr_measures(c["diff"]), chapter=CHAPTER,
            note=f"n = 12; Spearman {c['diff']['spearman']:.3f}; oracle r = {c['oub_diff']['r']:.3f}")}
    return out, checks


def plot_corr_scatter(axes, sim: Simulated, corr: pd.DataFrame) -> None:
    """MF's RS per dataset against training rows (log scale, top) and difficulty (bottom)."""
    size, diff = _pick(corr, "mf", "training rows"), _pick(corr, "mf", "difficulty")
    plots.plot_labelled_scatter(
        axes[0], sim.n_train.to_numpy(), sim.rs_table["mf"].to_numpy(), sim.datasets, logx=True,
        xlabel="training rows of the dataset (log scale)", ylabel="MF RS on the dataset",
        annotation=f"r = {size['r']:.2f} [{size['lo']:.2f}, {size['hi']:.2f}] (raw rows)")
    plots.plot_labelled_scatter(
        axes[1], sim.difficulty.to_numpy(), sim.rs_table["mf"].to_numpy(), sim.datasets,
        xlabel="difficulty = 1 - mean quality over the six models",
        annotation=f"r = {diff['r']:.2f} [{diff['lo']:.2f}, {diff['hi']:.2f}]")


# ---- the learning curves -------------------------------------------------------------------------
def learning_curves(sim: Simulated, sizes, seeds: int) -> dict:
    """MF refitted with ``sizes`` training rows of one dataset (all others kept), per dataset, on
    splits ``0..seeds-1`` (an.learning_curve), and the causal test of the criteria (readings).

    Returns {"curves": (dataset, n_train) seed means of rs, quality, full; "causal": one row per
    dataset large enough for the test; "glue": the values the text glues; "datasets"}.
    """
    t0 = time.perf_counter()
    lc = []
    for s in range(seeds):
        tr, te = stratified_split(sim.bench, seed=s)
        lc.append(an.learning_curve(sim.bench.rows(tr), sim.bench.rows(te), sim.datasets, sizes=sizes, router="mf",
                                    seed=s))
    lc = pd.concat(lc, ignore_index=True)
    curves = lc.groupby(["dataset", "n_train"], sort=False)[["rs", "quality", "full"]].mean().reset_index()
    seconds = time.perf_counter() - t0

    slope, _ = np.polyfit(np.log10(sim.n_train.to_numpy()), sim.rs_table["mf"].to_numpy(), 1)
    big_enough = [x for x in sizes if any(criteria.evaluate_expression(LARGE_ENOUGH, {"full_rows": n, "probe": x})
                                          for n in sim.n_train)]   # at small scale, a smaller size
    probe = max(big_enough) if big_enough else min(sizes)
    predicted_col = "change predicted by the cross-dataset slope"
    rows = []
    for d in sim.datasets:
        cur = curves[curves["dataset"] == d].set_index("n_train")
        full_n = cur.index.max()
        if criteria.evaluate_expression(LARGE_ENOUGH, {"full_rows": full_n, "probe": probe}):
            rows.append({"dataset": d, "full rows": int(full_n), "RS all rows": cur.loc[full_n, "rs"],
                         f"RS {probe} rows": cur.loc[probe, "rs"],
                         "measured change": cur.loc[probe, "rs"] - cur.loc[full_n, "rs"],
                         predicted_col: slope * (np.log10(probe) - np.log10(full_n))})
    causal = pd.DataFrame(rows, columns=["dataset", "full rows", "RS all rows", f"RS {probe} rows",
                                         "measured change", predicted_col]).set_index("dataset")
    meas = causal["measured change"].mean() if len(causal) else float("nan")
    pred = causal[predicted_col].mean() if len(causal) else float("nan")
    drop = curves.groupby("dataset").apply(
        lambda t: float(t.loc[t["n_train"].idxmax(), "rs"] - t.loc[t["n_train"].idxmin(), "rs"]), include_groups=False)
    supported = criteria.evaluate_expression(SUPPORTS, {"measured": meas, "predicted": pred})
    glue = {"lc_seeds": seeds,
            "lc_sizes_text": ", ".join(str(x) for x in sizes[:-1]) + f" or {sizes[-1]}" if len(sizes) > 1
            else str(sizes[0]),
            "lc_probe": probe, "lc_slope": slope, "lc_n_big": len(causal), "lc_measured_mean": meas,
            "lc_predicted_mean": pred, "lc_drop_max": drop.max(), "lc_drop_max_dataset": drop.idxmax(),
            "lc_min_size": min(sizes), "lc_seconds": seconds,
            "lc_reading": "supported" if supported else "not supported",
            "lc_ratio": meas / pred if np.isfinite(meas) and np.isfinite(pred) and pred != 0 else float("nan")}
    return {"curves": curves, "causal": causal, "glue": glue, "datasets": sim.datasets}


def plot_learning_curves(axes, lc: dict) -> None:
    """One panel per dataset (a 4 x 3 grid of ``axes``): MF's RS against the dataset's training rows."""
    ds, curves = lc["datasets"], lc["curves"]
    for i, (ax, d) in enumerate(zip(axes.ravel(), ds)):
        plots.plot_learning_curves(ax, curves[curves["dataset"] == d], legend=False, ylabel="MF RS")
        ax.set_title(d, fontsize=10)
        ax.set_xlabel("training rows" if i >= len(ds) - 3 else "")
        if i % 3:
            ax.set_ylabel("")


def causal_table(lc: dict):
    """{numref}`tbl-04-causal`: the measured and the predicted change of RS per large dataset."""
    return style.table(lc["causal"].rename(columns={"change predicted by the cross-dataset slope":
                                                    "predicted change (cross-dataset slope)"}))


# ---- real outcomes --------------------------------------------------------------------------------
@dataclass
class RealOutcomes:
    """The real sources of the chapter and chapter 04's findings on them and on the simulator."""

    benches: dict        # source -> Benchmark, or None when its data folder is missing
    results: dict        # source -> EvaluationResult (sources found only)
    eval_seconds: dict   # source -> seconds to obtain its evaluation
    findings: dict       # source -> an.dataset_findings (sources found only)
    sim: dict            # an.dataset_findings of the simulator, for the comparison
    seconds: float       # the whole real-data part
    dsb: dict = field(default_factory=dict)   # "sim" or source -> versus_dataset_best(MF) per dataset


def real_outcomes(bench: Benchmark, result: EvaluationResult, scale: float, data_dir, n_seeds: int,
                  cache_dir) -> RealOutcomes:
    """Load LLMRouter and MMLU-Pro at ``scale`` and evaluate them: LLMRouter with chapter 03's
    book_evaluation (shared cache entry), MMLU-Pro with MF, dataset-best, the oracle and the fixed
    models in the roles of an.model_roles only; then an.dataset_findings of each and of the
    simulator, and MF against dataset-best per dataset (:func:`versus_dataset_best`)."""
    t_real = time.perf_counter()
    benches = {s: sources.load_for_book(s, scale=scale, seed=0, data_dir=data_dir, min_per_dataset=300) for s in REAL}
    results, seconds = {}, {}
    for s, b in benches.items():
        if b is None:
            continue
        t0 = time.perf_counter()
        if s == "llmrouter":
            results[s] = book_evaluation(b, n_seeds=n_seeds, cache_dir=cache_dir)
        else:
            roles = an.model_roles(b.quality, b.cost, b.model_names)
            needed = ["mf", DSB] + [f"fixed:{roles[k]}" for k in ("cheapest", "strongest", "most_expensive")] + ["oub"]
            results[s] = evaluate(b, list(dict.fromkeys(needed)), seeds=list(range(n_seeds)), normalization="global",
                                  split="stratified", test_size=0.2, bootstrap=0, cache_dir=cache_dir)
        seconds[s] = time.perf_counter() - t0
    found = {s: an.dataset_findings(results[s], benches[s]) for s in results}
    sim = an.dataset_findings(result, bench)
    dsb = {"sim": versus_dataset_best(result, bench)} | {s: versus_dataset_best(results[s], benches[s]) for s in results}
    return RealOutcomes(benches, results, seconds, found, sim, time.perf_counter() - t_real, dsb)


def versus_dataset_best(result: EvaluationResult, bench: Benchmark, policy: str = "mf") -> pd.DataFrame:
    """``policy``'s RS against dataset-best's on each dataset's test rows, indexed by dataset in
    ``bench.dataset_names`` order: ``dsb_rs`` (dataset-best's RS), ``gain`` (``policy``'s RS minus
    dataset-best's: the mean over the splits of the per-split differences, same RS yardstick as
    the per-dataset tables) with its 95% t-interval across splits ``gain_lo`` / ``gain_hi``, and
    ``dsb_model`` (the model dataset-best uses on the dataset, most frequent over splits).

    Dataset-best uses one model per dataset, chosen on the training rows, so on a dataset's test
    rows it never beats the best single model chosen there with hindsight: a gain over it is at
    least the gain over that model.
    """
    pdl = result.per_dataset
    own = pdl[pdl["policy"] == policy].set_index(["seed", "dataset"])
    base = pdl[pdl["policy"] == DSB].set_index(["seed", "dataset"])
    long = pd.DataFrame({"gain": own["rs"] - base["rs"].reindex(own.index), "dsb_rs": base["rs"].reindex(own.index)})
    summ = an.seed_summary(long.reset_index(), ["dataset"], ["gain", "dsb_rs"], LEVEL).set_index("dataset")
    shares = base[[f"share:{m}" for m in result.models]]
    model = shares.idxmax(axis=1).str.removeprefix("share:").groupby(level="dataset").agg(lambda v: v.mode().iloc[0])
    out = summ[["dsb_rs", "gain", "gain_lo", "gain_hi"]].assign(dsb_model=model)
    return out.reindex(list(bench.dataset_names))


def _by_key(real: RealOutcomes) -> list:
    """[(glue prefix, findings or None)] for the simulator and each real source."""
    return [("sim", real.sim)] + [(KEY[s], real.findings.get(s)) for s in REAL]


def real_glue(real: RealOutcomes, scale: float, data_dir, n_seeds: int) -> dict:
    """What the text says of each source: status, model roles, where MF gains (against dataset-best,
    :func:`dsb_glue`, and the best single model), the hard datasets."""
    n_real = {s: len(real.benches[s].dataset_names) for s in real.findings}
    out = dsb_glue(real) | {"n_seeds_minus_1": n_seeds - 1,
                            "n_real_datasets_text": f"{n_real['llmrouter']:d}" if "llmrouter" in n_real else "its"}
    for s in REAL:
        b, f, k = real.benches[s], real.findings.get(s), KEY[s]
        out[f"real_status_{slug(s)}"] = (
            f"{sources.status(s, data_dir).split(': ', 1)[1]}. Its numbers below read n/a and its figure panels "
            "say \"data not found\"." if b is None else
            f"found: {b.n_queries:,d} queries x {b.n_models} models, {len(b.dataset_names)} datasets (at this build's "
            f"scale {scale:g}), {'estimated' if b.cost_estimated else 'real'} cost.")
        roles = f["roles"] if f else {}
        out |= {f"{k}_{role}": _text(roles.get(role), "{}") for role in ("cheapest", "strongest", "most_expensive")}
        out[f"{k}_n_datasets"] = _text(n_real.get(s), "{:d}")
    for k, f in _by_key(real):
        t = None if f is None else f["table"]
        mf_over = None if f is None else f["over"].query("policy == 'mf'")
        out |= {f"{k}_n_gain_pos": _text(None if f is None else int((t["gain_lo"] > 0).sum()), "{:d}"),
                f"{k}_n_gain_neg": _text(None if f is None else int((t["gain_hi"] < 0).sum()), "{:d}"),
                f"{k}_gain_max_dataset": _text(None if f is None else t["gain"].idxmax(), "{}"),
                f"{k}_gain_max": _text(None if f is None else t["gain"].max()),
                f"{k}_gain_min_dataset": _text(None if f is None else t["gain"].idxmin(), "{}"),
                f"{k}_gain_min": _text(None if f is None else t["gain"].min())}
        for i in range(2):   # the two hardest datasets
            h = f["hard"][i] if f is not None else None
            row = t.loc[h] if f is not None else None
            over = f["over"].set_index(["policy", "dataset"]).loc[("mf", h)] if f is not None else None
            out[f"{k}_hard{i + 1}"] = _text(h, "{}")
            for col in ("difficulty", "none_right", "gain", "excess_cheap", "excess_cheap_lo", "excess_cheap_hi",
                        "excess_expensive", "excess_expensive_lo", "excess_expensive_hi"):
                out[f"{k}_hard{i + 1}_{col}"] = _text(None if row is None else row[col])
            out[f"{k}_hard{i + 1}_qloss"] = _text(None if over is None else over["quality_loss"])
            out[f"{k}_hard{i + 1}_over"] = _text(None if over is None else ("yes" if over["over_routes"] else "no"),
                                                 "{}")
        out |= {f"{k}_qloss_all": _text(None if f is None else mf_over["overall_loss"].iloc[0]),
                f"{k}_n_over": _text(None if f is None else int(mf_over["over_routes"].sum()), "{:d}"),
                f"{k}_n_excess_expensive": _text(None if f is None else int((t["excess_expensive_lo"] > 0).sum()),
                                                 "{:d}"),
                f"{k}_n_cheap_under": _text(None if f is None else int((t["excess_cheap_hi"] < 0).sum()), "{:d}")}
    return out


def real_dataset_tables(real: RealOutcomes, n_seeds: int) -> list:
    """One table per real source (an.dataset_display_table with, after MF's RS, dataset-best's model
    and RS and MF's RS minus dataset-best's [95% seed interval]), or a "data not found" line."""
    out = []
    for s, label in REAL.items():
        if s not in real.findings:
            out.append(pd.DataFrame({"": [f"{label}: data not found"]}).style.hide(axis="index"))
            continue
        t = an.dataset_display_table(real.findings[s])
        d = real.dsb[s]
        at = t.columns.get_loc("MF RS") + 1
        t.insert(at, f"MF minus {DSB} [95% CI]", [an.format_interval(v, lo, hi, "{:+.3f}") for v, lo, hi in
                                                  zip(d["gain"], d["gain_lo"], d["gain_hi"])])
        t.insert(at, f"{DSB} RS", [f"{x:.3f}" for x in d["dsb_rs"]])
        t.insert(at, f"{DSB} model", list(d["dsb_model"]))
        out.append(t.style.set_caption(
            f"{label} (real outcomes, estimated cost): MF per dataset against {DSB} (the query-blind, task-aware "
            f"baseline) and the best single model (hindsight), means over {n_seeds} splits"))
    return out


def plot_real_gains(axes, real: RealOutcomes) -> None:
    """Per dataset, one row of ``axes`` per real source: MF's RS minus dataset-best's (left) and
    minus the best single model's, chosen with hindsight (right), with 95% seed intervals."""
    for row, (s, label) in zip(axes, REAL.items()):
        for ax, (vs, xlabel) in zip(row, [(DSB, f"MF RS minus {DSB}'s RS"),
                                         ("best", "MF RS minus the best single model's RS")]):
            title = f"{label} (estimated cost)\n" + (f"against {DSB}" if vs == DSB else "against the best single (hindsight)")
            if s not in real.findings:
                plots.plot_data_not_found(ax, title=title)
                continue
            t = real.findings[s]["table"].sort_values("difficulty")
            if vs == DSB:
                t = real.dsb[s].loc[t.index]
            plots.plot_dataset_gains(ax, t, highlight=real.findings[s]["hard"], title=title, xlabel=xlabel)
            if ax is not row[0]:
                ax.tick_params(labelleft=False)   # the same datasets, in the same order, as on the left


def dsb_glue(real: RealOutcomes) -> dict:
    """MF against dataset-best per dataset, for the text: on how many datasets of each benchmark
    (``sim``, ``llm``, ``mmlu``) its seed interval lies above / below 0, the largest and smallest
    difference and where; ``dsb_words`` says what that means, from the counts; ``check_*`` numbers."""
    out, pos_total, found = {}, 0, 0
    for k, s in [("sim", "sim")] + [(KEY[s], s) for s in REAL]:
        d = real.dsb.get(s)
        n_pos = None if d is None else int((d["gain_lo"] > 0).sum())
        out |= {f"{k}_n_dsb_pos": _text(n_pos, "{:d}"),
                f"{k}_n_dsb_neg": _text(None if d is None else int((d["gain_hi"] < 0).sum()), "{:d}"),
                f"{k}_dsb_max": _text(None if d is None else d["gain"].max(), "{:+.3f}"),
                f"{k}_dsb_max_dataset": _text(None if d is None else d["gain"].idxmax(), "{}"),
                f"{k}_dsb_min": _text(None if d is None else d["gain"].min(), "{:+.3f}"),
                f"{k}_dsb_min_dataset": _text(None if d is None else d["gain"].idxmin(), "{}")}
        if d is not None:
            out[f"check_{k}_n_dsb_pos"] = n_pos
            pos_total, found = pos_total + n_pos, found + 1
    out["dsb_words"] = (
        f"no benchmark has data here, so MF is not compared with {DSB}" if not found else
        f"on no dataset of {'any' if found > 1 else 'this'} benchmark does MF beat {DSB} with an interval above 0: "
        "per dataset, what MF reads in the query adds nothing measurable to knowing the task"
        if pos_total == 0 else
        f"where MF's interval lies above 0, it adds something to knowing the task on that dataset; everywhere "
        f"else {DSB}, which never reads the query, does as well")
    return out


def _benches(real: RealOutcomes) -> dict:
    return {"RouterBench-Sim (simulated)": real.sim, "LLMRouter (real, estimated cost)": real.findings.get("llmrouter"),
            "MMLU-Pro (real, estimated cost)": real.findings.get("mmlu-pro")}


def real_corr_table(real: RealOutcomes, every: bool = False):
    """Pearson r across datasets, simulated beside real: MF's gain (or every measure, ``every``)."""
    rows = []
    for name, f in _benches(real).items():
        if f is None:
            rows.append({"benchmark": name, "measure": "", "against": "", "datasets": "",
                         "r [95% CI]": "data not found", "Spearman": "", "p": ""})
            continue
        for _, c in f["correlations"].iterrows():
            rows.append({"benchmark": name, "measure": Y_LABEL[c["y"]], "against": c["x"], "datasets": f"{c['n']:d}",
                         "r [95% CI]": an.format_interval(c["r"], c["lo"], c["hi"], "{:.2f}",
                                                          missing=c["note"] or "n/a"),
                         "Spearman": f"{c['spearman']:.2f}" if np.isfinite(c["spearman"]) else "n/a",
                         "p": _p_text(c["p"])})
    t = pd.DataFrame(rows)
    if every:
        return style.table(t.set_index(["benchmark", "measure", "against"])).set_table_styles(
            NOWRAP, overwrite=False).set_caption(
            "Pearson r across datasets, simulated beside real: MF's gain, MF's RS and the oracle's headroom")
    return style.table(t[t["measure"].isin([Y_LABEL["gain"], ""])].drop(columns="measure").set_index(
        ["benchmark", "against"])).set_table_styles(NOWRAP, overwrite=False)


def plot_real_corr(axes, real: RealOutcomes) -> None:
    """A (3, 2) grid: MF's gain per dataset against training rows and difficulty, one row per benchmark."""
    for row, (name, f) in zip(axes, _benches(real).items()):
        for ax, (xlab, col) in zip(row, an.CORRELATION_XS.items()):
            if f is None:
                plots.plot_data_not_found(ax, title=name.split(" (")[0])
                continue
            t = f["table"]
            c = f["correlations"].set_index(["y", "x"]).loc[("gain", xlab)]
            cost = "simulated" if "simulated" in name else "estimated cost"
            plots.plot_correlation_panel(
                ax, t[col], t["gain"], labels=list(t.index), highlight=f["hard"], stats=c,
                xlabel=("training rows" if col == "n_train" else "difficulty"),
                ylabel=f"{name.split(' (')[0]}\nMF gain ({cost})" if ax is row[0] else "")


def _corr_of(f, y: str, x: str):
    """The correlation row of one benchmark's findings (None when the source is missing)."""
    return None if f is None else f["correlations"].set_index(["y", "x"]).loc[(y, x)]


def real_corr_glue(real: RealOutcomes) -> dict:
    """r, interval and Spearman of MF's gain, MF's RS and the headroom per benchmark, for the text
    (2 decimals), and plain numbers for the smoke test's sanity ranges (``check_*``)."""
    out = {}
    for k, f in _by_key(real):
        for y in ("gain", "rs", "headroom"):
            for xk, x in [("size", "training rows"), ("diff", "difficulty")]:
                c = _corr_of(f, y, x)
                for part in ("r", "lo", "hi"):
                    out[f"{k}_r_{y}_{xk}{'' if part == 'r' else '_' + part}"] = _text(None if c is None else c[part],
                                                                                   "{:.2f}")
                out[f"{k}_rho_{y}_{xk}"] = _text(None if c is None else c["spearman"], "{:.2f}")
    mm = real.findings.get("mmlu-pro")
    out["mmlu_smallest"] = _text(None if mm is None else mm["table"]["n_train"].idxmin(), "{}")
    out["mmlu_smallest_diff_rank"] = _text(None if mm is None else an.rank_in(
        mm["table"]["difficulty"], mm["table"]["n_train"].idxmin()), "{:d}")
    for s, k in KEY.items():
        f = real.findings.get(s)
        out[f"check_{k}_n_datasets"] = None if f is None else len(f["table"])
        out[f"check_{k}_n_gain_pos"] = None if f is None else int((f["table"]["gain_lo"] > 0).sum())
        for y in ("gain", "rs"):
            for xk, x in [("size", "training rows"), ("diff", "difficulty")]:
                c = _corr_of(f, y, x)
                out[f"check_{k}_r_{y}_{xk}"] = None if c is None or not np.isfinite(c["r"]) else c["r"]
    return out


def caveat(real: RealOutcomes) -> tuple:
    """What 12 or 14 datasets can show (an.correlation_caveat at the simulator's r of MF's gain):
    (the table for readers, the values the text glues)."""
    rows = []
    for label, n in [("RouterBench-Sim", len(DATASET_NAMES)), ("a real source (14 datasets)", 14)]:
        for x in ("training rows", "difficulty"):
            r_sim = _corr_of(real.sim, "gain", x)["r"]
            rows.append({"datasets": label, "n": n, "correlation (MF gain vs)": x, "simulated r": r_sim,
                         **an.correlation_caveat(n, r_sim)})
    cav = pd.DataFrame(rows)
    view = pd.DataFrame({
        "datasets": cav["datasets"], "MF gain vs": cav["correlation (MF gain vs)"],
        "half-width of the 95% interval at r = 0": cav["half_width_at_0"].map("{:.2f}".format),
        "smallest |r| significant at 5%": cav["critical_r"].map("{:.2f}".format),
        "simulated r": cav["simulated r"].map("{:.2f}".format),
        "half-width at the simulated r": cav["half_width"].map(lambda v: f"{v:.2f}" if np.isfinite(v) else "n/a"),
        "power at the simulated r": cav["power"].map(lambda v: f"{v:.0%}" if np.isfinite(v) else "n/a"),
        "datasets for 80% power": cav["n_for_80"].map(lambda v: f"{v:.0f}" if np.isfinite(v) else "n/a"),
    }).set_index(["datasets", "MF gain vs"])
    out = {}
    for _, c in cav.iterrows():
        k = f"cav{c['n']}_{'size' if c['correlation (MF gain vs)'] == 'training rows' else 'diff'}"
        out |= {f"{k}_half0": c["half_width_at_0"], f"{k}_crit": c["critical_r"],
                f"{k}_half": _text(c["half_width"], "{:.2f}"), f"{k}_power": _text(c["power"], "{:.0%}"),
                f"{k}_n80": _text(c["n_for_80"], "{:.0f}")}
    out |= {"cav_article_power14": an.correlation_power(article("corr.train_size"), 14),
            "cav_article_diff_power14": an.correlation_power(article("corr.difficulty"), 14)}
    return view.style.set_caption("What a correlation across 12 or 14 datasets can detect"), out


# ---- the hand-over: findings and ledger ---------------------------------------------------------
def _finding_measure(f, x: str, estimated: bool) -> dict:
    c = _corr_of(f, "gain", x)
    if f is None:
        return {"value": None, "note": NOT_FOUND}
    if not np.isfinite(c["r"]):
        return {"value": None, "note": c["note"]}
    return {"value": c["r"], "lo": c["lo"], "hi": c["hi"], "note": f"n = {c['n']} datasets; Spearman "
            f"{c['spearman']:.3f}" + ("; estimated cost" if estimated else "")}


def _real_corr_check(real: RealOutcomes, s: str, x: str) -> dict:
    f = real.findings.get(s)
    if f is None:
        return {"measured": None, "ours": None, "note": NOT_FOUND}
    c = _corr_of(f, "rs", x)
    if not np.isfinite(c["r"]):
        return {"measured": None, "ours": None, "note": c["note"]}
    return {"ours": c["r"], "lo": c["lo"], "hi": c["hi"], "measured": _corr_measures(c),
            "note": f"MF's RS across {c['n']} {REAL[s]} datasets (estimated cost); Spearman {c['spearman']:.3f}"}


def _llmrouter_checks(real: RealOutcomes) -> tuple[dict, dict]:
    """The four per-dataset claims on LLMRouter (cheapest / strongest model in Llama-3-8B's / GPT-4o's
    role): ({claim id: {"llmrouter": check}}, the values the text glues)."""
    llm = real.findings.get("llmrouter")
    if llm is None:
        missing = {"measured": None, "ours": None, "note": NOT_FOUND}
        return ({cid: {"llmrouter": missing} for cid in ("pitfall.overrouting", "dataset.hard", "dataset.easy",
                                                           "dataset.gsm8k")},
                {k: _text(None) for k in ("llm_gpqa_n_over", "llm_n_learned", "llm_gsm_lead", "llm_gsm_rank")})
    lt, lo_ = llm["table"], llm["over"]
    roles, learned = llm["roles"], sorted(set(lo_["policy"]))
    gpqa = lo_[lo_["dataset"] == "GPQA"].set_index("policy")
    mf = gpqa.loc["mf"]
    n_over = int(gpqa["over_routes"].sum())
    gain_rank = an.rank_in(lt["gain"], "ARC-Challenge")
    acc = real.benches["llmrouter"].accuracy_by_dataset().loc["GSM8K"]
    lead = float(acc[roles["strongest"]] - acc.drop(roles["strongest"]).max())
    gsm_rank = an.rank_in(lt["gap"], "GSM8K", ascending=True)
    arc_best = lt.loc["ARC-Challenge", "best_single_model"]
    checks = {
        "pitfall.overrouting": {
            "ours": mf["excess_cheap"], "lo": mf["excess_cheap_lo"], "hi": mf["excess_cheap_hi"],
            "measured": {"mf_excess_lo": mf["excess_cheap_lo"], "mf_quality_loss": mf["quality_loss"],
                         "mf_overall_loss": mf["overall_loss"], "n_over_routing": n_over, "n_learned": len(learned)},
            "note": f"{roles['cheapest']} (cheapest) in Llama-3-8B's role, {roles['strongest']} (strongest) in "
                    f"GPT-4o's; MF quality loss on GPQA {mf['quality_loss']:.3f} vs {mf['overall_loss']:.3f} overall; "
                    f"{n_over} of {len(learned)} learned routers over-route on GPQA; estimated cost"},
        "dataset.hard": {
            "ours": f"GPQA: excess cheap share {mf['excess_cheap']:.3f}, quality loss {mf['quality_loss']:.3f}",
            "measured": None,  # the claim names MuSR, which this source lacks
            "note": f"MuSR is not among LLMRouter's tasks; on GPQA alone MF over-routes: "
                    f"{'yes' if mf['over_routes'] else 'no'}"},
        "dataset.easy": {
            "ours": f"ARC-Challenge: best single {arc_best}, MF gain {lt.loc['ARC-Challenge', 'gain']:.3f} "
                    f"(rank {gain_rank} of {len(lt)})",
            "measured": None,  # the claim names HellaSwag, which this source lacks
            "note": f"HellaSwag is not among LLMRouter's tasks; on ARC-Challenge the cheapest model "
                    f"({roles['cheapest']}) is the best single model: "
                    f"{'yes' if arc_best == roles['cheapest'] else 'no'}; "
                    f"gain rank in the top {TOP_EASY}: {'yes' if gain_rank <= TOP_EASY else 'no'}"},
        "dataset.gsm8k": {
            "ours": lt.loc["GSM8K", "gap"], "measured": {"gsm_lead": lead, "gsm_gap_rank": gsm_rank},
            "note": f"MF's RS gap to the oracle on GSM8K ranks {gsm_rank} of {len(lt)} (estimated cost); the strongest "
                    f"model ({roles['strongest']}) leads every other on GSM8K by {lead:.3f} (needs {FAR})"}}
    return ({cid: {"llmrouter": c} for cid, c in checks.items()},
            {"llm_gpqa_n_over": n_over, "llm_n_learned": len(learned), "llm_gsm_lead": lead, "llm_gsm_rank": gsm_rank})


def record_claims(sim_checks: dict, real: RealOutcomes) -> dict:
    """Record the two findings (simcheck) and every claim of the chapter (ledger: the simulated
    check of ``sim_checks`` with its real-data checks); return the values the text glues."""
    for fid, x in [("datasets.corr_train_size", "training rows"), ("datasets.corr_difficulty", "difficulty")]:
        simcheck.record(fid, sim=_finding_measure(real.sim, x, estimated=False),
                        real={s: _finding_measure(real.findings.get(s), x, estimated=True)
                              for s in simcheck.finding(fid)["real"]})
    real_checks, out = _llmrouter_checks(real)
    for cid, x in [("corr.train_size", "training rows"), ("corr.difficulty", "difficulty")]:
        real_checks[cid] = {s: _real_corr_check(real, s, x) for s in REAL}
    recorded = {cid: ledger.record(**check, real=real_checks[cid]) for cid, check in sim_checks.items()}
    for cid, entry in recorded.items():
        for s in REAL:
            r = entry["real"].get(s)
            out[f"real_verdict_{slug(cid)}_{KEY[s]}"] = _text(None if r is None else r["verdict"], "{}",
                                                              missing="not checked on this source")
    out["real_seconds"] = real.seconds
    for s in REAL:
        out[f"{KEY[s]}_eval_seconds"] = _text(real.eval_seconds.get(s), "{:.1f}")
        out[f"{KEY[s]}_from_cache"] = _text(None if s not in real.results else ("read from the cache" if
                                            real.results[s].from_cache else "computed"), "{}", missing="no data")
    return out
