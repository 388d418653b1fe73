"""The shared search loop, through the test-only random search."""

from _estimators import FailingClassifier
import pickle
import re
import warnings

import numpy as np
import pytest
from _random_search import RandomTuneSearchCV
from scipy.stats import loguniform
from sklearn.datasets import make_classification
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, make_scorer, roc_auc_score
from sklearn.model_selection import KFold, StratifiedKFold, cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sklearn_tune import Integer, Real

X, y = make_classification(n_samples=120, n_features=6, random_state=0)
LOGISTIC_SPACE = {"C": loguniform(1e-3, 1e3)}


def search(**kwargs):
    kwargs.setdefault("n_iter", 6)
    kwargs.setdefault("cv", 3)
    kwargs.setdefault("random_state", 0)
    estimator = kwargs.pop("estimator", LogisticRegression())
    space = kwargs.pop("space", LOGISTIC_SPACE)
    return RandomTuneSearchCV(estimator, space, **kwargs)


def test_n_iter_counts_distinct_candidates_and_iter_is_the_batch():
    s = search(n_iter=10, batch_size=4).fit(X, y)
    params = s.cv_results_["params"]
    assert len(params) == 10
    assert len({p["C"] for p in params}) == 10
    assert list(s.cv_results_["iter"]) == [0] * 4 + [1] * 4 + [2] * 2
    assert s.best_params_ == params[s.best_index_]
    assert s.cv_results_["rank_test_score"][s.best_index_] == 1


def test_optimizer_is_told_the_cv_scores():
    s = search(n_iter=8).fit(X, y)
    assert np.allclose(s.optimizer_.scores_, s.cv_results_["mean_test_score"])


def test_finite_space_stops_when_exhausted_without_duplicates():
    space = {"C": [0.1, 1.0, 10.0], "fit_intercept": [True, False]}
    with pytest.warns(UserWarning, match="holds only 6 distinct candidates"):
        s = search(space=space, n_iter=20).fit(X, y)
    keys = {tuple(sorted(p.items())) for p in s.cv_results_["params"]}
    assert len(s.cv_results_["params"]) == len(keys) == 6


def test_folds_are_resolved_once():
    class CountingKFold(KFold):
        calls = 0

        def split(self, X, y=None, groups=None):
            CountingKFold.calls += 1
            return super().split(X, y, groups)

    # A shuffling splitter without a seed still scores every batch on the
    # same folds.
    cv = CountingKFold(3, shuffle=True)
    s = search(n_iter=9, batch_size=3, cv=cv, estimator=FailingClassifier(),
               space={"param": Real(0, 0.5)}).fit(X, y)
    assert CountingKFold.calls == 1
    split0 = s.cv_results_["split0_test_score"] - s.cv_results_["param_param"].astype(float)
    assert np.allclose(split0, split0[0])


def test_pipeline_in_search_and_search_in_pipeline():
    pipe = make_pipeline(StandardScaler(), LogisticRegression())
    s = search(estimator=pipe, space={"logisticregression__C": Real(1e-2, 1e2, log=True)})
    s.fit(X, y)
    assert set(s.best_params_) == {"logisticregression__C"}
    outer = make_pipeline(StandardScaler(), search()).fit(X, y)
    assert outer.score(X, y) > 0.8


def test_nested_cross_validation():
    scores = cross_val_score(search(n_iter=3), X, y, cv=3)
    assert scores.shape == (3,) and np.all(scores > 0.7)


def test_multimetric_refit_by_name_optimises_that_metric():
    s = search(scoring={"acc": "accuracy", "auc": "roc_auc"}, refit="auc").fit(X, y)
    assert np.allclose(s.optimizer_.scores_, s.cv_results_["mean_test_auc"])
    assert s.best_score_ == s.cv_results_["mean_test_auc"].max()


def test_callable_multimetric_scoring_with_refit_name():
    def scoring(est, X, y):
        return {"acc": accuracy_score(y, est.predict(X)),
                "auc": roc_auc_score(y, est.decision_function(X))}

    s = search(scoring=scoring, refit="acc").fit(X, y)
    assert np.allclose(s.optimizer_.scores_, s.cv_results_["mean_test_acc"])


