"""RouterBench-Sim: a deterministic, calibrated simulation of the article's 6-model x 12-dataset benchmark.

The article's per-query data is not public, so the book simulates it. Everything a router may see
(``features``, ``prompt_tokens``, ``datasets``, ``confidence``) and everything it is scored on
(``quality``, ``cost``) is generated here from a small, documented item-response model; the
generating truth goes into :attr:`Benchmark.latent` and no router may read it.

Sizes. The 12 Open LLM Leaderboard sets of :data:`~routerlab.data.catalog.DATASETS` in proportion to
their real test sets, scaled so that ``scale=1.0`` gives exactly 67,500 queries (405,000 outcomes
with the six models), by largest-remainder rounding; every dataset keeps at least
:data:`MIN_PER_DATASET` queries at small scales.

Topics. Each query belongs to one topic of its dataset (``subsets``, e.g. ``"MMLU/subject_07"``);
the number of topics per dataset is :data:`TOPICS` (the real number of subjects, subtasks or
categories where the dataset has them; a few otherwise). Topics are drawn uniformly. The topic
effects ``G_t`` and ``S_t`` below are standardised within each dataset (mean 0, variance 1 over its
topics), so ``topic_share`` is the realised between-topic share, not just its expectation.

Correctness (item-response model). Query i of dataset d and topic t has a standard-normal shared
difficulty ``g_i`` and a skill vector ``s_i`` (``n_skills`` standard normals), each the sum of a
topic part (share ``topic_share`` of the variance) and a query part::

    g_i = sqrt(rho) G_t + sqrt(1 - rho) delta_i        s_i = sqrt(rho) S_t + sqrt(1 - rho) eps_i

Model j has a discrimination ``a_j``, orthonormal skill loadings ``w_j`` (so each model's specific
strengths are independent of the others') and an ability ``theta_jd`` per dataset. With ``kappa``
= ``skill_share`` and ``sigma`` = ``difficulty_sd`` of the dataset's family::

    u_ij = -sqrt(1 - kappa) g_i + sqrt(kappa) (w_j . s_i)        (standard normal)
    P(correct) = c_d + (1 - c_d) * sigmoid(a_j * (theta_jd + sigma * u_ij))

with the guessing floor ``c_d = 1 / n_choices`` for multiple-choice sets (0 for free-form ones).
``1 - kappa`` is the correlation of two models' item logits, so it sets how correlated their
errors are; ``sigma * a_j`` sets how predictable correctness is from the query. Outcomes are
``U_ij < P_ij`` with uniforms drawn once (common random numbers; stratified within each dataset
and model, so the share of lucky guesses is the floor up to 1/n_d), and every ``theta_jd`` is solved
by vectorised bisection so that the REALISED accuracy equals the target up to 1/n_d.

Targets. ``calibration_matrix()`` (calibration.csv). With ``anchor=True`` GPT-4o's and
Llama-3-8B-Instruct's 12 targets are moved by one shift per model, applied to the logit of the
above-chance part ``(t - c) / (1 - c)``, so that their overall (size-weighted) accuracy is the
article's 0.813 and 0.600 (:data:`ANCHORS`). Those two numbers are then *calibrated*, not
reproduced.

Structure (calibrated, not guessed). The defaults of ``difficulty_sd``, ``skill_share``,
``topic_share``, ``discrimination`` and ``feature_signal`` are fitted so that the measurements of
:mod:`routerlab.evaluation.error_structure` on simulated GPT-4o vs Mixtral-8x7B-Instruct (MMLU and GSM8K) match
the same measurements on RouteLLM's real GPT-4 vs Mixtral outcomes
(:data:`routerlab.evaluation.error_structure.REAL_TARGETS`). Inheritance rule: every multiple-choice dataset takes
MMLU's family values, every free-form one (GSM8K, IFEval, MATH-Lvl5) GSM8K's; ``topic_share``
and ``feature_signal`` are single numbers; the four models without real outcomes get a
discrimination interpolated linearly in their mean target accuracy between the two fitted models
(clipped to their range: stronger models answer more consistently).

Costs. Prompt tokens per query are lognormal around the dataset's typical prompt length
(``prompt_length_sd`` on the log scale), with log-length correlated ``length_difficulty_corr``
with the shared difficulty (longer questions are harder, as in the real files). Answer tokens per
(query, model) are lognormal around the dataset's typical answer length (``answer_length_sd``),
``wrong_answer_length`` times longer for a wrong answer (measured on RouteLLM's GSM8K answers);
datasets whose typical answer is one token (a letter) always answer with 1 token. One tokenizer for
all models, as RouterBench did. ``cost = (prompt_tokens * price_in + answer_tokens * price_out) / 1e6``
USD with the prices of ``catalog.PRICE_TABLES[prices]``.

Observables. ``features`` (n, ``n_features``): a fixed random semi-orthogonal linear map of the
latent vector ``[g_i, s_i]`` (so every latent direction is equally visible) mixed with independent noise, ``sqrt(f) * signal + sqrt(1 - f) *
noise`` with ``f = feature_signal``, then each column standardised. ``confidence`` (n, m): the
binormal model ``sigmoid(mu_jd + d' * correct + e)``, ``e ~ N(0, 1)``, ``d' = sqrt(2) *
Phi^-1(confidence_auc)``, so that within each (dataset, model) the AUC of confidence for
correctness is ``confidence_auc``; ``mu_jd = logit(t_jd) - d'/2`` (a model is about as confident
as it is accurate on that dataset).

Random streams. ``np.random.SeedSequence(seed)`` spawns one child generator per block (sizes and
topics, latent queries, loadings, outcomes, tokens, features, confidence), so changing e.g.
``feature_signal`` or ``n_features`` never changes correctness or costs.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields, replace
from typing import Mapping

import numpy as np
import pandas as pd
from scipy.special import expit, logit, ndtri

from routerlab.data.benchmark import Benchmark
from routerlab.data.catalog import (DATASETS, MAX_SCALE, MODEL_NAMES, PRICE_TABLES, calibration_matrix,
                                    models_with_prices)
from routerlab.errors import RouterlabError, check_choice, check_range

__all__ = [
    "N_QUERIES_FULL", "MIN_PER_DATASET", "TOPICS", "ANCHORS", "FAMILIES", "SimParams", "DEFAULT_PARAMS",
    "simulate", "dataset_sizes", "dataset_family", "sim_targets", "model_discrimination", "SIM_NAME",
]

SIM_NAME = "RouterBench-Sim (simulated)"
N_QUERIES_FULL = 67_500  # the article's 405,000 outcomes / 6 models
MIN_PER_DATASET = 10  # every dataset keeps at least this many queries at small scales

# The article's overall accuracies of the two fixed-model policies (claims.yaml result.*.quality).
ANCHORS: dict[str, float] = {"GPT-4o": 0.813, "Llama-3-8B-Instruct": 0.600}

# Topics per dataset: the real number of subjects / subtasks / categories where the dataset has
# them (MMLU 57 subjects, TruthfulQA 38 categories, BBH 24 leaderboard subtasks, MATH 7 subjects,
# GPQA 3 domains, MuSR 3 domains, MMLU-Pro 14 categories, IFEval 9 instruction groups); a few
# otherwise (ARC-Challenge, HellaSwag, Winogrande, GSM8K have no official topic labels).
TOPICS: dict[str, int] = {
    "ARC-Challenge": 5, "HellaSwag": 8, "MMLU": 57, "TruthfulQA-MC2": 38, "Winogrande": 4, "GSM8K": 5,
    "IFEval": 9, "BBH": 24, "MATH-Lvl5": 7, "GPQA": 3, "MuSR": 3, "MMLU-Pro": 14,
}
# Structural families: multiple-choice sets inherit MMLU's structure, free-form sets GSM8K's.
FAMILIES = ("multiple_choice", "free_form")


def dataset_family(name: str) -> str:
    """``"free_form"`` for datasets without options (catalog ``n_choices == 0``), else ``"multiple_choice"``."""
    ds = {d.name: d for d in DATASETS}
    check_choice("dataset", name, ds)
    return "free_form" if ds[name].n_choices == 0 else "multiple_choice"


@dataclass(frozen=True)
class SimParams:
    """Structural parameters of RouterBench-Sim (see the module docstring for the model).

    Family-level values are dicts ``{"multiple_choice": x, "free_form": y}``; ``discrimination``
    gives the fitted models' values (the others are interpolated, :func:`model_discrimination`).
    """

    # ---- fitted, not guessed --------------------------------------------------------------------
    # Fitted by routerlab.evaluation.error_structure.fit_structure (least squares, compass search over these seven
    # knobs, averaged over seeds 0-2 at scale 1) to routerlab.evaluation.error_structure.REAL_TARGETS: phi, feature
    # AUCs and topic AUCs of RouteLLM's real GPT-4 vs Mixtral-8x7B outcomes on MMLU and GSM8K
    # (lm-sys/RouteLLM @ 0b64fdaf). Result: RMSE 0.016 over the 8 fitted measurements; the MMLU phi
    # stays about 0.03 low (its ceiling under the guessing floor is lower for GPT-4o's accuracy,
    # see chapter 01 and structure.max_phi).
    # Spread s_d of the item logit (logit units, before discrimination), per family. The multiple-
    # choice value sits at the search bound 20: "a model knows the answer or guesses".
    difficulty_sd: Mapping[str, float] = field(default_factory=lambda: {"multiple_choice": 20.0, "free_form": 2.2})
    # Share kappa_d of the item-logit variance that is model-specific (skills) rather than shared
    # difficulty; 1 - kappa_d is the correlation of two models' item logits.
    skill_share: Mapping[str, float] = field(default_factory=lambda: {"multiple_choice": 0.0, "free_form": 0.45})
    # Share of the difficulty and skill variance that lies between topics (topic structure strength).
    topic_share: float = 0.30
    # Per-model discrimination a_j of the two models with real outcomes (GPT-4o is the reference, 1).
    discrimination: Mapping[str, float] = field(default_factory=lambda: {"GPT-4o": 1.0, "Mixtral-8x7B-Instruct": 0.40})
    # Share of the feature variance that is latent signal (the rest is noise).
    feature_signal: float = 0.057
    # Correlation of log prompt length with the shared difficulty (fitted afterwards, by a scalar
    # search, to the real AUCs of prompt length; REAL_TARGETS length_auc_*).
    length_difficulty_corr: float = 0.17
    # ---- assumed or measured directly ----------------------------------------------------------
    # Within-(dataset, model) AUC of the response confidence for correctness (an assumption).
    confidence_auc: float = 0.75
    # Number of latent skills (more than the 6 models, so the loadings can be orthonormal).
    n_skills: int = 8
    # SD of log prompt tokens around the dataset's typical length (an assumption: the few-shot
    # prefix is fixed and only the question varies; bare RouteLLM questions vary by 0.37 (GSM8K)
    # to 0.69 (MMLU) on the log scale, diluted here by the prefix).
    prompt_length_sd: float = 0.25
    # SD of log answer tokens (RouteLLM GSM8K answers, pooled within model and correctness: 0.46).
    answer_length_sd: float = 0.46
    # A wrong answer is this many times longer (geometric mean; RouteLLM GSM8K, pooled: 1.144).
    wrong_answer_length: float = 1.144
    # Optional per-model answer-length multiplier (default 1 for all: same tokenizer, no guess).
    verbosity: Mapping[str, float] = field(default_factory=dict)

    def validate(self) -> "SimParams":
        """Check every value; raise a one-line :class:`RouterlabError` naming the bad one."""
        for name in ("difficulty_sd", "skill_share"):
            d = getattr(self, name)
            if not isinstance(d, Mapping) or set(d) != set(FAMILIES):
                raise RouterlabError(f"{name} must be a dict with keys {list(FAMILIES)}, got {d!r}")
            for k, v in d.items():
                if name == "difficulty_sd":
                    check_range(f"{name}[{k}]", v, 0.0, 100.0, lo_open=True)
                else:
                    check_range(f"{name}[{k}]", v, 0.0, 1.0)
        check_range("topic_share", self.topic_share, 0.0, 1.0, hi_open=True)
        if not isinstance(self.discrimination, Mapping) or set(self.discrimination) != {"GPT-4o", "Mixtral-8x7B-Instruct"}:
            raise RouterlabError("discrimination must be a dict with keys 'GPT-4o' and 'Mixtral-8x7B-Instruct'")
        for k, v in self.discrimination.items():
            check_range(f"discrimination[{k}]", v, 0.0, 20.0, lo_open=True)
        check_range("feature_signal", self.feature_signal, 0.0, 1.0)
        check_range("confidence_auc", self.confidence_auc, 0.5, 1.0, hi_open=True)
        if int(self.n_skills) != self.n_skills or not len(MODEL_NAMES) < self.n_skills <= 256:
            raise RouterlabError(f"n_skills = {self.n_skills!r} must be an integer in [{len(MODEL_NAMES) + 1}, 256]")
        check_range("length_difficulty_corr", self.length_difficulty_corr, -1.0, 1.0, lo_open=True, hi_open=True)
        check_range("prompt_length_sd", self.prompt_length_sd, 0.0, 3.0)
        check_range("answer_length_sd", self.answer_length_sd, 0.0, 3.0)
        check_range("wrong_answer_length", self.wrong_answer_length, 0.1, 10.0)
        for k, v in dict(self.verbosity).items():
            check_choice("model in verbosity", k, MODEL_NAMES)
            check_range(f"verbosity[{k}]", v, 0.01, 100.0)
        return self


DEFAULT_PARAMS = SimParams()


# ---- sizes -----------------------------------------------------------------------------------
def _largest_remainder(total: int, weights: np.ndarray) -> np.ndarray:
    quota = total * weights / weights.sum()
    base = np.floor(quota).astype(np.int64)
    rest = total - base.sum()
    order = np.lexsort((np.arange(len(quota)), -(quota - base)))  # largest remainder, ties by order
    base[order[:rest]] += 1
    return base


def dataset_sizes(scale: float = 1.0) -> pd.Series:
    """Queries per dataset (12,) int: real test-set sizes scaled to ``round(67,500 * scale)`` in all.

    Largest-remainder rounding; datasets that would get fewer than :data:`MIN_PER_DATASET` get
    exactly that many and the rest is shared among the others (so the total is at least
    ``12 * MIN_PER_DATASET``). ``scale`` must lie in (0, ``MAX_SCALE``] = (0, 200].
    """
    scale = check_range("scale", scale, 0.0, MAX_SCALE, lo_open=True)
    weights = np.array([d.n_test for d in DATASETS], dtype=np.float64)
    total = max(int(round(N_QUERIES_FULL * scale)), MIN_PER_DATASET * len(DATASETS))
    fixed = np.zeros(len(weights), dtype=bool)
    while True:
        sizes = np.full(len(weights), MIN_PER_DATASET, dtype=np.int64)
        free = ~fixed
        sizes[free] = _largest_remainder(total - MIN_PER_DATASET * fixed.sum(), weights[free])
        small = free & (sizes < MIN_PER_DATASET)
        if not small.any():
            break
        fixed |= small
    return pd.Series(sizes, index=[d.name for d in DATASETS], name="queries")


# ---- targets and discrimination --------------------------------------------------------------
def _floors() -> np.ndarray:
    return np.array([1.0 / d.n_choices if d.n_choices else 0.0 for d in DATASETS])


def sim_targets(sizes: pd.Series | None = None, *, anchor: bool = True) -> tuple[pd.DataFrame, dict]:
    """Target accuracies (12 datasets x 6 models) and the anchoring shifts ``{model: logit shift}``.

    Without anchoring these are ``calibration_matrix()``. With it, GPT-4o's and Llama-3-8B's
    column is moved by one shift ``delta`` per model on the logit of the above-chance part,
    ``t' = c + (1 - c) sigmoid(logit((t - c) / (1 - c)) + delta)``, solved (bisection) so that the
    ``sizes``-weighted mean is :data:`ANCHORS` exactly.
    """
    targets = calibration_matrix().astype(np.float64).copy()
    shifts: dict[str, float] = {}
    if not anchor:
        return targets, shifts
    if sizes is None:
        sizes = dataset_sizes(1.0)
    w = sizes.to_numpy(np.float64) / sizes.sum()
    c = _floors()
    for model, goal in ANCHORS.items():
        t = targets[model].to_numpy()
        z = logit((t - c) / (1 - c))
        lo, hi = -10.0, 10.0
        for _ in range(80):
            mid = 0.5 * (lo + hi)
            if w @ (c + (1 - c) * expit(z + mid)) < goal:
                lo = mid
            else:
                hi = mid
        delta = 0.5 * (lo + hi)
        targets[model] = c + (1 - c) * expit(z + delta)
        shifts[model] = float(delta)
    return targets, shifts


def model_discrimination(params: SimParams = DEFAULT_PARAMS) -> pd.Series:
    """(6,) discrimination per model: the fitted values for GPT-4o and Mixtral-8x7B-Instruct; the
    others linear in the model's mean calibration accuracy between those two, clipped to their range."""
    acc = calibration_matrix().mean(axis=0)
    a_hi, a_lo = params.discrimination["GPT-4o"], params.discrimination["Mixtral-8x7B-Instruct"]
    x_hi, x_lo = acc["GPT-4o"], acc["Mixtral-8x7B-Instruct"]
    slope = (a_hi - a_lo) / (x_hi - x_lo)
    out = a_lo + slope * (acc - x_lo)
    out = out.clip(min(a_lo, a_hi), max(a_lo, a_hi))
    out["GPT-4o"], out["Mixtral-8x7B-Instruct"] = a_hi, a_lo
    return out.loc[list(MODEL_NAMES)].rename("discrimination")


