"""Long searches: checkpoints survive kills and Ctrl-C, foreign checkpoints
are refused, failures and time limits behave."""

import os
import pickle
import time
import warnings

import numpy as np
import pytest
from _kill import kill_after_checkpoint
from _estimators import LoggedClassifier, read_log
from _random_search import RandomTuneSearchCV
from sklearn.datasets import make_classification
from sklearn.linear_model import LogisticRegression

from sklearn_tune import Real

X, y = make_classification(n_samples=60, n_features=4, random_state=0)


def search(estimator, **kwargs):
    params = dict(n_iter=12, cv=2, batch_size=2, random_state=0)
    params.update(kwargs)
    return RandomTuneSearchCV(estimator, {"param": Real(0, 1)}, **params)


def test_sigkill_mid_search_then_resume_loses_and_repeats_nothing(tmp_path):
    ckpt, log = tmp_path / "search.ckpt", tmp_path / "fits.log"
    saved = kill_after_checkpoint(
        "test_reliability", f"LoggedClassifier(log={str(log)!r}, delay=0.05)", ckpt, 4
    )
    done = [p["param"] for p in saved["rows"][0]]
    assert len(done) == saved["loop"].n_evaluated >= 4
    fits_before = len(read_log(log))

    resumed = search(LoggedClassifier(log=str(log), delay=0.05), checkpoint=str(ckpt))
    resumed.fit(X, y)
    refitted = read_log(log)[fits_before:]
    # Finished candidates are not refitted: the refit of the best model aside,
    # no candidate of the checkpoint is fitted again.
    assert not set(refitted[:-1]) & set(done)
    assert not ckpt.exists()

    reference = search(LoggedClassifier()).fit(X, y)
    assert resumed.cv_results_["params"] == reference.cv_results_["params"]
    assert np.allclose(resumed.cv_results_["mean_test_score"],
                       reference.cv_results_["mean_test_score"])
    assert list(resumed.cv_results_["iter"]) == list(reference.cv_results_["iter"])
    assert resumed.best_params_ == reference.best_params_


def interrupted(ckpt, monkeypatch):
    """Run a search that Ctrl-C stops at its first candidate above 0.9."""
    with monkeypatch.context() as m:
        m.setenv("SKLEARN_TUNE_TEST_INTERRUPT", "1")
        with pytest.raises(KeyboardInterrupt):
            search(INTERRUPTIBLE, checkpoint=ckpt).fit(X, y)


INTERRUPTIBLE = LoggedClassifier(interrupt_above=0.9)


def test_keyboard_interrupt_leaves_a_valid_checkpoint(tmp_path, monkeypatch):
    ckpt = tmp_path / "search.ckpt"
    reference = search(INTERRUPTIBLE).fit(X, y)
    # The first candidate above 0.9 in the reference order interrupts.
    params = [p["param"] for p in reference.cv_results_["params"]]
    stop_at = next(i for i, p in enumerate(params) if p > 0.9)
    assert stop_at >= 2, "choose another seed: the interrupt must come later"
    interrupted(ckpt, monkeypatch)
    with open(ckpt, "rb") as f:
        saved = pickle.load(f)
    assert saved["loop"].n_evaluated == (stop_at // 2) * 2
    resumed = search(INTERRUPTIBLE, checkpoint=ckpt).fit(X, y)
    assert resumed.cv_results_["params"] == reference.cv_results_["params"]


def test_checkpoint_of_another_search_is_refused(tmp_path, monkeypatch):
    ckpt = tmp_path / "search.ckpt"
    interrupted(ckpt, monkeypatch)
    other_space = RandomTuneSearchCV(INTERRUPTIBLE, {"param": Real(0, 2)},
                                     n_iter=12, cv=2, checkpoint=ckpt)
    with pytest.raises(ValueError, match="another estimator, search space or scoring"):
        other_space.fit(X, y)
    with pytest.raises(ValueError, match="another estimator, search space or scoring"):
        search(INTERRUPTIBLE, checkpoint=ckpt, scoring="accuracy").fit(X, y)
    with pytest.raises(ValueError, match="another estimator, search space or scoring"):
        search(LoggedClassifier(), checkpoint=ckpt).fit(X, y)
    with pytest.raises(ValueError, match="other data"):
        search(INTERRUPTIBLE, checkpoint=ckpt).fit(X[::-1], y[::-1])


@pytest.mark.parametrize("content", [b"", b"not a pickle", pickle.dumps({"a": 1})])
def test_corrupted_or_foreign_checkpoint_file_is_refused(tmp_path, content):
    ckpt = tmp_path / "search.ckpt"
    ckpt.write_bytes(content)
    with pytest.raises(ValueError, match="checkpoint"):
        search(LoggedClassifier(), checkpoint=str(ckpt)).fit(X, y)


def test_finished_checkpoint_asks_for_more_budget(tmp_path, monkeypatch):
    ckpt = tmp_path / "search.ckpt"
    interrupted(ckpt, monkeypatch)
    with pytest.raises(ValueError, match="Raise n_iter"):
        search(INTERRUPTIBLE, checkpoint=ckpt, n_iter=2).fit(X, y)
    # A larger budget continues the same search.
    longer = search(INTERRUPTIBLE, checkpoint=ckpt, n_iter=20).fit(X, y)
    assert len(longer.cv_results_["params"]) == 20


def test_scorer_that_raises_gets_error_score():
    def flaky(est, X, y):
        if est.C > 1:
            raise RuntimeError("scorer failed")
        return float(np.mean(est.predict(X) == y))

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        s = RandomTuneSearchCV(LogisticRegression(), {"C": Real(0.01, 100, log=True)},
                               n_iter=10, cv=2, scoring=flaky, random_state=0).fit(X, y)
    scores = s.cv_results_["mean_test_score"]
    large = np.array([p["C"] > 1 for p in s.cv_results_["params"]])
    assert large.any() and np.isnan(scores[large]).all()
    assert s.best_params_["C"] <= 1


def test_max_time_is_honoured_within_one_batch():
    delay, max_time = 0.1, 0.5
    start = time.monotonic()
    with pytest.warns(UserWarning, match="max_time"):
        s = search(LoggedClassifier(delay=delay), n_iter=100, max_time=max_time).fit(X, y)
    elapsed = time.monotonic() - start
    one_batch = 2 * 2 * delay
    assert elapsed < max_time + one_batch + 1.0
    assert 2 <= len(s.cv_results_["params"]) < 100


def test_checkpoint_must_be_a_path():
    with pytest.raises((TypeError, ValueError), match="checkpoint"):
        search(LoggedClassifier(), checkpoint=3).fit(X, y)


def test_checkpoint_is_written_atomically(tmp_path, monkeypatch):
    from sklearn_tune import _checkpoint

    ckpt = tmp_path / "search.ckpt"
    _checkpoint.save(ckpt, {"fingerprint": "a", "value": 1})

    def broken_dump(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(_checkpoint.pickle, "dump", broken_dump)
    with pytest.raises(OSError):
        _checkpoint.save(ckpt, {"fingerprint": "a", "value": 2})
    monkeypatch.undo()
    assert _checkpoint.load(ckpt, "a")["value"] == 1
    assert os.listdir(tmp_path) == ["search.ckpt"]
