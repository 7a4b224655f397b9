"""The priority action plan shared by every renderer, and the grouping it rests on.

**Issues.** A report lists *issues*, not raw check results: an issue is one
failing check, or several related failing checks that one fix resolves
(the repository check that finds a missing ``secureHeaders()`` and the live
checks that see each header missing on the site). Each check says which
group it belongs to in its own metadata (``@check(group=..., group_rank=...)``),
so no check id is written here. A group is shown once:
repository evidence first, then what the live scan confirmed, one fix (the
repository-side one for the detected stack) and its effort counted once.

**Priority.** Issues are ranked by worst severity; within one severity,
data-loss and security risks come before hygiene (:data:`SECTION_PRIORITY`),
and checks whose failure loses data for good (``@check(data_loss=True)``)
come first of all. The report's section order itself does not change.

**Plan.** Issues are bucketed by their worst severity:

* **Immediate** - critical and high;
* **Short-term** - medium;
* **Medium-term** - low.

Info findings are observations, not actions, and never enter the plan.

Effort per check starts from ``CheckMeta.effort_hours`` (the first finding)
and grows by half that for each further finding, because the second
occurrence of the same fix is cheaper than the first; the growth is capped
at five times the base so a check with 200 findings does not claim a quarter
of a year. A group costs what its most expensive member costs (one fix
resolves them all), never the sum. Efforts are shown in hours below one
working day (8 h) and in days above.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from auditor.model import CheckResult, Finding, Report, Section, Severity, Status, Target

HOURS_PER_DAY = 8.0
EXTRA_FINDING_FACTOR = 0.5
MAX_SCALE = 5.0

#: Ranking of areas within one severity: data loss and security before hygiene.
SECTION_PRIORITY: tuple[Section, ...] = (
    Section.DATA,
    Section.SECURITY,
    Section.DEPLOYMENT,
    Section.HARDENING,
    Section.CONFIGURATION,
    Section.OBSERVABILITY,
    Section.OPERATIONS,
    Section.DELIVERY,
    Section.COMPLIANCE,
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


def _finding_count(result: CheckResult) -> int:
    return max(len(result.findings), 1)


@dataclass(frozen=True)
class PlanItem:
    """One issue to fix: a failing check, or a group of related failing checks fixed together.

    ``results`` holds the lead first: repository checks before live ones,
    each in ``group_rank`` order, so the repository evidence is what a
    reader sees first.
    """

    results: tuple[CheckResult, ...]
    group: str | None = None

    @property
    def result(self) -> CheckResult:
        """The lead check (where the issue is shown and what it links to)."""
        return self.results[0]

    @property
    def grouped(self) -> bool:
        """True when several failing checks are shown as this one issue."""
        return len(self.results) > 1

    @property
    def check_id(self) -> str:
        """The lead check's id."""
        return self.result.meta.id

    @property
    def check_ids(self) -> tuple[str, ...]:
        """Every member's id, lead first."""
        return tuple(r.meta.id for r in self.results)

    @property
    def title(self) -> str:
        """The group title for a group, else the failing check's title."""
        return self.group if self.grouped and self.group else self.result.meta.title

    @property
    def section(self) -> Section:
        """The checklist area the issue is shown in (its lead's)."""
        return self.result.meta.section

    @property
    def severity(self) -> Severity:
        """The worst severity among all members' findings."""
        return max(r.worst_severity for r in self.results)

    @property
    def all_findings(self) -> tuple[Finding, ...]:
        """Every member's findings, lead member first: the first is where the issue is shown."""
        return tuple(f for r in self.results for f in r.findings)

    @property
    def findings(self) -> int:
        """Open findings across members (a failing check without findings counts once)."""
        return sum(_finding_count(r) for r in self.results)

    @property
    def hours(self) -> float:
        """Effort: the most expensive member's, because one fix resolves the whole group."""
        return max(item_hours(r.meta.effort_hours, _finding_count(r)) for r in self.results)

    @property
    def effort(self) -> str:
        """Rough effort label, e.g. ``2 h`` or ``1.5 days``."""
        return effort_label(self.hours)

    @property
    def repo_results(self) -> tuple[CheckResult, ...]:
        """Members that judged the repository."""
        return tuple(r for r in self.results if r.meta.target is not Target.LIVE)

    @property
    def live_results(self) -> tuple[CheckResult, ...]:
        """Members that judged a live target."""
        return tuple(r for r in self.results if r.meta.target is Target.LIVE)

    @property
    def confirmed_live(self) -> bool:
        """True when a live scan saw what the repository scan found."""
        return bool(self.repo_results) and bool(self.live_results)

    @property
    def fix(self) -> CheckResult:
        """The member whose fix the report shows: the first, in lead order, that documents one."""
        for result in self.results:
            if result.meta.doc.fix or result.meta.doc.snippets:
                return result
        return self.result


def _member_key(result: CheckResult) -> tuple[int, int, int, str, str]:
    live = 1 if result.meta.target is Target.LIVE else 0
    return (live, -result.worst_severity if live else 0, result.meta.group_rank, result.meta.id, result.target)


def priority_key(item: PlanItem) -> tuple[int, int, int, int, str, str]:
    """Sort key: worst severity, then data-loss checks, then area rank, security before hygiene, id."""
    return (
        -item.severity,
        0 if any(r.meta.data_loss for r in item.results) else 1,
        SECTION_PRIORITY.index(item.section) if item.section in SECTION_PRIORITY else len(SECTION_PRIORITY),
        0 if any(r.meta.security for r in item.results) else 1,
        item.check_id,
        item.result.target,
    )


def group_results(results: Iterable[CheckResult]) -> list[PlanItem]:
    """Failing results as issues (related checks merged by their ``group``), highest priority first."""
    groups: dict[str, list[CheckResult]] = {}
    singles: list[PlanItem] = []
    for result in results:
        if result.status is not Status.FAIL:
            continue
        name = result.meta.group
        if name is None:
            singles.append(PlanItem(results=(result,)))
        else:
            groups.setdefault(name, []).append(result)
    items = singles + [
        PlanItem(results=tuple(sorted(members, key=_member_key)), group=name) for name, members in groups.items()
    ]
    return sorted(items, key=priority_key)


def issues(report: Report) -> list[PlanItem]:
    """Every open issue of the report (info ones included), highest priority first."""
    return group_results(report.results)


def issue_of(report: Report) -> dict[int, PlanItem]:
    """The issue each failing result belongs to, keyed by ``id(result)``."""
    return {id(result): item for item in issues(report) for result in item.results}


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


def build_plan(report: Report) -> ActionPlan:
    """Bucket the report's issues into the three horizons, highest priority first in each."""
    buckets: dict[str, list[PlanItem]] = {name: [] for name, _, _ in _GROUPS}
    for item in issues(report):
        for name, _, severities in _GROUPS:
            if item.severity in severities:
                buckets[name].append(item)
                break
    return ActionPlan(
        groups=tuple(
            PlanGroup(name=name, horizon=horizon, severities=severities, items=tuple(buckets[name]))
            for name, horizon, severities in _GROUPS
        )
    )
