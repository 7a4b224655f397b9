"""prodcheck engine: discovery, parsing, probes, runner, scoring and CLI.

Kept import-light on purpose: ``prodcheck --version`` must not pull in the
network or parsing stacks.
"""

__version__ = "0.1.0"
