"""The objective of the evaluated candidates against one or two parameters."""

import numpy as np

from ._axis import _Axis
from ._utils import (
    _check_params,
    _check_search,
    _final_rows,
    _get_ax,
    _mark_best,
    _objective,
    _scores,
)


def plot_objective(search, params=None, *, ax=None):
    """Plot the objective of the evaluated candidates against one or two params.

    With one parameter, the objective is on the vertical axis and the points
    are coloured by the order of evaluation, which shows where the search
    spent its budget over time. With two, each candidate is a point of the
    plane coloured by its objective. Log-scaled dimensions (``log=True``,
    :func:`scipy.stats.loguniform`) get log axes, categorical ones one tick
    per choice. The best candidate is a red star. Nothing is modelled or
    interpolated: the points are the rows of ``cv_results_``. Failed
    candidates (NaN) and rows of sub-spaces without the parameters are left
    out.

    Parameters
    ----------
    search : fitted search
        Any fitted search with ``cv_results_``.

    params : str or list of str, default=None
        One or two parameter names. None: all the parameters, if the search
        has at most two.

    ax : matplotlib Axes, default=None
        Axes to draw on; a new figure when None.

    Returns
    -------
    matplotlib.axes.Axes
        The axes, with the evaluations as a scatter collection.

    See Also
    --------
    plot_parallel_coordinates : Every parameter at once.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.svm import SVC
    >>> from sklearn_tune import EvolutionarySearchCV, Real
    >>> from sklearn_tune.plotting import plot_objective
    >>> X, y = load_iris(return_X_y=True)
    >>> search = EvolutionarySearchCV(
    ...     SVC(), {"C": Real(1e-2, 1e2, log=True), "kernel": ["linear", "rbf"]},
    ...     n_iter=10, population_size=5, cv=3, random_state=0,
    ... ).fit(X, y)
    >>> ax = plot_objective(search, ["C", "kernel"])
    >>> ax.get_xscale(), ax.get_ylabel()
    ('log', 'kernel')
    """
    _check_search(search)
    params = _check_params(search, params, 2)
    ax = _get_ax(ax)
    scores = _scores(search)
    rows = _final_rows(search.cv_results_) & np.isfinite(scores)
    axes = [_Axis(search, name) for name in params]
    coords = [a.positions() for a in axes]
    for c in coords:
        rows &= np.isfinite(c)
    best = _best_row(search, rows, scores)
    if len(axes) == 1:
        order = np.arange(len(scores))
        points = ax.scatter(
            coords[0][rows], scores[rows], c=order[rows], cmap="viridis"
        )
        ax.figure.colorbar(points, ax=ax, label="evaluation")
        axes[0].set_on(ax, "x")
        ax.set_ylabel(_objective(search))
        if best is not None:
            _mark_best(ax, [coords[0][best]], [scores[best]])
    else:
        points = ax.scatter(
            coords[0][rows], coords[1][rows], c=scores[rows], cmap="viridis"
        )
        ax.figure.colorbar(points, ax=ax, label=_objective(search))
        axes[0].set_on(ax, "x")
        axes[1].set_on(ax, "y")
        if best is not None:
            _mark_best(ax, [coords[0][best]], [coords[1][best]])
    return ax


def _best_row(search, rows, scores):
    """The best of `rows`: ``best_index_`` when it is among them."""
    index = getattr(search, "best_index_", None)
    if index is not None and rows[index]:
        return index
    if not rows.any():
        return None
    candidates = np.flatnonzero(rows)
    return int(candidates[np.argmax(scores[candidates])])
