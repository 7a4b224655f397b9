"""The Markdown report, shaped like a production-readiness checklist.

Layout (DESIGN.md "Report shape"): title block; executive summary with
score, grade, risk level and priority actions; one numbered section per
checklist area with its status line, strengths, ``- [ ]`` improvements and
fix snippets for the detected stack; the priority action plan; a summary;
an appendix of what was scanned, skipped, errored, suppressed and
baselined. :func:`render_summary_markdown` is the short ``--summary`` form
that fits a pull-request comment.

Every value that comes from scanned content goes through
:func:`reports.common.md_escape` or :func:`reports.common.md_code`, so it
can never open a heading, a table cell, a code block or an HTML tag.
"""

from __future__ import annotations

from collections.abc import Iterable

from auditor.docs import fix_prose
from auditor.model import CheckResult, Finding, Report, Section, SectionScore, Severity, Status
from reports.common import (
    BASELINE_EXISTING,
    STATUS_NOT_ASSESSED,
    baseline_resolved,
    baseline_state,
    executive_summary,
    fence,
    grade_label,
    location_text,
    md_code,
    md_escape,
    one_line,
    priority_actions,
    results_in_section,
    risk_sentence,
    score_label,
    severity_of,
    snippet_for,
    strength_text,
    strengths,
    suppression_reason,
)
from reports.plan import ActionPlan, build_plan

EXTENSION = "md"

TITLE = "Production Readiness Report"
#: Up to this many scanned files are listed by name in the appendix.
MAX_LISTED_FILES = 50
#: Evidence longer than this is cut in the report (it is redacted already).
MAX_EVIDENCE = 160


def render(report: Report) -> str:
    """The full Markdown report."""
    plan = build_plan(report)
    blocks: list[str] = [
        _header(report),
        _executive_summary(report, plan),
        "---",
    ]
    number = 0
    for section_score in report.sections:
        if section_score.status == STATUS_NOT_ASSESSED:
            continue
        number += 1
        blocks.append(_section(report, section_score, number))
    number += 1
    blocks.append(_action_plan(plan, number))
    blocks.append(_summary(report))
    blocks.append(_appendix(report))
    return "\n\n".join(b.strip("\n") for b in blocks if b.strip()) + "\n"


def render_summary_markdown(report: Report) -> str:
    """The ``--summary`` Markdown: executive summary, section table, priority actions and counts only.

    Its size does not grow with the number of findings (beyond a handful of
    numbers), so it always fits a pull-request comment.
    """
    plan = build_plan(report)
    blocks = [
        _header(report),
        _executive_summary(report, plan),
        "### Findings by severity\n\n" + _severity_table(report),
        "### Action plan\n\n" + "\n".join(
            f"- **{g.name}** ({g.horizon}): {len(g.items)} item(s), ~{g.effort}" for g in plan.groups
        ) + f"\n\n**Total estimate**: ~{plan.total}",
    ]
    data = report.extra.get("baseline") if report.extra else None
    if data is not None:
        states = [baseline_state(report, f) for f in report.findings]
        blocks.append(
            f"**Baseline**: {states.count('new')} new, {states.count(BASELINE_EXISTING)} existing, "
            f"{len(baseline_resolved(report))} resolved"
        )
    blocks.append(f"_{md_escape(risk_sentence(report))}_")
    return "\n\n".join(b.strip("\n") for b in blocks if b.strip()) + "\n"


# ---------------------------------------------------------------- header


def _target_text(kind: str, value: str) -> str:
    label = "repository" if kind == "repo" else ("URL" if kind == "url" else md_escape(kind))
    return f"{label} {md_code(value)}"


def _header(report: Report) -> str:
    lines = [f"# {TITLE}", ""]
    lines.append(f"**Assessment Date**: {md_escape(report.generated_at)}  ")
    targets = ", ".join(_target_text(t.kind, t.value) for t in report.targets) or "none"
    lines.append(f"**Targets**: {targets}  ")
    if report.stacks:
        lines.append(f"**Stacks detected**: {', '.join(md_escape(s) for s in report.stacks)}  ")
    lines.append(f"**Tool**: prodcheck {md_escape(report.tool_version)}")
    return "\n".join(lines)


def _live_table(report: Report) -> str:
    live = [t for t in report.targets if t.kind != "repo"]
    if not live:
        return ""
    rows = ["| Target | TLS grade | Header grade | Notes |", "|---|---|---|---|"]
    for t in live:
        header = t.header_grade or "n/a"
        if t.header_grade and t.header_score is not None:
            header = f"{t.header_grade} ({t.header_score}/100)"
        note = f"not scanned: {t.error}" if t.error else ""
        rows.append(
            f"| {md_code(t.value, table=True)} | {md_escape(t.tls_grade or 'n/a')} | {md_escape(header)} | {md_escape(note)} |"
        )
    return "\n".join(rows)


# ---------------------------------------------------------------- executive summary


