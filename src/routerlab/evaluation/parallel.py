"""Running a list of tasks in parallel: joblib on this machine's cores, or a Dask cluster.

:func:`run_tasks` runs ``fn(task)`` for a list of tasks through :class:`joblib.Parallel`: in
this process (``n_jobs=1``), on this machine's cores (``backend="loky"`` processes or
``"threading"``), or on a Dask cluster (``backend="dask"`` with ``scheduler`` =
``tcp://host:8786``; needs ``pip install 'routerlab[scale]'``). Results come back in task order.
"""

from __future__ import annotations

import contextlib
import os
from typing import Callable, Iterable

import numpy as np

from routerlab.errors import RouterlabError, check_choice

__all__ = ["BACKENDS", "CONNECT_TIMEOUT", "check_backend", "check_n_jobs", "cpu_cores", "worker_count", "run_tasks"]


BACKENDS = ("loky", "threading", "dask")
#: Seconds to wait for a Dask scheduler before giving up with a one-line error.
CONNECT_TIMEOUT = 5.0
_SCALE_HINT = "pip install 'routerlab[scale]'"


def check_backend(backend: str, scheduler: str | None) -> str:
    """``backend`` if it is one of :data:`BACKENDS` and ``scheduler`` fits it, else a one-line error."""
    check_choice("backend", backend, BACKENDS)
    if backend == "dask" and not scheduler:
        raise RouterlabError("backend 'dask' needs a scheduler address (scheduler= or --scheduler), e.g. "
                             "tcp://127.0.0.1:8786; start one with 'dask scheduler' and 'dask worker ADDRESS'")
    if backend != "dask" and scheduler:
        raise RouterlabError(f"a scheduler address is only used with backend 'dask', not {backend!r}")
    return backend


def cpu_cores() -> int:
    """The cores this process may run on (its CPU affinity where the system reports one)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


def check_n_jobs(n_jobs, backend: str = "loky") -> int:
    """``n_jobs`` if it is a nonzero integer and, unless ``backend`` is ``"dask"`` (the cluster
    decides), at most :func:`cpu_cores` (``-1`` = all cores, ``-2`` = all but one, ...); else one line."""
    if isinstance(n_jobs, bool) or not isinstance(n_jobs, (int, np.integer)) or n_jobs == 0:
        raise RouterlabError(f"n_jobs = {n_jobs!r} must be a nonzero integer (-1 = all cores, 1 = in process)")
    cores = cpu_cores()
    if backend != "dask" and not -cores <= n_jobs <= cores:
        raise RouterlabError(f"n-jobs = {int(n_jobs)} is more than the {cores} core(s) of this machine; give "
                             f"1..{cores} or -1 (all cores), or run on a cluster with --backend dask --scheduler ADDRESS")
    return int(n_jobs)


def worker_count(n_jobs: int, n_tasks: int) -> int:
    """Workers started for ``n_tasks`` tasks: ``n_jobs`` (negative: cores + 1 + n_jobs, as joblib
    counts) capped at :func:`cpu_cores` and at ``n_tasks``, at least 1."""
    cores = cpu_cores()
    want = n_jobs if n_jobs > 0 else cores + 1 + n_jobs
    return int(max(1, min(want, cores, n_tasks)))


@contextlib.contextmanager
def _dask_client(scheduler: str):
    """A :class:`distributed.Client` connected to ``scheduler`` (closed on exit)."""
    try:
        from distributed import Client
    except ImportError:
        raise RouterlabError(f"backend 'dask' needs dask and distributed; {_SCALE_HINT}") from None
    try:
        client = Client(scheduler, timeout=CONNECT_TIMEOUT, set_as_default=False)
    except Exception as exc:  # noqa: BLE001 - refused, timed out, malformed address
        reason = " ".join(str(exc).split())[:120] or type(exc).__name__
        raise RouterlabError(f"cannot reach the Dask scheduler at {scheduler!r} within {CONNECT_TIMEOUT:g} s "
                             f"({reason}); check the address and that 'dask scheduler' is running") from None
    try:
        yield client
    finally:
        client.close()


def _thread_limits() -> dict[str, int]:
    """The thread counts of this process's BLAS and OpenMP libraries, by user API."""
    import scipy.linalg  # noqa: F401 - load SciPy's BLAS too, so that it is counted
    from threadpoolctl import threadpool_info

    out: dict[str, int] = {}
    for lib in threadpool_info():
        out[lib["user_api"]] = max(out.get(lib["user_api"], 1), int(lib["num_threads"]))
    return out


