"""How a student is fitted on soft targets: the three fitting paths."""

import math
import re
from inspect import Parameter, signature
from numbers import Integral

import numpy as np
import sklearn
from scipy.special import log_softmax, softmax
from sklearn import config_context
from sklearn.base import clone, is_classifier, is_regressor
from sklearn.calibration import CalibratedClassifierCV
from sklearn.ensemble import (
    BaggingClassifier,
    BaggingRegressor,
    HistGradientBoostingClassifier,
    HistGradientBoostingRegressor,
)
from sklearn.frozen import FrozenEstimator
from sklearn.linear_model import Perceptron, SGDClassifier
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import Pipeline
from sklearn.utils import _safe_indexing, get_tags

from .linear_model._soft_logistic import (
    SoftLogisticRegression,
    _fit_logistic_regression_soft,
    _soft_class_weight,
    _supports_soft_targets,
    release,
)

# Before 1.9, a regression tree's leaves could disagree with a classifier's
# on rows with missing values (scikit-learn's missing-value fixes of 1.9)
_TREES_AGREE_ON_MISSING = release(sklearn) >= (1, 9)
# From 1.8, bagging draws its rows in proportion to sample_weight (without
# replacement when bootstrap=False: every row, whatever its weight)
_BAGGING_SAMPLES_BY_WEIGHT = release(sklearn) >= (1, 8)
# Targets below this value are dropped by the row-repetition path.
MIN_TARGET = 1e-8
# Floor of the targets before the logarithm of the regressor path: the
# logits it fits stay within about 7 of each other. A teacher's exact zeros
# (a tree, a forest) became targets of log(1e-12) = -27.6 against about -4
# for small non-zero ones, which a linear student fitted badly;
# benchmarks/bench_logit_floor.py: 1e-3 gave +2.7 points of accuracy on
# average over 144 settings against 1e-12 (+5.9 with those teachers, -0.5
# with teachers without zeros), and the best mean log-loss.
EPS = 1e-3


def student_path(student):
    """Name the path used to fit ``student`` on soft targets.

    Parameters
    ----------
    student : estimator
        The (unfitted) student. For a :class:`~sklearn.pipeline.Pipeline`, the
        path of its last step (the leading steps are fitted as they are).

    Returns
    -------
    path : {"soft_logistic", "repeat", "regressor"}
        ``"soft_logistic"``: the exact soft-target logistic solver;
        ``"repeat"``: rows repeated once per class with a non-negligible target,
        weighted by it; ``"regressor"``: multi-output regression on the centred
        log targets (a regressor that cannot fit several outputs raises a
        TypeError at fit suggesting MultiOutputRegressor).

    Raises
    ------
    TypeError
        If the student is none of the above.
    """
    if isinstance(student, Pipeline) and student.steps:
        return student_path(student.steps[-1][1])
    if isinstance(student, SoftLogisticRegression) or _supports_soft_targets(student):
        return "soft_logistic"
    if is_classifier(student):
        if type(student).__name__.endswith("SearchCV"):
            raise TypeError(
                f"The student {type(student).__name__} is a search: fitted on "
                "soft targets, its rows repeated once per class would fall on "
                "both sides of its folds. Tune the student from outside, e.g. "
                "GridSearchCV(DistilledClassifier(teacher, student), "
                "{'student__C': [...]}), or with skdistill.DistillationSearchCV."
            )
        if _fits_with_weights(student):
            return "repeat"
        routed = ""
        if _takes_fit_params(student):
            # OneVsRestClassifier: it hands them on with metadata routing only
            routed = (
                " It routes fit parameters by metadata routing, which the "
                "student's fit does not use: its row weights are the soft "
                "targets, not metadata."
            )
        raise TypeError(
            f"The student {student!r} is a classifier whose fit does not accept "
            "sample_weight (or does not hand it to the estimator it wraps), so "
            f"it cannot be fitted on soft targets.{routed} Use a "
            "LogisticRegression, a classifier whose fit takes sample_weight, "
            "or a regressor."
        )
    if is_regressor(student):
        return "regressor"
    raise TypeError(
        f"The student {student!r} is neither a classifier nor a regressor; "
        "skdistill cannot fit it on soft targets."
    )


def _takes_fit_params(student):
    """Whether ``student.fit`` takes ``**fit_params`` (for metadata routing)."""
    try:
        parameters = signature(student.fit).parameters.values()
    except (TypeError, ValueError):
        return False
    return any(p.kind is Parameter.VAR_KEYWORD for p in parameters)


