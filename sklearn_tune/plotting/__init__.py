"""Figures of fitted searches, drawn from their own ``cv_results_``.

Every function takes a fitted search (:func:`plot_convergence` several),
draws on `ax` (a new figure when None) and returns the matplotlib Axes. matplotlib is an optional
dependency, imported when a function is called::

    pip install "sklearn-tune[plot]"

The objective is the score the search maximised: ``mean_test_score``, or
``mean_test_<refit>`` with multi-metric scoring. For a multi-fidelity
search (:class:`~sklearn_tune.HyperbandSearchCV`, or scikit-learn's
successive halving), :func:`plot_convergence`, :func:`plot_objective` and
:func:`plot_parallel_coordinates` use only the rows evaluated with the
full resource, the ones ``best_index_`` is chosen from; see
:func:`plot_hyperband` for the others.
"""

import numbers

import numpy as np
from sklearn.utils.validation import check_is_fitted

from .. import EvolutionarySearchCV, GradientSearchCV, HyperbandSearchCV
from ..space import Categorical, Integer, Real, SearchSpace

__all__ = [
    "plot_convergence",
    "plot_evolution",
    "plot_gradient_paths",
    "plot_hyperband",
    "plot_objective",
    "plot_parallel_coordinates",
]

_LOG_DISTRIBUTIONS = ("loguniform", "reciprocal")


def _pyplot():
    try:
        import matplotlib.pyplot as plt
    except ImportError as exc:
        raise ImportError(
            "sklearn_tune.plotting needs matplotlib: "
            'pip install "sklearn-tune[plot]"'
        ) from exc
    return plt


def _get_ax(ax):
    plt = _pyplot()
    if ax is None:
        _, ax = plt.subplots()
    return ax


def _check_search(search, cls=None):
    # Without matplotlib nothing can be drawn: say so before anything else.
    _pyplot()
    if cls is not None and not isinstance(search, cls):
        raise TypeError(
            f"search must be a fitted {cls.__name__}, got "
            f"{type(search).__name__}."
        )
    check_is_fitted(search, "cv_results_")


def _objective(search):
    """Name of the ``cv_results_`` column the search maximised."""
    results = search.cv_results_
    if isinstance(search.refit, str) and f"mean_test_{search.refit}" in results:
        return f"mean_test_{search.refit}"
    if "mean_test_score" in results:
        return "mean_test_score"
    metrics = sorted(
        key[len("mean_test_") :] for key in results if key.startswith("mean_test_")
    )
    raise ValueError(
        f"{type(search).__name__} was fitted with several metrics {metrics} and "
        f"refit={search.refit!r}, which names none of them: no single objective "
        "to plot."
    )


def _final_rows(results):
    """Rows that compete for ``best_index_``: with the full resource, if any."""
    n_rows = len(results["params"])
    if "n_resources" not in results:
        return np.ones(n_rows, dtype=bool)
    resources = np.asarray(results["n_resources"], dtype=float)
    return resources == np.max(resources)


def _scores(search):
    return np.asarray(search.cv_results_[_objective(search)], dtype=float)


def _dimension(search, name):
    """The search-space dimension of `name`, or None if it is not in it."""
    spec = getattr(search, "param_distributions", getattr(search, "param_grid", None))
    try:
        space = SearchSpace(spec)
    except (TypeError, ValueError):
        # Not a space sklearn-tune can read (a custom sampler); the axes
        # are then chosen from the values alone.
        return None
    for subspace in space.subspaces:
        if name in subspace.names:
            return subspace.dimensions[subspace.names.index(name)]
    return None


def _is_number(value):
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


# Where a row's sub-space lacks the parameter.
_MISSING = object()


def _param_names(search):
    names = []
    for params in search.cv_results_["params"]:
        names.extend(n for n in params if n not in names)
    return names


def _check_params(search, params, n_max):
    """The parameters to plot, as a list of `n_max` or fewer names."""
    available = _param_names(search)
    if params is None:
        if len(available) > n_max:
            raise ValueError(
                f"The search has {len(available)} parameters {available}; pass "
                f"params with at most {n_max} of them."
            )
        return available
    if isinstance(params, str):
        params = [params]
    params = list(params)
    if not 1 <= len(params) <= n_max:
        raise ValueError(
            f"params must name 1 to {n_max} parameters, got {params!r}."
        )
    unknown = [p for p in params if p not in available]
    if unknown:
        raise ValueError(
            f"params {unknown} are not parameters of the search; they are "
            f"{available}."
        )
    return params


