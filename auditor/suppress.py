"""Suppressions: inline ``prodcheck: ignore[ID] reason`` comments and config-file ignores.

Inline suppressions sit in a comment of the scanned file, on the finding's line
or on the comment-only line(s) directly above it, in the comment syntax of
that file type (``#`` for Dockerfile, YAML, env, Python, shell; ``//`` and
``/* */`` for JS/TS; ``<!-- -->`` for HTML and Markdown). Several ids are
separated by commas: ``ignore[ID1,ID2]``. A suppression without a reason still
applies; the ``SUPPRESSION-NO-REASON`` check reports it.

Config ignores (``ignore:`` in ``.prodcheck.yaml``) name a check, a reason, an
optional path glob and an optional ISO expiry date; an expired ignore stops
applying and produces a note saying so.

Suppressed findings move from ``CheckResult.findings`` to
``CheckResult.suppressed``; a result left without findings becomes a pass.
"""

from __future__ import annotations

import datetime as dt
import fnmatch
import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import PurePosixPath

from auditor.model import CheckResult, Finding, Status
from auditor.options import IgnoreRule, ScanOptions
from auditor.project import Project, is_dockerfile_name
from auditor.redact import scrub
from auditor.secrets import collect_secret_values

_Canonical = Callable[[str], str]

HASH, SLASH, BLOCK, HTML = "#", "//", "/*", "<!--"
ALL_STYLES = frozenset({HASH, SLASH, BLOCK, HTML})

# The comment opener must come right before "prodcheck:" so that the words in
# a string literal or in prose do not count as a suppression. The comment is
# found by plain string search, not a regular expression with open-ended
# repetition: a 2 MB line of repeated openers must cost linear time.
_MARK = "prodcheck:"
_IGNORE = "ignore["


@dataclass(frozen=True)
class _Match:
    opener: str
    start: int
    ids: str
    rest: str


def _opener_before(line: str, end: int) -> tuple[str, int] | None:
    """The comment opener ending at ``end`` (``#``, ``//``, ``/*``+, ``<!--``) and where it starts."""
    if line.startswith("#", end - 1) and end >= 1:
        return "#", end - 1
    if end >= 4 and line.startswith("<!--", end - 4):
        return "<!--", end - 4
    if end >= 2 and line.startswith("//", end - 2):
        return "//", end - 2
    stars = end
    while stars > 0 and line[stars - 1] == "*":
        stars -= 1
    if stars < end and stars >= 1 and line[stars - 1] == "/":
        return line[stars - 1 : end], stars - 1
    return None


def _style(opener: str) -> str:
    return BLOCK if opener.startswith("/*") else opener


def _find_suppression(line: str, styles: frozenset[str]) -> _Match | None:
    """The first ``<opener> prodcheck: ignore[ids] rest`` of an allowed style on one line, in linear time."""
    lower = line.lower()
    pos = lower.find(_MARK)
    while pos != -1:
        back = pos
        while back > 0 and line[back - 1].isspace():
            back -= 1
        found = _opener_before(line, back)
        after = pos + len(_MARK)
        while after < len(line) and line[after].isspace():
            after += 1
        if found is not None and _style(found[0]) in styles and lower.startswith(_IGNORE, after):
            close = line.find("]", after + len(_IGNORE))
            if close == -1:
                return None  # no later comment on this line can close its brackets either
            opener, start = found
            return _Match(opener, start, line[after + len(_IGNORE) : close], line[close + 1 :])
        pos = lower.find(_MARK, pos + 1)
    return None


MAX_REASON_CHARS = 300
_REASON_TRIM = " \t-:–—,;"

_HASH_SUFFIXES = {
    ".py", ".pyi", ".sh", ".bash", ".zsh", ".yaml", ".yml", ".toml", ".cfg", ".ini", ".conf",
    ".env", ".rb", ".pl", ".r", ".tf", ".hcl", ".properties", ".txt", ".dockerignore", ".gitignore",
    ".nginx", ".caddy",
}
_HASH_NAMES = {"caddyfile", "makefile", "gemfile", "procfile", "requirements.txt", "pipfile", ".dockerignore",
               ".gitignore", ".npmrc", ".editorconfig", ".gitattributes"}
_SLASH_SUFFIXES = {".js", ".jsx", ".mjs", ".cjs", ".ts", ".tsx", ".mts", ".cts", ".go", ".java", ".kt", ".rs",
                   ".c", ".h", ".cc", ".cpp", ".cs", ".swift", ".scala", ".dart", ".php", ".jsonc", ".json5"}
