"""The CLI contract: exit codes 0/1/2/3, reports written before exiting, lean --version."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.harness import FIXTURES
from tests.reports.helpers import validate_json_report

HEYDEV = FIXTURES / "repos" / "heydev"
HARDENED = FIXTURES / "repos" / "hardened"


def run(*args: str, cwd: Path | None = None, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    full_env = {k: v for k, v in os.environ.items() if not k.startswith(("PRODCHECK_", "GITHUB_"))}
    full_env.update(env or {})
    return subprocess.run([sys.executable, "-m", "auditor", *args], capture_output=True, text=True,
                          cwd=cwd, env=full_env, timeout=120, check=False)


def test_version_is_fast_and_lean() -> None:
    start = time.perf_counter()
    proc = run("--version")
    assert proc.returncode == 0 and "prodcheck" in proc.stdout
    # Import check rather than a timing assert: heavy modules must not load at startup.
    probe = subprocess.run(
        [sys.executable, "-c", "import sys, auditor.cli; "
         "print(','.join(m for m in ('httpx','sslyze','pip_audit','tree_sitter','ruamel','jinja2') if m in sys.modules))"],
        capture_output=True, text=True, check=True,
    )
    assert probe.stdout.strip() == ""
    assert time.perf_counter() - start < 5


def test_scan_writes_reports_and_exits_zero_without_gates(tmp_path: Path) -> None:
    proc = run("scan", str(HEYDEV), "--offline", "--format", "json", "--format", "md", "--output-dir", str(tmp_path))
    assert proc.returncode in (0, 3), proc.stderr
    data = validate_json_report((tmp_path / "prodcheck-report.json").read_text())
    assert data["tool"]["name"] == "prodcheck"
    assert (tmp_path / "prodcheck-report.md").read_text().startswith("#")
    assert "score" in proc.stderr and "Traceback" not in proc.stderr


def test_fail_on_gate_exits_one_and_still_writes_report(tmp_path: Path) -> None:
    out = tmp_path / "r.json"
    proc = run("scan", str(HEYDEV), "--offline", "--fail-on", "medium", "--format", "json", "--output", str(out))
    assert proc.returncode == 1, proc.stderr
    assert "gate failed" in proc.stderr
    assert validate_json_report(out.read_text())["findings"]


def test_min_score_gate(tmp_path: Path) -> None:
    assert run("scan", str(HEYDEV), "--offline", "--min-score", "100", "-q").returncode == 1


@pytest.mark.parametrize(
    "args",
    [
        ("scan", "/definitely/not/here"),
        ("scan", ".", "--fail-on", "severe"),
        ("scan", ".", "--output", "x.md", "--format", "md", "--format", "json"),
        ("checks", "explain", "NO-SUCH-CHECK"),
    ],
)
def test_usage_errors_exit_two(args: tuple[str, ...]) -> None:
    proc = run(*args)
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr


def test_bad_config_exits_two_naming_file_key_and_line(tmp_path: Path) -> None:
    (tmp_path / ".prodcheck.yaml").write_text("fail_on: high\nfial_on: low\n")
    proc = run("scan", str(tmp_path))
    assert proc.returncode == 2
    assert ".prodcheck.yaml:2: unknown key 'fial_on'" in proc.stderr


def test_unreachable_target_exits_three(tmp_path: Path) -> None:
    import socket

    with socket.socket() as sock:  # a port nothing listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    proc = run("scan", "--url", f"http://127.0.0.1:{port}/", "--no-burst", "--timeout", "2",
               "--format", "json", "--output", str(tmp_path / "r.json"))
    assert proc.returncode == 3, proc.stderr
    data = validate_json_report((tmp_path / "r.json").read_text())
    assert data["targets"][0]["error"]


def test_checks_list_and_explain() -> None:
    listed = run("checks", "list", "--format", "json")
    rows = json.loads(listed.stdout)
    assert {"id", "title", "severity", "section", "target"} <= set(rows[0])
    explained = run("checks", "explain", "parse-error")
    assert explained.returncode == 0
    assert "## How to fix" in explained.stdout


def test_no_color_and_non_tty_output_is_plain() -> None:
    proc = run("scan", str(HEYDEV), "--offline", env={"NO_COLOR": "1"})
    assert "\x1b[" not in proc.stderr
