# ---
# jupyter:
#   jupytext:
#     formats: py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#       jupytext_version: 1.19.6
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # How the ledger is computed
#
# The [reproduction ledger](../book/reproduction.md) has one row per checkable statement of the
# article ({glue:text}`n_claims:d` claims, copied into the package as `routerlab/reproduction/claims.yaml`). Each chapter that
# checks a claim states its criterion in the text *before* computing the result, then calls
# `routerlab.reproduction.ledger.record(...)`, which glues a small JSON entry under the key `ledger:<claim id>`
# into the executed notebook. This notebook runs after every chapter, reads those entries back
# from the book's executed chapters (in the folder bookrun wrote them to), and builds the table.
#
# It also computes the derivations of the [errata page](../book/errata.md): each is arithmetic on
# the article's own figures (the `value` fields of the claims), checked where it helps on our
# **simulated** benchmark (RouterBench-Sim: outcomes drawn by `routerlab.data.simulate`, not real LLM
# answers). Nothing on the errata page is typed by hand.

# %% tags=["parameters"]
scale = 1.0          # size of the simulated benchmark of the identity checks (1.0 means 67,500 queries)
seed = 0             # seed of that benchmark and of the random router
n_seeds = 5          # number of random-router draws in the identity check
executed_dir = "."   # where the executed chapter notebooks are (bookrun runs us in the notebooks folder)

# %%
import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
from IPython.display import HTML
from myst_nb import glue

import routerlab as rl
from routerlab.book import run as bookrun
from routerlab.reproduction import ledger
from routerlab.book import style
from routerlab.book.glue import glue_value
from routerlab.book.tables import html_table
from routerlab.reproduction.findings import source_label
from routerlab.data.catalog import DATASETS

style.use()
pd.options.display.float_format = "{:,.4g}".format  # 0.548, 405,000: no six-decimal dumps
from routerlab.metrics import coub_choice, oracle_choice, routing_score

pd.set_option("display.max_colwidth", None)  # the ledger's statements must not be cut short


g = glue_value  # glue a plain Python number or string for the text

# %% [markdown]
# ## Which notebooks feed the ledger
#
# Every executed chapter `NN_name.ipynb` with `NN` below 90 of the book (a notebook of `_toc.yml`
# with its source in `notebooks/`), read from the folder bookrun wrote the executed notebooks to
# (`executed_dir`; with `--out-dir DIR`, that folder), in name order; when two chapters record the
# same claim, the later one wins. The table shows the parameters papermill ran each chapter with,
# against the book's reference parameters (the value most chapters ran with), so that a chapter
# executed with other values than the rest stands out.

# %%
chapters = bookrun.book_chapters(executed_dir, sources_dir=".")
param_check = bookrun.parameter_check(executed_dir, ".")
param_rows = {r["notebook"]: r for r in param_check["notebooks"]}
other_params = [p.stem for p in chapters if param_rows.get(p.stem, {}).get("differs")]


def chapter_row(path: Path) -> dict:
    nb = json.loads(path.read_text(encoding="utf-8"))
    params = nb.get("metadata", {}).get("papermill", {}).get("parameters", {})
    entries = [json.loads(v) for k, v in ledger.glued_values(path).items() if k.startswith("ledger:")]
    differs = param_rows.get(path.stem, {}).get("differs")
    return {"chapter": path.stem, "scale": params.get("scale"), "n_seeds": params.get("n_seeds"),
            "claims recorded": len(entries),
            "real-data checks": sum(len(e.get("real") or {}) for e in entries),
            "against the book": "OTHER: " + bookrun.parameter_text(differs) if differs else "as the book"}


sources = pd.DataFrame([chapter_row(p) for p in chapters],
                       columns=["chapter", "scale", "n_seeds", "claims recorded", "real-data checks",
                                "against the book"])
style.table(sources.rename(columns={"n_seeds": "seeds"}), hide_index=True,
            formats={"scale": "{:g}", "seeds": "{:.0f}"}, na="—")

# %% tags=["remove-input"]
g("n_chapters_read", len(chapters))
g("n_chapter_entries", int(sources["claims recorded"].sum()))
g("reference_text", bookrun.parameter_text(param_check["reference"]) or "no parameters")

# %% [markdown]
# The ledger read {glue:text}`n_chapters_read:d` executed chapters, executed
# {glue:text}`scale_note`.
#
# ## The article's figures the derivations start from
#
# Read from the claims, not retyped.

