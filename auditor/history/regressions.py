"""Regressions: what got worse on one target between two stored runs.

:func:`compare` is a pure function of the previous snapshot, the current one and the
thresholds. It never reads the clock: certificate expiry uses the ``days_left`` each probe
recorded, and the store stamps runs. An unreachable target is a regression of its own, with or
without a previous run.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from auditor.history.record import LEGACY_PROTOCOLS, FindingFacts, TargetSnapshot
from auditor.model import Severity

#: Letter order for grade comparisons (SSL Labs adds T and M; unknown grades are not compared).
_GRADE_RANK = {g: i for i, g in enumerate(("A+", "A", "A-", "B", "C", "D", "E", "F", "M", "T"))}


@dataclass(frozen=True)
class Thresholds:
    """What counts as a regression beyond "it got worse"."""

    expiry_days: tuple[int, ...] = (30, 14, 7)
    latency_factor: float = 2.0  # health latency at least this many times the previous one ...
    latency_min_ms: float = 100.0  # ... and at least this much slower, so loopback jitter is not news
    score_drop: float = 1.0  # points

    @classmethod
    def from_config(cls, data: Mapping[str, Any] | None) -> Thresholds:
        """Build from the ``regressions:`` config mapping; raise ValueError on bad values."""
        if not data:
            return cls()
        known = {"expiry_days", "latency_factor", "latency_min_ms", "score_drop"}
        unknown = set(map(str, data)) - known
        if unknown:
            raise ValueError(f"unknown key(s) {', '.join(sorted(unknown))} (known: {', '.join(sorted(known))})")
        days = data.get("expiry_days", cls.expiry_days)
        if isinstance(days, (int, str)):
            days = [days]
        parsed = tuple(sorted({int(d) for d in days}, reverse=True))
        if any(d < 0 for d in parsed):
            raise ValueError("expiry_days must be non-negative")
        return cls(expiry_days=parsed,
                   latency_factor=float(data.get("latency_factor", cls.latency_factor)),
                   latency_min_ms=float(data.get("latency_min_ms", cls.latency_min_ms)),
                   score_drop=float(data.get("score_drop", cls.score_drop)))


@dataclass(frozen=True)
class Regression:
    """One thing that got worse on one target."""

    kind: str
    severity: Severity
    target: str
    message: str
    before: str | None = None
    after: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict."""
        return {"kind": self.kind, "severity": self.severity.label, "target": self.target,
                "message": self.message, "before": self.before, "after": self.after}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Regression:
        """Inverse of :meth:`to_dict`."""
        return cls(kind=str(data["kind"]), severity=Severity.parse(str(data["severity"])),
                   target=str(data["target"]), message=str(data["message"]),
                   before=data.get("before"), after=data.get("after"))


@dataclass(frozen=True)
class TargetComparison:
    """One target of this run against its previous complete run (None: the first run)."""

    target: str
    previous_run: int | None
    previous_at: str | None
    regressions: tuple[Regression, ...] = ()
    resolved: tuple[FindingFacts, ...] = ()


@dataclass(frozen=True)
class SinceLast:
    """The "Since the last scan" section: one comparison per target of this run."""

    comparisons: tuple[TargetComparison, ...] = ()
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def regressions(self) -> list[Regression]:
        """Every regression, worst first."""
        found = [r for c in self.comparisons for r in c.regressions]
        return sorted(found, key=lambda r: (-r.severity, r.target, r.kind))

    def at_least(self, severity: Severity) -> list[Regression]:
        """Regressions at or above ``severity``."""
        return [r for r in self.regressions if r.severity >= severity]

    def to_dict(self) -> dict[str, Any]:
        """The JSON report's ``since_last`` object."""
        return {
            "targets": [
                {"target": c.target, "previous_run": c.previous_run, "previous_at": c.previous_at,
                 "regressions": [r.to_dict() for r in c.regressions],
                 "resolved": [{"fingerprint": f.fingerprint, "check_id": f.check_id, "severity": f.severity,
                               "message": f.message} for f in c.resolved]}
                for c in self.comparisons
            ],
            "regression_count": len(self.regressions),
            "notes": list(self.notes),
        }


