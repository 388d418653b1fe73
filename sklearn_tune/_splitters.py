"""Cross-validation splitters that the search loop passes as ``cv=``."""

import joblib


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
