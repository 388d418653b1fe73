"""Every exact hypergradient against finite differences of real scikit-learn
fits, at a tight solver tolerance (a loose inner solver makes the finite
differences, not the gradients, wrong)."""

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.datasets import (
    load_diabetes,
    load_iris,
    make_classification,
    make_regression,
)
from sklearn.kernel_ridge import KernelRidge
from sklearn.linear_model import (
    ElasticNet,
    Lasso,
    LogisticRegression,
    Ridge,
    RidgeClassifier,
)
from sklearn.metrics import log_loss, mean_squared_error
from sklearn.model_selection import KFold, StratifiedKFold
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import LabelBinarizer, StandardScaler
from sklearn.svm import SVC
from threadpoolctl import threadpool_limits

from sklearn_tune.hypergradients import find_hypergradient, value_and_grad

X_DIABETES, Y_DIABETES = load_diabetes(return_X_y=True)
X_DIABETES, Y_DIABETES = X_DIABETES[:240], Y_DIABETES[:240]
DIABETES_FOLDS = list(KFold(4, shuffle=True, random_state=0).split(X_DIABETES))
X_WIDE, Y_WIDE = make_regression(120, 60, n_informative=10, noise=5.0, random_state=0)
WIDE_FOLDS = list(KFold(3, shuffle=True, random_state=0).split(X_WIDE))
X_CLF, Y_CLF = make_classification(200, 8, n_informative=4, random_state=0)
CLF_FOLDS = list(StratifiedKFold(3, shuffle=True, random_state=0).split(X_CLF, Y_CLF))
X_IRIS, Y_IRIS = load_iris(return_X_y=True)
IRIS_FOLDS = list(
    StratifiedKFold(3, shuffle=True, random_state=0).split(X_IRIS, Y_IRIS)
)



@pytest.fixture(autouse=True, scope="module")
def one_blas_thread():
    # Many small fits: BLAS threads only contend for the two cores.
    with threadpool_limits(limits=1):
        yield


NEWTON = dict(solver="newton-cholesky", tol=1e-14, max_iter=1000)
CD = dict(tol=1e-12, max_iter=100_000)


def final_step(estimator):
    return estimator.steps[-1][1] if hasattr(estimator, "steps") else estimator


def fold_loss(estimator, X_train, y_train, X_test, y_test):
    """The loss the hypergradients differentiate, from a real sklearn fit."""
    model = final_step(estimator)
    if isinstance(model, LogisticRegression):
        proba = estimator.predict_proba(X_test)
        return log_loss(y_test, proba, labels=estimator.classes_)
    if isinstance(model, RidgeClassifier):
        coding = LabelBinarizer(pos_label=1, neg_label=-1).fit(y_train)
        decision = estimator.decision_function(X_test).reshape(len(y_test), -1)
        return np.mean((decision - coding.transform(y_test)) ** 2)
    return mean_squared_error(y_test, estimator.predict(X_test))


def cv_loss(estimator, X, y, folds, params):
    losses = []
    for train, test in folds:
        fitted = clone(estimator).set_params(**params).fit(X[train], y[train])
        losses.append(fold_loss(fitted, X[train], y[train], X[test], y[test]))
    return np.mean(losses)


CASES = {
    "ridge": (Ridge(), "diabetes", {"alpha": 0.05}),
    "ridge-no-intercept": (Ridge(fit_intercept=False), "diabetes", {"alpha": 0.01}),
    "ridge-wide": (Ridge(), "wide", {"alpha": 3.0}),
    "ridge-multioutput": (Ridge(), "multioutput", {"alpha": 0.3}),
    "ridge-pipeline": (
        make_pipeline(StandardScaler(), Ridge()),
        "diabetes",
        {"ridge__alpha": 20.0},
    ),
    "ridge-classifier-binary": (RidgeClassifier(), "clf", {"alpha": 2.0}),
    "ridge-classifier-multiclass": (RidgeClassifier(), "iris", {"alpha": 0.5}),
    "logistic-binary-pipeline": (
        make_pipeline(StandardScaler(), LogisticRegression(**NEWTON)),
        "clf",
        {"logisticregression__C": 0.3},
    ),
    "logistic-multinomial": (LogisticRegression(**NEWTON), "iris", {"C": 0.5}),
    "logistic-no-intercept": (
        LogisticRegression(fit_intercept=False, **NEWTON),
        "clf",
        {"C": 2.0},
    ),
    "kernel-ridge-rbf": (
        KernelRidge(kernel="rbf"),
        "diabetes",
        {"alpha": 0.1, "gamma": 0.5},
    ),
    "kernel-ridge-laplacian-pipeline": (
        make_pipeline(StandardScaler(), KernelRidge(kernel="laplacian")),
        "diabetes",
        {"kernelridge__alpha": 0.3, "kernelridge__gamma": 0.05},
    ),
    "kernel-ridge-poly-alpha": (
        KernelRidge(kernel="poly", degree=2),
        "diabetes",
        {"alpha": 0.1},
    ),
    "lasso": (Lasso(**CD), "wide", {"alpha": 1.0}),
    "lasso-pipeline": (
        make_pipeline(StandardScaler(), Lasso(**CD)),
        "diabetes",
        {"lasso__alpha": 0.3},
    ),
    "elastic-net": (ElasticNet(**CD), "wide", {"alpha": 0.5, "l1_ratio": 0.7}),
}

