"""No secret from a response reaches any output: planted values grepped across every format.

A server on 127.0.0.1 plants distinct secrets in headers (Server, CSP, HSTS,
Set-Cookie, an API-key header), in health, error-page and metrics bodies and in
script URLs. The scan writes md, json, sarif, html and github output, the
terminal summary on stderr and ``--save-observations``; none may contain any
value or any 8-character piece of one.
"""

from __future__ import annotations

import io
import json
import logging
import warnings
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from auditor.cli import main
from auditor.live.redaction import redact_text, redact_url, redacted_stderr
from tests.live.safety_servers import respond, serve

pytestmark = pytest.mark.network_local

SECRETS = {
    "aws": "AKIAQ7ZL3M9XW2RT5KVB",
    "stripe": "sk_live_51HtQm8Kz2XvB7nR4pW9sYd3F",
    "github": "ghp_Z8kQ2mX9vB4nR7tY1wE5uI3oP6aS0dF2gH4j",
    "github2": "ghp_Lw3Ne7Rb1Tc5Yd9Uf2Ig6Oh0Pj4Ak8Sl6Dm2Z",
    "jwt": "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1c2VyLTQyIiwicm9sZSI6ImFkbWluIn0.Qk7mZ2xV9pL4sR8tW1yB6nC3hJ5dF0gA",
    "url_password": "Vq8Lm2Rt6Zx4Nc9",
    "entropy": "Xr7Kp2Qm9Wz4Lt6Vn8Bc3Hd5Jf1Gs0Ya",
    "entropy2": "Tb6Hy1Ju4Ki9Lo3Mn7Bv2Cx5Za8Qw0Er",
    "cookie": "sess9fK2mQ7xZ4vL8pR3tW6yB1nC5hJ0dG",
    "db_password": "hunter2-Correct-Horse-77",
    "nonce": "rT5yU8iO2pA6sD9fG3hJ7kL1",
    "api_key_header": "k3y-Wq9Er4Ty7Ui2Op5As8Df1Gh6",
}
S = SECRETS

PAGE = (
    "<!doctype html><html><head>"
    f'<script src="/static/app.js?token={S["entropy2"]}"></script>'
    f'<script src="https://cdn.example.test/{S["github2"]}/lib.js"></script>'
    f'<link rel="stylesheet" href="/static/site.css?sig={S["entropy2"]}">'
    "</head><body>hello</body></html>"
).encode()
HEADERS = (
    ("Server", f"nginx/1.25.3 ({S['aws']})"),
    ("Content-Security-Policy", f"default-src 'self'; script-src 'self' 'nonce-{S['nonce']}' "
                                f"https://x.example.test/{S['github']}; report-uri /csp?key={S['stripe']}"),
    ("Strict-Transport-Security", f"max-age=31536000; includeSubDomains; token={S['github']}"),
    ("Set-Cookie", f"sid={S['cookie']}; Path=/; HttpOnly"),
    ("X-Api-Key", S["api_key_header"]),
    ("X-Debug", f"upstream=postgres://app:{S['url_password']}@db.internal:5432/app"),
)
HEALTH = json.dumps({"status": "ok", "checks": {"db": {
    "status": "up", "dsn": f"postgres://app:{S['url_password']}@db.internal/app", "db_password": S["db_password"],
    "version": "16.1", "token": S["entropy"]}}}).encode()
ERROR_PAGE = (f"Traceback (most recent call last):\n  File \"/app/main.py\", line 3\nKeyError: '{S['jwt']}'\n"
              f"AWS_SECRET_ACCESS_KEY={S['entropy']}\n").encode()
METRICS = (f'# TYPE app_info gauge\napp_info{{token="{S["entropy"]}",key="{S["stripe"]}"}} 1\n'
           "http_requests_total 5\nup 1\nprocess_cpu_seconds_total 3.2\n").encode()


def _handle(conn: Any, method: str, path: str, stopped: Any) -> None:
    route = path.split("?", 1)[0]
    if route == "/":
        respond(conn, headers=HEADERS, body=PAGE, content_type="text/html; charset=utf-8")
    elif route in ("/health", "/healthz"):
        respond(conn, headers=HEADERS, body=HEALTH, content_type="application/json")
    elif route == "/metrics":
        respond(conn, body=METRICS, content_type="text/plain; version=0.0.4")
    elif route.startswith("/static/"):
        respond(conn, headers=(("Cache-Control", f"max-age=60, token={S['github']}"),
                               ("SourceMap", f"/maps/app.js.map?token={S['entropy']}")),
                body=b"console.log(1)\n" * 200, content_type="application/javascript")
    else:
        respond(conn, 500, headers=HEADERS, body=ERROR_PAGE)


def _pieces(value: str) -> set[str]:
    return {value[i:i + 8] for i in range(len(value) - 7)}


