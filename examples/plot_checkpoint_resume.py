"""
==========================================
Resume a search after a crash
==========================================

A long search on a shared machine or a preemptible cloud instance may be
killed before it ends. With ``checkpoint="search.ckpt"``, a search saves
its state to that file after every batch (atomically: a kill mid-write
leaves the previous checkpoint intact). Fitting again with the same path
resumes where it stopped: the candidates already evaluated are not
refitted, and the finished search is the same as one that never stopped.
The file is removed once the search completes.

This example runs a search script in a separate process, kills it after
its first batch, then runs the same script again.
"""

# %%
# The script
# ----------
# A plain script, as you would run it with ``python job.py``. ``verbose=1``
# prints a line per batch.
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

JOB = """
from scipy.stats import loguniform
from sklearn.datasets import load_digits
from sklearn.svm import SVC
from sklearn_tune import BayesSearchCV

X, y = load_digits(return_X_y=True)
search = BayesSearchCV(
    SVC(),
    {"C": loguniform(1e-2, 1e3), "gamma": loguniform(1e-5, 1e-1)},
    n_iter=16, cv=3, random_state=0, verbose=1, checkpoint="search.ckpt",
)
search.fit(X / 16, y)
n_candidates = len(search.cv_results_["params"])
print(f"best {search.best_score_:.4f} after {n_candidates} candidates")
"""

workdir = Path(tempfile.mkdtemp())
with open(workdir / "job.py", "w") as f:
    f.write(JOB)

# %%
# A first run, killed
# -------------------
# The process is killed as soon as the checkpoint exists, that is after the
# first batch, as a crash or an out-of-memory kill would (``-u`` keeps the
# lines it printed before).
first = subprocess.Popen(
    [sys.executable, "-u", "job.py"], cwd=workdir, stdout=subprocess.PIPE, text=True
)
while not (workdir / "search.ckpt").exists() and first.poll() is None:
    time.sleep(0.05)
first.kill()
output, _ = first.communicate()
print(output)
print("checkpoint left behind:", os.listdir(workdir))

# %%
# The same command again
# ----------------------
# It finds the checkpoint, says how many candidates it already has, and
# evaluates only the rest.
second = subprocess.run(
    [sys.executable, "job.py"], cwd=workdir, capture_output=True, text=True, check=True
)
print(second.stdout)
print("after completion:", os.listdir(workdir))
shutil.rmtree(workdir)

# %%
# What a checkpoint guards against
# --------------------------------
# A checkpoint records fingerprints of the data, the folds, the search
# space, the estimator and the scoring: fitting a different search with the
# same path raises an error instead of mixing results. ``n_iter`` is not
# part of it, so an interrupted search may be resumed with a larger budget.
# Ctrl-C interrupts a search the same way as a kill. ``max_time`` (seconds)
# and ``n_iter_no_change`` stop a search early and return the best so far;
# see :doc:`/long_searches`.
