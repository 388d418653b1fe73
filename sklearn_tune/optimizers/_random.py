"""Random search: the reference optimizer, and the baseline others must beat."""

from ._base import BaseOptimizer


class RandomOptimizer(BaseOptimizer):
    """Uniform sampling in the unit cube of a randomly chosen sub-space.

    Parameters
    ----------
    space : SearchSpace, dict or list of dicts
        Where to search.
    batch_size : int, default=1
        How many candidates :meth:`next_batch_size` asks for.
    random_state : int, numpy Generator or None, default=None
        Seed of the optimizer's private generator.

    Examples
    --------
    >>> from sklearn_tune import Real
    >>> from sklearn_tune.optimizers import RandomOptimizer
    >>> opt = RandomOptimizer({"x": Real(-2.0, 2.0)}, random_state=0)
    >>> for _ in range(20):
    ...     batch = opt.ask(5)
    ...     opt.tell(batch, [-c["x"] ** 2 for c in batch])
    >>> best = opt.candidates_[opt.best_index_]
    >>> abs(best["x"]) < 0.1
    True
    """

    def __init__(self, space, *, batch_size=1, random_state=None):
        super().__init__(space, random_state=random_state)
        self.batch_size = batch_size

    def next_batch_size(self):
        return self.batch_size

    def _ask(self, n_points):
        return self.space.sample(n_points, self._rng)
