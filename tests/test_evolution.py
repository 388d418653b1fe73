import pickle
import warnings
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest
from scipy.stats import loguniform, randint
from sklearn import config_context
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.datasets import make_classification
from sklearn.exceptions import FitFailedWarning
from sklearn.linear_model import Ridge, RidgeClassifier
from sklearn.model_selection import GroupKFold, cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils.estimator_checks import parametrize_with_checks

from sklearn_tune import Integer, Real, SearchSpace
from sklearn_tune._evolution import EvolutionarySearchCV
from sklearn_tune.optimizers import RandomOptimizer
from sklearn_tune.optimizers._evolution import EvolutionaryOptimizer

# ----------------------------------------------------------- analytic tests --


def sphere(x):
    return float(np.sum((np.asarray(x) - 0.3) ** 2))


def rastrigin(x):
    x = np.asarray(x)
    return float(10 * len(x) + np.sum(x**2 - 10 * np.cos(2 * np.pi * x)))


_H6_A = np.array(
    [
        [10, 3, 17, 3.5, 1.7, 8],
        [0.05, 10, 17, 0.1, 8, 14],
        [3, 3.5, 1.7, 10, 17, 8],
        [17, 8, 0.05, 10, 0.1, 14],
    ]
)
_H6_P = 1e-4 * np.array(
    [
        [1312, 1696, 5569, 124, 8283, 5886],
        [2329, 4135, 8307, 3736, 1004, 9991],
        [2348, 1451, 3522, 2883, 3047, 6650],
        [4047, 8828, 8732, 5743, 1091, 381],
    ]
)


def hartmann6(x):
    x = np.asarray(x)
    alpha = np.array([1.0, 1.2, 3.0, 3.2])
    return -float(alpha @ np.exp(-np.sum(_H6_A * (x - _H6_P) ** 2, axis=1)))


FUNCTIONS = {
    "sphere": (sphere, [(-1.0, 1.0)] * 5),
    "rastrigin": (rastrigin, [(-5.12, 5.12)] * 4),
    "hartmann6": (hartmann6, [(0.0, 1.0)] * 6),
}


def minimise(optimizer, function, n_dims, budget, batch=10):
    """Run an ask/tell loop; return the best value of `function` found."""
    n = 0
    while n < budget:
        candidates = optimizer.ask(min(batch, budget - n))
        values = [function([c[f"x{i}"] for i in range(n_dims)]) for c in candidates]
        optimizer.tell(candidates, [-v for v in values])
        n += len(candidates)
    return -max(optimizer.scores_)


def real_space(bounds):
    return {f"x{i}": Real(lo, hi) for i, (lo, hi) in enumerate(bounds)}


@pytest.mark.parametrize("strategy", ["ga", "de", "cmaes"])
@pytest.mark.parametrize("name", list(FUNCTIONS))
def test_beats_random_search_at_equal_budget(name, strategy):
    function, bounds = FUNCTIONS[name]
    space = real_space(bounds)
    ours, random = [], []
    for seed in range(7):
        opt = EvolutionaryOptimizer(space, strategy=strategy, random_state=seed)
        ours.append(minimise(opt, function, len(bounds), 80))
        random.append(minimise(RandomOptimizer(space, random_state=seed), function,
                               len(bounds), 80))
    assert np.median(ours) < np.median(random)


def test_mutation_scale_shrinks_as_population_converges():
    space = real_space([(-1.0, 1.0)] * 3)
    # Without restarts: a restart resets the scales of a collapsed population.
    opt = EvolutionaryOptimizer(space, restarts=False, random_state=0)
    initial = opt.mutation_scales_[0].copy()
    minimise(opt, sphere, 3, 200)
    assert np.all(opt.mutation_scales_[0] < 0.2 * initial)
    # Population converged around the optimum at 0.3.
    best = opt.candidates_[opt.best_index_]
    assert all(abs(best[f"x{i}"] - 0.3) < 0.05 for i in range(3))


