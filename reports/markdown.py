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

import re
from collections.abc import Iterable

from auditor.docs import fix_prose
from auditor.model import (
    CheckResult,
    Confidence,
    Finding,
    FixSnippet,
    Report,
    Section,
    Severity,
    SkippedFile,
    Status,
    Target,
)
from reports.common import (
    BASELINE_EXISTING,
    assessment_date,
    baseline_resolved,
    baseline_state,
    fence,
    fitted_snippet,
    location_text,
    lower_first,
    md_code,
    md_escape,
    one_line,
    plural,
    severity_of,
    strength_text,
    suppression_reason,
)
from reports.compose_merge import compose_shape, merge_compose
from reports.plan import PlanItem, effort_label
from reports.view import AreaView, ReportView, build_view

EXTENSION = "md"

TITLE = "Production Readiness Report"
#: Up to this many scanned files are listed by name in the appendix.
MAX_LISTED_FILES = 20
#: Strengths named per area in the Markdown report; the rest are counted.
MAX_STRENGTHS = 5
#: Evidence longer than this is cut in the report (it is redacted already).
MAX_EVIDENCE = 160


def render(report: Report) -> str:
    """The full Markdown report."""
    view = build_view(report)
    shown = [area for area in view.areas if area.assessed]
    numbers = {area.section: n for n, area in enumerate(shown, 1)}
    blocks: list[str] = [_header(view.report), _executive_summary(view), "---"]
    blocks += [_section(view, area, numbers) for area in shown]
    blocks.append(_action_plan(view, len(shown) + 1))
    blocks.append(_summary(view))
    from reports.history_since import markdown_section

    blocks.append(markdown_section(view.report))  # "Since the last scan"; empty without a history
    blocks.append(_appendix(view.report))
    return "\n\n".join(b.strip("\n") for b in blocks if b.strip()) + "\n"


def render_summary_markdown(report: Report) -> str:
    """The ``--summary`` Markdown: executive summary, area table, priority actions and counts only.

    Its size does not grow with the number of findings (beyond a handful of
    numbers), so it always fits a pull-request comment.
    """
    view = build_view(report)
    report = view.report
    plan = view.plan
    blocks = [
        _header(report),
        _executive_summary(view) + "\n\n" + _section_table(view),
        "### Findings by severity\n\n" + _severity_table(view),
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
    blocks.append(f"_{md_escape(view.risk_sentence)}_")
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


def _where(item: PlanItem) -> str:
    """```path:line``` of the first finding, ``and N more`` when there are others (or ``""``)."""
    findings = item.all_findings
    loc = location_text(findings[0].location) if findings else ""
    if not loc:
        return ""
    return md_code(loc) + (f" and {len(findings) - 1} more" if len(findings) > 1 else "")


def _action_line(item: PlanItem) -> str:
    """A priority action: severity first, then what, where it belongs and where to start."""
    live = ", confirmed live" if item.confirmed_live else ""
    where = _where(item)
    return (f"**{item.severity.label}** {md_escape(item.title)} ({item.section.title}{live})"
            + (f": {where}" if where else ""))


def _count_line(view: ReportView) -> str:
    """Open findings per severity and the issues they make (the numbers every format shows)."""
    counts = view.counts
    per = ", ".join(f"{n} {s.label}" for s, n in counts.findings)
    return (f"**Findings**: {per} ({plural(counts.total_findings, 'finding')} in "
            f"{plural(counts.total_issues, 'issue')})")


def _section_table(view: ReportView) -> str:
    rows = ["| Area | Status | Score | Passed | Failed | Not run |", "|---|---|---|---|---|---|"]
    for area in view.areas:
        s = area.score
        score = f"{s.score:g}" if s.score is not None else "n/a"
        rows.append(
            f"| {s.section.title} | {md_escape(area.status)} | {score} | {s.passed} | {s.failed} | "
            f"{s.errored + s.skipped} |"
        )
    return "\n".join(rows)


def _executive_summary(view: ReportView) -> str:
    report = view.report
    lines = ["## Executive Summary", "", md_escape(view.summary), ""]
    lines.append(f"**Score**: {view.score_label}  ")
    lines.append(f"**Grade**: {md_escape(view.grade_label)}  ")
    lines.append(f"**Risk Level**: {md_escape(report.risk)}  ")
    if view.plan.items:
        lines.append(f"**Estimated Effort**: ~{view.plan.total}  ")
    lines.append(_count_line(view))
    lines.append("")
    if view.actions:
        lines.append("**Priority Actions**:")
        lines.extend(f"{i}. {_action_line(item)}" for i, item in enumerate(view.actions, 1))
    elif view.scan_gaps:
        lines.append("**Priority Actions**: none found in what could be checked; first make the scan "
                     f"complete ({md_escape('; '.join(view.scan_gaps))}) and scan again.")
    else:
        lines.append("**Priority Actions**: none; keep the checks green.")
    live = _live_table(report)
    if live:
        lines += ["", "**Live targets**:", "", live]
    return "\n".join(lines)


def _severity_table(view: ReportView) -> str:
    head = "| " + " | ".join(s.label for s, _ in view.counts.findings) + " |"
    sep = "|" + "---|" * len(view.counts.findings)
    row = "| " + " | ".join(str(n) for _, n in view.counts.findings) + " |"
    return "\n".join([head, sep, row])


# ---------------------------------------------------------------- sections


def _finding_text(report: Report, result: CheckResult, finding: Finding) -> str:
    message = one_line(finding.message)
    parts = [md_escape(message) or md_escape(result.meta.title)]
    loc = location_text(finding.location)
    if loc:
        parts.append(f"— {md_code(loc)}")
    text = " ".join(parts)
    evidence = one_line(finding.evidence)
    # Evidence the message already quotes is not repeated.
    if evidence and evidence not in message:
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
        lines.append(f"  - [ ] **{severity_of(result, finding).label}** {_finding_text(report, result, finding)}")
    return lines


def _observation_line(item: PlanItem) -> list[str]:
    """An info issue on one line: an observation, not an action, so its places are listed, not itemised."""
    places = [location_text(f.location) for f in item.all_findings]
    where = ", ".join(md_code(p) for p in dict.fromkeys(places) if p)
    ids = " ".join(f"`{i}`" for i in dict.fromkeys(item.check_ids))
    head = md_escape(item.title) if len(item.all_findings) > 1 else md_escape(
        one_line(item.all_findings[0].message) if item.all_findings else item.title)
    return [f"- [ ] **info** {head}" + (f" — {where}" if where else "") + f" {ids}"]


def _issue_lines(report: Report, item: PlanItem) -> list[str]:
    """One issue: a single check as before; a group once, repository evidence first, then live."""
    if item.severity is Severity.INFO and item.all_findings:
        return _observation_line(item)
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
        f"- **{result.worst_severity.label}** {md_escape(result.meta.title)} (`{result.meta.id}`): "
        f"shown with **{md_escape(item.title)}** under {where}"
    )


