"""Optional dependencies: a missing one is named with the extra that installs it,
a broken one with its own import error."""

import sys

import numpy as np
import pytest
from sklearn.datasets import load_iris
from sklearn.linear_model import LogisticRegression

from skdistill import DistilledClassifier
from skdistill.__main__ import main
from skdistill._optional import missing_message


@pytest.fixture
def iris_model():
    X, y = load_iris(return_X_y=True)
    model = DistilledClassifier(
        LogisticRegression(max_iter=500), LogisticRegression(max_iter=500)
    ).fit(X, y)
    return model, X, y


class _NotInstalled:
    """An import finder for which ``package`` is not installed."""

    def __init__(self, package):
        self.package = package

    def find_spec(self, name, path=None, target=None):
        if name == self.package or name.startswith(self.package + "."):
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        return None


def _hide(monkeypatch, package):
    """Make ``package`` (and its submodules) look not installed."""
    for name in list(sys.modules):
        if name == package or name.startswith(package + "."):
            monkeypatch.delitem(sys.modules, name)
    monkeypatch.setattr(sys, "meta_path", [_NotInstalled(package), *sys.meta_path])


def _broken(monkeypatch, tmp_path, package, error):
    """Make ``package`` an installed package whose import fails with ``error``."""
    for name in list(sys.modules):
        if name == package or name.startswith(package + "."):
            monkeypatch.delitem(sys.modules, name)
    folder = tmp_path / package
    folder.mkdir()
    (folder / "__init__.py").write_text(f"raise ImportError({error!r})\n")
    monkeypatch.syspath_prepend(str(tmp_path))


def test_a_missing_skops_is_named_with_its_extra(monkeypatch, tmp_path, iris_model):
    from skdistill import io

    _hide(monkeypatch, "skops")
    with pytest.raises(ImportError, match=r"^skdistill.io.dump needs skops, which is "
                       r"not installed: pip install 'skdistill\[persist\]'"):
        io.dump(iris_model[0], tmp_path / "m.skops")
    with pytest.raises(ImportError, match=r"skdistill.io.loads needs skops"):
        io.loads(b"")


def test_a_skops_that_fails_to_import_is_not_said_missing(
    monkeypatch, tmp_path, iris_model
):
    from skdistill import io

    _broken(monkeypatch, tmp_path, "skops", "cannot import name 'Huber' from sklearn")
    with pytest.raises(ImportError) as exc:
        io.dumps(iris_model[0])
    message = str(exc.value)
    assert "installed but could not be imported" in message
    assert "cannot import name 'Huber'" in message
    assert "not installed" not in message
    assert "pip install --upgrade 'skdistill[persist]'" in message


def test_a_missing_matplotlib_is_named_with_its_extra(monkeypatch, iris_model):
    from skdistill import AgreementDisplay

    model, X, y = iris_model
    _hide(monkeypatch, "matplotlib")
    with pytest.raises(ImportError, match=r"pip install 'skdistill\[plot\]'"):
        AgreementDisplay.from_estimator(model, X)


@pytest.mark.parametrize(
    "args, package, extra",
    [
        (["--save", "{tmp}/m.skops"], "skops", "persist"),
        (["--plot", "{tmp}/p.png"], "matplotlib", "plot"),
        (["--csv", "{tmp}/d.csv", "--target", "b"], "pandas", "pandas"),
        (["search", "--save", "{tmp}/m.skops"], "skops", "persist"),
        (["predict", "--model", "{tmp}/m.skops", "--csv", "{tmp}/d.csv"], "skops",
         "persist"),
    ],
)
def test_the_command_line_names_the_extra(
    monkeypatch, tmp_path, capsys, args, package, extra
):
    (tmp_path / "m.skops").write_bytes(b"")
    (tmp_path / "d.csv").write_text("a,b\n1,2\n")
    _hide(monkeypatch, package)
    with pytest.raises(SystemExit) as exc:
        main([arg.format(tmp=tmp_path) for arg in args])
    assert exc.value.code == 2
    err = capsys.readouterr().err.strip().splitlines()[-1]
    assert f"needs {package}, which is not installed" in err
    assert f"pip install 'skdistill[{extra}]'" in err


def test_a_report_without_matplotlib_says_which_extra_plots(
    monkeypatch, tmp_path, capsys
):
    # the report is written without its plot; it and a note on stderr name
    # the extra (the report alone said "not installed", and nothing else did)
    _hide(monkeypatch, "matplotlib")
    report = tmp_path / "r.md"
    assert main(["--dataset", "iris", "--report", str(report)]) == 0
    assert not (tmp_path / "r_agreement.png").exists()
    err = capsys.readouterr().err
    assert "needs matplotlib, which is not installed" in err
    assert "pip install 'skdistill[plot]'" in err
    assert "pip install 'skdistill[plot]'" in report.read_text()


