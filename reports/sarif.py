"""SARIF 2.1.0 for GitHub code scanning.

One run per target kind present (repository, live), each with its own
``automationDetails.id`` category so GitHub keeps their alerts apart. Every
result has a physical location: repository findings point at their file and
line; live findings anchor to the config line that names their URL when the
report knows it, otherwise to a placeholder path under ``.prodcheck/live/``
with ``partialFingerprints.primaryLocationLineHash`` set (GitHub cannot hash
a line of a file that does not exist). Checks that were skipped or errored
are not results; they are listed as tool execution notifications.
"""

from __future__ import annotations

import json
import posixpath
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlsplit

from auditor.docs import fix_prose
from auditor.model import CheckMeta, CheckResult, Confidence, Finding, Report, Severity, Status, Target
from auditor.textsafe import safe_report
from reports.common import BASELINE_EXISTING, baseline_state, severity_of

EXTENSION = "sarif"
FILENAME = "prodcheck-report.sarif"

SCHEMA_URI = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
FINGERPRINT_KEY = "prodcheck/v1"
CATEGORIES = {Target.REPO: "prodcheck/repo/", Target.LIVE: "prodcheck/live/"}

CONFIDENCE_RANK = {Confidence.HIGH: 90.0, Confidence.MEDIUM: 60.0, Confidence.LOW: 30.0}

# GitHub reads security-severity as a number in a string: >= 9 critical, >= 7 high, >= 4 medium.
SECURITY_SEVERITY = {
    Severity.CRITICAL: "9.5",
    Severity.HIGH: "8.0",
    Severity.MEDIUM: "5.5",
    Severity.LOW: "3.0",
    Severity.INFO: "1.0",
}
LEVELS = {
    Severity.CRITICAL: "error",
    Severity.HIGH: "error",
    Severity.MEDIUM: "warning",
    Severity.LOW: "note",
    Severity.INFO: "note",
}


@dataclass(frozen=True)
class Anchor:
    """Where a finding is shown in a code-scanning UI: a repository-relative file and line."""

    path: str
    line: int
    placeholder: bool


def repo_prefix(report: Report) -> str:
    """The scanned directory relative to the working directory, when it is a plain relative path.

    Finding paths are relative to the scanned root; GitHub resolves SARIF
    paths against the checkout root. When the CLI was run from the checkout
    with ``scan services/api`` the prefix makes the two agree. Absolute or
    escaping paths cannot be related to the checkout without I/O, so they
    give no prefix.
    """
    for target in report.targets:
        if target.kind == "repo":
            value = target.value.replace("\\", "/")
            if not value or value.startswith("/") or re.match(r"^[A-Za-z]:", value):
                return ""
            norm = posixpath.normpath(value)
            if norm == "." or norm.startswith(".."):
                return ""
            return norm
    return ""


def _clean_path(path: str, prefix: str) -> str:
    path = path.replace("\\", "/")
    while path.startswith("./"):
        path = path[2:]
    joined = posixpath.join(prefix, path) if prefix else path
    return posixpath.normpath(joined).lstrip("/")


def _host(url: str) -> str:
    try:
        host = urlsplit(url).hostname or ""
    except ValueError:
        host = ""
    return re.sub(r"[^A-Za-z0-9._-]", "_", host) or "target"


def anchor(report: Report, meta: CheckMeta, finding: Finding) -> Anchor:
    """The file and line a finding is shown at (see the module docstring)."""
    loc = finding.location
    if loc.path and posixpath.normpath(loc.path.replace("\\", "/")) not in (".", "/"):
        return Anchor(_clean_path(loc.path, repo_prefix(report)), max(1, loc.line or 1), False)
    url = loc.url or finding_target_url(report, meta)
    config_file = report.extra.get("config_file")
    url_lines = report.extra.get("config_url_lines") or {}
    if url and config_file and isinstance(url_lines, dict):
        line = url_lines.get(url) or url_lines.get(_origin(url))
        if isinstance(line, int) and line >= 1:
            return Anchor(_clean_path(str(config_file), ""), line, False)
    if url:
        return Anchor(f".prodcheck/live/{_host(url)}", 1, True)
    # A repository-wide finding ("no CI workflow") names no file: GitHub still needs one.
    return Anchor(f".prodcheck/repo/{meta.id}", 1, True)


