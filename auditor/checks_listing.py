"""Rows for ``prodcheck checks list``: from the committed catalog, importing no check module.

Plugins (entry points) are still loaded, since only importing them tells what they define;
their rows are merged into the catalog's in registry order (section, then id). A stale or
missing catalog falls back to importing every check (slower, same rows).
"""

from __future__ import annotations

from typing import Any

Row = dict[str, Any]


def listing_rows() -> tuple[list[Row], list[str]]:
    """(rows in registry order, problems met loading plugins)."""
    from auditor import catalog
    from auditor.plugins import plugin_entry_points

    entries = catalog.load()
    if entries is None:
        from auditor.registry import load_registry

        registry = load_registry()
        return _rows_of(list(registry)), list(registry.problems)
    rows: list[Row] = [{"id": e.id, "title": e.title, "severity": e.severity, "section": e.section,
                        "section_title": e.section_title, "target": e.target} for e in entries]
    if not any(True for _ in plugin_entry_points()):
        return rows, []
    from auditor.model import Section
    from auditor.registry import load_plugins

    reserved = frozenset(name for e in entries for name in (e.id, *e.aliases))
    plugins = load_plugins(reserved)
    order = {section.id: section.order for section in Section}
    merged = sorted([*rows, *_rows_of(list(plugins))], key=lambda row: (order.get(row["section"], 99), row["id"]))
    return merged, list(plugins.problems)


def _rows_of(specs: list[Any]) -> list[Row]:
    """Listing rows of loaded check specs."""
    return [{"id": s.id, "title": s.meta.title, "severity": s.meta.severity.label, "section": s.meta.section.id,
             "section_title": s.meta.section.title, "target": s.meta.target.value} for s in specs]
