"""Merge gates, separate from the score: ``--fail-on`` and ``--min-score``."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from auditor.model import Confidence, Finding, Report, Severity


@dataclass(frozen=True)
class GateOutcome:
    """Whether the gates passed, and the reasons they did not."""

    passed: bool
    reasons: tuple[str, ...]


def evaluate(
    report: Report,
    *,
    fail_on: Severity | None,
    min_score: float | None,
    new_findings: Iterable[Finding] | None = None,
    min_confidence: Confidence | None = None,
) -> GateOutcome:
    """Apply the gates. With a baseline, ``new_findings`` limits ``fail_on`` to new ones.

    Only findings at or above ``min_confidence`` (default: the report's, medium
    unless ``--min-confidence`` said otherwise) can fail ``--fail-on``.
    """
    reasons: list[str] = []
    floor = min_confidence if min_confidence is not None else report.min_confidence
    if fail_on is not None:
        pool = list(new_findings) if new_findings is not None else report.findings
        hits = [f for f in pool
                if effective_severity(f, report) >= fail_on and effective_confidence(f, report) >= floor]
        if hits:
            scope = "new " if new_findings is not None else ""
            reasons.append(f"{len(hits)} {scope}finding(s) at or above {fail_on.label}")
    if min_score is not None:
        if report.score is None or not report.complete:
            reasons.append(f"no complete score to compare with --min-score {min_score:g}")
        elif report.score < min_score:
            reasons.append(f"score {report.score:g} is below --min-score {min_score:g}")
    return GateOutcome(not reasons, tuple(reasons))


def effective_severity(finding: Finding, report: Report) -> Severity:
    """A finding's own severity, else its check's."""
    if finding.severity is not None:
        return finding.severity
    for result in report.results:
        if result.meta.id == finding.check_id:
            return result.meta.severity
    return Severity.INFO


def effective_confidence(finding: Finding, report: Report) -> Confidence:
    """A finding's own confidence, else its check's."""
    if finding.confidence is not None:
        return finding.confidence
    for result in report.results:
        if result.meta.id == finding.check_id:
            return result.meta.confidence
    return Confidence.HIGH
