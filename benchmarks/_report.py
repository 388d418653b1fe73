"""Tables, convergence plots and the documentation page of the rows written
by ``python -m benchmarks.run`` (numpy only, except the plots)."""

import math
import warnings
from pathlib import Path

import numpy as np
from scipy.stats import rankdata

from benchmarks._strategies import OURS, STRATEGIES

__all__ = ["aggregate", "plan", "plot_all", "render", "write_docs"]

BASELINE = "RandomizedSearchCV"
METRICS = ("best_cv", "test", "n_evals", "fit_time", "opt_time", "wall")
#: timings compared to the baseline by ratio (the scores by difference)
RATIOS = ("fit_time", "opt_time", "wall")


def results(rows):
    """The rows of runs (not the metadata of the invocations)."""
    return [r for r in rows if "type" not in r]


def _order(rows, key, known=()):
    seen = list(known)
    for row in rows:
        if row[key] not in seen:
            seen.append(row[key])
    present = {row[key] for row in rows}
    return [k for k in seen if k in present]


def aggregate(rows, baseline=BASELINE):
    """Medians over seeds, per problem and strategy, with the baseline's.

    Returns ``{problem: [summary, ...]}`` in the order the problems were
    run and the strategies are registered. A summary holds the medians of
    :data:`METRICS` over the runs whose status is "ok", ``runs`` and
    ``ok`` (counts), ``status`` (one line), and, when the baseline ran on
    the problem, ``<metric>/RS`` for the timings (median over median) and
    ``best_cv-RS``, ``test-RS`` (difference of medians).
    """
    rows = results(rows)
    out = {}
    for problem in _order(rows, "problem"):
        mine = [r for r in rows if r["problem"] == problem]
        summaries = []
        for strategy in _order(mine, "strategy", STRATEGIES):
            runs = [r for r in mine if r["strategy"] == strategy]
            ok = [r for r in runs if r["status"] == "ok"]
            summary = {"strategy": strategy, "runs": len(runs), "ok": len(ok),
                       "status": _status(runs)}
            for metric in METRICS:
                values = np.array([r[metric] for r in ok], dtype=float)
                values = values[~np.isnan(values)]
                summary[metric] = float(np.median(values)) if len(values) else math.nan
            summaries.append(summary)
        base = next((s for s in summaries if s["strategy"] == baseline), None)
        for summary in summaries:
            for metric in RATIOS:
                summary[f"{metric}/RS"] = (
                    summary[metric] / base[metric]
                    if base is not None and base[metric] > 0 else math.nan
                )
            for metric in ("best_cv", "test"):
                summary[f"{metric}-RS"] = (
                    summary[metric] - base[metric] if base is not None else math.nan
                )
        out[problem] = summaries
    return out


def _status(runs):
    counts = {}
    for run in runs:
        status = run["status"]
        if status == "ok" and run.get("note"):
            status = f"ok, {run['note']}"
        counts[status] = counts.get(status, 0) + 1
    if len(counts) == 1:
        return next(iter(counts))
    return "; ".join(f"{n}x {status}" for status, n in counts.items())


# --------------------------------------------------------------- tables ---


def _cell(value, kind="g4", scale=None):
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    if isinstance(value, str):
        # A pipe would end the cell of a GFM table.
        return value.replace("|", "\\|")
    if kind == "diff":
        # To the last digit the scores show (4 significant at `scale`):
        # accuracies over folds of unequal sizes differ in far smaller ones.
        if scale:
            value = round(value, 3 - math.floor(math.log10(abs(scale))))
        return "0" if value == 0 else f"{value:+.3g}"
    if kind == "time":
        return f"{value:.3g}"
    return f"{value:.4g}"


def _table(header, lines, text=(0,)):
    """A GFM table; the columns not in `text` are numbers, right-aligned."""
    align = ["---" if i in text else "--:" for i in range(len(header))]
    out = ["| " + " | ".join(header) + " |", "|" + "|".join(align) + "|"]
    out += ["| " + " | ".join(line) + " |" for line in lines]
    return "\n".join(out)


PROBLEM_HEADER = ("strategy", "runs", "best CV", "test", "evals", "fit s",
                  "optimizer s", "wall s", "CV − RS", "test − RS", "fit / RS",
                  "optimizer / RS", "wall / RS", "status")


