"""The quickstart notebook runs from top to bottom.

The gallery scripts in examples/ run in the documentation build
(``python -m sphinx -W -b html docs docs/_build/html``).
"""

from pathlib import Path

import pytest

NOTEBOOK = Path(__file__).parents[1] / "examples" / "notebooks" / "quickstart.ipynb"


@pytest.mark.slow
def test_quickstart_notebook_runs():
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    pytest.importorskip("ipykernel")
    pytest.importorskip("matplotlib")
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    # The kernel starts in the repository, where sklearn_tune imports from
    # when it is not installed.
    client = nbclient.NotebookClient(
        notebook,
        timeout=120,
        kernel_name="python3",
        resources={"metadata": {"path": str(NOTEBOOK.parents[2])}},
    )
    client.execute()
    outputs = [cell.outputs for cell in notebook.cells if cell.cell_type == "code"]
    assert all(
        output.get("output_type") != "error" for cell in outputs for output in cell
    )
    # The search's result and both figures made it to the notebook.
    assert "svc__C" in str(outputs[2])
    images = [o for cell in outputs for o in cell if "image/png" in o.get("data", {})]
    assert len(images) == 2
