"""Plot functions. Each takes a matplotlib ``ax`` and precomputed data; none recomputes results.

(Helpers append their functions at the end of this file; keep imports local to each function.)
"""

from __future__ import annotations

import numpy as np

__all__: list[str] = []  # each function appends its name below its definition


# ---- chapter 02: the Routing Score and its normalisations (helper H6) -----------------------

def plot_model_scores(ax, table, xlabel: str = "score", colors=None):
    """Grouped horizontal bars: one group per row of ``table`` (e.g. a model), one bar per column.

    ``table`` is a pandas DataFrame of numbers in [0, 1] (rows: models or policies; columns: e.g.
    ``quality``, ``RS global``, ``RS per-query``). Returns ``ax``.
    """
    rows, cols = list(table.index), list(table.columns)
    k = len(cols)
    h = 0.8 / max(k, 1)
    y = np.arange(len(rows))
    for j, col in enumerate(cols):
        kw = {} if colors is None else {"color": colors[j]}
        ax.barh(y + (j - (k - 1) / 2) * h, table[col].to_numpy(dtype=float), height=h, label=str(col), **kw)
    ax.set_yticks(y, [str(r) for r in rows])
    ax.invert_yaxis()
    ax.set_xlabel(xlabel)
    ax.set_xlim(0, 1)
    ax.grid(axis="x", alpha=0.3)
    ax.legend(loc="lower right")
    return ax


__all__.append("plot_model_scores")


def plot_rs_vs_cost_cap(ax, capped_share, rs, labels, reference=None):
    """RS of several policies as the global ``cost_max`` is lowered by capping the dearest cells.

    ``capped_share`` (k,) share of (query, model) cells at or above the cap (0 = no cap, log-scaled
    x axis for the positive part); ``rs`` (k, p) RS per cap and policy; ``labels`` (p,) names;
    ``reference`` (p,) optional values (e.g. each policy's quality) drawn as dotted lines.
    """
    capped_share = np.asarray(capped_share, dtype=float)
    rs = np.asarray(rs, dtype=float)
    x = np.where(capped_share > 0, capped_share, np.nan)
    lo = np.nanmin(x) if np.isfinite(x).any() else 1e-6
    x = np.where(capped_share > 0, capped_share, lo / 3)  # the uncapped case at the left edge
    for p, label in enumerate(labels):
        (line,) = ax.plot(x, rs[:, p], marker="o", ms=3, label=str(label))
        if reference is not None:
            ax.axhline(float(reference[p]), color=line.get_color(), ls=":", lw=1)
    ax.set_xscale("log")
    ax.set_xlabel("share of (query, model) cells capped (left edge: no cap)")
    ax.set_ylabel("RS, global normalisation")
    ax.grid(alpha=0.3)
    ax.legend()
    return ax


__all__.append("plot_rs_vs_cost_cap")


def plot_cost_survival(ax, cost, labels, marks=None):
    """Empirical survival function P(cost > x) of each model's per-query cost, log-log.

    ``cost`` (n, m) USD; ``labels`` (m,) model names; ``marks`` optional {label: USD} drawn as
    vertical lines (e.g. the global ``cost_max`` and a capped one).
    """
    cost = np.asarray(cost, dtype=float)
    n = cost.shape[0]
    surv = 1.0 - np.arange(n) / n
    for j, label in enumerate(labels):
        ax.step(np.sort(cost[:, j]), surv, where="post", label=str(label))
    for k, (label, value) in enumerate((marks or {}).items()):
        ax.axvline(float(value), color="k", ls=["--", ":", "-."][k % 3], lw=1, label=str(label))
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("cost per query (USD)")
    ax.set_ylabel("share of queries costing more")
    ax.grid(alpha=0.3, which="both")
    ax.legend()
    return ax


__all__.append("plot_cost_survival")


def plot_quality_cost(ax, mean_cost, quality, labels, rs=None):
    """Policies on the quality / mean-cost plane (log cost axis), one marker each, named in a legend
    (with the RS if given). ``mean_cost`` (p,) USD per query; ``quality`` (p,) in [0, 1];
    ``labels`` (p,); ``rs`` (p,) optional.
    """
    mean_cost = np.asarray(mean_cost, dtype=float)
    quality = np.asarray(quality, dtype=float)
    rs = None if rs is None else np.asarray(rs, dtype=float)
    markers = "osD^vP*Xhp<>"
    for p, label in enumerate(labels):
        text = str(label) if rs is None else f"{label} (RS {rs[p]:.3f})"
        ax.scatter(mean_cost[p], quality[p], s=40, marker=markers[p % len(markers)],
                   color=f"C{p % 10}", label=text, zorder=3)
    from matplotlib.ticker import NullFormatter

    ax.set_xscale("log")
    ax.xaxis.set_minor_formatter(NullFormatter())
    ax.set_xlabel("mean cost per query (USD, log scale)")
    ax.set_ylabel("quality (accuracy)")
    ax.grid(alpha=0.3, which="both")
    ax.legend(loc="center left", bbox_to_anchor=(1.01, 0.5))
    return ax


__all__.append("plot_quality_cost")


# ---- chapters 04 and 05: datasets, correlations, model subsets (helper H8) -------------------

