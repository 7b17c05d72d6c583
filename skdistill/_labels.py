"""Label checks of the classifier: unlabeled markers and frozen teachers' labels."""

import sys
import warnings
from numbers import Number

import numpy as np


def is_nan(value):
    return isinstance(value, Number) and value != value


def is_missing(value):
    """Whether ``value`` is a missing label: None, NaN or pandas' ``NA``."""
    # pandas' NA is recognised by its type's name: pandas is optional
    return value is None or is_nan(value) or type(value).__name__ == "NAType"


def missing_labels(y):
    """Mask of the rows of the 1-D ``y`` whose label is missing."""
    y = np.asarray(y)
    if y.dtype.kind == "f":
        return np.isnan(y)
    if y.dtype.kind != "O":
        return np.zeros(len(y), dtype=bool)
    pd = sys.modules.get("pandas")  # labels from pandas: its vectorised test
    if pd is not None:
        return np.asarray(pd.isna(y), dtype=bool)
    return np.fromiter((is_missing(v) for v in y), dtype=bool, count=len(y))


def labeled_mask(y, unlabeled):
    """Mask of the rows of the 1-D ``y`` that have a label.

    ``unlabeled=None``: every row. A missing value (``np.nan`` or
    ``pd.NA``): the rows whose label is not missing (NaN, None or ``pd.NA``,
    whichever marks them). Any other value: the rows not equal to it.
    Missing labels left are refused, with the setting that marks them.
    """
    missing = missing_labels(y)
    if unlabeled is not None and is_missing(unlabeled):
        return ~missing
    labeled = np.ones(len(y), dtype=bool)
    if unlabeled is not None:
        present = ~missing  # pandas' NA cannot be compared
        try:
            with warnings.catch_warnings():
                # numpy < 2 warns where a marker of another type (a string
                # among numbers) is unequal to every label, as numpy 2 says
                warnings.simplefilter("ignore", FutureWarning)
                warnings.simplefilter("ignore", DeprecationWarning)
                labeled[present] = np.asarray(y[present] != unlabeled, dtype=bool)
        except (TypeError, ValueError) as exc:  # incomparable types
            raise ValueError(
                f"unlabeled={unlabeled!r} cannot be compared with the labels of "
                f"dtype {y.dtype}."
            ) from exc
    check_no_missing_labels(missing & labeled)
    if unlabeled is not None and labeled.all() and len(y):
        kind, marker_kind = label_kind(y), label_kind([unlabeled])
        if "mixed" not in (kind, marker_kind) and kind != marker_kind:
            # "-1" among integer labels: no row would be unlabeled, and the
            # marker, meant to be one, would silently become a class
            raise ValueError(
                f"unlabeled={unlabeled!r} is a {marker_kind} but the labels in y "
                f"are {kind}s, so it can mark no row. Give the marker as a "
                f"{kind}, as it appears in y."
            )
    return labeled


def numbers_with_missing_labels(y, labeled):
    """``y`` as numbers with NaN where a missing label (None, ``pd.NA``) made
    an object array of numbers; ``y`` itself otherwise.

    numpy reads ``[0, None, 2]`` as objects, which scikit-learn refuses as
    labels ("unknown" type), and ``[0, nan, 2]`` as floats: both mark the
    same missing label, so they are read alike (float classes). Integers
    that float64 cannot hold exactly stay as they are.
    """
    if y.dtype != object or labeled.all() or not labeled.any():
        return y
    values = y[labeled]
    if any(isinstance(value, (str, bytes, bool, np.bool_)) for value in values):
        return y
    try:
        numbers = np.asarray(values.tolist())
    except (TypeError, ValueError):
        return y
    if numbers.ndim != 1 or numbers.dtype.kind not in "iuf":
        return y
    as_float = numbers.astype(np.float64)
    if numbers.dtype.kind in "iu" and not np.array_equal(
        as_float.astype(numbers.dtype), numbers
    ):
        return y
    out = np.full(len(y), np.nan)
    out[labeled] = as_float
    return out


MISSING_LABELS_REMEDY = (
    "Set unlabeled=np.nan to use those rows as unlabeled (they get the "
    "teacher's targets only), or drop them."
)


def check_no_missing_labels(missing, remedy=MISSING_LABELS_REMEDY):
    """Raise, counting them and saying ``remedy``, if ``missing`` has a row.

    ``missing`` is a mask of rows, or their number.
    """
    n_missing = (
        int(missing) if np.ndim(missing) == 0 else int(np.count_nonzero(missing))
    )
    if n_missing:
        raise ValueError(
            f"y has {n_missing} missing label(s) (NaN, None or pd.NA). {remedy}"
        )


