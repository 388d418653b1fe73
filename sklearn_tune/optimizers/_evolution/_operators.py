"""The variation operators of the genetic algorithm and differential evolution.

A mixin of :class:`EvolutionaryOptimizer`: every operator works on one
unit-cube point (a row of the encoding of one sub-space) and draws from the
optimizer's private generator.
"""

import math

import numpy as np

__all__ = ["MAX_SCALE", "NO_PARENT", "GeneticOperators"]

# Distribution indices of simulated binary crossover and polynomial mutation
# (Deb & Agrawal, 1995): small values spread children further from parents,
# which suits the few generations a hyperparameter budget affords.
_SBX_ETA = 5.0
_POLYNOMIAL_ETA = 5.0
_BLEND_ALPHA = 0.5
_TOURNAMENT_SIZE = 3
# "current-to-pbest/1" (JADE) moves towards one of this top fraction.
_PBEST_FRACTION = 0.2
#: The widest mutation scale is the spread of a uniform population on [0, 1];
#: the scale then follows the population's own spread as it converges.
MAX_SCALE = 1.0 / math.sqrt(12.0)
# Range of the differential weight, drawn anew each generation. Lower than
# scipy's (0.5, 1) default: a hyperparameter budget affords few generations,
# and smaller steps converge sooner (measured on Rastrigin and Hartmann-6).
_DE_WEIGHT = (0.3, 0.8)
# Chance that a child of a list-of-dicts space moves to another sub-space, so
# that a sub-space that lost all its individuals can come back.
_MIGRATION_RATE = 0.1
#: Parent index of a candidate without one.
NO_PARENT = -1


class GeneticOperators:
    """The generations of the ``"ga"`` and ``"de"`` strategies and their operators.

    Expects of the class it is mixed into: ``space``, ``_rng``,
    ``_categorical`` (a boolean mask per sub-space), ``mutation_scales_``,
    ``mutation_rate``, ``selection``, ``crossover``, ``crossover_rate``,
    ``mutation``, the population (``population_``, ``subspaces_``, ``_X``)
    and its ``_finish``, ``_remember``, ``_selection_fitness`` and
    ``_tournament_size``.
    """

    # ---------------------------------------------------------- generation --

    def _breed(self, n_points):
        population = np.array(self.population_)
        fitness = self._selection_fitness(population)
        in_subspace = np.array([self.subspaces_[i] for i in population])
        everyone = np.arange(len(population))
        batch_keys = set()
        proposals = []
        for _ in range(n_points):
            a = self._select(fitness, everyone)
            s = int(in_subspace[a])
            x = self._X[population[a]].copy()
            second = NO_PARENT
            mates = np.flatnonzero((in_subspace == s) & (everyone != a))
            if mates.size and self._rng.random() < self.crossover_rate:
                b = self._select(fitness, mates)
                x = self._recombine(s, x, self._X[population[b]])
                second = int(population[b])
            x = self._mutate(s, x, self._gene_rate(s, x))
            s, x = self._migrate(s, x)
            candidate = self._finish(s, x, batch_keys)
            if candidate is not None:
                self._remember(candidate, s, int(population[a]), second, NO_PARENT)
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
                base = NO_PARENT
                x = self._mutate(s, target.copy(), 1.0)
            else:
                base, mutant = self._mutant(s, j, others, population, fitness, weight)
                x = self._cross_de(s, target, mutant)
            s, x = self._migrate(s, x)
            candidate = self._finish(s, x, batch_keys)
            if candidate is not None:
                parent = NO_PARENT if base == NO_PARENT else int(population[base])
                self._remember(candidate, s, int(population[j]), parent, int(j))
                proposals.append((s, candidate))
        return proposals

    # ----------------------------------------------------------- operators --

    def _gene_rate(self, s, x=None):
        """Chance that a gene mutates: one active gene of `x` in expectation."""
        if self.mutation_rate is not None:
            return self.mutation_rate
        subspace = self.space.subspaces[s]
        n_active = subspace.n_dims if x is None else subspace.active(x).sum()
        return 1.0 / max(1, n_active)

    def _select(self, fitness, among):
        """Index (into the population) of a parent chosen among `among`."""
        if self.selection == "tournament":
            k = min(self._tournament_size(), among.size)
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
        """Mutate each active gene of `x` with probability `rate` (one at least
        if `force`).

        Inactive genes (the width of a layer a stack does not have) decide
        nothing, so they are left alone: a stack gains, loses or resizes
        layers through its depth and width genes, and a layer it gains
        starts as the copy of its last one that the encoding holds.
        """
        if x.size == 0:
            return x
        active = self.space.subspaces[s].active(x)[0]
        mask = (self._rng.random(x.size) < rate) & active
        if force and not mask.any():
            genes = np.flatnonzero(active)
            mask[genes[self._rng.integers(genes.size)]] = True
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
            step = delta * scale / MAX_SCALE
        x = x.copy()
        x[real] = np.clip(x[real] + step, 0.0, 1.0)
        columns = self.space.subspaces[s].columns
        for j in np.flatnonzero(mask & categorical):
            k = columns[j].size
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
        for name, dim, columns in zip(target.names, target.dimensions, target.slices):
            if name in source and dim.contains(source[name]):
                y[columns] = dim.to_unit([source[name]]).ravel()
        return t, y
