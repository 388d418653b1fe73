"""Figures of fitted searches, drawn from their own ``cv_results_``.

Every function takes a fitted search (:func:`plot_convergence` several),
draws on `ax` (a new figure when None) and returns the matplotlib Axes.
matplotlib is an optional dependency, imported when a function is called::

    pip install "sklearn-tune[plot]"

The objective is the score the search maximised: ``mean_test_score``, or
``mean_test_<refit>`` with multi-metric scoring. For a multi-fidelity
search (:class:`~sklearn_tune.HyperbandSearchCV`, or scikit-learn's
successive halving), :func:`plot_convergence`, :func:`plot_objective` and
:func:`plot_parallel_coordinates` use only the rows evaluated with the
full resource, the ones ``best_index_`` is chosen from; see
:func:`plot_hyperband` for the others. :func:`plot_pareto_front` draws two
objectives of any search, its Pareto front highlighted.
"""

from ._convergence import plot_convergence
from ._evolution import plot_evolution
from ._gradient_paths import plot_gradient_paths
from ._hyperband import plot_hyperband
from ._objective import plot_objective
from ._parallel_coordinates import plot_parallel_coordinates
from ._pareto import plot_pareto_front

__all__ = [
    "plot_convergence",
    "plot_evolution",
    "plot_gradient_paths",
    "plot_hyperband",
    "plot_objective",
    "plot_parallel_coordinates",
    "plot_pareto_front",
]
