"""The ledger page (``notebooks/90_ledger.py``): the chapters it reads, the derivations of the
errata page (arithmetic on the article's own figures, checked on the simulated benchmark), and
the ledger's tables and glue values.

The verdicts are not made here: the chapters' entries and the page's own ones come from
:func:`routerlab.reproduction.ledger.record`, judged by ``criteria.yaml``. A derivation returns
``(shown, glued)``: the values the page shows (a dict, or a table) and ``{glue key: value}`` for
:func:`routerlab.chapters.summary_pages.glue_all`. Qualities are shares in [0, 1], costs dollars
per query, RS values the article's Routing Score (global normalisation unless said otherwise).
"""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace
from typing import Mapping

import numpy as np
import pandas as pd
from IPython.display import HTML

from routerlab.book import style
from routerlab.book.run import parameter_text
from routerlab.book.tables import html_table
from routerlab.chapters.summary_pages import other_parameters_note, papermill_parameters
from routerlab.data.catalog import DATASETS
from routerlab.data.simulate import simulate
from routerlab.metrics import coub_choice, oracle_choice, routing_score
from routerlab.reproduction import ledger
from routerlab.reproduction.findings import source_label
from routerlab.routing.routers import make_router

__all__ = ["HU_PAPER", "RAG_MODELS", "CITED_ARXIV", "CODE_ARXIV", "NO_INTERVAL", "ERRATA_CLAIMS",
           "use_display_options", "chapters_table", "article_figures", "simulated", "rs_definition",
           "coub_bounds", "random_identity", "cost_reduction_bound", "oracle_quality", "two_models",
           "bib_counts", "cited_is_code_paper", "parameter_values", "ledger_values", "real_values",
           "verdicts_by_chapter", "criteria_html", "measured_text", "errata_values"]

#: Facts about the paper behind the linked code (arXiv 2403.12031, Hu et al. 2024), from the
#: project's reference notes on the RouterBench repository: LLMs, datasets, samples, 0-shot prompts.
HU_PAPER = {"n_models": 11, "n_datasets": 8, "samples": 405_467, "prompts_0shot": 36_497}
#: Models of that paper's RAG split (about 5).
RAG_MODELS = 5
CITED_ARXIV = "2409.05694"   # the article's citation (claims.yaml, bib.arxiv)
CODE_ARXIV = "2403.12031"    # the paper of the linked code, withmartian/routerbench (Hu et al. 2024)
#: The interval fields of a measurement on all rows (no splits, so no interval).
NO_INTERVAL = {"seeds_lo": None, "seeds_hi": None, "boot_lo": None, "boot_hi": None}
#: The audited claims whose chapter measurement the errata page quotes.
ERRATA_CLAIMS = ("result.random.rs", "result.cascade.rs", "result.frugalgpt.rs", "ablation.two_models",
                 "setting.cascade_threshold", "result.llama8b.cost_reduction", "result.oracle.quality",
                 "result.oracle.rs", "rs.definition", "bounds.coub")


def use_display_options() -> None:
    """The book's plot style; pandas shows 0.548 and 405,000 (no six-decimal dumps) and never cuts
    a cell short (the ledger's statements)."""
    style.use()
    pd.options.display.float_format = "{:,.4g}".format
    pd.set_option("display.max_colwidth", None)


