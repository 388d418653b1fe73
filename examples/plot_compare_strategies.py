"""
==================================================
Compare the strategies on one problem
==================================================

Every sklearn-tune search records its candidates in the order it evaluated
them, so ``cv_results_`` alone tells how fast each search found a good
model. :func:`~sklearn_tune.plotting.plot_convergence` draws the best score
so far against the number of candidates evaluated, or against the time
spent fitting, for several searches on one axis, scikit-learn's
:class:`~sklearn.model_selection.RandomizedSearchCV` included.

The problem: an SVC's ``C`` and ``gamma`` on a part of the digits data,
30 evaluations each, on the same folds.
"""

# %%
# Five searches at the same budget
# --------------------------------
import time

from scipy.stats import loguniform
from sklearn.datasets import load_digits
from sklearn.model_selection import (
    RandomizedSearchCV,
    StratifiedKFold,
    train_test_split,
)
from sklearn.svm import SVC

from sklearn_tune import (
    BayesSearchCV,
    EvolutionarySearchCV,
    GradientSearchCV,
    HyperbandSearchCV,
)

X, y = load_digits(return_X_y=True)
X_train, X_test, y_train, y_test = train_test_split(
    X / 16, y, train_size=600, random_state=0, stratify=y
)
cv = StratifiedKFold(3, shuffle=True, random_state=0)
space = {"C": loguniform(1e-3, 1e4), "gamma": loguniform(1e-7, 1e2)}

searches = {
    "random": RandomizedSearchCV(SVC(), space, n_iter=30, cv=cv, random_state=0),
    "bayes": BayesSearchCV(SVC(), space, n_iter=30, cv=cv, random_state=0),
    "evolution": EvolutionarySearchCV(
        SVC(), space, n_iter=30, population_size=6, cv=cv, random_state=0
    ),
    "gradient": GradientSearchCV(SVC(), space, n_iter=30, cv=cv, random_state=0),
    "hyperband": HyperbandSearchCV(SVC(), space, n_iter=30, cv=cv, random_state=0),
}
print(f"{'search':<11}{'best CV':>9}{'test':>7}{'seconds':>9}")
for name, search in searches.items():
    start = time.perf_counter()
    search.fit(X_train, y_train)
    seconds = time.perf_counter() - start
    print(
        f"{name:<11}{search.best_score_:>9.4f}"
        f"{search.score(X_test, y_test):>7.3f}{seconds:>9.1f}"
    )

# %%
# Convergence
# -----------
# On the left, against evaluations, each line has the shape of its
# strategy: the Bayesian search starts with a quasi-random design, after
# which its surrogate takes over; the evolutionary search's first
# generation is random; the gradient search climbs from the best of a few
# random candidates; Hyperband's line starts late, because only its
# evaluations on all the training samples count. On the right, against the
# time spent fitting and scoring (summed over the folds, so independent of
# ``n_jobs``), Hyperband's cheap evaluations on subsamples move its line to
# the left.
import matplotlib.pyplot as plt

from sklearn_tune.plotting import plot_convergence

fig, axes = plt.subplots(1, 2, figsize=(12, 4.5), layout="constrained", sharey=True)
plot_convergence(searches, ax=axes[0])
plot_convergence(searches, x="time", ax=axes[1])
axes[0].set_ylim(0.8, 1.0)
plt.show()

# %%
# Which to use
# ------------
# One run on one easy problem shows the shape of each strategy, not which
# is best: here a lucky random draw is as good as any search. See
# :doc:`/benchmarks` for medians over seeds and problems. In
# short: :class:`~sklearn_tune.BayesSearchCV` when evaluations are expensive
# and the space is small; :class:`~sklearn_tune.HyperbandSearchCV` when a
# cheap, smaller fit (fewer samples or iterations) predicts the full one;
# :class:`~sklearn_tune.GradientSearchCV` for continuous regularisation
# parameters of the models with exact hypergradients;
# :class:`~sklearn_tune.EvolutionarySearchCV` for large, mixed spaces and
# many parallel workers.
