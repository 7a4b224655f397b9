"""Three scheduled scans of a local TLS site whose configuration changes between runs.

Run 1: a 90-day certificate, HSTS, rate limiting on /api, /health 200 (the first recorded run).
Run 2: the certificate replaced by one expiring in 5 days, HSTS removed.
Run 3: rate limiting turned off, /health answering 503.
Asserted: the regressions found, the gate's exit code, one webhook delivery per regressed run
with the right content (and no secret in any output), and the trend output.
"""

from __future__ import annotations

import json
import ssl
import threading
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from auditor.cli import main
from tests.history.webhook_server import webhook_server
from tests.live.certs import make_ca, make_expiring_leaf, make_valid_leaf
from tests.live.tls_server import Request, Response, make_server_context, tls_server
from tests.reports.helpers import validate_json_report

pytestmark = pytest.mark.network_local


class Site:
    """The site's current configuration; the handler reads it on every request."""

    def __init__(self) -> None:
        self.hsts = True
        self.rate_limited = True
        self.health_status = 200
        self.api_hits = 0
        self.lock = threading.Lock()

    def handle(self, request: Request) -> Response:
        headers = [("Content-Type", "text/html; charset=utf-8"), ("X-Content-Type-Options", "nosniff")]
        if self.hsts:
            headers.append(("Strict-Transport-Security", "max-age=31536000; includeSubDomains"))
        if request.path.startswith("/health"):
            body = b'{"status":"ok"}' if self.health_status == 200 else b'{"status":"down"}'
            return Response(self.health_status, (("Content-Type", "application/json"), *headers[1:]), body)
        if request.path.startswith("/api"):
            with self.lock:
                self.api_hits += 1
                hits = self.api_hits
            if self.rate_limited and hits > 5:
                return Response(429, (("Retry-After", "30"), *headers), b"slow down\n")
            return Response(200, (("Content-Type", "application/json"), *headers[1:]), b"{}")
        return Response(200, tuple(headers), b"<!doctype html><title>site</title><a href='/api'>api</a>\n")


def _scan(runner: CliRunner, config: Path, out: Path, ca: Path, hook_url: str, url: str) -> Any:
    return runner.invoke(main, [
        "scan", "--url", url, "--config", str(config), "--ca-bundle", str(ca), "--format", "json", "--output", str(out),
        "--fail-on-regression", "high", "--notify", f"json+{hook_url}",
    ], catch_exceptions=False)


def test_three_scheduled_scans(tmp_path: Path) -> None:
    ca = make_ca(tmp_path / "pki")
    valid = make_valid_leaf(ca, tmp_path / "pki")
    expiring = make_expiring_leaf(ca, tmp_path / "pki", 5)
    site = Site()
    context = make_server_context(valid.cert_path, valid.key_path)
    history = tmp_path / "history.sqlite"
    runner = CliRunner()
    with tls_server(valid.cert_path, valid.key_path, context=context, handler=site.handle) as (_, port), \
            webhook_server() as receiver:
        url = f"https://localhost:{port}"
        config = tmp_path / "prodcheck.yaml"
        config.write_text(
            f"history: {history}\n"
            f"targets:\n  - url: {url}\n    health_paths: [/health]\n    burst_path: /api\n    burst_size: 10\n"
            "regressions:\n  latency_min_ms: 5000\n",  # loopback latency jitter is not what this test is about
            encoding="utf-8")

        first = _scan(runner, config, tmp_path / "r1.json", ca.cert_path, receiver.url, url)
        assert first.exit_code != 1, first.output  # a first run has nothing to regress from
        data1 = validate_json_report((tmp_path / "r1.json").read_text(encoding="utf-8"))
        assert data1["since_last"]["regression_count"] == 0
        assert data1["since_last"]["targets"][0]["previous_run"] is None
        assert receiver.bodies == []

        # Run 2: the certificate replaced by one expiring in 5 days; HSTS removed.
        context.load_cert_chain(str(expiring.cert_path), str(expiring.key_path))
        site.hsts, site.api_hits = False, 0
        second = _scan(runner, config, tmp_path / "r2.json", ca.cert_path, receiver.url, url)
        assert second.exit_code == 1, second.output
        data2 = validate_json_report((tmp_path / "r2.json").read_text(encoding="utf-8"))
        kinds2 = {r["kind"]: r for r in data2["since_last"]["targets"][0]["regressions"]}
        assert kinds2["cert-expiry"]["severity"] == "critical"
        assert kinds2["cert-expiry"]["after"] in {"4", "5"}
        assert kinds2["header-removed"]["message"] == "header strict-transport-security removed"
        assert "rate-limit-gone" not in kinds2 and "health-status" not in kinds2
        assert "gate failed: regression since the last scan [critical]" in second.output
        assert len(receiver.bodies) == 1
        alert = receiver.bodies[0]
        assert alert["event"] == "prodcheck.regression" and alert["targets"] == [url]
        assert {"cert-expiry", "header-removed"} <= {r["kind"] for r in alert["regressions"]}

        # Run 3: rate limiting off, /health answering 503.
        site.rate_limited, site.health_status, site.api_hits = False, 503, 0
        third = _scan(runner, config, tmp_path / "r3.json", ca.cert_path, receiver.url, url)
        assert third.exit_code == 1, third.output
        data3 = validate_json_report((tmp_path / "r3.json").read_text(encoding="utf-8"))
        kinds3 = {r["kind"]: r for r in data3["since_last"]["targets"][0]["regressions"]}
        assert kinds3["rate-limit-gone"]["severity"] == "high"
        assert kinds3["health-status"]["after"] == "503" and kinds3["health-status"]["severity"] == "high"
        assert "cert-expiry" not in kinds3 and "header-removed" not in kinds3  # already reported in run 2
        assert data3["since_last"]["targets"][0]["previous_run"] == 2
        assert len(receiver.bodies) == 2
        assert {"rate-limit-gone", "health-status"} <= {r["kind"] for r in receiver.bodies[1]["regressions"]}

        outputs = first.output + second.output + third.output
        assert "notify: delivered to http://127.0.0.1:" in outputs
        assert "SECRET" not in outputs  # the webhook path is a secret: masked everywhere

        trend = runner.invoke(main, ["history", "--history", str(history), "--format", "json"])
        assert trend.exit_code == 0, trend.output
        (target,) = json.loads(trend.output)["targets"]
        assert target["target"] == url
        assert [r["run_id"] for r in target["runs"]] == [1, 2, 3]
        days = [r["days_to_expiry"] for r in target["runs"]]
        assert days[0] >= 88 and days[1] <= 5 and days[2] <= 5
        assert [len(r["regressions"]) > 0 for r in target["runs"]] == [False, True, True]
        table = runner.invoke(main, ["history", "--history", str(history), "--target", url])
        assert table.exit_code == 0 and "cert-expiry" in table.output and "rate-limit-gone" in table.output
        stored = history.read_bytes()
        assert b"SECRET" not in stored  # nor in the history's stored config
    assert ssl  # the context above is a real ssl.SSLContext
