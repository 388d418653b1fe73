"""The Layers dimension: its encoding, conditional widths, and every
strategy searching it (optimizers on an analytic function of the stack,
searches on a tiny MLP)."""

import math
import os
import pickle
import warnings

import numpy as np
import pytest
from scipy.stats import loguniform
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.datasets import make_classification
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import RandomizedSearchCV
from sklearn.neural_network import MLPClassifier

from sklearn_tune import (
    BayesSearchCV,
    EvolutionarySearchCV,
    GradientSearchCV,
    HyperbandSearchCV,
    Integer,
    Layers,
    Real,
    SearchSpace,
)
from sklearn_tune.hypergradients._search import _discrete_settings
from sklearn_tune.optimizers import (
    BayesOptimizer,
    EvolutionaryOptimizer,
    GradientOptimizer,
    RandomOptimizer,
)
from sklearn_tune.optimizers._gradient._start import discrete_neighbour
from test_optimizers import OPTIMIZERS, keys, run

SHAPES = ["per_layer", "shared", "funnel"]
X_CLF, Y_CLF = make_classification(
    n_samples=90, n_features=5, n_informative=3, random_state=0
)


def stack(shape="per_layer", n_layers=(1, 4), units=None):
    units = Integer(8, 512, log=True) if units is None else units
    return Layers(n_layers=n_layers, units=units, shape=shape)


# ----------------------------------------------------------------- encoding --


@pytest.mark.parametrize("shape", SHAPES)
def test_round_trip_and_snap(shape):
    layers = stack(shape)
    values = layers.rvs(size=300, random_state=0)
    assert all(isinstance(v, tuple) and layers.contains(v) for v in values)
    assert all(type(w) is int for v in values for w in v)
    assert layers.from_unit(layers.to_unit(values)) == values
    u = np.random.default_rng(1).uniform(size=(500, layers.n_columns))
    snapped = layers.snap(u)
    assert layers.from_unit(snapped) == layers.from_unit(u)
    np.testing.assert_allclose(layers.snap(snapped), snapped)
    assert {len(v) for v in values} == {1, 2, 3, 4}


@pytest.mark.parametrize(
    "shape, valid, invalid",
    [
        ("per_layer", [(8,), (8, 512, 9, 100)], [(), (7,), (8,) * 5, 64, [8.0]]),
        ("shared", [(64, 64, 64)], [(64, 32)]),
        ("funnel", [(256, 64, 64, 8)], [(64, 128)]),
    ],
)
def test_contains(shape, valid, invalid):
    layers = stack(shape)
    assert all(layers.contains(v) for v in valid)
    assert not any(layers.contains(v) for v in invalid)


def test_widths_of_missing_layers_are_inactive_and_repeat_the_last():
    layers = stack(n_layers=(1, 3))
    u = layers.to_unit([(256,), (256, 64), (256, 64, 16)])
    # depth column, then one width column per layer
    np.testing.assert_array_equal(
        layers.active(u), [[1, 1, 0, 0], [1, 1, 1, 0], [1, 1, 1, 1]]
    )
    assert u[0, 2] == u[0, 3] == u[0, 1]
    assert u[1, 3] == u[1, 2]
    # An inactive column does not change the value, and snap resets it.
    moved = u.copy()
    moved[0, 2:] = [0.1, 0.9]
    assert layers.from_unit(moved) == [(256,), (256, 64), (256, 64, 16)]
    np.testing.assert_allclose(layers.snap(moved), u)
    # One depth step up adds a copy of the last layer.
    deeper = u[1].copy()
    deeper[0] = layers.to_unit([(1, 1, 1)])[0, 0]
    assert layers.from_unit(deeper) == [(256, 64, 64)]


def test_funnel_encoding_fills_the_cube_with_funnels():
    layers = stack("funnel", units=Integer(1, 100))
    u = np.random.default_rng(0).uniform(size=(2000, layers.n_columns))
    values = layers.from_unit(u)
    assert all(list(v) == sorted(v, reverse=True) for v in values)
    # Not only flat stacks: the widths below the first spread out.
    deep = [v for v in values if len(v) >= 2]
    assert np.mean([v[1] < v[0] for v in deep]) > 0.8
    assert layers.columns[2].is_continuous is False


