"""The real RouterBench data (Hu et al., arXiv 2403.12031): its wide pickles as a Benchmark.

The Hugging Face dataset ``withmartian/routerbench`` ships ``routerbench_0shot.pkl`` (36,497 rows
x 37 columns) and ``routerbench_5shot.pkl``: pandas DataFrames with ``sample_id``, ``prompt`` (the
string form of a list of turns), ``eval_name``, one quality column per model (11, named by the
bare model name, values in [0, 1], stored as objects), ``<model>|model_response``,
``<model>|total_cost`` (USD) and ``oracle_model_to_route_to`` (spec sections 1.2-1.8).

Security: unpickling can run arbitrary code. :func:`load_routerbench` reads a ``.pkl`` only when
the caller passes ``trust_pickle=True`` AND the file's expected SHA-256; the bytes are hashed
first and unpickled only when they match. :func:`convert_to_parquet` does that once and writes a
Parquet file (atomically), which later loads need no trust for.

Mapping into a :class:`~routerlab.benchmark.Benchmark`:

* models -- the 11 RouterBench models with their display names, providers and the per-token
  prices of RouterBench's ``TOKEN_COSTS`` (USD per 1M here), in RouterBench's response-column
  order (the order its routers break ties in);
* datasets -- ``eval_name`` prefixes grouped into the 7 core datasets as
  ``configs/evaluate_routers.yaml`` does (``mmlu-*`` -> MMLU, ``mtbench*`` -> MT-Bench, ...);
  the 21 extra OpenAI-evals tasks are dropped unless ``extras=True`` (then each keeps its
  ``eval_name`` as dataset label); ``subsets`` = ``eval_name``;
* quality -- the fractional scores kept as they are (0/1, A-E grades 0.25 apart, MT-Bench / 10);
  missing scores become ``fill_nan`` (0.0, as RouterBench's ``convert_data.py`` does);
* cost -- the ``|total_cost`` columns as given (USD per query);
* prompt_tokens / answer_tokens -- :func:`routerlab.routellm.count_tokens` of the prompt turns and
  of each model's response (RouterBench used tiktoken; see there for the approximation).
"""

from __future__ import annotations

import ast
import hashlib
import io
import os
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

from .benchmark import Benchmark
from .catalog import Model
from .errors import RouterlabError
from .routellm import count_tokens

__all__ = ["ROUTERBENCH_MODELS", "MODEL_COLUMNS", "CORE_PREFIXES", "file_sha256", "read_routerbench_frame",
           "frame_to_benchmark", "load_routerbench", "convert_to_parquet"]

# (column name, display name, provider, tier, USD per 1M prompt tokens, per 1M completion tokens),
# in RouterBench's response-column order (spec 1.2 item 5; prices spec 1.3).
_MODEL_TABLE = (
    ("gpt-3.5-turbo-1106", "GPT-3.5", "OpenAI", "Medium", 1.0, 2.0),
    ("claude-instant-v1", "Claude Instant V1", "Anthropic", "Medium", 0.8, 2.4),
    ("claude-v1", "Claude V1", "Anthropic", "Large", 8.0, 24.0),
    ("claude-v2", "Claude V2", "Anthropic", "Large", 8.0, 24.0),
    ("gpt-4-1106-preview", "GPT-4", "OpenAI", "Large", 10.0, 30.0),
    ("meta/llama-2-70b-chat", "Llama 70B", "Meta", "Medium", 0.9, 0.9),
    ("mistralai/mixtral-8x7b-chat", "Mixtral 8x7B", "Mistral", "Medium", 0.6, 0.6),
    ("zero-one-ai/Yi-34B-Chat", "Yi 34B", "01.AI", "Medium", 0.8, 0.8),
    ("WizardLM/WizardLM-13B-V1.2", "WizardLM 13B", "WizardLM", "Small", 0.3, 0.3),
    ("meta/code-llama-instruct-34b-chat", "Code Llama 34B", "Meta", "Medium", 0.776, 0.776),
    ("mistralai/mistral-7b-chat", "Mistral 7B", "Mistral", "Small", 0.2, 0.2),
)
MODEL_COLUMNS: tuple[str, ...] = tuple(r[0] for r in _MODEL_TABLE)
ROUTERBENCH_MODELS: tuple[Model, ...] = tuple(Model(*r[1:]) for r in _MODEL_TABLE)

