"""Real model outcomes: RouteLLM's GPT-4 vs Mixtral-8x7B responses on MMLU and GSM8K.

The RouteLLM project (lm-sys/RouteLLM, Apache-2.0) published, per question, whether
``gpt-4-1106-preview`` and ``mistralai/Mixtral-8x7B-Instruct-v0.1`` answered correctly:
57 MMLU subject files (14,042 questions) and GSM8K (1,319 questions, with the answer texts).
:func:`load_routellm` turns them into a two-model :class:`~routerlab.benchmark.Benchmark`.

Where the files are looked for (the first folder that holds them wins):

1. ``data_dir`` (the folder itself, or a folder with a ``routellm/`` sub-folder);
2. the environment variable ``ROUTERLAB_DATA_DIR`` (same two forms);
3. ``../shared/data/routellm`` beside the repository, where the repository is found from this
   file's location (``src/routerlab/`` -> repo root) and, failing that, by walking up from the
   current working directory to the first folder with a ``pyproject.toml``;
4. the user cache ``~/.cache/routerlab/routellm/<commit>`` (``$XDG_CACHE_HOME`` is honoured),
   filled on first use by downloading the pinned files from GitHub (``download=True``).

Integrity: every file is read as bytes and its SHA-256 is checked against the digests shipped in
the package (``routerlab/data/routellm_SHA256SUMS``) before it is parsed. A download goes to a
temporary folder, every digest is verified, and only then is the folder moved into the cache,
so a mismatch leaves nothing cached.

Costs. USD = prompt tokens x input price + answer tokens x output price. Answers are 1 token on
MMLU (RouteLLM generated one token, the letter) and the real response text on GSM8K. Tokens are
counted by :func:`count_tokens`, an offline approximation of OpenAI's ``cl100k_base`` (see there).
The stored prompt is the bare question: RouteLLM's actual calls carried a 5-shot (MMLU, trimmed
to <= 1,536 tokens) or 8-shot (GSM8K) prefix that the CSVs do not keep, so the costs here are the
cost of a zero-shot query, lower than what RouteLLM paid (the ratio between the two models, which
is what routing trades, is unaffected on MMLU where answers are one token).
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import tempfile
import urllib.request
from importlib import resources
from pathlib import Path
from typing import Callable, Mapping, Sequence

import numpy as np
import pandas as pd

from .benchmark import Benchmark
from .catalog import Model
from .errors import RouterlabError

__all__ = [
    "COMMIT", "BASE_URL", "LICENSE_URL", "WEAK", "STRONG", "ROUTELLM_MODELS", "DEFAULT_PRICES",
    "MMLU_SUBJECTS", "expected_digests", "count_tokens", "find_routellm_dir", "download_routellm",
    "cache_dir", "load_routellm",
]

COMMIT = "0b64fdafe049e596a3f5657c219329f24af24198"
BASE_URL = f"https://raw.githubusercontent.com/lm-sys/RouteLLM/{COMMIT}/routellm/evals/"
LICENSE_URL = f"https://raw.githubusercontent.com/lm-sys/RouteLLM/{COMMIT}/LICENSE"
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
_ENV = "ROUTERLAB_DATA_DIR"
_FIX = ("delete it and let routerlab download a fresh copy, or copy the file again from "
        f"lm-sys/RouteLLM at commit {COMMIT[:7]}")


# ---- digests and file lists ------------------------------------------------------------------
def expected_digests() -> dict[str, str]:
    """{relative path: SHA-256 hex} of every pinned file, from the package's SHA256SUMS copy."""
    text = resources.files("routerlab").joinpath("data/routellm_SHA256SUMS").read_text(encoding="utf-8")
    out = {}
    for line in text.splitlines():
        if line.strip():
            digest, path = line.split(maxsplit=1)
            out[path.strip().removeprefix("./")] = digest.lower()
    return out


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


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# ---- token counting --------------------------------------------------------------------------
# cl100k_base pre-tokeniser, written for the stdlib ``re`` (letters = [^\W\d_]): contractions,
# an optional leading non-letter plus a letter run, 1-3 digits, punctuation runs, newlines, spaces.
_PIECE = (r"'(?:[sdmt]|ll|ve|re)|[^\r\n\w]?[^\W\d_]+|\d{1,3}| ?[^\s\w]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"
          r"|_+")
# A letter run of L letters costs 1 + floor((L - 1) / 6) tokens (common words are one token,
# rarer long words split into pieces of about 6 letters).
_LONG = r"[^\W\d_]{6}(?=[^\W\d_])"


