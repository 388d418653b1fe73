"""Ask/tell strategy cores: pure numpy/scipy, no cross-validation."""

from ._base import BaseOptimizer
from ._bayes import BayesOptimizer
from ._evolution import EvolutionaryOptimizer
from ._gradient import GradientOptimizer
from ._hyperband import AdaptiveHyperbandOptimizer, HyperbandOptimizer
from ._pareto import crowding_distance, hypervolume, non_dominated_rank
from ._random import RandomOptimizer

__all__ = [
    "AdaptiveHyperbandOptimizer",
    "BaseOptimizer",
    "BayesOptimizer",
    "EvolutionaryOptimizer",
    "GradientOptimizer",
    "HyperbandOptimizer",
    "RandomOptimizer",
    "crowding_distance",
    "hypervolume",
    "non_dominated_rank",
]
