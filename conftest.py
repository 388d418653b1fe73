"""Settings for the whole suite, doctests included.

BLAS and OpenMP run one thread per process: the suite's models are small,
and on a machine with few cores their threads mostly fight each other and
the suite's own workers (joblib, dask). The variables reach libraries loaded
later and worker processes; threadpoolctl limits the ones already loaded.
"""

import os

for _variable in (
    "OMP_NUM_THREADS",
    "OPENBLAS_NUM_THREADS",
    "MKL_NUM_THREADS",
    "BLIS_NUM_THREADS",
    "VECLIB_MAXIMUM_THREADS",
    "NUMEXPR_NUM_THREADS",
):
    os.environ[_variable] = "1"

import pytest  # noqa: E402
from threadpoolctl import threadpool_limits  # noqa: E402


@pytest.fixture(autouse=True, scope="session")
def _one_blas_thread():
    # Autouse fixtures run after collection, when the test modules have
    # imported numpy, scipy and scikit-learn (and so their thread pools).
    with threadpool_limits(limits=1):
        yield


def pytest_collection_modifyitems(config, items):
    # Doctests that draw need matplotlib, an optional dependency.
    try:
        import matplotlib
    except ImportError:
        skip = pytest.mark.skip(
            reason='needs matplotlib: pip install "sklearn-tune[plot]"'
        )
        for item in items:
            if isinstance(item, pytest.DoctestItem) and item.name.startswith(
                "sklearn_tune.plotting."
            ):
                item.add_marker(skip)
    else:
        matplotlib.use("Agg")
