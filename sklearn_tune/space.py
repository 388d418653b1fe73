"""Search spaces: what users write for GridSearchCV or RandomizedSearchCV,
mapped to and from the unit cube where the optimizers work.

A search space is a dict (or a list of dicts, as disjoint sub-spaces) from
parameter names to one of:

- a list, tuple or 1-D array of values: a categorical dimension, as in
  :class:`~sklearn.model_selection.GridSearchCV`, ordered when its values
  are all numbers;
- a frozen :mod:`scipy.stats` distribution, continuous or discrete: mapped to
  the unit interval through its ``cdf``/``ppf``, so the unit interval is the
  distribution's own quantile scale (``loguniform`` is log-scaled for free);
- a :class:`Real`, :class:`Integer` or :class:`Categorical`;
- a :class:`~sklearn_tune.Layers`: tuples of layer widths, encoded in
  several columns, some of them inactive (see :meth:`SubSpace.active`).
"""

import itertools
import math
import numbers
from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence

import numpy as np

__all__ = ["Real", "Integer", "Categorical", "SearchSpace"]

# Quantiles this close to 0 or 1 are clipped so that unbounded distributions
# (``norm``, ``expon``...) decode to finite values.
_QUANTILE_EPS = 1e-12


def _as_random_generator(random_state):
    """A numpy Generator or RandomState from what sklearn and scipy accept."""
    if isinstance(random_state, (np.random.Generator, np.random.RandomState)):
        return random_state
    return np.random.default_rng(random_state)


class Dimension(ABC):
    """One hyperparameter's values, mapped to the unit interval ``[0, 1]``.

    A structured value (a stack of layers) may take several columns of the
    unit cube: :attr:`columns` then describes each, and :meth:`active` says
    which of them matter for a given point.
    """

    #: Number of distinct values (``math.inf`` for continuous dimensions).
    size = math.inf

    #: Whether the values are unordered choices, which optimizers one-hot
    #: encode or redraw rather than move along the unit interval.
    is_categorical = False

    @property
    def columns(self):
        """One scalar dimension per column of the encoding, as the optimizers
        read it (its size, whether continuous, its cells): ``[self]`` for a
        dimension of one column."""
        return [self]

    @property
    def n_columns(self):
        """Number of columns of the encoding."""
        return len(self.columns)

    def active(self, u):
        """Which columns of unit points decide their value.

        All of them, except for conditional dimensions: the width of a layer
        that a stack does not have is inactive.

        Parameters
        ----------
        u : array-like of shape (n_points,) or (n_points, n_columns)
            Unit points.

        Returns
        -------
        ndarray of bool of shape (n_points, n_columns)
        """
        u = np.asarray(u, dtype=float)
        return np.ones((len(u), self.n_columns), dtype=bool)

    def neighbours(self, value):
        """Values one step away from `value`, which may fall outside.

        The moves of a local search: one integer up and down here; other
        choices for categorical dimensions.
        """
        return [value - 1, value + 1]

    @property
    def is_continuous(self):
        """Whether the dimension holds a continuum of values: a real
        interval or a continuous distribution, not integers or choices."""
        return math.isinf(self.size) and not getattr(self, "discrete", False)

    @abstractmethod
    def to_unit(self, values):
        """Map values to points of the unit interval (1-D float array)."""

    @abstractmethod
    def from_unit(self, u):
        """Map points of the unit interval to values (a list)."""

    @abstractmethod
    def contains(self, value):
        """Whether `value` is one of this dimension's values."""

    def snap(self, u):
        """Move unit points to the point that stands for their decoded value.

        Identity for continuous dimensions; the centre of the value's cell for
        integer and categorical ones, so that ``snap`` is idempotent and two
        points that decode alike snap to the same point.
        """
        return np.clip(np.asarray(u, dtype=float), 0.0, 1.0)

    def key(self, value):
        """A hashable that identifies `value` exactly within this dimension."""
        return value

    def values(self):
        """All values of a finite dimension, in order."""
        raise TypeError(f"{self!r} has infinitely many values.")

    def rvs(self, size=None, random_state=None):
        """Draw random values, so dimensions also work in RandomizedSearchCV.

        Parameters
        ----------
        size : int, default=None
            Number of values; ``None`` draws a single value.
        random_state : int, RandomState instance, Generator or None, default=None
            Source of randomness.

        Returns
        -------
        value or list
            One value when `size` is None, else a list of `size` values.
        """
        rng = _as_random_generator(random_state)
        n = 1 if size is None else int(size)
        shape = n if self.n_columns == 1 else (n, self.n_columns)
        values = self.from_unit(self.spread(rng.uniform(size=shape)))
        return values[0] if size is None else values

    def spread(self, u):
        """Unit points of the values that uniform draws `u` pick.

        Identity, but for ordered choices, whose cells have the widths of
        the gaps between values: a uniform draw still picks each choice
        with the same probability, as in RandomizedSearchCV.
        """
        return np.asarray(u, dtype=float)


