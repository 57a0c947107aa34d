"""Sphinx configuration for the skseq documentation.

Build from the repository root with::

    .venv/bin/python -m sphinx -b html -W --keep-going docs docs/_build/html

autodoc imports skseq from the source tree; the API page imports the Keras
regressors too, so TensorFlow must be installed (it is a dependency).
"""

import os
import sys
from pathlib import Path

# Document the source tree next to this folder, whether or not skseq is
# installed in the environment running Sphinx.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import skseq  # noqa: E402

# -- Project -----------------------------------------------------------------

project = "skseq"
author = "the skseq developers"
copyright = "the skseq developers"
version = ".".join(skseq.__version__.split(".")[:2])
release = skseq.__version__

# -- General -----------------------------------------------------------------

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.intersphinx",
    "numpydoc",
]

root_doc = "index"
exclude_patterns = ["_build"]
templates_path = []
default_role = "literal"
pygments_style = "sphinx"

# -- autodoc, autosummary and numpydoc ---------------------------------------

autodoc_default_options = {"member-order": "bysource"}
autodoc_typehints = "none"
# api.rst lists the estimators in autosummary tables without stub pages.
autosummary_generate = False

# The API page names the methods it documents; numpydoc's own member tables
# would repeat every inherited scikit-learn and scikeras method.
numpydoc_show_class_members = False
numpydoc_show_inherited_class_members = False
numpydoc_class_members_toctree = False
numpydoc_attributes_as_param_list = True

# -- intersphinx -------------------------------------------------------------

_INTERSPHINX = {
    "python": ("https://docs.python.org/3", None),
    "numpy": ("https://numpy.org/doc/stable", None),
    "sklearn": ("https://scikit-learn.org/stable", None),
    "pandas": ("https://pandas.pydata.org/docs", None),
}


# Links to other projects' docs need their inventories from the network;
# offline builds (this project's CI has none) leave them as plain text.
# SKSEQ_DOCS_INTERSPHINX=1 turns the links on.
intersphinx_mapping = (
    _INTERSPHINX if os.environ.get("SKSEQ_DOCS_INTERSPHINX") == "1" else {}
)
intersphinx_timeout = 10

# -- HTML --------------------------------------------------------------------

html_theme = "alabaster"
html_title = f"skseq {release}"
html_theme_options = {
    "description": "scikit-learn estimators that learn from sequences with Keras",
    "fixed_sidebar": True,
}
html_static_path = []
html_show_sourcelink = False
