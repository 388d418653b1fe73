"""GradientSearchCV and its optimizer: exact-gradient and probe paths."""

import math
import pickle

import numpy as np
import pytest
from scipy.stats import loguniform
from sklearn import config_context
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.datasets import load_diabetes, make_classification
from sklearn.kernel_ridge import KernelRidge
from sklearn.linear_model import (
    ElasticNet,
    Lasso,
    LogisticRegression,
    Ridge,
    RidgeClassifier,
)
from sklearn.model_selection import GridSearchCV, KFold, StratifiedKFold
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC
from sklearn.utils.estimator_checks import parametrize_with_checks
from threadpoolctl import threadpool_limits

from sklearn_tune import Integer, Real, SearchSpace
from sklearn_tune._gradient import GradientSearchCV
from sklearn_tune.hypergradients import find_hypergradient
from sklearn_tune.hypergradients._search import ExactPath
from sklearn_tune.optimizers._gradient import GradientOptimizer
from sklearn_tune.optimizers._gradient._probes import probe_slopes
from sklearn_tune.optimizers._gradient._start import Phase
from sklearn_tune.optimizers._gradient._steps import bfgs_update, cubic_step

X_REG, Y_REG = load_diabetes(return_X_y=True)
X_REG, Y_REG = X_REG[:200], Y_REG[:200]
REG_CV = KFold(4, shuffle=True, random_state=0)
X_CLF, Y_CLF = make_classification(150, 6, n_informative=3, random_state=0)
CLF_CV = StratifiedKFold(3, shuffle=True, random_state=0)
COLUMNS = ("start", "step", "role", "grad_norm", "grad_source")


@pytest.fixture(autouse=True, scope="module")
def one_blas_thread():
    # Hundreds of tiny fits: BLAS threads only contend for the two cores.
    with threadpool_limits(limits=1):
        yield


# ---------------------------------------------------------------- optimizer --


def drive(optimizer, objective, n_rounds, gradient=None):
    """Ask/tell in the optimizer's own batches; tell gradients when given."""
    for _ in range(n_rounds):
        batch = optimizer.ask(optimizer.next_batch_size())
        if not batch:
            break
        optimizer.tell(batch, [objective(c) for c in batch])
        if gradient is not None:
            requests = optimizer.gradient_requests()
            optimizer.tell_gradients(
                requests,
                [objective(c) for c in requests],
                [gradient(c) for c in requests],
            )
    return optimizer


def bowl(c):
    return -((math.log10(c["a"]) - 0.5) ** 2) - 10 * (c["b"] + 0.25) ** 2


def bowl_gradient(c):
    return {
        "a": -2 * (math.log10(c["a"]) - 0.5) / (c["a"] * math.log(10)),
        "b": -20 * (c["b"] + 0.25),
    }


BOWL_SPACE = {"a": Real(1e-3, 1e3, log=True), "b": Real(-1.0, 1.0)}


def test_told_gradients_give_quasi_newton_convergence():
    opt = drive(GradientOptimizer(BOWL_SPACE, random_state=0), bowl, 15, bowl_gradient)
    best = opt.candidates_[opt.best_index_]
    assert math.log10(best["a"]) == pytest.approx(0.5, abs=1e-3)
    assert best["b"] == pytest.approx(-0.25, abs=1e-3)
    assert len(opt.scores_) <= 40
    sources = {opt._starts[0].source} if opt._starts else set()
    assert sources <= {"exact"}


def test_an_optimum_beyond_a_bound_is_found_on_the_bound():
    space = {"x": Real(0.0, 1.0)}
    opt = drive(
        GradientOptimizer(space, random_state=0),
        lambda c: c["x"],
        10,
        lambda c: {"x": 1.0},
    )
    assert max(c["x"] for c in opt.candidates_) == 1.0


def test_probes_estimate_the_gradient_without_told_gradients():
    opt = GradientOptimizer(BOWL_SPACE, random_state=0)
    roles = []
    for _ in range(12):
        batch = opt.ask(opt.next_batch_size())
        roles += opt.results_columns(batch)["role"]
        opt.tell(batch, [bowl(c) for c in batch])
    assert "probe" in roles and "iterate" in roles
    assert max(opt.scores_) > -0.01


