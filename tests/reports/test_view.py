"""One report view for every format: the same counts, plan and summary in Markdown, HTML, JSON and terminal."""

from __future__ import annotations

import dataclasses
import json
import re

import pytest

from auditor.model import Report, Severity
from reports import html, json_report, markdown, terminal
from reports.view import SEVERITY_ORDER, build_view
from tests.reports.helpers import FIXTURES, big_report, heydev_repo_and_live_report, scan_dir, validate_json_report


def _reports() -> list[tuple[str, Report]]:
    out = [(p.name, scan_dir(p)) for p in sorted((FIXTURES / "repos").iterdir()) if p.is_dir()]
    out.append(("heydev repo + live", heydev_repo_and_live_report()))
    out.append(("big", big_report(60)))
    return out


def test_the_view_is_frozen_and_built_the_same_every_time() -> None:
    report = scan_dir(FIXTURES / "repos" / "heydev")
    view = build_view(report)
    with pytest.raises(dataclasses.FrozenInstanceError):
        view.summary = "changed"  # type: ignore[misc]
    again = build_view(report)
    assert again.counts == view.counts and again.summary == view.summary and again.verdict == view.verdict
    assert [i.title for i in again.plan.items] == [i.title for i in view.plan.items]
    # Counts add up: findings per severity sum to the report's open findings, issues to the plan (+ info).
    assert view.counts.total_findings == len(report.findings)
    info_issues = view.counts.issue_count(Severity.INFO)
    assert view.counts.total_issues == len(view.issues) == len(view.plan.items) + info_issues
    assert [a.section for a in view.areas] == [s.section for s in report.sections]
    assert sum(len(a.issues) for a in view.areas) == len(view.issues)


def _terminal_counts(text: str) -> dict[str, int]:
    line = next(line for line in text.splitlines() if line.startswith("findings: "))
    return {label: int(n) for n, label in re.findall(r"(\d+) (\w+)", line)}


def _markdown_counts(text: str) -> tuple[dict[str, int], int, int]:
    line = next(line for line in text.splitlines() if line.startswith("**Findings**: "))
    per = {label: int(n) for n, label in re.findall(r"(\d+) (critical|high|medium|low|info)\b", line)}
    total, issues = re.search(r"\((\d+) findings? in (\d+) issues?\)", line).groups()  # type: ignore[union-attr]
    return per, int(total), int(issues)


def _html_counts(page: str) -> dict[str, int]:
    """The severity chart's counts, from its accessible label ("Open findings by severity: 0 critical, ...")."""
    label = re.search(r'aria-label="Open findings by severity: ([^"]*)"', page)
    assert label is not None, "no severity chart"
    return {sev: int(n) for n, sev in re.findall(r"(\d+) (\w+)", label.group(1))}


@pytest.mark.parametrize("name,report", _reports(), ids=lambda v: v if isinstance(v, str) else "")
def test_every_format_shows_the_same_numbers(name: str, report: Report) -> None:
    view = build_view(report)
    expected = {s.label: n for s, n in view.counts.findings}
    data = validate_json_report(json_report.render(report))
    counts = data["summary"]["counts"]
    assert counts["findings"] == expected and counts["total_findings"] == len(data["findings"]), name
    assert counts["total_issues"] == view.counts.total_issues
    assert sum(len(g["items"]) for g in data["plan"]["groups"]) == len(view.plan.items)
    assert data["summary"]["verdict"] == view.verdict and data["summary"]["text"] == view.summary

    assert _terminal_counts(terminal.render_summary(report)) == expected, name

    md = markdown.render(report)
    per, total, issues = _markdown_counts(md)
    assert per == expected and total == len(data["findings"]) and issues == counts["total_issues"], name
    # The plan's totals agree too: the timeline counts the plan's items, the estimate is the JSON's.
    timeline = re.search(r"^\*\*Timeline\*\*: (.*)$", md, re.M)
    if view.plan.items:
        assert timeline is not None
        assert sum(int(n) for n in re.findall(r"(\d+) items?", timeline.group(1))) == len(view.plan.items)
        assert f"~{data['plan']['total']} in all" in timeline.group(1)
        assert f"**Total estimate**: ~{data['plan']['total']}" in md
        assert f"estimated effort: ~{data['plan']['total']}" in terminal.render_summary(report)
    summary_md = markdown.render_summary_markdown(report)
    table = summary_md.split("### Findings by severity", 1)[1]
    rows = [line for line in table.splitlines() if line.startswith("|")]
    heads = [cell.strip() for cell in rows[0].strip("|").split("|")]
    cells = [int(cell) for cell in rows[2].strip("|").split("|")]
    assert dict(zip(heads, cells, strict=True)) == expected, name

    page = html.render(report)
    assert _html_counts(page) == expected, name
    assert all(f"sev-fill-{sev.label}" in page for sev in SEVERITY_ORDER if expected[sev.label])
    if view.plan.items:
        assert f"<strong>Estimated effort</strong>: {data['plan']['total']} in total" in page


def test_json_summary_carries_verdict_counts_and_gaps() -> None:
    report = scan_dir(FIXTURES / "repos" / "heydev")
    data = json.loads(json_report.render(report))
    summary = data["summary"]
    assert list(summary) == ["text", "risk_assessment", "priority_actions", "verdict", "scan_gaps", "counts"]
    assert summary["verdict"] == "high" and summary["scan_gaps"] == []
    assert summary["counts"]["checks"]["failed"] == sum(1 for r in data["results"] if r["status"] == "fail")
    # Existing keys stay where users read them.
    assert {"text", "risk_assessment", "priority_actions"} <= set(summary)
    assert {"total", "hours", "groups"} <= set(data["plan"])


def test_the_schema_requires_the_new_summary_fields() -> None:
    import jsonschema

    schema = json_report.schema()
    summary = schema["properties"]["summary"]
    assert {"verdict", "counts", "scan_gaps"} <= set(summary["required"])
    data = json.loads(json_report.render(scan_dir(FIXTURES / "repos" / "heydev")))
    jsonschema.validate(data, schema)
    broken = json.loads(json.dumps(data))
    del broken["summary"]["counts"]
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(broken, schema)
    broken = json.loads(json.dumps(data))
    broken["summary"]["counts"]["findings"]["high"] = -1
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(broken, schema)
