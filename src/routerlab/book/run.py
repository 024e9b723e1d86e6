"""Execute the book's notebooks: py:percent text -> ``.ipynb`` (jupytext) -> papermill, in order.

Papermill is the book's only executor (``_config.yml`` has ``execute_notebooks: "off"``). Each
``notebooks/NN_name.py`` is converted to ``NN_name.ipynb`` with the ``python3`` kernel, executed by
papermill in the notebooks folder with the parameters it declares in its ``parameters`` cell, its
injected-parameters cell tagged ``hide-cell``, and its wall time and parameters recorded in
``_build/status/execution.json`` for the status page (``99_status``, always run last).

    python -m routerlab.book.run --scale 1.0 --seeds 5            # the whole book (make book)
    python -m routerlab.book.run --only 03_algorithms --scale 0.5 # one chapter, other parameters

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

from routerlab.errors import RouterlabError, check_range

__all__ = ["find_notebooks", "start_order", "EXPECTED_SECONDS", "select_notebooks", "declared_parameters", "to_ipynb",
           "execute", "run_book", "main", "STATUS_NOTEBOOK", "INJECTED_TAG", "HIDE_TAG",
           "execution_table", "package_versions", "git_commit", "array_digest",
           "simulated_data_digest", "routellm_verification", "source_verification",
           "data_verification", "STATUS_PACKAGES", "SUMMARY_NOTEBOOKS", "book_stems",
           "executed_notebooks", "book_chapters", "parameter_check", "parameter_text",
           "rerun_command", "verify", "mark_parameter_notes", "locked_versions", "last_run",
           "BOOK_SECONDS_TARGET"]

#: The status page: executed after every other notebook, it reports on them.
STATUS_NOTEBOOK = "99_status"
#: The summary pages: they read the executed chapters, so bookrun re-executes them (in this order,
#: with the book's reference parameters) after any run, and ``--verify`` checks they are newer.
SUMMARY_NOTEBOOKS = ("09_simulator_truth", "90_ledger", STATUS_NOTEBOOK)
#: Parameters bookrun passes for its own plumbing (paths), never compared between notebooks.
PLUMBING_PARAMETERS = ("executed_dir", "execution_log")
#: Tag of the markdown cell bookrun adds to a page executed with other parameters than the book's.
PARAMETER_NOTE_TAG = "rl-parameter-note"
#: Seconds between two "still running" lines while a notebook executes (0: none).
HEARTBEAT_SECONDS = 30.0
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

    When a subset is chosen and ``with_status`` is true, the summary pages
    (:data:`SUMMARY_NOTEBOOKS`: chapter 09, the ledger, the status page) are run after it, so that
    the book never shows a stale ledger or execution table. ``only=None`` keeps everything.
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
    if with_status:
        chosen += [p for p in notebooks if p.stem in SUMMARY_NOTEBOOKS and p not in chosen]
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


#: The whole book's execution target (wall seconds of ``make book``'s notebook run, 2 cores, with the
#: sentence-embedding cache of chapter 11 warm: embedding every real question once is a one-time cost).
BOOK_SECONDS_TARGET = 360.0


def last_run(log_path: str | os.PathLike) -> dict | None:
    """The last bookrun run recorded in ``log_path``: ``{"seconds": wall seconds from the first
    notebook's start to the status page's start, "jobs": chapters at a time, "notebooks": stems}``,
    or None when the log has none."""
    run = _load_log(Path(log_path)).get("last_run")
    return run if isinstance(run, dict) and "seconds" in run else None


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
             echo=None, heartbeat: float = HEARTBEAT_SECONDS, jobs: int = 1) -> int:
    """Execute the selected notebooks; return 0 when all succeeded, else 1.

    ``scale`` (> 0, 1.0 = the full 67,500-query benchmark) and ``n_seeds`` (>= 1) are offered to
    every notebook, ``seed`` when given, ``data_dir`` (the folder holding the real-data sources,
    made absolute) when given, ``extra`` (name -> value) too; notebooks that declare them
    (the status page, the ledger, chapter 09) also get ``executed_dir`` and ``execution_log``
    (paths relative to the notebooks folder). Records go to
    ``log_path`` (default ``<nb_dir>/../_build/status/execution.json``), merged with earlier runs.

    With ``with_status`` the summary pages (:data:`SUMMARY_NOTEBOOKS`) are run after any subset,
    with the book's reference parameters (:func:`parameter_check`). Progress goes to ``echo``
    (default: ``print``, flushed): one line when a notebook starts, one when it ends, and one
    every ``heartbeat`` seconds while it runs (0: none). ``jobs``: how many chapters run at a
    time, each in its own worker process and kernel (the summary pages always run last, one
    after the other); the executed notebooks are the same for any ``jobs``.
    """
    if isinstance(jobs, bool) or int(jobs) != jobs or jobs < 1:
        raise RouterlabError(f"--jobs must be a whole number >= 1, got {jobs!r}")
    jobs = int(jobs)
    if echo is None:
        echo = lambda *a, **k: print(*a, **k, flush=True)  # noqa: E731
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
    # (routerlab.evaluation.protocol.evaluate), so chapter 04 reuses chapter 03's run instead of redoing it.
    # (Set only for this run and restored afterwards.)
    # Kernels running side by side share the cores: each gets cores // jobs BLAS and OpenMP threads
    # (two kernels with one thread per core each ran chapter 11's cross-validated AUCs twice as slowly).
    env = {"ROUTERLAB_CACHE_DIR": str(nb_dir.parent / "_build" / "cache")}
    if jobs > 1:
        env.update(dict.fromkeys(THREAD_VARIABLES, str(max(1, _cores() // jobs))))
    before = {k: os.environ.get(k) for k in env}
    for k, v in env.items():
        os.environ.setdefault(k, v)   # a value the user set is kept
    try:
        return _run_loop(notebooks, nb_dir, out_dir, log_path, offered, status_extra, scale,
                         n_seeds, seed, keep_going, echo, heartbeat, jobs)
    finally:
        for k, v in before.items():
            if v is None:
                os.environ.pop(k, None)


#: Environment variables that bound the threads of numpy's and scipy's BLAS and of OpenMP (scikit-learn).
THREAD_VARIABLES = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")


def _cores() -> int:
    """CPU cores this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


