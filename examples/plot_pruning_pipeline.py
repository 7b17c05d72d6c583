"""
==================================================
Pruning a distilled logistic regression
==================================================

Distillation makes the model small in kind (a linear model instead of a
forest); pruning makes it small in size. :class:`~skdistill.SparsifyTransformer`
wraps a :class:`~skdistill.DistilledClassifier` whose student is a
:class:`~sklearn.linear_model.LogisticRegression`, sets coefficients to exactly
zero and refits the student on the same soft targets with the zeros held
fixed. By default (``method="auto"``) it chooses which coefficients among three
candidates (a support found along an L1 path, kept or refitted, and gradual
magnitude pruning), by cross-validation on the training rows;
``method="magnitude"`` prunes the coefficients of smallest magnitude. In a
:class:`~sklearn.pipeline.Pipeline` it is the last step and predicts with the
pruned model; as a transformer it keeps only the features that still have a
non-zero coefficient.

This example plots the test accuracy against the fraction of zero
coefficients: the default, and magnitude pruning with and without the refit
and with a gradual schedule.
"""

# %%
# Data, teacher and student
# -------------------------
import time
from shutil import rmtree
from tempfile import mkdtemp

import matplotlib.pyplot as plt
from sklearn.base import clone
from sklearn.datasets import load_breast_cancer
from sklearn.ensemble import RandomForestClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skdistill import DistilledClassifier, SparsifyTransformer

X, y = load_breast_cancer(return_X_y=True)
X_train, X_test, y_train, y_test = train_test_split(
    X, y, test_size=0.3, stratify=y, random_state=0
)

# The forest is fitted once and reused for every pruning level (cache).
cache_dir = mkdtemp(prefix="skdistill_cache_")
distilled = DistilledClassifier(
    RandomForestClassifier(n_estimators=50, min_samples_leaf=2, random_state=0),
    LogisticRegression(C=1.0, max_iter=1000),
    alpha=0.5,
    T=2.0,
    teacher_cv=5,
    memory=cache_dir,
)
pipe = make_pipeline(StandardScaler(), SparsifyTransformer(distilled, sparsity=0.8))
pipe.fit(X_train, y_train)
sparsifier = pipe[-1]
print(f"sparsity {sparsifier.sparsity_:.2f}: {sparsifier.n_features_} of "
      f"{X.shape[1]} features kept, test accuracy {pipe.score(X_test, y_test):.3f}")

# %%
# Accuracy against sparsity
# -------------------------
# The default chooses its sparse model by cross-validation (``method_`` says
# which). With ``method="magnitude"``, ``refit=False`` only zeroes the small
# coefficients (one-shot magnitude pruning); ``refit=True`` refits the student
# on the same blended targets with the pruned coefficients held at zero;
# ``n_steps=3`` reaches the sparsity gradually on the cubic schedule of Zhu &
# Gupta (2017), with a refit after each step.
sparsities = [0.0, 0.5, 0.8, 0.9, 0.95]
magnitude = dict(method="magnitude")
variants = {
    "default": {},
    "magnitude, no refit": dict(magnitude, refit=False),
    "magnitude + refit": dict(magnitude, refit=True),
    "gradual magnitude, 3 steps": dict(magnitude, refit=True, n_steps=3),
}
curves = {}
tic = time.perf_counter()
for name, params in variants.items():
    scores, achieved = [], []
    for sparsity in sparsities:
        model = clone(pipe).set_params(
            sparsifytransformer__sparsity=sparsity,
            **{f"sparsifytransformer__{k}": v for k, v in params.items()},
        )
        model.fit(X_train, y_train)
        achieved.append(model[-1].sparsity_)
        scores.append(model.score(X_test, y_test))
    curves[name] = (achieved, scores)
    print(name, [f"{s:.3f}" for s in scores])
print(f"{len(variants) * len(sparsities)} pruned models in "
      f"{time.perf_counter() - tic:.1f} s")

fig, ax = plt.subplots(figsize=(6, 4))
for (name, (achieved, scores)), marker in zip(curves.items(), "^osd"):
    ax.plot(achieved, scores, marker=marker, label=name)
ax.set_xlabel("sparsity (fraction of zero coefficients)")
ax.set_ylabel("test accuracy")
ax.set_title("Pruned distilled logistic regression (breast cancer)")
ax.legend(loc="lower left")
fig.tight_layout()
plt.show()

# %%
# Shipping the pruned model
# -------------------------
# ``estimator_`` is the pruned :class:`~skdistill.DistilledClassifier`; its
# ``student_`` is a plain :class:`~sklearn.linear_model.LogisticRegression`
# with exact zeros in ``coef_``, which is all that is needed at prediction time
# (together with the scaler). ``student_.sparsify()`` stores the coefficients
# as a :mod:`scipy.sparse` matrix.
student = sparsifier.estimator_.student_
print(type(student).__name__, "non-zero coefficients:",
      int((student.coef_ != 0).sum()), "of", student.coef_.size)
shipped = make_pipeline(pipe[0], student)
print(f"shipped model accuracy: {shipped.score(X_test, y_test):.3f}")

rmtree(cache_dir, ignore_errors=True)
