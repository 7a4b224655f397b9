"""Small helpers shared by every renderer (Markdown, JSON, HTML, SARIF, GitHub).

Everything here is a pure function of the :class:`~auditor.model.Report` (or
a piece of it) and returns plain strings or model objects, so each renderer
only decides *layout*. The API is deliberately small and stable:

* :func:`grade_label`, :func:`score_label`, :func:`status_line` - headline values.
* :func:`severity_of`, :func:`location_text`, :func:`snippet_for`,
  :func:`remediation_text` - per-finding / per-check details.
* :func:`results_in_section`, :func:`strengths`, :func:`strength_text` - selections.
* :func:`baseline_state`, :func:`baseline_resolved` - baseline marks.
* :func:`executive_summary`, :func:`risk_sentence`, :func:`key_strengths` - the plain-words prose;
  :func:`lower_first`, :func:`plural`, :func:`assessment_date` - wording helpers.
* :func:`priority_actions` returns :class:`reports.plan.PlanItem` issues (related checks grouped).
* :func:`md_escape`, :func:`md_code`, :func:`fence` - make scanned text inert in Markdown.
"""

from __future__ import annotations

import re
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
from reports.facts import RepoFacts
from reports.plan import SECTION_PRIORITY, PlanItem, issues

#: Terminal colours per severity, shared by the summary and the per-finding listing.
SEVERITY_ANSI = {
    Severity.CRITICAL: "\033[1;31m", Severity.HIGH: "\033[31m", Severity.MEDIUM: "\033[33m",
    Severity.LOW: "\033[36m", Severity.INFO: "\033[2m",
}
ANSI_RESET = "\033[0m"

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


def fitted_snippet(meta: CheckMeta, stacks: Iterable[str], findings: Iterable[Finding],
                   facts: RepoFacts | None = None) -> FixSnippet | None:
    """The stack's fix snippet with the repository's own names (see :mod:`reports.fixes`)."""
    from reports.fixes import fitted_snippet as fit

    return fit(meta, stacks, findings, facts)


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
# An '&' that would start a character reference ('&lt;', '&#60;') must be escaped to show literally.
_ENTITY_START = re.compile(r"&(?=#?[A-Za-z0-9]+;)")


def one_line(text: str) -> str:
    """Collapse newlines, tabs and other control characters to single spaces."""
    cleaned = "".join(" " if (ord(c) < 32 or ord(c) == 127) else c for c in str(text))
    return " ".join(cleaned.split())


def md_escape(text: str) -> str:
    """Make scanned text inert in Markdown prose and table cells.

    The text is put on one line; ``<`` and ``>`` become entities (so
    ``<script>`` shows literally and never becomes a tag), ``&`` only where it
    would otherwise start a character reference, and Markdown
    punctuation (backticks, pipes, ``#``, emphasis, links) is backslash-escaped.
    """
    out = []
    line = one_line(text)
    for index, char in enumerate(line):
        if char == "&" and not _ENTITY_START.match(line, index):
            out.append(char)  # a lone '&' ("Compliance & docs") is plain text in Markdown
        elif char in _HTML_ENTITIES:
            out.append(_HTML_ENTITIES[char])
        elif char == "_" and 0 < index < len(line) - 1 and line[index - 1].isalnum() and line[index + 1].isalnum():
            out.append(char)  # intraword: CommonMark never reads SESSION_SECRET as emphasis
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


def priority_actions(report: Report, limit: int = 5) -> list[PlanItem]:
    """The issues to fix first (related checks grouped), highest priority first; info never counts.

    Returns at most ``limit`` issues (the executive summary shows 3-5).
    """
    # A guess below the report's confidence floor is listed in its section, never as a top action.
    return [
        item for item in issues(report)
        if item.severity > Severity.INFO and any(r.counted(report.min_confidence) for r in item.results)
    ][:limit]


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
    """``a, b and c``; with semicolons when an item has a comma of its own ("fixed, own origins")."""
    if len(words) <= 1:
        return "".join(words)
    if any("," in word for word in words):
        return "; ".join(words[:-1]) + "; and " + words[-1]
    return ", ".join(words[:-1]) + " and " + words[-1]


#: Words that keep their capital mid-sentence (product names that open check titles).
PROPER_NOUNS = frozenset({
    "Compose", "Docker", "Dockerfile", "Node", "Python", "Prometheus", "Traefik", "Redis", "Postgres",
    "Sentry", "GitHub", "Nginx", "Caddy",
})


def plural(count: int, noun: str, plural_form: str | None = None) -> str:
    """``1 gap`` / ``3 gaps`` (never ``gap(s)``)."""
    word = noun if count == 1 else (plural_form or noun + "s")
    return f"{count} {word}"


