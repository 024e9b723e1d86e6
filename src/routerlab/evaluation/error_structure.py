"""How correlated two models' errors are and how predictable correctness is: pure measurements.

These functions work on any :class:`~routerlab.data.benchmark.Benchmark`, real or simulated. They are
how RouterBench-Sim's structural defaults were calibrated (:mod:`routerlab.data.simulate`): the same
measurements on RouteLLM's real GPT-4 vs Mixtral-8x7B outcomes (:data:`REAL_TARGETS`) and on the
simulated GPT-4o vs Mixtral-8x7B-Instruct must agree within 0.05.

* :func:`error_phi` -- the phi coefficient (Pearson correlation of two 0/1 vectors) between two
  models' correctness, per dataset. High: the models fail on the same questions, so routing
  between them gains little.
* :func:`correctness_auc` -- held-out AUC of a logistic regression predicting one model's
  correctness from the query: TF-IDF of the prompt text for real data (:data:`TFIDF_SETTINGS`),
  the observable ``features`` for simulated data. How much a router can know before calling.
* :func:`topic_auc` -- the same with only the topic (one-hot of ``subsets``, e.g. the MMLU subject).
* :func:`length_auc` -- AUC of the negative prompt length (longer prompt -> predicted wrong); no fit.
* :func:`structure_table` -- all of them per dataset for a pair of models.

Protocol (``n_splits``-fold stratified cross-validation, shuffled with ``seed``): the vectoriser /
scaler and the classifier are fitted on the training folds only; the AUC is computed on each held-out
fold and averaged over the folds. Logistic regression: scikit-learn's ``LogisticRegression(C=1,
max_iter=2000)`` (L2, lbfgs). Dense features are standardised first. Everything is offline.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from routerlab.data.benchmark import Benchmark
from routerlab.errors import RouterlabError, check_choice
from routerlab.metrics import roc_auc

__all__ = [
    "TFIDF_SETTINGS", "LOGREG_C", "REAL_TARGETS", "REAL_N", "REAL_MODELS", "SIM_MODELS", "STRUCTURE_COLUMNS",
    "real_targets_table", "max_phi", "error_phi", "correctness_auc", "topic_auc", "length_auc", "structure_table",
    "STRUCTURE_KNOBS", "FIT_TARGETS", "LENGTH_TARGETS", "knob_overrides", "simulated_structure", "structure_gap",
    "fit_structure", "structure_loss", "KNOB_STEPS", "KNOB_BOUNDS",
]

# TF-IDF of the prompt text: word 1- and 2-grams seen in >= 2 training prompts, sublinear tf
# (1 + log tf), l2-normalised rows (scikit-learn defaults otherwise: lower-casing, token pattern
# r"(?u)\b\w\w+\b"). Fitted inside each training fold.
TFIDF_SETTINGS: dict = {"sublinear_tf": True, "min_df": 2, "ngram_range": (1, 2)}
LOGREG_C = 1.0

# The real structural targets, measured with this module on RouteLLM's outcomes:
#   source  lm-sys/RouteLLM @ 0b64fdafe049e596a3f5657c219329f24af24198 (2024-08-09), routellm/evals/
#           mmlu/responses/mmlu_*.csv (57 files) and gsm8k/gsm8k_responses.csv, read with
#           routerlab.routellm.load_routellm(drop_contaminated=True): 14,037 MMLU + 1,307 GSM8K rows
#   method  structure_table(load_routellm(), "GPT-4-1106-preview", "Mixtral-8x7B-Instruct", seed=0):
#           phi of correctness; 5-fold stratified CV (shuffle, seed 0) AUC of TF-IDF (TFIDF_SETTINGS)
#           + logistic regression (C=1); topic AUC from the MMLU subject one-hot; AUC of -prompt tokens
#   date    measured 2025 (this repository's first calibration); tests/test_structure.py recomputes
#           these from the files when they are present and checks them to 0.01.
# Model a = the strong model (GPT-4-1106-preview; GPT-4o in the simulation), b = the weak one
# (Mixtral-8x7B-Instruct). NaN: not measurable (GSM8K has no topic labels).
REAL_TARGETS: dict[str, dict[str, float]] = {
    "MMLU": {"acc_a": 0.8059, "acc_b": 0.6809, "phi": 0.4303, "auc_a": 0.7584, "auc_b": 0.7174, "topic_auc_a": 0.7531, "topic_auc_b": 0.7159,
             "length_auc_a": 0.5560, "length_auc_b": 0.5864},
    "GSM8K": {"acc_a": 0.8577, "acc_b": 0.6373, "phi": 0.1118, "auc_a": 0.6763, "auc_b": 0.5608, "topic_auc_a": np.nan, "topic_auc_b": np.nan,
              "length_auc_a": 0.5231, "length_auc_b": 0.5960},
}
REAL_N = {"MMLU": 14037, "GSM8K": 1307}  # rows measured (contaminated prompts dropped)
REAL_MODELS = ("GPT-4-1106-preview", "Mixtral-8x7B-Instruct")  # (a, b) in the real files
SIM_MODELS = ("GPT-4o", "Mixtral-8x7B-Instruct")  # (a, b) in RouterBench-Sim
STRUCTURE_COLUMNS = ("phi", "auc_a", "auc_b", "topic_auc_a", "topic_auc_b", "length_auc_a", "length_auc_b")


def real_targets_table(accuracy: bool = False) -> pd.DataFrame:
    """:data:`REAL_TARGETS` as a (dataset x measurement) DataFrame: the :data:`STRUCTURE_COLUMNS`,
    preceded by the two models' accuracies ``acc_a``, ``acc_b`` when ``accuracy`` is true."""
    cols = (["acc_a", "acc_b"] if accuracy else []) + list(STRUCTURE_COLUMNS)
    return pd.DataFrame(REAL_TARGETS).T.loc[:, cols]


