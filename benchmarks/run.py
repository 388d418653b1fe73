"""sklearn-tune and its peers side by side: one command, the published tables.

Run from the repository root::

    python -m benchmarks.run --quick                  # smoke run (CI), < 5 min
    python -m benchmarks.run --out rows.jsonl         # the full run
    python -m benchmarks.run --report rows.jsonl --docs docs/benchmarks

Every strategy runs in this one process, one after the other, on the same
fixed folds (each problem's seeded KFold or StratifiedKFold), with one
BLAS/OpenMP thread and ``n_jobs`` given explicitly (``--n-jobs``, default
1). Ours: BayesSearchCV, EvolutionarySearchCV, HyperbandSearchCV (problems
with a resource) and GradientSearchCV (continuous spaces; exact
hypergradients for Ridge, Lasso, ElasticNet, KernelRidge and
LogisticRegression, probes otherwise). The peers: GridSearchCV (a grid of at
most the budget), RandomizedSearchCV, HalvingRandomSearchCV (problems with a
resource), scikit-optimize's BayesSearchCV, Optuna's OptunaSearchCV (TPE),
sklearn-genetic-opt's GASearchCV, and RidgeCV, LassoCV, ElasticNetCV and
LogisticRegressionCV on their problems (over the grid's values). A peer that
cannot be imported gets a row with status ``missing: <module>``, one that
raises a row ``error: <message>``.

Figures per run (problem, strategy, seed): ``best_cv`` (the search's
``best_score_``), ``test`` (the refitted best model's score on a test part
kept out of the search; for the analytic functions, minus the noiseless
function value at the chosen point), ``n_evals`` (distinct evaluations:
parameters and resource level), ``fit_time`` (fit and score seconds of every
fold, from ``cv_results_``), ``opt_time`` (wall time minus fit, score and
refit time, divided by the jobs: the strategy's own cost), ``wall``, and the
best-so-far CV score after each evaluation (the convergence curves). Tables
show medians over seeds and ratios to RandomizedSearchCV in the same rows.

The full run can be done in pieces, appended to one file and reported at
the end::

    python -m benchmarks.run --problems branin hartmann6 --out rows.jsonl
    python -m benchmarks.run --problems svc-digits --seeds 2:3 --out rows.jsonl
    python -m benchmarks.run --report rows.jsonl --docs docs/benchmarks

``--seeds`` takes a number of seeds (``5``: seeds 0 to 4), a list (``3 4``)
or ranges (``2:4``). Deterministic strategies (GridSearchCV and the CV
estimators) run for seed 0 only, and scikit-optimize for seeds 0 and 1 only
outside ``--quick`` (``SEED_CAPS``: its optimizer takes about a second per
iteration, more than all the other strategies together on the cheap
problems).
"""

import os

# OpenMP (HistGradientBoosting) and BLAS read these when they load.
for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402
import json  # noqa: E402
import platform  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
import warnings  # noqa: E402
from datetime import datetime, timezone  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

from benchmarks import _report  # noqa: E402
from benchmarks._common import pin_blas, write_jsonl  # noqa: E402
from benchmarks._problems import make_problem, true_value  # noqa: E402
from benchmarks._strategies import (  # noqa: E402
    STRATEGIES,
    expand,
    native_n_evals,
    native_pick,
)

#: problem -> (seeds, evaluations per run) of the full run
FULL = {
    "branin": (5, 30),
    "hartmann6": (5, 30),
    "rastrigin": (5, 30),
    "branin-noisy": (5, 30),
    "hartmann6-noisy": (5, 30),
    "rastrigin-noisy": (5, 30),
    "logistic-cancer": (5, 20),
    "ridge-wide": (5, 20),
    "lasso-wide": (5, 20),
    "elasticnet-wide": (5, 30),
    "kernelridge-diabetes": (5, 30),
    "svc-digits": (3, 30),
    "sgd-20k": (2, 30),
    "hgb-digits": (2, 20),
}

#: strategy -> seeds it runs in the full run (seeds 0 to n-1): the
#: optimizer of scikit-optimize needs about a second per iteration here
SEED_CAPS = {"skopt.BayesSearchCV": 2}

