"""MMLU-Pro: real 5-shot chain-of-thought answers of 29 LLMs to the same questions, 14 categories.

Files: ``model_outputs_<model>_5shots.zip`` (29 archives, from ``TIGER-AI-Lab/MMLU-Pro``,
``eval_results/``), each holding ONE JSON file: a list of records with ``question_id``,
``question``, ``options``, ``answer`` (letter), ``category``, ``src``, ``pred`` (the extracted
letter or null) and the model's text (``generated_text``; three API runs and DeepSeek call it
``model_outputs``). Every archive's SHA-256 is checked before it is opened.

What :func:`load` does, and the rules it applies (the counts go to ``Benchmark.provenance``):

* **Correct** = ``pred == answer``. A record whose ``pred`` is null (no letter could be extracted)
  is **wrong**. MMLU-Pro's own scorer guesses a random letter there; we do not, so accuracies of
  models with many null predictions are a little lower than the leaderboard's. Null predictions
  are counted per model (on the kept questions).
* **Questions kept** = those present in every one of the 29 files (measured: 10,326 of 12,032;
  DeepSeek-Coder-V2 and the two Gemini runs lack some, unevenly: most engineering and chemistry
  questions are missing from the DeepSeek file), minus the answer-key conflicts below (32), i.e.
  10,294. ``models=[...]`` keeps the questions present in the files of those models only.
  Non-record entries of a list (the DeepSeek file holds 43 stray strings such as ``"total"``)
  are skipped and counted.
* **Same question in every file**: ``category`` and ``src`` of a ``question_id`` must agree across
  files, else a :class:`RouterlabError` is raised (the join would compare different questions).
  The answer key was revised between MMLU-Pro releases, so for a few questions the files disagree
  on ``answer``: such questions are dropped and counted (``answer_conflicts="drop"``, default) or
  raise (``answer_conflicts="raise"``); a conflict in any of the 29 files drops the question even
  when ``models`` leaves that file out. Small text edits of a question or its options between
  releases are counted; the text of the first file (sorted by name) is used.
* ``datasets`` = ``category`` (14), ``subsets`` = ``src``, ``sample_ids`` = ``question_id`` as str,
  ``prompts`` = question text plus lettered options.

**Cost is ESTIMATED** (``cost_estimated=True``); nobody was charged these calls:
``cost[i, j] = (prompt_tokens[i] * price_in[j] + output_tokens[i, j] * price_out[j]) / 1e6``, with

* ``output_tokens[i, j]`` = token count of model j's own text for question i (real per-query
  lengths; also returned as ``answer_tokens``);
* ``prompt_tokens[i]`` = token count of the question plus its options. The real calls were
  5-shot: five worked examples of the category preceded each question, but that prefix is not in
  the files, so the input side is a **zero-shot estimate** (an underestimate). ``prefix_tokens``
  adds a constant number of tokens to every prompt for a sensitivity check (the five worked
  examples, with their options and reasoning, are much longer than one question; their length is
  not in the files, so no default is guessed);
* token counts by :func:`routerlab.data.tokens.count_tokens` (an offline approximation of OpenAI's
  ``cl100k_base``; ``token_method="chars4"`` for characters / 4). The models' own tokenizers
  differ; the estimate is the same for every model;
* prices (USD per 1M tokens) from the package table ``routerlab/data/prices/mmlu-pro.csv``, each
  row with its source and date; open base models are priced as their size class on Together AI
  (a proxy, said so in the table).

Parsing 29 archives takes a while, so the per-question table (no generated texts, only their
token counts) is cached as Parquet by :func:`routerlab.data.sources._base.cached_frame`, keyed by every
file's digest and the converter version; every load first checks the files with
:func:`routerlab.data.sources._base.verify_files` (a full SHA-256 of each file changed since it was
last verified), so a warm cache never hides a truncated or replaced archive.
"""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path
from typing import Sequence

import numpy as np
import pandas as pd

