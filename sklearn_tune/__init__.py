"""sklearn-tune: drop-in scikit-learn hyperparameter searches."""

from ._base import BaseTuneSearchCV
from ._bayes import BayesSearchCV
from ._evolution import EvolutionarySearchCV
from ._gradient import GradientSearchCV
from ._hyperband import HyperbandSearchCV
from ._layers import Layers
from ._refit import cheapest_within
from .space import Categorical, Integer, Real, SearchSpace

__version__ = "0.1.0.dev0"

__all__ = [
    "BaseTuneSearchCV",
    "BayesSearchCV",
    "Categorical",
    "EvolutionarySearchCV",
    "GradientSearchCV",
    "HyperbandSearchCV",
    "Integer",
    "Layers",
    "Real",
    "SearchSpace",
    "__version__",
    "cheapest_within",
]