def plot_heatmap(ax, table, fmt: str = "{:.2f}", cmap: str = "viridis", center: float | None = None,
                 vmin: float | None = None, vmax: float | None = None, colorbar_label: str = ""):
    """A (rows x columns) heatmap of a numeric DataFrame with every cell's value written in it.

    ``center`` (e.g. 0 for gains) makes a diverging colour scale symmetric around it. Returns ``ax``.
    """
    import matplotlib.pyplot as plt

    data = table.to_numpy(dtype=float)
    if center is not None:
        span = np.nanmax(np.abs(data - center)) or 1.0
        vmin, vmax = center - span, center + span
    im = ax.imshow(data, cmap=cmap, vmin=vmin, vmax=vmax, aspect="auto")
    ax.set_xticks(range(data.shape[1]), [str(c) for c in table.columns], rotation=45, ha="right")
    ax.set_yticks(range(data.shape[0]), [str(r) for r in table.index])
    lo, hi = im.get_clim()
    for i in range(data.shape[0]):
        for j in range(data.shape[1]):
            v = data[i, j]
            if np.isfinite(v):
                dark = (v - lo) / ((hi - lo) or 1.0)
                light = dark < 0.5 if cmap == "viridis" else abs(dark - 0.5) > 0.3
                ax.text(j, i, fmt.format(v), ha="center", va="center", fontsize="x-small",
                        color="white" if light else "black")
    plt.colorbar(im, ax=ax, label=colorbar_label, fraction=0.046, pad=0.04)
    return ax


__all__.append("plot_heatmap")


def _fit_line(ax, x, y, logx: bool) -> None:
    """The least-squares line of ``y`` on ``x`` (on log10(x) with ``logx``, which also makes the x axis
    logarithmic with plain tick labels), dashed grey behind the points."""
    if x.size >= 2 and np.ptp(x) > 0:
        u = np.log10(x) if logx else x
        b, a = np.polyfit(u, y, 1)
        grid = np.linspace(u.min(), u.max(), 50)
        ax.plot(10 ** grid if logx else grid, a + b * grid, color="grey", lw=1, ls="--", zorder=2)
    if logx:
        from matplotlib.ticker import NullFormatter, ScalarFormatter

        ax.set_xscale("log")
        ax.xaxis.set_major_formatter(ScalarFormatter())
        ax.xaxis.set_minor_formatter(NullFormatter())


def plot_labelled_scatter(ax, x, y, labels, xlabel: str = "", ylabel: str = "", logx: bool = False,
                          fit_line: bool = True, annotation: str | None = None):
    """Scatter of one point per item (e.g. dataset) with its label, and the least-squares line.

    ``x``, ``y`` (n,) numbers; ``labels`` (n,) strings; ``annotation`` is written in a corner
    (e.g. "r = 0.41 [-0.21, 0.80]"). With ``logx`` the line is fitted on log10(x). Returns ``ax``.
    """
    from routerlab.book.style import label_points

    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    ax.scatter(x, y, s=25, zorder=3)
    if fit_line:
        _fit_line(ax, x, y, logx)
    elif logx:
        _fit_line(ax, x[:0], y[:0], logx)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    if annotation:
        ax.set_title(annotation, fontsize=10)
    ax.grid(alpha=0.3)
    label_points(ax, x, y, [str(lab) for lab in labels])  # last: the labels are placed on the final axes
    return ax


__all__.append("plot_labelled_scatter")


def plot_learning_curves(ax, curves, x: str = "n_train", y: str = "rs", group: str = "dataset",
                         ylabel: str = "RS on the dataset's test rows", legend: bool = True):
    """One line per group (e.g. dataset): ``y`` against ``x`` (log scale), the full-data point marked.

    ``curves`` is a long DataFrame with columns ``group``, ``x``, ``y`` (already averaged over
    seeds), optionally ``full`` (bool, the point with every training row, drawn as a square) and
    ``<y>_lo``/``<y>_hi`` (an interval, drawn as a band). Returns ``ax``.
    """
    from matplotlib.ticker import NullFormatter, ScalarFormatter

    for name, gdf in curves.groupby(group, sort=False):
        gdf = gdf.sort_values(x)
        line, = ax.plot(gdf[x], gdf[y], marker="o", ms=3, lw=1, label=str(name))
        if f"{y}_lo" in gdf and f"{y}_hi" in gdf:
            ax.fill_between(gdf[x], gdf[f"{y}_lo"], gdf[f"{y}_hi"], color=line.get_color(), alpha=0.15, lw=0)
        if "full" in gdf:
            f = gdf[gdf["full"].astype(bool)]
            ax.plot(f[x], f[y], marker="s", ms=6, ls="none", color=line.get_color(), mfc="none")
    ax.set_xscale("log")
    ticks = np.unique(curves[x].to_numpy())
    if 0 < ticks.size <= 6:  # label the measured sizes themselves, skipping one too close to the next
        labels = [f"{t:,.0f}" for t in ticks]
        for i in range(ticks.size - 1):
            if ticks[i + 1] < 1.8 * ticks[i]:
                labels[i] = ""
        ax.set_xticks(ticks, labels)
    else:
        ax.xaxis.set_major_formatter(ScalarFormatter())
    ax.xaxis.set_minor_formatter(NullFormatter())
    ax.set_xlabel("training rows (log scale; square = all)")
    ax.set_ylabel(ylabel)
    ax.grid(alpha=0.3)
    if legend:
        ax.legend(fontsize="x-small", ncol=2, loc="best")
    return ax


__all__.append("plot_learning_curves")


def plot_subset_sizes(ax, tables, highlight=None):
    """RS of every model subset against its size, one colour per policy, the per-size mean as a line.

    ``tables`` maps a policy label (e.g. "MF", "oracle") to a DataFrame with columns ``size``,
    ``rs`` and ``subset``; the subsets named in ``highlight`` get their own marker (same for every
    policy) and a legend entry. Returns ``ax``.
    """
    highlight = list(highlight or [])
    markers = dict(zip(highlight, ["*", "D", "^", "s", "P", "X", "v"]))
    n = max(len(tables), 1)
    labelled = set()
    for k, (label, t) in enumerate(tables.items()):
        off = (k - (n - 1) / 2) * 0.12
        pts = ax.scatter(t["size"] + off, t["rs"], s=12, alpha=0.5, label=label)
        color = pts.get_facecolor()[0]
        means = t.groupby("size")["rs"].mean()
        ax.plot(means.index + off, means.values, color=color, lw=1.5)
        for sub, mk in markers.items():
            row = t[t["subset"] == sub]
            if row.empty:
                continue
            ax.scatter(row["size"] + off, row["rs"], s=70, marker=mk, facecolor=color, edgecolor="black",
                       linewidth=0.8, zorder=3, label=None if sub in labelled else sub)
            labelled.add(sub)
    ax.set_xlabel("number of models available to the router")
    ax.set_ylabel("RS (six-model cost range)")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=9, loc="lower right")
    return ax


