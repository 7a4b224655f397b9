"""Baselines: accept today's findings so gates judge only what is new.

``prodcheck baseline create`` writes ``.prodcheck-baseline.json``: one entry per
open finding with its line-free fingerprint (check id, path or URL, key), so
moving code or adding blank lines never makes a baselined finding new.
``--baseline FILE`` then splits a scan's findings into *existing* (in the
baseline) and *new*; baseline entries no longer found by a check that ran are
*resolved*. Reports still show existing findings, marked as such.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from auditor.errors import ProdcheckError
from auditor.gates import effective_severity
from auditor.model import Finding, Report, Status

BASELINE_NAME = ".prodcheck-baseline.json"
SCHEMA_VERSION = 1


class BaselineError(ProdcheckError):
    """The baseline file is missing or not a prodcheck baseline; the message says which."""


@dataclass(frozen=True)
class BaselineEntry:
    """One accepted finding."""

    fingerprint: str
    check_id: str
    path: str | None
    url: str | None
    severity: str
    message: str

    def as_json(self) -> dict[str, Any]:
        """The entry as written to the baseline file."""
        return {
            "fingerprint": self.fingerprint,
            "check_id": self.check_id,
            "location": {"path": self.path, "url": self.url},
            "severity": self.severity,
            "message": self.message,
        }


@dataclass(frozen=True)
class Baseline:
    """A loaded baseline file."""

    created: str
    tool_version: str
    entries: tuple[BaselineEntry, ...]


def baseline_from_report(report: Report, *, today: dt.date | None = None) -> Baseline:
    """Accept every open finding of a report."""
    entries = tuple(
        BaselineEntry(
            fingerprint=f.fingerprint,
            check_id=f.check_id,
            path=f.location.path,
            url=f.location.url,
            severity=effective_severity(f, report).label,
            message=f.message,
        )
        for f in report.findings
    )
    ordered = tuple(sorted(entries, key=lambda e: (e.check_id, e.path or e.url or "", e.fingerprint)))
    return Baseline(created=(today or dt.date.today()).isoformat(), tool_version=report.tool_version,
                    entries=ordered)


def dump_baseline(baseline: Baseline) -> str:
    """Serialise a baseline: sorted, stable, reviewable in a diff (no line numbers)."""
    data = {
        "schema_version": SCHEMA_VERSION,
        "created": baseline.created,
        "tool": {"name": "prodcheck", "version": baseline.tool_version},
        "entries": [e.as_json() for e in baseline.entries],
    }
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def write_baseline(report: Report, path: Path, *, today: dt.date | None = None) -> Baseline:
    """Write the baseline of a report to ``path``; returns what was written."""
    baseline = baseline_from_report(report, today=today)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(dump_baseline(baseline), encoding="utf-8")
    except OSError as exc:
        raise BaselineError(f"cannot write baseline {path}: {exc.strerror or exc}") from None
    return baseline


def load_baseline(path: Path) -> Baseline:
    """Read and validate a baseline file; BaselineError says what is wrong."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise BaselineError(f"baseline {path} not found (create it with 'prodcheck baseline create')") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise BaselineError(f"cannot read baseline {path}: {exc}") from None
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise BaselineError(f"baseline {path} is not valid JSON: {exc}") from None
    if not isinstance(data, dict) or not isinstance(data.get("entries"), list):
        raise BaselineError(f"baseline {path} is not a prodcheck baseline (no 'entries' list)")
    version = data.get("schema_version")
    if version != SCHEMA_VERSION:
        raise BaselineError(f"baseline {path} has schema_version {version!r}; this prodcheck reads {SCHEMA_VERSION}")
    entries = []
    for index, item in enumerate(data["entries"]):
        if not isinstance(item, dict) or not isinstance(item.get("fingerprint"), str):
            raise BaselineError(f"baseline {path}: entry {index} has no fingerprint")
        raw_location = item.get("location")
        location: dict[str, Any] = raw_location if isinstance(raw_location, dict) else {}
        entries.append(BaselineEntry(
            fingerprint=item["fingerprint"],
            check_id=str(item.get("check_id", "")),
            path=location.get("path"),
            url=location.get("url"),
            severity=str(item.get("severity", "")),
            message=str(item.get("message", "")),
        ))
    raw_tool = data.get("tool")
    tool: dict[str, Any] = raw_tool if isinstance(raw_tool, dict) else {}
    return Baseline(created=str(data.get("created", "")), tool_version=str(tool.get("version", "")),
                    entries=tuple(entries))


@dataclass(frozen=True)
class BaselineComparison:
    """How a scan's findings relate to a baseline."""

    existing: tuple[Finding, ...]
    new: tuple[Finding, ...]
    resolved: tuple[BaselineEntry, ...]
    unverified: tuple[BaselineEntry, ...]  # their check did not run this time (disabled, skipped, errored)


def compare(report: Report, baseline: Baseline) -> BaselineComparison:
    """Split open findings into existing and new; find baseline entries that were fixed.

    Fingerprints are matched as a multiset: when a file gains a second
    identical problem, the extra occurrence is new.
    """
    remaining = Counter(e.fingerprint for e in baseline.entries)
    existing: list[Finding] = []
    new: list[Finding] = []
    ordered = sorted(report.findings, key=lambda f: (f.location.path or f.location.url or "", f.location.line or 0))
    for finding in ordered:
        if remaining[finding.fingerprint] > 0:
            remaining[finding.fingerprint] -= 1
            existing.append(finding)
        else:
            new.append(finding)
    # A suppressed finding is still there: it is neither new nor resolved.
    for result in report.results:
        for finding in result.suppressed:
            if remaining[finding.fingerprint] > 0:
                remaining[finding.fingerprint] -= 1
    ran = {r.meta.id for r in report.results if r.status in (Status.PASS, Status.FAIL)}
    resolved: list[BaselineEntry] = []
    unverified: list[BaselineEntry] = []
    for entry in baseline.entries:
        if remaining[entry.fingerprint] <= 0:
            continue
        remaining[entry.fingerprint] -= 1
        (resolved if entry.check_id in ran else unverified).append(entry)
    return BaselineComparison(tuple(existing), tuple(new), tuple(resolved), tuple(unverified))


def _entry_summary(entry: BaselineEntry) -> dict[str, Any]:
    return {"check_id": entry.check_id, "path": entry.path, "url": entry.url, "message": entry.message}


def apply_baseline(report: Report, path: Path) -> tuple[Report, list[Finding]]:
    """Mark existing findings in ``report.extra["baseline"]``; return the report and the new findings."""
    baseline = load_baseline(path)
    result = compare(report, baseline)
    extra = dict(report.extra)
    extra["baseline"] = {
        "file": str(path),
        "created": baseline.created,
        "existing": [f.fingerprint for f in result.existing],
        "new": [f.fingerprint for f in result.new],
        "resolved": [_entry_summary(e) for e in result.resolved],
        "unverified": [_entry_summary(e) for e in result.unverified],
    }
    note = (f"baseline {path.name}: {len(result.existing)} existing, {len(result.new)} new, "
            f"{len(result.resolved)} resolved finding(s)")
    return replace(report, extra=extra, notes=(*report.notes, note)), list(result.new)
