"""Chapter 09, "Does the simulator tell the truth?": the real sources this build has, the
pre-registered findings and their rules, what the chapters measured, and the verdict of every
(finding, real source) pair as tables, glue values and the verdict grid.

The verdicts come from :mod:`routerlab.reproduction.findings` (rules in ``findings.yaml``); this
module only lays them out for the page. Every function returning a dict returns ``{glue key:
value}`` for :func:`routerlab.chapters.summary_pages.glue_all`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Mapping

import pandas as pd
from IPython.display import HTML

from routerlab.book import style
from routerlab.book.plots import plot_verdict_grid
from routerlab.book.run import parameter_text
from routerlab.book.tables import html_table
from routerlab.chapters.summary_pages import other_parameters_note, papermill_parameters
from routerlab.data import sources
from routerlab.data.sources._base import candidate_folders
from routerlab.reproduction import findings as simcheck

__all__ = ["finding_sources", "real_sources", "rules", "chapters_table", "truth", "grid_figsize",
           "plot_verdicts", "counts_table"]


def finding_sources() -> list[str]:
    """The real sources the findings are measured on, in order of first mention."""
    return list(dict.fromkeys(s for fd in simcheck.findings() for s in fd["real"]))


def _source_text(name: str, bench, data_dir) -> str:
    if bench is None:
        looked = [str(f) for f in candidate_folders(name, data_dir)]
        return "NOT FOUND (looked in " + ", ".join(looked) + ")"
    n, m = bench.quality.shape
    graded = simcheck.graded_cells(bench.quality)
    return (f"found: {n:,} queries x {m} models, {len(bench.dataset_names)} datasets, "
            + ("estimated cost (list prices x token counts)" if bench.cost_estimated else "real per-query cost")
            + (f", graded quality on {graded:,} of {n * m:,} cells" if graded else ", quality 0/1 on every cell"))


def real_sources(scale: float, data_dir, min_per_dataset: int) -> tuple[dict, list[str]]:
    """Which real sources this build has, their size at the chapters' ``scale`` and whether their
    quality is 0/1: the glue values ``src_<name>`` (one line each), ``sources_missing_text`` and
    ``graded_sources_text`` (the sources with graded quality, or that none has), and the missing
    names."""
    values, missing, graded = {}, [], []
    for name in finding_sources():
        bench = sources.load_for_book(name, scale=scale, seed=0, data_dir=data_dir,
                                      min_per_dataset=min_per_dataset)
        values["src_" + name.replace("-", "_")] = _source_text(name, bench, data_dir)
        if bench is not None and simcheck.graded_cells(bench.quality):
            graded.append(name)
        if bench is not None and name in sources.ROUTER_SHARE:
            sub = sources.load_for_routers(name, scale, data_dir)
            values["src_" + name.replace("-", "_")] += (f"; the router chapters (03, 07, 11) use a stratified "
                                                         f"subsample of {sub.n_queries:,} queries")
        if bench is None:
            missing.append(name)
    values["sources_missing_text"] = (
        "Every real source was found." if not missing else
        "Missing: " + ", ".join(missing) + ". Every finding measured on "
        + ("it" if len(missing) == 1 else "them")
        + " is \"not measurable\" below (real value \"not measured\", note \"data folder not "
          "found\"); put the folder(s) under the data root (--data-dir, $ROUTERLAB_DATA_DIR or "
          "../shared/data beside the project) and rebuild.")
    values["graded_sources_text"] = (
        "graded quality (some scores between 0 and 1) on " + ", ".join(graded) if graded else
        "no real source found in this build has graded quality: every score is 0 or 1, where the "
        "identities below hold by their proof, so none can be measured as a finding on real data")
    return values, missing


def _rules_commit_text(history: Mapping) -> str:
    if history["added_commit"] is None:
        return "whose git history is not available in this build"
    later = history["n_later_commits"]
    return (f"added in commit {history['added_commit'][:7]} ({history['added_date']})"
            + (", unchanged since" if later == 0 else f", changed by {later} later commit(s) since "
               "(listed below; in full: `git log --follow -p -- src/routerlab/reproduction/findings.yaml`)")
            + ("; the working copy that built this page has uncommitted changes to it"
               if history["uncommitted"] else ""))


def _history_table(history: Mapping) -> HTML:
    """The later commits that changed findings.yaml (date, commit, message), oldest first."""
    later = pd.DataFrame([{"date": c["date"], "commit": c["commit"][:7], "message": c["subject"]}
                          for c in history.get("later") or ()], columns=["date", "commit", "message"])
    if later.empty:
        return HTML("<p><em>No later commit changed the file.</em></p>")
    return HTML(html_table(later, css_class="rl-history", font_size="0.8em",
                           widths={"date": "6em", "commit": "5em", "message": "40em"}))


def rules(repo_root: str | Path) -> dict:
    """Where the rules come from (``rules_commit_text``, read from git in ``repo_root``, and
    ``rules_history_table``: the later commits that changed them), how many findings and
    identities there are (``n_findings``, ``n_identities``) and the rules table (``rules_table``,
    HTML; identities excluded)."""
    table = simcheck.rules_table(link=lambda chapter: f"{chapter}.html")
    history = simcheck.findings_history(repo_root)
    return {"rules_commit_text": _rules_commit_text(history),
            "rules_history_table": _history_table(history),
            "n_findings": len(simcheck.refutable()), "n_identities": len(simcheck.identities()),
            "rules_table": HTML(html_table(table, html_columns=["finding"], css_class="rl-rules",
                                           font_size="0.8em",
                                           widths={"finding": "21em", "rule": "14em", "measured on": "11em"}))}


def chapters_table(read: Mapping, entries: Mapping[str, dict]):
    """The chapters read (``read``: :func:`~routerlab.chapters.summary_pages.chapters_read`), one
    row each: scale, seeds, how many findings it recorded (``entries``: :func:`findings.collect`),
    its parameters against the book's. A Styler without index."""
    def row(path: Path) -> dict:
        params = papermill_parameters(path)
        return {"chapter": path.stem, "scale": f"{params['scale']:g}" if "scale" in params else "—",
                "seeds": params.get("n_seeds", "—"),
                "findings recorded": sum(e["notebook"] == path.stem for e in entries.values()),
                "against the book": ("OTHER: " + parameter_text(read["rows"][path.stem]["differs"])
                                     if path.stem in read["other"] else "as the book")}

    frame = pd.DataFrame([row(p) for p in read["chapters"]],
                         columns=["chapter", "scale", "seeds", "findings recorded", "against the book"])
    return frame.style.hide(axis="index")


