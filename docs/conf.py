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

No intersphinx: the build machines have no network. References to
scikit-learn objects in docstrings (e.g. ``:class:`~sklearn.frozen.FrozenEstimator```)
stay unresolved and are rendered as plain code, which Sphinx does not warn
about unless ``nitpicky`` is on (it is off).
"""

import os
import warnings
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

# No network: no intersphinx mapping (see the module docstring).
intersphinx_mapping = {}

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
    # "Examples using X" mini-galleries would need backreferences pages per
    # object; keep the build simple.
    "doc_module": (),
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
