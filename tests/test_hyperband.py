"""Hyperband: the bracket arithmetic and promotions of the optimizer, the
subsampling of the folds, and HyperbandSearchCV end to end."""

import math
import os
import pickle
import shutil
import stat
import tempfile
import warnings
from collections import Counter

import numpy as np
import pytest
from _estimators import (
    EpochClassifier,
    FailingClassifier,
    LoggedClassifier,
    WeightRecorder,
    epochs_run,
    epochs_seen,
)
from scipy.stats import loguniform, norm, randint, uniform
from sklearn import config_context
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.datasets import make_classification
from sklearn.ensemble import (
    BaggingClassifier,
    ExtraTreesClassifier,
    GradientBoostingClassifier,
    HistGradientBoostingClassifier,
    RandomForestClassifier,
)
from sklearn.linear_model import LogisticRegression, SGDClassifier
from sklearn.neural_network import MLPClassifier
from sklearn.model_selection import GroupKFold, KFold, StratifiedKFold
from sklearn.neighbors import KNeighborsClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils.estimator_checks import parametrize_with_checks

from sklearn_tune import Integer, Real, SearchSpace
from sklearn_tune._hyperband import HyperbandSearchCV
from sklearn_tune._splitters import FixedSplits, SubsampledFolds
from sklearn_tune._warm_start import WarmStartCache
from sklearn_tune.optimizers._hyperband import (
    AdaptiveHyperbandOptimizer,
    HyperbandOptimizer,
    geometric_levels,
    hyperband_brackets,
    plan_rounds,
)

X, y = make_classification(
    n_samples=240, n_features=6, n_informative=4, n_classes=3, random_state=0
)
SGD_SPACE = {"alpha": loguniform(1e-5, 1e-1)}


def sgd(max_iter=9):
    return SGDClassifier(max_iter=max_iter, tol=None, random_state=0)


def hyperband(estimator=None, space=SGD_SPACE, **kwargs):
    kwargs.setdefault("n_iter", 22)
    kwargs.setdefault("cv", 3)
    kwargs.setdefault("random_state", 0)
    kwargs.setdefault("resource", "max_iter")
    return HyperbandSearchCV(sgd() if estimator is None else estimator, space, **kwargs)


def drive(opt, objective, n_batches):
    """Ask whole levels, as HyperbandSearchCV does; the batches asked."""
    batches = []
    for _ in range(n_batches):
        batch = opt.ask(opt.next_batch_size())
        opt.tell(batch, [objective(c) for c in batch])
        batches.append(batch)
    return batches


def rungs(opt, candidates):
    """``(bracket, rung)`` of each candidate, as cv_results_ shows them."""
    columns = opt.results_columns(candidates)
    return list(zip(columns["bracket"], columns["rung"]))


def quadratic(c):
    return -((c["x"] - 0.3) ** 2) - 0.3 / c["r"]


def quadratic_optimizer(**kwargs):
    """An optimizer over x at the levels 1, 3 and 9 of a resource r."""
    return HyperbandOptimizer(
        {"x": Real(-2.0, 2.0)}, resource="r", max_resources=9, **kwargs
    )


# ------------------------------------------------------- bracket arithmetic --


def test_brackets_are_those_of_the_paper():
    # Li et al. (2018), table 1: R = 81, eta = 3.
    assert geometric_levels(1, 81, 3) == [1, 3, 9, 27, 81]
    assert hyperband_brackets(5, 3) == [
        [81, 27, 9, 3, 1],
        [34, 11, 3, 1],
        [15, 5, 1],
        [8, 2],
        [5],
    ]
    assert hyperband_brackets(1, 3) == [[1]]


def test_levels_go_down_from_the_maximum():
    assert geometric_levels(3, 100, 3) == [4, 11, 33, 100]
    assert geometric_levels(100, 100, 3) == [100]
    assert geometric_levels(50, 150, 2) == [75, 150]
    assert geometric_levels(0.1, 1.0, 2) == pytest.approx([0.125, 0.25, 0.5, 1.0])


@pytest.mark.parametrize("budget", [1, 2, 5, 22, 23, 69, 100, 250])
def test_plan_spends_exactly_the_budget(budget):
    rounds = plan_rounds(4, 3, budget)
    assert sum(sum(sizes) for round_ in rounds for sizes in round_) == budget
    for round_ in rounds:
        # Brackets of a round start at distinct levels, the lowest first.
        lengths = [len(sizes) for sizes in round_]
        assert lengths == sorted(set(lengths), reverse=True) and lengths[0] <= 4
        for sizes in round_:
            # Every bracket keeps a configuration up to the full resource.
            assert sizes[-1] >= 1
            assert sizes == sorted(sizes, reverse=True)
    if budget >= 69:
        assert rounds[0] == hyperband_brackets(4, 3)


def test_asks_follow_the_plan_one_level_per_batch():
    opt = quadratic_optimizer(random_state=0)
    assert opt.levels == [1, 3, 9]
    batches = drive(opt, quadratic, 6)
    assert [sorted({c["r"] for c in b}) for b in batches] == [[1], [3], [9]] * 2
    assert opt.results_columns(batches[1])["n_resources"] == [3] * 8
    # The level-3 batch holds bracket 0's second rung and bracket 1's first.
    assert Counter(rungs(opt, batches[1])) == {(0, 1): 3, (1, 0): 5}
    asked = Counter(rungs(opt, [c for b in batches for c in b]))
    planned = {(row["bracket"], row["rung"]): row["n_candidates"] for row in opt.plan}
    assert asked == planned
    assert len(opt.plan) == 12
    assert opt.next_batch_size() == 9
    # A configuration went through its bracket's levels up to its own.
    top, = [c for c in batches[2] if rungs(opt, [c]) == [(0, 2)]]
    assert opt.levels_through(top) == [1, 3, 9]
    assert {tuple(opt.levels_through(c)) for c in batches[1]} == {(1, 3), (3,)}


