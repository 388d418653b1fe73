"""The base class of the hypergradient families.

Each family (one module each) subclasses :class:`Hypergradient`; this module
imports none of them, so that they import it without a cycle.
"""

import numpy as np
from scipy import sparse
from sklearn.base import clone
from sklearn.pipeline import Pipeline
from sklearn.utils import check_array

from .._compat import safe_indexing


class Hypergradient:
    """Mean validation loss over folds, and its gradient, for one estimator.

    Subclasses set ``estimators`` (the model classes they handle),
    ``differentiable`` (the model's parameters with an exact gradient) and
    ``loss`` (the name of the validation loss), ``supports_sample_weight``
    (whether ``_fit_fold`` takes ``w_train`` and ``w_test``), and implement
    ``_supports(model, names)`` (whether the model's settings allow the
    gradient in these of its parameters), ``_fit_fold(model, X_train, y_train, X_test,
    y_test)`` (returns whatever the fold's gradients need, factorisations
    included) and ``_fold_value_and_grad(model, fold, params)`` (returns the
    fold's loss and a dict of its derivatives with respect to the values of
    the model's parameters).

    Parameters
    ----------
    estimator : estimator
        The model, or a Pipeline ending with it, with every parameter that is
        not differentiated already set.
    param_names : list of str
        The parameters to differentiate, named as for ``estimator.set_params``.
    """

    estimators = ()
    differentiable = ()
    loss = "squared_error"
    supports_sample_weight = False

    def __init__(self, estimator, param_names):
        self.estimator = estimator
        self.param_names = list(param_names)

    @classmethod
    def handles(cls, estimator, param_names, *, sample_weight=False):
        """Whether this family gives the gradient for these parameters."""
        parts = _split_pipeline(estimator)
        if parts is None:
            return False
        preprocessing, model, prefix = parts
        # In a Pipeline the weights may also reach the preprocessing, which
        # the folds here would have to reproduce step by step.
        if sample_weight and (not cls.supports_sample_weight or preprocessing):
            return False
        if type(model) not in cls.estimators:
            return False
        if not all(name.startswith(prefix) for name in param_names):
            return False
        names = {name[len(prefix) :] for name in param_names}
        return names <= set(cls.differentiable) and cls._supports(model, names)

    @classmethod
    def _supports(cls, model, names):
        return True

    def fit(self, X, y, folds, sample_weight=None, score_weight="same"):
        """Fit the preprocessing on each training fold and cache what it can.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training data, as given to the search.
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            Targets.
        folds : iterable of (train, test) index arrays
            The cross-validation folds.
        sample_weight : array-like of shape (n_samples,), default=None
            Weights of the samples in the model's fit; only for families
            that support them.
        score_weight : array-like of shape (n_samples,), None or "same", \
                default="same"
            Weights of the validation samples in the loss: "same" as
            `sample_weight`, or None for an unweighted mean (what a scorer
            that is not given the weights computes).

        Returns
        -------
        self : Hypergradient
        """
        if isinstance(score_weight, str) and score_weight == "same":
            score_weight = sample_weight
        weighted = sample_weight is not None or score_weight is not None
        preprocessing, model, self._prefix = _split_pipeline(self.estimator)
        self._model = model
        self._names = {name[len(self._prefix) :] for name in self.param_names}
        self._folds = []
        for train, test in folds:
            X_train, X_test = safe_indexing(X, train), safe_indexing(X, test)
            y_train, y_test = safe_indexing(y, train), safe_indexing(y, test)
            if preprocessing is not None:
                fitted = clone(preprocessing)
                X_train = fitted.fit_transform(X_train, y_train)
                X_test = fitted.transform(X_test)
            weights = {}
            if weighted:
                weights = {
                    "w_train": _weights_of(sample_weight, train),
                    "w_test": _weights_of(score_weight, test),
                }
            self._folds.append(
                self._fit_fold(
                    model,
                    _dense(X_train),
                    check_array(y_train, ensure_2d=False, dtype=None),
                    _dense(X_test),
                    check_array(y_test, ensure_2d=False, dtype=None),
                    **weights,
                )
            )
        return self

    def value_and_grad(self, params):
        """Mean validation loss over the folds and its gradient.

        Parameters
        ----------
        params : dict
            Values of the differentiated parameters, named as in
            ``param_names``.

        Returns
        -------
        loss : float
            Mean over the folds of the validation loss.
        grad : dict
            Parameter name to the derivative of `loss` with respect to the
            parameter's value.
        """
        prefix = self._prefix
        local = {name[len(prefix) :]: float(value) for name, value in params.items()}
        losses, grads = [], []
        for fold in self._folds:
            loss, grad = self._fold_value_and_grad(self._model, fold, local)
            losses.append(loss)
            grads.append(grad)
        return float(np.mean(losses)), {
            prefix + name: float(np.mean([g[name] for g in grads])) for name in local
        }


def _split_pipeline(estimator):
    """``(preprocessing or None, final model, parameter prefix)``, or None."""
    prefix = ""
    steps = []
    while isinstance(estimator, Pipeline):
        name, last = estimator.steps[-1]
        if last is None or last == "passthrough":
            return None
        steps.extend(estimator.steps[:-1])
        prefix += name + "__"
        estimator = last
    preprocessing = Pipeline(steps) if steps else None
    return preprocessing, estimator, prefix


def _dense(X):
    """A 2-D float array: the folds' factorisations are dense."""
    if sparse.issparse(X):
        X = X.toarray()
    return check_array(X, dtype=np.float64)


def _weights_of(sample_weight, rows):
    """The weights of `rows`, ones when there are no weights."""
    if sample_weight is None:
        return np.ones(len(rows))
    return np.asarray(sample_weight, dtype=float)[rows]
