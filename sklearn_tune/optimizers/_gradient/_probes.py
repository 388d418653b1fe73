"""Probes: where to evaluate the score around a centre, and the slopes they show.

Without a told gradient, a start evaluates its score at ``x +- h u`` along
each probe direction ``u``: the coordinate axes (central differences,
``2 d`` probes) or one random sign vector (SPSA, two probes, its slope
completed across that direction by a least-squares fit to the start's
recent points).
"""

import math

import numpy as np

# Central differences up to this many continuous dimensions, SPSA beyond.
MAX_CENTRAL_DIMS = 3


def probe_method(probe, n_dims):
    """``"central"`` or ``"spsa"``: the optimizer's `probe` in `n_dims` dimensions."""
    if probe == "auto":
        return "central" if n_dims <= MAX_CENTRAL_DIMS else "spsa"
    return probe


def probe_directions(method, n_dims, rng):
    """The unit directions to probe along, one per row."""
    if method == "central":
        return np.eye(n_dims)
    return rng.choice([-1.0, 1.0], size=(1, n_dims)) / math.sqrt(n_dims)


def probe_size(radius):
    """The distance ``h`` of the probes from the centre, for a trust radius."""
    return float(np.clip(0.5 * radius, 1e-3, 0.05))


def probe_slopes(directions, offsets, scores, value, size, radius):
    """Slope and curvature of the scores along each probe direction.

    Parameters
    ----------
    directions : ndarray of shape (n_directions, n_dims)
        The probe directions.
    offsets : list of ndarray of shape (n_dims,)
        Each probe minus the centre, two per direction (``+h`` then ``-h``);
        shorter than ``h`` where a bound clipped the probe.
    scores : list of float
        The probes' scores, in the same order.
    value : float
        The centre's score.
    size : float
        ``h``.
    radius : float
        The trust radius.

    Returns
    -------
    grad : ndarray of shape (n_dims,)
        The sum of the slopes along the directions.
    newton : ndarray of shape (n_dims,)
        The step: along each direction, to the maximum of the parabola
        through the three scores where it is concave, the trust radius
        along the slope elsewhere.
    """
    n_dims = directions.shape[1]
    grad, newton = np.zeros(n_dims), np.zeros(n_dims)
    for j, direction in enumerate(directions):
        f_plus, f_minus = scores[2 * j], scores[2 * j + 1]
        t_plus = float(offsets[2 * j] @ direction)
        t_minus = float(offsets[2 * j + 1] @ direction)
        if t_plus - t_minus <= 0:
            continue
        slope = (f_plus - f_minus) / (t_plus - t_minus)
        grad += slope * direction
        # The parabola through the three points, when the probes were not
        # clipped by a bound.
        if np.isclose(t_plus, size) and np.isclose(t_minus, -size):
            curvature = (f_plus + f_minus - 2.0 * value) / size**2
            if curvature < 0:
                newton += (-slope / curvature) * direction
                continue
        newton += np.sign(slope) * radius * direction
    return grad, newton


def least_squares_slope(x, value, points, reach):
    """Least-squares slope of the scores of points near the centre `x`.

    Parameters
    ----------
    x : ndarray of shape (n_dims,)
        The centre.
    value : float
        Its score.
    points : iterable of (ndarray of shape (n_dims,), float)
        Scored points, most recent first.
    reach : float
        Points farther from `x` are left out.

    Returns
    -------
    grad : ndarray of shape (n_dims,) or None
        None while fewer points than dimensions are close enough.
    """
    rows, values = [], []
    for point, score in points:
        dx = point - x
        if 0 < np.linalg.norm(dx) <= reach:
            rows.append(dx)
            values.append(score - value)
    if len(rows) < len(x):
        return None
    return np.linalg.lstsq(np.array(rows), np.array(values), rcond=None)[0]


def spsa_completion(grad, direction, radius):
    """The part of a step across the SPSA `direction`, along the rest of `grad`.

    One random direction per round learns little in many dimensions: the
    least-squares slope over the start's recent points adds the part of the
    gradient across that direction.
    """
    across = grad - (grad @ direction) * direction
    return radius * across / np.linalg.norm(grad)
