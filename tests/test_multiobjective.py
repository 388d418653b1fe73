"""Several objectives: the Pareto maths, the loop, refit and each strategy."""

import itertools
import pickle
import warnings

import numpy as np
import pytest
from sklearn.datasets import make_classification
from sklearn.linear_model import LogisticRegression
from sklearn.tree import DecisionTreeClassifier

from sklearn_tune import (
    BayesSearchCV,
    EvolutionarySearchCV,
    GradientSearchCV,
    HyperbandSearchCV,
    Integer,
    Real,
    cheapest_within,
)
from sklearn_tune.optimizers import (
    BayesOptimizer,
    EvolutionaryOptimizer,
    RandomOptimizer,
    crowding_distance,
    hypervolume,
    non_dominated_rank,
)
from sklearn_tune.optimizers._hyperband import (
    AdaptiveHyperbandOptimizer,
    HyperbandOptimizer,
)
from sklearn_tune.optimizers._pareto import (
    _gap_corners,
    chebyshev_scalarization,
    crowded_order,
    parego_weights,
    random_weights,
)

from _estimators import EpochClassifier
from _random_search import RandomTuneSearchCV

X, y = make_classification(n_samples=120, n_features=6, random_state=0)
SCORING = {"accuracy": "accuracy", "roc_auc": "roc_auc"}
TREE_SPACE = {"max_depth": Integer(1, 8), "min_samples_leaf": Integer(1, 20)}

# ------------------------------------------------------------ Pareto maths --



def interrupt_after(n_told):
    """A `_after_tell` hook that stops the search once `n_told` scores are in."""

    def interrupt(self, optimizer, batch, folds):
        if len(optimizer.scores_) >= n_told:
            raise KeyboardInterrupt

    return interrupt

def test_rank_of_hand_made_fronts():
    Y = [
        [3, 1],  # front
        [1, 3],  # front
        [2, 2],  # front
        [2, 2],  # equal to a front row: front too
        [1, 1],  # dominated by the first three: rank 2
        [2, 1],  # dominated by [3, 1] and [2, 2]: rank 2
        [0, 0],  # rank 3
        [np.nan, 5],  # failure: last
    ]
    assert non_dominated_rank(Y).tolist() == [1, 1, 1, 1, 3, 2, 4, 5]


def test_rank_of_random_points_matches_the_definition():
    rng = np.random.default_rng(0)
    Y = rng.integers(0, 5, size=(40, 3)).astype(float)
    ranks = non_dominated_rank(Y)
    for i, j in itertools.permutations(range(len(Y)), 2):
        if (Y[j] >= Y[i]).all() and (Y[j] > Y[i]).any():
            assert ranks[j] < ranks[i]
    for rank in np.unique(ranks)[1:]:
        # Each row of rank k is dominated by a row of rank k - 1.
        for i in np.flatnonzero(ranks == rank):
            above = Y[ranks == rank - 1]
            assert ((above >= Y[i]).all(axis=1) & (above > Y[i]).any(axis=1)).any()


def test_crowding_distance_of_a_hand_made_front():
    distance = crowding_distance([[0, 4], [1, 3], [2, 2.5], [4, 0]])
    assert np.isinf(distance[[0, 3]]).all()
    assert distance[1:3] == pytest.approx([2 / 4 + 1.5 / 4, 3 / 4 + 3 / 4])
    assert np.isinf(crowding_distance([[0, 1], [1, 0]])).all()


def test_crowded_order_puts_rank_then_isolation_first():
    Y = [[0, 0], [0, 4], [1, 3], [2, 2.5], [4, 0], [np.nan, 9]]
    assert crowded_order(Y).tolist() == [4, 1, 3, 2, 0, 5]


def test_hypervolume_2d_and_3d_by_hand():
    assert hypervolume([[1, 3], [2, 2], [3, 1]], [0, 0]) == pytest.approx(6.0)
    # Dominated, failed and out-of-reference rows add nothing.
    assert hypervolume(
        [[1, 3], [2, 2], [3, 1], [1, 1], [np.nan, 9], [5, -1]], [0, 0]
    ) == pytest.approx(6.0)
    assert hypervolume([[1, 1, 1]], [0, 0, 0]) == pytest.approx(1.0)
    # Two unit-sided boxes overlapping in a 1 x 1 x 1 cube: 2 + 2 - 1.
    assert hypervolume([[2, 1, 1], [1, 2, 1]], [0, 0, 0]) == pytest.approx(3.0)
    assert hypervolume(np.empty((0, 2)), [0, 0]) == 0.0


def test_hypervolume_3d_matches_monte_carlo():
    rng = np.random.default_rng(1)
    Y = rng.random((15, 3))
    samples = rng.random((200_000, 3))
    covered = (samples[:, None, :] <= Y[None, :, :]).all(axis=2).any(axis=1)
    assert hypervolume(Y, [0, 0, 0]) == pytest.approx(covered.mean(), abs=5e-3)