def chapters_table(read: Mapping) -> tuple[object, dict]:
    """The chapters read (``read``: :func:`~routerlab.chapters.summary_pages.chapters_read`), one
    row each (scale, seeds, claims recorded, real-data checks, parameters against the book's) as
    a Styler, and the glue values ``n_chapters_read``, ``n_chapter_entries``, ``reference_text``."""
    def row(path: Path) -> dict:
        params = papermill_parameters(path)
        entries = [json.loads(v) for k, v in ledger.glued_values(path).items() if k.startswith("ledger:")]
        differs = read["rows"].get(path.stem, {}).get("differs")
        return {"chapter": path.stem, "scale": params.get("scale"), "n_seeds": params.get("n_seeds"),
                "claims recorded": len(entries),
                "real-data checks": sum(len(e.get("real") or {}) for e in entries),
                "against the book": "OTHER: " + parameter_text(differs) if differs else "as the book"}

    frame = pd.DataFrame([row(p) for p in read["chapters"]],
                         columns=["chapter", "scale", "n_seeds", "claims recorded", "real-data checks",
                                  "against the book"])
    shown = style.table(frame.rename(columns={"n_seeds": "seeds"}), hide_index=True,
                        formats={"scale": "{:g}", "seeds": "{:.0f}"}, na="—")
    return shown, {"n_chapters_read": len(read["chapters"]),
                   "n_chapter_entries": int(frame["claims recorded"].sum()),
                   "reference_text": parameter_text(read["check"]["reference"]) or "no parameters"}


def article_figures() -> dict:
    """The article's figures the derivations start from, read from claims.yaml (RS, qualities,
    the Llama-3-8B cost reduction, the two-model ablation, the benchmark's size)."""
    v = {c["id"]: c.get("value") for c in ledger.claims()}
    return {
        "gpt4o_rs": v["result.gpt4o.rs"], "gpt4o_q": v["result.gpt4o.quality"],
        "llama_rs": v["result.llama8b.rs"], "llama_q": v["result.llama8b.quality"],
        "llama_reduction": v["result.llama8b.cost_reduction"], "random_rs": v["result.random.rs"],
        "mf_rs": v["result.mf.rs"], "oracle_rs": v["result.oracle.rs"],
        "oracle_q": v["result.oracle.quality"], "cascade_rs": v["result.cascade.rs"],
        "frugal_rs": v["result.frugalgpt.rs"], "two_models": v["ablation.two_models"],
        "instances": v["bench.size"]["instances"], "n_datasets": v["bench.size"]["datasets"],
        "n_models": v["bench.size"]["models"],
    }


def simulated(scale: float, seed: int) -> SimpleNamespace:
    """The simulated benchmark of the identity checks (all its queries, no split) and what the
    derivations read from it: ``bench``, ``Q``/``C`` (queries x models quality in {0, 1} and cost
    in $), ``names``, ``j_llama``/``j_gpt`` (model columns), ``single`` ({"global", "per-query"}:
    each model's RS, shape (models,)), ``acc`` (each model's quality, shape (models,))."""
    bench = simulate(scale=scale, seed=seed)
    Q, C, names = bench.quality, bench.cost, bench.model_names
    single = {norm: np.array([routing_score(Q[:, j], C[:, j], C, norm) for j in range(len(names))])
              for norm in ("global", "per-query")}
    return SimpleNamespace(bench=bench, Q=Q, C=C, names=names, j_llama=names.index("Llama-3-8B-Instruct"),
                           j_gpt=names.index("GPT-4o"), single=single, acc=Q.mean(axis=0))


def _paid(sim, choice):
    """Cost ($, shape (queries,)) of each query's chosen model."""
    return sim.C[np.arange(len(choice)), choice]


def _got(sim, choice):
    """Quality (shape (queries,)) of each query's chosen model."""
    return sim.Q[np.arange(len(choice)), choice]


def rs_definition(art: Mapping, sim) -> tuple[dict, dict]:
    """``rs.definition``: under per-query normalisation a model cheapest on every query has RS =
    quality; the article's Llama-3-8B pair implies a global one. Shown and glued: ``rsdef_*``."""
    rsdef = {
        "rsdef_llama_rs_perquery": art["llama_q"] * 1.0,        # factor 1 on every query
        "rsdef_gap": art["llama_q"] - art["llama_rs"],
        "rsdef_sim_cheapest_share": float((sim.C.argmin(axis=1) == sim.j_llama).mean()),
        "rsdef_sim_llama_q": float(sim.acc[sim.j_llama]),
        "rsdef_sim_llama_rs_perquery": float(sim.single["per-query"][sim.j_llama]),
        "rsdef_sim_llama_rs_global": float(sim.single["global"][sim.j_llama]),
    }
    return rsdef, dict(rsdef, art_llama_q=art["llama_q"], art_llama_rs=art["llama_rs"])


