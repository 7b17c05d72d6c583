"""Label checks of the classifier: unlabeled markers and frozen teachers' labels."""

from numbers import Number

import numpy as np


def is_nan(value):
    return isinstance(value, Number) and value != value


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


def check_label_overlap(labels, teacher_classes, name="y"):
    """Refuse labels that a frozen teacher cannot have produced.

    The labels and the teacher's ``classes_`` must be of the same kind
    (numbers or strings) and share at least one label; a partial overlap is
    allowed (``classes_`` is their union, a class the teacher does not know
    gets probability 0 in its targets).

    Raises
    ------
    ValueError
        If the kinds differ or no label is shared.
    """
    labels = np.asarray(labels)
    try:
        teacher_classes = np.asarray(teacher_classes)
    except ValueError:  # one array per output: refused where outputs are read
        return
    if len(labels) == 0 or teacher_classes.ndim != 1:
        return
    kind, teacher_kind = label_kind(labels), label_kind(teacher_classes)
    if kind != teacher_kind or kind == "mixed":
        raise ValueError(
            f"The labels in {name} are {kind}s ({labels[:5].tolist()}) but the "
            f"frozen teacher's classes_ are {teacher_kind}s "
            f"({teacher_classes[:5].tolist()}); they must be labels of the same "
            f"kind. Encode {name} as the teacher was trained, or fit the teacher "
            "on these labels."
        )
    if not np.isin(labels, teacher_classes).any():
        raise ValueError(
            f"None of the labels in {name} ({labels[:5].tolist()}) is among the "
            f"frozen teacher's classes_ ({teacher_classes[:5].tolist()}); the "
            "teacher's outputs would not describe any of them. Encode "
            f"{name} as the teacher was trained, or fit the teacher on these labels."
        )
