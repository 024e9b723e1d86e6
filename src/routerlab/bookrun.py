"""Execute the book's notebooks: py:percent text -> ``.ipynb`` (jupytext) -> papermill, in order.

Papermill is the book's only executor (``_config.yml`` has ``execute_notebooks: "off"``). Each
``notebooks/NN_name.py`` is converted to ``NN_name.ipynb`` with the ``python3`` kernel, executed by
papermill in the notebooks folder with the parameters it declares in its ``parameters`` cell, its
injected-parameters cell tagged ``hide-cell``, and its wall time and parameters recorded in
``_build/status/execution.json`` for the status page (``99_status``, always run last).

    python -m routerlab.bookrun --scale 1.0 --seeds 5            # the whole book (make book)
    python -m routerlab.bookrun --only 03_algorithms --scale 0.5 # one chapter, other parameters

A cell error stops the run with a one-line message naming the notebook (exit status 1); the
executed copy keeps the traceback. Bad arguments exit with status 2.
"""

from __future__ import annotations

import argparse
import datetime as _dt
import json
import os
import re
import sys
import time
from pathlib import Path

from .errors import RouterlabError, check_range

__all__ = ["find_notebooks", "select_notebooks", "declared_parameters", "to_ipynb",
           "execute", "run_book", "main", "STATUS_NOTEBOOK", "INJECTED_TAG", "HIDE_TAG",
           "execution_table", "package_versions", "git_commit", "array_digest",
           "simulated_data_digest", "routellm_verification", "source_verification",
           "data_verification", "STATUS_PACKAGES"]

#: The status page: executed after every other notebook, it reports on them.
STATUS_NOTEBOOK = "99_status"
#: Papermill's tag on the cell it injects; bookrun adds ``HIDE_TAG`` to that cell.
INJECTED_TAG = "injected-parameters"
HIDE_TAG = "hide-cell"
KERNEL = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}
_NOTEBOOK_RE = re.compile(r"^\d\d_[A-Za-z0-9_]+\.py$")


def find_notebooks(nb_dir: str | os.PathLike) -> list[Path]:
    """The book's notebook sources ``NN_name.py`` in ``nb_dir``, in chapter order, status page last."""
    nb_dir = Path(nb_dir)
    if not nb_dir.is_dir():
        raise RouterlabError(f"notebooks folder {str(nb_dir)!r} not found; pass --notebooks DIR")
    found = sorted(p for p in nb_dir.iterdir() if _NOTEBOOK_RE.match(p.name))
    return sorted(found, key=lambda p: (p.stem == STATUS_NOTEBOOK, p.name))


def select_notebooks(notebooks: list[Path], only: list[str] | None,
                     with_status: bool = True) -> list[Path]:
    """Keep the notebooks named in ``only`` (``03``, ``03_algorithms`` or ``03_algorithms.py``).

    When a subset is chosen and ``with_status`` is true, the status page is run after it, so that
    the book never shows a stale execution table. ``only=None`` keeps everything.
    """
    if not only:
        return list(notebooks)
    chosen: list[Path] = []
    for name in only:
        stem = Path(name).name.removesuffix(".py").removesuffix(".ipynb")
        hits = [p for p in notebooks if p.stem == stem or p.stem.split("_", 1)[0] == stem]
        if not hits:
            raise RouterlabError(f"unknown notebook {name!r}; choose one of: "
                                 + ", ".join(p.stem for p in notebooks))
        chosen += [p for p in hits if p not in chosen]
    status = [p for p in notebooks if p.stem == STATUS_NOTEBOOK]
    if with_status and status and status[0] not in chosen:
        chosen.append(status[0])
    return sorted(chosen, key=notebooks.index)


def to_ipynb(py_path: str | os.PathLike, ipynb_path: str | os.PathLike) -> Path:
    """Convert a py:percent source to ``.ipynb`` with the ``python3`` kernelspec.

    Same result as ``jupytext --to ipynb --set-kernel python3``; papermill needs the kernelspec.
    """
    import jupytext

    nb = jupytext.read(py_path)
    nb.metadata["kernelspec"] = dict(KERNEL)
    ipynb_path = Path(ipynb_path)
    ipynb_path.parent.mkdir(parents=True, exist_ok=True)
    jupytext.write(nb, ipynb_path, fmt="ipynb")
    return ipynb_path


