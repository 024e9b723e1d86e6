# ---
# jupyter:
#   jupytext:
#     formats: py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Real outcomes: GPT-4 versus Mixtral on MMLU and GSM8K
#
# Every other chapter runs on RouterBench-Sim, whose outcomes a simulator draws. This chapter runs
# the same routers on **real** per-question outcomes: the RouteLLM project (Ong et al., 2024)
# published whether `gpt-4-1106-preview` and `Mixtral-8x7B-Instruct-v0.1` answered each MMLU and
# GSM8K test question correctly. Two models, real prompts, real correctness. We score the routers
# with all the metrics met so far, the article's {term}`Routing Score <RS>` (RS),
# {term}`RouterBench`'s {term}`AIQ` (chapter 07) and {term}`RouteLLM`'s {term}`APGR` and
# {term}`CPT`, and ask what routing from the prompt text alone can achieve.
#
# ```{admonition} Where the data comes from
# :class: note
# The files are read from `../shared/data/routellm` beside the project, from a folder given as
# `data_dir` (or in the environment variable `ROUTERLAB_DATA_DIR`), or from the per-user data folder
# that `make data` (`routerlab data fetch`) fills, on a machine with internet access, with the files
# of lm-sys/RouteLLM at commit `0b64fda` (`routellm/evals/`), checking every SHA-256 against the
# digests shipped in the package. Status of this build: **{glue:text}`data_status`**. Without the
# files the chapter still executes on a small simulated stand-in and every number below reads
# "n/a".
# ```
#
# Costs are {term}`estimated <estimated cost>`, not observed: tokens of the stored prompt and of the answer (one token on
# MMLU, the real answer text on GSM8K), counted by an offline approximation of OpenAI's
# `cl100k_base` tokenizer, times the list prices (GPT-4-1106-preview $10/$30, Mixtral-8x7B
# $0.60/$0.60 per million input/output tokens). RouteLLM's prompts carried few-shot examples that
# the published files do not keep, so these are the costs of zero-shot calls.

# %% tags=["parameters"]
scale = 1.0        # share of the questions used (stratified subsample), all 15,344 at 1.0
min_per_dataset = 500  # but at least this many questions of each dataset (or all it has)
seed = 0           # seed of the subsample when scale < 1
n_seeds = 5        # train/test splits, seeds 0 .. n_seeds - 1
data_dir = None    # folder with the RouteLLM files (None: search the usual places)
features = "tfidf"  # query features from the prompt text: "tfidf" (default) or "minilm"
judge_error = 0.2  # error rate of the cascade's simulated judge (RouterBench plots 0.2)

# %% tags=["remove-input"]
import time

import matplotlib.pyplot as plt

from routerlab.book import style
from routerlab.book.glue import glue_figure
from routerlab.chapters import real_outcomes as ch
from routerlab.evaluation import curves as cv

style.use()

t_start = time.perf_counter()
bench, HAVE_DATA, status, counts = ch.load(data_dir, scale, seed, min_per_dataset)
G = ch.Glued(HAVE_DATA)  # every value glued; without the real data, measured numbers read NaN and texts "n/a"
G.add({"data_status": status, "scale_used": scale, "min_per_dataset": min_per_dataset}, measured=False)
G.add(counts)

# %% [markdown]
# ## The data
#
# After RouteLLM's decontamination (prompts too similar to its router training data are dropped),
# {glue:text}`n_mmlu__text` MMLU and {glue:text}`n_gsm8k__text` GSM8K questions remain (this run uses
# {glue:text}`n_used__text` of them: scale {glue:text}`scale_used__text`, at least
# {glue:text}`min_per_dataset__text` per dataset; the numbers below are on those). GPT-4 answers
# {glue:text}`acc_strong_mmlu__text` of MMLU and {glue:text}`acc_strong_gsm8k__text` of GSM8K correctly,
# Mixtral {glue:text}`acc_weak_mmlu__text` and {glue:text}`acc_weak_gsm8k__text`. What a two-model
# router can gain is fixed by the joint outcomes: only the questions Mixtral gets wrong and GPT-4
# right ({glue:text}`only_strong_mmlu__text` of MMLU, {glue:text}`only_strong_gsm8k__text` of GSM8K) are
# worth sending to GPT-4, and on {glue:text}`only_weak_mmlu__text` and {glue:text}`only_weak_gsm8k__text`
# it is Mixtral that is right and GPT-4 wrong. A GPT-4 call costs {glue:text}`cost_ratio_mmlu__text`
# times a Mixtral call on MMLU (one-token answers) and {glue:text}`cost_ratio_gsm8k__text` times on
# GSM8K ({numref}`tbl-08-overview`).

