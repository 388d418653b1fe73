"""Cross-validation splitters that the search loop passes as ``cv=``."""

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
    """

    def __init__(self, cv):
        self.cv = cv

    def split(self, X, y=None, groups=None, **split_params):
        if not hasattr(self, "splits_"):
            if groups is not None:
                split_params["groups"] = groups
            self.splits_ = list(self.cv.split(X, y, **split_params))
        return iter(self.splits_)

    def get_n_splits(self, X=None, y=None, groups=None):
        if hasattr(self, "splits_"):
            return len(self.splits_)
        return self.cv.get_n_splits(X, y, groups)
