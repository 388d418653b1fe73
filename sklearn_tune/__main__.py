"""``python -m sklearn_tune``: a GridSearchCV grid handed as is to each
sklearn-tune strategy with a third of the grid's budget, next to
GridSearchCV and RandomizedSearchCV, printing what each found and what its
fits cost.

The problem is a pipeline (scaling, univariate feature selection, RBF SVC)
on a seeded synthetic classification set of 2400 rows (8 informative
features among 40; 1000 with ``--quick``), where one to four of the
grid's 180 points come within 0.002 of its best CV score (seeds 0-4).
Every search uses the same folds, so the scores of a grid point are the
same in every search: the searches differ only in which points they fit
and in what order.
"""

import argparse
import inspect
import time
import warnings

import numpy as np
from sklearn.datasets import make_classification
from sklearn.feature_selection import SelectKBest, f_classif
from sklearn.model_selection import (
    GridSearchCV,
    RandomizedSearchCV,
    StratifiedKFold,
    train_test_split,
)
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC

import sklearn_tune
from sklearn_tune import BaseTuneSearchCV, GradientSearchCV, HyperbandSearchCV

# How close to GridSearchCV's best CV score a search must come to count as
# having reached it; well below the standard error of a CV accuracy here.
TOLERANCE = 0.002

# The user's GridSearchCV grid: three numeric lists, 5 * 6 * 6 = 180 points.
GRID = {
    "selectkbest__k": [4, 8, 12, 20, 40],
    "svc__C": [0.1, 0.3, 1, 3, 10, 30],
    "svc__gamma": [0.003, 0.01, 0.03, 0.1, 0.3, 1.0],
}


def _strategies():
    """Every public search class of sklearn_tune, in the order of __all__."""
    return [
        getattr(sklearn_tune, name)
        for name in sklearn_tune.__all__
        if inspect.isclass(getattr(sklearn_tune, name))
        and issubclass(getattr(sklearn_tune, name), BaseTuneSearchCV)
        and not inspect.isabstract(getattr(sklearn_tune, name))
    ]


def _data(quick, seed):
    """A seeded synthetic set: 8 informative features among 40."""
    X, y = make_classification(
        n_samples=1000 if quick else 2400,
        n_features=40,
        n_informative=8,
        n_redundant=4,
        flip_y=0.05,
        class_sep=0.8,
        random_state=seed,
    )
    return train_test_split(X, y, test_size=0.25, random_state=seed, stratify=y)


def _searches(grid, n_iter, n_samples, cv, n_jobs, seed):
    estimator = make_pipeline(StandardScaler(), SelectKBest(f_classif), SVC())
    common = dict(cv=cv, n_jobs=n_jobs)
    yield GridSearchCV(estimator, grid, **common)
    yield RandomizedSearchCV(
        estimator, grid, n_iter=n_iter, random_state=seed, **common
    )
    for cls in _strategies():
        if cls is GradientSearchCV:
            continue
        kwargs = dict(n_iter=n_iter, random_state=seed, **common)
        if cls is HyperbandSearchCV:
            # Fits on subsamples of the training folds; spends at most the
            # samples of n_iter full fits.
            kwargs.update(resource="n_samples", n_iter=10 * n_iter,
                          budget=n_iter * n_samples)  # fmt: skip
        yield cls(estimator, grid, **kwargs)


def _costs(search, n_samples):
    """Per row of cv_results_, in the order evaluated: seconds of fitting,
    full-resource-equivalent evaluations, and whether it had the full
    resource."""
    results = search.cv_results_
    fit_seconds = np.asarray(results["mean_fit_time"]) * search.n_splits_
    if "n_resources" in results:
        evals = np.asarray(results["n_resources"], dtype=float) / n_samples
    else:
        evals = np.ones(len(fit_seconds))
    return fit_seconds, evals, evals >= 1


def _to_target(search, target, fit_seconds, evals, full):
    """Seconds of fitting and evaluations until the first full-resource row
    scoring at least target, or None."""
    scores = np.asarray(search.cv_results_["mean_test_score"])
    reached = np.flatnonzero(full & (scores >= target))
    if not len(reached):
        return None
    return fit_seconds[: reached[0] + 1].sum(), evals[: reached[0] + 1].sum()