#: problem -> (seeds, evaluations per run) of --quick: every strategy once
QUICK = {
    "branin": (1, 10),
    "logistic-cancer": (1, 6),
    "ridge-wide": (1, 6),
    "lasso-wide": (1, 6),
    "elasticnet-wide": (1, 6),
    "sgd-4k": (1, 13),
}

PACKAGES = ("scikit-learn", "numpy", "scipy", "scikit-optimize", "optuna",
            "optuna-integration", "sklearn-genetic-opt", "threadpoolctl",
            "matplotlib")


# ----------------------------------------------------------------- runs ---


def run_one(strategy, problem, budget, seed, n_jobs=1):
    """Build, fit and measure one search; a row of figures, never raises."""
    strategy = STRATEGIES[strategy] if isinstance(strategy, str) else strategy
    row = {
        "problem": problem.name, "strategy": strategy.name, "seed": seed,
        "budget": budget, "n_jobs": n_jobs, "status": "ok", "note": "",
        "description": problem.description,
    }
    nan = float("nan")
    row.update(best_cv=nan, test=nan, n_evals=nan, n_rows=nan, fit_time=nan,
               refit_time=nan, opt_time=nan, wall=nan, curve=None)
    with warnings.catch_warnings():
        # Convergence and deprecation notices of the peers, Optuna's
        # "experimental" notice: the table records what matters.
        warnings.simplefilter("ignore")
        try:
            search = strategy.build(problem, budget, seed, n_jobs)
        except ImportError as exc:
            row["status"] = f"missing: {exc.name or _short(exc)}"
            return row
        except Exception as exc:
            row["status"] = f"error: {_short(exc)}"
            return row
        try:
            start = time.perf_counter()
            if strategy.fit is None:
                search.fit(problem.X_train, problem.y_train)
            else:
                strategy.fit(search, problem, seed, budget)
            row["wall"] = time.perf_counter() - start
            if strategy.native:
                row.update(_native_figures(search, problem))
            else:
                row.update(_search_figures(search, problem, row["wall"], n_jobs))
        except Exception as exc:
            row["status"] = f"error: {_short(exc)}"
    return row


def _short(exc, width=90):
    lines = str(exc).strip().splitlines()
    message = f"{type(exc).__name__}: {lines[0] if lines else ''}"
    return message if len(message) <= width else message[: width - 3] + "..."


def history(search):
    """Per row of the search's results, in evaluation order: parameters,
    mean CV score, fit and score seconds summed over the folds, and the
    resource level (None without one)."""
    if hasattr(search, "study_"):
        # OptunaSearchCV keeps its results on the trials.
        trials = sorted(search.study_.trials, key=lambda t: t.number)
        n_splits = sum(1 for k in trials[0].user_attrs
                       if k.startswith("split") and k.endswith("_test_score"))
        return [
            (t.params, np.nan if t.value is None else t.value,
             n_splits * (t.user_attrs.get("mean_fit_time", np.nan)
                         + t.user_attrs.get("mean_score_time", np.nan)),
             None)
            for t in trials
        ]
    results = search.cv_results_
    n_splits = sum(1 for k in results
                   if k.startswith("split") and k.endswith("_test_score"))
    cost = n_splits * (np.asarray(results["mean_fit_time"], dtype=float)
                       + np.asarray(results["mean_score_time"], dtype=float))
    levels = results.get("n_resources", [None] * len(cost))
    return list(zip(results["params"],
                    np.asarray(results["mean_test_score"], dtype=float),
                    cost, levels))


def _key(params, level):
    return (tuple(sorted((k, repr(v)) for k, v in params.items())), level)


def _search_figures(search, problem, wall, n_jobs):
    rows = history(search)
    seen, distinct = set(), []
    for entry in rows:
        key = _key(entry[0], entry[3])
        if key not in seen:
            seen.add(key)
            distinct.append(entry)
    # GASearchCV repeats cached rows (times included) without refitting them.
    counted = distinct if getattr(search, "use_cache", False) else rows
    fit_time = float(np.sum([cost for _, _, cost, _ in counted]))
    refit_time = float(getattr(search, "refit_time_", 0.0) or 0.0)
    # Multi-fidelity searches: only the full resource counts as a result.
    top = max((level for *_, level in distinct if level is not None), default=None)
    at_top = np.array([score if level == top else -np.inf
                       for _, score, _, level in distinct])
    curve = np.maximum.accumulate(np.nan_to_num(at_top, nan=-np.inf))
    if problem.analytic:
        test = true_value(problem, search.best_params_)
    else:
        from sklearn.metrics import check_scoring

        model = search.best_estimator_
        test = check_scoring(model, problem.scoring)(model, problem.X_test,
                                                     problem.y_test)
    return {
        "best_cv": float(search.best_score_),
        "test": float(test),
        "n_evals": len(distinct),
        "n_rows": len(rows),
        "fit_time": fit_time,
        "refit_time": refit_time,
        "opt_time": max(0.0, wall - (fit_time + refit_time) / max(1, n_jobs)),
        "curve": [None if np.isinf(v) else float(v) for v in curve],
        "note": _note(search, problem, distinct),
    }


