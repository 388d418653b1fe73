"""Output warping of the scores a Gaussian process is fitted to."""

import numpy as np
from scipy.optimize import minimize_scalar
from scipy.stats import yeojohnson

# Range of the Yeo-Johnson exponent of the output warping.
_WARPING_BOUNDS = (-2.0, 6.0)
# Scores more than this many interquartile ranges below the lower quartile
# are brought logarithmically closer to that fence. On MLPRegressor/
# friedman1 (benchmarks/bench_layers.py, design seeds 100-111), fences at
# 1.5, 3 and 10 ranges raised BayesSearchCV's mean best r2 alike, by
# rescuing the searches that met a diverged network; at 3 ranges the fence
# also caught the tail of Branin's own values (benchmarks/bench_bayes.py),
# which the Yeo-Johnson exponent handles, and changed those searches. At 10,
# bench_bayes's BayesSearchCV (seeds 0-59) kept every median of Branin,
# noiseless and noisy, and of KernelRidge on diabetes after 30 and 60
# evaluations, or raised it (noisy Branin after 60: -1.81 to -1.53), and
# did not change a search on Hartmann-6 or Rastrigin (seeds 0-11).
_FENCE = 10.0


def _compress_tail(y):
    """The fence and scale of the logarithmic compression of the bad tail of
    scores `y`, or None when no score is below the fence.

    Scores below ``fence = q1 - 10 * iqr`` become
    ``fence - iqr * log1p((fence - y) / iqr)``: monotone, the identity down
    to the fence, and logarithmic beyond it.
    """
    q1, q3 = np.percentile(y, [25, 75])
    iqr = q3 - q1
    if not iqr > 0:
        return None
    fence = q1 - _FENCE * iqr
    if not np.min(y) < fence:
        return None
    return float(fence), float(iqr)


def _negative_llf(lmbda, positive, a_pos, a_neg, sign_sum):
    """Minus the Yeo-Johnson profile log-likelihood of standardised scores
    `z` at `lmbda`.

    The same function as :func:`scipy.stats.yeojohnson_llf`, written for
    the one case met here (one exponent, standardised data, no NaN) because
    scipy's general version costs about 0.6 ms a call, which made the
    warping the largest part of an ask. What does not depend on `lmbda` is
    computed once by the caller: the mask `positive` of ``z >= 0``,
    ``log1p(|z|)`` on it (`a_pos`) and off it (`a_neg`), and `sign_sum`, the
    sum of ``sign(z) * log1p(|z|)``. The variance is :func:`numpy.var`'s
    arithmetic, operation for operation (so the same bits), without its
    argument handling, which cost as much as the arithmetic at a few hundred
    scores.
    """
    transformed = np.empty(len(positive))
    transformed[positive] = (
        a_pos if abs(lmbda) < 1e-12 else np.expm1(lmbda * a_pos) / lmbda
    )
    power = 2.0 - lmbda
    transformed[~positive] = (
        -a_neg if abs(power) < 1e-12 else -np.expm1(power * a_neg) / power
    )
    n = len(transformed)
    transformed -= np.add.reduce(transformed) / n
    np.square(transformed, out=transformed)
    variance = np.add.reduce(transformed) / n
    if not variance > 0:
        return np.inf
    return 0.5 * n * np.log(variance) - (lmbda - 1.0) * sign_sum


class OutputWarping:
    """Yeo-Johnson warping of the standardised scores, fitted by maximum
    likelihood.

    Cross-validated scores are far from Gaussian: a plateau of good scores
    and a long tail of bad ones (chance accuracy, a diverged fit, a failure
    imputed as the worst score), which a stationary GP fitted to raw scores
    models as large variations everywhere. The warping (as in HEBO, Cowen-
    Rivers et al., 2022) straightens the tail, and is the identity when the
    scores are already symmetric.

    A tail of a few scores orders of magnitude below the others (the r2 of
    a regressor that diverged: -4000 among scores in [-1, 0.75]) is more
    than any exponent can straighten: standardised by a deviation that the
    outlier sets, the other scores all warp to nearly one value, the GP
    sees a flat function with one hole and its acquisition goes to the
    corners of the space. Scores more than ten interquartile ranges below
    the lower quartile are first brought logarithmically closer to that
    fence; the order of the scores is kept, and scores above the fence are
    not changed.
    """

    def __init__(self, y):
        y = np.asarray(y, dtype=float)
        self.tail = _compress_tail(y) if len(y) >= 4 else None
        y = self._compress(y)
        self.loc = float(np.mean(y))
        self.scale = float(np.std(y)) or 1.0
        z = (y - self.loc) / self.scale
        self.lmbda = 1.0
        if len(y) >= 3 and np.ptp(z) > 0:
            log1p_abs = np.log1p(np.abs(z))
            sign_sum = float(np.sum(np.sign(z) * log1p_abs))
            positive = z >= 0
            self.lmbda = float(
                minimize_scalar(
                    _negative_llf,
                    args=(positive, log1p_abs[positive], log1p_abs[~positive], sign_sum),
                    bounds=_WARPING_BOUNDS,
                    method="bounded",
                ).x
            )

    def _compress(self, y):
        if self.tail is None:
            return y
        fence, iqr = self.tail
        below = y < fence
        return np.where(
            below, fence - iqr * np.log1p(np.where(below, fence - y, 0.0) / iqr), y
        )

    def transform(self, y):
        z = (self._compress(np.asarray(y, dtype=float)) - self.loc) / self.scale
        return yeojohnson(z, lmbda=self.lmbda)

    def inverse(self, w):
        """Scores of warped values, and the derivative of the warping there."""
        w = np.asarray(w, dtype=float)
        lmbda = self.lmbda
        z = np.empty_like(w)
        slope = np.empty_like(w)
        pos = w >= 0
        if abs(lmbda) > 1e-12:
            base = np.maximum(lmbda * w[pos] + 1.0, 1e-12)
            z[pos] = base ** (1.0 / lmbda) - 1.0
        else:
            z[pos] = np.expm1(w[pos])
        slope[pos] = (z[pos] + 1.0) ** (lmbda - 1.0)
        if abs(lmbda - 2.0) > 1e-12:
            base = np.maximum(1.0 - (2.0 - lmbda) * w[~pos], 1e-12)
            z[~pos] = 1.0 - base ** (1.0 / (2.0 - lmbda))
        else:
            z[~pos] = -np.expm1(-w[~pos])
        slope[~pos] = (1.0 - z[~pos]) ** (1.0 - lmbda)
        y, slope = self.loc + self.scale * z, slope / self.scale
        if self.tail is not None:
            fence, iqr = self.tail
            below = y < fence
            stretch = np.expm1(np.where(below, fence - y, 0.0) / iqr)
            slope = np.where(below, slope / (1.0 + stretch), slope)
            y = np.where(below, fence - iqr * stretch, y)
        return y, slope
