"""Hyperband: successive halving in brackets that trade how many
configurations are tried against how much resource each one gets.

Li, Jamieson, DeSalvo, Rostamizadeh and Talwalkar, "Hyperband: A Novel
Bandit-Based Approach to Hyperparameter Optimization", JMLR 18 (2018).
Falkner, Klein and Hutter, "BOHB: Robust and Efficient Hyperparameter
Optimization at Scale", ICML 2018 (model-based proposals for new brackets,
here from :class:`BayesOptimizer`).
"""

import math
import numbers

import numpy as np

from ..space import Categorical
from ._base import MAX_ENUMERATION, BaseOptimizer
from ._bayes import BayesOptimizer

_SAMPLERS = ("random", "bayes")

# Slack for floating-point powers of eta (3 ** 3 / 27 may not be exactly 1).
_EPS = 1e-9


def geometric_levels(min_resource, max_resource, eta):
    """Resource levels ``max_resource * eta ** -k`` down to `min_resource`.

    Parameters
    ----------
    min_resource, max_resource : int or float
        Bounds, ``0 < min_resource <= max_resource``. The lowest level is
        the smallest ``max_resource / eta ** k`` not below `min_resource`.
    eta : float
        Ratio between consecutive levels, > 1.

    Returns
    -------
    levels : list
        Increasing levels ending at `max_resource`; integers when both
        bounds are integers (rounded, duplicates dropped).

    Examples
    --------
    >>> from sklearn_tune.optimizers._hyperband import geometric_levels
    >>> geometric_levels(1, 81, 3)
    [1, 3, 9, 27, 81]
    >>> geometric_levels(3, 100, 3)
    [4, 11, 33, 100]
    """
    if not 0 < min_resource <= max_resource:
        raise ValueError(
            "Resource bounds must satisfy 0 < min_resource <= max_resource, got "
            f"min_resource={min_resource!r} and max_resource={max_resource!r}."
        )
    if not eta > 1:
        raise ValueError(f"eta must be > 1, got {eta!r}.")
    ratio = math.log(max_resource / min_resource) / math.log(eta)
    n_halvings = math.floor(ratio + _EPS)
    levels = [max_resource * eta ** (k - n_halvings) for k in range(n_halvings + 1)]
    if isinstance(min_resource, numbers.Integral) and isinstance(
        max_resource, numbers.Integral
    ):
        levels = sorted({int(round(level)) for level in levels})
    return levels


def rung_sizes(n_configs, n_halvings, eta):
    """Candidates per rung of a bracket: ``floor(n_configs / eta ** i)``."""
    return [math.floor(n_configs / eta**i + _EPS) for i in range(n_halvings + 1)]


def hyperband_brackets(n_levels, eta):
    """The brackets of one Hyperband round, most exploratory first.

    Bracket ``s`` (``s = n_levels - 1, ..., 0``) starts
    ``ceil(n_levels / (s + 1) * eta ** s)`` configurations at level
    ``n_levels - 1 - s`` and halves them ``s`` times, keeping the best
    ``1 / eta`` each time, so every bracket spends about the same resource.

    Parameters
    ----------
    n_levels : int
        Number of resource levels.
    eta : float
        Elimination rate, > 1.

    Returns
    -------
    brackets : list of list of int
        Rung sizes of each bracket.

    Examples
    --------
    >>> from sklearn_tune.optimizers._hyperband import hyperband_brackets
    >>> hyperband_brackets(3, 3)
    [[9, 3, 1], [5, 1], [3]]
    """
    return [
        rung_sizes(math.ceil(n_levels / (s + 1) * eta**s - _EPS), s, eta)
        for s in range(n_levels - 1, -1, -1)
    ]