def test_hypervolume_checks_the_reference():
    with pytest.raises(ValueError, match="reference has 3 values"):
        hypervolume([[1, 2]], [0, 0, 0])


def test_chebyshev_scalarization_prefers_the_weighted_objective():
    Y = [[0.0, 1.0], [1.0, 0.0], [0.5, 0.5]]
    assert np.argmax(chebyshev_scalarization(Y, [0.9, 0.1])) == 1
    assert np.argmax(chebyshev_scalarization(Y, [0.1, 0.9])) == 0
    assert np.argmax(chebyshev_scalarization(Y, [0.5, 0.5])) == 2


def _l_shaped_front(n=12):
    """A front whose knee is near its start: the second objective barely
    improves past a third of the first's range."""
    x = np.linspace(0.0, 1.0, n)
    return np.column_stack([-x, -((1 - x) ** 8)])


def test_parego_weights_are_on_the_simplex():
    rng = np.random.default_rng(0)
    Y = np.random.default_rng(1).normal(size=(30, 3))
    for _ in range(50):
        weights = parego_weights(Y, rng)
        assert weights.shape == (3,)
        assert np.all(weights >= 0)
        assert np.isclose(weights.sum(), 1.0)


def test_parego_weights_reach_past_the_knee_of_an_l_shaped_front():
    # The member maximising each draw's scalarisation: uniform weights
    # (ParEGO's alone) pile up at the knee; aimed ones reach further along.
    Y = _l_shaped_front()

    def maximisers(draw):
        rng = np.random.default_rng(0)
        hits = [np.argmax(chebyshev_scalarization(Y, draw(rng))) for _ in range(400)]
        return np.bincount(hits, minlength=len(Y))

    aimed = maximisers(lambda rng: parego_weights(Y, rng))
    uniform = maximisers(lambda rng: random_weights(2, rng))
    assert aimed[4:].sum() > 2 * uniform[4:].sum()
    assert aimed[1:4].sum() < uniform[1:4].sum()
    assert aimed[0] > 0


def test_gap_corners_are_covered_by_their_own_pair_only():
    rng = np.random.default_rng(0)
    points = rng.random((40, 3))
    shortfalls = points / np.linalg.norm(points, axis=1, keepdims=True)
    corners, sides = _gap_corners(shortfalls)
    assert len(corners) > 20
    for corner, side in zip(corners, sides):
        at_least_as_good = (shortfalls <= corner).all(axis=1)
        assert at_least_as_good.sum() == 2
        first, second = shortfalls[at_least_as_good]
        np.testing.assert_array_equal(np.maximum(first, second), corner)
        np.testing.assert_allclose(np.abs(first - second), side)


class _AlwaysAim:
    """A generator whose coin always takes parego_weights's aimed branch."""

    def __init__(self, seed):
        self._rng = np.random.default_rng(seed)

    def random(self):
        return 0.99

    def __getattr__(self, name):
        return getattr(self._rng, name)


def test_parego_weights_aim_at_the_gaps_of_a_three_objective_front():
    # A front on the simplex, dense where the first shortfall is under 0.5
    # and sparse elsewhere. The direction in which each draw's
    # scalarisation looks (its level set's corner is at shortfalls
    # proportional to 1 / weights) goes to the sparse part far more often
    # than its share of the members, which member aims would follow.
    rng = np.random.default_rng(0)
    shortfalls = rng.dirichlet(np.ones(3), size=400)
    sparse = shortfalls[:, 0] >= 0.5
    shortfalls = shortfalls[~sparse | (rng.random(400) < 0.1)]
    share = np.mean(shortfalls[:, 0] >= 0.5)
    assert share < 0.05
    aim = _AlwaysAim(0)
    inverse = np.array([1 / parego_weights(-shortfalls, aim) for _ in range(500)])
    directions = inverse / inverse.sum(axis=1, keepdims=True)
    assert np.mean(directions[:, 0] >= 0.5) > 4 * share


# ----------------------------------------------------------- optimizer API --


def _zdt1(candidate):
    x = np.array([candidate[f"x{i}"] for i in range(6)])
    g = 1 + 9 * x[1:].mean()
    return [-x[0], -g * (1 - np.sqrt(x[0] / g))]


ZDT_SPACE = {f"x{i}": Real(0.0, 1.0) for i in range(6)}
ZDT_REFERENCE = [-1.1, -11.0]


def _front_hypervolume(optimizer, n_evaluations=60):
    while len(optimizer.scores_) < n_evaluations:
        n = min(optimizer.next_batch_size(), n_evaluations - len(optimizer.scores_))
        batch = optimizer.ask(n)
        optimizer.tell(batch, [_zdt1(c) for c in batch])
    return hypervolume(np.asarray(optimizer.objective_scores_), ZDT_REFERENCE)