__all__.append("plot_subset_sizes")


def plot_contributions(ax, table, err_lo=None, err_hi=None, xlabel: str = "Shapley value (RS)"):
    """Grouped horizontal bars of per-model contributions (rows: models, columns: policies).

    ``err_lo``/``err_hi`` are DataFrames shaped like ``table`` with interval ends (optional).
    Returns ``ax``.
    """
    rows, cols = list(table.index), list(table.columns)
    k = len(cols)
    h = 0.8 / max(k, 1)
    yy = np.arange(len(rows))
    for j, col in enumerate(cols):
        v = table[col].to_numpy(dtype=float)
        xerr = None
        if err_lo is not None and err_hi is not None:
            xerr = np.vstack([v - err_lo[col].to_numpy(dtype=float), err_hi[col].to_numpy(dtype=float) - v])
            xerr = np.where(np.isfinite(xerr), np.abs(xerr), 0.0)
        ax.barh(yy + (j - (k - 1) / 2) * h, v, height=h, xerr=xerr, label=str(col), capsize=2)
    ax.set_yticks(yy, [str(r) for r in rows])
    ax.set_ylim(len(rows) - 0.5, -0.5)  # first row on top (set, not toggled: safe with sharey)
    ax.axvline(0, color="black", lw=0.8)
    ax.set_xlabel(xlabel)
    ax.grid(axis="x", alpha=0.3)
    ax.legend(fontsize="small", loc="lower right")
    return ax


__all__.append("plot_contributions")


# ---- chapter 03: the routing algorithms under one protocol (helper H3) -------------------------

def plot_policy_intervals(ax, table, metric: str = "rs", article=None, xlabel: str | None = None):
    """Each policy's seed-mean ``metric`` with its two 95% intervals, and the article's value.

    ``table`` is :meth:`EvaluationResult.summary` (index: policy; columns ``metric``,
    ``{metric}_lo_seeds``/``_hi_seeds`` and ``{metric}_lo_boot``/``_hi_boot``); ``article`` an
    optional {policy: value} drawn as red crosses. Thick bar: bootstrap over test queries; thin
    bar with caps: t-interval across seeds. Returns ``ax``.
    """
    names = list(table.index)
    y = np.arange(len(names))
    v = table[metric].to_numpy(dtype=float)
    for kind, lw, cap, off in (("seeds", 1.0, 3, -0.12), ("boot", 4.0, 0, 0.12)):
        lo = table.get(f"{metric}_lo_{kind}")
        hi = table.get(f"{metric}_hi_{kind}")
        if lo is None or hi is None:
            continue
        lo, hi = lo.to_numpy(dtype=float), hi.to_numpy(dtype=float)
        ok = np.isfinite(lo) & np.isfinite(hi)
        label = "95% CI across seeds (t)" if kind == "seeds" else "95% CI, bootstrap over test queries"
        ax.errorbar(v[ok], y[ok] + off, xerr=np.vstack([v[ok] - lo[ok], hi[ok] - v[ok]]), fmt="none",
                    elinewidth=lw, capsize=cap, color="C0" if kind == "seeds" else "C1", alpha=0.8,
                    label=label)
    ax.plot(v, y, "o", color="k", ms=4, label="ours (mean over seeds)", zorder=3)
    if article:
        pts = [(v_, names.index(k)) for k, v_ in article.items() if k in names and v_ is not None]
        if pts:
            ax.plot([p[0] for p in pts], [p[1] for p in pts], "x", color="red", ms=8, mew=2,
                    label="article", zorder=4)
    ax.set_yticks(y, names)
    ax.invert_yaxis()
    ax.set_xlabel(xlabel or metric)
    ax.grid(axis="x", alpha=0.3)
    ax.grid(axis="y", visible=False)
    # below the axes (a figure legend, placed outside by the constrained layout of
    # routerlab.book.style), so that it never covers a point
    ax.figure.legend(*ax.get_legend_handles_labels(), fontsize=9, loc="outside lower center", ncol=2,
                     frameon=False)
    return ax


__all__.append("plot_policy_intervals")


