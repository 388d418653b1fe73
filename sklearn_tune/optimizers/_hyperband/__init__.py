"""Hyperband: successive halving in brackets that trade how many
configurations are tried against how much resource each one gets.

Li, Jamieson, DeSalvo, Rostamizadeh and Talwalkar, "Hyperband: A Novel
Bandit-Based Approach to Hyperparameter Optimization", JMLR 18 (2018).
Falkner, Klein and Hutter, "BOHB: Robust and Efficient Hyperparameter
Optimization at Scale", ICML 2018 (model-based proposals for new brackets,
here from :class:`~sklearn_tune.optimizers.BayesOptimizer`).
"""

from ._adaptive import AdaptiveHyperbandOptimizer
from ._brackets import geometric_levels, hyperband_brackets, plan_rounds
from ._optimizer import HyperbandOptimizer

__all__ = [
    "AdaptiveHyperbandOptimizer",
    "HyperbandOptimizer",
    "geometric_levels",
    "hyperband_brackets",
    "plan_rounds",
]
