"""A stack of layers: tuple values such as ``hidden_layer_sizes``, whose
length is searched together with the width of each layer.

The encoding is what the optimizers read. One column holds the depth; the
others hold widths, and the width of a layer that a stack does not have is
inactive: :meth:`Layers.active` says so, and :meth:`Layers.snap` sets it to
the width of the last layer, the width a mutation or local search that adds
a layer starts from. A Gaussian process reads a stack through
:meth:`Layers.summary` and :meth:`Layers.bottleneck` instead, features that
mean the same at every depth.
"""

import itertools
import math
import numbers

import numpy as np

from .space import Dimension, Integer, Real

__all__ = ["Layers"]

_SHAPES = ("per_layer", "shared", "funnel")


class _Fraction(Real):
    """A column of the ``"funnel"`` encoding: a layer's width as a fraction of
    the unit interval up to the width of the layer before. Integer-valued in
    effect, with cells that move with that width, so neither continuous nor
    ordinal to the optimizers."""

    discrete = True

    def __init__(self):
        super().__init__(0.0, 1.0)

    def __repr__(self):
        return "_Fraction()"


def _check_n_layers(n_layers):
    pair = (n_layers, n_layers) if isinstance(n_layers, numbers.Integral) else n_layers
    if (
        isinstance(n_layers, bool)
        or not isinstance(pair, (tuple, list))
        or len(pair) != 2
        or not all(
            isinstance(k, numbers.Integral) and not isinstance(k, bool) for k in pair
        )
    ):
        raise TypeError(
            "n_layers must be an int or a (low, high) pair of ints, got "
            f"{n_layers!r}."
        )
    low, high = int(pair[0]), int(pair[1])
    if not 1 <= low <= high:
        raise ValueError(
            f"n_layers must satisfy 1 <= low <= high, got {n_layers!r}."
        )
    return low, high