# ---- the generator ---------------------------------------------------------------------------
def _solve_abilities(eta0, a, floor, uniforms, codes, sizes, targets, iters=64):
    """Bisection of theta (k datasets x m models) so each realised accuracy meets its target.

    ``eta0`` (n, m) = sigma_d * u_ij, ``a`` (m,), ``floor`` (n,), ``uniforms`` (n, m), ``codes``
    (n,) dataset index, ``targets`` (k, m). Returns theta (k, m) with realised mean >= target and
    the realised mean one step lower below it, i.e. within 1/n_d.
    """
    k, m = targets.shape
    # y = U < c + (1-c) sigmoid(a (theta + eta0))  <=>  a (theta + eta0) > logit((U - c)/(1 - c))
    with np.errstate(divide="ignore"):
        thresh = logit(np.clip((uniforms - floor[:, None]) / (1 - floor[:, None]), 0.0, 1.0)) / a[None, :] - eta0
    finite = thresh[np.isfinite(thresh)]
    span = (finite.min() - 1.0, finite.max() + 1.0) if finite.size else (-1.0, 1.0)
    lo = np.full((k, m), span[0])  # every query wrong unless guessed
    hi = np.full((k, m), span[1])  # every query right
    # query i (model j) is correct iff theta[d_i, j] > thresh[i, j]; thresh = -inf: always correct
    onehot = np.zeros((len(codes), k))
    onehot[np.arange(len(codes)), codes] = 1.0
    need = np.ceil(targets * sizes[:, None] - 1e-9)  # number of correct answers to reach the target
    for _ in range(iters):
        mid = 0.5 * (lo + hi)
        n_ok = onehot.T @ (mid[codes] > thresh)
        ok = n_ok >= need
        hi = np.where(ok, mid, hi)
        lo = np.where(ok, lo, mid)
    return hi


