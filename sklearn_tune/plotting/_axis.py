"""How a parameter is laid on an axis: its scale, its coordinates, its ticks."""

import numbers

import numpy as np

from ..space import Categorical, Integer, Real, SearchSpace

_LOG_DISTRIBUTIONS = ("loguniform", "reciprocal")


def _dimension(search, name):
    """The search-space dimension of `name`, or None if it is not in it."""
    spec = getattr(search, "param_distributions", getattr(search, "param_grid", None))
    try:
        space = SearchSpace(spec)
    except (TypeError, ValueError):
        # Not a space sklearn-tune can read (a custom sampler); the axes
        # are then chosen from the values alone.
        return None
    for subspace in space.subspaces:
        if name in subspace.names:
            return subspace.dimensions[subspace.names.index(name)]
    return None


def _is_number(value):
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


# Where a row's sub-space lacks the parameter.
_MISSING = object()


class _Axis:
    """A parameter laid on an axis: numbers as they are, categories by position.

    The scale is "log" for log-scaled dimensions (``log=True``,
    ``loguniform``), "linear" for other numbers and "categorical" otherwise;
    the values of a list (or of a parameter outside the search space) are
    on a log scale when positive and spread over several orders of
    magnitude.
    """

    def __init__(self, search, name):
        self.name = name
        self.values = [p.get(name, _MISSING) for p in search.cv_results_["params"]]
        present = [v for v in self.values if v is not _MISSING]
        dim = _dimension(search, name)
        self._choices = None
        if not present or not all(_is_number(v) for v in present):
            self.scale = "categorical"
            if isinstance(dim, Categorical) and all(dim.contains(v) for v in present):
                self._choices = dim
            else:
                unique = []
                for value in present:
                    if not unique or not Categorical(unique).contains(value):
                        unique.append(value)
                self._choices = Categorical(unique or [None])
        elif isinstance(dim, (Real, Integer)):
            self.scale = "log" if dim.log else "linear"
        elif hasattr(dim, "dist"):
            # A frozen scipy.stats distribution, kept by its dimension.
            family = getattr(getattr(dim.dist, "dist", None), "name", "")
            self.scale = "log" if family in _LOG_DISTRIBUTIONS else "linear"
        else:
            low, high = min(present), max(present)
            self.scale = "log" if low > 0 and high / low >= 100 else "linear"

    @property
    def categories(self):
        return [] if self._choices is None else self._choices.choices

    def positions(self):
        """Coordinates of every row (NaN where the row lacks the parameter);
        a category's coordinate is its index."""
        position = float if self._choices is None else self._choices.index
        return np.array(
            [np.nan if v is _MISSING else float(position(v)) for v in self.values]
        )

    def unit(self):
        """Coordinates of every row scaled to ``[0, 1]`` (NaN where missing)."""
        x = self.positions()
        if self.scale == "categorical":
            n = len(self.categories)
            return x / (n - 1) if n > 1 else np.where(np.isfinite(x), 0.5, np.nan)
        if self.scale == "log":
            x = np.log10(x)
        finite = x[np.isfinite(x)]
        if finite.size == 0 or finite.max() == finite.min():
            return np.where(np.isfinite(x), 0.5, np.nan)
        return (x - finite.min()) / (finite.max() - finite.min())

    def category_units(self):
        """Where each category lies on the ``[0, 1]`` scale of :meth:`unit`."""
        n = len(self.categories)
        return [i / (n - 1) if n > 1 else 0.5 for i in range(n)]

    def set_on(self, ax, which):
        """Label the x or y axis of `ax` and choose its scale."""
        getattr(ax, f"set_{which}label")(self.name)
        if self.scale == "log":
            getattr(ax, f"set_{which}scale")("log")
        elif self.scale == "categorical":
            getattr(ax, f"set_{which}ticks")(
                range(len(self.categories)), [str(c) for c in self.categories]
            )