def test_multimetric_needs_the_metric_to_optimise():
    s = search(scoring=["accuracy", "roc_auc"], refit=True)
    # sklearn's own check.
    with pytest.raises(ValueError, match="refit must be"):
        s.fit(X, y)


def test_multimetric_without_refit_name_searches_every_scorer():
    s = search(scoring=["accuracy", "roc_auc"], refit=False).fit(X, y)
    assert np.asarray(s.optimizer_.objective_scores_).shape == (len(s.cv_results_["params"]), 2)
    assert s.cv_results_["pareto_rank"].min() == 1


def test_multimetric_callable_without_refit_name_fails_clearly():
    def scoring(est, X, y):
        return {"a": 1.0, "b": 2.0}

    with pytest.raises(ValueError, match="refit must be the name of the metric"
                       ".*name them in objectives"):
        search(scoring=scoring, refit=False).fit(X, y)
    # What the message offers works.
    s = search(scoring=scoring, refit=False, objectives=["a", "b"]).fit(X, y)
    assert s.cv_results_["pareto_rank"].min() == 1


def test_single_metric_with_callable_refit():
    s = search(refit=lambda results: int(np.argmin(results["mean_test_score"])))
    s.fit(X, y)
    assert s.best_index_ == np.argmin(s.cv_results_["mean_test_score"])


def test_candidates_that_fail_do_not_end_the_search():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        s = search(estimator=FailingClassifier(), space={"param": Real(0, 1)},
                   n_iter=12, batch_size=1).fit(X, y)
    rows = s.cv_results_["params"]
    # Batches whose every fit failed are not in cv_results_; the others are.
    assert all(p["param"] <= 0.5 for p in rows)
    assert len(s.optimizer_.scores_) == 12
    n_failed = int(np.sum(np.isnan(s.optimizer_.scores_)))
    assert n_failed > 0 and len(rows) == 12 - n_failed
    assert s.best_params_["param"] <= 0.5


def test_failures_inside_a_batch_stay_as_error_score():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        s = search(estimator=FailingClassifier(), space={"param": Real(0, 1)},
                   n_iter=12, batch_size=6, error_score=-1.0).fit(X, y)
    scores = s.cv_results_["mean_test_score"]
    failed = np.array([p["param"] > 0.5 for p in s.cv_results_["params"]])
    assert failed.any() and np.all(scores[failed] == -1.0)


def test_nan_scores_are_kept_in_results_and_imputed_for_the_optimizer():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        s = search(estimator=FailingClassifier(nan_score=True),
                   space={"param": Real(0, 1)}, n_iter=12).fit(X, y)
    scores = s.cv_results_["mean_test_score"]
    assert np.isnan(scores).any() and not np.isnan(s.best_score_)
    imputed = s.optimizer_._imputed_scores()
    assert np.all(np.isfinite(imputed))


def test_every_candidate_failing_raises_one_clear_error():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(ValueError, match="All 6 candidates failed to fit"):
            search(estimator=FailingClassifier(), space={"param": Real(0.6, 1)},
                   batch_size=2).fit(X, y)


def test_error_score_raise_propagates_the_fit_error():
    with pytest.raises(ValueError, match="param too large"):
        search(estimator=FailingClassifier(), space={"param": Real(0.6, 1)},
               error_score="raise").fit(X, y)


def test_max_time_stops_after_the_first_batch():
    with pytest.warns(UserWarning, match="max_time=1e-09s reached after 2"):
        s = search(max_time=1e-9, batch_size=2).fit(X, y)
    assert len(s.cv_results_["params"]) == 2


def test_n_iter_no_change_stops_a_flat_search():
    s = search(estimator=FailingClassifier(), space={"param": [0.0, 0.1, 0.2] * 1},
               n_iter=3, batch_size=1, n_iter_no_change=1, tol=1.0).fit(X, y)
    assert len(s.cv_results_["params"]) == 2


def test_verbose_prints_best_so_far(capsys):
    search(verbose=1, n_iter=4, batch_size=2).fit(X, y)
    out = capsys.readouterr().out
    assert re.search(r"\[RandomTuneSearchCV\] batch 1: 2 candidates .* best so far 0\.\d+", out)


