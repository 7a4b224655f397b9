"""The CLI around the history: recorded observations scanned twice, failed webhooks, views, prune."""

from __future__ import annotations

import json
import re
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

from auditor.cli import main
from tests.history.webhook_server import webhook_server

OBS = {"schema_version": 1, "targets": [{"url": "https://site.test", "error": None, "tls": None, "http": {
    "page": {"url": "https://site.test", "status": 200, "final_url": "https://site.test",
             "headers": [["Strict-Transport-Security", "max-age=31536000"], ["X-Frame-Options", "DENY"]]},
    "health": [{"path": "/health", "url": "https://site.test/health", "status": 200, "latency_ms": 12.0}]}}]}


def _observations(tmp: Path, name: str, *, hsts: bool = True, down: bool = False) -> Path:
    data = json.loads(json.dumps(OBS))
    target = data["targets"][0]
    if down:
        data["targets"][0] = {"url": "https://site.test", "error": "connection refused"}
    elif not hsts:
        target["http"]["page"]["headers"] = [["X-Frame-Options", "DENY"]]
    path = tmp / name
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def _scan(tmp: Path, obs: Path, *extra: str) -> object:
    return CliRunner().invoke(main, ["scan", "--from-observations", str(obs), "--history", str(tmp / "h.sqlite"),
                                     "--format", "md", "--output", str(tmp / "r.md"), *extra])


def test_failed_webhook_keeps_report_and_history(tmp_path: Path) -> None:
    _scan(tmp_path, _observations(tmp_path, "a.json"))
    with webhook_server(fail_first=99, fail_status=500) as receiver:
        result = _scan(tmp_path, _observations(tmp_path, "b.json", hsts=False), "--notify", receiver.url,
                       "--fail-on-regression")
    out = result.output  # type: ignore[attr-defined]
    assert result.exit_code == 1, out  # type: ignore[attr-defined]
    assert "notify: delivery to http://127.0.0.1:" in out and "failed after 3 attempt(s)" in out
    assert "SECRET" not in out
    md = (tmp_path / "r.md").read_text(encoding="utf-8")
    assert "## Since the last scan" in md and "header strict-transport-security removed" in md
    conn = sqlite3.connect(tmp_path / "h.sqlite")
    assert conn.execute("SELECT count(*) FROM runs").fetchone()[0] == 2
    assert "SECRET" not in conn.execute("SELECT config FROM runs WHERE id = 2").fetchone()[0]


def test_unreachable_target_is_a_regression_and_gates(tmp_path: Path) -> None:
    _scan(tmp_path, _observations(tmp_path, "a.json"))
    result = _scan(tmp_path, _observations(tmp_path, "b.json", down=True), "--fail-on-regression", "critical")
    assert result.exit_code == 1  # type: ignore[attr-defined]
    assert "target unreachable" in result.output  # type: ignore[attr-defined]


def test_bad_history_exits_2_before_scanning(tmp_path: Path) -> None:
    bad = tmp_path / "h.sqlite"
    bad.write_text("garbage", encoding="utf-8")
    result = _scan(tmp_path, _observations(tmp_path, "a.json"))
    assert result.exit_code == 2 and "not an SQLite database" in result.output  # type: ignore[attr-defined]
    assert bad.read_text(encoding="utf-8") == "garbage"


def test_history_views_and_prune(tmp_path: Path) -> None:
    _scan(tmp_path, _observations(tmp_path, "a.json"))
    _scan(tmp_path, _observations(tmp_path, "b.json", hsts=False))
    runner = CliRunner()
    table = runner.invoke(main, ["history", "--history", str(tmp_path / "h.sqlite"), "--since", "30d"])
    assert table.exit_code == 0 and "https://site.test" in table.output and "header-removed" in table.output
    html = runner.invoke(main, ["history", "--history", str(tmp_path / "h.sqlite"), "--format", "html"])
    assert html.exit_code == 0 and html.output.count("<svg") == 3 and "<polyline" in html.output
    assert not re.search(r"<script|https?://(?!site\.test)[^\s\"'<]+\"", html.output.replace(
        "http://adaptivecards", ""))
    bad = runner.invoke(main, ["history", "--history", str(tmp_path / "h.sqlite"), "--since", "soon"])
    assert bad.exit_code == 2
    pruned = runner.invoke(main, ["history", "prune", "--history", str(tmp_path / "h.sqlite"), "--keep", "90d"])
    assert pruned.exit_code == 0 and pruned.output.startswith("pruned 0 run(s)")
    missing = runner.invoke(main, ["history", "--history", str(tmp_path / "nope.sqlite")])
    assert missing.exit_code == 2 and "no such file" in missing.output