def _wrong_table(table: pd.DataFrame) -> HTML:
    wrong = table[table["verdict"] == "does not hold"]
    fmt = simcheck.format_measurement
    shown = pd.DataFrame({
        "finding": [f"{s} ({f})" for s, f in zip(wrong["statement"], wrong["finding"])],
        "real source": wrong["source"].map(simcheck.source_label),
        "simulated": [fmt(v, lo, hi) for v, lo, hi in zip(wrong["sim"], wrong["sim_lo"], wrong["sim_hi"])],
        "real": [fmt(v, lo, hi) for v, lo, hi in zip(wrong["real"], wrong["real_lo"], wrong["real_hi"])]},
        columns=["finding", "real source", "simulated", "real"])
    return HTML(html_table(shown, css_class="rl-wrong", font_size="0.85em",
                           widths={"finding": "22em", "real source": "9em", "simulated": "8em", "real": "8em"})
                if len(shown) else
                "<p><em>None in this build: no measured finding contradicts the simulator.</em></p>")


def truth(entries: Mapping[str, dict], read: Mapping) -> tuple[pd.DataFrame, dict]:
    """The truth table (:func:`findings.truth_table` of ``entries``) and the page's glue values:
    ``truth_<key>`` of :func:`findings.summary`, ``n_<source>_<verdict>`` counts, ``n_recorded``,
    ``n_chapters_read``, ``scale_note`` and the tables ``truth_table``, ``wrong_table``,
    ``notes_table`` and ``identity_table`` (HTML)."""
    table = simcheck.truth_table(entries)
    values = {"truth_" + k: v for k, v in simcheck.summary(table).items()}
    for src, row in simcheck.verdict_counts(table).iterrows():
        for verdict, n in row.items():
            values[f"n_{src.replace('-', '_')}_{verdict.replace(' ', '_')}"] = int(n)
    values["task_lead"] = task_lead(table)
    values["n_recorded"] = len(set(entries) & {fd["id"] for fd in simcheck.refutable()})
    values["n_chapters_read"] = len(read["chapters"])
    recorded = {c: [k for k, e in entries.items() if e["notebook"] == c] for c in read["other"]}
    values["scale_note"] = other_parameters_note(
        read, recorded, what="findings", same="every one with the book's parameters, "
        + (parameter_text(read["check"]["reference"]) or "none"))
    shown = simcheck.display_table(table, note_limit=110).drop(columns="rule")  # the rules: tbl-rules
    values["truth_table"] = HTML(html_table(
        shown, html_columns=["finding"], css_class="rl-truth", font_size="0.8em",
        widths={"finding": "14em", "real source": "8.5em", "simulated": "7em", "real": "7em",
                "verdict": "6em", "note": "12em"}))
    values["wrong_table"] = _wrong_table(table)
    notes = table.loc[table["note"] != "", ["finding", "source", "note"]].assign(
        source=lambda d: d["source"].map(simcheck.source_label))
    values["notes_table"] = HTML(html_table(notes, css_class="rl-notes", font_size="0.8em",
                                            widths={"finding": "14em", "source": "9.5em", "note": "24em"}))
    values["identity_table"] = HTML(html_table(
        simcheck.identity_table(entries, link=lambda chapter: f"{chapter}.html"), html_columns=["identity"],
        css_class="rl-identities", font_size="0.8em", widths={"identity": "14em", "proof": "26em",
                                                                "checked": "12em"}))
    return table, values


