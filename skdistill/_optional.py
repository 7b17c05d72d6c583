"""Optional dependencies: imported when a feature needs them, named by extra."""

import importlib

# the pip extra of skdistill that installs each optional package
EXTRAS = {
    "pandas": "pandas",
    "matplotlib": "plot",
    "skops": "persist",
    "skl2onnx": "onnx",
    "onnxruntime": "onnx",
    "onnx": "onnx",
    "dask": "dask",
    "distributed": "dask",
}


def missing_message(caller, package, exc):
    """What to tell a user whose import of ``package`` failed with ``exc``.

    A package that is not installed is named with the extra that installs it;
    one that is installed but fails to import (an old release that does not
    work with this scikit-learn or numpy) is named with the failure itself,
    which installing it again would not change.
    """
    extra = EXTRAS[package]
    # the package itself is missing, not one of its own modules (an
    # interrupted upgrade leaves some out)
    if isinstance(exc, ModuleNotFoundError) and exc.name == package:
        return (
            f"{caller} needs {package}, which is not installed: "
            f"pip install 'skdistill[{extra}]' (or pip install {package})."
        )
    return (
        f"{caller} needs {package}, which is installed but could not be "
        f"imported ({type(exc).__name__}: {exc}); upgrade it: "
        f"pip install --upgrade 'skdistill[{extra}]'."
    )


def import_optional(module, caller):
    """Import ``module`` (of an optional package), or raise an ImportError
    saying what ``caller`` needs and how to install it."""
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        package = module.split(".")[0]
        raise ImportError(missing_message(caller, package, exc)) from exc


def optional_error(module, caller):
    """The message of :func:`import_optional`'s error, or None when
    ``module`` imports (for a command line's usage errors)."""
    try:
        import_optional(module, caller)
    except ImportError as exc:
        return str(exc)
    return None