def _fits_with_weights(student):
    """Whether the classifier ``student`` is fitted with ``sample_weight``.

    Its ``fit`` takes it, or hands it to every estimator it wraps (a voting
    or stacking model, whose ``fit(X, y, **fit_params)`` takes it from
    scikit-learn 1.9); a calibrated model fits its estimator with the weights
    only when that estimator takes them (its calibrators alone would see
    them otherwise).
    """
    from ._fitting import accepts_sample_weight  # imports this module

    if isinstance(student, CalibratedClassifierCV):
        inner = student.estimator  # None: a LinearSVC, which takes them
        return inner is None or accepts_sample_weight(inner)
    return accepts_sample_weight(student)


def _fit_kwargs(sample_weight):
    return {} if sample_weight is None else {"sample_weight": sample_weight}


def _repeated_rows(Y, sample_weight):
    """Rows, classes and weights of the row-repetition path.

    Each row is repeated once per class whose target exceeds ``MIN_TARGET``,
    weighted by that target (times the row's sample weight).
    """
    rows, cols = np.nonzero(Y > MIN_TARGET)
    weight = Y[rows, cols]
    if sample_weight is not None:
        weight = weight * sample_weight[rows]
    return rows, cols, weight


def _centred_log_targets(Y):
    """Row-centred ``log(max(Y, EPS))``: the logits a regressor student fits."""
    Z = np.log(np.maximum(Y, EPS))
    Z -= Z.mean(axis=1, keepdims=True)
    return Z


def fit_student(student, path, X, Y, classes, sample_weight=None):
    """Fit ``student`` (already cloned) on soft targets ``Y``.

    Parameters
    ----------
    student : estimator
        Unfitted clone of the student.
    path : str
        As returned by :func:`student_path`.
    X : {ndarray, sparse matrix} of shape (n_samples, n_features)
    Y : ndarray of shape (n_samples, n_classes)
        Soft targets whose columns follow ``classes``; rows sum to one. The
        soft-target solver may overwrite them (to avoid a copy).
    classes : ndarray of shape (n_classes,)
    sample_weight : ndarray of shape (n_samples,) or None

    Returns
    -------
    student : estimator
        The fitted student.
    """
    if path == "soft_logistic":
        return _fit_logistic_regression_soft(
            student, X, Y, classes, sample_weight=sample_weight, overwrite_Y=True
        )
    # The row weights are the method's own (the targets of repeated rows, the
    # weight alpha of rows without a label), not metadata: a student that
    # routes metadata (a SparsifyTransformer, a QuantizedLinearModel) hands
    # them to its estimator without asking for a request
    with config_context(enable_metadata_routing=False):
        if path == "repeat":
            return _fit_repeated(student, X, Y, classes, sample_weight)
        return _fit_regressor(student, "fit", X, Y, sample_weight)


# HistGradientBoosting*'s early_stopping="auto" is on above this many rows
_HGB_AUTO_EARLY_STOPPING_ROWS = 10_000


def _weighs_positive_rows(student):
    """Whether ``student``'s ``class_weight`` weighs only the rows of the class
    in each of its one-vs-rest problems (liblinear's and SGD's), which row
    weights cannot express."""
    from sklearn.linear_model import LogisticRegression, Perceptron, SGDClassifier
    from sklearn.svm import LinearSVC

    if isinstance(student, LogisticRegression):  # liblinear: one-vs-rest
        return student.solver == "liblinear"
    return isinstance(student, (LinearSVC, SGDClassifier, Perceptron)) or (
        type(student).__name__ == "PassiveAggressiveClassifier"
    )


def _check_per_problem_balance(student, class_weight, n_classes):
    """Refuse ``class_weight="balanced"`` of a one-vs-rest LogisticRegression
    (``multi_class="ovr"``, scikit-learn < 1.8) with several classes: it is
    balanced per binary problem (the class against the rest), which neither
    row weights nor a dict of class weights can reproduce."""
    from sklearn.linear_model import LogisticRegression

    if (
        isinstance(student, LogisticRegression)
        and student.solver != "liblinear"
        and getattr(student, "multi_class", None) == "ovr"
        and isinstance(class_weight, str)
        and class_weight == "balanced"
        and n_classes > 2
    ):
        raise TypeError(
            f"The student {student!r} balances its classes per one-vs-rest "
            "problem (each class against the rest), which the soft targets' "
            "repeated rows cannot reproduce. Give class_weight as a dict, or "
            "use multi_class='multinomial' (fitted exactly, with the soft "
            "class totals balanced)."
        )


def _weighs_classes(class_weight):
    return isinstance(class_weight, dict) or class_weight in (
        "balanced",
        "balanced_subsample",
    )


def _kept_targets(Y):
    """``Y`` with the targets the repeated rows drop (up to ``MIN_TARGET``) at 0."""
    return np.where(Y > MIN_TARGET, Y, 0.0)