# eval_name prefix (str.startswith, as utils.build_train_eval_dataset) -> dataset label
CORE_PREFIXES: dict[str, str] = {
    "mmlu": "MMLU", "hellaswag": "HellaSwag", "grade-school-math": "GSM8K", "arc-challenge": "ARC-Challenge",
    "winogrande": "Winogrande", "mbpp": "MBPP", "mtbench": "MT-Bench",
}
_FIXED = ("sample_id", "prompt", "eval_name")


def file_sha256(path) -> str:
    """SHA-256 hex digest of a file, read in 1 MiB blocks."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _verified_bytes(path: Path, sha256: str | None) -> bytes:
    if not sha256:
        raise RouterlabError(f"to read the pickle {path.name}, pass its expected SHA-256 (sha256=...) "
                             "together with trust_pickle=True: unpickling can run code")
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise RouterlabError(f"cannot read {path} ({exc.strerror})") from None
    got = hashlib.sha256(data).hexdigest()
    if got != sha256.strip().lower():
        raise RouterlabError(f"{path.name} has SHA-256 {got[:12]}..., not the expected {sha256[:12]}...; "
                             "nothing was loaded: download the file again or check the digest you passed")
    return data


def read_routerbench_frame(path, *, trust_pickle: bool = False, sha256: str | None = None) -> pd.DataFrame:
    """The raw wide DataFrame from a ``.pkl`` (trusted and hash-verified) or ``.parquet`` file.

    A Parquet file needs no trust; if ``sha256`` is given it is verified too.
    """
    path = Path(path)
    if not path.is_file():
        raise RouterlabError(f"RouterBench file {path} not found; download routerbench_0shot.pkl from the "
                             "Hugging Face dataset withmartian/routerbench")
    if path.suffix == ".parquet":
        data = _verified_bytes(path, sha256) if sha256 else path.read_bytes()
        try:
            return pd.read_parquet(io.BytesIO(data))
        except Exception as exc:  # pyarrow raises several types for a damaged file
            raise RouterlabError(f"{path} is not a readable Parquet file ({type(exc).__name__}); "
                                 "convert the pickle again with convert_to_parquet") from None
    if not trust_pickle:
        raise RouterlabError(f"{path.name} is a pickle, which can run code when loaded; pass trust_pickle=True "
                             "and its sha256=..., or convert it once with convert_to_parquet")
    data = _verified_bytes(path, sha256)
    try:
        frame = pd.read_pickle(io.BytesIO(data))
    except Exception as exc:
        raise RouterlabError(f"{path.name} matched its SHA-256 but is not a pandas pickle ({type(exc).__name__})") from None
    if not isinstance(frame, pd.DataFrame):
        raise RouterlabError(f"{path.name} holds a {type(frame).__name__}, not RouterBench's DataFrame")
    return frame


def _check_schema(frame: pd.DataFrame) -> None:
    need = list(_FIXED) + list(MODEL_COLUMNS) + [f"{m}|total_cost" for m in MODEL_COLUMNS]
    missing = [c for c in need if c not in frame.columns]
    if missing:
        raise RouterlabError(f"not RouterBench's wide schema: missing {len(missing)} column(s), e.g. {missing[0]!r}")


def _join_turns(prompts: pd.Series) -> np.ndarray:
    """Prompt strings like "['turn 1', 'turn 2']" -> the turns joined by blank lines.

    ``ast.literal_eval`` only builds literals (no code runs); unparsable strings stay as they are.
    """
    def one(s: str) -> str:
        if s.startswith("[") and s.endswith("]"):
            try:
                v = ast.literal_eval(s)
            except (ValueError, SyntaxError, MemoryError, RecursionError):
                return s
            if isinstance(v, (list, tuple)):
                return "\n\n".join(map(str, v))
        return s

    return np.array([one(str(s)) for s in prompts], dtype=object)


def frame_to_benchmark(frame: pd.DataFrame, *, extras: bool = False, fill_nan: float | None = 0.0,
                       name: str = "RouterBench", answer_tokens: bool = True) -> Benchmark:
    """A :class:`Benchmark` from RouterBench's wide DataFrame (see the module docstring).

    ``fill_nan=None`` keeps missing scores as NaN (most metrics then need a mask).
    ``answer_tokens=False`` skips counting the 11 response columns (faster).
    """
    _check_schema(frame)
    frame = frame.drop_duplicates("sample_id", keep="first")
    ev = frame["eval_name"].astype(str).to_numpy(dtype=object)
    label = np.full(len(ev), None, dtype=object)
    for prefix, lab in CORE_PREFIXES.items():
        hit = np.char.startswith(ev.astype(str), prefix) & (label == None)  # noqa: E711 - elementwise
        label[hit] = lab
    core = label != None  # noqa: E711
    if extras:
        label[~core] = ev[~core]
        keep = np.ones(len(ev), dtype=bool)
    else:
        keep = core
    frame = frame.loc[keep]
    label, ev = label[keep], ev[keep]
    if len(frame) == 0:
        raise RouterlabError("no RouterBench rows left (no eval_name starts with a core prefix); try extras=True")
    quality = frame[list(MODEL_COLUMNS)].apply(pd.to_numeric, errors="coerce").to_numpy(dtype=np.float64)
    if fill_nan is not None:
        quality = np.where(np.isnan(quality), float(fill_nan), quality)
    if np.nanmin(quality) < 0 or np.nanmax(quality) > 1:
        raise RouterlabError("RouterBench quality values must lie in [0, 1]; the file is not the expected data")
    cost = frame[[f"{m}|total_cost" for m in MODEL_COLUMNS]].apply(pd.to_numeric, errors="coerce").to_numpy(np.float64)
    if not np.isfinite(cost).all():
        raise RouterlabError("RouterBench cost columns hold missing or non-numeric values")
    prompts = _join_turns(frame["prompt"])
    ans = None
    if answer_tokens:
        resp = [f"{m}|model_response" for m in MODEL_COLUMNS]
        if all(c in frame.columns for c in resp):
            ans = np.column_stack([count_tokens(frame[c].to_numpy(dtype=object)) for c in resp])
    return Benchmark(
        quality=quality, cost=cost, models=ROUTERBENCH_MODELS,
        sample_ids=frame["sample_id"].astype(str).to_numpy(dtype=object).astype(str),
        datasets=label.astype(str), prompt_tokens=count_tokens(prompts), answer_tokens=ans,
        prompts=prompts.astype(str), subsets=ev.astype(str), name=name, simulated=False)


def load_routerbench(path, *, trust_pickle: bool = False, sha256: str | None = None, extras: bool = False,
                     fill_nan: float | None = 0.0, answer_tokens: bool = True) -> Benchmark:
    """RouterBench's 0-shot or 5-shot data as an 11-model :class:`Benchmark`.

    ``path``: a ``.parquet`` made by :func:`convert_to_parquet` (safe), or the original ``.pkl``
    read only with ``trust_pickle=True`` and its expected ``sha256`` (hash checked before
    unpickling; a mismatch raises and nothing is loaded). Other options: :func:`frame_to_benchmark`.
    """
    frame = read_routerbench_frame(path, trust_pickle=trust_pickle, sha256=sha256)
    shot = "5-shot" if "5shot" in Path(path).name else "0-shot" if "0shot" in Path(path).name else Path(path).stem
    return frame_to_benchmark(frame, extras=extras, fill_nan=fill_nan, answer_tokens=answer_tokens,
                              name=f"RouterBench ({shot})")


def convert_to_parquet(pkl, out, *, sha256: str) -> Path:
    """One-time conversion of a RouterBench pickle to Parquet; returns ``out``.

    The pickle's SHA-256 must equal ``sha256`` before it is unpickled; quality columns become
    float64 (they are objects in the pickle). The file is written to a temporary name beside
    ``out`` and renamed into place, so ``out`` is either complete or absent. The source digest
    is stored in the Parquet metadata (key ``routerlab_source_sha256``).
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    frame = read_routerbench_frame(pkl, trust_pickle=True, sha256=sha256)
    _check_schema(frame)
    frame = frame.copy()
    for m in MODEL_COLUMNS:
        frame[m] = pd.to_numeric(frame[m], errors="coerce").astype(np.float64)
    table = pa.Table.from_pandas(frame, preserve_index=False)
    meta = dict(table.schema.metadata or {})
    meta[b"routerlab_source_sha256"] = sha256.lower().encode()
    table = table.replace_schema_metadata(meta)
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".tmp", dir=out.parent)
    os.close(fd)
    try:
        pq.write_table(table, tmp)
        os.replace(tmp, out)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return out
