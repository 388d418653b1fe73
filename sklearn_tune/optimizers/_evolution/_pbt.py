"""Population-based training: an ask/tell core over (member, step).

A candidate is a member's hyperparameters for one step of its training;
the search continues each member's model from the state named by its
lineage, so the optimizer only decides, after each step, who copies whom
and how the copies' hyperparameters move.
"""

import math
import numbers

import numpy as np

from ...space import Categorical
from .._base import BaseOptimizer

__all__ = ["PBTOptimizer"]

# The factors of the paper (Jaderberg et al., 2017), also Ray Tune's.
PERTURBATION_FACTORS = (0.8, 1.2)


class PBTOptimizer(BaseOptimizer):
    """Population-based training (Jaderberg et al., 2017), as ask/tell.

    A population of `population_size` members trains for `n_steps` steps.
    Each :meth:`ask` returns the hyperparameters of every member for the
    next step, in member order; :meth:`results_columns` says which member
    each is and whose state at the previous step it continues (its
    ``parent``: itself, or the member it copied; -1 at step 0). After a
    step is told:

    - exploit (truncation selection): the members are ranked by their score
      at that step (failures last, ties by member number); each of the
      bottom ``n = max(1, floor(fraction * population_size))`` copies a
      member drawn uniformly among the top ``n``: its parent for the next
      step is that member, whose trained state it continues;
    - explore: the copy's hyperparameters are the parent's, each dimension
      drawn again uniformly on its unit scale with probability
      `resample_probability`, otherwise moved: a real or integer value (a
      numeric scipy distribution included) is multiplied by 0.8 or 1.2
      with equal probability and clipped into its range (an integer moves
      at least one step), an ordered choice moves to the next choice below
      (0.8) or above (1.2), if any; an unordered choice, or a dimension of
      several columns (layers), is kept;
    - the other members keep their hyperparameters and continue their own
      state.

    The first step is a uniform sample of the space. Candidates may repeat
    (a member keeps its hyperparameters from one step to the next), so
    unlike the other optimizers this one does not filter seen candidates;
    it asks whole steps only.

    Parameters
    ----------
    space : SearchSpace, dict or list of dicts
        Where to search; a member stays in its sub-space, a copy moves to
        its parent's.
    population_size : int, default=10
        Number of members, and of candidates in each step.
    n_steps : int, default=5
        Number of steps; :attr:`finished` once they are told.
    fraction : float in (0, 0.5], default=0.2
        Share of the population that copies the top share after a step.
    resample_probability : float in [0, 1], default=0.25
        Probability that a copied hyperparameter is drawn again rather than
        moved.
    random_state : int, numpy Generator or None, default=None
        Seed of the optimizer's private generator.

    Attributes
    ----------
    step_ : int
        The step asked next (`n_steps` once finished).
    population_ : list of dict
        Hyperparameters of each member for step `step_`.
    parents_ : list of int
        Member whose state at the previous step each member continues at
        step `step_` (-1 at step 0).
    steps_, members_, parent_members_ : list of int
        Step, member and parent of each told candidate.

    Examples
    --------
    >>> from sklearn_tune import Real
    >>> from sklearn_tune.optimizers._evolution import PBTOptimizer
    >>> opt = PBTOptimizer({"x": Real(0.0, 4.0)}, population_size=4, n_steps=3,
    ...                    random_state=0)
    >>> while not opt.finished:
    ...     batch = opt.ask(opt.next_batch_size())
    ...     opt.tell(batch, [-abs(c["x"] - 1.0) for c in batch])
    >>> opt.steps_
    [0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2]
    >>> opt.parent_members_[4:]  # the worst member copies the best each step
    [0, 2, 2, 3, 2, 1, 2, 3]
    >>> [round(c["x"], 3) for c in opt.candidates_[:4]]
    [3.253, 3.651, 2.427, 2.918]
    >>> [round(opt.candidates_[i]["x"], 3) for i in opt.lineage(9)]  # 2.427 * 1.2
    [2.427, 2.912, 2.912]
    """

    def __init__(
        self,
        space,
        *,
        population_size=10,
        n_steps=5,
        fraction=0.2,
        resample_probability=0.25,
        random_state=None,
    ):
        super().__init__(space, random_state=random_state)
        for name, value in (("population_size", population_size), ("n_steps", n_steps)):
            if (
                not isinstance(value, numbers.Integral)
                or isinstance(value, bool)
                or value < (2 if name == "population_size" else 1)
            ):
                low = 2 if name == "population_size" else 1
                raise ValueError(f"{name} must be an integer >= {low}, got {value!r}.")
        if not (isinstance(fraction, numbers.Real) and 0 < fraction <= 0.5):
            raise ValueError(f"fraction must be in (0, 0.5], got {fraction!r}.")
        if not (
            isinstance(resample_probability, numbers.Real)
            and 0 <= resample_probability <= 1
        ):
            raise ValueError(
                f"resample_probability must be in [0, 1], got {resample_probability!r}."
            )
        self.population_size = int(population_size)
        self.n_steps = int(n_steps)
        self.fraction = float(fraction)
        self.resample_probability = float(resample_probability)
        self.step_ = 0
        self._subspaces = []
        self.population_ = []
        self.parents_ = [-1] * self.population_size
        self.steps_ = []
        self.members_ = []
        self.parent_members_ = []
        self._rows = {}

    def next_batch_size(self):
        """A whole step: `population_size`."""
        return self.population_size

    @property
    def finished(self):
        """Whether all `n_steps` steps are told."""
        return self.step_ >= self.n_steps

    def ask(self, n_points=None):
        """The hyperparameters of every member for the next step.

        Parameters
        ----------
        n_points : int, default=None
            At least `population_size` (a step is asked whole); None means
            `population_size`.

        Returns
        -------
        candidates : list of dict
            One per member, in member order; empty once finished.
        """
        if n_points is not None and (
            not isinstance(n_points, numbers.Integral) or n_points < 1
        ):
            raise ValueError(f"n_points must be an integer >= 1, got {n_points!r}.")
        if self.finished:
            return []
        if n_points is not None and n_points < self.population_size:
            raise ValueError(
                f"Population-based training asks whole steps of population_size="
                f"{self.population_size} members; got n_points={n_points}."
            )
        return [dict(c) for c in self._ask(self.population_size)]

    def _ask(self, n_points):
        if not self.population_:
            drawn = self.space.sample(self.population_size, self._rng)
            self._subspaces = [i for i, _ in drawn]
            self.population_ = [c for _, c in drawn]
        return self.population_

    def results_columns(self, candidates):
        return {
            "step": [self.step_] * len(candidates),
            "member": list(range(len(candidates))),
            "parent": list(self.parents_[: len(candidates)]),
        }

    def row(self, step, member):
        """History index of `member`'s candidate at `step` (told)."""
        return self._rows[step, member]

    def lineage(self, index):
        """History indices of the steps that trained the model of candidate
        `index`, from step 0 to its own.

        Parameters
        ----------
        index : int
            Index of a told candidate.

        Returns
        -------
        indices : list of int
        """
        path = [index]
        while self.parent_members_[path[-1]] >= 0:
            step = self.steps_[path[-1]]
            path.append(self.row(step - 1, self.parent_members_[path[-1]]))
        return path[::-1]

    def _tell(self, candidates, subspaces, scores):
        first = len(self.candidates_) - len(candidates)
        for member, parent in enumerate(self.parents_[: len(candidates)]):
            self._rows[self.step_, member] = first + member
            self.steps_.append(self.step_)
            self.members_.append(member)
            self.parent_members_.append(parent)
        self.step_ += 1
        if self.finished:
            return
        # Best first, a failure (imputed to the worst score) ties the worst,
        # ties broken by member number.
        order = np.argsort(-np.asarray(scores, dtype=float), kind="stable")
        n = max(1, math.floor(self.fraction * self.population_size))
        top, bottom = order[:n], order[-n:]
        self.parents_ = list(range(self.population_size))
        for member in bottom:
            parent = int(top[self._rng.integers(n)])
            self.parents_[member] = parent
            self._subspaces[member] = self._subspaces[parent]
            self.population_[member] = self._explore(
                self.population_[parent], self._subspaces[parent]
            )

    def _explore(self, candidate, subspace):
        """The parent's hyperparameters `candidate`, perturbed."""
        sub = self.space.subspaces[subspace]
        child = dict(candidate)
        for name, dim in zip(sub.names, sub.dimensions):
            if self._rng.uniform() < self.resample_probability:
                u = dim.spread(self._rng.uniform(size=dim.n_columns))
                child[name] = dim.from_unit(u if dim.n_columns > 1 else u[:1])[0]
                continue
            if dim.n_columns > 1 or dim.is_categorical or dim.size <= 1:
                continue
            factor = PERTURBATION_FACTORS[int(self._rng.integers(2))]
            child[name] = _moved(dim, child[name], factor)
        return child


def _moved(dim, value, factor):
    """`value` of the numeric dimension `dim` multiplied by `factor`, in range."""
    if isinstance(dim, Categorical):
        # Ordered choices: the next one on the scale in the factor's direction.
        choices = [c for c in dim.values() if (c < value if factor < 1 else c > value)]
        if not choices:
            return value
        return max(choices) if factor < 1 else min(choices)
    target = value * factor
    if not dim.is_continuous:
        target = round(target)
        if target == value:
            target = value + (-1 if (factor < 1) == (value > 0) else 1)
    u = np.clip(dim.to_unit([target]), 0.0, 1.0)
    return dim.from_unit(u)[0]
