"""The status page (``notebooks/99_status.py``): how each notebook of the book was executed and
with which parameters, the software that ran them (against ``constraints.txt``), the simulated
benchmarks the chapters ran on (by fingerprint) and the real sources found on this machine.

The facts come from :mod:`routerlab.book.run` (papermill's metadata, bookrun's log, digests);
this module lays them out. Times are seconds. Every ``*_values`` function returns ``{glue key:
value}`` for :func:`routerlab.chapters.summary_pages.glue_all`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Mapping

import pandas as pd
from IPython.display import HTML

from routerlab._version import __version__
from routerlab.book import run as bookrun
from routerlab.book.glue import formatted
from routerlab.book.tables import html_table

__all__ = ["execution", "against_book", "execution_table", "execution_values", "run_verdict",
           "versions_table", "software_values", "lock_values", "simulated_benchmarks",
           "simulated_values", "data_state", "real_data_values", "robustness_values"]

_EXECUTION_WIDTHS = {"notebook": "11.5em", "cells s": "4.3em", "wall s": "4.3em", "parameters": "8.5em",
                     "finished (UTC)": "7em", "status": "5em", "against the book": "8.5em"}


def execution(executed_dir: str | Path, execution_log: str | Path, sources_dir: str | Path = ".") -> dict:
    """``{"runs": bookrun.execution_table(...), "check": bookrun.parameter_check(...), "by_name":
    {stem: its row of check["notebooks"]}}`` for the executed notebooks of the book."""
    runs = bookrun.execution_table(executed_dir, execution_log, sources_dir=sources_dir)
    check = bookrun.parameter_check(executed_dir, sources_dir)
    return {"runs": runs, "check": check, "by_name": {r["notebook"]: r for r in check["notebooks"]}}


def against_book(ex: Mapping, name: str) -> str:
    """"as the book", or the parameters notebook ``name`` ran with unlike the book's reference
    and the command that reruns it with the reference."""
    r = ex["by_name"].get(name)
    if r is None or not r["differs"]:
        return "as the book"
    return ("OTHER: " + bookrun.parameter_text(r["differs"]) + "; rerun: "
            + bookrun.rerun_command([name], ex["check"]["reference"]))


def execution_table(ex: Mapping) -> HTML:
    """One row per executed notebook (:func:`execution`): cell and wall seconds, parameters, when
    it finished (UTC), status, and its parameters against the book's."""
    runs, by_name = ex["runs"], ex["by_name"]
    table = pd.DataFrame({
        "notebook": runs["notebook"],
        "cells s": runs["seconds"].map(lambda x: f"{x:.1f}"),
        "wall s": runs["wall_seconds"].map(lambda x: "—" if x != x else f"{x:.1f}"),
        "parameters": runs["notebook"].map(
            lambda n: bookrun.parameter_text(by_name[n]["parameters"]) if n in by_name else "—"),
        "finished (UTC)": runs["finished"].str.slice(5, 16).str.replace("T", " "),
        "status": runs["status"],
        "against the book": runs["notebook"].map(lambda n: against_book(ex, n)),
    })
    return HTML(html_table(table, css_class="rl-status", widths=_EXECUTION_WIDTHS))


def run_verdict(run_seconds: float | None, n_run: int, n_notebooks: int,
                target: float = bookrun.BOOK_SECONDS_TARGET) -> str:
    """How bookrun's last run (``n_run`` notebooks in ``run_seconds``) compares with the book's
    ``target`` seconds: "within", "OVER", a partial run (not more notebooks than the
    ``n_notebooks`` executed ones), or unknown (None)."""
    if run_seconds is None:
        return "unknown (bookrun's log records no complete run)"
    if n_run <= n_notebooks:
        return "a partial run, not comparable with"
    return "within" if run_seconds <= target else "OVER"


def execution_values(ex: Mapping, execution_log: str | Path, scale: float, n_seeds: int) -> dict:
    """Counts and times of the execution (``status_n_*``, ``status_total_*``), the reference
    parameters (``status_scale``, ``status_n_seeds``: ``scale``/``n_seeds`` when no chapter
    says), bookrun's last run against its target (``status_run_*``, ``status_target_minutes``)
    and the note on notebooks run with other parameters (``status_parameter_note``)."""
    runs, check = ex["runs"], ex["check"]
    reference, differing = check["reference"], check["differing"]
    total_seconds = float(runs["seconds"].sum()) if len(runs) else 0.0
    run = bookrun.last_run(execution_log) or {}
    run_seconds = run.get("seconds")
    return {
        "status_n_notebooks": len(runs),
        "status_n_chapters": int(check["n_chapters"]),
        "status_total_seconds": total_seconds,
        "status_total_minutes": total_seconds / 60,
        "status_n_failed": int((runs["status"] != "ok").sum()),
        "status_scale": float(reference.get("scale", scale)),
        "status_n_seeds": int(reference.get("n_seeds", n_seeds)),
        "status_n_differing": len(differing),
        "status_reference_text": bookrun.parameter_text(reference) or "none",
        "status_run_notebooks": formatted(len(run["notebooks"]) if run else None, "{:d}"),
        "status_run_jobs": formatted(run.get("jobs"), "{:d}"),
        "status_run_seconds": formatted(run_seconds, "{:.1f}"),
        "status_run_minutes": formatted(None if run_seconds is None else run_seconds / 60, "{:.1f}"),
        "status_target_minutes": formatted(bookrun.BOOK_SECONDS_TARGET / 60, "{:.0f}"),
        "status_run_verdict": run_verdict(run_seconds, len(run.get("notebooks", ())), len(runs)),
        "status_parameter_note": (
            "every notebook ran with the book's reference parameters" if not differing
            else "WARNING: " + "; ".join(f"{n} ran with {bookrun.parameter_text(ex['by_name'][n]['differs'])}"
                                         for n in differing)
            + ". Their numbers are not comparable with the rest of the book; the table gives the "
              "command that reruns each with the book's parameters"),
    }


