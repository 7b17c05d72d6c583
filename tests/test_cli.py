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


def test_json_output_writes_a_nan_score_as_null(tmp_path, capsys):
    # two 'yes' rows of ten: --grid's folds leave one without 'yes', and the
    # cross-validated accuracy is NaN, which JSON cannot write: null
    path = tmp_path / "tiny.csv"
    path.write_text(
        "id,age,city,label\n"
        "1000,70,Paris,yes\n1001,57,Nice,no\n1002,49,Lyon,no\n"
        "1003,34,Lyon,no\n1004,37,Paris,no\n1005,20,Nice,no\n"
        "1006,22,Nice,no\n1007,19,Lyon,no\n1008,28,Paris,no\n"
        "1009,68,Nice,yes\n"
    )
    status = main(["--csv", str(path), "--target", "label", "--drop", "id",
                   "--grid", "--json"])
    assert status == 0

    def refuse(constant):
        raise ValueError(f"not JSON: {constant}")

    report = json.loads(capsys.readouterr().out, parse_constant=refuse)
    assert report["best_params"]["cv_accuracy"] is None

    from skdistill._cli_report import to_json

    assert json.loads(to_json({"a": np.float64("nan"), "b": [np.inf, 1.5]})) == {
        "a": None, "b": [None, 1.5]
    }


def test_csv_with_plot_save_and_verbose(customers_csv, tmp_path):
    pytest.importorskip("skops.io")
    pytest.importorskip("matplotlib")
    pd = pytest.importorskip("pandas")
    from skdistill.io import load

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
    loaded = load(model_file)  # no trust list to write
    frame = pd.read_csv(customers_csv).dropna(subset=["label"])
    predictions = loaded.predict(frame.drop(columns="label"))
    assert set(predictions) <= {"buy", "maybe", "no"}
    assert np.mean(predictions == frame["label"].to_numpy()) > 0.6
    assert not hasattr(loaded[-1], "teacher_")  # the saved model is the small one
    assert type(loaded[-1]).__name__ == "LogisticRegression"
    # compressed: the file is smaller than the uncompressed skops archive
    sio = pytest.importorskip("skops.io")
    assert model_file.stat().st_size < len(sio.dumps(loaded)) / 2


def test_grid_search_reports_best_parameters():
    result = run_cli("--dataset", "iris", "--teacher", "knn", "--grid", "--json")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    best = report["best_params"]
    assert set(best) == {"alpha", "T", "student__C", "cv_accuracy"}
    assert best["alpha"] in [0.0, 0.5, 0.9] and best["T"] in [1.0, 4.0]
    assert best["student__C"] in [0.1, 1.0, 10.0]
    assert report["parameters"]["alpha"] == best["alpha"]
    assert report["parameters"]["C"] == best["student__C"]  # the chosen one
    assert report["student_description"] == f"logistic (C={best['student__C']})"


def test_grid_search_reports_the_trees_chosen_depth():
    result = run_cli("--dataset", "iris", "--student", "tree", "--grid", "--json")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    parameters = report["parameters"]
    assert parameters["max_depth"] == report["best_params"]["student__max_depth"]
    assert parameters["C"] is None


def test_student_settings_invert_the_penalty():
    from skdistill._cli_models import make_student, student_settings

    for name in ("logistic", "ridge", "mlp"):
        task = "regression" if name == "ridge" else "classification"
        student = make_student(name, task=task, C=4.0)
        assert student_settings(name, student) == (pytest.approx(4.0), None)
    assert student_settings("tree", make_student("tree", max_depth=3)) == (None, 3)


def test_sparsity_adds_the_pruned_student():
    result = run_cli("--dataset", "wine", "--sparsity", "0.8", "--json")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    distilled, pruned = report["models"][2:]
    assert pruned["role"] == "pruned"
    assert report["sparsity_achieved"] == pytest.approx(0.8, abs=0.05)
    # 3 x 13 weights, about 80 % of them zero, and 3 intercepts
    assert distilled["n_parameters"] == 42
    assert pruned["n_parameters"] <= 3 + 0.25 * 39


def test_tree_student_gets_munge_rows_by_default_and_none_turns_them_off():
    common = ["--dataset", "wine", "--student", "tree", "--json"]
    report = json.loads(run_cli(*common).stdout)
    assert report["parameters"]["augment"] == "munge"
    report = json.loads(run_cli(*common, "--augment", "none").stdout)
    assert report["parameters"]["augment"] == "none"
    report = json.loads(run_cli("--dataset", "wine", "--json").stdout)
    assert report["parameters"]["augment"] == "none"  # a logistic student


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
        ("a,label\n1,x\n2,x\n3,y\n", ["--target", "label"], "have a single row"),
        (
            "a,label\n1,0.5\n2,1.5\n",
            ["--target", "label"],
            "--test-size 0.3 leaves 1 rows of 2 on one side",
        ),
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


def test_numbers_with_a_few_spelled_out_missing_values(tmp_path, capsys):
    # "?" among 200 numbers: not a text column to encode or drop, but missing
    # values to leave empty
    rows = "\n".join(
        f"{'?' if i == 7 else i * 1.5},{i % 2}" for i in range(200)
    )
    path = tmp_path / "ages.csv"
    path.write_text("age,label\n" + rows + "\n")
    with pytest.raises(SystemExit) as exc:
        main(["--csv", str(path), "--target", "label"])
    assert exc.value.code == 2
    err = capsys.readouterr().err.strip().splitlines()[-1]
    assert "'age' holds numbers except for 1 cell(s) such as '?'" in err
    assert "leave the cells empty" in err