def declared_parameters(ipynb_path: str | os.PathLike) -> dict:
    """Names and defaults (None when not a literal) assigned in the cell tagged ``parameters``.

    Read with Python's own parser, so comments such as ``# 1.0 = full scale`` are fine
    (papermill's line-based inspection skips any line with two ``=``). {} if there is no such cell.
    """
    import ast

    import nbformat

    nb = nbformat.read(ipynb_path, as_version=4)
    cells = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    if not cells:
        return {}
    try:
        tree = ast.parse(cells[0].source)
    except SyntaxError:  # e.g. IPython magics: fall back on papermill's inspection
        import papermill

        return {k: v.get("default") for k, v in papermill.inspect_notebook(str(ipynb_path)).items()}
    declared = {}
    for node in tree.body:
        targets = node.targets if isinstance(node, ast.Assign) else (
            [node.target] if isinstance(node, ast.AnnAssign) and node.value is not None else [])
        for target in targets:
            if isinstance(target, ast.Name):
                try:
                    declared[target.id] = ast.literal_eval(node.value)
                except ValueError:
                    declared[target.id] = None
    return declared


def _tag_injected_cell(ipynb_path: Path) -> None:
    import nbformat

    nb = nbformat.read(ipynb_path, as_version=4)
    changed = False
    for cell in nb.cells:
        tags = cell.metadata.setdefault("tags", [])
        if INJECTED_TAG in tags and HIDE_TAG not in tags:
            tags.append(HIDE_TAG)
            changed = True
    if changed:
        nbformat.write(nb, ipynb_path)


class _DropParameterParsingNoise:
    """Logging filter for papermill's own parameters-cell parsing, which bookrun replaces with
    :func:`declared_parameters` (papermill cannot parse a line with two ``=``, e.g. in a comment,
    and then calls the parameter unknown although it is injected all the same)."""

    NOISE = ("Unable to parse line", "Passed unknown parameter")

    def filter(self, record) -> bool:
        return not str(record.getMessage()).startswith(self.NOISE)


def _quiet_papermill_parsing() -> None:
    import logging

    for name in ("papermill", "papermill.translators"):  # filters do not propagate to children
        logger = logging.getLogger(name)
        if not any(isinstance(f, _DropParameterParsingNoise) for f in logger.filters):
            logger.addFilter(_DropParameterParsingNoise())


def _one_line(text: str, limit: int = 200) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _kernel_manager_class(stderr):
    """A kernel manager whose kernel process writes its own log lines (start-up and shutdown
    chatter, not cell output, which papermill captures) to the open file ``stderr``."""
    from jupyter_client.manager import AsyncKernelManager

    class KernelLogToFile(AsyncKernelManager):
        async def _async_launch_kernel(self, kernel_cmd, **kw):
            kw.setdefault("stderr", stderr)
            return await super()._async_launch_kernel(kernel_cmd, **kw)

    return KernelLogToFile


