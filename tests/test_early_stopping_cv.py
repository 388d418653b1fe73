"""Early-stopped cross-validation: which folds are scored, what cv_results_
shows, and that it composes with the rest of the search."""

import warnings
from collections import Counter

import numpy as np
import pytest
from _kill import kill_after_checkpoint
from _estimators import (
    FailingClassifier,
    FoldLoggedClassifier,
    LoggedClassifier,
    TrainSizeFailer,
    WeightRecorder,
    read_fold_log,
)
from _random_search import RandomTuneSearchCV
from sklearn import config_context
from sklearn.datasets import make_classification
from sklearn.metrics import accuracy_score, make_scorer
from sklearn.model_selection import GroupKFold, KFold
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC

from sklearn_tune import (
    BayesSearchCV,
    EvolutionarySearchCV,
    GradientSearchCV,
    HyperbandSearchCV,
    Real,
)
from sklearn_tune._early_stopping import scan_folds, stopping_bar

X, y = make_classification(n_samples=100, n_features=6, random_state=0)
SVC_SPACE = {"C": Real(1e-3, 1e3, log=True), "gamma": Real(1e-4, 1e1, log=True)}


def search(estimator, **kwargs):
    params = dict(n_iter=16, cv=5, batch_size=4, random_state=0,
                  early_stopping_cv="aggressive")  # fmt: skip
    params.update(kwargs)
    return RandomTuneSearchCV(estimator, {"param": Real(0, 1)}, **params)


def split_scores(results, name="test_score", n_splits=5):
    return np.column_stack([results[f"split{i}_{name}"] for i in range(n_splits)])


def test_rules_follow_the_paper():
    incumbent = [0.9, 0.8, 1.0]
    assert stopping_bar("aggressive", incumbent) == pytest.approx([0.9] * 3)
    assert stopping_bar("forgiving", incumbent) == pytest.approx([0.8] * 3)
    assert stopping_bar("forgiving", None) is None
    bar = [0.9] * 3
    # At the bar stops (the paper stops on worse or equal); NaN stops.
    assert scan_folds([], [0.9, 1.0], bar) == (1, True)
    assert scan_folds([0.95], [0.8, 1.0], bar) == (1, True)
    assert scan_folds([0.95], [0.9, 1.0], bar) == (2, False)
    assert scan_folds([], [0.99, np.nan, 1.0], None) == (2, True)


def test_a_confidence_level_stops_on_an_upper_bound_of_the_mean():
    incumbent = [0.9, 0.8, 1.0]  # mean 0.9, standard deviation 0.1
    assert stopping_bar(0.5, incumbent) == pytest.approx([0.9] * 3)
    bar = stopping_bar(0.975, incumbent)
    z = 1.959964
    assert bar == pytest.approx([0.9 - z * 0.1 / np.sqrt(k) for k in (1, 2, 3)])
    # 0.75 after one fold: its bound 0.75 + 0.196 is above the incumbent's
    # mean, so it goes on; a second fold of 0.75 brings the bound under it.
    assert scan_folds([], [0.75], bar) == (1, False)
    assert scan_folds([0.75], [0.75, 0.9], bar) == (1, True)
    # Higher levels stop later than the aggressive rule, never sooner.
    assert (stopping_bar(0.9, incumbent) < stopping_bar("aggressive", incumbent)).all()