def count_tokens(texts, method: str = "regex") -> np.ndarray:
    """(n,) int approximate token counts of ``texts`` (n,) str, without any downloaded tokenizer.

    ``method="regex"`` (default) approximates OpenAI's ``cl100k_base`` (the tokenizer RouterBench's
    costs were computed with): it splits the text with cl100k's pre-tokenisation pattern (words
    with their leading space, digits in groups of at most 3, punctuation runs, whitespace) and
    counts one token per piece plus one per further 6 letters of a long word.
    ``method="chars4"`` is OpenAI's rule of thumb, ceil(characters / 4). Neither is exact; both
    are deterministic and offline. Every text counts at least 1 token.
    """
    s = pd.Series(np.asarray(texts, dtype=object), dtype=object).fillna("").astype(str).astype(object)
    if method == "chars4":
        n = np.ceil(s.str.len().to_numpy(dtype=np.float64) / 4.0)
    elif method == "regex":
        n = (s.str.count(_PIECE).to_numpy(dtype=np.float64) + s.str.count(_LONG).to_numpy(dtype=np.float64))
    else:
        raise RouterlabError(f"unknown token count method {method!r}; choose one of: regex, chars4")
    return np.maximum(n, 1).astype(np.int64)


# ---- locating and downloading ----------------------------------------------------------------
def cache_dir() -> Path:
    """``$XDG_CACHE_HOME/routerlab/routellm/<commit>`` (``~/.cache`` when the variable is unset)."""
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / "routerlab" / "routellm" / COMMIT


def _holds_files(folder: Path, datasets: Sequence[str]) -> bool:
    return all((folder / f).is_file() for f in _files_for(datasets))


def _candidates(data_dir) -> list[Path]:
    out: list[Path] = []
    for base in (data_dir, os.environ.get(_ENV) or None):
        if base is not None:
            base = Path(base).expanduser()
            out += [base, base / "routellm"]
    here = Path(__file__).resolve()
    roots = [here.parents[2]]
    cwd = Path.cwd().resolve()
    roots += [p for p in (cwd, *cwd.parents) if (p / "pyproject.toml").is_file()][:1]
    out += [r.parent / "shared" / "data" / "routellm" for r in roots]
    return out


def find_routellm_dir(data_dir=None, datasets: Sequence[str] = _DATASETS) -> Path | None:
    """The first folder (see the module docstring, steps 1-4 without downloading) that holds
    every file ``datasets`` need, or None. Files are not verified here."""
    datasets = _check_datasets(datasets)
    if data_dir is not None:
        explicit = [Path(data_dir).expanduser(), Path(data_dir).expanduser() / "routellm"]
        for c in explicit:
            if _holds_files(c, datasets):
                return c
        return None  # an explicit folder that lacks the files is an error for the caller
    for c in _candidates(None) + [cache_dir()]:
        if _holds_files(c, datasets):
            return c
    return None


def _fetch(url: str) -> bytes:
    """The bytes at ``url`` (http(s) or file://). Tests replace this function."""
    with urllib.request.urlopen(url, timeout=60) as response:  # noqa: S310 - pinned addresses
        return response.read()


def download_routellm(dest: Path | None = None, *, datasets: Sequence[str] = _DATASETS,
                      base_url: str = BASE_URL, license_url: str = LICENSE_URL,
                      fetch: Callable[[str], bytes] | None = None) -> Path:
    """Download the pinned files for ``datasets`` into ``dest`` (default :func:`cache_dir`).

    Files go to a temporary folder beside ``dest``; each one's SHA-256 is checked against the
    package's digests, and only when all match are they moved into ``dest``. A mismatch raises
    :class:`RouterlabError` naming the file and leaves ``dest`` untouched. Returns ``dest``.
    """
    datasets = _check_datasets(datasets)
    fetch = fetch or _fetch
    dest = Path(dest) if dest is not None else cache_dir()
    digests = expected_digests()
    files = _files_for(datasets) + ["LICENSE"]
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".routellm-download-", dir=dest.parent))
    try:
        for rel in files:
            url = license_url if rel == "LICENSE" else base_url + rel
            try:
                data = fetch(url)
            except OSError as exc:
                raise RouterlabError(f"could not download {url} ({exc}); give a local copy with "
                                     f"data_dir= or {_ENV}") from None
            if _sha256(data) != digests[rel]:
                raise RouterlabError(f"downloaded {rel} has the wrong SHA-256 (expected {digests[rel][:12]}...); "
                                     "nothing was cached, retry later or give a local copy with data_dir=")
            target = tmp / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
        # merge into dest: every file is verified, move them in (a rename on one file system)
        for rel in files:
            final = dest / rel
            final.parent.mkdir(parents=True, exist_ok=True)
            os.replace(tmp / rel, final)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return dest


