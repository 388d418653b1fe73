"""EvolutionarySearchCV ("ga" and "de") against sklearn-genetic-opt's
GASearchCV and RandomizedSearchCV, side by side.

Figures (medians over seeds, one BLAS thread, n_jobs=1 unless stated):

1. Best CV score after the same number of DISTINCT candidates (40 and 80) on
   SVC/digits (C, gamma), HistGradientBoostingClassifier/digits (4 mixed
   real and integer parameters) and the Rastrigin-4 and Hartmann-6 analytic
   functions, with the held-out score of the best-of-budget parameters.
   Every search runs to 80 distinct candidates and is read at its first 40
   and 80: RandomizedSearchCV draws in sequence and EvolutionarySearchCV
   asks whole generations of 10, so their first 40 are exactly what a
   40-candidate run evaluates. GASearchCV (population 10, its other
   defaults) runs generation by generation until it has 80 distinct
   candidates; its duplicates are counted, not credited.
2. Duplicates: rows of ``cv_results_``, distinct candidates and real calls
   to ``fit`` (divided by the number of folds) of every search.
3. Bookkeeping outside the fits, per candidate: wall time minus fit and
   score time of EvolutionarySearchCV on the analytic functions (the loop,
   sklearn's ``evaluate_candidates`` included), and the optimizer alone.
4. Speed-up of the wall time from n_jobs=1 to n_jobs=2, 40 distinct
   candidates, for EvolutionarySearchCV and GASearchCV, after the worker
   processes are started: on SVC/digits (needs two idle cores) and on
   Hartmann-6 whose fits sleep 50 ms over 5 folds (fit-dominated, and
   unaffected by other processes sharing the cores).

HistGradientBoostingClassifier boosts 20 iterations here (``--hgb-max-iter``)
instead of the shared problem's 50, to keep ten seeds in the time box. Its
integer parameters are drawn uniformly, not log-uniformly as in the shared
problem: GASearchCV's ``Integer`` has no log-uniform distribution, and every
strategy must search the same space (with log-uniform integers for the
others, the comparison was of priors as much as of strategies).

On SVC/digits the strategies' medians differ by less than one validation
sample (5 folds of about 270: one sample moves the mean by about 0.0007),
so ten seeds do not settle the order there: its figures are read over
twenty (two runs of ``--seeds 10``, offsets 0 and 10, then ``--summarize``
of both files).

    python -m benchmarks.bench_evolution --quick
    python -m benchmarks.bench_evolution [--problems ...] [--seeds N]
        [--seed-offset K] [--strategies ga de gasearchcv random]
        [--out rows.jsonl] [--no-speedup] [--speedup-on svc-digits sleeping]
    python -m benchmarks.bench_evolution --summarize rows.jsonl [...]

``--out`` appends the rows of a run to a JSON-lines file, so that a long
benchmark can run in pieces; ``--summarize`` prints the tables of such files.
"""

import argparse
import contextlib
import io
import json
import random
import time
from pathlib import Path

import numpy as np
from sklearn.base import clone
from sklearn.model_selection import KFold, RandomizedSearchCV

from benchmarks._common import (
    PROBLEMS,
    AnalyticFunction,
    analytic_problem,
    pin_blas,
    summarize,
    to_ga,
    to_scipy,
    to_tune,
    write_jsonl,
)
from sklearn_tune._evolution import EvolutionarySearchCV
from sklearn_tune.optimizers._evolution import EvolutionaryOptimizer

BUDGETS = (40, 80)
POPULATION = 10
# The shared problem boosts 50 iterations; 20 keep ten seeds of four
# searches of 80+ candidates within the time box (same data, space, folds).
HGB_MAX_ITER = 20
# "auto" is the default strategy: below 25 generations of budget (here 80
# evaluations of a population of 10), the genetic algorithm until a restart.
OURS = ("EvolutionarySearchCV auto", "EvolutionarySearchCV ga", "EvolutionarySearchCV de")
STRATEGIES = (*OURS, "GASearchCV", "RandomizedSearchCV")
SHORT_NAMES = dict(zip(("auto", "ga", "de", "gasearchcv", "random"), STRATEGIES))


