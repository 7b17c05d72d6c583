"""Knowledge distillation of a classifier teacher into a small student."""

import warnings
from numbers import Real

import numpy as np
from sklearn.base import (
    BaseEstimator,
    ClassifierMixin,
    MetaEstimatorMixin,
    _fit_context,
    clone,
)
from sklearn.frozen import FrozenEstimator
from sklearn.utils import get_tags
from sklearn.utils._param_validation import HasMethods, Interval, StrOptions
from sklearn.utils.metadata_routing import (
    MetadataRouter,
    MethodMapping,
    _raise_for_params,
    _routing_enabled,
    process_routing,
)
from sklearn.utils.metaestimators import available_if
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import (
    _check_sample_weight,
    check_is_fitted,
    column_or_1d,
    has_fit_parameter,
    validate_data,
)

from .linear_model._soft_logistic import _fit_logistic_regression_soft
from ._students import (
    fit_student,
    regressor_log_proba,
    regressor_logits,
    regressor_proba,
    student_path,
)
from ._targets import blend_targets, resolve_response_method, soften, teacher_logits


def _student_has(attr):
    """Check that the student (fitted if available) provides ``attr``.

    A regressor student provides every classifier method through the softmax
    of its predictions.
    """

    def check(self):
        student = getattr(self, "student_", self.student)
        return attr == "predict" or is_regressor_student(student) or hasattr(
            student, attr
        )

    return check


def is_regressor_student(student):
    """Whether ``student`` is fitted on log targets (regression path)."""
    return get_tags(student).estimator_type == "regressor"


def _expand_proba(proba, student_classes, classes):
    """Place a student's probability columns at their labels in ``classes``."""
    if len(student_classes) == len(classes):
        return proba
    out = np.zeros((proba.shape[0], len(classes)), dtype=proba.dtype)
    out[:, np.searchsorted(classes, student_classes)] = proba
    return out


