"""EvolutionarySearchCV at large budgets (300 and 1000 evaluations) against
Optuna's TPESampler, Optuna's RandomSampler and RandomizedSearchCV, side by
side in one run (issue #28).

Figures (medians over seeds, one BLAS thread, n_jobs=1):

1. Best score after 300 and 1000 distinct evaluations. Analytic problems
   (score = minus the function, higher is better) are driven through the
   optimizers' ask/tell directly: Rastrigin-4, Ackley-6, Hartmann-6 and a
   mixed Hartmann-6 (4 reals, one of them log-scaled, an integer out of 21
   values and a categorical of 6 levels). Two real estimators go through
   the search classes with 3-fold CV: a DecisionTreeClassifier on digits (6
   mixed parameters) and a KernelRidge on diabetes (alpha, gamma, kernel).
   Optuna's samplers drive the same objective (the same folds and scorer,
   through ``cross_val_score``) by its ask/tell interface. Ours runs once
   per budget (it plans its restarts with the budget); the peers, which do
   not, run once to 1000 and are read at their first 300 too.
2. Optimizer CPU time per candidate (``time.process_time`` of ask,
   ``results_columns`` and tell, the objective excluded), ours against
   TPE's, on the analytic problems at 1000 evaluations.

Seeds. Pre-registered (written here before they were run): 0, 1, 2, 3, 4
(``--seeds 5``). Design seeds, looked at while choosing the restart rule and
the default strategy: 100, 101, 102 (``--seed-offset 100 --seeds 3``); for
the strategy "auto" starts with at 300 evaluations and more, 100-119
(``--seed-offset 100 --seeds 20``); for a restarted genetic algorithm
starting from the best found so far, 200-219 on the analytic problems
(``--seed-offset 200 --seeds 20``).

    python -m benchmarks.bench_evolution_budget --quick
    python -m benchmarks.bench_evolution_budget [--problems ...] [--seeds 5]
        [--seed-offset 0] [--strategies ...] [--out rows.jsonl]
        [--plot docs/_static/evolution_convergence_1000.png]
    python -m benchmarks.bench_evolution_budget --summarize rows.jsonl [...]
"""

import argparse
import json
import math
import time
from pathlib import Path

import numpy as np
from sklearn.model_selection import (
    ParameterSampler,
    RandomizedSearchCV,
    StratifiedKFold,
    cross_val_score,
)

from benchmarks._common import ANALYTIC, pin_blas, to_optuna, to_scipy, to_tune, write_jsonl
from sklearn_tune._evolution import EvolutionarySearchCV
from sklearn_tune.optimizers._evolution import EvolutionaryOptimizer

BUDGETS = (300, 1000)
OURS = {
    # name -> EvolutionaryOptimizer / EvolutionarySearchCV parameters
    "ours default": {},
    "ours ga": {"strategy": "ga"},
    "ours cmaes": {"strategy": "cmaes"},
    "ours de": {"strategy": "de"},
    "ours ga, no restarts": {"strategy": "ga", "restarts": False},
}
PEERS = ("optuna tpe", "optuna random", "RandomizedSearchCV")
STRATEGIES = (*OURS, *PEERS)
PLOTTED = ("ours default", "ours cmaes", "ours ga, no restarts", "optuna tpe",
           "RandomizedSearchCV")


# ---------------------------------------------------------------- problems --


def _ackley(x):
    x = np.asarray(x)
    return float(
        -20 * np.exp(-0.2 * np.sqrt(np.mean(x**2)))
        - np.exp(np.mean(np.cos(2 * np.pi * x))) + 20 + math.e
    )


_MIXED_LEVELS = [0.0, 0.2, 0.4, 0.6, 0.8, 1.0]


def _mixed_hartmann(p):
    x = [p["x0"], p["x1"], p["x2"] / 20.0, p["x3"], p["x4"], p["x5"]]
    return ANALYTIC["hartmann6"][0](x)


def _vector(function, n):
    return lambda p: function([p[f"x{i}"] for i in range(n)])


