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

from .._base import BaseOptimizer
from .._pareto import crowded_order
from ._cmaes import CMAES
from ._operators import _TOURNAMENT_SIZE, MAX_SCALE, NO_PARENT, GeneticOperators

__all__ = ["OPERATORS", "SELECTIONS", "STRATEGIES", "EvolutionaryOptimizer"]

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
    # CMA-ES samples from its own distribution: no operators to choose.
    "cmaes": {"crossover": (), "mutation": ()},
}
# "auto" alternates CMA-ES and the genetic algorithm from one restart to the
# next, and its genetic algorithm takes the same operators as "ga".
OPERATORS["auto"] = OPERATORS["ga"]
_PORTFOLIO = ("cmaes", "ga")
#: The strategies.
STRATEGIES = tuple(OPERATORS)
_AUTO = {
    "ga": {"crossover": "sbx", "mutation": "gaussian", "crossover_rate": 0.9},
    "de": {
        "crossover": "binomial",
        "mutation": "current-to-pbest/1",
        "crossover_rate": 0.9,
    },
    "cmaes": {"crossover": None, "mutation": None, "crossover_rate": None},
}
_AUTO["auto"] = _AUTO["ga"]
#: The parent selections of the genetic algorithm.
SELECTIONS = ("tournament", "rank")

# Narrowest scale of a continuous dimension, so a collapsed population moves.
_MIN_SCALE = 1e-3
# Children equal to an evaluated point are mutated again, with a doubling
# scale, this many times before the base class tops the batch up at random.
_MAX_RETRIES = 8
# Restart rule: a run has stagnated when its best score did not rise for
# _PATIENCE + ceil(_PATIENCE_PER_DIM * n_dims / population_size) generations
# (the shape of CMA-ES's own stagnation rule, shorter for small budgets), or
# when the population spread along every continuous dimension is below
# _MIN_SPREAD of the unit interval.
_PATIENCE = 5
_PATIENCE_PER_DIM = 10
_MIN_SPREAD = 5e-3
# A run is worth its population when the budget holds this many generations
# of it: the population doubles at a restart (IPOP) only then, and "auto"
# starts with CMA-ES only then. CMA-ES learns its covariance at a rate of
# about 1/23 per generation in 6 dimensions with 10 samples (its rank-mu
# rate), while the genetic algorithm makes progress from its first
# generations.
_GENERATIONS_PER_RUN = 25


def _check_option(name, value, options, context=""):
    if not isinstance(value, str) or value not in options:
        raise ValueError(
            f"{name} must be one of {sorted(options)}{context}, got {value!r}."
        )


