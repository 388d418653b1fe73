"""GradientSearchCV against the models' own CV estimators and grid/random search.

Run from the repository root::

    python -m benchmarks.bench_gradient            # 5 seeds
    python -m benchmarks.bench_gradient --quick    # smoke run, under 2 minutes

Problems, each over one log-scaled hyperparameter:

ridge-wide
    Ridge ``alpha`` in [1e-4, 1e4] on ``make_regression(600, 300)`` (50
    informative features, noise 10), 5-fold CV, negative MSE.
lasso-wide
    Lasso ``alpha`` in [1e-2, 1e2] on ``make_regression(600, 300)`` (20
    informative features, noise 10), 5-fold CV, negative MSE.
logistic-cancer
    ``StandardScaler + LogisticRegression`` ``C`` in [1e-4, 1e4] on the
    training part of ``load_breast_cancer`` (426 rows), stratified 5-fold
    CV, negative log-loss.

Strategies: GradientSearchCV (exact hypergradients, ``n_iter=10``: a fifth
of the grid's candidates), GridSearchCV over 50 log-spaced values,
RandomizedSearchCV at the same 10 candidates, and the model's own CV
estimator on the same 50 values (RidgeCV by efficient leave-one-out, LassoCV
and LogisticRegressionCV on the same folds).

Figures, medians over seeds (the seed drives the random and gradient
searches; the grid and the CV estimators are deterministic, their wall time
varies): ``best_cv``, the mean CV score on the shared folds of the
hyperparameter each method picked (for the CV estimators, scored afterwards,
untimed); ``gap``, how far ``best_cv`` falls short of the grid's best,
relative (negative: better than the grid); ``n_evals``, hyperparameter values
scored; ``n_fits``, model fits (``n_evals * folds`` for the searches and
LogisticRegressionCV, the path points for LassoCV, one decomposition for
RidgeCV's leave-one-out); ``wall``, seconds of ``fit``, refit included. One
BLAS thread, ``n_jobs=1``.
"""

import argparse
import time
import warnings

import numpy as np
from scipy.stats import loguniform
from sklearn.base import clone
from sklearn.datasets import load_breast_cancer, make_regression
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import (
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

from benchmarks._common import pin_blas, summarize, write_jsonl
from sklearn_tune._gradient import GradientSearchCV

N_GRID = 50
N_ITER = N_GRID // 5


def ridge_wide():
    X, y = make_regression(600, 300, n_informative=50, noise=10.0, random_state=0)
    return {
        "estimator": Ridge(),
        "param": "alpha",
        "range": (1e-4, 1e4),
        "X": X,
        "y": y,
        "cv": KFold(5, shuffle=True, random_state=0),
        "scoring": "neg_mean_squared_error",
        "native": lambda grid, cv: RidgeCV(
            alphas=grid, scoring="neg_mean_squared_error"
        ),
        "native_pick": lambda model: model.alpha_,
    }


def lasso_wide():
    X, y = make_regression(600, 300, n_informative=20, noise=10.0, random_state=0)
    return {
        "estimator": Lasso(max_iter=10_000),
        "param": "alpha",
        "range": (1e-2, 1e2),
        "X": X,
        "y": y,
        "cv": KFold(5, shuffle=True, random_state=0),
        "scoring": "neg_mean_squared_error",
        "native": lambda grid, cv: LassoCV(alphas=grid, cv=cv, max_iter=10_000),
        "native_pick": lambda model: model.alpha_,
    }


def logistic_cancer():
    X, y = load_breast_cancer(return_X_y=True)
    X, _, y, _ = train_test_split(X, y, test_size=0.25, random_state=0, stratify=y)
    return {
        "estimator": make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000)),
        "param": "logisticregression__C",
        "range": (1e-4, 1e4),
        "X": X,
        "y": y,
        "cv": StratifiedKFold(5, shuffle=True, random_state=0),
        "scoring": "neg_log_loss",
        # As users run it: the scaler sees the whole training part.
        "native": lambda grid, cv: make_pipeline(
            StandardScaler(),
            LogisticRegressionCV(Cs=grid, cv=cv, scoring="neg_log_loss", max_iter=1000),
        ),
        "native_pick": lambda model: float(np.ravel(model[-1].C_)[0]),
    }