def test_integer_scale_keeps_one_step():
    opt = EvolutionaryOptimizer({"n": Integer(0, 9), "x": Real(0, 1)}, random_state=0)
    for _ in range(8):
        batch = opt.ask(10)
        opt.tell(batch, [-abs(c["n"] - 4) - c["x"] for c in batch])
    assert opt.mutation_scales_[0][0] >= 0.1
    assert all(isinstance(c["n"], int) for c in opt.candidates_)


@pytest.mark.parametrize("strategy", ["ga", "de", "cmaes"])
def test_finite_space_has_no_duplicates_and_is_exhausted(strategy):
    space = {"a": Integer(1, 6), "b": ["x", "y", None], "c": [(1,), (2, 2)]}
    opt = EvolutionaryOptimizer(space, population_size=6, strategy=strategy,
                                random_state=0)
    keys = []
    while True:
        batch = opt.ask(6)
        if not batch:
            break
        keys.extend(opt.space.key(c) for c in batch)
        opt.tell(batch, [c["a"] + (c["b"] is None) for c in batch])
    assert len(keys) == len(set(keys)) == 36
    assert opt.ask(3) == []


@pytest.mark.parametrize("strategy", ["ga", "de", "cmaes"])
def test_children_are_mostly_bred_not_random(strategy):
    # Duplicates are mutated again rather than replaced by random points, so
    # nearly every child of a converging population has parents.
    opt = EvolutionaryOptimizer({"n": Integer(1, 30), "m": Integer(1, 30)},
                                strategy=strategy, random_state=0)
    for _ in range(10):
        batch = opt.ask(10)
        opt.tell(batch, [-abs(c["n"] - 7) - abs(c["m"] - 20) for c in batch])
    firsts = np.array([p[0] for p in opt.parents_[10:]])
    assert np.mean(firsts >= 0) > 0.9
    assert len({opt.space.key(c) for c in opt.candidates_}) == 100


@pytest.mark.parametrize("strategy", ["ga", "de"])
def test_lineage_points_to_earlier_generations(strategy):
    space = real_space([(0.0, 1.0)] * 2)
    opt = EvolutionaryOptimizer(space, population_size=6, strategy=strategy,
                                random_state=0)
    for _ in range(5):
        batch = opt.ask(6)
        generations = opt.results_columns(batch)["generation"]
        assert len(set(generations)) == 1
        opt.tell(batch, [-sphere([c["x0"], c["x1"]]) for c in batch])
    generations = np.array(opt.generations_)
    assert generations.tolist() == [g for g in range(5) for _ in range(6)]
    assert opt.parents_[:6] == [(-1, -1)] * 6
    for i, (first, second) in enumerate(opt.parents_[6:], start=6):
        for parent in (first, second):
            if parent >= 0:
                assert generations[parent] < generations[i]
    first, second = opt.parents_[7]
    assert opt.results_columns(opt.candidates_[7:8]) == {
        "generation": [1], "restart": [0], "parent_1": [first], "parent_2": [second]
    }


def test_de_trial_replaces_its_target_only_when_at_least_as_good():
    space = real_space([(0.0, 1.0)] * 3)
    opt = EvolutionaryOptimizer(space, population_size=8, strategy="de",
                                random_state=0)
    n_replaced = 0
    for _ in range(6):
        batch = opt.ask(8)
        previous = list(opt.population_)
        # Telling the last candidate of a generation makes the next population.
        opt.tell(batch, [-sphere([c["x0"], c["x1"], c["x2"]]) for c in batch])
        for old, new in zip(previous, opt.population_):
            if new != old:
                n_replaced += 1
                assert opt.parents_[new][0] == old
                assert opt.scores_[new] >= opt.scores_[old]
    assert n_replaced > 5 and len(opt.population_) == 8


@pytest.mark.parametrize("n_points", [1, 3, 25])
def test_any_batch_size(n_points):
    opt = EvolutionaryOptimizer(real_space([(0.0, 1.0)] * 2), random_state=0)
    for _ in range(4):
        batch = opt.ask(n_points)
        assert len(batch) == n_points
        opt.tell(batch, [-sphere([c["x0"], c["x1"]]) for c in batch])