class _Heartbeat:
    """A daemon thread that calls ``echo`` with a "still running" line every ``every`` seconds
    while a notebook executes, so that a long notebook never leaves the terminal silent."""

    def __init__(self, label: str, every: float, echo):
        import threading

        self.label, self.every, self.echo = label, float(every), echo
        self.t0 = time.perf_counter()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True) if self.every > 0 else None

    def _run(self) -> None:
        while not self._stop.wait(self.every):
            self.echo(f"  {self.label}  ... still running, {time.perf_counter() - self.t0:.0f} s")

    def __enter__(self):
        if self._thread is not None:
            self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()


def _submit(pool, *args):
    """A future for ``execute(*args)``: in a worker process of ``pool``, or run here and now
    when ``pool`` is None (one notebook at a time, in this process)."""
    from concurrent.futures import Future

    if pool is not None:
        return pool.submit(execute, *args)
    fut: Future = Future()
    try:
        fut.set_result(execute(*args))
    except BaseException as exc:  # noqa: BLE001 - handed to the caller through the future
        fut.set_exception(exc)
    return fut


#: Seconds each chapter took in the reference build (scale 1, 5 seeds, 2 at a time, 2 cores): the
#: start order of a build with no log of its own. Only the order depends on them.
EXPECTED_SECONDS = {"11_query_or_task": 210.0, "03_algorithms": 116.0, "04_datasets": 51.0, "08_real_outcomes": 26.0,
                    "06_hyperparameters": 31.0, "05_model_count": 31.0, "01_benchmark": 26.0,
                    "07_cost_quality": 24.0, "10_application": 23.0, "02_routing_score": 14.0,
                    "95_performance": 6.0}


def start_order(chapters: list, log: dict) -> list:
    """``chapters`` (paths ``NN_name.py``) longest first: by the seconds of their last run in
    ``log`` (the build's log), else by :data:`EXPECTED_SECONDS`, else 0; ties in chapter order."""
    done = {stem: rec.get("seconds") for stem, rec in log.get("notebooks", {}).items() if isinstance(rec, dict)}

    def seconds(py) -> float:
        s = done.get(py.stem)
        return float(s) if isinstance(s, (int, float)) else EXPECTED_SECONDS.get(py.stem, 0.0)

    return [py for _, py in sorted(enumerate(chapters), key=lambda ip: (-seconds(ip[1]), ip[0]))]