@pytest.mark.parametrize("sampler", ["random", "bayes"])
def test_max_evaluations_ends_the_plan(sampler):
    opt = quadratic_optimizer(max_evaluations=30, sampler=sampler, random_state=0)
    asked = []
    while len(asked) < 30:
        batch = opt.ask(opt.next_batch_size())
        opt.tell(batch, [quadratic(c) for c in batch])
        asked.extend(batch)
    assert len(asked) == 30 == sum(row["n_candidates"] for row in opt.plan)
    assert all(bracket >= 0 for bracket, _ in rungs(opt, asked))
    # Beyond the plan, one random candidate at a time.
    assert opt.next_batch_size() == 1
    assert rungs(opt, opt.ask(1)) == [(-1, -1)]


def test_a_larger_budget_plans_the_difference():
    opt = quadratic_optimizer(max_evaluations=22, random_state=0)
    first = opt.plan
    opt.set_budget(22)
    opt.set_budget(10)
    assert opt.plan == first and opt.max_evaluations == 22
    opt.set_budget(35)
    assert opt.plan[: len(first)] == first
    assert sum(row["n_candidates"] for row in opt.plan) == 35
    assert {row["round"] for row in opt.plan[len(first) :]} == {1}


def test_the_best_fraction_is_promoted_by_told_scores():
    opt = quadratic_optimizer(random_state=3)
    drive(opt, quadratic, 3)
    asked = rungs(opt, opt.candidates_)
    for bracket in {row["bracket"] for row in opt.plan}:
        by_rung = [
            [c for c, job in zip(opt.candidates_, asked) if job == (bracket, i)]
            for i in range(3)
        ]
        for lower, upper in zip(by_rung, by_rung[1:]):
            if not upper:
                continue
            ranked = sorted(lower, key=quadratic, reverse=True)
            assert len(upper) == len(lower) // 3
            assert {c["x"] for c in upper} == {c["x"] for c in ranked[: len(upper)]}


def test_failed_configurations_are_never_promoted():
    opt = quadratic_optimizer(random_state=0)

    def objective(c):
        return np.nan if c["x"] > 0 else quadratic(c)

    batches = drive(opt, objective, 3)
    promoted = [
        c for b in batches[1:] for c, (_, rung) in zip(b, rungs(opt, b)) if rung > 0
    ]
    assert promoted and all(c["x"] <= 0 for c in promoted)


def test_bayes_sampler_learns_across_brackets():
    space = {"x": Real(-2.0, 2.0), "y": Real(-2.0, 2.0)}

    def objective(c):
        return -((c["x"] - 0.3) ** 2) - (c["y"] + 0.5) ** 2 - 0.3 / c["r"]

    def best_full(sampler, seed):
        opt = HyperbandOptimizer(
            space, resource="r", max_resources=27, sampler=sampler, random_state=seed
        )
        drive(opt, objective, 12)
        return max(s for c, s in zip(opt.candidates_, opt.scores_) if c["r"] == 27)

    seeds = range(7)
    bayes = np.median([best_full("bayes", s) for s in seeds])
    random = np.median([best_full("random", s) for s in seeds])
    assert bayes > random


def consistent(c):
    return -((c["x"] - 0.3) ** 2) - 0.3 / c["r"]


def misleading(c):
    # Below the full resource, the ranking is reversed.
    return -((c["x"] - 0.3) ** 2) if c["r"] == 9 else (c["x"] - 0.3) ** 2


@pytest.mark.parametrize(
    "objective, lowest, levels",
    [(consistent, 1, {1, 3, 9}), (misleading, 9, {3, 9})],
)
def test_bayes_sampler_uses_a_level_once_it_ranks_the_best_alike(
    objective, lowest, levels
):
    opt = quadratic_optimizer(sampler="bayes", random_state=0)
    assert opt.lowest_level == 9
    assert {row["n_resources"] for row in opt.plan} == {9}
    drive(opt, objective, 36)
    assert opt.lowest_level == lowest
    assert {c["r"] for c in opt.candidates_} == levels
    # The first check scores, one level down, the nine best at the full
    # resource so far: a bracket of one rung.
    first = next(i for i, c in enumerate(opt.candidates_) if c["r"] == 3)
    checked = opt.candidates_[first : first + 9]
    (bracket, _), = set(rungs(opt, checked))
    rows = [row for row in opt.plan if row["bracket"] == bracket]
    assert [(r["n_candidates"], r["n_resources"]) for r in rows] == [(9, 3)]
    best = sorted(opt.candidates_[:first], key=objective, reverse=True)[:9]
    assert {c["x"] for c in checked} == {c["x"] for c in best}


@pytest.mark.parametrize("sampler", ["random", "bayes", "adaptive"])
def test_conformance_with_a_resource(sampler):
    space = SearchSpace(
        [
            {
                "C": loguniform(1e-3, 1e3),
                "k": randint(0, 5),
                "shift": norm(0, 1),
                "layers": [None, (10,), (20, 20)],
            },
            {"C": loguniform(1e-3, 1e3), "n": Integer(1, 30, log=True)},
        ]
    )

    def optimizer():
        if sampler == "adaptive":
            return AdaptiveHyperbandOptimizer(
                space, resource="r", max_resources=9, random_state=0
            )
        return HyperbandOptimizer(
            space, resource="r", max_resources=9, sampler=sampler, random_state=0
        )

    def objective(c):
        return -((math.log10(c["C"]) - 1) ** 2) - 1 / c["r"] + (c.get("k", 0) == 2)

    def run(opt, n_batches):
        asked = []
        for i in range(n_batches):
            batch = opt.ask(4)
            scores = [
                np.nan if (i + j) % 5 == 0 else objective(c)
                for j, c in enumerate(batch)
            ]
            opt.tell(batch, scores)
            asked.extend(batch)
        return asked

    opt = optimizer()
    asked = run(opt, 15)
    # Each candidate is a configuration of the space at one level.
    configs = [{k: v for k, v in c.items() if k != "r"} for c in asked]
    assert all(any(s.contains(c) for s in space.subspaces) for c in configs)
    keys = keys_of(opt, asked)
    assert len(set(keys)) == len(keys)
    assert {c["r"] for c in asked} == {1, 3, 9}
    clone = pickle.loads(pickle.dumps(opt))
    assert keys_of(opt, run(opt, 5)) == keys_of(clone, run(clone, 5))
    assert keys_of(opt, run(optimizer(), 15)) == keys


