"""The "Since the last scan" section, in every report format.

Each helper is pure and returns nothing (an empty string, list or None) when the report has no
``since_last`` (the scan was not recorded in a history), so formats call them unconditionally.
Scanned text (messages, header values) is escaped for the target format.
"""

from __future__ import annotations

from typing import Any

from markupsafe import Markup

from auditor.model import Report
from reports.common import md_escape, one_line

TITLE = "Since the last scan"


def json_section(report: Report) -> dict[str, Any] | None:
    """The JSON report's ``since_last`` object (None: not recorded in a history)."""
    return report.since_last.to_dict() if report.since_last is not None else None


def _target_line(comparison: Any) -> str:
    if comparison.previous_run is None:
        return "first recorded run" if not comparison.regressions else "no earlier complete run"
    return f"compared with run {comparison.previous_run} ({comparison.previous_at})"


def markdown_section(report: Report) -> str:
    """The Markdown section (``## Since the last scan``), or ``""``."""
    since = report.since_last
    if since is None:
        return ""
    lines = [f"## {TITLE}", ""]
    total = len(since.regressions)
    lines.append(f"**Regressions**: {total}" if total else "**Regressions**: none")
    for comparison in since.comparisons:
        lines += ["", f"### {md_escape(comparison.target)}", "", f"_{md_escape(_target_line(comparison))}_", ""]
        for reg in comparison.regressions:
            lines.append(f"- [ ] **{reg.severity.label.upper()}** {md_escape(reg.message)}")
        for finding in comparison.resolved:
            lines.append(f"- [x] resolved: {md_escape(finding.check_id)}: {md_escape(finding.message)}")
        if not comparison.regressions and not comparison.resolved:
            lines.append("- no change")
    return "\n".join(lines)


def terminal_lines(report: Report) -> list[str]:
    """Lines for the terminal summary (plain, one line each, no control characters)."""
    since = report.since_last
    if since is None:
        return []
    regressions = since.regressions
    resolved = sum(len(c.resolved) for c in since.comparisons)
    firsts = sum(1 for c in since.comparisons if c.previous_run is None and not c.regressions)
    head = f"since the last scan: {len(regressions)} regression(s), {resolved} resolved finding(s)"
    if firsts:
        head += f", {firsts} target(s) recorded for the first time"
    lines = [head]
    lines += [f"  [{r.severity.label}] {one_line(r.target)}: {one_line(r.message)}" for r in regressions[:20]]
    if len(regressions) > 20:
        lines.append(f"  ... and {len(regressions) - 20} more")
    return lines


_HTML = """<section id="since-last-scan">
<h2>{{ title }}</h2>
<p><strong>Regressions</strong>: {{ since.regressions | length or "none" }}</p>
{% for c in since.comparisons %}
<h3 class="loc">{{ c.target }}</h3>
<p><em>{{ target_line(c) }}</em></p>
{% if c.regressions or c.resolved %}
<table class="since">
<thead><tr><th>Severity</th><th>Change</th><th>Before</th><th>After</th></tr></thead>
<tbody>
{% for r in c.regressions %}<tr class="sev-{{ r.severity.label }}"><td>{{ r.severity.label }}</td><td>{{ r.message }}</td><td>{{ r.before or "" }}</td><td>{{ r.after or "" }}</td></tr>
{% endfor %}{% for f in c.resolved %}<tr><td>resolved</td><td>{{ f.check_id }}: {{ f.message }}</td><td></td><td></td></tr>
{% endfor %}</tbody>
</table>
{% else %}<p>No change.</p>{% endif %}
{% endfor %}
</section>
"""

def html_section(report: Report) -> Markup:
    """The HTML section (autoescaped, no inline style or script, so the report's CSP holds), or empty."""
    if report.since_last is None:
        return Markup("")
    from jinja2 import Environment  # lazy: the JSON and Markdown reports do not need it

    env = Environment(autoescape=True)  # every value below is scanned or stored text
    html = env.from_string(_HTML).render(title=TITLE, since=report.since_last, target_line=_target_line)
    return Markup(html)  # rendered by an autoescaping environment


def markdown_summary(report: Report, top: int = 5) -> str:
    """A bounded form for ``--summary`` and the GitHub step summary: counts and the worst few, or ``""``."""
    since = report.since_last
    if since is None:
        return ""
    regressions = since.regressions
    resolved = sum(len(c.resolved) for c in since.comparisons)
    head = f"**{TITLE}**: {len(regressions)} regression(s), {resolved} resolved finding(s)"
    lines = [head, *(f"- **{r.severity.label.upper()}** {md_escape(r.target)}: {md_escape(r.message)}"
                     for r in regressions[:top])]
    if len(regressions) > top:
        lines.append(f"- ... and {len(regressions) - top} more")
    return "\n".join(lines)