def test_spsa_climbs_in_many_dimensions():
    space = {f"x{i}": Real(-1.0, 1.0) for i in range(6)}

    def objective(c):
        return -sum((c[f"x{i}"] - 0.1 * i) ** 2 for i in range(6))

    opt = GradientOptimizer(space, n_starts=1, probe="spsa", random_state=0)
    first_best = None
    for _ in range(40):
        batch = opt.ask(opt.next_batch_size())
        opt.tell(batch, [objective(c) for c in batch])
        first_best = first_best if first_best is not None else max(opt.scores_)
    assert set(opt.results_columns(opt.ask(3))["grad_source"]) <= {"spsa", "none"}
    assert max(opt.scores_) > first_best + 0.5 * abs(first_best)


def test_categorical_only_space_degenerates_to_unseen_points():
    space = SearchSpace({"a": ["x", "y", "z"], "b": [None, (1,), (2, 3)]})
    opt = drive(GradientOptimizer(space, random_state=0), lambda c: len(str(c)), 20)
    keys = [space.key(c) for c in opt.candidates_]
    assert len(keys) == len(set(keys)) == 9
    assert opt.ask(2) == []


@pytest.mark.parametrize("seed", range(3))
def test_integers_are_searched_by_coordinate_steps(seed):
    # Random search needs 840 of the 1681 points on average to hit the optimum.
    space = {"i": Integer(0, 40), "j": Integer(0, 40)}
    opt = GradientOptimizer(space, random_state=seed)
    while {"i": 17, "j": 5} not in opt.candidates_ and len(opt.scores_) < 1681:
        batch = opt.ask(opt.next_batch_size())
        opt.tell(batch, [-abs(c["i"] - 17) - abs(c["j"] - 5) for c in batch])
    assert len(opt.scores_) <= 150


def test_a_declined_gradient_falls_back_to_probes():
    opt = GradientOptimizer({"x": Real(0.0, 1.0)}, n_starts=1, random_state=0)
    batch = opt.ask(opt.next_batch_size())
    opt.tell(batch, [c["x"] for c in batch])
    requests = opt.gradient_requests()
    assert len(requests) == 1
    opt.tell_gradients(requests, [np.nan], [None])
    assert opt.gradient_requests() == []
    assert set(opt.results_columns(opt.ask(2))["role"]) == {"probe"}


def test_tell_gradients_rejects_mismatched_lengths():
    opt = GradientOptimizer(BOWL_SPACE, random_state=0)
    batch = opt.ask(2)
    opt.tell(batch, [0.0, 0.0])
    with pytest.raises(ValueError, match="2 candidates, 1 values and 2 gradients"):
        opt.tell_gradients(batch, [0.0], [None, None])


@pytest.mark.parametrize(
    "params, match",
    [
        ({"n_starts": 0}, "n_starts"),
        ({"n_initial_points": 0}, "n_initial_points"),
        ({"probe": "newton"}, "probe"),
        ({"initial_step": 2.0}, "initial_step"),
    ],
)
def test_optimizer_parameters_are_checked(params, match):
    with pytest.raises(ValueError, match=match):
        GradientOptimizer(BOWL_SPACE, **params)


def test_optimizer_pickles_mid_run_with_told_gradients():
    opt = drive(GradientOptimizer(BOWL_SPACE, random_state=3), bowl, 4, bowl_gradient)
    clone = pickle.loads(pickle.dumps(opt))
    drive(opt, bowl, 4, bowl_gradient)
    drive(clone, bowl, 4, bowl_gradient)
    assert opt.candidates_ == clone.candidates_