def _check_bound(name, value):
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number, got {value!r}.")
    if not math.isfinite(value):
        raise ValueError(f"{name} must be finite, got {value!r}.")


class _Interval(Dimension):
    """Shared bounds checks and (log-)linear scaling of Real and Integer."""

    def __init__(self, low, high, *, log=False):
        _check_bound("low", low)
        _check_bound("high", high)
        if not low < high:
            raise ValueError(
                f"low must be smaller than high, got low={low!r} and high={high!r}."
                " For a single value, use a list: [value]."
            )
        if log and low <= 0:
            raise ValueError(f"log=True needs low > 0, got low={low!r}.")
        self.low = low
        self.high = high
        self.log = bool(log)

    def _forward(self, x):
        return np.log(x) if self.log else np.asarray(x, dtype=float)

    def _backward(self, t):
        return np.exp(t) if self.log else t

    def __repr__(self):
        log = ", log=True" if self.log else ""
        return f"{type(self).__name__}({self.low!r}, {self.high!r}{log})"

    def __eq__(self, other):
        return type(self) is type(other) and (self.low, self.high, self.log) == (
            other.low,
            other.high,
            other.log,
        )

    def __hash__(self):
        return hash((type(self).__name__, self.low, self.high, self.log))


class Real(_Interval):
    """A real-valued hyperparameter, uniform on ``[low, high]`` or on its log.

    Parameters
    ----------
    low, high : float
        Bounds, ``low < high``.
    log : bool, default=False
        Search on a log scale (``low`` must then be positive), as for
        :func:`scipy.stats.loguniform`.

    Examples
    --------
    >>> from sklearn_tune import Real
    >>> C = Real(1e-3, 1e3, log=True)
    >>> C.to_unit([1e-3, 1.0, 1e3])
    array([0. , 0.5, 1. ])
    >>> C.from_unit([0.5])
    [1.0]
    >>> 1e-3 <= C.rvs(random_state=0) <= 1e3
    True
    """

    def __init__(self, low, high, *, log=False):
        super().__init__(low, high, log=log)
        self._t_low = float(self._forward(float(low)))
        self._t_high = float(self._forward(float(high)))

    def to_unit(self, values):
        t = self._forward(np.asarray(values, dtype=float))
        return np.clip((t - self._t_low) / (self._t_high - self._t_low), 0.0, 1.0)

    def from_unit(self, u):
        u = np.clip(np.asarray(u, dtype=float), 0.0, 1.0)
        x = self._backward(self._t_low + u * (self._t_high - self._t_low))
        return [float(v) for v in np.clip(x, self.low, self.high)]

    def contains(self, value):
        return (
            isinstance(value, numbers.Real)
            and not isinstance(value, bool)
            and self.low <= value <= self.high
        )

    def key(self, value):
        return float(value)


