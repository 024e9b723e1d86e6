"""Does reading the query buy anything over knowing the task? Learned routers against query-blind,
task-aware baselines, with the winner picked where it is not scored.

* :func:`validation_choice` -- for one seed, the learned router with the best RS on a validation
  split of that seed's TRAINING rows (stratified, ``test_size`` of them; the routers are fitted on
  the rest, text features fitted on those rows only). The test rows are never read.
* :func:`gain_over_baseline` -- for an :class:`~routerlab.evaluation.protocol.EvaluationResult`,
  the RS of each seed's validation-chosen router minus the RS of ``baseline`` (by default
  ``dataset-best``: per dataset, the model with the best training RS) on that seed's test rows,
  averaged over seeds, with a 95% paired bootstrap interval over the test queries.
* :func:`training_fixed_choice` -- for one seed, the fixed model with the best RS on that seed's
  training rows.
* :func:`learned_over_fixed` -- the validation-chosen router minus the training-chosen fixed model,
  on the test rows (the best learned router against the best fixed model, neither winner picked on
  the rows that score it).

The task-aware zero router, its curve-side counterpart, is
:func:`routerlab.evaluation.curves.task_zero_points` (``frontier_study(task_aware=True)``).

Selecting the best of several routers on the rows that score it biases the difference upwards
(the winner's curse); choosing on validation rows and scoring on test rows does not.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np
import pandas as pd

from routerlab.data.benchmark import Benchmark
from routerlab.data.splits import stratified_split
from routerlab.errors import RouterlabError, check_choice
from routerlab.evaluation.protocol import EvaluationResult, _bootstrap_means, fit_route_score
from routerlab.metrics import cell_scores
from routerlab.routing.features import resolve_text_features, split_rows

__all__ = ["validation_choice", "gain_over_baseline", "chosen_table", "paired_seed_interval",
           "check_book_protocol", "training_fixed_choice", "learned_over_fixed"]


def validation_choice(bench: Benchmark, learned: Sequence[str], seed: int, test_size: float = 0.2,
                      text_features: str | None = "auto", cache_dir=None) -> tuple[str, dict[str, float]]:
    """``(name, {router: validation RS})``: the router of ``learned`` with the best RS (global
    normalisation on the validation rows) on a validation split of ``seed``'s training rows.

    The training rows of ``seed`` are those of :func:`~routerlab.data.splits.stratified_split`
    (``test_size``, ``seed``); they are split again the same way (validation = ``test_size`` of
    them); each router is fitted on the remaining training rows with ``seed``. Ties go to the
    first name in ``learned``.

    ``cache_dir``: a folder where each router's validation RS is kept per benchmark content,
    split, features and package code, so that chapters choosing among the same routers fit each
    once (None = ``$ROUTERLAB_CACHE_DIR`` if set, which the book runner sets; False = no cache).
    """
    learned = list(learned)
    if not learned:
        raise RouterlabError("learned is empty; name at least one learned router, e.g. ['mf', 'knn']")
    tr, _ = stratified_split(bench, test_size, seed)
    inner = bench.rows(tr)
    kind = resolve_text_features(inner, text_features)

    def compute(names: list[str]) -> dict[str, float]:
        fit_idx, val_idx = stratified_split(inner, test_size, seed)
        fit_part, val_part = split_rows(inner, fit_idx, val_idx, kind, seed)
        return {name: float(fit_route_score(name, fit_part, val_part, seed)["terms"].mean()) for name in names}

    path = _validation_cache(bench, seed, test_size, kind, cache_dir)
    if path is None:
        scores = compute(learned)
    else:
        import json

        from routerlab.data.files import atomic_write
        from routerlab.locks import entry_lock

        with entry_lock(path):
            try:
                kept = {k: float(v) for k, v in json.loads(path.read_text()).items()} if path.is_file() else {}
            except (ValueError, OSError, AttributeError, TypeError):  # a damaged entry: computed again
                kept = {}
            missing = [name for name in learned if name not in kept]
            if missing:
                kept.update(compute(missing))
                try:  # written aside, then renamed; a cache that cannot be written only costs the fits
                    atomic_write(path, lambda tmp: tmp.write_text(json.dumps(kept, sort_keys=True)))
                except OSError:
                    pass
        scores = {name: kept[name] for name in learned}
    best = max(learned, key=lambda name: (scores[name], -learned.index(name)))
    return best, scores


def _validation_cache(bench: Benchmark, seed: int, test_size: float, kind, cache_dir):
    """The cache file of :func:`validation_choice` (None: no cache)."""
    from routerlab.data.benchmark import benchmark_fingerprint
    from routerlab.evaluation.cache import entry_path

    return entry_path(cache_dir, "validation/{key}.json", {"benchmark": benchmark_fingerprint(bench), "seed": int(seed),
                                                           "test_size": float(test_size), "features": kind})


def gain_over_baseline(result: EvaluationResult, bench: Benchmark, learned: Sequence[str],
                       baseline: str = "dataset-best", n_boot: int = 1000, boot_seed: int = 0,
                       text_features: str | None = "auto") -> dict:
    """RS of the validation-chosen learned router minus RS of ``baseline``, on the test rows.

    ``result`` must come from :func:`~routerlab.evaluation.protocol.evaluate` on ``bench`` with the
    stratified split and the global normalisation, and must contain ``baseline`` and every router
    of ``learned``. Returns ``{"value", "lo", "hi", "per_seed" (list of differences), "chosen"
    (list of router names, one per seed), "validation" ({seed: {router: RS}})}``: ``value`` is the
    mean over seeds of the per-seed differences; ``lo``/``hi`` the 2.5/97.5 percentiles of the
    seed-averaged difference over ``n_boot`` bootstrap resamples of each seed's test queries.
    """
    check_book_protocol(result, "gain_over_baseline")
    for name in [baseline, *learned]:
        check_choice("policy", name, result.policies)
    test_size = float(result.params["test_size"])
    chosen, diffs, validation = [], [], {}
    b = result.policies.index(baseline)
    for seed in result.seeds:
        name, scores = validation_choice(bench, learned, seed, test_size, text_features)
        terms = result.terms[seed]
        chosen.append(name)
        validation[int(seed)] = scores
        diffs.append(terms[:, result.policies.index(name)] - terms[:, b])
    return dict(paired_seed_interval(diffs, n_boot, boot_seed), chosen=chosen, validation=validation)


def training_fixed_choice(bench: Benchmark, seed: int, test_size: float = 0.2) -> tuple[str, np.ndarray]:
    """``("fixed:<model>", (m,) training RS)``: the model with the best RS (global normalisation over
    the training rows) on the training rows of ``seed``'s stratified split; ties go to the first
    model. A fixed model learns nothing, so all training rows serve to pick it; the test rows are
    never read."""
    tr, _ = stratified_split(bench, test_size, seed)
    rs = cell_scores(bench.quality[tr], bench.cost[tr], "global").mean(axis=0)
    return f"fixed:{bench.model_names[int(np.argmax(rs))]}", rs


def learned_over_fixed(result: EvaluationResult, bench: Benchmark, learned: Sequence[str], n_boot: int = 1000,
                       boot_seed: int = 0, text_features: str | None = "auto") -> dict:
    """RS of the validation-chosen learned router minus RS of the training-chosen fixed model, on
    the test rows: "the best learned router against the best fixed model" with neither winner
    picked on the rows that score it.

    For each seed of ``result`` (the book's protocol, :func:`check_book_protocol`; it must hold
    every router of ``learned`` and every ``fixed:<model>`` of ``bench``), the router is the one
    :func:`validation_choice` picks and the fixed model the one :func:`training_fixed_choice` picks;
    the per-query RS differences on that seed's test rows (``result.terms``) go to
    :func:`paired_seed_interval`. Returns ``{"value", "lo", "hi", "per_seed", "chosen"`` (routers, one
    per seed), ``"fixed"`` (fixed-model policies, one per seed), ``"validation"`` ({seed: {router:
    validation RS}})}``; RS differences in RS units.
    """
    check_book_protocol(result, "learned_over_fixed")
    for name in learned:
        check_choice("policy", name, result.policies)
    test_size = float(result.params["test_size"])
    chosen, fixed, diffs, validation = [], [], [], {}
    for seed in result.seeds:
        name, scores = validation_choice(bench, learned, seed, test_size, text_features)
        ref, _ = training_fixed_choice(bench, seed, test_size)
        check_choice("policy", ref, result.policies)
        terms = result.terms[seed]
        chosen.append(name)
        fixed.append(ref)
        validation[int(seed)] = scores
        diffs.append(terms[:, result.policies.index(name)] - terms[:, result.policies.index(ref)])
    return dict(paired_seed_interval(diffs, n_boot, boot_seed), chosen=chosen, fixed=fixed, validation=validation)


def check_book_protocol(result: EvaluationResult, what: str) -> None:
    """One-line error unless ``result`` used the book's protocol (stratified split, global RS
    normalisation), which the validation splits of this module reproduce; ``what`` names the caller."""
    if result.params.get("split") != "stratified" or result.params.get("normalization") != "global":
        raise RouterlabError(f"{what} needs an evaluation with split='stratified' and "
                             "normalization='global' (the book's protocol)")


def paired_seed_interval(diffs: Sequence[np.ndarray], n_boot: int = 1000, boot_seed: int = 0) -> dict:
    """Mean over seeds of per-query RS differences, with a paired bootstrap interval.

    ``diffs``: one (n_test,) array per seed, in seed order, of per-query RS differences (router
    minus reference) on that seed's test rows. Returns ``{"value", "lo", "hi", "per_seed"}``:
    ``per_seed`` the mean difference of each seed, ``value`` their mean, ``lo``/``hi`` the
    2.5/97.5 percentiles of the seed-averaged difference over ``n_boot`` bootstrap resamples of
    each seed's test queries (one generator seeded with ``boot_seed``, drawn seed after seed).
    """
    rng = np.random.default_rng(boot_seed)
    per_seed, reps = [], []
    for d in diffs:
        d = np.asarray(d, dtype=np.float64)
        per_seed.append(float(d.mean()))
        reps.append(_bootstrap_means(d[:, None], n_boot, rng)[:, 0])
    boot = np.mean(reps, axis=0)
    return {"value": float(np.mean(per_seed)), "lo": float(np.percentile(boot, 2.5)),
            "hi": float(np.percentile(boot, 97.5)), "per_seed": per_seed}


def chosen_table(gain: dict) -> pd.DataFrame:
    """One row per seed: the validation-chosen router, its validation RS, and its RS gain on test."""
    rows = []
    for seed, name, diff in zip(gain["validation"], gain["chosen"], gain["per_seed"]):
        rows.append({"seed": seed, "chosen": name, "validation RS": gain["validation"][seed][name],
                     "test RS gain": diff})
    return pd.DataFrame(rows)