from routerlab.data.benchmark import Benchmark
from routerlab.data.catalog import Model
from routerlab.errors import RouterlabError, check_choice, check_range
from routerlab.data.tokens import TOKEN_METHODS, count_tokens
from routerlab.data.catalog import read_prices
from routerlab.data.sources import _base

__all__ = ["NAME", "TITLE", "files", "load", "model_name"]

NAME = "mmlu-pro"
TITLE = "MMLU-Pro: 29 LLMs' 5-shot CoT answers to the same questions, 14 categories (estimated cost)"
HINT = "the 29 model_outputs_<model>_5shots.zip files of TIGER-AI-Lab/MMLU-Pro eval_results/"

_PREFIX, _SUFFIX = "model_outputs_", "_5shots.zip"
# Bump when the cached table changes meaning (columns, rules applied while building it).
_CONVERTER = "mmlu-pro-table-v1"
_TEXT_KEYS = ("generated_text", "model_outputs")


def files() -> list[str]:
    """The 29 archives (relative paths) this source reads, sorted by name."""
    return sorted(p for p in _base.expected_digests(NAME) if p.startswith(_PREFIX) and p.endswith(_SUFFIX))


def model_name(rel: str) -> str:
    """``model_outputs_<model>_5shots.zip`` -> ``<model>`` (the name used in the price table)."""
    return rel[len(_PREFIX):-len(_SUFFIX)]


def _records(folder: Path, rel: str) -> tuple[list[dict], int]:
    """The record dicts of one verified archive and the count of non-record entries skipped."""
    data = _base.read_verified(folder, rel, NAME)  # digest checked before anything is parsed
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            members = [i for i in zf.infolist() if not i.is_dir()]
            if len(members) != 1 or not members[0].filename.lower().endswith(".json"):
                names = ", ".join(i.filename for i in members) or "nothing"
                raise RouterlabError(f"{rel} must hold exactly one .json file, it holds: {names}")
            raw = zf.read(members[0])
    except zipfile.BadZipFile:
        raise RouterlabError(f"{rel} is not a readable zip archive") from None
    try:
        items = json.loads(raw)
    except ValueError as exc:
        raise RouterlabError(f"{rel}: the JSON inside cannot be parsed ({exc})") from None
    if not isinstance(items, list):
        raise RouterlabError(f"{rel}: expected a JSON list of records, found {type(items).__name__}")
    records = [r for r in items if isinstance(r, dict)]
    return records, len(items) - len(records)


def _prompt_text(question: str, options) -> str:
    letters = "ABCDEFGHIJKLMNOP"
    lines = [str(question), "Options:"]
    lines += [f"{letters[k]}. {opt}" for k, opt in enumerate(options or [])]
    return "\n".join(lines)