#: The findings that answer "does reading the query buy anything over knowing the task?" (chapter 11).
TASK_LEAD = {"task.rs_over_dataset_best": "against dataset-best under RS",
             "task.aiq_per_dataset_over_task_zero": "against the task-aware zero router in per-dataset AIQ"}


def task_lead(table: pd.DataFrame) -> str:
    """One sentence per task finding of :data:`TASK_LEAD`: its verdict on each real source, from
    the truth table (the rules decide; nothing typed)."""
    from routerlab.chapters.query_or_task import verdict_text

    parts = []
    for fid, what in TASK_LEAD.items():
        rows = table[table["finding"] == fid]
        if rows.empty:
            parts.append(f"{what} ({fid}): not recorded in this build")
        else:
            parts.append(f"{what} ({fid}): " + verdict_text(dict(zip(rows["source"], rows["verdict"]))))
    return "The best learned router " + "; ".join(parts) + "."


def grid_figsize(table: pd.DataFrame) -> tuple[float, float]:
    """The verdict grid's figure size (inches): one row of 0.32 in per finding."""
    return style.figsize(0.32 * table["finding"].nunique() + 1.6)


def plot_verdicts(ax, table: pd.DataFrame, missing_sources=()) -> None:
    """The verdict of every finding (rows) on every real source (columns, labelled with their
    kind of cost; a missing source noted "data not found") on ``ax``."""
    grid = simcheck.verdict_grid(table)
    labels = {s: s.replace("routerbench-", "routerbench-\n")
              + ("\n(estimated\ncost)" if s in simcheck.ESTIMATED_COST_SOURCES else "\n(real cost)")
              for s in grid.columns}
    plot_verdict_grid(ax, grid.rename(columns=labels),
                      column_notes={labels[s]: "data not found" for s in missing_sources if s in labels})


def counts_table(table: pd.DataFrame):
    """The verdicts per real source (:func:`findings.verdict_counts`) as a left-aligned Styler."""
    counts = simcheck.verdict_counts(table).rename(index=simcheck.source_label)
    return style.table(counts.rename_axis("real source").reset_index(), hide_index=True).set_table_styles(
        [{"selector": "th, td", "props": "text-align: left;"}])
