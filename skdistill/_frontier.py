"""Pareto front of candidates: the most accurate for their size (and latency)."""

import numpy as np


def pareto_front(costs):
    """Indices of the rows of ``costs`` that no other row dominates.

    Every column is a cost to minimise (negate a score to maximise it). Row
    ``j`` dominates row ``i`` when it is no worse in every column and strictly
    better in at least one. Rows with a NaN are never on the front and never
    dominate another row. Identical rows do not dominate each other, so
    both stay on the front.

    Parameters
    ----------
    costs : array-like of shape (n_points, n_objectives)
        Costs of each point.

    Returns
    -------
    front : ndarray of int
        Sorted indices of the non-dominated rows.

    Examples
    --------
    >>> from skdistill._frontier import pareto_front
    >>> # (error, bytes): the third point is worse than the first in both
    >>> pareto_front([[0.10, 500], [0.05, 900], [0.12, 700]])
    array([0, 1])
    """
    costs = np.asarray(costs, dtype=np.float64)
    if costs.ndim != 2:
        raise ValueError(
            f"costs must be a 2-D array (n_points, n_objectives); got shape "
            f"{costs.shape}."
        )
    valid = ~np.isnan(costs).any(axis=1)
    candidates = np.flatnonzero(valid)
    points = costs[candidates]
    on_front = np.ones(len(candidates), dtype=bool)
    for k, point in enumerate(points):
        no_worse = np.all(points <= point, axis=1)
        better = np.any(points < point, axis=1)
        on_front[k] = not np.any(no_worse & better)
    return candidates[on_front]


def results_front(cv_results):
    """:func:`pareto_front` of a search's candidates, from its ``cv_results``.

    The score (``mean_test_score``, maximised) against ``student_bytes``
    (and ``student_latency_ms`` when present), both minimised, without the
    candidates that failed on some split (``n_failed_splits`` above 0: with
    a number as ``error_score`` their mean score counts that number; results
    without that count have a NaN ``mean_test_fidelity`` for them, and for a
    regressor's R² on one-row test splits) and those without a size (the
    search's -1 of a candidate that failed on every split).
    """
    scores = np.asarray(cv_results["mean_test_score"], dtype=np.float64)
    n_bytes = np.asarray(cv_results["student_bytes"], dtype=np.float64)
    costs = [-scores, np.where(n_bytes > 0, n_bytes, np.nan)]
    if "student_latency_ms" in cv_results:
        costs.append(np.asarray(cv_results["student_latency_ms"], dtype=np.float64))
    costs = np.column_stack(costs)
    failed = cv_results.get("n_failed_splits")
    if failed is not None:
        failed = np.asarray(failed, dtype=np.float64) > 0
    elif "mean_test_fidelity" in cv_results:
        failed = np.isnan(np.asarray(cv_results["mean_test_fidelity"], dtype=float))
    if failed is not None and failed.shape == scores.shape:
        costs[failed] = np.nan
    return pareto_front(costs)