class Integer(_Interval):
    """An integer hyperparameter in ``[low, high]`` (both included).

    Each integer owns an equal share of the unit interval, or a share equal
    on the log scale with ``log=True`` (the cell of ``k`` is
    ``[k - 0.5, k + 0.5]``), so uniform sampling and rounding agree.

    Parameters
    ----------
    low, high : int
        Bounds, both included, ``low < high``.
    log : bool, default=False
        Search on a log scale (``low`` must then be positive).

    Examples
    --------
    >>> from sklearn_tune import Integer
    >>> n = Integer(1, 4)
    >>> n.from_unit([0.0, 0.3, 0.99])
    [1, 2, 4]
    >>> n.values()
    [1, 2, 3, 4]
    """

    def __init__(self, low, high, *, log=False):
        for name, value in (("low", low), ("high", high)):
            if not isinstance(value, numbers.Integral) or isinstance(value, bool):
                raise TypeError(f"{name} must be an integer, got {value!r}.")
        super().__init__(int(low), int(high), log=log)
        self._t_low = float(self._forward(self.low - 0.5))
        self._t_high = float(self._forward(self.high + 0.5))
        self.size = self.high - self.low + 1

    def to_unit(self, values):
        v = np.asarray(values, dtype=float)
        centre = 0.5 * (self._forward(v - 0.5) + self._forward(v + 0.5))
        return np.clip((centre - self._t_low) / (self._t_high - self._t_low), 0, 1)

    def _decode(self, u):
        u = np.clip(np.asarray(u, dtype=float), 0.0, 1.0)
        x = self._backward(self._t_low + u * (self._t_high - self._t_low))
        return np.clip(np.floor(x + 0.5), self.low, self.high)

    def from_unit(self, u):
        return [int(v) for v in self._decode(u)]

    def snap(self, u):
        return self.to_unit(self._decode(u))

    def contains(self, value):
        return (
            isinstance(value, numbers.Integral)
            and not isinstance(value, bool)
            and self.low <= value <= self.high
        )

    def key(self, value):
        return int(value)

    def values(self):
        return list(range(self.low, self.high + 1))