def test_optimizer_keeps_the_objective_vectors():
    opt = RandomOptimizer(ZDT_SPACE, random_state=0)
    batch = opt.ask(3)
    opt.tell(batch, [[1.0, 2.0], [np.nan, 1.0], [3.0, 0.0]])
    assert opt.objective_scores_[0] == (1.0, 2.0)
    assert opt.n_objectives_ == 2
    # A failed objective fails the candidate; the first objective is scores_.
    assert np.isnan(opt.scores_[1])
    assert opt.scores_[::2] == [1.0, 3.0]
    imputed = opt._imputed_objectives()
    assert imputed[1].tolist() == [1.0, 0.0]
    with pytest.raises(ValueError, match="Got 1 objectives, but earlier scores had 2"):
        opt.tell(opt.ask(1), [0.5])
    with pytest.raises(ValueError, match="Got 3 objectives"):
        opt.tell(opt.ask(1), [[0.5, 0.5, 0.5]])


@pytest.mark.parametrize(
    "make",
    [
        lambda seed: EvolutionaryOptimizer(ZDT_SPACE, random_state=seed),
        lambda seed: BayesOptimizer(ZDT_SPACE, random_state=seed),
    ],
    ids=["evolution", "bayes"],
)
def test_front_beats_random_on_zdt1(make):
    seeds = range(4)
    ours = [_front_hypervolume(make(seed)) for seed in seeds]
    random = [_front_hypervolume(RandomOptimizer(ZDT_SPACE, random_state=seed))
              for seed in seeds]
    assert np.median(ours) > np.median(random)
    assert sum(o > r for o, r in zip(ours, random)) >= 3


def test_bayes_auto_acquisition_refines_at_every_ask_with_several_objectives():
    # One objective alternates expected improvement with the upper
    # confidence bound; with several, the weights drawn anew at each ask
    # explore, and every ask maximises the expected improvement.
    single = BayesOptimizer(ZDT_SPACE, random_state=0)
    several = BayesOptimizer(ZDT_SPACE, random_state=0)
    batch = single.ask(2)
    single.tell(batch, [_zdt1(c)[0] for c in batch])
    several.tell(batch, [_zdt1(c) for c in batch])
    assert [single._next_acquisition()[0] for _ in range(4)] == ["ei", "ucb"] * 2
    assert [several._next_acquisition() for _ in range(4)] == [("ei", 0.0)] * 4


def test_bayes_models_cost_objectives_on_a_log_scale():
    # Told as minus a cost, an objective modelled on the log scale scores
    # the same whatever power of the cost is told: the scalarisation of
    # three objectives rescales each to [0, 1] and a power is a factor of
    # the log.
    rng = np.random.default_rng(0)
    accuracy, cost = rng.uniform(size=12), rng.uniform(0.01, 10.0, size=12)
    other = rng.uniform(size=12)

    def targets(power, costs):
        opt = BayesOptimizer(ZDT_SPACE, random_state=0)
        opt.set_costs(costs)
        batch = opt.ask(12)
        opt.tell(batch, np.column_stack([accuracy, -cost**power, other]))
        return opt._model_targets()

    assert np.allclose(targets(1, [1]), targets(3, [1]))
    assert not np.allclose(targets(1, []), targets(3, []))


def test_bayes_two_objectives_batches_of_expected_hypervolume_improvement():
    # Two objectives: ParEGO's asks alternate with asks of a GP per
    # objective, where each pick of a batch believed at its predicted means
    # joins the front, which moves the next away.
    opt = BayesOptimizer(ZDT_SPACE, random_state=0)
    _front_hypervolume(opt, 13)
    assert set(opt._objective_models) == {0}
    _front_hypervolume(opt, 14)
    batch = opt.ask(4)
    assert opt._n_model_asks == 4
    U = np.array([[c[f"x{i}"] for i in range(6)] for c in batch])
    distances = np.linalg.norm(U[:, None] - U[None], axis=2)[np.triu_indices(4, 1)]
    assert distances.min() > 0.05
    # surrogate_mean is the first objective's prediction, in its units.
    mean, std = opt.surrogate_predictions(batch)
    assert np.all(std > 0)
    assert np.allclose(mean, [_zdt1(c)[0] for c in batch], atol=0.3)
    # Three objectives keep ParEGO's single GP.
    three = BayesOptimizer(ZDT_SPACE, random_state=0)
    batch = three.ask(11)
    three.tell(batch, [[*_zdt1(c), -c["x2"]] for c in batch])
    three.ask(1)
    assert not three._objective_models


def test_bayes_two_objectives_space_the_hyperparameter_refits():
    # Past 50 points, each GP of two objectives (ParEGO's and one per
    # objective) re-optimises its hyperparameters only once its points grew
    # by a third since it last did.
    opt = BayesOptimizer(ZDT_SPACE, random_state=0)
    optimized = {}
    while len(opt.scores_) < 100:
        batch = opt.ask(1)
        opt.tell(batch, [_zdt1(c) for c in batch])
        models = [opt._models[0], *opt._objective_models.get(0, ())]
        for i, model in enumerate(models):
            optimized.setdefault(i, set()).add(model.n_optimized)
    assert len(optimized) == 3
    for counts in optimized.values():
        late = sorted(n for n in counts if n > 50)
        assert len(late) >= 2
        assert all(b - a >= int(0.34 * a) for a, b in zip(late, late[1:]))


