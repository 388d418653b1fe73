"""
==========================================
Run a search on a dask cluster
==========================================

The fits of a search go through joblib, so any joblib backend runs them:
inside ``with joblib.parallel_backend("dask")``, every batch of candidates
is spread over the workers of a :mod:`dask.distributed` cluster. The
search itself, its strategy and its ``cv_results_``, stays in your
process; the same ``random_state`` gives the same candidates as a local
run.

This example starts a small local cluster (two workers, in this process,
so that it runs anywhere in seconds). For a real cluster, pass the
scheduler's address to :class:`~distributed.Client` instead. Install the
extra with ``pip install "sklearn-tune[distributed]"``.
"""

# %%
# A cluster and a client
# ----------------------
from distributed import Client, LocalCluster

cluster = LocalCluster(
    n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None
)
client = Client(cluster)
print(f"{len(client.scheduler_info()['workers'])} workers")

# %%
# The search, on the cluster
# --------------------------
# ``n_jobs=-1`` lets joblib send as many fits at once as the cluster has
# workers. An evolutionary search evaluates a whole generation per batch,
# here 8 candidates x 3 folds = 24 fits, which keeps every worker busy.
import joblib
from scipy.stats import loguniform
from sklearn.datasets import load_breast_cancer
from sklearn.model_selection import StratifiedKFold
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC

from sklearn_tune import EvolutionarySearchCV

X, y = load_breast_cancer(return_X_y=True)


def make_search():
    return EvolutionarySearchCV(
        make_pipeline(StandardScaler(), SVC()),
        {"svc__C": loguniform(1e-2, 1e3), "svc__gamma": loguniform(1e-5, 1e0)},
        n_iter=24,
        population_size=8,
        cv=StratifiedKFold(3, shuffle=True, random_state=0),
        n_jobs=-1,
        random_state=0,
    )


client.get_task_stream()  # start recording which worker ran what
with joblib.parallel_backend("dask"):
    on_cluster = make_search().fit(X, y)
tasks = client.get_task_stream()
print(f"best {on_cluster.best_score_:.4f} with {on_cluster.best_params_}")
print(f"{len(tasks)} tasks ran on {len({t['worker'] for t in tasks})} workers")

# %%
# The same search, locally
# ------------------------
# Same seed, same candidates, same scores.
import numpy as np

local = make_search().fit(X, y)
print(local.cv_results_["params"] == on_cluster.cv_results_["params"])
print(np.allclose(local.cv_results_["mean_test_score"],
                  on_cluster.cv_results_["mean_test_score"]))

# %%
# Done with the cluster
# ---------------------
client.close()
cluster.close()