class Categorical(Dimension):
    """A hyperparameter with a finite set of choices, ordered or not.

    Choices may be any objects: strings, numbers, ``None``, tuples (such as
    ``hidden_layer_sizes``), estimators. Unordered choice ``i`` of ``k`` owns
    the cell ``[i / k, (i + 1) / k)`` of the unit interval; optimizers that
    prefer it get a one-hot encoding from :class:`SearchSpace`.

    Ordered choices (numbers, such as a GridSearchCV grid's ``[3, 5, 10,
    20]``) sit at their position on their own scale instead: the unit
    interval spans the smallest to the largest value, on a log scale when
    all are positive and the largest is more than ten times the smallest,
    linearly otherwise. Optimizers then know that 10 lies between 5 and 20
    (a Gaussian process gets one column, not four; a mutation moves to a
    neighbour). Random draws still pick each choice with equal probability,
    and candidates hold the values exactly as written.

    Parameters
    ----------
    choices : sequence
        The distinct choices, at least one.
    ordered : "auto" or bool, default="auto"
        Whether the strategies may use the order of the choices. "auto":
        ordered when every choice is a real number (not a bool) and no two
        are equal, so that a list holding ``None`` or a string stays
        unordered. True: numbers at their position on their scale, other
        choices evenly spaced in the order given. False: unordered.

    Examples
    --------
    >>> from sklearn_tune import Categorical
    >>> layers = Categorical([(10,), (20, 20), None])
    >>> layers.from_unit([0.1, 0.5, 0.9])
    [(10,), (20, 20), None]
    >>> layers.to_unit([None])
    array([0.83333333])
    >>> depth = Categorical([3, 5, 10, 20])
    >>> depth.ordered, depth.to_unit([3, 5, 10, 20]).round(2)
    (True, array([0.  , 0.12, 0.41, 1.  ]))
    >>> depth.from_unit([0.3, 0.9])
    [10, 20]
    >>> Categorical([0.01, 0.1, 1.0]).to_unit([0.1])
    array([0.5])
    """

    def __init__(self, choices, *, ordered="auto"):
        if isinstance(choices, (str, bytes)) or not isinstance(
            choices, (Sequence, np.ndarray)
        ):
            raise TypeError(
                "choices must be a list, tuple or 1-D array of values, got "
                f"{choices!r}."
            )
        if isinstance(choices, np.ndarray) and choices.ndim != 1:
            raise ValueError(
                f"choices must be 1-D, got an array of shape {choices.shape}."
            )
        if len(choices) == 0:
            raise ValueError("choices must hold at least one value, got none.")
        if not (ordered == "auto" or isinstance(ordered, bool)):
            raise ValueError(
                f"ordered must be 'auto', True or False, got {ordered!r}."
            )
        self.choices = list(choices)
        self.size = len(self.choices)
        numeric = all(_is_number(c) for c in self.choices) and len(
            {float(c) for c in self.choices}
        ) == len(self.choices)
        self._numeric = numeric
        self.ordered = numeric if ordered == "auto" else ordered
        self._positions = self._place(numeric) if self.ordered else None

    def _place(self, numeric):
        """Unit points of the ordered choices, in the order given."""
        if not numeric:
            return (np.arange(self.size) + 0.5) / self.size
        values = np.array(self.choices, dtype=float)
        low, high = values.min(), values.max()
        if low > 0 and high > 10 * low:
            values, low, high = np.log(values), np.log(low), np.log(high)
        if high == low:
            return np.full(self.size, 0.5)
        return (values - low) / (high - low)

    @property
    def is_categorical(self):
        """Whether the choices are unordered."""
        return not self.ordered

    def index(self, value):
        """Position of `value` among the choices (identity, then equality)."""
        for i, choice in enumerate(self.choices):
            if choice is value:
                return i
        # Equality of the same type first, so that 1, 1.0 and True stay apart.
        for same_type in (True, False):
            for i, choice in enumerate(self.choices):
                if same_type and type(choice) is not type(value):
                    continue
                try:
                    if bool(np.all(choice == value)) and np.shape(choice) == np.shape(
                        value
                    ):
                        return i
                except (TypeError, ValueError):
                    continue
        raise ValueError(f"{value!r} is not one of the choices {self.choices!r}.")

    def to_unit(self, values):
        idx = np.array([self.index(v) for v in values], dtype=int)
        if self.ordered:
            return self._positions[idx].astype(float)
        return (idx + 0.5) / self.size

    def _decode(self, u):
        u = np.asarray(u, dtype=float)
        if self.ordered and self.size > 1:
            # The nearest choice on the scale: cells end half-way between.
            order = np.argsort(self._positions, kind="stable")
            sorted_positions = self._positions[order]
            edges = (sorted_positions[1:] + sorted_positions[:-1]) / 2
            return order[np.searchsorted(edges, u, side="right")]
        return np.clip(np.floor(u * self.size), 0, self.size - 1).astype(int)

    def from_unit(self, u):
        return [self.choices[i] for i in self._decode(u)]

    def snap(self, u):
        if self.ordered:
            return self._positions[self._decode(u)].astype(float)
        return (self._decode(u) + 0.5) / self.size

    def spread(self, u):
        if not self.ordered:
            return super().spread(u)
        idx = np.clip(np.floor(np.asarray(u, dtype=float) * self.size), 0, self.size - 1)
        return self._positions[idx.astype(int)].astype(float)

    def contains(self, value):
        try:
            self.index(value)
        except ValueError:
            return False
        return True

    def key(self, value):
        return self.index(value)

    def values(self):
        return list(self.choices)

    def neighbours(self, value):
        if not self.ordered:
            return list(self.choices)
        # The choices just below and above on the scale.
        order = list(np.argsort(self._positions, kind="stable"))
        at = order.index(self.index(value))
        return [self.choices[order[k]] for k in (at - 1, at + 1) if 0 <= k < self.size]

    def __repr__(self):
        if self.ordered == self._numeric:
            return f"Categorical({self.choices!r})"
        return f"Categorical({self.choices!r}, ordered={self.ordered})"


def _is_number(value):
    return isinstance(value, numbers.Real) and not isinstance(value, (bool, np.bool_))


