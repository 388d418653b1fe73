"""Steps of a start: where it tries next, and what a trial teaches it.

On a told smooth objective the steps are projected quasi-Newton (BFGS)
steps within the trust radius, judged by sufficient increase (Armijo) and
backtracked to the maximiser of a cubic when they fail. On probed scores the
step is the one the probes suggest, within twice the trust radius, which
doubles on success and halves on failure.
"""

import math

import numpy as np

from ._start import Phase

# A start is converged once its step falls below these lengths in the unit
# cube: exact gradients resolve far finer steps than noisy score differences.
SMOOTH_XTOL = 1e-4
PROBE_XTOL = 1e-2
MAX_RADIUS = 0.5
# Sufficient increase (Armijo) for a step on a told smooth objective.
ARMIJO = 1e-4
# Width of the centred difference that turns a dimension's unit coordinate
# into its value, to carry told gradients into the unit cube.
_UNIT_EPS = 1e-6


def next_point(start):
    """Where `start` tries next, over its continuous dimensions.

    Sets up the quasi-Newton matrix on the first smooth step of a centre,
    and uses up a pending backtrack.

    Returns
    -------
    x : ndarray or None
        None once the start has converged: no ascent direction is left, or
        the step is below the tolerance.
    """
    grad = start.free(start.grad)
    norm = float(np.linalg.norm(grad))
    if not np.isfinite(norm) or norm == 0.0:
        return None
    if start.smooth:
        if start.inv_hess is None:
            start.inv_hess = np.eye(len(grad)) * (start.radius / norm)
            start.updated = False
        if start.backtrack is not None:
            direction, start.backtrack = start.backtrack, None
        else:
            direction = start.free(start.inv_hess @ start.grad)
            length = float(np.linalg.norm(direction))
            if length > start.radius:
                direction *= start.radius / length
        xtol = SMOOTH_XTOL
    else:
        direction = start.free(start.newton)
        length = float(np.linalg.norm(direction))
        if length > 2.0 * start.radius:
            direction *= 2.0 * start.radius / length
        xtol = PROBE_XTOL
    x_new = np.clip(start.x + direction, 0.0, 1.0)
    if np.max(np.abs(x_new - start.x)) < xtol:
        return None
    return x_new


def is_accepted(start, value, step, centre_score, smooth):
    """Whether a trial point with objective `value` improves on the centre.

    `smooth` says whether `value` is the told smooth objective (then by
    sufficient increase along `step`) or the score.
    """
    if smooth:
        return value >= start.value + ARMIJO * float(start.grad @ step)
    return value > (centre_score if start.smooth else start.value)


def move(start, unit, candidate, step, value, grad):
    """Make an accepted trial point the centre; the trust radius grows.

    With the trial's smooth `grad`, the quasi-Newton matrix learns the
    curvature along `step` and the start steps again; without, it probes
    around its new centre.
    """
    if grad is not None and start.inv_hess is not None:
        start.inv_hess = bfgs_update(
            start.inv_hess, step, grad - start.grad, rescale=not start.updated
        )
        start.updated = True
    length = float(np.linalg.norm(step))
    start.radius = min(MAX_RADIUS, 2.0 * max(start.radius, length))
    start.unit, start.candidate = unit, candidate
    if grad is not None:
        start.value, start.grad = value, grad
        start.phase = Phase.STEP
    else:
        start.inv_hess = None
        start.phase = Phase.CENTRE


def backtrack(start, step, value, grad):
    """After a failed smooth trial, retry a fraction of the same `step`.

    The fraction maximises the cubic through both values and slopes. The
    curvature pair of a failed, often long, step says little about the
    Hessian near the centre, so the quasi-Newton matrix is left alone.
    """
    tau = cubic_step(start.value, start.grad @ step, value, grad @ step)
    start.backtrack = tau * step
    start.radius = float(np.linalg.norm(start.backtrack))
    start.phase = Phase.STEP


def cubic_step(value, slope, trial_value, trial_slope):
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


def bfgs_update(inv_hess, step, grad_change, *, rescale=False):
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


def unit_gradient(subspace, continuous, candidate, gradient):
    """A told gradient over parameter values, carried into the unit cube.

    Parameters
    ----------
    subspace : SubSpace
        The sub-space of `candidate`.
    continuous : ndarray of int
        Indices of its continuous dimensions.
    candidate : dict
        Where the gradient was told.
    gradient : dict or None
        Parameter name to the derivative with respect to its value.

    Returns
    -------
    unit_grad : ndarray of shape (len(continuous),) or None
        None when `gradient` is None or misses a finite derivative.
    """
    if gradient is None:
        return None
    unit = subspace.encode([candidate])[0]
    out = []
    for i in continuous:
        name, dim = subspace.column_names[i], subspace.columns[i]
        if name not in gradient or not np.isfinite(gradient[name]):
            return None
        low, high = max(unit[i] - _UNIT_EPS, 0.0), min(unit[i] + _UNIT_EPS, 1.0)
        values = dim.from_unit([low, high])
        out.append(gradient[name] * (values[1] - values[0]) / (high - low))
    return np.asarray(out, dtype=float)