def _column(bench: Benchmark, model) -> np.ndarray:
    return bench.quality[:, bench.model_index(model)]


def _by_dataset(bench: Benchmark, by: str | None):
    if by is None:
        return [("all", np.ones(bench.n_queries, dtype=bool))]
    check_choice("grouping", by, ["dataset"])
    return [(d, bench.datasets == d) for d in bench.dataset_names]


def _phi(a: np.ndarray, b: np.ndarray) -> float:
    a = a.astype(np.float64)
    b = b.astype(np.float64)
    if a.std() == 0 or b.std() == 0:
        return float("nan")
    return float(np.corrcoef(a, b)[0, 1])


def error_phi(bench: Benchmark, model_a, model_b, *, by: str | None = "dataset") -> pd.Series:
    """Phi coefficient between the correctness (quality > 0.5) of two models, per dataset.

    Returns a Series indexed by dataset (or ``"all"`` with ``by=None``); NaN where a model is
    always right or always wrong. Phi of the errors equals phi of the successes.
    """
    ya, yb = _column(bench, model_a) > 0.5, _column(bench, model_b) > 0.5
    return pd.Series({d: _phi(ya[mask], yb[mask]) for d, mask in _by_dataset(bench, by)}, name="phi")


def max_phi(acc_a: float, acc_b: float, floor: float = 0.0) -> float:
    """Largest phi two models with accuracies ``acc_a``, ``acc_b`` can have when each answers by an
    independent guess (success ``floor``, e.g. 1/4 on 4-option questions) on the questions it does
    not know.

    The maximum is reached when the questions the weaker model knows are a subset of those the
    stronger one knows: with k = (acc - floor) / (1 - floor) the known shares (k_a >= k_b),
    P(both right) = k_b + (k_a - k_b) floor + (1 - k_a) floor^2. With ``floor=0`` this is the
    ordinary maximum phi for two given marginals.
    """
    if not (0 <= floor < 1 and floor <= acc_a <= 1 and floor <= acc_b <= 1):
        raise RouterlabError(f"need 0 <= floor < 1 and floor <= accuracies <= 1, got {acc_a}, {acc_b}, {floor}")
    hi, lo = max(acc_a, acc_b), min(acc_a, acc_b)
    k_hi, k_lo = (hi - floor) / (1 - floor), (lo - floor) / (1 - floor)
    both = k_lo + (k_hi - k_lo) * floor + (1 - k_hi) * floor**2
    var = hi * (1 - hi) * lo * (1 - lo)
    return float("nan") if var == 0 else float((both - hi * lo) / np.sqrt(var))


