"""GradientSearchCV against the models' own CV estimators and grid/random search.

Run from the repository root::

    python -m benchmarks.bench_gradient            # 5 seeds
    python -m benchmarks.bench_gradient --quick    # smoke run, under 2 minutes

Problems with exact hypergradients (5-fold CV, negative MSE unless said):

ridge-wide
    Ridge ``alpha`` in [1e-4, 1e4] on ``make_regression(600, 300)`` (50
    informative features, noise 10).
ridge-diabetes
    Ridge ``alpha`` in [1e-6, 1e3] on ``load_diabetes``.
lasso-wide
    Lasso ``alpha`` in [1e-2, 1e2] on ``make_regression(600, 300)`` (20
    informative features, noise 10).
elasticnet-wide
    ElasticNet ``alpha`` in [1e-2, 1e2] (log) and ``l1_ratio`` in [0.05, 1]
    on the same data as lasso-wide.
logistic-cancer
    ``StandardScaler + LogisticRegression`` ``C`` in [1e-4, 1e4] on the
    training part of ``load_breast_cancer`` (426 rows), stratified 5-fold
    CV, negative log-loss.
kernelridge-diabetes
    KernelRidge (RBF) ``alpha`` in [1e-4, 1e1] and ``gamma`` in [1e-3, 1e2],
    both log, on ``load_diabetes``.

Strategies: GradientSearchCV (``hypergradient="exact"``; 10 candidates in
one dimension, 30 in two), a grid of 50 log-spaced values per dimension
(GridSearchCV; for elasticnet-wide, ElasticNetCV over the same 50 x 50
values, which computes the grid along its regularisation path),
RandomizedSearchCV at GradientSearchCV's number of candidates, and the
model's own CV estimator on the grid's values where there is one (RidgeCV by
efficient leave-one-out, LassoCV and LogisticRegressionCV on the same
folds).

Black-box fallback (``--problems svc-digits``): SVC ``C`` in [1e-2, 1e3] and
``gamma`` in [1e-5, 1e-1] (log) on the training part of ``load_digits``,
stratified 3-fold CV, accuracy; GradientSearchCV with probed gradients
(``hypergradient="auto"``, SVC has no exact one) against RandomizedSearchCV
at 30 candidates each.

Figures, medians over seeds (the seed drives the random and gradient
searches; the grid and the CV estimators are deterministic and run once):
``best_cv``, the mean CV score on the shared folds of the hyperparameters
each method picked (for the CV estimators, scored afterwards, untimed);
``gap``, how far ``best_cv`` falls short of the grid's best, relative
(negative: better than the grid); ``n_evals``, hyperparameter values scored;
``n_fits``, model fits (``n_evals * folds`` for the searches and
LogisticRegressionCV, the path points for LassoCV and ElasticNetCV, one
decomposition for RidgeCV's leave-one-out); ``wall``, seconds of ``fit``,
refit included. One BLAS thread, ``n_jobs=1``.
"""
import argparse
import time
import warnings

import numpy as np
from scipy.stats import loguniform, uniform
from sklearn.base import clone
from sklearn.datasets import (
    load_breast_cancer,
    load_diabetes,
    load_digits,
    make_regression,
)
from sklearn.exceptions import ConvergenceWarning
from sklearn.kernel_ridge import KernelRidge
from sklearn.linear_model import (
    ElasticNet,
    ElasticNetCV,
    Lasso,
    LassoCV,
    LogisticRegression,
    LogisticRegressionCV,
    Ridge,
    RidgeCV,
)
from sklearn.model_selection import (
    GridSearchCV,
    KFold,
    RandomizedSearchCV,
    StratifiedKFold,
    cross_val_score,
    train_test_split,
)
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC

from benchmarks._common import pin_blas, summarize, write_jsonl
from sklearn_tune import GradientSearchCV