# %% tags=["remove-input"]
values, table = ch.overview(bench)
G.add(values)
G.displays({"tbl_overview": table})

# %% [markdown]
# ```{glue:figure} tbl_overview
# :name: "tbl-08-overview"
# :figclass: table
# :alt: "Table of the two models' accuracies, joint outcomes and costs per question on MMLU and GSM8K"
# The real outcomes: each model's accuracy, the shares of questions both, only one or neither
# model answers correctly, and the mean (estimated) cost per question.
# ```

# %% [markdown]
# ## The routers and the protocol
#
# Each dataset is routed on its own (as RouteLLM evaluates them): {glue:text}`n_seeds_used__text`
# {term}`stratified <stratified split>` 80/20 splits; on each, the prompt texts of the training rows fit the text features
# (TF-IDF over words and word pairs, reduced to 64 dimensions by truncated SVD, so no statistic of
# a test prompt enters), and every router of chapter 03 that predicts from the query
# ({term}`MF`, BERT classification, sequence classification, causal LM, {term}`kNN <kNN router>`, MLP) is
# trained on the training rows.
# On the test rows each router is scored four ways:
#
# * **RS**: the article's rule (expected success times one minus normalised expected cost),
#   normalised on the test rows' cost range;
# * **APGR and CPT** (RouteLLM): the router's score for "GPT-4 is worth it" (here
#   (1 + P(GPT-4 right) − P(Mixtral right)) / 2) is thresholded at its deciles, giving quality at
#   0, 10, ..., 100% GPT-4 calls; {term}`PGR` rescales quality so Mixtral alone is 0 and GPT-4
#   alone is 1; APGR is the mean PGR over the call share, CPT(x%) the smallest call share reaching
#   PGR = x%;
# * **AIQ** (RouterBench): the area under the hull ({term}`NDCH`) of the router's cost-quality
#   {term}`operating points <operating point>` (RouterBench's
#   {term}`willingness-to-pay <willingness to pay>` sweep over its 32 values of lambda, plus the decile
#   thresholds above, because with two models most lambdas give the same all-Mixtral or all-GPT-4
#   point), in both normalisations of chapter 07.
#
# Three references bracket them: the **subject prior** (each model's training accuracy on the
# question's MMLU subject; one value for all of GSM8K), which reads a label instead of the text;
# **random** routing; and RouterBench's **{term}`cascade` with a simulated judge**: ask Mixtral, and call
# GPT-4 when a judge rejects the answer, the judge knowing the truth but erring with probability
# {glue:text}`judge_error__text`. The cascade is not a deployable router: its judge reads the
# correctness that no router may see. The **{term}`oracle`** sends to GPT-4 exactly the questions where
# only GPT-4 is right.

# %%
study = cv.two_model_study(bench, seeds=range(n_seeds), features=features,
                           judge_error=judge_error)

# %% tags=["remove-input"]
G.add({"n_seeds_used": n_seeds, "judge_error": judge_error}, measured=False)
LABELS = ch.labels(study.weak, study.strong)
tables = ch.router_tables(study)   # {dataset: routers x metrics, mean and 95% interval over the splits}
G.displays(ch.router_views(tables, LABELS))

