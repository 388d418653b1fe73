"""What one ask of BayesOptimizer costs, next to Optuna's TPE, and where it goes.

Run from the repository root::

    python -m benchmarks.bench_bayes_speed --quick          # smoke run
    python -m benchmarks.bench_bayes_speed --part profile   # stage table
    python -m benchmarks.bench_bayes_speed --part speed     # vs TPE
    python -m benchmarks.bench_bayes_speed --part scaling   # the 300-point cap
    python -m benchmarks.bench_bayes_speed --part parallel  # n_jobs=2

All parts pin BLAS/OpenMP to one thread and time in process CPU time
(``time.process_time``), since the machine they were written on is shared.

profile
    cProfile of the asks of BayesOptimizer around 30, 100, 300 and 1000
    evaluations in a 6-D mixed space (Hartmann-6 with an integer, a
    log-integer, a log-real and a categorical dimension) and a 20-D mixed
    space (twelve reals, four integers, four categoricals), grouped by stage:
    output warping, hyperparameter fit, Cholesky factorisation, acquisition
    search (candidate scoring, L-BFGS-B polish, discrete local search),
    encoding and decoding of candidates. The optimizer reaches each size by
    its own asks after a prefix of random evaluations (so that the
    hyperparameters are warm, as in a real run); ``--window`` asks are
    profiled and averaged, and timed again without the profiler on a copy
    of the optimizer (the same asks), with timers around the coarse stages
    only and the evaluations of the two L-BFGS-B searches counted (the
    hyperparameters' log posterior, the acquisition polish).
speed
    Optimizer CPU time per iteration (ask plus tell) of full ask/tell loops
    from scratch, BayesOptimizer against Optuna's TPESampler (default
    settings, ``study.ask``/``study.tell`` with fixed distributions), side by
    side in one run: the median (and the mean, which counts the occasional
    refit of the hyperparameters) over the iterations with 95-105 and
    495-505 evaluations told, and for BayesOptimizer the last ten of a run
    of 1000; how many iterations of those windows refitted the
    hyperparameters, what they cost against the others, and what share of
    the window's time that extra cost is (the gap between the mean and the
    median). Also the best value found, so that speed is not bought with
    quality, and the cost of one ask of a batch of 1, 2, 4 and 8 candidates
    at about 100 evaluations.
scaling
    What conditioning on at most 300 points (the best half and an even
    spread of the others) costs in quality: the best value after 300 and
    500 evaluations, and the CPU time per iteration at the end, with the
    cap and with every point, in both spaces, side by side in one run.
parallel
    Wall-time speed-up of ``n_jobs=2`` over ``n_jobs=1`` for BayesSearchCV
    and RandomizedSearchCV, median over `--seeds`, 4-fold CV, on
    `--parallel-problems`: ``svc-digits`` (SVC on digits, fits of about
    70 ms) and ``svc-synthetic`` (SVC on 5,000 rows of a seeded
    ``make_classification``, fits of about 0.4 s, where the fits
    dominate whatever a batch costs beyond them). The serial part of
    BayesSearchCV is the optimizer and one joblib call per batch. First,
    what one joblib call costs beyond its tasks on two loky workers: batches
    of four tasks that sleep 67 ms, about what a fit and score of SVC on
    digits took (its ``cv_results_`` with ``n_jobs=1``), so that the figure does not
    depend on the machine's load, with digits' ``X`` as an argument and
    without, against one call of all the tasks.
"""

import argparse
import copy
import cProfile
import pstats
import time
import warnings

import numpy as np

from benchmarks._common import ANALYTIC, _markdown, pin_blas

# ---------------------------------------------------------------- spaces ---


def _space_6d():
    from sklearn_tune import Categorical, Integer, Real

    return {
        "x0": Real(0.0, 1.0),
        "x1": Real(0.01, 1.0, log=True),
        "x2": Integer(0, 20),
        "x3": Categorical([0.0, 0.2, 0.4, 0.6, 0.8, 1.0]),
        "x4": Real(0.0, 1.0),
        "x5": Integer(1, 100, log=True),
    }


