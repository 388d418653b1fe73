"""Restarts of a stagnated run and the CMA-ES strategy of EvolutionaryOptimizer."""

import numpy as np
import pytest

from sklearn_tune import Integer, Real
from sklearn_tune.optimizers._evolution import EvolutionaryOptimizer
from sklearn_tune.optimizers._evolution._cmaes import CMAES


def real_space(bounds):
    return {f"x{i}": Real(lo, hi) for i, (lo, hi) in enumerate(bounds)}


@pytest.mark.parametrize("strategy", ["ga", "de", "cmaes"])
def test_flat_scores_restart_with_a_larger_population(strategy):
    space = real_space([(0.0, 1.0)] * 3)
    opt = EvolutionaryOptimizer(space, strategy=strategy, random_state=0)
    opt.set_budget(1000)
    restarts, sizes = [], []
    while len(opt.scores_) < 1000:
        batch = opt.ask(min(opt.next_batch_size(), 1000 - len(opt.scores_)))
        sizes.append(len(batch))
        restarts.extend(opt.results_columns(batch)["restart"])
        opt.tell(batch, np.zeros(len(batch)))
    # Flat scores never improve: the run restarts after its patience
    # (5 + ceil(10 * 3 / 10) = 8 generations after the first one).
    assert restarts == opt.restarts_
    assert restarts[:90] == [0] * 90 and restarts[90] == 1
    assert opt.restart_ >= 2 and sizes[9] == 20
    # Generations keep counting across restarts; the population grows only
    # while the budget holds 25 generations of the larger one.
    assert np.array_equal(np.unique(opt.generations_), np.arange(len(sizes)))
    assert opt.population_size == 20


def test_restarts_escape_a_local_optimum():
    # A wide basin that holds the population at 0.8 and a narrow, higher
    # peak at 0.1 that only a fresh sample finds.
    def score(c):
        x = c["x"]
        return max(1 - abs(x - 0.8), 2 * (abs(x - 0.1) < 0.03))

    found = {True: 0, False: 0}
    for seed in range(5):
        for restarts in (True, False):
            opt = EvolutionaryOptimizer({"x": Real(0.0, 1.0)}, restarts=restarts,
                                        random_state=seed)
            opt.set_budget(300)
            while len(opt.scores_) < 300:
                batch = opt.ask(opt.next_batch_size())
                opt.tell(batch, [score(c) for c in batch])
            found[restarts] += max(opt.scores_) == 2
    assert found[True] == 5 and found[False] < 5


@pytest.mark.parametrize(
    "strategy, elite", [("ga", True), ("auto", True), ("cmaes", False), ("de", False)]
)
def test_a_restarted_genetic_algorithm_starts_from_the_best_found(strategy, elite):
    # Only the first generation scores above the floor: the run stagnates.
    # The next run starts from a fresh sample, and from that generation's best
    # when it is a genetic algorithm ("auto" with this budget: CMA-ES, then
    # the genetic algorithm).
    opt = EvolutionaryOptimizer(real_space([(0.0, 1.0)] * 2), strategy=strategy,
                                random_state=0)
    opt.set_budget(400)
    while opt.restart_ == 0:
        batch = opt.ask(opt.next_batch_size())
        first = len(opt.scores_) < opt.population_size
        opt.tell(batch, [-abs(c["x0"] - 0.3) if first else -10.0 for c in batch])
    best = opt.best_index_
    assert best < 10 and opt.population_ == ([best] if elite else [])
    batch = opt.ask(opt.next_batch_size())
    # The best is evaluated already: the new run samples a full population.
    assert len(batch) == opt.population_size
    opt.tell(batch, np.full(len(batch), -10.0))
    assert (opt.population_[0] == best) == elite
    if elite:
        batch = opt.ask(opt.next_batch_size())
        parents = opt.results_columns(batch)
        assert best in parents["parent_1"] + parents["parent_2"]


def test_restart_is_off_with_restarts_false():
    opt = EvolutionaryOptimizer(real_space([(0.0, 1.0)] * 2), restarts=False,
                                random_state=0)
    for _ in range(30):
        batch = opt.ask(opt.next_batch_size())
        opt.tell(batch, np.zeros(len(batch)))
    assert opt.restart_ == 0 and set(opt.restarts_) == {0}
    assert opt.population_size == 10


def test_cmaes_learns_a_rotated_valley_and_keeps_integer_margins():
    space = {"x": Real(-1.0, 1.0), "y": Real(-1.0, 1.0), "n": Integer(0, 9)}
    opt = EvolutionaryOptimizer(space, strategy="cmaes", restarts=False,
                                random_state=0)
    for _ in range(40):
        batch = opt.ask(opt.next_batch_size())
        opt.tell(batch, [-((c["x"] - c["y"]) ** 2 * 100 + (c["x"] + c["y"] - 0.4) ** 2
                           + abs(c["n"] - 3)) for c in batch])
    best = opt.candidates_[opt.best_index_]
    assert abs(best["x"] - 0.2) < 0.02 and abs(best["y"] - 0.2) < 0.02
    assert best["n"] == 3
    es = opt.cmaes_
    # The covariance follows the valley x = y: strongly correlated.
    correlation = es.cov[0, 1] / np.sqrt(es.cov[0, 0] * es.cov[1, 1])
    assert correlation > 0.5
    # The integer keeps a spread from which another value stays reachable.
    assert es.spread[2] >= es.min_std[2] * (1 - 1e-9) and es.min_std[2] > 0


def test_cmaes_core_converges_on_a_sphere_and_pickles():
    import pickle

    rng = np.random.default_rng(0)
    es = CMAES(np.full(4, 0.9), 8, np.zeros(4))
    for _ in range(60):
        X = np.array([es.sample(rng) for _ in range(8)])
        assert np.all((X >= 0) & (X <= 1))
        es.update(X, -np.sum((X - 0.3) ** 2, axis=1))
    assert np.allclose(es.mean, 0.3, atol=1e-3) and es.sigma < 0.01
    copy = pickle.loads(pickle.dumps(es))
    assert np.array_equal(copy.cov, es.cov) and copy.sigma == es.sigma


def test_restarts_must_be_a_bool():
    with pytest.raises(TypeError, match="restarts"):
        EvolutionaryOptimizer({"x": Real(0, 1)}, restarts="yes")


@pytest.mark.parametrize(
    "budget, order",
    [(None, ["ga", "cmaes", "ga"]), (249, ["ga", "cmaes", "ga"]),
     (250, ["cmaes", "ga", "cmaes"])],
)
def test_auto_starts_with_cmaes_when_the_budget_holds_25_generations(budget, order):
    opt = EvolutionaryOptimizer(real_space([(0.0, 1.0)] * 2), random_state=0)
    if budget is not None:
        opt.set_budget(budget)
    runs = [opt.run_strategy_]
    while opt.restart_ < 2:
        batch = opt.ask(opt.next_batch_size())
        opt.tell(batch, np.zeros(len(batch)))
        if opt.restart_ == len(runs):
            runs.append(opt.run_strategy_)
    assert runs == order
    # A resumed search with another budget keeps the order of its runs.
    opt.set_budget(10_000 if budget is None or budget < 250 else 20)
    assert opt.run_strategy_ == order[2]
