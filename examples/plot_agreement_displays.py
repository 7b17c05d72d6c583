"""
==========================================================
How closely does the student follow its teacher? Displays
==========================================================

Accuracy alone does not say whether a student *behaves* like its teacher.
:class:`~skdistill.AgreementDisplay` plots, for every test row, the
teacher's confidence in the class it predicts against the student's
probability of that same class: points on the diagonal are rows where the
student reproduces the teacher, marked points are rows where it predicts
another class. :class:`~skdistill.SparsityCurveDisplay` prunes the student
at several sparsities and plots the test accuracy against the fraction of
zero coefficients; the teacher is fitted once for the whole curve.
"""

# %%
# A kernel SVM teacher and a logistic-regression student
# ------------------------------------------------------
# On scikit-learn's breast cancer data (30 features, two classes).
import matplotlib.pyplot as plt
from sklearn.datasets import load_breast_cancer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC

from skdistill import AgreementDisplay, DistilledClassifier, SparsityCurveDisplay

X, y = load_breast_cancer(return_X_y=True)
X = StandardScaler().fit_transform(X)
X_train, X_test, y_train, y_test = train_test_split(
    X, y, test_size=0.3, stratify=y, random_state=0
)
hard = DistilledClassifier(SVC(), LogisticRegression(max_iter=1000), alpha=0.0)
soft = DistilledClassifier(SVC(), LogisticRegression(max_iter=1000), alpha=0.9, T=2.0)
hard.fit(X_train, y_train)
soft.fit(X_train, y_train)

# %%
# Agreement with the teacher
# --------------------------
# The student trained on the labels alone (``alpha=0``) is confident where the
# teacher hesitates; the distilled one (``alpha=0.9``) follows the teacher's
# confidence more closely. The legend gives the fidelity, the fraction of
# rows where student and teacher predict the same class.
fig, axes = plt.subplots(1, 2, figsize=(10, 4.5), sharey=True)
AgreementDisplay.from_estimator(
    hard, X_test, teacher=hard.teacher_, name="labels only", ax=axes[0]
)
AgreementDisplay.from_estimator(
    soft, X_test, teacher=soft.teacher_, name="distilled", ax=axes[1]
)
axes[0].set_title("alpha=0 (labels only)")
axes[1].set_title("alpha=0.9, T=2 (distilled)")
fig.tight_layout()

# %%
# Accuracy against sparsity
# -------------------------
# Each point is a :class:`~skdistill.SparsifyTransformer` that prunes the
# distilled student to the given sparsity and refits it with the zeros held.
# The SVM teacher is fitted once and its outputs reused at every sparsity.
fig, ax = plt.subplots(figsize=(6, 4))
display = SparsityCurveDisplay.from_estimator(
    soft,
    X_train,
    y_train,
    X_test,
    y_test,
    sparsities=[0.0, 0.5, 0.8, 0.9],
    name="distilled logistic regression",
    ax=ax,
)
for s, score, n in zip(display.sparsity, display.scores, display.n_nonzero):
    print(f"sparsity {s:.2f}: accuracy {score:.3f}, {n} non-zero parameters")
plt.show()
