"""GradientOptimizer: runs the starts, and turns their points into batches."""

import math
import numbers

import numpy as np

from .._base import BaseOptimizer
from ._probes import (
    least_squares_slope,
    probe_directions,
    probe_method,
    probe_size,
    probe_slopes,
    spsa_completion,
)
from ._start import Phase, Start, discrete_neighbour
from ._steps import (
    MAX_RADIUS,
    backtrack,
    is_accepted,
    move,
    next_point,
    unit_gradient,
)


class GradientOptimizer(BaseOptimizer):
    """Gradient ascent from several starts, on told gradients or probes.

    The first ``n_initial_points`` candidates are random; the best
    ``n_starts`` of them become starts. Every start then climbs in the unit
    cube of its sub-space's continuous dimensions (log-scaled where the
    dimension is log, the quantile scale of a scipy.stats distribution),
    its integer and categorical values held fixed, and the starts advance in
    lock-step so that each round of proposals is one batch
    (:meth:`next_batch_size`).

    - With gradients told (:meth:`tell_gradients`: the value and gradient of
      a smooth objective, such as minus a validation loss), a start takes
      projected quasi-Newton (BFGS) steps with a backtracking line search on
      that smooth objective.
    - Without them, the score is probed at ``x +- h u`` along each probe
      direction ``u`` (asked as part of the batch): the coordinate axes
      (central differences, ``2 d`` probes) or one random sign vector (SPSA,
      two probes, its slope completed across that direction by a
      least-squares fit to the start's recent points). The step is the
      Newton step of the parabola through the three scores along each
      direction where it is concave, the trust radius along the slope
      elsewhere; the radius doubles on success and halves on failure, when
      the best probe, if it beat the centre, becomes the new centre.
    - When the caller asks for more candidates than the starts have ready,
      the batch is filled with longer and shorter versions of the pending
      steps (a parallel line search) before random candidates.

    A start whose step falls below the tolerance, or whose sub-space has no
    continuous dimension, is replaced by a new one: alternately a neighbour
    of the best candidate so far in one integer or categorical dimension
    (an integer one cell up or down, another category), which is how discrete
    dimensions are searched, and a random candidate. A space with no
    continuous dimension thus becomes a local search over neighbours of the
    best point, topped up with random unseen candidates.

    Parameters
    ----------
    space : SearchSpace, dict or list of dicts
        Where to search.
    n_starts : int, default=2
        Number of ascent paths advanced together.
    n_initial_points : int, default=None
        Number of random candidates before the starts are chosen; ``None``
        means ``2 * n_starts``.
    probe : {"auto", "central", "spsa"}, default="auto"
        How a gradient is estimated when none is told: central differences,
        SPSA, or ``"auto"``: central differences up to 3 continuous
        dimensions, SPSA beyond.
    initial_step : float, default=0.1
        First step length, in the unit cube.
    random_state : int, numpy Generator or None, default=None
        Seed of the optimizer's private generator.

    Attributes
    ----------
    n_starts_created_ : int
        Number of starts created so far.

    See Also
    --------
    sklearn_tune.GradientSearchCV : The search that tells this
        optimizer exact hypergradients.

    Examples
    --------
    >>> from sklearn_tune import Real
    >>> from sklearn_tune.optimizers import GradientOptimizer
    >>> opt = GradientOptimizer({"x": Real(-2.0, 2.0)}, random_state=0)
    >>> for _ in range(8):
    ...     batch = opt.ask(opt.next_batch_size())
    ...     opt.tell(batch, [-(c["x"] - 0.5) ** 2 for c in batch])
    ...     opt.tell_gradients(
    ...         batch, [-(c["x"] - 0.5) ** 2 for c in batch],
    ...         [{"x": -2 * (c["x"] - 0.5)} for c in batch])
    >>> best = opt.candidates_[opt.best_index_]
    >>> abs(best["x"] - 0.5) < 1e-3
    True
    """

    def __init__(
        self,
        space,
        *,
        n_starts=2,
        n_initial_points=None,
        probe="auto",
        initial_step=0.1,
        random_state=None,
    ):
        super().__init__(space, random_state=random_state)
        if not isinstance(n_starts, numbers.Integral) or n_starts < 1:
            raise ValueError(f"n_starts must be an integer >= 1, got {n_starts!r}.")
        if n_initial_points is not None and (
            not isinstance(n_initial_points, numbers.Integral) or n_initial_points < 1
        ):
            raise ValueError(
                "n_initial_points must be None or an integer >= 1, got "
                f"{n_initial_points!r}."
            )
        if probe not in ("auto", "central", "spsa"):
            raise ValueError(
                f"probe must be 'auto', 'central' or 'spsa', got {probe!r}."
            )
        if not isinstance(initial_step, numbers.Real) or not 0 < initial_step <= 1:
            raise ValueError(
                f"initial_step must be a number in (0, 1], got {initial_step!r}."
            )
        self.n_starts = int(n_starts)
        self.n_initial_points = (
            2 * self.n_starts if n_initial_points is None else int(n_initial_points)
        )
        self.probe = probe
        self.initial_step = float(initial_step)
        self.n_starts_created_ = 0
        self._continuous = [
            np.array(
                [i for i, dim in enumerate(sub.columns) if dim.is_continuous],
                dtype=int,
            )
            for sub in self.space.subspaces
        ]
        # key -> imputed score, once told
        self._told = {}
        # key -> (value, gradient over the continuous unit coordinates)
        self._smooth = {}
        self._declined = set()
        # proposals not handed out yet: (subspace, candidate, key, info)
        self._queue = []
        self._queued = set()
        # key -> the cv_results_ columns of a handed-out candidate
        self._info = {}
        self._initial = None
        # the ascent paths, advanced in lock-step
        self._starts = []

    def next_batch_size(self):
        """Number of proposals the starts have ready: the natural batch.

        Returns
        -------
        n_points : int
            At least 1.
        """
        self._advance()
        return max(1, len(self._queue))

    def gradient_requests(self):
        """Evaluated candidates whose smooth gradient the next steps would use.

        Answer them with :meth:`tell_gradients` before the next :meth:`ask`;
        a candidate left unanswered (or answered with NaN) is handled with
        probes instead.

        Returns
        -------
        candidates : list of dict
        """
        self._choose_starts()
        requests = []
        for start in self._starts:
            if start.phase is Phase.CENTRE:
                candidates = [start.candidate]
            elif start.phase is Phase.TRIAL:
                candidates = [c for _, c in start.trials]
            else:
                continue
            for candidate in candidates:
                key = self.space.key(candidate, start.subspace)
                if key in self._told and key not in self._smooth and (
                    key not in self._declined
                ):
                    requests.append(candidate)
        return requests

    def tell_gradients(self, candidates, values, gradients):
        """Record a smooth objective and its gradient at evaluated candidates.

        The objective is maximised, like the scores: pass minus a loss and
        minus its gradient. It steers the ascent of the starts through these
        candidates; the scores told by :meth:`tell` stay the record.

        Parameters
        ----------
        candidates : list of dict
            Candidates already told.
        values : array-like of float
            The smooth objective at each candidate; NaN when unavailable.
        gradients : list of dict or None
            For each candidate, parameter name to the derivative of the
            objective with respect to that parameter's value, one entry per
            continuous dimension; None when unavailable.
        """
        candidates = list(candidates)
        values = np.asarray(values, dtype=float).reshape(-1)
        gradients = list(gradients)
        if not len(candidates) == len(values) == len(gradients):
            raise ValueError(
                f"Got {len(candidates)} candidates, {len(values)} values and "
                f"{len(gradients)} gradients."
            )
        for candidate, value, gradient in zip(candidates, values, gradients):
            key = self.space.key(candidate)
            unit_grad = unit_gradient(
                self.space.subspaces[key[0]], self._continuous[key[0]], candidate,
                gradient,
            )
            if not np.isfinite(value) or unit_grad is None:
                self._declined.add(key)
            else:
                self._smooth[key] = (float(value), unit_grad)

    def results_columns(self, candidates):
        """Columns that say where each asked candidate comes from.

        Parameters
        ----------
        candidates : list of dict
            Candidates returned by :meth:`ask`, not yet told.

        Returns
        -------
        columns : dict of list
            ``start`` (id of the ascent path, -1 for a top-up), ``step``
            (its iteration), ``role`` (``"init"``, ``"iterate"``, ``"probe"``
            or ``"random"``), ``grad_norm`` (norm of the unit-cube gradient
            the step was taken along, NaN if none) and ``grad_source``
            (``"exact"``, ``"finite_difference"``, ``"spsa"`` or
            ``"none"``).
        """
        default = {
            "start": -1,
            "step": -1,
            "role": "random",
            "grad_norm": math.nan,
            "grad_source": "none",
        }
        rows = [self._info.get(self.space.key(c), default) for c in candidates]
        return {name: [row[name] for row in rows] for name in default}

    # ------------------------------------------------------------ ask/tell --

    def _ask(self, n_points):
        self._advance()
        if len(self._queue) < n_points:
            self._extra_trials(n_points - len(self._queue))
        out = []
        while self._queue and len(out) < n_points:
            subspace, candidate, key, info = self._queue.pop(0)
            self._queued.discard(key)
            if key in self._seen:
                # Proposed meanwhile (by a random top-up): its score will
                # reach the start that waits for it all the same.
                continue
            self._info[key] = info
            out.append((subspace, candidate))
        return out

    def _tell(self, candidates, subspaces, scores):
        for candidate, subspace, score in zip(candidates, subspaces, scores):
            key = self.space.key(candidate, subspace)
            self._told[key] = float(score)
            self._info.pop(key, None)

    # -------------------------------------------------------------- starts --

    def _advance(self):
        """Move every start as far as the told scores allow; refill the queue."""
        if self._initial is None:
            self._initial = []
            for subspace, candidate in self._sample_unseen(self.n_initial_points):
                key = self.space.key(candidate, subspace)
                if len(self._initial) < self.n_initial_points and (
                    key not in self._queued
                ):
                    self._initial.append(key)
                    self._enqueue(subspace, candidate, key, -1, 0, "init")
        self._choose_starts()
        if not self._starts and self._queue:
            return
        replaced = []
        for start in self._starts:
            self._update(start)
            if start.phase is Phase.DONE:
                new = self._new_start(start.radius)
                if new is not None:
                    replaced.append(new)
            else:
                replaced.append(start)
        self._starts = replaced

    def _choose_starts(self):
        """Turn the best initial candidates into starts, once all are told."""
        if self._initial is None or self.n_starts_created_ > 0:
            return
        if any(key not in self._told for key in self._initial):
            return
        ranked = sorted(self._initial, key=lambda key: -self._told[key])
        for key in ranked[: self.n_starts]:
            index = next(
                i
                for i in range(len(self.candidates_) - 1, -1, -1)
                if self.space.key(self.candidates_[i], self.subspaces_[i]) == key
            )
            self._starts.append(
                self._make_start(
                    self.subspaces_[index], self.candidates_[index], self.initial_step
                )
            )

    def _make_start(self, subspace, candidate, radius):
        start = Start(
            self.n_starts_created_,
            subspace,
            candidate,
            self.space.subspaces[subspace].encode([candidate])[0],
            self._continuous[subspace],
            radius,
        )
        start.remember(start.unit, self.space.key(candidate, subspace))
        self.n_starts_created_ += 1
        return start

    def _new_start(self, radius):
        """A start at an unseen candidate: a discrete neighbour or random."""
        proposal = None
        if self.n_starts_created_ % 2 == 0:
            best = self.best_index_
            if best is not None:
                proposal = discrete_neighbour(
                    self.space,
                    self.subspaces_[best],
                    self.candidates_[best],
                    self._rng,
                    exclude=self._seen | self._queued,
                )
        if proposal is None:
            proposals = [
                (i, c)
                for i, c in self._sample_unseen(4)
                if self.space.key(c, i) not in self._queued
            ]
            proposal = proposals[0] if proposals else None
        if proposal is None:
            return None
        subspace, candidate = proposal
        start = self._make_start(
            subspace, candidate, min(MAX_RADIUS, max(radius, self.initial_step))
        )
        key = self.space.key(candidate, subspace)
        if key not in self._seen:
            self._enqueue(subspace, candidate, key, start.ident, 0, "init")
        return start

    def _update(self, start):
        """Advance one start through its phases until it waits for scores."""
        while True:
            if start.phase is Phase.CENTRE:
                key = self._key(start, start.candidate)
                if key not in self._told:
                    return
                start.value = self._told[key]
                if len(start.continuous) == 0:
                    start.phase = Phase.DONE
                    return
                if key in self._smooth:
                    start.value, start.grad = self._smooth[key]
                    start.smooth, start.source = True, "exact"
                    start.inv_hess = None
                    start.phase = Phase.STEP
                else:
                    start.smooth = False
                    self._propose_probes(start)
                    start.phase = Phase.PROBE
            elif start.phase is Phase.PROBE:
                if not self._all_told(start, start.probes):
                    return
                self._estimate_gradient(start)
                start.phase = Phase.STEP
            elif start.phase is Phase.STEP:
                if not self._propose_step(start):
                    start.phase = Phase.DONE
                    return
                start.phase = Phase.TRIAL
                return
            elif start.phase is Phase.TRIAL:
                if not self._all_told(start, start.trials):
                    return
                self._judge_trial(start)
            else:
                return

    # ----------------------------------------------------------- proposals --

    def _point(self, start, x):
        """The point of `start` at `x`: in the unit cube, and as parameters."""
        unit = start.unit.copy()
        unit[start.continuous] = x
        return unit, self.space.subspaces[start.subspace].decode(unit)[0]

    def _propose(self, start, point, role):
        """Queue a point of `start`, unless seen or queued already; return it."""
        unit, candidate = point
        key = self._key(start, candidate)
        start.remember(unit, key)
        if key not in self._seen and key not in self._queued:
            grad = start.grad if role == "iterate" else None
            self._enqueue(start.subspace, candidate, key, start.ident, start.n_steps,
                          role, grad=grad, source=start.source)
        return point

    def _propose_probes(self, start):
        """Queue two probes along each probe direction, at +-h around the centre."""
        method = probe_method(self.probe, len(start.continuous))
        start.source = "finite_difference" if method == "central" else "spsa"
        start.directions = probe_directions(method, len(start.continuous), self._rng)
        start.probe_size = probe_size(start.radius)
        start.probes = []
        for direction in start.directions:
            for sign in (1.0, -1.0):
                x = np.clip(start.x + sign * start.probe_size * direction, 0, 1)
                start.probes.append(
                    self._propose(start, self._point(start, x), "probe")
                )

    def _estimate_gradient(self, start):
        """The slopes the probes show, and the step they suggest."""
        x = start.x
        start.grad, start.newton = probe_slopes(
            start.directions,
            [unit[start.continuous] - x for unit, _ in start.probes],
            [self._told[self._key(start, c)] for _, c in start.probes],
            start.value,
            start.probe_size,
            start.radius,
        )
        if start.source == "spsa":
            grad = least_squares_slope(
                x,
                start.value,
                [
                    (point, self._told[key])
                    for point, key in reversed(start.points)
                    if key in self._told
                ],
                2.0 * max(start.radius, 2.0 * start.probe_size),
            )
            if grad is not None:
                start.grad = grad
                start.newton += spsa_completion(grad, start.directions[0], start.radius)

    def _propose_step(self, start):
        """Queue the next trial point of a start; False once it has converged."""
        x_new = next_point(start)
        if x_new is None:
            return False
        point = self._point(start, x_new)
        if self._key(start, point[1]) == self._key(start, start.candidate):
            return False
        start.n_steps += 1
        start.step = x_new - start.x
        start.trials = [self._propose(start, point, "iterate")]
        return True

    def _extra_trials(self, n_points):
        """Longer and shorter versions of the pending steps, for a larger batch.

        Used when the caller asks for more candidates than the starts have
        ready: a parallel line search along the same paths is worth more
        than unrelated random candidates.
        """
        added = 0
        for factor in (2.0, 0.5, 4.0, 0.25):
            for start in self._starts:
                if added == n_points:
                    return
                if start.phase is not Phase.TRIAL:
                    continue
                point = self._point(
                    start, np.clip(start.x + factor * start.step, 0.0, 1.0)
                )
                key = self._key(start, point[1])
                if key in self._seen or key in self._queued:
                    continue
                start.trials.append(self._propose(start, point, "iterate"))
                added += 1

    def _judge_trial(self, start):
        """Move to the best acceptable trial point, or shrink the step."""
        centre_score = self._told[self._key(start, start.candidate)]
        best = None
        for unit, candidate in start.trials:
            key = self._key(start, candidate)
            step = unit[start.continuous] - start.x
            smooth = start.smooth and key in self._smooth
            value, grad = self._smooth[key] if smooth else (self._told[key], None)
            accepted = is_accepted(start, value, step, centre_score, smooth)
            if accepted and (best is None or value > best[0]):
                best = (value, grad, unit, candidate, step)
        if best is not None:
            value, grad, unit, candidate, step = best
            move(start, unit, candidate, step, value, grad)
            return
        unit, candidate = start.trials[0]
        key = self._key(start, candidate)
        if start.smooth and key in self._smooth:
            backtrack(start, unit[start.continuous] - start.x, *self._smooth[key])
            return
        start.radius *= 0.5
        start.phase = Phase.STEP
        best_probe = self._best_probe(start)
        if best_probe is not None:
            start.unit, start.candidate = best_probe
            start.phase = Phase.CENTRE

    def _best_probe(self, start):
        """A probe that beat the centre (used when a step fails), if any."""
        if start.smooth or not start.probes:
            return None
        scored = [
            (self._told[self._key(start, c)], unit, c) for unit, c in start.probes
        ]
        value, unit, candidate = max(scored, key=lambda t: t[0])
        if value > start.value:
            start.probes = []
            return unit, candidate
        return None

    # ------------------------------------------------------------- helpers --

    def _enqueue(self, subspace, candidate, key, start, step, role, grad=None,
                 source="none"):
        info = {
            "start": start,
            "step": step,
            "role": role,
            "grad_norm": math.nan if grad is None else float(np.linalg.norm(grad)),
            "grad_source": source,
        }
        self._queued.add(key)
        self._queue.append((subspace, candidate, key, info))

    def _key(self, start, candidate):
        return self.space.key(candidate, start.subspace)

    def _all_told(self, start, points):
        return all(self._key(start, c) in self._told for _, c in points)
