"""The Pareto front of two objectives of a search."""

import numpy as np

from ..optimizers import non_dominated_rank
from ._utils import _check_search, _final_rows, _get_ax, _mark_best

_TIMES = {"fit_time": "mean_fit_time", "score_time": "mean_score_time"}


def _column(results, name):
    """The values of objective `name` and whether it is maximised."""
    if name in _TIMES:
        return np.asarray(results[_TIMES[name]], dtype=float), False
    if f"mean_test_{name}" in results:
        return np.asarray(results[f"mean_test_{name}"], dtype=float), True
    if name in results:
        return np.asarray(results[name], dtype=float), False
    metrics = [k[len("mean_test_") :] for k in results if k.startswith("mean_test_")]
    raise ValueError(
        f"{name!r} is neither a scorer {metrics}, 'fit_time', 'score_time' nor a "
        "column of cv_results_."
    )


def plot_pareto_front(search, *, x=None, y=None, ax=None):
    """Plot every candidate on two objectives, the Pareto front highlighted.

    A scorer is maximised; ``"fit_time"``, ``"score_time"`` (the fold
    means) and any other numeric column of ``cv_results_`` (such as
    ``"param_max_depth"``) are minimised. The front is that of the two
    plotted objectives, drawn as a staircase; the refitted candidate
    (``best_index_``), if any, is marked with a star. Any fitted
    scikit-learn search works; for a multi-fidelity one, only the rows with
    the full resource are drawn.

    Parameters
    ----------
    search : fitted search
        A search with ``cv_results_``.

    x, y : str, default=None
        The objectives on each axis. ``None`` takes the search's two
        `objectives`, when it has two.

    ax : matplotlib Axes, default=None
        Axes to draw on; a new figure when None.

    Returns
    -------
    matplotlib.axes.Axes
        The axes, with the candidates, the front and the chosen model.

    See Also
    --------
    sklearn_tune.optimizers.non_dominated_rank : The front's definition.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.tree import DecisionTreeClassifier
    >>> from sklearn_tune import EvolutionarySearchCV, Integer
    >>> from sklearn_tune.plotting import plot_pareto_front
    >>> X, y = load_iris(return_X_y=True)
    >>> search = EvolutionarySearchCV(
    ...     DecisionTreeClassifier(random_state=0),
    ...     {"max_depth": Integer(1, 10), "min_samples_leaf": Integer(1, 30)},
    ...     n_iter=20, population_size=5, cv=3, random_state=0,
    ...     scoring={"accuracy": "accuracy"}, refit="accuracy",
    ...     objectives=["accuracy", "fit_time"],
    ... ).fit(X, y)
    >>> ax = plot_pareto_front(search)
    >>> ax.get_xlabel(), ax.get_ylabel()
    ('fit_time (lower is better)', 'accuracy (higher is better)')
    """
    _check_search(search)
    if x is None or y is None:
        objectives = getattr(search, "objectives", None)
        if objectives is None or len(objectives) != 2:
            raise ValueError(
                "Pass x and y: the search has no two objectives to take them from "
                f"(objectives={objectives!r})."
            )
        # The cost on the horizontal axis, as usual for accuracy-cost fronts.
        first, second = objectives
        y, x = (first, second) if second in _TIMES else (second, first)
    results = search.cv_results_
    rows = _final_rows(results)
    xs, x_max = _column(results, x)
    ys, y_max = _column(results, y)
    keep = rows & np.isfinite(xs) & np.isfinite(ys)
    Y = np.column_stack([xs if x_max else -xs, ys if y_max else -ys])
    front = np.zeros(len(xs), dtype=bool)
    if keep.any():
        front[np.flatnonzero(keep)] = non_dominated_rank(Y[keep]) == 1
    ax = _get_ax(ax)
    ax.scatter(xs[keep & ~front], ys[keep & ~front], color="0.6", s=18,
               label="candidates")
    order = np.flatnonzero(front)[np.argsort(xs[front], kind="stable")]
    ax.plot(xs[order], ys[order], marker="o", color="tab:blue",
            # The staircase bounds what the front attains.
            drawstyle="steps-pre" if x_max else "steps-post",
            label="Pareto front")
    best = getattr(search, "best_index_", None)
    if best is not None and keep[best]:
        _mark_best(ax, xs[best], ys[best])
    ax.set_xlabel(f"{x} ({'higher' if x_max else 'lower'} is better)")
    ax.set_ylabel(f"{y} ({'higher' if y_max else 'lower'} is better)")
    ax.legend()
    return ax