DATA = {
    "diabetes": (X_DIABETES, Y_DIABETES, DIABETES_FOLDS),
    "wide": (X_WIDE, Y_WIDE, WIDE_FOLDS),
    "multioutput": (
        X_WIDE,
        np.column_stack([Y_WIDE, X_WIDE[:, 0] - Y_WIDE]),
        WIDE_FOLDS,
    ),
    "clf": (X_CLF, Y_CLF, CLF_FOLDS),
    "iris": (X_IRIS, Y_IRIS, IRIS_FOLDS),
}


@pytest.mark.parametrize("case", list(CASES))
def test_value_and_gradient_match_real_fits(case):
    estimator, data, params = CASES[case]
    X, y, folds = DATA[data]
    loss, grad = value_and_grad(estimator, X, y, folds, params)
    assert set(grad) == set(params)
    assert loss == pytest.approx(cv_loss(estimator, X, y, folds, params), rel=1e-7)
    for name, value in params.items():
        # A small step keeps the Lasso support, and so the gradient, fixed.
        h = value * 1e-5
        plus = cv_loss(estimator, X, y, folds, {**params, name: value + h})
        minus = cv_loss(estimator, X, y, folds, {**params, name: value - h})
        assert grad[name] == pytest.approx((plus - minus) / (2 * h), rel=1e-5, abs=1e-9)


WEIGHTED_CASES = [
    "ridge", "ridge-no-intercept", "ridge-multioutput", "ridge-classifier-multiclass"
]


def weighted_cv_loss(estimator, X, y, folds, params, weights):
    return split_weighted_cv_loss(estimator, X, y, folds, params, weights, weights)


def split_weighted_cv_loss(estimator, X, y, folds, params, fit_weights, loss_weights):
    losses = []
    for train, test in folds:
        fitted = clone(estimator).set_params(**params)
        fitted.fit(
            X[train],
            y[train],
            sample_weight=None if fit_weights is None else fit_weights[train],
        )
        if isinstance(fitted, RidgeClassifier):
            coding = LabelBinarizer(pos_label=1, neg_label=-1).fit(y[train])
            target, prediction = coding.transform(y[test]), fitted.decision_function(
                X[test]
            )
        else:
            target, prediction = y[test], fitted.predict(X[test])
        losses.append(
            mean_squared_error(
                target,
                prediction,
                sample_weight=None if loss_weights is None else loss_weights[test],
            )
        )
    return np.mean(losses)


@pytest.mark.parametrize("case", WEIGHTED_CASES)
def test_weighted_ridge_matches_real_weighted_fits(case):
    estimator, data, params = CASES[case]
    X, y, folds = DATA[data]
    weights = np.random.default_rng(0).uniform(0.1, 3.0, len(X))
    loss, grad = value_and_grad(estimator, X, y, folds, params, sample_weight=weights)
    expected = weighted_cv_loss(estimator, X, y, folds, params, weights)
    assert loss == pytest.approx(expected, rel=1e-7)
    # The weights change the loss: this is not the unweighted one by chance.
    assert loss != pytest.approx(cv_loss(estimator, X, y, folds, params), rel=1e-3)
    value, h = params["alpha"], params["alpha"] * 1e-5
    plus = weighted_cv_loss(estimator, X, y, folds, {"alpha": value + h}, weights)
    minus = weighted_cv_loss(estimator, X, y, folds, {"alpha": value - h}, weights)
    assert grad["alpha"] == pytest.approx((plus - minus) / (2 * h), rel=1e-5)


