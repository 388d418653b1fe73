"""sklearn-tune: drop-in scikit-learn hyperparameter searches."""

from ._base import BaseTuneSearchCV
from ._gradient import GradientSearchCV
from .space import Categorical, Integer, Real, SearchSpace

__version__ = "0.1.0.dev0"

__all__ = [
    "BaseTuneSearchCV",
    "Categorical",
    "GradientSearchCV",
    "Integer",
    "Real",
    "SearchSpace",
    "__version__",
]
