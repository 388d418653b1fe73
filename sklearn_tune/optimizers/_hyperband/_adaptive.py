"""AdaptiveHyperbandOptimizer: successive halving from the lowest level
that ranks good configurations as the level above does, measured as the
search runs, and Bayesian optimisation at the full resource when no lower
level does."""

import math
import numbers

import numpy as np
from scipy.stats import spearmanr

from ._brackets import EPS, Bracket, rung_sizes
from ._optimizer import HyperbandOptimizer


class AdaptiveHyperbandOptimizer(HyperbandOptimizer):
    """Successive halving over the resource levels that rank alike.

    Brackets of successive halving run one after the other, each from the
    lowest trusted level (all levels at first) with ``ceil(eta ** k)`` new
    random configurations (``k`` halvings to the highest level), each rung
    keeping the best ``1 / eta``. A rung is one batch; the last rung of a
    bracket and the first of the next go together (with `mixed_levels`),
    so that the few full-resource fits do not leave workers idle. The
    candidates of a batch come highest level first.

    A level is judged by the configurations it promoted: their scores at
    it and at the level above. Once it has promoted ``max(6, eta ** 2 - 3)``
    configurations, all brackets together, their Spearman rank correlation
    is its agreement; a level below `min_agreement` is dropped with those
    below it, and later brackets start higher. The promoted configurations
    are the best of the level, so this measures how it ranks good
    configurations, which a low level may get wrong while it still tells
    bad from good (few boosting iterations favour high learning rates).
    It costs no evaluation beyond the brackets. When every lower level is
    dropped, each batch is ``ceil(eta)`` configurations at the full
    resource proposed by :class:`BayesOptimizer` (random until it has
    ``n_dims + 3`` scores there).

    With several objectives, promotion goes by non-dominated rank and
    crowding distance (see :class:`HyperbandOptimizer`), a level's
    agreement is the mean over the objectives of their Spearman
    correlations (a level that orders each objective as the level above
    orders their fronts alike), and :class:`BayesOptimizer` searches for
    the front at the full resource (ParEGO).

    Parameters
    ----------
    space : SearchSpace, dict or list of dicts
        The configurations, without the resource.
    resource : str or None, default=None
        Name of the resource level in the candidates.
    min_resources : int or float, default=1
        Lower bound of the lowest level.
    max_resources : int or float or None, default=None
        The highest level, the full resource; needed with a `resource`.
    eta : float, default=3
        Ratio between levels and elimination rate.
    max_evaluations : int or None, default=None
        Number of asks the brackets may use in all; the last brackets are
        shorter (they start higher) to fit. None: no limit.
    budget : float or None, default=None
        Sum of the levels of all asks (1 per ask without a resource) the
        brackets may use; once no bracket fits, :meth:`ask` returns an
        empty list. None: no limit.
    min_agreement : float, default=0.5
        Lowest Spearman correlation, in [-1, 1], of a level's promoted
        configurations with the level above for the level to be kept.
    mixed_levels : bool, default=True
        Whether a batch may hold several levels (not when the level is a
        subsample, which is one splitter per batch).
    random_state : int, numpy Generator or None, default=None
        Seed of the optimizer's private generator.

    Attributes
    ----------
    levels : list
        The resource levels, increasing.
    lowest_level : int, float or None
        The lowest level trusted; the highest when only Bayesian
        optimisation at the full resource is left.
    level_agreement : dict
        Level -> ``(spearman, n_pairs)``, its latest agreement with the
        level above.
    messages : list of str
        What the search decided about the levels, in order.
    plan : list of dict
        One row per rung of every bracket started so far.

    Examples
    --------
    >>> from sklearn_tune import Real
    >>> from sklearn_tune.optimizers._hyperband import AdaptiveHyperbandOptimizer
    >>> opt = AdaptiveHyperbandOptimizer(
    ...     {"x": Real(-2.0, 2.0)}, resource="epochs", max_resources=27,
    ...     budget=300, random_state=0,
    ... )
    >>> opt.levels
    [1, 3, 9, 27]
    >>> while batch := opt.ask(opt.next_batch_size()):
    ...     # One epoch favours low x; from 3 on, the best x is 0.5.
    ...     opt.tell(batch, [-(c["x"] - 0.5) ** 2 if c["epochs"] > 1
    ...                      else -c["x"] for c in batch])
    >>> opt.lowest_level, opt.messages[0]
    (3, 'level 1 dropped: Spearman -1.00 with level 3 over 9 configurations')
    >>> top = [(s, c["x"]) for c, s in zip(opt.candidates_, opt.scores_)
    ...        if c["epochs"] == 27]
    >>> len(top), round(max(top)[1], 2)
    (4, 0.25)
    """

    _samplers = ("adaptive",)

    def __init__(
        self,
        space,
        *,
        resource=None,
        min_resources=1,
        max_resources=None,
        eta=3,
        max_evaluations=None,
        budget=None,
        min_agreement=0.5,
        mixed_levels=True,
        random_state=None,
    ):
        if budget is not None and (
            isinstance(budget, bool)
            or not isinstance(budget, numbers.Real)
            or not budget > 0
        ):
            raise ValueError(f"budget must be None or a number > 0, got {budget!r}.")
        if (
            isinstance(min_agreement, bool)
            or not isinstance(min_agreement, numbers.Real)
            or not -1 <= min_agreement <= 1
        ):
            raise ValueError(
                f"min_agreement must be a number in [-1, 1], got {min_agreement!r}."
            )
        self.budget = budget
        self.min_agreement = min_agreement
        self.mixed_levels = bool(mixed_levels)
        self.level_agreement = {}
        self.messages = []
        self._running = []
        self._outstanding = set()
        self._done = False
        super().__init__(
            space,
            resource=resource,
            min_resources=min_resources,
            max_resources=max_resources,
            eta=eta,
            max_evaluations=max_evaluations,
            sampler="adaptive",
            random_state=random_state,
        )

    def _start_plan(self):
        """Brackets are planned one at a time, as the levels are judged."""

    def describe_plan(self):
        """The plan so far, for a person: a line, then one per bracket."""
        limits = [
            f"{name} {value}"
            for name, value in [
                ("at most", self.max_evaluations),
                ("budget", self.budget),
            ]
            if value is not None
        ]
        lines = [
            f"plan: successive halving from the lowest {self.resource} level "
            f"that ranks the best alike, levels {self.levels}, eta={self.eta}"
            + "".join(f", {limit}" for limit in limits)
        ]
        for b, bracket in enumerate(self._brackets):
            steps = " -> ".join(
                f"{size} x {self.levels[bracket.start + i]}"
                for i, size in enumerate(bracket.sizes)
            )
            lines.append(f"  bracket {b}: {steps}")
        return lines + [f"  {message}" for message in self.messages]

    def set_budget(self, n_evaluations):
        """Allow up to `n_evaluations` asks in all (never fewer than before)."""
        if self.max_evaluations is not None and n_evaluations > self.max_evaluations:
            self.max_evaluations = n_evaluations
            self._done = False

    def next_batch_size(self):
        """Number of candidates of the next batch waiting to be asked."""
        if not self._queue:
            self._schedule()
        if self.mixed_levels:
            return max(1, len(self._queue))
        return super().next_batch_size()

    @property
    def finished(self):
        """Whether no bracket fits what is left of the budget."""
        return self._done

    @property
    def spent(self):
        """Sum of the levels of the asks planned so far (the rows of the
        rungs run, the planned sizes of those to come)."""
        return self._committed()[1]

    # ------------------------------------------------------------ schedule --

    def _schedule(self):
        """Queue the next batch once every planned ask is told: the next
        rung of the running brackets, and a new bracket when none is left
        to run after them (or alongside a last rung); whether any."""
        if self._done or self._outstanding:
            return False
        self._judge_levels()
        running = []
        for b in self._running:
            bracket = self._brackets[b]
            rung = len(bracket.rungs)
            if rung < len(bracket.sizes):
                picks = self._promote(bracket, rung, self.levels[bracket.start + rung])
                bracket.rungs.append(picks)
                self._enqueue(b, rung, picks)
                if picks and rung + 1 < len(bracket.sizes):
                    running.append(b)
        self._running = running
        if not running and not (self._queue and not self.mixed_levels):
            started = self._start_bracket()
            if not (started or self._queue or len(self._used) >= self._configs.size):
                self._done = True
        self._queue.sort(key=lambda pair: -self._cost(self._level_of(pair[1])))
        return bool(self._queue)

    def _enqueue(self, b, rung, picks):
        for subspace, candidate in picks:
            key = self.space.key(candidate, subspace)
            self._jobs[key] = (b, rung)
            self._outstanding.add(key)
            self._queue.append((subspace, candidate))

    def _start_bracket(self):
        """Plan and queue the first rung of a bracket from the lowest
        trusted level, shorter if the budget left needs it; whether any."""
        top = len(self.levels) - 1
        # A bracket that cannot fill its first rung would promote fewer
        # than one configuration: it starts higher instead.
        n_left = self._configs.size - len(self._used)
        for start in range(self._lowest, top + 1):
            n_halvings = top - start
            n = min(math.ceil(self.eta ** max(n_halvings, 1) - EPS), n_left)
            while n > 0:
                sizes = rung_sizes(n, n_halvings, self.eta)
                if sizes[-1] >= 1 and self._fits(sizes, start):
                    break
                n -= 1
            if n == 0:
                continue
            bracket = Bracket(start=start, sizes=sizes, round=len(self._brackets))
            self._brackets.append(bracket)
            picks = self._new_configs(sizes[0], self.levels[start])
            bracket.sizes[0] = len(picks)
            bracket.rungs.append(picks)
            self._enqueue(bracket.round, 0, picks)
            if picks and n_halvings:
                self._running.append(bracket.round)
            return bool(picks)
        return False

    def _fits(self, sizes, start):
        rows, cost = self._committed()
        rows += sum(sizes)
        cost += sum(
            size * self._cost(self.levels[start + i]) for i, size in enumerate(sizes)
        )
        return (self.max_evaluations is None or rows <= self.max_evaluations) and (
            self.budget is None or cost <= self.budget + EPS
        )

    def _committed(self):
        rows = cost = 0
        for bracket in self._brackets:
            for i, size in enumerate(bracket.sizes):
                n = len(bracket.rungs[i]) if i < len(bracket.rungs) else size
                rows += n
                cost += n * self._cost(self.levels[bracket.start + i])
        return rows, cost

    @staticmethod
    def _cost(level):
        return 1 if level is None else level

    def _uses_model(self):
        return self._lowest == len(self.levels) - 1

    def _sample_unseen(self, n_points):
        # Once the budget is spent, nothing more: not even random asks.
        return [] if self._done else super()._sample_unseen(n_points)

    # -------------------------------------------------------------- levels --

    def _judge_levels(self):
        """Drop the levels whose promoted configurations the level above
        ranks differently (Spearman below `min_agreement`)."""
        top = len(self.levels) - 1
        index = {level: i for i, level in enumerate(self.levels)}
        by_config = {}
        for row, (candidate, subspace, score) in enumerate(
            zip(self.candidates_, self.subspaces_, self.scores_)
        ):
            level = index.get(self._level_of(candidate))
            if level is not None and np.isfinite(score):
                key = self._configs.key(self._config_of(candidate), subspace)
                by_config.setdefault(key, {})[level] = row
        n_min = max(6, math.ceil(self.eta**2 - EPS) - 3)
        for i in range(self._lowest, top):
            pairs = np.array(
                [(s[i], s[i + 1]) for s in by_config.values() if i in s and i + 1 in s]
            )
            if len(pairs) < n_min:
                continue
            agreement = self._agreement(*pairs.T)
            self.level_agreement[self.levels[i]] = (agreement, len(pairs))
            if agreement < self.min_agreement:
                self._lowest = i + 1
                self.messages.append(
                    f"level {self.levels[i]} dropped: Spearman {agreement:.2f} "
                    f"with level {self.levels[i + 1]} over {len(pairs)} "
                    "configurations"
                )
        if self._lowest == top and top > 0 and not any(
            "Bayesian" in message for message in self.messages
        ):
            self.messages.append(
                "no lower level ranks the best configurations alike: Bayesian "
                f"optimisation at the full resource ({self.levels[top]})"
            )

    def _agreement(self, low_rows, high_rows):
        """Spearman correlation of the same configurations' scores at two
        levels, given their rows; with several objectives, its mean over
        the objectives (a level that orders each objective as the level
        above orders their fronts alike)."""
        if self.n_objectives_ == 1:
            Y = np.asarray(self.scores_, dtype=float)[:, None]
        else:
            Y = np.asarray(self.objective_scores_, dtype=float)
        agreements = []
        for low, high in zip(Y[low_rows].T, Y[high_rows].T):
            if np.ptp(high) == 0:
                agreements.append(1.0)  # the level above cannot tell them apart
            elif np.ptp(low) == 0:
                agreements.append(0.0)
            else:
                agreements.append(float(spearmanr(low, high)[0]))
        return float(np.mean(agreements))

    # ---------------------------------------------------------------- tell --

    def _tell(self, candidates, subspaces, scores):
        first = len(self.scores_) - len(candidates)
        for row, (candidate, subspace) in enumerate(zip(candidates, subspaces), first):
            key = self.space.key(candidate, subspace)
            self._used.add(self._configs.key(candidate, subspace))
            if key in self._jobs:
                self._job_scores[key] = self.scores_[row]
                self._job_rows[key] = row
                self._outstanding.discard(key)