def test_probes_of_a_parabola_give_its_slope_and_its_maximum():
    # -(x - 0.3)^2 around x = 0.5, probed at +-0.05 along the axis.
    def f(x):
        return -((x - 0.3) ** 2)

    h = 0.05
    grad, newton = probe_slopes(
        np.eye(1), [np.array([h]), np.array([-h])], [f(0.5 + h), f(0.5 - h)],
        f(0.5), h, 0.1,
    )
    assert grad == pytest.approx([-0.4])
    assert 0.5 + newton == pytest.approx([0.3])


def test_probes_of_a_convex_direction_step_the_trust_radius_uphill():
    grad, newton = probe_slopes(
        np.eye(1), [np.array([0.05]), np.array([-0.05])], [1.0, 0.0], 0.0, 0.05, 0.2
    )
    assert grad == pytest.approx([10.0])
    assert newton == pytest.approx([0.2])


@pytest.mark.parametrize("trial_value", [-10.0, -1.0, 0.5, 10.0])
def test_backtracking_keeps_a_fraction_of_the_failed_step(trial_value):
    tau = cubic_step(0.0, 1.0, trial_value, -2.0)
    assert 0.05 <= tau <= 0.5


def test_bfgs_learns_the_curvature_and_skips_a_non_convex_pair():
    inv_hess, step = np.eye(2), np.array([0.1, 0.0])
    # The loss 2 x0^2: its gradient changes by 4 * step (the objective's by -4).
    updated = bfgs_update(inv_hess, step, -4.0 * step)
    assert updated @ (4.0 * step) == pytest.approx(step)
    assert bfgs_update(inv_hess, step, 4.0 * step) is inv_hess


def test_starts_pickle_with_their_phase():
    opt = drive(GradientOptimizer(BOWL_SPACE, random_state=0), bowl, 3)
    phases = [start.phase for start in opt._starts]
    clone = pickle.loads(pickle.dumps(opt))
    assert phases and [start.phase for start in clone._starts] == phases
    assert all(isinstance(phase, Phase) for phase in phases)


def test_exact_path_fits_one_hypergradient_per_discrete_setting():
    space = SearchSpace(
        {"C": loguniform(1e-2, 1e2), "solver": ["lbfgs", "newton-cg", "liblinear"]}
    )
    path = ExactPath(X_CLF, Y_CLF)
    folds = list(CLF_CV.split(X_CLF, Y_CLF))
    assert path.start(LogisticRegression(), space)
    loss, grad = path.value_and_grad({"C": 1.0, "solver": "lbfgs"}, folds)
    assert np.isfinite(loss) and set(grad) == {"C"}
    assert path.value_and_grad({"C": 2.0, "solver": "lbfgs"}, folds)[0] != loss
    # liblinear penalises the intercept: no exact hypergradient, probes.
    loss, grad = path.value_and_grad({"C": 1.0, "solver": "liblinear"}, folds)
    assert np.isnan(loss) and grad is None
    assert len(path._fitted) == 2
    with pytest.raises(ValueError, match="with {'solver': 'liblinear'}"):
        ExactPath(X_CLF, Y_CLF).start(LogisticRegression(), space, required=True)


# ------------------------------------------------------------------- search --


@parametrize_with_checks(
    [
        GradientSearchCV(
            Ridge(),
            {"alpha": Real(1e-2, 1e2, log=True)},
            n_iter=3,
            n_starts=1,
            n_initial_points=2,
            cv=2,
            random_state=0,
        )
    ],
    expected_failed_checks=lambda estimator: {
        "check_supervised_y_2d": "Ridge takes 2-D y without a DataConversionWarning; "
        "sklearn's RandomizedSearchCV fails this check with Ridge in the same way."
    },
)
def test_sklearn_compatible(estimator, check):
    check(estimator)


def ridge_search(**kwargs):
    params = dict(n_iter=10, n_starts=1, n_initial_points=3, cv=REG_CV, random_state=0)
    params.update(kwargs)
    estimator = params.pop("estimator", Ridge())
    space = params.pop("space", {"alpha": loguniform(1e-3, 1e3)})
    return GradientSearchCV(estimator, space, **params)