def plot_cost_quality_policies(ax, table, reference_cost: float, paradigm=None, article=None):
    """Quality against cost relative to the reference model (log x), one point per policy.

    ``table``: :meth:`EvaluationResult.summary` (``mean_cost``, ``quality`` and, if present,
    ``quality_lo_seeds``/``quality_hi_seeds`` for vertical bars); ``reference_cost`` the reference
    fixed model's mean cost (USD/query), so x = mean cost / reference = 1 - cost reduction (the
    article's scale); ``paradigm`` optional {policy: group} for colours; ``article`` optional
    {label: (relative cost, quality)} drawn as red crosses. Returns ``ax``.
    """
    names = list(table.index)
    x = table["mean_cost"].to_numpy(dtype=float) / float(reference_cost)
    yq = table["quality"].to_numpy(dtype=float)
    groups = [(paradigm or {}).get(n, "policy") for n in names]
    for k, grp in enumerate(dict.fromkeys(groups)):
        idx = [i for i, g_ in enumerate(groups) if g_ == grp]
        yerr = None
        if "quality_lo_seeds" in table and np.isfinite(table["quality_lo_seeds"].to_numpy(dtype=float)[idx]).all():
            lo = table["quality_lo_seeds"].to_numpy(dtype=float)[idx]
            hi = table["quality_hi_seeds"].to_numpy(dtype=float)[idx]
            yerr = np.vstack([yq[idx] - lo, hi - yq[idx]])
        ax.errorbar(x[idx], yq[idx], yerr=yerr, fmt="o", ms=5, capsize=2, color=f"C{k}", label=str(grp))
    art = list((article or {}).items())
    for label, (ax_x, ax_y) in art:
        ax.plot([ax_x], [ax_y], "x", color="#D55E00", ms=8, mew=2)
    if art:
        ax.plot([], [], "x", color="#D55E00", ms=8, mew=2, label="the article's value")
    ax.set_xscale("log")
    ax.set_xlabel("mean cost relative to the reference model (= 1 - cost reduction), log scale")
    ax.set_ylabel("quality (accuracy)")
    ax.grid(alpha=0.3, which="both")
    # direct labels that do not overlap (adjustText), the article's in its colour
    from routerlab.book.style import label_points

    # policies drawn on the same spot (e.g. OUB and COUB) share one label
    spots: dict = {}
    for i, n in enumerate(names):
        spots.setdefault((round(float(np.log10(x[i])), 3) if x[i] > 0 else x[i], round(float(yq[i]), 3)), []).append(i)
    first = [idx[0] for idx in spots.values()]
    lx = np.concatenate([x[first], [p[1][0] for p in art]])
    ly = np.concatenate([yq[first], [p[1][1] for p in art]])
    labs = [", ".join(names[i] for i in idx) for idx in spots.values()] + [f"article: {lab}" for lab, _ in art]
    texts = label_points(ax, lx, ly, labs, fontsize=9, expand=(1.2, 1.6))
    for t in texts[len(texts) - len(art):] if art else []:
        t.set_color("#D55E00")
    ax.figure.legend(*ax.get_legend_handles_labels(), fontsize=9, loc="outside lower center", ncol=4,
                     frameon=False)
    return ax


__all__.append("plot_cost_quality_policies")


def plot_usage_shares(ax, shares):
    """Stacked horizontal bars: the share of test queries each policy sends to each model.

    ``shares``: DataFrame (index: policy, columns: models, rows summing to 1). Returns ``ax``.
    """
    names = list(shares.index)
    y = np.arange(len(names))
    left = np.zeros(len(names))
    for k, model in enumerate(shares.columns):
        w = shares[model].to_numpy(dtype=float)
        ax.barh(y, w, left=left, height=0.8, label=str(model), color=f"C{k}")
        left += w
    ax.set_yticks(y, names)
    ax.invert_yaxis()
    ax.set_xlim(0, 1)
    ax.set_xlabel("share of test queries answered by each model")
    ax.grid(False)
    ax.figure.legend(*ax.get_legend_handles_labels(), fontsize=9, ncol=3, loc="outside lower center",
                     frameon=False)
    return ax


__all__.append("plot_usage_shares")


def plot_paired_differences(ax, paired):
    """Forest plot of :meth:`EvaluationResult.paired`: RS difference to the reference policy with
    its 95% paired-bootstrap interval, one row per policy; a zero line. Returns ``ax``."""
    names = list(paired["policy"])
    y = np.arange(len(names))
    d = paired["diff"].to_numpy(dtype=float)
    lo, hi = paired["lo"].to_numpy(dtype=float), paired["hi"].to_numpy(dtype=float)
    ok = np.isfinite(lo) & np.isfinite(hi)
    ax.errorbar(d[ok], y[ok], xerr=np.vstack([d[ok] - lo[ok], hi[ok] - d[ok]]), fmt="o", ms=4,
                capsize=3, color="C0")
    ax.plot(d[~ok], y[~ok], "o", ms=4, color="C0")
    ax.axvline(0.0, color="k", lw=1)
    ref = str(paired["reference"].iloc[0]) if len(paired) else "reference"
    ax.set_yticks(y, names)
    ax.invert_yaxis()
    ax.set_xlabel(f"RS difference to {ref} (policy - {ref}), 95% paired bootstrap")
    ax.grid(axis="x", alpha=0.3)
    return ax


__all__.append("plot_paired_differences")


# ---- chapter 06: hyperparameters and pitfalls (helper H7) -----------------------------------

def plot_sweep(ax, x, lines, xlabel: str = "", ylabel: str = "", logx: bool = False,
               marks=None, reference=None, reference_label: str = ""):
    """Lines of a sweep over one hyperparameter, each with a shaded 95% band.

    ``x`` (p,) the hyperparameter values; ``lines`` maps a label to ``(mean, lo, hi)``, three (p,)
    arrays (``lo``/``hi`` may be None: no band). ``marks`` (optional) maps a label to an x value
    drawn as a dotted vertical line (e.g. the article's setting); ``reference`` a horizontal line.
    With ``logx`` the x axis is log base 2 with the values as tick labels. Returns ``ax``.
    """
    x = np.asarray(x, dtype=float)
    for label, (mean, lo, hi) in lines.items():
        line, = ax.plot(x, np.asarray(mean, dtype=float), marker="o", ms=3, lw=1.5, label=label)
        if lo is not None and hi is not None:
            ax.fill_between(x, np.asarray(lo, dtype=float), np.asarray(hi, dtype=float),
                            color=line.get_color(), alpha=0.2, lw=0)
    for label, value in (marks or {}).items():
        ax.axvline(value, color="grey", ls=":", lw=1)
        ax.annotate(label, (value, 1.0), xycoords=("data", "axes fraction"), xytext=(3, -12),
                    textcoords="offset points", fontsize=9, color="0.35")
    if reference is not None:
        ax.axhline(reference, color="black", ls="--", lw=0.8, label=reference_label or None)
    if logx:
        ax.set_xscale("log", base=2)
        ax.set_xticks(x, [f"{v:g}" for v in x])
        ax.minorticks_off()
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.grid(alpha=0.3)
    ax.legend(loc="best")
    return ax


__all__.append("plot_sweep")