# --------------------------------------------------------- adaptive levels --


def adaptive(objective, levels=27, **kwargs):
    """An adaptive optimizer over x at the levels up to `levels` of r, run
    as HyperbandSearchCV runs it until its budget is spent."""
    kwargs.setdefault("budget", 40 * levels)
    opt = AdaptiveHyperbandOptimizer(
        {"x": Real(-2.0, 2.0)}, resource="r", max_resources=levels, random_state=0,
        **kwargs,
    )
    batches = []
    while batch := opt.ask(opt.next_batch_size()):
        opt.tell(batch, [objective(c) for c in batch])
        batches.append(batch)
    return opt, batches


def fooled_below(level):
    """Below `level`, a resource ranks x the wrong way round."""
    return lambda c: -((c["x"] - 0.3) ** 2) * (1 if c["r"] >= level else -1)


def test_adaptive_keeps_levels_that_rank_the_best_alike():
    opt, _ = adaptive(consistent)
    assert opt.lowest_level == 1 and not opt.messages
    assert opt.level_agreement[1][0] > 0.9 and opt.level_agreement[1][1] >= 9
    assert opt.plan[0]["n_candidates"] == 27 and opt.plan[0]["n_resources"] == 1


def test_adaptive_drops_the_levels_that_mislead_and_starts_higher():
    opt, batches = adaptive(fooled_below(9))
    assert opt.lowest_level == 9
    assert opt.level_agreement[3][0] < 0 and "level 3 dropped" in opt.messages[-1]
    # Brackets planned after the drop start at 9; no level is scored after
    # the drop that is lower than 9 but in a bracket already running.
    starts = [row["n_resources"] for row in opt.plan if row["rung"] == 0]
    assert starts[0] == 1 and starts[-1] == 9
    full = [c["x"] for c in opt.candidates_ if c["r"] == 27]
    best = max(full, key=lambda x: -((x - 0.3) ** 2))
    assert abs(best - 0.3) < 0.15


def test_adaptive_falls_back_to_bayesian_optimisation_at_the_full_resource():
    opt, batches = adaptive(fooled_below(27), budget=60 * 27)
    assert opt.lowest_level == 27
    assert "Bayesian optimisation" in opt.messages[-1]
    # After the fallback, batches of ceil(eta) full-resource configurations,
    # proposed by the model, which finds the optimum.
    after = batches[-4:]
    assert all(len(b) == 3 and {c["r"] for c in b} == {27} for b in after[:-1])
    full = [c["x"] for c in opt.candidates_ if c["r"] == 27]
    assert min(abs(x - 0.3) for x in full[-9:]) < 0.02


@pytest.mark.parametrize("budget", [27, 100, 250, 1000])
def test_adaptive_budget_is_the_sum_of_the_levels_and_is_never_exceeded(budget):
    opt, _ = adaptive(consistent, budget=budget)
    spent = sum(c["r"] for c in opt.candidates_)
    # The last brackets shrink to fit: less than one full-resource fit is
    # left unspent.
    assert budget - 27 < spent <= budget == opt.budget
    assert opt.finished and opt.ask(5) == []


def test_adaptive_batches_are_rungs_and_a_last_rung_goes_with_the_next_bracket():
    _, batches = adaptive(consistent)
    levels = [[c["r"] for c in batch] for batch in batches]
    assert levels[:4] == [[1] * 27, [3] * 9, [9] * 3, [27] + [1] * 27]
    # Within a batch, the highest level comes first.
    assert all(level == sorted(level, reverse=True) for level in levels)
    _, batches = adaptive(consistent, mixed_levels=False)
    assert all(len({c["r"] for c in batch}) == 1 for batch in batches)


@pytest.mark.parametrize(
    "kwargs, match",
    [({"budget": 0}, "budget"), ({"budget": "1"}, "budget"),
     ({"min_agreement": 2}, "min_agreement")],
)
def test_adaptive_bad_parameters_name_themselves(kwargs, match):
    with pytest.raises(ValueError, match=match):
        AdaptiveHyperbandOptimizer(
            {"x": Real(0, 1)}, resource="r", max_resources=9, **kwargs
        )


def keys_of(opt, candidates):
    return [opt.space.key(c) for c in candidates]


@pytest.mark.parametrize("sampler", ["random", "bayes", "adaptive"])
def test_a_finite_space_ends_once_every_configuration_is_used(sampler):
    # Another level of a configuration already in a bracket is not asked
    # outside the plan (it used to fill n_iter with every pair).
    cls = AdaptiveHyperbandOptimizer if sampler == "adaptive" else HyperbandOptimizer
    kwargs = {} if sampler == "adaptive" else {"sampler": sampler}
    opt = cls(
        {"a": ["x", "y", "z"]}, resource="r", max_resources=2, eta=2,
        max_evaluations=20, random_state=0, **kwargs,
    )
    assert opt.levels == [1, 2] and opt.n_configurations == 3
    asked = []
    while batch := opt.ask(2):
        opt.tell(batch, [float(c["a"] == "y") for c in batch])
        asked.extend(batch)
    assert len(asked) == len(set(keys_of(opt, asked))) < 6
    assert {c["a"] for c in asked} == {"x", "y", "z"}
    assert {"a": "y", "r": 2} in asked


def test_a_one_configuration_space_is_fitted_once_at_the_full_resource():
    X, y = make_classification(n_samples=120, random_state=0)
    search = HyperbandSearchCV(
        LogisticRegression(), {"C": [1.0]}, resource="n_samples", n_iter=6,
        cv=2, random_state=0,
    )
    with pytest.warns(UserWarning, match="only 1 distinct candidates"):
        search.fit(X, y)
    assert list(search.cv_results_["n_resources"]) == [120]


