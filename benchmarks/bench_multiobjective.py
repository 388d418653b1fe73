"""Pareto fronts: BayesSearchCV, EvolutionarySearchCV and HyperbandSearchCV
with several `objectives`, against Optuna's NSGA-II and TPE samplers and
RandomizedSearchCV, side by side.

Figures (medians over seeds, one BLAS thread, n_jobs=1):

1. Hypervolume of the non-dominated set of the first 60 and 150 evaluations
   (all objectives maximised; the reference point is printed with each
   problem), and its ratio to each peer's. Every search runs to 150
   evaluations and is read at its first 60 and 150: RandomizedSearchCV and
   the Optuna studies draw in sequence, BayesSearchCV asks one candidate at
   a time after its design, and EvolutionarySearchCV asks generations of
   10 without restarts with several objectives, so their first 60 are what
   a 60-evaluation run evaluates.
2. Optimizer time per evaluation (ask and tell, no fit) of BayesOptimizer
   and EvolutionaryOptimizer on ZDT1, with its two objectives and with the
   first alone, and their ratio (the issue's bound: at most 2).
3. HyperbandSearchCV (MOASHA's promotion) on the analytic problems given
   a resource, ``epochs`` from 1 to 27 (fewer epochs make every objective
   worse by a factor ``1 + 2 * (1 / epochs - 1 / 27)``), against
   RandomizedSearchCV at the full resource for the same sum of epochs (the
   budget of 30 and 60 full fits): the hypervolume of the full-resource
   front, the median ratio and the seeds on which Hyperband's is higher.

Optuna has no scikit-learn search for several objectives (OptunaSearchCV is
single-metric), so its samplers drive the same cross-validation through a
study with one direction per objective: each trial calls
:func:`sklearn.model_selection.cross_validate` with the same folds and
scorers, and reports the same means a search's ``cv_results_`` holds.
NSGA-II runs with a population of 10, as EvolutionarySearchCV does (its
default of 50 is a single generation at 60 evaluations); TPE keeps its
defaults (multi-objective TPE).

Problems:

- ``zdt1``, ``zdt2``: ZDT1 and ZDT2 in 6 dimensions (two objectives,
  minimised; convex and concave fronts), 2-fold CV of an estimator whose
  scorers return minus each objective.
- ``dtlz2``: DTLZ2 with 3 objectives in 6 dimensions (k = 4).
- ``l1-logistic-cancer``: an L1 LogisticRegression (liblinear, seeded) after
  scaling and SelectKBest on load_breast_cancer: log-loss against the number of non-zero
  coefficients (deterministic), over k, C and intercept_scaling, 3 folds.
- ``hgb-cancer``: HistGradientBoostingClassifier on load_breast_cancer,
  accuracy against the mean fit time of 3 folds (stratified, shuffled with
  seed 0), over learning_rate, max_iter, max_leaf_nodes and
  min_samples_leaf. Its fit times are measured on a shared machine: its
  hypervolumes compare strategies within one run only, in which every
  strategy runs seed 0, then every strategy seed 1, and so on, so that a
  change of the machine's load moves them alike.

    python -m benchmarks.bench_multiobjective --quick
    python -m benchmarks.bench_multiobjective [--problems zdt1 zdt2 dtlz2
        l1-logistic-cancer hgb-cancer] [--seeds 5] [--first-seed 0]
        [--budgets 60 150]
        [--strategies bayes evolution optuna-nsga2 optuna-tpe random]
"""

import argparse
import math
import os
import time
import warnings

import numpy as np
import sklearn
from sklearn.base import BaseEstimator, RegressorMixin, clone
from sklearn.model_selection import (
    KFold,
    RandomizedSearchCV,
    StratifiedKFold,
    cross_validate,
)

from benchmarks._common import pin_blas, to_optuna, to_scipy, to_tune
from sklearn_tune import BayesSearchCV, EvolutionarySearchCV, HyperbandSearchCV, Real
from sklearn_tune.optimizers import BayesOptimizer, EvolutionaryOptimizer, hypervolume