def plot_seed_pairs(ax, values, ylabel: str = "RS on the test rows", join: bool = True):
    """Per-seed values of two or more variants side by side.

    ``values`` maps a variant label (e.g. "stratified", "random") to a (s,) array over s seeds;
    with ``join`` the points of the same seed are joined (use it only when the variants share
    something per seed, e.g. the same split); the mean of each variant is a short black bar.
    Returns ``ax``.
    """
    labels = list(values)
    data = np.array([np.asarray(values[k], dtype=float) for k in labels])  # (variants, seeds)
    pos = np.arange(len(labels))
    offsets = np.linspace(-0.08, 0.08, data.shape[1]) if not join else np.zeros(data.shape[1])
    for s in range(data.shape[1]):
        ax.plot(pos + offsets[s], data[:, s], color="grey", lw=0.8 if join else 0, alpha=0.8,
                marker="o", ms=4)
    ax.hlines(data.mean(axis=1), pos - 0.2, pos + 0.2, color="black", lw=2.5, label="mean")
    ax.set_xticks(pos, labels)
    ax.set_xlim(-0.5, len(labels) - 0.5)
    ax.set_ylabel(ylabel)
    ax.grid(alpha=0.3, axis="y")
    return ax


__all__.append("plot_seed_pairs")


# ---- cost-quality plane and two-model curves (chapters 07-08) -----------------------------------
def _dense_hull(hc, hq):
    """A hull's vertices (cost, quality) sampled along each segment (40 points), so that a segment,
    linear in cost, is drawn truthfully on a logarithmic cost axis."""
    if len(hc) < 2:
        return hc, hq
    x = np.concatenate([np.linspace(a, b, 40, endpoint=False) for a, b in zip(hc[:-1], hc[1:])] + [hc[-1:]])
    return x, np.interp(x, hc, hq)


def plot_hulls(ax, curves, points=None, zero=None, logx: bool = False, show_points: bool = True,
               xlabel: str = "mean cost per query (USD)", ylabel: str = "mean quality"):
    """Each curve's operating points (faint markers) and its NDCH (line).

    ``curves``: {label: (costs (k,), qualities (k,))}; ``points``: {label: (cost, quality)} drawn
    as single labelled markers (e.g. the oracle, single models); ``zero``: (costs, qualities) of
    the zero router's hull, drawn dashed. Hulls come from :func:`routerlab.metrics.ndch`.
    """
    from routerlab.metrics import ndch

    for label, (c, q) in curves.items():
        hc, hq = ndch(c, q)
        line, = ax.plot(*_dense_hull(hc, hq), "-", lw=1.6, label=label)
        if show_points:
            ax.plot(c, q, "o", ms=3, alpha=0.35, color=line.get_color())
    if zero is not None:
        ax.plot(*_dense_hull(np.asarray(zero[0]), np.asarray(zero[1])), "k--", lw=1.2, label="zero router")
    for label, (c, q) in (points or {}).items():
        ax.plot([c], [q], "*", ms=11, label=label)
    if logx:
        from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter

        ax.set_xscale("log")
        ax.xaxis.set_major_locator(LogLocator(base=10, subs=(1.0, 2.0, 5.0)))
        ax.xaxis.set_major_formatter(FuncFormatter(lambda x, _: f"{x:.0e}"))
        ax.xaxis.set_minor_formatter(NullFormatter())
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=7, loc="lower right", ncol=2)
    return ax


__all__.append("plot_hulls")


def plot_share_curves(ax, curves, weak: float, strong: float, xlabel: str = "share of calls to the strong model",
                      ylabel: str = "mean quality"):
    """RouteLLM-style curves: quality against the strong-call share, with the two models' levels.

    ``curves``: {label: (shares (k,), qualities (k,))}; ``weak``/``strong``: the single models'
    qualities, drawn as horizontal lines (PGR 0 and 1).
    """
    for label, (s, q) in curves.items():
        order = np.argsort(s, kind="stable")
        ax.plot(np.asarray(s)[order], np.asarray(q)[order], "-o", ms=3, lw=1.4, label=label)
    ax.axhline(weak, color="grey", ls=":", lw=1, label="weak model")
    ax.axhline(strong, color="black", ls=":", lw=1, label="strong model")
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.set_xlim(0, 1)
    ax.grid(alpha=0.3)
    ax.legend(loc="lower right", ncol=2)
    return ax


__all__.append("plot_share_curves")


# ---- chapter 01: RouterBench-Sim (helper H1) ------------------------------------------------------

def plot_structure_comparison(ax, real, sim, tolerance: float = 0.05, labels=None):
    """Real vs simulated structural measurements side by side, one row per (dataset, measurement).

    ``real`` and ``sim``: (datasets x measurements) DataFrames with the same labels (NaN cells are
    skipped); the grey band around each real value is +-``tolerance``. ``labels`` optional
    {column: readable name}. Returns ``ax``.
    """
    rows = [(d, c) for d in real.index for c in real.columns
            if d in sim.index and c in sim.columns and np.isfinite(float(real.loc[d, c]))]
    y = np.arange(len(rows))[::-1]
    rv = np.array([float(real.loc[d, c]) for d, c in rows])
    sv = np.array([float(sim.loc[d, c]) for d, c in rows])
    ax.barh(y, 2 * tolerance, left=rv - tolerance, height=0.6, color="0.88", label=f"real ± {tolerance:g}")
    ax.scatter(rv, y, marker="o", color="k", zorder=3, label="real (RouteLLM, GPT-4 vs Mixtral)")
    ax.scatter(sv, y, marker="D", color="C1", zorder=4, label="SIMULATED (GPT-4o vs Mixtral)")
    names = labels or {}
    ax.set_yticks(y, [f"{d}: {names.get(c, c)}" for d, c in rows])
    ax.set_xlabel("value")
    ax.grid(alpha=0.3, axis="x")
    ax.legend(loc="lower right")
    return ax


__all__.append("plot_structure_comparison")