# %% [markdown]
# ### MMLU
#
# {numref}`tbl-08-mmlu` and {numref}`tbl-08-gsm8k` give each router's RS, APGR, CPT(50%) and
# AIQ: the mean over the splits, with the 95% t-interval across splits ({term}`seed interval`)
# below it. APGR and CPT are not defined for a single model (there is no curve of call shares),
# and the zero router is only a cost-quality hull, so it has an AIQ alone. The complete tables,
# with quality, the share of GPT-4 calls under the RS rule (for the cascade: after a rejection),
# CPT(80%) and AIQ in both normalisations, are behind the toggles.
#
# ```{glue:figure} tbl_mmlu
# :name: "tbl-08-mmlu"
# :figclass: table
# :alt: "Table of RS, APGR, CPT(50%) and AIQ of every router on MMLU, with 95% intervals"
# MMLU: the routers' scores on the test rows, mean over the splits with 95% intervals.
# ```
#
# ````{dropdown} MMLU, every metric
# ```{glue:figure} tbl_mmlu_full
# ```
# ````

# %% [markdown]
# ### GSM8K
#
# ```{glue:figure} tbl_gsm8k
# :name: "tbl-08-gsm8k"
# :figclass: table
# :alt: "Table of RS, APGR, CPT(50%) and AIQ of every router on GSM8K, with 95% intervals"
# GSM8K: the routers' scores on the test rows, mean over the splits with 95% intervals.
# ```
#
# ````{dropdown} GSM8K, every metric
# ```{glue:figure} tbl_gsm8k_full
# ```
# ````

# %% [markdown]
# ## The headline: matrix factorisation on MMLU
#
# MF recovers on average {glue:text}`mf_apgr_mmlu__text` of the GPT-4-Mixtral quality gap over the
# range of call shares (APGR; interval across splits {glue:text}`mf_apgr_mmlu_lo__text` to
# {glue:text}`mf_apgr_mmlu_hi__text`; random routing gives {glue:text}`random_apgr_mmlu__text`), and
# half of the gap at {glue:text}`mf_cpt50_mmlu__text` of the queries sent to GPT-4 (CPT(50%),
# interval {glue:text}`mf_cpt50_mmlu_lo__text` to {glue:text}`mf_cpt50_mmlu_hi__text`; random needs
# {glue:text}`random_cpt50_mmlu__text`). Reaching 80% of the gap takes
# {glue:text}`mf_cpt80_mmlu__text` (random {glue:text}`random_cpt80_mmlu__text`). On GSM8K, MF's APGR
# is {glue:text}`mf_apgr_gsm8k__text` and its CPT(50%) {glue:text}`mf_cpt50_gsm8k__text`. The best
# learned router by APGR is {glue:text}`best_apgr_mmlu` on MMLU and {glue:text}`best_apgr_gsm8k`
# on GSM8K.

# %% tags=["remove-input"]
G.add(ch.router_values(tables, LABELS))

# %% [markdown]
# {numref}`fig-08-share-curves` is the RouteLLM view of split 0: quality against the share of
# GPT-4 calls. The dotted lines are Mixtral alone (PGR 0) and GPT-4 alone (PGR 1); random routing
# runs straight between them; the oracle rises with slope 1 until every question that needs GPT-4
# has it.
#
# ```{glue:figure} fig_share_curves
# :name: "fig-08-share-curves"
# :alt: "Two panels, MMLU above and GSM8K below: quality of MF, kNN, the subject prior, random routing, the cascade and the oracle against the share of questions sent to GPT-4, between the levels of Mixtral alone and GPT-4 alone"
# Quality against the share of calls to GPT-4 (split 0), on MMLU (top) and GSM8K (bottom), each
# router's score thresholded at its deciles. The dotted lines are the two models alone.
# ```

# %% tags=["remove-input"]
fig, axes = plt.subplots(2, 1, figsize=style.figsize(8.5), sharex=True)
for ax, d in zip(axes, ch.DS):
    ch.plot_share_panel(ax, study, d, LABELS, placeholder=not HAVE_DATA, last=ax is axes[-1])
ch.figure_legend(fig, axes[0], study)
glue_figure("fig_share_curves", fig)

