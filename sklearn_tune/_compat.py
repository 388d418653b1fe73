"""The one place that touches scikit-learn's private API.

Everything else in sklearn_tune uses public scikit-learn API and the
documented ``_run_search(evaluate_candidates)`` extension point of
:class:`~sklearn.model_selection._search.BaseSearchCV`.
"""

from sklearn.model_selection._search import BaseSearchCV  # noqa: F401
from sklearn.utils._param_validation import (  # noqa: F401
    HasMethods,
    Interval,
    StrOptions,
)

# The message sklearn raises from evaluate_candidates when every fit of a
# batch failed (sklearn.model_selection._validation, 1.6 to 1.9).
_ALL_FITS_FAILED = "fits failed.\nIt is very likely that your model is misconfigured"


def checked_cv(search):
    """The splitter BaseSearchCV.fit resolved from ``search.cv``."""
    return search._checked_cv_orig


def is_all_fits_failed(exc):
    """Whether `exc` is sklearn's "All the N fits failed" error."""
    return isinstance(exc, ValueError) and _ALL_FITS_FAILED in str(exc)
