import ast
import copy
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from scipy.stats import loguniform
from sklearn.datasets import load_diabetes, load_iris
from sklearn.exceptions import NotFittedError
from sklearn.linear_model import ElasticNet, LogisticRegression, Ridge, SGDClassifier
from sklearn.model_selection import GridSearchCV, RandomizedSearchCV
from sklearn.svm import SVC

import sklearn_tune.plotting
from sklearn_tune import (
    EvolutionarySearchCV,
    GradientSearchCV,
    HyperbandSearchCV,
    Integer,
    Real,
)

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.collections import LineCollection  # noqa: E402
from matplotlib.contour import ContourSet  # noqa: E402

from sklearn_tune.plotting import (  # noqa: E402
    plot_convergence,
    plot_evolution,
    plot_gradient_paths,
    plot_hyperband,
    plot_objective,
    plot_parallel_coordinates,
)

X_IRIS, Y_IRIS = load_iris(return_X_y=True)
X_DIAB, Y_DIAB = load_diabetes(return_X_y=True)


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


@pytest.fixture(scope="module")
def evolution():
    return EvolutionarySearchCV(
        SVC(),
        {"C": Real(1e-2, 1e2, log=True), "kernel": ["linear", "rbf"],
         "degree": Integer(1, 3)},
        n_iter=12, population_size=4, cv=3, random_state=0,
    ).fit(X_IRIS, Y_IRIS)


@pytest.fixture(scope="module")
def hyperband():
    return HyperbandSearchCV(
        SGDClassifier(max_iter=9, tol=None, random_state=0),
        {"alpha": loguniform(1e-6, 1e-1)},
        resource="max_iter", n_iter=22, cv=3, random_state=0,
    ).fit(X_IRIS, Y_IRIS)


@pytest.fixture(scope="module")
def gradient_1d():
    return GradientSearchCV(
        Ridge(), {"alpha": loguniform(1e-4, 1e3)}, n_iter=12, cv=3, random_state=0
    ).fit(X_DIAB, Y_DIAB)


@pytest.fixture(scope="module")
def gradient_2d():
    return GradientSearchCV(
        ElasticNet(),
        {"alpha": loguniform(1e-4, 1e1), "l1_ratio": Real(0.05, 1.0)},
        n_iter=16, cv=3, random_state=0,
    ).fit(X_DIAB, Y_DIAB)


@pytest.fixture(scope="module")
def random_search():
    return RandomizedSearchCV(
        SVC(), {"C": loguniform(1e-2, 1e2)}, n_iter=6, cv=3, random_state=0
    ).fit(X_IRIS, Y_IRIS)


def scores(search, key="mean_test_score"):
    return np.asarray(search.cv_results_[key], dtype=float)


# --------------------------------------------------------------- convergence --


def test_convergence_is_the_running_max_of_each_search(evolution, random_search):
    ax = plot_convergence({"evo": evolution, "random": random_search})
    evo_line, random_line = ax.get_lines()
    assert [evo_line.get_label(), random_line.get_label()] == ["evo", "random"]
    running_max = np.maximum.accumulate(scores(evolution))
    assert np.array_equal(evo_line.get_ydata(), running_max)
    assert np.array_equal(evo_line.get_xdata(), np.arange(1, 13))
    assert evo_line.get_ydata()[-1] == evolution.best_score_
    assert np.array_equal(
        random_line.get_ydata(), np.maximum.accumulate(scores(random_search))
    )


def test_convergence_over_time_sums_fit_and_score_times(evolution):
    ax = plot_convergence([evolution], x="time")
    line = ax.get_lines()[0]
    results = evolution.cv_results_
    expected = np.cumsum(
        (results["mean_fit_time"] + results["mean_score_time"]) * evolution.n_splits_
    )
    assert np.allclose(line.get_xdata(), expected)
    assert line.get_label() == "EvolutionarySearchCV"
    assert "time" in ax.get_xlabel()


def test_convergence_skips_failed_candidates(evolution):
    search = copy.deepcopy(evolution)
    objective = search.cv_results_["mean_test_score"]
    objective[0] = np.nan
    objective[1] = 0.5
    line = plot_convergence(search).get_lines()[0]
    assert np.isnan(line.get_ydata()[0])
    assert line.get_ydata()[1] == 0.5
    assert line.get_ydata()[-1] == np.nanmax(objective)


