"""Early-stopped cross-validation in the search loop: a batch's candidates
are scored on the fixed folds in groups, and a candidate stops once it
cannot win (the rules are in :mod:`sklearn_tune._early_stopping`)."""

import math
import warnings

import numpy as np
from joblib import effective_n_jobs
from scipy.stats import rankdata

from ._compat import (
    is_all_fits_failed,
    replace_results,
    result_values,
    result_with_values,
    splits_per_candidate,
)
from ._early_stopping import scan_folds, stopping_bar
from ._splitters import SplitSubset


class FoldGroups:
    """Which folds each candidate of the search was scored on, and why.

    A batch is scored in groups, each one ``evaluate_candidates`` call over
    the candidates still running and their next folds. With as many workers
    as running candidates or fewer a group is one fold; with more, a group
    takes the next ``ceil(n_workers / n_running)`` folds so that no worker
    idles. Either way the stopping rule is applied fold by fold, and the
    folds a candidate was scored on after the one where it stopped are
    dropped: the results do not depend on ``n_jobs``. The bar is the one of
    the incumbent when the batch started (no candidate of a batch is scored
    on every fold before the others), so it is the same for any grouping.

    scikit-learn gathers the fit results of every call in call order; the
    record of the groups (`groups_`) places each in its row and split of
    ``cv_results_`` (:meth:`rows`), then :meth:`finish` writes NaN in the
    splits a row skipped and its mean and standard deviation over the others.

    Parameters
    ----------
    rule : {"aggressive", "forgiving"} or float
        The stopping rule, or a confidence level (see
        :mod:`sklearn_tune._early_stopping`).
    n_splits : int
        Number of fixed folds.
    refit : bool, str or callable
        The search's `refit`: with several scorers, the one stopped on when
        it names one, else the first scorer.
    """

    def __init__(self, rule, n_splits, refit):
        self.rule = rule
        self.n_splits = n_splits
        self.refit = refit
        self.groups_ = []
        self.n_rows_ = 0
        self.incumbent_ = None

    def evaluate(self, search, evaluate_candidates, call, params, cv, more_results):
        """Score the batch `params` group by group; the last results.

        `call(params, cv, more_results)` makes one ``evaluate_candidates``
        call and returns its results.
        """
        first_row = self.n_rows_
        bar = stopping_bar(self.rule, self.incumbent_)
        n_workers = effective_n_jobs(search.n_jobs)
        running, start, results = list(range(len(params))), 0, None
        while running and start < self.n_splits:
            width = min(self.n_splits - start, math.ceil(n_workers / len(running)))
            group = {
                "rows": [first_row + i for i in running],
                "folds": list(range(start, start + width)),
                "bar": bar,
                "kept": None,
                "failed": None,
            }
            self.groups_.append(group)
            try:
                with splits_per_candidate(search, evaluate_candidates, width):
                    results = call(
                        [params[i] for i in running],
                        SplitSubset(cv, group["folds"]),
                        {k: [v[i] for i in running] for k, v in more_results.items()},
                    )
            except ValueError as exc:
                if not is_all_fits_failed(exc) or start == 0:
                    # Nothing of the batch is in cv_results_: the loop
                    # handles it as a failed batch.
                    self.groups_.pop()
                    raise
                # Every fit of a later group failed: those folds get the
                # error score, as without early stopping.
                group["failed"] = str(exc).strip()
                warnings.warn(
                    f"Every fit of {len(running)} candidates on splits "
                    f"{group['folds']} failed; they get error_score there and "
                    f"stop. First failure:\n{group['failed'][:2000]}",
                    UserWarning,
                )
                rows, out, more = search._evaluated_rows
                replace_results(
                    results, search._format_rows(rows, self.n_splits, out, more)
                )
            running = [i for i, s in zip(running, group["stopped"]) if not s]
            start += width
        self.n_rows_ = first_row + len(params)
        self._update_incumbent(range(first_row, self.n_rows_))
        return results

    def _update_incumbent(self, rows):
        best = -np.inf if self.incumbent_ is None else np.mean(self.incumbent_)
        for row in rows:
            if self.evaluated_[row].all():
                scores = self.scores_[row]
                if np.mean(scores) > best:
                    best, self.incumbent_ = np.mean(scores), scores

    def rows(self, candidate_params, out, more_results, error_score):
        """One row per candidate from scikit-learn's lists of every call.

        Decides, for the group scored last, where each candidate stops.
        Returns ``(candidate_params, n_splits, out, more_results)`` for
        ``BaseSearchCV._format_results``: a skipped split holds the row's
        mean over its scored splits, so that the means are right and no
        warning of non-finite scores is given for it.
        """
        params, more, cells = [], {k: [] for k in more_results}, []
        n_params = n_out = 0
        for group in self.groups_:
            rows, folds = group["rows"], group["folds"]
            if group["failed"] is None:
                width = len(folds)
                fits = [out[n_out + i * width : n_out + (i + 1) * width]
                        for i in range(len(rows))]  # fmt: skip
                for i, row in enumerate(rows):
                    if row == len(params):
                        params.append(candidate_params[n_params + i])
                        for key, values in more_results.items():
                            more[key].append(values[n_params + i])
                        cells.append([None] * self.n_splits)
                n_params += len(rows)
                n_out += len(rows) * width
            else:
                fits = [[self._failed(cells[row], error_score, group["failed"])] * len(folds)
                        for row in rows]  # fmt: skip
            if group["kept"] is None:
                self._decide(group, [cells[row] for row in rows], fits)
            for row, row_fits, n_kept in zip(rows, fits, group["kept"]):
                for fold, fit in zip(folds, row_fits[:n_kept]):
                    cells[row][fold] = fit
        self._store_values(cells)
        flat = []
        for row_cells in cells:
            scored = [c for c in row_cells if c is not None]
            means = {k: np.mean([result_values(c)[k] for c in scored])
                     for k in result_values(scored[0])}  # fmt: skip
            filler = result_with_values(scored[0], means)
            flat.extend(filler if c is None else c for c in row_cells)
        return params, self.n_splits, flat, more

    def _decide(self, group, row_cells, fits):
        key = self._objective_value(fits[0][0])
        kept, stopped = [], []
        for cells, row_fits in zip(row_cells, fits):
            done = [result_values(c)[key] for c in cells if c is not None]
            new = [result_values(f)[key] for f in row_fits]
            n_kept, stop = scan_folds(done, new, group["bar"])
            kept.append(n_kept)
            stopped.append(stop)
        group["kept"], group["stopped"] = kept, stopped

    def _objective_value(self, fit):
        tests = [k for k in result_values(fit) if k.startswith("test_")]
        if isinstance(self.refit, str) and len(tests) > 1:
            return f"test_{self.refit}"
        # One scorer, or a refit naming none (a callable, or False): the
        # search optimises the first scorer, and so is stopped on it.
        return tests[0]

    @staticmethod
    def _failed(row_cells, error_score, message):
        template = next(c for c in row_cells if c is not None)
        values = {
            k: (error_score if k.startswith(("test_", "train_")) else 0.0)
            for k in result_values(template)
        }
        return result_with_values(template, values, fit_error=message)

    def _store_values(self, cells):
        """Every number of every (row, split) as arrays, NaN where skipped."""
        self.evaluated_ = np.array([[c is not None for c in row] for row in cells])
        names = result_values(next(c for c in cells[0] if c is not None))
        self.values_ = {
            name: np.array([[np.nan if c is None else result_values(c)[name]
                             for c in row] for row in cells], dtype=float)
            for name in names
        }  # fmt: skip
        self.scores_ = self.values_[self._objective_value(cells[0][0])]

    def finish(self, results):
        """Give the skipped splits NaN and every row its mean, standard
        deviation and rank over the splits it was scored on; add the
        ``n_splits_evaluated`` column."""
        mask = self.evaluated_
        count = mask.sum(axis=1)
        complete = count == self.n_splits
        for name, values in self.values_.items():
            for split in range(self.n_splits):
                if f"split{split}_{name}" in results:
                    results[f"split{split}_{name}"] = values[:, split].copy()
            kept = np.where(mask, values, 0.0)
            mean = kept.sum(axis=1) / count
            results[f"mean_{name}"] = mean
            spread = np.where(mask, values - mean[:, None], 0.0)
            results[f"std_{name}"] = np.sqrt((spread**2).sum(axis=1) / count)
            if f"rank_{name}" in results:
                results[f"rank_{name}"] = rank_complete_first(mean, complete)
        results["n_splits_evaluated"] = count
        return results


def rank_complete_first(means, complete):
    """Ranks (1 is best) of the `complete` rows by mean, then of the others.

    Failed (NaN) means rank last in their group, tied, as in scikit-learn.

    Examples
    --------
    >>> rank_complete_first(np.array([0.5, 0.9, 0.7]), np.array([True, False, True]))
    array([2, 3, 1], dtype=int32)
    """
    scores = -np.where(np.isnan(means), -np.inf, means)
    ranks = np.empty(len(means), dtype=np.int32)
    ranks[complete] = rankdata(scores[complete], method="min")
    ranks[~complete] = complete.sum() + rankdata(scores[~complete], method="min")
    return ranks
