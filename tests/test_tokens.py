"""Offline token counts (the cl100k_base approximation every real-data source prices calls with)."""

from __future__ import annotations

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