@pytest.mark.parametrize("strategy", ["ga", "de"])
def test_list_of_dicts_crossover_stays_in_a_subspace(strategy):
    space = SearchSpace([
        {"kind": ["a"], "x": Real(0, 1), "y": Real(0, 1)},
        {"kind": ["b"], "x": Real(0, 1), "z": Integer(0, 20)},
    ])
    opt = EvolutionaryOptimizer(space, strategy=strategy, random_state=0)
    for _ in range(12):
        batch = opt.ask(10)
        for c in batch:
            assert any(sub.contains(c) for sub in space.subspaces)
        opt.tell(batch, [c["x"] + (c["kind"] == "b") for c in batch])
    subspaces = np.array(opt.subspaces_)
    pairs = [(a, b) for a, b in opt.parents_ if a >= 0 and b >= 0]
    assert pairs and all(subspaces[a] == subspaces[b] for a, b in pairs)
    # Migration moved some children away from their first parent's sub-space.
    moved = [i for i, (a, _) in enumerate(opt.parents_) if a >= 0
             and subspaces[a] != subspaces[i]]
    assert moved
    # The better sub-space takes over, but migrants keep visiting the other.
    assert 0.7 <= np.mean(subspaces[-20:] == 1) < 1


def test_nan_and_infinite_scores_are_tolerated():
    opt = EvolutionaryOptimizer(real_space([(0.0, 1.0)] * 2), random_state=0)
    for _ in range(5):
        batch = opt.ask(10)
        scores = [np.nan if c["x0"] > 0.5 else -c["x1"] for c in batch]
        scores[0] = -np.inf
        opt.tell(batch, scores)
    best = opt.candidates_[opt.best_index_]
    assert best["x0"] <= 0.5 and best["x1"] < 0.1


@pytest.mark.parametrize("strategy", ["de", "cmaes"])
def test_same_seed_same_asks_and_pickle_resumes(strategy):
    space = {"x": Real(0, 1), "n": Integer(1, 50), "k": ["a", None, (1, 2)],
             "p": loguniform(1e-3, 1e3), "r": randint(0, 9)}

    def step(opt):
        batch = opt.ask(10)
        opt.tell(batch, [c["x"] - abs(c["n"] - 20) / 50 for c in batch])
        return batch

    first = EvolutionaryOptimizer(space, strategy=strategy, random_state=3)
    second = EvolutionaryOptimizer(space, strategy=strategy, random_state=3)
    for _ in range(3):
        assert step(first) == step(second)
    resumed = pickle.loads(pickle.dumps(first))
    for _ in range(3):
        assert step(first) == step(resumed)


@pytest.mark.parametrize(
    "params, name",
    [
        ({"population_size": 1}, "population_size"),
        ({"strategy": "pso"}, "strategy"),
        ({"strategy": "cmaes", "mutation": "gaussian"}, "mutation"),
        ({"crossover": "binomial"}, "crossover"),
        ({"strategy": "de", "mutation": "gaussian"}, "mutation"),
        ({"selection": "roulette"}, "selection"),
        ({"elitism": -1}, "elitism"),
        ({"mutation_rate": 1.5}, "mutation_rate"),
    ],
)
def test_optimizer_rejects_bad_options(params, name):
    with pytest.raises(ValueError, match=name):
        EvolutionaryOptimizer({"x": Real(0, 1)}, **params)


# ----------------------------------------------------------- search tests --

X, y = make_classification(n_samples=100, n_features=6, flip_y=0.2, random_state=0)
ALPHA_SPACE = {"alpha": Real(1e-3, 1e3, log=True)}


def small_search(estimator=None, space=None, **params):
    params = {"n_iter": 12, "population_size": 4, "cv": 2, "random_state": 0, **params}
    return EvolutionarySearchCV(
        RidgeClassifier() if estimator is None else estimator,
        ALPHA_SPACE if space is None else space,
        **params,
    )


