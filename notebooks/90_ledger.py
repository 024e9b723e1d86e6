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
import pandas as pd

from routerlab.chapters import ledger_page as page
from routerlab.chapters.summary_pages import chapters_read, glue_all
from routerlab.reproduction import ledger

page.use_display_options()  # the book's style; pandas shows 0.548 and 405,000, never cuts a cell

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
read = chapters_read(executed_dir)
sources, glued = page.chapters_table(read)
sources

# %% tags=["remove-input"]
glue_all(glued)

# %% [markdown]
# The ledger read {glue:text}`n_chapters_read:d` executed chapters, executed
# {glue:text}`scale_note`.
#
# ## The article's figures the derivations start from
#
# Read from the claims, not retyped.

# %%
art = page.article_figures()
pd.Series(art, name="article")

# %% [markdown]
# ## A simulated benchmark for the identity checks
#
# The bounds and the random-router identity are properties of *any* benchmark, so we check them
# on the simulated one (all its queries, no split: nothing is learned here).

# %%
sim = page.simulated(scale, seed)  # sim.Q, sim.C: quality and cost, queries x models
print(sim.bench.describe().splitlines()[0])

# %% [markdown]
# ### `rs.definition`: which normalisation?
#
# Under per-query normalisation the cheapest model on a query has a cost factor of exactly 1, so a
# model that is the cheapest on every query has RS equal to its quality. The article's Llama-3-8B
# pair would then read RS = quality = {glue:text}`art_llama_q:.3f`, not {glue:text}`art_llama_rs:.3f`:
# the pair implies a global normalisation.

# %%
rsdef, glued = page.rs_definition(art, sim)
pd.Series(rsdef)

# %% tags=["remove-input"]
glue_all(glued)

# %% [markdown]
# ### `bounds.coub`: OUB and COUB are one policy
#
# With quality in {0, 1} a query's RS contribution is 0 for a wrong answer and decreases with
# cost for a right one, so the best model for a query is the cheapest correct one (and the
# cheapest model when none is correct): exactly the COUB rule.

# %%
bounds, glued = page.coub_bounds(sim)
bounds

# %% tags=["remove-input"]
glue_all(glued)

# %% [markdown]
# ### `result.random.rs`: the random router is the mean of the single models
#
# A query's RS contribution under uniform random routing is, in expectation, the mean of its six
# single-model contributions; averaging over queries, E[RS(random)] is the mean of the six
# single-model RS values. With the article's {glue:text}`art_gpt4o_rs:.3f` (GPT-4o) and
# {glue:text}`art_llama_rs:.3f` (Llama-3-8B) and its random RS {glue:text}`art_random_rs:.3f`, the
# four models it does not report must average {glue:text}`rand_others_mean:.4f`.

# %%
rand, glued = page.random_identity(art, sim, seed, n_seeds)
pd.Series(rand)

# %% tags=["remove-input"]
glue_all(glued)

# %% [markdown]
# ### `result.llama8b.cost_reduction`: an upper bound from the RS rows
#
# RS / quality is the mean cost factor 1 - (c - c_min) / (c_max - c_min) over the correctly answered
# queries. For a model with one fixed cost per query, the two fixed-model rows give each model's
# normalised cost; their ratio bounds the cost ratio from below because c_min >= 0:
# (c_llama - c_min) / (c_gpt - c_min) = r implies c_llama = r c_gpt + (1 - r) c_min >= r c_gpt.

# %%
red, glued = page.cost_reduction_bound(art, sim)
pd.Series(red)

# %% tags=["remove-input"]
glue_all(glued)

# %% [markdown]
# ### `result.oracle.quality`: the oracle cannot be less accurate than GPT-4o
#
# The RS-maximising oracle answers correctly whenever some model does, so its quality is at
# least every single model's quality.

# %%
orq, glued = page.oracle_quality(art, sim)
pd.Series(orq)

# %% tags=["remove-input"]
glue_all(glued)

# %% [markdown]
# ### `result.frugalgpt.rs` and `ablation.two_models`
#
# The results table merges "Cascade (FrugalGPT)" into one row; the algorithm table gives both
# rows the same RS. "About 8 points" lower with two models reads as an absolute RS difference or a
# relative one; from the article's six-model MF RS the two readings predict different two-model RS.