# %%
V = {c["id"]: c.get("value") for c in ledger.claims()}
art = {
    "gpt4o_rs": V["result.gpt4o.rs"], "gpt4o_q": V["result.gpt4o.quality"],
    "llama_rs": V["result.llama8b.rs"], "llama_q": V["result.llama8b.quality"],
    "llama_reduction": V["result.llama8b.cost_reduction"], "random_rs": V["result.random.rs"],
    "mf_rs": V["result.mf.rs"], "oracle_rs": V["result.oracle.rs"],
    "oracle_q": V["result.oracle.quality"], "cascade_rs": V["result.cascade.rs"],
    "frugal_rs": V["result.frugalgpt.rs"], "two_models": V["ablation.two_models"],
    "instances": V["bench.size"]["instances"], "n_datasets": V["bench.size"]["datasets"],
    "n_models": V["bench.size"]["models"],
}
pd.Series(art, name="article")

# %% [markdown]
# ## A simulated benchmark for the identity checks
#
# The bounds and the random-router identity are properties of *any* benchmark, so we check them
# on the simulated one (all its queries, no split: nothing is learned here).

# %%
from routerlab.data.simulate import simulate

bench = simulate(scale=scale, seed=seed)
Q, C = bench.quality, bench.cost
names = bench.model_names
j_llama, j_gpt = names.index("Llama-3-8B-Instruct"), names.index("GPT-4o")
single = {norm: np.array([routing_score(Q[:, j], C[:, j], C, norm) for j in range(len(names))])
          for norm in ("global", "per-query")}
acc = Q.mean(axis=0)
print(bench.describe().splitlines()[0])

# %% [markdown]
# ### `rs.definition`: which normalisation?
#
# Under per-query normalisation the cheapest model on a query has a cost factor of exactly 1, so a
# model that is the cheapest on every query has RS equal to its quality. The article's Llama-3-8B
# pair would then read RS = quality = {glue:text}`art_llama_q:.3f`, not {glue:text}`art_llama_rs:.3f`:
# the pair implies a global normalisation.

# %%
cheapest_share = float((C.argmin(axis=1) == j_llama).mean())
rsdef = {
    "rsdef_llama_rs_perquery": art["llama_q"] * 1.0,        # factor 1 on every query
    "rsdef_gap": art["llama_q"] - art["llama_rs"],
    "rsdef_sim_cheapest_share": cheapest_share,
    "rsdef_sim_llama_q": float(acc[j_llama]),
    "rsdef_sim_llama_rs_perquery": float(single["per-query"][j_llama]),
    "rsdef_sim_llama_rs_global": float(single["global"][j_llama]),
}
pd.Series(rsdef)

# %% tags=["remove-input"]
for k, v in rsdef.items():
    g(k, v)
g("art_llama_q", art["llama_q"])
g("art_llama_rs", art["llama_rs"])

# %% [markdown]
# ### `bounds.coub`: OUB and COUB are one policy
#
# With quality in {0, 1} a query's RS contribution is 0 for a wrong answer and decreases with
# cost for a right one, so the best model for a query is the cheapest correct one (and the
# cheapest model when none is correct): exactly the COUB rule.

# %%
coub = coub_choice(Q, C)
paid = lambda ch: C[np.arange(len(ch)), ch]  # noqa: E731
got = lambda ch: Q[np.arange(len(ch)), ch]   # noqa: E731
bounds = {}
for norm in ("global", "per-query"):
    oub = oracle_choice(Q, C, norm)
    bounds[norm] = {"same choice": float((oub == coub).mean()),
                    "OUB RS": routing_score(got(oub), paid(oub), C, norm),
                    "COUB RS": routing_score(got(coub), paid(coub), C, norm)}
bounds = pd.DataFrame(bounds).T
bounds

# %% tags=["remove-input"]
g("coub_same_global", bounds.loc["global", "same choice"])
g("coub_same_perquery", bounds.loc["per-query", "same choice"])
g("coub_oub_rs", bounds.loc["global", "OUB RS"])
g("coub_coub_rs", bounds.loc["global", "COUB RS"])
g("coub_rs_diff", abs(bounds.loc["global", "OUB RS"] - bounds.loc["global", "COUB RS"]))

# %% [markdown]
# ### `result.random.rs`: the random router is the mean of the single models
#
# A query's RS contribution under uniform random routing is, in expectation, the mean of its six
# single-model contributions; averaging over queries, E[RS(random)] is the mean of the six
# single-model RS values. With the article's {glue:text}`art_gpt4o_rs:.3f` (GPT-4o) and
# {glue:text}`art_llama_rs:.3f` (Llama-3-8B) and its random RS {glue:text}`art_random_rs:.3f`, the
# four models it does not report must average {glue:text}`rand_others_mean:.4f`.

