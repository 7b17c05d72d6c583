"""Knowledge distillation and model compression as scikit-learn estimators."""

from ._classifier import DistilledClassifier
from ._plotting import AgreementDisplay, SparsityCurveDisplay
from ._quantize import QuantizedLinearModel, quantize
from ._regressor import DistilledRegressor
from ._sparsify import SparsifyTransformer
from ._transfer import gaussian_noise, munge
from .linear_model import SoftLogisticRegression, check_soft_targets

__version__ = "0.1.0.dev0"

__all__ = [
    "AgreementDisplay",
    "DistilledClassifier",
    "DistilledRegressor",
    "QuantizedLinearModel",
    "SoftLogisticRegression",
    "SparsifyTransformer",
    "SparsityCurveDisplay",
    "__version__",
    "check_soft_targets",
    "gaussian_noise",
    "munge",
    "quantize",
]
