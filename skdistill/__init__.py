"""Knowledge distillation and model compression as scikit-learn estimators."""

from ._classifier import DistilledClassifier
from ._regressor import DistilledRegressor
from ._transfer import gaussian_noise, munge
from .linear_model import SoftLogisticRegression, check_soft_targets

__version__ = "0.1.0.dev0"

__all__ = [
    "DistilledClassifier",
    "DistilledRegressor",
    "SoftLogisticRegression",
    "__version__",
    "check_soft_targets",
    "gaussian_noise",
    "munge",
]