def plan_rounds(n_levels, eta, max_evaluations):
    """Rounds of brackets whose rungs add up to exactly `max_evaluations`.

    Full rounds repeat while they fit; then, in the same order, each bracket
    is shrunk to the most configurations that still fit (a bracket that
    cannot keep one configuration to its last rung is left out), until the
    budget is spent.

    Returns
    -------
    rounds : list of list of (n_halvings, rung sizes)
    """
    full = [(len(sizes) - 1, sizes) for sizes in hyperband_brackets(n_levels, eta)]
    rounds = []
    left = max_evaluations
    while left > 0:
        round_ = []
        for n_halvings, sizes in full:
            n = sizes[0]
            while n > 0 and sum(rung_sizes(n, n_halvings, eta)) > left:
                n -= 1
            shrunk = rung_sizes(n, n_halvings, eta)
            if n > 0 and shrunk[-1] > 0:
                round_.append((n_halvings, shrunk))
                left -= sum(shrunk)
        rounds.append(round_)
    return rounds


class HyperbandOptimizer(BaseOptimizer):
    """Hyperband: brackets of successive halving over resource levels.

    The resource (training iterations, samples, epochs...) is a dimension
    of the space, named by `resource`: a categorical of increasing numbers,
    the levels. A candidate is a configuration at one level, so the same
    configuration is asked again, as a new candidate, each time it is
    promoted.

    Each round runs the brackets of Hyperband: bracket ``s`` starts
    ``ceil(L / (s + 1) * eta ** s)`` new configurations (``L`` levels) at
    the ``s``-th level from the top, and after each rung promotes the best
    ``1 / eta`` of them, by their told scores, to the next level, up to the
    highest. Failed configurations (NaN or infinite scores) are never
    promoted. A round proceeds level by level: every rung of a level, in
    every bracket, is scheduled at once (see :meth:`n_scheduled`), so one
    batch holds one level. A round starts only when the previous one is
    done, unless candidates are asked before the pending ones are told.

    With ``sampler="random"``, new configurations are random and every
    round runs every bracket. With ``sampler="bayes"``, new configurations
    are proposed by :class:`BayesOptimizer` (expected improvement and the
    upper confidence bound in turn, as its ``xi="auto"``), fitted to the
    scores at the highest level that has at least ``n_dims + 3`` of them
    (random until then), and a level is used only once it has shown that
    it ranks good configurations as the highest level does. Rounds are
    then Hyperband rounds over the levels trusted so far, starting with
    the highest alone (one configuration per round). Once
    ``ceil(eta ** 3)`` configurations are scored at the highest level, the
    best ``ceil(eta ** 2)`` of them are also scored at the level below the
    lowest trusted (a check, planned as a bracket of one rung); if that
    level's best ``1 / eta`` of them hold the best at the highest level, the
    level is
    trusted from the next round on, and the one below is checked in turn.
    The first check that fails ends the descent. A low level that favours
    other configurations than the full resource (few boosting iterations
    rank learning rates by how fast they start, not where they end) then
    costs one check instead of most of the budget.

    Parameters
    ----------
    space : SearchSpace, dict or list of dicts
        Where to search, including the resource dimension.
    resource : str or None, default=None
        Name of the resource dimension: a categorical of numbers in every
        sub-space, whose values are the levels. None: a single level, each
        configuration is asked once and the brackets reduce to `sampler`.
    eta : float, default=3
        Elimination rate: each rung keeps ``1 / eta`` of its configurations.
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
    lowest_level : int
        Index in `levels` of the lowest level whose brackets are run.
    candidates_ : list of dict
        Told candidates, in order.
    scores_ : list of float
        Scores as told, failures (NaN) included.

    Examples
    --------
    >>> from sklearn_tune import Real
    >>> from sklearn_tune.optimizers import HyperbandOptimizer
    >>> space = {"x": Real(-2.0, 2.0), "epochs": [1, 3, 9]}
    >>> opt = HyperbandOptimizer(space, resource="epochs", random_state=0)
    >>> [(r["bracket"], r["n_candidates"], r["n_resources"]) for r in opt.plan]
    [(0, 9, 1), (0, 3, 3), (0, 1, 9), (1, 5, 3), (1, 1, 9), (2, 3, 9)]
    >>> for _ in range(6):  # two rounds, one batch per level
    ...     batch = opt.ask(opt.n_scheduled())
    ...     opt.tell(batch, [-(c["x"] - 0.5) ** 2 - 1 / c["epochs"] for c in batch])
    >>> len(opt.scores_), sorted({c["epochs"] for c in batch})
    (44, [9])
    >>> best = opt.candidates_[opt.best_index_]
    >>> best["epochs"], bool(abs(best["x"] - 0.5) < 0.3)
    (9, True)
    """

    def __init__(
        self,
        space,
        *,
        resource=None,
        eta=3,
        max_evaluations=None,
        sampler="random",
        random_state=None,
    ):
        super().__init__(space, random_state=random_state)
        if isinstance(eta, bool) or not isinstance(eta, numbers.Real) or not eta > 1:
            raise ValueError(f"eta must be a real number > 1, got {eta!r}.")
        if max_evaluations is not None and (
            not isinstance(max_evaluations, numbers.Integral) or max_evaluations < 1
        ):
            raise ValueError(
                f"max_evaluations must be None or an integer >= 1, got "
                f"{max_evaluations!r}."
            )
        if sampler not in _SAMPLERS:
            raise ValueError(f"sampler must be one of {_SAMPLERS}, got {sampler!r}.")
        self.resource = resource
        self.eta = eta
        self.max_evaluations = max_evaluations
        self.sampler = sampler
        self.levels = self._find_levels(resource)
        # Per sub-space: the (name, dimension) pairs of a configuration.
        self._config_dims = [
            [(n, d) for n, d in zip(sub.names, sub.dimensions) if n != resource]
            for sub in self.space.subspaces
        ]
        self._n_configs = sum(
            math.prod(d.size for _, d in dims) for dims in self._config_dims
        )
        self._used = set()
        self._brackets = []
        self._rounds = []
        self._next_round = 0
        self._active = []
        self._queue = []
        self._jobs = {}
        self._job_scores = {}
        self.lowest_level = len(self.levels) - 1 if sampler == "bayes" else 0
        self._checking = sampler == "bayes"
        self._check = None
        self._n_model_asks = 0
        if sampler == "random" and max_evaluations is not None:
            for round_ in plan_rounds(len(self.levels), eta, max_evaluations):
                self._add_round([sizes for _, sizes in round_])
        else:
            self._plan_round()

    def _find_levels(self, resource):
        if resource is None:
            return [None]
        levels = None
        for sub in self.space.subspaces:
            dims = dict(zip(sub.names, sub.dimensions))
            dim = dims.get(resource)
            if not isinstance(dim, Categorical) or not all(
                isinstance(v, numbers.Real) and not isinstance(v, bool)
                for v in dim.choices
            ):
                raise ValueError(
                    f"resource={resource!r} must name a categorical dimension of "
                    "numbers (the levels) in every sub-space, got "
                    f"{dim!r} in {sub!r}."
                )
            found = sorted(dim.choices)
            if levels is not None and found != levels:
                raise ValueError(
                    f"The resource levels differ between sub-spaces: {levels} "
                    f"and {found}."
                )
            levels = found
        if len(set(levels)) != len(levels):
            raise ValueError(f"The resource levels must be distinct, got {levels}.")
        return levels

    def _add_round(self, brackets):
        ids = []
        top = len(self.levels) - 1
        for sizes in brackets:
            ids.append(len(self._brackets))
            self._brackets.append(
                {
                    "round": len(self._rounds),
                    "sizes": sizes,
                    "start": top - (len(sizes) - 1),
                    "rungs": [],
                }
            )
        self._rounds.append({"brackets": ids, "level": 0, "outstanding": set()})

    def _plan_round(self):
        """Plan the next round, a Hyperband round over the levels from
        `lowest_level` up; False if no budget is left."""
        n_levels = len(self.levels) - self.lowest_level
        if self.max_evaluations is None:
            brackets = hyperband_brackets(n_levels, self.eta)
        else:
            left = self.max_evaluations - self._n_planned()
            if left <= 0:
                return False
            round_ = plan_rounds(n_levels, self.eta, left)[0]
            brackets = [sizes for _, sizes in round_]
        self._add_round(brackets)
        return True

    def _n_planned(self):
        return sum(sum(bracket["sizes"]) for bracket in self._brackets)

    @property
    def plan(self):
        """One row per rung of every bracket planned so far."""
        return [
            {
                "round": bracket["round"],
                "bracket": b,
                "rung": i,
                "n_candidates": size,
                "n_resources": self.levels[bracket["start"] + i],
            }
            for b, bracket in enumerate(self._brackets)
            for i, size in enumerate(bracket["sizes"])
        ]

    def plan_more(self, n_evaluations):
        """Plan rounds for `n_evaluations` more asks, after the planned ones.

        Parameters
        ----------
        n_evaluations : int
            Number of asks to add to `max_evaluations` (which must be set).
        """
        if self.max_evaluations is None:
            raise ValueError("Without max_evaluations, full rounds repeat already.")
        if self.sampler == "random":
            for round_ in plan_rounds(len(self.levels), self.eta, n_evaluations):
                self._add_round([sizes for _, sizes in round_])
        self.max_evaluations += n_evaluations

    def n_scheduled(self):
        """Number of candidates of the next level waiting to be asked.

        Schedules the next level when none is waiting (promoting the best of
        the rungs just told, drawing new configurations), so that asking for
        this many gets one whole level, all its brackets together. Returns 0
        when nothing can be scheduled before pending candidates are told, or
        when the plan is complete.
        """
        if not self._queue:
            self._schedule()
        levels = [self._level_of(c) for _, c in self._queue]
        return next((i for i, lv in enumerate(levels) if lv != levels[0]), len(levels))

    def next_batch_size(self):
        return max(1, self.n_scheduled())

    def results_columns(self, candidates):
        rungs = [self.bracket_and_rung(candidate) for candidate in candidates]
        return {
            "bracket": [bracket for bracket, _ in rungs],
            "rung": [rung for _, rung in rungs],
            "n_resources": [self._level_of(candidate) for candidate in candidates],
        }

    def set_budget(self, n_evaluations):
        if self.max_evaluations is not None and self.max_evaluations < n_evaluations:
            # A checkpoint resumed with a larger n_iter: plan the difference.
            self.plan_more(n_evaluations - self.max_evaluations)

    def bracket_and_rung(self, candidate):
        """``(bracket, rung)`` of an asked candidate; ``(-1, -1)`` for random
        top-ups outside the plan."""
        return self._jobs.get(self.space.key(candidate), (-1, -1))

    def _level_of(self, candidate):
        return None if self.resource is None else candidate[self.resource]

    def _with_level(self, candidate, level):
        if self.resource is None:
            return candidate
        return {**candidate, self.resource: level}

    def _config_key(self, subspace, candidate):
        return (
            subspace,
            tuple(
                dim.key(candidate[name]) for name, dim in self._config_dims[subspace]
            ),
        )

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
            if round_["outstanding"]:
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
        if len(self._used) >= self._n_configs:
            return None
        if self._next_round == len(self._rounds) and not self._plan_round():
            return None
        r = self._next_round
        self._next_round += 1
        self._active.append(r)
        return r

    def _launch_next_level(self, round_):
        """Queue the first non-empty level left in `round_`; whether any."""
        while round_["level"] < len(self.levels):
            level = round_["level"]
            round_["level"] += 1
            for b in round_["brackets"]:
                bracket = self._brackets[b]
                rung = level - bracket["start"]
                if not 0 <= rung < len(bracket["sizes"]):
                    continue
                if "checked" in bracket:
                    picks = bracket["checked"]
                elif rung == 0:
                    picks = self._new_configs(bracket["sizes"][0], self.levels[level])
                else:
                    picks = self._promote(bracket, rung, self.levels[level])
                bracket["rungs"].append(picks)
                for subspace, candidate in picks:
                    key = self.space.key(candidate, subspace)
                    self._jobs[key] = (b, rung)
                    round_["outstanding"].add(key)
                    self._queue.append((subspace, candidate))
            if round_["outstanding"]:
                return True
        return False

    def _promote(self, bracket, rung, level):
        previous = bracket["rungs"][rung - 1]
        scores = [
            self._job_scores.get(self.space.key(c, s), np.nan) for s, c in previous
        ]
        alive = [i for i, score in enumerate(scores) if np.isfinite(score)]
        n_keep = min(
            bracket["sizes"][rung],
            len(alive),
            max(1, math.floor(len(previous) / self.eta + _EPS)),
        )
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
        if self.sampler == "bayes":
            picks = self._propose_model(n, level)
        else:
            picks = []
        self._add_random(picks, n, level)
        for subspace, candidate in picks:
            self._used.add(self._config_key(subspace, candidate))
        return picks

    def _is_new(self, subspace, candidate, picks):
        key = self._config_key(subspace, candidate)
        return key not in self._used and all(
            key != self._config_key(s, c) for s, c in picks
        )

    def _add_random(self, picks, n, level):
        for _ in range(100):
            if len(picks) == n or len(self._used) + len(picks) >= self._n_configs:
                return
            for subspace, candidate in self.space.sample(n - len(picks), self._rng):
                candidate = self._with_level(candidate, level)
                if len(picks) < n and self._is_new(subspace, candidate, picks):
                    picks.append((subspace, candidate))
        if len(picks) < n and self._n_configs <= MAX_ENUMERATION:
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
        if not all(self._config_dims):
            return []
        n_min = max(len(dims) for dims in self._config_dims) + 3
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
            [dict(dims) for dims in self._config_dims],
            n_initial_points=0,
            acquisition="ucb" if explore else "ei",
            xi=0.0,
            random_state=self._rng,
        )
        scores = self._imputed_scores()
        model.tell([self._config_of(self.candidates_[j]) for j in rows], scores[rows])
        picks = []
        for candidate in model.ask(n):
            subspace = model.space.key(candidate)[0]
            candidate = self._with_level(candidate, level)
            if self._is_new(subspace, candidate, picks):
                picks.append((subspace, candidate))
        return picks

    def _config_of(self, candidate):
        return {k: v for k, v in candidate.items() if k != self.resource}

    # ------------------------------------------------------ level checks --

    def _start_check(self):
        """Judge the check just scored, and queue the next one if it is due
        (`lowest_level` still above the lowest level, and enough scores at
        the highest); whether one was queued."""
        if self._check is not None:
            self._judge_check()
        while self._checking and self.lowest_level > 0:
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
            n_checked = math.ceil(self.eta**2 - _EPS)
            if len(at_top) < math.ceil(self.eta**3 - _EPS):
                return False
            best = sorted(at_top, key=lambda j: -raw[j])[:n_checked]
            level = self.levels[self.lowest_level - 1]
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
            self._brackets.append(
                {
                    "round": len(self._rounds),
                    "sizes": [len(new)],
                    "start": self.lowest_level - 1,
                    "rungs": [],
                    "checked": new,
                }
            )
            ids = [len(self._brackets) - 1]
            self._rounds.append({"brackets": ids, "level": 0, "outstanding": set()})
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
        n_kept = max(1, math.floor(len(low) / self.eta + _EPS))
        kept = np.argsort(-low, kind="stable")[:n_kept]
        if np.max(high[kept]) >= np.max(high):
            self.lowest_level -= 1
        else:
            self._checking = False

    # --------------------------------------------------------------- tell --

    def _tell(self, candidates, subspaces, scores):
        raw = self.scores_[len(self.scores_) - len(candidates) :]
        for candidate, subspace, score in zip(candidates, subspaces, raw):
            key = self.space.key(candidate, subspace)
            self._used.add(self._config_key(subspace, candidate))
            job = self._jobs.get(key)
            if job is None:
                continue
            self._job_scores[key] = score
            round_ = self._rounds[self._brackets[job[0]]["round"]]
            round_["outstanding"].discard(key)