def expected_failed_checks(search):
    if isinstance(search.estimator, Ridge):
        # sklearn's own RandomizedSearchCV(Ridge()) fails it the same way.
        return {"check_supervised_y_2d": "Ridge takes a 2-D y without a warning"}
    return {}


@parametrize_with_checks(
    [
        EvolutionarySearchCV(RidgeClassifier(), {"alpha": Real(0.1, 10.0, log=True)},
                             n_iter=4, population_size=2, cv=2),
        EvolutionarySearchCV(Ridge(), {"alpha": [0.1, 1.0, 10.0]}, n_iter=3,
                             population_size=2, cv=2, strategy="de"),
    ],
    expected_failed_checks=expected_failed_checks,
)
def test_sklearn_compatible(estimator, check):
    check(estimator)


def test_each_generation_is_one_evaluate_candidates_call():
    calls = []

    class Counting(EvolutionarySearchCV):
        def _run_search(self, evaluate_candidates, *, callback_ctx=None):
            def counted(candidates, **kwargs):
                calls.append(len(candidates))
                return evaluate_candidates(candidates, **kwargs)

            super()._run_search(counted, callback_ctx=callback_ctx)

    search = Counting(RidgeClassifier(), ALPHA_SPACE, n_iter=23, population_size=5,
                      cv=2, random_state=0).fit(X, y)
    results = search.cv_results_
    assert calls == [5, 5, 5, 5, 3]
    assert len(results["params"]) == 23
    np.testing.assert_array_equal(results["generation"], results["iter"])
    np.testing.assert_array_equal(np.bincount(results["generation"]), calls)
    keys = {p["alpha"] for p in results["params"]}
    assert len(keys) == 23


def test_parent_columns_index_earlier_rows():
    search = small_search(n_iter=20, strategy="de").fit(X, y)
    results = search.cv_results_
    generation = results["generation"]
    for column in ("parent_1", "parent_2"):
        for row, parent in enumerate(results[column]):
            assert parent < row
            if parent >= 0:
                assert generation[parent] < generation[row]
    assert np.all(results["parent_1"][4:] >= 0)


def test_history_has_per_generation_statistics():
    search = small_search(n_iter=14).fit(X, y)
    history = search.history_
    assert history["generation"].tolist() == [0, 1, 2, 3]
    assert history["n_candidates"].tolist() == [4, 4, 4, 2]
    scores = search.cv_results_["mean_test_score"]
    first = scores[search.cv_results_["generation"] == 0]
    assert history["mean_score"][0] == pytest.approx(first.mean())
    assert history["std_score"][0] == pytest.approx(first.std())
    assert history["best_score"][0] == pytest.approx(first.max())
    assert np.all(np.diff(history["best_score_so_far"]) >= 0)
    assert history["best_score_so_far"][-1] == pytest.approx(search.best_score_)
    pd = pytest.importorskip("pandas")
    assert len(pd.DataFrame(history)) == 4


def test_space_smaller_than_budget_warns_and_never_refits():
    space = {"alpha": [0.01, 0.1, 1.0], "fit_intercept": [True, False]}
    with pytest.warns(UserWarning, match="only 6 distinct"):
        search = small_search(space=space, n_iter=20).fit(X, y)
    params = [tuple(sorted(p.items())) for p in search.cv_results_["params"]]
    assert len(params) == len(set(params)) == 6


def test_n_iter_no_change_counts_generations():
    # The score does not depend on `tol`: no generation improves.
    search = small_search(space={"tol": Real(1e-6, 1e-5)}, n_iter=40,
                          n_iter_no_change=2).fit(X, y)
    assert search.cv_results_["generation"].max() == 2
    assert len(search.cv_results_["params"]) == 12