_SKLEARN = tuple(int(part) for part in sklearn.__version__.split(".")[:2])
STRATEGIES = ("bayes", "evolution", "optuna-nsga2", "optuna-tpe", "random")
OURS = ("bayes", "evolution")
PEERS = ("optuna-nsga2", "optuna-tpe", "random")

# --------------------------------------------------------------- analytic ---


def _zdt(x, concave):
    g = 1 + 9 * np.mean(x[1:])
    ratio = x[0] / g
    return [x[0], g * (1 - (ratio**2 if concave else np.sqrt(ratio)))]


def _dtlz2(x):
    g = np.sum((x[2:] - 0.5) ** 2)
    a, b = x[0] * np.pi / 2, x[1] * np.pi / 2
    return [
        (1 + g) * np.cos(a) * np.cos(b),
        (1 + g) * np.cos(a) * np.sin(b),
        (1 + g) * np.sin(a),
    ]


#: name -> (objectives to minimise of x in [0, 1]^6, number of objectives)
ANALYTIC = {
    "zdt1": (lambda x: _zdt(x, concave=False), 2),
    "zdt2": (lambda x: _zdt(x, concave=True), 2),
    "dtlz2": (_dtlz2, 3),
}


class MultiObjectiveFunction(RegressorMixin, BaseEstimator):
    """An estimator whose scorers (:class:`ObjectiveScorer`) return minus the
    objectives of an analytic problem at its parameters; ``fit`` does
    nothing."""

    def __init__(self, function="zdt1", x0=0.0, x1=0.0, x2=0.0, x3=0.0, x4=0.0,
                 x5=0.0):
        self.function = function
        self.x0, self.x1, self.x2, self.x3, self.x4, self.x5 = x0, x1, x2, x3, x4, x5

    def fit(self, X, y=None):
        self.n_features_in_ = np.asarray(X).shape[1]
        return self

    def predict(self, X):
        return np.zeros(len(X))

    def objectives(self):
        x = np.array([self.x0, self.x1, self.x2, self.x3, self.x4, self.x5], float)
        return ANALYTIC[self.function][0](x)


class ObjectiveScorer:
    """Scorer returning minus objective `j` of a MultiObjectiveFunction."""

    def __init__(self, j):
        self.j = j

    def __call__(self, estimator, X, y=None):
        return -float(estimator.objectives()[self.j])


# ---------------------------------------------------------------- problems --


class MOProblem:
    """A problem: estimator, data, folds, neutral space, scorers, objectives
    (maximised ``cv_results_`` columns) and the hypervolume reference."""

    def __init__(self, name, estimator, X, y, cv, space, scoring, objectives,
                 reference):
        self.name, self.estimator, self.X, self.y, self.cv = name, estimator, X, y, cv
        self.space, self.scoring = space, scoring
        self.objectives, self.reference = objectives, np.asarray(reference, float)

    def matrix(self, results):
        """Objective matrix (maximised) of the rows of a cv_results_-like dict."""
        columns = []
        for name in self.objectives:
            if name == "fit_time":
                columns.append(-np.asarray(results["mean_fit_time"], float))
            else:
                columns.append(np.asarray(results[f"mean_test_{name}"], float))
        return np.column_stack(columns)


def _analytic(name):
    _, m = ANALYTIC[name]
    scoring = {f"f{j + 1}": ObjectiveScorer(j) for j in range(m)}
    # Past the worst a point of the front reaches (f1 <= 1; f2 <= g <= 10 for
    # ZDT; every f <= 1 + g <= 2 for DTLZ2), so every evaluation may count.
    reference = [-1.1, -11.0] if m == 2 else [-2.1] * 3
    return MOProblem(
        name, MultiObjectiveFunction(function=name), np.zeros((20, 1)), np.zeros(20),
        KFold(2), {f"x{i}": ("real", 0.0, 1.0, False) for i in range(6)}, scoring,
        list(scoring), reference,
    )


