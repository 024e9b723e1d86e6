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
# # From benchmark to application
#
# The article ends where an application begins: with a LangGraph pattern for agents. For
# every candidate source it computes `rs = confidence * (1 - COST_TABLE[source])` and emits a
# `Send(source, {query, routing_score})` only when `rs >= RS_THRESHOLD`, so one query **fans out**
# to every source that clears the threshold. This chapter turns that pattern into a policy the book
# can evaluate like every other one: a {term}`predictive router` supplies the predicted success of
# each model, the expected cost supplies the price, and the fan-out sends the query to every model
# whose *predicted* Routing Score clears the threshold. It builds the graph step by step, draws it,
# replays it on simulated and real queries (the model nodes replay precomputed answers and costs:
# no network, no API key), and sweeps the threshold to answer one question: **does fanning out ever
# beat routing to one model under RS, or only under a quality target?**
#
# ```{admonition} Simulated data, then real outcomes
# :class: warning
# The first sections use **RouterBench-Sim**, the simulated benchmark of chapter 01; the section
# [](real-10) repeats the replay and the sweep on RouterBench's own outcomes (routerbench-subset,
# real per-query cost). {glue:text}`real_status_text`
# ```

# %% tags=["parameters"]
scale = 1.0         # share of the simulated benchmark (67,500 queries x 6 models at 1.0) and of the real source
seed = 0            # seed of the simulated benchmark
n_seeds = 5         # train/test splits, seeds 0 .. n_seeds - 1
threshold = 0.5     # the fan-out threshold of the replayed graph (the article gives no value)
judge_error = 0.2   # error rate of the simulated judge (as chapter 07's judge cascade)
graph_queries = 1000  # test queries replayed through LangGraph (the package checks every one)
data_dir = None     # real-data root (None: $ROUTERLAB_DATA_DIR, else ../shared/data beside the project)
cache_dir = None    # evaluation cache (None: $ROUTERLAB_CACHE_DIR if set, else no cache)

# %% tags=["remove-input"]
import time

import matplotlib.pyplot as plt

import routerlab as rl
from routerlab.routing import fanout as fo
from routerlab.routing import graph as lg
from routerlab.data import sources
from routerlab.book import style
from routerlab.evaluation.protocol import book_evaluation, stratified_split
from routerlab.book.glue import glue_figure, glue_value
from routerlab.chapters import application as ch
from routerlab.data.simulate import simulate
from routerlab.routing.features import split_rows

style.use()
t_start = time.perf_counter()
HAVE_LANGGRAPH = lg.available()
ROUTER = "mf"

bench = simulate(scale=scale, seed=seed)
real = sources.load_for_book("routerbench-subset", scale=scale, seed=0, data_dir=data_dir, min_per_dataset=300)
ch.glue_all({"n_queries": bench.n_queries, "n_models": bench.n_models, "n_seeds": n_seeds, "threshold": threshold,
             "judge_error": judge_error, **ch.status_texts(HAVE_LANGGRAPH, real is not None)})

# %% [markdown]
# ## The article's threshold and ours
#
# The two rules look alike and mean different things ({numref}`tbl-semantics`). The article's
# `confidence` is a classifier's confidence that a sub-question *belongs to* a source (a retriever,
# a tool); its `COST_TABLE` is a fixed, already normalised cost per source. Ours is a router's
# predicted chance that a model *answers the query correctly*, and an expected cost of this query on
# this model (prompt tokens times the input price plus the model's mean answer length on the
# query's dataset times the output price, from the training rows), normalised by the training cost
# range exactly as the predictive routers' own RS rule does:
#
# $$\widehat{RS}_{ij} = \hat p_{ij}\,\Bigl(1 - \mathrm{clip}\bigl(\tfrac{\hat c_{ij} - c_{\min}}{c_{\max} - c_{\min}}, 0, 1\bigr)\Bigr).$$
#
# A query is sent to every model with $\widehat{RS}_{ij} \ge$ threshold, always to its best model
# (so no query goes unanswered) and to at most `cap` models. Every call is paid. The answer
# returned is that of the called model with the highest predicted RS.

# %% tags=["remove-input"]
semantics = ch.semantics_table()
glue_value("n_semantic_rows", len(semantics))
glue_value("tbl_semantics", ch.left_table(semantics))

# %% [markdown]
# ```{glue:figure} tbl_semantics
# :name: "tbl-semantics"
# :figclass: table
# The article's fan-out rule beside this chapter's, aspect by aspect.
# ```
#
# ## Building the graph step by step
#
# {glue:text}`have_langgraph_text` First a router: MF, the article's best, fitted on the training
# rows of split 0. Before any model answers it gives, for each test query, each model's predicted
# success and expected cost, hence the predicted RS.