def _origin(url: str) -> str:
    try:
        parts = urlsplit(url)
    except ValueError:
        return url
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else url


def finding_target_url(report: Report, meta: CheckMeta) -> str | None:
    """The single live target's URL, for live findings that carry no URL of their own."""
    if meta.target is not Target.LIVE:
        return None
    urls = [t.value for t in report.targets if t.kind != "repo"]
    return urls[0] if len(urls) == 1 else None


def _rule_name(check_id: str) -> str:
    return "".join(part.capitalize() for part in re.split(r"[^A-Za-z0-9]+", check_id) if part)


def _first_paragraph(text: str) -> str:
    return text.strip().split("\n\n", 1)[0].replace("\n", " ").strip()


def _help_text(meta: CheckMeta) -> str:
    doc = meta.doc
    parts = [meta.title + "."]
    if doc.what:
        parts.append("What it checks: " + doc.what.strip())
    if doc.why:
        parts.append("Why it matters: " + doc.why.strip())
    prose = fix_prose(doc)
    if prose:
        parts.append("How to fix: " + prose)
    for snippet in doc.snippets:
        parts.append(f"{snippet.stack}:\n{snippet.code}")
    return "\n\n".join(parts)


def _help_markdown(meta: CheckMeta) -> str:
    body = meta.doc.raw.partition("\n")[2].strip() if meta.doc.raw else ""
    return f"**{meta.title}** (`{meta.id}`, {meta.severity.label}, {meta.section.title})\n\n{body}".strip()


def rule(meta: CheckMeta) -> dict[str, Any]:
    """A SARIF reportingDescriptor built from the check's metadata and docs."""
    full = _first_paragraph(meta.doc.what) or meta.title
    props: dict[str, Any] = {"tags": _tags(meta)}
    if meta.security:
        props["security-severity"] = SECURITY_SEVERITY[meta.severity]
    return {
        "id": meta.id,
        "name": _rule_name(meta.id),
        "shortDescription": {"text": meta.title},
        "fullDescription": {"text": full},
        "help": {"text": _help_text(meta), "markdown": _help_markdown(meta)},
        "defaultConfiguration": {"level": LEVELS[meta.severity]},
        "properties": props,
    }


def _tags(meta: CheckMeta) -> list[str]:
    tags = ["security"] if meta.security else []
    for tag in ("prodcheck", meta.section.id, meta.target.value):
        if tag not in tags:  # the schema requires unique tags ("security" is also a section id)
            tags.append(tag)
    return tags


def _kind_of(result: CheckResult) -> Target:
    return result.meta.target


def _message(report: Report, result: CheckResult, finding: Finding, where: Anchor) -> str:
    text = finding.message.strip() or result.meta.title
    url = finding.location.url or finding_target_url(report, result.meta)
    if url and url not in text:
        text = f"{text} ({url})"
    return text


def _result(report: Report, result: CheckResult, finding: Finding, index: int,
            suppressed: bool, occurrence: int) -> dict[str, Any]:
    where = anchor(report, result.meta, finding)
    fingerprint = finding.fingerprint
    # Two findings of one check may share a key (and so a fingerprint); GitHub would merge
    # their alerts, so later occurrences get a ":n" suffix in the style of its line hashes.
    fingerprints = {FINGERPRINT_KEY: fingerprint if occurrence == 1 else f"{fingerprint}:{occurrence}"}
    if where.placeholder or result.meta.target is Target.LIVE:
        # The anchored line says nothing about the finding, so GitHub must not hash it.
        fingerprints["primaryLocationLineHash"] = f"{fingerprint[:16]}:{occurrence}"
    out: dict[str, Any] = {
        "ruleId": result.meta.id,
        "ruleIndex": index,
        "level": LEVELS[severity_of(result, finding)],
        "message": {"text": _message(report, result, finding, where)},
        "locations": [{
            "physicalLocation": {
                "artifactLocation": {"uri": quote(where.path, safe="/._-~"), "uriBaseId": "%SRCROOT%"},
                "region": {"startLine": where.line},
            },
        }],
        "partialFingerprints": fingerprints,
        # SARIF's rank (0-100) orders results by how much to trust them: high 90, medium 60, low 30.
        "rank": CONFIDENCE_RANK[result.confidence_of(finding)],
        "properties": {
            "severity": severity_of(result, finding).label,
            "confidence": result.confidence_of(finding).label,
            "section": result.meta.section.id,
        },
    }
    related = [loc for loc in finding.related if loc.path]
    if related:
        out["relatedLocations"] = [
            {
                "id": n,
                "physicalLocation": {
                    "artifactLocation": {"uri": quote(loc.path or "", safe="/._-~"), "uriBaseId": "%SRCROOT%"},
                    **({"region": {"startLine": loc.line}} if loc.line else {}),
                },
            }
            for n, loc in enumerate(related, start=1)
        ]
    if finding.key:
        out["properties"]["key"] = finding.key
    if finding.location.url:
        out["properties"]["url"] = finding.location.url
    if suppressed:
        out["suppressions"] = [{"kind": "inSource"}]
    else:
        state = baseline_state(report, finding)
        if state is not None:
            out["baselineState"] = "unchanged" if state == BASELINE_EXISTING else "new"
    return out