def test_convergence_of_hyperband_counts_full_resource_rows_only(hyperband):
    line = plot_convergence(hyperband).get_lines()[0]
    full = hyperband.cv_results_["n_resources"] == hyperband.max_resources_
    expected = np.fmax.accumulate(np.where(full, scores(hyperband), np.nan))
    assert np.array_equal(line.get_ydata(), expected, equal_nan=True)
    assert line.get_ydata()[-1] == hyperband.best_score_


def test_convergence_marks_each_improvement(hyperband):
    line = plot_convergence(hyperband).get_lines()[0]
    best = line.get_ydata()
    marked = line.get_markevery()
    assert line.get_marker() == "o" and marked
    # The first finite point, then each rise; never a repeated value.
    assert marked[0] == np.flatnonzero(np.isfinite(best))[0]
    assert all(best[j] > best[i] for i, j in zip(marked, marked[1:]))
    assert len(marked) == len(np.unique(best[np.isfinite(best)]))


def test_convergence_shows_a_single_finite_point():
    # Only the last row has the full resource: the line has one point.
    search = HyperbandSearchCV(
        SGDClassifier(max_iter=9, tol=None, random_state=0),
        {"alpha": loguniform(1e-6, 1e-1)},
        resource="max_iter", n_iter=4, cv=3, random_state=0,
    ).fit(X_IRIS, Y_IRIS)
    full = search.cv_results_["n_resources"] == search.max_resources_
    assert full.sum() == 1
    line = plot_convergence(search).get_lines()[0]
    assert line.get_markevery() == list(np.flatnonzero(full))


def test_convergence_follows_the_refit_metric():
    search = EvolutionarySearchCV(
        LogisticRegression(max_iter=1000), {"C": loguniform(1e-3, 1e2)},
        scoring=["accuracy", "f1_macro"], refit="f1_macro",
        n_iter=6, population_size=3, cv=3, random_state=0,
    ).fit(X_IRIS, Y_IRIS)
    ax = plot_convergence(search)
    assert np.array_equal(
        ax.get_lines()[0].get_ydata(),
        np.maximum.accumulate(scores(search, "mean_test_f1_macro")),
    )
    assert "mean_test_f1_macro" in ax.get_ylabel()


def test_convergence_draws_on_the_given_axes(evolution):
    _, ax = plt.subplots()
    assert plot_convergence(evolution, ax=ax) is ax
    assert len(ax.get_lines()) == 1


def test_convergence_rejects_bad_input(evolution):
    with pytest.raises(ValueError, match="x must be"):
        plot_convergence(evolution, x="seconds")
    with pytest.raises(ValueError, match="searches is empty"):
        plot_convergence([])
    with pytest.raises(NotFittedError):
        plot_convergence(EvolutionarySearchCV(SVC(), {"C": [1, 2]}))
    with pytest.raises(TypeError):
        plot_convergence("not a search")


def test_no_objective_without_a_refit_metric():
    search = GridSearchCV(
        SVC(), {"C": [0.1, 1.0]}, scoring=["accuracy", "f1_macro"], refit=False, cv=3
    ).fit(X_IRIS, Y_IRIS)
    with pytest.raises(ValueError, match="several metrics"):
        plot_convergence(search)


# ------------------------------------------------------------------ objective --


def test_objective_of_one_parameter(evolution):
    ax = plot_objective(evolution, "C")
    offsets = ax.collections[0].get_offsets()
    C = [p["C"] for p in evolution.cv_results_["params"]]
    assert np.allclose(offsets[:, 0], C)
    assert np.allclose(offsets[:, 1], scores(evolution))
    # Coloured by the order of evaluation.
    assert np.array_equal(ax.collections[0].get_array(), np.arange(12))
    assert ax.get_xscale() == "log"
    assert ax.get_ylabel() == "mean_test_score"
    best = [line for line in ax.get_lines() if line.get_label() == "best"][0]
    assert best.get_ydata()[0] == evolution.best_score_


def test_objective_of_two_parameters_with_a_categorical(evolution):
    ax = plot_objective(evolution, ["degree", "kernel"])
    offsets = ax.collections[0].get_offsets()
    kernels = [p["kernel"] for p in evolution.cv_results_["params"]]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["linear", "rbf"]
    assert np.array_equal(offsets[:, 1], [["linear", "rbf"].index(k) for k in kernels])
    assert np.allclose(ax.collections[0].get_array(), scores(evolution))
    assert ax.get_xscale() == "linear"


