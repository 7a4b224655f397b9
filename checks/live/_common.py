"""Helpers shared by the live checks (pure: they only read a LiveTarget)."""

from __future__ import annotations

from auditor.live.observations import HttpObservation, LiveTarget
from auditor.model import Location
from auditor.registry import NotApplicable


def http_of(target: LiveTarget) -> HttpObservation:
    """The HTTP observation, or NotApplicable when the probe recorded none."""
    if target.http is None:
        raise NotApplicable("no HTTP observation recorded for this target")
    return target.http


def here(target: LiveTarget) -> Location:
    """The target URL as a finding location."""
    return Location(url=target.url)


def served_over_https(target: LiveTarget) -> bool:
    """The page was finally served over https."""
    page = http_of(target).page
    return (page.final_url or target.url).lower().startswith("https://")
