"""Whether two versions of sklearn-tune search alike: same candidates, same scores.

A refactoring must not change what a search does. This script fits every
search, with each of its strategy options, on a few small problems and seeds,
and writes what a user could observe of each fit (every column of
``cv_results_`` except the timings, ``best_params_`` and ``best_index_``) to
a JSON file; ``--compare`` then lists every difference between two such files.

Run it at both versions (for example in a ``git worktree`` of the old one)::

    python -m benchmarks.same_candidates --out before.json   # old checkout
    python -m benchmarks.same_candidates --out after.json    # new checkout
    python -m benchmarks.same_candidates --compare before.json after.json
"""

import argparse
import json
import sys
import warnings

import numpy as np
from scipy.stats import loguniform
from sklearn.datasets import load_diabetes, load_iris, make_classification
from sklearn.linear_model import LogisticRegression, Ridge, SGDClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC

from sklearn_tune import (
    BayesSearchCV,
    EvolutionarySearchCV,
    GradientSearchCV,
    HyperbandSearchCV,
    Integer,
    Real,
)

SEEDS = (0, 1, 2)


def _cases():
    """(name, search factory taking a seed, X, y, fit params) for every case."""
    iris = load_iris(return_X_y=True)
    X_clf, y_clf = make_classification(
        n_samples=240, n_features=8, n_informative=5, random_state=0
    )
    diabetes = load_diabetes(return_X_y=True)
    mixed = {
        "C": Real(1e-3, 1e3, log=True),
        "gamma": loguniform(1e-4, 1e0),
        "kernel": ["rbf", "sigmoid"],
    }
    subspaces = [
        {"C": Real(1e-3, 1e3, log=True), "kernel": ["linear"]},
        {"C": Real(1e-3, 1e3, log=True), "degree": Integer(2, 4), "kernel": ["poly"]},
    ]
    sgd = {"alpha": Real(1e-6, 1e-1, log=True), "penalty": ["l2", "l1"]}
    weights = np.linspace(0.5, 2.0, len(diabetes[1]))
    cases = [
        ("bayes-mixed", lambda s: BayesSearchCV(SVC(), mixed, n_iter=10, cv=3,
                                                random_state=s), iris, {}),
        ("bayes-subspaces", lambda s: BayesSearchCV(SVC(), subspaces, n_iter=8,
                                                    cv=3, random_state=s), iris, {}),
        ("bayes-batch", lambda s: BayesSearchCV(SVC(), mixed, n_iter=10, cv=3,
                                                n_points=3, random_state=s), iris, {}),
    ]
    for strategy in ("ga", "de"):
        cases.append((
            f"evolution-{strategy}",
            lambda s, strategy=strategy: EvolutionarySearchCV(
                SVC(), mixed, n_iter=16, population_size=6, strategy=strategy,
                cv=3, random_state=s),
            iris, {},
        ))
    for sampler in ("random", "bayes"):
        cases.append((
            f"hyperband-n_samples-{sampler}",
            lambda s, sampler=sampler: HyperbandSearchCV(
                SVC(), mixed, n_iter=60 if sampler == "bayes" else 20,
                sampler=sampler, cv=3, random_state=s),
            (X_clf, y_clf), {},
        ))
    cases.append((
        "hyperband-max_iter-warm",
        lambda s: HyperbandSearchCV(
            SGDClassifier(max_iter=27, tol=None, random_state=0), sgd, n_iter=20,
            resource="max_iter", warm_start=True, cv=3, random_state=s),
        (X_clf, y_clf), {},
    ))
    cases += [
        ("gradient-exact-ridge", lambda s: GradientSearchCV(
            make_pipeline(StandardScaler(), Ridge()),
            {"ridge__alpha": Real(1e-4, 1e3, log=True)}, n_iter=8, cv=3,
            random_state=s), diabetes, {}),
        ("gradient-weighted-ridge", lambda s: GradientSearchCV(
            Ridge(), {"alpha": Real(1e-4, 1e3, log=True)}, n_iter=8, cv=3,
            random_state=s), diabetes, {"sample_weight": weights}),
        ("gradient-exact-logistic", lambda s: GradientSearchCV(
            LogisticRegression(max_iter=500), {"C": Real(1e-3, 1e3, log=True)},
            n_iter=8, cv=3, random_state=s), iris, {}),
        ("gradient-probed-svc", lambda s: GradientSearchCV(
            SVC(), {"C": Real(1e-2, 1e3, log=True), "gamma": Real(1e-4, 1, log=True)},
            n_iter=12, cv=3, random_state=s), iris, {}),
    ]
    return cases


def _plain(value):
    """`value` as JSON can hold it, exactly (floats by their repr)."""
    if value is np.ma.masked:
        return "masked"
    if isinstance(value, np.ndarray) and value.ndim == 0:
        return _plain(value.item())
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in sorted(value.items())}
    if isinstance(value, (list, tuple, np.ndarray)):
        return [_plain(v) for v in value]
    if isinstance(value, (float, np.floating)):
        return repr(float(value))
    if isinstance(value, (np.integer, np.bool_)):
        return value.item()
    if value is None or isinstance(value, (str, int, bool)):
        return value
    return repr(value)


def observe(search):
    """What a user sees of a fitted search, timings left out."""
    results = {
        key: _plain(list(values))
        for key, values in search.cv_results_.items()
        if not key.endswith("_time")
    }
    return {
        "cv_results_": results,
        "best_params_": _plain(search.best_params_),
        "best_index_": int(search.best_index_),
    }


def collect():
    observed = {}
    for name, make, (X, y), fit_params in _cases():
        for seed in SEEDS:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                search = make(seed).fit(X, y, **fit_params)
            observed[f"{name}/seed={seed}"] = observe(search)
            print(f"{name} seed={seed}: {len(search.cv_results_['params'])} rows, "
                  f"best {search.best_score_:.6f}", flush=True)
    return observed


def compare(before, after):
    """Lines naming every difference; empty when the files agree."""
    lines = []
    for case in sorted(set(before) | set(after)):
        if case not in before or case not in after:
            lines.append(f"{case}: only in {'after' if case in after else 'before'}")
            continue
        old, new = before[case], after[case]
        for key in ("best_params_", "best_index_"):
            if old[key] != new[key]:
                lines.append(f"{case}: {key} {old[key]} != {new[key]}")
        columns = set(old["cv_results_"]) | set(new["cv_results_"])
        for column in sorted(columns):
            a = old["cv_results_"].get(column)
            b = new["cv_results_"].get(column)
            if a != b:
                lines.append(f"{case}: cv_results_[{column!r}] differs")
    return lines


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", help="write the observations to this JSON file")
    parser.add_argument("--compare", nargs=2, metavar=("BEFORE", "AFTER"))
    args = parser.parse_args(argv)
    if args.compare:
        with open(args.compare[0]) as a, open(args.compare[1]) as b:
            before, after = json.load(a), json.load(b)
        differences = compare(before, after)
        print("\n".join(differences) or
              f"same: {len(before)} fitted searches agree in every column")
        return 1 if differences else 0
    if not args.out:
        parser.error("give --out FILE or --compare BEFORE AFTER")
    observed = collect()
    with open(args.out, "w") as f:
        json.dump(observed, f, indent=1, sort_keys=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
