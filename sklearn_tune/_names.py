"""Errors for misspelled scorer and parameter names, with the closest valid
names: scikit-learn lists every scorer (about 60) or, for a pipeline, the
Pipeline's own parameters rather than its steps."""

import difflib

from sklearn.metrics import get_scorer_names
from sklearn.pipeline import Pipeline


def did_you_mean(name, valid):
    close = difflib.get_close_matches(name, list(valid), n=3, cutoff=0.6)
    if not close:
        return ""
    return " Did you mean " + " or ".join(repr(c) for c in close) + "?"


def check_scoring_names(scoring):
    """Raise for a scorer name scikit-learn does not know, suggesting names.

    Only names are checked (a string, or the strings of a list, tuple, set
    or dict); callables and other values are left to scikit-learn.
    """
    if isinstance(scoring, str):
        names = [scoring]
    elif isinstance(scoring, (list, tuple, set)):
        names = [s for s in scoring if isinstance(s, str)]
    elif isinstance(scoring, dict):
        names = [s for s in scoring.values() if isinstance(s, str)]
    else:
        return
    known = get_scorer_names()
    for name in names:
        if name not in known:
            raise ValueError(
                f"scoring={name!r} is not a scikit-learn scorer."
                f"{did_you_mean(name, known)} sklearn.metrics.get_scorer_names() "
                "lists them all."
            )


def check_parameter_names(estimator, space):
    """Raise for a name of `space` that `estimator` has no parameter for.

    A nested name (``step__param``) is followed one level at a time, so the
    error names the step, or the parameter of the step, that does not exist.
    Names under a parameter the same sub-space also sets (a pipeline step
    replaced by another estimator) are left to that estimator.

    Parameters
    ----------
    estimator : estimator
        The search's estimator.
    space : SearchSpace
        The parsed ``param_distributions``.
    """
    valid = estimator.get_params(deep=True)
    for subspace in space.subspaces:
        for name in subspace.names:
            if name in valid or any(
                name.startswith(f"{other}__") for other in subspace.names
            ):
                continue
            raise ValueError(
                f"param_distributions names {name!r}, but "
                f"{_missing(estimator, name, valid)}"
            )


def _missing(estimator, name, valid, path=(), in_pipeline=False):
    """What `estimator` lacks of `name`, the closest names and the valid ones."""
    # The top level of the deep parameters: a Pipeline's steps are there.
    params = {
        key: value
        for key, value in estimator.get_params(deep=True).items()
        if "__" not in key
    }
    head, _, rest = name.partition("__")
    child = params.get(head)
    if head in params and rest and hasattr(child, "get_params"):
        return _missing(
            child, rest, valid, (*path, head), isinstance(estimator, Pipeline)
        )
    owner = type(estimator).__name__
    if path:
        kind = "step " if in_pipeline else ""
        owner = f"{kind}{'__'.join(path)!r} ({owner})"
    if head in params:
        # Every level exists: a name the estimator resolves otherwise.
        return f"{owner} does not take it.{did_you_mean(name, valid)}"
    if isinstance(estimator, Pipeline):
        steps = [step for step, _ in estimator.steps]
        return (
            f"{owner} has no step or parameter {head!r}."
            f"{did_you_mean(head, params)} Its steps are {steps}."
        )
    return (
        f"{owner} has no parameter {head!r}.{did_you_mean(head, params)} "
        f"Its parameters are {sorted(params)}."
    )
