"""Bad input end to end: a clear finding or skip with a reason, never a traceback, no lost results."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.engine.test_parsing import billion_laughs
from tests.reports.helpers import validate_json_report


def hostile_repo(root: Path) -> Path:
    repo = root / "repo"
    repo.mkdir()
    (repo / "Dockerfile").write_text("FROM node:20\nRUN npm ci\nTHIS IS NOT DOCKER\nCOPY <<EOF /x\n")
    (repo / "api.Dockerfile").write_bytes(b"FROM alpine\x00\xff\xfe binary")
    (repo / "docker-compose.yml").write_text(billion_laughs())
    (repo / "compose.yaml").write_text("services:\n  web:\n" + "    " * 1 + "x: " + "[" * 3000 + "]" * 3000 + "\n")
    (repo / "docker-compose.prod.yml").write_text("services: {web: [}\n")
    (repo / "docker-compose.dev.yml").write_bytes(b"\xff\xfe\xfa not utf8: [\n")
    (repo / ".env.example").write_text("GOOD=1\nthis line is junk\n")
    (repo / "huge.Dockerfile").write_text("FROM x\n" + "RUN echo hi\n" * 400_000)
    (repo / "loop").symlink_to(repo / "loop")
    outside = root / "outside"
    outside.mkdir()
    (outside / "Dockerfile").write_text("FROM evil\n")
    (repo / "linked").symlink_to(outside)
    (repo / "escape.Dockerfile").symlink_to(outside / "Dockerfile")
    os.mkfifo(repo / "compose.override.yaml")
    (repo / "ok").mkdir()
    (repo / "ok" / "Dockerfile").write_text("FROM python:3.12-slim\nUSER app\nCMD [\"python\", \"-m\", \"app\"]\n")
    return repo


def test_hostile_repository_scans_to_completion(tmp_path: Path) -> None:
    repo = hostile_repo(tmp_path)
    out = tmp_path / "report.json"
    proc = subprocess.run(
        [sys.executable, "-m", "auditor", "scan", str(repo), "--offline", "--format", "json", "--output", str(out)],
        capture_output=True, text=True, timeout=120, check=False,
    )
    assert "Traceback" not in proc.stderr, proc.stderr
    assert proc.returncode in (0, 1, 3), proc.stderr
    report = validate_json_report(out.read_text())
    parse = {(f["location"]["path"], f["message"]) for f in report["findings"] if f["check_id"] == "PARSE-ERROR"}
    paths = {p for p, _ in parse}
    assert {"Dockerfile", "docker-compose.yml", "compose.yaml", "docker-compose.prod.yml", ".env.example"} <= paths
    assert any("alias bomb" in m for _, m in parse)
    assert any("nesting deeper" in m for _, m in parse)
    skipped = {s["path"]: s["reason"] for s in report["skipped_files"]}
    assert skipped["api.Dockerfile"] == "binary file"
    assert skipped["loop"] == "broken or looping symlink"
    assert skipped["escape.Dockerfile"] == "symlink points outside the scanned tree"
    assert skipped["linked"] == "symlinked directory not followed"
    assert skipped["huge.Dockerfile"].startswith("larger than the")
    # The rest of the scan went on: the healthy Dockerfile was judged by other checks.
    judged = {f["location"]["path"] for f in report["findings"]}
    assert "ok/Dockerfile" in judged or any(r["status"] == "pass" for r in report["results"])
    assert not [r for r in report["results"] if r["status"] == "error"], "no check may crash on hostile input"