def test_an_infinite_label_does_not_make_a_regression_target(tmp_path):
    # --task auto: regression when a number has a fractional part; "inf" has
    # none, and is read as a label (as --task classification reads it),
    # without numpy's warning about the remainder of infinity
    import warnings

    from skdistill._cli_data import load_csv

    rows = "\n".join(f"{i * 0.5},{'inf' if i < 3 else i % 2}" for i in range(60))
    path = tmp_path / "labels.csv"
    path.write_text("x,label\n" + rows + "\n")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        _, y, _, _, task = load_csv(str(path), "label")
    assert task == "classification"
    assert sorted(set(y)) == ["0", "1", "inf"]


def test_few_numbers_with_a_spelled_out_missing_value_get_a_note(tmp_path, capsys):
    # 10 distinct numbers and a "?": encoded as text, which the user is told
    rows = "\n".join(
        f"{'?' if i == 7 else i % 10},{i * 0.1:.1f},{i % 2}" for i in range(60)
    )
    path = tmp_path / "grades.csv"
    path.write_text("grade,x,label\n" + rows + "\n")
    status = main(["--csv", str(path), "--target", "label"])
    err = capsys.readouterr().err
    assert status == 0
    assert "note: the column 'grade' holds numbers except for 1 cell(s)" in err
    assert "one-hot encoded as text" in err


@pytest.mark.parametrize("n_rows", [40, 200])
def test_numbers_with_a_decimal_comma(tmp_path, capsys, n_rows):
    # "1,5" in a ';'-separated file is text to pandas: an error with more
    # distinct values than --max-categories, a note below
    rows = "\n".join(
        f"{i * 0.5 + 0.25:.2f};{i % 2}".replace(".", ",") for i in range(n_rows)
    )
    path = tmp_path / "comma.csv"
    path.write_text("width;label\n" + rows + "\n")
    args = ["--csv", str(path), "--sep", ";", "--target", "label"]
    if n_rows > 100:
        with pytest.raises(SystemExit) as exc:
            main(args)
        assert exc.value.code == 2
    else:
        assert main(args) == 0
    err = capsys.readouterr().err
    assert "'width' holds numbers written with a decimal comma" in err
    assert "with a decimal point" in err


def test_numbers_with_thousands_separators(tmp_path, capsys):
    # "1,234" may be a thousand and more: the note does not say "decimal"
    rows = "\n".join(f'"{1000 + 37 * i:,}",{i % 2}' for i in range(40))
    path = tmp_path / "thousands.csv"
    path.write_text("amount,label\n" + rows + "\n")
    assert main(["--csv", str(path), "--target", "label"]) == 0
    err = capsys.readouterr().err
    assert "'amount' holds numbers with commas (such as '1,000')" in err
    assert "without thousands separators" in err


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
        (["--augment", "none", "--augment-size", "2"], "not --augment none"),
        (["--plot", "/no/such/folder/a.png"], "does not exist"),
        # checked before the fit, not after it
        (["--plot", "agreement.txt"], "--plot must name an image file"),
        (["--plot", "agreement"], "--plot must name an image file"),
        (["--random-state", "-1"], "--random-state: must be an integer in"),
        (["search", "--random-state", "-1"], "--random-state: must be an integer"),
        (["search", "--max-categories", "0"], "--max-categories must be at least"),
        (["search", "--task", "regression"], "apply to --csv only"),
        (["search", "--bogus"],
         "unrecognized arguments: --bogus (see skdistill search --help)"),
        (["predict", "--model", "m.skops", "--csv", "x.csv", "--bogus"],
         "unrecognized arguments: --bogus (see skdistill predict --help)"),
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


# -- predict, regression, separators, reports ---------------------------------


def _write_csv(path, frame, sep=","):
    frame.to_csv(path, index=False, sep=sep)
    return path


@pytest.fixture(scope="module")
def labels_csv(tmp_path_factory):
    """Labels written '1' and '01' (two classes), an id column, a text column."""
    pd = pytest.importorskip("pandas")
    rng = np.random.RandomState(0)
    n = 150
    x = rng.standard_normal(n)
    frame = pd.DataFrame(
        {
            "id": np.arange(1000, 1000 + n),
            "x": x,
            "color": rng.choice(["red", "blue"], n),
            "label": np.where(x > 0, "01", "1"),
        }
    )
    return _write_csv(tmp_path_factory.mktemp("labels") / "labels.csv", frame)


