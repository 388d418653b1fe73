"""Lasso and ElasticNet: implicit differentiation restricted to the support.

The coefficients minimise ``||y - X w||^2 / (2 n) + alpha * l1_ratio *
||w||_1 + alpha * (1 - l1_ratio) * ||w||^2 / 2`` (centred data, so the
intercept is ``mean(y) - mean(X) @ w``). Where the support ``S`` and the
signs of ``w`` do not change, the optimality conditions on ``S``,
``X_S^T (X_S w_S - y) / n + alpha * l1_ratio * sign(w_S) + alpha *
(1 - l1_ratio) * w_S = 0``, are smooth in the hyperparameters and give
``d w_S`` by one solve of size ``|S|`` (Bertrand et al., sparse-ho). At the
values where the support changes the validation loss has a kink; the
gradient there is the one-sided gradient of the current support.

Each fold's coefficients come from scikit-learn's own coordinate descent,
at a tight tolerance and warm started along the search path.
"""

import warnings

import numpy as np
from sklearn.base import clone
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import ElasticNet, Lasso

from ._base import Hypergradient

# Tolerance of the inner solver (on the duality gap, relative to ||y||^2):
# the implicit gradient is only as exact as the optimum it starts from.
_INNER_TOL = 1e-12
_INNER_MAX_ITER = 100_000


class ElasticNetHypergradient(Hypergradient):
    """Validation squared error of Lasso or ElasticNet, d/d alpha, d/d l1_ratio.

    ``positive=True`` is not handled.
    """

    estimators = (Lasso, ElasticNet)
    differentiable = ("alpha", "l1_ratio")
    loss = "squared_error"

    @classmethod
    def _supports(cls, model, names):
        return not model.positive and (
            "l1_ratio" not in names or type(model) is ElasticNet
        )

    def _fit_fold(self, model, X_train, y_train, X_test, y_test):
        Y_train = y_train.reshape(len(y_train), -1).astype(float)
        Y_test = y_test.reshape(len(y_test), -1).astype(float)
        if model.fit_intercept:
            X_mean, Y_mean = X_train.mean(axis=0), Y_train.mean(axis=0)
        else:
            X_mean, Y_mean = np.zeros(X_train.shape[1]), np.zeros(Y_train.shape[1])
        solver = clone(model).set_params(
            tol=_INNER_TOL, max_iter=_INNER_MAX_ITER, warm_start=True
        )
        return {
            "solver": solver,
            "X": X_train,
            "y": y_train,
            "Xc": X_train - X_mean,
            "Z": X_test - X_mean,
            "offset": Y_mean - Y_test,
        }

    def _fold_value_and_grad(self, model, fold, params):
        solver = fold["solver"].set_params(**params)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            solver.fit(fold["X"], fold["y"])
        alpha, l1_ratio = solver.alpha, solver.l1_ratio
        coef = np.atleast_2d(solver.coef_)
        Xc, Z = fold["Xc"], fold["Z"]
        n = len(Xc)
        residual = Z @ coef.T + fold["offset"]
        grad = {name: 0.0 for name in params}
        for target, w in enumerate(coef):
            support = np.flatnonzero(w)
            if support.size == 0:
                continue
            X_s, w_s = Xc[:, support], w[support]
            sign = np.sign(w_s)
            system = X_s.T @ X_s / n + alpha * (1 - l1_ratio) * np.eye(support.size)
            # The adjoint: d loss / d w_S, through the optimality conditions.
            adjoint = np.linalg.solve(
                system, 2.0 * Z[:, support].T @ residual[:, target] / residual.size
            )
            if "alpha" in grad:
                grad["alpha"] -= adjoint @ (l1_ratio * sign + (1 - l1_ratio) * w_s)
            if "l1_ratio" in grad:
                grad["l1_ratio"] -= adjoint @ (alpha * (sign - w_s))
        return float(np.mean(residual**2)), {k: float(v) for k, v in grad.items()}