def _action_line(result: CheckResult) -> str:
    where = ""
    if result.findings:
        loc = location_text(result.findings[0].location)
        if loc:
            where = f" ({md_code(loc)}"
            where += f" and {len(result.findings) - 1} more)" if len(result.findings) > 1 else ")"
    return (
        f"**{md_escape(result.meta.title)}** ({result.worst_severity.label}, "
        f"{result.meta.section.title}){where}"
    )


def _section_table(report: Report) -> str:
    rows = ["| Area | Status | Score | Passed | Failed | Not run |", "|---|---|---|---|---|---|"]
    for s in report.sections:
        score = f"{s.score:g}" if s.score is not None else "n/a"
        rows.append(
            f"| {s.section.title} | {md_escape(s.status)} | {score} | {s.passed} | {s.failed} | "
            f"{s.errored + s.skipped} |"
        )
    return "\n".join(rows)


def _executive_summary(report: Report, plan: ActionPlan) -> str:
    lines = ["## Executive Summary", "", md_escape(executive_summary(report)), ""]
    lines.append(f"**Score**: {score_label(report)}  ")
    lines.append(f"**Grade**: {md_escape(grade_label(report))}  ")
    lines.append(f"**Risk Level**: {md_escape(report.risk)}  ")
    if plan.items:
        lines.append(f"**Estimated Effort**: ~{plan.total}")
    actions = priority_actions(report, limit=5)
    lines.append("")
    if actions:
        lines.append("**Priority Actions**:")
        lines.extend(f"{i}. {_action_line(r)}" for i, r in enumerate(actions, 1))
    else:
        lines.append("**Priority Actions**: none; keep the checks green.")
    live = _live_table(report)
    if live:
        lines += ["", "**Live targets**:", "", live]
    lines += ["", _section_table(report)]
    return "\n".join(lines)


def _severity_table(report: Report) -> str:
    counts = report.counts_by_severity()
    order = sorted(Severity, reverse=True)
    head = "| " + " | ".join(s.label for s in order) + " |"
    sep = "|" + "---|" * len(order)
    row = "| " + " | ".join(str(counts[s]) for s in order) + " |"
    return "\n".join([head, sep, row])


# ---------------------------------------------------------------- sections


def _finding_text(report: Report, result: CheckResult, finding: Finding) -> str:
    parts = [md_escape(finding.message) or md_escape(result.meta.title)]
    loc = location_text(finding.location)
    if loc:
        parts.append(f"— {md_code(loc)}")
    text = " ".join(parts)
    evidence = one_line(finding.evidence)
    if evidence:
        if len(evidence) > MAX_EVIDENCE:
            evidence = evidence[: MAX_EVIDENCE - 1] + "…"
        text += f" (evidence: {md_code(evidence)})"
    if baseline_state(report, finding) == BASELINE_EXISTING:
        text += " (existing)"
    return text


def _improvements(report: Report, failed: list[CheckResult]) -> list[str]:
    lines: list[str] = []
    for result in failed:
        tag = f"`{result.meta.id}`"
        if len(result.findings) <= 1:
            finding = result.findings[0] if result.findings else Finding(message=result.meta.title)
            sev = severity_of(result, finding)
            lines.append(f"- [ ] {_finding_text(report, result, finding)} **{sev.label}** {tag}")
            continue
        # Several findings of one check: one parent item (fixed together), one sub-item per place.
        lines.append(
            f"- [ ] **{md_escape(result.meta.title)}**: {len(result.findings)} findings, "
            f"**{result.worst_severity.label}** {tag}"
        )
        for finding in result.findings:
            sev = severity_of(result, finding)
            suffix = f" **{sev.label}**" if sev != result.worst_severity else ""
            lines.append(f"  - [ ] {_finding_text(report, result, finding)}{suffix}")
    return lines


def _recommendation(report: Report, result: CheckResult) -> list[str]:
    prose = fix_prose(result.meta.doc)
    first = one_line(prose.split("\n\n")[0]) if prose else ""
    # Fix prose is Markdown written by check authors (trusted, like the snippets), not scanned content.
    lines = [f"**{md_escape(result.meta.title)}**" + (f": {first}" if first else "")]
    snippet = snippet_for(result.meta, report.stacks)
    if snippet is not None:
        lines += ["", fence(snippet.code, snippet.language)]
    return lines


def _section(report: Report, section_score: SectionScore, number: int) -> str:
    section: Section = section_score.section
    results = results_in_section(report, section)
    failed = sorted(
        (r for r in results if r.status is Status.FAIL),
        key=lambda r: (-r.worst_severity, r.meta.id, r.target),
    )
    score = f" (score {section_score.score:g}/100)" if section_score.score is not None else ""
    lines = [f"## {number}. {section.title}", "", f"**Status**: {md_escape(section_score.status)}{score}"]
    passed = strengths(report, section)
    lines += ["", "**Strengths**:"]
    if passed:
        lines += [f"- {md_escape(strength_text(r.meta))} (`{r.meta.id}`)" for r in passed]
    else:
        lines.append("- none yet")
    lines += ["", "**Improvements Needed**:"]
    lines += _improvements(report, failed) if failed else ["- none"]
    not_run = [r for r in results if r.status in (Status.ERROR, Status.SKIPPED)]
    if not_run:
        lines += ["", f"_{len(not_run)} check(s) not run in this area; see the appendix._"]
    actionable = [r for r in failed if r.meta.doc.fix or r.meta.doc.snippets]
    if actionable:
        lines += ["", "**Recommendations**:"]
        for result in actionable:
            lines += ["", *_recommendation(report, result)]
    return "\n".join(lines)


