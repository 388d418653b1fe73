"""Time the search loop spends outside the fits.

Runs 200 candidates of the random reference optimizer through
BaseTuneSearchCV on an estimator whose fit and score cost almost nothing,
next to RandomizedSearchCV on the same estimator, and prints the loop's
overhead (wall time minus fit and score time). Floor from the foundation
issue: under 2 s for 200 candidates.

    python -m benchmarks.bench_overhead [--quick] [--seeds N]
"""

import argparse
import sys
from pathlib import Path

from sklearn.model_selection import RandomizedSearchCV

from benchmarks._common import analytic_problem, evaluate, pin_blas, summarize, to_scipy, to_tune

sys.path.insert(0, str(Path(__file__).parents[1] / "tests"))
from _random_search import RandomTuneSearchCV  # noqa: E402


def main(argv=None):
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--n-iter", type=int, default=200)
    args = parser.parse_args(argv)
    seeds = 2 if args.quick else args.seeds
    pin_blas()
    problem = analytic_problem("hartmann6")
    rows = []
    for seed in range(seeds):
        for batch in (1, 8, args.n_iter):
            search = RandomTuneSearchCV(
                problem.make_estimator(), to_tune(problem.space), n_iter=args.n_iter,
                cv=problem.cv, n_jobs=1, random_state=seed, batch_size=batch,
            )
            rows.append(evaluate(search, problem, strategy=f"tune-random batch={batch}",
                                 seed=seed))
        search = RandomizedSearchCV(
            problem.make_estimator(), to_scipy(problem.space), n_iter=args.n_iter,
            cv=problem.cv, n_jobs=1, random_state=seed,
        )
        rows.append(evaluate(search, problem, strategy="RandomizedSearchCV", seed=seed))
    print(f"\n{args.n_iter} candidates, 2-fold CV, n_jobs=1, medians over {seeds} seeds\n")
    summarize(rows, metrics=("n_evals", "wall", "overhead"))


if __name__ == "__main__":
    main()
