"""The report's view: everything the human and machine reports show, built once from a Report.

Markdown, HTML, JSON and the terminal summary all render from one
:class:`ReportView` (built by the pure :func:`build_view`), so they cannot
disagree: the same issues in the same areas, the same strengths, the same
priority actions and plan, the same verdict and executive summary, the same
counts. Renderers decide layout only; they never re-select or re-count.

Counts have two units, and every format names which one it shows:
*findings* (one per place, what ``--fail-on`` and the severity chart count)
and *issues* (a failing check or a group of related checks one fix resolves:
what the executive summary and the action plan count).
"""

from __future__ import annotations

from dataclasses import dataclass

from auditor.model import CheckResult, Report, Section, SectionScore, Severity, Status
from auditor.textsafe import safe_report
from reports import common
from reports.alerts import AlertPlan, alert_plan
from reports.facts import RepoFacts, repo_facts
from reports.plan import ActionPlan, PlanItem, build_plan, issues

#: Severities from worst to mildest, the order every format lists counts in.
SEVERITY_ORDER: tuple[Severity, ...] = tuple(sorted(Severity, reverse=True))
#: How many priority actions the executive summary names.
PRIORITY_ACTIONS = 5


@dataclass(frozen=True)
class Counts:
    """The numbers every format shows, counted once."""

    findings: tuple[tuple[Severity, int], ...]
    issues: tuple[tuple[Severity, int], ...]
    checks_passed: int
    checks_failed: int
    checks_errored: int
    checks_skipped: int
    suppressed: int

    @property
    def total_findings(self) -> int:
        """Open findings of every severity."""
        return sum(n for _, n in self.findings)

    @property
    def total_issues(self) -> int:
        """Open issues of every severity (info included)."""
        return sum(n for _, n in self.issues)

    def finding_count(self, severity: Severity) -> int:
        """Open findings of one severity."""
        return dict(self.findings)[severity]

    def issue_count(self, severity: Severity) -> int:
        """Open issues whose worst severity is ``severity``."""
        return dict(self.issues)[severity]


@dataclass(frozen=True)
class AreaView:
    """One checklist area: its status, what it does well, and its open issues."""

    score: SectionScore
    issues: tuple[PlanItem, ...]
    #: Failing checks of this area shown with their group in another area: (result, that issue).
    elsewhere: tuple[tuple[CheckResult, PlanItem], ...]
    #: Passed checks, sorted by id.
    passed: tuple[CheckResult, ...]
    #: Passed checks above info that state something the project does (listed as strengths).
    strengths: tuple[CheckResult, ...]
    not_run: tuple[CheckResult, ...]

    @property
    def section(self) -> Section:
        """The area."""
        return self.score.section

    @property
    def status(self) -> str:
        """``Good`` / ``Needs improvements`` / ``Critical gaps`` / ``Not assessed``."""
        return common.status_line(self.score)

    @property
    def assessed(self) -> bool:
        """False when nothing in this area could be judged."""
        return self.status != common.STATUS_NOT_ASSESSED

    @property
    def absences(self) -> int:
        """Passed checks that only mean a mistake was not found (counted, not listed)."""
        return len(self.passed) - len(self.strengths)


@dataclass(frozen=True)
class ReportView:
    """What every report shows, computed once (see the module docstring)."""

    report: Report
    issues: tuple[PlanItem, ...]
    areas: tuple[AreaView, ...]
    #: Every issue that is a priority action (above info, at the report's confidence), highest first.
    actionable: tuple[PlanItem, ...]
    plan: ActionPlan
    verdict: str
    summary: str
    risk_sentence: str
    key_strengths: tuple[str, ...]
    scan_gaps: tuple[str, ...]
    counts: Counts
    grade_label: str
    score_label: str
    facts: RepoFacts
    #: Alert thresholds for what is already monitored (None when nothing monitors the service).
    alerts: AlertPlan | None = None

    @property
    def actions(self) -> tuple[PlanItem, ...]:
        """The priority actions the executive summary names (at most :data:`PRIORITY_ACTIONS`)."""
        return self.actionable[:PRIORITY_ACTIONS]

    @property
    def blockers(self) -> tuple[PlanItem, ...]:
        """Priority actions at high severity or worse (what must be fixed before launch)."""
        return tuple(item for item in self.actions if item.severity >= Severity.HIGH)

    def area(self, section: Section) -> AreaView | None:
        """The view of one area, if the report scored it."""
        return next((a for a in self.areas if a.section is section), None)


def _counts(report: Report, open_issues: list[PlanItem]) -> Counts:
    by_severity = report.counts_by_severity()
    statuses = [r.status for r in report.results]
    return Counts(
        findings=tuple((s, by_severity[s]) for s in SEVERITY_ORDER),
        issues=tuple((s, sum(1 for item in open_issues if item.severity is s)) for s in SEVERITY_ORDER),
        checks_passed=statuses.count(Status.PASS),
        checks_failed=statuses.count(Status.FAIL),
        checks_errored=statuses.count(Status.ERROR),
        checks_skipped=statuses.count(Status.SKIPPED),
        suppressed=sum(len(r.suppressed) for r in report.results),
    )


def _area(report: Report, score: SectionScore, open_issues: list[PlanItem]) -> AreaView:
    section = score.section
    results = common.results_in_section(report, section)
    passed = tuple(r for r in results if r.status is Status.PASS)
    return AreaView(
        score=score,
        issues=tuple(item for item in open_issues if item.section is section),
        elsewhere=tuple(
            (result, item) for item in open_issues if item.section is not section
            for result in item.results if result.meta.section is section
        ),
        passed=passed,
        # Hygiene passes (info checks: "Compose files omit the obsolete version key") are counted, not listed.
        strengths=tuple(r for r in passed
                        if not common.is_absence_strength(r.meta) and r.meta.severity > Severity.INFO),
        # Errored or unexamined checks; those with nothing to judge are not "not run".
        not_run=tuple(r for r in results if r.unexamined),
    )


def build_view(report: Report) -> ReportView:
    """The view of ``report`` (made safe first: every string in it is inert text)."""
    report = safe_report(report)
    open_issues = issues(report)
    facts = repo_facts(report)
    return ReportView(
        report=report,
        issues=tuple(open_issues),
        areas=tuple(_area(report, score, open_issues) for score in report.sections),
        actionable=tuple(common.priority_actions(report, limit=len(open_issues))),
        plan=build_plan(report),
        verdict=common.verdict(report),
        summary=common.executive_summary(report),
        risk_sentence=common.risk_sentence(report),
        key_strengths=tuple(common.key_strengths(report)),
        scan_gaps=tuple(common.scan_gaps(report)),
        counts=_counts(report, open_issues),
        grade_label=common.grade_label(report),
        score_label=common.score_label(report),
        facts=facts,
        alerts=alert_plan(report, facts),
    )
