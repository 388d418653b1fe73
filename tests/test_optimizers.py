"""The conformance suite every optimizer exported by sklearn_tune.optimizers
joins: each is constructed as ``cls(space, random_state=seed)`` with its
defaults and driven on analytic objectives, without any estimator."""

import inspect
import math
import pickle

import numpy as np
import pytest
from scipy.stats import loguniform, norm, randint

from sklearn_tune import Integer, Real, SearchSpace
from sklearn_tune import optimizers
from sklearn_tune.optimizers import BaseOptimizer, RandomOptimizer

OPTIMIZERS = [
    getattr(optimizers, name)
    for name in optimizers.__all__
    if inspect.isclass(getattr(optimizers, name))
    and issubclass(getattr(optimizers, name), BaseOptimizer)
    and not inspect.isabstract(getattr(optimizers, name))
]

# Strategies whose advantage needs something analytic functions lack; each
# has its own quality test in its strategy's test file.
NOT_COMPARED_TO_RANDOM = {
    "RandomOptimizer": "it is the baseline",
    "HyperbandOptimizer": "its advantage is cheap low-resource evaluations",
    "AdaptiveHyperbandOptimizer": "its advantage is cheap low-resource evaluations",
}


def mixed_space():
    return SearchSpace(
        [
            {
                "C": loguniform(1e-3, 1e3),
                "n": Integer(1, 30, log=True),
                "k": randint(0, 5),
                "shift": norm(0, 1),
                "layers": [None, (10,), (20, 20)],
            },
            {"C": loguniform(1e-3, 1e3), "kernel": ["linear"]},
        ]
    )


def mixed_objective(c):
    value = -((math.log10(c["C"]) - 1) ** 2)
    if "n" in c:
        value += -((c["n"] - 7) ** 2) / 10 - (c["k"] - 3) ** 2 - c["shift"] ** 2
        value += 1.0 if c["layers"] == (10,) else 0.0
    return value


def run(optimizer, objective, n_evals, batch=3):
    asked = []
    while len(asked) < n_evals:
        candidates = optimizer.ask(min(batch, n_evals - len(asked)))
        if not candidates:
            break
        asked.extend(candidates)
        optimizer.tell(candidates, [objective(c) for c in candidates])
    return asked


def keys(space, candidates):
    return [space.key(c) for c in candidates]


@pytest.fixture(params=OPTIMIZERS, ids=lambda cls: cls.__name__)
def Optimizer(request):
    return request.param


def test_random_optimizer_is_in_the_suite():
    assert RandomOptimizer in OPTIMIZERS


def test_asks_stay_in_the_space(Optimizer):
    space = mixed_space()
    opt = Optimizer(space, random_state=0)
    asked = run(opt, mixed_objective, 30)
    assert len(asked) == 30
    for candidate in asked:
        assert any(sub.contains(candidate) for sub in space.subspaces), candidate


def test_failed_scores_are_tolerated(Optimizer):
    space = mixed_space()
    opt = Optimizer(space, random_state=0)
    bad = [np.nan, -np.inf, np.inf]
    for i in range(8):
        batch = opt.ask(3)
        scores = [bad[(i + j) % 3] if (i + j) % 2 else mixed_objective(c)
                  for j, c in enumerate(batch)]
        opt.tell(batch, scores)
    batch = opt.ask(3)
    assert len(batch) == 3
    assert all(any(s.contains(c) for s in space.subspaces) for c in batch)
    assert opt.best_index_ is not None
    assert np.isfinite(opt.scores_[opt.best_index_])


def test_all_failed_scores_are_tolerated(Optimizer):
    opt = Optimizer(mixed_space(), random_state=0)
    for _ in range(5):
        batch = opt.ask(2)
        opt.tell(batch, [np.nan] * len(batch))
    assert len(opt.ask(2)) == 2
    assert opt.best_index_ is None


def test_same_seed_same_asks(Optimizer):
    space = mixed_space()
    first = run(Optimizer(space, random_state=7), mixed_objective, 24)
    second = run(Optimizer(space, random_state=7), mixed_objective, 24)
    assert keys(space, first) == keys(space, second)


def test_state_pickles_mid_run(Optimizer):
    space = mixed_space()
    opt = Optimizer(space, random_state=1)
    run(opt, mixed_objective, 12)
    clone = pickle.loads(pickle.dumps(opt))
    rest = run(opt, mixed_objective, 9)
    rest_clone = run(clone, mixed_objective, 9)
    assert keys(space, rest) == keys(clone.space, rest_clone)


