"""Baselines: a Git-history scenario (commit, baseline, edit, scan) and the file format."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from auditor.baseline import SCHEMA_VERSION, BaselineError, apply_baseline, load_baseline
from auditor.engine import scan
from auditor.options import ScanOptions
from auditor.settings import resolve_settings
from tests.gating.helpers import ONLY_CONFIG, run_cli, write_repo

GIT_ENV = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.test", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@example.test", "GIT_CONFIG_NOSYSTEM": "1", "HOME": "/nonexistent"}


def git(root: Path, *args: str) -> None:
    subprocess.run(["git", "-c", "init.defaultBranch=main", "-c", "commit.gpgsign=false", *args], cwd=root,
                   check=True, capture_output=True, env={**os.environ, **GIT_ENV})


def _baseline_state(report_json: dict) -> dict[str, str | None]:
    return {f["message"]: f.get("baseline") for f in report_json["findings"]}


def test_git_history_scenario(tmp_path: Path) -> None:
    repo = write_repo(tmp_path / "repo", {
        ".prodcheck.yaml": ONLY_CONFIG,
        "Dockerfile": "FROM node:20-alpine\nRUN npm ci\nFOO bar\n",
    })
    git(repo, "init", "-q")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "service with a broken Dockerfile")

    created = run_cli("baseline", "create", str(repo))
    assert created.returncode == 0, created.stderr
    baseline_file = repo / ".prodcheck-baseline.json"
    data = json.loads(baseline_file.read_text())
    assert data["schema_version"] == SCHEMA_VERSION
    assert data["tool"]["name"] == "prodcheck" and data["tool"]["version"]
    assert data["created"]
    [entry] = data["entries"]
    assert entry["check_id"] == "PARSE-ERROR"
    assert entry["location"] == {"path": "Dockerfile", "url": None}
    assert entry["severity"] == "medium"
    assert "line" not in json.dumps(entry)  # fingerprints and entries are line-free
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "accept current findings")

    # Move code and add blank lines: the baselined finding stays "existing", the gate passes.
    (repo / "Dockerfile").write_text("# build\nFROM node:20-alpine\n\n\nRUN npm ci\n\n\nFOO bar\n")
    git(repo, "commit", "-qam", "reformat")
    report_path = tmp_path / "r1.json"
    proc = run_cli("scan", str(repo), "--baseline", str(baseline_file), "--fail-on", "low",
                   "--format", "json", "--output", str(report_path))
    assert proc.returncode == 0, proc.stderr
    assert _baseline_state(json.loads(report_path.read_text())) == {"Dockerfile: unknown instruction 'FOO'": "existing"}

    # A new problem fails the gate; the old one is still marked existing.
    (repo / "Dockerfile").write_text("FROM node:20-alpine\nRUN npm ci\nFOO bar\nBAR baz\n")
    git(repo, "commit", "-qam", "new problem")
    report_path = tmp_path / "r2.json"
    proc = run_cli("scan", str(repo), "--baseline", str(baseline_file), "--fail-on", "low",
                   "--format", "json", "--output", str(report_path))
    assert proc.returncode == 1, proc.stderr
    assert "1 new finding(s)" in proc.stderr
    assert _baseline_state(json.loads(report_path.read_text())) == {
        "Dockerfile: unknown instruction 'FOO'": "existing",
        "Dockerfile: unknown instruction 'BAR'": "new",
    }

    # Fix the old problem (and the new one): the baselined finding is reported as resolved.
    (repo / "Dockerfile").write_text("FROM node:20-alpine\nRUN npm ci\n")
    git(repo, "commit", "-qam", "fix")
    report, new = apply_baseline(scan(ScanOptions(path=repo, only_checks=frozenset({"PARSE-ERROR"}))),
                                 baseline_file)
    assert new == []
    state = report.extra["baseline"]
    assert state["existing"] == [] and state["new"] == []
    assert state["resolved"] == [{"check_id": "PARSE-ERROR", "path": "Dockerfile", "url": None,
                                  "message": "Dockerfile: unknown instruction 'FOO'"}]
    md = tmp_path / "r3.md"
    proc = run_cli("scan", str(repo), "--baseline", str(baseline_file), "--fail-on", "low",
                   "--format", "md", "--output", str(md))
    assert proc.returncode == 0, proc.stderr
    assert "unknown instruction 'FOO'" in md.read_text()  # listed as resolved


def test_duplicate_fingerprints_count_as_a_multiset(tmp_path: Path) -> None:
    repo = write_repo(tmp_path, {"Dockerfile": "FROM x\nFOO a\n"})
    options = ScanOptions(path=repo, only_checks=frozenset({"PARSE-ERROR"}))
    assert run_cli("baseline", "create", str(repo), "--output", str(tmp_path / "b.json"),
                   "--config", str(_only(tmp_path))).returncode == 0
    (repo / "Dockerfile").write_text("FROM x\nFOO a\nFOO b\n")  # same key twice: one is new
    report, new = apply_baseline(scan(options), tmp_path / "b.json")
    assert [f.location.line for f in new] == [3]
    assert len(report.extra["baseline"]["existing"]) == 1


def test_unverified_when_the_check_did_not_run(tmp_path: Path) -> None:
    repo = write_repo(tmp_path, {"Dockerfile": "FROM x\nFOO a\n"})
    assert run_cli("baseline", "create", str(repo), "--config", str(_only(tmp_path))).returncode == 0
    report = scan(ScanOptions(path=repo, only_checks=frozenset({"SUPPRESSION-NO-REASON"})))
    report, _ = apply_baseline(report, repo / ".prodcheck-baseline.json")
    assert report.extra["baseline"]["resolved"] == []
    assert [e["check_id"] for e in report.extra["baseline"]["unverified"]] == ["PARSE-ERROR"]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "not found"),
        ("{not json", "not valid JSON"),
        ('{"entries": {}}', "not a prodcheck baseline"),
        ('{"schema_version": 99, "entries": []}', "schema_version 99"),
        ('{"schema_version": 1, "entries": [{"check_id": "X"}]}', "entry 0 has no fingerprint"),
    ],
)
def test_bad_baseline_files_are_usage_errors(tmp_path: Path, content: str | None, message: str) -> None:
    path = tmp_path / "baseline.json"
    if content is not None:
        path.write_text(content)
    with pytest.raises(BaselineError, match=message):
        load_baseline(path)
    write_repo(tmp_path / "repo", {".prodcheck.yaml": ONLY_CONFIG, "Dockerfile": "FROM x\n"})
    proc = run_cli("scan", str(tmp_path / "repo"), "--baseline", str(path), "--quiet")
    assert proc.returncode == 2
    assert message in proc.stderr


def test_baseline_file_is_not_scanned(tmp_path: Path) -> None:
    """The baseline holds messages and hashes; checks must not judge it (e.g. as high-entropy secrets)."""
    repo = write_repo(tmp_path, {".prodcheck.yaml": ONLY_CONFIG, "Dockerfile": "FROM x\nFOO a\n"})
    assert run_cli("baseline", "create", str(repo)).returncode == 0
    settings = resolve_settings(root=repo, config_path=None, cli={}, environ={})
    report = scan(settings.scan_options(path=repo, urls=()))
    assert "Dockerfile" in report.scanned_files
    assert ".prodcheck-baseline.json" not in report.scanned_files


def _only(tmp_path: Path) -> Path:
    config = tmp_path / "only.yaml"
    config.write_text(ONLY_CONFIG)
    return config
