"""Evolutionary strategies: a genetic algorithm and differential evolution.

Both work in the unit cube of each sub-space of a
:class:`~sklearn_tune.SearchSpace`. Real, integer and ordered discrete
dimensions are recombined and mutated as real numbers, then snapped to the
value they decode to; categorical dimensions are inherited from a parent and
mutate by drawing another choice. Every generation is asked for as one batch,
so that all its fits run in parallel.
"""

import math
import numbers

import numpy as np

from ..space import Categorical
from ._base import BaseOptimizer

__all__ = ["OPERATORS", "SELECTIONS", "EvolutionaryOptimizer"]

#: The crossover and mutation operators of each strategy.
OPERATORS = {
    "ga": {
        "crossover": ("sbx", "blend", "uniform"),
        "mutation": ("polynomial", "gaussian"),
    },
    "de": {
        "crossover": ("binomial", "exponential"),
        "mutation": (
            "rand/1",
            "best/1",
            "current-to-best/1",
            "current-to-pbest/1",
        ),
    },
}
_AUTO = {
    "ga": {"crossover": "sbx", "mutation": "gaussian", "crossover_rate": 0.9},
    "de": {
        "crossover": "binomial",
        "mutation": "current-to-pbest/1",
        "crossover_rate": 0.9,
    },
}
#: The parent selections of the genetic algorithm.
SELECTIONS = ("tournament", "rank")

# Distribution indices of simulated binary crossover and polynomial mutation
# (Deb & Agrawal, 1995): small values spread children further from parents,
# which suits the few generations a hyperparameter budget affords.
_SBX_ETA = 5.0
_POLYNOMIAL_ETA = 5.0
_BLEND_ALPHA = 0.5
_TOURNAMENT_SIZE = 3
# Range of the differential weight, drawn anew each generation. Lower than
# scipy's (0.5, 1) default: a hyperparameter budget affords few generations,
# and smaller steps converge sooner (measured on Rastrigin and Hartmann-6).
_DE_WEIGHT = (0.3, 0.8)
# "current-to-pbest/1" (JADE) moves towards one of this top fraction.
_PBEST_FRACTION = 0.2
# The widest mutation scale is the spread of a uniform population on [0, 1];
# the scale then follows the population's own spread as it converges.
_MAX_SCALE = 1.0 / math.sqrt(12.0)
# Narrowest scale of a continuous dimension, so a collapsed population moves.
_MIN_SCALE = 1e-3
# Chance that a child of a list-of-dicts space moves to another sub-space, so
# that a sub-space that lost all its individuals can come back.
_MIGRATION_RATE = 0.1
# Children equal to an evaluated point are mutated again, with a doubling
# scale, this many times before the base class tops the batch up at random.
_MAX_RETRIES = 8
_NO_PARENT = -1


def _check_option(name, value, options, context=""):
    if not isinstance(value, str) or value not in options:
        raise ValueError(
            f"{name} must be one of {sorted(options)}{context}, got {value!r}."
        )


