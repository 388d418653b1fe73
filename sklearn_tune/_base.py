"""BaseTuneSearchCV: the ask -> evaluate -> tell loop shared by every search."""

import os
import time
import warnings
from abc import abstractmethod
from dataclasses import dataclass
from numbers import Integral
from numbers import Real as RealNumber

import numpy as np
from sklearn.utils import check_random_state

from . import _checkpoint
from ._compat import (
    BaseSearchCV,
    Interval,
    StrOptions,
    checked_cv,
    is_all_fits_failed,
    prepare_fit,
)
from ._early_stopping import RULES
from ._fold_groups import FoldGroups
from ._names import check_parameter_names, check_scoring_names
from ._splitters import FixedSplits
from .optimizers._pareto import non_dominated_rank
from .space import SearchSpace

# The built-in objectives: the fold means scikit-learn times, minimised.
_COSTS = {"fit_time": "mean_fit_time", "score_time": "mean_score_time"}


@dataclass
class _LoopState:
    """Counters of the search loop, saved with every checkpoint."""

    n_evaluated: int = 0
    n_failed: int = 0
    batch_number: int = 0
    best: float = -np.inf
    n_no_change: int = 0
    # The cv_results_ columns told, each with the sign that maximises it.
    objective: list = None
    last_failure: str = None

    def update_best(self, scores, tol, n_iter_no_change):
        """Track the best objective; whether early stopping is due."""
        batch_best = np.nanmax(np.append(scores, -np.inf))
        self.n_no_change = 0 if batch_best > self.best + tol else self.n_no_change + 1
        self.best = max(self.best, batch_best)
        return n_iter_no_change is not None and self.n_no_change >= n_iter_no_change

    def update_front(self, objectives, n_new, n_iter_no_change):
        """Track the Pareto front of all rows so far (`objectives`, the batch
        last); whether early stopping is due."""
        if n_iter_no_change is None:
            return False
        entered = np.any(non_dominated_rank(objectives)[-n_new:] == 1)
        self.n_no_change = 0 if entered else self.n_no_change + 1
        return self.n_no_change >= n_iter_no_change