def test_exact_path_in_a_pipeline_reaches_the_dense_grid_optimum():
    pipe = make_pipeline(StandardScaler(), Ridge())
    scoring = "neg_mean_squared_error"
    search = ridge_search(
        estimator=pipe, space={"ridge__alpha": loguniform(1e-3, 1e3)}, scoring=scoring
    ).fit(X_REG, Y_REG)
    grid = GridSearchCV(
        pipe, {"ridge__alpha": np.logspace(-3, 3, 50)}, scoring=scoring, cv=REG_CV
    ).fit(X_REG, Y_REG)
    results = search.cv_results_
    assert set(results["grad_source"][results["role"] == "iterate"]) == {"exact"}
    assert len(results["params"]) <= 50 // 5
    assert search.best_score_ >= grid.best_score_ - 1e-4 * abs(grid.best_score_)


def test_several_starts_escape_flat_regions_of_extreme_regularisation():
    # Above alpha ~ 1e5 every coefficient is ~0 and the loss is flat; with
    # a wide range most initial points land there.
    space = {"alpha": Real(1e-2, 1e9, log=True)}
    scoring = "neg_mean_squared_error"
    search = ridge_search(space=space, n_starts=3, n_initial_points=3, n_iter=18,
                          scoring=scoring).fit(X_REG, Y_REG)
    starts = search.cv_results_["param_alpha"][:3]
    assert np.sum(np.asarray(starts, dtype=float) > 1e5) >= 1
    grid = GridSearchCV(
        Ridge(), {"alpha": np.logspace(-2, 9, 50)}, scoring=scoring, cv=REG_CV
    ).fit(X_REG, Y_REG)
    assert search.best_score_ >= grid.best_score_ - 1e-3 * abs(grid.best_score_)


@pytest.mark.parametrize(
    "estimator, space, X, y, cv",
    [
        (
            make_pipeline(StandardScaler(), LogisticRegression()),
            {"logisticregression__C": loguniform(1e-4, 1e2)},
            X_CLF, Y_CLF, CLF_CV,
        ),
        (RidgeClassifier(), {"alpha": loguniform(1e-3, 1e4)}, X_CLF, Y_CLF, CLF_CV),
        (
            KernelRidge(kernel="rbf"),
            {"alpha": loguniform(1e-4, 1e1), "gamma": loguniform(1e-3, 1e2)},
            X_REG[:120], Y_REG[:120], REG_CV,
        ),
        (
            ElasticNet(),
            {"alpha": loguniform(1e-3, 1e1), "l1_ratio": Real(0.05, 1.0)},
            X_REG, Y_REG, REG_CV,
        ),
    ],
    ids=["logistic-pipeline", "ridge-classifier", "kernel-ridge", "elastic-net"],
)
def test_exact_path_of_every_family_descends_the_smooth_loss(
    estimator, space, X, y, cv
):
    search = GradientSearchCV(
        estimator, space, n_iter=12, n_starts=2, n_initial_points=2,
        hypergradient="exact", cv=cv, random_state=0,
    ).fit(X, y)
    results = search.cv_results_
    iterates = results["role"] == "iterate"
    assert iterates.sum() >= 8
    assert set(results["grad_source"][iterates]) == {"exact"}
    assert np.all(np.isfinite(results["grad_norm"][iterates]))
    # Every initial point is a start: a path descends the smooth loss (the
    # user's score, here accuracy, may be flat).
    hypergradient = find_hypergradient(estimator, list(space)).fit(
        X, y, list(cv.split(X, y))
    )
    losses = np.array([
        hypergradient.value_and_grad({n: p[n] for n in space})[0]
        for p in results["params"]
    ])
    assert losses[iterates].min() < losses[results["role"] == "init"].min()


def test_other_estimators_use_probes_and_spsa_on_request():
    space = {"C": loguniform(1e-2, 1e2), "gamma": loguniform(1e-3, 1e1)}
    for hypergradient, source in [("auto", "finite_difference"), ("spsa", "spsa")]:
        search = GradientSearchCV(
            SVC(), space, n_iter=12, hypergradient=hypergradient, cv=CLF_CV,
            random_state=0,
        ).fit(X_CLF, Y_CLF)
        results = search.cv_results_
        assert "probe" in set(results["role"])
        assert set(results["grad_source"][results["role"] == "probe"]) == {source}


