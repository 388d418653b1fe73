"""HyperbandSearchCV against HalvingRandomSearchCV (its defaults) and
RandomizedSearchCV, side by side, on the same folds and spaces.

Problems:

- ``hgb-digits``: HistGradientBoostingClassifier on load_digits (the shared
  problem, 3-fold), resource ``max_iter`` up to 27 (levels 1, 3, 9, 27);
  the shared problem boosts 50 iterations, 27 keeps five seeds of four
  searches within the time box.
- ``sgd-20k``: StandardScaler + SGDClassifier (elastic net) on a 20,000-row
  make_classification (15,000 to tune on, 5-fold), resource ``n_samples``
  (levels 555, 1666, 5000, 15000).
- ``mlp-digits``: StandardScaler + MLPClassifier on load_digits (3-fold),
  ``alpha``, ``learning_rate_init`` and ``hidden_layer_sizes``, resource
  ``mlpclassifier__max_iter`` (epochs) up to 27.

Figures, medians over seeds (one BLAS/OpenMP thread, n_jobs=1):
``best_cv`` (``best_score_``: the CV score of the chosen candidate),
``test`` (held-out score of the refitted model), ``cpu`` (CPU seconds of
the whole fit, refit included: the machine is shared, and CPU time is what
the other figures would be on an idle one), ``fit_time`` (sklearn's sum of
fit and score times of every fold of every row, wall clock), ``wall``,
``n_evals`` (distinct configurations), ``n_rows`` (rows of
``cv_results_``).

``hyperband-warm`` is the random sampler with ``warm_start=True`` (not
run on ``n_samples``): boosting then scores exactly as without it, for less
CPU; an MLP trains the difference of the levels, its optimiser restarted,
so its CV scores, and its refit (which replays the levels), are of models
trained that way. For these rows ``cold_cv`` is the CV score of the chosen
configuration trained in one go (not counted in ``cpu``), the figure to
compare with the others' ``best_cv``.

``test@Halving`` compares at equal CPU with HalvingRandomSearchCV (of
the same problem and seed): each HyperbandSearchCV row keeps, for every
full-resource candidate that became the best so far, the CPU spent until
it (prorated by cumulated fit time) and the held-out score of that
candidate refitted (not counted in ``cpu``): what the search would have
returned had it stopped there. ``test@Halving`` is the last of those within
Halving's CPU (-inf: none within it, which loses to any score).

RandomizedSearchCV runs with n_iter=81, and n_iter=30 is read off its first
30 rows (the same draws; its best is refitted for the test score). For
each N: ``cpu/RSN`` is cpu over RandomizedSearchCV(n_iter=N)'s cpu of the
same seed; ``to_RSN`` is the CPU spent, in the order of evaluation (cpu
prorated by cumulated fit time), until a candidate evaluated with the full
resource first scores at least RandomizedSearchCV(n_iter=N)'s best CV
score, over RandomizedSearchCV(n_iter=N)'s cpu (inf: never reached; the
issue asks for at most 1/3). The lines under the table count the seeds
that reached it.

    python -m benchmarks.bench_hyperband --quick
    python -m benchmarks.bench_hyperband [--problems hgb-digits sgd-20k]
        [--seeds N] [--seed-offset K] [--n-hyperband 69] [--min-resources 9]
        [--strategies random halving hyperband-random hyperband-bayes
                      hyperband-warm]
        [--out rows.jsonl]
    python -m benchmarks.bench_hyperband --summarize rows.jsonl [...]

``--out`` appends the rows (with each search's cost/score curve) to a
JSON-lines file after every seed, so that a long benchmark can run in
pieces; ``--summarize`` computes the ratios across such files (same
problem and seed) and prints the tables.
"""

import os

# OpenMP (HistGradientBoosting) must see one thread before it is loaded.
for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402
import json  # noqa: E402
import math  # noqa: E402
import time  # noqa: E402
import warnings  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402
from sklearn.datasets import make_classification  # noqa: E402
from sklearn.ensemble import HistGradientBoostingClassifier  # noqa: E402
from sklearn.exceptions import ConvergenceWarning  # noqa: E402
from sklearn.experimental import enable_halving_search_cv  # noqa: E402, F401
from sklearn.linear_model import SGDClassifier  # noqa: E402
from sklearn.neural_network import MLPClassifier  # noqa: E402
from sklearn.model_selection import (  # noqa: E402
    HalvingRandomSearchCV,
    RandomizedSearchCV,
    StratifiedKFold,
    cross_val_score,
    train_test_split,
)
from sklearn.pipeline import make_pipeline  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402