def _build_table(folder: Path) -> pd.DataFrame:
    """One row per question_id seen in any file; per model j the columns ``present:j``,
    ``correct:j``, ``null:j``, ``otok_regex:j``, ``otok_chars4:j`` and ``nonrecord:j`` (constant)."""
    rels = files()
    questions: dict[int, dict] = {}
    per_model: dict[str, pd.DataFrame] = {}
    for rel in rels:
        model = model_name(rel)
        records, nonrecord = _records(folder, rel)
        qids, correct, null, texts = [], [], [], []
        for r in records:
            try:
                qid = int(r["question_id"])
                answer, category, src = r["answer"], r["category"], r["src"]
            except (KeyError, TypeError, ValueError):
                raise RouterlabError(f"{rel}: a record lacks question_id, answer, category or src") from None
            text = next((r[k] for k in _TEXT_KEYS if k in r), None)
            if text is not None and not isinstance(text, str):
                raise RouterlabError(f"{rel}: question {qid} has a non-text model output")
            pred = r.get("pred")
            prompt = _prompt_text(r.get("question", ""), r.get("options"))
            seen = questions.get(qid)
            if seen is None:
                questions[qid] = {"question_id": qid, "prompt": prompt, "category": str(category),
                                  "src": str(src), "answer": str(answer), "answer_conflict": False,
                                  "text_revised": False}
            else:
                if (seen["category"], seen["src"]) != (str(category), str(src)):
                    raise RouterlabError(
                        f"question_id {qid} is {seen['category']}/{seen['src']} in one file but "
                        f"{category}/{src} in {rel}; the files do not describe the same questions")
                if seen["answer"] != str(answer):
                    seen["answer_conflict"] = True
                if seen["prompt"] != prompt:
                    seen["text_revised"] = True
            qids.append(qid)
            correct.append(pred is not None and str(pred) == str(answer))
            null.append(pred is None)
            texts.append(text)
        if len(set(qids)) != len(qids):
            raise RouterlabError(f"{rel} lists a question_id twice")
        per_model[model] = pd.DataFrame({
            "question_id": np.asarray(qids, dtype=np.int64),
            "correct": np.asarray(correct, dtype=bool), "null": np.asarray(null, dtype=bool),
            "otok_regex": count_tokens(texts, "regex").astype(np.int32),
            "otok_chars4": count_tokens(texts, "chars4").astype(np.int32),
            "nonrecord": np.int32(nonrecord),
        }).set_index("question_id")
    table = pd.DataFrame(list(questions.values())).sort_values("question_id").set_index("question_id")
    cols = {}
    for j, model in enumerate(per_model):
        part = per_model[model].reindex(table.index)
        present = part["correct"].notna().to_numpy()
        cols[f"present:{j}"] = present
        cols[f"correct:{j}"] = part["correct"].fillna(False).astype(bool).to_numpy()
        cols[f"null:{j}"] = part["null"].fillna(False).astype(bool).to_numpy()
        for k in ("otok_regex", "otok_chars4"):
            cols[f"{k}:{j}"] = part[k].fillna(0).astype(np.int32).to_numpy()
        cols[f"nonrecord:{j}"] = np.full(len(table), int(per_model[model]["nonrecord"].iloc[0])
                                         if len(per_model[model]) else 0, dtype=np.int32)
    table = pd.concat([table, pd.DataFrame(cols, index=table.index)], axis=1).reset_index()
    return table