class EvolutionaryOptimizer(BaseOptimizer):
    """A genetic algorithm or differential evolution in the unit cube.

    The first generation is a Latin hypercube sample of `population_size`
    points (spread over the sub-spaces of a list-of-dicts space). Each later
    generation is asked for as one batch of `population_size` children of the
    current population; a child equal to a point already evaluated is mutated
    again, so no candidate is proposed twice.

    - ``strategy="ga"``: parents are chosen by `selection`, recombined by
      `crossover` with probability `crossover_rate`, and each gene mutates
      with probability `mutation_rate`. The next population is the best
      `population_size` of the children and the `elitism` best parents.
    - ``strategy="de"``: each member of the population (the target) gets a
      trial vector built from the differences of other members (`mutation`)
      and crossed with the target (`crossover`, `crossover_rate` being
      scipy's ``recombination``); the trial replaces its target when it
      scores at least as well, as in
      :func:`scipy.optimize.differential_evolution`. The differential weight
      is drawn in ``[0.3, 0.8)`` each generation.

    The mutation scale of every dimension is the standard deviation of the
    population along it (at most that of a uniform population, at least one
    integer step), so mutations shrink as the population converges.

    Parameters
    ----------
    space : SearchSpace, dict or list of dicts
        Where to search.
    population_size : int, default=10
        Number of individuals of the population, and of candidates in each
        generation.
    strategy : {"ga", "de"}, default="ga"
        Genetic algorithm or differential evolution.
    crossover : str, default="auto"
        ``"sbx"`` (simulated binary), ``"blend"`` (BLX-0.5) or ``"uniform"``
        for ``"ga"``; ``"binomial"`` or ``"exponential"`` for ``"de"``.
        ``"auto"`` is ``"sbx"`` or ``"binomial"``. Categorical genes are
        always inherited from either parent.
    mutation : str, default="auto"
        ``"polynomial"`` or ``"gaussian"`` for ``"ga"``; ``"rand/1"``,
        ``"best/1"``, ``"current-to-best/1"`` or ``"current-to-pbest/1"``
        (towards one of the best 20%, as JADE does) for ``"de"``. ``"auto"``
        is ``"gaussian"`` or ``"current-to-pbest/1"``.
    selection : {"tournament", "rank"}, default="tournament"
        How ``"ga"`` picks parents: the best of 3 drawn at random, or drawn
        with a probability linear in their rank. ``"de"`` draws uniformly.
    elitism : int, default=5
        Number of the best parents of a ``"ga"`` generation that compete with
        the children for the next population: 0 replaces the population by
        its children, `population_size` keeps the best of parents and
        children together. The best individual is never lost for
        ``elitism >= 1``. ``"de"`` is elitist by construction.
    mutation_rate : float in [0, 1], default=None
        Probability that a gene of a ``"ga"`` child mutates, and that a
        categorical gene of a ``"de"`` trial is drawn again. ``None`` means
        ``1 / n_dims``.
    crossover_rate : float in [0, 1], default=None
        Probability that a ``"ga"`` child is a crossover of two parents
        (``None``: 0.9), or that a gene of a ``"de"`` trial comes from the
        mutant (``None``: 0.9).
    random_state : int, numpy Generator or None, default=None
        Seed of the optimizer's private generator.

    Attributes
    ----------
    population_ : list of int
        Indices in the history of the current population.
    generation_ : int
        Number of the latest generation asked for, 0 for the first.
    generations_ : list of int
        Generation of each told candidate.
    parents_ : list of tuple of int
        Indices in the history of each told candidate's two parents (``-1``
        for none): for ``"ga"`` the crossed parents, for ``"de"`` the target
        and the base vector of the mutant.
    mutation_scales_ : list of ndarray
        Current mutation scale of each dimension, one array per sub-space.

    Examples
    --------
    >>> from sklearn_tune import Real
    >>> from sklearn_tune.optimizers import EvolutionaryOptimizer
    >>> opt = EvolutionaryOptimizer(
    ...     {"x": Real(-2.0, 2.0), "y": Real(-2.0, 2.0)}, random_state=0
    ... )
    >>> for _ in range(10):
    ...     batch = opt.ask(opt.population_size)
    ...     opt.tell(batch, [-(c["x"] ** 2 + c["y"] ** 2) for c in batch])
    >>> best = opt.candidates_[opt.best_index_]
    >>> bool(best["x"] ** 2 + best["y"] ** 2 < 0.01)
    True
    >>> opt.generation_, len(set(opt.generations_))
    (9, 10)
    """

    def __init__(
        self,
        space,
        *,
        population_size=10,
        strategy="ga",
        crossover="auto",
        mutation="auto",
        selection="tournament",
        elitism=5,
        mutation_rate=None,
        crossover_rate=None,
        random_state=None,
    ):
        super().__init__(space, random_state=random_state)
        if (
            not isinstance(population_size, numbers.Integral)
            or isinstance(population_size, bool)
            or population_size < 2
        ):
            raise ValueError(
                f"population_size must be an integer >= 2, got {population_size!r}."
            )
        _check_option("strategy", strategy, OPERATORS)
        operators = OPERATORS[strategy]
        for name, value in (("crossover", crossover), ("mutation", mutation)):
            _check_option(
                name, value, ("auto", *operators[name]), f" with strategy={strategy!r}"
            )
        _check_option("selection", selection, SELECTIONS)
        if (
            not isinstance(elitism, numbers.Integral)
            or isinstance(elitism, bool)
            or elitism < 0
        ):
            raise ValueError(f"elitism must be an integer >= 0, got {elitism!r}.")
        for name, value in (
            ("mutation_rate", mutation_rate),
            ("crossover_rate", crossover_rate),
        ):
            if value is not None and not (
                isinstance(value, numbers.Real)
                and not isinstance(value, bool)
                and 0 <= value <= 1
            ):
                raise ValueError(f"{name} must be in [0, 1] or None, got {value!r}.")

        self.population_size = int(population_size)
        self.strategy = strategy
        auto = _AUTO[strategy]
        self.crossover = auto["crossover"] if crossover == "auto" else crossover
        self.mutation = auto["mutation"] if mutation == "auto" else mutation
        self.selection = selection
        self.elitism = min(int(elitism), self.population_size)
        self.mutation_rate = mutation_rate
        self.crossover_rate = (
            auto["crossover_rate"] if crossover_rate is None else crossover_rate
        )

        subspaces = self.space.subspaces
        self._categorical = [
            np.array([isinstance(d, Categorical) for d in s.dimensions], dtype=bool)
            for s in subspaces
        ]
        # One integer step must stay reachable, or an integer never moves.
        self._min_scales = [
            np.array([max(_MIN_SCALE, 1.0 / d.size) for d in s.dimensions])
            for s in subspaces
        ]
        self.mutation_scales_ = [np.full(s.n_dims, _MAX_SCALE) for s in subspaces]
        self.population_ = []
        self.generation_ = 0
        self.generations_ = []
        self.parents_ = []
        self._slots = []
        self._X = []
        self._children = []
        self._lineage = {}
        self._next_slot = 0

    def next_batch_size(self):
        return self.population_size

    def results_columns(self, candidates):
        """Generation and parents of candidates asked for or told.

        Parameters
        ----------
        candidates : list of dict
            Candidates returned by :meth:`ask`.

        Returns
        -------
        columns : dict of list
            ``generation``, and ``parent_1`` and ``parent_2``: indices in the
            history of the two parents, ``-1`` for none.
        """
        told = {}
        columns = {"generation": [], "parent_1": [], "parent_2": []}
        for candidate in candidates:
            key = self.space.key(candidate)
            if key not in self._lineage and not told:
                told = {
                    self.space.key(c, s): i
                    for i, (c, s) in enumerate(zip(self.candidates_, self.subspaces_))
                }
            if key in self._lineage:
                generation, first, second, _ = self._lineage[key]
            elif key in told:
                i = told[key]
                generation, (first, second) = self.generations_[i], self.parents_[i]
            else:
                generation, first, second = self.generation_, _NO_PARENT, _NO_PARENT
            for column, value in zip(columns, (generation, first, second)):
                columns[column].append(value)
        return columns

    # ------------------------------------------------------------ ask/tell --

    def _ask(self, n_points):
        if self.n_remaining <= 0:
            return []
        self._merge()
        if len(self.population_) < self.population_size:
            return self._initial(n_points)
        self.generation_ += 1
        self._update_scales()
        if self.strategy == "ga":
            return self._breed(n_points)
        return self._differential(n_points)

    def _tell(self, candidates, subspaces, scores):
        start = len(self.candidates_) - len(candidates)
        for offset, (candidate, s) in enumerate(zip(candidates, subspaces)):
            generation, first, second, slot = self._lineage.pop(
                self.space.key(candidate, s),
                (self.generation_, _NO_PARENT, _NO_PARENT, _NO_PARENT),
            )
            self.generations_.append(generation)
            self.parents_.append((first, second))
            self._slots.append(slot)
            self._X.append(self.space.subspaces[s].encode([candidate])[0])
            self._children.append(start + offset)

    def _merge(self):
        """Make the next population from the children told since last time.

        Done lazily when the next generation is asked for, so that a
        generation told in several pieces is still one generation.
        """
        if not self._children:
            return
        scores = self._imputed_scores()
        population, children = self.population_, self._children
        self._children = []

        def by_score(indices):
            # Ties go to the newer individual, so that a population on a
            # plateau of equal scores (accuracy moves in steps) drifts
            # along it instead of stalling.
            indices = list(indices)
            order = np.lexsort((-np.asarray(indices), -scores[indices]))
            return [indices[i] for i in order]

        size = self.population_size
        if len(population) < size:
            self.population_ = by_score(population + children)[:size]
            return
        if self.strategy == "de":
            for child in children:
                slot = self._slots[child]
                if slot == _NO_PARENT:
                    # A candidate the base class added at random competes
                    # with the worst member.
                    slot = int(np.argmin(scores[population]))
                if scores[child] >= scores[population[slot]]:
                    population[slot] = child
            return
        ranked = by_score(population)
        survivors = by_score(ranked[: self.elitism] + children)[:size]
        self.population_ = survivors + ranked[self.elitism :][: size - len(survivors)]

    def _update_scales(self):
        members = np.array(self.population_)
        in_subspace = np.array([self.subspaces_[i] for i in members])
        for s, scale in enumerate(self.mutation_scales_):
            mine = members[in_subspace == s]
            if len(mine) >= 2 and scale.size:
                spread = np.std([self._X[i] for i in mine], axis=0)
                self.mutation_scales_[s] = np.clip(
                    spread, self._min_scales[s], _MAX_SCALE
                )

    # ---------------------------------------------------------- generation --

    def _initial(self, n_points):
        """A Latin hypercube sample in each sub-space, in random order."""
        k = len(self.space.subspaces)
        which = self._rng.permutation(np.arange(n_points) % k)
        points = {}
        for s, subspace in enumerate(self.space.subspaces):
            m = int(np.sum(which == s))
            strata = np.argsort(self._rng.random((m, subspace.n_dims)), axis=0)
            points[s] = iter((strata + self._rng.random(strata.shape)) / max(m, 1))
        batch_keys = set()
        proposals = []
        for s in which:
            candidate = self._finish(int(s), next(points[s]), batch_keys, retry=False)
            if candidate is not None:
                proposals.append((int(s), candidate))
        return proposals

    def _breed(self, n_points):
        population = np.array(self.population_)
        fitness = self._imputed_scores()[population]
        in_subspace = np.array([self.subspaces_[i] for i in population])
        everyone = np.arange(len(population))
        batch_keys = set()
        proposals = []
        for _ in range(n_points):
            a = self._select(fitness, everyone)
            s = int(in_subspace[a])
            x = self._X[population[a]].copy()
            second = _NO_PARENT
            mates = np.flatnonzero((in_subspace == s) & (everyone != a))
            if mates.size and self._rng.random() < self.crossover_rate:
                b = self._select(fitness, mates)
                x = self._recombine(s, x, self._X[population[b]])
                second = int(population[b])
            x = self._mutate(s, x, self._gene_rate(s))
            s, x = self._migrate(s, x)
            candidate = self._finish(s, x, batch_keys)
            if candidate is not None:
                self._remember(candidate, s, int(population[a]), second, _NO_PARENT)
                proposals.append((s, candidate))
        return proposals

    def _differential(self, n_points):
        population = np.array(self.population_)
        fitness = self._imputed_scores()[population]
        in_subspace = np.array([self.subspaces_[i] for i in population])
        size = len(population)
        slots = (self._next_slot + np.arange(n_points)) % size
        self._next_slot = int((self._next_slot + n_points) % size)
        weight = self._rng.uniform(*_DE_WEIGHT)
        n_needed = 3 if self.mutation == "rand/1" else 2
        batch_keys = set()
        proposals = []
        for j in slots:
            s = int(in_subspace[j])
            target = self._X[population[j]]
            others = np.flatnonzero((in_subspace == s) & (np.arange(size) != j))
            if others.size < n_needed:
                # Too few relatives for difference vectors: mutate the target.
                base = _NO_PARENT
                x = self._mutate(s, target.copy(), 1.0)
            else:
                base, mutant = self._mutant(s, j, others, population, fitness, weight)
                x = self._cross_de(s, target, mutant)
            s, x = self._migrate(s, x)
            candidate = self._finish(s, x, batch_keys)
            if candidate is not None:
                parent = _NO_PARENT if base == _NO_PARENT else int(population[base])
                self._remember(candidate, s, int(population[j]), parent, int(j))
                proposals.append((s, candidate))
        return proposals

    def _remember(self, candidate, s, first, second, slot):
        key = self.space.key(candidate, s)
        self._lineage[key] = (self.generation_, first, second, slot)

    def _finish(self, s, x, batch_keys, retry=True):
        """Snap and decode `x`; mutate it again while it is a duplicate."""
        subspace = self.space.subspaces[s]
        for attempt in range(_MAX_RETRIES if retry else 1):
            x = subspace.snap(x[np.newaxis])[0]
            candidate = subspace.decode(x[np.newaxis])[0]
            key = self.space.key(candidate, s)
            if key not in self._seen and key not in batch_keys:
                batch_keys.add(key)
                return candidate
            x = self._mutate(s, x, self._gene_rate(s), force=True, boost=2.0**attempt)
        return None

    # ----------------------------------------------------------- operators --

    def _gene_rate(self, s):
        if self.mutation_rate is not None:
            return self.mutation_rate
        return 1.0 / max(1, self.space.subspaces[s].n_dims)

    def _select(self, fitness, among):
        """Index (into the population) of a parent chosen among `among`."""
        if self.selection == "tournament":
            k = min(_TOURNAMENT_SIZE, among.size)
            entrants = self._rng.choice(among, size=k, replace=False)
            return int(entrants[np.argmax(fitness[entrants])])
        ranks = np.empty(among.size)
        ranks[np.argsort(fitness[among], kind="stable")] = np.arange(1, among.size + 1)
        return int(self._rng.choice(among, p=ranks / ranks.sum()))

    def _recombine(self, s, x1, x2):
        """One child of two parents of sub-space `s`."""
        categorical = self._categorical[s]
        child = x1.copy()
        from_second = self._rng.random(x1.size) < 0.5
        if self.crossover == "uniform":
            child[from_second] = x2[from_second]
            return child
        child[categorical & from_second] = x2[categorical & from_second]
        real = ~categorical
        lo, hi = np.minimum(x1, x2)[real], np.maximum(x1, x2)[real]
        if self.crossover == "blend":
            spread = _BLEND_ALPHA * (hi - lo)
            values = self._rng.uniform(lo - spread, hi + spread)
        else:
            u = self._rng.random(lo.size)
            beta = np.where(
                u <= 0.5,
                (2 * u) ** (1 / (_SBX_ETA + 1)),
                (1 / (2 * (1 - u))) ** (1 / (_SBX_ETA + 1)),
            )
            sign = np.where(self._rng.random(lo.size) < 0.5, -1.0, 1.0)
            values = 0.5 * (lo + hi) + sign * 0.5 * beta * (hi - lo)
        child[real] = np.clip(values, 0.0, 1.0)
        return child

    def _mutate(self, s, x, rate, *, force=False, boost=1.0):
        """Mutate each gene of `x` with probability `rate` (one at least if `force`)."""
        if x.size == 0:
            return x
        mask = self._rng.random(x.size) < rate
        if force and not mask.any():
            mask[self._rng.integers(x.size)] = True
        categorical = self._categorical[s]
        real = mask & ~categorical
        scale = boost * self.mutation_scales_[s][real]
        if self.mutation == "gaussian":
            step = scale * self._rng.standard_normal(scale.size)
        else:
            # Polynomial mutation spans [-1, 1] times a window that is the
            # whole unit interval for a uniform population.
            u = self._rng.random(scale.size)
            eta = 1.0 / (_POLYNOMIAL_ETA + 1)
            delta = np.where(
                u < 0.5, (2 * u) ** eta - 1, 1 - (2 * (1 - u)) ** eta
            )
            step = delta * scale / _MAX_SCALE
        x = x.copy()
        x[real] = np.clip(x[real] + step, 0.0, 1.0)
        dimensions = self.space.subspaces[s].dimensions
        for j in np.flatnonzero(mask & categorical):
            k = dimensions[j].size
            if k > 1:
                current = min(int(x[j] * k), k - 1)
                x[j] = ((current + self._rng.integers(1, k)) % k + 0.5) / k
        return x

    def _mutant(self, s, j, others, population, fitness, weight):
        """DE donor vector for target `j`; returns (base index, mutant)."""
        X = self._X
        target = X[population[j]]
        members = np.append(others, j)
        ranked = members[np.argsort(-fitness[members], kind="stable")]
        best = int(ranked[0])
        if self.mutation == "current-to-pbest/1":
            n_top = max(2, math.ceil(_PBEST_FRACTION * len(ranked)))
            best = int(self._rng.choice(ranked[:n_top]))
        if self.mutation == "rand/1":
            base, r1, r2 = self._rng.choice(others, size=3, replace=False)
            mutant = X[population[base]] + weight * (
                X[population[r1]] - X[population[r2]]
            )
        else:
            r1, r2 = self._rng.choice(others, size=2, replace=False)
            difference = weight * (X[population[r1]] - X[population[r2]])
            base = best
            if self.mutation == "best/1":
                mutant = X[population[best]] + difference
            else:
                mutant = target + weight * (X[population[best]] - target) + difference
        categorical = self._categorical[s]
        mutant[categorical] = X[population[base]][categorical]
        # Out of the cube: halfway between the target and the bound it
        # crossed, which keeps boundary optima reachable.
        mutant = np.where(mutant < 0, target / 2, mutant)
        mutant = np.where(mutant > 1, (target + 1) / 2, mutant)
        redraw = categorical & (self._rng.random(mutant.size) < self._gene_rate(s))
        if redraw.any():
            mutant = np.where(redraw, self._mutate(s, mutant, 1.0), mutant)
        return int(base), mutant

    def _cross_de(self, s, target, mutant):
        d = target.size
        if d == 0:
            return target.copy()
        start = self._rng.integers(d)
        if self.crossover == "binomial":
            take = self._rng.random(d) < self.crossover_rate
            take[start] = True
        else:
            length = 1
            while length < d and self._rng.random() < self.crossover_rate:
                length += 1
            take = np.zeros(d, dtype=bool)
            take[(start + np.arange(length)) % d] = True
        return np.where(take, mutant, target)

    def _migrate(self, s, x):
        """Occasionally move a child to another sub-space, keeping shared values."""
        k = len(self.space.subspaces)
        if k == 1 or self._rng.random() >= _MIGRATION_RATE:
            return s, x
        t = int((s + self._rng.integers(1, k)) % k)
        source = self.space.subspaces[s].decode(x[np.newaxis])[0]
        target = self.space.subspaces[t]
        y = self._rng.random(target.n_dims)
        for j, (name, dim) in enumerate(zip(target.names, target.dimensions)):
            if name in source and dim.contains(source[name]):
                y[j] = dim.to_unit([source[name]])[0]
        return t, y