ANALYTIC_PROBLEMS = {
    # name -> (function to minimise of a dict, neutral space)
    "rastrigin-4": (
        _vector(ANALYTIC["rastrigin"][0], 4),
        {f"x{i}": ("real", -5.12, 5.12, False) for i in range(4)},
    ),
    "ackley-6": (
        _vector(_ackley, 6),
        {f"x{i}": ("real", -32.768, 32.768, False) for i in range(6)},
    ),
    "hartmann-6": (
        _vector(ANALYTIC["hartmann6"][0], 6),
        {f"x{i}": ("real", 0.0, 1.0, False) for i in range(6)},
    ),
    "mixed-hartmann-6": (
        _mixed_hartmann,
        {
            "x0": ("real", 0.0, 1.0, False),
            "x1": ("real", 0.01, 1.0, True),
            "x2": ("int", 0, 20, False),
            "x3": ("cat", _MIXED_LEVELS),
            "x4": ("real", 0.0, 1.0, False),
            "x5": ("real", 0.0, 1.0, False),
        },
    ),
}


def _tree_digits():
    from sklearn.datasets import load_digits
    from sklearn.tree import DecisionTreeClassifier

    X, y = load_digits(return_X_y=True)
    space = {
        "max_depth": ("int", 2, 30, False),
        "min_samples_split": ("int", 2, 40, False),
        "min_samples_leaf": ("int", 1, 20, False),
        "max_features": ("real", 0.1, 1.0, False),
        "criterion": ("cat", ["gini", "entropy", "log_loss"]),
        "ccp_alpha": ("real", 1e-6, 1e-1, True),
    }
    return DecisionTreeClassifier(random_state=0), space, X, y, "accuracy"


def _kernel_ridge_diabetes():
    from sklearn.datasets import load_diabetes
    from sklearn.kernel_ridge import KernelRidge

    X, y = load_diabetes(return_X_y=True)
    space = {
        "alpha": ("real", 1e-4, 1e1, True),
        "gamma": ("real", 1e-3, 1e2, True),
        "kernel": ("cat", ["rbf", "laplacian"]),
    }
    return KernelRidge(), space, X, y, "r2"


ESTIMATOR_PROBLEMS = {
    "tree-digits": _tree_digits,
    "kernelridge-diabetes": _kernel_ridge_diabetes,
}
PROBLEM_NAMES = (*ANALYTIC_PROBLEMS, *ESTIMATOR_PROBLEMS)


# ----------------------------------------------------------------- runners --


def _optuna_sampler(strategy, seed):
    import optuna

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    if strategy == "optuna tpe":
        return optuna.samplers.TPESampler(seed=seed)
    return optuna.samplers.RandomSampler(seed=seed)


def _run_optuna(strategy, space, objective, budget, seed):
    """Scores in order and the optimizer's CPU seconds (ask + tell)."""
    import optuna

    study = optuna.create_study(direction="maximize",
                                sampler=_optuna_sampler(strategy, seed))
    distributions = to_optuna(space)
    scores, spent = [], 0.0
    for _ in range(budget):
        start = time.process_time()
        trial = study.ask(distributions)
        spent += time.process_time() - start
        score = objective(trial.params)
        start = time.process_time()
        study.tell(trial, score)
        spent += time.process_time() - start
        scores.append(score)
    return scores, spent, []


def _run_ours(params, space, objective, budget, seed):
    opt = EvolutionaryOptimizer(to_tune(space), random_state=seed, **params)
    opt.set_budget(budget)
    scores, spent, restarts = [], 0.0, []
    while len(scores) < budget:
        start = time.process_time()
        batch = opt.ask(min(opt.next_batch_size(), budget - len(scores)))
        restarts.extend(opt.results_columns(batch)["restart"])
        spent += time.process_time() - start
        new = [objective(c) for c in batch]
        start = time.process_time()
        opt.tell(batch, new)
        spent += time.process_time() - start
        scores.extend(new)
    return scores, spent, restarts


def _run_sampler(space, objective, budget, seed):
    """RandomizedSearchCV's own draws (ParameterSampler) on the function."""
    sampler = ParameterSampler(to_scipy(space), n_iter=budget, random_state=seed)
    return [objective(p) for p in sampler], float("nan"), []