# %% [markdown]
# {numref}`fig-08-hulls` is the RouterBench view of the same split: each router's operating points
# (faint) and their non-decreasing convex hull, against mean cost per query; the dashed line is the
# {term}`zero router` (the hull of the two single models, what randomly mixing them buys).
#
# ```{glue:figure} fig_hulls
# :name: "fig-08-hulls"
# :alt: "Two panels, MMLU above and GSM8K below: mean quality against mean cost per question on a log axis, with the hull of MF, kNN, the subject prior, the cascade and the oracle above a dashed zero-router line"
# Cost-quality hulls (split 0) on MMLU (top) and GSM8K (bottom): each router's operating points
# (faint markers) and their non-decreasing convex hull; dashed, the zero router.
# ```

# %% tags=["remove-input"]
fig, axes = plt.subplots(2, 1, figsize=style.figsize(8.5))
for ax, d in zip(axes, ch.DS):
    ch.plot_hull_panel(ax, study, d, LABELS, placeholder=not HAVE_DATA)
ch.figure_legend(fig, axes[0])
glue_figure("fig_hulls", fig)

# %% [markdown]
# ## What the prompt text can and cannot predict
#
# A router can only be as good as its guess of who will be right. {numref}`tbl-08-auc` gives,
# per router, the ROC AUC (0.5 = no information, 1 = perfect ranking) of its predicted success of each model
# and of its GPT-4-is-worth-it score for the questions where only GPT-4 is right (mean over
# splits).
#
# On MMLU the text-based routers rank GPT-4's successes with an AUC of about
# {glue:text}`mf_auc_strong_mmlu__text` (MF) and the questions that need GPT-4 with
# {glue:text}`mf_auc_gain_mmlu__text`. The subject label alone reaches {glue:text}`sp_auc_gain_mmlu__text`
# on the latter and an APGR of {glue:text}`subject_prior_apgr_mmlu__text`, against
# {glue:text}`best_learned_apgr_mmlu__text` for the best text router: the text routers are
# **{glue:text}`text_vs_subject_mmlu`** the subject prior (comparing seed intervals).
# {glue:text}`subject_reading_mmlu` On GSM8K, where there is no subject label, the best text router reaches
# a gain AUC of {glue:text}`best_auc_gain_gsm8k__text` ({glue:text}`best_auc_gain_router_gsm8k`):
# word problems carry {glue:text}`gsm8k_signal` signal about which ones Mixtral will fail.
#
# ```{glue:figure} tbl_auc
# :name: "tbl-08-auc"
# :figclass: table
# :alt: "Table of ROC AUCs of each text router and the subject prior on MMLU and GSM8K, with their APGR"
# What the routers' predictions rank correctly (ROC AUC, mean over the splits): Mixtral's
# successes (AUC: Mixtral), GPT-4's successes (AUC: GPT-4), and the questions only GPT-4 answers
# correctly (AUC: only GPT-4), with the router's APGR. GSM8K has no subject label, so the subject prior gives every question the same score
# there: its AUCs are 0.5 and its APGR is random routing's.
# ```

# %% tags=["remove-input"]
auc, auc_view = ch.auc_table(study.points, LABELS)
G.displays({"tbl_auc": auc_view})

# %% tags=["remove-input"]
G.add(ch.text_signal(auc, tables, LABELS))