class Layers(Dimension):
    """A stack of layers: tuples of widths, such as ``hidden_layer_sizes``.

    The number of layers and the width of every layer are searched
    together, so a strategy can learn that deeper or wider helps, where a
    list of hand-picked tuples gives it unordered choices. Values are tuples
    of ints, ``(256, 64, 32)``, as
    :class:`~sklearn.neural_network.MLPClassifier` takes them.

    To the optimizers the stack is several columns of the unit cube: the
    depth, then the widths (log-scaled if `units` is). The widths of layers
    a stack does not have are inactive (see :meth:`active`): they do not
    change the value, and their columns hold the width of the last layer,
    so a mutation or a local search that adds a layer starts from a copy of
    the last one. A Gaussian process reads summaries of the stack instead
    of the width columns (see :meth:`summary`).

    Parameters
    ----------
    n_layers : int or (int, int), default=(1, 4)
        Number of layers, or its bounds ``(low, high)`` (both included,
        ``1 <= low <= high``).
    units : Integer, default=Integer(8, 512, log=True)
        The width of a layer.
    shape : {"per_layer", "shared", "funnel"}, default="per_layer"
        ``"per_layer"``: every layer has its own width. ``"shared"``: all
        layers have the same width, searched once. ``"funnel"``: widths
        never increase from one layer to the next; each layer's width is
        encoded as a fraction of the range up to the width before, so every
        point of the unit cube is a valid funnel.

    Attributes
    ----------
    size : int
        Number of distinct stacks.

    Examples
    --------
    >>> from sklearn_tune import Integer, Layers
    >>> layers = Layers(n_layers=(1, 3), units=Integer(8, 512, log=True))
    >>> layers.rvs(random_state=0)
    (23, 9)
    >>> u = layers.to_unit([(256, 64)])
    >>> u.round(2)
    array([[0.5 , 0.84, 0.51, 0.51]])
    >>> layers.active(u)
    array([[ True,  True,  True, False]])
    >>> layers.from_unit(u)
    [(256, 64)]
    >>> funnel = Layers(n_layers=(1, 3), units=Integer(8, 512), shape="funnel")
    >>> funnel.contains((64, 128)), funnel.contains((128, 64, 64))
    (False, True)
    """

    def __init__(
        self, n_layers=(1, 4), units=Integer(8, 512, log=True), *, shape="per_layer"
    ):
        low, high = _check_n_layers(n_layers)
        if not isinstance(units, Integer):
            raise TypeError(
                "units must be an Integer dimension, such as "
                f"Integer(8, 512, log=True); got {units!r}."
            )
        if units.low < 1:
            raise ValueError(
                f"units must count at least one unit per layer, got {units!r}."
            )
        if shape not in _SHAPES:
            raise ValueError(
                f"shape must be one of {', '.join(map(repr, _SHAPES))}; "
                f"got {shape!r}."
            )
        self.n_layers = n_layers if isinstance(n_layers, numbers.Integral) else (
            low, high
        )
        self.units = units
        self.shape = shape
        self._low, self._high = low, high
        self._depth = Integer(low, high) if low < high else None
        if shape == "shared":
            widths = [units]
        elif shape == "funnel":
            widths = [units] + [_Fraction() for _ in range(high - 1)]
        else:
            widths = [units] * high
        self._columns = ([self._depth] if self._depth else []) + widths
        depths = range(low, high + 1)
        s = units.size
        if shape == "shared":
            self.size = len(depths) * s
        elif shape == "funnel":
            self.size = sum(math.comb(s + d - 1, d) for d in depths)
        else:
            self.size = sum(s**d for d in depths)

    @property
    def columns(self):
        return list(self._columns)

    # ------------------------------------------------------------ encoding --

    def _split(self, u):
        u = np.clip(np.asarray(u, dtype=float), 0.0, 1.0)
        u = u.reshape(-1, len(self._columns))
        if self._depth is None:
            return np.full(len(u), self._low), u
        return np.asarray(self._depth.from_unit(u[:, 0]), dtype=int), u[:, 1:]

    def _ceiling(self, width):
        """Unit point of the top of the cell of `width`."""
        units = self.units
        top = units._forward(np.asarray(width, dtype=float) + 0.5)
        return (top - units._t_low) / (units._t_high - units._t_low)

    def to_unit(self, values):
        values = list(values)
        n = len(values)
        out = np.empty((n, len(self._columns)))
        if not n:
            return out
        depth = np.array([len(v) for v in values])
        start = 0
        if self._depth is not None:
            out[:, 0] = self._depth.to_unit(depth)
            start = 1
        if self.shape == "shared":
            out[:, start] = self.units.to_unit([v[0] for v in values])
            return out
        # Inactive layers repeat the last one.
        padded = np.array(
            [list(v) + [v[-1]] * (self._high - len(v)) for v in values], dtype=float
        )
        if self.shape == "per_layer":
            out[:, start:] = self.units.to_unit(padded)
            return out
        out[:, start] = self.units.to_unit(padded[:, 0])
        for k in range(1, self._high):
            out[:, start + k] = self.units.to_unit(padded[:, k]) / self._ceiling(
                padded[:, k - 1]
            )
        return np.clip(out, 0.0, 1.0)

    def _widths(self, w):
        """Integer widths of every layer, active or not, from width columns."""
        if self.shape == "shared":
            return np.repeat(self.units._decode(w[:, 0])[:, None], self._high, axis=1)
        if self.shape == "per_layer":
            return self.units._decode(w)
        widths = np.empty(w.shape)
        widths[:, 0] = self.units._decode(w[:, 0])
        for k in range(1, self._high):
            below = self.units._decode(w[:, k] * self._ceiling(widths[:, k - 1]))
            widths[:, k] = np.minimum(below, widths[:, k - 1])
        return widths

    def from_unit(self, u):
        depth, w = self._split(u)
        widths = self._widths(w).astype(int)
        return [tuple(int(x) for x in row[:d]) for row, d in zip(widths, depth)]

    def snap(self, u):
        return self.to_unit(self.from_unit(u))

    def bottleneck(self, u):
        """Unit-cube width of the narrowest layer of each stack.

        A Gaussian process reads it as a feature besides the columns: how
        much a stack can carry is set by its narrowest layer, whichever it
        is, an effect no single width column shows.

        Parameters
        ----------
        u : array-like of shape (n_points, n_columns)
            Unit-cube rows of the dimension's columns.

        Returns
        -------
        ndarray of shape (n_points,) or None
            The narrowest active width, encoded as `units` encodes a width;
            None for ``shape="shared"``, whose one width column already is.
        """
        if self.shape == "shared":
            return None
        depth, w = self._split(u)
        widths = self._widths(w)
        widths[np.arange(self._high) >= depth[:, None]] = np.inf
        return self.units.to_unit(widths.min(axis=1))

    def summary(self, u):
        """What a Gaussian process reads of each stack in place of its columns.

        One width per column would mean different layers at different
        depths: the second width of ``(512, 128, 32)`` is a middle layer,
        that of ``(512, 32)`` the last one, and an inactive width copies
        the last. The summaries mean the same thing at every depth, so a
        result at one depth informs the guess at another: the depth (when
        it is searched), then the width of the first layer, of the last
        one, the log of the number of weights between layers plus the
        number of units (the stack's capacity, scaled so that one layer of
        the narrowest width is 0 and the deepest stack of the widest layers
        is 1), and the mean width; with more than four width columns, the
        rest are 0. With :meth:`bottleneck`, the narrowest width, that is
        one feature more than the dimension has columns.

        Parameters
        ----------
        u : array-like of shape (n_points, n_columns)
            Unit-cube rows of the dimension's columns.

        Returns
        -------
        ndarray of shape (n_points, n_columns) or None
            Widths encoded as `units` encodes them; None for
            ``shape="shared"``, whose one width column says it all.
        """
        if self.shape == "shared":
            return None
        depth, w = self._split(u)
        widths = self._widths(w)
        active = np.arange(self._high) < depth[:, None]
        rows = np.arange(len(widths))
        units = np.where(active, widths, 0.0)
        links = (units[:, :-1] * units[:, 1:]).sum(axis=1)
        low, high = self.units.low, self.units.high
        floor = math.log(low)
        ceiling = math.log((self._high - 1) * high**2 + self._high * high)
        capacity = (np.log(links + units.sum(axis=1)) - floor) / (ceiling - floor)
        encoded = self.units.to_unit(widths)
        mean = np.where(active, encoded, 0.0).sum(axis=1) / depth
        summaries = [
            encoded[:, 0],
            encoded[rows, depth - 1],
            capacity,
            mean,
        ] + [np.zeros(len(widths))] * (self._high - 4)
        out = np.empty((len(widths), len(self._columns)))
        start = len(self._columns) - self._high
        out[:, :start] = np.asarray(u, dtype=float).reshape(len(widths), -1)[:, :start]
        out[:, start:] = np.column_stack(summaries[: self._high])
        return out

    def active(self, u):
        depth, w = self._split(u)
        mask = np.ones((len(w), len(self._columns)), dtype=bool)
        if self.shape != "shared":
            start = len(self._columns) - self._high
            mask[:, start:] = np.arange(self._high) < depth[:, None]
        return mask

    # -------------------------------------------------------------- values --

    def contains(self, value):
        if not isinstance(value, (tuple, list)):
            return False
        if not self._low <= len(value) <= self._high:
            return False
        if not all(self.units.contains(w) for w in value):
            return False
        if self.shape == "shared":
            return len(set(value)) == 1
        if self.shape == "funnel":
            return all(a >= b for a, b in zip(value, value[1:]))
        return True

    def key(self, value):
        return tuple(int(w) for w in value)

    def values(self):
        widths = self.units.values()
        out = []
        for d in range(self._low, self._high + 1):
            if self.shape == "shared":
                out.extend((w,) * d for w in widths)
            elif self.shape == "funnel":
                out.extend(
                    itertools.combinations_with_replacement(widths[::-1], d)
                )
            else:
                out.extend(itertools.product(widths, repeat=d))
        return out

    def neighbours(self, value):
        """Stacks one move away: the last layer copied or dropped, or the
        width of one layer (of all of them for ``"shared"``) doubled or
        halved; some may fall outside the dimension."""
        value = tuple(int(w) for w in value)
        moves = [value + value[-1:], value[:-1]]
        if self.shape == "shared":
            moves += [tuple(2 * w for w in value), tuple(w // 2 for w in value)]
        else:
            for k, w in enumerate(value):
                for new in (2 * w, w // 2):
                    moves.append(value[:k] + (new,) + value[k + 1 :])
        return moves

    def __repr__(self):
        return (
            f"Layers(n_layers={self.n_layers!r}, units={self.units!r}, "
            f"shape={self.shape!r})"
        )

    def __eq__(self, other):
        return type(self) is type(other) and repr(self) == repr(other)

    def __hash__(self):
        return hash(repr(self))
