"""Expected hypervolume improvement of two objectives: closed form against
Monte Carlo, gradients against finite differences, and its log scale."""

import numpy as np
import pytest

from sklearn_tune.optimizers import hypervolume
from sklearn_tune.optimizers._ehvi import (
    _log_ehvi,
    log_ehvi_2d,
    log_ehvi_of_strips,
    strips,
)

FRONT = np.array([[0.1, 0.9], [0.4, 0.7], [0.6, 0.5], [0.9, 0.1], [0.3, 0.3]])
REFERENCE = np.array([-0.2, -0.1])


def _monte_carlo(mean, std, front, reference, rng, n=20_000):
    base = hypervolume(front, reference)
    samples = mean + std * rng.standard_normal((n, 2))
    return np.mean(
        [hypervolume(np.vstack([front, s]), reference) - base for s in samples]
    )


@pytest.mark.parametrize("seed", range(3))
def test_closed_form_matches_monte_carlo(seed):
    rng = np.random.default_rng(seed)
    mean = rng.uniform(0.0, 1.2, size=(3, 2))
    std = rng.uniform(0.05, 0.4, size=(3, 2))
    exact = np.exp(log_ehvi_2d(mean, std, FRONT, REFERENCE))
    for i in range(3):
        estimate = _monte_carlo(mean[i], std[i], FRONT, REFERENCE, rng)
        # 20 000 samples: a relative standard error of about 1%.
        assert exact[i] == pytest.approx(estimate, rel=0.05, abs=1e-4)


def test_certain_points_add_their_own_boxes():
    front = [[1.0, 3.0], [2.0, 2.0], [3.0, 1.0]]
    certain = np.full((4, 2), 1e-12)
    mean = [[2.5, 2.5], [4.0, 0.5], [0.5, 0.5], [1.0, 4.0]]
    values = np.exp(log_ehvi_2d(mean, certain, front, [0.0, 0.0]))
    expected = [
        hypervolume([*front, m], [0.0, 0.0]) - hypervolume(front, [0.0, 0.0])
        for m in mean
    ]
    assert np.allclose(values, expected)
    assert values[2] == 0.0


def test_an_empty_front_gives_the_expected_box_of_the_reference():
    # Without a front, the improvement is the box between the reference and
    # the point: the product of two expected improvements.
    value = np.exp(
        log_ehvi_2d([[1.0, 2.0]], [[1e-12, 1e-12]], np.empty((0, 2)), [0.0, 0.0])
    )
    assert value[0] == pytest.approx(2.0)


def test_gradients_match_finite_differences():
    rng = np.random.default_rng(0)
    mean = rng.uniform(-0.5, 1.5, size=(6, 2))
    std = rng.uniform(0.05, 0.5, size=(6, 2))
    value, d_mean, d_std = log_ehvi_2d(mean, std, FRONT, REFERENCE, return_grad=True)
    step = 1e-6
    for j in range(2):
        shifted = mean.copy()
        shifted[:, j] += step
        numeric = (log_ehvi_2d(shifted, std, FRONT, REFERENCE) - value) / step
        assert np.allclose(d_mean[:, j], numeric, rtol=1e-4, atol=1e-4)
        shifted = std.copy()
        shifted[:, j] += step
        numeric = (log_ehvi_2d(mean, shifted, FRONT, REFERENCE) - value) / step
        assert np.allclose(d_std[:, j], numeric, rtol=1e-4, atol=1e-4)


def test_direct_and_log_forms_agree_and_the_log_stays_finite_far_away():
    rng = np.random.default_rng(1)
    left, floor = strips(FRONT, REFERENCE)
    mean = rng.normal(scale=3.0, size=(300, 2))
    std = rng.uniform(1e-3, 0.3, size=(300, 2))
    direct = log_ehvi_of_strips(mean, std, left, floor, return_grad=True)
    logs = _log_ehvi(mean, std, left, floor, return_grad=True)
    for a, b in zip(direct, logs):
        assert np.allclose(a, b, rtol=1e-8, atol=1e-8)
    # Far below the front the expectation underflows; its log does not and
    # still prefers the nearer point.
    far = log_ehvi_2d([[-30.0, -30.0], [-20.0, -20.0]], [[0.1, 0.1]] * 2,
                      FRONT, REFERENCE)
    assert np.isfinite(far).all()
    assert far[1] > far[0]
    assert np.exp(log_ehvi_2d([[-30.0, -30.0]], [[0.1, 0.1]], FRONT, REFERENCE))[0] == 0.0