@pytest.mark.parametrize("rule", ["aggressive", "forgiving", 0.8])
def test_stopped_rows_keep_sklearns_shape(rule):
    s = RandomTuneSearchCV(SVC(), SVC_SPACE, n_iter=16, cv=5, batch_size=4,
                           random_state=0, early_stopping_cv=rule).fit(X, y)  # fmt: skip
    r = s.cv_results_
    n = r["n_splits_evaluated"]
    assert len(r["params"]) == 16 and n.shape == (16,)
    assert (n[:4] == 5).all(), "the first batch has no incumbent to lose to"
    assert (n < 5).any(), "choose another seed: nothing was stopped"
    scores = split_scores(r)
    evaluated = ~np.isnan(scores)
    # The scored splits come first, the skipped ones are NaN.
    assert (evaluated.sum(axis=1) == n).all()
    assert all(evaluated[i, : n[i]].all() for i in range(16))
    assert np.allclose(r["mean_test_score"], np.nanmean(scores, axis=1))
    assert np.allclose(r["std_test_score"], np.nanstd(scores, axis=1))
    # Every stopped candidate ranks after every complete one.
    complete = n == 5
    assert r["rank_test_score"][complete].max() < r["rank_test_score"][~complete].min()
    assert n[s.best_index_] == 5
    assert s.best_score_ == r["mean_test_score"][complete].max()
    # The optimizer was told the partial means, all at or below the bar of
    # the incumbent when they were scored, so never above the best.
    told = np.asarray(s.optimizer_.scores_)
    assert np.allclose(told, r["mean_test_score"])
    assert told[~complete].max() <= told[complete].max()


def test_no_fold_is_fitted_twice_and_the_log_matches_cv_results(tmp_path):
    log = tmp_path / "fits.log"
    s = search(FoldLoggedClassifier(log=str(log))).fit(X, y)
    fits = read_fold_log(log)[:-1]  # the refit aside
    assert max(Counter(fits).values()) == 1
    per_candidate = Counter(p for p, _ in fits)
    n = s.cv_results_["n_splits_evaluated"]
    assert [per_candidate[p["param"]] for p in s.cv_results_["params"]] == list(n)
    assert sum(n) < 16 * 5


def test_same_results_with_one_and_two_jobs(tmp_path):
    # With two jobs a lone candidate is scored two folds at a time; folds
    # past its stopping point are dropped, so nothing else differs.
    a = search(LoggedClassifier(), batch_size=1).fit(X, y)
    b = search(LoggedClassifier(), batch_size=1, n_jobs=2).fit(X, y)
    assert a.cv_results_["params"] == b.cv_results_["params"]
    for key in ("n_splits_evaluated", "mean_test_score", "rank_test_score"):
        assert np.array_equal(a.cv_results_[key], b.cv_results_[key], equal_nan=True)
    assert (a.cv_results_["n_splits_evaluated"] < 5).any()
    # Never more than the folds asked for, never a fold twice.
    log = tmp_path / "fits.log"
    search(FoldLoggedClassifier(log=str(log)), batch_size=1, n_jobs=2).fit(X, y)
    fits = read_fold_log(log)[:-1]
    assert max(Counter(fits).values()) == 1


def test_off_adds_no_column_and_changes_nothing():
    a = search(LoggedClassifier(), early_stopping_cv=None).fit(X, y)
    assert "n_splits_evaluated" not in a.cv_results_
    assert np.isfinite(split_scores(a.cv_results_)).all()


def test_multimetric_stops_on_the_refit_metric():
    scoring = {"acc": "accuracy", "bal": "balanced_accuracy"}
    s = RandomTuneSearchCV(SVC(), SVC_SPACE, n_iter=16, cv=5, batch_size=4,
                           scoring=scoring, refit="bal", random_state=0,
                           return_train_score=True,
                           early_stopping_cv="aggressive").fit(X, y)  # fmt: skip
    r = s.cv_results_
    n = r["n_splits_evaluated"]
    assert (n < 5).any()
    complete = n == 5
    for name in [f"{part}_{metric}" for part in ("test", "train") for metric in scoring]:
        scores = split_scores(r, name)
        assert (np.isnan(scores).sum(axis=1) == 5 - n).all()
        assert np.allclose(r[f"mean_{name}"], np.nanmean(scores, axis=1))
    # The stopped ones fell to the incumbent's balanced accuracy.
    best_bal = r["mean_test_bal"][:4].max()
    assert (r["mean_test_bal"][4:][~complete[4:]] <= best_bal).all()
    assert complete[s.best_index_]
    assert r["rank_test_bal"][s.best_index_] == 1


