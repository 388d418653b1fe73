"""Warm starts across resource levels: an estimator wrapper that continues
training a configuration from its fit at the previous level.

``evaluate_candidates`` clones the estimator for every fit, and with
``n_jobs`` the fits run in other processes, so a fitted model cannot be
handed from one rung to the next in memory. The wrapper keeps it on disk
instead, under a key made of the configuration (every parameter but the
resource) and the training data of the fold, so that any worker finds it.

The search removes the fits of the configurations a rung did not promote
as soon as the rung is decided, so the store holds at most one fit per
running configuration and fold. Where the store cannot be reached (a
worker on another machine, a removed directory), fits are from scratch.

When a continued fit is not the model a fit from scratch would give
(epochs with a restarted optimiser), the refit must train the chosen
configuration the way it was scored: the search records, after its last
rung, the levels each configuration went through
(:meth:`WarmStartCache.record_schedules`), and the wrapper replays them
when it has no saved fit to start from.

Population-based training keys its store by lineage instead
(:class:`LineageWarmStart`): a member's model at a step, which the next
step continues, its own member or one that copied it.

:func:`warm_starting` puts the wrapper in the search's place for the length
of its ``fit``.
"""

import hashlib
import os
import pickle
import re
import shutil
import tempfile
from contextlib import contextmanager

import joblib
import numpy as np
from sklearn.base import BaseEstimator, MetaEstimatorMixin, clone
from sklearn.utils import get_tags
from sklearn.utils.metadata_routing import get_routing_for_object

from ._checkpoint import write_atomically


_SCHEDULES = "schedules.pkl"


def _save(obj, path):
    # pickle (in write_atomically), not joblib.dump: a boosted model is
    # thousands of small arrays, which joblib's Python-level pickler writes
    # 30 times slower. No fsync: these files only outlive a process, not
    # the machine.
    write_atomically(obj, path, fsync=False)


def _save_if_reachable(obj, path):
    """Save `obj`, unless its directory cannot be written (removed, or not
    there on this worker's machine): a fit that finds nothing to continue
    trains from scratch, so a missing fit costs time, not a result."""
    try:
        _save(obj, path)
    except OSError:
        pass


def _load(path):
    with open(path, "rb") as f:
        return pickle.load(f)


def _listdir(directory):
    """The names in `directory`; none if it cannot be read."""
    try:
        return os.listdir(directory)
    except OSError:
        return []


def _remove(path):
    try:
        os.remove(path)
    except OSError:
        # Removed already (by another worker, or with the whole store).
        pass


def warm_start_parameter(resource):
    """Name of the ``warm_start`` parameter of the step that owns `resource`."""
    step, _, _ = resource.rpartition("__")
    return f"{step}__warm_start" if step else "warm_start"


def data_key(*data):
    """A hash of the training data of a fit, exact and cheap on arrays.

    Every continued fit computes it to find its stored model, so for
    millisecond fits (a few epochs of SGD) joblib's pickling hash would
    cost more than the training. Numeric numpy arrays are hashed from their
    buffer (with dtype and shape); anything else goes through joblib.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_tune._warm_start import data_key
    >>> X = np.arange(6.0).reshape(3, 2)
    >>> data_key(X, None) == data_key(X.copy(), None)
    True
    >>> data_key(X, None) == data_key(X[:2], None)
    False
    """
    digest = hashlib.sha1(usedforsecurity=False)
    rest = []
    for value in data:
        if isinstance(value, np.ndarray) and value.dtype.kind in "biufc":
            digest.update(f"{value.dtype.str}{value.shape}".encode())
            digest.update(np.ascontiguousarray(value))
        else:
            digest.update(b"joblib")
            rest.append(value)
    digest.update(joblib.hash(rest).encode())
    return digest.hexdigest()


def configuration_key(estimator, resource):
    """A hash of `estimator`'s parameters, the resource left out."""
    return joblib.hash(clone(estimator).set_params(**{resource: None}))


def _owner(estimator, resource):
    """The estimator (or pipeline step) that has the parameter `resource`."""
    step, _, _ = resource.rpartition("__")
    return estimator.get_params()[step] if step else estimator


