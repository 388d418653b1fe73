"""Bayesian optimisation: the GP surrogate, the acquisition functions, the
optimizer on analytic functions, and BayesSearchCV."""

from _estimators import FailingClassifier, WeightRecorder
import math
import os
import pickle
import re
import warnings

import numpy as np
import pytest
from joblib import parallel_backend
from scipy.stats import loguniform, norm
from sklearn import config_context
from sklearn.datasets import load_iris, make_classification
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.model_selection import GroupKFold
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC
from sklearn.utils.estimator_checks import parametrize_with_checks

from sklearn_tune import Categorical, Integer, Real, SearchSpace
from sklearn_tune._bayes import BayesSearchCV
from sklearn_tune.optimizers import RandomOptimizer
from sklearn_tune.optimizers._acquisition import (
    expected_improvement,
    log_expected_improvement,
    log_probability_of_improvement,
    probability_of_improvement,
    upper_confidence_bound,
)
from sklearn_tune.optimizers._bayes import BayesOptimizer
from sklearn_tune.optimizers._gp import GaussianProcess, _prior

X_CLF, Y_CLF = make_classification(n_samples=150, n_features=6, random_state=0)


# ----------------------------------------------------------------- GP ---


def smooth(X):
    return np.sin(3 * X[:, 0]) + X[:, 1] ** 2


def test_gp_fits_a_known_function():
    rng = np.random.default_rng(0)
    X, X_test = rng.uniform(size=(40, 2)), rng.uniform(size=(200, 2))
    gp = GaussianProcess().fit(X, smooth(X))
    mean, std = gp.predict(X_test, return_std=True)
    assert np.max(np.abs(mean - smooth(X_test))) < 0.05
    # The standard deviation is calibrated: errors beyond 4 std are rare.
    assert np.mean(np.abs(mean - smooth(X_test)) > 4 * std + 1e-3) < 0.05


def test_gp_interpolates_noiseless_data_and_smooths_noisy_data():
    rng = np.random.default_rng(1)
    X = rng.uniform(size=(30, 2))
    y = smooth(X)
    gp = GaussianProcess().fit(X, y)
    mean, std = gp.predict(X, return_std=True)
    assert np.max(np.abs(mean - y)) < 1e-2 * np.std(y)
    assert np.max(std) < 3e-2 * np.std(y)

    noise = 0.1
    y_noisy = y + noise * rng.standard_normal(len(y))
    gp = GaussianProcess().fit(X, y_noisy)
    learned = math.sqrt(gp.noise_) * gp.y_std_
    assert noise / 3 < learned < noise * 3
    residual = gp.predict(X) - y_noisy
    # Predictions at the training points stay within the noise, without
    # chasing it.
    assert np.std(residual) < 2 * noise
    assert np.std(residual) > noise / 10


def test_gp_ard_finds_the_irrelevant_dimension():
    rng = np.random.default_rng(2)
    X = rng.uniform(size=(40, 3))
    gp = GaussianProcess().fit(X, np.sin(4 * X[:, 0]) + X[:, 1])
    assert gp.length_scale_[2] > 3 * max(gp.length_scale_[:2])


def test_gp_marginal_likelihood_gradient_matches_finite_differences():
    rng = np.random.default_rng(3)
    X = rng.uniform(size=(25, 3))
    y = smooth(X) + 0.05 * rng.standard_normal(25)
    z = (y - y.mean()) / y.std()
    sq_diff = ((X[:, None] - X[None]) ** 2).reshape(-1, 3)
    gp = GaussianProcess()
    theta = np.log([0.3, 0.7, 2.0, 1.5, 1e-3])
    prior = _prior(3)
    _, grad = gp._objective(theta, sq_diff, z, prior)
    eps = 1e-6
    numeric = [
        (gp._objective(theta + eps * e, sq_diff, z, prior)[0]
         - gp._objective(theta - eps * e, sq_diff, z, prior)[0]) / (2 * eps)
        for e in np.eye(len(theta))
    ]
    np.testing.assert_allclose(grad, numeric, rtol=1e-5, atol=1e-6)


def test_gp_prediction_gradients_match_finite_differences():
    rng = np.random.default_rng(4)
    X = rng.uniform(size=(20, 3))
    gp = GaussianProcess().fit(X, smooth(X))
    points = rng.uniform(size=(5, 3))
    _, _, mean_grad, std_grad = gp.predict(points, return_grad=True)
    eps = 1e-6
    for j in range(3):
        step = np.zeros(3)
        step[j] = eps
        m_plus, s_plus = gp.predict(points + step, return_std=True)
        m_minus, s_minus = gp.predict(points - step, return_std=True)
        np.testing.assert_allclose(mean_grad[:, j], (m_plus - m_minus) / (2 * eps),
                                   rtol=1e-4, atol=1e-6)
        np.testing.assert_allclose(std_grad[:, j], (s_plus - s_minus) / (2 * eps),
                                   rtol=1e-4, atol=1e-6)