def test_a_single_objective_search_with_a_callable_refit_stops_on_the_first_scorer():
    # GradientSearchCV optimises the first scorer when refit names none.
    scoring = {"acc": "accuracy", "bal": "balanced_accuracy"}
    s = GradientSearchCV(
        SVC(), {"C": Real(1e-2, 1e2, log=True)}, scoring=scoring,
        refit=lambda r: int(np.nanargmax(r["mean_test_acc"])), n_iter=8, cv=5,
        random_state=0, early_stopping_cv="aggressive",
    ).fit(X, y)
    n = s.cv_results_["n_splits_evaluated"]
    assert n[s.best_index_] == 5 and (n <= 5).all()


def test_failed_fold_stops_the_candidate():
    s = search(FailingClassifier(), error_score=np.nan)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        s.fit(X, y)
    r = s.cv_results_
    failing = np.array([p["param"] > 0.5 for p in r["params"]])
    assert failing.any() and (~failing).any()
    # A fit that fails scores NaN: its mean would be NaN whatever came next.
    assert (r["n_splits_evaluated"][failing] == 1).all()
    assert np.isnan(r["mean_test_score"][failing]).all()
    assert not failing[s.best_index_]


@pytest.mark.filterwarnings("ignore:One or more of the test scores are non-finite")
def test_a_later_group_whose_every_fit_fails_gets_error_score():
    # 62 samples in 5 folds: training sizes 49, 49, 50, 50, 50; fits on 50
    # samples fail, so the third group (split 2) fails for everyone.
    X62, y62 = X[:62], y[:62]
    s = search(TrainSizeFailer(fail_size=50), n_iter=4, cv=KFold(5))
    with pytest.warns(UserWarning, match=r"splits \[2\] failed"):
        s.fit(X62, y62)
    r = s.cv_results_
    assert (r["n_splits_evaluated"] == 3).all()
    assert np.isnan(r["split2_test_score"]).all()
    assert np.isnan(r["mean_test_score"]).all()


def test_error_score_number_is_a_score():
    s = search(FailingClassifier(), error_score=-1.0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        s.fit(X, y)
    r = s.cv_results_
    failing = np.array([p["param"] > 0.5 for p in r["params"]])
    assert (split_scores(r)[failing][:, 0] == -1.0).all()
    assert np.isfinite(r["mean_test_score"]).all()


def test_pipeline_and_callable_refit_picks_a_complete_row():
    def most_regularised_good(results):
        ok = np.flatnonzero(results["mean_test_score"] >= 0.5)
        return int(ok[np.argmin(np.asarray(results["param_svc__C"])[ok])])

    pipe = make_pipeline(StandardScaler(), SVC())
    space = {f"svc__{k}": v for k, v in SVC_SPACE.items()}
    s = RandomTuneSearchCV(pipe, space, n_iter=16, cv=5, batch_size=4,
                           refit=most_regularised_good, random_state=0,
                           early_stopping_cv="aggressive").fit(X, y)  # fmt: skip
    r = s.cv_results_
    assert (r["n_splits_evaluated"] < 5).any()
    assert r["n_splits_evaluated"][s.best_index_] == 5
    assert s.best_estimator_.score(X, y) > 0.5


def test_routing_with_early_stopping():
    weights = np.linspace(0.5, 2.0, len(y))
    groups = np.arange(len(y)) % 5
    with config_context(enable_metadata_routing=True):
        WeightRecorder.totals = []
        scorer = make_scorer(accuracy_score).set_score_request(sample_weight=True)
        s = RandomTuneSearchCV(
            WeightRecorder().set_fit_request(sample_weight=True),
            {"param": Real(0, 1)}, n_iter=8, batch_size=4, scoring=scorer,
            cv=GroupKFold(5), error_score="raise", random_state=0,
            early_stopping_cv="aggressive",
        ).fit(X, y, sample_weight=weights, groups=groups)  # fmt: skip
    n = s.cv_results_["n_splits_evaluated"]
    # Each fit saw the weights of its training part: a fold's total.
    fold_totals = {weights[groups != g].sum() for g in range(5)}
    fits = WeightRecorder.totals[:-1]
    assert len(fits) == n.sum()
    assert all(any(np.isclose(t, f) for f in fold_totals) for t in fits)
    assert WeightRecorder.totals[-1] == pytest.approx(weights.sum())


@pytest.mark.parametrize("cls, kwargs", [
    (BayesSearchCV, {}),
    (EvolutionarySearchCV, {"population_size": 6}),
    (GradientSearchCV, {}),
])  # fmt: skip
def test_every_search_takes_it(cls, kwargs):
    s = cls(SVC(), SVC_SPACE, n_iter=14, cv=5, random_state=0,
            early_stopping_cv="forgiving", **kwargs).fit(X, y)  # fmt: skip
    n = s.cv_results_["n_splits_evaluated"]
    assert len(n) == len(s.cv_results_["params"])
    assert n[s.best_index_] == 5


def test_hyperband_refuses_it():
    hb = HyperbandSearchCV(SVC(), SVC_SPACE, early_stopping_cv="aggressive")
    with pytest.raises(ValueError, match="not available in HyperbandSearchCV"):
        hb.fit(X, y)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"scoring": {"acc": "accuracy", "bal": "balanced_accuracy"},
         "objectives": ["acc", "fit_time"], "refit": "acc"},
        {"scoring": {"acc": "accuracy", "bal": "balanced_accuracy"}, "refit": False},
    ],
)
def test_a_pareto_front_refuses_it(kwargs):
    # A worse score on one objective may still be on the front.
    with pytest.raises(ValueError, match="cannot search for a Pareto front"):
        search(LoggedClassifier(), early_stopping_cv="forgiving", **kwargs).fit(X, y)