def test_train_save_predict_round_trip(labels_csv, tmp_path):
    pd = pytest.importorskip("pandas")
    pytest.importorskip("skops.io")
    from skdistill.io import load

    model_file = tmp_path / "model.skops"
    result = run_cli(
        "--csv", labels_csv, "--target", "label", "--save", model_file, "--json"
    )
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["classes"] == ["01", "1"]  # labels as written, not numbers
    # predict on a new file whose columns are in another order, without the target
    frame = pd.read_csv(labels_csv, dtype={"label": str})
    new = frame[["color", "x", "id"]].iloc[::-1]
    new_csv = _write_csv(tmp_path / "new.csv", new)
    out = tmp_path / "predictions.csv"
    result = run_cli(
        "predict", "--model", model_file, "--csv", new_csv, "--out", out, "--proba"
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == ""
    predictions = pd.read_csv(out, dtype={"prediction": str})
    assert list(predictions.columns) == ["prediction", "proba_01", "proba_1"]
    assert len(predictions) == len(new)
    expected = load(model_file).predict(new)
    assert predictions["prediction"].tolist() == list(expected)
    assert set(predictions["prediction"]) == {"01", "1"}
    np.testing.assert_allclose(
        predictions[["proba_01", "proba_1"]].sum(axis=1), 1.0, atol=1e-12
    )
    # to stdout, without probabilities
    result = run_cli("predict", "--model", model_file, "--csv", new_csv)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "prediction" and lines[1:] == list(expected)


def test_predict_reads_text_columns_as_text(tmp_path, capsys):
    # a column of text in training ("1", "2", "x") whose new values are all
    # digits: read as numbers, no category would match them
    pd = pytest.importorskip("pandas")
    pytest.importorskip("skops.io")
    from skdistill.io import load

    rng = np.random.RandomState(1)
    code = rng.choice(["1", "2", "x"], 120)
    frame = pd.DataFrame(
        {"x1": rng.randn(120), "code": code, "label": np.where(code == "1", "a", "b")}
    )
    model_file = tmp_path / "model.skops"
    train_csv = _write_csv(tmp_path / "train.csv", frame)
    assert main(["--csv", str(train_csv), "--target", "label", "--save",
                 str(model_file)]) == 0
    new = frame[frame.code != "x"].drop(columns="label").iloc[:20]
    new_csv = _write_csv(tmp_path / "new.csv", new)
    capsys.readouterr()
    assert main(["predict", "--model", str(model_file), "--csv", str(new_csv)]) == 0
    predicted = capsys.readouterr().out.splitlines()[1:]
    assert predicted == list(load(model_file).predict(new))
    assert predicted == list(np.where(new.code == "1", "a", "b"))


def test_predict_errors(labels_csv, tmp_path):
    pytest.importorskip("skops.io")
    model_file = tmp_path / "model.skops"
    assert run_cli(
        "--csv", labels_csv, "--target", "label", "--save", model_file
    ).returncode == 0
    missing = tmp_path / "missing_column.csv"
    missing.write_text("x,id\n0.5,3\n")
    assert_usage_error(
        run_cli("predict", "--model", model_file, "--csv", missing),
        "lacks 1 of the model's columns: 'color'",
    )
    text = tmp_path / "text.csv"
    text.write_text("x,id,color\nabc,3,red\n")
    assert_usage_error(
        run_cli("predict", "--model", model_file, "--csv", text),
        "'x' was numeric in training",
    )
    infinite = tmp_path / "inf.csv"
    infinite.write_text("x,id,color\ninf,3,red\n")
    assert_usage_error(
        run_cli("predict", "--model", model_file, "--csv", infinite),
        "'x' holds infinite values",
    )
    not_a_model = tmp_path / "bad.skops"
    not_a_model.write_text("hello")
    assert_usage_error(
        run_cli("predict", "--model", not_a_model, "--csv", text), "--model"
    )
    assert_usage_error(
        run_cli("predict", "--model", tmp_path / "none.skops", "--csv", text),
        "no such file",
    )
    assert_usage_error(
        run_cli("predict", "--model", model_file, "--csv", text, "--out", tmp_path),
        "is a folder",
    )


@pytest.fixture(scope="module")
def prices_csv(tmp_path_factory):
    """A numeric target with a fractional part: a regression."""
    pd = pytest.importorskip("pandas")
    rng = np.random.RandomState(0)
    n = 160
    frame = pd.DataFrame(
        {"area": rng.uniform(20, 200, n), "rooms": rng.randint(1, 6, n)}
    )
    frame["price"] = 3.5 * frame.area + 10 * frame.rooms + rng.normal(0, 5, n)
    return _write_csv(tmp_path_factory.mktemp("prices") / "prices.tsv", frame, "\t")


def test_numeric_target_is_distilled_as_a_regression(prices_csv, tmp_path):
    pytest.importorskip("skops.io")
    pytest.importorskip("matplotlib")
    model_file, report_file = tmp_path / "reg.skops", tmp_path / "reg.md"
    result = run_cli(
        "--csv", prices_csv, "--sep", "\\t", "--target", "price",
        "--teacher", "forest", "--n-estimators", "20", "--json", "--save", model_file,
        "--report", report_file,
    )
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["task"] == "regression"
    assert report["classes"] is None
    assert report["student_description"] == "ridge (alpha=1)"
    assert report["parameters"]["T"] is None
    for row in report["models"]:
        assert set(row) >= {"r2", "fidelity", "bytes"} and "accuracy" not in row
    teacher, hard, distilled = report["models"]
    assert teacher["fidelity"] == 1.0
    assert distilled["r2"] > 0.9 and distilled["fidelity"] > 0.9
    text = report_file.read_text()
    assert "- target: `price` (regression)" in text
    assert "| model | R2 | fidelity |" in text
    assert (tmp_path / "reg_agreement.png").read_bytes()[:8] == PNG_MAGIC
    result = run_cli(
        "predict", "--model", model_file, "--csv", prices_csv, "--sep", "\\t"
    )
    assert result.returncode == 0, result.stderr
    values = np.array(result.stdout.splitlines()[1:], dtype=float)
    assert values.shape == (160,) and np.all(np.isfinite(values))


def test_predict_says_how_to_load_a_file_with_untrusted_types(tmp_path):
    pytest.importorskip("skops.io")
    from sklearn.calibration import CalibratedClassifierCV
    from sklearn.linear_model import LogisticRegression

    from skdistill.io import dump

    pd = pytest.importorskip("pandas")
    frame = pd.DataFrame({"a": np.arange(40.0), "b": np.arange(40.0) % 7})
    labels = (frame.a > 20).astype(int)
    model = CalibratedClassifierCV(LogisticRegression(), cv=2).fit(frame, labels)
    dump(model, tmp_path / "calibrated.skops")
    path = _write_csv(tmp_path / "new.csv", frame)
    result = run_cli("predict", "--model", tmp_path / "calibrated.skops", "--csv", path)
    assert_usage_error(result, "skdistill.io.load(path, trusted=[...])")
    assert "pass them in `trusted`" not in result.stderr


def test_regression_results_do_not_depend_on_the_targets_unit(tmp_path):
    # the SVR teacher (epsilon=0.1, C=1) and the MLP student are fitted on
    # the standardized target: on prices in hundreds the teacher's R² was
    # about 0, and it and the network fell apart with the unit
    pd = pytest.importorskip("pandas")
    rng = np.random.RandomState(0)
    frame = pd.DataFrame({"area": rng.uniform(20, 200, 160)})
    frame["price"] = 3.5 * frame.area + 20 * np.sin(frame.area / 10)
    scores = []
    for unit in (1.0, 1e-3):
        scaled = frame.assign(price=frame.price * unit)
        path = _write_csv(tmp_path / f"prices_{unit:g}.csv", scaled, ",")
        result = run_cli("--csv", path, "--target", "price", "--student", "mlp",
                         "--json")
        assert result.returncode == 0, result.stderr
        report = json.loads(result.stdout)
        assert "on the standardized target" in report["student_description"]
        scores.append([row["r2"] for row in report["models"]])
    np.testing.assert_allclose(scores[0], scores[1], rtol=1e-3)
    teacher, hard, distilled = scores[0]
    assert teacher > 0.9 and distilled > 0.9
    # --grid searches the network's own penalty
    result = run_cli("--csv", path, "--target", "price", "--student", "mlp",
                     "--grid", "--json")
    assert result.returncode == 0, result.stderr
    assert "student__regressor__alpha" in json.loads(result.stdout)["best_params"]


def test_regression_table_and_student_checks(prices_csv):
    result = run_cli("--csv", prices_csv, "--sep", "tab", "--target", "price")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].endswith("alpha=0.5, regression")
    assert lines[1].split()[:3] == ["model", "R2", "fidelity"]
    assert_usage_error(
        run_cli(
            "--csv", prices_csv, "--sep", "tab", "--target", "price",
            "--student", "logistic",
        ),
        "--student logistic is a classifier",
    )
    for args in (["--augment", "auto"], ["--augment-size", "2"]):
        assert_usage_error(
            run_cli("--csv", prices_csv, "--sep", "tab", "--target", "price", *args),
            "--augment auto applies only to classification",
        )


