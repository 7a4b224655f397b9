"""The shared renderer helpers: action plan grouping and effort, labels, escaping, prose."""

from __future__ import annotations

from typing import Any

import pytest

from auditor.model import CheckResult, Location, Section, Severity, Status, Target
from reports import common, plan
from tests.reports.helpers import finding, make_report, meta


@pytest.mark.parametrize(("hours", "label"), [
    (0, "0 h"), (0.25, "15 min"), (0.5, "30 min"), (1, "1 h"), (2.4, "2.5 h"), (7.9, "8 h"),
    (8, "1 day"), (12, "1.5 days"), (40, "5 days"),
])
def test_effort_label(hours: float, label: str) -> None:
    assert plan.effort_label(hours) == label


def test_item_hours_scale_with_findings_and_cap() -> None:
    assert plan.item_hours(2, 1) == 2
    assert plan.item_hours(2, 3) == 4  # each extra finding adds half the base
    assert plan.item_hours(2, 500) == 10  # capped at five times the base


def test_plan_groups_by_worst_severity_and_skips_info() -> None:
    results = [
        CheckResult(meta("C", Severity.CRITICAL, effort_hours=4), Status.FAIL, (finding("C", "c"),)),
        CheckResult(meta("H", Severity.HIGH, Section.SECURITY), Status.FAIL, (finding("H", "h"),)),
        CheckResult(meta("M", Severity.MEDIUM), Status.FAIL, tuple(finding("M", f"m{i}", key=str(i)) for i in range(3))),
        CheckResult(meta("L", Severity.LOW), Status.FAIL, (finding("L", "l"),)),
        CheckResult(meta("I", Severity.INFO), Status.FAIL, (finding("I", "i"),)),
        CheckResult(meta("P", Severity.HIGH), Status.PASS),
    ]
    built = plan.build_plan(make_report(results))
    assert [g.name for g in built.groups] == ["Immediate", "Short-term", "Medium-term"]
    assert [[i.check_id for i in g.items] for g in built.groups] == [["C", "H"], ["M"], ["L"]]
    assert built.groups[1].items[0].findings == 3 and built.groups[1].items[0].hours == 2
    assert built.groups[0].items[1].section is Section.SECURITY
    assert built.hours == 4 + 1 + 2 + 1 and built.total == "1 day"


def test_a_finding_severity_override_moves_the_item() -> None:
    m = meta("S", Severity.MEDIUM)
    worse = finding("S", "rw socket")
    worse = worse.__class__(**{**worse.__dict__, "severity": Severity.CRITICAL})
    built = plan.build_plan(make_report([CheckResult(m, Status.FAIL, (worse,))]))
    assert [i.check_id for i in built.groups[0].items] == ["S"]


def test_labels_and_locations() -> None:
    report = make_report([CheckResult(meta("A", Severity.LOW), Status.PASS)])
    assert common.grade_label(report) == "A" and common.score_label(report) == "100/100"
    incomplete = make_report([CheckResult(meta("E"), Status.ERROR, reason="x")])
    assert common.grade_label(incomplete) == "Incomplete (0% of check weight ran)"
    assert common.score_label(incomplete) == "n/a"
    assert common.location_text(Location(path="a", line=3)) == "a:3"
    assert common.location_text(Location(path="a")) == "a"
    assert common.location_text(Location(url="https://x/")) == "https://x/"
    assert common.location_text(Location()) == ""


def test_snippet_follows_detected_stack() -> None:
    m = meta("A")
    assert common.snippet_for(m, ["hono", "dockerfile"]).stack == "hono"  # type: ignore[union-attr]
    assert common.snippet_for(m, ["fastapi"]).stack == "dockerfile"  # type: ignore[union-attr]
    text = common.remediation_text(m, ["dockerfile"])
    assert text.startswith("Do the right thing.") and text.endswith("```dockerfile\nUSER app\n```")


