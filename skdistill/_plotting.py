"""Displays: agreement of a student with its teacher, score against sparsity."""

import tempfile

import numpy as np
from scipy.special import softmax
from sklearn.base import clone, is_classifier
from sklearn.metrics import check_scoring
from sklearn.pipeline import Pipeline
from sklearn.utils.validation import check_consistent_length, check_is_fitted

from ._optional import import_optional
from ._targets import resolve_response_method
from ._teacher import teacher_response
from .metrics import _check_pair, fidelity_score

__all__ = ["AgreementDisplay", "SparsityCurveDisplay"]


def _import_pyplot(caller):
    """``matplotlib.pyplot``, or an ImportError that says what needs it."""
    return import_optional("matplotlib.pyplot", caller)


def _axes(ax, caller):
    plt = _import_pyplot(caller)
    if ax is None:
        _, ax = plt.subplots()
    return ax, ax.figure


def _teacher_proba(teacher, X, classes):
    """Teacher probabilities over ``classes``, aligned by label.

    ``predict_proba`` when the teacher has it, else the softmax of its
    decision function (a binary score ``s`` becomes the logits ``[0, s]``; a
    two-class ``OneVsOneClassifier``'s vote share ``[1 - s, s]``),
    as for the distillation targets at ``T=1``. Classes the teacher does not
    know get probability 0.
    """
    if not is_classifier(teacher) and not hasattr(teacher, "classes_"):
        raise TypeError(
            "AgreementDisplay compares class probabilities: the teacher must be a "
            f"fitted classifier; got {type(teacher).__name__}."
        )
    check_is_fitted(teacher)
    teacher_classes = np.asarray(teacher.classes_)
    # one-vs-one scores are refused, as by the distillers: never read by shape
    method = resolve_response_method(teacher, "auto", len(teacher_classes))
    # as the distillers ask it (a two-class one-vs-one vote share centred)
    output = np.asarray(teacher_response(teacher, X, method), dtype=np.float64)
    if method == "predict_proba":
        proba = output
    else:
        scores = output
        if scores.ndim == 1 or scores.shape[1] == 1:
            scores = scores.reshape(-1)
            scores = np.column_stack([np.zeros_like(scores), scores])
        proba = softmax(scores, axis=1)
    if proba.ndim != 2 or proba.shape[1] != len(teacher_classes):
        raise ValueError(
            f"The teacher's {method} returned shape {proba.shape} for "
            f"{len(teacher_classes)} classes; expected one column per class."
        )
    missing = np.setdiff1d(teacher_classes, classes)
    if missing.size:
        raise ValueError(
            f"The teacher knows classes {missing.tolist()} that the student does not "
            f"({np.asarray(classes).tolist()})."
        )
    # by label, in the student's order of classes (sorted or not)
    position = {label: k for k, label in enumerate(np.asarray(classes).tolist())}
    out = np.zeros((proba.shape[0], len(classes)))
    out[:, [position[label] for label in teacher_classes.tolist()]] = proba
    return out


