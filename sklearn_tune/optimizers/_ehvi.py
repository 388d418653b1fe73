"""Expected hypervolume improvement of two objectives, in closed form.

The gain in hypervolume of a new point ``y`` over a front of two
maximised objectives is a sum over the vertical strips that the front's
members cut between the reference point and infinity: in the strip from
``x_i`` to ``x_{i+1}`` on the first objective, under the front's height
``h_i`` there, it is ``(min(y_1, x_{i+1}) - x_i)^+ (y_2 - h_i)^+``. With
independent Gaussian predictions of ``y_1`` and ``y_2`` the expectation of
each term is a product of two expected improvements, ``(psi_1(x_i) -
psi_1(x_{i+1})) psi_2(h_i)``, where ``psi_j(c) = E[(y_j - c)^+]`` (Emmerich
et al., 2011, "Hypervolume-based expected improvement: monotonicity
properties and exact computation", in its 2-D form). It is computed on the
log scale, as expected improvement is (:mod:`._acquisition`), so that it
stays informative where it underflows.
"""

import math

import numpy as np
from scipy.special import ndtr

from ._acquisition import _MIN_STD, _log1mexp, log_expected_improvement
from ._pareto import non_dominated_rank

__all__ = ["log_ehvi_2d", "log_ehvi_of_strips", "strips"]

_SQRT_2PI = math.sqrt(2.0 * math.pi)
# Below this, the expectation formed directly has lost digits (to
# cancellation within each expected improvement, or to underflow), and is
# formed again on the log scale.
_TINY = 1e-100


def strips(front, reference):
    """Left edges and floor heights of the strips of a front.

    The members dominating `reference` sorted by increasing first
    objective are ``x_1 < ... < x_k`` with decreasing second objective
    ``y_1 > ... > y_k``; the strip ``(x_{i-1}, x_i]`` (``x_0`` the
    reference) lies above ``y_i``, and the last, ``(x_k, inf)``, above the
    reference.
    """
    front = np.asarray(front, dtype=float).reshape(-1, 2)
    reference = np.asarray(reference, dtype=float)
    front = front[np.isfinite(front).all(axis=1) & (front > reference).all(axis=1)]
    if len(front):
        front = np.unique(front[non_dominated_rank(front) == 1], axis=0)
    order = np.argsort(front[:, 0], kind="stable")
    x, y = front[order, 0], front[order, 1]
    return np.r_[reference[0], x], np.r_[y, reference[1]]


def log_ehvi_2d(mean, std, front, reference, *, return_grad=False):
    """Logarithm of the expected hypervolume improvement, two objectives.

    Parameters
    ----------
    mean, std : array-like of shape (n_candidates, 2)
        Independent Gaussian predictions of the two (maximised) objectives.
    front : array-like of shape (n_points, 2)
        Points found so far; only the non-dominated ones that dominate
        `reference` count.
    reference : array-like of shape (2,)
        The reference point of the hypervolume.
    return_grad : bool, default=False
        Also return the derivatives with respect to `mean` and `std`.

    Returns
    -------
    log_ehvi : ndarray of shape (n_candidates,)
    d_mean, d_std : ndarrays of shape (n_candidates, 2), if `return_grad`

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_tune.optimizers._ehvi import log_ehvi_2d
    >>> front = [[1.0, 3.0], [2.0, 2.0], [3.0, 1.0]]
    >>> value = log_ehvi_2d([[2.5, 2.5]], [[1e-9, 1e-9]], front, [0.0, 0.0])
    >>> round(float(np.exp(value[0])), 6)  # what the front leaves of its box
    1.25
    """
    return log_ehvi_of_strips(
        mean, std, *strips(front, reference), return_grad=return_grad
    )


