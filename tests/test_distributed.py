"""Every search on a real dask.distributed cluster through joblib's dask
backend: the same results as a local run, with fits on every worker."""

import inspect
import os
from pathlib import Path

import numpy as np
import pytest
from _random_search import RandomTuneSearchCV
from joblib import parallel_backend
from sklearn.datasets import make_classification
from sklearn.linear_model import LogisticRegression

import sklearn_tune
from sklearn_tune import BaseTuneSearchCV, Real

distributed = pytest.importorskip("distributed")

X, y = make_classification(n_samples=100, n_features=5, random_state=0)

SEARCHES = [RandomTuneSearchCV] + [
    getattr(sklearn_tune, name)
    for name in sklearn_tune.__all__
    if inspect.isclass(getattr(sklearn_tune, name))
    and issubclass(getattr(sklearn_tune, name), BaseTuneSearchCV)
    and not inspect.isabstract(getattr(sklearn_tune, name))
]


@pytest.fixture(scope="module")
def client():
    # Workers import the test-only search by name, as they would a user's.
    tests = str(Path(__file__).parent)
    old = os.environ.get("PYTHONPATH")
    os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [tests, old]))
    try:
        with distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster, distributed.Client(cluster) as client:
            yield client
    finally:
        if old is None:
            del os.environ["PYTHONPATH"]
        else:
            os.environ["PYTHONPATH"] = old


@pytest.mark.parametrize("Search", SEARCHES, ids=lambda cls: cls.__name__)
def test_search_on_a_dask_cluster_equals_the_local_run(client, Search):
    def make():
        return Search(LogisticRegression(), {"C": Real(1e-3, 1e3, log=True)},
                      n_iter=8, cv=3, n_jobs=-1, random_state=0)

    local = make().fit(X, y)
    client.get_task_stream()  # start recording
    with parallel_backend("dask"):
        remote = make().fit(X, y)
    assert remote.cv_results_["params"] == local.cv_results_["params"]
    assert np.allclose(remote.cv_results_["mean_test_score"],
                       local.cv_results_["mean_test_score"])
    assert remote.best_params_ == local.best_params_
    workers = {task["worker"] for task in client.get_task_stream()}
    assert len(workers) == 2


def test_warm_started_hyperband_on_a_dask_cluster(client):
    # The workers share the machine's disk, so promoted configurations
    # continue from the fits another worker saved.
    from _estimators import EpochClassifier, epochs_run

    def make():
        return sklearn_tune.HyperbandSearchCV(
            EpochClassifier(max_iter=9), {"alpha": Real(0, 1)}, resource="max_iter",
            scoring={"run": epochs_run, "accuracy": "accuracy"}, refit="accuracy",
            n_iter=22, cv=3, n_jobs=-1, random_state=0, warm_start=True,
        )

    local = make().fit(X, y)
    with parallel_backend("dask"):
        remote = make().fit(X, y)
    promoted = local.cv_results_["rung"] > 0
    assert promoted.any()
    assert (local.cv_results_["mean_test_run"][promoted] < 9).all()
    np.testing.assert_array_equal(
        remote.cv_results_["mean_test_run"], local.cv_results_["mean_test_run"]
    )


def test_population_based_training_on_a_dask_cluster(client):
    # Every step continues, on any worker, the models another one saved.
    from _estimators import ScheduleClassifier, fits_trained

    def make():
        return sklearn_tune.EvolutionarySearchCV(
            ScheduleClassifier(max_iter=8), {"alpha": Real(0, 1)}, strategy="pbt",
            resource="max_iter", scoring={"fits": fits_trained, "accuracy": "accuracy"},
            refit="accuracy", n_iter=16, population_size=4, cv=3, n_jobs=-1,
            random_state=0,
        )

    local = make().fit(X, y)
    with parallel_backend("dask"):
        remote = make().fit(X, y)
    results = remote.cv_results_
    np.testing.assert_array_equal(results["mean_test_fits"], results["step"] + 1)
    assert results["params"] == local.cv_results_["params"]
    np.testing.assert_array_equal(results["parent"], local.cv_results_["parent"])
    assert remote.best_schedule_ == local.best_schedule_


def test_early_stopped_cv_on_a_dask_cluster(client):
    from sklearn.svm import SVC

    def make():
        return RandomTuneSearchCV(
            SVC(), {"C": Real(1e-3, 1e3, log=True), "gamma": Real(1e-4, 1e1, log=True)},
            n_iter=12, cv=5, batch_size=1, n_jobs=-1, random_state=0,
            early_stopping_cv="aggressive",
        )

    local = make().fit(X, y)
    with parallel_backend("dask"):
        remote = make().fit(X, y)
    assert (local.cv_results_["n_splits_evaluated"] < 5).any()
    np.testing.assert_array_equal(
        remote.cv_results_["n_splits_evaluated"], local.cv_results_["n_splits_evaluated"]
    )
    assert np.allclose(remote.cv_results_["mean_test_score"],
                       local.cv_results_["mean_test_score"])
