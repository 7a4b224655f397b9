"""What the live checks say, beyond the (url, key) sets the harness compares: severities and wording."""

from __future__ import annotations

import pytest

from auditor.model import CheckResult, Severity, Status
from tests.harness import LIVE_CASES, registry, run_case


def _run(check_id: str, case: str) -> CheckResult:
    spec = registry().resolve(check_id)
    assert spec is not None
    return run_case(spec, LIVE_CASES / check_id / case)


@pytest.mark.parametrize(("case", "severity", "origin"), [
    ("foreign-origin", Severity.CRITICAL, "https://prodcheck-probe.invalid"),
    ("null-origin", Severity.CRITICAL, "Origin null"),
    ("heydev-localhost", Severity.HIGH, "http://localhost:1"),
])
def test_cors_reflection_names_the_origin(case: str, severity: Severity, origin: str) -> None:
    (finding,) = _run("CORS-ECHO-ANY-ORIGIN-CREDENTIALS", case).findings
    assert finding.severity is severity
    assert origin in finding.message


def test_cors_wildcard_lists_every_origin_that_got_it() -> None:
    (finding,) = _run("CORS-WILDCARD-CREDENTIALS", "heydev").findings
    assert "https://prodcheck-probe.invalid, null" in finding.message
    assert "browsers refuse" in finding.message


@pytest.mark.parametrize(("case", "message", "severity"), [
    ("heydev-status-ok", '/health answers {"status":"ok"} without checking any dependency; '
                         "no separate readiness and liveness endpoints", Severity.LOW),
    ("plain-text-ok", "/health answers 'OK' (text/plain) with no structured status and no dependency checks; "
                      "no separate readiness and liveness endpoints", Severity.MEDIUM),
    ("deep-without-live-ready", "/health reports dependency checks (database, disk), but there are no "
                                "separate readiness and liveness endpoints", Severity.LOW),
])
def test_health_endpoint_says_what_was_found_and_what_is_missing(case: str, message: str,
                                                                  severity: Severity) -> None:
    (finding,) = _run("HEALTH-ENDPOINT", case).findings
    assert finding.message == message
    assert finding.severity is severity
    assert "rung" not in finding.message and "ladder" not in finding.message


def test_health_endpoint_none_lists_the_paths_tried() -> None:
    (finding,) = _run("HEALTH-ENDPOINT", "none").findings
    assert finding.message.startswith("no health endpoint answered (tried /health, /healthz,")


def test_header_grade_is_info_and_costs_no_effort() -> None:
    result = _run("HEADER-GRADE", "heydev")
    assert result.status is Status.FAIL
    assert result.meta.severity is Severity.INFO and result.meta.effort_hours == 0


@pytest.mark.parametrize(("check_id", "case", "reason"), [
    ("HDR-COOKIES", "no-cookies", "no cookies"),
    ("HDR-SRI", "same-origin-only", "no script from another origin"),
    ("METRICS-PUBLIC", "not-found", "status 404"),
    ("METRICS-PUBLIC", "catch-all-page", "serves no metrics"),
    ("ASSET-NO-CDN", "no-assets", "no static assets"),
    ("HEALTH-SLOW", "no-health", "no health endpoint"),
])
def test_nothing_to_judge_is_a_skip_with_a_reason(check_id: str, case: str, reason: str) -> None:
    result = _run(check_id, case)
    assert result.status is Status.SKIPPED
    assert reason in (result.reason or "")


def test_no_cdn_names_the_assets() -> None:
    (finding,) = _run("ASSET-NO-CDN", "heydev-origin-only").findings
    assert finding.message.startswith("/widget.js and the page are served from origin")
