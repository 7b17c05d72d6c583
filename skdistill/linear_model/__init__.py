"""Linear models fitted on probabilistic (soft) labels."""

from ._soft_logistic import SoftLogisticRegression, check_soft_targets

__all__ = ["SoftLogisticRegression", "check_soft_targets"]
