"""Knowledge distillation and model compression as scikit-learn estimators."""

import importlib

__version__ = "0.1.0.dev0"

# Public name -> the module that defines it. The modules are imported on first
# access (PEP 562 module ``__getattr__``), so that ``import skdistill`` (and
# ``skdistill --help``) does not import scikit-learn. To add a public name,
# add it here and to ``__all__``.
_LAZY = {
    "AgreementDisplay": "._plotting",
    "DistillationSearchCV": "._search",
    "DistilledClassifier": "._classifier",
    "DistilledRegressor": "._regressor",
    "FrontierDisplay": "._frontier_display",
    "QuantizedLinearModel": "._quantize",
    "SoftLogisticRegression": ".linear_model",
    "SparsifyTransformer": "._sparsify",
    "SparsityCurveDisplay": "._plotting",
    "check_soft_targets": ".linear_model",
    "gaussian_noise": "._transfer",
    "munge": "._transfer",
    "quantize": "._quantize",
    "resilient_dask_backend": "._dask_backend",
}


def __getattr__(name):
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module, __name__), name)
    globals()[name] = value
    return value


def __dir__():
    return sorted(set(globals()) | set(_LAZY))


__all__ = [
    "AgreementDisplay",
    "DistillationSearchCV",
    "DistilledClassifier",
    "DistilledRegressor",
    "FrontierDisplay",
    "QuantizedLinearModel",
    "SoftLogisticRegression",
    "SparsifyTransformer",
    "SparsityCurveDisplay",
    "__version__",
    "check_soft_targets",
    "gaussian_noise",
    "munge",
    "quantize",
    "resilient_dask_backend",
]
