"""RouterBench's own outcomes of 11 LLMs on ARC-Challenge, MBPP and Winogrande, with real costs.

The files are RouterBench's data (Hu et al. 2024, arXiv 2403.12031; MIT) as copied, byte for byte,
by the RouterDC project (``shuhao02/RouterDC``, folder ``datasets/routerbench_zs/``), in
RouterBench's wide layout: six CSVs, a train and a test file per dataset. The folder's README
argues they are probably RouterBench's 5-shot release (the ARC and Winogrande prompts carry
worked examples), whatever RouterDC's folder name says.

Loading (:func:`load`): every file's SHA-256 is checked, the six files are pooled (RouterDC's
train/test split is not the book's protocol; split with the project's own), and the rows go through
:func:`routerlab.data.routerbench_layout.wide_benchmark`, the one reader of RouterBench's layout:

* rule for flaws: a row with any empty quality cell is dropped (the duplicated ARC ``sample_id``s
  are split rows, each holding part of the 11 scores, so this drops every duplicate); the ids left
  must be unique. The counts (rows read, distinct and duplicated ids, empty cells, rows dropped
  and kept) are in ``Benchmark.provenance`` and printed by ``routerlab info``;
* ``cost`` = RouterBench's own ``<model>|total_cost`` (USD actually charged, not estimated);
  models carry the list prices of ``data/prices/routerbench.csv``;
* ``quality`` 0/1; ``datasets`` "ARC-Challenge", "MBPP", "Winogrande"; ``sample_ids`` as in the
  files; ``subsets`` = ``eval_name``;
* ``prompt_tokens`` counts the full prompt (few-shot examples included: what was paid for), while
  ``prompts`` holds the question alone, without the examples every prompt of a dataset shares
  (about 1,650 characters on ARC and 1,220 on Winogrande), so text features differ between
  queries; ``answer_tokens`` counts each model's response.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from routerlab.data.benchmark import Benchmark
from routerlab.data.routerbench_layout import read_wide_csv, wide_benchmark
from routerlab.data.sources._base import read_verified

__all__ = ["NAME", "TITLE", "FILES", "files", "load"]

NAME = "routerbench-subset"
TITLE = "RouterBench (probably 5-shot): 11 LLMs x ARC-Challenge, MBPP, Winogrande, with real per-query cost"
HINT = "the files are RouterBench's, as copied by shuhao02/RouterDC (datasets/routerbench_zs/)"

#: The six CSVs, pooled in this order (a dataset's train file, then its test file).
FILES: tuple[str, ...] = (
    "arc_challenge_train.csv", "arc_challenge_test.csv", "mbpp_train.csv", "mbpp_test.csv",
    "winograde_train.csv", "winograde_test.csv",
)


def files() -> list[str]:
    """The relative paths :func:`load` reads."""
    return list(FILES)


def load(folder, *, answer_tokens: bool = True, strip_prefix: bool = True) -> Benchmark:
    """The verified, pooled and cleaned files of ``folder`` as an 11-model :class:`Benchmark`
    (see the module docstring). ``answer_tokens=False`` skips counting the responses;
    ``strip_prefix=False`` keeps the full few-shot prompts in ``prompts`` (to show what a text
    feature of the whole prompt would see)."""
    folder = Path(folder)
    parts, origin = [], []
    for rel in FILES:
        frame = read_wide_csv(read_verified(folder, rel, NAME), str(folder / rel))
        parts.append(frame)
        origin += [rel] * len(frame)
    pooled = pd.concat(parts, ignore_index=True)
    return wide_benchmark(pooled, name="RouterBench subset (ARC-Challenge, MBPP, Winogrande)",
                          what=f"the {NAME} files", origin=np.asarray(origin, dtype=object),
                          answer_tokens=answer_tokens, strip_prefix=strip_prefix)
