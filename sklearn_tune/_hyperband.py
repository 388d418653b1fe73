"""HyperbandSearchCV: brackets of successive halving over a resource, on
the fixed k-fold splits, for any estimator or pipeline."""

import warnings
from numbers import Integral
from numbers import Real as RealNumber

import numpy as np
from sklearn.base import is_classifier
from sklearn.utils.multiclass import type_of_target

from ._base import BaseTuneSearchCV
from ._compat import Interval, StrOptions, checked_cv, validate_params
from ._names import did_you_mean
from ._fold_groups import rank_complete_first
from ._splitters import SubsampledFolds
from ._warm_start import WarmStartCache, continues_exactly, warm_starting
from .optimizers._hyperband import AdaptiveHyperbandOptimizer, HyperbandOptimizer
from .optimizers._pareto import non_dominated_rank

# scikit-learn's names for how much a fit trains, offered when a resource
# named by the user is not one.
_TRAINING_COUNTS = ("max_iter", "n_estimators", "n_iter", "max_epochs")
_RESOURCES_OR_AUTO = [Interval(Integral, 1, None, closed="left"), StrOptions({"auto"})]


class HyperbandSearchCV(BaseTuneSearchCV):
    """Hyperband search: many configurations on little resource, the best on more.

    Brackets of successive halving over resource levels (`min_resources` to
    `max_resources` by a factor `eta`): each rung promotes its best
    ``1 / eta`` to the next level, on the fixed folds (with
    ``"n_samples"``, training parts subsampled, stratified and nested). By
    default the search measures how each level ranks the configurations it
    promotes against the level above, and stops using the levels that
    disagree (see `sampler`). The best candidate is chosen among, and
    refitted with, the full resource.

    Parameters
    ----------
    estimator : estimator object
        Fitted for each candidate; needs a ``score`` method or `scoring`.
    param_distributions : dict or list of dicts
        Names to lists, frozen scipy.stats distributions or
        :class:`~sklearn_tune.Real`, :class:`~sklearn_tune.Integer`,
        :class:`~sklearn_tune.Categorical`; not the resource parameter.
    n_iter : int, default=100
        Most evaluations (rows of ``cv_results_``; a configuration promoted
        twice counts three times); the brackets are planned to fit.
    scoring : str, callable, list, tuple or dict, default=None
        As in :class:`~sklearn.model_selection.GridSearchCV`; with several
        metrics, `refit` names the one to optimise.
    n_jobs : int, default=None
        Number of jobs for the fits of a batch (a rung; with "adaptive",
        the last rung of a bracket and the first of the next together).
    refit : bool, str or callable, default=True
        Refit the best candidate on the whole data with the full resource. A
        callable sees only the rows with the full resource.
    cv : int, cross-validation generator or iterable, default=None
        Folds, resolved once (5-fold, stratified for classifiers).
    verbose : int, default=0
        Above 0, print the bracket plan, then progress after every level.
    pre_dispatch : int or str, default="2*n_jobs"
        Number of jobs dispatched during parallel execution.
    random_state : int, RandomState instance or None, default=None
        Seed of the configurations and of the subsamples.
    error_score : "raise" or float, default=np.nan
        Score of a failed fit; failed configurations are never promoted.
    return_train_score : bool, default=False
        Whether ``cv_results_`` includes training scores.
    max_time : float or None, default=None
        Stop after this many seconds (checked before each level); the best
        is then from the highest level reached, with a warning if not full.
    n_iter_no_change : int or None, default=None
        Stop when the best objective has not improved by more than `tol`
        for this many levels (use more than the number of levels).
    tol : float, default=0.0
        Improvement needed to reset `n_iter_no_change`.
    checkpoint : str, path-like or None, default=None
        File to save the search to after every batch, and to resume from.
    resource : str, default="n_samples"
        ``"n_samples"``, or an integer parameter of `estimator` (in a
        pipeline, ``"sgdclassifier__max_iter"``) that grows its training.
    min_resources : int or "auto", default="auto"
        Lower bound of the lowest level. "auto": ``max_resources // eta**3``
        (four levels), but ``max_resources // eta**2`` (three levels) with
        sampler="adaptive" when promoted configurations are fitted from
        scratch (`warm_start_` False); with ``"n_samples"`` at least
        ``2 * n_splits * n_classes`` (``2 * n_splits`` for regressors), at
        most `max_resources`.
    max_resources : int or "auto", default="auto"
        The full resource. "auto": the number of samples, or the
        estimator's own value of `resource`.
    eta : float, default=3
        Ratio between levels; each rung keeps the best ``1 / eta``.
    sampler : {"adaptive", "random", "bayes"}, default="adaptive"
        "adaptive": brackets from the lowest trusted level, one after the
        other; a level is dropped once the Spearman correlation of the
        configurations it promoted (at least 6) with their scores at the
        level above is below 0.5; with no lower level left, Bayesian
        optimisation at the full resource. "random": Hyperband's rounds of
        brackets. "bayes": new configurations from a Gaussian-process model
        (BOHB), and a level used once the best ``eta ** 2`` of
        ``eta ** 3`` full-resource configurations, scored at it, keep their
        best in their top ``1 / eta``.
    warm_start : bool or "auto", default="auto"
        Continue a promoted configuration from its fit at the previous
        level, fold by fold, for a `resource` of an estimator (or step) with
        a ``warm_start`` parameter: ensembles grow to the level, others
        (MLP, SGD) train for the difference. Fits are kept on disk, next to
        `checkpoint` if any (``<checkpoint>.warm_start``), those of the
        configurations a rung did not promote removed once it is decided;
        a worker that cannot reach them fits from scratch. The refit goes
        through the levels the chosen configuration was scored with.
        "auto": on when `resource` is the size of a scikit-learn ensemble
        (``n_estimators``, or ``max_iter`` of the histogram gradient
        boosting), where continuing gives the model a fit from scratch
        gives, so the same scores for less work; off otherwise, and for
        the fits that stop early (``n_iter_no_change``, ``early_stopping``).
    budget : float or None, default=None
        With "adaptive", the most resource the search spends: the sum of
        ``n_resources`` over the rows of ``cv_results_`` (so that it can be
        given what another search spends); None: `n_iter` alone limits it.
    objectives : list of str or None, default=None
        None: one objective, the metric named by `refit` (or the single
        metric). A list of two or more names, each a key of `scoring`
        (maximised) or ``"fit_time"`` / ``"score_time"`` (minimised): the
        search looks for the Pareto front, as MOASHA does. A rung promotes
        its best ``1 / eta`` by non-dominated rank, then by crowding
        distance (the most isolated first); with "adaptive", a level's
        agreement is the mean over the objectives of the Spearman
        correlation, and Bayesian optimisation at the full resource is
        ParEGO. ``cv_results_["pareto_rank"]`` ranks the full-resource
        rows first, so `pareto_front_` holds full-resource rows only.
        With multi-metric `scoring` and a `refit` naming none of its
        metrics (a callable or False), every metric is an objective.
        ``sampler="bayes"`` optimises one objective: it refuses a list,
        and with such a `refit` maximises the first metric.

    early_stopping_cv : None, default=None
        Early-stopped cross-validation; not available here: a level's scores
        decide promotions against the other candidates of its rung, which a
        bar set by the full-resource incumbent does not reflect. Only None
        is accepted.

    Attributes
    ----------
    cv_results_ : dict of numpy (masked) ndarrays
        As in :class:`~sklearn.model_selection.GridSearchCV`, plus ``iter``
        (the batch), ``bracket``, ``rung`` and ``n_resources`` (bracket and
        rung -1 for random candidates outside the plan). ``rank_test_*``
        and, with several objectives, ``pareto_rank`` rank the rows with
        the full resource first.
    best_estimator_, best_score_, best_params_, best_index_ : object
        As in :class:`~sklearn.model_selection.GridSearchCV`, of the best
        full-resource row (`best_params_` includes the resource parameter).
    resource_levels_ : list of int
        The resource levels, increasing.
    min_resources_, max_resources_ : int
        The lowest and the highest level.
    plan_ : list of dict
        One row per rung: ``round``, ``bracket``, ``rung``, ``n_candidates``,
        ``n_resources``; with ``"bayes"``, a check is a bracket of one rung.
    warm_start_ : bool
        Whether promoted configurations continued their previous fit
        (`warm_start`, "auto" resolved).
    lowest_level_ : int
        The lowest level trusted at the end; `max_resources_` means only
        Bayesian optimisation at the full resource was left ("adaptive").
    level_agreement_ : dict
        Level -> ``(spearman, n_configurations)`` with the level above, as
        last measured ("adaptive"; empty otherwise).
    optimizer_ : HyperbandOptimizer
        The optimizer, with the history of candidates and scores.
    pareto_front_ : ndarray of int
        With several objectives, the indices in ``cv_results_`` of the
        non-dominated full-resource rows.
    scorer_, n_splits_, refit_time_, multimetric_ : object
        As in :class:`~sklearn.model_selection.GridSearchCV`.

    See Also
    --------
    sklearn.model_selection.HalvingRandomSearchCV : One bracket of
        successive halving, which may stop short of the full resource.

    Notes
    -----
    Li, Jamieson, DeSalvo, Rostamizadeh and Talwalkar, "Hyperband: A Novel
    Bandit-Based Approach to Hyperparameter Optimization", JMLR 18 (2018);
    Falkner, Klein and Hutter, "BOHB: Robust and Efficient Hyperparameter
    Optimization at Scale", ICML 2018; Schmucker, Donini, Zafar, Salinas
    and Archambeau, "Multi-objective Asynchronous Successive Halving",
    arXiv:2106.12639 (2021), for several objectives.

    Examples
    --------
    >>> from scipy.stats import loguniform
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.linear_model import SGDClassifier
    >>> from sklearn_tune import HyperbandSearchCV
    >>> X, y = load_iris(return_X_y=True)
    >>> sgd = SGDClassifier(max_iter=9, tol=None, random_state=0)
    >>> search = HyperbandSearchCV(
    ...     sgd, {"alpha": loguniform(1e-6, 1e-1)}, resource="max_iter",
    ...     budget=60, random_state=0,
    ... ).fit(X, y)
    >>> search.resource_levels_
    [1, 3, 9]
    >>> [(r["bracket"], r["n_candidates"], r["n_resources"]) for r in search.plan_]
    [(0, 9, 1), (0, 3, 3), (0, 1, 9), (1, 9, 1), (1, 3, 3), (1, 1, 9)]
    >>> int(search.cv_results_["n_resources"].sum()), search.best_params_["max_iter"]
    (54, 9)
    >>> search.lowest_level_  # 1 iteration ranked its best alphas unlike 3
    3
    >>> int(search.cv_results_["rank_test_score"][search.best_index_])
    1
    """

    @property
    def _multi_objective(self):
        # BOHB's level checks compare the best configurations of two levels
        # on one score; a front has no single best for them to hold.
        return self.sampler != "bayes"

    _parameter_constraints: dict = {
        **BaseTuneSearchCV._parameter_constraints,
        "resource": [str],
        "min_resources": _RESOURCES_OR_AUTO,
        "max_resources": _RESOURCES_OR_AUTO,
        "eta": [Interval(RealNumber, 1, None, closed="neither")],
        "sampler": [StrOptions({"adaptive", "random", "bayes"})],
        "warm_start": ["boolean", StrOptions({"auto"})],
        "budget": [Interval(RealNumber, 0, None, closed="neither"), None],
    }

    def __init__(
        self, estimator, param_distributions, *, n_iter=100, scoring=None,
        n_jobs=None, refit=True, cv=None, verbose=0, pre_dispatch="2*n_jobs",
        random_state=None, error_score=np.nan, return_train_score=False,
        max_time=None, n_iter_no_change=None, tol=0.0, checkpoint=None,
        resource="n_samples", min_resources="auto", max_resources="auto", eta=3,
        sampler="adaptive", warm_start="auto", budget=None, objectives=None,
        early_stopping_cv=None,
    ):  # fmt: skip
        super().__init__(
            estimator, param_distributions, n_iter=n_iter, scoring=scoring,
            n_jobs=n_jobs, refit=refit, cv=cv, verbose=verbose,
            pre_dispatch=pre_dispatch, random_state=random_state,
            error_score=error_score, return_train_score=return_train_score,
            max_time=max_time, n_iter_no_change=n_iter_no_change, tol=tol,
            checkpoint=checkpoint, objectives=objectives,
            early_stopping_cv=early_stopping_cv,
        )  # fmt: skip
        self.resource = resource
        self.min_resources = min_resources
        self.max_resources = max_resources
        self.eta = eta
        self.sampler = sampler
        self.warm_start = warm_start
        self.budget = budget

    def fit(self, X, y=None, **params):
        # Documented by BaseTuneSearchCV.fit (inspect.getdoc and autodoc
        # inherit its docstring).
        if self.early_stopping_cv is not None:
            raise ValueError(
                f"early_stopping_cv={self.early_stopping_cv!r} is not available "
                "in HyperbandSearchCV: a rung promotes its best candidates by "
                "their scores at a lower resource, which a bar set by the "
                "full-resource incumbent would cut short. Use "
                "early_stopping_cv=None, or the rule with BayesSearchCV, "
                "EvolutionarySearchCV or GradientSearchCV."
            )
        # Bad parameters get scikit-learn's message before warm start checks.
        validate_params(self)
        if self.warm_start == "auto":
            warm_start = continues_exactly(self.estimator, self.resource)
        else:
            warm_start = bool(self.warm_start)
        # The levels depend on it, and warm_starting wraps the estimator.
        self._warm_start = warm_start
        if not warm_start:
            super().fit(X, y, **params)
        else:
            with warm_starting(
                self, self._estimator_max_resources,
                exact_only=self.warm_start == "auto",
            ):  # fmt: skip
                super().fit(X, y, **params)
        self.warm_start_ = warm_start
        return self

    def _check_objective_defined(self):
        if self.objectives is not None and not self._multi_objective:
            raise ValueError(
                f"objectives={self.objectives!r} needs sampler='adaptive' or "
                "'random'; sampler='bayes' (BOHB) optimises one objective: its "
                "checks of the lower levels compare their best configuration "
                "with the full resource's, which a front does not have."
            )
        super()._check_objective_defined()

    def _check_input_parameters(self, X, y, split_params):
        # BaseSearchCV.fit calls this with the data before any fit: the
        # resource bounds depend on the number of samples, folds and classes.
        if self.resource == "n_samples":
            shape = getattr(X, "shape", ())
            self._n_samples = int(shape[0]) if len(shape) else len(X)
            self._stratify = (
                is_classifier(self.estimator)
                and y is not None
                and type_of_target(y) in ("binary", "multiclass")
            )
            max_resources = self.max_resources
            if max_resources == "auto":
                max_resources = self._n_samples
            elif max_resources > self._n_samples:
                raise ValueError(
                    f"max_resources={max_resources} is larger than the number "
                    f"of samples, {self._n_samples}."
                )
            smallest = 2 * checked_cv(self).get_n_splits(X, y, **split_params)
            if self._stratify:
                smallest *= len(np.unique(y))
        else:
            max_resources, smallest = self._estimator_max_resources(), 1
        min_resources = self.min_resources
        if min_resources == "auto":
            # Fitted from scratch, a promoted configuration pays its lower
            # levels again, and a low level costs more than its share of
            # the resource (validation, scaling, scoring the whole test
            # fold: 3 of 81 SGD epochs cost 13% of 81 epochs). The adaptive
            # search starts every bracket at the lowest level, so a fourth
            # level would nearly double what its first full-resource fit
            # costs; Hyperband's rounds also start brackets higher.
            n_halvings = 2 if self.sampler == "adaptive" and not self._warm_start else 3
            min_resources = min(
                max_resources,
                max(smallest, int(max_resources // self.eta**n_halvings)),
            )
        self._resource_bounds = min_resources, max_resources

    def _estimator_max_resources(self):
        """The full resource when `resource` is an estimator parameter."""
        params = self.estimator.get_params()
        if self.resource not in params:
            raise ValueError(
                f"resource={self.resource!r} is neither 'n_samples' nor a "
                f"parameter of {type(self.estimator).__name__}."
                f"{did_you_mean(self.resource, params)}"
            )
        if self.max_resources != "auto":
            return self.max_resources
        value = params[self.resource]
        if not isinstance(value, Integral) or isinstance(value, bool) or value < 1:
            # A float default (a penalty, a rate) is almost always a parameter
            # to tune, not an amount of training: say what a resource is
            # before suggesting max_resources.
            counts = sorted(
                name
                for name, default in params.items()
                if isinstance(default, Integral)
                and not isinstance(default, bool)
                and default > 1
                and name.rpartition("__")[2] in _TRAINING_COUNTS
            )
            raise ValueError(
                f"resource={self.resource!r} is not an amount of training: "
                f"{type(self.estimator).__name__}'s default {self.resource}="
                f"{value!r} is not a positive integer. A resource is what a "
                "fit spends, 'n_samples' or a count such as "
                + (" or ".join(repr(c) for c in counts) or "max_iter")
                + f"; if {self.resource!r} really is one, set max_resources."
            )
        return int(value)

    def _make_optimizer(self, space, random_state):
        min_resources, max_resources = self._resource_bounds
        common = dict(
            resource=self.resource, min_resources=min_resources,
            max_resources=max_resources, eta=self.eta, max_evaluations=self.n_iter,
            random_state=random_state,
        )  # fmt: skip
        if self.sampler == "adaptive":
            optimizer = AdaptiveHyperbandOptimizer(
                space,
                budget=self.budget,
                # A subsample is one splitter per batch, so one level.
                mixed_levels=self.resource != "n_samples",
                **common,
            )
        elif self.budget is not None:
            raise ValueError(
                f"budget={self.budget!r} needs sampler='adaptive'; the brackets "
                f"of sampler={self.sampler!r} are planned in evaluations (n_iter)."
            )
        else:
            optimizer = HyperbandOptimizer(space, sampler=self.sampler, **common)
        self._n_messages = 0
        if self.verbose > 0:
            for line in optimizer.describe_plan():
                print(f"[{type(self).__name__}] {line}")
        return optimizer

    def _prepare_batch(self, optimizer, batch, cv):
        # The candidates carry their level under the resource's name: as is
        # for an estimator parameter, a subsample of the folds for samples.
        if isinstance(self.estimator, WarmStartCache):
            # The rungs before this batch are decided: what they did not
            # promote will not be continued.
            self.estimator.keep_only(optimizer.running_configurations())
        if self.resource != "n_samples":
            return batch, cv
        level = batch[0]["n_samples"]
        params = [{k: v for k, v in c.items() if k != "n_samples"} for c in batch]
        if level < self._n_samples:
            # A batch is one level (next_batch_size), so one splitter serves it.
            cv = SubsampledFolds(
                cv, level / self._n_samples, stratify=self._stratify,
                random_state=optimizer.random_state,
            )  # fmt: skip
        return params, cv

    def _after_tell(self, optimizer, batch, folds):
        messages = getattr(optimizer, "messages", [])
        if self.verbose > 0:
            for message in messages[self.__dict__.get("_n_messages", 0) :]:
                print(f"[{type(self).__name__}] {message}")
        self._n_messages = len(messages)

    def _run_search(self, evaluate_candidates, *, callback_ctx=None):
        super()._run_search(evaluate_candidates, callback_ctx=callback_ctx)
        optimizer = self.optimizer_
        self.level_agreement_ = dict(getattr(optimizer, "level_agreement", {}))
        self.resource_levels_ = levels = list(optimizer.levels)
        self.min_resources_, self.max_resources_ = levels[0], levels[-1]
        self.plan_ = optimizer.plan
        self.lowest_level_ = optimizer.lowest_level
        if isinstance(self.estimator, WarmStartCache):
            self.estimator.record_schedules(
                (c, optimizer.levels_through(c)) for c in optimizer.candidates_
            )
        top = self.max_resources_
        scored = zip(optimizer.candidates_, np.isfinite(optimizer.scores_))
        reached = max((c[self.resource] for c, ok in scored if ok), default=top)
        if reached < top:
            warnings.warn(
                f"No candidate was scored with the full resource ({self.resource}"
                f"={top}) before the search stopped; the best is chosen among "
                f"those with {reached}, and refitted with that resource. Raise "
                "n_iter, budget or max_time.",
                UserWarning,
            )

    def _format_results(self, candidate_params, n_splits, out, more_results=None):
        results = super()._format_results(candidate_params, n_splits, out, more_results)
        full = results["n_resources"] == np.max(results["n_resources"])
        for key in [k for k in results if k.startswith("rank_test_")]:
            means = results["mean_test_" + key[len("rank_test_") :]]
            results[key] = rank_complete_first(means, full)
        return results

    def _pareto_rank(self, results):
        """Non-dominated ranks of the full-resource rows, then of the others
        after them, then the failures: a front from a lower level is a front
        of other models, cheaper and worse, so `pareto_front_` holds
        full-resource rows only."""
        full = results["n_resources"] == np.max(results["n_resources"])
        columns = self._objective_columns(results)
        Y = np.column_stack(
            [sign * np.asarray(results[key], dtype=float) for key, sign in columns]
        )
        failed = ~np.isfinite(Y).all(axis=1)
        ranks = np.empty(len(Y), dtype=int)
        n_ranks = 0
        for rows in (full & ~failed, ~full & ~failed):
            if rows.any():
                ranks[rows] = n_ranks + non_dominated_rank(Y[rows])
                n_ranks = ranks[rows].max()
        ranks[failed] = n_ranks + 1
        return ranks

    @staticmethod
    def _select_best_index(refit, refit_metric, results):
        """Index of the best full-resource row (the ranks put those first);
        a callable `refit` sees only their rows."""
        if not callable(refit):
            return BaseTuneSearchCV._select_best_index(refit, refit_metric, results)
        full = np.flatnonzero(results["n_resources"] == np.max(results["n_resources"]))
        view = {
            k: v[full] if isinstance(v, np.ndarray) else [v[i] for i in full]
            for k, v in results.items()
        }
        return int(full[BaseTuneSearchCV._select_best_index(refit, refit_metric, view)])

