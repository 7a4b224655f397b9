"""Alert thresholds for what the repository already monitors, as the hand-written audits give them.

Only where monitoring is found (a health check, metrics, error tracking, an uptime or
alerting service, see :attr:`reports.facts.RepoFacts.monitoring`): a threshold for a signal
nobody collects is advice for later, which the Observability findings already give. The
levels follow the HeyDev audit: *critical* pages someone now, *warning* goes to chat.
"""

from __future__ import annotations

from dataclasses import dataclass

from auditor.model import Report
from reports.facts import RepoFacts


@dataclass(frozen=True)
class AlertLevel:
    """One alert level and its rules."""

    name: str
    route: str
    rules: tuple[str, ...]


@dataclass(frozen=True)
class AlertPlan:
    """The thresholds, and the monitoring they build on (display names)."""

    sources: tuple[str, ...]
    levels: tuple[AlertLevel, ...]


def alert_plan(report: Report, facts: RepoFacts) -> AlertPlan | None:
    """Thresholds for the signals the repository collects, or None when nothing monitors it."""
    kinds = {kind for kind, _name in facts.monitoring}
    if not kinds:
        return None
    critical: list[str] = []
    warning: list[str] = []
    if "health" in kinds or "uptime" in kinds:
        critical.append("health check failing 3 times in a row (about 2 min), or the container restarting "
                        "more than 3 times in 10 min")
    if "metrics" in kinds:
        critical.append("5xx responses above 5% of requests for 5 min")
        warning += ["5xx responses above 1% of requests for 10 min", "p95 latency above 1 s for 10 min"]
    if "errors" in kinds:
        warning.append("a new error type in production, or error events 3 times the usual hourly rate")
    volume = _data_volume(facts)
    if volume:
        critical.append(f"disk holding the volume '{volume}' above 90% full")
        warning.append(f"disk holding the volume '{volume}' above 75% full")
    if any(t.kind != "repo" and t.tls_grade for t in report.targets):
        warning.append("TLS certificate expiring in under 30 days (critical under 7)")
    levels = [AlertLevel("Critical", "page someone", tuple(critical)),
              AlertLevel("Warning", "chat or email", tuple(warning))]
    names = tuple(dict.fromkeys(name for _kind, name in facts.monitoring))
    return AlertPlan(names, tuple(level for level in levels if level.rules))


def _data_volume(facts: RepoFacts) -> str | None:
    """The named volume that holds the database (its service's, or the app's that holds the SQLite file)."""
    if facts.database == "sqlite":
        path = facts.sqlite_path
        return facts.volume_of(facts.app_service, path) if path else None
    return facts.volume_of(facts.database_service)
