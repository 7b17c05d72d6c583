"""Parts shared by the distilled classifier and regressor."""

import contextlib
import functools
import warnings
from numbers import Integral, Real

import numpy as np
from scipy import sparse
from sklearn.base import BaseEstimator, MetaEstimatorMixin, is_classifier
from sklearn.ensemble import GradientBoostingClassifier, HistGradientBoostingClassifier
from sklearn.frozen import FrozenEstimator
from sklearn.pipeline import Pipeline
from sklearn.tree import BaseDecisionTree
from sklearn.utils import check_random_state, get_tags
from sklearn.utils._param_validation import HasMethods, Interval, StrOptions
from sklearn.utils.metadata_routing import (
    MetadataRequest,
    MetadataRouter,
    MethodMapping,
    _routing_enabled,
    get_routing_for_object,
    process_routing,
)
from sklearn.utils.validation import check_is_fitted, validate_data

from ._fitting import (
    accepts_nan,
    accepts_sample_weight,
    add_note,
    as_table,
    blame,
    check_2d,
    check_nan,
    check_sample_weight,
    contains_nan,
    innermost_step,
    n_rows,
    route_fit,
    score_request,
    weight_kwargs,
)
from ._frames import (
    column_kinds,
    frame_library,
    has_missing,
    is_dataframe,
    select_columns,
)
from ._transfer import _categorical_mask, gaussian_noise, has_sparse_columns, munge

_GENERATORS = {"munge": munge, "gaussian": gaussian_noise}

# The values n_jobs may take, as joblib reads them: 0 has no meaning
# (refused by parameter validation, not as an inner estimator's failure)
N_JOBS_CONSTRAINTS = [
    Interval(Integral, None, -1, closed="right"),
    Interval(Integral, 1, None, closed="left"),
    None,
]

# augment="auto": MUNGE rows, this many per training row, for tree students
# on tables of at most AUTO_MAX_ROWS rows (the user guide's figures: they gained
# on tables of up to 1,257 training rows; boosting lost on 2,100 and 7,000)
AUTO_AUGMENT_SIZE = 5.0
AUTO_MAX_ROWS = 1500


def _is_text_column(X):
    """Whether X is one column of texts or dicts (1-D, not numbers)."""
    dtype = getattr(X, "dtype", None)
    return (
        getattr(X, "ndim", None) == 1
        and dtype is not None
        and getattr(dtype, "kind", "O") in "OUST"
        and not sparse.issparse(X)
    )


def _tree_classifier(student):
    """Whether the student (a Pipeline's last step) is a tree classifier.

    A scikit-learn decision tree or gradient-boosted trees: the students that
    ``augment="auto"`` gives generated rows.
    """
    _, student = innermost_step(student)
    return is_classifier(student) and isinstance(
        student,
        (BaseDecisionTree, GradientBoostingClassifier, HistGradientBoostingClassifier),
    )


def _munge_ready(X):
    """Whether MUNGE can take X: dense, 2-D, numeric or categorical, finite."""
    if sparse.issparse(X) or getattr(X, "ndim", 2) != 2:  # not a text column
        return False
    if has_sparse_columns(X):  # a DataFrame of pandas sparse columns
        return False
    if is_dataframe(X):  # pandas or polars: numeric and categorical columns only
        # numbers (pandas' nullable Int64, Float64 among them)
        numeric = np.isin(column_kinds(X), ["i", "u", "f"])
        category = _categorical_mask(X, "from_dtype")  # as munge reads them
        if not np.all(numeric | category) or has_missing(X):
            return False
        X = np.asarray(select_columns(X, np.flatnonzero(numeric)), dtype=np.float64)
    X = np.asarray(X)
    return X.dtype.kind in "iuf" and bool(np.isfinite(X).all())