from benchmarks._common import (  # noqa: E402
    PROBLEMS,
    Problem,
    evaluate,
    pin_blas,
    summarize,
    to_scipy,
    to_tune,
    write_jsonl,
)
from sklearn_tune._hyperband import HyperbandSearchCV  # noqa: E402

RS = "RandomizedSearchCV"
PROBLEM_NAMES = ("hgb-digits", "sgd-20k", "mlp-digits")
STRATEGIES = ("random", "halving", "hyperband-random", "hyperband-bayes",
              "hyperband-warm")


def hgb_digits(max_iter):
    problem = PROBLEMS["hgb-digits"]()
    problem.make_estimator = lambda: HistGradientBoostingClassifier(
        max_iter=max_iter, random_state=0
    )
    problem.name = f"hgb-digits (max_iter={max_iter})"
    problem.resource = "max_iter"
    return problem


def sgd_classification(n_samples):
    X, y = make_classification(
        n_samples=n_samples, n_features=40, n_informative=10, n_redundant=10,
        class_sep=0.8, flip_y=0.05, random_state=0,
    )
    X_tr, X_te, y_tr, y_te = train_test_split(X, y, test_size=0.25, random_state=0,
                                              stratify=y)
    problem = Problem(
        f"sgd-{n_samples // 1000}k (n_samples)",
        lambda: make_pipeline(
            StandardScaler(), SGDClassifier(penalty="elasticnet", random_state=0)
        ),
        {
            "sgdclassifier__alpha": ("real", 1e-7, 1e-1, True),
            "sgdclassifier__l1_ratio": ("real", 0.0, 1.0, False),
            "sgdclassifier__loss": ("cat", ["hinge", "log_loss", "modified_huber"]),
            "sgdclassifier__average": ("cat", [False, True]),
        },
        X_tr, y_tr, X_te, y_te, cv=StratifiedKFold(5, shuffle=True, random_state=0),
    )
    problem.resource = "n_samples"
    return problem


def mlp_digits(max_iter):
    problem = PROBLEMS["hgb-digits"]()
    problem.name = f"mlp-digits (max_iter={max_iter})"
    problem.make_estimator = lambda: make_pipeline(
        StandardScaler(), MLPClassifier(max_iter=max_iter, random_state=0)
    )
    problem.space = {
        "mlpclassifier__alpha": ("real", 1e-6, 1e-1, True),
        "mlpclassifier__learning_rate_init": ("real", 1e-4, 1e-1, True),
        "mlpclassifier__hidden_layer_sizes": ("cat", [(16,), (64,), (128,)]),
    }
    problem.resource = "mlpclassifier__max_iter"
    return problem


def make_searches(problem, seed, strategies, n_random, n_hyperband,
                  min_resources="auto"):
    """The strategies asked for, by name, on the problem's folds and space."""
    common = dict(cv=problem.cv, n_jobs=1, random_state=seed)
    searches = {}
    if "random" in strategies:
        searches[rs_name(n_random)] = RandomizedSearchCV(
            problem.make_estimator(), to_scipy(problem.space), n_iter=n_random, **common
        )
    if "halving" in strategies:
        resource = {}
        if problem.resource != "n_samples":
            full = problem.make_estimator().get_params()[problem.resource]
            resource = dict(resource=problem.resource, max_resources=full)
        searches["HalvingRandomSearchCV"] = HalvingRandomSearchCV(
            problem.make_estimator(), to_scipy(problem.space), **resource, **common
        )
    for strategy, sampler, warm_start in [
        ("hyperband-random", "random", False),
        ("hyperband-bayes", "bayes", False),
        ("hyperband-warm", "random", True),
    ]:
        # Warm start continues an estimator parameter; n_samples is not one.
        if strategy in strategies and not (
            warm_start and problem.resource == "n_samples"
        ):
            warm = " warm_start" if warm_start else ""
            name = f"HyperbandSearchCV {sampler}{warm} n_iter={n_hyperband}"
            if min_resources != "auto":
                name += f" min_resources={min_resources}"
            searches[name] = HyperbandSearchCV(
                problem.make_estimator(), to_tune(problem.space), n_iter=n_hyperband,
                resource=problem.resource, min_resources=min_resources,
                sampler=sampler, warm_start=warm_start, **common,
            )
    return searches