def _run_loop(notebooks, nb_dir, out_dir, log_path, offered, status_extra, scale, n_seeds, seed,
              keep_going, echo, heartbeat=HEARTBEAT_SECONDS, jobs=1) -> int:
    """The body of :func:`run_book`: execute each notebook, keep the log, report failures.

    The chapters run ``jobs`` at a time (worker processes, each driving its own kernel; 1 = one
    after the other in this process), the longest first (:func:`start_order`), so that the longest
    chapter does not start last and leave a core idle; the summary pages then run one
    after the other. Chapters that need the same cache entry (an evaluation, a parsed source)
    compute it once: the others wait for it (:mod:`routerlab.locks`). Each notebook is announced
    when it starts (name, parameters) and when it ends (seconds), with a "still running" line
    every ``heartbeat`` seconds in between. The summary pages get the book's reference
    parameters (the majority of the executed chapters, :func:`parameter_check`), not
    necessarily this run's. Afterwards every executed page of the book run with other
    parameters than the book's gets a warning note (:func:`mark_parameter_notes`).
    """
    import multiprocessing
    from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait

    log = _load_log(log_path)
    log_path.parent.mkdir(parents=True, exist_ok=True)
    failures: list[str] = []
    n = len(notebooks)
    width = max(len(p.stem) for p in notebooks)
    echo(f"bookrun: {n} notebook(s) in {nb_dir} -> {out_dir} "
         f"(scale={scale:g}, n_seeds={int(n_seeds)}" + (f", seed={seed}" if seed is not None else "")
         + (f"; {jobs} chapters at a time" if jobs > 1 else "") + ")")
    t_all = time.perf_counter()
    number = {py.stem: i for i, py in enumerate(notebooks, 1)}
    chapters = [py for py in notebooks if py.stem not in SUMMARY_NOTEBOOKS]
    summaries = [py for py in notebooks if py.stem in SUMMARY_NOTEBOOKS]

    def save_log() -> None:
        log_path.write_text(json.dumps(log, indent=2, sort_keys=True))

    def start(pool, py, params, role=""):
        label = f"[{number[py.stem]}/{n}] {py.stem:<{width}}"
        declared = _declared_in_source(py)
        shown = {k: v for k, v in params.items() if k not in status_extra
                 and (declared is None or k in declared)}
        echo(f"  {label}  started{role}  {parameter_text(shown)}")
        beat = _Heartbeat(label, heartbeat, echo).__enter__()
        fut = _submit(pool, py, out_dir / f"{py.stem}.ipynb", params, nb_dir,
                      log_path.with_name("kernels.log"))
        return fut, (py, label, beat)

    def finish(fut, py, label, beat) -> None:
        beat.__exit__(None, None, None)
        try:
            record = fut.result()
        except RuntimeError as exc:
            failures.append(str(exc))
            echo(f"  {label}  FAILED after {time.perf_counter() - t_all:.1f} s in all")
            log["notebooks"].pop(py.stem, None)
            save_log()
            return
        log["notebooks"][py.stem] = record
        save_log()
        echo(f"  {label}  done in {record['seconds']:.1f} s")

    # the chapters, `jobs` at a time
    pool = (ProcessPoolExecutor(max_workers=jobs, mp_context=multiprocessing.get_context("spawn"))
            if jobs > 1 and len(chapters) > 1 else None)
    try:
        queue, running = start_order(chapters, log), {}
        while queue or running:
            while queue and len(running) < max(jobs, 1) and (keep_going or not failures):
                fut, info = start(pool, queue.pop(0), dict(offered, **status_extra))
                running[fut] = info
            if not running:
                break
            done, _ = wait(running, return_when=FIRST_COMPLETED)
            for fut in sorted(done, key=lambda f: number[running[f][0].stem]):
                finish(fut, *running.pop(fut))
    finally:
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)
    # the summary pages, in order, with the book's reference parameters
    reference = None
    for py in summaries:
        if failures and not keep_going:
            break
        if reference is None:  # the chapters that ran so far, and those already in out_dir
            reference = parameter_check(out_dir, nb_dir)["reference"]
        params = dict(offered, **status_extra, **reference)
        if py.stem == STATUS_NOTEBOOK:  # the status page reads what the others wrote
            log["last_run"] = {"seconds": round(time.perf_counter() - t_all, 3), "jobs": int(jobs),
                               "notebooks": [p.stem for p in notebooks]}
            save_log()
        fut, info = start(None, py, params, " (summary page, the book's parameters)")
        finish(fut, *info)
    try:
        marked = mark_parameter_notes(out_dir, nb_dir)
    except Exception as exc:  # noqa: BLE001 - a note is a courtesy; --verify is the check
        marked = []
        echo(f"bookrun: warning: could not mark pages run with other parameters: {exc}")
    echo(f"bookrun: {time.perf_counter() - t_all:.1f} s in all; log in {log_path}")
    if marked:
        echo("bookrun: ran with other parameters than the rest of the book (flagged on their "
             "pages; `python -m routerlab.book.run --verify` says how to rerun): " + ", ".join(marked))
    for message in failures:
        echo(f"bookrun: error: {message}", file=sys.stderr)
    return 1 if failures else 0


