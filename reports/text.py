"""The per-finding terminal listing (``--format text``), as hadolint, ruff and checkov users expect.

One line per finding, ``path:line: SEVERITY CHECK-ID message`` (the URL for live findings),
grouped by file (files in path order, repository-wide findings and live targets after them),
most severe first within a file, then by line. Colour is added only when asked for; every
scanned value goes through :func:`reports.common.one_line`, so no control character or bidi
override from a file name or a response reaches the terminal.
"""

from __future__ import annotations

from collections.abc import Iterable

from auditor.model import Finding, Report, Severity
from reports import common

EXTENSION = "txt"

_COLORS = common.SEVERITY_ANSI
_BOLD, _RESET = "\033[1m", common.ANSI_RESET


def _group_key(finding: Finding) -> tuple[int, str]:
    """Files first (in path order), then repository-wide findings, then live URLs."""
    loc = finding.location
    if loc.anchor_only or not (loc.path or loc.url):
        return (1, "")
    if loc.url and not loc.path:
        return (2, loc.url)
    return (0, loc.path or "")


def finding_rows(report: Report, min_severity: Severity = Severity.INFO) -> list[tuple[Severity, Finding]]:
    """Open findings at or above ``min_severity``, in listing order (deterministic)."""
    rows: list[tuple[Severity, Finding]] = []
    for result in report.results:
        for finding in result.findings:
            sev = common.severity_of(result, finding)
            if sev >= min_severity:
                rows.append((sev, finding))
    rows.sort(key=lambda row: (_group_key(row[1]), -int(row[0]), row[1].location.line or 0,
                               row[1].check_id, row[1].key, row[1].message))
    return rows


def _where(finding: Finding) -> str:
    loc = finding.location
    if loc.anchor_only or not (loc.path or loc.url):
        return "(repository)"
    return common.one_line(common.location_text(loc))


def render_lines(rows: Iterable[tuple[Severity, Finding]], *, color: bool = False) -> list[str]:
    """The listing's lines, a blank line between files."""
    lines: list[str] = []
    previous: tuple[int, str] | None = None
    for sev, finding in rows:
        group = _group_key(finding)
        if previous is not None and group != previous:
            lines.append("")
        previous = group
        label = sev.label.upper()
        where = _where(finding)
        if color:
            label = f"{_COLORS[sev]}{label}{_RESET}"
            where = f"{_BOLD}{where}{_RESET}"
        lines.append(f"{where}: {label} {finding.check_id} {common.one_line(finding.message)}")
    return lines


def render(report: Report, *, color: bool = False, min_severity: Severity = Severity.INFO) -> str:
    """The whole listing as text (empty when nothing is open at or above ``min_severity``)."""
    lines = render_lines(finding_rows(report, min_severity), color=color)
    return "\n".join(lines) + "\n" if lines else ""
