"""
===========================================================
Tune ridge, lasso and logistic regression with gradients
===========================================================

For some models the cross-validated loss is a smooth function of the
regularisation strength, and its derivative, the *hypergradient*, can be
computed exactly from the training folds. :class:`~sklearn_tune.GradientSearchCV`
climbs it with quasi-Newton steps, so that a handful of evaluations land on
the optimum that a grid would need dozens of values to find.

Here it is set against the models' own cross-validated estimators,
:class:`~sklearn.linear_model.RidgeCV` and
:class:`~sklearn.linear_model.LassoCV`, and against a grid search for a
logistic regression, each on the same folds, with the same scoring.
"""

# %%
# Ridge regression
# ----------------
# :class:`~sklearn.linear_model.RidgeCV` with ``cv`` set scores each of its
# ``alphas`` on the folds, like a grid search; 50 values on a log grid.
import time

import numpy as np
from scipy.stats import loguniform
from sklearn.datasets import load_breast_cancer, load_diabetes
from sklearn.linear_model import (
    Lasso,
    LassoCV,
    LogisticRegression,
    Ridge,
    RidgeCV,
)
from sklearn.model_selection import (
    GridSearchCV,
    KFold,
    StratifiedKFold,
    cross_val_score,
)
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sklearn_tune import GradientSearchCV

X, y = load_diabetes(return_X_y=True)
cv = KFold(5, shuffle=True, random_state=0)
scoring = "neg_mean_squared_error"


def report(name, value, estimator, X, y, cv, scoring, n_evaluations, seconds):
    """Score the chosen hyperparameter on the shared folds, and print it."""
    score = cross_val_score(estimator, X, y, cv=cv, scoring=scoring).mean()
    print(f"{name:<22}{value:>12.4g}{score:>12.4f}{n_evaluations:>13}{seconds:>9.2f}")


def header(parameter):
    print(f"{'':<22}{parameter:>12}{'CV score':>12}{'evaluations':>13}{'seconds':>9}")


start = time.perf_counter()
ridge_cv = RidgeCV(alphas=np.logspace(-4, 3, 50), cv=cv, scoring=scoring).fit(X, y)
ridge_cv_seconds = time.perf_counter() - start

start = time.perf_counter()
ridge_search = GradientSearchCV(
    Ridge(), {"alpha": loguniform(1e-4, 1e3)}, n_iter=10, cv=cv, scoring=scoring,
    random_state=0,
).fit(X, y)
ridge_seconds = time.perf_counter() - start

header("alpha")
report("RidgeCV", ridge_cv.alpha_, Ridge(alpha=ridge_cv.alpha_), X, y, cv, scoring,
       50, ridge_cv_seconds)
report("GradientSearchCV", ridge_search.best_params_["alpha"],
       ridge_search.best_estimator_, X, y, cv, scoring, 10, ridge_seconds)

# %%
# The extra columns of ``cv_results_`` tell each candidate's story: the
# first few are random (``role="init"``), the best two become starts, and
# each step follows an exact hypergradient (``grad_source="exact"``).
import pandas as pd

columns = ["param_alpha", "mean_test_score", "start", "step", "role", "grad_source"]
print(pd.DataFrame(ridge_search.cv_results_)[columns].to_string())

# %%
# Lasso
# -----
# :class:`~sklearn.linear_model.LassoCV` computes a whole regularisation
# path per fold, warm-starting each ``alpha`` from the previous one, which
# makes its 100 values cheap. The lasso's hypergradient holds where the set
# of non-zero coefficients does not change; across a change, the line
# search takes over.
start = time.perf_counter()
lasso_cv = LassoCV(alphas=100, cv=cv).fit(X, y)
lasso_cv_seconds = time.perf_counter() - start

start = time.perf_counter()
lasso_search = GradientSearchCV(
    Lasso(), {"alpha": loguniform(1e-3, 1e1)}, n_iter=12, cv=cv, scoring=scoring,
    random_state=0,
).fit(X, y)
lasso_seconds = time.perf_counter() - start

header("alpha")
report("LassoCV", lasso_cv.alpha_, Lasso(alpha=lasso_cv.alpha_), X, y, cv, scoring,
       100, lasso_cv_seconds)
report("GradientSearchCV", lasso_search.best_params_["alpha"],
       lasso_search.best_estimator_, X, y, cv, scoring, 12, lasso_seconds)

# %%
# Logistic regression in a pipeline
# ---------------------------------
# The hypergradient of the log-loss with respect to ``C`` works through a
# :class:`~sklearn.pipeline.Pipeline`: the scaler is refitted on each
# training fold. The reference is a grid search over 20 values of ``C``.
X, y = load_breast_cancer(return_X_y=True)
cv = StratifiedKFold(5, shuffle=True, random_state=0)
scoring = "neg_log_loss"
pipe = make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000))

start = time.perf_counter()
logistic_grid = GridSearchCV(
    pipe, {"logisticregression__C": np.logspace(-4, 4, 20)}, cv=cv, scoring=scoring
).fit(X, y)
logistic_grid_seconds = time.perf_counter() - start

start = time.perf_counter()
logistic_search = GradientSearchCV(
    pipe, {"logisticregression__C": loguniform(1e-4, 1e4)},
    n_iter=10, cv=cv, scoring=scoring, random_state=0,
).fit(X, y)
logistic_seconds = time.perf_counter() - start

header("C")
report("GridSearchCV", logistic_grid.best_params_["logisticregression__C"],
       logistic_grid.best_estimator_, X, y, cv, scoring, 20, logistic_grid_seconds)
report("GradientSearchCV", logistic_search.best_params_["logisticregression__C"],
       logistic_search.best_estimator_, X, y, cv, scoring, 10, logistic_seconds)

# %%
# The built-in CV estimators exploit their model's structure (LassoCV's
# warm-started path above all) and can be faster. The gradient search
# reaches a cross-validated score as good, to within the noise of the
# folds, with 10 or 12 evaluations instead of a grid of 20 to 100 values,
# lands between the grid's values, and works the same way for every
# supported model, inside any pipeline, with any scoring and multi-metric
# refit.
#
# The paths
# ---------
# :func:`~sklearn_tune.plotting.plot_gradient_paths` shows each start
# climbing from its initial candidate to the optimum.
import matplotlib.pyplot as plt

from sklearn_tune.plotting import plot_gradient_paths

fig, axes = plt.subplots(1, 3, figsize=(14, 4), layout="constrained")
for ax, search, title in zip(
    axes,
    [ridge_search, lasso_search, logistic_search],
    ["Ridge", "Lasso", "LogisticRegression"],
):
    plot_gradient_paths(search, ax=ax)
    ax.set_title(title)
plt.show()