def test_wrong_separator_is_explained(prices_csv):
    assert_usage_error(
        run_cli("--csv", prices_csv, "--target", "price"),
        "no column 'price'",
        "--sep '\\t'",
    )


def test_integer_target_with_rare_values_suggests_regression(tmp_path):
    rows = "\n".join(f"{i},{i * 7}" for i in range(40))
    path = tmp_path / "counts.csv"
    path.write_text("x,count\n" + rows + "\n")
    assert_usage_error(
        run_cli("--csv", path, "--target", "count"), "--task regression"
    )
    result = run_cli("--csv", path, "--target", "count", "--task", "regression")
    assert result.returncode == 0, result.stderr
    # search has the options its messages name, and says what needs the rows
    search = ("search", "--csv", path, "--target", "count", "--students", "linear",
              "--n-estimators", "5", "--cv", "3")
    assert_usage_error(
        run_cli(*search), "the stratified folds need", "--task regression"
    )
    result = run_cli(*search, "--task", "regression")
    assert result.returncode == 0, result.stderr
    assert "R²" in result.stdout


def test_search_takes_max_categories(tmp_path):
    rows = "\n".join(f"{i % 7},c{i % 150},{'ab'[i % 2]}" for i in range(300))
    path = tmp_path / "many.csv"
    path.write_text("x,cat,label\n" + rows + "\n")
    search = ("search", "--csv", path, "--target", "label", "--students", "linear",
              "--n-estimators", "5", "--cv", "3")
    assert_usage_error(run_cli(*search), "raise --max-categories")
    result = run_cli(*search, "--max-categories", "200")
    assert result.returncode == 0, result.stderr


def test_row_number_columns_get_a_note(labels_csv):
    result = run_cli("--csv", labels_csv, "--target", "label", "--json")
    assert result.returncode == 0, result.stderr
    notes = [
        line for line in result.stderr.splitlines() if line.startswith("skdistill: note:")
    ]
    assert len(notes) == 1
    assert "'id' looks like a row number or an identifier" in notes[0]
    assert "--drop id to leave it out" in notes[0]


@pytest.mark.parametrize("n_rows, noted", [(60, True), (19, False)])
def test_text_identifier_columns_get_a_note(tmp_path, n_rows, noted):
    # as an integer identifier: all values distinct, on enough rows to mean
    # something (not on 19)
    pd = pytest.importorskip("pandas")
    from skdistill._cli_data import load_csv

    rng = np.random.RandomState(0)
    frame = pd.DataFrame(
        {
            "user": [f"user{i:03d}" for i in range(n_rows)],
            "city": rng.choice(["paris", "nice"], n_rows),
            "x": rng.standard_normal(n_rows),
            "label": np.arange(n_rows) % 2,
        }
    )
    path = _write_csv(tmp_path / "users.csv", frame)
    notes = load_csv(path, "label")[3]
    expected = (
        "the column 'user' looks like a row number or an identifier (all "
        "values distinct); it is used as a feature: --drop user to leave it out"
    )
    assert notes == ([expected] if noted else [])


