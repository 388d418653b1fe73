"""Local gradient ascent in the unit cube, several starts in lock-step.

Each start follows a bounded ascent path in the unit cube of its sub-space's
continuous dimensions (log-scaled where the dimension is): quasi-Newton
(BFGS) steps with a backtracking line search when a smooth objective and its
gradient are told through :meth:`GradientOptimizer.tell_gradients`, or
steps within a trust radius along the slopes and curvatures that probes of
the scores show (central differences in few dimensions, SPSA beyond)
otherwise. Discrete dimensions are held fixed along a path; new starts
explore them.
"""

import math
import numbers

import numpy as np

from ._base import BaseOptimizer

# A start is converged once its step falls below these lengths in the unit
# cube: exact gradients resolve far finer steps than noisy score differences.
_SMOOTH_XTOL = 1e-4
_PROBE_XTOL = 1e-2
_MAX_RADIUS = 0.5
# Sufficient increase (Armijo) for a step on a told smooth objective.
_ARMIJO = 1e-4
# Width of the centred difference that turns a dimension's unit coordinate
# into its value, to carry told gradients into the unit cube.
_UNIT_EPS = 1e-6


class _Start:
    """State of one ascent path between asks (plain data, so it pickles)."""

    def __init__(self, ident, subspace, candidate, unit, continuous, radius):
        self.ident = ident
        self.subspace = subspace
        self.candidate = candidate
        self.unit = unit
        self.continuous = continuous
        self.radius = radius
        self.n_steps = 0
        self.state = "centre"
        self.value = None
        self.smooth = False
        self.grad = None
        self.source = "none"
        self.inv_hess = None
        self.updated = False
        self.backtrack = None
        self.probes = []
        self.probe_size = None
        self.directions = None
        self.newton = None
        self.step = None
        self.trials = []
        self.points = []

    @property
    def x(self):
        return self.unit[self.continuous]


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
                [i for i, dim in enumerate(sub.dimensions) if dim.is_continuous],
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
        self._starts = []

    # ------------------------------------------------------------ public --

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
            if start.state == "centre":
                candidates = [start.candidate]
            elif start.state == "trial":
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
            unit_grad = self._unit_gradient(key[0], candidate, gradient)
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

    # ------------------------------------------------------------ strategy --

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
            if start.state == "done":
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
            index = self._history_index(key)
            self._starts.append(
                self._make_start(
                    self.subspaces_[index], self.candidates_[index], self.initial_step
                )
            )

    def _history_index(self, key):
        for index in range(len(self.candidates_) - 1, -1, -1):
            if self.space.key(self.candidates_[index], self.subspaces_[index]) == key:
                return index
        raise KeyError(key)

    def _make_start(self, subspace, candidate, radius):
        sub = self.space.subspaces[subspace]
        start = _Start(
            self.n_starts_created_,
            subspace,
            candidate,
            sub.encode([candidate])[0],
            self._continuous[subspace],
            radius,
        )
        self._remember(start, start.unit, self.space.key(candidate, subspace))
        self.n_starts_created_ += 1
        return start

    @staticmethod
    def _remember(start, unit, key):
        """Keep the start's recent points, for its least-squares slopes."""
        start.points.append((unit[start.continuous], key))
        del start.points[: -4 * max(1, len(start.continuous))]

    def _new_start(self, radius):
        """A start at an unseen candidate: a discrete neighbour or random."""
        proposal = None
        if self.n_starts_created_ % 2 == 0:
            proposal = self._discrete_neighbour()
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
            subspace, candidate, min(_MAX_RADIUS, max(radius, self.initial_step))
        )
        key = self.space.key(candidate, subspace)
        if key not in self._seen:
            self._enqueue(subspace, candidate, key, start.ident, 0, "init")
        return start

    def _discrete_neighbour(self):
        """The best candidate with one integer or categorical value moved."""
        best = self.best_index_
        if best is None:
            return None
        subspace, candidate = self.subspaces_[best], self.candidates_[best]
        sub = self.space.subspaces[subspace]
        moves = []
        for name, dim in zip(sub.names, sub.dimensions):
            if dim.is_continuous:
                continue
            if hasattr(dim, "choices"):
                moves.extend((name, value) for value in dim.choices)
            else:
                moves.extend((name, candidate[name] + step) for step in (-1, 1))
        for j in self._rng.permutation(len(moves)):
            name, value = moves[j]
            neighbour = {**candidate, name: value}
            if not sub.contains(neighbour):
                continue
            key = self.space.key(neighbour, subspace)
            if key not in self._seen and key not in self._queued:
                return subspace, neighbour
        return None

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

    def _update(self, start):
        """Advance one start through its states until it waits for a score."""
        while True:
            if start.state == "centre":
                key = self._key(start, start.candidate)
                if key not in self._told:
                    return
                start.value = self._told[key]
                if len(start.continuous) == 0:
                    start.state = "done"
                    return
                if key in self._smooth:
                    start.value, start.grad = self._smooth[key]
                    start.smooth, start.source = True, "exact"
                    start.inv_hess = None
                    start.state = "step"
                else:
                    start.smooth = False
                    self._propose_probes(start)
                    start.state = "probe"
            elif start.state == "probe":
                if any(self._key(start, c) not in self._told for _, c in start.probes):
                    return
                self._estimate_gradient(start)
                start.state = "step"
            elif start.state == "step":
                if not self._propose_step(start):
                    start.state = "done"
                    return
                start.state = "trial"
                return
            elif start.state == "trial":
                if any(self._key(start, c) not in self._told for _, c in start.trials):
                    return
                self._judge_trial(start)
            else:
                return

    def _unit_candidate(self, start, x):
        unit = start.unit.copy()
        unit[start.continuous] = x
        return unit, self.space.subspaces[start.subspace].decode(unit)[0]

    def _propose_probes(self, start):
        """Queue two probes along each probe direction, at +-h around the centre."""
        d = len(start.continuous)
        method = self.probe
        if method == "auto":
            method = "central" if d <= 3 else "spsa"
        start.source = "finite_difference" if method == "central" else "spsa"
        if method == "central":
            directions = np.eye(d)
        else:
            directions = self._rng.choice([-1.0, 1.0], size=(1, d)) / math.sqrt(d)
        start.probe_size = float(np.clip(0.5 * start.radius, 1e-3, 0.05))
        start.directions = directions
        start.probes = []
        for direction in directions:
            for sign in (1.0, -1.0):
                unit, candidate = self._unit_candidate(
                    start, np.clip(start.x + sign * start.probe_size * direction, 0, 1)
                )
                start.probes.append((unit, candidate))
                key = self._key(start, candidate)
                self._remember(start, unit, key)
                if key not in self._seen and key not in self._queued:
                    self._enqueue(start.subspace, candidate, key, start.ident,
                                  start.n_steps, "probe", source=start.source)

    def _estimate_gradient(self, start):
        """Slope and curvature of the scores along each probe direction.

        The gradient is the sum of the slopes along the directions; the
        Newton step along a direction of negative curvature is kept for
        :meth:`_propose_step`.
        """
        x = start.x
        start.grad = np.zeros(len(x))
        start.newton = np.zeros(len(x))
        for j, direction in enumerate(start.directions):
            (u_plus, c_plus), (u_minus, c_minus) = start.probes[2 * j : 2 * j + 2]
            f_plus = self._told[self._key(start, c_plus)]
            f_minus = self._told[self._key(start, c_minus)]
            t_plus = float((u_plus[start.continuous] - x) @ direction)
            t_minus = float((u_minus[start.continuous] - x) @ direction)
            if t_plus - t_minus <= 0:
                continue
            slope = (f_plus - f_minus) / (t_plus - t_minus)
            start.grad += slope * direction
            # The parabola through the three points, when the probes were
            # not clipped by a bound.
            h = start.probe_size
            if np.isclose(t_plus, h) and np.isclose(t_minus, -h):
                curvature = (f_plus + f_minus - 2.0 * start.value) / h**2
                if curvature < 0:
                    start.newton += (-slope / curvature) * direction
                    continue
            start.newton += np.sign(slope) * start.radius * direction
        if start.source == "spsa":
            # One random direction per round learns little in many
            # dimensions: the slope across the start's recent points adds
            # the part of the gradient across that direction.
            grad = self._simplex_gradient(start)
            if grad is not None:
                along = start.directions[0]
                across = grad - (grad @ along) * along
                start.grad = grad
                start.newton += start.radius * across / np.linalg.norm(grad)

    def _simplex_gradient(self, start):
        """Least-squares slope of the scores of the start's points near its centre.

        None while fewer points than dimensions are close enough.
        """
        x = start.x
        reach = 2.0 * max(start.radius, 2.0 * start.probe_size)
        rows, values = [], []
        for point, key in reversed(start.points):
            dx = point - x
            if key in self._told and 0 < np.linalg.norm(dx) <= reach:
                rows.append(dx)
                values.append(self._told[key] - start.value)
        if len(rows) < len(x):
            return None
        return np.linalg.lstsq(np.array(rows), np.array(values), rcond=None)[0]

    def _free_direction(self, start, direction):
        """Zero the components that push against a bound the start is on."""
        x = start.x
        blocked = ((x <= 0.0) & (direction < 0)) | ((x >= 1.0) & (direction > 0))
        return np.where(blocked, 0.0, direction)

    def _propose_step(self, start):
        """Queue the next trial point of a start; False once it has converged."""
        grad = self._free_direction(start, start.grad)
        norm = float(np.linalg.norm(grad))
        if not np.isfinite(norm) or norm == 0.0:
            return False
        if start.smooth:
            if start.inv_hess is None:
                start.inv_hess = np.eye(len(grad)) * (start.radius / norm)
                start.updated = False
            if start.backtrack is not None:
                direction, start.backtrack = start.backtrack, None
            else:
                direction = self._free_direction(start, start.inv_hess @ start.grad)
                length = float(np.linalg.norm(direction))
                if length > start.radius:
                    direction *= start.radius / length
            xtol = _SMOOTH_XTOL
        else:
            direction = self._free_direction(start, start.newton)
            length = float(np.linalg.norm(direction))
            if length > 2.0 * start.radius:
                direction *= 2.0 * start.radius / length
            xtol = _PROBE_XTOL
        x_new = np.clip(start.x + direction, 0.0, 1.0)
        if np.max(np.abs(x_new - start.x)) < xtol:
            return False
        unit, candidate = self._unit_candidate(start, x_new)
        key = self._key(start, candidate)
        if key == self._key(start, start.candidate):
            return False
        start.n_steps += 1
        start.step = x_new - start.x
        start.trials = [(unit, candidate)]
        self._remember(start, unit, key)
        if key not in self._seen and key not in self._queued:
            self._enqueue(start.subspace, candidate, key, start.ident, start.n_steps,
                          "iterate", grad=start.grad, source=start.source)
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
                if start.state != "trial":
                    continue
                unit, candidate = self._unit_candidate(
                    start, np.clip(start.x + factor * start.step, 0.0, 1.0)
                )
                key = self._key(start, candidate)
                if key in self._seen or key in self._queued:
                    continue
                start.trials.append((unit, candidate))
                self._remember(start, unit, key)
                self._enqueue(start.subspace, candidate, key, start.ident,
                              start.n_steps, "iterate", grad=start.grad,
                              source=start.source)
                added += 1

    def _judge_trial(self, start):
        """Move to the best acceptable trial point, or shrink the step."""
        centre_score = self._told[self._key(start, start.candidate)]
        best = None
        for unit, candidate in start.trials:
            key = self._key(start, candidate)
            step = unit[start.continuous] - start.x
            if start.smooth and key in self._smooth:
                value, grad = self._smooth[key]
                accepted = value >= start.value + _ARMIJO * float(start.grad @ step)
            else:
                value, grad = self._told[key], None
                accepted = value > (centre_score if start.smooth else start.value)
            if accepted and (best is None or value > best[0]):
                best = (value, grad, unit, candidate, step)
        if best is not None:
            value, grad, unit, candidate, step = best
            if grad is not None and start.inv_hess is not None:
                start.inv_hess = _bfgs_update(
                    start.inv_hess, step, grad - start.grad, rescale=not start.updated
                )
                start.updated = True
            start.radius = min(
                _MAX_RADIUS, 2.0 * max(start.radius, float(np.linalg.norm(step)))
            )
            start.unit, start.candidate = unit, candidate
            if grad is not None:
                start.value, start.grad = value, grad
                start.state = "step"
            else:
                start.inv_hess = None
                start.state = "centre"
            return
        unit, candidate = start.trials[0]
        key = self._key(start, candidate)
        step = unit[start.continuous] - start.x
        if start.smooth and key in self._smooth:
            # Backtrack along the same step, to the maximiser of the cubic
            # through both values and slopes. The curvature pair of a
            # failed, often long, step says little about the Hessian near
            # the centre, so the quasi-Newton matrix is left alone.
            value, grad = self._smooth[key]
            tau = _cubic_step(start.value, start.grad @ step, value, grad @ step)
            start.backtrack = tau * step
            start.radius = float(np.linalg.norm(start.backtrack))
        else:
            start.radius *= 0.5
            best_probe = self._best_probe(start)
            if best_probe is not None:
                start.unit, start.candidate = best_probe
                start.state = "centre"
                return
        start.state = "step"

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

    def _unit_gradient(self, subspace, candidate, gradient):
        """A told gradient over parameter values, carried into the unit cube."""
        if gradient is None:
            return None
        sub = self.space.subspaces[subspace]
        unit = sub.encode([candidate])[0]
        out = []
        for i in self._continuous[subspace]:
            name, dim = sub.names[i], sub.dimensions[i]
            if name not in gradient or not np.isfinite(gradient[name]):
                return None
            low, high = max(unit[i] - _UNIT_EPS, 0.0), min(unit[i] + _UNIT_EPS, 1.0)
            values = dim.from_unit([low, high])
            out.append(gradient[name] * (values[1] - values[0]) / (high - low))
        return np.asarray(out, dtype=float)


