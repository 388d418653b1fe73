"""The problems of the side-by-side benchmark (``python -m benchmarks.run``).

Builds on :mod:`benchmarks._common`: its analytic functions and real
problems, plus the ones it lacks (noisy analytic functions, SGD on 20,000
rows, Ridge, Lasso and ElasticNet on wide data). Each problem also says
which resource the multi-fidelity searches may grow and which of
scikit-learn's own cross-validated estimators solves it.
"""

from dataclasses import dataclass

import numpy as np
from sklearn.model_selection import KFold, StratifiedKFold, train_test_split

from benchmarks._common import (
    ANALYTIC,
    PROBLEMS,
    Problem,
    analytic_problem,
)

__all__ = ["BenchProblem", "NOISE", "REGISTRY", "grid", "make_problem", "true_value"]

#: standard deviation of the noise of "<function>-noisy"
NOISE = {"branin": 5.0, "hartmann6": 0.2, "rastrigin": 5.0}


@dataclass
class BenchProblem(Problem):
    """A :class:`~benchmarks._common.Problem` with what the runner needs too.

    resource : str or None
        What HyperbandSearchCV and HalvingRandomSearchCV grow
        (``"n_samples"`` or an integer parameter of the estimator); None
        when the problem has no meaningful one.
    native : str or None
        Name of scikit-learn's own cross-validated estimator for the
        problem (``"RidgeCV"``...), None if there is none.
    description : str
        One line for the documentation.
    """

    resource: str = None
    native: str = None
    description: str = ""

    @property
    def analytic(self):
        """Name of the analytic function, or None for a real problem."""
        base = self.name.removesuffix("-noisy")
        return base if base in ANALYTIC and self.X_test is None else None


def _extend(problem, **extra):
    return BenchProblem(**vars(problem), **extra)


def _analytic(name, noisy):
    def build():
        problem = analytic_problem(name, noise=NOISE[name] if noisy else 0.0)
        dims = len(ANALYTIC[name][1])
        noise = f", Gaussian noise sd {NOISE[name]}" if noisy else ""
        return _extend(
            problem,
            description=f"AnalyticFunction: minus {name} ({dims}-D{noise}), 2-fold",
        )

    return build


def _svc_digits():
    return _extend(
        PROBLEMS["svc-digits"](),
        description="SVC(rbf) on load_digits: C, gamma (log), stratified 5-fold",
    )


def _kernel_ridge_diabetes():
    return _extend(
        PROBLEMS["kernelridge-diabetes"](),
        description="KernelRidge(rbf) on load_diabetes: alpha, gamma (log), 5-fold, R2",
    )


def _logistic_cancer():
    problem = PROBLEMS["logistic-cancer"]()
    # The log-loss separates candidates that accuracy ties, and is the loss
    # LogisticRegressionCV is asked to select on too.
    problem.scoring = "neg_log_loss"
    return _extend(
        problem,
        native="LogisticRegressionCV",
        description=(
            "StandardScaler + LogisticRegression on load_breast_cancer: C (log), "
            "stratified 5-fold, neg_log_loss"
        ),
    )


def _hgb_digits(max_iter=27):
    from sklearn.ensemble import HistGradientBoostingClassifier

    problem = PROBLEMS["hgb-digits"]()
    problem.make_estimator = lambda: HistGradientBoostingClassifier(
        max_iter=max_iter, random_state=0
    )
    return _extend(
        problem,
        resource="max_iter",
        description=(
            "HistGradientBoostingClassifier on load_digits: learning_rate, "
            "max_leaf_nodes, min_samples_leaf, l2_regularization; "
            f"max_iter={max_iter} (the resource), stratified 3-fold"
        ),
    )


def _sgd(n_samples=20_000):
    from sklearn.datasets import make_classification
    from sklearn.linear_model import SGDClassifier
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    X, y = make_classification(
        n_samples=n_samples, n_features=40, n_informative=10, n_redundant=10,
        class_sep=0.8, flip_y=0.05, random_state=0,
    )
    X_tr, X_te, y_tr, y_te = train_test_split(
        X, y, test_size=0.25, random_state=0, stratify=y
    )
    return BenchProblem(
        f"sgd-{n_samples // 1000}k",
        # 100 epochs bound the cost of a slowly converging candidate (the
        # default 1000 take 5 s over the folds at alpha=1e-6 with the hinge).
        lambda: make_pipeline(
            StandardScaler(), SGDClassifier(max_iter=100, random_state=0)
        ),
        {
            "sgdclassifier__alpha": ("real", 1e-7, 1e-1, True),
            "sgdclassifier__penalty": ("cat", ["l2", "l1", "elasticnet"]),
            "sgdclassifier__loss": ("cat", ["hinge", "log_loss", "modified_huber"]),
        },
        X_tr, y_tr, X_te, y_te,
        cv=StratifiedKFold(5, shuffle=True, random_state=0),
        resource="n_samples",
        description=(
            f"StandardScaler + SGDClassifier(max_iter=100) on "
            f"make_classification({n_samples}, 40): "
            "alpha (log), penalty, loss; resource n_samples, stratified 5-fold"
        ),
    )


