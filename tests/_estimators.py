"""Test estimators importable by name from subprocesses and dask workers."""

import os
import time

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin


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