def versions_table(versions: Mapping[str, str]) -> pd.DataFrame:
    """The installed versions (``bookrun.package_versions()``), one row per package."""
    return pd.Series(versions, name="version").rename_axis("package").to_frame()


def software_values(versions: Mapping[str, str], repo: str | Path = ".") -> dict:
    """The git commit of ``repo`` (``status_git_commit``), routerlab's and Python's versions."""
    return {"status_git_commit": bookrun.git_commit(repo), "status_routerlab_version": __version__,
            "status_python_version": versions["python"]}


def lock_values(constraints: str | Path | None = None) -> dict:
    """Installed against locked versions (``bookrun.locked_versions``): the table
    (``status_locked_table``, HTML), how many are locked and mismatched, and a note."""
    locked = bookrun.locked_versions(constraints)
    mismatched = locked.loc[~locked["match"]]
    shown = locked.assign(match=locked["match"].map({True: "yes", False: "NO: MISMATCH"}))
    return {
        "status_locked_table": HTML(html_table(shown, nowrap=["package"], css_class="rl-status")),
        "status_n_locked": len(locked),
        "status_n_lock_mismatch": len(mismatched),
        "status_lock_note": (
            "no constraints.txt was found, so the versions cannot be compared with the lock"
            if locked.attrs["path"] is None else
            "every installed version is the locked one" if mismatched.empty else
            "WARNING: installed versions differ from the lock for "
            + ", ".join(f"{r.package} ({r.installed}, locked {r.locked})" for r in mismatched.itertuples())
            + "; numbers may differ from a build with the locked versions (reinstall: "
              "`.venv/bin/pip install -c constraints.txt -e '.[book,test]'`)"),
    }


def simulated_benchmarks(check: Mapping, executed_dir: str | Path, scale: float, seed: int):
    """The simulated benchmarks the chapters ran on: ``({(scale, seed): [chapter stems]}, the
    reference key)``, from the parameters papermill recorded (a chapter's declared default seed
    when none was injected); the reference (the book's parameters, else ``scale``/``seed``) is
    listed with no chapter when no chapter ran on a simulated benchmark."""
    reference = check["reference"]
    used: dict = {}
    for r in check["notebooks"]:
        p = r["parameters"]
        if r["summary"] or "scale" not in p:
            continue
        sim_seed = p.get("seed")
        if sim_seed is None:
            sim_seed = bookrun.declared_parameters(f"{executed_dir}/{r['notebook']}.ipynb").get("seed", 0)
        used.setdefault((float(p["scale"]), int(sim_seed or 0)), []).append(r["notebook"])
    ref_key = (float(reference.get("scale", scale)), int(reference.get("seed", seed) or 0))
    if not used:
        used[ref_key] = []
    return used, ref_key


def simulated_values(check: Mapping, executed_dir: str | Path, scale: float, seed: int) -> dict:
    """The fingerprint (SHA-256 of quality and cost) of every simulated benchmark the chapters
    ran on (``status_sim_table``, HTML, the reference first) and of the reference one
    (``status_sim_*``)."""
    used, ref_key = simulated_benchmarks(check, executed_dir, scale, seed)
    digests = {key: bookrun.simulated_data_digest(*key) for key in sorted(used, key=lambda k: k != ref_key)}
    table = pd.DataFrame([{
        "scale": f"{key[0]:g}", "seed": key[1], "chapters": ", ".join(used[key]) or "—",
        "queries x models": f"{d['n_queries']:,} x {d['n_models']}",
        "SHA-256": d["sha256"] or "not computed"} for key, d in digests.items()])
    sim = digests.get(ref_key) or next(iter(digests.values()))
    return {"status_sim_table": HTML(html_table(table, css_class="rl-status")),
            "status_sim_source": sim["source"], "status_sim_queries": sim["n_queries"],
            "status_sim_models": sim["n_models"], "status_sim_sha256": sim["sha256"] or "not computed",
            "status_sim_n_benchmarks": len(digests)}


