"""
==========================================================
Choosing a student under a size budget
==========================================================

A boosted teacher is accurate but large. Which student keeps enough of its
accuracy for the smallest file: a logistic regression, a pruned one, a
shallow tree, a small network? :class:`~skdistill.DistillationSearchCV`
answers by trying them all, like :class:`~sklearn.model_selection.GridSearchCV`,
but fits the teacher only once per cross-validation split (and computes its
outputs there once) instead of once per candidate. For every candidate it
also measures what shipping it costs: the size of its student file, its
prediction time and its agreement with the teacher.

This example searches seven students of a gradient-boosting teacher on the
digits, plots accuracy against size with the frontier (the candidates that
no other candidate beats on accuracy, size and speed at once), and ships the
most accurate student under a 10 KB budget.
"""

# %%
# Data and teacher
# ----------------
import os
from tempfile import mkdtemp

import matplotlib.pyplot as plt
import pandas as pd
from sklearn.datasets import load_digits
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.tree import DecisionTreeClassifier
from sklearn.utils.validation import has_fit_parameter

from skdistill import DistillationSearchCV, FrontierDisplay, SparsifyTransformer
from skdistill.io import dump, load

X, y = load_digits(return_X_y=True)
X_train, X_test, y_train, y_test = train_test_split(
    X, y, test_size=0.25, stratify=y, random_state=0
)
teacher = HistGradientBoostingClassifier(max_iter=30, random_state=0)

# %%
# The candidates
# --------------
# ``student`` lists the kinds of model to compare; the other keys are the
# distiller's parameters (``alpha``, the weight of the teacher; ``T`` or
# ``teacher_cv`` could be searched too) and the students' own
# (``student__...``), searched per kind as in ``GridSearchCV``.
logistic = make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000))
pruned = make_pipeline(
    StandardScaler(),
    # keep the 10 features that matter most (of 64), then refit on them
    SparsifyTransformer(LogisticRegression(max_iter=1000), max_features=10),
    LogisticRegression(max_iter=1000),
)
tree = DecisionTreeClassifier(random_state=0)
mlp = make_pipeline(
    StandardScaler(),
    MLPClassifier(hidden_layer_sizes=(16,), max_iter=300, random_state=0),
)
param_grid = [
    {
        "student": [logistic],
        "student__logisticregression__C": [0.05, 0.5],
        "alpha": [0.9],
    },
    {"student": [pruned], "alpha": [0.9]},
    {"student": [tree], "student__max_depth": [5, 8, 12], "alpha": [0.9]},
]
# a classifier student is fitted on the teacher's soft targets through
# sample_weight, which MLPClassifier.fit takes from scikit-learn 1.7: with an
# older scikit-learn the network is left out (six students)
if has_fit_parameter(MLPClassifier(), "sample_weight"):
    param_grid.append({"student": [mlp], "alpha": [0.9]})
search = DistillationSearchCV(teacher, param_grid, cv=3, max_bytes=10_000)
search.fit(X_train, y_train)

# %%
# Every candidate, measured
# -------------------------
# ``cv_results_`` has the usual columns of a search plus the fidelity (the
# fraction of test rows where the student predicts the teacher's class), the
# size of the student file, its prediction time per 1,000 rows and its number
# of non-zero parameters. Prediction times are measurements on this machine.
columns = [
    "mean_test_score",
    "std_test_score",
    "mean_test_fidelity",
    "student_bytes",
    "student_latency_ms",
    "n_nonzero",
]
table = pd.DataFrame({c: search.cv_results_[c] for c in columns})


def kind(student):
    """The student's steps after the scaler, by class name."""
    if not hasattr(student, "steps"):
        return type(student).__name__
    return "+".join(type(step).__name__ for _, step in student.steps[1:])


table.insert(0, "student", [kind(p["student"]) for p in search.cv_results_["params"]])
table["frontier"] = table.index.isin(search.frontier_)
print(f"teacher accuracy (cross-validated): {search.teacher_score_:.3f}")
print(table.round(3).sort_values("student_bytes").to_string())

# %%
# The frontier
# ------------
# Accuracy against size, on a log scale. The labeled points are the
# frontier; the dashed line is the teacher's accuracy.
display = FrontierDisplay.from_search(search)
display.ax_.set_title("Students of a gradient-boosting teacher (digits)")
display.figure_.set_size_inches(8, 5)
plt.show()

# %%
# Ship the best student under 10 KB
# ---------------------------------
# ``best_estimator_`` is the most accurate candidate within ``max_bytes``,
# refitted on all training rows with the teacher fitted once on them. The
# shipped file holds only what predicts: the student and its preprocessing.
print("best under 10 KB:", search.best_params_)
folder = mkdtemp(prefix="skdistill_example_")
path = os.path.join(folder, "student.skops")
dump(search.best_estimator_, path, prediction_only=True)
shipped = load(path)
print(f"file size: {os.path.getsize(path)} bytes")
print(f"teacher test accuracy: {search.teacher_.score(X_test, y_test):.3f}")
print(f"shipped student test accuracy: {shipped.score(X_test, y_test):.3f}")