def test_escaping_helpers() -> None:
    assert common.md_escape("<b>|`#_x_\n y") == "&lt;b&gt;\\|\\`\\#\\_x\\_ y"
    assert common.md_code("a`b") == "``a`b``"
    assert common.md_code("`x`") == "`` `x` ``"
    assert common.md_code("a|b", table=True) == "`a\\|b`"
    assert common.fence("```\nx", "ts") == "````ts\n```\nx\n````"
    assert common.fence("x", "ts\n# evil") == "```tsevil\nx\n```"


def test_executive_summary_and_risk_sentence() -> None:
    results = [
        CheckResult(meta("H", Severity.HIGH, title="Container runs as root"), Status.FAIL, (finding("H", "h"),)),
        *[CheckResult(meta(f"P{i}", Severity.MEDIUM, Section.COMPLIANCE), Status.PASS) for i in range(8)],
    ]
    report = make_report(results)
    assert report.risk == "High"
    text = common.executive_summary(report)
    assert text.startswith("The service is usable with care")
    assert "1 high-severity gap should be fixed before launch: container runs as root." in text
    assert "issue(s)" not in text and "block production" not in text
    assert common.risk_sentence(report).startswith(f"Risk level {report.risk}: usable with care")
    assert [i.check_id for i in common.priority_actions(report)] == ["H"]


def _passing(check_id: str, severity: Severity, section: Section, passed: str) -> CheckResult:
    m = meta(check_id, severity, section)
    return CheckResult(m.__class__(**{**m.__dict__, "passed": passed}), Status.PASS)


def test_executive_summary_names_concrete_strengths_then_gaps_in_lower_case() -> None:
    results = [
        _passing("S-HEALTH", Severity.MEDIUM, Section.DEPLOYMENT, "Health check configured for every image"),
        _passing("S-MULTI", Severity.HIGH, Section.DEPLOYMENT, "Multi-stage build keeps tooling out"),
        _passing("S-VOL", Severity.HIGH, Section.DATA, "Stateful services keep their data on named volumes"),
        _passing("S-WAL", Severity.MEDIUM, Section.DATA, "WAL mode enabled for SQLite"),
        _passing("S-NOPRIV", Severity.CRITICAL, Section.SECURITY, "No privileged containers"),
        _passing("S-DOCS", Severity.LOW, Section.COMPLIANCE, "Privacy notice present"),
        _passing("S-INFO", Severity.INFO, Section.CONFIGURATION, "Obsolete key omitted"),
        CheckResult(meta("F-BACKUP", Severity.HIGH, Section.DATA, title="Database without backups"),
                    Status.FAIL, (finding("F-BACKUP", "no backup"),)),
        CheckResult(meta("F-DOCKER", Severity.HIGH, Section.SECURITY, title="Docker socket mounted"),
                    Status.FAIL, (finding("F-DOCKER", "socket"),)),
        CheckResult(meta("F-LOGS", Severity.MEDIUM, Section.CONFIGURATION, title="Logs never rotated"),
                    Status.FAIL, (finding("F-LOGS", "logs"),)),
    ]
    report = make_report(results)
    strengths = common.key_strengths(report)
    # Things the project does come before absences; higher severity and distinct areas first; info never.
    assert strengths == ["stateful services keep their data on named volumes", "multi-stage build keeps tooling out",
                         "WAL mode enabled for SQLite", "privacy notice present"]
    text = common.executive_summary(report)
    assert "(stateful services keep their data on named volumes, multi-stage build keeps tooling out, " in text
    assert "2 high-severity gaps " in text
    assert ": database without backups and Docker socket mounted." in text  # product names keep their capital
    assert "1 further medium- or low-severity item is listed below." in text
    assert common.lower_first("TLS grade A") == "TLS grade A" and common.lower_first("A thing.") == "a thing"


