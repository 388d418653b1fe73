"""The fitness of an evolutionary search, generation by generation (step
by step for population-based training)."""

import numpy as np

from .. import EvolutionarySearchCV
from ._utils import _check_search, _get_ax, _objective, _scores


def plot_evolution(search, *, ax=None):
    """Plot the fitness of an evolutionary search, generation by generation.

    Grey points are the candidates' objectives; the lines are the best of
    each generation, the best so far, and the mean of each generation with a
    band of one standard deviation, from ``search.history_``. A band that
    narrows shows the population converging; a dotted vertical line marks
    the first generation of each restart.

    With ``strategy="pbt"``, each member's objective over the steps: a grey
    line from the model it continued (at the previous step) to the row,
    dashed where the member copied another, and the best of each step.

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
        generation" and "mean of generation", and "restart" when the search
        restarted; with ``strategy="pbt"``, "member", "copy" and "best of
        step".

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
    if "step" in search.cv_results_:
        return _plot_steps(search, ax)
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
    restarts = np.asarray(history.get("restart", np.zeros_like(generation)))
    for i, first in enumerate(generation[1:][np.diff(restarts) > 0]):
        ax.axvline(first - 0.5, color="0.3", linestyle=":",
                   label="restart" if i == 0 else None)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlabel("generation")
    ax.set_ylabel(_objective(search))
    ax.legend()
    return ax


def _plot_steps(search, ax):
    """Members over the steps of population-based training, copies dashed."""
    from matplotlib.ticker import MaxNLocator

    results = search.cv_results_
    scores = _scores(search)
    steps, members, parents = results["step"], results["member"], results["parent"]
    row = {(s, m): i for i, (s, m) in enumerate(zip(steps, members))}
    labelled = set()
    for i, (step, member, parent) in enumerate(zip(steps, members, parents)):
        j = row.get((step - 1, parent))
        if j is None:
            continue
        label = "copy" if parent != member else "member"
        ax.plot([step - 1, step], [scores[j], scores[i]], color="0.6", lw=1,
                linestyle="--" if label == "copy" else "-",
                label=None if label in labelled else label)
        labelled.add(label)
    numbers = np.unique(steps)
    best = [np.nanmax(np.append(scores[steps == s], -np.inf)) for s in numbers]
    ax.plot(numbers, best, "o-", color="tab:blue", label="best of step", zorder=3)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlabel(f"step ({search.resource})")
    ax.set_ylabel(_objective(search))
    ax.legend()
    return ax
