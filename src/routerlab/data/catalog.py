"""Facts the simulated benchmark is built from: the article's six models, twelve datasets, prices.

Every number here is copied, with its source, from the project's shared calibration notes
(``calibration_notes.md``; per-model accuracies live in ``data/calibration.csv``). Nothing here
is fitted.
"""

from __future__ import annotations

import io
import math
import os
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import pandas as pd

from routerlab.errors import RouterlabError, check_choice

__all__ = [
    "read_prices",
    "Model", "MODELS", "MODEL_NAMES", "DATASETS", "DATASET_NAMES", "PRICE_TABLES",
    "models_with_prices", "calibration_table", "calibration_matrix", "CALIBRATION_NAME", "MAX_SCALE",
    "read_price_file", "apply_prices", "require_prices", "PRICES_HINT",
]

#: Largest simulator scale: 13.5M queries x 6 models; memory, not the generator, limits larger
#: draws. Here rather than in the simulator so that the command line checks it without SciPy.
MAX_SCALE = 200


@dataclass(frozen=True)
class Model:
    """One LLM: display name, provider, tier and list price in USD per 1M input/output tokens."""

    name: str
    provider: str
    tier: str
    price_in: float = 0.0
    price_out: float = 0.0


# The article's six models (claims.yaml ``bench.models``), cheapest first by default price.
_MODEL_META = [
    ("Llama-3-8B-Instruct", "Meta", "Small"),
    ("Mixtral-8x7B-Instruct", "Mistral", "Medium"),
    ("Llama-3-70B-Instruct", "Meta", "Medium"),
    ("Mixtral-8x22B-Instruct", "Mistral", "Large"),
    ("GPT-3.5-turbo", "OpenAI", "Medium"),
    ("GPT-4o", "OpenAI", "Large"),
]
MODEL_NAMES: tuple[str, ...] = tuple(m[0] for m in _MODEL_META)

# Model name as written in calibration.csv -> the article's name.
CALIBRATION_NAME = {
    "Llama-3-8B-Instruct": "Llama-3-8B-Instruct",
    "Llama-3-70B-Instruct": "Llama-3-70B-Instruct",
    "Mixtral-8x7B-Instruct-v0.1": "Mixtral-8x7B-Instruct",
    "Mixtral-8x22B-Instruct-v0.1": "Mixtral-8x22B-Instruct",
    "GPT-3.5-turbo-0125": "GPT-3.5-turbo",
    "GPT-4o-2024-05-13": "GPT-4o",
}

# USD per 1M tokens (input, output), mid-2024; calibration_notes.md section 2.
PRICE_TABLES: dict[str, dict[str, tuple[float, float]]] = {
    # OpenAI list prices for the GPT models, Together's size tiers for the open models.
    "together": {
        "Llama-3-8B-Instruct": (0.20, 0.20),
        "Mixtral-8x7B-Instruct": (0.60, 0.60),
        "Llama-3-70B-Instruct": (0.90, 0.90),
        "Mixtral-8x22B-Instruct": (1.20, 1.20),
        "GPT-3.5-turbo": (0.50, 1.50),
        "GPT-4o": (5.00, 15.00),
    },
    # The cheapest mainstream host per open model: Groq for 8B, 70B and 8x7B, Together for 8x22B.
    "cheapest": {
        "Llama-3-8B-Instruct": (0.05, 0.08),
        "Mixtral-8x7B-Instruct": (0.24, 0.24),
        "Llama-3-70B-Instruct": (0.59, 0.79),
        "Mixtral-8x22B-Instruct": (1.20, 1.20),
        "GPT-3.5-turbo": (0.50, 1.50),
        "GPT-4o": (5.00, 15.00),
    },
    # Fireworks tiers for open models (Mixtral-8x7B $0.50), OpenAI list prices for GPT.
    "fireworks": {
        "Llama-3-8B-Instruct": (0.20, 0.20),
        "Mixtral-8x7B-Instruct": (0.50, 0.50),
        "Llama-3-70B-Instruct": (0.90, 0.90),
        "Mixtral-8x22B-Instruct": (1.20, 1.20),
        "GPT-3.5-turbo": (0.50, 1.50),
        "GPT-4o": (5.00, 15.00),
    },
}