def _class_factors(class_weight, classes, kept, sample_weight):
    """The factor of each class of ``class_weight`` (a dict, or balanced on
    the soft class masses ``sum_i w_i Y_ik`` of the kept targets, see
    :func:`_kept_targets`: on the repeated rows every class would count
    ``n`` times).
    """
    if sample_weight is None:
        sample_weight = np.ones(len(kept))
    if class_weight == "balanced_subsample":  # a forest's: balanced, once
        class_weight = "balanced"
    return _soft_class_weight(class_weight, classes, kept, sample_weight)


def _fit_tree(student, X, Y, classes, sample_weight):
    """A Gini decision tree grown on soft targets as a regression tree, or None.

    On the repeated rows, a node's class masses are ``m_k = sum_i w_i Y_ik``
    and its Gini impurity is ``1 - sum_k (m_k / m)^2``. The squared error of
    the targets, summed over the classes, is that impurity plus
    ``sum_k mean(Y_k^2) - 1``, whose weighted sum over a node's two children
    is the node's own: both criteria rank every split alike, and a leaf's
    mean targets are its class proportions. So a multi-output regression
    tree on the ``n`` rows grows the tree that row repetition grows on
    ``nnz(Y)`` rows (up to ties and rounding; it makes no split that leaves
    both sides' proportions unchanged), several times faster, and its nodes
    become a classifier's. Its rows are the student's own, so
    ``min_samples_leaf`` and ``min_samples_split`` count them, a node of one
    row is not split (a tree that draws features at random draws the same
    ones until then only), and a missing value unseen in training goes to
    the child with more of them.

    ``DecisionTreeClassifier`` and ``ExtraTreeClassifier`` themselves (not
    subclasses) with ``criterion="gini"`` and no monotonic constraints; None
    for other students, and when the regression tree refuses a setting or
    the rows (the repeated rows then give the student's own answer); also
    None for rows with missing values before scikit-learn 1.9, whose
    regression trees could place them apart from a classifier's.
    """
    from sklearn.tree import (
        DecisionTreeClassifier,
        DecisionTreeRegressor,
        ExtraTreeClassifier,
        ExtraTreeRegressor,
    )

    regressor = {
        DecisionTreeClassifier: DecisionTreeRegressor,
        ExtraTreeClassifier: ExtraTreeRegressor,
    }.get(type(student))
    if regressor is None:
        return None
    params = student.get_params(deep=False)
    class_weight = params["class_weight"]
    if (
        params["criterion"] != "gini"
        or params.get("monotonic_cst") is not None
        or not (class_weight is None or _weighs_classes(class_weight))
    ):
        return None
    student._validate_params()  # its own errors, not the regression tree's
    if not _TREES_AGREE_ON_MISSING:
        from ._fitting import contains_nan  # imports this module

        if contains_nan(X):
            return None
    # as the repeated rows: targets up to MIN_TARGET dropped, the classes
    # without any left out of the tree
    kept = _kept_targets(Y)
    present = (kept > 0).any(axis=0)
    mass = kept[:, present]
    if sample_weight is not None:
        mass *= sample_weight[:, None]
    if class_weight is not None:  # read against every class, as repetition
        mass *= _class_factors(class_weight, classes, kept, sample_weight)[present]
    weight = mass.sum(axis=1)
    targets = np.divide(
        mass, weight[:, None], out=np.zeros_like(mass), where=weight[:, None] > 0
    )
    n_classes = targets.shape[1]
    # the squared error is averaged over the outputs: its decreases are the
    # Gini decreases divided by the number of classes
    settings = {
        name: value
        for name, value in params.items()
        if name in regressor().get_params()
    }
    settings["criterion"] = "squared_error"
    for name in ("min_impurity_decrease", "ccp_alpha"):
        settings[name] = params[name] / n_classes
    try:
        grown = regressor(**settings).fit(X, targets, sample_weight=weight)
    except (ValueError, TypeError):
        return None
    state = grown.tree_.__getstate__()
    values = np.ascontiguousarray(state["values"].transpose(0, 2, 1))
    nodes = state["nodes"].copy()
    nodes["impurity"] = 1.0 - np.einsum("nk,nk->n", values[:, 0], values[:, 0])
    tree = type(grown.tree_)(
        grown.n_features_in_, np.array([n_classes], dtype=np.intp), 1
    )
    tree.__setstate__({**state, "nodes": nodes, "values": values})
    for name, value in vars(grown).items():
        if name.endswith("_") and not name.startswith("_"):
            setattr(student, name, value)
    student.tree_ = tree
    student.n_outputs_ = 1
    student.classes_ = classes[present]
    student.n_classes_ = np.intp(n_classes)
    return student


# Meta-estimators that fit their estimators on other labels than the
# student's (binary problems, outputs): a nested class_weight dict keyed by
# the student's classes would not apply there.
_RELABELLING = (
    "OneVsRestClassifier",
    "OneVsOneClassifier",
    "OutputCodeClassifier",
    "MultiOutputClassifier",
    "ClassifierChain",
)


