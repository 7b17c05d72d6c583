"""Run every gallery example (``examples/plot_*.py``) as a test.

Each script is executed as ``__main__`` with :func:`runpy.run_path`, under the
non-interactive Agg backend of matplotlib and in a temporary working
directory; its figures are closed afterwards. The test suite's warning
filters apply, so an example that triggers a ``FutureWarning`` or a
``DeprecationWarning`` fails.
"""

import runpy
import warnings
from pathlib import Path

import pytest

EXAMPLES_DIR = Path(__file__).resolve().parent.parent / "examples"
EXAMPLES = sorted(EXAMPLES_DIR.glob("plot_*.py"))


def test_examples_found():
    assert EXAMPLES, f"no plot_*.py example found in {EXAMPLES_DIR}"


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_example_runs(path, tmp_path, monkeypatch):
    matplotlib = pytest.importorskip(
        "matplotlib", reason="the gallery examples plot with matplotlib"
    )
    monkeypatch.setenv("MPLBACKEND", "Agg")
    matplotlib.use("Agg", force=True)
    import matplotlib.pyplot as plt

    monkeypatch.chdir(tmp_path)
    try:
        with warnings.catch_warnings():
            # plt.show() with the Agg backend says it cannot show anything.
            warnings.filterwarnings(
                "ignore", message=".*non-interactive.*", category=UserWarning
            )
            runpy.run_path(str(path), run_name="__main__")
    finally:
        plt.close("all")