def execute(py_path: str | os.PathLike, out_path: str | os.PathLike, offered: dict,
            cwd: str | os.PathLike, kernel_log: str | os.PathLike | None = None) -> dict:
    """Convert, execute and tag one notebook; return its record for ``execution.json``.

    ``offered`` maps parameter names to values; only those the notebook declares are passed
    (papermill warns about the others). The kernel process's own log goes to ``kernel_log``
    (appended; default: the terminal). Raises ``RuntimeError`` with a one-line message naming
    the notebook when a cell fails or the kernel dies.
    """
    import contextlib

    import papermill
    from papermill.exceptions import PapermillExecutionError

    _quiet_papermill_parsing()
    py_path, out_path = Path(py_path), Path(out_path)
    t0 = time.perf_counter()
    to_ipynb(py_path, out_path)
    declared = declared_parameters(out_path)
    params = {k: v for k, v in offered.items() if k in declared}
    with contextlib.ExitStack() as stack:
        engine_kwargs = {}
        if kernel_log is not None:
            log_file = stack.enter_context(open(kernel_log, "ab"))
            log_file.write(f"--- {py_path.stem} {_dt.datetime.now().isoformat()}\n".encode())
            log_file.flush()
            engine_kwargs["kernel_manager_class"] = _kernel_manager_class(log_file)
        try:
            papermill.execute_notebook(
                str(out_path), str(out_path), parameters=params, kernel_name=KERNEL["name"],
                cwd=str(cwd), progress_bar=False, log_output=False, **engine_kwargs)
        except PapermillExecutionError as exc:
            raise RuntimeError(
                f"notebook {py_path.stem} failed in cell {exc.exec_count}: {exc.ename}: "
                f"{_one_line(exc.evalue)} (traceback in {out_path})") from None
        except Exception as exc:  # kernel death, timeout, unreadable notebook
            where = f"; kernel log in {kernel_log}" if kernel_log else ""
            raise RuntimeError(f"notebook {py_path.stem} could not be executed: "
                               f"{type(exc).__name__}: {_one_line(exc)}{where}") from None
    _tag_injected_cell(out_path)
    return {
        "seconds": round(time.perf_counter() - t0, 3),
        "parameters": params,
        "declared": sorted(declared),
        "source": py_path.name,
        "output": str(out_path),
        "finished": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
    }


def _load_log(path: Path) -> dict:
    try:
        log = json.loads(path.read_text())
        if isinstance(log, dict) and isinstance(log.get("notebooks"), dict):
            return log
    except (OSError, ValueError):
        pass
    return {"notebooks": {}}


def run_book(nb_dir: str | os.PathLike, *, scale: float, n_seeds: int, seed: int | None = None,
             only: list[str] | None = None, out_dir: str | os.PathLike | None = None,
             log_path: str | os.PathLike | None = None, extra: dict | None = None,
             with_status: bool = True, keep_going: bool = False, data_dir=None,
             echo=print) -> int:
    """Execute the selected notebooks in order; return 0 when all succeeded, else 1.

    ``scale`` (> 0, 1.0 = the full 67,500-query benchmark) and ``n_seeds`` (>= 1) are offered to
    every notebook, ``seed`` when given, ``data_dir`` (the folder holding the real-data sources,
    made absolute) when given, ``extra`` (name -> value) too; notebooks that declare them
    (the status page, the ledger, chapter 09) also get ``executed_dir`` and ``execution_log``
    (paths relative to the notebooks folder). Records go to
    ``log_path`` (default ``<nb_dir>/../_build/status/execution.json``), merged with earlier runs.
    """
    nb_dir = Path(nb_dir).resolve()
    scale = check_range("scale", scale, 0, None, lo_open=True)
    if int(n_seeds) != n_seeds or n_seeds < 1:
        raise RouterlabError(f"--seeds must be a whole number >= 1, got {n_seeds!r}")
    notebooks = select_notebooks(find_notebooks(nb_dir), only, with_status)
    if not notebooks:
        raise RouterlabError(f"no notebooks NN_name.py in {str(nb_dir)!r}")
    out_dir = Path(out_dir).resolve() if out_dir else nb_dir
    log_path = Path(log_path).resolve() if log_path else nb_dir.parent / "_build/status/execution.json"

    offered = {"scale": scale, "n_seeds": int(n_seeds)}
    if seed is not None:
        offered["seed"] = int(seed)
    if data_dir is not None:
        if not Path(data_dir).is_dir():
            raise RouterlabError(f"--data-dir {str(data_dir)!r} is not a folder")
        offered["data_dir"] = str(Path(data_dir).resolve())
    offered.update(extra or {})
    status_extra = {"executed_dir": os.path.relpath(out_dir, nb_dir),
                    "execution_log": os.path.relpath(log_path, nb_dir)}

    os.environ.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")  # quiet ipykernel's debugger
    # Chapters share evaluation results through a cache keyed by data, parameters and code
    # (routerlab.evaluation.evaluate), so chapter 04 reuses chapter 03's run instead of redoing it.
    # (Set only for this run and restored afterwards.)
    cache_env_before = os.environ.get("ROUTERLAB_CACHE_DIR")
    os.environ.setdefault("ROUTERLAB_CACHE_DIR", str(nb_dir.parent / "_build" / "cache"))
    try:
        return _run_loop(notebooks, nb_dir, out_dir, log_path, offered, status_extra, scale,
                         n_seeds, seed, keep_going, echo)
    finally:
        if cache_env_before is None:
            os.environ.pop("ROUTERLAB_CACHE_DIR", None)


