"""The article's checkable claims (``claims.yaml``, a copy of ``shared/paper/claims.yaml``)."""

from __future__ import annotations

from functools import lru_cache
from importlib import resources

import yaml

from routerlab.errors import check_choice

__all__ = ["claims", "claim"]


@lru_cache(maxsize=1)
def claims() -> tuple[dict, ...]:
    """Every claim of the article (id, kind, statement, value, audit) in file order."""
    with resources.files("routerlab.reproduction").joinpath("claims.yaml").open("r", encoding="utf-8") as f:
        data = yaml.safe_load(f)
    return tuple(data)


def claim(claim_id: str) -> dict:
    """The claim with id ``claim_id`` (one-line error for an unknown id)."""
    ids = [c["id"] for c in claims()]
    check_choice("claim id", claim_id, ids)
    return claims()[ids.index(claim_id)]