class DistilledClassifier(ClassifierMixin, MetaEstimatorMixin, BaseEstimator):
    """Classifier distilled from a teacher into a small student.

    The teacher is fitted on ``(X, y)`` (or used as is when wrapped in
    :class:`~sklearn.frozen.FrozenEstimator`); its outputs, softened by the
    temperature ``T``, are blended with the hard labels, and the student is
    fitted on the result::

        Y = alpha * softmax(v / T) + (1 - alpha) * onehot(y)

    where ``v`` are the teacher's logits. Predictions come from the fitted
    student only.

    Read more in the :ref:`User Guide <user_guide>`.

    Parameters
    ----------
    teacher : classifier
        The large model. It must have ``predict_proba`` or
        ``decision_function``. An unfitted teacher is cloned and fitted on
        ``(X, y)``; a teacher wrapped in
        :class:`~sklearn.frozen.FrozenEstimator` is used as is.

    student : estimator
        The small model. A :class:`~sklearn.linear_model.LogisticRegression`
        with an L2 penalty (or none) is fitted exactly on the soft targets; any
        other classifier whose ``fit`` accepts ``sample_weight`` is fitted on
        rows repeated once per class, weighted by the target; a multi-output
        regressor is fitted on the row-centred log targets (logit matching).

    alpha : float, default=0.5
        Weight of the teacher in ``[0, 1]``. ``alpha=0`` is plain supervised
        training (exactly ``clone(student).fit(X, y)``); ``alpha=1`` is pure
        distillation. Note that some libraries use ``alpha`` for the weight of
        the hard labels instead.

    T : float, default=1.0
        Temperature applied to the teacher's logits only, ``T > 0``. ``T > 1``
        softens the teacher's distribution, ``T < 1`` sharpens it.

    teacher_response : {"auto", "predict_proba", "decision_function"}, \
            default="auto"
        Teacher output turned into logits. ``"auto"`` uses ``predict_proba``
        when the teacher has it, else ``decision_function``. Probabilities
        become ``log(max(p, 1e-12))``; a binary decision score ``s`` becomes
        the logits ``[0, s]``.

    Attributes
    ----------
    teacher_ : estimator
        The fitted teacher (the teacher itself when it is frozen).

    student_ : estimator
        The fitted student; all predictions come from it.

    classes_ : ndarray of shape (n_classes,)
        Sorted union of the labels in ``y`` and the teacher's ``classes_``.

    n_features_in_ : int
        Number of features seen during :term:`fit`.

    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of features seen during :term:`fit`. Defined only when `X`
        has feature names that are all strings.

    See Also
    --------
    sklearn.frozen.FrozenEstimator : Use a prefit teacher without refitting it.

    Notes
    -----
    This is Hinton et al.'s objective with the student-side temperature folded
    away: the student is trained at temperature 1 on the blend of the softened
    teacher and the labels. For a linear-softmax student this is exact up to
    the scaling of the penalty.

    A class the teacher does not know gets probability 0 in its targets.

    References
    ----------
    .. [1] G. Hinton, O. Vinyals and J. Dean, "Distilling the Knowledge in a
       Neural Network", NIPS Deep Learning Workshop, 2014.
    .. [2] J. Ba and R. Caruana, "Do Deep Nets Really Need to be Deep?",
       NIPS, 2014.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.ensemble import RandomForestClassifier
    >>> from sklearn.linear_model import LogisticRegression
    >>> from skdistill import DistilledClassifier
    >>> X, y = load_iris(return_X_y=True)
    >>> clf = DistilledClassifier(
    ...     RandomForestClassifier(n_estimators=50, random_state=0),
    ...     LogisticRegression(max_iter=1000), alpha=0.7, T=2.0,
    ... ).fit(X, y)
    >>> clf.predict(X[:3])
    array([0, 0, 0])
    >>> clf.student_
    LogisticRegression(max_iter=1000)
    """

    _parameter_constraints = {
        "teacher": [HasMethods(["fit"])],
        "student": [HasMethods(["fit", "predict"])],
        "alpha": [Interval(Real, 0, 1, closed="both")],
        "T": [Interval(Real, 0, None, closed="neither")],
        "teacher_response": [
            StrOptions({"auto", "predict_proba", "decision_function"})
        ],
    }

    def __init__(self, teacher, student, *, alpha=0.5, T=1.0, teacher_response="auto"):
        self.teacher = teacher
        self.student = student
        self.alpha = alpha
        self.T = T
        self.teacher_response = teacher_response

    def _validate_X(self, X, reset):
        allow_nan = get_tags(self).input_tags.allow_nan
        return validate_data(
            self,
            X,
            reset=reset,
            accept_sparse=["csr", "csc"],
            ensure_all_finite="allow-nan" if allow_nan else True,
        )

    def _split_params(self, sample_weight, fit_params):
        """Fit parameters for the teacher and the student's sample weights."""
        if _routing_enabled():
            routed = process_routing(
                self, "fit", sample_weight=sample_weight, **fit_params
            )
            teacher_params = dict(routed.teacher.fit)
            student_params = dict(routed.student.fit)
            student_weight = student_params.pop("sample_weight", None)
            if student_params:
                raise TypeError(
                    "DistilledClassifier passes only sample_weight to the "
                    f"student; got {sorted(student_params)}."
                )
            return teacher_params, student_weight
        teacher_params = {}
        if sample_weight is not None:
            if has_fit_parameter(self.teacher, "sample_weight"):
                teacher_params["sample_weight"] = sample_weight
            elif not isinstance(self.teacher, FrozenEstimator):
                warnings.warn(
                    f"The teacher {self.teacher!r} does not accept sample_weight; "
                    "it is fitted without it. The weights are used for the student.",
                    UserWarning,
                )
        return teacher_params, sample_weight

    @_fit_context(prefer_skip_nested_validation=False)
    def fit(self, X, y, sample_weight=None, **fit_params):
        """Fit the teacher (unless frozen), then the student on soft targets.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training inputs. A DataFrame is passed to the teacher as is (so a
            teacher fitted on named columns keeps them); the student receives
            the validated array.

        y : array-like of shape (n_samples,)
            Class labels.

        sample_weight : array-like of shape (n_samples,), default=None
            Weights of the rows, for the teacher and the student alike.

        **fit_params : dict
            Only with metadata routing enabled: parameters routed to the
            teacher's ``fit`` (and ``sample_weight`` to the student's).

        Returns
        -------
        self : object
            Fitted estimator.
        """
        _raise_for_params(fit_params, self, "fit")
        X_teacher = X
        X = self._validate_X(X, reset=True)
        if not hasattr(X_teacher, "iloc"):
            X_teacher = X
        y = column_or_1d(y, warn=True)
        if len(y) != X.shape[0]:
            raise ValueError(
                f"X has {X.shape[0]} samples but y has {len(y)}; they must match."
            )
        check_classification_targets(y)
        if sample_weight is not None:
            sample_weight = _check_sample_weight(sample_weight, X, dtype=np.float64)

        path = student_path(self.student)
        teacher = clone(self.teacher)
        method = resolve_response_method(teacher, self.teacher_response)
        frozen = isinstance(teacher, FrozenEstimator)
        labels = np.unique(y)
        if len(labels) < 2 and not frozen:
            raise ValueError(
                "DistilledClassifier needs samples of at least 2 classes in y; "
                f"got only one class: {labels.tolist()[0]!r}."
            )
        teacher_params, student_weight = self._split_params(sample_weight, fit_params)

        self.teacher_ = teacher.fit(X_teacher, y, **teacher_params)
        if not hasattr(self.teacher_, "classes_"):
            raise TypeError(
                f"The teacher {self.teacher!r} has no classes_ after fit; the "
                "teacher of a DistilledClassifier must be a classifier."
            )
        self.classes_ = np.union1d(labels, np.asarray(self.teacher_.classes_))
        if len(self.classes_) < 2:
            raise ValueError(
                "DistilledClassifier needs at least 2 classes; the labels and "
                f"the teacher know only {self.classes_.tolist()[0]!r}."
            )

        student = clone(self.student)
        if self.alpha == 0 and path != "regressor":
            # Plain supervised training: exactly clone(student).fit(X, y).
            kwargs = {} if student_weight is None else {"sample_weight": student_weight}
            self.student_ = student.fit(X, y, **kwargs)
            return self

        Y, student_weight = self._targets(X_teacher, y, method, student_weight)
        self.student_ = fit_student(student, path, X, Y, self.classes_, student_weight)
        return self

    def _targets(self, X_teacher, y, method, sample_weight):
        """Blended training targets and the student's row weights."""
        y_encoded = np.searchsorted(self.classes_, y)
        logits = teacher_logits(self.teacher_, X_teacher, self.classes_, method)
        Y, row_weight = blend_targets(soften(logits, self.T), y_encoded, self.alpha)
        if row_weight is not None:
            sample_weight = (
                row_weight if sample_weight is None else row_weight * sample_weight
            )
        return Y, sample_weight

    def _refit_student(self, X, y, coef_mask, sample_weight=None):
        """Refit ``student_`` on the same soft targets with coefficients fixed at 0.

        Used by :class:`~skdistill.SparsifyTransformer` to fine-tune a pruned
        student. Only students fitted by the soft-target logistic solver
        support it.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The training inputs given to :meth:`fit`.
        y : array-like of shape (n_samples,)
            The training labels given to :meth:`fit`.
        coef_mask : ndarray of bool, shape of ``student_.coef_``
            ``False`` marks the coefficients held at exactly zero.
        sample_weight : array-like of shape (n_samples,), default=None
            Row weights, as given to :meth:`fit`.

        Returns
        -------
        self : object
            With ``student_`` refitted.
        """
        check_is_fitted(self)
        if student_path(self.student) != "soft_logistic":
            raise NotImplementedError(
                f"The student {self.student!r} cannot be refitted with coefficients "
                "held at zero; only an L2 or unpenalized LogisticRegression can."
            )
        X_teacher = X
        X = self._validate_X(X, reset=False)
        if not hasattr(X_teacher, "iloc"):
            X_teacher = X
        y = column_or_1d(y)
        if sample_weight is not None:
            sample_weight = _check_sample_weight(sample_weight, X, dtype=np.float64)
        method = resolve_response_method(self.teacher_, self.teacher_response)
        Y, sample_weight = self._targets(X_teacher, y, method, sample_weight)
        if self.alpha == 0:
            # plain supervised training: the student's own classes and targets
            classes = self.student_.classes_
            Y = (np.asarray(y)[:, None] == classes[None, :]).astype(np.float64)
        else:
            classes = self.classes_
        self.student_ = _fit_logistic_regression_soft(
            clone(self.student), X, Y, classes,
            sample_weight=sample_weight, coef_mask=coef_mask,
        )
        return self

    def _student_X(self, X):
        check_is_fitted(self)
        return self._validate_X(X, reset=False)

    @available_if(_student_has("predict"))
    def predict(self, X):
        """Predict class labels with the student.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Input samples.

        Returns
        -------
        y : ndarray of shape (n_samples,)
            Predicted labels.
        """
        X = self._student_X(X)
        if is_regressor_student(self.student_):
            return self.classes_[np.argmax(regressor_logits(self.student_, X), axis=1)]
        return self.student_.predict(X)

    @available_if(_student_has("predict_proba"))
    def predict_proba(self, X):
        """Class probabilities of the student.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Input samples.

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
            Columns follow ``classes_``.
        """
        X = self._student_X(X)
        if is_regressor_student(self.student_):
            return regressor_proba(self.student_, X)
        proba = self.student_.predict_proba(X)
        return _expand_proba(proba, self.student_.classes_, self.classes_)

    @available_if(_student_has("predict_log_proba"))
    def predict_log_proba(self, X):
        """Logarithm of the student's class probabilities.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Input samples.

        Returns
        -------
        log_proba : ndarray of shape (n_samples, n_classes)
            Columns follow ``classes_``.
        """
        X = self._student_X(X)
        if is_regressor_student(self.student_):
            return regressor_log_proba(self.student_, X)
        log_proba = self.student_.predict_log_proba(X)
        if len(self.student_.classes_) == len(self.classes_):
            return log_proba
        with np.errstate(divide="ignore"):
            return np.log(_expand_proba(np.exp(log_proba), self.student_.classes_, self.classes_))

    @available_if(_student_has("decision_function"))
    def decision_function(self, X):
        """Decision function of the student.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Input samples.

        Returns
        -------
        scores : ndarray of shape (n_samples,) or (n_samples, n_classes)
            For a regressor student, its per-class logits (their difference in
            the binary case).
        """
        X = self._student_X(X)
        if is_regressor_student(self.student_):
            Z = regressor_logits(self.student_, X)
            return Z[:, 1] - Z[:, 0] if Z.shape[1] == 2 else Z
        if len(self.student_.classes_) != len(self.classes_):
            raise AttributeError(
                "decision_function is not available: the student was fitted on "
                f"{len(self.student_.classes_)} of the {len(self.classes_)} classes."
            )
        return self.student_.decision_function(X)

    def get_metadata_routing(self):
        """Get metadata routing of this object.

        Returns
        -------
        routing : MetadataRouter
            ``fit`` routes to the teacher's and the student's ``fit``.
        """
        return (
            MetadataRouter(owner=self)
            .add(
                teacher=self.teacher,
                method_mapping=MethodMapping().add(caller="fit", callee="fit"),
            )
            .add(
                student=self.student,
                method_mapping=MethodMapping().add(caller="fit", callee="fit"),
            )
        )

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        teacher_tags = get_tags(self.teacher)
        student_tags = get_tags(self.student)
        tags.input_tags.sparse = (
            teacher_tags.input_tags.sparse and student_tags.input_tags.sparse
        )
        tags.input_tags.allow_nan = (
            teacher_tags.input_tags.allow_nan and student_tags.input_tags.allow_nan
        )
        return tags