def _note(search, problem, distinct):
    """What the table should know about how the search ran."""
    results = getattr(search, "cv_results_", {})
    if "grad_source" in results:
        sources = set(np.asarray(results["grad_source"]).tolist()) - {"none"}
        return "exact" if "exact" in sources else "probes"
    levels = [level for *_, level in distinct if level is not None]
    if type(search).__name__ == "HalvingRandomSearchCV" and levels:
        full = (len(problem.X_train) if problem.resource == "n_samples"
                else problem.make_estimator().get_params()[problem.resource])
        # Subsampling may round the last round a hair short of the data.
        if max(levels) < 0.99 * full:
            return f"last round at {max(levels)}/{full}"
    return ""


def _native_figures(model, problem):
    from sklearn.metrics import check_scoring
    from sklearn.model_selection import cross_val_score

    picked = problem.make_estimator().set_params(**native_pick(model))
    # Its pick, scored on the folds every search used (untimed).
    best_cv = cross_val_score(picked, problem.X_train, problem.y_train,
                              cv=problem.cv, scoring=problem.scoring).mean()
    test = check_scoring(model, problem.scoring)(model, problem.X_test,
                                                 problem.y_test)
    return {
        "best_cv": float(best_cv),
        "test": float(test),
        "n_evals": native_n_evals(model),
        "note": "leave-one-out" if type(model).__name__ == "RidgeCV" else "",
    }


def run(plan, strategies, *, n_jobs=1, seed_caps=None, out=None, log=print):
    """Run every applicable strategy on every problem and seed of `plan`.

    Parameters
    ----------
    plan : dict
        Problem name (or problem) -> (seeds, budget).
    strategies : list of str
        Strategy names; those that do not apply to a problem are left out
        (and logged), deterministic ones run for seed 0 only.
    seed_caps : dict, optional
        Strategy name -> n: the strategy runs for seeds below n only.
    out : path, optional
        JSON-lines file the rows are appended to, after each run.

    Returns
    -------
    rows : list of dict
    """
    rows = []
    with pin_blas():
        for name, (seeds, budget) in plan.items():
            problem = make_problem(name) if isinstance(name, str) else name
            chosen = [STRATEGIES[s] for s in strategies]
            skipped = [s.name for s in chosen if not s.applies(problem)]
            if skipped:
                log(f"{problem.name}: does not apply: {', '.join(skipped)}")
            for seed in seeds:
                for strategy in chosen:
                    cap = (seed_caps or {}).get(strategy.name)
                    if (
                        not strategy.applies(problem)
                        or (strategy.deterministic and seed != 0)
                        or (cap is not None and seed >= cap)
                    ):
                        continue
                    row = run_one(strategy, problem, budget, seed, n_jobs)
                    rows.append(row)
                    if out is not None:
                        write_jsonl([row], out)
                    log(_progress(row), flush=True)
    return rows


def _progress(row):
    figures = (f"best_cv {row['best_cv']:.5g} test {row['test']:.5g} "
               f"evals {row['n_evals']} wall {row['wall']:.1f}s")
    return (f"  {row['problem']:20s} {row['strategy']:22s} seed {row['seed']}: "
            f"{figures if row['status'] == 'ok' else row['status']}")


# ---------------------------------------------------------- environment ---


