"""Rules of early-stopped cross-validation (Bergman, Purucker and Hutter,
"Don't Waste Your Time: Early Stopping Cross-Validation", AutoML 2024).

A candidate is scored one fold after another; after each fold its mean over
the folds so far is compared with a bar set by the incumbent, the best
candidate scored on every fold:

- ``"aggressive"``: the bar is the incumbent's mean score;
- ``"forgiving"``: the bar is the incumbent's worst fold score;
- a confidence level ``c`` in [0.5, 1): the candidate stops once an upper
  confidence bound of its mean, at level ``c``, is at or below the
  incumbent's mean. After ``k`` folds the bound is its running mean plus
  ``z_c * s / sqrt(k)``, where ``z_c`` is the standard normal quantile and
  ``s`` the standard deviation of the incumbent's fold scores: a candidate
  has no spread of its own after one fold, and the folds, not the
  candidate, make most of it. So the bar is
  ``incumbent mean - z_c * s / sqrt(k)``, below the aggressive bar by less
  as folds accumulate; 0.5 is the aggressive rule.

A candidate whose running mean is at or below the bar is not scored on the
remaining folds. Pure numpy and scipy: no estimators, no data.
"""

import numpy as np
from scipy.stats import norm

RULES = ("aggressive", "forgiving")


def stopping_bar(rule, incumbent_scores):
    """The scores a candidate's running mean must beat to go on.

    Parameters
    ----------
    rule : {"aggressive", "forgiving"} or float in [0.5, 1)
        One of the paper's rules, or a confidence level.
    incumbent_scores : array-like of shape (n_splits,) or None
        Fold scores of the incumbent; None before any candidate was scored
        on every fold.

    Returns
    -------
    bar : ndarray of shape (n_splits,) or None
        The bar after 1, 2, ... folds; None when there is no incumbent yet:
        nothing is stopped for its score.

    Examples
    --------
    >>> stopping_bar("aggressive", [0.8, 0.9]).tolist()
    [0.85, 0.85]
    >>> bar = stopping_bar(0.9, [0.8, 0.9])
    >>> bool(bar[0] < bar[1] < 0.85)
    True
    """
    if incumbent_scores is None:
        return None
    scores = np.asarray(incumbent_scores, dtype=float)
    if rule == "aggressive":
        return np.full(len(scores), np.mean(scores))
    if rule == "forgiving":
        return np.full(len(scores), np.min(scores))
    if isinstance(rule, str):
        raise ValueError(f"rule must be one of {RULES} or a float; got {rule!r}.")
    spread = np.std(scores, ddof=1) if len(scores) > 1 else 0.0
    n_folds = np.arange(1, len(scores) + 1)
    return np.mean(scores) - norm.ppf(rule) * spread / np.sqrt(n_folds)


def scan_folds(done, new, bar):
    """Go through a candidate's `new` fold scores one by one.

    Parameters
    ----------
    done : sequence of float
        Its scores on the folds scored before.
    new : sequence of float
        Its scores on the next folds, in fold order.
    bar : ndarray of shape (n_splits,) or None
        From :func:`stopping_bar`: the bar after each number of folds.

    Returns
    -------
    n_kept : int
        How many of `new` count: up to and including the fold after which
        it stops, all of them if it does not.
    stopped : bool
        Whether it stops: its running mean is at or below `bar` after as
        many folds, or is NaN (a failed fold; its full mean would be NaN, so it cannot win).

    Examples
    --------
    >>> scan_folds([0.8], [0.7, 0.9], bar=[0.76, 0.76, 0.76])
    (1, True)
    >>> scan_folds([], [0.8, 0.9], bar=None)
    (2, False)
    """
    scores = list(done)
    for n_kept, score in enumerate(new, start=1):
        scores.append(score)
        mean = np.mean(scores)
        if np.isnan(mean) or (bar is not None and mean <= bar[len(scores) - 1]):
            return n_kept, True
    return len(new), False
