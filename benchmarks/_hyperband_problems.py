"""Problems with a resource for the Hyperband benchmarks: small data, one
full-resource fit well under a second on one thread, 3-fold CV.

``hgb-digits`` and ``mlp-digits`` are those of ``bench_hyperband`` (the
problems HyperbandSearchCV's defaults were designed on); the others are new
to ``benchmarks/`` and were not looked at while choosing the defaults.
Each problem has a ``resource`` (an estimator parameter, or
``"n_samples"``), and the estimator holds the full resource.
"""

from sklearn.datasets import load_breast_cancer, make_classification
from sklearn.ensemble import (
    GradientBoostingClassifier,
    HistGradientBoostingClassifier,
    RandomForestClassifier,
)
from sklearn.linear_model import SGDClassifier
from sklearn.model_selection import StratifiedKFold, train_test_split
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from benchmarks._common import Problem
from benchmarks.bench_hyperband import hgb_digits, mlp_digits

DESIGN = ("hgb-digits", "mlp-digits")
UNSEEN = ("rf-cancer", "gb-synth", "mlp-cancer", "sgd-synth", "hgb-24k")
CV = StratifiedKFold(3, shuffle=True, random_state=0)


def _problem(name, make_estimator, space, X, y, resource):
    X_tr, X_te, y_tr, y_te = train_test_split(
        X, y, test_size=0.25, random_state=0, stratify=y
    )
    problem = Problem(name, make_estimator, space, X_tr, y_tr, X_te, y_te, cv=CV)
    problem.resource = resource
    return problem


def rf_cancer(full=162):
    return _problem(
        f"rf-cancer (n_estimators={full})",
        lambda: RandomForestClassifier(n_estimators=full, random_state=0),
        {
            "max_features": ("real", 0.05, 1.0, False),
            "min_samples_leaf": ("int", 1, 20, False),
            "max_depth": ("cat", [None, 3, 6, 12]),
            "criterion": ("cat", ["gini", "entropy"]),
        },
        *load_breast_cancer(return_X_y=True),
        "n_estimators",
    )


def gb_synth(full=135):
    X, y = make_classification(
        n_samples=1200, n_features=20, n_informative=8, flip_y=0.05, random_state=1
    )
    return _problem(
        f"gb-synth (n_estimators={full})",
        lambda: GradientBoostingClassifier(n_estimators=full, random_state=0),
        {
            "learning_rate": ("real", 0.005, 0.5, True),
            "max_depth": ("int", 1, 5, False),
            "subsample": ("real", 0.5, 1.0, False),
            "min_samples_leaf": ("int", 1, 30, False),
        },
        X, y,
        "n_estimators",
    )


def mlp_cancer(full=162):
    return _problem(
        f"mlp-cancer (max_iter={full})",
        lambda: make_pipeline(
            StandardScaler(), MLPClassifier(max_iter=full, random_state=0)
        ),
        {
            "mlpclassifier__alpha": ("real", 1e-6, 1.0, True),
            "mlpclassifier__learning_rate_init": ("real", 1e-4, 1e-1, True),
            "mlpclassifier__hidden_layer_sizes": ("cat", [(8,), (32,), (64,)]),
            "mlpclassifier__batch_size": ("cat", [32, 128]),
        },
        *load_breast_cancer(return_X_y=True),
        "mlpclassifier__max_iter",
    )


def sgd_synth(full=81):
    X, y = make_classification(
        n_samples=6000, n_features=30, n_informative=10, n_redundant=5,
        class_sep=0.7, flip_y=0.03, random_state=2,
    )
    return _problem(
        f"sgd-synth (max_iter={full})",
        lambda: make_pipeline(
            StandardScaler(), SGDClassifier(max_iter=full, tol=None, random_state=0)
        ),
        {
            "sgdclassifier__alpha": ("real", 1e-7, 1e-1, True),
            "sgdclassifier__l1_ratio": ("real", 0.0, 1.0, False),
            "sgdclassifier__loss": ("cat", ["hinge", "log_loss", "modified_huber"]),
            "sgdclassifier__learning_rate": ("cat", ["optimal", "invscaling",
                                                     "adaptive"]),
            "sgdclassifier__eta0": ("real", 1e-4, 1.0, True),
            "sgdclassifier__penalty": ("cat", ["l2", "elasticnet"]),
        },
        X, y,
        "sgdclassifier__max_iter",
    )


def hgb_24k(n_samples=24000):
    X, y = make_classification(
        n_samples=n_samples, n_features=20, n_informative=10, n_redundant=4,
        class_sep=0.6, flip_y=0.05, random_state=3,
    )
    return _problem(
        f"hgb-{n_samples // 1000}k (n_samples)",
        lambda: HistGradientBoostingClassifier(
            max_iter=10, early_stopping=False, random_state=0
        ),
        {
            "learning_rate": ("real", 0.01, 1.0, True),
            "max_leaf_nodes": ("int", 4, 64, True),
            "min_samples_leaf": ("int", 5, 200, True),
            "l2_regularization": ("real", 1e-4, 10.0, True),
        },
        X, y,
        "n_samples",
    )


def make_problems(quick=False):
    """Name -> problem; `quick`: smaller resources and data."""
    if quick:
        return {
            "hgb-digits": hgb_digits(9), "mlp-digits": mlp_digits(9),
            "rf-cancer": rf_cancer(9), "gb-synth": gb_synth(9),
            "mlp-cancer": mlp_cancer(9), "sgd-synth": sgd_synth(9),
            "hgb-24k": hgb_24k(2000),
        }
    return {
        "hgb-digits": hgb_digits(27), "mlp-digits": mlp_digits(27),
        "rf-cancer": rf_cancer(), "gb-synth": gb_synth(), "mlp-cancer": mlp_cancer(),
        "sgd-synth": sgd_synth(), "hgb-24k": hgb_24k(),
    }
