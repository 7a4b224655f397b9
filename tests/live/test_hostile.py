"""Hostile and broken targets: each gives a clear reason; other targets and the CLI carry on."""

from __future__ import annotations

import socket
import sys
import time
from collections.abc import Callable
from contextlib import AbstractContextManager, ExitStack
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from auditor.cli import main
from auditor.live.session import observe_url
from tests.live import hostile_servers as hs
from tests.live.tls_server import free_port, plain_http_server, silent_server

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "fixtures" / "apps"))

import _dualserver
import heydev_emulation

pytestmark = pytest.mark.network_local
TIMEOUT = 1.5


def _dns_fails_fast() -> bool:
    start = time.monotonic()
    try:
        socket.getaddrinfo("nonexistent.invalid", 443)
    except OSError:
        return time.monotonic() - start < 2
    return False


def _observe(url: str, **extra: Any) -> Any:
    start = time.monotonic()
    target = observe_url(url, {"timeout": TIMEOUT, "burst_size": 3, **extra})
    return target, time.monotonic() - start


def test_refused() -> None:
    target, _ = _observe(f"http://127.0.0.1:{free_port()}/")
    assert target.error and "refused" in target.error


def test_timeout() -> None:
    with silent_server(hold_seconds=10) as (host, port):
        target, took = _observe(f"http://{host}:{port}/")
    assert target.error and "timed out" in target.error
    assert took < 10 * TIMEOUT


def test_tls_handshake_failure() -> None:
    with hs.raw_server(hs.tls_alert) as (host, port):
        target, _ = _observe(f"https://{host}:{port}/")
    assert target.error and "TLS handshake" in target.error


def test_plain_http_on_tls_port() -> None:
    with plain_http_server() as (host, port):
        target, _ = _observe(f"https://{host}:{port}/")
    assert target.error and "plain HTTP" in target.error


def test_redirect_loop() -> None:
    with hs.raw_server(hs.redirect_loop) as (host, port):
        target, _ = _observe(f"http://{host}:{port}/a")
    assert target.error and target.error.startswith("redirect loop")


def test_huge_body_is_cut_at_one_mebibyte() -> None:
    with hs.raw_server(hs.huge_body) as (host, port):
        target, took = _observe(f"http://{host}:{port}/", no_burst=True)
    assert target.error is None, target.error
    assert took < 20


def test_slow_drip_is_bounded_by_the_deadline() -> None:
    with hs.raw_server(hs.slow_drip) as (host, port):
        target, took = _observe(f"http://{host}:{port}/")
    assert target.error and "too slowly" in target.error
    assert took < 4 * TIMEOUT


def test_invalid_header_bytes() -> None:
    with hs.raw_server(hs.invalid_headers) as (host, port):
        target, _ = _observe(f"http://{host}:{port}/")
    assert target.error and "invalid HTTP response" in target.error


def test_dns_failure() -> None:
    if not _dns_fails_fast():
        pytest.skip("the local resolver does not fail fast for .invalid names")
    target, _ = _observe("http://nonexistent.invalid/")
    assert target.error and "DNS failure" in target.error


def test_cli_scans_the_good_target_and_exits_3(tmp_path: Path) -> None:
    bundle, cert, key = _dualserver.test_pki(tmp_path)
    good = _dualserver.DualServer(0, heydev_emulation.app, _dualserver.server_context(cert, key)).start()
    servers: list[Callable[[], AbstractContextManager[tuple[str, int]]]] = [
        lambda: hs.raw_server(hs.redirect_loop), lambda: hs.raw_server(hs.invalid_headers),
        lambda: plain_http_server(),
    ]
    try:
        with ExitStack() as stack:
            addresses = [stack.enter_context(make()) for make in servers]
            urls = [f"https://localhost:{good.port}", f"http://127.0.0.1:{addresses[0][1]}/a",
                    f"http://127.0.0.1:{addresses[1][1]}/", f"https://127.0.0.1:{addresses[2][1]}/",
                    f"http://127.0.0.1:{free_port()}/"]
            args = ["scan", "--ca-bundle", str(bundle), "--timeout", "2", "--no-burst", "-q", "-f", "json",
                    "-o", str(tmp_path / "r.json")]
            for url in urls:
                args += ["--url", url]
            result = CliRunner().invoke(main, args)
    finally:
        good.stop()
    assert result.exit_code == 3, result.output
    import json

    report = json.loads((tmp_path / "r.json").read_text())
    results = report["results"]
    good_results = [r for r in results if r.get("check_id") == "CORS-ECHO-ANY-ORIGIN-CREDENTIALS"]
    assert any(r["status"] == "fail" for r in good_results)
    assert any(r["status"] == "error" and "target not scanned" in (r.get("reason") or "") for r in results)
