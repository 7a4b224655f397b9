"""The terminal summary: headline, counts, live sub-grades, top actions; no escape injection."""

from __future__ import annotations

from auditor.model import CheckResult, Severity, Status, TargetInfo
from reports.terminal import render_summary
from tests.reports.helpers import big_report, finding, heydev_repo_and_live_report, make_report, meta


def test_summary_lines() -> None:
    results = [
        CheckResult(meta("T-H", Severity.HIGH), Status.FAIL, (finding("T-H", "x", line=4), finding("T-H", "y", key="y"))),
        CheckResult(meta("T-I", Severity.INFO), Status.FAIL, (finding("T-I", "fyi"),)),
        CheckResult(meta("T-E", Severity.LOW), Status.ERROR, reason="boom"),
    ]
    live = TargetInfo(kind="url", value="https://127.0.0.1:8443/", tls_grade="A", header_grade="C", header_score=55)
    down = TargetInfo(kind="url", value="https://127.0.0.1:9/", error="connection refused\x1b[2J")
    text = render_summary(make_report(results, targets=(live, down)))
    lines = text.splitlines()
    assert lines[0].startswith("prodcheck 0.1.0: score ")
    assert "1 high" not in lines[1] and "2 high" in lines[1] and "1 info" in lines[1]
    assert "https://127.0.0.1:8443/: TLS A, headers C (55/100)" in text
    assert "[high] T-H: Problem T-H (Dockerfile:4) (+1 more)" in text
    assert "T-I" not in text  # info is not an action
    assert "1 check errored" in text
    assert "\x1b" not in text  # no colour asked, and scanned escapes are stripped
    assert "estimated effort: ~" in text


def test_colour_and_top_limit() -> None:
    text = render_summary(big_report(100), color=True, top=3)
    assert "\033[" in text
    assert sum(1 for line in text.splitlines() if line.startswith("  ")) == 3


def test_top_actions_show_groups_once() -> None:
    text = render_summary(heydev_repo_and_live_report(), top=10)
    actions = text.split("top actions:", 1)[1]
    assert actions.count("Permissive CORS policy") == 1 and "CORS-ECHO" not in actions
    assert "APP-CORS (+1 related): Permissive CORS policy" in actions and "confirmed live" in actions
