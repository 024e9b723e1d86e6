"""Every problem of a table file at once: what ``routerlab validate FILE`` prints.

The rules are :mod:`routerlab.data.validate` (the shipped schema), the same the readers apply.
"""

from __future__ import annotations

from pathlib import Path

from routerlab.data.interchange import _load, _suffix
from routerlab.data.routerbench_layout import is_routerbench_file, wide_problems
from routerlab.data.validate import DEFAULT_LIMIT, cell_problems, check_columns, check_meta
from routerlab.errors import RouterlabError

__all__ = ["validate_file"]


def validate_file(path, limit: int = DEFAULT_LIMIT) -> tuple[list[str], int, str]:
    """``(problems, total, summary)`` of a table file: an interchange table (.csv/.parquet) or a
    RouterBench-layout table (CSV without sidecar, or Parquet from ``routerlab convert``).

    ``problems``: at most ``limit`` one-line messages (a structural fault of the header or the
    metadata is one problem and stops the cell checks); ``total``: how many there are;
    ``summary``: one line describing a valid table (rows, models, layout).
    """
    path = Path(path)
    _suffix(path)
    if not path.is_file():
        raise RouterlabError(f"no such file: {str(path)!r}")
    if is_routerbench_file(path):
        return wide_problems(path, limit)
    try:
        df, meta = _load(path)
        check_meta(meta, f"of {path.name}")
        models, _ = check_columns(df.columns, repr(str(path)))
    except RouterlabError as exc:
        return [str(exc)], 1, ""
    df.columns = [str(c) for c in df.columns]
    if len(df) == 0:
        return [f"{str(path)!r} has no rows"], 1, ""
    ids = df["sample_id"].astype(object).astype(str).to_numpy()
    lines, total = cell_problems(df, models, lambda i: f"data row {i + 1} (sample_id {ids[i]!r})", limit=limit)
    return lines, total, (f"{path.name}: interchange table, {len(df):,} rows x {len(models)} models "
                          f"({', '.join(models[:5])}{', ...' if len(models) > 5 else ''})")
