"""Chapter 01, "The benchmark: RouterBench-Sim": its tables, figures, glued numbers and ledger entries.

``notebooks/01_benchmark.py`` simulates the benchmark (``simulate``) and calls these functions; each
returns a display-ready table (a pandas Styler), draws on an ``ax``, or returns ``{glue key:
value}`` for the prose (``routerlab.book.glue.glue_dict``; a ``(value, format)`` pair is
glued as text, "n/a" when missing). Accuracies are fractions in [0, 1]; costs are USD per query;
``bench`` is a :class:`~routerlab.data.benchmark.Benchmark` of n queries x m models.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from routerlab.book import plots, style
from routerlab.data import catalog, sources
from routerlab.data.simulate import (ANCHORS, DEFAULT_PARAMS, TOPICS, dataset_family, dataset_sizes,
                                     model_discrimination, simulate)
from routerlab.evaluation import error_structure as structure
from routerlab.reproduction import ledger
from routerlab.reproduction.criteria import book_rule

__all__ = ["CHAPTER", "REAL", "STRUCTURE_NAMES", "article_values", "bench_values", "models_table",
           "datasets_table", "calibration_values", "plot_calibration", "calibration_table", "plot_costs",
           "cost_table", "cost_values", "structure_study", "plot_structure", "family_table",
           "discrimination_table", "confidence_auc", "load_real", "real_values", "overview_table",
           "provenance", "prefix_similarity", "record_ledger"]

CHAPTER = "01_benchmark"
#: The real sources the chapter lists, in the order of its table.
REAL = ("routerbench-subset", "llmrouter", "mmlu-pro", "routellm")
#: Readable names of the structural measurements (columns of ``structure.structure_table``).
STRUCTURE_NAMES = {"phi": "phi of correctness", "auc_a": "AUC text/features, strong",
                   "auc_b": "AUC text/features, Mixtral", "topic_auc_a": "AUC topic only, strong",
                   "topic_auc_b": "AUC topic only, Mixtral", "length_auc_a": "AUC prompt length, strong",
                   "length_auc_b": "AUC prompt length, Mixtral"}


def _article(claim_id):
    return ledger.claim(claim_id)["value"]


def article_values() -> dict:
    """The article's benchmark size: outcomes, datasets, models and how many datasets it names."""
    size = _article("bench.size")
    return {"n_outcomes_article": size["instances"], "n_datasets_article": size["datasets"],
            "n_models_article": size["models"], "n_named_datasets": len(_article("bench.datasets"))}


def bench_values(bench, scale: float, seed: int, gen_seconds: float) -> dict:
    """Size of the simulated benchmark (queries, models, outcomes, datasets) and its build time (s)."""
    return {"scale": scale, "seed": seed, "n_queries": bench.n_queries, "n_models": bench.n_models,
            "n_outcomes": bench.n_queries * bench.n_models, "n_datasets": len(bench.dataset_names),
            "gen_seconds": gen_seconds, "full_scale": 1.0}


def models_table(bench):
    """Provider, tier and list prices (USD per million input / output tokens) of every model."""
    models = pd.DataFrame(
        {"provider": [m.provider for m in bench.models], "tier": [m.tier for m in bench.models],
         "$/1M input": bench.price_in, "$/1M output": bench.price_out},
        index=pd.Index(bench.model_names, name="model"))
    return style.table(models, formats={"$/1M input": "{:.2f}", "$/1M output": "{:.2f}"})


def datasets_table(scale: float):
    """(Styler, glue values): the twelve datasets, real and simulated sizes, options, topics, tokens."""
    sizes = dataset_sizes(scale)
    ds = catalog.DATASETS
    datasets = pd.DataFrame({
        "real test size": [d.n_test for d in ds], "simulated": sizes.to_numpy(),
        "options": [d.n_choices or "free-form" for d in ds], "topics": [TOPICS[d.name] for d in ds],
        "prompt tokens (typical)": [d.prompt_tokens for d in ds],
        "answer tokens (typical)": [d.answer_tokens for d in ds], "board": [d.board for d in ds],
    }, index=pd.Index(sizes.index, name="dataset"))
    values = {"n_full": int(dataset_sizes(1.0).sum()), "n_mmlu_topics": TOPICS["MMLU"]}
    return style.table(datasets, formats={"options": "{}"}), values


