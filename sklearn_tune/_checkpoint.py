"""Checkpoints: a search's state on disk after every batch, written
atomically, so that a crash, a kill or Ctrl-C loses at most the batch in
flight and fitting again with the same path resumes."""

import os
import pickle
import tempfile

import joblib
from sklearn.base import clone

# Bumped when the layout of the saved state changes.
_FORMAT = 6  # 6: the GP reads a stack through Layers.summary, and
# BayesOptimizer keeps a GP per objective with two objectives; 5: a stack's
# narrowest layer is a GP feature (optimizers pickle their GP inputs); 4: the
# GP keeps its inverse factor


def search_fingerprint(search, space):
    """What a checkpoint must agree with before its rows are reused.

    The space, the estimator (unfitted), the scoring and the objectives if
    several; the data and the folds are checked by
    :class:`~sklearn_tune._splitters.FixedSplits`. The budget (``n_iter``,
    ``max_time``) is not part of it, so a resumed search may be given more.
    """
    state = (
        repr(space), clone(search.estimator), repr(search.scoring), type(search).__name__
    )
    if search.objectives is not None:
        state += (list(search.objectives),)
    return joblib.hash(state)


def save(path, state):
    """Write `state` to `path` atomically, and through to the disk."""
    write_atomically({"format": _FORMAT, **state}, path)


def write_atomically(obj, path, *, fsync=True):
    """Pickle `obj` to `path` through a temporary file and a rename, so that
    a reader, or a process that dies mid-write, never sees half a file.
    `fsync` also waits for the disk, so that a power cut keeps it."""
    path = os.fspath(path)
    directory = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(prefix=".sklearn_tune-", dir=directory)
    try:
        with os.fdopen(fd, "wb") as f:
            pickle.dump(obj, f, protocol=pickle.HIGHEST_PROTOCOL)
            if fsync:
                f.flush()
                os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise


def load(path, fingerprint):
    """The state saved at `path`, or None if there is no file.

    Raises
    ------
    ValueError
        If the file is not a checkpoint of this library, is damaged, or was
        written by a search with another space, estimator, scoring or objectives.
    """
    path = os.fspath(path)
    if not os.path.exists(path):
        return None
    try:
        with open(path, "rb") as f:
            state = pickle.load(f)
    except Exception as exc:
        raise ValueError(
            f"checkpoint={path!r} cannot be read as a sklearn-tune checkpoint "
            f"({type(exc).__name__}: {exc}); delete it or pass another path."
        ) from exc
    if not isinstance(state, dict) or state.get("format") != _FORMAT:
        raise ValueError(
            f"checkpoint={path!r} is not a sklearn-tune checkpoint of format "
            f"{_FORMAT}; delete it or pass another path."
        )
    if state["fingerprint"] != fingerprint:
        raise ValueError(
            f"checkpoint={path!r} was written by a search with another "
            "estimator, search space or scoring; its results are not mixed "
            "with this one's. Delete it or pass another path."
        )
    return state
