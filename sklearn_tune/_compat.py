"""The one place that touches scikit-learn's private API.

Everything else in sklearn_tune uses public scikit-learn API and the
documented ``_run_search(evaluate_candidates)`` extension point of
:class:`~sklearn.model_selection._search.BaseSearchCV`. Each name below
says the scikit-learn releases it was checked on and what stands in for it
where it is missing.
"""

from contextlib import contextmanager

from sklearn.base import is_classifier
from sklearn.model_selection import check_cv
from sklearn.utils import indexable

# Checked on 1.6.1, 1.7.2, 1.8.0, 1.9.1: the base class of the searches.
from sklearn.model_selection._search import BaseSearchCV  # noqa: F401

# Checked on 1.6.1, 1.7.2, 1.8.0, 1.9.1: numpy/pandas/list row selection.
from sklearn.utils import _safe_indexing as safe_indexing  # noqa: F401

# Checked on 1.6.1, 1.7.2, 1.8.0, 1.9.1: `_parameter_constraints` vocabulary.
from sklearn.utils._param_validation import (  # noqa: F401
    HasMethods,
    Interval,
    StrOptions,
)

# The message sklearn raises from evaluate_candidates when every fit of a
# batch failed (sklearn.model_selection._validation, 1.6.1 to 1.9.1).
_ALL_FITS_FAILED = "fits failed.\nIt is very likely that your model is misconfigured"

# From 1.9.0 on, BaseSearchCV.fit resolves the splitter into
# `_checked_cv_orig`, sets `n_splits_` and calls the hook
# `_check_input_parameters(X, y, split_params)`, all before `_run_search`,
# and passes `_run_search` a `callback_ctx`. 1.6.1, 1.7.2 and 1.8.0 do none
# of these: `prepare_fit` does the first three for them, as their own
# successive-halving searches do in their `fit`.
FIT_PREPARES_SEARCH = hasattr(BaseSearchCV, "_check_input_parameters")

# Callbacks (`set_callbacks`, `callback_ctx`) exist from 1.9.0 on.
HAS_CALLBACKS = hasattr(BaseSearchCV, "set_callbacks")


def prepare_fit(search, X, y, params):
    """Give `search` before ``_run_search`` what scikit-learn 1.9's fit gives.

    A no-op from 1.9.0 on. Before it: validate the parameters (so a bad
    ``cv`` gets scikit-learn's parameter message, not check_cv's), resolve the
    splitter into ``_checked_cv_orig``, call the search's
    ``_check_input_parameters`` hook if it has one, and set ``n_splits_``
    (1.6.1 to 1.8.0 set it only after the search).
    """
    if FIT_PREPARES_SEARCH:
        return
    search._validate_params()
    X, y = indexable(X, y)
    split_params = search._get_routed_params_for_fit(params).splitter.split
    search._checked_cv_orig = check_cv(
        search.cv, y, classifier=is_classifier(search.estimator)
    )
    check_input = getattr(search, "_check_input_parameters", None)
    if check_input is not None:
        check_input(X=X, y=y, split_params=split_params)
    search.n_splits_ = search._checked_cv_orig.get_n_splits(X, y, **split_params)


def checked_cv(search):
    """The splitter BaseSearchCV.fit resolved from ``search.cv``.

    Read during ``fit`` only: set by scikit-learn from 1.9.0 on, and by
    :func:`prepare_fit` before it.
    """
    return search._checked_cv_orig


def validate_params(estimator):
    """Check `estimator`'s parameters against its ``_parameter_constraints``.

    ``BaseEstimator._validate_params``, checked on 1.6.1 to 1.9.1; for the
    checks a search runs before scikit-learn's fit does.
    """
    estimator._validate_params()


def routed_params(search, params):
    """The fit parameters BaseSearchCV.fit routes to the estimator's fits,
    the scorer and the splitter (``.estimator.fit``, ``.scorer.score``,
    ``.splitter.split``).

    ``BaseSearchCV._get_routed_params_for_fit``, checked on 1.6.1 to 1.9.1.
    Without metadata routing the scorer is given ``sample_weight`` from 1.7.0
    on when it accepts it, never on 1.6.1.
    """
    return search._get_routed_params_for_fit(params)


