"""Snapshots for store and regression tests (real dataclasses, no mocks)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator

from auditor.history.record import BurstFacts, CertFacts, FindingFacts, HealthFacts, RunSnapshot, TargetSnapshot


def snapshot(target: str = "https://site.test", **changes: object) -> TargetSnapshot:
    """A healthy target; keyword arguments replace fields."""
    base = TargetSnapshot(
        target=target, kind="url", reachable=True, score=92.0, grade="A", tls_grade="A", header_grade="B",
        cert=CertFacts("site.test", ("site.test",), "Test CA", "2027-03-01T00:00:00Z", 60, "EC 256"),
        protocols=("TLSv1.2", "TLSv1.3"),
        headers=(("strict-transport-security", "max-age=31536000"), ("x-frame-options", "DENY")),
        health=(HealthFacts("/health", 200, 20.0),), burst=BurstFacts(True, 6, 6),
        findings=(FindingFacts("f1", "HDR-CSP", "medium", "no CSP"),),
    )
    return TargetSnapshot(**{**base.__dict__, **changes})  # type: ignore[arg-type]


def run_of(*targets: TargetSnapshot) -> RunSnapshot:
    """A run holding these targets."""
    return RunSnapshot(tool_version="0.1.0", score=targets[0].score, grade=targets[0].grade, risk="low",
                       complete=True, duration_s=1.0, targets=targets, config={"fail_on": "high"})


def ticking_clock(start: dt.datetime, step: dt.timedelta) -> Callable[[], dt.datetime]:
    """A clock advancing ``step`` per call (the store's only clock read is the stamp)."""
    moments: Iterator[dt.datetime] = (start + step * i for i in range(10**9))
    return lambda: next(moments)