class _Axis:
    """A parameter laid on an axis: numbers as they are, categories by position.

    The scale is "log" for log-scaled dimensions (``log=True``,
    ``loguniform``), "linear" for other numbers and "categorical" otherwise;
    the values of a list (or of a parameter outside the search space) are
    on a log scale when positive and spread over several orders of
    magnitude.
    """

    def __init__(self, search, name):
        self.name = name
        self.values = [p.get(name, _MISSING) for p in search.cv_results_["params"]]
        present = [v for v in self.values if v is not _MISSING]
        dim = _dimension(search, name)
        self._choices = None
        if not present or not all(_is_number(v) for v in present):
            self.scale = "categorical"
            if isinstance(dim, Categorical) and all(dim.contains(v) for v in present):
                self._choices = dim
            else:
                unique = []
                for value in present:
                    if not unique or not Categorical(unique).contains(value):
                        unique.append(value)
                self._choices = Categorical(unique or [None])
        elif isinstance(dim, (Real, Integer)):
            self.scale = "log" if dim.log else "linear"
        elif hasattr(dim, "dist"):
            # A frozen scipy.stats distribution, kept by its dimension.
            family = getattr(getattr(dim.dist, "dist", None), "name", "")
            self.scale = "log" if family in _LOG_DISTRIBUTIONS else "linear"
        else:
            low, high = min(present), max(present)
            self.scale = "log" if low > 0 and high / low >= 100 else "linear"

    @property
    def categories(self):
        return [] if self._choices is None else self._choices.choices

    def positions(self):
        """Coordinates of every row (NaN where the row lacks the parameter);
        a category's coordinate is its index."""
        position = float if self._choices is None else self._choices.index
        return np.array(
            [np.nan if v is _MISSING else float(position(v)) for v in self.values]
        )

    def unit(self):
        """Coordinates of every row scaled to ``[0, 1]`` (NaN where missing)."""
        x = self.positions()
        if self.scale == "categorical":
            n = len(self.categories)
            return x / (n - 1) if n > 1 else np.where(np.isfinite(x), 0.5, np.nan)
        if self.scale == "log":
            x = np.log10(x)
        finite = x[np.isfinite(x)]
        if finite.size == 0 or finite.max() == finite.min():
            return np.where(np.isfinite(x), 0.5, np.nan)
        return (x - finite.min()) / (finite.max() - finite.min())

    def category_units(self):
        """Where each category lies on the ``[0, 1]`` scale of :meth:`unit`."""
        n = len(self.categories)
        return [i / (n - 1) if n > 1 else 0.5 for i in range(n)]

    def set_on(self, ax, which):
        """Label the x or y axis of `ax` and choose its scale."""
        getattr(ax, f"set_{which}label")(self.name)
        if self.scale == "log":
            getattr(ax, f"set_{which}scale")("log")
        elif self.scale == "categorical":
            getattr(ax, f"set_{which}ticks")(
                range(len(self.categories)), [str(c) for c in self.categories]
            )


def _mark_best(ax, x, y):
    ax.plot(
        x, y, marker="*", markersize=15, color="tab:red", markeredgecolor="k",
        linestyle="none", label="best", zorder=5,
    )