#: Settings of TfidfVectorizer that are not CountVectorizer's tokenisation: applied per training fold.
_TFIDF_ONLY = ("min_df", "norm", "use_idf", "smooth_idf", "sublinear_tf")


def _text_counts(texts):
    """(n, V) counts of ``texts`` with the tokenisation of :data:`TFIDF_SETTINGS` (word 1-2-grams,
    every term, vocabulary sorted): those of the routers' text features
    (:func:`routerlab.routing.features.word_counts`, which keeps the last few, so the two models of
    a structure table count their texts once)."""
    from routerlab.routing.features import word_counts

    if {k: v for k, v in TFIDF_SETTINGS.items() if k not in _TFIDF_ONLY} != {"ngram_range": (1, 2)}:
        raise RouterlabError("TFIDF_SETTINGS tokenises otherwise than word_counts; count with CountVectorizer")
    return word_counts(tuple(str(t) for t in texts))


def _fold_tfidf(counts, train, test):
    """TfidfVectorizer(**TFIDF_SETTINGS) fitted on the rows ``train`` of ``counts`` and applied to
    ``train`` and ``test``: the terms in at least ``min_df`` training texts, their training idf.
    Equal to refitting the vectoriser on the training texts, without tokenising them again."""
    from sklearn.feature_extraction.text import TfidfTransformer

    min_df = TFIDF_SETTINGS.get("min_df", 1)
    tr = counts[train]
    df = np.bincount(tr.indices, minlength=tr.shape[1])
    keep = np.flatnonzero(df >= max(1, min_df if isinstance(min_df, (int, np.integer)) else min_df * tr.shape[0]))
    tf = TfidfTransformer(**{k: v for k, v in TFIDF_SETTINGS.items() if k in _TFIDF_ONLY and k != "min_df"})
    x_tr = tf.fit_transform(tr[:, keep].astype(np.float64))
    return x_tr, tf.transform(counts[test][:, keep].astype(np.float64))


