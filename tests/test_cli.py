"""Tests of the command line, mostly through ``python -m skdistill`` subprocesses."""

import json
import os
import subprocess
import sys

import numpy as np
import pytest

from skdistill.__main__ import main


PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
MODEL_ROWS = ["teacher", "student, hard labels", "student, distilled"]


# One BLAS / OpenMP thread in the subprocesses, as in this process.
ENV = {
    **os.environ,
    "OMP_NUM_THREADS": "1",
    "OPENBLAS_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
}


def run_cli(*args, timeout=120):
    return subprocess.run(
        [sys.executable, "-m", "skdistill", *map(str, args)],
        check=False,
        capture_output=True,
        text=True,
        timeout=timeout,
        env=ENV,
    )


def assert_usage_error(result, *fragments):
    assert result.returncode == 2, result.stderr
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert "Traceback" not in result.stderr
    lines = [line for line in lines if not line.startswith("skdistill: note:")]
    assert len(lines) == 1, result.stderr
    assert lines[-1].startswith("skdistill: error: "), result.stderr
    for fragment in fragments:
        assert fragment in lines[-1]


@pytest.fixture(scope="module")
def customers_csv(tmp_path_factory):
    """A small mixed-type CSV: numeric, text and boolean features, missing values."""
    pd = pytest.importorskip("pandas")
    rng = np.random.RandomState(0)
    n = 240
    frame = pd.DataFrame(
        {
            "age": rng.randint(18, 80, n).astype(float),
            "income": rng.lognormal(10, 1, n),
            "city": rng.choice(["paris", "lyon", "nice"], n),
            "member": rng.choice([True, False], n),
        }
    )
    frame.loc[rng.choice(n, 10, replace=False), "income"] = np.nan
    frame.loc[rng.choice(n, 5, replace=False), "city"] = np.nan
    score = (frame.age - 50) / 15 + (frame.city == "paris") + rng.normal(0, 0.5, n)
    frame["label"] = np.where(score > 0.5, "buy", np.where(score < -0.5, "no", "maybe"))
    frame.loc[[3, 7], "label"] = np.nan
    path = tmp_path_factory.mktemp("csv") / "customers.csv"
    frame.to_csv(path, index=False)
    return path


def test_default_run_prints_the_three_models():
    result = run_cli()
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == (
        "digits: teacher RBF SVM, students logistic (C=1.0); alpha=0.5, T=4.0"
    )
    assert lines[1].split() == [
        "model",
        "accuracy",
        "fidelity",
        "parameters",
        "bytes",
        "ms/1000",
        "rows",
    ]
    assert [line.split("  ")[0].strip() for line in lines[2:]] == [
        "teacher (RBF SVM)",
        "student, hard labels",
        "student, distilled",
    ]
    teacher, _, distilled = (line.rsplit(None, 5) for line in lines[2:])
    assert float(teacher[1]) > 0.95 and float(teacher[2]) == 1.0
    assert float(distilled[1]) > 0.9
    # the students are far smaller than the teacher
    assert int(distilled[3]) * 10 < int(teacher[3])
    assert result.stderr == ""


def test_json_output_is_machine_readable():
    result = run_cli("--dataset", "iris", "--json", "--alpha", "0.7", "-T", "2")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["dataset"] == "iris"
    assert (report["n_train"], report["n_test"], report["n_features"]) == (105, 45, 4)
    assert report["classes"] == [0, 1, 2]
    assert report["parameters"]["alpha"] == 0.7
    assert report["parameters"]["T"] == 2.0
    assert report["best_params"] is None
    roles = [row["role"] for row in report["models"]]
    assert roles == ["teacher", "hard_labels", "distilled"]
    for row in report["models"]:
        assert 0 <= row["accuracy"] <= 1 and 0 <= row["fidelity"] <= 1
        assert row["n_parameters"] > 0 and row["bytes"] > 0 and row["ms_per_1000"] > 0
    assert report["models"][0]["fidelity"] == 1.0
    assert report["models"][2]["n_parameters"] == 15  # 3 x 4 weights + 3 intercepts