N_GRID = 50
N_GRID_QUICK = 8
# Candidates of GradientSearchCV and RandomizedSearchCV per dimension count:
# a fifth of a 50-point grid in one dimension, far less in two.
N_ITER = {1: N_GRID // 5, 2: 30}


def _wide(n_informative):
    return make_regression(600, 300, n_informative=n_informative, noise=10.0,
                           random_state=0)


def _regression(estimator, X, y, space, **extra):
    return {
        "estimator": estimator,
        "space": space,
        "X": X,
        "y": y,
        "cv": KFold(5, shuffle=True, random_state=0),
        "scoring": "neg_mean_squared_error",
        **extra,
    }


def ridge_wide():
    return _regression(
        Ridge(), *_wide(50), {"alpha": (1e-4, 1e4, True)},
        native=("RidgeCV", lambda grid, cv: RidgeCV(
            alphas=grid["alpha"], scoring="neg_mean_squared_error"
        ), lambda model: {"alpha": model.alpha_}),
    )


def ridge_diabetes():
    return _regression(
        Ridge(), *load_diabetes(return_X_y=True), {"alpha": (1e-6, 1e3, True)},
        native=("RidgeCV", lambda grid, cv: RidgeCV(
            alphas=grid["alpha"], scoring="neg_mean_squared_error"
        ), lambda model: {"alpha": model.alpha_}),
    )


def lasso_wide():
    return _regression(
        Lasso(max_iter=10_000), *_wide(20), {"alpha": (1e-2, 1e2, True)},
        native=("LassoCV", lambda grid, cv: LassoCV(
            alphas=grid["alpha"], cv=cv, max_iter=10_000
        ), lambda model: {"alpha": model.alpha_}),
    )


def elasticnet_wide():
    # A 50 x 50 GridSearchCV would take 12,500 fits; ElasticNetCV computes
    # the same grid along its path, so it stands in as the grid.
    return _regression(
        ElasticNet(max_iter=10_000), *_wide(20),
        {"alpha": (1e-2, 1e2, True), "l1_ratio": (0.05, 1.0, False)},
        grid_by_native=True,
        native=("ElasticNetCV", lambda grid, cv: ElasticNetCV(
            alphas=grid["alpha"], l1_ratio=grid["l1_ratio"], cv=cv, max_iter=10_000
        ), lambda model: {"alpha": model.alpha_, "l1_ratio": model.l1_ratio_}),
    )


def logistic_cancer():
    X, y = load_breast_cancer(return_X_y=True)
    X, _, y, _ = train_test_split(X, y, test_size=0.25, random_state=0, stratify=y)
    return {
        "estimator": make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000)),
        "space": {"logisticregression__C": (1e-4, 1e4, True)},
        "X": X,
        "y": y,
        "cv": StratifiedKFold(5, shuffle=True, random_state=0),
        "scoring": "neg_log_loss",
        # As users run it: the scaler sees the whole training part.
        "native": ("LogisticRegressionCV", lambda grid, cv: make_pipeline(
            StandardScaler(),
            LogisticRegressionCV(Cs=grid["logisticregression__C"], cv=cv,
                                 scoring="neg_log_loss", max_iter=1000),
        ), lambda model: {
            "logisticregression__C": float(np.ravel(model[-1].C_)[0])
        }),
    }


def kernelridge_diabetes():
    return _regression(
        KernelRidge(kernel="rbf"), *load_diabetes(return_X_y=True),
        {"alpha": (1e-4, 1e1, True), "gamma": (1e-3, 1e2, True)},
    )


def svc_digits():
    X, y = load_digits(return_X_y=True)
    X, _, y, _ = train_test_split(X / 16.0, y, test_size=0.25, random_state=0,
                                  stratify=y)
    return {
        "estimator": SVC(),
        "space": {"C": (1e-2, 1e3, True), "gamma": (1e-5, 1e-1, True)},
        "X": X,
        "y": y,
        "cv": StratifiedKFold(3, shuffle=True, random_state=0),
        "scoring": "accuracy",
        "blackbox": True,
    }


PROBLEMS = {
    "ridge-wide": ridge_wide,
    "ridge-diabetes": ridge_diabetes,
    "lasso-wide": lasso_wide,
    "elasticnet-wide": elasticnet_wide,
    "logistic-cancer": logistic_cancer,
    "kernelridge-diabetes": kernelridge_diabetes,
    "svc-digits": svc_digits,
}
DEFAULT_PROBLEMS = [name for name in PROBLEMS if name != "svc-digits"]


def distributions(space):
    return {
        name: loguniform(low, high) if log else uniform(low, high - low)
        for name, (low, high, log) in space.items()
    }


def grid_values(space, n):
    return {
        name: np.geomspace(low, high, n) if log else np.linspace(low, high, n)
        for name, (low, high, log) in space.items()
    }


def run_search(search, problem):
    start = time.perf_counter()
    search.fit(problem["X"], problem["y"])
    wall = time.perf_counter() - start
    n_evals = len(search.cv_results_["params"])
    return search.best_score_, n_evals, n_evals * search.n_splits_, wall


