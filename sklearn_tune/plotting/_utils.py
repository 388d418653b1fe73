"""Helpers every figure shares: input checks, the objective, the axes to draw on."""

import numpy as np
from sklearn.utils.validation import check_is_fitted


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


def _mark_best(ax, x, y):
    # Not clipped: the best often lies on a bound of the space, where the
    # axes end.
    ax.plot(
        x, y, marker="*", markersize=15, color="tab:red", markeredgecolor="k",
        linestyle="none", label="best", zorder=5, clip_on=False,
    )