def make_problem(name, hgb_max_iter=HGB_MAX_ITER):
    if name in ("rastrigin", "hartmann6"):
        return analytic_problem(name)
    problem = PROBLEMS[name]()
    if name == "hgb-digits":
        from sklearn.ensemble import HistGradientBoostingClassifier

        problem.make_estimator = lambda: HistGradientBoostingClassifier(
            max_iter=hgb_max_iter, random_state=0
        )
        problem.space = _uniform_integers(problem.space)
        problem.name = f"hgb-digits (max_iter={hgb_max_iter}, uniform integers)"
    return problem


def _uniform_integers(space):
    """The space with its log-uniform integers made uniform, the only
    integers GASearchCV can draw."""
    return {
        name: ("int", *spec[1:3], False) if spec[0] == "int" else spec
        for name, spec in space.items()
    }


@contextlib.contextmanager
def counting_fits(estimator):
    """Count calls to ``fit`` of the estimator's class (in this process)."""
    cls = type(estimator)
    original = cls.fit
    counter = {"fits": 0}

    def fit(self, *args, **kwargs):
        counter["fits"] += 1
        return original(self, *args, **kwargs)

    cls.fit = fit
    try:
        yield counter
    finally:
        cls.fit = original


def _stop_at_distinct(n):
    from sklearn_genetic.callbacks.base import BaseCallback

    class StopAtDistinct(BaseCallback):
        """Stop GASearchCV after the generation that reaches `n` distinct fits."""

        def on_step(self, record=None, logbook=None, estimator=None):
            return len(estimator.fitness_cache) >= n

    return StopAtDistinct()


def make_search(strategy, problem, seed, n_iter, n_jobs=1):
    estimator = problem.make_estimator()
    if strategy.startswith("EvolutionarySearchCV"):
        return EvolutionarySearchCV(
            estimator, to_tune(problem.space), n_iter=n_iter, cv=problem.cv,
            population_size=POPULATION, strategy=strategy.split()[-1],
            n_jobs=n_jobs, refit=False, random_state=seed,
        )
    if strategy == "RandomizedSearchCV":
        return RandomizedSearchCV(
            estimator, to_scipy(problem.space), n_iter=n_iter, cv=problem.cv,
            n_jobs=n_jobs, refit=False, random_state=seed,
        )
    from sklearn_genetic import GASearchCV

    return GASearchCV(
        estimator, cv=problem.cv, param_grid=to_ga(problem.space),
        population_size=POPULATION, generations=4 * n_iter // POPULATION,
        n_jobs=n_jobs, refit=False, verbose=False,
    )


def fit_search(search, strategy, problem, seed, n_iter):
    """Fit; return the search and its wall time (GASearchCV: seeded globally)."""
    start = time.perf_counter()
    if strategy == "GASearchCV":
        # DEAP draws from the global generators; seeding them is the only way.
        random.seed(seed)
        np.random.seed(seed)
        with contextlib.redirect_stdout(io.StringIO()):
            search.fit(problem.X_train, problem.y_train,
                       callbacks=[_stop_at_distinct(n_iter)])
    else:
        search.fit(problem.X_train, problem.y_train)
    return search, time.perf_counter() - start


def _key(params):
    return tuple(sorted((k, repr(v)) for k, v in params.items()))