@pytest.mark.parametrize("fmt", ["html", "json", "md"])
def test_since_last_section_in_report_formats(tmp_path: Path, fmt: str) -> None:
    _scan(tmp_path, _observations(tmp_path, "a.json"))
    result = CliRunner().invoke(main, [
        "scan", "--from-observations", str(_observations(tmp_path, "b.json", hsts=False)),
        "--history", str(tmp_path / "h.sqlite"), "--format", fmt, "--output", str(tmp_path / f"r.{fmt}")])
    text = (tmp_path / f"r.{fmt}").read_text(encoding="utf-8")
    assert "Since the last scan" in text or '"since_last"' in text, result.output
    assert "since the last scan: " in result.output  # the terminal summary


def test_postgres_history_from_the_cli_never_prints_the_password(tmp_path: Path) -> None:
    import os
    import uuid

    url = os.environ.get("PRODCHECK_TEST_PG_URL")
    if not url:
        pytest.skip("PRODCHECK_TEST_PG_URL is not set (run .ci/postgres.sh to start a local PostgreSQL)")
    from urllib.parse import urlsplit

    import psycopg

    password = urlsplit(url).password or ""
    schema = f"cli_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {schema}")
    location = f"{url}?options=-csearch_path%3D{schema}"
    try:
        runner = CliRunner()
        outputs = []
        for name, hsts in (("a.json", True), ("b.json", False)):
            result = runner.invoke(main, ["scan", "--from-observations", str(_observations(tmp_path, name, hsts=hsts)),
                                          "--history", location, "--format", "json", "--output", str(tmp_path / "r.json")])
            outputs.append(result.output)
        assert "history: recorded run 2 in postgresql://prodcheck:***@" in outputs[1]
        assert "header strict-transport-security removed" in (tmp_path / "r.json").read_text(encoding="utf-8")
        trend = runner.invoke(main, ["history", "--history", location])
        pruned = runner.invoke(main, ["history", "--history", location, "prune", "--keep", "1d"])
        assert trend.exit_code == 0 and pruned.exit_code == 0 and "pruned 0 run(s)" in pruned.output
        wrong = location.replace(f":{password}@", ":wrong-password@")
        bad = runner.invoke(main, ["history", "--history", wrong])
        assert bad.exit_code == 2 and "password authentication failed" in bad.output
        for text in [*outputs, trend.output, pruned.output, bad.output]:
            assert password not in text and "wrong-password" not in text
    finally:
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(f"DROP SCHEMA {schema} CASCADE")


def test_summary_markdown_carries_a_bounded_since_last(tmp_path: Path) -> None:
    _scan(tmp_path, _observations(tmp_path, "a.json"))
    result = _scan(tmp_path, _observations(tmp_path, "b.json", hsts=False), "--summary")
    text = (tmp_path / "r.md").read_text(encoding="utf-8")
    assert "**Since the last scan**: " in text and "strict-transport-security removed" in text, result


def test_history_command_reads_the_config_file(tmp_path: Path) -> None:
    _scan(tmp_path, _observations(tmp_path, "a.json"))
    config = tmp_path / "prodcheck.yaml"
    config.write_text(f"history: {tmp_path / 'h.sqlite'}\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["history", "--config", str(config), "--format", "json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["targets"][0]["target"] == "https://site.test"
    bad = tmp_path / "bad.yaml"
    bad.write_text("histroy: x\n", encoding="utf-8")
    typo = CliRunner().invoke(main, ["history", "--config", str(bad)])
    assert typo.exit_code == 2 and "did you mean 'history'" in typo.output