def test_gp_warm_start_keeps_or_refines_the_hyperparameters():
    rng = np.random.default_rng(5)
    X = rng.uniform(size=(30, 2))
    gp = GaussianProcess().fit(X[:29], smooth(X[:29]))
    theta = gp.theta_.copy()
    gp.fit(X, smooth(X), optimize=False)
    np.testing.assert_array_equal(gp.theta_, theta)
    gp.fit(X, smooth(X))
    # One more point moves the optimum a little, not to another basin.
    assert np.max(np.abs(gp.theta_ - theta)) < 1.0


def test_fantasize_conditions_on_noiseless_made_up_values():
    rng = np.random.default_rng(6)
    X = rng.uniform(size=(15, 2))
    y = smooth(X) + 0.05 * rng.standard_normal(15)
    gp = GaussianProcess().fit(X, y)
    new = rng.uniform(size=(2, 2))
    test = rng.uniform(size=(30, 2))
    made_up = gp.predict(new) - 0.5
    fantasy = gp.fantasize(new, made_up)

    # Dense reference: noise on the observed points only.
    def kernel(A, B):
        return gp.output_scale_ * gp._kernel(A, B)

    X_all = np.vstack([X, new])
    K = kernel(X_all, X_all)
    K[np.diag_indices(17)] += np.r_[np.full(15, gp.noise_ + 1e-8),
                                    np.full(2, 1e-6 * gp.output_scale_)]
    z = np.r_[gp.z_train_, (made_up - gp.y_mean_) / gp.y_std_]
    Ks = kernel(test, X_all)
    ref_mean = gp.y_mean_ + gp.y_std_ * Ks @ np.linalg.solve(K, z)
    ref_var = gp.output_scale_ - np.sum(Ks * np.linalg.solve(K, Ks.T).T, axis=1)
    mean, std = fantasy.predict(test, return_std=True)
    np.testing.assert_allclose(mean, ref_mean, atol=1e-6)
    np.testing.assert_allclose(std, gp.y_std_ * np.sqrt(np.maximum(ref_var, 1e-12)),
                               atol=1e-5)
    # The made-up values are believed exactly, however noisy the data.
    np.testing.assert_allclose(fantasy.predict(new), made_up, atol=1e-3)
    assert np.all(fantasy.predict(new, return_std=True)[1] < 1e-2 * gp.y_std_)


def test_kriging_believer_keeps_the_mean_and_shrinks_the_variance():
    rng = np.random.default_rng(7)
    X = rng.uniform(size=(15, 2))
    gp = GaussianProcess().fit(X, smooth(X))
    new, test = rng.uniform(size=(3, 2)), rng.uniform(size=(30, 2))
    fantasy = gp.fantasize(new)
    mean, std = fantasy.predict(test, return_std=True)
    np.testing.assert_allclose(mean, gp.predict(test), atol=1e-6)
    assert np.all(std <= gp.predict(test, return_std=True)[1] + 1e-9)


def test_gp_grown_factor_equals_a_fresh_factorisation():
    rng = np.random.default_rng(6)
    X = rng.uniform(size=(40, 3))
    gp = GaussianProcess().fit(X[:35], smooth(X[:35]))
    gp.fit(X, smooth(X), optimize=False)
    grown = gp.L_.copy(), gp.alpha_.copy(), gp.log_marginal_likelihood_
    gp._factorize()
    np.testing.assert_allclose(grown[0], gp.L_, atol=1e-9)
    np.testing.assert_allclose(grown[1], gp.alpha_, rtol=1e-7, atol=1e-7)
    assert grown[2] == pytest.approx(gp.log_marginal_likelihood_, rel=1e-9)


def test_gp_inverse_factor_of_a_fantasy_is_grown_by_a_block():
    rng = np.random.default_rng(8)
    X = rng.uniform(size=(30, 3))
    gp = GaussianProcess().fit(X, smooth(X))
    test = rng.uniform(size=(20, 3))
    gp.predict(test, return_std=True)
    assert gp.L_inv_ is not None
    fantasy = gp.fantasize(rng.uniform(size=(2, 3))).fantasize(
        rng.uniform(size=(1, 3))
    )
    np.testing.assert_allclose(fantasy.L_inv_ @ fantasy.L_, np.eye(33), atol=1e-8)
    grown = fantasy.predict(test, return_grad=True)
    fantasy.L_inv_ = None
    fresh = fantasy.predict(test, return_grad=True)
    for a, b in zip(grown, fresh):
        np.testing.assert_allclose(a, b, rtol=1e-7, atol=1e-9)