def test_shared_widths_are_one_column():
    layers = stack("shared")
    assert layers.n_columns == 2
    assert layers.active(layers.to_unit([(64,)])).all()
    assert layers.size == 4 * 505


@pytest.mark.parametrize("shape", SHAPES)
def test_size_counts_values(shape):
    layers = stack(shape, n_layers=(1, 3), units=Integer(1, 4))
    values = layers.values()
    assert len(values) == len(set(values)) == layers.size
    assert all(layers.contains(v) for v in values)
    sub = SearchSpace({"h": layers}).subspaces[0]
    assert len(list(sub.enumerate())) == layers.size


def test_fixed_depth_has_no_depth_column():
    layers = Layers(n_layers=2, units=Integer(8, 64))
    assert layers.n_columns == 2
    assert {len(v) for v in layers.rvs(size=20, random_state=0)} == {2}
    assert repr(layers) == "Layers(n_layers=2, units=Integer(8, 64), shape='per_layer')"


def test_single_column_stack_in_a_subspace():
    # Fixed depth and a shared width: one column, as for a scalar dimension.
    layers = Layers(n_layers=3, units=Integer(8, 64), shape="shared")
    sub = SearchSpace({"h": layers, "a": Real(0, 1)}).subspaces[0]
    assert sub.n_dims == 2
    X = np.random.default_rng(0).uniform(size=(20, 2))
    candidates = sub.decode(X)
    assert all(len(set(c["h"])) == 1 and len(c["h"]) == 3 for c in candidates)
    assert sub.decode(sub.snap(X)) == candidates
    assert sub.active(X).all()


def test_subspace_encodes_layers_beside_other_dimensions():
    space = SearchSpace(
        {"a": Real(0, 1), "h": stack(n_layers=(1, 3)), "s": ["adam", "sgd"]}
    )
    sub = space.subspaces[0]
    assert sub.n_dims == 1 + 4 + 1
    assert sub.column_names == ["a"] + ["h"] * 4 + ["s"]
    assert sub.n_onehot_dims == 1 + 4 + 2
    candidates = [c for _, c in space.sample(50, random_state=0)]
    for onehot in (False, True):
        assert sub.decode(sub.encode(candidates, onehot=onehot), onehot=onehot) == (
            candidates
        )
    active = sub.active(sub.encode(candidates))
    depths = np.array([len(c["h"]) for c in candidates])
    np.testing.assert_array_equal(active.sum(axis=1), 2 + 1 + depths)
    assert sub.encode([]).shape == (0, 6)


def test_repr_pickle_and_equality():
    layers = stack("funnel")
    assert repr(layers) == (
        "Layers(n_layers=(1, 4), units=Integer(8, 512, log=True), shape='funnel')"
    )
    assert pickle.loads(pickle.dumps(layers)) == layers
    assert layers != stack("shared")
    assert "Layers(" in repr(SearchSpace({"h": layers}))


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        ({"n_layers": (0, 2)}, ValueError, "n_layers"),
        ({"n_layers": (3, 2)}, ValueError, "n_layers"),
        ({"n_layers": (1.0, 2)}, TypeError, "n_layers"),
        ({"n_layers": (1, 2, 3)}, TypeError, "n_layers"),
        ({"n_layers": True}, TypeError, "n_layers"),
        ({"units": (8, 512)}, TypeError, "units must be an Integer"),
        ({"units": Real(8, 512)}, TypeError, "units must be an Integer"),
        ({"units": Integer(0, 8)}, ValueError, "units"),
        ({"shape": "pyramid"}, ValueError, "shape must be one of"),
    ],
)
def test_bad_arguments(kwargs, error, match):
    with pytest.raises(error, match=match):
        Layers(**kwargs)


