"""Rules of early-stopped cross-validation (Bergman, Purucker and Hutter,
"Don't Waste Your Time: Early Stopping Cross-Validation", AutoML 2024).

A candidate is scored one fold after another; after each fold its mean over
the folds so far is compared with a bar set by the incumbent, the best
candidate scored on every fold:

- ``"aggressive"``: the bar is the incumbent's mean score;
- ``"forgiving"``: the bar is the incumbent's worst fold score.

A candidate whose running mean is at or below the bar is not scored on the
remaining folds. Pure numpy: no estimators, no data.
"""

import numpy as np

RULES = ("aggressive", "forgiving")


def stopping_bar(rule, incumbent_scores):
    """The score a candidate's running mean must beat to go on.

    Parameters
    ----------
    rule : {"aggressive", "forgiving"}
        Which of the paper's rules.
    incumbent_scores : array-like of shape (n_splits,) or None
        Fold scores of the incumbent; None before any candidate was scored
        on every fold.

    Returns
    -------
    bar : float or None
        None when there is no incumbent yet: nothing is stopped for its score.
    """
    if incumbent_scores is None:
        return None
    if rule == "aggressive":
        return float(np.mean(incumbent_scores))
    if rule == "forgiving":
        return float(np.min(incumbent_scores))
    raise ValueError(f"rule must be one of {RULES}; got {rule!r}.")


def scan_folds(done, new, bar):
    """Go through a candidate's `new` fold scores one by one.

    Parameters
    ----------
    done : sequence of float
        Its scores on the folds scored before.
    new : sequence of float
        Its scores on the next folds, in fold order.
    bar : float or None
        From :func:`stopping_bar`.

    Returns
    -------
    n_kept : int
        How many of `new` count: up to and including the fold after which
        it stops, all of them if it does not.
    stopped : bool
        Whether it stops: its running mean is at or below `bar`, or is NaN
        (a failed fold; its full mean would be NaN, so it cannot win).

    Examples
    --------
    >>> scan_folds([0.8], [0.7, 0.9], bar=0.76)
    (1, True)
    >>> scan_folds([], [0.8, 0.9], bar=None)
    (2, False)
    """
    scores = list(done)
    for n_kept, score in enumerate(new, start=1):
        scores.append(score)
        mean = np.mean(scores)
        if np.isnan(mean) or (bar is not None and mean <= bar):
            return n_kept, True
    return len(new), False
