"""The JSON report follows the DESIGN.md contract and validates against the shipped schema."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from auditor.model import CheckResult, Section, Severity, SkipKind, SkippedFile, Status, TargetInfo
from reports import json_report
from tests.harness import FIXTURES
from tests.reports.helpers import (
    big_report,
    finding,
    fixture_dirs,
    make_report,
    meta,
    scan_dir,
    validate_json_report,
)

TOP_KEYS = [
    "schema_version", "tool", "generated_at", "targets", "score", "grade", "risk", "complete",
    "coverage", "min_confidence", "stacks", "summary", "plan", "sections", "results", "findings", "suppressed",
    "skipped_files", "notes",
]
FINDING_KEYS = [
    "check_id", "title", "severity", "confidence", "section", "status", "message", "location", "related",
    "fingerprint", "key", "evidence", "remediation", "baseline",
]


def test_schema_ships_in_the_package_and_is_valid() -> None:
    import jsonschema

    data = json_report.schema()
    assert data["$schema"].endswith("2020-12/schema")
    jsonschema.Draft202012Validator.check_schema(data)
    assert Path(json_report.__file__).with_name("schema").joinpath("report.schema.json").is_file()


@pytest.mark.parametrize("case", fixture_dirs(), ids=lambda p: str(p.relative_to(p.parents[1])))
def test_every_fixture_report_validates(case: Path) -> None:
    report = scan_dir(case)
    text = json_report.render(report)
    data = validate_json_report(text)
    assert list(data) == TOP_KEYS
    assert len(data["findings"]) == len(report.findings)
    assert len(data["results"]) == len(report.results)
    for item in data["findings"]:
        assert list(item) == FINDING_KEYS
        assert item["baseline"] is None  # no baseline given


def test_render_is_deterministic() -> None:
    report = big_report(120)
    assert json_report.render(report) == json_report.render(report)
    assert json_report.render(report).endswith("}\n")


def test_contract_values() -> None:
    m = meta("T-ROOT", Severity.HIGH, Section.DEPLOYMENT, title="Container runs as root", effort_hours=2)
    f = finding("T-ROOT", "final stage never sets USER", path="Dockerfile", line=21, key="final",
                evidence="FROM node:20")
    suppressed = finding("T-ROOT", "other stage", path="api/Dockerfile", line=3, key="api")
    results = [
        CheckResult(m, Status.FAIL, (f,), target="repo", suppressed=(suppressed,)),
        CheckResult(meta("T-OK", Severity.MEDIUM, Section.CONFIGURATION), Status.PASS, target="repo"),
        CheckResult(meta("T-NA", Severity.LOW, Section.DATA), Status.SKIPPED, reason="no database found"),
        CheckResult(meta("T-ERR", Severity.LOW, Section.DATA), Status.ERROR, reason="KeyError: 'x'"),
        CheckResult(meta("T-OFF", Severity.LOW, Section.DATA), Status.SKIPPED, reason="--offline",
                    skip_kind=SkipKind.NOT_CHECKED),
    ]
    live = TargetInfo(kind="url", value="https://127.0.0.1:8443/", tls_grade="A", header_grade="B",
                      header_score=70, error=None)
    report = make_report(results, targets=(TargetInfo(kind="repo", value="."), live), stacks=("hono", "dockerfile"),
                         skipped_files=(SkippedFile("big.bin", "binary file"),))
    data = validate_json_report(json_report.render(report))
    assert data["schema_version"] == "1.0"
    assert data["tool"] == {"name": "prodcheck", "version": "0.1.0"}
    assert data["targets"][1] == {"kind": "url", "value": "https://127.0.0.1:8443/", "tls_grade": "A",
                                  "header_grade": "B", "header_score": 70, "error": None}
    assert data["stacks"] == ["hono", "dockerfile"]
    item = data["findings"][0]
    assert item["location"] == {"path": "Dockerfile", "line": 21, "url": None}
    assert item["fingerprint"] == f.fingerprint
    assert item["severity"] == "high" and item["section"] == "deployment" and item["status"] == "fail"
    # Remediation: the fix prose plus the snippet of the first detected stack that has one (hono).
    assert "Do the right thing." in item["remediation"]
    assert "```ts\napp.use(secureHeaders())\n```" in item["remediation"]
    assert "USER app" not in item["remediation"]
    assert [s["status"] for s in data["suppressed"]] == ["suppressed"]
    assert data["skipped_files"] == [{"path": "big.bin", "reason": "binary file"}]
    by_id = {r["check_id"]: r for r in data["results"]}
    assert by_id["T-NA"]["status"] == "skipped" and by_id["T-NA"]["reason"] == "no database found"
    assert by_id["T-ERR"]["status"] == "error"
    # A skip says whether the check had nothing to judge or could not look; other results carry no "skip".
    assert by_id["T-NA"]["skip"] == "not-applicable" and by_id["T-OFF"]["skip"] == "not-checked"
    assert "skip" not in by_id["T-ERR"] and "skip" not in by_id["T-OK"]
    assert by_id["T-ROOT"]["target"] == "repo"


def test_baseline_marks_findings_new_or_existing() -> None:
    m = meta("T-A")
    old = finding("T-A", "old problem", key="old")
    new = finding("T-A", "new problem", key="new")
    report = make_report([CheckResult(m, Status.FAIL, (old, new))],
                         extra={"baseline": {"existing": {old.fingerprint}, "resolved": []}})
    data = validate_json_report(json_report.render(report))
    assert {f["message"]: f["baseline"] for f in data["findings"]} == {"old problem": "existing",
                                                                       "new problem": "new"}


def test_schema_catches_drift() -> None:
    data = json.loads(json_report.render(big_report(10)))
    data["findings"][0]["surprise"] = 1
    with pytest.raises(AssertionError, match="surprise"):
        validate_json_report(json.dumps(data))


def test_incomplete_scan_has_null_friendly_values() -> None:
    results = [CheckResult(meta("T-ERR"), Status.ERROR, reason="boom")]
    data = validate_json_report(json_report.render(make_report(results)))
    assert data["grade"] == "incomplete" and data["complete"] is False and data["score"] is None


def test_json_carries_the_same_summary_and_plan_as_the_markdown() -> None:
    """CI consumers see the priorities people see: same actions, same plan, same totals."""
    from reports import markdown
    from reports.common import executive_summary
    from reports.plan import build_plan

    report = scan_dir(FIXTURES / "repos" / "heydev")
    data = validate_json_report(json_report.render(report))
    assert data["summary"]["text"] == executive_summary(report)
    assert data["summary"]["text"] in markdown.render(report).replace("\\_", "_")
    plan = build_plan(report)
    assert data["plan"]["total"] == plan.total
    assert [g["name"] for g in data["plan"]["groups"]] == ["Immediate", "Short-term", "Medium-term"]
    assert [i["title"] for g in data["plan"]["groups"] for i in g["items"]] == [i.title for i in plan.items]
    first = data["summary"]["priority_actions"][0]
    assert first["severity"] in ("critical", "high") and first["location"]