@pytest.mark.parametrize(
    "space, kwargs, match",
    [
        ({"x": Real(0, 1), "r": Integer(1, 9)}, {}, "'r' is also in the search"),
        ([{"x": [1]}, {"x": [2], "r": [1, 9]}], {}, "'r' is also in the search"),
        ({"x": Real(0, 1)}, {"max_resources": None}, "max_resources must be"),
        ({"x": Real(0, 1)}, {"min_resources": 0}, "min_resources must be"),
        ({"x": Real(0, 1)}, {"max_resources": "9"}, "max_resources must be"),
        ({"x": Real(0, 1)}, {"min_resources": 10}, "min_resources=10 is greater"),
    ],
)
def test_bad_resources_are_refused(space, kwargs, match):
    kwargs = {"max_resources": 9, **kwargs}
    with pytest.raises(ValueError, match=match):
        HyperbandOptimizer(space, resource="r", **kwargs)


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"eta": 1}, "eta"),
        ({"sampler": "tpe"}, "sampler"),
        ({"max_evaluations": 0}, "max_evaluations"),
    ],
)
def test_bad_optimizer_parameters_name_themselves(kwargs, match):
    with pytest.raises(ValueError, match=match):
        quadratic_optimizer(**kwargs)


# --------------------------------------------------------------- subsampling --


def test_subsampled_folds_cut_the_training_parts_only_nested_and_stratified():
    rng = np.random.default_rng(0)
    labels = np.repeat([0, 1, 2], [300, 90, 10])
    rng.shuffle(labels)
    data = np.zeros((len(labels), 1))
    folds = FixedSplits(StratifiedKFold(5, shuffle=True, random_state=0))
    full = list(folds.split(data, labels))
    previous = None
    for fraction in [0.01, 0.05, 0.2, 0.7]:
        splits = SubsampledFolds(folds, fraction, stratify=True, random_state=3)
        cut = list(splits.split(data, labels))
        assert splits.get_n_splits() == 5
        for k, ((train, test), (full_train, full_test)) in enumerate(zip(cut, full)):
            np.testing.assert_array_equal(test, full_test)
            assert set(train) <= set(full_train)
            assert len(train) == max(3, round(fraction * len(full_train)))
            # No class goes missing, however small the fraction.
            assert set(labels[train]) == {0, 1, 2}
            expected = fraction * np.bincount(labels[full_train])
            assert np.all(np.abs(np.bincount(labels[train]) - expected) <= 1.5)
            if previous is not None:
                assert set(previous[k]) <= set(train)
        previous = [train for train, _ in cut]


def test_subsampled_folds_without_classes_are_random_prefixes():
    data = np.zeros((100, 1))
    folds = FixedSplits(KFold(4))
    small, large = (
        list(SubsampledFolds(folds, f, stratify=False, random_state=0).split(data))
        for f in (0.2, 0.5)
    )
    for (s, _), (l, _) in zip(small, large):
        assert len(s) == 15 and len(l) == 38 and set(s) <= set(l)


class ClassCounter(ClassifierMixin, BaseEstimator):
    """Records the classes and size of each training set; scores `param`."""

    seen = []

    def __init__(self, param=0.0):
        self.param = param

    def fit(self, X, y):
        ClassCounter.seen.append((len(y), len(np.unique(y))))
        self.classes_ = np.unique(y)
        return self

    def predict(self, X):
        return np.full(len(X), self.classes_[0])

    def score(self, X, y, sample_weight=None):
        return self.param


def test_n_samples_levels_keep_every_class_and_refit_on_all_data():
    ClassCounter.seen = []
    search = HyperbandSearchCV(
        ClassCounter(), {"param": uniform(0, 1)}, n_iter=22, cv=3, random_state=0
    ).fit(X, y)
    # 2 * n_splits * n_classes = 18 samples at least; 240 // 27 = 8 is less.
    assert search.min_resources_ >= 18
    assert search.resource_levels_[-1] == search.max_resources_ == len(X)
    fits = ClassCounter.seen
    assert all(n_classes == 3 for _, n_classes in fits)
    assert search.resource_levels_ == [27, 80, 240]
    # Each fold trains on 160 samples, cut to the level's share of 240.
    assert sorted({size for size, _ in fits[:-1]}) == [18, 53, 160]
    assert fits[-1][0] == len(X)  # the refit
    results = search.cv_results_
    assert results["n_resources"][search.best_index_] == len(X)
    assert results["rank_test_score"][search.best_index_] == 1


def test_a_dataset_too_small_to_subsample_gets_one_level():
    search = HyperbandSearchCV(
        LogisticRegression(),
        {"C": loguniform(1e-2, 1e2)},
        n_iter=4,
        cv=3,
        random_state=0,
    ).fit(X[:40], y[:40])
    assert search.resource_levels_ == [40]
    assert set(search.cv_results_["n_resources"]) == {40}


# ------------------------------------------------------- HyperbandSearchCV ---


def test_resource_as_an_estimator_parameter():
    search = hyperband(sampler="random").fit(X, y)
    results = search.cv_results_
    assert search.resource_levels_ == [1, 3, 9]
    assert len(results["params"]) == 22
    np.testing.assert_array_equal(results["param_max_iter"], results["n_resources"])
    assert search.best_params_["max_iter"] == 9
    assert search.best_estimator_.max_iter == 9
    assert results["rank_test_score"][search.best_index_] == 1
    for key in ("bracket", "rung", "n_resources", "iter"):
        assert len(results[key]) == 22
    # A level is one batch: one evaluate_candidates call, one iter value.
    for it in set(results["iter"]):
        assert len(set(results["n_resources"][results["iter"] == it])) == 1


def test_resource_as_a_pipeline_step_parameter():
    pipe = make_pipeline(StandardScaler(), sgd(27))
    search = HyperbandSearchCV(
        pipe,
        {"sgdclassifier__alpha": loguniform(1e-5, 1e-1)},
        resource="sgdclassifier__max_iter",
        n_iter=20,
        cv=3,
        random_state=0,
    ).fit(X, y)
    # Fitted from scratch at each level: "auto" starts at 27 // 3**2.
    assert search.resource_levels_ == [3, 9, 27]
    assert search.best_params_["sgdclassifier__max_iter"] == 27
    assert search.best_estimator_[-1].max_iter == 27
    assert set(search.cv_results_["param_sgdclassifier__max_iter"]) <= {3, 9, 27}


