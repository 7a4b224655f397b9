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
from auditor.model import CheckResult, Confidence, Finding, Report, Section, SectionScore, Severity, Status, Target
from auditor.textsafe import safe_report
from reports.common import (
    BASELINE_EXISTING,
    STATUS_NOT_ASSESSED,
    assessment_date,
    baseline_resolved,
    baseline_state,
    executive_summary,
    fence,
    fitted_snippet,
    grade_label,
    is_absence_strength,
    location_text,
    md_code,
    md_escape,
    one_line,
    plural,
    priority_actions,
    results_in_section,
    risk_sentence,
    scan_gaps,
    score_label,
    severity_of,
    strength_text,
    strengths,
    suppression_reason,
)
from reports.plan import ActionPlan, PlanItem, build_plan, issues

EXTENSION = "md"

TITLE = "Production Readiness Report"
#: Up to this many scanned files are listed by name in the appendix.
MAX_LISTED_FILES = 50
#: Evidence longer than this is cut in the report (it is redacted already).
MAX_EVIDENCE = 160


def render(report: Report) -> str:
    """The full Markdown report."""
    report = safe_report(report)
    plan = build_plan(report)
    blocks: list[str] = [
        _header(report),
        _executive_summary(report, plan),
        "---",
    ]
    shown = [s for s in report.sections if s.status != STATUS_NOT_ASSESSED]
    numbers = {s.section: n for n, s in enumerate(shown, 1)}
    all_issues = issues(report)
    for section_score in shown:
        blocks.append(_section(report, section_score, numbers, all_issues))
    number = len(shown) + 1
    blocks.append(_action_plan(plan, number))
    blocks.append(_summary(report))
    from reports.history_since import markdown_section

    blocks.append(markdown_section(report))  # "Since the last scan"; empty without a history
    blocks.append(_appendix(report))
    return "\n\n".join(b.strip("\n") for b in blocks if b.strip()) + "\n"


def render_summary_markdown(report: Report) -> str:
    """The ``--summary`` Markdown: executive summary, section table, priority actions and counts only.

    Its size does not grow with the number of findings (beyond a handful of
    numbers), so it always fits a pull-request comment.
    """
    report = safe_report(report)
    plan = build_plan(report)
    blocks = [
        _header(report),
        _executive_summary(report, plan),
        "### Findings by severity\n\n" + _severity_table(report),
        "### Action plan\n\n" + "\n".join(
            f"- **{g.name}** ({g.horizon}): {plural(len(g.items), 'item')}, ~{g.effort}" for g in plan.groups
        ) + f"\n\n**Total estimate**: ~{plan.total}",
    ]
    data = report.extra.get("baseline") if report.extra else None
    if data is not None:
        states = [baseline_state(report, f) for f in report.findings]
        blocks.append(
            f"**Baseline**: {states.count('new')} new, {states.count(BASELINE_EXISTING)} existing, "
            f"{len(baseline_resolved(report))} resolved"
        )
    from reports.history_since import markdown_summary

    blocks.append(markdown_summary(report))  # empty without a history
    blocks.append(f"_{md_escape(risk_sentence(report))}_")
    return "\n\n".join(b.strip("\n") for b in blocks if b.strip()) + "\n"


# ---------------------------------------------------------------- header


def _target_text(kind: str, value: str) -> str:
    label = "repository" if kind == "repo" else ("URL" if kind == "url" else md_escape(kind))
    return f"{label} {md_code(value)}"


def _header(report: Report) -> str:
    lines = [f"# {TITLE}", ""]
    lines.append(f"**Assessment Date**: {md_escape(assessment_date(report))}  ")
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


def _ids_text(item: PlanItem) -> str:
    """```ID``` for one check, ```ID` + 2 related checks`` for a group (ids repeat once per live target)."""
    others = len(dict.fromkeys(item.check_ids)) - 1
    return f"`{item.check_id}`" + (f" + {plural(others, 'related check')}" if others else "")