def _declared_in_source(py: Path) -> set | None:
    """Names declared in the parameters cell of a py:percent source (None when unreadable)."""
    import ast

    try:
        text = py.read_text(encoding="utf-8")
    except OSError:
        return None
    match = re.search(r'^# %%[^\n]*tags=\[[^\]]*"parameters"[^\n]*\n(.*?)(?=^# %%|\Z)', text,
                      re.MULTILINE | re.DOTALL)
    if not match:
        return set()
    try:
        tree = ast.parse(match.group(1))
    except SyntaxError:
        return None
    names = set()
    for node in tree.body:
        targets = node.targets if isinstance(node, ast.Assign) else (
            [node.target] if isinstance(node, ast.AnnAssign) else [])
        names |= {t.id for t in targets if isinstance(t, ast.Name)}
    return names


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
        if record.get("output") and Path(record["output"]).resolve() != path.resolve():
            record = {}  # the log's entry is of another folder's copy (another --out-dir)
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


# ---------------------------------------------------------------------------------------------
# Which executed notebooks make the book, with which parameters, and whether they agree.

def _toc_stems(sources_dir: Path) -> list[str] | None:
    """Stems of the ``_toc.yml`` entries (beside ``sources_dir``'s parent) that name a notebook of
    ``sources_dir``, in reading order; None when there is no such toc or it names none."""
    import yaml

    root = sources_dir.parent
    toc_path = root / "_toc.yml"
    if not toc_path.is_file():
        return None
    try:
        toc = yaml.safe_load(toc_path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError):
        return None
    files: list[str] = []

    def walk(entries):
        for entry in entries or []:
            if isinstance(entry, dict):
                if "file" in entry:
                    files.append(str(entry["file"]))
                walk(entry.get("sections"))
                walk(entry.get("chapters"))

    files.append(str(toc.get("root", "")))
    walk(toc.get("parts"))
    walk(toc.get("chapters"))
    here = sources_dir.resolve()
    stems = []
    for f in files:
        path = (root / f).resolve()
        stem = path.name.removesuffix(".ipynb").removesuffix(".py").removesuffix(".md")
        if path.parent == here and re.match(r"^\d\d_", stem) and stem not in stems:
            stems.append(stem)
    return stems or None


def book_stems(sources_dir: str | os.PathLike) -> list[str]:
    """The notebooks of the book: the ``NN_name`` stems of ``sources_dir`` that have a source
    ``NN_name.py`` there and, when a ``_toc.yml`` beside the folder lists notebooks of it, are in
    that toc. In chapter order, status page last."""
    sources_dir = Path(sources_dir)
    stems = [p.stem for p in find_notebooks(sources_dir)]
    toc = _toc_stems(sources_dir)
    return stems if toc is None else [s for s in stems if s in toc]


def _papermill_meta(path: Path) -> dict | None:
    try:
        nb = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    meta = nb.get("metadata", {}).get("papermill")
    return meta if isinstance(meta, dict) and meta.get("end_time") else None


def executed_notebooks(executed_dir: str | os.PathLike,
                       sources_dir: str | os.PathLike | None = None) -> list[Path]:
    """The executed notebooks ``NN_name.ipynb`` of ``executed_dir`` (papermill recorded an end
    time), in chapter order, status page last. With ``sources_dir`` (the notebooks folder), only
    those of the book (:func:`book_stems`): a stale copy of a removed chapter is not read."""
    folder = Path(executed_dir)
    if not folder.is_dir():
        raise RouterlabError(f"no folder of executed notebooks at {str(folder)!r}")
    found = sorted(p for p in folder.glob("[0-9][0-9]_*.ipynb") if _papermill_meta(p) is not None)
    if sources_dir is not None:
        keep = set(book_stems(sources_dir))
        found = [p for p in found if p.stem in keep]
    return sorted(found, key=lambda p: (p.stem == STATUS_NOTEBOOK, p.name))


