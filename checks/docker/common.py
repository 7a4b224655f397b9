"""Thin re-export of :mod:`auditor.deploy.checkviews` for code that still imports the old helper module."""

from __future__ import annotations

from auditor.deploy.checkviews import *  # noqa: F403 - re-exports
from auditor.deploy.checkviews import __all__  # noqa: F401
