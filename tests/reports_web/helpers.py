"""Helpers shared by report tests: SARIF validation and small sample reports."""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any

from auditor.docs import parse_doc
from auditor.model import (
    CheckMeta,
    CheckResult,
    Finding,
    Location,
    Report,
    Section,
    Severity,
    Status,
    Target,
    TargetInfo,
)
from auditor.scoring import overall, section_scores
from tests.harness import ROOT, builtin_grouping

# The official schema ships in tests/data (OASIS notice in tests/data/NOTICE.md), so the SARIF tests run
# on a fresh clone; it is byte-identical to ../shared/schemas/sarif-schema-2.1.0.json (a test checks that).
SARIF_SCHEMA = ROOT / "tests" / "data" / "sarif-schema-2.1.0.json"
SHARED_SARIF_SCHEMA = ROOT.parent / "shared" / "schemas" / "sarif-schema-2.1.0.json"
XSS_SCRIPT = "<script>window.__pwned=1</script>"
XSS_IMG = '"><img src=x onerror="window.__pwned=1">'



@functools.cache
def _sarif_validator() -> Any:
    import jsonschema

    schema = json.loads(SARIF_SCHEMA.read_text(encoding="utf-8"))
    cls = jsonschema.validators.validator_for(schema)
    return cls(schema)


def validate_sarif(text: str) -> dict[str, Any]:
    """Parse SARIF text, validate it against the 2.1.0 schema and GitHub's rules; return the log.

    Raises AssertionError (with the schema path) on the first problem so
    pytest shows what is wrong.
    """
    log = json.loads(text)
    errors = sorted(_sarif_validator().iter_errors(log), key=lambda e: list(e.path))
    assert not errors, "SARIF schema: " + "; ".join(
        f"{'/'.join(map(str, e.path))}: {e.message}" for e in errors[:5])
    categories = [run.get("automationDetails", {}).get("id") for run in log["runs"]]
    assert len(categories) == len(set(categories)), f"duplicate run categories {categories}"
    for run in log["runs"]:
        rules = run["tool"]["driver"].get("rules", [])
        for rule in rules:
            for field in ("id", "name", "shortDescription", "fullDescription", "help"):
                assert rule.get(field), f"rule {rule.get('id')} lacks {field}"
            assert rule["help"].get("text") and rule["help"].get("markdown"), rule["id"]
            props = rule.get("properties", {})
            if "security-severity" in props:
                assert "security" in props.get("tags", []), rule["id"]
                assert 0.0 < float(props["security-severity"]) <= 10.0
        for result in run.get("results", []):
            locations = result.get("locations") or []
            assert locations, f"result without location: {result.get('ruleId')}"
            physical = locations[0]["physicalLocation"]
            assert physical["artifactLocation"]["uri"], result
            assert physical["region"]["startLine"] >= 1, result
            assert result.get("partialFingerprints"), result
            assert 0 <= result["ruleIndex"] < len(rules)
            assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
    return dict(log)


_DOC = """{title}

## What it checks
Checks {title_lower}.

## Why it matters
Because it matters in production.

## How to fix
Do the right thing.

```dockerfile
USER app
```

```ts hono
app.use(secureHeaders())
```
"""


def meta(check_id: str, severity: Severity, section: Section, *, target: Target = Target.REPO,
         security: bool = False, title: str | None = None, effort: float = 1.0) -> CheckMeta:
    """A CheckMeta with a realistic parsed docstring."""
    title = title or check_id.replace("-", " ").capitalize()
    doc = parse_doc(_DOC.format(title=title, title_lower=title.lower()), check_id)
    return CheckMeta(id=check_id, title=doc.title, severity=severity, section=section, target=target,
                     doc=doc, security=security, effort_hours=effort, **builtin_grouping(check_id))


def make_report(results: list[CheckResult], *, targets: tuple[TargetInfo, ...] | None = None,
                extra: dict[str, Any] | None = None) -> Report:
    """Score results the way the engine does and wrap them in a Report."""
    score = overall(results)
    if targets is None:
        targets = (TargetInfo(kind="repo", value="."),)
    return Report(
        tool_version="0.0.0-test", generated_at="2026-01-26T00:00:00Z", targets=targets,
        results=tuple(results), sections=section_scores(results), score=score.score,
        grade=score.grade, risk=score.risk, complete=score.complete, coverage=score.coverage,
        stacks=("dockerfile", "compose", "hono"), scanned_files=("Dockerfile", "compose.yaml"),
        extra=extra or {},
    )


