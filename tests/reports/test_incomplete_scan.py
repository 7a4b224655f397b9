"""An unreachable target's report never reads as ready: what could not be checked comes first."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from tests.engine.test_cli import run


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.mark.network_local
def test_unreachable_target_report_says_what_could_not_be_checked_first(tmp_path: Path) -> None:
    url = f"https://127.0.0.1:{_closed_port()}"
    proc = run("scan", "--url", url, "--timeout", "1", "-f", "md,html", "--output-dir", str(tmp_path), "-q")
    assert proc.returncode == 3, proc.stderr
    md = (tmp_path / "prodcheck-report.md").read_text(encoding="utf-8")
    summary = md.split("## Executive Summary", 1)[1].split("**Score**", 1)[0].strip()
    assert summary.startswith("Readiness could not be judged:"), summary
    assert f"{url} could not be scanned" in summary
    for text in (md, (tmp_path / "prodcheck-report.html").read_text(encoding="utf-8")):
        assert "ready for production as far as" not in text
        assert "keep the checks green" not in text
    assert "first make the scan complete" in md
