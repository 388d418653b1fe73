"""HyperbandOptimizer: the ask/tell core of Hyperband, and of BOHB with
``sampler="bayes"``."""

import math
import numbers

import numpy as np

from ...space import Categorical, SearchSpace
from .._base import MAX_ENUMERATION, BaseOptimizer
from .._bayes import BayesOptimizer
from .._pareto import crowded_order
from ._brackets import (
    EPS,
    Bracket,
    Round,
    geometric_levels,
    hyperband_brackets,
    plan_rounds,
)

class HyperbandOptimizer(BaseOptimizer):
    """Hyperband: brackets of successive halving over resource levels.

    The resource (training iterations, samples, epochs...) grows from
    `min_resources` to `max_resources` by a factor `eta`; those levels are
    the optimizer's own. A candidate is a configuration of `space` at one
    level, given under the name `resource`, so the same configuration is
    asked again, as a new candidate, each time it is promoted.

    Each round runs the brackets of Hyperband: bracket ``s`` starts
    ``ceil(L / (s + 1) * eta ** s)`` new configurations (``L`` levels) at
    the ``s``-th level from the top, and after each rung promotes the best
    ``1 / eta`` of them, by their told scores, to the next level. Failed
    configurations (NaN or infinite scores) are never promoted. A round
    goes level by level: every rung of a level, in every bracket, is
    scheduled at once, and :meth:`next_batch_size` is its size. A round
    starts when the previous one is done, unless candidates are asked
    before the pending ones are told.

    With ``sampler="random"``, new configurations are random and every
    round runs every bracket. With ``sampler="bayes"``, they are proposed
    by :class:`BayesOptimizer` (expected improvement and the upper
    confidence bound in turn), fitted to the scores at the highest level
    that has at least ``n_dims + 3`` of them (random until then), and a
    level is used only once it ranks good configurations as the highest
    level does. Rounds are Hyperband rounds over the levels trusted so
    far, the highest alone at first. Once ``ceil(eta ** 3)``
    configurations are scored at the highest level, the best
    ``ceil(eta ** 2)`` of them are also scored at the level below the
    lowest trusted (a check, a bracket of one rung); if that level's best
    ``1 / eta`` of them hold the best at the highest level, it is trusted
    from the next round on, and the one below is checked in turn; the
    first check that fails ends the descent. A low level that favours
    other configurations than the full resource (few boosting iterations
    rank learning rates by how fast they start) costs one check instead
    of most of the budget.

    Told several objectives (a 2-D array of scores, one column each), a
    rung promotes by non-dominated rank, then by crowding distance within
    a rank, as MOASHA does (Schmucker et al., 2021): the front of the rung
    first, its ends and most isolated members before the crowded ones.
    ``sampler="bayes"`` refuses several objectives: its checks compare the
    best configuration of two levels.

    Parameters
    ----------
    space : SearchSpace, dict or list of dicts
        The configurations, without the resource.
    resource : str or None, default=None
        Name of the resource level in the candidates. None: a single level,
        each configuration is asked once and the brackets reduce to
        `sampler`.
    min_resources : int or float, default=1
        Lower bound of the lowest level.
    max_resources : int or float or None, default=None
        The highest level, the full resource; needed with a `resource`.
    eta : float, default=3
        Ratio between levels and elimination rate: each rung keeps
        ``1 / eta`` of its configurations.
    max_evaluations : int or None, default=None
        Number of asks the rounds are planned for; the last rounds shrink
        their brackets so that the rungs add up to exactly this. None
        repeats full rounds.
    sampler : {"random", "bayes"}, default="random"
        How new configurations are drawn, and whether levels are checked
        before their brackets are run (see above).
    random_state : int, numpy Generator or None, default=None
        Seed of the optimizer's private generator.

    Attributes
    ----------
    levels : list
        The resource levels, increasing (``[None]`` without a resource).
    plan : list of dict
        One row per rung of every bracket planned so far, with keys
        ``round``, ``bracket``, ``rung``, ``n_candidates``, ``n_resources``.
        With ``sampler="bayes"``, rounds are planned one at a time, as
        levels pass their checks.
    lowest_level : int, float or None
        The lowest level whose brackets are run.
    candidates_ : list of dict
        Told candidates, in order.
    scores_ : list of float
        Scores as told, failures (NaN) included.

    Examples
    --------
    >>> from sklearn_tune import Real
    >>> from sklearn_tune.optimizers import HyperbandOptimizer
    >>> opt = HyperbandOptimizer(
    ...     {"x": Real(-2.0, 2.0)}, resource="epochs", max_resources=9,
    ...     random_state=0,
    ... )
    >>> opt.levels
    [1, 3, 9]
    >>> [(r["bracket"], r["n_candidates"], r["n_resources"]) for r in opt.plan]
    [(0, 9, 1), (0, 3, 3), (0, 1, 9), (1, 5, 3), (1, 1, 9), (2, 3, 9)]
    >>> for _ in range(6):  # two rounds, one batch per level
    ...     batch = opt.ask(opt.next_batch_size())
    ...     opt.tell(batch, [-(c["x"] - 0.5) ** 2 - 1 / c["epochs"] for c in batch])
    >>> len(opt.scores_), opt.results_columns(batch)["n_resources"]
    (44, [9, 9, 9, 9, 9])
    >>> best = opt.candidates_[opt.best_index_]
    >>> best["epochs"], bool(abs(best["x"] - 0.5) < 0.3)
    (9, True)
    """

    _samplers = ("random", "bayes")

    def __init__(
        self,
        space,
        *,
        resource=None,
        min_resources=1,
        max_resources=None,
        eta=3,
        max_evaluations=None,
        sampler="random",
        random_state=None,
    ):
        if isinstance(eta, bool) or not isinstance(eta, numbers.Real) or not eta > 1:
            raise ValueError(f"eta must be a real number > 1, got {eta!r}.")
        if max_evaluations is not None and (
            not isinstance(max_evaluations, numbers.Integral) or max_evaluations < 1
        ):
            raise ValueError(
                f"max_evaluations must be None or an integer >= 1, got "
                f"{max_evaluations!r}."
            )
        if sampler not in self._samplers:
            raise ValueError(
                f"sampler must be one of {self._samplers}, got {sampler!r}."
            )
        configs = space if isinstance(space, SearchSpace) else SearchSpace(space)
        self.resource = resource
        self.min_resources = min_resources
        self.max_resources = max_resources
        self.eta = eta
        self.max_evaluations = max_evaluations
        self.sampler = sampler
        self.levels = self._resource_levels(configs)
        if resource is not None:
            # The level is a dimension of the candidates, so that the base
            # class tells a configuration at two levels apart.
            levels = Categorical(self.levels)
            space = [
                {**dict(zip(sub.names, sub.dimensions)), resource: levels}
                for sub in configs.subspaces
            ]
        super().__init__(space, random_state=random_state)
        self._configs = configs
        self._used = set()
        self._brackets = []
        self._rounds = []
        self._next_round = 0
        self._active = []
        self._queue = []
        self._jobs = {}
        self._job_scores = {}
        self._job_rows = {}
        self._lowest = len(self.levels) - 1 if sampler == "bayes" else 0
        self._checking = sampler == "bayes"
        self._check = None
        self._n_model_asks = 0
        self._start_plan()

    def __setstate__(self, state):
        self.__dict__.update(state)
        if "_job_rows" not in state:
            # A checkpoint saved before the rows of the jobs were kept.
            self._job_rows = {
                key: row
                for row, key in enumerate(map(self.space.key, self.candidates_))
                if key in self._jobs
            }

    def _start_plan(self):
        if self.sampler == "random" and self.max_evaluations is not None:
            for sizes in plan_rounds(len(self.levels), self.eta, self.max_evaluations):
                self._add_hyperband_round(sizes)
        else:
            self._plan_round()

    def _resource_levels(self, configs):
        if self.resource is None:
            return [None]
        for name in ("min_resources", "max_resources"):
            value = getattr(self, name)
            if (
                isinstance(value, bool)
                or not isinstance(value, numbers.Real)
                or not value > 0
            ):
                raise ValueError(
                    f"{name} must be a number > 0 with resource={self.resource!r}, "
                    f"got {value!r}."
                )
        if self.min_resources > self.max_resources:
            raise ValueError(
                f"min_resources={self.min_resources!r} is greater than "
                f"max_resources={self.max_resources!r}."
            )
        if any(self.resource in sub.names for sub in configs.subspaces):
            raise ValueError(
                f"resource={self.resource!r} is also in the search space; the "
                "resource levels are set by Hyperband, remove it from there."
            )
        return geometric_levels(self.min_resources, self.max_resources, self.eta)

    # --------------------------------------------------------------- plan --

    @property
    def lowest_level(self):
        """The lowest level whose brackets are run."""
        return self.levels[self._lowest]

    @property
    def plan(self):
        """One row per rung of every bracket planned so far."""
        return [
            {
                "round": bracket.round,
                "bracket": b,
                "rung": i,
                "n_candidates": size,
                "n_resources": self.levels[bracket.start + i],
            }
            for b, bracket in enumerate(self._brackets)
            for i, size in enumerate(bracket.sizes)
        ]

    def describe_plan(self):
        """The plan so far, for a person: a line, then one per bracket."""
        plan = self.plan
        n_rounds = 1 + max(row["round"] for row in plan)
        budget = (
            "full rounds, repeated"
            if self.max_evaluations is None
            else f"{self.max_evaluations} evaluations in {n_rounds} round(s)"
        )
        lines = [f"plan: {budget}, {self.resource} levels {self.levels}, eta={self.eta}"]
        for bracket in sorted({row["bracket"] for row in plan}):
            rungs = [row for row in plan if row["bracket"] == bracket]
            steps = " -> ".join(
                f"{row['n_candidates']} x {row['n_resources']}" for row in rungs
            )
            lines.append(f"  round {rungs[0]['round']}, bracket {bracket}: {steps}")
        if self.sampler == "bayes":
            lines.append("  later rounds are planned as lower levels pass their checks")
        return lines

    def _add_round(self, brackets):
        round_ = Round()
        for bracket in brackets:
            bracket.round = len(self._rounds)
            round_.brackets.append(len(self._brackets))
            self._brackets.append(bracket)
        self._rounds.append(round_)

    def _add_hyperband_round(self, brackets):
        """Plan a round of brackets, given by their rung sizes, that end at
        the highest level."""
        n_levels = len(self.levels)
        self._add_round(
            [Bracket(start=n_levels - len(sizes), sizes=sizes) for sizes in brackets]
        )

    def _plan_round(self):
        """Plan the next round, a Hyperband round over the levels from the
        lowest trusted up; False if no budget is left."""
        n_levels = len(self.levels) - self._lowest
        if self.max_evaluations is None:
            brackets = hyperband_brackets(n_levels, self.eta)
        else:
            left = self.max_evaluations - self._n_planned()
            if left <= 0:
                return False
            brackets = plan_rounds(n_levels, self.eta, left)[0]
        self._add_hyperband_round(brackets)
        return True

    def _n_planned(self):
        return sum(sum(bracket.sizes) for bracket in self._brackets)

    # ---------------------------------------------- the optimizer interface --

    def next_batch_size(self):
        """Number of candidates of the next level waiting to be asked.

        Schedules the next level when none is waiting (promoting the best of
        the rungs just told, drawing new configurations), so that asking for
        this many gets one whole level, all its brackets together. 1 when
        nothing can be scheduled before pending candidates are told, or
        when the plan is complete: a random new configuration outside the
        plan.
        """
        if not self._queue:
            self._schedule()
        levels = [self._level_of(c) for _, c in self._queue]
        same = (i for i, level in enumerate(levels) if level != levels[0])
        return next(same, len(levels)) or 1

    def results_columns(self, candidates):
        """``bracket``, ``rung`` and ``n_resources`` of asked candidates.

        Bracket and rung are -1 for random candidates outside the plan.
        """
        jobs = [self._jobs.get(self.space.key(c), (-1, -1)) for c in candidates]
        return {
            "bracket": [bracket for bracket, _ in jobs],
            "rung": [rung for _, rung in jobs],
            "n_resources": [self._level_of(c) for c in candidates],
        }

    def set_budget(self, n_evaluations):
        """Plan rounds for the asks beyond `max_evaluations`, if any.

        Without `max_evaluations`, full rounds repeat already; a budget
        never shrinks the plan.
        """
        if self.max_evaluations is None or n_evaluations <= self.max_evaluations:
            return
        if self.sampler == "random":
            extra = n_evaluations - self.max_evaluations
            for sizes in plan_rounds(len(self.levels), self.eta, extra):
                self._add_hyperband_round(sizes)
        self.max_evaluations = n_evaluations

    def levels_through(self, candidate):
        """The levels a configuration was asked at in its bracket, from the
        bracket's first to `candidate`'s own (that one alone outside the
        plan)."""
        bracket, rung = self._jobs.get(self.space.key(candidate), (-1, -1))
        if bracket < 0:
            return [self._level_of(candidate)]
        start = self._brackets[bracket].start
        return self.levels[start : start + rung + 1]

    def running_configurations(self):
        """The candidates that a later rung may still continue, at their
        last level asked: those of the last rung of every bracket that has
        rungs left, and those asked and not told yet.

        A configuration missing from them is done: a rung did not promote
        it, or it reached the last rung of its bracket (a check, a random
        candidate outside the plan). Warm starts use this to remove its
        saved fits.
        """
        running = []
        for bracket in self._brackets:
            if not bracket.rungs:
                continue
            has_next = len(bracket.rungs) < len(bracket.sizes)
            running.extend(
                candidate
                for subspace, candidate in bracket.rungs[-1]
                if has_next
                or self.space.key(candidate, subspace) not in self._job_scores
            )
        return running

    def _level_of(self, candidate):
        return None if self.resource is None else candidate[self.resource]

    def _with_level(self, candidate, level):
        if self.resource is None:
            return candidate
        return {**candidate, self.resource: level}

    def _config_of(self, candidate):
        return {k: v for k, v in candidate.items() if k != self.resource}

    # ---------------------------------------------------------------- ask --

    def _ask(self, n_points):
        proposals = []
        while len(proposals) < n_points and (self._queue or self._schedule()):
            proposals.append(self._queue.pop(0))
        return proposals

    def _schedule(self):
        """Queue the next level of the first round that can go on."""
        for r in list(self._active):
            round_ = self._rounds[r]
            if round_.outstanding:
                continue
            if self._launch_next_level(round_):
                return True
            self._active.remove(r)
        if not self._active and self._start_check():
            return True
        r = self._start_round()
        if r is None:
            return False
        if self._launch_next_level(self._rounds[r]):
            return True
        # No new configuration could be drawn: nothing more to plan.
        self._active.remove(r)
        return False

    def _start_round(self):
        if len(self._used) >= self._configs.size:
            return None
        if self._next_round == len(self._rounds) and not self._plan_round():
            return None
        r = self._next_round
        self._next_round += 1
        self._active.append(r)
        return r

    def _launch_next_level(self, round_):
        """Queue the first non-empty level left in `round_`; whether any."""
        while round_.next_level < len(self.levels):
            level = round_.next_level
            round_.next_level += 1
            for b in round_.brackets:
                bracket = self._brackets[b]
                rung = level - bracket.start
                if not 0 <= rung < len(bracket.sizes):
                    continue
                if bracket.check is not None:
                    picks = bracket.check
                elif rung == 0:
                    picks = self._new_configs(bracket.sizes[0], self.levels[level])
                else:
                    picks = self._promote(bracket, rung, self.levels[level])
                bracket.rungs.append(picks)
                for subspace, candidate in picks:
                    key = self.space.key(candidate, subspace)
                    self._jobs[key] = (b, rung)
                    round_.outstanding.add(key)
                    self._queue.append((subspace, candidate))
            if round_.outstanding:
                return True
        return False

    def _promote(self, bracket, rung, level):
        previous = bracket.rungs[rung - 1]
        scores = [
            self._job_scores.get(self.space.key(c, s), np.nan) for s, c in previous
        ]
        alive = [i for i, score in enumerate(scores) if np.isfinite(score)]
        n_keep = min(
            bracket.sizes[rung],
            len(alive),
            max(1, math.floor(len(previous) / self.eta + EPS)),
        )
        if self.n_objectives_ > 1:
            # MOASHA's promotion (Schmucker et al., 2021): by non-dominated
            # rank in the rung, then by crowding distance, so that the
            # promoted spread along the rung's front.
            rows = [self._job_rows[self.space.key(c, s)] for s, c in previous]
            Y = np.asarray(self.objective_scores_, dtype=float)[rows][alive]
            best = [alive[i] for i in crowded_order(Y)[:n_keep]]
        else:
            best = sorted(alive, key=lambda i: -scores[i])[:n_keep]
        picks = []
        for i in best:
            subspace, candidate = previous[i]
            promoted = self._with_level(candidate, level)
            if self.space.key(promoted, subspace) not in self._seen:
                picks.append((subspace, promoted))
        return picks

    # ------------------------------------------------- new configurations --

    def _new_configs(self, n, level):
        """Up to `n` configurations never used before, at `level`."""
        picks = self._propose_model(n, level) if self._uses_model() else []
        self._add_random(picks, n, level)
        for subspace, candidate in picks:
            self._used.add(self._configs.key(candidate, subspace))
        return picks

    def _uses_model(self):
        return self.sampler == "bayes"

    @property
    def n_configurations(self):
        """Number of distinct configurations, the resource aside (may be inf)."""
        return self._configs.size

    def _sample_unseen(self, n_points):
        # Outside the plan, only configurations no bracket has used: another
        # level of a used one cannot change which is best at the top.
        picks = []
        for subspace, candidate in super()._sample_unseen(n_points):
            if self._is_new(subspace, candidate, picks):
                picks.append((subspace, candidate))
        for subspace, candidate in picks:
            self._used.add(self._configs.key(candidate, subspace))
        return picks

    def _is_new(self, subspace, candidate, picks):
        key = self._configs.key(candidate, subspace)
        return key not in self._used and all(
            key != self._configs.key(c, s) for s, c in picks
        )

    def _add_random(self, picks, n, level):
        for _ in range(100):
            if len(picks) == n or len(self._used) + len(picks) >= self._configs.size:
                return
            for subspace, candidate in self.space.sample(n - len(picks), self._rng):
                candidate = self._with_level(candidate, level)
                if len(picks) < n and self._is_new(subspace, candidate, picks):
                    picks.append((subspace, candidate))
        if len(picks) < n and self._configs.size <= MAX_ENUMERATION:
            # A nearly exhausted finite space: draw from what is left.
            left = [
                (i, self._with_level(c, level))
                for i, sub in enumerate(self.space.subspaces)
                for c in sub.enumerate()
                if self.resource is None or c[self.resource] == level
            ]
            left = [(i, c) for i, c in left if self._is_new(i, c, picks)]
            for j in self._rng.permutation(len(left))[: n - len(picks)]:
                picks.append(left[j])

    def _propose_model(self, n, level):
        """Up to `n` proposals of a :class:`BayesOptimizer` fitted to the
        scores at the highest level that has ``n_dims + 3`` of them."""
        subspaces = self._configs.subspaces
        if not all(sub.n_dims for sub in subspaces):
            return []
        n_min = max(sub.n_dims for sub in subspaces) + 3
        for model_level in reversed(self.levels):
            rows = [
                j
                for j, c in enumerate(self.candidates_)
                if self._level_of(c) == model_level
            ]
            if len(rows) >= n_min:
                break
        else:
            return []
        # A new model per call, so the acquisition alternates here as
        # BayesOptimizer's xi="auto" does from one ask to the next.
        explore = self._n_model_asks % 2 == 1
        self._n_model_asks += 1
        model = BayesOptimizer(
            self._configs,
            n_initial_points=0,
            acquisition="ucb" if explore else "ei",
            xi=0.0,
            random_state=self._rng,
        )
        # Several objectives: the model searches for their front (ParEGO).
        scores = (
            self._imputed_objectives()
            if self.n_objectives_ > 1
            else self._imputed_scores()
        )
        model.tell([self._config_of(self.candidates_[j]) for j in rows], scores[rows])
        picks = []
        for candidate in model.ask(n):
            subspace = model.space.key(candidate)[0]
            candidate = self._with_level(candidate, level)
            if self._is_new(subspace, candidate, picks):
                picks.append((subspace, candidate))
        return picks

    # ------------------------------------------------------ level checks --

    def _start_check(self):
        """Judge the check just scored, and queue the next one if it is due
        (levels below the lowest trusted, and enough scores at the
        highest); whether one was queued."""
        if self._check is not None:
            self._judge_check()
        while self._checking and self._lowest > 0:
            top = self.levels[-1]
            raw = np.asarray(self.scores_, dtype=float)
            at_top = [
                j
                for j, c in enumerate(self.candidates_)
                if self._level_of(c) == top and np.isfinite(raw[j])
            ]
            # The best 9 (for eta=3) of at least 27: a check of
            # configurations drawn at random passes too easily, because
            # any level tells bad ones from good ones.
            n_checked = math.ceil(self.eta**2 - EPS)
            if len(at_top) < math.ceil(self.eta**3 - EPS):
                return False
            best = sorted(at_top, key=lambda j: -raw[j])[:n_checked]
            level = self.levels[self._lowest - 1]
            versus, new = [], []
            for j in best:
                subspace = self.subspaces_[j]
                candidate = self._with_level(self.candidates_[j], level)
                key = self.space.key(candidate, subspace)
                versus.append((key, raw[j]))
                if key not in self._seen:
                    new.append((subspace, candidate))
            if self.max_evaluations is not None and len(new) > (
                self.max_evaluations - self._n_planned()
            ):
                self._checking = False
                return False
            self._check = versus
            if not new:
                self._judge_check()
                continue
            self._add_round(
                [Bracket(start=self._lowest - 1, sizes=[len(new)], check=new)]
            )
            self._next_round = len(self._rounds)
            self._active.append(self._next_round - 1)
            return self._launch_next_level(self._rounds[-1])
        return False

    def _judge_check(self):
        """Trust the level checked if its best ``1 / eta`` of the
        configurations hold the best at the highest level."""
        versus, self._check = self._check, None
        told = {
            self.space.key(c, s): score
            for c, s, score in zip(
                self.candidates_, self.subspaces_, self._imputed_scores()
            )
        }
        low = np.array([told.get(key, -np.inf) for key, _ in versus])
        high = np.array([score for _, score in versus])
        n_kept = max(1, math.floor(len(low) / self.eta + EPS))
        kept = np.argsort(-low, kind="stable")[:n_kept]
        if np.max(high[kept]) >= np.max(high):
            self._lowest -= 1
        else:
            self._checking = False

    # --------------------------------------------------------------- tell --

    def _tell_objectives(self, scores):
        if self.sampler == "bayes" and np.ndim(scores) == 2 and scores.shape[1] > 1:
            # Its level checks compare the best configurations of two levels
            # on one score; a front has no single best to hold.
            raise ValueError(
                "sampler='bayes' optimises one objective; got scores for "
                f"{scores.shape[1]}. Use sampler='adaptive' or 'random' for "
                "several objectives."
            )
        super()._tell_objectives(scores)

    def _tell(self, candidates, subspaces, scores):
        first = len(self.scores_) - len(candidates)
        for row, (candidate, subspace) in enumerate(zip(candidates, subspaces), first):
            key = self.space.key(candidate, subspace)
            self._used.add(self._configs.key(candidate, subspace))
            job = self._jobs.get(key)
            if job is None:
                continue
            self._job_scores[key] = self.scores_[row]
            self._job_rows[key] = row
            self._rounds[self._brackets[job[0]].round].outstanding.discard(key)