def sample_report(*, payload: str = "", findings_per_check: int = 1, live: bool = True) -> Report:
    """A report covering every severity, both target kinds, skips, errors and suppressions.

    ``payload`` is spliced into every piece of scanned-looking text (messages,
    keys, paths, evidence, URLs, target values) for escaping tests.
    """
    p = payload
    url = f"https://example.test/{p}" if p else "https://example.test/"
    results: list[CheckResult] = []
    plan = [
        ("DOCKER-ROOT-USER", Severity.HIGH, Section.DEPLOYMENT, True),
        ("COMPOSE-DEFAULT-CREDS", Severity.CRITICAL, Section.CONFIGURATION, True),
        ("COMPOSE-NO-LIMITS", Severity.MEDIUM, Section.CONFIGURATION, False),
        ("DATA-NO-BACKUP", Severity.MEDIUM, Section.DATA, False),
        ("APP-NO-LOGGING", Severity.LOW, Section.OBSERVABILITY, False),
        ("OPS-NO-CI", Severity.INFO, Section.OPERATIONS, False),
    ]
    for check_id, sev, section, security in plan:
        m = meta(check_id, sev, section, security=security, effort=2.0)
        found = tuple(
            Finding(message=f"service {p}web{i} uses {p}changeme", check_id=check_id,
                    location=Location(path=f"deploy/{p}compose.yaml", line=3 + i), key=f"{p}web{i}",
                    evidence=f"label {p}")
            for i in range(findings_per_check))
        results.append(CheckResult(meta=m, status=Status.FAIL, findings=found, target="."))
    results.append(CheckResult(meta=meta("DOCKER-HEALTHCHECK", Severity.MEDIUM, Section.DEPLOYMENT),
                               status=Status.PASS, target="."))
    results.append(CheckResult(meta=meta("DOCKER-PINNED-BASE", Severity.LOW, Section.DEPLOYMENT),
                               status=Status.PASS, target="."))
    results.append(CheckResult(meta=meta("DEPS-AUDIT", Severity.HIGH, Section.SECURITY, security=True),
                               status=Status.SKIPPED, reason=f"offline {p}", target="."))
    results.append(CheckResult(meta=meta("APP-HEALTH", Severity.MEDIUM, Section.HARDENING),
                               status=Status.ERROR, reason=f"ValueError: boom {p}", target="."))
    nolines = meta("OPS-NO-RUNBOOK", Severity.LOW, Section.COMPLIANCE)
    results.append(CheckResult(meta=nolines, status=Status.FAIL, target=".", findings=(
        Finding(message=f"no runbook {p}", check_id=nolines.id, key="runbook"),)))
    sup = meta("ENV-SECRET-COMMITTED", Severity.HIGH, Section.SECURITY, security=True)
    results.append(CheckResult(meta=sup, status=Status.PASS, target=".", suppressed=(
        Finding(message=f"secret in .env {p}", check_id=sup.id, key="API_KEY",
                location=Location(path=".env", line=2)),)))
    targets: tuple[TargetInfo, ...] = (TargetInfo(kind="repo", value="."),)
    if live:
        for check_id, sev in (("LIVE-HSTS", Severity.HIGH), ("LIVE-CSP", Severity.MEDIUM)):
            m = meta(check_id, sev, Section.SECURITY, target=Target.LIVE, security=True)
            results.append(CheckResult(meta=m, status=Status.FAIL, target=url, findings=(
                Finding(message=f"header {p} missing on {url}", check_id=check_id,
                        location=Location(url=url), key=f"{p}header", evidence=f"x-powered-by: {p}"),)))
        m = meta("LIVE-TLS-PROTOCOLS", Severity.HIGH, Section.SECURITY, target=Target.LIVE, security=True)
        results.append(CheckResult(meta=m, status=Status.PASS, target=url))
        targets += (TargetInfo(kind="url", value=url, tls_grade="A", header_grade="C", header_score=55),)
    return make_report(results, targets=targets)


def hostile_observations(path: Path) -> Path:
    """Write recorded live observations whose headers, cookie names and script URLs carry payloads."""
    from auditor.live.observations import (
        CookieObservation,
        HttpObservation,
        LiveTarget,
        PageObservation,
        ScriptRef,
        save_observations,
    )

    payload = XSS_SCRIPT + XSS_IMG
    url = "http://127.0.0.1:8080/"
    headers = (
        ("content-security-policy", f"script-src 'unsafe-inline' {payload}"),
        ("x-powered-by", payload),
        ("server", payload),
        ("x-frame-options", payload),
        ("access-control-allow-origin", payload),
    )
    page = PageObservation(url=url, status=200, final_url=url, headers=headers,
                           cookies=(CookieObservation(name=f"sid{payload}"),), content_type="text/html")
    http = HttpObservation(page=page, is_html=True, scripts=(
        ScriptRef(src=f"http://cdn.example.test/{payload}.js", same_origin=False, secure=False),))
    save_observations([LiveTarget(url=url, http=http)], path)
    return path
