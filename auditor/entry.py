"""The ``prodcheck`` console script: answers ``--version`` before importing click.

``prodcheck --version`` is what scripts and CI images call to see whether prodcheck is
installed; importing click (and the command definitions) is about half of its cost.
Any other arguments go to the click command group unchanged.
"""

from __future__ import annotations

import sys


def main() -> None:
    """Print the version for exactly ``--version``/``-V``; otherwise run the CLI."""
    if sys.argv[1:] in (["--version"], ["-V"]):
        from auditor import __version__

        # The same line click.version_option prints.
        sys.stdout.write(f"prodcheck, version {__version__}\n")
        return
    from auditor.cli import main as cli

    cli()