def compare(previous: TargetSnapshot | None, current: TargetSnapshot, thresholds: Thresholds,
            *, previous_run: int | None = None, previous_at: str | None = None) -> TargetComparison:
    """Regressions and resolved findings of ``current`` against ``previous`` (pure)."""
    name = current.target
    if not current.reachable:
        reg = Regression("unreachable", Severity.CRITICAL, name,
                         f"target unreachable: {current.error or 'no response'}", "reachable", "unreachable")
        return TargetComparison(name, previous_run, previous_at, (reg,))
    if previous is None:
        return TargetComparison(name, None, None)
    found: list[Regression] = []
    found += _findings(previous, current)
    found += _scores(previous, current, thresholds)
    found += _certificate(previous, current, thresholds)
    found += _tls(previous, current)
    found += _headers(previous, current)
    found += _burst(previous, current)
    found += _health(previous, current, thresholds)
    now = {f.fingerprint for f in current.findings}
    resolved = tuple(f for f in previous.findings if f.fingerprint not in now)
    found.sort(key=lambda r: -r.severity)  # worst first; stable, so the order above breaks ties
    return TargetComparison(name, previous_run, previous_at, tuple(found), resolved)


def _findings(prev: TargetSnapshot, cur: TargetSnapshot) -> Iterable[Regression]:
    before = {f.fingerprint for f in prev.findings}
    for f in cur.findings:
        if f.fingerprint not in before:
            yield Regression("finding-new", Severity.parse(f.severity), cur.target,
                             f"new finding {f.check_id}: {f.message}", None, f.fingerprint)


def _worse_grade(before: str | None, after: str | None) -> bool:
    if not before or not after or before not in _GRADE_RANK or after not in _GRADE_RANK:
        return False
    return _GRADE_RANK[after] > _GRADE_RANK[before]


def _scores(prev: TargetSnapshot, cur: TargetSnapshot, t: Thresholds) -> Iterable[Regression]:
    if prev.score is not None and cur.score is not None and prev.score - cur.score >= t.score_drop:
        yield Regression("score-drop", Severity.MEDIUM, cur.target,
                         f"score dropped from {prev.score:g} to {cur.score:g}", f"{prev.score:g}", f"{cur.score:g}")
    if _worse_grade(prev.grade, cur.grade):
        yield Regression("grade-drop", Severity.MEDIUM, cur.target,
                         f"grade dropped from {prev.grade} to {cur.grade}", prev.grade, cur.grade)
    if _worse_grade(prev.tls_grade, cur.tls_grade):
        yield Regression("tls-grade-drop", Severity.HIGH, cur.target,
                         f"TLS grade dropped from {prev.tls_grade} to {cur.tls_grade}", prev.tls_grade, cur.tls_grade)
    if _worse_grade(prev.header_grade, cur.header_grade):
        yield Regression("header-grade-drop", Severity.MEDIUM, cur.target,
                         f"header grade dropped from {prev.header_grade} to {cur.header_grade}",
                         prev.header_grade, cur.header_grade)


def expiry_severity(crossed: int, thresholds: Thresholds) -> Severity:
    """The lowest threshold is critical, the next high, the rest medium (30/14/7 -> medium/high/critical)."""
    ladder = sorted(thresholds.expiry_days)
    rank = ladder.index(crossed)
    return (Severity.CRITICAL, Severity.HIGH)[rank] if rank < 2 else Severity.MEDIUM


def _certificate(prev: TargetSnapshot, cur: TargetSnapshot, t: Thresholds) -> Iterable[Regression]:
    old, new = prev.cert, cur.cert
    if new is None:
        return
    before_days = old.days_left if old is not None else None
    crossed = [d for d in t.expiry_days if new.days_left <= d and (before_days is None or before_days > d)]
    if crossed:
        lowest = min(crossed)
        yield Regression("cert-expiry", expiry_severity(lowest, t), cur.target,
                         f"certificate expires in {new.days_left} day(s) (crossed the {lowest}-day threshold)",
                         str(before_days) if before_days is not None else None, str(new.days_left))
    if old is None:
        return
    if old.issuer != new.issuer:
        yield Regression("issuer-changed", Severity.MEDIUM, cur.target,
                         f"certificate issuer changed from {old.issuer!r} to {new.issuer!r}", old.issuer, new.issuer)
    elif (old.subject, old.sans, old.not_after, old.key) != (new.subject, new.sans, new.not_after, new.key):
        # A renewal is routine; it is listed so an unexpected replacement is seen, at info severity.
        yield Regression("cert-changed", Severity.INFO, cur.target,
                         f"certificate changed (subject {new.subject}, valid until {new.not_after}, key {new.key})",
                         old.not_after, new.not_after)


