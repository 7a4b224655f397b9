"""Typed views on a live target for the live checks: its observations, or why there are none.

A check asks for the observation it judges. The view raises what the runner turns into the right
result: ``NotChecked`` when the probe was not run, ``NotApplicable`` when it cannot apply (TLS on an
http:// URL), and ``ProbeFailed`` / ``TlsScanFailed`` when the probe ran and failed, so the result is
an error with the probe's reason, never a pass. Pure: views only read a ``LiveTarget``.
"""

from __future__ import annotations

from typing import Any

from auditor.live.observations import HttpObservation, LiveTarget
from auditor.live.tls import TlsObservation
from auditor.model import Location
from auditor.registry import NotApplicable, NotChecked


class ProbeFailed(Exception):
    """A probe was attempted and failed: the check's result is an error with this reason, not a skip."""


class TlsScanFailed(Exception):
    """The TLS probe could not scan the target; the check has nothing to judge."""


def http_of(target: LiveTarget) -> HttpObservation:
    """The HTTP observation; ProbeFailed when the page could not be fetched, NotChecked when none was recorded."""
    if target.http is None:
        if target.http_error:
            raise ProbeFailed(f"the page could not be fetched: {target.http_error}")
        raise NotChecked("no HTTP observation recorded for this target")
    return target.http


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


def failed_probes(what: str, errors: list[str]) -> ProbeFailed:
    """The error for ``len(errors)`` failed requests of one kind, naming the first reason."""
    more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
    return ProbeFailed(f"{len(errors)} {what} request(s) failed: {errors[0]}{more}")


def here(target: Any) -> Location:
    """The target URL as a finding location."""
    return Location(url=str(getattr(target, "url", "")))


def served_over_https(target: LiveTarget) -> bool:
    """The page was finally served over https."""
    page = http_of(target).page
    return (page.final_url or target.url).lower().startswith("https://")


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