def _deviation(bench) -> pd.DataFrame:
    """Realised minus target accuracy, (datasets x models)."""
    return bench.accuracy_by_dataset() - bench.latent["targets"]


def calibration_values(bench, scale: float, anchor: bool) -> dict:
    """The largest |realised - target| accuracy (and one query's worth on its dataset), and the
    anchoring of GPT-4o and Llama-3-8B: overall accuracy realised, the article's, calibration.csv's
    (weighted by the dataset sizes) and the logit shift."""
    deviation, sizes = _deviation(bench), dataset_sizes(scale)
    arg = np.unravel_index(np.argmax(deviation.abs().to_numpy()), deviation.shape)
    out = {"max_abs_dev": float(deviation.abs().to_numpy().max()), "max_dev_dataset": deviation.index[arg[0]],
           "max_dev_model": deviation.columns[arg[1]],
           "max_dev_bound": float(1.0 / sizes[deviation.index[arg[0]]])}
    overall, calib = dict(zip(bench.model_names, bench.accuracy())), catalog.calibration_matrix()
    w = sizes / sizes.sum()
    for key, model in (("gpt4o", "GPT-4o"), ("llama8b", "Llama-3-8B-Instruct")):
        out |= {f"{key}_overall": overall[model], f"{key}_article": ANCHORS[model],
                f"{key}_unanchored": float(w @ calib[model]),
                f"{key}_shift": bench.latent["anchor_shifts"].get(model, 0.0)}
    return out | {"anchor_on": "on" if anchor else "off"}


def plot_calibration(ax, bench, scale: float):
    """Heatmap of realised minus target accuracy (datasets x models), in thousandths."""
    plots.plot_heatmap(ax, _deviation(bench) * 1000, fmt="{:+.1f}", cmap="RdBu_r", center=0.0,
                       colorbar_label="realised - target (x 1/1000)")
    for t in ax.texts:
        t.set_fontsize(9)
    ax.grid(False)
    ax.set_title(f"SIMULATED: realised minus target accuracy (scale {scale:g})")
    return ax


def calibration_table(bench):
    """Target and realised accuracy of every model on every dataset (four decimals)."""
    realised, targets = bench.accuracy_by_dataset(), bench.latent["targets"]
    return style.table(pd.concat({"target": targets, "realised": realised}, axis=1)
                       .swaplevel(axis=1).sort_index(axis=1, level=0, sort_remaining=False)
                       .loc[:, pd.IndexSlice[list(bench.model_names), :]], digits=4,
                       caption="Target and realised accuracy of every model on every dataset (four "
                               "decimals, to show how close they are)")


def plot_costs(axes, bench):
    """Two panels: prompt tokens per query by dataset (``axes[0]``) and each model's cost survival
    curve, USD per query (``axes[1]``)."""
    plots.plot_token_lengths(axes[0], bench.prompt_tokens, bench.datasets, order=bench.dataset_names,
                             xlabel="prompt tokens per query (log scale)")
    axes[0].set_title("SIMULATED prompt lengths")
    plots.plot_cost_survival(axes[1], bench.cost, bench.model_names)
    axes[1].legend(loc="lower left")
    axes[1].set_title("SIMULATED cost per query, by model")
    return axes


def _cost_frame(bench) -> pd.DataFrame:
    return pd.DataFrame({
        "mean cost per query ($)": bench.cost.mean(axis=0), "median ($)": np.median(bench.cost, axis=0),
        "99th percentile ($)": np.quantile(bench.cost, 0.99, axis=0),
        "mean answer tokens": bench.answer_tokens.mean(axis=0),
    }, index=pd.Index(bench.model_names, name="model"))


def cost_table(bench):
    """Mean, median and 99th percentile cost per query (USD) and mean answer tokens, per model."""
    return style.table(_cost_frame(bench), formats={
        "mean cost per query ($)": "{:.2e}", "median ($)": "{:.2e}", "99th percentile ($)": "{:.2e}",
        "mean answer tokens": "{:.0f}"})


