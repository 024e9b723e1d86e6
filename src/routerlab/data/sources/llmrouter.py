"""LLMRouter: real scores of 9 open LLMs (one provider, NVIDIA) on questions from 14 tasks.

Files (from ``ulab-uiuc/LLMRouter``, SHA-256-checked before parsing):

* ``dcrouter_{train,test}.json`` -- lists of ``{"question": text, "scores": {model: score}}``;
* ``default_query_{train,test}.jsonl`` -- one query a line: ``task_name``, ``query``,
  ``ground_truth``, ``metric``, ``choices``, ``task_id``;
* ``default_llm.json`` -- per model the numeric ``input_price`` / ``output_price`` (USD per 1M
  tokens; the free-text ``feature`` quotes other prices for some models and is NOT used).

What :func:`load` does (every count goes to ``Benchmark.provenance``, measured at load time):

* **Pooled**: train and test are read together (the book makes its own split).
* **Task of a question**: its text is looked up among the ``query`` texts of both query files
  (measured: every one of the 5,989 distinct texts is found). Six texts are listed under two
  tasks (MMLU and OpenBookQA / ARC-Challenge); they are OpenBookQA / ARC items (sentence-stem
  wording, one with ARC's numeric answer label), so a text listed under MMLU and exactly one
  other task is given the other task. Any other ambiguity raises. A scored text with no query
  is dropped and counted.
* **Duplicated question texts** (6,108 rows, 5,989 texts: 119 texts are scored twice, once in
  train and once in test; 50 of those pairs disagree on at least one model, mostly GPQA items
  whose options were shuffled differently): ``duplicates="mean"`` (default) keeps one row per
  text with the mean score of its rows, the best estimate of what a router faces when it sees
  that text; ``duplicates="first"`` keeps the first row (train before test, file order).
* ``quality`` = the scores, checked to lie in [0, 1]. They are 0/1 except CommonGen's concept
  coverage (a fraction) and, under ``duplicates="mean"``, the averaged disagreeing pairs.
* ``datasets`` = task names as readable labels; ``prompts`` = the query text, without an
  instruction line that every query of a task shares (none at the start in this data; AgentVerse
  MGSM ends every query with the same boxed-answer instruction, which is removed).
  ``sample_ids`` = ``<split>-<row>`` of the kept row in its ``dcrouter`` file.

**Cost is ESTIMATED** (``cost_estimated=True``; the files hold no responses and no token counts):
``cost[i, j] = (prompt_tokens[i] * price_in[j] + output_tokens[i] * price_out[j]) / 1e6``.

* ``prompt_tokens`` = :func:`routerlab.data.tokens.count_tokens` of the full query text, an offline
  approximation of OpenAI's ``cl100k_base`` (``token_method="chars4"``: characters / 4). The
  real calls wrapped the query in a task template (instructions, lettered options); that wrapper
  is not in the files, so the input side is an underestimate of the same size for every model.
* ``output_tokens`` (the same for all 9 models: nothing in the files says how long each model's
  answer was). ``output_tokens="reference"`` (default): per query, the token count of the task's
  reference answer ``ground_truth``, clipped to [:data:`OUTPUT_FLOOR`, :data:`OUTPUT_CAP`]:

  - GSM8K and MATH references are worked solutions, i.e. of the length of a chain-of-thought
    answer; Natural Questions, TriviaQA and AgentVerse MGSM references are short answers;
  - multiple-choice references (MMLU, GPQA, ARC, CommonsenseQA, OpenBookQA, logic grid) are one
    letter, so the floor applies: ``OUTPUT_FLOOR = 16`` tokens is one short answer sentence ("The
    answer is (B) because ..."), which the prompts ask for (a letter in parentheses);
  - for HumanEval and MBPP the reference is the test code, for CommonGen the concept list: a
    proxy of the same order as the function or sentence the model writes;
  - ``OUTPUT_CAP = 512`` tokens is the ``max_tokens`` LLMRouter's data generation passed to every
    call (``llmrouter/data/api_calling_evaluation.py``), so no answer was longer.

  ``output_tokens=<int>`` uses that constant for every query instead. ``output_scale`` multiplies
  the estimate (e.g. 2.0 for verbose chat models), for the book's sensitivity check.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd

from routerlab.data.benchmark import Benchmark
from routerlab.data.catalog import Model
from routerlab.errors import RouterlabError, check_choice, check_range
from routerlab.data.prompts import strip_shared_prefix
from routerlab.data.tokens import TOKEN_METHODS, count_tokens
from routerlab.data.sources import _base

__all__ = ["NAME", "TITLE", "files", "load", "TASK_LABELS", "OUTPUT_FLOOR", "OUTPUT_CAP"]

NAME = "llmrouter"
TITLE = "LLMRouter: 9 open LLMs on 14 tasks, real scores, list prices (estimated cost)"
HINT = "the dcrouter_*.json, default_query_*.jsonl and default_llm.json files of ulab-uiuc/LLMRouter"

SPLITS = ("train", "test")
_SCORES = {s: f"dcrouter_{s}.json" for s in SPLITS}
_QUERIES = {s: f"default_query_{s}.jsonl" for s in SPLITS}
_LLMS = "default_llm.json"

# Output-length estimate (tokens), see the module docstring.
OUTPUT_FLOOR = 16
OUTPUT_CAP = 512

TASK_LABELS = {
    "mmlu": "MMLU", "gsm8k": "GSM8K", "math": "MATH", "gpqa": "GPQA",
    "arc_challenge": "ARC-Challenge", "mbpp": "MBPP", "human_eval": "HumanEval",
    "natural_qa": "Natural Questions", "trivia_qa": "TriviaQA", "commonsense_qa": "CommonsenseQA",
    "openbook_qa": "OpenBookQA", "commongen": "CommonGen",
    "agentverse-logicgrid": "AgentVerse logic grid", "agentverse-mgsm": "AgentVerse MGSM",
}
# A text listed under this task and exactly one other is given the other task (see docstring).
_GENERAL_TASK = "mmlu"

_PROVIDERS = {"qwen": "Alibaba", "google": "Google", "meta": "Meta", "nvidia": "NVIDIA",
              "mistralai": "Mistral"}


def files() -> list[str]:
    """The five files this source reads (relative paths)."""
    return [*_SCORES.values(), *_QUERIES.values(), _LLMS]


def _json(folder: Path, rel: str):
    data = _base.read_verified(folder, rel, NAME)  # digest checked before parsing
    try:
        if rel.endswith(".jsonl"):
            return [json.loads(line) for line in data.decode("utf-8").split("\n") if line.strip()]
        return json.loads(data)
    except ValueError as exc:
        raise RouterlabError(f"{rel}: cannot parse the JSON ({exc})") from None


def _tier(size: str) -> str:
    try:
        b = float(str(size).upper().rstrip("B"))
    except ValueError:
        return "unknown"
    return "Small" if b < 20 else ("Medium" if b <= 60 else "Large")


def _models(llms: dict, names: list[str]) -> tuple[Model, ...]:
    out = []
    for name in names:
        spec = llms.get(name)
        if not isinstance(spec, dict):
            raise RouterlabError(f"model {name!r} has scores but no entry (and no price) in {_LLMS}")
        prices = []
        for key in ("input_price", "output_price"):
            v = spec.get(key)
            if isinstance(v, bool) or not isinstance(v, (int, float)) or not v >= 0:
                raise RouterlabError(f"{_LLMS}: model {name!r} has no numeric {key} >= 0 (got {v!r})")
            prices.append(float(v))
        org = str(spec.get("model", "")).split("/")[0]
        out.append(Model(name=name, provider=_PROVIDERS.get(org, org or "unknown"),
                         tier=_tier(spec.get("size", "")), price_in=prices[0], price_out=prices[1]))
    return tuple(out)


def _strip_shared_lines(texts: np.ndarray, groups: np.ndarray) -> np.ndarray:
    """Per group, remove complete lines every text shares at the start and at the end
    (:func:`routerlab.routing.features.strip_shared_prefix`, applied to the texts and to their
    reversals); whitespace-only removals (a shared final newline) are not applied."""
    texts = np.asarray(texts, dtype=object)
    head = strip_shared_prefix(texts, groups)
    tail = np.array([t[::-1] for t in strip_shared_prefix(np.array([t[::-1] for t in head], dtype=object), groups)],
                    dtype=object)
    out = texts.copy()
    for i, (t, h, s) in enumerate(zip(texts, head, tail)):
        h = h if t[:len(t) - len(h)].strip() else t       # removed start must hold text
        s_removed = h[len(s):] if h.startswith(s) else ""
        out[i] = s if s_removed.strip() and len(s) < len(h) else h
    return out


def load(folder: Path, output_tokens="reference", output_scale: float = 1.0,
         token_method: str = "regex", duplicates: str = "mean") -> Benchmark:
    """The LLMRouter benchmark of ``folder``: (n, 9) quality in [0, 1], ESTIMATED cost in USD.

    ``output_tokens``: "reference" (per-query reference-answer length clipped to [16, 512]) or an
    int (the same output length for every query); ``output_scale`` multiplies it; ``token_method``:
    "regex" (approximate cl100k_base) or "chars4"; ``duplicates``: "mean" or "first" (rule for a
    question text scored more than once). See the module docstring.
    """
    check_choice("token method", token_method, TOKEN_METHODS)
    check_choice("duplicates rule", duplicates, ("mean", "first"))
    output_scale = check_range("output_scale", output_scale, 0.0, None, lo_open=True)
    if isinstance(output_tokens, str):
        check_choice("output_tokens", output_tokens, ("reference",))
    else:
        output_tokens = check_range("output_tokens", output_tokens, 0.0, None)
    folder = Path(folder)

    # ---- scored rows -----------------------------------------------------------------------
    rows = []
    model_names: list[str] | None = None
    for split, rel in _SCORES.items():
        items = _json(folder, rel)
        if not isinstance(items, list):
            raise RouterlabError(f"{rel}: expected a JSON list of scored questions")
        for k, item in enumerate(items):
            try:
                text, scores = item["question"], item["scores"]
            except (KeyError, TypeError):
                raise RouterlabError(f"{rel}: entry {k} lacks 'question' or 'scores'") from None
            if model_names is None:
                model_names = list(scores)
            if set(scores) != set(model_names):
                raise RouterlabError(f"{rel}: entry {k} scores models {sorted(scores)}, "
                                     f"expected {sorted(model_names)}")
            rows.append((f"{split}-{k}", str(text), [scores[mo] for mo in model_names]))
    if not rows:
        raise RouterlabError(f"no scored question in {folder}")
    try:
        raw = np.array([r[2] for r in rows], dtype=np.float64)
    except (TypeError, ValueError):
        raise RouterlabError("a score is not a number") from None
    if not np.isfinite(raw).all() or (raw < 0).any() or (raw > 1).any():
        raise RouterlabError("scores must be numbers in [0, 1]; found "
                             f"min {np.nanmin(raw):.3g}, max {np.nanmax(raw):.3g} or a missing value")
    sid = np.array([r[0] for r in rows], dtype=object)
    text = np.array([r[1] for r in rows], dtype=object)

    # ---- task of each text -----------------------------------------------------------------
    listings: dict[str, list[tuple[str, str]]] = {}
    for split, rel in _QUERIES.items():
        for k, q in enumerate(_json(folder, rel)):
            try:
                listings.setdefault(str(q["query"]), []).append((str(q["task_name"]), str(q.get("ground_truth", ""))))
            except (KeyError, TypeError):
                raise RouterlabError(f"{rel}: line {k + 1} lacks 'query' or 'task_name'") from None
    task_of, reference_of, n_ambiguous = {}, {}, 0
    for t in dict.fromkeys(text.tolist()):
        found = listings.get(t)
        if not found:
            continue
        tasks = list(dict.fromkeys(task for task, _ in found))
        if len(tasks) > 1:
            others = [x for x in tasks if x != _GENERAL_TASK]
            if len(others) != 1 or len(tasks) != 2:
                raise RouterlabError(f"a question is listed under tasks {tasks}; no rule says which to use: "
                                     f"{t[:60]!r}")
            tasks, n_ambiguous = others, n_ambiguous + 1
        task_of[t] = tasks[0]
        reference_of[t] = next(gt for task, gt in found if task == tasks[0])
    matched = np.array([t in task_of for t in text])

    # ---- one row per distinct text ---------------------------------------------------------
    frame = pd.DataFrame(raw, columns=range(raw.shape[1]))
    frame["text"] = text
    frame = frame.loc[matched]
    groups = frame.groupby("text", sort=False)
    sizes = groups.size()
    first_idx = groups.head(1).index.to_numpy()
    score_cols = list(range(raw.shape[1]))
    if duplicates == "mean":
        quality = groups[score_cols].mean().to_numpy(np.float64)
    else:
        quality = raw[first_idx]
    spread = (groups[score_cols].max() - groups[score_cols].min()).to_numpy()
    disagree = int((spread.max(axis=1) > 0).sum())
    kept_text = text[first_idx]
    tasks = np.array([task_of[t] for t in kept_text], dtype=object)
    datasets = np.array([TASK_LABELS.get(t, t) for t in tasks], dtype=object)

    # ---- estimated cost --------------------------------------------------------------------
    prompt_tokens = count_tokens(kept_text, token_method)
    if isinstance(output_tokens, str):
        refs = np.array([reference_of[t] for t in kept_text], dtype=object)
        out = np.clip(count_tokens(refs, token_method), OUTPUT_FLOOR, OUTPUT_CAP).astype(np.float64)
        out_rule = f"reference answer tokens clipped to [{OUTPUT_FLOOR}, {OUTPUT_CAP}]"
    else:
        out = np.full(len(kept_text), float(output_tokens))
        out_rule = f"constant {output_tokens:g} tokens"
    out = out * output_scale
    llms = _json(folder, _LLMS)
    if not isinstance(llms, dict):
        raise RouterlabError(f"{_LLMS}: expected a JSON object of models")
    # Model order: as listed in default_llm.json (the scores files list them in varying order).
    order = sorted(range(len(model_names)), key=lambda j: (list(llms).index(model_names[j])
                                                           if model_names[j] in llms else len(llms), j))
    models = _models(llms, [model_names[j] for j in order])
    quality = quality[:, order]
    price_in = np.array([m.price_in for m in models])
    price_out = np.array([m.price_out for m in models])
    cost = (prompt_tokens[:, None] * price_in[None, :] + out[:, None] * price_out[None, :]) / 1e6

    prompts = _strip_shared_lines(kept_text, tasks)
    nonbinary = (quality != 0) & (quality != 1)
    provenance = {
        "rule": (f"train and test pooled; task by matching the question to the query files; a text "
                 f"scored more than once is kept once with the {'mean' if duplicates == 'mean' else 'first'} "
                 f"of its scores; cost ESTIMATED: {token_method} tokens of the query x input price + "
                 f"output tokens ({out_rule}, x{output_scale:g}) x output price"),
        "scored rows read": len(rows),
        "distinct question texts": int(len(dict.fromkeys(text.tolist()))),
        "rows without a matching query (dropped)": int((~matched).sum()),
        "texts scored more than once": int((sizes > 1).sum()),
        "duplicate rows merged": int((sizes - 1).sum()),
        "duplicated texts whose scores disagree": disagree,
        "texts listed under MMLU and another task (given the other)": n_ambiguous,
        "queries kept": int(len(kept_text)),
        "non-binary scores in the files": int(((raw != 0) & (raw != 1)).sum()),
        "non-binary quality cells kept": int(nonbinary.sum()),
        "prompts with a shared instruction line removed": int((prompts != kept_text).sum()),
    }
    return Benchmark(
        quality=quality, cost=cost, models=models, sample_ids=sid[first_idx], datasets=datasets,
        prompt_tokens=prompt_tokens.astype(np.int64), prompts=prompts, name=NAME,
        cost_estimated=True, provenance=provenance)
