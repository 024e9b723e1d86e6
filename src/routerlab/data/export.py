"""``routerlab export``: any benchmark as a portable file other routing libraries read.

Two formats, each as CSV or Parquet (by the suffix of the output; never a pickle):

* ``interchange`` -- routerlab's interchange table (:func:`routerlab.data.interchange.write_table`):
  every column of a :class:`~routerlab.data.benchmark.Benchmark` (models' prices, prompt and answer
  tokens, confidences, features, subsets; a CSV gets its ``<file>.meta.json`` sidecar);
* ``routerbench`` -- RouterBench's own wide layout (:func:`routerlab.data.routerbench_layout.write_routerbench`):
  only RouterBench's columns, so what it cannot carry is lost
  (:data:`routerlab.data.routerbench_layout.WIDE_LOSSES`).

Files are written atomically (a temporary file renamed into place) and never over an input:
:func:`export` refuses an output that is one of the ``inputs`` (or their sidecars) or lies in an
input folder. :func:`read_back` reads an exported file the way routerlab reads that format.
"""

from __future__ import annotations

from pathlib import Path
from typing import Iterable

from routerlab.data.benchmark import Benchmark
from routerlab.errors import RouterlabError

__all__ = ["FORMATS", "export", "read_back", "check_output"]

FORMATS = ("interchange", "routerbench")


def check_output(out: Path, fmt: str, inputs: Iterable[Path] = ()) -> None:
    """One-line errors, before any work: unknown format, unsupported suffix, then those of
    :func:`routerlab.data.files.check_output` (a folder, a missing parent folder, an output or its
    sidecar that is an input file or an input's sidecar), an output inside an input folder, or a
    RouterBench CSV beside a stale ``.meta.json`` sidecar (which would make routerlab read it as an
    interchange table)."""
    from routerlab.data.files import check_output as check_file
    from routerlab.data.files import sidecar_path
    from routerlab.data.interchange import SUFFIXES, _suffix

    if fmt not in FORMATS:
        raise RouterlabError(f"--format {fmt!r} is not known; choose {' or '.join(FORMATS)}")
    suf = _suffix(out)
    inputs = [Path(p) for p in inputs]
    protected = [q for p in inputs if not p.is_dir() for q in (p, sidecar_path(p))]
    check_file(out, "--out", SUFFIXES, protected, [".meta.json"] if suf == ".csv" and fmt == "interchange" else [])
    for folder in (p for p in inputs if p.is_dir()):
        if out.resolve().is_relative_to(folder.resolve()):
            raise RouterlabError(f"--out {str(out)!r} lies inside the input folder {str(folder)!r}; "
                                 "write the export elsewhere")
    if suf == ".csv" and fmt == "routerbench" and sidecar_path(out).exists():
        raise RouterlabError(f"{str(sidecar_path(out))!r} lies beside --out {str(out)!r} and would make it read as "
                             "an interchange table; remove it or choose another file name")


def export(bench: Benchmark, fmt: str, out, inputs: Iterable[Path] = ()) -> Path:
    """Write ``bench`` to ``out`` in format ``fmt`` (:data:`FORMATS`); return ``out``.

    ``inputs``: the files or folders the benchmark was read from (never overwritten).
    """
    out = Path(out)
    check_output(out, fmt, inputs)
    if fmt == "interchange":
        from routerlab.data.interchange import write_table

        return write_table(bench, out)
    from routerlab.data.routerbench_layout import write_routerbench

    return write_routerbench(bench, out)


def read_back(path, fmt: str, models=None) -> Benchmark:
    """An exported file read as routerlab reads its format: the interchange reader, or RouterBench's
    wide reader with every dataset kept (``extras=True``), the prompts as written
    (``strip_prefix=False``) and ``models`` (the prices the wide layout does not carry; None = the
    package's RouterBench price table)."""
    if fmt == "interchange":
        from routerlab.data.interchange import read_table

        return read_table(path)
    from routerlab.data.routerbench_layout import load_routerbench

    return load_routerbench(path, extras=True, answer_tokens=False, strip_prefix=False, models=models)