# ---------------------------------------------------------------- plan, summary, appendix


def _action_plan(plan: ActionPlan, number: int) -> str:
    lines = [f"## {number}. Priority Action Plan"]
    for group in plan.groups:
        lines += ["", f"### {group.name} ({group.horizon})"]
        if not group.items:
            lines.append("- nothing")
            continue
        for i, item in enumerate(group.items, 1):
            count = f", {item.findings} findings" if item.findings > 1 else ""
            lines.append(
                f"{i}. **{md_escape(item.title)}** — {item.section.title}, {item.severity.label}"
                f"{count}, ~{item.effort} (`{item.check_id}`)"
            )
    lines += ["", f"**Total estimate**: ~{plan.total}" if not plan.empty else "**Total estimate**: nothing to do"]
    return "\n".join(lines)


def _summary(report: Report) -> str:
    lines = ["## Summary"]
    actions = priority_actions(report, limit=5)
    if actions:
        lines += ["", "**Critical Priorities**:"]
        lines += [
            f"{i}. {md_escape(r.meta.title)} ({r.worst_severity.label.upper()} - {r.meta.section.title})"
            for i, r in enumerate(actions, 1)
        ]
    if not actions:
        lines += ["", "No open actions: every applicable check passed."]
    lines += ["", f"**Risk Assessment**: {md_escape(risk_sentence(report))}"]
    return "\n".join(lines)


def _bullets(items: Iterable[str], empty: str = "- none") -> list[str]:
    out = list(items)
    return out or [empty]


def _appendix(report: Report) -> str:
    lines = ["## Appendix"]
    lines += ["", "### Targets scanned"]
    for t in report.targets:
        extra = f" (not scanned: {md_escape(t.error)})" if t.error else ""
        lines.append(f"- {_target_text(t.kind, t.value)}{extra}")
    if not report.targets:
        lines.append("- none")

    files = report.scanned_files
    lines += ["", f"### Files scanned ({len(files)})"]
    if files and len(files) <= MAX_LISTED_FILES:
        lines += [f"- {md_code(p)}" for p in files]
    elif files:
        lines.append(f"- {len(files)} files (list omitted; more than {MAX_LISTED_FILES})")
    else:
        lines.append("- none")

    lines += ["", f"### Files skipped ({len(report.skipped_files)})"]
    lines += _bullets(f"- {md_code(s.path)}: {md_escape(s.reason)}" for s in report.skipped_files)

    ordered = sorted(report.results, key=lambda r: (r.meta.section.order, r.meta.id, r.target))
    skipped = [r for r in ordered if r.status is Status.SKIPPED]
    errored = [r for r in ordered if r.status is Status.ERROR]
    lines += ["", f"### Checks skipped ({len(skipped)})"]
    lines += _bullets(
        f"- `{r.meta.id}` ({md_escape(r.meta.title)}): {md_escape(r.reason or 'not applicable')}" for r in skipped
    )
    lines += ["", f"### Checks errored ({len(errored)})"]
    lines += _bullets(
        f"- `{r.meta.id}` ({md_escape(r.meta.title)}): {md_escape(r.reason or 'unknown error')}" for r in errored
    )

    suppressed = [(r, f) for r in ordered for f in r.suppressed]
    lines += ["", f"### Suppressed findings ({len(suppressed)})"]
    lines += _bullets(
        f"- `{r.meta.id}`: {md_escape(f.message)}"
        + (f" — {md_code(location_text(f.location))}" if location_text(f.location) else "")
        + (f" — suppressed: {md_escape(reason)}" if (reason := suppression_reason(report, f)) else "")
        for r, f in suppressed
    )

    if report.extra.get("baseline") is not None:
        states = [baseline_state(report, f) for f in report.findings]
        resolved = baseline_resolved(report)
        lines += ["", "### Baseline"]
        lines.append(
            f"- {states.count('new')} new, {states.count(BASELINE_EXISTING)} existing "
            f"(marked \"(existing)\" above), {len(resolved)} resolved"
        )
        if resolved:
            lines += ["", "Resolved since the baseline:"]
            lines += [
                f"- `{md_escape(item['check_id'])}`: {md_escape(item['message'])}"
                + (f" — {md_code(item['path'])}" if item["path"] else "")
                for item in resolved
            ]

    if report.notes:
        lines += ["", "### Notes"]
        lines += [f"- {md_escape(n)}" for n in report.notes]
    return "\n".join(lines)
