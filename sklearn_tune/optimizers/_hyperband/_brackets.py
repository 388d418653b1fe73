"""The arithmetic of Hyperband's levels and brackets, and the records of
the brackets and rounds an optimizer plans and runs."""

import math
import numbers
from dataclasses import dataclass, field

# Slack for floating-point powers of eta (3 ** 3 / 27 may not be exactly 1).
EPS = 1e-9


def geometric_levels(min_resources, max_resources, eta):
    """Resource levels ``max_resources * eta ** -k`` down to `min_resources`.

    Parameters
    ----------
    min_resources, max_resources : int or float
        Bounds, ``0 < min_resources <= max_resources``. The lowest level is
        the smallest ``max_resources / eta ** k`` not below `min_resources`.
    eta : float
        Ratio between consecutive levels, > 1.

    Returns
    -------
    levels : list
        Increasing levels ending at `max_resources`; integers when both
        bounds are integers (rounded, duplicates dropped).

    Examples
    --------
    >>> from sklearn_tune.optimizers._hyperband import geometric_levels
    >>> geometric_levels(1, 81, 3)
    [1, 3, 9, 27, 81]
    >>> geometric_levels(3, 100, 3)
    [4, 11, 33, 100]
    """
    ratio = math.log(max_resources / min_resources) / math.log(eta)
    n_halvings = math.floor(ratio + EPS)
    levels = [max_resources * eta ** (k - n_halvings) for k in range(n_halvings + 1)]
    if isinstance(min_resources, numbers.Integral) and isinstance(
        max_resources, numbers.Integral
    ):
        levels = sorted({int(round(level)) for level in levels})
    return levels


def rung_sizes(n_configs, n_halvings, eta):
    """Candidates per rung of a bracket: ``floor(n_configs / eta ** i)``."""
    return [math.floor(n_configs / eta**i + EPS) for i in range(n_halvings + 1)]


def hyperband_brackets(n_levels, eta):
    """The brackets of one Hyperband round, most exploratory first.

    Bracket ``s`` (``s = n_levels - 1, ..., 0``) starts
    ``ceil(n_levels / (s + 1) * eta ** s)`` configurations at level
    ``n_levels - 1 - s`` and halves them ``s`` times, keeping the best
    ``1 / eta`` each time, so every bracket spends about the same resource.

    Parameters
    ----------
    n_levels : int
        Number of resource levels.
    eta : float
        Elimination rate, > 1.

    Returns
    -------
    brackets : list of list of int
        Rung sizes of each bracket.

    Examples
    --------
    >>> from sklearn_tune.optimizers._hyperband import hyperband_brackets
    >>> hyperband_brackets(3, 3)
    [[9, 3, 1], [5, 1], [3]]
    """
    return [
        rung_sizes(math.ceil(n_levels / (s + 1) * eta**s - EPS), s, eta)
        for s in range(n_levels - 1, -1, -1)
    ]


def plan_rounds(n_levels, eta, max_evaluations):
    """Rounds of brackets whose rungs add up to exactly `max_evaluations`.

    Full rounds repeat while they fit; then, in the same order, each bracket
    is shrunk to the most configurations that still fit (a bracket that
    cannot keep one configuration to its last rung is left out), until the
    budget is spent.

    Returns
    -------
    rounds : list of list of list of int
        The rung sizes of each bracket of each round.
    """
    rounds = []
    left = max_evaluations
    while left > 0:
        round_ = []
        for sizes in hyperband_brackets(n_levels, eta):
            n, n_halvings = sizes[0], len(sizes) - 1
            while n > 0 and sum(rung_sizes(n, n_halvings, eta)) > left:
                n -= 1
            shrunk = rung_sizes(n, n_halvings, eta)
            if n > 0 and shrunk[-1] > 0:
                round_.append(shrunk)
                left -= sum(shrunk)
        rounds.append(round_)
    return rounds


@dataclass
class Bracket:
    """One bracket of successive halving, as planned and as run.

    Attributes
    ----------
    start : int
        Index of the level of its first rung.
    sizes : list of int
        Number of configurations planned at each rung.
    check : list of (int, dict) or None
        For the check of a level: the ``(subspace, candidate)`` pairs its
        one rung scores, instead of new configurations.
    round : int
        Index of its round.
    rungs : list of list of (int, dict)
        The ``(subspace, candidate)`` pairs asked at each rung so far.
    """

    start: int
    sizes: list
    check: list = None
    round: int = -1
    rungs: list = field(default_factory=list)


@dataclass
class Round:
    """A round of brackets, scheduled one level at a time.

    Attributes
    ----------
    brackets : list of int
        Indices of its brackets.
    next_level : int
        Index of the next level to schedule.
    outstanding : set
        Keys of its candidates asked and not yet told; the next level
        waits for them.
    """

    brackets: list = field(default_factory=list)
    next_level: int = 0
    outstanding: set = field(default_factory=set)
