"""Evolutionary strategies: a genetic algorithm, differential evolution and
CMA-ES, with restarts of a stagnated population.

All work in the unit cube of each sub-space of a
:class:`~sklearn_tune.SearchSpace`. Every generation is asked for as one
batch, so that all its fits run in parallel.
"""

from ._optimizer import OPERATORS, SELECTIONS, STRATEGIES, EvolutionaryOptimizer

__all__ = ["OPERATORS", "SELECTIONS", "STRATEGIES", "EvolutionaryOptimizer"]
