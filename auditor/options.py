"""Resolved scan options: what the CLI, environment and config file agreed on."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from auditor.discovery import DEFAULT_MAX_FILE_BYTES
from auditor.model import DEFAULT_MIN_CONFIDENCE, Confidence, Section, Severity

if TYPE_CHECKING:
    from auditor.changed import ChangedSet


@dataclass(frozen=True)
class IgnoreRule:
    """A config-file ignore: a check (optionally limited to a path glob) with reason and expiry."""

    check_id: str
    reason: str
    path: str | None = None
    expires: str | None = None  # ISO date; expired ignores stop applying


@dataclass(frozen=True)
class ScanOptions:
    """Everything a scan needs besides the registry."""

    path: Path | None = None
    urls: tuple[str, ...] = ()
    only_checks: frozenset[str] = frozenset()
    disabled_checks: frozenset[str] = frozenset()
    disabled_sections: frozenset[Section] = frozenset()
    severity_overrides: Mapping[str, Severity] = field(default_factory=dict)
    ignores: tuple[IgnoreRule, ...] = ()
    excludes: tuple[str, ...] = ()
    max_file_bytes: int = DEFAULT_MAX_FILE_BYTES
    offline: bool = False
    # Live-scan knobs (probe options), kept loose so the probe layer owns them.
    live: Mapping[str, Any] = field(default_factory=dict)
    # Observations recorded earlier, judged instead of probing (path to JSON).
    from_observations: Path | None = None
    save_observations: Path | None = None
    today: str | None = None  # ISO date override for tests of expiry logic
    roles: str = "production"  # deployment roles checks judge: production | all
    deploy_roles: Mapping[str, str] = field(default_factory=dict)  # config `deploy:` path glob -> role
    # Findings below this confidence are listed but neither graded nor gated.
    min_confidence: Confidence = DEFAULT_MIN_CONFIDENCE
    # service | distribution from the config; None lets the scan guess (see auditor/profile.py).
    profile: str | None = None
    # --changed-since REF: judge and report only these files (see auditor/changed.py); None scans all.
    changed: ChangedSet | None = None
