"""What Bayesian optimisation keeps about one sub-space: its encoding for the
Gaussian process, its initial design, and the search of an acquisition
function over its exact mixed values."""

import math

import numpy as np
from scipy.optimize import minimize
from scipy.stats import qmc

from ._gp import GaussianProcess, best_and_spread

# Quasi-random candidates scored per sub-space and ask; the best of them
# start the gradient polish. Finite sub-spaces up to this size are scored
# exhaustively instead.
_N_CANDIDATES = 512
# Gaussian perturbations (in the unit cube) of the best evaluated points,
# added to the candidates so that refinement near the incumbent is not left
# to chance.
_N_BEST = 4
_N_PERTURBATIONS = 16
_PERTURBATION_SCALE = 0.05
# Starts of the L-BFGS-B polish of the continuous dimensions, its length,
# and its relative tolerance on their summed acquisition values. Run to 40
# iterations and scipy's default tolerance (2.2e-9), the polish was the
# costliest stage of an ask, mostly in iterations that moved the sum by
# less than a millionth: in the 6-D space of benchmarks/bench_bayes_speed.py
# at 100 evaluations, it made an ask cost 1.45 times Optuna's TPE instead
# of 1.05 (medians of seeds 0-4, same run), while the best values of
# benchmarks/bench_bayes.py after 30 and 60 evaluations moved by less than
# their seed-to-seed spread (seeds 0-29).
_N_POLISH = 4
_POLISH_MAX_ITER = 20
_POLISH_FTOL = 1e-6
# Rounds of the local search over integer and categorical values.
_N_CLIMB_ROUNDS = 4
# Discrete dimensions with at most this many values get the local search;
# larger ones are polished as continuous and snapped.
_MAX_ORDINAL_VALUES = 10_000
# Bits of the Sobol' points (scipy's default resolution).
_SOBOL_BITS = 30
# Most points the GP conditions on: above it, the best half and an even spread
# of the others (in evaluation order), so that the cost of an ask stops
# growing with the evaluations (the acquisition search costs O(n**2) per
# candidate scored, and the factorisation O(n**3)). At 500 points it kept
# the 6-D mixed Hartmann-6 of benchmarks/bench_bayes_speed.py near 40 ms an
# ask (median of 5 seeds), 300 (the size the hyperparameters are fitted on)
# brings it near the cost at 300 points. The 6-D and 20-D problems there
# reached the same best values after 300, 500 and 700 evaluations with 500
# as with every point (seeds 100-102).
_MAX_MODEL_POINTS = 300
# Past this many points, a refit of the hyperparameters that raised their log
# posterior by less than _SETTLED (in nats) above the previous optimum doubles
# the number of new points before the next, up to a tenth of the points. In
# the 6-D and 20-D spaces of benchmarks/bench_bayes_speed.py (seeds 100 and
# 101), refits past 50 points gained a median 0.07-0.13 in 6-D, where the
# hyperparameters had settled, and 1.5-4 in 20-D, where they had not.
_SETTLE_AFTER = 50
_SETTLED = 0.5
# Past _SETTLE_AFTER points, L-BFGS-B iterations of a refit, which starts
# from the previous optimum and which the next refit continues.
_WARM_MAX_ITER = 15


def _sobol_integers(n, d):
    """The first `n` unscrambled Sobol' points in `d` dimensions, as integers
    in ``[0, 2**_SOBOL_BITS)``; a random digital shift of them (XOR with a
    random integer per dimension) is a randomised Sobol' set."""
    if d == 0:
        return np.zeros((n, 0), dtype=np.int64)
    m = max(0, math.ceil(math.log2(max(n, 1))))
    points = qmc.Sobol(d, scramble=False).random_base2(m)[:n]
    return np.round(points * 2.0**_SOBOL_BITS).astype(np.int64)


