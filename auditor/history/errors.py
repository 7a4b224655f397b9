"""The one error type of the history store: a message fit to print as is."""

from __future__ import annotations


class HistoryError(Exception):
    """The history cannot be opened, read or written; the message says why and what was kept."""