def test_markdown_report(tmp_path):
    pytest.importorskip("matplotlib")
    report = tmp_path / "run.md"
    result = run_cli("--dataset", "iris", "--report", report)
    assert result.returncode == 0, result.stderr
    text = report.read_text()
    assert text.startswith("# skdistill report: iris")
    assert "| model | accuracy | fidelity | parameters | bytes | ms/1000 rows |" in text
    assert "| teacher (RBF SVM) |" in text
    assert "![student against teacher](<run_agreement.png>)" in text
    assert (tmp_path / "run_agreement.png").read_bytes()[:8] == PNG_MAGIC


def test_report_bytes_are_the_saved_files_and_the_save_comes_first(
    tmp_path, monkeypatch
):
    # the table's bytes are the file --save writes (preprocessing included,
    # as `search` measures them); the model is saved before the plots
    pytest.importorskip("skops.io")
    pytest.importorskip("matplotlib")
    import skdistill._cli_report as cli_report

    def failing_plot(*args, **kwargs):
        raise RuntimeError("no plot")

    monkeypatch.setattr(cli_report, "plot_agreement", failing_plot)
    model_file = tmp_path / "m.skops"
    status = main(["--dataset", "iris", "--save", str(model_file), "--json",
                   "--plot", str(tmp_path / "a.png")])
    assert status == 1 and model_file.exists()
    monkeypatch.undo()
    result = run_cli("--dataset", "iris", "--save", model_file, "--json")
    assert result.returncode == 0, result.stderr
    rows = {row["role"]: row for row in json.loads(result.stdout)["models"]}
    assert rows["distilled"]["bytes"] == model_file.stat().st_size
    assert rows["distilled"]["n_parameters"] == 15  # the model's own


def test_report_links_a_plot_whose_name_has_spaces(tmp_path):
    pytest.importorskip("matplotlib")
    report = tmp_path / "my run.md"
    assert run_cli("--dataset", "iris", "--report", report).returncode == 0
    assert "![student against teacher](<my run_agreement.png>)" in report.read_text()
    assert (tmp_path / "my run_agreement.png").read_bytes()[:8] == PNG_MAGIC


def test_grid_verbose_reports_every_candidate_and_fold():
    result = run_cli(
        "--dataset", "iris", "--teacher", "knn", "--grid", "--verbose", "--json"
    )
    assert result.returncode == 0, result.stderr
    json.loads(result.stdout)  # stdout stays machine-readable
    folds = [line for line in result.stderr.splitlines() if "grid candidate" in line]
    assert len(folds) == 18 * 3
    assert "grid candidate 1/18 (alpha=0.0, T=1.0, C=0.1): fold 1/3 accuracy" in folds[0]
    assert folds[-1].split(": fold ")[1].startswith("3/3 accuracy")
    candidates = {line.split("(")[1].split(")")[0] for line in folds}
    assert len(candidates) == 18