def budget_rows(search, strategy, problem, seed, wall, n_fits):
    """One row per budget: best CV and held-out score of the first distinct."""
    results = search.cv_results_
    n_splits = sum(
        1 for k in results if k.startswith("split") and k.endswith("_test_score")
    )
    scores = np.asarray(results["mean_test_score"], dtype=float)
    first_rows, seen = [], set()
    for i, params in enumerate(results["params"]):
        key = _key(params)
        if key not in seen:
            seen.add(key)
            first_rows.append(i)
    loop_time = float(
        np.sum(results["mean_fit_time"]) + np.sum(results["mean_score_time"])
    )
    rows = []
    for budget in BUDGETS:
        rows_in = first_rows[:budget]
        best = rows_in[int(np.nanargmax(scores[rows_in]))]
        test = float("nan")
        if problem.X_test is not None:
            model = clone(problem.make_estimator())
            model.set_params(**results["params"][best])
            test = float(model.fit(problem.X_train, problem.y_train).score(
                problem.X_test, problem.y_test))
        rows.append({
            "problem": problem.name, "budget": budget, "strategy": strategy,
            "seed": seed,
            "best_cv": float(scores[best]), "test": test,
            "n_distinct": len(rows_in),
            "n_rows": len(results["params"]), "n_distinct_total": len(first_rows),
            "fits_per_fold": n_fits / max(1, n_splits),
            "wall": wall,
            "loop_ms_per_candidate": 1e3 * (wall - loop_time * n_splits)
            / len(results["params"]),
        })
    return rows


def run_problem(name, seeds, hgb_max_iter=HGB_MAX_ITER, strategies=STRATEGIES,
                log=print):
    problem = make_problem(name, hgb_max_iter)
    rows = []
    for seed in seeds:
        for strategy in strategies:
            search = make_search(strategy, problem, seed, max(BUDGETS))
            with counting_fits(search.estimator) as counter:
                search, wall = fit_search(search, strategy, problem, seed, max(BUDGETS))
            new = budget_rows(search, strategy, problem, seed, wall, counter["fits"])
            rows.extend(new)
            log(f"  {name} seed={seed} {strategy}: best_cv@40={new[0]['best_cv']:.4f} "
                f"@80={new[1]['best_cv']:.4f} rows={new[0]['n_rows']} "
                f"distinct={new[0]['n_distinct_total']} wall={wall:.1f}s", flush=True)
    return rows


def optimizer_ms_per_candidate(seeds):
    """Time of ask, results_columns and tell alone, per candidate, on Hartmann-6."""
    problem = analytic_problem("hartmann6")
    space = to_tune(problem.space)
    estimator = problem.make_estimator()
    rows = []
    for strategy in ("ga", "de"):
        for seed in seeds:
            opt = EvolutionaryOptimizer(space, population_size=POPULATION,
                                        strategy=strategy, random_state=seed)
            scores, spent = [], 0.0
            while len(opt.scores_) < max(BUDGETS):
                start = time.perf_counter()
                batch = opt.ask(POPULATION)
                opt.results_columns(batch)
                spent += time.perf_counter() - start
                scores = [estimator.set_params(**c).score(np.zeros((1, 1)))
                          for c in batch]
                start = time.perf_counter()
                opt.tell(batch, scores)
                spent += time.perf_counter() - start
            rows.append({"strategy": f"EvolutionaryOptimizer {strategy}",
                         "ms_per_candidate": 1e3 * spent / len(opt.scores_)})
    return rows


class SleepingFunction(AnalyticFunction):
    """Hartmann-6 whose fit sleeps `delay` seconds: a fit-dominated problem
    whose speed-up does not depend on other processes sharing the cores."""

    def __init__(self, function="hartmann6", noise=0.0, x0=0.0, x1=0.0, x2=0.0,
                 x3=0.0, x4=0.0, x5=0.0, delay=0.05):
        super().__init__(function, noise, x0, x1, x2, x3, x4, x5)
        self.delay = delay

    def fit(self, X, y=None):
        time.sleep(self.delay)
        return super().fit(X, y)


def sleeping_problem():
    problem = analytic_problem("hartmann6")
    problem.name = "hartmann6, fits sleep 50 ms, 5 folds"
    problem.make_estimator = SleepingFunction
    problem.cv = KFold(5)
    return problem


