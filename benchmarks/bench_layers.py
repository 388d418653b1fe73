"""Architecture search with the Layers dimension against the common
alternative, a list of hand-picked tuples, side by side in one run (issue
#24).

Problems (fixed data and folds, 3-fold CV, the network's own seed fixed):

- ``mlp-digits``: a StandardScaler + MLPClassifier pipeline on 300 digits
  (a stratified subsample of ``load_digits``), accuracy;
- ``mlp-friedman1``: a StandardScaler + MLPRegressor pipeline on 300
  samples of ``make_friedman1(noise=1, random_state=0)`` with standardised
  targets, r2;
- ``mlp-diabetes``: the same pipeline on 300 samples of ``load_diabetes``
  with standardised targets, r2. Added after the Bayes search with
  ``Layers`` was last changed, as a problem not used to choose it.

Space: depth 1-4 and width 8-512 per layer (log), ``learning_rate_init``
log-uniform on [1e-4, 1e-1], ``alpha`` log-uniform on [1e-6, 1e-1]; adam
for at most 12 epochs (small data and few epochs keep a full run affordable
on a shared machine). Strategies, 40 evaluations each:

- ``bayes layers``, ``evolution layers``, ``random layers``:
  BayesSearchCV, EvolutionarySearchCV (defaults) and RandomizedSearchCV
  with ``Layers(n_layers=(1, 4), units=Integer(8, 512, log=True))``;
- ``bayes list``, ``evolution list``: the same searches with the 12
  tuples of :data:`HAND_PICKED` (depth 1 to 4, widths 8 to 512) as a
  categorical;
- ``bayes funnel``, ``evolution funnel``, ``random funnel``: the three
  searches with ``Layers(..., shape="funnel")``, widths that never increase
  from one layer to the next, the shape every tuple of the list has.

Printed: medians over seeds of the best CV score, the fit time (seconds of
every fold, from ``cv_results_``; the machine may be shared, so they are
indicative), the number of runs that met a diverged network (a mean CV
score below -10, which r2 allows), and whether each comparison the issue
asks for holds (``bayes/evolution layers >= the same with the list`` and
``>= random layers``, on the medians; the same for the funnel searches
against the list and against random search with the funnel).

Seeds. Pre-registered: 0-4 (``--seeds 5``). Seeds 5-9 (``--seed-offset 5``)
were run afterwards, to see whether the differences outlast the noise.

    python -m benchmarks.bench_layers --quick
    python -m benchmarks.bench_layers [--seeds 5] [--seed-offset 0] [--problems ...]
        [--strategies ...] [--out rows.jsonl]
    python -m benchmarks.bench_layers --summarize rows.jsonl
"""

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402
import json  # noqa: E402
import time  # noqa: E402
import warnings  # noqa: E402

import numpy as np  # noqa: E402
from scipy.stats import loguniform  # noqa: E402
from sklearn.datasets import load_diabetes, load_digits, make_friedman1  # noqa: E402
from sklearn.exceptions import ConvergenceWarning  # noqa: E402
from sklearn.model_selection import (  # noqa: E402
    KFold,
    RandomizedSearchCV,
    StratifiedKFold,
    train_test_split,
)
from sklearn.neural_network import MLPClassifier, MLPRegressor  # noqa: E402
from sklearn.pipeline import make_pipeline  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402

from benchmarks._common import pin_blas, write_jsonl  # noqa: E402
from sklearn_tune import (  # noqa: E402
    BayesSearchCV,
    EvolutionarySearchCV,
    Integer,
    Layers,
)

