import math
import pickle

import numpy as np
import pytest
from scipy.stats import expon, loguniform, norm, poisson, randint, uniform
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import RandomizedSearchCV
from sklearn.svm import SVC

from sklearn_tune import Categorical, Integer, Real, SearchSpace


def roundtrip(subspace, candidates):
    return subspace.decode(subspace.encode(candidates))


def test_real_linear_and_log_scales():
    assert np.allclose(Real(0, 10).to_unit([0, 5, 10]), [0, 0.5, 1])
    assert np.allclose(Real(1e-2, 1e2, log=True).to_unit([1e-2, 1, 1e2]), [0, 0.5, 1])
    assert Real(1e-2, 1e2, log=True).from_unit([0.25])[0] == pytest.approx(0.1)


def test_integer_cells_are_equal_and_round_trip():
    dim = Integer(1, 4)
    u = np.linspace(0, 1, 4001)
    counts = np.bincount(dim.from_unit(u), minlength=5)[1:]
    assert counts.max() - counts.min() <= 1
    assert dim.from_unit(dim.to_unit([1, 2, 3, 4])) == [1, 2, 3, 4]
    assert np.allclose(dim.snap(dim.snap(u)), dim.snap(u))


def test_log_integer_prefers_small_values():
    values = Integer(1, 1000, log=True).rvs(size=2000, random_state=0)
    assert min(values) >= 1 and max(values) <= 1000
    assert np.median(values) < 100


@pytest.mark.parametrize(
    "dist", [loguniform(1e-3, 1e3), norm(2, 3), expon(), uniform(-1, 2)]
)
def test_continuous_distributions_map_through_quantiles(dist):
    space = SearchSpace({"p": dist})
    sub = space.subspaces[0]
    values = [c["p"] for _, c in space.sample(50, random_state=0)]
    assert all(np.isfinite(values))
    decoded = [c["p"] for c in roundtrip(sub, [{"p": v} for v in values])]
    assert np.allclose(decoded, values, rtol=1e-6)
    # The unit interval is the distribution's own quantile scale.
    assert sub.encode([{"p": dist.median()}])[0, 0] == pytest.approx(0.5)


@pytest.mark.parametrize("dist", [randint(2, 9), poisson(3.0)])
def test_discrete_distributions_round_trip_exactly(dist):
    space = SearchSpace({"k": dist})
    sub = space.subspaces[0]
    values = [c["k"] for _, c in space.sample(100, random_state=0)]
    assert all(isinstance(v, int) for v in values)
    assert [c["k"] for c in roundtrip(sub, [{"k": v} for v in values])] == values


def test_finite_discrete_distribution_size_and_values():
    space = SearchSpace({"k": randint(2, 5)})
    assert space.size == 3
    assert [c["k"] for c in space.subspaces[0].enumerate()] == [2, 3, 4]
    assert SearchSpace({"k": poisson(3)}).size == math.inf


def test_categorical_of_arbitrary_objects():
    est = SVC()
    choices = [None, (10,), (20, 20), "a", 1, 1.0, True, est]
    sub = SearchSpace({"c": choices}).subspaces[0]
    candidates = [{"c": c} for c in choices]
    decoded = roundtrip(sub, candidates)
    for got, want in zip(decoded, choices):
        assert got["c"] is want
    onehot = sub.encode(candidates, onehot=True)
    assert onehot.shape == (len(choices), len(choices))
    assert np.array_equal(onehot, np.eye(len(choices)))
    assert [d["c"] for d in sub.decode(onehot, onehot=True)] == choices
    # 1, 1.0 and True are different choices, told apart by type.
    keys = {sub.key({"c": c}) for c in choices}
    assert len(keys) == len(choices)


@pytest.mark.parametrize(
    "choices, scale",
    [
        ([3, 5, 10, 20], "linear"),  # 20 / 3 is less than a decade
        ([0.001, 0.01, 0.1, 1.0], "log"),
        ([100, 200, 500, 2000], "log"),
        ([-1.0, 0.0, 2.0], "linear"),
        ([20, 3, 10, 5], "linear"),  # the order given does not matter
    ],
)
def test_numeric_lists_sit_at_their_position_on_their_scale(choices, scale):
    dim = Categorical(choices)
    assert dim.ordered and not dim.is_categorical
    values = np.array(choices, dtype=float)
    if scale == "log":
        values = np.log(values)
    want = (values - values.min()) / (values.max() - values.min())
    np.testing.assert_allclose(dim.to_unit(choices), want)
    # Round trip, exact values and types, and snap is idempotent.
    assert dim.from_unit(dim.to_unit(choices)) == choices
    assert all(type(a) is type(b) for a, b in zip(dim.from_unit(want), choices))
    u = np.random.default_rng(0).uniform(size=200)
    np.testing.assert_array_equal(dim.snap(dim.snap(u)), dim.snap(u))
    # Each point decodes to the nearest value on the scale.
    nearest = np.abs(u[:, None] - want[None, :]).argmin(axis=1)
    assert dim.from_unit(u) == [choices[i] for i in nearest]