def test_auto_mixes_exact_and_probes_by_discrete_setting():
    search = GradientSearchCV(
        LogisticRegression(),
        {"C": loguniform(1e-3, 1e2), "solver": ["lbfgs", "liblinear"]},
        n_iter=24, n_starts=2, n_initial_points=6, cv=CLF_CV, random_state=0,
    ).fit(X_CLF, Y_CLF)
    results = search.cv_results_
    stepped = results["role"] != "init"
    pairs = set(zip(results["param_solver"][stepped], results["grad_source"][stepped]))
    assert ("lbfgs", "exact") in pairs
    assert ("liblinear", "exact") not in pairs


def test_finite_differences_on_request_even_with_an_exact_gradient():
    search = ridge_search(hypergradient="finite_difference").fit(X_REG, Y_REG)
    assert "exact" not in set(search.cv_results_["grad_source"])
    assert "probe" in set(search.cv_results_["role"])


@pytest.mark.parametrize(
    "estimator, space, match",
    [
        (SVC(), {"C": loguniform(1e-2, 1e2)}, "SVC has no exact hypergradient"),
        (Ridge(), {"alpha": [0.1, 1.0]}, "Ridge.*no continuous hyperparameter"),
        (
            LogisticRegression(),
            {"C": loguniform(1e-2, 1e2), "solver": ["liblinear"]},
            "LogisticRegression has no exact.*with {'solver': 'liblinear'}",
        ),
    ],
)
def test_exact_without_a_hypergradient_names_the_estimator(estimator, space, match):
    search = GradientSearchCV(estimator, space, n_iter=4, hypergradient="exact", cv=3)
    with pytest.raises(ValueError, match=match):
        search.fit(X_CLF, Y_CLF)


def test_cv_results_columns_say_where_each_candidate_comes_from():
    search = ridge_search(n_iter=8).fit(X_REG, Y_REG)
    results = search.cv_results_
    for column in COLUMNS:
        assert len(results[column]) == 8
    assert list(results["role"][:3]) == ["init"] * 3
    assert list(results["step"][3:]) == list(range(1, 6))
    assert set(results["start"][3:]) == {0}


def test_multimetric_refit_by_name_optimises_that_metric():
    search = ridge_search(
        scoring={"mse": "neg_mean_squared_error", "r2": "r2"}, refit="r2"
    ).fit(X_REG, Y_REG)
    r2 = search.cv_results_["mean_test_r2"]
    assert search.best_index_ == int(np.argmax(r2))
    assert "exact" in set(search.cv_results_["grad_source"])


@pytest.mark.parametrize("hypergradient", ["auto", "finite_difference"])
def test_same_candidates_whatever_n_jobs(hypergradient):
    runs = [
        ridge_search(n_iter=9, n_starts=2, n_initial_points=2, n_jobs=n_jobs,
                     hypergradient=hypergradient).fit(X_REG, Y_REG)
        for n_jobs in (1, 2)
    ]
    assert runs[0].cv_results_["params"] == runs[1].cv_results_["params"]


@pytest.mark.parametrize(
    "params, match",
    [
        ({"hypergradient": "newton"}, "hypergradient"),
        ({"n_starts": 0}, "n_starts"),
        ({"n_initial_points": 0}, "n_initial_points"),
        ({"n_iter": 0}, "n_iter"),
    ],
)
def test_bad_parameters_name_themselves(params, match):
    with pytest.raises(ValueError, match=match):
        ridge_search(**params).fit(X_REG, Y_REG)


class FailingRegressor(RegressorMixin, BaseEstimator):
    """Predicts the mean; fails to fit when `param` > 0.6."""

    def __init__(self, param=0.0):
        self.param = param

    def fit(self, X, y):
        if self.param > 0.6:
            raise ValueError("param too large")
        self.mean_ = float(np.mean(y)) + self.param
        return self

    def predict(self, X):
        return np.full(len(X), self.mean_)


