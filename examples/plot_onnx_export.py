"""
==========================================
Exporting distilled models to ONNX
==========================================

Importing :mod:`skdistill.onnx` registers skl2onnx converters for every
skdistill estimator, so :func:`skl2onnx.to_onnx` exports them like any
scikit-learn model and onnxruntime runs them without scikit-learn:

- a :class:`~skdistill.DistilledClassifier` exports its student's graph only;
- a :class:`~skdistill.SparsifyTransformer` gathers the surviving columns,
  then applies the pruned model to them only;
- a :class:`~skdistill.QuantizedLinearModel` keeps its integer codes and
  codebook in the graph and dequantizes them at run time, so the ONNX file
  shrinks with the bit width.

This example checks each exported model against scikit-learn and compares
the file sizes.
"""

# %%
# Three models of one distillation
# --------------------------------
import matplotlib.pyplot as plt
import numpy as np
import onnxruntime as ort
import skl2onnx
from sklearn.datasets import load_digits
from sklearn.frozen import FrozenEstimator
from sklearn.ensemble import RandomForestClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

import skdistill.onnx  # noqa: F401 (registers the converters)
from skdistill import DistilledClassifier, SparsifyTransformer, quantize

X, y = load_digits(return_X_y=True)
X = StandardScaler().fit_transform(X).astype(np.float32)
X_train, X_test, y_train, y_test = train_test_split(
    X, y, test_size=0.3, stratify=y, random_state=0
)
distilled = DistilledClassifier(
    RandomForestClassifier(n_estimators=50, random_state=0),
    LogisticRegression(max_iter=1000),
    alpha=0.9,
    T=2.0,
).fit(X_train, y_train)
# magnitude pruning of the fitted model (no refit: FrozenEstimator)
pruned = SparsifyTransformer(FrozenEstimator(distilled), sparsity=0.8).fit(
    X_train, y_train
)
models = {
    "distilled": distilled,
    "distilled, 4 bits": quantize(distilled, n_bits=4),
    "pruned 80%": pruned,
    "pruned 80%, 4 bits": quantize(pruned, n_bits=4),
}

# %%
# Export, run with onnxruntime, compare
# -------------------------------------
sizes = {}
for name, model in models.items():
    onx = skl2onnx.to_onnx(model, X_train[:1], options={"zipmap": False})
    data = onx.SerializeToString()
    sizes[name] = len(data)
    session = ort.InferenceSession(data, providers=["CPUExecutionProvider"])
    labels, proba = session.run(None, {session.get_inputs()[0].name: X_test})
    same = np.mean(labels == model.predict(X_test))
    gap = np.abs(proba - model.predict_proba(X_test)).max()
    print(f"{name}: {len(data)} bytes, labels equal on {same:.1%} of the rows, "
          f"largest probability difference {gap:.1e}")

forest = skl2onnx.to_onnx(distilled.teacher_, X_train[:1], options={"zipmap": False})
print(f"the forest teacher: {len(forest.SerializeToString())} bytes")

fig, ax = plt.subplots(figsize=(6, 3.5))
ax.barh(list(sizes), list(sizes.values()))
ax.set(xlabel="ONNX file size (bytes)", title="Distilled student, exported to ONNX")
fig.tight_layout()
plt.show()