#: The common alternative: hand-picked stacks covering depth 1-4, width 8-512.
HAND_PICKED = [
    (8,), (64,), (512,),
    (32, 32), (128, 64), (512, 256),
    (16, 16, 16), (128, 64, 32), (512, 128, 32),
    (64, 64, 64, 64), (256, 128, 64, 32), (512, 512, 512, 512),
]  # fmt: skip
STRATEGIES = (
    "bayes layers", "bayes list", "evolution layers", "evolution list",
    "random layers", "bayes funnel", "evolution funnel", "random funnel",
)  # fmt: skip
COMPARISONS = [
    ("bayes layers", "bayes list"),
    ("bayes layers", "random layers"),
    ("evolution layers", "evolution list"),
    ("evolution layers", "random layers"),
    ("bayes funnel", "bayes list"),
    ("bayes funnel", "random funnel"),
    ("evolution funnel", "evolution list"),
    ("evolution funnel", "random funnel"),
]


def _digits(n_samples, max_iter):
    X, y = load_digits(return_X_y=True)
    X, _, y, _ = train_test_split(
        X, y, train_size=n_samples, stratify=y, random_state=0
    )
    net = MLPClassifier(max_iter=max_iter, random_state=0)
    cv = StratifiedKFold(3, shuffle=True, random_state=0)
    return make_pipeline(StandardScaler(), net), X, y, cv, "accuracy"


def _friedman(n_samples, max_iter):
    X, y = make_friedman1(n_samples=n_samples, noise=1.0, random_state=0)
    y = (y - y.mean()) / y.std()
    net = MLPRegressor(max_iter=max_iter, random_state=0)
    cv = KFold(3, shuffle=True, random_state=0)
    return make_pipeline(StandardScaler(), net), X, y, cv, "r2"


def _diabetes(n_samples, max_iter):
    X, y = load_diabetes(return_X_y=True)
    X, _, y, _ = train_test_split(X, y, train_size=n_samples, random_state=0)
    y = (y - y.mean()) / y.std()
    net = MLPRegressor(max_iter=max_iter, random_state=0)
    cv = KFold(3, shuffle=True, random_state=0)
    return make_pipeline(StandardScaler(), net), X, y, cv, "r2"


PROBLEMS = {
    "mlp-digits": _digits,
    "mlp-friedman1": _friedman,
    "mlp-diabetes": _diabetes,
}
#: Problems run unless --problems says otherwise.
DEFAULT_PROBLEMS = ("mlp-digits", "mlp-friedman1")


def _space(prefix, layers):
    return {
        f"{prefix}__hidden_layer_sizes": layers,
        f"{prefix}__learning_rate_init": loguniform(1e-4, 1e-1),
        f"{prefix}__alpha": loguniform(1e-6, 1e-1),
    }


def _search(strategy, estimator, cv, scoring, n_iter, seed):
    prefix = estimator.steps[-1][0]
    kind, layers = strategy.split()
    dimension = (
        HAND_PICKED
        if layers == "list"
        else Layers(
            n_layers=(1, 4),
            units=Integer(8, 512, log=True),
            shape="funnel" if layers == "funnel" else "per_layer",
        )
    )
    common = dict(n_iter=n_iter, cv=cv, scoring=scoring, n_jobs=1, random_state=seed)
    cls = {
        "bayes": BayesSearchCV,
        "evolution": EvolutionarySearchCV,
        "random": RandomizedSearchCV,
    }[kind]
    return cls(estimator, _space(prefix, dimension), **common)


