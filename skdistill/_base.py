"""Parts shared by the distilled classifier and regressor."""

import warnings
from numbers import Integral, Real

import numpy as np
from sklearn.base import BaseEstimator, MetaEstimatorMixin
from sklearn.frozen import FrozenEstimator
from sklearn.utils import check_random_state, get_tags
from sklearn.utils._param_validation import HasMethods, Interval, StrOptions
from sklearn.utils.metadata_routing import (
    MetadataRouter,
    MethodMapping,
    _routing_enabled,
    process_routing,
)
from sklearn.utils.validation import (
    _check_sample_weight,
    check_is_fitted,
    has_fit_parameter,
    validate_data,
)

from ._transfer import gaussian_noise, munge

_GENERATORS = {"munge": munge, "gaussian": gaussian_noise}


class _BaseDistiller(MetaEstimatorMixin, BaseEstimator):
    """Teacher handling, augmentation, routing and tags of the distillers."""

    _parameter_constraints = {
        "teacher": [HasMethods(["fit"])],
        "student": [HasMethods(["fit", "predict"])],
        "alpha": [Interval(Real, 0, 1, closed="both")],
        "teacher_cv": ["cv_object", None],
        "augment": [StrOptions({"munge", "gaussian"}), callable, None],
        "augment_size": [Interval(Real, 0, None, closed="neither")],
        "augment_params": [dict, None],
        "memory": [None, str, HasMethods(["cache"])],
        "n_jobs": [Integral, None],
        "random_state": ["random_state"],
    }

    def _validate_X(self, X, reset):
        allow_nan = get_tags(self).input_tags.allow_nan
        return validate_data(
            self,
            X,
            reset=reset,
            accept_sparse=["csr", "csc"],
            ensure_all_finite="allow-nan" if allow_nan else True,
        )

    def _validate_X_pair(self, X, reset):
        """The validated array for the student and the input for the teacher.

        A DataFrame is passed to the teacher as is, so that a teacher fitted
        on named columns keeps them.
        """
        X_array = self._validate_X(X, reset=reset)
        return X_array, (X if hasattr(X, "iloc") else X_array)

    def _split_params(self, sample_weight, fit_params):
        """Fit parameters for the teacher and sample weights for the student."""
        name = type(self).__name__
        if _routing_enabled():
            routed = process_routing(
                self, "fit", sample_weight=sample_weight, **fit_params
            )
            teacher_params = dict(routed.teacher.fit)
            student_params = dict(routed.student.fit)
            student_weight = student_params.pop("sample_weight", None)
            if student_params:
                raise TypeError(
                    f"{name} passes only sample_weight to the student; got "
                    f"{sorted(student_params)}."
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

    def _start_partial_fit(self, X, sample_weight):
        """Checks of a ``partial_fit`` call; validated X, teacher input, weights.

        Returns
        -------
        first_call : bool
        X : ndarray or sparse matrix
        X_teacher : array-like
        sample_weight : ndarray or None
        """
        first_call = not hasattr(self, "student_")
        if first_call:
            self._validate_params()
            if not isinstance(self.teacher, FrozenEstimator):
                raise ValueError(
                    "partial_fit needs a prefit teacher wrapped in "
                    "sklearn.frozen.FrozenEstimator; got "
                    f"{type(self.teacher).__name__}. Fit the teacher first."
                )
            check_is_fitted(self.teacher.estimator)
        X, X_teacher = self._validate_X_pair(X, reset=first_call)
        if sample_weight is not None:
            sample_weight = _check_sample_weight(sample_weight, X, dtype=np.float64)
        return first_call, X, X_teacher, sample_weight

    def _augmented_rows(self, X_teacher, n_samples):
        """Generated inputs for the teacher (None when ``augment`` is None).

        Returns
        -------
        X_new_teacher : array-like or None
            Generated rows, of the same kind as ``X_teacher``.
        X_new : ndarray or None
            The same rows validated for the student.
        """
        if self.augment is None:
            return None, None
        n_new = max(1, int(round(self.augment_size * n_samples)))
        generator = _GENERATORS.get(self.augment, self.augment)
        params = dict(self.augment_params or {})
        seed = check_random_state(self.random_state).randint(np.iinfo(np.int32).max)
        X_new = generator(X_teacher, n_samples=n_new, random_state=seed, **params)
        if X_new.shape[0] == 0 or X_new.shape[1] != X_teacher.shape[1]:
            raise ValueError(
                f"The augment generator returned shape {X_new.shape}; expected "
                f"(n, {X_teacher.shape[1]}) with n > 0."
            )
        X_new_array = self._validate_X(X_new, reset=False)
        return (X_new if hasattr(X_new, "iloc") else X_new_array), X_new_array

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
            teacher_tags.input_tags.sparse
            and student_tags.input_tags.sparse
            and self.augment is None
        )
        tags.input_tags.allow_nan = (
            teacher_tags.input_tags.allow_nan and student_tags.input_tags.allow_nan
        )
        return tags
