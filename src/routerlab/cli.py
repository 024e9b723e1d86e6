"""The ``routerlab`` command line: simulate, convert, info, validate, evaluate, sweep, fit, route, data,
export, report.

    routerlab simulate --scale 1.0 --seed 0 --out sim.parquet
    routerlab info --data sim --scale 0.1
    routerlab validate my_table.csv
    routerlab evaluate --data sim --routers all --seeds 5 --normalization global --json out.json
    routerlab sweep --data sim --routers mf,knn --seeds 3 --set knn.k=5,10,40 --n-jobs -1 --out sweep.csv
    routerlab fit --data routerbench-subset --router mf --seed 0 --out mf.rlr
    routerlab route --router mf.rlr --prompt "What is 2 + 2?" [--prompts FILE] [--json]
    routerlab data fetch [SOURCE ...] [--data-dir DIR] [--from DIR_OR_URL]; routerlab data status
    routerlab export --data routerbench-subset --format routerbench --out rb.parquet
    routerlab report --data my_outcomes.csv --out my_report

``fit`` trains one router and saves it (:mod:`routerlab.routing.saved`); ``route`` loads it and, per
prompt, prints the chosen model and each model's predicted success, expected cost (USD) and
predicted RS contribution.

``--data`` (SOURCE) is ``sim`` (RouterBench-Sim with ``--scale``/``--seed``), the name of a real-data
source (``routerlab.data.sources.names()``: ``routellm``, ``routerbench-subset``, ...; found under
``--data-dir``, the data root, else ``$ROUTERLAB_DATA_DIR``, else ``../shared/data`` beside the
project, every file SHA-256-checked) or a file: an interchange table (.csv or .parquet, see
:mod:`routerlab.data.interchange`), a CSV in RouterBench's own layout (``<model>|total_cost`` columns and no
``.meta.json`` sidecar; see :mod:`routerlab.data.routerbench_layout`), or a RouterBench pickle read only with
``--trust-pickle SHA256`` (``routerlab convert`` turns one into Parquet once). Every error -- a bad
argument, an unknown name, an out-of-range number, a missing folder or file, a file whose digest does
not match -- prints one line ``routerlab: error: <message>`` on stderr and exits with status 2; output
files are written atomically, so a failed run leaves nothing half-written. An output file must be
in an existing folder and must not be an input of the run (the same path, a link to it, or the
table's sidecar): :func:`routerlab.data.files.check_output`.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Sequence

from routerlab.data.catalog import MAX_SCALE
from routerlab.errors import RouterlabError, check_range

__all__ = ["main", "build_parser", "load_source", "input_files"]

PROG = "routerlab"


class _UsageError(Exception):
    """An argparse error, reported as one line."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # one line instead of usage + message
        raise _UsageError(message.splitlines()[0] if message else "bad arguments")


def _positive_float(name, hi=None):
    def parse(text: str) -> float:
        try:
            return check_range(name, text, 0, hi, lo_open=True)
        except RouterlabError as exc:
            raise argparse.ArgumentTypeError(str(exc)) from None
    parse.__name__ = name
    return parse


def _int_at_least(name, lo):
    def parse(text: str) -> int:
        try:
            v = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{name} must be an integer, got {text!r}") from None
        if v < lo:
            raise argparse.ArgumentTypeError(f"{name} = {v} is out of range; it must be >= {lo}")
        return v
    parse.__name__ = name
    return parse


def _source_names() -> tuple[str, ...]:
    """The real-data source names for the help text (a broken source module must not stop
    ``simulate``: loading it reports the error)."""
    try:
        from routerlab.data import sources

        return sources.names()
    except Exception:  # noqa: BLE001 - only the help text depends on it
        return ("see routerlab.data.sources.names()",)


def _add_source(p: argparse.ArgumentParser, required: bool = True) -> None:
    p.add_argument("--data", required=required, default="sim", metavar="SOURCE",
                   help="'sim' (simulated RouterBench), a real-data source ("
                        + ", ".join(_source_names()) + ") or a file: .csv/.parquet interchange table, "
                        "RouterBench .csv/.parquet, or .pkl with --trust-pickle")
    p.add_argument("--scale", type=_positive_float("scale", MAX_SCALE), default=1.0,
                   help=f"simulated benchmark size in (0, {MAX_SCALE}]; 1.0 = 67,500 queries (with --data sim)")
    p.add_argument("--seed", type=_int_at_least("seed", 0), default=0,
                   help="simulator seed (with --data sim)")
    p.add_argument("--data-dir", default=None, metavar="DIR",
                   help="the data root holding one folder per source (or that source's own folder); "
                        "default $ROUTERLAB_DATA_DIR, else ../shared/data beside the project")
    p.add_argument("--download", action="store_true",
                   help="allow fetching a source's pinned files if no local copy exists (routellm)")
    p.add_argument("--trust-pickle", default=None, metavar="SHA256",
                   help="read a RouterBench .pkl (pickles can run code): only if its SHA-256 is this")
    p.add_argument("--prices", default=None, metavar="FILE",
                   help="per-token prices (CSV model,price_in,price_out, USD per 1M tokens) for models the "
                        "data carries none for; only policies that route on an expected cost need them")