def _within(estimator, prefix=""):
    """``(prefix, estimator)``: ``estimator`` and the estimators its
    parameters hold, recursively, with the prefix of their parameters (not
    those a ``FrozenEstimator`` holds, which are not fitted)."""
    yield prefix, estimator
    if isinstance(estimator, FrozenEstimator):
        return

    def is_estimator(value):  # an instance, not a class
        return hasattr(value, "get_params") and not isinstance(value, type)

    for key, value in estimator.get_params(deep=False).items():
        if is_estimator(value):
            yield from _within(value, f"{prefix}{key}__")
        elif isinstance(value, (list, tuple)):
            # (name, estimator, ...) tuples: their estimators are set by name
            for item in value:
                if isinstance(item, tuple) and item and isinstance(item[0], str):
                    for part in filter(is_estimator, item[1:]):
                        yield from _within(part, f"{prefix}{item[0]}__")


def _own_split(estimator):
    """``(what, advice)`` when ``estimator`` fits part of its training rows
    and scores or stops on the rest, ``None`` otherwise."""
    params = estimator.get_params(deep=False)
    name = type(estimator).__name__
    if "cv" in params:
        return (
            f"{name} cross-validates its training rows (cv={params['cv']!r})",
            "Wrap the distiller instead, which splits the rows before they are "
            "repeated: CalibratedClassifierCV(DistilledClassifier(teacher, "
            "base)) to calibrate, GridSearchCV(DistilledClassifier(teacher, "
            "student), ...) or skdistill.DistillationSearchCV to tune",
        )
    stops = (
        params.get("early_stopping") is True
        and params.get("validation_fraction", 0.1) is not None  # else: on its loss
        and params.get("solver") != "lbfgs"  # an MLP's, which ignores it
    ) or (
        "early_stopping" not in params
        and "validation_fraction" in params
        and params.get("n_iter_no_change") is not None
    )
    if stops:
        setting = "early_stopping=False" if "early_stopping" in params else (
            "n_iter_no_change=None"
        )
        return (
            f"{name} stops early on a validation split of its training rows",
            f"Use {setting} (max_iter, or n_estimators, then bounds the fit)",
        )
    if params.get("probability") is True:
        return (
            f"{name}(probability=True) calibrates its probabilities on a "
            "cross-validation of its training rows",
            "Use probability=False, and calibrate the distilled model instead: "
            "CalibratedClassifierCV(DistilledClassifier(teacher, student))",
        )
    if params.get("oob_score"):
        return (
            f"{name}(oob_score=...) scores each row on the estimators not fitted "
            "on it",
            "Use oob_score=False, and score the distilled model on held-out rows",
        )
    return None


def _check_repeatable(student):
    """Refuse a student whose fit the repeated rows would silently defeat.

    - a resampling ensemble (imbalanced-learn's ``BalancedRandomForest``,
      ``RUSBoost``, ``EasyEnsemble``, ``BalancedBagging``: a
      ``sampling_strategy`` parameter) balances the classes by their counts
      of rows, and on the repeated rows every class counts about ``n``;
    - a bagging ensemble without bootstrap on scikit-learn >= 1.8, which
      draws its rows in proportion to ``sample_weight`` and, without
      replacement, draws every row whatever its weight;
    - a student, or an estimator within it, that fits part of its rows and
      scores or stops on the rest (:func:`_own_split`): a row's repetitions,
      labelled with the other classes, fall on both sides, and the held-out
      ones contradict what was fitted (probabilities and cross-validated
      stacks worse than chance, early stopping after a few iterations).
    """
    name = type(student).__name__
    for _, estimator in _within(student):
        split = _own_split(estimator)
        if split is not None:
            what, advice = split
            whose = "The student " if estimator is student else f"The student {name}: "
            raise ValueError(
                f"{whose}{what}: fitted on soft targets, the student's rows "
                "are repeated once per class with a non-negligible target, and "
                "a row's repetitions, each labelled with another class, fall on "
                "both sides of that split, where the held-out ones contradict "
                f"what was fitted. {advice}; or fit it at alpha=0."
            )
    if "sampling_strategy" in student.get_params(deep=False):
        raise ValueError(
            f"The student {name} balances the classes by resampling their rows; "
            "on the rows repeated once per class with a non-negligible target "
            "(how such a student is fitted on soft targets) every class counts "
            "about as many rows, so the balancing would be lost. Distil into a "
            "student with class_weight='balanced' (its class weights follow the "
            "soft class totals), or use it at alpha=0."
        )
    if (
        isinstance(student, (BaggingClassifier, BaggingRegressor))
        and not student.get_params(deep=False).get("bootstrap", True)
        and _BAGGING_SAMPLES_BY_WEIGHT
    ):
        raise ValueError(
            f"The student {name}(bootstrap=False) ignores the soft targets: from "
            "scikit-learn 1.8 it draws its rows in proportion to sample_weight, "
            "and without replacement it draws every row whatever its weight. "
            "Use bootstrap=True (rows drawn in proportion to their targets)."
        )


