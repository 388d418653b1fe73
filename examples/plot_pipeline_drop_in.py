"""
=====================================
Replace GridSearchCV in a pipeline
=====================================

Every search in sklearn-tune takes the arguments of
:class:`~sklearn.model_selection.RandomizedSearchCV` and returns the same
fitted object: ``best_params_``, ``best_estimator_``, ``cv_results_``,
``predict`` and ``score`` behave exactly as with scikit-learn's searches.
Swapping strategies is a one-line change.

Here an SVC in a pipeline is tuned on the breast cancer data, first with a
5 x 5 :class:`~sklearn.model_selection.GridSearchCV`, then with each
sklearn-tune strategy at the same budget of 25 evaluations.
"""

# %%
# The pipeline and the grid search we start from
# ----------------------------------------------
import time

import numpy as np
from scipy.stats import loguniform
from sklearn.datasets import load_breast_cancer
from sklearn.model_selection import GridSearchCV, StratifiedKFold, train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC

X, y = load_breast_cancer(return_X_y=True)
X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0, stratify=y)

pipe = make_pipeline(StandardScaler(), SVC())
cv = StratifiedKFold(3, shuffle=True, random_state=0)

grid = GridSearchCV(
    pipe,
    {"svc__C": np.logspace(-2, 3, 5), "svc__gamma": np.logspace(-5, 0, 5)},
    cv=cv,
)
start = time.perf_counter()
grid.fit(X_train, y_train)
seconds = {"GridSearchCV": time.perf_counter() - start}
print(grid.best_params_, round(grid.best_score_, 4))

# %%
# The same search with each strategy
# ----------------------------------
# The grid becomes distributions: a list stays a categorical, a frozen
# :mod:`scipy.stats` distribution is searched on its own quantile scale
# (``loguniform`` is searched on a log scale). ``n_iter`` is the budget.
from sklearn_tune import (
    BayesSearchCV,
    EvolutionarySearchCV,
    GradientSearchCV,
    HyperbandSearchCV,
)

space = {"svc__C": loguniform(1e-2, 1e3), "svc__gamma": loguniform(1e-5, 1e0)}
searches = {"GridSearchCV": grid}
strategies = [BayesSearchCV, EvolutionarySearchCV, GradientSearchCV, HyperbandSearchCV]
for Search in strategies:
    search = Search(pipe, space, n_iter=25, cv=cv, random_state=0)
    start = time.perf_counter()
    search.fit(X_train, y_train)
    seconds[Search.__name__] = time.perf_counter() - start
    searches[Search.__name__] = search

print(f"{'search':<22}{'CV score':>9}{'test':>7}{'evaluations':>13}{'seconds':>9}")
for name, search in searches.items():
    print(
        f"{name:<22}{search.best_score_:>9.4f}{search.score(X_test, y_test):>7.3f}"
        f"{len(search.cv_results_['params']):>13}{seconds[name]:>9.1f}"
    )

# %%
# The scores differ by a few hundredths at most: on a problem this easy a
# well-placed grid is hard to beat, and the held-out test set, 143 samples,
# cannot separate the candidates. What the strategies buy is the budget
# needed in larger spaces, where a grid grows exponentially (see
# :ref:`sphx_glr_auto_examples_plot_compare_strategies.py`).
# :class:`~sklearn_tune.HyperbandSearchCV` counts an evaluation on a
# subsample of the training folds as one of its 25, and chooses its best
# among the candidates scored on the full folds.
#
# The fitted search is a scikit-learn search
# ------------------------------------------
# Nothing downstream changes: the refitted pipeline predicts, and
# ``cv_results_`` loads into pandas with its usual columns, plus a few that
# say where each candidate came from (here, the Bayesian surrogate's
# prediction for it).
import pandas as pd

bayes = searches["BayesSearchCV"]
print(bayes.best_estimator_.predict(X_test[:5]))
columns = ["param_svc__C", "param_svc__gamma", "mean_test_score", "rank_test_score",
           "surrogate_mean"]
results = pd.DataFrame(bayes.cv_results_)[columns]
print(results.sort_values("rank_test_score").head().to_string())

# %%
# Where each search looked
# ------------------------
# :func:`~sklearn_tune.plotting.plot_objective` draws the evaluated
# candidates of any search, scikit-learn's included: the grid spends its
# budget evenly, the Bayesian search concentrates it in the good region.
import matplotlib.pyplot as plt

from sklearn_tune.plotting import plot_objective

fig, axes = plt.subplots(1, 2, figsize=(11, 4.5), layout="constrained")
plot_objective(grid, ["svc__C", "svc__gamma"], ax=axes[0])
axes[0].set_xscale("log")
axes[0].set_yscale("log")
axes[0].set_title("GridSearchCV")
plot_objective(bayes, ["svc__C", "svc__gamma"], ax=axes[1])
axes[1].set_title("BayesSearchCV")
plt.show()
