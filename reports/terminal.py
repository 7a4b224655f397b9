"""The terminal summary printed to stderr after a scan."""

from __future__ import annotations

from auditor.model import Report, Severity, Status
from reports import common
from reports.view import SEVERITY_ORDER, build_view

_COLORS = common.SEVERITY_ANSI
_RESET = common.ANSI_RESET


def grade_label(report: Report) -> str:
    """``B`` or ``Incomplete (62% of check weight ran)`` (kept for callers; see reports.common)."""
    return common.grade_label(report)


def _plain(text: str) -> str:
    """Scanned text on one line, without control characters (no terminal escape injection)."""
    return common.one_line(text)


def render_summary(report: Report, *, color: bool = False, top: int = 5, reports_written: bool = False) -> str:
    """Score, grade, risk, counts by severity, live sub-grades and the top actions, as plain lines.

    Errored checks are named with their reason (the appendix is mentioned only when a report
    file was written), and so are targets that could not be scanned.
    """
    view = build_view(report)
    report = view.report

    def paint(sev: Severity, text: str) -> str:
        return f"{_COLORS[sev]}{text}{_RESET}" if color else text

    counts = view.counts
    count_line = ", ".join(paint(sev, f"{counts.finding_count(sev)} {sev.label}") for sev in SEVERITY_ORDER)
    lines = [
        f"prodcheck {report.tool_version}: score {view.score_label}, "
        f"grade {view.grade_label}, risk {report.risk}",
        f"findings: {count_line}",
    ]
    for target in report.targets:
        if target.kind == "repo" or target.error:
            continue
        header = target.header_grade or "n/a"
        if target.header_grade and target.header_score is not None:
            header += f" ({target.header_score}/100)"
        lines.append(f"{_plain(target.value)}: TLS {target.tls_grade or 'n/a'}, headers {header}")
    if report.extra.get("baseline") is not None:
        states = [common.baseline_state(report, f) for f in report.findings]
        lines.append(
            f"baseline: {states.count(common.BASELINE_NEW)} new, "
            f"{states.count(common.BASELINE_EXISTING)} existing, "
            f"{len(common.baseline_resolved(report))} resolved"
        )
    actions = view.actionable[:top]
    if actions:
        lines.append("top actions:")
        for item in actions:
            findings = item.all_findings
            loc = common.location_text(findings[0].location) if findings else ""
            where = f" ({_plain(loc)})" if loc else ""
            more = f" (+{len(findings) - 1} more)" if len(findings) > 1 else ""
            related = len(dict.fromkeys(item.check_ids)) - 1
            ids = item.check_id + (f" (+{related} related)" if related else "")
            live = ", confirmed live" if item.confirmed_live else ""
            sev = item.severity
            lines.append(f"  {paint(sev, f'[{sev.label}]')} {ids}: {item.title}{where}{more}{live}")
        lines.append(f"estimated effort: ~{view.plan.total} for {common.plural(len(view.plan.items), 'issue')}")
    from reports.history_since import terminal_lines

    lines.extend(terminal_lines(report))
    errors = [r for r in report.results if r.status is Status.ERROR]  # counts.checks_errored of them
    if errors:
        where = "; details in the report appendix" if reports_written else ""
        lines.append(f"{common.plural(len(errors), 'check')} errored{where}:")
        shown = sorted(errors, key=lambda r: (r.target, r.meta.id))
        for result in shown[:10]:
            lines.append(f"  {result.meta.id}: {_plain(result.reason)[:160]}")
        if len(shown) > 10:
            lines.append(f"  ... and {len(shown) - 10} more")
    for target in report.targets:
        if target.error:
            lines.append(f"target {_plain(target.value)} not scanned: {_plain(target.error)}")
    return "\n".join(lines)