def test_bayes_two_objectives_over_sub_spaces_in_batches():
    space = [
        {"kind": ["a"], "x": Real(0.0, 1.0), "y": Real(0.0, 1.0)},
        {"kind": ["b"], "x": Real(0.0, 1.0), "n": Integer(0, 6)},
    ]

    def objectives(c):
        x, other = c["x"], c.get("y", c.get("n", 0) / 6)
        return [-x, -(1 + other) * (1 - np.sqrt(x / (1 + other)))]

    opt = BayesOptimizer(space, batch_size=3, random_state=0)
    while len(opt.scores_) < 30:
        batch = opt.ask(opt.next_batch_size())
        assert len({opt.space.key(c) for c in batch}) == len(batch)
        opt.tell(batch, [objectives(c) for c in batch])
    assert set(opt._objective_models) == {0, 1}


def test_bayes_first_objective_prediction_of_a_cost():
    opt = BayesOptimizer(ZDT_SPACE, random_state=0)
    opt.set_costs([0])
    batch = opt.ask(11)
    opt.tell(batch, [[-np.exp(-5 * c["x0"]), _zdt1(c)[1]] for c in batch])
    batch = opt.ask(1)  # ParEGO's
    opt.tell(batch, [[-np.exp(-5 * c["x0"]), _zdt1(c)[1]] for c in batch])
    batch = opt.ask(2)
    mean, _ = opt.surrogate_predictions(batch)
    assert np.all(mean < 0)
    assert np.allclose(mean, [-np.exp(-5 * c["x0"]) for c in batch], rtol=0.5)


def test_search_says_which_objectives_are_costs():
    s = tree_search(objectives=["fit_time", "accuracy", "score_time"], refit=False)
    s.fit(X, y)
    assert s.optimizer_.cost_objectives_ == (0, 2)
    s = tree_search(objectives=["accuracy", "roc_auc"], refit=False).fit(X, y)
    assert s.optimizer_.cost_objectives_ == ()


def test_evolution_keeps_the_front_and_spread():
    opt = EvolutionaryOptimizer(ZDT_SPACE, population_size=10, random_state=0)
    _front_hypervolume(opt, 80)
    Y = np.asarray(opt.objective_scores_)
    population = np.asarray(opt.population_)
    # The population is the best of the history in crowded-comparison order.
    assert (non_dominated_rank(Y)[population[:3]] == 1).all()
    assert opt.restart_ == 0


@pytest.mark.parametrize("cls", [BayesOptimizer, EvolutionaryOptimizer])
def test_failed_objectives_are_tolerated_and_never_on_the_front(cls):
    opt = cls(ZDT_SPACE, random_state=0)
    for _ in range(4):
        batch = opt.ask(opt.next_batch_size())
        scores = [_zdt1(c) for c in batch]
        scores[0] = [np.nan, 0.0]
        opt.tell(batch, scores)
    assert len(opt.ask(opt.next_batch_size())) >= 1
    Y = np.asarray(opt.objective_scores_)
    failed = np.isnan(Y).any(axis=1)
    ranks = non_dominated_rank(Y)
    assert (ranks[failed] == ranks.max()).all()
    assert (ranks[~failed] < ranks.max()).all()
    if cls is EvolutionaryOptimizer:
        # Failures are last in the crowded order: not in a full population.
        assert not failed[opt.population_].any()


def test_same_seed_same_asks_with_objectives():
    def asks(seed):
        opt = BayesOptimizer(ZDT_SPACE, random_state=seed)
        _front_hypervolume(opt, 14)
        return opt.candidates_

    assert asks(3) == asks(3)


def test_evolution_refuses_several_objectives_with_de():
    opt = EvolutionaryOptimizer(ZDT_SPACE, strategy="de", random_state=0)
    with pytest.raises(ValueError, match="strategy='de' optimises one objective"):
        opt.tell(opt.ask(2), [[0.0, 1.0], [1.0, 0.0]])


def test_optimizers_with_objectives_pickle():
    opt = BayesOptimizer(ZDT_SPACE, random_state=0)
    _front_hypervolume(opt, 12)
    again = pickle.loads(pickle.dumps(opt))
    assert again.ask(1) == opt.ask(1)


# ------------------------------------------------------------------ search --


def tree_search(cls=RandomTuneSearchCV, **params):
    defaults = dict(n_iter=8, cv=3, random_state=0, scoring=SCORING)
    return cls(
        DecisionTreeClassifier(random_state=0), TREE_SPACE, **{**defaults, **params}
    )