def _nested_balance(student, classes, kept, sample_weight):
    """``{parameter: dict}`` for the ``"balanced"`` class weights of the
    estimators a meta-estimator student wraps (its own are set apart).

    Balanced on the repeated rows, every class would count about ``n`` rows;
    the dicts are the weights of the soft class totals of the kept targets,
    as for the student's own ``class_weight``.
    """
    deep = student.get_params(deep=True)
    nested = [
        key for key, value in deep.items()
        if "__" in key and key.endswith("class_weight")
        and isinstance(value, str) and value in ("balanced", "balanced_subsample")
    ]
    if not nested:
        return {}
    for key in nested:
        # the meta-estimators above the one whose class_weight it is
        parts = key.split("__")[:-2]
        above = ("__".join(parts[: k + 1]) for k in range(len(parts)))
        owners = [student, *(deep[name] for name in above)]
        for owner in owners:
            if type(owner).__name__ in _RELABELLING:
                raise ValueError(
                    f"The student {type(student).__name__} sets {key}="
                    f"{deep[key]!r} inside {type(owner).__name__}, which fits "
                    "its estimators on other labels (binary problems); balanced "
                    "there, on the rows repeated once per class, the balancing "
                    "would be lost. Give it a class_weight dict, or use the "
                    "student at alpha=0."
                )
    per_class = _class_factors("balanced", classes, kept, sample_weight)
    return {key: _weights_dict(classes, per_class, kept) for key in nested}


def _weights_dict(classes, per_class, kept):
    """``class_weight`` as a dict of the per-class factors, for the classes
    that the kept targets (those of the repeated rows) give some weight."""
    present = (kept > 0).any(axis=0)
    return dict(zip(classes[present].tolist(), per_class[present].tolist()))


def _fit_repeated(student, X, Y, classes, sample_weight):
    """``student.fit`` on the rows repeated once per class (see :func:`_repeated_rows`).

    A Gini decision tree is grown as the same tree without the repetition
    (:func:`_fit_tree`).

    The student's settings that count or weigh rows are carried over to the
    repeated rows, for the fit only (its parameters are restored after):

    - ``class_weight`` (a dict, ``"balanced"`` or ``"balanced_subsample"``):
      applied to the repeated rows' weights, the class masses of
      ``"balanced"`` being the sums of the targets times the row weights (on
      the repeated rows themselves every class would count ``n`` times); a
      one-vs-rest linear model (``LinearSVC``, ``SGDClassifier``,
      ``Perceptron``), whose class weights weigh only the class's own rows
      in its binary problems, keeps them as a dict instead;
    - ``min_samples_leaf`` of a tree or tree ensemble: as
      ``min_weight_fraction_leaf``, so that a leaf holds that many of the
      student's rows when they weigh the same (otherwise that many rows' worth
      of the average row weight), not of their repetitions (a row's
      repetitions all fall in the same leaf);
    - ``min_samples_leaf`` of histogram gradient boosting (which has no
      weighted leaf size): multiplied by the average number of repetitions
      of a row;
    - ``early_stopping="auto"`` of histogram gradient boosting: off when
      rows are repeated (its validation split would hold repetitions of its
      training rows), otherwise decided on the student's number of rows;
    - the penalty of a student that weighs it against its loss per row
      (see :func:`_mean_loss_factor`): the repeated rows' weights are
      scaled so that it weighs as in a fit on the student's rows.

    These settings of the estimators within the student (a
    ``VotingClassifier``'s trees) are carried over too.
    """
    tree = _fit_tree(student, X, Y, classes, sample_weight)
    if tree is not None:
        return tree
    _check_repeatable(student)
    rows, cols, weight = _repeated_rows(Y, sample_weight)
    n_samples = Y.shape[0]
    params = student.get_params(deep=False)
    kept = _kept_targets(Y)
    # nested "balanced" class weights, as the soft class totals give them
    settings = _nested_balance(student, classes, kept, sample_weight)
    class_weight = params.get("class_weight")
    _check_per_problem_balance(student, class_weight, len(classes))
    if _weighs_classes(class_weight):
        per_class = _class_factors(class_weight, classes, kept, sample_weight)
        if _weighs_positive_rows(student) and class_weight != "balanced_subsample":
            # its class weights are no row weights: given as a dict (the
            # balanced ones from the targets' masses), as a plain fit's
            if not isinstance(class_weight, dict):
                settings["class_weight"] = _weights_dict(classes, per_class, kept)
        else:
            weight = weight * per_class[cols]
            settings["class_weight"] = None
    weight = weight * _mean_loss_factor(student, n_samples, len(rows))
    for prefix, estimator in _within(student):
        own = _row_count_settings(
            estimator.get_params(deep=False), estimator, n_samples, len(rows)
        )
        settings.update({prefix + name: value for name, value in own.items()})
    originals = params
    if any("__" in name for name in settings):  # within the student too
        originals = {**params, **student.get_params(deep=True)}
    if settings:  # (CatBoost refuses any set_params, even empty, once fitted)
        student.set_params(**settings)
    try:
        return student.fit(
            _safe_indexing(X, rows), classes[cols], sample_weight=weight
        )
    except (ValueError, TypeError, AttributeError) as exc:
        add_label_hint(exc, classes)
        unused = np.setdiff1d(np.arange(len(classes)), cols)
        if unused.size:
            from ._fitting import add_note  # imports this module

            add_note(
                exc,
                f"The soft targets give no weight to the classes "
                f"{classes[unused].tolist()!r}, so the student is fitted on the "
                "others only; a student that needs every label 0..K-1 "
                "(XGBoost) refuses that. A higher T or a lower alpha gives "
                "every class some weight.",
            )
        raise
    finally:
        if settings:
            student.set_params(**{name: originals[name] for name in settings})