def _cv_auc(X, y: np.ndarray, kind: str, n_splits: int, seed: int) -> float:
    """Mean held-out-fold AUC of (vectoriser/scaler +) logistic regression; NaN if a class is too small."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import StratifiedKFold
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import OneHotEncoder, StandardScaler

    counts = np.bincount(y.astype(np.int64), minlength=2)
    if counts.min() < n_splits:
        return float("nan")
    folds = StratifiedKFold(n_splits=n_splits, shuffle=True, random_state=seed)
    aucs = []
    if kind == "tfidf":
        words = _text_counts(X)
        for train, test in folds.split(np.zeros(len(y)), y):
            x_tr, x_te = _fold_tfidf(words, train, test)
            model = LogisticRegression(C=LOGREG_C, max_iter=2000).fit(x_tr, y[train])
            aucs.append(roc_auc(y[test], model.predict_proba(x_te)[:, 1]))
        return float(np.mean(aucs))
    steps = {"dense": lambda: [StandardScaler()],
             "topic": lambda: [OneHotEncoder(handle_unknown="ignore")]}[kind]
    for train, test in folds.split(np.zeros(len(y)), y):
        model = make_pipeline(*steps(), LogisticRegression(C=LOGREG_C, max_iter=2000))
        model.fit(X[train], y[train])
        aucs.append(roc_auc(y[test], model.predict_proba(X[test])[:, 1]))
    return float(np.mean(aucs))


def correctness_auc(bench: Benchmark, model, *, features=None, by: str | None = "dataset",
                    n_splits: int = 5, seed: int = 0) -> pd.Series:
    """Held-out AUC of logistic regression predicting ``model``'s correctness from the query.

    ``features``: None (TF-IDF of ``bench.prompts`` if the benchmark has prompt text, else
    ``bench.features``), ``"tfidf"``, ``"features"``, ``"topic"`` (one-hot of ``bench.subsets``)
    or an (n, d) array. Fitted separately per dataset (``by="dataset"``) or on all rows
    (``by=None``). Returns a Series of AUCs (NaN where a class has fewer than ``n_splits`` rows,
    or for ``"topic"`` where the dataset has a single topic).
    """
    if not isinstance(n_splits, (int, np.integer)) or n_splits < 2:
        raise RouterlabError(f"n_splits = {n_splits!r} must be an integer >= 2")
    if features is None:
        features = "tfidf" if bench.prompts is not None else "features"
    if isinstance(features, str):
        check_choice("feature source", features, ["tfidf", "features", "topic"])
        if features == "tfidf":
            if bench.prompts is None:
                raise RouterlabError("this benchmark has no prompt text; use features='features' or pass an array")
            X, kind = np.asarray(bench.prompts, dtype=object), "tfidf"
        elif features == "features":
            if bench.features is None:
                raise RouterlabError("this benchmark has no features; use features='tfidf' or pass an array")
            X, kind = bench.features, "dense"
        else:
            if bench.subsets is None:
                raise RouterlabError("this benchmark has no subsets (topic labels) for a topic AUC")
            X, kind = np.asarray(bench.subsets, dtype=object).reshape(-1, 1), "topic"
    else:
        X = np.asarray(features, dtype=np.float64)
        if X.ndim != 2 or X.shape[0] != bench.n_queries:
            raise RouterlabError(f"features must be an ({bench.n_queries}, d) array, got shape {X.shape}")
        kind = "dense"
    y = (_column(bench, model) > 0.5).astype(np.int64)
    out = {}
    for d, mask in _by_dataset(bench, by):
        if kind == "topic" and len(np.unique(X[mask, 0])) < 2:
            out[d] = float("nan")
            continue
        out[d] = _cv_auc(X[mask], y[mask], kind, int(n_splits), int(seed))
    return pd.Series(out, name="auc")


def topic_auc(bench: Benchmark, model, *, by: str | None = "dataset", n_splits: int = 5, seed: int = 0) -> pd.Series:
    """:func:`correctness_auc` with the topic (one-hot of ``bench.subsets``) as the only feature."""
    return correctness_auc(bench, model, features="topic", by=by, n_splits=n_splits, seed=seed).rename("topic_auc")


def length_auc(bench: Benchmark, model, *, by: str | None = "dataset") -> pd.Series:
    """AUC of ``-prompt_tokens`` for ``model``'s correctness (> 0.5: longer prompts fail more), per dataset."""
    y = (_column(bench, model) > 0.5).astype(np.int64)
    score = -np.asarray(bench.prompt_tokens, dtype=np.float64)
    return pd.Series({d: roc_auc(y[mask], score[mask]) for d, mask in _by_dataset(bench, by)}, name="length_auc")


def structure_table(bench: Benchmark, model_a, model_b, seed: int = 0, *, datasets=None,
                    features=None, n_splits: int = 5) -> pd.DataFrame:
    """All structural measurements per dataset for models a and b: a (dataset x column) DataFrame.

    Columns: ``n`` (queries), ``acc_a``, ``acc_b``, then :data:`STRUCTURE_COLUMNS` (``phi``,
    ``auc_a``, ``auc_b``, ``topic_auc_a``, ``topic_auc_b``, ``length_auc_a``, ``length_auc_b``).
    ``datasets``: restrict to these (default all); ``features``: as in :func:`correctness_auc`.
    ``df.attrs`` records the model names, the feature source and the protocol.
    """
    if datasets is not None:
        keep = [bench.dataset_mask(d) for d in datasets]
        bench = bench.rows(np.logical_or.reduce(keep))
    ia, ib = bench.model_index(model_a), bench.model_index(model_b)
    acc = bench.accuracy_by_dataset()
    kw = {"n_splits": n_splits, "seed": seed}
    has_topics = bench.subsets is not None
    cols = {
        "n": pd.Series(np.bincount(bench.dataset_codes), index=bench.dataset_names),
        "acc_a": acc.iloc[:, ia], "acc_b": acc.iloc[:, ib],
        "phi": error_phi(bench, ia, ib),
        "auc_a": correctness_auc(bench, ia, features=features, **kw),
        "auc_b": correctness_auc(bench, ib, features=features, **kw),
        "topic_auc_a": topic_auc(bench, ia, **kw) if has_topics else np.nan,
        "topic_auc_b": topic_auc(bench, ib, **kw) if has_topics else np.nan,
        "length_auc_a": length_auc(bench, ia), "length_auc_b": length_auc(bench, ib),
    }
    df = pd.DataFrame(cols)
    if datasets is not None:
        df = df.loc[list(datasets)]
    src = features if features is not None else ("tfidf" if bench.prompts is not None else "features")
    df.attrs.update({"model_a": bench.model_names[ia], "model_b": bench.model_names[ib],
                     "features": src if isinstance(src, str) else "array", "n_splits": n_splits, "seed": seed})
    return df


