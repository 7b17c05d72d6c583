"""Linear models fitted on probabilistic (soft) labels."""

__all__ = []
