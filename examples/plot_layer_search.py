"""
==============================================
Search the architecture of a neural network
==============================================

How many hidden layers, and how wide? With scikit-learn alone, the usual
answer is a handful of hand-picked tuples for ``hidden_layer_sizes``, which
every strategy sees as unordered choices. :class:`~sklearn_tune.Layers` is
a dimension whose values are such tuples: the number of layers and the
width of each layer are searched together with the other hyperparameters,
so a strategy can learn that a deeper or a wider network scores better.

Here :class:`~sklearn_tune.BayesSearchCV` tunes an
:class:`~sklearn.neural_network.MLPClassifier` in a pipeline: its
architecture (one to three layers of 8 to 128 units, on a log scale), its
learning rate and its L2 penalty. The budget is kept small so that the
example runs in seconds.
"""

# %%
# The space
# ---------
# ``Layers(n_layers=(1, 3), units=Integer(8, 128, log=True))`` draws stacks
# such as ``(16, 8)``. ``shape="funnel"`` would only allow widths that
# never increase, ``shape="shared"`` one width for every layer.
import warnings

from scipy.stats import loguniform
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import StratifiedKFold, train_test_split
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sklearn_tune import BayesSearchCV, Integer, Layers

X, y = load_digits(return_X_y=True)
X_train, X_test, y_train, y_test = train_test_split(
    X, y, train_size=400, test_size=400, stratify=y, random_state=0
)

pipe = make_pipeline(StandardScaler(), MLPClassifier(max_iter=20, random_state=0))
space = {
    "mlpclassifier__hidden_layer_sizes": Layers(
        n_layers=(1, 3), units=Integer(8, 128, log=True)
    ),
    "mlpclassifier__learning_rate_init": loguniform(1e-4, 1e-1),
    "mlpclassifier__alpha": loguniform(1e-6, 1e-1),
}
print(space["mlpclassifier__hidden_layer_sizes"].rvs(size=3, random_state=0))

# %%
# The search
# ----------
# Twelve networks, trained for at most 20 epochs each (they stop short of
# converging, hence the warnings silenced here).
search = BayesSearchCV(
    pipe,
    space,
    n_iter=12,
    cv=StratifiedKFold(3, shuffle=True, random_state=0),
    random_state=0,
)
with warnings.catch_warnings():
    warnings.simplefilter("ignore", ConvergenceWarning)
    search.fit(X_train, y_train)
print(search.best_params_)
print(f"CV {search.best_score_:.3f}, test {search.score(X_test, y_test):.3f}")

# %%
# The architectures tried
# -----------------------
# ``cv_results_`` shows the tuples as they were passed to the network.
import pandas as pd

results = pd.DataFrame(search.cv_results_)
columns = {
    "param_mlpclassifier__hidden_layer_sizes": "layers",
    "param_mlpclassifier__learning_rate_init": "learning rate",
    "mean_test_score": "CV accuracy",
}
results = results[list(columns)].rename(columns=columns)
print(results.sort_values("CV accuracy", ascending=False).head(8).to_string())

# %%
# Score against depth and size
# ----------------------------
# Each point is one network: its number of hidden units against its CV
# accuracy, coloured by its number of layers.
import matplotlib.pyplot as plt

depth = results["layers"].map(len)
units = results["layers"].map(sum)
fig, ax = plt.subplots(figsize=(6, 4))
points = ax.scatter(units, results["CV accuracy"], c=depth, cmap="viridis")
ax.set_xscale("log")
ax.set_xlabel("hidden units (all layers)")
ax.set_ylabel("CV accuracy")
fig.colorbar(points, ax=ax, label="hidden layers", ticks=[1, 2, 3])
fig.tight_layout()
plt.show()
