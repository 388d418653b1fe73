"""Ask/tell strategy cores: pure numpy/scipy, no cross-validation."""

from ._base import BaseOptimizer
from ._random import RandomOptimizer

__all__ = ["BaseOptimizer", "RandomOptimizer"]