def test_pipeline_and_multimetric_refit_by_name():
    pipe = make_pipeline(StandardScaler(), RidgeClassifier())
    search = EvolutionarySearchCV(
        pipe,
        {"ridgeclassifier__alpha": Real(1e-3, 1e3, log=True),
         "ridgeclassifier__fit_intercept": [True, False]},
        scoring={"acc": "accuracy", "bal": "balanced_accuracy"},
        refit="bal", n_iter=10, population_size=5, cv=2, random_state=0,
    ).fit(X, y)
    results = search.cv_results_
    assert search.best_index_ == int(np.argmax(results["mean_test_bal"]))
    assert search.history_["best_score_so_far"][-1] == pytest.approx(
        results["mean_test_bal"].max()
    )
    assert search.best_params_ == results["params"][search.best_index_]
    assert isinstance(search.best_estimator_, type(pipe))


def test_n_jobs_does_not_change_the_search():
    one = small_search(strategy="de", n_jobs=1).fit(X, y)
    two = small_search(strategy="de", n_jobs=2).fit(X, y)
    assert one.cv_results_["params"] == two.cv_results_["params"]
    np.testing.assert_allclose(
        one.cv_results_["mean_test_score"], two.cv_results_["mean_test_score"]
    )


def test_restarts_in_cv_results_history_and_n_jobs():
    # `tol` barely moves the scores: the run stagnates and restarts.
    params = {"space": {"tol": Real(1e-4, 1e-2, log=True)}, "n_iter": 60,
              "strategy": "auto"}
    one = small_search(n_jobs=1, **params).fit(X, y)
    two = small_search(n_jobs=2, **params).fit(X, y)
    assert one.cv_results_["params"] == two.cv_results_["params"]
    restart = one.cv_results_["restart"]
    assert restart.tolist() == one.optimizer_.restarts_ and restart.max() >= 1
    assert np.all(np.diff(restart) >= 0)
    history = one.history_
    assert history["restart"].tolist() == [
        restart[one.cv_results_["generation"] == g][0] for g in history["generation"]
    ]


def test_two_searches_in_threads_match_sequential_runs():
    searches = [small_search(), small_search(strategy="de", random_state=1)]
    sequential = [clone(s).fit(X, y).cv_results_["params"] for s in searches]
    with ThreadPoolExecutor(2) as pool:
        threaded = list(pool.map(lambda s: clone(s).fit(X, y).cv_results_["params"],
                                 searches))
    assert threaded == sequential


def test_clone_nested_cv_and_user_estimator_untouched():
    estimator = RidgeClassifier(alpha=3.0)
    search = small_search(estimator)
    assert clone(search).get_params()["population_size"] == 4
    scores = cross_val_score(search, X, y, cv=2)
    assert scores.shape == (2,) and np.all(scores > 0.5)
    search.fit(X, y)
    assert estimator.get_params()["alpha"] == 3.0
    assert not hasattr(estimator, "coef_")
    assert not hasattr(search, "X_") and search.best_estimator_ is not estimator


def test_set_params_param_distributions_takes_effect():
    search = small_search()
    search.set_params(param_distributions={"alpha": [0.05, 0.5, 5.0]}, n_iter=3)
    search.fit(X, y)
    assert sorted(p["alpha"] for p in search.cv_results_["params"]) == [0.05, 0.5, 5.0]


@pytest.mark.parametrize(
    "params, name",
    [
        ({"population_size": 1}, "population_size"),
        ({"strategy": "pso"}, "strategy"),
        ({"crossover": "one-point"}, "crossover"),
        ({"mutation": "cauchy"}, "mutation"),
        ({"selection": "roulette"}, "selection"),
        ({"elitism": -2}, "elitism"),
        ({"mutation_rate": 2.0}, "mutation_rate"),
        ({"crossover_rate": -0.1}, "crossover_rate"),
        ({"n_iter": 0}, "n_iter"),
        ({"strategy": "de", "crossover": "sbx"}, "crossover"),
        ({"strategy": "cmaes", "crossover": "sbx"}, "crossover"),
        ({"restarts": "yes"}, "restarts"),
    ],
)
def test_search_rejects_bad_parameters(params, name):
    with pytest.raises((ValueError, TypeError), match=name):
        small_search(**params).fit(X, y)


