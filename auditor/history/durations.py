"""Durations such as ``30d``, ``12h`` or ``2w`` (for ``--since`` and ``prune --keep``)."""

from __future__ import annotations

import datetime as dt
import re

_UNITS = {"m": 60, "h": 3600, "d": 86400, "w": 7 * 86400}
_DURATION = re.compile(r"^\s*(\d+)\s*([mhdw])\s*$", re.IGNORECASE)


def parse_duration(text: str) -> dt.timedelta:
    """``30d`` -> 30 days; raise ValueError naming the accepted forms."""
    match = _DURATION.match(text or "")
    if not match:
        raise ValueError(f"bad duration {text!r} (use a number and a unit: 90m, 12h, 30d, 2w)")
    return dt.timedelta(seconds=int(match.group(1)) * _UNITS[match.group(2).lower()])