def _leaks(text: str) -> list[str]:
    found = []
    for name, value in SECRETS.items():
        hits = sorted(p for p in _pieces(value) if p in text)
        if hits:
            found.append(f"{name}: {hits[:3]}")
    return found


def test_planted_secrets_reach_no_output(tmp_path: Path) -> None:
    out = tmp_path / "out"
    saved = tmp_path / "observations.json"
    with serve(_handle) as server:
        result = CliRunner().invoke(main, [
            "scan", "--url", f"{server.origin}/", "--timeout", "3", "--no-burst",
            "-f", "md", "-f", "json", "-f", "sarif", "-f", "html", "-f", "github",
            "--output-dir", str(out), "--save-observations", str(saved)])
    assert result.exit_code in (0, 1, 3), result.output
    outputs = {f.name: f.read_text(encoding="utf-8") for f in out.iterdir()}
    outputs["stdout (github)"] = result.stdout
    outputs["stderr (terminal)"] = result.stderr
    outputs["observations"] = saved.read_text(encoding="utf-8")
    assert len(outputs) == 7, sorted(outputs)
    leaks = {name: _leaks(text) for name, text in outputs.items()}
    assert not any(leaks.values()), leaks
    # The probe did see those responses (the test would pass trivially otherwise).
    obs = json.loads(outputs["observations"])["targets"][0]["http"]
    assert obs["page"]["status"] == 200 and obs["metrics"]["status"] == 200
    assert any(a["status"] == 200 for a in obs["assets"])
    assert "'nonce-" in dict(obs["page"]["headers"])["Content-Security-Policy"]  # grading still sees a nonce
    assert "max-age=31536000" in dict(obs["page"]["headers"])["Strict-Transport-Security"]
    assert "nginx/1.25.3" in dict(obs["page"]["headers"])["Server"]
    health = json.loads(next(h for h in obs["health"] if h["path"] == "/health")["body"])
    assert health["checks"]["db"]["status"] == "up"  # bodies stay valid JSON


def test_redaction_keeps_what_checks_read() -> None:
    assert redact_url("/assets/index-BdH3x9Ka.js") == "/assets/index-BdH3x9Ka.js"
    assert redact_url("/static/app.3f9a1c2b.js?v=2") == "/static/app.3f9a1c2b.js?v=2"
    assert redact_text("strict-origin-when-cross-origin") == "strict-origin-when-cross-origin"
    assert redact_text("max-age=63072000; includeSubDomains; preload") == "max-age=63072000; includeSubDomains; preload"
    assert "sha256-" in redact_text("script-src 'sha256-Qk7mZ2xV9pL4sR8tW1yB6nC3hJ5dF0gAbc='")
    assert redact_url(f"https://u:{S['url_password']}@h/") == "https://u:********@h/"


def test_library_warnings_and_logs_are_redacted(capsys: pytest.CaptureFixture[str]) -> None:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    logger = logging.getLogger("prodcheck-test-library")
    logger.addHandler(handler)
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        with redacted_stderr():
            warnings.warn(f"bad header value {S['github']}", UserWarning, stacklevel=1)
            logging.getLogger("prodcheck-test-library.child").warning("token %s in response", S["stripe"])
    finally:
        logger.removeHandler(handler)
        root.removeHandler(handler)
    captured = capsys.readouterr()
    assert "bad header value" in captured.err
    assert "token" in stream.getvalue()
    assert not _leaks(captured.err + captured.out + stream.getvalue())


def test_recorded_observations_are_redacted_before_judging(tmp_path: Path) -> None:
    """An observations file written by an older prodcheck (or by hand) is redacted like a live probe."""
    recorded = tmp_path / "old.json"
    recorded.write_text(json.dumps({"schema_version": 1, "targets": [{
        "url": "https://app.test/", "notes": [f"seen token {S['github']}"],
        "http": {"page": {"url": "https://app.test/", "status": 200, "final_url": "https://app.test/",
                          "headers": [[k, v] for k, v in HEADERS], "hops": []},
                 "missing": {"path": "/x", "url": "https://app.test/x", "status": 500,
                             "body": ERROR_PAGE.decode()},
                 "metrics": {"path": "/metrics", "url": "https://app.test/metrics", "status": 200,
                             "content_type": "text/plain; version=0.0.4", "body": METRICS.decode()}}}]}))
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["scan", "--from-observations", str(recorded), "-f", "md", "-f", "json",
                                       "-f", "sarif", "-f", "html", "--output-dir", str(out)])
    assert result.exit_code in (0, 1, 3), result.output
    texts = {f.name: f.read_text(encoding="utf-8") for f in out.iterdir()}
    assert len(texts) == 4
    texts["stderr"] = result.stderr
    leaks = {name: _leaks(text) for name, text in texts.items()}
    assert not any(leaks.values()), leaks
    assert "nginx/1.25.3" in texts["prodcheck-report.md"]  # the version finding is still made