def _hgb_cancer():
    from sklearn.datasets import load_breast_cancer
    from sklearn.ensemble import HistGradientBoostingClassifier

    X, y = load_breast_cancer(return_X_y=True)
    return MOProblem(
        "hgb-cancer",
        HistGradientBoostingClassifier(early_stopping=False, random_state=0),
        X, y, StratifiedKFold(3, shuffle=True, random_state=0),
        {
            "learning_rate": ("real", 1e-2, 1.0, True),
            "max_iter": ("int", 5, 50, True),
            "max_leaf_nodes": ("int", 2, 32, True),
            "min_samples_leaf": ("int", 2, 64, True),
        },
        {"accuracy": "accuracy"}, ["accuracy", "fit_time"],
        # Accuracy 0.85 (the majority class scores 0.63), fit time 1 s.
        [0.85, -1.0],
    )


class NegativeNonZero:
    """Scorer: minus the number of non-zero coefficients of a pipeline's
    final linear model (its model size, maximised)."""

    def __call__(self, estimator, X, y=None):
        return -float(np.count_nonzero(estimator[-1].coef_))


def _l1_logistic_cancer():
    from sklearn.datasets import load_breast_cancer
    from sklearn.feature_selection import SelectKBest
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    X, y = load_breast_cancer(return_X_y=True)
    # scikit-learn 1.8 deprecated `penalty` for `l1_ratio`.
    l1 = {"l1_ratio": 1.0} if _SKLEARN >= (1, 8) else {"penalty": "l1"}
    # liblinear shuffles the coordinates it descends: without a seed the same
    # candidate scored 17 or 18.3 non-zero coefficients from one run to the
    # next, and the hypervolumes of a seed moved by 0.2%.
    pipe = make_pipeline(
        StandardScaler(), SelectKBest(),
        LogisticRegression(solver="liblinear", random_state=0, **l1),
    )
    return MOProblem(
        "l1-logistic-cancer", pipe, X, y,
        StratifiedKFold(3, shuffle=True, random_state=0),
        {
            "selectkbest__k": ("int", 1, 30, False),
            "logisticregression__C": ("real", 1e-3, 1e2, True),
            "logisticregression__intercept_scaling": ("real", 1e-2, 1e2, True),
        },
        {"log_loss": "neg_log_loss", "non_zero": NegativeNonZero()},
        ["log_loss", "non_zero"],
        # Log-loss 0.7 (predicting the class frequencies scores 0.66), and
        # one more coefficient than the 30 features.
        [-0.7, -31.0],
    )


PROBLEMS = {
    "zdt1": lambda: _analytic("zdt1"),
    "zdt2": lambda: _analytic("zdt2"),
    "dtlz2": lambda: _analytic("dtlz2"),
    "hgb-cancer": _hgb_cancer,
    "l1-logistic-cancer": _l1_logistic_cancer,
}

# -------------------------------------------------------------- strategies --


def _ours(cls, problem, n_iter, seed, **params):
    search = cls(
        clone(problem.estimator), to_tune(problem.space), n_iter=n_iter,
        scoring=problem.scoring, cv=problem.cv, refit=False, random_state=seed,
        objectives=problem.objectives, **params,
    )
    search.fit(problem.X, problem.y)
    return problem.matrix(search.cv_results_)


def _random(problem, n_iter, seed, estimator=None):
    search = RandomizedSearchCV(
        clone(problem.estimator if estimator is None else estimator), to_scipy(problem.space), n_iter=n_iter,
        scoring=problem.scoring, cv=problem.cv, refit=False, random_state=seed,
    )
    search.fit(problem.X, problem.y)
    return problem.matrix(search.cv_results_)


def _optuna(problem, n_iter, seed, sampler):
    import optuna

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    distributions = to_optuna(problem.space)
    if sampler == "nsga2":
        sampler = optuna.samplers.NSGAIISampler(population_size=10, seed=seed)
    else:
        sampler = optuna.samplers.TPESampler(seed=seed)
    directions = [
        "minimize" if name == "fit_time" else "maximize" for name in problem.objectives
    ]
    study = optuna.create_study(directions=directions, sampler=sampler)
    rows = []

    def objective(trial):
        params = {name: trial._suggest(name, d) for name, d in distributions.items()}
        scores = cross_validate(
            clone(problem.estimator).set_params(**params), problem.X, problem.y,
            cv=problem.cv, scoring=problem.scoring,
        )
        row = {"mean_fit_time": np.mean(scores["fit_time"])}
        for name in problem.scoring:
            row[f"mean_test_{name}"] = np.mean(scores[f"test_{name}"])
        rows.append(row)
        return [
            row["mean_fit_time"] if name == "fit_time" else row[f"mean_test_{name}"]
            for name in problem.objectives
        ]

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
        study.optimize(objective, n_trials=n_iter)
    return problem.matrix({key: [row[key] for row in rows] for key in rows[0]})