def cost_values(bench) -> dict:
    """Mean cost per query (USD) of GPT-4o and Llama-3-8B, the reduction (fraction) from one to the
    other beside the article's, the ratio of the dearest to the cheapest call, the wrong-answer factor."""
    mean_cost = _cost_frame(bench)["mean cost per query ($)"]
    return {"cost_reduction": 1 - mean_cost["Llama-3-8B-Instruct"] / mean_cost["GPT-4o"],
            "cost_reduction_article": float(_article("result.llama8b.cost_reduction")),
            "gpt4o_mean_cost": mean_cost["GPT-4o"], "llama8b_mean_cost": mean_cost["Llama-3-8B-Instruct"],
            "cost_ratio_max_min": float(bench.cost.max() / bench.cost.min()),
            "wrong_answer_length": DEFAULT_PARAMS.wrong_answer_length}


def _sim_structure(b, s):
    """The structural measurements of simulated GPT-4o vs Mixtral-8x7B on MMLU and GSM8K."""
    b = b.rows(np.isin(b.datasets, ["MMLU", "GSM8K"])).select_models(list(structure.SIM_MODELS))
    return structure.structure_table(b, *structure.SIM_MODELS, seed=s, datasets=["MMLU", "GSM8K"],
                                     features="features")


def _readable(frame: pd.DataFrame) -> pd.DataFrame:
    """Rows (dataset, measurement) renamed "dataset: readable measurement"."""
    frame.index = [f"{d}: {STRUCTURE_NAMES[c]}" for d, c in frame.index]
    return frame


def structure_study(bench, *, scale: float, seed: int, prices: str, anchor: bool, recompute_real: bool,
                    n_seeds: int) -> dict:
    """Real vs simulated error structure (phi, AUCs; datasets MMLU and GSM8K x measurements).

    The real values are RouteLLM's GPT-4 vs Mixtral, re-measured when ``recompute_real`` and the
    files are found (else the stored constants); the simulated ones GPT-4o vs Mixtral on ``bench``
    and on ``n_seeds - 1`` further seeds. Returns {"real", "sim": (2 x 7) DataFrames,
    "side", "gaps": Stylers, "values": glue values}. The tolerance is criteria.yaml's
    ``book_rules.structure_tolerance``.
    """
    real_stored, real_live = structure.real_targets_table(accuracy=True), None
    if recompute_real:
        from routerlab.data.sources.routellm import find_routellm_dir, load_routellm

        if find_routellm_dir() is not None:
            real_bench = load_routellm(drop_contaminated=True)
            real_live = structure.structure_table(real_bench, *structure.REAL_MODELS, seed=0)
    real_full = real_stored if real_live is None else real_live.loc[:, list(real_stored.columns)]
    cols = list(structure.STRUCTURE_COLUMNS)
    real, sim_full = real_full[cols], _sim_structure(bench, seed)
    sim = sim_full[cols]
    side = pd.concat({"real (GPT-4-1106)": real.stack(), "SIMULATED (GPT-4o)": sim.stack()}, axis=1)
    side["simulated - real"] = side.iloc[:, 1] - side.iloc[:, 0]
    extra = [_sim_structure(simulate(scale, seed + k, prices=prices, anchor=anchor), seed + k)[cols]
             for k in range(1, n_seeds)]
    gaps = pd.concat({f"seed {seed + k}": structure.structure_gap(t, real).stack()
                      for k, t in enumerate([sim] + extra)}, axis=1)
    gaps["mean gap"] = gaps.mean(axis=1)
    gaps["sd over seeds"] = gaps.iloc[:, :-1].std(axis=1, ddof=1) if n_seeds > 1 else np.nan
    gaps = _readable(gaps)
    values = _structure_values(gaps, real, sim, real_full, sim_full, real_stored, real_live, n_seeds)
    return {"real": real, "sim": sim, "values": values,
            "side": style.table(_readable(side), caption="Structure of real and simulated outcomes. n/a: "
                                "the real GSM8K questions carry no topic label, so their topic-only AUC "
                                "is not defined."),
            "gaps": style.table(gaps, caption="Simulated minus real, per seed, with the mean and the "
                                "standard deviation over seeds. n/a: not defined (no topic label on the "
                                "real GSM8K questions).")}