class _WithThreadLimits:
    """``fn`` called with the BLAS/OpenMP thread counts ``limits`` (those of the calling process).

    Some numerical results depend on the number of BLAS threads (a randomised SVD of text
    features differs by ~1e-5 between one and two threads), and loky and Dask start their
    workers with one thread per library. A task therefore runs with the caller's counts, so its
    numbers are those of the same task run in the caller's process. Keeps ``fn``'s name, which
    names the task batches on a Dask dashboard.
    """

    def __init__(self, fn: Callable, limits: dict[str, int]):
        self.fn, self.limits = fn, limits
        self.__name__ = getattr(fn, "__name__", None) or getattr(getattr(fn, "func", None), "__name__", "task")

    def __call__(self, *args):
        import scipy.linalg  # noqa: F401 - load SciPy's BLAS before limiting, so the limit reaches it
        from threadpoolctl import threadpool_limits

        with threadpool_limits(limits=self.limits):
            return self.fn(*args)


def run_tasks(fn: Callable, tasks: Iterable, *, n_jobs: int = -1, backend: str = "loky",
              scheduler: str | None = None, progress: bool = False, common=None,
              desc: str = "tasks") -> list:
    """``[fn(task) for task in tasks]`` through :class:`joblib.Parallel`, in task order.

    ``n_jobs``: workers (-1 = all cores, 1 = in this process, no pickling), never more than
    this machine's cores nor than tasks (:func:`worker_count`); ``backend``: ``"loky"``
    (processes), ``"threading"`` or ``"dask"`` (the cluster whose scheduler listens at
    ``scheduler``, e.g. ``tcp://127.0.0.1:8786``; it decides the parallelism, so ``n_jobs`` is not
    used). ``common``: if not None, every call is ``fn(common, task)`` and ``common`` (e.g. the
    benchmark) is sent once: loky memory-maps its numpy arrays larger than 1 MB, Dask broadcasts
    it to every worker before the tasks start. ``progress``: a bar on stderr advanced as results
    arrive (in task order). Errors raised by ``fn`` reach the caller with their own type and message.

    Every task runs with the BLAS and OpenMP thread counts of the calling process (loky and Dask
    start their workers with one thread), so the process backends give the numbers of
    ``n_jobs=1``. The threading backend shares one process whose thread limits the predictive
    routers switch while they fit (:func:`routerlab.routing.predictive.single_thread`), so where tasks
    compute text features (real prompts) its numbers can differ in the last digits; use loky or
    Dask there.
    """
    import joblib
    from tqdm import tqdm

    check_backend(backend, scheduler)
    if isinstance(n_jobs, bool) or not isinstance(n_jobs, (int, np.integer)) or n_jobs == 0:
        raise RouterlabError(f"n_jobs = {n_jobs!r} must be a nonzero integer (-1 = all cores, 1 = in process)")
    tasks = list(tasks)
    n_jobs = worker_count(int(n_jobs), len(tasks))
    call = _WithThreadLimits(fn, _thread_limits())
    calls = (joblib.delayed(call)(task) if common is None else joblib.delayed(call)(common, task) for task in tasks)
    with contextlib.ExitStack() as stack:
        if backend == "dask":
            client = stack.enter_context(_dask_client(scheduler))
            # broadcast ``common`` to every worker once: 4-10x faster than joblib's automatic
            # scatter of large arguments (one worker, then copies on demand) for a 76 MB benchmark
            scatter = [] if common is None else [common]
            stack.enter_context(joblib.parallel_config(backend="dask", client=client, scatter=scatter))
            parallel = joblib.Parallel(return_as="generator")
        else:
            parallel = joblib.Parallel(n_jobs=int(n_jobs), backend=backend, return_as="generator")
        bar = stack.enter_context(tqdm(total=len(tasks), desc=desc, unit="task", disable=not progress,
                                       leave=False))
        out = []
        for result in parallel(calls):
            out.append(result)
            bar.update(1)
    return out
