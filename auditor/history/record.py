"""What one scan leaves in the history: per-target snapshots of the facts regressions compare.

:func:`build_run` is pure: it reads a :class:`~auditor.model.Report` (and the live observations the
engine put in ``report.extra["live_observations"]``) and returns frozen data. Nothing here reads
the clock; the store stamps the run when it writes it. Response bodies, cookie values and
evidence are never kept: only the facts named below.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

from auditor.model import Report, Severity, Status

#: Response headers whose removal or weakening is a regression (lower-case).
SECURITY_HEADERS = (
    "strict-transport-security", "content-security-policy", "x-frame-options", "x-content-type-options",
    "referrer-policy", "permissions-policy", "cross-origin-opener-policy", "cross-origin-resource-policy",
    "cross-origin-embedder-policy",
)
LEGACY_PROTOCOLS = ("SSLv2", "SSLv3", "TLSv1.0", "TLSv1.1")
MAX_HEADER_VALUE = 512  # a stored header value is cut here (a CSP can be long; the store stays small)


@dataclass(frozen=True)
class CertFacts:
    """The leaf certificate as the probe saw it (``days_left`` computed at probe time)."""

    subject: str | None
    sans: tuple[str, ...]
    issuer: str
    not_after: str
    days_left: int
    key: str  # "EC 256", "RSA 2048"


@dataclass(frozen=True)
class HealthFacts:
    """One health endpoint: status and latency."""

    path: str
    status: int | None
    latency_ms: float | None
    error: str | None = None


@dataclass(frozen=True)
class BurstFacts:
    """The rate-limit burst: whether it ran, how many requests, where the first 429 came."""

    ran: bool
    sent: int = 0
    limited_at: int | None = None
    reason: str = ""

    @property
    def limited(self) -> bool:
        """The burst met a 429."""
        return self.limited_at is not None


@dataclass(frozen=True)
class FindingFacts:
    """An open finding by fingerprint (no evidence is kept)."""

    fingerprint: str
    check_id: str
    severity: str
    message: str


@dataclass(frozen=True)
class TargetSnapshot:
    """One target of one run."""

    target: str
    kind: str  # "url" or "repo"
    reachable: bool
    error: str | None = None
    score: float | None = None
    grade: str = ""
    complete: bool = True
    tls_grade: str | None = None
    header_grade: str | None = None
    header_score: int | None = None
    cert: CertFacts | None = None
    protocols: tuple[str, ...] = ()
    weak_ciphers: tuple[str, ...] = ()
    tls_error: str | None = None
    headers: tuple[tuple[str, str], ...] = ()
    health: tuple[HealthFacts, ...] = ()
    burst: BurstFacts | None = None
    findings: tuple[FindingFacts, ...] = ()
    duration_s: float | None = None

    def counts(self) -> dict[str, int]:
        """Open findings per severity label, every severity present."""
        out = {s.label: 0 for s in sorted(Severity, reverse=True)}
        for finding in self.findings:
            out[finding.severity] = out.get(finding.severity, 0) + 1
        return out

    def header(self, name: str) -> str | None:
        """A stored header value (lower-case name), or None."""
        return dict(self.headers).get(name.lower())

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> TargetSnapshot:
        """Inverse of :meth:`to_dict`; unknown keys (from a newer minor writer) are ignored."""
        cert = data.get("cert")
        burst = data.get("burst")
        return cls(
            target=str(data["target"]),
            kind=str(data.get("kind") or "url"),
            reachable=bool(data.get("reachable")),
            error=data.get("error"),
            score=data.get("score"),
            grade=str(data.get("grade") or ""),
            complete=bool(data.get("complete", True)),
            tls_grade=data.get("tls_grade"),
            header_grade=data.get("header_grade"),
            header_score=data.get("header_score"),
            cert=CertFacts(**{**cert, "sans": tuple(cert.get("sans") or ())}) if isinstance(cert, dict) else None,
            protocols=tuple(data.get("protocols") or ()),
            weak_ciphers=tuple(data.get("weak_ciphers") or ()),
            tls_error=data.get("tls_error"),
            headers=tuple((str(k), str(v)) for k, v in data.get("headers") or ()),
            health=tuple(HealthFacts(**h) for h in data.get("health") or ()),
            burst=BurstFacts(**burst) if isinstance(burst, dict) else None,
            findings=tuple(FindingFacts(**f) for f in data.get("findings") or ()),
            duration_s=data.get("duration_s"),
        )


@dataclass(frozen=True)
class RunSnapshot:
    """One scan: run-level facts and one snapshot per target."""

    tool_version: str
    score: float | None
    grade: str
    risk: str
    complete: bool
    duration_s: float | None
    targets: tuple[TargetSnapshot, ...]
    config: Mapping[str, Any] = field(default_factory=dict)


def build_run(report: Report, *, duration_s: float | None = None,
              config: Mapping[str, Any] | None = None) -> RunSnapshot:
    """The history entry of one scan (pure: a function of the report and its observations)."""
    observations = {str(o.get("url")): o for o in report.extra.get("live_observations") or ()
                    if isinstance(o, Mapping)}
    targets = tuple(_target(report, info.kind, info.value, observations.get(info.value))
                    for info in report.targets)
    return RunSnapshot(tool_version=report.tool_version, score=report.score, grade=report.grade,
                       risk=report.risk, complete=report.complete, duration_s=duration_s,
                       targets=targets, config=dict(config or {}))


def _findings(report: Report, kind: str, value: str) -> tuple[FindingFacts, ...]:
    """Open findings of one target: live results carry their URL, repository results ``repo``."""
    wanted = "repo" if kind == "repo" else value
    out: list[FindingFacts] = []
    for result in report.results:
        if result.status is not Status.FAIL or (result.target or "repo") != wanted:
            continue
        for finding in result.findings:
            sev = finding.severity if finding.severity is not None else result.meta.severity
            out.append(FindingFacts(finding.fingerprint, result.meta.id, sev.label, finding.message[:300]))
    return tuple(sorted(out, key=lambda f: f.fingerprint))


def _target_score(report: Report, kind: str, value: str) -> tuple[float | None, str, bool]:
    """The target's own score and grade (its results only), so a repository change in a combined
    scan never reads as a regression of the live site, and vice versa."""
    from auditor.scoring import overall

    if len(report.targets) == 1:
        return report.score, report.grade, report.complete
    wanted = "repo" if kind == "repo" else value
    score = overall([r for r in report.results if (r.target or "repo") == wanted])
    return score.score, score.grade, score.complete


def _target(report: Report, kind: str, value: str, obs: Mapping[str, Any] | None) -> TargetSnapshot:
    info = next(t for t in report.targets if t.kind == kind and t.value == value)
    score, grade, complete = _target_score(report, kind, value)
    base = TargetSnapshot(
        target=value, kind=kind, reachable=info.error is None, error=info.error, score=score,
        grade=grade, complete=complete, tls_grade=info.tls_grade,
        header_grade=info.header_grade, header_score=info.header_score,
        findings=_findings(report, kind, value),
    )
    if obs is None:
        return base
    tls = obs.get("tls") or {}
    http = obs.get("http") or {}
    page = http.get("page") or {}
    cert = tls.get("certificate")
    return TargetSnapshot(
        **{**base.__dict__,
           "cert": _cert(cert) if isinstance(cert, Mapping) else None,
           "protocols": tuple(p for p, on in sorted((tls.get("protocols") or {}).items()) if on),
           "weak_ciphers": _weak_ciphers(tls.get("ciphers") or ()),
           "tls_error": tls.get("error"),
           "headers": _security_headers(page.get("headers") or ()),
           "health": tuple(_health(h) for h in http.get("health") or () if isinstance(h, Mapping)),
           "burst": _burst(http.get("burst")),
           "duration_s": obs.get("duration_s")},
    )


def _cert(cert: Mapping[str, Any]) -> CertFacts:
    key = f"{cert.get('key_type') or ''} {cert.get('key_size') or ''}".strip()
    return CertFacts(subject=cert.get("subject_cn"), sans=tuple(sorted(str(s) for s in cert.get("sans") or ())),
                     issuer=str(cert.get("issuer") or ""), not_after=str(cert.get("not_after") or ""),
                     days_left=int(cert.get("days_left") or 0), key=key)


def _weak_ciphers(ciphers: Iterable[Mapping[str, Any]]) -> tuple[str, ...]:
    """Accepted suites without forward secrecy or AEAD, or under 128-bit keys (the SSL Labs weak set)."""
    weak = {f"{c.get('protocol')} {c.get('name')}" for c in ciphers
            if not c.get("forward_secrecy") or not c.get("aead") or int(c.get("key_size") or 0) < 128}
    return tuple(sorted(weak))


def _security_headers(headers: Iterable[Any]) -> tuple[tuple[str, str], ...]:
    values: dict[str, list[str]] = {}
    for pair in headers:
        name, value = str(pair[0]).lower(), str(pair[1])
        if name in SECURITY_HEADERS:
            values.setdefault(name, []).append(value)
    return tuple(sorted((k, ", ".join(v)[:MAX_HEADER_VALUE]) for k, v in values.items()))


def _health(item: Mapping[str, Any]) -> HealthFacts:
    latency = item.get("latency_ms")
    return HealthFacts(path=str(item.get("path") or ""), status=item.get("status"),
                       latency_ms=round(float(latency), 1) if latency is not None else None,
                       error=(str(item["error"])[:200] if item.get("error") else None))


def _burst(burst: Any) -> BurstFacts | None:
    if not isinstance(burst, Mapping):
        return None
    return BurstFacts(ran=bool(burst.get("ran")), sent=len(burst.get("statuses") or ()),
                      limited_at=burst.get("limited_at"), reason=str(burst.get("reason") or ""))