def log_ehvi_of_strips(mean, std, left, floor, *, return_grad=False):
    """:func:`log_ehvi_2d` of a front given by its :func:`strips`, for the
    many scorings of one acquisition search.

    The expectation is formed directly, which costs a third of its
    logarithmic form, and only the candidates where it is smaller than
    ``_TINY`` are computed again on the log scale.
    """
    mean = np.asarray(mean, dtype=float).reshape(-1, 2)
    std = np.maximum(np.asarray(std, dtype=float).reshape(-1, 2), _MIN_STD)
    z_left = (mean[:, :1] - left) / std[:, :1]
    z_floor = (mean[:, 1:] - floor) / std[:, 1:]
    cdf_left, cdf_floor = ndtr(z_left), ndtr(z_floor)
    pdf_left = np.exp(-0.5 * z_left**2) / _SQRT_2PI
    pdf_floor = np.exp(-0.5 * z_floor**2) / _SQRT_2PI
    psi_left = std[:, :1] * (z_left * cdf_left + pdf_left)
    psi_floor = std[:, 1:] * (z_floor * cdf_floor + pdf_floor)
    # The right edges are the next strips' left edges; the last is infinite.
    width = psi_left - _next(psi_left)
    ehvi = np.einsum("ij,ij->i", width, psi_floor)
    small = ~(ehvi > _TINY)
    with np.errstate(divide="ignore"):
        value = np.log(ehvi)
    if not return_grad:
        if small.any():
            value[small] = _log_ehvi(
                mean[small], std[small], left, floor, return_grad=False
            )
        return value
    d_mean = np.column_stack(
        [
            np.einsum("ij,ij->i", cdf_left - _next(cdf_left), psi_floor),
            np.einsum("ij,ij->i", width, cdf_floor),
        ]
    )
    d_std = np.column_stack(
        [
            np.einsum("ij,ij->i", pdf_left - _next(pdf_left), psi_floor),
            np.einsum("ij,ij->i", width, pdf_floor),
        ]
    )
    with np.errstate(divide="ignore", invalid="ignore"):
        d_mean /= ehvi[:, None]
        d_std /= ehvi[:, None]
    if small.any():
        value[small], d_mean[small], d_std[small] = _log_ehvi(
            mean[small], std[small], left, floor, return_grad=True
        )
    return value, d_mean, d_std


def _next(values):
    """Each strip's value at its right edge: the next strip's at its left
    edge, and 0 at infinity."""
    return np.c_[values[:, 1:], np.zeros((len(values), 1))]


def _log_ehvi(mean, std, left, floor, *, return_grad=False):
    """:func:`log_ehvi_of_strips` formed on the log scale throughout."""
    n, k = len(mean), len(left)
    m1, s1 = np.repeat(mean[:, :1], k, axis=1), np.repeat(std[:, :1], k, axis=1)
    m2, s2 = np.repeat(mean[:, 1:], k, axis=1), np.repeat(std[:, 1:], k, axis=1)
    # log psi_1 at the strips' left edges, log psi_2 at their floors.
    out_left = log_expected_improvement(
        m1.ravel(), s1.ravel(), np.tile(left, n), return_grad=return_grad
    )
    out_floor = log_expected_improvement(
        m2.ravel(), s2.ravel(), np.tile(floor, n), return_grad=return_grad
    )
    if not return_grad:
        out_left, out_floor = (out_left,), (out_floor,)
    la, lh = (part.reshape(n, k) for part in (out_left[0], out_floor[0]))
    # The right edges are the next strips' left edges; the last is infinite.
    lb = np.c_[la[:, 1:], np.full((n, 1), -np.inf)]
    # psi_1(left) - psi_1(right) = psi_1(left) (1 - ratio) on the log scale.
    log_ratio = np.minimum(lb - la, -1e-12)
    width = la + _log1mexp(log_ratio)
    terms = width + lh
    top = terms.max(axis=1)
    value = top + np.log(np.exp(terms - top[:, None]).sum(axis=1))
    if not return_grad:
        return value
    weights = np.exp(terms - value[:, None])
    ga_mean, ga_std = (part.reshape(n, k) for part in out_left[1:])
    gh_mean, gh_std = (part.reshape(n, k) for part in out_floor[1:])
    gb_mean = np.c_[ga_mean[:, 1:], np.zeros((n, 1))]
    gb_std = np.c_[ga_std[:, 1:], np.zeros((n, 1))]
    ratio = np.exp(log_ratio)
    # d log(psi_a - psi_b) = (psi_a g_a - psi_b g_b) / (psi_a - psi_b).
    d_width_mean = (ga_mean - ratio * gb_mean) / -np.expm1(log_ratio)
    d_width_std = (ga_std - ratio * gb_std) / -np.expm1(log_ratio)
    d_mean = np.column_stack(
        [(weights * d_width_mean).sum(axis=1), (weights * gh_mean).sum(axis=1)]
    )
    d_std = np.column_stack(
        [(weights * d_width_std).sum(axis=1), (weights * gh_std).sum(axis=1)]
    )
    return value, d_mean, d_std