def run(
    problems, seeds, n_iter, n_samples, max_iter, strategies=STRATEGIES,
    log=print, out=None,
):  # fmt: skip
    """One row per (seed, problem, strategy), seed by seed, so that an
    interrupted run leaves whole seeds; each row is appended to `out` (a
    JSONL path) as soon as it is done."""
    data = {p: PROBLEMS[p](n_samples, max_iter) for p in problems}
    rows = []
    for seed in seeds:
        for problem in problems:
            estimator, X, y, cv, scoring = data[problem]
            for strategy in strategies:
                search = _search(strategy, estimator, cv, scoring, n_iter, seed)
                start = time.perf_counter()
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore", ConvergenceWarning)
                    search.fit(X, y)
                results = search.cv_results_
                fit = float(
                    np.sum(results["mean_fit_time"] + results["mean_score_time"])
                    * cv.get_n_splits()
                )
                best = search.best_params_[
                    f"{estimator.steps[-1][0]}__hidden_layer_sizes"
                ]
                row = {
                    "problem": problem, "strategy": strategy, "seed": seed,
                    "best_cv": float(search.best_score_), "best_layers": list(best),
                    "worst_cv": float(np.nanmin(results["mean_test_score"])),
                    "n_evals": len(results["params"]), "fit_time": fit,
                    "wall": time.perf_counter() - start,
                }  # fmt: skip
                rows.append(row)
                if out:
                    write_jsonl([row], out)
                log(
                    f"{problem:14s} seed {seed} {strategy:17s} "
                    f"best CV {row['best_cv']:.4f} {best!s:24s} "
                    f"worst {row['worst_cv']:9.3g} fit {fit:6.1f} s"
                )
    return rows


def summarize(rows, log=print):
    """Medians per problem and strategy, and the comparisons of the issue."""
    verdicts = []
    for problem in dict.fromkeys(r["problem"] for r in rows):
        mine = [r for r in rows if r["problem"] == problem]
        seeds = sorted({r["seed"] for r in mine})
        log(f"\n{problem}: medians over {len(seeds)} seed(s) {seeds}")
        log(
            f"  {'strategy':17s} {'best CV':>8s} {'fit s':>7s} {'evals':>6s} "
            f"{'diverged':>8s}"
        )
        medians = {}
        for strategy in STRATEGIES:
            runs = [r for r in mine if r["strategy"] == strategy]
            if not runs:
                continue
            medians[strategy] = float(np.median([r["best_cv"] for r in runs]))
            fit = np.median([r["fit_time"] for r in runs])
            evals = np.median([r["n_evals"] for r in runs])
            # Rows written before the worst score was recorded have none.
            diverged = sum(r.get("worst_cv", 0.0) < -10 for r in runs)
            log(
                f"  {strategy:17s} {medians[strategy]:8.4f} {fit:7.1f} "
                f"{evals:6.0f} {diverged:8d}"
            )
        for ours, other in COMPARISONS:
            if ours in medians and other in medians:
                holds = medians[ours] >= medians[other]
                verdicts.append((problem, ours, other, holds))
                log(
                    f"  {ours} >= {other}: {'holds' if holds else 'FAILS'} "
                    f"({medians[ours] - medians[other]:+.4f})"
                )
    held = sum(v[3] for v in verdicts)
    log(f"\n{held}/{len(verdicts)} comparisons hold.")
    return verdicts


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smoke run, < 1 minute")
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--seed-offset", type=int, default=0)
    parser.add_argument("--problems", nargs="+", default=list(DEFAULT_PROBLEMS),
                        choices=list(PROBLEMS))
    parser.add_argument("--strategies", nargs="+", default=list(STRATEGIES),
                        choices=list(STRATEGIES))
    parser.add_argument("--n-iter", type=int, default=40)
    parser.add_argument("--out", help="append the rows to this JSONL file")
    parser.add_argument("--summarize", help="print the figures of a JSONL file")
    args = parser.parse_args(argv)
    pin_blas()
    seeds = range(args.seed_offset, args.seed_offset + args.seeds)
    n_iter, n_samples, max_iter = args.n_iter, 300, 12
    if args.quick:
        seeds, n_iter, n_samples, max_iter = [0], 6, 150, 5
    if args.summarize:
        with open(args.summarize) as f:
            summarize([json.loads(line) for line in f if line.strip()])
        return
    rows = run(
        args.problems, list(seeds), n_iter, n_samples, max_iter,
        strategies=args.strategies, out=args.out,
    )  # fmt: skip
    summarize(rows)


if __name__ == "__main__":
    main()
