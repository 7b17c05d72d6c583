"""A joblib dask backend whose tasks carry their own data, so a lost worker loses nothing."""

__all__ = ["resilient_dask_backend"]


def _import_backend_class():
    """Return joblib's dask backend class, or raise a clear ImportError."""
    try:
        import distributed  # noqa: F401
        from joblib._dask import DaskDistributedBackend
    except ImportError as exc:  # pragma: no cover - exercised without dask only
        raise ImportError(
            "resilient_dask_backend needs dask.distributed: "
            "pip install 'skdistill[dask]'"
        ) from exc
    return DaskDistributedBackend


def _backend_class():
    DaskDistributedBackend = _import_backend_class()

    class ResilientDaskBackend(DaskDistributedBackend):
        """joblib's dask backend without automatic scattering of arguments.

        joblib's ``"dask"`` backend scatters every argument larger than 1 kB
        (``X``, ``y``, the cross-validation indices) to *one* worker and sends
        the tasks a reference to it. Scattered data has no recipe to
        recompute it: when that worker dies, every task that needs it fails
        with "lost dependencies", and ``retries`` cannot help. Here the
        arguments travel inside each task instead, so the scheduler holds
        everything a task needs and reruns the tasks of a lost worker on
        the others.
        """

        def start_call(self):
            super().start_call()
            # joblib scatters an argument only while this mapping exists.
            self.call_data_futures = None

        def stop_call(self):
            self.call_data_futures = {}
            super().stop_call()

        def get_nested_backend(self):
            return ResilientDaskBackend(client=self.client), -1

        def __reduce__(self):
            return (resilient_dask_backend, ())

    return ResilientDaskBackend


def resilient_dask_backend(client=None, **submit_kwargs):
    """A joblib backend that runs on a dask cluster and survives lost workers.

    Use it in place of joblib's ``"dask"`` backend::

        with joblib.parallel_config(backend=resilient_dask_backend(client)):
            search.fit(X, y)

    joblib's ``"dask"`` backend scatters large arguments (``X``, ``y``, the
    cross-validation indices) to a single worker, so the loss of that worker
    loses data that nothing can recompute and the whole search fails. With
    this backend the arguments are sent inside every task: the scheduler
    keeps the tasks of a worker that died and runs them again on the
    remaining (or restarted) workers, and the search ends with the same
    result as a local run. The price is that the data travels with each
    batch of tasks, which suits data of up to a few hundred megabytes; data
    larger than that belongs in a :mod:`dask.array` (see the user guide).

    Parameters
    ----------
    client : distributed.Client, default=None
        The client of the cluster; by default the current one
        (:func:`distributed.get_client`).
    **submit_kwargs : dict
        Passed to :meth:`distributed.Client.submit` for every batch of
        tasks, e.g. ``retries=2`` to rerun a batch that raised, or
        ``resources=...``.

    Returns
    -------
    backend : joblib.parallel.ParallelBackendBase
        An instance to pass as ``backend`` to :func:`joblib.parallel_config`.
    """
    return _backend_class()(client=client, **submit_kwargs)
