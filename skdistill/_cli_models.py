"""Command line: the teachers and students it builds, by name."""

TEACHERS = {
    "svm": "RBF SVM",
    "forest": "random forest",
    "boosting": "gradient boosting",
    "knn": "k-NN",
}
STUDENTS = ("logistic", "ridge", "tree", "mlp")
LINEAR_STUDENTS = ("logistic", "ridge")
# Students that predict a regression target (``logistic`` is a classifier).
REGRESSION_STUDENTS = ("ridge", "tree", "mlp")

# The penalty searched by --grid for each student (name of the student's
# parameter, candidate values).
GRID_PENALTY = {
    "logistic": ("C", [0.1, 1.0, 10.0]),
    "ridge": ("alpha", [0.1, 1.0, 10.0]),
    "tree": ("max_depth", [2, 4, 8]),
    "mlp": ("alpha", [1e-4, 1e-2, 1.0]),
}
GRID_ALPHA = [0.0, 0.5, 0.9]
GRID_T = [1.0, 4.0]


def default_temperature(student_name, n_classes):
    """-T when not given: 4 for a linear or network student of ten classes or
    more, else 1 (the library's default, the teacher's own probabilities).

    A temperature spreads the teacher's probability over the wrong classes,
    which tells a student how they resemble each other when there are many;
    with two or three it mostly blurs the labels. Measured with the command
    line's defaults (RBF-SVM teacher, logistic student, alpha=0.5), distilled
    minus labels-only accuracy, mean over 8 splits (--random-state 0 to 7):
    digits -1.6 points at T=1, -1.3 at T=2, -0.9 at T=4; iris -0.8, -5.8,
    -8.1; wine 0.0, 0.0, -0.2; breast_cancer -0.7, -0.7, -0.7. A depth-3
    tree with a forest teacher is more accurate at T=1 (wine 0.902 against
    0.867 at T=4 and 0.889 on the labels; breast_cancer 0.927 against 0.913
    and 0.915).
    """
    return 4.0 if student_name != "tree" and n_classes >= 10 else 1.0
GRID_CV = 3


def scaled_target(regressor):
    """``regressor`` fitted on the standardized target, its predictions in
    the target's unit.

    The command line's SVR (``epsilon=0.1``, ``C=1``) and MLP (weights and
    steps of about one) assume a target of unit scale: on a target in
    thousands the SVR teacher reached R² 0.015 against 0.899 standardized,
    and a network distilled from a boosting teacher -0.40 against 0.95; the
    other models do not depend on the target's unit.
    """
    from sklearn.compose import TransformedTargetRegressor
    from sklearn.preprocessing import StandardScaler

    return TransformedTargetRegressor(regressor=regressor, transformer=StandardScaler())


def make_teacher(name, *, task="classification", n_estimators=100, random_state=0):
    """The unfitted teacher for ``--teacher name``."""
    regression = task == "regression"
    if name == "svm":
        from sklearn.svm import SVC, SVR

        return scaled_target(SVR()) if regression else SVC()
    if name == "forest":
        from sklearn.ensemble import RandomForestClassifier, RandomForestRegressor

        cls = RandomForestRegressor if regression else RandomForestClassifier
        return cls(n_estimators=n_estimators, random_state=random_state)
    if name == "boosting":
        from sklearn.ensemble import (
            HistGradientBoostingClassifier,
            HistGradientBoostingRegressor,
        )

        cls = (
            HistGradientBoostingRegressor
            if regression
            else HistGradientBoostingClassifier
        )
        return cls(max_iter=n_estimators, random_state=random_state)
    from sklearn.neighbors import KNeighborsClassifier, KNeighborsRegressor

    return KNeighborsRegressor() if regression else KNeighborsClassifier()


def make_student(name, *, task="classification", C=1.0, max_depth=5, random_state=0):
    """The unfitted student for ``--student name``.

    ``C`` is an inverse penalty: ``C`` of the logistic regression,
    ``alpha=1/C`` of the ridge, ``alpha=1e-4/C`` of the MLP (``C=1`` gives
    scikit-learn's defaults). The classification MLP is an ``MLPClassifier``
    when its ``fit`` takes ``sample_weight`` (scikit-learn >= 1.7), else an
    ``MLPRegressor`` fitted on the log targets (logit matching); the
    regression MLP is fitted on the standardized target (:func:`scaled_target`).
    """
    regression = task == "regression"
    if name == "logistic":
        from sklearn.linear_model import LogisticRegression

        return LogisticRegression(C=C, max_iter=1000)
    if name == "ridge":
        from sklearn.linear_model import Ridge

        return Ridge(alpha=1.0 / C)
    if name == "tree":
        from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor

        cls = DecisionTreeRegressor if regression else DecisionTreeClassifier
        return cls(max_depth=max_depth, random_state=random_state)
    from sklearn.neural_network import MLPClassifier, MLPRegressor
    from sklearn.utils.validation import has_fit_parameter

    params = {
        "hidden_layer_sizes": (32,),
        "alpha": 1e-4 / C,
        "max_iter": 500,
        "random_state": random_state,
    }
    if regression:
        return scaled_target(MLPRegressor(**params))
    if has_fit_parameter(MLPClassifier(), "sample_weight"):
        return MLPClassifier(**params)
    return MLPRegressor(**params)


def penalty_parameter(name, student):
    """The parameter of a student made by :func:`make_student` that ``--grid``
    searches (its name in the student's ``get_params``)."""
    prefix = "regressor__" if hasattr(student, "transformer") else ""
    return prefix + GRID_PENALTY[name][0]


def _model(student):
    """The model of a student made by :func:`make_student` (inside its
    target standardization, for a regression MLP)."""
    return student.regressor if hasattr(student, "transformer") else student


def student_settings(name, student):
    """``(C, max_depth)`` of a student made by :func:`make_student` (its
    penalty chosen by ``--grid``, perhaps): the inverse of its penalty, or
    its depth, the other None."""
    student = _model(student)
    if name == "tree":
        return None, student.max_depth
    if name == "logistic":
        return float(student.C), None
    scale = 1.0 if name == "ridge" else 1e-4  # alpha = scale / C
    return scale / float(student.alpha), None


def describe_student(name, student):
    """A short description of the student for the report's header."""
    if name == "logistic":
        return f"logistic (C={student.C})"
    if name == "ridge":
        return f"ridge (alpha={student.alpha:g})"
    if name == "tree":
        return f"tree (max_depth={student.max_depth})"
    model = _model(student)
    kind = type(model).__name__
    if model is not student:
        kind += " on the standardized target"
    return f"mlp (32 hidden units, alpha={model.alpha:g}, {kind})"