_BLOCK_ONLY_SUFFIXES = {".css", ".scss", ".less"}
_HTML_SUFFIXES = {".html", ".htm", ".md", ".markdown", ".mdx", ".xml", ".svg", ".vue", ".svelte", ".astro"}
# Formats with no comment syntax: never treat their content as a suppression.
_NO_COMMENT_SUFFIXES = {".json", ".lock", ".csv", ".map"}


@dataclass(frozen=True)
class InlineSuppression:
    """One ``prodcheck: ignore[...]`` comment in a scanned file."""

    path: str
    line: int
    check_ids: tuple[str, ...]
    reason: str
    own_line: bool  # the comment is alone on its line (so it covers the next line)


@dataclass(frozen=True)
class SuppressionRecord:
    """Why one finding was suppressed (for the report appendix)."""

    fingerprint: str
    check_id: str
    location: str
    reason: str
    source: str  # "inline path:line" or "config"


@dataclass(frozen=True)
class SuppressionOutcome:
    """Results after suppression, plus notes (expired ignores) and the suppression records."""

    results: list[CheckResult]
    notes: list[str]
    records: list[SuppressionRecord]


def comment_styles(path: str) -> frozenset[str]:
    """Comment openers a suppression may use in a file of this name (every style when unknown)."""
    name = PurePosixPath(path).name.lower()
    suffix = PurePosixPath(name).suffix
    if is_dockerfile_name(name) or name in _HASH_NAMES or name.startswith(".env") or suffix in _HASH_SUFFIXES:
        return frozenset({HASH})
    if suffix in _NO_COMMENT_SUFFIXES:
        return frozenset()
    if suffix in _SLASH_SUFFIXES:
        return frozenset({SLASH, BLOCK})
    if suffix in _BLOCK_ONLY_SUFFIXES:
        return frozenset({BLOCK})
    if suffix in _HTML_SUFFIXES:
        return frozenset({HTML})
    return ALL_STYLES


def parse_suppressions(path: str, text: str) -> list[InlineSuppression]:
    """Every inline suppression in one file (cheap when the file never says ``prodcheck:``)."""
    if "prodcheck:" not in text.lower():
        return []
    styles = comment_styles(path)
    if not styles:
        return []
    found: list[InlineSuppression] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if "prodcheck:" not in line.lower():
            continue
        match = _find_suppression(line, styles)
        if match is None:
            continue
        ids = tuple(dict.fromkeys(i.strip().upper() for i in match.ids.split(",") if i.strip()))
        found.append(InlineSuppression(
            path=path,
            line=number,
            check_ids=ids,
            reason=_reason(match.rest),
            own_line=not line[: match.start].strip(),
        ))
    return found


def _reason(rest: str) -> str:
    """The free text after ``]``, without the comment closer and separators."""
    text = rest
    for closer in ("-->", "*/"):
        if closer in text:
            text = text.split(closer, 1)[0]
    # A reason is a sentence; a megabyte of "reason" is cut so reports stay readable.
    return text.strip(_REASON_TRIM)[:MAX_REASON_CHARS]


def project_suppressions(project: Project, path: str) -> dict[int, InlineSuppression]:
    """Suppressions of one project file by line, memoised on the project."""

    def build() -> dict[int, InlineSuppression]:
        text = project.read_text(path) if path in project.file_set else None
        return {s.line: s for s in parse_suppressions(path, text or "")}

    return project.view(project_suppressions, build, path)


def _covering(by_line: Mapping[int, InlineSuppression], line: int) -> list[InlineSuppression]:
    """Suppressions on the line itself, then the comment-only block directly above it."""
    out = [by_line[line]] if line in by_line else []
    above = line - 1
    while above in by_line and by_line[above].own_line:
        out.append(by_line[above])
        above -= 1
    return out


def parse_today(today: str | None) -> dt.date:
    """The scan's date: ``options.today`` (an ISO date or timestamp), else ``SOURCE_DATE_EPOCH``, else today.

    ``SOURCE_DATE_EPOCH`` (seconds since 1970, the reproducible-builds convention) lets a CI job or a
    documentation build rerun a scan as of a fixed day: suppression expiry and end-of-life dates are
    then judged on that day.
    """
    if today:
        try:
            return dt.date.fromisoformat(today[:10])
        except ValueError:
            pass
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch.isdigit():
        return dt.datetime.fromtimestamp(int(epoch), tz=dt.UTC).date()
    return dt.date.today()


def is_expired(rule: IgnoreRule, today: dt.date) -> bool:
    """An ignore applies through its expiry date and stops the day after."""
    if not rule.expires:
        return False
    try:
        return dt.date.fromisoformat(rule.expires) < today
    except ValueError:
        return False