def coub_bounds(sim) -> tuple[pd.DataFrame, dict]:
    """``bounds.coub``: share of queries where OUB and COUB choose the same model, and both RS,
    per normalisation (rows "global", "per-query"); glued: ``coub_*``."""
    coub = coub_choice(sim.Q, sim.C)
    bounds = {}
    for norm in ("global", "per-query"):
        oub = oracle_choice(sim.Q, sim.C, norm)
        bounds[norm] = {"same choice": float((oub == coub).mean()),
                        "OUB RS": routing_score(_got(sim, oub), _paid(sim, oub), sim.C, norm),
                        "COUB RS": routing_score(_got(sim, coub), _paid(sim, coub), sim.C, norm)}
    bounds = pd.DataFrame(bounds).T
    return bounds, {"coub_same_global": bounds.loc["global", "same choice"],
                    "coub_same_perquery": bounds.loc["per-query", "same choice"],
                    "coub_oub_rs": bounds.loc["global", "OUB RS"],
                    "coub_coub_rs": bounds.loc["global", "COUB RS"],
                    "coub_rs_diff": abs(bounds.loc["global", "OUB RS"] - bounds.loc["global", "COUB RS"])}


def random_identity(art: Mapping, sim, seed: int, n_seeds: int) -> tuple[dict, dict]:
    """``result.random.rs``: E[RS(random)] is the mean single-model RS, so the article's figures
    fix the mean RS of the four models it does not report; on the simulated data, the mean single
    RS against ``n_seeds`` random-router draws (seeds ``seed``...). Glued: ``rand_*``."""
    others_mean = (art["n_models"] * art["random_rs"] - art["gpt4o_rs"] - art["llama_rs"]) / (art["n_models"] - 2)
    draws = []
    for s in range(seed, seed + n_seeds):
        ch = make_router("random", seed=s).fit(sim.bench).route(sim.bench.without_truth()).choice
        draws.append(routing_score(_got(sim, ch), _paid(sim, ch), sim.C, "global"))
    rand = {"others_mean": others_mean, "sim_mean_single": float(sim.single["global"].mean()),
            "sim_random_mean": float(np.mean(draws)), "sim_random_spread": float(np.ptp(draws))}
    glued = {f"rand_{k}": v for k, v in rand.items()}
    glued.update(rand_n_draws=n_seeds, art_random_rs=art["random_rs"], art_gpt4o_rs=art["gpt4o_rs"])
    return rand, glued


def cost_reduction_bound(art: Mapping, sim) -> tuple[dict, dict]:
    """``result.llama8b.cost_reduction``: the bound on the cost reduction implied by the two
    fixed-model rows (RS / quality is the mean cost factor), the same steps on the simulated
    data, and the reduction there. Glued: ``red_*``."""
    red = {"llama_factor": art["llama_rs"] / art["llama_q"], "gpt_factor": art["gpt4o_rs"] / art["gpt4o_q"]}
    red["llama_ncost"] = 1 - red["llama_factor"]
    red["gpt_ncost"] = 1 - red["gpt_factor"]
    red["ratio"] = red["llama_ncost"] / red["gpt_ncost"]
    red["max_reduction"] = 1 - red["ratio"]
    red["article_reduction"] = art["llama_reduction"]
    red["sim_llama_factor"] = float(sim.single["global"][sim.j_llama] / sim.acc[sim.j_llama])
    red["sim_gpt_factor"] = float(sim.single["global"][sim.j_gpt] / sim.acc[sim.j_gpt])
    red["sim_reduction"] = float(1 - sim.C[:, sim.j_llama].mean() / sim.C[:, sim.j_gpt].mean())
    return red, {f"red_{k}": v for k, v in red.items()}