def plot_convergence(searches, *, x="evaluations", ax=None):
    """Plot the best objective so far against evaluations or time.

    One line per search, so that strategies run on the same problem compare
    on one axis. Each line is the running maximum of the objective over the
    rows of ``cv_results_`` in the order evaluated; failed candidates (NaN)
    do not raise it. Any fitted scikit-learn search works, such as
    :class:`~sklearn.model_selection.RandomizedSearchCV`.

    Parameters
    ----------
    searches : search, list of searches or dict
        Fitted searches. A list is labelled by class name, a dict maps
        labels to searches.

    x : {"evaluations", "time"}, default="evaluations"
        The horizontal axis: the number of candidates evaluated, or the
        cumulative time spent fitting and scoring them, in seconds summed
        over the folds (``(mean_fit_time + mean_score_time) * n_splits_``;
        with ``n_jobs > 1`` the wall-clock time is shorter).

    ax : matplotlib Axes, default=None
        Axes to draw on; a new figure when None.

    Returns
    -------
    matplotlib.axes.Axes
        The axes, with one line per search.

    See Also
    --------
    plot_objective : The objective against one or two parameters.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from scipy.stats import loguniform
    >>> from sklearn.datasets import load_diabetes
    >>> from sklearn.linear_model import Ridge
    >>> from sklearn_tune import GradientSearchCV
    >>> from sklearn_tune.plotting import plot_convergence
    >>> X, y = load_diabetes(return_X_y=True)
    >>> search = GradientSearchCV(
    ...     Ridge(), {"alpha": loguniform(1e-4, 1e2)}, n_iter=8, cv=3,
    ...     random_state=0,
    ... ).fit(X, y)
    >>> ax = plot_convergence({"gradient": search})
    >>> ax.get_lines()[0].get_label()
    'gradient'
    >>> bool(ax.get_lines()[0].get_ydata()[-1] == search.best_score_)
    True
    """
    if x not in ("evaluations", "time"):
        raise ValueError(f"x must be 'evaluations' or 'time', got {x!r}.")
    if isinstance(searches, dict):
        labelled = list(searches.items())
    elif isinstance(searches, (list, tuple)):
        labelled = [(type(s).__name__, s) for s in searches]
    else:
        labelled = [(type(searches).__name__, searches)]
    if not labelled:
        raise ValueError("searches is empty: pass at least one fitted search.")
    for _, search in labelled:
        _check_search(search)
    ax = _get_ax(ax)
    for label, search in labelled:
        results = search.cv_results_
        scores = np.where(_final_rows(results), _scores(search), np.nan)
        best = np.fmax.accumulate(scores)
        if x == "evaluations":
            xs = np.arange(1, len(scores) + 1)
        else:
            seconds = np.asarray(results["mean_fit_time"]) + np.asarray(
                results["mean_score_time"]
            )
            xs = np.cumsum(seconds * search.n_splits_)
        ax.plot(xs, best, drawstyle="steps-post", label=label)
    ax.set_xlabel(
        "candidates evaluated" if x == "evaluations" else "fit and score time (s)"
    )
    ax.set_ylabel(f"best {_objective(labelled[0][1])} so far")
    ax.legend()
    return ax


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


def plot_evolution(search, *, ax=None):
    """Plot the fitness of an evolutionary search, generation by generation.

    Grey points are the candidates' objectives; the lines are the best of
    each generation, the best so far, and the mean of each generation with a
    band of one standard deviation, from ``search.history_``. A band that
    narrows shows the population converging.

    Parameters
    ----------
    search : EvolutionarySearchCV
        A fitted :class:`~sklearn_tune.EvolutionarySearchCV`.

    ax : matplotlib Axes, default=None
        Axes to draw on; a new figure when None.

    Returns
    -------
    matplotlib.axes.Axes
        The axes, with the lines labelled "best so far", "best of
        generation" and "mean of generation".

    See Also
    --------
    plot_convergence : The best so far against evaluations, for any search.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from scipy.stats import loguniform
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.svm import SVC
    >>> from sklearn_tune import EvolutionarySearchCV
    >>> from sklearn_tune.plotting import plot_evolution
    >>> X, y = load_iris(return_X_y=True)
    >>> search = EvolutionarySearchCV(
    ...     SVC(), {"C": loguniform(1e-2, 1e2), "gamma": loguniform(1e-3, 1e1)},
    ...     n_iter=20, population_size=5, cv=3, random_state=0,
    ... ).fit(X, y)
    >>> ax = plot_evolution(search)
    >>> [line.get_label() for line in ax.get_lines()]
    ['best so far', 'best of generation', 'mean of generation']
    """
    from matplotlib.ticker import MaxNLocator

    _check_search(search, EvolutionarySearchCV)
    ax = _get_ax(ax)
    history = search.history_
    generation = history["generation"]
    ax.scatter(search.cv_results_["generation"], _scores(search), s=12,
               color="0.6", alpha=0.6, label="candidates")
    ax.plot(generation, history["best_score_so_far"], "--", color="tab:red",
            linewidth=2, label="best so far", zorder=3)
    ax.plot(generation, history["best_score"], "o-", color="tab:blue",
            label="best of generation")
    mean, std = history["mean_score"], history["std_score"]
    ax.plot(generation, mean, color="tab:green", label="mean of generation")
    ax.fill_between(generation, mean - std, mean + std, color="tab:green", alpha=0.2)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlabel("generation")
    ax.set_ylabel(_objective(search))
    ax.legend()
    return ax


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
    ax.legend(fontsize="small")
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