def plot_token_lengths(ax, tokens, groups, order=None, xlabel: str = "tokens (log scale)"):
    """Box plots of token counts per group on a log axis (e.g. prompt tokens per dataset).

    ``tokens`` (n,) positive ints; ``groups`` (n,) labels; ``order`` optional list of groups.
    """
    tokens = np.asarray(tokens, dtype=float)
    groups = np.asarray(groups)
    order = list(order) if order is not None else list(dict.fromkeys(groups.tolist()))
    data = [tokens[groups == g] for g in order]
    ax.boxplot(data, vert=False, whis=(5, 95), showfliers=False)
    ax.set_yticks(range(1, len(order) + 1), [str(g) for g in order])
    ax.invert_yaxis()
    ax.set_xscale("log")
    ax.set_xlabel(xlabel)
    ax.grid(alpha=0.3, axis="x", which="both")
    return ax


__all__.append("plot_token_lengths")


# ---- real outcomes beside simulated ones (chapters 02 and 07) ----------------------------------

def plot_data_not_found(ax, note: str = "data not found", title: str = ""):
    """An empty panel with ``note`` centred: the panel of a source whose data folder is missing."""
    ax.text(0.5, 0.5, note, ha="center", va="center", fontsize=11, color="0.35", transform=ax.transAxes)
    ax.set_xticks([])
    ax.set_yticks([])
    if title:
        ax.set_title(title, fontsize=10)
    return ax


__all__.append("plot_data_not_found")


def plot_hull_panel(ax, curves, zero=None, points=None, singles=None, colors=None, title: str = "",
                    xlabel: str = "mean cost per query (USD, log scale)", ylabel: str = "mean quality"):
    """One benchmark's routers in the cost-quality plane, without a legend (panels share one).

    ``curves``: {label: (costs (k,), qualities (k,))}: operating points (faint) and their NDCH
    (line, from :func:`routerlab.metrics.ndch`); ``zero``: (costs, qualities) of the zero router's
    hull (dashed black); ``points``: {label: (cost, quality)} single markers (oracle, one-point
    routers); ``singles``: (costs (m,), qualities (m,)) of the single models (grey crosses);
    ``colors``: {label: colour} so a router has one colour in every panel. Log cost axis with
    decade ticks. Collect the legend with ``ax.get_legend_handles_labels()``.
    """
    from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter

    from routerlab.metrics import ndch

    colors = colors or {}

    for label, (c, q) in curves.items():
        hc, hq = ndch(c, q)
        line, = ax.plot(*_dense_hull(hc, hq), "-", lw=1.6, label=label, color=colors.get(label))
        ax.plot(c, q, "o", ms=3, alpha=0.3, color=line.get_color())
    if zero is not None:
        ax.plot(*_dense_hull(np.asarray(zero[0], float), np.asarray(zero[1], float)), "k--", lw=1.2, label="zero router")
    if singles is not None:
        ax.plot(singles[0], singles[1], "x", ms=6, color="0.45", label="single models")
    markers = ("*", "D", "s", "^", "v", "P")
    for k, (label, (c, q)) in enumerate((points or {}).items()):
        ax.plot([c], [q], markers[k % len(markers)], ms=10 if k == 0 else 7, label=label,
                color=colors.get(label, "0.1"))
    ax.set_xscale("log")
    ax.xaxis.set_major_locator(LogLocator(base=10, subs=(1.0, 3.0)))
    ax.xaxis.set_major_formatter(FuncFormatter(lambda x, _: f"{x:.0e}".replace("e-0", "e-")))
    ax.xaxis.set_minor_formatter(NullFormatter())
    ax.tick_params(labelsize=9)
    ax.set_xlabel(xlabel, fontsize=9)
    ax.set_ylabel(ylabel, fontsize=9)
    if title:
        ax.set_title(title, fontsize=10)
    ax.grid(alpha=0.3)
    return ax


__all__.append("plot_hull_panel")


# ---- chapter 03 on real outcomes: the simulator's ranking against the real ones -----------------

def plot_rank_slopes(ax, ranks, colors=None, missing_text: str = "data not found", fontsize: float = 9):
    """A slope chart of policy ranks across benchmarks (rank 1 at the top), labels written directly.

    ``ranks``: DataFrame, index = policy labels, one column per benchmark (its title, e.g.
    "simulated" or "routerbench-subset (real cost)"), values = rank (1 = highest RS) or NaN. Give
    distinct ranks per column (e.g. ``method="first"``) so no two labels share a line. A column
    that is all NaN (its data folder is missing) shows ``missing_text`` centred in place of points.
    Labels: left of the first column and right of the last column that has data. ``colors``:
    optional {label: colour}. Returns ``ax``.
    """
    cols = list(ranks.columns)
    r = ranks.to_numpy(dtype=float)
    x = np.arange(len(cols), dtype=float)
    have = ~np.isnan(r).all(axis=0)
    n = len(ranks.index)
    colors = colors or {}
    last = int(np.flatnonzero(have)[-1]) if have.any() else None
    first = int(np.flatnonzero(have)[0]) if have.any() else None
    for i, label in enumerate(ranks.index):
        ok = ~np.isnan(r[i])
        col = colors.get(label, "0.35")
        ax.plot(x[ok], r[i, ok], "-o", color=col, lw=1.6, ms=5, alpha=0.9)
        if first is not None and ok[first]:
            ax.text(x[first] - 0.06, r[i, first], str(label), ha="right", va="center", fontsize=fontsize, color=col)
        if last is not None and last != first and ok[last]:
            ax.text(x[last] + 0.06, r[i, last], str(label), ha="left", va="center", fontsize=fontsize, color=col)
    for j in np.flatnonzero(~have):
        ax.text(x[j], (n + 1) / 2, missing_text, ha="center", va="center", fontsize=fontsize,
                rotation=90, color="0.3", bbox={"facecolor": "white", "edgecolor": "0.6", "boxstyle": "round"})
    ax.set_xticks(x, cols, fontsize=fontsize)
    ax.set_xlim(-1.05, len(cols) + 0.05)
    ax.set_ylim(n + 0.6, 0.4)
    ax.set_yticks([])
    ax.set_ylabel("rank by RS (top = best)", fontsize=fontsize)
    for s in ("top", "right", "left"):
        ax.spines[s].set_visible(False)
    ax.grid(axis="x", alpha=0.3)
    return ax