@pytest.mark.parametrize(("severities", "opening", "risk_words"), [
    ((Severity.CRITICAL,), "is not ready for production yet", "not ready for production"),
    ((Severity.HIGH,), "is usable with care", "usable with care"),
    ((Severity.LOW,), "is ready for production, with routine hardening", "routine hardening"),
    ((), "is ready for production as far as the checks could see", "as far as the checks could see"),
])
def test_summary_verdict_agrees_with_the_risk_sentence(severities: tuple[Severity, ...], opening: str,
                                                        risk_words: str) -> None:
    results = [CheckResult(meta(f"F{i}", sev), Status.FAIL, (finding(f"F{i}", "x"),))
               for i, sev in enumerate(severities)]
    # Enough passing weight that the score alone never makes the risk critical.
    results += [_passing(f"P{i}", Severity.CRITICAL, Section.SECURITY, f"Good thing {i}") for i in range(12)]
    report = make_report(results)
    text = common.executive_summary(report)
    assert opening in text
    assert risk_words in common.risk_sentence(report)
    assert "block production" not in text


def test_priority_ranks_data_and_security_before_hygiene_within_a_severity() -> None:
    results = [
        CheckResult(meta("DOCKER-ROOT-USER", Severity.HIGH, Section.DEPLOYMENT), Status.FAIL, (finding("DOCKER-ROOT-USER", "r"),)),
        CheckResult(meta("LOGS", Severity.HIGH, Section.OBSERVABILITY), Status.FAIL, (finding("LOGS", "l"),)),
        CheckResult(meta("APP-RATE-LIMIT", Severity.HIGH, Section.SECURITY), Status.FAIL, (finding("APP-RATE-LIMIT", "r"),)),
        CheckResult(meta("DOCKER-MIGRATIONS-NOT-RUN", Severity.HIGH, Section.DATA), Status.FAIL,
                    (finding("DOCKER-MIGRATIONS-NOT-RUN", "m"),)),
        CheckResult(meta("OPS-NO-BACKUP", Severity.HIGH, Section.DATA), Status.FAIL, (finding("OPS-NO-BACKUP", "b"),)),
        CheckResult(meta("CRIT", Severity.CRITICAL, Section.COMPLIANCE), Status.FAIL, (finding("CRIT", "c"),)),
    ]
    report = make_report(results)
    order = [i.check_id for i in plan.build_plan(report).items]
    # Severity first; then backups (data loss), data, security, deployment ... observability.
    assert order == ["CRIT", "OPS-NO-BACKUP", "DOCKER-MIGRATIONS-NOT-RUN", "APP-RATE-LIMIT", "DOCKER-ROOT-USER", "LOGS"]
    assert [i.check_id for i in common.priority_actions(report)] == order[:5]


def test_related_repo_and_live_checks_form_one_issue_with_effort_counted_once() -> None:
    live = Target.LIVE
    results = [
        CheckResult(meta("APP-SECURITY-HEADERS", Severity.MEDIUM, Section.SECURITY, effort_hours=1),
                    Status.FAIL, (finding("APP-SECURITY-HEADERS", "no secureHeaders", path="src/index.ts", line=12),)),
        CheckResult(meta("HDR-CSP", Severity.MEDIUM, Section.SECURITY, effort_hours=4, target=live), Status.FAIL,
                    (finding("HDR-CSP", "no CSP", path=None, line=None, url="https://x/"),), target="https://x/"),
        CheckResult(meta("HDR-HSTS", Severity.LOW, Section.SECURITY, effort_hours=0.5, target=live), Status.FAIL,
                    (finding("HDR-HSTS", "no HSTS", path=None, line=None, url="https://x/"),), target="https://x/"),
        CheckResult(meta("DOCKER-SOURCE-MAPS", Severity.LOW, Section.DEPLOYMENT, effort_hours=0.5), Status.FAIL,
                    (finding("DOCKER-SOURCE-MAPS", "map copied"),)),
        CheckResult(meta("ASSET-SOURCE-MAPS", Severity.LOW, Section.DELIVERY, effort_hours=0.5, target=live),
                    Status.FAIL, (finding("ASSET-SOURCE-MAPS", "map served", path=None, line=None, url="https://x/a.js"),),
                    target="https://x/"),
        CheckResult(meta("OTHER", Severity.LOW, Section.DELIVERY, effort_hours=2), Status.FAIL, (finding("OTHER", "o"),)),
    ]
    report = make_report(results)
    items = plan.issues(report)
    assert [i.check_ids for i in items] == [
        ("APP-SECURITY-HEADERS", "HDR-CSP", "HDR-HSTS"),
        ("DOCKER-SOURCE-MAPS", "ASSET-SOURCE-MAPS"),
        ("OTHER",),
    ]
    headers = items[0]
    assert headers.title == "Security headers missing" and headers.confirmed_live and headers.findings == 3
    assert headers.fix.meta.id == "APP-SECURITY-HEADERS"  # the repository-side fix
    assert headers.hours == 4  # the most expensive member, not 1 + 4 + 0.5
    assert items[1].section is Section.DEPLOYMENT  # shown where the repository evidence is
    built = plan.build_plan(report)
    assert built.hours == 4 + 0.5 + 2 and len(built.items) == 3


