"""Ready-made `refit` callables: which row of ``cv_results_`` to refit."""

import numbers

import numpy as np

__all__ = ["cheapest_within"]

# Cost names that stand for the fold means scikit-learn times.
_TIMES = {"fit_time": "mean_fit_time", "score_time": "mean_score_time"}


class _CheapestWithin:
    """The refit callable :func:`cheapest_within` returns (it pickles)."""

    def __init__(self, tol, metric, cost):
        self.tol = tol
        self.metric = metric
        self.cost = cost

    def __repr__(self):
        return (
            f"cheapest_within({self.tol!r}, metric={self.metric!r}, "
            f"cost={self.cost!r})"
        )

    def __call__(self, cv_results):
        score_key = f"mean_test_{self.metric}"
        cost_key = _TIMES.get(self.cost, self.cost)
        for key, what in ((score_key, "metric"), (cost_key, "cost")):
            if key not in cv_results:
                raise ValueError(
                    f"cheapest_within: {what}={getattr(self, what)!r} gives "
                    f"{key!r}, which cv_results_ lacks."
                )
        scores = np.asarray(cv_results[score_key], dtype=float)
        costs = np.asarray(cv_results[cost_key], dtype=float)
        finite = np.isfinite(scores)
        if not finite.any():
            raise ValueError(f"cheapest_within: no finite {score_key!r} to choose from.")
        eligible = np.flatnonzero(finite & (scores >= scores[finite].max() - self.tol))
        # The cheapest, then the best scoring among equally cheap rows.
        order = np.lexsort((-scores[eligible], costs[eligible]))
        return int(eligible[order[0]])


def cheapest_within(tol=0.01, *, metric="score", cost="fit_time"):
    """Make a `refit` callable choosing the cheapest candidate near the best.

    The chosen candidate is the cheapest whose score is within `tol` of the
    best: the common choice from a front of accuracy against cost, giving up
    at most `tol` of the metric for the fastest (or smallest, sparsest)
    model.

    Parameters
    ----------
    tol : float, default=0.01
        Largest shortfall from the best ``mean_test_<metric>``, in the
        metric's own units.
    metric : str, default="score"
        The scorer: ``"score"`` for a single metric, a key of the `scoring`
        dict otherwise.
    cost : str, default="fit_time"
        What to minimise among the candidates within `tol`: ``"fit_time"``
        and ``"score_time"`` (the fold means), or any numeric column of
        ``cv_results_``, such as ``"param_max_depth"``.

    Returns
    -------
    callable
        The `refit` callable: it takes ``cv_results_`` and returns the index of the chosen row, as
        scikit-learn's searches expect of a callable `refit`.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.tree import DecisionTreeClassifier
    >>> from sklearn_tune import BayesSearchCV, Integer, cheapest_within
    >>> X, y = load_iris(return_X_y=True)
    >>> search = BayesSearchCV(
    ...     DecisionTreeClassifier(random_state=0), {"max_depth": Integer(1, 8)},
    ...     n_iter=8, cv=3, random_state=0,
    ...     refit=cheapest_within(0.02, cost="param_max_depth"),
    ... ).fit(X, y)
    >>> results = search.cv_results_
    >>> # The best depth scores 0.973; depth 3, within 0.02 of it, is refitted.
    >>> int(results["param_max_depth"][results["mean_test_score"].argmax()])
    4
    >>> search.best_params_
    {'max_depth': 3}
    """
    if not isinstance(tol, numbers.Real) or isinstance(tol, bool) or not tol >= 0:
        raise ValueError(f"tol must be a number >= 0, got {tol!r}.")
    for name, value in (("metric", metric), ("cost", cost)):
        if not isinstance(value, str):
            raise TypeError(f"{name} must be a str, got {value!r}.")
    return _CheapestWithin(float(tol), metric, cost)