def problem_table(summaries):
    """Markdown table of one problem's summaries."""
    lines = []
    base = {metric: next((s[metric] for s in summaries if s["strategy"] == BASELINE),
                         None)
            for metric in ("best_cv", "test")}
    for s in summaries:
        runs = str(s["runs"]) if s["ok"] == s["runs"] else f"{s['ok']}/{s['runs']}"
        lines.append([
            s["strategy"], runs, _cell(s["best_cv"]), _cell(s["test"]),
            _cell(s["n_evals"]), _cell(s["fit_time"], "time"),
            _cell(s["opt_time"], "time"), _cell(s["wall"], "time"),
            _cell(s["best_cv-RS"], "diff", base["best_cv"]),
            _cell(s["test-RS"], "diff", base["test"]),
            _cell(s["fit_time/RS"], "time"), _cell(s["opt_time/RS"], "time"),
            _cell(s["wall/RS"], "time"), _cell(s["status"]),
        ])
    return _table(PROBLEM_HEADER, lines, text=(0, len(PROBLEM_HEADER) - 1))


SUMMARY_HEADER = ("strategy", "problems", "mean rank, best CV", "mean rank, test",
                  "best CV ≥ RS", "test ≥ RS", "median wall / RS",
                  "median optimizer / RS", "failed runs")


def summary_table(aggregated):
    """Markdown table of every strategy across the problems it ran on."""
    per = {}
    for summaries in aggregated.values():
        ranks = {}
        for metric in ("best_cv", "test"):
            ran = [s for s in summaries if not math.isnan(s[metric])]
            # Rank 1 is the best; ties share the mean of their ranks.
            values = rankdata([-s[metric] for s in ran]) if ran else []
            for s, rank in zip(ran, values):
                ranks[s["strategy"], metric] = float(rank)
        for s in summaries:
            entry = per.setdefault(s["strategy"], {
                "problems": 0, "best_cv": [], "test": [], "ge_cv": [0, 0],
                "ge_test": [0, 0], "wall/RS": [], "opt_time/RS": [], "failed": 0,
            })
            entry["problems"] += 1
            entry["failed"] += s["runs"] - s["ok"]
            for metric in ("best_cv", "test"):
                if (s["strategy"], metric) in ranks:
                    entry[metric].append(ranks[s["strategy"], metric])
                diff = s[f"{metric}-RS"]
                if not math.isnan(diff) and s["strategy"] != BASELINE:
                    key = "ge_cv" if metric == "best_cv" else "ge_test"
                    entry[key][0] += diff >= 0
                    entry[key][1] += 1
            for metric in ("wall/RS", "opt_time/RS"):
                if not math.isnan(s[metric]):
                    entry[metric].append(s[metric])
    lines = []
    for strategy in _order([{"s": s} for s in per], "s", STRATEGIES):
        e = per[strategy]
        lines.append([
            strategy, str(e["problems"]),
            _cell(np.mean(e["best_cv"]) if e["best_cv"] else math.nan, "time"),
            _cell(np.mean(e["test"]) if e["test"] else math.nan, "time"),
            f"{e['ge_cv'][0]}/{e['ge_cv'][1]}" if e["ge_cv"][1] else "–",
            f"{e['ge_test'][0]}/{e['ge_test'][1]}" if e["ge_test"][1] else "–",
            _cell(float(np.median(e["wall/RS"])) if e["wall/RS"] else math.nan, "time"),
            _cell(float(np.median(e["opt_time/RS"])) if e["opt_time/RS"] else math.nan,
                  "time"),
            str(e["failed"]),
        ])
    return _table(SUMMARY_HEADER, lines)


def _seeds_text(seeds):
    seeds = sorted(seeds)
    if len(seeds) > 2 and seeds == list(range(seeds[0], seeds[-1] + 1)):
        return f"seeds {seeds[0]}–{seeds[-1]}"
    return f"seed{'s' * (len(seeds) > 1)} {', '.join(map(str, seeds))}"


def plan(rows):
    """Per problem: its description, budgets and seeds, and the
    non-deterministic strategies that ran on fewer seeds than the others."""
    rows = results(rows)
    out = {}
    for problem in _order(rows, "problem"):
        mine = [r for r in rows if r["problem"] == problem]
        seeds = {r["seed"] for r in mine}
        fewer = {}
        for strategy in _order(mine, "strategy", STRATEGIES):
            if strategy in STRATEGIES and STRATEGIES[strategy].deterministic:
                continue
            own = {r["seed"] for r in mine if r["strategy"] == strategy}
            if own != seeds:
                fewer[strategy] = own
        out[problem] = {
            "description": mine[0]["description"],
            "budgets": sorted({r["budget"] for r in mine}),
            "seeds": seeds,
            "fewer": fewer,
        }
    return out


def _problem_line(entry):
    exceptions = "".join(
        f" {strategy}: {_seeds_text(seeds)}."
        for strategy, seeds in entry["fewer"].items()
    )
    return (f"{entry['description']}. Budget {', '.join(map(str, entry['budgets']))} "
            f"evaluations, {_seeds_text(entry['seeds'])}.{exceptions}")