def oracle_quality(art: Mapping, sim) -> tuple[dict, dict]:
    """``result.oracle.quality``: the article's oracle-minus-GPT-4o quality gap, and the simulated
    oracle's quality against any-model-correct and the best single model. Glued: ``orq_*``."""
    oub = oracle_choice(sim.Q, sim.C, "global")
    orq = {"article_gap": art["oracle_q"] - art["gpt4o_q"], "sim_oracle_q": float(_got(sim, oub).mean()),
           "sim_any_correct": float((sim.Q.max(axis=1) > 0).mean()), "sim_best_single_q": float(sim.acc.max())}
    glued = {f"orq_{k}": v for k, v in orq.items()}
    return orq, dict(glued, art_oracle_q=art["oracle_q"], art_gpt4o_q=art["gpt4o_q"])


def two_models(art: Mapping) -> tuple[dict, dict]:
    """``ablation.two_models`` read as an absolute or a relative RS drop from the six-model MF RS,
    and ``result.frugalgpt.rs``: the difference of the two merged rows."""
    two = {"absolute": art["mf_rs"] - art["two_models"], "relative": art["mf_rs"] * (1 - art["two_models"])}
    two["relative_drop"] = art["mf_rs"] - two["relative"]
    merged_diff = abs(art["cascade_rs"] - art["frugal_rs"])
    return dict(two, merged_diff=merged_diff), {
        "two_abs": two["absolute"], "two_rel": two["relative"], "two_rel_drop": two["relative_drop"],
        "art_two_models": art["two_models"], "art_mf_rs": art["mf_rs"], "art_cascade_rs": art["cascade_rs"],
        "art_frugal_rs": art["frugal_rs"], "frugal_merged_diff": merged_diff}


def bib_counts(art: Mapping) -> tuple[dict, dict]:
    """``bib.arxiv``, ``bench.size``: the row counts of :data:`HU_PAPER` against the article's
    instances and the test queries of the book's datasets. Glued: ``hu_*``, ``bib_*``."""
    hu = HU_PAPER
    bib = {
        "rows_0shot": hu["prompts_0shot"] * hu["n_models"],            # 401,467
        "gap": hu["samples"] - hu["prompts_0shot"] * hu["n_models"],   # 4,000
        "article_per_model": art["instances"] / art["n_models"],       # 67,500
        "article_vs_hu": hu["samples"] - art["instances"],
        "real_queries": sum(d.n_test for d in DATASETS),
    }
    bib["real_instances"] = bib["real_queries"] * art["n_models"]
    bib["rag_models"] = RAG_MODELS
    bib["rag_prompts"] = bib["gap"] // bib["rag_models"]               # prompts that would fill the gap
    glued = {f"hu_{k}": v for k, v in hu.items()}
    glued.update({f"bib_{k}": v for k, v in bib.items()})
    return bib, dict(glued, art_instances=art["instances"])


def cited_is_code_paper() -> bool:
    """Whether the article's citation (claims.yaml, bib.arxiv) is the paper of the linked code."""
    return CITED_ARXIV in ledger.claim("bib.arxiv")["statement"] and CITED_ARXIV == CODE_ARXIV


def parameter_values(table: pd.DataFrame, read: Mapping) -> dict:
    """``n_other_params`` and ``scale_note``: which chapters ran with other parameters than the
    book's and which ledger rows come from them."""
    stale = {c: table.loc[(table["chapter"] == c) & (table["source"] == "chapter"), "id"].tolist()
             for c in read["other"]}
    return {"n_other_params": len(read["other"]),
            "scale_note": other_parameters_note(
                read, stale, what="rows",
                same=f"all with the book's parameters, {parameter_text(read['check']['reference'])}")}


