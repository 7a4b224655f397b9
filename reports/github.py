"""GitHub Actions output: workflow-command annotations and the job step summary.

``render`` is pure: it returns the annotation lines the runner reads from
stdout. At most ten errors and ten warnings are annotated (GitHub shows no
more per step); one final notice gives the score and how many findings were
left out. ``write_step_summary`` is the I/O half: it appends the Markdown
summary to ``$GITHUB_STEP_SUMMARY`` when that variable is set, truncated so
the step's summary stays under GitHub's 1 MiB limit.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Mapping
from pathlib import Path

from auditor.model import Report, Severity, Status
from auditor.textsafe import safe_report
from reports.common import grade_label, location_text, plural, score_label, severity_of
from reports.sarif import anchor, finding_target_url

EXTENSION = "txt"
MAX_PER_LEVEL = 10
SUMMARY_LIMIT = 1024 * 1024  # GitHub rejects step summaries over 1 MiB
SUMMARY_MARGIN = 4 * 1024  # room for the truncation notice and other writers
TRUNCATION_NOTICE = (
    "\n\n> **Note**: this summary was truncated to fit GitHub's 1 MiB step summary limit; "
    "see the full prodcheck report artefact.\n"
)

_COMMAND_LEVEL = {
    Severity.CRITICAL: "error",
    Severity.HIGH: "error",
    Severity.MEDIUM: "warning",
    Severity.LOW: "warning",
    Severity.INFO: "warning",
}


def escape_data(value: str) -> str:
    """Escape a workflow-command message (GitHub's ``escapeData``)."""
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(value: str) -> str:
    """Escape a workflow-command property value (GitHub's ``escapeProperty``)."""
    return escape_data(value).replace(":", "%3A").replace(",", "%2C")


def command(level: str, message: str, **properties: str | int | None) -> str:
    """One ``::level key=value,...::message`` line with every value escaped."""
    props = ",".join(f"{k}={escape_property(str(v))}" for k, v in properties.items() if v not in (None, ""))
    head = f"::{level} {props}" if props else f"::{level}"
    return f"{head}::{escape_data(message)}"


def annotation_lines(report: Report) -> list[str]:
    """Annotation lines, worst first, capped per level, then one summary notice."""
    report = safe_report(report)
    lines: list[str] = []
    shown = {"error": 0, "warning": 0}
    left_out = 0
    for result in report.failed:
        for finding in result.findings:
            sev = severity_of(result, finding)
            level = _COMMAND_LEVEL[sev]
            if shown[level] >= MAX_PER_LEVEL:
                left_out += 1
                continue
            shown[level] += 1
            where = anchor(report, result.meta, finding)
            title = f"{result.meta.id} [{sev.label}]: {result.meta.title}"
            if finding.location.anchor_only:
                # About the whole repository: the file is only an anchor GitHub needs, so say so.
                title += " (repository)"
            message = finding.message.strip() or result.meta.title
            url = finding.location.url or finding_target_url(report, result.meta)
            if url and url not in message:
                message = f"{message} ({url})"
            if where.placeholder:
                lines.append(command(level, message, title=title))
            else:
                lines.append(command(level, message, file=where.path, line=where.line, title=title))
    lines.append(command("notice", _notice_text(report, left_out), title="prodcheck"))
    return lines


def _notice_text(report: Report, left_out: int) -> str:
    score, grade = score_label(report), grade_label(report)
    total = len(report.findings)
    text = (f"prodcheck {report.tool_version}: score {score}, grade {grade}, risk {report.risk}; "
            f"{plural(total, 'open finding')}")
    if left_out:
        text += f"; {plural(left_out, 'more finding')} not annotated (GitHub shows at most {MAX_PER_LEVEL} errors and "
        text += f"{MAX_PER_LEVEL} warnings per step), see the full report"
    errored = sum(1 for r in report.results if r.status is Status.ERROR)
    if errored:
        text += f"; {plural(errored, 'check')} errored"
    return text


def render(report: Report) -> str:
    """The annotation workflow commands, one per line (pure: writes nothing)."""
    return "\n".join(annotation_lines(report)) + "\n"


def summary_markdown(report: Report) -> str:
    """The Markdown for the step summary: the short summary when the Markdown renderer offers one."""
    try:
        markdown = importlib.import_module("reports.markdown")
    except ImportError:
        return _fallback_summary(report)
    summary = getattr(markdown, "render_summary_markdown", None)
    if callable(summary):
        return str(summary(report))
    return str(markdown.render(report))


def _fallback_summary(report: Report) -> str:
    report = safe_report(report)
    # Only used until reports.markdown exists: a plain table of open findings.
    lines = [
        "# prodcheck report",
        "",
        f"**Score**: {score_label(report)} · **Grade**: {grade_label(report)} · **Risk level**: {report.risk}",
        "",
    ]
    for result in report.failed:
        for finding in result.findings:
            where = location_text(finding.location) or "-"
            msg = finding.message.replace("|", "\\|").replace("\n", " ")
            lines.append(f"- [ ] **{severity_of(result, finding).label}** `{result.meta.id}` {msg} ({where})")
    return "\n".join(lines) + "\n"


def truncate_summary(text: str, limit: int) -> str:
    """``text`` cut at a line boundary so that it plus the notice fits ``limit`` UTF-8 bytes."""
    data = text.encode("utf-8")
    if len(data) <= limit:
        return text
    notice = TRUNCATION_NOTICE.encode("utf-8")
    budget = max(0, limit - len(notice))
    cut = data[:budget]
    newline = cut.rfind(b"\n")
    if newline > 0:
        cut = cut[:newline]
    # errors="ignore" drops a multi-byte character split by the byte cut.
    return cut.decode("utf-8", errors="ignore") + TRUNCATION_NOTICE


def write_step_summary(report: Report, environ: Mapping[str, str] | None = None) -> Path | None:
    """Append the Markdown summary to ``$GITHUB_STEP_SUMMARY``; return the path, or None when unset.

    The file may already hold other steps' output for this step, so the
    budget is the 1 MiB limit minus what is already there.
    """
    env = os.environ if environ is None else environ
    target = env.get("GITHUB_STEP_SUMMARY", "").strip()
    if not target:
        return None
    path = Path(target)
    existing = path.stat().st_size if path.exists() else 0
    budget = SUMMARY_LIMIT - SUMMARY_MARGIN - existing
    if budget <= len(TRUNCATION_NOTICE.encode("utf-8")):
        return path  # nothing fits; writing would make GitHub drop the whole summary
    text = truncate_summary(summary_markdown(report), budget)
    with path.open("a", encoding="utf-8") as handle:
        if existing:
            handle.write("\n")
        handle.write(text)
    return path
