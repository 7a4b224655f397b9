"""One handshake failure does not drop the target: legacy-only servers still get graded and probed.

Python's default client context refuses TLS 1.0/1.1 and static-RSA suites. The
TLS grade comes from sslyze's observation; the HTTP probe retries with a
permissive context and says so.
"""

from __future__ import annotations

import contextlib
import ssl
from collections.abc import Iterator
from pathlib import Path

import pytest

from auditor.live.grades import target_grades
from auditor.live.session import observe_url
from tests.live.certs import make_ca, make_valid_leaf
from tests.live.tls_scenarios import HSTS_ONE_YEAR, Scenario, weak_ciphers
from tests.live.tls_server import legacy_tls_available, static_handler, tls_server

pytestmark = pytest.mark.network_local


@contextlib.contextmanager
def tls10_11_only(tmp: Path) -> Iterator[Scenario]:
    """Trusted, TLS 1.0 and 1.1 only (SECLEVEL=0)."""
    ca = make_ca(tmp)
    leaf = make_valid_leaf(ca, tmp)
    with tls_server(leaf.cert_path, leaf.key_path, min_version=ssl.TLSVersion.TLSv1,
                    max_version=ssl.TLSVersion.TLSv1_1, ciphers="DEFAULT:@SECLEVEL=0",
                    handler=static_handler(HSTS_ONE_YEAR)) as (host, port):
        yield Scenario(host, port, ca_bundle=str(ca.cert_path))


@pytest.mark.parametrize("scenario", [tls10_11_only, weak_ciphers], ids=["tls1.0-1.1-only", "static-rsa-only"])
def test_legacy_only_server_is_graded_and_probed(tmp_path: Path, scenario: object) -> None:
    reason = legacy_tls_available(ssl.TLSVersion.TLSv1)
    if reason:
        pytest.skip(reason)
    with scenario(tmp_path) as served:  # type: ignore[operator]
        url = f"https://{served.server_name}:{served.port}/"
        target = observe_url(url, {"timeout": 3, "ca_bundle": served.ca_bundle, "no_burst": True,
                                   "resolve": [f"{served.server_name}:{served.port}:{served.host}"]})
    assert target.error is None, target.error
    assert target.tls is not None and target.tls.error is None, target.tls and target.tls.error
    assert target.http is not None, target.http_error
    assert target.http.legacy_tls, "the fallback to a permissive context should be recorded"
    assert target.http.page.status == 200
    assert any("permissive TLS context" in note for note in target.notes)
    grades = target_grades(target)
    assert grades["tls_grade"] is not None
    assert grades["header_grade"] is not None


def test_http_side_errored_keeps_the_tls_facts(tmp_path: Path) -> None:
    """When the page cannot be fetched at all but sslyze saw the server, TLS is judged, HTTP is an error."""
    from auditor.live.observations import LiveTarget
    from auditor.model import Status, Target
    from auditor.registry import load_registry
    from auditor.runner import run_live_checks
    from tests.live.tls_scenarios import valid

    with valid(tmp_path) as served:
        base = observe_url(f"https://{served.server_name}:{served.port}/",
                           {"timeout": 3, "ca_bundle": served.ca_bundle, "no_burst": True,
                            "resolve": [f"{served.server_name}:{served.port}:{served.host}"]})
    assert base.tls is not None and base.tls.error is None
    target = LiveTarget(url=base.url, tls=base.tls, http_error="timed out after 3s talking to localhost")
    registry = load_registry(targets=frozenset({Target.LIVE}))
    results = {r.meta.id: r for r in run_live_checks(list(registry), [target], frozenset())}
    assert results["TLS-GRADE"].status is Status.PASS
    assert results["HDR-HSTS"].status is Status.ERROR
    assert "timed out after 3s" in results["HDR-HSTS"].reason


def test_https_server_dripping_headers_ends_by_the_target_limit(tmp_path: Path) -> None:
    """The whole process (report written, exit) ends soon after --target-timeout, sslyze still hanging or not."""
    import subprocess
    import sys
    import time

    from tests.live.safety_servers import drip_headers, serve_tls
    from tests.live.tls_server import make_server_context

    ca = make_ca(tmp_path)
    leaf = make_valid_leaf(ca, tmp_path)
    context = make_server_context(leaf.cert_path, leaf.key_path)
    report = tmp_path / "r.json"
    with serve_tls(lambda conn, _m, _p, stopped: drip_headers(conn, stopped), context) as server:
        started = time.monotonic()
        done = subprocess.run(
            [sys.executable, "-m", "auditor", "scan", "--url", f"https://localhost:{server.port}/",
             "--ca-bundle", str(ca.cert_path), "--timeout", "1", "--target-timeout", "5", "--no-burst", "-q",
             "-f", "json", "-o", str(report)], capture_output=True, text=True, timeout=120, check=False)
        took = time.monotonic() - started
    assert done.returncode == 3, done.stderr
    assert took < 30, f"the scan process took {took:.1f}s with a 5 s target limit"
    import json

    [target] = json.loads(report.read_text())["targets"]
    assert "timed out after 1s" in (target["error"] or "")
