"""Population-based training: the ask/tell core and
EvolutionarySearchCV(strategy="pbt")."""

import pickle
import tempfile

import numpy as np
import pytest
from _estimators import EpochClassifier, ScheduleClassifier, read_schedule_log
from scipy.stats import loguniform, uniform
from sklearn.datasets import make_classification
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.linear_model import SGDClassifier
from sklearn.model_selection import StratifiedKFold
from sklearn.neighbors import KNeighborsClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sklearn_tune import (
    Categorical,
    EvolutionarySearchCV,
    Integer,
    Layers,
    Real,
    SearchSpace,
)
from sklearn_tune._warm_start import LineageWarmStart
from sklearn_tune.optimizers._evolution import PBTOptimizer

X, y = make_classification(60, 4, random_state=0)


def run(optimizer, objective):
    while not optimizer.finished:
        batch = optimizer.ask(optimizer.next_batch_size())
        optimizer.tell(batch, [objective(c) for c in batch])
    return optimizer


# ------------------------------------------------------------------ optimizer --


@pytest.mark.parametrize("seed", range(5))
def test_the_bottom_copies_the_top_and_perturbs_by_a_factor(seed):
    space = {"x": Real(0.1, 100.0, log=True), "kind": Categorical(["a", "b", "c"])}
    opt = PBTOptimizer(
        space, population_size=10, n_steps=4, resample_probability=0.0,
        random_state=seed,
    )  # fmt: skip
    run(opt, lambda c: -abs(np.log(c["x"])))
    steps, members = np.array(opt.steps_), np.array(opt.members_)
    parents = np.array(opt.parent_members_)
    scores = np.array(opt.scores_)
    for step in range(1, 4):
        before = scores[steps == step - 1]
        order = np.argsort(-before, kind="stable")
        top, bottom = set(order[:2]), set(order[-2:])
        now = np.flatnonzero(steps == step)
        for row in now:
            member, parent = members[row], parents[row]
            old = opt.candidates_[opt.row(step - 1, parent)]
            new = opt.candidates_[row]
            if member in bottom:
                assert parent in top
                # Moved by 0.8 or 1.2 (clipped into the range), kind kept.
                assert new["kind"] == old["kind"]
                ratio = new["x"] / old["x"]
                assert np.isclose(ratio, 0.8) or np.isclose(ratio, 1.2) or (
                    new["x"] in (0.1, 100.0)
                )
            else:
                assert parent == member and new == old


def test_integers_move_a_step_and_ordered_choices_to_a_neighbour():
    space = {"n": Integer(1, 20), "grid": [1, 10, 100, 1000]}
    opt = PBTOptimizer(space, population_size=4, n_steps=6, resample_probability=0.0,
                       fraction=0.5, random_state=0)  # fmt: skip
    run(opt, lambda c: c["n"] + np.log10(c["grid"]))
    grid = [1, 10, 100, 1000]
    for row in range(4, len(opt.candidates_)):
        new = opt.candidates_[row]
        old = opt.candidates_[opt.row(opt.steps_[row] - 1, opt.parent_members_[row])]
        if opt.parent_members_[row] == opt.members_[row]:
            continue
        assert new["n"] != old["n"] or old["n"] in (1, 20)
        assert abs(grid.index(new["grid"]) - grid.index(old["grid"])) <= 1


def test_resampling_draws_anew():
    space = {"kind": Categorical(list("abcdefgh"))}
    opt = PBTOptimizer(space, population_size=10, n_steps=5, resample_probability=1.0,
                       random_state=0)  # fmt: skip
    run(opt, lambda c: float(c["kind"] == "a"))
    copies = [
        r for r in range(10, 50) if opt.parent_members_[r] != opt.members_[r]
    ]
    assert any(
        opt.candidates_[r]["kind"]
        != opt.candidates_[opt.row(opt.steps_[r] - 1, opt.parent_members_[r])]["kind"]
        for r in copies
    )


def test_the_best_score_of_a_step_never_falls_and_rises_on_a_quadratic():
    opt = PBTOptimizer({"x": Real(-4.0, 4.0)}, population_size=8, n_steps=15,
                       random_state=0)  # fmt: skip
    run(opt, lambda c: -((c["x"] - 1.0) ** 2))
    best = [max(s for s, k in zip(opt.scores_, opt.steps_) if k == step)
            for step in range(15)]  # fmt: skip
    # The top members keep their hyperparameters, so a stationary objective
    # keeps its best; the copies climb.
    assert all(b >= a for a, b in zip(best, best[1:]))
    assert best[-1] > best[0] and best[-1] > -0.01