def _path_matches(pattern: str | None, finding: Finding) -> bool:
    if not pattern:
        return True
    where = finding.location.path or finding.location.url or ""
    pattern = pattern.strip()
    if pattern.startswith("./"):
        pattern = pattern[2:]
    if pattern.endswith("/"):
        return where.startswith(pattern)
    return fnmatch.fnmatchcase(where, pattern) or where.startswith(pattern.rstrip("/") + "/")


def _alias_map(results: Iterable[CheckResult]) -> dict[str, str]:
    """Every id and alias known to this run, upper-cased, to the canonical id."""
    out: dict[str, str] = {}
    for result in results:
        out[result.meta.id.upper()] = result.meta.id
        for alias in result.meta.aliases:
            out[alias.upper()] = result.meta.id
    return out


def suppress(results: Sequence[CheckResult], project: Project | None, options: ScanOptions) -> SuppressionOutcome:
    """Apply inline and config suppressions; report expired ignores as notes."""
    aliases = _alias_map(results)
    today = parse_today(options.today)

    def canonical(check_id: str) -> str:
        return aliases.get(check_id.strip().upper(), check_id.strip().upper())

    active: list[IgnoreRule] = []
    expired: list[IgnoreRule] = []
    for rule in options.ignores:
        (expired if is_expired(rule, today) else active).append(rule)
    expired_hits = dict.fromkeys(range(len(expired)), 0)
    out: list[CheckResult] = []
    records: list[SuppressionRecord] = []
    for result in results:
        if not result.findings:
            out.append(result)
            continue
        keep: list[Finding] = []
        hidden: list[Finding] = list(result.suppressed)
        for finding in result.findings:
            record = _inline_match(finding, result.meta.id, project, canonical) or _config_match(
                finding, result.meta.id, active, canonical)
            if record is None:
                keep.append(finding)
                for index, rule in enumerate(expired):
                    if canonical(rule.check_id) == result.meta.id and _path_matches(rule.path, finding):
                        expired_hits[index] += 1
                continue
            hidden.append(finding)
            records.append(record)
        if len(keep) == len(result.findings):
            out.append(result)
            continue
        status = result.status if keep or result.status is not Status.FAIL else Status.PASS
        out.append(replace(result, findings=tuple(keep), suppressed=tuple(hidden), status=status))
    notes = [_expired_note(rule, expired_hits[i]) for i, rule in enumerate(expired)]
    return SuppressionOutcome(out, notes, records)


def _inline_match(finding: Finding, check_id: str, project: Project | None,
                  canonical: _Canonical) -> SuppressionRecord | None:
    path, line = finding.location.path, finding.location.line
    if project is None or not path or not line:
        return None
    for sup in _covering(project_suppressions(project, path), line):
        if any(canonical(i) == check_id for i in sup.check_ids):
            # The reason is scanned text: a secret value of the repository written there stays masked.
            reason = scrub(sup.reason, project.view(collect_secret_values, lambda: collect_secret_values(project)))
            return SuppressionRecord(finding.fingerprint, check_id, str(finding.location),
                                     reason, f"inline {sup.path}:{sup.line}")
    return None


def _config_match(finding: Finding, check_id: str, rules: Sequence[IgnoreRule],
                  canonical: _Canonical) -> SuppressionRecord | None:
    for rule in rules:
        if canonical(rule.check_id) == check_id and _path_matches(rule.path, finding):
            until = f" (until {rule.expires})" if rule.expires else ""
            return SuppressionRecord(finding.fingerprint, check_id, str(finding.location),
                                     rule.reason + until, "config")
    return None


def _expired_note(rule: IgnoreRule, hits: int) -> str:
    scope = f" for {rule.path}" if rule.path else ""
    counted = f"; {hits} finding(s) it covered count again" if hits else ""
    return (f"config ignore of {rule.check_id}{scope} expired on {rule.expires} and no longer applies"
            f" (reason was: {rule.reason}){counted}")


def expired_ignore_notes(options: ScanOptions) -> list[str]:
    """Notes for expired config ignores, without needing results (for callers outside a scan)."""
    today = parse_today(options.today)
    return [_expired_note(rule, 0) for rule in options.ignores if is_expired(rule, today)]


def apply_suppressions(results: list[CheckResult], project: Project | None,
                       options: ScanOptions) -> list[CheckResult]:
    """The engine hook: results with suppressed findings moved to ``CheckResult.suppressed``."""
    return suppress(results, project, options).results
