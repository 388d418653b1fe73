"""
==========================================
Several metrics, one of them optimised
==========================================

With several scorers, scikit-learn's searches evaluate every metric and
refit the best candidate by the metric named in ``refit``. sklearn-tune's
searches do the same, and *optimise* that metric: the strategy is told
``mean_test_<refit>`` after each batch, while the other metrics are
recorded in ``cv_results_`` alongside.

Here a logistic regression is tuned for well-calibrated probabilities (the
log-loss), while accuracy and ROC AUC are watched.
"""

# %%
# The search
# ----------
from scipy.stats import loguniform
from sklearn.datasets import load_breast_cancer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sklearn_tune import BayesSearchCV

X, y = load_breast_cancer(return_X_y=True)
pipe = make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000))
scoring = {"log_loss": "neg_log_loss", "accuracy": "accuracy", "roc_auc": "roc_auc"}

search = BayesSearchCV(
    pipe,
    {
        "logisticregression__C": loguniform(1e-4, 1e4),
        "logisticregression__class_weight": [None, "balanced"],
    },
    scoring=scoring,
    refit="log_loss",
    n_iter=15,
    cv=StratifiedKFold(5, shuffle=True, random_state=0),
    random_state=0,
)
search.fit(X, y)
print(search.best_params_)
print(f"best mean log-loss: {-search.best_score_:.4f}")

# %%
# Every metric is in ``cv_results_``
# ----------------------------------
# ``best_index_`` ranks by the refit metric; the other metrics have their
# own ``rank_test_*`` columns, and their best candidates need not agree.
import pandas as pd

results = pd.DataFrame(search.cv_results_)
columns = [
    "param_logisticregression__C",
    "param_logisticregression__class_weight",
    "mean_test_log_loss",
    "mean_test_accuracy",
    "mean_test_roc_auc",
    "rank_test_log_loss",
    "rank_test_accuracy",
]
print(results[columns].sort_values("rank_test_log_loss").head(8).to_string())

# %%
# Without a metric to refit, every metric is an objective
# -------------------------------------------------------
# scikit-learn's searches accept ``refit=False`` (or a callable ``refit``)
# with several metrics. A sklearn-tune search then looks for the Pareto
# front of all of them: the candidates no other beats on every metric,
# marked by ``pareto_rank == 1`` in ``cv_results_`` and listed in
# ``pareto_front_`` (see the user guide's page on several objectives).
from sklearn.base import clone

front = clone(search).set_params(refit=False).fit(X, y)
print(f"{len(front.pareto_front_)} of {len(front.cv_results_['params'])} "
      "candidates are Pareto-optimal")

# %%
# The objective against ``C``
# ---------------------------
# The plots use the optimised metric, here ``mean_test_log_loss``. The
# colours give the order of evaluation: after the initial design spread
# over the whole range, the later candidates cluster where the log-loss is
# lowest.
import matplotlib.pyplot as plt

from sklearn_tune.plotting import plot_objective

plot_objective(search, "logisticregression__C")
plt.show()
