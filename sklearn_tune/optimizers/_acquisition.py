"""Acquisition functions for maximisation, vectorised over candidates.

Each takes the surrogate's posterior mean and standard deviation at the
candidates and returns one value per candidate, higher is more promising.
Expected improvement and probability of improvement are computed on the log
scale: far from the incumbent they underflow to exactly zero in floating
point, which leaves an optimiser with a flat landscape and no gradient, while
their logarithms stay finite and informative (Ament et al., 2023,
"Unexpected improvements to expected improvement for Bayesian optimization").
"""

import math

import numpy as np
from scipy.special import erfcx, log_ndtr, ndtr

__all__ = [
    "expected_improvement",
    "log_expected_improvement",
    "log_probability_of_improvement",
    "probability_of_improvement",
    "upper_confidence_bound",
]

_LOG_SQRT_2PI = 0.5 * math.log(2.0 * math.pi)
_HALF_LOG_PI_OVER_2 = 0.5 * math.log(math.pi / 2.0)
# Below this z, 1 - z * Phi(z) / phi(z) is 1 / z**2 to double precision.
_Z_ASYMPTOTIC = -1.0 / math.sqrt(np.finfo(float).eps)
# The smallest standard deviation, relative to the scale of the scores the
# acquisition sees, so that z stays finite at evaluated points.
_MIN_STD = 1e-12


def _log1mexp(x):
    """``log(1 - exp(x))`` for ``x < 0``, accurate on both sides of -log 2."""
    x = np.asarray(x, dtype=float)
    near_zero = x > -math.log(2.0)
    out = np.empty_like(x)
    out[near_zero] = np.log(-np.expm1(x[near_zero]))
    out[~near_zero] = np.log1p(-np.exp(x[~near_zero]))
    return out


def _log_h(z):
    """``log(phi(z) + z * Phi(z))``, the log of EI at unit standard deviation.

    For ``z <= -1`` the sum cancels catastrophically; it is rewritten with
    the scaled complementary error function, ``Phi(z) / phi(z) =
    sqrt(pi / 2) * erfcx(-z / sqrt(2))``.
    """
    z = np.asarray(z, dtype=float)
    upper = z > -1.0
    if upper.all():
        # The common case of the few points of a gradient polish, where
        # the masked branches below would cost more than the arithmetic.
        return np.log(np.exp(-0.5 * z**2) / math.sqrt(2 * math.pi) + z * ndtr(z))
    out = np.empty_like(z)
    zu = z[upper]
    out[upper] = np.log(np.exp(-0.5 * zu**2) / math.sqrt(2 * math.pi) + zu * ndtr(zu))
    middle = ~upper & (z > _Z_ASYMPTOTIC)
    zm = z[middle]
    out[middle] = (
        -0.5 * zm**2
        - _LOG_SQRT_2PI
        + _log1mexp(np.log(erfcx(-zm / math.sqrt(2.0)) * -zm) + _HALF_LOG_PI_OVER_2)
    )
    far = ~upper & ~middle
    if far.any():
        zf = z[far]
        out[far] = -0.5 * zf**2 - _LOG_SQRT_2PI - 2.0 * np.log(-zf)
    return out


def _standardize(mean, std, best, xi):
    std = np.maximum(np.asarray(std, dtype=float), _MIN_STD)
    z = (np.asarray(mean, dtype=float) - best - xi) / std
    return z, std