def label_kind(labels):
    """"number", "string" or "mixed": what kind of values ``labels`` holds."""
    labels = np.asarray(labels)
    if labels.dtype.kind in "biuf":
        return "number"
    if labels.dtype.kind in "US":
        return "string"
    if all(isinstance(v, str) for v in labels):
        return "string"
    if all(isinstance(v, Number) for v in labels):
        return "number"
    return "mixed"


def check_label_overlap(labels, teacher_classes, name="y", unlabeled=None):
    """Refuse labels that a frozen teacher cannot have produced.

    The labels and the teacher's ``classes_`` must be of the same kind
    (numbers or strings) and share at least one label; a partial overlap is
    allowed (``classes_`` is their union, a class the teacher does not know
    gets probability 0 in its targets), with a warning when each side has
    labels the other lacks (the sign of another encoding of the classes).

    The ``unlabeled`` marker must not be one of the teacher's classes: the
    teacher would predict it, and the distiller would learn it as a class.

    Raises
    ------
    ValueError
        If the kinds differ, no label is shared, or the teacher knows the
        ``unlabeled`` marker as a class.
    """
    labels = np.asarray(labels)
    try:
        teacher_classes = np.asarray(teacher_classes)
    except ValueError:  # one array per output: refused where outputs are read
        return
    if teacher_classes.ndim != 1:
        return
    if unlabeled is not None and len(teacher_classes):
        if any(_is_marker(c, unlabeled) for c in teacher_classes.tolist()):
            raise ValueError(
                f"The frozen teacher's classes_ {teacher_classes[:5].tolist()} "
                f"include the unlabeled marker {unlabeled!r}: it was trained with "
                "the marker as a class, and the distiller would learn and predict "
                "it. Fit the teacher on the labeled rows only."
            )
    if len(labels) == 0:
        return
    check_label_kind(labels, teacher_classes, name)
    known = np.isin(labels, teacher_classes)
    if not known.any():
        raise ValueError(
            f"None of the labels in {name} ({labels[:5].tolist()}) is among the "
            f"frozen teacher's classes_ ({teacher_classes[:5].tolist()}); the "
            "teacher's outputs would not describe any of them. Encode "
            f"{name} as the teacher was trained, or fit the teacher on these labels."
            f"{_codes_hint(labels, teacher_classes)}"
        )
    unused = teacher_classes[~np.isin(teacher_classes, labels)]
    if not known.all() and len(unused):
        # each side has labels the other lacks: the usual sign of another
        # encoding of the same classes (0..K-1 against 1..K), whose outputs,
        # aligned by label, would describe the wrong classes
        warnings.warn(
            f"The labels in {name} {labels[~known][:5].tolist()} are not among the "
            f"frozen teacher's classes_, and its classes "
            f"{unused[:5].tolist()} are not in {name}. The teacher's outputs are "
            "aligned by label: if it was trained on another encoding of the "
            f"same classes (e.g. 0..K-1 for 1..K), encode {name} as the teacher "
            f"was trained.{_codes_hint(labels, teacher_classes)}",
            UserWarning,
        )


def check_label_kind(labels, teacher_classes, name="y"):
    """Refuse labels of another kind than a frozen teacher's ``classes_``.

    Numbers against strings, or booleans against numbers other than 0 and 1
    (which ``True`` and ``False`` would silently equal). Part of
    :func:`check_label_overlap`; alone for a later ``partial_fit`` chunk,
    which may hold labels the teacher does not know.
    """
    labels, teacher_classes = np.asarray(labels), np.asarray(teacher_classes)
    if len(labels) == 0 or teacher_classes.ndim != 1:
        return
    kind, teacher_kind = label_kind(labels), label_kind(teacher_classes)
    if kind != teacher_kind or kind == "mixed":
        raise ValueError(
            f"The labels in {name} are {kind}s ({labels[:5].tolist()}) but the "
            f"frozen teacher's classes_ are {teacher_kind}s "
            f"({teacher_classes[:5].tolist()}); they must be labels of the same "
            f"kind. Encode {name} as the teacher was trained, or fit the teacher "
            f"on these labels.{_codes_hint(labels, teacher_classes)}"
        )
    for bools, numbers, what in (
        (labels, teacher_classes, "frozen teacher's classes_"),
        (teacher_classes, labels, f"labels in {name}"),
    ):
        if bools.dtype.kind != "b" or numbers.dtype.kind not in "iuf":
            continue
        others = numbers[~np.isin(numbers, [0, 1])]
        if len(others):
            raise ValueError(
                f"The labels in {name} are {_kind_name(labels)} and the frozen "
                f"teacher's classes_ are {_kind_name(teacher_classes)}: the "
                f"{what} {others[:5].tolist()} cannot be booleans. Encode "
                f"{name} as the teacher was trained, or fit the teacher on "
                "these labels."
            )


