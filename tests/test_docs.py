"""Build the documentation with warnings as errors.

Skipped when the documentation tools (the ``docs`` extra) are not installed.
The gallery examples are not executed here (``SKDISTILL_DOCS_NO_GALLERY=1``,
read by ``docs/conf.py``): ``tests/test_examples.py`` already runs each of
them, and running them twice would double the time of the suite. The gallery
pages are still generated, so broken cross-references to them fail the build.
"""

import os
import subprocess
import sys
from pathlib import Path

import pytest

DOCS_DIR = Path(__file__).resolve().parent.parent / "docs"

_DOCS_TOOLS = (
    "sphinx",
    "numpydoc",
    "pydata_sphinx_theme",
    "sphinx_gallery",
    "matplotlib",
)
for _module in _DOCS_TOOLS:
    pytest.importorskip(
        _module,
        reason=f"building the docs needs {_module} (install the docs extra)",
    )


def test_docs_build_without_warnings(tmp_path):
    env = {**os.environ, "SKDISTILL_DOCS_NO_GALLERY": "1", "MPLBACKEND": "Agg"}
    cmd = [
        sys.executable,
        "-m",
        "sphinx",
        "-W",
        "--keep-going",
        "-b",
        "html",
        "-d",
        str(tmp_path / "doctrees"),
        str(DOCS_DIR),
        str(tmp_path / "html"),
    ]
    result = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, (
        f"sphinx-build failed (exit code {result.returncode}):\n"
        f"{result.stdout[-3000:]}\n{result.stderr[-5000:]}"
    )
    assert (tmp_path / "html" / "index.html").exists()
    assert (tmp_path / "html" / "api.html").exists()
