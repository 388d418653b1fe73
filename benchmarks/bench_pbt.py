"""Population-based training against random search, the genetic algorithm
and warm-started Hyperband at equal total training, side by side in one run.

Total training is the sum of the resource (epochs, ``max_iter``) over all
the fits of a search, the refit left out. PBT trains ``population`` members
for ``full`` epochs each (continued fits, ``n_steps`` steps), so it spends
``population * full``: RandomizedSearchCV and EvolutionarySearchCV(ga) get
``n_iter=population`` candidates at the full resource, HyperbandSearchCV
(``warm_start=True``) ``budget=population * full`` (the sum of its rows'
levels, more than it trains since promotions continue).

Problems: MLPClassifier on load_digits (resource ``max_iter``;
learning_rate_init, alpha, batch_size) and SGDClassifier on a
make_classification sample (resource ``max_iter``; alpha, eta0,
learning_rate "constant" or "invscaling"). Figures per problem and
search, medians over seeds (one BLAS thread, ``n_jobs=1``): best CV, the
held-out test score of the refitted model, and the total fit time of the
cross-validation (sum of ``mean_fit_time`` times the folds; the machine
may be shared, so times are indicative), with its ratio to random search.
RandomizedSearchCV(x4), with four times the candidates, gives the fit time
random search needs to come within 0.003 of PBT's best CV; the ratio of
PBT's fit time to it is printed per problem (the issue asks <= 0.5).

    python -m benchmarks.bench_pbt --quick
    python -m benchmarks.bench_pbt [--seeds 0 1 2 3 4]
    python -m benchmarks.bench_pbt --plot docs/_static/pbt_schedule.png

``--plot`` runs PBT alone on mlp-digits (seed 0) and draws the
learning_rate_init of every member over the steps, copies dashed, and the
chosen member's schedule.
"""

import argparse
import time
import warnings

import numpy as np
from scipy.stats import loguniform
from sklearn.datasets import load_digits, make_classification
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import SGDClassifier
from sklearn.model_selection import RandomizedSearchCV, train_test_split
from sklearn.neural_network import MLPClassifier
from sklearn.preprocessing import StandardScaler

from benchmarks._common import pin_blas
from sklearn_tune import EvolutionarySearchCV, HyperbandSearchCV

TOLERANCE = 0.003


def mlp_digits(quick, seed):
    X, y = load_digits(return_X_y=True)
    n = 600 if quick else len(X)
    X, y = X[:n] / 16.0, y[:n]
    estimator = MLPClassifier(
        hidden_layer_sizes=(16,) if quick else (32,),
        max_iter=20 if quick else 60,
        random_state=seed,
    )
    space = {
        "learning_rate_init": loguniform(1e-4, 1e-1),
        "alpha": loguniform(1e-6, 1e-1),
        "batch_size": [32, 64, 128, 256],
    }
    return X, y, estimator, space


def sgd_synthetic(quick, seed):
    X, y = make_classification(
        4_000 if quick else 20_000, 20, n_informative=10, random_state=0
    )
    X = StandardScaler().fit_transform(X)
    estimator = SGDClassifier(max_iter=20 if quick else 30, tol=None, random_state=seed)
    space = {
        "alpha": loguniform(1e-6, 1e-1),
        "eta0": loguniform(1e-4, 1e0),
        "learning_rate": ["constant", "invscaling"],
    }
    return X, y, estimator, space


PROBLEMS = {"mlp-digits": mlp_digits, "sgd-synth": sgd_synthetic}


