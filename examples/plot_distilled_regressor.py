"""
================================================
Distilling a forest regressor into a small model
================================================

:class:`~skdistill.DistilledRegressor` fits its student with squared error on
``alpha * teacher.predict(X) + (1 - alpha) * y``: the teacher's predictions
are smoother targets than the noisy labels. Here a random forest teaches a
depth-3 decision tree (a dozen rules a person can read) on scikit-learn's
diabetes data, and we compare, over several random splits, the tree trained
on the labels (``alpha=0``) with the distilled ones, by test R² and by
agreement with the teacher (the R² of the student's predictions against the
teacher's).
"""

# %%
# Teacher, student and the weight of the teacher
# ----------------------------------------------
import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_diabetes
from sklearn.ensemble import RandomForestRegressor
from sklearn.frozen import FrozenEstimator
from sklearn.metrics import r2_score
from sklearn.model_selection import train_test_split
from sklearn.tree import DecisionTreeRegressor

from skdistill import DistilledRegressor

X, y = load_diabetes(return_X_y=True)
alphas = [0.0, 0.5, 0.8, 1.0]
scores = {a: [] for a in alphas}
fidelity = {a: [] for a in alphas}
teacher_scores = []
for seed in range(5):
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=0.3, random_state=seed
    )
    forest = RandomForestRegressor(
        n_estimators=100, min_samples_leaf=3, random_state=0
    ).fit(X_train, y_train)
    teacher_scores.append(forest.score(X_test, y_test))
    for alpha in alphas:
        # the fitted forest is reused for every alpha (FrozenEstimator)
        model = DistilledRegressor(
            FrozenEstimator(forest),
            DecisionTreeRegressor(max_depth=3, random_state=0),
            alpha=alpha,
        ).fit(X_train, y_train)
        scores[alpha].append(model.score(X_test, y_test))
        fidelity[alpha].append(r2_score(forest.predict(X_test), model.predict(X_test)))

print(f"teacher (forest): R2 {np.mean(teacher_scores):.3f} ± {np.std(teacher_scores):.3f}")
for alpha in alphas:
    print(
        f"tree, alpha={alpha}: R2 {np.mean(scores[alpha]):.3f} ± "
        f"{np.std(scores[alpha]):.3f}, agreement with the teacher "
        f"{np.mean(fidelity[alpha]):.3f}"
    )

# %%
# Test R² and agreement against alpha
# -----------------------------------
fig, ax = plt.subplots(figsize=(6, 4))
ax.errorbar(
    alphas, [np.mean(scores[a]) for a in alphas],
    yerr=[np.std(scores[a]) for a in alphas], marker="o", label="test R² (labels)",
)
ax.errorbar(
    alphas, [np.mean(fidelity[a]) for a in alphas],
    yerr=[np.std(fidelity[a]) for a in alphas], marker="s",
    label="R² against the teacher",
)
ax.axhline(np.mean(teacher_scores), color="k", ls="--", lw=1, label="teacher's test R²")
ax.set(xlabel="alpha (weight of the teacher)", ylabel="R²",
       title="Depth-3 tree distilled from a forest (5 splits)")
ax.legend(loc="lower right")
plt.show()
