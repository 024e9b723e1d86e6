"""Facts the simulated benchmark is built from: the article's six models, twelve datasets, prices.

Every number here is copied, with its source, from the project's shared calibration notes
(``calibration_notes.md``; per-model accuracies live in ``data/calibration.csv``). Nothing here
is fitted.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import pandas as pd

from routerlab.errors import RouterlabError, check_choice

__all__ = [
    "read_prices",
    "Model", "MODELS", "MODEL_NAMES", "DATASETS", "DATASET_NAMES", "PRICE_TABLES",
    "models_with_prices", "calibration_table", "calibration_matrix", "CALIBRATION_NAME", "MAX_SCALE",
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