@pytest.mark.parametrize("batch", [1, 5])
def test_finite_space_is_exhausted_without_duplicates(Optimizer, batch):
    space = SearchSpace(
        [{"a": ["x", "y", "z"], "b": Integer(1, 4)}, {"a": [None], "c": [(1,), (2,)]}]
    )
    opt = Optimizer(space, random_state=0)
    asked = run(opt, lambda c: float(c.get("b", 0)), 100, batch=batch)
    assert len(asked) == space.size == 14
    assert len(set(keys(space, asked))) == 14
    assert opt.ask(batch) == []
    assert opt.n_remaining == 0


def test_no_duplicate_asks_in_a_small_integer_space(Optimizer):
    space = SearchSpace({"i": Integer(0, 9), "j": Integer(0, 4)})
    opt = Optimizer(space, random_state=0)
    asked = run(opt, lambda c: -((c["i"] - 4) ** 2) - (c["j"] - 2) ** 2, 40, batch=4)
    assert len(asked) == 40
    assert len(set(keys(space, asked))) == 40


def test_tell_rejects_mismatched_lengths(Optimizer):
    opt = Optimizer(mixed_space(), random_state=0)
    batch = opt.ask(2)
    with pytest.raises(ValueError, match="2 candidates but 1 scores"):
        opt.tell(batch, [1.0])


@pytest.mark.parametrize("n_points", [0, -1, 1.5])
def test_ask_rejects_bad_sizes(Optimizer, n_points):
    with pytest.raises(ValueError, match="n_points"):
        Optimizer(mixed_space(), random_state=0).ask(n_points)


def branin(c):
    x1, x2 = c["x1"], c["x2"]
    b, cc = 5.1 / (4 * math.pi**2), 5 / math.pi
    return -(
        (x2 - b * x1**2 + cc * x1 - 6) ** 2 + 10 * (1 - 1 / (8 * math.pi)) * math.cos(x1) + 10
    )


_H6_A = np.array([[10, 3, 17, 3.5, 1.7, 8], [0.05, 10, 17, 0.1, 8, 14],
                  [3, 3.5, 1.7, 10, 17, 8], [17, 8, 0.05, 10, 0.1, 14]])
_H6_P = 1e-4 * np.array([[1312, 1696, 5569, 124, 8283, 5886],
                         [2329, 4135, 8307, 3736, 1004, 9991],
                         [2348, 1451, 3522, 2883, 3047, 6650],
                         [4047, 8828, 8732, 5743, 1091, 381]])


def hartmann6(c):
    x = np.array([c[f"x{i}"] for i in range(6)])
    return float(np.array([1.0, 1.2, 3.0, 3.2]) @ np.exp(-np.sum(_H6_A * (x - _H6_P) ** 2, 1)))


PROBLEMS = {
    "branin": ({"x1": Real(-5, 10), "x2": Real(0, 15)}, branin, 30),
    "hartmann6": ({f"x{i}": Real(0, 1) for i in range(6)}, hartmann6, 40),
}


@pytest.mark.parametrize("problem", list(PROBLEMS))
@pytest.mark.parametrize(
    "Optimizer",
    [cls for cls in OPTIMIZERS if cls.__name__ not in NOT_COMPARED_TO_RANDOM],
    ids=lambda cls: cls.__name__,
)
def test_beats_random_search_at_equal_budget(Optimizer, problem):
    space, objective, budget = PROBLEMS[problem]
    space = SearchSpace(space)

    def best(cls, seed):
        opt = cls(space, random_state=seed)
        run(opt, objective, budget, batch=4)
        return max(opt.scores_)

    seeds = range(7)
    ours = np.median([best(Optimizer, s) for s in seeds])
    baseline = np.median([best(RandomOptimizer, s) for s in seeds])
    assert ours > baseline


def test_gp_predictions_follow_new_data_and_hyperparameters():
    # The GP keeps its training inputs over the length scales between
    # predictions; a refit, new points or a fantasy must not reuse them. A
    # pickled copy holds no such cache, so it predicts from scratch.
    from sklearn_tune.optimizers._gp import GaussianProcess

    rng = np.random.default_rng(0)
    X = rng.uniform(size=(30, 3))
    y = np.sin(5 * X[:, 0]) + X[:, 1] ** 2
    gp = GaussianProcess().fit(X[:20], y[:20])
    gp.predict(X[20:], return_grad=True)
    theta = gp.theta_.copy()
    gp.fit(X, y)
    assert not np.array_equal(theta, gp.theta_)
    fantasy = gp.fantasize(X[:2] + 0.05)
    for model, n in ((gp, 30), (fantasy, 32)):
        model.predict(X[:1])
        fresh = pickle.loads(pickle.dumps(model))
        assert "_scaled_train_" not in fresh.__dict__
        assert len(model.X_train_) == n
        for a, b in zip(model.predict(X[::3] + 0.01, return_grad=True),
                        fresh.predict(X[::3] + 0.01, return_grad=True)):
            np.testing.assert_array_equal(a, b)
