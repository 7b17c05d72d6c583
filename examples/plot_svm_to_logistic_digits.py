"""
=====================================================
Distilling an RBF SVM into a logistic regression
=====================================================

An RBF-kernel :class:`~sklearn.svm.SVC` keeps hundreds of support vectors and
evaluates a kernel against each of them for every prediction. A
:class:`~sklearn.linear_model.LogisticRegression` on the same 64 pixels is a
single matrix product. This example trains the logistic student twice on the
digits data: once on the hard labels only (``alpha=0``, plain supervised
training) and once distilled from the SVM teacher, and compares their accuracy
and their *fidelity*, the fraction of test images on which the student predicts
the teacher's label.

On digits, with all the labeled rows available, a well-regularized plain
logistic regression is about as good as the distilled one: this is an honest
baseline, not a showcase. Distillation pays off when the teacher can label more
inputs than there are labels (see
:ref:`sphx_glr_auto_examples_plot_munge_forest_compression.py`) or when the
student is much smaller than the teacher.
"""

# %%
# Data and teacher
# ----------------
# Pixels are scaled to ``[0, 1]``. The teacher is an RBF SVM; it has no
# ``predict_proba`` (``SVC(probability=True)`` is deprecated), so
# :class:`~skdistill.DistilledClassifier` uses its ``decision_function`` as
# logits.
import time

import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_digits
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.svm import SVC

from skdistill import DistilledClassifier
from skdistill.metrics import fidelity_score

X, y = load_digits(return_X_y=True)
X = X / 16.0
X_train, X_test, y_train, y_test = train_test_split(
    X, y, test_size=0.5, stratify=y, random_state=0
)

teacher = SVC(C=10.0).fit(X_train, y_train)
y_teacher = teacher.predict(X_test)
print(f"teacher: accuracy {teacher.score(X_test, y_test):.3f}, "
      f"{teacher.support_vectors_.shape[0]} support vectors")

# %%
# Hard labels vs distillation
# ---------------------------
# ``alpha`` is the weight of the teacher: ``alpha=0`` gives exactly
# ``LogisticRegression(...).fit(X_train, y_train)``. With the default
# ``decision_function_shape="ovr"`` the SVM's scores are vote counts plus a
# small confidence term, so they are already on the scale of logits; a
# temperature ``T < 1`` sharpens them.
students = {
    "hard labels\n(alpha=0)": DistilledClassifier(
        SVC(C=10.0), LogisticRegression(C=1.0, max_iter=2000), alpha=0.0
    ),
    "distilled\n(alpha=0.5, T=0.5)": DistilledClassifier(
        SVC(C=10.0), LogisticRegression(C=1.0, max_iter=2000), alpha=0.5, T=0.5
    ),
}

results = {}
for name, model in students.items():
    tic = time.perf_counter()
    model.fit(X_train, y_train)
    fit_time = time.perf_counter() - tic
    results[name] = {
        "accuracy": model.score(X_test, y_test),
        "fidelity": fidelity_score(y_teacher, model.predict(X_test)),
    }
    print(f"{name.replace(chr(10), ' ')}: accuracy {results[name]['accuracy']:.3f}, "
          f"fidelity {results[name]['fidelity']:.3f} (fit in {fit_time:.1f} s)")

# %%
# The fitted student is a genuine scikit-learn model: it can be used, pickled
# or exported on its own, without the teacher.
student = students["distilled\n(alpha=0.5, T=0.5)"].student_
print(type(student).__name__, student.coef_.shape)

# %%
# Accuracy and fidelity
# ---------------------
names = list(results)
x = np.arange(len(names))
width = 0.35
fig, ax = plt.subplots(figsize=(6, 4))
for i, metric in enumerate(["accuracy", "fidelity"]):
    values = [results[name][metric] for name in names]
    bars = ax.bar(x + (i - 0.5) * width, values, width, label=metric)
    ax.bar_label(bars, fmt="%.3f", padding=2, fontsize=8)
ax.axhline(teacher.score(X_test, y_test), color="k", linestyle="--",
           label="teacher accuracy")
ax.set_xticks(x, names)
ax.set_ylim(0.9, 1.02)
ax.set_ylabel("score on the test half")
ax.set_title("Logistic students of an RBF SVM (digits)")
ax.legend(loc="upper center", ncol=3, fontsize=8)
fig.tight_layout()
plt.show()

# %%
# Both students reach about the same accuracy, a few points below the SVM;
# distillation does not add information the labels did not already carry
# here. Try ``alpha`` and ``T`` in a grid search
# (:ref:`sphx_glr_auto_examples_plot_forest_grid_search.py`) rather than
# assuming one setting is best.