def book_chapters(executed_dir: str | os.PathLike, sources_dir: str | os.PathLike | None = None,
                  below: int = 90, exclude: tuple[str, ...] = ()) -> list[Path]:
    """The executed chapters the summary pages read: :func:`executed_notebooks` with ``NN <
    below``, without ``exclude`` (stems), in name order."""
    return [p for p in executed_notebooks(executed_dir, sources_dir)
            if int(p.name[:2]) < below and p.stem not in exclude]


def _norm(value):
    """A comparable form of a parameter value (1 == 1.0; lists as tuples)."""
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, (list, tuple)):
        return tuple(_norm(v) for v in value)
    if isinstance(value, dict):
        return tuple(sorted((k, _norm(v)) for k, v in value.items()))
    return repr(value)


def _fmt(value) -> str:
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, str):
        return value
    return json.dumps(value)


def parameter_text(params: dict) -> str:
    """``scale=0.5, n_seeds=2``: parameters as a reader types them (plumbing paths left out)."""
    return ", ".join(f"{k}={_fmt(v)}" for k, v in params.items() if k not in PLUMBING_PARAMETERS)


def _finished(meta: dict):
    try:
        return _dt.datetime.fromisoformat(str(meta.get("end_time")))
    except ValueError:
        return None


def parameter_check(executed_dir: str | os.PathLike,
                    sources_dir: str | os.PathLike | None = None) -> dict:
    """The parameters every executed notebook of the book ran with, against the book's reference.

    Compared are the parameters bookrun injected into at least one chapter (``scale``,
    ``n_seeds``, ``seed``, ``data_dir``, ``-p`` extras; never the plumbing paths), each
    notebook's value being the injected one or else its declared default. The **reference** is,
    per parameter, the value most chapters (not summary pages) ran with (a tie goes to the value
    of the earliest chapter), not the last run's. Returns ``{"reference": {name: value},
    "notebooks": [{"notebook", "summary", "parameters" (compared ones), "injected", "finished"
    (datetime or None), "failed", "differs" ({name: value} unlike the reference)}],
    "differing": [stems], "n_chapters": int}``.
    """
    paths = executed_notebooks(executed_dir, sources_dir)
    rows = []
    for path in paths:
        meta = _papermill_meta(path) or {}
        injected = {k: v for k, v in (meta.get("parameters") or {}).items()
                    if k not in PLUMBING_PARAMETERS}
        rows.append({"notebook": path.stem, "summary": path.stem in SUMMARY_NOTEBOOKS,
                     "injected": injected, "declared": declared_parameters(path),
                     "finished": _finished(meta), "failed": bool(meta.get("exception"))})
    chapters = [r for r in rows if not r["summary"]] or rows
    keys: list[str] = []
    for r in chapters:
        keys += [k for k in r["injected"] if k not in keys]
    order = ("scale", "n_seeds", "seed", "data_dir")
    first = list(keys)
    keys = sorted(first, key=lambda k: (order.index(k) if k in order else len(order), first.index(k)))
    for r in rows:
        r["parameters"] = {k: r["injected"].get(k, r["declared"].get(k)) for k in keys
                           if k in r["injected"] or k in r["declared"]}
    reference = {}
    for k in keys:
        votes: dict = {}
        for r in chapters:
            if k in r["parameters"]:
                value = r["parameters"][k]
                votes.setdefault(_norm(value), [0, value])[0] += 1
        if votes:  # max keeps the first of equal counts: the earliest chapter's value
            reference[k] = max(votes.values(), key=lambda v: v[0])[1]
    for r in rows:
        r["differs"] = {k: v for k, v in r["parameters"].items()
                        if k in reference and _norm(v) != _norm(reference[k])}
        del r["declared"]
    return {"reference": reference, "notebooks": rows,
            "differing": [r["notebook"] for r in rows if r["differs"]],
            "n_chapters": sum(not r["summary"] for r in rows)}


