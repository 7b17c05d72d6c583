"""Test configuration shared by every test module."""

import pytest
from threadpoolctl import threadpool_limits


@pytest.fixture(autouse=True, scope="session")
def _one_blas_thread():
    """One BLAS/OpenMP thread: the test problems are tiny and the CI machine has
    two cores, where idle BLAS threads only add contention."""
    with threadpool_limits(limits=1):
        yield
