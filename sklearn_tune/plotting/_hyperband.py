"""The rungs of a Hyperband search, one line per configuration."""

import numpy as np

from .. import HyperbandSearchCV
from ..space import SearchSpace
from ._utils import _check_search, _get_ax, _mark_best, _objective, _scores


def plot_hyperband(search, *, ax=None):
    """Plot the objective of each configuration against its resource.

    Each configuration is a line through the rungs it reached, coloured by
    the level its bracket started at: the low rungs of the exploratory
    brackets fan out, and the few configurations promoted to the full
    resource show whether the early scores predicted the final ones.
    Random candidates that completed a batch outside the bracket plan are
    grey points; the best candidate is a red star.

    Parameters
    ----------
    search : HyperbandSearchCV
        A fitted :class:`~sklearn_tune.HyperbandSearchCV`.

    ax : matplotlib Axes, default=None
        Axes to draw on; a new figure when None.

    Returns
    -------
    matplotlib.axes.Axes
        The axes, with one line per configuration.

    See Also
    --------
    sklearn_tune.HyperbandSearchCV : Its ``plan_`` lists the rungs.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from scipy.stats import loguniform
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.linear_model import SGDClassifier
    >>> from sklearn_tune import HyperbandSearchCV
    >>> from sklearn_tune.plotting import plot_hyperband
    >>> X, y = load_iris(return_X_y=True)
    >>> search = HyperbandSearchCV(
    ...     SGDClassifier(max_iter=9, tol=None, random_state=0),
    ...     {"alpha": loguniform(1e-6, 1e-1)}, resource="max_iter",
    ...     n_iter=22, cv=3, random_state=0,
    ... ).fit(X, y)
    >>> ax = plot_hyperband(search)
    >>> ax.get_xlabel()
    'max_iter'
    >>> ax.get_legend_handles_labels()[1]
    ['brackets from 1', 'brackets from 3', 'brackets from 9', 'best']
    """
    _check_search(search, HyperbandSearchCV)
    ax = _get_ax(ax)
    results = search.cv_results_
    scores = _scores(search)
    resources = np.asarray(results["n_resources"], dtype=float)
    brackets = np.asarray(results["bracket"])
    space = SearchSpace(search.param_distributions)
    configs = {}
    for row, params in enumerate(results["params"]):
        config = {k: v for k, v in params.items() if k != search.resource}
        configs.setdefault((brackets[row], space.key(config)), []).append(row)
    # Brackets of later rounds repeat the shapes of the first: a colour per
    # level a bracket starts at keeps the legend short.
    levels = list(search.resource_levels_)
    first_level = {
        row["bracket"]: row["n_resources"] for row in search.plan_ if row["rung"] == 0
    }
    labelled = set()
    for (bracket, _), rows in configs.items():
        rows = sorted(rows, key=lambda r: resources[r])
        if bracket < 0:
            label, style, color = "outside the plan", "o", "0.6"
        else:
            level = first_level[bracket]
            label = f"brackets from {level}"
            style, color = "o-", f"C{levels.index(level) % 10}"
        ax.plot(resources[rows], scores[rows], style, color=color, alpha=0.8,
                label=f"_{label}" if label in labelled else label)
        labelled.add(label)
    _mark_best(ax, [resources[search.best_index_]], [scores[search.best_index_]])
    if len(levels) > 1:
        ax.set_xscale("log")
    ax.set_xticks(levels, [str(level) for level in levels])
    ax.minorticks_off()
    ax.set_xlabel(search.resource)
    ax.set_ylabel(_objective(search))
    ax.legend()
    return ax