def _value_6d(c):
    """Hartmann-6 (maximised) on the mixed encoding of bench_bayes."""
    x = [c["x0"], c["x1"], c["x2"] / 20.0, c["x3"], c["x4"], c["x5"] / 100.0]
    return -ANALYTIC["hartmann6"][0](x)


_CENTRE_20 = np.linspace(0.15, 0.85, 12)
_CAT_LEVELS = ["a", "b", "c", "d"]


def _space_20d():
    from sklearn_tune import Categorical, Integer, Real

    space = {f"r{i}": Real(0.0, 1.0, log=False) for i in range(10)}
    space["r10"] = Real(1e-3, 1.0, log=True)
    space["r11"] = Real(1e-3, 1.0, log=True)
    for i in range(4):
        space[f"n{i}"] = Integer(0, 10 * (i + 1))
    for i in range(4):
        space[f"c{i}"] = Categorical(_CAT_LEVELS[: i + 2])
    return space


def _value_20d(c):
    """A rugged quadratic bowl over the reals (log scale for r10, r11), with
    integer and categorical terms; maximum 0."""
    x = np.array([c[f"r{i}"] for i in range(10)]
                 + [1 + np.log10(c["r10"]) / 3, 1 + np.log10(c["r11"]) / 3])
    d = x - _CENTRE_20
    value = -np.sum(d**2) - 0.05 * np.sum(1 - np.cos(6 * np.pi * d))
    value -= sum(((c[f"n{i}"] - 3 * (i + 1)) / (10 * (i + 1))) ** 2 for i in range(4))
    value -= sum(0.2 * _CAT_LEVELS.index(c[f"c{i}"]) for i in range(4))
    return float(value)


SPACES = {"6d": (_space_6d, _value_6d), "20d": (_space_20d, _value_20d)}

# --------------------------------------------------------------- profile ---

# Stage -> functions whose cumulative time it is, outermost first; a stage's
# time excludes that of the stages listed after it that it calls.
STAGES = {
    "warping": [("_warping.py", "__init__")],
    "hyperparameter fit": [("_gp.py", "_optimize")],
    "cholesky (condition)": [("_gp.py", "_factorize"), ("_gp.py", "_extend_factor")],
    "batch/pending belief": [("_gp.py", "fantasize")],
    "acquisition: polish": [("_subspace_model.py", "_polish")],
    "acquisition: discrete": [("_subspace_model.py", "_climb")],
    "acquisition: total": [("_subspace_model.py", "propose")],
    "encode/decode": [("space.py", "encode"), ("space.py", "decode"),
                      ("space.py", "snap"), ("_subspace_model.py", "features")],
}


def _stage_times(stats):
    """Cumulative seconds per stage of a pstats.Stats."""
    out = dict.fromkeys(STAGES, 0.0)
    for (filename, _, name), (_, _, _, cumtime, _) in stats.stats.items():
        for stage, functions in STAGES.items():
            if any(filename.endswith(f) and name == n for f, n in functions):
                out[stage] += cumtime
    return out


