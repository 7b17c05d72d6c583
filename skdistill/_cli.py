"""Command line: dispatch to the subcommands, one-line errors, output files.

``skdistill [options]`` (no subcommand) runs the main job
(:mod:`skdistill._cli_train`); ``skdistill NAME ...`` runs the subcommand
``NAME``. A subcommand lives in its own module ``skdistill._cli_NAME`` that
defines ``add_NAME_parser(subparsers)`` (it adds its parser to an
:mod:`argparse` subparsers object) and ``run_NAME(args)`` (it returns an exit
status and raises :class:`UsageError` for bad input); registering one is a
line in ``SUBCOMMANDS``. Nothing heavy (NumPy, scikit-learn) is imported
before the arguments are parsed, so ``--help`` is instant.
"""

import argparse
import importlib
import importlib.util
import math
import os
import sys
import tempfile
import warnings

# Subcommands other than the default one: name -> module.
SUBCOMMANDS = {
    "predict": "skdistill._cli_predict",
    "search": "skdistill._cli_search",
}


class UsageError(Exception):
    """Bad input from the user: reported as ``skdistill: error: ...``, exit 2."""


class _Parser(argparse.ArgumentParser):
    """An argument parser whose errors are one line on stderr (exit code 2)."""

    def error(self, message):
        message = " ".join(str(message).split())
        self.exit(2, f"skdistill: error: {message} (see {self.prog} --help)\n")


def finite_float(text):
    """argparse type: a finite number (``nan`` and ``inf`` are refused)."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not math.isfinite(value):
        raise argparse.ArgumentTypeError(f"must be a finite number, got {text!r}")
    return value


def seed(text):
    """argparse type: a random seed, an integer in [0, 2**32 - 1]."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an integer: {text!r}") from None
    if not 0 <= value < 2**32:
        raise argparse.ArgumentTypeError(
            f"must be an integer in [0, 2**32 - 1], got {text!r}"
        )
    return value


def separator(text):
    """argparse type: a CSV separator; ``\\t`` and ``tab`` mean a tab."""
    if text in ("\\t", "tab", "TAB"):
        return "\t"
    if len(text) != 1:
        raise argparse.ArgumentTypeError(
            f"must be one character (or \\t), got {text!r}"
        )
    return text


# scikit-learn's embedded data sets the command line can load.
DATASETS = ("digits", "wine", "breast_cancer", "iris")


def add_source_arguments(group):
    """Add where the rows come from: ``--dataset``, or ``--csv`` with
    ``--target``, ``--sep`` and ``--drop``."""
    source = group.add_mutually_exclusive_group()
    source.add_argument(
        "--dataset",
        choices=DATASETS,
        default=None,
        help="scikit-learn's embedded data set (default: digits)",
    )
    source.add_argument(
        "--csv", metavar="PATH", help="a CSV file with a header row (needs pandas)"
    )
    group.add_argument(
        "--target",
        metavar="COLUMN",
        help="the target column of --csv (required with it)",
    )
    group.add_argument(
        "--sep",
        type=separator,
        default=",",
        metavar="CHAR",
        help="field separator of --csv; \\t for a TSV file (default: ',')",
    )
    group.add_argument(
        "--drop",
        metavar="COLUMN",
        action="append",
        default=[],
        help="a column of --csv not to use as a feature (repeatable)",
    )


def check_output_path(option, path):
    """Raise :class:`UsageError` unless ``path`` can be written as a file.

    Checked before any fitting: the folder exists and is writable, and the
    path is not a folder nor a read-only file.
    """
    if path is None:
        return
    path = os.fspath(path)
    if path == "" or path.endswith(os.sep) or os.path.isdir(path):
        raise UsageError(f"{option}: {path!r} is a folder; give a file name")
    folder = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(folder):
        raise UsageError(f"{option}: the folder {folder!r} does not exist")
    if os.path.exists(path) and not os.access(path, os.W_OK):
        raise UsageError(f"{option}: {path!r} is not writable")
    try:
        probe = tempfile.NamedTemporaryFile(dir=folder, prefix=".skdistill-")
    except OSError as exc:
        raise UsageError(
            f"{option}: cannot write in the folder {folder!r} "
            f"({exc.strerror or type(exc).__name__})"
        ) from None
    probe.close()


def write_atomically(path, data):
    """Write ``data`` (bytes or str) to ``path`` through a temporary file.

    The file is written next to ``path`` and renamed over it, so a failed
    write leaves any previous file at ``path`` untouched.
    """
    from .io import _write_atomically

    if isinstance(data, str):
        data = data.encode("utf-8")
    _write_atomically(path, data)


def print_text(text):
    """Print to stdout; a closed pipe (e.g. ``| head``) is not an error."""
    try:
        print(text, flush=True)
    except BrokenPipeError:
        # Python flushes stdout again at exit: point it at devnull first.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    return 0


def print_note(note):
    """One note for the user on stderr."""
    print(f"skdistill: note: {note}", file=sys.stderr, flush=True)


def _is_error_line(text):
    """Whether ``text`` is a traceback's last line, ``SomeError: message``."""
    name = text.partition(":")[0]
    return all(part.isidentifier() for part in name.split(".")) and name.endswith(
        ("Error", "Exception")
    )