def simulate(scale: float = 1.0, seed: int = 0, *, prices: str = "together", anchor: bool = True,
             n_features: int = 64, feature_signal: float | None = None, confidence_auc: float | None = None,
             **overrides) -> Benchmark:
    """RouterBench-Sim: a deterministic simulated 6-model x 12-dataset benchmark (see module docstring).

    ``scale`` in (0, 200]: 1.0 = 67,500 queries (memory grows linearly; see ``make bench``). ``seed``: same (scale, seed, parameters) -> identical
    arrays. ``prices``: a key of :data:`~routerlab.data.catalog.PRICE_TABLES`. ``anchor``: shift GPT-4o's
    and Llama-3-8B's targets to the article's overall 0.813 / 0.600. ``n_features``: columns of the
    observable query embedding. ``feature_signal``, ``confidence_auc`` and any other field of
    :class:`SimParams` (``**overrides``) replace the calibrated defaults.

    Returns a :class:`Benchmark` with quality (n, 6) 0/1, cost (n, 6) USD, features (n, n_features),
    confidence (n, 6) in (0, 1), prompt_tokens (n,), answer_tokens (n, 6), subsets (n,) topic
    labels and ``latent`` = {difficulty (n,), skills (n, K), item_logit (n, 6), p_correct (n, 6),
    topic (n,) int, ability / targets / calibration (DataFrames 12 x 6), discrimination, loadings,
    anchor_shifts, params (dict), scale, seed, feature_map}.
    """
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise RouterlabError(f"seed = {seed!r} must be a non-negative integer")
    check_choice("price table", prices, PRICE_TABLES)
    if isinstance(n_features, bool) or not isinstance(n_features, (int, np.integer)) or not 1 <= n_features <= 4096:
        raise RouterlabError(f"n_features = {n_features!r} must be an integer in [1, 4096]")
    names = {f.name for f in fields(SimParams)}
    unknown = sorted(set(overrides) - names)
    if unknown:
        raise RouterlabError(f"unknown simulation parameter(s) {unknown}; valid: {', '.join(sorted(names))}")
    if feature_signal is not None:
        overrides["feature_signal"] = feature_signal
    if confidence_auc is not None:
        overrides["confidence_auc"] = confidence_auc
    params = replace(DEFAULT_PARAMS, **overrides).validate()

    sizes_s = dataset_sizes(scale)
    sizes = sizes_s.to_numpy()
    n, k, m, K = int(sizes.sum()), len(DATASETS), len(MODEL_NAMES), int(params.n_skills)
    models = models_with_prices(prices)
    targets_df, shifts = sim_targets(sizes_s, anchor=anchor)
    targets = targets_df.to_numpy()
    disc = model_discrimination(params).to_numpy()

    (r_topic, r_query, r_load, r_out, r_tok, r_feat, r_conf) = [
        np.random.default_rng(s) for s in np.random.SeedSequence(int(seed)).spawn(7)]

    # queries: dataset codes (blocks in catalog order), topics, ids
    codes = np.repeat(np.arange(k), sizes)
    start = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    within = np.arange(n) - start[codes]
    n_topics = np.array([TOPICS[d.name] for d in DATASETS])
    topic_offset = np.concatenate([[0], np.cumsum(n_topics)[:-1]])
    topic_local = np.floor(r_topic.random(n) * n_topics[codes]).astype(np.int64)
    topic = topic_offset[codes] + topic_local  # global topic index
    ds_names = np.array([d.name for d in DATASETS])
    sample_ids = np.char.add(np.char.add(ds_names[codes], "."), np.char.zfill(within.astype(str), 5))
    label = np.where(ds_names[codes] == "MMLU", "subject_", "topic_")
    subsets = np.char.add(np.char.add(ds_names[codes], "/"), np.char.add(
        label, np.char.zfill(topic_local.astype(str), 2)))

    # latent difficulty and skills
    rho = params.topic_share
    T = int(n_topics.sum())
    G_t, S_t = r_topic.standard_normal(T), r_topic.standard_normal((T, K))
    # standardise the topic effects within each dataset, so that topic_share is the realised share
    t_codes = np.repeat(np.arange(k), n_topics)
    for arr in (G_t, S_t):
        mean = np.add.reduceat(arr, topic_offset, axis=0) / n_topics.reshape((-1,) + (1,) * (arr.ndim - 1))
        arr -= mean[t_codes]
        sd = np.sqrt(np.add.reduceat(arr**2, topic_offset, axis=0) / n_topics.reshape((-1,) + (1,) * (arr.ndim - 1)))
        arr /= sd[t_codes]
    g = np.sqrt(rho) * G_t[topic] + np.sqrt(1 - rho) * r_query.standard_normal(n)
    s = np.sqrt(rho) * S_t[topic] + np.sqrt(1 - rho) * r_query.standard_normal((n, K))
    q_mat, _ = np.linalg.qr(r_load.standard_normal((K, m)))
    loadings = q_mat.T  # (m, K) orthonormal rows
    fam = np.array([dataset_family(d.name) for d in DATASETS])
    sigma_d = np.array([params.difficulty_sd[f] for f in fam])
    kappa_d = np.array([params.skill_share[f] for f in fam])
    u = -np.sqrt(1 - kappa_d[codes])[:, None] * g[:, None] + np.sqrt(kappa_d[codes])[:, None] * (s @ loadings.T)
    eta0 = sigma_d[codes][:, None] * u
    floor = _floors()[codes]
    # stratified uniforms: within each (dataset, model) a random permutation of (rank + jitter) / n_d,
    # so that e.g. the share of lucky guesses is the floor c_d up to 1/n_d even at tiny scales
    keys = r_out.random((n, m)) + codes[:, None]
    order = np.argsort(keys, axis=0, kind="stable")
    rank = np.empty_like(order)
    np.put_along_axis(rank, order, np.arange(n)[:, None], axis=0)
    uniforms = (rank - start[codes][:, None] + r_out.random((n, m))) / sizes[codes][:, None]
    theta = _solve_abilities(eta0, disc, floor, uniforms, codes, sizes.astype(np.float64), targets)
    eta = disc[None, :] * (theta[codes] + eta0)
    p = floor[:, None] + (1 - floor[:, None]) * expit(eta)
    quality = (uniforms < p).astype(np.float64)

    # tokens and costs
    ds = DATASETS
    typ_prompt = np.array([d.prompt_tokens for d in ds])[codes]
    r_len = params.length_difficulty_corr
    z_len = r_len * g + np.sqrt(1 - r_len**2) * r_tok.standard_normal(n)
    prompt_tokens = np.maximum(1, np.rint(typ_prompt * np.exp(params.prompt_length_sd * z_len))).astype(np.int64)
    typ_ans = np.array([d.answer_tokens for d in ds])[codes]
    verb = np.array([params.verbosity.get(nm, 1.0) for nm in MODEL_NAMES])
    z_ans = r_tok.standard_normal((n, m))
    ans = typ_ans[:, None] * verb[None, :] * np.exp(params.answer_length_sd * z_ans) \
        * np.where(quality > 0, 1.0, params.wrong_answer_length)
    ans = np.where(typ_ans[:, None] <= 1, 1.0, ans)
    answer_tokens = np.maximum(1, np.rint(ans)).astype(np.int64)
    p_in = np.array([mo.price_in for mo in models])
    p_out = np.array([mo.price_out for mo in models])
    cost = (prompt_tokens[:, None] * p_in[None, :] + answer_tokens * p_out[None, :]) / 1e6

    # observable features: fixed random linear map of [g, s] plus noise
    z = np.column_stack([g, s])  # (n, K+1), unit variance columns
    # the map is the nearest orthogonal one to a Gaussian draw (U V^T of its SVD), scaled to unit mean
    # column variance: every latent direction is equally visible, whatever the seed
    u_, _, vt_ = np.linalg.svd(r_feat.standard_normal((K + 1, n_features)), full_matrices=False)
    fmap = (u_ @ vt_) * np.sqrt(n_features / min(K + 1, n_features))
    f = params.feature_signal
    features = np.sqrt(f) * (z @ fmap) + np.sqrt(1 - f) * r_feat.standard_normal((n, n_features))
    features = (features - features.mean(axis=0)) / features.std(axis=0)

    # response confidence (binormal)
    d_prime = np.sqrt(2.0) * ndtri(params.confidence_auc)
    mu = logit(np.clip(targets, 1e-3, 1 - 1e-3)) - d_prime / 2
    confidence = expit(mu[codes] + d_prime * quality + r_conf.standard_normal((n, m)))

    mnames = list(MODEL_NAMES)
    dnames = list(ds_names)
    latent = {
        "difficulty": sigma_d[codes] * g, "skills": s, "item_logit": eta, "p_correct": p,
        "topic": topic,
        "ability": pd.DataFrame(theta, index=dnames, columns=mnames),
        "targets": targets_df, "calibration": calibration_matrix().astype(np.float64),
        "discrimination": pd.Series(disc, index=mnames), "loadings": pd.DataFrame(loadings, index=mnames),
        "anchor_shifts": shifts, "feature_map": fmap, "confidence_d_prime": float(d_prime),
        "params": asdict(params) | {"n_features": int(n_features), "anchor": bool(anchor), "prices": prices},
        "scale": float(scale), "seed": int(seed),
    }
    return Benchmark(
        quality=quality, cost=cost, models=models, sample_ids=sample_ids.astype(str),
        datasets=ds_names[codes].astype(str), prompt_tokens=prompt_tokens, features=features,
        confidence=confidence, answer_tokens=answer_tokens, subsets=subsets.astype(str),
        name=f"{SIM_NAME}, scale={scale:g}, seed={seed}", simulated=True, latent=latent)
