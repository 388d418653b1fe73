"""A compact CMA-ES in the unit cube, for :class:`EvolutionaryOptimizer`.

The covariance matrix adaptation evolution strategy (Hansen, "The CMA
Evolution Strategy: A Tutorial", arXiv:1604.00772) samples each generation
from a multivariate normal distribution and moves its mean towards the best
samples, learns the covariance from the successful steps (rank-one update
through an evolution path, rank-mu update from the generation) and adapts
the step size by cumulative step-size adaptation. The constants below are
the tutorial's defaults; none was tuned here.

Discrete dimensions (integers, categoricals and other finite ones) are
searched as numbers in their unit-cube cells. A lower bound on the marginal
standard deviation of each keeps the chance that a sample leaves the cell
of the mean at least ``1 / (n_dims * population_size)``, the margin of
CMA-ES with margin (Hamano et al., GECCO 2022), reached here by stretching
the covariance along that dimension rather than by moving the mean.
"""

import math

import numpy as np
from scipy.stats import norm

__all__ = ["CMAES"]

# Initial step size, a quarter of the unit cube: the search starts from the
# best of a Latin hypercube sample and must still be able to leave its basin.
_SIGMA0 = 0.25
# Samples outside the cube are redrawn this many times before being mirrored.
_MAX_RESAMPLES = 10


class CMAES:
    """State of one CMA-ES run in the unit cube (pure numpy, pickles).

    Parameters
    ----------
    mean : ndarray of shape (n_dims,)
        Initial mean, in the unit cube.
    population_size : int
        Samples per generation (lambda); the best half (mu) recombine.
    cell_widths : ndarray of shape (n_dims,)
        Width of the unit-cube cell of each dimension's values: 0 for a
        continuous dimension, ``1 / size`` for a discrete one.
    sigma : float, default=0.25
        Initial step size.

    Attributes
    ----------
    mean : ndarray of shape (n_dims,)
        Mean of the sampling distribution.
    sigma : float
        Step size.
    cov : ndarray of shape (n_dims, n_dims)
        Covariance matrix (the distribution's is ``sigma**2 * cov``).
    """

    def __init__(self, mean, population_size, cell_widths, sigma=_SIGMA0):
        n = len(mean)
        self.mean = np.asarray(mean, dtype=float).copy()
        self.sigma = float(sigma)
        self.cov = np.eye(n)
        self.path_sigma = np.zeros(n)
        self.path_cov = np.zeros(n)
        self.n_updates = 0
        lam = int(population_size)
        mu = max(1, lam // 2)
        weights = math.log(mu + 0.5) - np.log(np.arange(1, mu + 1))
        self.weights = weights / weights.sum()
        mueff = 1.0 / np.sum(self.weights**2)
        self.mueff = mueff
        self.c_sigma = (mueff + 2) / (n + mueff + 5)
        self.d_sigma = (
            1 + 2 * max(0.0, math.sqrt((mueff - 1) / (n + 1)) - 1) + self.c_sigma
        )
        self.c_c = (4 + mueff / n) / (n + 4 + 2 * mueff / n)
        self.c_1 = 2 / ((n + 1.3) ** 2 + mueff)
        self.c_mu = min(
            1 - self.c_1, 2 * (mueff - 2 + 1 / mueff) / ((n + 2) ** 2 + mueff)
        )
        self.chi_n = math.sqrt(n) * (1 - 1 / (4 * n) + 1 / (21 * n**2))
        # Margin: the smallest marginal standard deviation of a discrete
        # dimension, so that leaving the cell keeps probability >= alpha.
        alpha = min(0.5, 1.0 / (n * lam))
        widths = np.asarray(cell_widths, dtype=float)
        self.min_std = widths / 2 / norm.ppf(1 - alpha / 2)

    @property
    def spread(self):
        """Marginal standard deviation of each dimension."""
        return self.sigma * np.sqrt(np.diag(self.cov))

    def sample(self, rng):
        """One point of the cube drawn from the current distribution."""
        values, vectors = np.linalg.eigh(self.cov)
        root = vectors * np.sqrt(np.maximum(values, 0.0))
        for _ in range(_MAX_RESAMPLES):
            x = self.mean + self.sigma * root @ rng.standard_normal(self.mean.size)
            if np.all((x >= 0) & (x <= 1)):
                return x
        # Mirror into the cube: keeps the sample near the boundary it crossed.
        x = np.abs(x) % 2.0
        return np.where(x > 1, 2.0 - x, x)

    def update(self, X, scores):
        """Move the distribution towards the best of the points `X` (rows).

        Parameters
        ----------
        X : ndarray of shape (n_points, n_dims)
            Points sampled from this distribution (as evaluated).
        scores : ndarray of shape (n_points,)
            Their scores, higher is better.
        """
        X = np.asarray(X, dtype=float)
        order = np.argsort(-np.asarray(scores, dtype=float), kind="stable")
        weights = self.weights[: len(X)] / self.weights[: len(X)].sum()
        best = X[order[: len(weights)]]
        steps = (best - self.mean) / self.sigma
        step = weights @ steps
        self.mean = self.mean + self.sigma * step

        values, vectors = np.linalg.eigh(self.cov)
        inv_root = vectors @ np.diag(1 / np.sqrt(np.maximum(values, 1e-20))) @ vectors.T
        n = self.mean.size
        self.path_sigma = (1 - self.c_sigma) * self.path_sigma + math.sqrt(
            self.c_sigma * (2 - self.c_sigma) * self.mueff
        ) * (inv_root @ step)
        self.n_updates += 1
        norm_sigma = np.linalg.norm(self.path_sigma)
        stalled = norm_sigma / math.sqrt(
            1 - (1 - self.c_sigma) ** (2 * self.n_updates)
        ) >= (1.4 + 2 / (n + 1)) * self.chi_n
        self.path_cov = (1 - self.c_c) * self.path_cov + (0.0 if stalled else 1.0) * (
            math.sqrt(self.c_c * (2 - self.c_c) * self.mueff) * step
        )
        rank_one = np.outer(self.path_cov, self.path_cov)
        if stalled:
            rank_one += self.c_c * (2 - self.c_c) * self.cov
        rank_mu = (steps * weights[:, np.newaxis]).T @ steps
        self.cov = (
            (1 - self.c_1 - self.c_mu) * self.cov
            + self.c_1 * rank_one
            + self.c_mu * rank_mu
        )
        self.cov = (self.cov + self.cov.T) / 2
        self.sigma *= math.exp(
            (self.c_sigma / self.d_sigma) * (norm_sigma / self.chi_n - 1)
        )
        # The whole cube is the widest useful spread.
        self.sigma = min(self.sigma, 1.0 / math.sqrt(np.max(np.diag(self.cov))))
        self._apply_margin()

    def _apply_margin(self):
        spread = self.spread
        low = (self.min_std > 0) & (spread < self.min_std)
        if low.any():
            stretch = np.ones_like(spread)
            stretch[low] = self.min_std[low] / np.maximum(spread[low], 1e-300)
            self.cov = self.cov * np.outer(stretch, stretch)