@pytest.mark.parametrize("value", ["sometimes", 0.3, 1.0, 1])
def test_bad_value_names_the_parameter(value):
    with pytest.raises(ValueError, match="early_stopping_cv"):
        search(LoggedClassifier(), early_stopping_cv=value).fit(X, y)


def test_checkpoint_with_another_rule_is_refused(tmp_path, monkeypatch):
    ckpt = tmp_path / "search.ckpt"
    with monkeypatch.context() as m:
        m.setenv("SKLEARN_TUNE_TEST_INTERRUPT", "1")
        with pytest.raises(KeyboardInterrupt):
            search(LoggedClassifier(interrupt_above=0.9), checkpoint=ckpt).fit(X, y)
    assert ckpt.exists()
    with pytest.raises(ValueError, match="another early_stopping_cv"):
        search(LoggedClassifier(interrupt_above=0.9), checkpoint=ckpt,
               early_stopping_cv="forgiving").fit(X, y)  # fmt: skip


def test_sigkill_mid_group_then_resume(tmp_path):
    ckpt, log = tmp_path / "search.ckpt", tmp_path / "fits.log"
    # Into the next batch's groups: its first fold is being scored.
    saved = kill_after_checkpoint(
        "test_early_stopping_cv",
        f"FoldLoggedClassifier(log={str(log)!r}, delay=0.03)", ckpt, 8, delay=0.05,
    )
    n_saved = saved["loop"].n_evaluated
    assert n_saved < 16
    done = {p["param"] for p in saved["rows"][0]}
    logged = read_fold_log(log)
    fits_before = len(logged)
    assert {p for p, _ in logged} - done, "killed between batches, not in one"

    resumed = search(FoldLoggedClassifier(log=str(log), delay=0.03),
                     checkpoint=str(ckpt)).fit(X, y)
    refitted = read_fold_log(log)[fits_before:-1]
    # No candidate of the checkpoint is scored again, on any fold.
    assert not {p for p, _ in refitted} & done
    assert max(Counter(refitted).values()) == 1
    reference = search(LoggedClassifier()).fit(X, y)
    r, ref = resumed.cv_results_, reference.cv_results_
    assert r["params"] == ref["params"]
    assert np.array_equal(r["n_splits_evaluated"], ref["n_splits_evaluated"])
    assert np.allclose(r["mean_test_score"], ref["mean_test_score"])
    assert np.array_equal(r["rank_test_score"], ref["rank_test_score"])
    assert resumed.best_params_ == reference.best_params_