def _recommendations(view: ReportView, items: Iterable[PlanItem]) -> list[str]:
    """One fix per issue; a snippet already shown in this area is referred to, not repeated.

    Compose fixes for the same service are shown as one block after their heads (as the
    seed's single ``services: server:`` block), where :mod:`reports.compose_merge` can merge them.
    """
    entries: list[tuple[PlanItem, str, FixSnippet | None]] = []
    for item in items:
        fix = item.fix
        if not (fix.meta.doc.fix or fix.meta.doc.snippets):
            continue
        prose = fix_prose(fix.meta.doc)
        first = one_line(prose.split("\n\n")[0]) if prose else ""
        snippet = fitted_snippet(fix.meta, view.report.stacks, item.all_findings, view.facts)
        # Low and info items get the one-line fix; the snippet (and the HTML report) has the rest.
        # A fix written only as a snippet keeps it: a head with nothing after it tells the reader nothing.
        if snippet is None or (item.severity < Severity.MEDIUM and first):
            snippet = None
        else:
            first = first_sentence(first)  # the snippet says the rest
        # Fix prose is Markdown written by check authors (trusted, like the snippets), not scanned content.
        entries.append((item, f"**{md_escape(item.title)}**" + (f": {first}" if first else ""), snippet))
    shapes = {id(item): shape for item, _, snippet in entries
              if snippet is not None and (shape := compose_shape(snippet)) is not None}
    merged = merge_compose(list(shapes.values())) if len(shapes) > 1 else None
    lines: list[str] = []
    shown: dict[str, str] = {}  # snippet code -> title of the issue that showed it
    for index, (item, head, snippet) in enumerate(entries):
        if merged is not None and id(item) in shapes:
            lines += ["", head]
            if not any(id(later) in shapes for later, _, _ in entries[index + 1:]):
                lines += ["", fence(merged, "yaml")]
            continue
        lines += ["", head]
        if snippet is None:
            continue
        code = snippet.code.strip()
        if code in shown:
            lines[-1] = head + f" (same snippet as **{md_escape(shown[code])}** above)"
            continue
        shown[code] = item.title
        lines += ["", fence(snippet.code, snippet.language)]
    return lines


_SENTENCE_END = re.compile(r"(?<![A-Z]\.)(?<!\be\.g)(?<!\bi\.e)\.\s+(?=[A-Z`(])")


def first_sentence(text: str) -> str:
    """The first sentence of a paragraph (``e.g.`` and initials do not end one)."""
    parts = _SENTENCE_END.split(text, maxsplit=1)
    return parts[0].rstrip(".") + "." if len(parts) > 1 else text


