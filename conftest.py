"""Doctests that draw need matplotlib, an optional dependency."""

import pytest


def pytest_collection_modifyitems(config, items):
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
