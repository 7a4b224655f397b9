"""Regressions: a pure function of two snapshots and the thresholds."""

from __future__ import annotations

import pytest

from auditor.history.record import BurstFacts, CertFacts, FindingFacts, HealthFacts
from auditor.history.regressions import Thresholds, compare
from auditor.model import Severity
from tests.history.helpers import snapshot

T = Thresholds()


def kinds(prev: object, cur: object, thresholds: Thresholds = T) -> dict[str, object]:
    result = compare(prev, cur, thresholds)  # type: ignore[arg-type]
    return {r.kind: r for r in result.regressions}


def test_identical_runs_have_no_regressions() -> None:
    result = compare(snapshot(), snapshot(), T)
    assert result.regressions == () and result.resolved == ()


def test_first_run_is_not_a_regression_but_unreachable_always_is() -> None:
    assert compare(None, snapshot(), T).regressions == ()
    down = snapshot(reachable=False, error="connection refused")
    for previous in (None, snapshot()):
        (reg,) = compare(previous, down, T).regressions
        assert reg.kind == "unreachable" and reg.severity is Severity.CRITICAL and "refused" in reg.message


def test_new_and_resolved_findings() -> None:
    cur = snapshot(findings=(FindingFacts("f2", "HDR-HSTS", "high", "no HSTS"),))
    result = compare(snapshot(), cur, T)
    (reg,) = result.regressions
    assert reg.kind == "finding-new" and reg.severity is Severity.HIGH and reg.after == "f2"
    assert [f.fingerprint for f in result.resolved] == ["f1"]


@pytest.mark.parametrize(("before", "after", "severity"), [
    (60, 25, Severity.MEDIUM), (60, 10, Severity.HIGH), (60, 5, Severity.CRITICAL), (20, 12, Severity.HIGH),
])
def test_certificate_expiry_crossing_thresholds(before: int, after: int, severity: Severity) -> None:
    prev = snapshot(cert=CertFacts("s", ("s",), "CA", "x", before, "EC 256"))
    cur = snapshot(cert=CertFacts("s", ("s",), "CA", "x", after, "EC 256"))
    assert kinds(prev, cur)["cert-expiry"].severity is severity  # type: ignore[attr-defined]


def test_expiry_below_a_threshold_already_is_not_reported_again_and_thresholds_are_configurable() -> None:
    prev = snapshot(cert=CertFacts("s", ("s",), "CA", "x", 5, "EC 256"))
    cur = snapshot(cert=CertFacts("s", ("s",), "CA", "x", 4, "EC 256"))
    assert "cert-expiry" not in kinds(prev, cur)
    custom = Thresholds.from_config({"expiry_days": [45]})
    prev40 = snapshot(cert=CertFacts("s", ("s",), "CA", "x", 50, "EC 256"))
    cur40 = snapshot(cert=CertFacts("s", ("s",), "CA", "x", 40, "EC 256"))
    assert "cert-expiry" in kinds(prev40, cur40, custom) and "cert-expiry" not in kinds(prev40, cur40)
    with pytest.raises(ValueError, match="unknown key"):
        Thresholds.from_config({"expiry": 3})


def test_certificate_and_issuer_changes() -> None:
    renewed = snapshot(cert=CertFacts("site.test", ("site.test",), "Test CA", "2027-06-01T00:00:00Z", 90, "EC 256"))
    assert kinds(snapshot(), renewed)["cert-changed"].severity is Severity.INFO  # type: ignore[attr-defined]
    other = snapshot(cert=CertFacts("site.test", ("site.test",), "Other CA", "2027-06-01T00:00:00Z", 90, "EC 256"))
    assert set(kinds(snapshot(), other)) == {"issuer-changed"}


def test_protocol_and_weak_cipher_reenabled() -> None:
    cur = snapshot(protocols=("TLSv1.0", "TLSv1.2", "TLSv1.3"), weak_ciphers=("TLSv1.2 AES128-SHA",))
    found = kinds(snapshot(), cur)
    assert found["protocol-enabled"].severity is Severity.HIGH  # type: ignore[attr-defined]
    assert "AES128-SHA" in found["weak-cipher-enabled"].message  # type: ignore[attr-defined]


def test_headers_removed_weakened_changed() -> None:
    cur = snapshot(headers=(("strict-transport-security", "max-age=300"),))
    found = kinds(snapshot(), cur)
    assert found["header-removed"].message == "header x-frame-options removed"  # type: ignore[attr-defined]
    assert "31536000 to 300" in found["header-weakened"].message  # type: ignore[attr-defined]


def test_grades_and_score() -> None:
    cur = snapshot(score=80.0, grade="B", tls_grade="B", header_grade="B")
    found = kinds(snapshot(), cur)
    assert {"score-drop", "grade-drop", "tls-grade-drop"} <= set(found)
    assert "header-grade-drop" not in found
    assert kinds(snapshot(grade="B"), snapshot(grade="A")) == {}


def test_rate_limit_gone_but_a_skipped_burst_is_unknown() -> None:
    assert "rate-limit-gone" in kinds(snapshot(), snapshot(burst=BurstFacts(True, 30, None)))
    assert "rate-limit-gone" not in kinds(snapshot(), snapshot(burst=BurstFacts(False, 0, None, "off")))


def test_health_status_and_latency() -> None:
    down = snapshot(health=(HealthFacts("/health", 503, 20.0),))
    assert kinds(snapshot(), down)["health-status"].severity is Severity.HIGH  # type: ignore[attr-defined]
    assert "health-status" not in kinds(down, snapshot())  # recovery is not a regression
    slow = snapshot(health=(HealthFacts("/health", 200, 400.0),))
    assert "health-latency" in kinds(snapshot(), slow)
    jitter = snapshot(health=(HealthFacts("/health", 200, 45.0),))
    assert "health-latency" not in kinds(snapshot(), jitter)  # 2x but under latency_min_ms