def resolve_augment(distiller, X):
    """The generator and size that ``distiller.fit(X, ...)`` uses.

    ``augment="auto"`` is MUNGE with ``AUTO_AUGMENT_SIZE`` rows per training
    row (or ``augment_size``) when the student is a tree classifier, ``alpha``
    is positive and X has at most ``AUTO_MAX_ROWS`` rows, dense, numeric or
    categorical and finite; otherwise no generated rows.

    Returns
    -------
    augment : str, callable or None
    augment_size : float or None
        None exactly when ``augment`` is None.
    """
    augment, size = distiller.augment, distiller.augment_size
    if augment is None:
        return None, None
    if augment == "auto":
        if (
            distiller.alpha > 0
            and _tree_classifier(distiller.student)
            and 2 <= n_rows(X) <= AUTO_MAX_ROWS
            and _munge_ready(X)
        ):
            return "munge", AUTO_AUGMENT_SIZE if size is None else size
        return None, None
    return augment, 1.0 if size is None else size


def draw_seed(random_state):
    """The generator's seed drawn from a distiller's ``random_state``."""
    return check_random_state(random_state).randint(np.iinfo(np.int32).max)


def generate_rows(distiller, X, augment, size, seed=None):
    """The rows ``augment`` generates from X for ``distiller`` (resolved already).

    They depend on X, ``augment``, ``size``, ``augment_params`` and
    ``random_state`` only (the same rows for every call with an int seed), or
    on ``seed``, the generator's seed, when given.
    """
    if augment in _GENERATORS and contains_nan(X):
        raise ValueError(
            f"augment={augment!r} generates rows from X, which has missing "
            "values; impute them before the distiller (the generated rows need "
            "complete ones) or set augment=None."
        )
    generator = _GENERATORS.get(augment, augment)
    # (a Python float: a numpy float16 size would overflow)
    n_new = max(1, int(round(float(size) * n_rows(X))))
    params = dict(distiller.augment_params or {})
    own = sorted({"n_samples", "random_state"} & set(params))
    if own:
        raise TypeError(
            f"augment_params may not set {own}: the distiller sets them (the "
            "number of rows from augment_size, the seed from random_state)."
        )
    if seed is None:
        seed = draw_seed(distiller.random_state)
    try:
        return generator(X, n_samples=n_new, random_state=seed, **params)
    except TypeError as exc:
        if augment not in _GENERATORS or "keyword argument" not in str(exc):
            raise
        raise TypeError(
            f"augment_params={params!r} are not options of augment={augment!r}: "
            f"{exc}. See skdistill.{generator.__name__} for its options."
        ) from exc
    except ValueError as exc:
        if augment not in _GENERATORS:  # the user's callable speaks for itself
            raise
        # the generator's own words, said to be about the distiller's setting
        raise ValueError(
            f"augment={augment!r} could not generate rows from X: {exc} Its "
            "options go in augment_params (e.g. augment_params="
            "{'categorical_features': [...]}), or set augment=None."
        ) from exc


def can_stream(distiller):
    """Whether ``partial_fit`` works: a frozen teacher and a student with it."""
    return isinstance(distiller.teacher, FrozenEstimator) and hasattr(
        distiller.student, "partial_fit"
    )


def undo_first_call_on_error(partial_fit):
    """Decorate ``partial_fit``: a call that fails removes the attributes it set.

    A failing first call (on its labels, the teacher or the student) leaves
    no half-fitted estimator behind, so the next call is a first call again,
    with the parameters as they are then. Later calls, like scikit-learn's,
    are not rolled back: they set no new attribute.
    """

    @functools.wraps(partial_fit)
    def wrapper(self, *args, **kwargs):
        before = set(vars(self))
        try:
            return partial_fit(self, *args, **kwargs)
        except BaseException:
            for name in set(vars(self)) - before:
                delattr(self, name)
            raise

    return wrapper


