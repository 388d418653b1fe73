"""The output warping of Bayesian optimisation: the Yeo-Johnson transform
and the compression of a far bad tail before it."""

import numpy as np
import pytest
from scipy.stats import yeojohnson

from sklearn_tune.optimizers import BayesOptimizer
from sklearn_tune.optimizers._warping import OutputWarping
from sklearn_tune.space import Real


def _r2_like(seed, n=30):
    # Scores of mostly fair models and a few poor ones, as a search sees.
    rng = np.random.default_rng(seed)
    return np.r_[rng.uniform(0.4, 0.75, n - 5), rng.uniform(0.0, 0.3, 5)]


def test_scores_above_the_fence_warp_as_before():
    y = _r2_like(0)
    warping = OutputWarping(y)
    assert warping.tail is None
    assert warping.transform(y) == pytest.approx(
        yeojohnson((y - y.mean()) / y.std(), lmbda=warping.lmbda)
    )
    y_outlier = np.r_[y, -4000.0]
    warping = OutputWarping(y_outlier)
    fence, _ = warping.tail
    assert y.min() > fence
    # The order of the scores is kept.
    order = np.argsort(y_outlier)
    assert np.all(np.diff(warping.transform(y_outlier)[order]) > 0)


def test_a_far_outlier_leaves_the_other_scores_spread():
    # With r2 = -4000 standardised in, every other score used to warp to
    # within 0.01 of one value (the outlier 0.8 below them): a flat function
    # with one hole to the GP.
    y = np.r_[_r2_like(1), -4000.0]
    w = OutputWarping(y).transform(y)
    assert np.ptp(w[:-1]) > 0.5 * np.ptp(w)
    assert np.argmin(w) == len(y) - 1


@pytest.mark.parametrize("outlier", [None, -50.0, -1e6])
def test_inverse_and_slope(outlier):
    y = _r2_like(2)
    if outlier is not None:
        y = np.r_[y, outlier, 2 * outlier]
    warping = OutputWarping(y)
    w = warping.transform(y)
    back, slope = warping.inverse(w)
    np.testing.assert_allclose(back, y, rtol=1e-9, atol=1e-9)
    eps = 1e-6 * np.maximum(1.0, np.abs(y))
    numeric = (warping.transform(y + eps) - warping.transform(y - eps)) / (2 * eps)
    np.testing.assert_allclose(slope, numeric, rtol=1e-4)


def test_search_refines_after_a_diverged_evaluation():
    # A smooth peak at (0.3, 0.6) and a corner where the model diverges,
    # scored orders of magnitude below everything else.
    def f(c):
        if c["a"] > 0.9 and c["b"] > 0.9:
            return -1e5
        return -((c["a"] - 0.3) ** 2) - (c["b"] - 0.6) ** 2

    space = {"a": Real(0.0, 1.0), "b": Real(0.0, 1.0)}
    opt = BayesOptimizer(space, n_initial_points=6, random_state=0)
    opt.tell([{"a": 0.95, "b": 0.95}], [f({"a": 0.95, "b": 0.95})])
    for _ in range(24):
        batch = opt.ask()
        opt.tell(batch, [f(c) for c in batch])
    assert max(opt.scores_) > -1e-3
