"""BaseTuneSearchCV: the ask -> evaluate -> tell loop shared by every search."""

import time
import warnings
from abc import abstractmethod
from numbers import Integral
from numbers import Real as RealNumber

import numpy as np
from sklearn.utils import check_random_state

from ._compat import BaseSearchCV, Interval, checked_cv, is_all_fits_failed
from ._splitters import FixedSplits
from .space import SearchSpace


class BaseTuneSearchCV(BaseSearchCV):
    """Base class of the sklearn-tune searches.

    Subclasses choose a strategy (:meth:`_make_optimizer`) and the size of
    each batch (:meth:`_batch_size`); everything else, cross-validation,
    scoring, refit, error handling and ``cv_results_``, is scikit-learn's
    own :class:`~sklearn.model_selection.GridSearchCV` machinery, fed one
    batch of candidates at a time through ``evaluate_candidates``.

    The loop, in :meth:`_run_search`:

    1. resolve the folds once, so every batch is scored on the same splits;
    2. ask the optimizer for a batch of new, distinct candidates;
    3. evaluate the batch (one ``evaluate_candidates`` call, all its fits in
       parallel with ``n_jobs``), adding an ``iter`` column (the batch number)
       and the strategy's own columns to ``cv_results_``;
    4. tell the optimizer the objective: ``mean_test_score``, or
       ``mean_test_<refit>`` with multi-metric scoring. A batch whose every
       fit failed is told as failed (NaN) instead of ending the search;
    5. stop after ``n_iter`` candidates, when the space is exhausted, when
       ``max_time`` seconds have passed since fit started (checked before each
       batch after the first, with a warning), or when the best objective has not improved by
       more than ``tol`` for ``n_iter_no_change`` batches.
    """

    _parameter_constraints: dict = {
        **BaseSearchCV._parameter_constraints,
        "param_distributions": [dict, list],
        "n_iter": [Interval(Integral, 1, None, closed="left")],
        "random_state": ["random_state"],
        "max_time": [Interval(RealNumber, 0, None, closed="neither"), None],
        "n_iter_no_change": [Interval(Integral, 1, None, closed="left"), None],
        "tol": [Interval(RealNumber, 0, None, closed="left")],
    }

    @abstractmethod
    def __init__(
        self,
        estimator,
        param_distributions,
        *,
        n_iter,
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
    ):
        super().__init__(
            estimator=estimator,
            scoring=scoring,
            n_jobs=n_jobs,
            refit=refit,
            cv=cv,
            verbose=verbose,
            pre_dispatch=pre_dispatch,
            error_score=error_score,
            return_train_score=return_train_score,
        )
        self.param_distributions = param_distributions
        self.n_iter = n_iter
        self.random_state = random_state
        self.max_time = max_time
        self.n_iter_no_change = n_iter_no_change
        self.tol = tol

    @abstractmethod
    def _make_optimizer(self, space, random_state):
        """The strategy's optimizer over `space`, seeded with an int."""

    @abstractmethod
    def _batch_size(self, optimizer):
        """How many candidates to ask for next (before the budget cap)."""

    def _prepare_batch(self, optimizer, batch, cv):
        """What to evaluate for `batch`: ``(candidate_params, cv, more_results)``.

        The default evaluates the candidates as asked on the fixed folds with
        no extra columns. A strategy may rewrite the candidates (a resource
        parameter), pass another splitter (a subsample of the fixed folds) or
        add ``cv_results_`` columns (a dict of lists, one entry a candidate);
        ``candidate_params`` must stay in the order of `batch`.
        """
        return batch, cv, {}

    def _objective_key(self, results):
        """The ``cv_results_`` column the optimizer maximises."""
        if isinstance(self.refit, str):
            key = f"mean_test_{self.refit}"
            if key not in results:
                raise ValueError(
                    f"refit={self.refit!r} names no scorer; the scorers are "
                    f"{self._metric_names(results)}."
                )
            return key
        metrics = self._metric_names(results)
        if len(metrics) == 1:
            return f"mean_test_{metrics[0]}"
        raise ValueError(
            "With multi-metric scoring, refit must be the name of the metric to "
            f"optimise, one of {metrics}; got refit={self.refit!r}."
        )

    @staticmethod
    def _metric_names(results):
        return [k[len("rank_test_") :] for k in results if k.startswith("rank_test_")]

    def _check_objective_defined(self):
        """Fail before any fit when the scoring already shows no objective."""
        scoring = self.scoring
        many = isinstance(scoring, (list, tuple, set, dict)) and len(scoring) > 1
        if many and not isinstance(self.refit, str):
            raise ValueError(
                "With multi-metric scoring, refit must be the name of the metric "
                f"to optimise, one of {sorted(scoring)}; got refit={self.refit!r}."
            )

    def _run_search(self, evaluate_candidates, *, callback_ctx=None):
        started = time.monotonic()
        self._check_objective_defined()
        space = SearchSpace(self.param_distributions)
        seed = check_random_state(self.random_state).randint(np.iinfo(np.int32).max)
        optimizer = self._make_optimizer(space, seed)
        cv = FixedSplits(checked_cv(self))
        search_ctx = None
        if callback_ctx is not None:
            search_ctx = callback_ctx.subcontext(
                task_name="search", max_subtasks=None
            ).call_on_fit_task_begin(estimator=self)

        objective = None
        n_evaluated = n_failed = 0
        batch_number = 0
        last_failure = None
        best, n_no_change = -np.inf, 0
        while n_evaluated < self.n_iter:
            # The first batch always runs: a search returns at least one model.
            if (
                self.max_time is not None
                and n_evaluated > 0
                and time.monotonic() - started >= self.max_time
            ):
                warnings.warn(
                    f"max_time={self.max_time}s reached after {n_evaluated} "
                    f"of n_iter={self.n_iter} candidates; the search returns "
                    "the best so far.",
                    UserWarning,
                )
                break
            batch = optimizer.ask(
                max(1, min(self._batch_size(optimizer), self.n_iter - n_evaluated))
            )
            if not batch:
                warnings.warn(
                    f"The search space holds only {n_evaluated} distinct "
                    f"candidates, fewer than n_iter={self.n_iter}; the search "
                    "stopped after evaluating all of them.",
                    UserWarning,
                )
                break
            params, batch_cv, extra = self._prepare_batch(optimizer, batch, cv)
            more_results = {"iter": [batch_number] * len(batch), **extra}
            start = time.perf_counter()
            try:
                results = self._evaluate_batch(
                    evaluate_candidates, params, batch_cv, more_results, search_ctx
                )
            except ValueError as exc:
                if not is_all_fits_failed(exc):
                    raise
                last_failure = exc
                n_failed += len(batch)
                scores = np.full(len(batch), np.nan)
                warnings.warn(
                    f"Every fit of batch {batch_number} ({len(batch)} candidates) "
                    "failed; the search goes on, and these candidates are not in "
                    f"cv_results_. First failure:\n{str(exc).strip()[:2000]}",
                    UserWarning,
                )
            else:
                objective = objective or self._objective_key(results)
                scores = np.asarray(results[objective][-len(batch) :], dtype=float)
            optimizer.tell(batch, scores)
            n_evaluated += len(batch)
            if self.verbose > 0:
                self._print_progress(optimizer, batch_number, batch, start)
            batch_number += 1
            batch_best = np.nanmax(np.append(scores, -np.inf))
            if batch_best > best + self.tol:
                n_no_change = 0
            else:
                n_no_change += 1
            best = max(best, batch_best)
            if self.n_iter_no_change is not None and (
                n_no_change >= self.n_iter_no_change
            ):
                if self.verbose > 0:
                    print(
                        f"[{type(self).__name__}] stopping: no improvement over "
                        f"tol={self.tol} in {n_no_change} batches."
                    )
                break

        if search_ctx is not None:
            search_ctx.call_on_fit_task_end(estimator=self)
        if n_evaluated > 0 and n_failed == n_evaluated:
            raise ValueError(
                f"All {n_evaluated} candidates failed to fit: no score to select "
                f"a model from. The last failure:\n{last_failure}"
            ) from last_failure
        self.optimizer_ = optimizer

    def _evaluate_batch(self, evaluate_candidates, batch, cv, more_results, ctx):
        if ctx is None:
            return evaluate_candidates(batch, cv=cv, more_results=more_results)
        batch_ctx = ctx.subcontext(
            task_name="batch",
            max_subtasks=len(batch) * self.n_splits_,
            sequential_subtasks=False,
        ).call_on_fit_task_begin(estimator=self)
        try:
            return evaluate_candidates(
                batch, cv=cv, more_results=more_results, callback_ctx=batch_ctx
            )
        finally:
            batch_ctx.call_on_fit_task_end(estimator=self)

    def _print_progress(self, optimizer, batch_number, batch, start):
        best = optimizer.best_index_
        best_text = "none yet" if best is None else f"{optimizer.scores_[best]:.5g}"
        print(
            f"[{type(self).__name__}] batch {batch_number}: {len(batch)} "
            f"candidates in {time.perf_counter() - start:.1f}s, "
            f"{len(optimizer.scores_)} evaluated, best so far {best_text}"
        )