def _conclusion(rows, grid_name):
    """One line from the numbers: which searches reached the grid's best CV
    score, after what share of its evaluations and fit time."""
    grid = rows[grid_name]
    parts = []
    for name, row in rows.items():
        if name == grid_name:
            continue
        if row["reached"] is None:
            parts.append(f"{name} did not reach it (best {row['best']:.4f})")
            continue
        seconds, evals = row["reached"]
        parts.append(
            f"{name} reached it after {evals:.0f} evaluations and "
            f"{seconds / grid['fit']:.0%} of that fit time"
        )
    better = [name for name, row in rows.items() if row["best"] > grid["best"]]
    return (
        f"GridSearchCV's best CV {grid['best']:.4f} ({grid['n_near']} of its "
        f"{grid['evals']:.0f} points within {TOLERANCE} of it) took "
        f"{grid['fit']:.1f} s of fitting; "
        + "; ".join(parts)
        + "."
        + (f" Above it: {', '.join(better)}." if better else "")
    )


def main(argv=None):
    parser = argparse.ArgumentParser(
        prog="python -m sklearn_tune",
        description=(
            "Hand a GridSearchCV grid to each sklearn-tune strategy with a third "
            "of its evaluations, next to GridSearchCV and RandomizedSearchCV."
        ),
    )
    parser.add_argument(
        "--quick", action="store_true", help="1000 rows instead of 2400 (seconds)"
    )
    parser.add_argument("--n-jobs", type=int, default=-1)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)

    grid = GRID
    grid_size = int(np.prod([len(values) for values in grid.values()]))
    n_iter = grid_size // 3
    X_train, X_test, y_train, y_test = _data(args.quick, args.seed)
    n_samples = len(X_train)
    cv = StratifiedKFold(3, shuffle=True, random_state=args.seed)
    print(
        f"sklearn-tune {sklearn_tune.__version__}: StandardScaler -> SelectKBest "
        f"-> SVC on a synthetic set (seed {args.seed}), {n_samples} training and "
        f"{len(X_test)} held-out rows, 3-fold CV.\nThe GridSearchCV grid "
        f"({grid_size} points) is {grid}; each other search gets the same lists "
        f"and {n_iter} evaluations (HyperbandSearchCV: fits on subsamples, "
        f"{n_iter} full fits' worth of samples).\n"
    )
    header = (
        f"{'search':<22}{'best CV':>9}{'held-out':>10}{'evals':>8}"
        f"{'fit s':>8}{'fit s to grid best':>20}{'wall s':>8}"
    )
    print(header)
    print("-" * len(header))
    rows = {}
    for search in _searches(grid, n_iter, n_samples, cv, args.n_jobs, args.seed):
        name = type(search).__name__
        start = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            search.fit(X_train, y_train)
        wall = time.perf_counter() - start
        fit_seconds, evals, full = _costs(search, n_samples)
        # GridSearchCV runs first: its best is the target of every search.
        target = rows["GridSearchCV"]["best"] if rows else search.best_score_
        reached = _to_target(search, target - TOLERANCE, fit_seconds, evals, full)
        scores = search.cv_results_["mean_test_score"]
        rows[name] = row = dict(
            best=search.best_score_, evals=evals.sum(), fit=fit_seconds.sum(),
            reached=reached, test=search.score(X_test, y_test),
            n_near=int(np.sum(full & (scores >= target - TOLERANCE))),
        )  # fmt: skip
        to_best = "-" if reached is None else f"{reached[0]:.1f}"
        print(
            f"{name:<22}{row['best']:>9.4f}{row['test']:>10.4f}{row['evals']:>8.1f}"
            f"{row['fit']:>8.1f}{to_best:>20}{wall:>8.1f}",
            flush=True,
        )
    print(
        f"\nevals: full-resource-equivalent evaluations (HyperbandSearchCV: sum "
        f"of n_resources / {n_samples}). fit s: sum of mean_fit_time * n_splits "
        "over the rows of cv_results_; 'fit s to grid best': the same sum up to "
        f"the first full-resource row within {TOLERANCE} of GridSearchCV's best "
        "CV, rows in the order evaluated (GridSearchCV: the grid's order).\n"
        "GradientSearchCV is left out: it climbs continuous hyperparameters "
        "(exact hypergradients for Ridge, LogisticRegression, KernelRidge, "
        "Lasso and ElasticNet), not a grid of lists."
    )
    print("\n" + _conclusion(rows, "GridSearchCV"))


if __name__ == "__main__":
    main()
