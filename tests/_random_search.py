"""A test-only search over the random reference optimizer.

It exercises BaseTuneSearchCV alone, so that the loop is tested apart from
any strategy, and it is the worked example of docs/adding_a_strategy.md:
a strategy is an optimizer plus a thin search that makes it.
"""

from numbers import Integral

import numpy as np

from sklearn_tune import BaseTuneSearchCV
from sklearn_tune._compat import Interval
from sklearn_tune.optimizers import RandomOptimizer


class RandomTuneSearchCV(BaseTuneSearchCV):
    """Random search in batches of `batch_size`, through the shared loop."""

    _parameter_constraints = {
        **BaseTuneSearchCV._parameter_constraints,
        "batch_size": [Interval(Integral, 1, None, closed="left")],
    }

    def __init__(
        self,
        estimator,
        param_distributions,
        *,
        n_iter=10,
        scoring=None,
        n_jobs=None,
        refit=True,
        cv=None,
        verbose=0,
        pre_dispatch="2*n_jobs",
        random_state=None,
        error_score=np.nan,
        return_train_score=False,
        max_time=None,
        n_iter_no_change=None,
        tol=0.0,
        checkpoint=None,
        batch_size=4,
        objectives=None,
        early_stopping_cv=None,
    ):
        super().__init__(
            estimator,
            param_distributions,
            n_iter=n_iter,
            scoring=scoring,
            n_jobs=n_jobs,
            refit=refit,
            cv=cv,
            verbose=verbose,
            pre_dispatch=pre_dispatch,
            random_state=random_state,
            error_score=error_score,
            return_train_score=return_train_score,
            max_time=max_time,
            n_iter_no_change=n_iter_no_change,
            tol=tol,
            checkpoint=checkpoint,
            objectives=objectives,
            early_stopping_cv=early_stopping_cv,
        )
        self.batch_size = batch_size

    def _make_optimizer(self, space, random_state):
        return RandomOptimizer(
            space, batch_size=self.batch_size, random_state=random_state
        )