# ---- calibrating RouterBench-Sim's structure ------------------------------------------------------
# The knobs fitted to REAL_TARGETS (dotted names address a dict entry of simulate.SimParams).
STRUCTURE_KNOBS = (
    "difficulty_sd.multiple_choice", "skill_share.multiple_choice", "topic_share",
    "discrimination.Mixtral-8x7B-Instruct", "feature_signal", "difficulty_sd.free_form", "skill_share.free_form",
)
# Which measurements the fit matches: (dataset, column) pairs with a real value.
FIT_TARGETS = tuple((d, c) for d in ("MMLU", "GSM8K") for c in ("phi", "auc_a", "auc_b", "topic_auc_a", "topic_auc_b")
                    if not np.isnan(REAL_TARGETS[d][c]))
LENGTH_TARGETS = tuple((d, c) for d in ("MMLU", "GSM8K") for c in ("length_auc_a", "length_auc_b"))


def knob_overrides(values: dict) -> dict:
    """Turn ``{"difficulty_sd.free_form": 3.0, "topic_share": 0.3, ...}`` into ``simulate`` keyword
    overrides, filling the other entries of dict-valued parameters from the defaults."""
    from routerlab.data.simulate import DEFAULT_PARAMS

    out: dict = {}
    for key, v in values.items():
        name, _, entry = key.partition(".")
        if not hasattr(DEFAULT_PARAMS, name):
            raise RouterlabError(f"unknown structural knob {key!r}; valid: {', '.join(STRUCTURE_KNOBS)}")
        if entry:
            out.setdefault(name, dict(getattr(DEFAULT_PARAMS, name)))[entry] = float(v)
        else:
            out[name] = float(v)
    return out


def simulated_structure(scale: float = 1.0, seed: int = 0, *, n_splits: int = 5, **overrides) -> pd.DataFrame:
    """:func:`structure_table` of RouterBench-Sim (GPT-4o = a, Mixtral-8x7B-Instruct = b) on MMLU
    and GSM8K, with the simulated ``features`` in place of TF-IDF. ``overrides`` go to ``simulate``."""
    from routerlab.data.simulate import simulate

    bench = simulate(scale, seed, **overrides)
    bench = bench.rows(np.isin(bench.datasets, ["MMLU", "GSM8K"])).select_models(list(SIM_MODELS))
    return structure_table(bench, SIM_MODELS[0], SIM_MODELS[1], seed=seed, datasets=["MMLU", "GSM8K"],
                           features="features", n_splits=n_splits)


def structure_gap(sim: pd.DataFrame, real: pd.DataFrame | None = None) -> pd.DataFrame:
    """Simulated minus real for the :data:`STRUCTURE_COLUMNS` on the datasets both tables have."""
    real = real_targets_table() if real is None else real
    rows = [d for d in real.index if d in sim.index]
    cols = list(STRUCTURE_COLUMNS)
    return sim.loc[rows, cols].astype(float) - real.loc[rows, cols].astype(float)


# Compass-search steps and bounds of the knobs (the spread stops at 20: beyond it outcomes are
# practically deterministic given the latent truth, "knows it or guesses").
KNOB_STEPS = {"difficulty_sd": 2.0, "skill_share": 0.05, "topic_share": 0.03, "discrimination": 0.05,
              "feature_signal": 0.005}