def test_the_same_seed_asks_the_same_and_the_state_pickles():
    space = {"x": Real(0.0, 1.0), "n": Integer(1, 5)}

    def objective(c):
        return -abs(c["x"] - 0.3) - c["n"]

    a = run(PBTOptimizer(space, population_size=4, n_steps=5, random_state=3), objective)
    b = PBTOptimizer(space, population_size=4, n_steps=5, random_state=3)
    b.tell(b.ask(), [objective(c) for c in b.ask()])
    b = run(pickle.loads(pickle.dumps(b)), objective)
    assert a.candidates_ == b.candidates_ and a.parent_members_ == b.parent_members_
    assert a.ask() == [] and a.finished


def test_the_optimizer_asks_whole_steps_and_checks_its_parameters():
    opt = PBTOptimizer({"x": Real(0.0, 1.0)}, population_size=4)
    with pytest.raises(ValueError, match="whole steps"):
        opt.ask(3)
    for kwargs, match in [
        ({"population_size": 1}, "population_size"),
        ({"n_steps": 0}, "n_steps"),
        ({"fraction": 0.7}, "fraction"),
        ({"resample_probability": 2}, "resample_probability"),
    ]:
        with pytest.raises(ValueError, match=match):
            PBTOptimizer({"x": Real(0.0, 1.0)}, **kwargs)


# --------------------------------------------------------------------- search --


def pbt_search(estimator=None, resource="max_iter", **kwargs):
    kwargs.setdefault("n_iter", 20)
    kwargs.setdefault("population_size", 5)
    return EvolutionarySearchCV(
        ScheduleClassifier(max_iter=8) if estimator is None else estimator,
        {"alpha": uniform(0, 1)},
        strategy="pbt", resource=resource, cv=3, random_state=0, **kwargs,
    )  # fmt: skip


def expected_histories(search):
    """The (alpha, epochs) of every step that trained each row's model, from
    the lineage in cv_results_."""
    results = search.cv_results_
    levels = [0, *search.resource_levels_]
    row = {(s, m): i for i, (s, m) in enumerate(zip(results["step"], results["member"]))}
    histories = []
    for i, (step, parent) in enumerate(zip(results["step"], results["parent"])):
        own = (results["param_alpha"][i], levels[step + 1] - levels[step])
        before = histories[row[step - 1, parent]] if step else []
        histories.append([*before, own])
    return histories


def test_every_step_continues_its_own_or_its_parents_fit_on_every_fold(tmp_path):
    log = tmp_path / "fits.log"
    search = pbt_search(ScheduleClassifier(max_iter=8, log=str(log))).fit(X, y)
    results = search.cv_results_
    assert search.resource_levels_ == [2, 4, 6, 8]
    np.testing.assert_array_equal(results["step"], np.repeat(range(4), 5))
    np.testing.assert_array_equal(results["member"], np.tile(range(5), 4))
    copied = (results["parent"] != results["member"]) & (results["step"] > 0)
    assert copied.any()
    # Each fold's training set, as the log names it.
    folds = [_whole(X[train]) for train, _ in StratifiedKFold(3).split(X, y)]
    fits = read_schedule_log(log)
    assert {fold for fold, _ in fits} == {*folds, _whole(X)}
    # One fit per row and fold, and the refit's 4 steps; each fit's history
    # is its lineage's: a copy went on from its parent's trained model.
    assert len(fits) == len(results["params"]) * 3 + 4
    for history in expected_histories(search):
        for fold in folds:
            assert (fold, history) in fits
    # Only the first step (and the refit's) starts from scratch.
    assert sum(len(history) == 1 for _, history in fits) == 5 * 3 + 1


def _whole(data):
    return f"{np.sum(np.asarray(data)[:, 0]):.9f}"


def test_the_refit_replays_the_best_schedule(tmp_path):
    search = pbt_search().fit(X, y)
    results = search.cv_results_
    best = search.best_index_
    # The best is chosen among the members at the last step.
    assert results["step"][best] == 3 and results["rank_test_score"][best] == 1
    last = results["step"] == 3
    assert results["mean_test_score"][best] == results["mean_test_score"][last].max()
    schedule = search.best_schedule_
    assert [s["max_iter"] for s in schedule] == [2, 4, 6, 8]
    assert schedule[-1] == search.best_params_
    history = expected_histories(search)[best]
    assert [alpha for alpha, _ in history] == [s["alpha"] for s in schedule]
    estimator = search.best_estimator_
    assert isinstance(estimator, ScheduleClassifier)
    assert estimator.history_ == history and estimator.epochs_ == 8
    assert not hasattr(search.estimator, "history_")


