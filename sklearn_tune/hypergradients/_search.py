"""The exact path of a search: hypergradients over a search space, for one fit.

Which family differentiates the validation loss depends on the values of
the discrete hyperparameters (a solver, a kernel), so a search space needs
one :class:`~sklearn_tune.hypergradients.Hypergradient` per setting of its
discrete dimensions. :class:`ExactPath` finds them when the search starts,
fits each on the search's data and folds the first time a candidate of its
setting asks, and keeps it, factorisations and warm starts included, for
the rest of the fit.
"""

from itertools import islice, product

import numpy as np
from sklearn.base import clone
from sklearn.utils import indexable

from ..space import Categorical
from ._find import find_hypergradient

# Settings of the discrete dimensions checked for a family when the search
# starts; later ones are found as the search reaches them.
_MAX_SETTINGS = 100


class ExactPath:
    """What the exact hypergradients of one fit need, and those fitted so far.

    A search holds it for the length of its fit only: it holds the data.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
        The data the search is fitted on.
    y : array-like of shape (n_samples,) or (n_samples, n_outputs), default=None
        Its targets.
    fit_params : dict, default=None
        The parameters every fit of the estimator is given (after routing);
        only ``sample_weight`` is seen by the hypergradients.
    score_weight : array-like of shape (n_samples,), default=None
        The sample weights the scorer is given, which weight the validation
        loss.

    Attributes
    ----------
    applies : bool
        Whether :meth:`start` found an exact path.
    """

    def __init__(self, X, y=None, *, fit_params=None, score_weight=None):
        self.X = X
        self.y = y
        self.fit_params = {} if fit_params is None else dict(fit_params)
        self.score_weight = score_weight
        self.applies = False

    @property
    def weighted(self):
        """Whether the fits or the scorer are given sample weights."""
        return (
            self.fit_params.get("sample_weight") is not None
            or self.score_weight is not None
        )

    def start(self, estimator, space, *, required=False):
        """Find whether `estimator` has exact hypergradients over `space`.

        Parameters
        ----------
        estimator : estimator
            The search's estimator, unfitted.
        space : SearchSpace
            The search space.
        required : bool, default=False
            ``hypergradient="exact"``: every setting of the discrete
            dimensions must have one. Otherwise the exact path applies when
            any setting has one, and the others are probed.

        Returns
        -------
        applies : bool
        """
        self.estimator = estimator
        self.space = space
        self.required = required
        self._fitted = {}
        reason = self._reason_unavailable()
        if reason is not None and required:
            raise ValueError(
                f"hypergradient='exact' but {type(estimator).__name__} has "
                f"no exact hypergradient here: {reason}. Use "
                "hypergradient='auto' or 'finite_difference'."
            )
        self.applies = reason is None
        return self.applies

    def value_and_grad(self, candidate, folds):
        """The validation loss at `candidate` and its gradient.

        Parameters
        ----------
        candidate : dict
            A point of the space.
        folds : list of (train, test) index arrays
            The search's fixed folds; the hypergradient of each setting of
            the discrete values is fitted on them once.

        Returns
        -------
        loss : float
            NaN when the model, with the candidate's discrete values, has no
            exact hypergradient or its computation fails.
        grad : dict or None
            Continuous parameter name to the derivative of `loss`.
        """
        index = self.space.locate(candidate)
        sub = self.space.subspaces[index]
        continuous = _continuous_names(sub)
        key = (
            index,
            tuple(
                dim.key(candidate[name])
                for name, dim in zip(sub.names, sub.dimensions)
                if name not in continuous
            ),
        )
        if key not in self._fitted:
            fixed = {
                name: candidate[name] for name in sub.names if name not in continuous
            }
            self._fitted[key] = self._fit(fixed, continuous, folds)
        hypergradient = self._fitted[key]
        if hypergradient is None:
            return np.nan, None
        try:
            return hypergradient.value_and_grad(
                {name: candidate[name] for name in continuous}
            )
        except (ValueError, ArithmeticError, np.linalg.LinAlgError):
            return np.nan, None

    def _find(self, fixed, names):
        estimator = clone(self.estimator).set_params(**clone(fixed, safe=False))
        return find_hypergradient(estimator, names, sample_weight=self.weighted)

    def _reason_unavailable(self):
        """Why the exact path does not apply to the space; None if it does."""
        continuous = [_continuous_names(sub) for sub in self.space.subspaces]
        if not any(continuous):
            return "the search space has no continuous hyperparameter"
        if set(self.fit_params) - {"sample_weight"}:
            return (
                f"it is fitted with {sorted(self.fit_params)}, which the exact "
                "hypergradients do not see (only sample_weight)"
            )
        settings = [
            (fixed, names)
            for sub, names in zip(self.space.subspaces, continuous)
            if names
            for fixed in _discrete_settings(sub)
        ]
        unsupported = [
            (fixed, names)
            for fixed, names in settings
            if self._find(fixed, names) is None
        ]
        # Unless required, the settings that have an exact path keep it; the
        # others are probed, candidate by candidate.
        if unsupported and (self.required or len(unsupported) == len(settings)):
            fixed, names = unsupported[0]
            where = f" with {fixed}" if fixed else ""
            if self.weighted:
                where += " and sample_weight"
            return f"it has none{where} with respect to {names}"
        return None

    def _fit(self, fixed, continuous, folds):
        """The hypergradient of the estimator with the `fixed` values, fitted."""
        hypergradient = self._find(fixed, continuous)
        if hypergradient is None:
            if self.required:
                raise ValueError(
                    f"hypergradient='exact' but {type(self.estimator).__name__} "
                    f"with {fixed} has no exact hypergradient with respect to "
                    f"{continuous}. Use hypergradient='auto' or "
                    "'finite_difference'."
                )
            return None
        X, y = indexable(self.X, self.y)
        try:
            return hypergradient.fit(
                X,
                y,
                folds,
                self.fit_params.get("sample_weight"),
                self.score_weight,
            )
        except (ValueError, ArithmeticError, np.linalg.LinAlgError):
            return None


def _continuous_names(subspace):
    return [
        name
        for name, dim in zip(subspace.names, subspace.dimensions)
        if dim.is_continuous
    ]


def _discrete_settings(subspace):
    """Up to ``_MAX_SETTINGS`` combinations of the sub-space's discrete values.

    Discrete dimensions other than categorical ones with more values than
    that (infinite ones, stacks of layers) contribute their median value:
    their values are numbers, which decide no estimator family.
    """
    names, values = [], []
    for name, dim in zip(subspace.names, subspace.dimensions):
        if not dim.is_continuous:
            names.append(name)
            few = dim.size <= _MAX_SETTINGS or isinstance(dim, Categorical)
            values.append(
                dim.values() if few else dim.from_unit(np.full(dim.n_columns, 0.5))
            )
    combinations = islice(product(*values), _MAX_SETTINGS)
    return [dict(zip(names, combo)) for combo in combinations]
