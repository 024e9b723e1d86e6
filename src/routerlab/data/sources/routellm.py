"""Real model outcomes: RouteLLM's GPT-4 vs Mixtral-8x7B responses on MMLU and GSM8K.

The RouteLLM project (lm-sys/RouteLLM, Apache-2.0) published, per question, whether
``gpt-4-1106-preview`` and ``mistralai/Mixtral-8x7B-Instruct-v0.1`` answered correctly:
57 MMLU subject files (14,042 questions) and GSM8K (1,319 questions, with the answer texts).
:func:`load_routellm` turns them into a two-model :class:`~routerlab.data.benchmark.Benchmark`.

Where the files are looked for (the first folder that holds them wins): the folders of
:func:`routerlab.data.sources._base.candidate_folders` (``data_dir``, then ``$ROUTERLAB_DATA_DIR``, each
as the data root holding ``routellm/`` or as the ``routellm`` folder itself, then
``../shared/data/routellm`` beside the repository, then the per-user data root
``~/.cache/routerlab/data/routellm``, ``$XDG_CACHE_HOME`` honoured). ``download=True`` fills the
per-user folder from the pinned commit through the project's one fetcher,
:mod:`routerlab.data.sources._fetch` (``routerlab data fetch routellm``).

Integrity: every file is read through :func:`routerlab.data.sources._base.read_verified`, i.e. its
SHA-256 is checked against the digests shipped in the package
(``routerlab/data/sha256/routellm.sha256``) before it is parsed. A download is verified before it
takes its final name, so a mismatch leaves nothing in place.

Costs. USD = prompt tokens x input price + answer tokens x output price. Answers are 1 token on
MMLU (RouteLLM generated one token, the letter) and the real response text on GSM8K. Tokens are
counted by :func:`routerlab.data.tokens.count_tokens`, an offline approximation of OpenAI's
``cl100k_base``. The stored prompt is the bare question: RouteLLM's actual calls carried a 5-shot
(MMLU, trimmed to <= 1,536 tokens) or 8-shot (GSM8K) prefix that the CSVs do not keep, so the
costs here are the cost of a zero-shot query, lower than what RouteLLM paid (the ratio between the
two models, which is what routing trades, is unaffected on MMLU where answers are one token).
Because they are token counts x list prices, the benchmark is flagged ``cost_estimated``.
"""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Mapping, Sequence

import numpy as np
import pandas as pd

from routerlab.data.benchmark import Benchmark
from routerlab.data.catalog import Model
from routerlab.errors import RouterlabError
from routerlab.data.tokens import count_tokens
from routerlab.data.sources import _fetch
from routerlab.data.sources._base import (ENV, expected_digests as _expected_digests, find_folder, read_verified,
                                          user_data_root)

__all__ = [
    "NAME", "TITLE", "files", "load", "fetch", "COMMIT", "WEAK", "STRONG",
    "ROUTELLM_MODELS", "DEFAULT_PRICES", "MMLU_SUBJECTS", "expected_digests", "find_routellm_dir",
    "download_routellm", "cache_dir", "load_routellm", "placeholder_benchmark",
]

NAME = "routellm"
TITLE = "RouteLLM: GPT-4-1106 vs Mixtral-8x7B correctness on MMLU (14,042) and GSM8K (1,319)"

COMMIT = "0b64fdafe049e596a3f5657c219329f24af24198"  # lm-sys/RouteLLM; the URLs: data/manifests/routellm.tsv
HINT = (f"or let routerlab download the pinned files of lm-sys/RouteLLM@{COMMIT[:7]} "
        "(--download, or routerlab.data.sources.routellm.load_routellm(download=True))")
WEAK_COLUMN = "mistralai/Mixtral-8x7B-Instruct-v0.1"
STRONG_COLUMN = "gpt-4-1106-preview"
WEAK = "Mixtral-8x7B-Instruct"
STRONG = "GPT-4-1106-preview"

# USD per 1M tokens (input, output). GPT-4-1106-preview: OpenAI list price (also RouterBench's
# TOKEN_COSTS). Mixtral-8x7B: Together's price, the same as RouterBench's table and catalog.py.
DEFAULT_PRICES: dict[str, tuple[float, float]] = {WEAK: (0.60, 0.60), STRONG: (10.0, 30.0)}
_PROVIDER = {WEAK: ("Mistral", "Medium"), STRONG: ("OpenAI", "Large")}
# Weak (cheap) model first, as the catalog lists models cheapest first.
ROUTELLM_MODELS: tuple[Model, ...] = tuple(Model(n, *_PROVIDER[n], *DEFAULT_PRICES[n]) for n in (WEAK, STRONG))