# %%
train_idx, test_idx = stratified_split(bench, 0.2, seed=0)
train, test = bench.rows(train_idx), bench.rows(test_idx)
mf = rl.make_router(ROUTER, seed=0).fit(train)
pred = fo.router_predictions(mf, test.without_truth())   # proba, expected_cost, predicted_rs: (n, m)
pred["predicted_rs"][:3].round(3)

# %% [markdown]
# Then the graph, node by node (`routerlab.routing.graph`): a **router** node that decides which
# models each query calls; a **conditional edge** that returns one `Send(<model node>, {query, model,
# routing_score, expected_cost})` for every model a query calls; one **model node** per model that
# replays the benchmark's precomputed answer (correct or not) and its true cost; and a **pick** node
# that keeps, per query, the answer with the highest predicted RS among those that answered.

# %%
models = test.model_names
if HAVE_LANGGRAPH:
    from langgraph.graph import END, START, StateGraph

    graph = StateGraph(lg.FanoutState)
    graph.add_node("router", lg.make_router_node(threshold))                   # 1. predicted RS -> calls
    nodes = [lg.node_name(m) for m in models]
    for j, node in enumerate(nodes):                                            # 2. one replaying node per model
        graph.add_node(node, lg.make_model_node(j, test.quality, test.cost))
    graph.add_node("pick", lg.make_pick_node("top"))                            # 3. the answer
    graph.add_edge(START, "router")
    graph.add_conditional_edges("router", lg.make_fan_out(models), nodes)       # Send per model above threshold
    for node in nodes:
        graph.add_edge(node, "pick")
    graph.add_edge("pick", END)
    app = graph.compile()
    print(app.get_graph().draw_mermaid())
else:
    print("LangGraph not installed:", lg.INSTALL_HINT)

# %% [markdown]
# The Mermaid text above is LangGraph's own description of the graph (`get_graph().draw_mermaid()`);
# {numref}`fig-graph` draws it. Dashed arrows are the conditional `Send`s: at threshold
# {glue:text}`threshold:.2f` a query reaches on average {glue:text}`graph_calls:.2f` of the
# {glue:text}`n_models:d` model nodes.

# %% tags=["remove-input"]
fig, ax = plt.subplots(figsize=style.figsize(3.6))
ch.plot_graph(ax, models)
glue_figure("fig_graph", fig)

# %% [markdown]
# ```{glue:figure} fig_graph
# :name: "fig-graph"
# :alt: The fan-out graph: START, a router node, dashed conditional edges to six model nodes, each model node into a pick node, then END.
# The fan-out graph. Dashed: the conditional edge, one `Send` per model whose predicted RS clears the
# threshold (always at least the best); solid: fixed edges. The model nodes replay the benchmark.
# ```
#
# ## Running it on simulated queries
#
# The graph runs on the first {glue:text}`graph_n:,d` test queries of split 0; the package's
# plain-Python policy (`routerlab.routing.fanout.fanout`, vectorised) runs on all
# {glue:text}`sim_test_n:,d`. On the replayed queries they agree on the returned model for
# {glue:text}`graph_agree_choice:,d` and on the set of models called for
# {glue:text}`graph_agree_calls:,d` of {glue:text}`graph_n:,d` queries ({glue:text}`graph_seconds:.1f` s in
# LangGraph). At threshold {glue:text}`threshold:.2f` the fan-out calls
# {glue:text}`sim_calls:.2f` models per query and pays {glue:text}`sim_cost_ratio:.2f` times what the
# router alone pays, for the same answers: quality {glue:text}`sim_fan_quality:.3f` against
# {glue:text}`sim_single_quality:.3f`, RS {glue:text}`sim_fan_rs:.3f` against
# {glue:text}`sim_single_rs:.3f`.

# %%
sim = ch.replay(mf, test, threshold, graph_queries, HAVE_LANGGRAPH, pred)   # raises if graph and package disagree
print(f"graph vs package on {sim['n']} queries: same answer {sim['agree_choice']}, same calls {sim['agree_calls']}")

# %% tags=["remove-input"]
ch.glue_all(ch.sim_replay_values(sim))

