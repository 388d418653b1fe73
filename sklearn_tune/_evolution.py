"""EvolutionarySearchCV: a genetic algorithm, differential evolution or CMA-ES
over hyperparameters, one generation per batch of parallel fits; or
population-based training, one step of every member's training per batch."""

from numbers import Integral
from numbers import Real as RealNumber

import numpy as np

from ._base import BaseTuneSearchCV
from ._compat import Interval, StrOptions, validate_params
from ._fold_groups import rank_complete_first
from ._names import did_you_mean
from ._warm_start import LineageWarmStart, warm_starting
from .optimizers._evolution import (
    OPERATORS,
    SELECTIONS,
    STRATEGIES,
    EvolutionaryOptimizer,
    PBTOptimizer,
)
from .space import SearchSpace

__all__ = ["EvolutionarySearchCV"]


def _operator_names(kind):
    return {"auto"} | {name for ops in OPERATORS.values() for name in ops[kind]}


class EvolutionarySearchCV(BaseTuneSearchCV):
    """Evolutionary search over hyperparameters, one generation at a time.

    A population of `population_size` candidates evolves by a genetic
    algorithm (``strategy="ga"``), differential evolution
    (``strategy="de"``) or CMA-ES (``strategy="cmaes"``) in the unit cube
    of the search space: real and integer hyperparameters are recombined
    and mutated as numbers (the mutation scale shrinking as the population
    converges), categorical ones are inherited from a parent or drawn again.
    A run that stagnates restarts from a new sample, with a larger
    population while `n_iter` affords it; the default ``strategy="auto"``
    alternates CMA-ES and the genetic algorithm from one restart to the
    next, starting with CMA-ES when `n_iter` holds 25 generations of
    `population_size` and with the genetic algorithm otherwise. See
    :class:`~sklearn_tune.optimizers.EvolutionaryOptimizer` for the
    operators and the restart rule.

    ``strategy="pbt"`` is population-based training (Jaderberg et al.,
    2017): the population trains in steps of an estimator parameter that
    counts training (`resource`, such as ``max_iter``), each member
    continuing its model from the step before on every fold; after each
    step the worst members copy the trained model of one of the best and
    perturb its hyperparameters, so the search finds a *schedule* of
    hyperparameters for one training run per member. See "Population-based
    training" below.

    Each generation is one call to scikit-learn's ``evaluate_candidates``:
    all the fits of a generation run in parallel with `n_jobs`, and
    cross-validation, scoring, ``error_score``, metadata routing and refit
    are those of :class:`~sklearn.model_selection.GridSearchCV`. A candidate
    is never evaluated twice: a child equal to an evaluated candidate is
    mutated again.

    Parameters
    ----------
    estimator : estimator object
        An object of that type is instantiated for each candidate. It is
        assumed to implement the scikit-learn estimator interface, and either
        a ``score`` method or `scoring` must be given.

    param_distributions : dict or list of dicts
        Parameter names to a list of values (a categorical), a frozen
        :mod:`scipy.stats` distribution (searched on its quantile scale), or
        a :class:`~sklearn_tune.Real`, :class:`~sklearn_tune.Integer` or
        :class:`~sklearn_tune.Categorical`. A list of dicts is a union of
        disjoint sub-spaces: each individual lives in one, crossover pairs
        individuals of the same sub-space and a mutation occasionally moves
        a child to another.

    n_iter : int, default=50
        Number of distinct candidates evaluated, the hard budget: the last
        generation is cut short to respect it.

    scoring : str, callable, list, tuple or dict, default=None
        Strategy to evaluate the performance of the candidates, as in
        :class:`~sklearn.model_selection.GridSearchCV`. With several metrics,
        `refit` names the one the search maximises.

    n_jobs : int, default=None
        Number of jobs to run in parallel. ``None`` means 1 unless in a
        :obj:`joblib.parallel_backend` context; ``-1`` means all processors.
        The fits of a whole generation (``population_size * n_splits``) are
        dispatched together.

    refit : bool, str or callable, default=True
        Refit an estimator with the best parameters on the whole dataset. With
        multi-metric scoring, a string naming the scorer that is maximised and
        used to pick the best candidate.

    cv : int, cross-validation generator or iterable, default=None
        Cross-validation splitting strategy, as in
        :class:`~sklearn.model_selection.GridSearchCV`. The folds are drawn
        once and shared by every generation, so scores compare.

    verbose : int, default=0
        Verbosity: >0 prints one line per generation, more prints the fits.

    pre_dispatch : int or str, default="2*n_jobs"
        Number of jobs dispatched during parallel execution.

    random_state : int, RandomState instance or None, default=None
        Seed of the search: the same seed gives the same candidates, whatever
        `n_jobs`.

    error_score : "raise" or numeric, default=np.nan
        Score of a failed fit. A failed candidate ranks as the worst evaluated
        one for the evolution; a generation whose every fit fails is dropped
        from ``cv_results_`` with a warning and the search goes on.

    return_train_score : bool, default=False
        Whether ``cv_results_`` includes training scores.

    max_time : float, default=None
        Stop starting new generations after this many seconds (a warning
        says so); the best candidate so far is returned.

    n_iter_no_change : int, default=None
        Stop after this many consecutive generations without an improvement
        of the best score by more than `tol`. ``None`` never stops early.

    tol : float, default=0.0
        Improvement of the best score that counts for `n_iter_no_change`.

    checkpoint : str or path-like, default=None
        File where the state of the search is saved after every generation.
        Fitting again with the same path resumes the search without
        refitting finished candidates. The file is removed when the search
        completes.

    population_size : int, default=10
        Number of individuals in the population, and of candidates evaluated
        in each generation.

    strategy : {"auto", "ga", "de", "cmaes", "pbt"}, default="auto"
        Genetic algorithm, differential evolution as in
        :func:`scipy.optimize.differential_evolution`, CMA-ES, or CMA-ES
        and the genetic algorithm by turns at each restart, the first run
        being CMA-ES when `n_iter` is at least ``25 * population_size``
        and the genetic algorithm otherwise. ``"auto"`` was the most robust
        over Rastrigin, Ackley, Hartmann-6, a mixed space and two
        estimators at 300 and 1000 evaluations (see the user guide).
        ``"pbt"``: population-based training over `resource`, in
        ``n_iter // population_size`` steps; `selection`, `elitism`,
        `mutation_rate`, `crossover_rate` and `restarts` do not apply, and
        `crossover` and `mutation` must be ``"auto"``.

    crossover : str, default="auto"
        ``"sbx"`` (simulated binary), ``"blend"`` (BLX-0.5) or ``"uniform"``
        with ``strategy="ga"`` or ``"auto"``; ``"binomial"`` or
        ``"exponential"`` with ``strategy="de"``. ``"auto"`` means ``"sbx"``
        or ``"binomial"``. CMA-ES takes only ``"auto"``.

    mutation : str, default="auto"
        ``"gaussian"`` or ``"polynomial"`` with ``strategy="ga"`` or ``"auto"``;
        ``"rand/1"``, ``"best/1"``, ``"current-to-best/1"`` or
        ``"current-to-pbest/1"`` with ``strategy="de"``. ``"auto"`` means
        ``"gaussian"`` or ``"current-to-pbest/1"``.

    selection : {"tournament", "rank"}, default="tournament"
        How ``"ga"`` picks parents: the best of three drawn at random, or a
        draw with probability linear in the rank. Differential evolution
        draws its parents uniformly and ignores it.

    elitism : int, default=5
        Number of the best parents of a ``"ga"`` generation that compete with
        its children for the next population (0: the children replace the
        parents; `population_size`: the best of parents and children
        survive). Differential evolution keeps a child only when it beats its
        parent, and ignores it.

    mutation_rate : float in [0, 1], default=None
        Probability that a gene (a hyperparameter) of a ``"ga"`` child
        mutates, or that a categorical gene of a ``"de"`` child is drawn
        again. ``None`` means one over the number of hyperparameters.

    crossover_rate : float in [0, 1], default=None
        With ``"ga"``, the probability that a child is a crossover of two
        parents; with ``"de"``, the probability that a gene comes from the
        mutant (scipy's ``recombination``). ``None`` means 0.9.

    restarts : bool, default=True
        Whether a run restarts when its best score has not risen for
        ``5 + ceil(10 * n_hyperparameters / population_size)`` generations or
        its population has collapsed (spread below 0.005 of the unit-cube
        range along every continuous hyperparameter). The restarted run
        starts from a new Latin hypercube sample, with twice the population
        while the remaining budget holds 25 generations of it (a genetic
        algorithm's run also keeps the best candidate found so far in its
        population); the best candidate found so far stays the search's
        best.

    objectives : list of str, default=None
        Search for the Pareto front of several objectives instead of the
        best of one: keys of the `scoring` dict (or names of its list),
        maximised, and ``"fit_time"`` and ``"score_time"``, the mean fit and
        score times over the folds, minimised (``"score"`` names a single
        metric). ``cv_results_`` then has a ``pareto_rank`` column and the
        search a ``pareto_front_``; `refit` names the metric whose best row
        is refitted, or is a callable choosing a row, such as
        :func:`~sklearn_tune.cheapest_within`. ``None``: one objective, or,
        with multi-metric `scoring` and a `refit` naming none of its metrics
        (a callable or False), every metric. With several objectives, the
        population is chosen by non-dominated rank and crowding distance
        (NSGA-II) among parents and children, and parents by a tournament on
        the same order; it takes ``strategy="ga"`` or ``"auto"``, which then
        runs the genetic algorithm only, without restarts. See
        :doc:`/user_guide/multiobjective`.

    early_stopping_cv : {"aggressive", "forgiving"}, float or None, default=None
        Stop scoring a candidate's folds once it cannot win (Bergman et al.,
        AutoML 2024): after each fold, a candidate whose mean over its folds
        so far is at or below the best fully scored candidate's mean
        (``"aggressive"``) or that candidate's worst fold score
        (``"forgiving"``) is not scored on the others. A float in [0.5, 1)
        is a confidence level: a candidate stops once an upper confidence
        bound of its mean at that level (its spread taken from the best
        candidate's folds) is at or below the best candidate's mean; 0.5 is
        ``"aggressive"``, and higher levels stop later. Its row of
        ``cv_results_`` has NaN in the skipped splits, its mean over the
        scored ones, and ``n_splits_evaluated`` tells how many; it ranks
        after every fully scored candidate, so it is never ``best_index_``.
        The optimizer is told that partial mean. See the user guide's
        "Early-stopped cross-validation".

    resource : str, default=None
        With ``strategy="pbt"`` only (and then required): the integer
        parameter of the estimator, or of a pipeline step
        (``"<step>__max_iter"``), that counts training, owned by an
        estimator with a ``warm_start`` parameter. Steps of training
        continue with ``warm_start=True``: ensembles (``n_estimators``,
        histogram boosting's ``max_iter``) grow to the step's level, others
        (MLP, SGD) train for the difference of the levels.

    max_resources : int or "auto", default="auto"
        With ``strategy="pbt"``: the training of a member at the end of the
        last step; ``"auto"`` is the estimator's value of `resource`. Step
        ``k`` (from 0) of ``n`` ends at ``round((k + 1) * max_resources / n)``.

    Attributes
    ----------
    pareto_front_ : ndarray of int
        With several objectives only: indices in ``cv_results_`` of the
        Pareto-optimal rows (``pareto_rank == 1``).

    cv_results_ : dict of numpy (masked) ndarrays
        As in :class:`~sklearn.model_selection.GridSearchCV`, one row per
        candidate in the order evaluated, with extra columns: ``iter`` and
        ``generation`` (the generation number, 0 for the random first one;
        both are equal, one ``evaluate_candidates`` call per generation),
        ``restart`` (the run: 0 until the first restart),
        ``parent_1`` and ``parent_2`` (row indices of the parents, ``-1`` for
        none: the two crossed parents for ``"ga"``, the target and the base
        vector for ``"de"``). Can be imported into a pandas DataFrame.
        With ``strategy="pbt"``, one row per member and step, with ``iter``,
        ``step``, ``member`` and ``parent`` (the member whose model at the
        previous step this row continued: itself, or the one it copied;
        -1 at step 0) instead of the generation columns; ``rank_test_*``
        ranks the last step's rows first.

    history_ : dict of ndarrays
        Not with ``strategy="pbt"``. One entry per generation, ready for a fitness plot with
        ``pandas.DataFrame(search.history_).plot(x="generation")``:
        ``generation``, ``restart``, ``n_candidates``, ``n_failed``
        (candidates whose objective is NaN or infinite: failed fits),
        ``best_score``,
        ``mean_score`` and ``std_score`` (of the objective over the
        generation's other candidates) and ``best_score_so_far``. The
        objective is ``mean_test_score``, or ``mean_test_<refit>`` with
        multi-metric scoring; with several `objectives`, the first.

    best_schedule_ : list of dict
        With ``strategy="pbt"`` (and `best_index_`): the parameters of each step that trained
        the chosen model (those it inherited from the members it copied
        included), `resource` set to the step's cumulative level; the last
        is `best_params_`.

    resource_levels_ : list of int
        With ``strategy="pbt"``: the cumulative `resource` at the end of
        each step.

    best_estimator_ : estimator
        Estimator refitted with the best parameters; only with `refit`.
        With ``strategy="pbt"``, trained through `best_schedule_` on the
        whole data, each step continuing the last (as it was scored).

    best_score_ : float
        Mean cross-validated score of the best candidate.

    best_params_ : dict
        Parameters of the best candidate.

    best_index_ : int
        Row of ``cv_results_`` of the best candidate.

    scorer_ : function or dict
        Scorer function(s) used on the held-out folds.

    n_splits_ : int
        Number of cross-validation splits.

    refit_time_ : float
        Seconds taken to refit the best model; only with `refit`.

    multimetric_ : bool
        Whether the scorers compute several metrics.

    optimizer_ : EvolutionaryOptimizer
        The optimizer after the search, with its population and the lineage
        of every candidate.

    classes_ : ndarray of shape (n_classes,)
        Class labels; only with `refit` and a classifier.

    n_features_in_ : int
        Number of features seen during fit; only with `refit`.

    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of features seen during fit; only with `refit` and string
        feature names.

    See Also
    --------
    sklearn.model_selection.RandomizedSearchCV : Random search, the baseline.
    sklearn_tune.optimizers.EvolutionaryOptimizer : The ask/tell strategy core.

    Notes
    -----
    Population-based training: after each step, the members are ranked by
    their score at that step; each of the bottom ``max(1,
    floor(0.2 * population_size))`` copies the model trained so far by a
    member drawn among as many at the top (exploit), and its
    hyperparameters are that member's, each drawn again with probability
    0.25 or otherwise moved: numbers multiplied by 0.8 or 1.2 and clipped
    into their range (an integer moves at least one step), ordered choices
    to the next choice below or above; unordered choices are kept
    (explore). The other members keep theirs and continue their own model.
    The chosen model is the best member at the last step, refitted through
    its schedule. Trained models are kept on disk between steps (next to
    `checkpoint`, if any, for a resumed search), where every worker finds
    them. The ask/tell core is ``sklearn_tune.optimizers._evolution.PBTOptimizer``
    (private: it asks whole steps and repeats candidates, which the
    optimizers of :mod:`sklearn_tune.optimizers` never do).

    `n_iter_no_change` and `tol` count generations: the search stops when
    `n_iter_no_change` generations in a row did not raise the best score by
    more than `tol`. A generation whose every fit failed is not in
    ``cv_results_``; ``parent_1`` and ``parent_2`` then index the
    optimizer's history (``optimizer_.candidates_``) rather than rows.

    Examples
    --------
    >>> from scipy.stats import loguniform
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.svm import SVC
    >>> from sklearn_tune import EvolutionarySearchCV
    >>> X, y = load_iris(return_X_y=True)
    >>> search = EvolutionarySearchCV(
    ...     SVC(),
    ...     {"C": loguniform(1e-2, 1e2), "gamma": loguniform(1e-3, 1e1)},
    ...     n_iter=20, population_size=5, cv=3, random_state=0,
    ... ).fit(X, y)
    >>> bool(search.best_score_ > 0.95)
    True
    >>> search.cv_results_["generation"]
    array([0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 3, 3, 3, 3, 3])
    >>> sorted(search.history_)
    ['best_score', 'best_score_so_far', 'generation', 'mean_score',
     'n_candidates', 'n_failed', 'restart', 'std_score']

    Population-based training of a linear model over 4 steps of 5 epochs:

    >>> from sklearn.linear_model import SGDClassifier
    >>> sgd = SGDClassifier(max_iter=20, tol=None, learning_rate="constant",
    ...                     random_state=0)
    >>> pbt = EvolutionarySearchCV(
    ...     sgd, {"eta0": loguniform(1e-4, 1e0), "alpha": loguniform(1e-6, 1e-1)},
    ...     strategy="pbt", resource="max_iter", n_iter=20, population_size=5,
    ...     cv=3, random_state=0,
    ... ).fit(X, y)
    >>> pbt.resource_levels_
    [5, 10, 15, 20]
    >>> pbt.cv_results_["parent"].reshape(4, 5)  # member 2 copied 1 after step 0
    array([[-1, -1, -1, -1, -1],
           [ 0,  1,  1,  3,  4],
           [ 1,  1,  2,  3,  4],
           [ 0,  1,  2,  1,  4]])
    >>> [step["max_iter"] for step in pbt.best_schedule_]
    [5, 10, 15, 20]
    """

    _parameter_constraints: dict = {
        **BaseTuneSearchCV._parameter_constraints,
        "population_size": [Interval(Integral, 2, None, closed="left")],
        "strategy": [StrOptions({*STRATEGIES, "pbt"})],
        "crossover": [StrOptions(_operator_names("crossover"))],
        "mutation": [StrOptions(_operator_names("mutation"))],
        "selection": [StrOptions(set(SELECTIONS))],
        "elitism": [Interval(Integral, 0, None, closed="left")],
        "mutation_rate": [Interval(RealNumber, 0, 1, closed="both"), None],
        "crossover_rate": [Interval(RealNumber, 0, 1, closed="both"), None],
        "restarts": ["boolean"],
        "resource": [str, None],
        "max_resources": [
            Interval(Integral, 1, None, closed="left"),
            StrOptions({"auto"}),
        ],
    }

    def __init__(
        self,
        estimator,
        param_distributions,
        *,
        n_iter=50,
        scoring=None,
        n_jobs=None,
        refit=True,
        cv=None,
        verbose=0,
        pre_dispatch="2*n_jobs",
        random_state=None,
        error_score=np.nan,
        return_train_score=False,
        max_time=None,
        n_iter_no_change=None,
        tol=0.0,
        checkpoint=None,
        population_size=10,
        strategy="auto",
        crossover="auto",
        mutation="auto",
        selection="tournament",
        elitism=5,
        mutation_rate=None,
        crossover_rate=None,
        restarts=True,
        objectives=None,
        early_stopping_cv=None,
        resource=None,
        max_resources="auto",
    ):
        super().__init__(
            estimator,
            param_distributions,
            n_iter=n_iter,
            scoring=scoring,
            n_jobs=n_jobs,
            refit=refit,
            cv=cv,
            verbose=verbose,
            pre_dispatch=pre_dispatch,
            random_state=random_state,
            error_score=error_score,
            return_train_score=return_train_score,
            max_time=max_time,
            n_iter_no_change=n_iter_no_change,
            tol=tol,
            checkpoint=checkpoint,
            objectives=objectives,
            early_stopping_cv=early_stopping_cv,
        )
        self.population_size = population_size
        self.strategy = strategy
        self.crossover = crossover
        self.mutation = mutation
        self.selection = selection
        self.elitism = elitism
        self.mutation_rate = mutation_rate
        self.crossover_rate = crossover_rate
        self.restarts = restarts
        self.resource = resource
        self.max_resources = max_resources

    def fit(self, X, y=None, **params):
        # Documented by BaseTuneSearchCV.fit (inspect.getdoc and autodoc
        # inherit its docstring).
        if self.strategy != "pbt":
            for name, unset in (("resource", None), ("max_resources", "auto")):
                if getattr(self, name) != unset:
                    raise ValueError(
                        f"{name}={getattr(self, name)!r} sets the training that "
                        "population-based training continues; it needs "
                        f"strategy='pbt', got strategy={self.strategy!r}."
                    )
            return super().fit(X, y, **params)
        # Bad parameters get scikit-learn's message before the checks of PBT.
        validate_params(self)
        self._check_pbt()
        with warm_starting(
            self, self._full_resource, cache=LineageWarmStart, needs="strategy='pbt'"
        ) as wrapper:
            n_steps = self.n_iter // self.population_size
            if wrapper.tune_max_level < n_steps:
                raise ValueError(
                    f"strategy='pbt' trains in n_iter // population_size = "
                    f"{n_steps} steps of at least one unit of {self.resource}; "
                    f"max_resources={wrapper.tune_max_level} is fewer."
                )
            self.resource_levels_ = [
                round((k + 1) * wrapper.tune_max_level / n_steps)
                for k in range(n_steps)
            ]
            super().fit(X, y, **params)
        if hasattr(self, "best_index_"):
            optimizer, results = self.optimizer_, self.cv_results_
            index = optimizer.row(
                results["step"][self.best_index_], results["member"][self.best_index_]
            )
            self.best_schedule_ = self._schedule(optimizer, index)
        return self

    def _check_pbt(self):
        if self.resource is None:
            raise ValueError(
                "strategy='pbt' trains every member in steps of an estimator "
                "parameter that counts training; set resource, such as "
                "'max_iter' or 'n_estimators' (with a pipeline, "
                "'<step>__max_iter')."
            )
        if self.early_stopping_cv is not None:
            raise ValueError(
                f"early_stopping_cv={self.early_stopping_cv!r} is not available "
                "with strategy='pbt': every member continues its model on every "
                "fold, so every fold is scored. Use early_stopping_cv=None."
            )
        if self.n_iter < self.population_size:
            raise ValueError(
                f"strategy='pbt' evaluates n_iter // population_size steps of the "
                f"whole population; n_iter={self.n_iter} is less than "
                f"population_size={self.population_size}."
            )
        space = SearchSpace(self.param_distributions)
        if any(self.resource in sub.names for sub in space.subspaces):
            raise ValueError(
                f"resource={self.resource!r} is in param_distributions; the "
                "search sets the resource of each step itself."
            )
        if self._objective_names() is not None:
            raise ValueError(
                "strategy='pbt' optimises one objective; got "
                f"objectives={self._objective_names()!r}. Set objectives=None, "
                "with refit naming the metric with multi-metric scoring."
            )
        for name in ("crossover", "mutation"):
            if getattr(self, name) != "auto":
                raise ValueError(
                    f"strategy='pbt' copies and perturbs members; it takes "
                    f"{name}='auto' only, got {name}={getattr(self, name)!r}."
                )

    def _full_resource(self):
        """The training of a member at the end of the last step."""
        params = self.estimator.get_params()
        if self.resource not in params:
            raise ValueError(
                f"resource={self.resource!r} is not a parameter of "
                f"{type(self.estimator).__name__}."
                f"{did_you_mean(self.resource, params)}"
            )
        if self.max_resources != "auto":
            return self.max_resources
        value = params[self.resource]
        if not isinstance(value, Integral) or isinstance(value, bool) or value < 1:
            raise ValueError(
                f"resource={self.resource!r} is not an amount of training: "
                f"{type(self.estimator).__name__}'s {self.resource}={value!r} is "
                "not a positive integer; set max_resources if it is one."
            )
        return int(value)

    def _make_optimizer(self, space, random_state):
        if self.strategy == "pbt":
            return PBTOptimizer(
                space,
                population_size=self.population_size,
                n_steps=len(self.resource_levels_),
                random_state=random_state,
            )
        if self._objective_names() is not None and self.strategy in ("de", "cmaes"):
            raise ValueError(
                f"strategy={self.strategy!r} optimises one objective; a search "
                f"for a Pareto front (objectives={self.objectives!r}) needs "
                "strategy='ga' or 'auto'."
            )
        return EvolutionaryOptimizer(
            space,
            population_size=self.population_size,
            strategy=self.strategy,
            crossover=self.crossover,
            mutation=self.mutation,
            selection=self.selection,
            elitism=self.elitism,
            mutation_rate=self.mutation_rate,
            crossover_rate=self.crossover_rate,
            restarts=self.restarts,
            random_state=random_state,
        )

    def _prepare_batch(self, optimizer, batch, cv):
        if self.strategy != "pbt":
            return batch, cv
        # Where each member's model comes from and goes to: the wrapper's
        # store, keyed by step and member, is shared by all the workers.
        step, levels = optimizer.step_, self.resource_levels_
        last = step == len(levels) - 1
        params = [
            {
                **candidate,
                self.resource: levels[step],
                "tune_parent": f"step{step - 1}-member{parent}" if step else None,
                "tune_parent_level": levels[step - 1] if step else 0,
                "tune_save": None if last else f"step{step}-member{member}",
            }
            for member, (candidate, parent) in enumerate(zip(batch, optimizer.parents_))
        ]
        return params, cv

    def _after_tell(self, optimizer, batch, folds):
        if self.strategy == "pbt" and optimizer.step_ >= 2:
            # The step just told continued every state of the one before.
            self.estimator.forget(f"step{optimizer.step_ - 2}-")

    def _format_results(self, candidate_params, n_splits, out, more_results=None):
        candidate_params = [
            {k: v for k, v in params.items() if k not in _LINEAGE_PARAMS}
            for params in candidate_params
        ]
        results = super()._format_results(candidate_params, n_splits, out, more_results)
        if "step" in results:
            last = results["step"] == np.max(results["step"])
            for key in [k for k in results if k.startswith("rank_test_")]:
                means = results["mean_test_" + key[len("rank_test_") :]]
                results[key] = rank_complete_first(means, last)
        return results

    @staticmethod
    def _select_best_index(refit, refit_metric, results):
        """With "pbt", the best row of the last step (the ranks put those
        first); a callable `refit` sees only their rows."""
        if not callable(refit) or "step" not in results:
            return BaseTuneSearchCV._select_best_index(refit, refit_metric, results)
        last = np.flatnonzero(results["step"] == np.max(results["step"]))
        view = {
            k: v[last] if isinstance(v, np.ndarray) else [v[i] for i in last]
            for k, v in results.items()
        }
        return int(last[BaseTuneSearchCV._select_best_index(refit, refit_metric, view)])

    def _run_search(self, evaluate_candidates, *, callback_ctx=None):
        super()._run_search(evaluate_candidates, callback_ctx=callback_ctx)
        optimizer = self.optimizer_
        if self.strategy != "pbt":
            self.history_ = _fitness_history(optimizer)
            return
        # The refit replays the schedule of the chosen member, which is known
        # only after this returns: record those of the whole last step.
        last = max(optimizer.steps_, default=0)
        scores = np.asarray(optimizer.scores_, dtype=float)
        self.estimator.record_lineages(
            self._schedule(optimizer, i)
            for i in np.argsort(-np.nan_to_num(scores, nan=-np.inf), kind="stable")
            if optimizer.steps_[i] == last
        )

    def _schedule(self, optimizer, index):
        """The parameters of each step that trained candidate `index`, the
        resource (the cumulative level) included."""
        return [
            {
                **optimizer.candidates_[i],
                self.resource: self.resource_levels_[optimizer.steps_[i]],
            }
            for i in optimizer.lineage(index)
        ]


# The wrapper's own parameters that say where a member's model comes from.
_LINEAGE_PARAMS = ("tune_parent", "tune_parent_level", "tune_save")


def _fitness_history(optimizer):
    """Per-generation statistics of the objective, from the optimizer's history."""
    generations = np.asarray(optimizer.generations_, dtype=int)
    restarts = np.asarray(optimizer.restarts_, dtype=int)
    scores = np.asarray(optimizer.scores_, dtype=float)
    numbers = np.unique(generations)
    told = [scores[generations == number] for number in numbers]
    finite = [s[np.isfinite(s)] for s in told]

    def statistic(function):
        return np.array([function(s) if len(s) else np.nan for s in finite])

    best = statistic(np.max)
    return {
        "generation": numbers,
        "restart": np.array([restarts[generations == n].max() for n in numbers]),
        "n_candidates": np.array([len(s) for s in told]),
        "n_failed": np.array([len(s) - len(f) for s, f in zip(told, finite)]),
        "best_score": best,
        "mean_score": statistic(np.mean),
        "std_score": statistic(np.std),
        "best_score_so_far": np.fmax.accumulate(best),
    }
