"""Small helpers shared by every renderer (Markdown, JSON, HTML, SARIF, GitHub).

Everything here is a pure function of the :class:`~auditor.model.Report` (or
a piece of it) and returns plain strings or model objects, so each renderer
only decides *layout*. The API is deliberately small and stable:

* :func:`grade_label`, :func:`score_label`, :func:`status_line` - headline values.
* :func:`severity_of`, :func:`location_text`, :func:`snippet_for`,
  :func:`remediation_text` - per-finding / per-check details.
* :func:`results_in_section`, :func:`strengths`, :func:`strength_text`, :func:`priority_actions` - selections.
* :func:`baseline_state`, :func:`baseline_resolved` - baseline marks.
* :func:`executive_summary`, :func:`risk_sentence` - the plain-words prose.
* :func:`md_escape`, :func:`md_code`, :func:`fence` - make scanned text inert in Markdown.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from auditor.docs import fix_prose
from auditor.model import (
    CheckMeta,
    CheckResult,
    Finding,
    FixSnippet,
    Location,
    Report,
    Section,
    SectionScore,
    Severity,
    Status,
)

#: Section status lines, as scoring produces them.
STATUS_GOOD = "Good"
STATUS_NEEDS = "Needs improvements"
STATUS_CRITICAL = "Critical gaps"
STATUS_NOT_ASSESSED = "Not assessed"

#: Baseline marks a finding can carry (None when no baseline was given).
BASELINE_NEW = "new"
BASELINE_EXISTING = "existing"


def grade_label(report: Report) -> str:
    """The letter grade, or ``Incomplete (62% of check weight ran)`` for an incomplete scan."""
    if report.complete and report.grade != "incomplete":
        return report.grade
    return f"Incomplete ({report.coverage:.0%} of check weight ran)"


def score_label(report: Report) -> str:
    """``72.5/100`` or ``n/a`` when nothing that carries weight ran."""
    if report.score is None:
        return "n/a"
    return f"{report.score:g}/100"


def status_line(section: SectionScore) -> str:
    """``Good`` / ``Needs improvements`` / ``Critical gaps`` / ``Not assessed`` for one area."""
    return section.status or STATUS_NOT_ASSESSED


def severity_of(result: CheckResult, finding: Finding) -> Severity:
    """A finding's own severity override, else its check's declared severity."""
    return finding.severity if finding.severity is not None else result.meta.severity


def location_text(location: Location) -> str:
    """``path:line``, ``path``, the URL, ``repository`` for absence findings, or ``""``."""
    if location.anchor_only:
        return "repository"
    if location.url:
        return location.url
    if location.path and location.line:
        return f"{location.path}:{location.line}"
    return location.path or ""


def snippet_for(meta: CheckMeta, stacks: Iterable[str]) -> FixSnippet | None:
    """The fix snippet for the first detected stack that has one, else the check's first snippet."""
    return meta.doc.snippet_for(tuple(stacks))


def remediation_text(meta: CheckMeta, stacks: Iterable[str]) -> str:
    """The 'How to fix' prose plus the chosen snippet, fenced with its language (plain Markdown)."""
    prose = fix_prose(meta.doc)
    snippet = snippet_for(meta, stacks)
    parts = [prose] if prose else []
    if snippet is not None:
        parts.append(fence(snippet.code, snippet.language))
    return "\n\n".join(parts)


_MD_SPECIAL = set("\\`*_[]#|~")
_HTML_ENTITIES = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}


def one_line(text: str) -> str:
    """Collapse newlines, tabs and other control characters to single spaces."""
    cleaned = "".join(" " if (ord(c) < 32 or ord(c) == 127) else c for c in str(text))
    return " ".join(cleaned.split())


def md_escape(text: str) -> str:
    """Make scanned text inert in Markdown prose and table cells.

    The text is put on one line; HTML-significant characters become entities
    (so ``<script>`` shows literally and never becomes a tag) and Markdown
    punctuation (backticks, pipes, ``#``, emphasis, links) is backslash-escaped.
    """
    out = []
    for char in one_line(text):
        if char in _HTML_ENTITIES:
            out.append(_HTML_ENTITIES[char])
        elif char in _MD_SPECIAL:
            out.append("\\" + char)
        else:
            out.append(char)
    return "".join(out)


def md_code(text: str, *, table: bool = False) -> str:
    """An inline code span that shows ``text`` literally, whatever backticks it holds.

    With ``table=True`` pipes are backslash-escaped, because GitHub splits
    table cells on them even inside code spans (and drops the backslash
    there); outside tables a backslash would show, so pipes stay as they are.
    """
    value = one_line(text)
    if table:
        value = value.replace("|", "\\|")
    if not value:
        return ""
    longest = run = 0
    for char in value:
        run = run + 1 if char == "`" else 0
        longest = max(longest, run)
    ticks = "`" * (longest + 1)
    pad = " " if value.startswith("`") or value.endswith("`") else ""
    return f"{ticks}{pad}{value}{pad}{ticks}"


