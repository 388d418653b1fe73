"""Sphinx configuration of the sklearn-tune documentation.

Build with ``python -m sphinx -W -b html docs docs/_build/html`` from the
repository root; the gallery runs every ``examples/plot_*.py``.
"""

import os
import re
import sys
from pathlib import Path

DOCS = Path(__file__).resolve().parent
ROOT = DOCS.parent
# The documented package is the one of this checkout, installed or not; the
# checkpoint example starts Python processes that need it too.
sys.path.insert(0, str(ROOT))
os.environ["PYTHONPATH"] = os.pathsep.join(
    filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])
)
# The examples are small: one OpenMP thread each keeps the build fast on a
# busy machine, where threads that wait for each other spin.
os.environ.setdefault("OMP_NUM_THREADS", "1")

from sphinx_gallery.sorting import ExplicitOrder  # noqa: E402

import sklearn_tune  # noqa: E402
import sklearn_tune.optimizers  # noqa: E402
import sklearn_tune.plotting  # noqa: E402

project = "sklearn-tune"
author = "sklearn-tune developers"
copyright = "sklearn-tune developers"
version = release = sklearn_tune.__version__

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.mathjax",
    "numpydoc",
    "myst_parser",
    "sphinx_gallery.gen_gallery",
]

source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
templates_path = ["_templates"]
# docs/benchmarks/ holds result tables that pages include; they are not
# pages themselves.
exclude_patterns = ["_build", "benchmarks", "Thumbs.db", ".DS_Store"]
default_role = "literal"

# -- API reference -----------------------------------------------------------

autosummary_generate = True
autodoc_typehints = "none"
autodoc_default_options = {"members": True, "inherited-members": True}
# numpydoc renders the Parameters/Attributes sections; autodoc documents the
# methods once, from the templates in _templates.
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
numpydoc_attributes_as_param_list = True
# The docstrings of the public classes and functions are validated (an
# extended summary and a See Also section are welcome, not required).
# Methods are not: the searches inherit theirs from scikit-learn, and the
# dimensions' unit-interval methods are one-line references for optimizer
# authors. The abstract base classes have no Parameters of their own.
numpydoc_validation_checks = {"all", "GL01", "ES01", "SA01"}
numpydoc_validation_exclude = {
    r"\.[A-Z]\w*\.[a-z_]\w*$",
    r"\.BaseTuneSearchCV$",
    r"\.BaseOptimizer$",
}

# -- Markdown ----------------------------------------------------------------

myst_enable_extensions = ["colon_fence", "deflist"]
myst_heading_anchors = 3

# -- Gallery -----------------------------------------------------------------

sphinx_gallery_conf = {
    "examples_dirs": str(ROOT / "examples"),
    "gallery_dirs": "auto_examples",
    "filename_pattern": r"/plot_",
    # From the first task a user has to the specialised ones.
    "within_subsection_order": ExplicitOrder(
        [
            "plot_pipeline_drop_in.py",
            "plot_compare_strategies.py",
            "plot_hyperband_hist_gradient_boosting.py",
            "plot_gradient_regularization.py",
            "plot_evolutionary_mixed_space.py",
            "plot_layer_search.py",
            "plot_multimetric_refit.py",
            "plot_dask_cluster.py",
            "plot_checkpoint_resume.py",
        ]
    ),
    "doc_module": ("sklearn_tune",),
    "backreferences_dir": "generated/backreferences",
    "download_all_examples": False,
    "remove_config_comments": True,
    "show_memory": False,
}

# -- HTML --------------------------------------------------------------------

html_theme = "pydata_sphinx_theme"
html_title = f"sklearn-tune {release}"
html_theme_options = {
    "navbar_align": "left",
    "show_toc_level": 2,
    "secondary_sidebar_items": ["page-toc"],
    "footer_start": ["copyright"],
    "footer_end": [],
}
html_sidebars = {"index": [], "getting_started": [], "benchmarks": []}
html_show_sourcelink = False


# -- Links to scikit-learn and scipy, without fetching their inventories ----

# The methods inherited from scikit-learn's BaseSearchCV use its glossary.
_SKLEARN = "https://scikit-learn.org/stable/"
_SKLEARN_LABELS = {
    ("term", "fit"): "glossary.html#term-fit",
    ("term", "sample_weight"): "glossary.html#term-sample_weight",
    ("term", "classes_"): "glossary.html#term-classes_",
    ("ref", "metadata_routing"): "metadata_routing.html",
}
_SCIPY = "https://docs.scipy.org/doc/scipy/reference/"
_OTHERS = {
    "joblib.parallel_backend": (
        "https://joblib.readthedocs.io/en/stable/generated/joblib.parallel_backend.html"
    ),
    "dask.distributed": "https://distributed.dask.org/en/stable/",
    "distributed.Client": "https://distributed.dask.org/en/stable/api.html#client",
    "matplotlib.collections.LineCollection": (
        "https://matplotlib.org/stable/api/collections_api.html"
        "#matplotlib.collections.LineCollection"
    ),
}


def _external_url(node):
    """The page of a scikit-learn or scipy object or glossary entry, if any."""
    domain, kind, target = node.get("refdomain"), node["reftype"], node["reftarget"]
    if domain == "std":
        page = _SKLEARN_LABELS.get((kind, target.lower()))
        return None if page is None else _SKLEARN + page
    if domain != "py" or kind not in ("class", "func", "obj", "meth", "mod"):
        return None
    if target in _OTHERS:
        return _OTHERS[target]
    if kind == "mod":
        if target == "scipy.stats":
            return _SCIPY + "stats.html"
        return None
    if target.startswith("sklearn.") and kind in ("class", "func", "obj"):
        return f"{_SKLEARN}modules/generated/{target}.html"
    if target.startswith("scipy.") and kind in ("func", "class"):
        return f"{_SCIPY}generated/{target}.html"
    return None


def _link_external(app, env, node, contnode):
    url = _external_url(node)
    if url is None:
        return None
    from docutils import nodes

    reference = nodes.reference("", "", internal=False, refuri=url)
    reference += contnode
    return reference


# -- Every public name is in the API reference -------------------------------


def _public_names():
    names = {
        f"sklearn_tune.{name}"
        for name in sklearn_tune.__all__
        if not name.startswith("__")
    }
    names |= {
        f"sklearn_tune.optimizers.{name}" for name in sklearn_tune.optimizers.__all__
    }
    names |= {
        f"sklearn_tune.plotting.{name}" for name in sklearn_tune.plotting.__all__
    }
    return names


def _check_api_reference(app):
    """Fail the build when api.rst leaves out a public name, or lists a
    name that is not public."""
    text = (DOCS / "api.rst").read_text()
    listed = set()
    for module, block in re.findall(
        r"\.\. currentmodule:: (\S+)\s+\.\. autosummary::\n((?:[ \t]+.*\n|\n)+)", text
    ):
        listed |= {
            f"{module}.{line.strip()}"
            for line in block.splitlines()
            if line.strip() and not line.strip().startswith(":")
        }
    missing = sorted(_public_names() - listed)
    extra = sorted(listed - _public_names())
    if missing or extra:
        raise RuntimeError(
            f"docs/api.rst is out of date: missing {missing}, not public {extra}."
        )


def setup(app):
    app.connect("builder-inited", _check_api_reference)
    app.connect("missing-reference", _link_external)