def environment():
    """Date, versions, Python and machine of this run."""
    from importlib import metadata

    versions = {}
    for package in PACKAGES:
        try:
            versions[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            versions[package] = "not installed"
    import sklearn_tune

    versions["sklearn-tune"] = sklearn_tune.__version__
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as f:
            lines = f.read().splitlines()
    except OSError:
        lines = []
    fields = dict(line.split(":", 1) for line in lines if ":" in line)
    fields = {key.strip(): value.strip() for key, value in fields.items()}
    cpu = fields.get("model name", cpu)
    if "hypervisor" in fields.get("flags", "").split():
        cpu += " (virtual machine)"
    try:
        load = os.getloadavg()[0]
    except OSError:
        load = float("nan")
    return {
        "type": "meta",
        "date": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpu": cpu,
        "cores": os.cpu_count(),
        "load_at_start": load,
        "versions": versions,
    }


def read_rows(paths):
    rows = []
    for path in paths:
        with open(path) as f:
            rows.extend(json.loads(line) for line in f if line.strip())
    return rows


# ------------------------------------------------------------------ CLI ---


def _seeds(tokens):
    if len(tokens) == 1 and ":" not in tokens[0]:
        return list(range(int(tokens[0])))
    seeds = []
    for token in tokens:
        low, _, high = token.partition(":")
        seeds.extend(range(int(low), int(high)) if high else [int(low)])
    return seeds


def make_plan(problems=None, seeds=None, budget=None, quick=False):
    """Problem -> (seeds, budget): the mode's defaults, overridden."""
    defaults = QUICK if quick else FULL
    problems = problems or list(defaults)
    plan = {}
    for name in problems:
        n_seeds, n_iter = defaults.get(name, FULL.get(name, (1, 20)))
        plan[name] = (seeds if seeds is not None else list(range(n_seeds)),
                      budget or n_iter)
    return plan


def main(argv=None):
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n")[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="\n".join(__doc__.split("\n")[2:]),
    )
    parser.add_argument("--problems", nargs="+", help="default: the mode's plan")
    parser.add_argument("--strategies", nargs="+", default=["all"],
                        help="names, or the aliases ours, native, all (default)")
    parser.add_argument("--seeds", nargs="+", help="N, or seeds and a:b ranges")
    parser.add_argument("--budget", type=int, help="evaluations per run")
    parser.add_argument("--quick", action="store_true",
                        help="every strategy once, tiny budgets (< 5 min)")
    parser.add_argument("--n-jobs", type=int, default=1)
    parser.add_argument("--out", help="append the rows to this JSON-lines file")
    parser.add_argument("--report", nargs="+", metavar="ROWS",
                        help="render the tables of saved rows, run nothing")
    parser.add_argument("--docs", help="write results.md and the PNGs here")
    parser.add_argument("--plots", help="write the convergence PNGs here "
                        "(default: beside --out, or --docs)")
    args = parser.parse_args(argv)

    if args.report:
        rows = read_rows(args.report)
    else:
        plan = make_plan(args.problems, args.seeds and _seeds(args.seeds),
                         args.budget, args.quick)
        strategies = expand(args.strategies)
        if args.out:
            Path(args.out).parent.mkdir(parents=True, exist_ok=True)
        # Load every BLAS and OpenMP runtime before pinning them to 1 thread.
        import sklearn.ensemble  # noqa: F401
        import sklearn.svm  # noqa: F401

        meta = environment()
        meta["argv"] = sys.argv[1:] if argv is None else list(argv)
        print(f"{len(plan)} problems, {len(strategies)} strategies, "
              f"n_jobs={args.n_jobs}, one BLAS thread", flush=True)
        started = time.perf_counter()
        caps = {} if args.quick else SEED_CAPS
        if caps:
            print("seeds capped: " + ", ".join(
                f"{name} runs seeds 0-{n - 1} only" for name, n in caps.items()))
        rows = run(plan, strategies, n_jobs=args.n_jobs, seed_caps=caps,
                   out=args.out)
        meta["duration"] = time.perf_counter() - started
        if args.out:
            write_jsonl([meta], args.out)
        rows.append(meta)

    plots = args.plots or args.docs or (args.out and str(Path(args.out).parent))
    print()
    print(_report.render(rows, images=None))
    if plots:
        written = _report.plot_all(rows, plots)
        if written:
            print(f"\nconvergence plots: {', '.join(map(str, written))}")
    if args.docs:
        path = _report.write_docs(rows, args.docs)
        print(f"wrote {path}")
    durations = [r["duration"] for r in rows if r.get("type") == "meta"]
    print(f"\nbenchmark wall time: {sum(durations):.0f}s")


if __name__ == "__main__":
    main()