def fence(code: str, language: str = "") -> str:
    """A Markdown code fence long enough that backticks inside ``code`` cannot close it."""
    longest = run = 0
    for char in code:
        run = run + 1 if char == "`" else 0
        longest = max(longest, run)
    ticks = "`" * max(3, longest + 1)
    info = "".join(c for c in language if c.isalnum() or c in "+-_.")
    return f"{ticks}{info}\n{code}\n{ticks}"


def results_in_section(report: Report, section: Section) -> list[CheckResult]:
    """Results of one area, sorted by check id (deterministic)."""
    return sorted((r for r in report.results if r.meta.section is section), key=lambda r: (r.meta.id, r.target))


def strengths(report: Report, section: Section) -> list[CheckResult]:
    """Passed checks of one area (the report lists them as strengths)."""
    return [r for r in results_in_section(report, section) if r.status is Status.PASS]


def strength_text(meta: CheckMeta) -> str:
    """How a passed check reads as a strength; check titles name the problem, so say it was not found."""
    if meta.passed:
        return meta.passed
    return f"No issue: {meta.title.rstrip('.')}"


def priority_actions(report: Report, limit: int = 5) -> list[CheckResult]:
    """The failing checks to fix first: worst severity first, info never counts as an action.

    Returns at most ``limit`` results (the executive summary shows 3-5).
    """
    return [r for r in report.failed if r.worst_severity > Severity.INFO][:limit]


def _baseline(report: Report) -> Mapping[str, Any] | None:
    data = report.extra.get("baseline") if report.extra else None
    return data if isinstance(data, Mapping) else None


def baseline_state(report: Report, finding: Finding) -> str | None:
    """``"existing"`` when the baseline knows the finding, ``"new"`` when not, None without a baseline."""
    data = _baseline(report)
    if data is None:
        return None
    existing = data.get("existing") or ()
    return BASELINE_EXISTING if finding.fingerprint in set(existing) else BASELINE_NEW


def baseline_resolved(report: Report) -> list[dict[str, str]]:
    """Baselined findings that are gone now: dicts with ``check_id``, ``path`` and ``message``."""
    data = _baseline(report)
    if data is None:
        return []
    out = []
    for item in data.get("resolved") or ():
        if isinstance(item, Mapping):
            out.append({k: str(item.get(k) or "") for k in ("check_id", "path", "message")})
    return out


def _join(words: list[str]) -> str:
    if len(words) <= 1:
        return "".join(words)
    return ", ".join(words[:-1]) + " and " + words[-1]


def executive_summary(report: Report) -> str:
    """One plain-words paragraph: what is solid, what blocks production, and how complete the scan was."""
    good = [s.section.title for s in report.sections if s.status == STATUS_GOOD]
    blocking = [r for r in report.failed if r.worst_severity >= Severity.HIGH]
    other = [r for r in report.failed if Severity.INFO < r.worst_severity < Severity.HIGH]
    sentences = []
    if good:
        sentences.append(f"Solid areas: {_join(good)}.")
    elif report.failed:
        sentences.append("No area passed every applicable check yet.")
    if blocking:
        names = _join([r.meta.title.rstrip(".") for r in blocking[:3]])
        more = f" (and {len(blocking) - 3} more)" if len(blocking) > 3 else ""
        sentences.append(
            f"{len(blocking)} critical or high-severity issue(s) block production: {names}{more}."
        )
    elif other:
        sentences.append(
            f"Nothing critical or high blocks production; {len(other)} medium or low issue(s) remain."
        )
    else:
        sentences.append("No open issue blocks production.")
    if not report.complete:
        sentences.append(
            f"The scan is incomplete: only {report.coverage:.0%} of the check weight ran, "
            "so the result must not be read as clean."
        )
    errored = sum(1 for r in report.results if r.status is Status.ERROR)
    if errored:
        sentences.append(f"{errored} check(s) could not run (see the appendix).")
    return " ".join(sentences)


def risk_sentence(report: Report) -> str:
    """The risk assessment in one sentence."""
    counts = report.counts_by_severity()
    crit, high = counts[Severity.CRITICAL], counts[Severity.HIGH]
    if crit:
        verdict = "not ready for production until the critical findings are fixed"
    elif high:
        verdict = "usable with care, but the high-severity findings should be fixed before launch"
    elif report.failed:
        verdict = "ready for production with routine hardening still to do"
    else:
        verdict = "ready for production as far as the checks could see"
    if not report.complete:
        verdict += ", pending the checks that could not run"
    return f"Risk level {report.risk}: {verdict}."


def suppression_reason(report: Report, finding: Finding) -> str:
    """Why a finding was suppressed (inline comment or config ignore), from the engine's records."""
    for record in report.extra.get("suppressions") or []:
        if record.get("fingerprint") == finding.fingerprint:
            source = str(record.get("source") or "")
            reason = str(record.get("reason") or "no reason given")
            return f"{reason} ({source})" if source else reason
    return ""