def models_with_prices(prices: str = "together") -> tuple[Model, ...]:
    """The six models with the prices of table ``prices`` (a key of :data:`PRICE_TABLES`)."""
    check_choice("price table", prices, PRICE_TABLES)
    table = PRICE_TABLES[prices]
    return tuple(Model(n, p, t, *table[n]) for n, p, t in _MODEL_META)


MODELS: tuple[Model, ...] = models_with_prices("together")


@dataclass(frozen=True)
class Dataset:
    """One benchmark dataset as the leaderboards run it (calibration_notes.md sections 3 and 4).

    ``n_test`` is the real test-set size; ``n_choices`` the number of options of a multiple-choice
    set (0 for free-form answers); ``prompt_tokens`` the typical prompt length including few-shot
    examples and ``answer_tokens`` the typical answer length, both in tokens (mean of a range
    where the notes give one).
    """

    name: str
    n_test: int
    n_choices: int
    prompt_tokens: float
    answer_tokens: float
    board: str  # "v1" or "v2" Open LLM Leaderboard


DATASETS: tuple[Dataset, ...] = (
    Dataset("ARC-Challenge", 1172, 4, 1600, 100, "v1"),
    Dataset("HellaSwag", 10042, 4, 550, 20, "v1"),
    Dataset("MMLU", 14042, 4, 700, 1, "v1"),
    Dataset("TruthfulQA-MC2", 817, 4, 275, 20, "v1"),
    Dataset("Winogrande", 1267, 2, 170, 1, "v1"),
    Dataset("GSM8K", 1319, 0, 730, 150, "v1"),
    Dataset("IFEval", 541, 0, 65, 350, "v2"),
    Dataset("BBH", 5761, 4, 450, 150, "v2"),
    Dataset("MATH-Lvl5", 1324, 0, 1000, 375, "v2"),
    Dataset("GPQA", 1192, 4, 200, 550, "v2"),
    Dataset("MuSR", 756, 3, 1400, 400, "v2"),
    Dataset("MMLU-Pro", 12032, 10, 900, 92, "v2"),
)
DATASET_NAMES: tuple[str, ...] = tuple(d.name for d in DATASETS)


def dataset(name: str) -> Dataset:
    """The :class:`Dataset` called ``name`` (one-line error for an unknown name)."""
    check_choice("dataset", name, DATASET_NAMES)
    return DATASETS[DATASET_NAMES.index(name)]


@lru_cache(maxsize=1)
def calibration_table() -> pd.DataFrame:
    """The 72 public accuracies (model x dataset) with setting, source and confidence.

    Columns: ``model`` (the article's name), ``dataset``, ``accuracy`` (fraction), ``setting``,
    ``source``, ``confidence`` (high / medium / estimate), ``calibration_name``.
    """
    with resources.files("routerlab").joinpath("data/calibration.csv").open("r", encoding="utf-8") as f:
        df = pd.read_csv(f)
    unknown = set(df["model"]) - set(CALIBRATION_NAME)
    if unknown:
        raise RouterlabError(f"calibration.csv names unknown models {sorted(unknown)}")
    df = df.rename(columns={"model": "calibration_name"})
    df.insert(0, "model", df["calibration_name"].map(CALIBRATION_NAME))
    return df


def calibration_matrix() -> pd.DataFrame:
    """Target accuracies as a (dataset x model) table in catalog order (fractions in [0, 1])."""
    df = calibration_table()
    mat = df.pivot(index="dataset", columns="model", values="accuracy")
    return mat.loc[list(DATASET_NAMES), list(MODEL_NAMES)]


def read_prices(table: str) -> pd.DataFrame:
    """The package's price table ``routerlab/data/prices/<table>.csv``, indexed by ``model``.

    Columns: ``model`` (the name as the source spells it), ``price_in`` and ``price_out`` (USD per
    1M tokens), ``provider``, ``tier`` and ``reference`` (where the price was read, with its date).
    """
    try:
        text = resources.files("routerlab").joinpath(f"data/prices/{table}.csv").read_text(encoding="utf-8")
    except FileNotFoundError:
        raise RouterlabError(f"no price table {table!r} in the package; reinstall routerlab") from None
    frame = pd.read_csv(io.StringIO(text), comment="#", skipinitialspace=True)
    for col in ("price_in", "price_out"):
        if frame[col].isna().any() or (frame[col] < 0).any():
            raise RouterlabError(f"price table {table!r}: {col} must be a number >= 0 for every model")
    if frame["model"].duplicated().any():
        raise RouterlabError(f"price table {table!r} lists a model twice")
    return frame.set_index("model")