def test_failed_fits_are_tolerated():
    search = GradientSearchCV(
        FailingRegressor(), {"param": Real(0.0, 1.0)}, n_iter=12, cv=3,
        random_state=1,
    )
    with pytest.warns(UserWarning):
        search.fit(X_REG, Y_REG)
    scores = search.cv_results_["mean_test_score"]
    assert np.isnan(scores).any()
    assert np.isfinite(search.best_score_)


def _arrays_reachable(obj, depth=0, seen=None):
    seen = set() if seen is None else seen
    if id(obj) in seen or depth > 6:
        return
    seen.add(id(obj))
    if isinstance(obj, np.ndarray):
        yield obj
        return
    if isinstance(obj, dict):
        children = list(obj.values())
    elif isinstance(obj, (list, tuple, set)):
        children = list(obj)
    elif hasattr(obj, "__dict__"):
        children = list(vars(obj).values())
    else:
        return
    for child in children:
        yield from _arrays_reachable(child, depth + 1, seen)


def test_no_data_is_held_after_fit():
    search = ridge_search(n_starts=2, n_initial_points=2).fit(X_REG, Y_REG)
    assert "exact" in set(search.cv_results_["grad_source"])
    assert not any(name.startswith("_folds") for name in vars(search))
    for array in _arrays_reachable(vars(search)):
        assert array.shape[0] not in (len(X_REG), len(X_REG) * 3 // 4), array.shape
    assert len(pickle.dumps(search.optimizer_)) < X_REG.nbytes


def _routed_scorer_params(weights):
    """What GridSearchCV gives its scorer when fitted with `weights`."""
    seen = {}

    def scorer(estimator, X, y, sample_weight=None):
        if sample_weight is not None:
            seen["sample_weight"] = sample_weight
        return 0.0

    GridSearchCV(Ridge(), {"alpha": [1.0]}, cv=2, scoring=scorer).fit(
        X_REG, Y_REG, sample_weight=weights
    )
    return seen


def test_sample_weight_reaches_the_exact_ridge_path():
    weights = np.linspace(0.5, 2.0, len(Y_REG))
    search = ridge_search().fit(X_REG, Y_REG, sample_weight=weights)
    assert "exact" in set(search.cv_results_["grad_source"])
    assert not hasattr(search, "_fit_params")
    # Without routing, scikit-learn >= 1.7 gives the scorer the weights too,
    # 1.6 does not: the exact path follows, as the routed search shows.
    scorer_weighted = "sample_weight" in _routed_scorer_params(weights)
    with config_context(enable_metadata_routing=True):
        weighted = (
            Ridge()
            .set_fit_request(sample_weight=True)
            .set_score_request(sample_weight=scorer_weighted)
        )
        routed = ridge_search(estimator=weighted).fit(
            X_REG, Y_REG, sample_weight=weights
        )
    assert "exact" in set(routed.cv_results_["grad_source"])
    assert routed.best_params_ == pytest.approx(search.best_params_)


def test_fit_parameters_the_exact_path_cannot_see_turn_it_off():
    weights = np.linspace(0.5, 2.0, len(Y_REG))
    pipe = make_pipeline(StandardScaler(), Ridge())
    space = {"ridge__alpha": Real(1e-3, 1e3, log=True)}
    search = GradientSearchCV(pipe, space, n_iter=8, cv=3, random_state=0)
    search.fit(X_REG, Y_REG, ridge__sample_weight=weights)
    assert "exact" not in set(search.cv_results_["grad_source"])
    with pytest.raises(ValueError, match="ridge__sample_weight"):
        search.set_params(hypergradient="exact").fit(
            X_REG, Y_REG, ridge__sample_weight=weights
        )
    lasso = GradientSearchCV(
        Lasso(), {"alpha": Real(1e-3, 10, log=True)}, n_iter=4, cv=3,
        hypergradient="exact", random_state=0,
    )
    with pytest.raises(ValueError, match="sample_weight"):
        lasso.fit(X_REG, Y_REG, sample_weight=weights)