def test_a_pipeline_step_owns_the_resource():
    pipe = make_pipeline(StandardScaler(), ScheduleClassifier(max_iter=6))
    search = EvolutionarySearchCV(
        pipe, {"scheduleclassifier__alpha": uniform(0, 1)}, strategy="pbt",
        resource="scheduleclassifier__max_iter", n_iter=9, population_size=3,
        cv=3, random_state=0,
    ).fit(X, y)  # fmt: skip
    assert search.resource_levels_ == [2, 4, 6]
    assert [a for a, _ in search.best_estimator_[-1].history_] == [
        s["scheduleclassifier__alpha"] for s in search.best_schedule_
    ]


def test_boosting_grows_to_each_step_from_the_models_of_the_step_before():
    search = EvolutionarySearchCV(
        HistGradientBoostingClassifier(max_iter=12, early_stopping=False, random_state=0),
        {"learning_rate": loguniform(0.01, 1.0), "l2_regularization": uniform(0, 1)},
        strategy="pbt", resource="max_iter", n_iter=12, population_size=4, cv=3,
        random_state=0,
    ).fit(X, y)  # fmt: skip
    assert search.resource_levels_ == [4, 8, 12]
    assert search.best_estimator_.n_iter_ == 12
    assert search.best_schedule_[-1] == search.best_params_


def test_pbt_is_deterministic_with_one_and_two_jobs():
    def fit(n_jobs):
        return EvolutionarySearchCV(
            SGDClassifier(max_iter=6, tol=None, random_state=0),
            {"alpha": uniform(1e-5, 1e-1), "eta0": uniform(1e-3, 1)},
            strategy="pbt", resource="max_iter", n_iter=12, population_size=4,
            cv=3, random_state=0, n_jobs=n_jobs,
        ).fit(X, y)  # fmt: skip

    one, two = fit(1), fit(2)
    assert one.cv_results_["params"] == two.cv_results_["params"]
    np.testing.assert_array_equal(one.cv_results_["parent"], two.cv_results_["parent"])
    np.testing.assert_allclose(
        one.cv_results_["mean_test_score"], two.cv_results_["mean_test_score"]
    )
    assert one.best_schedule_ == two.best_schedule_
    np.testing.assert_allclose(one.best_estimator_.coef_, two.best_estimator_.coef_)


@pytest.mark.parametrize("refit", [True, False])
def test_pbt_leaves_no_file_behind(tmp_path, monkeypatch, refit):
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    search = pbt_search(refit=refit).fit(X, y)
    assert hasattr(search, "best_estimator_") == refit
    assert search.best_schedule_[-1] == search.best_params_
    assert list(tmp_path.iterdir()) == []


def test_a_callable_refit_chooses_among_the_last_step():
    seen = []

    def refit(results):
        seen.append(len(results["params"]))
        return int(np.argmin(results["mean_test_score"]))

    search = pbt_search(refit=refit).fit(X, y)
    assert seen == [5] and search.cv_results_["step"][search.best_index_] == 3


@pytest.mark.parametrize(
    "estimator, space, kwargs, match",
    [
        (EpochClassifier(max_iter=4), {"alpha": [0.1, 0.9]}, {"resource": None},
         "set resource"),
        (EpochClassifier(max_iter=4), {"alpha": [0.1, 0.9]}, {"resource": "max_iters"},
         "not a parameter of EpochClassifier. Did you mean 'max_iter'"),
        (KNeighborsClassifier(), {"weights": ["uniform", "distance"]},
         {"resource": "n_neighbors", "max_resources": 5}, "warm_start parameter"),
        (EpochClassifier(max_iter=4), {"alpha": [0.1, 0.9], "max_iter": [1, 2]},
         {}, "in param_distributions"),
        (EpochClassifier(max_iter=4), {"alpha": [0.1, 0.9]}, {"n_iter": 3},
         "less than population_size=4"),
        (EpochClassifier(max_iter=4), {"alpha": [0.1, 0.9]}, {"n_iter": 20},
         "5 steps .* max_resources=4 is fewer"),
        (EpochClassifier(max_iter=4), {"alpha": [0.1, 0.9]},
         {"early_stopping_cv": "aggressive"}, "early_stopping_cv='aggressive'"),
        (EpochClassifier(max_iter=4), {"alpha": [0.1, 0.9]}, {"mutation": "gaussian"},
         "mutation='auto' only"),
        (EpochClassifier(max_iter=4), {"alpha": [0.1, 0.9]},
         {"strategy": "ga"}, "resource='max_iter' .* needs strategy='pbt'"),
        (EpochClassifier(max_iter=4), {"alpha": [0.1, 0.9]},
         {"strategy": "ga", "resource": None, "max_resources": 4},
         "max_resources=4 .* needs strategy='pbt'"),
    ],
)  # fmt: skip
def test_clear_errors(estimator, space, kwargs, match):
    params = {"strategy": "pbt", "resource": "max_iter", "n_iter": 8,
              "population_size": 4, "cv": 3, **kwargs}  # fmt: skip
    search = EvolutionarySearchCV(estimator, space, **params)
    with pytest.raises(ValueError, match=match):
        search.fit(X, y)
    assert search.estimator is estimator