def _mean_loss_factor(student, n_samples, n_repeated):
    """Factor on the repeated rows' weights: the mean weight of the rows kept.

    The repeated rows' weights sum to what the student's rows weigh (each
    row's targets sum to one), in ``n_repeated / n_samples`` times as many
    rows. A student whose penalty is weighed against its total weight
    (``LogisticRegression``, ``LinearSVC``, a network trained by lbfgs)
    reaches the same optimum as on its rows. One that weighs it against its
    loss per row would be penalized that many times more: SGD minimizes
    ``sum_i w_i L_i / n_rows + alpha * R(w)`` (``SGDClassifier``,
    ``Perceptron``), a network trained by minibatches divides its penalty by
    each batch's total weight (``MLPClassifier`` with ``solver="adam"`` or
    ``"sgd"``). Their weights are scaled by ``n_repeated / n_samples``,
    which gives them the penalty of the same fit on the student's rows.
    """
    return n_repeated / n_samples if _weighs_mean_loss(student) else 1.0


def _weighs_mean_loss(student):
    """Whether ``student`` (or the model it fits with the rows' weights:
    a :class:`~skdistill.SparsifyTransformer`'s, a
    :class:`~skdistill.QuantizedLinearModel`'s, a
    ``CalibratedClassifierCV``'s) weighs its penalty against its loss per
    row (see :func:`_mean_loss_factor`)."""
    from ._quantize import QuantizedLinearModel  # (they import this module)
    from ._sparsify import SparsifyTransformer

    if isinstance(student, (SGDClassifier, Perceptron)):
        return True
    if isinstance(student, MLPClassifier):
        return student.solver != "lbfgs"
    if isinstance(
        student, (SparsifyTransformer, QuantizedLinearModel, CalibratedClassifierCV)
    ):
        return student.estimator is not None and _weighs_mean_loss(student.estimator)
    return False


def _row_count_settings(params, estimator, n_samples, n_repeated):
    """The settings of one estimator that count rows, for the repeated rows.

    ``n_samples`` rows, ``n_repeated`` repetitions in all; see
    :func:`_fit_repeated`.
    """
    settings = {}
    leaf = params.get("min_samples_leaf")
    if "min_weight_fraction_leaf" in params and leaf is not None and leaf != 1:
        n_leaf = leaf if isinstance(leaf, Integral) else math.ceil(leaf * n_samples)
        settings["min_samples_leaf"] = 1
        # half a row below: a leaf of n_leaf rows (weighing about n_leaf, up to
        # rounding and dropped targets) passes, one of n_leaf - 1 does not
        fraction = (n_leaf - 0.5) / n_samples
        if fraction > 0.5:  # no split leaves n_leaf rows on both sides
            fraction = 0.5
            settings["min_samples_split"] = n_repeated + 1
        settings["min_weight_fraction_leaf"] = max(
            params["min_weight_fraction_leaf"], fraction
        )
    histogram = isinstance(
        estimator, (HistGradientBoostingClassifier, HistGradientBoostingRegressor)
    )
    if histogram and isinstance(leaf, Integral) and n_repeated > n_samples:
        # no weighted leaf size: min_samples_leaf in the rows' repetitions on
        # average (a row's all fall in the same leaf), so that a leaf holds
        # about that many of the student's rows; counted in repetitions,
        # leaves of a few rows of tiny weight (many classes) got huge values
        settings["min_samples_leaf"] = math.ceil(leaf * n_repeated / n_samples)
    if histogram and params.get("early_stopping") == "auto":
        # decided on the student's rows; off when rows are repeated and it
        # would stop on a validation split: the split would hold repetitions
        # of its training rows, labelled with other classes, and stop it
        # after a few iterations
        split = params.get("validation_fraction") is not None
        settings["early_stopping"] = (
            not (split and n_repeated > n_samples)
            and n_samples > _HGB_AUTO_EARLY_STOPPING_ROWS
        )
    return settings


