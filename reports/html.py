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
from auditor.model import CheckResult, Finding, Report, Section, Severity, Status
from reports.common import (
    baseline_resolved,
    baseline_state,
    executive_summary,
    grade_label,
    location_text,
    priority_actions,
    risk_sentence,
    score_label,
    severity_of,
    snippet_for,
    status_line,
    suppression_reason,
)
from reports.plan import build_plan

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


@dataclass(frozen=True)
class CheckView:
    """One failing check in a section: its findings and its fix."""

    id: str
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


def _finding_view(report: Report, result: CheckResult, finding: Finding) -> FindingView:
    return FindingView(
        severity=severity_of(result, finding).label,
        message=finding.message.strip() or result.meta.title,
        location=location_text(finding.location) or (result.target if result.meta.target.value == "live" else ""),
        evidence=finding.evidence,
        key=finding.key,
        baseline=baseline_state(report, finding),
    )


def _anchors(report: Report) -> dict[int, str]:
    """A unique HTML id per failing result (a live check fails once per URL, so ids repeat)."""
    return {id(result): f"check-{n}" for n, result in enumerate(report.failed, start=1)}


def _check_view(report: Report, result: CheckResult, anchor: str) -> CheckView:
    snippet = snippet_for(result.meta, report.stacks)
    findings = tuple(_finding_view(report, result, f) for f in result.findings)
    if not findings:
        # A failing check without findings still needs an item to show and filter.
        findings = (FindingView(result.meta.severity.label, result.meta.title, result.target, "", "", None),)
    return CheckView(
        id=result.meta.id,
        anchor=anchor,
        title=result.meta.title,
        target=result.target if result.meta.target.value == "live" else "",
        severity=result.worst_severity.label,
        section=result.meta.section.id,
        findings=findings,
        fix_prose=fix_prose(result.meta.doc),
        snippet_stack=snippet.stack if snippet else None,
        snippet_html=highlight_snippet(snippet.code, snippet.language) if snippet else None,
        why=result.meta.doc.why.strip(),
    )


def _section_views(report: Report) -> list[SectionView]:
    by_section: dict[Section, list[CheckResult]] = {s: [] for s in Section}
    for result in report.results:
        by_section[result.meta.section].append(result)
    failed_order = {id(r): i for i, r in enumerate(report.failed)}
    anchors = _anchors(report)
    views = []
    for score in report.sections:
        mine = by_section.get(score.section, [])
        failing = sorted((r for r in mine if r.status is Status.FAIL), key=lambda r: failed_order[id(r)])
        passing = sorted((r for r in mine if r.status is Status.PASS), key=lambda r: (r.meta.id, r.target))
        status = status_line(score)
        views.append(SectionView(
            id=score.section.id,
            title=score.section.title,
            status=status,
            status_class=STATUS_CLASSES.get(status, "none"),
            score=score.score,
            bar_width=max(0.0, min(100.0, score.score or 0.0)),
            strengths=tuple(_strength_line(r) for r in passing),
            checks=tuple(_check_view(report, r, anchors[id(r)]) for r in failing),
            errored=tuple(f"{r.meta.id}: {r.reason}" for r in mine if r.status is Status.ERROR),
            skipped=score.skipped,
        ))
    return views


def _strength_line(result: CheckResult) -> str:
    where = f" ({result.target})" if result.meta.target.value == "live" and result.target else ""
    return f"{result.meta.title}{where}"


def _grade_badge(report: Report) -> dict[str, str]:
    if report.complete and report.grade in GRADE_COLORS:
        return {"letter": report.grade, "color": GRADE_COLORS[report.grade], "label": f"Grade {report.grade}"}
    return {"letter": "?", "color": INCOMPLETE_COLOR, "label": grade_label(report)}


def _context(report: Report) -> dict[str, Any]:
    css, script = _assets()
    counts = report.counts_by_severity()
    anchors = _anchors(report)
    return {
        "report": report,
        "css": Markup(css),  # our own stylesheet file, never scanned content
        "script": Markup(script),  # our own script file, never scanned content
        "csp": content_security_policy(css, script),
        "badge": _grade_badge(report),
        "grade_label": grade_label(report),
        "score_label": score_label(report),
        "summary": executive_summary(report),
        "risk_sentence": risk_sentence(report),
        "actions": priority_actions(report),
        "sections": _section_views(report),
        "plan": build_plan(report),
        "anchor_of": lambda result: anchors.get(id(result), ""),
        "severities": [s.label for s in sorted(Severity, reverse=True)],
        "counts": {s.label: counts[s] for s in Severity},
        "errored": [r for r in report.results if r.status is Status.ERROR],
        "skipped": [r for r in report.results if r.status is Status.SKIPPED],
        "suppressed": [(r, f) for r in report.results for f in r.suppressed],
        "resolved": baseline_resolved(report),
        "location_text": location_text,
        "suppression_reason": lambda finding: suppression_reason(report, finding),
    }


def render(report: Report) -> str:
    """The report as one self-contained HTML document."""
    return _environment().get_template("report.html.j2").render(**_context(report))