class _FrozenDistribution(Dimension):
    """A frozen scipy.stats distribution, on its own quantile scale."""

    def __init__(self, dist):
        self.dist = dist
        self.discrete = hasattr(dist, "pmf")
        low, high = dist.support()
        if self.discrete and math.isfinite(low) and math.isfinite(high):
            self.size = int(high - low + 1)

    def to_unit(self, values):
        v = np.asarray(values, dtype=float)
        if self.discrete:
            # The centre of the value's probability mass, so that rounding
            # through ppf gives the value back.
            return np.clip(self.dist.cdf(v) - 0.5 * self.dist.pmf(v), 0.0, 1.0)
        return np.clip(self.dist.cdf(v), 0.0, 1.0)

    def _decode(self, u):
        u = np.clip(np.asarray(u, dtype=float), _QUANTILE_EPS, 1 - _QUANTILE_EPS)
        return np.atleast_1d(self.dist.ppf(u))

    def from_unit(self, u):
        x = self._decode(u)
        if self.discrete:
            return [int(v) for v in x]
        return [float(v) for v in x]

    def snap(self, u):
        if self.discrete:
            return self.to_unit(self._decode(u))
        return super().snap(u)

    def contains(self, value):
        if isinstance(value, bool) or not isinstance(value, numbers.Real):
            return False
        low, high = self.dist.support()
        if self.discrete:
            return float(value).is_integer() and self.dist.pmf(value) > 0
        return low <= value <= high

    def key(self, value):
        return int(value) if self.discrete else float(value)

    def values(self):
        if not math.isfinite(self.size):
            return super().values()
        low, _ = self.dist.support()
        return [int(low) + i for i in range(self.size)]

    def __repr__(self):
        # Stable across runs (no address), so checkpoints can compare spaces.
        name = getattr(getattr(self.dist, "dist", None), "name", type(self.dist).__name__)
        args = [repr(a) for a in getattr(self.dist, "args", ())]
        args += [f"{k}={v!r}" for k, v in getattr(self.dist, "kwds", {}).items()]
        return f"{name}({', '.join(args)})"


def _as_dimension(name, value):
    """Turn one value of a user's param_distributions into a Dimension."""
    if isinstance(value, Dimension):
        return value
    if hasattr(value, "rvs"):
        if hasattr(value, "cdf") and hasattr(value, "ppf"):
            return _FrozenDistribution(value)
        raise TypeError(
            f"Parameter {name!r}: {value!r} has rvs() but no cdf() and ppf(); "
            "pass a frozen scipy.stats distribution, a list of values, or a "
            "Real, Integer or Categorical."
        )
    if isinstance(value, (str, bytes)) or not isinstance(
        value, (Sequence, np.ndarray)
    ):
        raise TypeError(
            f"Parameter {name!r} must be a list of values, a frozen scipy.stats "
            f"distribution, or a Real, Integer or Categorical; got {value!r} "
            f"of type {type(value).__name__}. For a single value, use [value]."
        )
    try:
        return Categorical(value)
    except (TypeError, ValueError) as exc:
        raise type(exc)(f"Parameter {name!r}: {exc}") from None


