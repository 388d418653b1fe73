"""The ask/tell interface every strategy core implements.

Optimizers are pure numpy/scipy: they see a :class:`~sklearn_tune.SearchSpace`
and scores, never estimators or data. They maximise (scikit-learn scores are
higher-is-better), never propose a candidate twice, and keep all their state
in plain attributes so that they pickle.
"""

import math
import numbers
from abc import ABC, abstractmethod

import numpy as np

from ..space import SearchSpace

# A full enumeration of the unseen candidates is affordable below this size;
# larger finite spaces are sampled by rejection.
MAX_ENUMERATION = 200_000


class BaseOptimizer(ABC):
    """Base class of the ask/tell strategy cores.

    Subclasses implement :meth:`_ask`, and usually :meth:`_tell`; a strategy
    that works in batches of its own (a generation, a rung, a set of probes)
    says how large the next one is through :meth:`next_batch_size`, and one
    that knows more of its candidates than their scores (a generation, a
    parent, a prediction) says it through :meth:`results_columns`. The base
    class keeps the history, removes candidates already evaluated or pending
    from every batch (topping it up with random unseen candidates), and
    imputes failed (NaN or infinite) scores before subclasses see them.

    Parameters
    ----------
    space : SearchSpace, dict or list of dicts
        Where to search.
    random_state : int, numpy Generator or None, default=None
        Seed of the optimizer's private generator.

    Attributes
    ----------
    candidates_ : list of dict
        Told candidates, in order.
    subspaces_ : list of int
        Sub-space index of each told candidate.
    scores_ : list of float
        Scores as told, failures (NaN) included; with several objectives,
        the first objective.
    objective_scores_ : list of tuple of float
        With several objectives only: the objective vector of each told
        candidate, failures (a NaN or infinite value) included.
    cost_objectives_ : tuple of int
        Indices of the objectives that are minus a positive cost (see
        :meth:`set_costs`); empty by default.
    """

    # A class default, so that an optimizer pickled before set_costs
    # existed still reads it.
    cost_objectives_ = ()

    def __init__(self, space, *, random_state=None):
        self.space = space if isinstance(space, SearchSpace) else SearchSpace(space)
        self.random_state = random_state
        self._rng = np.random.default_rng(random_state)
        self.candidates_ = []
        self.subspaces_ = []
        self.scores_ = []
        self.objective_scores_ = []
        self._seen = set()
        self._pending = set()

    def next_batch_size(self):
        """How many candidates the strategy wants in its next batch.

        The search asks for that many, fewer when its budget ends.

        Returns
        -------
        n_points : int
            At least 1; 1 unless the strategy works in batches of its own.
        """
        return 1

    def results_columns(self, candidates):
        """Extra ``cv_results_`` columns for candidates just asked for.

        Parameters
        ----------
        candidates : list of dict
            Candidates returned by :meth:`ask`, not yet told.

        Returns
        -------
        columns : dict of str -> list
            One list per column, one entry per candidate, in order; empty
            unless the strategy has something to say of them.
        """
        return {}

    def set_budget(self, n_evaluations):
        """Say how many candidates will be told in all (the search's ``n_iter``).

        Called at the start of every search, resumed ones included, before
        the first ask; a strategy that plans ahead (Hyperband's brackets)
        plans for it. The default ignores it.

        Parameters
        ----------
        n_evaluations : int
            The budget, asks already told included.
        """

    def set_costs(self, objectives):
        """Say which objectives are minus a positive cost, such as a time.

        Called at the start of every search with several objectives, resumed
        ones included, before the first ask. Such an objective is told as
        ``-c`` with ``c > 0``, and its costs may span orders of magnitude
        with a noise proportional to them (fit times); a strategy that
        models the objectives (Bayes) models them on a log scale. The
        default only keeps them in ``cost_objectives_``.

        Parameters
        ----------
        objectives : list of int
            Indices of the cost objectives, in the columns told.
        """
        self.cost_objectives_ = tuple(int(j) for j in objectives)

    @property
    def finished(self):
        """Whether the strategy's own plan is complete (a spent budget).

        An empty ask then ends the search without the warning that the
        space is exhausted. False by default: a strategy proposes until the
        space has no unseen candidate.
        """
        return False

    @property
    def n_configurations(self):
        """Number of distinct configurations the space holds (may be inf)."""
        return self.space.size

    @property
    def n_remaining(self):
        """Number of candidates neither evaluated nor pending (may be inf)."""
        return self.space.size - len(self._seen)

    def ask(self, n_points=1):
        """Propose up to `n_points` distinct candidates never proposed before.

        Fewer are returned only when the space holds fewer unseen candidates;
        an empty list means the space is exhausted.

        Parameters
        ----------
        n_points : int, default=1
            Size of the batch.

        Returns
        -------
        candidates : list of dict
        """
        if not isinstance(n_points, numbers.Integral) or n_points < 1:
            raise ValueError(f"n_points must be an integer >= 1, got {n_points!r}.")
        batch = []
        self._accept(self._ask(int(n_points)), batch, n_points)
        if len(batch) < n_points:
            self._accept(self._sample_unseen(n_points - len(batch)), batch, n_points)
        return batch

    def tell(self, candidates, scores):
        """Record the scores of evaluated candidates.

        Parameters
        ----------
        candidates : list of dict
            Candidates, usually returned by :meth:`ask`.
        scores : array-like of float of shape (n_candidates,) or \
                (n_candidates, n_objectives)
            Their scores, higher is better; NaN or infinite marks a failure.
            One column per objective with several objectives: a strategy
            that searches for a Pareto front reads them from
            ``objective_scores_``, any other optimises the first.
        """
        candidates = list(candidates)
        scores = np.asarray(scores, dtype=float)
        objectives = None
        if scores.ndim == 2 and scores.shape[1] > 1:
            objectives = scores
            # A row with a failed objective is a failure.
            scores = np.where(np.isfinite(scores).all(axis=1), scores[:, 0], np.nan)
        scores = scores.reshape(-1)
        if len(candidates) != len(scores):
            raise ValueError(
                f"Got {len(candidates)} candidates but {len(scores)} scores."
            )
        if objectives is not None or self.objective_scores_:
            self._tell_objectives(scores if objectives is None else objectives)
        subspaces = []
        for candidate in candidates:
            key = self.space.key(candidate)
            self._pending.discard(key)
            self._seen.add(key)
            subspaces.append(key[0])
        self.candidates_.extend(candidates)
        self.subspaces_.extend(subspaces)
        self.scores_.extend(float(s) for s in scores)
        imputed = self._imputed_scores()[-len(candidates) :] if candidates else scores
        self._tell(candidates, subspaces, imputed)

    def _tell_objectives(self, scores):
        n_new = scores.shape[1] if scores.ndim == 2 else 1
        if n_new != self.n_objectives_ and len(self.scores_) > 0:
            raise ValueError(
                f"Got {n_new} objectives, but earlier scores had "
                f"{self.n_objectives_}."
            )
        self.objective_scores_.extend(tuple(map(float, row)) for row in scores)

    @property
    def n_objectives_(self):
        """Number of objectives told: 1 unless told a 2-D array of scores."""
        return len(self.objective_scores_[0]) if self.objective_scores_ else 1

    @property
    def best_index_(self):
        """Index in the history of the best finite score (None if none)."""
        scores = np.asarray(self.scores_, dtype=float)
        finite = np.isfinite(scores)
        if not finite.any():
            return None
        return int(np.flatnonzero(finite)[np.argmax(scores[finite])])

    @abstractmethod
    def _ask(self, n_points):
        """Propose `n_points` candidates as ``(subspace_index, dict)`` pairs.

        Candidates already seen are filtered out by :meth:`ask`.
        """

    def _tell(self, candidates, subspaces, scores):
        """Update the strategy; `scores` are imputed (all finite)."""

    def _imputed_scores(self):
        """All told scores, failures replaced by the worst finite score.

        A failed candidate is as bad as the worst one that worked, which keeps
        models away from it without distorting their scale.
        """
        scores = np.asarray(self.scores_, dtype=float)
        finite = np.isfinite(scores)
        fill = scores[finite].min() if finite.any() else 0.0
        return np.where(finite, scores, fill)

    def _imputed_objectives(self):
        """All told objective vectors, a failure (any non-finite value)
        replaced by the worst finite value of each objective."""
        Y = np.asarray(self.objective_scores_, dtype=float)
        failed = ~np.isfinite(Y).all(axis=1)
        fill = Y[~failed].min(axis=0) if (~failed).any() else np.zeros(Y.shape[1])
        return np.where(failed[:, None], fill, Y)

    def _accept(self, proposals, batch, n_points):
        for subspace, candidate in proposals:
            if len(batch) == n_points:
                return
            key = self.space.key(candidate, subspace)
            if key in self._seen:
                continue
            self._seen.add(key)
            self._pending.add(key)
            batch.append(candidate)

    def _sample_unseen(self, n_points):
        """Up to `n_points` random candidates not seen yet, as pairs."""
        remaining = self.n_remaining
        if remaining <= 0:
            return []
        if math.isfinite(remaining) and self.space.size <= MAX_ENUMERATION:
            unseen = [
                (i, candidate)
                for i, subspace in enumerate(self.space.subspaces)
                for candidate in subspace.enumerate()
                if self.space.key(candidate, i) not in self._seen
            ]
            order = self._rng.permutation(len(unseen))[:n_points]
            return [unseen[j] for j in order]
        # Rejection sampling: a large or continuous space has room to spare.
        proposals = []
        for _ in range(100):
            proposals.extend(self.space.sample(n_points, self._rng))
            keys = {self.space.key(c, i) for i, c in proposals}
            if len(keys - self._seen) >= n_points:
                break
        return proposals