def _wide_regression():
    from sklearn.datasets import make_regression

    X, y = make_regression(
        n_samples=800, n_features=300, n_informative=20, noise=10.0, random_state=0
    )
    return train_test_split(X, y, test_size=0.25, random_state=0)


def _linear(name, make_estimator, space, native):
    def build():
        X_tr, X_te, y_tr, y_te = _wide_regression()
        names = ", ".join(space)
        return BenchProblem(
            name, make_estimator, space, X_tr, y_tr, X_te, y_te,
            cv=KFold(5, shuffle=True, random_state=0),
            scoring="neg_mean_squared_error",
            native=native,
            description=(
                f"{make_estimator().__class__.__name__} on make_regression(800, 300, "
                f"20 informative): {names}, 5-fold, neg_mean_squared_error"
            ),
        )

    return build


def _ridge():
    from sklearn.linear_model import Ridge

    return Ridge()


def _lasso():
    from sklearn.linear_model import Lasso

    return Lasso(max_iter=10_000)


def _elastic_net():
    from sklearn.linear_model import ElasticNet

    return ElasticNet(max_iter=10_000)


#: name -> function building the problem (data loads only when asked for)
REGISTRY = {
    **{name: _analytic(name, False) for name in ANALYTIC},
    **{f"{name}-noisy": _analytic(name, True) for name in ANALYTIC},
    "svc-digits": _svc_digits,
    "logistic-cancer": _logistic_cancer,
    "kernelridge-diabetes": _kernel_ridge_diabetes,
    "hgb-digits": _hgb_digits,
    "sgd-20k": _sgd,
    "ridge-wide": _linear(
        "ridge-wide", _ridge, {"alpha": ("real", 1e-4, 1e4, True)}, "RidgeCV"
    ),
    "lasso-wide": _linear(
        "lasso-wide", _lasso, {"alpha": ("real", 1e-2, 1e2, True)}, "LassoCV"
    ),
    "elasticnet-wide": _linear(
        "elasticnet-wide", _elastic_net,
        {"alpha": ("real", 1e-3, 1e2, True), "l1_ratio": ("real", 0.05, 1.0, False)},
        "ElasticNetCV",
    ),
    # A small variant for the quick mode.
    "sgd-4k": lambda: _sgd(4_000),
}


def make_problem(name):
    """Build the problem registered under `name` (its name may be refined)."""
    try:
        build = REGISTRY[name]
    except KeyError:
        raise ValueError(
            f"unknown problem {name!r}; choose from {sorted(REGISTRY)}"
        ) from None
    problem = build()
    problem.name = name
    return problem


def true_value(problem, params):
    """Noiseless value (higher is better) of an analytic problem's candidate."""
    function, bounds, _ = ANALYTIC[problem.analytic]
    return -function([float(params[f"x{i}"]) for i in range(len(bounds))])


def grid(space, budget):
    """A grid of at most `budget` points over a neutral space.

    Points per dimension are as even as the budget allows (categories and
    integers never more than they have values), at the centres of equal
    cells of the dimension's scale (log for log dimensions): a k-point grid
    of a real dimension never sits on its bounds.
    """
    sizes = {
        name: len(spec[1]) if spec[0] == "cat"
        else spec[2] - spec[1] + 1 if spec[0] == "int" else np.inf
        for name, spec in space.items()
    }
    counts = dict.fromkeys(space, 1)
    while True:
        growable = [n for n in space if counts[n] < sizes[n]]
        if not growable:
            break
        name = min(growable, key=lambda n: counts[n])
        total = np.prod([counts[n] + (n == name) for n in space])
        if total > budget:
            break
        counts[name] += 1
    return {name: _grid_values(space[name], counts[name]) for name in space}


def _grid_values(spec, k):
    if spec[0] == "cat":
        return list(spec[1][:k])
    low, high, log = spec[1], spec[2], spec[3]
    centres = (np.arange(k) + 0.5) / k
    if log:
        values = np.exp(np.log(low) + centres * (np.log(high) - np.log(low)))
    else:
        values = low + centres * (high - low)
    if spec[0] == "int":
        return sorted({int(round(v)) for v in values})
    return [float(v) for v in values]