def test_neighbours_add_drop_and_resize():
    layers = stack(n_layers=(1, 3))
    moves = [m for m in layers.neighbours((64, 32)) if layers.contains(m)]
    assert (64, 32, 32) in moves and (64,) in moves
    assert {(128, 32), (32, 32), (64, 64), (64, 16)} <= set(moves)


def test_gradient_discrete_neighbour_moves_the_stack():
    space = SearchSpace({"h": stack(n_layers=(1, 3)), "alpha": Real(0, 1)})
    rng = np.random.default_rng(0)
    s, moved = discrete_neighbour(
        space, 0, {"h": (64, 32), "alpha": 0.5}, rng, exclude=set()
    )
    assert moved["alpha"] == 0.5 and moved["h"] != (64, 32)
    assert space.subspaces[0].contains(moved)


def test_exact_hypergradient_path_takes_the_median_stack():
    sub = SearchSpace({"h": stack(), "alpha": Real(0, 1)}).subspaces[0]
    assert _discrete_settings(sub) == [{"h": stack().from_unit([0.5] * 5)[0]}]


# ------------------------------------------------------------- optimizers --

# The best stack is (256, 64, 16); depth and widths (log scale) matter.
TARGET = (256, 64, 16)


def stack_objective(c):
    h = c["h"]
    value = -abs(len(h) - len(TARGET)) - (math.log10(c["C"]) - 1) ** 2
    for k, w in enumerate(h):
        value -= (math.log2(w) - math.log2(TARGET[k] if k < 3 else 8)) ** 2 / 4
    return value


def stack_space(shape="per_layer"):
    return SearchSpace({"h": stack(shape), "C": loguniform(1e-3, 1e3)})


@pytest.fixture(params=OPTIMIZERS, ids=lambda cls: cls.__name__)
def Optimizer(request):
    return request.param


def test_every_optimizer_searches_layers(Optimizer):
    space = SearchSpace(
        [
            {"h": stack(n_layers=(1, 3)), "C": loguniform(1e-3, 1e3)},
            {"h": stack("funnel"), "C": loguniform(1e-3, 1e3), "k": ["a", "b"]},
            {"h": [(32,)], "C": loguniform(1e-3, 1e3)},
        ]
    )
    asked = run(Optimizer(space, random_state=0), stack_objective, 36, batch=4)
    assert len(asked) == 36
    assert len(set(keys(space, asked))) == 36
    assert all(any(s.contains(c) for s in space.subspaces) for c in asked)
    again = run(Optimizer(space, random_state=0), stack_objective, 36, batch=4)
    assert keys(space, again) == keys(space, asked)
    opt = Optimizer(space, random_state=1)
    run(opt, stack_objective, 12)
    clone = pickle.loads(pickle.dumps(opt))
    assert keys(space, run(opt, stack_objective, 8)) == keys(
        space, run(clone, stack_objective, 8)
    )


def test_small_stack_space_is_exhausted_without_duplicates(Optimizer):
    layers = stack(n_layers=(1, 2), units=Integer(1, 3))
    space = SearchSpace({"h": layers})
    asked = run(Optimizer(space, random_state=0), lambda c: sum(c["h"]), 40)
    assert len(asked) == layers.size == 12
    assert len(set(keys(space, asked))) == 12


@pytest.mark.parametrize("Optimizer", [BayesOptimizer, EvolutionaryOptimizer])
@pytest.mark.parametrize("shape", ["per_layer", "funnel"])
def test_beats_random_search_on_a_stack(Optimizer, shape):
    space = stack_space(shape)

    def best(cls, seed):
        opt = cls(space, random_state=seed)
        run(opt, stack_objective, 40, batch=4)
        return max(opt.scores_)

    seeds = range(5)
    ours = np.median([best(Optimizer, s) for s in seeds])
    baseline = np.median([best(RandomOptimizer, s) for s in seeds])
    assert ours > baseline