#: How to give per-token prices (named by every error about a missing price).
PRICES_HINT = ("pass --prices FILE, a CSV with columns model,price_in,price_out in USD per 1M input/output "
               "tokens (the layout of routerlab/data/prices/routerbench.csv), or list the prices in the "
               "table's metadata (models[].price_in, price_out)")


def read_price_file(path: str | os.PathLike) -> pd.DataFrame:
    """A user's price list indexed by ``model``: columns ``price_in``, ``price_out`` (USD per 1M
    tokens, finite, >= 0) and optional ``provider``, ``tier``; the layout of the package's
    ``data/prices/*.csv`` (``#`` lines are comments). One-line error for a missing file or
    column, a repeated model, or a price that is not a finite number >= 0."""
    path = str(path)
    try:
        frame = pd.read_csv(path, comment="#", skipinitialspace=True, dtype={"model": str},
                            encoding="utf-8-sig")
    except FileNotFoundError:
        raise RouterlabError(f"--prices {path!r}: no such file") from None
    except Exception as exc:  # not a CSV, wrong encoding, ...
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise RouterlabError(f"--prices {path!r} is not a readable CSV: {first}") from None
    for col in ("model", "price_in", "price_out"):
        if col not in frame.columns:
            raise RouterlabError(f"--prices {path!r} has no {col!r} column; it needs model,price_in,price_out "
                                 "(USD per 1M tokens)")
    if frame["model"].isna().any():
        raise RouterlabError(f"--prices {path!r}: data row {int(frame['model'].isna().to_numpy().argmax()) + 1} "
                             "has no model name")
    for col in ("price_in", "price_out"):
        v = pd.to_numeric(frame[col], errors="coerce").to_numpy(dtype=float)
        bad = ~(v >= 0) | ~(v < math.inf)
        if bad.any():
            i = int(bad.argmax())
            raise RouterlabError(f"--prices {path!r}: {col} of {frame['model'].iloc[i]!r} is "
                                 f"{str(frame[col].iloc[i])}; it must be a finite number >= 0 (USD per 1M tokens)")
        frame[col] = v
    dup = frame["model"].duplicated()
    if dup.any():
        raise RouterlabError(f"--prices {path!r} lists model {frame['model'][dup].iloc[0]!r} twice")
    return frame.set_index("model")


def apply_prices(models, table: pd.DataFrame) -> tuple[Model, ...]:
    """``models`` with the prices (and provider, tier if given) of the models ``table`` lists
    (:func:`read_price_file`); models it does not list keep theirs; extra rows are ignored. A
    table that lists none of ``models`` is an error (a misspelt file or model names)."""
    if not any(m.name in table.index for m in models):
        raise RouterlabError("the --prices file lists none of the models (" + ", ".join(m.name for m in models)[:200]
                             + "); write their names as the table's columns spell them")
    out = []
    for m in models:
        if m.name in table.index:
            row = table.loc[m.name]
            prov = row.get("provider") if "provider" in table.columns else None
            tier = row.get("tier") if "tier" in table.columns else None
            m = Model(m.name, str(prov) if isinstance(prov, str) else m.provider,
                      str(tier) if isinstance(tier, str) else m.tier,
                      float(row["price_in"]), float(row["price_out"]))
        out.append(m)
    return tuple(out)


def require_prices(models, needed_by: str) -> None:
    """One-line error if a model of ``models`` has no per-token price (NaN: unknown), naming
    what needs it (``needed_by``, e.g. "router 'mf' (its expected cost)") and :data:`PRICES_HINT`."""
    missing = [m.name for m in models if not (math.isfinite(m.price_in) and math.isfinite(m.price_out))]
    if missing:
        raise RouterlabError(
            f"model {missing[0]!r}" + (f" (and {len(missing) - 1} more)" if len(missing) > 1 else "")
            + f" has no per-token price, which {needed_by} needs; {PRICES_HINT}")