def _cubic_step(value, slope, trial_value, trial_slope):
    """Where to try next along a failed ascent step, as a fraction of it.

    Moré and Thuente's rule for a trial that failed: the minimiser of the
    cubic through the values and slopes of the loss (minus the objective)
    at the centre (0) and the trial (1) when it is nearer the centre than
    the minimiser of the parabola through both values and the first slope,
    else their average; kept within [0.05, 0.5]. A trial that overshot onto
    a plateau has a small slope there, which misleads the cubic alone.
    """
    phi0, d0, phi1, d1 = -value, -slope, -trial_value, -trial_slope
    curvature = phi1 - phi0 - d0
    quadratic = -d0 / (2.0 * curvature) if curvature > 0 else 0.5
    theta = 3.0 * (phi0 - phi1) + d0 + d1
    discriminant = theta**2 - d0 * d1
    cubic = quadratic
    if discriminant >= 0:
        root = math.sqrt(discriminant)
        denominator = d1 - d0 + 2.0 * root
        if denominator != 0:
            cubic = 1.0 - (d1 + root - theta) / denominator
    tau = cubic if 0 < cubic < quadratic else 0.5 * (cubic + quadratic)
    return float(np.clip(tau, 0.05, 0.5))


def _bfgs_update(inv_hess, step, grad_change, *, rescale=False):
    """BFGS update of the inverse Hessian of the loss (minus the objective).

    Skipped when the curvature condition fails, which keeps the matrix
    positive definite, so that every step ascends. With `rescale`, the
    first guess is replaced by the curvature seen along the first step
    (Shanno and Phua), as its scale came from the step length alone.
    """
    y = -grad_change
    sy = float(step @ y)
    if sy <= 1e-12 * np.linalg.norm(step) * np.linalg.norm(y):
        return inv_hess
    if rescale:
        inv_hess = np.eye(len(step)) * (sy / float(y @ y))
    rho = 1.0 / sy
    eye = np.eye(len(step))
    left = eye - rho * np.outer(step, y)
    return left @ inv_hess @ left.T + rho * np.outer(step, step)