def data_state(r: Mapping) -> str:
    """One real source's state (``r``: :func:`bookrun.source_verification`) in words."""
    if r["folder"] is None:
        return "not found on this machine"
    if r["bad"]:
        return f"found, but {len(r['bad'])} file(s) missing or altered: " + ", ".join(r["bad"][:5])
    return "found, every file verified"


def real_data_values(data_dir=None) -> dict:
    """Every real source checked against its shipped digests (``status_data_table``, HTML), how
    many were found verified, which are missing, and each one's state (``status_real_*``)."""
    checks = bookrun.data_verification(data_dir)
    table = pd.DataFrame([{
        "source": r["name"], "state": data_state(r), "folder": r["folder"] or "—",
        "files matching their digest": f"{r['n_ok']} of {r['n_files']}",
        "digest list SHA-256": r["sums_sha256"][:16] + "…"} for r in checks])
    missing = [r["name"] for r in checks if r["folder"] is None or r["bad"]]
    values = {"status_data_table": HTML(html_table(table, nowrap=["source"], css_class="rl-status")),
              "status_real_n_sources": len(checks),
              "status_real_n_verified": sum(r["folder"] is not None and not r["bad"] for r in checks),
              "status_real_missing": "none" if not missing else ", ".join(missing)
              + " (the chapters show their real-data numbers as n/a and say so)"}
    for r in checks:
        values[f"status_real_state_{r['name'].replace('-', '_')}"] = data_state(r)
    return values


def embedding_values(results: str | Path, data_dir=None) -> dict:
    """The one-time cost of chapter 11's sentence embeddings, for the page: ``status_embed_text``.

    ``results``: ``benchmarks/results/encoder.json`` (written by ``make bench``: the encoder's and
    TF-IDF's texts per second, measured in one run). The cost is the number of distinct questions
    of the router chapters' real sources (:data:`routerlab.data.sources.ROUTER_SOURCES`, whole)
    divided by the measured speed; whether the encoder is installed and how many of those
    questions this build's embedding cache already holds are stated too.
    """
    import json

    import numpy as np

    from routerlab.data import sources
    from routerlab.routing import encoders

    path = Path(results)
    if not path.is_file():
        return {"status_embed_text": f"no encoder measurement in this build ({path.name} is missing; `make bench` writes it)."}
    r = json.loads(path.read_text(encoding="utf-8")).get("ratios", {}).get("encoder", {})
    speed = r.get("encoder_texts_per_second")
    if not speed:
        return {"status_embed_text": "the last `make bench` did not measure the encoder: " + str(r.get("skipped", "not installed"))}
    texts = []
    for name in sources.ROUTER_SOURCES:
        if sources.find(name, data_dir) is not None:
            texts.extend(np.asarray(sources.load(name, data_dir).prompts, dtype=object).tolist())
    distinct = len(set(map(str, texts)))
    cached = encoders.cached_count(texts)
    try:
        encoders.model_folder()
        installed = "installed"
    except Exception:  # noqa: BLE001 - any reason the package cannot be found: say it is absent
        installed = "not installed (make minilm installs it, about 1.2 GB with the CPU build of torch)"
    return {"status_embed_text": (
        f"{r['encoder']} embeds {speed:.0f} questions per second on this machine ({r.get('torch_threads', 1)} "
        f"torch thread; TF-IDF + SVD: {r['tfidf_texts_per_second']:.0f} per second, {r['ratio']:.0f} times "
        f"faster; measured by `make bench` on {r.get('origin', 'real prompts')}), so embedding the "
        f"{distinct:,} distinct questions of the real sources once takes about {distinct / speed / 60:.0f} "
        f"minutes; later builds read them from the cache. In this build the encoder is {installed} and the "
        f"embedding cache holds {cached:,} of those {distinct:,} questions.")}


def robustness_values(corpus: list[dict] | None = None) -> dict:
    """The corpus of bad command-line inputs (:mod:`routerlab.book.bad_inputs`) counted by class
    and outcome: ``status_bad_table`` (HTML), ``status_bad_n_cases``, ``status_bad_n_classes``,
    ``status_bad_n_error``, ``status_bad_n_warning`` and ``status_bad_outcomes`` (the outcomes in
    words). ``corpus``: the cases (default: the package's corpus)."""
    from routerlab.book import bad_inputs

    table = bad_inputs.counts(corpus)
    for o in bad_inputs.OUTCOMES:
        if o not in table.columns:
            table.insert(len(table.columns) - 1, o, 0)
    shown = table.reset_index().rename(columns={"error": "one-line error", "warning": "result + warning"})
    return {"status_bad_table": HTML(html_table(shown, css_class="rl-status")),
            "status_bad_n_cases": int(table["cases"].sum()), "status_bad_n_classes": int(len(table)),
            "status_bad_n_error": int(table["error"].sum()), "status_bad_n_warning": int(table["warning"].sum()),
            "status_bad_outcomes": "; ".join(f"{o}: {text}" for o, text in bad_inputs.OUTCOMES.items())}