def grows_to_level(estimator, resource):
    """Whether a warm-started fit grows the model to the resource level
    (scikit-learn's ensembles: ``n_estimators``, or ``max_iter`` of the
    histogram gradient boosting), rather than training for that many more
    epochs (``max_iter`` of MLP or SGD)."""
    return type(_owner(estimator, resource)).__module__.startswith("sklearn.ensemble")


def stops_early(estimator, resource, n_samples):
    """Whether the step that owns `resource` stops its training early on a
    fit of `n_samples` samples (``n_iter_no_change`` of gradient boosting,
    ``early_stopping`` of the histogram one, "auto": above 10,000 samples).

    A warm-started fit that stopped early at a level goes on training at
    the next, where a fit from scratch would stop at the same iteration:
    the models differ.
    """
    params = _owner(estimator, resource).get_params(deep=False)
    if params.get("n_iter_no_change") is None:
        return False
    early = params.get("early_stopping", True)
    return early is True or (early == "auto" and n_samples > 10_000)


def continues_exactly(estimator, resource):
    """Whether continuing a fit at a higher level of `resource` gives the
    model a fit from scratch gives: `resource` is the size of one of
    scikit-learn's ensembles that can be warm started (``n_estimators`` of
    a forest, of bagging or of gradient boosting, ``max_iter`` of the
    histogram gradient boosting), in `estimator` or in one of its steps,
    provided the fit does not stop early (:func:`stops_early`, checked fit
    by fit).

    Examples
    --------
    >>> from sklearn.ensemble import RandomForestClassifier
    >>> from sklearn.neural_network import MLPClassifier
    >>> from sklearn.pipeline import make_pipeline
    >>> from sklearn.preprocessing import StandardScaler
    >>> from sklearn_tune._warm_start import continues_exactly
    >>> forest = make_pipeline(StandardScaler(), RandomForestClassifier())
    >>> continues_exactly(forest, "randomforestclassifier__n_estimators")
    True
    >>> continues_exactly(forest, "randomforestclassifier__max_depth")
    False
    >>> continues_exactly(MLPClassifier(), "max_iter")
    False
    """
    if resource == "n_samples":
        return False
    try:
        owner = _owner(estimator, resource)
    except KeyError:
        return False
    name = resource.rpartition("__")[2]
    return (
        grows_to_level(estimator, resource)
        and name in ("n_estimators", "max_iter")
        and name in owner.get_params(deep=False)
        and "warm_start" in owner.get_params(deep=False)
    )


@contextmanager
def warm_starting(
    search, full_resource, cache=None, needs="warm_start=True", exact_only=False
):
    """Put a :class:`WarmStartCache` in place of ``search.estimator``.

    scikit-learn's ``evaluate_candidates`` clones the search's estimator for
    every fit, so the wrapper must be that estimator for the length of
    ``fit``. Afterwards the user's estimator is back, ``best_estimator_``
    is unwrapped, and the saved fits are removed, unless the search was
    interrupted with a checkpoint: they are kept next to it
    (``<checkpoint>.warm_start``) for the resumed search to continue.

    Parameters
    ----------
    search : HyperbandSearchCV
        The search about to fit, with warm starts on.
    full_resource : callable
        Returns the full resource of ``search.resource``, an estimator
        parameter; called once that is known not to be ``"n_samples"``.
    cache : class, default=None
        The wrapper: :class:`WarmStartCache` (None), or
        :class:`LineageWarmStart` for population-based training.
    needs : str, default="warm_start=True"
        What the search's user asked for, as the errors name it.
    exact_only : bool, default=False
        Continue only the fits that give the model a fit from scratch
        gives (see :func:`stops_early`); the others are fitted from
        scratch. Only for :class:`WarmStartCache`.

    Yields
    ------
    wrapper : WarmStartCache
        The estimator of the search during the fit.
    """
    estimator, resource = search.estimator, search.resource
    if resource == "n_samples":
        raise ValueError(
            f"{needs} continues training over an estimator parameter "
            "such as max_iter or n_estimators; resource='n_samples' is not one."
        )
    max_level = full_resource()
    flag = warm_start_parameter(resource)
    if flag not in estimator.get_params():
        raise ValueError(
            f"{needs} needs the estimator that owns resource={resource!r} "
            f"to have a warm_start parameter ({flag!r}); it has none."
        )
    if search.checkpoint is None:
        cache_dir = tempfile.mkdtemp(prefix="sklearn_tune_warm_start_")
    else:
        cache_dir = f"{os.fspath(search.checkpoint)}.warm_start"
        if not os.path.exists(search.checkpoint):
            # A new search: nothing of an earlier one may be continued.
            shutil.rmtree(cache_dir, ignore_errors=True)
        os.makedirs(cache_dir, mode=0o700, exist_ok=True)
    grows = grows_to_level(estimator, resource)
    cache = WarmStartCache if cache is None else cache
    extra = {"tune_exact_only": True} if exact_only else {}
    search.estimator = cache(estimator, cache_dir, resource, grows, max_level, **extra)
    completed = False
    try:
        yield search.estimator
        completed = True
    finally:
        search.estimator = estimator
        if completed or search.checkpoint is None:
            shutil.rmtree(cache_dir, ignore_errors=True)
    if hasattr(search, "best_estimator_"):
        search.best_estimator_ = search.best_estimator_.estimator_