class SubSpace:
    """One dict of a search space: named dimensions, encoded side by side.

    Parameters
    ----------
    param_distributions : dict
        Parameter names to values, distributions or dimensions.
    """

    def __init__(self, param_distributions):
        if not isinstance(param_distributions, Mapping):
            raise TypeError(
                "param_distributions must be a dict or a list of dicts, got a "
                f"list holding {param_distributions!r}."
            )
        for name in param_distributions:
            if not isinstance(name, str):
                raise TypeError(f"Parameter names must be strings, got {name!r}.")
        self.names = list(param_distributions)
        self.dimensions = [
            _as_dimension(name, value) for name, value in param_distributions.items()
        ]
        self.size = math.prod(dim.size for dim in self.dimensions)
        self._categorical = [
            dim.is_categorical and dim.size > 1 for dim in self.dimensions
        ]
        self.columns = [column for dim in self.dimensions for column in dim.columns]
        self.column_names = [
            name
            for name, dim in zip(self.names, self.dimensions)
            for _ in range(dim.n_columns)
        ]
        ends = np.cumsum([dim.n_columns for dim in self.dimensions])
        self.slices = [
            slice(int(end) - dim.n_columns, int(end))
            for dim, end in zip(self.dimensions, ends)
        ]

    @property
    def n_dims(self):
        """Number of columns of the unit-cube encoding (one per dimension,
        more for a dimension such as :class:`~sklearn_tune.Layers`)."""
        return len(self.columns)

    @property
    def n_onehot_dims(self):
        """Number of columns of the one-hot encoding."""
        return sum(
            dim.size if cat else dim.n_columns
            for dim, cat in zip(self.dimensions, self._categorical)
        )

    def encode(self, candidates, *, onehot=False):
        """Candidates (dicts) to an array of unit-cube points.

        With ``onehot=True`` every categorical dimension with more than one
        choice becomes one column per choice, 1 for the chosen one.
        """
        candidates = list(candidates)
        columns = []
        for name, dim, cat in zip(self.names, self.dimensions, self._categorical):
            values = [c[name] for c in candidates]
            if onehot and cat:
                idx = np.array([dim.index(v) for v in values], dtype=int)
                columns.append(np.eye(dim.size)[idx].reshape(len(candidates), -1))
            else:
                columns.append(
                    dim.to_unit(values).reshape(len(candidates), dim.n_columns)
                )
        if not columns:
            return np.zeros((len(candidates), 0))
        return np.hstack(columns)

    def _split_columns(self, X, onehot):
        X = np.atleast_2d(np.asarray(X, dtype=float))
        start = 0
        for dim, cat in zip(self.dimensions, self._categorical):
            width = dim.size if onehot and cat else dim.n_columns
            block = X[:, start : start + width]
            start += width
            if onehot and cat:
                # The unit point at the centre of the cell of the top choice.
                yield dim, (np.argmax(block, axis=1) + 0.5) / dim.size
            elif width == 1:
                yield dim, block[:, 0]
            else:
                yield dim, block

    def decode(self, X, *, onehot=False):
        """Unit-cube points (rows of `X`) to candidates (dicts)."""
        X = np.atleast_2d(np.asarray(X, dtype=float))
        columns = [dim.from_unit(u) for dim, u in self._split_columns(X, onehot)]
        return [dict(zip(self.names, row)) for row in zip(*columns)] or [
            {} for _ in range(len(X))
        ]

    def snap(self, X):
        """Snap unit-cube points to the points that stand for their values."""
        X = np.atleast_2d(np.asarray(X, dtype=float))
        snapped = [dim.snap(u) for dim, u in self._split_columns(X, False)]
        return np.column_stack(snapped) if snapped else X.copy()

    def active(self, X):
        """Which columns of unit-cube points decide their candidates.

        Inactive columns (the width of a layer a stack does not have) are
        set by :meth:`snap` to a value of their own choosing and ignored by
        :meth:`decode`; an optimizer need not spend its moves on them.

        Returns
        -------
        ndarray of bool of shape (n_points, n_dims)
        """
        X = np.atleast_2d(np.asarray(X, dtype=float))
        blocks = [
            dim.active(u).reshape(len(X), dim.n_columns)
            for dim, u in self._split_columns(X, False)
        ]
        return np.hstack(blocks) if blocks else np.ones(X.shape, dtype=bool)

    def sample(self, n, random_state=None):
        """Draw `n` candidates uniformly in the unit cube."""
        rng = _as_random_generator(random_state)
        return self.decode(self.spread(rng.uniform(size=(n, self.n_dims))))

    def spread(self, U):
        """Unit-cube points of the candidates that uniform points pick
        (each dimension's :meth:`Dimension.spread`)."""
        U = np.atleast_2d(np.asarray(U, dtype=float))
        blocks = [
            np.reshape(
                dim.spread(U[:, part] if dim.n_columns > 1 else U[:, part.start]),
                (len(U), dim.n_columns),
            )
            for dim, part in zip(self.dimensions, self.slices)
        ]
        return np.hstack(blocks) if blocks else U.copy()

    def contains(self, candidate):
        """Whether `candidate` (a dict) belongs to this sub-space."""
        return set(candidate) == set(self.names) and all(
            dim.contains(candidate[name])
            for name, dim in zip(self.names, self.dimensions)
        )

    def key(self, candidate):
        """A hashable that identifies `candidate` exactly."""
        return tuple(
            dim.key(candidate[name]) for name, dim in zip(self.names, self.dimensions)
        )

    def enumerate(self):
        """Every candidate of a finite sub-space, in a fixed order."""
        names = self.names
        for values in itertools.product(*(dim.values() for dim in self.dimensions)):
            yield dict(zip(names, values))

    def __repr__(self):
        inner = ", ".join(f"{n!r}: {d!r}" for n, d in zip(self.names, self.dimensions))
        return "{" + inner + "}"


