"""Evolutionary strategies: a genetic algorithm, differential evolution and
CMA-ES, with restarts of a stagnated population; population-based training.

All work in the unit cube of each sub-space of a
:class:`~sklearn_tune.SearchSpace`. Every generation (every step of
population-based training) is asked for as one batch, so that all its fits
run in parallel.
"""

from ._optimizer import OPERATORS, SELECTIONS, STRATEGIES, EvolutionaryOptimizer
from ._pbt import PBTOptimizer

__all__ = [
    "OPERATORS",
    "SELECTIONS",
    "STRATEGIES",
    "EvolutionaryOptimizer",
    "PBTOptimizer",
]