SPEEDUP_PROBLEMS = {"svc-digits": lambda: make_problem("svc-digits"),
                    "sleeping": sleeping_problem}


def speedup_rows(repeats, names=tuple(SPEEDUP_PROBLEMS), n_iter=40):
    """Wall time at n_jobs=1 and 2, on SVC/digits and on sleeping fits."""
    from joblib import Parallel, delayed

    rows = []
    for problem in (SPEEDUP_PROBLEMS[name]() for name in names):
        # Start the worker processes (and their imports) before any timing,
        # so that whichever search runs first does not pay for them.
        Parallel(n_jobs=2)(delayed(clone)(problem.make_estimator()) for _ in range(4))
        for strategy in ("EvolutionarySearchCV ga", "GASearchCV"):
            for repeat in range(repeats):
                for n_jobs in (1, 2):
                    search = make_search(strategy, problem, repeat, n_iter,
                                         n_jobs=n_jobs)
                    search, wall = fit_search(search, strategy, problem, repeat,
                                              n_iter)
                    rows.append({"problem": problem.name, "strategy": strategy,
                                 "repeat": repeat, "n_jobs": n_jobs, "wall": wall,
                                 "n_rows": len(search.cv_results_["params"])})
                    print(f"  speed-up {problem.name} {strategy} n_jobs={n_jobs}: "
                          f"{wall:.1f}s ({rows[-1]['n_rows']} rows)", flush=True)
    return rows


