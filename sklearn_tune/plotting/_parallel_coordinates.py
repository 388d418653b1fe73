"""Every evaluated candidate as a line across parallel axes."""

import numpy as np

from ._axis import _Axis
from ._utils import (
    _check_params,
    _check_search,
    _final_rows,
    _get_ax,
    _objective,
    _param_names,
    _scores,
)


def plot_parallel_coordinates(search, params=None, *, ax=None):
    """Plot every evaluated candidate as a line across parallel axes.

    One vertical axis per parameter, and a last one for the objective; each
    candidate is a line through its values, coloured by its objective, so
    that the values of the good candidates stand out. Each axis is scaled
    to its own range (log-scaled dimensions on a log scale), its bounds
    written at its ends; categorical values are spread evenly and named.
    A candidate of a sub-space without a parameter has a gap there.

    Parameters
    ----------
    search : fitted search
        Any fitted search with ``cv_results_``.

    params : list of str, default=None
        Parameters to show, in order. None: all of them, in the order they
        first appear in ``cv_results_["params"]``.

    ax : matplotlib Axes, default=None
        Axes to draw on; a new figure when None.

    Returns
    -------
    matplotlib.axes.Axes
        The axes; the lines are one
        :class:`~matplotlib.collections.LineCollection`.

    See Also
    --------
    plot_objective : The objective against one or two parameters.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.tree import DecisionTreeClassifier
    >>> from sklearn_tune import EvolutionarySearchCV, Integer
    >>> from sklearn_tune.plotting import plot_parallel_coordinates
    >>> X, y = load_iris(return_X_y=True)
    >>> search = EvolutionarySearchCV(
    ...     DecisionTreeClassifier(random_state=0),
    ...     {"max_depth": Integer(1, 8), "criterion": ["gini", "entropy"],
    ...      "min_samples_leaf": Integer(1, 20)},
    ...     n_iter=10, population_size=5, cv=3, random_state=0,
    ... ).fit(X, y)
    >>> ax = plot_parallel_coordinates(search)
    >>> [t.get_text() for t in ax.get_xticklabels()]
    ['max_depth', 'criterion', 'min_samples_leaf', 'mean_test_score']
    >>> len(ax.collections[0].get_segments())
    10
    """
    from matplotlib.collections import LineCollection

    _check_search(search)
    available = _param_names(search)
    if params is not None:
        params = _check_params(search, params, len(available))
    params = available if params is None else params
    ax = _get_ax(ax)
    scores = _scores(search)
    rows = _final_rows(search.cv_results_)
    axes = [_Axis(search, name) for name in params]
    columns = [a.unit() for a in axes]
    finite = scores[rows & np.isfinite(scores)]
    low, high = (finite.min(), finite.max()) if finite.size else (0.0, 1.0)
    span = high - low if high > low else 1.0
    columns.append(np.where(np.isfinite(scores), (scores - low) / span, np.nan))
    # The best candidates are drawn last, on top.
    shown = np.flatnonzero(rows)
    order = shown[np.argsort(np.nan_to_num(scores[shown], nan=-np.inf))]
    ys = np.column_stack(columns)[order]
    xs = np.arange(len(columns))
    lines = LineCollection(
        [np.column_stack([xs, y]) for y in ys], cmap="viridis", linewidths=1.5
    )
    lines.set_array(scores[order])
    ax.add_collection(lines)
    ax.figure.colorbar(lines, ax=ax, label=_objective(search))
    for j, axis in enumerate(axes):
        ax.axvline(j, color="0.3", linewidth=1)
        if axis.scale == "categorical":
            for category, y in zip(axis.categories, axis.category_units()):
                ax.annotate(str(category), (j, y), xytext=(3, 0),
                            textcoords="offset points", fontsize=8, va="center")
        else:
            x = axis.positions()
            x = x[np.isfinite(x)]
            if x.size:
                _annotate_bounds(ax, j, x.min(), x.max())
    ax.axvline(len(axes), color="0.3", linewidth=1)
    _annotate_bounds(ax, len(axes), low, high)
    ax.set_xticks(xs, [*params, _objective(search)], rotation=30, ha="right")
    ax.set_yticks([])
    ax.set_xlim(-0.2, len(axes) + 0.4)
    ax.set_ylim(-0.08, 1.08)
    return ax


def _annotate_bounds(ax, x, low, high):
    """Write the values at the bottom and the top of a parallel axis."""
    ax.annotate(f"{low:.3g}", (x, 0), xytext=(3, -10), textcoords="offset points",
                fontsize=8)
    ax.annotate(f"{high:.3g}", (x, 1), xytext=(3, 4), textcoords="offset points",
                fontsize=8)
