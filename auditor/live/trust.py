"""Which live settings a config file may give: a scanned repository cannot make prodcheck probe anything.

A ``.prodcheck.yaml`` (or ``[tool.prodcheck]``) found in the scanned tree was
written by whoever controls that tree. It may tune probes of URLs the user asked
for (health paths, assets, burst path: all capped per target by the probe), but
it may not name targets nor pin host names to addresses (``resolve``), which
would send requests where the user never pointed prodcheck. A config passed with
``--config`` is the user's own and may do both.
"""

from __future__ import annotations

from collections.abc import MutableMapping
from typing import Any

# Keys that choose where requests go.
_WHERE = ("resolve",)


def untrusted_live_config(targets: list[dict[str, Any]], live: MutableMapping[str, Any], source: str | None, *,
                          trusted: bool) -> tuple[list[dict[str, Any]], bool, list[str]]:
    """Targets usable for this scan, whether they may add URLs, and notes saying what was ignored.

    ``live`` (the global ``live:`` knobs) loses the keys an untrusted file may
    not set, in place.
    """
    if trusted or source is None:
        return targets, True, []
    notes: list[str] = []
    named = [str(t.get("url")) for t in targets if t.get("url")]
    if named:
        shown = ", ".join(named[:3]) + (f" and {len(named) - 3} more" if len(named) > 3 else "")
        notes.append(f"{source}: 'targets' ({shown}) ignored: a config found in the scanned tree cannot name "
                     "live targets; pass it with --config, or use --url (its per-URL probe settings then apply)")
    dropped = [key for key in _WHERE if key in live]
    for key in dropped:
        del live[key]
    cleaned = []
    for target in targets:
        bad = [key for key in _WHERE if key in target]
        dropped += bad
        cleaned.append({k: v for k, v in target.items() if k not in _WHERE})
    if dropped:
        notes.append(f"{source}: 'resolve' ignored: a config found in the scanned tree cannot pin host names to "
                     "addresses; pass it with --config, or use --resolve")
    return cleaned, False, notes
