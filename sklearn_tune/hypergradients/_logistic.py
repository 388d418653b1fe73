"""L2 LogisticRegression: the validation log-loss through the implicit function theorem.

The coefficients ``w(C)`` minimise ``C * sum_i loss_i(w) + ||coef||^2 / 2``
(the intercept is not penalised), the objective of scikit-learn's lbfgs,
newton-cg, newton-cholesky, sag and saga solvers. At the optimum the
gradient ``C * grad L(w) + P w`` vanishes, so
``dw/dC = -H^{-1} grad L(w)`` with ``H`` the Hessian of the objective, and
the derivative of the validation loss ``V`` is ``-(H^{-1} grad V) . grad L``:
one solve with the Hessian already factorised by the last Newton step.

Each fold is solved by Newton's method to near machine precision, warm
started from the previous solution of that fold, so that consecutive
evaluations along a search path cost a few Newton steps. Two classes use
the sigmoid model, more the multinomial (softmax) one, as scikit-learn does.
"""

import numpy as np
from scipy import linalg
from scipy.special import expit, log_expit, logsumexp, softmax
from sklearn.linear_model import LogisticRegression

from ._base import Hypergradient

_MAX_NEWTON = 100


class LogisticHypergradient(Hypergradient):
    """Validation log-loss of L2 LogisticRegression, and d/d C.

    Handled: the L2 penalty (``l1_ratio=0``), any solver but liblinear
    (which penalises the intercept), ``class_weight=None``.
    """

    estimators = (LogisticRegression,)
    differentiable = ("C",)
    loss = "log_loss"

    @classmethod
    def _supports(cls, model, names):
        return (
            model.penalty in ("deprecated", "l2")
            and not model.l1_ratio
            and model.solver != "liblinear"
            and model.class_weight is None
        )

    def _fit_fold(self, model, X_train, y_train, X_test, y_test):
        classes = np.unique(y_train)
        if model.fit_intercept:
            X_train = np.hstack([X_train, np.ones((len(X_train), 1))])
            X_test = np.hstack([X_test, np.ones((len(X_test), 1))])
        n_outputs = 1 if len(classes) <= 2 else len(classes)
        T_train = _one_hot(y_train, classes, n_outputs)
        T_test = _one_hot(y_test, classes, n_outputs)
        penalised = np.ones(X_train.shape[1])
        if model.fit_intercept:
            penalised[-1] = 0.0
        return {
            "A": X_train,
            "T": T_train,
            "A_test": X_test,
            "T_test": T_test,
            "penalised": np.tile(penalised[:, None], (1, n_outputs)).ravel(),
            "intercept": model.fit_intercept and n_outputs > 1,
            "w": np.zeros(X_train.shape[1] * n_outputs),
        }

    def _fold_value_and_grad(self, model, fold, params):
        C = params.get("C", model.C)
        w, hessian = _newton(fold, C)
        fold["w"] = w
        A, T = fold["A"], fold["T"]
        A_test, T_test = fold["A_test"], fold["T_test"]
        loss, dloss = _loss_and_grad(A_test, T_test, w)
        m = len(A_test)
        _, train_grad = _loss_and_grad(A, T, w)
        solved = linalg.cho_solve(hessian, dloss / m)
        return float(loss / m), {"C": float(-solved @ train_grad)}


def _one_hot(y, classes, n_outputs):
    if n_outputs == 1:
        return (y == classes[-1]).astype(float)[:, None]
    return (y[:, None] == classes[None, :]).astype(float)


def _loss_and_grad(A, T, w):
    """Summed log-loss of the linear model ``A @ W`` and its gradient in w."""
    W = w.reshape(A.shape[1], T.shape[1])
    Z = A @ W
    if T.shape[1] == 1:
        z, t = Z[:, 0], T[:, 0]
        loss = -np.sum(t * log_expit(z) + (1 - t) * log_expit(-z))
        return loss, A.T @ (expit(z) - t)
    loss = np.sum(logsumexp(Z, axis=1) - np.sum(T * Z, axis=1))
    return loss, (A.T @ (softmax(Z, axis=1) - T)).ravel()


def _loss_hessian(A, T, w):
    """Hessian of the summed log-loss in w (row-major over A's columns)."""
    W = w.reshape(A.shape[1], T.shape[1])
    Z = A @ W
    if T.shape[1] == 1:
        p = expit(Z[:, 0])
        return (A * (p * (1 - p))[:, None]).T @ A
    P = softmax(Z, axis=1)
    q, k = W.shape
    hessian = np.empty((q, k, q, k))
    for a in range(k):
        for b in range(a, k):
            weight = P[:, a] * ((a == b) - P[:, b])
            block = (A * weight[:, None]).T @ A
            hessian[:, a, :, b] = block
            hessian[:, b, :, a] = block
    return hessian.reshape(q * k, q * k)


def _objective(fold, C, w):
    A, T, penalised = fold["A"], fold["T"], fold["penalised"]
    loss, grad = _loss_and_grad(A, T, w)
    value = C * loss + 0.5 * np.sum(penalised * w**2)
    grad = C * grad + penalised * w
    if fold["intercept"]:
        # Softmax is unchanged by a shift of every intercept: pin their sum
        # to zero, which changes no prediction but makes the optimum unique.
        k = T.shape[1]
        total = np.sum(w[-k:])
        value += 0.5 * total**2
        grad[-k:] += total
    return value, grad


def _newton(fold, C):
    """Minimise the fold's training objective; the solution and Hessian factor."""
    A, T, penalised = fold["A"], fold["T"], fold["penalised"]
    w = fold["w"].copy()
    value, grad = _objective(fold, C, w)
    for _ in range(_MAX_NEWTON):
        hessian = C * _loss_hessian(A, T, w) + np.diag(penalised)
        if fold["intercept"]:
            k = T.shape[1]
            hessian[-k:, -k:] += 1.0
        factor = linalg.cho_factor(hessian)
        step = linalg.cho_solve(factor, grad)
        decrement = float(grad @ step)
        if decrement <= 1e-24 * max(1.0, abs(value)):
            break
        t = 1.0
        while True:
            new_value, new_grad = _objective(fold, C, w - t * step)
            if new_value <= value - 1e-4 * t * decrement or t < 1e-10:
                break
            t *= 0.5
        w, value, grad = w - t * step, new_value, new_grad
    return w, factor
