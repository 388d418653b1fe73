"""GridSearchCV grids as ordered lists against the same lists one-hot, for
BayesSearchCV and EvolutionarySearchCV, side by side with GridSearchCV in
one run (issue #27).

Each problem is a GridSearchCV-style grid: 4 parameters, 4 to 8 numbers
each. GridSearchCV scores
every grid point once; each strategy then runs with ``n_iter`` a third of
the grid, once with the lists as written (ordered, the default) and once
with every list wrapped in ``Categorical(..., ordered=False)`` (the one-hot
behaviour before ordered lists). All searches use the same folds and
scorer, so a strategy's scores are the grid's scores of the same points.

Figures (medians over seeds, one BLAS thread, n_jobs=1):

1. Best CV score after ``n_iter`` evaluations, ordered against one-hot.
2. Whether and when each search reaches GridSearchCV's best score (the
   number of evaluations; ``-`` when it does not within ``n_iter``), as a
   fraction of the grid's size.

Seeds: 0, 1, 2, 3, 4 (``--seeds 5``), chosen before the run.

    python -m benchmarks.bench_ordinal --quick
    python -m benchmarks.bench_ordinal [--problems ...] [--seeds 5]
"""

import argparse
import math
import time
import warnings

import numpy as np
from sklearn.datasets import load_breast_cancer, load_diabetes
from sklearn.ensemble import RandomForestClassifier
from sklearn.linear_model import ElasticNet
from sklearn.model_selection import GridSearchCV, KFold, StratifiedKFold
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC

from benchmarks._common import pin_blas
from sklearn_tune import BayesSearchCV, Categorical, EvolutionarySearchCV

STRATEGIES = {"bayes": BayesSearchCV, "evolution": EvolutionarySearchCV}


def _elasticnet():
    X, y = load_diabetes(return_X_y=True)
    estimator = make_pipeline(StandardScaler(), ElasticNet())
    grid = {
        "elasticnet__alpha": [1e-4, 1e-3, 3e-3, 0.01, 0.03, 0.1, 0.3, 1.0],
        "elasticnet__l1_ratio": [0.05, 0.1, 0.3, 0.5, 0.7, 0.9],
        "elasticnet__tol": [1e-4, 1e-3, 1e-2, 1e-1],
        "elasticnet__max_iter": [20, 50, 200, 1000],
    }
    return estimator, grid, X, y, KFold(3, shuffle=True, random_state=0), "r2"


def _svc():
    X, y = load_breast_cancer(return_X_y=True)
    estimator = make_pipeline(StandardScaler(), SVC(kernel="poly", max_iter=20000))
    grid = {
        "svc__C": [0.01, 0.03, 0.1, 0.3, 1, 3, 10, 100],
        "svc__gamma": [0.001, 0.003, 0.01, 0.03, 0.1, 0.3],
        "svc__degree": [1, 2, 3, 4],
        "svc__coef0": [0.0, 0.1, 1.0, 10.0],
    }
    return estimator, grid, X, y, StratifiedKFold(3, shuffle=True, random_state=0), (
        "accuracy"
    )


def _forest():
    X, y = load_breast_cancer(return_X_y=True)
    estimator = RandomForestClassifier(random_state=0)
    grid = {
        "n_estimators": [5, 10, 20, 40],
        "max_depth": [2, 3, 5, 8],
        "min_samples_leaf": [1, 2, 4, 8],
        "max_features": [0.1, 0.2, 0.4, 0.7],
    }
    return estimator, grid, X, y, StratifiedKFold(3, shuffle=True, random_state=0), (
        "accuracy"
    )


PROBLEMS = {"elasticnet-diabetes": _elasticnet, "svc-poly-cancer": _svc,
            "forest-cancer": _forest}


def one_hot(grid):
    """The grid with every list unordered, as lists were before."""
    return {name: Categorical(values, ordered=False) for name, values in grid.items()}


