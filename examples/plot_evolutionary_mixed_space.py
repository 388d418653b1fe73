"""
==================================================
Search several models at once with evolution
==================================================

Which model, and which of its hyperparameters? A list of dicts, as in
:class:`~sklearn.model_selection.GridSearchCV`, makes one search space out
of several families of models, each with its own hyperparameters: real,
integer and categorical, where a category may be any object (``None``, a
string, an estimator).

:class:`~sklearn_tune.EvolutionarySearchCV` evolves a population over such a
space: each individual lives in one of the sub-spaces, crossover pairs
individuals of the same sub-space, numbers are mutated as numbers (on a log
scale where the dimension is log-scaled), and a mutation occasionally
moves a child to another sub-space. Each generation is one batch of
parallel fits.
"""

# %%
# One pipeline, three families of classifiers
# -------------------------------------------
from scipy.stats import loguniform
from sklearn.datasets import load_breast_cancer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold, train_test_split
from sklearn.neighbors import KNeighborsClassifier
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import MinMaxScaler, StandardScaler
from sklearn.svm import SVC

from sklearn_tune import EvolutionarySearchCV, Integer

X, y = load_breast_cancer(return_X_y=True)
X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0, stratify=y)

pipe = Pipeline([("scale", StandardScaler()), ("clf", LogisticRegression())])
scalers = [StandardScaler(), MinMaxScaler()]
space = [
    {
        "scale": scalers,
        "clf": [LogisticRegression(max_iter=2000)],
        "clf__C": loguniform(1e-3, 1e3),
        "clf__class_weight": [None, "balanced"],
    },
    {
        "scale": scalers,
        "clf": [SVC()],
        "clf__C": loguniform(1e-2, 1e3),
        "clf__gamma": loguniform(1e-4, 1e0),
        "clf__kernel": ["rbf", "sigmoid"],
    },
    {
        "scale": scalers,
        "clf": [KNeighborsClassifier()],
        "clf__n_neighbors": Integer(1, 50),
        "clf__weights": ["uniform", "distance"],
        "clf__p": [1, 2],
    },
]

search = EvolutionarySearchCV(
    pipe,
    space,
    n_iter=60,
    population_size=12,
    cv=StratifiedKFold(3, shuffle=True, random_state=0),
    random_state=0,
)
search.fit(X_train, y_train)
print(search.best_params_)
print(f"CV {search.best_score_:.4f}, test {search.score(X_test, y_test):.3f}")

# %%
# How the population moved
# ------------------------
# ``cv_results_`` has a ``generation`` column and, for each candidate, the
# rows of its parents. Counting the families in each generation shows the
# population shifting towards the models that score best.
import pandas as pd

results = pd.DataFrame(search.cv_results_)
results["model"] = [type(params["clf"]).__name__ for params in results["params"]]
print(pd.crosstab(results["generation"], results["model"]))

# %%
# The best candidate of each family:
ranked = results.sort_values("mean_test_score", ascending=False)
best = ranked.groupby("model").head(1)
columns = ["model", "mean_test_score", "generation", "parent_1", "parent_2"]
print(best[columns].to_string())

# %%
# :func:`~sklearn_tune.plotting.plot_evolution` draws ``history_``, the
# fitness of each generation: its best, its mean with a band of one
# standard deviation, and the best so far.
import matplotlib.pyplot as plt

from sklearn_tune.plotting import plot_evolution

plot_evolution(search)
plt.show()

# %%
# Differential evolution
# ----------------------
# ``strategy="de"`` runs differential evolution instead of the genetic
# algorithm, as :func:`scipy.optimize.differential_evolution` does, on the
# same space and the same folds.
de = EvolutionarySearchCV(
    pipe, space, n_iter=60, population_size=12, strategy="de",
    cv=StratifiedKFold(3, shuffle=True, random_state=0), random_state=0,
).fit(X_train, y_train)
print(f"GA best CV {search.best_score_:.4f}, DE best CV {de.best_score_:.4f}")