# %%
two, glued = page.two_models(art)
pd.Series(two)

# %% tags=["remove-input"]
glue_all(glued)

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
bib, glued = page.bib_counts(art)
pd.Series(bib)

# %% tags=["remove-input"]
glue_all(glued)

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
own = [
    ledger.record("result.oracle.quality", ours=orq["sim_oracle_q"], chapter="90_ledger", glue=False,
                  measured=dict(page.NO_INTERVAL, ours=orq["sim_oracle_q"], best_single_quality=orq["sim_best_single_q"],
                                article_gpt4o_quality=art["gpt4o_q"]),
                  note=f"article's oracle is {orq['article_gap']:+.3f} below GPT-4o; ours is the simulated oracle"),
    ledger.record("result.llama8b.cost_reduction", ours=f"<= {red['max_reduction']:.3f} (implied bound)",
                  measured=dict(page.NO_INTERVAL, ours=red["sim_reduction"], max_reduction=red["max_reduction"]),
                  glue=False, chapter="90_ledger"),
    ledger.record("bib.arxiv", ours=f"arXiv {page.CODE_ARXIV} (Hu et al. 2024): 11 LLMs, 8 datasets, 405,467 samples",
                  measured={"cited_is_code_paper": page.cited_is_code_paper()}, glue=False, chapter="90_ledger",
                  note=f"the article cites arXiv {page.CITED_ARXIV}; the code it links belongs to arXiv {page.CODE_ARXIV}"),
]
pd.DataFrame(own)[["id", "ours", "verdict"]]

# %% [markdown]
# ## The ledger

# %%
table = ledger.collect(read["chapters"], fallback=own)
ledger.verdict_counts(table)

# %% tags=["remove-input"]
# which chapters ran with other parameters than the book's, and which rows come from them
glue_all(page.parameter_values(table, read))

# %% tags=["remove-input"]
glue_all(page.ledger_values(table))

# %% [markdown]
# ## The same checks on real outcomes
#
# Where a chapter could check a claim on real per-query outcomes too (RouterBench's own subset,
# LLMRouter's or MMLU-Pro's; see [Does the simulator tell the truth?](09_simulator_truth.ipynb)),
# it recorded the real value beside the simulated one. The real outcomes come from other models,
# tasks and prices than the article's, so the same criterion cannot judge the article's numbers
# there. The rule, applied by `routerlab.reproduction.criteria.judge` (`on="real data"`) and fixed
# for every claim alike: {glue:text}`real_data_rule`. A clause is a number of the article's setting
# when it compares a measurement with the article's value; the rest of a criterion (an ordering,
# a sign, a threshold) is its shape. So a claim such as "BERT's RS is 0.581" is judged on the
# simulator only, while "MF has the highest RS of the ten" or "the correlation is negative" is
# judged on real data too.
#
# The ledger's "real data" column lists the checks, one line per source (costs on llmrouter and
# mmlu-pro are estimated); {glue:text}`n_real_checks:d` such checks in this build:
# {glue:text}`n_real_judged:d` judged by their shape (reproduced or not reproduced),
# {glue:text}`n_real_not_applicable:d` not applicable (numbers of the article's setting, shown but
# not judged), {glue:text}`n_real_not_checkable_here:d` not checkable here and
# {glue:text}`n_real_inconsistent_in_the_source:d` inconsistent in the source. By source:
# {glue:text}`real_counts_text`.

# %%
real_counts = ledger.real_verdict_counts(table)
real_counts

# %% tags=["remove-input"]
glue_all(page.real_values(real_counts))

# %% [markdown]
# Verdicts by chapter (the ledger notebook's own entries count as `90_ledger`):

# %%
page.verdicts_by_chapter(table)

# %% [markdown]
# Each criterion, as the chapter wrote it before computing the result (with the chapter's note and
# its real-data checks):

# %% tags=["hide-output"]
page.criteria_html(table)

# %% tags=["remove-input"]
# errata: what the chapters measured for the audited claims (a readable sentence when none did)
glue_all(page.errata_values(table))

