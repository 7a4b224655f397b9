"""Finding the entry-point plugins cheaply (no check or model import)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

PLUGIN_GROUP = "prodcheck.checks"


def plugin_entry_points() -> Iterator[Any]:
    """Entry points of the plugin group, parsing only the ``entry_points.txt`` files that name it.

    ``importlib.metadata.entry_points(group=...)`` parses every installed distribution's
    entry points before filtering; here a plain substring test skips the others. The
    first distribution of a name on ``sys.path`` wins, as there.
    """
    from importlib.metadata import distributions

    seen: set[str] = set()
    for dist in distributions():
        text = dist.read_text("entry_points.txt")
        if not text or PLUGIN_GROUP not in text:
            continue
        name = (dist.metadata["Name"] or "").lower().replace("_", "-")
        if name in seen:
            continue
        seen.add(name)
        yield from dist.entry_points.select(group=PLUGIN_GROUP)
