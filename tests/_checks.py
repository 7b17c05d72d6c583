"""scikit-learn's estimator checks as a pytest parametrization that every supported
scikit-learn version and pytest version accept."""

import pytest
from sklearn.utils.estimator_checks import parametrize_with_checks as _sklearn_parametrize


def parametrize_with_checks(estimators, **kwargs):
    """:func:`sklearn.utils.estimator_checks.parametrize_with_checks`, with the
    checks collected into a list.

    scikit-learn 1.6 passes a generator to ``pytest.mark.parametrize``, which
    pytest deprecates (an error under this project's warning filters); later
    versions pass a list. Same arguments, same ids, same expected failures.
    """
    mark = _sklearn_parametrize(estimators, **kwargs).mark
    argnames, argvalues, *rest = mark.args
    return pytest.mark.parametrize(argnames, list(argvalues), *rest, **mark.kwargs)