class _BaseDistiller(MetaEstimatorMixin, BaseEstimator):
    """Teacher handling, augmentation, routing and tags of the distillers."""

    _parameter_constraints = {
        "teacher": [HasMethods(["fit"])],
        # predict may appear once fitted (StackingClassifier without a
        # final_estimator); a student that is no classifier or regressor is
        # refused at fit (student_path)
        "student": [HasMethods(["fit"])],
        "alpha": [Interval(Real, 0, 1, closed="both")],
        "teacher_cv": ["cv_object", None],
        "augment": [StrOptions({"munge", "gaussian"}), callable, None],
        "augment_size": [Interval(Real, 0, None, closed="neither"), None],
        "augment_params": [dict, None],
        "memory": [None, str, HasMethods(["cache"])],
        "n_jobs": N_JOBS_CONSTRAINTS,
        "random_state": ["random_state"],
    }

    def _check_X(self, X, reset):
        """Check or set ``n_features_in_`` and ``feature_names_in_``; X unchanged.

        X is handed to the teacher and the student as given (like
        :class:`~sklearn.pipeline.Pipeline`): they validate it themselves. A
        list becomes an array and a sparse matrix other than CSR or CSC a CSR
        matrix, so that rows can be selected.
        """
        if isinstance(X, (str, bytes)):
            raise ValueError(
                "X is a single string; give an iterable of texts (e.g. a list of "
                "one text) or a table of rows."
            )
        X = as_table(X)
        if _is_text_column(X):
            # one text (or dict) per row, for a Pipeline that vectorizes it
            # (TfidfVectorizer, DictVectorizer): handed through, with no
            # feature count, as Pipeline does
            if reset:
                for name in ("n_features_in_", "feature_names_in_"):
                    self.__dict__.pop(name, None)
            elif hasattr(self, "n_features_in_"):
                check_2d(X)  # fitted on a table: scikit-learn's message
            return X
        check_2d(X)
        if sparse.issparse(X) and X.format not in ("csr", "csc"):
            X = X.tocsr()  # a format whose rows can be selected
        columns = getattr(X, "columns", None)
        if columns is not None and len({isinstance(c, str) for c in columns}) > 1:
            # column names of mixed types (strings and integers), which
            # scikit-learn's feature-name check refuses while the teacher and
            # the student may take them (XGBoost, LightGBM, a Pipeline): no
            # feature_names_in_, as Pipeline, and the count of features only
            if reset:
                self.n_features_in_ = X.shape[1]
                self.__dict__.pop("feature_names_in_", None)
            elif X.shape[1] != self.n_features_in_:
                raise ValueError(
                    f"X has {X.shape[1]} features, but {type(self).__name__} is "
                    f"expecting {self.n_features_in_} features as input."
                )
            return X
        validate_data(self, X, reset=reset, skip_check_array=True)
        return X

    def _check_sample_weight(self, sample_weight, X):
        return check_sample_weight(sample_weight, X)

    def _split_params(self, sample_weight, fit_params, X=None):
        """Fit parameters for the teacher, sample weights for the student, and
        the parameters of ``teacher_cv``'s ``split`` (``groups``; metadata
        routing only). With ``X``, weights routed to the student under an
        alias are checked as ``sample_weight`` is."""
        name = type(self).__name__
        if _routing_enabled():
            routed = route_fit(self, sample_weight, fit_params)
            teacher_params = dict(routed.teacher.fit)
            student_params = dict(routed.student.fit)
            student_weight = student_params.pop("sample_weight", None)
            if X is not None and student_weight is not sample_weight:
                student_weight = self._check_sample_weight(student_weight, X)
            if student_params:
                routes = not isinstance(
                    get_routing_for_object(self.student), MetadataRequest
                )
                raise TypeError(
                    f"{name} passes only sample_weight to the student; got "
                    f"{sorted(student_params)}."
                    + (
                        " The student routes them to what it wraps, under "
                        "these names: a Pipeline or meta-estimator student's "
                        "steps get the row weights when they request "
                        "sample_weight without an alias "
                        "(set_fit_request(sample_weight=True))."
                        if routes
                        else ""
                    )
                )
            splitter = routed.get("splitter")  # a router only (teacher_cv's split)
            split_params = {} if splitter is None else dict(splitter.split)
            return teacher_params, student_weight, split_params
        teacher_params = {}
        if sample_weight is not None:
            if accepts_sample_weight(self.teacher):
                teacher_params = weight_kwargs(self.teacher, sample_weight, "teacher")
            elif not isinstance(self.teacher, FrozenEstimator):
                warnings.warn(
                    f"The teacher {self.teacher!r} does not accept sample_weight; "
                    "it is fitted without it. The weights are used for the student.",
                    UserWarning,
                )
        return teacher_params, sample_weight, {}

    def _last_step_weight(self, student_weight):
        """The user's weights as the student's last step gets them.

        With metadata routing, a Pipeline student whose leading steps request
        ``sample_weight`` gets the weights, but a last step that declines them
        (``set_fit_request(sample_weight=False)``; a meta-estimator, such as
        :class:`QuantizedLinearModel`, whose estimator does not request them)
        is fitted without them, as ``Pipeline.fit`` would (the method's own
        row weights still apply).
        """
        if student_weight is None or not _routing_enabled():
            return student_weight
        if not isinstance(self.student, Pipeline):
            return student_weight  # already routed as it requests
        routing = get_routing_for_object(innermost_step(self.student)[1])
        if isinstance(routing, MetadataRequest):
            if routing.fit.requests.get("sample_weight") is False:
                return None
        elif not routing.consumes("fit", ["sample_weight"]):
            # a meta-estimator (QuantizedLinearModel, SparsifyTransformer)
            # whose estimator does not request them
            return None
        return student_weight

    def _start_partial_fit(self, X, sample_weight):
        """Checks of a ``partial_fit`` call: first call, X as given, weights.

        Returns
        -------
        first_call : bool
        X : array-like
        sample_weight : ndarray or None
        """
        first_call = not hasattr(self, "student_")
        if first_call:
            self._validate_params()
            with blame("teacher", self.teacher, "partial_fit"):
                check_is_fitted(self.teacher.estimator)
        X = self._check_X(X, reset=first_call)
        check_nan(X, self.teacher, self.student)
        if _routing_enabled() and sample_weight is not None:
            # the student's partial_fit request decides (the teacher is
            # frozen): unset or declined, scikit-learn's routing error
            routed = process_routing(self, "partial_fit", sample_weight=sample_weight)
            sample_weight = routed.student.partial_fit.get("sample_weight")
        return first_call, X, self._check_sample_weight(sample_weight, X)

    def _augmented_rows(self, X, seed=None):
        """Generated inputs for the teacher and the student (None without them).

        Sets ``augment_`` (``augment`` resolved on X) and the generator's seed
        (``seed``, or drawn from ``random_state``), with which a refit
        (:func:`~skdistill._classifier.soft_refit_set`) generates the same
        rows whatever ``random_state`` is. The generator receives X as given
        and returns rows of the same kind (a DataFrame keeps its columns and
        dtypes).
        """
        self.augment_, size = resolve_augment(self, X)
        if self.augment_ is None:
            return None
        if seed is None:
            seed = draw_seed(self.random_state)
        self._augment_seed = seed
        X_new = generate_rows(self, X, self.augment_, size, seed=seed)
        if is_dataframe(X) and frame_library(X_new) != frame_library(X):
            raise ValueError(
                f"The augment generator returned a {type(X_new).__name__} for a "
                f"{type(X).__name__} X of {frame_library(X)}; it must return rows "
                f"of X's kind (a {frame_library(X)} DataFrame with X's columns "
                "and dtypes)."
            )
        if hasattr(X, "iloc") and not hasattr(X_new, "iloc"):  # a pandas Series
            raise ValueError(
                f"The augment generator returned a {type(X_new).__name__} for a "
                f"pandas {type(X).__name__} X; it must return rows of X's kind "
                "(a pandas Series)."
            )
        if sparse.issparse(X_new) and not sparse.issparse(X):
            raise ValueError(
                f"The augment generator returned a sparse {type(X_new).__name__} "
                f"for a dense X ({type(X).__name__}); it must return rows of X's "
                "kind (X_new.toarray() for dense X)."
            )
        shape = tuple(getattr(X_new, "shape", None) or np.shape(X_new))
        # a table of n_features_in_ columns, or one column of texts (without)
        width = getattr(self, "n_features_in_", None)
        tail = () if width is None else (width,)
        if len(shape) != 1 + len(tail) or shape[0] == 0 or shape[1:] != tail:
            wanted = "(n,)" if width is None else f"(n, {width})"
            raise ValueError(
                f"The augment generator returned shape {shape}; expected "
                f"{wanted} with n > 0, rows of X's kind."
            )
        try:
            # a list of rows becomes an array, as X does
            X_new = self._check_X(X_new, reset=False)
        except ValueError as exc:
            add_note(
                exc,
                f"On the rows returned by augment={self.augment_!r}: they must "
                "have X's columns, in X's order.",
            )
            raise
        try:
            # as X is checked (its NaN were refused or accepted already)
            check_nan(X_new, self.teacher, self.student, infinity=True)
        except ValueError as exc:
            raise ValueError(
                f"The rows returned by augment={self.augment_!r} have missing "
                f"or infinite values: {exc}"
            ) from None
        return X_new

    @contextlib.contextmanager
    def _on_generated_rows(self):
        """Say in an error (the teacher's, on the generated rows) where they
        come from: a column of integer codes is generated as continuous."""
        try:
            yield
        except Exception as exc:
            if not isinstance(self.augment_, str):  # the user's own rows
                add_note(exc, f"On the rows returned by augment={self.augment_!r}.")
                raise
            given = self.augment != self.augment_
            given = f" (augment={self.augment!r})" if given else ""
            add_note(
                exc,
                f"On the rows generated by augment={self.augment_!r}{given}: a "
                "column of integer codes (categories) is generated as continuous "
                "values unless listed in augment_params={'categorical_features': "
                "[...]}; or set augment=None.",
            )
            raise

    @contextlib.contextmanager
    def _on_out_of_fold_rows(self):
        """Say in an error on the teacher's outputs on the user's rows that,
        with ``teacher_cv``, they come from the folds' clones (in a
        :class:`DistillationSearchCV` candidate, the split teacher whose
        precomputed outputs replace ``teacher_cv`` says which folds)."""
        cv = getattr(self.teacher, "_outputs_teacher_cv", self.teacher_cv)
        try:
            yield
        except ValueError as exc:
            if cv is not None:
                add_note(
                    exc,
                    f"These outputs are out of fold (teacher_cv={cv!r}): "
                    "each row's come from a clone of the teacher fitted on the "
                    "other folds, which never saw it.",
                )
            raise

    def get_metadata_routing(self):
        """Get metadata routing of this object.

        Returns
        -------
        routing : MetadataRouter
            ``fit`` routes to the teacher's and the student's ``fit``, and to
            the ``split`` of ``teacher_cv`` (e.g. ``groups`` for a
            :class:`~sklearn.model_selection.GroupKFold`); ``partial_fit``
            to the student's ``partial_fit`` (the teacher is frozen there);
            ``score`` takes the ``sample_weight`` it requests
            (``set_score_request``).
        """
        router = (
            MetadataRouter(owner=type(self).__name__)
            .add_self_request(score_request(self))
            .add(
                teacher=self.teacher,
                method_mapping=MethodMapping().add(caller="fit", callee="fit"),
            )
            .add(
                student=self.student,
                method_mapping=MethodMapping()
                .add(caller="fit", callee="fit")
                .add(caller="partial_fit", callee="partial_fit"),
            )
        )
        if hasattr(self.teacher_cv, "split"):  # a splitter may request groups
            router.add(
                splitter=self.teacher_cv,
                method_mapping=MethodMapping().add(caller="fit", callee="split"),
            )
        return router

    def _tags_teacher(self):
        """The teacher whose tags the distiller's read; one dropped after fit
        (None): the student, what the student takes."""
        return self.student if self.teacher is None else self.teacher

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        teacher = self._tags_teacher()
        teacher_tags = get_tags(teacher)
        student_tags = get_tags(self.student)
        tags.input_tags.sparse = (
            teacher_tags.input_tags.sparse
            and student_tags.input_tags.sparse
            and self.augment in (None, "auto")  # "auto" generates no sparse rows
        )
        tags.input_tags.allow_nan = (
            accepts_nan(teacher)
            and accepts_nan(self.student)
            # the generators need complete rows ("auto" skips X with NaN)
            and not (isinstance(self.augment, str) and self.augment in _GENERATORS)
        )
        # a precomputed kernel: cross-validation then cuts its rows and
        # columns, as for Pipeline and GridSearchCV
        tags.input_tags.pairwise = (
            teacher_tags.input_tags.pairwise or student_tags.input_tags.pairwise
        )
        return tags
