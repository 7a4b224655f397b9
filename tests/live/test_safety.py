"""Live scans safe to point at production: bounded, on the host pointed at, honest about failures.

Every test runs real servers on 127.0.0.1 (tests/live/safety_servers.py) and
drives the real CLI or probe. Time bounds are generous (5-10x what a quiet
machine needs): they catch a hang, not a slowdown.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from auditor.cli import main
from auditor.live.session import observe_url
from tests.live.safety_servers import drip_headers, hang, respond, serve

pytestmark = pytest.mark.network_local


def _scan(tmp_path: Path, *args: str) -> tuple[Result, dict[str, Any], float]:
    out = tmp_path / "report.json"
    started = time.monotonic()
    result = CliRunner().invoke(main, ["scan", *args, "-q", "-f", "json", "-o", str(out)])
    took = time.monotonic() - started
    report = json.loads(out.read_text()) if out.exists() else {}
    return result, report, took


def _results(report: dict[str, Any], prefix: str = "") -> list[dict[str, Any]]:
    return [r for r in report.get("results", []) if r["check_id"].startswith(prefix)]


PAGE = b"<!doctype html><html><head><title>t</title></head><body>hi</body></html>"


# ---------------------------------------------------------------------------- 1. bounded in time


def test_slow_headers_on_the_page_do_not_hang_the_scan(tmp_path: Path) -> None:
    with serve(lambda conn, _m, _p, stopped: drip_headers(conn, stopped)) as server:
        result, report, took = _scan(tmp_path, "--url", f"{server.origin}/", "--timeout", "1", "--no-burst")
    assert took < 20, f"scan took {took:.1f}s against a header-dripping server"
    assert result.exit_code == 3, result.output
    [target] = [t for t in report["targets"] if t["kind"] == "url"]
    assert target["error"] and "timed out after 1s" in target["error"]


def _page_then(slow_path: str, behaviour: Any) -> Any:
    def handle(conn: Any, method: str, path: str, stopped: Any) -> None:
        if path == slow_path:
            behaviour(conn, stopped)
        elif path == "/":
            respond(conn, body=PAGE, content_type="text/html; charset=utf-8")
        else:
            respond(conn, 404, body=b"not found\n")

    return handle


def test_slow_headers_on_health_do_not_hang_the_scan(tmp_path: Path) -> None:
    with serve(_page_then("/health", drip_headers)) as server:
        result, report, took = _scan(tmp_path, "--url", f"{server.origin}/", "--timeout", "1", "--no-burst")
    assert took < 30, f"scan took {took:.1f}s with a header-dripping /health"
    health = {r["check_id"]: r for r in _results(report, "HEALTH-")}
    assert health["HEALTH-ENDPOINT"]["status"] == "error"
    assert "health endpoint request(s) failed" in health["HEALTH-ENDPOINT"]["reason"]
    assert "timed out after 1s" in health["HEALTH-ENDPOINT"]["reason"]
    assert result.exit_code == 3, result.output


def test_target_time_limit_reports_what_was_seen_and_errors_the_rest(tmp_path: Path) -> None:
    def handle(conn: Any, method: str, path: str, stopped: Any) -> None:
        if path == "/":
            respond(conn, headers=(("X-Content-Type-Options", "nosniff"),), body=PAGE,
                    content_type="text/html; charset=utf-8")
        else:
            hang(stopped)

    with serve(handle) as server:
        result, report, took = _scan(tmp_path, "--url", f"{server.origin}/", "--timeout", "2",
                                     "--target-timeout", "3")
    assert took < 30, f"scan took {took:.1f}s with a 3 s target limit"
    by_id = {r["check_id"]: r for r in _results(report)}
    assert by_id["HDR-X-CONTENT-TYPE-OPTIONS"]["status"] == "pass"  # observed before the limit: judged
    assert by_id["METRICS-PUBLIC"]["status"] == "error"
    assert "time limit (3s) was reached" in by_id["METRICS-PUBLIC"]["reason"]
    assert by_id["RATE-LIMIT-ABSENT"]["status"] == "error"
    assert result.exit_code == 3


def test_target_timeout_in_config(tmp_path: Path) -> None:
    config = tmp_path / "conf.yaml"
    config.write_text("live:\n  target_timeout: 2\n")

    def handle(conn: Any, method: str, path: str, stopped: Any) -> None:
        if path == "/":
            respond(conn, body=PAGE, content_type="text/html")
        else:
            hang(stopped)

    with serve(handle) as server:
        _, report, took = _scan(tmp_path, "--config", str(config), "--url", f"{server.origin}/",
                                "--timeout", "1.5", "--no-burst")
    assert took < 30
    by_id = {r["check_id"]: r for r in _results(report)}
    assert "time limit (2s) was reached" in by_id["METRICS-PUBLIC"]["reason"]


# ---------------------------------------------------------------------------- 4. failures are errors


def test_sub_requests_that_all_time_out_are_errors_and_the_scan_is_incomplete(tmp_path: Path) -> None:
    scripts = b"".join(b'<script src="/static/app%d.js"></script>' % i for i in range(12))
    page = b"<!doctype html><html><head>" + scripts + b"</head><body>x</body></html>"

    def handle(conn: Any, method: str, path: str, stopped: Any) -> None:
        if path == "/" and method == "GET":
            respond(conn, body=page, content_type="text/html; charset=utf-8")
        else:
            hang(stopped)

    with serve(handle) as server:
        result, report, took = _scan(tmp_path, "--url", f"{server.origin}/", "--timeout", "0.3", "--no-burst")
    assert took < 60
    assert result.exit_code == 3, result.output
    by_id = {r["check_id"]: r for r in _results(report)}
    for check_id in ("ASSET-CACHE-CONTROL", "ASSET-COMPRESSION", "ASSET-SOURCE-MAPS", "ASSET-NO-CDN"):
        assert by_id[check_id]["status"] == "error", by_id[check_id]
        assert "10 static asset request(s) failed" in by_id[check_id]["reason"]
        assert "timed out" in by_id[check_id]["reason"]
    for check_id in ("HEALTH-ENDPOINT", "METRICS-PUBLIC", "ERROR-PAGE-LEAK", "CORS-ECHO-ANY-ORIGIN-CREDENTIALS"):
        assert by_id[check_id]["status"] == "error", by_id[check_id]
    assert not any("no static assets found" in (r.get("reason") or "") for r in by_id.values())
    assert report["grade"] != "A" and "complete" in report and report["complete"] is False


# ---------------------------------------------------------------------------- 2. stays on its host


def test_redirect_to_another_port_is_recorded_not_probed(tmp_path: Path) -> None:
    with serve(lambda conn, _m, _p, _s: respond(conn, body=PAGE, content_type="text/html")) as other:
        def redirect(conn: Any, method: str, path: str, stopped: Any) -> None:
            respond(conn, 302, headers=(("Location", f"{other.origin}/landing"),), body=b"")

        with serve(redirect) as scanned:
            saved = tmp_path / "obs.json"
            result = CliRunner().invoke(main, ["scan", "--url", f"{scanned.origin}/", "--timeout", "2", "-q",
                                               "--save-observations", str(saved), "-f", "md", "-f", "json",
                                               "--output-dir", str(tmp_path / "out")])
            assert result.exit_code in (0, 1, 3), result.output
            report = json.loads((tmp_path / "out" / "prodcheck-report.json").read_text())
            seen_at_other = other.paths()
            seen_at_scanned = scanned.paths()
    assert seen_at_other == ["/landing"], f"the other origin received {seen_at_other}"
    assert len(seen_at_scanned) > 10  # the probe set and the burst went to the scanned origin
    page = json.loads(saved.read_text())["targets"][0]["http"]["page"]
    assert [h["off_origin"] for h in page["hops"]] == [False, True]
    assert page["hops"][0]["location"] == f"{other.origin}/landing"
    assert page["off_origin_url"] == f"{other.origin}/landing"
    notes = " ".join(report["notes"])
    assert f"redirects to another origin ({other.origin}/landing)" in notes
    markdown = (tmp_path / "out" / "prodcheck-report.md").read_text()
    assert f"{other.origin}/landing" in markdown


def test_a_second_off_origin_redirect_is_not_followed() -> None:
    with serve(lambda conn, _m, _p, _s: respond(conn, body=PAGE)) as third:
        with serve(lambda conn, _m, _p, _s: respond(
                conn, 301, headers=(("Location", f"{third.origin}/"),), body=b"")) as second:
            with serve(lambda conn, _m, _p, _s: respond(
                    conn, 302, headers=(("Location", f"{second.origin}/"),), body=b"")) as first:
                target = observe_url(f"{first.origin}/", {"timeout": 2, "burst_size": 3})
                at_second, at_third = second.paths(), third.paths()
    assert at_third == []
    assert at_second == ["/"]
    assert target.http is not None and target.http.page.not_followed == f"{third.origin}/"


def test_the_http_twin_never_leaves_the_origin() -> None:
    from auditor.live.http_fetch import FetchConfig, Fetcher
    from auditor.live.http_probe import follow

    with serve(lambda conn, _m, _p, _s: respond(conn, body=PAGE)) as other:
        with serve(lambda conn, _m, _p, _s: respond(
                conn, 301, headers=(("Location", f"https://{other.host}:{other.port}/"),), body=b"")) as scanned:
            with Fetcher(FetchConfig(timeout=2)) as fetcher:
                leg, _ = follow(fetcher, f"{scanned.origin}/", f"https://{scanned.host}:{scanned.port}/",
                                leave_origin=False)
            at_other = other.paths()
    assert at_other == []
    assert leg.not_followed == f"https://{other.host}:{other.port}/"
    assert [h.url for h in leg.hops] == [f"{scanned.origin}/"]


# ---------------------------------------------------------------------------- 3. a repository cannot point it


def _counting() -> Any:
    return serve(lambda conn, _m, _p, _s: respond(conn, body=b'{"status":"ok"}', content_type="application/json"))


@pytest.mark.parametrize("offline", [True, False])
@pytest.mark.parametrize("where", [".prodcheck.yaml", "pyproject.toml"])
def test_targets_in_the_scanned_tree_are_ignored(tmp_path: Path, offline: bool, where: str) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()
    with _counting() as server:
        if where == ".prodcheck.yaml":
            (repo / where).write_text(f"targets:\n  - url: {server.origin}/\n    health_paths: [/a, /b]\n"
                                      f"live:\n  resolve: ['example.test:80:{server.host}']\n")
        else:
            (repo / where).write_text(f'[tool.prodcheck]\ntargets = [{{url = "{server.origin}/"}}]\n')
        args = [str(repo), *(["--offline"] if offline else [])]
        result = CliRunner().invoke(main, ["scan", *args, "-f", "json", "-o", str(tmp_path / "r.json")])
        received = server.paths()
    assert received == [], f"a host named only in the scanned repository received {received}"
    assert "'targets'" in result.stderr and "ignored" in result.stderr
    report = json.loads((tmp_path / "r.json").read_text())
    assert any("cannot name live targets" in n for n in report["notes"])
    assert [t["kind"] for t in report["targets"]] == ["repo"]


def test_a_config_passed_with_config_may_name_targets_and_paths_are_capped(tmp_path: Path) -> None:
    paths = [f"/x{i}" for i in range(50)]
    repo = tmp_path / "repo"
    repo.mkdir()
    with _counting() as server:
        config = tmp_path / "mine.yaml"
        config.write_text(f"targets:\n  - url: {server.origin}/\n    health_paths: [{', '.join(paths)}]\n"
                          f"    assets: [{', '.join(f'/a{i}.js' for i in range(50))}]\n")
        result = CliRunner().invoke(main, ["scan", str(repo), "--config", str(config), "--no-burst", "--timeout", "2",
                                           "-q",
                                           "-f", "json", "-o", str(tmp_path / "r.json")])
        received = server.paths()
    assert result.exit_code in (0, 1, 3), result.output
    health = [p for p in received if p.startswith("/x")]
    assets = [p for p in received if p.startswith("/a") and p.endswith(".js")]
    assert 0 < len(health) <= 20 - 8  # built-in health paths count towards the cap of 20
    assert 0 < len(assets) <= 20
    notes = " ".join(json.loads((tmp_path / "r.json").read_text())["notes"])
    assert "only the first 20 probed" in notes


# ---------------------------------------------------------------------------- 7. usage errors


@pytest.mark.parametrize(("args", "expected"), [
    (["--url", "localhost:8443"], "did you mean https://localhost:8443?"),
    (["--url", "ftp://example.test/"], "only http and https"),
    (["--url", "https://"], "no valid host name"),
    (["--url", "https://exa mple.test/"], "spaces or control characters"),
    (["--url", "https://example.test:99999/"], "99999"),
    (["--url", "https://localhost:8443", "--resolve", "localhost:8443"], "expected HOST:PORT:IP"),
    (["--url", "https://localhost:8443", "--resolve", "localhost:x:127.0.0.1"], "not a number"),
    (["--url", "https://localhost:8443", "--resolve", "localhost:8443:not-an-ip"], "not an IP address"),
])
def test_bad_url_or_resolve_is_a_usage_error(args: list[str], expected: str) -> None:
    result = CliRunner().invoke(main, ["scan", *args])
    assert result.exit_code == 2, result.output
    assert expected in result.output
    assert "Traceback" not in result.output


# ---------------------------------------------------------------------------- 8. cookies


def test_many_set_cookie_headers_are_fast_and_never_replayed(tmp_path: Path) -> None:
    cookies = tuple(("Set-Cookie", f"c{i}=1") for i in range(5000))

    def handle(conn: Any, method: str, path: str, stopped: Any) -> None:
        respond(conn, headers=cookies if path == "/" else (("Set-Cookie", "sid=abc; Path=/"),), body=PAGE,
                content_type="text/html")

    with serve(handle) as server:
        started = time.monotonic()
        target = observe_url(f"{server.origin}/", {"timeout": 5, "burst_size": 5})
        took = time.monotonic() - started
        with server.lock:
            sent_cookies = [(p, h["cookie"]) for _, p, h in server.requests if "cookie" in h]
            count = len(server.requests)
    assert target.http is not None and len(target.http.page.cookies) == 50
    assert target.http.page.cookies_total == 5000
    assert any("set 5000 cookies" in note for note in target.notes)
    assert took < 10, f"probe took {took:.1f}s with 5,000 Set-Cookie headers"
    assert count > 10
    assert sent_cookies == [], f"server cookies were replayed: {sent_cookies[:3]}"


def test_parse_cookie_is_linear() -> None:
    from auditor.live.http_probe import parse_cookie

    def cost(n: int) -> float:
        started = time.perf_counter()
        for i in range(n):
            parse_cookie(f"c{i}=v; Path=/; Secure; HttpOnly; SameSite=Lax")
        return time.perf_counter() - started

    small, large = cost(5_000), cost(50_000)
    assert large < 40 * max(small, 1e-4)  # linear (10x) with wide headroom; quadratic would be ~100x
    assert small < 2.0
