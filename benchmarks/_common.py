"""Shared pieces of the benchmark scripts: problems, spaces for every peer,
one-thread BLAS, and the figures and tables every script prints.

A space is written once, in a neutral form, and converted for each library:
a dict from parameter name to one of

- ``("real", low, high, log)``
- ``("int", low, high, log)``
- ``("cat", [choices])``
"""

import json
import math
import time
from dataclasses import dataclass, field

import numpy as np
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.model_selection import KFold, StratifiedKFold, train_test_split

__all__ = [
    "ANALYTIC",
    "AnalyticFunction",
    "PROBLEMS",
    "Problem",
    "analytic_problem",
    "analytic_space",
    "evaluate",
    "pin_blas",
    "summarize",
    "to_ga",
    "to_optuna",
    "to_scipy",
    "to_skopt",
    "to_tune",
    "write_jsonl",
]


def pin_blas():
    """Limit BLAS and OpenMP to one thread for the rest of the process."""
    from threadpoolctl import threadpool_limits

    return threadpool_limits(limits=1)


# ---------------------------------------------------------------- analytic ---


def _branin(x):
    x1, x2 = x
    b, c = 5.1 / (4 * math.pi**2), 5 / math.pi
    r, s, t = 6.0, 10.0, 1 / (8 * math.pi)
    return (x2 - b * x1**2 + c * x1 - r) ** 2 + s * (1 - t) * math.cos(x1) + s


_H6_A = np.array(
    [
        [10, 3, 17, 3.5, 1.7, 8],
        [0.05, 10, 17, 0.1, 8, 14],
        [3, 3.5, 1.7, 10, 17, 8],
        [17, 8, 0.05, 10, 0.1, 14],
    ]
)
_H6_P = 1e-4 * np.array(
    [
        [1312, 1696, 5569, 124, 8283, 5886],
        [2329, 4135, 8307, 3736, 1004, 9991],
        [2348, 1451, 3522, 2883, 3047, 6650],
        [4047, 8828, 8732, 5743, 1091, 381],
    ]
)
_H6_ALPHA = np.array([1.0, 1.2, 3.0, 3.2])


def _hartmann6(x):
    x = np.asarray(x)
    return -float(_H6_ALPHA @ np.exp(-np.sum(_H6_A * (x - _H6_P) ** 2, axis=1)))


def _rastrigin(x):
    x = np.asarray(x)
    return float(10 * len(x) + np.sum(x**2 - 10 * np.cos(2 * np.pi * x)))


#: name -> (function to minimise, bounds per dimension, global minimum)
ANALYTIC = {
    "branin": (_branin, [(-5.0, 10.0), (0.0, 15.0)], 0.397887),
    "hartmann6": (_hartmann6, [(0.0, 1.0)] * 6, -3.32237),
    "rastrigin": (_rastrigin, [(-5.12, 5.12)] * 4, 0.0),
}


class AnalyticFunction(RegressorMixin, BaseEstimator):
    """An estimator whose CV score is minus an analytic function of its params.

    ``fit`` does nothing; ``score`` returns ``-f(x0, ..., x{d-1})`` plus, with
    ``noise > 0``, Gaussian noise seeded by the parameters and the test fold,
    so that a point's score is reproducible but noisy across points. Lets the
    real search classes, with their CV and parallelism, run on functions whose
    optimum is known.
    """

    def __init__(self, function="branin", noise=0.0, x0=0.0, x1=0.0, x2=0.0,
                 x3=0.0, x4=0.0, x5=0.0):
        self.function = function
        self.noise = noise
        self.x0, self.x1, self.x2, self.x3, self.x4, self.x5 = x0, x1, x2, x3, x4, x5

    def _point(self):
        dims = len(ANALYTIC[self.function][1])
        return [float(getattr(self, f"x{i}")) for i in range(dims)]

    def fit(self, X, y=None):
        self.n_features_in_ = np.asarray(X).shape[1]
        return self

    def predict(self, X):
        return np.zeros(len(X))

    def score(self, X, y=None, sample_weight=None):
        x = self._point()
        value = -ANALYTIC[self.function][0](x)
        if self.noise:
            seed = abs(hash((tuple(np.round(x, 12)), len(X), float(np.sum(X))))) % 2**32
            value += self.noise * np.random.default_rng(seed).standard_normal()
        return value


def analytic_space(name):
    """Neutral space of an analytic function: x_i real within its bounds."""
    return {f"x{i}": ("real", lo, hi, False) for i, (lo, hi) in enumerate(ANALYTIC[name][1])}


# ------------------------------------------------------------------ problems --


@dataclass
class Problem:
    """A tuning problem: estimator, data split, neutral space, fixed folds."""

    name: str
    make_estimator: object
    space: dict
    X_train: np.ndarray
    y_train: np.ndarray
    X_test: np.ndarray = None
    y_test: np.ndarray = None
    cv: object = field(default_factory=lambda: KFold(5, shuffle=True, random_state=0))
    scoring: object = None
    optimum: float = None


