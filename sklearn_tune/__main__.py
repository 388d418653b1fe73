"""``python -m sklearn_tune``: tune an SVC on the digits data with every
sklearn-tune strategy next to GridSearchCV and RandomizedSearchCV, at the
same budget, and print what each found and what it cost."""

import argparse
import inspect
import time
import warnings

import numpy as np
from scipy.stats import loguniform
from sklearn.datasets import load_digits
from sklearn.model_selection import (
    GridSearchCV,
    RandomizedSearchCV,
    StratifiedKFold,
    train_test_split,
)
from sklearn.svm import SVC

import sklearn_tune
from sklearn_tune import BaseTuneSearchCV, Real


def _strategies():
    """Every public search class of sklearn_tune, in the order of __all__."""
    return [
        getattr(sklearn_tune, name)
        for name in sklearn_tune.__all__
        if inspect.isclass(getattr(sklearn_tune, name))
        and issubclass(getattr(sklearn_tune, name), BaseTuneSearchCV)
        and not inspect.isabstract(getattr(sklearn_tune, name))
    ]


def _searches(budget, cv, n_jobs, seed):
    grid_side = int(np.sqrt(budget))
    yield "GridSearchCV", GridSearchCV(
        SVC(),
        {"C": np.logspace(-2, 3, grid_side), "gamma": np.logspace(-4, 0, grid_side)},
        cv=cv,
        n_jobs=n_jobs,
    )
    yield "RandomizedSearchCV", RandomizedSearchCV(
        SVC(),
        {"C": loguniform(1e-2, 1e3), "gamma": loguniform(1e-4, 1e0)},
        n_iter=budget,
        cv=cv,
        n_jobs=n_jobs,
        random_state=seed,
    )
    space = {"C": Real(1e-2, 1e3, log=True), "gamma": Real(1e-4, 1e0, log=True)}
    for cls in _strategies():
        yield cls.__name__, cls(
            SVC(), space, n_iter=budget, cv=cv, n_jobs=n_jobs, random_state=seed
        )


def main(argv=None):
    parser = argparse.ArgumentParser(
        prog="python -m sklearn_tune",
        description="Tune an SVC (C, gamma) on the digits data with each search.",
    )
    parser.add_argument("--budget", type=int, default=25, help="evaluations each")
    parser.add_argument("--n-jobs", type=int, default=-1)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)

    X, y = load_digits(return_X_y=True)
    X_train, X_test, y_train, y_test = train_test_split(
        X / 16.0, y, test_size=0.25, random_state=0, stratify=y
    )
    cv = StratifiedKFold(3, shuffle=True, random_state=0)
    print(
        f"sklearn-tune {sklearn_tune.__version__}: SVC(C, gamma) on digits, "
        f"{len(X_train)} training and {len(X_test)} held-out samples, 3-fold CV, "
        f"budget {args.budget} evaluations.\n"
    )
    header = f"{'strategy':<24}{'best CV':>9}{'test':>9}{'evals':>7}{'seconds':>9}"
    print(header)
    print("-" * len(header))
    for name, search in _searches(args.budget, cv, args.n_jobs, args.seed):
        start = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            search.fit(X_train, y_train)
        seconds = time.perf_counter() - start
        print(
            f"{name:<24}{search.best_score_:>9.4f}"
            f"{search.score(X_test, y_test):>9.4f}"
            f"{len(search.cv_results_['params']):>7d}{seconds:>9.1f}"
        )


if __name__ == "__main__":
    main()
