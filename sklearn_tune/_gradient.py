"""GradientSearchCV: gradient-based hyperparameter search, on exact
hypergradients where the model has one, on score differences otherwise."""

from numbers import Integral

import numpy as np

from ._base import BaseTuneSearchCV
from ._compat import Interval, StrOptions, routed_params, validate_params
from .hypergradients._search import ExactPath
from .optimizers._gradient import GradientOptimizer
from .space import SearchSpace

__all__ = ["GradientSearchCV"]

# The search's `hypergradient` to the optimizer's `probe`: how a gradient is
# estimated where no exact one is told.
_PROBES = {
    "auto": "auto",
    "exact": "auto",
    "finite_difference": "central",
    "spsa": "spsa",
}


class GradientSearchCV(BaseTuneSearchCV):
    """Gradient-based search over continuous hyperparameters.

    Several starts climb the cross-validated objective in the unit cube of
    the continuous hyperparameters (log-scaled where the dimension is log,
    the quantile scale of a scipy.stats distribution), advanced in
    lock-step so that each batch of candidates is one
    ``evaluate_candidates`` call. The first `n_initial_points` candidates are
    random; the best `n_starts` of them become the starts. See
    :class:`~sklearn_tune.optimizers.GradientOptimizer`.

    Where the model has one, the steps follow the exact *hypergradient* of
    a smooth validation loss (the mean squared error, or the log-loss for
    logistic regression), computed from the folds' training data without
    any extra fit: projected quasi-Newton (BFGS) steps with a backtracking
    line search on that loss. Handled, alone or as the last step of a
    :class:`~sklearn.pipeline.Pipeline` (the preprocessing is refitted on
    each training fold):

    - :class:`~sklearn.linear_model.Ridge` and
      :class:`~sklearn.linear_model.RidgeClassifier`: ``alpha``;
    - :class:`~sklearn.linear_model.LogisticRegression` with the L2 penalty:
      ``C``;
    - :class:`~sklearn.kernel_ridge.KernelRidge`: ``alpha``, and ``gamma``
      of the RBF and Laplacian kernels;
    - :class:`~sklearn.linear_model.Lasso` and
      :class:`~sklearn.linear_model.ElasticNet`: ``alpha`` and
      ``l1_ratio``.

    For any other estimator or hyperparameter the gradient of the score is
    estimated from probes evaluated in the same batch as the steps, on the
    same folds: central differences in up to three continuous dimensions,
    SPSA beyond. Integer and categorical hyperparameters are held fixed along
    a path; new starts try neighbours of the best candidate (an integer one
    step away, another category), so that a discrete space becomes a local
    search over neighbours.

    Every point is evaluated through scikit-learn's ``evaluate_candidates``
    with the user's `scoring`, so ``cv_results_``, `refit`, multi-metric
    scoring, ``error_score`` and metadata routing are those of
    :class:`~sklearn.model_selection.GridSearchCV`: the smooth loss only
    steers the steps, and the best candidate is chosen by the score.

    Prefer :class:`~sklearn_tune.BayesSearchCV` when no exact hypergradient
    applies and evaluations are expensive, when the score has several local
    optima, or when most hyperparameters are integers or categories: the
    probes here cost evaluations that a surrogate model would spend on
    exploration, and the search is local around its starts.

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
        disjoint sub-spaces; each start stays in one.

    n_iter : int, default=20
        Number of distinct candidates evaluated (initial points, steps and
        probes alike), the hard budget.

    scoring : str, callable, list, tuple or dict, default=None
        Strategy to evaluate the performance of the candidates, as in
        :class:`~sklearn.model_selection.GridSearchCV`. With several metrics,
        `refit` names the one the search maximises.

    n_jobs : int, default=None
        Number of jobs to run in parallel. ``None`` means 1 unless in a
        :obj:`joblib.parallel_backend` context; ``-1`` means all processors.
        The fits of a whole batch (the steps and probes of every start) are
        dispatched together.

    refit : bool, str or callable, default=True
        Refit an estimator with the best parameters on the whole dataset. With
        multi-metric scoring, a string naming the scorer that is maximised and
        used to pick the best candidate.

    cv : int, cross-validation generator or iterable, default=None
        Cross-validation splitting strategy, as in
        :class:`~sklearn.model_selection.GridSearchCV`. The folds are drawn
        once and shared by every batch, so that scores, finite differences
        and hypergradients all refer to the same folds.

    verbose : int, default=0
        Verbosity: >0 prints one line per batch, more prints the fits.

    pre_dispatch : int or str, default="2*n_jobs"
        Number of jobs dispatched during parallel execution.

    random_state : int, RandomState instance or None, default=None
        Seed of the search: the same seed gives the same candidates, whatever
        `n_jobs`.

    error_score : "raise" or numeric, default=np.nan
        Score of a failed fit. A failed candidate ranks as the worst evaluated
        one, so a step onto it is rejected; a batch whose every fit fails is
        dropped from ``cv_results_`` with a warning and the search goes on.

    return_train_score : bool, default=False
        Whether ``cv_results_`` includes training scores.

    max_time : float, default=None
        Stop starting new batches after this many seconds (a warning says
        so); the best candidate so far is returned.

    n_iter_no_change : int, default=None
        Stop after this many consecutive batches without an improvement of
        the best score by more than `tol`. ``None`` never stops early.

    tol : float, default=0.0
        Improvement of the best score that counts for `n_iter_no_change`.

    checkpoint : str or path-like, default=None
        File where the state of the search is saved after every batch.
        Fitting again with the same path resumes the search without
        refitting finished candidates. The file is removed when the search
        completes.

    hypergradient : {"auto", "exact", "finite_difference", "spsa"}, \
            default="auto"
        Where the gradients come from. ``"exact"``: the exact hypergradient,
        and an error if the estimator has none for the continuous
        hyperparameters. ``"auto"``: the exact hypergradient when there is
        one, probes otherwise. ``"finite_difference"``: central differences
        of the score (``2 d`` probes per step in ``d`` continuous
        dimensions). ``"spsa"``: simultaneous perturbation (two probes per
        step along a random sign vector, with a least-squares slope over the
        start's recent points).

    n_starts : int, default=2
        Number of starts climbing together; several guard against a start
        stuck in a flat region, such as an extreme regularisation.

    n_initial_points : int, default=None
        Number of random candidates before the starts are chosen. ``None``
        means ``2 * n_starts``.

    objectives : None, default=None
        GradientSearchCV optimises one objective: any other value is
        refused. With multi-metric `scoring` and a `refit` naming none of
        its metrics (a callable or False), it maximises the first metric.

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
    cv_results_ : dict of numpy (masked) ndarrays
        As in :class:`~sklearn.model_selection.GridSearchCV`, one row per
        candidate in the order evaluated, with extra columns, the same for
        every row: ``iter`` (the batch), ``start`` (the path, -1 for a
        random top-up), ``step`` (the iteration of the path, 0 for its
        first point), ``role`` (``"init"``, ``"iterate"``, ``"probe"`` or
        ``"random"``), ``grad_norm`` (norm of the unit-cube gradient the
        step followed, NaN for none) and ``grad_source`` (``"exact"``,
        ``"finite_difference"``, ``"spsa"`` or ``"none"``).

    best_estimator_ : estimator
        Estimator refitted with the best parameters; only with `refit`.

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

    optimizer_ : GradientOptimizer
        The optimizer after the search, with the history of every candidate.

    classes_ : ndarray of shape (n_classes,)
        Class labels; only with `refit` and a classifier.

    n_features_in_ : int
        Number of features seen during fit; only with `refit`.

    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of features seen during fit; only with `refit` and string
        feature names.

    See Also
    --------
    sklearn.linear_model.RidgeCV : Efficient leave-one-out or grid search
        over ``alpha`` for ridge regression.
    sklearn.linear_model.LassoCV : Cross-validated Lasso along a path.
    sklearn_tune.BayesSearchCV : Bayesian optimisation, for black-box scores.

    Notes
    -----
    The exact path needs the training data during the search: the search
    holds it for the length of :meth:`fit` and lets go of it when the fit
    ends; no fitted attribute holds it. The exact
    path sees the fit parameters the search is given (routed or not):
    ``sample_weight`` is handled for Ridge and RidgeClassifier fitted
    alone (the training fold's weights in the fit, the validation fold's in
    the loss); with any other fit parameter, or weights for another model or
    a Pipeline, the gradient is probed instead (``"exact"`` then raises).

    **When to prefer BayesSearchCV.** GradientSearchCV pays off where the
    validation score is a smooth function of a few continuous
    hyperparameters, above all with an exact hypergradient (regularisation
    strengths of linear and kernel models), where it refines a value to
    several digits in a handful of candidates. Prefer
    :class:`~sklearn_tune.BayesSearchCV` for black-box models (trees,
    boosting, SVC, neural networks), for spaces that are mostly integer or
    categorical, for rugged or noisy scores (small data, few folds), and
    when a global search over a wide range matters more than local
    precision: the probes of the fallback cost extra evaluations per step
    and only find a local optimum.

    The implicit gradients of the Lasso and ElasticNet hold where the
    support of the coefficients does not change; across a change the
    validation loss has a kink and the step is found by the line search.

    Examples
    --------
    >>> from scipy.stats import loguniform
    >>> from sklearn.datasets import load_diabetes
    >>> from sklearn.linear_model import Ridge
    >>> from sklearn_tune import GradientSearchCV
    >>> X, y = load_diabetes(return_X_y=True)
    >>> search = GradientSearchCV(
    ...     Ridge(), {"alpha": loguniform(1e-4, 1e2)},
    ...     n_iter=10, n_starts=1, n_initial_points=3, cv=3, random_state=0,
    ... ).fit(X, y)
    >>> bool(search.best_score_ > 0.45)
    True
    >>> str(search.cv_results_["grad_source"][-1])
    'exact'
    """

    _multi_objective = False

    _parameter_constraints: dict = {
        **BaseTuneSearchCV._parameter_constraints,
        "hypergradient": [StrOptions(set(_PROBES))],
        "n_starts": [Interval(Integral, 1, None, closed="left")],
        "n_initial_points": [Interval(Integral, 1, None, closed="left"), None],
    }

    def __init__(
        self,
        estimator,
        param_distributions,
        *,
        n_iter=20,
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
        hypergradient="auto",
        n_starts=2,
        n_initial_points=None,
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
        self.hypergradient = hypergradient
        self.n_starts = n_starts
        self.n_initial_points = n_initial_points

    def fit(self, X, y=None, **params):
        # Documented by BaseTuneSearchCV.fit (inspect.getdoc and autodoc
        # inherit its docstring).
        validate_params(self)
        # The exact path sees the sample weights the fits are given, and
        # those of the scorer, which depend on the release and the scorer.
        routed = routed_params(self, params)
        # The exact hypergradients are fitted on the data (and the folds'
        # factorisations kept) for this fit only: a fitted search holds no
        # copy of X or of the weights.
        self._exact_path = ExactPath(
            X,
            y,
            fit_params=routed.estimator.fit,
            score_weight=routed.scorer.score.get("sample_weight"),
        )
        try:
            # Decided here rather than with the optimizer, which a resumed
            # search takes from its checkpoint.
            if self.hypergradient in ("auto", "exact"):
                self._exact_path.start(
                    self.estimator,
                    SearchSpace(self.param_distributions),
                    required=self.hypergradient == "exact",
                )
            return super().fit(X, y, **params)
        finally:
            del self._exact_path

    def _make_optimizer(self, space, random_state):
        return GradientOptimizer(
            space,
            n_starts=self.n_starts,
            n_initial_points=self.n_initial_points,
            probe=_PROBES[self.hypergradient],
            random_state=random_state,
        )

    def _after_tell(self, optimizer, batch, folds):
        # The steps of the next batch need the hypergradients at the points
        # this batch evaluated; telling them before the checkpoint also
        # saves them with it.
        requests = optimizer.gradient_requests() if self._exact_path.applies else []
        if requests:
            losses, grads = zip(
                *(self._exact_path.value_and_grad(c, folds) for c in requests)
            )
            # The optimizer maximises: minus the loss, and minus its gradient.
            optimizer.tell_gradients(
                requests,
                np.negative(losses),
                [None if g is None else {k: -v for k, v in g.items()} for g in grads],
            )