def lower_first(text: str) -> str:
    """A sentence-case title for use mid-sentence: 'Container runs as root' -> 'container runs as root'.

    Acronyms and names keep their case ('TLS grade ...', 'WAL mode ...'),
    and a trailing full stop is dropped.
    """
    text = one_line(text).rstrip(".")
    first = text.split(" ", 1)[0]
    if first and first not in PROPER_NOUNS and (len(first) == 1 or first[1:].islower()):
        return first[0].lower() + text[1:]
    return text


def assessment_date(report: Report) -> str:
    """The scan date as ``YYYY-MM-DD`` for title blocks (the JSON keeps the full timestamp)."""
    stamp = report.generated_at.strip()
    date = stamp[:10]
    if len(date) == 10 and date[4] == "-" and date[7] == "-" and (date[:4] + date[5:7] + date[8:]).isdigit():
        return date
    return stamp


def _is_absence(passed: str) -> bool:
    return passed.strip().lower().startswith("no ")


def is_absence_strength(meta: CheckMeta) -> bool:
    """True when a pass only means a mistake was not found ("No privileged containers").

    Reports list what the project does as strengths and count these instead of padding the list.
    """
    return _is_absence(strength_text(meta))


def _section_rank(section: Section) -> int:
    return SECTION_PRIORITY.index(section) if section in SECTION_PRIORITY else len(SECTION_PRIORITY)


def key_strengths(report: Report, limit: int = 4) -> list[str]:
    """The strongest passes in plain words, as the executive summary names them.

    Something the project does ("Health check configured for every image")
    reads as a strength before the absence of a mistake ("No privileged
    containers"); then higher-severity checks first, one per area before any
    area repeats.
    """
    def rank(r: CheckResult) -> tuple[bool, int, int, str, str]:
        return (_is_absence(r.meta.passed), -r.meta.severity, _section_rank(r.meta.section), r.meta.id, r.target)

    candidates = sorted(
        (r for r in report.results if r.status is Status.PASS and r.meta.passed and r.meta.severity > Severity.INFO),
        key=rank,
    )
    picked: list[CheckResult] = []

    def family(r: CheckResult) -> str:
        return r.meta.passed.strip().split(" ", 1)[0].lower()  # "TLS ...", "Health ..."

    # Positive statements first, spread over areas and subjects (not three "TLS ..." in a row),
    # then absences likewise, then whatever is left.
    for absence, distinct_areas in ((False, True), (False, False), (True, True), (True, False), (None, False)):
        areas = {r.meta.section for r in picked}
        families = {family(r) for r in picked}
        texts = {r.meta.passed.strip().lower() for r in picked}
        for result in candidates:
            if len(picked) >= limit:
                break
            if (result.meta.passed.strip().lower() in texts
                    or (absence is not None and _is_absence(result.meta.passed) is not absence)
                    or (absence is not None and family(result) in families)
                    or (distinct_areas and result.meta.section in areas)):
                continue
            picked.append(result)
            texts.add(result.meta.passed.strip().lower())
            areas.add(result.meta.section)
            families.add(family(result))
    picked.sort(key=rank)
    return [lower_first(r.meta.passed) for r in picked]


# Verdict levels shared by the executive summary and the risk sentence, so the two always agree.
_CRITICAL, _WEAK, _HIGH, _ROUTINE, _CLEAN = "critical", "weak", "high", "routine", "clean"
_INCOMPLETE = "incomplete"


def scan_gaps(report: Report) -> list[str]:
    """What the scan could not check, in plain words (empty for a complete scan).

    An unreachable target or a scan where too little of the check weight ran must never read as
    "ready": these gaps open the executive summary.
    """
    gaps = [f"{one_line(t.value)} could not be scanned ({one_line(t.error)})" for t in report.targets if t.error]
    if not report.complete:
        gaps.append(f"only {report.coverage:.0%} of the check weight ran")
    return gaps


def verdict(report: Report) -> str:
    """The verdict level: critical, weak, high, routine, clean or incomplete (summary and risk agree on it)."""
    counts = report.counts_by_severity()
    if counts[Severity.CRITICAL]:
        return _CRITICAL
    if report.risk == "Critical" and report.complete:
        return _WEAK  # no critical finding, but the score is too low to ship
    if counts[Severity.HIGH]:
        return _HIGH
    if scan_gaps(report):
        return _INCOMPLETE  # never "ready" when part of the picture is missing
    if any(counts[s] for s in Severity if s > Severity.INFO):
        return _ROUTINE
    return _CLEAN