# %%
others_mean = (art["n_models"] * art["random_rs"] - art["gpt4o_rs"] - art["llama_rs"]) / (art["n_models"] - 2)
random_draws = []
for s in range(seed, seed + n_seeds):
    ch = rl.make_router("random", seed=s).fit(bench).route(bench.without_truth()).choice
    random_draws.append(routing_score(got(ch), paid(ch), C, "global"))
rand = {"others_mean": others_mean, "sim_mean_single": float(single["global"].mean()),
        "sim_random_mean": float(np.mean(random_draws)),
        "sim_random_spread": float(np.ptp(random_draws))}
pd.Series(rand)

# %% tags=["remove-input"]
g("rand_others_mean", rand["others_mean"])
g("rand_sim_mean_single", rand["sim_mean_single"])
g("rand_sim_random_mean", rand["sim_random_mean"])
g("rand_sim_random_spread", rand["sim_random_spread"])
g("rand_n_draws", n_seeds)
g("art_random_rs", art["random_rs"])
g("art_gpt4o_rs", art["gpt4o_rs"])

# %% [markdown]
# ### `result.llama8b.cost_reduction`: an upper bound from the RS rows
#
# RS / quality is the mean cost factor 1 - (c - c_min) / (c_max - c_min) over the correctly answered
# queries. For a model with one fixed cost per query, the two fixed-model rows give each model's
# normalised cost; their ratio bounds the cost ratio from below because c_min >= 0:
# (c_llama - c_min) / (c_gpt - c_min) = r implies c_llama = r c_gpt + (1 - r) c_min >= r c_gpt.

# %%
red = {"llama_factor": art["llama_rs"] / art["llama_q"],
       "gpt_factor": art["gpt4o_rs"] / art["gpt4o_q"]}
red["llama_ncost"] = 1 - red["llama_factor"]
red["gpt_ncost"] = 1 - red["gpt_factor"]
red["ratio"] = red["llama_ncost"] / red["gpt_ncost"]
red["max_reduction"] = 1 - red["ratio"]
red["article_reduction"] = art["llama_reduction"]
# the same steps on our simulated data, and the cost reduction we actually have there
red["sim_llama_factor"] = float(single["global"][j_llama] / acc[j_llama])
red["sim_gpt_factor"] = float(single["global"][j_gpt] / acc[j_gpt])
red["sim_reduction"] = float(1 - C[:, j_llama].mean() / C[:, j_gpt].mean())
pd.Series(red)

# %% tags=["remove-input"]
for k, v in red.items():
    g(f"red_{k}", v)

# %% [markdown]
# ### `result.oracle.quality`: the oracle cannot be less accurate than GPT-4o
#
# The RS-maximising oracle answers correctly whenever some model does, so its quality is at
# least every single model's quality.

# %%
oub = oracle_choice(Q, C, "global")
orq = {"article_gap": art["oracle_q"] - art["gpt4o_q"],
       "sim_oracle_q": float(got(oub).mean()),
       "sim_any_correct": float((Q.max(axis=1) > 0).mean()),
       "sim_best_single_q": float(acc.max())}
pd.Series(orq)

# %% tags=["remove-input"]
for k, v in orq.items():
    g(f"orq_{k}", v)
g("art_oracle_q", art["oracle_q"])
g("art_gpt4o_q", art["gpt4o_q"])

# %% [markdown]
# ### `result.frugalgpt.rs` and `ablation.two_models`
#
# The results table merges "Cascade (FrugalGPT)" into one row; the algorithm table gives both
# rows the same RS. "About 8 points" lower with two models reads as an absolute RS difference or a
# relative one; from the article's six-model MF RS the two readings predict different two-model RS.

# %%
two = {"absolute": art["mf_rs"] - art["two_models"],
       "relative": art["mf_rs"] * (1 - art["two_models"])}
two["relative_drop"] = art["mf_rs"] - two["relative"]
merged_diff = abs(art["cascade_rs"] - art["frugal_rs"])
pd.Series(dict(two, merged_diff=merged_diff))

# %% tags=["remove-input"]
g("two_abs", two["absolute"])
g("two_rel", two["relative"])
g("two_rel_drop", two["relative_drop"])
g("art_two_models", art["two_models"])
g("art_mf_rs", art["mf_rs"])
g("art_cascade_rs", art["cascade_rs"])
g("art_frugal_rs", art["frugal_rs"])
g("frugal_merged_diff", merged_diff)