def anytime_test(search, problem, row):
    """``[cpu spent, held-out score]`` of each full-resource candidate that
    became the best so far, in the order of evaluation, refitted."""
    fit_time, best = map(np.asarray, row["curve"])
    spent = row["cpu"] * fit_time / fit_time[-1]
    improved = np.flatnonzero(np.isfinite(best) & (best > np.r_[-np.inf, best[:-1]]))
    curve = []
    for i in improved:
        model = problem.make_estimator().set_params(**search.cv_results_["params"][i])
        model.fit(problem.X_train, problem.y_train)
        test = model.score(problem.X_test, problem.y_test)
        curve.append([float(spent[i]), float(test)])
    return curve


def full_resource_curve(search, problem):
    """Cumulative fit time and best score so far at the full resource, per
    row of ``cv_results_`` in the order of evaluation."""
    results = search.cv_results_
    n_splits = search.n_splits_
    cost = (results["mean_fit_time"] + results["mean_score_time"]) * n_splits
    if "n_resources" in results:
        full = problem.make_estimator().get_params().get(problem.resource)
        full = len(problem.X_train) if full is None else full
        # Halving's last round may stop a hair short of all the samples.
        at_full = results["n_resources"] >= 0.99 * full
    else:
        at_full = np.ones(len(cost), dtype=bool)
    scores = np.where(at_full, results["mean_test_score"], -np.inf)
    best = np.maximum.accumulate(np.nan_to_num(scores, nan=-np.inf))
    return np.cumsum(cost).tolist(), best.tolist()


def first_candidates(search, problem, row, n):
    """RandomizedSearchCV(n_iter=n) read off a longer run of the same seed:
    ParameterSampler draws in sequence, so its first n rows are exactly what
    n_iter=n evaluates. Its best is refitted here for the test score; CPU
    and wall time are prorated by the share of fit time."""
    results = search.cv_results_
    best = int(np.nanargmax(results["mean_test_score"][:n]))
    model = problem.make_estimator().set_params(**results["params"][best])
    model.fit(problem.X_train, problem.y_train)
    fit_time, scores = row["curve"]
    share = fit_time[n - 1] / fit_time[-1]
    return {
        **row,
        "strategy": rs_name(n),
        "best_cv": float(results["mean_test_score"][best]),
        "test": float(model.score(problem.X_test, problem.y_test)),
        "fit_time": fit_time[n - 1],
        "cpu": row["cpu"] * share,
        "wall": row["wall"] * share,
        "n_evals": n,
        "n_rows": n,
        "curve": [fit_time[:n], scores[:n]],
    }


def rs_name(n):
    return f"{RS} n_iter={n}"


def run(problem, seeds, strategies, n_random, n_small, n_hyperband, out=None,
        min_resources="auto"):
    rows = []
    for seed in seeds:
        seed_rows = []
        searches = make_searches(problem, seed, strategies, n_random, n_hyperband,
                                 min_resources)
        for strategy, search in searches.items():
            start = time.process_time()
            row = evaluate(search, problem, strategy=strategy, seed=seed)
            row["cpu"] = time.process_time() - start
            row["best_cv"] = float(search.best_score_)
            row["curve"] = full_resource_curve(search, problem)
            if strategy.startswith("HyperbandSearchCV"):
                row["anytime_test"] = anytime_test(search, problem, row)
            if getattr(search, "warm_start", False):
                row["cold_cv"] = float(cross_val_score(
                    problem.make_estimator().set_params(**search.best_params_),
                    problem.X_train, problem.y_train, cv=problem.cv,
                ).mean())
            seed_rows.append(row)
            print(f"  {problem.name} seed {seed} {strategy}: "
                  f"best_cv {row['best_cv']:.4f} test {row['test']:.4f} "
                  f"cpu {row['cpu']:.1f}s fit_time {row['fit_time']:.1f}s", flush=True)
            if strategy == rs_name(n_random):
                seed_rows.append(first_candidates(search, problem, row, n_small))
        if out is not None:
            write_jsonl(seed_rows, out)
        rows.extend(seed_rows)
    return rows