def searches(estimator, space, population, n_steps, seed):
    full = estimator.max_iter
    common = dict(cv=3, random_state=seed, n_jobs=1)
    return {
        "RandomizedSearchCV": RandomizedSearchCV(
            estimator, space, n_iter=population, **common
        ),
        # More of it, to see how much fit time it needs to match PBT.
        "RandomizedSearchCV(x4)": RandomizedSearchCV(
            estimator, space, n_iter=4 * population, **common
        ),
        "EvolutionarySearchCV(ga)": EvolutionarySearchCV(
            estimator, space, n_iter=population, strategy="ga",
            population_size=max(2, population // 2), **common,
        ),  # fmt: skip
        "HyperbandSearchCV(warm)": HyperbandSearchCV(
            estimator, space, resource="max_iter", warm_start=True,
            budget=population * full, n_iter=100_000, **common,
        ),  # fmt: skip
        "EvolutionarySearchCV(pbt)": EvolutionarySearchCV(
            estimator, space, strategy="pbt", resource="max_iter",
            n_iter=population * n_steps, population_size=population, **common,
        ),  # fmt: skip
    }


def run(problems, seeds, quick):
    population, n_steps = (6, 4) if quick else (10, 6)
    rows = []
    for name in problems:
        for seed in seeds:
            X, y, estimator, space = PROBLEMS[name](quick, seed)
            X_train, X_test, y_train, y_test = train_test_split(
                X, y, test_size=0.3, random_state=seed, stratify=y
            )
            for label, search in searches(
                estimator, space, population, n_steps, seed
            ).items():
                start = time.perf_counter()
                search.fit(X_train, y_train)
                results = search.cv_results_
                rows.append(
                    {
                        "problem": name,
                        "search": label,
                        "seed": seed,
                        "best_cv": float(search.best_score_),
                        "test": float(search.score(X_test, y_test)),
                        "fit_time": float(
                            np.sum(results["mean_fit_time"]) * search.n_splits_
                        ),
                        "wall": time.perf_counter() - start,
                        "curve": [
                            np.cumsum(results["mean_fit_time"] * search.n_splits_),
                            np.fmax.accumulate(results["mean_test_score"]),
                        ],
                    }
                )
    return rows


def time_to_match(rows, problem, seed):
    """PBT's fit time over the fit time RandomizedSearchCV(x4) took to
    reach PBT's best CV minus TOLERANCE (0 when it never did:
    PBT is then infinitely faster)."""
    by = {r["search"]: r for r in rows if r["problem"] == problem and r["seed"] == seed}
    pbt, long = by["EvolutionarySearchCV(pbt)"], by["RandomizedSearchCV(x4)"]
    times, best = long["curve"]
    reached = np.flatnonzero(best >= pbt["best_cv"] - TOLERANCE)
    return pbt["fit_time"] / times[reached[0]] if len(reached) else 0.0


def print_table(rows):
    print("problem | search | seeds | best CV | test | fit time (s) | fit time / RS")
    for problem in dict.fromkeys(r["problem"] for r in rows):
        group = [r for r in rows if r["problem"] == problem]
        base = np.median(
            [r["fit_time"] for r in group if r["search"] == "RandomizedSearchCV"]
        )
        for label in dict.fromkeys(r["search"] for r in group):
            runs = [r for r in group if r["search"] == label]
            med = {
                k: float(np.median([r[k] for r in runs]))
                for k in ("best_cv", "test", "fit_time")
            }
            print(
                f"{problem} | {label} | {len(runs)} | {med['best_cv']:.4f} | "
                f"{med['test']:.4f} | {med['fit_time']:.2f} | "
                f"{med['fit_time'] / base:.2f}"
            )
        seeds = sorted({r["seed"] for r in group})
        ratios = [time_to_match(rows, problem, seed) for seed in seeds]
        print(
            f"{problem}: PBT's fit time / RandomizedSearchCV(x4)'s until it is "
            f"within {TOLERANCE} of PBT's best CV: median {np.median(ratios):.2f} "
            f"(per seed {', '.join(f'{r:.2f}' for r in ratios)}; 0: never within)"
        )


def plot_schedule(path, seed=0):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    X, y, estimator, space = mlp_digits(False, seed)
    search = searches(estimator, space, 10, 6, seed)["EvolutionarySearchCV(pbt)"]
    search.fit(X, y)
    results = search.cv_results_
    rate = np.asarray(results["param_learning_rate_init"], dtype=float)
    row = {(s, m): i for i, (s, m) in enumerate(zip(results["step"], results["member"]))}
    levels = search.resource_levels_
    fig, ax = plt.subplots(figsize=(6, 3.5))
    for i, (step, parent) in enumerate(zip(results["step"], results["parent"])):
        if step == 0:
            continue
        j = row[step - 1, parent]
        copied = parent != results["member"][i]
        ax.plot([levels[step - 1], levels[step]], [rate[j], rate[i]], color="0.6",
                ls="--" if copied else "-", lw=0.8)
    best = search.best_schedule_
    ax.step([0, *levels], [best[0]["learning_rate_init"]] + [
        s["learning_rate_init"] for s in best], where="pre", color="tab:red", lw=2,
        label=f"chosen schedule (CV {search.best_score_:.3f})")
    ax.set_yscale("log")
    ax.set_xlabel("epochs (max_iter)")
    ax.set_ylabel("learning_rate_init")
    ax.set_title("PBT on MLPClassifier / digits: 10 members, 6 steps", fontsize=9)
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    print(f"wrote {path}; best schedule: "
          + ", ".join(f"{s['learning_rate_init']:.2g}" for s in best))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small, < 1 minute")
    parser.add_argument("--seeds", type=int, nargs="+", default=None)
    parser.add_argument("--problems", nargs="+", default=list(PROBLEMS))
    parser.add_argument("--plot", default=None, help="draw a schedule to this file")
    args = parser.parse_args(argv)
    if args.plot:
        with pin_blas(), warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            plot_schedule(args.plot)
        return None
    seeds = args.seeds or ([0] if args.quick else [0, 1, 2, 3, 4])
    with pin_blas(), warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        rows = run(args.problems, seeds, args.quick)
    print_table(rows)
    return rows


if __name__ == "__main__":
    main()