def test_bayes_sees_inactive_widths_at_the_last_layer():
    opt = BayesOptimizer(stack_space(), random_state=0)
    run(opt, stack_objective, 12)
    (model,) = opt._models
    U = model.U
    depth = np.array([len(c["h"]) for c in opt.candidates_])
    for row, d in zip(U, depth):
        np.testing.assert_array_equal(row[1 + d : 5], row[d])


@pytest.mark.parametrize("shape", ["per_layer", "funnel"])
def test_bottleneck_is_the_narrowest_active_layer(shape):
    layers = Layers(n_layers=(1, 4), units=Integer(8, 512, log=True), shape=shape)
    stacks = [(256, 64), (8,), (512, 512, 16, 16), (300, 300, 300)]
    if shape == "per_layer":
        stacks += [(16, 512), (64, 8, 128)]
    narrowest = [min(stack) for stack in stacks]
    np.testing.assert_allclose(
        layers.bottleneck(layers.to_unit(stacks)), layers.units.to_unit(narrowest)
    )
    assert Layers(shape="shared").bottleneck(np.full((1, 2), 0.5)) is None


def test_bayes_reads_the_bottleneck_as_one_more_feature():
    opt = BayesOptimizer(stack_space(), random_state=0)
    run(opt, stack_objective, 12)
    (model,) = opt._models
    assert model.n_features == opt.space.subspaces[0].n_dims + 1
    narrowest = [min(c["h"]) for c in opt.candidates_]
    layers = opt.space.subspaces[0].dimensions[0]
    np.testing.assert_allclose(model.X[:, -1], layers.units.to_unit(narrowest))


@pytest.mark.parametrize("shape", ["per_layer", "funnel"])
def test_summary_means_the_same_at_every_depth(shape):
    layers = stack(shape)
    stacks = [(8,), (512, 512, 512, 512), (512, 128, 32), (256, 64), (300,)]
    u = layers.to_unit(stacks)
    summary = layers.summary(u)
    encode = layers.units.to_unit
    np.testing.assert_array_equal(summary[:, 0], u[:, 0])
    np.testing.assert_allclose(summary[:, 1], encode([s[0] for s in stacks]))
    np.testing.assert_allclose(summary[:, 2], encode([s[-1] for s in stacks]))
    # Capacity: 0 for one layer of the narrowest width, 1 for the deepest
    # stack of the widest, and it grows with weights between layers.
    np.testing.assert_allclose(summary[:2, 3], [0.0, 1.0])
    ceiling = math.log(3 * 512**2 + 4 * 512) - math.log(8)
    links = 512 * 128 + 128 * 32 + 512 + 128 + 32
    np.testing.assert_allclose(
        summary[2, 3], (math.log(links) - math.log(8)) / ceiling
    )
    np.testing.assert_allclose(
        summary[:, 4], [np.mean(encode(list(s))) for s in stacks]
    )
    # Inactive columns do not change it.
    moved = u.copy()
    moved[4, 2:] = 0.1
    np.testing.assert_array_equal(layers.summary(moved), summary)
    assert stack("shared").summary(np.full((1, 2), 0.5)) is None


@pytest.mark.parametrize("n_layers", [1, (1, 2), (2, 3), (1, 6)])
def test_summary_fills_every_column(n_layers):
    layers = stack(n_layers=n_layers)
    u = layers.to_unit(layers.rvs(size=20, random_state=0))
    summary = layers.summary(u)
    assert summary.shape == u.shape
    assert np.all((summary >= 0) & (summary <= 1))
    if n_layers == (1, 6):
        # depth, first, last, capacity, mean, then two unused columns
        assert np.all(summary[:, 5:] == 0) and np.all(summary[:, 1:5] > 0)


def test_bayes_reads_a_stack_through_its_summary():
    opt = BayesOptimizer(stack_space(), random_state=0)
    run(opt, stack_objective, 12)
    (model,) = opt._models
    layers = opt.space.subspaces[0].dimensions[0]
    np.testing.assert_allclose(model.X[:, :5], layers.summary(model.U[:, :5]))