def test_asks_run_blas_on_one_thread_and_restore_it(monkeypatch):
    from threadpoolctl import threadpool_info, threadpool_limits

    def blas_threads():
        return [i["num_threads"] for i in threadpool_info() if i["user_api"] == "blas"]

    seen = []
    fit = GaussianProcess.fit

    def spy(self, *args, **kwargs):
        seen.extend(blas_threads())
        return fit(self, *args, **kwargs)

    monkeypatch.setattr(GaussianProcess, "fit", spy)
    opt = BayesOptimizer({"x": Real(0.0, 1.0)}, n_initial_points=3, random_state=0)
    with threadpool_limits(limits=2, user_api="blas"):
        outside = blas_threads()
        for _ in range(5):
            batch = opt.ask()
            opt.tell(batch, [-(c["x"] - 0.3) ** 2 for c in batch])
        assert blas_threads() == outside
    assert seen and set(seen) == {1}


def test_gp_training_mean_is_the_prediction_at_the_data():
    rng = np.random.default_rng(9)
    X = rng.uniform(size=(25, 2))
    gp = GaussianProcess().fit(X, smooth(X) + 0.1 * rng.standard_normal(25))
    assert gp.noise_ > 1e-3
    np.testing.assert_allclose(gp.training_mean(), gp.predict(X), atol=1e-8)


def test_gp_fits_hyperparameters_on_a_bounded_subset():
    rng = np.random.default_rng(7)
    X = rng.uniform(size=(80, 2))
    y = smooth(X)
    gp = GaussianProcess(max_fit_samples=30)
    rows = gp._fit_subset((y - y.mean()) / y.std())
    assert len(rows) == 30 and len(set(rows)) == 30
    # The best half of the subset is the best 15 points overall.
    assert set(np.argsort(-y)[:15]) <= set(rows)
    gp.fit(X, y)
    # The posterior still interpolates every point, not only the subset.
    np.testing.assert_allclose(gp.predict(X), y, atol=0.05)
    small = GaussianProcess().fit(X, y)
    np.testing.assert_allclose(gp.predict(X), small.predict(X), atol=0.05)


def test_gp_survives_duplicated_points():
    X = np.array([[0.2, 0.2], [0.2, 0.2], [0.8, 0.1], [0.5, 0.5]])
    gp = GaussianProcess().fit(X, np.array([1.0, 1.0, 0.0, 0.5]))
    assert np.all(np.isfinite(gp.predict(X, return_std=True)))


@pytest.mark.parametrize("lmbda", [-2.0, 0.0, 0.7, 1.0, 2.0, 5.5])
def test_warping_likelihood_is_scipys(lmbda):
    from scipy.stats import yeojohnson_llf

    from sklearn_tune.optimizers._warping import _negative_llf

    z = np.random.default_rng(8).standard_normal(50) ** 3
    z = (z - z.mean()) / z.std()
    log1p_abs = np.log1p(np.abs(z))
    positive = z >= 0
    value = _negative_llf(
        lmbda,
        positive,
        log1p_abs[positive],
        log1p_abs[~positive],
        float(np.sum(np.sign(z) * log1p_abs)),
    )
    assert value == pytest.approx(-yeojohnson_llf(lmbda, z), rel=1e-10)


