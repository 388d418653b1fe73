"""Test estimators importable by name from subprocesses and dask workers."""

import json
import os
import time

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.metrics import accuracy_score


class _MajorityClassifier(ClassifierMixin, BaseEstimator):
    """Predicts the most frequent class of the training labels."""

    def _fit_majority(self, y):
        self.classes_ = np.unique(y)
        self.majority_ = np.bincount(y).argmax()
        return self

    def predict(self, X):
        return np.full(len(X), self.majority_)


class LoggedClassifier(_MajorityClassifier):
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
        return self._fit_majority(y)

    def score(self, X, y, sample_weight=None):
        return float(np.mean(self.predict(X) == y)) - abs(self.param - 0.5)


def read_log(path):
    if not os.path.exists(path):
        return []
    with open(path) as f:
        return [float(line) for line in f if line.strip()]


class FoldLoggedClassifier(LoggedClassifier):
    """LoggedClassifier whose log line also names the training set (the sum
    of its first feature), so that a candidate fitted twice on one fold
    shows as a repeated line; read it with :func:`read_fold_log`."""

    def fit(self, X, y):
        if self.log is not None:
            with open(self.log, "a") as f:
                f.write(f"{self.param!r} {np.sum(np.asarray(X)[:, 0]):.9f}\n")
        time.sleep(self.delay)
        return self._fit_majority(y)


def read_fold_log(path):
    """The (param, training-set id) of every fit a FoldLoggedClassifier logged."""
    if not os.path.exists(path):
        return []
    with open(path) as f:
        return [(float(p), t) for p, t in (line.split() for line in f if line.strip())]


class TrainSizeFailer(_MajorityClassifier):
    """Fails to fit on exactly `fail_size` training samples; scores the
    majority-class accuracy minus ``abs(param - 0.5)``."""

    def __init__(self, param=0.0, fail_size=-1):
        self.param = param
        self.fail_size = fail_size

    def fit(self, X, y):
        if len(X) == self.fail_size:
            raise ValueError("unlucky training size")
        return self._fit_majority(y)

    def score(self, X, y, sample_weight=None):
        return float(np.mean(self.predict(X) == y)) - abs(self.param - 0.5)


class FailingClassifier(_MajorityClassifier):
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
        return self._fit_majority(y)

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


class EpochClassifier(_MajorityClassifier):
    """Majority-class classifier that counts its training epochs.

    A fit trains ``max_iter`` epochs, more after a warm start (as MLP and
    SGD do): ``epochs_run_`` counts those of the last fit, ``epochs_`` all
    of them. While the environment variable SKLEARN_TUNE_TEST_INTERRUPT is
    set, a fit that would reach `interrupt_at` epochs raises
    KeyboardInterrupt, as Ctrl-C would.
    """

    def __init__(self, max_iter=1, alpha=0.0, warm_start=False, interrupt_at=None):
        self.max_iter = max_iter
        self.alpha = alpha
        self.warm_start = warm_start
        self.interrupt_at = interrupt_at

    def fit(self, X, y):
        done = self.epochs_ if self.warm_start and hasattr(self, "epochs_") else 0
        if (
            os.environ.get("SKLEARN_TUNE_TEST_INTERRUPT")
            and self.interrupt_at is not None
            and done + self.max_iter >= self.interrupt_at
        ):
            raise KeyboardInterrupt
        self.epochs_run_ = self.max_iter
        self.epochs_ = done + self.max_iter
        return self._fit_majority(y)

    def score(self, X, y, sample_weight=None):
        return -abs(self.alpha - 0.5)


class ScheduleClassifier(EpochClassifier):
    """EpochClassifier that keeps the ``(alpha, max_iter)`` of every fit of
    its training in `history_` (a warm start continues it), and appends
    each fit's history with the training set's id to `log` as a JSON line;
    read it with :func:`read_schedule_log`."""

    def __init__(
        self, max_iter=1, alpha=0.0, warm_start=False, interrupt_at=None, log=None
    ):
        super().__init__(max_iter, alpha, warm_start, interrupt_at)
        self.log = log

    def fit(self, X, y):
        continued = self.warm_start and hasattr(self, "history_")
        previous = self.history_ if continued else []
        super().fit(X, y)
        self.history_ = [*previous, (self.alpha, self.max_iter)]
        if self.log is not None:
            with open(self.log, "a") as f:
                fold = f"{np.sum(np.asarray(X)[:, 0]):.9f}"
                f.write(json.dumps({"fold": fold, "history": self.history_}) + "\n")
        return self


def read_schedule_log(path):
    """The (training-set id, history) of every fit a ScheduleClassifier logged."""
    with open(path) as f:
        return [
            (line["fold"], [tuple(h) for h in line["history"]])
            for line in map(json.loads, f)
        ]


def _final_step(estimator):
    steps = getattr(estimator, "steps", None)
    return estimator if steps is None else steps[-1][1]


def epochs_run(estimator, X, y):
    """Scorer: epochs of the last fit of an EpochClassifier (or pipeline)."""
    return _final_step(estimator).epochs_run_


def epochs_seen(estimator, X, y):
    """Scorer: all the epochs an EpochClassifier (or pipeline) has trained."""
    return _final_step(estimator).epochs_


def fits_trained(estimator, X, y):
    """Scorer: the fits a ScheduleClassifier's model went through."""
    return len(_final_step(estimator).history_)
