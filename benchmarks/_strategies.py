"""The searches compared by ``python -m benchmarks.run``: ours and the peers.

Each strategy builds an unfitted search for a problem, a budget of
evaluations, a seed and a number of jobs, on the problem's fixed folds and
scoring. A peer's package is imported only when its strategy is built, so
that a missing package shows as an ImportError of that strategy alone.
"""

import contextlib
import io
import math
import random
from dataclasses import dataclass

import numpy as np

from benchmarks._common import (
    ga_can_express,
    to_ga,
    to_optuna,
    to_scipy,
    to_skopt,
    to_tune,
)
from benchmarks._problems import grid

__all__ = ["OURS", "STRATEGIES", "Strategy", "expand"]


@dataclass
class Strategy:
    """How to build, and fit, one kind of search.

    build : callable
        ``build(problem, budget, seed, n_jobs)`` -> unfitted search.
    applies : callable
        ``applies(problem)`` -> whether the strategy runs on the problem.
    deterministic : bool
        The seed changes nothing but the timings: run it once per problem.
    native : bool
        A cross-validated estimator (``RidgeCV``...), not a search: it has
        no ``cv_results_`` and picks its hyperparameters itself.
    fit : callable or None
        ``fit(search, problem, seed, budget)``; None calls
        ``search.fit(X, y)``.
    """

    name: str
    build: object
    applies: object = lambda problem: True
    deterministic: bool = False
    native: bool = False
    fit: object = None


def _shared(problem, seed, n_jobs):
    return dict(cv=problem.cv, scoring=problem.scoring, n_jobs=n_jobs,
                random_state=seed)


def _continuous(problem):
    return all(spec[0] == "real" for spec in problem.space.values())


def _has_resource(problem):
    return problem.resource is not None


def _ga_applies(problem):
    return ga_can_express(problem.space)


# ----------------------------------------------------------------- ours ---


def _bayes(problem, budget, seed, n_jobs):
    from sklearn_tune import BayesSearchCV

    return BayesSearchCV(problem.make_estimator(), to_tune(problem.space),
                         n_iter=budget, **_shared(problem, seed, n_jobs))


def _evolution(problem, budget, seed, n_jobs):
    from sklearn_tune import EvolutionarySearchCV

    return EvolutionarySearchCV(problem.make_estimator(), to_tune(problem.space),
                                n_iter=budget, **_shared(problem, seed, n_jobs))


def _hyperband(problem, budget, seed, n_jobs):
    from sklearn_tune import HyperbandSearchCV

    return HyperbandSearchCV(problem.make_estimator(), to_tune(problem.space),
                             n_iter=budget, resource=problem.resource,
                             **_shared(problem, seed, n_jobs))


def _gradient(problem, budget, seed, n_jobs):
    from sklearn_tune import GradientSearchCV

    return GradientSearchCV(problem.make_estimator(), to_tune(problem.space),
                            n_iter=budget, **_shared(problem, seed, n_jobs))


# ---------------------------------------------------------------- peers ---


def _grid(problem, budget, seed, n_jobs):
    from sklearn.model_selection import GridSearchCV

    return GridSearchCV(problem.make_estimator(), grid(problem.space, budget),
                        cv=problem.cv, scoring=problem.scoring, n_jobs=n_jobs)


def _random(problem, budget, seed, n_jobs):
    from sklearn.model_selection import RandomizedSearchCV

    return RandomizedSearchCV(problem.make_estimator(), to_scipy(problem.space),
                              n_iter=budget, **_shared(problem, seed, n_jobs))


def halving_candidates(budget, factor=3):
    """Most first-round candidates whose halving rounds stay within `budget`
    rows: ``c + ceil(c / 3) + ...`` over ``1 + floor(log3(c))`` rounds."""
    best = 1
    for c in range(1, budget + 1):
        rounds = 1 + int(math.floor(math.log(c, factor) + 1e-9))
        rows = sum(math.ceil(c / factor**i) for i in range(rounds))
        if rows <= budget:
            best = c
    return best


def _halving(problem, budget, seed, n_jobs):
    from sklearn.experimental import enable_halving_search_cv  # noqa: F401
    from sklearn.model_selection import HalvingRandomSearchCV

    resource = {}
    if problem.resource != "n_samples":
        full = problem.make_estimator().get_params()[problem.resource]
        resource = dict(resource=problem.resource, max_resources=full)
    # "exhaust" makes the last round use the full resource, as Hyperband's
    # does; the default "smallest" may stop far short of it.
    return HalvingRandomSearchCV(
        problem.make_estimator(), to_scipy(problem.space),
        n_candidates=halving_candidates(budget), min_resources="exhaust",
        **resource, **_shared(problem, seed, n_jobs),
    )


def _skopt(problem, budget, seed, n_jobs):
    from skopt import BayesSearchCV

    return BayesSearchCV(problem.make_estimator(), to_skopt(problem.space),
                         n_iter=budget, error_score=np.nan,
                         **_shared(problem, seed, n_jobs))