def test_assessment_date_is_a_date() -> None:
    report = make_report([])
    assert common.assessment_date(report) == "2026-01-26"
    odd = report.__class__(**{**report.__dict__, "generated_at": "yesterday"})
    assert common.assessment_date(odd) == "yesterday"


def test_markdown_escape_keeps_a_lone_ampersand() -> None:
    assert common.md_escape("Compliance & docs") == "Compliance & docs"
    assert common.md_escape("&lt;b&gt; & <i>") == "&amp;lt;b&amp;gt; & &lt;i&gt;"
    assert common.plural(1, "gap") == "1 gap" and common.plural(2, "gap") == "2 gaps"


def test_baseline_helpers() -> None:
    f = finding("A", "x")
    plain = make_report([CheckResult(meta("A"), Status.FAIL, (f,))])
    assert common.baseline_state(plain, f) is None and common.baseline_resolved(plain) == []
    based = make_report([CheckResult(meta("A"), Status.FAIL, (f,))],
                        extra={"baseline": {"existing": {f.fingerprint},
                                            "resolved": [{"check_id": "B", "path": None, "message": "m"}]}})
    assert common.baseline_state(based, f) == "existing"
    assert common.baseline_state(based, finding("A", "y")) == "new"
    assert common.baseline_resolved(based) == [{"check_id": "B", "path": "", "message": "m"}]


def test_every_group_leads_with_a_repository_check_and_has_two_members() -> None:
    from auditor.registry import load_registry

    groups: dict[str, list[Any]] = {}
    for spec in load_registry(plugins=False):
        if spec.meta.group:
            groups.setdefault(spec.meta.group, []).append(spec.meta)
    assert groups, "grouping metadata lives on @check"
    for name, members in groups.items():
        members.sort(key=lambda m: m.group_rank)
        # The first member provides the fix: the repository-side one, so it fits the detected stack.
        assert members[0].target is Target.REPO, name
        assert len(members) >= 2, name
        assert len({m.group_rank for m in members}) == len(members), f"{name}: ranks must be distinct"


def test_no_check_id_is_written_in_reports_or_the_engine() -> None:
    """Renderers and the engine read check metadata; they never name a check."""
    import re

    from tests.harness import ROOT

    ids = {spec.id for spec in __import__("auditor.registry", fromlist=["x"]).load_registry(plugins=False)}
    pattern = re.compile("|".join(re.escape(f'"{i}"') for i in sorted(ids, key=len, reverse=True)))
    offenders = []
    for folder in ("reports", "auditor"):
        for path in (ROOT / folder).rglob("*.py"):
            for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                if pattern.search(line):
                    offenders.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert offenders == [], offenders[:10]
