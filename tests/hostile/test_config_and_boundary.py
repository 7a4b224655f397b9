"""Config type errors are configuration errors (file, key, line; exit 2); nothing outside the tree is read."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from auditor.discovery import MAX_IGNORE_FILE_BYTES
from auditor.project import Project
from auditor.settings import MAX_CONFIG_BYTES, SettingsError, resolve_settings
from tests.hostile.helpers import assert_no_traceback, run_cli, scan

BAD_YAML_CONFIGS = {
    "inf": ("max_file_kb: .inf\n", "max_file_kb", 1),
    "nan-score": ("fail_on: high\nmin_score: .nan\n", "min_score", 2),
    "huge-kb": ("max_file_kb: 1e30\n", "max_file_kb", 1),
    "live-timeout-list": ("live:\n  timeout: [1]\n", "live.timeout", 2),
    "live-burst-string": ("live:\n  no_burst: true\n  burst_size: lots\n", "live.burst_size", 3),
    "live-assets-map": ("live:\n  assets: {a: 1}\n", "live.assets", 2),
    "live-no-burst-word": ("live:\n  no_burst: maybe\n", "live.no_burst", 2),
    "target-timeout": ("targets:\n  - url: https://example.com\n    timeout: .inf\n", "targets[0].timeout", 3),
    "target-url-type": ("targets:\n  - url: [1, 2]\n", "targets[0].url", 2),
}


@pytest.mark.parametrize("name", sorted(BAD_YAML_CONFIGS))
def test_bad_config_values_name_file_key_and_line(tmp_path: Path, name: str) -> None:
    text, key, line = BAD_YAML_CONFIGS[name]
    (tmp_path / ".prodcheck.yaml").write_text(text)
    with pytest.raises(SettingsError) as caught:
        resolve_settings(root=tmp_path, config_path=None, cli={}, environ={})
    message = str(caught.value)
    assert f".prodcheck.yaml:{line}:" in message and key in message, message


@pytest.mark.parametrize(("text", "line", "key"), [
    ("# config\ntool = 5\n[project]\nname = 'x'\n", 2, "'tool'"),
    ("[tool]\nprodcheck = 5\n", 2, "'tool.prodcheck'"),
    ("[tool.prodcheck]\nmax_file_kb = inf\n", 2, "max_file_kb"),
    ("[tool.prodcheck]\nlive = 'fast'\n", 2, "live"),
])
def test_pyproject_type_errors_exit_2(tmp_path: Path, text: str, line: int, key: str) -> None:
    (tmp_path / "pyproject.toml").write_text(text)
    proc = run_cli("scan", tmp_path, "-q", "--offline")
    assert_no_traceback(proc)
    assert proc.returncode == 2
    stderr = proc.stderr.decode()
    assert f"pyproject.toml:{line}:" in stderr and key in stderr, stderr


def test_broken_pyproject_without_prodcheck_table_is_a_finding(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[project\nname = 'x'\n")
    (tmp_path / "Dockerfile").write_text("FROM python:3.12-slim\nUSER app\n")
    assert resolve_settings(root=tmp_path, config_path=None, cli={}, environ={}).source is None
    report = scan(tmp_path)
    [result] = [r for r in report.results if r.meta.id == "PARSE-ERROR"]
    assert [(f.location.path, f.location.line) for f in result.findings] == [("pyproject.toml", 1)]
    assert any(r.meta.id == "DOCKER-ROOT-USER" for r in report.results)  # the scan went on


def test_broken_pyproject_with_prodcheck_table_is_a_config_error(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[tool.prodcheck]\nfail_on = \n")
    with pytest.raises(SettingsError, match="invalid TOML"):
        resolve_settings(root=tmp_path, config_path=None, cli={}, environ={})


SECRET_LINE = "super-secret-outside-line-8f3k2"


@pytest.mark.parametrize("name", [".prodcheck.yaml", "pyproject.toml"])
def test_config_symlink_out_of_tree_is_refused_without_echo(tmp_path: Path, name: str) -> None:
    outside = tmp_path / "outside.txt"
    outside.write_text(f"{SECRET_LINE}: [\n[tool.prodcheck\n")
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / name).symlink_to(outside)
    proc = run_cli("scan", repo, "-q", "--offline")
    assert_no_traceback(proc)
    assert proc.returncode == 2
    assert b"refused" in proc.stderr
    assert SECRET_LINE[:12].encode() not in proc.stderr + proc.stdout


def test_config_size_cap(tmp_path: Path) -> None:
    (tmp_path / ".prodcheck.yaml").write_text("# pad\n" * (MAX_CONFIG_BYTES // 6 + 10))
    with pytest.raises(SettingsError, match="limit for a config file"):
        resolve_settings(root=tmp_path, config_path=None, cli={}, environ={})


def test_repo_config_ca_bundle_must_stay_in_the_tree(tmp_path: Path) -> None:
    outside = tmp_path / "ca.pem"
    outside.write_text("-----BEGIN CERTIFICATE-----\n")
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / ".prodcheck.yaml").write_text(f"live:\n  ca_bundle: {outside}\n")
    with pytest.raises(SettingsError, match="outside the scanned tree"):
        resolve_settings(root=repo, config_path=None, cli={}, environ={})
    (repo / "certs").mkdir()
    (repo / "certs" / "ca.pem").write_text("-----BEGIN CERTIFICATE-----\n")
    (repo / ".prodcheck.yaml").write_text("live:\n  ca_bundle: certs/ca.pem\n")
    settings = resolve_settings(root=repo, config_path=None, cli={}, environ={})
    assert settings.live["ca_bundle"] == str((repo / "certs" / "ca.pem").resolve())
    # A config the user names on the command line may point anywhere.
    explicit = tmp_path / "mine.yaml"
    explicit.write_text(f"live:\n  ca_bundle: {outside}\n")
    assert resolve_settings(root=repo, config_path=explicit, cli={}, environ={}).live["ca_bundle"] == str(outside)


def test_read_text_refuses_paths_outside_the_root(tmp_path: Path) -> None:
    (tmp_path / "secret.txt").write_text("outside")
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "link.txt").symlink_to(tmp_path / "secret.txt")
    os.mkfifo(repo / "pipe")
    project = Project(repo)
    assert project.read_text("../secret.txt") is None
    assert project.read_text("link.txt") is None
    assert project.read_text("pipe") is None  # a FIFO would block forever
    reasons = {s.path: s.reason for s in project.read_skips}
    assert reasons["link.txt"] == "symlink points outside the scanned tree"
    assert reasons["pipe"] == "not a regular file"


def test_gitignore_out_of_tree_or_oversized_is_not_applied(tmp_path: Path) -> None:
    outside = tmp_path / "rules"
    outside.write_text("Dockerfile\n")
    repo = tmp_path / "repo"
    (repo / "big").mkdir(parents=True)
    (repo / ".gitignore").symlink_to(outside)
    (repo / "Dockerfile").write_text("FROM alpine:3.20\n")
    (repo / "big" / ".gitignore").write_text("#" * (MAX_IGNORE_FILE_BYTES + 1))
    (repo / "big" / "Dockerfile").write_text("FROM alpine:3.20\n")
    project = Project(repo)
    assert "Dockerfile" in project.files  # the outside rules were not applied
    skips = {(s.path, s.reason) for s in project.skipped}
    assert (".gitignore", "not applied: symlink points outside the scanned tree") in skips
    assert any(path == "big/.gitignore" and reason.startswith("not applied: larger than") for path, reason in skips)
    assert project.is_git_ignored("Dockerfile") is False