@pytest.mark.parametrize(
    "estimator, resource, kwargs, continued, levels",
    [
        # Fitted from scratch at each level: three levels.
        (sgd(27), "max_iter", {}, False, [3, 9, 27]),
        # Continued fits (an ensemble grown by its size, or asked for): four.
        (GradientBoostingClassifier(n_estimators=27), "n_estimators", {}, True,
         [1, 3, 9, 27]),
        (sgd(27), "max_iter", {"warm_start": True}, True, [1, 3, 9, 27]),
        # Hyperband's rounds, whose brackets also start higher: four.
        (sgd(27), "max_iter", {"sampler": "random"}, False, [1, 3, 9, 27]),
    ],
)  # fmt: skip
def test_auto_min_resources_depends_on_whether_fits_continue(
    estimator, resource, kwargs, continued, levels
):
    search = hyperband(
        estimator, {"max_depth": [1, 2]} if resource == "n_estimators" else SGD_SPACE,
        resource=resource, n_iter=4, **kwargs,
    ).fit(X, y)  # fmt: skip
    assert search.warm_start_ is continued
    assert search.resource_levels_ == levels


class BudgetScorer(ClassifierMixin, BaseEstimator):
    """Scores best with the least `budget`: low rungs outscore full ones."""

    def __init__(self, param=0.0, budget=9):
        self.param = param
        self.budget = budget

    def fit(self, X, y):
        self.classes_ = np.unique(y)
        return self

    def predict(self, X):
        return np.full(len(X), self.classes_[0])

    def score(self, X, y, sample_weight=None):
        return self.param + 1.0 / self.budget


def test_best_comes_only_from_the_full_resource_and_is_rank_one():
    search = hyperband(BudgetScorer(), {"param": uniform(0, 0.1)}, resource="budget")
    search.fit(X, y)
    results = search.cv_results_
    # A lower rung holds the highest score...
    assert results["n_resources"][np.argmax(results["mean_test_score"])] < 9
    # ...but the choice, its rank and the refit are at the full resource.
    full = results["n_resources"] == 9
    assert full[search.best_index_]
    assert search.best_score_ == np.max(results["mean_test_score"][full])
    assert results["rank_test_score"][search.best_index_] == 1
    assert set(results["rank_test_score"][full]) == set(range(1, full.sum() + 1))
    assert results["rank_test_score"][~full].min() == full.sum() + 1
    assert search.best_params_["budget"] == search.best_estimator_.budget == 9


def test_multimetric_refit_by_name():
    search = hyperband(
        scoring={"acc": "accuracy", "bal": "balanced_accuracy"}, refit="bal"
    ).fit(X, y)
    results = search.cv_results_
    full = np.flatnonzero(results["n_resources"] == 9)
    best = full[np.argmax(results["mean_test_bal"][full])]
    assert search.best_index_ == best
    assert search.best_score_ == results["mean_test_bal"][best]
    assert results["rank_test_bal"][best] == 1
    assert results["rank_test_acc"][full].min() == 1
    assert search.best_params_["max_iter"] == 9


def test_callable_refit_sees_only_full_resource_rows():
    seen = []

    def refit(results):
        seen.append(set(results["n_resources"]))
        return int(np.argmin(results["mean_test_score"]))

    search = hyperband(refit=refit).fit(X, y)
    results = search.cv_results_
    full = np.flatnonzero(results["n_resources"] == 9)
    assert seen == [{9}]
    assert search.best_index_ == full[np.argmin(results["mean_test_score"][full])]
    assert search.best_estimator_.max_iter == 9


def test_plan_matches_the_results_and_is_printed(capsys):
    search = hyperband(n_iter=30, verbose=1, sampler="random").fit(X, y)
    printed = capsys.readouterr().out
    assert "plan: 30 evaluations" in printed and "1 x 9" in printed
    planned = {(r["bracket"], r["rung"]): r["n_candidates"] for r in search.plan_}
    results = search.cv_results_
    done = Counter(zip(results["bracket"].tolist(), results["rung"].tolist()))
    assert done == planned
    assert sum(planned.values()) == 30


def test_same_candidates_whatever_n_jobs():
    one = hyperband(n_iter=9, sampler="bayes").fit(X, y).cv_results_["params"]
    two = hyperband(n_iter=9, sampler="bayes", n_jobs=2).fit(X, y).cv_results_["params"]
    assert one == two


def test_bayes_sampler_in_a_search(capsys):
    search = hyperband(sampler="bayes", n_iter=44, verbose=1).fit(X, y)
    assert "planned as lower levels pass" in capsys.readouterr().out
    results = search.cv_results_
    assert len(results["params"]) == 44
    assert search.best_params_["max_iter"] == 9
    planned = {(r["bracket"], r["rung"]): r["n_candidates"] for r in search.plan_}
    done = Counter(zip(results["bracket"].tolist(), results["rung"].tolist()))
    assert done == planned
    # Below the lowest level trusted, only checks ran: brackets of one rung.
    below = results["n_resources"] < search.lowest_level_
    for bracket in set(results["bracket"][below]):
        assert len([r for r in search.plan_ if r["bracket"] == bracket]) == 1


def test_failed_fits_are_tolerated_and_never_promoted():
    search = HyperbandSearchCV(
        FailingClassifier(), {"param": uniform(0, 1)}, n_iter=22, cv=3, random_state=0
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        search.fit(X, y)
    results = search.cv_results_
    failed = np.isnan(results["mean_test_score"])
    assert failed.any()
    assert not np.any(failed & (results["rung"] > 0))
    assert search.best_params_["param"] <= 0.5


def test_max_time_before_the_full_resource_warns():
    with pytest.warns(UserWarning, match="No candidate was scored with the full"):
        search = hyperband(max_time=1e-6).fit(X, y)
    assert set(search.cv_results_["n_resources"]) == {1}
    assert search.best_params_["max_iter"] == 1


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"resource": "nope"}, "resource='nope'"),
        ({"resource": "max_iters"}, "Did you mean 'max_iter'"),
        ({"space": {"alpha": [1e-3], "max_iter": [5]}}, "resource='max_iter' is also"),
        ({"min_resources": 20}, "min_resources=20"),
        ({"resource": "n_samples", "max_resources": 10_000}, "max_resources=10000"),
        ({"estimator": LogisticRegression(), "space": {"tol": [1e-3]}, "resource": "C"},
         r"resource='C' is not an amount of training.*'max_iter'.*set max_resources"),
        ({"eta": 1}, "eta"),
        ({"sampler": "tpe"}, "sampler"),
        ({"min_resources": 0}, "min_resources"),
        ({"budget": -1}, "budget"),
        ({"budget": 50, "sampler": "random"}, "budget=50 needs sampler='adaptive'"),
    ],
)
def test_bad_parameters_name_themselves(kwargs, match):
    space = kwargs.pop("space", SGD_SPACE)
    with pytest.raises(ValueError, match=match):
        hyperband(space=space, **kwargs).fit(X, y)


