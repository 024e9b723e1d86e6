"""The one error type users see: a one-line message that says what is wrong and how to fix it."""

from __future__ import annotations

__all__ = ["RouterlabError", "check_choice", "check_range"]


class RouterlabError(ValueError):
    """Bad input (unknown name, out-of-range number, missing or corrupt file).

    The command line prints ``routerlab: error: <message>`` and exits with status 2.
    """


def check_choice(kind: str, value: str, valid) -> str:
    """Return ``value`` if it is one of ``valid``, else raise a one-line error listing them."""
    valid = list(valid)
    if value not in valid:
        raise RouterlabError(f"unknown {kind} {value!r}; choose one of: {', '.join(map(str, valid))}")
    return value


def check_range(name: str, value: float, lo: float | None = None, hi: float | None = None,
                *, lo_open: bool = False, hi_open: bool = False) -> float:
    """Return ``value`` if ``lo <= value <= hi`` (open ends on request), else raise a one-line error."""
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise RouterlabError(f"{name} must be a number, got {value!r}") from None
    bad = v != v  # NaN
    if lo is not None:
        bad |= v <= lo if lo_open else v < lo
    if hi is not None:
        bad |= v >= hi if hi_open else v > hi
    if bad:
        left = "(" if lo_open else "["
        right = ")" if hi_open else "]"
        raise RouterlabError(
            f"{name} = {value!r} is out of range; it must lie in "
            f"{left}{'-inf' if lo is None else lo}, {'inf' if hi is None else hi}{right}")
    return v
