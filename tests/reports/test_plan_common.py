"""The shared renderer helpers: action plan grouping and effort, labels, escaping, prose."""

from __future__ import annotations

import pytest

from auditor.model import CheckResult, Location, Section, Severity, Status
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
        CheckResult(meta("P", Severity.LOW, Section.COMPLIANCE), Status.PASS),
    ]
    report = make_report(results)
    text = common.executive_summary(report)
    assert "Solid areas: Compliance & docs." in text
    assert "1 critical or high-severity issue(s) block production: Container runs as root." in text
    assert common.risk_sentence(report).startswith(f"Risk level {report.risk}: usable with care")
    assert [r.meta.id for r in common.priority_actions(report)] == ["H"]


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