def run_native(problem, grid):
    _, make, pick = problem["native"]
    model = make(grid, problem["cv"])
    start = time.perf_counter()
    model.fit(problem["X"], problem["y"])
    wall = time.perf_counter() - start
    picked = clone(problem["estimator"]).set_params(**pick(model))
    best = cross_val_score(
        picked, problem["X"], problem["y"], cv=problem["cv"], scoring=problem["scoring"]
    ).mean()
    n_folds = problem["cv"].get_n_splits()
    # RidgeCV's leave-one-out scores every alpha from one decomposition.
    n_fits = 1 if isinstance(model, RidgeCV) else np.prod(
        [len(v) for v in grid.values()]
    ) * n_folds
    return best, int(np.prod([len(v) for v in grid.values()])), int(n_fits), wall


def reference_rows(name, problem, n_grid):
    """The deterministic methods: the grid and the model's own CV estimator."""
    if problem.get("blackbox"):
        return []
    grid = grid_values(problem["space"], n_grid)
    runs = {}
    if not problem.get("grid_by_native"):
        runs["GridSearchCV"] = lambda: run_search(
            GridSearchCV(problem["estimator"], {k: list(v) for k, v in grid.items()},
                         scoring=problem["scoring"], cv=problem["cv"]),
            problem,
        )
    if "native" in problem:
        runs[problem["native"][0]] = lambda: run_native(problem, grid)
    return [
        dict(zip(("best_cv", "n_evals", "n_fits", "wall"), run()),
             problem=name, strategy=strategy, seed=0)
        for strategy, run in runs.items()
    ]


def seeded_rows(name, problem, seed):
    space = distributions(problem["space"])
    common = dict(scoring=problem["scoring"], cv=problem["cv"])
    n_dims = len(space)
    n_iter = N_ITER[n_dims]
    gradient = GradientSearchCV(
        problem["estimator"], space, n_iter=n_iter, n_starts=n_dims,
        n_initial_points=3 * n_dims,
        hypergradient="auto" if problem.get("blackbox") else "exact",
        random_state=seed, **common,
    )
    randomized = RandomizedSearchCV(
        problem["estimator"], space, n_iter=n_iter, random_state=seed, **common
    )
    rows = []
    for strategy, search in (("GradientSearchCV", gradient),
                             ("RandomizedSearchCV", randomized)):
        best, n_evals, n_fits, wall = run_search(search, problem)
        rows.append({
            "problem": name, "strategy": strategy, "seed": seed, "best_cv": best,
            "n_evals": n_evals, "n_fits": n_fits, "wall": wall,
        })
    return rows


def add_gaps(rows):
    """Relative shortfall from the grid's best (GridSearchCV, or the CV
    estimator that computes the grid), per problem."""
    for name in {row["problem"] for row in rows}:
        mine = [row for row in rows if row["problem"] == name]
        reference = next(
            (row for row in mine
             if row["strategy"] in ("GridSearchCV", "ElasticNetCV")),
            None,
        )
        for row in mine:
            row["gap"] = (
                np.nan if reference is None
                else (reference["best_cv"] - row["best_cv"]) / abs(reference["best_cv"])
            )


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true",
                        help="smoke run: 1 seed, 8 grid points per dimension")
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--problems", nargs="*", default=DEFAULT_PROBLEMS,
                        choices=list(PROBLEMS))
    parser.add_argument("--out", help="append the rows to this JSON-lines file")
    args = parser.parse_args(argv)
    pin_blas()
    warnings.filterwarnings("ignore", category=ConvergenceWarning)
    # LogisticRegressionCV's notices about its attributes in scikit-learn 1.10.
    warnings.filterwarnings("ignore", category=FutureWarning)
    seeds = range(1 if args.quick else args.seeds)
    n_grid = N_GRID_QUICK if args.quick else N_GRID
    rows = []
    for name in args.problems:
        problem = PROBLEMS[name]()
        rows.extend(reference_rows(name, problem, n_grid))
        for seed in seeds:
            rows.extend(seeded_rows(name, problem, seed))
    add_gaps(rows)
    summarize(rows, metrics=("best_cv", "gap", "n_evals", "n_fits", "wall"))
    if args.out:
        write_jsonl(rows, args.out)
    return rows


if __name__ == "__main__":
    main()