def run_grid(problem):
    estimator, grid, X, y, cv, scoring = PROBLEMS[problem]()
    start = time.perf_counter()
    search = GridSearchCV(estimator, grid, cv=cv, scoring=scoring, refit=False).fit(X, y)
    scores = search.cv_results_["mean_test_score"]
    return {
        "size": len(scores),
        "best": float(np.max(scores)),
        "seconds": time.perf_counter() - start,
    }


def run_search(problem, strategy, ordered, n_iter, seed):
    estimator, grid, X, y, cv, scoring = PROBLEMS[problem]()
    space = grid if ordered else one_hot(grid)
    search = STRATEGIES[strategy](
        estimator, space, n_iter=n_iter, cv=cv, scoring=scoring, refit=False,
        random_state=seed,
    ).fit(X, y)
    # Rows are in evaluation order: the running best after each one.
    trace = np.fmax.accumulate(np.nan_to_num(search.cv_results_["mean_test_score"],
                                             nan=-np.inf))
    return trace


def evaluations_to(trace, target):
    reached = np.flatnonzero(trace >= target - 1e-12)
    return int(reached[0]) + 1 if reached.size else None


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true",
                        help="one problem, one seed, a few evaluations")
    parser.add_argument("--problems", nargs="+", default=list(PROBLEMS),
                        choices=list(PROBLEMS))
    parser.add_argument("--seeds", type=int, default=5)
    args = parser.parse_args(argv)
    pin_blas()
    warnings.filterwarnings("ignore")  # convergence warnings of the grid's corners
    problems = ["elasticnet-diabetes"] if args.quick else args.problems
    seeds = range(1 if args.quick else args.seeds)
    verdicts = []
    for problem in problems:
        grid = run_grid(problem)
        n_iter = 12 if args.quick else math.ceil(grid["size"] / 3)
        print(f"\n== {problem}: grid of {grid['size']}, GridSearchCV best "
              f"{grid['best']:.5f} ({grid['seconds']:.0f} s); n_iter={n_iter}, "
              f"seeds {list(seeds)}")
        print(f"{'search':<22}{'median best':>12}{'reached':>9}"
              f"{'median evals to grid best':>27}")
        medians = {}
        for strategy in STRATEGIES:
            for ordered in (True, False):
                traces = [run_search(problem, strategy, ordered, n_iter, seed)
                          for seed in seeds]
                bests = [trace[-1] for trace in traces]
                hits = [evaluations_to(trace, grid["best"]) for trace in traces]
                reached = [h for h in hits if h is not None]
                # A seed that never reached counts as more than n_iter.
                evals = np.median([h if h is not None else math.inf for h in hits])
                label = f"{strategy} {'ordered' if ordered else 'one-hot'}"
                medians[label] = float(np.median(bests))
                shown = (f"{evals:.0f} ({evals / grid['size']:.2f} of grid)"
                         if math.isfinite(evals) else "-")
                print(f"{label:<22}{medians[label]:>12.5f}"
                      f"{len(reached):>5}/{len(traces):<3}{shown:>27}")
                if ordered:
                    verdicts.append((problem, strategy, "reaches grid best at <= 1/3",
                                     math.isfinite(evals)))
            verdicts.append((problem, strategy, "ordered >= one-hot",
                             medians[f"{strategy} ordered"]
                             >= medians[f"{strategy} one-hot"]))
    print("\n== figures")
    for problem, strategy, figure, met in verdicts:
        print(f"{problem:<22}{strategy:<11}{figure:<30}{'yes' if met else 'no'}")
    for strategy in STRATEGIES:
        n = sum(met for _, s, f, met in verdicts
                if s == strategy and f.startswith("reaches"))
        print(f"{strategy}: reaches GridSearchCV's best at <= 1/3 of its "
              f"evaluations (median) on {n} of {len(problems)} problems")


if __name__ == "__main__":
    main()
