"""Offline token counts for prompts and answers, used by every real-data source to price a call.

No tokenizer is downloaded: :func:`count_tokens` approximates OpenAI's ``cl100k_base`` (the
tokenizer RouterBench computed its costs with) from its pre-tokenisation pattern.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

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
    (a missing text counts as empty). The regex counts of a list of texts are kept on disk
    (:func:`_kept`), since every chapter loading a source counts the same texts.
    """
    s = pd.Series(np.asarray(texts, dtype=object), dtype=object).fillna("").astype(str).astype(object)
    if method == "chars4":
        n = np.ceil(s.str.len().to_numpy(dtype=np.float64) / 4.0)
    elif method == "regex":
        n = _kept(s.tolist(), lambda: s.str.count(_PIECE).to_numpy(dtype=np.float64)
                  + s.str.count(_LONG).to_numpy(dtype=np.float64))
    else:
        raise RouterlabError(f"unknown token count method {method!r}; choose one of: {', '.join(TOKEN_METHODS)}")
    return np.maximum(n, 1).astype(np.int64)


def _kept(texts: list[str], count) -> np.ndarray:
    """``count()`` ((n,) float64 counts of ``texts``), read from or written to
    ``cache_folder("token-counts")`` under the digest of this module and of the texts (each with
    its length). An entry of the wrong shape or with values that are not counts is counted again;
    a folder that cannot be written only costs the reuse."""
    from routerlab.data.files import atomic_write, cache_folder
    from routerlab.locks import entry_lock

    h = hashlib.sha256(Path(__file__).read_bytes())
    h.update(np.array([len(t) for t in texts], dtype=np.int64).tobytes())
    h.update("".join(texts).encode("utf-8", "surrogatepass"))
    path = cache_folder("token-counts") / f"{h.hexdigest()[:32]}.npy"
    with entry_lock(path):
        try:
            kept = np.load(path, allow_pickle=False)
            if kept.shape == (len(texts),) and kept.dtype == np.float64 and bool(
                    (np.isfinite(kept) & (kept >= 0) & (kept == np.round(kept))).all()):
                return kept
        except (OSError, ValueError):
            pass
        counts = count()

        def write(tmp):
            with open(tmp, "wb") as fh:
                np.save(fh, counts, allow_pickle=False)

        try:
            atomic_write(path, write)
        except OSError:
            pass
    return counts