def test_help_does_not_import_scikit_learn():
    code = (
        "import sys\n"
        "from skdistill.__main__ import main\n"
        "try:\n"
        "    main(['--help'])\n"
        "except SystemExit as exc:\n"
        "    assert exc.code == 0\n"
        "print(sorted(m for m in ('sklearn', 'numpy', 'pandas', 'scipy') "
        "if m in sys.modules))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=ENV,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "[]"
    assert "--report FILE.md" in result.stdout
    assert "'skdistill predict --help'" in result.stdout


def test_predict_help():
    result = run_cli("predict", "--help")
    assert result.returncode == 0
    assert "--model FILE.skops" in result.stdout and "--proba" in result.stdout


# -- no traceback, ever ---------------------------------------------------------


@pytest.mark.parametrize(
    "args, fragment",
    [
        (["-T", "nan"], "argument -T/--temperature: must be a finite number, got 'nan'"),
        (["-T", "inf"], "argument -T/--temperature: must be a finite number, got 'inf'"),
        (["-C", "nan"], "argument -C: must be a finite number, got 'nan'"),
        (["--alpha", "nan"], "argument --alpha: must be a finite number"),
        (
            ["--augment", "munge", "--augment-size", "inf"],
            "argument --augment-size: must be a finite number, got 'inf'",
        ),
        (["--augment", "munge", "--augment-size", "1000"], "--augment-size must be at most 100"),
        (["--sparsity", "nan"], "argument --sparsity: must be a finite number"),
        (["--test-size", "inf"], "argument --test-size: must be a finite number"),
        (["--sep", ";;"], "argument --sep: must be one character"),
        (["--report", "out.txt"], "--report must name a .md file"),
        (["--n-jobs", "0", "--grid"], "--n-jobs must not be 0"),
    ],
)
def test_non_finite_and_bad_numbers_are_usage_errors(args, fragment, capsys):
    with pytest.raises(SystemExit) as exc:
        main(args)
    assert exc.value.code == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("skdistill: error: ")
    assert fragment in err[0]


@pytest.mark.parametrize(
    "value, fragment",
    [("inf", "holds infinite values"), ("-inf", "holds infinite values"),
     ("1e39", "overflow 32-bit floats")],
)
def test_infinite_or_float32_overflowing_csv_values(tmp_path, value, fragment):
    rows = [f"{i % 7},{i % 2}" for i in range(30)]
    rows[5] = f"{value},1"
    path = tmp_path / "big.csv"
    path.write_text("x,label\n" + "\n".join(rows) + "\n")
    assert_usage_error(run_cli("--csv", path, "--target", "label"), "'x'", fragment)


def test_teacher_cv_larger_than_the_training_rows(tmp_path):
    assert_usage_error(
        run_cli("--dataset", "iris", "--teacher-cv", "50"),
        "--teacher-cv 50 is larger than the 35 training rows of the smallest class",
    )
    assert_usage_error(
        run_cli("--dataset", "iris", "--teacher-cv", "30", "--grid"),
        "in a --grid fold",
    )


def test_output_paths_are_checked_before_fitting(tmp_path):
    result = run_cli("--dataset", "iris", "--save", tmp_path, "--verbose")
    assert_usage_error(result, "--save", "is a folder")
    assert "fitting" not in result.stderr
    assert_usage_error(
        run_cli("--dataset", "iris", "--report", tmp_path / "no" / "r.md"),
        "--report: the folder", "does not exist",
    )
    assert_usage_error(
        run_cli("--dataset", "iris", "--plot", tmp_path), "--plot", "is a folder"
    )


def test_the_reports_plot_path_is_checked_before_fitting(tmp_path, capsys):
    # --report writes <name>_agreement.png next to the report: a folder there
    # is a usage error before any fitting, not a failure after it
    (tmp_path / "run_agreement.png").mkdir()
    report = tmp_path / "run.md"
    with pytest.raises(SystemExit) as exit_info:
        main(["--dataset", "iris", "--report", str(report), "--verbose"])
    err = capsys.readouterr().err
    assert exit_info.value.code == 2
    assert "--report (the plot next to it)" in err
    assert "run_agreement.png' is a folder" in err
    assert "fitting" not in err and not report.exists()


def test_unwritable_save_folder_is_refused_before_fitting(
    tmp_path, monkeypatch, capsys
):
    # an unwritable folder, simulated: permissions do not bind the root user
    import skdistill._cli as cli

    def refuse(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(cli.tempfile, "NamedTemporaryFile", refuse)
    folder = tmp_path / "readonly"
    folder.mkdir()
    with pytest.raises(SystemExit) as exit_info:
        main(["--dataset", "iris", "--save", str(folder / "m.skops"), "--verbose"])
    err = capsys.readouterr().err
    assert exit_info.value.code == 2
    assert "--save: cannot write in the folder" in err and "Permission denied" in err
    assert "fitting" not in err


def test_failed_save_keeps_the_previous_model(tmp_path, monkeypatch, capsys):
    pytest.importorskip("skops.io")
    model_file = tmp_path / "model.skops"
    assert main(["--dataset", "iris", "--save", str(model_file)]) == 0
    before = model_file.read_bytes()
    capsys.readouterr()

    def full_disk(fd):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", full_disk)
    status = main(["--dataset", "iris", "-C", "0.1", "--save", str(model_file)])
    assert status == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert err == ["skdistill: error: OSError: [Errno 28] No space left on device"]
    assert model_file.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["model.skops"]


def test_stratification_error_names_the_cause(tmp_path):
    path = tmp_path / "tiny.csv"
    path.write_text("x,label\n1,a\n2,a\n3,b\n4,b\n5,c\n6,c\n")
    assert_usage_error(
        run_cli("--csv", path, "--target", "label"),
        "--test-size 0.3 leaves 2 test rows of 6 for 3 classes",
    )


def test_unexpected_errors_are_one_line(tmp_path):
    # a constant feature and two rows per class: the teacher's fit fails
    path = tmp_path / "constant.csv"
    path.write_text("x,label\n" + "".join(f"1,{c}\n" for c in "aabbccddee"))
    result = run_cli("--csv", path, "--target", "label", "--teacher-cv", "2",
                     "--test-size", "0.5")
    assert "Traceback" not in result.stderr
    # one training row per class: the advice is not "use at most 1"
    assert "out-of-fold targets need 2; leave --teacher-cv out" in result.stderr
    assert result.returncode in (0, 1, 2), result.stderr
    if result.returncode:
        errors = [line for line in result.stderr.splitlines() if "error" in line]
        assert len(errors) == 1 and errors[0].startswith("skdistill: error: ")


def test_a_search_whose_fits_all_failed_says_why(tmp_path, capsys):
    # 6 training rows, 3 folds: 4 rows per fold, fewer than the k-NN teacher's
    # 5 neighbours; the one-line error ends with the error every fit raised
    path = tmp_path / "ten.csv"
    path.write_text(
        "x,z,label\n"
        + "".join(f"{i},{i % 3},{'yes' if i < 5 else 'no'}\n" for i in range(10))
    )
    status = main(["--csv", str(path), "--target", "label", "--teacher", "knn",
                   "--grid", "--test-size", "0.4"])
    assert status == 1
    err = capsys.readouterr().err
    assert "Traceback" not in err
    errors = [line for line in err.splitlines() if "error" in line]
    assert len(errors) == 1
    assert errors[0].startswith("skdistill: error: ValueError: All the ")
    assert "fits failed. (ValueError: The teacher KNeighborsClassifier" in errors[0]
    assert "Expected n_neighbors <= n_samples_fit" in errors[0]


def test_target_values_spelled_like_missing_values_are_classes(tmp_path):
    # only an empty target cell is missing: "NA" and "None" are classes; in
    # the features, "NA" is a missing value (imputed)
    pd = pytest.importorskip("pandas")
    rng = np.random.RandomState(0)
    x = rng.standard_normal(240)
    frame = pd.DataFrame(
        {
            "x": x.astype(object),
            "z": rng.standard_normal(240),
            "region": np.where(x > 0.5, "EU", np.where(x < -0.5, "NA", "None")),
        }
    )
    frame.loc[:4, "x"] = "NA"
    path = _write_csv(tmp_path / "regions.csv", frame)
    with open(path, "a") as handle:
        handle.write("0.1,0.2,\n")  # an empty target cell
    result = run_cli("--csv", path, "--target", "region", "--json")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["classes"] == ["EU", "NA", "None"]
    assert report["n_train"] + report["n_test"] == 240
    assert "dropped 1 of 241 rows with a missing 'region'" in result.stderr
    assert "'x'" not in result.stderr  # numbers with missing values, no note


def test_model_of_an_embedded_data_set_takes_columns_by_name(tmp_path):
    pytest.importorskip("pandas")
    pytest.importorskip("skops.io")
    from sklearn.datasets import load_iris

    model_file = tmp_path / "iris.skops"
    result = run_cli("--dataset", "iris", "--save", model_file)
    assert result.returncode == 0, result.stderr
    iris = load_iris(as_frame=True)
    in_order = _write_csv(tmp_path / "in_order.csv", iris.data)
    reversed_csv = _write_csv(tmp_path / "reversed.csv", iris.data.iloc[:, ::-1])
    predictions = []
    for path in (in_order, reversed_csv):
        result = run_cli("predict", "--model", model_file, "--csv", path)
        assert result.returncode == 0, result.stderr
        predictions.append(result.stdout.splitlines()[1:])
    assert predictions[0] == predictions[1]
    assert np.mean(np.array(predictions[0], dtype=int) == iris.target) > 0.8
    # such a model has no imputer: a missing value is the user's to fill
    holes = iris.data.copy()
    holes.iloc[3, 1] = np.nan
    result = run_cli("predict", "--model", model_file, "--csv",
                     _write_csv(tmp_path / "holes.csv", holes))
    assert_usage_error(result, "has missing values (in 'sepal width (cm)')")


def test_search_failures_are_one_line_warnings(tmp_path):
    # a rare class: pruning's refit fails on some splits; stderr says so in
    # one line per warning, with the error, never a traceback
    pd = pytest.importorskip("pandas")
    rng = np.random.default_rng(1)
    x = rng.normal(size=(120, 3))
    y = np.where(rng.random(120) < 0.1, "fraud", "ok")
    path = _write_csv(
        tmp_path / "imbalanced.csv",
        pd.DataFrame({"a": x[:, 0], "b": x[:, 1], "c": x[:, 2], "label": y}),
    )
    result = run_cli(
        "search", "--csv", path, "--target", "label", "--students", "pruned",
        "--n-estimators", "20",
    )
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    warnings_ = [
        line for line in result.stderr.splitlines() if "warning:" in line
    ]
    assert warnings_ and all(
        line.startswith("skdistill: warning: ") for line in warnings_
    )
    assert any("fits failed" in line and "Error: " in line for line in warnings_)


@pytest.mark.parametrize(
    "n_rows, args, fragment",
    [
        (6, ["--grid"], "--grid (its 3 folds): even the largest class"),
        (12, ["search", "--cv", "7", "--students", "linear", "--n-estimators", "5"],
         "--cv 7: even the largest class"),
    ],
)
def test_too_few_rows_per_class_for_the_folds(
    tmp_path, capsys, n_rows, args, fragment
):
    rows = "\n".join(f"{i},{'yes' if i % 2 else 'no'}" for i in range(n_rows))
    path = tmp_path / "tiny.csv"
    path.write_text("x,label\n" + rows + "\n")
    command = args[:1] if args[0] == "search" else []
    with pytest.raises(SystemExit) as exc:
        main([*command, "--csv", str(path), "--target", "label", *args[len(command):]])
    assert exc.value.code == 2
    err = capsys.readouterr().err.strip().splitlines()[-1]
    assert fragment in err and "fewer than the" in err


def test_grid_progress_tells_the_students_alpha_from_the_distillers(capsys):
    status = main(
        ["--dataset", "iris", "--teacher", "knn", "--student", "ridge", "--grid",
         "--verbose"]
    )
    assert status == 0
    folds = [
        line for line in capsys.readouterr().err.splitlines()
        if "grid candidate" in line
    ]
    assert len(folds) == 18 * 3
    assert all(line.split(": fold ")[1][:3] in ("1/3", "2/3", "3/3") for line in folds)
    assert "alpha=0.0, T=1.0, student__alpha=0.1): fold 1/3" in folds[0]


@pytest.mark.parametrize(
    "dataset, student, T",
    [
        ("digits", "tree", 1.0),
        ("digits", "logistic", 4.0),
        # with three classes, softening mostly blurs the labels
        ("iris", "logistic", 1.0),
        ("iris", "tree", 1.0),
    ],
)
def test_temperature_default_depends_on_the_student_and_classes(
    dataset, student, T, capsys
):
    status = main(
        ["--dataset", dataset, "--teacher", "knn", "--student", student, "--json"]
    )
    assert status == 0
    assert json.loads(capsys.readouterr().out)["parameters"]["T"] == T


def test_drop_suggestion_is_quoted_for_the_shell(tmp_path, capsys):
    rows = "\n".join(f"{i},note number {i},{i % 2}" for i in range(150))
    path = tmp_path / "notes.csv"
    path.write_text("x,free text,label\n" + rows + "\n")
    with pytest.raises(SystemExit):
        main(["--csv", str(path), "--target", "label"])
    assert "--drop 'free text' or raise" in capsys.readouterr().err


def test_predict_reads_missing_values_of_features_as_training_did(tmp_path):
    # "NA" in a categorical feature is a missing value in training and at
    # predict alike (only the target's values are read as written)
    pd = pytest.importorskip("pandas")
    pytest.importorskip("skops.io")
    rng = np.random.RandomState(0)
    color = rng.choice(["red", "blue", "green", "NA"], 300)
    train = _write_csv(
        tmp_path / "train.csv",
        pd.DataFrame(
            {"x": rng.randn(300), "color": color,
             "label": np.where(color == "NA", "missing", color)}
        ),
    )
    model_file = tmp_path / "model.skops"
    result = run_cli(
        "--csv", train, "--target", "label", "--teacher", "forest",
        "--n-estimators", "20", "--student", "tree", "--save", model_file,
    )
    assert result.returncode == 0, result.stderr
    new = _write_csv(
        tmp_path / "new.csv",
        pd.DataFrame({"x": [0.0] * 4, "color": ["red", "blue", "green", "NA"]}),
    )
    result = run_cli("predict", "--model", model_file, "--csv", new)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[1:] == ["red", "blue", "green", "missing"]


def test_a_rare_class_does_not_stop_the_folds(tmp_path):
    # as StratifiedKFold: fewer rows than folds in one class is a warning
    rows = [f"{i},{'rare' if i < 3 else ('yes' if i % 2 else 'no')}" for i in range(60)]
    path = tmp_path / "rare.csv"
    path.write_text("x,label\n" + "\n".join(rows) + "\n")
    result = run_cli(
        "search", "--csv", path, "--target", "label", "--students", "linear",
        "--n-estimators", "5", "--cv", "5",
    )
    assert result.returncode == 0, result.stderr
    assert "skdistill: warning: UserWarning: The least populated class" in (
        result.stderr
    )


def test_csv_columns_are_the_headers_whatever_the_rows_end_with(tmp_path):
    # a separator ending every data row made pandas take the first values as
    # the index, shifting each value under the next column's name
    pytest.importorskip("pandas")
    from skdistill._cli_data import read_frame

    path = tmp_path / "trailing.csv"
    path.write_text("id,x,label\n0,0.5,yes,\n1,-0.7,no,\n")
    frame = read_frame(str(path), as_written=["label"])
    assert list(frame.columns) == ["id", "x", "label"]
    assert frame["id"].tolist() == [0, 1] and frame["label"].tolist() == ["yes", "no"]
    # a first value beyond the header's names is the row's name (R's
    # write.table), as pandas reads it
    path.write_text("a,b,label\n1,0.5,1,yes\n2,-0.7,2,no\n")
    frame = read_frame(str(path), as_written=["label"])
    assert frame["a"].tolist() == [0.5, -0.7] and frame["label"].tolist() == [
        "yes", "no"
    ]


@pytest.mark.parametrize("newline", ["\n", "\r\n"])
def test_one_column_csv_keeps_its_empty_rows(tmp_path, newline, capsys):
    # in a file of one column an empty line is a row with a missing value:
    # skipping it shifted every later prediction by one row
    pd = pytest.importorskip("pandas")
    pytest.importorskip("skops.io")
    from skdistill._cli_data import read_frame

    path = tmp_path / "new.csv"
    path.write_bytes(newline.join(["x", "0.5", "", "-0.7", "1.2", "", ""]).encode())
    frame = read_frame(str(path))
    assert frame["x"].isna().tolist() == [False, True, False, False]
    # a last value written as missing is a row; only blank lines are not
    ends_missing = tmp_path / "ends_missing.csv"
    ends_missing.write_bytes(newline.join(["x", "1.0", "NA", "", ""]).encode())
    assert read_frame(str(ends_missing))["x"].isna().tolist() == [False, True]
    rng = np.random.RandomState(0)
    x = rng.randn(200)
    train = _write_csv(
        tmp_path / "train.csv", pd.DataFrame({"x": x, "y": (x > 0).astype(int)})
    )
    model_file = tmp_path / "m.skops"
    assert main(["--csv", str(train), "--target", "y", "--save", str(model_file)]) in (
        0, None
    )
    capsys.readouterr()
    main(["predict", "--model", str(model_file), "--csv", str(path)])
    lines = capsys.readouterr().out.split()
    assert lines[0] == "prediction" and len(lines) == 5
    assert [lines[1], lines[3], lines[4]] == ["1", "0", "1"]


def test_an_empty_trailing_field_is_told_from_row_names(tmp_path):
    # pandas 3 with pyarrow warns of a header shorter than the rows for an
    # empty trailing field too (read as row names, every column shifted); row
    # names and a trailing separator together were a two-level row index
    pytest.importorskip("pandas")
    from skdistill._cli_data import read_frame

    path = tmp_path / "rows.csv"
    expected = {"a": [0.5, -0.7], "b": ["blue", "red"], "y": ["yes", "no"]}
    for content in (
        "a,b,y\n0.5,blue,yes,\n-0.7,red,no,\n",  # a trailing separator
        "a,b,y\nr1,0.5,blue,yes\nr2,-0.7,red,no\n",  # row names
        "a,b,y\nr1,0.5,blue,yes,\nr2,-0.7,red,no,\n",  # both
        "a,b,y\nr1,0.5,blue,yes,,\nr2,-0.7,red,no,,\n",  # and two
    ):
        path.write_text(content)
        frame = read_frame(str(path), as_written=["y"])
        assert {c: frame[c].tolist() for c in frame.columns} == expected, content