# %% [markdown]
# The answers are the same because the best model by predicted RS is always called and, in a
# replay, always answers: returning "the called model with the highest predicted RS" returns the
# single-model router's choice. In a live application a call can fail or time out, and then the
# fan-out's extra calls are insurance; in an offline replay they buy nothing unless something
# *looks at the answers*. Two such rules are therefore swept too, both reading the truth, so both
# are what-ifs rather than policies: a **simulated judge** that reads the called answers in order of
# predicted RS and accepts the first it judges correct, wrong with probability
# {glue:text}`judge_error:.2f` (the judge of chapter 07's judge cascade; a majority vote is not
# possible with 0/1 correctness, since two wrong answers need not agree), and **any correct
# answer**, the upper bound of any answer-picking rule.
#
# ## The threshold sweep
#
# On each of {glue:text}`n_seeds:d` stratified 80/20 splits of the {glue:text}`n_queries:,d`
# simulated queries, MF is fitted on the training rows and the fan-out runs on the test rows at
# thresholds 0, 0.05, ..., 1 (threshold 1: only the best model, which is routing to one model).
# The article's confidence cascade (cheapest model first, stop at the first answer whose
# confidence clears the threshold) runs at the same thresholds on the same splits.
# {numref}`fig-sweep` sets the curves beside the routers of chapter 07 (their points from the book's
# main evaluation, the one chapters 03 and 07 use).

# %%
sweep = fo.fanout_sweep(bench, ROUTER, seeds=range(n_seeds), judge_error=judge_error)
summary = fo.sweep_summary(sweep)
book = book_evaluation(bench, n_seeds=n_seeds, cache_dir=cache_dir).summary()

# %% tags=["remove-input"]
real_summary = real_book = None
if real is not None:
    real_summary = fo.sweep_summary(fo.fanout_sweep(real, ROUTER, seeds=range(n_seeds), judge_error=judge_error))
    real_book = book_evaluation(real, n_seeds=n_seeds, cache_dir=cache_dir).summary()

fig, axes = plt.subplots(2, 1, figsize=style.figsize(10.0))
ch.plot_sweep_panel(axes[0], summary, book, "(a) simulated (RouterBench-Sim)", judge_error)
ch.plot_sweep_panel(axes[1], real_summary, real_book, "(b) routerbench-subset (real cost)", judge_error)
handles, labels = axes[0].get_legend_handles_labels()
fig.legend(handles, labels, loc="outside lower center", ncol=2, fontsize=8)
glue_figure("fig_sweep", fig)

# %% [markdown]
# ```{glue:figure} fig_sweep
# :name: "fig-sweep"
# :alt: Cost-quality curves of the fan-out under three answer rules, the confidence cascade, MF alone and chapter 07's routers, on simulated and real data.
# The threshold sweep in the cost-quality plane, means over the splits: the fan-out returning the
# highest predicted RS (blue) stays at MF's quality while its cost grows as the threshold falls; a
# simulated judge (orange) and any correct answer (green, an upper bound) buy quality with calls.
# Grey: chapter 07's routers and the fixed models (the book's main evaluation).
# ```

# %% tags=["remove-input"]
sim_texts, sim_answer = ch.sweep_answer(summary, "sim", judge_error)
rb_texts, real_answer = ch.sweep_answer(real_summary, "rb", judge_error)
ch.glue_all({**sim_texts, **rb_texts, **ch.sweep_counts(summary)})
glue_value("tbl_answer", ch.answer_table(sim_answer, real_answer))