_DATASETS = ("MMLU", "GSM8K")


# ---- digests and file lists ------------------------------------------------------------------
def expected_digests() -> dict[str, str]:
    """{relative path: SHA-256 hex} of every pinned file, from the package's digests file."""
    return dict(_expected_digests(NAME))


MMLU_SUBJECTS: tuple[str, ...] = tuple(sorted(
    p[len("mmlu/responses/mmlu_"):-len(".csv")] for p in expected_digests()
    if p.startswith("mmlu/responses/")))


def _files_for(datasets: Sequence[str]) -> list[str]:
    files = []
    if "MMLU" in datasets:
        files += [f"mmlu/responses/mmlu_{s}.csv" for s in MMLU_SUBJECTS] + ["mmlu/contaminated_prompts.jsonl"]
    if "GSM8K" in datasets:
        files += ["gsm8k/gsm8k_responses.csv", "gsm8k/contaminated_prompts.jsonl"]
    return files


def files() -> list[str]:
    """The relative paths :func:`load` reads (both datasets; the LICENSE is not needed)."""
    return _files_for(_DATASETS)


# ---- locating and downloading ----------------------------------------------------------------
def cache_dir() -> Path:
    """The ``routellm`` folder of the per-user data root (``~/.cache/routerlab/data/routellm``,
    ``$XDG_CACHE_HOME`` honoured), where ``download=True`` puts the files."""
    return user_data_root() / NAME


def find_routellm_dir(data_dir=None, datasets: Sequence[str] = _DATASETS) -> Path | None:
    """The first folder holding every file ``datasets`` need, or None (files not verified here).

    Searched: :func:`routerlab.data.sources._base.candidate_folders` (the per-user data root
    last). An explicit ``data_dir`` that lacks the files gives None (no fallback), so the caller
    can say that folder is wrong.
    """
    return find_folder(NAME, _files_for(_check_datasets(datasets)), data_dir)


def download_routellm(dest: Path | None = None, *, datasets: Sequence[str] = _DATASETS,
                      mirror: str | None = None) -> Path:
    """Fetch the pinned files for ``datasets`` (and the LICENSE) into the folder ``dest``
    (default :func:`cache_dir`) with :func:`routerlab.data.sources._fetch.fetch_source`: each one
    is verified before it takes its final name, a mismatch deletes it and raises
    :class:`RouterlabError`. ``mirror``: a folder laid out like the data root or a base URL.
    Returns ``dest``."""
    datasets = _check_datasets(datasets)
    dest = Path(dest) if dest is not None else cache_dir()
    _fetch.fetch_source(NAME, dest, files=_files_for(datasets) + ["LICENSE"], mirror=mirror)
    return dest


# ---- reading ---------------------------------------------------------------------------------
def _check_datasets(datasets) -> tuple[str, ...]:
    if isinstance(datasets, str):
        datasets = (datasets,)
    datasets = tuple(datasets)
    bad = [d for d in datasets if d not in _DATASETS]
    if bad or not datasets:
        raise RouterlabError(f"unknown RouteLLM dataset(s) {bad or '(none)'}; choose from: {', '.join(_DATASETS)}")
    return datasets


def _contaminated(data: bytes) -> set[str]:
    return {json.loads(line)["eval_prompt"] for line in data.decode("utf-8").splitlines() if line.strip()}


def _as_bool(col: pd.Series, rel: str) -> np.ndarray:
    if col.dtype == bool:
        return col.to_numpy()
    s = col.astype("string").str.strip()
    ok = s.isin(["True", "False"])
    if not bool(ok.all()):
        raise RouterlabError(f"{rel}: correctness column {col.name!r} holds values other than True/False")
    return (s == "True").to_numpy()