def _optuna(problem, budget, seed, n_jobs):
    import optuna
    from optuna_integration import OptunaSearchCV

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    study = optuna.create_study(direction="maximize",
                                sampler=optuna.samplers.TPESampler(seed=seed))
    return OptunaSearchCV(problem.make_estimator(), to_optuna(problem.space),
                          n_trials=budget, study=study,
                          **_shared(problem, seed, n_jobs))


GA_POPULATION = 10


def _ga(problem, budget, seed, n_jobs):
    from sklearn_genetic import GASearchCV

    return GASearchCV(
        problem.make_estimator(), cv=problem.cv, param_grid=to_ga(problem.space),
        scoring=problem.scoring, population_size=GA_POPULATION,
        # Room for the duplicates it re-proposes; _fit_ga stops it at budget.
        generations=4 * budget // GA_POPULATION, n_jobs=n_jobs, verbose=False,
    )


def _fit_ga(search, problem, seed, budget):
    from sklearn_genetic.callbacks.base import BaseCallback

    class StopAtDistinct(BaseCallback):
        """Stop after the generation that reaches the budget of distinct fits."""

        def on_step(self, record=None, logbook=None, estimator=None):
            return len(estimator.fitness_cache) >= budget

    # DEAP draws from the global generators; seeding them is the only way.
    random.seed(seed)
    np.random.seed(seed)
    with contextlib.redirect_stdout(io.StringIO()):
        search.fit(problem.X_train, problem.y_train, callbacks=[StopAtDistinct()])


# ------------------------------------------------------- native CV models --


def _native(name):
    def applies(problem):
        return problem.native == name

    def build(problem, budget, seed, n_jobs):
        from sklearn import linear_model
        from sklearn.pipeline import make_pipeline
        from sklearn.preprocessing import StandardScaler

        # The values GridSearchCV tries, so that the two compare.
        values = grid(problem.space, budget)
        cls = getattr(linear_model, name)
        if name == "RidgeCV":
            # Its efficient leave-one-out, the reason to use it; its pick is
            # scored on the shared folds afterwards.
            return cls(alphas=values["alpha"], scoring=problem.scoring)
        if name == "LassoCV":
            return cls(alphas=values["alpha"], cv=problem.cv, max_iter=10_000,
                       n_jobs=n_jobs)
        if name == "ElasticNetCV":
            return cls(alphas=values["alpha"], l1_ratio=values["l1_ratio"],
                       cv=problem.cv, max_iter=10_000, n_jobs=n_jobs)
        # As users run it: the scaler sees the whole training part.
        return make_pipeline(
            StandardScaler(),
            cls(Cs=values["logisticregression__C"], cv=problem.cv,
                scoring=problem.scoring, max_iter=1000, n_jobs=n_jobs),
        )

    return Strategy(name, build, applies=applies, deterministic=True, native=True)


def native_pick(model):
    """The hyperparameters a fitted native CV estimator chose."""
    if hasattr(model, "steps"):
        return {"logisticregression__C": float(np.ravel(model[-1].C_)[0])}
    picked = {"alpha": float(model.alpha_)}
    if hasattr(model, "l1_ratio_"):
        picked["l1_ratio"] = float(model.l1_ratio_)
    return picked


def native_n_evals(model):
    """Hyperparameter values a fitted native CV estimator scored."""
    if hasattr(model, "steps"):
        return len(model[-1].Cs_)
    if not hasattr(model, "alphas_"):
        return len(model.alphas)
    # ElasticNetCV: every alpha for every l1_ratio.
    return len(np.atleast_1d(getattr(model, "l1_ratio", 1.0))) * np.shape(
        model.alphas_)[-1]


#: ours, in table order
OURS = ("BayesSearchCV", "EvolutionarySearchCV", "HyperbandSearchCV",
        "GradientSearchCV")

#: every strategy by name, ours first
STRATEGIES = {
    s.name: s
    for s in (
        Strategy("BayesSearchCV", _bayes),
        Strategy("EvolutionarySearchCV", _evolution),
        Strategy("HyperbandSearchCV", _hyperband, applies=_has_resource),
        Strategy("GradientSearchCV", _gradient, applies=_continuous),
        Strategy("RandomizedSearchCV", _random),
        Strategy("GridSearchCV", _grid, deterministic=True),
        Strategy("HalvingRandomSearchCV", _halving, applies=_has_resource),
        Strategy("skopt.BayesSearchCV", _skopt),
        Strategy("OptunaSearchCV", _optuna),
        Strategy("GASearchCV", _ga, applies=_ga_applies, fit=_fit_ga),
        _native("RidgeCV"),
        _native("LassoCV"),
        _native("ElasticNetCV"),
        _native("LogisticRegressionCV"),
    )
}

_ALIASES = {
    "ours": list(OURS),
    "native": ["RidgeCV", "LassoCV", "ElasticNetCV", "LogisticRegressionCV"],
    "all": list(STRATEGIES),
}


def expand(names):
    """Strategy names, with the aliases ``ours``, ``native`` and ``all``."""
    out = []
    for name in names:
        for item in _ALIASES.get(name, [name]):
            if item not in STRATEGIES:
                raise ValueError(
                    f"unknown strategy {item!r}; choose from "
                    f"{sorted(STRATEGIES) + sorted(_ALIASES)}"
                )
            if item not in out:
                out.append(item)
    return out
