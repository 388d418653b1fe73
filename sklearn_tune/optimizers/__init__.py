"""Ask/tell strategy cores: pure numpy/scipy, no cross-validation."""

from ._base import BaseOptimizer
from ._gradient import GradientOptimizer
from ._random import RandomOptimizer

__all__ = ["BaseOptimizer", "GradientOptimizer", "RandomOptimizer"]