def _shifted(integers, rng):
    shift = rng.integers(0, 2**_SOBOL_BITS, size=integers.shape[1])
    return ((integers ^ shift) + 0.5) / 2.0**_SOBOL_BITS


class SubspaceModel:
    """Everything Bayesian optimisation keeps about one sub-space.

    The GP sees each candidate as a feature row: unit-cube coordinates for
    real and ordinal dimensions (integers, discrete distributions), one
    column per choice for categorical ones, nothing for a single-choice
    categorical. Real dimensions are polished by L-BFGS-B; integer and
    categorical ones are searched value by value, never rounded at random.
    """

    def __init__(self, index, subspace, n_initial, rng):
        self.index = index
        self.subspace = subspace
        self.n_initial = n_initial
        self._build_encoding()
        self.design = subspace.snap(
            subspace.spread(_shifted(_sobol_integers(n_initial, subspace.n_dims), rng))
        )
        self.n_design_asked = 0
        self.candidates = _sobol_integers(_N_CANDIDATES, subspace.n_dims)
        if subspace.size <= _N_CANDIDATES:
            everything = list(subspace.enumerate())
            self.enumeration = subspace.encode(everything)
            self.enumeration_keys = [subspace.key(c) for c in everything]
        else:
            self.enumeration = None
        self.U = np.empty((0, subspace.n_dims))
        self.X = np.empty((0, self.n_features))
        self.history = []
        self.pending = {}
        self.gp = GaussianProcess()
        self.y = None
        self.n_optimized = 0
        self.refit_interval = 1
        # Candidates of the last full search, scored again for the next
        # picks of a batch.
        self.searched = None
        # Rows of the points the GP is conditioned on (all of them, up to
        # _MAX_MODEL_POINTS).
        self.rows = np.arange(0)

    def _build_encoding(self):
        """The GP's columns, and how each dimension is searched."""
        self.categorical = []  # (dimension, number of choices)
        self.ordinal = []  # (dimension, unit-cube points of its values)
        single, continuous, widths = [], [], []
        for j, dim in enumerate(self.subspace.columns):
            if dim.is_categorical:
                # A single choice is a constant, which needs no column.
                widths.append(dim.size if dim.size > 1 else 0)
                if dim.size > 1:
                    self.categorical.append((j, dim.size))
                continue
            widths.append(1)
            single.append(j)
            if math.isfinite(dim.size) and dim.size <= _MAX_ORDINAL_VALUES:
                self.ordinal.append((j, dim.to_unit(dim.values())))
            else:
                continuous.append(j)
        # A step of a stack's depth must give the new layer the width its
        # encoding holds for an inactive one, which only snapping does;
        # other steps land on snapped values already.
        self.snap_steps = any(dim.n_columns > 1 for dim in self.subspace.dimensions)
        self.start = np.cumsum([0, *widths])[:-1]
        # Features computed from several columns (a stack's narrowest
        # layer), after the columns' own.
        probe = np.full((1, len(self.subspace.columns)), 0.5)
        self.derived = [
            (dim, part)
            for dim, part in zip(self.subspace.dimensions, self.subspace.slices)
            if getattr(dim, "bottleneck", None) is not None
            and dim.bottleneck(probe[:, part]) is not None
        ]
        self.n_features = int(sum(widths)) + len(self.derived)
        self.single = np.array(single, dtype=int)
        self.continuous = np.array(continuous, dtype=int)

    # -------------------------------------------------------------- data --

    @property
    def in_design(self):
        return self.n_design_asked < len(self.design)

    @property
    def can_model(self):
        return not self.in_design and len(self.history) > 0

    def features(self, U):
        """GP inputs of snapped unit-cube rows."""
        F = np.empty((len(U), self.n_features))
        F[:, self.start[self.single]] = U[:, self.single]
        for j, size in self.categorical:
            idx = np.clip((U[:, j] * size).astype(int), 0, size - 1)
            block = np.zeros((len(U), size))
            block[np.arange(len(U)), idx] = 1.0
            F[:, self.start[j] : self.start[j] + size] = block
        first = self.n_features - len(self.derived)
        for k, (dim, part) in enumerate(self.derived):
            # A stack is read through summaries that mean the same at every
            # depth (Layers.summary) and its narrowest width.
            begin = self.start[part.start]
            F[:, begin : begin + part.stop - part.start] = dim.summary(U[:, part])
            F[:, first + k] = dim.bottleneck(U[:, part])
        return F

    def add(self, candidates, history):
        U = self.subspace.encode(candidates)
        self.U = np.vstack([self.U, U])
        self.X = np.vstack([self.X, self.features(U)])
        self.history.extend(history)

    def fit(self, scores):
        """Refit the GP if its targets changed since the last fit.

        They change with new points, and with the output warping, which
        every new score anywhere refits. The hyperparameters are
        re-optimised at every new point up to 50 points, then after every
        ``n // 25`` new points: one more point barely moves them once there
        are many, and their fit is the one cost that grows as ``n**3`` times
        the number of L-BFGS-B iterations. Past 50 points, a refit runs at
        most 15 iterations from the previous optimum, and one that barely
        improved on it (the log posterior rose by less than half a nat)
        doubles the wait for the next, up to ``n // 10`` new points, while
        one that improved more brings the wait back to ``n // 25``.
        Otherwise the GP only conditions on the targets: the Cholesky
        factor grows by the new points. Past 300 points, the GP conditions
        on the best 150 and an even spread of 150 others.
        """
        y = scores[self.history]
        if self.y is not None and np.array_equal(y, self.y):
            return
        n = len(y)
        base = max(1, self.n_optimized // 25)
        optimize = n >= self.n_optimized + max(base, self.refit_interval)
        self.gp.max_iter = _WARM_MAX_ITER if n > _SETTLE_AFTER else 50
        # The model's rows; the warping is monotone, so the best of the
        # warped scores are the best scores.
        self.rows = best_and_spread(y, _MAX_MODEL_POINTS)
        self.gp.fit(self.X[self.rows], y[self.rows], optimize=optimize)
        self.y = y
        if optimize:
            settled = n > _SETTLE_AFTER and self.gp.fit_gain_ < _SETTLED
            self.refit_interval = (
                min(2 * max(base, self.refit_interval), max(1, n // 10))
                if settled
                else 1
            )
            self.n_optimized = n

    # ---------------------------------------------------------- proposal --

    def propose(self, space, gp, score, rng, exclude, *, again=False):
        """The unseen candidate of highest acquisition.

        With `again`, for the next pick of a batch, the candidates of the
        last full search (quasi-random, perturbed, polished and climbed
        ones) are only scored again under `gp`, which the kriging believer
        has changed around the previous pick: a batch of ``k`` costs one
        search and ``k - 1`` scorings instead of ``k`` searches.

        Returns ``(value, unit_row, candidate, key)``, or None when every
        candidate found is already evaluated or pending.
        """
        if again and self.enumeration is None:
            U = self.searched
            values = score(gp, self.features(U))
            order = np.argsort(-values, kind="stable")
            return self._first_unseen(space, U[order], values[order], exclude)
        if self.enumeration is not None:
            keys = [(self.index, k) for k in self.enumeration_keys]
            unseen = np.array([k not in exclude for k in keys], dtype=bool)
            if not unseen.any():
                return None
            U = self.enumeration[unseen]
            values = score(gp, self.features(U))
            order = np.argsort(-values, kind="stable")
            return self._first_unseen(space, U[order], values[order], exclude)

        U = self.subspace.snap(
            np.vstack([_shifted(self.candidates, rng), self._perturbations(rng)])
        )
        values = score(gp, self.features(U))
        starts = U[np.argsort(-values, kind="stable")[:_N_POLISH]]
        if len(self.continuous):
            starts = self._polish(gp, score, starts)
        start_values = score(gp, self.features(starts))
        if self.ordinal or self.categorical:
            starts, start_values = self._climb(gp, score, starts, start_values)
        U = np.vstack([starts, U])
        values = np.r_[start_values, values]
        self.searched = U
        order = np.argsort(-values, kind="stable")
        return self._first_unseen(space, U[order], values[order], exclude)

    def _perturbations(self, rng):
        if not len(self.history):
            return np.empty((0, self.subspace.n_dims))
        best = np.argsort(-self.gp.z_train_, kind="stable")[:_N_BEST]
        centres = np.repeat(self.U[self.rows[best]], _N_PERTURBATIONS, axis=0)
        noise = rng.normal(scale=_PERTURBATION_SCALE, size=centres.shape)
        return np.clip(centres + noise, 0.0, 1.0)

    def _polish(self, gp, score, starts):
        """L-BFGS-B on the continuous coordinates of all starts at once.

        The starts are independent, so the sum of their acquisition values
        is maximised in one call with a block-separable gradient.
        """
        cont = self.continuous
        columns = self.start[cont]
        F0 = self.features(starts)
        shape = (len(starts), len(cont))

        def objective(x):
            F = F0.copy()
            F[:, columns] = x.reshape(shape)
            values, grad = score(gp, F, return_grad=True)
            return -values.sum(), -grad[:, columns].ravel()

        result = minimize(
            objective,
            starts[:, cont].ravel(),
            jac=True,
            method="L-BFGS-B",
            bounds=[(0.0, 1.0)] * (shape[0] * shape[1]),
            options={"maxiter": _POLISH_MAX_ITER, "ftol": _POLISH_FTOL},
        )
        polished = starts.copy()
        polished[:, cont] = np.clip(result.x.reshape(shape), 0.0, 1.0)
        return self.subspace.snap(polished)

    def _neighbours(self, U):
        """Rows one integer step or one category away, and their origin."""
        rows, owners = [], []
        for j, centres in self.ordinal:
            pos = np.clip(np.searchsorted(centres, U[:, j] - 1e-9), 0, len(centres) - 1)
            for step in (-1, 1):
                ok = (pos + step >= 0) & (pos + step < len(centres))
                moved = U[ok].copy()
                moved[:, j] = centres[pos[ok] + step]
                rows.append(moved)
                owners.append(np.flatnonzero(ok))
        for j, size in self.categorical:
            current = np.clip((U[:, j] * size).astype(int), 0, size - 1)
            for choice in range(size):
                ok = current != choice
                moved = U[ok].copy()
                moved[:, j] = (choice + 0.5) / size
                rows.append(moved)
                owners.append(np.flatnonzero(ok))
        rows = np.vstack(rows)
        if self.snap_steps:
            rows = self.subspace.snap(rows)
        return rows, np.concatenate(owners)

    def _climb(self, gp, score, U, values):
        """Greedy local search over the discrete values of every row."""
        U, values = U.copy(), values.copy()
        for _ in range(_N_CLIMB_ROUNDS):
            neighbours, owners = self._neighbours(U)
            if not len(neighbours):
                break
            scores = score(gp, self.features(neighbours))
            # Each row's best neighbour, the first in order among equals.
            order = np.lexsort((np.arange(len(scores)), -scores, owners))
            first = np.r_[True, owners[order][1:] != owners[order][:-1]]
            best = order[first]
            rows = owners[best]
            better = scores[best] > values[rows]
            if not better.any():
                break
            U[rows[better]] = neighbours[best[better]]
            values[rows[better]] = scores[best[better]]
        return U, values

    def _first_unseen(self, space, U, values, exclude, chunk=16):
        for start in range(0, len(U), chunk):
            rows = U[start : start + chunk]
            for offset, candidate in enumerate(self.subspace.decode(rows)):
                key = space.key(candidate, self.index)
                if key not in exclude:
                    i = start + offset
                    return values[i], U[i], candidate, key
        return None
