"""The priority action plan shared by every renderer.

Failing checks are grouped by their worst severity:

* **Immediate** - critical and high;
* **Short-term** - medium;
* **Medium-term** - low.

Info findings are observations, not actions, and never enter the plan.

Effort per item starts from the check's ``CheckMeta.effort_hours`` (the
first finding) and grows by half that for each further finding, because the
second occurrence of the same fix is cheaper than the first; the growth is
capped at five times the base so a check with 200 findings does not claim a
quarter of a year. Efforts are shown in hours below one working day (8 h)
and in days above.
"""

from __future__ import annotations

from dataclasses import dataclass

from auditor.model import CheckResult, Report, Section, Severity

HOURS_PER_DAY = 8.0
EXTRA_FINDING_FACTOR = 0.5
MAX_SCALE = 5.0


@dataclass(frozen=True)
class PlanItem:
    """One action: fix one failing check (all of its findings)."""

    result: CheckResult
    severity: Severity
    findings: int
    hours: float

    @property
    def check_id(self) -> str:
        """The failing check's id."""
        return self.result.meta.id

    @property
    def title(self) -> str:
        """The failing check's title."""
        return self.result.meta.title

    @property
    def section(self) -> Section:
        """The checklist area the action belongs to."""
        return self.result.meta.section

    @property
    def effort(self) -> str:
        """Rough effort label, e.g. ``2 h`` or ``1.5 days``."""
        return effort_label(self.hours)


@dataclass(frozen=True)
class PlanGroup:
    """A horizon of the plan (Immediate / Short-term / Medium-term) and its items."""

    name: str
    horizon: str
    severities: tuple[Severity, ...]
    items: tuple[PlanItem, ...]

    @property
    def hours(self) -> float:
        """Total effort of the group, in hours."""
        return sum(item.hours for item in self.items)

    @property
    def effort(self) -> str:
        """Rough total effort label of the group."""
        return effort_label(self.hours)


@dataclass(frozen=True)
class ActionPlan:
    """The whole plan: always three groups, in order, possibly empty."""

    groups: tuple[PlanGroup, ...]

    @property
    def items(self) -> list[PlanItem]:
        """Every item, Immediate first."""
        return [item for group in self.groups for item in group.items]

    @property
    def hours(self) -> float:
        """Total estimate in hours."""
        return sum(group.hours for group in self.groups)

    @property
    def total(self) -> str:
        """Total estimate label, e.g. ``3 days``."""
        return effort_label(self.hours)

    @property
    def empty(self) -> bool:
        """True when there is nothing to do."""
        return not self.items


_GROUPS: tuple[tuple[str, str, tuple[Severity, ...]], ...] = (
    ("Immediate", "this week", (Severity.CRITICAL, Severity.HIGH)),
    ("Short-term", "this month", (Severity.MEDIUM,)),
    ("Medium-term", "this quarter", (Severity.LOW,)),
)


def item_hours(base_hours: float, findings: int) -> float:
    """Effort for fixing ``findings`` occurrences of a check whose first fix takes ``base_hours``."""
    extra = max(findings - 1, 0) * EXTRA_FINDING_FACTOR
    return round(max(base_hours, 0.0) * min(1.0 + extra, MAX_SCALE), 2)


def effort_label(hours: float) -> str:
    """``30 min``, ``2 h``, ``1 day``, ``2.5 days`` (8-hour days, rounded to half units)."""
    if hours <= 0:
        return "0 h"
    if hours < 1:
        return f"{max(15, round(hours * 60 / 15) * 15)} min"
    if hours < HOURS_PER_DAY:
        rounded = round(hours * 2) / 2
        return f"{rounded:g} h"
    days = round(hours / HOURS_PER_DAY * 2) / 2
    return f"{days:g} day" if days == 1 else f"{days:g} days"


def build_plan(report: Report) -> ActionPlan:
    """Group the report's failing checks into the three horizons, worst and earliest area first."""
    buckets: dict[str, list[PlanItem]] = {name: [] for name, _, _ in _GROUPS}
    for result in report.failed:  # already sorted worst first, then section order, then id
        severity = result.worst_severity
        for name, _, severities in _GROUPS:
            if severity in severities:
                count = max(len(result.findings), 1)
                buckets[name].append(
                    PlanItem(result=result, severity=severity, findings=count,
                             hours=item_hours(result.meta.effort_hours, count))
                )
                break
    return ActionPlan(
        groups=tuple(
            PlanGroup(name=name, horizon=horizon, severities=severities, items=tuple(buckets[name]))
            for name, horizon, severities in _GROUPS
        )
    )
