"""The errors prodcheck reports to its user: one hierarchy, caught once at the command line's edge.

Every expected failure (a bad config, baseline or report file, an unreachable probe dependency, a
plugin that cannot load, an output that cannot be written) is a :class:`ProdcheckError` with a
message that names the file, key or value at fault. The CLI prints the message on one line and
exits 2 ("usage or configuration error"); it never exits 1, which CI reads as "a gate failed".
"""

from __future__ import annotations

EXIT_USAGE = 2


class ProdcheckError(Exception):
    """A failure the user can act on; ``str(exc)`` is the one-line message shown to them."""

    exit_code = EXIT_USAGE


class ConfigurationError(ProdcheckError):
    """A configuration file, flag or environment value is invalid."""


class BaselineFileError(ProdcheckError):
    """A baseline file cannot be read or written."""


class ReportFileError(ProdcheckError):
    """A report given to ``prodcheck diff`` cannot be read."""


class ProbeError(ProdcheckError):
    """A live probe cannot be configured (bad URL, ``--resolve`` value, CA bundle)."""


class PluginLoadError(ProdcheckError):
    """A third-party check could not be loaded."""




def debug_traceback() -> None:
    """Print the current exception's traceback when ``--debug`` (or ``PRODCHECK_DEBUG``) is on."""
    import os
    import sys

    if _DEBUG[0] or os.environ.get("PRODCHECK_DEBUG"):
        import traceback

        traceback.print_exc(file=sys.stderr)


_DEBUG = [False]


def enable_debug() -> None:
    """Turn on tracebacks for unexpected errors (the CLI's ``--debug``)."""
    _DEBUG[0] = True


def debug_enabled() -> bool:
    """Whether ``--debug`` or ``PRODCHECK_DEBUG`` is on."""
    import os

    return _DEBUG[0] or bool(os.environ.get("PRODCHECK_DEBUG"))