# What a traceback says between a chained exception and the next one.
_CHAINED = (
    "The above exception was the direct cause",
    "During handling of the above exception",
)


def _one_line(text):
    """A message of several lines in one: its first line and its cause.

    The cause is the first error the message quotes (a search's failures,
    with their tracebacks): the line ``SomeError: ...`` that ends the first
    traceback, which with chained exceptions is the one raised last.

    Parameters
    ----------
    text : str
        The message.

    Returns
    -------
    line : str
        ``"first line (SomeError: ...)"``, or the first line alone when the
        message quotes no error.
    """
    lines = [line.strip() for line in str(text).strip().splitlines()]
    lines = [line for line in lines if line]
    if not lines:
        return ""
    cause = None
    for i, line in enumerate(lines[1:], start=1):
        if not _is_error_line(line):
            continue
        cause = line
        if i + 1 == len(lines) or not lines[i + 1].startswith(_CHAINED):
            break
    return lines[0] if cause is None else f"{lines[0]} ({cause})"


def _one_line_warning(message, category, filename, lineno, file=None, line=None):
    """Show a warning as one line on stderr (a search's failures, with their
    tracebacks, included): its first line and the error it quotes."""
    print(
        f"skdistill: warning: {category.__name__}: {_one_line(message)}",
        file=sys.stderr,
        flush=True,
    )


def check_fold_counts(y, n_folds, task, what):
    """Refuse ``n_folds`` (stratified for a classification) on too few rows.

    As :class:`~sklearn.model_selection.StratifiedKFold`: an error when no
    class has a row per fold (fewer rows in some classes only is a warning).
    """
    import numpy as np

    if task == "classification":
        classes, counts = np.unique(y, return_counts=True)
        if counts.max() < n_folds:
            largest = classes.tolist()[int(np.argmax(counts))]
            raise UsageError(
                f"{what}: even the largest class, {largest!r}, has "
                f"{counts.max()} rows, fewer than the {n_folds} stratified folds"
            )
    elif len(y) < n_folds:
        raise UsageError(f"{what}: {len(y)} rows, fewer than the {n_folds} folds")


def _available_subcommands():
    names = {}
    for name, module in SUBCOMMANDS.items():
        try:
            found = importlib.util.find_spec(module) is not None
        except ImportError:
            found = False
        if found:
            names[name] = module
    return names


def build_subcommand_parser(names):
    """The parser of ``skdistill NAME ...`` for the subcommands ``names``."""
    parser = _Parser(prog="skdistill")
    subparsers = parser.add_subparsers(
        dest="command", metavar="COMMAND", parser_class=_Parser
    )
    for name, module_name in names.items():
        try:
            module = importlib.import_module(module_name)
        except ImportError:
            continue
        add = getattr(module, f"add_{name}_parser", None)
        run = getattr(module, f"run_{name}", None)
        if add is None or run is None:
            continue
        returned = add(subparsers)
        sub = subparsers.choices.get(name, returned)
        sub.set_defaults(_run=run, _parser=sub)
    return parser


def _fail(parser, exc):
    """One line on stderr for an unexpected error, exit status 1.

    The error's first line, with the error it quotes (see :func:`_one_line`):
    a search whose every fit failed says why.
    """
    text = _one_line(exc)
    kind = type(exc).__name__
    message = f"{kind}: {text}" if text else kind
    print(f"skdistill: error: {message}", file=sys.stderr, flush=True)
    return 1


def _run_guarded(parser, run, args):
    """Run a command; user errors exit 2, any other error 1, never a traceback."""
    try:
        with warnings.catch_warnings():
            warnings.showwarning = _one_line_warning
            status = run(args)
    except UsageError as exc:
        parser.error(str(exc))
    except KeyboardInterrupt:
        print("skdistill: interrupted", file=sys.stderr, flush=True)
        return 130
    except MemoryError:
        print("skdistill: error: out of memory", file=sys.stderr, flush=True)
        return 1
    except Exception as exc:  # noqa: BLE001 - the command line prints no traceback
        if os.environ.get("SKDISTILL_DEBUG", "") not in ("", "0"):
            raise
        return _fail(parser, exc)
    return 0 if status is None else status


def main(argv=None):
    """Entry point of ``skdistill`` and ``python -m skdistill``.

    Parameters
    ----------
    argv : list of str, default=None
        The arguments; ``None`` reads ``sys.argv[1:]``.

    Returns
    -------
    status : int
        0 on success, 1 when a step fails. Usage errors exit with status 2
        and a one-line message ``skdistill: error: ...`` on stderr. No error
        prints a traceback (set ``SKDISTILL_DEBUG=1`` to see one).
    """
    argv = sys.argv[1:] if argv is None else [str(a) for a in argv]
    names = _available_subcommands()
    if argv and argv[0] in names:
        parser = build_subcommand_parser(names)
        args, extra = parser.parse_known_args(argv)
        if extra:  # pointing to the subcommand's help, not the main one's
            args._parser.error(f"unrecognized arguments: {' '.join(extra)}")
        return _run_guarded(args._parser, args._run, args)
    if argv and argv[0] == "train":  # the default command, by its name
        argv = argv[1:]
    from . import _cli_train

    parser = _cli_train.build_parser(subcommands=list(names))
    args = parser.parse_args(argv)
    return _run_guarded(parser, lambda a: _cli_train.run_train(a, parser), args)
