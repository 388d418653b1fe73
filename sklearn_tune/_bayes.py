"""BayesSearchCV: Bayesian optimisation of hyperparameters with a Gaussian
process surrogate."""

import math
from numbers import Integral
from numbers import Real as RealNumber

import numpy as np
from joblib import effective_n_jobs

from ._base import BaseTuneSearchCV
from ._compat import Interval, StrOptions
from .optimizers._bayes import BayesOptimizer, default_n_initial_points


class BayesSearchCV(BaseTuneSearchCV):
    """Bayesian optimisation over hyperparameters, with cross-validation.

    A drop-in for :class:`~sklearn.model_selection.RandomizedSearchCV` that
    chooses each candidate from the scores of the previous ones: after a
    quasi-random (Sobol') initial design, a Gaussian process (Matern-5/2
    kernel with one length scale per hyperparameter and a learned noise
    level) is fitted to the cross-validated scores, and the next candidates
    maximise an acquisition function. Integer and categorical
    hyperparameters are searched exactly, and no candidate is evaluated
    twice.

    Everything else, cross-validation, scoring, ``refit``, ``error_score``,
    parallelism and ``cv_results_``, is that of
    :class:`~sklearn.model_selection.GridSearchCV`.

    Parameters
    ----------
    estimator : estimator object
        An object implementing ``fit`` and, without `scoring`, ``score``.

    param_distributions : dict or list of dicts
        Parameter names to a list of values (categorical), a frozen
        :mod:`scipy.stats` distribution, or a :class:`~sklearn_tune.Real`,
        :class:`~sklearn_tune.Integer` or :class:`~sklearn_tune.Categorical`.
        A list of dicts is searched as disjoint sub-spaces, each with its own
        surrogate, sharing the budget (see Notes).

    n_iter : int, default=50
        Number of candidates evaluated (fewer if the space holds fewer).

    scoring : str, callable, list, tuple or dict, default=None
        As in :class:`~sklearn.model_selection.GridSearchCV`. With several
        metrics, `refit` names the one that is optimised.

    n_jobs : int, default=None
        Number of jobs for the fits of a batch. ``None`` means 1 unless in a
        :obj:`joblib.parallel_backend` context; ``-1`` means all processors.

    refit : bool, str or callable, default=True
        Refit the best estimator on the whole data, as in
        :class:`~sklearn.model_selection.GridSearchCV`.

    cv : int, cross-validation generator or iterable, default=None
        Cross-validation splitting strategy; the folds are drawn once and
        shared by every candidate.

    verbose : int, default=0
        Verbosity: above 0, one line per batch.

    pre_dispatch : int or str, default="2*n_jobs"
        Number of jobs dispatched during parallel execution.

    random_state : int, RandomState instance or None, default=None
        Seed of the search; pass an int for reproducible results.

    error_score : "raise" or numeric, default=np.nan
        Score of a failed fit. Candidates that failed are scored by the
        surrogate as the worst candidate that worked.

    return_train_score : bool, default=False
        Also compute the training scores.

    max_time : float, default=None
        Stop starting new batches after this many seconds since ``fit``
        started (the first batch always runs).

    n_iter_no_change : int, default=None
        Stop when the best score has not improved by more than `tol` for
        this many batches.

    tol : float, default=0.0
        Improvement that counts for `n_iter_no_change`.

    checkpoint : str or path-like, default=None
        File where the state of the search (the optimizer with its
        surrogates' data, and the results so far) is saved after every
        batch. Fitting again with the same path resumes the search without
        refitting finished candidates. The file is removed when the search
        completes.

    n_initial_points : "auto" or int, default="auto"
        Candidates of the quasi-random initial design, per sub-space, before
        the surrogate takes over. ``"auto"`` uses the number of
        hyperparameters plus five, capped at ``n_iter // (2 * n_subspaces)``
        (but at least one) so that at least half of a small budget goes to
        the surrogate.

    acquisition : {"ei", "pi", "ucb"}, default="ei"
        Expected improvement, probability of improvement or upper confidence
        bound. Expected and probability of improvement are maximised on the
        log scale, which keeps them informative where they underflow.

    xi : "auto" or float, default="auto"
        Margin of improvement for "ei" and "pi", in units of the standard
        deviation of the scores so far; larger explores more. ``"auto"``
        alternates from one batch to the next between `acquisition` with no
        margin, which refines the best candidate, and the upper confidence
        bound with `kappa`, which looks where the surrogate is unsure. With
        several `objectives`, ``"auto"`` is `acquisition` with no margin at
        every batch: the scalarisation, drawn anew at each batch, already
        explores.

    kappa : float, default=1.96
        Weight of the surrogate's uncertainty for "ucb" (and for every other
        batch of ``xi="auto"``); larger explores more.

    n_points : "auto" or int, default="auto"
        Candidates proposed together after the initial design, evaluated as
        one batch (their fits run in parallel). ``"auto"`` proposes
        ``ceil(n_workers / n_splits)``: the fewest that give every worker a
        fit (see Notes). An int makes the candidates independent of `n_jobs`.

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
        Gaussian process models ParEGO's augmented Chebyshev scalarisation
        of the objectives, weighted anew at random for each proposal. See
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

    Attributes
    ----------
    pareto_front_ : ndarray of int
        With several objectives only: indices in ``cv_results_`` of the
        Pareto-optimal rows (``pareto_rank == 1``).

    cv_results_ : dict of numpy (masked) ndarrays
        As in :class:`~sklearn.model_selection.GridSearchCV`, plus ``iter``
        (the batch of each candidate), ``surrogate_mean`` and
        ``surrogate_std`` (the surrogate's prediction of the optimised score
        and its standard deviation when the candidate was proposed; NaN for
        the initial design).

    best_estimator_ : estimator
        Estimator refitted with the best parameters, if `refit`.

    best_score_ : float
        Mean cross-validated score of the best candidate.

    best_params_ : dict
        Parameters of the best candidate.

    best_index_ : int
        Index of the best candidate in `cv_results_`.

    scorer_ : function or dict
        Scorer(s) used on the held-out data.

    n_splits_ : int
        Number of cross-validation splits.

    refit_time_ : float
        Seconds spent refitting the best estimator.

    multimetric_ : bool
        Whether several metrics were evaluated.

    optimizer_ : BayesOptimizer
        The optimizer, with the history of candidates and scores.

    n_features_in_ : int
        Number of features seen during fit, if the estimator exposes it.

    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of features seen during fit, if the estimator exposes them.

    classes_ : ndarray of shape (n_classes,)
        Class labels, for classifiers refitted on the whole data.

    See Also
    --------
    sklearn.model_selection.RandomizedSearchCV : Random search.
    sklearn.model_selection.GridSearchCV : Exhaustive search over a grid.

    Notes
    -----
    **Batches.** The initial design is evaluated as one batch, since its
    candidates do not depend on each other's scores. Afterwards each batch
    holds `n_points` candidates, chosen greedily: after each pick the
    surrogate is conditioned on a fantasy score there (its own prediction,
    capped at the best score so far), so the next pick goes elsewhere. The default
    ``ceil(n_workers / n_splits)`` gives each of the ``n_workers``
    (``joblib.effective_n_jobs(n_jobs)``) workers at least one fit per batch,
    and no more candidates than that, since every extra candidate in a batch
    is chosen without the scores of its batch-mates. With ``n_jobs=2`` and
    any ``cv`` (at least 2 folds) this is one candidate, whose folds keep
    both workers busy; it also means that ``n_jobs=1`` and ``n_jobs=2`` give
    the same candidates. With more workers than folds, batches grow so that
    no worker idles.

    **Several sub-spaces.** With a list of dicts, each sub-space first gets
    its own initial design; afterwards each candidate comes from the
    sub-space with the highest acquisition value, computed on a common scale
    against the best score over all sub-spaces (for expected improvement:
    the expected gain over the overall best, in units of the score). Budget
    thus flows to the sub-spaces likely to hold the best candidate instead
    of being split evenly, and ``best_params_`` is the best over all.

    Examples
    --------
    >>> from scipy.stats import loguniform
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.svm import SVC
    >>> from sklearn_tune import BayesSearchCV
    >>> X, y = load_iris(return_X_y=True)
    >>> search = BayesSearchCV(
    ...     SVC(),
    ...     {"C": loguniform(1e-2, 1e2), "kernel": ["linear", "rbf"]},
    ...     n_iter=10, cv=3, random_state=0,
    ... ).fit(X, y)
    >>> bool(search.best_score_ > 0.95)
    True
    >>> sorted(search.best_params_)
    ['C', 'kernel']
    >>> len(search.cv_results_["surrogate_mean"])
    10
    """

    _parameter_constraints: dict = {
        **BaseTuneSearchCV._parameter_constraints,
        "n_initial_points": [
            StrOptions({"auto"}),
            Interval(Integral, 1, None, closed="left"),
        ],
        "acquisition": [StrOptions({"ei", "pi", "ucb"})],
        "xi": [StrOptions({"auto"}), Interval(RealNumber, 0, None, closed="left")],
        "kappa": [Interval(RealNumber, 0, None, closed="left")],
        "n_points": [StrOptions({"auto"}), Interval(Integral, 1, None, closed="left")],
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
        n_initial_points="auto",
        acquisition="ei",
        xi="auto",
        kappa=1.96,
        n_points="auto",
        objectives=None,
        early_stopping_cv=None,
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
        self.n_initial_points = n_initial_points
        self.acquisition = acquisition
        self.xi = xi
        self.kappa = kappa
        self.n_points = n_points

    def _make_optimizer(self, space, random_state):
        if self.n_initial_points == "auto":
            cap = max(1, self.n_iter // (2 * len(space.subspaces)))
            n_initial = [min(default_n_initial_points(s), cap) for s in space.subspaces]
        else:
            n_initial = self.n_initial_points
        return BayesOptimizer(
            space,
            n_initial_points=n_initial,
            acquisition=self.acquisition,
            xi=self.xi,
            kappa=self.kappa,
            batch_size=self._n_points(),
            random_state=random_state,
        )

    def _n_points(self):
        if self.n_points == "auto":
            # Enough candidates for every worker to have one of their folds.
            return math.ceil(effective_n_jobs(self.n_jobs) / self.n_splits_)
        return self.n_points

