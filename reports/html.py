"""A self-contained HTML report.

One file, no external requests: the stylesheet, the filter script, the grade
badge and the section bars are inline, and a Content-Security-Policy meta tag
allows only those exact inline blocks (by hash) and nothing from the network.
Jinja2 autoescapes every value; the only markup inserted unescaped is ours
(the stylesheet and script from ``templates/``) and Pygments' output, which
escapes the code it highlights. Scanned content therefore shows as text.
"""

from __future__ import annotations

import base64
import functools
import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup
from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexers import get_lexer_by_name
from pygments.lexers.special import TextLexer
from pygments.util import ClassNotFound

from auditor.docs import fix_prose
from auditor.model import CheckResult, Finding, Report, Status, Target
from reports.common import (
    assessment_date,
    baseline_resolved,
    baseline_state,
    fitted_snippet,
    location_text,
    plural,
    severity_of,
    strength_text,
    suppression_reason,
)
from reports.plan import PlanItem
from reports.view import SEVERITY_ORDER, ReportView, build_view

EXTENSION = "html"
TEMPLATES = Path(__file__).resolve().parent / "templates"
HIGHLIGHT_CLASS = "hl"

GRADE_COLORS = {"A": "#15803d", "B": "#4d7c0f", "C": "#b45309", "D": "#c2410c", "F": "#b91c1c"}
INCOMPLETE_COLOR = "#6b7280"
STATUS_CLASSES = {
    "Good": "good",
    "Needs improvements": "needs",
    "Critical gaps": "critical",
    "Not assessed": "none",
}
# Lexer names for snippet info strings Pygments does not know by that name.
_LEXER_ALIASES = {"compose": "yaml", "shell": "bash", "ts": "typescript", "js": "javascript"}


@dataclass(frozen=True)
class FindingView:
    """One open item as the template shows it."""

    severity: str
    message: str
    location: str
    evidence: str
    key: str
    baseline: str | None
    check_id: str = ""
    prefix: str = ""
    confidence: str = "high"
    related: tuple[str, ...] = ()


@dataclass(frozen=True)
class CheckView:
    """One issue in a section (a failing check, or a group of related ones): its findings and its fix."""

    id: str
    ids: tuple[str, ...]
    anchor: str
    title: str
    target: str
    severity: str
    section: str
    findings: tuple[FindingView, ...]
    fix_prose: str
    snippet_stack: str | None
    snippet_html: Markup | None
    why: str
    grouped: bool = False
    same_snippet_as: str = ""


@dataclass(frozen=True)
class PointerView:
    """A failing check of one area that is shown with its group in another area."""

    id: str
    title: str
    severity: str
    group: str
    anchor: str
    area: str


@dataclass(frozen=True)
class SectionView:
    """One checklist area."""

    id: str
    title: str
    status: str
    status_class: str
    score: float | None
    bar_width: float
    strengths: tuple[str, ...]
    checks: tuple[CheckView, ...]
    see_also: tuple[PointerView, ...]
    errored: tuple[str, ...]
    skipped: int