class AgreementDisplay:
    """Student vs teacher probabilities: how closely a student follows its teacher.

    For every row, the teacher's probability of the class it predicts
    (its confidence, on the x axis) against the student's probability of that
    same class (y axis). Points on the diagonal are rows where the student
    reproduces the teacher's confidence; rows where the student predicts
    another class than the teacher are marked. The fidelity (fraction of
    rows where both predict the same class) is shown in the legend.

    It is recommended to create a display with :meth:`from_estimator` or
    :meth:`from_predictions`. Attributes are stored as given.

    Parameters
    ----------
    teacher_confidence : ndarray of shape (n_samples,)
        Teacher's probability of its predicted class.

    student_proba : ndarray of shape (n_samples,)
        Student's probability of the teacher's predicted class.

    agree : ndarray of bool, shape (n_samples,)
        Whether the student predicts the teacher's class.

    fidelity : float
        Fraction of rows where the student predicts the teacher's class.

    name : str, default=None
        Name of the student, for the legend.

    Attributes
    ----------
    scatter_ : matplotlib PathCollection
        All rows.

    disagree_scatter_ : matplotlib PathCollection or None
        The rows where the student predicts another class (``None`` when
        there are none).

    line_ : matplotlib Line2D or None
        The diagonal ``student = teacher``.

    ax_ : matplotlib Axes
        Axes with the plot.

    figure_ : matplotlib Figure
        Figure containing the plot.

    See Also
    --------
    skdistill.metrics.fidelity_score : The fidelity shown in the legend.
    skdistill.metrics.kl_divergence : Distance between the two distributions.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import matplotlib.pyplot as plt
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.ensemble import RandomForestClassifier
    >>> from sklearn.linear_model import LogisticRegression
    >>> from skdistill import DistilledClassifier
    >>> from skdistill._plotting import AgreementDisplay
    >>> X, y = load_iris(return_X_y=True)
    >>> clf = DistilledClassifier(
    ...     RandomForestClassifier(n_estimators=10, random_state=0),
    ...     LogisticRegression(max_iter=1000), alpha=0.9, T=2.0,
    ... ).fit(X, y)
    >>> display = AgreementDisplay.from_estimator(clf, X, name="logistic")
    >>> display.ax_.get_xlabel()
    "Teacher's probability of its predicted class"
    >>> plt.close("all")
    """

    def __init__(
        self, teacher_confidence, student_proba, agree, fidelity, *, name=None
    ):
        self.teacher_confidence = teacher_confidence
        self.student_proba = student_proba
        self.agree = agree
        self.fidelity = fidelity
        self.name = name

    def plot(self, *, ax=None, name=None, ref_line=True, **kwargs):
        """Plot the display.

        Parameters
        ----------
        ax : matplotlib Axes, default=None
            Axes to plot on; a new figure and axes are created when ``None``.

        name : str, default=None
            Name of the student in the legend; ``self.name`` when ``None``.

        ref_line : bool, default=True
            Draw the diagonal ``student = teacher``.

        **kwargs : dict
            Passed to :meth:`matplotlib.axes.Axes.scatter` for all rows.

        Returns
        -------
        display : AgreementDisplay
            The object, with ``ax_``, ``figure_`` and the artists set.
        """
        self.ax_, self.figure_ = _axes(ax, f"{type(self).__name__}.plot")
        name = self.name if name is None else name
        metric = f"fidelity = {self.fidelity:.3f}"
        label = f"{name} ({metric})" if name is not None else metric
        scatter_kwargs = {"s": 12, "alpha": 0.6, "label": label, **kwargs}
        self.line_ = None
        if ref_line:
            (self.line_,) = self.ax_.plot(
                [0, 1], [0, 1], "k:", label="student = teacher"
            )
        self.scatter_ = self.ax_.scatter(
            self.teacher_confidence, self.student_proba, **scatter_kwargs
        )
        disagree = ~np.asarray(self.agree, dtype=bool)
        self.disagree_scatter_ = None
        if disagree.any():
            self.disagree_scatter_ = self.ax_.scatter(
                np.asarray(self.teacher_confidence)[disagree],
                np.asarray(self.student_proba)[disagree],
                marker="x",
                color="tab:red",
                label=f"different class ({int(disagree.sum())} rows)",
            )
        self.ax_.set(
            xlabel="Teacher's probability of its predicted class",
            ylabel="Student's probability of the teacher's class",
            xlim=(-0.02, 1.02),
            ylim=(-0.02, 1.02),
            aspect="equal",
        )
        self.ax_.legend(loc="lower right")
        return self

    @classmethod
    def from_predictions(
        cls, p_teacher, p_student, *, sample_weight=None, name=None, ax=None,
        **kwargs,
    ):
        """Plot the agreement from the two models' class probabilities.

        Each model's predicted class is the argmax of its probabilities
        (:meth:`from_estimator` asks the models' ``predict``, which may differ,
        as an ``SVC``'s Platt-scaled probabilities do).

        Parameters
        ----------
        p_teacher : array-like of shape (n_samples, n_classes)
            Teacher's class probabilities; every row sums to 1.

        p_student : array-like of shape (n_samples, n_classes)
            Student's class probabilities, columns in the same order.

        sample_weight : array-like of shape (n_samples,), default=None
            Weights of the rows in the fidelity (the legend's and
            ``fidelity``); every row is drawn.

        name : str, default=None
            Name of the student in the legend.

        ax : matplotlib Axes, default=None
            Axes to plot on.

        **kwargs : dict
            Passed to :meth:`plot`.

        Returns
        -------
        display : AgreementDisplay

        Examples
        --------
        >>> import matplotlib
        >>> matplotlib.use("Agg")
        >>> import matplotlib.pyplot as plt
        >>> from skdistill._plotting import AgreementDisplay
        >>> display = AgreementDisplay.from_predictions(
        ...     [[0.9, 0.1], [0.2, 0.8], [0.6, 0.4]],
        ...     [[0.8, 0.2], [0.3, 0.7], [0.4, 0.6]],
        ... )
        >>> display.fidelity
        0.666...
        >>> display.ax_.get_legend().get_texts()[1].get_text()
        'fidelity = 0.667'
        >>> plt.close("all")
        """
        _import_pyplot(f"{cls.__name__}.from_predictions")
        p_teacher, p_student, sample_weight = _check_pair(
            p_teacher, p_student, sample_weight
        )
        rows = np.arange(p_teacher.shape[0])
        teacher_class = np.argmax(p_teacher, axis=1)
        student_class = np.argmax(p_student, axis=1)
        display = cls(
            teacher_confidence=p_teacher[rows, teacher_class],
            student_proba=p_student[rows, teacher_class],
            agree=teacher_class == student_class,
            fidelity=fidelity_score(
                teacher_class, student_class, sample_weight=sample_weight
            ),
            name=name,
        )
        return display.plot(ax=ax, **kwargs)

    @classmethod
    def from_estimator(
        cls, estimator, X, *, teacher=None, sample_weight=None, name=None, ax=None,
        **kwargs,
    ):
        """Plot the agreement of a fitted student with its teacher on ``X``.

        Parameters
        ----------
        estimator : fitted classifier
            The student, with ``predict_proba`` and ``classes_``: typically a
            fitted :class:`~skdistill.DistilledClassifier`.

        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Inputs (usually a test set).

        teacher : fitted classifier, default=None
            The teacher; ``estimator.teacher_`` when ``None`` (for a
            :class:`~sklearn.pipeline.Pipeline` ending in a distiller, the
            distiller's, asked about ``X`` as the pipeline's leading steps
            transform it; a ``teacher`` given for such a pipeline is asked
            about ``X`` itself). Its columns are
            aligned to ``estimator.classes_`` by label. A teacher without
            ``predict_proba`` (an SVC) contributes the softmax of its
            decision function, as for the distillation targets at ``T=1``.

        sample_weight : array-like of shape (n_samples,), default=None
            Weights of the rows in the fidelity (the legend's and
            ``fidelity``), as :func:`~skdistill.metrics.fidelity_score`
            weighs them; every row is drawn.

        name : str, default=None
            Name of the student in the legend; the class name of
            ``estimator`` when ``None``.

        ax : matplotlib Axes, default=None
            Axes to plot on.

        **kwargs : dict
            Passed to :meth:`plot`.

        Returns
        -------
        display : AgreementDisplay
        """
        _import_pyplot(f"{cls.__name__}.from_estimator")
        check_is_fitted(estimator)
        if not (hasattr(estimator, "classes_") and hasattr(estimator, "predict_proba")):
            # (before its teacher: a search fitted with refit=False has none
            # and cannot predict either)
            raise TypeError(
                f"{cls.__name__} compares class probabilities: the estimator must "
                f"be a classifier with predict_proba; got {type(estimator).__name__}."
            )
        X_teacher = X
        if teacher is None and isinstance(estimator, Pipeline):
            # the distiller at its end saw X through the leading steps
            teacher = getattr(estimator.steps[-1][1], "teacher_", None)
            if teacher is not None:
                X_teacher = estimator[:-1].transform(X)
        if teacher is None:
            teacher = getattr(estimator, "teacher_", None)
            if teacher is None:
                raise ValueError(
                    f"{type(estimator).__name__} has no fitted teacher_; pass the "
                    "fitted teacher as teacher=."
                )
        classes = np.asarray(estimator.classes_)
        p_teacher = _teacher_proba(teacher, X_teacher, classes)
        p_teacher, p_student, sample_weight = _check_pair(
            p_teacher, estimator.predict_proba(X), sample_weight
        )
        # the classes the two predict (a teacher's predict may differ from the
        # argmax of its probabilities: SVC's Platt scaling), as fidelity_score
        y_teacher = np.asarray(teacher.predict(X_teacher)).reshape(-1)
        y_student = np.asarray(estimator.predict(X)).reshape(-1)
        position = {label: k for k, label in enumerate(classes.tolist())}
        teacher_class = np.array([position[label] for label in y_teacher.tolist()])
        rows = np.arange(len(teacher_class))
        display = cls(
            teacher_confidence=p_teacher[rows, teacher_class],
            student_proba=p_student[rows, teacher_class],
            agree=y_teacher == y_student,
            fidelity=fidelity_score(y_teacher, y_student, sample_weight=sample_weight),
            name=type(estimator).__name__ if name is None else name,
        )
        return display.plot(ax=ax, **kwargs)


