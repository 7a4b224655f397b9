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


class OutputError(ProdcheckError):
    """A report or observation file cannot be written."""