def run(strategy, problem, n_iter, seed):
    if strategy == "bayes":
        return _ours(BayesSearchCV, problem, n_iter, seed)
    if strategy == "evolution":
        return _ours(EvolutionarySearchCV, problem, n_iter, seed)
    if strategy == "random":
        return _random(problem, n_iter, seed)
    return _optuna(problem, n_iter, seed, strategy.removeprefix("optuna-"))


# ------------------------------------------------------------------ report --


def _load():
    """The machine's 1-minute load average (its fit times depend on it)."""
    return f"{os.getloadavg()[0]:.1f}" if hasattr(os, "getloadavg") else "unknown"


def _hypervolumes(problems, strategies, seeds, budgets):
    table = {}
    for name in problems:
        problem = PROBLEMS[name]()
        print(f"\n{name}: reference point {problem.reference.tolist()} "
              f"(objectives {problem.objectives}, maximised; load average "
              f"{_load()})")
        values = {(strategy, b): [] for strategy in strategies for b in budgets}
        spent = dict.fromkeys(strategies, 0.0)
        # Seed by seed, every strategy in turn: a change of the machine's
        # load during the run then moves every strategy's fit times alike.
        for seed in seeds:
            for strategy in strategies:
                start = time.perf_counter()
                Y = run(strategy, problem, max(budgets), seed)
                spent[strategy] += time.perf_counter() - start
                for b in budgets:
                    values[strategy, b].append(hypervolume(Y[:b], problem.reference))
        for strategy in strategies:
            for b in budgets:
                table[name, strategy, b] = values[strategy, b]
            line = "  ".join(
                f"HV@{b} median {np.median(values[strategy, b]):.4g}" for b in budgets
            )
            print(f"  {strategy:13s} {line}   ({spent[strategy]:.0f}s)")
        print(f"  load average at the end: {_load()}")
    return table


def _ratios(table, problems, strategies, budgets):
    print("\nRatio of median hypervolumes, ours / peer (>= 1: ours at least as good)")
    peers = [p for p in PEERS if p in strategies]
    for ours in (s for s in OURS if s in strategies):
        for b in budgets:
            wins = {p: 0 for p in peers}
            for name in problems:
                mine = np.median(table[name, ours, b])
                cells = []
                for peer in peers:
                    theirs = np.median(table[name, peer, b])
                    ratio = mine / theirs if theirs > 0 else math.inf
                    wins[peer] += ratio >= 1
                    cells.append(f"{peer} {ratio:.3f}")
                print(f"  {ours:9s} @{b:<4d} {name:11s} " + "  ".join(cells))
            tally = ", ".join(f">= {p} on {w}/{len(problems)}" for p, w in wins.items())
            print(f"  {ours:9s} @{b:<4d} {tally}")


# --------------------------------------------------------------- hyperband --


class LevelledObjectiveFunction(MultiObjectiveFunction):
    """A MultiObjectiveFunction with a resource, ``epochs``: fewer epochs
    make every objective worse by a factor ``1 + 2 * (1 / epochs - 1 /
    max_epochs)``, so that each level orders each objective as the full
    resource does, and the full resource scores the problem itself."""

    def __init__(self, function="zdt1", x0=0.0, x1=0.0, x2=0.0, x3=0.0, x4=0.0,
                 x5=0.0, epochs=27, max_epochs=27):
        super().__init__(function, x0, x1, x2, x3, x4, x5)
        self.epochs = epochs
        self.max_epochs = max_epochs

    def objectives(self):
        factor = 1 + 2 * (1 / self.epochs - 1 / self.max_epochs)
        return [factor * f for f in super().objectives()]