def _section(view: ReportView, area: AreaView, numbers: dict[Section, int]) -> str:
    report = view.report
    section = area.section
    notes = []
    if area.score.score is not None:
        notes.append(f"score {area.score.score:g}/100")
    if area.not_run:
        notes.append(f"{plural(len(area.not_run), 'check')} not run, see the appendix")
    lines = [
        f"## {numbers[section]}. {section.title}", "",
        f"**Status**: {md_escape(area.status)}" + (f" ({'; '.join(notes)})" if notes else ""),
    ]
    if area.passed:
        lines += ["", "**Strengths**:"]
        # The weightiest strengths by name, as the seed lists four or five; the rest, and passes that
        # only mean "no mistake found", are counted (the HTML and JSON reports list every pass).
        ranked = sorted(area.strengths, key=lambda r: -r.meta.severity)
        shown = ranked[:MAX_STRENGTHS]
        lines += [f"- {md_escape(strength_text(r.meta))}" for r in shown]
        rest = area.absences + len(ranked) - len(shown)
        if rest:
            noun = "further check" if shown else "check"
            lines.append(f"- {plural(rest, noun)} passed")
    lines += ["", "**Improvements Needed**:"]
    for item in area.issues:
        lines += _issue_lines(report, item)
    lines += [_pointer_line(result, item, numbers) for result, item in area.elsewhere]
    if not area.issues and not area.elsewhere:
        lines.append("- none")
    recommendations = _recommendations(view, area.issues)
    if recommendations:
        lines += ["", "**Recommendations**:", *recommendations]
    if section is Section.OBSERVABILITY and view.alerts is not None and view.alerts.levels:
        sources = ", ".join(md_escape(name) for name in view.alerts.sources)
        lines += ["", f"**Alert thresholds** (on what is monitored today: {sources}):"]
        lines += [f"- **{level.name}** ({level.route}): {md_escape('; '.join(level.rules))}"
                  for level in view.alerts.levels]
    return "\n".join(lines)


# ---------------------------------------------------------------- plan, summary, appendix


def _action_plan(view: ReportView, number: int) -> str:
    """Each horizon as one line per area: what to fix there, and its effort (severity is the horizon's)."""
    plan = view.plan
    lines = [f"## {number}. Priority Action Plan"]
    for group in plan.groups:
        lines += ["", f"### {group.name} ({group.horizon})"]
        if not group.items:
            lines.append("- nothing")
            continue
        by_area: dict[Section, list[PlanItem]] = {}
        for item in group.items:
            by_area.setdefault(item.section, []).append(item)
        mixed = len({item.severity for item in group.items}) > 1
        for section, items in by_area.items():
            hours = sum(item.hours for item in items)
            names = "; ".join(_plan_entry(item, mixed, alone=len(items) == 1) for item in items)
            lines.append(f"- **{section.title}** (~{effort_label(hours)}): {names}")
    total = f"~{plan.total}" if not plan.empty else "nothing to do"
    lines += ["", f"**Total estimate**: {total}"]
    return "\n".join(lines)


def _plan_entry(item: PlanItem, mixed: bool, *, alone: bool) -> str:
    """``database without backups (~6 h)``: the severity only where a horizon holds two, the effort
    only where the area's line does not already give it."""
    extras = []
    if mixed:
        extras.append(item.severity.label)
    if item.findings > 1:
        extras.append(plural(item.findings, "finding"))
    if not alone:
        extras.append(f"~{item.effort}")
    title = md_escape(lower_first(item.title))
    return f"{title} ({', '.join(extras)})" if extras else title


def _summary(view: ReportView) -> str:
    """The blockers counted (they are named above), the timeline per horizon, and the risk assessment."""
    lines = ["## Summary"]
    plan = view.plan
    immediate = plan.groups[0]
    if immediate.items:
        lines += ["", f"**Critical Priorities**: the {plural(len(immediate.items), 'Immediate item')} "
                      f"(~{immediate.effort}), starting with {md_escape(lower_first(immediate.items[0].title))}."]
    elif not view.actions:
        lines += ["", "No open actions: every applicable check passed."]
    if not plan.empty:
        steps = [f"{g.horizon}: {plural(len(g.items), 'item')} (~{g.effort})" for g in plan.groups if g.items]
        lines += ["", f"**Timeline**: {'; '.join(steps)}; ~{plan.total} in all."]
    lines += ["", f"**Risk Assessment**: {md_escape(view.risk_sentence)}"]
    return "\n".join(lines)


def _bullets(items: Iterable[str], empty: str = "- none") -> list[str]:
    out = list(items)
    return out or [empty]


# Past this many files one reason is a single line with a count ("81 files: browser code ...").
_SKIPS_LISTED = 3


