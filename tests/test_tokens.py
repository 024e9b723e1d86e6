"""Offline token counts (the cl100k_base approximation every real-data source prices calls with)."""

from __future__ import annotations

import numpy as np
import pytest

from routerlab.errors import RouterlabError
from routerlab.data.tokens import count_tokens


def test_count_tokens_known_cases():
    # "Hello", " world", ",", " this", " is", " a", " test", " of", " ", "123", "45", " tokens", "."
    assert count_tokens(["Hello world, this is a test of 12345 tokens."]).tolist() == [13]
    assert count_tokens(["", "abcdefg"]).tolist() == [1, 2]  # at least 1; 7 letters -> 2 pieces
    assert count_tokens([None]).tolist() == [1]  # a missing text counts as empty
    assert count_tokens(["abcdefgh"], "chars4").tolist() == [2]
    with pytest.raises(RouterlabError, match="token count method"):
        count_tokens(["x"], "bpe")


def test_regex_counts_are_kept_on_disk_and_checked(tmp_path, monkeypatch):
    """The second count of the same texts reads the kept entry; texts that join to the same string
    are different entries; a damaged or implausible entry is counted again and rewritten."""
    monkeypatch.setenv("ROUTERLAB_SOURCES_CACHE", str(tmp_path))
    texts = ["Hello, world!", "The quick brown fox jumps", ""]
    want = count_tokens(texts)
    folder = tmp_path / "token-counts"
    (entry,) = folder.glob("*.npy")
    np.testing.assert_array_equal(count_tokens(texts), want)
    count_tokens(["ab", "c"]), count_tokens(["a", "bc"])
    assert len(list(folder.glob("*.npy"))) == 3
    for bad in (np.array([1.0, 2.0]), np.array([-1.0, 5.0, 1.0]), np.array([0.5, 5.0, 1.0]),
                np.array([1, 5, 1])):
        np.save(entry, bad)
        np.testing.assert_array_equal(count_tokens(texts), want)
        np.testing.assert_array_equal(np.maximum(np.load(entry), 1), want)
    entry.write_bytes(b"not an array")
    np.testing.assert_array_equal(count_tokens(texts), want)
