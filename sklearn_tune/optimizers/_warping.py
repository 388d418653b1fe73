"""Output warping of the scores a Gaussian process is fitted to."""

import numpy as np
from scipy.optimize import minimize_scalar
from scipy.stats import yeojohnson, yeojohnson_llf

# Range of the Yeo-Johnson exponent of the output warping.
_WARPING_BOUNDS = (-2.0, 6.0)


class OutputWarping:
    """Yeo-Johnson warping of the standardised scores, fitted by maximum
    likelihood.

    Cross-validated scores are far from Gaussian: a plateau of good scores
    and a long tail of bad ones (chance accuracy, a diverged fit, a failure
    imputed as the worst score), which a stationary GP fitted to raw scores
    models as large variations everywhere. The warping (as in HEBO, Cowen-
    Rivers et al., 2022) straightens the tail, and is the identity when the
    scores are already symmetric.
    """

    def __init__(self, y):
        self.loc = float(np.mean(y))
        self.scale = float(np.std(y)) or 1.0
        z = (y - self.loc) / self.scale
        self.lmbda = 1.0
        if len(y) >= 3 and np.ptp(z) > 0:
            self.lmbda = float(
                minimize_scalar(
                    lambda lmbda: -yeojohnson_llf(lmbda, z),
                    bounds=_WARPING_BOUNDS,
                    method="bounded",
                ).x
            )

    def transform(self, y):
        z = (np.asarray(y, dtype=float) - self.loc) / self.scale
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
        return self.loc + self.scale * z, slope / self.scale