def _structure_values(gaps, real, sim, real_full, sim_full, real_stored, real_live, n_seeds) -> dict:
    """The numbers the prose quotes about the structure (see :func:`structure_study`)."""
    tol = book_rule("structure_tolerance")
    fit = gaps.loc[[f"{d}: {STRUCTURE_NAMES[c]}" for d, c in structure.FIT_TARGETS]]
    length = gaps.loc[[f"{d}: {STRUCTURE_NAMES[c]}" for d, c in structure.LENGTH_TARGETS]]
    first, mean = fit[gaps.columns[0]].abs(), fit["mean gap"].abs()
    out = {"tolerance": tol, "n_splits": sim_full.attrs["n_splits"], "n_fit_seeds": n_seeds,
           "n_fit_targets": len(fit), "n_within_tol": int((first <= tol).sum()),
           "n_mean_within_tol": int((mean <= tol).sum()), "max_fit_gap": float(first.max()),
           "max_fit_gap_cell": first.idxmax(), "max_mean_gap": float(mean.max()),
           "max_mean_gap_cell": mean.idxmax(),
           "max_seed_sd": float(np.nan_to_num(fit["sd over seeds"].max())),
           "max_seed_sd_cell": str(fit["sd over seeds"].idxmax()) if n_seeds > 1 else "none",
           "max_length_gap": float(length["mean gap"].abs().max()),
           "length_gap_mixtral_gsm8k": float(gaps.loc["GSM8K: " + STRUCTURE_NAMES["length_auc_b"], "mean gap"]),
           "length_corr": DEFAULT_PARAMS.length_difficulty_corr}
    if real_live is not None:
        out |= {"real_source": "re-measured from the RouteLLM files found beside the repository",
                "real_live_diff": float((real_live.loc[:, list(real_stored.columns)] - real_stored).abs().max().max())}
    else:
        out |= {"real_source": "the stored constants (the RouteLLM files were not found, or recompute_real is off)",
                "real_live_diff": 0.0}
    for d in ("MMLU", "GSM8K"):
        for c in ("phi", "auc_a", "auc_b", "length_auc_a", "length_auc_b"):
            out |= {f"real_{c}_{d.lower()}": float(real.loc[d, c]), f"sim_{c}_{d.lower()}": float(sim.loc[d, c])}
        out[f"n_real_{d.lower()}"] = structure.REAL_N[d] if real_live is None else int(real_live.loc[d, "n"])
        out[f"n_sim_{d.lower()}"] = int(sim_full.loc[d, "n"])
    for c in ("topic_auc_a", "topic_auc_b"):
        out |= {f"real_{c}_mmlu": float(real.loc["MMLU", c]), f"sim_{c}_mmlu": float(sim.loc["MMLU", c])}
    # the ceiling of phi under the guessing floor, for the real and the simulated accuracies (MMLU)
    floor = 1.0 / catalog.dataset("MMLU").n_choices
    real_acc = (float(real_full.loc["MMLU", "acc_a"]), float(real_full.loc["MMLU", "acc_b"]))
    sim_acc = (float(sim_full.loc["MMLU", "acc_a"]), float(sim_full.loc["MMLU", "acc_b"]))
    return out | {"mmlu_floor": floor, "real_acc_a_mmlu": real_acc[0], "real_acc_b_mmlu": real_acc[1],
                  "sim_acc_a_mmlu": sim_acc[0], "sim_acc_b_mmlu": sim_acc[1],
                  "phi_ceiling_real": structure.max_phi(*real_acc, floor),
                  "phi_ceiling_sim": structure.max_phi(*sim_acc, floor),
                  "phi_real_share_of_ceiling": float(real.loc["MMLU", "phi"]) / structure.max_phi(*real_acc, floor)}


