"""sklearn's callback API (sklearn >= 1.9): the search reports a task per
batch under a "search" task, so a progress bar sees each batch."""

import pytest
from _random_search import RandomTuneSearchCV
from sklearn.datasets import make_classification
from sklearn.linear_model import LogisticRegression

from sklearn_tune import Real
from sklearn_tune._compat import HAS_CALLBACKS

pytestmark = pytest.mark.skipif(
    not HAS_CALLBACKS, reason="scikit-learn's callback API needs scikit-learn >= 1.9"
)

X, y = make_classification(n_samples=60, n_features=4, random_state=0)


class TaskRecorder:
    """A FitCallback that records the names of the tasks it sees end."""

    def __init__(self):
        self.ended = []

    def setup(self, estimator, context):
        pass

    def teardown(self, estimator, context):
        pass

    def on_fit_task_begin(self, estimator, context, **kwargs):
        pass

    def on_fit_task_end(self, estimator, context, **kwargs):
        self.ended.append(context.task_name)


def test_each_batch_is_a_task_of_the_search():
    recorder = TaskRecorder()
    search = RandomTuneSearchCV(LogisticRegression(), {"C": Real(0.01, 100, log=True)},
                                n_iter=6, cv=2, batch_size=2, random_state=0)
    search.set_callbacks(recorder).fit(X, y)
    assert recorder.ended.count("batch") == 3
    assert recorder.ended.count("search") == 1
    assert recorder.ended.count("candidate-split-evaluation") == 6 * 2


def test_each_fold_group_is_a_task_with_its_fits():
    from sklearn.svm import SVC

    recorder = TaskRecorder()
    search = RandomTuneSearchCV(
        SVC(), {"C": Real(1e-3, 1e3, log=True), "gamma": Real(1e-4, 1e1, log=True)},
        n_iter=8, cv=3, batch_size=4, random_state=0, early_stopping_cv="aggressive",
    )
    search.set_callbacks(recorder).fit(X, y)
    n = search.cv_results_["n_splits_evaluated"]
    assert (n < 3).any()
    # One task per evaluate_candidates call, a fold of the running
    # candidates: as many in a batch as the most folds one of them got.
    batches = search.cv_results_["iter"]
    calls = sum(n[batches == b].max() for b in set(batches))
    assert recorder.ended.count("batch") == calls
    assert recorder.ended.count("candidate-split-evaluation") == n.sum()
