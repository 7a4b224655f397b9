"""The terminal summary printed to stderr after a scan."""

from __future__ import annotations

from auditor.model import Report, Severity

_COLORS = {
    Severity.CRITICAL: "\033[1;31m", Severity.HIGH: "\033[31m", Severity.MEDIUM: "\033[33m",
    Severity.LOW: "\033[36m", Severity.INFO: "\033[2m",
}
_RESET = "\033[0m"


def grade_label(report: Report) -> str:
    """``B`` or ``incomplete (62% of checks ran)``."""
    if report.complete:
        return report.grade
    return f"incomplete ({report.coverage:.0%} of check weight ran)"


def render_summary(report: Report, *, color: bool = False, top: int = 5) -> str:
    """Score, grade, risk, counts by severity and the top actions, as plain lines."""

    def paint(sev: Severity, text: str) -> str:
        return f"{_COLORS[sev]}{text}{_RESET}" if color else text

    score = f"{report.score:g}/100" if report.score is not None else "n/a"
    counts = report.counts_by_severity()
    count_line = ", ".join(
        paint(sev, f"{counts[sev]} {sev.label}") for sev in sorted(Severity, reverse=True)
    )
    lines = [
        f"prodcheck {report.tool_version}: score {score}, grade {grade_label(report)}, risk {report.risk}",
        f"findings: {count_line}",
    ]
    failed = report.failed
    if failed:
        lines.append("top actions:")
        for result in failed[:top]:
            first = result.findings[0] if result.findings else None
            where = f" ({first.location})" if first and str(first.location) else ""
            more = f" (+{len(result.findings) - 1} more)" if len(result.findings) > 1 else ""
            sev = result.worst_severity
            lines.append(f"  {paint(sev, f'[{sev.label}]')} {result.meta.id}: {result.meta.title}{where}{more}")
    errors = [r for r in report.results if r.status.value == "error"]
    if errors:
        lines.append(f"{len(errors)} check(s) errored; see the report appendix")
    for target in report.targets:
        if target.error:
            lines.append(f"target {target.value} not scanned: {target.error}")
    return "\n".join(lines)