PROBLEMS = {
    "ridge-wide": ridge_wide,
    "lasso-wide": lasso_wide,
    "logistic-cancer": logistic_cancer,
}
NATIVE = {
    "ridge-wide": "RidgeCV",
    "lasso-wide": "LassoCV",
    "logistic-cancer": "LogisticRegressionCV",
}


def run_search(search, problem):
    start = time.perf_counter()
    search.fit(problem["X"], problem["y"])
    wall = time.perf_counter() - start
    n_evals = len(search.cv_results_["params"])
    return search.best_score_, n_evals, n_evals * search.n_splits_, wall


def run_native(problem, grid):
    model = problem["native"](grid, problem["cv"])
    start = time.perf_counter()
    model.fit(problem["X"], problem["y"])
    wall = time.perf_counter() - start
    picked = clone(problem["estimator"]).set_params(
        **{problem["param"]: problem["native_pick"](model)}
    )
    best = cross_val_score(
        picked, problem["X"], problem["y"], cv=problem["cv"], scoring=problem["scoring"]
    ).mean()
    n_folds = problem["cv"].get_n_splits()
    # RidgeCV's leave-one-out scores every alpha from one decomposition.
    n_fits = 1 if isinstance(model, RidgeCV) else len(grid) * n_folds
    return best, len(grid), n_fits, wall


def one_seed(name, problem, seed):
    low, high = problem["range"]
    grid = np.logspace(np.log10(low), np.log10(high), N_GRID)
    space = {problem["param"]: loguniform(low, high)}
    common = dict(scoring=problem["scoring"], cv=problem["cv"])
    runs = {
        "GradientSearchCV": lambda: run_search(
            GradientSearchCV(
                problem["estimator"], space, n_iter=N_ITER, n_starts=1,
                n_initial_points=3, hypergradient="exact", random_state=seed, **common,
            ),
            problem,
        ),
        "GridSearchCV": lambda: run_search(
            GridSearchCV(problem["estimator"], {problem["param"]: grid}, **common),
            problem,
        ),
        "RandomizedSearchCV": lambda: run_search(
            RandomizedSearchCV(
                problem["estimator"], space, n_iter=N_ITER, random_state=seed, **common
            ),
            problem,
        ),
        NATIVE[name]: lambda: run_native(problem, grid),
    }
    rows = []
    for strategy, run in runs.items():
        best, n_evals, n_fits, wall = run()
        rows.append({
            "problem": name, "strategy": strategy, "seed": seed, "best_cv": best,
            "n_evals": n_evals, "n_fits": n_fits, "wall": wall,
        })
    grid_best = next(r["best_cv"] for r in rows if r["strategy"] == "GridSearchCV")
    for row in rows:
        row["gap"] = (grid_best - row["best_cv"]) / abs(grid_best)
    return rows


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smoke run: 1 seed")
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--problems", nargs="*", default=list(PROBLEMS))
    parser.add_argument("--out", help="append the rows to this JSON-lines file")
    args = parser.parse_args(argv)
    pin_blas()
    warnings.filterwarnings("ignore", category=ConvergenceWarning)
    # LogisticRegressionCV's notices about its attributes in scikit-learn 1.10.
    warnings.filterwarnings("ignore", category=FutureWarning)
    seeds = range(1 if args.quick else args.seeds)
    rows = []
    for name in args.problems:
        problem = PROBLEMS[name]()
        for seed in seeds:
            rows.extend(one_seed(name, problem, seed))
    summarize(rows, metrics=("best_cv", "gap", "n_evals", "n_fits", "wall"))
    if args.out:
        write_jsonl(rows, args.out)
    return rows


if __name__ == "__main__":
    main()
