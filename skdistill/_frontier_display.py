"""Display: score against student size of a search's candidates, with the frontier."""

import numpy as np
from sklearn.base import is_classifier
from sklearn.utils.validation import check_is_fitted

from ._frontier import pareto_front, results_front
from ._plotting import _axes

__all__ = ["FrontierDisplay"]


def _student_name(student):
    """A short name of a student: its class, through pipelines and wrappers
    (a student written as text, by a JSON file of results: its name)."""
    if isinstance(student, str):
        return student.split("(", 1)[0].strip() or student
    if hasattr(student, "steps"):
        return "+".join(_student_name(step) for _, step in student.steps)
    inner = getattr(student, "estimator", None)
    if inner is None:  # a TransformedTargetRegressor's
        inner = getattr(student, "regressor", None)
    if inner is not None and hasattr(inner, "get_params"):
        return f"{type(student).__name__}({_student_name(inner)})"
    return type(student).__name__


def _format_value(value):
    if isinstance(value, float):
        return f"{value:g}"
    if hasattr(value, "get_params"):
        return _student_name(value)
    return repr(value) if isinstance(value, str) else str(value)


def describe_candidate(params):
    """A one-line label of a candidate's parameters.

    Parameters
    ----------
    params : dict
        A candidate of ``cv_results_["params"]``.

    Returns
    -------
    label : str
        The student's class, then the other parameters as ``name=value``
        (``student__`` dropped from the student's own parameters, unless the
        distiller has a parameter of that name: ``student__alpha`` of a
        Ridge student stays, next to the distiller's ``alpha``).

    Examples
    --------
    >>> from sklearn.tree import DecisionTreeClassifier
    >>> from skdistill._frontier_display import describe_candidate
    >>> describe_candidate({"student": DecisionTreeClassifier(),
    ...                     "student__max_depth": 3, "alpha": 0.5})
    'DecisionTreeClassifier max_depth=3 alpha=0.5'
    """
    from ._classifier import DistilledClassifier  # the distillers' own names
    from ._regressor import DistilledRegressor

    # a student's parameter named as one of the distiller's keeps its prefix
    own = set(DistilledClassifier._get_param_names())
    own |= set(DistilledRegressor._get_param_names())
    parts = []
    if "student" in params:
        parts.append(_student_name(params["student"]))
    for name in sorted(params, key=lambda n: (not n.startswith("student__"), n)):
        if name == "student":
            continue
        short = name
        if name.startswith("student__") and name[len("student__") :] not in own:
            short = name[len("student__") :]
        parts.append(f"{short}={_format_value(params[name])}")
    return " ".join(parts)


def _check_frontier(frontier, n_candidates):
    """``frontier`` as candidate indices, refused unless indices in range."""
    frontier = np.asarray(frontier)
    if frontier.dtype.kind == "b" or (
        frontier.size and frontier.dtype.kind not in "iu"
    ) or frontier.ndim != 1:
        raise ValueError(
            "frontier must be a 1-D sequence of candidate indices (integers), as "
            f"DistillationSearchCV.frontier_; got {frontier!r}."
        )
    if frontier.size and (frontier.min() < 0 or frontier.max() >= n_candidates):
        raise ValueError(
            f"frontier holds indices outside 0..{n_candidates - 1}: "
            f"{frontier.tolist()}."
        )
    return frontier.astype(np.intp)