def rerun_command(stems: list[str], reference: dict, out_dir: str | None = None,
                  notebooks: str | None = None) -> str:
    """The bookrun command that reruns ``stems`` with the book's ``reference`` parameters."""
    import shlex

    words = ["python", "-m", "routerlab.book.run"]
    if notebooks:
        words += ["--notebooks", notebooks]
    words += ["--only", *stems]
    options = {"scale": "--scale", "n_seeds": "--seeds", "seed": "--seed", "data_dir": "--data-dir"}
    for k, v in reference.items():
        if k in options:
            if v is not None:
                words += [options[k], _fmt(v)]
        else:
            words += ["-p", f"{k}={_fmt(v) if not isinstance(v, str) else v}"]
    if out_dir:
        words += ["--out-dir", out_dir]
    return " ".join(shlex.quote(w) for w in words)


def verify(nb_dir: str | os.PathLike = "notebooks", out_dir: str | os.PathLike | None = None) -> list[str]:
    """What makes the executed book stale or incomplete, one line per problem with the command
    that fixes it; [] when the book may be built.

    Problems: a notebook of the book (``_toc.yml``, else every ``NN_name.py``) not executed in
    ``out_dir`` (default ``nb_dir``) or executed with an error; a notebook run with other
    parameters than the book's reference (:func:`parameter_check`); a summary page
    (:data:`SUMMARY_NOTEBOOKS`) older than a notebook it reads.
    """
    nb_arg = None if Path(nb_dir) == Path("notebooks") else str(nb_dir)
    out_arg = str(out_dir) if out_dir is not None else None
    nb_dir = Path(nb_dir)
    executed = Path(out_dir) if out_dir is not None else nb_dir
    stems = book_stems(nb_dir)
    if not executed.is_dir():
        return [f"no executed notebooks: {str(executed)!r} is not a folder; run: python -m "
                "routerlab.book.run" + (f" --notebooks {nb_arg}" if nb_arg else "")
                + (f" --out-dir {out_arg}" if out_arg else "")]
    check = parameter_check(executed, nb_dir)
    ref = check["reference"]
    rows = {r["notebook"]: r for r in check["notebooks"]}
    problems = [f"{stem} is in _toc.yml but has no source {nb_dir / (stem + '.py')}; add it or "
                "remove it from _toc.yml" for stem in (_toc_stems(nb_dir) or []) if stem not in stems]
    for stem in stems:
        where = executed / f"{stem}.ipynb"
        if stem not in rows:
            state = "was never executed" if where.exists() else f"has no executed copy ({where})"
            problems.append(f"{stem} {state}; rerun: {rerun_command([stem], ref, out_arg, nb_arg)}")
        elif rows[stem]["failed"]:
            problems.append(f"{stem} failed when it last ran (traceback in {where}); rerun: "
                            + rerun_command([stem], ref, out_arg, nb_arg))
    for r in check["notebooks"]:
        if r["differs"]:
            mine = ", ".join(f"{k}={_fmt(v)}" for k, v in r["differs"].items())
            theirs = ", ".join(f"{k}={_fmt(ref[k])}" for k in r["differs"])
            problems.append(f"{r['notebook']} ran with {mine}, the rest with {theirs}; rerun: "
                            + rerun_command([r["notebook"]], ref, out_arg, nb_arg))
    order = [r["notebook"] for r in check["notebooks"]]
    for stem in SUMMARY_NOTEBOOKS:
        r = rows.get(stem)
        if r is None or r["finished"] is None:
            continue
        newer = [o for o in order[:order.index(stem)]
                 if rows[o]["finished"] is not None and rows[o]["finished"] > r["finished"]]
        if newer:
            summaries = [s for s in SUMMARY_NOTEBOOKS if s in rows]
            problems.append(f"{stem} is older than {newer[-1]} (it ran before that notebook's last "
                            f"run, so it shows older results); rerun: "
                            + rerun_command(summaries, ref, out_arg, nb_arg))
    return problems