@pytest.mark.parametrize(
    "choices, kwargs",
    [
        ([1, 2, None], {}),
        ([1, 2, "auto"], {}),
        ([True, False], {}),
        ([1, 1.0, 2], {}),  # equal numbers: only their type tells them apart
        ([1, 2, 3], {"ordered": False}),
    ],
)
def test_lists_that_stay_unordered(choices, kwargs):
    dim = Categorical(choices, **kwargs)
    assert not dim.ordered and dim.is_categorical
    np.testing.assert_allclose(
        dim.to_unit(choices), (np.arange(len(choices)) + 0.5) / len(choices)
    )
    sub = SearchSpace({"c": dim}).subspaces[0]
    assert sub.n_onehot_dims == len(choices)


def test_ordered_choices_that_are_not_numbers_are_evenly_spaced():
    dim = Categorical(["low", "medium", "high"], ordered=True)
    np.testing.assert_allclose(dim.to_unit(["low", "medium", "high"]), [1 / 6, 0.5, 5 / 6])
    assert repr(dim) == "Categorical(['low', 'medium', 'high'], ordered=True)"
    assert repr(Categorical([1, 2], ordered=False)) == "Categorical([1, 2], ordered=False)"
    assert repr(Categorical([1, 2])) == "Categorical([1, 2])"


def test_ordered_lists_are_one_column_and_drawn_uniformly():
    # Uneven gaps give uneven cells; draws still pick each value alike,
    # as RandomizedSearchCV does with a list.
    choices = [1, 2, 3, 100]
    space = SearchSpace({"n": choices, "kernel": ["rbf", "poly"]})
    sub = space.subspaces[0]
    assert sub.n_onehot_dims == 1 + 2
    drawn = [c["n"] for _, c in space.sample(4000, random_state=0)]
    counts = np.array([drawn.count(v) for v in choices])
    assert np.all(np.abs(counts - 1000) < 120), counts
    rvs = Categorical(choices).rvs(size=4000, random_state=0)
    assert np.all(np.abs(np.array([rvs.count(v) for v in choices]) - 1000) < 120)


def test_an_ordered_grid_helps_the_gaussian_process():
    # On a smooth function of two 8-value grids, knowing the order finds
    # the best grid point sooner than one-hot choices, over 12 seeds.
    from sklearn_tune.optimizers import BayesOptimizer

    values = [1, 2, 3, 5, 8, 13, 21, 34]

    def f(c):
        return -(np.log(c["a"] / 8)) ** 2 - (np.log(c["b"] / 3)) ** 2

    def evaluations_to_best(ordered, seed):
        dim = Categorical(values, ordered=ordered)
        opt = BayesOptimizer({"a": dim, "b": dim}, random_state=seed)
        for i in range(30):
            batch = opt.ask(1)
            opt.tell(batch, [f(c) for c in batch])
            if f(batch[0]) == 0:
                return i + 1
        return 31

    ordered = [evaluations_to_best(True, seed) for seed in range(12)]
    unordered = [evaluations_to_best(False, seed) for seed in range(12)]
    assert np.mean(ordered) < np.mean(unordered) - 2, (ordered, unordered)


def test_mixed_space_round_trip_and_snap():
    space = SearchSpace(
        {
            "C": loguniform(1e-3, 1e3),
            "n": Integer(1, 50, log=True),
            "kernel": ["rbf", "poly", "linear"],
            "x": Real(-1, 1),
        }
    )
    sub = space.subspaces[0]
    rng = np.random.default_rng(0)
    X = rng.uniform(size=(30, sub.n_dims))
    snapped = sub.snap(X)
    assert np.allclose(sub.snap(snapped), snapped)
    decoded = sub.decode(X)
    assert decoded == sub.decode(snapped)
    assert all(space.subspaces[0].contains(c) for c in decoded)


