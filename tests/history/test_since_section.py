"""The "Since the last scan" section in md, html, json and the terminal: present, escaped, valid."""

from __future__ import annotations

import dataclasses

from auditor.history.record import FindingFacts
from auditor.history.regressions import Regression, SinceLast, TargetComparison
from auditor.model import Severity
from reports import html, json_report, markdown, terminal
from tests.reports.helpers import validate_json_report
from tests.reports_web.helpers import XSS_IMG, XSS_SCRIPT, sample_report

HOSTILE = f"header x{XSS_SCRIPT} changed\x1b[31m{XSS_IMG}"
SINCE = SinceLast((
    TargetComparison("https://site.test", 4, "2026-01-04T03:17:00.000000Z",
                     (Regression("header-changed", Severity.LOW, "https://site.test", HOSTILE, "a", XSS_IMG),
                      Regression("cert-expiry", Severity.CRITICAL, "https://site.test", "certificate expires in 5 day(s)",
                                 "20", "5")),
                     (FindingFacts("f1", "HDR-CSP", "medium", "no CSP"),)),
    TargetComparison("https://new.test", None, None),
))
REPORT = dataclasses.replace(sample_report(), since_last=SINCE)


def test_markdown() -> None:
    text = markdown.render(REPORT)
    section = text.split("## Since the last scan", 1)[1].split("\n## ", 1)[0]
    assert "**Regressions**: 2" in section and "- [ ] **CRITICAL** certificate expires in 5 day(s)" in section
    assert "- [x] resolved: HDR\\-CSP: no CSP" in section or "- [x] resolved: HDR-CSP: no CSP" in section
    assert "first recorded run" in section and "compared with run 4" in section
    assert "<script>" not in section and "<img" not in section and "\x1b" not in section


def test_html() -> None:
    page = html.render(REPORT)
    assert '<section id="since-last-scan">' in page and "certificate expires in 5 day(s)" in page
    assert XSS_SCRIPT not in page and "<img src=x" not in page
    assert html.render(sample_report()).count("since-last-scan") == 0


def test_json_schema_and_absence_without_history() -> None:
    data = validate_json_report(json_report.render(REPORT))
    assert data["since_last"]["regression_count"] == 2
    assert data["since_last"]["targets"][1] == {"target": "https://new.test", "previous_run": None,
                                                "previous_at": None, "regressions": [], "resolved": []}
    assert "since_last" not in validate_json_report(json_report.render(sample_report()))


def test_terminal() -> None:
    text = terminal.render_summary(REPORT)
    assert "since the last scan: 2 regression(s), 1 resolved finding(s), 1 target(s) recorded for the first time" in text
    assert "  [critical] https://site.test: certificate expires in 5 day(s)" in text
    assert "\x1b" not in text
