"""Offline token counts for prompts and answers, used by every real-data source to price a call.

No tokenizer is downloaded: :func:`count_tokens` approximates OpenAI's ``cl100k_base`` (the
tokenizer RouterBench computed its costs with) from its pre-tokenisation pattern.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from routerlab.errors import RouterlabError

__all__ = ["count_tokens", "TOKEN_METHODS"]

TOKEN_METHODS = ("regex", "chars4")

# cl100k_base pre-tokeniser, written for the stdlib ``re`` (letters = [^\W\d_]): contractions,
# an optional leading non-letter plus a letter run, 1-3 digits, punctuation runs, newlines, spaces.
_PIECE = (r"'(?:[sdmt]|ll|ve|re)|[^\r\n\w]?[^\W\d_]+|\d{1,3}| ?[^\s\w]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"
          r"|_+")
# A letter run of L letters costs 1 + floor((L - 1) / 6) tokens (common words are one token,
# rarer long words split into pieces of about 6 letters).
_LONG = r"[^\W\d_]{6}(?=[^\W\d_])"


def count_tokens(texts, method: str = "regex") -> np.ndarray:
    """(n,) int approximate token counts of ``texts`` (n,) str, without any downloaded tokenizer.

    ``method="regex"`` (default) approximates OpenAI's ``cl100k_base``: it splits the text with
    cl100k's pre-tokenisation pattern (words with their leading space, digits in groups of at
    most 3, punctuation runs, whitespace) and counts one token per piece plus one per further 6
    letters of a long word. ``method="chars4"`` is OpenAI's rule of thumb, ceil(characters / 4).
    Neither is exact; both are deterministic and offline. Every text counts at least 1 token
    (a missing text counts as empty).
    """
    s = pd.Series(np.asarray(texts, dtype=object), dtype=object).fillna("").astype(str).astype(object)
    if method == "chars4":
        n = np.ceil(s.str.len().to_numpy(dtype=np.float64) / 4.0)
    elif method == "regex":
        n = (s.str.count(_PIECE).to_numpy(dtype=np.float64) + s.str.count(_LONG).to_numpy(dtype=np.float64))
    else:
        raise RouterlabError(f"unknown token count method {method!r}; choose one of: {', '.join(TOKEN_METHODS)}")
    return np.maximum(n, 1).astype(np.int64)
