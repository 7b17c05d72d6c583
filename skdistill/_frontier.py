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