def run_analytic(name, strategy, budget, seed):
    function, space = ANALYTIC_PROBLEMS[name]

    def objective(params):
        return -function(params)

    if strategy in OURS:
        return _run_ours(OURS[strategy], space, objective, budget, seed)
    if strategy == "RandomizedSearchCV":
        return _run_sampler(space, objective, budget, seed)
    return _run_optuna(strategy, space, objective, budget, seed)


def run_estimator(name, strategy, budget, seed):
    estimator, space, X, y, scoring = ESTIMATOR_PROBLEMS[name]()
    cv = StratifiedKFold(3, shuffle=True, random_state=0) if scoring == "accuracy" \
        else 3
    shared = {"cv": cv, "scoring": scoring, "refit": False, "n_jobs": 1}
    if strategy in OURS:
        search = EvolutionarySearchCV(estimator, to_tune(space), n_iter=budget,
                                      random_state=seed, **shared, **OURS[strategy])
    elif strategy == "RandomizedSearchCV":
        search = RandomizedSearchCV(estimator, to_scipy(space), n_iter=budget,
                                    random_state=seed, **shared)
    else:
        def objective(params):
            model = estimator.set_params(**params)
            return float(np.mean(cross_val_score(model, X, y, cv=cv, scoring=scoring)))

        return _run_optuna(strategy, space, objective, budget, seed)
    search.fit(X, y)
    results = search.cv_results_
    restarts = list(results["restart"]) if "restart" in results else []
    return list(results["mean_test_score"]), float("nan"), restarts


# ----------------------------------------------------------------- figures --


def run(problems, strategies, seeds, log=print):
    rows = []
    for name in problems:
        runner = run_analytic if name in ANALYTIC_PROBLEMS else run_estimator
        for seed in seeds:
            for strategy in strategies:
                # Peers ignore the budget: one run to the largest, read at both.
                budgets = BUDGETS if strategy in OURS else (max(BUDGETS),)
                for budget in budgets:
                    start = time.process_time()
                    scores, spent, restarts = runner(name, strategy, budget, seed)
                    cpu = time.process_time() - start
                    read_at = [budget] if strategy in OURS else list(BUDGETS)
                    for at in read_at:
                        rows.append({
                            "problem": name, "strategy": strategy, "seed": seed,
                            "budget": at,
                            "best": float(np.nanmax(scores[:at])),
                            "curve": np.fmax.accumulate(scores[:at]).tolist()
                            if at == max(BUDGETS) else None,
                            "restarts": int(max(restarts[:at], default=0)),
                            "restart_at": [i for i in range(1, min(at, len(restarts)))
                                           if restarts[i] != restarts[i - 1]],
                            "optimizer_ms_per_candidate":
                                1e3 * spent / budget if at == budget else None,
                            "cpu_s": cpu,
                        })
                    log(f"  {name} seed={seed} {strategy} n={budget}: "
                        f"best={rows[-1]['best']:.4f} restarts={rows[-1]['restarts']} "
                        f"cpu={cpu:.1f}s", flush=True)
    return rows


def print_tables(rows):
    import pandas as pd

    df = pd.DataFrame(rows)
    order = [s for s in STRATEGIES if s in set(df.strategy)]
    print("\n### Best score, median over seeds (per-seed values in brackets)\n")
    per_seed = df.pivot_table(index=["problem", "budget"], columns="strategy",
                              values="best", aggfunc="median", sort=False)[order]
    values = df.groupby(["problem", "budget", "strategy"], sort=False)["best"].agg(
        lambda s: ", ".join(f"{v:.4f}" for v in s))
    print(per_seed.to_string(float_format=lambda v: f"{v:.4f}"))
    print("\nper seed:")
    print(values.unstack("strategy")[order].to_string())
    ours = [s for s in order if s in OURS]
    if "optuna tpe" in order and "RandomizedSearchCV" in order:
        print("\n### Checks of issue #28 (medians): >= TPE on >= 2/3, "
              ">= RandomizedSearchCV on all\n")
        for mine in ours:
            for budget in BUDGETS:
                at = per_seed.xs(budget, level="budget")
                tpe = (at[mine] >= at["optuna tpe"]).sum()
                rnd = (at[mine] >= at["RandomizedSearchCV"]).sum()
                print(f"{mine:24s} n={budget:5d}: >= TPE on {tpe}/{len(at)}, "
                      f">= RandomizedSearchCV on {rnd}/{len(at)}")
    timed = df[df.optimizer_ms_per_candidate.notna()
               & (df.budget == max(BUDGETS))]
    if len(timed):
        print("\n### Optimizer CPU ms per candidate (ask + tell), "
              f"{max(BUDGETS)} evaluations, median over seeds\n")
        print(timed.pivot_table(index="problem", columns="strategy",
                                values="optimizer_ms_per_candidate",
                                aggfunc="median", sort=False).round(3).to_string())
    print("\n### Restarts (median) of ours\n")
    print(df[df.strategy.isin(ours)].pivot_table(
        index=["problem", "budget"], columns="strategy", values="restarts",
        aggfunc="median", sort=False).to_string())