def _action_line(item: PlanItem) -> str:
    where = ""
    findings = item.all_findings
    if findings:
        loc = location_text(findings[0].location)
        if loc:
            where = f" ({md_code(loc)}"
            where += f" and {len(findings) - 1} more)" if len(findings) > 1 else ")"
    live = ", confirmed live" if item.confirmed_live else ""
    return f"**{md_escape(item.title)}** ({item.severity.label}, {item.section.title}{live}){where}"


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
        lines.extend(f"{i}. {_action_line(item)}" for i, item in enumerate(actions, 1))
    else:
        gaps = scan_gaps(report)
        if gaps:
            lines.append("**Priority Actions**: none found in what could be checked; first make the scan "
                         f"complete ({md_escape('; '.join(gaps))}) and scan again.")
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
    if finding.related:
        text += " (also at " + ", ".join(md_code(location_text(loc)) for loc in finding.related) + ")"
    confidence = result.confidence_of(finding)
    if confidence is not Confidence.HIGH:
        text += f" ({confidence.label} confidence)"
    if baseline_state(report, finding) == BASELINE_EXISTING:
        text += " (existing)"
    return text


def _result_lines(report: Report, result: CheckResult) -> list[str]:
    """One failing check on its own: one item, or a parent item with one sub-item per place."""
    tag = f"`{result.meta.id}`"
    if len(result.findings) <= 1:
        finding = result.findings[0] if result.findings else Finding(message=result.meta.title)
        sev = severity_of(result, finding)
        return [f"- [ ] **{sev.label}** {_finding_text(report, result, finding)} {tag}"]
    # Several findings of one check: one parent item (fixed together), one sub-item per place.
    lines = [
        f"- [ ] **{result.worst_severity.label}** **{md_escape(result.meta.title)}**: "
        f"{len(result.findings)} findings {tag}"
    ]
    for finding in result.findings:
        sev = severity_of(result, finding)
        prefix = f"**{sev.label}** " if sev != result.worst_severity else ""
        lines.append(f"  - [ ] {prefix}{_finding_text(report, result, finding)}")
    return lines


def _issue_lines(report: Report, item: PlanItem) -> list[str]:
    """One issue: a single check as before; a group once, repository evidence first, then live."""
    if not item.grouped:
        return _result_lines(report, item.result)
    lines = [
        f"- [ ] **{item.severity.label}** **{md_escape(item.title)}**: {plural(item.findings, 'finding')} from "
        f"{plural(len(item.results), 'check')}"
    ]
    for result in item.results:
        prefix = "confirmed live: " if item.confirmed_live and result.meta.target is Target.LIVE else ""
        for finding in result.findings or (Finding(message=result.meta.title),):
            sev = severity_of(result, finding)
            lines.append(
                f"  - [ ] **{sev.label}** {prefix}{_finding_text(report, result, finding)} `{result.meta.id}`"
            )
    return lines


def _pointer_line(result: CheckResult, item: PlanItem, numbers: dict[Section, int]) -> str:
    """A failing check of this area that is shown with its group in another area."""
    where = f"{numbers[item.section]}. {item.section.title}" if item.section in numbers else item.section.title
    return (
        f"- {md_escape(result.meta.title)} (`{result.meta.id}`, **{result.worst_severity.label}**): "
        f"shown with **{md_escape(item.title)}** under {where}"
    )


def _recommendations(report: Report, items: list[PlanItem]) -> list[str]:
    """One fix per issue; a snippet already shown in this area is referred to, not repeated."""
    lines: list[str] = []
    shown: dict[str, str] = {}  # snippet code -> title of the issue that showed it
    for item in items:
        fix = item.fix
        if not (fix.meta.doc.fix or fix.meta.doc.snippets):
            continue
        prose = fix_prose(fix.meta.doc)
        first = one_line(prose.split("\n\n")[0]) if prose else ""
        # Fix prose is Markdown written by check authors (trusted, like the snippets), not scanned content.
        head = f"**{md_escape(item.title)}**" + (f": {first}" if first else "")
        snippet = fitted_snippet(fix.meta, report.stacks, item.all_findings)
        lines += ["", head]
        # Low and info items get the one-line fix; the snippet (and the HTML report) has the rest.
        if snippet is None or item.severity < Severity.MEDIUM:
            continue
        code = snippet.code.strip()
        if code in shown:
            lines[-1] = head + f" (same snippet as **{md_escape(shown[code])}** above)"
            continue
        shown[code] = item.title
        lines += ["", fence(snippet.code, snippet.language)]
    return lines