def _frame(folder: Path, datasets: Sequence[str], drop_contaminated: bool) -> pd.DataFrame:
    parts = []
    if "MMLU" in datasets:
        bad = _contaminated(read_verified(folder, "mmlu/contaminated_prompts.jsonl", NAME))
        for subj in MMLU_SUBJECTS:
            rel = f"mmlu/responses/mmlu_{subj}.csv"
            df = pd.read_csv(io.BytesIO(read_verified(folder, rel, NAME)), keep_default_na=False)
            idx = np.arange(len(df))
            parts.append(pd.DataFrame({
                "sample_id": [f"mmlu-{subj.replace('_', '-')}.{i:04d}" for i in idx],
                "dataset": "MMLU", "subset": subj, "prompt": df["prompt"].astype(str).to_numpy(),
                "weak_ok": _as_bool(df[WEAK_COLUMN], rel), "strong_ok": _as_bool(df[STRONG_COLUMN], rel),
                "weak_answer": "", "strong_answer": "", "contaminated": df["prompt"].isin(bad).to_numpy(),
            }))
    if "GSM8K" in datasets:
        rel = "gsm8k/gsm8k_responses.csv"
        bad = _contaminated(read_verified(folder, "gsm8k/contaminated_prompts.jsonl", NAME))
        df = pd.read_csv(io.BytesIO(read_verified(folder, rel, NAME)), keep_default_na=False)
        parts.append(pd.DataFrame({
            "sample_id": [f"gsm8k.{i:04d}" for i in range(len(df))],
            "dataset": "GSM8K", "subset": "GSM8K", "prompt": df["prompt"].astype(str).to_numpy(),
            "weak_ok": _as_bool(df[WEAK_COLUMN], rel), "strong_ok": _as_bool(df[STRONG_COLUMN], rel),
            "weak_answer": df[WEAK_COLUMN + "_response"].astype(str).to_numpy(),
            "strong_answer": df[STRONG_COLUMN + "_response"].astype(str).to_numpy(),
            "contaminated": df["prompt"].isin(bad).to_numpy(),
        }))
    frame = pd.concat(parts, ignore_index=True)
    if drop_contaminated:
        frame = frame[~frame["contaminated"]].reset_index(drop=True)
    return frame


def load(folder, *, datasets: Sequence[str] = _DATASETS, drop_contaminated: bool = True,
         prices: Mapping[str, tuple[float, float]] | None = None, token_method: str = "regex") -> Benchmark:
    """The verified files of ``folder`` as a two-model :class:`Benchmark` (weak Mixtral first).

    ``datasets``: any of "MMLU", "GSM8K". ``drop_contaminated`` removes the prompts RouteLLM
    lists as contaminated (leaving 14,037 MMLU + 1,307 GSM8K rows). ``prices``: {model name:
    (USD per 1M input, per 1M output)} overriding :data:`DEFAULT_PRICES`. ``token_method``: see
    :func:`routerlab.data.tokens.count_tokens`.

    Returns quality (n, 2) 0/1, cost (n, 2) USD (estimated), ``prompts``, ``subsets`` (MMLU
    subject such as ``"anatomy"``, or ``"GSM8K"``), ``datasets`` ("MMLU"/"GSM8K"),
    ``prompt_tokens`` (n,) and ``answer_tokens`` (n, 2); ``sample_ids`` like
    ``"mmlu-anatomy.0003"`` (row number in the original file, so ids are stable whether or not
    contaminated rows are dropped).
    """
    datasets = _check_datasets(datasets)
    table = dict(DEFAULT_PRICES)
    for k, v in (prices or {}).items():
        if k not in table:
            raise RouterlabError(f"prices given for unknown model {k!r}; the models are {WEAK!r} and {STRONG!r}")
        table[k] = (float(v[0]), float(v[1]))
    models = tuple(Model(nm, *_PROVIDER[nm], *table[nm]) for nm in (WEAK, STRONG))

    full = _frame(Path(folder), datasets, drop_contaminated=False)
    contaminated = int(full["contaminated"].sum())
    frame = full[~full["contaminated"]].reset_index(drop=True) if drop_contaminated else full
    n = len(frame)

    prompt_tokens = count_tokens(frame["prompt"].to_numpy(), token_method)
    is_mmlu = (frame["dataset"] == "MMLU").to_numpy()
    answer_tokens = np.ones((n, 2), dtype=np.int64)
    for j, col in enumerate(("weak_answer", "strong_answer")):
        if (~is_mmlu).any():
            answer_tokens[~is_mmlu, j] = count_tokens(frame.loc[~is_mmlu, col].to_numpy(), token_method)
    p_in = np.array([m.price_in for m in models]) / 1e6
    p_out = np.array([m.price_out for m in models]) / 1e6
    cost = prompt_tokens[:, None] * p_in[None, :] + answer_tokens * p_out[None, :]
    quality = np.column_stack([frame["weak_ok"].to_numpy(), frame["strong_ok"].to_numpy()]).astype(np.float64)
    provenance = {
        "rule": ("prompts RouteLLM lists as contaminated are dropped" if drop_contaminated
                 else "every row kept (drop_contaminated=False)"),
        "rows read": len(full), "contaminated rows": contaminated, "rows dropped": len(full) - n, "rows kept": n,
    }
    return Benchmark(
        quality=quality, cost=cost, models=models,
        sample_ids=frame["sample_id"].to_numpy(dtype=object).astype(str),
        datasets=frame["dataset"].to_numpy(dtype=object).astype(str), prompt_tokens=prompt_tokens,
        answer_tokens=answer_tokens, prompts=frame["prompt"].to_numpy(dtype=object).astype(str),
        subsets=frame["subset"].to_numpy(dtype=object).astype(str),
        name="RouteLLM responses (" + " + ".join(datasets) + ")", simulated=False, cost_estimated=True,
        provenance=provenance)


