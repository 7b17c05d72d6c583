"""Command line: the printed table, the Markdown report and the plots."""

import os

from ._cli import write_atomically
from ._cli_models import TEACHERS


def to_builtin(value):
    """A JSON-serializable version of a NumPy scalar or array."""
    import numpy as np

    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    return value


def to_json(payload):
    """``payload`` as standard JSON text, indented.

    NumPy scalars and arrays are written as numbers and lists, and a number
    that is not finite (a NaN cross-validated score) as ``null``: JSON has
    no ``NaN`` nor ``Infinity``.
    """
    import json
    import math

    def standard(value):
        value = to_builtin(value)
        if isinstance(value, dict):
            return {key: standard(item) for key, item in value.items()}
        if isinstance(value, (list, tuple)):
            return [standard(item) for item in value]
        if isinstance(value, float) and not math.isfinite(value):
            return None
        return value

    return json.dumps(standard(payload), indent=2, allow_nan=False)


def _header(result):
    params = result["parameters"]
    header = (
        f"{result['dataset']}: teacher {TEACHERS[result['teacher']]}, students "
        f"{result['student_description']}; alpha={params['alpha']}"
    )
    if params["T"] is not None:
        header += f", T={params['T']}"
    extras = []
    if result["task"] == "regression":
        extras.append("regression")
    if params["augment"] != "none":
        extras.append(f"augment={params['augment']}")
    if params["teacher_cv"] is not None:
        extras.append(f"teacher_cv={params['teacher_cv']}")
    if params["sparsity"] is not None:
        achieved = result["sparsity_achieved"]
        extras.append(f"sparsity={params['sparsity']} (achieved {achieved:.3f})")
    return header + "".join(f", {e}" for e in extras)


def _best_line(result):
    best = result["best_params"]
    if best is None:
        return None
    cv_key = next(k for k in best if k.startswith("cv_"))
    shown = ", ".join(f"{k}={v}" for k, v in best.items() if k != cv_key)
    metric = cv_key[3:].replace("r2", "R2")
    return f"grid search best: {shown} (cv {metric} {best[cv_key]:.3f})"


def pickle_sizes_note():
    """A note that the sizes are pickle sizes when skops cannot be imported
    (:func:`~skdistill.metrics.serialized_size`'s ``"auto"``), else None."""
    from ._optional import optional_error

    message = optional_error("skops.io", "the size of the saved file")
    return None if message is None else f"the size of the model's pickle ({message})"


def format_result(result):
    """The table printed by the command line (header line, best parameters)."""
    from .metrics import format_report

    lines = [_header(result)]
    best = _best_line(result)
    if best is not None:
        lines.append(best)
    lines.append(format_report(result["report"]))
    note = pickle_sizes_note()
    if note is not None:
        lines.append(f"(bytes: {note})")
    return "\n".join(lines)


def report_image_path(path):
    """The path of the plot that ``--report path`` saves next to the report.

    ``<name>_agreement.png`` for the report ``<name>.md``.
    """
    return f"{os.path.splitext(os.fspath(path))[0]}_agreement.png"


def plot_agreement(model, X, teacher, path, dataset, task):
    """Save the student-vs-teacher plot of the test rows to ``path``."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    if task == "regression":
        fig, ax = plt.subplots()
        t, s = teacher.predict(X), model.predict(X)
        ax.scatter(t, s, s=12, alpha=0.6, label="test rows")
        low, high = min(t.min(), s.min()), max(t.max(), s.max())
        ax.plot([low, high], [low, high], "k--", lw=1, label="student = teacher")
        ax.set(xlabel="teacher prediction", ylabel="student prediction")
        ax.legend(loc="upper left")
    else:
        from ._plotting import AgreementDisplay

        display = AgreementDisplay.from_estimator(
            model, X, teacher=teacher, name="distilled student"
        )
        fig, ax = display.figure_, display.ax_
    ax.set_title(f"{dataset}: distilled student vs teacher (test set)")
    fig.savefig(path, dpi=100, bbox_inches="tight")
    plt.close(fig)


def write_markdown(result, path, model, X, teacher):
    """Write the report as Markdown to ``path`` (atomically), with its plot.

    The plot is saved next to the report as ``<name>_agreement.png`` when
    matplotlib can be imported; otherwise the report says why, and so does
    the note returned (``None`` with the plot).
    """
    from ._optional import missing_message

    from .metrics import format_report

    params = result["parameters"]
    lines = [f"# skdistill report: {result['dataset']}", ""]
    lines.append(f"- source: `{result['source']}`")
    if result["target"] is not None:
        lines.append(f"- target: `{result['target']}` ({result['task']})")
    lines.append(
        f"- rows: {result['n_train']} for training, {result['n_test']} for testing; "
        f"{result['n_features']} features ({result['n_features_encoded']} encoded)"
    )
    lines.append(f"- teacher: {TEACHERS[result['teacher']]}")
    lines.append(f"- student: {result['student_description']}")
    shown = {k: v for k, v in params.items() if v is not None and v is not False}
    lines.append(
        "- parameters: " + ", ".join(f"{k}={v}" for k, v in shown.items())
    )
    best = _best_line(result)
    if best is not None:
        lines.append(f"- {best}")
    lines += ["", "## Test set", "", format_report(result["report"], markdown=True)]
    lines += [
        "",
        "Fidelity: agreement with the teacher (fraction of equal labels, or the "
        "R2 of the student's predictions against the teacher's for a numeric "
        "target). Bytes: "
        + (pickle_sizes_note() or "size of the compressed skops file that ships "
           "the model")
        + ".",
    ]
    image = report_image_path(path)
    note = None
    try:
        plot_agreement(model, X, teacher, image, result["dataset"], result["task"])
    except ImportError as exc:
        note = missing_message("The report's plot", "matplotlib", exc)
        lines += ["", f"(No plot: {note})"]
    else:
        lines += [
            "",
            "## Student against teacher",
            "",
            # in angle brackets: a link to a name with spaces (CommonMark)
            f"![student against teacher](<{os.path.basename(image)}>)",
        ]
    write_atomically(path, "\n".join(lines) + "\n")
    return note
