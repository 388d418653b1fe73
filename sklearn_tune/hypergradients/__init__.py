"""Exact gradients of cross-validated losses with respect to hyperparameters.

For a few model families the validation loss of a fold is a differentiable
function of a continuous hyperparameter, and its derivative costs less than
one more fit: the closed form of ridge regression, the implicit function
theorem at the optimum of L2 logistic regression or, restricted to the
support, of the Lasso. Each family lives in its own module as a subclass of
:class:`Hypergradient` (``_base``); :func:`find_hypergradient` (``_find``)
picks the one that handles an estimator, and ``_search`` serves the exact
path of :class:`~sklearn_tune.GradientSearchCV`: the family of each setting
of a search space's discrete hyperparameters, fitted once on the search's
data and folds.

The loss is a smooth stand-in for the user's scoring, averaged over the
folds as ``mean_test_score`` is: the mean squared error for regressors (and
for :class:`~sklearn.linear_model.RidgeClassifier`, on its ``-1/+1`` targets),
the log-loss for :class:`~sklearn.linear_model.LogisticRegression`.

The estimator may be the last step of a :class:`~sklearn.pipeline.Pipeline`:
its preprocessing is fitted on each training fold, as cross-validation does.
``sample_weight`` is supported by the families that set
``supports_sample_weight`` (ridge): the model is fitted with the training
fold's weights and the loss is the weighted mean over the validation fold.
"""

from ._base import Hypergradient
from ._find import find_hypergradient, value_and_grad

__all__ = ["Hypergradient", "find_hypergradient", "value_and_grad"]