def _tls(prev: TargetSnapshot, cur: TargetSnapshot) -> Iterable[Regression]:
    if not prev.protocols or cur.tls_error:
        return  # nothing to compare with, or this probe failed (its own finding says so)
    for proto in cur.protocols:
        if proto in LEGACY_PROTOCOLS and proto not in prev.protocols:
            yield Regression("protocol-enabled", Severity.HIGH, cur.target,
                             f"legacy protocol {proto} is accepted again", "refused", "accepted")
    for suite in sorted(set(cur.weak_ciphers) - set(prev.weak_ciphers)):
        yield Regression("weak-cipher-enabled", Severity.MEDIUM, cur.target,
                         f"weak cipher suite accepted: {suite}", "refused", "accepted")


_MAX_AGE = re.compile(r"max-age\s*=\s*\"?(\d+)", re.IGNORECASE)
_UNSAFE_CSP = ("'unsafe-inline'", "'unsafe-eval'", " * ", "data:", "http:")


def _max_age(value: str) -> int:
    match = _MAX_AGE.search(value)
    return int(match.group(1)) if match else 0


def _headers(prev: TargetSnapshot, cur: TargetSnapshot) -> Iterable[Regression]:
    if not prev.headers and not cur.headers:
        return
    old, new = dict(prev.headers), dict(cur.headers)
    for name, value in sorted(old.items()):
        now = new.get(name)
        if now is None:
            yield Regression("header-removed", Severity.MEDIUM, cur.target, f"header {name} removed", value, None)
        elif name == "strict-transport-security" and _max_age(now) < _max_age(value):
            yield Regression("header-weakened", Severity.MEDIUM, cur.target,
                             f"{name} max-age lowered from {_max_age(value)} to {_max_age(now)}", value, now)
        elif name == "content-security-policy" and any(
                tok in f" {now} " and tok not in f" {value} " for tok in _UNSAFE_CSP):
            yield Regression("header-weakened", Severity.MEDIUM, cur.target,
                             f"{name} now allows unsafe sources", value, now)
        elif now != value:
            yield Regression("header-changed", Severity.LOW, cur.target, f"header {name} changed", value, now)


def _burst(prev: TargetSnapshot, cur: TargetSnapshot) -> Iterable[Regression]:
    if prev.burst is None or cur.burst is None or not cur.burst.ran:
        return  # not sent this time (--no-burst): unknown, not a regression
    if prev.burst.limited and not cur.burst.limited:
        yield Regression("rate-limit-gone", Severity.HIGH, cur.target,
                         f"rate limiting gone: {cur.burst.sent} requests got no 429 "
                         f"(the last run was limited after {prev.burst.limited_at})",
                         f"429 after {prev.burst.limited_at}", f"no 429 in {cur.burst.sent}")


def _ok(status: int | None) -> bool:
    return status is not None and 200 <= status < 300


def _health(prev: TargetSnapshot, cur: TargetSnapshot, t: Thresholds) -> Iterable[Regression]:
    before = {h.path: h for h in prev.health}
    for now in cur.health:
        old = before.get(now.path)
        if old is None:
            continue
        if old.status != now.status:
            severity = Severity.HIGH if _ok(old.status) and not _ok(now.status) else Severity.LOW
            if not (_ok(now.status) and not _ok(old.status)):  # recovering is not a regression
                yield Regression("health-status", severity, cur.target,
                                 f"{now.path} answered {now.status or now.error or 'nothing'} (was {old.status})",
                                 str(old.status), str(now.status))
        if (old.latency_ms is not None and now.latency_ms is not None and old.latency_ms > 0
                and now.latency_ms >= old.latency_ms * t.latency_factor
                and now.latency_ms - old.latency_ms >= t.latency_min_ms):
            yield Regression("health-latency", Severity.MEDIUM, cur.target,
                             f"{now.path} latency rose from {old.latency_ms:g} ms to {now.latency_ms:g} ms",
                             f"{old.latency_ms:g}", f"{now.latency_ms:g}")