def add_ratios(rows):
    """Compare every row with each RandomizedSearchCV of its problem and
    seed; returns the n_iter values of those."""
    baselines = {}
    for row in rows:
        if row["strategy"].startswith(RS):
            n = int(row["strategy"].rsplit("=", 1)[1])
            baselines[row["problem"], row["seed"], n] = row
    ns = sorted({n for _, _, n in baselines})
    halving = {
        (row["problem"], row["seed"]): row["cpu"]
        for row in rows
        if row["strategy"] == "HalvingRandomSearchCV"
    }
    for row in rows:
        if "anytime_test" in row:
            budget = halving.get((row["problem"], row["seed"]), math.nan)
            within = [test for cpu, test in row["anytime_test"] if cpu <= budget]
            row["test@Halving"] = within[-1] if within else -math.inf
    for row in rows:
        fit_time, best = map(np.asarray, row["curve"])
        # CPU spent until each row, prorated by the cumulated fit time.
        spent = row["cpu"] * fit_time / fit_time[-1]
        for n in ns:
            base = baselines.get((row["problem"], row["seed"], n))
            if base is None:
                row[f"cpu/RS{n}"] = row[f"to_RS{n}"] = math.nan
                continue
            reached = np.flatnonzero(best >= base["best_cv"] - 1e-12)
            row[f"cpu/RS{n}"] = row["cpu"] / base["cpu"]
            row[f"to_RS{n}"] = (
                float(spent[reached[0]] / base["cpu"]) if len(reached) else math.inf
            )
    return ns


def print_tables(rows):
    ns = add_ratios(rows)
    metrics = ["best_cv", "test", "cpu"]
    if any("anytime_test" in row for row in rows):
        metrics.insert(2, "test@Halving")
    if any("cold_cv" in row for row in rows):
        metrics.insert(1, "cold_cv")
    for n in ns:
        metrics += [f"cpu/RS{n}", f"to_RS{n}"]
    summarize(rows, metrics=[*metrics, "fit_time", "wall", "n_evals", "n_rows"],
              baseline=None)
    print()
    for (name, strategy), group in _groups(rows).items():
        counts = ", ".join(
            f"RS{n}: {sum(math.isfinite(r[f'to_RS{n}']) for r in group)}/{len(group)}"
            for n in ns
        )
        print(f"{name} | {strategy} | seeds reaching the best CV score of {counts}")


def _groups(rows):
    groups = {}
    for row in rows:
        groups.setdefault((row["problem"], row["strategy"]), []).append(row)
    return groups


def _int_or_auto(value):
    return value if value == "auto" else int(value)


def main(argv=None):
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true",
                        help="smaller data and budgets, one seed (< 2 min)")
    parser.add_argument("--problems", nargs="+", default=list(PROBLEM_NAMES),
                        choices=list(PROBLEM_NAMES))
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--seed-offset", type=int, default=0)
    parser.add_argument("--strategies", nargs="+", default=list(STRATEGIES),
                        choices=list(STRATEGIES))
    parser.add_argument("--n-random", type=int, default=81,
                        help="n_iter of RandomizedSearchCV")
    parser.add_argument("--n-random-small", type=int, default=30,
                        help="n_iter of RandomizedSearchCV read off its first rows")
    parser.add_argument("--n-hyperband", type=int, default=69,
                        help="n_iter of HyperbandSearchCV (69: one round of 4 levels)")
    parser.add_argument("--min-resources", type=_int_or_auto, default="auto",
                        help="min_resources of HyperbandSearchCV (default: auto)")
    parser.add_argument("--out", type=Path, help="append rows to this JSON-lines file")
    parser.add_argument("--summarize", type=Path, nargs="+",
                        help="print the tables of JSON-lines files and exit")
    args = parser.parse_args(argv)
    if args.summarize:
        rows = [json.loads(line) for path in args.summarize
                for line in path.read_text().splitlines() if line.strip()]
        print_tables(rows)
        return
    pin_blas()
    # SGD stopped by max_iter on some configurations is part of the search.
    warnings.simplefilter("ignore", ConvergenceWarning)
    if args.quick:
        problems = {"hgb-digits": hgb_digits(9), "sgd-20k": sgd_classification(4000),
                    "mlp-digits": mlp_digits(9)}
        seeds, n_random, n_small, n_hyperband = range(1), 12, 6, 22
    else:
        problems = {"hgb-digits": hgb_digits(27), "sgd-20k": sgd_classification(20000),
                    "mlp-digits": mlp_digits(27)}
        seeds = range(args.seed_offset, args.seed_offset + args.seeds)
        n_random, n_small = args.n_random, args.n_random_small
        n_hyperband = args.n_hyperband
    rows = []
    for name in args.problems:
        rows.extend(run(problems[name], seeds, args.strategies, n_random, n_small,
                        n_hyperband, out=args.out, min_resources=args.min_resources))
    print(f"\nRandomizedSearchCV n_iter={n_random} (and its first {n_small}), "
          f"HyperbandSearchCV n_iter="
          f"{n_hyperband}, HalvingRandomSearchCV defaults; n_jobs=1, one thread, "
          f"medians over {len(seeds)} seeds\n")
    print_tables(rows)


if __name__ == "__main__":
    main()