def _run_loop(notebooks, nb_dir, out_dir, log_path, offered, status_extra, scale, n_seeds, seed,
              keep_going, echo) -> int:
    """The body of :func:`run_book`: execute each notebook, keep the log, report failures."""
    log = _load_log(log_path)
    log_path.parent.mkdir(parents=True, exist_ok=True)
    failures: list[str] = []
    width = max(len(p.stem) for p in notebooks)
    echo(f"bookrun: {len(notebooks)} notebook(s) in {nb_dir} -> {out_dir} "
         f"(scale={scale:g}, n_seeds={int(n_seeds)}" + (f", seed={seed}" if seed is not None else "") + ")")
    t_all = time.perf_counter()
    for py in notebooks:
        params = dict(offered, **status_extra)  # executed_dir etc. go to whoever declares them
        if py.stem == STATUS_NOTEBOOK:  # the status page reads what the others wrote
            log_path.write_text(json.dumps(log, indent=2, sort_keys=True))
        try:
            record = execute(py, out_dir / f"{py.stem}.ipynb", params, cwd=nb_dir,
                             kernel_log=log_path.with_name("kernels.log"))
        except RuntimeError as exc:
            failures.append(str(exc))
            echo(f"  {py.stem:<{width}}  FAILED")
            log["notebooks"].pop(py.stem, None)
            log_path.write_text(json.dumps(log, indent=2, sort_keys=True))
            if not keep_going:
                break
            continue
        log["notebooks"][py.stem] = record
        log_path.write_text(json.dumps(log, indent=2, sort_keys=True))
        echo(f"  {py.stem:<{width}}  {record['seconds']:8.1f} s  "
             + " ".join(f"{k}={v}" for k, v in record["parameters"].items()
                        if k not in status_extra))
    echo(f"bookrun: {time.perf_counter() - t_all:.1f} s in all; log in {log_path}")
    for message in failures:
        echo(f"bookrun: error: {message}", file=sys.stderr)
    return 1 if failures else 0


# ---------------------------------------------------------------------------------------------
# What the status page (notebooks/99_status.py) reports: executions, environment, data digests.

#: Distributions whose versions the status page lists (import names differ for some).
STATUS_PACKAGES = ("routerlab", "numpy", "pandas", "scipy", "scikit-learn", "matplotlib",
                   "pyarrow", "myst-nb", "jupyter-book", "sphinx", "papermill", "jupytext",
                   "ipykernel", "django-static-mathjax")


def execution_table(executed_dir: str | os.PathLike, log_path: str | os.PathLike | None = None,
                    exclude: tuple[str, ...] = (STATUS_NOTEBOOK,),
                    sources_dir: str | os.PathLike | None = None):
    """One row per executed notebook ``NN_name.ipynb`` in ``executed_dir``, from papermill metadata.

    With ``sources_dir``, only notebooks whose ``NN_name.py`` source is there are listed (a stale
    ``.ipynb`` left by a removed chapter is not).

    Columns: ``notebook``, ``seconds`` (papermill's execution time of the cells, s),
    ``wall_seconds`` (bookrun's time including conversion and kernel start, from ``log_path``;
    NaN when unknown), ``parameters`` (dict injected by papermill), ``finished`` (UTC, ISO 8601),
    ``status`` ("ok", or the exception papermill recorded). Returns a pandas DataFrame.
    """
    import nbformat
    import pandas as pd

    log = _load_log(Path(log_path)) if log_path else {"notebooks": {}}
    rows = []
    for path in sorted(Path(executed_dir).glob("[0-9][0-9]_*.ipynb")):
        if path.stem in exclude or (sources_dir and not (Path(sources_dir) / f"{path.stem}.py").is_file()):
            continue
        meta = nbformat.read(path, as_version=4).metadata.get("papermill")
        if not meta:  # converted but never executed
            continue
        record = log["notebooks"].get(path.stem, {})
        rows.append({
            "notebook": path.stem,
            "seconds": float(meta.get("duration") or float("nan")),
            "wall_seconds": float(record.get("seconds", float("nan"))),
            "parameters": dict(meta.get("parameters") or {}),
            "finished": str(meta.get("end_time") or ""),
            "status": "failed" if meta.get("exception") else "ok",
        })
    return pd.DataFrame(rows, columns=["notebook", "seconds", "wall_seconds", "parameters",
                                       "finished", "status"])


