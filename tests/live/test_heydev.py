"""The heydev.io emulation and its hardened twin, scanned end to end on 127.0.0.1."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from auditor.engine import scan
from auditor.model import Report, Severity, Status
from auditor.options import ScanOptions

APPS = Path(__file__).resolve().parents[2] / "fixtures" / "apps"
sys.path.insert(0, str(APPS))

import _dualserver  # noqa: E402
import heydev_emulation  # noqa: E402
import heydev_hardened  # noqa: E402

pytestmark = pytest.mark.network_local

EMULATION_FAILS = {
    "HDR-CSP", "HDR-HSTS", "HDR-X-CONTENT-TYPE-OPTIONS", "HDR-X-FRAME-OPTIONS", "HDR-REFERRER-POLICY",
    "HDR-PERMISSIONS-POLICY", "HDR-CORP", "HDR-COOP", "HEADER-GRADE", "CORS-ECHO-ANY-ORIGIN-CREDENTIALS",
    "CORS-WILDCARD-CREDENTIALS", "REDIRECT-HTTP-NOT-HTTPS", "RATE-LIMIT-ABSENT", "HEALTH-ENDPOINT",
    "ASSET-CACHE-CONTROL", "ASSET-COMPRESSION", "ASSET-SOURCE-MAPS", "ASSET-NO-CDN",
}
# Nothing to judge on the emulation: skipped with a reason, never listed as a strength.
EMULATION_SKIPS = {
    "HDR-COOKIES", "HDR-SRI", "METRICS-PUBLIC", "RATE-LIMIT-NO-RETRY-AFTER", "REDIRECT-CHAIN",
}


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Any]:
    bundle, cert, key = _dualserver.test_pki(tmp_path_factory.mktemp("pki"))
    return bundle, _dualserver.server_context(cert, key)


def _scan(app: Any, pki: tuple[Path, Any], tmp: Path) -> Iterator[tuple[Report, Path]]:
    bundle, ctx = pki
    server = _dualserver.DualServer(0, app, ctx).start()
    try:
        saved = tmp / "obs.json"
        options = ScanOptions(urls=(f"https://localhost:{server.port}",),
                              live={"ca_bundle": str(bundle), "timeout": 5}, save_observations=saved)
        yield scan(options), saved
    finally:
        server.stop()


def _failing_http_checks(report: Report) -> set[str]:
    # TLS checks belong to the TLS suite; here only the HTTP half is asserted.
    return {r.meta.id for r in report.results
            if r.status is Status.FAIL and r.meta.target.value == "live" and not r.meta.id.startswith("TLS-")}


def _by_id(report: Report) -> dict[str, Any]:
    return {r.meta.id: r for r in report.results if r.meta.target.value == "live"}


def test_emulation_fails_exactly_the_checklist_items(pki: tuple[Path, Any], tmp_path: Path) -> None:
    for report, saved in _scan(heydev_emulation.app, pki, tmp_path):
        assert _failing_http_checks(report) == EMULATION_FAILS
        results = _by_id(report)
        assert {i for i in EMULATION_SKIPS if results[i].status is Status.SKIPPED and results[i].reason} \
            == EMULATION_SKIPS
        # The seed's Hono callback: '*' + credentials for foreign origins and null (browsers refuse it),
        # any http://localhost:<port> reflected with credentials (exploitable).
        echo = results["CORS-ECHO-ANY-ORIGIN-CREDENTIALS"]
        assert [f.key for f in echo.findings] == ["cors-reflect-credentials:localhost"]
        assert "http://localhost:1" in echo.findings[0].message
        (wildcard,) = results["CORS-WILDCARD-CREDENTIALS"].findings
        assert "https://prodcheck-probe.invalid" in wildcard.message and "null" in wildcard.message
        (health,) = results["HEALTH-ENDPOINT"].findings
        assert health.message == ('/health answers {"status":"ok"} without checking any dependency; '
                                  "no separate readiness and liveness endpoints")
        assert results["HEADER-GRADE"].worst_severity is Severity.INFO
        assert not any(r.status is Status.ERROR for r in report.results if r.meta.target.value == "live"), \
            [(r.meta.id, r.reason) for r in report.results if r.status is Status.ERROR]
        (target,) = report.targets
        assert target.header_grade == "F" and target.error is None
        # Judging the saved observations again gives the same verdicts (offline re-judgement).
        again = scan(ScanOptions(from_observations=saved))
        assert _failing_http_checks(again) == EMULATION_FAILS


def test_hardened_passes_every_http_check(pki: tuple[Path, Any], tmp_path: Path) -> None:
    for report, _ in _scan(heydev_hardened.app, pki, tmp_path):
        assert _failing_http_checks(report) == set()
        results = _by_id(report)
        for check_id in ("ASSET-NO-CDN", "METRICS-PUBLIC", "CORS-ECHO-ANY-ORIGIN-CREDENTIALS",
                         "CORS-WILDCARD-CREDENTIALS", "HEALTH-ENDPOINT", "RATE-LIMIT-NO-RETRY-AFTER"):
            assert results[check_id].status is Status.PASS, (check_id, results[check_id].reason)
        (target,) = report.targets
        assert target.header_grade == "A+" and target.header_score is not None and target.header_score >= 100


def test_burst_off_skips_rate_limit_checks(pki: tuple[Path, Any]) -> None:
    bundle, ctx = pki
    server = _dualserver.DualServer(0, heydev_emulation.app, ctx).start()
    try:
        from auditor.live.session import observe_url

        target = observe_url(f"https://localhost:{server.port}", {"ca_bundle": str(bundle), "no_burst": True,
                                                                  "timeout": 5})
    finally:
        server.stop()
    assert target.http is not None and target.http.burst is not None
    assert not target.http.burst.ran and "no-burst" in target.http.burst.reason
