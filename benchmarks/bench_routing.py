"""Timings for the routing protocol (``make bench``).

(a) Each registered policy's fit and route time on one 80/20 stratified split of RouterBench-Sim
    at scale 1.0 (54,000 training and 13,500 test queries x 6 models).
(b) Scoring one policy on all 405,000 outcomes (every row, scale 1.0): the vectorised code
    (``Routing.paid`` / ``returned_quality`` / ``rs_terms``) versus a per-instance Python loop
    written like the article's ``evaluate_routing_policy`` (a list of per-instance dicts, dict
    lookups per instance), both in this run; the ratio is reported, and the two scores must agree.
Also the peak resident memory of the process (``resource.getrusage``).

Prints a table and writes ``benchmarks/results/bench.json`` (git-ignored).

    python benchmarks/bench_routing.py                 # scale 1.0, every policy
    python benchmarks/bench_routing.py --scale 0.1 --routers random,mf
"""

from __future__ import annotations

import argparse
import json
import platform
import resource
import sys
import time
from pathlib import Path

import numpy as np

import routerlab as rl
from routerlab.cli import load_source
from routerlab.evaluation import policy_names, stratified_split
from routerlab.interchange import atomic_write
from routerlab.metrics import cost_range, rs_terms
from routerlab.routers import Routing

RESULTS = Path(__file__).resolve().parent / "results" / "bench.json"


def peak_memory_mb() -> float:
    """Peak resident set size of this process so far, MB (Linux reports KB)."""
    kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return kb / 1024 if sys.platform != "darwin" else kb / 2**20


def time_routers(bench, names, seed=0):
    """Fit/route seconds of every policy on one stratified 80/20 split."""
    tr, te = stratified_split(bench, 0.2, seed)
    train, test = bench.rows(tr), bench.rows(te)
    blind = test.without_truth()
    rows = []
    for name in names:
        opts = {"normalization": "global"} if name == "oub" else {}
        router = rl.make_router(name, seed=seed, **opts)
        t0 = time.perf_counter()
        router.fit(train)
        t1 = time.perf_counter()
        routing = router.route(test if router.uses_truth else blind)
        t2 = time.perf_counter()
        rs = rl.routing_score(routing.returned_quality(test.quality), routing.paid(test.cost), test.cost)
        rows.append({"policy": name, "fit_s": t1 - t0, "route_s": t2 - t1, "rs": rs})
        print(f"  {name:<28} fit {t1 - t0:8.3f} s   route {t2 - t1:8.3f} s   RS {rs:.4f}", flush=True)
    return rows, len(tr), len(te)


def score_vectorised(routing: Routing, quality, cost) -> float:
    """RS of ``routing`` from the arrays: what routerlab.evaluation does."""
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


def best_of(fn, repeats):
    best, value = np.inf, None
    for _ in range(repeats):
        t0 = time.perf_counter()
        value = fn()
        best = min(best, time.perf_counter() - t0)
    return best, value


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scale", type=float, default=1.0)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--data", default="sim", help="sim or an interchange table")
    ap.add_argument("--routers", default="all", help="comma list or 'all'")
    ap.add_argument("--repeats", type=int, default=3, help="repeats of the scoring timings (best of)")
    ap.add_argument("--out", default=str(RESULTS))
    args = ap.parse_args(argv)

    t0 = time.perf_counter()
    bench = load_source(args.data, args.scale, args.seed)
    load_s = time.perf_counter() - t0
    n, m = bench.quality.shape
    print(f"benchmark: {bench.name}{' [SIMULATED]' if bench.simulated else ''}, {n:,} queries x {m} models "
          f"= {n * m:,} outcomes, loaded/generated in {load_s:.2f} s")

    print("(a) fit and route on one stratified 80/20 split (seed 0):")
    names = policy_names(bench, args.routers)
    routers, n_train, n_test = time_routers(bench, names, args.seed)

    print(f"(b) scoring one policy (random) on all {n * m:,} outcomes:")
    routing = rl.make_router("random", seed=args.seed).fit(bench).route(bench)
    vec_s, vec_rs = best_of(lambda: score_vectorised(routing, bench.quality, bench.cost), args.repeats)
    t1 = time.perf_counter()
    instances = to_instances(bench)
    policy = LookupPolicy(bench, routing.choice)
    build_s = time.perf_counter() - t1
    loop_s, loop_rs = best_of(lambda: evaluate_routing_policy(policy, instances), args.repeats)
    if not np.isclose(vec_rs, loop_rs, rtol=0, atol=1e-9):
        raise SystemExit(f"vectorised RS {vec_rs!r} != loop RS {loop_rs!r}")
    ratio = loop_s / vec_s
    print(f"  vectorised {vec_s * 1e3:9.2f} ms   loop {loop_s * 1e3:9.2f} ms   ratio {ratio:7.1f}x   "
          f"(RS {vec_rs:.6f} both; building the dicts took {build_s:.2f} s, not timed)")
    del instances, policy

    peak = peak_memory_mb()
    print(f"peak resident memory: {peak:,.0f} MB")
    doc = {
        "benchmark": {"name": bench.name, "simulated": bool(bench.simulated), "scale": args.scale,
                      "seed": args.seed, "queries": n, "models": m, "outcomes": n * m,
                      "load_seconds": load_s},
        "split": {"train": n_train, "test": n_test},
        "routers": routers,
        "scoring": {"policy": "random", "outcomes": n * m, "vectorised_seconds": vec_s,
                    "loop_seconds": loop_s, "ratio": ratio, "rs": vec_rs, "repeats": args.repeats},
        "peak_memory_mb": peak,
        "python": platform.python_version(), "numpy": np.__version__, "machine": platform.machine(),
    }
    out = Path(args.out)
    atomic_write(out, lambda tmp: tmp.write_text(json.dumps(doc, indent=2) + "\n", encoding="utf-8"))
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
