"""Command line: distil an RBF-SVM teacher into a logistic student and report."""

import argparse
import sys

from sklearn.base import clone
from sklearn.datasets import load_digits
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC

from . import __version__
from ._classifier import DistilledClassifier
from .metrics import compression_report, format_report


def build_parser():
    """The argument parser of ``python -m skdistill``."""
    parser = argparse.ArgumentParser(
        prog="skdistill",
        description=(
            "Distil an RBF-SVM teacher (its decision function gives the soft "
            "targets) into a logistic-regression student on "
            "scikit-learn's digits data set (embedded, no download), and print "
            "test accuracy, agreement with the teacher (fidelity), non-zero "
            "parameters, pickled size and prediction time per 1,000 rows for "
            "the teacher, a student trained on the hard labels and the "
            "distilled student."
        ),
    )
    parser.add_argument(
        "--alpha",
        type=float,
        default=0.5,
        help="weight of the teacher in the training targets, in [0, 1] "
        "(default: %(default)s)",
    )
    parser.add_argument(
        "-T",
        "--temperature",
        dest="T",
        type=float,
        default=4.0,
        help="temperature applied to the teacher's logits, > 0 (default: %(default)s)",
    )
    parser.add_argument(
        "-C",
        dest="C",
        type=float,
        default=1.0,
        help="inverse L2 penalty of the logistic students (default: %(default)s)",
    )
    parser.add_argument(
        "--test-size",
        type=float,
        default=0.3,
        help="fraction of the rows held out for testing (default: %(default)s)",
    )
    parser.add_argument(
        "--random-state",
        type=int,
        default=0,
        help="seed of the train/test split (default: %(default)s)",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    return parser


def run(args):
    """Fit the three models and return the report (a dict)."""
    X, y = load_digits(return_X_y=True)
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=args.test_size, stratify=y, random_state=args.random_state
    )
    scaler = StandardScaler().fit(X_train)
    X_train, X_test = scaler.transform(X_train), scaler.transform(X_test)
    student = LogisticRegression(C=args.C, max_iter=1000)
    distilled = DistilledClassifier(
        SVC(),
        student,
        alpha=args.alpha,
        T=args.T,
    ).fit(X_train, y_train)
    models = {
        "teacher (RBF SVM)": distilled.teacher_,
        "student, hard labels": clone(student).fit(X_train, y_train),
        "student, distilled": distilled.student_,
    }
    return compression_report(models, X_test, y_test, teacher="teacher (RBF SVM)")


def main(argv=None):
    """Entry point of ``skdistill`` and ``python -m skdistill``."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if not 0 <= args.alpha <= 1:
        parser.error(f"--alpha must be in [0, 1], got {args.alpha}")
    if args.T <= 0:
        parser.error(f"-T must be > 0, got {args.T}")
    if args.C <= 0:
        parser.error(f"-C must be > 0, got {args.C}")
    if not 0 < args.test_size < 1:
        parser.error(f"--test-size must be in (0, 1), got {args.test_size}")
    print(
        f"digits: teacher RBF SVM, students logistic (C={args.C}); "
        f"alpha={args.alpha}, T={args.T}"
    )
    print(format_report(run(args)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
