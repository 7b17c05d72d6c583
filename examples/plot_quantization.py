"""
=================================================
Quantizing a distilled model: accuracy and size
=================================================

:func:`~skdistill.quantize` stores the coefficients of a fitted linear model
(or of a distilled model's linear student, or of a pruned one) as ``n_bits``
integer codes with a small codebook, in a
:class:`~skdistill.QuantizedLinearModel` that still predicts with
scikit-learn's API. The teacher is not stored. This example measures the
test accuracy and the size of the file :func:`skdistill.io.dump` writes
(:func:`~skdistill.metrics.serialized_size`) for 1 to 8 bits, on a dense
and on a pruned student.
"""

# %%
# A distilled and a pruned student
# --------------------------------
import matplotlib.pyplot as plt
from sklearn.datasets import load_digits
from sklearn.frozen import FrozenEstimator
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC

from skdistill import DistilledClassifier, SparsifyTransformer, quantize
from skdistill.metrics import serialized_size

X, y = load_digits(return_X_y=True)
X = StandardScaler().fit_transform(X)
X_train, X_test, y_train, y_test = train_test_split(
    X, y, test_size=0.3, stratify=y, random_state=0
)
distilled = DistilledClassifier(
    SVC(), LogisticRegression(max_iter=1000), alpha=0.9, T=4.0
).fit(X_train, y_train)
# Magnitude pruning of the fitted model, without a refit (FrozenEstimator):
# fast, but it costs accuracy that a refit would recover (see the pruning
# example).
pruned = SparsifyTransformer(FrozenEstimator(distilled), sparsity=0.8).fit(
    X_train, y_train
)
students = {
    "dense student": distilled.student_,
    "80% pruned": pruned.estimator_.student_,
}
for name, student in students.items():
    print(f"{name}: accuracy {student.score(X_test, y_test):.3f}, "
          f"{serialized_size(student)} bytes")

# %%
# Accuracy and bytes per bit width
# --------------------------------
# Uniform codes keep the accuracy down to 3 or 4 bits; below that the grid is
# too coarse. The file shrinks with the bit width, and more so when the zeros
# of the pruned model need no code at all.
bits = [1, 2, 3, 4, 6, 8]
fig, (ax_acc, ax_size) = plt.subplots(1, 2, figsize=(10, 4))
for name, student in students.items():
    models = [quantize(student, n_bits=b) for b in bits]
    accuracy = [m.score(X_test, y_test) for m in models]
    size = [serialized_size(m) for m in models]
    for b, a, s in zip(bits, accuracy, size):
        print(f"{name}, {b} bits: accuracy {a:.3f}, {s} bytes")
    ax_acc.plot(bits, accuracy, marker="o", label=name)
    ax_size.plot(bits, size, marker="o", label=name)
    ax_size.axhline(serialized_size(student), ls="--", lw=1,
                    color=ax_size.lines[-1].get_color())
ax_acc.set(xlabel="bits per coefficient", ylabel="test accuracy")
ax_size.set(xlabel="bits per coefficient", ylabel="bytes (dashed: float64)")
ax_acc.legend(loc="lower right")
fig.tight_layout()

# %%
# The teacher stays behind
# ------------------------
# Quantizing the distilled model itself quantizes its student; the SVM is not
# part of the result.
q = quantize(distilled, n_bits=4)
print(type(q.estimator).__name__, "-", serialized_size(q), "bytes, accuracy",
      round(q.score(X_test, y_test), 3))
plt.show()