def test_max_resources_is_validated_before_any_fit():
    search = pbt_search(max_resources=0)
    with pytest.raises(ValueError, match="max_resources"):
        search.fit(X, y)


def test_an_interrupted_search_resumes_mid_step_from_the_saved_models(
    tmp_path, monkeypatch
):
    ckpt, log = tmp_path / "search.ckpt", tmp_path / "fits.log"
    cache = tmp_path / "search.ckpt.warm_start"
    # The first fit of step 2 (epochs 4 to 6) is interrupted, as by Ctrl-C.
    estimator = ScheduleClassifier(max_iter=8, interrupt_at=6, log=str(log))
    with monkeypatch.context() as m:
        m.setenv("SKLEARN_TUNE_TEST_INTERRUPT", "1")
        with pytest.raises(KeyboardInterrupt):
            pbt_search(estimator, checkpoint=str(ckpt)).fit(X, y)
    assert ckpt.exists() and any(cache.iterdir())
    n_before = len(read_schedule_log(log))
    assert n_before == 2 * 5 * 3
    resumed = pbt_search(estimator, checkpoint=str(ckpt)).fit(X, y)
    # Steps 2 and 3 went on from the models saved at step 1.
    after = read_schedule_log(log)[n_before:]
    assert len(after) == 2 * 5 * 3 + 4
    assert sorted({len(h) for _, h in after[:-4]}) == [3, 4]
    reference = pbt_search().fit(X, y)
    for key in ("params", "parent", "mean_test_score"):
        np.testing.assert_array_equal(
            np.asarray(resumed.cv_results_[key]), np.asarray(reference.cv_results_[key])
        )
    assert resumed.best_schedule_ == reference.best_schedule_
    assert not ckpt.exists() and not cache.exists()


def test_a_missing_parent_model_is_trained_from_scratch_to_the_level(tmp_path):
    # A parent whose fit failed on this fold left no model to continue.
    wrapper = LineageWarmStart(
        ScheduleClassifier(), str(tmp_path), "max_iter", False, 8,
        tune_parent="step0-member3", tune_parent_level=2, tune_save="step1-member0",
    )  # fmt: skip
    wrapper.set_params(alpha=0.3, max_iter=4).fit(X, y)
    assert wrapper.estimator_.history_ == [(0.3, 4)]
    # Its own model is saved for the next step, which continues it.
    follower = LineageWarmStart(
        ScheduleClassifier(), str(tmp_path), "max_iter", False, 8,
        tune_parent="step1-member0", tune_parent_level=4,
    )  # fmt: skip
    follower.set_params(alpha=0.6, max_iter=8).fit(X, y)
    assert follower.estimator_.history_ == [(0.3, 4), (0.6, 4)]


def test_plot_evolution_draws_members_over_steps_and_copies():
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    from sklearn_tune.plotting import plot_evolution

    search = pbt_search().fit(X, y)
    ax = plot_evolution(search)
    labels = [line.get_label() for line in ax.get_lines()]
    assert labels[-1] == "best of step" and {"member", "copy"} <= set(labels)
    # One line per row continuing a model, and the best of each step.
    assert len(labels) == 15 + 1
    best = ax.get_lines()[-1].get_ydata()
    assert best[-1] == search.best_score_


def test_a_stack_of_layers_is_kept_or_drawn_again_within_the_space():
    space = SearchSpace({"h": Layers((1, 3)), "x": Real(0.0, 1.0)})
    for probability in (0.0, 1.0):
        opt = PBTOptimizer(space, population_size=4, n_steps=4,
                           resample_probability=probability, random_state=0)  # fmt: skip
        run(opt, lambda c: c["x"])
        assert all(space.subspaces[0].contains(c) for c in opt.candidates_)
        copies = [r for r in range(4, 16) if opt.parent_members_[r] != opt.members_[r]]
        parents = [opt.row(opt.steps_[r] - 1, opt.parent_members_[r]) for r in copies]
        same = [opt.candidates_[r]["h"] == opt.candidates_[p]["h"]
                for r, p in zip(copies, parents)]  # fmt: skip
        assert all(same) if probability == 0 else not all(same)
