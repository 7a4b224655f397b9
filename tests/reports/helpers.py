"""Helpers shared by report tests: JSON report validation and synthetic reports.

``validate_json_report(text)`` is the one other engineers' tests should use
to check any JSON report they produce.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Sequence
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
    SkippedFile,
    Status,
    Target,
    TargetInfo,
)
from auditor.options import ScanOptions
from auditor.scoring import overall, section_scores
from tests.harness import builtin_grouping

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "fixtures"


@functools.cache
def _validator() -> Any:
    import jsonschema

    from reports.json_report import schema

    data = schema()
    cls = jsonschema.validators.validator_for(data)
    cls.check_schema(data)
    return cls(data, format_checker=cls.FORMAT_CHECKER)


def validate_json_report(text: str) -> dict[str, Any]:
    """Parse a JSON report, validate it against the shipped schema plus a few cross-field rules.

    Returns the parsed report. Raises AssertionError naming the first
    problems (with their JSON paths) so pytest shows what is wrong.
    """
    import json

    data = json.loads(text)
    errors = sorted(_validator().iter_errors(data), key=lambda e: list(e.absolute_path))
    assert not errors, "JSON report schema: " + "; ".join(
        f"/{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in errors[:5]
    )
    failing = {r["check_id"] for r in data["results"] if r["status"] == "fail"}
    for finding in data["findings"]:
        assert finding["check_id"] in failing, f"finding of non-failing check {finding['check_id']}"
        loc = finding["location"]
        assert loc["path"] or loc["url"] or finding["check_id"], finding
    assert [s["id"] for s in data["sections"]] == [s.id for s in Section][: len(data["sections"])]
    assert (data["grade"] == "incomplete") == (not data["complete"]), (data["grade"], data["complete"])
    return dict(data)


# ---------------------------------------------------------------- building reports


def scan_dir(path: Path) -> Report:
    """Scan one directory with the built-in checks (no plugins, fixed date)."""
    from auditor.engine import scan

    return scan(ScanOptions(path=path, offline=True, today="2026-01-26"), registry=_registry())


@functools.cache
def _registry() -> Any:
    from auditor.registry import load_registry

    return load_registry(plugins=False)


def fixture_dirs() -> list[Path]:
    """Every check-case and sample-repository directory under ``fixtures/`` (repo targets only)."""
    dirs = sorted(p for p in (FIXTURES / "repos").glob("*") if p.is_dir())
    for case in sorted((FIXTURES / "checks").glob("*/*")):
        if case.is_dir() and not (case / "observations.json").exists():
            dirs.append(case)
    return dirs


DOC = '''{title}.

## What it checks
Something.

## Why it matters
Reasons.

## How to fix
Do the right thing.

```dockerfile
USER app
```

```ts hono
app.use(secureHeaders())
```
'''


def meta(
    check_id: str,
    severity: Severity = Severity.HIGH,
    section: Section = Section.DEPLOYMENT,
    *,
    title: str | None = None,
    effort_hours: float = 1.0,
    target: Target = Target.REPO,
) -> CheckMeta:
    """A CheckMeta with parsed documentation (two snippets: dockerfile and hono)."""
    name = title or f"Problem {check_id}"
    return CheckMeta(
        id=check_id,
        title=name,
        severity=severity,
        section=section,
        target=target,
        doc=parse_doc(DOC.format(title=name), check_id),
        effort_hours=effort_hours,
        **builtin_grouping(check_id),
    )


def finding(check_id: str, message: str, path: str | None = "Dockerfile", line: int | None = 1,
            key: str = "", url: str | None = None, evidence: str = "") -> Finding:
    """A finding with its check id set, as the runner would leave it."""
    return Finding(message=message, location=Location(path=path, line=line, url=url), key=key or message,
                   evidence=evidence, check_id=check_id)


def make_report(
    results: Sequence[CheckResult],
    *,
    targets: Iterable[TargetInfo] = (TargetInfo(kind="repo", value="."),),
    stacks: tuple[str, ...] = ("dockerfile",),
    scanned_files: tuple[str, ...] = ("Dockerfile",),
    skipped_files: tuple[SkippedFile, ...] = (),
    extra: dict[str, Any] | None = None,
) -> Report:
    """A Report scored exactly as the engine scores one."""
    score = overall(results)
    return Report(
        tool_version="0.1.0",
        generated_at="2026-01-26T00:00:00Z",
        targets=tuple(targets),
        results=tuple(results),
        sections=section_scores(results),
        score=score.score,
        grade=score.grade,
        risk=score.risk,
        complete=score.complete,
        coverage=score.coverage,
        stacks=stacks,
        scanned_files=scanned_files,
        skipped_files=skipped_files,
        extra=extra or {},
    )


def big_report(findings: int = 500) -> Report:
    """A report with ``findings`` open findings spread over 50 failing checks in every area."""
    results: list[CheckResult] = []
    sections = list(Section)
    severities = [Severity.CRITICAL, Severity.HIGH, Severity.MEDIUM, Severity.LOW, Severity.INFO]
    per_check = max(findings // 50, 1)
    made = 0
    for i in range(50):
        check_id = f"BIG-{i:03d}"
        m = meta(check_id, severities[i % 5], sections[i % len(sections)], title=f"Big problem number {i}")
        count = per_check if i < 49 else findings - made
        items = tuple(
            finding(check_id, f"issue {j} of {check_id} in service svc-{j}", path=f"svc/{j}/Dockerfile", line=j + 1)
            for j in range(count)
        )
        made += count
        results.append(CheckResult(m, Status.FAIL, items, target="repo"))
        results.append(CheckResult(meta(f"OK-{i:03d}", severities[i % 4], sections[i % len(sections)]),
                                   Status.PASS, target="repo"))
    return make_report(results, scanned_files=tuple(f"svc/{j}/Dockerfile" for j in range(per_check)))


#: Live observations recorded from ``fixtures/apps/heydev_emulation.py`` (TLS by the proxy, no
#: security headers, CORS echoing origins, a shallow /health, widget.js uncached with its map).
HEYDEV_LIVE_OBSERVATIONS = Path(__file__).resolve().parent / "data" / "heydev-live-observations.json"


@functools.cache
def heydev_repo_and_live_report() -> Report:
    """The heydev sample scanned together with its recorded live observations (a repo + live report)."""
    from auditor.engine import scan

    options = ScanOptions(path=FIXTURES / "repos" / "heydev", offline=True,
                          from_observations=HEYDEV_LIVE_OBSERVATIONS, today="2026-01-26")
    return scan(options, registry=_registry())