def _skipped_lines(skipped: Iterable[SkippedFile]) -> list[str]:
    """One line per skipped file, except that files sharing a reason share a line when there are many
    (a Next.js app's client components), with the first few named; the JSON report lists every one."""
    by_reason: dict[str, list[str]] = {}
    for item in skipped:
        by_reason.setdefault(item.reason, []).append(item.path)
    out: list[str] = []
    for reason, paths in by_reason.items():
        if len(paths) <= _SKIPS_LISTED:
            out.extend(f"- {md_code(path)}: {md_escape(reason)}" for path in paths)
            continue
        named = ", ".join(md_code(path) for path in paths[:_SKIPS_LISTED])
        out.append(f"- {len(paths)} files: {md_escape(reason)} ({named} and {len(paths) - _SKIPS_LISTED} more)")
    return _bullets(out)


def _file_groups(files: Iterable[str]) -> str:
    """Scanned files as one line: files at the root by name, then a count per top-level folder.

    A 1,500-file monorepo's appendix stays one line; the JSON report has no file list either,
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
    names = [md_code(p) for p in root[:MAX_LISTED_FILES]]
    if len(root) > MAX_LISTED_FILES:
        names.append(f"{len(root) - MAX_LISTED_FILES} more at the root")
    parts = [", ".join(names)] if names else []
    if folders:
        parts.append(", ".join(f"{md_code(name + '/')} ({plural(count, 'file')})"
                               for name, count in sorted(folders.items())))
    return "; ".join(parts) or "none"


def _appendix(report: Report) -> str:
    lines = ["## Appendix"]
    lines += ["", "### Targets scanned"]
    for t in report.targets:
        extra = f" (not scanned: {md_escape(t.error)})" if t.error else ""
        lines.append(f"- {_target_text(t.kind, t.value)}{extra}")
    if not report.targets:
        lines.append("- none")

    files = report.scanned_files
    lines += ["", f"### Files scanned ({len(files)})", _file_groups(files)]

    # Empty lists are one line at the end ("Nothing else: no files skipped ..."), not a heading each.
    empty: list[str] = []
    if report.skipped_files:
        lines += ["", f"### Files skipped ({len(report.skipped_files)})"]
        lines += _skipped_lines(report.skipped_files)
    else:
        empty.append("no files skipped")

    ordered = sorted(report.results, key=lambda r: (r.meta.section.order, r.meta.id, r.target))
    skipped = [r for r in ordered if r.status is Status.SKIPPED]
    # What went unexamined is named, with its reason; checks with nothing to judge are only counted
    # (``-v`` and the JSON report give each reason), so a reader sees the gaps, not 30 "no X found" lines.
    unexamined = [r for r in skipped if r.unexamined]
    if unexamined:
        lines += ["", f"### Checks not run ({len(unexamined)})"]
        # Checks skipped for the same reason share a line ("--offline": both dependency audits).
        by_reason: dict[str, list[str]] = {}
        for r in unexamined:
            by_reason.setdefault(r.reason or "not run", []).append(f"`{r.meta.id}`")
        lines += [f"- {', '.join(ids)}: {md_escape(reason)}" for reason, ids in by_reason.items()]
    else:
        empty.append("no checks left unrun")
    errored = [r for r in ordered if r.status is Status.ERROR]
    if errored:
        lines += ["", f"### Checks errored ({len(errored)})"]
        lines += _bullets(
            f"- `{r.meta.id}` ({md_escape(r.meta.title)}): {md_escape(r.reason or 'unknown error')}" for r in errored
        )
    else:
        empty.append("no checks errored")

    suppressed = [(r, f) for r in ordered for f in r.suppressed]
    if suppressed:
        lines += ["", f"### Suppressed findings ({len(suppressed)})"]
        # Findings suppressed for one reason (a profile, one baseline) share its line, once.
        by_why: dict[str, list[str]] = {}
        for r, f in suppressed:
            where = location_text(f.location)
            by_why.setdefault(suppression_reason(report, f), []).append(
                f"`{r.meta.id}`: {md_escape(f.message)}" + (f" — {md_code(where)}" if where else ""))
        for why, entries in by_why.items():
            if len(entries) == 1:
                lines.append(f"- {entries[0]}" + (f" — suppressed: {md_escape(why)}" if why else ""))
            else:
                lines.append(f"- {len(entries)} findings, suppressed: {md_escape(why) if why else 'no reason given'}:")
                lines += [f"  - {entry}" for entry in entries]
    else:
        empty.append("no findings suppressed")
    if empty:
        lines += ["", f"{', '.join(empty).capitalize()}."]
    idle = len(skipped) - len(unexamined)
    if idle:
        lines += ["", f"{plural(idle, 'check')} had nothing to judge in these targets (`prodcheck scan -v` "
                      "lists each with its reason)."]

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