# %% [markdown]
# ### `bib.arxiv` and `bench.size`: whose numbers?
#
# Facts about the paper behind the linked code (arXiv 2403.12031, Hu et al. 2024), from the
# project's reference notes on the RouterBench repository: {glue:text}`hu_n_models:d` LLMs,
# {glue:text}`hu_n_datasets:d` datasets, {glue:text}`hu_samples:,d` samples; its 0-shot table has
# {glue:text}`hu_prompts_0shot:,d` prompts. The article's {glue:text}`art_instances:,d` is that
# paper's figure rounded, but with its own six models it would need
# {glue:text}`bib_article_per_model:,.0f` queries per model. The twelve Open LLM Leaderboard sets
# this book uses (its own choice: the article names five) have
# {glue:text}`bib_real_queries:,d` test queries.

# %%
hu = {"n_models": 11, "n_datasets": 8, "samples": 405_467, "prompts_0shot": 36_497}
bib = {
    "rows_0shot": hu["prompts_0shot"] * hu["n_models"],            # 401,467
    "gap": hu["samples"] - hu["prompts_0shot"] * hu["n_models"],   # 4,000
    "article_per_model": art["instances"] / art["n_models"],       # 67,500
    "article_vs_hu": hu["samples"] - art["instances"],
    "real_queries": sum(d.n_test for d in DATASETS),
}
bib["real_instances"] = bib["real_queries"] * art["n_models"]
bib["rag_models"] = 5                                              # RAG split: about 5 models
bib["rag_prompts"] = bib["gap"] // bib["rag_models"]               # prompts that would fill the gap
pd.Series(bib)

# %% tags=["remove-input"]
for k, v in hu.items():
    g(f"hu_{k}", v)
for k, v in bib.items():
    g(f"bib_{k}", v)
g("art_instances", art["instances"])

# %% [markdown]
# ## The ledger's own verdicts
#
# Some claims are settled by the arithmetic above rather than by a chapter's measurement. For
# those, this notebook records an entry, used **only if no chapter recorded the claim** (a
# chapter's measurement takes precedence; its verdict and note then say what it found). The
# criteria were fixed with the derivations, before the ledger was assembled:
#
# - `result.oracle.quality`, `result.llama8b.cost_reduction`: "inconsistent in the source" when
#   the article's own figures violate an inequality that holds for every benchmark.
# - `bib.arxiv`: "inconsistent in the source" when the cited arXiv id and authors are not those of
#   the paper behind the linked code.

# %%
# Measurements only: the verdicts come from the pre-registered criteria (routerlab/reproduction/criteria.yaml),
# the same entries the chapters' records are judged by. bounds.coub is chapter 02's alone.
NO_INTERVAL = {"seeds_lo": None, "seeds_hi": None, "boot_lo": None, "boot_hi": None}  # all rows, no splits
CITED_ARXIV = "2409.05694"   # the article's citation (claims.yaml, bib.arxiv)
CODE_ARXIV = "2403.12031"    # the paper of the linked code, withmartian/routerbench (Hu et al. 2024)
own = [
    ledger.record("result.oracle.quality", ours=orq["sim_oracle_q"], chapter="90_ledger", glue=False,
                  measured=dict(NO_INTERVAL, ours=orq["sim_oracle_q"], best_single_quality=orq["sim_best_single_q"],
                                article_gpt4o_quality=art["gpt4o_q"]),
                  note=f"article's oracle is {orq['article_gap']:+.3f} below GPT-4o; ours is the simulated oracle"),
    ledger.record("result.llama8b.cost_reduction", ours=f"<= {red['max_reduction']:.3f} (implied bound)",
                  measured=dict(NO_INTERVAL, ours=red["sim_reduction"], max_reduction=red["max_reduction"]),
                  glue=False, chapter="90_ledger"),
    ledger.record("bib.arxiv", ours=f"arXiv {CODE_ARXIV} (Hu et al. 2024): 11 LLMs, 8 datasets, 405,467 samples",
                  measured={"cited_is_code_paper": CITED_ARXIV in ledger.claim("bib.arxiv")["statement"]
                            and CITED_ARXIV == CODE_ARXIV},
                  glue=False, chapter="90_ledger",
                  note=f"the article cites arXiv {CITED_ARXIV}; the code it links belongs to arXiv {CODE_ARXIV}"),
]
pd.DataFrame(own)[["id", "ours", "verdict"]]

