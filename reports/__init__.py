"""Renderers: each module turns a Report into text for one format.

Every renderer module exposes ``EXTENSION`` and a pure ``render(report) -> str``.
"""

from __future__ import annotations

import importlib
from typing import Protocol

from auditor.model import Report

FORMATS: dict[str, str] = {
    "text": "reports.text",
    "md": "reports.markdown",
    "json": "reports.json_report",
    "sarif": "reports.sarif",
    "html": "reports.html",
    "github": "reports.github",
}


class Renderer(Protocol):
    """What a renderer module provides."""

    EXTENSION: str

    def render(self, report: Report) -> str:  # pragma: no cover - protocol
        """Render the report."""


def renderer(fmt: str) -> Renderer:
    """Import the renderer module for a format name (``md``, ``json`` ...)."""
    module = importlib.import_module(FORMATS[fmt])
    return module  # type: ignore[return-value]


def available_formats() -> list[str]:
    """Formats whose renderer module is installed."""
    out = []
    for fmt, name in FORMATS.items():
        try:
            importlib.import_module(name)
        except ImportError:
            continue
        out.append(fmt)
    return out
