"""The best objective so far of one or several searches."""

import numpy as np

from ._utils import _check_search, _final_rows, _get_ax, _objective, _scores


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

    A marker shows each candidate that improved on the best so far.
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
        # A marker where the best improves: a search whose rows mostly do
        # not count (Hyperband's lower levels) may have a single point, which
        # a line alone would not show.
        finite = np.isfinite(best)
        improved = finite & ~(np.append(False, best[1:] == best[:-1]))
        ax.plot(
            xs,
            best,
            drawstyle="steps-post",
            marker="o",
            markevery=np.flatnonzero(improved).tolist(),
            label=label,
        )
    ax.set_xlabel(
        "candidates evaluated" if x == "evaluations" else "fit and score time (s)"
    )
    ax.set_ylabel(f"best {_objective(labelled[0][1])} so far")
    ax.legend()
    return ax