def test_budget_ends_the_search_and_the_level_checks_are_printed(capsys):
    # Few epochs of SGD rank its best alphas unlike more epochs here.
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no "space exhausted" warning
        search = hyperband(
            sgd(27), budget=300, n_iter=1000, min_resources=1, verbose=1
        ).fit(X, y)
    results = search.cv_results_
    assert 300 - 27 < results["n_resources"].sum() <= 300
    printed = capsys.readouterr().out
    assert "budget 300" in printed and "plan is complete" in printed
    assert search.resource_levels_ == [1, 3, 9, 27]
    for level, (agreement, n_pairs) in search.level_agreement_.items():
        assert n_pairs >= 6 and -1 <= agreement <= 1
        if agreement < 0.5:
            assert f"level {level} dropped: Spearman {agreement:.2f}" in printed
    dropped = [level for level, (a, _) in search.level_agreement_.items() if a < 0.5]
    assert dropped and search.lowest_level_ > max(dropped)
    assert search.best_params_["max_iter"] == 27


def test_sample_weight_and_groups_are_routed_to_the_subsampled_folds():
    WeightRecorder.totals = []
    weights = np.linspace(0.5, 2.0, len(y))
    groups = np.arange(len(y)) % 4
    with config_context(enable_metadata_routing=True):
        search = HyperbandSearchCV(
            WeightRecorder()
            .set_fit_request(sample_weight=True)
            .set_score_request(sample_weight=True),
            {"param": uniform(0, 1)},
            n_iter=13,
            cv=GroupKFold(4),
            error_score="raise",
            random_state=0,
        ).fit(X, y, sample_weight=weights, groups=groups)
    assert search.n_splits_ == 4 and len(search.resource_levels_) == 3
    assert search.best_estimator_.total_weight_ == pytest.approx(weights.sum())
    # Each training subsample brings its own weights along.
    totals = {round(t, 6) for t in WeightRecorder.totals[:-1]}
    assert len(totals) > 4


def test_a_checkpoint_resumes_the_same_brackets(tmp_path, monkeypatch):
    ckpt = tmp_path / "search.ckpt"
    estimator = LoggedClassifier(interrupt_above=0.9)

    def search(**kwargs):
        return HyperbandSearchCV(
            estimator, {"param": uniform(0, 1)}, n_iter=22, cv=2, random_state=5,
            **kwargs,
        )

    reference = search().fit(X, y)
    with monkeypatch.context() as m:
        m.setenv("SKLEARN_TUNE_TEST_INTERRUPT", "1")
        with pytest.raises(KeyboardInterrupt):
            search(checkpoint=str(ckpt)).fit(X, y)
    assert ckpt.exists()
    resumed = search(checkpoint=str(ckpt)).fit(X, y)
    assert resumed.cv_results_["params"] == reference.cv_results_["params"]
    assert resumed.best_params_ == reference.best_params_
    with monkeypatch.context() as m:
        m.setenv("SKLEARN_TUNE_TEST_INTERRUPT", "1")
        with pytest.raises(KeyboardInterrupt):
            search(checkpoint=str(ckpt)).fit(X, y)
    longer = HyperbandSearchCV(
        estimator, {"param": uniform(0, 1)}, n_iter=35, cv=2, random_state=5,
        checkpoint=str(ckpt),
    ).fit(X, y)
    results = longer.cv_results_
    assert len(results["params"]) == 35 == sum(r["n_candidates"] for r in longer.plan_)
    assert -1 not in results["bracket"]


# ---------------------------------------------------------------- warm start --

EPOCH_SCORING = {"quality": "accuracy", "run": epochs_run, "seen": epochs_seen}


def epoch_search(estimator=None, resource="max_iter", **kwargs):
    kwargs.setdefault("n_iter", 22)
    kwargs.setdefault("refit", "seen")
    kwargs.setdefault("scoring", EPOCH_SCORING)
    return HyperbandSearchCV(
        EpochClassifier(max_iter=9) if estimator is None else estimator,
        {resource.replace("max_iter", "alpha"): uniform(0, 1)},
        resource=resource, cv=3, random_state=0, **kwargs,
    )


def previous_levels(search):
    """Each row's level before its own in its bracket (0 for a first rung)."""
    results = search.cv_results_
    levels = search.resource_levels_
    return np.array([
        0 if rung <= 0 else levels[levels.index(n) - 1]
        for rung, n in zip(results["rung"], results["n_resources"])
    ])


@pytest.mark.parametrize("sampler", ["random", "adaptive"])
def test_warm_start_continues_each_configuration_from_its_previous_level(sampler):
    cold = epoch_search(sampler=sampler).fit(X, y)
    estimator = EpochClassifier(max_iter=9)
    warm = epoch_search(estimator, warm_start=True, sampler=sampler).fit(X, y)
    results = warm.cv_results_
    assert results["params"] == cold.cv_results_["params"]
    # Every model has seen its level's epochs; a promoted one only ran the
    # difference, the first rung of a bracket all of them.
    np.testing.assert_array_equal(results["mean_test_seen"], results["n_resources"])
    np.testing.assert_array_equal(
        results["mean_test_run"], results["n_resources"] - previous_levels(warm)
    )
    promoted = sum(row["n_candidates"] for row in warm.plan_ if row["rung"] > 0)
    assert (results["rung"] > 0).sum() == promoted == {"random": 5, "adaptive": 6}[sampler]
    np.testing.assert_array_equal(
        cold.cv_results_["mean_test_run"], cold.cv_results_["n_resources"]
    )
    # The refit has the full resource, and goes through the levels of the
    # chosen row, as it was scored; the search's estimator is the user's.
    best = warm.best_estimator_
    assert isinstance(best, EpochClassifier) and best.epochs_ == 9
    assert best.epochs_run_ == results["mean_test_run"][warm.best_index_]
    assert cold.best_estimator_.epochs_run_ == 9
    assert warm.estimator is estimator and not estimator.warm_start
    assert not hasattr(estimator, "epochs_")