class FailsAboveOne(ClassifierMixin, BaseEstimator):
    """Fails to fit when `c > 1`; otherwise scores higher for smaller `c`."""

    def __init__(self, c=0.5):
        self.c = c

    def fit(self, X, y, sample_weight=None):
        if self.c > 1:
            raise ValueError("c is too large")
        self.classes_ = np.unique(y)
        self.used_weights_ = sample_weight is not None
        return self

    def predict(self, X):
        return np.full(len(X), self.classes_[0])

    def score(self, X, y, sample_weight=None):
        return -self.c


def test_failed_fits_are_tolerated():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FitFailedWarning)
        warnings.simplefilter("ignore", UserWarning)
        search = small_search(FailsAboveOne(), {"c": Real(0.0, 2.0)}, n_iter=16)
        search.fit(X, y)
    scores = search.cv_results_["mean_test_score"]
    assert np.isnan(scores).any() and np.isfinite(scores).any()
    assert search.best_params_["c"] <= 1
    # A generation whose every fit failed is left out of cv_results_.
    dropped = 16 - len(scores)
    assert search.history_["n_candidates"].sum() == 16
    assert search.history_["n_failed"].sum() == np.isnan(scores).sum() + dropped


def test_groups_and_sample_weight_are_routed():
    groups = np.arange(len(y)) % 4
    search = small_search(FailsAboveOne(), {"c": Real(0.0, 1.0)}, cv=GroupKFold(4))
    search.fit(X, y, groups=groups)
    assert search.n_splits_ == 4
    with config_context(enable_metadata_routing=True):
        estimator = FailsAboveOne().set_fit_request(sample_weight=True)
        estimator.set_score_request(sample_weight=True)
        search = small_search(estimator, {"c": Real(0.0, 1.0)}, cv=GroupKFold(2))
        search.fit(X, y, groups=groups, sample_weight=np.ones(len(y)))
    assert search.best_estimator_.used_weights_


def test_every_candidate_is_fitted_once_per_fold(tmp_path):
    from _estimators import LoggedClassifier, read_log

    log = tmp_path / "fits.log"
    space = {"param": [0.1 * i for i in range(9)]}
    with pytest.warns(UserWarning, match="only 9 distinct"):
        search = small_search(LoggedClassifier(log=str(log)), space, n_iter=30,
                              refit=False).fit(X, y)
    fitted = read_log(log)
    assert len(search.cv_results_["params"]) == 9
    assert sorted(fitted) == sorted(p for p in space["param"] for _ in range(2))


@pytest.mark.parametrize("strategy", ["auto", "cmaes"])
def test_interrupted_search_resumes_to_the_same_result(tmp_path, monkeypatch,
                                                       strategy):
    from _estimators import LoggedClassifier

    estimator = LoggedClassifier(interrupt_above=0.9)
    params = {"n_iter": 16, "random_state": 1, "strategy": strategy}
    reference = small_search(estimator, {"param": Real(0, 1)}, **params).fit(X, y)
    asked = [p["param"] for p in reference.cv_results_["params"]]
    assert next(i for i, p in enumerate(asked) if p > 0.9) >= 4, "interrupt later"
    ckpt = str(tmp_path / "search.ckpt")
    with monkeypatch.context() as m:
        m.setenv("SKLEARN_TUNE_TEST_INTERRUPT", "1")
        with pytest.raises(KeyboardInterrupt):
            small_search(estimator, {"param": Real(0, 1)}, checkpoint=ckpt,
                         **params).fit(X, y)
    resumed = small_search(estimator, {"param": Real(0, 1)}, checkpoint=ckpt,
                           **params).fit(X, y)
    for column in ("params", "generation", "restart", "parent_1", "parent_2"):
        assert list(resumed.cv_results_[column]) == list(reference.cv_results_[column])
    np.testing.assert_array_equal(resumed.history_["best_score"],
                                  reference.history_["best_score"])