class WarmStartCache(MetaEstimatorMixin, BaseEstimator):
    """An estimator that continues from its fit at a lower resource level.

    Parameters set on the wrapper go to `tune_estimator`, so candidates
    written for the estimator apply unchanged. A fit at level ``r`` looks
    in `tune_cache_dir` for the same configuration, fitted on the same
    training data at the highest level below ``r``; if there is one, it is
    loaded and fitted again with ``warm_start=True`` and the resource set to
    ``r`` (`tune_grows` True) or to the difference of the levels; otherwise
    a clone is fitted from scratch, through the levels the search recorded
    for the configuration if it did (the refit). Fits below
    `tune_max_level` are saved for the next level, and a saved fit is
    removed once continued, or by :meth:`keep_only` once its configuration
    is not promoted. A store that cannot be read or written (removed, or
    not on the machine of a worker) is not an error: the fit is from
    scratch, and nothing is saved.

    Parameters
    ----------
    tune_estimator : estimator object
        The estimator (a pipeline, possibly) to fit.
    tune_cache_dir : str
        Directory of the saved fits, shared by all the workers.
    tune_resource : str
        Name of the integer resource parameter of `tune_estimator`.
    tune_grows : bool
        Whether the resource is the model's total size (ensembles) or the
        training per fit call (epochs).
    tune_max_level : int
        The full resource; fits at that level are not saved.
    tune_exact_only : bool, default=False
        Fit from scratch, and save nothing, when the fit stops early
        (:func:`stops_early`): continuing it would not give the model a fit
        from scratch gives.
    """

    def __init__(
        self, tune_estimator, tune_cache_dir, tune_resource, tune_grows,
        tune_max_level, tune_exact_only=False,
    ):  # fmt: skip
        self.tune_estimator = tune_estimator
        self.tune_cache_dir = tune_cache_dir
        self.tune_resource = tune_resource
        self.tune_grows = tune_grows
        self.tune_max_level = tune_max_level
        self.tune_exact_only = tune_exact_only

    def get_params(self, deep=True):
        own = super().get_params(deep=False)
        if not deep:
            return own
        return {**self.tune_estimator.get_params(deep=True), **own}

    def set_params(self, **params):
        names = super().get_params(deep=False)
        own = {k: params.pop(k) for k in list(params) if k in names}
        super().set_params(**own)
        if params:
            self.tune_estimator.set_params(**params)
        return self

    def fit(self, X, y=None, **fit_params):
        if self.tune_exact_only and stops_early(
            self.tune_estimator, self.tune_resource,
            X.shape[0] if hasattr(X, "shape") else len(X),
        ):
            self.estimator_ = clone(self.tune_estimator).fit(X, y, **fit_params)
            return self
        level = self.tune_estimator.get_params()[self.tune_resource]
        configuration = configuration_key(self.tune_estimator, self.tune_resource)
        # The configuration first, so that the search can remove the fits
        # of a configuration on every fold without knowing the folds.
        key = f"{configuration}-{data_key(X, y, fit_params)}"
        estimator, done, path = self._load_below(key, level)
        if estimator is None:
            estimator, done = clone(self.tune_estimator), 0
            for step in self._schedule(configuration, level):
                self._fit_to(estimator, done, step, X, y, fit_params)
                done = step
        self._fit_to(estimator, done, level, X, y, fit_params)
        if level < self.tune_max_level:
            path_to = os.path.join(self.tune_cache_dir, f"{key}-{level}.pkl")
            _save_if_reachable(estimator, path_to)
        if path is not None:
            _remove(path)
        self.estimator_ = estimator
        return self

    def keep_only(self, candidates):
        """Remove the saved fits of every configuration but `candidates`'.

        The search calls it once a rung is decided, so that the fits of the
        configurations it did not promote do not wait for the end of the
        search: the store holds at most one fit per configuration still
        running and fold.

        Parameters
        ----------
        candidates : iterable of dict
            Parameters of the configurations that a later rung may continue
            (the resource, at any level, included or not).
        """
        keep = {
            configuration_key(
                clone(self.tune_estimator).set_params(**params), self.tune_resource
            )
            for params in candidates
        }
        for name in _listdir(self.tune_cache_dir):
            configuration, _, rest = name.partition("-")
            if rest.endswith(".pkl") and configuration not in keep:
                _remove(os.path.join(self.tune_cache_dir, name))

    def record_schedules(self, trained_levels):
        """Save the levels each configuration was trained through, for the
        refit to replay (only needed when a fit does not grow the model).

        Parameters
        ----------
        trained_levels : iterable of (dict, list)
            Parameters of a candidate, the resource included, and the
            levels it went through up to its own; the longest path of each
            configuration is kept.
        """
        if self.tune_grows:
            return
        schedules = {}
        for params, levels in trained_levels:
            estimator = clone(self.tune_estimator).set_params(**params)
            key = configuration_key(estimator, self.tune_resource)
            if len(levels) > len(schedules.get(key, [])):
                schedules[key] = levels
        _save_if_reachable(schedules, os.path.join(self.tune_cache_dir, _SCHEDULES))

    def _fit_to(self, estimator, done, level, X, y, fit_params):
        """Train `estimator`, fitted up to level `done` (0: not fitted), up
        to `level`."""
        params = {self.tune_resource: level}
        if done:
            params[warm_start_parameter(self.tune_resource)] = True
            if not self.tune_grows:
                params[self.tune_resource] = level - done
        estimator.set_params(**params).fit(X, y, **fit_params)

    def _saved_schedules(self):
        """The schedules :meth:`record_schedules` wrote; none if not
        recorded (a fit during the search) or not reachable from this
        worker: the fit is then trained in one go."""
        try:
            return _load(os.path.join(self.tune_cache_dir, _SCHEDULES))
        except OSError:
            return {}

    def _schedule(self, configuration, level):
        """The levels below `level` that the search trained `configuration`
        through, when it wrote them (for the refit)."""
        schedules = self._saved_schedules()
        return [step for step in schedules.get(configuration, []) if step < level]

    def _load_below(self, key, level):
        """The saved fit of `key` at the highest level below `level`, that
        level and the file; Nones if there is none, or it cannot be read
        (the store removed, or on another machine)."""
        pattern = re.compile(rf"{key}-(\d+)\.pkl")
        saved = []
        for name in _listdir(self.tune_cache_dir):
            match = pattern.fullmatch(name)
            if match and int(match.group(1)) < level:
                saved.append((int(match.group(1)), name))
        if not saved:
            return None, None, None
        done, name = max(saved)
        path = os.path.join(self.tune_cache_dir, name)
        try:
            return _load(path), done, path
        except Exception:
            # A file another process removed or could not finish: fitting
            # from scratch gives the same kind of result.
            return None, None, None

    def __getattr__(self, name):
        # predict, score, classes_... of the fitted estimator (of the
        # unfitted one before fit, for scikit-learn's checks of the search).
        target = self.__dict__.get("estimator_", self.__dict__.get("tune_estimator"))
        if name.startswith("__") or target is None:
            raise AttributeError(name)
        return getattr(target, name)

    def __sklearn_tags__(self):
        return get_tags(self.tune_estimator)

    def get_metadata_routing(self):
        return get_routing_for_object(self.tune_estimator)


