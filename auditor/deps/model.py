"""Observation model for dependency audits."""

from __future__ import annotations

from dataclasses import dataclass, field

from auditor.model import Severity


@dataclass(frozen=True)
class Package:
    """One resolved package from a lockfile or pinned manifest."""

    name: str
    version: str
    ecosystem: str  # "npm" or "PyPI"
    source: str  # the lockfile or manifest it came from
    line: int | None = None


@dataclass(frozen=True)
class Advisory:
    """A known vulnerability affecting one package version."""

    package: Package
    id: str
    aliases: tuple[str, ...]
    summary: str
    fixed_versions: tuple[str, ...]
    severity: Severity | None = None
    cvss_score: float | None = None


@dataclass(frozen=True)
class DepsObservation:
    """What the audit of one ecosystem saw; ``error`` set when the service could not be used."""

    ecosystem: str
    files: tuple[str, ...]
    packages: int
    advisories: tuple[Advisory, ...] = ()
    skipped: tuple[str, ...] = ()  # "name: reason" for packages that could not be audited
    error: str | None = None
    service: str = ""
    extra: dict[str, str] = field(default_factory=dict)


def observations_to_dict(observations: dict[str, DepsObservation]) -> dict[str, object]:
    """Serialise per-ecosystem observations (for recorded fixtures)."""
    from dataclasses import asdict

    return {eco: asdict(obs) for eco, obs in observations.items()}


def observations_from_dict(data: dict[str, dict[str, object]]) -> dict[str, DepsObservation]:
    """Inverse of :func:`observations_to_dict`."""
    out: dict[str, DepsObservation] = {}
    for eco, raw in data.items():
        advisories = []
        for item in raw.get("advisories") or []:  # type: ignore[attr-defined]
            pkg = Package(**item["package"])
            severity = item.get("severity")
            advisories.append(Advisory(
                package=pkg, id=item["id"], aliases=tuple(item.get("aliases") or ()), summary=item.get("summary", ""),
                fixed_versions=tuple(item.get("fixed_versions") or ()),
                severity=Severity(severity) if severity is not None else None, cvss_score=item.get("cvss_score"),
            ))
        out[eco] = DepsObservation(
            ecosystem=str(raw.get("ecosystem", eco)), files=tuple(raw.get("files") or ()),  # type: ignore[arg-type]
            packages=int(raw.get("packages") or 0),  # type: ignore[call-overload]
            advisories=tuple(advisories), skipped=tuple(raw.get("skipped") or ()),  # type: ignore[arg-type]
            error=raw.get("error"), service=str(raw.get("service") or ""),  # type: ignore[arg-type]
        )
    return out