def analytic_problem(name, noise=0.0):
    """Problem over an analytic function (best CV score is minus its minimum)."""
    X = np.zeros((20, 1))
    return Problem(
        name=f"{name}{'-noisy' if noise else ''}",
        make_estimator=lambda: AnalyticFunction(function=name, noise=noise),
        space=analytic_space(name),
        X_train=X,
        y_train=np.zeros(20),
        cv=KFold(2),
        optimum=-ANALYTIC[name][2],
    )


def _split(X, y, stratify=True):
    return train_test_split(
        X, y, test_size=0.25, random_state=0, stratify=y if stratify else None
    )


def _svc_digits():
    from sklearn.datasets import load_digits
    from sklearn.svm import SVC

    X, y = load_digits(return_X_y=True)
    X_tr, X_te, y_tr, y_te = _split(X / 16.0, y)
    return Problem(
        "svc-digits", SVC, {"C": ("real", 1e-3, 1e3, True), "gamma": ("real", 1e-5, 1e1, True)},
        X_tr, y_tr, X_te, y_te, cv=StratifiedKFold(5, shuffle=True, random_state=0),
    )


def _kernel_ridge_diabetes():
    from sklearn.datasets import load_diabetes
    from sklearn.kernel_ridge import KernelRidge

    X, y = load_diabetes(return_X_y=True)
    X_tr, X_te, y_tr, y_te = _split(X, y, stratify=False)
    return Problem(
        "kernelridge-diabetes", lambda: KernelRidge(kernel="rbf"),
        {"alpha": ("real", 1e-4, 1e1, True), "gamma": ("real", 1e-3, 1e2, True)},
        X_tr, y_tr, X_te, y_te,
    )


def _hgb_digits():
    from sklearn.datasets import load_digits
    from sklearn.ensemble import HistGradientBoostingClassifier

    X, y = load_digits(return_X_y=True)
    X_tr, X_te, y_tr, y_te = _split(X, y)
    return Problem(
        "hgb-digits", lambda: HistGradientBoostingClassifier(max_iter=50, random_state=0),
        {
            "learning_rate": ("real", 1e-2, 1.0, True),
            "max_leaf_nodes": ("int", 4, 64, True),
            "min_samples_leaf": ("int", 2, 64, True),
            "l2_regularization": ("real", 1e-6, 10.0, True),
        },
        X_tr, y_tr, X_te, y_te, cv=StratifiedKFold(3, shuffle=True, random_state=0),
    )


def _logistic_cancer():
    from sklearn.datasets import load_breast_cancer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    X, y = load_breast_cancer(return_X_y=True)
    X_tr, X_te, y_tr, y_te = _split(X, y)
    return Problem(
        "logistic-cancer",
        lambda: make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000)),
        {"logisticregression__C": ("real", 1e-4, 1e4, True)},
        X_tr, y_tr, X_te, y_te, cv=StratifiedKFold(5, shuffle=True, random_state=0),
    )


#: name -> function building the Problem (data loads only when asked for)
PROBLEMS = {
    "svc-digits": _svc_digits,
    "kernelridge-diabetes": _kernel_ridge_diabetes,
    "hgb-digits": _hgb_digits,
    "logistic-cancer": _logistic_cancer,
}


# ---------------------------------------------------------------- converters --


def to_tune(space):
    """Neutral space -> sklearn_tune dimensions."""
    from sklearn_tune import Categorical, Integer, Real

    kinds = {"real": Real, "int": Integer}
    return {
        name: Categorical(spec[1]) if spec[0] == "cat"
        else kinds[spec[0]](spec[1], spec[2], log=spec[3])
        for name, spec in space.items()
    }


def to_scipy(space):
    """Neutral space -> scipy.stats distributions and lists (RandomizedSearchCV)."""
    from scipy.stats import loguniform, randint, uniform

    out = {}
    for name, spec in space.items():
        if spec[0] == "cat":
            out[name] = list(spec[1])
        elif spec[0] == "real":
            lo, hi = spec[1], spec[2]
            out[name] = loguniform(lo, hi) if spec[3] else uniform(lo, hi - lo)
        elif spec[3]:
            # scipy has no log-uniform integer: sample log-uniformly on the
            # integer cells, as sklearn_tune.Integer(log=True) does.
            from sklearn_tune import Integer

            out[name] = Integer(spec[1], spec[2], log=True)
        else:
            out[name] = randint(spec[1], spec[2] + 1)
    return out


def to_skopt(space):
    """Neutral space -> scikit-optimize dimensions."""
    from skopt.space import Categorical, Integer, Real

    out = {}
    for name, spec in space.items():
        if spec[0] == "cat":
            out[name] = Categorical(list(spec[1]))
        else:
            cls = Real if spec[0] == "real" else Integer
            out[name] = cls(spec[1], spec[2], prior="log-uniform" if spec[3] else "uniform")
    return out