def mark_parameter_notes(executed_dir: str | os.PathLike,
                         sources_dir: str | os.PathLike | None = None) -> list[str]:
    """Add a warning note, after the title cell, to every executed page of the book that ran with
    other parameters than the book's reference (and remove it from the others); the note says
    what to rerun. Returns the stems of the flagged pages. Only the markdown cell tagged
    :data:`PARAMETER_NOTE_TAG` is touched; papermill's metadata (end time) is kept."""
    import nbformat

    check = parameter_check(executed_dir, sources_dir)
    ref = check["reference"]
    flagged = []
    for r in check["notebooks"]:
        path = Path(executed_dir) / f"{r['notebook']}.ipynb"
        nb = nbformat.read(path, as_version=4)
        kept = [c for c in nb.cells if PARAMETER_NOTE_TAG not in c.metadata.get("tags", [])]
        changed = len(kept) != len(nb.cells)
        if r["differs"]:
            flagged.append(r["notebook"])
            mine = ", ".join(f"{k}={_fmt(v)}" for k, v in r["differs"].items())
            theirs = ", ".join(f"{k}={_fmt(ref[k])}" for k in r["differs"])
            note = nbformat.v4.new_markdown_cell(
                ":::{warning}\n"
                f"This page was executed with {mine}; the rest of the book with {theirs}. Its "
                "numbers are not comparable with the other chapters' or with the ledger's. Rerun "
                f"it with the book's parameters: `{rerun_command([r['notebook']], ref)}`.\n:::")
            note.metadata["tags"] = [PARAMETER_NOTE_TAG]
            at = 1 if kept and kept[0].cell_type == "markdown" else 0
            kept.insert(at, note)
            changed = True
        if changed:
            nb.cells = kept
            nbformat.write(nb, path)
    return flagged


def locked_versions(constraints: str | os.PathLike | None = None):
    """Installed version of every package pinned in ``constraints.txt`` (``name==version``), and
    whether it matches. ``constraints``: the file; default the repository's (beside the current
    folder's parent, i.e. the repository root when run in ``notebooks/``, else beside the
    package's source tree). Returns a DataFrame with columns ``package``, ``locked``,
    ``installed`` ("not installed" when absent), ``match`` (bool), and ``attrs["path"]``: the file
    read (None when none was found: then the table is empty).
    """
    from importlib import metadata

    import pandas as pd

    if constraints is None:
        here = Path(__file__).resolve()
        candidates = [Path.cwd().parent / "constraints.txt", Path.cwd() / "constraints.txt",
                      here.parents[3] / "constraints.txt"]
        constraints = next((c for c in candidates if c.is_file()), None)
    rows = []
    if constraints is not None and Path(constraints).is_file():
        for line in Path(constraints).read_text(encoding="utf-8").splitlines():
            line = line.split("#", 1)[0].strip()
            name, sep, version = line.partition("==")
            if not sep:
                continue
            name, version = name.split("[", 1)[0].strip(), version.split(";", 1)[0].strip()
            try:
                installed = metadata.version(name)
            except metadata.PackageNotFoundError:
                installed = "not installed"
            rows.append({"package": name, "locked": version, "installed": installed,
                         "match": installed == version})
    df = pd.DataFrame(rows, columns=["package", "locked", "installed", "match"])
    df.attrs["path"] = str(Path(constraints).resolve()) if constraints is not None and Path(constraints).is_file() else None
    return df


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

    Returns ``{"source", "n_queries", "n_models", "sha256"}``; when ``routerlab.data.simulate`` is not
    available the digest is None and ``source`` says why.
    """
    try:
        from routerlab.data.simulate import simulate
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

    ``folder``: the source's folder; by default the one :func:`routerlab.data.sources.find` finds
    (searching ``data_dir`` when given), or else the first searched folder that holds at least one
    of its files (so that a partial copy is reported, not called missing). Returns ``{"name",
    "folder", "n_files", "n_ok", "bad", "sums_sha256"}``: ``n_ok`` of ``n_files`` pinned files
    have the expected SHA-256, ``bad`` lists the others (missing or altered), ``sums_sha256`` is
    the SHA-256 of the digest list itself (one hash naming the data). ``folder`` is None when no
    file of the source is on this machine.
    """
    import hashlib

    from importlib import resources

    from routerlab.data.sources import _base, find

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
    """:func:`source_verification` of every source of :func:`routerlab.data.sources.names`, in order."""
    from routerlab.data.sources import names

    return [source_verification(n, data_dir=data_dir) for n in names()]


def routellm_verification(folder: str | os.PathLike | None = None) -> dict:
    """:func:`source_verification` of the RouteLLM files (kept for older callers)."""
    return source_verification("routellm", folder=folder)


#: Parameters that have their own option (validated there); ``-p`` may not set them.
_OWN_OPTION = {"scale": "--scale", "n_seeds": "--seeds", "seed": "--seed", "data_dir": "--data-dir",
               "executed_dir": "--out-dir", "execution_log": "--log"}