def _codes_hint(labels, teacher_classes):
    """A sentence for labels that look like codes ``0..K-1`` of the teacher's
    classes: scikit-learn tools that label-encode y hand them to the distiller."""
    values = np.unique(labels)
    if values.dtype.kind not in "iuf" or not np.all(np.mod(values, 1) == 0):
        return ""
    if not np.all((values >= 0) & (values < len(teacher_classes))):
        return ""
    return (
        " scikit-learn tools that fit their estimators on the codes 0..K-1 of y "
        "(StackingClassifier, VotingClassifier, BaggingClassifier, "
        "CalibratedClassifierCV(ensemble=False), cross_val_predict with a "
        "probability method) hand a distiller those codes: give such a tool "
        "the fitted distiller as FrozenEstimator(distiller), or the distiller "
        "an unfitted teacher."
    )


def _is_marker(value, unlabeled):
    """Whether the label ``value`` is the ``unlabeled`` marker."""
    if is_missing(unlabeled):
        return is_missing(value)
    return label_kind([value]) == label_kind([unlabeled]) and value == unlabeled


def _kind_name(values):
    """``"booleans"`` or ``"numbers"``, for a message."""
    return "booleans" if values.dtype.kind == "b" else "numbers"


# Integers beyond this magnitude lose their last digits as float64, the type
# numpy compares int64 and uint64 (or integers and floats) in
_EXACT_FLOAT_INT = 2**53


def check_comparable_integers(labels, teacher_classes, name="y"):
    """Refuse integer labels that numpy cannot compare with the teacher's.

    numpy compares int64 with uint64 labels (and integers with floats) as
    float64: beyond 2**53 distinct labels compare equal, and would be merged
    into one class or read as another's.
    """
    kinds = labels.dtype.kind + teacher_classes.dtype.kind
    if set(kinds) - set("iuf") or kinds == "ff":
        return
    if np.result_type(labels.dtype, teacher_classes.dtype).kind != "f":
        return  # compared exactly (int32 and int64, uint32 and int64)
    for values in (labels, teacher_classes):
        if values.dtype.kind in "iu" and values.size and (
            values.max() > _EXACT_FLOAT_INT or values.min() < -_EXACT_FLOAT_INT
        ):
            raise ValueError(
                f"The labels of {name} ({labels.dtype}) and the teacher's "
                f"classes_ ({teacher_classes.dtype}) are numbers of different "
                f"types, with values beyond 2**53, which numpy compares as "
                "float64: distinct labels would be merged. Give y the type of "
                f"the teacher's classes_ (y.astype({teacher_classes.dtype}))."
            )


def union_classes(labels, teacher_classes):
    """Sorted union of ``y``'s labels and a teacher's ``classes_``.

    Boolean labels stay booleans when the teacher's classes are ``0`` and
    ``1`` (XGBoost reports ``[0, 1]`` for a boolean ``y``; or ``0.0`` and
    ``1.0``): numpy's union would make them numbers, and the distiller would
    predict numbers for a boolean ``y``.
    """
    labels, teacher_classes = np.asarray(labels), np.asarray(teacher_classes)
    check_comparable_integers(labels, teacher_classes)
    classes = np.union1d(labels, teacher_classes)
    if (
        labels.dtype.kind == "b"
        and teacher_classes.dtype.kind in "iubf"
        and np.isin(teacher_classes, [0, 1]).all()
    ):
        classes = classes.astype(bool)
    elif (
        labels.dtype.kind in "iu"
        and teacher_classes.dtype.kind in "iuf"
        and classes.dtype != labels.dtype
    ):
        # numpy promotes int labels and float (or other int) classes to
        # floats: keep y's integer type when every class is one of its values
        with np.errstate(invalid="ignore", over="ignore"):
            cast = classes.astype(labels.dtype)
        if np.array_equal(cast, classes):
            classes = cast
    elif (
        labels.dtype.kind == "U"
        and classes.dtype == object
        and all(isinstance(c, str) for c in classes)
    ):
        # y's text type against a teacher's classes held as objects
        # (CatBoost's): numpy's union is of objects
        classes = classes.astype(str)
    return classes