def test_objective_leaves_out_rows_without_the_parameter():
    search = EvolutionarySearchCV(
        SVC(),
        [{"kernel": ["linear"], "C": loguniform(1e-2, 1e2)},
         {"kernel": ["rbf"], "C": loguniform(1e-2, 1e2), "gamma": loguniform(1e-3, 1)}],
        n_iter=8, population_size=4, cv=3, random_state=0,
    ).fit(X_IRIS, Y_IRIS)
    with_gamma = sum("gamma" in p for p in search.cv_results_["params"])
    assert 0 < with_gamma < 8
    ax = plot_objective(search, "gamma")
    assert len(ax.collections[0].get_offsets()) == with_gamma


def test_objective_rejects_bad_params(evolution):
    with pytest.raises(ValueError, match="at most 2"):
        plot_objective(evolution)
    with pytest.raises(ValueError, match="not parameters"):
        plot_objective(evolution, ["gamma"])
    with pytest.raises(ValueError, match="1 to 2"):
        plot_objective(evolution, ["C", "kernel", "degree"])


# ---------------------------------------------------------- parallel coords --


def test_parallel_coordinates_has_a_line_per_candidate(evolution):
    ax = plot_parallel_coordinates(evolution, ["C", "kernel"])
    lines = [c for c in ax.collections if isinstance(c, LineCollection)][0]
    segments = lines.get_segments()
    assert len(segments) == 12
    assert [t.get_text() for t in ax.get_xticklabels()] == [
        "C", "kernel", "mean_test_score"
    ]
    # Each line ends at its objective, scaled to [0, 1] on the last axis.
    s = scores(evolution)
    expected = np.sort((s - s.min()) / (s.max() - s.min()))
    assert np.allclose(sorted(seg[-1, 1] for seg in segments), expected)
    # Drawn best last, coloured by the objective.
    assert np.array_equal(lines.get_array(), np.sort(s))
    kernel = {seg[1, 1] for seg in segments}
    assert kernel <= {0.0, 1.0}


# ------------------------------------------------------------------ hyperband --


def test_hyperband_draws_each_configuration_across_its_rungs(hyperband):
    ax = plot_hyperband(hyperband)
    results = hyperband.cv_results_
    s = scores(hyperband)
    expected = {}
    for row, params in enumerate(results["params"]):
        expected.setdefault(params["alpha"], []).append(row)
    expected = sorted(
        (tuple(results["n_resources"][rows]), tuple(s[rows]))
        for rows in expected.values()
    )
    drawn = sorted(
        (tuple(line.get_xdata()), tuple(line.get_ydata()))
        for line in ax.get_lines()
        if line.get_label() != "best"
    )
    assert drawn == expected
    assert any(len(x) == 3 for x, _ in drawn)
    labels = ax.get_legend_handles_labels()[1]
    assert labels == ["brackets from 1", "brackets from 3", "brackets from 9", "best"]
    assert ax.get_xscale() == "log"
    assert ax.get_xlabel() == "max_iter"


def test_hyperband_plot_needs_a_hyperband_search(evolution):
    with pytest.raises(TypeError, match="HyperbandSearchCV"):
        plot_hyperband(evolution)
    with pytest.raises(NotFittedError):
        plot_hyperband(HyperbandSearchCV(SVC(), {"C": [1, 2]}))


# ------------------------------------------------------------------ evolution --


def test_evolution_plots_the_history(evolution):
    ax = plot_evolution(evolution)
    lines = {line.get_label(): line for line in ax.get_lines()}
    history = evolution.history_
    for label, key in [
        ("best so far", "best_score_so_far"),
        ("best of generation", "best_score"),
        ("mean of generation", "mean_score"),
    ]:
        assert np.array_equal(lines[label].get_ydata(), history[key])
    assert np.array_equal(lines["best so far"].get_xdata(), [0, 1, 2])
    points = ax.collections[0].get_offsets()
    assert np.array_equal(points[:, 0], evolution.cv_results_["generation"])
    assert np.allclose(points[:, 1], scores(evolution))


def test_evolution_plot_needs_an_evolutionary_search(hyperband):
    with pytest.raises(TypeError, match="EvolutionarySearchCV"):
        plot_evolution(hyperband)


# ------------------------------------------------------------------- gradient --


def test_gradient_paths_in_one_dimension(gradient_1d):
    ax = plot_gradient_paths(gradient_1d)
    results = gradient_1d.cv_results_
    starts = {line.get_label(): line for line in ax.get_lines()
              if line.get_label().startswith("start")}
    assert set(starts) == {"start 0", "start 1"}
    s = scores(gradient_1d)
    initial = np.flatnonzero(results["role"] == "init")
    ranked = initial[np.argsort(-s[initial], kind="stable")]
    for k in (0, 1):
        line = starts[f"start {k}"]
        # Begins at the k-th best initial candidate, then its own steps.
        steps = np.flatnonzero(
            (results["start"] == k) & (results["role"] == "iterate")
        )
        rows = np.concatenate([[ranked[k]], steps])
        alpha = np.array([p["alpha"] for p in results["params"]])
        assert np.allclose(line.get_xdata(), alpha[rows])
        assert np.allclose(line.get_ydata(), s[rows])
    assert ax.get_xscale() == "log"
    assert ax.get_ylabel() == "mean_test_score"


