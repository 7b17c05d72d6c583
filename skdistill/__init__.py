"""Knowledge distillation and model compression as scikit-learn estimators."""

from ._classifier import DistilledClassifier
from ._regressor import DistilledRegressor
from ._transfer import gaussian_noise, munge

__version__ = "0.1.0.dev0"

__all__ = [
    "DistilledClassifier",
    "DistilledRegressor",
    "__version__",
    "gaussian_noise", "munge"]
