"""Helpers shared by the live checks (pure: they only read a LiveTarget)."""

from __future__ import annotations

from auditor.live.observations import HttpObservation, LiveTarget
from auditor.model import Location
from auditor.registry import NotChecked


class ProbeFailed(Exception):
    """A probe was attempted and failed: the check's result is an error with this reason, not a skip."""


def http_of(target: LiveTarget) -> HttpObservation:
    """The HTTP observation; ProbeFailed when the page could not be fetched, NotChecked when none was recorded."""
    if target.http is None:
        if target.http_error:
            raise ProbeFailed(f"the page could not be fetched: {target.http_error}")
        raise NotChecked("no HTTP observation recorded for this target")
    return target.http


def failed_probes(what: str, errors: list[str]) -> ProbeFailed:
    """The error for ``len(errors)`` failed requests of one kind, naming the first reason."""
    more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
    return ProbeFailed(f"{len(errors)} {what} request(s) failed: {errors[0]}{more}")


def here(target: LiveTarget) -> Location:
    """The target URL as a finding location."""
    return Location(url=target.url)


def served_over_https(target: LiveTarget) -> bool:
    """The page was finally served over https."""
    page = http_of(target).page
    return (page.final_url or target.url).lower().startswith("https://")
