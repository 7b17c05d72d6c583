"""Sphinx configuration of the skdistill documentation.

Build with warnings as errors, from the repository root::

    python -m sphinx -W --keep-going -b html docs docs/_build/html

Environment variables read here:

``SKDISTILL_DOCS_NO_GALLERY``
    When set to a non-empty value other than ``0``, sphinx-gallery does not
    execute the examples (``plot_gallery = False``): the gallery pages are
    still generated, without figures or output. ``tests/test_docs.py`` sets it
    because ``tests/test_examples.py`` already runs every example; a normal
    build executes them.

Links to other projects (intersphinx): scikit-learn, NumPy, SciPy, joblib,
skops and dask. Each project has two inventory locations, tried in order: its
online ``objects.inv``, then an empty local inventory written by this file
into the build's temporary folder. Online, the first one loads and names like
``:class:`~sklearn.pipeline.Pipeline``` become links; offline (the test
machines have no network), the empty one loads instead, Sphinx reports the
fallback at the "info" level only (a warning would fail ``-W``), and such
names are rendered as plain code, which Sphinx does not warn about unless
``nitpicky`` is on (it is off). ``SKDISTILL_DOCS_OFFLINE=1`` skips the online
attempt (and its timeout) altogether.
"""

import os
import tempfile
import warnings
import zlib
from datetime import date

import skdistill

# -- Project information -----------------------------------------------------

project = "skdistill"
author = "skdistill developers"
copyright = f"{date.today().year}, {author}"
release = skdistill.__version__
version = ".".join(release.split(".")[:2])

# -- General configuration ---------------------------------------------------

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.intersphinx",
    "sphinx.ext.mathjax",
    "sphinx.ext.viewcode",
    "numpydoc",
    "sphinx_gallery.gen_gallery",
]

templates_path = ["_templates"]
exclude_patterns = ["_build", "Thumbs.db", ".DS_Store"]
root_doc = "index"
nitpicky = False
# Single backquotes are Python objects, as in scikit-learn's docstrings.
default_role = "literal"

# -- autodoc / autosummary / numpydoc ---------------------------------------

autosummary_generate = True
autodoc_typehints = "none"
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
numpydoc_attributes_as_param_list = True
# Docstring sections are checked by the test suite, not at doc build time.
numpydoc_validation_checks = set()

# -- intersphinx (see the module docstring) ------------------------------------

_INTERSPHINX_SITES = {
    "sklearn": "https://scikit-learn.org/stable/",
    "numpy": "https://numpy.org/doc/stable/",
    "scipy": "https://docs.scipy.org/doc/scipy/",
    "joblib": "https://joblib.readthedocs.io/en/stable/",
    "skops": "https://skops.readthedocs.io/en/stable/",
    "dask": "https://docs.dask.org/en/stable/",
    "python": "https://docs.python.org/3/",
}


def _empty_inventory():
    """Path of a valid, empty Sphinx inventory (the offline fallback)."""
    path = os.path.join(tempfile.gettempdir(), "skdistill-docs-empty-objects.inv")
    header = (
        b"# Sphinx inventory version 2\n# Project: none\n# Version: 0\n"
        b"# The remainder of this file is compressed using zlib.\n"
    )
    with open(path, "wb") as file:
        file.write(header + zlib.compress(b""))
    return path


_offline = os.environ.get("SKDISTILL_DOCS_OFFLINE", "") not in ("", "0")
_fallback = _empty_inventory()
intersphinx_mapping = {
    name: (url, (_fallback,) if _offline else (None, _fallback))
    for name, url in _INTERSPHINX_SITES.items()
}
intersphinx_timeout = 5

# -- HTML output ---------------------------------------------------------------

html_theme = "pydata_sphinx_theme"
html_title = f"skdistill {release}"
html_static_path = []
html_theme_options = {
    "navbar_end": ["theme-switcher", "navbar-icon-links"],
    "show_toc_level": 2,
    "navigation_with_keys": False,
}
html_sidebars = {"getting_started": [], "user_guide": ["page-toc"]}

# -- sphinx-gallery ------------------------------------------------------------

_no_gallery = os.environ.get("SKDISTILL_DOCS_NO_GALLERY", "") not in ("", "0")

sphinx_gallery_conf = {
    "examples_dirs": "../examples",
    "gallery_dirs": "auto_examples",
    "filename_pattern": "/plot_",
    "plot_gallery": not _no_gallery,
    "image_scrapers": ("matplotlib",),
    "matplotlib_animations": False,
    "reset_modules": ("matplotlib", "seaborn"),
    "within_subsection_order": "FileNameSortKey",
    "download_all_examples": False,
    "remove_config_comments": True,
    # "Examples using X" mini-galleries on each API page (docs/_templates).
    "doc_module": ("skdistill",),
    "backreferences_dir": "gen_modules/backreferences",
    "abort_on_example_error": True,
    "only_warn_on_example_error": False,
}

# The examples are run in this process: no display, quiet about it.
os.environ.setdefault("MPLBACKEND", "Agg")
warnings.filterwarnings(
    "ignore",
    category=UserWarning,
    message="Matplotlib is currently using agg, which is a non-GUI backend",
)