def test_list_of_dicts_are_disjoint_subspaces():
    space = SearchSpace(
        [
            {"kernel": ["linear"], "C": Real(0.1, 10)},
            {"kernel": ["rbf"], "C": Real(0.1, 10), "gamma": Real(0.1, 1)},
        ]
    )
    assert space.locate({"kernel": "rbf", "C": 1.0, "gamma": 0.5}) == 1
    assert space.locate({"kernel": "linear", "C": 1.0}) == 0
    with pytest.raises(ValueError, match="not a candidate"):
        space.locate({"kernel": "linear", "C": 1.0, "gamma": 0.5})
    drawn = space.sample(200, random_state=0)
    assert {i for i, _ in drawn} == {0, 1}
    assert all(space.subspaces[i].contains(c) for i, c in drawn)


def test_sampling_is_seeded():
    space = SearchSpace({"a": Real(0, 1), "b": ["x", "y"], "c": randint(0, 100)})
    assert space.sample(20, random_state=3) == space.sample(20, random_state=3)
    assert space.sample(20, random_state=3) != space.sample(20, random_state=4)


def test_dimensions_work_in_randomized_search_cv():
    from sklearn.datasets import load_iris

    X, y = load_iris(return_X_y=True)
    search = RandomizedSearchCV(
        LogisticRegression(max_iter=200),
        {"C": Real(1e-2, 1e2, log=True), "fit_intercept": Categorical([True, False])},
        n_iter=4,
        cv=3,
        random_state=0,
    ).fit(X, y)
    Cs = search.cv_results_["param_C"]
    assert len(set(Cs)) == 4 and all(1e-2 <= C <= 1e2 for C in Cs)


def test_rvs_returns_scalar_or_list():
    assert isinstance(Integer(0, 5).rvs(random_state=0), int)
    assert len(Real(0, 1).rvs(size=3, random_state=0)) == 3
    assert Categorical(["a", "b"]).rvs(random_state=np.random.RandomState(0)) in "ab"


def test_space_pickles():
    space = SearchSpace({"C": loguniform(1e-3, 1e3), "k": ["a", (1, 2)]})
    clone = pickle.loads(pickle.dumps(space))
    assert clone.sample(5, random_state=0) == space.sample(5, random_state=0)


@pytest.mark.parametrize(
    "factory, error, match",
    [
        (lambda: Real(1, 1), ValueError, "low must be smaller than high"),
        (lambda: Real(2, 1), ValueError, "low must be smaller than high"),
        (lambda: Real(0, 1, log=True), ValueError, "log=True needs low > 0"),
        (lambda: Real(0, np.inf), ValueError, "high must be finite"),
        (lambda: Real("a", 1), TypeError, "low must be a real number"),
        (lambda: Integer(0.5, 3), TypeError, "low must be an integer"),
        (lambda: Integer(3, 3), ValueError, "low must be smaller than high"),
        (lambda: Categorical([]), ValueError, "at least one value"),
        (lambda: Categorical("abc"), TypeError, "choices must be a list"),
        (lambda: Categorical([1, 2], ordered="yes"), ValueError, "ordered must be"),
    ],
)
def test_invalid_dimensions(factory, error, match):
    with pytest.raises(error, match=match):
        factory()


class _RvsOnly:
    def rvs(self, size=None, random_state=None):
        return 1.0


@pytest.mark.parametrize(
    "space, error, match",
    [
        ({"alpha": 1.0}, TypeError, "Parameter 'alpha' must be a list"),
        ({"alpha": "rbf"}, TypeError, "Parameter 'alpha' must be a list"),
        ({"alpha": []}, ValueError, "Parameter 'alpha': choices must hold"),
        ({"alpha": np.ones((2, 2))}, ValueError, "Parameter 'alpha': choices must be 1-D"),
        ({"alpha": _RvsOnly()}, TypeError, "Parameter 'alpha'.*no cdf"),
        ({1: [1, 2]}, TypeError, "names must be strings"),
        ([], ValueError, "at least one dict"),
        ("alpha", TypeError, "dict or a list of dicts"),
        ([{"a": [1]}, 3], TypeError, "dict or a list of dicts"),
    ],
)
def test_invalid_spaces_name_the_key(space, error, match):
    with pytest.raises(error, match=match):
        SearchSpace(space)