def _named(items: list[PlanItem], shown: int = 3) -> str:
    names = [lower_first(item.title) for item in items[:shown]]
    more = f" (and {len(items) - shown} more)" if len(items) > shown else ""
    return _join(names) + more


def executive_summary(report: Report) -> str:
    """One plain-words paragraph: the verdict, the concrete strengths, the gaps that matter, completeness.

    The verdict uses the same levels as :func:`risk_sentence`, so the
    paragraph never says "not ready" where the risk assessment says "usable
    with care". Titles are lower-cased mid-sentence; the text is plain (each
    renderer escapes it for its format).
    """
    if not report.complete and report.coverage == 0 and not any(t.error for t in report.targets):
        return ("Nothing could be assessed: no check had anything to judge (see the notes in the appendix), "
                "so this report gives no verdict.")
    level = verdict(report)
    open_items = [item for item in issues(report) if item.severity > Severity.INFO]
    serious = [item for item in open_items if item.severity >= Severity.HIGH]
    strengths_text = _join(key_strengths(report))
    solid = "It has solid fundamentals" if (report.score or 0) >= 70 else "It gets some fundamentals right"
    gaps_seen = scan_gaps(report)
    opening = {
        _INCOMPLETE: "Readiness could not be judged: " + "; ".join(gaps_seen) + ".",
        _CRITICAL: "The service is not ready for production yet.",
        _WEAK: "The service is not ready for production yet: too much of the checklist is still open.",
        _HIGH: "The service is usable with care, but not yet hardened for production.",
        _ROUTINE: "The service is ready for production, with routine hardening still to do.",
        _CLEAN: "The service is ready for production as far as the checks could see.",
    }[level]
    sentences = [opening]
    if level in (_CRITICAL, _WEAK, _HIGH):
        gaps = serious or open_items
        severe = "critical or high-severity" if level == _CRITICAL else ("high-severity" if serious else "open")
        need = "should be fixed before launch" if level == _HIGH else "must be fixed first"
        noun = "gap" if len(gaps) == 1 else "gaps"
        clause = f"{len(gaps)} {severe} {noun} {need}: {_named(gaps)}"
        if strengths_text:
            sentences.append(f"{solid} ({strengths_text}), but {clause}.")
        else:
            sentences.append(clause[0].upper() + clause[1:] + ".")
        rest = len(open_items) - len(gaps)
        if rest:
            sentences.append(f"{plural(rest, 'further medium- or low-severity item')} "
                             f"{'is' if rest == 1 else 'are'} listed below.")
    elif level in (_ROUTINE, _INCOMPLETE) and open_items:
        clause = (f"what the scan did see is routine: {_named(open_items)}" if level == _INCOMPLETE
                  else f"what remains is routine: {_named(open_items)}")
        if strengths_text:
            sentences.append(f"{solid} ({strengths_text}); {clause}.")
        else:
            sentences.append(clause[0].upper() + clause[1:] + ".")
    elif strengths_text:
        sentences.append(f"Its strengths include {strengths_text}.")
    if level != _INCOMPLETE and gaps_seen:
        sentences.append("The scan is incomplete (" + "; ".join(gaps_seen) + "), so the result must not be read "
                         "as clean.")
    errored = sum(1 for r in report.results if r.status is Status.ERROR)
    if errored:
        sentences.append(f"{plural(errored, 'check')} could not run (see the appendix).")
    return " ".join(sentences)


def risk_sentence(report: Report) -> str:
    """The risk assessment in one sentence (same verdict levels as :func:`executive_summary`)."""
    if not report.complete and report.coverage == 0 and not any(t.error for t in report.targets):
        return f"Risk level {report.risk}: unknown, since nothing could be assessed."
    text = {
        _CRITICAL: "not ready for production until the critical findings are fixed",
        _WEAK: "not ready for production until the most serious gaps are fixed",
        _HIGH: "usable with care, but the high-severity findings should be fixed before launch",
        _ROUTINE: "ready for production with routine hardening still to do",
        _CLEAN: "ready for production as far as the checks could see",
        _INCOMPLETE: "not assessed, because the scan could not check everything it needed to",
    }[verdict(report)]
    if not report.complete:
        text += ", pending the checks that could not run"
    return f"Risk level {report.risk}: {text}."


def suppression_reason(report: Report, finding: Finding) -> str:
    """Why a finding was suppressed (inline comment or config ignore), from the engine's records."""
    for record in report.extra.get("suppressions") or []:
        if record.get("fingerprint") == finding.fingerprint:
            source = str(record.get("source") or "")
            reason = str(record.get("reason") or "no reason given")
            return f"{reason} ({source})" if source else reason
    return ""