def _section(report: Report, section_score: SectionScore, numbers: dict[Section, int],
             all_issues: list[PlanItem]) -> str:
    section: Section = section_score.section
    results = results_in_section(report, section)
    mine = [item for item in all_issues if item.section is section]
    elsewhere = [
        (result, item) for item in all_issues if item.section is not section
        for result in item.results if result.meta.section is section
    ]
    score = f" (score {section_score.score:g}/100)" if section_score.score is not None else ""
    lines = [
        f"## {numbers[section]}. {section.title}", "",
        f"**Status**: {md_escape(section_score.status)}{score}",
    ]
    passed = strengths(report, section)
    doing = [r for r in passed if not is_absence_strength(r.meta)]
    clean = len(passed) - len(doing)
    if passed:
        lines += ["", "**Strengths**:"]
        lines += [f"- {md_escape(strength_text(r.meta))}" for r in doing]
        if clean:
            # Passes that only mean "no mistake found" are counted, not listed as strengths.
            noun = "further check" if doing else "check"
            lines.append(f"- {plural(clean, noun)} found nothing to fix")
    lines += ["", "**Improvements Needed**:"]
    for item in mine:
        lines += _issue_lines(report, item)
    lines += [_pointer_line(result, item, numbers) for result, item in elsewhere]
    if not mine and not elsewhere:
        lines.append("- none")
    not_run = [r for r in results if r.status in (Status.ERROR, Status.SKIPPED)]
    if not_run:
        lines += ["", f"_{plural(len(not_run), 'check')} not run in this area; see the appendix._"]
    recommendations = _recommendations(report, mine)
    if recommendations:
        lines += ["", "**Recommendations**:", *recommendations]
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
                f"{count}, ~{item.effort} ({_ids_text(item)})"
            )
    lines += ["", f"**Total estimate**: ~{plan.total}" if not plan.empty else "**Total estimate**: nothing to do"]
    return "\n".join(lines)


def _summary(report: Report) -> str:
    """The blockers in one line and the risk assessment; the action plan above is not repeated."""
    lines = ["## Summary"]
    blockers = [item for item in priority_actions(report, limit=5) if item.severity >= Severity.HIGH]
    if blockers:
        names = "; ".join(md_escape(item.title) for item in blockers)
        lines += ["", f"**Critical Priorities**: {names}."]
    elif not priority_actions(report, limit=1):
        lines += ["", "No open actions: every applicable check passed."]
    lines += ["", f"**Risk Assessment**: {md_escape(risk_sentence(report))}"]
    return "\n".join(lines)


def _bullets(items: Iterable[str], empty: str = "- none") -> list[str]:
    out = list(items)
    return out or [empty]


def _file_groups(files: Iterable[str]) -> list[str]:
    """Scanned files as one line per top-level folder (files at the root listed by name).

    A 1,500-file monorepo's appendix stays a dozen lines; the JSON report has no file list either,
    and the HTML report keeps the full list behind a disclosure.
    """
    root: list[str] = []
    folders: dict[str, int] = {}
    for path in files:
        head, sep, _rest = path.partition("/")
        if sep:
            folders[head] = folders.get(head, 0) + 1
        else:
            root.append(path)
    lines = [f"- {md_code(p)}" for p in root[:MAX_LISTED_FILES]]
    if len(root) > MAX_LISTED_FILES:
        lines.append(f"- {len(root) - MAX_LISTED_FILES} more files at the root")
    lines += [f"- {md_code(name + '/')}: {plural(count, 'file')}" for name, count in sorted(folders.items())]
    return lines


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
    lines += _bullets(_file_groups(files))

    lines += ["", f"### Files skipped ({len(report.skipped_files)})"]
    lines += _bullets(f"- {md_code(s.path)}: {md_escape(s.reason)}" for s in report.skipped_files)

    ordered = sorted(report.results, key=lambda r: (r.meta.section.order, r.meta.id, r.target))
    skipped = [r for r in ordered if r.status is Status.SKIPPED]
    errored = [r for r in ordered if r.status is Status.ERROR]
    lines += ["", f"### Checks skipped ({len(skipped)})"]
    lines += _bullets(f"- `{r.meta.id}`: {md_escape(r.reason or 'not applicable')}" for r in skipped)
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