def load(folder: Path, token_method: str = "regex", prefix_tokens: int = 0,
         answer_conflicts: str = "drop", models: Sequence[str] | None = None) -> Benchmark:
    """The MMLU-Pro benchmark of ``folder`` (see the module docstring for every rule).

    ``token_method``: "regex" (approximate cl100k_base) or "chars4" (characters / 4), for both the
    prompt and the generated text. ``prefix_tokens``: a constant added to every prompt's token count
    (0 = zero-shot estimate; the real calls carried a 5-shot CoT prefix not in the files).
    ``answer_conflicts``: "drop" (default) or "raise" for questions whose answer key differs between
    files. ``models``: a subset of the 29 names (default all); questions are then kept when present
    in the files of those models only (three models lack some questions, so dropping them keeps
    more questions). Returns (n, m) quality 0/1 and ESTIMATED cost in USD.
    """
    check_choice("token method", token_method, TOKEN_METHODS)
    check_choice("answer_conflicts rule", answer_conflicts, ("drop", "raise"))
    prefix_tokens = int(check_range("prefix_tokens", prefix_tokens, 0, None))
    folder = Path(folder)
    rels = files()
    all_models = [model_name(r) for r in rels]
    if isinstance(models, str):
        models = [models]
    if models is None:
        cols = list(range(len(all_models)))
    else:
        for mo in models:
            check_choice("MMLU-Pro model", mo, all_models)
        if not models or len(set(models)) != len(models):
            raise RouterlabError("models must name at least one MMLU-Pro model, each once")
        cols = [all_models.index(mo) for mo in models]
    models = [all_models[j] for j in cols]
    digests = _base.expected_digests(NAME)
    prices = read_prices(NAME)
    missing = [m for m in models if m not in prices.index]
    if missing:
        raise RouterlabError(f"no price for model(s) {', '.join(missing)} in the package table "
                             f"routerlab/data/prices/{NAME}.csv; add a row with its source")
    # the files are checked even when the table is cached: the key holds the shipped digests,
    # which the files match only once verify_files has passed
    _base.verify_files(folder, rels, NAME)
    key = [NAME, _CONVERTER] + [f"{r}={digests[r]}" for r in rels]
    table = _base.cached_frame(NAME, key, lambda: _build_table(folder))

    m = len(models)
    present = np.column_stack([table[f"present:{j}"].to_numpy(bool) for j in cols])
    in_all = present.all(axis=1)
    conflict = table["answer_conflict"].to_numpy(bool)
    n_conflict = int((in_all & conflict).sum())
    if n_conflict and answer_conflicts == "raise":
        qs = table.loc[in_all & conflict, "question_id"].head(5).tolist()
        raise RouterlabError(f"{n_conflict} question(s) have a different answer key in different files "
                             f"(e.g. question_id {qs}); pass answer_conflicts='drop' to drop them")
    keep = in_all & ~conflict
    t = table.loc[keep].reset_index(drop=True)
    if len(t) == 0:
        raise RouterlabError(f"no question is present, with one answer key, in all {m} files of {folder}")

    quality = np.column_stack([t[f"correct:{j}"].to_numpy(bool) for j in cols]).astype(np.float64)
    nulls = np.column_stack([t[f"null:{j}"].to_numpy(bool) for j in cols])
    out_tokens = np.column_stack([t[f"otok_{token_method}:{j}"].to_numpy(np.int64) for j in cols])
    prompts = t["prompt"].to_numpy(dtype=object)
    prompt_tokens = count_tokens(prompts, token_method) + prefix_tokens
    p = prices.loc[models]
    price_in = p["price_in"].to_numpy(np.float64)
    price_out = p["price_out"].to_numpy(np.float64)
    cost = (prompt_tokens[:, None] * price_in[None, :] + out_tokens * price_out[None, :]) / 1e6
    model_objs = tuple(Model(name=mo, provider=str(p.at[mo, "provider"]), tier=str(p.at[mo, "tier"]),
                             price_in=float(p.at[mo, "price_in"]), price_out=float(p.at[mo, "price_out"]))
                       for mo in models)
    nonrecord = {mo: int(table[f"nonrecord:{j}"].iloc[0]) for j, mo in zip(cols, models)}
    provenance = {
        "rule": ("correct = pred == answer; a null pred counts WRONG (MMLU-Pro's scorer guesses at "
                 "random there, we do not); questions kept = present in all files with one answer key; "
                 f"cost ESTIMATED: zero-shot prompt tokens (+{prefix_tokens} prefix) x list input price + "
                 f"tokens of each model's own output x list output price ({token_method} token counts)"),
        "files read": len(rels),
        "models used": m,
        "question ids seen": int(len(table)),
        "non-record list entries skipped": int(sum(nonrecord.values())),
        "questions missing from at least one file (dropped)": int((~in_all).sum()),
        "questions with conflicting answer keys (dropped)": n_conflict,
        "questions kept": int(len(t)),
        "kept questions whose text differs between files (first file's text used)":
            int(t["text_revised"].sum()),
        "null preds counted wrong (all models)": int(nulls.sum()),
        "null preds counted wrong, per model": {mo: int(nulls[:, j].sum()) for j, mo in enumerate(models)},
        "non-record entries, per model": {mo: c for mo, c in nonrecord.items() if c},
        "token method": token_method,
        "prompt prefix tokens added": prefix_tokens,
    }
    return Benchmark(
        quality=quality, cost=cost, models=model_objs,
        sample_ids=t["question_id"].astype(str).to_numpy(dtype=object),
        datasets=t["category"].to_numpy(dtype=object), prompt_tokens=prompt_tokens.astype(np.int64),
        answer_tokens=out_tokens, prompts=prompts, subsets=t["src"].to_numpy(dtype=object),
        name=NAME, cost_estimated=True, provenance=provenance)