@pytest.mark.parametrize("cls", [RandomTuneSearchCV, BayesSearchCV, EvolutionarySearchCV])
def test_search_exposes_pareto_rank_and_front(cls):
    extra = {"population_size": 4} if cls is EvolutionarySearchCV else {}
    s = tree_search(cls, objectives=["accuracy", "fit_time"], refit="accuracy", **extra)
    s.fit(X, y)
    results = s.cv_results_
    Y = np.column_stack([results["mean_test_accuracy"], -results["mean_fit_time"]])
    assert results["pareto_rank"].tolist() == non_dominated_rank(Y).tolist()
    assert s.pareto_front_.tolist() == np.flatnonzero(results["pareto_rank"] == 1).tolist()
    # refit by name: the best row on that metric.
    assert s.best_index_ == np.argmin(results["rank_test_accuracy"])
    assert np.asarray(s.optimizer_.objective_scores_)[:, 0] == pytest.approx(
        results["mean_test_accuracy"]
    )


def test_refit_callable_with_multimetric_scoring():
    def most_leaves(results):
        return int(np.argmax(results["param_min_samples_leaf"]))

    s = tree_search(refit=most_leaves).fit(X, y)
    assert s.best_index_ == most_leaves(s.cv_results_)
    assert s.best_params_ == s.cv_results_["params"][s.best_index_]
    # Every scorer is then an objective.
    assert np.asarray(s.optimizer_.objective_scores_).shape == (8, 2)
    assert "pareto_rank" in s.cv_results_


def test_cheapest_within_picks_the_cheapest_near_the_best():
    s = tree_search(
        BayesSearchCV,
        n_iter=10,
        objectives=["accuracy", "fit_time"],
        refit=cheapest_within(0.05, metric="accuracy", cost="param_max_depth"),
    ).fit(X, y)
    results = s.cv_results_
    accuracy = results["mean_test_accuracy"]
    near = accuracy >= accuracy.max() - 0.05
    depth = np.asarray(results["param_max_depth"], dtype=float)
    assert depth[s.best_index_] == depth[near].min()
    assert near[s.best_index_]
    assert repr(s.refit) == (
        "cheapest_within(0.05, metric='accuracy', cost='param_max_depth')"
    )


def test_cheapest_within_errors():
    with pytest.raises(ValueError, match="tol must be a number >= 0"):
        cheapest_within(-1)
    with pytest.raises(TypeError, match="metric must be a str"):
        cheapest_within(metric=3)
    with pytest.raises(ValueError, match="'mean_test_nope', which cv_results_ lacks"):
        cheapest_within(metric="nope")({"mean_fit_time": [1.0]})


def test_failed_candidates_rank_last_and_failed_batches_go_on():
    from _estimators import FailingClassifier

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        s = RandomTuneSearchCV(
            FailingClassifier(), {"param": Real(0, 1)}, n_iter=12, batch_size=1,
            cv=2, random_state=0, objectives=["score", "fit_time"],
        ).fit(X, y)
    told = np.asarray(s.optimizer_.objective_scores_)
    assert told.shape == (12, 2)
    # Batches whose every fit failed are told as failed, not in cv_results_.
    assert np.isnan(told).any(axis=1).sum() == 12 - len(s.cv_results_["params"]) > 0
    ranks = s.cv_results_["pareto_rank"]
    assert np.isfinite(s.cv_results_["mean_test_score"][s.pareto_front_]).all()
    assert ranks.min() == 1


def test_single_metric_score_and_time():
    s = tree_search(scoring=None, objectives=["score", "fit_time"]).fit(X, y)
    assert s.best_index_ == np.argmin(s.cv_results_["rank_test_score"])
    assert len(s.pareto_front_) >= 1


@pytest.mark.parametrize(
    "params, message",
    [
        ({"objectives": ["accuracy"]}, "at least two distinct names"),
        ({"objectives": ["accuracy", "accuracy"]}, "at least two distinct names"),
        ({"objectives": ["accuracy", "f1"]}, "objectives names 'f1'.*keys of scoring"),
        (
            {"objectives": ["accuracy", "fit_time"], "scoring": "accuracy"},
            "objectives names 'accuracy'.*single metric, named 'score'",
        ),
        ({"objectives": "accuracy"}, "The 'objectives' parameter"),
    ],
)
def test_objectives_errors(params, message):
    with pytest.raises(ValueError, match=message):
        tree_search(refit="accuracy", **params).fit(X, y)


def test_objectives_of_a_callable_multimetric_scoring():
    def scoring(estimator, X, y):
        return {"accuracy": estimator.score(X, y), "depth": -estimator.get_depth()}

    s = tree_search(scoring=scoring, refit="accuracy",
                    objectives=["accuracy", "depth"]).fit(X, y)
    Y = np.column_stack([s.cv_results_["mean_test_accuracy"],
                         s.cv_results_["mean_test_depth"]])
    assert s.cv_results_["pareto_rank"].tolist() == non_dominated_rank(Y).tolist()
    with pytest.raises(ValueError, match="objectives names 'nope', which no scorer"):
        tree_search(scoring=scoring, refit="accuracy",
                    objectives=["accuracy", "nope"]).fit(X, y)


