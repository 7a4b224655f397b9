"""TLS checks on targets the harness fixtures cannot express: failed scans and http:// URLs."""

from __future__ import annotations

from auditor.live.observations import LiveTarget
from auditor.live.tls import TlsObservation
from auditor.model import Status
from auditor.runner import run_live_checks
from tests.harness import registry

TLS_CHECKS = ("TLS-GRADE", "TLS-CERT-EXPIRY", "TLS-CERT-INVALID", "TLS-LEGACY-PROTOCOLS", "TLS-WEAK-CIPHERS",
              "TLS-VULNERABILITIES")


def _results(target: LiveTarget) -> dict[str, tuple[Status, str]]:
    specs = [registry().resolve(check_id) for check_id in TLS_CHECKS]
    results = run_live_checks([s for s in specs if s is not None], [target], frozenset())
    return {r.meta.id: (r.status, r.reason or "") for r in results}


def test_failed_tls_scan_is_an_error_with_the_probe_reason() -> None:
    obs = TlsObservation(host="localhost", port=8443, server_name="localhost", ip="127.0.0.1",
                         error="connection refused by 127.0.0.1:8443")
    results = _results(LiveTarget(url="https://localhost:8443/", tls=obs))
    assert set(results) == set(TLS_CHECKS)
    for status, reason in results.values():
        assert status is Status.ERROR
        assert "connection refused by 127.0.0.1:8443" in reason


def test_http_url_skips_tls_checks() -> None:
    results = _results(LiveTarget(url="http://localhost:8080/"))
    assert {status for status, _ in results.values()} == {Status.SKIPPED}


def _skip_kinds(target: LiveTarget) -> set[tuple[str, str]]:
    specs = [registry().resolve(check_id) for check_id in TLS_CHECKS]
    results = run_live_checks([s for s in specs if s is not None], [target], frozenset())
    return {(r.skip_kind.value, r.reason or "") for r in results}


def test_http_url_has_nothing_to_judge_but_an_unprobed_https_url_was_not_checked() -> None:
    """An http:// URL has no TLS (not applicable); an https:// URL whose TLS was not probed is a gap to list."""
    assert _skip_kinds(LiveTarget(url="http://localhost:8080/")) == {("not-applicable", "the URL is not https")}
    assert _skip_kinds(LiveTarget(url="https://localhost:8443/")) == {("not-checked", "TLS was not probed")}