def package_versions(names=STATUS_PACKAGES) -> dict[str, str]:
    """Installed version of each distribution in ``names`` ("not installed" when absent)."""
    from importlib import metadata

    versions = {"python": sys.version.split()[0]}
    for name in names:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return versions


def git_commit(path: str | os.PathLike = ".") -> str:
    """``git rev-parse HEAD`` of the repository holding ``path``, with " (+ uncommitted changes)"
    when the work tree differs from it; "unknown" outside git or without git."""
    import subprocess

    def git(*args: str) -> str:
        return subprocess.run(["git", *args], cwd=path, capture_output=True, text=True,
                              check=True, timeout=30).stdout.strip()
    try:
        sha = git("rev-parse", "HEAD")
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    try:
        dirty = bool(git("status", "--porcelain", "--untracked-files=no"))
    except (OSError, subprocess.SubprocessError):
        dirty = False
    return sha + (" (+ uncommitted changes)" if dirty else "")


def array_digest(*arrays) -> str:
    """SHA-256 (hex) of arrays as little-endian float64, shapes included: equal digests mean
    equal numbers, whatever the platform's native dtype."""
    import hashlib

    import numpy as np

    h = hashlib.sha256()
    for a in arrays:
        a = np.ascontiguousarray(a, dtype="<f8")
        h.update(repr(a.shape).encode())
        h.update(a.tobytes())
    return h.hexdigest()


def simulated_data_digest(scale: float, seed: int = 0) -> dict:
    """Digest of the simulated benchmark at (``scale``, ``seed``): SHA-256 of quality and cost.

    Returns ``{"source", "n_queries", "n_models", "sha256"}``; when ``routerlab.simulate`` is not
    available the digest is None and ``source`` says why.
    """
    try:
        from .simulate import simulate
    except ImportError as exc:
        return {"source": f"simulator unavailable ({exc})", "n_queries": 0, "n_models": 0,
                "sha256": None}
    bench = simulate(scale=scale, seed=seed)
    return {"source": f"RouterBench-Sim (simulated), scale={scale:g}, seed={seed}",
            "n_queries": int(bench.quality.shape[0]), "n_models": int(bench.quality.shape[1]),
            "sha256": array_digest(bench.quality, bench.cost)}