# %% [markdown]
# ## Do the metrics agree?
#
# RS, AIQ and APGR summarise different things: RS one operating point chosen by the article's
# cost rule, AIQ the whole cost-quality frontier, APGR the frontier against the *share* of GPT-4
# calls rather than their dollar cost. Across the learned routers, the subject prior, random and
# the cascade, the Spearman rank correlations (mean over splits) are, on MMLU: RS vs AIQ
# {glue:text}`rho_rs_aiq_mmlu__text`, RS vs APGR {glue:text}`rho_rs_apgr_mmlu__text`, AIQ vs APGR
# {glue:text}`rho_aiq_apgr_mmlu__text`; on GSM8K {glue:text}`rho_rs_aiq_gsm8k__text`,
# {glue:text}`rho_rs_apgr_gsm8k__text` and {glue:text}`rho_aiq_apgr_gsm8k__text`. A share of GPT-4
# calls is not quite a cost: a GPT-4 call on a long prompt costs more than on a short one, so
# routers that send the same share of calls can spend different amounts, and AIQ integrates over
# dollars while APGR integrates over calls. On MMLU, moreover, the learned routers' AIQ values lie
# in a narrow band (from {glue:text}`aiq_min_mmlu__text` to {glue:text}`aiq_max_mmlu__text`), so small
# differences decide their AIQ ranks. RS can disagree with both because it scores a single point
# of the curve, the one the article's cost rule picks.
#
# Counted in dollars, {glue:text}`dollar_reading_mmlu` on MMLU: the zero router
# (the straight line between the two models) has an AIQ of {glue:text}`zero_aiq_mmlu__text`, and
# {glue:text}`n_above_zero_mmlu__text` of the six learned routers exceed it, by at most
# {glue:text}`max_above_zero_mmlu__text`. One reason is visible in the data: the questions only GPT-4
# answers correctly have prompts {glue:text}`len_ratio_mmlu__text` times as long as the others on
# average, so {glue:text}`len_reading_mmlu`

# %% tags=["remove-input"]
G.add(ch.metric_agreement(study.points, tables, bench))

# %% [markdown]
# ## The article's two-model claim, on real outcomes
#
# The article sets RouteLLM aside because it routes between only two models, and reports that its
# own routers lose about 8 RS points when restricted to the cheapest and the most accurate model.
# Real outcomes let us measure what two models leave on the table. On MMLU the oracle's RS is
# {glue:text}`oracle_rs_mmlu__text`, the better single model's {glue:text}`best_single_rs_mmlu__text`
# ({glue:text}`best_single_name_mmlu`): a {term}`headroom` of {glue:text}`headroom_mmlu__text`. MF scores
# {glue:text}`mf_gain_mmlu__text` RS above the better single model ({glue:text}`mf_captured_mmlu__text`
# of the headroom); the judge cascade, with its truth-reading judge,
# {glue:text}`cascade_gain_mmlu__text`. On GSM8K the headroom is {glue:text}`headroom_gsm8k__text` and
# MF's RS differs from the better single model's by {glue:text}`mf_gain_gsm8k__text`
# ({glue:text}`mf_captured_gsm8k__text` of the headroom; negative means below the better single
# model, which by RS is {glue:text}`best_single_name_gsm8k` there, where a GPT-4 call costs
# {glue:text}`cost_ratio_gsm8k__text` times a Mixtral call). {glue:text}`headroom_verdict` {glue:text}`captured_verdict` The article's
# "8 points" concerns six simulated models and cannot be checked here.

# %% tags=["remove-input"]
G.add(ch.two_model_claim(tables, study.weak, study.strong))
G.add({"runtime_s": time.perf_counter() - t_start})

# %% tags=["remove-input"]
G.prose()  # the numbers the prose shows, as text, so that a missing data folder reads "n/a", not "nan"

# %% [markdown]
# ## What this chapter does not show
#
# * Only two models and two closed-ended benchmarks: the per-question outcomes RouteLLM published.
#   The many-model real outcomes (RouterBench's own 11 models, LLMRouter's 9, MMLU-Pro's 29) are in
#   the "On real outcomes" sections of chapters 02-07 and in chapter 09.
# * The routers are trained in-distribution on each benchmark's training split, which RouteLLM's
#   routers (trained on Chatbot Arena preferences) were not; our APGR numbers are therefore not a
#   reproduction of RouteLLM's table.
# * The costs ignore the few-shot prefixes of RouteLLM's actual calls and use an approximate token
#   count; the cost ratio between the two models, which is what the routing trades, is set mainly
#   by the prices.
#
# The chapter ran in {glue:text}`runtime_s__text` seconds.