def test_settled_hyperparameters_are_refitted_less_often():
    from sklearn_tune.optimizers import _subspace_model

    opt = BayesOptimizer({"a": Real(0.0, 1.0), "b": Real(0.0, 1.0)}, random_state=0)
    model = opt._models[0]
    fits, intervals = set(), []
    for _ in range(90):
        batch = opt.ask()
        if len(model.history) > _subspace_model._SETTLE_AFTER:
            fits.add(model.n_optimized)
            intervals.append(model.refit_interval)
            assert model.refit_interval <= max(1, len(model.history) // 10)
        opt.tell(batch, [math.sin(3 * c["a"]) + c["b"] ** 2 for c in batch])
    # n // 25 alone would refit every 2 to 3 points past 50 points.
    assert max(intervals) > 2 and len(fits) < 40 / 3


def test_many_points_are_modelled_by_the_best_and_a_spread(monkeypatch):
    from sklearn_tune.optimizers import _subspace_model

    monkeypatch.setattr(_subspace_model, "_MAX_MODEL_POINTS", 20)
    opt = BayesOptimizer({"a": Real(0.0, 1.0), "b": Integer(0, 9)}, random_state=0)
    for _ in range(40):
        batch = opt.ask()
        opt.tell(batch, [-((c["a"] - 0.3) ** 2) - (c["b"] - 4) ** 2 for c in batch])
    model = opt._models[0]
    assert len(model.gp.X_train_) == 20 and len(model.history) >= 39
    scores = np.asarray(opt.scores_)[model.history]
    assert set(np.argsort(-scores, kind="stable")[:10]) <= set(model.rows)
    np.testing.assert_array_equal(model.gp.X_train_, model.X[model.rows])
    best = opt.candidates_[opt.best_index_]
    assert best["b"] == 4 and abs(best["a"] - 0.3) < 0.05


# -------------------------------------------------------- acquisition ---


def test_log_ei_matches_the_closed_form_and_stays_finite_far_away():
    mean = np.array([-1.0, 0.0, 0.5, 2.0])
    std = np.array([0.5, 1.0, 2.0, 0.1])
    z = (mean - 0.3) / std
    closed = std * (z * norm.cdf(z) + norm.pdf(z))
    np.testing.assert_allclose(expected_improvement(mean, std, 0.3), closed, rtol=1e-12)
    np.testing.assert_allclose(
        np.exp(log_expected_improvement(mean, std, 0.3)), closed, rtol=1e-12
    )
    far = log_expected_improvement(-np.array([5.0, 50.0, 5e3, 5e9]), np.ones(4), 0.0)
    assert np.all(np.isfinite(far))
    assert np.all(np.diff(far) < 0)
    # Asymptotically log EI = -z**2/2 - log(sqrt(2 pi)) - 2 log|z|.
    z = 5e3
    expected = -0.5 * z**2 - 0.5 * np.log(2 * np.pi) - 2 * np.log(z)
    assert far[2] == pytest.approx(expected, rel=1e-9)


@pytest.mark.parametrize(
    "function",
    [
        lambda m, s, g: log_expected_improvement(m, s, 0.2, xi=0.05, return_grad=g),
        lambda m, s, g: log_probability_of_improvement(m, s, 0.2, xi=0.05,
                                                       return_grad=g),
        lambda m, s, g: upper_confidence_bound(m, s, kappa=1.5, return_grad=g),
    ],
    ids=["log_ei", "log_pi", "ucb"],
)
def test_acquisition_gradients_match_finite_differences(function):
    mean = np.array([-30.0, -2.0, 0.1, 0.3, 4.0])
    std = np.array([1.0, 0.3, 0.05, 1.0, 2.0])
    _, d_mean, d_std = function(mean, std, True)
    eps = 1e-6
    np.testing.assert_allclose(
        d_mean, (function(mean + eps, std, False) - function(mean - eps, std, False))
        / (2 * eps), rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(
        d_std, (function(mean, std + eps, False) - function(mean, std - eps, False))
        / (2 * eps), rtol=1e-5, atol=1e-7)


def test_acquisitions_prefer_higher_means_and_more_uncertainty():
    mean = np.array([0.0, 1.0, 1.0])
    std = np.array([1.0, 1.0, 2.0])
    for values in (
        expected_improvement(mean, std, 0.5),
        probability_of_improvement(mean, std, 0.0) + [0, 0, 0],
        upper_confidence_bound(mean, std),
    ):
        assert values[0] < values[1]
    ei = expected_improvement(mean, std, 0.5)
    assert ei[1] < ei[2]
    assert upper_confidence_bound(mean, std)[1] < upper_confidence_bound(mean, std)[2]
    assert probability_of_improvement([0.0], [1.0], 0.0)[0] == pytest.approx(0.5)


# ---------------------------------------------------------- optimizer ---


def branin(c):
    x1, x2 = c["x1"], c["x2"]
    b, cc = 5.1 / (4 * math.pi**2), 5 / math.pi
    return -((x2 - b * x1**2 + cc * x1 - 6) ** 2
             + 10 * (1 - 1 / (8 * math.pi)) * math.cos(x1) + 10)


H6_A = np.array([[10, 3, 17, 3.5, 1.7, 8], [0.05, 10, 17, 0.1, 8, 14],
                 [3, 3.5, 1.7, 10, 17, 8], [17, 8, 0.05, 10, 0.1, 14]])
H6_P = 1e-4 * np.array([[1312, 1696, 5569, 124, 8283, 5886],
                        [2329, 4135, 8307, 3736, 1004, 9991],
                        [2348, 1451, 3522, 2883, 3047, 6650],
                        [4047, 8828, 8732, 5743, 1091, 381]])


def hartmann6(c):
    x = np.array([c[f"x{i}"] for i in range(6)])
    alpha = np.array([1.0, 1.2, 3.0, 3.2])
    return float(alpha @ np.exp(-np.sum(H6_A * (x - H6_P) ** 2, 1)))


BRANIN = {"x1": Real(-5, 10), "x2": Real(0, 15)}
HARTMANN6 = {f"x{i}": Real(0, 1) for i in range(6)}


def run(optimizer, objective, n_evals, batch=1):
    while len(optimizer.scores_) < n_evals:
        candidates = optimizer.ask(min(batch, n_evals - len(optimizer.scores_)))
        if not candidates:
            break
        optimizer.tell(candidates, [objective(c) for c in candidates])
    return optimizer


@pytest.mark.parametrize(
    "space, objective, budget, optimum",
    [(BRANIN, branin, 25, -0.397887), (HARTMANN6, hartmann6, 30, 3.32237)],
    ids=["branin", "hartmann6"],
)
def test_beats_random_search_at_equal_budget(space, objective, budget, optimum):
    seeds = range(5)
    ours = [max(run(BayesOptimizer(space, random_state=s), objective, budget).scores_)
            for s in seeds]
    rand = [max(run(RandomOptimizer(space, random_state=s), objective, budget).scores_)
            for s in seeds]
    regret, random_regret = optimum - np.median(ours), optimum - np.median(rand)
    assert regret < random_regret / 3


def test_batches_are_distinct_and_spread_by_the_kriging_believer():
    opt = run(BayesOptimizer(BRANIN, random_state=0), branin, 12)
    batch = opt.ask(6)
    assert len(batch) == 6
    points = SearchSpace(BRANIN).subspaces[0].encode(batch)
    gaps = np.linalg.norm(points[:, None] - points[None], axis=-1)
    assert np.min(gaps[np.triu_indices(6, 1)]) > 1e-3
    mean, std = opt.surrogate_predictions(batch)
    assert np.all(np.isfinite(mean)) and np.all(std >= 0)


def test_pending_candidates_are_not_proposed_again():
    opt = run(BayesOptimizer(BRANIN, random_state=0), branin, 12)
    first, second = opt.ask(), opt.ask()
    assert first != second
    # Both came from the surrogate, none from the random top-up.
    assert np.all(np.isfinite(opt.surrogate_predictions(first + second)[0]))


def test_integers_and_categoricals_are_searched_exactly():
    space = {
        "n": Integer(1, 40),
        "kind": Categorical(["a", None, (1, 2), "d"]),
        "x": Real(-1.0, 1.0),
    }

    def objective(c):
        return -((c["n"] - 17) ** 2) / 50 - (c["x"] - 0.3) ** 2 + (c["kind"] == (1, 2))

    opt = run(BayesOptimizer(space, random_state=0), objective, 30)
    keys = [SearchSpace(space).key(c) for c in opt.candidates_]
    assert len(set(keys)) == len(keys)
    best = opt.candidates_[opt.best_index_]
    assert best["n"] == 17 and best["kind"] == (1, 2)
    assert abs(best["x"] - 0.3) < 0.05


def test_small_finite_space_is_scored_exhaustively_without_repeats():
    space = {"i": Integer(0, 9), "j": ["a", "b", "c", "d", "e"]}

    def objective(c):
        return -abs(c["i"] - 6) - (c["j"] != "c")

    opt = BayesOptimizer(space, random_state=0)
    asked = []
    while True:
        batch = opt.ask(3)
        if not batch:
            break
        asked.extend(batch)
        opt.tell(batch, [objective(c) for c in batch])
    assert len(asked) == 50
    model_phase = asked[opt._models[0].n_initial:]
    # Every candidate after the design came from the surrogate: exact
    # enumeration never needs the random top-up.
    assert np.all(np.isfinite(opt.surrogate_predictions(model_phase)[0]))
    # The optimum is found early.
    assert {"i": 6, "j": "c"} in asked[:15]


def test_initial_design_is_quasi_random_and_sized_from_the_dimension():
    opt = BayesOptimizer({"x": Real(0, 1)}, random_state=0)
    assert opt.n_initial_remaining == 1 + 5
    batch = opt.ask(opt.n_initial_remaining)
    assert opt.n_initial_remaining == 0
    assert np.all(np.isnan(opt.surrogate_predictions(batch)[0]))
    x = np.sort([c["x"] for c in batch])
    # The first points of a randomised Sobol' sequence: no two of them share
    # a cell of width 1/8.
    assert len(set(np.floor(x * 8))) == len(x)
    opt = BayesOptimizer(HARTMANN6, n_initial_points=3, random_state=0)
    assert opt.n_initial_remaining == 3


def test_budget_flows_to_the_better_subspace():
    space = [
        {"kind": ["good"], "x": Real(0.0, 1.0)},
        {"kind": ["bad"], "x": Real(0.0, 1.0)},
    ]

    def objective(c):
        return -((c["x"] - 0.6) ** 2) - (3.0 if c["kind"] == "bad" else 0.0)

    opt = run(BayesOptimizer(space, random_state=0), objective, 30)
    after_design = np.array(opt.subspaces_[12:])
    assert np.mean(after_design == 0) > 0.8
    best = opt.candidates_[opt.best_index_]
    assert best["kind"] == "good" and abs(best["x"] - 0.6) < 0.02


@pytest.mark.parametrize("acquisition", ["ei", "pi", "ucb"])
def test_every_acquisition_optimises(acquisition):
    space = {"x": Real(-2.0, 2.0)}
    opt = run(BayesOptimizer(space, acquisition=acquisition, random_state=0),
              lambda c: -((c["x"] - 0.7) ** 2), 15)
    assert abs(opt.candidates_[opt.best_index_]["x"] - 0.7) < 0.05


def test_failed_scores_steer_the_search_away():
    def objective(c):
        return np.nan if c["x"] > 0.5 else -((c["x"] - 0.2) ** 2)

    opt = run(BayesOptimizer({"x": Real(0.0, 1.0)}, random_state=0), objective, 20)
    model_phase = np.array([c["x"] for c in opt.candidates_[6:]])
    assert np.mean(model_phase > 0.5) < 0.3
    assert abs(opt.candidates_[opt.best_index_]["x"] - 0.2) < 0.05


def test_auto_margin_alternates_refining_and_confidence_bound():
    # Each model ask of xi="auto" proposes what a fixed choice would from
    # the same state: expected improvement with no margin, then the upper
    # confidence bound, in turn.
    opt = run(BayesOptimizer(BRANIN, random_state=0), branin, 7)
    assert opt.n_initial_remaining == 0
    for expected in [("ei", 0.0), ("ucb", 0.0)] * 2:
        fixed = pickle.loads(pickle.dumps(opt))
        fixed.acquisition, fixed.xi = expected
        proposal = opt.ask()
        assert proposal == fixed.ask()
        opt.tell(proposal, [branin(c) for c in proposal])


def test_pickled_optimizer_continues_identically():
    opt = run(BayesOptimizer(HARTMANN6, random_state=3), hartmann6, 12)
    clone = pickle.loads(pickle.dumps(opt))
    assert opt.ask(2) == clone.ask(2)


def test_without_a_design_the_surrogate_models_told_scores_at_once():
    # How HyperbandOptimizer models scores it evaluated itself.
    opt = BayesOptimizer(BRANIN, n_initial_points=0, random_state=0)
    assert opt.n_initial_remaining == 0
    told = [{"x1": x1, "x2": x2} for x1, x2 in [(-3, 12), (3, 2), (9, 3), (0, 5)]]
    opt.tell(told, [branin(c) for c in told])
    proposal = opt.ask()
    mean, std = opt.surrogate_predictions(proposal)
    assert np.isfinite(mean).all() and (std > 0).all()


@pytest.mark.parametrize(
    "params, match",
    [
        ({"acquisition": "poi"}, "acquisition"),
        ({"xi": -1.0}, "xi"),
        ({"kappa": "big"}, "kappa"),
        ({"n_initial_points": -1}, "n_initial_points"),
        ({"n_initial_points": [2, 3]}, "n_initial_points"),
    ],
)
def test_optimizer_rejects_bad_parameters(params, match):
    with pytest.raises(ValueError, match=match):
        BayesOptimizer(BRANIN, **params)


# ------------------------------------------------------- BayesSearchCV ---


def small_searches():
    yield BayesSearchCV(Ridge(), {"alpha": Real(1e-2, 1e2, log=True)},
                        n_iter=4, cv=2, random_state=0)
    yield BayesSearchCV(LogisticRegression(), {"C": loguniform(1e-2, 1e2)},
                        n_iter=4, cv=2, random_state=0)


def expected_failed_checks(search):
    if isinstance(search.estimator, Ridge):
        return {"check_supervised_y_2d": "Ridge takes 2-D y without a warning"}
    return {}


@parametrize_with_checks(list(small_searches()),
                         expected_failed_checks=expected_failed_checks)
def test_sklearn_compatible(estimator, check):
    check(estimator)


def test_pipeline_search_finds_a_good_model():
    X, y = load_iris(return_X_y=True)
    pipe = make_pipeline(StandardScaler(), SVC())
    search = BayesSearchCV(
        pipe,
        {"svc__C": loguniform(1e-3, 1e3), "svc__gamma": Real(1e-4, 1e1, log=True),
         "svc__kernel": ["rbf", "linear"]},
        n_iter=12, cv=3, random_state=0,
    ).fit(X, y)
    assert isinstance(search.best_estimator_, Pipeline)
    assert search.best_score_ > 0.95
    assert search.score(X, y) > 0.95


def test_multimetric_refit_by_name_optimises_that_metric():
    search = BayesSearchCV(
        FailingClassifier(), {"param": Real(0.0, 0.5)},
        scoring={"acc": "accuracy", "own": lambda est, X, y: est.param},
        refit="own", n_iter=8, cv=2, random_state=0,
    ).fit(X_CLF, Y_CLF)
    results = search.cv_results_
    assert search.best_index_ == int(np.argmax(results["mean_test_own"]))
    assert search.best_params_["param"] > 0.45
    # The surrogate predicted the optimised metric, not the first one.
    late = np.isfinite(results["surrogate_mean"])
    error = results["surrogate_mean"][late] - results["mean_test_own"][late]
    assert np.all(np.abs(error) < 0.2)


@pytest.mark.parametrize("n_points", ["auto", 2])
def test_same_random_state_same_candidates_whatever_n_jobs(n_points):
    def fit(n_jobs):
        return BayesSearchCV(
            LogisticRegression(),
            {"C": loguniform(1e-3, 1e3), "fit_intercept": [True, False]},
            n_iter=9, cv=3, n_jobs=n_jobs, n_points=n_points, random_state=0,
        ).fit(X_CLF, Y_CLF)

    with parallel_backend("threading"):
        first, second = fit(1), fit(2)
    assert first.cv_results_["params"] == second.cv_results_["params"]


def test_default_batch_keeps_every_worker_busy():
    search = BayesSearchCV(
        LogisticRegression(), {"C": loguniform(1e-3, 1e3)},
        n_iter=12, cv=2, n_jobs=4, random_state=0,
    )
    with parallel_backend("threading"):
        search.fit(X_CLF, Y_CLF)
    iters = search.cv_results_["iter"]
    n_design = int(np.sum(iters == 0))
    assert np.all(np.isnan(search.cv_results_["surrogate_mean"][:n_design]))
    # ceil(4 workers / 2 folds) = 2 candidates per batch after the design.
    assert np.all(np.bincount(iters)[1:] == 2)


def test_results_carry_the_surrogate_prediction_when_proposed():
    X, y = load_iris(return_X_y=True)
    search = BayesSearchCV(SVC(), {"C": loguniform(1e-2, 1e2)}, n_iter=10, cv=3,
                           random_state=0).fit(X, y)
    results = search.cv_results_
    mean, std = results["surrogate_mean"], results["surrogate_std"]
    # One dimension: 6 design points, capped at half of n_iter.
    design = results["iter"] == 0
    assert design.sum() == 5
    assert np.all(np.isnan(mean[design])) and np.all(np.isnan(std[design]))
    assert np.all(np.isfinite(mean[~design])) and np.all(std[~design] >= 0)
    assert np.all(np.abs(mean[~design] - results["mean_test_score"][~design]) < 0.2)


def test_small_budgets_leave_half_to_the_surrogate():
    search = BayesSearchCV(LogisticRegression(), {"C": loguniform(1e-3, 1e3)},
                           n_iter=6, cv=2, random_state=0).fit(X_CLF, Y_CLF)
    assert np.sum(np.isfinite(search.cv_results_["surrogate_mean"])) >= 3


def test_list_of_dicts_best_is_over_all_subspaces():
    space = [{"param": Real(0.0, 0.1)}, {"param": Real(0.3, 0.5)}]
    search = BayesSearchCV(FailingClassifier(), space, n_iter=16, cv=2,
                           random_state=0).fit(X_CLF, Y_CLF)
    assert search.best_params_["param"] > 0.45
    later = [p["param"] for p in search.cv_results_["params"][8:]]
    assert np.mean(np.array(later) >= 0.3) > 0.6


def test_failed_fits_are_tolerated():
    search = BayesSearchCV(FailingClassifier(), {"param": Real(0.0, 1.0)},
                           n_iter=14, cv=2, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        search.fit(X_CLF, Y_CLF)
    scores = search.cv_results_["mean_test_score"]
    assert np.isnan(scores).any()
    assert 0.45 < search.best_params_["param"] <= 0.5
    assert np.isfinite(search.best_score_)


def test_metadata_is_routed_to_fit_and_splitter():
    groups = np.arange(len(Y_CLF)) % 5
    weights = np.full(len(Y_CLF), 2.0)
    with config_context(enable_metadata_routing=True):
        estimator = (
            WeightRecorder()
            .set_fit_request(sample_weight=True)
            .set_score_request(sample_weight=False)
        )
        search = BayesSearchCV(estimator, {"param": Real(0.0, 1.0)}, n_iter=8,
                               cv=GroupKFold(3), error_score="raise", random_state=0)
        search.fit(X_CLF, Y_CLF, sample_weight=weights, groups=groups)
    assert search.best_estimator_.total_weight_ == pytest.approx(2.0 * len(Y_CLF))
    assert search.best_params_["param"] > 0.9


class InterruptedClassifier(FailingClassifier):
    """Ctrl-C in the fit of ``param == interrupt_at``, while the environment
    variable SKLEARN_TUNE_TEST_INTERRUPT is set."""

    def __init__(self, param=0.0, interrupt_at=None):
        self.param = param
        self.interrupt_at = interrupt_at

    def fit(self, X, y):
        interrupt = os.environ.get("SKLEARN_TUNE_TEST_INTERRUPT")
        if interrupt and self.param == self.interrupt_at:
            raise KeyboardInterrupt
        return super().fit(X, y)


def test_interrupted_search_resumes_from_its_checkpoint(tmp_path, monkeypatch):
    def search(estimator, **kwargs):
        return BayesSearchCV(estimator, {"param": Real(0.0, 0.5)}, n_iter=12, cv=2,
                             random_state=0, **kwargs)

    reference = search(InterruptedClassifier()).fit(X_CLF, Y_CLF)
    n_design = int(np.sum(reference.cv_results_["iter"] == 0))
    # Interrupt in the middle of the surrogate's candidates.
    target = reference.cv_results_["params"][n_design + 3]["param"]
    estimator = InterruptedClassifier(interrupt_at=target)
    checkpoint = tmp_path / "search.ckpt"
    monkeypatch.setenv("SKLEARN_TUNE_TEST_INTERRUPT", "1")
    with pytest.raises(KeyboardInterrupt):
        search(estimator, checkpoint=str(checkpoint)).fit(X_CLF, Y_CLF)
    assert checkpoint.exists()
    monkeypatch.delenv("SKLEARN_TUNE_TEST_INTERRUPT")
    resumed = search(estimator, checkpoint=str(checkpoint)).fit(X_CLF, Y_CLF)
    assert resumed.cv_results_["params"] == reference.cv_results_["params"]
    np.testing.assert_array_equal(resumed.cv_results_["surrogate_mean"],
                                  reference.cv_results_["surrogate_mean"])
    assert not checkpoint.exists()


def test_exhausted_finite_space_warns_and_stops():
    search = BayesSearchCV(LogisticRegression(), {"C": [0.1, 1.0, 10.0]}, n_iter=10,
                           cv=2, random_state=0)
    with pytest.warns(UserWarning, match="holds only 3 distinct candidates"):
        search.fit(X_CLF, Y_CLF)
    assert len(search.cv_results_["params"]) == 3


@pytest.mark.parametrize(
    "params, match",
    [
        ({"acquisition": "lcb"}, "acquisition"),
        ({"n_points": 0}, "n_points"),
        ({"n_points": "many"}, "n_points"),
        ({"n_initial_points": 0}, "n_initial_points"),
        ({"xi": -0.1}, "xi"),
        ({"kappa": -1}, "kappa"),
        ({"n_iter": 0}, "n_iter"),
    ],
)
def test_bad_parameters_name_themselves(params, match):
    search = BayesSearchCV(LogisticRegression(), {"C": loguniform(1e-3, 1e3)}, **params)
    with pytest.raises(ValueError, match=re.escape(f"'{match}'")):
        search.fit(X_CLF, Y_CLF)


def test_bad_space_raises_a_type_error_naming_the_key():
    search = BayesSearchCV(LogisticRegression(), {"C": 1.0}, n_iter=3)
    with pytest.raises(TypeError, match="'C'"):
        search.fit(X_CLF, Y_CLF)