def _with_teacher_cache(sparsifier, cache):
    """The sparsifier with its distiller's teacher cached in ``cache``.

    The teacher's fit and outputs on the training rows do not depend on the
    sparsity: with the distiller's ``memory`` set, every point of the curve
    reuses one fitted teacher. A ``memory`` the user set is kept.
    """
    params = sparsifier.get_params(deep=True)
    if "estimator__teacher" in params and params.get("estimator__memory", 0) is None:
        return clone(sparsifier).set_params(estimator__memory=cache)
    return sparsifier


class SparsityCurveDisplay:
    """Score of a pruned model against its sparsity.

    It is recommended to create a display with :meth:`from_estimator`, which
    fits a :class:`~skdistill.SparsifyTransformer` at each requested sparsity.

    Parameters
    ----------
    sparsity : ndarray of shape (n_points,)
        Achieved fraction of zero coefficients of each pruned model.

    scores : ndarray of shape (n_points,)
        Test score of each pruned model.

    score_name : str, default="accuracy"
        Name of the score, the y-axis label.

    n_nonzero : ndarray of shape (n_points,), default=None
        Non-zero parameters of each pruned model (not plotted; for reference).

    name : str, default=None
        Name of the model in the legend.

    Attributes
    ----------
    line_ : matplotlib Line2D
        The curve, one marker per pruned model.

    ax_ : matplotlib Axes
        Axes with the plot.

    figure_ : matplotlib Figure
        Figure containing the plot.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import matplotlib.pyplot as plt
    >>> from skdistill._plotting import SparsityCurveDisplay
    >>> display = SparsityCurveDisplay([0.0, 0.5, 0.9], [0.97, 0.96, 0.90]).plot()
    >>> display.ax_.get_ylabel()
    'accuracy'
    >>> len(display.line_.get_xdata())
    3
    >>> plt.close("all")
    """

    def __init__(
        self, sparsity, scores, *, score_name="accuracy", n_nonzero=None, name=None
    ):
        self.sparsity = sparsity
        self.scores = scores
        self.score_name = score_name
        self.n_nonzero = n_nonzero
        self.name = name

    def plot(self, *, ax=None, name=None, **kwargs):
        """Plot the display.

        Parameters
        ----------
        ax : matplotlib Axes, default=None
            Axes to plot on; a new figure and axes are created when ``None``.

        name : str, default=None
            Name of the curve in the legend; ``self.name`` when ``None``
            (no legend when both are ``None``).

        **kwargs : dict
            Passed to :meth:`matplotlib.axes.Axes.plot`.

        Returns
        -------
        display : SparsityCurveDisplay
            The object, with ``ax_``, ``figure_`` and ``line_`` set.
        """
        self.ax_, self.figure_ = _axes(ax, f"{type(self).__name__}.plot")
        name = self.name if name is None else name
        line_kwargs = {"marker": "o", **kwargs}
        if name is not None:
            line_kwargs.setdefault("label", name)
        (self.line_,) = self.ax_.plot(self.sparsity, self.scores, **line_kwargs)
        self.ax_.set(
            xlabel="Sparsity (fraction of zero coefficients)",
            ylabel=self.score_name,
        )
        if name is not None:
            self.ax_.legend(loc="lower left")
        return self

    @classmethod
    def from_estimator(
        cls,
        estimator,
        X_train,
        y_train,
        X_test,
        y_test,
        *,
        sparsities=(0.0, 0.5, 0.8, 0.9, 0.95),
        scoring=None,
        name=None,
        ax=None,
        **kwargs,
    ):
        """Prune clones of ``estimator`` at each sparsity, score them, plot.

        Parameters
        ----------
        estimator : estimator
            A :class:`~skdistill.SparsifyTransformer` (cloned with each
            ``sparsity``), or a linear model / distilled model with a linear
            student, which is wrapped in ``SparsifyTransformer(estimator,
            sparsity=...)``. Unfitted: every clone is fitted on the training
            rows. The teacher of a distiller is fitted once and its outputs
            are reused at every sparsity (through the distiller's ``memory``,
            a temporary cache, unless ``memory`` is set).

        X_train, y_train : array-like
            Rows the pruned models are fitted on.

        X_test, y_test : array-like
            Rows they are scored on.

        sparsities : sequence of float, default=(0.0, 0.5, 0.8, 0.9, 0.95)
            Requested fractions of zero coefficients, in ``[0, 1)``.

        scoring : str or callable, default=None
            Scorer of the pruned model (``estimator_`` of the fitted
            ``SparsifyTransformer``), as in :func:`sklearn.metrics.check_scoring`;
            ``None`` uses its ``score`` method (accuracy for classifiers).

        name : str, default=None
            Name of the curve in the legend.

        ax : matplotlib Axes, default=None
            Axes to plot on.

        **kwargs : dict
            Passed to :meth:`plot`.

        Returns
        -------
        display : SparsityCurveDisplay
            The x axis is the sparsity each fit achieved (``sparsity_``).
        """
        _import_pyplot(f"{cls.__name__}.from_estimator")
        from .metrics import count_nonzero_parameters

        sparsities = np.asarray(sparsities, dtype=np.float64).reshape(-1)
        if sparsities.size == 0 or np.any((sparsities < 0) | (sparsities >= 1)):
            raise ValueError(
                f"sparsities must be a non-empty sequence of values in [0, 1); got "
                f"{sparsities.tolist()}."
            )
        check_consistent_length(X_train, y_train)
        check_consistent_length(X_test, y_test)
        if "sparsity" in estimator.get_params(deep=False) and hasattr(
            estimator, "estimator"
        ):
            # the curve's sparsities replace its threshold or max_features
            others = {
                name: None
                for name in ("threshold", "max_features")
                if estimator.get_params(deep=False).get(name) is not None
            }
            base = clone(estimator).set_params(**others)
        else:
            from ._sparsify import SparsifyTransformer

            base = SparsifyTransformer(estimator)
        achieved, scores, n_nonzero = [], [], []
        scorer = None
        with tempfile.TemporaryDirectory(prefix="skdistill-curve-") as cache:
            base = _with_teacher_cache(base, cache)
            for sparsity in sparsities:
                fitted = (
                    clone(base)
                    .set_params(sparsity=float(sparsity))
                    .fit(X_train, y_train)
                )
                pruned = fitted.estimator_
                if scorer is None:
                    scorer = check_scoring(pruned, scoring=scoring)
                scores.append(float(scorer(pruned, X_test, y_test)))
                achieved.append(float(getattr(fitted, "sparsity_", sparsity)))
                n_nonzero.append(count_nonzero_parameters(pruned))
        if scoring is None:
            score_name = "accuracy" if is_classifier(pruned) else "R2"
        else:
            score_name = scoring if isinstance(scoring, str) else "score"
        display = cls(
            np.asarray(achieved),
            np.asarray(scores),
            score_name=score_name,
            n_nonzero=np.asarray(n_nonzero),
            name=name,
        )
        return display.plot(ax=ax, **kwargs)