class FrontierDisplay:
    """Score against student size: the accuracy-size frontier of a search.

    Every candidate of a :class:`~skdistill.DistillationSearchCV` is a point
    (student bytes on a log scale, mean test score); the candidates of the
    frontier (none beaten on score, size and latency at once) are
    highlighted and labeled, the accuracy-size staircase through them is
    drawn, and the teacher's score is a horizontal reference line.

    It is recommended to create a display with :meth:`from_search` or
    :meth:`from_results`. Attributes are stored as given.

    Parameters
    ----------
    scores : ndarray of shape (n_candidates,)
        Mean test score of each candidate.

    n_bytes : ndarray of shape (n_candidates,)
        Size of each candidate's student.

    frontier : ndarray of int
        Indices of the candidates on the frontier.

    labels : list of str, default=None
        Label of each candidate (those of the frontier are drawn).

    teacher_score : float, default=None
        The teacher's score, drawn as a reference line.

    score_name : str, default="score"
        Label of the y axis.

    Attributes
    ----------
    points_ : matplotlib PathCollection
        All the candidates.

    frontier_points_ : matplotlib PathCollection
        The frontier's candidates.

    frontier_line_ : matplotlib Line2D
        The staircase of the best score for a size.

    teacher_line_ : matplotlib Line2D or None
        The teacher's score.

    annotations_ : list of matplotlib Annotation
        Labels of the frontier's candidates.

    ax_ : matplotlib Axes

    figure_ : matplotlib Figure

    See Also
    --------
    DistillationSearchCV : The search whose results are drawn.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from skdistill import FrontierDisplay
    >>> display = FrontierDisplay.from_results(
    ...     {"mean_test_score": [0.90, 0.95, 0.93],
    ...      "student_bytes": [800, 5000, 9000],
    ...      "params": [{"alpha": 0.5}, {"alpha": 0.9}, {"alpha": 1.0}]},
    ...     teacher_score=0.97,
    ... )
    >>> display.frontier.tolist()
    [0, 1]
    """

    def __init__(
        self,
        *,
        scores,
        n_bytes,
        frontier,
        labels=None,
        teacher_score=None,
        score_name="score",
    ):
        self.scores = scores
        self.n_bytes = n_bytes
        self.frontier = frontier
        self.labels = labels
        self.teacher_score = teacher_score
        self.score_name = score_name

    def plot(
        self,
        *,
        ax=None,
        annotate=True,
        name=None,
        candidate_kwargs=None,
        teacher_kwargs=None,
        **kwargs,
    ):
        """Plot the candidates, the frontier and the teacher.

        Parameters
        ----------
        ax : matplotlib Axes, default=None
            Axes to plot on; a new figure when None.

        annotate : bool, default=True
            Label the frontier's candidates.

        name : str, default=None
            Label of the frontier in the legend (``"frontier"`` when None),
            e.g. to draw two searches on the same axes.

        candidate_kwargs : dict, default=None
            Keyword arguments of the candidates' ``scatter``, over its
            defaults.

        teacher_kwargs : dict, default=None
            Keyword arguments of the teacher's ``axhline``, over its
            defaults.

        **kwargs : dict
            Keyword arguments of the frontier's ``plot`` line.

        Returns
        -------
        display : FrontierDisplay
        """
        ax, figure = _axes(ax, "FrontierDisplay")
        scores = np.asarray(self.scores, dtype=np.float64)
        n_bytes = np.asarray(self.n_bytes, dtype=np.float64)
        frontier = np.asarray(self.frontier, dtype=np.intp)
        self.points_ = ax.scatter(
            n_bytes,
            scores,
            **{**({} if {"c", "color"} & set(candidate_kwargs or {}) else
                  {"color": "0.7"}),
               "s": 20, "label": "candidates", "zorder": 2,
               **(candidate_kwargs or {})},
        )
        self.frontier_points_ = ax.scatter(
            n_bytes[frontier], scores[frontier], color="C0", s=40, zorder=3
        )
        # the staircase of the best score at or below a size, through the
        # frontier's candidates that size alone does not beat
        front_2d = frontier[
            pareto_front(np.column_stack([-scores[frontier], n_bytes[frontier]]))
        ]
        front_2d = front_2d[np.argsort(n_bytes[front_2d])]
        label = "frontier" if name is None else name
        line_kwargs = {"color": "C0", "label": label, **kwargs}
        (self.frontier_line_,) = ax.plot(
            n_bytes[front_2d], scores[front_2d], drawstyle="steps-post", **line_kwargs
        )
        self.teacher_line_ = None
        if self.teacher_score is not None:
            self.teacher_line_ = ax.axhline(
                self.teacher_score,
                **{"color": "C3", "linestyle": "--", "label": "teacher",
                   **(teacher_kwargs or {})},
            )
        self.annotations_ = []
        if annotate and self.labels is not None:
            for i in frontier:
                self.annotations_.append(
                    ax.annotate(
                        self.labels[i],
                        (n_bytes[i], scores[i]),
                        xytext=(4, -10),
                        textcoords="offset points",
                        fontsize="x-small",
                    )
                )
        ax.set_xscale("log")
        ax.set_xlabel("student size (bytes)")
        ax.set_ylabel(self.score_name)
        ax.legend(loc="lower right")
        self.ax_ = ax
        self.figure_ = figure
        return self

    @classmethod
    def from_results(
        cls,
        cv_results,
        *,
        frontier=None,
        teacher_score=None,
        score_name="score",
        ax=None,
        annotate=True,
        **kwargs,
    ):
        """Plot from a search's ``cv_results_``.

        Parameters
        ----------
        cv_results : dict
            With ``mean_test_score``, ``student_bytes`` and ``params`` (and
            ``student_latency_ms`` and ``n_failed_splits`` for the
            frontier when ``frontier`` is not given), as
            :class:`~skdistill.DistillationSearchCV` stores them, or read
            back from a JSON or CSV file of them.

        frontier : array-like of int, default=None
            Indices of the frontier's candidates; by default the Pareto front
            of the score against ``student_bytes`` (and
            ``student_latency_ms`` when present), without the candidates
            that failed on some split (``n_failed_splits`` above 0, or,
            without that key, a NaN ``mean_test_fidelity``; a size of -1),
            as the search computes ``frontier_``.

        teacher_score : float, default=None
            The teacher's score, drawn as a reference line.

        score_name : str, default="score"
            Label of the y axis.

        ax : matplotlib Axes, default=None
            Axes to plot on.

        annotate : bool, default=True
            Label the frontier's candidates.

        **kwargs : dict
            Passed to :meth:`plot`: ``name``, ``candidate_kwargs``,
            ``teacher_kwargs``, and keyword arguments of the frontier's line.

        Returns
        -------
        display : FrontierDisplay
        """
        missing = [
            key for key in ("mean_test_score", "student_bytes") if key not in cv_results
        ]
        if missing:
            raise ValueError(
                f"cv_results has no {missing[0]!r}; pass the cv_results_ of a "
                "DistillationSearchCV."
            )
        scores = np.asarray(cv_results["mean_test_score"], dtype=np.float64)
        n_bytes = np.asarray(cv_results["student_bytes"], dtype=np.float64)
        if scores.shape != n_bytes.shape or scores.ndim != 1:
            raise ValueError(
                "cv_results['mean_test_score'] and cv_results['student_bytes'] "
                f"must be 1-D of the same length; got {scores.shape} and "
                f"{n_bytes.shape}."
            )
        n_candidates = len(scores)
        for key in ("student_latency_ms", "params"):
            if key in cv_results and len(cv_results[key]) != n_candidates:
                raise ValueError(
                    f"cv_results[{key!r}] has {len(cv_results[key])} entries for "
                    f"{n_candidates} candidates."
                )
        if frontier is None:
            frontier = results_front(cv_results)
        frontier = _check_frontier(frontier, n_candidates)
        labels = None
        if "params" in cv_results:
            # (a table read back from CSV holds each candidate's text)
            labels = [
                describe_candidate(p) if isinstance(p, dict) else str(p)
                for p in cv_results["params"]
            ]
        display = cls(
            scores=scores,
            n_bytes=n_bytes,
            frontier=frontier,
            labels=labels,
            teacher_score=teacher_score,
            score_name=score_name,
        )
        return display.plot(ax=ax, annotate=annotate, **kwargs)

    @classmethod
    def from_search(cls, search, *, ax=None, annotate=True, **kwargs):
        """Plot the candidates of a fitted :class:`~skdistill.DistillationSearchCV`.

        Parameters
        ----------
        search : DistillationSearchCV
            A fitted search.

        ax : matplotlib Axes, default=None
            Axes to plot on.

        annotate : bool, default=True
            Label the frontier's candidates.

        **kwargs : dict
            Passed to :meth:`plot`: ``name``, ``candidate_kwargs``,
            ``teacher_kwargs``, and keyword arguments of the frontier's line.

        Returns
        -------
        display : FrontierDisplay
        """
        check_is_fitted(search, "cv_results_")
        if not hasattr(search, "frontier_"):
            raise TypeError(
                f"search must be a fitted DistillationSearchCV; got "
                f"{type(search).__name__}, which has no frontier_. For another "
                "search, pass its cv_results_ (with student_bytes) to "
                "FrontierDisplay.from_results."
            )
        scoring = getattr(search, "scoring", None)
        if scoring is None:
            score_name = "accuracy" if is_classifier(search) else "R²"
        else:
            score_name = scoring if isinstance(scoring, str) else "score"
        return cls.from_results(
            search.cv_results_,
            frontier=search.frontier_,
            # no reference line for a teacher the scoring could not score
            teacher_score=(
                None if np.isnan(search.teacher_score_) else search.teacher_score_
            ),
            score_name=score_name,
            ax=ax,
            annotate=annotate,
            **kwargs,
        )