def plot_structure(ax, study: dict, scale: float, seed: int):
    """Real vs simulated structural measurements of :func:`structure_study`, with the tolerance band."""
    plots.plot_structure_comparison(ax, study["real"], study["sim"], tolerance=book_rule("structure_tolerance"),
                                    labels=STRUCTURE_NAMES)
    ax.legend(loc="upper center", bbox_to_anchor=(0.3, -0.09), ncol=2)
    ax.set_title(f"Real vs SIMULATED structure (scale {scale:g}, seed {seed})")
    return ax


def family_table(bench):
    """Structural parameters per dataset: family, guessing floor, spread, model-specific and topic share."""
    fam = pd.DataFrame({
        "family": [dataset_family(d.name) for d in catalog.DATASETS],
        "guessing floor": [1 / d.n_choices if d.n_choices else 0.0 for d in catalog.DATASETS],
    }, index=pd.Index([d.name for d in catalog.DATASETS], name="dataset"))
    params = bench.latent["params"]
    fam["spread"] = fam["family"].map(params["difficulty_sd"])
    fam["model-specific share"] = fam["family"].map(params["skill_share"])
    fam["topic share"] = params["topic_share"]
    return style.table(fam.assign(family=fam["family"].str.replace("_", "-")),
                       caption="Structural parameters per dataset (spread: the spread of the item logit)")


def discrimination_table():
    """The discrimination of each model (``simulate.model_discrimination``)."""
    return style.table(model_discrimination().to_frame(), caption="Discrimination of each model")


def confidence_auc(bench):
    """(Styler, glue values): AUC of the confidence for correctness per dataset x model (NaN where a
    model answers all or none of a dataset), feature count, feature signal and the confidence AUC."""
    from sklearn.metrics import roc_auc_score

    def auc(d, j):
        q = bench.quality[bench.datasets == d, j]
        return roc_auc_score(q, bench.confidence[bench.datasets == d, j]) if 0 < q.mean() < 1 else np.nan

    conf = pd.DataFrame({m: [auc(d, j) for d in bench.dataset_names] for j, m in enumerate(bench.model_names)},
                        index=bench.dataset_names)
    params = bench.latent["params"]
    values = {"n_features": bench.features.shape[1], "feature_signal": params["feature_signal"],
              "confidence_auc": params["confidence_auc"],
              "confidence_auc_realised": float(np.nanmean(conf.to_numpy()))}
    return style.table(conf, caption="AUC of the confidence for correctness (simulated). n/a: a model "
                                     "answers every query of the dataset correctly, or none (small scales)"), values


def load_real(data_dir) -> dict:
    """{source: Benchmark, or None when its folder is missing} for the sources of :data:`REAL`."""
    return {name: (sources.load(name, data_dir) if sources.find(name, data_dir) is not None else None)
            for name in REAL}


def real_values(real_benches: dict) -> dict:
    """Which real sources were found, and what the RouterBench loader's cleaning rule counted."""
    found = [n for n, b in real_benches.items() if b is not None]
    missing = [n for n, b in real_benches.items() if b is None]
    rb = real_benches["routerbench-subset"]
    prov = (rb.provenance or {}) if rb is not None else {}
    out = {"real_status": (f"Found: {', '.join(found)}. " if found else "") + (
        f"NOT found: {', '.join(missing)}; the real-data numbers that need them read n/a in every chapter."
        if missing else "Every real source is present and verified.")}
    for key, what in {"rb_dup_ids": "duplicated sample_ids", "rb_empty_cells": "empty quality cells",
                      "rb_rows_dropped": "rows dropped", "rb_rows_kept": "rows kept"}.items():
        out[key] = (prov.get(what), "{:,}")
    return out


def overview_table(real_benches: dict):
    """The real sources: size, accuracy range of their models, mean cost per query (USD)."""
    return sources.overview(real_benches).style.format(
        {"accuracy, lowest": "{:.3f}", "accuracy, highest": "{:.3f}", "mean cost $, cheapest": "{:.2e}",
         "mean cost $, dearest": "{:.2e}", "models": "{:.0f}", "queries": "{:,.0f}", "datasets": "{:.0f}"},
        na_rep="").set_caption("The real sources: size, accuracy range of their models and mean cost per query")


