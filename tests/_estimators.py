"""Test estimators importable by name from subprocesses and dask workers."""

import os
import time

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.metrics import accuracy_score


class LoggedClassifier(ClassifierMixin, BaseEstimator):
    """Majority-class classifier whose score rises with `param` up to 0.5.

    Each fit appends ``param`` to `log` (when given) and sleeps `delay`
    seconds. While the environment variable SKLEARN_TUNE_TEST_INTERRUPT is
    set, a fit with ``param > interrupt_above`` raises KeyboardInterrupt, as
    Ctrl-C would, without the estimator's parameters changing.
    """

    def __init__(self, param=0.0, log=None, delay=0.0, interrupt_above=None):
        self.param = param
        self.log = log
        self.delay = delay
        self.interrupt_above = interrupt_above

    def fit(self, X, y):
        if (
            os.environ.get("SKLEARN_TUNE_TEST_INTERRUPT")
            and self.interrupt_above is not None
            and self.param > self.interrupt_above
        ):
            raise KeyboardInterrupt
        if self.log is not None:
            with open(self.log, "a") as f:
                f.write(f"{self.param!r}\n")
        time.sleep(self.delay)
        self.classes_ = np.unique(y)
        self.majority_ = np.bincount(y).argmax()
        return self

    def predict(self, X):
        return np.full(len(X), self.majority_)

    def score(self, X, y, sample_weight=None):
        return float(np.mean(self.predict(X) == y)) - abs(self.param - 0.5)


def read_log(path):
    if not os.path.exists(path):
        return []
    with open(path) as f:
        return [float(line) for line in f if line.strip()]


class FailingClassifier(ClassifierMixin, BaseEstimator):
    """Fails to fit when `param` > 0.5; predicts the majority class otherwise,
    and scores its accuracy plus `param`.

    With ``nan_score=True`` it fits but scores NaN above 0.5.
    """

    def __init__(self, param=0.0, nan_score=False):
        self.param = param
        self.nan_score = nan_score

    def fit(self, X, y):
        if self.param > 0.5 and not self.nan_score:
            raise ValueError("param too large")
        self.classes_ = np.unique(y)
        self.majority_ = np.bincount(y).argmax()
        return self

    def predict(self, X):
        return np.full(len(X), self.majority_)

    def score(self, X, y, sample_weight=None):
        if self.param > 0.5:
            return np.nan
        return accuracy_score(y, self.predict(X)) + self.param


class WeightRecorder(ClassifierMixin, BaseEstimator):
    """Fails without sample_weight; records the total weight of each fit in
    `totals` (a class attribute, reset by the test that reads it).

    Predicts the first class; `score` is `param` unless a scorer is given.
    """

    totals = []

    def __init__(self, param=0.0):
        self.param = param

    def fit(self, X, y, sample_weight=None):
        if sample_weight is None:
            raise ValueError("sample_weight was not routed to fit")
        self.classes_ = np.unique(y)
        self.total_weight_ = float(np.sum(sample_weight))
        WeightRecorder.totals.append(self.total_weight_)
        return self

    def predict(self, X):
        return np.full(len(X), self.classes_[0])

    def score(self, X, y, sample_weight=None):
        return self.param
