"""Confidence: every finding carries one; grade and gates count high and medium by default."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from auditor.docs import parse_doc
from auditor.gates import evaluate
from auditor.model import (
    CheckMeta,
    CheckResult,
    Confidence,
    Finding,
    Location,
    Report,
    Section,
    Severity,
    Status,
    Target,
)
from auditor.registry import CheckSpec, check
from auditor.runner import run_one
from auditor.scoring import overall, section_scores
from reports import json_report, markdown, sarif


def _meta(cid: str, sev: Severity, conf: Confidence = Confidence.HIGH) -> CheckMeta:
    return CheckMeta(cid, "t", sev, Section.SECURITY, Target.REPO, parse_doc("t", "t"), confidence=conf)


def _fail(cid: str, sev: Severity, conf: Confidence | None, default: Confidence = Confidence.HIGH) -> CheckResult:
    finding = Finding("m", Location("a.py", 3), key=cid, confidence=conf, check_id=cid)
    return CheckResult(_meta(cid, sev, default), Status.FAIL, (finding,))


def _report(results: list[CheckResult], floor: Confidence = Confidence.MEDIUM) -> Report:
    score = overall(results, floor)
    return Report("0", "2026-01-01T00:00:00Z", (), tuple(results), section_scores(results, floor), score.score,
                  score.grade, score.risk, score.complete, score.coverage, min_confidence=floor)


def test_parse_and_order() -> None:
    assert Confidence.HIGH > Confidence.MEDIUM > Confidence.LOW
    assert Confidence.parse(" Medium ") is Confidence.MEDIUM
    with pytest.raises(ValueError, match="choose from low, medium, high"):
        Confidence.parse("sure")


def test_runner_fills_check_default_and_keeps_override() -> None:
    @check(id="T-CONF", severity=Severity.LOW, section=Section.SECURITY, confidence=Confidence.MEDIUM)
    def func(_: object) -> list[Finding]:
        return [Finding("a", key="a"), Finding("b", key="b", confidence=Confidence.LOW)]

    spec: CheckSpec = func.__prodcheck_spec__  # type: ignore[attr-defined]
    assert spec.meta.confidence is Confidence.MEDIUM
    result = run_one(spec, object(), target="repo", secrets=frozenset())
    assert [f.confidence for f in result.findings] == [Confidence.MEDIUM, Confidence.LOW]


def test_low_confidence_failures_neither_grade_nor_cap() -> None:
    passing = [CheckResult(_meta(f"P{i}", Severity.HIGH), Status.PASS) for i in range(10)]
    guess = _fail("G", Severity.CRITICAL, Confidence.LOW)
    assert overall([*passing, guess]).grade == "A"
    assert overall([*passing, guess]).risk == "Low"
    # Counting low confidence too, the critical guess caps the grade.
    assert overall([*passing, guess], Confidence.LOW).grade == "D"
    # A medium-confidence finding counts by default.
    assert overall([*passing, _fail("M", Severity.CRITICAL, Confidence.MEDIUM)]).grade == "D"


def test_gate_ignores_findings_below_the_floor() -> None:
    report = _report([_fail("G", Severity.HIGH, Confidence.LOW), _fail("H", Severity.MEDIUM, None)])
    assert evaluate(report, fail_on=Severity.HIGH, min_score=None).passed
    assert not evaluate(report, fail_on=Severity.MEDIUM, min_score=None).passed
    assert not evaluate(report, fail_on=Severity.HIGH, min_score=None, min_confidence=Confidence.LOW).passed


def test_every_format_carries_confidence_and_related_locations() -> None:
    finding = Finding("unpinned", Location("ci.yml", 4), key="k", confidence=Confidence.MEDIUM, check_id="R",
                      related=(Location("ci.yml", 9), Location("ci.yml", 12)))
    result = CheckResult(_meta("R", Severity.MEDIUM), Status.FAIL, (finding,))
    report = _report([result])
    data = json.loads(json_report.render(report))
    item = data["findings"][0]
    assert item["confidence"] == "medium"
    assert item["related"] == [{"path": "ci.yml", "line": 9, "url": None}, {"path": "ci.yml", "line": 12, "url": None}]
    assert data["min_confidence"] == "medium"
    sarif_result = json.loads(sarif.render(report))["runs"][0]["results"][0]
    assert sarif_result["rank"] == 60.0
    assert sarif_result["properties"]["confidence"] == "medium"
    assert [r["physicalLocation"]["region"]["startLine"] for r in sarif_result["relatedLocations"]] == [9, 12]
    text = markdown.render(report)
    assert "(medium confidence)" in text and "`ci.yml:9`" in text


def test_min_confidence_flows_from_flag_environment_and_file(tmp_path: Path) -> None:
    from auditor.settings import resolve_settings

    (tmp_path / ".prodcheck.yaml").write_text("min_confidence: high\n", encoding="utf-8")
    opts = resolve_settings(root=tmp_path, config_path=None, cli={}, environ={}).scan_options(path=tmp_path, urls=())
    assert opts.min_confidence is Confidence.HIGH
    env = resolve_settings(root=tmp_path, config_path=None, cli={}, environ={"PRODCHECK_MIN_CONFIDENCE": "medium"})
    assert env.scan_options(path=tmp_path, urls=()).min_confidence is Confidence.MEDIUM
    cli = resolve_settings(root=tmp_path, config_path=None, cli={"min_confidence": "low"}, environ={})
    assert cli.scan_options(path=tmp_path, urls=()).min_confidence is Confidence.LOW


def test_cli_flag_reaches_the_json_report(tmp_path: Path) -> None:
    import subprocess
    import sys

    (tmp_path / "README.md").write_text("# api\n", encoding="utf-8")
    out = tmp_path / "r.json"
    done = subprocess.run([sys.executable, "-m", "auditor", "scan", str(tmp_path), "--offline", "-q",
                           "--min-confidence", "low", "--format", "json", "-o", str(out)],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode in (0, 3), done.stderr
    assert json.loads(out.read_text(encoding="utf-8"))["min_confidence"] == "low"