def test_single_objective_strategies_refuse_objectives():
    s = GradientSearchCV(
        LogisticRegression(), {"C": Real(1e-2, 1e2, log=True)}, n_iter=4, cv=2,
        scoring=SCORING, refit="accuracy", objectives=["accuracy", "fit_time"],
    )
    with pytest.raises(ValueError, match="GradientSearchCV optimises one objective"):
        s.fit(X, y)


@pytest.mark.parametrize(
    "cls, params",
    [(GradientSearchCV, {}), (HyperbandSearchCV, {"sampler": "bayes"})],
    ids=["gradient", "hyperband-bayes"],
)
def test_single_objective_strategies_take_the_first_scorer_for_a_callable_refit(
    cls, params
):
    s = cls(
        LogisticRegression(), {"C": Real(1e-2, 1e2, log=True)}, n_iter=6, cv=2,
        scoring={"roc_auc": "roc_auc", "accuracy": "accuracy"},
        refit=lambda results: 0, random_state=0, **params,
    ).fit(X, y)
    if cls is GradientSearchCV:
        # Hyperband's callable sees the full-resource rows only.
        assert s.best_index_ == 0
    assert s.best_params_ == s.cv_results_["params"][s.best_index_]
    assert "pareto_rank" not in s.cv_results_
    told = np.asarray(s.optimizer_.scores_, dtype=float)
    finite = np.isfinite(told)
    assert np.isin(told[finite], s.cv_results_["mean_test_roc_auc"]).all()


def test_evolution_search_refuses_de_with_objectives():
    s = tree_search(EvolutionarySearchCV, strategy="de", refit="accuracy",
                    objectives=["accuracy", "roc_auc"])
    with pytest.raises(ValueError, match="needs strategy='ga' or 'auto'"):
        s.fit(X, y)


@pytest.mark.parametrize("cls", [BayesSearchCV, EvolutionarySearchCV])
def test_same_candidates_with_n_jobs(cls):
    extra = {"population_size": 4} if cls is EvolutionarySearchCV else {}
    params = [
        tree_search(cls, n_jobs=n_jobs, refit="accuracy", n_iter=10,
                    objectives=["accuracy", "roc_auc"], **extra)
        .fit(X, y).cv_results_["params"]
        for n_jobs in (1, 2)
    ]
    assert params[0] == params[1]


def test_checkpoint_resume_with_objectives(tmp_path, monkeypatch):
    path = tmp_path / "search.pkl"
    common = dict(refit="accuracy", objectives=["accuracy", "roc_auc"], n_iter=12)
    reference = tree_search(BayesSearchCV, **common).fit(X, y)

    with monkeypatch.context() as m:
        m.setattr(BayesSearchCV, "_after_tell", interrupt_after(10))
        with pytest.raises(KeyboardInterrupt):
            tree_search(BayesSearchCV, checkpoint=path, **common).fit(X, y)
    # Other objectives make another search.
    other = tree_search(BayesSearchCV, checkpoint=path,
                        **{**common, "objectives": ["roc_auc", "accuracy"]})
    with pytest.raises(ValueError, match="another"):
        other.fit(X, y)
    resumed = tree_search(BayesSearchCV, checkpoint=path, **common).fit(X, y)
    assert resumed.cv_results_["params"] == reference.cv_results_["params"]
    assert resumed.pareto_front_.tolist() == reference.pareto_front_.tolist()


def test_early_stopping_counts_batches_without_a_new_front_member():
    s = tree_search(refit="accuracy", objectives=["accuracy", "roc_auc"],
                    n_iter=100, batch_size=2, n_iter_no_change=2)
    s.fit(X, y)
    batches = s.cv_results_["iter"]
    assert len(batches) < 100
    # Rows of the last two batches never entered the front.
    last = batches >= batches.max() - 1
    assert not (s.cv_results_["pareto_rank"][last] == 1).any()


# --------------------------------------------------------------- hyperband --


def _zdt_at_level(candidate, concave=False, top=27):
    """ZDT1 (ZDT2 if `concave`) in 6 dimensions, maximised, observed at the
    resource level ``epochs``: worse by a factor ``1 + 2 / epochs``, so that
    every level orders each objective as the full resource does."""
    x = np.array([candidate[f"x{i}"] for i in range(6)])
    g = 1 + 9 * x[1:].mean()
    ratio = x[0] / g
    f = np.array([x[0], g * (1 - (ratio**2 if concave else np.sqrt(ratio)))])
    return -f * (1 + 2 / candidate.get("epochs", top))


