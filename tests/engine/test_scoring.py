"""Scoring follows DESIGN.md: weights, grade bands, caps, incomplete runs, risk."""

from __future__ import annotations

import pytest

from auditor.docs import parse_doc
from auditor.model import CheckMeta, CheckResult, Finding, Section, Severity, Status, Target
from auditor.scoring import INCOMPLETE, cap, letter, overall, section_scores


def result(sev: Severity, status: Status, section: Section = Section.DEPLOYMENT, cid: str = "X",
           finding_sev: Severity | None = None) -> CheckResult:
    meta = CheckMeta(cid, "t", sev, section, Target.REPO, parse_doc("t", "t"))
    findings = (Finding("m", severity=finding_sev),) if status is Status.FAIL else ()
    return CheckResult(meta, status, findings)


def test_weighted_score_uses_severity_weights() -> None:
    # passed: high 7.5 + medium 5 = 12.5 of 7.5 + 5 + 10 (critical fails) = 22.5 -> 55.6
    results = [result(Severity.HIGH, Status.PASS), result(Severity.MEDIUM, Status.PASS),
               result(Severity.CRITICAL, Status.FAIL)]
    score = overall(results)
    assert score.score == pytest.approx(55.6)
    assert score.grade == "F"
    assert score.risk == "Critical"


@pytest.mark.parametrize(("value", "grade"), [(95, "A"), (90, "A"), (89.9, "B"), (80, "B"), (70, "C"),
                                              (60, "D"), (59.9, "F")])
def test_grade_bands(value: float, grade: str) -> None:
    assert letter(value) == grade


def test_caps() -> None:
    assert cap("A", Severity.CRITICAL) == "D"
    assert cap("A", Severity.HIGH) == "B"
    assert cap("F", Severity.HIGH) == "F"
    assert cap("A", Severity.MEDIUM) == "A"
    assert cap("A", None) == "A"


def test_failing_high_caps_grade_at_b_even_with_high_score() -> None:
    results = [result(Severity.CRITICAL, Status.PASS, cid=f"C{i}") for i in range(20)]
    results.append(result(Severity.HIGH, Status.FAIL))
    score = overall(results)
    assert score.score is not None and score.score > 95
    assert score.grade == "B"
    assert score.risk == "High"


def test_finding_severity_override_drives_cap() -> None:
    results = [result(Severity.CRITICAL, Status.PASS, cid=f"C{i}") for i in range(20)]
    results.append(result(Severity.HIGH, Status.FAIL, finding_sev=Severity.CRITICAL))
    assert overall(results).grade == "D"


def test_errors_and_skips_are_excluded_and_incomplete_under_80_percent() -> None:
    results = [result(Severity.HIGH, Status.PASS), result(Severity.CRITICAL, Status.ERROR, cid="E"),
               result(Severity.CRITICAL, Status.SKIPPED, cid="S")]
    score = overall(results)
    assert score.score == 100.0  # the error is not counted as a failure...
    assert score.coverage == pytest.approx(7.5 / 17.5, abs=1e-3)
    assert score.grade == INCOMPLETE  # ...but the run cannot read as clean
    assert not score.complete
    assert score.risk != "Low"


def test_section_status_lines() -> None:
    results = [result(Severity.HIGH, Status.FAIL, Section.SECURITY, "A"),
               result(Severity.LOW, Status.PASS, Section.SECURITY, "B"),
               result(Severity.MEDIUM, Status.FAIL, Section.DATA, "C"),
               result(Severity.HIGH, Status.PASS, Section.DATA, "D"),
               result(Severity.LOW, Status.PASS, Section.DELIVERY, "E")]
    by_id = {s.section: s for s in section_scores(results)}
    assert by_id[Section.SECURITY].status == "Critical gaps"
    assert by_id[Section.DATA].status == "Needs improvements"
    assert by_id[Section.DELIVERY].status == "Good"
    assert by_id[Section.OPERATIONS].status == "Not assessed"


def test_low_findings_alone_never_make_critical_gaps() -> None:
    results = [result(Severity.LOW, Status.FAIL, Section.DELIVERY, f"L{i}") for i in range(3)]
    results.append(result(Severity.HIGH, Status.FAIL, Section.DATA, "H"))
    results.extend(result(Severity.CRITICAL, Status.PASS, Section.DATA, f"P{i}") for i in range(3))
    by_id = {s.section: s for s in section_scores(results)}
    assert by_id[Section.DELIVERY].score == 0
    assert by_id[Section.DELIVERY].status == "Needs improvements"
    assert by_id[Section.DATA].status == "Needs improvements"  # a high finding, but 80% of the area passes


def test_area_status_follows_the_score_so_zero_never_reads_better_than_forty() -> None:
    # An area where every medium check fails (score 0) against one at 40 with a failing high.
    delivery = [result(Severity.MEDIUM, Status.FAIL, Section.DELIVERY, cid=f"M{i}") for i in range(3)]
    data = [result(Severity.HIGH, Status.FAIL, Section.DATA, cid="H"),
            result(Severity.MEDIUM, Status.PASS, Section.DATA, cid="P")]
    by_id = {s.section: s for s in section_scores(delivery + data)}
    assert by_id[Section.DELIVERY].score == 0 and by_id[Section.DATA].score == 40
    assert by_id[Section.DELIVERY].status == by_id[Section.DATA].status == "Critical gaps"
    mostly_passing = [result(Severity.MEDIUM, Status.FAIL, Section.DELIVERY, cid="M"),
                      result(Severity.MEDIUM, Status.PASS, Section.DELIVERY, cid="P1")]
    assert section_scores(mostly_passing)[3].status == "Needs improvements"


def test_critical_risk_needs_a_critical_finding() -> None:
    # A boilerplate with many medium gaps and a low score is High at worst, never Critical.
    results = [result(Severity.MEDIUM, Status.FAIL, cid=f"M{i}") for i in range(10)]
    results.append(result(Severity.LOW, Status.PASS, cid="P"))
    score = overall(results)
    assert score.score is not None and score.score < 50
    assert score.risk == "High"
    few = [result(Severity.MEDIUM, Status.FAIL, cid="M"), *(result(Severity.HIGH, Status.PASS, cid=f"P{i}")
                                                            for i in range(3))]
    assert overall(few).risk == "Medium"
    assert overall([*few, result(Severity.CRITICAL, Status.FAIL, cid="C")]).risk == "Critical"