def test_mutation_leaves_inactive_widths_alone():
    opt = EvolutionaryOptimizer(stack_space(), random_state=0, strategy="ga")
    sub = opt.space.subspaces[0]
    x = sub.encode([{"h": (64,), "C": 1.0}])[0]
    seen = set()
    for _ in range(300):
        y = opt._mutate(0, x, opt._gene_rate(0, x), force=True)
        # genes: depth, four widths, C; only depth, the first width and C
        # are active for a single layer.
        np.testing.assert_array_equal(y[2:5], x[2:5])
        seen.add(len(sub.decode(sub.snap(y[np.newaxis]))[0]["h"]))
    assert opt._gene_rate(0, x) == pytest.approx(1 / 3)
    assert {1, 2} <= seen
    # A layer added by mutation copies the last one.
    y = x.copy()
    y[0] = sub.columns[0].to_unit([3])[0]
    assert sub.decode(sub.snap(y[np.newaxis]))[0]["h"] == (64, 64, 64)


def test_mutation_drops_and_resizes_layers():
    opt = EvolutionaryOptimizer(stack_space(), random_state=0, strategy="ga")
    sub = opt.space.subspaces[0]
    x = sub.encode([{"h": (256, 64, 16), "C": 1.0}])[0]
    children = [
        sub.decode(sub.snap(opt._mutate(0, x, 0.5)[np.newaxis]))[0]["h"]
        for _ in range(200)
    ]
    assert any(len(h) < 3 for h in children)
    assert any(len(h) == 3 and h != (256, 64, 16) for h in children)
    assert any(len(h) == 4 for h in children)


def test_gradient_optimizer_probes_only_the_continuous_part():
    opt = GradientOptimizer(stack_space(), random_state=0)
    np.testing.assert_array_equal(opt._continuous[0], [5])
    asked = run(opt, stack_objective, 30)
    stacks = {c["h"] for c in asked}
    assert len(stacks) < len(asked)


# --------------------------------------------------------------- searches --


def mlp():
    return MLPClassifier(max_iter=20, random_state=0)


MLP_SPACE = {
    "hidden_layer_sizes": Layers(n_layers=(1, 3), units=Integer(2, 16, log=True)),
    "alpha": loguniform(1e-5, 1e-1),
}

SEARCHES = {
    "bayes": lambda **kw: BayesSearchCV(mlp(), MLP_SPACE, n_iter=8, cv=2, **kw),
    "evolution": lambda **kw: EvolutionarySearchCV(
        mlp(), MLP_SPACE, n_iter=8, cv=2, population_size=4, **kw
    ),
    "gradient": lambda **kw: GradientSearchCV(mlp(), MLP_SPACE, n_iter=8, cv=2, **kw),
    "hyperband": lambda **kw: HyperbandSearchCV(
        mlp(), MLP_SPACE, n_iter=10, cv=2, resource="max_iter", min_resources=5,
        max_resources=20, **kw,
    ),
}


@pytest.fixture(autouse=True)
def _quiet_mlp():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        yield


@pytest.mark.parametrize("name", list(SEARCHES))
def test_every_search_tunes_an_mlp_architecture(name):
    search = SEARCHES[name](random_state=0).fit(X_CLF, Y_CLF)
    column = search.cv_results_["param_hidden_layer_sizes"]
    layers = MLP_SPACE["hidden_layer_sizes"]
    assert all(isinstance(h, tuple) and layers.contains(h) for h in column)
    assert len({len(h) for h in column}) > 1
    assert search.best_params_["hidden_layer_sizes"] in list(column)
    assert search.best_estimator_.hidden_layer_sizes == (
        search.best_params_["hidden_layer_sizes"]
    )


@pytest.mark.parametrize("name", ["bayes", "evolution"])
def test_same_candidates_with_one_or_two_jobs(name):
    one = SEARCHES[name](random_state=0, n_jobs=1).fit(X_CLF, Y_CLF)
    two = SEARCHES[name](random_state=0, n_jobs=2).fit(X_CLF, Y_CLF)
    assert one.cv_results_["params"] == two.cv_results_["params"]