def source_verification(name: str, folder: str | os.PathLike | None = None, data_dir=None) -> dict:
    """Check the files of real-data source ``name`` against the SHA-256 digests shipped in the
    package (``routerlab/data/sha256/<name>.sha256``; never downloads).

    ``folder``: the source's folder; by default the one :func:`routerlab.sources.find` finds
    (searching ``data_dir`` when given), or else the first searched folder that holds at least one
    of its files (so that a partial copy is reported, not called missing). Returns ``{"name",
    "folder", "n_files", "n_ok", "bad", "sums_sha256"}``: ``n_ok`` of ``n_files`` pinned files
    have the expected SHA-256, ``bad`` lists the others (missing or altered), ``sums_sha256`` is
    the SHA-256 of the digest list itself (one hash naming the data). ``folder`` is None when no
    file of the source is on this machine.
    """
    import hashlib

    from importlib import resources

    from .sources import _base, find

    sums = resources.files("routerlab").joinpath(f"data/sha256/{name}.sha256").read_bytes()
    expected = _base.expected_digests(name)
    result = {"name": name, "folder": None, "n_files": len(expected), "n_ok": 0, "bad": [],
              "sums_sha256": hashlib.sha256(sums).hexdigest()}
    if folder is None:
        folder = find(name, data_dir)
    if folder is None:
        folder = next((f for f in _base.candidate_folders(name, data_dir)
                       if f.is_dir() and any((f / rel).is_file() for rel in expected)), None)
    if folder is None or not Path(folder).is_dir():
        return result
    result["folder"] = str(Path(folder).resolve())
    for rel in sorted(expected):
        try:
            _base.read_verified(Path(folder), rel, name)
            result["n_ok"] += 1
        except RouterlabError:
            result["bad"].append(rel)
    return result


def data_verification(data_dir=None) -> list[dict]:
    """:func:`source_verification` of every source of :func:`routerlab.sources.names`, in order."""
    from .sources import names

    return [source_verification(n, data_dir=data_dir) for n in names()]


def routellm_verification(folder: str | os.PathLike | None = None) -> dict:
    """:func:`source_verification` of the RouteLLM files (kept for older callers)."""
    return source_verification("routellm", folder=folder)


def _parse_param(text: str) -> tuple[str, object]:
    import yaml

    name, sep, value = text.partition("=")
    if not sep or not name.isidentifier():
        raise RouterlabError(f"--param expects NAME=VALUE, got {text!r}")
    return name, yaml.safe_load(value)


def main(argv: list[str] | None = None) -> int:
    """Command line: ``python -m routerlab.bookrun --scale S --seeds N [--only NAME ...]``."""
    parser = argparse.ArgumentParser(
        prog="python -m routerlab.bookrun",
        description="Convert (jupytext) and execute (papermill) the book's notebooks in order.")
    parser.add_argument("--scale", type=float, default=1.0,
                        help="benchmark size; 1.0 = 67,500 queries x 6 models (default 1.0)")
    parser.add_argument("--seeds", type=int, default=5, help="number of seeds (n_seeds, default 5)")
    parser.add_argument("--seed", type=int, default=None,
                        help="base seed, passed as `seed` (default: each notebook's own)")
    parser.add_argument("--only", nargs="+", metavar="NAME",
                        help="run only these notebooks (e.g. 03_algorithms or 03); the status page follows")
    parser.add_argument("--no-status", action="store_true",
                        help="with --only, do not re-run the status page")
    parser.add_argument("-p", "--param", action="append", default=[], metavar="NAME=VALUE",
                        help="extra parameter for the notebooks that declare it (YAML value)")
    parser.add_argument("--data-dir", default=None, metavar="DIR",
                        help="folder holding the real-data sources (routerbench-subset/, llmrouter/, ...), "
                             "passed as `data_dir` to the notebooks that declare it (default: each "
                             "notebook searches $ROUTERLAB_DATA_DIR and ../shared/data)")
    parser.add_argument("--out-dir", default=None,
                        help="write executed notebooks here (default: beside their sources)")
    parser.add_argument("--notebooks", default="notebooks", help="notebooks folder (default notebooks)")
    parser.add_argument("--log", default=None,
                        help="execution log (default NOTEBOOKS/../_build/status/execution.json)")
    parser.add_argument("--keep-going", action="store_true",
                        help="run the remaining notebooks after a failure (exit status is still 1)")
    args = parser.parse_args(argv)
    try:
        extra = dict(_parse_param(p) for p in args.param)
        return run_book(args.notebooks, scale=args.scale, n_seeds=args.seeds, seed=args.seed,
                        only=args.only, out_dir=args.out_dir, log_path=args.log, extra=extra,
                        with_status=not args.no_status, keep_going=args.keep_going,
                        data_dir=args.data_dir, echo=lambda *a, **k: print(*a, **k, flush=True))
    except RouterlabError as exc:
        print(f"bookrun: error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
