"""Cross-validation splitters that the search loop passes as ``cv=``."""

import joblib
import numpy as np


class FixedSplits:
    """Resolve a splitter's folds once and return them on every later call.

    Every batch of a search is scored on the same folds, so scores from
    different batches compare, even with a shuffling splitter that has no
    ``random_state``.

    Parameters
    ----------
    cv : cross-validation splitter
        An object with ``split`` and ``get_n_splits``, as returned by
        :func:`sklearn.model_selection.check_cv`.
    hash_data : bool, default=False
        Hash ``(X, y, groups)`` on the first call into ``data_hash_``, for a
        checkpoint to record.
    resume_from : tuple (splits, data_hash), default=None
        Folds from a checkpoint and the hash of the data they were made on:
        they are used as they are once the data is found to be the same.
    """

    def __init__(self, cv, *, hash_data=False, resume_from=None):
        self.cv = cv
        self.hash_data = hash_data
        self.resume_from = resume_from

    def split(self, X, y=None, groups=None, **split_params):
        if groups is not None:
            split_params["groups"] = groups
        if hasattr(self, "splits_"):
            return iter(self.splits_)
        if self.hash_data or self.resume_from is not None:
            self.data_hash_ = joblib.hash((X, y, split_params.get("groups")))
        if self.resume_from is None:
            self.splits_ = list(self.cv.split(X, y, **split_params))
        else:
            splits, data_hash = self.resume_from
            if self.data_hash_ != data_hash:
                raise ValueError(
                    "The checkpoint was written for other data (X, y or groups "
                    "differ); its results are not mixed with this data's. "
                    "Delete it or pass another path."
                )
            self.splits_ = splits
        return iter(self.splits_)

    def get_n_splits(self, X=None, y=None, groups=None):
        if hasattr(self, "splits_"):
            return len(self.splits_)
        return self.cv.get_n_splits(X, y, groups)


class SubsampledFolds:
    """The fixed folds, each training part cut to a fraction of itself.

    The training indices of every fold are taken in one order fixed by
    `random_state` and the fold: first one example of each class, then the
    classes interleaved in proportion to their counts. A prefix of that
    order is the subsample, so it is stratified, holds every class of the
    training part, and is nested: a larger fraction keeps all the examples
    of a smaller one. The test parts are left whole, so scores at every
    level compare.

    Parameters
    ----------
    cv : cross-validation splitter
        The fixed folds (:class:`FixedSplits`).
    fraction : float
        Share of every training part to keep, in ``(0, 1]``.
    stratify : bool
        Whether `y` holds classes to keep in proportion.
    random_state : int
        Seed of the order, the same for every fraction.
    """

    def __init__(self, cv, fraction, *, stratify, random_state):
        self.cv = cv
        self.fraction = fraction
        self.stratify = stratify
        self.random_state = random_state

    def split(self, X, y=None, groups=None, **split_params):
        labels = np.asarray(y) if self.stratify else None
        splits = self.cv.split(X, y, groups, **split_params)
        for fold, (train, test) in enumerate(splits):
            rng = np.random.default_rng([self.random_state, fold])
            order = _nested_order(train, labels, rng)
            n_classes = len(np.unique(labels[train])) if self.stratify else 1
            size = max(n_classes, round(self.fraction * len(train)))
            yield np.sort(train[order[:size]]), test

    def get_n_splits(self, X=None, y=None, groups=None):
        return self.cv.get_n_splits(X, y, groups)


def _nested_order(train, labels, rng):
    """Positions in `train`: a random order, stratified along every prefix
    when `labels` are given (one of each class first)."""
    order = rng.permutation(len(train))
    if labels is None:
        return order
    _, classes, counts = np.unique(
        labels[train[order]], return_inverse=True, return_counts=True
    )
    by_class = np.argsort(classes, kind="stable")
    starts = np.repeat(np.cumsum(counts) - counts, counts)
    position = np.empty(len(order))
    position[by_class] = np.arange(len(order)) - starts
    key = (position + 0.5) / counts[classes]
    key[position == 0] = -1.0
    return order[np.argsort(key, kind="stable")]


class SplitSubset:
    """Some of the fixed folds, chosen by position.

    Early-stopped cross-validation scores a group of candidates on the next
    few folds in one ``evaluate_candidates`` call; this is the ``cv=`` of
    that call.

    Parameters
    ----------
    cv : cross-validation splitter
        The fixed folds (:class:`FixedSplits`).
    indices : sequence of int
        Positions of the folds to yield, in order.
    """

    def __init__(self, cv, indices):
        self.cv = cv
        self.indices = indices

    def split(self, X, y=None, groups=None, **split_params):
        splits = list(self.cv.split(X, y, groups, **split_params))
        return iter([splits[i] for i in self.indices])

    def get_n_splits(self, X=None, y=None, groups=None):
        return len(self.indices)
