"""
==========================================================
Tuning a distilled model with a grid search
==========================================================

:class:`~skdistill.DistilledClassifier` is an ordinary scikit-learn estimator,
so its distillation knobs, ``alpha`` (the weight of the teacher) and ``T`` (the
teacher's temperature), are tuned together with the student's own
hyper-parameters by :class:`~sklearn.model_selection.GridSearchCV`.

The teacher here is a random forest and the student a logistic regression.
Two details matter:

* a forest is nearly certain on its own training rows (its in-sample
  probabilities are almost one-hot), so the soft targets are computed out of
  fold with ``teacher_cv=5``;
* the teacher's work does not depend on ``alpha``, ``T`` or the student, so
  ``memory=`` caches it: for each of the grid search's training folds the
  forest and its out-of-fold outputs are computed once, not once per
  candidate.
"""

# %%
# Data and model
# --------------
import time
from shutil import rmtree
from tempfile import mkdtemp

import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_breast_cancer
from sklearn.ensemble import RandomForestClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV, StratifiedKFold, train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skdistill import DistilledClassifier

X, y = load_breast_cancer(return_X_y=True)
X_train, X_test, y_train, y_test = train_test_split(
    X, y, test_size=0.3, stratify=y, random_state=0
)

cache_dir = mkdtemp(prefix="skdistill_cache_")
model = make_pipeline(
    StandardScaler(),
    DistilledClassifier(
        RandomForestClassifier(n_estimators=50, min_samples_leaf=2, random_state=0),
        LogisticRegression(max_iter=1000),
        teacher_cv=5,
        memory=cache_dir,
    ),
)

# %%
# The grid
# --------
# Parameters of the distiller are reached through the pipeline step name
# (``distilledclassifier__``), those of the student one level deeper
# (``distilledclassifier__student__C``). ``alpha=0`` is the plain logistic
# regression fitted on the labels (``T`` then plays no role, so it is searched
# once), and the grid search also decides whether distillation helps at all.
Cs = [0.1, 1.0]
param_grid = [
    {
        "distilledclassifier__alpha": [0.0],
        "distilledclassifier__student__C": Cs,
    },
    {
        "distilledclassifier__alpha": [0.5, 0.9],
        "distilledclassifier__T": [1.0, 3.0],
        "distilledclassifier__student__C": Cs,
    },
]
search = GridSearchCV(
    model, param_grid, cv=StratifiedKFold(3, shuffle=True, random_state=0)
)
tic = time.perf_counter()
search.fit(X_train, y_train)
print(f"grid search: {len(search.cv_results_['params'])} candidates x 3 folds "
      f"in {time.perf_counter() - tic:.1f} s")
print("best parameters:", search.best_params_)
print(f"best cv accuracy: {search.best_score_:.3f}, "
      f"test accuracy: {search.score(X_test, y_test):.3f}")

# %%
# Cross-validated scores
# ----------------------
# One line per ``(C, T)`` pair, ``alpha`` on the x axis; the error bars are
# the standard deviation over the folds. Both lines of a given ``C`` start at
# the same ``alpha=0`` point, the plain logistic regression.
results = search.cv_results_
params = results["params"]


def cv_score(C, alpha, T):
    """Mean and std of the cv accuracy of one candidate."""
    for i, p in enumerate(params):
        if (
            p["distilledclassifier__student__C"] == C
            and p["distilledclassifier__alpha"] == alpha
            and (alpha == 0 or p["distilledclassifier__T"] == T)
        ):
            return results["mean_test_score"][i], results["std_test_score"][i]
    raise KeyError((C, alpha, T))


alphas = [0.0, 0.5, 0.9]
fig, ax = plt.subplots(figsize=(6, 4))
for C in Cs:
    for T, style in zip([1.0, 3.0], ["-", "--"]):
        mean, std = np.array([cv_score(C, alpha, T) for alpha in alphas]).T
        ax.errorbar(
            np.asarray(alphas) + (0.01 if T > 1 else 0.0),
            mean,
            yerr=std,
            linestyle=style,
            marker="o",
            capsize=3,
            label=f"C={C}, T={T}",
        )
ax.set_xlabel("alpha (weight of the teacher)")
ax.set_ylabel("mean cv accuracy")
ax.set_title("Forest -> logistic regression, 3-fold cv")
ax.legend()
fig.tight_layout()
plt.show()

# %%
# On this data the plain logistic regression (``alpha=0``) wins: the
# breast-cancer classes are almost linearly separable, and a forest teaches a
# linear model nothing it cannot learn from the labels. This is the answer a
# grid search that includes ``alpha=0`` is there to give; distillation pays off
# with transfer data or much smaller students (see the other examples).
#
# The cache
# ---------
# The cache directory holds one entry per (teacher parameters, training data)
# pair. It stays valid for as long as both are the same; it is safe to delete
# at any time (``joblib.Memory(cache_dir).clear()`` or removing the
# directory).
rmtree(cache_dir, ignore_errors=True)
