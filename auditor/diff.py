"""Compare two JSON reports: new, resolved and changed findings and the score delta.

Relies only on the JSON report contract: ``score``, ``grade`` and
``findings[]{fingerprint, check_id, severity, message, location}``. Findings
match by fingerprint (line-free), so a finding that only moved is unchanged.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from auditor.errors import ProdcheckError


class DiffError(ProdcheckError):
    """A report could not be read; the message names the file."""


@dataclass(frozen=True)
class DiffFinding:
    """The fields of a JSON-report finding a diff shows."""

    fingerprint: str
    check_id: str
    severity: str
    message: str
    where: str

    def as_json(self) -> dict[str, str]:
        """Plain dict for ``--format json``."""
        return {"fingerprint": self.fingerprint, "check_id": self.check_id, "severity": self.severity,
                "message": self.message, "location": self.where}


@dataclass(frozen=True)
class Change:
    """The same finding with a different severity or message."""

    old: DiffFinding
    new: DiffFinding


@dataclass(frozen=True)
class ReportDiff:
    """The difference between two reports."""

    old_score: float | None
    new_score: float | None
    old_grade: str
    new_grade: str
    new: tuple[DiffFinding, ...]
    resolved: tuple[DiffFinding, ...]
    changed: tuple[Change, ...]

    @property
    def score_delta(self) -> float | None:
        """New minus old score, when both are known."""
        if self.old_score is None or self.new_score is None:
            return None
        return round(self.new_score - self.old_score, 2)

    def as_json(self) -> dict[str, Any]:
        """The diff as a JSON-ready mapping."""
        return {
            "score": {"old": self.old_score, "new": self.new_score, "delta": self.score_delta},
            "grade": {"old": self.old_grade, "new": self.new_grade},
            "new": [f.as_json() for f in self.new],
            "resolved": [f.as_json() for f in self.resolved],
            "changed": [{"old": c.old.as_json(), "new": c.new.as_json()} for c in self.changed],
        }


def load_report(path: Path) -> dict[str, Any]:
    """Read one JSON report; DiffError when it is missing or not a prodcheck report."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise DiffError(f"{path}: file not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise DiffError(f"{path}: cannot read: {exc}") from None
    except ValueError as exc:
        raise DiffError(f"{path}: not valid JSON: {exc}") from None
    if not isinstance(data, dict) or not isinstance(data.get("findings", []), list):
        raise DiffError(f"{path}: not a prodcheck JSON report (expected an object with a 'findings' list)")
    return data


def _where(location: Any) -> str:
    if not isinstance(location, dict):
        return ""
    if location.get("url"):
        return str(location["url"])
    path, line = location.get("path"), location.get("line")
    if path and line:
        return f"{path}:{line}"
    return str(path or "")


def _finding(item: Any) -> DiffFinding | None:
    if not isinstance(item, dict):
        return None
    location = item.get("location") or {}
    check_id = str(item.get("check_id", ""))
    message = str(item.get("message", ""))
    fingerprint = item.get("fingerprint")
    if not isinstance(fingerprint, str) or not fingerprint:
        # Reports from elsewhere may lack fingerprints: fall back to a line-free identity.
        place = (location.get("url") or location.get("path") or "") if isinstance(location, dict) else ""
        fingerprint = hashlib.sha256(f"{check_id}\x1f{place}\x1f{message}".encode()).hexdigest()[:32]
    return DiffFinding(fingerprint, check_id, str(item.get("severity", "")), message, _where(location))


def _group(data: dict[str, Any]) -> dict[str, list[DiffFinding]]:
    groups: dict[str, list[DiffFinding]] = defaultdict(list)
    for item in data.get("findings") or []:
        finding = _finding(item)
        if finding is not None:
            groups[finding.fingerprint].append(finding)
    return groups


def _score(value: Any) -> float | None:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def diff_reports(old: dict[str, Any], new: dict[str, Any]) -> ReportDiff:
    """Compare two loaded reports (occurrences of one fingerprint are paired in order)."""
    old_groups, new_groups = _group(old), _group(new)
    added: list[DiffFinding] = []
    resolved: list[DiffFinding] = []
    changed: list[Change] = []
    for fingerprint in dict.fromkeys([*old_groups, *new_groups]):
        before, after = old_groups.get(fingerprint, []), new_groups.get(fingerprint, [])
        for a, b in zip(before, after, strict=False):
            if (a.severity, a.message) != (b.severity, b.message):
                changed.append(Change(a, b))
        resolved.extend(before[len(after):])
        added.extend(after[len(before):])
    return ReportDiff(
        old_score=_score(old.get("score")), new_score=_score(new.get("score")),
        old_grade=str(old.get("grade", "")), new_grade=str(new.get("grade", "")),
        new=tuple(added), resolved=tuple(resolved), changed=tuple(changed),
    )


def render_text(diff: ReportDiff) -> str:
    """A short human summary of the diff."""

    def score(value: float | None) -> str:
        return f"{value:g}" if value is not None else "n/a"

    delta = diff.score_delta
    sign = "" if delta is None else (f"+{delta:g}" if delta >= 0 else f"{delta:g}")
    lines = [
        f"score: {score(diff.old_score)} -> {score(diff.new_score)} ({sign or 'n/a'})",
        f"grade: {diff.old_grade or 'n/a'} -> {diff.new_grade or 'n/a'}",
        f"new: {len(diff.new)}, resolved: {len(diff.resolved)}, changed: {len(diff.changed)}",
    ]

    def row(f: DiffFinding) -> str:
        where = f" ({f.where})" if f.where else ""
        return f"[{f.severity}] {f.check_id}: {f.message}{where}"

    if diff.new:
        lines.append("\nNew findings:")
        lines.extend(f"  + {row(f)}" for f in diff.new)
    if diff.resolved:
        lines.append("\nResolved findings:")
        lines.extend(f"  - {row(f)}" for f in diff.resolved)
    if diff.changed:
        lines.append("\nChanged findings:")
        for change in diff.changed:
            lines.append(f"  ~ {row(change.new)}")
            if change.old.severity != change.new.severity:
                lines.append(f"      severity {change.old.severity} -> {change.new.severity}")
            if change.old.message != change.new.message:
                lines.append(f"      was: {change.old.message}")
    return "\n".join(lines) + "\n"


def render_json(diff: ReportDiff) -> str:
    """The diff as JSON."""
    return json.dumps(diff.as_json(), indent=2, ensure_ascii=False) + "\n"
