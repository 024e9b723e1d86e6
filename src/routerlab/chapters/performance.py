"""The performance appendix (``notebooks/95_performance.py``): the measurements ``make bench``
wrote (``benchmarks/results/growth.json``, made by ``benchmarks/bench_growth.py``) as tables,
a figure and glue values, and two of its speed ratios measured live while the page is built.

Times are wall seconds, memory is MB (peak resident set of one fresh process per cell), sizes
are outcomes (queries x models). Every ``*_values`` function returns ``{glue key: value}`` for
:func:`routerlab.chapters.summary_pages.glue_all`; without the measurement file (``doc`` None)
its numbers read "n/a".
"""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pandas as pd
from IPython.display import HTML

from routerlab.book import plots
from routerlab.book.glue import formatted
from routerlab.book.tables import html_table
from routerlab.data.simulate import simulate

__all__ = ["STAGE_TEXT", "LIVE_HULL_SIZES", "load_benchmark_script", "read_results", "status_values",
           "growth_table", "growth_values", "plot_stage_growth", "flag_values", "hull_text",
           "ratio_values", "live_values"]

#: The timed stages of bench_growth.py, in pipeline order, as the page names them.
STAGE_TEXT = {"generate": "generate", "write": "write Parquet", "read": "read Parquet",
              "summarize": "streamed summary", "evaluate": "evaluate (all)", "aiq": "AIQ study"}
#: Random point sets of the live hull ratio (points per set).
LIVE_HULL_SIZES = (50, 100, 200)
_GROWTH_WIDTHS = {"stage": "8.5em", "scale": "3.5em", "seconds": "5.5em", "peak MB": "4.5em",
                  "added MB": "4.5em", "exponent time / MB": "6em", "note": "12em"}


def load_benchmark_script(path: str | Path = "../benchmarks/bench_growth.py"):
    """The growth benchmark script as a module (its reference hull and scoring loop are reused)."""
    spec = importlib.util.spec_from_file_location("bench_growth", Path(path))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def read_results(path: str | Path) -> dict | None:
    """The document ``make bench`` wrote at ``path``, or None when there is none."""
    path = Path(path)
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else None


def status_values(doc: dict | None, results: str) -> dict:
    """``perf_status``: which machine, commit and software measured ``doc``, or that the file
    ``results`` was not found."""
    if doc is None:
        return {"perf_status": f"The measurement file {results} was NOT found in this build, so the tables "
                "and the figure of the measured run are empty and their numbers read n/a. Run make bench "
                "(about 20 minutes on 2 cores) to write it."}
    mach = doc["machine"]
    return {"perf_status": f"Measured by make bench on {mach['date'][:10]} at commit {str(mach['commit'])[:10]}"
            + (" (with uncommitted changes)" if mach.get("dirty") else "")
            + f", on {mach['cpu']} ({mach['cores']} cores, {mach['ram_mb'] / 1024:.0f} GB RAM, {mach['os']}); "
            f"Python {mach['python']}, NumPy {mach['numpy']}, pyarrow {mach['pyarrow']}, joblib {mach['joblib']}; "
            "written to benchmarks/results/growth.json, which is committed with the code it measured."}


def _exponent(e: dict, key: str) -> str:
    return "" if e.get(key) is None else f"{e[key]:.2f}"


def growth_table(doc: dict) -> pd.DataFrame:
    """One row per (stage, scale), in stage then scale order: seconds, peak and added MB, the
    growth exponents of time and added memory from the previous scale, a note; a skipped cell
    reads "skipped" with the reason (the projected peak) in the note."""
    exps = {(e["stage"], e["to_scale"]): e for e in doc["exponents"]}
    rows = []
    for c in doc["cells"]:
        e = exps.get((c["stage"], c["scale"]), {})
        rows.append({"stage": STAGE_TEXT.get(c["stage"], c["stage"]), "scale": f"{c['scale']:g}",
                     "seconds": f"{c['seconds']:,.2f}", "peak MB": f"{c['peak_mb']:,.0f}",
                     "added MB": f"{c['increment_mb']:,.0f}",
                     "exponent time / MB": (f"{_exponent(e, 'time')} / {_exponent(e, 'memory')}" if e else ""),
                     "note": "benchmark built in chunks" if c.get("chunked_cache") else "",
                     "_order": (list(STAGE_TEXT).index(c["stage"]), c["scale"])})
    for s in doc["skips"]:
        if "policy" in s:
            continue
        rows.append({"stage": STAGE_TEXT.get(s["stage"], s["stage"]), "scale": f"{s['scale']:g}",
                     "seconds": "skipped", "peak MB": "", "added MB": "", "exponent time / MB": "",
                     "note": s["reason"].replace("projected peak memory", "projected peak"),
                     "_order": (list(STAGE_TEXT).index(s["stage"]), s["scale"])})
    return pd.DataFrame(rows).sort_values("_order").drop(columns="_order")


def growth_values(doc: dict | None) -> dict:
    """The scales measured (``perf_scales``), the largest stage's outcomes (``perf_max_outcomes``),
    the cells skipped (``perf_n_skipped``) and :func:`growth_table` as HTML (``tbl_perf_growth``;
    the note column only when a row has a note)."""
    if doc is None:
        table = pd.DataFrame({"stage": [], "note": []})
        values = {"perf_scales": "n/a", "perf_max_outcomes": "n/a", "perf_n_skipped": "n/a"}
    else:
        table = growth_table(doc)
        values = {"perf_scales": ", ".join(f"{s:g}" for s in doc["parameters"]["scales"]),
                  "perf_max_outcomes": f"{int(pd.DataFrame(doc['cells'])['outcomes'].max()):,}",
                  "perf_n_skipped": sum("policy" not in s for s in doc["skips"])}
    if "note" in table and not table["note"].astype(bool).any():
        table = table.drop(columns="note")
    values["tbl_perf_growth"] = HTML(html_table(
        table, widths={c: w for c, w in _GROWTH_WIDTHS.items() if c in table.columns}, css_class="rl-perf"))
    return values


