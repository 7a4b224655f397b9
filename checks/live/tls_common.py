"""Helpers shared by the TLS live checks (no checks here).

A TLS check judges ``LiveTarget.tls``: an http:// URL has none (not
applicable); a TLS scan that failed becomes an error result with the probe's
one-line reason, never a pass.
"""

from __future__ import annotations

from typing import Any

from auditor.live.hsts import target_hsts
from auditor.live.tls import TlsObservation
from auditor.model import Location
from auditor.registry import NotApplicable, NotChecked


class TlsScanFailed(Exception):
    """The TLS probe could not scan the target; the check has nothing to judge."""


def tls_of(target: Any) -> TlsObservation:
    """The target's TLS observation; NotApplicable for http:// URLs, NotChecked when TLS was not probed,
    TlsScanFailed on probe errors."""
    tls: TlsObservation | None = getattr(target, "tls", None)
    if tls is None:
        if str(getattr(target, "url", "")).lower().startswith("https:"):
            raise NotChecked("TLS was not probed")
        raise NotApplicable("the URL is not https")
    if tls.error:
        raise TlsScanFailed(tls.error)
    return tls


def location(target: Any) -> Location:
    """Where a TLS finding points: the target URL."""
    return Location(url=str(getattr(target, "url", "")))


def hsts_max_age(target: Any) -> int | None:
    """HSTS max-age of the target, through the one HSTS parser (None when absent or invalid)."""
    return target_hsts(target).max_age


def short_list(items: list[str], limit: int = 4) -> str:
    """``a, b, c and 3 more``."""
    unique = list(dict.fromkeys(items))
    if len(unique) <= limit:
        return ", ".join(unique)
    return ", ".join(unique[:limit]) + f" and {len(unique) - limit} more"


def pretty_protocol(name: str) -> str:
    """``TLSv1.0`` -> ``TLS 1.0``; ``SSLv3`` -> ``SSL 3.0``."""
    if name.startswith("TLSv"):
        return "TLS " + name[4:]
    if name.startswith("SSLv"):
        return f"SSL {name[4:]}.0"
    return name