class _StageClock:
    """Inclusive CPU time of the coarse stages of an ask, without a profiler.

    A timer around each of a few functions that run a handful of times per
    ask costs microseconds, where cProfile's hook on every call inflates
    the numpy-bound stages; also counts the evaluations of the two L-BFGS-B
    searches (the log posterior of the hyperparameters, the acquisition
    polish), which do not depend on the machine's load.
    """

    def __init__(self):
        from sklearn_tune.optimizers import _bayes, _gp, _subspace_model

        gp, model = _gp.GaussianProcess, _subspace_model.SubspaceModel
        self.timed = {
            "warping": [(_bayes, "OutputWarping")],
            "hyperparameter fit": [(gp, "_optimize")],
            "cholesky (condition)": [(gp, "_factorize"), (gp, "_extend_factor")],
            "acquisition: polish": [(model, "_polish")],
            "acquisition: discrete": [(model, "_climb")],
            "acquisition: total": [(model, "propose")],
        }
        self.counted = {"likelihood evaluations": _gp,
                        "polish evaluations": _subspace_model}
        self.seconds = dict.fromkeys(self.timed, 0.0)
        self.counts = dict.fromkeys(["refits", *self.counted], 0)

    def _timer(self, stage, function):
        def timed(*args, **kwargs):
            start = time.process_time()
            try:
                return function(*args, **kwargs)
            finally:
                self.seconds[stage] += time.process_time() - start
        return timed

    def _counter(self, name, minimize):
        def counted(*args, **kwargs):
            result = minimize(*args, **kwargs)
            self.counts[name] += result.nfev
            if name == "likelihood evaluations":
                self.counts["refits"] += 1
            return result
        return counted

    def __enter__(self):
        self._saved = []
        for stage, functions in self.timed.items():
            for owner, name in functions:
                function = getattr(owner, name)
                self._saved.append((owner, name, function))
                setattr(owner, name, self._timer(stage, function))
        for name, module in self.counted.items():
            self._saved.append((module, "minimize", module.minimize))
            module.minimize = self._counter(name, module.minimize)
        return self

    def __exit__(self, *exc):
        for owner, name, function in reversed(self._saved):
            setattr(owner, name, function)


def _random_prefix(opt, value, n, rng):
    from sklearn_tune.optimizers import RandomOptimizer

    random = RandomOptimizer(opt.space, random_state=rng)
    batch = random.ask(n)
    opt.tell(batch, [value(c) for c in batch])


