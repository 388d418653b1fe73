"""The core of ``python -m benchmarks.run``: its rows, ratios and tables, and
peers that are missing or break."""

import math

import numpy as np
import pytest

from benchmarks import _report
from benchmarks._problems import grid, make_problem
from benchmarks._strategies import STRATEGIES, Strategy, halving_candidates
from benchmarks.run import run

FIELDS = ("problem", "strategy", "seed", "budget", "n_jobs", "status", "best_cv",
          "test", "n_evals", "n_rows", "fit_time", "refit_time", "opt_time", "wall",
          "curve")


def _quiet(*args, **kwargs):
    pass


@pytest.fixture(scope="module")
def rows():
    plan = {"branin": ([0, 1], 6)}
    return run(plan, ["BayesSearchCV", "RandomizedSearchCV", "GridSearchCV"],
               log=_quiet)


def test_rows_have_the_figures(rows):
    # GridSearchCV is deterministic: seed 0 only.
    assert [(r["strategy"], r["seed"]) for r in rows] == [
        ("BayesSearchCV", 0), ("RandomizedSearchCV", 0), ("GridSearchCV", 0),
        ("BayesSearchCV", 1), ("RandomizedSearchCV", 1),
    ]
    problem = make_problem("branin")
    for row in rows:
        assert set(FIELDS) <= set(row)
        assert row["status"] == "ok"
        assert row["n_evals"] == row["n_rows"] == len(row["curve"])
        assert row["n_evals"] <= 6
        assert np.all(np.diff(row["curve"]) >= 0)
        assert row["curve"][-1] == pytest.approx(row["best_cv"])
        # Noiseless: the held-out figure is the function at the picked point.
        assert row["test"] == pytest.approx(row["best_cv"])
        assert row["test"] <= problem.optimum + 1e-9
        assert 0 < row["fit_time"] < row["wall"]
        assert row["opt_time"] >= 0


def test_ratios_against_random_search(rows):
    summaries = {s["strategy"]: s for s in _report.aggregate(rows)["branin"]}
    base = summaries["RandomizedSearchCV"]
    assert base["wall/RS"] == pytest.approx(1.0)
    assert base["best_cv-RS"] == 0.0
    ours = summaries["BayesSearchCV"]
    walls = [r["wall"] for r in rows if r["strategy"] == "BayesSearchCV"]
    assert ours["runs"] == ours["ok"] == 2
    assert ours["wall"] == pytest.approx(np.median(walls))
    assert ours["wall/RS"] == pytest.approx(ours["wall"] / base["wall"])
    assert ours["best_cv-RS"] == pytest.approx(ours["best_cv"] - base["best_cv"])
    table = _report.render(rows)
    assert "| BayesSearchCV | 2 |" in table
    assert "### branin" in table and "### Summary" in table


def _missing_peer(problem, budget, seed, n_jobs):
    import sklearn_tune_no_such_peer  # noqa: F401


class _Broken:
    def fit(self, X, y):
        raise RuntimeError("the peer broke | badly\nsecond line")


def test_missing_and_broken_peers_are_rows(monkeypatch):
    monkeypatch.setitem(STRATEGIES, "MissingSearchCV",
                        Strategy("MissingSearchCV", _missing_peer))
    monkeypatch.setitem(STRATEGIES, "BrokenSearchCV",
                        Strategy("BrokenSearchCV", lambda *args: _Broken()))
    rows = run({"branin": ([0], 4)},
               ["MissingSearchCV", "BrokenSearchCV", "RandomizedSearchCV"],
               log=_quiet)
    status = {r["strategy"]: r["status"] for r in rows}
    assert status == {
        "MissingSearchCV": "missing: sklearn_tune_no_such_peer",
        "BrokenSearchCV": "error: RuntimeError: the peer broke | badly",
        "RandomizedSearchCV": "ok",
    }
    assert math.isnan(rows[0]["best_cv"]) and rows[0]["curve"] is None
    table = _report.render(rows)
    assert "| MissingSearchCV | 0/1 |" in table
    assert "missing: sklearn_tune_no_such_peer |" in table
    # The pipe is escaped, so the row keeps its cells.
    assert "the peer broke \\| badly" in table


def test_grid_and_halving_stay_within_the_budget():
    space = {"a": ("real", 1e-3, 1e3, True), "b": ("int", 1, 3, False),
             "c": ("cat", ["x", "y", "z", "w"])}
    for budget in (1, 5, 12, 40):
        values = grid(space, budget)
        assert 1 <= np.prod([len(v) for v in values.values()]) <= budget
        assert all(1e-3 < a < 1e3 for a in values["a"])
    assert halving_candidates(40) == 27  # 27 + 9 + 3 + 1 rows
    assert halving_candidates(30) == 20  # 20 + 7 + 3


def test_gasearchcv_only_runs_spaces_it_can_draw():
    # sklearn-genetic-opt's Integer is uniform only: on a space with
    # log-uniform integers GASearchCV would search another space.
    from benchmarks._common import to_ga

    assert not STRATEGIES["GASearchCV"].applies(make_problem("hgb-digits"))
    assert STRATEGIES["GASearchCV"].applies(make_problem("svc-digits"))
    with pytest.raises(ValueError, match="log-uniform integers"):
        to_ga({"n": ("int", 1, 100, True)})