def plot(rows, path, problems=tuple(ANALYTIC_PROBLEMS)):
    """Median best-so-far at 1000 evaluations, with the restarts of ours."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    problems = [p for p in problems if any(r["problem"] == p for r in rows)]
    fig, axes = plt.subplots(1, len(problems), figsize=(4.2 * len(problems), 3.6),
                             squeeze=False)
    for ax, problem in zip(axes[0], problems):
        mine = [r for r in rows if r["problem"] == problem and r["curve"]]
        for strategy in [s for s in PLOTTED if any(r["strategy"] == s for r in mine)]:
            curves = np.array([r["curve"] for r in mine if r["strategy"] == strategy])
            default = strategy == "ours default"
            line, = ax.plot(np.arange(1, curves.shape[1] + 1),
                            np.median(curves, axis=0), label=strategy,
                            linewidth=2.5 if default else 1.2,
                            zorder=3 if default else 2)
            if default:
                # Evaluation numbers are 1-based on the axis.
                starts = sorted({i for r in mine if r["strategy"] == strategy
                                 for i in r["restart_at"]})
                ax.plot(np.array(starts) + 1, np.median(curves, axis=0)[starts], "|",
                        color="black", markersize=9, zorder=4,
                        label="restart of ours default (any seed)")
        ax.set_title(problem)
        ax.set_xscale("log")
        ax.set_xlabel("evaluations")
    axes[0][0].set_ylabel("best score so far (median over seeds)")
    axes[0][-1].legend(fontsize=7, loc="lower right")
    fig.tight_layout()
    fig.savefig(path, dpi=90)
    print(f"\nwrote {path}")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true",
                        help="two problems, 2 seeds, budgets 30 and 60 (< 1 min)")
    parser.add_argument("--problems", nargs="+", default=list(PROBLEM_NAMES),
                        choices=list(PROBLEM_NAMES))
    parser.add_argument("--strategies", nargs="+", choices=list(STRATEGIES),
                        default=["ours default", "ours ga", "ours cmaes",
                                 "ours ga, no restarts", *PEERS])
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--seed-offset", type=int, default=0)
    parser.add_argument("--out", type=Path, help="append rows to this JSON-lines file")
    parser.add_argument("--plot", type=Path, help="write the convergence plot here")
    parser.add_argument("--summarize", type=Path, nargs="+",
                        help="print the tables of JSON-lines files and exit")
    args = parser.parse_args(argv)
    if args.summarize:
        rows = [json.loads(line) for path in args.summarize
                for line in path.read_text().splitlines() if line.strip()]
        print_tables(rows)
        if args.plot:
            plot(rows, args.plot)
        return
    global BUDGETS
    pin_blas()
    started = time.perf_counter()
    problems, seeds = args.problems, range(args.seed_offset,
                                           args.seed_offset + args.seeds)
    if args.quick:
        BUDGETS = (30, 60)
        problems, seeds = ["rastrigin-4", "kernelridge-diabetes"], range(2)
    rows = run(problems, args.strategies, seeds)
    if args.out:
        write_jsonl(rows, args.out)
    print_tables(rows)
    if args.plot:
        plot(rows, args.plot)
    print(f"\n(total {time.perf_counter() - started:.0f}s wall; optimizer times are "
          "CPU time; n_jobs=1; 1 BLAS thread)")


if __name__ == "__main__":
    main()