def plan_table(rows):
    """Markdown table of the problems: what, budget, seeds."""
    lines = [
        [problem, _cell(entry["description"]),
         ", ".join(map(str, entry["budgets"])),
         _seeds_text(entry["seeds"]).removeprefix("seeds ").removeprefix("seed ")]
        for problem, entry in plan(rows).items()
    ]
    return _table(("problem", "estimator, space, folds, scoring", "budget", "seeds"),
                  lines, text=(0, 1))


def render(rows, images=None, level=3):
    """The summary table and one table per problem, in Markdown.

    images : dict, optional
        Problem -> path of its convergence plot, shown above its table.
    """
    aggregated = aggregate(rows)
    if not aggregated:
        return "(no runs)"
    plans = plan(rows)
    parts = [f"{'#' * level} Summary", "", summary_table(aggregated)]
    for problem, summaries in aggregated.items():
        parts += ["", f"{'#' * level} {problem}", "", _problem_line(plans[problem]), ""]
        if images and problem in images:
            parts += [f"![Median best-so-far CV score against evaluations, "
                      f"{problem}]({images[problem]})", ""]
        parts.append(problem_table(summaries))
    return "\n".join(parts)


# ---------------------------------------------------------------- plots ---


def median_curve(curves):
    """Median over seeds of best-so-far curves, where at least half of the
    runs reached that many evaluations (NaN before a run's first
    full-resource result)."""
    length = max(len(c) for c in curves)
    stacked = np.full((len(curves), length), np.nan)
    for i, curve in enumerate(curves):
        stacked[i, : len(curve)] = [np.nan if v is None else v for v in curve]
    lengths = np.array([len(c) for c in curves])
    enough = (lengths[:, None] > np.arange(length)).sum(axis=0) * 2 >= len(curves)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        median = np.nanmedian(stacked, axis=0)
    median[~enough] = np.nan
    return median


def plot_all(rows, directory):
    """One PNG per problem: median best-so-far CV score against
    evaluations, one line per search, a cross per CV estimator. Returns the
    paths written (none without matplotlib)."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("convergence plots skipped: matplotlib is not installed")
        return []
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    runs = [r for r in results(rows) if r["status"] == "ok"]
    searches = [name for name, s in STRATEGIES.items() if not s.native]
    colours = {name: plt.get_cmap("tab10")(i % 10) for i, name in enumerate(searches)}
    written = []
    for problem in _order(runs, "problem"):
        mine = [r for r in runs if r["problem"] == problem]
        fig, ax = plt.subplots(figsize=(8.5, 4.2))
        tails = []
        for strategy in _order(mine, "strategy", STRATEGIES):
            group = [r for r in mine if r["strategy"] == strategy]
            # The same colour for a strategy in every plot.
            style = dict(color=colours.get(strategy, "black"),
                         linestyle="-" if strategy in OURS else "--")
            curves = [r["curve"] for r in group if r.get("curve")]
            if curves:
                median = median_curve(curves)
                x = np.arange(1, len(median) + 1)
                finite = np.flatnonzero(np.isfinite(median))
                # A dot at the end: multi-fidelity searches may reach the
                # full resource only at their last evaluations.
                ax.plot(x, median, label=strategy, linewidth=1.6, marker="o",
                        markersize=4, markevery=list(finite[-1:]), **style)
                if len(finite):
                    tails.append(median[finite[len(finite) // 3]])
            else:
                best = np.median([r["best_cv"] for r in group])
                evals = np.median([r["n_evals"] for r in group])
                ax.plot([evals], [best], marker="x", markersize=9, linestyle="none",
                        color=style["color"], label=strategy)
                tails.append(best)
        # Early, poor candidates would flatten the part where searches differ.
        values = [line.get_ydata() for line in ax.get_lines()]
        finite = np.concatenate([np.asarray(v, float) for v in values])
        finite = finite[np.isfinite(finite)]
        if tails and len(finite):
            high = finite.max()
            # One search still far off a third of the way would hide the rest.
            low = max(min(tails), high - 4 * (high - np.median(tails)))
            pad = 0.05 * (high - low) if high > low else 1e-3 * max(1.0, abs(high))
            ax.set_ylim(low - pad, high + pad)
        ax.set_xlabel("evaluations (rows of cv_results_, low fidelity included)")
        ax.set_ylabel("best CV score so far (median over seeds)")
        ax.set_title(problem)
        ax.grid(alpha=0.3)
        ax.legend(fontsize=7, loc="center left", bbox_to_anchor=(1.01, 0.5))
        fig.tight_layout()
        path = directory / f"{problem}.png"
        fig.savefig(path, dpi=110)
        plt.close(fig)
        written.append(path)
    return written


# ----------------------------------------------------------------- docs ---


def _setup(metas):
    first, last = metas[0], metas[-1]
    versions = first["versions"]
    differing = {
        k for m in metas for k, v in m["versions"].items() if versions.get(k) != v
    }
    dates = sorted(m["date"] for m in metas)
    total = sum(m.get("duration", 0.0) for m in metas)
    loads = [m["load_at_start"] for m in metas if m.get("load_at_start") is not None]
    first_day, last_day = dates[0][:10], dates[-1][:10]
    lines = [
        f"- Date: {first_day}" + (f" to {last_day}" if last_day != first_day else "")
        + f", {len(metas)} invocation{'s' * (len(metas) > 1)}, "
        f"{total / 60:.1f} minutes of benchmark wall time in all.",
        f"- Machine: {last['cpu']}, {last['cores']} cores, {last['platform']}; "
        "shared with other jobs while it ran (load average at the start of the "
        f"pieces: {', '.join(f'{v:.1f}' for v in loads)}), so the times are "
        "indicative and best compared within a table.",
        f"- Python {first['python']}.",
        "- One BLAS/OpenMP thread, `n_jobs="
        + ", ".join(sorted({str(a) for a in _n_jobs(metas)}))
        + "`, every strategy of a problem on the same fixed folds.",
    ]
    table = _table(("package", "version"),
                   [[k, v + (" (varied)" if k in differing else "")]
                    for k, v in versions.items()], text=(0, 1))
    commands = "\n".join(
        f"    python -m benchmarks.run {' '.join(m.get('argv', []))}".rstrip()
        for m in metas
    )
    notes = [f"- `{' '.join(m.get('argv', []))}`: {m['note']}." for m in metas
             if m.get("note")]
    if notes:
        commands += "\n\n" + "\n".join(notes)
    return "\n".join(lines), table, commands


def _n_jobs(metas):
    values = set()
    for meta in metas:
        argv = meta.get("argv", [])
        values.add(argv[argv.index("--n-jobs") + 1] if "--n-jobs" in argv else "1")
    return values


READING = """\
- **best CV**: the search's `best_score_`, the mean cross-validated score of
  the candidate it picked (for a CV estimator, its pick scored on the same
  folds afterwards). Higher is better; regression problems score the
  negative mean squared error.