@pytest.mark.parametrize("weighted", ["fit", "loss"])
def test_weights_on_the_fits_or_on_the_loss_alone(weighted):
    # A scorer may or may not be given the weights the fits are given
    # (scikit-learn 1.6 gives it none without metadata routing).
    estimator, data, params = CASES["ridge"]
    X, y, folds = DATA[data]
    weights = np.random.default_rng(0).uniform(0.1, 3.0, len(X))
    fit_weights = weights if weighted == "fit" else None
    loss_weights = weights if weighted == "loss" else None
    hypergradient = find_hypergradient(estimator, ["alpha"], sample_weight=True)
    loss, _ = hypergradient.fit(
        X, y, folds, sample_weight=fit_weights, score_weight=loss_weights
    ).value_and_grad(params)
    expected = split_weighted_cv_loss(
        estimator, X, y, folds, params, fit_weights, loss_weights
    )
    assert loss == pytest.approx(expected, rel=1e-7)
    # Neither the fully weighted loss nor the unweighted one by chance.
    both = weighted_cv_loss(estimator, X, y, folds, params, weights)
    assert loss != pytest.approx(both, rel=1e-5)
    assert loss != pytest.approx(cv_loss(estimator, X, y, folds, params), rel=1e-5)


@pytest.mark.parametrize(
    "estimator, names",
    [
        (LogisticRegression(), ["C"]),
        (KernelRidge(kernel="rbf"), ["alpha"]),
        (make_pipeline(StandardScaler(), Ridge()), ["ridge__alpha"]),
    ],
)
def test_sample_weight_without_support_gets_none(estimator, names):
    assert find_hypergradient(estimator, names, sample_weight=True) is None
    assert find_hypergradient(estimator, names) is not None


def test_flat_region_at_extreme_regularisation():
    # Far past the optimum every coefficient is ~0: the loss is flat and its
    # gradient in log(alpha) vanishes, why the search starts from several points.
    hypergradient = find_hypergradient(Ridge(), ["alpha"]).fit(
        X_DIABETES, Y_DIABETES, DIABETES_FOLDS
    )
    log_slope = {
        alpha: alpha * hypergradient.value_and_grad({"alpha": alpha})[1]["alpha"]
        for alpha in (1e-1, 1e8, 1e10)
    }
    assert abs(log_slope[1e10]) < 1e-6 * abs(log_slope[1e-1])
    assert abs(log_slope[1e8]) < 1e-4 * abs(log_slope[1e-1])


def test_warm_started_fold_solutions_do_not_depend_on_the_path():
    hypergradient = find_hypergradient(LogisticRegression(), ["C"]).fit(
        X_CLF, Y_CLF, CLF_FOLDS
    )
    first = hypergradient.value_and_grad({"C": 0.7})
    for C in (1e-3, 1e3):
        hypergradient.value_and_grad({"C": C})
    again = hypergradient.value_and_grad({"C": 0.7})
    assert again[0] == pytest.approx(first[0], rel=1e-10)
    assert again[1]["C"] == pytest.approx(first[1]["C"], rel=1e-6)


@pytest.mark.parametrize(
    "estimator, names",
    [
        (SVC(), ["C"]),
        (Ridge(), ["tol"]),
        (Ridge(positive=True), ["alpha"]),
        (RidgeClassifier(class_weight="balanced"), ["alpha"]),
        (LogisticRegression(solver="liblinear"), ["C"]),
        (LogisticRegression(l1_ratio=1.0, solver="saga"), ["C"]),
        (LogisticRegression(class_weight="balanced"), ["C"]),
        (KernelRidge(kernel="poly"), ["gamma"]),
        (KernelRidge(kernel="precomputed"), ["alpha"]),
        (Lasso(), ["l1_ratio"]),
        (Lasso(positive=True), ["alpha"]),
        (make_pipeline(StandardScaler(), Ridge()), ["standardscaler__with_mean"]),
        (make_pipeline(StandardScaler(), Ridge()), ["alpha"]),
        (Ridge(), []),
    ],
)
def test_unsupported_estimators_and_parameters_get_none(estimator, names):
    assert find_hypergradient(estimator, names) is None


def test_value_and_grad_names_what_it_cannot_differentiate():
    with pytest.raises(ValueError, match="SVC.*'C'"):
        value_and_grad(SVC(), X_CLF, Y_CLF, CLF_FOLDS, {"C": 1.0})


def test_sparse_input_and_dataframe_input_give_the_same_loss():
    import pandas as pd
    from scipy import sparse

    dense = value_and_grad(Ridge(), X_WIDE, Y_WIDE, WIDE_FOLDS, {"alpha": 2.0})
    sparse_loss = value_and_grad(
        Ridge(), sparse.csr_matrix(X_WIDE), Y_WIDE, WIDE_FOLDS, {"alpha": 2.0}
    )
    frame = value_and_grad(
        Ridge(), pd.DataFrame(X_WIDE), pd.Series(Y_WIDE), WIDE_FOLDS, {"alpha": 2.0}
    )
    assert sparse_loss[0] == pytest.approx(dense[0], rel=1e-10)
    assert frame[1]["alpha"] == pytest.approx(dense[1]["alpha"], rel=1e-10)