def _n_jobs(text: str) -> int:
    try:
        v = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"n-jobs must be an integer, got {text!r}") from None
    if v == 0:
        raise argparse.ArgumentTypeError("n-jobs must not be 0; give -1 (all cores), 1 (in process) or N workers")
    return v


_n_jobs.__name__ = "n-jobs"


def _add_parallel(p: argparse.ArgumentParser, default_jobs: int) -> None:
    p.add_argument("--n-jobs", type=_n_jobs, default=default_jobs, metavar="N",
                   help=f"parallel workers (-1 = all cores, 1 = in process; default {default_jobs}); at most "
                        "this machine's cores (any number with --backend dask), never more than tasks")
    p.add_argument("--backend", default="loky", choices=["loky", "threading", "dask"],
                   help="joblib backend; dask runs on the cluster at --scheduler (pip install 'routerlab[scale]')")
    p.add_argument("--scheduler", default=None, metavar="ADDRESS",
                   help="Dask scheduler address for --backend dask, e.g. tcp://127.0.0.1:8786")


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of ``routerlab`` (errors raise instead of exiting)."""
    parser = _Parser(prog=PROG, description="RouterBench companion: simulate a benchmark, inspect it, "
                                            "evaluate routing policies.")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    sub.required = True

    p = sub.add_parser("simulate", help="write RouterBench-Sim as an interchange table (CSV or Parquet)")
    p.add_argument("--scale", type=_positive_float("scale", MAX_SCALE), default=1.0,
                   help=f"in (0, {MAX_SCALE}]; 1.0 = 67,500 queries x 6 models = 405,000 outcomes")
    p.add_argument("--seed", type=_int_at_least("seed", 0), default=0)
    p.add_argument("--out", required=True, help="output file, .csv (plus .meta.json) or .parquet")

    p = sub.add_parser("convert", help="convert a RouterBench pickle to Parquet once (hash checked first)")
    p.add_argument("pickle", help="routerbench_0shot.pkl or routerbench_5shot.pkl")
    p.add_argument("--trust-pickle", required=True, metavar="SHA256",
                   help="the pickle's expected SHA-256; it is verified before unpickling")
    p.add_argument("--out", required=True, help="the .parquet file to write")

    p = sub.add_parser("info", help="print models, datasets, sizes, accuracies, mean costs")
    _add_source(p)
    p.add_argument("--stream", action="store_true",
                   help="read a .parquet/.csv interchange table in batches (bounded memory, for tables "
                        "larger than RAM) and also print fixed policies, bounds and AIQ")
    p.add_argument("--batch-rows", type=_int_at_least("batch-rows", 1), default=None, metavar="N",
                   help="rows per batch with --stream (default 65,536)")
    p.add_argument("--json", default=None, metavar="OUT",
                   help="with --stream: also write the summary as JSON to this file")

    p = sub.add_parser("validate", help="list every problem of a table file (exit 2 if any)")
    p.add_argument("file", metavar="FILE", help="an interchange .csv/.parquet or a RouterBench-layout table")
    p.add_argument("--limit", type=_int_at_least("limit", 1), default=50, help="problems to list at most")

    p = sub.add_parser("evaluate", help="evaluate routing policies under the train/test protocol")
    _add_source(p)
    p.add_argument("--routers", default="all",
                   help="comma-separated policy names (random, round-robin, fixed:<model>, oub, qoub, "
                        "coub, learned routers) or 'all'")
    p.add_argument("--router-module", action="append", default=[], metavar="FILE.py:CLASS",
                   help="also evaluate your own router class (repeatable; or the name of an entry point of "
                        "the group routerlab.routers). This IMPORTS AND RUNS THAT FILE. The router must pass the "
                        "blindness test; it is shown beside the zero router, dataset-best and the oracle")
    p.add_argument("--seeds", type=_int_at_least("seeds", 1), default=5, help="number of seeds (0..N-1)")
    p.add_argument("--normalization", default="global", choices=["global", "per-query"])
    p.add_argument("--split", default="stratified", choices=["stratified", "random", "none"])
    p.add_argument("--test-size", type=float, default=0.2, help="share of queries in the test set")
    p.add_argument("--bootstrap", type=_int_at_least("bootstrap", 0), default=1000,
                   help="bootstrap resamples of the test queries (0 = none)")
    p.add_argument("--reference", default=None, help="model for the cost reduction (default: most expensive)")
    p.add_argument("--cache-dir", default=None, help="reuse results stored here for identical inputs")
    p.add_argument("--json", default=None, metavar="OUT",
                   help="also write the results as JSON to this file (its folder must exist)")
    p.add_argument("--timings", action="store_true",
                   help="include fit/route seconds in the JSON (they differ between runs)")
    p.add_argument("--quiet", action="store_true", help="no progress bar (there is none when stderr is not a terminal)")
    _add_parallel(p, default_jobs=1)

    p = sub.add_parser("sweep", help="score routers x seeds x option grids in parallel (one task each)")
    _add_source(p)
    p.add_argument("--routers", required=True, help="comma-separated policy names, e.g. mf,knn,mlp")
    p.add_argument("--seeds", type=_int_at_least("seeds", 1), default=3, help="number of seeds (0..N-1)")
    p.add_argument("--router-module", action="append", default=[], metavar="FILE.py:CLASS",
                   help="also sweep your own router class with its defaults (repeatable; as for evaluate: "
                        "this IMPORTS AND RUNS THAT FILE, and the router must pass the blindness test)")
    p.add_argument("--set", action="append", default=[], metavar="ROUTER.OPTION=V1,V2",
                   help="values of one router option to sweep, e.g. knn.k=5,10,40 (repeat for a grid)")
    p.add_argument("--normalization", default="global", choices=["global", "per-query"])
    p.add_argument("--split", default="stratified", choices=["stratified", "random", "none"])
    p.add_argument("--test-size", type=float, default=0.2, help="share of queries in the test set")
    p.add_argument("--out", default=None, metavar="FILE", help="also write every row to .csv, .parquet or .json")
    p.add_argument("--quiet", action="store_true", help="no progress bar (there is none when stderr is not a terminal)")
    _add_parallel(p, default_jobs=-1)

    p = sub.add_parser("fit", help="fit one router and save it to a .rlr file (routerlab route serves it)")
    _add_source(p)
    p.add_argument("--router", required=True, help="router name, e.g. mf, seq-cls, knn (see routerlab evaluate)")
    p.add_argument("--train-share", type=float, default=None, metavar="SHARE",
                   help="fit on this share of the rows (the evaluation's stratified split, seeded by "
                        "--seed) and report RS on the rest; default: fit on every row")
    p.add_argument("--features", default="auto", choices=["auto", "tfidf", "given"],
                   help="query features: auto = TF-IDF + SVD of the prompts when the data has prompts "
                        "and no features (as evaluate does), else the data's own; tfidf; given")
    p.add_argument("--out", required=True, help="the router file to write (.rlr)")

    p = sub.add_parser("route", help="route prompts with a saved router: chosen model, per-model "
                                     "predicted success, expected cost and predicted RS")
    p.add_argument("--router", required=True, metavar="FILE", help="a .rlr file written by routerlab fit")
    p.add_argument("--prompt", action="append", default=None, help="a prompt (repeat for several)")
    p.add_argument("--prompts", default=None, metavar="FILE", help="UTF-8 text file, one prompt per line")
    p.add_argument("--dataset", default=None,
                   help="the training dataset the prompts come from (default: unknown -- the one-hot "
                        "code is all zeros and the answer length is each model's overall training mean)")
    p.add_argument("--models", default=None, metavar="NAMES",
                   help="comma-separated model list the router must have been fitted on (else an error)")
    p.add_argument("--threshold", default=None, metavar="T",
                   help="also show the article's fan-out: every model with predicted RS >= T (in [0, 1]), "
                        "at least the best one")
    p.add_argument("--cap", type=_int_at_least("cap", 1), default=None,
                   help="with --threshold: call at most this many models per prompt")
    p.add_argument("--json", action="store_true", help="print JSON instead of tables")

    p = sub.add_parser("data", help="fetch the real data from the pinned commits it comes from, or show "
                                    "what is present (routerlab data fetch | status)")
    actions = p.add_subparsers(dest="data_action", metavar="ACTION", parser_class=_Parser)
    actions.required = True
    for action, text in (("fetch", "download every file of SOURCE (default: all), SHA-256-checked, resumable"),
                         ("status", "per source and file: verified, corrupt, missing (or present)")):
        q = actions.add_parser(action, help=text)
        q.add_argument("sources", nargs="*", metavar="SOURCE", help="default: every source")
        q.add_argument("--data-dir", default=None, metavar="DIR",
                       help="the data root; default $ROUTERLAB_DATA_DIR, else ~/.cache/routerlab/data")
    q.add_argument("--no-verify", action="store_true", help="say present without checking the SHA-256")
    q = actions.choices["fetch"]
    q.add_argument("--from", dest="mirror", default=None, metavar="DIR_OR_URL",
                   help="a mirror: a folder laid out like the data root, or a base URL (URL/<source>/<file>)")
    q.add_argument("--quiet", action="store_true", help="no progress bar")

    p = sub.add_parser("export", help="write any source as an interchange table or in RouterBench's own wide "
                                      "layout (CSV or Parquet by the suffix of --out)")
    _add_source(p)
    p.add_argument("--format", required=True, choices=["interchange", "routerbench"],
                   help="interchange: every column routerlab has; routerbench: RouterBench's columns only")
    p.add_argument("--out", required=True, metavar="FILE", help="the .csv or .parquet file to write")

    p = sub.add_parser("report", help="the book's analyses that apply to any benchmark, as one self-contained "
                                      "HTML page (index.html) with its numbers as JSON and CSV")
    _add_source(p)
    p.add_argument("--out", required=True, metavar="DIR",
                   help="a new or empty folder, or an earlier report's folder (replaced)")
    p.add_argument("--seeds", type=_int_at_least("seeds", 2), default=3, help="train/test splits (0..N-1)")
    p.add_argument("--label", default=None, help="the data's name on the page (default: the benchmark's name)")
    p.add_argument("--cache-dir", default=None, help="reuse evaluations stored here for identical inputs")
    p.add_argument("--quiet", action="store_true", help="no progress lines on stderr")
    return parser


def load_source(data: str, scale: float = 1.0, seed: int = 0, data_dir: str | None = None,
                download: bool = False, trust_pickle: str | None = None):
    """The :class:`~routerlab.data.benchmark.Benchmark` named by a ``--data`` SOURCE.

    SOURCE: ``sim``; a name of :func:`routerlab.data.sources.names` (read from ``data_dir``, the data
    root or the source's folder; ``download`` lets a source that can fetch its pinned files do
    so); or a file: a RouterBench pickle (.pkl, read only with ``trust_pickle`` = its expected
    SHA-256), the Parquet that ``routerlab convert`` made from one, a CSV in RouterBench's layout
    (:func:`routerlab.data.routerbench_layout.is_routerbench_csv`), or an interchange table (.csv/.parquet).
    """
    if data == "sim":
        from routerlab.data.simulate import simulate

        return simulate(scale=scale, seed=seed)
    from routerlab.data import sources

    names = sources.names()
    if data in names:
        mod = sources.module(data)
        if hasattr(mod, "fetch"):  # a source that can also use (and fill) a download cache
            return mod.fetch(data_dir, download=download)
        return sources.load(data, data_dir)
    path = Path(data)
    suffix = path.suffix.lower()
    if suffix not in (".csv", ".parquet", ".pkl") and not path.exists():
        raise RouterlabError(f"unknown data source {data!r}; choose sim, one of {', '.join(names)}, "
                             "or the path of a .csv/.parquet/.pkl file")
    if suffix == ".pkl":
        if not trust_pickle:
            raise RouterlabError(f"{data} is a pickle, which can run code when loaded; pass "
                                 "--trust-pickle <its SHA-256> to read it, or convert it once with "
                                 "'routerlab convert'")
        from routerlab.data.routerbench_layout import load_routerbench

        return load_routerbench(path, trust_pickle=True, sha256=trust_pickle)
    if suffix == ".parquet" and _is_converted_routerbench(path):
        from routerlab.data.routerbench_layout import load_routerbench

        return load_routerbench(path)
    from routerlab.data.routerbench_layout import is_routerbench_csv

    if is_routerbench_csv(path):
        from routerlab.data.routerbench_layout import load_routerbench

        return load_routerbench(path)
    from routerlab.data.interchange import read_table

    return read_table(data)


def input_files(data: str | None, data_dir: str | None = None) -> list[Path]:
    """The paths a run reads for the ``--data`` SOURCE ``data`` (as :func:`load_source` reads them),
    none of which an output may overwrite: a file and its ``.meta.json`` sidecar; a real-data
    source's pinned files in the folder found, and that folder (``export`` writes nothing inside it,
    ``report`` never replaces it; none when it is not found: loading fails then); nothing for ``sim``."""
    if data is None or data == "sim":
        return []
    from routerlab.data import sources
    from routerlab.data.files import sidecar_path

    if data in sources.names():
        folder = sources.find(data, data_dir)
        return [] if folder is None else [folder / rel for rel in sources.module(data).files()] + [Path(folder)]
    return [Path(data), sidecar_path(data)]


def _is_converted_routerbench(path: Path) -> bool:
    """True for a Parquet written by ``routerlab convert`` (it records the pickle's digest)."""
    import pyarrow.parquet as pq

    if not path.is_file():
        return False
    try:
        meta = pq.read_schema(path).metadata or {}
    except Exception:  # not readable as Parquet: read_table reports it properly
        return False
    return b"routerlab_source_sha256" in meta


def _priced(bench, args):
    """``bench`` with the prices of ``--prices FILE`` (if given) for the models it lists."""
    if getattr(args, "prices", None) is None:
        return bench
    from dataclasses import replace

    from routerlab.data.catalog import apply_prices, read_price_file

    return replace(bench, models=apply_prices(bench.models, read_price_file(args.prices)))


def _cmd_validate(args) -> int:
    from routerlab.data.table_check import validate_file

    problems, total, summary = validate_file(args.file, limit=args.limit)
    if not total:
        print(f"ok: {summary}")
        return 0
    for line in problems:
        print(" ".join(line.split()))
    if total > len(problems):
        print(f"... and {total - len(problems):,} more problem(s) (--limit {args.limit})")
    print(f"{PROG}: error: {args.file}: {total:,} problem(s)", file=sys.stderr)
    return 2


def _output(args, value: str, option: str, suffixes, companions=(), inputs=None) -> Path:
    """``value`` checked as an output of this run (:func:`routerlab.data.files.check_output`): its
    suffix, its folder exists, and it is none of the run's input files."""
    from routerlab.data.files import check_output

    if inputs is None:
        inputs = input_files(getattr(args, "data", None), getattr(args, "data_dir", None))
    return check_output(value, option, suffixes, inputs, companions)


def _cmd_simulate(args) -> int:
    from routerlab.data.interchange import SUFFIXES, _suffix, write_table

    _suffix(Path(args.out))  # unsupported suffix -> error before the (slow) simulation
    out = _output(args, args.out, "--out", SUFFIXES, companions=(".meta.json",))
    bench = load_source("sim", args.scale, args.seed)
    write_table(bench, out)
    print(f"wrote {bench.n_queries:,} queries x {bench.n_models} models to {out}")
    return 0


def _cmd_convert(args) -> int:
    from routerlab.data.routerbench_layout import convert_to_parquet

    out = _output(args, args.out, "--out", [".parquet"], inputs=[args.pickle])
    convert_to_parquet(args.pickle, out, sha256=args.trust_pickle)
    print(f"wrote {out}; read it with --data {out}")
    return 0


def _cmd_info_stream(args) -> int:
    import json

    from routerlab.data.interchange import atomic_write
    from routerlab.data.streaming import DEFAULT_BATCH_ROWS, summarize

    if Path(args.data).suffix.lower() not in (".parquet", ".csv"):
        raise RouterlabError(f"--stream reads a .parquet/.csv interchange table; {args.data!r} is not one "
                             "(drop --stream, or write the table first with 'routerlab simulate --out')")
    out = _output(args, args.json, "--json", [".json"]) if args.json else None
    from routerlab.data.routerbench_layout import is_routerbench_file

    if is_routerbench_file(args.data):  # read with RouterBench's rules, which need the whole table
        raise RouterlabError(f"--stream reads an interchange table, and {args.data!r} is in RouterBench's own layout "
                             "(no .meta.json sidecar); drop --stream, or write a sidecar holding {} to read it "
                             "as an interchange table")
    summary = summarize(args.data, batch_rows=args.batch_rows or DEFAULT_BATCH_ROWS)
    print(summary.describe())
    if out is not None:
        text = json.dumps(summary.to_dict(), indent=2) + "\n"
        atomic_write(out, lambda tmp: tmp.write_text(text, encoding="utf-8"))
        print(f"wrote {out}")
    return 0


def _cmd_info(args) -> int:
    if args.stream:
        return _cmd_info_stream(args)
    if args.batch_rows is not None or args.json is not None:
        raise RouterlabError("--batch-rows and --json of 'info' need --stream")
    bench = _priced(load_source(args.data, args.scale, args.seed, args.data_dir, args.download,
                                args.trust_pickle), args)
    print(bench.describe())
    return 0


def _own_routers(args) -> list:
    """The routers of ``--router-module`` (a missing file or class fails before the data loads);
    with any, the work runs in this process: workers cannot import a module loaded from a file."""
    if not args.router_module:
        return []
    from routerlab.routing.user import user_router

    own = [user_router(spec, seed=0) for spec in args.router_module]
    if args.n_jobs != 1 or args.backend != "loky":
        print("note: --router-module runs every task in this process (--n-jobs 1)", file=sys.stderr)
        args.n_jobs, args.backend, args.scheduler = 1, "loky", None
    return own


def _cmd_evaluate(args) -> int:
    import math

    from routerlab.evaluation.protocol import evaluate, policy_names

    check_range("--test-size", args.test_size, 0.0, 1.0, lo_open=True, hi_open=True)
    from routerlab.evaluation.parallel import check_n_jobs

    check_n_jobs(args.n_jobs, args.backend)
    out = _output(args, args.json, "--json", [".json"]) if args.json else None
    own = _own_routers(args)
    bench = _priced(load_source(args.data, args.scale, args.seed, args.data_dir, args.download,
                                args.trust_pickle), args)
    names = policy_names(bench, args.routers)  # unknown names fail before any work
    from routerlab.routing.routers import require_policy_prices

    require_policy_prices(bench.models, names)
    if own:
        from routerlab.evaluation.own_routers import YARDSTICKS

        names = names + [y for y in YARDSTICKS if y not in names]
    if "all" in [x.strip() for x in args.routers.split(",")] and bench.confidence is None:
        print("note: no response confidences in this benchmark, so 'all' leaves out the cascades",
              file=sys.stderr)
    if "all" in [x.strip() for x in args.routers.split(",")] and not all(
            math.isfinite(m.price_in) and math.isfinite(m.price_out) for m in bench.models):
        print("note: a model has no per-token price, so 'all' leaves out the routers that need one "
              "(give them with --prices FILE)", file=sys.stderr)
    res = evaluate(bench, names + own, seeds=range(args.seeds), normalization=args.normalization,
                   split=args.split, test_size=args.test_size, bootstrap=args.bootstrap,
                   reference=args.reference, cache_dir=args.cache_dir,
                   progress=not args.quiet and sys.stderr.isatty(), n_jobs=args.n_jobs,
                   backend=args.backend, scheduler=args.scheduler)
    if out is not None:
        res.to_json(out, timings=args.timings)
    summ = res.summary()[["rs", "quality", "mean_cost", "cost_reduction"]]
    summ.columns = ["RS", "quality", "mean est. cost $" if bench.cost_estimated else "mean cost $",
                    "cost reduction"]
    label = (" [SIMULATED]" if bench.simulated else "") + (" [ESTIMATED COST]" if bench.cost_estimated else "")
    print(f"{bench.name}{label}: {len(res.seeds)} seed(s), split {args.split}, normalization {args.normalization}")
    print(summ.to_string(float_format=lambda x: f"{x:.4g}"))
    if own:
        from routerlab.evaluation.own_routers import baseline_comparison

        print("\nyour router(s), blind to the test truth, beside the yardsticks (zero router = the hull of the "
              "single models at the same mean cost):")
        print(baseline_comparison(res, bench, [r.name for r in own]).to_string(float_format=lambda x: f"{x:.4g}"))
    if out is not None:
        print(f"wrote {out}")
    return 0


def _cmd_sweep(args) -> int:
    from routerlab.evaluation.protocol import policy_names
    from routerlab.evaluation.parallel import check_n_jobs
    from routerlab.evaluation.sweeps import check_backend, parse_setting, sweep, write_sweep

    check_range("--test-size", args.test_size, 0.0, 1.0, lo_open=True, hi_open=True)
    check_backend(args.backend, args.scheduler)
    check_n_jobs(args.n_jobs, args.backend)
    settings: dict[str, dict] = {}
    for text in args.set:
        router, option, values = parse_setting(text)
        if option in settings.setdefault(router, {}):
            raise RouterlabError(f"--set {router}.{option} is given twice; list all its values in one --set")
        settings[router][option] = values
    names = [x.strip() for x in args.routers.split(",") if x.strip()]
    from routerlab.routing.routers import make_router, require_policy_prices

    for router, grid in settings.items():  # unknown router or option -> error before loading the data
        make_router(router, **{k: v[0] for k, v in grid.items()})
    out = _output(args, args.out, "--out", [".csv", ".parquet", ".json"]) if args.out else None
    own = _own_routers(args)
    bench = _priced(load_source(args.data, args.scale, args.seed, args.data_dir, args.download,
                                args.trust_pickle), args)
    names = policy_names(bench, names) if names else []
    require_policy_prices(bench.models, names)
    names = names + own
    df = sweep(bench, names, range(args.seeds), settings, n_jobs=args.n_jobs, backend=args.backend,
               scheduler=args.scheduler, normalization=args.normalization, split=args.split,
               test_size=args.test_size, progress=not args.quiet and sys.stderr.isatty())
    label = (" [SIMULATED]" if bench.simulated else "") + (" [ESTIMATED COST]" if bench.cost_estimated else "")
    print(f"{bench.name}{label}: {len(df)} task(s), {args.seeds} seed(s), split {args.split}, "
          f"normalization {args.normalization}; mean over seeds:")
    summ = (df.groupby(["policy", "setting"], sort=False)[["rs", "quality", "mean_cost", "calls_per_query",
                                                            "fit_seconds"]].mean())
    summ["rs_sd"] = df.groupby(["policy", "setting"], sort=False)["rs"].std(ddof=1)
    summ = summ[["rs", "rs_sd", "quality", "mean_cost", "calls_per_query", "fit_seconds"]]
    summ.columns = ["RS", "RS sd", "quality", "mean est. cost $" if bench.cost_estimated else "mean cost $",
                    "calls/query", "fit s"]
    print(summ.to_string(float_format=lambda x: f"{x:.4g}"))
    if out is not None:
        write_sweep(df, out)
        print(f"wrote {out}")
    return 0


def _cmd_fit(args) -> int:
    from routerlab.routing.saved import FILE_SUFFIX, fit_router, save_router
    from routerlab.routing.routers import make_router

    out = _output(args, args.out, "--out", [FILE_SUFFIX])
    if args.train_share is not None:
        check_range("--train-share", args.train_share, 0.0, 1.0, lo_open=True, hi_open=True)
    probe = make_router(args.router, seed=args.seed)  # unknown name -> error before loading data
    bench = _priced(load_source(args.data, args.scale, args.seed, args.data_dir, args.download,
                                args.trust_pickle), args)
    from routerlab.routing.routers import require_policy_prices

    require_policy_prices(bench.models, [args.router])
    router, train, pipeline, test_rows = fit_router(bench, args.router, seed=args.seed, features=args.features,
                                                    train_share=args.train_share)
    creation = {"data": args.data, "scale": args.scale if args.data == "sim" else None, "seed": args.seed,
                "rows": "all" if args.train_share is None else
                f"stratified split, train share {args.train_share:g}, seed {args.seed}",
                "train_rows": int(train.n_queries), "features": args.features}
    save_router(router, out, train, features=pipeline, creation=creation)
    label = (" [SIMULATED]" if bench.simulated else "") + (" [ESTIMATED COST]" if bench.cost_estimated else "")
    feats = ("none (prompt length and dataset only)" if train.features is None else
             f"TF-IDF + SVD of the prompts, {train.features.shape[1]} dimensions (saved)" if pipeline is not None
             else f"the data's own, {train.features.shape[1]} dimensions (raw text cannot be routed)")
    print(f"fitted {router.name} (seed {args.seed}) on {train.n_queries:,} of {bench.n_queries:,} queries x "
          f"{bench.n_models} models of {bench.name}{label}")
    print(f"features: {feats}")
    if len(test_rows):
        from routerlab.metrics import routing_score

        test = bench.rows(test_rows)
        if pipeline is not None:
            from dataclasses import replace

            test = replace(test, features=pipeline.transform(test.prompts))
        routing = router.route(test)
        paid = routing.paid(test.cost)
        rs = routing_score(routing.returned_quality(test.quality), paid, test.cost)
        print(f"held-out {test.n_queries:,} queries: RS {rs:.4f}, quality "
              f"{routing.returned_quality(test.quality).mean():.4f}, mean cost ${paid.mean():.4g}")
    servable = not getattr(probe, "uses_truth", False) and hasattr(router, "predict_proba")
    hint = (f"; route with: routerlab route --router {out} --prompt \"...\""
            if servable and (pipeline is not None or train.features is None) else "")
    print(f"wrote {out} ({out.stat().st_size:,} bytes){hint}")
    if not servable:
        print(f"note: {router.name!r} makes no success predictions, so routerlab route cannot serve it "
              "(load it with routerlab.routing.saved.load_router)", file=sys.stderr)
    return 0


def _cmd_route(args) -> int:
    import json

    from routerlab.routing.saved import load_router, read_prompt_file, route_prompts

    if not args.prompt and args.prompts is None:
        raise RouterlabError("give --prompt TEXT or --prompts FILE")
    prompts = list(args.prompt or [])
    if args.prompts is not None:
        prompts += read_prompt_file(args.prompts)
    if any(not p.strip() for p in prompts):
        raise RouterlabError("--prompt is empty; give the text of a prompt")
    expected = None if args.models is None else [x.strip() for x in args.models.split(",") if x.strip()]
    calls = None
    if args.threshold is not None:
        from routerlab.routing.fanout import check_threshold, fanout_calls

        threshold = check_threshold(args.threshold)
    elif args.cap is not None:
        raise RouterlabError("--cap needs --threshold (the fan-out threshold)")
    router, meta = load_router(args.router, expected_models=expected)
    res = route_prompts(router, meta, prompts, dataset=args.dataset)
    models = res["models"]
    if args.threshold is not None:
        calls = fanout_calls(res["rs"], threshold, args.cap)
    if args.json:
        rows = []
        for i, text in enumerate(res["prompts"]):
            rows.append({"prompt": text, "prompt_tokens": int(res["prompt_tokens"][i]),
                         "chosen": str(res["chosen"][i]),
                         "models": [{"model": mo, "p_success": float(res["p_success"][i, j]),
                                     "expected_cost_usd": float(res["expected_cost"][i, j]),
                                     "predicted_rs": float(res["rs"][i, j])} for j, mo in enumerate(models)]})
            if calls is not None:
                rows[-1]["fan_out"] = [mo for j, mo in enumerate(models) if calls[i, j]]
        doc = {"router": meta["router"]["name"], "file": str(args.router), "dataset": res["dataset"],
               "normalisation": "expected cost scaled by the training cost range "
                                f"[{router.cost_min_:.6g}, {router.cost_max_:.6g}] USD, clipped to [0, 1]",
               "prompts": rows}
        print(json.dumps(doc, indent=1))
        return 0
    import pandas as pd

    print(f"router {meta['router']['name']} from {args.router} (trained on {meta['training']['name']}, "
          f"{meta['training']['n_queries']:,} queries); dataset: {res['dataset']}; predicted RS = "
          f"p x (1 - expected cost scaled by the training range [{router.cost_min_:.4g}, {router.cost_max_:.4g}] $)")
    for i, text in enumerate(res["prompts"]):
        short = " ".join(text.split())
        short = short if len(short) <= 70 else short[:67] + "..."
        print(f"\nprompt {i + 1} ({int(res['prompt_tokens'][i]):,} tokens): {short}")
        print(f"chosen: {res['chosen'][i]}")
        if calls is not None:
            print(f"fan-out (predicted RS >= {threshold:g}): " + ", ".join(
                mo for j, mo in enumerate(models) if calls[i, j]))
        table = pd.DataFrame({"p(success)": res["p_success"][i], "expected cost $": res["expected_cost"][i],
                              "predicted RS": res["rs"][i]}, index=models)
        table.index = [("* " if j == res["choice"][i] else "  ") + mo for j, mo in enumerate(models)]
        print(table.to_string(float_format=lambda x: f"{x:.4g}"))
    return 0


def _cmd_data(args) -> int:
    from routerlab.data.sources import _fetch

    if args.data_action == "status":
        print(_fetch.format_status(_fetch.status(args.sources, args.data_dir, verify=not args.no_verify),
                                   args.data_dir))
        return 0
    _fetch.fetch(args.sources, args.data_dir, mirror=args.mirror,
                 progress=not args.quiet and sys.stderr.isatty())
    return 0


def _cmd_export(args) -> int:
    from routerlab.data import export as ex

    out = Path(args.out)
    inputs = input_files(args.data, args.data_dir)
    ex.check_output(out, args.format, inputs)  # a bad --out fails before loading the data
    bench = load_source(args.data, args.scale, args.seed, args.data_dir, args.download, args.trust_pickle)
    ex.export(bench, args.format, out, inputs)
    print(f"wrote {bench.n_queries:,} queries x {bench.n_models} models of {bench.name} to {out} ({args.format})")
    return 0


def _cmd_report(args) -> int:
    from routerlab.chapters import report

    out = Path(args.out)
    inputs = input_files(args.data, args.data_dir)
    report.check_out_dir(out, inputs)  # a bad --out fails before loading the data
    bench = load_source(args.data, args.scale, args.seed, args.data_dir, args.download, args.trust_pickle)
    echo = (lambda s: None) if args.quiet else (lambda s: print(s, file=sys.stderr, flush=True))
    page = report.run(bench, out, label=args.label, n_seeds=args.seeds, inputs=inputs, cache_dir=args.cache_dir,
                      echo=echo)
    print(f"wrote {page} (open it in a browser; the numbers are in {out / 'report.json'})")
    return 0


_COMMANDS = {"validate": _cmd_validate, "simulate": _cmd_simulate, "convert": _cmd_convert, "info": _cmd_info,
             "evaluate": _cmd_evaluate, "sweep": _cmd_sweep, "fit": _cmd_fit, "route": _cmd_route}
_COMMANDS.update(data=_cmd_data, export=_cmd_export, report=_cmd_report)


def _fail(message: str) -> int:
    line = " ".join(str(message).split()) or "failed"
    print(f"{PROG}: error: {line}", file=sys.stderr)
    return 2


class _Terminated(BaseException):
    """SIGTERM arrived: unwinds like Ctrl-C, so partial output files are removed."""


def _catch_sigterm():
    """Turn SIGTERM into :class:`_Terminated` while a command runs (main thread only); returns the
    previous handler to restore, or None."""
    import signal
    import threading

    if threading.current_thread() is not threading.main_thread():
        return None

    def handler(signum, frame):
        raise _Terminated()

    return signal.signal(signal.SIGTERM, handler)


def _out_of_memory(args) -> str:
    if hasattr(args, "scale") and getattr(args, "data", "sim") == "sim":
        return (f"out of memory simulating --scale {args.scale:g}; try a smaller --scale (memory grows "
                "linearly with it) or run where more memory is allowed")
    return "out of memory; try a smaller table (or 'routerlab info --stream' to summarise a large one)"


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``routerlab`` with ``argv`` (default: ``sys.argv[1:]``); return the exit status."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except _UsageError as exc:
        return _fail(str(exc))
    except SystemExit as exc:  # --help / --version
        return int(exc.code or 0)
    previous = _catch_sigterm()
    try:
        return _COMMANDS[args.command](args)
    except _Terminated:  # SIGTERM (e.g. `timeout`): the writes' cleanup has run on the way out
        print(f"{PROG}: terminated (SIGTERM); a file being written was removed, the old one kept", file=sys.stderr)
        return 128 + 15
    except RouterlabError as exc:
        return _fail(str(exc))
    except BrokenPipeError:  # e.g. `routerlab info | head`: the reader left; not an error
        import os

        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())  # no second error when Python flushes stdout
        return 0
    except MemoryError:
        return _fail(_out_of_memory(args))
    except ImportError as exc:
        return _fail(f"a part of routerlab is missing ({exc}); reinstall the package")
    except FileNotFoundError as exc:
        return _fail(f"file not found: {exc.filename or exc}")
    except (OSError, ValueError) as exc:
        return _fail(f"{type(exc).__name__}: {exc}")
    finally:
        if previous is not None:
            import signal

            signal.signal(signal.SIGTERM, previous)