@functools.cache
def _environment() -> Environment:
    # autoescape=True for every template: all of them produce HTML.
    return Environment(
        loader=FileSystemLoader(str(TEMPLATES)),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


@functools.cache
def _assets() -> tuple[str, str]:
    """(stylesheet, script) exactly as inlined; the stylesheet includes Pygments' rules."""
    css = (TEMPLATES / "report.css").read_text(encoding="utf-8")
    pygments_css = HtmlFormatter(style="default").get_style_defs(f".{HIGHLIGHT_CLASS}")
    script = (TEMPLATES / "report.js").read_text(encoding="utf-8")
    return css + "\n/* Pygments */\n" + pygments_css + "\n", script


def _csp_hash(text: str) -> str:
    digest = hashlib.sha256(text.encode("utf-8")).digest()
    return "'sha256-" + base64.b64encode(digest).decode("ascii") + "'"


def content_security_policy(css: str, script: str) -> str:
    """Nothing from anywhere except our own inline style and script, matched by hash."""
    return "; ".join((
        "default-src 'none'",
        f"style-src {_csp_hash(css)}",
        f"script-src {_csp_hash(script)}",
        "img-src data:",
        "base-uri 'none'",
        "form-action 'none'",
    ))


def highlight_snippet(code: str, language: str) -> Markup:
    """Pygments HTML for a fix snippet (Pygments escapes the code, so the result is safe)."""
    name = _LEXER_ALIASES.get(language.lower(), language.lower()) or "text"
    try:
        lexer = get_lexer_by_name(name)
    except ClassNotFound:
        lexer = TextLexer()
    html = highlight(code, lexer, HtmlFormatter(cssclass=HIGHLIGHT_CLASS, nowrap=False))
    return Markup(html)  # safe: Pygments escapes every token


def _finding_view(report: Report, result: CheckResult, finding: Finding, prefix: str = "") -> FindingView:
    return FindingView(
        severity=severity_of(result, finding).label,
        message=finding.message.strip() or result.meta.title,
        location=location_text(finding.location) or (result.target if result.meta.target.value == "live" else ""),
        evidence=finding.evidence,
        key=finding.key,
        baseline=baseline_state(report, finding),
        check_id=result.meta.id,
        prefix=prefix,
        confidence=result.confidence_of(finding).label,
        related=tuple(location_text(loc) for loc in finding.related),
    )


def _anchors(view: ReportView) -> dict[int, str]:
    """A unique HTML id per issue, keyed by ``id(result)`` of every member (a group shares one anchor)."""
    out: dict[int, str] = {}
    for n, item in enumerate(view.issues, start=1):
        for result in item.results:
            out[id(result)] = f"check-{n}"
    return out


def _check_view(view: ReportView, item: PlanItem, anchor: str, shown: dict[str, str]) -> CheckView:
    """The view of one issue; ``shown`` maps snippet code already shown in this area to its issue title."""
    report = view.report
    fix = item.fix
    snippet = fitted_snippet(fix.meta, report.stacks, item.all_findings, view.facts)
    findings: list[FindingView] = []
    for result in item.results:
        prefix = "confirmed live: " if item.confirmed_live and result.meta.target is Target.LIVE else ""
        findings += [_finding_view(report, result, f, prefix) for f in result.findings]
        if not result.findings:
            # A failing check without findings still needs an item to show and filter.
            findings.append(FindingView(result.meta.severity.label, result.meta.title, result.target, "", "", None,
                                        result.meta.id, prefix))
    same_as = ""
    snippet_html = None
    if snippet is not None:
        code = snippet.code.strip()
        if code in shown:
            same_as = shown[code]
        else:
            shown[code] = item.title
            snippet_html = highlight_snippet(snippet.code, snippet.language)
    return CheckView(
        id=item.check_id,
        ids=tuple(dict.fromkeys(item.check_ids)),
        anchor=anchor,
        title=item.title,
        target=item.result.target if not item.grouped and item.result.meta.target.value == "live" else "",
        severity=item.severity.label,
        section=item.section.id,
        findings=tuple(findings),
        fix_prose=fix_prose(fix.meta.doc),
        snippet_stack=snippet.stack if snippet and snippet_html is not None else None,
        snippet_html=snippet_html,
        why=fix.meta.doc.why.strip(),
        grouped=item.grouped,
        same_snippet_as=same_as,
    )


def _section_views(view: ReportView) -> list[SectionView]:
    anchors = _anchors(view)
    views = []
    for area in view.areas:
        shown: dict[str, str] = {}
        checks = tuple(_check_view(view, item, anchors[id(item.result)], shown) for item in area.issues)
        see_also = tuple(
            PointerView(result.meta.id, result.meta.title, result.worst_severity.label, item.title,
                        anchors[id(item.result)], item.section.title)
            for result, item in area.elsewhere
        )
        score = area.score
        views.append(SectionView(
            id=score.section.id,
            title=score.section.title,
            status=area.status,
            status_class=STATUS_CLASSES.get(area.status, "none"),
            score=score.score,
            bar_width=max(0.0, min(100.0, score.score or 0.0)),
            strengths=tuple(_strength_line(r) for r in area.passed),
            checks=checks,
            see_also=see_also,
            errored=tuple(f"{r.meta.id}: {r.reason}" for r in area.not_run if r.status is Status.ERROR),
            skipped=score.skipped,
        ))
    return views


def _strength_line(result: CheckResult) -> str:
    where = f" ({result.target})" if result.meta.target.value == "live" and result.target else ""
    return f"{strength_text(result.meta)}{where}"


def _grade_badge(view: ReportView) -> dict[str, str]:
    report = view.report
    if report.complete and report.grade in GRADE_COLORS:
        return {"letter": report.grade, "color": GRADE_COLORS[report.grade], "label": f"Grade {report.grade}"}
    return {"letter": "?", "color": INCOMPLETE_COLOR, "label": view.grade_label}


@dataclass(frozen=True)
class ActionView:
    """One priority action as the summary shows it: severity, title, area, and where to start."""

    item: PlanItem
    location: str
    more: int


def _action_views(view: ReportView) -> list[ActionView]:
    views = []
    for item in view.actions:
        findings = item.all_findings
        where = location_text(findings[0].location) if findings else ""
        views.append(ActionView(item, where, max(len(findings) - 1, 0)))
    return views


@dataclass(frozen=True)
class SeverityBar:
    """One bar of the severity chart (inline SVG)."""

    label: str
    count: int
    y: int
    width: float


def _severity_chart(counts: dict[str, int]) -> list[SeverityBar]:
    """Bars for the open findings by severity, scaled to the largest count (0-100 units wide)."""
    top = max(counts.values(), default=0) or 1
    order = [s.label for s in SEVERITY_ORDER]
    return [SeverityBar(label, counts[label], index * 22, round(100 * counts[label] / top, 1))
            for index, label in enumerate(order)]


def grade_class(grade: str | None) -> str:
    """CSS class colouring a TLS or header grade (``A+`` -> ``grade-A``, ``T`` / ``M`` -> ``grade-F``)."""
    letter = (grade or "").strip()[:1].upper()
    if letter in GRADE_COLORS:
        return f"grade-{letter}"
    return "grade-F" if letter in {"T", "M"} else "grade-none"


def _context(view: ReportView) -> dict[str, Any]:
    css, script = _assets()
    report = view.report
    counts = {s.label: n for s, n in view.counts.findings}
    anchors = _anchors(view)
    return {
        "report": report,
        "assessment_date": assessment_date(report),
        "plural": plural,
        "css": Markup(css),  # our own stylesheet file, never scanned content
        "script": Markup(script),  # our own script file, never scanned content
        "csp": content_security_policy(css, script),
        "badge": _grade_badge(view),
        "grade_label": view.grade_label,
        "score_label": view.score_label,
        "summary": view.summary,
        "risk_sentence": view.risk_sentence,
        "actions": _action_views(view),
        "severity_chart": _severity_chart(counts),
        "grade_class": grade_class,
        "sections": _section_views(view),
        "plan": view.plan,
        "anchor_of": lambda result: anchors.get(id(result), ""),
        "severities": [s.label for s in SEVERITY_ORDER],
        "counts": counts,
        "errored": [r for r in report.results if r.status is Status.ERROR],
        "skipped": [r for r in report.results if r.status is Status.SKIPPED],
        "suppressed": [(r, f) for r in report.results for f in r.suppressed],
        "resolved": baseline_resolved(report),
        "location_text": location_text,
        "suppression_reason": lambda finding: suppression_reason(report, finding),
        "since_last": _since_last(report),
        "alerts": view.alerts,
    }


def _since_last(report: Report) -> Markup:
    from reports.history_since import html_section

    return html_section(report)


def render(report: Report) -> str:
    """The report as one self-contained HTML document."""
    return _environment().get_template("report.html.j2").render(**_context(build_view(report)))