# What a student's error says of the labels (XGBoost's "Invalid classes
# inferred from unique values of `y`")
_LABEL_WORDS = re.compile(r"\b(labels?|class(es)?|y|targets?)\b", re.IGNORECASE)
_QUOTED = re.compile(r"'[^']*'|\"[^\"]*\"")


def add_label_hint(exc, classes):
    """Note on a student's error, when its labels are not ``0..K-1``, that
    some classifiers take only those.

    (XGBoost refuses other labels with a ValueError; with numpy < 1.25, with
    an AttributeError on string labels.)
    """
    from sklearn.utils._param_validation import InvalidParameterError

    from ._fitting import add_note  # imports this module
    from ._teacher import needs_encoding

    if isinstance(exc, InvalidParameterError):  # its parameters, not the labels
        return
    if isinstance(exc, (ValueError, TypeError)):
        # about the labels, not X's values ("could not convert string to
        # float: 'class B'" of a column the student cannot read: its quoted
        # values are not read)
        if not _LABEL_WORDS.search(_QUOTED.sub("", str(exc))):
            return
    elif not isinstance(exc, AttributeError):
        return
    if needs_encoding(classes):
        add_note(
            exc,
            f"Fitted on the labels {np.asarray(classes).tolist()!r}: if the "
            "student takes only the labels 0..K-1 (XGBoost's classifiers do), "
            "encode y first (sklearn.preprocessing.LabelEncoder), or use one "
            "that takes any labels (HistGradientBoostingClassifier).",
        )


def _fit_regressor(student, method, X, Y, sample_weight):
    """``student.<method>`` on the centred log targets, one column per class.

    A regressor that cannot fit several outputs gets a TypeError suggesting
    :class:`~sklearn.multioutput.MultiOutputRegressor` (which has both
    ``fit`` and ``partial_fit``).
    """
    from ._fitting import accepts_sample_weight, weight_kwargs  # imports this module

    Z = _centred_log_targets(Y)
    if sample_weight is not None and not accepts_sample_weight(student):
        # rows of weight 0 (without a label, at alpha=0) are left out; a
        # student without sample_weight is then fitted if the others weigh 1
        kept = np.flatnonzero(sample_weight)
        if np.all(sample_weight[kept] == 1.0):
            X, Z, sample_weight = _safe_indexing(X, kept), Z[kept], None
    kwargs = weight_kwargs(student, sample_weight)  # a TypeError if it needs them
    try:
        return getattr(student, method)(X, Z, **kwargs)
    except Exception as exc:
        # the tag is False for some regressors that fit several outputs
        # (MLPRegressor), and the errors of those that cannot differ
        # (IsotonicRegression and LassoCV: a ValueError; LightGBM: a
        # TypeError; CatBoost: its own): the student's own error unless it
        # fits one of the columns
        if get_tags(student).target_tags.multi_output or not _fits_one_output(
            student, method, X, Z, kwargs
        ):
            raise
        raise TypeError(
            f"The student {student!r}, a regressor, failed in {method} on the "
            "multi-output targets (one log-probability column per class): "
            f"{exc} Wrap it in sklearn.multioutput.MultiOutputRegressor."
        ) from exc


def _fits_one_output(student, method, X, Z, kwargs):
    """Whether a clone of ``student`` fits the first column of ``Z`` alone (the
    failure on all of them was then about the number of outputs)."""
    try:
        getattr(clone(student), method)(X, Z[:, 0], **kwargs)
    except Exception:  # noqa: BLE001 (any failure: not the outputs' number)
        return False
    return True