def _parse_param(text: str) -> tuple[str, object]:
    import yaml

    name, sep, value = text.partition("=")
    if not sep or not name.isidentifier():
        raise RouterlabError(f"--param expects NAME=VALUE, got {text!r}")
    if name in _OWN_OPTION:
        raise RouterlabError(f"--param {name} is set by its own option; use {_OWN_OPTION[name]} instead")
    try:
        return name, yaml.safe_load(value)
    except yaml.YAMLError as exc:
        where = " ".join(str(getattr(exc, "problem", None) or exc).split())
        raise RouterlabError(f"--param {name}: {value!r} is not a YAML value ({where}); quote text, "
                             "e.g. -p name='\"a: b\"'") from None


def _main_verify(nb_dir: str, out_dir: str | None) -> int:
    try:
        problems = verify(nb_dir, out_dir)
        if not problems:
            check = parameter_check(out_dir or nb_dir, nb_dir)
    except RouterlabError as exc:
        print(f"bookrun: error: {exc}", file=sys.stderr)
        return 2
    if problems:
        for line in problems:
            print(f"bookrun: stale: {line}", file=sys.stderr)
        print(f"bookrun: --verify found {len(problems)} problem(s); the book is not built from "
              "these notebooks until they are fixed", file=sys.stderr)
        return 2
    print(f"bookrun: verified {len(check['notebooks'])} executed notebook(s) in {out_dir or nb_dir}: "
          f"{parameter_text(check['reference']) or 'no parameters'}; summary pages up to date",
          flush=True)
    return 0


def _say_if_no_data(data_dir) -> None:
    """One line on stdout when no real-data source is found in any searched folder."""
    from routerlab.data.sources import find, names

    if not any(find(n, data_dir) is not None for n in names()):
        print("bookrun: no real data found (the real-data pages will read n/a); fetch it with "
              "`make data` (routerlab data fetch), or pass --data-dir", flush=True)


def main(argv: list[str] | None = None) -> int:
    """Command line: ``python -m routerlab.book.run --scale S --seeds N [--only NAME ...]``."""
    parser = argparse.ArgumentParser(
        prog="python -m routerlab.book.run",
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
                             "notebook searches $ROUTERLAB_DATA_DIR, ../shared/data and "
                             "~/.cache/routerlab/data, where `make data` puts it)")
    parser.add_argument("--out-dir", default=None,
                        help="write executed notebooks here (default: beside their sources)")
    parser.add_argument("--notebooks", default="notebooks", help="notebooks folder (default notebooks)")
    parser.add_argument("--log", default=None,
                        help="execution log (default NOTEBOOKS/../_build/status/execution.json)")
    parser.add_argument("--keep-going", action="store_true",
                        help="run the remaining notebooks after a failure (exit status is still 1)")
    parser.add_argument("--heartbeat", type=float, default=HEARTBEAT_SECONDS, metavar="SECONDS",
                        help="print a 'still running' line this often while a notebook runs "
                             f"(default {HEARTBEAT_SECONDS:g}; 0: never)")
    parser.add_argument("--jobs", type=int, default=1, metavar="N",
                        help="chapters executed at a time, each in its own process (default 1); "
                             "the summary pages run last, one after the other")
    parser.add_argument("--verify", action="store_true",
                        help="execute nothing: check that every notebook of _toc.yml was executed "
                             "(in --out-dir, default beside the sources) without error, with the "
                             "same parameters, and that the summary pages are newer than the "
                             "chapters; exit 2 with one line per problem and the command to rerun")
    args = parser.parse_args(argv)
    if args.verify:
        return _main_verify(args.notebooks, args.out_dir)
    try:
        _say_if_no_data(args.data_dir)
        extra = dict(_parse_param(p) for p in args.param)
        return run_book(args.notebooks, scale=args.scale, n_seeds=args.seeds, seed=args.seed,
                        only=args.only, out_dir=args.out_dir, log_path=args.log, extra=extra,
                        with_status=not args.no_status, keep_going=args.keep_going,
                        data_dir=args.data_dir, echo=lambda *a, **k: print(*a, **k, flush=True),
                        heartbeat=args.heartbeat, jobs=args.jobs)
    except RouterlabError as exc:
        print(f"bookrun: error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
