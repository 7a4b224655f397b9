"""The JSON report: the machine-readable contract of DESIGN.md.

Top-level keys, in this order: ``schema_version``, ``tool``, ``generated_at``,
``targets``, ``score``, ``grade``, ``risk``, ``complete``, ``coverage``,
``stacks``, ``summary``, ``plan``, ``sections``, ``results``, ``findings``,
``suppressed``, ``skipped_files``, ``notes``. ``summary`` and ``plan`` are the
same executive summary, priority actions and action plan the Markdown and HTML
reports show, so CI consumers and ``prodcheck diff`` see the same priorities. Objects are built in a fixed key order and
lists in a fixed sort order, so the same scan always gives the same bytes.
The shipped JSON Schema (``reports/schema/report.schema.json``, see
:func:`schema`) describes it; tests validate every report against it.
"""

from __future__ import annotations

import functools
import json
from importlib import resources
from typing import Any

from auditor.model import CheckResult, Finding, Report, Status
from reports.common import baseline_state, location_text, remediation_text, severity_of
from reports.plan import PlanItem
from reports.view import ReportView, build_view

EXTENSION = "json"
SCHEMA_VERSION = "1.0"
TOOL_NAME = "prodcheck"

#: Status of a finding in ``suppressed[]`` (open findings carry their check's ``fail``).
SUPPRESSED = "suppressed"


@functools.cache
def _schema_text() -> str:
    return resources.files("reports").joinpath("schema/report.schema.json").read_text(encoding="utf-8")


def schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of this report, as shipped in the package (a fresh copy)."""
    data: dict[str, Any] = json.loads(_schema_text())
    return data


def _ordered_results(report: Report) -> list[CheckResult]:
    return sorted(report.results, key=lambda r: (r.meta.section.order, r.meta.id, r.target))


def _finding(report: Report, result: CheckResult, finding: Finding, status: str) -> dict[str, Any]:
    meta = result.meta
    return {
        "check_id": meta.id,
        "title": meta.title,
        "severity": severity_of(result, finding).label,
        "confidence": result.confidence_of(finding).label,
        "section": meta.section.id,
        "status": status,
        "message": finding.message,
        "location": {
            "path": finding.location.path,
            "line": finding.location.line,
            "url": finding.location.url,
        },
        "related": [
            {"path": loc.path, "line": loc.line, "url": loc.url} for loc in finding.related
        ],
        "fingerprint": finding.fingerprint,
        "key": finding.key,
        "evidence": finding.evidence,
        "remediation": remediation_text(meta, report.stacks),
        "baseline": baseline_state(report, finding) if status != SUPPRESSED else None,
    }


def _plan_item(item: PlanItem) -> dict[str, Any]:
    findings = item.all_findings
    return {
        "title": item.title,
        "check_ids": list(dict.fromkeys(item.check_ids)),
        "severity": item.severity.label,
        "section": item.section.id,
        "findings": item.findings,
        "location": location_text(findings[0].location) if findings else None,
        "effort": item.effort,
        "hours": item.hours,
        "confirmed_live": item.confirmed_live,
    }


def _counts(view: ReportView) -> dict[str, Any]:
    counts = view.counts
    return {
        "findings": {s.label: n for s, n in counts.findings},
        "issues": {s.label: n for s, n in counts.issues},
        "total_findings": counts.total_findings,
        "total_issues": counts.total_issues,
        "checks": {"passed": counts.checks_passed, "failed": counts.checks_failed,
                   "errored": counts.checks_errored, "skipped": counts.checks_skipped},
        "suppressed": counts.suppressed,
    }


def _summary(view: ReportView) -> dict[str, Any]:
    return {
        "text": view.summary,
        "risk_assessment": view.risk_sentence,
        "priority_actions": [_plan_item(item) for item in view.actions],
        "verdict": view.verdict,
        "scan_gaps": list(view.scan_gaps),
        "counts": _counts(view),
    }


def _plan(view: ReportView) -> dict[str, Any]:
    plan = view.plan
    return {
        "total": plan.total,
        "hours": plan.hours,
        "groups": [
            {"name": g.name, "horizon": g.horizon, "effort": g.effort, "hours": g.hours,
             "items": [_plan_item(item) for item in g.items]}
            for g in plan.groups
        ],
    }


def to_dict(report: Report) -> dict[str, Any]:
    """The report as plain JSON-ready data (what :func:`render` serialises)."""
    view = build_view(report)
    report = view.report
    ordered = _ordered_results(report)
    return {
        "schema_version": SCHEMA_VERSION,
        "tool": {"name": TOOL_NAME, "version": report.tool_version},
        "generated_at": report.generated_at,
        "targets": [
            {
                "kind": t.kind,
                "value": t.value,
                "tls_grade": t.tls_grade,
                "header_grade": t.header_grade,
                "header_score": t.header_score,
                "error": t.error,
            }
            for t in report.targets
        ],
        "score": report.score,
        "grade": report.grade,
        "risk": report.risk,
        "complete": report.complete,
        "coverage": report.coverage,
        "min_confidence": report.min_confidence.label,
        "stacks": list(report.stacks),
        "summary": _summary(view),
        "plan": _plan(view),
        "sections": [
            {"id": s.section.id, "title": s.section.title, "score": s.score, "status": s.status}
            for s in report.sections
        ],
        "results": [
            {
                "check_id": r.meta.id,
                "title": r.meta.title,
                "severity": r.worst_severity.label if r.status is Status.FAIL else r.meta.severity.label,
                "section": r.meta.section.id,
                "status": r.status.value,
                "reason": r.reason,
                # Additive (schema 1.0 stays valid): tells "could not look" from "nothing to judge".
                **({"skip": r.skip_kind.value} if r.status is Status.SKIPPED else {}),
                "target": r.target,
            }
            for r in ordered
        ],
        # Open findings worst first (the order of Report.failed), as the Markdown lists them.
        "findings": [
            _finding(report, r, f, Status.FAIL.value) for r in report.failed for f in r.findings
        ],
        "suppressed": [_finding(report, r, f, SUPPRESSED) for r in ordered for f in r.suppressed],
        "skipped_files": [{"path": s.path, "reason": s.reason} for s in report.skipped_files],
        "notes": list(report.notes),
        **_since_last(report),
    }


def _since_last(report: Report) -> dict[str, Any]:
    """``since_last`` only when the scan was recorded in a history (other reports keep their bytes)."""
    from reports.history_since import json_section

    section = json_section(report)
    return {"since_last": section} if section is not None else {}


def render(report: Report) -> str:
    """The JSON report text (``indent=2``, UTF-8 characters kept, trailing newline)."""
    return json.dumps(to_dict(report), indent=2, ensure_ascii=False) + "\n"