class LineageWarmStart(WarmStartCache):
    """An estimator that continues the fit of the model it descends from.

    Population-based training's store: a fit continues, on the same
    training data, the state saved as `tune_parent` (a member's model at
    the previous step, its own or the one it copied), trained up to the
    resource level of that step, and saves its own state as `tune_save`.
    The levels are cumulative: the resource set on the wrapper is the
    training the model has had at the end of the fit. Without a parent
    (the first step, and the refit), a clone is trained from scratch:
    through the steps the search recorded for its configuration
    (:meth:`record_lineages`, after the last step: the refit), each with
    its own hyperparameters, then to the level.

    Parameters
    ----------
    tune_estimator, tune_cache_dir, tune_resource, tune_grows, tune_max_level
        As in :class:`WarmStartCache`.
    tune_parent : str or None, default=None
        Name of the state to continue (None: start from scratch).
    tune_parent_level : int, default=0
        Resource level the parent state was trained to.
    tune_save : str or None, default=None
        Name under which to save the state after the fit (None: not saved).
    """

    def __init__(
        self, tune_estimator, tune_cache_dir, tune_resource, tune_grows,
        tune_max_level, tune_parent=None, tune_parent_level=0, tune_save=None,
    ):  # fmt: skip
        super().__init__(
            tune_estimator, tune_cache_dir, tune_resource, tune_grows, tune_max_level
        )
        self.tune_parent = tune_parent
        self.tune_parent_level = tune_parent_level
        self.tune_save = tune_save

    def set_params(self, **params):
        # The hyperparameters of this step, to set on a loaded parent too.
        own = BaseEstimator.get_params(self, deep=False)
        self._step_params = {
            **self.__dict__.get("_step_params", {}),
            **{
                k: v
                for k, v in params.items()
                if k not in own and k != self.tune_resource
            },
        }
        return super().set_params(**params)

    def fit(self, X, y=None, **fit_params):
        level = self.tune_estimator.get_params()[self.tune_resource]
        data = data_key(X, y, fit_params)
        estimator, done = None, 0
        if self.tune_parent is not None:
            path = os.path.join(self.tune_cache_dir, f"{self.tune_parent}-{data}.pkl")
            try:
                estimator, done = _load(path), self.tune_parent_level
            except Exception:
                # A parent that failed to fit on this fold, or a file another
                # process could not finish: train from scratch to the level.
                estimator = None
        if estimator is None:
            estimator, done = clone(self.tune_estimator), 0
            if self.tune_parent is None:
                for params, step in self._recorded_schedule(level):
                    self._fit_to(
                        estimator.set_params(**params), done, step, X, y, fit_params
                    )
                    done = step
        estimator.set_params(**self.__dict__.get("_step_params", {}))
        self._fit_to(estimator, done, level, X, y, fit_params)
        if self.tune_save is not None:
            name = f"{self.tune_save}-{data}.pkl"
            _save_if_reachable(estimator, os.path.join(self.tune_cache_dir, name))
        self.estimator_ = estimator
        return self

    def record_lineages(self, schedules):
        """Save the steps that trained each model of the last step, for the
        refit to replay.

        Parameters
        ----------
        schedules : iterable of list of dict
            For each model, the parameters of each of its steps, the resource
            (the cumulative level) included, the last step's last; the first
            model of a configuration is kept.
        """
        saved = {}
        for schedule in schedules:
            estimator = clone(self.tune_estimator).set_params(**schedule[-1])
            saved.setdefault(configuration_key(estimator, self.tune_resource), schedule)
        _save_if_reachable(saved, os.path.join(self.tune_cache_dir, _SCHEDULES))

    def forget(self, prefix):
        """Remove the saved states whose name starts with `prefix` (a step
        no member continues any more)."""
        for name in _listdir(self.tune_cache_dir):
            if name.startswith(prefix):
                _remove(os.path.join(self.tune_cache_dir, name))

    def _recorded_schedule(self, level):
        """The recorded steps of this configuration below `level`, as
        (parameters, level) pairs."""
        schedules = self._saved_schedules()
        key = configuration_key(self.tune_estimator, self.tune_resource)
        resource = self.tune_resource
        return [
            ({k: v for k, v in params.items() if k != resource}, params[resource])
            for params in schedules.get(key, [])
            if params[resource] < level
        ]