def print_tables(rows, optimizer_rows=(), speed_rows=()):
    import pandas as pd

    score_rows = [r for r in rows if "best_cv" in r]
    if score_rows:
        df = pd.DataFrame(score_rows)
        df["strategy"] = pd.Categorical(df.strategy, categories=STRATEGIES,
                                        ordered=True)
        df = df.sort_values(["strategy", "seed"], kind="stable")
        print("\n### Best CV score (median over seeds) at equal distinct candidates\n")
        summarize(df.astype({"strategy": str}).to_dict("records"),
                  by=("problem", "budget", "strategy"), metrics=("best_cv", "test"),
                  baseline=None)
        wide = df.pivot_table(index=["problem", "budget", "seed"], columns="strategy",
                              values="best_cv", observed=True, sort=False)
        ours = [s for s in OURS if s in wide]
        peers = [s for s in STRATEGIES[len(OURS):] if s in wide]
        if ours and peers:
            medians = wide.groupby(level=["problem", "budget"], sort=False).median()
            table = pd.DataFrame({
                "seeds": wide.groupby(level=["problem", "budget"], sort=False).size(),
                "ours all >= both peers (medians)":
                    medians[ours].min(axis=1) >= medians[peers].max(axis=1),
            })
            # Seed by seed: wins/ties/losses of each of ours against each peer.
            for mine in ours:
                for peer in peers:
                    # Equal accuracies may differ in the last bits of their mean.
                    diff = (wide[mine] - wide[peer]).round(9)
                    counts = diff.groupby(level=["problem", "budget"], sort=False).agg(
                        lambda d: f"{(d > 0).sum()}/{(d == 0).sum()}/{(d < 0).sum()}")
                    table[f"{mine.split()[-1]} vs {peer} W/T/L"] = counts
            print("\n### Ours against the peers (W/T/L: seeds won, tied, lost)\n")
            print(table.reset_index().to_string(index=False))
            print("\n### Median best CV score, all digits (fold sizes differ, so "
                  "accuracies that look tied at 4 digits may not be)\n")
            print(medians.to_string(float_format=lambda v: f"{v:.6f}"))
        at80 = df[df.budget == max(BUDGETS)]
        print("\n### Duplicates (median per run, up to 80 distinct candidates)\n")
        print(at80.groupby(["problem", "strategy"], sort=False)[
            ["n_rows", "n_distinct_total", "fits_per_fold"]].median().to_string())
        ours_rows = at80[at80.strategy.str.startswith("Evolutionary")
                         & at80.problem.isin(["rastrigin", "hartmann6"])]
        if len(ours_rows):
            print("\n### Loop bookkeeping outside fits, EvolutionarySearchCV, n_jobs=1 "
                  "(ms per candidate, median)\n")
            print(ours_rows.groupby(["problem", "strategy"], sort=False)[
                "loop_ms_per_candidate"].median().round(2).to_string())
    if optimizer_rows:
        df = pd.DataFrame(optimizer_rows)
        print("\n### Optimizer alone: ask + results_columns + tell "
              "(ms per candidate, median)\n")
        print(df.groupby("strategy")["ms_per_candidate"].median().round(3).to_string())
    if speed_rows:
        df = pd.DataFrame(speed_rows)
        wall = df.pivot_table(index=["problem", "strategy"], columns="n_jobs",
                              values="wall", aggfunc="median", sort=False)
        wall["speed-up"] = wall[1] / wall[2]
        print("\n### Wall time (s, median over repeats), n_jobs=1 vs 2, "
              "40 distinct candidates\n")
        print(wall.round(2).to_string())


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true",
                        help="2 seeds of the analytic functions, no speed-up "
                             "(< 2 min)")
    parser.add_argument("--problems", nargs="*",
                        default=["rastrigin", "hartmann6", "svc-digits", "hgb-digits"])
    parser.add_argument("--seeds", type=int, default=10)
    parser.add_argument("--seed-offset", type=int, default=0)
    parser.add_argument("--repeats", type=int, default=2,
                        help="repeats of the n_jobs speed-up measurement")
    parser.add_argument("--strategies", nargs="+", choices=list(SHORT_NAMES),
                        default=list(SHORT_NAMES))
    parser.add_argument("--no-speedup", action="store_true")
    parser.add_argument("--speedup-on", nargs="+", choices=list(SPEEDUP_PROBLEMS),
                        default=list(SPEEDUP_PROBLEMS))
    parser.add_argument("--hgb-max-iter", type=int, default=HGB_MAX_ITER,
                        help="boosting iterations of hgb-digits (the shared "
                             "problem has 50)")
    parser.add_argument("--out", type=Path, help="append rows to this JSON-lines file")
    parser.add_argument("--summarize", type=Path, nargs="+",
                        help="print the tables of JSON-lines files and exit")
    args = parser.parse_args(argv)
    if args.summarize:
        rows = [json.loads(line) for path in args.summarize
                for line in path.read_text().splitlines() if line.strip()]
        print_tables([r for r in rows if "best_cv" in r],
                     [r for r in rows if "ms_per_candidate" in r],
                     [r for r in rows if "n_jobs" in r])
        return
    pin_blas()
    started = time.perf_counter()
    if args.quick:
        plan = [("rastrigin", range(2)), ("hartmann6", range(2))]
    else:
        seeds = range(args.seed_offset, args.seed_offset + args.seeds)
        plan = [(name, seeds) for name in args.problems]
    rows = []
    for name, seeds in plan:
        print(f"{name}: seeds {list(seeds)}", flush=True)
        strategies = [SHORT_NAMES[s] for s in args.strategies]
        rows.extend(run_problem(name, seeds, args.hgb_max_iter, strategies))
    optimizer_rows = optimizer_ms_per_candidate(range(3))
    speed_rows = []
    if not (args.quick or args.no_speedup):
        speed_rows = speedup_rows(args.repeats, args.speedup_on)
    if args.out:
        write_jsonl(rows + optimizer_rows + speed_rows, args.out)
    print_tables(rows, optimizer_rows, speed_rows)
    print(f"\n(total {time.perf_counter() - started:.0f}s; "
          "n_jobs=1 except the speed-up; "
          f"1 BLAS thread; population {POPULATION} for ours and GASearchCV)")


if __name__ == "__main__":
    main()