__all__.append("plot_rank_slopes")


# ---- chapter 04 on real outcomes: per-dataset gains and cross-dataset correlations -------------

def plot_dataset_gains(ax, table, value: str = "gain", highlight=(), title: str = "", xlabel: str = "",
                       fontsize: float = 9):
    """Horizontal bars of ``table[value]`` per dataset (rows of ``table``) with their interval.

    ``table``: DataFrame indexed by dataset with columns ``value``, ``<value>_lo`` and
    ``<value>_hi`` (e.g. :func:`routerlab.evaluation.analysis.dataset_table`'s gain and its seed interval),
    drawn top to bottom in row order; datasets in ``highlight`` are drawn in red. Returns ``ax``.
    """
    y = np.arange(len(table))
    v = table[value].to_numpy(dtype=float)
    lo = table[f"{value}_lo"].to_numpy(dtype=float)
    hi = table[f"{value}_hi"].to_numpy(dtype=float)
    colors = ["C3" if d in set(highlight) else "C0" for d in table.index]
    ax.barh(y, v, color=colors, alpha=0.8)
    err = np.vstack([np.nan_to_num(v - lo), np.nan_to_num(hi - v)])
    ax.errorbar(v, y, xerr=err, fmt="none", ecolor="0.2", lw=1, capsize=2)
    ax.axvline(0, color="black", lw=0.8)
    ax.set_yticks(y, [str(d) for d in table.index], fontsize=fontsize)
    ax.set_ylim(len(table) - 0.5, -0.5)
    ax.tick_params(axis="x", labelsize=fontsize)
    ax.set_xlabel(xlabel, fontsize=fontsize)
    if title:
        ax.set_title(title, fontsize=fontsize + 1)
    ax.grid(axis="x", alpha=0.3)
    return ax


__all__.append("plot_dataset_gains")


def plot_correlation_panel(ax, x, y, labels=(), highlight=(), stats=None, logx: bool = False,
                           xlabel: str = "", ylabel: str = "", title: str = "", fontsize: float = 9):
    """One point per dataset, the least-squares line, and r with its interval in the title.

    ``x``, ``y`` (n,) numbers; ``labels`` (n,) names, of which only those in ``highlight`` are
    written beside their point (14 labels do not fit a panel at the book's width); ``stats`` a
    dict with ``r``, ``lo``, ``hi`` (e.g. from :func:`routerlab.evaluation.analysis.pearson_ci`), shown after
    ``title``. With ``logx`` the x axis is logarithmic and the line is fitted on log10(x).
    """
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    hl = set(highlight)
    colors = ["C3" if str(lab) in hl else "C0" for lab in labels] if len(labels) == len(x) else "C0"
    ax.scatter(x, y, s=22, c=colors, zorder=3)
    _fit_line(ax, x, y, logx)
    ax.tick_params(labelsize=fontsize)
    ax.set_xlabel(xlabel, fontsize=fontsize)
    ax.set_ylabel(ylabel, fontsize=fontsize)
    text = title
    if stats is not None and np.isfinite(stats.get("r", np.nan)):
        text = f"{title}: " if title else ""
        text += f"r = {stats['r']:.2f} [{stats['lo']:.2f}, {stats['hi']:.2f}]"
    if text:
        ax.set_title(text, fontsize=fontsize)
    ax.grid(alpha=0.3)
    ax.autoscale_view()  # fix the limits first: label boxes are measured in display coordinates
    u_all = np.log10(x) if logx else x
    xspan = np.ptp(u_all) if x.size and np.ptp(u_all) > 0 else 1.0
    yspan = np.ptp(y) if y.size and np.ptp(y) > 0 else 1.0
    placed = []  # the text boxes (display coordinates) of the labels written so far
    renderer = ax.figure.canvas.get_renderer()
    for xi, ui, yi, lab in zip(x, u_all, y, labels):
        if str(lab) not in hl:
            continue
        # first try: a point in the right third gets its label on the left, one near the top gets it
        # below; a label that would overlap an earlier one or leave the axes is moved (other height,
        # then other side)
        right = (ui - u_all.min()) / xspan > 0.66
        above = (yi - y.min()) / yspan < 0.85
        tries = [(right, above), (right, not above), (not right, above), (not right, not above)]
        for k, (r_, a_) in enumerate(tries):
            text = ax.annotate(str(lab), (xi, yi), textcoords="offset points",
                               xytext=(-5 if r_ else 5, 4 if a_ else -11), ha="right" if r_ else "left",
                               fontsize=fontsize, color="C3")
            box = text.get_window_extent(renderer)
            inside = (box.x0 >= ax.bbox.x0 and box.x1 <= ax.bbox.x1 and box.y0 >= ax.bbox.y0
                      and box.y1 <= ax.bbox.y1)
            if k == len(tries) - 1 or (inside and not any(box.overlaps(b) for b in placed)):
                break
            text.remove()
        placed.append(box)
    return ax


__all__.append("plot_correlation_panel")


# ---- chapter 09: does the simulator tell the truth? ---------------------------------------------

#: Colour of each verdict of routerlab.reproduction.findings (colour-blind-safe: Okabe-Ito blue, vermillion,
#: yellow, grey).
VERDICT_COLORS = {"holds": "#0072B2", "does not hold": "#D55E00", "inconclusive": "#F0E442",
                  "not measurable": "#BBBBBB"}