def test_missing_message_tells_missing_from_broken():
    missing = ModuleNotFoundError("No module named 'skops'", name="skops")
    assert "not installed" in missing_message("f", "skops", missing)
    # a module missing inside the package (an interrupted upgrade), or one of
    # its dependencies, is the package's own failure
    for name in ("skops.io._persist", "scipy.x"):
        inner = ModuleNotFoundError(f"No module named {name!r}", name=name)
        assert "could not be imported" in missing_message("f", "skops", inner)
    broken = ImportError("cannot import name 'Huber'")
    assert "could not be imported" in missing_message("f", "skops", broken)


def test_histogram_boosting_types_are_trusted_by_the_project():
    """What the installed skops does not trust in a fitted HistGradientBoosting
    (skops 0.11 to 0.13 trust none of its loss and binning objects) is in the
    project's trust list, so that io.load takes the files io.dump writes."""
    sio = pytest.importorskip("skops.io")
    from sklearn.ensemble import (
        HistGradientBoostingClassifier,
        HistGradientBoostingRegressor,
    )

    from skdistill.io import trusted_types

    X, y = load_iris(return_X_y=True)
    for model in (
        HistGradientBoostingClassifier(max_iter=3).fit(X, y),
        HistGradientBoostingClassifier(max_iter=3).fit(X, y % 2),
        HistGradientBoostingRegressor(max_iter=3).fit(X, y.astype(float)),
        HistGradientBoostingRegressor(max_iter=3, loss="poisson").fit(X, y + 1.0),
    ):
        try:
            data = sio.dumps(model)
        except AttributeError:  # numpy < 1.25: skops cannot save its Generator
            pytest.skip("this skops cannot save a HistGradientBoosting model")
        untrusted = set(sio.get_untrusted_types(data=data))
        assert untrusted <= set(trusted_types())
    assert {
        "sklearn._loss.loss.HalfMultinomialLoss",
        "sklearn._loss._loss.CyHalfMultinomialLoss",
        "sklearn._loss.link.Interval",
        "sklearn.ensemble._hist_gradient_boosting.binning._BinMapper",
    } <= set(trusted_types())
    np.testing.assert_array_equal(
        sio.loads(data, trusted=trusted_types()).predict(X), model.predict(X)
    )


def test_the_command_line_says_its_sizes_are_pickle_sizes_without_skops(
    monkeypatch, tmp_path, capsys
):
    _hide(monkeypatch, "skops")
    assert main(["--dataset", "iris", "--report", str(tmp_path / "r.md")]) == 0
    out = capsys.readouterr().out
    assert (
        "(bytes: the size of the model's pickle (the size of the saved file "
        "needs skops, which is not installed"
    ) in out
    report = (tmp_path / "r.md").read_text()
    assert "Bytes: the size of the model's pickle" in report
    assert "compressed skops file" not in report


def test_the_command_line_measures_the_skops_file_with_skops(tmp_path, capsys):
    pytest.importorskip("skops.io")
    assert main(["--dataset", "iris", "--report", str(tmp_path / "r.md")]) == 0
    assert "pickle" not in capsys.readouterr().out
    assert "compressed skops file" in (tmp_path / "r.md").read_text()


def test_the_size_note_tells_a_broken_skops_from_a_missing_one(
    monkeypatch, tmp_path, capsys
):
    _broken(monkeypatch, tmp_path, "skops", "cannot import name 'Huber'")
    assert main(["--dataset", "iris"]) == 0
    out = capsys.readouterr().out
    assert "installed but could not be imported" in out
    assert "not installed" not in out


def _extra_requirements(extras, name):
    """The distributions an extra installs, its ``skdistill[...]`` expanded."""
    names = set()
    for requirement in extras[name]:
        distribution, _, rest = requirement.partition("[")
        distribution = distribution.split(">")[0].split("=")[0].split("<")[0]
        if distribution.strip() == "skdistill":
            for inner in rest.rstrip("]").split(","):
                names |= _extra_requirements(extras, inner.strip())
        else:
            names.add(distribution.strip().lower())
    return names


def test_the_docs_extra_installs_what_the_gallery_imports():
    # the README builds the docs (and runs the gallery) after installing the
    # docs extra only: the examples' imports must come with it
    import ast
    from pathlib import Path

    tomllib = pytest.importorskip("tomllib")
    root = Path(__file__).resolve().parent.parent
    with open(root / "pyproject.toml", "rb") as f:
        extras = tomllib.load(f)["project"]["optional-dependencies"]
    docs = _extra_requirements(extras, "docs")
    # the optional modules of skdistill, and the distribution each needs
    needs = {"skdistill.io": "skops", "skdistill.onnx": "skl2onnx"}
    runtime = {"numpy", "scipy", "sklearn", "joblib", "skdistill"}
    imported = set()
    for example in (root / "examples").glob("*.py"):
        for node in ast.walk(ast.parse(example.read_text())):
            if isinstance(node, ast.Import):
                modules = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                modules = [node.module]
                modules += [f"{node.module}.{alias.name}" for alias in node.names]
            else:
                continue
            for module in modules:
                if module in needs:
                    imported.add(needs[module])
                top = module.split(".")[0]
                if top not in runtime and top not in sys.stdlib_module_names:
                    imported.add(top)
    assert {"pandas", "matplotlib", "skops", "skl2onnx"} <= imported
    assert imported <= docs, sorted(imported - docs)