def profile_asks(space_name, n, window, seed=0, warm=5):
    """Average stage times (ms) of `window` asks at about `n` evaluations."""
    from sklearn_tune.optimizers import BayesOptimizer

    make_space, value = SPACES[space_name]
    opt = BayesOptimizer(make_space(), n_initial_points=0, random_state=seed)
    _random_prefix(opt, value, max(n - warm - window // 2, 2), seed)
    for _ in range(warm):
        batch = opt.ask()
        opt.tell(batch, [value(c) for c in batch])
    # The same asks without the profiler, whose overhead inflates the
    # numpy-bound stages: a copy of the optimizer repeats them exactly.
    twin = copy.deepcopy(opt)
    with _StageClock() as clock:
        start = time.process_time()
        for _ in range(window):
            batch = twin.ask()
            twin.tell(batch, [value(c) for c in batch])
        plain = time.process_time() - start
    profiler = cProfile.Profile(time.process_time)
    start = time.process_time()
    profiler.enable()
    for _ in range(window):
        batch = opt.ask()
        opt.tell(batch, [value(c) for c in batch])
    profiler.disable()
    total = time.process_time() - start
    times = _stage_times(pstats.Stats(profiler))
    row = {"space": space_name, "n": n,
           "ask+tell (unprofiled)": 1e3 * plain / window,
           "ask+tell (profiled)": 1e3 * total / window}
    row.update({k: 1e3 * v / window for k, v in times.items()})
    unprofiled = {"space": space_name, "n": n,
                  "ask+tell": 1e3 * plain / window,
                  **{k: 1e3 * v / window for k, v in clock.seconds.items()},
                  "refits per ask": clock.counts["refits"] / window,
                  "likelihood evaluations per refit":
                      clock.counts["likelihood evaluations"]
                      / max(clock.counts["refits"], 1),
                  "polish evaluations per ask":
                      clock.counts["polish evaluations"] / window}
    return row, unprofiled


def run_profile(space_names, sizes, window):
    import pandas as pd

    rows, unprofiled = [], []
    for space_name in space_names:
        for n in sizes:
            row, plain = profile_asks(space_name, n, window)
            rows.append(row)
            unprofiled.append(plain)
            print(f"  {space_name} n={n}: "
                  f"{rows[-1]['ask+tell (unprofiled)']:.1f} ms", flush=True)
    df = pd.DataFrame(rows).set_index(["space", "n"])
    print("\nCPU ms per ask (mean of the window); the stages are measured "
          "under cProfile, whose overhead inflates them, the first column "
          "without it\n")
    print(_markdown(df.round(2).reset_index()))
    print("\nThe same asks without the profiler: CPU ms per ask of the coarse "
          "stages (a refit's time spread over the window), and the "
          "evaluations of the two L-BFGS-B searches\n")
    print(_markdown(pd.DataFrame(unprofiled).round(2)))
    return rows


# ----------------------------------------------------------------- speed ---


def _tpe_loop(space_name, n_iter, seed):
    import optuna

    from benchmarks._common import to_optuna

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    make_space, value = SPACES[space_name]
    distributions = to_optuna(_neutral(make_space()))
    study = optuna.create_study(
        direction="maximize", sampler=optuna.samplers.TPESampler(seed=seed)
    )
    times, best = [], -np.inf
    for _ in range(n_iter):
        start = time.process_time()
        trial = study.ask(distributions)
        params = trial.params
        elapsed = time.process_time() - start
        y = value(params)
        start = time.process_time()
        study.tell(trial, y)
        times.append(elapsed + time.process_time() - start)
        best = max(best, y)
    return np.array(times), best


def _bayes_loop(space_name, n_iter, seed, candidates=None, refits=None):
    """CPU time per iteration and best value of a run; the candidates told
    are appended to `candidates` if given, and to `refits` whether each
    iteration refitted the hyperparameters."""
    from sklearn_tune.optimizers import BayesOptimizer

    make_space, value = SPACES[space_name]
    opt = BayesOptimizer(make_space(), random_state=seed)
    times, best, refitted = [], -np.inf, []
    while len(times) < n_iter:
        fitted = [m.n_optimized for m in opt._models]
        start = time.process_time()
        batch = opt.ask()
        elapsed = time.process_time() - start
        ys = [value(c) for c in batch]
        start = time.process_time()
        opt.tell(batch, ys)
        if candidates is not None:
            candidates.extend(batch)
        # A design batch is one ask of several points: charge each its share.
        per_point = (elapsed + time.process_time() - start) / len(batch)
        times.extend([per_point] * len(batch))
        refitted.extend([fitted != [m.n_optimized for m in opt._models]] * len(batch))
        best = max(best, *ys)
    if refits is not None:
        refits.extend(refitted[:n_iter])
    return np.array(times[:n_iter]), best


def _neutral(space):
    """sklearn_tune dimensions -> the neutral spec of benchmarks._common."""
    from sklearn_tune import Categorical

    out = {}
    for name, dim in space.items():
        if isinstance(dim, Categorical):
            out[name] = ("cat", list(dim.choices))
        else:
            kind = "int" if type(dim).__name__ == "Integer" else "real"
            out[name] = (kind, dim.low, dim.high, dim.log)
    return out


def _around(times, n, width=5, average=np.median):
    """Median (or other `average`) time of the iterations asked with `n` +-
    `width` told."""
    return float(average(times[max(n - width, 0): n + width + 1]))


def run_speed(space_names, seeds, n_iter, long_run):
    import pandas as pd

    rows = []
    checkpoints = [n for n in (100, 500) if n < n_iter]
    # space -> checkpoint -> (refitting iterations' times, the others')
    windows = {s: {n: ([], []) for n in checkpoints} for s in space_names}
    for space_name in space_names:
        for seed in seeds:
            for strategy, loop in (("BayesOptimizer", _bayes_loop),
                                   ("OptunaTPE", _tpe_loop)):
                if strategy == "BayesOptimizer":
                    refits = []
                    times, best = loop(space_name, n_iter, seed, refits=refits)
                    for n in checkpoints:
                        part = slice(max(n - 5, 0), n + 6)
                        for t, refit in zip(times[part], refits[part]):
                            windows[space_name][n][0 if refit else 1].append(t)
                else:
                    times, best = loop(space_name, n_iter, seed)
                row = {"space": space_name, "strategy": strategy, "seed": seed,
                       "best": best, "total_s": float(times.sum())}
                row.update({f"ms@{n}": 1e3 * _around(times, n) for n in checkpoints})
                # The mean counts the occasional refit of the hyperparameters,
                # which the median of a window leaves out.
                row.update({f"mean_ms@{n}": 1e3 * _around(times, n, average=np.mean)
                            for n in checkpoints})
                rows.append(row)
                print("  " + " ".join(f"{k}={v:.4g}" if isinstance(v, float)
                                      else f"{k}={v}" for k, v in row.items()),
                      flush=True)
    df = pd.DataFrame(rows)
    metrics = ["best", "total_s", *[f"{m}ms@{n}" for n in checkpoints
                                     for m in ("", "mean_")]]
    print(f"\nmedians over seeds {list(seeds)} (CPU ms per iteration)\n")
    med = df.groupby(["space", "strategy"])[metrics].median()
    print(_markdown(med.reset_index()))
    for space_name in space_names:
        for n in checkpoints:
            ratios = [
                med.loc[(space_name, "BayesOptimizer"), f"{m}ms@{n}"]
                / med.loc[(space_name, "OptunaTPE"), f"{m}ms@{n}"]
                for m in ("", "mean_")
            ]
            print(f"{space_name} @{n}: BayesOptimizer / TPE = {ratios[0]:.3f} "
                  f"(medians of the window), {ratios[1]:.3f} (means)")
            refit, plain = windows[space_name][n]
            if refit:
                share = sum(refit) - len(refit) * np.mean(plain)
                print(f"  BayesOptimizer's hyperparameter refits there: "
                      f"{len(refit)} of {len(refit) + len(plain)} iterations, "
                      f"{1e3 * np.mean(refit):.1f} ms each against "
                      f"{1e3 * np.mean(plain):.1f} ms for the others (their "
                      f"extra cost is {share / (sum(refit) + sum(plain)):.0%} "
                      f"of the window's time)")
    if long_run:
        times, best = _bayes_loop("6d", long_run, seeds[0])
        last = 1e3 * float(np.median(times[-10:]))
        mean = 1e3 * float(np.mean(times[-10:]))
        print(f"\nBayesOptimizer, 6d, {long_run} evaluations, seed {seeds[0]}: "
              f"{last:.1f} ms per iteration over the last 10 (median; "
              f"mean {mean:.1f}), "
              f"total {times.sum():.1f} s, best {best:.4f}")
    return rows


def run_batch_cost(space_name, seeds, n=100, sizes=(1, 2, 4, 8), repeats=6):
    """CPU time of one ask of a batch of each size, at `n` evaluations."""
    from sklearn_tune.optimizers import BayesOptimizer

    make_space, value = SPACES[space_name]
    cost = {k: [] for k in sizes}
    for seed in seeds:
        for k in sizes:
            opt = BayesOptimizer(make_space(), n_initial_points=0, random_state=seed)
            _random_prefix(opt, value, n, seed)
            opt.tell(*(lambda b: (b, [value(c) for c in b]))(opt.ask()))
            times = []
            for _ in range(repeats):
                start = time.process_time()
                batch = opt.ask(k)
                times.append(time.process_time() - start)
                opt.tell(batch, [value(c) for c in batch])
            cost[k].append(1e3 * float(np.mean(times)))
    print(f"\nCPU ms of one ask of a batch, {space_name}, about {n} evaluations, "
          f"mean of {repeats} asks, median over seeds {list(seeds)}:")
    for k in sizes:
        med = float(np.median(cost[k]))
        print(f"  batch of {k}: {med:.1f} ms ({med / np.median(cost[sizes[0]]):.2f}"
              f" x one ask)")
    return cost


# --------------------------------------------------------------- scaling ---


def run_scaling(space_names, seeds, n_iter, checkpoints=(300, 500)):
    """Best values with and without the cap on the GP's points."""
    import pandas as pd

    from sklearn_tune.optimizers import _subspace_model

    cap = _subspace_model._MAX_MODEL_POINTS
    checkpoints = [n for n in checkpoints if n <= n_iter]
    rows = []
    for space_name in space_names:
        value = SPACES[space_name][1]
        for seed in seeds:
            for variant, limit in ((f"at most {cap} points", cap),
                                   ("every point", n_iter + 1)):
                _subspace_model._MAX_MODEL_POINTS = limit
                try:
                    keep = []
                    times, _ = _bayes_loop(space_name, n_iter, seed, keep)
                finally:
                    _subspace_model._MAX_MODEL_POINTS = cap
                values = np.maximum.accumulate([value(c) for c in keep])
                row = {"space": space_name, "variant": variant, "seed": seed,
                       **{f"best@{n}": float(values[n - 1]) for n in checkpoints},
                       "ms_last10": 1e3 * float(np.median(times[-10:]))}
                rows.append(row)
                print("  " + " ".join(f"{k}={v:.4g}" if isinstance(v, float)
                                      else f"{k}={v}" for k, v in row.items()),
                      flush=True)
    df = pd.DataFrame(rows)
    print(f"\nmedians over seeds {list(seeds)}\n")
    print(_markdown(df.groupby(["space", "variant"]).median(numeric_only=True)
                    .drop(columns="seed").reset_index()))
    return rows


# -------------------------------------------------------------- parallel ---


def _sleep_task(X, seconds):
    time.sleep(seconds)
    return len(X)


def run_dispatch(n_calls, seconds=0.067, n_tasks=4):
    """Wall ms of a joblib call of `n_tasks` tasks sleeping `seconds` on two
    workers, against the ideal, with and without digits' X as an argument."""
    from joblib import Parallel, delayed
    from sklearn.datasets import load_digits

    X, _ = load_digits(return_X_y=True)
    ideal = 1e3 * seconds * n_tasks / 2
    with Parallel(n_jobs=2) as parallel:
        parallel(delayed(_sleep_task)(X, 0.0) for _ in range(n_tasks))
        for data, label in ((X, f"digits X ({X.nbytes / 1e6:.2f} MB)"),
                            (X[:1], "no data")):
            walls = []
            for _ in range(n_calls):
                start = time.perf_counter()
                parallel(delayed(_sleep_task)(data, seconds) for _ in range(n_tasks))
                walls.append(1e3 * (time.perf_counter() - start))
            start = time.perf_counter()
            parallel(delayed(_sleep_task)(data, seconds)
                     for _ in range(n_calls * n_tasks))
            one = 1e3 * (time.perf_counter() - start)
            print(f"  {label}: {n_calls} calls of {n_tasks} tasks of "
                  f"{1e3 * seconds:.0f} ms: median {np.median(walls):.1f} ms a call "
                  f"(ideal {ideal:.0f}); one call of {n_calls * n_tasks}: "
                  f"{one:.0f} ms (ideal {ideal * n_calls:.0f})", flush=True)


# name: the range of SVC's gamma, which suits the data's scale
PARALLEL_PROBLEMS = {"svc-digits": (1e-5, 1e-1), "svc-synthetic": (1e-4, 1e0)}


def _parallel_data(problem):
    from sklearn.datasets import load_digits, make_classification

    if problem == "svc-digits":
        return load_digits(return_X_y=True)
    return make_classification(n_samples=5000, n_features=20, n_informative=10,
                               random_state=0)


def run_parallel(n_iter, seeds, problem="svc-digits"):
    from scipy.stats import loguniform
    from sklearn.model_selection import KFold, RandomizedSearchCV
    from sklearn.svm import SVC

    from sklearn_tune import BayesSearchCV, Real

    from joblib import Parallel, delayed

    X, y = _parallel_data(problem)
    gamma_low, gamma_high = PARALLEL_PROBLEMS[problem]
    cv = KFold(4, shuffle=True, random_state=0)
    # Start the two workers before any timing, so that no search pays for it.
    Parallel(n_jobs=2)(delayed(abs)(i) for i in range(4))
    speedups = {"BayesSearchCV": [], "RandomizedSearchCV": []}
    for seed in seeds:
        for name in speedups:
            walls = {}
            for n_jobs in (1, 2):
                if name == "BayesSearchCV":
                    search = BayesSearchCV(
                        SVC(), {"C": Real(1e-2, 1e3, log=True),
                                "gamma": Real(gamma_low, gamma_high, log=True)},
                        n_iter=n_iter, cv=cv, n_jobs=n_jobs, random_state=seed,
                        refit=False,
                    )
                else:
                    search = RandomizedSearchCV(
                        SVC(), {"C": loguniform(1e-2, 1e3),
                                "gamma": loguniform(gamma_low, gamma_high)},
                        n_iter=n_iter, cv=cv, n_jobs=n_jobs, random_state=seed,
                        refit=False,
                    )
                start = time.perf_counter()
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    search.fit(X, y)
                walls[n_jobs] = time.perf_counter() - start
                if n_jobs == 1:
                    results = search.cv_results_
                    fit_ms = 1e3 * np.median(results["mean_fit_time"]
                                             + results["mean_score_time"])
            speedups[name].append(walls[1] / walls[2])
            print(f"  {name:18s} seed {seed}: n_jobs=1 {walls[1]:.1f}s, "
                  f"n_jobs=2 {walls[2]:.1f}s, speed-up {speedups[name][-1]:.3f} "
                  f"(median fit and score {fit_ms:.0f} ms)", flush=True)
    for name, values in speedups.items():
        print(f"{name}: median speed-up {np.median(values):.3f} over seeds "
              f"{list(seeds)} on {problem} ({n_iter} candidates, "
              "4-fold CV, wall time)")
    return speedups


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="smoke run")
    parser.add_argument("--part",
                        choices=["profile", "speed", "scaling", "parallel", "all"],
                        default="all")
    parser.add_argument("--seeds", type=int, nargs="*", default=[0, 1, 2, 3, 4])
    parser.add_argument("--spaces", nargs="*", default=list(SPACES))
    parser.add_argument("--sizes", type=int, nargs="*", default=[30, 100, 300, 1000])
    parser.add_argument("--window", type=int, default=10)
    parser.add_argument("--n-iter", type=int, default=505)
    parser.add_argument("--long-run", type=int, default=1000)
    parser.add_argument("--scaling-n-iter", type=int, default=500)
    parser.add_argument("--parallel-n-iter", type=int, default=20)
    parser.add_argument("--parallel-problems", nargs="*", default=["svc-digits"],
                        choices=list(PARALLEL_PROBLEMS))
    args = parser.parse_args(argv)
    if args.quick:
        args.seeds, args.sizes, args.window = args.seeds[:1], [30, 60], 3
        args.n_iter, args.long_run, args.parallel_n_iter = 105, 0, 6
        args.scaling_n_iter = 40
        args.spaces = args.spaces[:1]

    import optuna  # noqa: F401  (loads its BLAS before the pinning)
    import sklearn.svm  # noqa: F401

    limits = pin_blas()
    if args.part in ("profile", "all"):
        print("\n## where one ask's time goes")
        run_profile(args.spaces, args.sizes, args.window)
    if args.part in ("speed", "all"):
        print("\n## optimizer CPU time per iteration, side by side")
        run_speed(args.spaces, args.seeds, args.n_iter, args.long_run)
        run_batch_cost(args.spaces[0], args.seeds)
    if args.part in ("scaling", "all"):
        print("\n## the cap on the GP's points: quality and cost")
        run_scaling(args.spaces, args.seeds, args.scaling_n_iter)
    if args.part in ("parallel", "all"):
        print("\n## n_jobs=2 against n_jobs=1, wall time")
        print("what a joblib call costs beyond its tasks, two workers:")
        run_dispatch(3 if args.quick else 13)
        for problem in args.parallel_problems:
            print(f"{problem}:")
            run_parallel(args.parallel_n_iter, args.seeds, problem)
    limits.restore_original_limits()


if __name__ == "__main__":
    main()
