"""KernelRidge: the validation error and its derivatives in alpha and gamma.

The dual coefficients solve ``(K + alpha I) c = y``, the validation
predictions are ``K_test c``. With the Cholesky factor of ``K + alpha I``
and one more solve with the validation residuals (the adjoint), the
derivatives in ``alpha`` and, for the RBF and Laplacian kernels
(``K = exp(-gamma D)``, ``dK/dgamma = -D * K``), in ``gamma`` follow without
forming ``(K + alpha I)^{-1}``. The pairwise distances are cached per fold.
"""

import numpy as np
from scipy import linalg
from sklearn.kernel_ridge import KernelRidge
from sklearn.metrics.pairwise import (
    euclidean_distances,
    manhattan_distances,
    pairwise_kernels,
)

from ._base import Hypergradient

# Kernels exp(-gamma * D), with D the distance each needs.
_EXPONENTIAL = {
    "rbf": lambda A, B: euclidean_distances(A, B, squared=True),
    "laplacian": manhattan_distances,
}


class KernelRidgeHypergradient(Hypergradient):
    """Validation squared error of KernelRidge, and d/d alpha, d/d gamma.

    ``alpha`` with any kernel given by name except ``"precomputed"``;
    ``gamma`` with ``"rbf"`` and ``"laplacian"``. A scalar ``alpha`` only.
    """

    estimators = (KernelRidge,)
    differentiable = ("alpha", "gamma")
    loss = "squared_error"

    @classmethod
    def _supports(cls, model, names):
        return (
            isinstance(model.kernel, str)
            and model.kernel != "precomputed"
            and np.ndim(model.alpha) == 0
            and ("gamma" not in names or model.kernel in _EXPONENTIAL)
        )

    def _fit_fold(self, model, X_train, y_train, X_test, y_test):
        Y_train = y_train.reshape(len(y_train), -1).astype(float)
        Y_test = y_test.reshape(len(y_test), -1).astype(float)
        fold = {"Y": Y_train, "Y_test": Y_test}
        if "gamma" in self._names:
            distance = _EXPONENTIAL[model.kernel]
            fold["D"] = distance(X_train, X_train)
            fold["D_test"] = distance(X_test, X_train)
        else:
            params = {
                "gamma": model.gamma,
                "degree": model.degree,
                "coef0": model.coef0,
            }
            params.update(model.kernel_params or {})
            fold["K"] = pairwise_kernels(
                X_train, metric=model.kernel, filter_params=True, **params
            )
            fold["K_test"] = pairwise_kernels(
                X_test, X_train, metric=model.kernel, filter_params=True, **params
            )
        return fold

    def _fold_value_and_grad(self, model, fold, params):
        alpha = params.get("alpha", model.alpha)
        if "D" in fold:
            gamma = params["gamma"]
            K, K_test = np.exp(-gamma * fold["D"]), np.exp(-gamma * fold["D_test"])
        else:
            K, K_test = fold["K"], fold["K_test"]
        factor = linalg.cho_factor(K + alpha * np.eye(len(K)))
        dual = linalg.cho_solve(factor, fold["Y"])
        residual = K_test @ dual - fold["Y_test"]
        scale = 2.0 / residual.size
        # The adjoint: d loss / d dual = K_test^T residual * scale.
        adjoint = linalg.cho_solve(factor, K_test.T @ residual)
        grad = {}
        if "alpha" in params:
            grad["alpha"] = float(-scale * np.sum(adjoint * dual))
        if "gamma" in params:
            dK, dK_test = -fold["D"] * K, -fold["D_test"] * K_test
            direct = np.sum(residual * (dK_test @ dual))
            through_dual = np.sum(adjoint * (dK @ dual))
            grad["gamma"] = float(scale * (direct - through_dual))
        return float(np.mean(residual**2)), grad