KNOB_BOUNDS = {"difficulty_sd": (0.5, 20.0), "skill_share": (0.0, 1.0), "topic_share": (0.0, 0.9),
               "discrimination": (0.05, 5.0), "feature_signal": (0.0, 1.0)}


def structure_loss(values: dict, *, seeds=(0, 1, 2), scale: float = 1.0, targets=FIT_TARGETS,
                   **extra) -> float:
    """Mean over ``seeds`` of the mean squared simulated-minus-real gap over ``targets``."""
    kw = knob_overrides(values) | extra
    gaps = [structure_gap(simulated_structure(scale, s, **kw)) for s in seeds]
    return float(np.mean([[gp.loc[d, c] ** 2 for d, c in targets] for gp in gaps]))


def fit_structure(start: dict | None = None, *, seeds=(0, 1, 2), scale: float = 1.0, max_evals: int = 200,
                  min_step: float = 0.25, verbose: bool = False) -> dict:
    """Least-squares fit of the structural knobs to :data:`REAL_TARGETS` (slow: many minutes).

    Stage 1, a compass search over :data:`STRUCTURE_KNOBS` minimising :func:`structure_loss` (the
    mean squared gap over :data:`FIT_TARGETS`, averaged over ``seeds`` with common random numbers,
    so the objective is deterministic): from ``start`` (default: the current defaults) try each knob
    one step up and down (:data:`KNOB_STEPS`, within :data:`KNOB_BOUNDS`), keep any improvement, and
    halve all steps after a sweep without one, until the steps fall below ``min_step`` times their
    initial size or ``max_evals`` simulations. Stage 2: ``length_difficulty_corr`` by a bounded
    scalar search on :data:`LENGTH_TARGETS` (it moves no other measurement).
    Returns ``{"knobs", "length_difficulty_corr", "rmse", "evaluations"}``.
    """
    from scipy.optimize import minimize_scalar

    from routerlab.data.simulate import DEFAULT_PARAMS

    def current(key):
        name, _, entry = key.partition(".")
        v = getattr(DEFAULT_PARAMS, name)
        return v[entry] if entry else v

    x = {k: float((start or {}).get(k, current(k))) for k in STRUCTURE_KNOBS}
    steps = {k: KNOB_STEPS[k.partition(".")[0]] for k in STRUCTURE_KNOBS}
    first = dict(steps)
    evals = 1
    best = structure_loss(x, seeds=seeds, scale=scale)
    if verbose:
        print(evals, x, f"rmse={np.sqrt(best):.4f}", flush=True)
    while evals < max_evals and any(steps[k] >= min_step * first[k] for k in steps):
        improved = False
        for k in STRUCTURE_KNOBS:
            lo, hi = KNOB_BOUNDS[k.partition(".")[0]]
            for sign in (1, -1):
                trial = dict(x)
                trial[k] = round(float(np.clip(x[k] + sign * steps[k], lo, hi)), 6)
                if trial[k] == x[k] or evals >= max_evals:
                    continue
                evals += 1
                val = structure_loss(trial, seeds=seeds, scale=scale)
                if verbose:
                    print(evals, k, trial[k], f"rmse={np.sqrt(val):.4f}", flush=True)
                if val < best:
                    x, best, improved = trial, val, True
                    break
        if not improved:
            steps = {k: v / 2 for k, v in steps.items()}

    def length_loss(r):  # only prompt lengths and outcomes are needed: no classifier to fit
        from routerlab.data.simulate import simulate

        sq = []
        for s in seeds:
            b = simulate(scale, s, length_difficulty_corr=float(r), **knob_overrides(x))
            for j, c in ((b.model_index(SIM_MODELS[0]), "length_auc_a"), (b.model_index(SIM_MODELS[1]), "length_auc_b")):
                la = length_auc(b, j)
                sq += [(la[d] - REAL_TARGETS[d][c]) ** 2 for d, c2 in LENGTH_TARGETS if c2 == c]
        return float(np.mean(sq))

    r = minimize_scalar(length_loss, bounds=(-0.9, 0.9), method="bounded", options={"xatol": 1e-3})
    return {"knobs": x, "length_difficulty_corr": round(float(r.x), 3), "rmse": float(np.sqrt(best)),
            "evaluations": evals}