@pytest.mark.parametrize("batch_size", [1, 3])
def test_same_random_state_same_candidates_whatever_n_jobs(batch_size):
    space = {"C": loguniform(1e-3, 1e3), "penalty": ["l2", None], "max_iter": Integer(50, 200)}
    runs = [
        search(space=space, n_jobs=n_jobs, batch_size=batch_size, random_state=3).fit(X, y)
        for n_jobs in (1, 2)
    ]
    assert runs[0].cv_results_["params"] == runs[1].cv_results_["params"]
    assert np.allclose(runs[0].cv_results_["mean_test_score"],
                       runs[1].cv_results_["mean_test_score"])
    other = search(space=space, batch_size=batch_size, random_state=4).fit(X, y)
    assert other.cv_results_["params"] != runs[0].cv_results_["params"]


def test_fitted_search_pickles():
    s = search().fit(X, y)
    clone = pickle.loads(pickle.dumps(s))
    assert np.array_equal(clone.predict(X), s.predict(X))
    assert clone.best_params_ == s.best_params_


def test_groups_reach_the_splitter():
    from sklearn.model_selection import GroupKFold

    groups = np.arange(len(X)) % 4
    s = search(cv=GroupKFold(4)).fit(X, y, groups=groups)
    assert s.n_splits_ == 4


@pytest.mark.parametrize(
    "params, match",
    [
        ({"n_iter": 0}, "n_iter"),
        ({"n_iter": 2.5}, "n_iter"),
        ({"max_time": -1}, "max_time"),
        ({"n_iter_no_change": 0}, "n_iter_no_change"),
        ({"tol": -0.1}, "tol"),
        ({"space": 3}, "param_distributions"),
        ({"random_state": "x"}, "random_state"),
    ],
)
def test_bad_parameters_name_themselves(params, match):
    with pytest.raises((ValueError, TypeError), match=match):
        search(**params).fit(X, y)


def test_bad_space_names_the_key():
    with pytest.raises(TypeError, match="Parameter 'C'"):
        search(space={"C": 1.0}).fit(X, y)


@pytest.mark.parametrize(
    "scoring", ["acuracy", ["accuracy", "f1_macr"], {"acc": "acuracy"}]
)
def test_a_misspelled_scorer_gets_the_closest_names(scoring):
    with pytest.raises(ValueError, match=r"is not a scikit-learn scorer\. Did you mean"):
        search(scoring=scoring).fit(X, y)


@pytest.mark.parametrize(
    "space, match",
    [
        ({"Cc": [1.0]}, r"LogisticRegression has no parameter 'Cc'\. Did you mean 'C'"),
        ({"logistic__C": [1.0]}, r"Pipeline has no step or parameter 'logistic'\. "
         r"Did you mean 'logisticregression'\? Its steps are \['standardscaler', "
         r"'logisticregression'\]"),
        ({"logisticregression__Cc": [1.0]},
         r"step 'logisticregression' \(LogisticRegression\) has no parameter 'Cc'\. "
         r"Did you mean 'C'"),
    ],
)
def test_a_misspelled_parameter_names_the_step_and_the_closest_names(space, match):
    estimator = LogisticRegression()
    if any("__" in name for name in space):
        estimator = make_pipeline(StandardScaler(), LogisticRegression())
    with pytest.raises(ValueError, match=match):
        search(estimator=estimator, space=space).fit(X, y)


def test_names_under_a_replaced_step_are_left_to_its_estimator():
    from sklearn.svm import SVC

    pipe = make_pipeline(StandardScaler(), SVC())
    space = {"svc": [LogisticRegression()], "svc__C": [0.1, 1.0]}
    s = search(estimator=pipe, space=space, n_iter=2).fit(X, y)
    assert len(s.cv_results_["params"]) == 2


def test_user_estimator_is_not_mutated():
    est = LogisticRegression()
    before = est.get_params()
    search(estimator=est).fit(X, y)
    assert est.get_params() == before and not hasattr(est, "coef_")


def test_stratified_folds_are_kept():
    s = search(cv=StratifiedKFold(4)).fit(X, y)
    assert s.n_splits_ == 4 and "split3_test_score" in s.cv_results_


def test_custom_scorer_object():
    s = search(scoring=make_scorer(accuracy_score)).fit(X, y)
    assert 0.5 < s.best_score_ <= 1.0
