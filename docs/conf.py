"""Sphinx configuration for the skseq documentation.

Build from the repository root with::

    .venv/bin/python -m sphinx -b html -W --keep-going docs docs/_build/html

autodoc imports skseq from the source tree; the API page imports the Keras
regressors too, so TensorFlow must be installed (it is a dependency).
"""

import os
import socket
import sys
import threading
from pathlib import Path
from urllib.parse import urlsplit

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


def _reachable(hosts, timeout=3.0):
    """Return the hosts that accept a TLS-port connection within ``timeout``.

    Sphinx reports an unreachable inventory as a warning, which ``-W`` turns
    into a failed build; offline builds (CI sandboxes, trains) should still
    pass, with plain-text instead of linked references to other projects.
    Probes run in daemon threads so a hanging name lookup cannot stall the
    build past ``timeout``.
    """
    found = set()

    def probe(host):
        try:
            socket.create_connection((host, 443), timeout=timeout).close()
        except OSError:
            return
        found.add(host)

    threads = [threading.Thread(target=probe, args=(h,), daemon=True) for h in hosts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout)
    return found


def _intersphinx_mapping():
    # SKSEQ_DOCS_INTERSPHINX=0 never fetches inventories, =1 always does
    # (failures are then warnings); unset probes the hosts first.
    choice = os.environ.get("SKSEQ_DOCS_INTERSPHINX", "")
    if choice == "0":
        return {}
    if choice == "1":
        return dict(_INTERSPHINX)
    hosts = {urlsplit(url).hostname for url, _ in _INTERSPHINX.values()}
    online = _reachable(hosts)
    mapping = {
        name: target
        for name, target in _INTERSPHINX.items()
        if urlsplit(target[0]).hostname in online
    }
    skipped = sorted(set(_INTERSPHINX) - set(mapping))
    if skipped:
        print(
            "skseq docs: no network access to the inventories of "
            f"{', '.join(skipped)}; building without links to them."
        )
    return mapping


intersphinx_mapping = _intersphinx_mapping()
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