class SearchSpace:
    """A search space: one or several disjoint sub-spaces of named dimensions.

    Built from what users already pass to
    :class:`~sklearn.model_selection.GridSearchCV` or
    :class:`~sklearn.model_selection.RandomizedSearchCV`.

    Parameters
    ----------
    param_distributions : dict or list of dicts
        Parameter names to a list of values (categorical), a frozen
        scipy.stats distribution, or a :class:`Real`, :class:`Integer`,
        :class:`Categorical` or :class:`~sklearn_tune.Layers`. A list of
        dicts is a union of disjoint sub-spaces.

    Attributes
    ----------
    subspaces : list of SubSpace
        One per dict.
    size : int or float
        Number of distinct candidates (``math.inf`` if any dimension is
        continuous or unbounded).

    Examples
    --------
    >>> from scipy.stats import loguniform
    >>> from sklearn_tune import SearchSpace, Integer
    >>> space = SearchSpace([
    ...     {"kernel": ["linear"], "C": loguniform(1e-2, 1e2)},
    ...     {"kernel": ["rbf"], "C": loguniform(1e-2, 1e2), "degree": Integer(2, 4)},
    ... ])
    >>> len(space.subspaces), space.size
    (2, inf)
    >>> candidate = {"kernel": "rbf", "C": 1.0, "degree": 3}
    >>> space.locate(candidate)
    1
    >>> space.subspaces[1].encode([candidate]).round(3)
    array([[0.5, 0.5, 0.5]])
    """

    def __init__(self, param_distributions):
        if isinstance(param_distributions, Mapping):
            dicts = [param_distributions]
        elif isinstance(param_distributions, Sequence) and not isinstance(
            param_distributions, (str, bytes)
        ):
            dicts = list(param_distributions)
            if not dicts:
                raise ValueError(
                    "param_distributions must hold at least one dict, got an "
                    "empty list."
                )
        else:
            raise TypeError(
                "param_distributions must be a dict or a list of dicts, got "
                f"{type(param_distributions).__name__}."
            )
        self.param_distributions = param_distributions
        self.subspaces = [SubSpace(d) for d in dicts]
        self.size = sum(s.size for s in self.subspaces)

    def locate(self, candidate):
        """Index of the first sub-space that holds `candidate`."""
        for i, subspace in enumerate(self.subspaces):
            if subspace.contains(candidate):
                return i
        raise ValueError(f"{candidate!r} is not a candidate of this search space.")

    def key(self, candidate, subspace=None):
        """A hashable that identifies `candidate` across the whole space."""
        i = self.locate(candidate) if subspace is None else subspace
        return (i, self.subspaces[i].key(candidate))

    def sample(self, n, random_state=None):
        """Draw `n` candidates: a sub-space uniformly, then a point in it.

        Returns a list of ``(subspace_index, candidate)`` pairs.
        """
        rng = _as_random_generator(random_state)
        k = len(self.subspaces)
        which = np.minimum((rng.uniform(size=n) * k).astype(int), k - 1)
        drawn = [
            iter(subspace.sample(int(np.sum(which == i)), rng))
            for i, subspace in enumerate(self.subspaces)
        ]
        return [(int(i), next(drawn[i])) for i in which]

    def __repr__(self):
        return f"SearchSpace({self.subspaces!r})"