class EvolutionaryOptimizer(GeneticOperators, BaseOptimizer):
    """A genetic algorithm, differential evolution or CMA-ES, with restarts.

    The first generation of a run is a Latin hypercube sample of
    `population_size` points (spread over the sub-spaces of a list-of-dicts
    space). Each later generation is asked for as one batch of
    `population_size` children of the current population; a child equal to a
    point already evaluated is mutated again, so no candidate is proposed
    twice.

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
    - ``strategy="cmaes"``: CMA-ES (rank-one and rank-mu covariance updates,
      cumulative step-size adaptation) in the sub-space of the best of the
      run's first sample, starting from its best points with a step of a
      quarter of the cube. Integers and categoricals are searched as numbers
      in their cells, with a margin that keeps another value reachable.
    - ``strategy="auto"``: runs alternate ``"cmaes"`` and ``"ga"`` from one
      restart to the next. The first is ``"cmaes"`` when the budget
      (:meth:`set_budget`) holds 25 generations of `population_size`, and
      ``"ga"`` otherwise (or without a budget): CMA-ES needs tens of
      generations to learn its covariance and then refines faster, the
      genetic algorithm makes progress from its first generations and
      suits separable problems (measured in
      ``benchmarks/bench_evolution_budget.py``).

    Restarts (with `restarts`, the default): a run has stagnated when its
    best score has not risen for ``5 + ceil(10 * n_dims / population_size)``
    generations, or when the spread of its population (the step of CMA-ES)
    along every continuous dimension is below 0.005 of the unit interval.
    The next run starts from a new Latin hypercube sample, with twice the
    population while the budget (:meth:`set_budget`) still affords 25
    generations of it (IPOP). A genetic algorithm's run also starts from the
    best candidate found so far, a member of its first population that its
    crossover recombines with the new points; a CMA-ES run starts from the
    new sample alone. The best candidate found stays the best of the
    history: the budget is shared by all runs.

    Several objectives (scores told as a 2-D array, one column per
    objective): the genetic algorithm selects as NSGA-II does. The next
    population is the first `population_size` of parents and children
    together in the crowded-comparison order (non-dominated rank, then
    crowding distance), and parents are chosen by `selection` on that
    order (``"tournament"``: the better of 2, as in NSGA-II). ``"de"`` and
    ``"cmaes"`` optimise one objective and refuse several; ``"auto"`` then
    runs the genetic algorithm only, without restarts.

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
    strategy : {"auto", "ga", "de", "cmaes"}, default="auto"
        Genetic algorithm, differential evolution, CMA-ES, or ``"cmaes"``
        and ``"ga"`` by turns from one restart to the next (CMA-ES first
        when the budget holds 25 generations).
    crossover : str, default="auto"
        ``"sbx"`` (simulated binary), ``"blend"`` (BLX-0.5) or ``"uniform"``
        for ``"ga"``; ``"binomial"`` or ``"exponential"`` for ``"de"``.
        ``"auto"`` is ``"sbx"`` or ``"binomial"``. Categorical genes are
        always inherited from either parent. ``"cmaes"`` takes only
        ``"auto"``.
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
    restarts : bool, default=True
        Whether a stagnated run restarts (see above).
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
    restart_ : int
        Number of the current run, 0 before the first restart.
    restarts_ : list of int
        Run of each told candidate.
    run_strategy_ : str
        Strategy of the current run (``"ga"`` or ``"cmaes"`` with ``"auto"``).
    cmaes_ : CMAES or None
        State of the current CMA-ES run.

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
    >>> # The population collapsed on the optimum and restarted, twice as large.
    >>> opt.generation_, opt.restart_, opt.population_size
    (9, 1, 20)
    """

    def __init__(
        self,
        space,
        *,
        population_size=10,
        strategy="auto",
        crossover="auto",
        mutation="auto",
        selection="tournament",
        elitism=5,
        mutation_rate=None,
        crossover_rate=None,
        restarts=True,
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
        if not isinstance(restarts, (bool, np.bool_)):
            raise TypeError(f"restarts must be a bool, got {restarts!r}.")
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
        # Without a budget, "auto" starts as it does at small budgets.
        self._portfolio = _PORTFOLIO[::-1] if strategy == "auto" else (strategy,)
        self.run_strategy_ = self._portfolio[0]
        auto = _AUTO[strategy]
        self.crossover = auto["crossover"] if crossover == "auto" else crossover
        self.mutation = auto["mutation"] if mutation == "auto" else mutation
        self.selection = selection
        self.elitism = min(int(elitism), self.population_size)
        self.mutation_rate = mutation_rate
        self.crossover_rate = (
            auto["crossover_rate"] if crossover_rate is None else crossover_rate
        )
        self.restarts = bool(restarts)
        self.initial_population_size = self.population_size

        subspaces = self.space.subspaces
        self._categorical = [
            np.array([d.is_categorical for d in s.columns], dtype=bool)
            for s in subspaces
        ]
        self._continuous = [
            np.array([d.is_continuous for d in s.columns], dtype=bool)
            for s in subspaces
        ]
        # One integer step must stay reachable, or an integer never moves.
        self._min_scales = [
            np.array([max(_MIN_SCALE, 1.0 / d.size) for d in s.columns])
            for s in subspaces
        ]
        self.mutation_scales_ = [np.full(s.n_dims, MAX_SCALE) for s in subspaces]
        self.population_ = []
        self.generation_ = 0
        self.generations_ = []
        self.parents_ = []
        self._slots = []
        self._X = []
        self._children = []
        self._lineage = {}
        self._next_slot = 0
        self.restart_ = 0
        self.restarts_ = []
        self.cmaes_ = None
        self._cmaes_subspace = None
        self._run_best = -np.inf
        self._stale = 0
        self._budget = None

    def set_budget(self, n_evaluations):
        self._budget = int(n_evaluations)
        if self.strategy == "auto" and not self.candidates_ and not self._pending:
            # The order is fixed before the first ask: a resumed search keeps it.
            long = self._budget >= _GENERATIONS_PER_RUN * self.population_size
            self._portfolio = _PORTFOLIO if long else _PORTFOLIO[::-1]
            self.run_strategy_ = self._portfolio[0]

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
            ``generation``, ``restart`` (the run: 0 until the first restart),
            and ``parent_1`` and ``parent_2``: indices in the history of the
            two parents, ``-1`` for none.
        """
        told = {}
        columns = {"generation": [], "restart": [], "parent_1": [], "parent_2": []}
        for candidate in candidates:
            key = self.space.key(candidate)
            if key not in self._lineage and not told:
                told = {
                    self.space.key(c, s): i
                    for i, (c, s) in enumerate(zip(self.candidates_, self.subspaces_))
                }
            restart = self.restart_
            if key in self._lineage:
                generation, first, second, _ = self._lineage[key]
            elif key in told:
                i = told[key]
                generation, (first, second) = self.generations_[i], self.parents_[i]
                restart = self.restarts_[i]
            else:
                generation, first, second = self.generation_, NO_PARENT, NO_PARENT
            values = (generation, restart, first, second)
            for column, value in zip(columns, values):
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
        if self.run_strategy_ == "cmaes":
            return self._sample_cmaes(n_points)
        self._update_scales()
        if self.run_strategy_ == "ga":
            return self._breed(n_points)
        return self._differential(n_points)

    def _tell(self, candidates, subspaces, scores):
        if self.n_objectives_ > 1 and self.run_strategy_ != "ga":
            raise ValueError(
                f"strategy={self.strategy!r} optimises one objective; several "
                "objectives need strategy='ga' or 'auto'."
            )
        start = len(self.candidates_) - len(candidates)
        for offset, (candidate, s) in enumerate(zip(candidates, subspaces)):
            generation, first, second, slot = self._lineage.pop(
                self.space.key(candidate, s),
                (self.generation_, NO_PARENT, NO_PARENT, NO_PARENT),
            )
            self.generations_.append(generation)
            self.restarts_.append(self.restart_)
            self.parents_.append((first, second))
            self._slots.append(slot)
            self._X.append(self.space.subspaces[s].encode([candidate])[0])
            self._children.append(start + offset)
        if not self._pending:
            # The generation is complete: the next one's size may change.
            self._merge()
            if self.restarts and self.n_objectives_ == 1 and self._stagnated():
                self._restart()

    def _merge(self):
        """Make the next population from the children told since last time.

        Done lazily when the next generation is asked for, so that a
        generation told in several pieces is still one generation.
        """
        if not self._children:
            return
        population, children = self.population_, self._children
        self._children = []
        if self.n_objectives_ > 1:
            # NSGA-II: parents and children compete together, by
            # non-dominated rank and then crowding.
            pool = population + children
            order = crowded_order(np.asarray(self.objective_scores_)[pool])
            self.population_ = [pool[i] for i in order[: self.population_size]]
            return
        scores = self._imputed_scores()
        best = scores[children].max()
        # The best of the run must rise by more than rounding to count.
        if not np.isfinite(self._run_best) or (
            best > self._run_best + 1e-12 * max(1.0, abs(self._run_best))
        ):
            self._run_best, self._stale = best, 0
        elif len(population) >= self.population_size:
            self._stale += 1

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
            if self.run_strategy_ == "cmaes" and len(self.population_) >= size:
                self._start_cmaes()
            return
        if self.run_strategy_ == "cmaes":
            self._update_cmaes(children, scores)
            self.population_ = by_score(children)[:size] or population
            return
        if self.run_strategy_ == "de":
            for child in children:
                slot = self._slots[child]
                if slot == NO_PARENT:
                    # A candidate the base class added at random competes
                    # with the worst member.
                    slot = int(np.argmin(scores[population]))
                if scores[child] >= scores[population[slot]]:
                    population[slot] = child
            return
        ranked = by_score(population)
        survivors = by_score(ranked[: self.elitism] + children)[:size]
        self.population_ = survivors + ranked[self.elitism :][: size - len(survivors)]

    def _selection_fitness(self, population):
        """Fitness of the members of `population` for parent selection: their
        score, or with several objectives minus their place in the population,
        which is in crowded-comparison order."""
        if self.n_objectives_ > 1:
            return -np.arange(len(population), dtype=float)
        return self._imputed_scores()[population]

    def _tournament_size(self):
        """Entrants of a ``"tournament"`` selection: NSGA-II's binary
        tournament with several objectives (better fronts than 3 on ZDT1,
        ZDT2 and DTLZ2 in ``benchmarks/bench_multiobjective.py``)."""
        return 2 if self.n_objectives_ > 1 else _TOURNAMENT_SIZE

    def _update_scales(self):
        members = np.array(self.population_)
        in_subspace = np.array([self.subspaces_[i] for i in members])
        for s, scale in enumerate(self.mutation_scales_):
            mine = members[in_subspace == s]
            if len(mine) >= 2 and scale.size:
                spread = np.std([self._X[i] for i in mine], axis=0)
                self.mutation_scales_[s] = np.clip(
                    spread, self._min_scales[s], MAX_SCALE
                )

    # ------------------------------------------------------------ restarts --

    def _stagnated(self):
        """Whether the run is stuck: no progress, or a collapsed population."""
        if len(self.population_) < self.population_size:
            return False
        n_dims = max(s.n_dims for s in self.space.subspaces)
        patience = _PATIENCE + math.ceil(
            _PATIENCE_PER_DIM * n_dims / self.population_size
        )
        if self._stale >= patience:
            return True
        if self.run_strategy_ == "cmaes":
            s, spread = self._cmaes_subspace, self.cmaes_.spread
        else:
            best = self.population_[0]
            s = self.subspaces_[best]
            mine = [i for i in self.population_ if self.subspaces_[i] == s]
            spread = np.std([self._X[i] for i in mine], axis=0)
        continuous = self._continuous[s]
        return bool(continuous.any() and spread[continuous].max() < _MIN_SPREAD)

    def _restart(self):
        """Start a new run from a Latin hypercube sample (with the best found so
        far for the genetic algorithm), with a larger population while the
        budget affords it (IPOP)."""
        self.restart_ += 1
        # The new run's first sample is a generation of its own.
        self.generation_ += 1
        self.run_strategy_ = self._portfolio[self.restart_ % len(self._portfolio)]
        larger = 2 * self.population_size
        remaining = (
            math.inf if self._budget is None else self._budget - len(self.scores_)
        )
        if remaining >= _GENERATIONS_PER_RUN * larger:
            self.population_size = larger
        # A genetic algorithm's run starts from the fresh sample and the best
        # found so far, which its crossover recombines with the new points
        # (on a nearly separable problem, carrying good coordinates over).
        # CMA-ES restarts from the fresh sample alone, as IPOP-CMA-ES does:
        # started near the best, its first steps would stay in that basin.
        best = self.best_index_
        elite = self.run_strategy_ == "ga" and best is not None
        self.population_ = [best] if elite else []
        self.cmaes_ = None
        self._run_best, self._stale, self._next_slot = -np.inf, 0, 0
        self.mutation_scales_ = [
            np.full(s.n_dims, MAX_SCALE) for s in self.space.subspaces
        ]

    # --------------------------------------------------------------- CMA-ES --

    def _start_cmaes(self):
        """CMA-ES from the best of the first generation, in its sub-space."""
        s = self.subspaces_[self.population_[0]]
        mine = [i for i in self.population_ if self.subspaces_[i] == s]
        subspace = self.space.subspaces[s]
        widths = np.array(
            [0.0 if d.is_continuous else 1.0 / d.size for d in subspace.columns]
        )
        es = CMAES(self._X[mine[0]], self.population_size, widths)
        # The mean starts at the weighted mean of the best of the sample.
        top = np.array([self._X[i] for i in mine[: es.weights.size]])
        es.mean = es.weights[: len(top)] @ top / es.weights[: len(top)].sum()
        self.cmaes_, self._cmaes_subspace = es, s

    def _update_cmaes(self, children, scores):
        sampled = [
            i for i in children
            if self._slots[i] != NO_PARENT and self.subspaces_[i] == self._cmaes_subspace
        ]
        if len(sampled) >= 2:
            self.cmaes_.update([self._X[i] for i in sampled], scores[sampled])

    def _sample_cmaes(self, n_points):
        s, es = self._cmaes_subspace, self.cmaes_
        # A duplicate is mutated again at the distribution's own scale.
        self.mutation_scales_[s] = np.clip(es.spread, self._min_scales[s], MAX_SCALE)
        parent = int(self.population_[0])
        batch_keys = set()
        proposals = []
        for _ in range(n_points):
            candidate = self._finish(s, es.sample(self._rng), batch_keys)
            if candidate is not None:
                self._remember(candidate, s, parent, NO_PARENT, 0)
                proposals.append((s, candidate))
        return proposals

    # ---------------------------------------------------------- generation --

    def _initial(self, n_points):
        """A Latin hypercube sample in each sub-space, in random order."""
        k = len(self.space.subspaces)
        which = self._rng.permutation(np.arange(n_points) % k)
        points = {}
        for s, subspace in enumerate(self.space.subspaces):
            m = int(np.sum(which == s))
            strata = np.argsort(self._rng.random((m, subspace.n_dims)), axis=0)
            points[s] = iter(
                subspace.spread((strata + self._rng.random(strata.shape)) / max(m, 1))
            )
        batch_keys = set()
        proposals = []
        for s in which:
            candidate = self._finish(int(s), next(points[s]), batch_keys, retry=False)
            if candidate is not None:
                proposals.append((int(s), candidate))
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