def _hyperband_vs_random(problems, seeds, n_full_fits, max_epochs=27):
    """HyperbandSearchCV (adaptive) against RandomizedSearchCV at the full
    resource, for the same sum of epochs: the hypervolume of the
    full-resource front."""
    print(f"\nHyperbandSearchCV with a resource (epochs 1 to {max_epochs}), "
          "against RandomizedSearchCV at the full resource, at equal budget "
          "(the sum of epochs of the rows: the budget of n full fits)")
    for name in problems:
        problem = PROBLEMS[name]()
        estimator = LevelledObjectiveFunction(function=name, max_epochs=max_epochs)
        space = to_tune(problem.space)
        for n_full in n_full_fits:
            ours, random = [], []
            for seed in seeds:
                search = HyperbandSearchCV(
                    estimator, space, n_iter=100_000, scoring=problem.scoring,
                    cv=problem.cv, refit=False, random_state=seed,
                    objectives=problem.objectives, resource="epochs",
                    budget=n_full * max_epochs,
                ).fit(problem.X, problem.y)
                Y = problem.matrix(search.cv_results_)
                ours.append(hypervolume(Y[search.pareto_front_], problem.reference))
                random.append(hypervolume(
                    _random(problem, n_full, seed, estimator), problem.reference
                ))
            wins = sum(o > r for o, r in zip(ours, random))
            print(f"  {name:6s} budget {n_full:3d} full fits: hyperband HV median "
                  f"{np.median(ours):.4g}, random {np.median(random):.4g}, ratio "
                  f"{np.median(ours) / np.median(random):.3f}, hyperband higher "
                  f"on {wins}/{len(seeds)} seeds")


def _optimizer_time(n_evaluations, seeds):
    """Optimizer seconds per evaluation on ZDT1: two objectives and one."""
    space = {f"x{i}": Real(0.0, 1.0) for i in range(6)}
    function = ANALYTIC["zdt1"][0]
    print(f"\nOptimizer time per evaluation (ask + tell), ZDT1, {n_evaluations} "
          "evaluations")
    for cls in (BayesOptimizer, EvolutionaryOptimizer):
        per = {}
        for n_objectives in (1, 2):
            times = []
            for seed in seeds:
                opt = cls(space, random_state=seed)
                spent = 0.0
                while len(opt.scores_) < n_evaluations:
                    size = min(opt.next_batch_size(), n_evaluations - len(opt.scores_))
                    start = time.perf_counter()
                    batch = opt.ask(size)
                    spent += time.perf_counter() - start
                    values = [
                        [-v for v in function(np.array([c[f"x{i}"] for i in range(6)]))]
                        for c in batch
                    ]
                    scores = [v[:n_objectives] if n_objectives > 1 else v[0]
                              for v in values]
                    start = time.perf_counter()
                    opt.tell(batch, scores)
                    spent += time.perf_counter() - start
                times.append(spent / n_evaluations)
            per[n_objectives] = float(np.median(times))
        print(f"  {cls.__name__:22s} 1 objective {per[1] * 1e3:.2f} ms, "
              f"2 objectives {per[2] * 1e3:.2f} ms, ratio {per[2] / per[1]:.2f}")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true",
                        help="ZDT1 only, 30 evaluations, 2 seeds (< 1 minute)")
    parser.add_argument("--problems", nargs="+", choices=list(PROBLEMS),
                        default=list(PROBLEMS))
    parser.add_argument("--strategies", nargs="+", choices=STRATEGIES,
                        default=list(STRATEGIES))
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--first-seed", type=int, default=0,
                        help="seeds run from this one (design seeds: 100)")
    parser.add_argument("--budgets", type=int, nargs="+", default=[60, 150])
    args = parser.parse_args(argv)
    if args.quick:
        args.problems, args.seeds, args.budgets = ["zdt1"], 2, [30]
    seeds = list(range(args.first_seed, args.first_seed + args.seeds))
    budgets = sorted(args.budgets)
    with pin_blas():
        table = _hypervolumes(args.problems, args.strategies, seeds, budgets)
        _ratios(table, args.problems, args.strategies, budgets)
        _optimizer_time(budgets[-1], seeds)
        analytic = [name for name in args.problems if name in ANALYTIC]
        if analytic:
            _hyperband_vs_random(analytic, seeds, [10] if args.quick else [30, 60])


if __name__ == "__main__":
    main()