# ---- reading ---------------------------------------------------------------------------------
def _read_verified(folder: Path, rel: str, digests: Mapping[str, str]) -> bytes:
    path = folder / rel
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise RouterlabError(f"cannot read {path} ({exc.strerror}); {_FIX}") from None
    if _sha256(data) != digests[rel]:
        raise RouterlabError(f"{path} is corrupted or not the pinned version (SHA-256 mismatch); {_FIX}")
    return data


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
    digests = expected_digests()
    parts = []
    if "MMLU" in datasets:
        bad = _contaminated(_read_verified(folder, "mmlu/contaminated_prompts.jsonl", digests))
        for subj in MMLU_SUBJECTS:
            rel = f"mmlu/responses/mmlu_{subj}.csv"
            df = pd.read_csv(io.BytesIO(_read_verified(folder, rel, digests)), keep_default_na=False)
            idx = np.arange(len(df))
            parts.append(pd.DataFrame({
                "sample_id": [f"mmlu-{subj.replace('_', '-')}.{i:04d}" for i in idx],
                "dataset": "MMLU", "subset": subj, "prompt": df["prompt"].astype(str).to_numpy(),
                "weak_ok": _as_bool(df[WEAK_COLUMN], rel), "strong_ok": _as_bool(df[STRONG_COLUMN], rel),
                "weak_answer": "", "strong_answer": "", "contaminated": df["prompt"].isin(bad).to_numpy(),
            }))
    if "GSM8K" in datasets:
        rel = "gsm8k/gsm8k_responses.csv"
        bad = _contaminated(_read_verified(folder, "gsm8k/contaminated_prompts.jsonl", digests))
        df = pd.read_csv(io.BytesIO(_read_verified(folder, rel, digests)), keep_default_na=False)
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


def load_routellm(data_dir=None, *, datasets: Sequence[str] = _DATASETS, drop_contaminated: bool = True,
                  prices: Mapping[str, tuple[float, float]] | None = None, token_method: str = "regex",
                  download: bool = True) -> Benchmark:
    """RouteLLM's real outcomes as a two-model :class:`Benchmark` (weak Mixtral first, then GPT-4).

    ``datasets``: any of "MMLU", "GSM8K". ``drop_contaminated`` removes the prompts RouteLLM
    lists as contaminated (leaving 14,037 MMLU + 1,307 GSM8K rows). ``prices``: {model name:
    (USD per 1M input, per 1M output)} overriding :data:`DEFAULT_PRICES`. ``token_method``: see
    :func:`count_tokens`. ``download``: when no local copy is found, fetch the pinned files into
    the user cache (False raises an error saying how to get them).

    Returns quality (n, 2) 0/1, cost (n, 2) USD, ``prompts``, ``subsets`` (MMLU subject such as
    ``"anatomy"``, or ``"GSM8K"``), ``datasets`` ("MMLU"/"GSM8K"), ``prompt_tokens`` (n,) and
    ``answer_tokens`` (n, 2); ``sample_ids`` like ``"mmlu-anatomy.0003"`` (row number in the
    original file, so ids are stable whether or not contaminated rows are dropped).
    """
    datasets = _check_datasets(datasets)
    folder = find_routellm_dir(data_dir, datasets)
    if folder is None:
        if data_dir is not None:
            raise RouterlabError(f"{data_dir} does not hold the RouteLLM files (mmlu/responses/*.csv, "
                                 "gsm8k/gsm8k_responses.csv); point data_dir at the folder that has them")
        if not download:
            raise RouterlabError(f"RouteLLM data not found; set {_ENV} to a folder with the files of "
                                 f"lm-sys/RouteLLM@{COMMIT[:7]} routellm/evals/, or allow the download")
        folder = download_routellm(datasets=datasets)
    frame = _frame(folder, datasets, drop_contaminated)
    n = len(frame)

    table = dict(DEFAULT_PRICES)
    for k, v in (prices or {}).items():
        if k not in table:
            raise RouterlabError(f"prices given for unknown model {k!r}; the models are {WEAK!r} and {STRONG!r}")
        table[k] = (float(v[0]), float(v[1]))
    models = tuple(Model(nm, *_PROVIDER[nm], *table[nm]) for nm in (WEAK, STRONG))

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

    return Benchmark(
        quality=quality, cost=cost, models=models,
        sample_ids=frame["sample_id"].to_numpy(dtype=object).astype(str),
        datasets=frame["dataset"].to_numpy(dtype=object).astype(str), prompt_tokens=prompt_tokens,
        answer_tokens=answer_tokens, prompts=frame["prompt"].to_numpy(dtype=object).astype(str),
        subsets=frame["subset"].to_numpy(dtype=object).astype(str),
        name="RouteLLM responses (" + " + ".join(datasets) + ")", simulated=False)


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
        name="placeholder (simulated stand-in for the RouteLLM data)", simulated=True)


__all__.append("placeholder_benchmark")