def ledger_values(table: pd.DataFrame) -> dict:
    """The ledger table (``ledger_table``, HTML; chapter links relative to the book/ folder, where
    book/reproduction.md shows it), ``n_claims``, ``n_<verdict>`` and where the rows come from
    (``n_from_chapters``, ``n_from_ledger``)."""
    values = {"ledger_table": HTML(ledger.ledger_html(ledger.ledger_table(table),
                                                      link=lambda c: f"../notebooks/{c}.html")),
              "n_claims": len(table)}
    for verdict, n in ledger.verdict_counts(table).items():
        values["n_" + verdict.replace(" ", "_")] = int(n)
    values["n_from_chapters"] = int((table["source"] == "chapter").sum())
    values["n_from_ledger"] = int((table["source"] == "ledger").sum())
    return values


def real_values(real_counts: pd.DataFrame) -> dict:
    """From :func:`ledger.real_verdict_counts`: ``n_real_checks``, ``n_real_<verdict>`` (spaces as
    ``_``) over every source, ``n_real_judged`` (reproduced or not reproduced: the checks real
    data decided), ``real_counts_text`` ("source: n verdict, ...; ...") and ``real_data_rule``
    (how real data judges a claim, :data:`~routerlab.reproduction.criteria.REAL_DATA_RULE`)."""
    from routerlab.reproduction.criteria import REAL_DATA_RULE

    totals = real_counts.sum(axis=0) if len(real_counts) else pd.Series(0, index=list(ledger.VERDICTS))
    per_verdict = {"n_real_" + v.replace(" ", "_"): int(totals.get(v, 0)) for v in ledger.VERDICTS}
    return {"n_real_checks": int(real_counts.to_numpy().sum()), **per_verdict,
            "n_real_judged": per_verdict["n_real_reproduced"] + per_verdict["n_real_not_reproduced"],
            "real_data_rule": REAL_DATA_RULE,
            "real_counts_text": "; ".join(
                f"{source_label(src)}: " + ", ".join(f"{n} {v}" for v, n in row.items() if n)
                for src, row in real_counts.iterrows()) or "no chapter checked a claim on real data in this build"}


def verdicts_by_chapter(table: pd.DataFrame) -> pd.DataFrame:
    """Claims per chapter (rows; "(none)": no chapter) and verdict (columns, ledger order)."""
    return pd.crosstab(table["chapter"].replace("", "(none)"), table["verdict"]).reindex(
        columns=list(ledger.VERDICTS), fill_value=0)


def criteria_html(table: pd.DataFrame) -> HTML:
    """Each criterion as its chapter wrote it, with the chapter's note and real-data checks."""
    full = table.loc[table["criterion"].astype(bool)].assign(real_data=lambda d: d["real"].map(ledger.real_text))
    return HTML(html_table(full[["id", "chapter", "criterion", "note", "real_data"]].rename(
        columns={"real_data": "real data"}), widths={"criterion": "18em", "note": "16em", "real data": "16em"},
        css_class="rl-criteria"))


def measured_text(table: pd.DataFrame, claim_id: str) -> str:
    """What the chapters measured for ``claim_id``: "0.612 [0.590, 0.634] (verdict, chapter)", or
    a readable sentence when no chapter did (so that the errata page never breaks)."""
    row = table.set_index("id").loc[claim_id]
    if row["source"] != "chapter":
        return "not measured by any chapter in this build"
    ours = row["ours"]
    ours = f"{ours:.3f}" if isinstance(ours, float) else str(ours)
    interval = (f" [{row['lo']:.3f}, {row['hi']:.3f}]"
                if isinstance(row["lo"], float) and np.isfinite(row["lo"]) else "")
    return f"{ours}{interval} ({row['verdict']}, {row['chapter']})"


def errata_values(table: pd.DataFrame) -> dict:
    """``measured_<claim>`` (dots as ``_``) for every claim of :data:`ERRATA_CLAIMS`."""
    return {"measured_" + cid.replace(".", "_"): measured_text(table, cid) for cid in ERRATA_CLAIMS}