def load_routellm(data_dir=None, *, datasets: Sequence[str] = _DATASETS, drop_contaminated: bool = True,
                  prices: Mapping[str, tuple[float, float]] | None = None, token_method: str = "regex",
                  download: bool = True) -> Benchmark:
    """RouteLLM's real outcomes, found (see the module docstring) or downloaded, as a
    :class:`Benchmark`; options as in :func:`load`.

    ``data_dir``: the data root or the ``routellm`` folder itself (a folder that lacks the files
    is an error). ``download``: when no local copy is found, fetch the pinned files into the user
    cache (False raises an error saying how to get them).
    """
    datasets = _check_datasets(datasets)
    folder = find_routellm_dir(data_dir, datasets)
    if folder is None:
        if data_dir is not None:
            raise RouterlabError(f"{data_dir} does not hold the RouteLLM files (mmlu/responses/*.csv, "
                                 "gsm8k/gsm8k_responses.csv), nor does its routellm/ sub-folder; point "
                                 "data_dir at the data root or at the routellm folder")
        if not download:
            raise RouterlabError(f"RouteLLM data not found; set {ENV} to the data root (holding routellm/) "
                                 f"or to a folder with the files of lm-sys/RouteLLM@{COMMIT[:7]} "
                                 "routellm/evals/, or allow the download")
        folder = download_routellm(datasets=datasets)
    return load(folder, datasets=datasets, drop_contaminated=drop_contaminated, prices=prices,
                token_method=token_method)


def fetch(data_dir=None, *, download: bool = False, **options) -> Benchmark:
    """Command-line entry (``--data routellm``): :func:`load_routellm`, downloading only if asked."""
    return load_routellm(data_dir, download=download, **options)


def placeholder_benchmark(n_mmlu: int = 400, n_gsm8k: int = 200, seed: int = 0) -> Benchmark:
    """A small SIMULATED stand-in with the schema of :func:`load_routellm` (same models, datasets,
    subjects, prompts, token-based costs), so that a chapter can execute when the real files are
    absent. Its numbers mean nothing; chapters must not report them (they glue NaN instead).
    """
    rng = np.random.default_rng(seed)
    subj = rng.choice(np.array(MMLU_SUBJECTS[:8]), n_mmlu)
    hard = rng.random(n_mmlu + n_gsm8k) < 0.3
    weak_ok = rng.random(hard.size) < np.where(hard, 0.3, 0.8)
    strong_ok = rng.random(hard.size) < np.where(hard, 0.7, 0.9)
    prompts = np.array([f"{'hard' if h else 'easy'} question {i} about {s}" for i, (h, s) in
                        enumerate(zip(hard, np.r_[subj, np.full(n_gsm8k, "arithmetic")]))])
    tokens = count_tokens(prompts)
    answers = np.column_stack([np.ones(hard.size, dtype=np.int64)] * 2)
    answers[n_mmlu:] = rng.integers(40, 200, (n_gsm8k, 2))
    p_in = np.array([m.price_in for m in ROUTELLM_MODELS]) / 1e6
    p_out = np.array([m.price_out for m in ROUTELLM_MODELS]) / 1e6
    return Benchmark(
        quality=np.column_stack([weak_ok, strong_ok]).astype(np.float64),
        cost=tokens[:, None] * p_in + answers * p_out, models=ROUTELLM_MODELS,
        sample_ids=np.array([f"placeholder.{i:04d}" for i in range(hard.size)]),
        datasets=np.r_[np.full(n_mmlu, "MMLU"), np.full(n_gsm8k, "GSM8K")], prompt_tokens=tokens,
        answer_tokens=answers, prompts=prompts, subsets=np.r_[subj, np.full(n_gsm8k, "GSM8K")],
        name="placeholder (simulated stand-in for the RouteLLM data)", simulated=True, cost_estimated=True)