def is_all_fits_failed(exc):
    """Whether `exc` is sklearn's "All the N fits failed" error."""
    return isinstance(exc, ValueError) and _ALL_FITS_FAILED in str(exc)


@contextmanager
def splits_per_candidate(search, evaluate_candidates, n_splits):
    """Let ``evaluate_candidates`` score each candidate on `n_splits` splits.

    ``evaluate_candidates`` refuses a ``cv`` that yields another number of
    splits than the search's: from 1.9.0 on it reads ``search.n_splits_`` at
    every call and compares it with the splits it got; 1.6.1, 1.7.2 and
    1.8.0 keep the number in the variable ``n_splits`` of ``fit``, which it
    shares as a closure cell, and compare ``len(out)`` with ``n_candidates *
    n_splits``. Either is set to `n_splits` for the call and restored after.
    The number also reaches ``_format_results``, which early-stopped
    cross-validation ignores in favour of its own record of the folds.
    """
    code = evaluate_candidates.__code__
    cells = dict(zip(code.co_freevars, evaluate_candidates.__closure__ or ()))
    if "n_splits" in cells:
        cell = cells["n_splits"]
        saved = cell.cell_contents
        cell.cell_contents = n_splits
        try:
            yield
        finally:
            cell.cell_contents = saved
    elif FIT_PREPARES_SEARCH:
        saved = search.n_splits_
        search.n_splits_ = n_splits
        try:
            yield
        finally:
            search.n_splits_ = saved
    else:
        import sklearn

        raise NotImplementedError(
            "early_stopping_cv cannot score a subset of the splits with "
            f"scikit-learn {sklearn.__version__}: it was checked on 1.6.1 to "
            "1.9.1. Set early_stopping_cv=None."
        )


# The per-fit result dicts that evaluate_candidates collects from
# `_fit_and_score` and passes to `_format_results` (return_times=True,
# return_n_test_samples=True): "test_scores" and "train_scores" are a float,
# or a dict of floats by scorer name with multi-metric scoring, "fit_time"
# and "score_time" floats, "fit_error" None or a traceback. Checked on
# 1.6.1, 1.7.2, 1.8.0, 1.9.1.


def result_values(result):
    """The numbers of one fit's result, by the name ``cv_results_`` gives
    them after ``mean_``: ``fit_time``, ``score_time``, ``test_<scorer>``,
    ``train_<scorer>`` (``<scorer>`` is ``score`` for a single scorer)."""
    values = {"fit_time": result["fit_time"], "score_time": result["score_time"]}
    for part in ("test", "train"):
        scores = result.get(f"{part}_scores")
        if isinstance(scores, dict):
            values.update({f"{part}_{name}": v for name, v in scores.items()})
        elif scores is not None:
            values[f"{part}_score"] = scores
    return values


def result_with_values(template, values, fit_error=None):
    """A copy of the fit result `template` holding `values` (as given by
    :func:`result_values`) and `fit_error`."""
    result = {**template, "fit_error": fit_error}
    result["fit_time"], result["score_time"] = values["fit_time"], values["score_time"]
    for part in ("test", "train"):
        scores = template.get(f"{part}_scores")
        if isinstance(scores, dict):
            result[f"{part}_scores"] = {name: values[f"{part}_{name}"] for name in scores}
        elif scores is not None:
            result[f"{part}_scores"] = values[f"{part}_score"]
    return result


def replace_results(results, new):
    """Make `results`, the dict the last ``evaluate_candidates`` call
    returned, hold `new`.

    That dict is the one ``BaseSearchCV.fit`` keeps for ``cv_results_``
    (1.6.1 to 1.9.1), so the change reaches ``cv_results_`` even when no
    call follows: for results that changed after a call whose every fit
    failed, which updates nothing.
    """
    results.clear()
    results.update(new)