@pytest.mark.parametrize("cls", [HyperbandOptimizer, AdaptiveHyperbandOptimizer])
def test_hyperband_promotes_a_rungs_front_then_the_isolated(cls):
    opt = cls({"x": Real(0.0, 1.0)}, resource="epochs", max_resources=9,
              random_state=0)
    rung = opt.ask(opt.next_batch_size())
    assert [c["epochs"] for c in rung] == [1] * 9
    Y = [
        [0, 4], [1, 3.8], [2.5, 2.5], [4, 0],  # the front; [1, 3.8] crowded
        [0, 3], [1, 1], [2, 2], [3, 0],  # dominated; [3, 0] second on the first
        [np.nan, 9],  # failed: never promoted
    ]
    opt.tell(rung, Y)
    xs = [c["x"] for c in rung]
    promoted = [c["x"] for c in opt.ask(opt.next_batch_size()) if c["x"] in xs]
    assert sorted(promoted) == sorted(xs[i] for i in (0, 2, 3))


def test_hyperband_front_beats_random_search_at_equal_budget():
    """ZDT2 with a resource: Hyperband's full-resource front against random
    search at the full resource, for the same sum of levels."""
    top, n_full = 27, 30
    reference = np.array([-1.1, -4.0]) * (1 + 2 / top)
    ours, random = [], []
    for seed in range(6):
        opt = AdaptiveHyperbandOptimizer(
            ZDT_SPACE, resource="epochs", max_resources=top, budget=top * n_full,
            random_state=seed,
        )
        while batch := opt.ask(opt.next_batch_size()):
            opt.tell(batch, [_zdt_at_level(c, concave=True) for c in batch])
        full = [c["epochs"] == top for c in opt.candidates_]
        ours.append(hypervolume(np.asarray(opt.objective_scores_)[full], reference))
        rnd = RandomOptimizer(ZDT_SPACE, random_state=seed)
        batch = rnd.ask(n_full)
        rnd.tell(batch, [_zdt_at_level(c, concave=True) for c in batch])
        random.append(hypervolume(np.asarray(rnd.objective_scores_), reference))
    assert np.median(ours) > np.median(random)
    assert sum(o > r for o, r in zip(ours, random)) >= 4


def test_adaptive_hyperband_judges_levels_on_every_objective():
    def observed(c):
        # One epoch orders the first objective backwards, the second alike.
        f = _zdt_at_level(c)
        return [-f[0], f[1]] if c["epochs"] == 1 else f

    opt = AdaptiveHyperbandOptimizer(ZDT_SPACE, resource="epochs", max_resources=27,
                                     budget=900, random_state=0)
    while batch := opt.ask(opt.next_batch_size()):
        opt.tell(batch, [observed(c) for c in batch])
    # The mean of Spearman -1 and 1.
    assert opt.level_agreement[1][0] == pytest.approx(0.0)
    assert opt.level_agreement[3][0] == pytest.approx(1.0)
    assert opt.lowest_level == 3


def test_adaptive_hyperband_searches_the_front_at_the_full_resource_at_last():
    def observed(c):
        # Below the full resource, both objectives are ordered backwards.
        f = _zdt_at_level(c)
        return -f if c["epochs"] < 9 else f

    opt = AdaptiveHyperbandOptimizer(ZDT_SPACE, resource="epochs", max_resources=9,
                                     budget=600, random_state=0)
    while batch := opt.ask(opt.next_batch_size()):
        opt.tell(batch, [observed(c) for c in batch])
    assert opt.lowest_level == 9
    assert any("Bayesian" in message for message in opt.messages)
    # ParEGO's proposals after the levels were dropped: a front, not a point.
    late = np.asarray(opt.objective_scores_)[-20:]
    assert [c["epochs"] for c in opt.candidates_[-20:]] == [9] * 20
    assert (non_dominated_rank(late) == 1).sum() >= 3


def test_hyperband_bayes_refuses_several_objectives():
    opt = HyperbandOptimizer(ZDT_SPACE, resource="epochs", max_resources=9,
                             sampler="bayes", random_state=0)
    batch = opt.ask(opt.next_batch_size())
    with pytest.raises(ValueError, match="sampler='bayes' optimises one objective"):
        opt.tell(batch, [_zdt_at_level(c) for c in batch])
    s = hyperband_search(sampler="bayes")
    with pytest.raises(ValueError, match="needs sampler='adaptive' or 'random'"):
        s.fit(X, y)


def _close(estimator, X, y):
    # Near alpha = 0.5, less so with fewer epochs.
    return -abs(estimator.alpha - 0.5) * (1 + 2 / estimator.max_iter)


def _small(estimator, X, y):
    return -estimator.alpha


def _closeness_and_smallness(estimator, X, y):
    return {"close": _close(estimator, X, y), "small": _small(estimator, X, y)}


def hyperband_search(**params):
    defaults = dict(
        resource="max_iter", max_resources=9, n_iter=40, cv=3, random_state=0,
        scoring=_closeness_and_smallness, objectives=["close", "small"],
        refit="close",
    )
    return HyperbandSearchCV(
        EpochClassifier(), {"alpha": Real(0.0, 1.0)}, **{**defaults, **params}
    )


