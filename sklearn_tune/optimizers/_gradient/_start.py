"""The state of one ascent path between asks, and where new paths begin."""

from dataclasses import dataclass, field
from enum import Enum

import numpy as np


class Phase(Enum):
    """What a start waits for, or does next."""

    #: The score of its centre, and a told gradient there if any.
    CENTRE = "centre"
    #: The scores of the probes around its centre.
    PROBE = "probe"
    #: Nothing: it proposes its next step.
    STEP = "step"
    #: The scores of its trial points.
    TRIAL = "trial"
    #: Nothing more: it has converged and is replaced by a new start.
    DONE = "done"


@dataclass(eq=False)
class Start:
    """One ascent path: plain data, so that the optimizer pickles.

    Points are in the unit cube of the start's sub-space; ``x`` is the
    centre's coordinates in its continuous dimensions, the only ones that
    move.

    Attributes
    ----------
    ident : int
        Id of the path, the ``start`` column of ``cv_results_``.
    subspace : int
        Index of the sub-space the path stays in.
    candidate : dict
        The centre.
    unit : ndarray
        The centre in the unit cube of the sub-space.
    continuous : ndarray of int
        Indices of the sub-space's continuous dimensions.
    radius : float
        Trust radius of the steps.
    n_steps : int
        Steps proposed so far.
    phase : Phase
        What the start waits for, or does next.
    value : float
        The objective at the centre: the told smooth objective on the exact
        path, the score otherwise.
    smooth : bool
        Whether the steps follow a told smooth objective.
    grad : ndarray
        The gradient the steps follow, over ``x``.
    source : str
        Where it comes from: ``"exact"``, ``"finite_difference"``,
        ``"spsa"`` or ``"none"``.
    inv_hess : ndarray
        Quasi-Newton approximation of the inverse Hessian of the loss.
    updated : bool
        Whether `inv_hess` has had a BFGS update since it was set.
    backtrack : ndarray
        The step to retry after a failed smooth trial.
    probes : list of (unit, candidate)
        Two probes per direction, at ``x + h u`` and ``x - h u``.
    probe_size : float
        ``h``.
    directions : ndarray of shape (n_directions, n_continuous)
        The probe directions ``u``.
    newton : ndarray
        The step the probes suggest.
    step : ndarray
        The pending step.
    trials : list of (unit, candidate)
        The pending step's trial points, the step itself first.
    points : list of (x, key)
        The path's recent points, for least-squares slopes.
    """

    ident: int
    subspace: int
    candidate: dict
    unit: np.ndarray
    continuous: np.ndarray
    radius: float
    n_steps: int = 0
    phase: Phase = Phase.CENTRE
    value: float = None
    smooth: bool = False
    grad: np.ndarray = None
    source: str = "none"
    inv_hess: np.ndarray = None
    updated: bool = False
    backtrack: np.ndarray = None
    probes: list = field(default_factory=list)
    probe_size: float = None
    directions: np.ndarray = None
    newton: np.ndarray = None
    step: np.ndarray = None
    trials: list = field(default_factory=list)
    points: list = field(default_factory=list)

    @property
    def x(self):
        return self.unit[self.continuous]

    def remember(self, unit, key):
        """Keep the start's recent points, for its least-squares slopes."""
        self.points.append((unit[self.continuous], key))
        del self.points[: -4 * max(1, len(self.continuous))]

    def free(self, direction):
        """`direction` less its components against a bound the centre is on."""
        x = self.x
        blocked = ((x <= 0.0) & (direction < 0)) | ((x >= 1.0) & (direction > 0))
        return np.where(blocked, 0.0, direction)


def discrete_neighbour(space, subspace, candidate, rng, *, exclude):
    """`candidate` with one integer or categorical value moved, if any.

    An integer moves one cell up or down, a category to another one, a
    :class:`~sklearn_tune.Layers` stack gains or loses its last layer or has
    one width doubled or halved (each dimension's ``neighbours``); the moves
    are tried in a random order.

    Parameters
    ----------
    space : SearchSpace
        The space.
    subspace : int
        Index of the sub-space of `candidate`.
    candidate : dict
        The point to move from, usually the best so far.
    rng : numpy Generator
        Orders the moves.
    exclude : set
        Keys of the points not to return (seen or queued).

    Returns
    -------
    neighbour : (subspace, dict) or None
    """
    sub = space.subspaces[subspace]
    moves = []
    for name, dim in zip(sub.names, sub.dimensions):
        if dim.is_continuous:
            continue
        moves.extend((name, value) for value in dim.neighbours(candidate[name]))
    for j in rng.permutation(len(moves)):
        name, value = moves[j]
        neighbour = {**candidate, name: value}
        if sub.contains(neighbour) and space.key(neighbour, subspace) not in exclude:
            return subspace, neighbour
    return None