class BaseTuneSearchCV(BaseSearchCV):
    """Base class of the sklearn-tune searches.

    Subclasses choose a strategy (:meth:`_make_optimizer`); the optimizer
    says how many candidates it wants next and which columns it adds to
    ``cv_results_``. Everything else, cross-validation,
    scoring, refit, error handling and ``cv_results_``, is scikit-learn's
    own :class:`~sklearn.model_selection.GridSearchCV` machinery, fed one
    batch of candidates at a time through ``evaluate_candidates``.

    The loop, in :meth:`_run_search`:

    1. resolve the folds once, so every batch is scored on the same splits;
    2. ask the optimizer for a batch of new, distinct candidates;
    3. evaluate the batch (one ``evaluate_candidates`` call, all its fits in
       parallel with ``n_jobs``), adding an ``iter`` column (the batch number)
       and the strategy's own columns to ``cv_results_``; with
       ``early_stopping_cv``, one call per group of folds instead, a
       candidate stopping once it cannot beat the best fully scored one
       (``sklearn_tune/_fold_groups.py``);
    4. tell the optimizer the objective: ``mean_test_score``, or
       ``mean_test_<refit>`` with multi-metric scoring; with several
       `objectives`, one column per objective (``mean_test_<name>``, or
       ``mean_fit_time`` and ``mean_score_time`` negated). A batch whose every
       fit failed is told as failed (NaN) instead of ending the search;
       then :meth:`_after_tell` lets the strategy tell it more;
    5. stop after ``n_iter`` candidates, when the space is exhausted, when
       ``max_time`` seconds have passed since fit started (checked before each
       batch after the first, with a warning), or when the best objective has not improved by
       more than ``tol`` for ``n_iter_no_change`` batches (with several
       objectives: when no candidate entered the Pareto front).

    With ``checkpoint`` set to a path, the state (optimizer, rows of
    ``cv_results_``, folds, and fingerprints of the data, space, estimator
    and scoring) is written there atomically after every batch. Fitting again
    with the same path resumes: finished candidates are not refitted, and a
    checkpoint of another search is refused. The file is removed when the
    search completes.
    """

    # The HTML repr in Jupyter links to the class's page of the API reference.
    _doc_link_module = "sklearn_tune"
    _doc_link_template = (
        "https://sklearn-tune.readthedocs.io/en/latest/generated/"
        "{estimator_module}.{estimator_name}.html"
    )

    _parameter_constraints: dict = {
        **BaseSearchCV._parameter_constraints,
        "param_distributions": [dict, list],
        "n_iter": [Interval(Integral, 1, None, closed="left")],
        "random_state": ["random_state"],
        "max_time": [Interval(RealNumber, 0, None, closed="neither"), None],
        "n_iter_no_change": [Interval(Integral, 1, None, closed="left"), None],
        "tol": [Interval(RealNumber, 0, None, closed="left")],
        "checkpoint": [str, os.PathLike, None],
        "objectives": [list, tuple, None],
        "early_stopping_cv": [
            StrOptions(set(RULES)),
            Interval(RealNumber, 0.5, 1, closed="left"),
            None,
        ],
    }

    # Whether the strategy can search for a Pareto front; one that cannot
    # refuses `objectives`, and optimises the first scorer when multi-metric
    # scoring comes with a refit that names none.
    _multi_objective = True

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
        checkpoint=None,
        objectives=None,
        early_stopping_cv=None,
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
        self.checkpoint = checkpoint
        self.objectives = objectives
        self.early_stopping_cv = early_stopping_cv

    def fit(self, X, y=None, **params):
        """Run the search on the fixed folds, then refit the best candidate.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training data.
        y : array-like of shape (n_samples,) or (n_samples, n_outputs), default=None
            Target, if any.
        **params : dict of str -> object
            Passed to the estimator's ``fit``, the scorer and the splitter,
            as in :meth:`sklearn.model_selection.GridSearchCV.fit`.

        Returns
        -------
        self : object
            The fitted search.
        """
        # Before scikit-learn's own check, whose error lists every scorer.
        check_scoring_names(self.scoring)
        # scikit-learn's fit from 1.9 on readies the search with the data
        # before _run_search; earlier releases get the same from _compat.
        prepare_fit(self, X, y, params)
        super().fit(X, y, **params)
        if "pareto_rank" in self.cv_results_:
            self.pareto_front_ = np.flatnonzero(self.cv_results_["pareto_rank"] == 1)
        return self

    @abstractmethod
    def _make_optimizer(self, space, random_state):
        """The strategy's optimizer over `space`, seeded with an int."""

    def _prepare_batch(self, optimizer, batch, cv):
        """What to evaluate for `batch`: ``(candidate_params, cv)``.

        The default evaluates the candidates as asked on the fixed folds. A
        strategy with a resource may rewrite the candidates (an estimator
        parameter) or pass another splitter (a subsample of the fixed
        folds); ``candidate_params`` must stay in the order of `batch`.
        """
        return batch, cv

    def _after_tell(self, optimizer, batch, folds):
        """Called once `batch`'s scores are told, before the checkpoint.

        For a strategy that tells the optimizer more than scores (gradients
        computed from the data on `folds`, the fixed ``(train, test)``
        splits every batch is scored on); the default does nothing.
        """

    def _objective_columns(self, results):
        """The ``cv_results_`` columns the optimizer maximises, each with the
        sign that makes it a maximisation."""
        names = self._objective_names()
        if names is None:
            return [(self._objective_key(results), 1.0)]
        columns = []
        for name in names:
            if name in _COSTS:
                columns.append((_COSTS[name], -1.0))
            elif f"mean_test_{name}" in results:
                columns.append((f"mean_test_{name}", 1.0))
            else:
                raise ValueError(
                    f"objectives names {name!r}, which no scorer computes; the "
                    f"scorers are {self._metric_names(results)}."
                )
        return columns

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
        if len(metrics) == 1 or not self._multi_objective:
            return f"mean_test_{metrics[0]}"
        raise ValueError(
            "With multi-metric scoring, refit must be the name of the metric to "
            f"optimise, one of {metrics}; got refit={self.refit!r}. To search "
            "for the Pareto front of several of them instead, name them in "
            "objectives."
        )

    @staticmethod
    def _metric_names(results):
        return [k[len("rank_test_") :] for k in results if k.startswith("rank_test_")]

    def _scorer_names(self):
        """Names of the scorers of a multi-metric `scoring`, in its order;
        ``["score"]`` for a single metric."""
        scoring = self.scoring
        if isinstance(scoring, (dict, list, tuple)):
            return list(scoring)
        if isinstance(scoring, set):
            return sorted(scoring)
        return ["score"]

    def _objective_names(self):
        """The names of the objectives, or None for one objective.

        `objectives` if set; otherwise, with multi-metric scoring and a
        `refit` that names no scorer (a callable, or False), every scorer,
        the refit choosing from the front.
        """
        if self.objectives is not None:
            return list(self.objectives)
        scorers = self._scorer_names()
        if len(scorers) > 1 and not isinstance(self.refit, str) and self._multi_objective:
            return scorers
        return None

    def _check_objective_defined(self):
        """Fail before any fit when the scoring or `objectives` show no
        objective."""
        if self.early_stopping_cv is not None and self._objective_names() is not None:
            # A candidate stops when it cannot beat the incumbent on one
            # score; on a front, a worse score may still be non-dominated.
            raise ValueError(
                f"early_stopping_cv={self.early_stopping_cv!r} stops candidates "
                "on one score and cannot search for a Pareto front; got "
                f"objectives={self._objective_names()!r}. Set "
                "early_stopping_cv=None, or choose one objective (refit naming "
                "a scorer, objectives=None)."
            )
        if self.objectives is None:
            return
        if not self._multi_objective:
            raise ValueError(
                f"{type(self).__name__} optimises one objective; got "
                f"objectives={self.objectives!r}. Set objectives=None, and "
                "choose the objective with scoring (and refit, with several "
                "scorers)."
            )
        names = list(self.objectives)
        if len(names) < 2 or len(set(names)) < len(names) or not all(
            isinstance(name, str) for name in names
        ):
            raise ValueError(
                "objectives must be None or a list of at least two distinct "
                f"names; got objectives={self.objectives!r}."
            )
        if callable(self.scoring):
            # A callable's metrics are known once it has scored a batch.
            return
        scorers = self._scorer_names()
        for name in names:
            if name not in scorers and name not in _COSTS:
                where = (
                    f"the keys of scoring are {scorers}"
                    if scorers != ["score"]
                    else "scoring is a single metric, named 'score'"
                )
                raise ValueError(
                    f"objectives names {name!r}, which is neither a scorer "
                    f"nor one of {sorted(_COSTS)}: {where}."
                )

    def _run_search(self, evaluate_candidates, *, callback_ctx=None):
        started = time.monotonic()
        self._check_objective_defined()
        space = SearchSpace(self.param_distributions)
        check_parameter_names(self.estimator, space)
        fingerprint = None
        saved = None
        if self.checkpoint is not None:
            fingerprint = _checkpoint.search_fingerprint(self, space)
            saved = _checkpoint.load(self.checkpoint, fingerprint)
        if saved is None:
            seed = check_random_state(self.random_state).randint(np.iinfo(np.int32).max)
            optimizer = self._make_optimizer(space, seed)
            loop = _LoopState()
            cv = FixedSplits(checked_cv(self), hash_data=self.checkpoint is not None)
            self._fold_groups = self._make_fold_groups()
        else:
            optimizer, loop = saved["optimizer"], saved["loop"]
            self._restored_rows = saved["rows"]
            cv = FixedSplits(
                checked_cv(self), resume_from=(saved["splits"], saved["data_hash"])
            )
            self._fold_groups = saved.get("fold_groups")
            if getattr(self._fold_groups, "rule", None) != self.early_stopping_cv:
                raise ValueError(
                    f"checkpoint={self.checkpoint!r} was written by a search with "
                    "another early_stopping_cv; its results are not mixed with "
                    "this one's. Delete it or pass another path."
                )
            if loop.n_evaluated >= self.n_iter:
                raise ValueError(
                    f"checkpoint={self.checkpoint!r} holds {loop.n_evaluated} "
                    f"evaluated candidates, n_iter={self.n_iter} asks for no "
                    "more. Raise n_iter to continue that search, or delete the "
                    "file to start anew."
                )
            if self.verbose > 0:
                print(
                    f"[{type(self).__name__}] resuming from {self.checkpoint!r}: "
                    f"{loop.n_evaluated} candidates already evaluated."
                )
        optimizer.set_budget(self.n_iter)
        names = self._objective_names()
        if names is not None:
            optimizer.set_costs([j for j, name in enumerate(names) if name in _COSTS])
        search_ctx = None
        if callback_ctx is not None:
            search_ctx = callback_ctx.subcontext(
                task_name="search", max_subtasks=None
            ).call_on_fit_task_begin(estimator=self)
        try:
            self._search_loop(evaluate_candidates, optimizer, loop, cv, started,
                              search_ctx, fingerprint)
        finally:
            self.__dict__.pop("_restored_rows", None)
            self.__dict__.pop("_evaluated_rows", None)
            self.__dict__.pop("_fold_groups", None)
        if search_ctx is not None:
            search_ctx.call_on_fit_task_end(estimator=self)
        if loop.n_evaluated > 0 and loop.n_failed == loop.n_evaluated:
            raise ValueError(
                f"All {loop.n_evaluated} candidates failed to fit: no score to "
                f"select a model from. The last failure:\n{loop.last_failure}"
            )
        if self.checkpoint is not None:
            # The search is complete: fitting again starts a new one.
            os.remove(self.checkpoint)
        self.optimizer_ = optimizer

    def _search_loop(self, evaluate_candidates, optimizer, loop, cv, started,
                     search_ctx, fingerprint):
        while loop.n_evaluated < self.n_iter:
            # The first batch always runs: a search returns at least one model.
            if (
                self.max_time is not None
                and loop.batch_number > 0
                and time.monotonic() - started >= self.max_time
            ):
                warnings.warn(
                    f"max_time={self.max_time}s reached after {loop.n_evaluated} "
                    f"of n_iter={self.n_iter} candidates; the search returns "
                    "the best so far.",
                    UserWarning,
                )
                return
            batch = optimizer.ask(
                max(1, min(optimizer.next_batch_size(), self.n_iter - loop.n_evaluated))
            )
            if not batch and optimizer.finished:
                if self.verbose > 0:
                    print(f"[{type(self).__name__}] stopping: the plan is complete.")
                return
            if not batch:
                n_configurations = optimizer.n_configurations
                rows = (
                    f" ({loop.n_evaluated} evaluations)"
                    if n_configurations != loop.n_evaluated
                    else ""
                )
                warnings.warn(
                    f"The search space holds only {n_configurations} distinct "
                    f"candidates, fewer than n_iter={self.n_iter}; the search "
                    f"stopped after evaluating all of them{rows}.",
                    UserWarning,
                )
                return
            params, batch_cv = self._prepare_batch(optimizer, batch, cv)
            more_results = {
                "iter": [loop.batch_number] * len(batch),
                **optimizer.results_columns(batch),
            }
            start = time.perf_counter()
            try:
                results = self._evaluate_batch(
                    evaluate_candidates, params, batch_cv, more_results, search_ctx
                )
            except ValueError as exc:
                if not is_all_fits_failed(exc):
                    raise
                loop.last_failure = str(exc).strip()
                loop.n_failed += len(batch)
                names = self._objective_names()
                shape = len(batch) if names is None else (len(batch), len(names))
                scores = np.full(shape, np.nan)
                warnings.warn(
                    f"Every fit of batch {loop.batch_number} ({len(batch)} "
                    "candidates) failed; the search goes on, and these candidates "
                    f"are not in cv_results_. First failure:\n{loop.last_failure[:2000]}",
                    UserWarning,
                )
            else:
                loop.objective = loop.objective or self._objective_columns(results)
                scores = np.column_stack(
                    [
                        sign * np.asarray(results[key][-len(batch) :], dtype=float)
                        for key, sign in loop.objective
                    ]
                )
                if scores.shape[1] == 1:
                    scores = scores[:, 0]
            optimizer.tell(batch, scores)
            self._after_tell(optimizer, batch, cv.splits_)
            loop.n_evaluated += len(batch)
            if self.verbose > 0:
                self._print_progress(optimizer, loop.batch_number, batch, start)
            loop.batch_number += 1
            if np.ndim(scores) == 2:
                stop = loop.update_front(
                    optimizer.objective_scores_, len(batch), self.n_iter_no_change
                )
            else:
                stop = loop.update_best(scores, self.tol, self.n_iter_no_change)
            if self.checkpoint is not None:
                _checkpoint.save(
                    self.checkpoint,
                    {
                        "fingerprint": fingerprint,
                        "optimizer": optimizer,
                        "loop": loop,
                        "rows": self.__dict__.get("_evaluated_rows")
                        or self.__dict__.get("_restored_rows")
                        or ([], [], {}),
                        "splits": cv.splits_,
                        "data_hash": cv.data_hash_,
                        "fold_groups": self._fold_groups,
                    },
                )
            if stop:
                if self.verbose > 0:
                    print(
                        f"[{type(self).__name__}] stopping: no improvement over "
                        f"tol={self.tol} in {loop.n_no_change} batches."
                    )
                return

    def _format_results(self, candidate_params, n_splits, out, more_results=None):
        # evaluate_candidates builds cv_results_ from the rows of this fit
        # only; a resumed search puts the checkpoint's rows first, and the
        # rows so far are kept for the next checkpoint.
        more_results = dict(more_results or {})
        if getattr(self, "_restored_rows", None) is not None:
            old_params, old_out, old_more = self._restored_rows
            candidate_params = [*old_params, *candidate_params]
            out = [*old_out, *out]
            more_results = {
                key: [*old_more.get(key, []), *more_results.get(key, [])]
                for key in {*old_more, *more_results}
            }
        self._evaluated_rows = (list(candidate_params), list(out), more_results)
        results = self._format_rows(candidate_params, n_splits, out, more_results)
        if self._objective_names() is not None:
            results["pareto_rank"] = self._pareto_rank(results)
        return results

    def _pareto_rank(self, results):
        """Non-dominated rank of every row of `results` (1: the front)."""
        columns = self._objective_columns(results)
        Y = np.column_stack(
            [sign * np.asarray(results[key], dtype=float) for key, sign in columns]
        )
        return non_dominated_rank(Y)

    def _format_rows(self, candidate_params, n_splits, out, more_results):
        """``cv_results_`` from the lists of every ``evaluate_candidates``
        call, with early-stopped cross-validation's rows put together."""
        fold_groups = getattr(self, "_fold_groups", None)
        if fold_groups is None:
            return super()._format_results(candidate_params, n_splits, out, more_results)
        rows = fold_groups.rows(candidate_params, out, more_results, self.error_score)
        return fold_groups.finish(super()._format_results(*rows))

    def _make_fold_groups(self):
        if self.early_stopping_cv is None:
            return None
        return FoldGroups(self.early_stopping_cv, self.n_splits_, self.refit)

    @staticmethod
    def _select_best_index(refit, refit_metric, results):
        # With early-stopped cross-validation the ranks put the candidates
        # scored on every split first; a callable `refit` sees only those.
        evaluated = results.get("n_splits_evaluated")
        if not callable(refit) or evaluated is None:
            return BaseSearchCV._select_best_index(refit, refit_metric, results)
        complete = np.flatnonzero(evaluated == np.max(evaluated))
        view = {
            k: v[complete] if isinstance(v, np.ndarray) else [v[i] for i in complete]
            for k, v in results.items()
        }
        return int(complete[BaseSearchCV._select_best_index(refit, refit_metric, view)])

    def _evaluate_batch(self, evaluate_candidates, batch, cv, more_results, ctx):
        fold_groups = getattr(self, "_fold_groups", None)
        if fold_groups is None:
            return self._evaluate_call(evaluate_candidates, batch, cv, more_results, ctx)

        def call(params, group_cv, group_more_results):
            return self._evaluate_call(
                evaluate_candidates, params, group_cv, group_more_results, ctx
            )

        return fold_groups.evaluate(
            self, evaluate_candidates, call, batch, cv, more_results
        )

    def _evaluate_call(self, evaluate_candidates, batch, cv, more_results, ctx):
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