@pytest.mark.parametrize("refit", ["seen", False])
def test_warm_start_leaves_no_file_behind(tmp_path, monkeypatch, refit):
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    scoring = EPOCH_SCORING if refit else "accuracy"
    search = epoch_search(warm_start=True, refit=refit, scoring=scoring).fit(X, y)
    assert hasattr(search, "best_estimator_") == bool(refit)
    assert list(tmp_path.iterdir()) == []


def test_an_interrupted_warm_start_restores_the_estimator(tmp_path, monkeypatch):
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    monkeypatch.setenv("SKLEARN_TUNE_TEST_INTERRUPT", "1")
    estimator = EpochClassifier(max_iter=9, interrupt_at=9)
    search = epoch_search(estimator, warm_start=True)
    with pytest.raises(KeyboardInterrupt):
        search.fit(X, y)
    assert search.estimator is estimator
    assert list(tmp_path.iterdir()) == []


def test_warm_start_of_a_pipeline_step():
    pipe = make_pipeline(StandardScaler(), EpochClassifier(max_iter=9))
    search = epoch_search(pipe, "epochclassifier__max_iter", warm_start=True)
    results = search.fit(X, y).cv_results_
    np.testing.assert_array_equal(results["mean_test_seen"], results["n_resources"])
    assert (results["mean_test_run"] < results["n_resources"]).any()
    best = search.best_estimator_[-1]
    assert best.epochs_ == 9
    assert best.epochs_run_ == results["mean_test_run"][search.best_index_]


def test_warm_started_boosting_scores_as_boosting_from_scratch_with_two_jobs():
    # Boosting grows to the level, so continuing gives the same model.
    def search(**kwargs):
        return HyperbandSearchCV(
            HistGradientBoostingClassifier(max_iter=9, random_state=0),
            {"learning_rate": loguniform(0.01, 1)},
            resource="max_iter", n_iter=13, cv=3, random_state=0, **kwargs,
        ).fit(X, y)

    cold, warm = search(), search(warm_start=True, n_jobs=2)
    assert warm.cv_results_["params"] == cold.cv_results_["params"]
    np.testing.assert_allclose(
        warm.cv_results_["mean_test_score"], cold.cv_results_["mean_test_score"]
    )
    assert warm.best_params_ == cold.best_params_
    assert isinstance(warm.best_estimator_, HistGradientBoostingClassifier)


def test_warm_start_resumes_from_a_checkpoint(tmp_path, monkeypatch):
    ckpt = tmp_path / "search.ckpt"
    cache = tmp_path / "search.ckpt.warm_start"
    estimator = EpochClassifier(max_iter=9, interrupt_at=9)
    with monkeypatch.context() as m:
        m.setenv("SKLEARN_TUNE_TEST_INTERRUPT", "1")
        with pytest.raises(KeyboardInterrupt):
            epoch_search(estimator, warm_start=True, checkpoint=str(ckpt)).fit(X, y)
    assert ckpt.exists() and any(cache.iterdir())
    # Pickles of fitted models: readable by their owner only.
    assert stat.S_IMODE(os.stat(cache).st_mode) & 0o077 == 0
    search = epoch_search(estimator, warm_start=True, checkpoint=str(ckpt)).fit(X, y)
    results = search.cv_results_
    # The fits at 9 ran after the interruption, from those saved at 3.
    promoted = (results["n_resources"] == 9) & (results["rung"] > 0)
    assert promoted.any()
    np.testing.assert_array_equal(results["mean_test_run"][promoted], 6)
    assert not ckpt.exists() and not cache.exists()


@pytest.mark.parametrize(
    "estimator, resource, expected",
    [
        (RandomForestClassifier(n_estimators=9), "n_estimators", True),
        (ExtraTreesClassifier(n_estimators=9), "n_estimators", True),
        (GradientBoostingClassifier(n_estimators=9), "n_estimators", True),
        (BaggingClassifier(n_estimators=9), "n_estimators", True),
        (HistGradientBoostingClassifier(max_iter=9), "max_iter", True),
        (
            make_pipeline(StandardScaler(), RandomForestClassifier(n_estimators=9)),
            "randomforestclassifier__n_estimators",
            True,
        ),
        # Continued epochs restart the optimiser: another model.
        (MLPClassifier(max_iter=9), "max_iter", False),
        (sgd(), "max_iter", False),
        (EpochClassifier(max_iter=9), "max_iter", False),
        # Not an ensemble's size: a warm start would keep the old trees.
        (RandomForestClassifier(n_estimators=3, max_depth=9), "max_depth", False),
        (RandomForestClassifier(n_estimators=3), "n_samples", False),
    ],
)
def test_warm_start_auto_is_on_for_ensembles_grown_by_their_size(
    estimator, resource, expected
):
    step = resource.rpartition("__")[0]
    space = {f"{step}__random_state" if step else "random_state": [0, 1, 2, 3]}
    if isinstance(estimator, EpochClassifier):
        space = {"alpha": [0.1, 0.2, 0.3, 0.4]}
    search = HyperbandSearchCV(
        estimator, space, resource=resource, n_iter=6, cv=2, random_state=0,
        max_resources=9 if resource == "max_depth" else "auto",
    )  # fmt: skip
    assert search.warm_start == "auto"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # MLP and SGD stopped early
        search.fit(X, y)
    assert search.warm_start_ is expected
    assert search.estimator is estimator


