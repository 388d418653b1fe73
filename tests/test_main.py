"""``python -m sklearn_tune``: the demo's accounting and its printed table."""

from types import SimpleNamespace

import numpy as np
import pytest

from sklearn_tune.__main__ import _conclusion, _costs, _to_target, main


def _search(scores, fit_times, n_resources=None):
    results = {
        "mean_test_score": np.array(scores),
        "mean_fit_time": np.array(fit_times),
    }
    if n_resources is not None:
        results["n_resources"] = np.array(n_resources)
    return SimpleNamespace(cv_results_=results, n_splits_=3)


def test_costs_count_subsampled_fits_as_fractions_of_a_full_one():
    search = _search([0.5, 0.6, 0.9], [0.1, 0.2, 0.4], n_resources=[100, 300, 900])
    fit_seconds, evals, full = _costs(search, 900)
    np.testing.assert_allclose(fit_seconds, [0.3, 0.6, 1.2])
    np.testing.assert_allclose(evals, [1 / 9, 1 / 3, 1])
    np.testing.assert_array_equal(full, [False, False, True])


def test_costs_without_a_resource_count_each_row_once():
    _, evals, full = _costs(_search([0.5, 0.7], [1.0, 1.0]), 900)
    np.testing.assert_array_equal(evals, [1, 1])
    assert full.all()


def test_target_is_reached_only_at_the_full_resource():
    # The subsampled row scores above the target but does not count.
    search = _search([0.95, 0.8, 0.91], [0.1, 0.2, 0.4], n_resources=[100, 900, 900])
    seconds, evals = _to_target(search, 0.9, *_costs(search, 900))
    assert seconds == pytest.approx(2.1)
    assert evals == pytest.approx(1 / 9 + 2)
    assert _to_target(search, 0.92, *_costs(search, 900)) is None


def test_conclusion_is_computed_from_the_rows():
    rows = {
        "GridSearchCV": dict(
            best=0.9, evals=90.0, fit=30.0, reached=(6.0, 18.0), n_near=2
        ),
        "BayesSearchCV": dict(best=0.91, evals=30.0, fit=9.0, reached=(3.0, 10.0)),
        "RandomizedSearchCV": dict(best=0.85, evals=30.0, fit=9.0, reached=None),
    }
    line = _conclusion(rows, "GridSearchCV")
    assert "(2 of its 90 points within 0.002 of it) took 30.0 s" in line
    assert (
        "BayesSearchCV reached it after 10 evaluations and 10% of that fit time" in line
    )
    assert "RandomizedSearchCV did not reach it (best 0.8500)" in line
    assert line.endswith("Above it: BayesSearchCV.")


@pytest.mark.slow
def test_quick_demo_prints_every_search_and_a_conclusion(capsys):
    main(["--quick", "--n-jobs", "1", "--seed", "1"])
    out = capsys.readouterr().out
    for name in [
        "GridSearchCV", "RandomizedSearchCV", "BayesSearchCV",
        "EvolutionarySearchCV", "HyperbandSearchCV",
    ]:  # fmt: skip
        assert f"\n{name} " in out
    assert "GradientSearchCV is left out" in out
    assert "GridSearchCV's best CV" in out.splitlines()[-1]