def plot_verdict_grid(ax, grid, column_notes=None, fontsize: float = 9):
    """One coloured cell per (finding, real source): the verdict of the simulator's answer there.

    ``grid`` is a pandas DataFrame of verdict strings (keys of :data:`VERDICT_COLORS`; rows:
    findings, columns: real sources), None/NaN where a finding is not measured on that source
    (drawn blank). ``column_notes`` {column: text} writes a note (e.g. "data not found") centred
    over that column. Returns ``ax``.
    """
    from matplotlib.patches import Patch, Rectangle

    rows, cols = list(grid.index), list(grid.columns)
    for i, r in enumerate(rows):
        for j, c in enumerate(cols):
            v = grid.iloc[i, j]
            if isinstance(v, str):
                ax.add_patch(Rectangle((j - 0.45, i - 0.4), 0.9, 0.8, color=VERDICT_COLORS[v], lw=0))
    for j, c in enumerate(cols):
        note = (column_notes or {}).get(c)
        if note:
            ax.text(j, (len(rows) - 1) / 2, note, ha="center", va="center", rotation=90,
                    fontsize=fontsize + 1, color="black",
                    bbox={"facecolor": "white", "edgecolor": "grey", "boxstyle": "round"})
    ax.set_xlim(-0.5, len(cols) - 0.5)
    ax.set_ylim(len(rows) - 0.5, -0.5)
    ax.set_xticks(range(len(cols)), [str(c) for c in cols], fontsize=fontsize)
    ax.xaxis.tick_top()
    ax.set_yticks(range(len(rows)), [str(r) for r in rows], fontsize=fontsize)
    ax.tick_params(length=0)
    ax.grid(False)
    for side in ax.spines.values():
        side.set_visible(False)
    ax.legend(handles=[Patch(color=col, label=v) for v, col in VERDICT_COLORS.items()],
              loc="upper left", bbox_to_anchor=(1.02, 1.0), fontsize=fontsize, frameon=False,
              title="verdict", title_fontsize=fontsize)
    return ax


__all__.append("plot_verdict_grid")


# ---- chapter 05: best achievable RS against the number of models, simulated and real -----------

def plot_best_by_size(ax, size, best, lo=None, hi=None, upper=None, searched=None, target=None,
                      title: str = "", ylabel: str = "best achievable RS (oracle)",
                      xlabel: str = "number of models"):
    """Best achievable RS of each subset size: mean over splits (line), 95% band (``lo``/``hi``).

    ``size``, ``best`` (k,); ``upper`` (k,) optional proven upper bounds (dotted line, drawn where
    above ``best``); ``searched`` (k,) bool: sizes whose best value is a lower bound from a search
    (hollow markers) rather than exact (filled); ``target`` a horizontal dashed line (e.g. 99% of
    the full set). Returns ``ax``.
    """
    x = np.asarray(size, dtype=float)
    y = np.asarray(best, dtype=float)
    line, = ax.plot(x, y, lw=1.5, color="C0", label="best subset (mean over splits)")
    if lo is not None and hi is not None:
        ax.fill_between(x, np.asarray(lo, dtype=float), np.asarray(hi, dtype=float), color="C0", alpha=0.2, lw=0)
    searched = np.zeros(len(x), dtype=bool) if searched is None else np.asarray(searched, dtype=bool)
    ax.plot(x[~searched], y[~searched], "o", ms=4, color="C0", label="exact")
    if searched.any():
        ax.plot(x[searched], y[searched], "o", ms=4, mfc="white", color="C0", label="lower bound (search)")
    if upper is not None:
        u = np.asarray(upper, dtype=float)
        if np.any(u > y + 1e-9):
            ax.plot(x, u, ls=":", lw=1.2, color="C1", label="upper bound")
    if target is not None:
        ax.axhline(float(target), color="black", ls="--", lw=0.8, label="99% of all models")
    from matplotlib.ticker import MaxNLocator

    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlabel(xlabel, fontsize=9)
    ax.set_ylabel(ylabel, fontsize=9)
    ax.tick_params(labelsize=9)
    ax.grid(alpha=0.3)
    if title:
        ax.set_title(title, fontsize=10)
    return ax


__all__.append("plot_best_by_size")


# ---- appendix: performance -----------------------------------------------------------------------

def plot_growth(ax, cells, x: str = "outcomes", y: str = "seconds", group: str = "stage", order=None,
                reference_slope: float | None = 1.0, ylabel: str = "wall time (s, log scale)"):
    """Log-log lines of a measurement against the problem size, one line per ``group``.

    ``cells``: a frame with one row per measurement and columns ``x`` (e.g. outcomes), ``y``
    (e.g. seconds, > 0) and ``group`` (e.g. the stage); ``order``: the groups to draw, in this
    order (default: as they appear). Each line is labelled at its last point. With
    ``reference_slope`` a dotted grey line of that slope (1 = linear growth) through the first
    point of the first group, the only legend entry. Returns ``ax``.
    """
    from routerlab.book import style

    groups = list(order) if order is not None else list(dict.fromkeys(cells[group]))
    first = None
    for i, g in enumerate(groups):
        d = cells[cells[group] == g].sort_values(x)
        d = d[d[y] > 0]
        if d.empty:
            continue
        color = style.PALETTE[i % len(style.PALETTE)]
        ax.plot(d[x], d[y], marker="o", ms=4, color=color)  # labelled directly, not in the legend
        ax.annotate(str(g), (d[x].iloc[-1], d[y].iloc[-1]), xytext=(4, 0), textcoords="offset points",
                    fontsize=9, color=color, va="center")
        if first is None:
            first = (float(d[x].iloc[0]), float(d[y].iloc[0]))
    if reference_slope is not None and first is not None:
        xs = np.array([cells[x].min(), cells[x].max()], dtype=float)
        ax.plot(xs, first[1] * (xs / first[0]) ** reference_slope, ls=":", color="grey", lw=1,
                label=f"slope {reference_slope:g}")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel(f"{x} (log scale)")
    ax.set_ylabel(ylabel)
    if reference_slope is not None and first is not None:
        ax.legend(loc="upper left", fontsize=9)
    return ax


__all__.append("plot_growth")