def _notification(result: CheckResult, index: int) -> dict[str, Any]:
    level = "error" if result.status is Status.ERROR else "note"
    verb = "errored" if result.status is Status.ERROR else "skipped"
    reason = result.reason.strip() or "no reason given"
    return {
        "level": level,
        "message": {"text": f"{result.meta.id} {verb}: {reason}"},
        "associatedRule": {"id": result.meta.id, "index": index},
    }


def _run(report: Report, kind: Target, results: Iterable[CheckResult]) -> dict[str, Any]:
    mine = list(results)
    metas: dict[str, CheckMeta] = {}
    for res in sorted(mine, key=lambda r: r.meta.id):
        metas.setdefault(res.meta.id, res.meta)
    index = {check_id: i for i, check_id in enumerate(metas)}
    sarif_results: list[dict[str, Any]] = []
    ordered = sorted(mine, key=lambda r: (-r.worst_severity, r.meta.section.order, r.meta.id, r.target))
    seen: dict[str, int] = {}

    def occurrence(finding: Finding) -> int:
        seen[finding.fingerprint] = seen.get(finding.fingerprint, 0) + 1
        return seen[finding.fingerprint]

    for res in ordered:
        if res.status is Status.FAIL:
            for finding in res.findings:
                sarif_results.append(_result(report, res, finding, index[res.meta.id], False,
                                             occurrence(finding)))
        for finding in res.suppressed:
            sarif_results.append(_result(report, res, finding, index[res.meta.id], True,
                                         occurrence(finding)))
    notes = [_notification(r, index[r.meta.id]) for r in sorted(mine, key=lambda r: r.meta.id)
             if r.status in (Status.ERROR, Status.SKIPPED)]
    run: dict[str, Any] = {
        "tool": {"driver": {
            "name": "prodcheck",
            "version": report.tool_version,
            "rules": [rule(meta) for meta in metas.values()],
        }},
        "automationDetails": {"id": CATEGORIES[kind]},
        "columnKind": "unicodeCodePoints",
        "results": sarif_results,
        "invocations": [{
            "executionSuccessful": True,
            "toolExecutionNotifications": notes,
        }],
        "properties": {
            "score": report.score,
            "grade": report.grade,
            "risk": report.risk,
            "targets": [t.value for t in report.targets
                        if (t.kind == "repo") == (kind is Target.REPO)],
        },
    }
    return run


def build(report: Report) -> dict[str, Any]:
    """The SARIF log as a dict: one run per target kind present."""
    report = safe_report(report)
    kinds: list[Target] = []
    has_repo = any(t.kind == "repo" for t in report.targets) or any(
        r.meta.target is Target.REPO for r in report.results)
    has_live = any(t.kind != "repo" for t in report.targets) or any(
        r.meta.target is Target.LIVE for r in report.results)
    if has_repo or not has_live:
        kinds.append(Target.REPO)
    if has_live:
        kinds.append(Target.LIVE)
    runs = [_run(report, kind, (r for r in report.results if _kind_of(r) is kind)) for kind in kinds]
    return {"$schema": SCHEMA_URI, "version": "2.1.0", "runs": runs}


def render(report: Report) -> str:
    """The SARIF 2.1.0 document for a report, as JSON text."""
    return json.dumps(build(report), indent=2, ensure_ascii=False) + "\n"