@pytest.mark.parametrize("sampler", ["adaptive", "random"])
def test_hyperband_front_holds_full_resource_rows_only(sampler):
    s = hyperband_search(sampler=sampler).fit(X, y)
    results = s.cv_results_
    Y = np.column_stack([results["mean_test_close"], results["mean_test_small"]])
    full = results["n_resources"] == 9
    # Over every row, cheaper rows with a smaller alpha would be on the front.
    assert not full[non_dominated_rank(Y) == 1].all()
    assert full[s.pareto_front_].all() and len(s.pareto_front_) >= 1
    ranks = results["pareto_rank"]
    assert ranks[full].tolist() == non_dominated_rank(Y[full]).tolist()
    assert ranks[~full].min() > ranks[full].max()
    assert s.best_index_ == np.argmin(results["rank_test_close"])
    assert full[s.best_index_]
    # A callable refit chooses among the full-resource rows.
    s = hyperband_search(sampler=sampler, refit=cheapest_within(
        0.1, metric="close", cost="param_alpha")).fit(X, y)
    assert s.cv_results_["n_resources"][s.best_index_] == 9


def test_hyperband_with_objectives_is_deterministic():
    runs = [
        hyperband_search(n_jobs=n_jobs).fit(X, y).cv_results_["params"]
        for n_jobs in (1, 2)
    ]
    assert runs[0] == runs[1]


def test_hyperband_checkpoint_resume_with_objectives(tmp_path, monkeypatch):
    path = tmp_path / "search.pkl"
    reference = hyperband_search().fit(X, y)

    with monkeypatch.context() as m:
        m.setattr(HyperbandSearchCV, "_after_tell", interrupt_after(20))
        with pytest.raises(KeyboardInterrupt):
            hyperband_search(checkpoint=path).fit(X, y)
    resumed = hyperband_search(checkpoint=path).fit(X, y)
    assert resumed.cv_results_["params"] == reference.cv_results_["params"]
    assert resumed.pareto_front_.tolist() == reference.pareto_front_.tolist()


def test_hyperband_optimizer_saved_without_job_rows_resumes_alike():
    def run(opt, n_batches):
        for _ in range(n_batches):
            batch = opt.ask(opt.next_batch_size())
            opt.tell(batch, [_zdt_at_level(c) for c in batch])
        return opt

    def make():
        return AdaptiveHyperbandOptimizer(
            ZDT_SPACE, resource="epochs", max_resources=27, random_state=0
        )

    old = run(make(), 2)
    del old._job_rows  # as saved before the rows of the jobs were kept
    resumed = run(pickle.loads(pickle.dumps(old)), 6)
    assert resumed.candidates_ == run(make(), 8).candidates_


def test_hyperband_takes_every_scorer_for_a_callable_refit():
    s = hyperband_search(scoring={"close": _close, "small": _small},
                         objectives=None, refit=lambda results: 0).fit(X, y)
    assert s.optimizer_.n_objectives_ == 2
    assert "pareto_rank" in s.cv_results_


# ------------------------------------------------------------------- plots --


def test_plot_pareto_front_highlights_the_front_and_the_chosen_model():
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from sklearn.model_selection import RandomizedSearchCV

    from sklearn_tune.plotting import plot_pareto_front

    s = tree_search(refit="accuracy", objectives=["accuracy", "fit_time"],
                    n_iter=12).fit(X, y)
    ax = plot_pareto_front(s)
    front_line = next(line for line in ax.get_lines()
                      if line.get_label() == "Pareto front")
    results = s.cv_results_
    assert sorted(front_line.get_xdata()) == sorted(results["mean_fit_time"][s.pareto_front_])
    best = next(line for line in ax.get_lines() if line.get_label() == "best")
    assert best.get_ydata()[0] == results["mean_test_accuracy"][s.best_index_]
    plt.close("all")

    # scikit-learn's own search, with a cost column: both axes named.
    sk = RandomizedSearchCV(DecisionTreeClassifier(random_state=0),
                            {"max_depth": list(range(1, 9))}, n_iter=6, cv=3,
                            random_state=0).fit(X, y)
    ax = plot_pareto_front(sk, x="param_max_depth", y="score")
    front_line = next(line for line in ax.get_lines()
                      if line.get_label() == "Pareto front")
    depths = np.asarray(sk.cv_results_["param_max_depth"], dtype=float)
    scores = sk.cv_results_["mean_test_score"]
    expected = non_dominated_rank(np.column_stack([-depths, scores])) == 1
    assert sorted(front_line.get_xdata()) == sorted(depths[expected])
    with pytest.raises(ValueError, match="Pass x and y"):
        plot_pareto_front(sk)
    with pytest.raises(ValueError, match="'nope' is neither a scorer"):
        plot_pareto_front(sk, x="nope", y="score")
    plt.close("all")
