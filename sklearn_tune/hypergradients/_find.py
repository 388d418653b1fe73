"""Which family handles an estimator, and the loss and gradient in one call."""

from ._kernel_ridge import KernelRidgeHypergradient
from ._lasso import ElasticNetHypergradient
from ._logistic import LogisticHypergradient
from ._ridge import RidgeHypergradient

# In the order they are tried.
FAMILIES = (
    RidgeHypergradient,
    LogisticHypergradient,
    KernelRidgeHypergradient,
    ElasticNetHypergradient,
)


def find_hypergradient(estimator, param_names, *, sample_weight=False):
    """The exact hypergradient of `estimator` for `param_names`, if any.

    Parameters
    ----------
    estimator : estimator
        A supported model, or a Pipeline ending with one, its other
        parameters set.
    param_names : list of str
        Continuous parameters to differentiate, named as for
        ``estimator.set_params``.
    sample_weight : bool, default=False
        Whether the fit will be given sample weights.

    Returns
    -------
    hypergradient : Hypergradient or None
        Not fitted yet; None when no family handles the estimator and these
        parameters (with sample weights, if asked).

    Examples
    --------
    >>> from sklearn.linear_model import Ridge, Lasso
    >>> from sklearn.svm import SVC
    >>> from sklearn_tune.hypergradients import find_hypergradient
    >>> type(find_hypergradient(Ridge(), ["alpha"])).__name__
    'RidgeHypergradient'
    >>> find_hypergradient(Ridge(), ["tol"]) is None
    True
    >>> find_hypergradient(SVC(), ["C"]) is None
    True
    """
    if not param_names:
        return None
    for family in FAMILIES:
        if family.handles(estimator, param_names, sample_weight=sample_weight):
            return family(estimator, param_names)
    return None


def value_and_grad(estimator, X, y, folds, params, sample_weight=None):
    """Mean validation loss over `folds` and its gradient with respect to `params`.

    Parameters
    ----------
    estimator : estimator
        A supported model, or a Pipeline ending with one.
    X : array-like of shape (n_samples, n_features)
        Data.
    y : array-like of shape (n_samples,) or (n_samples, n_outputs)
        Targets.
    folds : iterable of (train, test) index arrays
        Cross-validation folds.
    params : dict
        Values of the parameters to differentiate.
    sample_weight : array-like of shape (n_samples,), default=None
        Weights of the samples (ridge only).

    Returns
    -------
    loss : float
        The smooth validation loss (squared error or log-loss), averaged
        over the folds.
    grad : dict
        Parameter name to the derivative of `loss` with respect to its value.

    Examples
    --------
    >>> from sklearn.datasets import load_diabetes
    >>> from sklearn.linear_model import Ridge
    >>> from sklearn.model_selection import KFold
    >>> from sklearn_tune.hypergradients import value_and_grad
    >>> X, y = load_diabetes(return_X_y=True)
    >>> folds = list(KFold(5).split(X))
    >>> loss, grad = value_and_grad(Ridge(), X, y, folds, {"alpha": 1.0})
    >>> round(loss), grad["alpha"] > 0
    (3420, True)
    """
    weighted = sample_weight is not None
    hypergradient = find_hypergradient(estimator, list(params), sample_weight=weighted)
    if hypergradient is None:
        with_weights = " with sample_weight" if weighted else ""
        raise ValueError(
            f"No exact hypergradient for {type(estimator).__name__}{with_weights} "
            f"with respect to {sorted(params)}."
        )
    return hypergradient.fit(X, y, folds, sample_weight).value_and_grad(params)