def test_gradient_paths_in_two_dimensions_over_a_contour(gradient_2d):
    ax = plot_gradient_paths(gradient_2d)
    assert any(isinstance(c, ContourSet) for c in ax.collections)
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("alpha", "l1_ratio")
    assert ax.get_xscale() == "log"
    results = gradient_2d.cv_results_
    line = [line for line in ax.get_lines() if line.get_label() == "start 0"][0]
    steps = (results["start"] == 0) & (results["role"] == "iterate")
    l1 = np.array([p["l1_ratio"] for p in results["params"]])
    assert np.allclose(line.get_ydata()[1:], l1[steps])


@pytest.mark.parametrize("fixture", ["gradient_1d", "gradient_2d"])
def test_gradient_paths_legend_covers_no_path_and_the_best_is_whole(
    fixture, request
):
    ax = plot_gradient_paths(request.getfixturevalue(fixture))
    ax.figure.canvas.draw()
    legend = ax.get_legend().get_window_extent()
    assert not legend.overlaps(ax.get_window_extent())
    best = [line for line in ax.get_lines() if line.get_label() == "best"][0]
    assert not best.get_clip_on()


def test_gradient_paths_reject_bad_input(evolution, gradient_2d):
    with pytest.raises(TypeError, match="GradientSearchCV"):
        plot_gradient_paths(evolution)
    with pytest.raises(ValueError, match="not parameters"):
        plot_gradient_paths(gradient_2d, ["gamma"])
    search = GradientSearchCV(
        SVC(), {"C": loguniform(1e-2, 1e2), "kernel": ["linear", "rbf"]},
        n_iter=6, cv=3, random_state=0,
    ).fit(X_IRIS, Y_IRIS)
    with pytest.raises(ValueError, match="categorical"):
        plot_gradient_paths(search, ["C", "kernel"])
    three = GradientSearchCV(
        ElasticNet(),
        {"alpha": loguniform(1e-3, 1), "l1_ratio": Real(0.1, 1.0),
         "tol": loguniform(1e-5, 1e-3)},
        n_iter=4, cv=3, random_state=0,
    ).fit(X_DIAB, Y_DIAB)
    with pytest.raises(ValueError, match="3 continuous parameters"):
        plot_gradient_paths(three)


# --------------------------------------------------------------- import path --


def test_plotting_imports_without_matplotlib_and_says_how_to_install():
    code = (
        "import sys; sys.modules['matplotlib'] = None\n"
        "from sklearn_tune.plotting import plot_convergence\n"
        "try:\n"
        "    plot_convergence(None)\n"
        "except ImportError as exc:\n"
        "    print(exc)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert 'pip install "sklearn-tune[plot]"' in out.stdout


def test_importing_the_package_or_plotting_does_not_import_matplotlib():
    code = (
        "import sys\n"
        "import sklearn_tune\n"
        "assert 'matplotlib' not in sys.modules\n"
        "import sklearn_tune.plotting\n"
        "assert 'matplotlib' not in sys.modules\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


# The Pareto maths are shared by the optimizers and the figures (DESIGN 2b).
PARETO_FUNCTIONS = {"non_dominated_rank", "crowding_distance", "hypervolume"}


def test_plotting_uses_only_public_names_of_the_other_layers():
    # The figures read fitted searches and search spaces; the optimizers and
    # the private names of other modules are free to change under them.
    package = Path(sklearn_tune.plotting.__file__).parent
    for path in package.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if not isinstance(node, ast.ImportFrom) or node.level == 1:
                continue
            parent = "sklearn_tune" if node.level == 2 else ""
            module = ".".join(filter(None, [parent, node.module]))
            if not module.startswith("sklearn_tune"):
                continue
            where = f"{path.name}: from {module} import ..."
            if module == "sklearn_tune.optimizers":
                assert {alias.name for alias in node.names} <= PARETO_FUNCTIONS, where
                continue
            assert "optimizers" not in module.split("."), where
            assert not any(part.startswith("_") for part in module.split(".")), where
            assert not any(alias.name.startswith("_") for alias in node.names), where
