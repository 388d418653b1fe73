"""Metadata routing: sample_weight to the estimator and scorer, groups to the
splitter, under ``enable_metadata_routing=True``."""

from _estimators import WeightRecorder
import numpy as np
import pytest
from _random_search import RandomTuneSearchCV
from sklearn import config_context
from sklearn.datasets import make_classification
from sklearn.metrics import accuracy_score, make_scorer
from sklearn.model_selection import GroupKFold

from sklearn_tune import Real

X, y = make_classification(n_samples=90, n_features=4, random_state=0)


@pytest.fixture
def routing():
    with config_context(enable_metadata_routing=True):
        yield


def test_sample_weight_and_groups_are_routed(routing):
    weights = np.linspace(0.5, 2.0, len(y))
    groups = np.arange(len(y)) % 3
    scorer = make_scorer(accuracy_score).set_score_request(sample_weight=True)
    search = RandomTuneSearchCV(
        WeightRecorder().set_fit_request(sample_weight=True),
        {"param": Real(0, 1)},
        n_iter=4,
        scoring=scorer,
        cv=GroupKFold(3),
        error_score="raise",
        random_state=0,
    ).fit(X, y, sample_weight=weights, groups=groups)
    assert search.n_splits_ == 3
    assert search.best_estimator_.total_weight_ == pytest.approx(weights.sum())
    # The weighted accuracy of an all-zeros prediction differs from the plain one.
    plain = np.mean(y == 0)
    assert not np.isclose(search.best_score_, plain)


def test_unrequested_metadata_is_an_error(routing):
    search = RandomTuneSearchCV(WeightRecorder(), {"param": Real(0, 1)}, n_iter=2)
    with pytest.raises(Exception, match="sample_weight"):
        search.fit(X, y, sample_weight=np.ones(len(y)))


def test_sample_weight_reaches_a_warm_started_estimator(routing):
    from sklearn.linear_model import SGDClassifier

    from sklearn_tune import HyperbandSearchCV

    def search(estimator, **fit_params):
        return HyperbandSearchCV(
            estimator, {"alpha": Real(1e-5, 1e-1, log=True)}, resource="max_iter",
            n_iter=13, cv=3, random_state=0, warm_start=True, error_score="raise",
        ).fit(X, y, **fit_params)

    sgd = SGDClassifier(max_iter=9, tol=None, random_state=0)
    weights = np.where(y == 0, 0.01, 1.0)
    with pytest.raises(Exception, match="sample_weight"):
        search(sgd, sample_weight=weights)
    plain = search(sgd)
    sgd.set_fit_request(sample_weight=True).set_score_request(sample_weight=False)
    weighted = search(sgd, sample_weight=weights)
    # The same first rung (later ones follow the scores), scored otherwise.
    first = plain.cv_results_["iter"] == 0
    assert weighted.cv_results_["params"][: first.sum()] == [
        p for p, f in zip(plain.cv_results_["params"], first) if f
    ]
    assert not np.allclose(
        weighted.cv_results_["mean_test_score"][first],
        plain.cv_results_["mean_test_score"][first],
    )