def to_optuna(space):
    """Neutral space -> optuna distributions (OptunaSearchCV)."""
    from optuna.distributions import (
        CategoricalDistribution,
        FloatDistribution,
        IntDistribution,
    )

    out = {}
    for name, spec in space.items():
        if spec[0] == "cat":
            out[name] = CategoricalDistribution(list(spec[1]))
        elif spec[0] == "real":
            out[name] = FloatDistribution(spec[1], spec[2], log=spec[3])
        else:
            out[name] = IntDistribution(spec[1], spec[2], log=spec[3])
    return out


def ga_can_express(space):
    """Whether GASearchCV can search `space`: its ``Integer`` only draws
    uniformly, so a log-uniform integer would silently become another space."""
    return not any(spec[0] == "int" and spec[3] for spec in space.values())


def to_ga(space):
    """Neutral space -> sklearn-genetic-opt dimensions (GASearchCV)."""
    if not ga_can_express(space):
        raise ValueError(
            "GASearchCV cannot draw log-uniform integers; make them uniform "
            "for every strategy or leave GASearchCV out of this problem."
        )
    from sklearn_genetic.space import Categorical, Continuous, Integer

    out = {}
    for name, spec in space.items():
        if spec[0] == "cat":
            out[name] = Categorical(list(spec[1]))
        elif spec[0] == "real":
            dist = "log-uniform" if spec[3] else "uniform"
            out[name] = Continuous(spec[1], spec[2], distribution=dist)
        else:
            out[name] = Integer(spec[1], spec[2])
    return out


# ------------------------------------------------------------------- figures --


def evaluate(search, problem, **labels):
    """Fit `search` on the problem's training part and return its figures.

    Returns a dict with the labels and: ``best_cv`` (best mean CV score),
    ``test`` (held-out score of the refitted model, NaN without a test part),
    ``n_evals`` (distinct candidates evaluated), ``fit_time`` (sum of fit and
    score times over all folds), ``wall`` and ``overhead`` (wall time minus
    the time spent in fits divided by the number of parallel workers;
    with n_jobs=1 this is the optimizer's own time).
    """
    start = time.perf_counter()
    search.fit(problem.X_train, problem.y_train)
    wall = time.perf_counter() - start
    results = search.cv_results_
    n_splits = sum(1 for k in results if k.startswith("split") and k.endswith("_test_score"))
    fit_time = float(
        np.sum(results["mean_fit_time"]) * n_splits
        + np.sum(results["mean_score_time"]) * n_splits
    )
    refit_time = getattr(search, "refit_time_", 0.0) or 0.0
    n_workers = getattr(search, "n_jobs", None) or 1
    test = float("nan")
    if problem.X_test is not None and hasattr(search, "best_estimator_"):
        test = float(search.score(problem.X_test, problem.y_test))
    keys = {tuple(sorted((k, repr(v)) for k, v in p.items())) for p in results["params"]}
    return {
        **labels,
        "problem": problem.name,
        "best_cv": float(np.nanmax(results["mean_test_score"])),
        "test": test,
        "n_evals": len(keys),
        "n_rows": len(results["params"]),
        "fit_time": fit_time,
        "wall": wall,
        "overhead": max(0.0, wall - (fit_time + refit_time) / max(1, n_workers)),
    }


def write_jsonl(rows, path):
    """Append rows (dicts) to a JSON-lines file."""
    with open(path, "a") as f:
        for row in rows:
            f.write(json.dumps(row, default=float) + "\n")


def summarize(rows, *, by=("problem", "strategy"), metrics=("best_cv", "test", "n_evals",
              "wall", "overhead"), baseline="RandomizedSearchCV"):
    """Print a Markdown table of medians over seeds, with ratios to a baseline.

    Returns the table as a string. Ratios are ``median(strategy) /
    median(baseline)`` within the same problem (``wall`` and ``overhead``
    ratios below 1 are faster than the baseline).
    """
    import pandas as pd

    df = pd.DataFrame(rows)
    med = df.groupby(list(by), sort=False)[list(metrics)].median()
    counts = df.groupby(list(by), sort=False).size().rename("runs")
    med = med.join(counts)
    if baseline is not None and "strategy" in by:
        base = med.xs(baseline, level="strategy") if baseline in med.index.get_level_values(
            "strategy") else None
        if base is not None:
            for metric in ("wall", "overhead"):
                if metric in med:
                    ratio = med[metric] / med.index.get_level_values("problem").map(
                        base[metric]).to_numpy()
                    med[f"{metric}/{baseline}"] = ratio
    table = _markdown(med.reset_index())
    print(table)
    return table


def _markdown(df):
    """A DataFrame as a Markdown table (pandas' own needs tabulate)."""

    def cell(value):
        if isinstance(value, float):
            return f"{value:.4g}"
        return str(value)

    lines = ["| " + " | ".join(map(str, df.columns)) + " |"]
    lines.append("|" + "|".join("---" for _ in df.columns) + "|")
    for row in df.itertuples(index=False):
        lines.append("| " + " | ".join(cell(v) for v in row) + " |")
    return "\n".join(lines)