def partial_fit_student(student, X, Y, classes, sample_weight=None):
    """Update ``student`` with one chunk of soft targets through ``partial_fit``.

    The targets are encoded for the kind of student (the encodings were chosen
    by measuring fidelity to the teacher, ``benchmarks/bench_stream.py``):

    - :class:`~skdistill.linear_model.SoftLogisticRegression`: the soft
      targets themselves (its ``partial_fit`` minimises the exact soft
      cross-entropy);
    - one-vs-rest linear models (:class:`~sklearn.linear_model.SGDClassifier`
      with any loss, :class:`~sklearn.linear_model.Perceptron`,
      ``PassiveAggressiveClassifier``) and classifiers whose ``partial_fit``
      takes no ``sample_weight``: the most likely class of each row (with
      ``alpha=1``, the teacher's hard labels). Rows repeated per class or
      labels sampled from the targets give their per-class binary problems
      fractional, conflicting labels and lower fidelity;
    - other classifiers (e.g. :class:`~sklearn.neural_network.MLPClassifier`,
      naive Bayes): rows repeated once per class with a non-negligible
      target, weighted by it, which is the soft cross-entropy (or the soft
      class counts) exactly;
    - a regressor: the centred log targets.

    Parameters
    ----------
    student : estimator with ``partial_fit``
    X : {ndarray, sparse matrix} of shape (n_samples, n_features)
    Y : ndarray of shape (n_samples, n_classes)
    classes : ndarray of shape (n_classes,)
    sample_weight : ndarray of shape (n_samples,) or None

    Returns
    -------
    student : estimator
    """
    if not is_regressor(student):
        Y, classes = _classes_of_fitted(student, Y, classes)
    with config_context(enable_metadata_routing=False):  # see fit_student
        return _partial_fit(student, X, Y, classes, sample_weight)


def _classes_of_fitted(student, Y, classes):
    """``(Y, classes)`` restricted to the classes a fitted student knows, in
    its order.

    ``fit`` with ``alpha=0``, or on targets that rule a class out, fits the
    student on fewer classes than the distiller's ``classes_``; its
    ``partial_fit`` takes only those. A chunk whose targets give weight to
    another class is refused.
    """
    fitted = getattr(student, "classes_", None)
    if (
        fitted is None
        or len(fitted) > len(classes)
        or not np.isin(fitted, classes).all()
        or np.array_equal(fitted, classes)
    ):
        return Y, classes
    # the student's classes in its own order (SoftLogisticRegression's
    # classes parameter), which its partial_fit requires
    columns = np.searchsorted(classes, fitted)
    if len(fitted) == len(classes):
        return Y[:, columns], np.asarray(fitted)
    keep = np.isin(classes, fitted)
    lost = classes[~keep][Y[:, ~keep].max(axis=0) > MIN_TARGET]
    if lost.size:
        raise ValueError(
            f"The student {type(student).__name__} was fitted on the classes "
            f"{fitted.tolist()} only (fit, with alpha=0 or targets that rule a "
            "class out, gives the student the classes of its targets), and its "
            f"partial_fit cannot learn the classes {lost.tolist()} that this "
            "chunk's targets give weight to. Begin the stream with partial_fit "
            "instead of fit: its first call gives the student every class."
        )
    Y = Y[:, columns]
    return Y / Y.sum(axis=1, keepdims=True), np.asarray(fitted)


def _partial_fit(student, X, Y, classes, sample_weight):
    import inspect

    from .linear_model import SoftLogisticRegression

    if is_regressor(student):
        return _fit_regressor(student, "partial_fit", X, Y, sample_weight)
    if isinstance(student, SoftLogisticRegression):
        return student.partial_fit(
            X, Y, classes=classes, sample_weight=sample_weight
        )
    # Perceptron and PassiveAggressiveClassifier share SGDClassifier's base
    one_vs_rest = isinstance(student, SGDClassifier) or any(
        cls.__name__ == "BaseSGDClassifier" for cls in type(student).__mro__
    )
    takes_weight = "sample_weight" in inspect.signature(student.partial_fit).parameters
    if not takes_weight and sample_weight is not None:
        raise TypeError(
            f"The student {student!r} has a partial_fit without sample_weight, "
            "so it cannot honour row weights (sample_weight, or the weight "
            "alpha of rows without a label)."
        )
    if one_vs_rest or not takes_weight:
        labels = classes[np.argmax(Y, axis=1)]
        return student.partial_fit(
            X, labels, classes=classes, **_fit_kwargs(sample_weight)
        )
    rows, cols, weight = _repeated_rows(Y, sample_weight)
    weight = weight * _mean_loss_factor(student, Y.shape[0], len(rows))
    return student.partial_fit(
        _safe_indexing(X, rows), classes[cols], classes=classes, sample_weight=weight
    )


def regressor_logits(student, X):
    """Per-class logits predicted by a regressor student, as a 2-D array."""
    Z = np.asarray(student.predict(X), dtype=np.float64)
    return Z.reshape(Z.shape[0], -1)


def regressor_proba(student, X):
    """``softmax`` of a regressor student's predictions."""
    return softmax(regressor_logits(student, X), axis=1)


def regressor_log_proba(student, X):
    """``log_softmax`` of a regressor student's predictions."""
    return log_softmax(regressor_logits(student, X), axis=1)