def plot_stage_growth(ax, doc: dict | None) -> None:
    """Wall time (s) of each stage against the outcomes on ``ax`` (log-log, one line per stage),
    or a "not found" note without ``doc``."""
    if doc is None or not doc["cells"]:
        plots.plot_data_not_found(ax, "benchmarks/results/growth.json not found: run make bench")
        return
    measured = pd.DataFrame(doc["cells"])
    plots.plot_growth(ax, measured.assign(stage=measured["stage"].map(STAGE_TEXT)),
                      order=[STAGE_TEXT[s] for s in STAGE_TEXT if s in set(measured["stage"])],
                      ylabel="wall time of the stage (s, log scale)")


def flag_values(doc: dict | None) -> dict:
    """The superlinear threshold (``perf_threshold``), the flagged policies (``perf_n_flags``,
    ``tbl_perf_flags``: policy, phase, exponent, reason) and the policies left out at a scale
    (``perf_policy_skips``)."""
    if doc is None:
        flags = pd.DataFrame({"policy": [], "reason": []})
        values = {"perf_threshold": "n/a", "perf_n_flags": "n/a", "perf_policy_skips": "n/a"}
    else:
        flags = pd.DataFrame(doc["flags"], columns=["policy", "phase", "exponent", "reason"])
        flags["exponent"] = flags["exponent"].map("{:.2f}".format)
        values = {"perf_threshold": f"{doc['parameters']['superlinear_threshold']:g}",
                  "perf_n_flags": len(flags),
                  "perf_policy_skips": "; ".join(f"{s['policy']} at scale {s['scale']:g} ({s['reason']})"
                                                 for s in doc["skips"] if "policy" in s) or "none"}
    values["tbl_perf_flags"] = HTML(html_table(flags, widths={"reason": "30em"}, css_class="rl-perf-flags"))
    return values


def hull_text(rows: list[dict], key: str) -> str:
    """``key`` of the random point sets of ``rows`` (bench_growth's hull ratios), "12, 345", or
    "n/a" when there is none."""
    rnd = [r for r in rows if r["points"].startswith("random")]
    return ", ".join(f"{r[key]:,.0f}" for r in rnd if key in r) or "n/a"


def ratio_values(doc: dict | None) -> dict:
    """The three ratios of the measured run: scoring (``perf_score_outcomes``, ``perf_score_ratio``),
    hull and AIQ (``perf_hull_ratios``, ``perf_rb_ratios``, ``perf_hull_sizes``), parallel seeds
    (``perf_par_ratio``, ``perf_par_cores``, ``perf_par_grid``)."""
    ratios = (doc or {}).get("ratios", {})
    sc, hr, par = ratios.get("scoring"), ratios.get("hull", []), ratios.get("parallel") or {}
    return {
        "perf_score_outcomes": formatted(sc and sc["outcomes"], "{:,}"),
        "perf_score_ratio": formatted(sc and sc["ratio"], "{:,.0f}"),
        "perf_hull_ratios": hull_text(hr, "ratio"),
        "perf_rb_ratios": hull_text(hr, "routerbench_ratio"),
        "perf_hull_sizes": ", ".join(str(r["n"]) for r in hr if r["points"].startswith("random")) or "n/a",
        "perf_par_ratio": formatted(par.get("ratio"), "{:.2f}"),
        "perf_par_cores": formatted(par.get("cores"), "{:d}"),
        "perf_par_grid": (f"{len(par['routers'].split(','))} policies x {len(par['seeds'])} seeds on "
                          f"{par['queries']:,} queries, via {par['via']}" if "ratio" in par
                          else par.get("skipped", "n/a")),
    }


def live_values(bg, scale: float, seed: int) -> dict:
    """Two ratios measured now, with ``bg`` (:func:`load_benchmark_script`) on the simulated
    benchmark at ``scale``: the per-instance loop against the vectorised score, and the
    brute-force hull (and RouterBench's) against ``ndch`` + ``aiq`` on :data:`LIVE_HULL_SIZES`
    random points; and the machine (``live_*``, ``perf_live_sizes``)."""
    bench = simulate(scale=scale, seed=seed)
    here = bg.machine()
    score = bg.scoring_ratio(bench, seed)
    hull = bg.hull_ratios(list(LIVE_HULL_SIZES), None, seed)
    return {
        "live_machine": f"{here['cpu']} ({here['cores']} cores, {here['ram_mb'] / 1024:.0f} GB RAM), "
                        f"Python {here['python']}, NumPy {here['numpy']}",
        "live_scale": f"{scale:g}",
        "live_outcomes": f"{score['outcomes']:,}",
        "live_score_ratio": formatted(score["ratio"], "{:,.0f}"),
        "live_score_ratio_value": float(score["ratio"]),  # for the tests' ranges
        "live_hull_ratio_max": float(max(r["ratio"] for r in hull)),
        "live_hull_ratios": hull_text(hull, "ratio"),
        "live_rb_ratios": hull_text(hull, "routerbench_ratio"),
        "perf_live_sizes": ", ".join(str(r["n"]) for r in hull),
    }