def test_csv_with_plot_save_and_verbose(customers_csv, tmp_path):
    sio = pytest.importorskip("skops.io")
    pytest.importorskip("matplotlib")
    pd = pytest.importorskip("pandas")
    png, model_file = tmp_path / "agreement.png", tmp_path / "model.skops"
    result = run_cli(
        "--csv",
        customers_csv,
        "--target",
        "label",
        "--teacher",
        "forest",
        "--n-estimators",
        "20",
        "--plot",
        png,
        "--save",
        model_file,
        "--verbose",
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith(
        "customers.csv: teacher random forest, students logistic"
    )
    assert lines[2].startswith("teacher (random forest)")
    assert len(lines) == 5
    assert (
        "skdistill: note: dropped 2 of 240 rows with a missing 'label'" in result.stderr
    )
    progress = [line for line in result.stderr.splitlines() if line.startswith("[")]
    assert any("fitting the teacher" in line for line in progress)
    assert progress[-1].endswith("done")

    assert png.read_bytes()[:8] == PNG_MAGIC
    untrusted = sio.get_untrusted_types(file=model_file)
    loaded = sio.load(model_file, trusted=untrusted)
    frame = pd.read_csv(customers_csv).dropna(subset=["label"])
    predictions = loaded.predict(frame.drop(columns="label"))
    assert set(predictions) <= {"buy", "maybe", "no"}
    assert np.mean(predictions == frame["label"].to_numpy()) > 0.6
    assert not hasattr(loaded[-1], "teacher_")  # the saved model is the small one


def test_grid_search_reports_best_parameters():
    result = run_cli("--dataset", "iris", "--teacher", "knn", "--grid", "--json")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    best = report["best_params"]
    assert set(best) == {"alpha", "T", "student__C", "cv_accuracy"}
    assert best["alpha"] in [0.0, 0.5, 0.9] and best["T"] in [1.0, 4.0]
    assert best["student__C"] in [0.1, 1.0, 10.0]
    assert report["parameters"]["alpha"] == best["alpha"]
    assert report["student_description"] == f"logistic (C={best['student__C']})"


def test_sparsity_adds_the_pruned_student():
    result = run_cli("--dataset", "wine", "--sparsity", "0.8", "--json")
    if "SparsifyTransformer is not available" in result.stderr:
        pytest.skip("SparsifyTransformer is not available yet")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    distilled, pruned = report["models"][2:]
    assert pruned["role"] == "pruned"
    assert report["sparsity_achieved"] == pytest.approx(0.8, abs=0.05)
    # 3 x 13 weights, about 80 % of them zero, and 3 intercepts
    assert distilled["n_parameters"] == 42
    assert pruned["n_parameters"] <= 3 + 0.25 * 39


def test_augment_and_teacher_cv_are_passed():
    result = run_cli(
        "--dataset", "iris", "--augment", "gaussian", "--teacher-cv", "3", "--json"
    )
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["parameters"]["augment"] == "gaussian"
    assert report["parameters"]["teacher_cv"] == 3
    assert len(report["models"]) == 3


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize(
    "args, description",
    [
        (["--student", "ridge", "-C", "2"], "ridge (alpha=0.5)"),
        (["--student", "tree", "--max-depth", "3"], "tree (max_depth=3)"),
        (["--student", "mlp"], "mlp (32 hidden units, alpha=0.0001"),
    ],
)
def test_students(args, description, capsys):
    assert main(["--dataset", "iris", "--json", *args]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["student_description"].startswith(description)
    assert report["models"][2]["accuracy"] > 0.7


@pytest.mark.parametrize("teacher", ["forest", "boosting"])
def test_teachers(teacher, capsys):
    assert (
        main(["--dataset", "iris", "--teacher", teacher, "--n-estimators", "10"]) == 0
    )
    out = capsys.readouterr().out
    assert out.splitlines()[0].startswith("iris: teacher ")
    assert len(out.splitlines()) == 5


def test_csv_errors(tmp_path):
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    assert_usage_error(run_cli("--csv", empty, "--target", "y"), "is empty")


@pytest.mark.parametrize(
    "content, args, fragment",
    [
        (None, ["--target", "y"], "no such file"),
        ("a,y\n", ["--target", "y"], "no data rows"),
        ("a,b\n1,0\n2,1\n", ["--target", "label"], "no column 'label'"),
        ("a,label\n1,x\n2,x\n3,x\n", ["--target", "label"], "single class ('x')"),
        ("a,label\n1,0.5\n2,1.5\n", ["--target", "label"], "non-integer"),
    ],
)
def test_csv_usage_errors_in_process(tmp_path, capsys, content, args, fragment):
    path = tmp_path / "data.csv"
    if content is not None:
        path.write_text(content)
    with pytest.raises(SystemExit) as exc:
        main(["--csv", str(path), *args])
    assert exc.value.code == 2
    err = capsys.readouterr().err.strip().splitlines()[-1]
    assert err.startswith("skdistill: error: ") and fragment in err


def test_unencodable_column_is_an_error_unless_dropped(tmp_path):
    rows = "\n".join(f"user{i},{i % 5},{i % 2}" for i in range(60))
    path = tmp_path / "ids.csv"
    path.write_text("id,x,label\n" + rows + "\n")
    result = run_cli("--csv", path, "--target", "label", "--max-categories", "20")
    assert_usage_error(result, "'id' has 60 distinct values", "--drop id")
    result = run_cli("--csv", path, "--target", "label", "--drop", "id", "--json")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["n_features"] == 1


@pytest.mark.parametrize(
    "args, fragment",
    [
        (["--alpha", "1.5"], "--alpha must be in [0, 1]"),
        (["-T", "0"], "-T must be > 0"),
        (["--student", "tree", "--sparsity", "0.5"], "--student tree has none"),
        (["--student", "tree", "-C", "1"], "-C does not apply"),
        (["--csv", "x.csv"], "--csv needs --target"),
        (["--target", "y"], "apply only to --csv"),
        (["--dataset", "iris", "--csv", "x.csv"], "not allowed with"),
        (["--dataset", "mnist"], "invalid choice"),
        (["--augment-size", "2"], "--augment-size needs --augment"),
        (["--plot", "/no/such/folder/a.png"], "does not exist"),
    ],
)
def test_argument_errors(args, fragment, capsys):
    with pytest.raises(SystemExit) as exc:
        main(args)
    assert exc.value.code == 2
    err = capsys.readouterr().err.strip().splitlines()[-1]
    assert err.startswith("skdistill: error: ") and fragment in err


def test_bad_usage_through_subprocess_is_one_line(tmp_path):
    result = run_cli("--csv", tmp_path / "missing.csv", "--target", "y")
    assert_usage_error(result, "no such file")