def test_randomized_search_cv_draws_stacks():
    search = RandomizedSearchCV(mlp(), MLP_SPACE, n_iter=5, cv=2, random_state=0)
    search.fit(X_CLF, Y_CLF)
    column = list(search.cv_results_["param_hidden_layer_sizes"])
    assert all(MLP_SPACE["hidden_layer_sizes"].contains(h) for h in column)


def test_list_of_dicts_space_with_layers():
    space = [
        {"hidden_layer_sizes": MLP_SPACE["hidden_layer_sizes"], "solver": ["adam"]},
        {"hidden_layer_sizes": [(4,), (8, 4)], "solver": ["lbfgs"]},
    ]
    search = EvolutionarySearchCV(
        mlp(), space, n_iter=12, cv=2, population_size=4, random_state=0
    ).fit(X_CLF, Y_CLF)
    params = search.cv_results_["params"]
    assert {p["solver"] for p in params} == {"adam", "lbfgs"}
    assert all(
        p["hidden_layer_sizes"] in [(4,), (8, 4)]
        for p in params
        if p["solver"] == "lbfgs"
    )


class StackClassifier(ClassifierMixin, BaseEstimator):
    """Scores the closeness of `layers` to (8, 4), instantly; raises
    KeyboardInterrupt for `interrupt_at` while the test asks it to."""

    def __init__(self, layers=(1,), interrupt_at=None):
        self.layers = layers
        self.interrupt_at = interrupt_at

    def fit(self, X, y):
        if os.environ.get("SKLEARN_TUNE_TEST_INTERRUPT") and (
            self.layers == self.interrupt_at
        ):
            raise KeyboardInterrupt
        self.classes_ = np.unique(y)
        return self

    def predict(self, X):
        return np.full(len(X), self.classes_[0])

    def score(self, X, y, sample_weight=None):
        target = (8, 4)
        return -abs(len(self.layers) - 2) - sum(
            abs(math.log2(w) - math.log2(t)) for w, t in zip(self.layers, target)
        )


def test_interrupted_search_resumes_from_its_checkpoint(tmp_path, monkeypatch):
    space = {"layers": Layers(n_layers=(1, 3), units=Integer(1, 64, log=True))}

    def search(estimator, **kwargs):
        return BayesSearchCV(estimator, space, n_iter=14, cv=2, random_state=0,
                             **kwargs)

    reference = search(StackClassifier()).fit(X_CLF, Y_CLF)
    target = reference.cv_results_["params"][10]["layers"]
    estimator = StackClassifier(interrupt_at=target)
    checkpoint = tmp_path / "search.ckpt"
    monkeypatch.setenv("SKLEARN_TUNE_TEST_INTERRUPT", "1")
    with pytest.raises(KeyboardInterrupt):
        search(estimator, checkpoint=str(checkpoint)).fit(X_CLF, Y_CLF)
    assert checkpoint.exists()
    monkeypatch.delenv("SKLEARN_TUNE_TEST_INTERRUPT")
    resumed = search(estimator, checkpoint=str(checkpoint)).fit(X_CLF, Y_CLF)
    assert resumed.cv_results_["params"] == reference.cv_results_["params"]


def test_cv_results_show_tuples_as_written():
    plain = BayesSearchCV(StackClassifier(), {"layers": [(8, 4), (16,)]}, n_iter=2,
                          cv=2, random_state=0).fit(X_CLF, Y_CLF)
    searched = BayesSearchCV(
        StackClassifier(),
        {"layers": Layers(n_layers=2, units=Integer(4, 8))},
        n_iter=3, cv=2, random_state=0,
    ).fit(X_CLF, Y_CLF)
    for search in (plain, searched):
        column = search.cv_results_["param_layers"]
        assert column.dtype == object
        assert all(type(h) is tuple for h in column)
