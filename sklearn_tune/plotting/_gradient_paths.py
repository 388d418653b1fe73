"""The paths of the starts of a gradient search."""

import numpy as np

from .. import GradientSearchCV
from ..space import SearchSpace
from ._axis import _Axis
from ._utils import (
    _check_params,
    _check_search,
    _get_ax,
    _mark_best,
    _objective,
    _scores,
)


def _continuous_params(search):
    names = []
    for subspace in SearchSpace(search.param_distributions).subspaces:
        names.extend(
            name
            for name, dim in zip(subspace.names, subspace.dimensions)
            if dim.is_continuous and name not in names
        )
    return names


def plot_gradient_paths(search, params=None, *, ax=None):
    """Plot the paths of a gradient search over one or two parameters.

    Each start is a line through the points it stepped to, in the order
    evaluated (trial steps included, accepted or not), from the initial
    candidate it began at; its probes are small dots of the same colour,
    the random initial candidates grey crosses, the best candidate a red
    star. Over two parameters, the background is a contour plot of the
    objective interpolated between all the evaluated candidates (a
    triangulation, on the log scale of log-scaled dimensions); over one,
    the objective is the vertical axis.

    Parameters
    ----------
    search : GradientSearchCV
        A fitted :class:`~sklearn_tune.GradientSearchCV`.

    params : str or list of str, default=None
        One or two continuous parameters. None: the continuous parameters
        of the search space, if there are one or two.

    ax : matplotlib Axes, default=None
        Axes to draw on; a new figure when None.

    Returns
    -------
    matplotlib.axes.Axes
        The axes, with one line labelled "start k" per start.

    See Also
    --------
    plot_objective : The evaluations of any search.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from scipy.stats import loguniform
    >>> from sklearn.datasets import load_diabetes
    >>> from sklearn.linear_model import ElasticNet
    >>> from sklearn_tune import GradientSearchCV, Real
    >>> from sklearn_tune.plotting import plot_gradient_paths
    >>> X, y = load_diabetes(return_X_y=True)
    >>> search = GradientSearchCV(
    ...     ElasticNet(),
    ...     {"alpha": loguniform(1e-4, 1e1), "l1_ratio": Real(0.05, 1.0)},
    ...     n_iter=12, cv=3, random_state=0,
    ... ).fit(X, y)
    >>> ax = plot_gradient_paths(search)
    >>> ax.get_xscale(), ax.get_xlabel(), ax.get_ylabel()
    ('log', 'alpha', 'l1_ratio')
    >>> ax.get_legend_handles_labels()[1][:2]
    ['start 0', 'start 1']
    """
    from matplotlib.tri import Triangulation

    _check_search(search, GradientSearchCV)
    if params is None:
        params = _continuous_params(search)
        if not 1 <= len(params) <= 2:
            raise ValueError(
                f"The search has {len(params)} continuous parameters {params}; "
                "pass params with one or two of them."
            )
    params = _check_params(search, params, 2)
    axes = [_Axis(search, name) for name in params]
    categorical = [a.name for a in axes if a.scale == "categorical"]
    if categorical:
        raise ValueError(
            f"params must be numeric parameters; {categorical} are categorical."
        )
    ax = _get_ax(ax)
    results = search.cv_results_
    scores = _scores(search)
    coords = [a.positions() for a in axes]
    start = np.asarray(results["start"])
    role = np.asarray(results["role"])
    shown = np.all([np.isfinite(c) for c in coords], axis=0)
    if len(axes) == 1:
        x, y = coords[0], scores
        ax.scatter(x[shown], y[shown], s=15, color="0.7", zorder=1)
        ax.set_ylabel(_objective(search))
    else:
        x, y = coords
        scored = shown & np.isfinite(scores)
        flat = [np.log10(c) if a.scale == "log" else c for a, c in zip(axes, coords)]
        plane = np.column_stack([f[scored] for f in flat])
        if scored.sum() >= 3 and np.linalg.matrix_rank(plane - plane.mean(0)) == 2:
            # Triangulated where the axes are even (the log scale of a
            # log-scaled dimension), drawn at the values.
            triangles = Triangulation(*plane.T).triangles
            contour = ax.tricontourf(
                Triangulation(x[scored], y[scored], triangles), scores[scored],
                levels=12, cmap="viridis", alpha=0.8,
            )
            ax.figure.colorbar(contour, ax=ax, label=_objective(search))
    for k in np.unique(start[start >= 0]):
        path = np.flatnonzero((start == k) & np.isin(role, ["init", "iterate"]))
        origin = _origin_of_start(search, k, start, role, scores)
        if origin is not None:
            path = np.concatenate([[origin], path])
        path = path[shown[path]]
        color = f"C{k % 10}"
        ax.plot(x[path], y[path], "o-", color=color, markersize=4, label=f"start {k}")
        probes = (start == k) & (role == "probe") & shown
        ax.plot(x[probes], y[probes], ".", color=color, markersize=4,
                label="_probes")
    initial = (start == -1) & shown
    ax.plot(x[initial], y[initial], "x", color="0.3", label="initial or random")
    best = search.best_index_
    if shown[best]:
        _mark_best(ax, [x[best]], [y[best]])
    axes[0].set_on(ax, "x")
    if len(axes) == 2:
        axes[1].set_on(ax, "y")
    # Above the axes: inside, it covers the paths it names.
    ax.legend(
        fontsize="small", loc="lower left", bbox_to_anchor=(0, 1.02, 1, 0.2),
        mode="expand", ncol=3, borderaxespad=0,
    )
    return ax


def _origin_of_start(search, k, start, role, scores):
    """The row a start began at, when it is one of the initial candidates.

    The first ``n_starts`` starts begin at the best initial candidates, the
    best first (see :class:`~sklearn_tune.GradientSearchCV`); later starts
    have a row of their own, with role ``"init"``.
    """
    if k >= search.n_starts or np.any((start == k) & (role == "init")):
        return None
    initial = np.flatnonzero((start == -1) & (role == "init"))
    # Failed candidates rank last, as the optimizer imputes them the worst.
    ranked = sorted(initial, key=lambda i: -np.nan_to_num(scores[i], nan=-np.inf))
    return ranked[k] if k < len(ranked) else None