# %% [markdown]
# ## The ledger

# %%
table = ledger.collect(chapters, fallback=own)
counts = ledger.verdict_counts(table)
display_table = ledger.ledger_table(table)
counts

# %% tags=["remove-input"]
# which chapters ran with other parameters than the book's, and which rows come from them
stale_rows = {c: table.loc[(table["chapter"] == c) & (table["source"] == "chapter"), "id"].tolist()
              for c in other_params}
g("n_other_params", len(other_params))
g("scale_note", f"all with the book's parameters, {bookrun.parameter_text(param_check['reference'])}"
  if not other_params else "NOT all with the book's parameters ("
  + bookrun.parameter_text(param_check["reference"]) + "): " + "; ".join(
      f"{c} ran with {bookrun.parameter_text(param_rows[c]['differs'])}, and the rows "
      + (", ".join(stale_rows[c]) or "(none)") + " come from it" for c in other_params)
  + "; rerun with the book's parameters (the status page gives the command)")

# %% tags=["remove-input"]
# one header row, no index column: the claim id is the first column; long cells wrap, and the
# real-data column has one line per real source the claim was checked on ("—": none)
# (shown on book/reproduction.md, hence the links relative to the book/ folder)
glue("ledger_table", HTML(ledger.ledger_html(display_table, link=lambda c: f"../notebooks/{c}.html")),
     display=False)
g("n_claims", len(table))
for verdict, n in counts.items():
    g("n_" + verdict.replace(" ", "_"), int(n))
g("n_from_chapters", int((table["source"] == "chapter").sum()))
g("n_from_ledger", int((table["source"] == "ledger").sum()))

# %% [markdown]
# ## The same checks on real outcomes
#
# Where a chapter could check a claim on real per-query outcomes too (RouterBench's own subset,
# LLMRouter's or MMLU-Pro's; see [Does the simulator tell the truth?](09_simulator_truth.ipynb)),
# it recorded the real value beside the simulated one, judged by the same criterion. The ledger's
# "real data" column lists them, one line per source (costs on llmrouter and mmlu-pro are
# estimated); {glue:text}`n_real_checks:d` such checks in this build:
# {glue:text}`real_counts_text`.

# %%
real_counts = ledger.real_verdict_counts(table)
real_counts

# %% tags=["remove-input"]
g("n_real_checks", int(real_counts.to_numpy().sum()))
g("real_counts_text", "; ".join(
    f"{source_label(src)}: "
    + ", ".join(f"{n} {v}" for v, n in row.items() if n)
    for src, row in real_counts.iterrows()) or "no chapter checked a claim on real data in this build")

# %% [markdown]
# Verdicts by chapter (the ledger notebook's own entries count as `90_ledger`):

# %%
pd.crosstab(table["chapter"].replace("", "(none)"), table["verdict"]).reindex(
    columns=list(ledger.VERDICTS), fill_value=0)

# %% [markdown]
# Each criterion, as the chapter wrote it before computing the result (with the chapter's note and
# its real-data checks):

# %% tags=["hide-output"]
full = table.loc[table["criterion"].astype(bool)].assign(
    real_data=lambda d: d["real"].map(ledger.real_text))
HTML(html_table(full[["id", "chapter", "criterion", "note", "real_data"]].rename(
    columns={"real_data": "real data"}), widths={"criterion": "18em", "note": "16em", "real data": "16em"},
    css_class="rl-criteria"))

# %% tags=["remove-input"]
# errata: what the chapters measured for the audited claims (text, so that a missing chapter
# leaves a readable sentence instead of a broken build)
def measured(claim_id: str) -> str:
    row = table.set_index("id").loc[claim_id]
    if row["source"] != "chapter":
        return "not measured by any chapter in this build"
    ours = row["ours"]
    ours = f"{ours:.3f}" if isinstance(ours, float) else str(ours)
    interval = (f" [{row['lo']:.3f}, {row['hi']:.3f}]"
                if isinstance(row["lo"], float) and np.isfinite(row["lo"]) else "")
    return f"{ours}{interval} ({row['verdict']}, {row['chapter']})"


for cid in ("result.random.rs", "result.cascade.rs", "result.frugalgpt.rs", "ablation.two_models",
            "setting.cascade_threshold", "result.llama8b.cost_reduction", "result.oracle.quality",
            "result.oracle.rs", "rs.definition", "bounds.coub"):
    g("measured_" + cid.replace(".", "_"), measured(cid))