def forest_search(**kwargs):
    kwargs.setdefault("n_iter", 40)
    return HyperbandSearchCV(
        RandomForestClassifier(n_estimators=9, random_state=0),
        {"max_features": uniform(0.2, 0.8), "min_samples_leaf": randint(1, 9)},
        resource="n_estimators", cv=3, random_state=0, **kwargs,
    )  # fmt: skip


@pytest.mark.parametrize(
    "estimator",
    [
        RandomForestClassifier(n_estimators=9, random_state=0),
        GradientBoostingClassifier(n_estimators=9, random_state=0),
        BaggingClassifier(n_estimators=9, random_state=0),
        # Fits that stop early are not continued: a continued one would go
        # on training where a fit from scratch stops.
        GradientBoostingClassifier(
            n_estimators=9, n_iter_no_change=1, learning_rate=1.0, random_state=0
        ),
        HistGradientBoostingClassifier(
            max_iter=9, early_stopping=True, n_iter_no_change=1, learning_rate=1.0,
            random_state=0,
        ),  # fmt: skip
    ],
)
def test_warm_started_ensembles_score_as_fits_from_scratch(estimator):
    def search(**kwargs):
        resource = "max_iter" if "max_iter" in estimator.get_params() else "n_estimators"
        return HyperbandSearchCV(
            estimator, {"max_features": uniform(0.2, 0.8)},
            resource=resource, n_iter=22, cv=3, random_state=0, **kwargs,
        ).fit(X, y)  # fmt: skip

    cold = search(warm_start=False)
    assert not cold.warm_start_
    for warm in (search(), search(n_jobs=2)):
        assert warm.warm_start_
        assert warm.cv_results_["params"] == cold.cv_results_["params"]
        np.testing.assert_allclose(
            warm.cv_results_["mean_test_score"], cold.cv_results_["mean_test_score"]
        )
        assert warm.best_params_ == cold.best_params_
        assert type(warm.best_estimator_) is type(estimator)
        np.testing.assert_array_equal(
            warm.best_estimator_.predict_proba(X), cold.best_estimator_.predict_proba(X)
        )


def test_warm_start_keeps_one_fit_per_running_configuration_and_fold(monkeypatch):
    keep_only = WarmStartCache.keep_only
    stores = []

    def record(self, candidates):
        candidates = list(candidates)
        keep_only(self, candidates)
        stores.append((len(candidates), os.listdir(self.tune_cache_dir)))

    monkeypatch.setattr(WarmStartCache, "keep_only", record)
    search = forest_search().fit(X, y)
    assert search.warm_start_
    n_below_top = (search.cv_results_["n_resources"] < 9).sum()
    # One file per configuration still running and fold (3), not one per
    # fit below the full resource so far.
    assert len(stores) == search.cv_results_["iter"].max() + 1
    for n_running, names in stores:
        assert len(names) <= 3 * n_running
    assert max(len(names) for _, names in stores) < 3 * n_below_top


def test_warm_start_fits_from_scratch_when_the_store_is_gone(monkeypatch):
    keep_only = WarmStartCache.keep_only
    calls = []

    # Removed from the second batch on: the fits of the first rung are gone.
    def remove_store(self, candidates):
        keep_only(self, candidates)
        if calls:
            shutil.rmtree(self.tune_cache_dir, ignore_errors=True)
        calls.append(self.tune_cache_dir)

    cold = epoch_search(warm_start=False).fit(X, y)
    monkeypatch.setattr(WarmStartCache, "keep_only", remove_store)
    search = epoch_search(warm_start=True).fit(X, y)
    results = search.cv_results_
    assert results["params"] == cold.cv_results_["params"]
    # Nothing to continue: every fit trained all its epochs.
    np.testing.assert_array_equal(results["mean_test_run"], results["n_resources"])
    assert search.best_estimator_.epochs_run_ == 9
    assert len(calls) > 2 and not os.path.exists(calls[0])


def test_a_store_out_of_reach_is_fitted_from_scratch(tmp_path):
    missing = str(tmp_path / "on-another-machine")
    wrapper = WarmStartCache(EpochClassifier(max_iter=3), missing, "max_iter", False, 9)
    wrapper.fit(X, y)
    assert wrapper.estimator_.epochs_run_ == 3
    wrapper.keep_only([{"alpha": 0.0}])
    wrapper.record_schedules([({"alpha": 0.0, "max_iter": 9}, [3, 9])])
    assert not os.path.exists(missing)


@pytest.mark.parametrize(
    "estimator, space, resource, match",
    [
        (sgd(), SGD_SPACE, "n_samples", "resource='n_samples' is not one"),
        (KNeighborsClassifier(), {"weights": ["uniform", "distance"]}, "n_neighbors",
         "has none"),
    ],
)
def test_warm_start_needs_a_resource_that_can_continue(
    estimator, space, resource, match
):
    search = HyperbandSearchCV(
        estimator, space, resource=resource, warm_start=True, max_resources=3, cv=3
    )
    with pytest.raises(ValueError, match=match):
        search.fit(X, y)
    assert search.estimator is estimator


# tests/test_common.py runs the checks over the default resource
# (n_samples) with LogisticRegression and Ridge; these instances have an
# estimator parameter as the resource, warm start, or sampler="bayes".
@parametrize_with_checks(
    [
        HyperbandSearchCV(
            KNeighborsClassifier(),
            {"weights": ["uniform", "distance"]},
            resource="n_neighbors",
            max_resources=3,
            min_resources=1,
            n_iter=4,
            cv=2,
            random_state=0,
        ),
        HyperbandSearchCV(
            SGDClassifier(max_iter=3, tol=None, random_state=0),
            {"alpha": [1e-4, 1e-2]},
            resource="max_iter",
            n_iter=4,
            cv=2,
            random_state=0,
            warm_start=True,
        ),
        HyperbandSearchCV(
            LogisticRegression(),
            {"C": Real(1e-3, 1e3, log=True)},
            n_iter=6,
            cv=2,
            sampler="bayes",
            random_state=0,
        ),
    ]
)
def test_sklearn_compatible(estimator, check):
    check(estimator)