def provenance(real_benches: dict) -> list:
    """What to display for every source found: its name, then its cleaning table (rule, counts)."""
    from IPython.display import Markdown

    return [x for name, b in real_benches.items() if b is not None
            for x in (Markdown(f"**{name}**"), sources.provenance_table(b))]


def prefix_similarity(real_benches: dict, data_dir, seed: int):
    """(Styler, glue values): RouterBench's shared prompt prefix (characters) per dataset and the
    mean TF-IDF cosine between prompts, whole prompt vs question only (NaN without the data)."""
    from routerlab.routing.features import feature_similarity

    rb = real_benches["routerbench-subset"]
    cols = ["shared prefix (characters)", "mean cosine, whole prompt", "mean cosine, question only"]
    if rb is not None:
        full = sources.load("routerbench-subset", data_dir, strip_prefix=False, answer_tokens=False)
        pre = {d: len(full.prompts[full.datasets == d][0]) - len(rb.prompts[rb.datasets == d][0])
               for d in rb.dataset_names}
        sim_full = feature_similarity(full.prompts, full.datasets, seed=seed)
        sim_q = feature_similarity(rb.prompts, rb.datasets, seed=seed)
        sim = pd.DataFrame(dict(zip(cols, [pd.Series(pre), sim_full["mean cosine"], sim_q["mean cosine"]])))
    else:
        sim = pd.DataFrame(index=["ARC-Challenge", "MBPP", "Winogrande"], columns=cols, dtype=float)
    values = {}
    for d, k in {"ARC-Challenge": "arc", "Winogrande": "wino"}.items():
        values |= {f"rb_prefix_{k}": (sim.loc[d, cols[0]], "{:,.0f}"),
                   f"rb_cos_full_{k}": (sim.loc[d, cols[1]], "{:.2f}"),
                   f"rb_cos_q_{k}": (sim.loc[d, cols[2]], "{:.2f}")}
    return sim.style.format(dict(zip(cols, ["{:,.0f}", "{:.2f}", "{:.2f}"])), na_rep="n/a"), values


def record_ledger(bench, scale: float) -> dict:
    """Record the chapter's three ledger claims (bench.size, bench.models, bench.datasets):
    measurements only, the verdicts come from criteria.yaml. Returns the glue values the prose quotes."""
    named = ledger.claim("bench.datasets")["value"]
    ours_names = [d for d in bench.dataset_names if any(d.startswith(n) for n in named)]
    art_models = ledger.claim("bench.models")["value"]
    ledger.record(
        "bench.size", ours=float(bench.n_queries * bench.n_models), chapter=CHAPTER,
        measured={"n_datasets": len(bench.dataset_names), "n_models": bench.n_models,
                  "outcomes_at_scale_1": int(dataset_sizes(1.0).sum()) * bench.n_models},
        note=f"{len(bench.dataset_names)} datasets x {bench.n_models} models at scale {scale:g}")
    ledger.record(
        "bench.models", ours=", ".join(f"{m.name} ({m.provider}, {m.tier})" for m in bench.models),
        chapter=CHAPTER,
        measured={"n_models": bench.n_models,
                  "n_models_as_article": sum(m.name in art_models and art_models[m.name]["provider"] == m.provider
                                             and art_models[m.name]["tier"] == m.tier for m in bench.models)})
    ledger.record(
        "bench.datasets", ours=", ".join(ours_names), chapter=CHAPTER,
        measured={"n_named_present": sum(any(d.startswith(n) for d in bench.dataset_names) for n in named),
                  "n_named": len(named)},
        note=f"{len(ours_names)} of the {len(named)} named datasets present")
    return {"ledger_n_datasets": len(bench.dataset_names), "ledger_n_models": bench.n_models,
            "ledger_n_outcomes": bench.n_queries * bench.n_models, "ledger_scale": float(scale),
            "ledger_real_outcomes": sum(d.n_test for d in catalog.DATASETS) * bench.n_models}
