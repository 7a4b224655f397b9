"""build_run: what one scan leaves in the history (from a real scan of recorded observations)."""

from __future__ import annotations

import json
from pathlib import Path

from auditor.engine import scan
from auditor.history.record import build_run
from auditor.options import ScanOptions
from tests.harness import FIXTURES

OBS = {"schema_version": 1, "targets": [
    {"url": "https://a.test", "tls": {"host": "a.test", "port": 443, "server_name": "a.test", "ip": None,
                                       "protocols": {"TLSv1.2": True, "TLSv1.3": True, "TLSv1.0": False},
                                       "ciphers": [{"protocol": "TLSv1.2", "name": "AES128-SHA", "key_size": 128,
                                                    "kx": "RSA", "kx_bits": None, "forward_secrecy": False,
                                                    "aead": False}],
                                       "certificate": {"subject_cn": "a.test", "sans": ["a.test"], "issuer": "CA",
                                                       "not_before": "2026-01-01T00:00:00Z",
                                                       "not_after": "2026-03-01T00:00:00Z", "days_left": 12,
                                                       "key_type": "EC", "key_size": 256}},
     "http": {"page": {"url": "https://a.test", "status": 200, "headers": [
         ["Strict-Transport-Security", "max-age=600"], ["Set-Cookie", "session=SECRETVALUE"], ["Server", "x"]]},
         "health": [{"path": "/health", "url": "https://a.test/health", "status": 200, "latency_ms": 12.34,
                     "body": "{\"status\":\"ok\"}"}],
         "burst": {"ran": True, "statuses": [200, 200, 429], "limited_at": 3}}},
    {"url": "https://b.test", "error": "connection refused"},
]}


def test_snapshot_keeps_the_facts_and_no_secrets(tmp_path: Path) -> None:
    obs = tmp_path / "obs.json"
    obs.write_text(json.dumps(OBS), encoding="utf-8")
    report = scan(ScanOptions(path=FIXTURES / "repos" / "heydev", offline=True, from_observations=obs))
    run = build_run(report, duration_s=1.5, config={"fail_on": "high"})
    by_target = {t.target: t for t in run.targets}
    a, b = by_target["https://a.test"], by_target["https://b.test"]
    assert a.reachable and not b.reachable and b.error == "connection refused"
    assert a.cert is not None and (a.cert.days_left, a.cert.issuer, a.cert.key) == (12, "CA", "EC 256")
    assert a.protocols == ("TLSv1.2", "TLSv1.3") and a.weak_ciphers == ("TLSv1.2 AES128-SHA",)
    assert a.headers == (("strict-transport-security", "max-age=600"),)  # security headers only
    assert a.health[0].status == 200 and a.health[0].latency_ms == 12.3
    assert a.burst is not None and a.burst.limited_at == 3 and a.burst.sent == 3
    assert a.findings and all(f.fingerprint for f in a.findings)
    # Per-target scores: the repository's findings do not weigh on the live target.
    repo = next(t for t in run.targets if t.kind == "repo")
    assert repo.findings and not set(f.fingerprint for f in repo.findings) & set(f.fingerprint for f in a.findings)
    assert a.score != repo.score
    assert "SECRETVALUE" not in json.dumps([t.to_dict() for t in run.targets])  # cookie values never kept
    assert "body" not in json.dumps(a.to_dict()["health"])  # nor response bodies
