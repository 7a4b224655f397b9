"""SARIF output: schema-valid, GitHub-ready, stable fingerprints."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from auditor.engine import scan
from auditor.model import Status
from auditor.options import ScanOptions
from reports import sarif
from tests.harness import FIXTURES
from tests.reports_web.helpers import (
    SARIF_SCHEMA,
    SHARED_SARIF_SCHEMA,
    XSS_IMG,
    XSS_SCRIPT,
    hostile_observations,
    sample_report,
    validate_sarif,
)

REPOS = sorted(p for p in (FIXTURES / "repos").iterdir() if p.is_dir())


def _scan(path: Path) -> str:
    return sarif.render(scan(ScanOptions(path=path, offline=True, today="2026-01-26")))


@pytest.mark.parametrize("repo", REPOS, ids=[p.name for p in REPOS])
def test_fixture_repos_produce_valid_sarif(repo: Path) -> None:
    log = validate_sarif(_scan(repo))
    assert [run["automationDetails"]["id"] for run in log["runs"]] == ["prodcheck/repo/"]
    for result in log["runs"][0]["results"]:
        uri = result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        assert not uri.startswith(("/", "fixtures/")), uri  # relative to the scanned root


def test_fingerprints_are_stable_across_runs() -> None:
    repo = FIXTURES / "repos" / "xss"
    first, second = json.loads(_scan(repo)), json.loads(_scan(repo))
    prints = [[r["partialFingerprints"] for r in run["results"]] for run in first["runs"]]
    again = [[r["partialFingerprints"] for r in run["results"]] for run in second["runs"]]
    assert prints == again
    flat = [p[sarif.FINGERPRINT_KEY] for run in prints for p in run]
    assert flat and len(flat) == len(set(flat)), "fingerprints must identify findings"


def test_sample_report_runs_levels_and_rules() -> None:
    report = sample_report()
    log = validate_sarif(sarif.render(report))
    repo_run, live_run = log["runs"]
    assert repo_run["automationDetails"]["id"] == "prodcheck/repo/"
    assert live_run["automationDetails"]["id"] == "prodcheck/live/"
    rules = {r["id"]: r for r in repo_run["tool"]["driver"]["rules"]}
    assert rules["COMPOSE-DEFAULT-CREDS"]["properties"]["security-severity"] == "9.5"
    assert rules["DOCKER-ROOT-USER"]["properties"]["security-severity"] == "8.0"
    assert "security" in rules["DOCKER-ROOT-USER"]["properties"]["tags"]
    assert "security-severity" not in rules["COMPOSE-NO-LIMITS"]["properties"]
    assert "security" not in rules["COMPOSE-NO-LIMITS"]["properties"]["tags"]
    assert rules["DOCKER-ROOT-USER"]["help"]["markdown"].count("```") >= 2
    levels = {r["ruleId"]: r["level"] for r in repo_run["results"]}
    assert levels["COMPOSE-DEFAULT-CREDS"] == "error"
    assert levels["COMPOSE-NO-LIMITS"] == "warning"
    assert levels["APP-NO-LOGGING"] == "note"
    # Skipped and errored checks are notifications, not results.
    ids = {r["ruleId"] for r in repo_run["results"]}
    assert not ids & {"DEPS-AUDIT", "APP-HEALTH"}
    notes = repo_run["invocations"][0]["toolExecutionNotifications"]
    assert {n["associatedRule"]["id"]: n["level"] for n in notes} == {"DEPS-AUDIT": "note", "APP-HEALTH": "error"}
    # Suppressed findings are kept, marked as suppressed in source.
    suppressed = [r for r in repo_run["results"] if r.get("suppressions")]
    assert [r["ruleId"] for r in suppressed] == ["ENV-SECRET-COMMITTED"]
    # A finding without a file gets a placeholder location with a line hash.
    runbook = next(r for r in repo_run["results"] if r["ruleId"] == "OPS-NO-RUNBOOK")
    assert runbook["partialFingerprints"]["primaryLocationLineHash"]
    # Live findings without a config anchor go to a placeholder with a line hash.
    for result in live_run["results"]:
        loc = result["locations"][0]["physicalLocation"]
        assert loc["artifactLocation"]["uri"] == ".prodcheck/live/example.test"
        assert result["partialFingerprints"]["primaryLocationLineHash"]
        assert "https://example.test/" in result["message"]["text"]


def test_live_findings_anchor_to_the_config_line() -> None:
    base = sample_report()
    report = type(base)(**{**base.__dict__, "extra": {
        "config_file": ".prodcheck.yaml", "config_url_lines": {"https://example.test/": 7}}})
    log = validate_sarif(sarif.render(report))
    for result in log["runs"][1]["results"]:
        loc = result["locations"][0]["physicalLocation"]
        assert loc["artifactLocation"] == {"uri": ".prodcheck.yaml", "uriBaseId": "%SRCROOT%"}
        assert loc["region"]["startLine"] == 7


def test_live_only_report_has_only_a_live_run() -> None:
    base = sample_report()
    live = tuple(r for r in base.results if r.meta.target.value == "live")
    report = type(base)(**{**base.__dict__, "results": live,
                           "targets": tuple(t for t in base.targets if t.kind != "repo")})
    log = validate_sarif(sarif.render(report))
    assert [run["automationDetails"]["id"] for run in log["runs"]] == ["prodcheck/live/"]


def test_repo_prefix_joins_relative_scan_roots() -> None:
    base = sample_report(live=False)
    targets = (type(base.targets[0])(kind="repo", value="services/api"),)
    report = type(base)(**{**base.__dict__, "targets": targets})
    log = validate_sarif(sarif.render(report))
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in log["runs"][0]["results"]}
    assert "services/api/deploy/compose.yaml" in uris


def test_hostile_text_stays_valid_json_and_sarif() -> None:
    report = sample_report(payload=XSS_SCRIPT + XSS_IMG + "%0A\n\u2028")
    log = validate_sarif(sarif.render(report))
    messages = [r["message"]["text"] for run in log["runs"] for r in run["results"]]
    assert any(XSS_SCRIPT in m for m in messages)
    assert all(r.status is not Status.ERROR or r.reason for r in report.results)


def test_recorded_live_scan_is_a_live_run(tmp_path: Path) -> None:
    observations = hostile_observations(tmp_path / "observations.json")
    report = scan(ScanOptions(from_observations=observations, today="2026-01-26"))
    log = validate_sarif(sarif.render(report))
    assert [run["automationDetails"]["id"] for run in log["runs"]] == ["prodcheck/live/"]
    results = log["runs"][0]["results"]
    assert results
    for result in results:
        assert result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == ".prodcheck/live/127.0.0.1"
        assert result["partialFingerprints"]["primaryLocationLineHash"]


@pytest.mark.skipif(not SHARED_SARIF_SCHEMA.is_file(), reason="../shared/schemas is not beside this clone")
def test_vendored_sarif_schema_is_the_official_one() -> None:
    """The copy in tests/data is byte-identical to the schema the project was given."""
    assert SARIF_SCHEMA.read_bytes() == SHARED_SARIF_SCHEMA.read_bytes()