def log_expected_improvement(mean, std, best, *, xi=0.0, return_grad=False):
    """Logarithm of the expected improvement over `best` (maximisation).

    Parameters
    ----------
    mean, std : array-like of shape (n_candidates,)
        Posterior mean and standard deviation at the candidates.
    best : float
        The incumbent: improvement is counted above ``best + xi``.
    xi : float, default=0.0
        Margin, in the units of the scores, that favours exploration.
    return_grad : bool, default=False
        Also return the derivatives with respect to `mean` and `std`.

    Returns
    -------
    log_ei : ndarray of shape (n_candidates,)
    d_mean, d_std : ndarrays of shape (n_candidates,), if `return_grad`

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_tune.optimizers._acquisition import log_expected_improvement
    >>> log_ei = log_expected_improvement([0.0, -30.0], [1.0, 1.0], best=0.0)
    >>> bool(np.isclose(np.exp(log_ei[0]), 1 / np.sqrt(2 * np.pi)))
    True
    >>> bool(np.isfinite(log_ei[1]) and log_ei[1] < -450)
    True
    """
    z, std = _standardize(mean, std, best, xi)
    log_h = _log_h(z)
    value = log_h + np.log(std)
    if not return_grad:
        return value
    # d log h / dz = Phi(z) / h(z), formed in logs so it stays finite.
    ratio = np.exp(log_ndtr(z) - log_h)
    return value, ratio / std, (1.0 - z * ratio) / std


def expected_improvement(mean, std, best, *, xi=0.0):
    """Expected improvement over `best` (maximisation).

    See :func:`log_expected_improvement` for the parameters; this is its
    exponential, which underflows to 0 far from the incumbent.

    Examples
    --------
    >>> from sklearn_tune.optimizers._acquisition import expected_improvement
    >>> expected_improvement([1.0, 0.0], [0.0, 0.0], best=0.5).tolist()
    [0.5, 0.0]
    """
    return np.exp(log_expected_improvement(mean, std, best, xi=xi))


def log_probability_of_improvement(mean, std, best, *, xi=0.0, return_grad=False):
    """Logarithm of the probability of improving over ``best + xi``.

    Parameters
    ----------
    mean, std : array-like of shape (n_candidates,)
        Posterior mean and standard deviation at the candidates.
    best : float
        The incumbent.
    xi : float, default=0.0
        Margin, in the units of the scores, that favours exploration.
    return_grad : bool, default=False
        Also return the derivatives with respect to `mean` and `std`.

    Returns
    -------
    log_pi : ndarray of shape (n_candidates,)
    d_mean, d_std : ndarrays of shape (n_candidates,), if `return_grad`

    Examples
    --------
    >>> from sklearn_tune.optimizers._acquisition import (
    ...     log_probability_of_improvement)
    >>> log_probability_of_improvement([0.0], [1.0], best=0.0).round(4).tolist()
    [-0.6931]
    """
    z, std = _standardize(mean, std, best, xi)
    value = log_ndtr(z)
    if not return_grad:
        return value
    ratio = np.exp(-0.5 * z**2 - _LOG_SQRT_2PI - value)
    return value, ratio / std, -z * ratio / std


def probability_of_improvement(mean, std, best, *, xi=0.0):
    """Probability of improving over ``best + xi`` (maximisation).

    See :func:`log_probability_of_improvement` for the parameters.

    Examples
    --------
    >>> from sklearn_tune.optimizers._acquisition import probability_of_improvement
    >>> probability_of_improvement([0.0, 1.0], [1.0, 1e-9], best=0.0).tolist()
    [0.5, 1.0]
    """
    return np.exp(log_probability_of_improvement(mean, std, best, xi=xi))


def upper_confidence_bound(mean, std, *, kappa=1.96, return_grad=False):
    """Optimistic bound ``mean + kappa * std``.

    Parameters
    ----------
    mean, std : array-like of shape (n_candidates,)
        Posterior mean and standard deviation at the candidates.
    kappa : float, default=1.96
        Weight of the uncertainty; larger explores more.
    return_grad : bool, default=False
        Also return the derivatives with respect to `mean` and `std`.

    Returns
    -------
    ucb : ndarray of shape (n_candidates,)
    d_mean, d_std : ndarrays of shape (n_candidates,), if `return_grad`

    Examples
    --------
    >>> from sklearn_tune.optimizers._acquisition import upper_confidence_bound
    >>> upper_confidence_bound([0.0, 1.0], [1.0, 0.0], kappa=2.0).tolist()
    [2.0, 1.0]
    """
    mean = np.asarray(mean, dtype=float)
    std = np.asarray(std, dtype=float)
    value = mean + kappa * std
    if not return_grad:
        return value
    return value, np.ones_like(mean), np.full_like(std, kappa)