- **test**: the refitted model's score on a test part kept out of the
  search. On the analytic functions: minus the noiseless function value at
  the picked point (their optimum is the negated global minimum: Branin
  -0.3979, Hartmann-6 3.322, Rastrigin 0).
- **evals**: distinct evaluations (parameters and resource level);
  Hyperband and halving count their low-fidelity rows too.
- **fit s**: fit and score seconds of every fold, from `cv_results_`;
  **optimizer s**: wall time minus fit, score and refit time (the
  strategy's own cost: proposals, bookkeeping, and any work its
  `cv_results_` does not time: GASearchCV 0.12 also scores the training
  folds, as its `return_train_score=False` is overwritten by the default of
  scikit-learn's `BaseSearchCV`); **wall s**: the whole `fit`, refit
  included.
- **CV − RS**, **test − RS**: difference of medians with RandomizedSearchCV
  on the same problem (positive: better); **/ RS**: ratio of medians
  (below 1: faster).
- Medians over the seeds; **runs** counts them (ok/all when some failed).
  GridSearchCV and the CV estimators are deterministic and run once;
  scikit-optimize runs two seeds at most (its optimizer takes about a
  second per iteration here, more than all the other strategies together
  on the cheap problems). With the same seed, RandomizedSearchCV, Optuna's
  TPE (whose first 10 trials are random) and GASearchCV draw their first
  points from the same NumPy stream, so they often start alike.
- **status**: `ok`, with `exact` or `probes` for the source of
  GradientSearchCV's gradients; `missing: <module>` when a peer is not
  installed, `error: <message>` when it raised.
"""


def write_docs(rows, directory):
    """Write ``results.md`` (and the PNGs) for the documentation; returns
    its path. Valid CommonMark with GFM tables, no raw HTML, headings from
    level 2 so that another page can include it."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    images = {p.stem: p.name for p in plot_all(rows, directory)}
    metas = [r for r in rows if r.get("type") == "meta"]
    parts = ["## Setup", ""]
    if metas:
        setup, versions, commands = _setup(metas)
        parts += [setup, "", versions, "", "Commands (one line per piece of the run):",
                  "", commands, ""]
    parts += ["## Problems", "", plan_table(rows), "",
              "## How to read the tables", "", READING, "## Results", "",
              render(rows, images=images, level=3), ""]
    path = directory / "results.md"
    path.write_text("\n".join(parts))
    return path