# %% [markdown]
# ```{glue:figure} tbl_answer
# :name: "tbl-answer"
# :figclass: table
# The sweep's answer, means over the splits. For each answer rule: the threshold below 1 with the
# best RS, that RS and its difference to MF alone on the same splits (threshold 1 is MF alone), the
# calls per query there, and at threshold 0 (every model called) the quality gained and the cost
# paid relative to MF alone. The cascade row is the article's confidence cascade at its best
# threshold, where the benchmark has confidences (the simulator only).
# ```
#
# **Under RS, the fan-out policy does not pay.** With the policy's own rule (return the highest predicted
# RS) the fan-out returns MF's answers and pays for extra calls, so its RS can only fall as the
# threshold falls: on simulated data its best RS below threshold 1 is {glue:text}`sim_top_best_rs`
# at threshold {glue:text}`sim_top_best_t` ({glue:text}`sim_top_best_gain` against MF alone,
# {glue:text}`sim_mf_rs`), on routerbench-subset {glue:text}`rb_top_best_rs` ({glue:text}`rb_top_best_gain`
# against {glue:text}`rb_mf_rs`). Looking at the answers changes little under RS: with the simulated
# judge the best RS below threshold 1 is {glue:text}`sim_judge_best_rs` at threshold
# {glue:text}`sim_judge_best_t` on simulated data, {glue:text}`sim_judge_best_gain` against MF alone
# ({glue:text}`sim_judge_best_ci`: {glue:text}`sim_judge_verdict`), and {glue:text}`rb_judge_best_rs`
# at {glue:text}`rb_judge_best_t` on routerbench-subset, {glue:text}`rb_judge_best_gain`
# ({glue:text}`rb_judge_best_ci`: {glue:text}`rb_judge_verdict`). Even the any-correct bound, which
# never misses a correct answer it paid for, reaches at best {glue:text}`sim_any_correct_best_gain`
# at threshold {glue:text}`sim_any_correct_best_t` on simulated data
# ({glue:text}`sim_any_correct_best_ci`: {glue:text}`sim_any_correct_verdict`) and
# {glue:text}`rb_any_correct_best_gain` at {glue:text}`rb_any_correct_best_t` on routerbench-subset
# ({glue:text}`rb_any_correct_best_ci`: {glue:text}`rb_any_correct_verdict`): RS charges every call in
# full, and each model added lowers a query's cost factor.
#
# **Under a quality target it can.** Calling every model (threshold 0) with a judge raises quality
# by {glue:text}`sim_judge_q0_gain` over MF alone on simulated data
# ({glue:text}`rb_judge_q0_gain` on routerbench-subset) at {glue:text}`sim_judge_cost0_ratio` times
# MF's cost ({glue:text}`rb_judge_cost0_ratio`); the any-correct bound raises it by
# {glue:text}`sim_any_correct_q0_gain` ({glue:text}`rb_any_correct_q0_gain`). A quality target above
# what one model reaches is met only by paying for several answers and having something pick among
# them. For comparison, the article's confidence cascade, which also pays for several calls but
# stops as soon as an answer looks good, reaches RS {glue:text}`sim_cascade_best_rs` at its best
# threshold {glue:text}`sim_cascade_best_t` on simulated data, {glue:text}`sim_cascade_gain` against
# MF alone ({glue:text}`sim_cascade_ci`: {glue:text}`sim_cascade_verdict`).

# %% [markdown]
# (real-10)=
# ## On real outcomes: routerbench-subset
#
# The same replay on RouterBench's own outcomes (ARC-Challenge, MBPP, Winogrande; real per-query
# cost), with MF on TF-IDF features fitted on each split's training prompts, as chapter 03 does.
# {glue:text}`real_status_text` On split 0 the graph replays {glue:text}`rb_graph_n` test queries
# and agrees with the package on {glue:text}`rb_graph_agree` of them; at threshold
# {glue:text}`threshold:.2f` the fan-out calls {glue:text}`rb_calls` models per query and pays
# {glue:text}`rb_cost_ratio` times what MF alone pays, for the same answers. {numref}`fig-sweep` (b)
# and {numref}`tbl-answer` give the sweep: routerbench-subset has no response confidences, so no
# cascade runs on it.

# %%
rb = None
if real is not None:
    rtrain, rtest = split_rows(real, *stratified_split(real, 0.2, seed=0), kind="tfidf", seed=0)
    rmf = rl.make_router(ROUTER, seed=0).fit(rtrain)
    rb = ch.replay(rmf, rtest, threshold, graph_queries, HAVE_LANGGRAPH)   # raises if they disagree
    print(f"routerbench-subset: graph vs package on {rb['n']} queries: {rb['agree']} identical")

# %% tags=["remove-input"]
ch.glue_all(ch.real_replay_texts(rb))
glue_value("runtime_seconds", time.perf_counter() - t_start)

# %% [markdown]
# ## What this means for an application
#
# * The article's pattern is a **retrieval** pattern: fanning a sub-question out to every source
#   that might hold the answer costs little and the results are merged. Applied to **LLM calls**
#   under RS, every extra call is paid in full and, with the highest-predicted-RS answer returned,
#   buys nothing in a replay: route to one model (threshold 1) unless something downstream judges
#   or merges the answers.
# * If a quality target must be met, fan out with a judge, or cascade (call models in order and
#   stop at the first acceptable answer, so extra calls are paid only where the first answer
#   fails), and compare the two on the quality target, as {numref}`fig-sweep` does.
# * The replay costs nothing: the graph above runs the same decisions as the package's policy on
#   precomputed answers, so a threshold can be chosen offline before any API key is used.
#
# This page ran in {glue:text}`runtime_seconds:.1f` s.
