"""One data-driven harness for every check.

Each ``fixtures/checks/<CHECK-ID>/<case>/`` (repository checks) or
``fixtures/live/<CHECK-ID>/<case>/`` (live checks, with ``observations.json``)
holds an ``expect.yaml``::

    status: fail            # pass | fail | skipped | error (default: fail when findings, else pass)
    findings:               # compared exactly as (path or url, line, key)
      - {path: Dockerfile, line: 3, key: root}
      # optional, checked when given: severity, confidence, related: ["path:line", ...]
      - {path: ci.yml, line: 6, key: k, severity: low, confidence: medium, related: ["ci.yml:9"]}
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from auditor.model import CheckResult, Status
from reports.common import severity_of
from tests.harness import CHECK_CASES, LIVE_CASES, expected_tuples, finding_tuples, load_expect, registry, run_case


def _cases() -> list[tuple[str, Path]]:
    found = []
    for base in (CHECK_CASES, LIVE_CASES):
        if not base.is_dir():
            continue
        for check_dir in sorted(p for p in base.iterdir() if p.is_dir()):
            for case in sorted(p for p in check_dir.iterdir() if p.is_dir() and (p / "expect.yaml").exists()):
                found.append((check_dir.name, case))
    return found


CASES = _cases()


@pytest.mark.parametrize(("check_id", "case"), CASES, ids=[f"{c}/{p.name}" for c, p in CASES])
def test_check_case(check_id: str, case: Path) -> None:
    spec = registry().resolve(check_id)
    assert spec is not None, f"fixture folder names unknown check {check_id}"
    expect = load_expect(case)
    result = run_case(spec, case)
    wanted = expected_tuples(expect)
    status = Status(expect.get("status") or ("fail" if wanted else "pass"))
    if status is not Status.ERROR:
        assert result.status is not Status.ERROR, f"{check_id} errored on {case.name}: {result.reason}"
    else:
        assert result.reason, "an error result must carry its reason"
    assert result.status is status, f"{case}: status {result.status.value}, expected {status.value}; {result.findings}"
    assert finding_tuples(result) == wanted
    _check_details(result, expect)


def _check_details(result: CheckResult, expect: dict[str, Any]) -> None:
    """Severity, confidence and related locations of findings whose expectation names them."""
    by_place = {(f.location.path or f.location.url, f.location.line, f.key): f for f in result.findings}
    for item in expect.get("findings") or []:
        where = item.get("path") or item.get("url")
        finding = by_place[(where, item.get("line"), str(item.get("key", "")))]
        if "severity" in item:
            assert severity_of(result, finding).label == item["severity"], finding
        if "confidence" in item:
            assert result.confidence_of(finding).label == item["confidence"], finding
        if "related" in item:
            assert [str(loc) for loc in finding.related] == list(item["related"]), finding
        if "message_contains" in item:
            assert item["message_contains"] in finding.message, finding


def test_every_check_has_docs_and_fixtures() -> None:
    """A check without a section, docs sections, a fix snippet or pass+fail fixtures is a defect."""
    by_check: dict[str, set[str]] = {}
    for check_id, case in CASES:
        expect = load_expect(case)
        status = expect.get("status") or ("fail" if expect.get("findings") else "pass")
        by_check.setdefault(check_id, set()).add(str(status))
    problems = []
    for spec in registry():
        doc = spec.meta.doc
        if not (doc.what and doc.why and doc.fix):
            problems.append(f"{spec.id}: docstring lacks What/Why/How sections")
        if not doc.snippets:
            problems.append(f"{spec.id}: no fix snippet")
        statuses = by_check.get(spec.id, set())
        if not {"pass", "fail"} <= statuses:
            problems.append(f"{spec.id}: needs pass and fail fixtures (has {sorted(statuses)})")
    assert not problems, "\n".join(problems)


def test_every_check_says_how_a_pass_reads() -> None:
    """Strengths come from ``passed=``; without it a pass would read "No issue: <problem>"."""
    missing = [spec.id for spec in registry() if not spec.meta.passed]
    assert missing == []


def test_docstrings_keep_shell_line_continuations() -> None:
    """A ``\\`` line continuation in a non-raw docstring is eaten by Python: snippets must use r-strings."""
    import ast

    problems = []
    for path in sorted((CHECK_CASES.parent.parent / "checks").rglob("*.py")):
        source = path.read_text(encoding="utf-8")
        for node in ast.walk(ast.parse(source)):
            if not isinstance(node, (ast.Module, ast.FunctionDef)) or not node.body:
                continue
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant) and isinstance(first.value.value, str):
                segment = ast.get_source_segment(source, first.value) or ""
                if "\\\n" in segment and segment.lstrip()[:1] not in {"r", "R"}:
                    problems.append(f"{path.name}:{first.lineno}")
    assert problems == [], "use r-strings for docstrings with line continuations: " + ", ".join(problems)
