"""Ridge and RidgeClassifier: the validation error in closed form.

With the centred training data ``X = U diag(s) V^T`` (one SVD per fold,
cached), the ridge coefficients are ``V diag(s / (s^2 + alpha)) U^T y``, so
the predictions on the validation fold, their squared error and its
derivative in ``alpha`` cost two small matrix products for any ``alpha``.
The intercept is the one of centring: ``mean(y) - mean(X) @ coef``. With
sample weights, as in scikit-learn, the means are weighted and the centred
rows are scaled by the square roots of the weights before the SVD; the
validation error is then the weighted mean.
"""

import numpy as np
from sklearn.linear_model import Ridge, RidgeClassifier
from sklearn.preprocessing import LabelBinarizer

from ._base import Hypergradient


class RidgeHypergradient(Hypergradient):
    """Validation squared error of Ridge or RidgeClassifier, and d/d alpha.

    For :class:`~sklearn.linear_model.RidgeClassifier` the error is the one
    it minimises: of the decision function against the ``-1/+1`` coding of
    the classes fitted on the training fold. ``positive=True``,
    ``class_weight`` and an array of ``alpha`` per target are not handled.
    """

    estimators = (Ridge, RidgeClassifier)
    differentiable = ("alpha",)
    loss = "squared_error"
    supports_sample_weight = True

    @classmethod
    def _supports(cls, model, names):
        return (
            not model.positive
            and np.ndim(model.alpha) == 0
            and getattr(model, "class_weight", None) is None
        )

    def _fit_fold(self, model, X_train, y_train, X_test, y_test, w_train=None,
                  w_test=None):
        if isinstance(model, RidgeClassifier):
            coding = LabelBinarizer(pos_label=1, neg_label=-1).fit(y_train)
            Y_train = coding.transform(y_train).astype(float)
            Y_test = coding.transform(y_test).astype(float)
        else:
            Y_train = y_train.reshape(len(y_train), -1).astype(float)
            Y_test = y_test.reshape(len(y_test), -1).astype(float)
        if w_train is None:
            w_train, w_test = np.ones(len(X_train)), np.ones(len(X_test))
        if model.fit_intercept:
            X_mean = np.average(X_train, axis=0, weights=w_train)
            Y_mean = np.average(Y_train, axis=0, weights=w_train)
        else:
            X_mean, Y_mean = np.zeros(X_train.shape[1]), np.zeros(Y_train.shape[1])
        root = np.sqrt(w_train)[:, None]
        U, s, Vt = np.linalg.svd(root * (X_train - X_mean), full_matrices=False)
        return {
            "s": s,
            "Z": (X_test - X_mean) @ Vt.T,
            "UtY": U.T @ (root * (Y_train - Y_mean)),
            "offset": Y_mean - Y_test,
            # Weights of the validation rows, normalised to a weighted mean.
            "w": (w_test / w_test.sum())[:, None] / Y_test.shape[1],
        }

    def _fold_value_and_grad(self, model, fold, params):
        alpha = params.get("alpha", model.alpha)
        s, Z, UtY = fold["s"], fold["Z"], fold["UtY"]
        denominator = s**2 + alpha
        residual = Z @ ((s / denominator)[:, None] * UtY) + fold["offset"]
        d_residual = Z @ ((-s / denominator**2)[:, None] * UtY)
        w = fold["w"]
        loss = float(np.sum(w * residual**2))
        return loss, {"alpha": float(2.0 * np.sum(w * residual * d_residual))}
